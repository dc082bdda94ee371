//! The inspector's hop section: what a hop says (kind, service, chains, confidence, status,
//! author, rationale and the numbers it cites), the transfers on each side (a click selects
//! the transfer's edge), accept / reject (with a reason) / remove as audited commands, and
//! "Find the other side" from the hop's outbound recipients.

use egui::{RichText, Ui};

use super::actions::Action;
use super::app::WorkbenchApp;
use crate::graph::Command;
use crate::model::{HopKind, HopStatus, registry};

impl WorkbenchApp {
    /// Shows hop `id` in the inspector.
    pub fn hop_inspector(&mut self, ui: &mut Ui, id: u64) {
        let Some(s) = self.session.as_ref() else { return };
        let Some(hop) = s.inv.case().hops.get(&id).cloned() else {
            self.selected_hop = None;
            return;
        };
        let mut action: Option<Command> = None;
        let mut select_edge = None;
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("Hop #{id}: {}", super::canvas::hop_label(&hop))).strong());
            if ui.small_button("x").on_hover_text("close the hop").clicked() {
                self.selected_hop = None;
                self.canvas.highlight_hop(None);
            }
        });
        if let Some(why) = hop.features.get("rejected_because").filter(|_| hop.status == HopStatus::Rejected) {
            ui.label(format!("Rejected because: {why}"));
        }
        if hop.status != HopStatus::Rejected {
            ui.horizontal(|ui| {
                let label = ui.label("Why reject:");
                ui.add(egui::TextEdit::singleline(&mut self.reject_reason).hint_text("reason (kept with the hop)"))
                    .labelled_by(label.id);
            });
        }
        let mut find = false;
        // As the menu's "Find the other side" (enabled and explained the same way).
        let find_enabled = self.action_enabled(Action::FindOtherSide);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(hop.status != HopStatus::Accepted, egui::Button::new("Accept hop"))
                .on_hover_text("accept it as evidence (audited)")
                .clicked()
            {
                action = Some(Command::accept_hop(id));
            }
            if ui
                .add_enabled(hop.status != HopStatus::Rejected, egui::Button::new("Reject hop"))
                .on_hover_text("rule it out; the hop is kept, with the reason, for reviewers (audited)")
                .clicked()
            {
                let why = self.reject_reason.trim();
                action = Some(Command::RejectHop { id, why: (!why.is_empty()).then(|| why.to_owned()) });
                self.reject_reason.clear();
            }
            if ui.button("Remove hop").on_hover_text("delete the hop from the case (audited, undoable)").clicked() {
                action = Some(Command::RemoveHop { id });
            }
            let finder = Action::FindOtherSide;
            find =
                ui.add_enabled(find_enabled, egui::Button::new(finder.text())).on_hover_text(finder.help()).clicked();
        });
        let status = match hop.status {
            HopStatus::Suggested => "suggested (not yet accepted)",
            HopStatus::Accepted => "accepted",
            HopStatus::Rejected => "rejected",
        };
        egui::Grid::new(("hop-facts", id)).num_columns(2).striped(true).show(ui, |ui| {
            ui.label("Kind");
            ui.label(hop.kind.name().replace('_', " "));
            ui.end_row();
            match &hop.kind {
                HopKind::Mixer { service, pool } => {
                    ui.label("Service");
                    ui.label(format!("{service}{}", pool.as_ref().map(|p| format!(" ({p})")).unwrap_or_default()));
                    ui.end_row();
                }
                HopKind::Bridge { bridge, from_chain, to_chain } => {
                    ui.label("Bridge");
                    ui.label(format!("{bridge}: {from_chain} -> {to_chain}"));
                    ui.end_row();
                }
                HopKind::Swap { venue } | HopKind::CashOut { venue } => {
                    ui.label("Venue");
                    ui.label(venue);
                    ui.end_row();
                }
                HopKind::PeelChain => {}
            }
            ui.label("Confidence");
            ui.label(format!("{}%", hop.confidence));
            ui.end_row();
            ui.label("Status");
            ui.label(status);
            ui.end_row();
            ui.label("Author");
            ui.label(&hop.author);
            ui.end_row();
            // The hop's asset: that of its first inbound transfer, for the features that are
            // amounts of it.
            let asset = hop
                .inbound
                .first()
                .and_then(|id| s.inv.transfer(*id))
                .map(|r| (r.transfer.chain.clone(), r.transfer.asset.clone()));
            let amount = |v: &str| {
                let (chain, asset) = asset.as_ref()?;
                let a = crate::model::Amount::parse_base_units(v).ok()?;
                Some(registry().display_amount(chain, asset, a))
            };
            for (k, v) in &hop.features {
                let (name, shown) = crate::graph::text::feature_text(k, v, &amount);
                ui.label(name).on_hover_text(k.as_str());
                ui.label(shown).on_hover_text(v.as_str());
                ui.end_row();
            }
        });
        ui.label(RichText::new("Rationale").strong());
        ui.label(if hop.rationale.is_empty() { "(none given)" } else { &hop.rationale });
        for (side, ids) in [("In", &hop.inbound), ("Out", &hop.outbound)] {
            ui.label(RichText::new(format!("{side} ({})", ids.len())).strong());
            for tid in ids {
                let Some(row) = s.inv.transfer(*tid) else {
                    ui.label(format!("#{tid} (not in the ledger)"));
                    continue;
                };
                let t = &row.transfer;
                let (shown, exact) = registry().display_amount_readable(&t.chain, &t.asset, t.amount_base);
                let text = format!(
                    "#{tid} {shown} {} -> {}",
                    t.from.as_deref().map_or_else(|| "(tx)".to_owned(), super::canvas::short_address),
                    t.to.as_deref().map_or_else(|| "(tx)".to_owned(), super::canvas::short_address)
                );
                if ui
                    .link(text)
                    .on_hover_text(format!("exactly {exact}; click to select this transfer's edge"))
                    .clicked()
                {
                    select_edge = Some(*tid);
                }
            }
        }
        if let Some(tid) = select_edge {
            let edge = s.graph.graph.edge_indices().find_map(|e| {
                let (a, b) = s.graph.graph.edge_endpoints(e)?;
                s.graph.graph[e]
                    .transfers
                    .contains(&tid)
                    .then(|| (s.graph.graph[a].key.clone(), s.graph.graph[b].key.clone()))
            });
            if let Some((a, b)) = edge {
                self.canvas.select_edge(a, b.clone());
                self.canvas.focus(&b);
                self.timeline_pick = Some(tid);
            }
        }
        if let Some(c) = action {
            if matches!(c, Command::RemoveHop { .. }) {
                self.selected_hop = None;
                self.canvas.highlight_hop(None);
            }
            self.command(c);
        }
        if find {
            self.find_other_side(super::finder::FindTarget::Hop(id));
        }
    }
}
