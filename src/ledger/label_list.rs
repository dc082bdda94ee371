//! Every label of a ledger, for exports (`hoptrace labels --export-tagpack`).

use super::{LedgerError, SqliteLedger, query::label_row};
use crate::model::Label;

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
}
