//! Value tracing: how much of the seeds' value reached each endpoint, by poison, haircut or
//! FIFO taint, over up to N hops of the ledger.
//!
//! # Model
//! Value moves between *nodes*: addresses (per chain) and, on UTXO chains, transactions (an
//! input takes value from an address into its transaction, an output pays it on; what the
//! inputs hold beyond the outputs is the miner fee, an endpoint of its own). Each node keeps
//! a *tainted balance* per asset; its transfers are replayed in time order (within one
//! second: received before sent, then by ledger id), from its first transfer, so value it
//! held before the taint arrived counts as clean.
//!
//! - **Haircut**: a transfer out carries `tainted × sent ÷ balance` of the taint (rounded
//!   down; the unit fractions stay with the node and leave with the transfer that empties
//!   it, which takes exactly what is left). A node spending more than the ledger shows it
//!   received spends its whole known balance.
//! - **FIFO**: received amounts queue up as clean or tainted lots by time; a transfer out
//!   takes from the front of the queue, and carries the tainted part of what it took.
//! - **Poison**: every transfer out of a node after taint reached it is tainted in full
//!   (`exposure`, which can exceed the seeds: that is poison's point). The seeds' value itself
//!   moves *taint first* (a transfer carries `min(sent, tainted balance)`), so the
//!   conservation check holds for poison too.
//!
//! Fees paid on account chains (gas) are not transfers in the ledger and are not traced: the
//! value that paid them stays with the node. On UTXO chains the miner fee is traced (above).
//!
//! Every method conserves exactly, per asset, in base units: the seeds' amount (plus what
//! annotated hops brought in) equals what reached endpoints plus what stays in nodes that
//! were traced (`AssetFlow::is_conserved`; a property test checks it on random graphs).
//!
//! # Where tracing stops (endpoints)
//! An address labelled as a service (exchange, mixer, bridge, DEX, OTC broker, other
//! service) by an imported label or the case, when `stop_at_services` (default); the hop
//! limit (a hop is one transaction; a node reached after `max_hops` keeps what reached it);
//! an address with no transfer out after the taint reached it; transfers after `until`; an
//! address with more than `node_cap` transfers a side (a super-node no label explains: it
//! is not replayed); a miner fee; a transfer with no recipient; an annotated hop.
//!
//! # Assets and annotated hops
//! Assets never mix: ETH taint stays ETH taint. Value changes asset (or chain) only across
//! the hops the case annotated ([`TaintOptions::hops`]): taint reaching one of a hop's
//! inbound transfers ends there (endpoint *annotated hop*) and the same share of the hop's
//! outbound transfers is tainted in their own assets (`tainted ÷ inbound total of that
//! asset`, split over the outbound transfers by largest remainder; with several inbound
//! assets, each asset stands for an equal part of the outbound). That share is counted as
//! `from_hops` of the outbound asset's flow, so each flow still conserves exactly. Hops may
//! overlap (suggestions): a crossing never moves more than the taint that entered it when the
//! outbound asset is the inbound one, and an outbound transfer never takes more, over every
//! crossing, than it moved; the rest stays counted at the hop's endpoint. So what comes out of
//! hops never exceeds what went in (a property test checks it with overlapping hops).
//!
//! # Cost
//! Each node reached is read once (two index range scans); events are processed in time
//! order through a binary heap: O((n + k) log k) for n transfers read and k tainted
//! transfers, memory O(n). Super-nodes are bounded by labels and `node_cap`.

mod arith;
mod engine;
mod hops;
#[cfg(test)]
mod proptests;
mod report;
mod seeds;
mod slot;
pub mod source;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::Serialize;

pub use arith::{mul_div, split_proportional};
pub use source::{MemoryLedger, TraceSource, ViaLedger};

use crate::case::NodeKey;
use crate::ledger::LedgerError;
use crate::model::{Amount, Category, Hop};

/// Errors of the analyses.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Nothing to start from.
    #[error("{0}")]
    NoSeeds(String),
    /// An argument cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// A sum of taint exceeds 2^256 − 1 base units.
    #[error("taint of {asset} on {chain} exceeds 2^256 - 1 base units")]
    Overflow {
        /// Chain id.
        chain: String,
        /// Asset key.
        asset: String,
    },
}

/// How taint is assigned to the transfers out of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Every transfer out after taint arrived is tainted in full; the seeds' value moves
    /// taint first.
    Poison,
    /// Transfers out carry taint in proportion to the node's tainted share.
    Haircut,
    /// First in, first out by time per node.
    Fifo,
}

impl Method {
    /// Lower-case name (`poison`, `haircut`, `fifo`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Poison => "poison",
            Self::Haircut => "haircut",
            Self::Fifo => "fifo",
        }
    }
}

/// Where taint starts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seed {
    /// Everything this address received from addresses that are not seeds themselves (at or
    /// after `TaintOptions::from_time`), tainted in full.
    Address {
        /// Chain id.
        chain: String,
        /// The address.
        address: String,
    },
    /// This ledger transfer, tainted in full, arriving at its recipient.
    Transfer(i64),
}

/// What to trace and how.
#[derive(Debug, Clone)]
pub struct TaintOptions {
    /// Poison, haircut or FIFO.
    pub method: Method,
    /// Follow at most this many hops (transactions) from a seed.
    pub max_hops: u32,
    /// Seed addresses count only what they received at or after this time.
    pub from_time: Option<i64>,
    /// Transfers after this time are not followed.
    pub until: Option<i64>,
    /// Stop at addresses labelled as services (exchange, mixer, bridge, DEX, OTC, service).
    pub stop_at_services: bool,
    /// An address with more transfers than this on a side is not replayed (endpoint `busy`).
    pub node_cap: usize,
    /// Annotated hops to cross (id, hop); rejected hops are ignored.
    pub hops: Vec<(u64, Hop)>,
    /// Labels from the case, beside the ledger's: (chain, address, entity, category).
    pub labels: Vec<(String, String, String, Category)>,
}

impl TaintOptions {
    /// `method` with the defaults: 6 hops, stop at services, node cap 100,000, no hops.
    #[must_use]
    pub fn new(method: Method) -> Self {
        TaintOptions {
            method,
            max_hops: 6,
            from_time: None,
            until: None,
            stop_at_services: true,
            node_cap: 100_000,
            hops: Vec::new(),
            labels: Vec::new(),
        }
    }
}

/// Why tracing stopped at an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum StopReason {
    /// An address labelled as a service.
    Service {
        /// The label's entity.
        entity: String,
        /// Its category.
        category: Category,
    },
    /// No transfer out after the taint arrived (unspent).
    NoOutgoing,
    /// Reached after the hop limit.
    HopLimit,
    /// Its transfers out are after `until`.
    TimeLimit,
    /// More transfers on a side than `node_cap`: not replayed.
    Busy,
    /// Paid to miners as a transaction fee.
    MinerFee,
    /// Sent by a transfer with no recipient.
    NoRecipient,
    /// Entered an annotated hop (and continued on its outbound transfers).
    AnnotatedHop {
        /// The hop's id in the case.
        id: u64,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service { entity, category } => write!(f, "service: {entity} ({})", category.name()),
            Self::NoOutgoing => write!(f, "no outgoing (unspent)"),
            Self::HopLimit => write!(f, "hop limit"),
            Self::TimeLimit => write!(f, "time limit"),
            Self::Busy => write!(f, "too many transfers (not replayed)"),
            Self::MinerFee => write!(f, "miner fee"),
            Self::NoRecipient => write!(f, "no recipient"),
            Self::AnnotatedHop { id } => write!(f, "annotated hop #{id}"),
        }
    }
}

/// Taint that reached an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The address (or, for a miner fee, the transaction).
    pub node: NodeKey,
    /// Why tracing stopped there.
    pub reason: StopReason,
    /// Tainted amount that reached it, in base units.
    pub amount: Amount,
    /// Full value of the tainted transfers that reached it (poison's figure).
    pub exposure: Amount,
    /// Fewest hops from a seed.
    pub hops: u32,
    /// Time the taint first reached it.
    pub first_time: Option<i64>,
    /// The tainted transfers into it (ledger ids, the first 50).
    pub transfers: Vec<i64>,
}

/// Taint still held by a node that was traced further (its remaining balance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holding {
    /// The node.
    pub node: NodeKey,
    /// Tainted amount it still holds, in base units.
    pub amount: Amount,
    /// Fewest hops from a seed.
    pub hops: u32,
}

/// The trace of one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetFlow {
    /// Chain id.
    pub chain: String,
    /// Asset key.
    pub asset: String,
    /// Tainted by the seeds, in base units.
    pub seeded: Amount,
    /// Brought in by annotated hops from other assets or transfers.
    pub from_hops: Amount,
    /// Where it stopped, largest amount first.
    pub endpoints: Vec<Endpoint>,
    /// What stays in traced nodes, largest first.
    pub remaining: Vec<Holding>,
    /// Sum of the endpoints' amounts.
    pub reached: Amount,
    /// Sum of the remaining holdings.
    pub stays: Amount,
}

impl AssetFlow {
    /// The conservation check: `seeded + from_hops == reached + stays`, exactly.
    #[must_use]
    pub fn is_conserved(&self) -> bool {
        self.seeded.checked_add(self.from_hops) == self.reached.checked_add(self.stays)
    }
}

/// The result of a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaintReport {
    /// The method used.
    pub method: Method,
    /// The hop limit.
    pub max_hops: u32,
    /// One flow per (chain, asset), sorted.
    pub flows: Vec<AssetFlow>,
    /// Ledger transfers read (nodes' histories, transactions, hops).
    pub transfers_read: u64,
    /// Transfers that carried taint (or poison).
    pub transfers_tainted: u64,
    /// Nodes whose history was read.
    pub nodes_read: u64,
}

/// Traces taint from `seeds` through `source` (see the module docs).
///
/// # Errors
/// [`AnalysisError::NoSeeds`] when the seeds taint nothing; a ledger failure; an overflow.
pub fn trace<S: TraceSource>(source: &S, seeds: &[Seed], options: &TaintOptions) -> Result<TaintReport, AnalysisError> {
    engine::Engine::new(source, options).run(seeds)
}

/// Whether a label category makes an address a service where tracing stops.
#[must_use]
pub fn is_service(category: Category) -> bool {
    matches!(
        category,
        Category::Exchange
            | Category::Mixer
            | Category::Bridge
            | Category::Dex
            | Category::OtcBroker
            | Category::Service
    )
}
