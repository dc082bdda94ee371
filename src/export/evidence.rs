//! [`Evidence`] read from a ledger for an export: the rows of the case's transfers, the
//! imported labels of its addresses, asset symbols and decimals, read once.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::ExportError;
use crate::case::{Case, NodeKey};
use crate::graph::InvestigationGraph;
use crate::ledger::{Ledger, TransferRow};
use crate::package::Evidence;

impl Evidence {
    /// Reads what `case` needs from `ledger`. O(t + a) ledger reads for t transfers and a
    /// addresses.
    ///
    /// # Errors
    /// [`ExportError::LedgerChanged`] when the ledger is not the content the case was built
    /// on; [`ExportError::MissingTransfers`] when it lacks transfers of the case; ledger
    /// failures.
    pub fn gather<L: Ledger + ?Sized>(case: Case, ledger: &L) -> Result<Self, ExportError> {
        let current = ledger.fingerprint()?;
        if current != case.ledger.fingerprint {
            return Err(ExportError::LedgerChanged { recorded: case.ledger.fingerprint.clone(), current });
        }
        let ids: Vec<i64> = case.transfers.iter().copied().collect();
        let rows: HashMap<i64, TransferRow> = ledger.transfers_by_id(&ids)?.into_iter().map(|r| (r.id, r)).collect();
        let missing: Vec<i64> = ids.iter().filter(|id| !rows.contains_key(id)).copied().collect();
        if !missing.is_empty() {
            return Err(ExportError::MissingTransfers { ids: missing });
        }
        let addresses: BTreeSet<&str> = case
            .nodes
            .keys()
            .filter_map(|k| match k {
                NodeKey::Address { address, .. } => Some(address.as_str()),
                _ => None,
            })
            .collect();
        let mut ledger_labels = HashMap::new();
        for a in addresses {
            let labels = ledger.labels(a)?;
            if !labels.is_empty() {
                ledger_labels.insert(a.to_owned(), labels);
            }
        }
        let assets = ledger.assets()?.into_iter().map(|a| ((a.chain.clone(), a.asset.clone()), a)).collect();
        let graph = InvestigationGraph::build(&case, &rows, &ledger_labels);
        Ok(Evidence { case, rows, ledger_labels, assets, ledger_fingerprint: current, graph })
    }

    /// Loads the case file at `case_path` and reads its ledger (`Case::ledger_source`).
    ///
    /// # Errors
    /// The case file or ledger cannot be read; as [`Evidence::gather`].
    pub fn load(case_path: &Path) -> Result<Self, ExportError> {
        let case = crate::case::file::load(case_path)?;
        let source = case.ledger_source(case_path);
        // Opening a missing ledger would create an empty one beside the case.
        if !source.exists() {
            let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "the case's ledger file does not exist");
            let shown = source.file().map_or_else(|| std::path::PathBuf::from(source.reference()), Path::to_path_buf);
            return Err(ExportError::io("open the ledger", &shown, missing));
        }
        let ledger = source.open()?;
        Self::gather(case, &ledger)
    }
}
