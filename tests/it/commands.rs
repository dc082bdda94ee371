//! Commands on a real (demo) ledger: undo∘apply is the identity on the case for every command,
//! redo after undo restores it, a refused command changes nothing, and the audit chain catches
//! any edited, removed or reordered entry.

use crate::common;

use std::path::PathBuf;
use std::sync::OnceLock;

use hoptrace::case::{AuditError, CaseFilter, ExpandDirection, NodeKey, NoteTarget};
use hoptrace::graph::{Command, Investigation};
use hoptrace::import::ImportOptions;
use hoptrace::ledger::{Ledger, SqliteLedger};
use hoptrace::model::{Category, Hop, HopKind, HopStatus};
use proptest::prelude::*;

const ACTOR: &str = "0xd07f5c0c332f8b1224083fd22b902f8911e81818";
const POOL: &str = "0xa160cdab225685da1d56aa342ad8841c3b53f291";
const VICTIM: &str = "0x38b4e652e44da7f2370d9e260e27136550a4a3a6";
const ROUTER: &str = "0x7a250d5630b4cf539739df2c5dacb4c659f2488d";

/// The demo exports imported once into a ledger shared by every test (read-only afterwards).
fn demo_ledger() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("hoptrace-commands-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("demo.sqlite");
        let _ = std::fs::remove_file(&path);
        let mut l = SqliteLedger::open(&path).expect("ledger");
        let exports = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/cases/demo/exports"));
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(exports).expect("exports").map(|e| e.expect("entry").path()).collect();
        files.sort();
        for f in files {
            l.import_file(&f, &ImportOptions::default(), None).expect("import");
        }
        path
    })
    .clone()
}

fn investigation() -> Investigation<SqliteLedger> {
    let ledger = SqliteLedger::open(&demo_ledger()).expect("open");
    let mut t = 1_700_000_000;
    Investigation::create(ledger, "demo.sqlite".into(), "case-test".into(), "Test".into(), "Tester".into(), t)
        .expect("create")
        .with_clock(move || {
            t += 60;
            t
        })
}

fn eth(a: &str) -> NodeKey {
    NodeKey::address("ethereum", a)
}

/// Commands to draw from: valid ones, and ones that are refused in some states.
fn command(i: usize, n: usize, x: f32) -> Command {
    let nodes = [
        eth(ACTOR),
        eth(POOL),
        eth(VICTIM),
        eth(ROUTER),
        NodeKey::Aggregate(1),
        eth("0x0000000000000000000000000000000000000001"),
    ];
    let node = nodes[n % nodes.len()].clone();
    let hop = Hop {
        kind: HopKind::Mixer { service: "Tornado Cash".into(), pool: Some("100 ETH".into()) },
        inbound: vec![13, 14],
        outbound: vec![2, 3],
        confidence: 60,
        rationale: "equal denominations, withdrawals two days later".into(),
        features: [("delay_hours".to_owned(), "51".to_owned())].into(),
        status: HopStatus::Accepted,
        author: String::new(),
        time: 0,
    };
    match i % 18 {
        0 => Command::AddSeed { chain: "ethereum".into(), address: ACTOR.into() },
        1 => Command::Expand { node, direction: ExpandDirection::Both, filter: CaseFilter::default() },
        2 => Command::Expand {
            node,
            direction: ExpandDirection::Out,
            filter: CaseFilter { top: Some(1 + n % 3), ..CaseFilter::default() },
        },
        3 => Command::Expand {
            node,
            direction: ExpandDirection::In,
            filter: CaseFilter { min_value: Some("150".into()), ..CaseFilter::default() },
        },
        4 => Command::Collapse { node },
        5 => Command::Hide { node },
        6 => Command::Unhide { node },
        7 => Command::Pin { node },
        8 => Command::Move { node, x, y: -x },
        9 => Command::Group {
            nodes: vec![node, eth(ACTOR)],
            entity: "Exploiter".into(),
            rationale: "same operator".into(),
        },
        10 => Command::Ungroup { nodes: vec![node] },
        11 => Command::Label { node, entity: "Suspect".into(), category: Category::Actor, source: "analysis".into() },
        12 => Command::Note { target: NoteTarget::Node(node), text: "look at this".into() },
        13 => Command::AnnotateHop { hop },
        14 => Command::RemoveHop { id: (n + 1) as u64 },
        15 => Command::RemoveLabel { id: (n + 1) as u64 },
        16 => Command::AddSeed { chain: "ethereum".into(), address: POOL.into() },
        _ => Command::Arrange {
            layout: "test".into(),
            positions: nodes
                .iter()
                .enumerate()
                .map(|(k, key)| (key.clone(), x + k as f32 * 10.0, x - k as f32 * 7.0))
                .collect(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn undo_inverts_apply_and_redo_restores(script in prop::collection::vec((0usize..18, 0usize..6, -500.0f32..500.0), 1..16)) {
        let mut inv = investigation();
        // Start from a graph with something on it (the actor, its counterparties, a folded side),
        // so that every kind of command meets nodes it applies to.
        inv.apply(command(0, 0, 0.0)).expect("seed");
        inv.apply(command(2, 0, 0.0)).expect("expand the actor's top sent transfers");
        for (i, n, x) in script {
            let before = inv.case().content_hash();
            let entries = inv.case().audit.len();
            let applied = inv.apply(command(i, n, x));
            if applied.is_err() {
                // A refused command changes nothing, not even the audit log.
                prop_assert_eq!(inv.case().content_hash(), before);
                prop_assert_eq!(inv.case().audit.len(), entries);
                continue;
            }
            let after = inv.case().content_hash();
            let snapshot = inv.case().clone();
            inv.apply(Command::Undo).expect("undo");
            prop_assert_eq!(inv.case().content_hash(), before, "undo restores the case");
            inv.apply(Command::Redo).expect("redo");
            prop_assert_eq!(inv.case().content_hash(), after.clone(), "redo restores the command's result");
            prop_assert_eq!(&inv.case().nodes, &snapshot.nodes);
            prop_assert_eq!(&inv.case().transfers, &snapshot.transfers);
            prop_assert_eq!(&inv.case().hops, &snapshot.hops);
        }
        prop_assert!(inv.case().verify_audit().is_ok());
        // The graph is consistent with the case: every transfer is an edge's, every node a vertex.
        let g = inv.graph().expect("graph");
        prop_assert_eq!(g.graph.node_count(), inv.case().nodes.len());
        let on_edges: usize = g.graph.edge_weights().map(|e| e.transfers.len()).sum();
        prop_assert_eq!(on_edges, inv.case().transfers.len());
    }

    #[test]
    fn the_audit_chain_catches_tampering(edit in 0usize..6, other in 0usize..6, kind in 0u8..4) {
        let mut inv = investigation();
        for c in [
            command(0, 0, 0.0),
            command(1, 0, 0.0),
            command(7, 1, 0.0),
            command(8, 2, 10.0),
            command(11, 3, 0.0),
            command(13, 0, 0.0),
        ] {
            inv.apply(c).expect("scripted command applies");
        }
        let mut case = inv.case().clone();
        prop_assert!(case.verify_audit().is_ok());
        let n = case.audit.len();
        let (i, j) = (edit % n, other % n);
        match kind {
            0 => case.audit[i].time += 1,
            1 => case.audit[i].command = Command::Hide { node: eth(VICTIM) },
            2 => {
                case.audit.remove(i);
            }
            _ => {
                prop_assume!(i != j);
                case.audit.swap(i, j);
            }
        }
        let err = case.verify_audit().expect_err("tampering is detected");
        let expected = match (kind, i) {
            (0 | 1, _) => matches!(err, AuditError::Content { .. }),
            (2, i) if i + 1 == n => matches!(err, AuditError::State { .. }),
            _ => matches!(err, AuditError::Sequence { .. }),
        };
        prop_assert!(expected, "{err}");
    }
}

#[test]
fn a_case_edited_outside_hoptrace_no_longer_matches_its_log() {
    let mut inv = investigation();
    inv.apply(command(0, 0, 0.0)).expect("seed");
    inv.apply(command(1, 0, 0.0)).expect("expand");
    let mut case = inv.case().clone();
    let some = *case.transfers.iter().next().expect("a transfer");
    case.transfers.remove(&some);
    assert!(matches!(case.verify_audit(), Err(AuditError::State { seq: 2 })));
}

#[test]
fn expansion_shows_top_n_and_folds_the_rest_without_repeating_what_is_shown() {
    let mut inv = investigation();
    inv.apply(Command::AddSeed { chain: "ethereum".into(), address: ACTOR.into() }).expect("seed");
    let top1 = CaseFilter { top: Some(1), ..CaseFilter::default() };
    inv.apply(Command::Expand { node: eth(ACTOR), direction: ExpandDirection::Out, filter: top1 }).expect("expand");
    let case = inv.case();
    // The actor sent 5 × 100 ETH to the pool and 25.5M USDC to the router (a failed sixth deposit
    // is not a transfer of value): the top one is the USDC, the 5 ETH deposits are folded.
    assert_eq!(case.transfers.len(), 1);
    let agg = case.aggregates.values().next().expect("aggregate");
    assert_eq!((agg.count, agg.counterparties), (5, 1));
    assert_eq!(
        agg.totals.get(&("ethereum".to_owned(), "ETH".to_owned())).map(ToString::to_string).as_deref(),
        Some("500000000000000000000")
    );
    // Expanding again (default top) brings the 5 and no aggregate is left for that side.
    inv.apply(Command::Expand { node: eth(ACTOR), direction: ExpandDirection::Out, filter: CaseFilter::default() })
        .expect("expand");
    assert_eq!(inv.case().transfers.len(), 6);
    assert!(inv.case().aggregates.is_empty());
    assert_eq!(inv.ledger().fingerprint().expect("fp"), inv.case().ledger.fingerprint);
}

/// A case seeded with a hub that received `n` transfers from `senders` addresses (ledger in
/// `dir`).
fn hub_case(dir: &std::path::Path, hub: &str, n: u64, senders: u64) -> Investigation<SqliteLedger> {
    use std::fmt::Write as _;
    let mut csv = String::from("hash,from_address,to_address,value,block_timestamp,block_number\n");
    for i in 0..n {
        let _ = writeln!(
            csv,
            "0x{:064x},0x{:040x},{hub},{},{},1",
            i + 1,
            1000 + i % senders,
            (i % 997 + 1) * 1_000_000_000_000_000,
            1_650_000_000 + i
        );
    }
    let file = common::write(dir, "hub.csv", csv);
    let mut ledger = SqliteLedger::open(&dir.join("hub.sqlite")).expect("ledger");
    ledger.import_file(&file, &ImportOptions::default(), None).expect("import");
    let mut inv =
        Investigation::create(ledger, "hub.sqlite".into(), "c".into(), "Hub".into(), "T".into(), 0).expect("case");
    inv.apply(Command::AddSeed { chain: "ethereum".into(), address: hub.into() }).expect("seed");
    inv
}

#[test]
fn a_super_node_expands_into_top_n_nodes_and_one_aggregate() {
    const N: u64 = 100_000;
    let hub = "0x2222222222222222222222222222222222222222";
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inv = hub_case(dir.path(), hub, N, 20_000);
    let started = std::time::Instant::now();
    let top = CaseFilter { top: Some(25), ..CaseFilter::default() };
    inv.apply(Command::Expand { node: eth(hub), direction: ExpandDirection::In, filter: top }).expect("expand");
    let took = started.elapsed();
    let case = inv.case();
    assert_eq!(case.transfers.len(), 25, "only the top 25 transfers come onto the graph");
    assert_eq!(case.nodes.len(), 1 + 25 + 1, "the hub, 25 senders, one aggregate");
    let agg = case.aggregates.values().next().expect("the aggregate");
    assert_eq!((agg.count, agg.counterparties, agg.lower_bound), (N - 25, 20_000, false));
    assert!(took.as_secs() < 20, "expansion took {took:?}");
    let g = inv.graph().expect("graph");
    assert_eq!(g.graph.edge_count(), 26);
    let err = inv
        .apply(Command::Expand {
            node: NodeKey::Aggregate(1),
            direction: ExpandDirection::Both,
            filter: CaseFilter::default(),
        })
        .expect_err("an aggregate is not expanded itself");
    assert!(err.to_string().contains("expanded from its anchor with a narrower filter"), "{err}");
}

#[test]
fn an_expansion_from_inside_a_block_lands_clear_of_it_in_one_piece() {
    use std::fmt::Write as _;
    // 40 senders pay the hub; each sender was funded by 20 addresses of its own.
    let hub = "0x4444444444444444444444444444444444444444";
    let dir = tempfile::tempdir().expect("tempdir");
    let mut csv = String::from("hash,from_address,to_address,value,block_timestamp,block_number\n");
    let mut tx = 0u64;
    let mut line = |csv: &mut String, from: u64, to: &str, eth: u64| {
        tx += 1;
        let _ = writeln!(csv, "0x{tx:064x},0x{from:040x},{to},{}000000000000000,{},1", eth, 1_650_000_000 + tx);
    };
    for s in 0..40u64 {
        line(&mut csv, 1000 + s, hub, 100 + s);
        for f in 0..20u64 {
            line(&mut csv, 5000 + s * 100 + f, &format!("0x{:040x}", 1000 + s), 1 + f);
        }
    }
    let file = common::write(dir.path(), "funders.csv", csv);
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("ledger");
    ledger.import_file(&file, &ImportOptions::default(), None).expect("import");
    let mut inv =
        Investigation::create(ledger, "l.sqlite".into(), "c".into(), "Hub".into(), "T".into(), 0).expect("case");
    inv.apply(Command::AddSeed { chain: "ethereum".into(), address: hub.into() }).expect("seed");
    inv.apply(Command::Expand { node: eth(hub), direction: ExpandDirection::In, filter: CaseFilter::default() })
        .expect("expand the hub");
    let placed = |inv: &Investigation<SqliteLedger>| -> Vec<(NodeKey, (f32, f32))> {
        inv.case().nodes.iter().map(|(k, v)| (k.clone(), v.position.expect("placed"))).collect()
    };
    let before = placed(&inv);
    let xs: Vec<f32> = before.iter().filter(|(k, _)| *k != eth(hub)).map(|(_, p)| p.0).collect();
    let block_left = xs.iter().copied().fold(f32::MAX, f32::min);
    assert!(xs.iter().any(|&x| x > block_left + 1.0), "the 40 senders form a block of sub-columns: {xs:?}");
    // The sender nearest the hub, in the block's innermost sub-column: its funders' column would
    // run through the block.
    let (inner, inner_at) = before
        .iter()
        .filter(|(k, _)| *k != eth(hub))
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0).then(b.1.1.total_cmp(&a.1.1)))
        .cloned()
        .expect("a sender");
    assert!(inner_at.0 > block_left + 1.0, "an inner sub-column");
    inv.apply(Command::Expand { node: inner.clone(), direction: ExpandDirection::In, filter: CaseFilter::default() })
        .expect("expand a sender in the block");
    let after = placed(&inv);
    let funders: Vec<(f32, f32)> =
        after.iter().filter(|(k, _)| !before.iter().any(|(b, _)| b == k)).map(|(_, p)| *p).collect();
    assert_eq!(funders.len(), 20);
    // In one piece (its own 4 × 5 block), outside the senders' block, near the sender.
    let senders: Vec<(f32, f32)> = before
        .iter()
        .filter(|(k, _)| *k != eth(hub) && matches!(k, NodeKey::Address { .. }))
        .map(|(_, p)| *p)
        .collect();
    let bounds = |ps: &[(f32, f32)]| {
        ps.iter().fold((f32::MAX, f32::MIN, f32::MAX, f32::MIN), |(a, b, c, d), p| {
            (a.min(p.0), b.max(p.0), c.min(p.1), d.max(p.1))
        })
    };
    let (sx0, sx1, sy0, sy1) = bounds(&senders);
    let (fx0, fx1, fy0, fy1) = bounds(&funders);
    assert!(fx1 - fx0 <= 3.0 * 180.0 + 1.0 && fy1 - fy0 <= 4.0 * 84.0 + 1.0, "one block: {funders:?}");
    assert!(
        funders.iter().all(|p| p.0 < sx0 - 90.0 || p.0 > sx1 + 90.0 || p.1 < sy0 - 42.0 || p.1 > sy1 + 42.0),
        "no funder inside the senders' block: {funders:?}"
    );
    let centre = ((fx0 + fx1) / 2.0, (fy0 + fy1) / 2.0);
    let away = (centre.0 - inner_at.0).hypot(centre.1 - inner_at.1);
    assert!(away < 1500.0, "the funders stay near their sender: {away} units away");
    assert!(centre.0 < inner_at.0, "senders of a sender stay on its left");
    // No node overlaps another.
    let all: Vec<(f32, f32)> = after.iter().map(|(_, p)| *p).collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert!((a.0 - b.0).abs() >= 180.0 || (a.1 - b.1).abs() >= 40.0, "{a:?} and {b:?} overlap");
        }
    }
}

#[test]
fn a_hop_brings_its_new_ends_as_one_block_beside_the_node_they_meet() {
    use std::fmt::Write as _;
    // Twenty inputs into a CoinJoin-like hub, one payout: annotating the hop brings them all.
    let hub = "0x5555555555555555555555555555555555555555";
    let dir = tempfile::tempdir().expect("tempdir");
    let mut csv = String::from("hash,from_address,to_address,value,block_timestamp,block_number\n");
    for s in 0..20u64 {
        let _ = writeln!(csv, "0x{:064x},0x{:040x},{hub},1000000000000000000,{},1", s + 1, 7000 + s, 1_650_000_000 + s);
    }
    let _ = writeln!(csv, "0x{:064x},{hub},0x{:040x},19000000000000000000,1650009999,2", 99, 9999);
    let file = common::write(dir.path(), "cj.csv", csv);
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("ledger");
    ledger.import_file(&file, &ImportOptions::default(), None).expect("import");
    let rows = ledger.transfers_by_id(&(1..=21).collect::<Vec<i64>>()).expect("rows");
    let (inbound, outbound): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.transfer.to.as_deref() == Some(hub));
    assert_eq!((inbound.len(), outbound.len()), (20, 1));
    let mut inv =
        Investigation::create(ledger, "l.sqlite".into(), "c".into(), "CJ".into(), "T".into(), 0).expect("case");
    inv.apply(Command::AddSeed { chain: "ethereum".into(), address: hub.into() }).expect("seed");
    let hop = Hop {
        kind: HopKind::Mixer { service: "CoinJoin".into(), pool: None },
        inbound: inbound.iter().map(|r| r.id).collect(),
        outbound: outbound.iter().map(|r| r.id).collect(),
        confidence: 40,
        rationale: "twenty equal inputs, one payout".into(),
        features: std::collections::BTreeMap::new(),
        status: HopStatus::Accepted,
        author: String::new(),
        time: 0,
    };
    inv.apply(Command::AnnotateHop { hop }).expect("annotate");
    let case = inv.case();
    let at = |k: &NodeKey| case.nodes[k].position.expect("placed");
    let hub_at = at(&eth(hub));
    let inputs: Vec<(f32, f32)> = (0..20u64).map(|s| at(&eth(&format!("0x{:040x}", 7000 + s)))).collect();
    let (x0, x1) = inputs.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = inputs.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    assert!(x1 < hub_at.0, "the inputs are left of the hub");
    assert!(y1 - y0 <= 4.0 * 84.0 + 1.0 && x1 - x0 <= 3.0 * 180.0 + 1.0, "one block, not a column: {inputs:?}");
    assert!(y0 <= hub_at.1 && hub_at.1 <= y1, "centred on the hub's row");
    assert!(at(&eth(&format!("0x{:040x}", 9999))).0 > hub_at.0, "the payout is right of the hub");
}

#[test]
fn thousands_of_counterparties_are_placed_in_a_block_not_a_column() {
    let hub = "0x3333333333333333333333333333333333333333";
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inv = hub_case(dir.path(), hub, 2_500, 2_500);
    let top = CaseFilter { top: Some(2_000), ..CaseFilter::default() };
    inv.apply(Command::Expand { node: eth(hub), direction: ExpandDirection::In, filter: top }).expect("expand");
    let case = inv.case();
    let at = |k: &NodeKey| case.nodes[k].position.expect("placed");
    let hub_at = at(&eth(hub));
    let senders: Vec<(f32, f32)> =
        case.nodes.keys().filter(|k| matches!(k, NodeKey::Address { .. }) && **k != eth(hub)).map(at).collect();
    assert_eq!(senders.len(), 2_000);
    let (x0, x1) = senders.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = senders.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    assert!(x1 < hub_at.0, "senders are left of the hub");
    assert!((0.5..2.0).contains(&((y1 - y0) / (x1 - x0))), "a block about as tall as wide: {x0}..{x1} × {y0}..{y1}");
    assert!(y0 < hub_at.1 && hub_at.1 < y1, "the block is centred on the hub's row");
    // No two nodes overlap (the canvas needs 180 × 40 units for a node and its label).
    let mut sorted = senders.clone();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    for (i, a) in sorted.iter().enumerate() {
        for b in sorted[i + 1..].iter().take_while(|b| b.0 - a.0 < 180.0) {
            assert!((b.1 - a.1).abs() >= 40.0, "{a:?} and {b:?} overlap");
        }
    }
    let agg = case.nodes.keys().find(|k| matches!(k, NodeKey::Aggregate(_))).expect("aggregate");
    assert!(at(agg).1 > y1, "the aggregate is below the block");
}

/// A pool hop from the actor's deposits to the pool's withdrawals (ledger ids of the demo).
fn pool_hop(inbound: &[i64], outbound: &[i64], status: HopStatus) -> Hop {
    Hop {
        kind: HopKind::Mixer { service: "Tornado Cash".into(), pool: Some("100 ETH".into()) },
        inbound: inbound.to_vec(),
        outbound: outbound.to_vec(),
        confidence: 50,
        rationale: "equal denominations".into(),
        features: std::collections::BTreeMap::new(),
        status,
        author: String::new(),
        time: 0,
    }
}

/// Records `hop` and returns its id.
fn record(inv: &mut Investigation<SqliteLedger>, hop: Hop) -> u64 {
    inv.apply(Command::AnnotateHop { hop }).expect("hop recorded");
    *inv.case().hops.keys().next_back().expect("a hop")
}

/// Applies `command`, expecting it refused with `message` and the case (and its log) unchanged.
fn refused(inv: &mut Investigation<SqliteLedger>, command: Command, message: &str) {
    let (before, entries) = (inv.case().content_hash(), inv.case().audit.len());
    let err = inv.apply(command).expect_err("refused");
    assert_eq!(err.to_string(), message);
    assert_eq!(inv.case().content_hash(), before, "a refused command changes nothing");
    assert_eq!(inv.case().audit.len(), entries);
}

#[test]
fn two_accepted_hops_never_share_a_transfer_unless_one_replaces_the_other() {
    let mut inv = investigation();
    inv.apply(command(0, 0, 0.0)).expect("seed");
    // Three suggestions over the same deposits and withdrawals may overlap: they are candidates.
    let a = record(&mut inv, pool_hop(&[13], &[2], HopStatus::Suggested));
    let b = record(&mut inv, pool_hop(&[14], &[3], HopStatus::Suggested));
    let batch = record(&mut inv, pool_hop(&[13, 14, 15], &[2, 3], HopStatus::Suggested));
    inv.apply(Command::accept_hop(a)).expect("the first is accepted");
    inv.apply(Command::accept_hop(b)).expect("a disjoint one is accepted");
    refused(
        &mut inv,
        Command::accept_hop(batch),
        &format!(
            "accepting hop #{batch} would count value twice: it shares transfers 2, 13 with accepted hop #{a}; \
             reject one of them first, or replace hop #{a} with this one (`hoptrace accept CASE {batch} --replaces {a}`: \
             hop #{a} is rejected in the same command)"
        ),
    );
    // Replacing one of two overlapping hops is not enough: the other is named.
    refused(
        &mut inv,
        Command::AcceptHop { id: batch, replaces: vec![a], time_order_override: None },
        &format!(
            "accepting hop #{batch} would count value twice: it shares transfers 3, 14 with accepted hop #{b}; \
             reject one of them first, or replace hop #{b} with this one (`hoptrace accept CASE {batch} --replaces {b}`: \
             hop #{b} is rejected in the same command)"
        ),
    );
    // Recording an accepted hop over them is refused the same way; a suggestion is not.
    refused(
        &mut inv,
        Command::AnnotateHop { hop: pool_hop(&[14], &[3], HopStatus::Accepted) },
        &format!(
            "recording this hop would count value twice: it shares transfers 3, 14 with accepted hop #{b}; \
             reject one of them first, or record this one as suggested and accept it replacing hop #{b} \
             (`hoptrace accept CASE ID --replaces {b}`)"
        ),
    );
    let before = inv.case().content_hash();
    let accept = Command::AcceptHop { id: batch, replaces: vec![b, a], time_order_override: None };
    inv.apply(accept.clone()).expect("the batch hop replaces both");
    let hops = &inv.case().hops;
    assert_eq!(hops[&batch].status, HopStatus::Accepted);
    for old in [a, b] {
        assert_eq!(hops[&old].status, HopStatus::Rejected);
        assert_eq!(hops[&old].features["rejected_because"], format!("replaced by hop #{batch}"));
        assert_eq!(hops[&old].features["replaced_by"], batch.to_string());
    }
    assert_eq!(inv.case().audit.last().map(|e| &e.command), Some(&accept), "the replacement is one audited command");
    let after = inv.case().content_hash();
    inv.apply(Command::Undo).expect("undo");
    assert_eq!(inv.case().content_hash(), before, "one undo restores all three hops");
    assert_eq!(inv.case().hops[&a].status, HopStatus::Accepted);
    inv.apply(Command::Redo).expect("redo");
    assert_eq!(inv.case().content_hash(), after);
    assert!(inv.case().verify_audit().is_ok());
    // Only an accepted hop that overlaps is replaced.
    let c = record(&mut inv, pool_hop(&[16], &[1], HopStatus::Suggested));
    refused(
        &mut inv,
        Command::AcceptHop { id: c, replaces: vec![a], time_order_override: None },
        &format!("hop #{c} cannot replace hop #{a}: it is not accepted (only an accepted hop is replaced)"),
    );
    refused(
        &mut inv,
        Command::AcceptHop { id: c, replaces: vec![batch], time_order_override: None },
        &format!("hop #{c} cannot replace hop #{batch}: they share no transfer (accept it without --replaces)"),
    );
}

#[test]
fn a_chain_of_hops_is_not_a_double_count() {
    let mut inv = investigation();
    inv.apply(command(0, 0, 0.0)).expect("seed");
    // Withdrawal 2 is the pool hop's outbound and the next hop's inbound.
    record(&mut inv, pool_hop(&[13], &[2], HopStatus::Accepted));
    let next = Hop { kind: HopKind::Swap { venue: "router".into() }, ..pool_hop(&[2], &[5], HopStatus::Accepted) };
    record(&mut inv, next);
    assert_eq!(inv.case().hops.values().filter(|h| h.status == HopStatus::Accepted).count(), 2);
}

#[test]
fn a_hop_against_time_is_refused_unless_the_reason_is_recorded() {
    let mut inv = investigation();
    inv.apply(command(0, 0, 0.0)).expect("seed");
    // Withdrawals 4 and 5 (25 March) "in", deposits 13 and 14 (23 March) "out".
    let reversed = pool_hop(&[4, 5], &[13, 14], HopStatus::Accepted);
    refused(
        &mut inv,
        Command::AnnotateHop { hop: reversed.clone() },
        "the hop runs against time: outbound transfers 13 (2023-03-23T10:50:00Z), 14 (2023-03-23T11:00:37Z) are \
         before its earliest inbound transfer 4 (2023-03-25T17:10:00Z), so they carry none of the value that went in; \
         take them out of the hop, or, if the recorded times are wrong, record it with a stated reason for the override \
         (`--allow-time-order \"why\"` on the command line; kept in the hop and the audit log)",
    );
    // A suggestion against time is refused too: no finder proposes one.
    let suggested = Hop { status: HopStatus::Suggested, ..reversed.clone() };
    assert!(inv.apply(Command::AnnotateHop { hop: suggested }).is_err());
    // One outbound transfer after the earliest inbound one is enough (a batch: the first
    // withdrawal may precede the last deposit); one before it is not.
    record(&mut inv, pool_hop(&[13, 15], &[14], HopStatus::Suggested));
    refused(
        &mut inv,
        Command::AnnotateHop { hop: pool_hop(&[14, 15], &[13, 16], HopStatus::Suggested) },
        "the hop runs against time: outbound transfer 13 (2023-03-23T10:50:00Z) is before its earliest inbound \
         transfer 14 (2023-03-23T11:00:37Z), so it carries none of the value that went in; take it out of the hop, or, \
         if the recorded times are wrong, record it with a stated reason for the override (`--allow-time-order \"why\"` \
         on the command line; kept in the hop and the audit log)",
    );
    // The override is kept in the hop, and so in the audit entry that recorded it.
    let mut overridden = reversed;
    overridden.features.insert("time_order_override".into(), "the exchange's clock was two days slow".into());
    let id = record(&mut inv, overridden);
    assert_eq!(inv.case().hops[&id].features["time_order_override"], "the exchange's clock was two days slow");
    let Some(Command::AnnotateHop { hop }) = inv.case().audit.last().map(|e| &e.command) else {
        panic!("the last audit entry records the hop")
    };
    assert_eq!(hop.features["time_order_override"], "the exchange's clock was two days slow");
    // Changing a hop so that it runs against time is refused as well.
    let mut edited = inv.case().hops[&id].clone();
    edited.features.remove("time_order_override");
    assert!(inv.apply(Command::EditHop { id, hop: edited }).is_err());
    assert!(inv.case().verify_audit().is_ok());
}

#[test]
fn a_batch_is_one_undo_step_and_one_audit_entry_and_all_or_nothing() {
    let mut inv = investigation();
    inv.apply(Command::AddSeed { chain: "ethereum".into(), address: ACTOR.into() }).expect("applies");
    inv.apply(Command::Expand { node: eth(ACTOR), direction: ExpandDirection::Both, filter: CaseFilter::default() })
        .expect("applies");
    let before = inv.case().clone();
    let neighbours: Vec<NodeKey> =
        before.nodes.keys().filter(|k| **k != eth(ACTOR) && matches!(k, NodeKey::Address { .. })).cloned().collect();
    assert!(neighbours.len() >= 3, "{neighbours:?}");
    let commands: Vec<Command> = neighbours
        .iter()
        .map(|node| Command::Expand {
            node: node.clone(),
            direction: ExpandDirection::Out,
            filter: CaseFilter::default(),
        })
        .collect();
    // The same expansions one by one, on a copy: what the batch must come to.
    let mut one_by_one = investigation();
    one_by_one.apply(Command::AddSeed { chain: "ethereum".into(), address: ACTOR.into() }).expect("applies");
    one_by_one
        .apply(Command::Expand { node: eth(ACTOR), direction: ExpandDirection::Both, filter: CaseFilter::default() })
        .expect("applies");
    for c in commands.clone() {
        one_by_one.apply(c).expect("applies");
    }
    inv.apply(Command::Batch { commands }).expect("applies");
    assert_eq!(inv.case().nodes.keys().collect::<Vec<_>>(), one_by_one.case().nodes.keys().collect::<Vec<_>>());
    assert_eq!(inv.case().transfers, one_by_one.case().transfers);
    assert_eq!(inv.case().audit.len(), before.audit.len() + 1, "one audit entry");
    assert_eq!(inv.case().audit.last().map(|e| e.command.name()), Some("batch"));
    inv.case().verify_audit().expect("applies");
    // One undo takes the whole batch back.
    inv.apply(Command::Undo).expect("applies");
    assert_eq!(inv.case().nodes, before.nodes);
    assert_eq!(inv.case().transfers, before.transfers);
    inv.apply(Command::Redo).expect("applies");
    assert_eq!(inv.case().transfers, one_by_one.case().transfers);
    // A step that does not apply refuses the batch and keeps nothing of the steps before it.
    let kept = inv.case().clone();
    let bad = Command::Batch {
        commands: vec![
            Command::Hide { node: neighbours[0].clone() },
            Command::Pin { node: eth("0x0000000000000000000000000000000000000001") },
        ],
    };
    let err = inv.apply(bad).expect_err("refused").to_string();
    assert!(err.starts_with("step 2 (pin): "), "{err}");
    assert_eq!(inv.case().nodes, kept.nodes, "the hide of step 1 was undone");
    assert_eq!(inv.case().audit.len(), kept.audit.len());
    let nested = Command::Batch { commands: vec![Command::Undo] };
    assert!(inv.apply(nested).expect_err("refused").to_string().contains("plain commands only"));
}
