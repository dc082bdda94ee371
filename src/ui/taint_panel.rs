//! Value tracing in the window (Hops > Trace value from the seeds…, "taint" in the palette):
//! poison, haircut or FIFO taint from the case's seeds through its accepted hops, run as a
//! background job on a ledger connection of its own with the same code as `hoptrace taint`
//! ([`crate::workbench::trace`]). The window lists, per asset, the endpoints with their amounts,
//! hops and stop reasons, what stays, and the exact conservation check; "Select endpoints on the
//! graph" selects those the graph shows.

use egui::{RichText, Ui};

use super::app::WorkbenchApp;
use crate::analysis::taint::{AssetFlow, Method, TaintReport};
use crate::case::NodeKey;
use crate::ledger::ReadLedger;
use crate::model::{Amount, Total, registry};
use crate::workbench::jobs::Latest;
use crate::workbench::trace::{case_options, trace_case};

/// Endpoints listed per asset before "… N more".
const SHOWN_ENDPOINTS: usize = 25;

/// The value-tracing window's state.
pub struct TaintUi {
    /// The window is shown.
    pub open: bool,
    /// Poison, haircut or FIFO.
    pub method: Method,
    /// Hops followed at most.
    pub max_hops: u32,
    /// Cross suggested hops too (accepted ones always).
    pub include_suggested: bool,
    /// The trace running, and the last result.
    pub run: Latest<TaintReport>,
}

impl Default for TaintUi {
    fn default() -> Self {
        TaintUi { open: false, method: Method::Haircut, max_hops: 6, include_suggested: false, run: Latest::default() }
    }
}

impl TaintUi {
    /// Whether a trace is running.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.run.is_running()
    }

    /// The last result.
    #[must_use]
    pub fn result(&self) -> Option<&Result<TaintReport, String>> {
        self.run.result()
    }

    /// Drops the result and any running trace (another case was opened); the settings stay.
    pub fn forget_case(&mut self) {
        self.run.forget();
    }

    /// The same trace on the command line.
    #[must_use]
    pub fn cli(&self) -> String {
        format!(
            "hoptrace taint CASE --method {} --hops {}{}",
            self.method.name(),
            self.max_hops,
            if self.include_suggested { " --include-suggested" } else { "" }
        )
    }
}

/// An amount of `f`'s asset, exactly (the conservation check).
fn amount(f: &AssetFlow, a: Amount) -> String {
    registry().display_amount(&f.chain, &f.asset, a)
}

/// An amount of `f`'s asset for reading (grouped digits, a few decimals).
fn readable(f: &AssetFlow, a: Amount) -> String {
    registry().display_amount_readable(&f.chain, &f.asset, a).0
}

/// The conservation line of a flow, as `hoptrace taint` prints it.
fn conservation(f: &AssetFlow) -> String {
    format!(
        "conservation: seeded {} + from hops {} = reached {} + stays {}: {}",
        amount(f, f.seeded),
        amount(f, f.from_hops),
        amount(f, f.reached),
        amount(f, f.stays),
        if f.is_conserved() { "exact" } else { "NOT CONSERVED" }
    )
}

/// A node as the canvas labels it: a shortened address (the whole key on hover).
fn node_text(n: &NodeKey) -> String {
    match n {
        NodeKey::Address { address, .. } => crate::graph::text::short_address(&crate::model::visible(address)),
        other => crate::model::visible(&other.describe()).into_owned(),
    }
}

/// A readable amount of `f`'s asset, the exact one on hover.
fn amount_cell(ui: &mut Ui, f: &AssetFlow, a: Amount) {
    super::summary::amount_label(ui, &(f.chain.clone(), f.asset.clone()), Total::from(a), "", "");
}

impl WorkbenchApp {
    /// Starts tracing value from the case's seeds with the window's settings.
    pub fn start_taint(&mut self) {
        let Some(s) = self.session.as_ref() else { return };
        if self.taint.is_running() {
            return;
        }
        let source = s.inv.ledger().source();
        let case = s.inv.case().clone();
        let options = case_options(&case, self.taint.method, self.taint.max_hops, self.taint.include_suggested);
        let work = move |_: &_| {
            let ledger = source.open().map_err(|e| e.to_string())?;
            trace_case(&ledger, &case, &options).map_err(|e| e.to_string())
        };
        if let Err(e) = self.taint.run.start("hoptrace-taint", work) {
            self.error(format!("cannot start tracing: {e}"));
        }
    }

    /// Takes a finished trace (called every frame).
    pub fn poll_taint(&mut self, ctx: &egui::Context) {
        if !self.taint.is_running() {
            return;
        }
        let Some(result) = self.taint.run.poll("tracing stopped without a result") else {
            return ctx.request_repaint_after(std::time::Duration::from_millis(100));
        };
        let notice = match result {
            Ok(r) => {
                let endpoints: usize = r.flows.iter().map(|f| f.endpoints.len()).sum();
                let conserved = r.flows.iter().all(AssetFlow::is_conserved);
                Ok(format!(
                    "{} taint: {} asset(s), {endpoints} endpoint(s), {}",
                    r.method.name(),
                    r.flows.len(),
                    if conserved { "value conserved exactly" } else { "value NOT conserved" }
                ))
            }
            Err(e) => Err(format!("Trace value: {e}")),
        };
        match notice {
            Ok(m) => self.info(m),
            Err(m) => self.error(m),
        }
    }

    /// The value-tracing window, when open.
    pub fn taint_ui(&mut self, ctx: &egui::Context) {
        if !self.taint.open {
            return;
        }
        let mut open = true;
        let mut run = false;
        let mut select: Vec<NodeKey> = Vec::new();
        // The endpoints the graph shows, for "Select endpoints on the graph".
        let on: Vec<NodeKey> = match (self.taint.result(), self.session.as_ref()) {
            (Some(Ok(r)), Some(s)) => r
                .flows
                .iter()
                .flat_map(|f| f.endpoints.iter().map(|e| &e.node))
                .filter(|k| s.graph.index.contains_key(*k))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        egui::Window::new("Trace value from the seeds")
            .id(egui::Id::unique("taint"))
            .open(&mut open)
            .default_pos(ctx.content_rect().left_top() + egui::vec2(270.0, 90.0))
            .default_width(620.0)
            .max_width(720.0)
            .show(ctx, |ui| {
                let t = &mut self.taint;
                ui.horizontal(|ui| {
                    ui.label("Method:");
                    for m in [Method::Haircut, Method::Fifo, Method::Poison] {
                        ui.radio_value(&mut t.method, m, m.name());
                    }
                });
                ui.horizontal(|ui| {
                    let label = ui.label("Hops at most:");
                    ui.add(egui::DragValue::new(&mut t.max_hops).range(1..=30)).labelled_by(label.id);
                    ui.checkbox(&mut t.include_suggested, "cross suggested hops too");
                });
                ui.horizontal(|ui| {
                    run = ui
                        .add_enabled(!t.is_running(), egui::Button::new("Trace"))
                        .on_hover_text(format!("the same as {}", t.cli()))
                        .clicked();
                    if t.is_running() {
                        ui.spinner();
                        ui.label("tracing…");
                    }
                    if ui
                        .add_enabled(!on.is_empty(), egui::Button::new(format!("Select endpoints on the graph ({})", on.len())))
                        .on_hover_text("endpoints that are not on the graph yet can be expanded to")
                        .clicked()
                    {
                        select.clone_from(&on);
                    }
                });
                ui.separator();
                match t.result() {
                    None => {
                        ui.label("Follows the seeds' value through the ledger and the case's accepted hops; stops at services, unspent balances and the hop limit.");
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, crate::model::visible(e));
                    }
                    Some(Ok(r)) => report_ui(ui, r),
                }
            });
        self.taint.open = open;
        if run {
            self.start_taint();
        }
        if !select.is_empty() {
            self.canvas.select_many(select);
        }
    }
}

/// One report: per asset, the endpoints (amount, node, reason, hops), what stays, and the
/// conservation line.
fn report_ui(ui: &mut Ui, r: &TaintReport) {
    ui.label(format!(
        "{} taint, up to {} hops: {} transfers read, {} tainted",
        r.method.name(),
        r.max_hops,
        r.transfers_read,
        r.transfers_tainted
    ));
    if r.flows.is_empty() {
        ui.label("No value left the seeds in the ledger.");
    }
    egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
        for f in &r.flows {
            ui.add_space(6.0);
            ui.label(
                RichText::new(format!(
                    "{} {}: seeded {}, from hops {}",
                    f.chain,
                    crate::graph::text::asset_info(&f.chain, &f.asset).symbol,
                    readable(f, f.seeded),
                    readable(f, f.from_hops)
                ))
                .strong(),
            );
            egui::Grid::new(("taint-endpoints", &f.chain, &f.asset)).num_columns(4).striped(true).show(ui, |ui| {
                ui.label("amount");
                ui.label("endpoint");
                ui.label("why it stops");
                ui.label("hops");
                ui.end_row();
                for e in f.endpoints.iter().take(SHOWN_ENDPOINTS) {
                    amount_cell(ui, f, e.amount);
                    ui.label(node_text(&e.node)).on_hover_text(crate::model::visible(&e.node.describe()));
                    ui.label(e.reason.to_string());
                    ui.label(e.hops.to_string());
                    ui.end_row();
                }
            });
            if f.endpoints.len() > SHOWN_ENDPOINTS {
                let rest = Total::sum(f.endpoints.iter().skip(SHOWN_ENDPOINTS).map(|e| e.amount));
                ui.label(format!(
                    "… {} more endpoints, {} in all",
                    f.endpoints.len() - SHOWN_ENDPOINTS,
                    registry().display_amount(&f.chain, &f.asset, rest)
                ));
            }
            if let Some(h) = f.remaining.first() {
                ui.label(format!(
                    "stays: {} in {} nodes (most: {} in {})",
                    readable(f, f.stays),
                    f.remaining.len(),
                    readable(f, h.amount),
                    node_text(&h.node)
                ));
            }
            ui.label(conservation(f));
        }
    });
}
