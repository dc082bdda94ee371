//! [`Evidence`]: a case with everything of its ledger that an export writes (the rows of its
//! transfers, the imported labels of its addresses, asset symbols and decimals), read once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::ExportError;
use super::manifest::ManifestHeader;
use crate::case::{Case, NodeKey};
use crate::graph::InvestigationGraph;
use crate::ledger::{AssetInfo, Ledger, SqliteLedger, TransferRow};
use crate::model::Label;

/// A case and the ledger data an export needs.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The case.
    pub case: Case,
    /// Rows of the transfers on the graph, by id.
    pub rows: HashMap<i64, TransferRow>,
    /// Imported labels by address (every address node of the case).
    pub ledger_labels: HashMap<String, Vec<Label>>,
    /// Symbol and decimals by (chain, asset).
    pub assets: BTreeMap<(String, String), AssetInfo>,
    /// Fingerprint of the ledger (equal to the case's).
    pub ledger_fingerprint: String,
    /// The graph, built as the window builds it.
    pub graph: InvestigationGraph,
}

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

    /// Loads the case file at `case_path` and reads its ledger (`Case::ledger_path`).
    ///
    /// # Errors
    /// The case file or ledger cannot be read; as [`Evidence::gather`].
    pub fn load(case_path: &Path) -> Result<Self, ExportError> {
        let case = crate::case::file::load(case_path)?;
        let ledger_path = case.ledger_path(case_path);
        // Opening a missing ledger would create an empty one beside the case.
        if !ledger_path.is_file() {
            let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "the case's ledger file does not exist");
            return Err(ExportError::io("open the ledger", &ledger_path, missing));
        }
        let ledger = SqliteLedger::open(&ledger_path)?;
        Self::gather(case, &ledger)
    }

    /// Decimals and symbol of an asset, when known.
    #[must_use]
    pub fn asset(&self, chain: &str, asset: &str) -> Option<&AssetInfo> {
        self.assets.get(&(chain.to_owned(), asset.to_owned()))
    }

    /// Imported labels of an address node on its chain (as the graph shows them).
    #[must_use]
    pub fn labels_of(&self, chain: &str, address: &str) -> Vec<&Label> {
        self.ledger_labels.get(address).map(|ls| ls.iter().filter(|l| l.chain == chain).collect()).unwrap_or_default()
    }

    /// Hop ids by transfer id.
    #[must_use]
    pub fn hops_by_transfer(&self) -> BTreeMap<i64, BTreeSet<u64>> {
        let mut out: BTreeMap<i64, BTreeSet<u64>> = BTreeMap::new();
        for (id, h) in &self.case.hops {
            for t in h.inbound.iter().chain(&h.outbound) {
                out.entry(*t).or_default().insert(*id);
            }
        }
        out
    }

    /// Hop ids by node: the hops whose transfers start or end at the node.
    #[must_use]
    pub fn hops_by_node(&self) -> BTreeMap<NodeKey, BTreeSet<u64>> {
        let mut out: BTreeMap<NodeKey, BTreeSet<u64>> = BTreeMap::new();
        for (t, hops) in self.hops_by_transfer() {
            let Some(row) = self.rows.get(&t) else { continue };
            let (a, b) = crate::graph::endpoints(&row.transfer);
            for key in [a, b].into_iter().flatten() {
                out.entry(key).or_default().extend(hops.iter().copied());
            }
        }
        out
    }

    /// The manifest fields that describe the case (the file list is added by
    /// [`super::PackageBuilder::finish`]).
    #[must_use]
    pub fn manifest_header(&self, timestamp: i64) -> ManifestHeader {
        ManifestHeader {
            case_id: self.case.id.clone(),
            case_title: self.case.title.clone(),
            investigator: self.case.investigator.clone(),
            ledger_fingerprint: self.ledger_fingerprint.clone(),
            exported_at: timestamp,
            audit_entries: self.case.audit.len() as u64,
            audit_head: self.case.audit.last().map(|e| e.hash.clone()),
        }
    }
}
