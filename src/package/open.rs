//! Opening a package for review: read it safely, verify it, parse the case, and optionally
//! extract it into a chosen folder (never writing outside it). Also the ledger comparison of
//! `hoptrace verify --ledger`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use std::io::Read;

use sha2::{Digest as _, Sha256};

use super::columns::transfers;
use super::format::FormatVersion;
use super::manifest::Manifest;
use super::unpack::{Entry, Limits, PackageError, PackageReader};
use super::verify::{CASE_FILE_BYTES, LedgerStatus, VerifyOptions, VerifyReport, verify_reader};
use crate::case::Case;
use crate::import::csvutil::neutralize;
use crate::ledger::{Ledger, LedgerSource};

/// A package opened for review: its verification, case and manifest in memory, its files
/// read again from the package when asked for (as streams, each checked against the hash
/// verification found, so a package changed since it was opened is noticed).
#[derive(Debug, Clone)]
pub struct OpenedPackage {
    /// Where it was read from.
    pub source: PathBuf,
    /// Where its files were extracted (`None` when only read).
    pub folder: Option<PathBuf>,
    /// Its entries (names and sizes), in package order.
    pub entries: Vec<Entry>,
    /// The verification (show it: a changed package still opens, to be looked at).
    pub report: VerifyReport,
    /// The case, when `case.ron` could be read.
    pub case: Option<Case>,
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
}

/// Hashes what passes through and, at the end, compares it with the hash verification found.
struct Checked<R> {
    inner: R,
    name: String,
    expected: Option<String>,
    hasher: Sha256,
    done: bool,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        if n == 0 && !buf.is_empty() && !self.done {
            self.done = true;
            let got = hex::encode(std::mem::take(&mut self.hasher).finalize());
            if self.expected.as_deref() != Some(got.as_str()) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{} was changed since the package was opened and verified: open it again", self.name),
                ));
            }
        }
        Ok(n)
    }
}

impl OpenedPackage {
    /// Whether the package holds `name`.
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name)
    }

    /// Reads `name` from the package as a stream and hands it to `f` (`Ok(None)` when the
    /// package has no such file). The stream fails at its end when the file is no longer what
    /// was verified.
    ///
    /// # Errors
    /// [`PackageError`] when the package cannot be read again.
    pub fn with_reader<T>(&self, name: &str, f: impl FnOnce(&mut dyn Read) -> T) -> Result<Option<T>, PackageError> {
        let mut reader = PackageReader::open(&self.source, &Limits::default())?;
        let Some(inner) = reader.reader(name)? else { return Ok(None) };
        let mut checked = Checked {
            inner,
            name: name.to_owned(),
            expected: self.report.sha256_of(name).map(str::to_owned),
            hasher: Sha256::new(),
            done: false,
        };
        Ok(Some(f(&mut checked)))
    }

    /// Copies `name` into a new file at `to` as a stream.
    ///
    /// # Errors
    /// [`PackageError`] when the package has no such file, it cannot be read or was changed
    /// since it was verified, or `to` cannot be written (an existing file is not replaced).
    pub fn copy_file(&self, name: &str, to: &Path) -> Result<u64, PackageError> {
        let io = |action, source| PackageError::Io { path: to.to_owned(), action, source };
        let copied = self.with_reader(name, |r| -> Result<u64, PackageError> {
            let mut out =
                std::fs::OpenOptions::new().write(true).create_new(true).open(to).map_err(|e| io("create", e))?;
            let n = std::io::copy(r, &mut out).map_err(|e| io("write", e))?;
            out.sync_all().map_err(|e| io("write", e))?;
            Ok(n)
        })?;
        match copied {
            Some(Ok(n)) => Ok(n),
            Some(Err(e)) => {
                let _ = std::fs::remove_file(to);
                Err(e)
            }
            None => Err(PackageError::Refused {
                path: self.source.clone(),
                entry: name.to_owned(),
                reason: "the package has no such file".to_owned(),
            }),
        }
    }
}

/// Reads the package at `path` (zip or folder) within the default [`Limits`], verifies it
/// (every entry read as a stream: nothing holds a whole entry but `case.ron` and the small
/// lists), and, when `into_dir` is given, writes its files there (created if absent; existing
/// files are never overwritten and nothing is written outside it).
///
/// # Errors
/// [`PackageError`] when the package is refused (unsafe entries, zip bomb) or unreadable, or
/// a file cannot be extracted. A package that fails verification still opens: see
/// [`OpenedPackage::report`].
pub fn open_package(path: &Path, into_dir: Option<&Path>) -> Result<OpenedPackage, PackageError> {
    let mut reader = PackageReader::open(path, &Limits::default())?;
    let report = verify_reader(&mut reader, &VerifyOptions::default())?;
    if let Some(dir) = into_dir {
        reader.extract_into(dir)?;
    }
    let case = match reader.entry("case.ron").map(|e| e.size) {
        Some(size) if size <= CASE_FILE_BYTES => reader
            .read_whole("case.ron", CASE_FILE_BYTES)?
            .and_then(|bytes| crate::case::file::from_bytes(Path::new("case.ron"), &bytes).ok()),
        _ => None,
    };
    Ok(OpenedPackage {
        source: path.to_owned(),
        folder: into_dir.map(Path::to_owned),
        entries: reader.entries().to_vec(),
        manifest: report.manifest.clone(),
        report,
        case,
    })
}

/// Compares every transfer of `transfers.csv` with the ledger at `ledger_path`.
pub(crate) fn check_ledger(
    ledger_path: &Path,
    csv: Option<Box<dyn Read + '_>>,
    manifest: Option<&Manifest>,
    version: Option<FormatVersion>,
    problems: &mut Vec<String>,
) -> LedgerStatus {
    let before = problems.len();
    let count = compare(ledger_path, csv, manifest, version, problems);
    match count {
        Some((transfers, same_fingerprint)) if problems.len() == before => {
            LedgerStatus::Matches { transfers, same_fingerprint }
        }
        _ => LedgerStatus::Differs { count: problems.len() - before },
    }
}

fn compare(
    ledger_path: &Path,
    csv: Option<Box<dyn Read + '_>>,
    manifest: Option<&Manifest>,
    version: Option<FormatVersion>,
    problems: &mut Vec<String>,
) -> Option<(usize, bool)> {
    let Some(csv) = csv else {
        problems.push("ledger: transfers.csv is missing, nothing to compare".to_owned());
        return None;
    };
    if !ledger_path.is_file() {
        problems.push(format!("ledger: {} does not exist", ledger_path.display()));
        return None;
    }
    let ledger = match LedgerSource::sqlite(ledger_path).open() {
        Ok(l) => l,
        Err(e) => {
            problems.push(format!("ledger: {e}"));
            return None;
        }
    };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).from_reader(super::unpack::Bounded::csv(csv, "transfers.csv"));
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            problems.push(format!("transfers.csv: {e}"));
            return None;
        }
    };
    if !header.iter().map(String::as_str).eq(transfers::TABLE.header()) {
        problems.push(format!(
            "transfers.csv: header is {}, expected {}",
            header.join(","),
            transfers::TABLE.header_text()
        ));
        return None;
    }
    let assets: HashMap<(String, String), (Option<String>, Option<u8>)> = match ledger.assets() {
        Ok(a) => a.into_iter().map(|a| ((a.chain, a.asset), (a.symbol, a.decimals))).collect(),
        Err(e) => {
            problems.push(format!("ledger: {e}"));
            return None;
        }
    };
    let id_col = transfers::TABLE.index(transfers::ID.name).unwrap_or(0);
    // A chunk of rows at a time, so a large transfers.csv is never held whole.
    const CHUNK: usize = 10_000;
    let mut compared = 0;
    let mut records = Vec::with_capacity(CHUNK);
    let mut rows_read = reader.records().enumerate().peekable();
    while rows_read.peek().is_some() {
        records.clear();
        for (i, r) in rows_read.by_ref().take(CHUNK) {
            let line = i + 2;
            match r {
                Ok(r) => {
                    let cells: Vec<String> = r.iter().map(str::to_owned).collect();
                    match cells.get(id_col).and_then(|c| c.parse::<i64>().ok()) {
                        Some(id) => records.push((line, id, cells)),
                        None => problems.push(format!("transfers.csv line {line}: the id is not a number")),
                    }
                }
                Err(e) => problems.push(format!("transfers.csv line {line}: {e}")),
            }
        }
        compared += records.len();
        let ids: Vec<i64> = records.iter().map(|(_, id, _)| *id).collect();
        let rows = match ledger.transfers_by_id(&ids) {
            Ok(rows) => rows.into_iter().map(|r| (r.id, r)).collect::<HashMap<_, _>>(),
            Err(e) => {
                problems.push(format!("ledger: {e}"));
                return None;
            }
        };
        for (line, id, cells) in &records {
            let Some(row) = rows.get(id) else {
                problems.push(format!(
                    "ledger: transfer {id} (transfers.csv line {line}) is not in {}",
                    ledger_path.display()
                ));
                continue;
            };
            let asset = assets.get(&(row.transfer.chain.clone(), row.transfer.asset.clone()));
            let ledger_line =
                transfers::Line { row, symbol: asset.and_then(|a| a.0.as_deref()), decimals: asset.and_then(|a| a.1) };
            let diff = |expected: Vec<String>| -> Vec<String> {
                transfers::TABLE
                    .header()
                    .zip(expected.iter().map(|c| neutralize(c)).zip(cells))
                    .filter(|(_, (e, c))| e.as_ref() != c.as_str())
                    .map(|(col, (e, c))| format!("{col} {c:?} (ledger: {e:?})"))
                    .collect()
            };
            let mut differing = diff(transfers::TABLE.cells(&ledger_line));
            // A version-1 package may hold an unknown amount as 0, as its writer stored it.
            if !differing.is_empty()
                && version.is_some_and(FormatVersion::unknown_amount_may_be_zero)
                && let Some(as_zero) = transfers::unknown_amount_as_zero(&ledger_line)
            {
                let other = diff(as_zero);
                if other.len() < differing.len() {
                    differing = other;
                }
            }
            if !differing.is_empty() {
                problems.push(format!(
                    "ledger: transfer {id} (transfers.csv line {line}) differs: {}",
                    differing.join(", ")
                ));
            }
        }
    }
    let same = match (ledger.fingerprint(), manifest) {
        (Ok(f), Some(m)) => f == m.ledger_fingerprint,
        _ => false,
    };
    Some((compared, same))
}
