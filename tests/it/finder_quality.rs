//! Measured quality of the hop finders: precision and recall of their first-ranked suggestions
//! against the scenario generator's ground truth, per difficulty level
//! (`ScenarioConfig::difficulty`). The fast test asserts minimums at `easy`; the ignored one
//! prints the whole table:
//! `cargo test --no-default-features --test it finder_quality:: -- --ignored --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hoptrace::analysis::Settings;
use hoptrace::analysis::quality::{FinderScore, evaluate};
use hoptrace::ledger::SqliteLedger;
use hoptrace::scenario::{Difficulty, ScenarioConfig, build_ledger, generate};

fn measure(level: Difficulty) -> Vec<FinderScore> {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = generate(&ScenarioConfig::difficulty(level)).expect("generate");
    let ledger_path = dir.path().join("ledger.sqlite");
    build_ledger(&scenario, &dir.path().join("exports"), &ledger_path).expect("build ledger");
    let ledger = SqliteLedger::open(&ledger_path).expect("open ledger");
    evaluate(&ledger, &scenario.truth, &Settings::default()).expect("evaluate")
}

fn row(level: Difficulty, s: &FinderScore) -> String {
    let exact = s.exact_pairs.map_or(String::new(), |(a, b)| format!("{a}/{b}"));
    let window = s.median_window.map_or(String::new(), |w| w.to_string());
    format!(
        "| {} | {} | {:.2} | {:.2} | {} | {} | {} | {} | {} |",
        level.name(),
        s.finder,
        s.precision(),
        s.recall(),
        s.predicted,
        s.correct,
        s.truth,
        exact,
        window
    )
}

#[test]
fn easy_level_meets_minimums() {
    let scores = measure(Difficulty::Easy);
    for s in &scores {
        eprintln!("{}", row(Difficulty::Easy, s));
    }
    for s in &scores {
        assert!(s.truth > 0, "{}: the truth has something to find", s.finder);
        assert!(s.precision() >= 0.9, "{}: precision {:.2} < 0.90 ({s:?})", s.finder, s.precision());
        assert!(s.recall() >= 0.9, "{}: recall {:.2} < 0.90 ({s:?})", s.finder, s.recall());
    }
}

#[test]
#[ignore = "builds four ledgers (about a minute in debug); prints the table"]
fn print_quality_table() {
    println!(
        "| level | finder | precision | recall | predicted | correct | truth | exact pool pairs | median withdrawals in window |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for level in Difficulty::ALL {
        for s in measure(level) {
            println!("{}", row(level, &s));
        }
    }
}
