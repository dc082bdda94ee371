//! Starting a case: the case file's id, its reference to the ledger (relative to the case's
//! folder when the ledger is inside it, so the pair can be moved together) and the new
//! investigation. Used by `hoptrace new-case` and the window's File > New case.

use std::path::{Path, PathBuf};

use super::Investigation;
use crate::ledger::{AnyLedger, LedgerError, LedgerSource};

/// Why a case could not be started.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The case file exists already.
    #[error("{0} exists: choose another name, or open it")]
    Exists(PathBuf),
    /// A path could not be resolved.
    #[error("{path}: {source}")]
    Path {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The ledger could not be opened or created.
    #[error("ledger {path}: {source}")]
    Ledger {
        /// The ledger file.
        path: PathBuf,
        /// Why.
        source: Box<LedgerError>,
    },
    /// The title is empty.
    #[error("a case needs a title")]
    NoTitle,
    /// No investigator is named.
    #[error("name the investigator (recorded with every entry of the audit log)")]
    NoInvestigator,
}

/// Who is at the keyboard when nothing else says: `HOPTRACE_INVESTIGATOR`, else the login
/// name (empty when neither is set).
#[must_use]
pub fn default_actor() -> String {
    ["HOPTRACE_INVESTIGATOR", "USER", "USERNAME"].iter().find_map(|v| std::env::var(v).ok()).unwrap_or_default()
}

/// A new case's id: `case-` and 16 hex digits of a hash of the title, the time and the process.
#[must_use]
pub fn case_id(title: &str, now: i64) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{title}\u{1f}{now}\u{1f}{}", std::process::id()).as_bytes());
    format!("case-{}", &hex::encode(digest)[..16])
}

/// How the case at `case_path` names `ledger`: relative to the case's folder when the ledger
/// is inside it, else absolute. Both must exist.
///
/// # Errors
/// A path that cannot be resolved.
pub fn ledger_reference(case_path: &Path, ledger: &Path) -> Result<String, CreateError> {
    let canon = |p: &Path| p.canonicalize().map_err(|source| CreateError::Path { path: p.to_owned(), source });
    let ledger = canon(ledger)?;
    let folder = case_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let folder = canon(folder)?;
    Ok(match ledger.strip_prefix(&folder) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => ledger.display().to_string(),
    })
}

/// The ledger a new case at `case_path` gets when none is named: `NAME.ledger.sqlite` beside it.
#[must_use]
pub fn default_ledger(case_path: &Path) -> PathBuf {
    let stem = case_path.file_stem().map_or_else(|| "case".to_owned(), |s| s.to_string_lossy().into_owned());
    case_path.with_file_name(format!("{stem}.ledger.sqlite"))
}

/// Starts a case titled `title` by `investigator` at `case_path` (not written yet: the caller
/// adds seeds and saves) on the ledger at `ledger`, which is created empty when it does not
/// exist. Refuses to replace an existing case file unless `replace`.
///
/// # Errors
/// [`CreateError`].
pub fn start_case(
    case_path: &Path,
    ledger: &Path,
    title: &str,
    investigator: &str,
    replace: bool,
) -> Result<Investigation<AnyLedger>, CreateError> {
    if title.trim().is_empty() {
        return Err(CreateError::NoTitle);
    }
    if investigator.trim().is_empty() {
        return Err(CreateError::NoInvestigator);
    }
    if case_path.exists() && !replace {
        return Err(CreateError::Exists(case_path.to_owned()));
    }
    let opened = LedgerSource::sqlite(ledger)
        .open()
        .map_err(|e| CreateError::Ledger { path: ledger.to_owned(), source: Box::new(e) })?;
    let now = jiff::Timestamp::now().as_second();
    let reference = ledger_reference(case_path, ledger)?;
    Investigation::create(
        opened,
        reference,
        case_id(title, now),
        title.trim().to_owned(),
        investigator.trim().to_owned(),
        now,
    )
    .map_err(|e| CreateError::Ledger { path: ledger.to_owned(), source: Box::new(e) })
}
