//! What the canvas derives from the graph and the positions, rebuilt only when they change:
//! a slot per drawn node and edge (world position, size, colour), R-trees over both for
//! culling and hit testing, and transfer id → edge for hop marks.
//!
//! Change detection is a fingerprint over the graph (node and edge counts, hidden flags, edge
//! transfer counts) and the positions (order-independent hash of key and coordinates): O(n + e)
//! without allocating, done every frame; the rebuild is O((n + e) log(n + e)), also around hubs (two-way edges are found
//! through a hash set of node pairs, not by walking a hub's edge list per edge).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use egui::{Color32, Pos2, Rect, Vec2};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeIndexable, EdgeRef, IntoEdgeReferences, NodeIndexable};
use rstar::{AABB, PointDistance, RTree, RTreeObject};
use rustc_hash::FxHasher;

use super::geometry::{dist_to_edge, edge_bounds, edge_control};
use super::style::{color, edge_width};
use crate::case::NodeKey;
use crate::graph::InvestigationGraph;
use crate::scene::measure::{Measures, degrees_and_leaves};

/// "No slot" in the index vectors.
const NONE: u32 = u32::MAX;

/// A node that is drawn.
#[derive(Debug, Clone)]
pub struct NodeSlot {
    /// Its graph index.
    pub index: NodeIndex,
    /// World position.
    pub pos: Pos2,
    /// World half-size: radius, or half the box of an aggregate.
    pub half: Vec2,
    /// Hash of its key (widget ids are derived from it, stable across graph rebuilds).
    pub key_hash: u64,
    /// Drawn edges at it (in and out; a loop counts once).
    pub degree: u32,
}

/// An edge that is drawn (both ends drawn).
#[derive(Debug, Clone)]
pub struct EdgeSlot {
    /// Its graph index.
    pub index: EdgeIndex,
    /// Source node slot.
    pub from: u32,
    /// Target node slot.
    pub to: u32,
    /// The reverse edge is drawn too: bend this one.
    pub curved: bool,
    /// Width at zoom 1 (points).
    pub width: f32,
    /// Colour of its largest asset.
    pub color: Color32,
    /// One of its ends is a leaf (has this edge only).
    pub leaf: bool,
}

/// A rectangle in an R-tree, pointing at a slot.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    slot: u32,
    min: [f32; 2],
    max: [f32; 2],
}

impl Entry {
    fn new(slot: u32, r: Rect) -> Self {
        Entry { slot, min: [r.min.x, r.min.y], max: [r.max.x, r.max.y] }
    }
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f32; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(self.min, self.max)
    }
}

impl PointDistance for Entry {
    /// Squared distance to the centre (never less than to the box: a valid bound for the tree).
    fn distance_2(&self, p: &[f32; 2]) -> f32 {
        let (cx, cy) = ((self.min[0] + self.max[0]) * 0.5, (self.min[1] + self.max[1]) * 0.5);
        (p[0] - cx).powi(2) + (p[1] - cy).powi(2)
    }
}

fn key_hash(key: &NodeKey) -> u64 {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

/// An ordered node pair as plain indices.
fn aabb(r: Rect) -> AABB<[f32; 2]> {
    AABB::from_corners([r.min.x, r.min.y], [r.max.x, r.max.y])
}

/// The derived scene. `Default` is empty and rebuilds on first use.
#[derive(Default)]
pub struct Spatial {
    fingerprint: Option<u64>,
    /// Drawn nodes.
    pub nodes: Vec<NodeSlot>,
    /// Node slot by `NodeIndex::index()` ([`u32::MAX`]: not drawn).
    node_slot: Vec<u32>,
    /// Drawn edges.
    pub edges: Vec<EdgeSlot>,
    /// Edge slot by `EdgeIndex::index()`.
    edge_slot: Vec<u32>,
    /// Ledger transfer id → edge slot.
    pub transfer_edge: HashMap<i64, u32>,
    node_tree: RTree<Entry>,
    edge_tree: RTree<Entry>,
    /// World box of each edge slot (culling by a linear scan).
    edge_boxes: Vec<Rect>,
    /// World bounds of every drawn node, if any.
    pub bounds: Option<Rect>,
    /// Built elsewhere and not yet reported by [`Spatial::refresh`].
    adopted: bool,
}

/// Order-independent fingerprint of the graph and positions (see the module docs).
#[must_use]
pub fn fingerprint(graph: &InvestigationGraph, positions: &HashMap<NodeKey, Pos2>) -> u64 {
    let mut sum = 0u64;
    for (k, p) in positions {
        let mut h = FxHasher::default();
        h.write_u64(key_hash(k));
        h.write_u32(p.x.to_bits());
        h.write_u32(p.y.to_bits());
        sum = sum.wrapping_add(splitmix(h.finish()));
    }
    let mut h = FxHasher::default();
    h.write_u64(sum);
    h.write_usize(positions.len());
    h.write_usize(graph.graph.node_count());
    h.write_usize(graph.graph.edge_count());
    for n in graph.graph.node_weights() {
        h.write_u8(u8::from(n.view.hidden));
    }
    for e in graph.graph.edge_weights() {
        h.write_u64(e.count);
    }
    h.finish()
}

fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Spatial {
    /// Rebuilds if the graph or the positions changed; true if it did.
    pub fn refresh(&mut self, graph: &InvestigationGraph, positions: &HashMap<NodeKey, Pos2>) -> bool {
        let f = fingerprint(graph, positions);
        if self.fingerprint == Some(f) {
            return std::mem::take(&mut self.adopted);
        }
        self.rebuild(graph, positions);
        self.fingerprint = Some(f);
        true
    }

    /// Built for `graph` and `positions` away from the canvas (another thread): the next
    /// [`Spatial::refresh`] with them does not rebuild, and reports the change once.
    #[must_use]
    pub fn prepared(graph: &InvestigationGraph, positions: &HashMap<NodeKey, Pos2>) -> Self {
        let mut s = Spatial::default();
        s.refresh(graph, positions);
        s.adopted = true;
        s
    }

    /// Derives everything from scratch.
    pub fn rebuild(&mut self, graph: &InvestigationGraph, positions: &HashMap<NodeKey, Pos2>) {
        let g = &graph.graph;
        // Display value of each edge, and what flows in and out of each node (as the report
        // measures them).
        let measures = Measures::of(graph);

        self.nodes.clear();
        self.node_slot.clear();
        self.node_slot.resize(g.node_bound(), NONE);
        let mut node_entries = Vec::with_capacity(g.node_count());
        let mut bounds: Option<Rect> = None;
        for i in g.node_indices() {
            let Some(n) = g.node_weight(i) else { continue };
            if n.view.hidden {
                continue;
            }
            let Some(&pos) = positions.get(&n.key) else { continue };
            if !pos.x.is_finite() || !pos.y.is_finite() {
                continue;
            }
            let (hx, hy) = measures.node_half(i, &n.key);
            let half = Vec2::new(hx, hy);
            let Ok(slot) = u32::try_from(self.nodes.len()) else { break };
            let r = Rect::from_center_size(pos, half * 2.0);
            bounds = Some(bounds.map_or(r, |b| b.union(r)));
            node_entries.push(Entry::new(slot, r));
            if let Some(s) = self.node_slot.get_mut(i.index()) {
                *s = slot;
            }
            self.nodes.push(NodeSlot { index: i, pos, half, key_hash: key_hash(&n.key), degree: 0 });
        }
        self.bounds = bounds;
        self.node_tree = RTree::bulk_load(node_entries);

        self.edges.clear();
        self.edge_slot.clear();
        self.edge_slot.resize(g.edge_bound(), NONE);
        self.transfer_edge.clear();
        self.edge_boxes.clear();
        let mut edge_entries = Vec::with_capacity(g.edge_count());
        for e in g.edge_references() {
            let (Some(from), Some(to)) = (self.slot_of(e.source()), self.slot_of(e.target())) else { continue };
            let curved = measures.curved(e.source(), e.target());
            let (Some(a), Some(b)) = (self.nodes.get(from as usize), self.nodes.get(to as usize)) else { continue };
            let (a, b) = (a.pos, b.pos);
            let Ok(slot) = u32::try_from(self.edges.len()) else { break };
            let r = edge_bounds(a, b, edge_control(a, b, curved));
            edge_entries.push(Entry::new(slot, r));
            self.edge_boxes.push(r);
            if let Some(s) = self.edge_slot.get_mut(e.id().index()) {
                *s = slot;
            }
            for t in &e.weight().transfers {
                self.transfer_edge.insert(*t, slot);
            }
            let m = measures.edge(e.id());
            self.edges.push(EdgeSlot {
                index: e.id(),
                from,
                to,
                curved,
                width: edge_width(m.value),
                color: color(m.color),
                leaf: false,
            });
        }
        self.edge_tree = RTree::bulk_load(edge_entries);
        // Degrees, then which edges end at a leaf (a node with that edge only): far out, these
        // fade so the backbone between the nodes that branch stays readable.
        let ends: Vec<(usize, usize)> = self.edges.iter().map(|e| (e.from as usize, e.to as usize)).collect();
        let (degrees, leaves) = degrees_and_leaves(self.nodes.len(), &ends);
        for (n, d) in self.nodes.iter_mut().zip(degrees) {
            n.degree = d;
        }
        for (e, leaf) in self.edges.iter_mut().zip(leaves) {
            e.leaf = leaf;
        }
    }

    /// The slot of a graph node, if drawn.
    #[must_use]
    pub fn slot_of(&self, i: NodeIndex) -> Option<u32> {
        self.node_slot.get(i.index()).copied().filter(|&s| s != NONE)
    }

    /// The slot of a graph edge, if drawn.
    #[must_use]
    pub fn edge_slot_of(&self, e: EdgeIndex) -> Option<u32> {
        self.edge_slot.get(e.index()).copied().filter(|&s| s != NONE)
    }

    /// The slot of a node key, if drawn.
    #[must_use]
    pub fn slot_of_key(&self, graph: &InvestigationGraph, key: &NodeKey) -> Option<u32> {
        graph.index.get(key).and_then(|&i| self.slot_of(i))
    }

    /// A node slot.
    #[must_use]
    pub fn node(&self, slot: u32) -> Option<&NodeSlot> {
        self.nodes.get(slot as usize)
    }

    /// An edge slot.
    #[must_use]
    pub fn edge(&self, slot: u32) -> Option<&EdgeSlot> {
        self.edges.get(slot as usize)
    }

    /// A quarter or more of the scene is in `world`: a linear scan over flat boxes then finds
    /// what is in view faster than the R-tree (which pays per node it visits).
    fn mostly_in(&self, world: Rect) -> bool {
        self.bounds.is_some_and(|b| {
            let i = b.intersect(world);
            i.width() >= 0.0 && i.height() >= 0.0 && i.width() * i.height() >= 0.25 * b.width() * b.height()
        })
    }

    /// Appends the nodes whose box meets `world` to `out`, in slot order.
    pub fn nodes_in(&self, world: Rect, out: &mut Vec<u32>) {
        if self.mostly_in(world) {
            let meets = |n: &NodeSlot| world.intersects(Rect::from_center_size(n.pos, n.half * 2.0));
            out.extend((0..).zip(&self.nodes).filter(|(_, n)| meets(n)).map(|(i, _)| i));
            return;
        }
        let start = out.len();
        out.extend(self.node_tree.locate_in_envelope_intersecting(&aabb(world)).map(|e| e.slot));
        out[start..].sort_unstable();
    }

    /// Appends the edges whose bounding box meets `world` to `out`, in slot order.
    pub fn edges_in(&self, world: Rect, out: &mut Vec<u32>) {
        if self.mostly_in(world) {
            out.extend((0..).zip(&self.edge_boxes).filter(|(_, r)| world.intersects(**r)).map(|(i, _)| i));
            return;
        }
        let start = out.len();
        out.extend(self.edge_tree.locate_in_envelope_intersecting(&aabb(world)).map(|e| e.slot));
        out[start..].sort_unstable();
    }

    /// The node under `p` (world), with `tol` world units of slack; the nearest centre wins.
    #[must_use]
    pub fn node_at(&self, p: Pos2, tol: f32) -> Option<u32> {
        let probe = Rect::from_center_size(p, Vec2::splat(2.0 * tol));
        self.node_tree
            .locate_in_envelope_intersecting(&aabb(probe))
            .filter_map(|e| {
                let n = self.nodes.get(e.slot as usize)?;
                let hit = if n.half.x == n.half.y {
                    p.distance(n.pos) <= n.half.x + tol
                } else {
                    Rect::from_center_size(n.pos, n.half * 2.0).expand(tol).contains(p)
                };
                hit.then(|| (e.slot, p.distance_sq(n.pos)))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(s, _)| s)
    }

    /// The edge nearest to `p` (world) within `tol` world units.
    #[must_use]
    pub fn edge_at(&self, p: Pos2, tol: f32) -> Option<u32> {
        let probe = Rect::from_center_size(p, Vec2::splat(2.0 * tol));
        self.edge_tree
            .locate_in_envelope_intersecting(&aabb(probe))
            .filter_map(|e| {
                let edge = self.edges.get(e.slot as usize)?;
                let (a, b) = (self.nodes.get(edge.from as usize)?.pos, self.nodes.get(edge.to as usize)?.pos);
                let d = dist_to_edge(p, a, b, edge_control(a, b, edge.curved));
                (d <= tol).then_some((e.slot, d))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(s, _)| s)
    }

    /// Node slots nearest `p` first (for keyboard navigation).
    pub fn nearest(&self, p: Pos2) -> impl Iterator<Item = (u32, Pos2)> + '_ {
        self.node_tree
            .nearest_neighbor_iter(&[p.x, p.y])
            .filter_map(|e| self.nodes.get(e.slot as usize).map(|n| (e.slot, n.pos)))
    }
}

#[cfg(test)]
mod tests;
