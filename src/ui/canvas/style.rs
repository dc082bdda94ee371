//! How the canvas looks: colour and shape per category, colour per asset, value → size scaling,
//! zoom thresholds for labels and dots, and the theme-dependent colours.
//!
//! Category colours are Paul Tol's "muted" qualitative scheme (distinct under the common forms
//! of colour blindness) and every category also has its own shape, so nothing depends on colour
//! alone. Asset colours come from Tol's "bright" scheme, picked by a stable hash of the symbol
//! (the same asset has the same colour in every session); native assets are a neutral grey.

use egui::{Color32, Pos2, Visuals, vec2};

use crate::model::{Category, HopKind};

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
/// With more edges than this on screen, count badges are not drawn.
pub const MAX_EDGE_BADGES: usize = 1500;
/// Arrowheads are left out below this zoom (they would be sub-pixel smudges).
pub const ARROW_ZOOM: f32 = 0.2;
/// World radius of a UTXO transaction node (a small square).
pub const TX_RADIUS: f32 = 6.0;
/// World half-size of an aggregate "+N more" box.
pub const AGGREGATE_HALF: egui::Vec2 = vec2(44.0, 14.0);
/// Label font size (screen points, not scaled with zoom so it stays readable).
pub const LABEL_SIZE: f32 = 12.0;
/// Badge font size.
pub const BADGE_SIZE: f32 = 10.0;

const fn hex(v: u32) -> Color32 {
    Color32::from_rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// A node's outline shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeShape {
    /// Unknown addresses.
    Circle,
    /// Exchanges.
    Square,
    /// Bridges.
    Diamond,
    /// Actors (thief, launderer).
    TriangleUp,
    /// OTC brokers.
    TriangleDown,
    /// Victims.
    Pentagon,
    /// Mixers.
    Hexagon,
    /// Sanctioned (stop sign).
    Octagon,
    /// DEXes and swap routers.
    Pill,
    /// Other services.
    Star,
}

/// The fill colour of a category.
#[must_use]
pub fn category_color(c: Category) -> Color32 {
    match c {
        Category::Victim => hex(0x117733),
        Category::Actor => hex(0xCC6677),
        Category::Mixer => hex(0xAA4499),
        Category::Bridge => hex(0x88CCEE),
        Category::Exchange => hex(0x332288),
        Category::OtcBroker => hex(0xDDCC77),
        Category::Sanctioned => hex(0x882255),
        Category::Dex => hex(0x44AA99),
        Category::Service => hex(0x999933),
        Category::Unknown => hex(0xA0A0A0),
    }
}

/// The shape of a category (one per category).
#[must_use]
pub fn category_shape(c: Category) -> NodeShape {
    match c {
        Category::Victim => NodeShape::Pentagon,
        Category::Actor => NodeShape::TriangleUp,
        Category::Mixer => NodeShape::Hexagon,
        Category::Bridge => NodeShape::Diamond,
        Category::Exchange => NodeShape::Square,
        Category::OtcBroker => NodeShape::TriangleDown,
        Category::Sanctioned => NodeShape::Octagon,
        Category::Dex => NodeShape::Pill,
        Category::Service => NodeShape::Star,
        Category::Unknown => NodeShape::Circle,
    }
}

/// Colour of a UTXO transaction node.
pub const TX_COLOR: Color32 = hex(0x7F7F7F);
/// Colour of native-asset edges.
pub const NATIVE_COLOR: Color32 = hex(0x8C8C8C);
/// Token palette (Tol "bright", grey left out: grey means native).
const ASSET_PALETTE: [Color32; 6] =
    [hex(0x4477AA), hex(0xEE6677), hex(0x228833), hex(0xCCBB44), hex(0x66CCEE), hex(0xAA3377)];

/// FNV-1a, 64 bit: a hash that is the same in every build and session (std's is seeded).
#[must_use]
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Colour of an asset's edges: neutral for a chain's native asset, else picked from the palette
/// by the symbol (case-insensitive), so USDT is one colour on every chain.
#[must_use]
pub fn asset_color(symbol: &str, native: bool) -> Color32 {
    if native {
        return NATIVE_COLOR;
    }
    let h = stable_hash(&symbol.to_ascii_uppercase());
    let i = usize::try_from(h % ASSET_PALETTE.len() as u64).unwrap_or(0);
    ASSET_PALETTE.get(i).copied().unwrap_or(NATIVE_COLOR)
}

/// Colour of a hop mark by kind.
#[must_use]
pub fn hop_color(kind: &HopKind) -> Color32 {
    match kind {
        HopKind::Mixer { .. } => hex(0xAA4499),
        HopKind::Bridge { .. } => hex(0x33BBEE),
        HopKind::Swap { .. } => hex(0x009988),
        HopKind::CashOut { .. } => hex(0xEE7733),
        HopKind::PeelChain => hex(0xEE3377),
    }
}

/// Maps a value ≥ 0 to `[lo, hi]` on a log scale: `lo` at 0, `hi` from `10^decades − 1` up.
/// Non-finite and negative values give `lo`.
#[must_use]
pub fn log_scale(value: f64, lo: f32, hi: f32, decades: f32) -> f32 {
    if !value.is_finite() || value <= 0.0 || decades <= 0.0 {
        return lo;
    }
    #[allow(clippy::cast_possible_truncation)]
    let t = ((1.0 + value).log10() as f32 / decades).clamp(0.0, 1.0);
    lo + (hi - lo) * t
}

/// World radius of an address node by the value through it (display units).
#[must_use]
pub fn node_radius(value: f64) -> f32 {
    log_scale(value, 9.0, 26.0, 7.0)
}

/// Screen width (points, at zoom 1) of an edge by its value (display units).
#[must_use]
pub fn edge_width(value: f64) -> f32 {
    log_scale(value, 1.0, 7.0, 7.0)
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

/// Corner points of a polygonal shape of "radius" `r` around `c`, clockwise on screen (y down),
/// appended to `out` (cleared first). Circles and pills are drawn by egui itself and give none.
/// Every point is within `r` of `c`; all but the star are convex.
pub fn shape_points(shape: NodeShape, c: Pos2, r: f32, out: &mut Vec<Pos2>) {
    use std::f32::consts::{FRAC_PI_2, FRAC_PI_4, PI, TAU};
    out.clear();
    let mut regular = |n: usize, start: f32, radius: f32| {
        for i in 0..n {
            #[allow(clippy::cast_precision_loss)]
            let a = start + TAU * i as f32 / n as f32;
            out.push(c + radius * vec2(a.cos(), a.sin()));
        }
    };
    match shape {
        NodeShape::Circle | NodeShape::Pill => {}
        NodeShape::Square => regular(4, FRAC_PI_4, r),
        NodeShape::Diamond => regular(4, -FRAC_PI_2, r),
        NodeShape::TriangleUp => regular(3, -FRAC_PI_2, r),
        NodeShape::TriangleDown => regular(3, FRAC_PI_2, r),
        NodeShape::Pentagon => regular(5, -FRAC_PI_2, r),
        NodeShape::Hexagon => regular(6, 0.0, r),
        NodeShape::Octagon => regular(8, PI / 8.0, r),
        NodeShape::Star => {
            for i in 0..10 {
                #[allow(clippy::cast_precision_loss)]
                let a = -FRAC_PI_2 + TAU * i as f32 / 10.0;
                let radius = if i % 2 == 0 { r } else { r * 0.48 };
                out.push(c + radius * vec2(a.cos(), a.sin()));
            }
        }
    }
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
            seed: hex(0xDDAA33),
            box_fill: v.selection.bg_fill.gamma_multiply(0.25),
            halo: v.panel_fill.gamma_multiply(0.9),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_category_has_its_own_colour_and_shape() {
        let colours: HashSet<Color32> = Category::ALL.iter().map(|&c| category_color(c)).collect();
        let shapes: HashSet<NodeShape> = Category::ALL.iter().map(|&c| category_shape(c)).collect();
        assert_eq!(colours.len(), Category::ALL.len());
        assert_eq!(shapes.len(), Category::ALL.len());
        assert_eq!(category_shape(Category::Mixer), NodeShape::Hexagon);
        assert_eq!(category_shape(Category::Unknown), NodeShape::Circle);
    }

    #[test]
    fn asset_colours_are_stable_and_native_is_neutral() {
        assert_eq!(asset_color("ETH", true), NATIVE_COLOR);
        assert_eq!(asset_color("USDT", false), asset_color("usdt", false));
        assert_ne!(asset_color("USDT", false), NATIVE_COLOR);
        // FNV-1a reference value: the hash must not change between builds.
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn log_scale_is_monotonic_and_clamped() {
        assert!((log_scale(0.0, 2.0, 10.0, 4.0) - 2.0).abs() < 1e-6);
        assert!((log_scale(-5.0, 2.0, 10.0, 4.0) - 2.0).abs() < 1e-6);
        assert!((log_scale(f64::NAN, 2.0, 10.0, 4.0) - 2.0).abs() < 1e-6);
        assert!((log_scale(1e12, 2.0, 10.0, 4.0) - 10.0).abs() < 1e-6);
        let mid = log_scale(99.0, 2.0, 10.0, 4.0);
        assert!((mid - 6.0).abs() < 1e-4, "{mid}");
        let mut last = 0.0;
        for v in [0.0, 0.5, 1.0, 10.0, 1e3, 1e6, 1e9] {
            let w = edge_width(v);
            assert!(w >= last && (1.0..=7.0).contains(&w));
            last = w;
            assert!((9.0..=26.0).contains(&node_radius(v)));
        }
    }

    #[test]
    fn labels_fade_with_zoom() {
        assert!(label_alpha(0.1) < f32::EPSILON);
        assert!((label_alpha(1.0) - 1.0).abs() < f32::EPSILON);
        let a = label_alpha(0.6);
        assert!(a > 0.0 && a < 1.0);
        assert!(fade(0.5, 1.0, 1.0) < f32::EPSILON);
    }

    #[test]
    fn shapes_fit_their_radius() {
        let mut pts = Vec::new();
        let c = Pos2::new(10.0, -4.0);
        for cat in Category::ALL {
            let shape = category_shape(cat);
            shape_points(shape, c, 8.0, &mut pts);
            let expected = match shape {
                NodeShape::Circle | NodeShape::Pill => 0,
                NodeShape::TriangleUp | NodeShape::TriangleDown => 3,
                NodeShape::Square | NodeShape::Diamond => 4,
                NodeShape::Pentagon => 5,
                NodeShape::Hexagon => 6,
                NodeShape::Octagon => 8,
                NodeShape::Star => 10,
            };
            assert_eq!(pts.len(), expected, "{shape:?}");
            assert!(pts.iter().all(|p| p.distance(c) <= 8.0 + 1e-3));
        }
        // The triangle for actors points up (smaller y on screen).
        shape_points(NodeShape::TriangleUp, c, 8.0, &mut pts);
        assert!(pts.first().is_some_and(|p| p.y < c.y));
    }
}
