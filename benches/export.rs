//! P8: exporting a 10,000-node case as an evidence package.
//!
//! Run: `cargo bench --no-default-features --bench export`. Environment:
//! - `HOPTRACE_BENCH_TRANSFERS`: ledger size (default 1,000,000);
//! - `HOPTRACE_BENCH_RUNS`: timed runs (default 5; the median is reported);
//! - `HOPTRACE_BENCH_KEEP`: a path to copy the package to (to compare the bytes of two builds).
//!
//! The ledger is the generated benchmark scenario ([`ScenarioConfig::bench`]: an exchange hub
//! with 10,000 transfers in and 10,000 out, each from or to its own address, and background
//! for the rest), imported once and cached under `target/tmp/bench-expand/`. The case: the hub
//! as seed, expanded both ways with the top 5,000 transfers per side (10,001 address nodes, two
//! "+N more" aggregates, 10,000 transfers), a few labels and a hop.
//!
//! Timed, as `hoptrace export` does it: reading what the case needs from the ledger
//! (`Evidence::gather`: rows, labels, assets, the graph), building every file (case, audit,
//! CSVs, GraphML, STIX, the rendered `graph.svg`, `graph.png`, `report.html` and
//! `report.pdf`, manifest, SHA256SUMS) and writing the zip. Goal (issue 5, P8): ≤ 2 s.
//!
//! The median time of each step is printed too, measured between the export's own progress
//! reports (each step is reported as it starts).

mod common;

use common::{cached_ledger, env_or, median};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hoptrace::case::{CaseFilter, ExpandDirection, NodeKey};
use hoptrace::export::{Evidence, ExportOptions, Layout, Steps, build, export};
use hoptrace::graph::{Command, Investigation};
use hoptrace::ledger::{Direction, Filter, Ledger, SqliteLedger};
use hoptrace::model::{Category, Hop, HopKind, HopStatus};
use hoptrace::package::verify;
use hoptrace::scenario::ScenarioConfig;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The cached ledger of `total` transfers ([`cached_ledger`]); and the hub's address.
fn ledger(total: u64) -> (PathBuf, String) {
    let (path, scenario) = cached_ledger(&ScenarioConfig::bench(total), total);
    let hub = scenario.truth.hub.as_ref().expect("the bench scenario has a hub").address.clone();
    (path, hub)
}

fn main() {
    let total: u64 = env_or("HOPTRACE_BENCH_TRANSFERS", 1_000_000);
    let runs: usize = env_or("HOPTRACE_BENCH_RUNS", 5usize).max(1);
    println!("P8 export: a 10,000-node case of a generated ledger of {total} transfers, {runs} runs (median)");
    let (path, hub) = ledger(total);
    let sqlite = SqliteLedger::open(&path).expect("open ledger");
    let fingerprint = sqlite.fingerprint().expect("fingerprint");
    let mut clock = 1_700_000_000;
    let mut inv = Investigation::create(
        sqlite,
        path.display().to_string(),
        "bench-p8".into(),
        "P8".into(),
        "bench".into(),
        clock,
    )
    .expect("case")
    .with_clock(move || {
        clock += 60;
        clock
    });
    inv.apply(Command::AddSeed { chain: "ethereum".into(), address: hub.clone() }).expect("seed");
    let hub_node = NodeKey::address("ethereum", hub.clone());
    let filter = CaseFilter { top: Some(5_000), ..CaseFilter::default() };
    inv.apply(Command::Expand { node: hub_node.clone(), direction: ExpandDirection::Both, filter }).expect("expand");
    let side = |d| {
        let f = Filter { top: Some(1), chains: vec!["ethereum".into()], ..Filter::default() };
        inv.ledger().transfers(&hub, d, &f).expect("transfers")[0].id
    };
    let (first_in, first_out) = (side(Direction::In), side(Direction::Out));
    let hop = Hop {
        kind: HopKind::CashOut { venue: "Exchange A".into() },
        inbound: vec![first_in],
        outbound: vec![first_out],
        confidence: 70,
        rationale: "deposit and withdrawal of the same size".into(),
        features: Default::default(),
        status: HopStatus::Accepted,
        author: String::new(),
        time: 0,
    };
    inv.apply(Command::AnnotateHop { hop }).expect("hop");
    inv.apply(Command::Label {
        node: hub_node,
        entity: "Exchange A".into(),
        category: Category::Exchange,
        source: "bench".into(),
    })
    .expect("label");
    let case = inv.case().clone();
    assert_eq!(case.ledger.fingerprint, fingerprint);
    println!(
        "  case: {} nodes, {} transfers, {} aggregates, {} hops, {} audit entries",
        case.nodes.len(),
        case.transfers.len(),
        case.aggregates.len(),
        case.hops.len(),
        case.audit.len()
    );
    assert!(case.nodes.len() >= 10_000, "at least 10,000 nodes");
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = out_dir.path().join("p8.zip");
    let options = ExportOptions::default();
    let (mut whole, mut gather, mut files) = (Vec::new(), Vec::new(), Vec::new());
    // Step name → its time in each run, in the order the export reports them.
    let mut order: Vec<String> = Vec::new();
    let mut per_step: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let mut size = 0;
    for i in 0..runs + 1 {
        let ledger = SqliteLedger::open(&path).expect("open ledger");
        let t = Instant::now();
        let ev = Evidence::gather(case.clone(), &ledger).expect("gather");
        let g = t.elapsed();
        let mut marks: Vec<(String, Instant)> = Vec::new();
        let summary = export(&ev, &options, &out, Layout::Zip, &mut |p| marks.push((p.step, Instant::now())), None)
            .expect("export");
        let took = t.elapsed();
        if i > 0 {
            for pair in marks.windows(2) {
                if !order.contains(&pair[0].0) {
                    order.push(pair[0].0.clone());
                }
                per_step.entry(pair[0].0.clone()).or_default().push(pair[1].1 - pair[0].1);
            }
        }
        size = summary.bytes;
        let mut quiet = |_| {};
        let t2 = Instant::now();
        std::hint::black_box(build(&ev, &options, &mut Steps::new(&mut quiet, None, 10)).expect("build"));
        let b = t2.elapsed();
        if i > 0 {
            whole.push(took);
            gather.push(g);
            files.push(b);
        }
    }
    let report = verify(&out);
    assert!(report.is_intact(), "{:?}", report.problems);
    if let Some(keep) = std::env::var_os("HOPTRACE_BENCH_KEEP") {
        std::fs::copy(&out, &keep).expect("copy the package");
    }
    println!("  package: {size} bytes, verified intact");
    println!("  export (gather + build + render + write zip): median {:.2?} (goal <= 2 s)", median(whole.clone()));
    println!("    of which reading the ledger (Evidence::gather): median {:.2?}", median(gather));
    println!("    building the files in memory (no zip, separately): median {:.2?}", median(files));
    println!("    steps of the export (medians):");
    for step in &order {
        println!("      {step:<16} {:>10.2?}", median(per_step[step].clone()));
    }
    println!("  runs {whole:.2?}");
}
