//! Writing packages: a deterministic zip, or a folder, both atomically; and the file-name
//! rule every package entry follows ([`check_name`]). Reading is in [`super::unpack`].

use std::fs::{self, File, OpenOptions};
use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
pub(crate) fn zip_bytes(files: &[PackageFile], mtime: i64) -> Result<Vec<u8>, ExportError> {
    let zerr = |source| ExportError::Zip { path: PathBuf::from("(memory)"), source };
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .system(System::Unix)
        .unix_permissions(0o644)
        .last_modified_time(zip_time(mtime))
        .large_file(files.iter().any(|f| f.bytes.len() as u64 >= u64::from(u32::MAX)));
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = options.compression_method(CompressionMethod::Stored).compression_level(None);
    for f in files {
        let o = if STORED.iter().any(|s| f.name.ends_with(s)) { stored } else { options };
        w.start_file(f.name.as_str(), o).map_err(zerr)?;
        w.write_all(&f.bytes).map_err(|e| zerr(e.into()))?;
    }
    Ok(w.finish().map_err(zerr)?.into_inner())
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
