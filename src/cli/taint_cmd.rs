//! `hoptrace taint`, `peel` and `paths`: value tracing, peel-chain following and paths
//! between addresses on a case's ledger (see `hoptrace::analysis`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use hoptrace::analysis::paths::{self, Path as Route, PathOptions};
use hoptrace::analysis::peel::{self, PeelOptions};
use hoptrace::analysis::taint::{self, AssetFlow, Method, Seed, TaintReport};
use hoptrace::case::{Case, NodeKey, file};
use hoptrace::graph::Command;
use hoptrace::ledger::{AnyLedger, Ledger};
use hoptrace::model::{Amount, Total, registry};

use super::address_arg;

/// Taint methods on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Every transfer out of a touched node is tainted in full.
    Poison,
    /// In proportion to the node's tainted share.
    Haircut,
    /// First in, first out by time.
    Fifo,
}

/// Arguments of `hoptrace taint`.
#[derive(Debug, Args)]
pub struct TaintArgs {
    /// The case file.
    pub case: PathBuf,
    /// How taint is assigned to the transfers out of a node.
    #[arg(long, value_enum)]
    pub method: MethodArg,
    /// Follow at most N hops (transactions) from a seed.
    #[arg(long, default_value_t = 6)]
    pub hops: u32,
    /// Seed address (repeatable; default: the case's seeds).
    #[arg(long = "seed")]
    pub seeds: Vec<String>,
    /// Chain of the --seed addresses (default: every chain the ledger has them on).
    #[arg(long)]
    pub chain: Option<String>,
    /// Seeds count only what they received at or after this time (ISO 8601 or Unix seconds).
    #[arg(long)]
    pub from: Option<String>,
    /// Do not follow transfers after this time.
    #[arg(long)]
    pub until: Option<String>,
    /// Follow through addresses labelled as services instead of stopping there.
    #[arg(long)]
    pub through_services: bool,
    /// Also cross the case's suggested hops (accepted ones always are).
    #[arg(long)]
    pub include_suggested: bool,
    /// Endpoints listed per asset.
    #[arg(long, default_value_t = 25)]
    pub top: usize,
    /// JSON: the whole report, amounts as decimal strings of base units.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `hoptrace peel`.
#[derive(Debug, Args)]
pub struct PeelArgs {
    /// The case file.
    pub case: PathBuf,
    /// Where the chain starts.
    #[arg(long)]
    pub address: String,
    /// The UTXO chain.
    #[arg(long, default_value = "bitcoin")]
    pub chain: String,
    /// Stop when the change is worth less than this (display units, e.g. 0.05).
    #[arg(long)]
    pub min_value: Option<String>,
    /// Follow at most N steps per branch.
    #[arg(long, default_value_t = 30)]
    pub depth: u32,
    /// Add the steps to the case as suggested peel-chain hops (audited commands).
    #[arg(long)]
    pub add: bool,
}

/// Arguments of `hoptrace paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    /// The case file.
    pub case: PathBuf,
    /// Start address.
    pub from: String,
    /// End address.
    pub to: String,
    /// At most N hops.
    #[arg(long, default_value_t = 6)]
    pub max_hops: u32,
    /// Chain (default: every chain the ledger has both addresses on).
    #[arg(long)]
    pub chain: Option<String>,
    /// Only this asset for the highest-value path (symbol or contract).
    #[arg(long)]
    pub asset: Option<String>,
    /// Do not pass through addresses labelled as services.
    #[arg(long)]
    pub avoid_services: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

fn load(case_path: &Path) -> anyhow::Result<(Case, AnyLedger)> {
    let case = file::load(case_path)?;
    let source = case.ledger_source(case_path);
    if !source.exists() {
        bail!("{}: the case's ledger {source} does not exist", case_path.display());
    }
    let ledger = source.open()?;
    if ledger.fingerprint()? != case.ledger.fingerprint {
        eprintln!("note: the ledger changed since the case was saved; results are for the ledger as it is now");
    }
    Ok((case, ledger))
}

fn time_arg(name: &str, v: Option<&String>) -> anyhow::Result<Option<i64>> {
    v.map(|t| {
        hoptrace::import::time::parse_time(t, hoptrace::import::DateOrder::MonthFirst)
            .map_err(|e| anyhow::anyhow!("--{name}: {e}"))
    })
    .transpose()
}

fn show(chain: &str, asset: &str, a: impl Into<Total>) -> String {
    registry().display_amount(chain, asset, a)
}

fn node_text(n: &NodeKey) -> String {
    match n {
        NodeKey::Address { address, .. } => address.clone(),
        other => other.describe(),
    }
}

/// The conservation line of a flow.
fn conservation(f: &AssetFlow) -> String {
    let s = |a: Amount| show(&f.chain, &f.asset, a);
    format!(
        "conservation: seeded {} + from hops {} = reached {} + stays {}: {} ({} = {} base units)",
        s(f.seeded),
        s(f.from_hops),
        s(f.reached),
        s(f.stays),
        if f.is_conserved() { "exact" } else { "NOT CONSERVED" },
        Total::sum([f.seeded, f.from_hops]),
        Total::sum([f.reached, f.stays])
    )
}

fn print_report(case: &Path, r: &TaintReport, top: usize) {
    println!(
        "{}: {} taint, up to {} hops: {} transfers read, {} tainted, {} nodes read",
        case.display(),
        r.method.name(),
        r.max_hops,
        r.transfers_read,
        r.transfers_tainted,
        r.nodes_read
    );
    for f in &r.flows {
        let s = |a: Amount| show(&f.chain, &f.asset, a);
        println!("\n{} {}: seeded {}, from hops {}", f.chain, f.asset, s(f.seeded), s(f.from_hops));
        println!("  endpoints ({}):", f.endpoints.len());
        for e in f.endpoints.iter().take(top) {
            let exposure =
                if r.method == Method::Poison { format!("  exposure {}", s(e.exposure)) } else { String::new() };
            println!("    {:>28}  {}  {}  ({} hops){exposure}", s(e.amount), node_text(&e.node), e.reason, e.hops);
        }
        if f.endpoints.len() > top {
            let rest = Total::sum(f.endpoints.iter().skip(top).map(|e| e.amount));
            println!("    … {} more endpoints, {} in all", f.endpoints.len() - top, show(&f.chain, &f.asset, rest));
        }
        if let Some(h) = f.remaining.first() {
            println!(
                "  stays: {} in {} nodes (most: {} in {})",
                s(f.stays),
                f.remaining.len(),
                s(h.amount),
                node_text(&h.node)
            );
        }
        println!("  {}", conservation(f));
    }
}

/// Runs `hoptrace taint`.
///
/// # Errors
/// Bad arguments, an unreadable case or ledger, nothing to trace.
pub fn taint(args: &TaintArgs) -> anyhow::Result<ExitCode> {
    let (case, ledger) = load(&args.case)?;
    let mut seeds = Vec::new();
    for s in &args.seeds {
        let on = address_arg::in_ledger(&ledger, "--seed", s, args.chain.as_deref(), "to trace from it anyway")?;
        seeds.extend(on.into_iter().map(|(chain, address)| Seed::Address { chain, address }));
    }
    if args.seeds.is_empty() {
        seeds = hoptrace::workbench::trace::case_seeds(&case);
    }
    let method = match args.method {
        MethodArg::Poison => Method::Poison,
        MethodArg::Haircut => Method::Haircut,
        MethodArg::Fifo => Method::Fifo,
    };
    // The case's hops and labels, as the window traces (workbench::trace).
    let mut o = hoptrace::workbench::trace::case_options(&case, method, args.hops, args.include_suggested);
    o.from_time = time_arg("from", args.from.as_ref())?;
    o.until = time_arg("until", args.until.as_ref())?;
    o.stop_at_services = !args.through_services;
    let report = taint::trace(&ledger, &seeds, &o).with_context(|| format!("{}: taint", args.case.display()))?;
    if args.json {
        let checks: Vec<serde_json::Value> = report
            .flows
            .iter()
            .map(|f| serde_json::json!({"chain": f.chain, "asset": f.asset, "conserved": f.is_conserved(), "line": conservation(f)}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({"report": report, "conservation": checks}))?);
    } else {
        print_report(&args.case, &report, args.top);
    }
    if report.flows.iter().all(AssetFlow::is_conserved) { Ok(ExitCode::SUCCESS) } else { Ok(ExitCode::FAILURE) }
}

/// Runs `hoptrace peel`.
///
/// # Errors
/// Bad arguments, an unreadable case or ledger, a hop the case refuses.
pub fn peel(args: &PeelArgs) -> anyhow::Result<ExitCode> {
    let address = address_arg::on_chain("--address", &args.address, &args.chain)?;
    let (_, ledger) = load(&args.case)?;
    let decimals = registry().chain(&args.chain)?.decimals;
    let min_value = match &args.min_value {
        Some(v) => Amount::parse_decimal(v, decimals).map_err(|e| anyhow::anyhow!("--min-value: {e}"))?,
        None => Amount::ZERO,
    };
    let now = jiff::Timestamp::now().as_second();
    let o = PeelOptions { min_value, max_depth: args.depth, now, ..PeelOptions::default() };
    let r = peel::follow(&ledger, &args.chain, &address, &o)?;
    println!("{}: peel chain from {} on {}: {} steps", args.case.display(), r.start, r.chain, r.steps.len());
    for s in &r.steps {
        println!("  step {} (confidence {}): {}", s.depth + 1, s.hop.confidence, s.hop.rationale);
    }
    for s in &r.stops {
        println!("  stop at {} after {} steps: {:?}: {}", s.address, s.depth, s.rule, s.detail);
    }
    if args.add && !r.steps.is_empty() {
        drop(ledger);
        let mut editing = super::case_cmd::open_for_change(&args.case, false, "hoptrace peel --add")?;
        for s in &r.steps {
            editing
                .inv
                .apply(Command::AnnotateHop { hop: s.hop.clone() })
                .with_context(|| format!("adding step {}", s.tx_hash))?;
        }
        editing.save()?;
        println!("{}: {} suggested peel-chain hops added", args.case.display(), r.steps.len());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_path(title: &str, p: &Route) {
    let width = p
        .bottleneck
        .map(|b| format!(", bottleneck {}", show(&p.chain, p.hops.first().map_or("", |h| h.asset.as_str()), b)))
        .unwrap_or_default();
    println!("  {title}: {} hops{width}", p.hops.len());
    for h in &p.hops {
        let label = h.to_label.as_deref().map(|l| format!(" [{l}]")).unwrap_or_default();
        let ids: Vec<String> = h.transfers.iter().map(i64::to_string).collect();
        println!(
            "    {} → {}{label}: {} (transfers {})",
            h.from,
            h.to,
            show(&p.chain, &h.asset, h.amount),
            ids.join(",")
        );
    }
}

/// Runs `hoptrace paths`.
///
/// # Errors
/// An unreadable case or ledger.
pub fn paths(args: &PathsArgs) -> anyhow::Result<ExitCode> {
    let chain = args.chain.as_deref();
    let (from_fits, to_fits) =
        (address_arg::syntax("FROM", &args.from, chain)?, address_arg::syntax("TO", &args.to, chain)?);
    let (from, to) = (address_arg::canonical("FROM", &args.from)?, address_arg::canonical("TO", &args.to)?);
    let (_, ledger) = load(&args.case)?;
    let chains: Vec<String> = match chain {
        Some(c) => vec![c.to_owned()],
        None => {
            let (from_on, to_on) = (ledger.address_summary(&from)?.chains, ledger.address_summary(&to)?.chains);
            from_fits
                .iter()
                .map(|(c, _)| c)
                .filter(|c| to_fits.iter().any(|(t, _)| t == *c) && from_on.contains(c) && to_on.contains(c))
                .cloned()
                .collect()
        }
    };
    if chains.is_empty() {
        let common: Vec<&str> =
            from_fits.iter().filter(|(c, _)| to_fits.iter().any(|(t, _)| t == c)).map(|(c, _)| c.as_str()).collect();
        if common.is_empty() {
            bail!("{from} and {to} are addresses of different chains: no path runs between them");
        }
        bail!("{from} and {to} are not on a common chain in the ledger (pass --chain)");
    }
    let o = PathOptions {
        max_hops: args.max_hops,
        asset: args.asset.clone(),
        avoid_services: args.avoid_services,
        ..PathOptions::default()
    };
    let mut all = Vec::new();
    for chain in &chains {
        all.push((chain.clone(), paths::find(&ledger, chain, &from, &to, &o)?));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (chain, r) in &all {
        println!(
            "{chain}: {from} → {to} within {} hops ({} addresses expanded{})",
            args.max_hops,
            r.nodes_read,
            if r.truncated { ", search cut short by a limit" } else { "" }
        );
        match &r.shortest {
            Some(p) => print_path("shortest", p),
            None => println!("  no path"),
        }
        for p in &r.widest {
            print_path("highest value", p);
        }
    }
    Ok(ExitCode::SUCCESS)
}
