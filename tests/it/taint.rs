//! Value tracing, peel chains and paths end to end on the demo scenario
//! (`ScenarioConfig::small()`), scored against its ground truth: taint from the exploiters,
//! across the hops the truth names, reaches every true cash-out with exactly the amount
//! deposited; the peel follower retraces the true peel chains; paths lead from the
//! exploiter to the exchange deposit.

use std::collections::BTreeMap;
use std::path::Path;

use hoptrace::analysis::paths::{self, PathOptions};
use hoptrace::analysis::peel::{self, PeelOptions, PeelRule};
use hoptrace::analysis::taint::{self, Method, Seed, StopReason, TaintOptions, ViaLedger};
use hoptrace::case::NodeKey;
use hoptrace::ledger::{Ledger, SqliteLedger};
use hoptrace::model::{Hop, HopKind, HopStatus};
use hoptrace::scenario::truth::TransferRef;
use hoptrace::scenario::{GroundTruth, ScenarioConfig, build_ledger, generate};

fn demo(dir: &Path) -> (SqliteLedger, GroundTruth) {
    let s = generate(&ScenarioConfig::small()).expect("generate the demo");
    let path = dir.join("ledger.sqlite");
    build_ledger(&s, &dir.join("exports"), &path).expect("build ledger");
    (SqliteLedger::open(&path).expect("open ledger"), s.truth)
}

fn id(ledger: &SqliteLedger, r: &TransferRef) -> i64 {
    ledger
        .tx_transfers(&r.chain, &r.tx_hash)
        .expect("tx")
        .into_iter()
        .find(|row| row.transfer.kind == r.kind && row.transfer.position.unwrap_or(-1) == r.position)
        .map(|row| row.id)
        .unwrap_or_else(|| panic!("{r:?} is not in the ledger"))
}

fn hop(kind: HopKind, inbound: Vec<i64>, outbound: Vec<i64>) -> Hop {
    Hop {
        kind,
        inbound,
        outbound,
        confidence: 90,
        rationale: "from the ground truth".to_owned(),
        features: BTreeMap::new(),
        status: HopStatus::Accepted,
        author: "test".to_owned(),
        time: 0,
    }
}

/// The attacker's swaps, pool notes, bridge crossings, mixer rounds and OTC trades as
/// annotated hops, as an investigator who found them all would have them.
fn truth_hops(ledger: &SqliteLedger, t: &GroundTruth) -> Vec<(u64, Hop)> {
    let mut hops = Vec::new();
    let swap = || HopKind::Swap { venue: "DEX".to_owned() };
    for s in &t.swaps {
        hops.push(hop(swap(), vec![id(ledger, &s.sold)], vec![id(ledger, &s.bought)]));
    }
    for p in t.pool_pairs.iter().filter(|p| p.attacker) {
        let mut out = vec![id(ledger, &p.withdrawal)];
        out.extend(p.relayer_transfer.iter().map(|r| id(ledger, r)));
        let kind = HopKind::Mixer { service: "pool".to_owned(), pool: None };
        hops.push(hop(kind, vec![id(ledger, &p.deposit)], out));
    }
    for b in t.bridge_pairs.iter().filter(|b| b.attacker) {
        let kind = HopKind::Bridge {
            bridge: "b".to_owned(),
            from_chain: "ethereum".to_owned(),
            to_chain: "bitcoin".to_owned(),
        };
        hops.push(hop(kind, vec![id(ledger, &b.deposit)], vec![id(ledger, &b.release)]));
    }
    for m in t.mixer_rounds.iter().filter(|m| m.attacker) {
        let kind = HopKind::Mixer { service: "custodial".to_owned(), pool: None };
        hops.push(hop(kind, vec![id(ledger, &m.deposit)], m.payouts.iter().map(|p| id(ledger, p)).collect()));
    }
    for o in &t.otc_trades {
        let kind = HopKind::CashOut { venue: "OTC".to_owned() };
        hops.push(hop(kind, vec![id(ledger, &o.btc_in)], vec![id(ledger, &o.usdt_out)]));
    }
    hops.into_iter().enumerate().map(|(i, h)| (i as u64 + 1, h)).collect()
}

fn exploiters(t: &GroundTruth) -> Vec<Seed> {
    t.attacker_addresses
        .iter()
        .filter(|a| a.role == "exploiter")
        .map(|a| Seed::Address { chain: a.chain.clone(), address: a.address.clone() })
        .collect()
}

#[test]
fn taint_from_the_exploiters_reaches_every_true_cash_out_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ledger, truth) = demo(dir.path());
    let hops = truth_hops(&ledger, &truth);
    assert!(!truth.cash_outs.is_empty());
    for method in [Method::Poison, Method::Haircut, Method::Fifo] {
        let mut o = TaintOptions::new(method);
        o.max_hops = 40;
        o.hops = hops.clone();
        let r = taint::trace(&ledger, &exploiters(&truth), &o).expect("trace");
        for f in &r.flows {
            assert!(f.is_conserved(), "{} {}: {f:#?}", method.name(), f.asset);
        }
        for stolen in &truth.stolen {
            let f = r.flows.iter().find(|f| f.chain == "ethereum" && f.asset == stolen.asset).expect("flow");
            assert_eq!(f.seeded, stolen.amount, "{}: seeded {}", method.name(), stolen.symbol);
        }
        // Every cash-out of the attacker's funds is an endpoint at the exchange's deposit
        // address, with exactly the amount deposited (the funds were never mixed with clean
        // ones outside the annotated hops).
        for c in &truth.cash_outs {
            let f = r.flows.iter().find(|f| f.chain == c.chain && f.asset == c.asset).expect("cash-out flow");
            let node = NodeKey::address(c.chain.clone(), c.deposit_address.clone());
            let e = f.endpoints.iter().find(|e| e.node == node).unwrap_or_else(|| {
                panic!("{}: {} deposit {} not reached", method.name(), c.exchange, c.deposit_address)
            });
            assert!(matches!(e.reason, StopReason::Service { .. }), "{:?}", e.reason);
            assert_eq!(e.amount, c.amount, "{}: {} {}", method.name(), c.exchange, c.deposit_address);
        }
        // The OTC broker is reached through its hops: one hop endpoint per trade.
        let btc = r.flows.iter().find(|f| f.chain == "bitcoin").expect("bitcoin flow");
        let otc = btc.endpoints.iter().filter(|e| matches!(e.reason, StopReason::AnnotatedHop { .. })).count();
        assert!(otc >= truth.otc_trades.len() + truth.mixer_rounds.iter().filter(|m| m.attacker).count());
    }
    // Without the hops, taint stops at the services the ledger's labels name: the pools
    // and the DEX router.
    let r = taint::trace(&ledger, &exploiters(&truth), &TaintOptions::new(Method::Haircut)).expect("trace");
    let services: std::collections::BTreeSet<String> = r
        .flows
        .iter()
        .flat_map(|f| &f.endpoints)
        .filter_map(|e| match &e.reason {
            StopReason::Service { entity, .. } => Some(entity.clone()),
            _ => None,
        })
        .collect();
    assert!(services.iter().any(|s| s.starts_with("Tornado-style pool")), "{services:?}");
    assert!(services.contains("DEX router (synthetic)"), "{services:?}");
    assert!(r.flows.iter().all(|f| f.chain == "ethereum" && f.is_conserved()));
}

#[test]
fn the_fast_ledger_queries_and_the_ledger_trait_trace_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ledger, truth) = demo(dir.path());
    let mut o = TaintOptions::new(Method::Fifo);
    o.max_hops = 40;
    o.hops = truth_hops(&ledger, &truth);
    let fast = taint::trace(&ledger, &exploiters(&truth), &o).expect("fast");
    let general = taint::trace(&ViaLedger(&ledger), &exploiters(&truth), &o).expect("general");
    assert_eq!(fast, general);
    assert!(fast.transfers_read > 100, "{}", fast.transfers_read);
}

#[test]
fn peel_follower_retraces_the_true_peel_chains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ledger, truth) = demo(dir.path());
    assert!(!truth.peel_chains.is_empty());
    for chain in &truth.peel_chains {
        let r = peel::follow(&ledger, "bitcoin", &chain.start_address, &PeelOptions::default()).expect("follow");
        let got: Vec<(String, i64, i64)> = r.steps.iter().map(|s| (s.tx_hash.clone(), s.peel, s.change)).collect();
        let want: Vec<(String, i64, i64)> =
            chain.steps.iter().map(|s| (s.tx_hash.clone(), id(&ledger, &s.peel), id(&ledger, &s.change))).collect();
        assert_eq!(got, want, "peel chain from {}", chain.start_address);
        for (step, truth_step) in r.steps.iter().zip(&chain.steps) {
            assert_eq!(step.hop.kind, HopKind::PeelChain);
            assert_eq!(step.hop.status, HopStatus::Suggested);
            assert_eq!(step.hop.features.get("peel_sats"), Some(&truth_step.peel_amount.to_string()));
            assert_eq!(step.hop.features.get("fee_sats"), Some(&truth_step.miner_fee.to_string()));
            assert!(step.hop.rationale.contains(&format!("{} deposit", truth_step.exchange)), "{}", step.hop.rationale);
        }
        // The last change is sold whole to the OTC broker: one output, no change.
        assert_eq!(r.stops.len(), 1, "{:?}", r.stops);
        assert_eq!(r.stops[0].rule, PeelRule::NoChange);
        assert!(r.stops[0].detail.contains("OTC broker"), "{}", r.stops[0].detail);
        // With a depth limit of two, the branch stops after two steps, saying so.
        let o = PeelOptions { max_depth: 2, ..PeelOptions::default() };
        let r = peel::follow(&ledger, "bitcoin", &chain.start_address, &o).expect("follow");
        assert_eq!((r.steps.len(), r.stops[0].rule), (2, PeelRule::DepthLimit));
    }
}

#[test]
fn paths_lead_from_the_exploiter_to_the_exchange_deposit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ledger, truth) = demo(dir.path());
    let cash_out = truth.cash_outs.iter().find(|c| c.chain == "ethereum").expect("an ethereum cash-out");
    let from = &truth.attacker_addresses.iter().find(|a| a.role == "exploiter").expect("exploiter").address;
    let o = PathOptions { max_hops: 8, ..PathOptions::default() };
    let r = paths::find(&ledger, "ethereum", from, &cash_out.deposit_address, &o).expect("paths");
    let short = r.shortest.expect("a shortest path");
    let widest = r.widest.iter().find(|p| p.hops.iter().all(|h| h.asset == "ETH")).expect("a widest ETH path");
    for p in [&short, widest] {
        assert_eq!(p.hops.first().map(|h| h.from.as_str()), Some(from.as_str()));
        assert_eq!(p.hops.last().map(|h| h.to.as_str()), Some(cash_out.deposit_address.as_str()));
        for w in p.hops.windows(2) {
            assert_eq!(w[0].to, w[1].from);
            assert!(w[0].time <= w[1].time, "time goes forward");
        }
        let rows =
            ledger.transfers_by_id(&p.hops.iter().flat_map(|h| h.transfers.clone()).collect::<Vec<_>>()).expect("rows");
        assert_eq!(
            rows.len(),
            p.hops.iter().map(|h| h.transfers.len()).sum::<usize>(),
            "every transfer is in the ledger"
        );
    }
    assert!(short.hops.len() <= widest.hops.len());
    assert_eq!(widest.bottleneck, widest.hops.iter().map(|h| h.amount).min());
    assert!(widest.bottleneck >= short.bottleneck, "{:?} vs {:?}", widest.bottleneck, short.bottleneck);
    assert_eq!(short.hops.last().and_then(|h| h.to_label.clone()).as_deref(), Some("Exchange A deposit (exchange)"));
}

fn hoptrace(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).output().expect("run hoptrace");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn cli_taint_peel_and_paths_on_the_demo_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("demo");
    let out_s = out.to_str().expect("utf-8 path");
    assert!(hoptrace(&["demo", "--out", out_s]).0);
    let case = out.join("demo-case.ron");
    let case_s = case.to_str().expect("utf-8 path");
    let truth: GroundTruth =
        serde_json::from_str(&std::fs::read_to_string(out.join("exports/ground-truth.json")).expect("truth"))
            .expect("json");
    for method in ["poison", "haircut", "fifo"] {
        let (ok, text) = hoptrace(&["taint", case_s, "--method", method, "--hops", "12"]);
        assert!(ok, "{text}");
        let lines: Vec<&str> = text.lines().filter(|l| l.contains("conservation:")).collect();
        assert!(
            lines.len() >= 2 && lines.iter().all(|l| l.ends_with("base units)") && l.contains(": exact (")),
            "{text}"
        );
    }
    let (ok, json) = hoptrace(&["taint", case_s, "--method", "haircut", "--json"]);
    assert!(ok, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("taint json");
    assert!(v["conservation"].as_array().is_some_and(|c| c.iter().all(|x| x["conserved"] == true)));
    // Peel from the first true chain and add the steps to the case (audited).
    let chain = &truth.peel_chains[0];
    let (ok, text) = hoptrace(&["peel", case_s, "--address", &chain.start_address, "--add"]);
    assert!(ok, "{text}");
    assert!(text.contains(&format!("{} suggested peel-chain hops added", chain.steps.len())), "{text}");
    assert!(text.contains("NoChange") && text.contains("OTC broker"), "{text}");
    let (ok, text) = hoptrace(&["audit", case_s]);
    assert!(ok, "{text}");
    let saved = hoptrace::case::file::load(&case).expect("case");
    assert_eq!(
        saved.hops.values().filter(|h| h.kind == HopKind::PeelChain && h.status == HopStatus::Suggested).count(),
        chain.steps.len()
    );
    let from = &truth.attacker_addresses.iter().find(|a| a.role == "exploiter").expect("exploiter").address;
    let to = &truth.cash_outs.iter().find(|c| c.chain == "ethereum").expect("cash-out").deposit_address;
    let (ok, text) = hoptrace(&["paths", case_s, from, to, "--max-hops", "6"]);
    assert!(ok, "{text}");
    let ledger = SqliteLedger::open(&out.join("demo-ledger.sqlite")).expect("ledger");
    let lib = paths::find(&ledger, "ethereum", from, to, &PathOptions::default()).expect("paths");
    let n = lib.shortest.expect("a path").hops.len();
    assert!(
        text.contains(&format!("shortest: {n} hops")) && text.contains("[Exchange A deposit (exchange)]"),
        "{text}"
    );
}

/// Suggestions may overlap: each attacker deposit into a pool paired with its own withdrawal
/// and the next pair's, crossed together with the true pool hops (ETH in, ETH out). Whatever
/// the suggestions, what comes out of the hops never exceeds what went in, no endpoint gets
/// more than the transfers into it moved, and every asset conserves. (Before, overlapping hops
/// each handed the same withdrawal on: 533.33 ETH "from hops" for far less put in.)
#[test]
fn overlapping_suggestions_never_hand_the_same_value_on_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ledger, truth) = demo(dir.path());
    let pairs: Vec<_> = truth.pool_pairs.iter().filter(|p| p.attacker).collect();
    assert!(pairs.len() >= 2, "the demo has several attacker pool notes");
    let pool = || HopKind::Mixer { service: "pool".to_owned(), pool: None };
    // Numbered first (a deposit inbound to several hops is crossed by the first): each deposit
    // with its own withdrawal and the next pair's, so every withdrawal is in two suggestions
    // and each pays out twice what went in; then the true hops, crossed for nothing.
    let mut hops: Vec<(u64, Hop)> = Vec::new();
    for (p, next) in pairs.iter().zip(pairs.iter().cycle().skip(1)) {
        let mut h =
            hop(pool(), vec![id(&ledger, &p.deposit)], vec![id(&ledger, &p.withdrawal), id(&ledger, &next.withdrawal)]);
        h.status = HopStatus::Suggested;
        hops.push((hops.len() as u64 + 1, h));
    }
    for p in &pairs {
        let mut out = vec![id(&ledger, &p.withdrawal)];
        out.extend(p.relayer_transfer.iter().map(|r| id(&ledger, r)));
        hops.push((hops.len() as u64 + 1, hop(pool(), vec![id(&ledger, &p.deposit)], out)));
    }
    for method in [Method::Poison, Method::Haircut, Method::Fifo] {
        let mut o = TaintOptions::new(method);
        o.max_hops = 40;
        o.hops = hops.clone();
        let r = taint::trace(&ledger, &exploiters(&truth), &o).expect("trace");
        let eth = r.flows.iter().find(|f| f.chain == "ethereum" && f.asset == "ETH").expect("ETH flow");
        let into_hops = eth
            .endpoints
            .iter()
            .filter(|e| matches!(e.reason, StopReason::AnnotatedHop { .. }))
            .fold(0u128, |a, e| a + u128::try_from(e.amount.0).expect("fits"));
        let out_of_hops = u128::try_from(eth.from_hops.0).expect("fits");
        assert!(into_hops > 0, "{}: the pools were reached", method.name());
        assert!(out_of_hops <= into_hops, "{}: {out_of_hops} came out of the hops, {into_hops} went in", method.name());
        for f in &r.flows {
            assert!(f.is_conserved(), "{} {}: {f:#?}", method.name(), f.asset);
            if method != Method::Poison {
                for e in &f.endpoints {
                    assert!(e.amount <= e.exposure, "{}: {e:?} carries more than it moved", method.name());
                }
            }
        }
    }
}
