//! Opening a case off the UI thread. Reading the case file, binding its ledger, loading the
//! case's transfer rows and deriving what the window draws (the graph, the positions, the canvas
//! scene, the timeline and the legend) take seconds for a case of 20,000 nodes; they run on a
//! `hoptrace-open` thread while the window keeps showing what it showed and says what it is
//! opening. The result is taken over in O(1) (moves) when it arrives. [`WorkbenchApp::open`]
//! does the same work on the calling thread (tests, and where the case must be open before the
//! next step).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use egui::Pos2;

use super::app::{Session, WorkbenchApp};
use super::applying::View;
use crate::case::{Case, NodeKey, file};
use crate::graph::{Investigation, InvestigationGraph, InvestigationState};
use crate::ledger::{LedgerSource, ReadLedger};
use crate::workbench::jobs::{Job, Poll};

/// A case being opened in the background.
pub struct Opening {
    job: Job<Opened>,
    /// The case file being opened, for the top bar.
    pub path: PathBuf,
}

impl Opening {
    /// The case file's name (the whole path if it has none).
    #[must_use]
    pub fn name(&self) -> String {
        self.path.file_name().map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into_owned())
    }
}

/// What the window draws of a freshly opened session.
/// A session opened on another thread, without its ledger connection (which stays on the
/// thread that opened it): the UI thread opens its own.
struct Parts {
    state: InvestigationState,
    source: LedgerSource,
    path: PathBuf,
    graph: InvestigationGraph,
    positions: HashMap<NodeKey, Pos2>,
    dirty: bool,
    generation: u64,
    guard: super::app::CaseGuard,
}

impl Parts {
    fn of(session: Session) -> Self {
        let Session { inv, path, graph, positions, dirty, generation, guard } = session;
        let source = inv.ledger().source();
        Parts { state: inv.into_state(), source, path, graph, positions, dirty, generation, guard }
    }

    /// The session, on a connection of this thread's own to the same ledger.
    fn session(self) -> Result<Session, String> {
        let Parts { state, source, path, graph, positions, dirty, generation, guard } = self;
        let ledger = source.open().map_err(|e| e.to_string())?;
        Ok(Session { inv: Investigation::carry_on(state, ledger), path, graph, positions, dirty, generation, guard })
    }
}

/// An opened case, ready to be shown.
pub(super) struct Opened {
    session: Result<(Parts, View), String>,
    /// An autosave further along than the case file (after a crash).
    recovered: Option<Case>,
}

/// Opens the case at `path` and derives its view: the work of opening, on whatever thread.
pub(super) fn open_case(path: &Path, examiner: &str) -> Opened {
    let session = match Session::open(path, examiner) {
        Ok(s) => s,
        Err(e) => return Opened { session: Err(e), recovered: None },
    };
    let view = View::derive(&session.graph, &session.positions, &session.inv, session.generation);
    let saved = session.inv.case().audit.len();
    let recovered = file::load_recovery(path).ok().flatten().filter(|r| r.audit.len() > saved);
    Opened { session: Ok((Parts::of(session), view)), recovered }
}

impl WorkbenchApp {
    /// Starts opening the case at `path` in the background (see the module docs); the case
    /// shown so far stays until it is open. Opening the case already being opened does nothing.
    pub fn open_in_background(&mut self, path: &Path) {
        if self.opening.as_ref().is_some_and(|o| o.path == path) {
            return;
        }
        if self.asks_before_leaving(super::dialogs::Leave::Case(path.to_owned())) {
            return;
        }
        self.open_in_background_now(path);
    }

    /// Whether the open case has unsaved changes that leaving it for `to` would drop: then the
    /// window asks first (save, leave without saving, or stay) and goes on from its answer.
    pub fn asks_before_leaving(&mut self, to: super::dialogs::Leave) -> bool {
        let dirty = self.session.as_ref().is_some_and(|s| s.dirty && s.guard.read_only.is_none());
        let same = matches!(&to, super::dialogs::Leave::Case(p) if self.session.as_ref().is_some_and(|s| s.path == *p));
        if !dirty || same {
            return false;
        }
        self.dialog = Some(super::dialogs::Dialog::ConfirmLeave { to });
        true
    }

    /// [`Self::open_in_background`] without asking about unsaved changes.
    pub fn open_in_background_now(&mut self, path: &Path) {
        let target = path.to_owned();
        let examiner = self.examiner();
        match Job::spawn("hoptrace-open", move |_| open_case(&target, &examiner)) {
            Ok(job) => self.opening = Some(Opening { job, path: path.to_owned() }),
            // Without a thread it is opened here, which only blocks the window meanwhile.
            Err(_) => self.open(path),
        }
    }

    /// Takes over a case opened in the background if it has arrived.
    pub fn poll_opening(&mut self) {
        let Some(o) = &self.opening else { return };
        match o.job.poll(|()| {}) {
            Poll::Done(opened) => {
                let path = o.path.clone();
                self.opening = None;
                self.take_opened(&path, opened);
            }
            Poll::Running => {}
            Poll::Lost => {
                let path = o.path.display().to_string();
                self.opening = None;
                self.error(format!("opening {path} stopped without a result"));
            }
        }
    }

    /// Waits for a case being opened in the background and shows it (tests use it).
    pub fn finish_opening(&mut self) {
        let Some(o) = self.opening.take() else { return };
        match o.job.wait(|()| {}) {
            Some(opened) => self.take_opened(&o.path, opened),
            None => self.error(format!("opening {} stopped without a result", o.path.display())),
        }
    }

    /// Whether a case is being opened in the background.
    #[must_use]
    pub fn is_opening(&self) -> bool {
        self.opening.is_some()
    }

    /// Shows an opened case (or reports why it could not be opened).
    pub(super) fn take_opened(&mut self, path: &Path, opened: Opened) {
        let Opened { session, recovered } = opened;
        let (mut session, view) = match session.and_then(|(parts, view)| Ok((parts.session()?, view))) {
            Ok(s) => s,
            Err(e) => {
                self.error(e);
                return;
            }
        };
        if let Some(old) = self.session.as_mut() {
            let same = old.path == session.path;
            session.guard.inherit(&mut old.guard, same);
        }
        // A background apply to the case open until now is left to finish on its own.
        self.applying = None;
        self.review.leave();
        // What is replaced is freed off the UI thread (a large graph takes milliseconds).
        let old = (
            self.legend_cache.replace((session.generation, view.legend)),
            std::mem::replace(&mut self.timeline_cache, view.timeline),
            // The old connection to the ledger is closed here (it stays on its thread).
            self.session.replace(session).map(|s| (s.inv.into_state(), s.graph, s.positions)),
            std::mem::take(&mut self.canvas),
        );
        super::applying::drop_elsewhere(old);
        // Changes made in this window are recorded under its examiner, whoever made the case.
        let examiner = self.examiner();
        if let Some(s) = self.session.as_mut() {
            s.inv.set_actor(&examiner);
        }
        self.training = None;
        // Results computed on the case shown until now do not describe this one.
        self.taint.forget_case();
        self.paths.forget_case();
        self.peel.forget_case();
        self.suggestions = None;
        self.selected_hop = None;
        self.timeline_pick = None;
        // Messages about the case shown until now do not carry over to this one.
        self.notices.clear();
        self.canvas.adopt(view.scene);
        self.canvas.request_fit();
        self.pick = super::app::HopPick::default();
        self.prefs.recent.retain(|p| p != path);
        self.prefs.recent.insert(0, path.to_owned());
        self.prefs.recent.truncate(10);
        match self.session.as_ref().and_then(|s| s.guard.read_only.clone()) {
            Some(why) => {
                let name =
                    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                self.error(format!("Opened {name} read-only: {why}"));
            }
            None => self.info(format!("Opened {}", path.display())),
        }
        if let Some(recovered) = recovered {
            self.dialog = Some(super::dialogs::Dialog::Recover { case: Box::new(recovered) });
        }
    }
}

impl WorkbenchApp {
    /// File > New case, once its file is chosen: asks for the title, the investigator and the
    /// ledger (a new empty one beside the case, proposed).
    pub fn new_case_at(&mut self, path: PathBuf) {
        let title = path.file_stem().map(|s| s.to_string_lossy().replace(['-', '_'], " ")).unwrap_or_default();
        let ledger = crate::graph::create::default_ledger(&path).display().to_string();
        self.dialog = Some(super::dialogs::Dialog::NewCase {
            path,
            title,
            investigator: crate::graph::create::default_actor(),
            ledger,
        });
    }

    /// Creates the case at `path` on `ledger` (made empty when it does not exist; relative to
    /// the case's folder), saves it and opens it.
    ///
    /// # Errors
    /// Why the case was not created (nothing is written then).
    pub fn create_case(&mut self, path: &Path, title: &str, investigator: &str, ledger: &str) -> Result<(), String> {
        let ledger = ledger.trim();
        if ledger.is_empty() {
            return Err("name the ledger file (a new one is made if it does not exist)".to_owned());
        }
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
        let lpath = folder.join(ledger);
        let inv =
            crate::graph::create::start_case(path, &lpath, title, investigator, false).map_err(|e| e.to_string())?;
        file::save(inv.case(), path).map_err(|e| format!("the case was not saved: {e}"))?;
        drop(inv);
        self.open(path);
        if self.session.as_ref().is_some_and(|s| s.path == path) {
            self.info(format!(
                "New case {} on ledger {}: import export files into it (File > Import files…), then add seeds",
                path.display(),
                lpath.display()
            ));
        }
        Ok(())
    }
}
