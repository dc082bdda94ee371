//! The eframe side: the frame's layout, shortcuts, dropped files, canvas events, and `run`.

use std::path::PathBuf;

use super::actions::Action;
use super::app::WorkbenchApp;
use super::canvas::{self, CanvasEvent};
use super::dialogs::Dialog;
use crate::case::{CaseFilter, NodeKey};
use crate::graph::Command;
use crate::model::Category;

/// The canvas width, in points, that presenter mode's enlargement keeps.
const PRESENTER_POINTS: f32 = 1066.0;

impl WorkbenchApp {
    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        let (cases, exports): (Vec<PathBuf>, Vec<PathBuf>) =
            dropped.into_iter().partition(|p| p.extension().is_some_and(|e| e == "ron"));
        if let Some(c) = cases.first() {
            self.open_in_background(c);
        }
        self.import(&exports);
    }

    fn apply_prefs(&self, ctx: &egui::Context) {
        ctx.set_theme(if self.prefs.light { egui::Theme::Light } else { egui::Theme::Dark });
        // Presenter mode enlarges by up to 1.5, less on a narrow screen (a projector's 1280
        // pixels get 1.2), so the canvas keeps ~1,070 points of width.
        let zoom = if self.prefs.presenter {
            let pixels = ctx.content_rect().width() * ctx.zoom_factor();
            (pixels / PRESENTER_POINTS).clamp(1.0, 1.5)
        } else {
            1.0
        };
        if (ctx.zoom_factor() - zoom).abs() > f32::EPSILON {
            ctx.set_zoom_factor(zoom);
        }
    }

    fn canvas_panel(&mut self, ui: &mut egui::Ui) {
        let Some(s) = self.session.as_ref() else {
            if let Some(o) = &self.opening {
                let text = format!("Opening {}…", o.name());
                ui.centered_and_justified(|ui| ui.label(text));
                return;
            }
            let mut run = None;
            ui.vertical_centered(|ui| {
                ui.add_space((ui.available_height() * 0.35).max(0.0));
                ui.heading("No case is open");
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    // Centre the two buttons on the row.
                    ui.add_space((ui.available_width() / 2.0 - 150.0).max(0.0));
                    for action in [Action::NewCase, Action::OpenCase] {
                        if ui.button(action.text()).on_hover_text(action.help()).clicked() {
                            run = Some(action);
                        }
                    }
                    if ui.button("Open evidence package…").on_hover_text(Action::OpenPackage.help()).clicked() {
                        run = Some(Action::OpenPackage);
                    }
                });
                ui.add_space(8.0);
                ui.weak("or drop a case file (.ron) here");
            });
            if let Some(action) = run {
                self.run_action(action);
            }
            return;
        };
        let mut events = Vec::new();
        let rect = ui.max_rect();
        canvas::canvas_ui(ui, &s.graph, &s.positions, &s.inv.case().hops, &mut self.canvas, &mut events);
        let legend = if self.prefs.legend { self.legend_ui(ui.ctx(), rect) } else { 0.0 };
        self.canvas.keep_free_below(legend);
        // Keys acting on every selected node (Enter expands, Delete hides) are one command
        // for the selection: one undo step.
        let (mut expands, mut hides) = (Vec::new(), Vec::new());
        for e in events {
            match e {
                CanvasEvent::Expand { node, direction } => {
                    expands.push(Command::Expand { node, direction, filter: CaseFilter::default() });
                }
                CanvasEvent::Hide(node) => hides.push(Command::Hide { node }),
                e => self.canvas_event(e),
            }
        }
        for mut commands in [expands, hides] {
            match commands.len() {
                0 => {}
                1 => self.command(commands.remove(0)),
                _ => self.command(Command::Batch { commands }),
            }
        }
    }

    fn canvas_event(&mut self, e: CanvasEvent) {
        match e {
            CanvasEvent::Select { .. }
            | CanvasEvent::SelectEdge { .. }
            | CanvasEvent::BoxSelect(_)
            | CanvasEvent::ClearSelection => {
                // Selecting something else lets go of the hop: its inspector and its highlight.
                if self.selected_hop.take().is_some() {
                    self.canvas.highlight_hop(None);
                }
                self.timeline_pick = None;
            }
            CanvasEvent::SelectHop(id) => {
                self.canvas.highlight_hop(Some(id));
                self.selected_hop = Some(id);
            }
            CanvasEvent::Moved { node, x, y } => {
                self.command(Command::Move { node: node.clone(), x, y });
                let pinned =
                    self.session.as_ref().and_then(|s| s.inv.case().nodes.get(&node)).is_some_and(|v| v.pinned);
                if !pinned {
                    self.command(Command::Pin { node });
                }
            }
            CanvasEvent::Expand { node, direction } => {
                self.command(Command::Expand { node, direction, filter: CaseFilter::default() });
            }
            CanvasEvent::ExpandWithFilter(node) => self.dialog = Some(Dialog::expand(node)),
            CanvasEvent::Collapse(node) => self.command(Command::Collapse { node }),
            CanvasEvent::Hide(node) => self.command(Command::Hide { node }),
            CanvasEvent::Pin(node) => self.command(Command::Pin { node }),
            CanvasEvent::Unpin(node) => self.command(Command::Unpin { node }),
            CanvasEvent::LabelAs(node) => {
                self.dialog = Some(Dialog::Label {
                    node,
                    entity: String::new(),
                    category: Category::Unknown,
                    source: "investigator".to_owned(),
                });
            }
            CanvasEvent::AddNote(node) => self.dialog = Some(Dialog::Note { node, text: String::new() }),
            CanvasEvent::ShowTransfers { from, to } => {
                self.canvas.select_edge(from, to);
                self.timeline_pick = None;
            }
            CanvasEvent::FindOtherSide(node) => self.find_other_side_of(node),
            CanvasEvent::FollowPeel(node) => {
                self.canvas.select_only(node);
                self.start_peel();
            }
        }
    }

    /// Selects a node (tests and search).
    pub fn select(&mut self, key: &NodeKey) {
        self.canvas.select_only(key.clone());
    }
}

impl WorkbenchApp {
    /// Draws the whole window for one frame and applies the commands it produced (what
    /// [`eframe::App::ui`] does; tests drive it through egui_kittest).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        // Closing with unsaved changes asks first.
        if ctx.input(|i| i.viewport().close_requested())
            && !self.closing
            && (self.session.as_ref().is_some_and(|s| s.dirty) || self.applying.is_some())
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.dialog = Some(Dialog::ConfirmClose);
        }
        if !self.fonts_installed {
            install_fonts(&ctx);
            self.fonts_installed = true;
        }
        self.apply_prefs(&ctx);
        self.poll_opening();
        self.poll_applying();
        if self.applying.is_some() || self.opening.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(30));
        }
        self.poll_arrange();
        if self.arranging.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        self.poll_import();
        self.poll_training();
        self.poll_finder(&ctx);
        self.poll_taint(&ctx);
        self.poll_paths(&ctx);
        self.poll_peel(&ctx);
        self.action_shortcuts(&ctx);
        // Evidence packages: the export's windows, and review mode (which draws its own panels).
        self.export_ui(&ctx);
        if self.review_frame(ui) {
            return;
        }
        self.dropped_files(&ctx);
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar(ui));
        if self.training.is_some() {
            egui::Panel::top("walkthrough").show(ui, |ui| self.walkthrough_bar(ui));
        }
        if self.prefs.activity {
            egui::Panel::bottom("activity").resizable(true).default_size(110.0).show(ui, |ui| self.activity(ui));
        }
        if self.prefs.timeline && self.session.is_some() {
            egui::Panel::bottom("timeline").resizable(true).default_size(190.0).show(ui, |ui| self.timeline_ui(ui));
        }
        if self.prefs.side_panels {
            egui::Panel::left("case_panel")
                .resizable(true)
                .default_size(250.0)
                .min_size(220.0)
                .show(ui, |ui| self.case_panel(ui));
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size(430.0)
                .min_size(400.0)
                .show(ui, |ui| self.inspector(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| self.canvas_panel(ui));
        self.suggestions_ui(&ctx);
        self.taint_ui(&ctx);
        self.paths_ui(&ctx);
        self.peel_ui(&ctx);
        self.import_windows_ui(&ctx);
        self.overlays_ui(&ctx);
        self.apply_pending();
    }

    /// What floats over the window in both modes (case and review): the open dialog, the command
    /// palette, the clipboard request of the frame and the notices.
    pub(super) fn overlays_ui(&mut self, ctx: &egui::Context) {
        self.dialog_ui(ctx);
        self.path_prompt_ui(ctx);
        self.help_ui(ctx);
        self.palette_ui(ctx);
        if let Some(text) = self.copy_request.take() {
            ctx.copy_text(text);
        }
        self.notices_ui(ctx);
    }
}

/// The bundled DejaVu Sans as the last fallback of both font families: arrows, box drawing and
/// most scripts of imported labels render instead of showing empty boxes.
fn install_fonts(ctx: &egui::Context) {
    use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
    let data = egui::FontData::from_static(include_bytes!("../../assets/fonts/DejaVuSans.ttf"));
    let families = [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
        .into_iter()
        .map(|family| InsertFontFamily { family, priority: FontPriority::Lowest })
        .collect();
    ctx.add_font(FontInsert { name: "DejaVuSans".to_owned(), data, families });
}

impl eframe::App for WorkbenchApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if self.frame_log {
            // The previous frame's CPU time as eframe measured it (run, tessellate, paint; not
            // the buffer swap), for diagnosing a slow window: HOPTRACE_FRAME_LOG=1.
            let pass = ui.ctx().cumulative_pass_nr();
            let ms = frame.info().cpu_usage.map_or(0.0, |s| s * 1000.0);
            eprintln!("hoptrace-frame {pass} {ms:.1} ms");
        }
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, "hoptrace-prefs", &self.prefs);
    }
}

/// Opens the window on `case` (or the most recent case, or nothing); with `review`, on that
/// evidence package in review mode instead.
///
/// # Errors
/// The window could not be created (no display).
pub fn run(case: Option<PathBuf>, review: Option<PathBuf>) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title("hoptrace").with_inner_size([1600.0, 1000.0]),
        ..eframe::NativeOptions::default()
    };
    eframe::run_native(
        "hoptrace",
        options,
        Box::new(move |cc| {
            let mut app = WorkbenchApp::with_system_dialogs();
            if let Some(storage) = cc.storage
                && let Some(prefs) = eframe::get_value(storage, "hoptrace-prefs")
            {
                app.prefs = prefs;
            }
            if let Some(package) = review {
                app.open_review(&package);
                return Ok(Box::new(app));
            }
            let target = case.or_else(|| app.prefs.recent.first().cloned());
            if let Some(p) = target {
                app.open_in_background(&p);
            }
            Ok(Box::new(app))
        }),
    )
}
