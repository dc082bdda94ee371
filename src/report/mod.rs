//! The renderings of an evidence package, headless and deterministic: `graph.svg` and
//! `graph.png` of the case graph, `report.html` (self-contained) and `report.pdf`.
//!
//! Everything is drawn with one bundled font (DejaVu Sans, [`font`]) and no system font, and
//! depends only on the [`ReportInput`]: the same input gives the same bytes on every machine.
//! The graph is written as SVG by hand ([`svg`], every string XML-escaped), parsed by `usvg`
//! with a font database holding only the bundled font, and written back with its text turned
//! into paths, so `graph.svg` looks the same in every viewer without any font installed; the
//! PNG is rendered from the same tree by `resvg` on the CPU. The PDF is drawn with `krilla`
//! (the graph and the timeline as vector drawings through `krilla-svg`, text embedded and
//! searchable); its metadata dates come from [`ReportInput::exported_at`] and its document id
//! from the case id and that time.
//!
//! Modules: [`scene`] derives what to draw from the case (positions, sizes, colours, hop marks,
//! labels), [`draw`] writes the graph with the primitives of [`svg`], [`timeline`] the transfers-over-time chart, [`content`]
//! the rows of the tables the HTML and the PDF share, [`html`] and [`pdf`] the documents.

pub mod content;
mod draw;
pub mod font;
mod html;
mod legend;
mod pdf;
mod pdf_layout;
mod place;
mod raster;
pub(crate) mod scene;
mod svg;
mod timeline;

use crate::case::Case;
use crate::ledger::TransferRow;
use crate::model::Label;

/// One file of the package, hashed before the reports are rendered (listed on the hash pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Path inside the package (`case.ron`, `transfers.csv`).
    pub name: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// Everything the renderings depend on.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    /// The case.
    pub case: &'a Case,
    /// The ledger rows of `case.transfers`.
    pub transfers: &'a [TransferRow],
    /// Imported (ledger) labels about the case's addresses.
    pub labels: &'a [Label],
    /// Outcome of [`Case::verify_audit`] (the error as text).
    pub audit_verified: Result<(), String>,
    /// Fingerprint of the ledger the case is bound to.
    pub ledger_fingerprint: &'a str,
    /// Export time, UTC seconds: the only time the outputs depend on.
    pub exported_at: i64,
    /// hoptrace version that rendered the package.
    pub tool_version: &'a str,
    /// Files of the package hashed before the reports, for the hash pages.
    pub package_files: &'a [PackageFile],
}

/// Why a rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The bundled font could not be read (a build problem).
    #[error("the bundled font assets/fonts/DejaVuSans.ttf could not be loaded")]
    Font,
    /// The generated SVG of `what` was refused by the SVG parser (a bug in the writer).
    #[error("the generated {what} SVG could not be parsed: {message}")]
    Svg {
        /// Which drawing (`graph`, `timeline`).
        what: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The PNG could not be rendered or encoded.
    #[error("graph.png: {0}")]
    Png(String),
    /// The PDF could not be written.
    #[error("report.pdf: {0}")]
    Pdf(String),
}

/// The graph drawing, drawn, parsed and flattened once and shared by `graph.svg`, `graph.png`,
/// `report.html` and `report.pdf` (on a 10,000-node case drawing and parsing is a third of the
/// renderings' time). It depends on the case, the ledger rows and labels, the export time and
/// the tool version, not on [`ReportInput::package_files`].
#[derive(Debug)]
pub struct GraphDrawing {
    tree: usvg::Tree,
    svg: String,
}

impl GraphDrawing {
    /// Draws the graph of `input` and parses the drawing back.
    ///
    /// # Errors
    /// [`ReportError`] when the drawing cannot be parsed back (a writer bug) or the font is
    /// missing.
    pub fn new(input: &ReportInput) -> Result<Self, ReportError> {
        let tree = raster::parse(&draw::graph_source(input), "graph")?;
        let svg = raster::flatten(&tree, GRAPH_ID_PREFIX);
        Ok(Self { tree, svg })
    }

    /// `graph.svg`: the case graph with legend and title, text turned into paths
    /// (self-contained).
    #[must_use]
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// `graph.png`: the same drawing rendered on the CPU at [`raster::PNG_SCALE`] pixels per
    /// SVG unit (less for very large graphs: at most [`raster::MAX_PNG_SIDE`] pixels a side),
    /// on white.
    ///
    /// # Errors
    /// [`ReportError::Png`] when the image cannot be allocated or encoded.
    pub fn png(&self) -> Result<Vec<u8>, ReportError> {
        self.png_render().finish()
    }

    /// The PNG as a render several threads can share: each calls [`PngRender::help`], then one
    /// calls [`PngRender::finish`]. The bytes are those of [`GraphDrawing::png`].
    #[must_use]
    pub fn png_render(&self) -> PngRender<'_> {
        PngRender::new(&self.tree)
    }

    /// The parsed drawing (for the PDF).
    pub(crate) fn tree(&self) -> &usvg::Tree {
        &self.tree
    }
}

/// Prefix of the element ids of the flattened graph drawing (unique beside the timeline's
/// `t-` on the HTML page).
const GRAPH_ID_PREFIX: &str = "g-";

/// `graph.svg` of `input` (see [`GraphDrawing::svg`]).
///
/// # Errors
/// As [`GraphDrawing::new`].
pub fn graph_svg(input: &ReportInput) -> Result<String, ReportError> {
    Ok(GraphDrawing::new(input)?.svg)
}

/// The graph drawing as written, before its text is turned into paths: `<text>` elements in
/// the bundled font's family, legend entries with ids (`legend-category-mixer`). For tools
/// that want the words (accessibility, search) and for tests.
#[must_use]
pub fn graph_svg_source(input: &ReportInput) -> String {
    draw::graph_source(input)
}

/// `graph.png` of `input` (see [`GraphDrawing::png`]).
///
/// # Errors
/// As [`GraphDrawing::new`] and [`GraphDrawing::png`].
pub fn graph_png(input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    GraphDrawing::new(input)?.png()
}

/// `report.html`: one self-contained page (inline CSS, the graph and the timeline inline as
/// SVG, no script, no external resource); every string from the case or the ledger is escaped.
///
/// # Errors
/// [`ReportError`] when a drawing cannot be parsed back (a writer bug).
pub fn report_html(input: &ReportInput) -> Result<String, ReportError> {
    html::report(input, &GraphDrawing::new(input)?)
}

/// [`report_html`] with the graph drawing already made (`graph` must be of the same `input`).
///
/// # Errors
/// As [`report_html`].
pub fn report_html_with(input: &ReportInput, graph: &GraphDrawing) -> Result<String, ReportError> {
    html::report(input, graph)
}

/// `report.pdf`: summary, graph, hops, timeline, labels, notes, audit summary and package
/// hashes, A4 pages, deterministic bytes.
///
/// # Errors
/// [`ReportError`] when a drawing cannot be parsed or the PDF cannot be written.
pub fn report_pdf(input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    pdf::report(input, &GraphDrawing::new(input)?)
}

/// [`report_pdf`] with the graph drawing already made (`graph` must be of the same `input`).
///
/// # Errors
/// As [`report_pdf`].
pub fn report_pdf_with(input: &ReportInput, graph: &GraphDrawing) -> Result<Vec<u8>, ReportError> {
    pdf::report(input, graph)
}

pub use raster::{MAX_PNG_SIDE, PNG_SCALE, PngRender};

/// Escapes text for XML and HTML content and attribute values. Control characters and the
/// invisible characters that reorder text (bidi overrides…) are first written as visible
/// escapes (`\x1b`, `\u{202e}`: see [`crate::model::visible`]), newlines and tabs kept, so a
/// report shows what an imported string really holds and stays valid XML.
#[must_use]
pub fn escape(text: &str) -> String {
    let shown = crate::model::visible_lines(text);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping_makes_markup_inert_and_xml_valid() {
        assert_eq!(escape("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assert_eq!(escape("a & \"b\""), "a &amp; &quot;b&quot;");
        assert_eq!(escape("bell\u{7}\u{0}"), "bell\\x07\\x00");
        assert_eq!(escape("invoice\u{202e}gnp.exe"), "invoice\\u{202e}gnp.exe");
        assert_eq!(escape("tab\tok"), "tab\tok");
    }
}
