//! Review mode's frame: the top bar (menus with the editing actions disabled, "Review — PKG
//! (read-only)"), the verification banner, the hops and comments (left), the inspector of the
//! selected node, edge or hop with its comments (right) and the read-only canvas. The dialogs
//! are in [`super::review_dialogs`].

use egui::{Color32, RichText, Ui};

use super::actions::{Action, Menu};
use super::app::WorkbenchApp;
use super::canvas::{self, CanvasEvent};
use super::review_mode::{ReviewMode, review_title};
use crate::graph::text::{iso_time, transfer_time};
use crate::ledger::TransferRow;
use crate::model::{HopStatus, registry};
use crate::package::SignatureStatus;
use crate::review::ReviewTarget;

/// The banner: intact or not, the headline, and one line per problem (each naming its file).
#[must_use]
pub fn banner_text(r: &ReviewMode) -> (bool, String, Vec<String>) {
    let loaded = match &r.loaded {
        Ok(l) => l,
        Err(e) => return (false, "Package cannot be opened: nothing to review".to_owned(), vec![e.clone()]),
    };
    let report = &loaded.session.package.report;
    let read = loaded.read_problems.iter().map(|p| format!("Read back: {p}"));
    if report.is_intact() {
        let signed = matches!(report.signature, SignatureStatus::Valid { .. });
        let headline = format!(
            "Package intact: {} files, hashes, audit chain{} verified",
            report.files.len(),
            if signed { ", signature" } else { "" }
        );
        // Intact says nothing of who made it: an unsigned package says so, with the hash to
        // compare with the one the investigator handed over.
        let who = match &report.signature {
            SignatureStatus::Valid { public_key } => format!("Signed by ed25519 key {public_key}."),
            _ => format!(
                "Unsigned: authenticity not established. Compare its manifest SHA-256 {} with the hash the \
                 investigator handed over (hoptrace verify --manifest-sha256).",
                report.manifest_sha256.as_deref().unwrap_or("(none)")
            ),
        };
        (true, headline, std::iter::once(who).chain(read).collect())
    } else {
        let n = report.problems.len();
        let headline = format!("Package NOT intact: {n} problem{}", if n == 1 { "" } else { "s" });
        (false, headline, report.problems.iter().cloned().chain(read).collect())
    }
}

/// `accepted`, `suggested`, `rejected`.
#[must_use]
pub fn status_text(status: HopStatus) -> &'static str {
    match status {
        HopStatus::Suggested => "suggested",
        HopStatus::Accepted => "accepted",
        HopStatus::Rejected => "rejected",
    }
}

/// `#12 1.5 ETH 0x12…cdef -> 0x98…7654, 2023-05-02T12:19:59Z`.
fn transfer_text(id: i64, row: Option<&TransferRow>) -> String {
    let Some(r) = row else { return format!("#{id} (not in the package's transfers.csv)") };
    let t = &r.transfer;
    let party = |a: &Option<String>| a.as_deref().map_or_else(|| "(tx)".to_owned(), canvas::short_address);
    format!(
        "#{id} {} {} -> {}, {}",
        registry().display_amount(&t.chain, &t.asset, t.amount_base),
        party(&t.from),
        party(&t.to),
        transfer_time(t.time, t.block)
    )
}

impl WorkbenchApp {
    /// Review mode's part of the frame: polls the verification thread, keeps the window title,
    /// and, in review mode, draws the whole window and returns true (the normal panels are not
    /// drawn then). Commands asked for in review mode are refused.
    pub fn review_frame(&mut self, ui: &mut Ui) -> bool {
        let ctx = ui.ctx().clone();
        self.poll_review();
        if let Some(title) = self.review.title_change() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title));
        }
        self.review_loading_ui(&ctx);
        if !self.review.is_active() {
            return false;
        }
        egui::Panel::top("review_top_bar").show(ui, |ui| self.review_top_bar(ui));
        egui::Panel::top("review_banner").show(ui, |ui| self.review_banner(ui));
        egui::Panel::left("review_side").resizable(true).default_size(330.0).show(ui, |ui| self.review_side(ui));
        egui::Panel::right("review_inspector")
            .resizable(true)
            .default_size(420.0)
            .show(ui, |ui| self.review_inspector(ui));
        egui::CentralPanel::default().show(ui, |ui| self.review_canvas(ui));
        self.review_comment_ui(&ctx);
        self.review_report_ui(&ctx);
        self.overlays_ui(&ctx);
        if !self.pending.is_empty() {
            self.pending.clear();
            self.error("Review mode is read-only: the package's case cannot be changed");
        }
        true
    }

    fn review_button(&mut self, ui: &mut Ui, action: Action) {
        let b = ui.add_enabled(self.action_enabled(action), egui::Button::new(action.text()));
        if b.on_hover_text(action.help()).clicked() {
            self.run_action(action);
        }
    }

    fn review_top_bar(&mut self, ui: &mut Ui) {
        let name = self.review.active.as_ref().map(|r| r.name.clone()).unwrap_or_default();
        egui::MenuBar::new().ui(ui, |ui| {
            for (text, menu) in [
                ("File", Menu::File),
                ("Edit", Menu::Edit),
                ("Graph", Menu::Graph),
                ("Hops", Menu::Hops),
                ("View", Menu::View),
                ("Review", Menu::Review),
                ("Help", Menu::Help),
            ] {
                ui.menu_button(text, |ui| self.menu_actions(ui, menu));
            }
            ui.separator();
            ui.label(RichText::new(review_title(&name)).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.review_button(ui, Action::CloseReview);
                self.review_button(ui, Action::ExportReviewPackage);
                self.review_button(ui, Action::ShowReport);
            });
        });
    }

    fn review_banner(&mut self, ui: &mut Ui) {
        let Some(r) = self.review.active.as_ref() else { return };
        let (ok, headline, lines) = banner_text(r);
        let fill = if ok { Color32::from_rgb(28, 110, 58) } else { Color32::from_rgb(150, 36, 36) };
        egui::Frame::new().fill(fill).inner_margin(8.0).corner_radius(4.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(headline).color(Color32::WHITE).strong().size(16.0));
            if !lines.is_empty() {
                egui::ScrollArea::vertical().max_height(110.0).show(ui, |ui| {
                    for l in lines {
                        ui.add(egui::Label::new(RichText::new(format!("• {l}")).color(Color32::WHITE)).wrap());
                    }
                });
            }
        });
    }

    /// The left panel: the hops (kind, confidence, status, rationale) and the comments.
    fn review_side(&mut self, ui: &mut Ui) {
        let Some(loaded) = self.review.loaded() else {
            ui.label("The package could not be read.");
            return;
        };
        let case = &loaded.evidence.case;
        let review = &loaded.session.review;
        let mut pick_hop = None;
        let mut pick_target = None;
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.heading(&case.title);
            ui.label(format!("Case {} by {}", case.id, case.investigator));
            ui.separator();
            ui.label(RichText::new(format!("Hops ({})", case.hops.len())).strong());
            for (id, hop) in &case.hops {
                let text = format!(
                    "Hop #{id}: {} {} · {}% · {}",
                    hop.kind.name(),
                    hop.kind.service().unwrap_or(""),
                    hop.confidence,
                    status_text(hop.status)
                );
                if ui.selectable_label(self.selected_hop == Some(*id), text).clicked() {
                    pick_hop = Some(*id);
                }
                let rationale = if hop.rationale.is_empty() { "(no rationale given)" } else { &hop.rationale };
                ui.add(egui::Label::new(RichText::new(rationale).weak()).wrap());
            }
            ui.separator();
            ui.label(RichText::new(format!("Review comments ({})", review.comments.len())).strong());
            ui.add(
                egui::Label::new(RichText::new(format!("Kept in {}", loaded.session.path.display())).small()).wrap(),
            );
            for (id, c) in &review.comments {
                let head = format!("#{id} on {} — {}, {}", c.target.describe(), c.reviewer, iso_time(c.time));
                if ui.link(head).on_hover_text("show what it is about").clicked() {
                    pick_target = Some(c.target.clone());
                }
                ui.add(egui::Label::new(&c.text).wrap());
            }
        });
        if let Some(h) = pick_hop {
            self.canvas.highlight_hop(Some(h));
            self.selected_hop = Some(h);
        }
        if let Some(t) = pick_target {
            self.show_review_target(&t);
        }
    }

    /// Selects what a comment is about.
    fn show_review_target(&mut self, target: &ReviewTarget) {
        self.selected_hop = None;
        self.canvas.highlight_hop(None);
        match target {
            ReviewTarget::Case => {}
            ReviewTarget::Hop(h) => {
                self.selected_hop = Some(*h);
                self.canvas.highlight_hop(Some(*h));
            }
            ReviewTarget::Node(k) => {
                self.canvas.select_only(k.clone());
                self.canvas.focus(k);
            }
            ReviewTarget::Transfer(t) => {
                let Some(g) = self.review.loaded().map(|l| &l.evidence.graph) else { return };
                let edge = g.graph.edge_indices().find_map(|e| {
                    let (a, b) = g.graph.edge_endpoints(e)?;
                    g.graph[e].transfers.contains(t).then(|| (g.graph[a].key.clone(), g.graph[b].key.clone()))
                });
                if let Some((a, b)) = edge {
                    self.canvas.select_edge(a, b.clone());
                    self.canvas.focus(&b);
                }
            }
        }
    }

    fn review_canvas(&mut self, ui: &mut Ui) {
        let Some(loaded) = self.review.loaded() else {
            ui.centered_and_justified(|ui| ui.label("Nothing to show: the package could not be read."));
            return;
        };
        let mut events = Vec::new();
        let ev = &loaded.evidence;
        let rect = ui.max_rect();
        canvas::canvas_ui(ui, &ev.graph, &loaded.positions, &ev.case.hops, &mut self.canvas, &mut events);
        let legend = if self.prefs.legend { self.legend_ui(ui.ctx(), rect) } else { 0.0 };
        self.canvas.keep_free_below(legend);
        // The first fit happens before the legend's height is known: fit again once it is.
        if let Some(r) = self.review.active.as_mut()
            && r.fitted_above != Some(legend)
        {
            r.fitted_above = Some(legend);
            self.canvas.request_fit();
        }
        for e in events {
            match e {
                CanvasEvent::Select { .. }
                | CanvasEvent::SelectEdge { .. }
                | CanvasEvent::BoxSelect(_)
                | CanvasEvent::ClearSelection => {
                    self.selected_hop = None;
                    self.canvas.highlight_hop(None);
                }
                CanvasEvent::SelectHop(id) => {
                    self.canvas.highlight_hop(Some(id));
                    self.selected_hop = Some(id);
                }
                CanvasEvent::ShowTransfers { from, to } => self.canvas.select_edge(from, to),
                // The canvas is read-only and emits none of these; should one come, it changes nothing.
                _ => {}
            }
        }
    }

    /// The right panel: the selected hop, edge or node, its comments, and "Add review comment…".
    fn review_inspector(&mut self, ui: &mut Ui) {
        let target = self.review_target();
        let Some(loaded) = self.review.loaded() else { return };
        let ev = &loaded.evidence;
        let mut comment = false;
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.heading("Inspector");
            match &target {
                ReviewTarget::Hop(id) => match ev.case.hops.get(id) {
                    Some(hop) => {
                        ui.label(RichText::new(format!("Hop #{id} — {}", canvas::hop_label(hop))).strong());
                        egui::Grid::new("review-hop").num_columns(2).striped(true).show(ui, |ui| {
                            let service = hop.kind.service().unwrap_or("").to_owned();
                            for (k, v) in [
                                ("Kind", hop.kind.name().replace('_', " ")),
                                ("Service", service),
                                ("Confidence", format!("{}%", hop.confidence)),
                                ("Status", status_text(hop.status).to_owned()),
                                ("Author", hop.author.clone()),
                            ] {
                                ui.label(k);
                                ui.label(v);
                                ui.end_row();
                            }
                        });
                        ui.label(RichText::new("Rationale").strong());
                        ui.add(egui::Label::new(if hop.rationale.is_empty() { "(none given)" } else { &hop.rationale }).wrap());
                        for (side, ids) in [("In", &hop.inbound), ("Out", &hop.outbound)] {
                            ui.label(RichText::new(format!("{side} ({})", ids.len())).strong());
                            for t in ids {
                                ui.add(egui::Label::new(transfer_text(*t, ev.rows.get(t))).wrap());
                            }
                        }
                    }
                    None => {
                        ui.label(format!("Hop #{id} is not in the case"));
                    }
                },
                ReviewTarget::Transfer(_) => {
                    if let Some((a, b)) = self.canvas.selected_edge() {
                        ui.add(egui::Label::new(format!("{} -> {}", a.describe(), b.describe())).wrap());
                        let ids = ev.graph.index.get(a).zip(ev.graph.index.get(b)).and_then(|(ia, ib)| {
                            ev.graph.graph.find_edge(*ia, *ib).map(|e| ev.graph.graph[e].transfers.clone())
                        });
                        for t in ids.unwrap_or_default() {
                            ui.add(egui::Label::new(transfer_text(t, ev.rows.get(&t))).wrap());
                        }
                    }
                }
                ReviewTarget::Node(key) => {
                    ui.add(egui::Label::new(RichText::new(key.describe()).monospace()).wrap());
                    if let Some(node) = ev.graph.node(key) {
                        ui.label(format!("category: {}", node.category.name()));
                        for l in &node.case_labels {
                            ui.label(format!("• {} [{}] — {} (by {})", l.entity, l.category.name(), l.source, l.author));
                        }
                        for l in &node.labels {
                            ui.label(format!("• {} [{}] — {}", l.entity, l.category.name(), l.source));
                        }
                    }
                }
                ReviewTarget::Case => {
                    ui.label("Select a node, an edge or a hop to comment on it; with nothing selected a comment is about the whole case.");
                }
            }
            ui.separator();
            ui.label(format!("Comments about {}", target.describe()));
            for (id, c) in loaded.session.review.comments_on(&target) {
                ui.add(egui::Label::new(format!("#{id} {} ({}): {}", c.reviewer, iso_time(c.time), c.text)).wrap());
            }
            comment = ui.button(Action::AddReviewComment.text()).on_hover_text(Action::AddReviewComment.help()).clicked();
        });
        if comment {
            self.run_action(Action::AddReviewComment);
        }
    }
}
