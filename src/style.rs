//! How the graph looks, headless: colour and shape per category, colour per asset and hop kind,
//! value → size scaling. The window's canvas and the evidence package's SVG/PNG/PDF renderings
//! both draw from here, so a reviewer sees the same marks the investigator saw.
//!
//! Category colours are Paul Tol's "muted" qualitative scheme (distinct under the common forms
//! of colour blindness) and every category also has its own shape, so nothing depends on colour
//! alone. Asset colours come from Tol's "bright" scheme, picked by a stable hash of the symbol
//! (the same asset has the same colour in every session); BTC and ETH have muted colours of
//! their own, other native assets are grey.

use crate::model::{Category, HopKind};

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// From `0xRRGGBB`.
    #[must_use]
    pub const fn hex(v: u32) -> Self {
        Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }

    /// `#rrggbb`, for SVG and HTML.
    #[must_use]
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
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
pub fn category_rgb(c: Category) -> Rgb {
    match c {
        Category::Victim => Rgb::hex(0x117733),
        Category::Actor => Rgb::hex(0xCC6677),
        Category::Mixer => Rgb::hex(0xAA4499),
        Category::Bridge => Rgb::hex(0x88CCEE),
        Category::Exchange => Rgb::hex(0x332288),
        Category::OtcBroker => Rgb::hex(0xDDCC77),
        Category::Sanctioned => Rgb::hex(0x882255),
        Category::Dex => Rgb::hex(0x44AA99),
        Category::Service => Rgb::hex(0x999933),
        Category::Unknown => Rgb::hex(0xA0A0A0),
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
pub const TX_RGB: Rgb = Rgb::hex(0x7F7F7F);
/// Colour of native-asset edges.
pub const NATIVE_RGB: Rgb = Rgb::hex(0x8C8C8C);
/// Colour of the ring around seeds.
pub const SEED_RGB: Rgb = Rgb::hex(0xDDAA33);
/// Bitcoin's edges: a muted tan, told apart from Ether's and from every hop colour.
pub const BTC_RGB: Rgb = Rgb::hex(0xC9A66B);
/// Ether's edges: a greyed lavender.
pub const ETH_RGB: Rgb = Rgb::hex(0x9A9AD0);
/// Token palette (Tol "bright" and "muted"): grey left out (it means another native asset),
/// cyan and purple left out (the bridge and mixer hops' colours), yellow left out (the seed ring).
const ASSET_PALETTE: [Rgb; 4] = [Rgb::hex(0x4477AA), Rgb::hex(0x228833), Rgb::hex(0xEE6677), Rgb::hex(0x999933)];

/// FNV-1a, 64 bit: a hash that is the same in every build and session (std's is seeded).
#[must_use]
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Colour of an asset's edges: BTC and ETH each their own muted colour, other native assets
/// grey, tokens picked from the palette by the symbol (case-insensitive), so USDT is one colour
/// on every chain.
#[must_use]
pub fn asset_rgb(symbol: &str, native: bool) -> Rgb {
    if native {
        return match symbol.to_ascii_uppercase().as_str() {
            "BTC" => BTC_RGB,
            "ETH" => ETH_RGB,
            _ => NATIVE_RGB,
        };
    }
    let h = stable_hash(&symbol.to_ascii_uppercase());
    let i = usize::try_from(h % ASSET_PALETTE.len() as u64).unwrap_or(0);
    ASSET_PALETTE.get(i).copied().unwrap_or(NATIVE_RGB)
}

/// Colour of a hop mark by kind.
#[must_use]
pub fn hop_rgb(kind: &HopKind) -> Rgb {
    match kind {
        HopKind::Mixer { .. } => Rgb::hex(0xAA4499),
        HopKind::Bridge { .. } => Rgb::hex(0x33BBEE),
        HopKind::Swap { .. } => Rgb::hex(0x009988),
        HopKind::CashOut { .. } => Rgb::hex(0xEE7733),
        HopKind::PeelChain => Rgb::hex(0xEE3377),
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

/// Fan lines of a hop side with more edges than this fade, in proportion.
pub const FAN_FULL: usize = 6;

/// Opacity of the fan lines of a hop side of `n` edges (the window's and the report's): 1 up to
/// [`FAN_FULL`], then `FAN_FULL / n`, at least 0.15 so every side stays visible. A CoinJoin
/// hop's hundred outputs would otherwise draw a star over its edges.
#[must_use]
pub fn fan_fade(n: usize) -> f32 {
    #[allow(clippy::cast_precision_loss)]
    let fade = FAN_FULL as f32 / n.max(1) as f32;
    fade.clamp(0.15, 1.0)
}

/// Width (at zoom 1) of an edge by its value (display units).
#[must_use]
pub fn edge_width(value: f64) -> f32 {
    log_scale(value, 1.0, 7.0, 7.0)
}

/// Corner points of a polygonal shape of "radius" `r` around `c`, clockwise on screen (y down),
/// appended to `out` (cleared first). Circles and pills give none (drawn as such by the caller).
/// Every point is within `r` of `c`; all but the star are convex.
pub fn shape_points(shape: NodeShape, c: (f32, f32), r: f32, out: &mut Vec<(f32, f32)>) {
    use std::f32::consts::{FRAC_PI_2, FRAC_PI_4, PI, TAU};
    out.clear();
    let mut regular = |n: usize, start: f32, radius: f32| {
        for i in 0..n {
            #[allow(clippy::cast_precision_loss)]
            let a = start + TAU * i as f32 / n as f32;
            out.push((c.0 + radius * a.cos(), c.1 + radius * a.sin()));
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
                out.push((c.0 + radius * a.cos(), c.1 + radius * a.sin()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn many_edged_hop_sides_fade_their_fans() {
        assert!((fan_fade(1) - 1.0).abs() < f32::EPSILON && (fan_fade(FAN_FULL) - 1.0).abs() < f32::EPSILON);
        assert!(fan_fade(12) < fan_fade(7) && fan_fade(7) < 1.0);
        assert!((fan_fade(10_000) - 0.15).abs() < f32::EPSILON, "never invisible");
    }

    #[test]
    fn every_category_has_its_own_colour_and_shape() {
        let colours: HashSet<Rgb> = Category::ALL.iter().map(|&c| category_rgb(c)).collect();
        let shapes: HashSet<NodeShape> = Category::ALL.iter().map(|&c| category_shape(c)).collect();
        assert_eq!(colours.len(), Category::ALL.len());
        assert_eq!(shapes.len(), Category::ALL.len());
        assert_eq!(category_shape(Category::Mixer), NodeShape::Hexagon);
        assert_eq!(category_shape(Category::Unknown), NodeShape::Circle);
        assert_eq!(category_rgb(Category::Mixer).css(), "#aa4499");
    }

    #[test]
    fn asset_colours_are_stable_and_native_is_neutral() {
        assert_eq!(asset_rgb("ETH", true), ETH_RGB);
        assert_eq!(asset_rgb("BTC", true), BTC_RGB);
        assert_eq!(asset_rgb("TRX", true), NATIVE_RGB);
        assert_ne!(BTC_RGB, ETH_RGB);
        // No token is drawn in a hop's colour (USDC was the bridge hop's cyan).
        for t in ["USDC", "USDT", "DAI", "WETH", "WBTC", "BUSD", "TUSD", "FRAX", "LINK", "UNI"] {
            let c = asset_rgb(t, false);
            for kind in [
                HopKind::Mixer { service: String::new(), pool: None },
                HopKind::Bridge { bridge: String::new(), from_chain: String::new(), to_chain: String::new() },
                HopKind::Swap { venue: String::new() },
                HopKind::CashOut { venue: String::new() },
                HopKind::PeelChain,
            ] {
                assert_ne!(c, hop_rgb(&kind), "{t}");
            }
            assert_ne!(c, SEED_RGB, "{t}");
        }
        assert_eq!(asset_rgb("USDT", false), asset_rgb("usdt", false));
        assert_ne!(asset_rgb("USDT", false), NATIVE_RGB);
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
    fn shapes_fit_their_radius() {
        let mut pts = Vec::new();
        let c = (10.0_f32, -4.0_f32);
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
            assert!(pts.iter().all(|p| (p.0 - c.0).hypot(p.1 - c.1) <= 8.0 + 1e-3));
        }
        // The triangle for actors points up (smaller y on screen).
        shape_points(NodeShape::TriangleUp, c, 8.0, &mut pts);
        assert!(pts.first().is_some_and(|p| p.1 < c.1));
    }
}
