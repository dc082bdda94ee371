//! Painting nodes and edges for one frame, for what is on screen only.
//!
//! Edges go into one mesh ([`LineBatch`], single quads when crowded); far out, plain nodes go
//! into one mesh of dots (one per screen pixel), the others are egui shapes. Labels: `label`.

use egui::epaint::{Mesh, PathStroke};
use egui::{Align2, Color32, CornerRadius, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2, vec2};

use super::batch::LineBatch;
use super::geometry::{arrowhead, edge_control, edge_midpoint, trimmed};
use super::spatial::{EdgeSlot, Spatial};
use super::style::{
    ARROW_ZOOM, BADGE_SIZE, COARSE_EDGES, DOT_RADIUS, HUB_DEGREE, HUB_RADIUS, LEAF_FADE, LOD_EDGES, MAX_EDGE_BADGES,
    NodeShape, TX_COLOR, Theme, category_color, category_shape, fade, shape_points,
};
use super::view::View;
use crate::case::NodeKey;
use crate::graph::InvestigationGraph;
use crate::model::Category;

/// Everything painting needs for one frame.
pub struct Frame<'a> {
    /// The graph.
    pub graph: &'a InvestigationGraph,
    /// Slots and R-trees.
    pub spatial: &'a Spatial,
    /// The camera.
    pub view: View,
    /// The canvas rect.
    pub rect: Rect,
    /// Colours.
    pub theme: Theme,
    /// Selected node slots, sorted.
    pub selected: &'a [u32],
    /// Dragged node slots, sorted.
    pub dragged: &'a [u32],
    /// Screen position of every node slot (dragged ones moved along).
    pub screen: &'a [Pos2],
    /// Node under the pointer.
    pub hovered: Option<u32>,
    /// Edge under the pointer.
    pub hovered_edge: Option<u32>,
    /// Selected edge.
    pub selected_edge: Option<u32>,
    /// Physical pixels per point.
    pub pixels_per_point: f32,
    /// Label opacity at this zoom.
    pub label_alpha: f32,
    /// Badge (chain, pin, count) opacity at this zoom.
    pub badge_alpha: f32,
    /// Too many nodes on screen for everyone's label.
    pub crowded: bool,
}

impl Frame<'_> {
    /// Screen position of a node slot.
    #[must_use]
    pub fn screen(&self, slot: u32) -> Option<Pos2> {
        self.screen.get(slot as usize).copied()
    }

    /// Is a slot drawn as a plain dot (small on screen, nothing around it)?
    #[must_use]
    pub fn plain_dot(&self, slot: u32) -> bool {
        self.spatial.node(slot).is_some_and(|n| n.half.y * self.view.zoom < DOT_RADIUS && n.degree < HUB_DEGREE)
            && !self.is_selected(slot)
            && !self.is_dragged(slot)
            && self.hovered != Some(slot)
    }

    /// Screen half-size of a node slot (at least a dot).
    #[must_use]
    pub fn screen_half(&self, slot: u32) -> Vec2 {
        self.spatial.node(slot).map_or(Vec2::ZERO, |n| {
            let least = if n.degree >= HUB_DEGREE { HUB_RADIUS } else { DOT_RADIUS * 0.5 };
            (n.half * self.view.zoom).max(Vec2::splat(least))
        })
    }

    /// Is a slot selected.
    #[must_use]
    pub fn is_selected(&self, slot: u32) -> bool {
        self.selected.binary_search(&slot).is_ok()
    }

    /// Is a slot being dragged.
    #[must_use]
    pub fn is_dragged(&self, slot: u32) -> bool {
        self.dragged.binary_search(&slot).is_ok()
    }

    /// Screen endpoints and control point of an edge.
    #[must_use]
    pub fn edge_screen(&self, e: &EdgeSlot) -> Option<(Pos2, Pos2, Option<Pos2>)> {
        let (a, b) = (self.screen(e.from)?, self.screen(e.to)?);
        Some((a, b, edge_control(a, b, e.curved)))
    }
}

/// Distance from a node's centre to its border along `dir` (circle, or box for aggregates).
fn border(half: Vec2, dir: Vec2) -> f32 {
    if (half.x - half.y).abs() < 1e-3 {
        return half.x;
    }
    let d = dir.normalized();
    let tx = if d.x.abs() > 1e-6 { half.x / d.x.abs() } else { f32::INFINITY };
    let ty = if d.y.abs() > 1e-6 { half.y / d.y.abs() } else { f32::INFINITY };
    tx.min(ty)
}

/// Paints the visible edges (and the edges of dragged nodes, wherever they are) as one mesh,
/// then their count badges.
pub fn edges(painter: &Painter, f: &Frame<'_>, visible: &[u32], dragged_edges: &[u32]) {
    let n = visible.len() + dragged_edges.len();
    let mut batch = if visible.len() > COARSE_EDGES {
        LineBatch::coarse(n, f.pixels_per_point)
    } else {
        LineBatch::new(n, f.pixels_per_point)
    };
    let z = f.view.zoom;
    let width_scale = z.clamp(0.35, 1.6);
    // Far out, edges thin to hairlines and fade, and the more there are on screen the fainter
    // they get, so dense graphs stay readable instead of turning into a blot.
    #[allow(clippy::cast_precision_loss)]
    let density = (3000.0 / visible.len().max(1) as f32).sqrt().clamp(0.25, 1.0);
    let zoom_alpha = 0.35 + 0.65 * fade(z, 0.03, 0.3);
    // Level of detail: with many edges in view, the edges to leaves fade and go under, and the
    // backbone between the nodes that branch keeps its strength.
    let lod = visible.len() > LOD_EDGES;
    let alpha_of = |leaf: bool| match (lod, leaf) {
        (true, true) => zoom_alpha * density * LEAF_FADE,
        (true, false) => zoom_alpha,
        (false, _) => zoom_alpha * density,
    };
    let skip_dragged = !f.dragged.is_empty();
    let mut paint = |slot: u32| {
        let Some(e) = f.spatial.edge(slot) else { return };
        let Some((a, b, c)) = f.edge_screen(e) else { return };
        let (mut width, mut color) = (e.width * width_scale, e.color.gamma_multiply(alpha_of(e.leaf)));
        if f.selected_edge == Some(slot) {
            (width, color) = (width + 2.0, f.theme.selection);
        } else if f.hovered_edge == Some(slot) {
            (width, color) = (width + 1.0, f.theme.hover);
        }
        let (ha, hb) = (f.screen_half(e.from), f.screen_half(e.to));
        if e.from == e.to {
            self_loop(&mut batch, a, ha.y, width, color);
            return;
        }
        let arrow = if z >= ARROW_ZOOM { 4.0 + 1.5 * width } else { 0.0 };
        if arrow == 0.0 && ha.y < DOT_RADIUS && hb.y < DOT_RADIUS {
            // Far out: the dots drawn over the ends hide them, no need to stop at their borders.
            match c {
                Some(c) => batch.curve(a, c, b, width, color),
                None => batch.segment(a, b, width, color),
            }
            return;
        }
        let ra = border(ha, c.unwrap_or(b) - a);
        let rb = border(hb, c.unwrap_or(a) - b);
        let Some((start, tip, dir)) = trimmed(a, b, c, ra, rb) else { return };
        let end = tip - dir * (arrow * 0.8);
        match c {
            Some(c) => batch.curve(start, c, end, width, color),
            None => batch.segment(start, end, width, color),
        }
        if arrow > 0.0 {
            batch.triangle(arrowhead(tip, dir, arrow), color);
        }
    };
    let emphasised = [f.hovered_edge, f.selected_edge];
    // Under level of detail the faded edges to leaves go first, the backbone over them.
    let passes: &[Option<bool>] = if lod { &[Some(true), Some(false)] } else { &[None] };
    for pass in passes {
        for &slot in visible {
            let Some(e) = f.spatial.edge(slot) else { continue };
            if pass.is_some_and(|leaf| e.leaf != leaf) {
                continue;
            }
            let moving = skip_dragged && (f.is_dragged(e.from) || f.is_dragged(e.to));
            if !moving && !emphasised.contains(&Some(slot)) {
                paint(slot);
            }
        }
    }
    for &slot in dragged_edges {
        if !emphasised.contains(&Some(slot)) {
            paint(slot);
        }
    }
    // Hovered and selected edges last, on top (wherever their ends are).
    for slot in [f.hovered_edge.filter(|h| Some(*h) != f.selected_edge), f.selected_edge].into_iter().flatten() {
        paint(slot);
    }
    if !batch.is_empty() {
        painter.add(batch.into_shape());
    }
    if f.label_alpha > 0.0 && visible.len() <= MAX_EDGE_BADGES {
        // Amounts too when few enough edges are in view, zoomed in far enough to read them.
        let amounts = visible.len() <= MAX_AMOUNT_BADGES && f.label_alpha >= 0.9;
        for &slot in visible.iter().chain(dragged_edges) {
            count_badge(painter, f, slot, amounts);
        }
    }
}

fn self_loop(batch: &mut LineBatch, c: Pos2, r: f32, width: f32, color: Color32) {
    let centre = c - vec2(0.0, r * 1.6);
    let radius = r * 0.8;
    let mut prev = None;
    for i in 0..=16 {
        #[allow(clippy::cast_precision_loss)]
        let a = std::f32::consts::TAU * i as f32 / 16.0;
        let p = centre + radius * vec2(a.cos(), a.sin());
        if let Some(q) = prev {
            batch.segment(q, p, width, color);
        }
        prev = Some(p);
    }
}

/// At most this many edges in view carry their amount beside the ×N count.
const MAX_AMOUNT_BADGES: usize = 200;

/// The text beside an edge: its amount (the first asset's total, for reading; `+` when the edge
/// carries several assets) and `×N` when it carries several transfers.
#[must_use]
pub fn edge_badge_text(w: &crate::graph::GraphEdge, amounts: bool) -> Option<String> {
    let amount = amounts
        .then(|| w.totals.iter().next())
        .flatten()
        .map(|((chain, asset), total)| crate::model::registry().display_amount_readable(chain, asset, *total).0)
        .map(|a| if w.totals.len() > 1 { format!("{a} +") } else { a });
    match (w.count, amount) {
        (0 | 1, None) => None,
        (0 | 1, Some(a)) => Some(a),
        (n, None) => Some(format!("×{n}")),
        (n, Some(a)) => Some(format!("×{n} · {a}")),
    }
}

fn count_badge(painter: &Painter, f: &Frame<'_>, slot: u32, amounts: bool) {
    let Some(e) = f.spatial.edge(slot) else { return };
    let Some(text) = f.graph.graph.edge_weight(e.index).and_then(|w| edge_badge_text(w, amounts)) else { return };
    let Some((a, b, c)) = f.edge_screen(e) else { return };
    // Beside the middle (hop marks attach at the middle itself), on the edge's left.
    let d = (b - a).normalized();
    let mid = edge_midpoint(a, b, c) + vec2(d.y, -d.x) * 9.0;
    if !f.rect.contains(mid) || !d.is_finite() {
        return;
    }
    let alpha = f.label_alpha.min(f.badge_alpha.max(0.5));
    let galley = painter.layout_no_wrap(text, FontId::proportional(BADGE_SIZE), Color32::PLACEHOLDER);
    let r = Align2::CENTER_CENTER.anchor_size(mid, galley.size());
    let frame = Stroke::new(0.5, f.theme.outline.gamma_multiply(alpha * 0.5));
    painter.rect(r.expand2(vec2(3.0, 1.0)), 4.0, f.theme.text_bg.gamma_multiply(alpha), frame, StrokeKind::Middle);
    painter.galley(r.min, galley, f.theme.text.gamma_multiply(alpha));
}

/// Adds a plain dot ([`Frame::plain_dot`]) to `dots`, unless one is on its pixel already (it
/// would look the same): far out, a frame of 10,000 nodes is one mesh of at most a dot a pixel.
pub fn dot(dots: &mut LineBatch, pixels: &mut [u64], f: &Frame<'_>, slot: u32) {
    let (Some(n), Some(c)) = (f.spatial.node(slot), f.screen(slot)) else { return };
    let Some(node) = f.graph.graph.node_weight(n.index) else { return };
    let rel = c - f.rect.min;
    if f.rect.contains(c) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let (x, y, w) = (rel.x as usize, rel.y as usize, f.rect.width().ceil() as usize + 1);
        let cell = y * w + x;
        if let Some(word) = pixels.get_mut(cell / 64) {
            let bit = 1u64 << (cell % 64);
            if *word & bit != 0 {
                return;
            }
            *word |= bit;
        }
    }
    let fill = match node.key {
        NodeKey::Address { .. } => category_color(node.category),
        _ => TX_COLOR,
    };
    dots.dot(c, (n.half.y * f.view.zoom).max(1.5), fill);
}

/// Paints one node's shape, rings and pin.
pub fn node(painter: &Painter, f: &Frame<'_>, slot: u32) {
    let (Some(n), Some(c)) = (f.spatial.node(slot), f.screen(slot)) else { return };
    let Some(node) = f.graph.graph.node_weight(n.index) else { return };
    let half = if n.degree >= HUB_DEGREE { f.screen_half(slot) } else { n.half * f.view.zoom };
    let selected = f.is_selected(slot);
    let hovered = f.hovered == Some(slot);
    let outline = Stroke::new(1.0, f.theme.outline.gamma_multiply(0.7));
    let dot = half.y < DOT_RADIUS;
    let r = if dot { half.y.max(1.5) } else { half.x.min(half.y) };
    match &node.key {
        _ if dot => {
            let fill = match node.key {
                NodeKey::Address { .. } => category_color(node.category),
                _ => TX_COLOR,
            };
            painter.circle_filled(c, r, fill);
        }
        NodeKey::Aggregate(_) => aggregate_box(painter, f, Rect::from_center_size(c, half * 2.0)),
        NodeKey::Tx { .. } => {
            painter.rect(Rect::from_center_size(c, half * 1.6), 1.0, TX_COLOR, outline, StrokeKind::Middle);
        }
        NodeKey::Address { .. } => {
            let stroke =
                if node.category == Category::Sanctioned { Stroke::new(2.0, f.theme.outline) } else { outline };
            shape(painter, category_shape(node.category), c, r, category_color(node.category), stroke);
        }
    }
    let ring = |extra: f32, stroke: Stroke| {
        let rr = if matches!(node.key, NodeKey::Aggregate(_)) && !dot {
            Rect::from_center_size(c, half * 2.0).expand(extra)
        } else {
            Rect::from_center_size(c, Vec2::splat(2.0 * (r + extra)))
        };
        if matches!(node.key, NodeKey::Aggregate(_) | NodeKey::Tx { .. }) {
            painter.rect_stroke(rr, 3.0, stroke, StrokeKind::Outside);
        } else {
            painter.circle_stroke(c, r + extra, stroke);
        }
    };
    let mut gap = 2.0;
    if node.seed {
        ring(gap + 1.0, Stroke::new(2.5, f.theme.seed));
        gap += 4.0;
    }
    if selected {
        ring(gap + 1.0, Stroke::new(2.5, f.theme.selection));
    } else if hovered {
        ring(gap, Stroke::new(1.5, f.theme.hover));
    }
    if node.view.pinned && !dot && f.badge_alpha > 0.0 {
        let head = c + vec2(r * 0.8, -r * 0.9);
        let color = f.theme.text.gamma_multiply(f.badge_alpha);
        painter.line_segment([head, head + vec2(-3.0, 5.0)], Stroke::new(1.5, color));
        painter.circle(head, 2.5, f.theme.seed.gamma_multiply(f.badge_alpha), Stroke::new(1.0, color));
    }
}

/// A category shape of radius `r` at `c`.
pub fn shape(painter: &Painter, shape: NodeShape, c: Pos2, r: f32, fill: Color32, stroke: Stroke) {
    // Triangles and squares look smaller than circles of the same radius.
    let r = r * match shape {
        NodeShape::TriangleUp | NodeShape::TriangleDown => 1.3,
        NodeShape::Square | NodeShape::Diamond | NodeShape::Star => 1.15,
        _ => 1.0,
    };
    match shape {
        NodeShape::Circle => {
            painter.circle(c, r, fill, stroke);
        }
        NodeShape::Pill => {
            let rect = Rect::from_center_size(c, vec2(2.3 * r, 1.4 * r));
            painter.rect(rect, CornerRadius::from(0.7 * r), fill, stroke, StrokeKind::Middle);
        }
        NodeShape::Star => {
            let mut pts = Vec::with_capacity(10);
            shape_points(shape, c, r, &mut pts);
            let mut mesh = Mesh::default();
            mesh.colored_vertex(c, fill);
            for p in &pts {
                mesh.colored_vertex(*p, fill);
            }
            for i in 1..=10u32 {
                mesh.add_triangle(0, i, i % 10 + 1);
            }
            painter.add(Shape::mesh(mesh));
            painter.add(Shape::closed_line(pts, PathStroke::from(stroke)));
        }
        _ => {
            let mut pts = Vec::with_capacity(8);
            shape_points(shape, c, r, &mut pts);
            painter.add(Shape::convex_polygon(pts, fill, stroke));
        }
    }
}

/// The dashed rounded box of a "+N more" node.
fn aggregate_box(painter: &Painter, f: &Frame<'_>, rect: Rect) {
    let radius = (rect.height() * 0.35).min(8.0);
    painter.rect_filled(rect, CornerRadius::from(radius), f.theme.text_bg);
    let mut pts = Vec::with_capacity(4 * 5 + 1);
    let corners = [
        (rect.right_bottom() - Vec2::splat(radius), 0.0),
        (rect.left_bottom() + vec2(radius, -radius), 0.25),
        (rect.left_top() + Vec2::splat(radius), 0.5),
        (rect.right_top() + vec2(-radius, radius), 0.75),
    ];
    for (centre, start) in corners {
        for i in 0..=4 {
            #[allow(clippy::cast_precision_loss)]
            let a = std::f32::consts::TAU * (start + 0.25 * i as f32 / 4.0);
            pts.push(centre + radius * vec2(a.cos(), a.sin()));
        }
    }
    if let Some(&first) = pts.first() {
        pts.push(first);
    }
    let dash = (rect.height() * 0.25).clamp(2.0, 6.0);
    let mut shapes = Vec::new();
    Shape::dashed_line_many(&pts, Stroke::new(1.5, f.theme.text.gamma_multiply(0.8)), dash, dash * 0.7, &mut shapes);
    painter.extend(shapes);
}

/// The translucent box of a box selection (screen corners).
pub fn selection_box(painter: &Painter, theme: &Theme, a: Pos2, b: Pos2) {
    let r = Rect::from_two_pos(a, b);
    painter.rect(r, 0.0, theme.box_fill, Stroke::new(1.0, theme.selection), StrokeKind::Inside);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borders_of_circles_and_boxes() {
        assert!((border(Vec2::splat(5.0), vec2(1.0, 1.0)) - 5.0).abs() < 1e-5);
        assert!((border(vec2(40.0, 10.0), vec2(1.0, 0.0)) - 40.0).abs() < 1e-5);
        assert!((border(vec2(40.0, 10.0), vec2(0.0, -1.0)) - 10.0).abs() < 1e-5);
        assert!((border(vec2(40.0, 10.0), vec2(1.0, 1.0)) - 10.0 * 2f32.sqrt()).abs() < 1e-4);
    }
}

#[cfg(test)]
mod badge_tests {
    use super::edge_badge_text;
    use crate::graph::GraphEdge;
    use crate::model::{Amount, Total};

    #[test]
    fn an_edge_reads_its_amount_and_its_count() {
        let mut e = GraphEdge { count: 1, ..GraphEdge::default() };
        e.totals
            .insert(("ethereum".into(), "ETH".into()), Total::sum([Amount::from_u128(301_589_400_000_000_000_001)]));
        assert_eq!(edge_badge_text(&e, true).as_deref(), Some("≈ 301.5894 ETH"));
        assert_eq!(edge_badge_text(&e, false), None, "one transfer, amounts off: nothing");
        e.count = 3;
        assert_eq!(edge_badge_text(&e, true).as_deref(), Some("×3 · ≈ 301.5894 ETH"));
        assert_eq!(edge_badge_text(&e, false).as_deref(), Some("×3"));
        e.totals.insert(("ethereum".into(), "USDT".into()), Total::sum([Amount::from_u128(5)]));
        assert!(edge_badge_text(&e, true).is_some_and(|t| t.ends_with(" +")), "another asset: marked");
    }
}
