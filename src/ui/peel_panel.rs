//! Following a peel chain in the window (Hops > Follow the peel chain from the selected address,
//! "peel" in the palette): from one selected address of a UTXO chain, the steps of the chain
//! (peel and change, each a suggested hop with its confidence and rationale) and where and why
//! each branch stopped, run as a background job with the code of `hoptrace peel`
//! ([`crate::analysis::peel::follow`]). "Add the steps as suggested hops" records them as one
//! audited, undoable command, as `hoptrace peel --add` does.

use egui::RichText;

use super::app::WorkbenchApp;
use crate::analysis::peel::{self, PeelChainResult, PeelOptions};
use crate::case::NodeKey;
use crate::graph::Command;
use crate::ledger::ReadLedger;
use crate::model::{ChainModel, registry};
use crate::workbench::jobs::Latest;

/// The peel window's state.
#[derive(Default)]
pub struct PeelUi {
    /// The window is shown.
    pub open: bool,
    /// The search running, and the last result.
    pub run: Latest<PeelChainResult>,
}

impl PeelUi {
    /// Whether a search is running.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.run.is_running()
    }

    /// The last result.
    #[must_use]
    pub fn result(&self) -> Option<&Result<PeelChainResult, String>> {
        self.run.result()
    }

    /// Drops the result and any running search (another case was opened).
    pub fn forget_case(&mut self) {
        self.run.forget();
    }
}

/// The one selected node when it is an address of a UTXO chain.
#[must_use]
pub fn one_utxo_address(selection: &std::collections::BTreeSet<NodeKey>) -> Option<(String, String)> {
    let mut it = selection.iter();
    match (it.next(), it.next()) {
        (Some(NodeKey::Address { chain, address }), None)
            if registry().chain(chain).is_ok_and(|c| c.model == ChainModel::Utxo) =>
        {
            Some((chain.clone(), address.clone()))
        }
        _ => None,
    }
}

impl WorkbenchApp {
    /// Follows the peel chain from the selected address on a background thread.
    pub fn start_peel(&mut self) {
        let Some(s) = self.session.as_ref() else { return };
        let Some((chain, address)) = one_utxo_address(self.canvas.selection()) else {
            return self.error("select one address of a UTXO chain (Bitcoin) to follow its peel chain");
        };
        if self.peel.is_running() {
            return;
        }
        let source = s.inv.ledger().source();
        let now = jiff::Timestamp::now().as_second();
        let work = move |_: &_| -> Result<PeelChainResult, String> {
            let ledger = source.open().map_err(|e| e.to_string())?;
            let o = PeelOptions { now, ..PeelOptions::default() };
            peel::follow(&ledger, &chain, &address, &o).map_err(|e| e.to_string())
        };
        match self.peel.run.start("hoptrace-peel", work) {
            Ok(()) => self.peel.open = true,
            Err(e) => self.error(format!("cannot start following the peel chain: {e}")),
        }
    }

    /// Takes a finished search (called every frame).
    pub fn poll_peel(&mut self, ctx: &egui::Context) {
        if !self.peel.is_running() {
            return;
        }
        match self.peel.run.poll("following the peel chain stopped without a result") {
            None => ctx.request_repaint_after(std::time::Duration::from_millis(100)),
            Some(Err(e)) => {
                let message = format!("Peel chain: {e}");
                self.error(message);
            }
            Some(Ok(_)) => {}
        }
    }

    /// The peel window, when open.
    pub fn peel_ui(&mut self, ctx: &egui::Context) {
        if !self.peel.open {
            return;
        }
        let mut open = true;
        let mut add: Option<Command> = None;
        egui::Window::new("Peel chain")
            .id(egui::Id::unique("peel"))
            .open(&mut open)
            .default_pos(ctx.content_rect().left_top() + egui::vec2(270.0, 90.0))
            .default_width(620.0)
            .max_width(720.0)
            .show(ctx, |ui| {
                let p = &self.peel;
                if p.is_running() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("following…");
                    });
                }
                match p.result() {
                    None => {}
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, crate::model::visible(e));
                    }
                    Some(Ok(r)) => {
                        let short = |a: &str| crate::graph::text::short_address(&crate::model::visible(a));
                        ui.label(
                            RichText::new(format!(
                                "from {} on {}: {} step{}",
                                short(&r.start),
                                r.chain,
                                r.steps.len(),
                                if r.steps.len() == 1 { "" } else { "s" }
                            ))
                            .strong(),
                        );
                        egui::ScrollArea::vertical().max_height(380.0).show(ui, |ui| {
                            for s in &r.steps {
                                ui.label(format!(
                                    "step {} (confidence {}): {}",
                                    s.depth + 1,
                                    s.hop.confidence,
                                    crate::model::visible(&s.hop.rationale)
                                ));
                            }
                            for s in &r.stops {
                                ui.label(format!(
                                    "stops at {} after {} step{}: {}",
                                    short(&s.address),
                                    s.depth,
                                    if s.depth == 1 { "" } else { "s" },
                                    crate::model::visible(&s.detail)
                                ));
                            }
                        });
                        let label = format!("Add the {} steps as suggested hops", r.steps.len());
                        if ui
                            .add_enabled(!r.steps.is_empty(), egui::Button::new(label))
                            .on_hover_text("one audited, undoable command, as hoptrace peel --add")
                            .clicked()
                        {
                            let commands =
                                r.steps.iter().map(|s| Command::AnnotateHop { hop: s.hop.clone() }).collect();
                            add = Some(Command::Batch { commands });
                        }
                    }
                }
            });
        self.peel.open = open;
        if let Some(c) = add {
            self.command(c);
        }
    }
}
