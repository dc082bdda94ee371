//! Reading packages back safely and in bounded memory, and extracting them into a chosen
//! folder.
//!
//! Reading never trusts the archive: every entry name must be a plain file name (no `..`, no
//! absolute path, no backslash or drive letter, no folder, no control character: see
//! [`check_name`]), no name may appear twice (also not in another letter case), links and
//! folders are refused, and [`Limits`] bound the number of entries, the total size, each
//! entry's size and its compression ratio. Sizes in the headers are checked first, before
//! anything is inflated ([`PackageReader::open`]); then each entry is read as a stream through
//! a byte limit ([`PackageReader::reader`]), so an entry that inflates past what its header says
//! is refused too, and nothing holds a whole entry unless asked to, with a cap
//! ([`PackageReader::read_whole`]). Extraction validates every name before writing and creates
//! each file new (never over an existing file or link).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};

use sha2::Digest as _;
use std::path::{Path, PathBuf};

use zip::ZipArchive;

use super::format::{PackageFile, check_name};

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

/// The largest file read whole by [`PackageReader::read_whole`] callers that parse it at once
/// (`manifest.json`, `SHA256SUMS`, `manifest.sig`): these are a few kilobytes when written by
/// hoptrace.
pub const SMALL_FILE_BYTES: u64 = 1 << 20;

/// One entry of a package: its name and (declared) size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Plain file name (see [`check_name`]).
    pub name: String,
    /// Uncompressed size in bytes, as the zip header or the file system says.
    pub size: u64,
    /// Index in the zip (0 for a folder).
    index: usize,
}

enum Source {
    Zip(Box<ZipArchive<File>>),
    Folder,
}

/// A package opened for reading one entry at a time: names, kinds, sizes, duplicate names
/// and the [`Limits`] are checked when it is opened; then every entry is read as a stream
/// ([`PackageReader::reader`]) through a byte limit, so nothing holds a whole entry unless the
/// caller asks ([`PackageReader::read_whole`], with a cap).
pub struct PackageReader {
    path: PathBuf,
    source: Source,
    entries: Vec<Entry>,
}

impl std::fmt::Debug for PackageReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackageReader").field("path", &self.path).field("entries", &self.entries).finish()
    }
}

/// Reads an entry and fails (as an I/O error naming the entry) when it holds more or fewer
/// bytes than declared.
struct Exact<R> {
    inner: R,
    name: String,
    declared: u64,
    seen: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte more than declared is asked for, so a longer entry is noticed.
        let left = (self.declared + 1).saturating_sub(self.seen);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want]).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("{} cannot be read as its header declares ({e}): damaged, or a zip bomb", self.name),
            )
        })?;
        self.seen += n as u64;
        if self.seen > self.declared {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} inflates past the {} bytes its header declares: a zip bomb", self.name, self.declared),
            ));
        }
        if n == 0 && want > 0 && self.seen < self.declared {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("{} holds {} bytes, its header says {}", self.name, self.seen, self.declared),
            ));
        }
        Ok(n)
    }
}

/// The longest CSV record or XML token a streaming parser of a package file is given: a
/// parser holds one record (or one XML event) at a time, so this bounds what it holds.
pub const RECORD_BYTES: u64 = 16 << 20;

/// Passes a stream through, failing (as an I/O error naming the file) when more than `max`
/// bytes come without a record boundary: a `\n` outside double quotes for CSV, a `<` for
/// XML. A streaming parser after it never holds more than about `max` bytes.
pub(crate) struct Bounded<R> {
    inner: R,
    name: String,
    boundary: u8,
    quotes: bool,
    in_quotes: bool,
    since: u64,
    max: u64,
}

impl<R: Read> Bounded<R> {
    /// For a CSV file: records end at a newline outside quotes.
    pub(crate) fn csv(inner: R, name: &str) -> Self {
        Bounded {
            inner,
            name: name.to_owned(),
            boundary: b'\n',
            quotes: true,
            in_quotes: false,
            since: 0,
            max: RECORD_BYTES,
        }
    }

    /// For an XML file: every token starts with `<` (text runs up to the next one).
    pub(crate) fn xml(inner: R, name: &str) -> Self {
        Bounded {
            inner,
            name: name.to_owned(),
            boundary: b'<',
            quotes: false,
            in_quotes: false,
            since: 0,
            max: RECORD_BYTES,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if self.quotes && b == b'"' {
                self.in_quotes = !self.in_quotes;
            }
            if b == self.boundary && !self.in_quotes {
                self.since = 0;
            } else {
                self.since += 1;
                if self.since > self.max {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "{}: a record longer than {} bytes: not a file hoptrace writes (read no further)",
                            self.name, self.max
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

impl PackageReader {
    /// Opens the package at `path` (a zip file or a folder) and checks its entries against
    /// `limits`: plain file names, no links or folders, no name twice (also not in another
    /// letter case: `Transfers.csv` beside `transfers.csv` is refused, as it would overwrite
    /// it on a case-insensitive file system), sizes and compression ratios within bounds.
    ///
    /// # Errors
    /// [`PackageError`]: unreadable, or refused.
    pub fn open(path: &Path, limits: &Limits) -> Result<Self, PackageError> {
        let meta = fs::symlink_metadata(path).map_err(|source| PackageError::Io {
            path: path.to_owned(),
            action: "read",
            source,
        })?;
        let (source, entries) = if meta.is_dir() { list_folder(path, limits)? } else { list_zip(path, limits)? };
        let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for e in &entries {
            if let Some(first) = seen.insert(e.name.to_ascii_lowercase(), &e.name) {
                let reason = if first == e.name {
                    "the name appears twice: which copy is the evidence cannot be told".to_owned()
                } else {
                    format!("the name differs from {first:?} only in letter case: one would overwrite the other")
                };
                return Err(refused(path, &e.name, reason));
            }
        }
        Ok(PackageReader { path: path.to_owned(), source, entries })
    }

    /// Where the package is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every entry, in package order (zip order; a folder's names sorted).
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry named `name`.
    #[must_use]
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// A stream of the entry `name` (`None` when the package has none), failing with an I/O
    /// error naming the entry when it holds more or fewer bytes than its header declares.
    ///
    /// # Errors
    /// [`PackageError`] when the entry cannot be opened.
    pub fn reader(&mut self, name: &str) -> Result<Option<Box<dyn Read + '_>>, PackageError> {
        let Some(entry) = self.entries.iter().find(|e| e.name == name).cloned() else { return Ok(None) };
        let path = self.path.clone();
        let inner: Box<dyn Read + '_> = match &mut self.source {
            Source::Zip(zip) => {
                Box::new(zip.by_index(entry.index).map_err(|source| PackageError::Zip { path: path.clone(), source })?)
            }
            Source::Folder => {
                let file_path = path.join(&entry.name);
                let file = File::open(&file_path).map_err(|source| PackageError::Io {
                    path: file_path.clone(),
                    action: "open",
                    source,
                })?;
                let is_file = fs::symlink_metadata(&file_path).is_ok_and(|m| m.file_type().is_file());
                if !is_file {
                    return Err(refused(&path, name, "no longer a plain file (replaced while being read)"));
                }
                Box::new(file)
            }
        };
        Ok(Some(Box::new(Exact { inner, name: entry.name, declared: entry.size, seen: 0 })))
    }

    /// The whole content of `name` when it is at most `cap` bytes; `Ok(None)` when absent.
    ///
    /// # Errors
    /// [`PackageError::Refused`] when the entry is larger than `cap` or cannot be read as
    /// declared.
    pub fn read_whole(&mut self, name: &str, cap: u64) -> Result<Option<Vec<u8>>, PackageError> {
        let Some(size) = self.entry(name).map(|e| e.size) else { return Ok(None) };
        if size > cap {
            return Err(refused(
                &self.path,
                name,
                format!("{size} bytes, more than the {cap} bytes hoptrace reads of this file at once"),
            ));
        }
        let path = self.path.clone();
        let Some(mut r) = self.reader(name)? else { return Ok(None) };
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        r.read_to_end(&mut bytes).map_err(|e| refused(&path, name, e.to_string()))?;
        Ok(Some(bytes))
    }

    /// SHA-256 (hex) and size of `name`, read as a stream (`Ok(None)` when absent).
    ///
    /// # Errors
    /// [`PackageError::Refused`] when the entry cannot be read as declared.
    pub fn hash(&mut self, name: &str) -> Result<Option<(String, u64)>, PackageError> {
        self.stream(name, &mut std::io::sink())
    }

    /// Copies `name` into `out` as a stream; returns its SHA-256 and size.
    ///
    /// # Errors
    /// [`PackageError`] when the entry is absent or cannot be read as declared, or writing fails.
    pub fn copy_to(&mut self, name: &str, out: &mut dyn Write) -> Result<(String, u64), PackageError> {
        let path = self.path.clone();
        self.stream(name, out)?.ok_or_else(|| refused(&path, name, "the package has no such file"))
    }

    /// Reads `name` as a stream into `out`, hashing it: its SHA-256 and size (`Ok(None)` when
    /// absent).
    fn stream(&mut self, name: &str, out: &mut dyn Write) -> Result<Option<(String, u64)>, PackageError> {
        let path = self.path.clone();
        let Some(mut r) = self.reader(name)? else { return Ok(None) };
        let mut hasher = sha2::Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = r.read(&mut buf).map_err(|e| refused(&path, name, e.to_string()))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            sha2::Digest::update(&mut hasher, &buf[..n]);
            out.write_all(&buf[..n]).map_err(|source| PackageError::Io {
                path: PathBuf::from(name),
                action: "write a copy of",
                source,
            })?;
        }
        Ok(Some((hex::encode(sha2::Digest::finalize(hasher)), size)))
    }

    /// Writes every entry into the folder `into` (created if absent) as a stream: never
    /// outside it, never over an existing file or link (each file is created new).
    ///
    /// # Errors
    /// [`PackageError::Io`] naming the file, or [`PackageError::Refused`] for an entry that
    /// cannot be read as declared.
    pub fn extract_into(&mut self, into: &Path) -> Result<Vec<PathBuf>, PackageError> {
        fs::create_dir_all(into).map_err(|source| PackageError::Io {
            path: into.to_owned(),
            action: "create folder",
            source,
        })?;
        let names: Vec<String> = self.entries.iter().map(|e| e.name.clone()).collect();
        let mut written = Vec::new();
        for name in names {
            check_name(name.as_bytes()).map_err(|r| refused(into, &name, r))?;
            let target = into.join(&name);
            let io = |action, source| PackageError::Io { path: target.clone(), action, source };
            let mut out = OpenOptions::new().write(true).create_new(true).open(&target).map_err(|e| io("create", e))?;
            written.push(target.clone());
            self.copy_to(&name, &mut out)?;
            out.sync_all().map_err(|e| io("write", e))?;
        }
        Ok(written)
    }
}

/// The files of a package, each read whole: for small packages (review packages, tests).
/// [`PackageReader`] reads one entry at a time.
///
/// # Errors
/// [`PackageError`]: unreadable, or refused (unsafe name, link, folder, too large, a zip bomb,
/// a name twice).
pub fn read_package(path: &Path, limits: &Limits) -> Result<Vec<PackageFile>, PackageError> {
    let mut reader = PackageReader::open(path, limits)?;
    let names: Vec<String> = reader.entries().iter().map(|e| e.name.clone()).collect();
    let mut out = Vec::new();
    for name in names {
        let bytes = reader.read_whole(&name, limits.max_entry_bytes)?.unwrap_or_default();
        out.push(PackageFile { name, bytes });
    }
    Ok(out)
}

fn refused(path: &Path, entry: &str, reason: impl Into<String>) -> PackageError {
    PackageError::Refused { path: path.to_owned(), entry: entry.to_owned(), reason: reason.into() }
}

fn list_folder(path: &Path, limits: &Limits) -> Result<(Source, Vec<Entry>), PackageError> {
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
        let size = e.metadata().map_err(|e| io("read the size of a file in", e))?.len();
        let budget = limits.max_entry_bytes.min(limits.max_total_bytes.saturating_sub(total));
        if size > budget {
            return Err(refused(path, &name, format!("{size} bytes, larger than the {budget} bytes left to read")));
        }
        total += size;
        out.push(Entry { name, size, index: 0 });
    }
    Ok((Source::Folder, out))
}

fn list_zip(path: &Path, limits: &Limits) -> Result<(Source, Vec<Entry>), PackageError> {
    let file = File::open(path).map_err(|source| PackageError::Io { path: path.to_owned(), action: "open", source })?;
    let zerr = |source| PackageError::Zip { path: path.to_owned(), source };
    let mut zip = ZipArchive::new(file).map_err(zerr)?;
    if zip.has_duplicate_names() {
        return Err(refused(
            path,
            "",
            "the zip's directory lists a file name twice: which copy is the evidence cannot be told \
             (unzip and sha256sum -c would check one, a reader another)",
        ));
    }
    if zip.len() > limits.max_entries {
        return Err(refused(path, "", format!("{} entries, more than {}", zip.len(), limits.max_entries)));
    }
    // The headers: names, kinds and declared sizes, before inflating anything.
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
        plan.push(Entry { name, size, index: i });
    }
    Ok((Source::Zip(Box::new(zip)), plan))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Read;

    use super::{Bounded, Exact};

    fn read_all(mut r: impl Read) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        r.read_to_end(&mut out).map(|_| out).map_err(|e| e.to_string())
    }

    #[test]
    fn entries_must_hold_what_their_header_declares() {
        let exact = |data: &'static [u8], declared| Exact { inner: data, name: "x.csv".into(), declared, seen: 0 };
        assert_eq!(read_all(exact(b"abcd", 4)).unwrap(), b"abcd");
        let e = read_all(exact(b"abcde", 4)).unwrap_err();
        assert_eq!(e, "x.csv inflates past the 4 bytes its header declares: a zip bomb");
        let e = read_all(exact(b"abc", 4)).unwrap_err();
        assert_eq!(e, "x.csv holds 3 bytes, its header says 4");
    }

    #[test]
    fn records_longer_than_the_bound_are_refused() {
        let bounded = |data: &'static [u8], csv: bool| {
            let mut b = if csv { Bounded::csv(data, "t.csv") } else { Bounded::xml(data, "g.graphml") };
            b.max = 4;
            b
        };
        assert!(read_all(bounded(b"abcd\nefgh\n", true)).is_ok());
        // A newline inside quotes does not end the record; a doubled quote stays inside.
        let e = read_all(bounded(b"\"a\nb\"\"c\"\n", true)).unwrap_err();
        assert_eq!(e, "t.csv: a record longer than 4 bytes: not a file hoptrace writes (read no further)");
        assert!(read_all(bounded(b"<a><b>d<f>", false)).is_ok());
        assert!(read_all(bounded(b"<a>text too long<b>", false)).unwrap_err().contains("g.graphml: a record longer"));
    }
}
