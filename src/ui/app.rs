//! The workbench app: the open case, the view state, and the one place where user actions
//! become [`Command`]s (collected during the frame, applied once at its end).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use egui::Pos2;

use super::canvas::CanvasState;
use super::files::{FileDialogs, SystemDialogs};
use crate::case::{NodeKey, file};
use crate::graph::{Command, Investigation, InvestigationGraph};
use crate::ledger::AnyLedger;

/// A case open in the window.
pub struct Session {
    /// The investigation (case + ledger).
    pub inv: Investigation<AnyLedger>,
    /// Where the case is saved.
    pub path: PathBuf,
    /// The graph, rebuilt after every command.
    pub graph: InvestigationGraph,
    /// World positions: the case's own, else the flow layout's.
    pub positions: HashMap<NodeKey, Pos2>,
    /// Changed since the last save.
    pub dirty: bool,
    /// Identifies the graph and positions as they are: a new number, unique in the process,
    /// after every change (caches of what is derived from them compare it).
    pub generation: u64,
    /// The case's lock (one writer per case) and the audit head the unsaved work started from.
    pub guard: CaseGuard,
}

pub use crate::workbench::session::CaseGuard;

impl Session {
    /// Opens a case file (rebinding to its ledger if new files were imported: recorded).
    ///
    /// # Errors
    /// A message naming what could not be read.
    pub fn open(path: &Path, examiner: &str) -> Result<Self, String> {
        // The lock first, then the file: what is read is the latest saved version.
        let (guard, case) = CaseGuard::probe(path, "hoptrace window", || file::load(path).map_err(|e| e.to_string()))?;
        let inv = crate::workbench::session::bind(path, case, crate::workbench::session::Rebind::Yes, Some(examiner))
            .map_err(|e| e.to_string())?;
        let mut s = Session {
            inv,
            path: path.to_owned(),
            graph: InvestigationGraph::default(),
            positions: HashMap::new(),
            dirty: false,
            generation: 0,
            guard,
        };
        s.refresh().map_err(|e| e.to_string())?;
        Ok(s)
    }

    /// Rebuilds the graph and the positions after a change.
    ///
    /// # Errors
    /// A ledger failure while reading labels.
    pub fn refresh(&mut self) -> Result<(), crate::ledger::LedgerError> {
        self.graph = self.inv.graph()?;
        self.positions = positions_of(&self.graph);
        self.generation = next_generation();
        Ok(())
    }
}

/// A number not handed out before in this process (for [`Session::generation`]).
#[must_use]
pub fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// World positions of a graph's nodes. Expansions and moves place every node; the flow layout
/// only fills in nodes a case file left without a position.
#[must_use]
pub fn positions_of(graph: &InvestigationGraph) -> HashMap<NodeKey, Pos2> {
    let placed = graph.placed();
    graph
        .graph
        .node_indices()
        .filter_map(|i| {
            let (x, y) = placed.get(i.index()).copied().flatten()?;
            Some((graph.graph[i].key.clone(), Pos2::new(x, y)))
        })
        .collect()
}

/// A message to the user, shown for a few seconds (information) or half a minute (errors), or
/// until dismissed.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// An error (stays longer) or information.
    pub error: bool,
    /// When it was first shown (egui time), set on first display.
    pub shown_at: Option<f64>,
    /// What it is about (a file, "export"), when a later message about the same replaces it.
    pub topic: Option<String>,
}

/// Transfers picked for a hop in the inspector's table.
#[derive(Debug, Clone, Default)]
pub struct HopPick {
    /// Going into the service.
    pub inbound: BTreeSet<i64>,
    /// Coming out of it.
    pub outbound: BTreeSet<i64>,
}

/// Persisted preferences.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Prefs {
    /// Light theme instead of dark.
    pub light: bool,
    /// Larger text for presenting.
    pub presenter: bool,
    /// Recently opened cases, newest first.
    pub recent: Vec<PathBuf>,
    /// The timeline panel is shown.
    #[serde(default = "yes")]
    pub timeline: bool,
    /// The canvas legend is shown.
    #[serde(default = "yes")]
    pub legend: bool,
    /// The reviewer's name, recorded with review comments (empty: not yet given).
    #[serde(default)]
    pub reviewer: String,
    /// Who works in this window, named in the audit log for every change they make (empty:
    /// `HOPTRACE_INVESTIGATOR`, else the login name).
    #[serde(default)]
    pub examiner: String,
    /// The case panel and the inspector are shown (hidden: the canvas takes the width).
    #[serde(default = "yes")]
    pub side_panels: bool,
    /// The activity (audit log) panel is shown.
    #[serde(default = "yes")]
    pub activity: bool,
}

fn yes() -> bool {
    true
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            light: false,
            presenter: false,
            recent: Vec::new(),
            timeline: true,
            legend: true,
            reviewer: String::new(),
            examiner: String::new(),
            side_panels: true,
            activity: true,
        }
    }
}

/// The window's state.
pub struct WorkbenchApp {
    /// The open case, if any.
    pub session: Option<Session>,
    /// Canvas view state.
    pub canvas: CanvasState,
    /// File dialogs (system ones, or fakes in tests).
    pub files: Box<dyn FileDialogs>,
    /// Messages.
    pub notices: Vec<Notice>,
    /// The search box.
    pub search: String,
    /// The open dialog, if any.
    pub dialog: Option<super::dialogs::Dialog>,
    /// Ledger summaries of the selected addresses (the inspector).
    pub summary_cache: super::summary::SummaryCache,
    /// Where training cases are copied and built (None: the user's data folder,
    /// [`crate::training::data_dir`]).
    pub training_data: Option<PathBuf>,
    /// The open help page, if any.
    pub help: Option<super::help::HelpPage>,
    /// The window's own file chooser, open when the system dialog could not be shown.
    pub path_prompt: Option<super::path_prompt::PathPrompt>,
    /// Preferences.
    pub prefs: Prefs,
    /// Transfers picked for a hop.
    pub pick: HopPick,
    /// Commands asked for this frame.
    pub pending: Vec<Command>,
    /// A searched address found in the ledger but not on the graph: (text, chains).
    pub search_offer: Option<(String, Vec<String>)>,
    /// Addresses of the ledger starting with the searched text (several: the user picks).
    pub search_matches: Vec<String>,
    /// The user confirmed closing (unsaved changes handled).
    pub closing: bool,
    /// Commands being applied on a background thread (see [`super::applying`]).
    pub applying: Option<super::applying::Applying>,
    /// A case being opened on a background thread (see [`super::opening`]).
    pub opening: Option<super::opening::Opening>,
    /// A layout running on a background thread: its result arrives as an `Arrange` command.
    pub arranging: Option<crate::workbench::jobs::Job<Command>>,
    /// An import running on a background thread.
    pub importing: Option<super::import::RunningImport>,
    /// The command palette, when open.
    pub palette: Option<super::palette::Palette>,
    /// Put the keyboard focus in the search box next frame.
    pub focus_search: bool,
    /// Text to copy to the clipboard at the end of the frame.
    pub copy_request: Option<String>,
    /// Transfers highlighted from the timeline (a click on a point).
    pub timeline_pick: Option<i64>,
    /// The hop shown in the inspector (clicked in the case panel or on its mark).
    pub selected_hop: Option<u64>,
    /// Where each transfer was drawn on the timeline last frame (screen points).
    pub timeline_screen: Vec<(i64, egui::Pos2)>,
    /// The timeline's points, derived once per change of the graph.
    pub timeline_cache: super::timeline::TimelineCache,
    /// The legend's items with the [`Session::generation`] they were derived for.
    pub legend_cache: Option<(u64, super::legend::LegendItems)>,
    /// The bundled fallback font was added to the context.
    pub fonts_installed: bool,
    /// Print every frame's CPU time to stderr (`HOPTRACE_FRAME_LOG=1`).
    pub frame_log: bool,
    /// How the inspector's transfers table is sorted (column, ascending).
    pub transfer_sort: (super::transfers_table::SortKey, bool),
    /// The training scenario open, with its walkthrough and exercises.
    pub training: Option<super::training::TrainingSession>,
    /// A training scenario being prepared (its ledger built) on a background thread.
    pub training_loading: Option<super::training::TrainingLoad>,
    /// A search for the other side of a node or hop, running on a background thread.
    pub finding: Option<super::finder::FinderRun>,
    /// The last search's candidates, shown in the suggestions window.
    pub suggestions: Option<super::finder::FinderResults>,
    /// The value-tracing window (taint from the seeds) and its last result.
    pub taint: super::taint_panel::TaintUi,
    /// The paths window (between two selected addresses) and its last result.
    pub paths: super::paths_panel::PathsUi,
    /// The peel-chain window and its last result.
    pub peel: super::peel_panel::PeelUi,
    /// The reason typed for rejecting the hop in the inspector.
    pub reject_reason: String,
    /// Evidence package export: the save question, the running export, the last result.
    pub export: super::export_dialog::ExportUi,
    /// Review mode: an evidence package opened read-only (or being verified).
    pub review: super::review_mode::ReviewUi,
    /// The import's settings and questions: skip bad rows, the chain question, the mapping dialog.
    pub import_ui: super::import::ImportUi,
}

impl WorkbenchApp {
    /// A window with no case open.
    #[must_use]
    pub fn new(files: Box<dyn FileDialogs>) -> Self {
        WorkbenchApp {
            session: None,
            canvas: CanvasState::default(),
            files,
            notices: Vec::new(),
            search: String::new(),
            dialog: None,
            path_prompt: None,
            help: None,
            training_data: None,
            summary_cache: super::summary::SummaryCache::default(),
            prefs: Prefs::default(),
            pick: HopPick::default(),
            pending: Vec::new(),
            search_offer: None,
            search_matches: Vec::new(),
            closing: false,
            applying: None,
            opening: None,
            arranging: None,
            importing: None,
            palette: None,
            focus_search: false,
            copy_request: None,
            timeline_pick: None,
            selected_hop: None,
            timeline_screen: Vec::new(),
            timeline_cache: super::timeline::TimelineCache::default(),
            legend_cache: None,
            fonts_installed: false,
            frame_log: std::env::var_os("HOPTRACE_FRAME_LOG").is_some_and(|v| v == "1"),
            transfer_sort: (super::transfers_table::SortKey::Id, true),
            training: None,
            training_loading: None,
            finding: None,
            suggestions: None,
            taint: super::taint_panel::TaintUi::default(),
            paths: super::paths_panel::PathsUi::default(),
            peel: super::peel_panel::PeelUi::default(),
            reject_reason: String::new(),
            export: super::export_dialog::ExportUi::default(),
            review: super::review_mode::ReviewUi::default(),
            import_ui: super::import::ImportUi::default(),
        }
    }

    /// A window with the system dialogs.
    #[must_use]
    pub fn with_system_dialogs() -> Self {
        Self::new(Box::new(SystemDialogs))
    }

    /// Opens a case now, on this thread (reporting failure as a notice); the window's own
    /// opens run in the background ([`WorkbenchApp::open_in_background`]).
    pub fn open(&mut self, path: &Path) {
        // A case being opened in the background meanwhile is abandoned.
        self.opening = None;
        let opened = super::opening::open_case(path, &self.examiner());
        self.take_opened(path, opened);
    }

    /// An error notice.
    pub fn error(&mut self, text: impl Into<String>) {
        self.notice(text.into(), true);
    }

    /// An information notice.
    pub fn info(&mut self, text: impl Into<String>) {
        self.notice(text.into(), false);
    }

    /// Who works in this window: the examiner's name as set (Edit > Examiner…), else
    /// `HOPTRACE_INVESTIGATOR` or the login name.
    #[must_use]
    pub fn examiner(&self) -> String {
        let set = self.prefs.examiner.trim();
        if set.is_empty() { crate::graph::create::default_actor() } else { set.to_owned() }
    }

    /// Names `name` as the examiner: every change from now on is recorded under this name.
    pub fn set_examiner(&mut self, name: &str) {
        self.prefs.examiner = name.trim().to_owned();
        let examiner = self.examiner();
        if let Some(s) = self.session.as_mut() {
            s.inv.set_actor(&examiner);
        }
    }

    /// Shows `text`; the same text again replaces the earlier one.
    fn notice(&mut self, text: String, error: bool) {
        self.notices.retain(|n| n.text != text);
        self.notices.push(Notice { text, error, shown_at: None, topic: None });
    }

    /// Shows `text` about `topic` (a file, "export"): a newer message about the same topic
    /// replaces the older ones, so a retry that worked leaves no stale error behind.
    pub fn notice_about(&mut self, topic: &str, text: impl Into<String>, error: bool) {
        self.notices.retain(|n| n.topic.as_deref() != Some(topic));
        self.notices.push(Notice { text: text.into(), error, shown_at: None, topic: Some(topic.to_owned()) });
    }

    /// Queues a command for the end of the frame.
    pub fn command(&mut self, c: Command) {
        self.pending.push(c);
    }

    /// Applies the queued commands, refreshing the graph and autosaving a recovery copy; on a
    /// background thread when they are too much for a frame ([`super::applying`]), in which
    /// case commands queued meanwhile wait for it.
    pub fn apply_pending(&mut self) {
        if self.pending.is_empty() || self.applying.is_some() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let Some(s) = self.session.as_mut() else {
            self.error("open a case first");
            return;
        };
        if super::applying::runs_in_background(&pending, s.graph.graph.node_count(), s.inv.history_sizes()) {
            self.start_applying(pending);
            return;
        }
        let mut errors = Vec::new();
        for c in pending {
            let name = c.name();
            if let Err(e) = s.inv.apply(c) {
                errors.push(format!("{name}: {e}"));
            } else {
                s.dirty = true;
            }
        }
        if let Err(e) = s.refresh() {
            errors.push(e.to_string());
        }
        if let Err(e) = file::save_recovery(s.inv.case(), &s.path) {
            errors.push(format!("autosave: {e}"));
        }
        for e in errors {
            self.error(e);
        }
    }

    /// Saves the case where it was opened from.
    pub fn save(&mut self) {
        self.finish_applying();
        let Some(s) = self.session.as_mut() else { return };
        match s.guard.save(s.inv.case(), &s.path) {
            Err(e @ crate::workbench::session::SaveError::ReadOnly(_)) => self.error(format!("Not saved: {e}")),
            Ok(()) => {
                s.dirty = false;
                let _ = file::discard_recovery(&s.path);
                let msg = format!("Saved {}", s.path.display());
                self.info(msg);
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Restores the autosaved case (unsaved: the user saves it) or discards the autosave.
    pub fn resolve_recovery(&mut self, restore: bool, recovered: crate::case::Case) {
        self.finish_applying();
        let examiner = self.examiner();
        let Some(s) = self.session.as_mut() else { return };
        if !restore {
            let _ = file::discard_recovery(&s.path);
            return;
        }
        match crate::workbench::session::bind(
            &s.path,
            recovered,
            crate::workbench::session::Rebind::Yes,
            Some(&examiner),
        ) {
            Ok(inv) => {
                s.inv = inv;
                s.dirty = true;
                if let Err(e) = s.refresh() {
                    self.error(e.to_string());
                } else {
                    self.info("Restored the autosaved version: save it to keep it");
                }
            }
            Err(e) => self.error(format!("the autosaved version cannot be restored: {e}")),
        }
    }

    /// Node count of the open case's graph (0 without a case).
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.session.as_ref().map_or(0, |s| s.graph.graph.node_count())
    }
}
