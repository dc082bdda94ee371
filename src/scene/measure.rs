//! What every drawing of a graph derives first, written once for the canvas and the report:
//! each edge's display value and the colour of its largest asset, the value flowing into and
//! out of each node, a node's size from it, and which edges are curved (their reverse is on the
//! graph too). O(n + e) for n nodes and e edges; each asset is looked up in the registry once.

use std::collections::BTreeMap;

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeIndexable, EdgeRef, IntoEdgeReferences, NodeIndexable};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::case::NodeKey;
use crate::graph::InvestigationGraph;
use crate::graph::text::{asset_info, display_value};
use crate::style::{self, Rgb};

/// World radius of a UTXO transaction node.
pub const TX_RADIUS: f32 = 6.0;
/// World half-size (width, height) of a "+N more" box.
pub const AGGREGATE_HALF: (f32, f32) = (44.0, 14.0);
/// Above this many edges count badges are left out (canvas and renderings).
pub const MAX_EDGE_BADGES: usize = 1500;
/// Below this zoom (world → screen or output scale) arrowheads are left out: they would be
/// smudges.
pub const ARROW_ZOOM: f32 = 0.2;

/// With more drawn edges than this, edges to leaves (nodes with that one edge) fade to
/// [`LEAF_FADE`] and are drawn under the others, so a large expansion does not hide the nodes
/// it branches from (canvas and renderings).
pub const LOD_EDGES: usize = 800;
/// How much of their opacity edges to leaves keep past [`LOD_EDGES`].
pub const LEAF_FADE: f32 = 0.3;
/// A node with at least this many drawn edges is a hub: the canvas never shrinks it to a dot.
pub const HUB_DEGREE: u32 = 8;

/// The degree of each of `nodes` drawn nodes over the drawn edges `ends` (node slots; a loop
/// counts once), and for each edge whether one of its ends is a leaf (has that edge only).
#[must_use]
pub fn degrees_and_leaves(nodes: usize, ends: &[(usize, usize)]) -> (Vec<u32>, Vec<bool>) {
    let mut degree = vec![0u32; nodes];
    for &(a, b) in ends {
        for end in if a == b { [Some(a), None] } else { [Some(a), Some(b)] }.into_iter().flatten() {
            if let Some(d) = degree.get_mut(end) {
                *d += 1;
            }
        }
    }
    let of = |slot: usize| degree.get(slot).copied().unwrap_or(0);
    let leaves = ends.iter().map(|&(a, b)| of(a) == 1 || of(b) == 1).collect();
    (degree, leaves)
}

/// An edge's display value (the sum over its assets in display units, an approximation used
/// only for widths and sizes, never as a figure) and the colour of its largest asset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeMeasure {
    /// Display value.
    pub value: f64,
    /// Colour of its largest asset ([`style::NATIVE_RGB`] for an edge without amounts).
    pub color: Rgb,
}

impl Default for EdgeMeasure {
    fn default() -> Self {
        EdgeMeasure { value: 0.0, color: style::NATIVE_RGB }
    }
}

/// The measures of a graph.
#[derive(Debug, Clone, Default)]
pub struct Measures {
    /// Per edge index.
    edges: Vec<EdgeMeasure>,
    /// Per node index: (value in, value out).
    flow: Vec<(f64, f64)>,
    /// Ordered (source, target) pairs with an edge.
    linked: FxHashSet<(usize, usize)>,
    /// Symbol → colour of every asset on an edge, for the legend.
    pub assets: BTreeMap<String, Rgb>,
}

impl Measures {
    /// Measures `graph`.
    #[must_use]
    pub fn of(graph: &InvestigationGraph) -> Self {
        let g = &graph.graph;
        let mut looked_up: FxHashMap<(&str, &str), (Option<u8>, Rgb)> = FxHashMap::default();
        let mut m = Measures {
            edges: vec![EdgeMeasure::default(); g.edge_bound()],
            flow: vec![(0.0, 0.0); g.node_bound()],
            linked: FxHashSet::with_capacity_and_hasher(g.edge_count(), rustc_hash::FxBuildHasher),
            assets: BTreeMap::new(),
        };
        for e in g.edge_references() {
            let (mut total, mut top) = (0.0, (f64::NEG_INFINITY, style::NATIVE_RGB));
            for ((chain, asset), amount) in &e.weight().totals {
                let (decimals, color) = *looked_up.entry((chain.as_str(), asset.as_str())).or_insert_with(|| {
                    let info = asset_info(chain, asset);
                    let color = style::asset_rgb(&info.symbol, info.native);
                    m.assets.entry(info.symbol).or_insert(color);
                    (info.decimals, color)
                });
                let v = display_value(*amount, decimals);
                total += v;
                if v > top.0 {
                    top = (v, color);
                }
            }
            if let Some(slot) = m.edges.get_mut(e.id().index()) {
                *slot = EdgeMeasure { value: total, color: top.1 };
            }
            if let Some(f) = m.flow.get_mut(e.source().index()) {
                f.1 += total;
            }
            if let Some(f) = m.flow.get_mut(e.target().index()) {
                f.0 += total;
            }
            m.linked.insert((e.source().index(), e.target().index()));
        }
        m
    }

    /// An edge's measure.
    #[must_use]
    pub fn edge(&self, e: EdgeIndex) -> EdgeMeasure {
        self.edges.get(e.index()).copied().unwrap_or_default()
    }

    /// Value (in, out) of a node.
    #[must_use]
    pub fn flow(&self, i: NodeIndex) -> (f64, f64) {
        self.flow.get(i.index()).copied().unwrap_or_default()
    }

    /// Whether the edge from `a` to `b` is drawn bent: it is not a loop and the reverse edge
    /// exists (so the two directions do not overlap).
    #[must_use]
    pub fn curved(&self, a: NodeIndex, b: NodeIndex) -> bool {
        a != b && self.linked.contains(&(b.index(), a.index()))
    }

    /// World half-size (width, height) of node `i` with key `key`: an aggregate's box, a
    /// transaction's small square, or an address sized by the larger of its flows.
    #[must_use]
    pub fn node_half(&self, i: NodeIndex, key: &NodeKey) -> (f32, f32) {
        match key {
            NodeKey::Aggregate(_) => AGGREGATE_HALF,
            NodeKey::Tx { .. } => (TX_RADIUS, TX_RADIUS),
            NodeKey::Address { .. } => {
                let (inflow, outflow) = self.flow(i);
                let r = style::node_radius(inflow.max(outflow));
                (r, r)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_count_both_ends_and_leaves_are_edges_to_single_edge_nodes() {
        // 0 → 1, 0 → 2, 2 → 3, a loop on 3.
        let (degree, leaf) = degrees_and_leaves(4, &[(0, 1), (0, 2), (2, 3), (3, 3)]);
        assert_eq!(degree, vec![2, 1, 2, 2], "a loop counts once");
        assert_eq!(leaf, vec![true, false, false, false]);
        // Ends outside the node count are ignored, not a panic.
        assert_eq!(degrees_and_leaves(1, &[(0, 5)]).0, vec![1]);
    }
}
