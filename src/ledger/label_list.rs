//! Every label of a ledger, for exports (`hoptrace labels --export-tagpack`) and listings
//! (`hoptrace labels --ledger L`).

use super::{LedgerError, SqliteLedger, query::label_row};
use crate::model::Label;

/// A label with the import batch (file) it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLabel {
    /// The label (its `line` is the line in the batch's file).
    pub label: Label,
    /// The batch id.
    pub batch_id: i64,
    /// The name of the file the batch imported.
    pub file_name: String,
}

impl SqliteLedger {
    /// Every label in the ledger, from every source, ordered by chain, address, entity, source
    /// and storage order.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    pub fn all_labels(&self) -> Result<Vec<Label>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT chain, address, entity, category, source_category, actor, source, confidence, valid_from, valid_to, added_by, line
                 FROM labels ORDER BY chain, address, entity, source, id",
            )
            .map_err(self.err("read labels"))?;
        let rows = stmt.query_map([], label_row).map_err(self.err("read labels"))?;
        rows.collect::<Result<_, _>>().map_err(self.err("read labels"))
    }

    /// Every label with its batch and file name, in the order of [`SqliteLedger::all_labels`].
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    pub fn labels_with_batches(&self) -> Result<Vec<BatchLabel>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT l.chain, l.address, l.entity, l.category, l.source_category, l.actor, l.source, l.confidence,
                        l.valid_from, l.valid_to, l.added_by, l.line, l.batch_id, b.file_name
                 FROM labels l JOIN import_batches b ON b.id = l.batch_id
                 ORDER BY l.chain, l.address, l.entity, l.source, l.id",
            )
            .map_err(self.err("read labels"))?;
        let rows = stmt
            .query_map([], |r| Ok(BatchLabel { label: label_row(r)?, batch_id: r.get(12)?, file_name: r.get(13)? }))
            .map_err(self.err("read labels"))?;
        rows.collect::<Result<_, _>>().map_err(self.err("read labels"))
    }
}
