//! A plot item for many points: all of them in one mesh (an octagon with a one-pixel
//! anti-aliasing feather each, or a 16-sided ring), points outside the plot skipped, and a point
//! drawn only once per screen pixel (a second dot on the same pixel looks the same), or per 2 x 2
//! pixels in a series of thousands. egui_plot's `Points` makes a shape per point, which costs
//! milliseconds to tessellate at 20,000 points.

use std::ops::RangeInclusive;

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, Pos2, Shape, Ui, vec2};
use egui_plot::{PlotBounds, PlotGeometry, PlotItem, PlotItemBase, PlotPoint, PlotTransform};

/// Corners of a dot.
const SIDES: u32 = 8;
/// Over this many points a series is dense (see [`Dots`]'s drawing).
const DENSE: usize = 2000;
/// Corners of a ring (larger: an octagon would show).
const RING_SIDES: u32 = 16;

/// Points of one series, borrowed from a cache that outlives the frame.
pub struct Dots<'a> {
    base: PlotItemBase,
    points: &'a [PlotPoint],
    bounds: PlotBounds,
    color: Color32,
    radius: f32,
    filled: bool,
}

impl<'a> Dots<'a> {
    /// Filled dots of `radius` points named `name` (the legend entry) at `points`, whose
    /// bounds are `bounds`.
    #[must_use]
    pub fn new(name: impl Into<String>, points: &'a [PlotPoint], bounds: PlotBounds, color: Color32) -> Self {
        Dots { base: PlotItemBase::new(name.into()), points, bounds, color, radius: 3.0, filled: true }
    }

    /// Radius in screen points.
    #[must_use]
    pub fn radius(mut self, radius: f32) -> Self {
        self.radius = radius;
        self
    }

    /// Rings instead of filled dots.
    #[must_use]
    pub fn ring(mut self) -> Self {
        self.filled = false;
        self
    }
}

/// Bounds of `points` (for [`Dots::new`]), O(n).
#[must_use]
pub fn bounds_of(points: &[PlotPoint]) -> PlotBounds {
    let mut b = PlotBounds::NOTHING;
    for p in points {
        b.extend_with(p);
    }
    b
}

/// Vertex positions around `c` on a circle of radius `r` (unit directions precomputed).
fn ring_at(dirs: &[egui::Vec2], c: Pos2, r: f32) -> impl Iterator<Item = Pos2> + '_ {
    dirs.iter().map(move |d| c + *d * r)
}

/// Appends a filled, anti-aliased octagon.
fn dot(mesh: &mut Mesh, dirs: &[egui::Vec2], c: Pos2, r: f32, feather: f32, color: Color32) {
    let base = u32::try_from(mesh.vertices.len()).unwrap_or(u32::MAX);
    let v = |pos, color| Vertex { pos, uv: WHITE_UV, color };
    mesh.vertices.push(v(c, color));
    mesh.vertices.extend(ring_at(dirs, c, r - feather * 0.5).map(|p| v(p, color)));
    mesh.vertices.extend(ring_at(dirs, c, r + feather * 0.5).map(|p| v(p, Color32::TRANSPARENT)));
    for i in 0..SIDES {
        let j = (i + 1) % SIDES;
        let (a, b) = (base + 1 + i, base + 1 + j);
        let (oa, ob) = (a + SIDES, b + SIDES);
        mesh.indices.extend_from_slice(&[base, a, b, a, oa, b, b, oa, ob]);
    }
}

/// Appends an anti-aliased ring of width `w` (as egui strokes: the feather straddles each edge).
fn ring(mesh: &mut Mesh, dirs: &[egui::Vec2], c: Pos2, r: f32, w: f32, feather: f32, color: Color32) {
    let base = u32::try_from(mesh.vertices.len()).unwrap_or(u32::MAX);
    let sides = u32::try_from(dirs.len()).unwrap_or(0);
    let v = |pos, color| Vertex { pos, uv: WHITE_UV, color };
    let (h, f) = (w * 0.5, feather * 0.5);
    let radii = [r - h - f, r - h + f, r + h - f, r + h + f];
    for (k, rr) in radii.into_iter().enumerate() {
        let color = if k == 0 || k == 3 { Color32::TRANSPARENT } else { color };
        mesh.vertices.extend(ring_at(dirs, c, rr).map(|p| v(p, color)));
    }
    for band in 0..3 {
        for i in 0..sides {
            let j = (i + 1) % sides;
            let (a, b) = (base + band * sides + i, base + band * sides + j);
            let (oa, ob) = (a + sides, b + sides);
            mesh.indices.extend_from_slice(&[a, oa, b, b, oa, ob]);
        }
    }
}

impl PlotItem for Dots<'_> {
    fn shapes(&self, ui: &Ui, transform: &PlotTransform, shapes: &mut Vec<Shape>) {
        let frame = *transform.frame();
        let feather = 1.0 / ui.ctx().pixels_per_point().max(0.1);
        let sides = if self.filled { SIDES } else { RING_SIDES };
        #[allow(clippy::cast_precision_loss)]
        let dirs: Vec<egui::Vec2> = (0..sides)
            .map(|i| {
                let a = std::f32::consts::TAU * i as f32 / sides as f32;
                vec2(a.cos(), a.sin())
            })
            .collect();
        // One bit per cell of the plot: is there a dot in it already? A cell is a pixel, or in a
        // dense series two by two pixels (a dot 6 pixels wide drawn in the same 2-pixel cell as
        // another is covered by it but for a sliver; tessellating 20,000 dots takes 10 ms).
        let cell_size = if self.points.len() > DENSE { 2.0 } else { 1.0 };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let (w, h) = (
            (frame.width() / cell_size).ceil().max(1.0) as usize + 1,
            (frame.height() / cell_size).ceil().max(1.0) as usize + 1,
        );
        let mut seen = vec![0u64; (w * h).div_ceil(64)];
        let mut mesh = Mesh::default();
        let per = if self.filled { 1 + 2 * SIDES as usize } else { 4 * RING_SIDES as usize };
        mesh.reserve_vertices(self.points.len().min(w * h) * per);
        for p in self.points {
            let c = transform.position_from_point(p);
            if !frame.expand(self.radius).contains(c) {
                continue;
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let cell = {
                let (x, y) = (
                    ((c.x - frame.min.x) / cell_size).clamp(0.0, (w - 1) as f32),
                    ((c.y - frame.min.y) / cell_size).clamp(0.0, (h - 1) as f32),
                );
                y as usize * w + x as usize
            };
            let Some(word) = seen.get_mut(cell / 64) else { continue };
            let bit = 1u64 << (cell % 64);
            if *word & bit != 0 {
                continue;
            }
            *word |= bit;
            if self.filled {
                dot(&mut mesh, &dirs, c, self.radius, feather, self.color);
            } else {
                ring(&mut mesh, &dirs, c, self.radius, (self.radius / 5.0).max(1.0), feather, self.color);
            }
        }
        if !mesh.is_empty() {
            shapes.push(Shape::mesh(mesh));
        }
    }

    fn initialize(&mut self, _x_range: RangeInclusive<f64>) {}

    fn color(&self) -> Color32 {
        self.color
    }

    fn geometry(&self) -> PlotGeometry<'_> {
        PlotGeometry::Points(self.points)
    }

    fn bounds(&self) -> PlotBounds {
        self.bounds
    }

    fn base(&self) -> &PlotItemBase {
        &self.base
    }

    fn base_mut(&mut self) -> &mut PlotItemBase {
        &mut self.base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_and_rings_are_closed_meshes() {
        let dirs: Vec<egui::Vec2> = (0..SIDES).map(|_| vec2(1.0, 0.0)).collect();
        let mut m = Mesh::default();
        dot(&mut m, &dirs, Pos2::ZERO, 3.0, 1.0, Color32::RED);
        assert_eq!((m.vertices.len(), m.indices.len()), (17, 72));
        ring(&mut m, &dirs, Pos2::ZERO, 6.0, 1.2, 1.0, Color32::RED);
        assert_eq!((m.vertices.len(), m.indices.len()), (17 + 32, 72 + 144));
        assert!(m.is_valid());
        let b = bounds_of(&[PlotPoint::new(1.0, 2.0), PlotPoint::new(-1.0, 5.0)]);
        assert_eq!((b.min(), b.max()), ([-1.0, 2.0], [1.0, 5.0]));
    }
}
