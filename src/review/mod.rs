//! Offline review of an evidence package: reviewers comment on nodes, edges (transfers) and
//! hops, apart from the investigator's case.
//!
//! A [`Review`] is bound to one package by the SHA-256 of its `manifest.json`, is kept in a
//! review file beside the package ([`file::review_path`]: `PKG.review.ron`, saved atomically
//! like a case file) and has its own hash-chained audit log, built with the case's
//! [`crate::case::audit`] functions: every [`ReviewAction`] is an entry, so an edited, removed
//! or reordered comment is detected. [`package::export_review`] writes a review package (zip)
//! for the investigator.

pub mod file;
pub mod package;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::case::{AuditEntry, AuditError, Case, NodeKey, audit};

/// Version of the review file format this build writes.
pub const REVIEW_FORMAT: u32 = 1;

/// What a comment is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewTarget {
    /// The package as a whole.
    Case,
    /// A node of the graph.
    Node(NodeKey),
    /// An edge, by one of its transfers (ledger id).
    Transfer(i64),
    /// A hop.
    Hop(u64),
}

/// Why a review target was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// A hop, transfer or aggregate id that is not a number.
    #[error("{what} {text:?}: expected a number")]
    NotANumber {
        /// `hop`, `transfer`, `aggregate`.
        what: &'static str,
        /// What was given.
        text: String,
    },
    /// Text that names no node of the case.
    #[error(
        "{0:?} is not a node of the case; targets are case, hop:ID, transfer:ID, node:CHAIN:ADDRESS, \
         tx:CHAIN:HASH, aggregate:ID or an address on the graph"
    )]
    NotOnGraph(String),
    /// An address on the graph on several chains.
    #[error("{text:?} is on the graph on several chains: say node:CHAIN:{address}")]
    SeveralChains {
        /// What was given.
        text: String,
        /// The address as the case has it.
        address: String,
    },
    /// A well-formed target the reviewed case does not have.
    #[error("{} is not in the reviewed case", .0.describe())]
    NotInCase(ReviewTarget),
}

impl ReviewTarget {
    /// Parses `case`, `hop:3`, `transfer:62` (or `edge:62`), `node:CHAIN:ADDRESS`,
    /// `tx:CHAIN:HASH`, `aggregate:5`, or a bare address of a node of `case`.
    ///
    /// # Errors
    /// [`TargetError`]: what was expected, or that the target is not in the case.
    pub fn parse(text: &str, case: &Case) -> Result<Self, TargetError> {
        let t = text.trim();
        let number = |s: &str, what: &'static str| {
            s.trim().parse::<u64>().map_err(|_| TargetError::NotANumber { what, text: s.to_owned() })
        };
        let target = if t == "case" {
            ReviewTarget::Case
        } else if let Some(rest) = t.strip_prefix("hop:") {
            ReviewTarget::Hop(number(rest, "hop")?)
        } else if let Some(rest) = t.strip_prefix("transfer:").or_else(|| t.strip_prefix("edge:")) {
            ReviewTarget::Transfer(
                rest.trim()
                    .parse::<i64>()
                    .map_err(|_| TargetError::NotANumber { what: "transfer", text: rest.to_owned() })?,
            )
        } else if let Some(rest) = t.strip_prefix("aggregate:") {
            ReviewTarget::Node(NodeKey::Aggregate(number(rest, "aggregate")?))
        } else if let Some((chain, hash)) = t.strip_prefix("tx:").and_then(|r| r.split_once(':')) {
            ReviewTarget::Node(NodeKey::Tx { chain: chain.to_owned(), hash: hash.to_owned() })
        } else if let Some((chain, address)) = t.strip_prefix("node:").and_then(|r| r.split_once(':')) {
            ReviewTarget::Node(NodeKey::address(chain, crate::ledger::canonical_address(address)))
        } else {
            let address = crate::ledger::canonical_address(t);
            let found: Vec<&NodeKey> = case
                .nodes
                .keys()
                .filter(|k| matches!(k, NodeKey::Address { address: a, .. } if *a == address))
                .collect();
            match found.as_slice() {
                [one] => ReviewTarget::Node((*one).clone()),
                [] => return Err(TargetError::NotOnGraph(t.to_owned())),
                _ => return Err(TargetError::SeveralChains { text: t.to_owned(), address }),
            }
        };
        target.check(case)?;
        Ok(target)
    }

    /// Checks the target exists in `case`.
    ///
    /// # Errors
    /// [`TargetError::NotInCase`].
    pub fn check(&self, case: &Case) -> Result<(), TargetError> {
        let ok = match self {
            ReviewTarget::Case => true,
            ReviewTarget::Node(k) => case.nodes.contains_key(k),
            ReviewTarget::Transfer(id) => case.transfers.contains(id),
            ReviewTarget::Hop(id) => case.hops.contains_key(id),
        };
        if ok { Ok(()) } else { Err(TargetError::NotInCase(self.clone())) }
    }

    /// Short text: `case`, `hop 3`, `transfer 62`, `node ethereum:0x…`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            ReviewTarget::Case => "case".to_owned(),
            ReviewTarget::Node(k) => format!("node {}", k.describe()),
            ReviewTarget::Transfer(id) => format!("transfer {id}"),
            ReviewTarget::Hop(id) => format!("hop {id}"),
        }
    }
}

/// A reviewer's comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// What it is about.
    pub target: ReviewTarget,
    /// The text.
    pub text: String,
    /// Who wrote it.
    pub reviewer: String,
    /// When (UTC seconds).
    pub time: i64,
}

/// Everything a reviewer does, as a value (the window and the CLI emit these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// Add a comment.
    Comment {
        /// What about.
        target: ReviewTarget,
        /// The text.
        text: String,
    },
    /// Withdraw a comment (the audit log keeps it).
    Withdraw {
        /// Comment id.
        id: u64,
    },
}

/// Why a review action or file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The action does not apply (an empty comment, an unknown comment).
    #[error("{0}")]
    Invalid(String),
    /// The comment's target is not in the reviewed case.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The review's audit chain is broken.
    #[error("the review's audit log is broken: {0}")]
    Audit(#[from] AuditError),
    /// An action's audit entry could not be hashed; the action was not applied.
    #[error("the comment was not recorded: {0}")]
    Unhashable(audit::HashInputError),
    /// The review belongs to another package.
    #[error(
        "the review file is for the package whose manifest has SHA-256 {review}, not this one ({package}): \
         the package was re-exported or changed"
    )]
    OtherPackage {
        /// Manifest hash in the review.
        review: String,
        /// Manifest hash of the package.
        package: String,
    },
    /// The review file could not be read or written.
    #[error(transparent)]
    File(#[from] crate::case::file::CaseFileError),
    /// The review file is malformed.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// Where and what.
        message: String,
    },
    /// The package could not be read or written.
    #[error(transparent)]
    Package(#[from] crate::package::PackageError),
    /// Writing the review package failed.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
}

/// A review of one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// [`REVIEW_FORMAT`].
    pub format: u32,
    /// SHA-256 of the reviewed package's `manifest.json`.
    pub package_manifest_sha256: String,
    /// The reviewed case's id.
    pub case_id: String,
    /// Comments by id (withdrawn ones removed).
    pub comments: BTreeMap<u64, Comment>,
    /// Next comment id.
    pub next_id: u64,
    /// Every action, hash-chained.
    pub audit: Vec<AuditEntry<ReviewAction>>,
}

#[derive(Serialize)]
struct Content<'a> {
    package_manifest_sha256: &'a str,
    case_id: &'a str,
    comments: &'a BTreeMap<u64, Comment>,
    next_id: u64,
}

impl Review {
    /// An empty review of the package whose manifest hashes to `manifest_sha256`.
    #[must_use]
    pub fn new(manifest_sha256: String, case_id: String) -> Self {
        Review {
            format: REVIEW_FORMAT,
            package_manifest_sha256: manifest_sha256,
            case_id,
            comments: BTreeMap::new(),
            next_id: 1,
            audit: Vec::new(),
        }
    }

    /// SHA-256 (hex) of everything but the audit log.
    ///
    /// # Errors
    /// The content could not be serialised (its hash would not stand for it).
    pub fn content_hash(&self) -> Result<String, audit::HashInputError> {
        let c = Content {
            package_manifest_sha256: &self.package_manifest_sha256,
            case_id: &self.case_id,
            comments: &self.comments,
            next_id: self.next_id,
        };
        let text = serde_json::to_string(&c).map_err(|e| audit::HashInputError::new("the review content", e))?;
        Ok(hex::encode(Sha256::digest(text.as_bytes())))
    }

    /// Applies `action` by `reviewer` at `now` against the reviewed `case`, with an audit entry.
    /// Returns the id of a new comment.
    ///
    /// # Errors
    /// [`ReviewError::Invalid`] for a target not in the case or an unknown comment,
    /// [`ReviewError::Unhashable`] when the entry cannot be hashed; the review is unchanged then.
    pub fn apply(&mut self, action: ReviewAction, reviewer: &str, now: i64, case: &Case) -> Result<u64, ReviewError> {
        let (id, withdrawn) = match &action {
            ReviewAction::Comment { target, text } => {
                target.check(case)?;
                if text.trim().is_empty() {
                    return Err(ReviewError::Invalid("an empty comment".to_owned()));
                }
                let id = self.next_id;
                self.comments.insert(
                    id,
                    Comment { target: target.clone(), text: text.clone(), reviewer: reviewer.to_owned(), time: now },
                );
                self.next_id += 1;
                (id, None)
            }
            ReviewAction::Withdraw { id } => {
                let comment =
                    self.comments.remove(id).ok_or_else(|| ReviewError::Invalid(format!("no comment {id}")))?;
                (*id, Some(comment))
            }
        };
        let sealed = self.content_hash().and_then(|state| audit::next_entry(&self.audit, now, reviewer, action, state));
        match sealed {
            Ok(entry) => {
                self.audit.push(entry);
                Ok(id)
            }
            Err(e) => {
                match withdrawn {
                    Some(comment) => {
                        self.comments.insert(id, comment);
                    }
                    None => {
                        self.comments.remove(&id);
                        self.next_id = id;
                    }
                }
                Err(ReviewError::Unhashable(e))
            }
        }
    }

    /// Checks the audit chain and that the review is in the state its last entry recorded.
    ///
    /// # Errors
    /// The first [`AuditError`].
    pub fn verify_audit(&self) -> Result<(), AuditError> {
        if self.audit.is_empty() && (!self.comments.is_empty() || self.next_id != 1) {
            return Err(AuditError::State { seq: 0 });
        }
        audit::verify(&self.audit, &self.content_hash()?)
    }

    /// Comments about `target`, by id.
    pub fn comments_on<'a>(&'a self, target: &'a ReviewTarget) -> impl Iterator<Item = (&'a u64, &'a Comment)> + 'a {
        self.comments.iter().filter(move |(_, c)| c.target == *target)
    }
}
