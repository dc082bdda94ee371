//! The hop finders end to end on the demo scenario (`ScenarioConfig::small()`, as in
//! `cases/scenario`): the pool, bridge and custodial finders against the ground truth; accepting
//! and rejecting suggestions as audited, undoable commands; `hoptrace suggest --add` then
//! `accept` / `reject` from the command line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command as Process;

use hoptrace::analysis::quality::{ledger_id, start_of};
use hoptrace::analysis::{Candidate, FinderKind, Settings, Start, run};
use hoptrace::graph::{Command, Investigation, hop_rules};
use hoptrace::ledger::{Ledger, SqliteLedger};
use hoptrace::model::{HopKind, HopStatus};
use hoptrace::scenario::{Scenario, ScenarioConfig, build_ledger, generate};

fn demo() -> (tempfile::TempDir, Scenario, SqliteLedger) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = generate(&ScenarioConfig::small()).unwrap();
    let path = dir.path().join("ledger.sqlite");
    build_ledger(&scenario, &dir.path().join("exports"), &path).unwrap();
    let ledger = SqliteLedger::open(&path).unwrap();
    (dir, scenario, ledger)
}

fn everything() -> Settings {
    Settings { min_score: 0, per_subject: 1_000, ..Settings::default() }
}

fn by_subject(found: &[Candidate]) -> BTreeMap<&str, Vec<&Candidate>> {
    let mut out: BTreeMap<&str, Vec<&Candidate>> = BTreeMap::new();
    for c in found {
        out.entry(c.subject.as_str()).or_default().push(c);
    }
    for v in out.values_mut() {
        v.sort_by_key(|c| c.rank);
    }
    out
}

#[test]
fn pool_top_candidate_of_each_attacker_deposit_is_an_attacker_withdrawal() {
    let (_dir, scenario, ledger) = demo();
    let truth = &scenario.truth;
    let found = run(FinderKind::Pool, &ledger, &start_of(truth, "exploiter"), &everything()).unwrap();
    let subjects = by_subject(&found);
    let fresh: BTreeSet<&str> =
        truth.attacker_addresses.iter().filter(|a| a.role == "pool_withdrawal").map(|a| a.address.as_str()).collect();
    // The attacker's withdrawals per pool.
    let mut attacker_wds: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for p in truth.pool_pairs.iter().filter(|p| p.attacker) {
        attacker_wds.entry(p.pool.as_str()).or_default().insert(ledger_id(&ledger, &p.withdrawal).unwrap().unwrap());
    }
    let mut checked = 0;
    for p in truth.pool_pairs.iter().filter(|p| p.attacker) {
        let d = ledger_id(&ledger, &p.deposit).unwrap().unwrap();
        let w = ledger_id(&ledger, &p.withdrawal).unwrap().unwrap();
        let cands = subjects.get(format!("deposit {d}").as_str()).expect("every attacker deposit is traced");
        let top = cands[0];
        assert_eq!(top.rank, 1);
        // The notes of one denomination are interchangeable on chain: the first candidate is one
        // of the attacker's withdrawals from the same pool, to an attacker's fresh address.
        assert!(attacker_wds[p.pool.as_str()].contains(&top.outbound[0]), "deposit {d}: {}", top.rationale);
        let row = &ledger.transfers_by_id(&[top.outbound[0]]).unwrap()[0];
        assert!(fresh.contains(row.transfer.to.as_deref().unwrap()));
        // The true withdrawal is a candidate, and nothing unrelated scores above it.
        let truth_score = cands.iter().find(|c| c.outbound[0] == w).expect("true withdrawal among candidates").score;
        for c in cands.iter().filter(|c| c.score > truth_score) {
            assert!(attacker_wds[p.pool.as_str()].contains(&c.outbound[0]), "unrelated above truth: {}", c.rationale);
        }
        let denomination = hoptrace::model::registry().display_amount("ethereum", "ETH", p.denomination);
        assert!(top.rationale.starts_with(&format!("Deposit of {denomination} into pool")), "{}", top.rationale);
        assert!(top.features.contains_key("delay_hours") && top.features.contains_key("fee_bps"));
        checked += 1;
    }
    assert!(checked >= 10, "the demo has many attacker notes ({checked})");
}

#[test]
fn bridge_finds_the_true_btc_releases() {
    let (_dir, scenario, ledger) = demo();
    let truth = &scenario.truth;
    let found = run(FinderKind::Bridge, &ledger, &start_of(truth, "pool_withdrawal"), &Settings::default()).unwrap();
    let subjects = by_subject(&found);
    let attacker: Vec<_> = truth.bridge_pairs.iter().filter(|b| b.attacker).collect();
    assert!(!attacker.is_empty());
    for b in attacker {
        let d = ledger_id(&ledger, &b.deposit).unwrap().unwrap();
        let r = ledger_id(&ledger, &b.release).unwrap().unwrap();
        let top = subjects.get(format!("deposit {d}").as_str()).expect("attacker bridge deposit traced")[0];
        assert_eq!(top.outbound, vec![r], "{}", top.rationale);
        assert!(
            matches!(&top.kind, HopKind::Bridge { from_chain, to_chain, .. } if from_chain == "ethereum" && to_chain == "bitcoin")
        );
        assert!(top.rationale.contains("inferred:") && top.rationale.contains(" BTC"), "{}", top.rationale);
    }
}

#[test]
fn custodial_finds_the_true_payouts() {
    let (_dir, scenario, ledger) = demo();
    let truth = &scenario.truth;
    let found =
        run(FinderKind::Custodial, &ledger, &start_of(truth, "btc_bridge_recipient"), &Settings::default()).unwrap();
    let subjects = by_subject(&found);
    for round in truth.mixer_rounds.iter().filter(|r| r.attacker) {
        let d = ledger_id(&ledger, &round.deposit).unwrap().unwrap();
        let mut want: Vec<i64> = round.payouts.iter().map(|p| ledger_id(&ledger, p).unwrap().unwrap()).collect();
        want.sort_unstable();
        let top = subjects.get(format!("deposit {d}").as_str()).expect("attacker mixer deposit traced")[0];
        let mut got = top.outbound.clone();
        got.sort_unstable();
        assert_eq!(got, want, "{}", top.rationale);
        assert_eq!(top.features["fee_whole_bps"], round.fee_bps.to_string());
    }
}

#[test]
fn accepting_and_rejecting_suggestions_is_audited_and_undoable() {
    let (dir, scenario, ledger) = demo();
    let mut clock = 1_700_000_000;
    let mut inv = Investigation::create(
        ledger,
        dir.path().join("ledger.sqlite").display().to_string(),
        "case-test".into(),
        "finders".into(),
        "tester".into(),
        clock,
    )
    .unwrap()
    .with_clock(move || {
        clock += 1;
        clock
    });
    for a in scenario.truth.attacker_addresses.iter().filter(|a| a.role == "exploiter") {
        inv.apply(Command::AddSeed { chain: a.chain.clone(), address: a.address.clone() }).unwrap();
    }
    let start = Start::from_case(inv.ledger(), inv.case()).unwrap();
    let found = run(FinderKind::Pool, inv.ledger(), &start, &Settings::default()).unwrap();
    for c in found.iter().filter(|c| c.rank == 1).take(2) {
        inv.apply(Command::AnnotateHop { hop: c.to_hop() }).unwrap();
    }
    let ids: Vec<u64> = inv.case().hops.keys().copied().collect();
    let [a, b] = ids[..] else { panic!("two suggested hops: {ids:?}") };
    for id in [a, b] {
        let h = &inv.case().hops[&id];
        assert_eq!((h.status, h.author.as_str()), (HopStatus::Suggested, "pool finder"));
        assert_eq!(h.features["finder"], "pool");
    }
    let before = inv.case().hops[&b].clone();
    inv.apply(Command::accept_hop(a)).unwrap();
    inv.apply(Command::RejectHop { id: b, why: Some("the recipient is a known exchange user".into()) }).unwrap();
    assert_eq!(inv.case().hops[&a].status, HopStatus::Accepted);
    assert_eq!(inv.case().hops[&a].author, "pool finder", "the finder stays the author; the audit names who accepted");
    let rejected = &inv.case().hops[&b];
    assert_eq!(rejected.status, HopStatus::Rejected);
    assert_eq!(rejected.features["rejected_because"], "the recipient is a known exchange user");
    let names: Vec<&str> = inv.case().audit.iter().rev().take(2).map(|e| e.command.name()).collect();
    assert_eq!(names, ["reject hop", "accept hop"]);
    assert_eq!(inv.case().audit.last().unwrap().investigator, "tester");
    inv.case().verify_audit().unwrap();
    // The inverse is exact: undo restores the suggestion as it was; redo rejects it again.
    inv.apply(Command::Undo).unwrap();
    assert_eq!(inv.case().hops[&b], before);
    inv.apply(Command::Redo).unwrap();
    assert_eq!(inv.case().hops[&b].status, HopStatus::Rejected);
    assert!(inv.apply(Command::accept_hop(a)).is_err(), "already accepted");
    assert!(inv.apply(Command::RejectHop { id: 9_999, why: None }).is_err(), "no such hop");
    inv.case().verify_audit().unwrap();
}

fn hoptrace(args: &[&str]) -> String {
    let out = Process::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "hoptrace {args:?}: {}{}", text, String::from_utf8_lossy(&out.stderr));
    text
}

#[test]
fn cli_suggest_add_then_accept_and_reject() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    hoptrace(&["demo", "--out", out.to_str().unwrap()]);
    let case = out.join("demo-case.ron");
    let case = case.to_str().unwrap();
    let hops_before = hoptrace::case::file::load(std::path::Path::new(case)).unwrap().hops.len();
    let text = hoptrace(&["suggest", case, "--finder", "pool", "--add"]);
    assert!(text.contains("pool finder from") && text.contains("Deposit of 100 ETH into pool"), "{text}");
    let line = text.lines().find(|l| l.contains("recorded")).expect("recorded line");
    let ids: Vec<String> =
        line.split('#').skip(1).map(|s| s.chars().take_while(char::is_ascii_digit).collect()).collect();
    assert!(ids.len() >= 2, "{line}");
    // The demo case has the attacker's pool hop accepted already: a suggestion over the same
    // deposit or withdrawal is refused, naming it, until it replaces it (the issue: #2, #3 and
    // a batch hop over the same transfers were all accepted, and taint counted value twice).
    let loaded = hoptrace::case::file::load(std::path::Path::new(case)).unwrap();
    let accepted: Vec<u64> =
        loaded.hops.iter().filter(|(_, h)| h.status == HopStatus::Accepted).map(|(id, _)| *id).collect();
    let overlapping = |id: &String| {
        let h = &loaded.hops[&id.parse::<u64>().unwrap()];
        accepted.iter().find(|a| !hop_rules::shared_transfers(h, &loaded.hops[a]).is_empty()).copied()
    };
    let (first, old) = ids.iter().find_map(|id| overlapping(id).map(|o| (id.clone(), o))).expect("one overlaps");
    let out = Process::new(env!("CARGO_BIN_EXE_hoptrace")).args(["accept", case, &first]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "hoptrace: error: accepting hop #{first} would count value twice: it shares transfer"
        )) && err.contains(&format!("with accepted hop #{old}; reject one of them first")),
        "{err}"
    );
    let text = hoptrace(&["accept", case, &first, "--replaces", &old.to_string()]);
    assert!(text.contains(&format!("hop #{old} is now rejected (replaced by hop #{first})")), "{text}");
    let second = ids.iter().find(|id| **id != first).unwrap().clone();
    let text = hoptrace(&["reject", case, &second, "--why", "timing alone"]);
    assert!(text.contains("is now rejected"), "{text}");
    // Suggesting again adds nothing new, except for a deposit whose only hop was replaced.
    let again = hoptrace(&["suggest", case, "--finder", "pool", "--add"]);
    hoptrace(&["audit", case]);
    let saved = hoptrace::case::file::load(std::path::Path::new(case)).unwrap();
    let new: Vec<u64> = saved.hops.keys().filter(|id| !loaded.hops.contains_key(id)).copied().collect();
    assert!(new.iter().all(|id| saved.hops[id].inbound == saved.hops[&old].inbound), "{again}");
    assert_eq!(saved.hops.len(), hops_before + ids.len() + new.len());
    let id0: u64 = first.parse().unwrap();
    let id1: u64 = second.parse().unwrap();
    assert_eq!(saved.hops[&id0].status, HopStatus::Accepted);
    assert_eq!(saved.hops[&old].status, HopStatus::Rejected);
    assert_eq!(saved.hops[&old].features["rejected_because"], format!("replaced by hop #{first}"));
    assert_eq!(saved.hops[&id1].features["rejected_because"], "timing alone");
    let commands: Vec<&str> = saved.audit.iter().map(|e| e.command.name()).collect();
    let tail = &commands[..commands.len() - new.len()];
    assert!(tail.ends_with(&["accept hop", "reject hop"]), "{commands:?}");
}

/// `hoptrace suggest` without `--finder` runs what the window's "Find the other side" runs, by
/// the same planning: from the demo's bridge hop, the finders and candidates the headless
/// window code finds, each printed with its finder; without a target it says how to give one.
#[test]
fn cli_suggest_without_a_finder_plans_as_the_window_does() {
    use hoptrace::workbench::find::{FindTarget, find_other_side};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    hoptrace(&["demo", "--out", out.to_str().unwrap()]);
    let case_path = out.join("demo-case.ron");
    let case = hoptrace::case::file::load(&case_path).unwrap();
    let bridge = case.hops.iter().find(|(_, h)| h.kind.name() == "bridge").map(|(id, _)| *id).expect("a bridge hop");
    let ledger = SqliteLedger::open(&case.ledger_path(&case_path)).unwrap();
    let window = find_other_side(&ledger, &case, &FindTarget::Hop(bridge)).unwrap();
    assert!(!window.candidates.is_empty(), "the demo's bridge leads on to the custodial mixer");

    let text = hoptrace(&["suggest", case_path.to_str().unwrap(), "--hop", &bridge.to_string()]);
    let names: Vec<&str> = window.finders.iter().map(|k| k.name()).collect();
    assert!(
        text.contains(&format!(
            "the other side of hop #{bridge} ({} finders, as the window plans them): {} candidate(s)",
            names.join(", "),
            window.candidates.len()
        )),
        "{text}"
    );
    for c in &window.candidates {
        assert!(text.contains(&format!("[{}] score {:>3}  rank {}", c.finder.name(), c.score, c.rank)), "{text}");
        assert!(text.contains(&format!("in  {:?}\n    out {:?}", c.inbound, c.outbound)), "{text}");
    }

    let refused =
        Process::new(env!("CARGO_BIN_EXE_hoptrace")).args(["suggest", case_path.to_str().unwrap()]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("without --finder, say where to start as the window does: --hop ID or --address"), "{err}");
}
