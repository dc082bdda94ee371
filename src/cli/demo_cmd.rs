//! `hoptrace demo --out DIR`: the headless demo. Generates the bundled scenario (a bridge hack
//! laundered through a Tornado-style pool, a bridge to Bitcoin, a custodial mixer, peel chains
//! and a Tron USDT cash-out; see `cases/scenario/README.md`), imports its exports into a fresh
//! ledger, and builds a case the way an investigator would start one: the exploiters as seeds,
//! their transfers expanded, and two hops annotated with their rationale.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use hoptrace::case::{CaseFilter, ExpandDirection, NodeKey, file};
use hoptrace::graph::{Command, Investigation};
use hoptrace::ledger::{Ledger, SqliteLedger};
use hoptrace::model::{Hop, HopKind, HopStatus};
use hoptrace::scenario::truth::TransferRef;
use hoptrace::scenario::{ScenarioConfig, build_ledger, generate};

use super::import_cmd::print_report;

/// The ledger id of a transfer the ground truth names.
fn ledger_id(ledger: &SqliteLedger, r: &TransferRef) -> anyhow::Result<i64> {
    ledger
        .tx_transfers(&r.chain, &r.tx_hash)?
        .into_iter()
        .find(|row| row.transfer.kind == r.kind && row.transfer.position.unwrap_or(-1) == r.position)
        .map(|row| row.id)
        .with_context(|| format!("the demo ledger lacks {} {} #{}", r.chain, r.tx_hash, r.position))
}

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
    let scenario = generate(&ScenarioConfig::small())?;
    println!(
        "Demo scenario (seed {}): writing exports and importing them into {}",
        scenario.config.seed,
        ledger_path.display()
    );
    for report in build_ledger(&scenario, &out.join("exports"), &ledger_path)? {
        print_report(&report);
    }
    let truth = &scenario.truth;
    let ledger = SqliteLedger::open(&ledger_path)?;
    let start = truth.hack_time + 7 * 86_400;
    let mut clock = start;
    let mut inv = Investigation::create(
        ledger,
        "demo-ledger.sqlite".to_owned(),
        format!("case-demo-{:x}", scenario.config.seed),
        "Demo: bridge hack laundered through a pool, a bridge to Bitcoin, a mixer and Tron USDT".to_owned(),
        "hoptrace demo".to_owned(),
        start,
    )?
    .with_clock(move || {
        clock += 60;
        clock
    });
    // Seeds: whoever received the stolen funds.
    let mut seeds = Vec::new();
    for r in &truth.hack {
        for row in inv.ledger().tx_transfers(&r.chain, &r.tx_hash)? {
            if let Some(to) = row.transfer.to
                && !seeds.contains(&(row.transfer.chain.clone(), to.clone()))
            {
                seeds.push((row.transfer.chain.clone(), to));
            }
        }
    }
    if seeds.is_empty() {
        bail!("the demo scenario has no theft transfers");
    }
    for (chain, address) in &seeds {
        inv.apply(Command::AddSeed { chain: chain.clone(), address: address.clone() })?;
    }
    for (chain, address) in &seeds {
        let node = NodeKey::address(chain.clone(), address.clone());
        let filter = CaseFilter { top: Some(25), ..CaseFilter::default() };
        inv.apply(Command::Expand { node, direction: ExpandDirection::Both, filter })?;
    }
    // Two hops, with the reasoning an investigator would write down.
    if let Some(p) = truth.pool_pairs.iter().find(|p| p.attacker) {
        let hop = Hop {
            kind: HopKind::Mixer { service: "Tornado-style pool".to_owned(), pool: Some(p.pool.clone()) },
            inbound: vec![ledger_id(inv.ledger(), &p.deposit)?],
            outbound: vec![ledger_id(inv.ledger(), &p.withdrawal)?],
            confidence: 55,
            rationale: format!(
                "Deposit and withdrawal of the same fixed denomination ({} ETH); the withdrawal came {} h later \
                 to a fresh address{}. Other deposits of that denomination in the window make this a candidate, not a proof.",
                p.denomination.format_units(18),
                p.delay_seconds / 3600,
                if p.relayer.is_some() { " through a relayer (fee taken from the withdrawal)" } else { "" }
            ),
            features: [
                ("denomination_base_units".to_owned(), p.denomination.to_string()),
                ("delay_hours".to_owned(), (p.delay_seconds / 3600).to_string()),
                ("relayer_fee_base_units".to_owned(), p.relayer_fee.to_string()),
            ]
            .into(),
            status: HopStatus::Accepted,
            author: String::new(),
            time: 0,
        };
        inv.apply(Command::AnnotateHop { hop })?;
    }
    if let Some(b) = truth.bridge_pairs.iter().find(|b| b.attacker) {
        let hop = Hop {
            kind: HopKind::Bridge {
                bridge: "ETH-BTC bridge".to_owned(),
                from_chain: b.deposit.chain.clone(),
                to_chain: b.release.chain.clone(),
            },
            inbound: vec![ledger_id(inv.ledger(), &b.deposit)?],
            outbound: vec![ledger_id(inv.ledger(), &b.release)?],
            confidence: 80,
            rationale: format!(
                "{} ETH deposited to the bridge on Ethereum; {} BTC released on Bitcoin at the day's rate ({} sat/ETH) \
                 minus a {} sat fee: the amounts match exactly.",
                b.amount_in.format_units(18),
                b.amount_out.format_units(8),
                b.rate_sat_per_eth,
                b.fee
            ),
            features: [
                ("fee_sats".to_owned(), b.fee.to_string()),
                ("rate_sat_per_eth".to_owned(), b.rate_sat_per_eth.to_string()),
            ]
            .into(),
            status: HopStatus::Accepted,
            author: String::new(),
            time: 0,
        };
        inv.apply(Command::AnnotateHop { hop })?;
    }
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
