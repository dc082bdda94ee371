//! Reading packages back safely, and extracting them into a chosen folder.
//!
//! Reading never trusts the archive: every entry name must be a plain file name (no `..`, no
//! absolute path, no backslash or drive letter, no folder, no control character: see
//! [`check_name`]), links and folders are refused, and [`Limits`] bound the number of
//! entries, the total size, each entry's size and its compression ratio. Sizes in the headers
//! are checked first, before anything is inflated; then each entry is read through a byte
//! limit, so an entry that inflates past what its header says is refused too. Extraction
//! validates every name before writing anything and creates each file new (never over an
//! existing file or link).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};

use zip::ZipArchive;

use super::archive::check_name;
use super::package::PackageFile;

/// Why a package could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The file or folder could not be read.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Not a readable zip.
    #[error("{}: not a readable zip file: {source}", path.display())]
    Zip {
        /// The file.
        path: PathBuf,
        /// The zip error.
        #[source]
        source: zip::result::ZipError,
    },
    /// The package holds something that is refused.
    #[error("{}: refused: {entry:?}: {reason}", path.display())]
    Refused {
        /// The package.
        path: PathBuf,
        /// The entry concerned (empty for the package as a whole).
        entry: String,
        /// Why.
        reason: String,
    },
}

/// Bounds on what a package may hold, against zip bombs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many entries.
    pub max_entries: usize,
    /// At most this many bytes in all, uncompressed.
    pub max_total_bytes: u64,
    /// At most this many bytes in one entry.
    pub max_entry_bytes: u64,
    /// An entry larger than `ratio_floor_bytes` inflates at most this many times its
    /// compressed size.
    pub max_ratio: u64,
    /// Entries up to this size are not held to `max_ratio` (tiny files compress oddly).
    pub ratio_floor_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 1_000,
            max_total_bytes: 2 << 30,
            max_entry_bytes: 1 << 30,
            max_ratio: 100,
            ratio_floor_bytes: 1 << 20,
        }
    }
}

/// The files of a package: a zip file or a folder, checked against `limits`.
///
/// # Errors
/// [`PackageError`]: unreadable, or refused (unsafe name, link, folder, too large, a zip bomb).
pub fn read_package(path: &Path, limits: &Limits) -> Result<Vec<PackageFile>, PackageError> {
    let meta = fs::symlink_metadata(path).map_err(|source| PackageError::Io {
        path: path.to_owned(),
        action: "read",
        source,
    })?;
    if meta.is_dir() { read_folder(path, limits) } else { read_zip(path, limits) }
}

fn refused(path: &Path, entry: &str, reason: impl Into<String>) -> PackageError {
    PackageError::Refused { path: path.to_owned(), entry: entry.to_owned(), reason: reason.into() }
}

fn read_folder(path: &Path, limits: &Limits) -> Result<Vec<PackageFile>, PackageError> {
    let io = |action, source| PackageError::Io { path: path.to_owned(), action, source };
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(path)
        .map_err(|e| io("list folder", e))?
        .collect::<Result<_, _>>()
        .map_err(|e| io("list folder", e))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    if entries.len() > limits.max_entries {
        return Err(refused(path, "", format!("{} files, more than {}", entries.len(), limits.max_entries)));
    }
    let mut total = 0u64;
    let mut out = Vec::new();
    for e in entries {
        let raw = e.file_name();
        let shown = raw.to_string_lossy().into_owned();
        let kind = e.file_type().map_err(|e| io("read file type in", e))?;
        if kind.is_symlink() {
            return Err(refused(path, &shown, "a symbolic link: packages hold plain files only"));
        }
        if !kind.is_file() {
            return Err(refused(path, &shown, "not a plain file (a folder or a device)"));
        }
        let name = check_name(raw.as_encoded_bytes()).map_err(|r| refused(path, &shown, r))?.to_owned();
        let budget = limits.max_entry_bytes.min(limits.max_total_bytes.saturating_sub(total));
        let file = File::open(e.path()).map_err(|e| io("open file in", e))?;
        let bytes = read_limited(file, budget).map_err(|e| io("read file in", e))?;
        let Some(bytes) = bytes else {
            return Err(refused(path, &name, format!("larger than the {budget} bytes left to read")));
        };
        total += bytes.len() as u64;
        out.push(PackageFile { name, bytes });
    }
    Ok(out)
}

/// Reads at most `limit` bytes; `None` when there is more.
fn read_limited(r: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    Ok((buf.len() as u64 <= limit).then_some(buf))
}

fn read_zip(path: &Path, limits: &Limits) -> Result<Vec<PackageFile>, PackageError> {
    let file = File::open(path).map_err(|source| PackageError::Io { path: path.to_owned(), action: "open", source })?;
    let zerr = |source| PackageError::Zip { path: path.to_owned(), source };
    let mut zip = ZipArchive::new(file).map_err(zerr)?;
    if zip.len() > limits.max_entries {
        return Err(refused(path, "", format!("{} entries, more than {}", zip.len(), limits.max_entries)));
    }
    // First the headers: names, kinds and declared sizes, before inflating anything.
    let mut plan = Vec::new();
    let mut declared_total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(zerr)?;
        let shown = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let name = check_name(entry.name_raw()).map_err(|r| refused(path, &shown, r))?.to_owned();
        if entry.is_symlink() || entry.unix_mode().is_some_and(|m| m & 0o170_000 == 0o120_000) {
            return Err(refused(path, &name, "a symbolic link: packages hold plain files only"));
        }
        if entry.is_dir() || entry.unix_mode().is_some_and(|m| m & 0o170_000 == 0o040_000) {
            return Err(refused(path, &name, "a folder: packages hold plain files only"));
        }
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > limits.max_entry_bytes {
            return Err(refused(
                path,
                &name,
                format!("{size} bytes uncompressed, more than {}", limits.max_entry_bytes),
            ));
        }
        if size > limits.ratio_floor_bytes && size / packed.max(1) > limits.max_ratio {
            return Err(refused(
                path,
                &name,
                format!(
                    "compressed {}:1 ({packed} bytes inflating to {size}), more than {}:1: a zip bomb",
                    size / packed.max(1),
                    limits.max_ratio
                ),
            ));
        }
        declared_total = declared_total.saturating_add(size);
        if declared_total > limits.max_total_bytes {
            return Err(refused(
                path,
                &name,
                format!("the entries add up to more than {} bytes", limits.max_total_bytes),
            ));
        }
        if plan.iter().any(|(_, n, _)| *n == name) {
            return Err(refused(path, &name, "the name appears twice"));
        }
        plan.push((i, name, size));
    }
    // Then the data, each entry through a byte limit (headers can lie).
    let mut out = Vec::new();
    for (i, name, size) in plan {
        let entry = zip.by_index(i).map_err(zerr)?;
        let bytes = read_limited(entry, size).map_err(|e| {
            refused(path, &name, format!("cannot be read as its header declares ({e}): damaged, or a zip bomb"))
        })?;
        let Some(bytes) = bytes else {
            return Err(refused(
                path,
                &name,
                format!("inflates past the {size} bytes its header declares: a zip bomb"),
            ));
        };
        if (bytes.len() as u64) != size {
            return Err(refused(path, &name, format!("{} bytes, its header says {size}", bytes.len())));
        }
        out.push(PackageFile { name, bytes });
    }
    Ok(out)
}

/// Writes `files` into the folder `into` (created if absent): never outside it, never over
/// an existing file or link (each file is created new).
///
/// # Errors
/// [`PackageError::Io`] naming the file; [`PackageError::Refused`] for a name that is not a
/// plain file name.
pub fn extract_into(files: &[PackageFile], into: &Path) -> Result<Vec<PathBuf>, PackageError> {
    for f in files {
        check_name(f.name.as_bytes()).map_err(|r| refused(into, &f.name, r))?;
    }
    fs::create_dir_all(into).map_err(|source| PackageError::Io {
        path: into.to_owned(),
        action: "create folder",
        source,
    })?;
    let mut written = Vec::new();
    for f in files {
        let target = into.join(&f.name);
        let io = |action, source| PackageError::Io { path: target.clone(), action, source };
        let mut out = OpenOptions::new().write(true).create_new(true).open(&target).map_err(|e| io("create", e))?;
        out.write_all(&f.bytes).and_then(|()| out.sync_all()).map_err(|e| io("write", e))?;
        written.push(target);
    }
    Ok(written)
}
