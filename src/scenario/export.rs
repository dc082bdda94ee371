//! Writing a scenario as the files an investigator would have, and building a ledger from them.
//!
//! - `transfers.csv`: Ethereum and Tron transfers in hoptrace's generic transfers CSV
//!   ([`crate::import::generic`]), story and background merged in time order; amounts in base
//!   units, times in RFC 3339 UTC, the sender's gas fee on native ETH transfers.
//! - `bitcoin-rawtx.jsonl`: one Bitcoin Core `getrawtransaction` verbose result per line (Core
//!   22+ `scriptPubKey.address`), so inputs and outputs are kept. Inputs spending outputs from
//!   before the scenario carry `prevout` (as `getrawtransaction` verbosity 2 gives it); the
//!   others are resolved by the ledger from the outputs in the same file.
//! - `labels.yaml`: a GraphSense TagPack of the published attributions.
//! - `ground-truth.json`: the [`GroundTruth`](super::GroundTruth), pretty-printed ([`write_exports`]
//!   only; [`write_importable`] leaves it out).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::addresses::{self, btc_script};
use super::builder::{BITCOIN, DAY, LABEL_CREATOR, LABEL_SOURCE};
use super::rng::{Rng, mix};
use super::{Scenario, ScenarioError};
use crate::import::ImportOptions;
use crate::ledger::{ImportReport, LedgerSource, WriteLedger};
use crate::model::{Amount, Transfer, TransferKind};

/// The files of one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFiles {
    /// `transfers.csv` (generic CSV: Ethereum and Tron).
    pub transfers_csv: PathBuf,
    /// `bitcoin-rawtx.jsonl` (Bitcoin Core transactions).
    pub bitcoin_jsonl: PathBuf,
    /// `labels.yaml` (TagPack).
    pub labels_yaml: PathBuf,
    /// `ground-truth.json`, when written beside the files ([`write_exports`]); `None` when
    /// only the importable files were written ([`write_importable`]: a training case keeps its
    /// answers apart from what the trainee opens).
    pub ground_truth_json: Option<PathBuf>,
}

impl ExportFiles {
    /// The files to import, in import order.
    #[must_use]
    pub fn importable(&self) -> [&Path; 3] {
        [&self.transfers_csv, &self.bitcoin_jsonl, &self.labels_yaml]
    }
}

/// Writes the exports of `scenario` into `dir` (created if needed), overwriting, with
/// `ground-truth.json` beside them.
///
/// # Errors
/// [`ScenarioError::Io`] naming the file that could not be written.
pub fn write_exports(scenario: &Scenario, dir: &Path) -> Result<ExportFiles, ScenarioError> {
    let mut files = write_importable(scenario, dir)?;
    let path = dir.join("ground-truth.json");
    let json = serde_json::to_string_pretty(&scenario.truth).map_err(|e| std::io::Error::other(e.to_string()));
    write_with(&path, |w| {
        w.write_all(json?.as_bytes())?;
        w.write_all(b"\n")
    })
    .map_err(|source| ScenarioError::Io { path: path.clone(), source })?;
    files.ground_truth_json = Some(path);
    Ok(files)
}

/// Writes only the three importable files of `scenario` into `dir` (created if needed),
/// overwriting: no ground truth.
///
/// # Errors
/// [`ScenarioError::Io`] naming the file that could not be written.
pub fn write_importable(scenario: &Scenario, dir: &Path) -> Result<ExportFiles, ScenarioError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ScenarioError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let files = ExportFiles {
        transfers_csv: dir.join("transfers.csv"),
        bitcoin_jsonl: dir.join("bitcoin-rawtx.jsonl"),
        labels_yaml: dir.join("labels.yaml"),
        ground_truth_json: None,
    };
    write_with(&files.transfers_csv, |w| write_csv(scenario, w)).map_err(io(&files.transfers_csv))?;
    write_with(&files.bitcoin_jsonl, |w| write_bitcoin(scenario, w)).map_err(io(&files.bitcoin_jsonl))?;
    write_with(&files.labels_yaml, |w| write_tagpack(scenario, w)).map_err(io(&files.labels_yaml))?;
    Ok(files)
}

/// Writes the exports into `dir` and imports them into the ledger at `ledger_path` (created if
/// needed), one batch per file: transfers, Bitcoin, labels. Returns the import reports.
///
/// # Errors
/// Writing or importing failed, or an importer refused a row ([`ScenarioError::Refused`]:
/// the generator wrote something its own importers reject).
pub fn build_ledger(scenario: &Scenario, dir: &Path, ledger_path: &Path) -> Result<Vec<ImportReport>, ScenarioError> {
    let files = write_exports(scenario, dir)?;
    let mut ledger = LedgerSource::sqlite(ledger_path).open()?;
    let mut reports = Vec::new();
    for path in files.importable() {
        let report = ledger.import_file(path, &ImportOptions::default(), None)?;
        if let Some(first) = report.refused.first() {
            return Err(ScenarioError::Refused {
                path: path.to_owned(),
                count: report.refused.len(),
                first: first.to_string(),
            });
        }
        reports.push(report);
    }
    Ok(reports)
}

fn write_with(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    body(&mut w)?;
    w.flush()
}

fn csv_row(out: &mut String, t: &Transfer) {
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let _ = write!(out, "{},{},{},{},", t.chain, t.tx_hash, opt(t.position), opt(t.block));
    if let Some(time) = t.time {
        out.push_str(&crate::model::format_utc(time));
    }
    let kind = match t.kind {
        TransferKind::Internal => "internal",
        TransferKind::Token => "token",
        _ => "native",
    };
    let fee = t.fee_base.map(|f| f.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        ",{},{},{},{},{fee},{kind}",
        t.from.as_deref().unwrap_or(""),
        t.to.as_deref().unwrap_or(""),
        t.asset,
        t.amount_base
    );
}

fn write_csv(s: &Scenario, w: &mut impl Write) -> std::io::Result<()> {
    w.write_all(b"chain,tx_hash,position,block,time,from,to,asset,amount,fee,kind\n")?;
    let mut story = s.transfers.iter().filter(|t| t.chain != BITCOIN).peekable();
    let mut buf = String::with_capacity(1 << 17);
    for bg in s.background.iter() {
        while let Some(t) = story.next_if(|t| t.time <= bg.time) {
            csv_row(&mut buf, t);
        }
        csv_row(&mut buf, &bg);
        if buf.len() > 1 << 16 {
            w.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    for t in story {
        csv_row(&mut buf, t);
    }
    w.write_all(buf.as_bytes())
}

/// `12.34500000`: satoshis as a BTC amount with eight decimals.
fn btc_value(sats: Amount) -> String {
    let s = sats.format_units(8);
    match s.split_once('.') {
        Some((i, f)) => format!("{i}.{f:0<8}"),
        None => format!("{s}.00000000"),
    }
}

fn script_json(address: &str) -> String {
    match btc_script(address) {
        Some((asm, hex, kind)) => {
            format!(r#"{{"asm":"{asm}","hex":"{hex}","address":"{address}","type":"{kind}"}}"#)
        }
        None => format!(r#"{{"asm":"","hex":"","address":"{address}","type":"nonstandard"}}"#),
    }
}

fn write_bitcoin(s: &Scenario, w: &mut impl Write) -> std::io::Result<()> {
    let mut order: Vec<(&str, Vec<&Transfer>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for t in s.transfers.iter().filter(|t| t.chain == BITCOIN) {
        let i = *index.entry(&t.tx_hash).or_insert_with(|| {
            order.push((&t.tx_hash, Vec::new()));
            order.len() - 1
        });
        order[i].1.push(t);
    }
    let ours: HashSet<&str> = order.iter().map(|(id, _)| *id).collect();
    let t0 = s.truth.hack_time;
    let height = |time: i64| 793_000 + (time - t0).div_euclid(600);
    let tip = height(t0 + 60 * DAY);
    for (txid, parts) in &order {
        let time = parts.first().and_then(|t| t.time).unwrap_or(t0);
        let mut ins: Vec<&&Transfer> = parts.iter().filter(|t| t.kind == TransferKind::UtxoInput).collect();
        let mut outs: Vec<&&Transfer> = parts.iter().filter(|t| t.kind == TransferKind::UtxoOutput).collect();
        ins.sort_by_key(|t| t.position);
        outs.sort_by_key(|t| t.position);
        let vin: Vec<String> = ins
            .iter()
            .map(|t| {
                let (prev, n) = t.prev_out.clone().unwrap_or_default();
                let mut v =
                    format!(r#"{{"txid":"{prev}","vout":{n},"scriptSig":{{"asm":"","hex":""}},"sequence":4294967293"#);
                if !ours.contains(prev.as_str()) {
                    let from = t.from.as_deref().unwrap_or("");
                    let _ = write!(
                        v,
                        r#","prevout":{{"generated":false,"height":{},"value":{},"scriptPubKey":{}}}"#,
                        height(time) - 144,
                        btc_value(t.amount_base),
                        script_json(from)
                    );
                }
                v.push('}');
                v
            })
            .collect();
        let vout: Vec<String> = outs
            .iter()
            .map(|t| {
                format!(
                    r#"{{"value":{},"n":{},"scriptPubKey":{}}}"#,
                    btc_value(t.amount_base),
                    t.position.unwrap_or(0),
                    script_json(t.to.as_deref().unwrap_or(""))
                )
            })
            .collect();
        let size = 10 + 148 * ins.len() + 34 * outs.len();
        let h = height(time);
        let block_hash = addresses::block_hash(&mut Rng::new(mix(s.config.seed ^ h.unsigned_abs())));
        writeln!(
            w,
            r#"{{"txid":"{txid}","hash":"{txid}","version":2,"size":{size},"vsize":{size},"weight":{},"locktime":0,"vin":[{}],"vout":[{}],"blockhash":"{block_hash}","confirmations":{},"time":{time},"blocktime":{time}}}"#,
            4 * size,
            vin.join(","),
            vout.join(","),
            tip - h + 1
        )?;
    }
    Ok(())
}

/// A YAML single-quoted scalar.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn write_tagpack(s: &Scenario, w: &mut impl Write) -> std::io::Result<()> {
    let date = crate::model::format_utc(s.truth.hack_time + 45 * DAY);
    let mut out = String::new();
    let _ = writeln!(out, "title: {}", quoted(&format!("hoptrace synthetic scenario (seed {})", s.config.seed)));
    let _ = writeln!(out, "creator: {}", quoted(LABEL_CREATOR));
    out.push_str(
        "description: 'Attributions published about a generated laundering scenario: victim, exploiters, \
         services and exchanges. Every address except the token contracts is synthetic.'\n",
    );
    let _ = writeln!(out, "lastmod: {}", &date[..10]);
    let _ = writeln!(out, "source: {}", quoted(LABEL_SOURCE));
    out.push_str("tags:\n");
    for l in &s.labels {
        let currency = crate::labels::tagpack::currency_code(&l.chain);
        let _ = writeln!(out, "- address: {}", quoted(&l.address));
        let _ = writeln!(out, "  currency: {currency}");
        let _ = writeln!(out, "  label: {}", quoted(&l.entity));
        let _ = writeln!(out, "  category: {}", l.source_category.as_deref().unwrap_or(l.category.name()));
        if let Some(a) = &l.actor {
            let _ = writeln!(out, "  actor: {a}");
        }
        if let Some(c) = &l.confidence {
            let _ = writeln!(out, "  confidence: {c}");
        }
    }
    w.write_all(out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn btc_values_have_eight_decimals() {
        assert_eq!(btc_value(Amount::from_u128(450_000_000)), "4.50000000");
        assert_eq!(btc_value(Amount::from_u128(1)), "0.00000001");
        assert_eq!(btc_value(Amount::from_u128(123_456_789)), "1.23456789");
    }
}
