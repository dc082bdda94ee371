//! Reading a package's tables back into [`Evidence`], so a package can be looked at without
//! the ledger it was exported from: `transfers.csv` becomes ledger rows (with provenance),
//! its symbol and decimals columns the asset table, and the `ledger` rows of `labels.csv`
//! the imported labels; the graph is then built as the window builds it.
//!
//! Cells the export neutralised against spreadsheet formulas (a leading `'`) are read back
//! without it. A cell that itself began with `'` followed by a formula character reads back
//! without its quote too: the two cannot be told apart, and only free text (file names,
//! label sources) can hold one.

use std::collections::{BTreeMap, HashMap};

use super::columns::{labels as lc, transfers as tc};
use super::{Evidence, OpenedPackage};
use crate::graph::InvestigationGraph;
use crate::import::csvutil::neutralize;
use crate::ledger::{AssetInfo, Provenance, TransferRow};
use crate::model::{Amount, Category, Label, Transfer, TransferKind};

/// Undoes [`neutralize`]: `'=1` → `=1`; any other cell is kept.
pub(crate) fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if neutralize(rest).len() != rest.len() => rest,
        _ => cell,
    }
}

/// One CSV of the package, read as a stream: `row(line, cells by column name)` for each
/// record; problems (file and line) are appended to `problems`.
fn table(
    name: &str,
    input: &mut dyn std::io::Read,
    problems: &mut Vec<String>,
    mut row: impl FnMut(usize, &BTreeMap<String, String>),
) {
    let input = super::unpack::Bounded::csv(input, name);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            problems.push(format!("{name}: the header cannot be read: {e}"));
            return;
        }
    };
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let cells: BTreeMap<String, String> =
                    header.iter().cloned().zip(record.iter().map(|c| restore(c).to_owned())).collect();
                row(line, &cells);
            }
            Err(e) => {
                problems.push(format!("{name} line {line}: {e}"));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return;
                }
            }
        }
    }
}

fn cell<'a>(row: &'a BTreeMap<String, String>, column: &str) -> &'a str {
    row.get(column).map_or("", String::as_str)
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn number<T: std::str::FromStr>(row: &BTreeMap<String, String>, column: &str) -> Result<Option<T>, String> {
    let text = cell(row, column);
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<T>().map(Some).map_err(|_| format!("{column} {text:?} is not a number"))
}

/// One `transfers.csv` row as a ledger row (batch id 0: the package does not record it).
fn transfer_row(row: &BTreeMap<String, String>) -> Result<(TransferRow, Option<AssetInfo>), String> {
    let id = number::<i64>(row, tc::ID.name)?.ok_or("the id is empty")?;
    let kind_name = cell(row, tc::KIND.name);
    let kind = TransferKind::ALL
        .into_iter()
        .find(|k| k.name() == kind_name)
        .ok_or_else(|| format!("kind {kind_name:?} is not a transfer kind"))?;
    let time = match cell(row, tc::TIME.name) {
        "" => None,
        t => Some(t.parse::<jiff::Timestamp>().map_err(|e| format!("time {t:?}: {e}"))?.as_second()),
    };
    // An empty amount is an unknown one (a UTXO input whose spent output was not in the
    // ledger): only such an input may have it; it reads back as the ledger's unknown mark.
    let amount: Amount = match cell(row, tc::AMOUNT_BASE_UNITS.name) {
        "" if kind == TransferKind::UtxoInput && cell(row, tc::FROM.name).is_empty() => Amount::ZERO,
        a => a.parse().map_err(|e| format!("amount_base_units {a:?}: {e}"))?,
    };
    let fee_base = match cell(row, tc::FEE_BASE_UNITS.name) {
        "" => None,
        f => Some(f.parse::<Amount>().map_err(|e| format!("fee_base_units {f:?}: {e}"))?),
    };
    let line = number::<u64>(row, tc::SOURCE_LINE.name)?.unwrap_or(0);
    let transfer = Transfer {
        chain: cell(row, tc::CHAIN.name).to_owned(),
        tx_hash: cell(row, tc::TX_HASH.name).to_owned(),
        kind,
        position: number(row, tc::POSITION.name)?,
        block: number(row, tc::BLOCK.name)?,
        time,
        from: optional(cell(row, tc::FROM.name)),
        to: optional(cell(row, tc::TO.name)),
        asset: cell(row, tc::ASSET.name).to_owned(),
        amount_base: amount,
        fee_base,
        failed: cell(row, tc::FAILED.name) == "true",
        prev_out: None,
        line,
        method: None,
        stated_usd: None,
    };
    let asset = AssetInfo {
        chain: transfer.chain.clone(),
        asset: transfer.asset.clone(),
        symbol: optional(cell(row, tc::SYMBOL.name)),
        decimals: number(row, tc::DECIMALS.name)?,
    };
    let known = asset.symbol.is_some() || asset.decimals.is_some();
    let provenance = Provenance {
        batch_id: 0,
        file_name: cell(row, tc::SOURCE_FILE.name).to_owned(),
        file_sha256: cell(row, tc::SOURCE_SHA256.name).to_owned(),
        line,
    };
    Ok((TransferRow { id, transfer, provenance }, known.then_some(asset)))
}

/// One `ledger` row of `labels.csv` as an imported label.
fn label_row(row: &BTreeMap<String, String>) -> Result<Label, String> {
    let category = cell(row, lc::CATEGORY.name);
    Ok(Label {
        chain: cell(row, lc::CHAIN.name).to_owned(),
        address: cell(row, lc::ADDRESS.name).to_owned(),
        entity: cell(row, lc::ENTITY.name).to_owned(),
        category: Category::parse(category).ok_or_else(|| format!("category {category:?} is not known"))?,
        source_category: optional(cell(row, lc::SOURCE_CATEGORY.name)),
        actor: optional(cell(row, lc::ACTOR.name)),
        source: cell(row, lc::SOURCE.name).to_owned(),
        confidence: optional(cell(row, lc::CONFIDENCE.name)),
        valid_from: optional(cell(row, lc::VALID_FROM.name)),
        valid_to: optional(cell(row, lc::VALID_TO.name)),
        added_by: optional(cell(row, lc::ADDED_BY.name)),
        line: number(row, lc::SOURCE_LINE.name)?.unwrap_or(0),
    })
}

impl Evidence {
    /// The evidence of an opened package, read from its own files: the case from `case.ron`,
    /// the rows of its transfers from `transfers.csv`, imported labels from `labels.csv`, the
    /// ledger fingerprint from the manifest (else the case's). Returns it with every problem
    /// met in plain words (file and line); rows that cannot be read are left out, so a damaged
    /// package still shows what it can. O(t + l) for t transfer and l label rows.
    ///
    /// # Errors
    /// A message when the package has no readable `case.ron`.
    pub fn from_package(package: &OpenedPackage) -> Result<(Evidence, Vec<String>), String> {
        let case = package
            .case
            .clone()
            .ok_or_else(|| format!("{}: the package has no readable case.ron", package.source.display()))?;
        let mut problems = Vec::new();
        let mut row_problems = Vec::new();
        let mut rows = HashMap::new();
        let mut assets = BTreeMap::new();
        let read = package.with_reader("transfers.csv", |input| {
            table(tc::TABLE.file, input, &mut problems, |line, row| {
                // Only the transfers of the graph are kept.
                if !row
                    .get(tc::ID.name)
                    .and_then(|id| id.parse::<i64>().ok())
                    .is_some_and(|id| case.transfers.contains(&id))
                {
                    return;
                }
                match transfer_row(row) {
                    Ok((r, asset)) => {
                        if let Some(a) = asset {
                            assets.insert((a.chain.clone(), a.asset.clone()), a);
                        }
                        rows.insert(r.id, r);
                    }
                    Err(e) => row_problems.push(format!("transfers.csv line {line}: {e}")),
                }
            });
        });
        match read {
            Ok(Some(())) => {}
            Ok(None) => problems.push("transfers.csv is missing: the graph has no edges".to_owned()),
            Err(e) => problems.push(e.to_string()),
        }
        problems.append(&mut row_problems);
        let missing = case.transfers.iter().filter(|id| !rows.contains_key(id)).count();
        if missing > 0 {
            problems.push(format!("transfers.csv lacks {missing} transfer(s) of the case"));
        }
        let mut ledger_labels: HashMap<String, Vec<Label>> = HashMap::new();
        let read = package.with_reader("labels.csv", |input| {
            table(lc::TABLE.file, input, &mut problems, |line, row| {
                if cell(row, lc::ORIGIN.name) != "ledger" {
                    return;
                }
                // Only the labels of addresses on the graph are kept.
                let key = crate::case::NodeKey::address(cell(row, lc::CHAIN.name), cell(row, lc::ADDRESS.name));
                if !case.nodes.contains_key(&key) {
                    return;
                }
                match label_row(row) {
                    Ok(l) => ledger_labels.entry(l.address.clone()).or_default().push(l),
                    Err(e) => row_problems.push(format!("labels.csv line {line}: {e}")),
                }
            });
        });
        if let Err(e) = read {
            problems.push(e.to_string());
        }
        problems.append(&mut row_problems);
        let ledger_fingerprint =
            package.manifest.as_ref().map_or_else(|| case.ledger.fingerprint.clone(), |m| m.ledger_fingerprint.clone());
        let graph = InvestigationGraph::build(&case, &rows, &ledger_labels);
        Ok((Evidence { case, rows, ledger_labels, assets, ledger_fingerprint, graph }, problems))
    }
}

#[cfg(test)]
mod tests {
    use super::restore;

    #[test]
    fn neutralised_cells_read_back_as_written() {
        assert_eq!(restore("'=HYPERLINK(1)"), "=HYPERLINK(1)");
        assert_eq!(restore("'-1"), "-1");
        assert_eq!(restore("'quoted"), "'quoted");
        assert_eq!(restore("plain"), "plain");
        assert_eq!(restore(""), "");
    }
}
