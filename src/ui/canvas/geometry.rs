//! The canvas's edge and hop geometry: the shared rules of [`crate::scene::geometry`] on egui
//! points (the report's renderings use the same functions, so both draw the same marks), and
//! the hit-testing shapes the canvas's spatial index needs.

use egui::{Pos2, Rect, Vec2};

pub use crate::scene::geometry::CURVE_STEPS;
use crate::scene::geometry::{self as shared, P};

fn p(a: Pos2) -> P {
    P::new(a.x, a.y)
}

fn pos(a: P) -> Pos2 {
    Pos2::new(a.x, a.y)
}

fn vec(a: P) -> Vec2 {
    Vec2::new(a.x, a.y)
}

/// The control point of an edge from `a` to `b`: `None` when straight.
#[must_use]
pub fn edge_control(a: Pos2, b: Pos2, curved: bool) -> Option<Pos2> {
    shared::edge_control(p(a), p(b), curved).map(pos)
}

/// Point at `t` of the quadratic Bézier `a`, `c`, `b`.
#[must_use]
pub fn quad_point(a: Pos2, c: Pos2, b: Pos2, t: f32) -> Pos2 {
    pos(shared::quad_point(p(a), p(c), p(b), t))
}

/// Middle of an edge (where count badges and hop marks attach).
#[must_use]
pub fn edge_midpoint(a: Pos2, b: Pos2, control: Option<Pos2>) -> Pos2 {
    pos(shared::edge_midpoint(p(a), p(b), control.map(p)))
}

/// Distance from `p` to an edge (straight or curved, flattened).
#[must_use]
pub fn dist_to_edge(q: Pos2, a: Pos2, b: Pos2, control: Option<Pos2>) -> f32 {
    shared::dist_to_edge(p(q), p(a), p(b), control.map(p))
}

/// Bounding box of an edge (its control hull contains the curve).
#[must_use]
pub fn edge_bounds(a: Pos2, b: Pos2, control: Option<Pos2>) -> Rect {
    let (min, max) = shared::edge_bounds(p(a), p(b), control.map(p));
    Rect::from_min_max(pos(min), pos(max))
}

/// Where an edge leaves its source and reaches its target, trimmed by the node radii, and the
/// direction it arrives in (for the arrowhead). `None` when the nodes overlap.
#[must_use]
pub fn trimmed(a: Pos2, b: Pos2, control: Option<Pos2>, ra: f32, rb: f32) -> Option<(Pos2, Pos2, Vec2)> {
    shared::trimmed(p(a), p(b), control.map(p), ra, rb).map(|(s, e, d)| (pos(s), pos(e), vec(d)))
}

/// The three corners of an arrowhead whose tip is at `tip`, pointing along `dir` (unit).
#[must_use]
pub fn arrowhead(tip: Pos2, dir: Vec2, size: f32) -> [Pos2; 3] {
    shared::arrowhead(p(tip), P::new(dir.x, dir.y), size).map(pos)
}

/// Where a hop mark goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HopGeometry {
    /// Centroid of the inbound edges' midpoints (or of the outbound ones if it has none in view).
    pub start: Pos2,
    /// Centroid of the outbound edges' midpoints.
    pub end: Pos2,
    /// Control point of the arc.
    pub control: Pos2,
    /// The arc's middle, where the label goes.
    pub apex: Pos2,
}

/// The arc of a hop from the midpoints of its inbound and outbound edges; `lift` is how far
/// (at least) the arc bulges from the chord ([`shared::hop_arc`]). `None` without any edge.
#[must_use]
pub fn hop_geometry(inbound: &[Pos2], outbound: &[Pos2], lift: f32) -> Option<HopGeometry> {
    let points = |s: &[Pos2]| s.iter().copied().map(p).collect::<Vec<_>>();
    shared::hop_arc(&points(inbound), &points(outbound), lift).map(|g| HopGeometry {
        start: pos(g.start),
        end: pos(g.end),
        control: pos(g.control),
        apex: pos(g.apex),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_way_edges_bend_apart() {
        let a = Pos2::new(0.0, 0.0);
        let b = Pos2::new(100.0, 0.0);
        assert_eq!(edge_control(a, b, false), None);
        let ab = edge_control(a, b, true).map(|c| edge_midpoint(a, b, Some(c)));
        let ba = edge_control(b, a, true).map(|c| edge_midpoint(b, a, Some(c)));
        let (Some(ab), Some(ba)) = (ab, ba) else { panic!("curved edges have control points") };
        assert!(ab.y > 0.0 && ba.y < 0.0, "{ab:?} {ba:?}");
        assert!((ab.y - 9.0).abs() < 1e-3, "the middle is half the control offset");
    }

    #[test]
    fn hit_distance_follows_the_curve() {
        let a = Pos2::new(0.0, 0.0);
        let b = Pos2::new(100.0, 0.0);
        let c = edge_control(a, b, true);
        let mid = edge_midpoint(a, b, c);
        assert!(dist_to_edge(mid, a, b, c) < 0.5);
        assert!(dist_to_edge(Pos2::new(50.0, 0.0), a, b, c) > 8.0);
        assert!(edge_bounds(a, b, c).contains(mid));
    }

    #[test]
    fn trimming_stops_at_node_borders() {
        let a = Pos2::new(0.0, 0.0);
        let b = Pos2::new(100.0, 0.0);
        let Some((s, e, dir)) = trimmed(a, b, None, 10.0, 20.0) else { panic!("far apart") };
        assert!(s.distance(Pos2::new(10.0, 0.0)) < 1e-4 && e.distance(Pos2::new(80.0, 0.0)) < 1e-4);
        assert!((dir - Vec2::new(1.0, 0.0)).length() < 1e-4);
        assert_eq!(trimmed(a, Pos2::new(5.0, 0.0), None, 10.0, 10.0), None);
        let [tip, l, r] = arrowhead(e, dir, 8.0);
        assert_eq!(tip, e);
        assert!((l.x - 72.0).abs() < 1e-4 && (r.x - 72.0).abs() < 1e-4 && (l.y + r.y).abs() < 1e-4);
    }

    #[test]
    fn hop_arc_runs_from_inbound_to_outbound_and_bulges_up() {
        let inbound = [Pos2::new(0.0, 0.0), Pos2::new(0.0, 20.0)];
        let outbound = [Pos2::new(200.0, 10.0)];
        let Some(g) = hop_geometry(&inbound, &outbound, 30.0) else { panic!("both sides") };
        assert_eq!(g.start, Pos2::new(0.0, 10.0));
        assert_eq!(g.end, Pos2::new(200.0, 10.0));
        assert!((g.apex.x - 100.0).abs() < 1e-3);
        assert!((g.apex.y - (10.0 - 70.0)).abs() < 1e-3, "apex {:?}", g.apex);
        // One side only: a loop above that side; none at all: nothing.
        let Some(one) = hop_geometry(&inbound, &[], 30.0) else { panic!("one side") };
        assert!(one.apex.y < one.start.y - 29.0);
        assert_eq!(hop_geometry(&[], &[], 30.0), None);
    }
}
