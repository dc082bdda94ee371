//! Writing packages: a deterministic zip, or a folder, both atomically. The file-name rule
//! every entry follows is the format's ([`crate::package::check_name`]); reading is in
//! [`crate::package`].

use std::fs::{self, File};
use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::ExportError;
use crate::fsutil;
use crate::package::{PackageFile, check_name};

fn zip_time(seconds: i64) -> DateTime {
    let fallback = DateTime::default();
    let Ok(ts) = jiff::Timestamp::from_second(seconds) else { return fallback };
    let dt = jiff::tz::TimeZone::UTC.to_datetime(ts);
    let (Ok(year), Ok(month), Ok(day), Ok(hour), Ok(minute), Ok(second)) = (
        u16::try_from(dt.year()),
        u8::try_from(dt.month()),
        u8::try_from(dt.day()),
        u8::try_from(dt.hour()),
        u8::try_from(dt.minute()),
        u8::try_from(dt.second()),
    ) else {
        return fallback;
    };
    DateTime::from_date_and_time(year, month, day, hour, minute, second).unwrap_or(fallback)
}

/// Files whose content is compressed already (deflating them again costs time and saves
/// nothing): stored as they are.
const STORED: [&str; 2] = [".png", ".pdf"];

/// The zip of `files`: entries in order, Deflated (level 6; PNG and PDF stored), Unix
/// permissions 0644, modified at `mtime` (UTC; 1980-01-01 when out of the zip range).
///
/// Entries are compressed in parallel, each into a one-entry zip in memory (largest first,
/// by as many threads as the machine has cores), then merged in package order by copying
/// their compressed bytes: the result does not depend on the number of threads.
pub(crate) fn zip_bytes(files: &[PackageFile], mtime: i64) -> Result<Vec<u8>, ExportError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .system(System::Unix)
        .unix_permissions(0o644)
        .last_modified_time(zip_time(mtime))
        .large_file(files.iter().any(|f| f.bytes.len() as u64 >= u64::from(u32::MAX)));
    let stored = options.compression_method(CompressionMethod::Stored).compression_level(None);
    let entry = |f: &PackageFile| -> Result<Vec<u8>, ExportError> {
        let o = if STORED.iter().any(|s| f.name.ends_with(s)) { stored } else { options };
        let mut w = ZipWriter::new(Cursor::new(Vec::with_capacity(f.bytes.len() / 3 + 256)));
        w.start_file(f.name.as_str(), o).map_err(zip_error)?;
        w.write_all(&f.bytes).map_err(|e| zip_error(e.into()))?;
        Ok(w.finish().map_err(zip_error)?.into_inner())
    };
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].bytes.len()));
    let parts: Vec<OnceLock<Result<Vec<u8>, ExportError>>> = files.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let _ = parts[i].set(entry(&files[i]));
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(files.len());
    std::thread::scope(|scope| {
        for _ in 1..threads {
            // A thread that cannot start leaves its share to this one.
            let _ = std::thread::Builder::new().name("zip".to_owned()).spawn_scoped(scope, work);
        }
        work();
    });
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    let mut w = ZipWriter::new(Cursor::new(Vec::with_capacity(total / 2)));
    for part in parts {
        let bytes = part.into_inner().unwrap_or_else(entry_missing)?;
        let one = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        w.merge_archive(one).map_err(zip_error)?;
    }
    Ok(w.finish().map_err(zip_error)?.into_inner())
}

fn zip_error(source: zip::result::ZipError) -> ExportError {
    ExportError::Zip { path: PathBuf::from("(memory)"), source }
}

/// Every entry is compressed before the merge; this is only reached if a worker died.
fn entry_missing() -> Result<Vec<u8>, ExportError> {
    Err(zip_error(zip::result::ZipError::FileNotFound))
}

static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// `.NAME.PID-N.SUFFIX` beside `path`.
fn temp_beside(path: &Path, suffix: &str) -> PathBuf {
    let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().map_or_else(|| "package".into(), |n| n.to_string_lossy().into_owned());
    folder_of(path).join(format!(".{name}.{}-{n}.{suffix}", std::process::id()))
}

fn folder_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."))
}

/// What a [`temp_beside`] name of `path` is: the writing process and the suffix (`tmp` or
/// `old`); `None` for any other name.
fn temp_of(name: &std::ffi::OsStr, path: &Path) -> Option<(u32, &'static str)> {
    let target = path.file_name().map_or_else(|| "package".into(), |n| n.to_string_lossy().into_owned());
    let rest = name.to_str()?.strip_prefix('.')?.strip_prefix(target.as_str())?.strip_prefix('.')?;
    let (rest, suffix) =
        if let Some(r) = rest.strip_suffix(".tmp") { (r, "tmp") } else { (rest.strip_suffix(".old")?, "old") };
    let (pid, n) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(n) {
        return None;
    }
    Some((pid.parse().ok()?, suffix))
}

/// Whether process `pid` is running (another export of the same target may be writing its
/// temporaries). Where `/proc` cannot tell, only this process counts as running.
fn running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    Path::new("/proc/self").exists() && Path::new("/proc").join(pid.to_string()).exists()
}

/// A folder holding only plain files with package names: what an interrupted [`write_dir_atomic`]
/// leaves (its temporary folder may lack the manifest if the process stopped while writing).
fn holds_only_package_files(path: &Path) -> bool {
    let Ok(entries) = fs::read_dir(path) else { return false };
    entries.into_iter().all(|e| {
        e.is_ok_and(|e| {
            e.file_type().is_ok_and(|t| t.is_file()) && check_name(e.file_name().as_encoded_bytes()).is_ok()
        })
    })
}

/// Cleans up after earlier exports to `path` that stopped half-way (killed, power cut): a
/// previous package moved aside (`.NAME.PID-N.old`) while `path` is missing is put back (the
/// interruption fell between the two renames), and every other temporary of `path` written by
/// a process no longer running is removed. Only names [`temp_beside`] makes for `path`, of the
/// kind it makes (a package folder or a folder of package files; a plain file beside a zip),
/// are touched; anything else is left alone. Best effort: what cannot be removed is left for
/// the next export.
fn clean_leftovers(path: &Path) {
    let Ok(entries) = fs::read_dir(folder_of(path)) else { return };
    let mut dirs_old = Vec::new();
    let mut others = Vec::new();
    for e in entries.flatten() {
        let Some((pid, suffix)) = temp_of(&e.file_name(), path) else { continue };
        if running(pid) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(e.path()) else { continue };
        if meta.is_file() && suffix == "tmp" {
            others.push((e.path(), false));
        } else if meta.is_dir() && suffix == "old" && is_package_folder(&e.path()) {
            dirs_old.push((meta.modified().ok(), e.path()));
        } else if meta.is_dir() && holds_only_package_files(&e.path()) {
            others.push((e.path(), true));
        }
    }
    // The newest package moved aside is the one the interrupted export was replacing.
    dirs_old.sort();
    if fs::symlink_metadata(path).is_err()
        && let Some((_, newest)) = dirs_old.pop()
        && fs::rename(&newest, path).is_ok()
    {
        sync_folder_of(path);
    }
    others.extend(dirs_old.into_iter().map(|(_, p)| (p, true)));
    for (p, is_dir) in others {
        let _ = if is_dir { fs::remove_dir_all(&p) } else { fs::remove_file(&p) };
    }
}

fn sync_folder_of(path: &Path) {
    if let Ok(d) = File::open(folder_of(path)) {
        let _ = d.sync_all();
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    fsutil::write_new(path, |f| f.write_all(bytes)).map_err(|e| ExportError::io(e.step, &e.path, e.source))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`
/// ([`fsutil`]), removing first the temporaries of earlier writes of `path` that were
/// interrupted.
pub(crate) fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    clean_leftovers(path);
    let temp = temp_beside(path, "tmp");
    fsutil::write_temp(path, &temp, |f| f.write_all(bytes))
        .and_then(|()| {
            fsutil::commit(&temp, path, "move the finished package to").inspect_err(|_| {
                let _ = fs::remove_file(&temp);
            })
        })
        .map_err(|e| ExportError::io(e.step, &e.path, e.source))
}

/// A folder an export may replace: it holds `manifest.json` and `SHA256SUMS` and only plain
/// files.
fn is_package_folder(path: &Path) -> bool {
    let Ok(entries) = fs::read_dir(path) else { return false };
    let mut names = Vec::new();
    for e in entries {
        let Ok(e) = e else { return false };
        if !e.file_type().is_ok_and(|t| t.is_file()) {
            return false;
        }
        names.push(e.file_name());
    }
    names.iter().any(|n| n == "manifest.json") && names.iter().any(|n| n == "SHA256SUMS")
}

/// Writes `files` into a temporary folder beside `path`, then renames it to `path` (an
/// existing package folder there is moved aside first and removed after). Leftovers of earlier
/// exports to `path` that were interrupted are cleaned up first ([`clean_leftovers`]).
pub(crate) fn write_dir_atomic(path: &Path, files: &[PackageFile]) -> Result<(), ExportError> {
    clean_leftovers(path);
    let existing = fs::symlink_metadata(path).ok();
    if let Some(meta) = &existing
        && (!meta.is_dir() || !is_package_folder(path))
    {
        return Err(ExportError::NotAPackageFolder { path: path.to_owned() });
    }
    let temp = temp_beside(path, "tmp");
    let written = fs::create_dir(&temp).map_err(|e| ExportError::io("create folder", &temp, e)).and_then(|()| {
        for f in files {
            write_synced(&temp.join(&f.name), &f.bytes)?;
        }
        if let Ok(d) = File::open(&temp) {
            let _ = d.sync_all();
        }
        Ok(())
    });
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&temp);
        return Err(e);
    }
    let old = existing.map(|_| temp_beside(path, "old"));
    if let Some(old) = &old
        && let Err(e) = fs::rename(path, old)
    {
        let _ = fs::remove_dir_all(&temp);
        return Err(ExportError::io("move the previous package aside:", path, e));
    }
    if let Err(e) = fs::rename(&temp, path) {
        if let Some(old) = &old {
            let _ = fs::rename(old, path);
        }
        let _ = fs::remove_dir_all(&temp);
        return Err(ExportError::io("move the finished package to", path, e));
    }
    sync_folder_of(path);
    if let Some(old) = old {
        let _ = fs::remove_dir_all(old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::{PackageFile, clean_leftovers, write_dir_atomic, write_file_atomic};

    /// Above Linux's largest process id (2^22): never a running process.
    const DEAD: u32 = 4_194_999;

    fn package(dir: &Path, marker: &str) {
        fs::create_dir_all(dir).expect("mkdir");
        for (name, text) in [("manifest.json", marker), ("SHA256SUMS", marker), ("transfers.csv", marker)] {
            fs::write(dir.join(name), text).expect("write");
        }
    }

    fn files(marker: &str) -> Vec<PackageFile> {
        ["manifest.json", "SHA256SUMS", "transfers.csv"]
            .iter()
            .map(|n| PackageFile { name: (*n).to_owned(), bytes: marker.as_bytes().to_vec() })
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = fs::read_dir(dir)
            .expect("read_dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn a_dir_export_removes_what_interrupted_exports_of_it_left_and_nothing_else() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let pkg = tmp.path().join("pkg");
        package(&pkg, "current");
        // A temporary folder stopped while writing, and a previous package moved aside.
        fs::create_dir(tmp.path().join(format!(".pkg.{DEAD}-0.tmp"))).expect("mkdir");
        fs::write(tmp.path().join(format!(".pkg.{DEAD}-0.tmp/transfers.csv")), "half").expect("write");
        package(&tmp.path().join(format!(".pkg.{DEAD}-1.old")), "older");
        // Not ours: other names, or content an export never writes.
        fs::create_dir(tmp.path().join(".pkg.notes.tmp")).expect("mkdir");
        package(&tmp.path().join(format!(".other.{DEAD}-0.old")), "other");
        fs::create_dir_all(tmp.path().join(format!(".pkg.{DEAD}-2.tmp/sub"))).expect("mkdir");
        fs::write(tmp.path().join(format!(".pkg.{DEAD}-3.old")), "a file, not a package").expect("write");
        write_dir_atomic(&pkg, &files("new")).expect("export");
        assert_eq!(
            names(tmp.path()),
            [
                format!(".other.{DEAD}-0.old"),
                format!(".pkg.{DEAD}-2.tmp"),
                format!(".pkg.{DEAD}-3.old"),
                ".pkg.notes.tmp".to_owned(),
                "pkg".to_owned()
            ]
        );
        assert_eq!(fs::read_to_string(pkg.join("manifest.json")).expect("read"), "new");
    }

    #[test]
    fn a_package_moved_aside_by_an_export_stopped_between_its_renames_is_put_back() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let pkg = tmp.path().join("pkg");
        package(&tmp.path().join(format!(".pkg.{DEAD}-0.old")), "previous");
        fs::create_dir(tmp.path().join(format!(".pkg.{DEAD}-1.tmp"))).expect("mkdir");
        package(&tmp.path().join(format!(".pkg.{DEAD}-1.tmp")), "finished but not renamed");
        clean_leftovers(&pkg);
        assert_eq!(names(tmp.path()), ["pkg"]);
        assert_eq!(fs::read_to_string(pkg.join("manifest.json")).expect("read"), "previous");
    }

    #[test]
    fn temporaries_of_a_running_export_and_zip_leftovers() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let zip = tmp.path().join("case.zip");
        let mut child = std::process::Command::new("sleep").arg("30").spawn().expect("spawn sleep");
        let live = format!(".case.zip.{}-0.tmp", child.id());
        fs::write(tmp.path().join(&live), "being written").expect("write");
        fs::write(tmp.path().join(format!(".case.zip.{DEAD}-0.tmp")), "killed").expect("write");
        write_file_atomic(&zip, b"zip").expect("write zip");
        let left = names(tmp.path());
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(left, [live, "case.zip".to_owned()]);
    }
}
