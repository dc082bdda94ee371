//! Peel chains: from an address on a UTXO chain, follow each spending transaction that pays
//! a small *peel* and returns a large *change* to a new address, hop after hop, until a stop
//! rule ends the branch — with the rule and its numbers for every branch that stopped.
//!
//! Per step (a transaction spending the address's outputs):
//! - a labelled service (exchange, mixer, OTC…) at the address ends the branch (the start
//!   address is always followed);
//! - many equal outputs (at least [`PeelOptions::coinjoin_equal`] of one value, two or more
//!   inputs) look like a CoinJoin: stop;
//! - one output: no change, the whole value moved on (a sweep or a sale): stop, naming the
//!   recipient and its label;
//! - more than two outputs: a fan-out, no single change: stop;
//! - two equal outputs: the change cannot be told: stop;
//! - two outputs: the larger is the change, the smaller the peel. Supporting signals, each
//!   raising the confidence: the change address is fresh (first seen in this transaction),
//!   it has the spender's script type, the peel pays a labelled service, the peel is under
//!   20% of the input. The step becomes a suggested [`Hop`] (`PeelChain`) whose rationale
//!   states the amounts and the rule; the change is followed unless it is under
//!   [`PeelOptions::min_value`] or the depth limit is reached.
//!
//! Cost: per step, one read of the address and one of each spending transaction (and one
//! of the change address, for freshness): O(depth × branches) ledger reads.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::taint::{AnalysisError, TraceSource, is_service};
use crate::ledger::TraceRow;
use crate::model::{Amount, ChainModel, Hop, HopKind, HopStatus, Label, TransferKind, registry};

/// How to follow.
#[derive(Debug, Clone)]
pub struct PeelOptions {
    /// Stop when the change is worth less than this (base units).
    pub min_value: Amount,
    /// Follow at most this many steps per branch.
    pub max_depth: u32,
    /// Outputs of one value that make a transaction look like a CoinJoin.
    pub coinjoin_equal: usize,
    /// Time of the suggested hops (UTC seconds).
    pub now: i64,
}

impl Default for PeelOptions {
    fn default() -> Self {
        PeelOptions { min_value: Amount::ZERO, max_depth: 30, coinjoin_equal: 3, now: 0 }
    }
}

/// Why a branch stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeelRule {
    /// A labelled service holds the address.
    Service,
    /// The spending transaction looks like a CoinJoin.
    CoinJoin,
    /// The change is under the minimum value.
    BelowThreshold,
    /// The depth limit.
    DepthLimit,
    /// More than two outputs.
    FanOut,
    /// One output: nothing came back as change.
    NoChange,
    /// Two outputs of the same value.
    AmbiguousChange,
    /// The address has not spent what it received.
    Unspent,
    /// Peel chains are a UTXO pattern; the chain is account-based.
    NotUtxo,
}

/// A branch's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeelStop {
    /// The address the branch reached.
    pub address: String,
    /// The transaction examined, when the rule is about one.
    pub tx_hash: Option<String>,
    /// Steps followed before it.
    pub depth: u32,
    /// The rule.
    pub rule: PeelRule,
    /// The numbers behind it, in words.
    pub detail: String,
}

/// One step: a transaction peeling a small output off and returning the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeelStep {
    /// The transaction.
    pub tx_hash: String,
    /// The address whose outputs it spends.
    pub address: String,
    /// Steps before it on its branch.
    pub depth: u32,
    /// The peel output (ledger id).
    pub peel: i64,
    /// The change output (ledger id).
    pub change: i64,
    /// The suggested hop (inbound: the spent inputs; outbound: the peel and the change).
    pub hop: Hop,
}

/// A followed peel chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeelChainResult {
    /// Chain id.
    pub chain: String,
    /// Where it started.
    pub start: String,
    /// The steps, branch by branch in order.
    pub steps: Vec<PeelStep>,
    /// Every branch's stop.
    pub stops: Vec<PeelStop>,
}

/// Script type of a Bitcoin-style address, for the change heuristic.
#[must_use]
pub fn script_type(address: &str) -> &'static str {
    let lower = address.to_ascii_lowercase();
    if lower.starts_with("bc1q") || lower.starts_with("tb1q") {
        if address.len() > 50 { "p2wsh" } else { "p2wpkh" }
    } else if lower.starts_with("bc1p") || lower.starts_with("tb1p") {
        "p2tr"
    } else if address.starts_with('1') || address.starts_with('m') || address.starts_with('n') {
        "p2pkh"
    } else if address.starts_with('3') || address.starts_with('2') {
        "p2sh"
    } else {
        "other"
    }
}

/// Follows the peel chain from `address` on `chain` (see the module docs).
///
/// # Errors
/// A ledger failure.
pub fn follow<S: TraceSource>(
    source: &S,
    chain: &str,
    address: &str,
    options: &PeelOptions,
) -> Result<PeelChainResult, AnalysisError> {
    let mut result =
        PeelChainResult { chain: chain.to_owned(), start: address.to_owned(), steps: Vec::new(), stops: Vec::new() };
    let utxo = registry().chain(chain).is_ok_and(|c| c.model == ChainModel::Utxo);
    if !utxo {
        result.stops.push(PeelStop {
            address: address.to_owned(),
            tx_hash: None,
            depth: 0,
            rule: PeelRule::NotUtxo,
            detail: format!("{chain} is account-based: peel chains are followed on UTXO chains (bitcoin)"),
        });
        return Ok(result);
    }
    let mut walker = Walker { src: source, chain, opts: options, seen: BTreeSet::new(), out: result };
    walker.visit(address, None, 0)?;
    Ok(walker.out)
}

struct Walker<'a, S: TraceSource> {
    src: &'a S,
    chain: &'a str,
    opts: &'a PeelOptions,
    seen: BTreeSet<String>,
    out: PeelChainResult,
}

impl<S: TraceSource> Walker<'_, S> {
    fn stop(&mut self, address: &str, tx: Option<&str>, depth: u32, rule: PeelRule, detail: String) {
        let tx_hash = tx.map(str::to_owned);
        self.out.stops.push(PeelStop { address: address.to_owned(), tx_hash, depth, rule, detail });
    }

    fn amount(&self, a: Amount) -> String {
        registry().display_amount(self.chain, "BTC", a)
    }

    fn service(&self, address: &str) -> Result<Option<Label>, AnalysisError> {
        let mut l: Vec<Label> = self
            .src
            .address_labels(address)?
            .into_iter()
            .filter(|l| l.chain == self.chain && is_service(l.category))
            .collect();
        l.sort_by(|a, b| (a.category, &a.entity).cmp(&(b.category, &b.entity)));
        Ok(l.into_iter().next())
    }

    fn named(&self, address: &str) -> Result<String, AnalysisError> {
        Ok(match self.service(address)? {
            Some(l) => format!("{address} ({}, {})", l.entity, l.category.name()),
            None => address.to_owned(),
        })
    }

    /// Follows `address`, reached at `since` (None: the start), after `depth` steps.
    fn visit(&mut self, address: &str, since: Option<i64>, depth: u32) -> Result<(), AnalysisError> {
        if since.is_some()
            && let Some(l) = self.service(address)?
        {
            let detail = format!("reached {} ({})", l.entity, l.category.name());
            self.stop(address, None, depth, PeelRule::Service, detail);
            return Ok(());
        }
        let rows = self.src.address_edges(self.chain, address, 100_000)?.rows;
        let mut spends: BTreeMap<(i64, String), Vec<TraceRow>> = BTreeMap::new();
        for r in rows {
            if r.kind == TransferKind::UtxoInput
                && r.from.as_deref() == Some(address)
                && since.is_none_or(|s| r.time.is_none_or(|t| t >= s))
                && let Some(h) = r.tx_hash.clone()
            {
                spends.entry((r.time.unwrap_or(i64::MIN), h)).or_default().push(r);
            }
        }
        if spends.is_empty() {
            self.stop(address, None, depth, PeelRule::Unspent, "no transaction spends its outputs".to_owned());
            return Ok(());
        }
        for ((time, tx), spent) in spends {
            if self.seen.insert(tx.clone()) {
                self.step(address, &tx, time, &spent, depth)?;
            }
        }
        Ok(())
    }

    fn step(
        &mut self,
        address: &str,
        tx: &str,
        time: i64,
        spent: &[TraceRow],
        depth: u32,
    ) -> Result<(), AnalysisError> {
        let rows = self.src.tx_edges(self.chain, tx)?;
        let inputs: Vec<&TraceRow> = rows.iter().filter(|r| r.kind == TransferKind::UtxoInput).collect();
        let mut outputs: Vec<&TraceRow> = rows.iter().filter(|r| r.kind == TransferKind::UtxoOutput).collect();
        let sum = |v: &[&TraceRow]| v.iter().fold(Amount::ZERO, |a, r| a.saturating_add(r.amount));
        let (total_in, total_out) = (sum(&inputs), sum(&outputs));
        let mut by_value: BTreeMap<Amount, usize> = BTreeMap::new();
        for o in &outputs {
            *by_value.entry(o.amount).or_default() += 1;
        }
        if let Some((v, n)) = by_value.iter().max_by_key(|(v, n)| (**n, **v))
            && *n >= self.opts.coinjoin_equal
            && inputs.len() >= 2
        {
            let detail = format!(
                "{n} equal outputs of {} among {} outputs, {} inputs",
                self.amount(*v),
                outputs.len(),
                inputs.len()
            );
            self.stop(address, Some(tx), depth, PeelRule::CoinJoin, detail);
            return Ok(());
        }
        outputs.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.id.cmp(&b.id)));
        let (change, peel) = match outputs.as_slice() {
            [only] => {
                let to = only.to.as_deref().map_or(Ok("an unknown address".to_owned()), |a| self.named(a))?;
                let detail = format!("one output: all {} to {to}, no change came back", self.amount(only.amount));
                self.stop(address, Some(tx), depth, PeelRule::NoChange, detail);
                return Ok(());
            }
            [a, b] if a.amount == b.amount => {
                let detail = format!("two outputs of {} each: the change cannot be told", self.amount(a.amount));
                self.stop(address, Some(tx), depth, PeelRule::AmbiguousChange, detail);
                return Ok(());
            }
            [a, b] => (*a, *b),
            _ => {
                let detail =
                    format!("{} outputs totalling {}: no single change", outputs.len(), self.amount(total_out));
                self.stop(address, Some(tx), depth, PeelRule::FanOut, detail);
                return Ok(());
            }
        };
        let (Some(change_to), Some(_)) = (change.to.clone(), peel.to.as_ref()) else {
            self.stop(address, Some(tx), depth, PeelRule::NoChange, "an output has no address".to_owned());
            return Ok(());
        };
        let hop = self.hop(address, tx, time, spent, (total_in, total_out), change, peel)?;
        self.out.steps.push(PeelStep {
            tx_hash: tx.to_owned(),
            address: address.to_owned(),
            depth,
            peel: peel.id,
            change: change.id,
            hop,
        });
        if change.amount < self.opts.min_value {
            let detail = format!(
                "change {} is under the minimum {}",
                self.amount(change.amount),
                self.amount(self.opts.min_value)
            );
            self.stop(&change_to, Some(tx), depth + 1, PeelRule::BelowThreshold, detail);
            return Ok(());
        }
        if depth + 1 >= self.opts.max_depth {
            let detail = format!("{} steps followed (the limit)", depth + 1);
            self.stop(&change_to, Some(tx), depth + 1, PeelRule::DepthLimit, detail);
            return Ok(());
        }
        self.visit(&change_to, Some(time), depth + 1)
    }

    #[allow(clippy::too_many_arguments)]
    fn hop(
        &self,
        address: &str,
        tx: &str,
        time: i64,
        spent: &[TraceRow],
        (total_in, total_out): (Amount, Amount),
        change: &TraceRow,
        peel: &TraceRow,
    ) -> Result<Hop, AnalysisError> {
        let (change_to, peel_to) = (change.to.clone().unwrap_or_default(), peel.to.clone().unwrap_or_default());
        let history = self.src.address_edges(self.chain, &change_to, 1_000)?.rows;
        let fresh = history.iter().all(|r| r.time.is_none_or(|t| t >= time));
        let same_script = script_type(&change_to) == script_type(address);
        let service = self.service(&peel_to)?;
        let share_bp = super::taint::mul_div(peel.amount.0, 10_000u32.into(), total_in.0.max(1u32.into()))
            .map_or(0u128, |(q, _)| q.as_u128());
        let mut signals = vec![format!(
            "the change is the larger output ({} vs {})",
            self.amount(change.amount),
            self.amount(peel.amount)
        )];
        let mut confidence: u8 = 50;
        if fresh {
            signals.push(format!("the change address {change_to} is fresh (first seen in this transaction)"));
            confidence += 15;
        }
        if same_script {
            signals.push(format!("it has the spender's script type ({})", script_type(address)));
            confidence += 10;
        }
        if let Some(l) = &service {
            signals.push(format!("the peel pays {} ({})", l.entity, l.category.name()));
            confidence += 10;
        }
        if share_bp < 2_000 {
            signals.push(format!("the peel is {}.{:02}% of the input (under 20%)", share_bp / 100, share_bp % 100));
            confidence += 10;
        }
        let fee = Amount(total_in.0.saturating_sub(total_out.0));
        let rationale = format!(
            "Peel chain step: {address} spent {} in {tx}: peel {} to {}, change {} to {change_to}, miner fee {}. \
             Rule: two outputs, the smaller one is the peel; {}.",
            self.amount(total_in),
            self.amount(peel.amount),
            self.named(&peel_to)?,
            self.amount(change.amount),
            self.amount(fee),
            signals.join("; ")
        );
        let features = BTreeMap::from([
            ("input_sats".to_owned(), total_in.to_string()),
            ("peel_sats".to_owned(), peel.amount.to_string()),
            ("change_sats".to_owned(), change.amount.to_string()),
            ("fee_sats".to_owned(), fee.to_string()),
            ("peel_share_bp".to_owned(), share_bp.to_string()),
            ("change_fresh".to_owned(), fresh.to_string()),
            ("change_same_script".to_owned(), same_script.to_string()),
        ]);
        Ok(Hop {
            kind: HopKind::PeelChain,
            inbound: spent.iter().map(|r| r.id).collect(),
            outbound: vec![peel.id, change.id],
            confidence: confidence.min(95),
            rationale,
            features,
            status: HopStatus::Suggested,
            author: "peel-chain finder".to_owned(),
            time: self.opts.now,
        })
    }
}

#[cfg(test)]
#[path = "taint/peel_tests.rs"]
mod tests;
