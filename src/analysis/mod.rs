//! Analysis over the ledger: value tracing (poison, haircut and FIFO taint, [`taint`]), peel-chain
//! following ([`peel`]) and paths between addresses ([`paths`]); and hop finders: given a case,
//! suggest the other side of a mixer, CoinJoin, custodial mixer, bridge or swap, or the same
//! address on another chain. Every suggestion is a [`Candidate`] with a score (0–100), a rationale
//! that states its numbers (amounts in display units, delays in hours, fees in basis points,
//! counts) and the numbers as features; it becomes a hop with status *suggested*
//! ([`Candidate::to_hop`]) that the investigator accepts or rejects (`Command::AcceptHop` /
//! `Command::RejectHop`, audited).
//!
//! Finders read the ledger through [`FlowLedger`] and start from [`Start`]: the case's seeds,
//! its address nodes and the recipients of its accepted hops (or one address, or one hop's
//! outbound side). [`trace::reach`] follows value forward from there to the first labelled
//! service, which gives each finder the case's deposits into pools, mixers and bridges.
//!
//! Matching is sort + sweep ([`sweep`]): both sides sorted by (bucket, time), then two
//! pointers give each deposit its window of candidate withdrawals in O(n + m) after the
//! O(n log n + m log m) sorts; per-candidate scoring is O(1) with precomputed counts. Choosing
//! one withdrawal per deposit is greedy by score over all pairs (O(p log p) for p pairs).

pub mod bridge;
pub mod candidate;
pub mod coinjoin;
pub mod custodial;
pub mod links;
pub mod mixer;
pub mod multichain;
pub mod paths;
pub mod peel;
pub mod quality;
pub mod rate;
pub mod sweep;
pub mod taint;
pub mod trace;

use std::collections::{BTreeMap, BTreeSet};

pub use candidate::Candidate;
use serde::Serialize;

use crate::case::{Case, NodeKey};
use crate::ledger::{FlowLedger, LedgerError, canonical_address};
use crate::model::{HopStatus, Label};

/// Which finder (also the command line's `--finder` values, named as [`FinderKind::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum FinderKind {
    /// Fixed-denomination pools (Tornado style).
    Pool,
    /// CoinJoin transactions (many equal outputs).
    #[value(name = "coinjoin")]
    CoinJoin,
    /// Custodial mixers (deposit address, payouts minus a fee).
    Custodial,
    /// Bridges and swaps.
    Bridge,
    /// The same EVM address on several chains.
    #[value(name = "multichain")]
    MultiChain,
}

impl FinderKind {
    /// Every finder.
    pub const ALL: [FinderKind; 5] = [Self::Pool, Self::CoinJoin, Self::Custodial, Self::Bridge, Self::MultiChain];

    /// Short name (`pool`, `coinjoin`, `custodial`, `bridge`, `multichain`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Pool => "pool",
            Self::CoinJoin => "coinjoin",
            Self::Custodial => "custodial",
            Self::Bridge => "bridge",
            Self::MultiChain => "multichain",
        }
    }

    /// The author of its suggestions (`pool finder`).
    #[must_use]
    pub fn author(self) -> String {
        format!("{} finder", self.name())
    }

    /// Parses [`FinderKind::name`].
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == text.trim().to_ascii_lowercase())
    }
}

/// Why a finder could not run.
#[derive(Debug, thiserror::Error)]
pub enum FinderError {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A setting or starting point does not make sense.
    #[error("{0}")]
    Invalid(String),
}

/// What the finders may assume; every field has a documented default ([`Settings::default`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Longest delay from deposit to withdrawal/payout/release, in hours; `None` takes the
    /// finder's default (pool 720, custodial 48, bridge 48, multichain 720).
    pub window_hours: Option<u32>,
    /// Highest relayer fee of a pool withdrawal, in bps of the denomination (default 500).
    pub max_relayer_fee_bps: u32,
    /// Fee range of a custodial mixer, in bps (default 50–500).
    pub custodial_fee_bps: (u32, u32),
    /// Most payouts one custodial deposit is split into (default 3).
    pub max_payouts: usize,
    /// Highest bridge or swap fee, in bps (default 300).
    pub max_bridge_fee_bps: u32,
    /// How far a bridge's amount may stray from the rate, in bps (default 150).
    pub rate_tolerance_bps: u32,
    /// Exchange rates given by the investigator: (`ETH`, `BTC`) → units of BTC per ETH as a
    /// decimal string (`"0.0685"`). Families: see [`rate::family`].
    pub rates: BTreeMap<(String, String), String>,
    /// Pool contracts given explicitly: (chain, address).
    pub pools: BTreeSet<(String, String)>,
    /// Custodial mixer addresses given explicitly: (chain, address).
    pub services: BTreeSet<(String, String)>,
    /// Addresses the case labels as mixers: treated as mixer-labelled (a pool still has to
    /// show one denomination).
    pub mixers: BTreeSet<(String, String)>,
    /// Hops followed forward from the case to the first labelled service (default 3).
    pub trace_depth: usize,
    /// Candidates kept per deposit / subject (default 3).
    pub per_subject: usize,
    /// Candidates under this score are dropped (default 30).
    pub min_score: u8,
    /// Equal outputs that make a CoinJoin (default 5).
    pub min_equal_outputs: u64,
    /// CoinJoin: scan every UTXO transaction of the ledger, not only the case's.
    pub scan_all: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            window_hours: None,
            max_relayer_fee_bps: 500,
            custodial_fee_bps: (50, 500),
            max_payouts: 3,
            max_bridge_fee_bps: 300,
            rate_tolerance_bps: 150,
            rates: BTreeMap::new(),
            pools: BTreeSet::new(),
            services: BTreeSet::new(),
            mixers: BTreeSet::new(),
            trace_depth: 3,
            per_subject: 3,
            min_score: 30,
            min_equal_outputs: 5,
            scan_all: false,
        }
    }
}

impl Settings {
    /// The window in seconds: the setting, else `default_hours`.
    #[must_use]
    pub fn window_seconds(&self, default_hours: u32) -> i64 {
        i64::from(self.window_hours.unwrap_or(default_hours)) * 3600
    }
}

/// Where the finders start: (chain, address) pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Start {
    /// The addresses.
    pub addresses: BTreeSet<(String, String)>,
    /// Accepted hops of the case (for rates and context).
    pub accepted: Vec<crate::model::Hop>,
}

impl Start {
    /// The case's seeds, its address nodes and the recipients of its accepted hops. Addresses
    /// on the graph only through suggested or rejected hops are left out (a suggestion does
    /// not widen the search until it is accepted).
    ///
    /// # Errors
    /// A ledger failure reading the hops' transfers.
    pub fn from_case<L: FlowLedger>(ledger: &L, case: &Case) -> Result<Self, FinderError> {
        let pending: BTreeSet<i64> = case
            .hops
            .values()
            .filter(|h| h.status != HopStatus::Accepted)
            .flat_map(|h| h.inbound.iter().chain(&h.outbound).copied())
            .collect();
        let mut only_pending: BTreeSet<(String, String)> = BTreeSet::new();
        let mut elsewhere: BTreeSet<(String, String)> = BTreeSet::new();
        let ids: Vec<i64> = case.transfers.iter().copied().collect();
        for row in ledger.transfers_by_id(&ids)? {
            let set = if pending.contains(&row.id) { &mut only_pending } else { &mut elsewhere };
            for a in [&row.transfer.from, &row.transfer.to].into_iter().flatten() {
                set.insert((row.transfer.chain.clone(), a.clone()));
            }
        }
        let mut addresses: BTreeSet<(String, String)> = case
            .seeds
            .iter()
            .chain(case.nodes.keys())
            .filter_map(|k| match k {
                NodeKey::Address { chain, address } => Some((chain.clone(), address.clone())),
                _ => None,
            })
            .filter(|k| !only_pending.contains(k) || elsewhere.contains(k))
            .collect();
        for seed in &case.seeds {
            if let NodeKey::Address { chain, address } = seed {
                addresses.insert((chain.clone(), address.clone()));
            }
        }
        let accepted: Vec<crate::model::Hop> =
            case.hops.values().filter(|h| h.status == HopStatus::Accepted).cloned().collect();
        let outs: Vec<i64> = accepted.iter().flat_map(|h| h.outbound.iter().copied()).collect();
        for row in ledger.transfers_by_id(&outs)? {
            if let Some(to) = row.transfer.to {
                addresses.insert((row.transfer.chain, to));
            }
        }
        Ok(Start { addresses, accepted })
    }

    /// One address, on every chain the ledger has it on (the case's accepted hops kept).
    ///
    /// # Errors
    /// [`FinderError::Invalid`] when the ledger has no transfer of it.
    pub fn for_address<L: FlowLedger>(ledger: &L, case: &Case, address: &str) -> Result<Self, FinderError> {
        let address = canonical_address(address);
        let chains = ledger.chain_activity(&address)?;
        if chains.is_empty() {
            return Err(FinderError::Invalid(format!("{address} has no transfers in the ledger")));
        }
        let mut start = Self::from_case(ledger, case)?;
        start.addresses = chains.into_keys().map(|c| (c, address.clone())).collect();
        Ok(start)
    }

    /// The recipients of one hop's outbound transfers (whatever its status).
    ///
    /// # Errors
    /// [`FinderError::Invalid`] when the case has no such hop.
    pub fn for_hop<L: FlowLedger>(ledger: &L, case: &Case, id: u64) -> Result<Self, FinderError> {
        let hop = case.hops.get(&id).ok_or_else(|| FinderError::Invalid(format!("the case has no hop #{id}")))?;
        let mut start = Self::from_case(ledger, case)?;
        start.addresses = ledger
            .transfers_by_id(&hop.outbound)?
            .into_iter()
            .filter_map(|r| r.transfer.to.map(|to| (r.transfer.chain, to)))
            .collect();
        Ok(start)
    }

    /// Starting from these addresses (no case).
    #[must_use]
    pub fn addresses(addresses: impl IntoIterator<Item = (String, String)>) -> Self {
        Start { addresses: addresses.into_iter().collect(), accepted: Vec::new() }
    }
}

/// Runs one finder from `start`, best candidates first.
///
/// # Errors
/// [`FinderError`] on a ledger failure or a bad setting.
pub fn run<L: FlowLedger>(
    kind: FinderKind,
    ledger: &L,
    start: &Start,
    settings: &Settings,
) -> Result<Vec<Candidate>, FinderError> {
    let mut found = match kind {
        FinderKind::Pool => mixer::find(ledger, start, settings)?,
        FinderKind::CoinJoin => coinjoin::find(ledger, start, settings)?,
        FinderKind::Custodial => custodial::find(ledger, start, settings)?,
        FinderKind::Bridge => bridge::find(ledger, start, settings)?,
        FinderKind::MultiChain => multichain::find(ledger, start, settings)?,
    };
    found.retain(|c| c.score >= settings.min_score);
    Ok(found)
}

/// Labels by (chain, address), for the categories asked.
///
/// # Errors
/// A ledger failure.
pub fn labels_by_address<L: FlowLedger>(
    ledger: &L,
    categories: &[crate::model::Category],
) -> Result<BTreeMap<(String, String), Vec<Label>>, LedgerError> {
    let mut out: BTreeMap<(String, String), Vec<Label>> = BTreeMap::new();
    for c in categories {
        for l in ledger.labelled(*c)? {
            out.entry((l.chain.clone(), l.address.clone())).or_default().push(l);
        }
    }
    Ok(out)
}
