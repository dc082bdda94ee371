//! `hoptrace suggest`, `accept` and `reject`: the hop finders from the command line. Suggestions
//! are recorded as hops with status *suggested* (`AnnotateHop`), accepting and rejecting them
//! are `AcceptHop` / `RejectHop`: all three audited by the same `Investigation::apply`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use hoptrace::analysis::{self, Candidate, FinderKind, Settings, Start};
use hoptrace::case::NodeKey;
use hoptrace::graph::Investigation;
use hoptrace::graph::hop_rules::REPLACED_BY;
use hoptrace::graph::{Command, CommandError};
use hoptrace::ledger::{AnyLedger, canonical_address};
use hoptrace::model::{HopStatus, registry, visible};
use hoptrace::workbench::find::{self, FindTarget};

use super::address_arg;
use super::case_cmd::open_for_change;

/// Arguments of `hoptrace suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The case file.
    pub case: PathBuf,
    /// Which finder. Without it, every finder the window's "Find the other side" runs for the
    /// target (`--hop`, or `--address` of a node on the graph: a mixer's or bridge's deposits
    /// into it, any other address on every chain), with the same planning.
    #[arg(long, value_enum)]
    pub finder: Option<FinderKind>,
    /// Start from this address (on every chain the ledger has it on) instead of the case.
    #[arg(long, conflicts_with = "hop")]
    pub address: Option<String>,
    /// Start from the recipients of this hop's outbound transfers.
    #[arg(long)]
    pub hop: Option<u64>,
    /// Longest delay from deposit to the other side, in hours (default per finder: pool 720,
    /// custodial 48, bridge 48, multichain 720).
    #[arg(long)]
    pub window_hours: Option<u32>,
    /// Exchange rate FROM/TO=UNITS, e.g. ETH/BTC=0.0685 (units of TO per unit of FROM; repeatable).
    #[arg(long = "rate", value_parser = parse_rate)]
    pub rates: Vec<((String, String), String)>,
    /// A pool contract CHAIN:ADDRESS not labelled in the ledger (repeatable).
    #[arg(long = "pool", value_parser = parse_key)]
    pub pools: Vec<(String, String)>,
    /// A custodial mixer address CHAIN:ADDRESS not labelled in the ledger (repeatable).
    #[arg(long = "service", value_parser = parse_key)]
    pub services: Vec<(String, String)>,
    /// CoinJoin: scan every UTXO transaction of the ledger, not only the case's.
    #[arg(long)]
    pub all: bool,
    /// Candidates shown per deposit or subject.
    #[arg(long, default_value_t = 3)]
    pub per_subject: usize,
    /// Leave out candidates scoring under this (0–100).
    #[arg(long, default_value_t = 30)]
    pub min_score: u8,
    /// Record the first-ranked candidate of each subject as a suggested hop (audited), unless
    /// the case has a hop with the same inbound transfers (the same one, or one not rejected).
    #[arg(long)]
    pub add: bool,
    /// The ledger has new imports since the case was saved: bind the case to it (audited).
    #[arg(long)]
    pub rebind: bool,
}

/// Arguments of `hoptrace accept`.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The case file.
    pub case: PathBuf,
    /// The hop (`hoptrace show` lists them).
    pub hop: u64,
    /// Accepted hops this one replaces (comma-separated ids): they share transfers with it, so
    /// they are rejected ("replaced by #HOP") in the same audited, undoable command.
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub replaces: Vec<u64>,
    /// Accept it although an outbound transfer precedes its inbound ones, for this reason
    /// (the recorded times are wrong): kept in the hop and the audit log.
    #[arg(long, value_name = "REASON")]
    pub allow_time_order: Option<String>,
}

/// Arguments of `hoptrace reject`.
#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The case file.
    pub case: PathBuf,
    /// The hop.
    pub hop: u64,
    /// Why: kept with the hop and in the audit log.
    #[arg(long)]
    pub why: Option<String>,
}

fn parse_rate(s: &str) -> Result<((String, String), String), String> {
    let (pair, units) =
        s.split_once('=').ok_or_else(|| format!("{s:?}: expected FROM/TO=UNITS, e.g. ETH/BTC=0.0685"))?;
    let (from, to) = pair.split_once('/').ok_or_else(|| format!("{s:?}: expected FROM/TO=UNITS"))?;
    Ok(((from.trim().to_ascii_uppercase(), to.trim().to_ascii_uppercase()), units.trim().to_owned()))
}

fn parse_key(s: &str) -> Result<(String, String), String> {
    let (chain, address) = s.split_once(':').ok_or_else(|| format!("{s:?}: expected CHAIN:ADDRESS"))?;
    let chain = chain.trim();
    let address = registry().normalize_address(chain, address).map_err(|e| e.to_string())?;
    Ok((chain.to_owned(), address))
}

/// Runs `hoptrace suggest`.
///
/// # Errors
/// Bad arguments, an unreadable case or ledger, a finder failure.
pub fn suggest(args: &SuggestArgs) -> anyhow::Result<ExitCode> {
    let mut editing = open_for_change(&args.case, args.rebind, "hoptrace suggest")?;
    let inv = &mut editing.inv;
    let settings = Settings {
        window_hours: args.window_hours,
        rates: args.rates.iter().cloned().collect(),
        pools: args.pools.iter().cloned().collect(),
        services: args.services.iter().cloned().collect(),
        per_subject: args.per_subject.max(1),
        min_score: args.min_score,
        scan_all: args.all,
        ..Settings::default()
    };
    let found = match args.finder {
        Some(kind) => {
            let settings = find::with_case_mixers(settings, inv.case());
            let start = match (&args.address, args.hop) {
                (Some(a), _) => Start::for_address(inv.ledger(), inv.case(), &address_arg::canonical("--address", a)?)?,
                (None, Some(id)) => Start::for_hop(inv.ledger(), inv.case(), id)?,
                (None, None) => Start::from_case(inv.ledger(), inv.case())?,
            };
            if start.addresses.is_empty() && !(args.all && kind == FinderKind::CoinJoin) {
                bail!("{}: nothing to start from (no address on the case, hop or --address)", args.case.display());
            }
            let found = analysis::run(kind, inv.ledger(), &start, &settings)
                .with_context(|| format!("{} finder", kind.name()))?;
            println!(
                "{}: {} finder from {} address(es): {} candidate(s)",
                args.case.display(),
                kind.name(),
                start.addresses.len(),
                found.len()
            );
            found
        }
        None => {
            let target = planned_target(inv, args)?;
            let results = find::find_other_side_with(inv.ledger(), inv.case(), &target, settings)
                .map_err(|e| anyhow::anyhow!("{}: {e}", args.case.display()))?;
            let names: Vec<&str> = results.finders.iter().map(|k| k.name()).collect();
            println!(
                "{}: the other side of {} ({} finders, as the window plans them): {} candidate(s)",
                args.case.display(),
                visible(&target.describe()),
                names.join(", "),
                results.candidates.len()
            );
            for r in &results.remarks {
                println!("  note: {}", visible(r));
            }
            results.candidates
        }
    };
    print_candidates(&found);
    if args.add {
        let mut added = Vec::new();
        for c in found.iter().filter(|c| c.rank == 1) {
            // The subject already has a hop (the same one, or one not rejected): not again.
            if find::already_in_case(inv.case(), c) {
                continue;
            }
            // A candidate the case refuses (one running against time) is reported, not recorded.
            match inv.apply(Command::AnnotateHop { hop: c.to_hop() }) {
                Ok(()) => added.extend(inv.case().hops.keys().next_back().copied()),
                Err(CommandError::Invalid(why)) => {
                    println!("\nnot recorded: the candidate for {}: {why}", visible(&c.subject));
                }
                Err(e) => return Err(e.into()),
            }
        }
        editing.save()?;
        println!(
            "\n{}: recorded {} suggested hop(s): {} (accept with `hoptrace accept {} ID`, reject with `hoptrace reject`)",
            args.case.display(),
            added.len(),
            added.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", "),
            args.case.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the window would start for `--hop` or `--address` (the node on the graph, with its
/// category there).
fn planned_target(inv: &mut Investigation<AnyLedger>, args: &SuggestArgs) -> anyhow::Result<FindTarget> {
    match (&args.address, args.hop) {
        (None, Some(id)) => Ok(FindTarget::Hop(id)),
        (Some(a), _) => {
            let wanted = canonical_address(&address_arg::canonical("--address", a)?);
            let graph = inv.graph()?;
            let node = graph
                .graph
                .node_weights()
                .find(|n| matches!(&n.key, NodeKey::Address { address, .. } if canonical_address(address) == wanted));
            match node {
                Some(n) => Ok(FindTarget::Node(n.key.clone(), n.category)),
                None => bail!(
                    "{}: {} is not on the case's graph: expand to it first, or search from any address with --finder",
                    args.case.display(),
                    visible(a)
                ),
            }
        }
        (None, None) => bail!(
            "{}: without --finder, say where to start as the window does: --hop ID or --address ADDRESS (a node \
             on the graph); or name a finder to search from the whole case",
            args.case.display()
        ),
    }
}

/// Each candidate: finder, score, rank, subject, hop kind, transfers and rationale.
fn print_candidates(found: &[Candidate]) {
    for c in found {
        println!(
            "\n[{}] score {:>3}  rank {} for {}  ({} {})\n    in  {:?}\n    out {:?}\n    {}",
            c.finder.name(),
            c.score,
            c.rank,
            visible(&c.subject),
            c.kind.name(),
            c.kind.service().map(visible).unwrap_or_default(),
            c.inbound,
            c.outbound,
            visible(&c.rationale)
        );
    }
}

fn review(case: &Path, command: Command, id: u64) -> anyhow::Result<ExitCode> {
    let mut editing = open_for_change(case, false, "hoptrace accept/reject")?;
    editing.inv.apply(command)?;
    editing.save()?;
    let hop = editing.inv.case().hops.get(&id).context("the hop is in the case")?;
    let status = match hop.status {
        HopStatus::Suggested => "suggested",
        HopStatus::Accepted => "accepted",
        HopStatus::Rejected => "rejected",
    };
    println!(
        "{}: hop #{id} ({} {}, by {}) is now {status}",
        case.display(),
        hop.kind.name(),
        visible(hop.kind.service().unwrap_or("")),
        visible(&hop.author)
    );
    for (other, h) in &editing.inv.case().hops {
        if h.features.get(REPLACED_BY).is_some_and(|by| *by == id.to_string()) && h.status == HopStatus::Rejected {
            println!("{}: hop #{other} is now rejected (replaced by hop #{id})", case.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `hoptrace accept`.
///
/// # Errors
/// The case cannot be opened or has no such hop.
pub fn accept(args: &AcceptArgs) -> anyhow::Result<ExitCode> {
    let command = Command::AcceptHop {
        id: args.hop,
        replaces: args.replaces.clone(),
        time_order_override: args.allow_time_order.clone(),
    };
    review(&args.case, command, args.hop)
}

/// Runs `hoptrace reject`.
///
/// # Errors
/// The case cannot be opened or has no such hop.
pub fn reject(args: &RejectArgs) -> anyhow::Result<ExitCode> {
    review(&args.case, Command::RejectHop { id: args.hop, why: args.why.clone() }, args.hop)
}
