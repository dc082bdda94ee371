//! P2: expanding an exchange-like hub address (10,000 transfers in, 10,000 out) in a generated
//! ledger of 10,000,000 transfers, side by side with the same selection as raw SQL through
//! rusqlite on the same file.
//!
//! Run: `cargo bench --no-default-features --bench expand`. Environment:
//! - `HOPTRACE_BENCH_TRANSFERS`: ledger size (default 10,000,000; use 1,000,000 while developing);
//! - `HOPTRACE_BENCH_RUNS`: timed runs of each side (default 21; medians are reported).
//!
//! The ledger is generated ([`hoptrace::scenario`], `ScenarioConfig::bench`) and imported once,
//! then cached under `target/tmp/bench-expand/`, keyed by size, seed and a hash of the scenario
//! (10M transfers: about 2.6 GB of CSV written and imported, a few minutes on two cores; the CSV
//! is deleted afterwards, the ledger kept). Delete the directory to rebuild.
//!
//! Measured, after a warm-up, alternating in one process:
//! - (a) `Ledger::expand(hub, In, filter)` + `Ledger::expand(hub, Out, filter)` with a time
//!   window (the middle 60% of the hub's activity), a minimum value (0.1 ETH), chain `ethereum`
//!   and top N = 100: the ledger part of a graph expansion;
//! - (b) the same rows as raw SQL: `SELECT id, amount, asset_id, time, <counterparty> FROM
//!   transfers WHERE <side> = ? AND chain = ? AND time BETWEEN ? AND ? AND failed = 0 AND
//!   amount >= ?` for each side, reading every matching row (amounts are the ledger's
//!   order-preserving BLOBs: one length byte, then the minimal big-endian bytes).
//!
//! - (c) the whole expansion into the graph: `Investigation::apply(Command::Expand { Both })`
//!   with the same filter (plan, changes, audit entry) plus rebuilding the petgraph view.
//!
//! Goals (issue, P2): expansion into the graph ≤ 16 ms; ≤ 2× the raw SQL.

mod common;

use common::{cached_ledger, env_or, median};
use std::time::Instant;

use hoptrace::case::{CaseFilter, ExpandDirection, NodeKey};
use hoptrace::graph::{Command, Investigation};
use hoptrace::ledger::{Direction, Filter, Ledger, SqliteLedger};
use hoptrace::scenario::ScenarioConfig;
use rusqlite::{Connection, OpenFlags, params};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The ledger's amount encoding: one length byte, then the minimal big-endian bytes.
fn amount_blob(v: u128) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let mut out = vec![u8::try_from(16 - skip).expect("at most 16 bytes")];
    out.extend_from_slice(&bytes[skip..]);
    out
}

/// (b): every matching row of both sides through plain SQL; returns the row counts.
fn raw_sql(conn: &Connection, hub: &str, from: i64, to: i64, min: &[u8]) -> (u64, u64) {
    let id: i64 = conn
        .prepare_cached("SELECT id FROM addresses WHERE address = ?1")
        .and_then(|mut s| s.query_row([hub], |r| r.get(0)))
        .expect("hub address id");
    let chain: i64 = conn
        .prepare_cached("SELECT id FROM chains WHERE name = 'ethereum'")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .expect("chain id");
    let mut counts = [0u64; 2];
    for (i, (own, other)) in [("to_id", "from_id"), ("from_id", "to_id")].into_iter().enumerate() {
        let sql = format!(
            "SELECT id, amount, asset_id, time, {other} FROM transfers
             WHERE {own} = ?1 AND chain = ?2 AND time BETWEEN ?3 AND ?4 AND failed = 0 AND amount >= ?5"
        );
        let mut stmt = conn.prepare_cached(&sql).expect("prepare");
        let mut rows = stmt.query(params![id, chain, from, to, min]).expect("query");
        let mut checksum = 0i64;
        while let Some(r) = rows.next().expect("row") {
            let tid: i64 = r.get(0).expect("id");
            let amount = r.get_ref(1).expect("amount").as_blob().expect("blob");
            let asset: i64 = r.get(2).expect("asset");
            let time: i64 = r.get(3).expect("time");
            let party: Option<i64> = r.get(4).expect("counterparty");
            checksum = checksum
                .wrapping_add(tid ^ asset ^ time ^ party.unwrap_or(0))
                .wrapping_add(i64::from(amount.last().copied().unwrap_or(0)));
            counts[i] += 1;
        }
        std::hint::black_box(checksum);
    }
    (counts[0], counts[1])
}

/// (a): both expansions; returns the matching row counts (shown + folded).
fn expand(ledger: &SqliteLedger, hub: &str, filter: &Filter) -> (u64, u64) {
    let side = |d| {
        let e = ledger.expand(hub, d, filter).expect("expand");
        assert!(e.transfers.len() <= 100);
        e.transfers.len() as u64 + e.rest.map_or(0, |r| r.count)
    };
    (side(Direction::In), side(Direction::Out))
}

fn main() {
    let total: u64 = env_or("HOPTRACE_BENCH_TRANSFERS", 10_000_000);
    let runs: usize = env_or("HOPTRACE_BENCH_RUNS", 21usize).max(1);
    let cfg = ScenarioConfig::bench(total);
    println!("P2 expand: hub of a generated ledger of {total} transfers, {runs} runs each (medians)");
    let (path, scenario) = cached_ledger(&cfg, total);
    let hub = scenario.truth.hub.as_ref().expect("the bench scenario has a hub").address.clone();
    let (start, end) = (scenario.background.start, scenario.background.end);
    let span = end - start;
    let (from, to) = (start + span / 5, start + span * 4 / 5);
    let filter = Filter {
        from_time: Some(from),
        to_time: Some(to),
        min_value: Some("0.1".to_owned()),
        chains: vec!["ethereum".to_owned()],
        top: Some(100),
        ..Filter::default()
    };
    let min = amount_blob(100_000_000_000_000_000);

    let ledger = SqliteLedger::open(&path).expect("open ledger");
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .expect("open raw connection");
    // The same settings as the ledger's own connection (src/ledger/schema.rs).
    conn.execute_batch("PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 17179869184;")
        .expect("pragmas");
    let stored: u64 = conn.query_row("SELECT count(*) FROM transfers", [], |r| r.get(0)).expect("count");
    println!("  ledger: {} ({stored} transfers), hub {hub}", path.display());

    let ours_rows = expand(&ledger, &hub, &filter);
    let raw_rows = raw_sql(&conn, &hub, from, to, &min);
    assert_eq!(ours_rows, raw_rows, "both sides select the same rows");
    println!(
        "  filter: middle 60% of the time span, >= 0.1 ETH, ethereum, top 100: {} of 10000 in, {} of 10000 out match",
        ours_rows.0, ours_rows.1
    );
    for _ in 0..3 {
        std::hint::black_box(expand(&ledger, &hub, &filter));
        std::hint::black_box(raw_sql(&conn, &hub, from, to, &min));
    }
    // The 2 × 100 shown rows, fetched again by id: the part of (a) that reads full rows
    // (hashes, addresses, provenance) rather than scanning.
    let shown: Vec<i64> = [Direction::In, Direction::Out]
        .into_iter()
        .flat_map(|d| ledger.expand(&hub, d, &filter).expect("expand").transfers)
        .map(|r| r.id)
        .collect();
    let (mut ours, mut raw, mut fetch) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(expand(&ledger, &hub, &filter));
        ours.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(raw_sql(&conn, &hub, from, to, &min));
        raw.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(ledger.transfers_by_id(&shown).expect("by id"));
        fetch.push(t.elapsed());
    }
    // (c) The whole expansion into the graph, as the window does it: `Investigation::apply`
    // (plan through the ledger, apply the changes, audit entry) and rebuilding the petgraph
    // view. Undone (untimed) after each run.
    let mut inv = Investigation::create(
        SqliteLedger::open(&path).expect("open ledger"),
        path.display().to_string(),
        "bench".to_owned(),
        "P2".to_owned(),
        "bench".to_owned(),
        0,
    )
    .expect("case");
    inv.apply(Command::AddSeed { chain: "ethereum".to_owned(), address: hub.clone() }).expect("seed");
    let node = NodeKey::address("ethereum", hub.clone());
    let case_filter = CaseFilter {
        from_time: Some(from),
        to_time: Some(to),
        min_value: Some("0.1".to_owned()),
        assets: Vec::new(),
        top: Some(100),
    };
    let expand_cmd = Command::Expand { node, direction: ExpandDirection::Both, filter: case_filter };
    let mut graph_runs = Vec::new();
    let mut graph_size = (0, 0);
    for i in 0..runs + 3 {
        let t = Instant::now();
        inv.apply(expand_cmd.clone()).expect("expand");
        let g = inv.graph().expect("graph");
        let took = t.elapsed();
        graph_size = (g.graph.node_count(), g.graph.edge_count());
        inv.apply(Command::Undo).expect("undo");
        if i >= 3 {
            graph_runs.push(took);
        }
    }
    let c = median(graph_runs.clone());
    println!(
        "  (c) expansion into the graph (Investigation::apply + petgraph view, {} nodes, {} edges): median {c:.2?} (goal <= 16 ms)",
        graph_size.0, graph_size.1
    );
    println!("      runs (c) {graph_runs:.2?}");
    let (a, b) = (median(ours.clone()), median(raw.clone()));
    println!("  (a) ledger part of the expansion, expand(In) + expand(Out), top 100 + aggregate each:");
    println!("      median {a:.2?}");
    println!(
        "      of which fetching the {} shown rows in full (transfers_by_id): median {:.2?}",
        shown.len(),
        median(fetch)
    );
    println!("  (b) raw SQL, same rows read through rusqlite:  median {b:.2?}");
    println!("  ratio (a)/(b): {:.2}x (goal <= 2x)", a.as_secs_f64() / b.as_secs_f64());
    println!("  runs (a) {ours:.2?}");
    println!("  runs (b) {raw:.2?}");
}
