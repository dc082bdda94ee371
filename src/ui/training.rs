//! Training in the window: open a bundled scenario (its ledger is built on a background thread
//! the first time), replay its walkthrough step by step (Next / Previous, PageDown / PageUp:
//! each step's commands go through the investigation, so they are audited and undone exactly),
//! with the caption large in a bar above the canvas, and answer its exercises, checked by the
//! tool.

use std::collections::BTreeMap;
use std::path::PathBuf;

use egui::{RichText, Ui};

use super::actions::Action;
use super::app::WorkbenchApp;
use crate::training::{self, Exercise, Replay, Verdict};
use crate::workbench::jobs::{Job, Poll};

/// Where the bundled training scenarios are ([`training::installed_cases`]; `cases` when
/// none is found, which opening a scenario then reports).
#[must_use]
pub fn cases_dir() -> PathBuf {
    training::installed_cases().unwrap_or_else(|_| PathBuf::from("cases"))
}

/// A training scenario open in the window.
pub struct TrainingSession {
    /// Scenario name (`ronin-bridge`).
    pub name: String,
    /// The walkthrough's replay cursor.
    pub replay: Replay,
    /// The exercises.
    pub exercises: Vec<Exercise>,
    /// What the trainee typed, by exercise id.
    pub answers: BTreeMap<String, String>,
    /// The tool's verdicts, by exercise id.
    pub verdicts: BTreeMap<String, Verdict>,
}

/// A scenario being prepared on a background thread: (name, case path) or an error.
pub type TrainingLoad = Job<Result<(String, PathBuf), String>>;

impl WorkbenchApp {
    /// Opens training scenario `name`; the first time, its ledger is built off the UI thread.
    pub fn open_training(&mut self, name: &str) {
        if self.training_loading.is_some() {
            return;
        }
        if self.asks_before_leaving(super::dialogs::Leave::Training(name.to_owned())) {
            return;
        }
        self.open_training_now(name);
    }

    /// [`Self::open_training`] without asking about unsaved changes.
    pub fn open_training_now(&mut self, name: &str) {
        if self.training_loading.is_some() {
            return;
        }
        let dir = cases_dir().join(name);
        let name = name.to_owned();
        let data = self.training_data.clone();
        let spawned = Job::spawn("hoptrace-training", move |_| {
            let opened = match &data {
                Some(d) => training::open_in(&dir, d),
                None => training::open(&dir),
            };
            opened.map(|(case, _)| (name, case)).map_err(|e| e.to_string())
        });
        match spawned {
            Ok(job) => self.training_loading = Some(job),
            Err(e) => self.error(format!("cannot prepare the scenario: {e}")),
        }
    }

    /// Takes a prepared scenario: opens its case and loads its walkthrough and exercises.
    pub fn poll_training(&mut self) {
        let Some(job) = &self.training_loading else { return };
        let result = match job.poll(|()| {}) {
            Poll::Done(r) => r,
            Poll::Running => return,
            Poll::Lost => Err("preparing the scenario stopped unexpectedly".to_owned()),
        };
        self.training_loading = None;
        let (name, case) = match result {
            Ok(x) => x,
            Err(e) => return self.error(e),
        };
        self.open(&case);
        let dir = cases_dir().join(&name);
        match (training::load_walkthrough(&dir), training::load_exercises(&dir)) {
            (Ok(w), Ok(exercises)) => {
                self.training = Some(TrainingSession {
                    name,
                    replay: Replay::new(w),
                    exercises,
                    answers: BTreeMap::new(),
                    verdicts: BTreeMap::new(),
                });
            }
            (Err(e), _) | (_, Err(e)) => self.error(e.to_string()),
        }
    }

    /// Replays the next walkthrough step (or undoes the last one) and shows what it points at.
    pub fn walkthrough_step(&mut self, forward: bool) {
        self.finish_applying();
        let (Some(t), Some(s)) = (self.training.as_mut(), self.session.as_mut()) else { return };
        let r = if forward { t.replay.next(&mut s.inv).map(|_| ()) } else { t.replay.previous(&mut s.inv).map(|_| ()) };
        if let Err(e) = r {
            return self.error(e.to_string());
        }
        s.dirty = true;
        if let Err(e) = s.refresh() {
            return self.error(e.to_string());
        }
        let (focus, nodes, hops) = t.replay.view();
        let (focus, nodes, hop) = (focus.cloned(), nodes, hops.first().copied());
        if let Some(k) = &focus {
            self.canvas.focus(k);
        }
        if let Some(first) = nodes.first() {
            self.canvas.select_only(first.clone());
            self.canvas.focus(first);
        } else if let Some(k) = focus {
            self.canvas.select_only(k);
        }
        self.canvas.highlight_hop(hop);
        self.selected_hop = hop;
    }

    /// The walkthrough bar above the canvas: step, caption (large), Previous / Next.
    pub fn walkthrough_bar(&mut self, ui: &mut Ui) {
        let Some(t) = self.training.as_ref() else { return };
        let total = t.replay.walkthrough().steps.len();
        let at = t.replay.position();
        let caption = t.replay.current().map_or_else(
            || format!("{}: press Next (PageDown) to start the walkthrough.", t.replay.walkthrough().title),
            |s| s.caption.clone(),
        );
        // Reopened, the walkthrough replays on the trainee's changed copy: say what was there.
        let skipped = t.replay.skipped().join("; ");
        let (mut prev, mut next) = (false, false);
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("Walkthrough {at}/{total}")).strong());
            prev = self.action_clicked(ui, Action::WalkthroughPrevious, "Previous step");
            next = self.action_clicked(ui, Action::WalkthroughNext, "Next step");
            if ui.button("End walkthrough").clicked() {
                self.training = None;
            }
        });
        // The caption is what the trainer talks about: full contrast, like headings, not the
        // body text's grey.
        let strong = ui.visuals().strong_text_color();
        ui.label(RichText::new(caption).size(18.0).color(strong));
        if !skipped.is_empty() {
            ui.label(format!("Skipped: {skipped}."));
        }
        if prev {
            self.run_action(Action::WalkthroughPrevious);
        }
        if next {
            self.run_action(Action::WalkthroughNext);
        }
    }

    /// The exercises (in the case panel): question, answer box, check, verdict.
    pub fn exercises_ui(&mut self, ui: &mut Ui) {
        let Some(t) = self.training.as_mut() else { return };
        ui.separator();
        let right = t.verdicts.values().filter(|v| v.correct).count();
        ui.label(RichText::new(format!("Exercises ({right}/{} right)", t.exercises.len())).strong());
        for ex in &t.exercises {
            ui.label(&ex.question);
            let answer = t.answers.entry(ex.id.clone()).or_default();
            let label = ui.label(format!("Answer {}", ex.id));
            let r = ui.add(egui::TextEdit::singleline(answer).desired_width(f32::INFINITY)).labelled_by(label.id);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(format!("Check {}", ex.id)).clicked() || enter {
                t.verdicts.insert(ex.id.clone(), training::check(ex, answer));
            }
            if let Some(v) = t.verdicts.get(&ex.id) {
                let color =
                    if v.correct { egui::Color32::from_rgb(60, 170, 90) } else { egui::Color32::from_rgb(220, 80, 70) };
                ui.colored_label(color, &v.explanation);
                if !v.correct && ui.button(format!("Show the answer to {}", ex.id)).clicked() {
                    t.verdicts
                        .insert(ex.id.clone(), training::Verdict { correct: false, explanation: training::reveal(ex) });
                }
            }
        }
    }

    /// File > Training scenarios.
    pub fn training_menu(&mut self, ui: &mut Ui) {
        ui.menu_button("Training scenarios", |ui| {
            for name in training::names() {
                let busy = self.training_loading.is_some();
                if ui.add_enabled(!busy, egui::Button::new(*name)).clicked() {
                    self.open_training(name);
                    ui.close();
                }
            }
        });
    }
}
