//! Opening a case on its ledger, the same way in the window and the CLI: the case's ledger
//! reference resolved against the case file (a [`LedgerSource`]), the ledger opened, its
//! fingerprint checked (or the case rebound to the ledger as it is now, audited), with one
//! typed error.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::case::Case;
use crate::case::file::{self, AuditHead, CaseFileError};
use crate::case::lock::{CaseLock, LockError};
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
    /// Another writer holds the case (named), or its lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
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

/// What keeps one writer's work from overwriting another's: the case's lock (one writer per
/// case) and the audit head of the version on disk the unsaved work builds on
/// ([`file::save_checked`]). Without the lock the case is open read-only: it can be looked at
/// and worked on, but not saved over. The window and the CLI's case commands save through it.
#[derive(Debug)]
pub struct CaseGuard {
    lock: Option<CaseLock>,
    /// The head of the case file as last read or saved.
    pub base: AuditHead,
    /// Why the case is read-only (who holds it), when it is.
    pub read_only: Option<String>,
}

/// Why a save was refused.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The case is open read-only (another writer holds it, or its folder is read-only).
    #[error("the case is open read-only ({0})")]
    ReadOnly(String),
    /// Writing failed, or the file moved on since it was read (nothing written then).
    #[error(transparent)]
    File(#[from] CaseFileError),
}

impl CaseGuard {
    /// Takes the lock of `case_path` for `program` if it is free (else the guard is read-only,
    /// saying who holds it); `read` then reads the case (after the lock, so it is the latest
    /// saved version) and the guard starts from its audit head.
    ///
    /// # Errors
    /// What `read` returns.
    pub fn probe<E>(
        case_path: &Path,
        program: &str,
        read: impl FnOnce() -> Result<Case, E>,
    ) -> Result<(Self, Case), E> {
        let probe = CaseLock::acquire(case_path, program);
        let case = read()?;
        let base = AuditHead::of(&case);
        let guard = match probe {
            Ok(lock) => CaseGuard { lock: Some(lock), base, read_only: None },
            Err(e) => CaseGuard { lock: None, base, read_only: Some(read_only_reason(&e)) },
        };
        Ok((guard, case))
    }

    /// Takes the lock of `case_path` for `program`, waiting up to `wait` for another writer,
    /// then reads the case file and starts from its audit head.
    ///
    /// # Errors
    /// The case is held by another writer past `wait` (named), or cannot be read.
    pub fn acquire_waiting(case_path: &Path, program: &str, wait: Duration) -> Result<(Self, Case), OpenCaseError> {
        let lock = CaseLock::acquire_waiting(case_path, program, wait)?;
        let case = file::load(case_path)?;
        let base = AuditHead::of(&case);
        Ok((CaseGuard { lock: Some(lock), base, read_only: None }, case))
    }

    /// Saves `case` at `case_path`, unless it is open read-only or the file moved on since it
    /// was read or last saved (then nothing is written and the error says so); the guard then
    /// starts from what was saved.
    ///
    /// # Errors
    /// [`SaveError`].
    pub fn save(&mut self, case: &Case, case_path: &Path) -> Result<(), SaveError> {
        if let Some(why) = &self.read_only {
            return Err(SaveError::ReadOnly(why.clone()));
        }
        file::save_checked(case, case_path, &self.base)?;
        self.base = AuditHead::of(case);
        Ok(())
    }

    /// Takes over `old`'s lock when this guard has none and both are for the same case file:
    /// the window reopening the case it has open (its own lock made the new one read-only).
    pub fn inherit(&mut self, old: &mut CaseGuard, same_file: bool) {
        if self.lock.is_none() && same_file && old.lock.is_some() {
            self.lock = old.lock.take();
            self.read_only = None;
        }
    }

    /// Whether this guard holds the case's lock.
    #[must_use]
    pub fn holds_lock(&self) -> bool {
        self.lock.is_some()
    }
}

/// Why a case opened read-only, in the few words a notice has room for (the lock error's own
/// message repeats the path and advises opening read-only, which the window already did).
fn read_only_reason(e: &LockError) -> String {
    match e {
        LockError::Held { holder, .. } => format!("it is being changed by {holder}"),
        other => other.to_string(),
    }
}
