//! `report.pdf`, drawn with `krilla`: A4 pages laid out by [`pdf_layout`] (summary, graph,
//! hops, timeline, labels, notes, audit summary, package hashes), text in the bundled font
//! (embedded, subset, searchable), the graph and timeline as vector drawings through
//! `krilla-svg`. Deterministic: the metadata date is the export time, the document id is derived
//! from the case id and that time, and nothing else varies.

use std::borrow::Cow;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use krilla_svg::{SurfaceExt, SvgSettings};

use super::pdf_layout::{A3_LANDSCAPE, A4, BODY, Col, Flow, GREY, INK, Op};
use super::{GraphDrawing, ReportError, ReportInput, content, font, raster, timeline};
use crate::graph::text::{iso_time, short_address};
use crate::model::visible;
use crate::style::Rgb;

fn fill(c: Rgb) -> Fill {
    Fill { paint: rgb::Color::new(c.0, c.1, c.2).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn date(secs: i64) -> DateTime {
    let Ok(t) = jiff::Timestamp::from_second(secs) else { return DateTime::new(1970) };
    let d = t.to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let small = |v: i8| u8::try_from(v).unwrap_or(0);
    DateTime::new(u16::try_from(d.year()).unwrap_or(1970))
        .month(small(d.month()))
        .day(small(d.day()))
        .hour(small(d.hour()))
        .minute(small(d.minute()))
        .second(small(d.second()))
        .utc_offset_hour(0)
}

/// Lays the report out (see the module docs); returns the pages and the drawings they use.
fn layout<'t>(input: &ReportInput, graph: &'t GraphDrawing) -> Result<(Flow, Vec<Cow<'t, usvg::Tree>>), ReportError> {
    let mut trees = Vec::new();
    let mut f = Flow::default();
    let case = input.case;
    f.page(A4);
    f.heading("Case report", 20.0);
    f.paragraph(&case.title, 12.0, INK);
    f.kv(&content::summary(input), 120.0);
    f.paragraph(
        "Amounts are exact, in display units of their asset. Times are UTC (ISO 8601). The package hashes \
         are listed on the last pages; the manifest also lists this report's own hash.",
        8.0,
        GREY,
    );

    let graph = graph.tree();
    let gsize = (graph.size().width(), graph.size().height());
    // Landscape for wide graphs; A3 when A4 would shrink the labels below ~5 pt.
    let page = match (gsize.0 >= gsize.1, gsize.0 > 1400.0 || gsize.1 > 1400.0) {
        (true, true) => A3_LANDSCAPE,
        (true, false) => (A4.1, A4.0),
        (false, true) => (A3_LANDSCAPE.1, A3_LANDSCAPE.0),
        (false, false) => A4,
    };
    f.page(page);
    f.heading("Graph", 16.0);
    trees.push(Cow::Borrowed(graph));
    f.drawing(trees.len() - 1, gsize);

    f.page(A4);
    f.heading("Hops", 16.0);
    let hops = content::hops(input);
    if hops.is_empty() {
        f.paragraph("No hops annotated.", BODY, GREY);
    } else {
        let cols = [
            Col { title: "Hop", share: 0.07 },
            Col { title: "Kind", share: 0.11 },
            Col { title: "Service", share: 0.25 },
            Col { title: "Chains", share: 0.18 },
            Col { title: "Confidence", share: 0.12 },
            Col { title: "Status", share: 0.11 },
            Col { title: "Author", share: 0.16 },
        ];
        let rows: Vec<Vec<String>> = hops
            .iter()
            .map(|h| {
                let author = h.author.split(", ").next().unwrap_or("").to_owned();
                let service = h.service.split(' ').map(|w| if w.len() > 24 { short_address(w) } else { w.to_owned() });
                let service = service.collect::<Vec<_>>().join(" ");
                vec![
                    h.id.clone(),
                    h.kind.clone(),
                    service,
                    h.chains.clone(),
                    h.confidence.clone(),
                    h.status.clone(),
                    author,
                ]
            })
            .collect();
        f.table(&cols, &rows, 8.0);
        for h in &hops {
            let service = if h.service.is_empty() { String::new() } else { format!(" · {}", h.service) };
            f.heading(&format!("Hop {}: {}{service} · confidence {}", h.id, h.kind, h.confidence), 11.0);
            f.kv(
                &[
                    ("Chains", h.chains.clone()),
                    ("Inbound", h.inbound.join("\n")),
                    ("Outbound", h.outbound.join("\n")),
                    ("Confidence", h.confidence.clone()),
                    ("Rationale", h.rationale.clone()),
                    ("Status", h.status.clone()),
                    ("Author", h.author.clone()),
                ],
                80.0,
            );
        }
    }

    f.page(A4);
    f.heading("Timeline", 16.0);
    match timeline::source(input) {
        Some(t) => {
            let tree = raster::parse(&t, "timeline")?;
            let size = (tree.size().width(), tree.size().height());
            trees.push(Cow::Owned(tree));
            f.drawing(trees.len() - 1, size);
        }
        None => f.paragraph("No transfer with a time.", BODY, GREY),
    }

    f.heading("Labels and their sources", 16.0);
    let groups = content::labels(input);
    if groups.is_empty() {
        f.paragraph("No labels.", BODY, GREY);
    } else {
        let cols = [
            Col { title: "Address, chain", share: 0.32 },
            Col { title: "Entity", share: 0.15 },
            Col { title: "Category", share: 0.13 },
            Col { title: "Source", share: 0.24 },
            Col { title: "Confidence, dates", share: 0.16 },
        ];
        let mut rows = Vec::new();
        for g in &groups {
            for (i, l) in g.labels.iter().enumerate() {
                let node = match (i, g.conflict) {
                    (0, true) => format!("{}\n{}\nCONFLICTING SOURCES", g.address, g.chain),
                    (0, false) => format!("{}\n{}", g.address, g.chain),
                    _ => String::new(),
                };
                let conf = [l.confidence.as_str(), l.dates.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n");
                rows.push(vec![
                    node,
                    l.entity.clone(),
                    format!("{}\n({})", l.category, l.origin),
                    l.source.clone(),
                    conf,
                ]);
            }
        }
        f.table(&cols, &rows, 7.5);
    }

    f.heading("Notes", 16.0);
    let notes = content::notes(input);
    if notes.is_empty() {
        f.paragraph("No notes.", BODY, GREY);
    } else {
        let cols = [
            Col { title: "About", share: 0.28 },
            Col { title: "Note", share: 0.5 },
            Col { title: "Author", share: 0.22 },
        ];
        let rows: Vec<Vec<String>> = notes.iter().map(|n| n.to_vec()).collect();
        f.table(&cols, &rows, 8.0);
    }

    f.heading("Audit log", 16.0);
    f.kv(&content::audit(input), 100.0);

    f.page(A4);
    f.heading("Package hashes (SHA-256)", 16.0);
    f.paragraph(
        &format!(
            "{} files, hashed before this report was rendered. Check them with sha256sum -c SHA256SUMS.",
            input.package_files.len()
        ),
        BODY,
        GREY,
    );
    let cols = [
        Col { title: "File", share: 0.24 },
        Col { title: "SHA-256", share: 0.63 },
        Col { title: "Bytes", share: 0.13 },
    ];
    let rows: Vec<Vec<String>> =
        input.package_files.iter().map(|p| vec![p.name.clone(), p.sha256.clone(), p.size.to_string()]).collect();
    f.table(&cols, &rows, 8.0);
    f.footers(&format!("{} · exported {}", case.id, iso_time(input.exported_at)));
    Ok((f, trees))
}

fn paint(surface: &mut Surface<'_>, op: &Op, font: &Font, trees: &[Cow<'_, usvg::Tree>]) {
    match op {
        Op::Text { x, y, size, color, text } => {
            surface.set_fill(Some(fill(*color)));
            surface.draw_text(Point::from_xy(*x, *y), font.clone(), *size, text, false, TextDirection::Auto);
        }
        Op::Rect { r: (x, y, w, h), fill: c } => {
            let mut pb = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                pb.push_rect(rect);
            }
            if let Some(path) = pb.finish() {
                surface.set_fill(Some(fill(*c)));
                surface.set_stroke(None);
                surface.draw_path(&path);
            }
        }
        Op::Drawing { index, r: (x, y, w, h) } => {
            let (Some(tree), Some(size)) = (trees.get(*index), Size::from_wh(*w, *h)) else { return };
            surface.push_transform(&Transform::from_translate(*x, *y));
            surface.draw_svg(tree, size, SvgSettings { embed_text: true, ..SvgSettings::default() });
            surface.pop();
        }
    }
}

/// The PDF (see the module docs).
///
/// # Errors
/// [`ReportError`] when a drawing cannot be parsed, the font is missing or krilla fails.
pub fn report(input: &ReportInput, graph: &GraphDrawing) -> Result<Vec<u8>, ReportError> {
    let (flow, trees) = layout(input, graph)?;
    let font = Font::new(krilla::Data::from(font::FONT), 0).ok_or(ReportError::Font)?;
    let settings = SerializeSettings { enable_tagging: false, ..SerializeSettings::default() };
    let mut doc = Document::new_with(settings);
    let case = input.case;
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} — {}", visible(&case.id), visible(&case.title)))
            .authors(vec![visible(&case.investigator).into_owned()])
            .creator(format!("hoptrace {}", input.tool_version))
            .producer(format!("hoptrace {} (krilla)", input.tool_version))
            .subject_free()
            .creation_date(date(input.exported_at))
            .document_id(format!("hoptrace-report:{}:{}", visible(&case.id), input.exported_at))
            .language("en".to_owned()),
    );
    for p in &flow.pages {
        let Some(settings) = PageSettings::from_wh(p.size.0, p.size.1) else { continue };
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for op in &p.ops {
            paint(&mut surface, op, &font, &trees);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

trait SubjectFree {
    fn subject_free(self) -> Self;
}

impl SubjectFree for Metadata {
    /// The description names the tool; nothing machine-specific goes in.
    fn subject_free(self) -> Self {
        self.description("Evidence package case report".to_owned())
    }
}
