//! The rendered files of a package: `graph.svg`, `graph.png`, `report.html` and `report.pdf`,
//! drawn by [`crate::report`] from the same evidence as the data files, after them, so the
//! reports can list the data files' hashes.
//!
//! The PNG (the costliest: rasterising the whole graph) is drawn on a second thread while this
//! one writes the data files, the SVG and the reports; the bytes do not depend on which
//! finishes first.

use super::{Evidence, ExportError, PackageBuilder, Steps, build_data_files};
use crate::ledger::TransferRow;
use crate::model::Label;
use crate::report::{self, PackageFile, ReportError, ReportInput};

/// Number of steps [`build_with_renderings`] reports after the data files.
pub(super) const RENDER_STEPS: usize = 4;

/// The rendered files in package order.
pub const RENDERED_FILES: [&str; 4] = ["graph.svg", "graph.png", "report.html", "report.pdf"];

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
    std::thread::scope(|scope| {
        let png = std::thread::Builder::new()
            .name("graph.png".to_owned())
            .spawn_scoped(scope, || {
                report::graph_png(&report_input(ev, &transfers, &labels, &audit_verified, timestamp, &[]))
            })
            .map_err(|e| ExportError::Encode { file: "graph.png", message: format!("cannot start a thread: {e}") })?;
        let mut builder = build_data_files(ev, timestamp, steps)?;
        let files: Vec<PackageFile> = builder
            .hashes()
            .iter()
            .map(|h| PackageFile { name: h.name.clone(), sha256: h.sha256.clone(), size: h.size })
            .collect();
        let with_files = report_input(ev, &transfers, &labels, &audit_verified, timestamp, &files);
        steps.next("graph.svg")?;
        builder.add("graph.svg", report::graph_svg(&with_files).map_err(failed("graph.svg"))?.into_bytes())?;
        steps.next("report.html")?;
        let html = report::report_html(&with_files).map_err(failed("report.html"))?;
        steps.next("report.pdf")?;
        let pdf = report::report_pdf(&with_files).map_err(failed("report.pdf"))?;
        steps.next("graph.png")?;
        let png = png
            .join()
            .map_err(|_| ExportError::Encode { file: "graph.png", message: "the renderer panicked".to_owned() })?
            .map_err(failed("graph.png"))?;
        builder.add("graph.png", png)?;
        builder.add("report.html", html.into_bytes())?;
        builder.add("report.pdf", pdf)?;
        Ok(builder)
    })
}
