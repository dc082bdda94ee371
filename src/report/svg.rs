//! The graph drawing as SVG text, written by hand from the [`Scene`]: every string from the
//! case or the ledger goes through [`escape`], numbers are written with one decimal so the text
//! is the same on every machine. Layers, bottom to top: edges, count badges, hop arcs, nodes,
//! labels, hop labels; the title line above and the legend on the right.

use std::fmt::Write as _;

use super::font::{FAMILY, text_width};
use super::geometry::{P, arrowhead, quad_point};
use super::scene::{self, Edge, HopMark, Node, NodeLook, Scene};
use super::{ReportInput, escape, legend};
use crate::graph::text::iso_time;
use crate::model::Category;
use crate::style::{self, NodeShape, Rgb};

/// Height of the title band.
pub const TITLE_H: f32 = 58.0;
/// Label font size.
pub const LABEL_SIZE: f32 = 11.0;
/// Badge font size.
pub const BADGE_SIZE: f32 = 9.0;
/// Label text colour.
pub const TEXT: &str = "#1a1a1a";
/// Outline colour.
pub const OUTLINE: &str = "#1e1e1e";

/// A number for SVG: one decimal, no `-0.0`.
pub fn n(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".to_owned() } else { s }
}

/// `x,y`.
pub fn pt(p: P) -> String {
    format!("{},{}", n(p.x), n(p.y))
}

/// Appends `<text>` (escaped) at `p` with `anchor` (`start`, `middle`, `end`).
pub fn text(out: &mut String, p: P, size: f32, anchor: &str, fill: &str, content: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{fill}">{}</text>"#,
        n(p.x),
        n(p.y),
        n(size),
        escape(content)
    );
}

/// Appends a rounded rectangle.
pub fn rect(out: &mut String, (x, y, w, h): (f32, f32, f32, f32), rx: f32, fill: &str, stroke: Option<(&str, f32)>) {
    let _ = write!(out, r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{fill}""#, n(x), n(y), n(w), n(h), n(rx));
    if let Some((s, w)) = stroke {
        let _ = write!(out, r#" stroke="{s}" stroke-width="{}""#, n(w));
    }
    out.push_str("/>");
}

/// Appends a node shape of `shape` with radius `r` at `c`.
pub fn shape(out: &mut String, shape: NodeShape, c: P, r: f32, fill: Rgb, stroke_width: f32) {
    let r = r * match shape {
        NodeShape::TriangleUp | NodeShape::TriangleDown => 1.3,
        NodeShape::Square | NodeShape::Diamond | NodeShape::Star => 1.15,
        _ => 1.0,
    };
    let paint = format!(r#"fill="{}" stroke="{OUTLINE}" stroke-width="{}""#, fill.css(), n(stroke_width));
    match shape {
        NodeShape::Circle => {
            let _ = write!(out, r#"<circle cx="{}" cy="{}" r="{}" {paint}/>"#, n(c.x), n(c.y), n(r));
        }
        NodeShape::Pill => {
            let (w, h) = (2.3 * r, 1.4 * r);
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" {paint}/>"#,
                n(c.x - w / 2.0),
                n(c.y - h / 2.0),
                n(w),
                n(h),
                n(0.7 * r)
            );
        }
        _ => {
            let mut pts = Vec::with_capacity(10);
            style::shape_points(shape, (c.x, c.y), r, &mut pts);
            let list: Vec<String> = pts.into_iter().map(|(x, y)| pt(P::new(x, y))).collect();
            let _ = write!(out, r#"<polygon points="{}" {paint}/>"#, list.join(" "));
        }
    }
}

/// The graph SVG before its text is turned into paths: what [`super::graph_svg`] flattens.
#[must_use]
pub fn graph_source(input: &ReportInput) -> String {
    let scene = scene::build(input);
    let (lw, lh) = legend::size(&scene);
    let title = format!("{} — {}", input.case.id, input.case.title);
    let title_w = text_width(&title, 16.0) + 40.0;
    let width = (scene.size.0 + lw).max(title_w).max(600.0).ceil();
    let height = (TITLE_H + scene.size.1.max(lh + 20.0)).ceil();
    let mut out = String::with_capacity(512 + scene.nodes.len() * 400 + scene.edges.len() * 200);
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
    out.push_str(r#"<g id="hops">"#);
    for h in &scene.hops {
        hop_arc(&mut out, h);
    }
    out.push_str("</g>");
    out.push_str(r#"<g id="nodes">"#);
    for node in &scene.nodes {
        draw_node(&mut out, node);
    }
    out.push_str("</g>");
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
    out.push_str(r#"<g id="edges" fill="none" stroke-linecap="round" opacity="0.85">"#);
    for e in &scene.edges {
        edge(out, e);
    }
    out.push_str("</g>");
    if scene.badges {
        out.push_str(r#"<g id="badges">"#);
        for e in scene.edges.iter().filter(|e| e.count > 1) {
            let d = e.tip.minus(e.start).unit();
            let at = e.mid.plus(P::new(d.y, -d.x), 9.0);
            badge(out, at, &format!("×{}", e.count), None);
        }
        out.push_str("</g>");
    }
}

fn edge(out: &mut String, e: &Edge) {
    let color = e.color.css();
    if let Some((c, r)) = e.self_loop {
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="{}" stroke="{color}" stroke-width="{}"/>"#,
            n(c.x),
            n(c.y),
            n(r),
            n(e.width)
        );
        return;
    }
    let d = match e.control {
        Some(c) => format!("M{} Q{} {}", pt(e.start), pt(c), pt(e.end)),
        None => format!("M{} L{}", pt(e.start), pt(e.end)),
    };
    let _ = write!(out, r#"<path d="{d}" stroke="{color}" stroke-width="{}"/>"#, n(e.width));
    let [a, b, c] = arrowhead(e.tip, e.dir, e.arrow);
    let _ = write!(out, r#"<polygon points="{} {} {}" fill="{color}"/>"#, pt(a), pt(b), pt(c));
}

/// A small framed text (count badges, chain badges).
fn badge(out: &mut String, centre: P, content: &str, anchor_left: Option<()>) {
    let w = text_width(content, BADGE_SIZE) + 6.0;
    let h = BADGE_SIZE + 4.0;
    let x = if anchor_left.is_some() { centre.x } else { centre.x - w / 2.0 };
    rect(out, (x, centre.y - h / 2.0, w, h), 3.0, "#ffffff", Some(("#9a9a9a", 0.6)));
    text(out, P::new(x + w / 2.0, centre.y + BADGE_SIZE * 0.36), BADGE_SIZE, "middle", TEXT, content);
}

fn hop_arc(out: &mut String, h: &HopMark) {
    let color = h.color.css();
    let _ = write!(out, r#"<g opacity="{}" fill="none" stroke-linecap="round">"#, n(h.opacity));
    let fan = (h.width * 0.6).max(1.0);
    for p in &h.inbound {
        let _ = write!(out, r#"<path d="M{} L{}" stroke="{color}" stroke-width="{}"/>"#, pt(*p), pt(h.arc.start), n(fan));
    }
    for p in &h.outbound {
        let _ = write!(out, r#"<path d="M{} L{}" stroke="{color}" stroke-width="{}"/>"#, pt(h.arc.end), pt(*p), n(fan));
    }
    let d = format!("M{} Q{} {}", pt(h.arc.start), pt(h.arc.control), pt(h.arc.end));
    let _ = write!(out, r##"<path d="{d}" stroke="#ffffff" stroke-width="{}"/>"##, n(h.width + 3.0));
    let dash = if h.dashed { r#" stroke-dasharray="7 5""# } else { "" };
    let _ = write!(out, r#"<path d="{d}" stroke="{color}" stroke-width="{}"{dash}/>"#, n(h.width));
    for p in h.inbound.iter().chain(&h.outbound) {
        let _ = write!(out, r#"<circle cx="{}" cy="{}" r="{}" fill="{color}"/>"#, n(p.x), n(p.y), n(h.width + 1.5));
    }
    let dir = h.arc.end.minus(h.arc.control).unit();
    if h.arc.start != h.arc.end && dir.len() > 0.5 {
        let [a, b, c] = arrowhead(h.arc.end, dir, 6.0 + h.width);
        let _ = write!(out, r#"<polygon points="{} {} {}" fill="{color}"/>"#, pt(a), pt(b), pt(c));
    } else {
        // One side only: a small loop marks the hop.
        let q = quad_point(h.arc.start, h.arc.control, h.arc.end, 0.5);
        let _ = write!(out, r#"<circle cx="{}" cy="{}" r="3" fill="{color}"/>"#, n(q.x), n(q.y));
    }
    out.push_str("</g>");
}

fn hop_label(out: &mut String, h: &HopMark) {
    let b = h.label_box;
    let _ = write!(out, r#"<g opacity="{}">"#, n(h.opacity.max(0.5)));
    rect(out, (b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0), 4.0, "#ffffff", Some((&h.color.css(), 1.2)));
    let cy = (b.y0 + b.y1) / 2.0 + LABEL_SIZE * 0.36;
    text(out, P::new((b.x0 + b.x1) / 2.0, cy), LABEL_SIZE, "middle", TEXT, &h.label);
    out.push_str("</g>");
}

fn draw_node(out: &mut String, node: &Node) {
    let c = node.pos;
    let r = node.half.0.min(node.half.1);
    match &node.look {
        NodeLook::Aggregate { text: t } => {
            let (w, h) = (node.half.0 * 2.0, node.half.1 * 2.0);
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="#ffffff" stroke="#444444" stroke-width="1.5" stroke-dasharray="5 3.5"/>"##,
                n(c.x - w / 2.0),
                n(c.y - h / 2.0),
                n(w),
                n(h),
                n((h * 0.35).min(8.0))
            );
            let size = LABEL_SIZE.min(h * 0.55);
            text(out, P::new(c.x, c.y + size * 0.36), size, "middle", TEXT, t);
        }
        NodeLook::Tx => {
            let s = r * 1.6;
            rect(out, (c.x - s / 2.0, c.y - s / 2.0, s, s), 1.0, &style::TX_RGB.css(), Some((OUTLINE, 0.7)));
        }
        NodeLook::Address { category, shape: sh } => {
            let stroke = if *category == Category::Sanctioned { 2.0 } else { 0.8 };
            shape(out, *sh, c, r, style::category_rgb(*category), stroke);
        }
    }
    if node.seed {
        let seed = style::SEED_RGB.css();
        match node.look {
            NodeLook::Address { .. } => {
                let _ = write!(
                    out,
                    r#"<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{seed}" stroke-width="2.5"/>"#,
                    n(c.x),
                    n(c.y),
                    n(r * 1.3 + 4.0)
                );
            }
            _ => {
                let (w, h) = (node.half.0 * 2.0 + 8.0, node.half.1 * 2.0 + 8.0);
                let _ = write!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="none" stroke="{seed}" stroke-width="2.5"/>"#,
                    n(c.x - w / 2.0),
                    n(c.y - h / 2.0),
                    n(w),
                    n(h)
                );
            }
        }
    }
}

fn label(out: &mut String, node: &Node) {
    let (Some(l), Some(b)) = (&node.label, node.label_box) else { return };
    let _ = write!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#ffffff" fill-opacity="0.85"/>"##,
        n(b.x0),
        n(b.y0),
        n(b.x1 - b.x0),
        n(b.y1 - b.y0)
    );
    let cy = (b.y0 + b.y1) / 2.0 + LABEL_SIZE * 0.36;
    text(out, P::new((b.x0 + b.x1) / 2.0, cy), LABEL_SIZE, "middle", TEXT, l);
    if let Some(badge_text) = &node.badge {
        let c = node.pos;
        badge(out, P::new(c.x + node.half.0 * 0.75, c.y + node.half.1 * 0.75), badge_text, Some(()));
    }
}
