//! Review mode: an evidence package opened read-only (File > Open evidence package…, or
//! `hoptrace --review PKG`). The package is read and verified on a background thread; then the
//! window shows its verification, its case on the same canvas as a normal case (read-only: the
//! editing actions are disabled and no command runs), its hops and its report. Reviewers'
//! comments go to the review file beside the package through [`ReviewSession`] (its own audit
//! chain), never into the case or the package. Closing review mode gives back the case that
//! was open, with its view as it was.
//!
//! The panels are drawn by [`super::review_panel`]; this module holds the state and the
//! actions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use egui::Pos2;

use super::app::{WorkbenchApp, positions_of};
use super::canvas::CanvasState;
use crate::case::NodeKey;
use crate::package::Evidence;
use crate::report::content::HopRow;
use crate::review::file::ReviewSession;
use crate::review::package::export_review;
use crate::review::{ReviewAction, ReviewTarget};
use crate::workbench::jobs::{Job, Poll};

/// The report's text, as `report.html` and `report.pdf` state it.
#[derive(Debug, Clone, Default)]
pub struct ReportText {
    /// Key/value lines of the summary.
    pub summary: Vec<(&'static str, String)>,
    /// One row per hop.
    pub hops: Vec<HopRow>,
}

/// A package read and verified, with its review.
pub struct LoadedPackage {
    /// The package (its verification in `session.package.report`), case and review.
    pub session: ReviewSession,
    /// The case with the rows and labels read back from the package's own tables.
    pub evidence: Evidence,
    /// World positions of the graph's nodes.
    pub positions: HashMap<NodeKey, Pos2>,
    /// Problems met reading the tables back (beside the verification's).
    pub read_problems: Vec<String>,
    /// The report's summary and hops.
    pub report: ReportText,
}

/// A comment being written.
#[derive(Debug, Clone)]
pub struct CommentDraft {
    /// What it is about.
    pub target: ReviewTarget,
    /// The text so far.
    pub text: String,
    /// Put the keyboard focus in the dialog on its next frame.
    pub focus: bool,
}

/// The package under review.
pub struct ReviewMode {
    /// The package's path.
    pub path: PathBuf,
    /// Its file name, for titles.
    pub name: String,
    /// The package, or why it could not be read at all.
    pub loaded: Result<Box<LoadedPackage>, String>,
    /// The comment dialog, when open.
    pub draft: Option<CommentDraft>,
    /// The report window is shown.
    pub report_shown: bool,
    /// The legend height the graph was last fitted above.
    pub fitted_above: Option<f32>,
    /// The normal mode's canvas and selected hop, given back on close.
    stash: (CanvasState, Option<u64>),
}

/// A package being read and verified on a background thread.
pub struct ReviewLoad {
    /// The package.
    pub path: PathBuf,
    job: Job<Result<Box<LoadedPackage>, String>>,
}

/// Review mode's state (the app holds one).
#[derive(Default)]
pub struct ReviewUi {
    /// A package being verified.
    pub loading: Option<ReviewLoad>,
    /// The package under review.
    pub active: Option<Box<ReviewMode>>,
    /// The window title last set.
    title: Option<String>,
}

impl ReviewUi {
    /// Review mode is on (the package may have failed to open: its banner says why).
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }

    /// A package is being verified.
    #[must_use]
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// A package is open for review.
    #[must_use]
    pub fn is_loaded(&self) -> bool {
        self.loaded().is_some()
    }

    /// The package open for review.
    #[must_use]
    pub fn loaded(&self) -> Option<&LoadedPackage> {
        self.active.as_ref().and_then(|r| r.loaded.as_deref().ok())
    }

    /// The report window is shown.
    #[must_use]
    pub fn report_shown(&self) -> bool {
        self.active.as_ref().is_some_and(|r| r.report_shown)
    }

    /// Shows or hides the report window.
    pub fn toggle_report(&mut self) {
        if let Some(r) = self.active.as_mut() {
            r.report_shown = !r.report_shown;
        }
    }

    /// Leaves review mode without giving anything back (a case is being opened).
    pub fn leave(&mut self) {
        self.active = None;
        self.loading = None;
    }

    /// The window title this state wants, when it differs from the one last set.
    pub(super) fn title_change(&mut self) -> Option<String> {
        let want = self.active.as_ref().map_or_else(|| "hoptrace".to_owned(), |r| review_title(&r.name));
        (self.title.as_ref() != Some(&want)).then(|| {
            self.title = Some(want.clone());
            want
        })
    }
}

/// `Review — pkg.zip (read-only)`.
#[must_use]
pub fn review_title(name: &str) -> String {
    format!("Review — {name} (read-only)")
}

/// Reads, verifies and reads back the package at `path` (on the loading thread).
fn load(path: &Path) -> Result<Box<LoadedPackage>, String> {
    let session = ReviewSession::open(path).map_err(|e| e.to_string())?;
    let (evidence, read_problems) = Evidence::from_package(&session.package)?;
    let positions = positions_of(&evidence.graph);
    let report = report_text(&session, &evidence);
    Ok(Box::new(LoadedPackage { session, evidence, positions, read_problems, report }))
}

fn report_text(session: &ReviewSession, ev: &Evidence) -> ReportText {
    let mut transfers: Vec<_> = ev.rows.values().cloned().collect();
    transfers.sort_by_key(|r| r.id);
    let labels: Vec<_> = ev.ledger_labels.values().flatten().cloned().collect();
    let manifest = session.package.manifest.as_ref();
    let files: Vec<crate::report::PackageFile> = manifest
        .map(|m| {
            m.files
                .iter()
                .map(|f| crate::report::PackageFile { name: f.name.clone(), sha256: f.sha256.clone(), size: f.size })
                .collect()
        })
        .unwrap_or_default();
    let input = crate::report::ReportInput {
        case: &ev.case,
        transfers: &transfers,
        labels: &labels,
        audit_verified: ev.case.verify_audit().map_err(|e| e.to_string()),
        ledger_fingerprint: &ev.ledger_fingerprint,
        exported_at: manifest.map_or(ev.case.modified, |m| m.exported_at_unix),
        tool_version: manifest.map_or("?", |m| m.tool_version.as_str()),
        package_files: &files,
    };
    ReportText { summary: crate::report::content::summary(&input), hops: crate::report::content::hops(&input) }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl WorkbenchApp {
    /// Opens the package at `path` for review: it is read and verified on a background thread,
    /// then the window switches to review mode.
    pub fn open_review(&mut self, path: &Path) {
        if self.review.is_loading() {
            return self.error("a package is already being verified: wait for it");
        }
        let thread_path = path.to_owned();
        match Job::spawn("hoptrace-verify", move |_| load(&thread_path)) {
            Ok(job) => self.review.loading = Some(ReviewLoad { path: path.to_owned(), job }),
            Err(e) => self.error(format!("cannot start verifying {}: {e}", path.display())),
        }
    }

    /// Stops waiting for a package being verified (the thread finishes on its own).
    pub fn cancel_review_load(&mut self) {
        self.review.loading = None;
    }

    /// Switches to review mode when the verification thread is done.
    pub fn poll_review(&mut self) {
        let Some(load) = &self.review.loading else { return };
        let loaded = match load.job.poll(|()| {}) {
            Poll::Done(r) => r,
            Poll::Running => return,
            Poll::Lost => Err("verifying the package stopped unexpectedly".to_owned()),
        };
        let path = load.path.clone();
        self.review.loading = None;
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        match &loaded {
            Ok(l) if l.session.package.report.is_intact() => self.info(format!("{name}: verified intact")),
            Ok(l) => self.error(format!("{name}: NOT intact ({} problems)", l.session.package.report.problems.len())),
            Err(e) => self.error(format!("{name} cannot be opened for review: {e}")),
        }
        // The normal mode's view is kept aside; a package replacing another keeps the first stash.
        let stash = match self.review.active.take() {
            Some(old) => old.stash,
            None => (std::mem::take(&mut self.canvas), self.selected_hop.take()),
        };
        self.canvas = CanvasState::default();
        self.canvas.set_read_only(true);
        self.dialog = None;
        self.palette = None;
        self.review.active = Some(Box::new(ReviewMode {
            path,
            name,
            loaded,
            draft: None,
            report_shown: false,
            fitted_above: None,
            stash,
        }));
    }

    /// Leaves review mode: the case that was open comes back as it was (or, with none, the most
    /// recent case is opened).
    pub fn close_review(&mut self) {
        let Some(r) = self.review.active.take() else { return };
        (self.canvas, self.selected_hop) = r.stash;
        if self.session.is_none()
            && let Some(recent) = self.prefs.recent.first().cloned()
        {
            self.open_in_background(&recent);
        }
    }

    /// What a comment written now would be about: the selected hop, else the selected edge (by
    /// its first transfer), else the one selected node, else the whole case.
    #[must_use]
    pub fn review_target(&self) -> ReviewTarget {
        if let Some(h) = self.selected_hop {
            return ReviewTarget::Hop(h);
        }
        let graph = self.review.loaded().map(|l| &l.evidence.graph);
        if let (Some(g), Some((a, b))) = (graph, self.canvas.selected_edge())
            && let (Some(&ia), Some(&ib)) = (g.index.get(a), g.index.get(b))
            && let Some(first) = g.graph.find_edge(ia, ib).and_then(|e| g.graph[e].transfers.first())
        {
            return ReviewTarget::Transfer(*first);
        }
        match self.canvas.selection().iter().collect::<Vec<_>>().as_slice() {
            [one] => ReviewTarget::Node((*one).clone()),
            _ => ReviewTarget::Case,
        }
    }

    /// Opens the comment dialog for the current target.
    pub fn start_review_comment(&mut self) {
        let target = self.review_target();
        if self.prefs.reviewer.trim().is_empty()
            && let Ok(name) = std::env::var("HOPTRACE_REVIEWER")
        {
            self.prefs.reviewer = name;
        }
        if let Some(r) = self.review.active.as_mut() {
            r.draft = Some(CommentDraft { target, text: String::new(), focus: true });
        }
    }

    /// Records the comment being written in the review file; returns whether it was kept (on
    /// failure the dialog stays open with the text, and the review file is unchanged).
    pub fn add_review_comment(&mut self) -> bool {
        let reviewer = self.prefs.reviewer.trim().to_owned();
        let Some(r) = self.review.active.as_mut() else { return false };
        let (Ok(loaded), Some(draft)) = (r.loaded.as_mut(), r.draft.as_ref()) else { return false };
        if reviewer.is_empty() {
            self.error("say who you are: type your name in Reviewer");
            return false;
        }
        let before = loaded.session.review.clone();
        let action = ReviewAction::Comment { target: draft.target.clone(), text: draft.text.trim().to_owned() };
        let result = loaded.session.apply(action, &reviewer, now()).and_then(|id| loaded.session.save().map(|()| id));
        match result {
            Ok(id) => {
                let msg =
                    format!("Comment #{id} on {} saved in {}", draft.target.describe(), loaded.session.path.display());
                r.draft = None;
                self.info(msg);
                true
            }
            Err(e) => {
                loaded.session.review = before;
                self.error(format!("The comment was not saved: {e}"));
                false
            }
        }
    }

    /// Review > Export review package…: the comments as a review package (zip).
    pub fn export_review_package(&mut self) {
        self.choose(super::files::Purpose::SaveReviewPackage);
    }

    /// Writes the comments as a review package to `out`.
    pub fn export_review_package_to(&mut self, out: &Path) {
        let Some(loaded) = self.review.loaded() else { return };
        let comments = loaded.session.review.comments.len();
        match export_review(&loaded.session.review, out, None) {
            Ok(sha) => {
                self.info(format!("Exported review package {} ({comments} comments); SHA-256 {sha}", out.display()))
            }
            Err(e) => self.error(format!("The review package was not written to {}: {e}", out.display())),
        }
    }
}
