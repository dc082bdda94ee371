//! The graph drawing as SVG text, written by hand from the [`Scene`]: every string from the
//! case or the ledger goes through [`super::escape`] (in [`text`]). Layers, bottom to top: edges
//! (merged by colour and width), count badges, hop arcs, nodes (merged by category), seed rings,
//! labels, hop labels; the title line above and the legend on the right. No group opacity
//! (each mark carries its own), so rendering needs no offscreen layers.

use std::fmt::Write as _;

use super::font::{FAMILY, text_width};
use super::scene::{self, Edge, HopMark, Node, NodeLook, Scene};
use super::svg::{
    BADGE_SIZE, Batch, LABEL_SIZE, OUTLINE, TEXT, circle_d, n, polygon_d, pt, rect, rect_d, shape_d, text,
};
use super::{ReportInput, legend};
use crate::graph::text::iso_time;
use crate::model::Category;
use crate::scene::geometry::{P, arrowhead, quad_point};
use crate::scene::measure::LEAF_FADE;
use crate::style;

/// Height of the title band.
pub const TITLE_H: f32 = 58.0;

/// Above this many edges they are drawn without anti-aliasing (`shape-rendering="crispEdges"`).
pub const CRISP_EDGES: usize = 2_000;

/// The graph SVG before its text is turned into paths: what [`super::GraphDrawing`] parses and flattens.
#[must_use]
pub fn graph_source(input: &ReportInput) -> String {
    let scene = scene::build(input);
    let (lw, lh) = legend::size(&scene);
    let title = format!("{} — {}", input.case.id, input.case.title);
    let title_w = text_width(&title, 16.0) + 40.0;
    let width = (scene.size.0 + lw).max(title_w).max(600.0).ceil();
    let height = (TITLE_H + scene.size.1.max(lh + 20.0)).ceil();
    let mut out = String::with_capacity(64 * 1024 + scene.nodes.len() * 120 + scene.edges.len() * 60);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FAMILY}">"#,
        w = n(width),
        h = n(height)
    );
    rect(&mut out, (0.0, 0.0, width, height), 0.0, "#ffffff", None);
    out.push_str(r#"<g id="title">"#);
    text(&mut out, P::new(20.0, 27.0), 16.0, "start", TEXT, &title);
    let sub = format!(
        "Exported {} · {} nodes, {} edges, {} hops · investigator {} · hoptrace {}",
        iso_time(input.exported_at),
        scene.nodes.len(),
        scene.edges.len(),
        scene.hops.len(),
        input.case.investigator,
        input.tool_version
    );
    text(&mut out, P::new(20.0, 46.0), 11.0, "start", "#555555", &sub);
    out.push_str("</g>");
    let _ = write!(out, r#"<g id="graph" transform="translate(0,{})">"#, n(TITLE_H));
    edges(&mut out, &scene);
    out.push_str(r#"<g id="hops" fill="none" stroke-linecap="round">"#);
    for h in &scene.hops {
        hop_arc(&mut out, h);
    }
    out.push_str("</g>");
    nodes(&mut out, &scene);
    out.push_str(r#"<g id="labels">"#);
    for node in &scene.nodes {
        label(&mut out, node);
    }
    for h in &scene.hops {
        hop_label(&mut out, h);
    }
    out.push_str("</g></g>");
    let _ = write!(out, r#"<g id="legend" transform="translate({},{})">"#, n(width - lw), n(TITLE_H));
    legend::draw(&mut out, &scene);
    out.push_str("</g></svg>");
    out
}

fn edges(out: &mut String, scene: &Scene) {
    let mut lines = Batch::default();
    let mut heads = Batch::default();
    // Level of detail: edges to leaves faded and first (under), the backbone at a sparse graph's
    // opacity over them.
    let (leaf_alpha, backbone_alpha) =
        if scene.lod { (n(scene.edge_alpha * LEAF_FADE), n(0.85)) } else { (n(scene.edge_alpha), n(scene.edge_alpha)) };
    let order: Vec<&Edge> = if scene.lod {
        scene.edges.iter().filter(|e| e.leaf).chain(scene.edges.iter().filter(|e| !e.leaf)).collect()
    } else {
        scene.edges.iter().collect()
    };
    for e in order {
        let alpha = if e.leaf { &leaf_alpha } else { &backbone_alpha };
        let color = e.color.css();
        let style = format!(r#"stroke="{color}" stroke-width="{}" stroke-opacity="{alpha}""#, n(e.width));
        if let Some((c, r)) = e.self_loop {
            lines.add(style, &circle_d(c, r));
            continue;
        }
        let d = match e.control {
            Some(c) => format!("M{}Q{} {}", pt(e.start), pt(c), pt(e.end)),
            None => format!("M{}L{}", pt(e.start), pt(e.end)),
        };
        lines.add(style, &d);
        if e.arrow > 0.0 {
            heads.add(
                format!(r#"fill="{color}" fill-opacity="{alpha}""#),
                &polygon_d(&arrowhead(e.tip, e.dir, e.arrow)),
            );
        }
    }
    // Thousands of thin lines look the same without anti-aliasing and rasterise three times
    // faster (1.1 s → 0.3 s for the PNG of 10,000 edges).
    let crisp = if scene.edges.len() > CRISP_EDGES { r#" shape-rendering="crispEdges""# } else { "" };
    let _ = write!(out, r#"<g id="edges" fill="none" stroke-linecap="round"{crisp}>"#);
    lines.write(out);
    out.push_str(r#"</g><g id="arrowheads">"#);
    heads.write(out);
    out.push_str("</g>");
    if scene.badges {
        out.push_str(r#"<g id="badges">"#);
        for e in scene.edges.iter().filter(|e| e.count > 1) {
            let d = e.tip.minus(e.start).unit();
            let at = e.mid.plus(P::new(d.y, -d.x), 9.0);
            badge(out, at, &format!("×{}", e.count), false);
        }
        out.push_str("</g>");
    }
}

/// A small framed text (count badges centred, chain badges from their left edge).
fn badge(out: &mut String, at: P, content: &str, from_left: bool) {
    let w = text_width(content, BADGE_SIZE) + 6.0;
    let h = BADGE_SIZE + 4.0;
    let x = if from_left { at.x } else { at.x - w / 2.0 };
    rect(out, (x, at.y - h / 2.0, w, h), 3.0, "#ffffff", Some(("#9a9a9a", 0.6)));
    text(out, P::new(x + w / 2.0, at.y + BADGE_SIZE * 0.36), BADGE_SIZE, "middle", TEXT, content);
}

fn hop_arc(out: &mut String, h: &HopMark) {
    let color = h.color.css();
    let op = n(h.opacity);
    let fan = n((h.width * 0.6).max(1.0));
    // Each side's fan fades with its number of edges (style::fan_fade), as in the window.
    for (ends, into) in [(&h.inbound, true), (&h.outbound, false)] {
        let mut d = String::new();
        for p in ends {
            let (a, b) = if into { (*p, h.arc.start) } else { (h.arc.end, *p) };
            let _ = write!(d, "M{}L{}", pt(a), pt(b));
        }
        if !d.is_empty() {
            let fade = n(h.opacity * style::fan_fade(ends.len()));
            let _ = write!(out, r#"<path d="{d}" stroke="{color}" stroke-width="{fan}" stroke-opacity="{fade}"/>"#);
        }
    }
    let arc = format!("M{}Q{} {}", pt(h.arc.start), pt(h.arc.control), pt(h.arc.end));
    let _ = write!(
        out,
        r##"<path d="{arc}" stroke="#ffffff" stroke-width="{}" stroke-opacity="{op}"/>"##,
        n(h.width + 3.0)
    );
    let dash = if h.dashed { r#" stroke-dasharray="7 5""# } else { "" };
    let _ =
        write!(out, r#"<path d="{arc}" stroke="{color}" stroke-width="{}" stroke-opacity="{op}"{dash}/>"#, n(h.width));
    let dot = |ends: &[P]| (h.width + 1.5) * style::fan_fade(ends.len()).sqrt();
    let mut dots: String = h
        .inbound
        .iter()
        .map(|p| circle_d(*p, dot(&h.inbound)))
        .chain(h.outbound.iter().map(|p| circle_d(*p, dot(&h.outbound))))
        .collect();
    let dir = h.arc.end.minus(h.arc.control).unit();
    if h.arc.start != h.arc.end && dir.len() > 0.5 {
        dots.push_str(&polygon_d(&arrowhead(h.arc.end, dir, 6.0 + h.width)));
    } else {
        // One side only: a dot on the loop marks the hop.
        dots.push_str(&circle_d(quad_point(h.arc.start, h.arc.control, h.arc.end, 0.5), 3.0));
    }
    let _ = write!(out, r#"<path d="{dots}" fill="{color}" fill-opacity="{op}"/>"#);
}

fn hop_label(out: &mut String, h: &HopMark) {
    let b = h.label_box;
    let op = n(h.opacity.max(0.5));
    let _ = write!(
        out,
        r##"<path d="{}" fill="#ffffff" fill-opacity="{op}" stroke="{}" stroke-width="1.2" stroke-opacity="{op}"/>"##,
        rect_d((b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0), 4.0),
        h.color.css()
    );
    let cy = (b.y0 + b.y1) / 2.0 + LABEL_SIZE * 0.36;
    text(out, P::new((b.x0 + b.x1) / 2.0, cy), LABEL_SIZE, "middle", TEXT, &h.label);
}

fn nodes(out: &mut String, scene: &Scene) {
    let mut shapes = Batch::default();
    let mut rings = Batch::default();
    let seed = style::SEED_RGB.css();
    let mut aggregate_text = String::new();
    for node in &scene.nodes {
        let c = node.pos;
        let r = node.half.0.min(node.half.1);
        match &node.look {
            NodeLook::Aggregate { text: t } => {
                let (w, h) = (node.half.0 * 2.0, node.half.1 * 2.0);
                shapes.add(
                    r##"fill="#ffffff" stroke="#444444" stroke-width="1.5" stroke-dasharray="5 3.5""##.to_owned(),
                    &rect_d((c.x - w / 2.0, c.y - h / 2.0, w, h), (h * 0.35).min(8.0)),
                );
                let size = LABEL_SIZE.min(h * 0.55);
                text(&mut aggregate_text, P::new(c.x, c.y + size * 0.36), size, "middle", TEXT, t);
            }
            NodeLook::Tx => {
                let s = r * 1.6;
                let style = format!(r#"fill="{}" stroke="{OUTLINE}" stroke-width="0.7""#, style::TX_RGB.css());
                shapes.add(style, &rect_d((c.x - s / 2.0, c.y - s / 2.0, s, s), 1.0));
            }
            NodeLook::Address { category, shape } => {
                let stroke = if *category == Category::Sanctioned { "2.0" } else { "0.8" };
                let fill = style::category_rgb(*category).css();
                shapes.add(
                    format!(r#"fill="{fill}" stroke="{OUTLINE}" stroke-width="{stroke}""#),
                    &shape_d(*shape, c, r),
                );
            }
        }
        if node.seed {
            let d = match node.look {
                NodeLook::Address { .. } => circle_d(c, r * 1.3 + 4.0),
                _ => rect_d(
                    (
                        c.x - node.half.0 - 4.0,
                        c.y - node.half.1 - 4.0,
                        node.half.0 * 2.0 + 8.0,
                        node.half.1 * 2.0 + 8.0,
                    ),
                    3.0,
                ),
            };
            rings.add(format!(r#"fill="none" stroke="{seed}" stroke-width="2.5""#), &d);
        }
    }
    out.push_str(r#"<g id="nodes">"#);
    shapes.write(out);
    rings.write(out);
    out.push_str(&aggregate_text);
    out.push_str("</g>");
}

fn label(out: &mut String, node: &Node) {
    let (Some(l), Some(b)) = (&node.label, node.label_box) else { return };
    let _ = write!(
        out,
        r##"<path d="{}" fill="#ffffff" fill-opacity="0.85"/>"##,
        rect_d((b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0), 3.0)
    );
    let cy = (b.y0 + b.y1) / 2.0 + LABEL_SIZE * 0.36;
    text(out, P::new((b.x0 + b.x1) / 2.0, cy), LABEL_SIZE, "middle", TEXT, l);
    if let Some(badge_text) = &node.badge {
        let c = node.pos;
        badge(out, P::new(c.x + node.half.0 * 0.75, c.y + node.half.1 * 0.75), badge_text, true);
    }
}
