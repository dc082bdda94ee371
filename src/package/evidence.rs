//! [`Evidence`]: a case with everything of its ledger that a package holds (the rows of its
//! transfers, the imported labels of its addresses, asset symbols and decimals). The writer
//! reads it from the ledger ([`crate::export`]: `Evidence::gather`, `Evidence::load`); a
//! reader reads it back from a package's own files ([`Evidence::from_package`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::manifest::ManifestHeader;
use crate::case::{Case, NodeKey};
use crate::graph::InvestigationGraph;
use crate::ledger::{AssetInfo, TransferRow};
use crate::model::Label;

/// A case and the ledger data a package holds.
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
    /// `PackageBuilder::finish` of [`crate::export`]).
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
