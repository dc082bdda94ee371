//! The panels around the canvas: top bar (menus, title, search, undo/redo), case panel
//! (seeds, hops), inspector (the selection: labels, transfers with provenance, hop marking),
//! activity (the audit log), and notices.

use egui::{RichText, Ui};

use super::actions::{Action, Menu};
use super::app::WorkbenchApp;
use super::dialogs::HopChoice;
use crate::case::NodeKey;
use crate::graph::Command;
use crate::ledger::{Ledger, canonical_address};

impl WorkbenchApp {
    /// The top bar.
    pub fn top_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                self.menu_actions(ui, Menu::File);
                self.training_menu(ui);
                if !self.prefs.recent.is_empty() {
                    ui.separator();
                    ui.label("Recent cases");
                    for p in self.prefs.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            self.open_in_background(&p);
                            ui.close();
                        }
                    }
                }
            });
            ui.menu_button("Edit", |ui| self.menu_actions(ui, Menu::Edit));
            ui.menu_button("Graph", |ui| self.menu_actions(ui, Menu::Graph));
            ui.menu_button("Hops", |ui| self.menu_actions(ui, Menu::Hops));
            ui.menu_button("View", |ui| self.menu_actions(ui, Menu::View));
            ui.menu_button("Help", |ui| self.menu_actions(ui, Menu::Help));
            ui.separator();
            // The search box and undo/redo keep their room at the right; the title and file
            // name are cut short (whole on hover) rather than running under them.
            let search_w = (ui.available_width() * 0.22).clamp(140.0, 320.0);
            let right = search_w + 190.0;
            match &self.session {
                Some(s) => {
                    let c = s.inv.case();
                    let name = s
                        .path
                        .file_name()
                        .map_or_else(|| s.path.display().to_string(), |n| n.to_string_lossy().into_owned());
                    let name = format!("{name}{}", if s.dirty { " (unsaved)" } else { "" });
                    let room = (ui.available_width() - right).max(60.0);
                    ui.scope(|ui| {
                        ui.set_max_width(room * 0.72);
                        ui.add(egui::Label::new(RichText::new(&c.title).strong()).truncate()).on_hover_text(&c.title);
                    });
                    ui.scope(|ui| {
                        ui.set_max_width(room * 0.28);
                        ui.add(egui::Label::new(name).truncate()).on_hover_text(s.path.display().to_string());
                    });
                }
                None if self.opening.is_some() => {}
                None => {
                    ui.label("No case open: File > Open case…");
                }
            }
            if let Some(o) = &self.opening {
                // No spinner (see below).
                ui.label(format!("Opening {}...", o.name())).on_hover_text(o.path.display().to_string());
            }
            if let Some(a) = &self.applying {
                // No spinner: it would repaint continuously; the window polls every 30 ms.
                ui.label(format!("Applying {}...", a.what));
            }
            if self.arranging.is_some() {
                ui.spinner();
                ui.label("Arranging...");
            }
            if self.training_loading.is_some() {
                ui.spinner();
                ui.label("Preparing the training scenario (building its ledger)...");
            }
            self.import_progress_ui(ui);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                for action in [Action::Redo, Action::Undo] {
                    if self.action_clicked(ui, action, action.text()) {
                        self.run_action(action);
                    }
                }
                let r = ui.add(
                    egui::TextEdit::singleline(&mut self.search)
                        .hint_text("address or tx hash")
                        .desired_width(search_w),
                );
                let l = ui.label("Search");
                let r = r.labelled_by(l.id);
                if std::mem::take(&mut self.focus_search) {
                    r.request_focus();
                }
                if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    self.run_search();
                }
            });
        });
    }

    /// Looks the search text up on the graph, then in the ledger.
    pub fn run_search(&mut self) {
        let q = self.search.trim().to_owned();
        if q.len() < 4 {
            self.error("type at least 4 characters of an address or transaction hash");
            return;
        }
        let Some(s) = self.session.as_ref() else { return };
        let needle = canonical_address(&q).to_ascii_lowercase();
        let found = s.graph.graph.node_weights().map(|n| &n.key).find(|k| match k {
            NodeKey::Address { address, .. } => address.to_ascii_lowercase().starts_with(&needle),
            NodeKey::Tx { hash, .. } => hash.starts_with(&needle),
            NodeKey::Aggregate(_) => false,
        });
        if let Some(k) = found.cloned() {
            self.canvas.select_only(k.clone());
            self.canvas.focus(&k);
            return;
        }
        self.search_matches.clear();
        match s.inv.ledger().address_summary(&q) {
            Ok(sum) if !sum.chains.is_empty() => {
                self.dialog = None;
                self.search_offer = Some((q, sum.chains));
            }
            // Not a whole address of the ledger: the addresses starting with it.
            Ok(_) => match s.inv.ledger().addresses_with_prefix(&q, SEARCH_MATCHES + 1) {
                Ok(found) if found.is_empty() => {
                    self.error(format!("{q}: not on the graph, and no address in the ledger starts with it"));
                }
                Ok(found) if found.len() == 1 => {
                    self.search = found[0].clone();
                    self.run_search();
                }
                Ok(found) => {
                    self.search_offer = None;
                    self.search_matches = found;
                }
                Err(e) => self.error(e.to_string()),
            },
            Err(e) => self.error(e.to_string()),
        }
    }

    /// The case panel (left).
    pub fn case_panel(&mut self, ui: &mut Ui) {
        let Some(s) = self.session.as_ref() else {
            if self.opening.is_none() {
                ui.label("Open a case to start.");
            }
            return;
        };
        let c = s.inv.case();
        ui.heading("Case");
        ui.label(format!("{} nodes, {} transfers", s.graph.graph.node_count(), c.transfers.len()));
        let actor = s.inv.actor().to_owned();
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("Examiner: {}", crate::model::visible(&actor)))
                .on_hover_text("named in the audit log for every change made in this window");
            if ui.small_button("Change…").on_hover_text(Action::SetExaminer.help()).clicked() {
                self.run_action(Action::SetExaminer);
            }
        });
        if !self.search_matches.is_empty() {
            ui.separator();
            let more = self.search_matches.len() > SEARCH_MATCHES;
            ui.label(format!(
                "{}{} addresses in the ledger start with {}:",
                if more { "More than " } else { "" },
                self.search_matches.len().min(SEARCH_MATCHES),
                crate::model::visible(self.search.trim())
            ));
            let mut pick = None;
            for a in self.search_matches.iter().take(SEARCH_MATCHES) {
                if ui.link(crate::model::visible(a).as_ref()).clicked() {
                    pick = Some(a.clone());
                }
            }
            if more {
                ui.weak("Type more of the address to narrow it down.");
            }
            if let Some(a) = pick {
                self.search = a;
                self.run_search();
            }
        }
        let Some(s) = self.session.as_ref() else { return };
        let c = s.inv.case();
        if let Some((q, chains)) = self.search_offer.clone() {
            ui.separator();
            ui.label(format!("{q} is in the ledger ({}) but not on the graph.", chains.join(", ")));
            for chain in chains {
                if ui.button(format!("Add as seed on {chain}")).clicked() {
                    self.pending.push(Command::AddSeed { chain, address: q.clone() });
                    self.search_offer = None;
                }
            }
        }
        ui.separator();
        ui.label(RichText::new("Seeds").strong());
        let mut focus = None;
        for k in &c.seeds {
            if ui.selectable_label(self.canvas.selection().contains(k), k.describe()).clicked() {
                focus = Some(k.clone());
            }
        }
        ui.separator();
        ui.label(RichText::new(format!("Hops ({})", c.hops.len())).strong());
        let mut highlight = None;
        for (id, h) in &c.hops {
            let text = format!("#{id} {} {} · {}%", h.kind.name(), h.kind.service().unwrap_or(""), h.confidence);
            if ui.selectable_label(self.selected_hop == Some(*id), text).on_hover_text(&h.rationale).clicked() {
                highlight = Some(*id);
            }
        }
        if let Some(k) = focus {
            self.canvas.select_only(k.clone());
            self.canvas.focus(&k);
        }
        if let Some(h) = highlight {
            self.canvas.highlight_hop(Some(h));
            self.selected_hop = Some(h);
        }
        self.exercises_ui(ui);
    }

    /// The inspector (right): the selected node or edge.
    pub fn inspector(&mut self, ui: &mut Ui) {
        if self.session.is_none() {
            return;
        }
        ui.heading("Inspector");
        if let Some(id) = self.selected_hop {
            self.hop_inspector(ui, id);
            ui.separator();
        }
        let Some(s) = self.session.as_ref() else { return };
        let selected: Vec<NodeKey> = self.canvas.selection().iter().cloned().collect();
        let edge = self.canvas.selected_edge().cloned();
        let mut ids: Vec<i64> = Vec::new();
        if let Some((a, b)) = &edge {
            ui.label(format!("{} -> {}", a.describe(), b.describe()));
            if let (Some(&ia), Some(&ib)) = (s.graph.index.get(a), s.graph.index.get(b))
                && let Some(e) = s.graph.graph.find_edge(ia, ib)
            {
                ids.extend(&s.graph.graph[e].transfers);
            }
        } else if let [key] = selected.as_slice() {
            let Some(node) = s.graph.node(key) else { return };
            ui.label(RichText::new(key.describe()).monospace());
            ui.label(format!("category: {}", node.category.name()));
            for l in &node.case_labels {
                ui.label(format!("• {} [{}] — {} (by {})", l.entity, l.category.name(), l.source, l.author));
            }
            for l in &node.labels {
                ui.label(format!("• {} [{}] — {}", l.entity, l.category.name(), l.source));
            }
            if crate::labels::categories_disagree(node.labels.iter().map(|l| l.category)) {
                ui.colored_label(egui::Color32::from_rgb(230, 160, 40), "Sources disagree about this address");
            }
            if let Some(&i) = s.graph.index.get(key) {
                for e in s
                    .graph
                    .graph
                    .edges_directed(i, petgraph::Direction::Incoming)
                    .chain(s.graph.graph.edges_directed(i, petgraph::Direction::Outgoing))
                {
                    ids.extend(&e.weight().transfers);
                }
            }
        } else if selected.len() > 1 {
            ui.label(format!("{} nodes selected", selected.len()));
            for key in &selected {
                if let Some(&i) = s.graph.index.get(key) {
                    for e in s
                        .graph
                        .graph
                        .edges_directed(i, petgraph::Direction::Incoming)
                        .chain(s.graph.graph.edges_directed(i, petgraph::Direction::Outgoing))
                    {
                        ids.extend(&e.weight().transfers);
                    }
                }
            }
        } else {
            ui.label("Select a node or an edge.");
        }
        ids.sort_unstable();
        ids.dedup();
        if edge.is_none() && !selected.is_empty() {
            self.address_summary_ui(ui, &selected, ids.len());
        }
        let Some(s) = self.session.as_ref() else { return };
        if ids.is_empty() {
            return;
        }
        ui.separator();
        ui.label(format!("Transfers ({}) — tick them as in/out of a hop:", ids.len()));
        let mut rows: Vec<_> = ids.iter().filter_map(|id| s.inv.transfer(*id).cloned()).collect();
        self.transfers_table(ui, &mut rows);
        ui.separator();
        let ready = !self.pick.outbound.is_empty() && !self.pick.inbound.is_empty();
        ui.horizontal_wrapped(|ui| {
            for choice in [HopChoice::Mixer, HopChoice::Bridge, HopChoice::Swap, HopChoice::CashOut] {
                if ui.add_enabled(ready, egui::Button::new(choice.button())).clicked() {
                    self.dialog = Some(self.hop_dialog(choice));
                }
            }
        });
    }

    /// The activity panel (bottom): the audit log, newest first.
    pub fn activity(&mut self, ui: &mut Ui) {
        let Some(s) = self.session.as_ref() else { return };
        let c = s.inv.case();
        ui.label(RichText::new(format!("Activity — audit log ({} entries)", c.audit.len())).strong());
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            for e in c.audit.iter().rev() {
                ui.label(
                    RichText::new(format!(
                        "#{} {} {} — {}",
                        e.seq,
                        crate::model::format_utc(e.time),
                        e.investigator,
                        e.command.name()
                    ))
                    .monospace(),
                );
            }
        });
    }

    /// Notices, top right; errors stay until closed.
    pub fn notices_ui(&mut self, ctx: &egui::Context) {
        if self.notices.is_empty() {
            return;
        }
        // Information fades after 5 s, errors after 30 s (each can be dismissed before); a
        // newer message about the same thing replaces the older one.
        let now = ctx.input(|i| i.time);
        if self.notices.iter().any(|n| n.shown_at.is_none()) {
            // A new message: lay the frame out again once its size is known, so it is never
            // drawn past the window's edge for a frame.
            ctx.request_discard("a new message");
        }
        for n in &mut self.notices {
            n.shown_at.get_or_insert(now);
        }
        self.notices.retain(|n| n.shown_at.is_none_or(|t| now - t < if n.error { NOTICE_ERROR_SECS } else { 5.0 }));
        if self.notices.is_empty() {
            return;
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(500));
        let mut close = None;
        let mut close_all = false;
        // Never wider than the window: long messages wrap, and the dismiss button comes first.
        let width = (ctx.content_rect().width() - 48.0).clamp(160.0, 720.0);
        let shown = self.notices.len().min(MAX_NOTICES);
        egui::Area::new(egui::Id::unique("hoptrace-notices"))
            .anchor(egui::Align2::CENTER_TOP, [0.0, 36.0])
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                ui.set_max_width(width);
                for (i, n) in self.notices.iter().enumerate().rev().take(MAX_NOTICES) {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.set_max_width(width);
                        ui.horizontal_top(|ui| {
                            if ui.small_button("✕").on_hover_text("dismiss").clicked() {
                                close = Some(i);
                            }
                            let color =
                                if n.error { egui::Color32::from_rgb(220, 80, 70) } else { ui.visuals().text_color() };
                            ui.add(egui::Label::new(egui::RichText::new(&n.text).color(color)).wrap());
                        });
                    });
                }
                if self.notices.len() > 1 {
                    let more = self.notices.len() - shown;
                    let text = if more > 0 { format!("Dismiss all ({more} more)") } else { "Dismiss all".to_owned() };
                    close_all = ui.small_button(text).clicked();
                }
            });
        if close_all {
            self.notices.clear();
        } else if let Some(i) = close {
            self.notices.remove(i);
        }
    }
}

/// How long an error stays shown, in seconds (it can be dismissed before).
pub const NOTICE_ERROR_SECS: f64 = 30.0;
/// How many messages are shown at once (the newest).
const MAX_NOTICES: usize = 4;

/// How many ledger addresses a prefix search lists.
const SEARCH_MATCHES: usize = 10;
