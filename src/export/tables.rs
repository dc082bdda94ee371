//! `audit.jsonl` and the CSV files: transfers, hops, labels, notes, with the columns the
//! format defines ([`crate::package::columns`]). Every CSV cell goes through [`neutralize`];
//! amounts are base-unit integers and exact decimal strings.

use super::{Evidence, ExportError};
use crate::case::{Case, NodeKey};
use crate::import::csvutil::neutralize;
use crate::package::columns::{Rows, Table, case_label_rows, hop_rows, labels, note_rows, transfers};

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

/// A CSV file being written: the header of its [`Table`], then rows, every cell neutralised.
struct Csv {
    file: &'static str,
    w: csv::Writer<Vec<u8>>,
}

impl Csv {
    fn new<K: Rows>(table: &Table<K>) -> Result<Self, ExportError> {
        let mut t = Csv { file: table.file, w: csv::Writer::from_writer(Vec::new()) };
        t.row(table.header().map(str::to_owned))?;
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
    let mut t = Csv::new(&transfers::TABLE)?;
    for id in &ev.case.transfers {
        if let Some(row) = ev.rows.get(id) {
            let asset = ev.asset(&row.transfer.chain, &row.transfer.asset);
            let line = transfers::Line {
                row,
                symbol: asset.and_then(|a| a.symbol.as_deref()),
                decimals: asset.and_then(|a| a.decimals),
            };
            t.row(transfers::TABLE.cells(&line))?;
        }
    }
    t.finish()
}

/// The hops, by id.
pub(crate) fn hops_csv(case: &Case) -> Result<Vec<u8>, ExportError> {
    let mut t = Csv::new(&crate::package::columns::hops::TABLE)?;
    for row in hop_rows(case) {
        t.row(row)?;
    }
    t.finish()
}

/// The investigator's labels (by id), then the imported labels of every address node.
pub(crate) fn labels_csv(ev: &Evidence) -> Result<Vec<u8>, ExportError> {
    let mut t = Csv::new(&labels::TABLE)?;
    for row in case_label_rows(&ev.case) {
        t.row(row)?;
    }
    for key in ev.case.nodes.keys() {
        let NodeKey::Address { chain, address } = key else { continue };
        for l in ev.labels_of(chain, address) {
            t.row(labels::TABLE.cells(&labels::Line::Ledger(l)))?;
        }
    }
    t.finish()
}

/// The notes, by id.
pub(crate) fn notes_csv(case: &Case) -> Result<Vec<u8>, ExportError> {
    let mut t = Csv::new(&crate::package::columns::notes::TABLE)?;
    for row in note_rows(case) {
        t.row(row)?;
    }
    t.finish()
}
