//! Edge and hop geometry for the renderings, the same rules as the canvas
//! (`src/ui/canvas/geometry.rs`, which works on egui points): straight edges, or quadratic
//! Béziers bent to their right when the reverse edge exists; hop arcs from the centroid of the
//! inbound edges' midpoints to that of the outbound ones, bulging away from the chord.

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
    /// Scaled by `k`.
    pub fn mul(self, k: f32) -> P {
        P::new(self.x * k, self.y * k)
    }
    /// Length as a vector.
    pub fn len(self) -> f32 {
        self.x.hypot(self.y)
    }
    /// Unit vector (zero stays zero).
    pub fn unit(self) -> P {
        let l = self.len();
        if l > 1e-6 { self.mul(1.0 / l) } else { P::default() }
    }
    /// `self + d * k`.
    pub fn plus(self, d: P, k: f32) -> P {
        self.add(d.mul(k))
    }
    /// The vector from `o` to `self`.
    pub fn minus(self, o: P) -> P {
        self.sub(o)
    }
}

/// How far a two-way edge bends, as a fraction of its length (as on the canvas).
pub const BEND: f32 = 0.18;

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
    a.mul(u * u).add(c.mul(2.0 * u * t)).add(b.mul(t * t))
}

/// Middle of an edge.
pub fn edge_midpoint(a: P, b: P, control: Option<P>) -> P {
    match control {
        Some(c) => quad_point(a, c, b, 0.5),
        None => a.plus(b.sub(a), 0.5),
    }
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
    Some((start, end, from_b.unit().mul(-1.0)))
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
    Some(sum.mul(1.0 / points.len() as f32))
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
    let n = if len > 1e-3 { P::new(d.y, -d.x).mul(1.0 / len) } else { P::new(0.0, -1.0) };
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
