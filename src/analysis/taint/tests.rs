//! Hand-built graphs whose poison, haircut and FIFO answers are worked out in the comments.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::{Category, Label, Transfer, TransferKind};

const ETH: &str = "ETH";

fn label(address: &str, entity: &str, category: Category) -> Label {
    Label::new("ethereum", address, entity, category, "test")
}

/// ```text
/// t0  C → A 300        (A holds 300 clean before the taint arrives)
/// t1  V → S 100        (the seed S receives 100: seeded 100)
/// t2  S → A 100
/// t3  A → B 200
/// t4  A → X 50         (X is an exchange)
/// t5  B → D 200        (D never spends)
/// t6  A → E 120        (E never spends)
/// ```
fn graph() -> MemoryLedger {
    let mut m = MemoryLedger::new();
    let edges = [("C", "A", 300, 0), ("V", "S", 100, 1), ("S", "A", 100, 2), ("A", "B", 200, 3), ("A", "X", 50, 4)];
    let more = [("B", "D", 200, 5), ("A", "E", 120, 6)];
    for (i, (f, t, v, time)) in edges.iter().chain(&more).enumerate() {
        m.push(i as i64 + 1, &MemoryLedger::native("ethereum", ETH, f, t, *v, *time));
    }
    m.label(label("X", "Exchange X", Category::Exchange));
    m
}

fn seed(a: &str) -> Vec<Seed> {
    vec![Seed::Address { chain: "ethereum".to_owned(), address: a.to_owned() }]
}

/// (address, reason, amount) of every endpoint, and (address, amount) of every holding.
type Summary = (Vec<(String, String, u128)>, Vec<(String, u128)>);

/// The endpoints and holdings of a flow, sorted.
fn summary(f: &AssetFlow) -> Summary {
    let name = |n: &crate::case::NodeKey| match n {
        crate::case::NodeKey::Address { address, .. } => address.clone(),
        other => other.describe(),
    };
    let n = |a: Amount| a.to_string().parse::<u128>().unwrap();
    let mut e: Vec<_> = f.endpoints.iter().map(|e| (name(&e.node), e.reason.to_string(), n(e.amount))).collect();
    e.sort();
    let mut h: Vec<_> = f.remaining.iter().map(|h| (name(&h.node), n(h.amount))).collect();
    h.sort();
    (e, h)
}

fn run(m: &MemoryLedger, seeds: &[Seed], opts: &TaintOptions) -> AssetFlow {
    let r = trace(m, seeds, opts).unwrap();
    assert_eq!(r.flows.len(), 1, "{r:#?}");
    let f = r.flows.into_iter().next().unwrap();
    assert!(f.is_conserved(), "{f:#?}");
    f
}

fn s(x: &str) -> String {
    x.to_owned()
}

#[test]
fn haircut_splits_in_proportion_and_keeps_the_remainder() {
    // S: 100 of 100 tainted → all 100 to A.
    // A: 300 clean + 100 tainted = 400, taint 100.
    //   t3 sends 200: 100 × 200/400 = 50 → B; A: 200 left, taint 50.
    //   t4 sends 50:  50 × 50/200 = 12.5 → 12 to X (rounded down); A: 150 left, taint 38.
    //   t6 sends 120: 38 × 120/150 = 30.4 → 30 to E; A: 30 left, taint 8 (stays).
    // B: 200 with 50 tainted, sends all 200 to D → 50.
    // 50 + 12 + 30 + 8 = 100.
    let f = run(&graph(), &seed("S"), &TaintOptions::new(Method::Haircut));
    let (e, h) = summary(&f);
    assert_eq!(
        e,
        vec![
            (s("D"), s("no outgoing (unspent)"), 50),
            (s("E"), s("no outgoing (unspent)"), 30),
            (s("X"), s("service: Exchange X (exchange)"), 12),
        ]
    );
    assert_eq!(h, vec![(s("A"), 8)]);
    assert_eq!(f.seeded, Amount::from_u128(100));
    let d = f.endpoints.iter().find(|e| e.reason == StopReason::NoOutgoing && e.amount == Amount::from_u128(50));
    assert_eq!(d.map(|d| (d.hops, d.transfers.clone())), Some((3, vec![6])), "D is 3 hops out, via transfer 6");
}

#[test]
fn fifo_spends_the_oldest_lots_first() {
    // A's queue: [300 clean][100 tainted]. t3 takes 200 clean, t4 takes 50 clean (nothing
    // tainted to B or X); t6 takes the last 50 clean and 70 tainted → E gets 70; 30 stay.
    let f = run(&graph(), &seed("S"), &TaintOptions::new(Method::Fifo));
    let (e, h) = summary(&f);
    assert_eq!(e, vec![(s("E"), s("no outgoing (unspent)"), 70)]);
    assert_eq!(h, vec![(s("A"), 30)]);
}

#[test]
fn poison_marks_everything_after_and_moves_value_taint_first() {
    // A is poisoned at t2 with 100 tainted. t3: 200 to B carries min(200, 100) = 100, and is
    // tainted in full (exposure 200); t4 and t6 carry no value but are poisoned (exposure 50
    // and 120). B passes 100 of its 200 (taint first) to D, exposure 200.
    let f = run(&graph(), &seed("S"), &TaintOptions::new(Method::Poison));
    let (e, h) = summary(&f);
    assert_eq!(
        e,
        vec![
            (s("D"), s("no outgoing (unspent)"), 100),
            (s("E"), s("no outgoing (unspent)"), 0),
            (s("X"), s("service: Exchange X (exchange)"), 0),
        ]
    );
    assert!(h.is_empty());
    let exposure: Vec<(String, u128)> =
        f.endpoints.iter().map(|e| (summary_name(&e.node), e.exposure.to_string().parse().unwrap())).collect();
    assert!(exposure.contains(&(s("D"), 200)) && exposure.contains(&(s("X"), 50)) && exposure.contains(&(s("E"), 120)));
}

fn summary_name(n: &crate::case::NodeKey) -> String {
    match n {
        crate::case::NodeKey::Address { address, .. } => address.clone(),
        other => other.describe(),
    }
}

#[test]
fn hop_and_time_limits_end_the_trace_where_they_say() {
    // Two hops: B and E are reached on the second hop and keep what reached them (haircut:
    // 50 and 30); X is labelled first (12); A holds 8.
    let mut o = TaintOptions::new(Method::Haircut);
    o.max_hops = 2;
    let (e, h) = summary(&run(&graph(), &seed("S"), &o));
    assert_eq!(
        e,
        vec![
            (s("B"), s("hop limit"), 50),
            (s("E"), s("hop limit"), 30),
            (s("X"), s("service: Exchange X (exchange)"), 12)
        ]
    );
    assert_eq!(h, vec![(s("A"), 8)]);
    // Until t4: A's t6 transfer and B's t5 transfer are not followed; A still holds 38.
    let mut o = TaintOptions::new(Method::Haircut);
    o.until = Some(4);
    let (e, h) = summary(&run(&graph(), &seed("S"), &o));
    assert_eq!(
        e,
        vec![
            (s("A"), s("time limit"), 38),
            (s("B"), s("time limit"), 50),
            (s("X"), s("service: Exchange X (exchange)"), 12)
        ]
    );
    assert!(h.is_empty());
}

#[test]
fn services_can_be_traced_through_and_busy_nodes_stop() {
    let mut o = TaintOptions::new(Method::Haircut);
    o.stop_at_services = false;
    let (e, _) = summary(&run(&graph(), &seed("S"), &o));
    assert!(e.contains(&(s("X"), s("no outgoing (unspent)"), 12)), "{e:?}");
    // A has 2 transfers in and 3 out: with a cap of 2 it is not replayed.
    let mut o = TaintOptions::new(Method::Haircut);
    o.node_cap = 2;
    let (e, h) = summary(&run(&graph(), &seed("S"), &o));
    assert_eq!(e, vec![(s("A"), s("too many transfers (not replayed)"), 100)]);
    assert!(h.is_empty());
}

#[test]
fn seeds_paying_each_other_are_not_counted_twice() {
    // V → S1 100, S1 → S2 40: seeded is 100, not 140; S2 keeps 40, S1 keeps 60.
    let mut m = MemoryLedger::new();
    m.push(1, &MemoryLedger::native("ethereum", ETH, "V", "S1", 100, 1));
    m.push(2, &MemoryLedger::native("ethereum", ETH, "S1", "S2", 40, 2));
    let seeds = [seed("S1"), seed("S2")].concat();
    let f = run(&m, &seeds, &TaintOptions::new(Method::Haircut));
    assert_eq!(f.seeded, Amount::from_u128(100));
    let (e, h) = summary(&f);
    assert_eq!(e, vec![(s("S2"), s("no outgoing (unspent)"), 40)]);
    assert_eq!(h, vec![(s("S1"), 60)]);
    assert!(matches!(trace(&m, &seed("nobody"), &TaintOptions::new(Method::Haircut)), Err(AnalysisError::NoSeeds(_))));
}

fn utxo(id: i64, kind: TransferKind, tx: &str, party: &str, sats: u128, time: i64) -> (i64, Transfer) {
    let mut t = MemoryLedger::native("bitcoin", "BTC", party, party, sats, time);
    t.kind = kind;
    t.tx_hash = tx.to_owned();
    if kind == TransferKind::UtxoInput {
        t.to = None
    } else {
        t.from = None
    }
    (id, t)
}

/// tx0 pays P 1000 (from Q); tx1 spends P's 1000 and W's 500 (clean) into R 900 and Z 590,
/// a miner fee of 10.
fn utxo_graph() -> MemoryLedger {
    let mut m = MemoryLedger::new();
    for (id, t) in [
        utxo(1, TransferKind::UtxoInput, "tx0", "Q", 1000, 1),
        utxo(2, TransferKind::UtxoOutput, "tx0", "P", 1000, 1),
        utxo(3, TransferKind::UtxoInput, "tx1", "P", 1000, 2),
        utxo(4, TransferKind::UtxoInput, "tx1", "W", 500, 2),
        utxo(5, TransferKind::UtxoOutput, "tx1", "R", 900, 2),
        utxo(6, TransferKind::UtxoOutput, "tx1", "Z", 590, 2),
    ] {
        m.push(id, &t);
    }
    m
}

#[test]
fn utxo_transactions_split_over_outputs_and_the_miner_fee() {
    let seeds = vec![Seed::Address { chain: "bitcoin".to_owned(), address: "P".to_owned() }];
    let fee = s("bitcoin tx tx1");
    // Haircut: tx1 holds 1500 of which 1000 tainted. R: 1000 × 900/1500 = 600 (400 of 600
    // left); Z: 400 × 590/600 = 393.3 → 393 (7 of 10 left); the fee empties it: 7.
    let (e, _) = summary(&run(&utxo_graph(), &seeds, &TaintOptions::new(Method::Haircut)));
    assert_eq!(
        e,
        vec![
            (s("R"), s("no outgoing (unspent)"), 600),
            (s("Z"), s("no outgoing (unspent)"), 393),
            (fee.clone(), s("miner fee"), 7)
        ]
    );
    // FIFO: lots [1000 tainted (input 3)][500 clean (input 4)]: R takes 900 tainted, Z 100
    // tainted and 490 clean, the fee 10 clean.
    let (e, _) = summary(&run(&utxo_graph(), &seeds, &TaintOptions::new(Method::Fifo)));
    assert_eq!(e, vec![(s("R"), s("no outgoing (unspent)"), 900), (s("Z"), s("no outgoing (unspent)"), 100)]);
    // Poison: taint first, 900 then 100; the fee is poisoned but carries nothing.
    let (e, _) = summary(&run(&utxo_graph(), &seeds, &TaintOptions::new(Method::Poison)));
    assert_eq!(
        e,
        vec![
            (s("R"), s("no outgoing (unspent)"), 900),
            (s("Z"), s("no outgoing (unspent)"), 100),
            (fee, s("miner fee"), 0)
        ]
    );
}

#[test]
fn annotated_hops_carry_their_share_into_another_asset() {
    // S (seed, 10 ETH) and U (30 ETH) deposit to a bridge router; hop #7 says these 40 ETH
    // came out as three BTC outputs of 60M, 20M and 40M sats. S's 10 of 40 ETH is a quarter:
    // 30M sats, split 15M / 5M / 10M.
    const WEI: u128 = 1_000_000_000_000_000_000;
    let mut m = MemoryLedger::new();
    m.push(1, &MemoryLedger::native("ethereum", ETH, "V", "S", 10 * WEI, 1));
    m.push(2, &MemoryLedger::native("ethereum", ETH, "S", "Router", 10 * WEI, 2));
    m.push(3, &MemoryLedger::native("ethereum", ETH, "U", "Router", 30 * WEI, 2));
    m.label(label("Router", "Bridge router", Category::Bridge));
    for (id, to, sats) in [(4, "R1", 60_000_000), (5, "R2", 20_000_000), (6, "R3", 40_000_000)] {
        let (id, t) = utxo(id, TransferKind::UtxoOutput, "vault-tx", to, sats, 3);
        m.push(id, &t);
    }
    let hop = Hop {
        kind: crate::model::HopKind::Bridge {
            bridge: "b".to_owned(),
            from_chain: s("ethereum"),
            to_chain: s("bitcoin"),
        },
        inbound: vec![2, 3],
        outbound: vec![4, 5, 6],
        confidence: 80,
        rationale: "test".to_owned(),
        features: std::collections::BTreeMap::new(),
        status: crate::model::HopStatus::Accepted,
        author: String::new(),
        time: 0,
    };
    let mut o = TaintOptions::new(Method::Haircut);
    o.hops = vec![(7, hop.clone())];
    let r = trace(&m, &seed("S"), &o).unwrap();
    assert!(r.flows.iter().all(AssetFlow::is_conserved), "{r:#?}");
    let eth = r.flows.iter().find(|f| f.asset == "ETH").unwrap();
    assert_eq!(summary(eth).0, vec![(s("Router"), s("annotated hop #7"), 10 * WEI)]);
    let btc = r.flows.iter().find(|f| f.asset == "BTC").unwrap();
    assert_eq!((btc.seeded, btc.from_hops), (Amount::ZERO, Amount::from_u128(30_000_000)));
    let (e, _) = summary(btc);
    let got: Vec<(String, u128)> = e.into_iter().map(|(a, _, v)| (a, v)).collect();
    assert_eq!(got, vec![(s("R1"), 15_000_000), (s("R2"), 5_000_000), (s("R3"), 10_000_000)]);
    // A rejected hop is not crossed: the taint stops at the labelled router.
    let mut rejected = hop;
    rejected.status = crate::model::HopStatus::Rejected;
    o.hops = vec![(7, rejected)];
    let f = run(&m, &seed("S"), &o);
    assert_eq!(summary(&f).0, vec![(s("Router"), s("service: Bridge router (bridge)"), 10 * WEI)]);
}

#[test]
fn change_back_to_the_spender_comes_after_its_spend() {
    // P gets 100 (the seed); tx1 spends it into R 60 and 40 change back to P; tx2 spends the
    // change to S. The change exists only after tx1, so P's balance when it spends is 100
    // (not 140), all tainted: R gets 60, the change 40 comes back tainted and goes to S.
    // (Counting the change before the spend would give R 100 × 100/140 × 60/100 = 42.)
    let mut m = MemoryLedger::new();
    for (id, t) in [
        utxo(1, TransferKind::UtxoOutput, "tx0", "P", 100, 0),
        utxo(2, TransferKind::UtxoInput, "tx1", "P", 100, 1),
        utxo(3, TransferKind::UtxoOutput, "tx1", "R", 60, 1),
        utxo(4, TransferKind::UtxoOutput, "tx1", "P", 40, 1),
        utxo(5, TransferKind::UtxoInput, "tx2", "P", 40, 2),
        utxo(6, TransferKind::UtxoOutput, "tx2", "S", 40, 2),
    ] {
        m.push(id, &t);
    }
    let seeds = vec![Seed::Address { chain: "bitcoin".to_owned(), address: "P".to_owned() }];
    let (e, h) = summary(&run(&m, &seeds, &TaintOptions::new(Method::Haircut)));
    assert_eq!(e, vec![(s("R"), s("no outgoing (unspent)"), 60), (s("S"), s("no outgoing (unspent)"), 40)]);
    assert!(h.is_empty(), "{h:?}");
    let (e, _) = summary(&run(&m, &seeds, &TaintOptions::new(Method::Fifo)));
    assert_eq!(e, vec![(s("R"), s("no outgoing (unspent)"), 60), (s("S"), s("no outgoing (unspent)"), 40)]);
}

#[test]
fn a_seed_transfer_taints_its_amount_at_the_recipient() {
    // Seeding transfer 3 (S → A 100 at t2) is seeding S's 100 one hop later: A holds the same
    // taint; each endpoint is one hop nearer.
    let f = run(&graph(), &[Seed::Transfer(3)], &TaintOptions::new(Method::Haircut));
    assert_eq!(f.seeded, Amount::from_u128(100));
    let (e, h) = summary(&f);
    let got: Vec<(String, u128)> = e.into_iter().map(|(a, _, v)| (a, v)).collect();
    assert_eq!(got, vec![(s("D"), 50), (s("E"), 30), (s("X"), 12)]);
    assert_eq!(h, vec![(s("A"), 8)]);
    assert_eq!(f.endpoints.iter().map(|e| e.hops).max(), Some(2));
}
