//! SVG writing primitives shared by the drawings: numbers with one decimal (the same text on
//! every machine), escaped text, rectangles, node shapes as path data, and [`Batch`], which
//! merges every mark of one style into one `<path>` so a 10k-node graph stays a few hundred
//! elements (fast to parse, render and convert to PDF).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape;
use crate::scene::geometry::P;
use crate::style::{self, NodeShape};

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

/// Appends a rounded rectangle; `extra` is appended to its attributes.
pub fn rect(out: &mut String, (x, y, w, h): (f32, f32, f32, f32), rx: f32, fill: &str, stroke: Option<(&str, f32)>) {
    let _ = write!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{fill}""#,
        n(x),
        n(y),
        n(w),
        n(h),
        n(rx)
    );
    if let Some((s, w)) = stroke {
        let _ = write!(out, r#" stroke="{s}" stroke-width="{}""#, n(w));
    }
    out.push_str("/>");
}

/// Path data of a circle.
pub fn circle_d(c: P, r: f32) -> String {
    format!("M{} {}a{r} {r} 0 1 0 {d} 0a{r} {r} 0 1 0 -{d} 0Z", n(c.x - r), n(c.y), r = n(r), d = n(2.0 * r))
}

/// Path data of a rectangle with rounded corners of radius `rx`.
pub fn rect_d((x, y, w, h): (f32, f32, f32, f32), rx: f32) -> String {
    let rx = rx.min(w / 2.0).min(h / 2.0).max(0.0);
    if rx <= 0.05 {
        return format!("M{} {}h{}v{}h-{}Z", n(x), n(y), n(w), n(h), n(w));
    }
    let (r, iw, ih) = (n(rx), n(w - 2.0 * rx), n(h - 2.0 * rx));
    format!(
        "M{} {}h{iw}a{r} {r} 0 0 1 {r} {r}v{ih}a{r} {r} 0 0 1 -{r} {r}h-{iw}a{r} {r} 0 0 1 -{r} -{r}v-{ih}a{r} {r} 0 0 1 {r} -{r}Z",
        n(x + rx),
        n(y)
    )
}

/// Path data of a closed polygon.
pub fn polygon_d(points: &[P]) -> String {
    let mut d = String::with_capacity(points.len() * 14);
    for (i, p) in points.iter().enumerate() {
        d.push(if i == 0 { 'M' } else { 'L' });
        d.push_str(&pt(*p));
    }
    d.push('Z');
    d
}

/// Path data of a node shape of radius `r` at `c` (triangles and squares drawn a little larger,
/// as on the canvas, so they look as big as circles).
pub fn shape_d(shape: NodeShape, c: P, r: f32) -> String {
    let r = r * match shape {
        NodeShape::TriangleUp | NodeShape::TriangleDown => 1.3,
        NodeShape::Square | NodeShape::Diamond | NodeShape::Star => 1.15,
        _ => 1.0,
    };
    match shape {
        NodeShape::Circle => circle_d(c, r),
        NodeShape::Pill => rect_d((c.x - 1.15 * r, c.y - 0.7 * r, 2.3 * r, 1.4 * r), 0.7 * r),
        _ => {
            let mut pts = Vec::with_capacity(10);
            style::shape_points(shape, (c.x, c.y), r, &mut pts);
            let pts: Vec<P> = pts.into_iter().map(|(x, y)| P::new(x, y)).collect();
            polygon_d(&pts)
        }
    }
}

/// Marks merged by style: each distinct attribute string becomes one `<path>`, written in
/// the order the styles were first used (so layering follows the drawing order).
#[derive(Debug, Default)]
pub struct Batch {
    order: Vec<String>,
    paths: BTreeMap<String, String>,
}

impl Batch {
    /// Adds path data `d` drawn with `style` (attributes, e.g. `fill="#aa4499"`).
    pub fn add(&mut self, style: String, d: &str) {
        match self.paths.get_mut(&style) {
            Some(path) => path.push_str(d),
            None => {
                self.order.push(style.clone());
                self.paths.insert(style, d.to_owned());
            }
        }
    }

    /// Writes the paths.
    pub fn write(self, out: &mut String) {
        for style in &self.order {
            if let Some(d) = self.paths.get(style) {
                let _ = write!(out, r#"<path d="{d}" {style}/>"#);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_batches_are_stable() {
        assert_eq!(n(-0.01), "0.0");
        assert_eq!(n(f32::NAN), "0.0");
        assert_eq!(pt(P::new(1.25, -3.0)), "1.2,-3.0");
        let mut b = Batch::default();
        b.add(r#"fill="red""#.to_owned(), "M0 0L1 1Z");
        b.add(r#"fill="blue""#.to_owned(), "M2 2L3 3Z");
        b.add(r#"fill="red""#.to_owned(), "M4 4L5 5Z");
        let mut out = String::new();
        b.write(&mut out);
        assert_eq!(out, r#"<path d="M0 0L1 1ZM4 4L5 5Z" fill="red"/><path d="M2 2L3 3Z" fill="blue"/>"#);
        assert!(circle_d(P::new(10.0, 10.0), 5.0).starts_with("M5.0 10.0a5.0 5.0"));
        assert!(rect_d((0.0, 0.0, 10.0, 4.0), 2.0).contains('a'));
    }
}
