//! Measuring the finders against a generated scenario's ground truth
//! ([`crate::scenario::GroundTruth`]): precision and recall of their first-ranked suggestions.
//!
//! Each finder starts where an investigator would be when they need it, taken from the truth:
//! - pool and swap: from the exploiter addresses (the case's seeds);
//! - bridge: from the attacker's pool withdrawal addresses (after the pool hop);
//! - custodial: from the attacker's Bitcoin bridge recipients (after the bridge hop).
//!
//! A prediction is the outbound transfer of a rank-1 suggestion (pool: the withdrawal; bridge:
//! the release; swap: the router's payment; custodial: every payout). It is correct when the
//! truth has it on the attacker's side: an attacker note's withdrawal, an attacker bridge
//! release, a swap's payment, an attacker mixer round's payout. For the pool, the exact
//! deposit → withdrawal pairing is counted apart: notes of one denomination withdrawn to the
//! same addresses are interchangeable on chain, so it measures luck as much as skill.

use std::collections::{BTreeMap, BTreeSet};

use super::{FinderError, FinderKind, Settings, Start};
use crate::ledger::FlowLedger;
use crate::model::HopKind;
use crate::scenario::GroundTruth;
use crate::scenario::truth::TransferRef;

/// One finder's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinderScore {
    /// `pool`, `swap`, `bridge`, `custodial`.
    pub finder: &'static str,
    /// Distinct transfers predicted.
    pub predicted: usize,
    /// Of them, correct.
    pub correct: usize,
    /// Transfers the truth has.
    pub truth: usize,
    /// Exact (inbound, outbound) pairs right, of the truth's pairs (pool only).
    pub exact_pairs: Option<(usize, usize)>,
    /// Median number of same-denomination withdrawals in an attacker deposit's window: the
    /// anonymity set timing and amount alone leave (pool only).
    pub median_window: Option<usize>,
}

impl FinderScore {
    /// Correct / predicted (1 when nothing was predicted).
    #[must_use]
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 { 1.0 } else { self.correct as f64 / self.predicted as f64 }
    }

    /// Correct / truth (1 when the truth is empty).
    #[must_use]
    pub fn recall(&self) -> f64 {
        if self.truth == 0 { 1.0 } else { self.correct as f64 / self.truth as f64 }
    }
}

/// The ledger id of a transfer the truth names.
///
/// # Errors
/// A ledger failure.
pub fn ledger_id<L: FlowLedger>(ledger: &L, r: &TransferRef) -> Result<Option<i64>, FinderError> {
    Ok(ledger
        .tx_transfers(&r.chain, &r.tx_hash)?
        .into_iter()
        .find(|row| row.transfer.kind == r.kind && row.transfer.position == Some(r.position))
        .map(|row| row.id))
}

fn ids<L: FlowLedger>(ledger: &L, refs: &[&TransferRef]) -> Result<BTreeSet<i64>, FinderError> {
    let mut out = BTreeSet::new();
    for r in refs {
        if let Some(id) = ledger_id(ledger, r)? {
            out.insert(id);
        }
    }
    Ok(out)
}

/// The truth's attacker addresses of `role`, as a start.
#[must_use]
pub fn start_of(truth: &GroundTruth, role: &str) -> Start {
    Start::addresses(
        truth.attacker_addresses.iter().filter(|a| a.role == role).map(|a| (a.chain.clone(), a.address.clone())),
    )
}

fn score(finder: &'static str, predicted: &BTreeSet<i64>, truth: &BTreeSet<i64>) -> FinderScore {
    FinderScore {
        finder,
        predicted: predicted.len(),
        correct: predicted.intersection(truth).count(),
        truth: truth.len(),
        exact_pairs: None,
        median_window: None,
    }
}

/// Runs the pool, bridge (and swap) and custodial finders on `ledger` and scores them
/// against `truth` (see the module docs).
///
/// # Errors
/// A finder or ledger failure.
pub fn evaluate<L: FlowLedger>(
    ledger: &L,
    truth: &GroundTruth,
    settings: &Settings,
) -> Result<Vec<FinderScore>, FinderError> {
    let mut out = Vec::new();
    // Pool, from the exploiters.
    let seeds = start_of(truth, "exploiter");
    let found = super::run(FinderKind::Pool, ledger, &seeds, settings)?;
    let firsts: Vec<(i64, i64)> = found
        .iter()
        .filter(|c| c.rank == 1 && c.subject.starts_with("deposit "))
        .filter_map(|c| Some((*c.inbound.first()?, *c.outbound.first()?)))
        .collect();
    let predicted: BTreeSet<i64> = firsts.iter().map(|p| p.1).collect();
    let attacker: Vec<_> = truth.pool_pairs.iter().filter(|p| p.attacker).collect();
    let wanted = ids(ledger, &attacker.iter().map(|p| &p.withdrawal).collect::<Vec<_>>())?;
    let mut pairs: BTreeMap<i64, i64> = BTreeMap::new();
    for p in &attacker {
        if let (Some(d), Some(w)) = (ledger_id(ledger, &p.deposit)?, ledger_id(ledger, &p.withdrawal)?) {
            pairs.insert(d, w);
        }
    }
    let exact = firsts.iter().filter(|(d, w)| pairs.get(d) == Some(w)).count();
    let mut s = score("pool", &predicted, &wanted);
    s.exact_pairs = Some((exact, pairs.len()));
    let mut windows: Vec<usize> = found
        .iter()
        .filter(|c| c.rank == 1 && c.inbound.first().is_some_and(|d| pairs.contains_key(d)))
        .filter_map(|c| c.features.get("withdrawals_in_window")?.parse().ok())
        .collect();
    windows.sort_unstable();
    s.median_window = windows.get(windows.len() / 2).copied();
    out.push(s);
    // Swap, from the exploiters (the bridge finder's same-chain side).
    let found = super::run(FinderKind::Bridge, ledger, &seeds, settings)?;
    let predicted: BTreeSet<i64> = found
        .iter()
        .filter(|c| c.rank == 1 && matches!(c.kind, HopKind::Swap { .. }))
        .filter_map(|c| c.outbound.first().copied())
        .collect();
    let wanted = ids(ledger, &truth.swaps.iter().map(|s| &s.bought).collect::<Vec<_>>())?;
    out.push(score("swap", &predicted, &wanted));
    // Bridge, from the pool withdrawal addresses.
    let found = super::run(FinderKind::Bridge, ledger, &start_of(truth, "pool_withdrawal"), settings)?;
    let predicted: BTreeSet<i64> = found
        .iter()
        .filter(|c| c.rank == 1 && matches!(c.kind, HopKind::Bridge { .. }))
        .filter_map(|c| c.outbound.first().copied())
        .collect();
    let releases: Vec<&TransferRef> = truth.bridge_pairs.iter().filter(|b| b.attacker).map(|b| &b.release).collect();
    out.push(score("bridge", &predicted, &ids(ledger, &releases)?));
    // Custodial, from the Bitcoin bridge recipients.
    let found = super::run(FinderKind::Custodial, ledger, &start_of(truth, "btc_bridge_recipient"), settings)?;
    let predicted: BTreeSet<i64> =
        found.iter().filter(|c| c.rank == 1).flat_map(|c| c.outbound.iter().copied()).collect();
    let payouts: Vec<&TransferRef> =
        truth.mixer_rounds.iter().filter(|r| r.attacker).flat_map(|r| r.payouts.iter()).collect();
    out.push(score("custodial", &predicted, &ids(ledger, &payouts)?));
    Ok(out)
}
