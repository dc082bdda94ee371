//! `hoptrace labels`: the built-in attribution labels (list, import into a ledger), every
//! label about one address side by side with its source, a ledger's labels listed with the file
//! and line each came from (filtered by category or source), and TagPack export of a ledger's
//! labels. Text from imported files is printed with control characters escaped, so a label
//! cannot move the cursor, recolour or rewrite the terminal.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use hoptrace::labels::{self, tagpack};
use hoptrace::ledger::{BatchLabel, Ledger, LedgerSource, ReadLedger};
use hoptrace::model::{Category, Label, visible};

use super::import_cmd::print_report;

/// Arguments of `hoptrace labels`.
#[derive(Debug, Args)]
pub struct LabelsArgs {
    /// Use the built-in labels (assets/attribution.ron): list them, or import them with --into.
    #[arg(long)]
    pub builtin: bool,
    /// With --builtin: import them into this ledger (one batch; again adds nothing).
    #[arg(long, requires = "builtin")]
    pub into: Option<PathBuf>,
    /// Show every label about this address, from every source, side by side.
    #[arg(long)]
    pub address: Option<String>,
    /// The ledger to read labels from.
    #[arg(long)]
    pub ledger: Option<PathBuf>,
    /// Write the ledger's labels (or the built-in ones with --builtin) as a GraphSense TagPack.
    #[arg(long, value_name = "OUT.yaml")]
    pub export_tagpack: Option<PathBuf>,
    /// With --ledger: list only labels of this category (victim, exchange, mixer, bridge, dex,
    /// otc_broker, actor, sanctioned, service, unknown, or a synonym such as `ofac`).
    #[arg(long, value_parser = parse_category)]
    pub category: Option<Category>,
    /// With --ledger: list only labels whose source contains this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
}

fn parse_category(s: &str) -> Result<Category, String> {
    Category::parse(s).ok_or_else(|| {
        format!("unknown category {s:?}; expected one of: {}", Category::ALL.map(Category::name).join(", "))
    })
}

/// Runs `hoptrace labels`.
///
/// # Errors
/// A missing ledger, a storage failure, or an unwritable output file.
pub fn run(args: &LabelsArgs) -> anyhow::Result<ExitCode> {
    let ledger = match &args.ledger {
        Some(p) if !p.exists() => bail!("{}: no such ledger file", p.display()),
        Some(p) => Some(LedgerSource::sqlite(p).open()?),
        None => None,
    };
    if let Some(into) = &args.into {
        let mut target = LedgerSource::sqlite(into).open()?;
        let report = labels::import_builtin(&mut target)?;
        print_report(&report);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(out) = &args.export_tagpack {
        let (all, title) = match (&ledger, args.builtin) {
            (_, true) => (labels::labels().to_vec(), "hoptrace built-in attribution labels".to_owned()),
            (Some(l), false) => (l.all_labels()?, format!("labels of {}", l.source())),
            (None, false) => bail!("--export-tagpack needs --ledger LEDGER (or --builtin)"),
        };
        let header = tagpack::Header {
            title,
            creator: "hoptrace".to_owned(),
            description: "Labels exported by hoptrace, each with its own source, confidence and dates.".to_owned(),
            lastmod: jiff::Timestamp::now().strftime("%Y-%m-%d").to_string(),
        };
        std::fs::write(out, tagpack::write(&header, &all)).with_context(|| format!("writing {}", out.display()))?;
        println!("{}: {} labels written as a TagPack", out.display(), all.len());
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(text) = &args.address {
        let address = &super::address_arg::canonical("--address", text)?;
        // The ledger's labels, then built-in ones it does not hold (same source, entity, category).
        let mut found: Vec<Label> = match &ledger {
            Some(l) => l.labels(address)?,
            None => Vec::new(),
        };
        let key = |l: &Label| (l.chain.clone(), l.entity.clone(), l.category, l.source.clone(), l.actor.clone());
        let held: std::collections::BTreeSet<_> = found.iter().map(key).collect();
        found.extend(labels::labels_for(address).into_iter().filter(|l| !held.contains(&key(l))).cloned());
        if found.is_empty() {
            println!("{}: no labels (built-in{})", address, if ledger.is_some() { " or in the ledger" } else { "" });
            return Ok(ExitCode::SUCCESS);
        }
        print!("{}", side_by_side(address, &found));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(l) = &ledger
        && !args.builtin
    {
        print!("{}", listing(&l.labels_with_batches()?, args.category, args.source.as_deref()));
        return Ok(ExitCode::SUCCESS);
    }
    if args.builtin {
        for l in labels::labels() {
            println!("{}", one_line(l));
        }
        println!("{} built-in labels (assets/attribution.ron)", labels::labels().len());
        return Ok(ExitCode::SUCCESS);
    }
    bail!(
        "nothing to do: give --builtin, --ledger LEDGER, --address ADDR or --export-tagpack OUT.yaml (see hoptrace labels --help)"
    )
}

/// A ledger's labels, one line each (chain, address, category, entity, source, file and
/// line), filtered by category and source text, then a count.
fn listing(all: &[BatchLabel], category: Option<Category>, source: Option<&str>) -> String {
    let needle = source.map(str::to_lowercase);
    let shown: Vec<&BatchLabel> = all
        .iter()
        .filter(|b| category.is_none_or(|c| b.label.category == c))
        .filter(|b| needle.as_deref().is_none_or(|n| b.label.source.to_lowercase().contains(n)))
        .collect();
    let mut s = String::new();
    for b in &shown {
        let l = &b.label;
        let _ = writeln!(
            s,
            "{:<8} {:<44} {:<11} {} | source: {} | {} line {}",
            visible(&l.chain),
            visible(&l.address),
            l.category.name(),
            visible(&l.entity),
            visible(&l.source),
            visible(&b.file_name),
            l.line
        );
    }
    let filters: Vec<String> = category
        .map(|c| format!("category {}", c.name()))
        .into_iter()
        .chain(source.map(|t| format!("source containing {:?}", visible(t))))
        .collect();
    if filters.is_empty() {
        let _ = writeln!(s, "{} labels", shown.len());
    } else {
        let _ = writeln!(s, "{} of {} labels ({})", shown.len(), all.len(), filters.join(", "));
    }
    s
}

fn one_line(l: &Label) -> String {
    let dates = match (&l.valid_from, &l.valid_to) {
        (None, None) => String::new(),
        (f, t) => format!(" [{} – {}]", f.as_deref().unwrap_or("…"), t.as_deref().unwrap_or("…")),
    };
    format!(
        "{:<8} {:<44} {:<11} {}{}{}",
        l.chain,
        l.address,
        l.category.name(),
        l.entity,
        l.actor.as_ref().map(|a| format!(" (actor: {a})")).unwrap_or_default(),
        dates
    )
}

/// Every label of one address, one block per source, with a line saying whether they agree.
fn side_by_side(address: &str, labels: &[Label]) -> String {
    let mut s = String::new();
    let refs: Vec<&Label> = labels.iter().collect();
    let _ = writeln!(
        s,
        "{address}: {} labels{}",
        labels.len(),
        if labels::conflicting(&refs) { " — they DISAGREE (entity, category or actor): all are shown" } else { "" }
    );
    for (i, l) in labels.iter().enumerate() {
        let _ = writeln!(s, "[{}] {} on {} — {}", i + 1, visible(&l.entity), visible(&l.chain), l.category.name());
        if let Some(a) = &l.actor {
            let _ = writeln!(s, "    actor:      {}", visible(a));
        }
        let _ = writeln!(s, "    source:     {}", visible(&l.source));
        if let Some(c) = &l.confidence {
            let _ = writeln!(s, "    confidence: {}", visible(c));
        }
        if l.valid_from.is_some() || l.valid_to.is_some() {
            let _ = writeln!(
                s,
                "    valid:      {} to {}",
                visible(l.valid_from.as_deref().unwrap_or("(no start)")),
                visible(l.valid_to.as_deref().unwrap_or("(still in force)"))
            );
        }
        if let Some(by) = &l.added_by {
            let _ = writeln!(s, "    added by:   {}", visible(by));
        }
    }
    s
}
