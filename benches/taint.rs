//! P6: taint 6 hops from the scenario's exploiter seeds over a generated ledger of
//! 10,000,000 transfers (goal ≤ 2 s), for each method, median of 5 runs.
//!
//! Run: `cargo bench --no-default-features --bench taint`. Environment:
//! - `HOPTRACE_BENCH_TRANSFERS`: ledger size (default 10,000,000);
//! - `HOPTRACE_BENCH_RUNS`: timed runs per case (default 5);
//! - `HOPTRACE_BENCH_DIR`: a folder holding an already built ledger of the expand bench
//!   (`ledger-<size>-<seed>-<key>.sqlite`, e.g. another checkout's
//!   `target/tmp/bench-expand`): it is copied (read only) into this checkout's cache instead
//!   of being rebuilt.
//!
//! The ledger is the one `benches/expand.rs` builds and caches under
//! `target/tmp/bench-expand/` (same scenario, same file name: built once, a few minutes at
//! 10M). Measured, after one warm-up run each, on one open ledger:
//! - (a) the P6 figure: the exploiters' taint, 6 hops, stopping at labelled services
//!   (the exchange hub of 10,000 transfers in and out is labelled, so it is an endpoint);
//! - (b) the same with the ground truth's hops annotated (swaps, pool notes, bridge
//!   crossings, mixer rounds, OTC trades), as a worked case would have them;
//! - (c) a stress case: through services (only the hop limit and the node cap stop it), so
//!   the pools' thousands of withdrawals and the hub's 10,000 are replayed.

mod common;

use common::{cached_ledger, env_or, median};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hoptrace::analysis::taint::{self, Method, Seed, TaintOptions, TaintReport};
use hoptrace::ledger::{Ledger, SqliteLedger};
use hoptrace::model::{Hop, HopKind, HopStatus};
use hoptrace::scenario::truth::TransferRef;
use hoptrace::scenario::{GroundTruth, ScenarioConfig};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn id(ledger: &SqliteLedger, r: &TransferRef) -> i64 {
    ledger
        .tx_transfers(&r.chain, &r.tx_hash)
        .expect("tx")
        .into_iter()
        .find(|row| row.transfer.kind == r.kind && row.transfer.position.unwrap_or(-1) == r.position)
        .map(|row| row.id)
        .expect("a truth transfer in the ledger")
}

/// The attacker's hops from the ground truth (as `tests/it/taint.rs` builds them).
fn truth_hops(ledger: &SqliteLedger, t: &GroundTruth) -> Vec<(u64, Hop)> {
    let hop = |kind, inbound, outbound| Hop {
        kind,
        inbound,
        outbound,
        confidence: 90,
        rationale: "ground truth".to_owned(),
        features: BTreeMap::new(),
        status: HopStatus::Accepted,
        author: "bench".to_owned(),
        time: 0,
    };
    let venue = |v: &str| HopKind::Swap { venue: v.to_owned() };
    let mut hops = Vec::new();
    for s in &t.swaps {
        hops.push(hop(venue("dex"), vec![id(ledger, &s.sold)], vec![id(ledger, &s.bought)]));
    }
    for p in t.pool_pairs.iter().filter(|p| p.attacker) {
        let mut out = vec![id(ledger, &p.withdrawal)];
        out.extend(p.relayer_transfer.iter().map(|r| id(ledger, r)));
        hops.push(hop(venue("pool"), vec![id(ledger, &p.deposit)], out));
    }
    for b in t.bridge_pairs.iter().filter(|b| b.attacker) {
        hops.push(hop(venue("bridge"), vec![id(ledger, &b.deposit)], vec![id(ledger, &b.release)]));
    }
    for m in t.mixer_rounds.iter().filter(|m| m.attacker) {
        hops.push(hop(venue("mixer"), vec![id(ledger, &m.deposit)], m.payouts.iter().map(|p| id(ledger, p)).collect()));
    }
    for o in &t.otc_trades {
        hops.push(hop(venue("otc"), vec![id(ledger, &o.btc_in)], vec![id(ledger, &o.usdt_out)]));
    }
    hops.into_iter().enumerate().map(|(i, h)| (i as u64 + 1, h)).collect()
}

fn measure(
    ledger: &SqliteLedger,
    seeds: &[Seed],
    o: &TaintOptions,
    runs: usize,
) -> (Duration, Vec<Duration>, TaintReport) {
    let report = taint::trace(ledger, seeds, o).expect("trace");
    assert!(report.flows.iter().all(|f| f.is_conserved()), "conservation");
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let r = taint::trace(ledger, seeds, o).expect("trace");
        times.push(t.elapsed());
        assert_eq!(r, report, "deterministic");
    }
    (median(times.clone()), times, report)
}

fn main() {
    let total: u64 = env_or("HOPTRACE_BENCH_TRANSFERS", 10_000_000);
    let runs: usize = env_or("HOPTRACE_BENCH_RUNS", 5usize).max(1);
    let cfg = ScenarioConfig::bench(total);
    println!("P6 taint: exploiter seeds over a generated ledger of {total} transfers, {runs} runs each (medians)");
    let (path, scenario) = cached_ledger(&cfg, total);
    let ledger = SqliteLedger::open(&path).expect("open ledger");
    let seeds: Vec<Seed> = scenario
        .truth
        .attacker_addresses
        .iter()
        .filter(|a| a.role == "exploiter")
        .map(|a| Seed::Address { chain: a.chain.clone(), address: a.address.clone() })
        .collect();
    let hops = truth_hops(&ledger, &scenario.truth);
    let cases: [(&str, bool, bool); 3] = [
        ("(a) 6 hops, stop at services", true, false),
        ("(b) 6 hops, truth hops annotated", true, true),
        ("(c) 6 hops, through services (stress)", false, false),
    ];
    for (title, stop, with_hops) in cases {
        println!("  {title}:");
        for method in [Method::Poison, Method::Haircut, Method::Fifo] {
            let mut o = TaintOptions::new(method);
            o.stop_at_services = stop;
            if with_hops {
                o.hops = hops.clone();
            }
            let (m, times, r) = measure(&ledger, &seeds, &o, runs);
            let endpoints: usize = r.flows.iter().map(|f| f.endpoints.len()).sum();
            println!(
                "    {:<8} median {m:>10.2?} (goal <= 2 s): {} transfers read, {} tainted, {} nodes read, {} endpoints, {} assets conserved exactly",
                method.name(),
                r.transfers_read,
                r.transfers_tainted,
                r.nodes_read,
                endpoints,
                r.flows.len()
            );
            println!("             runs {times:.2?}");
        }
    }
}
