//! Importing export files into the open case's ledger on a background thread, with a progress
//! bar and a cancel button. The thread opens its own connection to the ledger; each file is one
//! batch (committed whole or rolled back); when all are done the case is rebound to the ledger's
//! new fingerprint by an audited [`Command::RebindLedger`].

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use super::app::WorkbenchApp;
use crate::graph::Command;
use crate::import::ImportOptions;
use crate::ledger::{ImportControl, ImportOutcome, ImportReport, Ledger, SqliteLedger};

/// What the import thread reports (one message per file: the report's size does not matter).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum ImportMessage {
    /// One file finished (or failed).
    File(PathBuf, Result<ImportReport, String>),
    /// All files done; the ledger's fingerprint now (or why it could not be read).
    Finished(Result<String, String>),
}

/// An import in progress.
#[derive(Debug)]
pub struct RunningImport {
    /// The files and their sizes in bytes.
    pub files: Vec<(PathBuf, u64)>,
    /// Files finished so far.
    pub done: usize,
    /// Progress and cancellation (shared with the thread).
    pub control: Arc<ImportControl>,
    rx: Receiver<ImportMessage>,
}

impl RunningImport {
    /// Fraction of the bytes read, 0–1.
    #[must_use]
    pub fn fraction(&self) -> f32 {
        let total: u64 = self.files.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let f = self.control.bytes_read() as f32 / total as f32;
        f.clamp(0.0, 1.0)
    }

    /// "2 of 5 files: name.csv".
    #[must_use]
    pub fn status(&self) -> String {
        let current = self.files.get(self.done).or_else(|| self.files.last());
        let name = current.and_then(|(p, _)| p.file_name()).map(|n| n.to_string_lossy().into_owned());
        format!(
            "Importing {} of {}: {}",
            (self.done + 1).min(self.files.len()),
            self.files.len(),
            name.unwrap_or_default()
        )
    }
}

/// One line for a finished file, and whether it is good news.
fn describe(path: &std::path::Path, r: &Result<ImportReport, String>) -> (bool, String) {
    match r {
        Ok(r) => match r.outcome {
            ImportOutcome::Committed => {
                (true, format!("{}: {} transfers, {} labels imported", path.display(), r.transfers, r.labels))
            }
            ImportOutcome::AlreadyImported => (true, format!("{}: already imported", path.display())),
            ImportOutcome::RefusedRows => (
                false,
                format!(
                    "{}: {} rows refused, nothing imported (first: {})",
                    path.display(),
                    r.refused.len(),
                    r.refused.first().map(ToString::to_string).unwrap_or_default()
                ),
            ),
        },
        Err(e) => (false, e.clone()),
    }
}

impl WorkbenchApp {
    /// Starts importing `files` into the open case's ledger on a background thread.
    pub fn import(&mut self, files: &[PathBuf]) {
        if files.is_empty() {
            return;
        }
        let Some(s) = self.session.as_ref() else {
            self.error("open a case before importing files into its ledger");
            return;
        };
        if self.importing.is_some() {
            self.error("an import is already running: wait for it or cancel it");
            return;
        }
        let ledger_path = s.inv.ledger().path().to_owned();
        let sized: Vec<(PathBuf, u64)> =
            files.iter().map(|f| (f.clone(), std::fs::metadata(f).map_or(0, |m| m.len()))).collect();
        let control = Arc::new(ImportControl::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let thread_control = control.clone();
        let thread_files: Vec<PathBuf> = files.to_vec();
        let spawned = std::thread::Builder::new().name("hoptrace-import".to_owned()).spawn(move || {
            let mut ledger = match SqliteLedger::open(&ledger_path) {
                Ok(l) => l,
                Err(e) => {
                    let _ = tx.send(ImportMessage::Finished(Err(e.to_string())));
                    return;
                }
            };
            for f in thread_files {
                let r = ledger
                    .import_file_with(&f, &ImportOptions::default(), None, &thread_control)
                    .map_err(|e| e.to_string());
                let _ = tx.send(ImportMessage::File(f, r));
                if thread_control.is_cancelled() {
                    break;
                }
            }
            let _ = tx.send(ImportMessage::Finished(ledger.fingerprint().map_err(|e| e.to_string())));
        });
        match spawned {
            Ok(_) => self.importing = Some(RunningImport { files: sized, done: 0, control, rx }),
            Err(e) => self.error(format!("cannot start the import: {e}")),
        }
    }

    /// Asks the running import to stop (the file being read is rolled back).
    pub fn cancel_import(&mut self) {
        if let Some(i) = &self.importing {
            i.control.cancel();
        }
    }

    /// Takes what the import thread reported since the last frame.
    pub fn poll_import(&mut self) {
        let mut finished = None;
        let mut lines = Vec::new();
        if let Some(run) = self.importing.as_mut() {
            loop {
                match run.rx.try_recv() {
                    Ok(ImportMessage::File(p, r)) => {
                        run.done += 1;
                        lines.push(describe(&p, &r));
                    }
                    Ok(ImportMessage::Finished(fp)) => {
                        finished = Some(fp);
                        break;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        finished = Some(Err("the import stopped unexpectedly".to_owned()));
                        break;
                    }
                }
            }
        }
        for (ok, line) in lines {
            if ok { self.info(line) } else { self.error(line) }
        }
        let Some(fp) = finished else { return };
        self.importing = None;
        let Some(s) = self.session.as_ref() else { return };
        s.inv.ledger().forget_cached();
        match fp {
            Ok(fp) if fp != s.inv.case().ledger.fingerprint => self.command(Command::RebindLedger { fingerprint: fp }),
            Ok(_) => {}
            Err(e) => self.error(e),
        }
    }

    /// The progress bar and cancel button (in the top bar while an import runs).
    pub fn import_progress_ui(&mut self, ui: &mut egui::Ui) {
        let Some(run) = &self.importing else { return };
        let bar = egui::ProgressBar::new(run.fraction()).desired_width(180.0).show_percentage();
        ui.add(bar).on_hover_text(run.status());
        ui.label(run.status());
        if ui.button("Cancel import").clicked() {
            self.cancel_import();
        }
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
    }
}
