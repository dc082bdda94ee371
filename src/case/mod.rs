//! The case: everything an investigator did, saved as a RON file.
//!
//! A case holds what is on the graph (nodes with their view state, the ledger transfers shown,
//! aggregate "+N more" nodes), the investigator's own work (entities, labels, notes, hops) and
//! the hash-chained audit log of every command. It is bound to the ledger content it was built
//! on by a fingerprint of the ledger's import batches. The graph itself is derived from the
//! case and the ledger (see [`crate::graph`]). Collections are `BTreeMap`s: saved files are
//! deterministic.

pub mod audit;
pub mod command;
pub mod file;
pub mod lock;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use audit::{AuditEntry, AuditError};
pub use command::Command;

use crate::ledger::{Direction, Filter, LedgerSource};
use crate::model::{Category, Hop};

/// Version of the case file format this build writes.
pub const CASE_FORMAT: u32 = 1;

/// A node of the investigation graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NodeKey {
    /// An address on a chain.
    Address {
        /// Chain id.
        chain: String,
        /// Normalised address.
        address: String,
    },
    /// A UTXO transaction, between its input and output addresses.
    Tx {
        /// Chain id.
        chain: String,
        /// Transaction hash.
        hash: String,
    },
    /// A "+N more" node folding the transfers an expansion did not show.
    Aggregate(u64),
}

impl NodeKey {
    /// An address node.
    pub fn address(chain: impl Into<String>, address: impl Into<String>) -> Self {
        NodeKey::Address { chain: chain.into(), address: address.into() }
    }

    /// Short text for lists and messages: `ethereum:0xabc…`, `bitcoin tx 4a5e…`, `+N #3`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            NodeKey::Address { chain, address } => format!("{chain}:{address}"),
            NodeKey::Tx { chain, hash } => format!("{chain} tx {hash}"),
            NodeKey::Aggregate(id) => format!("aggregate #{id}"),
        }
    }
}

/// How a node is shown. Positions belong to the view but are saved so a case reopens as left.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    /// Canvas position, once placed.
    pub position: Option<(f32, f32)>,
    /// Kept where it is by layouts.
    pub pinned: bool,
    /// Not drawn (still in the case and its exports).
    pub hidden: bool,
    /// Entity (group) this node belongs to.
    pub entity: Option<String>,
}

/// Which side(s) of a node to expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpandDirection {
    /// Received transfers.
    In,
    /// Sent transfers.
    Out,
    /// Both.
    Both,
}

impl ExpandDirection {
    /// The ledger directions this covers.
    #[must_use]
    pub fn directions(self) -> &'static [Direction] {
        match self {
            Self::In => &[Direction::In],
            Self::Out => &[Direction::Out],
            Self::Both => &[Direction::In, Direction::Out],
        }
    }
}

/// The saved form of an expansion filter (see [`Filter`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFilter {
    /// From this time (UTC seconds).
    pub from_time: Option<i64>,
    /// Until this time.
    pub to_time: Option<i64>,
    /// At least this many display units.
    pub min_value: Option<String>,
    /// Only these assets.
    pub assets: Vec<String>,
    /// Keep the N highest-value transfers, fold the rest.
    pub top: Option<usize>,
}

/// A field of an expansion filter as typed (the window's Expand dialog, `hoptrace expand`'s
/// options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    /// The minimum value in display units.
    MinValue,
    /// From this time.
    From,
    /// Until this time.
    To,
    /// Keep the N highest-value transfers.
    Top,
}

/// A filter field that does not read; the caller names the field its own way ("From", "--from").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    /// Which field.
    pub field: FilterField,
    /// What was found and what was expected.
    pub message: String,
}

/// An expansion filter as typed: empty (or absent) fields set no limit.
#[derive(Debug, Clone, Default)]
pub struct FilterText<'a> {
    /// At least this many display units (`0.5`, `100`).
    pub min_value: Option<&'a str>,
    /// From this time (any form [`crate::import::time::parse_time`] reads; month first).
    pub from: Option<&'a str>,
    /// Until this time.
    pub to: Option<&'a str>,
    /// Only these assets.
    pub assets: Vec<String>,
    /// Keep the N highest-value transfers (a whole number).
    pub top: Option<&'a str>,
}

impl FilterText<'_> {
    /// The filter, or the first field that does not read.
    ///
    /// # Errors
    /// [`FilterError`] naming the field.
    pub fn parse(&self) -> Result<CaseFilter, FilterError> {
        let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let time = |field, v: Option<&str>| {
            given(v)
                .map(|t| {
                    crate::import::time::parse_time(&t, crate::import::DateOrder::MonthFirst)
                        .map_err(|message| FilterError { field, message })
                })
                .transpose()
        };
        let min_value = given(self.min_value);
        if let Some(v) = &min_value {
            // Any number of decimals reads (the ledger rounds up to each asset's decimals).
            match crate::model::Amount::parse_decimal(v, 0) {
                Ok(_) | Err(crate::model::AmountError::TooPrecise { .. }) => {}
                Err(e) => {
                    return Err(FilterError {
                        field: FilterField::MinValue,
                        message: format!("{e}: expected a number of display units such as 0.5 or 100"),
                    });
                }
            }
        }
        let top = given(self.top)
            .map(|t| {
                t.parse::<usize>().map_err(|_| FilterError {
                    field: FilterField::Top,
                    message: format!("{t:?} is not a whole number"),
                })
            })
            .transpose()?;
        Ok(CaseFilter {
            from_time: time(FilterField::From, self.from)?,
            to_time: time(FilterField::To, self.to)?,
            min_value,
            assets: self.assets.iter().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect(),
            top,
        })
    }
}

impl CaseFilter {
    /// The ledger filter for a node of `chain`.
    #[must_use]
    pub fn to_ledger(&self, chain: &str) -> Filter {
        Filter {
            from_time: self.from_time,
            to_time: self.to_time,
            min_value: self.min_value.clone(),
            assets: self.assets.clone(),
            chains: vec![chain.to_owned()],
            top: self.top,
            include_failed: false,
            exclude: std::collections::HashSet::new(),
        }
    }
}

/// A "+N more" node: what an expansion folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    /// The node that was expanded.
    pub anchor: NodeKey,
    /// Which side was folded.
    pub direction: Direction,
    /// The filter of the expansion.
    pub filter: CaseFilter,
    /// Transfers folded (at least, when `lower_bound`).
    pub count: u64,
    /// Distinct counterparties among them.
    pub counterparties: u64,
    /// Exact sum per (chain, asset) in base units (a decimal string in the case file).
    pub totals: BTreeMap<(String, String), crate::model::Total>,
    /// Earliest time.
    pub first_time: Option<i64>,
    /// Latest time.
    pub last_time: Option<i64>,
    /// The scan stopped at the ledger's cap: there are at least `count`.
    pub lower_bound: bool,
}

/// A group of nodes the investigator believes one party controls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Why: common-input ownership, deposit address reuse, …
    pub rationale: String,
}

/// A label the investigator attached (kept apart from imported labels).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLabel {
    /// The node labelled.
    pub node: NodeKey,
    /// Entity name or label text.
    pub entity: String,
    /// Category.
    pub category: Category,
    /// Where the attribution comes from.
    pub source: String,
    /// Who added it.
    pub author: String,
    /// When (UTC seconds).
    pub time: i64,
}

/// What a note is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NoteTarget {
    /// The case as a whole.
    Case,
    /// A node.
    Node(NodeKey),
    /// A ledger transfer.
    Transfer(i64),
    /// A hop.
    Hop(u64),
}

/// A note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// What it is about.
    pub target: NoteTarget,
    /// The text.
    pub text: String,
    /// Who wrote it.
    pub author: String,
    /// When (UTC seconds).
    pub time: i64,
}

/// The ledger a case was built on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRef {
    /// Path of the ledger file, relative to the case file's folder when it is inside it.
    pub path: String,
    /// Fingerprint of the ledger content (see [`crate::ledger::Ledger::fingerprint`]).
    pub fingerprint: String,
}

/// A case file's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// File format version ([`CASE_FORMAT`]).
    pub format: u32,
    /// Stable identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// Investigator (author of the commands).
    pub investigator: String,
    /// Created (UTC seconds).
    pub created: i64,
    /// Last changed (UTC seconds).
    pub modified: i64,
    /// The ledger it is bound to.
    pub ledger: LedgerRef,
    /// Where the investigation starts (stolen-funds addresses).
    pub seeds: Vec<NodeKey>,
    /// Nodes on the graph and how they are shown.
    pub nodes: BTreeMap<NodeKey, NodeView>,
    /// Ledger transfer ids on the graph.
    pub transfers: BTreeSet<i64>,
    /// "+N more" nodes by id.
    pub aggregates: BTreeMap<u64, Aggregate>,
    /// Entities (groups) by name.
    pub entities: BTreeMap<String, Entity>,
    /// The investigator's labels by id.
    pub labels: BTreeMap<u64, CaseLabel>,
    /// Notes by id.
    pub notes: BTreeMap<u64, Note>,
    /// Hops by id.
    pub hops: BTreeMap<u64, Hop>,
    /// Next id for aggregates, labels, notes and hops.
    pub next_id: u64,
    /// Every command applied, hash-chained.
    pub audit: Vec<AuditEntry>,
}

/// The part of a case that commands change, borrowed for hashing.
#[derive(Serialize)]
struct Content<'a> {
    id: &'a str,
    title: &'a str,
    ledger: &'a LedgerRef,
    seeds: &'a [NodeKey],
    nodes: &'a BTreeMap<NodeKey, NodeView>,
    transfers: &'a BTreeSet<i64>,
    aggregates: &'a BTreeMap<u64, Aggregate>,
    entities: &'a BTreeMap<String, Entity>,
    labels: &'a BTreeMap<u64, CaseLabel>,
    notes: &'a BTreeMap<u64, Note>,
    hops: &'a BTreeMap<u64, Hop>,
    next_id: u64,
}

impl Case {
    /// SHA-256 (hex) of the content commands change: everything but the audit log, the
    /// modification time and the investigator's name. The audit log records it after every
    /// command.
    ///
    /// # Errors
    /// The content could not be serialised (its hash would not stand for it).
    pub fn content_hash(&self) -> Result<String, audit::HashInputError> {
        use sha2::{Digest, Sha256};
        let content = Content {
            id: &self.id,
            title: &self.title,
            ledger: &self.ledger,
            seeds: &self.seeds,
            nodes: &self.nodes,
            transfers: &self.transfers,
            aggregates: &self.aggregates,
            entities: &self.entities,
            labels: &self.labels,
            notes: &self.notes,
            hops: &self.hops,
            next_id: self.next_id,
        };
        let text = ron::to_string(&content).map_err(|e| audit::HashInputError::new("the case content", e))?;
        Ok(hex::encode(Sha256::digest(text.as_bytes())))
    }

    /// Checks the audit log's chain and that the case is in the state it last recorded.
    ///
    /// # Errors
    /// The first [`AuditError`].
    pub fn verify_audit(&self) -> Result<(), AuditError> {
        if self.audit.is_empty() && !self.is_blank() {
            return Err(AuditError::State { seq: 0 });
        }
        audit::verify(&self.audit, &self.content_hash()?)
    }

    /// The ledger file of this case saved at `case_file`: its recorded path, resolved against
    /// the case file's folder when relative.
    #[must_use]
    pub fn ledger_path(&self, case_file: &std::path::Path) -> std::path::PathBuf {
        let p = std::path::PathBuf::from(&self.ledger.path);
        if p.is_absolute() { p } else { case_file.parent().unwrap_or_else(|| std::path::Path::new(".")).join(p) }
    }

    /// The ledger of this case saved at `case_file`, to open (see [`LedgerSource::resolve`]).
    #[must_use]
    pub fn ledger_source(&self, case_file: &std::path::Path) -> LedgerSource {
        LedgerSource::resolve(&self.ledger.path, case_file.parent().unwrap_or_else(|| std::path::Path::new(".")))
    }

    /// True when no command has changed the case yet (nothing on it).
    #[must_use]
    pub fn is_blank(&self) -> bool {
        self.seeds.is_empty()
            && self.nodes.is_empty()
            && self.transfers.is_empty()
            && self.aggregates.is_empty()
            && self.entities.is_empty()
            && self.labels.is_empty()
            && self.notes.is_empty()
            && self.hops.is_empty()
            && self.next_id == 1
    }

    /// An empty case bound to a ledger.
    #[must_use]
    pub fn new(id: String, title: String, investigator: String, now: i64, ledger: LedgerRef) -> Self {
        Case {
            format: CASE_FORMAT,
            id,
            title,
            investigator,
            created: now,
            modified: now,
            ledger,
            seeds: Vec::new(),
            nodes: BTreeMap::new(),
            transfers: BTreeSet::new(),
            aggregates: BTreeMap::new(),
            entities: BTreeMap::new(),
            labels: BTreeMap::new(),
            notes: BTreeMap::new(),
            hops: BTreeMap::new(),
            next_id: 1,
            audit: Vec::new(),
        }
    }
}
