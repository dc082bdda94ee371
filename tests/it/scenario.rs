//! The scenario generator: the committed demo (`cases/scenario/`) is reproduced byte for byte,
//! its exports import without a refused row, the ground truth agrees with the ledger built
//! from them, and the output depends on the seed (and only on it).
//!
//! After an intended change of the generator, `HOPTRACE_BLESS=1 cargo test --test it scenario::`
//! rewrites the committed files and the truth tables of `cases/scenario/README.md`.

use std::path::{Path, PathBuf};

use hoptrace::ledger::{Direction, Filter, ImportOutcome, Ledger, SqliteLedger};
use hoptrace::model::{Amount, Category, Transfer, TransferKind};
use hoptrace::scenario::truth::TransferRef;
use hoptrace::scenario::{
    GroundTruth, HubSpec, Scenario, ScenarioConfig, build_ledger, generate, report, write_exports,
};

const FILES: [&str; 4] = ["transfers.csv", "bitcoin-rawtx.jsonl", "labels.yaml", "ground-truth.json"];
const BEGIN: &str = "<!-- truth:begin -->\n";
const END: &str = "<!-- truth:end -->";

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/scenario")
}

fn small() -> Scenario {
    generate(&ScenarioConfig::small()).expect("generate the demo")
}

fn u(a: &Amount) -> u128 {
    a.to_string().parse().expect("amount fits u128")
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    match a.lines().zip(b.lines()).enumerate().find(|(_, (x, y))| x != y) {
        Some((i, (x, y))) => format!("line {}:\n  generated: {x}\n  committed: {y}", i + 1),
        None => format!("lengths differ: {} vs {} lines", a.lines().count(), b.lines().count()),
    }
}

#[test]
fn committed_demo_is_reproduced_byte_for_byte() {
    let s = small();
    let dir = tempfile::tempdir().expect("tempdir");
    write_exports(&s, dir.path()).expect("write exports");
    let readme_path = case_dir().join("README.md");
    let table = report::markdown(&s.truth);
    if std::env::var_os("HOPTRACE_BLESS").is_some() {
        std::fs::create_dir_all(case_dir()).expect("case dir");
        for f in FILES {
            std::fs::copy(dir.path().join(f), case_dir().join(f)).expect("bless file");
        }
        let readme = std::fs::read_to_string(&readme_path).unwrap_or_else(|_| format!("{BEGIN}{END}\n"));
        let (head, rest) = readme.split_once(BEGIN).expect("README has the truth:begin marker");
        let (_, tail) = rest.split_once(END).expect("README has the truth:end marker");
        std::fs::write(&readme_path, format!("{head}{BEGIN}{table}{END}{tail}")).expect("bless README");
    }
    for f in FILES {
        let generated = std::fs::read(dir.path().join(f)).expect("generated file");
        let committed = std::fs::read(case_dir().join(f)).unwrap_or_else(|e| panic!("cases/scenario/{f}: {e}"));
        assert!(
            generated == committed,
            "cases/scenario/{f} differs from the generator's output ({}); run HOPTRACE_BLESS=1 cargo test --test it scenario:: if the change is intended",
            first_difference(&String::from_utf8_lossy(&generated), &String::from_utf8_lossy(&committed))
        );
    }
    let readme = std::fs::read_to_string(&readme_path).expect("cases/scenario/README.md");
    assert!(readme.contains(&format!("{BEGIN}{table}{END}")), "README truth tables are stale: bless them");
}

#[test]
fn same_seed_gives_identical_output_and_another_seed_differs() {
    let cfg = ScenarioConfig { background_transfers: 500, ..ScenarioConfig::small() };
    let read_all = |cfg: &ScenarioConfig| {
        let dir = tempfile::tempdir().expect("tempdir");
        write_exports(&generate(cfg).expect("generate"), dir.path()).expect("write");
        FILES.map(|f| std::fs::read(dir.path().join(f)).expect("read"))
    };
    let a = read_all(&cfg);
    assert_eq!(a, read_all(&cfg));
    let b = read_all(&ScenarioConfig { seed: cfg.seed + 1, ..cfg.clone() });
    for (i, f) in FILES.iter().enumerate() {
        assert_ne!(a[i], b[i], "{f} does not depend on the seed");
    }
}

#[test]
fn bench_preset_has_the_exact_total_and_hub() {
    let s = generate(&ScenarioConfig::bench(60_000)).expect("generate");
    assert_eq!(s.transfer_count(), 60_000);
    let hub = s.truth.hub.as_ref().expect("hub");
    assert_eq!((hub.in_transfers, hub.out_transfers), (10_000, 10_000));
    let bg: Vec<Transfer> = s.background.iter().collect();
    assert_eq!(bg.len() as u64, s.background.count);
    assert!(bg.windows(2).all(|w| w[0].time <= w[1].time), "background comes in time order");
}

/// The transfer a reference names, from the ledger.
fn get(ledger: &SqliteLedger, r: &TransferRef) -> Transfer {
    let rows = ledger.tx_transfers(&r.chain, &r.tx_hash).expect("tx_transfers");
    rows.into_iter()
        .find(|row| row.transfer.kind == r.kind && row.transfer.position == Some(r.position))
        .unwrap_or_else(|| panic!("{r:?} is not in the ledger"))
        .transfer
}

fn amount(ledger: &SqliteLedger, r: &TransferRef) -> u128 {
    u(&get(ledger, r).amount_base)
}

fn is_exchange(ledger: &SqliteLedger, address: &str) -> bool {
    ledger.labels(address).expect("labels").iter().any(|l| l.category == Category::Exchange)
}

#[test]
fn demo_imports_cleanly_and_the_ground_truth_matches_the_ledger() {
    let s = small();
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger_path = dir.path().join("scenario.sqlite");
    let reports = build_ledger(&s, &dir.path().join("exports"), &ledger_path).expect("build ledger");
    assert_eq!(reports.len(), 3);
    for r in &reports {
        assert_eq!(r.outcome, ImportOutcome::Committed, "{}", r.path.display());
        assert!(r.refused.is_empty() && r.duplicates == 0, "{}: {:?}", r.path.display(), r.refused);
        assert!(r.skipped.is_empty(), "{}: skipped {:?}", r.path.display(), r.skipped);
    }
    assert_eq!(reports[0].format.name(), "generic");
    assert_eq!(reports[1].format.name(), "bitcoin-rpc");
    assert_eq!(reports[2].format.name(), "tagpack");
    let ledger = SqliteLedger::open(&ledger_path).expect("open");
    let info = ledger.info().expect("info");
    let stored: u64 = info.per_asset.iter().map(|a| a.transfers).sum();
    assert_eq!(stored, s.transfer_count());
    assert_eq!(info.unresolved_inputs, 0, "every Bitcoin input spends a known output");
    assert_eq!(reports[2].labels, s.labels.len() as u64);
    for l in &s.labels {
        let got = ledger.labels(&l.address).expect("labels");
        assert!(got.iter().any(|g| g.entity == l.entity && g.category == l.category && g.actor == l.actor), "{l:?}");
    }
    check_truth(&s.truth, &ledger, &s.config);
}

fn check_truth(t: &GroundTruth, ledger: &SqliteLedger, cfg: &ScenarioConfig) {
    let victim = t.victim.as_ref().expect("victim");
    let mut stolen = std::collections::BTreeMap::<String, u128>::new();
    for r in &t.hack {
        let x = get(ledger, r);
        assert_eq!(x.from.as_deref(), Some(victim.address.as_str()));
        *stolen.entry(x.asset).or_default() += u(&x.amount_base);
    }
    for s in &t.stolen {
        assert_eq!(stolen.get(&s.asset).copied(), Some(u(&s.amount)), "stolen {}", s.symbol);
    }
    for a in &t.attacker_addresses {
        let sum = ledger.address_summary(&a.address).expect("summary");
        assert!(sum.incoming.transfers + sum.outgoing.transfers > 0, "attacker address {} unused", a.address);
    }
    for sw in &t.swaps {
        assert_eq!(sw.sold.tx_hash, sw.bought.tx_hash);
        assert_eq!(amount(ledger, &sw.sold), u(&sw.sold_amount));
        assert_eq!(amount(ledger, &sw.bought), u(&sw.bought_amount));
    }

    assert!(t.pool_pairs.iter().filter(|p| p.attacker).count() >= 5);
    assert!(t.pool_pairs.iter().filter(|p| !p.attacker).count() >= 20);
    for p in &t.pool_pairs {
        let (dep, wd) = (get(ledger, &p.deposit), get(ledger, &p.withdrawal));
        let denom = u(&p.denomination);
        assert_eq!(u(&dep.amount_base), denom, "a deposit is exactly the denomination");
        assert_eq!((dep.from.as_deref(), dep.to.as_deref()), (Some(p.depositor.as_str()), Some(p.pool.as_str())));
        assert_eq!((wd.from.as_deref(), wd.to.as_deref()), (Some(p.pool.as_str()), Some(p.recipient.as_str())));
        assert_eq!(u(&wd.amount_base) + u(&p.relayer_fee), denom, "withdrawal + relayer fee = denomination");
        match (&p.relayer, &p.relayer_transfer) {
            (Some(relayer), Some(r)) => {
                let fee = get(ledger, r);
                assert_eq!(r.tx_hash, p.withdrawal.tx_hash);
                assert_eq!(fee.to.as_deref(), Some(relayer.as_str()));
                assert_eq!(u(&fee.amount_base), denom * u128::from(cfg.relayer_fee_bps) / 10_000);
            }
            (None, None) => assert_eq!(u(&p.relayer_fee), 0),
            other => panic!("relayer without its transfer: {other:?}"),
        }
        assert_eq!(wd.time.zip(dep.time).map(|(w, d)| w - d), Some(p.delay_seconds));
        assert!(p.delay_seconds > 0);
        if p.attacker {
            assert!(p.delay_seconds >= 3600 && p.delay_seconds <= i64::from(cfg.max_delay_hours) * 3600);
        }
    }

    assert!(t.bridge_pairs.iter().any(|p| p.attacker));
    for p in &t.bridge_pairs {
        assert_eq!(amount(ledger, &p.deposit), u(&p.amount_in));
        let release = get(ledger, &p.release);
        let expected = u(&p.amount_in) * u(&p.rate_sat_per_eth) / 10u128.pow(18) - u(&p.fee);
        assert_eq!(u(&release.amount_base), expected, "bridge out = in × rate − fee");
        assert_eq!(u(&p.amount_out), expected);
        assert_eq!(release.to.as_deref(), Some(p.recipient.as_str()));
        assert!(release.time > get(ledger, &p.deposit).time);
    }

    assert!(t.mixer_rounds.iter().any(|r| r.attacker));
    for r in &t.mixer_rounds {
        let dep = get(ledger, &r.deposit);
        assert_eq!(u(&dep.amount_base), u(&r.amount_in));
        assert_eq!(dep.to.as_deref(), Some(r.deposit_address.as_str()));
        assert_eq!(u(&r.fee), u(&r.amount_in) * u128::from(r.fee_bps) / 10_000);
        let paid: u128 = r.payouts.iter().map(|p| amount(ledger, p)).sum();
        assert_eq!(paid, u(&r.amount_out));
        assert_eq!(paid, u(&r.amount_in) - u(&r.fee), "payouts = deposit − fee");
        for p in &r.payouts {
            let dt = get(ledger, p).time.zip(dep.time).map(|(a, b)| a - b).expect("times");
            assert!(dt > 0 && dt <= r.window_seconds, "payout {dt} s after the deposit");
        }
    }

    assert_eq!(t.peel_chains.len(), 2);
    for c in &t.peel_chains {
        assert!(c.steps.len() >= 4);
        let mut previous_change: Option<&TransferRef> = None;
        for s in &c.steps {
            let input = get(ledger, &s.spent);
            assert_eq!(input.kind, TransferKind::UtxoInput);
            assert_eq!(u(&input.amount_base), u(&s.amount_in));
            assert_eq!(u(&s.amount_in), u(&s.peel_amount) + u(&s.change_amount) + u(&s.miner_fee));
            assert_eq!(amount(ledger, &s.peel), u(&s.peel_amount));
            assert_eq!(amount(ledger, &s.change), u(&s.change_amount));
            assert!(u(&s.peel_amount) * 5 < u(&s.change_amount), "a peel is small");
            let peel_to = get(ledger, &s.peel).to.expect("peel payee");
            assert!(is_exchange(ledger, &peel_to), "peel to a labelled exchange");
            if let Some(prev) = previous_change {
                assert_eq!(input.prev_out, Some((prev.tx_hash.clone(), prev.position)), "the chain spends its change");
            } else {
                assert_eq!(input.from.as_deref(), Some(c.start_address.as_str()));
            }
            previous_change = Some(&s.change);
        }
    }

    assert!(!t.otc_trades.is_empty());
    for o in &t.otc_trades {
        let btc_in = get(ledger, &o.btc_in);
        assert_eq!(btc_in.to.as_deref(), Some(o.broker_btc.as_str()));
        assert_eq!(u(&btc_in.amount_base), u(&o.btc_amount));
        let expected = u(&o.btc_amount) * u128::from(o.usd_per_btc) * u128::from(10_000 - o.spread_bps) / 1_000_000;
        assert_eq!(amount(ledger, &o.usdt_out), expected);
        assert_eq!(u(&o.usdt_amount), expected);
    }

    let chains: std::collections::BTreeSet<&str> = t.cash_outs.iter().map(|c| c.chain.as_str()).collect();
    assert_eq!(chains.into_iter().collect::<Vec<_>>(), ["bitcoin", "ethereum", "tron"]);
    for c in &t.cash_outs {
        let x = get(ledger, &c.transfer);
        assert_eq!(x.to.as_deref(), Some(c.deposit_address.as_str()));
        assert_eq!(u(&x.amount_base), u(&c.amount));
        assert!(is_exchange(ledger, &c.deposit_address));
    }

    let hub = t.hub.as_ref().expect("hub");
    let sum = ledger.address_summary(&hub.address).expect("hub summary");
    assert_eq!((sum.incoming.transfers, sum.outgoing.transfers), (hub.in_transfers, hub.out_transfers));
    for s in &hub.story_sweeps {
        assert_eq!(get(ledger, s).to.as_deref(), Some(hub.address.as_str()));
    }
    let exp =
        ledger.expand(&hub.address, Direction::In, &Filter { top: Some(5), ..Filter::default() }).expect("expand");
    assert_eq!(exp.transfers.len() as u64 + exp.rest.map_or(0, |r| r.count), hub.in_transfers);
}

#[test]
fn a_larger_hub_imports_with_exact_counts() {
    let cfg = ScenarioConfig {
        seed: 7,
        background_transfers: 3_000,
        hub: Some(HubSpec { in_transfers: 400, out_transfers: 250 }),
        ..ScenarioConfig::small()
    };
    let s = generate(&cfg).expect("generate");
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger_path = dir.path().join("l.sqlite");
    let reports = build_ledger(&s, &dir.path().join("x"), &ledger_path).expect("build");
    assert!(reports.iter().all(|r| r.refused.is_empty() && r.duplicates == 0));
    let ledger = SqliteLedger::open(&ledger_path).expect("open");
    check_truth(&s.truth, &ledger, &cfg);
    let stored: u64 = ledger.info().expect("info").per_asset.iter().map(|a| a.transfers).sum();
    assert_eq!(stored, s.transfer_count());
}
