//! Hop marks: each hop drawn as its own mark over the edges it explains. Short fan lines join
//! the midpoints of its inbound edges to their centroid, an arc runs from there to the
//! centroid of its outbound edges' midpoints (arrowhead at the outbound end), and a label at
//! the arc's apex says `mixer · Tornado Cash 55%`. Suggested hops are dashed, rejected ones
//! faint, the highlighted one thicker with its label always shown.

use std::collections::BTreeMap;

use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, Vec2, vec2};

use super::draw::Frame;
use super::geometry::{CURVE_STEPS, HopGeometry, arrowhead, edge_midpoint, hop_geometry, quad_point};
use super::info::hop_label;
use super::spatial::Spatial;
use super::style::{LABEL_SIZE, hop_color};
use crate::model::{Hop, HopStatus};

/// Minimum bulge of a hop arc (screen points).
const LIFT: f32 = 30.0;

/// How a hop mark is stroked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HopStyle {
    /// Opacity.
    pub alpha: f32,
    /// Arc width (points).
    pub width: f32,
    /// Dashed (suggested, not yet the investigator's view).
    pub dashed: bool,
}

/// The stroke of a hop by status, emphasised when highlighted.
#[must_use]
pub fn hop_style(status: HopStatus, highlighted: bool) -> HopStyle {
    let (alpha, width, dashed) = match status {
        HopStatus::Accepted => (1.0, 2.5, false),
        HopStatus::Suggested => (0.9, 2.0, true),
        HopStatus::Rejected => (0.3, 1.5, false),
    };
    if highlighted { HopStyle { alpha: 1.0, width: width * 2.0, dashed } } else { HopStyle { alpha, width, dashed } }
}

/// The drawn edges carrying `transfers`, sorted, each once.
pub fn hop_edges(spatial: &Spatial, transfers: &[i64], out: &mut Vec<u32>) {
    out.clear();
    out.extend(transfers.iter().filter_map(|t| spatial.transfer_edge.get(t).copied()));
    out.sort_unstable();
    out.dedup();
}

/// Reusable buffers for [`draw`].
#[derive(Default)]
pub struct HopScratch {
    edges: Vec<u32>,
    inbound: Vec<Pos2>,
    outbound: Vec<Pos2>,
    arc: Vec<Pos2>,
    /// Nodes near a label spot being tried.
    near: Vec<u32>,
    /// Where each drawn hop's label box is on screen (for clicks), filled by [`draw`].
    pub labels: Vec<(u64, Rect)>,
}

fn midpoints(f: &Frame<'_>, edges: &[u32], out: &mut Vec<Pos2>) {
    out.clear();
    out.extend(
        edges
            .iter()
            .filter_map(|&e| f.spatial.edge(e).and_then(|e| f.edge_screen(e)).map(|(a, b, c)| edge_midpoint(a, b, c))),
    );
}

/// Paints every hop with an edge on screen.
pub fn draw(painter: &Painter, f: &Frame<'_>, hops: &BTreeMap<u64, Hop>, highlighted: Option<u64>, s: &mut HopScratch) {
    s.labels.clear();
    // The highlighted hop last, on top.
    let order = hops
        .iter()
        .filter(|(id, _)| Some(**id) != highlighted)
        .chain(hops.iter().filter(|(id, _)| Some(**id) == highlighted));
    for (id, hop) in order {
        hop_edges(f.spatial, &hop.inbound, &mut s.edges);
        midpoints(f, &s.edges, &mut s.inbound);
        hop_edges(f.spatial, &hop.outbound, &mut s.edges);
        midpoints(f, &s.edges, &mut s.outbound);
        let Some(g) = hop_geometry(&s.inbound, &s.outbound, LIFT) else { continue };
        let bbox = s
            .inbound
            .iter()
            .chain(&s.outbound)
            .chain([&g.control])
            .fold(Rect::NOTHING, |r, p| r.union(Rect::from_min_max(*p, *p)));
        if !bbox.expand(40.0).intersects(f.rect) {
            continue;
        }
        let emph = highlighted == Some(*id);
        let style = hop_style(hop.status, emph);
        if let Some(r) = mark(painter, f, hop, &g, style, emph, s) {
            s.labels.push((*id, r));
        }
    }
}

/// Step (screen points) between the spots tried for a hop label.
const LABEL_STEP: f32 = 12.0;
/// Steps tried in each direction before the label stays on the apex.
const LABEL_TRIES: usize = 14;
/// Half the width a node label is assumed to take (most are a short address or name).
const NODE_LABEL_HALF_WIDTH: f32 = 60.0;

/// Where a hop label of `size` goes: above the arc's apex unless that covers a node (with its
/// label when labels are shown) or an earlier hop's label; then the nearest clear spot stepping
/// away from the apex along the bulge, up, against the bulge or down. O(tries × nearby nodes).
fn label_spot(f: &Frame<'_>, g: &HopGeometry, size: Vec2, taken: &[(u64, Rect)], near: &mut Vec<u32>) -> Rect {
    let at = |p: Pos2| Align2::CENTER_BOTTOM.anchor_size(p - vec2(0.0, 3.0), size);
    let origin = f.rect.center();
    let label_h = if f.label_alpha > 0.01 && !f.crowded { LABEL_SIZE * 1.4 + 4.0 } else { 0.0 };
    let label_w = if label_h > 0.0 { NODE_LABEL_HALF_WIDTH } else { 0.0 };
    let mut clear = |r: Rect| {
        let r = r.expand(3.0);
        if taken.iter().any(|(_, t)| t.intersects(r)) {
            return false;
        }
        // Nodes whose box or label could meet r: their centre is within a label of it.
        let probe = Rect::from_min_max(
            f.view.to_world(origin, r.min - vec2(label_w, label_h)),
            f.view.to_world(origin, r.max + vec2(label_w, 0.0)),
        );
        near.clear();
        f.spatial.nodes_in(probe, near);
        near.iter().all(|&slot| {
            let (Some(c), half) = (f.screen(slot), f.screen_half(slot)) else { return true };
            let body = Rect::from_center_size(c, half * 2.0);
            let label = Rect::from_min_max(
                c + vec2(-label_w.max(half.x), half.y),
                c + vec2(label_w.max(half.x), half.y + label_h),
            );
            !(body.intersects(r) || (label_h > 0.0 && label.intersects(r)))
        })
    };
    let home = at(g.apex);
    if clear(home) {
        return home;
    }
    let bulge = (g.apex - g.start.lerp(g.end, 0.5)).normalized();
    let bulge = if bulge.is_finite() { bulge } else { vec2(0.0, -1.0) };
    let dirs = [bulge, vec2(0.0, -1.0), -bulge, vec2(0.0, 1.0)];
    (1..=LABEL_TRIES)
        .flat_map(|k| dirs.iter().map(move |d| *d * (k as f32 * LABEL_STEP)))
        .map(|offset| at(g.apex + offset))
        .find(|r| clear(*r))
        .unwrap_or(home)
}

/// Paints one hop; returns its label box when drawn.
fn mark(
    painter: &Painter,
    f: &Frame<'_>,
    hop: &Hop,
    g: &HopGeometry,
    style: HopStyle,
    emph: bool,
    s: &mut HopScratch,
) -> Option<Rect> {
    let color = hop_color(&hop.kind).gamma_multiply(style.alpha);
    let halo = Stroke::new(style.width + 3.0, f.theme.halo.gamma_multiply(style.alpha));
    let stroke = Stroke::new(style.width, color);
    // Fans: inbound midpoints → start, end → outbound midpoints, a dot on each midpoint. A side
    // of many edges (a CoinJoin's hundred outputs) fades its fan and shrinks its dots, so the
    // hop reads as a mark rather than a star over the edges.
    let side = |n: usize| {
        let thin = crate::style::fan_fade(n);
        (Stroke::new((style.width * 0.6).max(1.0), color.gamma_multiply(thin)), (style.width + 1.5) * thin.sqrt())
    };
    let (fan, dot) = side(s.inbound.len());
    for p in &s.inbound {
        painter.line_segment([*p, g.start], fan);
        painter.circle_filled(*p, dot, color);
    }
    let (fan, dot) = side(s.outbound.len());
    for p in &s.outbound {
        painter.line_segment([g.end, *p], fan);
        painter.circle_filled(*p, dot, color);
    }
    s.arc.clear();
    for i in 0..=CURVE_STEPS {
        #[allow(clippy::cast_precision_loss)]
        s.arc.push(quad_point(g.start, g.control, g.end, i as f32 / CURVE_STEPS as f32));
    }
    painter.add(Shape::line(s.arc.clone(), halo));
    if style.dashed {
        let mut dashes = Vec::new();
        Shape::dashed_line_many(&s.arc, stroke, 7.0, 5.0, &mut dashes);
        painter.extend(dashes);
    } else {
        painter.add(Shape::line(s.arc.clone(), stroke));
    }
    let dir = (g.end - g.control).normalized();
    if dir.is_finite() && g.start != g.end {
        painter.add(Shape::convex_polygon(arrowhead(g.end, dir, 6.0 + style.width).to_vec(), color, Stroke::NONE));
    }
    let alpha = if emph { 1.0 } else { f.label_alpha * style.alpha.max(0.5) };
    if alpha > 0.01 {
        let size = if emph { LABEL_SIZE + 1.0 } else { LABEL_SIZE - 1.0 };
        let galley = painter.layout_no_wrap(hop_label(hop), FontId::proportional(size), Color32::PLACEHOLDER);
        let r = label_spot(f, g, galley.size(), &s.labels, &mut s.near);
        let frame = Stroke::new(if emph { 2.0 } else { 1.0 }, color);
        if !r.expand(3.0).contains(g.apex) {
            // Moved off the apex to clear a node: a leader ties it to its arc.
            painter.line_segment([g.apex, r.expand(3.0).clamp(g.apex)], Stroke::new(1.0, color));
        }
        painter.rect(r.expand(3.0), 4.0, f.theme.text_bg.gamma_multiply(alpha), frame, egui::StrokeKind::Middle);
        painter.galley(r.min, galley, f.theme.text.gamma_multiply(alpha));
        return Some(r.expand(3.0));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{graph, row};
    use super::*;

    #[test]
    fn status_sets_dash_and_opacity() {
        let suggested = hop_style(HopStatus::Suggested, false);
        let rejected = hop_style(HopStatus::Rejected, false);
        let accepted = hop_style(HopStatus::Accepted, false);
        assert!(suggested.dashed && !accepted.dashed && !rejected.dashed);
        assert!(rejected.alpha < suggested.alpha && suggested.alpha <= accepted.alpha);
        let lit = hop_style(HopStatus::Rejected, true);
        assert!(lit.alpha >= 1.0 && lit.width > rejected.width);
    }

    #[test]
    fn a_label_on_a_node_moves_to_the_nearest_clear_spot() {
        // Nodes 0, 1, 2 at x = 0, 100, 200 on y = 0; screen = world (zoom 1, no offset).
        let (g, pos) = graph(3, None, &[row(1, 0, 1, 1), row(2, 1, 2, 1)]);
        let mut spatial = Spatial::default();
        spatial.refresh(&g, &pos);
        let screen: Vec<Pos2> = spatial.nodes.iter().map(|n| n.pos).collect();
        let rect = Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0));
        let f = Frame {
            graph: &g,
            spatial: &spatial,
            view: super::super::view::View { pan: -rect.center().to_vec2(), zoom: 1.0 },
            rect,
            theme: super::super::style::Theme::from_visuals(&egui::Visuals::dark()),
            selected: &[],
            dragged: &[],
            screen: &screen,
            hovered: None,
            hovered_edge: None,
            selected_edge: None,
            pixels_per_point: 1.0,
            label_alpha: 1.0,
            badge_alpha: 1.0,
            crowded: false,
        };
        let size = vec2(90.0, 14.0);
        let hop = |apex: Pos2| HopGeometry {
            start: apex + vec2(-50.0, 30.0),
            end: apex + vec2(50.0, 30.0),
            control: apex - vec2(0.0, 30.0),
            apex,
        };
        let mut near = Vec::new();
        // Far from every node: right above the apex.
        let free = hop(Pos2::new(100.0, -200.0));
        let r = label_spot(&f, &free, size, &[], &mut near);
        assert_eq!(r, Align2::CENTER_BOTTOM.anchor_size(free.apex - vec2(0.0, 3.0), size));
        // Right under node 1's label: moved off the node and its label, and not far.
        let on = hop(Pos2::new(100.0, 30.0));
        let r = label_spot(&f, &on, size, &[], &mut near);
        let home = Align2::CENTER_BOTTOM.anchor_size(on.apex - vec2(0.0, 3.0), size);
        assert_ne!(r, home, "the apex spot covers node 1's label");
        for n in &spatial.nodes {
            let body = Rect::from_center_size(n.pos, n.half * 2.0);
            let label = Rect::from_min_max(n.pos + vec2(-60.0, n.half.y), n.pos + vec2(60.0, n.half.y + 20.8));
            assert!(!r.intersects(body) && !r.intersects(label), "{r:?} meets the node at {:?}", n.pos);
        }
        assert!(r.center().distance(home.center()) <= LABEL_STEP * LABEL_TRIES as f32 + 1.0);
        // An earlier hop's label there too: this one goes elsewhere.
        let again = label_spot(&f, &on, size, &[(1, r)], &mut near);
        assert!(!again.expand(3.0).intersects(r), "{again:?} meets the earlier label {r:?}");
    }

    #[test]
    fn hop_sides_map_to_drawn_edges_once() {
        // 0 → 1 twice (one edge), 1 → 2, and 2 → 3 with 3 hidden (not drawn).
        let rows = [row(1, 0, 1, 1), row(2, 0, 1, 1), row(3, 1, 2, 1), row(4, 2, 3, 1)];
        let (g, pos) = graph(4, Some(3), &rows);
        let mut s = Spatial::default();
        s.refresh(&g, &pos);
        let mut out = Vec::new();
        hop_edges(&s, &[1, 2, 99], &mut out);
        assert_eq!(out.len(), 1, "both transfers are on one edge; 99 is not on the graph");
        hop_edges(&s, &[3, 4], &mut out);
        assert_eq!(out.len(), 1, "the edge to the hidden node is not drawn");
        // Midpoints of the sides: 0 → 1 at x = 50, 1 → 2 at x = 150; the arc bulges above.
        let mid =
            |slot: u32| s.edge(slot).and_then(|e| Some(edge_midpoint(s.node(e.from)?.pos, s.node(e.to)?.pos, None)));
        hop_edges(&s, &[1], &mut out);
        let a = out.first().and_then(|&e| mid(e));
        hop_edges(&s, &[3], &mut out);
        let b = out.first().and_then(|&e| mid(e));
        let (Some(a), Some(b)) = (a, b) else { panic!("both sides drawn") };
        let Some(geo) = hop_geometry(&[a], &[b], LIFT) else { panic!("geometry") };
        assert_eq!((geo.start, geo.end), (Pos2::new(50.0, 0.0), Pos2::new(150.0, 0.0)));
        assert!(geo.apex.y <= -LIFT + 1e-3);
    }
}
