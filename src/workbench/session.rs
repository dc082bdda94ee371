//! Opening a case on its ledger, the same way in the window and the CLI: the case's ledger
//! reference resolved against the case file (a [`LedgerSource`]), the ledger opened, its
//! fingerprint checked (or the case rebound to the ledger as it is now, audited), with one
//! typed error.

use std::path::{Path, PathBuf};

use crate::case::Case;
use crate::case::file::{self, CaseFileError};
use crate::graph::{CommandError, Investigation, LedgerChanged, OpenError};
use crate::ledger::{AnyLedger, LedgerError, LedgerSource};

/// Why a case could not be opened on its ledger.
#[derive(Debug, thiserror::Error)]
pub enum OpenCaseError {
    /// The case file could not be read.
    #[error(transparent)]
    Case(#[from] CaseFileError),
    /// The ledger the case names is not there.
    #[error("{}: the case's ledger {ledger} does not exist", case.display())]
    NoLedger {
        /// The case file.
        case: PathBuf,
        /// Where its ledger should be.
        ledger: LedgerSource,
    },
    /// The ledger has new imports since the case was saved and rebinding was not asked for.
    #[error("{}: {changed}", case.display())]
    Changed {
        /// The case file.
        case: PathBuf,
        /// The fingerprints.
        changed: LedgerChanged,
    },
    /// The ledger failed.
    #[error("{}: {source}", case.display())]
    Ledger {
        /// The case file.
        case: PathBuf,
        /// The ledger's error (boxed: it is large).
        source: Box<LedgerError>,
    },
    /// Rebinding the case to its ledger failed.
    #[error("{}: rebinding the case to its ledger: {source}", case.display())]
    Rebind {
        /// The case file.
        case: PathBuf,
        /// The command's error.
        source: Box<CommandError>,
    },
}

/// Whether a ledger with new imports is taken as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebind {
    /// Refused with [`OpenCaseError::Changed`] (the CLI without `--rebind`).
    No,
    /// Bound to the ledger as it is now with an audited, undoable command (the window, `--rebind`).
    Yes,
}

/// The investigation of `case` (read from `case_path`) on its ledger, its changes (a rebind
/// included) recorded under `actor` (who works on it; `None`: the case's investigator).
///
/// # Errors
/// [`OpenCaseError`].
pub fn bind(
    case_path: &Path,
    case: Case,
    rebind: Rebind,
    actor: Option<&str>,
) -> Result<Investigation<AnyLedger>, OpenCaseError> {
    let source = case.ledger_source(case_path);
    if !source.exists() {
        return Err(OpenCaseError::NoLedger { case: case_path.to_owned(), ledger: source });
    }
    let ledger_err = |source| OpenCaseError::Ledger { case: case_path.to_owned(), source: Box::new(source) };
    let ledger = source.open().map_err(ledger_err)?;
    match rebind {
        Rebind::Yes => Investigation::open_rebinding(case, ledger, actor).map_err(|e| match e {
            CommandError::Ledger(source) => ledger_err(source),
            other => OpenCaseError::Rebind { case: case_path.to_owned(), source: Box::new(other) },
        }),
        Rebind::No => {
            let mut inv = Investigation::open(case, ledger).map_err(|e| match e {
                OpenError::Changed(changed) => OpenCaseError::Changed { case: case_path.to_owned(), changed },
                OpenError::Ledger(source) => ledger_err(source),
            })?;
            if let Some(actor) = actor {
                inv.set_actor(actor);
            }
            Ok(inv)
        }
    }
}

/// Reads the case file at `case_path` and [`bind`]s it.
///
/// # Errors
/// [`OpenCaseError`].
pub fn open(case_path: &Path, rebind: Rebind, actor: Option<&str>) -> Result<Investigation<AnyLedger>, OpenCaseError> {
    let case = file::load(case_path)?;
    bind(case_path, case, rebind, actor)
}
