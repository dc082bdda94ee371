//! The rendered files of a package: `graph.svg`, `graph.png`, `report.html` and `report.pdf`,
//! drawn by [`crate::report`] from the same evidence as the data files, after them, so the
//! reports can list the data files' hashes.
//!
//! The graph is drawn and parsed once ([`GraphDrawing`]) for all four. The drawing is made on a
//! second thread while this one writes the data files; the PNG (the costliest: rasterising
//! the whole graph) is rendered in strips there while this one writes the SVG and the reports,
//! then by both. The bytes do not depend on which thread renders which strip.

use super::{Evidence, ExportError, PackageBuilder, Steps, build_data_files};
use crate::ledger::TransferRow;
use crate::model::Label;
use std::sync::OnceLock;

use crate::report::{self, GraphDrawing, PackageFile, PngRender, ReportError, ReportInput};

/// Number of steps [`build_with_renderings`] reports after the data files.
pub(super) const RENDER_STEPS: usize = 4;

/// What the renderers read of `ev`: the transfer rows by id and the ledger labels in a stable
/// order.
fn rows_and_labels(ev: &Evidence) -> (Vec<TransferRow>, Vec<Label>) {
    let mut transfers: Vec<TransferRow> = ev.rows.values().cloned().collect();
    transfers.sort_by_key(|r| r.id);
    let mut labels: Vec<Label> = ev.ledger_labels.values().flatten().cloned().collect();
    labels.sort_by(|a, b| {
        (&a.chain, &a.address, &a.entity, &a.source).cmp(&(&b.chain, &b.address, &b.entity, &b.source))
    });
    (transfers, labels)
}

/// What the renderers are given.
fn report_input<'a>(
    ev: &'a Evidence,
    transfers: &'a [TransferRow],
    labels: &'a [Label],
    audit_verified: &Result<(), String>,
    exported_at: i64,
    package_files: &'a [PackageFile],
) -> ReportInput<'a> {
    ReportInput {
        case: &ev.case,
        transfers,
        labels,
        audit_verified: audit_verified.clone(),
        ledger_fingerprint: &ev.ledger_fingerprint,
        exported_at,
        tool_version: env!("CARGO_PKG_VERSION"),
        package_files,
    }
}

fn failed(file: &'static str) -> impl Fn(ReportError) -> ExportError {
    move |e: ReportError| ExportError::Encode { file, message: e.to_string() }
}

/// The data files ([`build_data_files`]) followed by the renderings of `ev`.
///
/// # Errors
/// As [`build_data_files`]; [`ExportError::Encode`] when a rendering fails.
pub(super) fn build_with_renderings(
    ev: &Evidence,
    timestamp: i64,
    steps: &mut Steps<'_>,
) -> Result<PackageBuilder, ExportError> {
    let (transfers, labels) = rows_and_labels(ev);
    let audit_verified = ev.case.verify_audit().map_err(|e| e.to_string());
    let plain = report_input(ev, &transfers, &labels, &audit_verified, timestamp, &[]);
    // A second thread makes the drawing while this one writes the data files, then renders PNG
    // strips while this one writes the SVG and the reports; then both render the strips left.
    // Whichever thread asks first makes the drawing and the render, the other waits for them.
    let drawing: OnceLock<Result<GraphDrawing, ReportError>> = OnceLock::new();
    let render: OnceLock<PngRender<'_>> = OnceLock::new();
    let make = || drawing.get_or_init(|| GraphDrawing::new(&plain));
    let start = |d| render.get_or_init(|| GraphDrawing::png_render(d));
    let (mut builder, html, pdf) = std::thread::scope(|scope| {
        let helper = std::thread::Builder::new()
            .name("graph drawing".to_owned())
            .spawn_scoped(scope, || {
                if let Ok(d) = make() {
                    start(d).help();
                }
            })
            .map_err(|e| ExportError::Encode { file: "graph.svg", message: format!("cannot start a thread: {e}") })?;
        let mut work = || {
            let mut builder = build_data_files(ev, timestamp, steps)?;
            let files: Vec<PackageFile> = builder
                .hashes()
                .iter()
                .map(|h| PackageFile { name: h.name.clone(), sha256: h.sha256.clone(), size: h.size })
                .collect();
            let with_files = report_input(ev, &transfers, &labels, &audit_verified, timestamp, &files);
            steps.next("graph.svg")?;
            let d = make().as_ref().map_err(|e| ExportError::Encode { file: "graph.svg", message: e.to_string() })?;
            builder.add("graph.svg", d.svg().as_bytes().to_vec())?;
            steps.next("report.html")?;
            let html = report::report_html_with(&with_files, d).map_err(failed("report.html"))?;
            steps.next("report.pdf")?;
            let pdf = report::report_pdf_with(&with_files, d).map_err(failed("report.pdf"))?;
            steps.next("graph.png")?;
            // This thread helps with the strips left.
            start(d).help();
            Ok::<_, ExportError>((builder, html, pdf))
        };
        let done = work();
        if done.is_err()
            && let Ok(d) = make()
        {
            // Cancelled or failed: the helper stops after its strip.
            start(d).cancel();
        }
        helper
            .join()
            .map_err(|_| ExportError::Encode { file: "graph.png", message: "the renderer panicked".to_owned() })?;
        done
    })?;
    let png = render.into_inner().ok_or_else(|| failed("graph.png")(ReportError::Png("not rendered".to_owned())))?;
    builder.add("graph.png", png.finish().map_err(failed("graph.png"))?)?;
    builder.add("report.html", html.into_bytes())?;
    builder.add("report.pdf", pdf)?;
    Ok(builder)
}
