//! Edge and hop geometry, pure and coordinate-free (works the same in world and screen space
//! because the view is a uniform scale plus a translation).
//!
//! An edge is a straight segment, or a quadratic Bézier bent to its right when the opposite
//! edge also exists (so the two directions do not overlap). A hop mark is a Bézier arc from the
//! centroid of its inbound edges' midpoints to the centroid of its outbound edges' midpoints,
//! bulging away from the chord, with short "fan" lines from each midpoint to its centroid.

use egui::{Pos2, Rect, Vec2};

/// How far a two-way edge bends, as a fraction of its length.
pub const BEND: f32 = 0.18;
/// Segments a curve is flattened into for drawing and hit testing.
pub const CURVE_STEPS: usize = 12;

/// The control point of an edge from `a` to `b`: `None` when straight.
#[must_use]
pub fn edge_control(a: Pos2, b: Pos2, curved: bool) -> Option<Pos2> {
    if !curved {
        return None;
    }
    let d = b - a;
    // Right-hand normal (y down): the reverse edge bends the other way.
    let n = Vec2::new(-d.y, d.x);
    Some(a + d * 0.5 + n * BEND)
}

/// Point at `t` of the quadratic Bézier `a`, `c`, `b`.
#[must_use]
pub fn quad_point(a: Pos2, c: Pos2, b: Pos2, t: f32) -> Pos2 {
    let u = 1.0 - t;
    (a.to_vec2() * (u * u) + c.to_vec2() * (2.0 * u * t) + b.to_vec2() * (t * t)).to_pos2()
}

/// Middle of an edge (where count badges and hop marks attach).
#[must_use]
pub fn edge_midpoint(a: Pos2, b: Pos2, control: Option<Pos2>) -> Pos2 {
    match control {
        Some(c) => quad_point(a, c, b, 0.5),
        None => a + (b - a) * 0.5,
    }
}

/// Distance from `p` to the segment `a`–`b`.
#[must_use]
pub fn dist_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let d = b - a;
    let len2 = d.length_sq();
    if len2 <= f32::EPSILON {
        return p.distance(a);
    }
    let t = ((p - a).dot(d) / len2).clamp(0.0, 1.0);
    p.distance(a + d * t)
}

/// Distance from `p` to an edge (straight or curved, flattened).
#[must_use]
pub fn dist_to_edge(p: Pos2, a: Pos2, b: Pos2, control: Option<Pos2>) -> f32 {
    let Some(c) = control else {
        return dist_to_segment(p, a, b);
    };
    let mut best = f32::INFINITY;
    let mut prev = a;
    for i in 1..=CURVE_STEPS {
        #[allow(clippy::cast_precision_loss)]
        let q = quad_point(a, c, b, i as f32 / CURVE_STEPS as f32);
        best = best.min(dist_to_segment(p, prev, q));
        prev = q;
    }
    best
}

/// Bounding box of an edge (its control hull contains the curve).
#[must_use]
pub fn edge_bounds(a: Pos2, b: Pos2, control: Option<Pos2>) -> Rect {
    let r = Rect::from_two_pos(a, b);
    match control {
        Some(c) => r.union(Rect::from_min_max(c, c)),
        None => r,
    }
}

/// Where an edge leaves its source and reaches its target, trimmed by the node radii, and the
/// direction it arrives in (for the arrowhead). `None` when the nodes overlap.
#[must_use]
pub fn trimmed(a: Pos2, b: Pos2, control: Option<Pos2>, ra: f32, rb: f32) -> Option<(Pos2, Pos2, Vec2)> {
    let toward_a = control.unwrap_or(b) - a;
    let from_b = control.unwrap_or(a) - b;
    if (b - a).length() <= ra + rb || toward_a.length_sq() <= f32::EPSILON || from_b.length_sq() <= f32::EPSILON {
        return None;
    }
    let start = a + toward_a.normalized() * ra;
    let end = b + from_b.normalized() * rb;
    Some((start, end, -from_b.normalized()))
}

/// The three corners of an arrowhead whose tip is at `tip`, pointing along `dir` (unit).
#[must_use]
pub fn arrowhead(tip: Pos2, dir: Vec2, size: f32) -> [Pos2; 3] {
    let n = Vec2::new(-dir.y, dir.x);
    let base = tip - dir * size;
    [tip, base + n * (size * 0.5), base - n * (size * 0.5)]
}

/// Mean of some points.
#[must_use]
pub fn centroid(points: &[Pos2]) -> Option<Pos2> {
    if points.is_empty() {
        return None;
    }
    let sum = points.iter().fold(Vec2::ZERO, |s, p| s + p.to_vec2());
    #[allow(clippy::cast_precision_loss)]
    Some((sum / points.len() as f32).to_pos2())
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
/// (at least) the arc bulges from the chord, upwards for a left-to-right hop. A hop with one
/// side only gets a small loop above it. `None` without any edge.
#[must_use]
pub fn hop_geometry(inbound: &[Pos2], outbound: &[Pos2], lift: f32) -> Option<HopGeometry> {
    let (start, end) = match (centroid(inbound), centroid(outbound)) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) | (None, Some(a)) => (a, a),
        (None, None) => return None,
    };
    let d = end - start;
    let len = d.length();
    // Left-hand normal (y down), pointing up for a left-to-right chord.
    let n = if len > 1e-3 { Vec2::new(d.y, -d.x) / len } else { Vec2::new(0.0, -1.0) };
    let bulge = (len * 0.35).max(lift);
    // Twice the apex height: a quadratic's middle is half-way to its control point.
    let control = start + d * 0.5 + n * (2.0 * bulge);
    let apex = quad_point(start, control, end, 0.5);
    Some(HopGeometry { start, end, control, apex })
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
        assert!((dist_to_segment(Pos2::new(50.0, 7.0), a, b) - 7.0).abs() < 1e-4);
        assert!((dist_to_segment(Pos2::new(-3.0, 4.0), a, b) - 5.0).abs() < 1e-4);
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
        assert_eq!(centroid(&[]), None);
    }
}
