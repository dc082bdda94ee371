//! `hoptrace ledger-info` and the demo run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use hoptrace::import::ImportOptions;
use hoptrace::ledger::{ImportOutcome, Ledger, LedgerInfo, LedgerSource, WriteLedger};

/// Arguments of `hoptrace ledger-info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The ledger file.
    pub ledger: PathBuf,
    /// Print JSON (amounts as decimal strings of base units) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `hoptrace ledger-info`.
///
/// # Errors
/// When the ledger does not exist or cannot be read.
pub fn run(args: &InfoArgs) -> anyhow::Result<ExitCode> {
    if !args.ledger.exists() {
        bail!("{}: no such ledger file", args.ledger.display());
    }
    let ledger = LedgerSource::sqlite(&args.ledger).open()?;
    let info = ledger.info()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json_info(&info))?);
    } else {
        print!("{}", render_info(&args.ledger, &info));
    }
    Ok(ExitCode::SUCCESS)
}

fn json_info(info: &LedgerInfo) -> serde_json::Value {
    serde_json::json!({
        "batches": info.batches,
        "assets": info.per_asset.iter().map(|a| serde_json::json!({
            "chain": a.chain, "asset": a.asset, "symbol": a.symbol, "decimals": a.decimals,
            "transfers": a.transfers, "total_base_units": a.total.to_string(),
            "utxo_inputs_not_summed": a.utxo_inputs, "unknown_amounts": a.unknown_amounts,
        })).collect::<Vec<_>>(),
        "labels": info.labels.iter().map(|((chain, category), n)| serde_json::json!({
            "chain": chain, "category": category, "labels": n,
        })).collect::<Vec<_>>(),
        "unresolved_utxo_inputs": info.unresolved_inputs,
        "failed_transfers": info.failed_transfers,
    })
}

/// Renders a ledger summary as text.
#[must_use]
pub fn render_info(path: &Path, info: &LedgerInfo) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "Ledger {}", path.display());
    let _ = writeln!(s, "Import batches ({}):", info.batches.len());
    for b in &info.batches {
        let when = hoptrace::model::format_utc(b.imported_at);
        let _ = writeln!(
            s,
            "  #{:<3} {}  {:<28} {}  ({} bytes, sha256 {})\n        {} rows: {} transfers, {} labels, {} refused, {} duplicates, {} skipped",
            b.id,
            when,
            b.format,
            b.file_name,
            b.size_bytes,
            b.sha256,
            b.rows,
            b.transfers,
            b.labels,
            b.refused,
            b.duplicates,
            b.skipped
        );
    }
    let total: u64 = info.per_asset.iter().map(|a| a.transfers).sum();
    let _ = writeln!(s, "Transfers per chain and asset ({total} that moved value):");
    for a in &info.per_asset {
        let amount = match a.decimals {
            Some(d) => format!("{} {}", a.total.format_units(d), a.symbol.as_deref().unwrap_or(&a.asset)),
            None => format!("{} base units", a.total),
        };
        let name = match &a.symbol {
            Some(sym) if *sym != a.asset => format!("{sym} ({})", a.asset),
            _ => a.asset.clone(),
        };
        let mut notes = Vec::new();
        if a.utxo_inputs > 0 {
            notes.push(format!("outputs only: {} inputs spend coins counted as outputs", a.utxo_inputs));
        }
        if a.unknown_amounts > 0 {
            notes.push(format!("{} inputs of unknown amount", a.unknown_amounts));
        }
        let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
        let _ = writeln!(s, "  {:<10} {:<56} {:>8} transfers  total {amount}{notes}", a.chain, name, a.transfers);
    }
    let labels: u64 = info.labels.values().sum();
    let _ = writeln!(s, "Labels per chain and category ({labels} in all):");
    for ((chain, category), n) in &info.labels {
        let _ = writeln!(s, "  {chain:<10} {category:<12} {n:>8}");
    }
    if info.failed_transfers > 0 {
        let _ = writeln!(s, "Failed transactions (kept as evidence, not in the totals): {}", info.failed_transfers);
    }
    if info.unresolved_inputs > 0 {
        let _ = writeln!(
            s,
            "{} inputs of unknown amount (spent output not in the ledger: address and amount unknown, in no total)",
            info.unresolved_inputs
        );
    }
    s
}

/// Imports the bundled demo exports into a fresh ledger at `ledger` and prints the summary.
///
/// # Errors
/// When the exports cannot be read or any of them fails to import.
pub fn demo(ledger_path: &Path, exports: &Path) -> anyhow::Result<ExitCode> {
    if let Some(dir) = ledger_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", ledger_path.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing the old demo ledger {}", p.display()))?;
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(exports)
        .with_context(|| format!("reading the demo exports in {}", exports.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut ledger = LedgerSource::sqlite(ledger_path).open()?;
    println!("Importing {} demo export files from {}", files.len(), exports.display());
    for f in &files {
        let report = ledger.import_file(f, &ImportOptions::default(), None)?;
        super::import_cmd::print_report(&report);
        if report.outcome == ImportOutcome::RefusedRows {
            bail!("{}: the bundled demo export has refused rows", f.display());
        }
    }
    println!();
    print!("{}", render_info(ledger_path, &ledger.info()?));
    Ok(ExitCode::SUCCESS)
}
