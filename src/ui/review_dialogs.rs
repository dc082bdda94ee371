//! Review mode's windows: "Verifying…" while a package is read, the comment dialog (every
//! input labelled), and the report (the package's summary and hops as its `report.html` and
//! `report.pdf` state them, with buttons that open those files with the system viewer).

use egui::{Context, RichText};

use super::app::WorkbenchApp;
use super::dialogs::labelled_text;

/// The program that opens a file with the system's viewer.
fn system_opener(path: &std::path::Path) -> std::process::Command {
    #[cfg(target_os = "macos")]
    let mut c = std::process::Command::new("open");
    #[cfg(target_os = "windows")]
    let mut c = {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    };
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    let mut c = std::process::Command::new("xdg-open");
    c.arg(path);
    c
}

impl WorkbenchApp {
    /// The small window shown while a package is verified, with Cancel.
    pub fn review_loading_ui(&mut self, ctx: &Context) {
        let Some(load) = &self.review.loading else { return };
        let mut cancel = false;
        egui::Window::new("Opening evidence package").collapsible(false).resizable(false).show(ctx, |ui| {
            ui.label(format!("Verifying {}", load.path.display()));
            ui.label("Every file's hash, the manifest, the audit chain and the signature are checked.");
            cancel = ui.button("Cancel").clicked();
        });
        if cancel {
            self.cancel_review_load();
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(100));
    }

    /// The comment dialog, when open.
    pub fn review_comment_ui(&mut self, ctx: &Context) {
        let Some(r) = self.review.active.as_mut() else { return };
        let Some(draft) = r.draft.as_mut() else { return };
        let mut open = true;
        let (mut add, mut cancel) = (false, false);
        let window = egui::Window::new("Add review comment")
            .collapsible(false)
            .resizable(true)
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(ctx.content_rect().center())
            .open(&mut open);
        window.show(ctx, |ui| {
            ui.label(format!("About: {}", draft.target.describe()));
            let name = labelled_text(ui, "Reviewer", &mut self.prefs.reviewer);
            let l = ui.label("Comment");
            let text = ui
                .add(egui::TextEdit::multiline(&mut draft.text).desired_rows(4).desired_width(420.0))
                .labelled_by(l.id);
            // The keyboard goes to the comment (or to the name, while there is none), once the
            // window is shown (its first frame only measures it).
            if draft.focus {
                let want = if self.prefs.reviewer.trim().is_empty() { &name } else { &text };
                if want.has_focus() {
                    draft.focus = false;
                } else {
                    want.request_focus();
                }
            }
            ui.label(
                RichText::new(
                    "Kept in the review file beside the package, with its own audit log: the case is not changed.",
                )
                .small(),
            );
            ui.horizontal(|ui| {
                add = ui.add_enabled(!draft.text.trim().is_empty(), egui::Button::new("Add comment")).clicked();
                cancel = ui.button("Cancel").clicked();
            });
        });
        if cancel || !open {
            r.draft = None;
        } else if add {
            self.add_review_comment();
        }
    }

    /// The report window, when shown.
    pub fn review_report_ui(&mut self, ctx: &Context) {
        let Some(r) = self.review.active.as_mut() else { return };
        if !r.report_shown {
            return;
        }
        let Ok(loaded) = r.loaded.as_ref() else { return };
        let mut open = true;
        let mut view = None;
        egui::Window::new(format!("Report — {}", r.name))
            .open(&mut open)
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(ctx.content_rect().center())
            .default_size([720.0, 620.0])
            .max_width(900.0)
            .vscroll(true)
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    for name in ["report.html", "report.pdf"] {
                        let has = loaded.session.package.has(name);
                        let b = ui.add_enabled(has, egui::Button::new(format!("Open {name}")));
                        if b.on_hover_text("open the package's copy with the system viewer").clicked() {
                            view = Some(name);
                        }
                    }
                });
                ui.separator();
                ui.heading("Summary");
                egui::Grid::new("review-report-summary").num_columns(2).striped(true).show(ui, |ui| {
                    for (k, v) in &loaded.report.summary {
                        ui.label(*k);
                        ui.add(egui::Label::new(v).wrap());
                        ui.end_row();
                    }
                });
                ui.separator();
                ui.heading(format!("Hops ({})", loaded.report.hops.len()));
                for h in &loaded.report.hops {
                    ui.label(RichText::new(format!("{} {} — {}", h.id, h.kind, h.service)).strong());
                    egui::Grid::new(("review-report-hop", &h.id)).num_columns(2).show(ui, |ui| {
                        for (k, v) in [
                            ("Chains", &h.chains),
                            ("Confidence", &h.confidence),
                            ("Status", &h.status),
                            ("Author", &h.author),
                        ] {
                            ui.label(k);
                            ui.label(v);
                            ui.end_row();
                        }
                    });
                    ui.add(egui::Label::new(format!("Rationale: {}", h.rationale)).wrap());
                    for (side, lines) in [("In", &h.inbound), ("Out", &h.outbound)] {
                        ui.label(RichText::new(side).strong());
                        for l in lines {
                            ui.add(egui::Label::new(RichText::new(l).small()).wrap());
                        }
                    }
                    ui.separator();
                }
            });
        if !open {
            r.report_shown = false;
        }
        if let Some(name) = view {
            self.open_package_file(name);
        }
    }

    /// Writes the package's copy of `name` to a temporary folder and opens it with the system
    /// viewer (the package itself is not touched).
    pub fn open_package_file(&mut self, name: &str) {
        let Some(loaded) = self.review.loaded() else { return };
        if !loaded.session.package.has(name) {
            return self.error(format!("the package has no {name}"));
        }
        let tag: String = loaded.session.review.package_manifest_sha256.chars().take(16).collect();
        let dir = std::env::temp_dir().join(format!("hoptrace-review-{tag}"));
        let path = dir.join(name);
        // Copied as a stream (a large report is never held whole), over an earlier copy.
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            })
            .and_then(|()| loaded.session.package.copy_file(name, &path).map(|_| ()).map_err(std::io::Error::other));
        let result = written.and_then(|()| system_opener(&path).spawn().map(|_| ()));
        match result {
            Ok(()) => self.info(format!("Opened a copy of {name}: {}", path.display())),
            Err(e) => self.error(format!("{name} could not be opened ({}): {e}", path.display())),
        }
    }
}
