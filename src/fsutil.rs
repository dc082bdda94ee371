//! The one atomic writer: a reader of a file hoptrace writes sees its old content or its new,
//! never a part, and a crash leaves at most a temporary file beside it.
//!
//! The steps are always the same: fill a new temporary file beside the target, sync it, keep
//! the target's permissions, rename it over the target, sync the folder. Case files add a
//! backup and the cleanup of other processes' leftovers on top ([`crate::case::file`]); export
//! folders their own temporary names ([`crate::export`]); everything else (review files,
//! mapping profiles, refused-row reports) calls [`write_atomic`] or [`write_atomic_with`].

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A step of an atomic write that failed; the target is unchanged.
#[derive(Debug, thiserror::Error)]
#[error("cannot {step} {}: {source}", path.display())]
pub struct WriteError {
    /// What was being done (`create temporary file`, `replace`, …).
    pub step: &'static str,
    /// The file it was done to.
    pub path: PathBuf,
    /// Why it failed.
    #[source]
    pub source: io::Error,
}

fn error<'p>(step: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> WriteError + 'p {
    move |source| WriteError { step, path: path.to_owned(), source }
}

static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// A temporary name beside `path` no other write uses: `.NAME.PID-N` followed by `suffix`
/// (`.tmp`, `.bak.tmp`).
#[must_use]
pub fn temp_beside(path: &Path, suffix: &str) -> PathBuf {
    let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_else(|| "file".as_ref()));
    name.push(format!(".{}-{n}{suffix}", std::process::id()));
    folder(path).join(name)
}

/// The folder holding `path` (`.` for a bare file name).
#[must_use]
pub fn folder(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."))
}

/// Creates `path` (which must not exist), lets `fill` write it and syncs it. On error `path` is
/// removed.
///
/// # Errors
/// The step that failed.
pub fn write_new(path: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> Result<(), WriteError> {
    let mut file =
        OpenOptions::new().write(true).create_new(true).open(path).map_err(error("create temporary file", path))?;
    let written = fill(&mut file)
        .and_then(|()| file.flush())
        .map_err(error("write temporary file", path))
        .and_then(|()| file.sync_all().map_err(error("sync temporary file", path)));
    drop(file);
    if written.is_err() {
        let _ = fs::remove_file(path);
    }
    written
}

/// [`write_new`] of `temp`, then gives it the permissions of `target` when that exists.
///
/// # Errors
/// The step that failed.
pub fn write_temp(
    target: &Path,
    temp: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), WriteError> {
    write_new(temp, fill)?;
    // Keep the permissions of the file being replaced (best effort).
    if let Ok(meta) = fs::metadata(target) {
        let _ = fs::set_permissions(temp, meta.permissions());
    }
    Ok(())
}

/// Renames the written `temp` over `target` and syncs the folder; `step` names the rename in
/// an error (`replace case file`).
///
/// # Errors
/// The rename or the folder's sync failed (`temp` is left for the caller to remove).
pub fn commit(temp: &Path, target: &Path, step: &'static str) -> Result<(), WriteError> {
    fs::rename(temp, target).map_err(error(step, target))?;
    sync_folder(folder(target))
}

/// Syncs a folder, so that a rename in it survives a crash.
///
/// # Errors
/// The folder could not be opened or synced.
#[cfg(unix)]
pub fn sync_folder(dir: &Path) -> Result<(), WriteError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(error("sync folder", dir))
}

/// Folders cannot be opened as files here; the rename is durable once it returns.
///
/// # Errors
/// None.
#[cfg(not(unix))]
pub fn sync_folder(_dir: &Path) -> Result<(), WriteError> {
    Ok(())
}

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// The step that failed; `path` is unchanged.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Writes `path` atomically with what `fill` writes (streamed: nothing is held in memory).
///
/// # Errors
/// The step that failed; `path` is unchanged.
pub fn write_atomic_with(path: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> Result<(), WriteError> {
    let temp = temp_beside(path, ".tmp");
    write_temp(path, &temp, fill)?;
    commit(&temp, path, "replace").inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_and_leaves_nothing_beside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two").expect("replace");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).expect("list").flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, [OsString::from("out.csv")]);
    }

    #[test]
    fn a_failed_fill_leaves_the_old_content_and_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        write_atomic(&path, b"old").expect("write");
        let err = write_atomic_with(&path, |f| {
            f.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .expect_err("refused");
        assert_eq!(err.step, "write temporary file");
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(fs::read(&path).expect("read"), b"old");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn a_missing_folder_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("no-such-folder").join("out.csv");
        let err = write_atomic(&path, b"x").expect_err("refused");
        assert_eq!(err.step, "create temporary file");
        assert!(err.to_string().contains("no-such-folder"), "{err}");
    }
}
