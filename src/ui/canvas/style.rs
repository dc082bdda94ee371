//! How the canvas looks: colour and shape per category, colour per asset, value → size scaling,
//! zoom thresholds for labels and dots, and the theme-dependent colours.
//!
//! Category colours are Paul Tol's "muted" qualitative scheme (distinct under the common forms
//! of colour blindness) and every category also has its own shape, so nothing depends on colour
//! alone. Asset colours come from Tol's "bright" scheme, picked by a stable hash of the symbol
//! (the same asset has the same colour in every session); BTC and ETH have muted colours of
//! their own, other native assets are grey.

use egui::{Color32, Pos2, Visuals};

use crate::model::{Category, HopKind};
use crate::style::{self, Rgb};

/// Smallest zoom (screen points per world unit).
pub const MIN_ZOOM: f32 = 0.02;
/// Largest zoom.
pub const MAX_ZOOM: f32 = 8.0;
/// Largest zoom "fit to view" picks (a two-node graph is not blown up to fill the screen).
pub const MAX_FIT_ZOOM: f32 = 1.5;
/// Below this screen radius (points) a node is drawn as a dot.
pub const DOT_RADIUS: f32 = 3.5;
/// Labels start to fade in at this zoom…
pub const LABEL_ZOOM_MIN: f32 = 0.45;
/// …and are fully opaque from this one.
pub const LABEL_ZOOM_FULL: f32 = 0.75;
/// Chain badges, pins and count badges fade in over this zoom range.
pub const BADGE_ZOOM: (f32, f32) = (0.7, 0.95);
/// With more nodes than this on screen only selected, hovered and seed nodes get labels.
pub const MAX_LABELS: usize = 600;
/// With more nodes than this on screen, only the hovered, selected, dragged and menu nodes are
/// widgets of their own (the rest are hit-tested through the R-tree).
pub const MAX_NODE_WIDGETS: usize = 1000;
/// With more edges than this on screen, thin edges are drawn coarser (one quad each).
pub const COARSE_EDGES: usize = 3000;
pub use crate::scene::measure::{HUB_DEGREE, LEAF_FADE, LOD_EDGES};
/// Least screen radius of a hub ([`HUB_DEGREE`] edges or more), in points: far out it stays a
/// shape with an outline instead of shrinking to a dot.
pub const HUB_RADIUS: f32 = 5.0;
pub use crate::scene::measure::{ARROW_ZOOM, MAX_EDGE_BADGES};
/// Label font size (screen points, not scaled with zoom so it stays readable).
pub const LABEL_SIZE: f32 = 12.0;
/// Badge font size.
pub const BADGE_SIZE: f32 = 10.0;

pub use crate::style::{NodeShape, category_shape, edge_width};

/// An [`Rgb`] as an egui colour.
#[must_use]
pub const fn color(c: Rgb) -> Color32 {
    Color32::from_rgb(c.0, c.1, c.2)
}

/// The fill colour of a category.
#[must_use]
pub fn category_color(c: Category) -> Color32 {
    color(style::category_rgb(c))
}

/// Colour of a UTXO transaction node.
pub const TX_COLOR: Color32 = color(style::TX_RGB);

/// Colour of an asset's edges (see [`style::asset_rgb`]).
#[must_use]
pub fn asset_color(symbol: &str, native: bool) -> Color32 {
    color(style::asset_rgb(symbol, native))
}

/// Colour of a hop mark by kind.
#[must_use]
pub fn hop_color(kind: &HopKind) -> Color32 {
    color(style::hop_rgb(kind))
}

/// 0 below `lo`, 1 above `hi`, smooth in between.
#[must_use]
pub fn fade(x: f32, lo: f32, hi: f32) -> f32 {
    if hi <= lo {
        return if x >= hi { 1.0 } else { 0.0 };
    }
    let t = ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Label opacity at a zoom.
#[must_use]
pub fn label_alpha(zoom: f32) -> f32 {
    fade(zoom, LABEL_ZOOM_MIN, LABEL_ZOOM_FULL)
}

/// Corner points of a polygonal shape of "radius" `r` around `c` (see [`style::shape_points`]),
/// appended to `out` (cleared first).
pub fn shape_points(shape: NodeShape, c: Pos2, r: f32, out: &mut Vec<Pos2>) {
    let mut pts = Vec::with_capacity(10);
    style::shape_points(shape, (c.x, c.y), r, &mut pts);
    out.clear();
    out.extend(pts.into_iter().map(|(x, y)| Pos2::new(x, y)));
}

/// Colours that depend on the light or dark theme.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Label text.
    pub text: Color32,
    /// Behind labels and badges.
    pub text_bg: Color32,
    /// Thin outline around every node.
    pub outline: Color32,
    /// Selected nodes and edges.
    pub selection: Color32,
    /// Hovered nodes and edges.
    pub hover: Color32,
    /// The ring around seeds.
    pub seed: Color32,
    /// Box-select fill.
    pub box_fill: Color32,
    /// Halo under hop marks so they stand out from edges.
    pub halo: Color32,
}

impl Theme {
    /// The colours for `visuals`.
    #[must_use]
    pub fn from_visuals(v: &Visuals) -> Self {
        let dark = v.dark_mode;
        Theme {
            text: v.strong_text_color(),
            text_bg: v.extreme_bg_color.gamma_multiply(0.85),
            outline: if dark { Color32::from_gray(235) } else { Color32::from_gray(30) },
            selection: v.selection.stroke.color,
            hover: v.widgets.hovered.fg_stroke.color,
            seed: color(style::SEED_RGB),
            box_fill: v.selection.bg_fill.gamma_multiply(0.25),
            halo: v.panel_fill.gamma_multiply(0.9),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fade_with_zoom() {
        assert!(label_alpha(0.1) < f32::EPSILON);
        assert!((label_alpha(1.0) - 1.0).abs() < f32::EPSILON);
        let a = label_alpha(0.6);
        assert!(a > 0.0 && a < 1.0);
        assert!(fade(0.5, 1.0, 1.0) < f32::EPSILON);
    }

    #[test]
    fn egui_shapes_match_the_headless_ones() {
        let mut pts = Vec::new();
        shape_points(NodeShape::TriangleUp, Pos2::new(10.0, -4.0), 8.0, &mut pts);
        assert_eq!(pts.len(), 3);
        assert!(pts.first().is_some_and(|p| p.y < -4.0));
        assert_eq!(category_color(Category::Mixer), Color32::from_rgb(0xAA, 0x44, 0x99));
    }
}
