//! CoinJoin transactions: many inputs from different owners and many outputs of one value.
//!
//! The transactions looked at are those the case's UTXO addresses spend in or are paid by
//! (or, with [`Settings::scan_all`], every transaction of each UTXO chain with at least
//! [`Settings::min_equal_outputs`] equal outputs, [`FlowLedger::equal_output_txs`]: one pass
//! over the chain's outputs). A transaction is a CoinJoin when at least `min_equal_outputs`
//! outputs share one value and it has at least three distinct input addresses, at least half
//! as many as equal outputs (a batch payout from one wallet has one). Kinds:
//! - *Whirlpool-like*: the value is a Whirlpool pool size (0.001, 0.01, 0.05 or 0.5 BTC) and
//!   every input and output is part of the mix (5 in, 5 out): score 90;
//! - *Wasabi-like*: the value is about 0.1 BTC (0.09–0.11) with at least 10 equal outputs: 85;
//! - otherwise an equal-output CoinJoin: 70.
//!
//! The equal outputs are the candidates (each is the case's with odds 1 in k, said in the
//! rationale). When the case spends inputs into the mix, a non-equal output equal to the
//! case's inputs less whole multiples of the value, less at most 0.5% plus 20,000 base units in
//! fees, is the case's unmixed change: a second candidate (score 75).

use std::collections::{BTreeMap, BTreeSet};

use ethnum::U256;

use super::candidate::{Candidate, clamp_score, fraction_bps, minus, short, show};
use super::{FinderError, FinderKind, Settings, Start, trace};
use crate::ledger::{Direction, FlowLedger, TransferRow};
use crate::model::{Amount, ChainModel, HopKind, TransferKind, registry};

/// Whirlpool pool sizes in satoshis.
pub const WHIRLPOOL_POOLS: [u128; 4] = [100_000, 1_000_000, 5_000_000, 50_000_000];
/// Wasabi's (1.x) base denomination range in satoshis (about 0.1 BTC).
pub const WASABI_RANGE: (u128, u128) = (9_000_000, 11_000_000);

/// What a transaction looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The repeated output value.
    pub value: Amount,
    /// Ids of the outputs with that value.
    pub equal: Vec<i64>,
    /// Inputs.
    pub inputs: usize,
    /// Distinct input addresses.
    pub input_addresses: usize,
    /// Outputs.
    pub outputs: usize,
    /// `Whirlpool-like`, `Wasabi-like` or `equal-output`.
    pub kind: &'static str,
    /// Detection score.
    pub score: u8,
}

/// Whether the rows of one transaction form a CoinJoin (see the module docs).
#[must_use]
pub fn shape(rows: &[TransferRow], min_equal: u64) -> Option<Shape> {
    let inputs: Vec<&TransferRow> = rows.iter().filter(|r| r.transfer.kind == TransferKind::UtxoInput).collect();
    let outputs: Vec<&TransferRow> = rows.iter().filter(|r| r.transfer.kind == TransferKind::UtxoOutput).collect();
    let mut by_value: BTreeMap<Amount, Vec<i64>> = BTreeMap::new();
    for o in &outputs {
        by_value.entry(o.transfer.amount_base).or_default().push(o.id);
    }
    let (value, equal) = by_value.into_iter().max_by_key(|(v, ids)| (ids.len(), *v))?;
    let k = equal.len();
    let addresses: BTreeSet<&str> = inputs.iter().filter_map(|r| r.transfer.from.as_deref()).collect();
    let m = addresses.len();
    if (k as u64) < min_equal.max(2) || m < 3 || m * 2 < k {
        return None;
    }
    let bitcoin = rows.first().is_some_and(|r| r.transfer.chain == "bitcoin");
    let sats = u128::try_from(value.0).unwrap_or(u128::MAX);
    let (kind, score) = if bitcoin && WHIRLPOOL_POOLS.contains(&sats) && k == outputs.len() && k == inputs.len() {
        ("Whirlpool-like", 90)
    } else if bitcoin && (WASABI_RANGE.0..=WASABI_RANGE.1).contains(&sats) && k >= 10 {
        ("Wasabi-like", 85)
    } else {
        ("equal-output", 70)
    };
    Some(Shape { value, equal, inputs: inputs.len(), input_addresses: m, outputs: outputs.len(), kind, score })
}

/// The CoinJoin finder (see the module docs).
///
/// # Errors
/// A ledger failure.
pub fn find<L: FlowLedger>(ledger: &L, start: &Start, s: &Settings) -> Result<Vec<Candidate>, FinderError> {
    let reach = trace::reach(ledger, start, s.trace_depth, &BTreeSet::new())?;
    let utxo = |c: &str| registry().chain(c).is_ok_and(|c| c.model == ChainModel::Utxo);
    let mut txs: BTreeSet<(String, String)> = BTreeSet::new();
    for (chain, address) in reach.addresses.keys().filter(|(c, _)| utxo(c)) {
        for dir in [Direction::In, Direction::Out] {
            for f in ledger.flows(address, dir, None, None)? {
                txs.insert((f.chain, f.tx_hash));
            }
        }
        let _ = chain;
    }
    if s.scan_all {
        for chain in registry().chain_ids().into_iter().filter(|c| utxo(c)) {
            for t in ledger.equal_output_txs(chain, s.min_equal_outputs)? {
                txs.insert((t.chain, t.tx_hash));
            }
        }
    }
    let mut out = Vec::new();
    for (chain, hash) in txs {
        let rows = ledger.tx_transfers(&chain, &hash)?;
        let Some(sh) = shape(&rows, s.min_equal_outputs) else { continue };
        out.extend(candidates(&chain, &hash, &rows, &sh, &reach));
    }
    super::candidate::rank(&mut out);
    Ok(out)
}

fn candidates(chain: &str, hash: &str, rows: &[TransferRow], sh: &Shape, reach: &trace::Reach) -> Vec<Candidate> {
    let asset = rows.first().map_or("BTC", |r| r.transfer.asset.as_str());
    let case_inputs: Vec<&TransferRow> = rows
        .iter()
        .filter(|r| r.transfer.kind == TransferKind::UtxoInput)
        .filter(|r| r.transfer.from.as_ref().is_some_and(|a| reach.contains(chain, a)))
        .collect();
    let inbound: Vec<i64> = if case_inputs.is_empty() {
        rows.iter().filter(|r| r.transfer.kind == TransferKind::UtxoInput).map(|r| r.id).collect()
    } else {
        case_inputs.iter().map(|r| r.id).collect()
    };
    let k = sh.equal.len();
    let d = show(chain, asset, sh.value);
    let pool = if sh.kind == "Whirlpool-like" { format!(" (pool {d})") } else { String::new() };
    let case_total = case_inputs.iter().fold(Amount::ZERO, |t, r| t.saturating_add(r.transfer.amount_base));
    let whose = if case_inputs.is_empty() {
        "None of its inputs is the case's; if the case's value is in it".to_owned()
    } else {
        format!("The case's {} input(s) ({} in all) enter it, and", case_inputs.len(), show(chain, asset, case_total))
    };
    let features: BTreeMap<String, String> = [
        ("kind", sh.kind.to_owned()),
        ("value", d.clone()),
        ("equal_outputs", k.to_string()),
        ("inputs", sh.inputs.to_string()),
        ("input_addresses", sh.input_addresses.to_string()),
        ("outputs", sh.outputs.to_string()),
        ("case_inputs", case_inputs.len().to_string()),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b))
    .collect();
    let service = format!("CoinJoin ({})", sh.kind);
    let mut out = vec![Candidate {
        finder: FinderKind::CoinJoin,
        subject: format!("tx {hash}"),
        rank: 0,
        kind: HopKind::Mixer { service: service.clone(), pool: Some(d.clone()) },
        inbound: inbound.clone(),
        outbound: sh.equal.clone(),
        score: sh.score,
        rationale: format!(
            "Transaction {} has {k} outputs of exactly {d} among {} outputs, from {} inputs of {} distinct addresses: \
             a {} CoinJoin{pool}. {whose} it continues in one or more of the {k} equal outputs, each equally likely \
             (1 in {k}): they are the candidates.",
            short(hash),
            sh.outputs,
            sh.inputs,
            sh.input_addresses,
            sh.kind,
        ),
        features: features.clone(),
    }];
    // The case's unmixed change: inputs − j × value − fees.
    if case_total.0 > U256::ZERO && sh.value.0 > U256::ZERO {
        let allowance = fraction_bps(case_total, 50).saturating_add(Amount::from_u128(20_000));
        for o in rows.iter().filter(|r| r.transfer.kind == TransferKind::UtxoOutput && !sh.equal.contains(&r.id)) {
            let rest = minus(case_total, o.transfer.amount_base);
            let j = rest.0 / sh.value.0;
            let fees = Amount(rest.0 - j * sh.value.0);
            if o.transfer.amount_base >= case_total || j == U256::ZERO || fees > allowance {
                continue;
            }
            let mut f = features.clone();
            f.insert("change".to_owned(), show(chain, asset, o.transfer.amount_base));
            f.insert("mixed_outputs".to_owned(), j.to_string());
            f.insert("fees".to_owned(), show(chain, asset, fees));
            out.push(Candidate {
                finder: FinderKind::CoinJoin,
                subject: format!("tx {hash}"),
                rank: 0,
                kind: HopKind::Mixer { service: service.clone(), pool: Some(d.clone()) },
                inbound: inbound.clone(),
                outbound: vec![o.id],
                score: clamp_score(75),
                rationale: format!(
                    "In CoinJoin {}, the case's inputs total {}; less {j} × {d} mixed and {} in fees, {} remain, \
                     which is exactly output {} to {}: the case's unmixed change (linkable, unlike the equal outputs).",
                    short(hash),
                    show(chain, asset, case_total),
                    show(chain, asset, fees),
                    show(chain, asset, o.transfer.amount_base),
                    o.transfer.position.unwrap_or(-1),
                    short(o.transfer.to.as_deref().unwrap_or("?")),
                ),
                features: f,
            });
        }
    }
    out
}
