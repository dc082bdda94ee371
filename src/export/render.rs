//! The rendered files of a package: `graph.svg`, `graph.png`, `report.html` and `report.pdf`,
//! drawn by [`crate::report`] from the same evidence as the data files, after them, so the
//! reports can list the data files' hashes.

use super::{Evidence, ExportError, PackageBuilder, Steps};
use crate::ledger::TransferRow;
use crate::model::Label;
use crate::report::{self, PackageFile, ReportError, ReportInput};

/// Number of steps [`add_renderings`] reports.
pub(super) const RENDER_STEPS: usize = 4;

/// The rendered files in package order.
pub const RENDERED_FILES: [&str; 4] = ["graph.svg", "graph.png", "report.html", "report.pdf"];

/// Renders the pictures and reports of `ev` and adds them to `builder`.
///
/// # Errors
/// [`ExportError::Encode`] when a rendering fails; [`ExportError::Cancelled`].
pub(super) fn add_renderings(
    ev: &Evidence,
    timestamp: i64,
    builder: &mut PackageBuilder,
    steps: &mut Steps<'_>,
) -> Result<(), ExportError> {
    let mut transfers: Vec<TransferRow> = ev.rows.values().cloned().collect();
    transfers.sort_by_key(|r| r.id);
    let mut labels: Vec<Label> = ev.ledger_labels.values().flatten().cloned().collect();
    labels.sort_by(|a, b| {
        (&a.chain, &a.address, &a.entity, &a.source).cmp(&(&b.chain, &b.address, &b.entity, &b.source))
    });
    let files: Vec<PackageFile> = builder
        .hashes()
        .iter()
        .map(|h| PackageFile { name: h.name.clone(), sha256: h.sha256.clone(), size: h.size })
        .collect();
    let input = ReportInput {
        case: &ev.case,
        transfers: &transfers,
        labels: &labels,
        audit_verified: ev.case.verify_audit().map_err(|e| e.to_string()),
        ledger_fingerprint: &ev.ledger_fingerprint,
        exported_at: timestamp,
        tool_version: env!("CARGO_PKG_VERSION"),
        package_files: &files,
    };
    let failed = |file: &'static str| move |e: ReportError| ExportError::Encode { file, message: e.to_string() };
    steps.next("graph.svg")?;
    builder.add("graph.svg", report::graph_svg(&input).map_err(failed("graph.svg"))?.into_bytes())?;
    steps.next("graph.png")?;
    builder.add("graph.png", report::graph_png(&input).map_err(failed("graph.png"))?)?;
    steps.next("report.html")?;
    builder.add("report.html", report::report_html(&input).map_err(failed("report.html"))?.into_bytes())?;
    steps.next("report.pdf")?;
    builder.add("report.pdf", report::report_pdf(&input).map_err(failed("report.pdf"))?)?;
    Ok(())
}
