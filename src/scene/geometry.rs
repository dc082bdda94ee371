//! Edge and hop geometry, written once for the window's canvas (which converts its egui points,
//! `src/ui/canvas/geometry.rs`) and the renderings of the report. Pure and coordinate-free: it
//! works the same in world and screen space because a view is a uniform scale plus a
//! translation.
//!
//! An edge is a straight segment, or a quadratic Bézier bent to its right when the opposite
//! edge also exists (so the two directions do not overlap). A hop mark is a Bézier arc from the
//! centroid of its inbound edges' midpoints to the centroid of its outbound edges' midpoints,
//! bulging away from the chord (upwards for a left-to-right hop); a hop with one side only gets
//! a small loop above it.

/// A point (y down).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct P {
    /// x.
    pub x: f32,
    /// y.
    pub y: f32,
}

impl P {
    /// A point.
    pub const fn new(x: f32, y: f32) -> Self {
        P { x, y }
    }
    fn add(self, o: P) -> P {
        P::new(self.x + o.x, self.y + o.y)
    }
    fn sub(self, o: P) -> P {
        P::new(self.x - o.x, self.y - o.y)
    }
    /// Dot product.
    #[must_use]
    pub fn dot(self, o: P) -> f32 {
        self.x * o.x + self.y * o.y
    }
    /// Distance to `o`.
    #[must_use]
    pub fn distance(self, o: P) -> f32 {
        self.sub(o).len()
    }
    /// Scaled by `k`.
    pub fn scaled(self, k: f32) -> P {
        P::new(self.x * k, self.y * k)
    }
    /// Length as a vector.
    pub fn len(self) -> f32 {
        self.x.hypot(self.y)
    }
    /// Unit vector (zero stays zero).
    pub fn unit(self) -> P {
        let l = self.len();
        if l > 1e-6 { self.scaled(1.0 / l) } else { P::default() }
    }
    /// `self + d * k`.
    pub fn plus(self, d: P, k: f32) -> P {
        self.add(d.scaled(k))
    }
    /// The vector from `o` to `self`.
    pub fn minus(self, o: P) -> P {
        self.sub(o)
    }
}

/// How far a two-way edge bends, as a fraction of its length.
pub const BEND: f32 = 0.18;
/// Segments a curve is flattened into for drawing and hit testing.
pub const CURVE_STEPS: usize = 12;

/// The control point of an edge from `a` to `b`, `None` when straight.
pub fn edge_control(a: P, b: P, curved: bool) -> Option<P> {
    if !curved {
        return None;
    }
    let d = b.sub(a);
    Some(a.plus(d, 0.5).plus(P::new(-d.y, d.x), BEND))
}

/// Point at `t` of the quadratic Bézier `a`, `c`, `b`.
pub fn quad_point(a: P, c: P, b: P, t: f32) -> P {
    let u = 1.0 - t;
    a.scaled(u * u).add(c.scaled(2.0 * u * t)).add(b.scaled(t * t))
}

/// Middle of an edge.
pub fn edge_midpoint(a: P, b: P, control: Option<P>) -> P {
    match control {
        Some(c) => quad_point(a, c, b, 0.5),
        None => a.plus(b.sub(a), 0.5),
    }
}

/// Distance from `p` to the segment `a`–`b`.
#[must_use]
pub fn dist_to_segment(p: P, a: P, b: P) -> f32 {
    let d = b.sub(a);
    let len2 = d.dot(d);
    if len2 <= f32::EPSILON {
        return p.distance(a);
    }
    let t = (p.sub(a).dot(d) / len2).clamp(0.0, 1.0);
    p.distance(a.plus(d, t))
}

/// Distance from `p` to an edge (straight, or curved and flattened into [`CURVE_STEPS`]).
#[must_use]
pub fn dist_to_edge(p: P, a: P, b: P, control: Option<P>) -> f32 {
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

/// Bounding box of an edge as (min, max) corners (its control hull contains the curve).
#[must_use]
pub fn edge_bounds(a: P, b: P, control: Option<P>) -> (P, P) {
    let pts = [Some(a), Some(b), control];
    let (mut min, mut max) = (a, a);
    for p in pts.into_iter().flatten() {
        min = P::new(min.x.min(p.x), min.y.min(p.y));
        max = P::new(max.x.max(p.x), max.y.max(p.y));
    }
    (min, max)
}

/// Where an edge leaves its source and reaches its target, trimmed by the node radii, and the
/// direction it arrives in. `None` when the nodes overlap.
pub fn trimmed(a: P, b: P, control: Option<P>, ra: f32, rb: f32) -> Option<(P, P, P)> {
    let toward_a = control.unwrap_or(b).sub(a);
    let from_b = control.unwrap_or(a).sub(b);
    if b.sub(a).len() <= ra + rb || toward_a.len() <= 1e-6 || from_b.len() <= 1e-6 {
        return None;
    }
    let start = a.plus(toward_a.unit(), ra);
    let end = b.plus(from_b.unit(), rb);
    Some((start, end, from_b.unit().scaled(-1.0)))
}

/// The corners of an arrowhead with its tip at `tip`, pointing along the unit `dir`.
pub fn arrowhead(tip: P, dir: P, size: f32) -> [P; 3] {
    let n = P::new(-dir.y, dir.x);
    let base = tip.plus(dir, -size);
    [tip, base.plus(n, size * 0.5), base.plus(n, -size * 0.5)]
}

/// Mean of some points.
pub fn centroid(points: &[P]) -> Option<P> {
    if points.is_empty() {
        return None;
    }
    let sum = points.iter().fold(P::default(), |s, p| s.add(*p));
    #[allow(clippy::cast_precision_loss)]
    Some(sum.scaled(1.0 / points.len() as f32))
}

/// A hop arc.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HopArc {
    /// Centroid of the inbound midpoints.
    pub start: P,
    /// Centroid of the outbound midpoints.
    pub end: P,
    /// Control point.
    pub control: P,
    /// The arc's middle, where the label goes.
    pub apex: P,
}

/// The arc of a hop (see the module docs); `lift` is the least bulge. `None` without points.
pub fn hop_arc(inbound: &[P], outbound: &[P], lift: f32) -> Option<HopArc> {
    let (start, end) = match (centroid(inbound), centroid(outbound)) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) | (None, Some(a)) => (a, a),
        (None, None) => return None,
    };
    let d = end.sub(start);
    let len = d.len();
    let n = if len > 1e-3 { P::new(d.y, -d.x).scaled(1.0 / len) } else { P::new(0.0, -1.0) };
    let bulge = (len * 0.35).max(lift);
    let control = start.plus(d, 0.5).plus(n, 2.0 * bulge);
    Some(HopArc { start, end, control, apex: quad_point(start, control, end, 0.5) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_bend_apart_and_trim_at_borders() {
        let (a, b) = (P::new(0.0, 0.0), P::new(100.0, 0.0));
        let ab = edge_control(a, b, true).map(|c| edge_midpoint(a, b, Some(c)));
        let ba = edge_control(b, a, true).map(|c| edge_midpoint(b, a, Some(c)));
        assert!(ab.is_some_and(|p| (p.y - 9.0).abs() < 1e-3) && ba.is_some_and(|p| p.y < 0.0));
        let Some((s, e, dir)) = trimmed(a, b, None, 10.0, 20.0) else { panic!("far apart") };
        assert_eq!((s, e, dir), (P::new(10.0, 0.0), P::new(80.0, 0.0), P::new(1.0, 0.0)));
        assert_eq!(trimmed(a, P::new(5.0, 0.0), None, 10.0, 10.0), None);
        let [tip, l, r] = arrowhead(e, dir, 8.0);
        assert_eq!(tip, e);
        assert!((l.x - 72.0).abs() < 1e-4 && (l.y + r.y).abs() < 1e-4);
    }

    #[test]
    fn hit_distance_follows_the_curve() {
        let (a, b) = (P::new(0.0, 0.0), P::new(100.0, 0.0));
        assert!((dist_to_segment(P::new(50.0, 7.0), a, b) - 7.0).abs() < 1e-4);
        assert!((dist_to_segment(P::new(-3.0, 4.0), a, b) - 5.0).abs() < 1e-4);
        let c = edge_control(a, b, true);
        let mid = edge_midpoint(a, b, c);
        assert!(dist_to_edge(mid, a, b, c) < 0.5);
        assert!(dist_to_edge(P::new(50.0, 0.0), a, b, c) > 8.0);
        let (min, max) = edge_bounds(a, b, c);
        assert!(min.x <= mid.x && mid.x <= max.x && min.y <= mid.y && mid.y <= max.y);
        assert_eq!(edge_bounds(a, b, None), (a, b));
    }

    #[test]
    fn hop_arcs_bulge_up_from_inbound_to_outbound() {
        let Some(g) = hop_arc(&[P::new(0.0, 0.0), P::new(0.0, 20.0)], &[P::new(200.0, 10.0)], 30.0) else {
            panic!("both sides")
        };
        assert_eq!((g.start, g.end), (P::new(0.0, 10.0), P::new(200.0, 10.0)));
        assert!((g.apex.y - (10.0 - 70.0)).abs() < 1e-3 && (g.apex.x - 100.0).abs() < 1e-3);
        assert!(hop_arc(&[], &[P::new(1.0, 1.0)], 30.0).is_some_and(|g| g.apex.y < -28.0));
        assert_eq!(hop_arc(&[], &[], 30.0), None);
    }
}
