//! Command-line parsing (clap) and dispatch. Raw arguments become validated library settings
//! here, once.

mod address_arg;
mod case_cmd;
mod demo_cmd;
mod export_cmd;
mod import_cmd;
mod info_cmd;
mod labels_cmd;
mod review_cmd;
mod show;
mod suggest_cmd;
mod taint_cmd;
mod train_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// hoptrace — follow stolen cryptocurrency hop by hop, offline.
///
/// Import real export files (ethereum-etl, Bitcoin Core RPC, Etherscan-family, Tronscan,
/// Arkham, TagPacks, OFAC lists) into a local ledger, work a case from the command line or in
/// the workbench window. Run without a subcommand (or with a case file) to open the window.
#[derive(Debug, Parser)]
#[command(name = "hoptrace", version, about, long_about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; nothing opens the workbench window.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A case to open in the workbench window (default: the most recent case, else the demo).
    pub case: Option<PathBuf>,
    /// Open this evidence package (zip or folder) in the window's read-only review mode:
    /// verified, with its graph, hops, report and reviewers' comments.
    #[arg(long, value_name = "PACKAGE", conflicts_with = "case")]
    pub review: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import export files into a ledger: one batch per file, committed whole or not at all.
    ///
    /// The format is recognised from each file's header or content (override with --format).
    /// A file already imported (same SHA-256) adds nothing. If any row is refused, nothing of
    /// that file is imported and every refused row is listed with its line, field and reason;
    /// --skip-bad imports the good rows and writes the refused ones to a CSV instead.
    Import(import_cmd::ImportArgs),
    /// Summarise a ledger: import batches with file hashes, transfers per chain and asset,
    /// labels per category.
    LedgerInfo(info_cmd::InfoArgs),
    /// Start a case on a ledger from one or more seed addresses.
    NewCase(case_cmd::NewCaseArgs),
    /// Bring in an address's transfers: the top N by value under a filter, the rest folded
    /// into one "+N more" node (so an exchange hot wallet never floods the graph).
    Expand(case_cmd::ExpandArgs),
    /// Record a hop (mixer, bridge, swap, cash-out, peel chain) with the transfers on both
    /// sides, a confidence and a rationale.
    Annotate(case_cmd::AnnotateArgs),
    /// Suggest the other side of a pool, CoinJoin, custodial mixer, bridge or swap, or the same
    /// address on another chain; each candidate with a score and the numbers behind it.
    /// --add records them as suggested hops.
    Suggest(suggest_cmd::SuggestArgs),
    /// Accept a (suggested) hop: recorded in the audit log.
    Accept(suggest_cmd::AcceptArgs),
    /// Reject a (suggested) hop, with the reason: kept in the case and the audit log.
    Reject(suggest_cmd::RejectArgs),
    /// Print a case: nodes, edges, aggregates and hops (--json for tools).
    Show(case_cmd::ShowArgs),
    /// Verify a case's audit log: every command hash-chained, and the case in the state the
    /// last entry recorded.
    Audit(case_cmd::AuditArgs),
    /// Attribution labels: list or import the built-in cited set (--builtin [--into LEDGER]),
    /// show every label about an address side by side (--address ADDR [--ledger L]), export a
    /// ledger's labels as a GraphSense TagPack (--ledger L --export-tagpack OUT.yaml).
    Labels(labels_cmd::LabelsArgs),
    /// Training scenarios: list, open (builds the ledger), exercises, check an answer (exit 1
    /// when wrong), walkthrough, generate.
    Train(train_cmd::TrainArgs),
    /// Trace value from the case's seeds (or --seed addresses) by poison, haircut or FIFO
    /// taint: the amount reaching each endpoint (service, unspent, hop or time limit), what
    /// stays, and the exact conservation check per asset. Crosses the case's accepted hops.
    Taint(taint_cmd::TaintArgs),
    /// Follow a peel chain from an address: peel and change per step with the amounts, a
    /// stop rule for every branch; --add records the steps as suggested hops.
    Peel(taint_cmd::PeelArgs),
    /// The shortest and the highest-value paths between two addresses (time-respecting,
    /// within a hop limit), with the transfers on them.
    Paths(taint_cmd::PathsArgs),
    /// The headless demo: generate the bundled laundering scenario, import it into a fresh
    /// ledger and build a case (seeds, expansions, annotated hops) in DIR.
    Demo {
        /// Folder for the demo ledger, exports and case (files of an earlier demo are replaced).
        #[arg(long, default_value = "demo-out")]
        out: PathBuf,
    },
    /// Write an evidence package (zip, or a folder with --dir): the case, its audit log, the
    /// transfers, hops, labels and notes as CSV, the graph as GraphML, a STIX 2.1 bundle, a
    /// manifest and SHA256SUMS (checkable with `sha256sum -c`); optionally signed.
    Export(export_cmd::ExportArgs),
    /// Check an evidence package: every file's hash, the manifest, the audit chain, the
    /// signature, and with --ledger every transfer against a ledger. Exit 0 when intact.
    Verify(export_cmd::VerifyArgs),
    /// Review an evidence package: comment on nodes, edges (transfers) and hops, list the
    /// comments, export them as a review package. Comments stay apart from the case, in
    /// PKG.review.ron beside the package, with their own audit log.
    Review(review_cmd::ReviewArgs),
    /// Make an ed25519 key pair for signing evidence packages (export --sign).
    Keygen(export_cmd::KeygenArgs),
    /// Import the sample exports of every supported format (cases/demo/exports) into a fresh
    /// ledger and print its summary.
    SampleImport {
        /// Where to write the ledger (replaced if it exists).
        #[arg(long, default_value = "demo-out/sample-ledger.sqlite")]
        ledger: PathBuf,
        /// Folder with the sample exports (default: `demo/exports` in the installed cases
        /// folder: HOPTRACE_CASES, beside the executable, else ./cases).
        #[arg(long)]
        exports: Option<PathBuf>,
    },
}

/// The workbench window on `case`, or on the most recent case, or on the demo (built first);
/// with `review`, on that evidence package in review mode.
#[cfg(feature = "gui")]
fn window(case: Option<PathBuf>, review: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    if let Some(package) = review {
        if !package.exists() {
            anyhow::bail!("{}: no such evidence package", package.display());
        }
        hoptrace::ui::run(None, Some(package)).map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let demo_case = PathBuf::from("demo-out/demo-case.ron");
    let case = match case {
        Some(c) => Some(c),
        None if !demo_case.exists() => {
            demo_cmd::run(&PathBuf::from("demo-out"))?;
            None
        }
        None => None,
    };
    let fallback = demo_case.exists().then_some(demo_case);
    hoptrace::ui::run(case.or(fallback), None).map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Without the window (built with `--no-default-features`): the headless demo.
#[cfg(not(feature = "gui"))]
fn window(case: Option<PathBuf>, review: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    if let Some(p) = review {
        anyhow::bail!(
            "{}: this build has no window (built without the `gui` feature): use `hoptrace review {} --list`",
            p.display(),
            p.display()
        );
    }
    if let Some(c) = case {
        anyhow::bail!(
            "{}: this build has no window (built without the `gui` feature): use `hoptrace show`",
            c.display()
        );
    }
    demo_cmd::run(&PathBuf::from("demo-out"))
}

/// Runs the parsed command line.
///
/// # Errors
/// Any failure, with context, for a one-line report.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Import(args)) => import_cmd::run(&args),
        Some(Command::LedgerInfo(args)) => info_cmd::run(&args),
        Some(Command::NewCase(args)) => case_cmd::new_case(&args),
        Some(Command::Expand(args)) => case_cmd::expand(&args),
        Some(Command::Annotate(args)) => case_cmd::annotate(&args),
        Some(Command::Suggest(args)) => suggest_cmd::suggest(&args),
        Some(Command::Accept(args)) => suggest_cmd::accept(&args),
        Some(Command::Reject(args)) => suggest_cmd::reject(&args),
        Some(Command::Show(args)) => case_cmd::show(&args),
        Some(Command::Audit(args)) => case_cmd::audit(&args),
        Some(Command::Labels(args)) => labels_cmd::run(&args),
        Some(Command::Train(args)) => train_cmd::run(&args),
        Some(Command::Taint(args)) => taint_cmd::taint(&args),
        Some(Command::Peel(args)) => taint_cmd::peel(&args),
        Some(Command::Paths(args)) => taint_cmd::paths(&args),
        Some(Command::Demo { out }) => demo_cmd::run(&out),
        Some(Command::Export(args)) => export_cmd::run_export(&args),
        Some(Command::Verify(args)) => export_cmd::run_verify(&args),
        Some(Command::Keygen(args)) => export_cmd::run_keygen(&args),
        Some(Command::Review(args)) => review_cmd::run(&args),
        Some(Command::SampleImport { ledger, exports }) => {
            let exports = match exports {
                Some(e) => e,
                None => hoptrace::training::installed_cases()?.join("demo").join("exports"),
            };
            info_cmd::demo(&ledger, &exports)
        }
        None => window(cli.case, cli.review),
    }
}
