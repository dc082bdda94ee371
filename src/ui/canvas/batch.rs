//! One mesh for all edges of a frame: anti-aliased line quads (a solid core and a one-pixel
//! feather on each side, as egui's tessellator does) and arrowhead triangles. Tens of thousands
//! of edges become a single shape instead of one shape each.

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, Pos2, Shape, Vec2};

use super::geometry::{CURVE_STEPS, quad_point};

/// Lines and triangles collected into one mesh.
pub struct LineBatch {
    mesh: Mesh,
    /// Width of the anti-aliasing feather (one physical pixel, in points).
    feather: f32,
    /// Lines up to this wide are one soft quad (see [`LineBatch::coarse`]).
    soft_up_to: f32,
}

impl LineBatch {
    /// An empty batch for `segments` line segments (a hint) at `pixels_per_point`.
    #[must_use]
    pub fn new(segments: usize, pixels_per_point: f32) -> Self {
        let mut mesh = Mesh::default();
        mesh.reserve_vertices(segments * 8);
        mesh.reserve_triangles(segments * 6);
        let feather = 1.0 / pixels_per_point.max(0.1);
        LineBatch { mesh, feather, soft_up_to: feather }
    }

    /// An empty batch for `dots` dots ([`LineBatch::dot`]) at `pixels_per_point`.
    #[must_use]
    pub fn for_dots(dots: usize, pixels_per_point: f32) -> Self {
        let mut b = LineBatch::new(0, pixels_per_point);
        b.mesh.reserve_vertices(dots * 17);
        b.mesh.reserve_triangles(dots * 24);
        b
    }

    /// Level of detail for crowded views: lines up to two pixels wide become one quad a pixel
    /// wider than the line, its colour fainter by as much (the same ink, softer edges): 4
    /// vertices and 2 triangles instead of 8 and 6, for building and tessellating alike. Made
    /// for `segments` segments: reserves for that many quads (a fresh batch reserves for
    /// feathered lines, twice the memory, touched anew every frame).
    #[must_use]
    pub fn coarse(segments: usize, pixels_per_point: f32) -> Self {
        let mut b = LineBatch::new(0, pixels_per_point);
        b.mesh.reserve_vertices(segments * 4);
        b.mesh.reserve_triangles(segments * 2);
        b.soft_up_to = 2.0 * b.feather;
        b
    }

    fn vertex(&mut self, pos: Pos2, color: Color32) -> u32 {
        let i = u32::try_from(self.mesh.vertices.len()).unwrap_or(u32::MAX);
        self.mesh.vertices.push(Vertex { pos, uv: WHITE_UV, color });
        i
    }

    /// A straight line from `a` to `b`, `width` points wide. Lines up to a pixel wide are one
    /// plain quad a pixel wide, proportionally fainter (4 vertices instead of 8: far-out views
    /// have tens of thousands of them).
    pub fn segment(&mut self, a: Pos2, b: Pos2, width: f32, color: Color32) {
        let d = b - a;
        let len = d.length();
        if len < 1e-3 || !len.is_finite() {
            return;
        }
        let n = Vec2::new(-d.y, d.x) / len;
        let f = self.feather;
        if width <= self.soft_up_to {
            // A hairline is a pixel wide and fainter; a coarse line a pixel wider than itself.
            let quad = if width <= f { f } else { width + f };
            let color = color.gamma_multiply(width / quad);
            let h = n * (quad * 0.5);
            let [p, q, r, s] = [a + h, a - h, b + h, b - h].map(|p| self.vertex(p, color));
            self.mesh.add_triangle(p, q, r);
            self.mesh.add_triangle(q, s, r);
            return;
        }
        let half = width * 0.5;
        let clear = Color32::TRANSPARENT;
        let row = |p: Pos2, this: &mut Self| {
            [
                this.vertex(p + n * (half + f), clear),
                this.vertex(p + n * half, color),
                this.vertex(p - n * half, color),
                this.vertex(p - n * (half + f), clear),
            ]
        };
        let s = row(a, self);
        let e = row(b, self);
        for k in 0..3 {
            self.mesh.add_triangle(s[k], s[k + 1], e[k]);
            self.mesh.add_triangle(s[k + 1], e[k + 1], e[k]);
        }
    }

    /// A quadratic Bézier `a`, `c`, `b` as [`CURVE_STEPS`] segments.
    pub fn curve(&mut self, a: Pos2, c: Pos2, b: Pos2, width: f32, color: Color32) {
        let mut prev = a;
        for i in 1..=CURVE_STEPS {
            #[allow(clippy::cast_precision_loss)]
            let q = quad_point(a, c, b, i as f32 / CURVE_STEPS as f32);
            self.segment(prev, q, width, color);
            prev = q;
        }
    }

    /// A filled anti-aliased dot (an octagon with a one-pixel feather): a node far out.
    pub fn dot(&mut self, c: Pos2, r: f32, color: Color32) {
        const SIDES: u32 = 8;
        // cos and sin of k·45°.
        const DIRS: [(f32, f32); 8] = [
            (1.0, 0.0),
            (std::f32::consts::FRAC_1_SQRT_2, std::f32::consts::FRAC_1_SQRT_2),
            (0.0, 1.0),
            (-std::f32::consts::FRAC_1_SQRT_2, std::f32::consts::FRAC_1_SQRT_2),
            (-1.0, 0.0),
            (-std::f32::consts::FRAC_1_SQRT_2, -std::f32::consts::FRAC_1_SQRT_2),
            (0.0, -1.0),
            (std::f32::consts::FRAC_1_SQRT_2, -std::f32::consts::FRAC_1_SQRT_2),
        ];
        let (inner, outer) = ((r - self.feather * 0.5).max(0.0), r + self.feather * 0.5);
        let centre = self.vertex(c, color);
        for (x, y) in DIRS {
            self.vertex(c + Vec2::new(x, y) * inner, color);
        }
        for (x, y) in DIRS {
            self.vertex(c + Vec2::new(x, y) * outer, Color32::TRANSPARENT);
        }
        for i in 0..SIDES {
            let j = (i + 1) % SIDES;
            let (a, b) = (centre + 1 + i, centre + 1 + j);
            self.mesh.add_triangle(centre, a, b);
            self.mesh.add_triangle(a, a + SIDES, b);
            self.mesh.add_triangle(b, a + SIDES, b + SIDES);
        }
    }

    /// A filled triangle (arrowheads).
    pub fn triangle(&mut self, [p, q, r]: [Pos2; 3], color: Color32) {
        let a = self.vertex(p, color);
        let b = self.vertex(q, color);
        let c = self.vertex(r, color);
        self.mesh.add_triangle(a, b, c);
    }

    /// Nothing was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.mesh.indices.is_empty()
    }

    /// The shape to paint.
    pub fn into_shape(self) -> Shape {
        Shape::mesh(self.mesh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_triangles_fill_one_mesh() {
        let mut b = LineBatch::new(4, 1.0);
        assert!(b.is_empty());
        b.segment(Pos2::ZERO, Pos2::new(10.0, 0.0), 2.0, Color32::RED);
        b.segment(Pos2::ZERO, Pos2::ZERO, 2.0, Color32::RED);
        b.triangle([Pos2::ZERO, Pos2::new(1.0, 0.0), Pos2::new(0.0, 1.0)], Color32::RED);
        let Shape::Mesh(m) = b.into_shape() else { panic!("a mesh") };
        assert_eq!((m.vertices.len(), m.indices.len()), (8 + 3, 18 + 3));
        assert!(m.is_valid());
        // The core spans the width; the feather adds one pixel each side.
        let ys: Vec<f32> = m.vertices.iter().take(4).map(|v| v.pos.y).collect();
        assert_eq!(ys, vec![2.0, 1.0, -1.0, -2.0]);
    }

    #[test]
    fn coarse_lines_and_dots() {
        let mut b = LineBatch::coarse(2, 1.0);
        b.segment(Pos2::ZERO, Pos2::new(10.0, 0.0), 1.5, Color32::WHITE);
        b.dot(Pos2::new(5.0, 5.0), 2.0, Color32::WHITE);
        let Shape::Mesh(m) = b.into_shape() else { panic!("a mesh") };
        assert_eq!((m.vertices.len(), m.indices.len()), (4 + 17, 6 + 72));
        assert!(m.is_valid());
        // 2.5 wide at 60 %: the same ink as 1.5 at full strength.
        assert!((m.vertices[0].pos.y - 1.25).abs() < 1e-6 && m.vertices[0].color.a() == 153);
    }

    #[test]
    fn hairlines_are_single_fainter_quads() {
        let mut b = LineBatch::new(1, 2.0);
        b.segment(Pos2::ZERO, Pos2::new(10.0, 0.0), 0.25, Color32::WHITE);
        let Shape::Mesh(m) = b.into_shape() else { panic!("a mesh") };
        assert_eq!((m.vertices.len(), m.indices.len()), (4, 6));
        assert!(m.vertices.iter().all(|v| v.pos.y.abs() <= 0.25 + 1e-6 && v.color.a() < 255));
    }
}
