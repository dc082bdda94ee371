//! `hoptrace import`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use hoptrace::import::mapping::ProfileStore;
use hoptrace::import::{DateOrder, Format, ImportOptions};
use hoptrace::ledger::{ImportOutcome, ImportReport, LedgerSource, WriteLedger};
use hoptrace::model::Category;

/// Arguments of `hoptrace import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The ledger file (created if missing).
    #[arg(long, required_unless_present = "profiles")]
    pub ledger: Option<PathBuf>,
    /// Read every file as this format instead of recognising it.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Chain for files that do not say (explorer CSVs of other EVM chains, Arkham, address lists).
    #[arg(long)]
    pub chain: Option<String>,
    /// Import the good rows and write refused ones (line, field, reason) to a CSV.
    #[arg(long)]
    pub skip_bad: bool,
    /// Where --skip-bad writes refused rows (default: FILE_NAME.refused.csv beside the ledger).
    #[arg(long, requires = "skip_bad")]
    pub refused_out: Option<PathBuf>,
    /// How to read slash dates a spreadsheet wrote (5/2/2023): month first or day first.
    #[arg(long, value_enum, default_value_t = DateOrderArg::Mdy)]
    pub date_order: DateOrderArg,
    /// Decimals of a token the registry does not know: CONTRACT_OR_SYMBOL=N (repeatable).
    #[arg(long = "token-decimals", value_parser = parse_token_decimals)]
    pub token_decimals: Vec<(String, u8)>,
    /// Category of every label of a label list that does not state one (address lists,
    /// `address,label` lists, Etherscan label exports, empty cells of the labels CSV).
    #[arg(long, value_parser = parse_category)]
    pub category: Option<Category>,
    /// The token contract of a per-token page export that has no contract column (by default
    /// read from the file name, `…-0x<40 hex>.csv`).
    #[arg(long = "token-contract", value_name = "0x…")]
    pub token_contract: Option<String>,
    /// Read every file through this saved column mapping (see the window's File > Import with
    /// mapping…); profiles live in $HOPTRACE_CONFIG_DIR/profiles, else
    /// $XDG_CONFIG_HOME/hoptrace/profiles, else ~/.config/hoptrace/profiles.
    #[arg(long, conflicts_with = "format")]
    pub profile: Option<String>,
    /// List the saved mapping profiles and exit.
    #[arg(long, exclusive = true)]
    pub profiles: bool,
    /// The export files.
    #[arg(required_unless_present = "profiles")]
    pub files: Vec<PathBuf>,
}

/// Day/month order of slash dates.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DateOrderArg {
    /// Month first (US spreadsheets): 5/2/2023 is 2 May.
    Mdy,
    /// Day first (European spreadsheets): 2/5/2023 is 2 May.
    Dmy,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::from_name(s)
        .ok_or_else(|| format!("unknown format {s:?}; expected one of: {}", Format::ALL.map(Format::name).join(", ")))
}

fn parse_category(s: &str) -> Result<Category, String> {
    Category::parse(s).ok_or_else(|| {
        format!("unknown category {s:?}; expected one of: {}", Category::ALL.map(Category::name).join(", "))
    })
}

fn parse_token_decimals(s: &str) -> Result<(String, u8), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected CONTRACT_OR_SYMBOL=DECIMALS"))?;
    let d: u8 = v.trim().parse().map_err(|_| format!("{s:?}: decimals must be a whole number 0..=77"))?;
    if d > 77 {
        return Err(format!("{s:?}: decimals must be 0..=77"));
    }
    Ok((k.trim().to_owned(), d))
}

/// Runs `hoptrace import`.
///
/// # Errors
/// When the ledger cannot be opened; per-file failures are reported and make the exit non-zero.
pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if args.profiles {
        let store = ProfileStore::from_env()?;
        let names = store.list()?;
        if names.is_empty() {
            println!("no mapping profiles saved in {}", store.dir().display());
        }
        for name in names {
            match store.load(&name) {
                Ok(p) => println!("{name}\tsha256 {}", p.sha256),
                Err(e) => println!("{name}\tunusable: {e}"),
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(ledger_path) = &args.ledger else { bail!("--ledger is required") };
    let profile = match &args.profile {
        Some(name) => Some(ProfileStore::from_env()?.load(name).context("--profile")?),
        None => None,
    };
    if let Some(chain) = &args.chain {
        hoptrace::model::registry().chain(chain).map_err(anyhow::Error::msg).context("--chain")?;
    }
    let options = ImportOptions {
        format: if profile.is_some() { Some(Format::Mapped) } else { args.format },
        chain: args.chain.clone(),
        skip_bad: args.skip_bad,
        date_order: match args.date_order {
            DateOrderArg::Mdy => DateOrder::MonthFirst,
            DateOrderArg::Dmy => DateOrder::DayFirst,
        },
        token_decimals: args.token_decimals.iter().cloned().collect::<BTreeMap<_, _>>(),
        category: args.category,
        token_contract: args.token_contract.clone(),
        profile,
    };
    let mut ledger = LedgerSource::sqlite(ledger_path).open()?;
    let mut failures = Vec::new();
    for file in &args.files {
        let refused_out = args.skip_bad.then(|| refused_path(args, file));
        match ledger.import_file(file, &options, refused_out.as_deref()) {
            Ok(report) => {
                print_report(&report);
                if report.outcome == ImportOutcome::RefusedRows && report.conflicts > 0 {
                    failures.push(format!(
                        "{}: {} conflict(s) with transfers already stated (same transaction and position, other values), nothing imported from it; --skip-bad does not skip a conflict: find which export is right",
                        file.display(),
                        report.conflicts
                    ));
                } else if report.outcome == ImportOutcome::RefusedRows {
                    failures.push(format!(
                        "{}: {} row(s) refused, nothing imported from it (fix them, or pass --skip-bad)",
                        file.display(),
                        report.refused.len()
                    ));
                }
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    match failures.as_slice() {
        [] => Ok(ExitCode::SUCCESS),
        [one] => bail!("{one}"),
        many => bail!("{} of {} files failed; first: {}", many.len(), args.files.len(), many[0]),
    }
}

fn refused_path(args: &ImportArgs, file: &Path) -> PathBuf {
    if let Some(p) = &args.refused_out {
        if args.files.len() == 1 {
            return p.clone();
        }
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        return p.with_file_name(format!("{name}.refused.csv"));
    }
    let dir = args.ledger.as_deref().and_then(Path::parent).map_or_else(PathBuf::new, Path::to_path_buf);
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dir.join(format!("{name}.refused.csv"))
}

/// Prints one file's report: a summary line on stdout, refused rows on stderr.
pub fn print_report(r: &ImportReport) {
    let name = r.path.display();
    match r.outcome {
        ImportOutcome::AlreadyImported => {
            println!(
                "{name}: already imported as batch {} (sha256 {}): nothing added",
                r.batch_id.unwrap_or_default(),
                &r.sha256
            );
        }
        ImportOutcome::Committed | ImportOutcome::RefusedRows => {
            let skipped: Vec<String> = r.skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
            let verb = if r.outcome == ImportOutcome::Committed { "imported" } else { "NOT imported" };
            println!(
                "{name}: {verb} [{}] {} rows: {} transfers, {} labels, {} refused, {} duplicates, {} skipped{}{}",
                r.format,
                r.rows,
                r.transfers,
                r.labels,
                r.refused.len(),
                r.duplicates,
                r.skipped.values().sum::<u64>(),
                if skipped.is_empty() { String::new() } else { format!(" ({})", skipped.join(", ")) },
                if r.resolved_inputs > 0 {
                    format!("; {} UTXO inputs resolved", r.resolved_inputs)
                } else {
                    String::new()
                },
            );
            for refusal in &r.refused {
                eprintln!("{name}:{}: field `{}`: {}", refusal.line, refusal.field, refusal.message);
            }
            if let Some(out) = &r.refused_file {
                println!("{name}: refused rows written to {}", out.display());
            }
        }
    }
}
