//! "Find the other side" in the window: the hop finders ([`crate::analysis`]) run on a
//! background thread with their own ledger connection, from a node (a mixer or bridge node: the
//! case's deposits into it; any other address: that address on every chain) or from a hop (its
//! outbound recipients). The candidates come back into a suggestions window, each with its
//! score and rationale; adding one records it as a *suggested* hop (an audited
//! [`Command::AnnotateHop`]) that the canvas draws dashed until the investigator accepts or
//! rejects it in the hop inspector.

use egui::{RichText, Ui};

use super::app::WorkbenchApp;
use crate::analysis::{Candidate, FinderError};
use crate::case::NodeKey;
use crate::graph::Command;
use crate::ledger::ReadLedger;
use crate::model::Category;
pub use crate::workbench::find::{FindTarget, FinderResults, already_in_case, find_other_side};
use crate::workbench::jobs::{Job, Poll};

/// A search running on a background thread.
#[derive(Debug)]
pub struct FinderRun {
    /// Where it started.
    pub target: FindTarget,
    job: Job<Result<FinderResults, FinderError>>,
}

impl WorkbenchApp {
    /// Starts finding the other side of a node of the graph (by its category on the graph).
    pub fn find_other_side_of(&mut self, node: NodeKey) {
        let category = self
            .session
            .as_ref()
            .and_then(|s| s.graph.index.get(&node).map(|i| s.graph.graph[*i].category))
            .unwrap_or(Category::Unknown);
        self.find_other_side(FindTarget::Node(node, category));
    }

    /// Starts finding the other side of `target` on a background thread.
    pub fn find_other_side(&mut self, target: FindTarget) {
        let Some(s) = self.session.as_ref() else { return };
        if self.finding.is_some() {
            self.info("a search for the other side is already running");
            return;
        }
        let source = s.inv.ledger().source();
        let case = s.inv.case().clone();
        let t = target.clone();
        let spawned = Job::spawn("finders", move |_| {
            source.open().map_err(FinderError::from).and_then(|ledger| find_other_side(&ledger, &case, &t))
        });
        match spawned {
            Ok(job) => self.finding = Some(FinderRun { target, job }),
            Err(e) => self.error(format!("could not start the finders: {e}")),
        }
    }

    /// Picks up a finished search (called every frame).
    pub fn poll_finder(&mut self, ctx: &egui::Context) {
        let Some(run) = self.finding.as_ref() else { return };
        match run.job.poll(|()| {}) {
            Poll::Done(Ok(results)) => {
                self.finding = None;
                self.info(format!(
                    "Find the other side of {}: {} candidate(s) from the {} finder(s)",
                    results.target.describe(),
                    results.candidates.len(),
                    results.finders.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                ));
                self.suggestions = Some(results);
            }
            Poll::Done(Err(e)) => {
                let target = run.target.describe();
                self.finding = None;
                self.error(format!("Find the other side of {target}: {e}"));
            }
            Poll::Running => ctx.request_repaint_after(std::time::Duration::from_millis(100)),
            Poll::Lost => {
                self.finding = None;
                self.error("the finder thread stopped without an answer");
            }
        }
    }

    /// The suggestions window: candidates with score and rationale, each addable as a
    /// suggested hop.
    pub fn suggestions_ui(&mut self, ctx: &egui::Context) {
        let Some(results) = self.suggestions.as_ref() else { return };
        let Some(case) = self.session.as_ref().map(|s| s.inv.case()) else { return };
        let mut add: Vec<Candidate> = Vec::new();
        let mut open = true;
        let title = format!("Suggestions: other side of {}", results.target.describe());
        let fresh_best: Vec<&Candidate> =
            results.candidates.iter().filter(|c| c.rank == 1 && !already_in_case(case, c)).collect();
        // Over the canvas's left side, clear of the inspector where hops are accepted.
        let pos = ctx.content_rect().left_top() + egui::vec2(270.0, 90.0);
        egui::Window::new(title)
            .id(egui::Id::unique("suggestions"))
            .open(&mut open)
            .default_pos(pos)
            .default_width(540.0)
            .show(ctx, |ui| {
                ui.label(format!(
                    "{} candidate(s) from the {} finder(s); each is a suggestion until you accept it.",
                    results.candidates.len(),
                    results.finders.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                ));
                for r in &results.remarks {
                    ui.label(RichText::new(r).weak());
                }
                if ui
                    .add_enabled(
                        !fresh_best.is_empty(),
                        egui::Button::new(format!("Add the best of each deposit ({})", fresh_best.len())),
                    )
                    .on_hover_text("record the first-ranked candidate of each deposit as a suggested hop")
                    .clicked()
                {
                    add.extend(fresh_best.iter().map(|c| (*c).clone()));
                }
                ui.separator();
                egui::ScrollArea::vertical().max_height(480.0).show(ui, |ui| {
                    for (i, c) in results.candidates.iter().enumerate() {
                        candidate_row(ui, i, c, already_in_case(case, c), &mut add);
                    }
                });
            });
        for c in add {
            self.command(Command::AnnotateHop { hop: c.to_hop() });
        }
        if !open {
            self.suggestions = None;
        }
    }
}

/// One candidate: score, kind, subject, transfers, rationale, and its "Add" button.
fn candidate_row(ui: &mut Ui, i: usize, c: &Candidate, present: bool, add: &mut Vec<Candidate>) {
    ui.push_id(("candidate", i), |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{:>3}", c.score)).strong().monospace());
            ui.label(format!(
                "{} {} · {} (rank {}) · {} in, {} out",
                c.finder.name(),
                c.kind.service().unwrap_or(c.kind.name()),
                c.subject,
                c.rank,
                c.inbound.len(),
                c.outbound.len()
            ));
            let button = egui::Button::new(if present { "In the case" } else { "Add as suggested hop" });
            let hover = if present {
                "the case already has a hop on these deposits"
            } else {
                "record it as a suggested hop (audited; drawn dashed until accepted)"
            };
            if ui.add_enabled(!present, button).on_hover_text(hover).clicked() {
                add.push(c.clone());
            }
        });
        ui.label(&c.rationale);
        ui.separator();
    });
}
