//! `audit.jsonl` and the CSV files: transfers, hops, labels, notes, with the columns the
//! format defines ([`crate::package::columns`]). Every CSV cell goes through [`neutralize`];
//! amounts are base-unit integers and exact decimal strings.

use super::{Evidence, ExportError};
use crate::case::{Case, NodeKey};
use crate::import::csvutil::neutralize;
use crate::package::columns::{
    HOP_COLUMNS, LABEL_COLUMNS, NOTE_COLUMNS, TRANSFER_COLUMNS, case_label_rows, hop_rows, note_rows, transfer_cells,
};

/// One JSON object per audit entry, in order, each on its own line.
pub(crate) fn audit_jsonl(case: &Case) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::new();
    for e in &case.audit {
        serde_json::to_writer(&mut out, e)
            .map_err(|e| ExportError::Encode { file: "audit.jsonl", message: e.to_string() })?;
        out.push(b'\n');
    }
    Ok(out)
}

struct Table {
    file: &'static str,
    w: csv::Writer<Vec<u8>>,
}

impl Table {
    fn new(file: &'static str, header: &[&str]) -> Result<Self, ExportError> {
        let mut t = Table { file, w: csv::Writer::from_writer(Vec::new()) };
        t.row(header.iter().map(|h| (*h).to_owned()))?;
        Ok(t)
    }

    fn row(&mut self, cells: impl IntoIterator<Item = String>) -> Result<(), ExportError> {
        let cells: Vec<String> = cells.into_iter().map(|c| neutralize(&c).into_owned()).collect();
        self.w.write_record(&cells).map_err(|source| ExportError::Csv { file: self.file, source })
    }

    fn finish(self) -> Result<Vec<u8>, ExportError> {
        let file = self.file;
        self.w.into_inner().map_err(|e| ExportError::Encode { file, message: e.to_string() })
    }
}

/// Every transfer on the graph, by id.
pub(crate) fn transfers_csv(ev: &Evidence) -> Result<Vec<u8>, ExportError> {
    let mut t = Table::new("transfers.csv", &TRANSFER_COLUMNS)?;
    let lookup =
        |chain: &str, asset: &str| ev.asset(chain, asset).map(|a| (a.symbol.clone(), a.decimals)).unwrap_or_default();
    for id in &ev.case.transfers {
        if let Some(row) = ev.rows.get(id) {
            t.row(transfer_cells(row, &lookup))?;
        }
    }
    t.finish()
}

/// The hops, by id.
pub(crate) fn hops_csv(case: &Case) -> Result<Vec<u8>, ExportError> {
    let mut t = Table::new("hops.csv", &HOP_COLUMNS)?;
    for row in hop_rows(case) {
        t.row(row)?;
    }
    t.finish()
}

/// The investigator's labels (by id), then the imported labels of every address node.
pub(crate) fn labels_csv(ev: &Evidence) -> Result<Vec<u8>, ExportError> {
    let mut t = Table::new("labels.csv", &LABEL_COLUMNS)?;
    for row in case_label_rows(&ev.case) {
        t.row(row)?;
    }
    for key in ev.case.nodes.keys() {
        let NodeKey::Address { chain, address } = key else { continue };
        for l in ev.labels_of(chain, address) {
            t.row([
                "ledger".to_owned(),
                String::new(),
                l.chain.clone(),
                l.address.clone(),
                l.entity.clone(),
                l.category.name().to_owned(),
                l.source_category.clone().unwrap_or_default(),
                l.actor.clone().unwrap_or_default(),
                l.source.clone(),
                l.confidence.clone().unwrap_or_default(),
                l.valid_from.clone().unwrap_or_default(),
                l.valid_to.clone().unwrap_or_default(),
                l.added_by.clone().unwrap_or_default(),
                String::new(),
                l.line.to_string(),
            ])?;
        }
    }
    t.finish()
}

/// The notes, by id.
pub(crate) fn notes_csv(case: &Case) -> Result<Vec<u8>, ExportError> {
    let mut t = Table::new("notes.csv", &NOTE_COLUMNS)?;
    for row in note_rows(case) {
        t.row(row)?;
    }
    t.finish()
}
