//! Training scenarios: the committed folders are what the generator writes (byte for byte),
//! every case opens on the ledger built from its exports, every walkthrough replays forward
//! and back to the starting case, every exercise is answerable (the answer passes, a wrong one
//! fails) and its answer is in the ground truth and the ledger, and the large scenario is
//! generated on first open with at least 10,000 fanned-out addresses.
//!
//! After an intended change of a generator, `HOPTRACE_BLESS=1 cargo test --test it training::`
//! rewrites the committed folders (README files are left alone).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hoptrace::case::{Case, file};
use hoptrace::graph::{Command, Investigation};
use hoptrace::ledger::{Ledger, SqliteLedger};
use hoptrace::model::HopKind;
use hoptrace::training::scenarios::GENERATED_ON_OPEN;
use hoptrace::training::{self, Answer, Exercise, Replay, ReplayError};

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// The files compared with the committed folder.
fn files(name: &str) -> Vec<String> {
    let mut f = vec![
        "case.ron".to_owned(),
        "walkthrough.ron".to_owned(),
        "exercises.ron".to_owned(),
        format!("{}/{}", training::INSTRUCTOR_DIR, training::TRUTH_FILE),
    ];
    if !GENERATED_ON_OPEN.contains(&name) {
        for e in training::IMPORTED {
            f.push(format!("exports/{e}"));
        }
    }
    f
}

/// A freshly generated folder of `name` in a temporary directory.
fn fresh(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(name);
    training::write_case(name, &dir).unwrap_or_else(|e| panic!("{name}: {e}"));
    (tmp, dir)
}

/// The data folder the tests open training cases with: beside the case folder, in the same
/// temporary directory.
fn data_of(dir: &Path) -> PathBuf {
    dir.parent().expect("a case folder has a parent").join("data")
}

/// The case without what every command changes (audit log, modification time).
fn content(c: &Case) -> Case {
    Case { audit: Vec::new(), modified: 0, ..c.clone() }
}

#[test]
fn committed_folders_are_reproduced_byte_for_byte() {
    for name in training::names() {
        let (_tmp, dir) = fresh(name);
        let committed = cases().join(name);
        for f in files(name) {
            let generated = std::fs::read(dir.join(&f)).unwrap_or_else(|e| panic!("{name}/{f}: {e}"));
            if std::env::var_os("HOPTRACE_BLESS").is_some() {
                let target = committed.join(&f);
                std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
                std::fs::write(&target, &generated).expect("bless");
            }
            let have = std::fs::read(committed.join(&f)).unwrap_or_else(|e| panic!("cases/{name}/{f}: {e}"));
            assert!(have == generated, "cases/{name}/{f} differs from the generator's output (bless if intended)");
        }
        assert!(committed.join("README.md").exists(), "cases/{name}/README.md");
        // The answers are not among the files a trainee imports (and opens in a file chooser).
        for exports in [dir.join("exports"), committed.join("exports")] {
            assert!(!exports.join(training::TRUTH_FILE).exists(), "{}: the ground truth is there", exports.display());
        }
    }
}

#[test]
fn walkthroughs_replay_forward_and_back_to_the_start() {
    for name in training::names() {
        let (_tmp, dir) = fresh(name);
        let (case_path, ledger_path) = training::open_in(&dir, &data_of(&dir)).expect("open");
        let case = file::load(&case_path).expect("load case");
        case.verify_audit().expect("the committed case's audit log verifies");
        let mut inv = Investigation::open(case, SqliteLedger::open(&ledger_path).expect("ledger"))
            .unwrap_or_else(|e| panic!("{name}: the case does not open on its ledger: {e}"));
        let start = content(inv.case());
        let walkthrough = training::load_walkthrough(&dir).expect("walkthrough");
        let n = walkthrough.steps.len();
        assert!(n >= 8, "{name}: {n} steps");
        let mut replay = Replay::new(walkthrough);
        while replay.next(&mut inv).unwrap_or_else(|e| panic!("{name}: {e}")).is_some() {
            // On a fresh copy every step applies all its commands.
            assert_eq!(replay.skipped(), &[] as &[String], "{name}: step {}", replay.position());
        }
        assert_eq!(replay.position(), n);
        assert!(replay.at_end());
        let end = content(inv.case());
        assert_ne!(end, start, "{name}: the walkthrough changes the case");
        assert!(!end.hops.is_empty(), "{name}: the walkthrough annotates hops");
        // The last highlight names hops that exist.
        inv.case().verify_audit().expect("audit after the walkthrough");
        while replay.previous(&mut inv).unwrap_or_else(|e| panic!("{name}: back: {e}")).is_some() {}
        assert_eq!(replay.position(), 0);
        assert_eq!(content(inv.case()), start, "{name}: forward then back leaves the case as it started");
        inv.case().verify_audit().expect("audit after going back");
    }
}

#[test]
fn replaying_on_a_changed_copy_adds_nothing_twice() {
    for name in training::names() {
        let (_tmp, dir) = fresh(name);
        let data = data_of(&dir);
        let walkthrough = training::load_walkthrough(&dir).expect("walkthrough");
        let open = || {
            let (case_path, ledger_path) = training::open_in(&dir, &data).expect("open");
            let case = file::load(&case_path).expect("case");
            (case_path, Investigation::open(case, SqliteLedger::open(&ledger_path).expect("ledger")).expect("inv"))
        };
        // The trainee replays the whole walkthrough and saves: their copy holds its hops.
        let (case_path, mut inv) = open();
        let mut replay = Replay::new(walkthrough.clone());
        while replay.next(&mut inv).unwrap_or_else(|e| panic!("{name}: {e}")).is_some() {}
        let hops = inv.case().hops.len();
        assert!(hops > 0, "{name}");
        file::save(inv.case(), &case_path).expect("save the trainee's copy");
        drop(inv);
        // Reopened, the walkthrough starts again on the changed copy and changes nothing.
        let (_, mut inv) = open();
        let saved = content(inv.case());
        let mut replay = Replay::new(walkthrough.clone());
        let mut skipped_annotations = 0;
        while let Some(step) = replay.next(&mut inv).unwrap_or_else(|e| panic!("{name}: replay on the copy: {e}")) {
            let annotate = matches!(step.action, training::Action::Annotate(_));
            let changes = !matches!(step.action, training::Action::Focus(_) | training::Action::Highlight { .. });
            let skipped = replay.skipped().to_vec();
            assert_eq!(skipped.is_empty(), !changes, "{name}, step {}: {skipped:?}", replay.position());
            if annotate {
                assert!(skipped.iter().all(|s| s.contains("already records these transfers")), "{skipped:?}");
                skipped_annotations += 1;
            }
            let (_, _, highlighted) = replay.view();
            assert!(highlighted.iter().all(|h| inv.case().hops.contains_key(h)), "{name}: highlights resolve");
        }
        assert!(skipped_annotations > 0, "{name}");
        assert_eq!(inv.case().hops.len(), hops, "{name}: no hop duplicated");
        assert_eq!(content(inv.case()), saved, "{name}: replaying on the copy changes nothing");
        // Going back undoes nothing it did not do.
        while replay.previous(&mut inv).unwrap_or_else(|e| panic!("{name}: back: {e}")).is_some() {}
        assert_eq!(content(inv.case()), saved, "{name}");
    }
}

#[test]
fn a_hop_the_trainee_marked_is_not_marked_again_by_the_walkthrough() {
    let (_tmp, dir) = fresh("ronin-bridge");
    let (case_path, ledger_path) = training::open_in(&dir, &data_of(&dir)).expect("open");
    let mut inv =
        Investigation::open(file::load(&case_path).expect("case"), SqliteLedger::open(&ledger_path).expect("l"))
            .expect("investigation");
    let walkthrough = training::load_walkthrough(&dir).expect("walkthrough");
    // Replay up to the first annotation, undo it, and mark the same hop by hand with another kind.
    let first = walkthrough.steps.iter().position(|s| matches!(s.action, training::Action::Annotate(_))).expect("one");
    let mut replay = Replay::new(walkthrough.clone());
    for _ in 0..=first {
        replay.next(&mut inv).expect("step");
    }
    let id = *inv.case().hops.keys().next_back().expect("the walkthrough's hop");
    let mut hop = inv.case().hops[&id].clone();
    replay.previous(&mut inv).expect("back");
    let venue = "my guess".to_owned();
    hop.kind = if hop.kind.name() == "swap" { HopKind::CashOut { venue } } else { HopKind::Swap { venue } };
    inv.apply(Command::AnnotateHop { hop }).expect("the trainee marks it");
    let mine = *inv.case().hops.keys().next_back().expect("the trainee's hop");
    let hops = inv.case().hops.len();
    let step = replay.next(&mut inv).expect("replayed").expect("a step").clone();
    assert!(matches!(step.action, training::Action::Annotate(_)));
    assert_eq!(inv.case().hops.len(), hops, "not marked twice");
    let said = replay.skipped().join(" ");
    assert!(said.contains(&format!("hop #{mine}")) && said.contains("the walkthrough says"), "{said}");
    // Later highlights of that step point at the trainee's hop.
    while let Some(s) = replay.next(&mut inv).expect("step") {
        if let training::Action::Highlight { hop_steps, .. } = s.action.clone()
            && hop_steps.contains(&first)
        {
            assert!(replay.view().2.contains(&mine), "the highlight shows hop #{mine}");
        }
    }
}

#[test]
fn previous_refuses_after_other_changes_and_highlights_resolve() {
    let (_tmp, dir) = fresh("ronin-bridge");
    let (case_path, ledger_path) = training::open_in(&dir, &data_of(&dir)).expect("open");
    let mut inv =
        Investigation::open(file::load(&case_path).expect("case"), SqliteLedger::open(&ledger_path).expect("l"))
            .expect("investigation");
    let mut replay = Replay::new(training::load_walkthrough(&dir).expect("walkthrough"));
    let mut saw_highlight = false;
    while let Some(step) = replay.next(&mut inv).expect("step") {
        if let training::Action::Highlight { hop_steps, .. } = step.action.clone() {
            let (_, _, hops) = replay.view();
            assert_eq!(hops.len(), hop_steps.len(), "one hop per highlighted annotate step");
            assert!(hops.iter().all(|h| inv.case().hops.contains_key(h)));
            saw_highlight = true;
        }
    }
    assert!(saw_highlight);
    inv.apply(Command::Note { target: hoptrace::case::NoteTarget::Case, text: "mine".to_owned() }).expect("note");
    assert!(matches!(replay.previous(&mut inv), Err(ReplayError::CaseChanged { .. })));
    inv.apply(Command::Undo).expect("undo my note");
    assert!(replay.previous(&mut inv).is_ok());
}

/// The answer as a trainee would type it.
fn typed(answer: &Answer) -> String {
    match answer {
        Answer::Address { address, .. } => address.clone(),
        Answer::TxHash { hash, .. } => hash.to_ascii_uppercase(),
        Answer::Amount { base_units, .. } => base_units.clone(),
        Answer::HopKind(k) => k.replace('_', " "),
        Answer::Count(n) => n.to_string(),
        Answer::Chain(c) => c.to_ascii_uppercase(),
    }
}

/// A wrong answer of the same kind.
fn wrong(answer: &Answer) -> String {
    match answer {
        Answer::Address { chain, .. } if chain == "bitcoin" => "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ".to_owned(),
        Answer::Address { chain, .. } if chain == "tron" => "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t".to_owned(),
        Answer::Address { .. } => "0x8589427373d6d84e98730d7795d8f6f8731fda16".to_owned(),
        Answer::TxHash { hash, .. } => hash.chars().rev().collect(),
        Answer::Amount { base_units, .. } => format!("{base_units}1"),
        Answer::HopKind(k) => if k == "mixer" { "bridge" } else { "mixer" }.to_owned(),
        Answer::Count(n) => (n + 1).to_string(),
        Answer::Chain(c) => format!("{c}x"),
    }
}

#[test]
fn exercises_are_answerable_and_answers_come_from_the_truth() {
    for name in training::names() {
        let (_tmp, dir) = fresh(name);
        let (_, ledger_path) = training::open_in(&dir, &data_of(&dir)).expect("open");
        let ledger = SqliteLedger::open(&ledger_path).expect("ledger");
        let truth = std::fs::read_to_string(training::truth_path(&dir)).expect("truth");
        let exercises: Vec<Exercise> = training::load_exercises(&dir).expect("exercises");
        assert!(exercises.len() >= 5, "{name}: {} exercises", exercises.len());
        let ids: BTreeSet<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), exercises.len(), "{name}: exercise ids are unique");
        for e in &exercises {
            let right = training::check(e, &typed(&e.answer));
            assert!(right.correct, "{name}/{}: {}", e.id, right.explanation);
            let bad = training::check(e, &wrong(&e.answer));
            assert!(!bad.correct, "{name}/{}: a wrong answer passed", e.id);
            match &e.answer {
                Answer::Address { address, .. } => {
                    assert!(
                        truth.contains(&format!("\"{address}\"")),
                        "{name}/{}: {address} not in the ground truth",
                        e.id
                    );
                    let summary = ledger.address_summary(address).expect("summary");
                    assert!(
                        summary.incoming.transfers + summary.outgoing.transfers > 0,
                        "{name}/{}: not in the ledger",
                        e.id
                    );
                }
                Answer::TxHash { chain, hash } => {
                    assert!(truth.contains(hash.as_str()), "{name}/{}", e.id);
                    assert!(!ledger.tx_transfers(chain, hash).expect("tx").is_empty(), "{name}/{}", e.id);
                }
                Answer::Amount { base_units, .. } => {
                    // A figure of the truth, or a total of the cash-outs at one venue, summed here.
                    let json: serde_json::Value = serde_json::from_str(&truth).expect("truth JSON");
                    let mut per_venue: std::collections::BTreeMap<String, u128> = Default::default();
                    for c in json["cash_outs"].as_array().into_iter().flatten() {
                        let v: u128 = c["amount"].as_str().and_then(|a| a.parse().ok()).expect("cash-out amount");
                        *per_venue.entry(c["exchange"].as_str().unwrap_or("").to_owned()).or_default() += v;
                    }
                    let summed = per_venue.values().any(|v| v.to_string() == *base_units);
                    assert!(
                        truth.contains(&format!("\"{base_units}\"")) || summed,
                        "{name}/{}: {base_units} is not in the truth",
                        e.id
                    );
                }
                Answer::Count(n) => assert!(*n > 0),
                Answer::HopKind(k) => {
                    assert!(["mixer", "bridge", "swap", "cash_out", "peel_chain"].contains(&k.as_str()))
                }
                Answer::Chain(c) => assert!(hoptrace::model::registry().chain(c).is_ok()),
            }
        }
    }
}

#[test]
fn the_large_scenario_is_generated_on_first_open() {
    let name = "exchange-at-scale";
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for f in ["case.ron", "walkthrough.ron", "exercises.ron", "README.md"] {
        std::fs::copy(cases().join(name).join(f), dir.join(f)).expect("copy the committed file");
    }
    let (case_path, ledger_path) = training::open_in(&dir, &data_of(&dir)).expect("open generates and builds");
    let modified = std::fs::metadata(&ledger_path).and_then(|m| m.modified()).expect("ledger");
    assert_eq!(training::open_in(&dir, &data_of(&dir)).expect("open again").1, ledger_path);
    assert_eq!(std::fs::metadata(&ledger_path).and_then(|m| m.modified()).expect("ledger"), modified, "built once");
    let case = file::load(&case_path).expect("case");
    Investigation::open(case, SqliteLedger::open(&ledger_path).expect("ledger"))
        .unwrap_or_else(|e| panic!("the committed case binds to the ledger built on open: {e}"));
    // Counted from the export itself: distinct Ethereum receivers.
    let generated = training::work_dir(&dir, &data_of(&dir)).join("exports/transfers.csv");
    assert_eq!(ledger_path.parent(), generated.parent().and_then(Path::parent), "generated beside the ledger");
    assert!(!dir.join("exports").exists(), "nothing is generated into the case folder");
    assert!(!generated.with_file_name(training::TRUTH_FILE).exists(), "no answers among the trainee's exports");
    let csv = std::fs::read_to_string(generated).expect("csv");
    let receivers: BTreeSet<&str> =
        csv.lines().skip(1).filter(|l| l.starts_with("ethereum,")).filter_map(|l| l.split(',').nth(6)).collect();
    assert!(receivers.len() >= 10_000, "{} Ethereum receivers", receivers.len());
    // A folder that is neither committed nor generated is refused with its name.
    let other = tmp.path().join("not-a-scenario");
    std::fs::create_dir_all(&other).expect("mkdir");
    assert!(training::open_in(&other, &data_of(&other)).is_err_and(|e| e.to_string().contains("not-a-scenario")));
}
