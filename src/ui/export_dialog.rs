//! File > Export evidence package… (Ctrl+E): the case as an evidence package, written on a
//! background thread with a progress bar naming the step and a cancel button. The package is
//! made from the saved case file, so unsaved changes are saved first (the user is asked). A
//! cancelled or failed export leaves nothing at the chosen path ([`crate::export::export`]
//! writes under a temporary name and renames); the outcome is a notice with the file, its size
//! and the manifest's SHA-256.

use std::path::{Path, PathBuf};

use super::app::WorkbenchApp;
use super::files::Purpose;
use crate::export::{Evidence, ExportError, ExportOptions, ExportSummary, Layout, Progress, export};
use crate::workbench::jobs::{Job, Poll};

/// An export running on a background thread.
#[derive(Debug)]
pub struct RunningExport {
    /// The zip file or folder being written.
    pub out: PathBuf,
    /// Zip or folder.
    pub layout: Layout,
    /// The last step reported.
    pub progress: Progress,
    /// The job: what was written, or why not; it reports each step.
    job: Job<Result<ExportSummary, ExportError>, Progress>,
}

/// How the last export ended.
#[derive(Debug, Clone)]
pub struct ExportOutcome {
    /// The path asked for.
    pub out: PathBuf,
    /// The last progress reported (fraction 1.0 when it completed).
    pub progress: Progress,
    /// What was written, or why nothing was (`"export cancelled"` when cancelled).
    pub result: Result<ExportSummary, String>,
}

/// The export's transient state (the app holds one).
#[derive(Debug, Default)]
pub struct ExportUi {
    /// Unsaved changes: asking whether to save before exporting in this layout.
    pub confirm_save: Option<Layout>,
    /// The export in progress.
    pub running: Option<RunningExport>,
    /// The last export that ended.
    pub last: Option<ExportOutcome>,
}

impl ExportUi {
    /// Nothing asked and nothing running: a new export may start.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        self.confirm_save.is_none() && self.running.is_none()
    }

    /// An export is running.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Asks the running export to stop at its next step.
    pub fn cancel(&mut self) {
        if let Some(r) = &self.running {
            r.job.cancel();
        }
    }
}

/// `608.6 KiB (623250 bytes)`.
#[must_use]
pub fn size_text(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    let shown = if b < 1024.0 * 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    };
    format!("{shown} ({bytes} bytes)")
}

impl WorkbenchApp {
    /// Starts File > Export evidence package: asks to save unsaved changes first, then for
    /// the output path, then exports on a background thread.
    pub fn start_export(&mut self, layout: Layout) {
        let Some(s) = self.session.as_ref() else {
            return self.error("open a case before exporting it");
        };
        if !self.export.is_idle() {
            return self.error("an export is already running: wait for it or cancel it");
        }
        if s.dirty {
            self.export.confirm_save = Some(layout);
        } else {
            self.ask_export_path(layout);
        }
    }

    /// Asks where to write the package; [`WorkbenchApp::export_to`] goes on from there.
    fn ask_export_path(&mut self, layout: Layout) {
        self.choose(match layout {
            Layout::Zip => Purpose::SavePackage,
            Layout::Folder => Purpose::PackageFolder,
        });
    }

    /// Starts the export thread writing the package to `out`.
    pub fn export_to(&mut self, layout: Layout, mut out: PathBuf) {
        if layout == Layout::Zip && out.extension().is_none() {
            out.set_extension("zip");
        }
        let Some(s) = self.session.as_ref() else { return };
        let case_path = s.path.clone();
        let source = s.inv.ledger().source();
        let ledger = source.file();
        if let Some(own) = std::iter::once(case_path.as_path()).chain(ledger).find(|p| same_file(p, &out)) {
            return self.error(format!(
                "{} is the case's own {} file: choose another name for the package",
                own.display(),
                if Some(own) == ledger { "ledger" } else { "case" }
            ));
        }
        let thread_out = out.clone();
        let spawned = Job::spawn("hoptrace-export", move |job| {
            let ev = Evidence::load(&case_path)?;
            let cancel = job.cancel_flag();
            export(&ev, &ExportOptions::default(), &thread_out, layout, &mut |p| job.report(p), Some(&cancel))
        });
        match spawned {
            Ok(job) => {
                let progress = Progress { step: "reading the case and its ledger".to_owned(), fraction: 0.0 };
                self.export.running = Some(RunningExport { out, layout, progress, job });
            }
            Err(e) => self.error(format!("cannot start the export: {e}")),
        }
    }

    /// Takes what the export thread reported since the last frame; tells the user how it ended.
    pub fn poll_export(&mut self) {
        let Some(run) = self.export.running.as_mut() else { return };
        let progress = &mut run.progress;
        let done = match run.job.poll(|p| *progress = p) {
            Poll::Done(r) => Some(r.map_err(|e| e.to_string())),
            Poll::Running => None,
            Poll::Lost => Some(Err("the export stopped unexpectedly".to_owned())),
        };
        let Some(result) = done else { return };
        let Some(run) = self.export.running.take() else { return };
        match &result {
            Ok(summary) => {
                let text = format!(
                    "Exported evidence package {} ({}); manifest SHA-256 {}",
                    summary.path.display(),
                    size_text(summary.bytes),
                    summary.manifest_sha256
                );
                self.notice_about("export", text, false);
            }
            Err(e) if run.job.is_cancelled() && e == "export cancelled" => {
                let text = format!("Export cancelled: nothing was written to {}", run.out.display());
                self.notice_about("export", text, false);
            }
            Err(e) => {
                let text = format!("Export to {} failed: {e}. The case is unchanged.", run.out.display());
                self.notice_about("export", text, true);
            }
        }
        self.export.last = Some(ExportOutcome { out: run.out, progress: run.progress, result });
    }

    /// The save question and the progress window (drawn every frame; polls the thread).
    pub fn export_ui(&mut self, ctx: &egui::Context) {
        self.poll_export();
        if let Some(layout) = self.export.confirm_save {
            let mut answer = None;
            egui::Window::new("Export evidence package").collapsible(false).resizable(false).show(ctx, |ui| {
                ui.label("The case has unsaved changes. The package is made from the saved case file.");
                answer = super::dialogs::choice(ui, "Save and export", "Cancel");
            });
            match answer {
                Some(true) => {
                    self.export.confirm_save = None;
                    self.save();
                    if self.session.as_ref().is_some_and(|s| !s.dirty) {
                        self.ask_export_path(layout);
                    }
                }
                Some(false) => self.export.confirm_save = None,
                None => {}
            }
        }
        let Some(run) = &self.export.running else { return };
        let mut cancel = false;
        egui::Window::new("Exporting evidence package").collapsible(false).resizable(false).show(ctx, |ui| {
            ui.label(format!("Writing {}", run.out.display()));
            let bar = egui::ProgressBar::new(run.progress.fraction).desired_width(360.0).show_percentage();
            ui.add(bar);
            ui.label(format!("Step: {}", run.progress.step));
            cancel = ui.add_enabled(!run.job.is_cancelled(), egui::Button::new("Cancel export")).clicked();
        });
        if cancel {
            self.export.cancel();
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(100));
    }
}

/// Whether `a` and `b` name the same file (the same path, or the same file through links).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}
