//! Writing packages: a deterministic zip, or a folder, both atomically; and the file-name
//! rule every package entry follows ([`check_name`]). Reading is in [`super::unpack`].

use std::fs::{self, File, OpenOptions};
use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::ExportError;
use super::package::PackageFile;

/// Checks that `name` is a plain file name a package may hold: UTF-8, 1–255 bytes of
/// letters, digits, `.`, `_` and `-`, not starting with `.`.
///
/// # Errors
/// What is wrong, in words (`absolute path`, `parent folder (..)`, `backslash`, …).
pub fn check_name(name: &[u8]) -> Result<&str, String> {
    let Ok(text) = std::str::from_utf8(name) else {
        return Err("the name is not UTF-8".to_owned());
    };
    if text.is_empty() {
        return Err("empty name".to_owned());
    }
    if text.starts_with('/') {
        return Err("absolute path".to_owned());
    }
    if text.contains('\\') {
        return Err("backslash in the name (a Windows path)".to_owned());
    }
    if text.as_bytes().get(1) == Some(&b':') {
        return Err("drive letter (a Windows absolute path)".to_owned());
    }
    if text.split('/').any(|c| c == "..") {
        return Err("parent folder (..) in the path: it would write outside the package folder".to_owned());
    }
    if text.contains('/') {
        return Err("a folder: packages hold plain files only".to_owned());
    }
    if text.starts_with('.') {
        return Err("hidden or relative name (starts with '.')".to_owned());
    }
    if text.len() > 255 || !text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return Err("only letters, digits, '.', '_' and '-' are allowed in a file name".to_owned());
    }
    Ok(text)
}

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
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    folder.join(format!(".{name}.{}-{n}.{suffix}", std::process::id()))
}

fn sync_folder_of(path: &Path) {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    if let Ok(d) = File::open(folder) {
        let _ = d.sync_all();
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let mut f =
        OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| ExportError::io("create", path, e))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| ExportError::io("write", path, e))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`.
pub(crate) fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let temp = temp_beside(path, "tmp");
    if let Err(e) = write_synced(&temp, bytes)
        .and_then(|()| fs::rename(&temp, path).map_err(|e| ExportError::io("move the finished package to", path, e)))
    {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    sync_folder_of(path);
    Ok(())
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
/// existing package folder there is moved aside first and removed after).
pub(crate) fn write_dir_atomic(path: &Path, files: &[PackageFile]) -> Result<(), ExportError> {
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
    use super::check_name;

    #[test]
    fn names_are_plain_file_names() {
        assert_eq!(check_name(b"case.ron"), Ok("case.ron"));
        for (bad, why) in [
            (&b"../evil"[..], "parent"),
            (b"/etc/passwd", "absolute"),
            (b"a\\b", "backslash"),
            (b"C:evil", "drive"),
            (b"dir/file", "folder"),
            (b".hidden", "hidden"),
            (b"a b", "only letters"),
            (b"\xff", "UTF-8"),
            (b"", "empty"),
        ] {
            let e = check_name(bad).err().unwrap_or_default();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }
}
