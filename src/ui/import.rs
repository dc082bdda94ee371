//! Importing export files into the open case's ledger on a background thread, with a progress
//! bar and a cancel button. The thread opens its own connection to the ledger; each file is one
//! batch (committed whole or rolled back); when all are done the case is rebound to the ledger's
//! new fingerprint by an audited [`Command::RebindLedger`].
//!
//! A file whose chain cannot be told ([`LedgerError::ChainUndecided`]) is asked about ("Which
//! chain is FILE from?") and imported again with that chain; a CSV no reader recognises is
//! offered to the mapping dialog ([`super::mapping_dialog`]). With "Import good rows, list
//! refused ones" the good rows are committed and the refused ones written beside the ledger.

use std::path::PathBuf;
use std::sync::Arc;

use super::app::WorkbenchApp;
use crate::graph::Command;
use crate::import::{DetectError, ImportOptions};
use crate::ledger::{
    ImportControl, ImportOutcome, ImportReport, Ledger, LedgerError, LedgerSource, ReadLedger, WriteLedger,
};
use crate::workbench::jobs::{Job, Poll};

/// Why a file was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportFailure {
    /// Nothing in the file tells its chain: ask the user (the message says what was looked at).
    ChainUndecided(String),
    /// No reader recognises the file: offer the mapping dialog.
    Unrecognised(String),
    /// Any other failure.
    Other(String),
}

impl ImportFailure {
    fn of(e: &LedgerError) -> Self {
        match e {
            LedgerError::ChainUndecided { .. } => Self::ChainUndecided(e.to_string()),
            LedgerError::Format { source: DetectError::UnknownHeader(_), .. } => Self::Unrecognised(e.to_string()),
            _ => Self::Other(e.to_string()),
        }
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Self::ChainUndecided(m) | Self::Unrecognised(m) | Self::Other(m) => m,
        }
    }
}

/// "Which chain is FILE from?": a file whose import stopped with
/// [`LedgerError::ChainUndecided`], to import again with the chain the user picks.
#[derive(Debug, Clone)]
pub struct ChainQuestion {
    /// The file.
    pub file: PathBuf,
    /// What the reader looked at, and which chains fit.
    pub message: String,
    /// The chains offered: those the message names, else every chain of the registry.
    pub chains: Vec<String>,
    /// The chain picked so far.
    pub choice: String,
    /// The options the file was imported with (the chain is added to them).
    pub options: ImportOptions,
}

impl ChainQuestion {
    /// The question for `file`, offering the chains `message` lists after "one of:".
    #[must_use]
    pub fn new(file: PathBuf, message: String, options: ImportOptions) -> Self {
        let registry = crate::model::registry();
        let named: Vec<String> = message
            .rsplit_once("one of: ")
            .map(|(_, list)| {
                list.split(',').map(|c| c.trim().to_owned()).filter(|c| registry.chain(c).is_ok()).collect()
            })
            .unwrap_or_default();
        let chains =
            if named.is_empty() { registry.chain_ids().into_iter().map(str::to_owned).collect() } else { named };
        let choice = chains.first().cloned().unwrap_or_default();
        ChainQuestion { file, message, chains, choice, options }
    }
}

/// The import's questions and settings between imports (the app holds one).
#[derive(Debug)]
pub struct ImportUi {
    /// "Import good rows, list refused ones" (`--skip-bad`).
    pub skip_bad: bool,
    /// Files waiting for the user to name their chain.
    pub chain_questions: Vec<ChainQuestion>,
    /// Files no reader recognised, offered to the mapping dialog.
    pub unrecognised: Vec<(PathBuf, String)>,
    /// The mapping dialog, when open.
    pub mapping: Option<super::mapping_dialog::MappingDialog>,
    /// Where mapping profiles are saved.
    pub profiles: crate::import::mapping::ProfileStore,
}

impl Default for ImportUi {
    fn default() -> Self {
        let profiles = crate::import::mapping::ProfileStore::from_env()
            .unwrap_or_else(|_| crate::import::mapping::ProfileStore::at("hoptrace-profiles"));
        ImportUi { skip_bad: false, chain_questions: Vec::new(), unrecognised: Vec::new(), mapping: None, profiles }
    }
}

/// What the import job reports per file: the file and its report (or why it failed).
pub type FileImported = (PathBuf, Result<ImportReport, ImportFailure>);

/// An import in progress.
#[derive(Debug)]
pub struct RunningImport {
    /// The files and their sizes in bytes.
    pub files: Vec<(PathBuf, u64)>,
    /// Files finished so far.
    pub done: usize,
    /// Progress and cancellation (shared with the thread).
    pub control: Arc<ImportControl>,
    /// The options every file is imported with.
    pub options: ImportOptions,
    /// The job; its result is the ledger's fingerprint after the last file.
    job: Job<Result<String, String>, FileImported>,
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
fn describe(path: &std::path::Path, r: &Result<ImportReport, ImportFailure>) -> (bool, String) {
    match r {
        Ok(r) => match r.outcome {
            ImportOutcome::Committed => {
                let mut line = format!("{}: {} transfers, {} labels imported", path.display(), r.transfers, r.labels);
                if let Some(out) = &r.refused_file {
                    line.push_str(&format!("; {} rows refused, listed in {}", r.refused.len(), out.display()));
                }
                (r.refused.is_empty(), line)
            }
            ImportOutcome::AlreadyImported => (true, format!("{}: already imported", path.display())),
            ImportOutcome::RefusedRows => (
                false,
                format!(
                    "{}: {} rows refused, nothing imported (first: {}); to import the good rows, tick File > {}",
                    path.display(),
                    r.refused.len(),
                    r.refused.first().map(ToString::to_string).unwrap_or_default(),
                    super::actions::Action::ToggleSkipBad.text()
                ),
            ),
        },
        Err(e) => (false, e.message().to_owned()),
    }
}

/// Where "Import good rows, list refused ones" writes a file's refused rows: beside the ledger
/// file (beside the imported file for a ledger that is not one),
/// `FILE_NAME.refused.csv` (as `hoptrace import --skip-bad` does).
#[must_use]
pub fn refused_path(ledger: &LedgerSource, file: &std::path::Path) -> PathBuf {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    ledger
        .file()
        .unwrap_or(file)
        .parent()
        .map_or_else(PathBuf::new, std::path::Path::to_path_buf)
        .join(format!("{name}.refused.csv"))
}

impl WorkbenchApp {
    /// Starts importing `files` into the open case's ledger on a background thread, with
    /// "Import good rows, list refused ones" as ticked.
    pub fn import(&mut self, files: &[PathBuf]) {
        let options = ImportOptions { skip_bad: self.import_ui.skip_bad, ..ImportOptions::default() };
        self.import_with(files, options);
    }

    /// Starts importing `files` with `options` (a mapping profile, a chain) on a background thread.
    pub fn import_with(&mut self, files: &[PathBuf], options: ImportOptions) {
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
        let source = s.inv.ledger().source();
        let sized: Vec<(PathBuf, u64)> =
            files.iter().map(|f| (f.clone(), std::fs::metadata(f).map_or(0, |m| m.len()))).collect();
        // One cancel flag: the job's, which the ledger's import checks as it reads.
        let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let control = Arc::new(ImportControl::with_cancel(cancel.clone()));
        let thread_control = control.clone();
        let thread_files: Vec<PathBuf> = files.to_vec();
        let thread_options = options.clone();
        let spawned = Job::spawn_with_cancel("hoptrace-import", cancel, move |job| {
            let mut ledger = source.open().map_err(|e| e.to_string())?;
            for f in thread_files {
                let refused_out = thread_options.skip_bad.then(|| refused_path(&source, &f));
                let r = ledger
                    .import_file_with(&f, &thread_options, refused_out.as_deref(), &thread_control)
                    .map_err(|e| ImportFailure::of(&e));
                job.report((f, r));
                if thread_control.is_cancelled() {
                    break;
                }
            }
            ledger.fingerprint().map_err(|e| e.to_string())
        });
        match spawned {
            Ok(job) => self.importing = Some(RunningImport { files: sized, done: 0, control, options, job }),
            Err(e) => self.error(format!("cannot start the import: {e}")),
        }
    }

    /// Asks the running import to stop (the file being read is rolled back).
    pub fn cancel_import(&mut self) {
        if let Some(i) = &self.importing {
            i.job.cancel();
        }
    }

    /// Takes what the import thread reported since the last frame.
    pub fn poll_import(&mut self) {
        let mut finished = None;
        let mut lines = Vec::new();
        if let Some(run) = self.importing.as_mut() {
            let mut done = 0;
            let import_ui = &mut self.import_ui;
            let polled = run.job.poll(|(p, r)| {
                done += 1;
                match &r {
                    Err(ImportFailure::ChainUndecided(m)) => {
                        import_ui.chain_questions.push(ChainQuestion::new(p.clone(), m.clone(), run.options.clone()));
                    }
                    Err(ImportFailure::Unrecognised(m)) if run.options.profile.is_none() => {
                        import_ui.unrecognised.push((p.clone(), m.clone()));
                    }
                    _ => {}
                }
                let (ok, line) = describe(&p, &r);
                lines.push((p.display().to_string(), ok, line));
            });
            run.done += done;
            finished = match polled {
                Poll::Running => None,
                Poll::Done(fp) => Some(fp),
                Poll::Lost => Some(Err("the import stopped unexpectedly".to_owned())),
            };
        }
        for (file, ok, line) in lines {
            self.notice_about(&file, line, !ok);
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

impl WorkbenchApp {
    /// The import's windows: "Which chain is FILE from?", the mapping offer for a CSV no reader
    /// knows, and the mapping dialog.
    pub fn import_windows_ui(&mut self, ctx: &egui::Context) {
        self.chain_question_ui(ctx);
        self.unrecognised_ui(ctx);
        self.mapping_dialog_ui(ctx);
    }

    fn chain_question_ui(&mut self, ctx: &egui::Context) {
        let Some(q) = self.import_ui.chain_questions.first_mut() else { return };
        let name = q.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut answer = None;
        egui::Window::new("Which chain?").collapsible(false).resizable(false).show(ctx, |ui| {
            ui.heading(format!("Which chain is {name} from?"));
            // The reader's message ends with the command line's advice (`pass --chain …`): the
            // window asks instead.
            ui.label(q.message.split(": pass --chain").next().unwrap_or(&q.message));
            egui::ComboBox::from_label("Chain").selected_text(&q.choice).show_ui(ui, |ui| {
                for c in &q.chains {
                    ui.selectable_value(&mut q.choice, c.clone(), c);
                }
            });
            answer = super::dialogs::choice(ui, &format!("Import as {}", q.choice), "Cancel");
        });
        let Some(yes) = answer else { return };
        let q = self.import_ui.chain_questions.remove(0);
        if yes {
            let options = ImportOptions { chain: Some(q.choice.clone()), ..q.options };
            self.import_with(&[q.file], options);
        }
    }

    fn unrecognised_ui(&mut self, ctx: &egui::Context) {
        let Some((file, message)) = self.import_ui.unrecognised.first() else { return };
        let mut answer = None;
        egui::Window::new("Unknown file format").collapsible(false).resizable(false).show(ctx, |ui| {
            ui.label(message);
            ui.label("Assign its columns by hand: the mapping can be saved as a profile for files like it.");
            answer = super::dialogs::choice(ui, "Import with mapping…", "Dismiss");
        });
        let file = file.clone();
        match answer {
            Some(true) => {
                self.import_ui.unrecognised.remove(0);
                self.open_mapping_dialog(vec![file]);
            }
            Some(false) => {
                self.import_ui.unrecognised.remove(0);
            }
            None => {}
        }
    }
}
