//! The audit log: every applied command, in order, each entry carrying the SHA-256 of the one
//! before it, so an edited, removed, inserted or reordered entry breaks the chain.
//!
//! Each entry also records `state`, the SHA-256 of the case content after the command (see
//! [`crate::case::Case::content_hash`]): removing the last entries, or editing the case
//! without a command, leaves a case that does not match its log. An entry's hash is the SHA-256
//! of the canonical JSON of `[seq, time, investigator, command, state, prev_hash]`; the first
//! entry's `prev_hash` is 64 zeros. Someone rewriting the whole file can recompute everything:
//! the head hash is what an evidence package or a report anchors.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Command;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One applied command (a case's [`Command`], or another log's action, such as a review's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry<C = Command> {
    /// 1, 2, 3, … in order.
    pub seq: u64,
    /// When it was applied (UTC seconds).
    pub time: i64,
    /// Who applied it.
    pub investigator: String,
    /// What was applied.
    pub command: C,
    /// Hash of the case content after it was applied.
    pub state: String,
    /// Hash of the previous entry ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

/// A hashed input (an audit entry, the case content) that could not be serialised: its hash
/// would not stand for it, so nothing is recorded or verified with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot serialise {what} to hash it: {reason}")]
pub struct HashInputError {
    /// What was to be hashed.
    pub what: &'static str,
    /// The serialiser's reason.
    pub reason: String,
}

impl HashInputError {
    /// The error of serialising `what`.
    pub fn new(what: &'static str, reason: impl std::fmt::Display) -> Self {
        HashInputError { what, reason: reason.to_string() }
    }
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// Entry numbers are not 1, 2, 3, …: an entry was removed, inserted or moved.
    #[error(
        "audit entry {index}: sequence number {found}, expected {expected} (an entry was removed, inserted or moved)"
    )]
    Sequence {
        /// Position in the log (1-based).
        index: usize,
        /// The number found.
        found: u64,
        /// The number expected there.
        expected: u64,
    },
    /// `prev_hash` does not match the previous entry's hash.
    #[error("audit entry {seq}: does not follow entry {}: its prev_hash is not that entry's hash", seq - 1)]
    Link {
        /// The entry.
        seq: u64,
    },
    /// The entry's content does not match its hash: it was edited.
    #[error("audit entry {seq} was changed after it was written: its content does not match its hash")]
    Content {
        /// The entry.
        seq: u64,
    },
    /// The case is not in the state the last entry recorded: entries were removed from the end,
    /// or the case was edited outside hoptrace.
    #[error(
        "the case does not match its audit log: it is not in the state the last entry ({seq}) recorded \
         (entries removed from the end, or the case edited outside hoptrace)"
    )]
    State {
        /// The last entry (0 for an empty log).
        seq: u64,
    },
    /// An entry or the case content could not be serialised to check its hash.
    #[error(transparent)]
    Unhashable(#[from] HashInputError),
}

/// The hash of an entry with these fields.
///
/// # Errors
/// The fields could not be serialised (a command with a value JSON cannot hold).
pub fn entry_hash<C: Serialize>(
    seq: u64,
    time: i64,
    investigator: &str,
    command: &C,
    state: &str,
    prev_hash: &str,
) -> Result<String, HashInputError> {
    let canonical = serde_json::to_string(&(seq, time, investigator, command, state, prev_hash))
        .map_err(|e| HashInputError::new("an audit entry", e))?;
    Ok(hex::encode(Sha256::digest(canonical.as_bytes())))
}

/// The entry that would follow `log` for `command`, after which the content hashes to `state`.
///
/// # Errors
/// The entry could not be serialised to hash it.
pub fn next_entry<C: Serialize>(
    log: &[AuditEntry<C>],
    time: i64,
    investigator: &str,
    command: C,
    state: String,
) -> Result<AuditEntry<C>, HashInputError> {
    let seq = log.len() as u64 + 1;
    let prev_hash = log.last().map_or_else(|| GENESIS.to_owned(), |e| e.hash.clone());
    let hash = entry_hash(seq, time, investigator, &command, &state, &prev_hash)?;
    Ok(AuditEntry { seq, time, investigator: investigator.to_owned(), command, state, prev_hash, hash })
}

/// Appends an entry for `command`, after which the content hashes to `state`.
///
/// # Errors
/// The entry could not be serialised to hash it; the log is unchanged.
pub fn append<C: Serialize>(
    log: &mut Vec<AuditEntry<C>>,
    time: i64,
    investigator: &str,
    command: C,
    state: String,
) -> Result<(), HashInputError> {
    let entry = next_entry(log, time, investigator, command, state)?;
    log.push(entry);
    Ok(())
}

/// Checks the whole chain, and that the case content (hashing to `current_state`) is the state
/// the last entry recorded (`None` for an empty log: the caller checks the case is new).
///
/// # Errors
/// The first [`AuditError`] found, in log order.
pub fn verify<C: Serialize>(log: &[AuditEntry<C>], current_state: &str) -> Result<(), AuditError> {
    let mut prev = GENESIS;
    for (i, e) in log.iter().enumerate() {
        let expected = i as u64 + 1;
        if e.seq != expected {
            return Err(AuditError::Sequence { index: i + 1, found: e.seq, expected });
        }
        if e.prev_hash != prev {
            return Err(AuditError::Link { seq: e.seq });
        }
        if entry_hash(e.seq, e.time, &e.investigator, &e.command, &e.state, &e.prev_hash)? != e.hash {
            return Err(AuditError::Content { seq: e.seq });
        }
        prev = &e.hash;
    }
    match log.last() {
        Some(last) if last.state != current_state => Err(AuditError::State { seq: last.seq }),
        _ => Ok(()),
    }
}
