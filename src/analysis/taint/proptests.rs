//! Property: on random transfer graphs (account transfers in two assets, UTXO transactions
//! with any fee, even negative, labels, annotated hops across assets, hop and time limits,
//! amounts up to 2^200), every method conserves every asset exactly, and tracing is
//! deterministic.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;
use crate::model::{HopKind, HopStatus, Label, Transfer, TransferKind};

/// One generated transfer: (kind 0 = ETH, 1 = USDT, 2 = UTXO tx), from, to, amount, time.
type Raw = (u8, usize, usize, u128, i64);

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..1_000, 0u128..1_000_000_000, any::<u128>()]
}

fn raw() -> impl Strategy<Value = Raw> {
    (0u8..3, 0usize..8, 0usize..8, amount(), 0i64..12)
}

fn name(i: usize) -> String {
    format!("a{i}")
}

/// Builds the ledger: ETH/USDT account transfers; each UTXO raw item becomes a transaction
/// with one input (from) and two outputs (to and from+1), amounts drawn around the input.
fn build(raws: &[Raw], big: bool, labelled: &[usize]) -> MemoryLedger {
    let mut m = MemoryLedger::new();
    let scale = |v: u128| if big { ethnum::U256::from(v) << 72u32 } else { ethnum::U256::from(v) };
    let mut id = 0i64;
    let mut next = || {
        id += 1;
        id
    };
    for (n, (kind, from, to, v, time)) in raws.iter().enumerate() {
        let (f, t) = (name(*from), name(*to));
        match kind {
            0 | 1 => {
                let asset = if *kind == 0 { "ETH" } else { "USDT" };
                let mut tr = MemoryLedger::native("ethereum", asset, &f, &t, 0, *time);
                tr.amount_base = Amount(scale(*v));
                tr.tx_hash = format!("e{n}");
                m.push(next(), &tr);
            }
            _ => {
                let tx = format!("b{n}");
                let mk = |kind: TransferKind, party: &str, sats: u128| -> Transfer {
                    let mut tr = MemoryLedger::native("bitcoin", "BTC", party, party, 0, *time);
                    tr.amount_base = Amount(scale(sats));
                    tr.kind = kind;
                    tr.tx_hash = tx.clone();
                    if kind == TransferKind::UtxoInput {
                        tr.to = None
                    } else {
                        tr.from = None
                    }
                    tr
                };
                let v = *v % (1 << 100);
                m.push(next(), &mk(TransferKind::UtxoInput, &f, v));
                m.push(next(), &mk(TransferKind::UtxoOutput, &t, v / 3 + (*time as u128)));
                m.push(next(), &mk(TransferKind::UtxoOutput, &name(from + 1), v / 2));
            }
        }
    }
    for l in labelled {
        for chain in ["ethereum", "bitcoin"] {
            m.label(Label::new(chain, name(*l), format!("service {l}"), crate::model::Category::Exchange, "test"));
        }
    }
    m
}

fn hop(inbound: Vec<i64>, outbound: Vec<i64>) -> Hop {
    Hop {
        kind: HopKind::Swap { venue: "test".to_owned() },
        inbound,
        outbound,
        confidence: 50,
        rationale: "random".to_owned(),
        features: std::collections::BTreeMap::new(),
        status: HopStatus::Accepted,
        author: String::new(),
        time: 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_method_conserves_every_asset_exactly(
        raws in proptest::collection::vec(raw(), 1..40),
        big in any::<bool>(),
        labelled in proptest::collection::vec(0usize..9, 0..3),
        seeds in proptest::collection::vec((0usize..9, any::<bool>()), 1..4),
        hop_picks in proptest::collection::vec((proptest::collection::vec(1i64..120, 1..3), proptest::collection::vec(1i64..120, 1..4)), 0..3),
        max_hops in 0u32..7,
        until in proptest::option::of(0i64..12),
        from_time in proptest::option::of(0i64..6),
        stop in any::<bool>(),
        cap in prop_oneof![Just(100_000usize), 1usize..6],
    ) {
        let m = build(&raws, big, &labelled);
        let seeds: Vec<Seed> = seeds
            .iter()
            .map(|(a, btc)| Seed::Address {
                chain: if *btc { "bitcoin" } else { "ethereum" }.to_owned(),
                address: name(*a),
            })
            .collect();
        let hops: Vec<(u64, Hop)> = hop_picks
            .into_iter()
            .enumerate()
            .map(|(i, (inb, out))| {
                let out: Vec<i64> = out.into_iter().filter(|o| !inb.contains(o)).collect();
                (i as u64 + 1, hop(inb, out))
            })
            .collect();
        for method in [Method::Poison, Method::Haircut, Method::Fifo] {
            let mut o = TaintOptions::new(method);
            o.max_hops = max_hops;
            o.until = until;
            o.from_time = from_time;
            o.stop_at_services = stop;
            o.node_cap = cap;
            o.hops = hops.clone();
            match trace(&m, &seeds, &o) {
                Ok(r) => {
                    for f in &r.flows {
                        prop_assert!(f.is_conserved(), "{} {}: {:#?}", method.name(), f.asset, f);
                        if method != Method::Poison {
                            for e in &f.endpoints {
                                prop_assert!(e.amount <= e.exposure, "{} carries more than it moved: {e:?}", method.name());
                            }
                        }
                    }
                    let again = trace(&m, &seeds, &o).unwrap();
                    prop_assert_eq!(&r, &again);
                }
                Err(AnalysisError::NoSeeds(_) | AnalysisError::Invalid(_)) => {}
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Suggestions may overlap (several candidates for one deposit, a batch hop over the same
    /// transfers): whatever hops are crossed, what comes out of them never exceeds what went
    /// in, no transfer carries more than it moved, and every asset still conserves.
    #[test]
    fn overlapping_hops_never_give_out_more_than_went_in(
        raws in proptest::collection::vec((0usize..6, 0usize..6, 1u128..1_000_000, 0i64..12), 2..30),
        hop_picks in proptest::collection::vec(
            (proptest::collection::vec(1i64..30, 1..4), proptest::collection::vec(1i64..30, 1..5)),
            1..6,
        ),
        seeds in proptest::collection::vec(0usize..6, 1..3),
    ) {
        let raws: Vec<Raw> = raws.into_iter().map(|(f, t, v, time)| (0, f, t, v, time)).collect();
        let m = build(&raws, false, &[]);
        let amount_of = |id: i64| -> ethnum::U256 {
            usize::try_from(id - 1).ok().and_then(|i| raws.get(i)).map_or(ethnum::U256::ZERO, |r| ethnum::U256::from(r.3))
        };
        let seeds: Vec<Seed> =
            seeds.iter().map(|a| Seed::Address { chain: "ethereum".to_owned(), address: name(*a) }).collect();
        let hops: Vec<(u64, Hop)> = hop_picks
            .into_iter()
            .enumerate()
            .map(|(i, (inb, out))| {
                let out: Vec<i64> = out.into_iter().filter(|o| !inb.contains(o)).collect();
                (i as u64 + 1, hop(inb, out))
            })
            .collect();
        let outbound: std::collections::BTreeSet<i64> = hops.iter().flat_map(|(_, h)| h.outbound.clone()).collect();
        let out_total = outbound.iter().fold(ethnum::U256::ZERO, |a, id| a + amount_of(*id));
        for method in [Method::Poison, Method::Haircut, Method::Fifo] {
            let mut o = TaintOptions::new(method);
            o.hops = hops.clone();
            match trace(&m, &seeds, &o) {
                Ok(r) => {
                    for f in &r.flows {
                        prop_assert!(f.is_conserved(), "{} {}: {:#?}", method.name(), f.asset, f);
                        let into_hops = f
                            .endpoints
                            .iter()
                            .filter(|e| matches!(e.reason, StopReason::AnnotatedHop { .. }))
                            .fold(ethnum::U256::ZERO, |a, e| a + e.amount.0);
                        prop_assert!(
                            f.from_hops.0 <= into_hops,
                            "{}: {} came out of hops, {} went in: {:#?}", method.name(), f.from_hops, into_hops, f
                        );
                        prop_assert!(f.from_hops.0 <= out_total, "{}: hops gave out more than their transfers moved", method.name());
                        if method != Method::Poison {
                            for e in &f.endpoints {
                                prop_assert!(e.amount <= e.exposure, "{} carries more than it moved: {e:?}", method.name());
                            }
                        }
                    }
                }
                Err(AnalysisError::NoSeeds(_) | AnalysisError::Invalid(_)) => {}
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }
}
