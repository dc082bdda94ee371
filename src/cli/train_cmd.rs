//! `hoptrace train`: list the training scenarios, open one (building its ledger), check an
//! exercise answer, print (and replay in memory) a walkthrough, regenerate a folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use hoptrace::case::file;
use hoptrace::training::{self, Action, Replay};
use hoptrace::workbench::session::{self, Rebind};

/// Arguments of `hoptrace train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Folder holding the training cases (default: HOPTRACE_CASES, else the `cases` folder
    /// installed with hoptrace, found beside the executable, else ./cases).
    #[arg(long, global = true)]
    pub cases: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: TrainCommand,
}

/// The `train` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// List the training scenarios and whether their ledgers are built.
    List,
    /// Build the scenario's ledger if needed and print the case and ledger paths: both in your
    /// data folder ($HOPTRACE_DATA_DIR/training, else $XDG_DATA_HOME/hoptrace/training, else
    /// ~/.local/share/hoptrace/training), never in the installation's cases folder.
    Open {
        /// Scenario name (see `hoptrace train list`).
        name: String,
    },
    /// Print the scenario's exercises (questions and ids).
    Exercises {
        /// Scenario name.
        name: String,
    },
    /// Check an answer: exit 0 when correct (with the explanation), 1 when wrong (the answer is
    /// not given away: pass --reveal to see it).
    Check {
        /// Scenario name.
        name: String,
        /// Exercise id (see `hoptrace train exercises NAME`).
        exercise: String,
        /// Also print the answer and why.
        #[arg(long)]
        reveal: bool,
        /// Your answer: an address, a transaction hash, an amount (base units, or `1.5 ETH`),
        /// a hop kind or a number.
        answer: String,
    },
    /// Print the walkthrough's steps, replaying each on the case in memory (nothing is saved).
    Walkthrough {
        /// Scenario name.
        name: String,
    },
    /// Regenerate a scenario's folder (exports, ledger, case, walkthrough, exercises).
    Generate {
        /// Scenario name, or `all`.
        name: String,
    },
}

fn folder(cases: &Path, name: &str) -> anyhow::Result<PathBuf> {
    if !training::names().contains(&name) {
        bail!("no training scenario {name:?}: known are {}", training::names().join(", "));
    }
    Ok(cases.join(name))
}

/// Runs `hoptrace train`.
///
/// # Errors
/// Unknown scenario or exercise, or a failure building or reading the case.
pub fn run(args: &TrainArgs) -> anyhow::Result<ExitCode> {
    let cases = match &args.cases {
        Some(c) => c.clone(),
        None => training::installed_cases()?,
    };
    match &args.command {
        TrainCommand::List => {
            let data = training::data_dir().ok();
            for name in training::names() {
                let dir = cases.join(name);
                let work = data.as_deref().map(|d| training::work_dir(&dir, d));
                let built = if work.is_some_and(|w| w.join(training::LEDGER_FILE).exists()) {
                    "ledger built"
                } else {
                    "ledger built on first open"
                };
                let title =
                    file::load(&dir.join(training::CASE_FILE)).map(|c| c.title).unwrap_or_else(|e| format!("({e})"));
                println!("{name:<18} {title} [{built}]");
            }
        }
        TrainCommand::Open { name } => {
            let dir = folder(&cases, name)?;
            let (case, ledger) = training::open(&dir).with_context(|| format!("opening {}", dir.display()))?;
            println!("case:   {}", case.display());
            println!("ledger: {}", ledger.display());
        }
        TrainCommand::Exercises { name } => {
            let dir = folder(&cases, name)?;
            for e in training::load_exercises(&dir)? {
                println!("{:<22} {}", e.id, e.question);
            }
        }
        TrainCommand::Check { name, exercise, answer, reveal } => {
            let dir = folder(&cases, name)?;
            let exercises = training::load_exercises(&dir)?;
            let Some(ex) = exercises.iter().find(|e| e.id == *exercise) else {
                let ids: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
                bail!("{name} has no exercise {exercise:?}: its exercises are {}", ids.join(", "));
            };
            let verdict = training::check(ex, answer);
            println!("{}", verdict.explanation);
            if *reveal && !verdict.correct {
                println!("{}", training::reveal(ex));
            }
            return Ok(if verdict.correct { ExitCode::SUCCESS } else { ExitCode::from(1) });
        }
        TrainCommand::Walkthrough { name } => {
            let dir = folder(&cases, name)?;
            let (case_path, _) = training::open(&dir)?;
            let mut inv = session::open(&case_path, Rebind::No, Some(&hoptrace::graph::create::default_actor()))?;
            let walkthrough = training::load_walkthrough(&dir)?;
            println!("{} ({} steps)", walkthrough.title, walkthrough.steps.len());
            let mut replay = Replay::new(walkthrough);
            let mut n = 0;
            while let Some(step) = replay.next(&mut inv)? {
                n += 1;
                let what = match &step.action {
                    Action::Focus(n) => format!("focus {}", n.describe()),
                    Action::AddSeed { chain, address } => format!("add seed {chain}:{address}"),
                    Action::Expand { node, direction, .. } => format!("expand {} {direction:?}", node.describe()),
                    Action::Highlight { nodes, hop_steps } => {
                        format!("highlight {} nodes, hops of steps {hop_steps:?}", nodes.len())
                    }
                    Action::Annotate(h) => {
                        format!("annotate {} hop ({} in, {} out)", h.kind.name(), h.inbound.len(), h.outbound.len())
                    }
                    Action::Note { .. } => "note".to_owned(),
                };
                println!("{n:>2}. {}\n    [{what}]", step.caption);
            }
            let c = inv.case();
            println!(
                "After the walkthrough: {} nodes, {} transfers, {} hops (not saved)",
                c.nodes.len(),
                c.transfers.len(),
                c.hops.len()
            );
        }
        TrainCommand::Generate { name } => {
            let names: Vec<&str> = if name == "all" { training::names().to_vec() } else { vec![name.as_str()] };
            for n in names {
                let dir = folder(&cases, n)?;
                training::write_case(n, &dir).with_context(|| format!("generating {}", dir.display()))?;
                println!("{}: written", dir.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
