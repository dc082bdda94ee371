//! Hand-built graphs for [`crate::analysis::peel`] (kept beside the taint tests).
#![allow(clippy::unwrap_used)]

use super::*;
use crate::analysis::taint::MemoryLedger;
use crate::model::{Category, Transfer};

fn utxo(kind: TransferKind, tx: &str, party: &str, sats: u128, time: i64) -> Transfer {
    let mut t = MemoryLedger::native("bitcoin", "BTC", party, party, sats, time);
    t.kind = kind;
    t.tx_hash = tx.to_owned();
    if kind == TransferKind::UtxoInput {
        t.to = None
    } else {
        t.from = None
    }
    t
}

/// bc1qstart gets 10 BTC; t1 peels 1 BTC to an exchange, 8.9999 change to bc1qnext; t2
/// peels 0.5 BTC, change 8.4998 to 1legacy (another script type); t3 has five 1 BTC
/// outputs from two inputs (a CoinJoin).
fn ledger() -> MemoryLedger {
    let mut m = MemoryLedger::new();
    let rows = [
        utxo(TransferKind::UtxoOutput, "t0", "bc1qstart", 1_000_000_000, 0),
        utxo(TransferKind::UtxoInput, "t1", "bc1qstart", 1_000_000_000, 10),
        utxo(TransferKind::UtxoOutput, "t1", "bc1qexchange", 100_000_000, 10),
        utxo(TransferKind::UtxoOutput, "t1", "bc1qnext", 899_990_000, 10),
        utxo(TransferKind::UtxoInput, "t2", "bc1qnext", 899_990_000, 20),
        utxo(TransferKind::UtxoOutput, "t2", "1legacy", 849_980_000, 20),
        utxo(TransferKind::UtxoOutput, "t2", "bc1qpeel2", 50_000_000, 20),
        utxo(TransferKind::UtxoInput, "t3", "1legacy", 849_980_000, 30),
        utxo(TransferKind::UtxoInput, "t3", "bc1qother", 100_000_000, 30),
    ];
    for (i, r) in rows.iter().enumerate() {
        m.push(i as i64 + 1, r);
    }
    for (i, to) in ["c1", "c2", "c3", "c4", "c5"].iter().enumerate() {
        m.push(20 + i as i64, &utxo(TransferKind::UtxoOutput, "t3", to, 100_000_000, 30));
    }
    m.push(30, &utxo(TransferKind::UtxoOutput, "t3", "1legacy", 449_970_000, 30));
    m.label(Label::new("bitcoin", "bc1qexchange", "Exchange Z", Category::Exchange, "test"));
    m
}

#[test]
fn follows_peels_states_amounts_and_stops_at_a_coinjoin() {
    let r = follow(&ledger(), "bitcoin", "bc1qstart", &PeelOptions::default()).unwrap();
    let steps: Vec<(&str, i64, i64)> = r.steps.iter().map(|s| (s.tx_hash.as_str(), s.peel, s.change)).collect();
    assert_eq!(steps, vec![("t1", 3, 4), ("t2", 7, 6)]);
    let first = &r.steps[0].hop;
    assert_eq!((first.inbound.clone(), first.status), (vec![2], HopStatus::Suggested));
    // fresh (+15), same script p2wpkh (+10), peel to an exchange (+10), 10% share (+10).
    assert_eq!(first.confidence, 95);
    assert!(first.rationale.contains("peel 1 BTC to bc1qexchange (Exchange Z, exchange)"), "{}", first.rationale);
    assert!(first.rationale.contains("change 8.9999 BTC to bc1qnext"), "{}", first.rationale);
    assert!(first.rationale.contains("miner fee 0.0001 BTC"), "{}", first.rationale);
    assert_eq!(first.features.get("peel_share_bp").map(String::as_str), Some("1000"));
    // Second step: the change goes to a p2pkh address: no same-script signal.
    assert_eq!(r.steps[1].hop.confidence, 75);
    assert_eq!(r.stops.len(), 1);
    assert_eq!((r.stops[0].rule, r.stops[0].address.as_str()), (PeelRule::CoinJoin, "1legacy"));
    assert!(r.stops[0].detail.starts_with("5 equal outputs of 1 BTC"), "{}", r.stops[0].detail);
}

#[test]
fn threshold_depth_and_account_chains_stop_with_reasons() {
    let o = PeelOptions { min_value: Amount::from_u128(850_000_000), ..PeelOptions::default() };
    let r = follow(&ledger(), "bitcoin", "bc1qstart", &o).unwrap();
    assert_eq!(r.steps.len(), 2);
    assert_eq!(r.stops[0].rule, PeelRule::BelowThreshold);
    assert!(r.stops[0].detail.contains("8.4998 BTC is under the minimum 8.5 BTC"), "{}", r.stops[0].detail);
    let o = PeelOptions { max_depth: 1, ..PeelOptions::default() };
    let r = follow(&ledger(), "bitcoin", "bc1qstart", &o).unwrap();
    assert_eq!((r.steps.len(), r.stops[0].rule, r.stops[0].address.as_str()), (1, PeelRule::DepthLimit, "bc1qnext"));
    let r = follow(&ledger(), "bitcoin", "bc1qpeel2", &PeelOptions::default()).unwrap();
    assert_eq!(r.stops[0].rule, PeelRule::Unspent);
    let r = follow(&ledger(), "ethereum", "0xabc", &PeelOptions::default()).unwrap();
    assert_eq!(r.stops[0].rule, PeelRule::NotUtxo);
}
