//! `hoptrace new-case`, `expand`, `annotate`, `show` and `audit`: the investigation from the
//! command line, through the same commands the window emits.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use hoptrace::case::lock::CaseLock;
use hoptrace::case::{ExpandDirection, FilterField, FilterText, NodeKey, file};
use hoptrace::graph::hop_rules::TIME_ORDER_OVERRIDE;
use hoptrace::graph::{Command, Investigation};
use hoptrace::ledger::{AnyLedger, Ledger};
use hoptrace::model::{Hop, HopKind, HopStatus, visible, visible_lines};
use hoptrace::workbench::session::{self, CaseGuard, OpenCaseError, Rebind};

use super::{address_arg, show};

/// Arguments of `hoptrace new-case`.
#[derive(Debug, Args)]
pub struct NewCaseArgs {
    /// The ledger the case works on (see `hoptrace import`).
    #[arg(long)]
    pub ledger: PathBuf,
    /// Title of the case.
    #[arg(long)]
    pub title: String,
    /// Address where the investigation starts (repeatable); added on every chain the ledger
    /// has it on, or on --chain.
    #[arg(long = "seed", required = true)]
    pub seeds: Vec<String>,
    /// Chain of the seeds, when an address exists on several.
    #[arg(long)]
    pub chain: Option<String>,
    /// Your name, recorded with every command in the audit log.
    #[arg(long, env = "HOPTRACE_INVESTIGATOR", default_value = "investigator")]
    pub investigator: String,
    /// Replace an existing case file.
    #[arg(long)]
    pub force: bool,
    /// The case file to write (RON).
    pub case: PathBuf,
}

/// Direction argument.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DirectionArg {
    /// Received transfers.
    In,
    /// Sent transfers.
    Out,
    /// Both.
    Both,
}

/// Arguments of `hoptrace expand`.
#[derive(Debug, Args)]
pub struct ExpandArgs {
    /// The case file.
    pub case: PathBuf,
    /// Address (or UTXO transaction hash) on the graph to expand.
    pub node: String,
    /// Which transfers: received (in), sent (out) or both.
    #[arg(long, value_enum, default_value_t = DirectionArg::Both)]
    pub direction: DirectionArg,
    /// Only transfers worth at least this many units of their asset (e.g. 0.5).
    #[arg(long)]
    pub min_value: Option<String>,
    /// Only transfers at or after this time (ISO 8601 or Unix seconds, UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// Only transfers at or before this time.
    #[arg(long)]
    pub to: Option<String>,
    /// Only this asset (symbol or contract; repeatable).
    #[arg(long = "asset")]
    pub assets: Vec<String>,
    /// Show the N highest-value transfers and fold the rest into one "+N more" node.
    #[arg(long)]
    pub top: Option<usize>,
    /// Chain of the node, when the address is on the graph on several chains.
    #[arg(long)]
    pub chain: Option<String>,
    /// The ledger has new imports since the case was saved: bind the case to it (audited).
    #[arg(long)]
    pub rebind: bool,
}

/// Hop kinds on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Through a mixer (pool or custodial).
    Mixer,
    /// Across a bridge.
    Bridge,
    /// A swap.
    Swap,
    /// A cash-out at an exchange or OTC broker.
    CashOut,
    /// A peel chain.
    PeelChain,
}

/// Arguments of `hoptrace annotate`.
#[derive(Debug, Args)]
pub struct AnnotateArgs {
    /// The case file.
    pub case: PathBuf,
    /// What kind of hop.
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// The mixer, bridge, DEX, exchange or broker (required except for peel chains).
    #[arg(long)]
    pub service: Option<String>,
    /// A mixer's pool (e.g. 100 ETH).
    #[arg(long)]
    pub pool: Option<String>,
    /// A bridge's source chain.
    #[arg(long)]
    pub from_chain: Option<String>,
    /// A bridge's destination chain.
    #[arg(long)]
    pub to_chain: Option<String>,
    /// Ledger ids of the transfers going in (comma-separated; `hoptrace show` lists them).
    #[arg(long = "in", value_delimiter = ',')]
    pub inbound: Vec<i64>,
    /// Ledger ids of the transfers coming out.
    #[arg(long = "out", value_delimiter = ',', required = true)]
    pub outbound: Vec<i64>,
    /// Confidence, 0–100.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub confidence: u8,
    /// Why these transfers are one hop: amounts, delays, fees, denominations, reuse.
    #[arg(long)]
    pub rationale: String,
    /// A number the rationale cites, NAME=VALUE (repeatable).
    #[arg(long = "feature", value_parser = parse_feature)]
    pub features: Vec<(String, String)>,
    /// Record it as a suggestion rather than an accepted hop.
    #[arg(long)]
    pub suggested: bool,
    /// Record it although an outbound transfer precedes its inbound ones, for this reason
    /// (the recorded times are wrong): kept in the hop (feature `time_order_override`) and
    /// the audit log.
    #[arg(long, value_name = "REASON")]
    pub allow_time_order: Option<String>,
    /// Bind the case to a ledger with new imports (audited).
    #[arg(long)]
    pub rebind: bool,
}

fn parse_feature(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected NAME=VALUE"))?;
    Ok((k.trim().to_owned(), v.trim().to_owned()))
}

/// Arguments of `hoptrace show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The case file.
    pub case: PathBuf,
    /// JSON: nodes, edges, aggregates and hops, amounts as decimal strings of base units.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `hoptrace audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The case file.
    pub case: PathBuf,
}

/// How a case refers to its ledger: relative to the case's folder when the ledger is inside it.
/// The investigation of `case` (read from `case_path`) on its ledger.
fn bind(case_path: &Path, case: hoptrace::case::Case, rebind: bool) -> anyhow::Result<Investigation<AnyLedger>> {
    let rebind = if rebind { Rebind::Yes } else { Rebind::No };
    match session::bind(case_path, case, rebind, Some(&hoptrace::graph::create::default_actor())) {
        Ok(inv) => Ok(inv),
        Err(e @ OpenCaseError::Changed { .. }) => bail!("{e} (pass --rebind)"),
        Err(e) => Err(e.into()),
    }
}

/// How long a CLI command waits for another writer of the same case to finish before it is
/// refused with that writer's name.
const LOCK_WAIT: Duration = Duration::from_secs(20);

/// A case opened to be changed: the investigation, the case's lock (held until this is
/// dropped) and the audit head the change starts from.
pub struct Editing {
    /// The case and its ledger.
    pub inv: Investigation<AnyLedger>,
    path: PathBuf,
    guard: CaseGuard,
}

impl Editing {
    /// Saves the change, unless the case file moved on since it was opened (then nothing is
    /// written and the error says so).
    ///
    /// # Errors
    /// [`session::SaveError`], including a case file that changed.
    pub fn save(&mut self) -> anyhow::Result<()> {
        self.guard.save(self.inv.case(), &self.path)?;
        Ok(())
    }
}

/// Opens `case_path` to change it as `program` (`hoptrace expand`): takes the case's lock first
/// (waiting up to [`LOCK_WAIT`] for another writer), then reads the case, so the change starts
/// from the latest saved version.
///
/// # Errors
/// The case is held by another writer (named), or as [`open`].
pub fn open_for_change(case_path: &Path, rebind: bool, program: &str) -> anyhow::Result<Editing> {
    // The head of the file as read: a rebind applied in memory next is part of the change.
    let (guard, case) = CaseGuard::acquire_waiting(case_path, program, LOCK_WAIT)?;
    let inv = bind(case_path, case, rebind)?;
    Ok(Editing { inv, path: case_path.to_owned(), guard })
}

/// Runs `hoptrace new-case`.
///
/// # Errors
/// Bad arguments, an unreadable ledger, a seed not in the ledger.
pub fn new_case(args: &NewCaseArgs) -> anyhow::Result<ExitCode> {
    let _lock = CaseLock::acquire_waiting(&args.case, "hoptrace new-case", LOCK_WAIT)?;
    if args.case.exists() && !args.force {
        bail!("{} exists: pass --force to replace it", args.case.display());
    }
    if !args.ledger.exists() {
        bail!("{}: no such ledger file", args.ledger.display());
    }
    let mut inv = hoptrace::graph::create::start_case(&args.case, &args.ledger, &args.title, &args.investigator, true)?;
    for seed in &args.seeds {
        let on = address_arg::in_ledger(inv.ledger(), "--seed", seed, args.chain.as_deref(), "to add it anyway")?;
        for (chain, address) in on {
            inv.apply(Command::AddSeed { chain, address }).with_context(|| format!("seed {seed}"))?;
        }
    }
    file::save(inv.case(), &args.case)?;
    println!("{}: new case {:?} with {} seed(s)", args.case.display(), args.title, inv.case().seeds.len());
    Ok(ExitCode::SUCCESS)
}

/// Whether `text` has the form of a transaction hash (64 hex digits, `0x` on EVM chains).
fn is_tx_hash(text: &str) -> bool {
    let hex = text.strip_prefix("0x").unwrap_or(text);
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Finds the graph node an address or tx hash names (an address is checked against its
/// chain's syntax first).
fn find_node(inv: &Investigation<AnyLedger>, text: &str, chain: Option<&str>) -> anyhow::Result<NodeKey> {
    let hash = text.trim().to_ascii_lowercase();
    let wanted = if is_tx_hash(&hash) {
        String::new()
    } else {
        let fits = address_arg::syntax("NODE", text, chain).map_err(|e| {
            anyhow::anyhow!("{e} (or a transaction hash: 64 hexadecimal digits, with 0x on EVM chains)")
        })?;
        fits.into_iter().next().map(|(_, a)| a).unwrap_or_default()
    };
    let found: Vec<&NodeKey> = inv
        .case()
        .nodes
        .keys()
        .filter(|k| match k {
            NodeKey::Address { chain: c, address } => *address == wanted && chain.is_none_or(|x| x == c),
            NodeKey::Tx { chain: c, hash: h } => *h == hash && chain.is_none_or(|x| x == c),
            NodeKey::Aggregate(_) => false,
        })
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!("{text} is not on the graph (add it as a seed or expand a neighbour first)"),
        many => bail!(
            "{text} is on the graph on several chains ({}): pass --chain",
            many.iter()
                .map(|k| match k {
                    NodeKey::Address { chain, .. } | NodeKey::Tx { chain, .. } => chain.as_str(),
                    NodeKey::Aggregate(_) => "",
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Runs `hoptrace expand`.
///
/// # Errors
/// Bad arguments or a command that does not apply.
pub fn expand(args: &ExpandArgs) -> anyhow::Result<ExitCode> {
    let mut editing = open_for_change(&args.case, args.rebind, "hoptrace expand")?;
    let inv = &mut editing.inv;
    let node = find_node(inv, &args.node, args.chain.as_deref())?;
    let top = args.top.map(|n| n.to_string());
    let typed = FilterText {
        min_value: args.min_value.as_deref(),
        from: args.from.as_deref(),
        to: args.to.as_deref(),
        assets: args.assets.clone(),
        top: top.as_deref(),
    };
    let filter = typed.parse().map_err(|e| {
        let option = match e.field {
            FilterField::MinValue => "--min-value",
            FilterField::From => "--from",
            FilterField::To => "--to",
            FilterField::Top => "--top",
        };
        anyhow::anyhow!("{option}: {e}")
    })?;
    let direction = match args.direction {
        DirectionArg::In => ExpandDirection::In,
        DirectionArg::Out => ExpandDirection::Out,
        DirectionArg::Both => ExpandDirection::Both,
    };
    let (nodes, transfers) = (inv.case().nodes.len(), inv.case().transfers.len());
    inv.apply(Command::Expand { node: node.clone(), direction, filter })?;
    editing.save()?;
    let c = editing.inv.case();
    let folded: Vec<String> = c
        .aggregates
        .values()
        .filter(|a| a.anchor == node)
        .map(|a| format!("+{}{} more {:?}", if a.lower_bound { "≥" } else { "" }, a.count, a.direction))
        .collect();
    println!(
        "{}: expanded {}: +{} nodes, +{} transfers (now {} nodes, {} transfers){}",
        args.case.display(),
        node.describe(),
        c.nodes.len() - nodes,
        c.transfers.len().saturating_sub(transfers),
        c.nodes.len(),
        c.transfers.len(),
        if folded.is_empty() { String::new() } else { format!("; folded: {}", folded.join(", ")) }
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `hoptrace annotate`.
///
/// # Errors
/// Bad arguments or a hop that does not apply.
pub fn annotate(args: &AnnotateArgs) -> anyhow::Result<ExitCode> {
    let service =
        || args.service.clone().ok_or_else(|| anyhow::anyhow!("--service is required for a {:?} hop", args.kind));
    let kind = match args.kind {
        KindArg::Mixer => HopKind::Mixer { service: service()?, pool: args.pool.clone() },
        KindArg::Bridge => HopKind::Bridge {
            bridge: service()?,
            from_chain: args.from_chain.clone().context("--from-chain is required for a bridge hop")?,
            to_chain: args.to_chain.clone().context("--to-chain is required for a bridge hop")?,
        },
        KindArg::Swap => HopKind::Swap { venue: service()? },
        KindArg::CashOut => HopKind::CashOut { venue: service()? },
        KindArg::PeelChain => HopKind::PeelChain,
    };
    let mut features: std::collections::BTreeMap<String, String> = args.features.iter().cloned().collect();
    if let Some(why) = &args.allow_time_order {
        if why.trim().is_empty() {
            bail!("--allow-time-order needs a reason: say why the recorded times are wrong");
        }
        features.insert(TIME_ORDER_OVERRIDE.to_owned(), why.trim().to_owned());
    }
    let mut editing = open_for_change(&args.case, args.rebind, "hoptrace annotate")?;
    let hop = Hop {
        kind,
        inbound: args.inbound.clone(),
        outbound: args.outbound.clone(),
        confidence: args.confidence,
        rationale: args.rationale.clone(),
        features,
        status: if args.suggested { HopStatus::Suggested } else { HopStatus::Accepted },
        author: String::new(),
        time: 0,
    };
    editing.inv.apply(Command::AnnotateHop { hop })?;
    editing.save()?;
    let (id, hop) = editing.inv.case().hops.iter().next_back().context("the hop was recorded")?;
    println!(
        "{}: hop #{id} ({} {}) recorded: {} in, {} out, confidence {}",
        args.case.display(),
        hop.kind.name(),
        visible(hop.kind.service().unwrap_or("")),
        hop.inbound.len(),
        hop.outbound.len(),
        hop.confidence
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `hoptrace show`.
///
/// # Errors
/// The case or its ledger cannot be read.
pub fn show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let case = file::load(&args.case)?;
    let source = case.ledger_source(&args.case);
    let ledger = source.open()?;
    let current = ledger.fingerprint()?;
    let bound = current == case.ledger.fingerprint;
    // The saved case's log, before `open_rebinding` may add a rebind entry in memory.
    let audit = case.verify_audit();
    let mut inv = Investigation::open_rebinding(case, ledger, None)?;
    let graph = inv.graph()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&show::json(&inv, &graph, bound, &audit))?);
    } else {
        // Labels, notes and rationales come from files and users: shown, never obeyed, by the terminal.
        print!("{}", visible_lines(&show::text(&args.case, &source, &inv, &graph, bound, &audit)));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `hoptrace audit`.
///
/// # Errors
/// The case cannot be read, or its audit log is broken.
pub fn audit(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let case = file::load(&args.case)?;
    case.verify_audit().map_err(|e| anyhow::anyhow!("{}: audit log broken: {e}", args.case.display()))?;
    let head = case.audit.last().map_or("none", |e| e.hash.as_str());
    println!(
        "{}: audit log intact: {} entries, chain verified, case matches its last entry; head {head}",
        args.case.display(),
        case.audit.len()
    );
    Ok(ExitCode::SUCCESS)
}
