//! `hoptrace demo --out DIR`: the headless demo. Generates the bundled scenario (a bridge hack
//! laundered through a Tornado-style pool, a bridge to Bitcoin, a custodial mixer, peel chains
//! and a Tron USDT cash-out; see `cases/scenario/README.md`), imports its exports into a fresh
//! ledger, and builds a case the way an investigator would start one: the exploiters as seeds,
//! their transfers expanded, and two hops annotated with their rationale.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use hoptrace::case::file;
use hoptrace::scenario::demo::build_demo;

use super::import_cmd::print_report;

fn remove_old(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal", ".bak", ".recovery"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing the old demo file {}", p.display()))?;
        }
    }
    Ok(())
}

/// Runs the demo into `out`.
///
/// # Errors
/// When the folder cannot be written or a step fails.
pub fn run(out: &Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let ledger_path = out.join("demo-ledger.sqlite");
    let case_path = out.join("demo-case.ron");
    remove_old(&ledger_path)?;
    remove_old(&case_path)?;
    println!("Demo scenario: writing exports and importing them into {}", ledger_path.display());
    let demo = build_demo(&out.join("exports"), &ledger_path)?;
    for report in &demo.reports {
        print_report(report);
    }
    println!("Scenario seed {}", demo.seed);
    let inv = demo.investigation;
    file::save(inv.case(), &case_path)?;
    let c = inv.case();
    println!();
    println!(
        "Case {}: {} seeds, {} nodes, {} transfers, {} aggregates, {} hops, {} audit entries",
        case_path.display(),
        c.seeds.len(),
        c.nodes.len(),
        c.transfers.len(),
        c.aggregates.len(),
        c.hops.len(),
        c.audit.len()
    );
    println!(
        "Next: hoptrace show {0}   |   hoptrace expand {0} ADDRESS --direction out   |   hoptrace audit {0}",
        case_path.display()
    );
    Ok(ExitCode::SUCCESS)
}
