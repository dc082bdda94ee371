//! What the graph drawing shows, derived headlessly from the case and its ledger rows the way
//! the canvas derives it (`src/ui/canvas/spatial.rs`, `draw.rs`, `hops.rs`): the
//! [`InvestigationGraph`] of the case, node positions from the case (the flow layout places
//! nodes without one, as the window does), node size by the value through it, edge width by
//! value and colour by its largest asset, curved two-way edges, count badges, hop marks from
//! the midpoints of their inbound edges to those of their outbound edges.
//!
//! Output coordinates: world positions scaled to fit [`MAX_GRAPH_SIDE`] (and spread up to
//! [`MAX_SPREAD`] for small graphs so labels have room), node sizes at most world size.
//! O(n + e + t) for n nodes, e edges and t transfers, plus the flow layout when needed.

use std::collections::{BTreeMap, HashMap};

use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use super::ReportInput;
use super::font::text_width;
use super::place::{Bounds, Placer};
use super::svg::{BADGE_SIZE, LABEL_SIZE};
use crate::case::NodeKey;
use crate::graph::InvestigationGraph;
use crate::graph::text::{aggregate_text, chain_badge, hop_label, node_chain, node_label, short_address};
use crate::ledger::TransferRow;
use crate::model::{Category, HopKind, HopStatus, Label};
use crate::scene::geometry::{HopArc, P, edge_control, edge_midpoint, hop_arc, trimmed};
use crate::scene::measure::{ARROW_ZOOM, EdgeMeasure, LOD_EDGES, MAX_EDGE_BADGES, Measures, degrees_and_leaves};
use crate::style::{self, NodeShape, Rgb};

/// Largest side of the graph area (output units) before the world is scaled down.
pub const MAX_GRAPH_SIDE: f32 = 3000.0;
/// Small graphs are spread by up to this factor (node sizes stay), so labels fit between rows.
pub const MAX_SPREAD: f32 = 1.5;
/// Above this many drawn nodes only seeds, labelled nodes, hop ends and aggregates get labels.
pub const LABEL_ALL: usize = 300;
/// Space around the drawing for labels and hop arcs.
const PAD: f32 = 60.0;
/// Minimum bulge of a hop arc.
const HOP_LIFT: f32 = 30.0;

/// What a node looks like.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeLook {
    /// An address: category shape and colour.
    Address {
        /// Category.
        category: Category,
        /// Outline shape.
        shape: NodeShape,
    },
    /// A UTXO transaction (small grey square).
    Tx,
    /// A "+N more" box.
    Aggregate {
        /// `+N more`.
        text: String,
    },
}

/// A drawn node.
#[derive(Debug, Clone)]
pub struct Node {
    /// Centre.
    pub pos: P,
    /// Half-size (equal for round nodes).
    pub half: (f32, f32),
    /// Look.
    pub look: NodeLook,
    /// A seed (ringed).
    pub seed: bool,
    /// Text under it, when labelled.
    pub label: Option<String>,
    /// Chain badge (`ETH`), with the label.
    pub badge: Option<String>,
    /// Where the label goes (placed clear of other labels and nodes), when it has room.
    pub label_box: Option<Bounds>,
    /// Drawn before the labels were placed: labelled nodes first.
    notable: bool,
}

/// A drawn edge (all transfers from one node to another).
#[derive(Debug, Clone)]
pub struct Edge {
    /// Start (at the source's border).
    pub start: P,
    /// Arrow tip (at the target's border).
    pub tip: P,
    /// Where the line ends (under the arrowhead).
    pub end: P,
    /// Arrival direction (unit).
    pub dir: P,
    /// Bézier control point of a curved edge.
    pub control: Option<P>,
    /// Middle, where badges and hop marks attach.
    pub mid: P,
    /// Stroke width.
    pub width: f32,
    /// Arrowhead size.
    pub arrow: f32,
    /// Colour of its largest asset.
    pub color: Rgb,
    /// Transfers on it (badge when more than one).
    pub count: u64,
    /// A self-loop (centre and radius of the loop).
    pub self_loop: Option<(P, f32)>,
    /// One of its ends is a leaf (has this edge only): faded under [`Scene::lod`].
    pub leaf: bool,
}

/// A hop mark.
#[derive(Debug, Clone)]
pub struct HopMark {
    /// Midpoints of the inbound edges.
    pub inbound: Vec<P>,
    /// Midpoints of the outbound edges.
    pub outbound: Vec<P>,
    /// The arc.
    pub arc: HopArc,
    /// Kind colour.
    pub color: Rgb,
    /// Stroke width.
    pub width: f32,
    /// Suggested: dashed.
    pub dashed: bool,
    /// Rejected: faint.
    pub opacity: f32,
    /// `mixer · Tornado Cash 55%`.
    pub label: String,
    /// Where the label goes.
    pub label_box: Bounds,
}

/// Everything to draw, in output coordinates with the origin at the top left of the graph area.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Edges.
    pub edges: Vec<Edge>,
    /// Hop marks.
    pub hops: Vec<HopMark>,
    /// Size of the graph area.
    pub size: (f32, f32),
    /// Assets on the edges (symbol → colour), for the legend.
    pub assets: BTreeMap<String, Rgb>,
    /// Whether every node is labelled (else only the notable ones).
    pub all_labelled: bool,
    /// Draw count badges.
    pub badges: bool,
    /// Edge opacity: fainter the more edges there are (as on the canvas), so dense graphs stay
    /// readable instead of turning into a blot.
    pub edge_alpha: f32,
    /// Level of detail (more than [`LOD_EDGES`] edges): edges to leaves fade to [`crate::scene::measure::LEAF_FADE`] of
    /// [`Scene::edge_alpha`] and go under the others, which keep the opacity of a sparse graph.
    pub lod: bool,
}

/// The investigation graph of the input (the same derivation as the window's).
pub fn investigation_graph(input: &ReportInput) -> InvestigationGraph {
    let rows: HashMap<i64, TransferRow> = input.transfers.iter().map(|r| (r.id, r.clone())).collect();
    let mut labels: HashMap<String, Vec<Label>> = HashMap::new();
    for l in input.labels {
        labels.entry(l.address.clone()).or_default().push(l.clone());
    }
    InvestigationGraph::build(input.case, &rows, &labels)
}

/// Builds the scene of `input`.
#[must_use]
pub fn build(input: &ReportInput) -> Scene {
    let g = investigation_graph(input);
    let graph = &g.graph;
    let world = g.placed();
    // Display value and colour of each edge; value through each node (as the canvas measures).
    let measures = Measures::of(&g);
    let mut scene = Scene { assets: measures.assets.clone(), ..Scene::default() };
    // Drawn nodes and the world → output transform.
    let drawn: Vec<_> = graph
        .node_indices()
        .filter_map(|i| {
            let n = graph.node_weight(i)?;
            let (x, y) = (*world.get(i.index())?)?;
            (!n.view.hidden && x.is_finite() && y.is_finite()).then_some((i, P::new(x, y)))
        })
        .collect();
    let (mut lo, mut hi) = (P::new(f32::MAX, f32::MAX), P::new(f32::MIN, f32::MIN));
    for (_, p) in &drawn {
        lo = P::new(lo.x.min(p.x), lo.y.min(p.y));
        hi = P::new(hi.x.max(p.x), hi.y.max(p.y));
    }
    if drawn.is_empty() {
        (lo, hi) = (P::default(), P::default());
    }
    let extent = (hi.x - lo.x).max(hi.y - lo.y).max(1.0);
    let spread = (MAX_GRAPH_SIDE / extent).min(MAX_SPREAD);
    let size_k = spread.clamp(0.15, 1.0);
    let margin = PAD + 30.0 * size_k;
    let to_out = |p: P| P::new((p.x - lo.x) * spread + margin, (p.y - lo.y) * spread + margin);
    scene.size = ((hi.x - lo.x) * spread + 2.0 * margin, (hi.y - lo.y) * spread + 2.0 * margin);
    // Nodes worth a label when there are too many for all.
    let mut in_hops: std::collections::HashSet<NodeKey> = std::collections::HashSet::new();
    let row_of: HashMap<i64, &TransferRow> = input.transfers.iter().map(|r| (r.id, r)).collect();
    for hop in input.case.hops.values() {
        for id in hop.inbound.iter().chain(&hop.outbound) {
            if let Some(r) = row_of.get(id) {
                let (a, b) = crate::graph::endpoints(&r.transfer);
                in_hops.extend(a.into_iter().chain(b));
            }
        }
    }
    scene.all_labelled = drawn.len() <= LABEL_ALL;
    let mut slot_of: HashMap<usize, usize> = HashMap::new();
    for (i, p) in &drawn {
        let Some(n) = graph.node_weight(*i) else { continue };
        let (hx, hy) = measures.node_half(*i, &n.key);
        let (look, half) = match &n.key {
            NodeKey::Aggregate(_) => {
                let text =
                    n.aggregate.as_ref().map_or_else(|| node_label(n), |a| aggregate_text(a.count, a.lower_bound));
                (NodeLook::Aggregate { text }, (hx * size_k, hy * size_k))
            }
            NodeKey::Tx { .. } => (NodeLook::Tx, (hx * size_k, hy * size_k)),
            NodeKey::Address { .. } => {
                let r = (hx * size_k).max(2.0);
                (NodeLook::Address { category: n.category, shape: style::category_shape(n.category) }, (r, r))
            }
        };
        let notable = n.seed
            || !n.case_labels.is_empty()
            || !n.labels.is_empty()
            || n.view.entity.is_some()
            || in_hops.contains(&n.key);
        let labelled = !matches!(look, NodeLook::Aggregate { .. }) && (scene.all_labelled || notable);
        slot_of.insert(i.index(), scene.nodes.len());
        scene.nodes.push(Node {
            pos: to_out(*p),
            half,
            look,
            seed: n.seed,
            label: labelled.then(|| node_label(n)),
            badge: if labelled { node_chain(&n.key).map(chain_badge) } else { None },
            label_box: None,
            notable,
        });
    }
    // Edges, and which drawn edge carries each transfer.
    let mut transfer_edge: HashMap<i64, usize> = HashMap::new();
    let edge_count = graph.edge_references().count();
    scene.badges = edge_count <= MAX_EDGE_BADGES;
    #[allow(clippy::cast_precision_loss)]
    let density = (3000.0 / edge_count.max(1) as f32).sqrt().clamp(0.25, 1.0);
    scene.edge_alpha = 0.85 * density;
    let width_k = size_k.max(0.35);
    // Far out (as when the canvas is zoomed out) arrowheads would be smudges: left out.
    let arrows = spread >= ARROW_ZOOM;
    // The (source, target) node slots of each drawn edge, for the level of detail.
    let mut ends: Vec<(usize, usize)> = Vec::with_capacity(edge_count);
    for e in graph.edge_references() {
        let (Some(&fa), Some(&fb)) = (slot_of.get(&e.source().index()), slot_of.get(&e.target().index())) else {
            continue;
        };
        let (Some(na), Some(nb)) = (scene.nodes.get(fa), scene.nodes.get(fb)) else { continue };
        let EdgeMeasure { value, color } = measures.edge(e.id());
        let width = style::edge_width(value) * width_k;
        let arrow = if arrows { 4.0 + 1.5 * width } else { 0.0 };
        let (a, b) = (na.pos, nb.pos);
        let edge = if fa == fb {
            let r = na.half.1 * 0.8 + 4.0;
            let c = P::new(a.x, a.y - na.half.1 - r * 0.8);
            Edge {
                start: a,
                tip: a,
                end: a,
                dir: P::new(0.0, 1.0),
                control: None,
                mid: P::new(c.x, c.y - r),
                width,
                arrow: 0.0,
                color,
                count: e.weight().count,
                self_loop: Some((c, r)),
                leaf: false,
            }
        } else {
            let curved = measures.curved(e.source(), e.target());
            let control = edge_control(a, b, curved);
            let ra = border(na.half, control.unwrap_or(b).minus(a));
            let rb = border(nb.half, control.unwrap_or(a).minus(b));
            let Some((start, tip, dir)) = trimmed(a, b, control, ra, rb) else { continue };
            Edge {
                start,
                tip,
                end: tip.plus(dir, -arrow * 0.8),
                dir,
                control,
                mid: edge_midpoint(a, b, control),
                width,
                arrow,
                color,
                count: e.weight().count,
                self_loop: None,
                leaf: false,
            }
        };
        for t in &e.weight().transfers {
            transfer_edge.insert(*t, scene.edges.len());
        }
        scene.edges.push(edge);
        ends.push((fa, fb));
    }
    let (_, leaves) = degrees_and_leaves(scene.nodes.len(), &ends);
    for (e, leaf) in scene.edges.iter_mut().zip(leaves) {
        e.leaf = leaf;
    }
    scene.lod = scene.edges.len() > LOD_EDGES;
    // Hop marks.
    for hop in input.case.hops.values() {
        let mids = |ids: &[i64]| {
            let mut slots: Vec<usize> = ids.iter().filter_map(|t| transfer_edge.get(t).copied()).collect();
            slots.sort_unstable();
            slots.dedup();
            slots.iter().filter_map(|&s| scene.edges.get(s).map(|e| e.mid)).collect::<Vec<P>>()
        };
        let (inbound, outbound) = (mids(&hop.inbound), mids(&hop.outbound));
        let Some(arc) = hop_arc(&inbound, &outbound, HOP_LIFT) else { continue };
        let (opacity, width, dashed) = hop_style(hop.status);
        let label = shorten_tokens(&hop_label(hop));
        scene.hops.push(HopMark {
            inbound,
            outbound,
            arc,
            color: style::hop_rgb(&hop.kind),
            width,
            dashed,
            opacity,
            label_box: Bounds::below(arc.apex.x, arc.apex.y, 0.0, 0.0),
            label,
        });
    }
    place_labels(&mut scene);
    scene
}

/// Long words (pool contract addresses in hop labels) shortened like addresses.
fn shorten_tokens(text: &str) -> String {
    text.split(' ')
        .map(|w| if w.chars().count() > 20 { short_address(w) } else { w.to_owned() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Places node labels (notable nodes first) and hop labels clear of node bodies and of each
/// other: below the node as on the canvas, else above, right or left; a hop label at its arc's
/// apex, else nudged up, down or sideways. Notable labels that find no room go below anyway;
/// others are left out. O(n) grid lookups.
fn place_labels(scene: &mut Scene) {
    let mut placer = Placer::default();
    for n in &scene.nodes {
        let grow = if n.seed { 1.3 } else { 1.15 };
        let ring = if n.seed { 5.0 } else { 1.0 };
        placer.add(Bounds::around(n.pos.x, n.pos.y, (n.half.0 * grow + ring, n.half.1 * grow + ring)));
    }
    let h = LABEL_SIZE + 4.0;
    let node_candidates = |n: &Node, w: f32| {
        let (c, hx, hy) = (n.pos, n.half.0 * 1.15 + 3.0, n.half.1 * 1.15 + if n.seed { 6.0 } else { 3.0 });
        [
            Bounds::below(c.x, c.y + hy, w, h),
            Bounds::below(c.x, c.y - hy - h, w, h),
            Bounds { x0: c.x + hx + 2.0, y0: c.y - h / 2.0, x1: c.x + hx + 2.0 + w, y1: c.y + h / 2.0 },
            Bounds { x0: c.x - hx - 2.0 - w, y0: c.y - h / 2.0, x1: c.x - hx - 2.0, y1: c.y + h / 2.0 },
        ]
    };
    let place_node = |n: &mut Node, placer: &mut Placer| {
        let Some(label) = &n.label else { return };
        let w = text_width(label, LABEL_SIZE) + 4.0;
        let candidates = node_candidates(n, w);
        n.label_box = placer.place(candidates);
        if n.label_box.is_none() && n.notable {
            n.label_box = candidates.first().copied();
            if let Some(b) = n.label_box {
                placer.add(b);
            }
        }
        if n.label_box.is_some()
            && let Some(badge) = &n.badge
        {
            let bw = text_width(badge, BADGE_SIZE) + 6.0;
            let (x, y) = (n.pos.x + n.half.0 * 0.75, n.pos.y + n.half.1 * 0.75);
            placer.add(Bounds {
                x0: x,
                y0: y - (BADGE_SIZE + 4.0) / 2.0,
                x1: x + bw,
                y1: y + (BADGE_SIZE + 4.0) / 2.0,
            });
        }
    };
    for n in scene.nodes.iter_mut().filter(|n| n.notable) {
        place_node(n, &mut placer);
    }
    for hop in &mut scene.hops {
        let w = text_width(&hop.label, LABEL_SIZE) + 8.0;
        let hh = LABEL_SIZE + 7.0;
        let a = hop.arc.apex;
        let at = |dx: f32, dy: f32| Bounds {
            x0: a.x - w / 2.0 + dx,
            y0: a.y - 3.0 - hh + dy,
            x1: a.x + w / 2.0 + dx,
            y1: a.y - 3.0 + dy,
        };
        let candidates = [
            at(0.0, 0.0),
            at(0.0, -16.0),
            at(0.0, hh + 6.0),
            at(0.0, -32.0),
            at(-w * 0.6, 0.0),
            at(w * 0.6, 0.0),
            at(0.0, 2.0 * hh + 12.0),
            at(0.0, -52.0),
        ];
        hop.label_box = placer.place(candidates).unwrap_or(candidates[0]);
    }
    for n in scene.nodes.iter_mut().filter(|n| !n.notable) {
        place_node(n, &mut placer);
    }
}

/// Opacity, width and dash of a hop mark by status (as on the canvas).
pub fn hop_style(status: HopStatus) -> (f32, f32, bool) {
    match status {
        HopStatus::Accepted => (1.0, 2.5, false),
        HopStatus::Suggested => (0.9, 2.0, true),
        HopStatus::Rejected => (0.3, 1.5, false),
    }
}

/// Every hop kind, for the legend (service names left empty).
pub fn hop_kinds() -> [HopKind; 5] {
    let s = String::new;
    [
        HopKind::Mixer { service: s(), pool: None },
        HopKind::Bridge { bridge: s(), from_chain: s(), to_chain: s() },
        HopKind::Swap { venue: s() },
        HopKind::CashOut { venue: s() },
        HopKind::PeelChain,
    ]
}

/// Distance from a node's centre to its border along `dir` (circle, or box for aggregates).
fn border(half: (f32, f32), dir: P) -> f32 {
    if (half.0 - half.1).abs() < 1e-3 {
        return half.0;
    }
    let d = dir.unit();
    let tx = if d.x.abs() > 1e-6 { half.0 / d.x.abs() } else { f32::INFINITY };
    let ty = if d.y.abs() > 1e-6 { half.1 / d.y.abs() } else { f32::INFINITY };
    tx.min(ty)
}
