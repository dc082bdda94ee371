//! Work off the UI thread: layouts of the whole graph (their result comes back as one
//! [`Command::Arrange`]), and applying commands. An expansion (which can bring tens of thousands of
//! transfers), a large undo or redo, or any change to a large case runs on a `hoptrace-apply`
//! thread with its own connection to the ledger. That thread also derives what the window draws
//! (the graph, the positions, the canvas scene) and writes the recovery copy. Meanwhile the
//! window keeps showing the case as it was, says what it is applying, and queues further
//! commands; the result is taken over in O(1) (moves) when it arrives, and what it replaces is
//! dropped off the UI thread too.

use std::collections::HashMap;

use egui::Pos2;

use super::app::{WorkbenchApp, next_generation, positions_of};
use super::canvas::PreparedScene;
use super::legend::LegendItems;
use super::timeline::TimelineCache;
use crate::case::{NodeKey, file};
use crate::graph::{Command, Investigation, InvestigationGraph, InvestigationState};
use crate::layout::{LayoutGraph, LayoutNode, flow};
use crate::ledger::{LedgerSource, ReadLedger};
use crate::workbench::jobs::{Job, Poll};

/// From this many nodes on the graph every change is applied in the background: hashing the
/// case for the audit log and rebuilding the graph are O(n) and take longer than a frame.
pub const BACKGROUND_NODES: usize = 2000;

/// An undo or redo of more primitive changes than this is applied in the background.
const BACKGROUND_CHANGES: usize = 500;

/// A batch of commands being applied in the background.
pub struct Applying {
    job: Job<Applied>,
    /// What is being applied (the first command's name), for the top bar.
    pub what: &'static str,
}

/// What the window draws, derived from a case's graph: the scene of the canvas, the timeline
/// and the legend. Derived here once, for a case being opened and after background commands.
pub(super) struct View {
    pub(super) scene: PreparedScene,
    pub(super) timeline: TimelineCache,
    pub(super) legend: LegendItems,
}

impl View {
    /// The view of `graph` at `positions`, the graph of `inv` in its `generation`.
    pub(super) fn derive<L: crate::ledger::Ledger>(
        graph: &InvestigationGraph,
        positions: &HashMap<NodeKey, Pos2>,
        inv: &Investigation<L>,
        generation: u64,
    ) -> Self {
        View {
            scene: PreparedScene::new(graph, positions),
            timeline: TimelineCache::build(graph, |id| inv.transfer(id), generation),
            legend: LegendItems::of(graph, inv.case()),
        }
    }
}

/// What the window draws, derived from the case after the commands.
struct Derived {
    graph: InvestigationGraph,
    positions: HashMap<NodeKey, Pos2>,
    scene: PreparedScene,
    timeline: TimelineCache,
    legend: LegendItems,
    generation: u64,
}

/// What the background thread hands back.
struct Applied {
    state: InvestigationState,
    /// `None` if the ledger failed.
    derived: Option<Derived>,
    /// At least one command applied.
    applied: bool,
    errors: Vec<String>,
}

/// Whether `pending` is too much for the UI thread (see the module docs).
#[must_use]
pub fn runs_in_background(pending: &[Command], nodes: usize, history: (usize, usize)) -> bool {
    nodes >= BACKGROUND_NODES
        || pending.iter().any(|c| match c {
            Command::Expand { .. } => true,
            Command::Batch { commands } => commands.iter().any(|c| matches!(c, Command::Expand { .. })),
            Command::Undo => history.0 > BACKGROUND_CHANGES,
            Command::Redo => history.1 > BACKGROUND_CHANGES,
            _ => false,
        })
}

/// Applies `commands` to `state` on a connection of its own to the ledger at `ledger_path`,
/// derives the graph, positions and scene, and saves the recovery copy of `case_path`.
fn apply_elsewhere(
    state: InvestigationState,
    commands: Vec<Command>,
    now: i64,
    source: &LedgerSource,
    case_path: &std::path::Path,
) -> Applied {
    let ledger = match source.open() {
        Ok(l) => l,
        Err(e) => return Applied { state, derived: None, applied: false, errors: vec![e.to_string()] },
    };
    let mut inv = Investigation::resume(state, ledger, now);
    let mut errors = Vec::new();
    let mut applied = false;
    for c in commands {
        let name = c.name();
        match inv.apply(c) {
            Ok(()) => applied = true,
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    let derived = match inv.graph() {
        Ok(graph) => {
            let positions = positions_of(&graph);
            let generation = next_generation();
            let View { scene, timeline, legend } = View::derive(&graph, &positions, &inv, generation);
            Some(Derived { graph, positions, scene, timeline, legend, generation })
        }
        Err(e) => {
            errors.push(e.to_string());
            None
        }
    };
    if let Err(e) = file::save_recovery(inv.case(), case_path) {
        errors.push(format!("autosave: {e}"));
    }
    Applied { state: inv.into_state(), derived, applied, errors }
}

/// Drops `value` on a thread of its own (freeing a large graph takes milliseconds).
pub(super) fn drop_elsewhere<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new().name("hoptrace-drop".to_owned()).spawn(move || drop(value));
    // Without a thread it is dropped here, which is only slower.
    drop(spawned);
}

impl WorkbenchApp {
    /// Starts applying `commands` in the background (see the module docs).
    pub(super) fn start_applying(&mut self, commands: Vec<Command>) {
        let Some(s) = self.session.as_mut() else { return };
        let what = commands.first().map_or("changes", Command::name);
        let now = s.inv.read_clock();
        let state = s.inv.fork();
        let source = s.inv.ledger().source();
        let case_path = s.path.clone();
        let work = move |_: &_| apply_elsewhere(state, commands, now, &source, &case_path);
        match Job::spawn("hoptrace-apply", work) {
            Ok(job) => self.applying = Some(Applying { job, what }),
            Err(e) => self.error(format!("cannot start applying {what}: {e}")),
        }
    }

    /// Takes over the result of a background apply if it has arrived.
    pub fn poll_applying(&mut self) {
        let Some(a) = &self.applying else { return };
        match a.job.poll(|()| {}) {
            Poll::Done(applied) => {
                self.applying = None;
                self.install(applied);
            }
            Poll::Running => {}
            Poll::Lost => {
                self.applying = None;
                self.error("applying the changes stopped without a result: the undo history is lost");
            }
        }
    }

    /// Waits for a background apply to finish and takes over its result (before saving,
    /// restoring or replaying: anything that needs the case as it will be). Tests use it too.
    pub fn finish_applying(&mut self) {
        let Some(a) = self.applying.take() else { return };
        match a.job.wait(|()| {}) {
            Some(applied) => self.install(applied),
            None => self.error("applying the changes stopped without a result: the undo history is lost"),
        }
    }

    /// Starts a layout of the whole graph on a background thread (`force` or `flow`); its result
    /// is applied as one undoable [`Command::Arrange`] when it arrives. Pinned nodes stay.
    pub fn start_arrange(&mut self, force: bool) {
        let Some(s) = self.session.as_ref() else { return };
        if self.arranging.is_some() {
            return;
        }
        let keys: Vec<NodeKey> = s.graph.graph.node_weights().map(|n| n.key.clone()).collect();
        let index: HashMap<&NodeKey, usize> = keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
        let graph = LayoutGraph {
            nodes: s
                .graph
                .graph
                .node_weights()
                .map(|n| LayoutNode {
                    position: s.positions.get(&n.key).map(|p| (p.x, p.y)),
                    pinned: n.view.pinned,
                    seed: n.seed,
                    time: None,
                })
                .collect(),
            edges: s
                .graph
                .graph
                .edge_indices()
                .filter_map(|e| s.graph.graph.edge_endpoints(e))
                .filter_map(|(a, b)| Some((*index.get(&s.graph.graph[a].key)?, *index.get(&s.graph.graph[b].key)?)))
                .collect(),
        };
        let spawned = Job::spawn("hoptrace-layout", move |_| {
            let (name, placed) = if force {
                (
                    "force",
                    crate::layout::force::layout(&graph, crate::layout::force::ForceSettings::default()).positions,
                )
            } else {
                ("flow", flow::layout(&graph, flow::FlowSpacing::default()))
            };
            let positions = keys.into_iter().zip(placed).map(|(k, (x, y))| (k, x, y)).collect();
            Command::Arrange { layout: name.to_owned(), positions }
        });
        match spawned {
            Ok(job) => self.arranging = Some(job),
            Err(e) => self.error(format!("cannot start the layout: {e}")),
        }
    }

    /// Applies a finished layout, if one arrived.
    pub fn poll_arrange(&mut self) {
        let Some(job) = &self.arranging else { return };
        match job.poll(|()| {}) {
            Poll::Done(c) => {
                self.arranging = None;
                self.command(c);
            }
            Poll::Running => {}
            Poll::Lost => {
                self.arranging = None;
                self.error("the layout stopped without a result");
            }
        }
    }

    /// Whether commands are being applied in the background.
    #[must_use]
    pub fn is_applying(&self) -> bool {
        self.applying.is_some()
    }

    fn install(&mut self, applied: Applied) {
        let Applied { state, derived, applied, errors } = applied;
        if let Some(s) = self.session.as_mut() {
            let old_state = s.inv.adopt(state);
            s.dirty |= applied;
            if let Some(d) = derived {
                let old_graph = std::mem::replace(&mut s.graph, d.graph);
                let old_positions = std::mem::replace(&mut s.positions, d.positions);
                let old_scene = self.canvas.adopt(d.scene);
                let old_timeline = std::mem::replace(&mut self.timeline_cache, d.timeline);
                self.legend_cache = Some((d.generation, d.legend));
                s.generation = d.generation;
                drop_elsewhere((old_state, old_graph, old_positions, old_scene, old_timeline));
            } else {
                drop_elsewhere(old_state);
                s.generation = next_generation();
            }
        }
        for e in errors {
            self.error(e);
        }
    }
}
