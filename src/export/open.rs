//! Opening a package for review: read it safely, verify it, parse the case, and optionally
//! extract it into a chosen folder (never writing outside it). Also the ledger comparison of
//! `hoptrace verify --ledger`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::manifest::Manifest;
use super::package::PackageFile;
use super::tables::{TRANSFER_COLUMNS, transfer_cells};
use super::unpack::{Limits, PackageError, extract_into, read_package};
use super::verify::{LedgerStatus, VerifyOptions, VerifyReport, verify_files};
use crate::case::Case;
use crate::import::csvutil::neutralize;
use crate::ledger::{Ledger, SqliteLedger};

/// A package opened for review.
#[derive(Debug, Clone)]
pub struct OpenedPackage {
    /// Where it was read from.
    pub source: PathBuf,
    /// Where its files were extracted (`None` when only read into memory).
    pub folder: Option<PathBuf>,
    /// Its files, in package order.
    pub files: Vec<PackageFile>,
    /// The verification (show it: a changed package still opens, to be looked at).
    pub report: VerifyReport,
    /// The case, when `case.ron` could be read.
    pub case: Option<Case>,
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
}

impl OpenedPackage {
    /// The content of `name`.
    #[must_use]
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|f| f.name == name).map(|f| f.bytes.as_slice())
    }
}

/// Reads the package at `path` (zip or folder) within the default [`Limits`], verifies it,
/// and, when `into_dir` is given, writes its files there (created if absent; existing files
/// are never overwritten and nothing is written outside it).
///
/// # Errors
/// [`PackageError`] when the package is refused (unsafe entries, zip bomb) or unreadable, or
/// a file cannot be extracted. A package that fails verification still opens: see
/// [`OpenedPackage::report`].
pub fn open_package(path: &Path, into_dir: Option<&Path>) -> Result<OpenedPackage, PackageError> {
    let files = read_package(path, &Limits::default())?;
    let report = verify_files(path, &files, &VerifyOptions::default());
    if let Some(dir) = into_dir {
        extract_into(&files, dir)?;
    }
    let case = files
        .iter()
        .find(|f| f.name == "case.ron")
        .and_then(|f| crate::case::file::from_bytes(Path::new("case.ron"), &f.bytes).ok());
    Ok(OpenedPackage {
        source: path.to_owned(),
        folder: into_dir.map(Path::to_owned),
        manifest: report.manifest.clone(),
        files,
        report,
        case,
    })
}

/// Compares every transfer of `transfers.csv` with the ledger at `ledger_path`.
pub(crate) fn check_ledger(
    ledger_path: &Path,
    csv: Option<&[u8]>,
    manifest: Option<&Manifest>,
    problems: &mut Vec<String>,
) -> LedgerStatus {
    let before = problems.len();
    let count = compare(ledger_path, csv, manifest, problems);
    match count {
        Some((transfers, same_fingerprint)) if problems.len() == before => {
            LedgerStatus::Matches { transfers, same_fingerprint }
        }
        _ => LedgerStatus::Differs { count: problems.len() - before },
    }
}

fn compare(
    ledger_path: &Path,
    csv: Option<&[u8]>,
    manifest: Option<&Manifest>,
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
    let ledger = match SqliteLedger::open(ledger_path) {
        Ok(l) => l,
        Err(e) => {
            problems.push(format!("ledger: {e}"));
            return None;
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            problems.push(format!("transfers.csv: {e}"));
            return None;
        }
    };
    if header != TRANSFER_COLUMNS {
        problems.push(format!(
            "transfers.csv: header is {}, expected {}",
            header.join(","),
            TRANSFER_COLUMNS.join(",")
        ));
        return None;
    }
    let mut records = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let line = i + 2;
        match r {
            Ok(r) => {
                let cells: Vec<String> = r.iter().map(str::to_owned).collect();
                match cells.first().and_then(|c| c.parse::<i64>().ok()) {
                    Some(id) => records.push((line, id, cells)),
                    None => problems.push(format!("transfers.csv line {line}: the id is not a number")),
                }
            }
            Err(e) => problems.push(format!("transfers.csv line {line}: {e}")),
        }
    }
    let ids: Vec<i64> = records.iter().map(|(_, id, _)| *id).collect();
    let rows = match ledger.transfers_by_id(&ids) {
        Ok(rows) => rows.into_iter().map(|r| (r.id, r)).collect::<HashMap<_, _>>(),
        Err(e) => {
            problems.push(format!("ledger: {e}"));
            return None;
        }
    };
    let assets: HashMap<(String, String), (Option<String>, Option<u8>)> = match ledger.assets() {
        Ok(a) => a.into_iter().map(|a| ((a.chain, a.asset), (a.symbol, a.decimals))).collect(),
        Err(e) => {
            problems.push(format!("ledger: {e}"));
            return None;
        }
    };
    let lookup = |c: &str, a: &str| assets.get(&(c.to_owned(), a.to_owned())).cloned().unwrap_or_default();
    for (line, id, cells) in &records {
        let Some(row) = rows.get(id) else {
            problems
                .push(format!("ledger: transfer {id} (transfers.csv line {line}) is not in {}", ledger_path.display()));
            continue;
        };
        let expected: Vec<String> = transfer_cells(row, &lookup).iter().map(|c| neutralize(c).into_owned()).collect();
        let differing: Vec<String> = TRANSFER_COLUMNS
            .iter()
            .zip(expected.iter().zip(cells))
            .filter(|(_, (e, c))| e != c)
            .map(|(col, (e, c))| format!("{col} {c:?} (ledger: {e:?})"))
            .collect();
        if !differing.is_empty() {
            problems
                .push(format!("ledger: transfer {id} (transfers.csv line {line}) differs: {}", differing.join(", ")));
        }
    }
    let same = match (ledger.fingerprint(), manifest) {
        (Ok(f), Some(m)) => f == m.ledger_fingerprint,
        _ => false,
    };
    Some((records.len(), same))
}
