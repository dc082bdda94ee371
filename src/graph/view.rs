//! The investigation graph as a `petgraph::StableGraph`, derived from a case and the rows of
//! its transfers: address, UTXO transaction and aggregate nodes; one edge per ordered pair of
//! nodes, aggregating its transfers (count, sum per asset, first/last time) and keeping their
//! ids for drill-down to each transfer and its provenance.

use std::collections::{BTreeMap, HashMap};

use petgraph::stable_graph::{NodeIndex, StableGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use super::endpoints;
use crate::case::{Aggregate, Case, CaseLabel, NodeKey, NodeView};
use crate::layout::{LayoutGraph, LayoutNode, flow};
use crate::ledger::{Direction, TransferRow};
use crate::model::{Amount, Category, Label, Total};

/// A node of the graph.
#[derive(Debug, Clone)]
pub struct GraphNode {
    /// Its key in the case.
    pub key: NodeKey,
    /// How it is shown.
    pub view: NodeView,
    /// Is it a seed.
    pub seed: bool,
    /// Imported labels (every source).
    pub labels: Vec<Label>,
    /// The investigator's labels.
    pub case_labels: Vec<CaseLabel>,
    /// The category to draw it with: the investigator's label wins, then sanctioned, then the
    /// first imported label's; `Unknown` without labels.
    pub category: Category,
    /// For an aggregate node: what it folds.
    pub aggregate: Option<Aggregate>,
}

/// An edge: every transfer on the graph from one node to another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphEdge {
    /// Transfer ids (ledger), in id order; empty for an aggregate's edge.
    pub transfers: Vec<i64>,
    /// Number of transfers (an aggregate's count for its edge).
    pub count: u64,
    /// Exact sum per (chain, asset) in base units (never saturated).
    pub totals: BTreeMap<(String, String), Total>,
    /// Transfers on the edge whose amount is unknown (in `count`, not in `totals`).
    pub unknown_amounts: u64,
    /// Earliest time.
    pub first_time: Option<i64>,
    /// Latest time.
    pub last_time: Option<i64>,
}

impl GraphEdge {
    fn add(&mut self, chain: &str, asset: &str, amount: Option<Amount>, time: Option<i64>) {
        self.count += 1;
        match amount {
            Some(a) => self.totals.entry((chain.to_owned(), asset.to_owned())).or_default().add(a),
            None => self.unknown_amounts += 1,
        }
        if let Some(time) = time {
            self.first_time = Some(self.first_time.map_or(time, |x| x.min(time)));
            self.last_time = Some(self.last_time.map_or(time, |x| x.max(time)));
        }
    }
}

/// The graph and its node index.
#[derive(Debug, Clone, Default)]
pub struct InvestigationGraph {
    /// The graph.
    pub graph: StableGraph<GraphNode, GraphEdge>,
    /// Node index by key.
    pub index: HashMap<NodeKey, NodeIndex>,
}

impl InvestigationGraph {
    /// World positions by node index: the case's, and the flow layout's for nodes without one
    /// (as the window and the reports place them). O(n) when every node has a position, plus the
    /// flow layout otherwise.
    #[must_use]
    pub fn placed(&self) -> Vec<Option<(f32, f32)>> {
        let graph = &self.graph;
        let bound = graph.node_bound();
        let mut out: Vec<Option<(f32, f32)>> = vec![None; bound];
        let indices: Vec<_> = graph.node_indices().collect();
        for &i in &indices {
            if let (Some(slot), Some(n)) = (out.get_mut(i.index()), graph.node_weight(i)) {
                *slot = n.view.position;
            }
        }
        if indices.iter().all(|i| out.get(i.index()).is_some_and(Option::is_some)) {
            return out;
        }
        let dense: HashMap<usize, usize> = indices.iter().enumerate().map(|(d, i)| (i.index(), d)).collect();
        let layout_graph = LayoutGraph {
            nodes: indices
                .iter()
                .filter_map(|&i| graph.node_weight(i))
                .map(|n| LayoutNode {
                    position: n.view.position,
                    pinned: n.view.position.is_some(),
                    seed: n.seed,
                    time: None,
                })
                .collect(),
            edges: graph
                .edge_references()
                .filter_map(|e| Some((*dense.get(&e.source().index())?, *dense.get(&e.target().index())?)))
                .collect(),
        };
        let placed = flow::layout(&layout_graph, flow::FlowSpacing::default());
        for (&i, p) in indices.iter().zip(placed) {
            if let Some(slot) = out.get_mut(i.index()) {
                *slot = Some(p);
            }
        }
        out
    }

    /// Builds the graph of `case` from the rows of its transfers and imported labels by address.
    /// O(n + t) for n nodes and t transfers.
    #[must_use]
    pub fn build(case: &Case, rows: &HashMap<i64, TransferRow>, labels: &HashMap<String, Vec<Label>>) -> Self {
        let mut g = InvestigationGraph::default();
        let mut case_labels: HashMap<&NodeKey, Vec<CaseLabel>> = HashMap::new();
        for l in case.labels.values() {
            case_labels.entry(&l.node).or_default().push(l.clone());
        }
        for (key, view) in &case.nodes {
            let imported = match key {
                NodeKey::Address { chain, address } => labels
                    .get(address)
                    .map(|ls| ls.iter().filter(|l| l.chain == *chain).cloned().collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let mine = case_labels.remove(key).unwrap_or_default();
            let category = mine
                .first()
                .map(|l| l.category)
                .or_else(|| imported.iter().find(|l| l.category == Category::Sanctioned).map(|l| l.category))
                .or_else(|| imported.first().map(|l| l.category))
                .unwrap_or(Category::Unknown);
            let aggregate = match key {
                NodeKey::Aggregate(id) => case.aggregates.get(id).cloned(),
                _ => None,
            };
            let idx = g.graph.add_node(GraphNode {
                key: key.clone(),
                view: view.clone(),
                seed: case.seeds.contains(key),
                labels: imported,
                case_labels: mine,
                category,
                aggregate,
            });
            g.index.insert(key.clone(), idx);
        }
        let mut edges: BTreeMap<(NodeIndex, NodeIndex), GraphEdge> = BTreeMap::new();
        for id in &case.transfers {
            let Some(row) = rows.get(id) else { continue };
            let t = &row.transfer;
            let (Some(a), Some(b)) = endpoints(t) else { continue };
            let (Some(&ia), Some(&ib)) = (g.index.get(&a), g.index.get(&b)) else { continue };
            let e = edges.entry((ia, ib)).or_default();
            e.transfers.push(*id);
            e.add(&t.chain, &t.asset, row.amount(), t.time);
        }
        for (id, agg) in &case.aggregates {
            let (Some(&anchor), Some(&node)) = (g.index.get(&agg.anchor), g.index.get(&NodeKey::Aggregate(*id))) else {
                continue;
            };
            let pair = if agg.direction == Direction::Out { (anchor, node) } else { (node, anchor) };
            edges.insert(
                pair,
                GraphEdge {
                    transfers: Vec::new(),
                    count: agg.count,
                    totals: agg.totals.clone(),
                    unknown_amounts: 0,
                    first_time: agg.first_time,
                    last_time: agg.last_time,
                },
            );
        }
        for ((a, b), e) in edges {
            g.graph.add_edge(a, b, e);
        }
        g
    }

    /// The node of `key`.
    #[must_use]
    pub fn node(&self, key: &NodeKey) -> Option<&GraphNode> {
        self.index.get(key).and_then(|i| self.graph.node_weight(*i))
    }
}
