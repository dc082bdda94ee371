//! The legend beside the graph: categories with their shapes, the other marks (seed ring, UTXO
//! transaction, "+N more" box, count badge, edge width), hop statuses and kinds, and the assets
//! on the graph with their edge colours. Entries carry ids (`legend-category-mixer`) so tools
//! can find them after the text is turned into paths.

use std::fmt::Write as _;

use super::scene::{Scene, hop_kinds, hop_style};
use super::svg::{LABEL_SIZE, OUTLINE, TEXT, n, rect, shape_d, text};
use crate::model::{Category, HopStatus};
use crate::scene::geometry::P;
use crate::style::{self, NodeShape, Rgb};

/// Width of the legend panel.
pub const WIDTH: f32 = 250.0;
/// Height of one entry.
const ROW: f32 = 19.0;
/// Height of a section heading.
const HEADING: f32 = 26.0;
/// Assets listed before "and N more".
const MAX_ASSETS: usize = 12;

fn asset_rows(scene: &Scene) -> usize {
    if scene.assets.len() > MAX_ASSETS { MAX_ASSETS + 1 } else { scene.assets.len().max(1) }
}

/// Width and height of the legend of `scene` (including its margin).
#[allow(clippy::cast_precision_loss)]
pub fn size(scene: &Scene) -> (f32, f32) {
    let rows = Category::ALL.len() + 5 + 3 + hop_kinds().len() + asset_rows(scene);
    (WIDTH + 20.0, 16.0 + 4.0 * HEADING + rows as f32 * ROW + 16.0)
}

fn shape(out: &mut String, sh: NodeShape, c: P, r: f32, fill: Rgb, stroke: f32) {
    let _ = write!(
        out,
        r#"<path d="{}" fill="{}" stroke="{OUTLINE}" stroke-width="{}"/>"#,
        shape_d(sh, c, r),
        fill.css(),
        n(stroke)
    );
}

fn heading(out: &mut String, y: &mut f32, title: &str) {
    *y += HEADING;
    text(out, P::new(16.0, *y - 8.0), 12.5, "start", "#333333", title);
}

fn row_text(out: &mut String, y: f32, content: &str) {
    text(out, P::new(44.0, y + LABEL_SIZE * 0.36), LABEL_SIZE, "start", TEXT, content);
}

fn line_sample(out: &mut String, y: f32, color: &str, width: f32, extra: &str) {
    let _ = write!(
        out,
        r#"<path d="M14 {y} L36 {y}" fill="none" stroke="{color}" stroke-width="{}" stroke-linecap="round"{extra}/>"#,
        n(width),
        y = n(y)
    );
}

/// Writes the legend at the origin (the caller translates it).
pub fn draw(out: &mut String, scene: &Scene) {
    let (_, h) = size(scene);
    rect(out, (4.0, 8.0, WIDTH, h - 16.0), 6.0, "#fafafa", Some(("#cccccc", 1.0)));
    let mut y = 8.0;
    heading(out, &mut y, "Categories (shape and colour)");
    for c in Category::ALL {
        y += ROW;
        let cy = y - ROW / 2.0;
        let _ = write!(out, r#"<g id="legend-category-{}" class="legend-category">"#, c.name());
        let stroke = if c == Category::Sanctioned { 2.0 } else { 0.8 };
        shape(out, style::category_shape(c), P::new(25.0, cy), 6.5, style::category_rgb(c), stroke);
        row_text(out, cy, &c.name().replace('_', " "));
        out.push_str("</g>");
    }
    heading(out, &mut y, "Marks");
    let marks: [(&str, &str); 5] = [
        ("seed", "seed (where the trace starts)"),
        ("tx", "UTXO transaction"),
        ("aggregate", "+N more: folded transfers"),
        ("count", "×N: transfers on one edge"),
        ("width", "edge width: value (log scale)"),
    ];
    for (id, label) in marks {
        y += ROW;
        let cy = y - ROW / 2.0;
        let _ = write!(out, r#"<g id="legend-mark-{id}" class="legend-mark">"#);
        match id {
            "seed" => {
                shape(out, NodeShape::Circle, P::new(25.0, cy), 5.0, style::category_rgb(Category::Unknown), 0.8);
                let _ = write!(
                    out,
                    r#"<circle cx="25" cy="{}" r="8" fill="none" stroke="{}" stroke-width="2.2"/>"#,
                    n(cy),
                    style::SEED_RGB.css()
                );
            }
            "tx" => rect(out, (20.0, cy - 5.0, 10.0, 10.0), 1.0, &style::TX_RGB.css(), Some((OUTLINE, 0.7))),
            "aggregate" => {
                let _ = write!(
                    out,
                    r##"<rect x="12" y="{}" width="26" height="12" rx="4" fill="#ffffff" stroke="#444444" stroke-width="1.2" stroke-dasharray="3 2"/>"##,
                    n(cy - 6.0)
                );
            }
            "count" => {
                rect(out, (13.0, cy - 6.5, 24.0, 13.0), 3.0, "#ffffff", Some(("#9a9a9a", 0.6)));
                text(out, P::new(25.0, cy + 3.2), 9.0, "middle", TEXT, "×3");
            }
            _ => {
                for (i, w) in [1.0f32, 3.0, 6.0].into_iter().enumerate() {
                    #[allow(clippy::cast_precision_loss)]
                    let x = 12.0 + 9.0 * i as f32;
                    let _ = write!(
                        out,
                        r#"<path d="M{x} {} L{x} {}" stroke="{}" stroke-width="{}"/>"#,
                        n(cy - 6.0),
                        n(cy + 6.0),
                        style::NATIVE_RGB.css(),
                        n(w),
                        x = n(x)
                    );
                }
            }
        }
        row_text(out, cy, label);
        out.push_str("</g>");
    }
    heading(out, &mut y, "Hops (inbound → outbound)");
    for (status, label) in [
        (HopStatus::Accepted, "accepted"),
        (HopStatus::Suggested, "suggested (dashed)"),
        (HopStatus::Rejected, "rejected (faint)"),
    ] {
        y += ROW;
        let cy = y - ROW / 2.0;
        let (opacity, width, dashed) = hop_style(status);
        let _ = write!(out, r#"<g id="legend-hop-{}" class="legend-hop">"#, label.split(' ').next().unwrap_or(label));
        let dash = if dashed { r#" stroke-dasharray="5 3""# } else { "" };
        line_sample(out, cy, "#555555", width, &format!(r#" stroke-opacity="{}"{dash}"#, n(opacity)));
        row_text(out, cy, label);
        out.push_str("</g>");
    }
    for kind in hop_kinds() {
        y += ROW;
        let cy = y - ROW / 2.0;
        let _ = write!(out, r#"<g id="legend-hop-kind-{}" class="legend-hop-kind">"#, kind.name());
        line_sample(out, cy, &style::hop_rgb(&kind).css(), 3.0, "");
        row_text(out, cy, &kind.name().replace('_', " "));
        out.push_str("</g>");
    }
    heading(out, &mut y, "Assets (edge colour)");
    if scene.assets.is_empty() {
        y += ROW;
        row_text(out, y - ROW / 2.0, "no transfers on the graph");
    }
    for (symbol, color) in scene.assets.iter().take(MAX_ASSETS) {
        y += ROW;
        let cy = y - ROW / 2.0;
        out.push_str(r#"<g class="legend-asset">"#);
        line_sample(out, cy, &color.css(), 3.5, "");
        let native = [style::NATIVE_RGB, style::BTC_RGB, style::ETH_RGB].contains(color);
        row_text(out, cy, &if native { format!("{symbol} (native)") } else { symbol.clone() });
        out.push_str("</g>");
    }
    if scene.assets.len() > MAX_ASSETS {
        y += ROW;
        row_text(out, y - ROW / 2.0, &format!("and {} more", scene.assets.len() - MAX_ASSETS));
    }
}
