//! Paths between two selected addresses in the window (Hops > Paths between the two selected
//! addresses, "paths" in the palette): the shortest and the highest-value time-respecting paths
//! each way, run as a background job on a ledger connection of its own with the same code as
//! `hoptrace paths` ([`crate::analysis::paths::find`]). The window lists each path's hops with
//! amounts and times, and selects a path's addresses on the graph.

use egui::{RichText, Ui};

use super::app::WorkbenchApp;
use crate::analysis::paths::{self, Path, PathOptions, PathsResult};
use crate::case::NodeKey;
use crate::ledger::ReadLedger;
use crate::model::registry;
use crate::workbench::jobs::Latest;

/// Both directions between two addresses of one chain: (from, to, what was found).
pub type BothWays = Vec<(String, String, PathsResult)>;

/// The paths window's state.
pub struct PathsUi {
    /// The window is shown.
    pub open: bool,
    /// Hops of a path at most.
    pub max_hops: u32,
    /// The chain and the two addresses searched.
    pub between: Option<(String, String, String)>,
    /// The search running, and the last result.
    pub run: Latest<BothWays>,
}

impl Default for PathsUi {
    fn default() -> Self {
        PathsUi { open: false, max_hops: 6, between: None, run: Latest::default() }
    }
}

impl PathsUi {
    /// Whether a search is running.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.run.is_running()
    }

    /// The last result.
    #[must_use]
    pub fn result(&self) -> Option<&Result<BothWays, String>> {
        self.run.result()
    }

    /// Drops the result and any running search (another case was opened).
    pub fn forget_case(&mut self) {
        self.run.forget();
        self.between = None;
    }
}

/// The two selected addresses when they are two addresses of one chain.
#[must_use]
pub fn two_addresses(selection: &std::collections::BTreeSet<NodeKey>) -> Option<(String, String, String)> {
    let mut it = selection.iter();
    match (it.next(), it.next(), it.next()) {
        (Some(NodeKey::Address { chain: c1, address: a }), Some(NodeKey::Address { chain: c2, address: b }), None)
            if c1 == c2 =>
        {
            Some((c1.clone(), a.clone(), b.clone()))
        }
        _ => None,
    }
}

impl WorkbenchApp {
    /// Opens the paths window and searches between the two selected addresses.
    pub fn start_paths(&mut self) {
        let Some(s) = self.session.as_ref() else { return };
        let Some((chain, a, b)) = two_addresses(self.canvas.selection()) else {
            return self.error("select two addresses of one chain to find the paths between them");
        };
        if self.paths.is_running() {
            return;
        }
        let source = s.inv.ledger().source();
        let options = PathOptions { max_hops: self.paths.max_hops, ..PathOptions::default() };
        let (c, x, y) = (chain.clone(), a.clone(), b.clone());
        let work = move |_: &_| -> Result<BothWays, String> {
            let ledger = source.open().map_err(|e| e.to_string())?;
            let mut out = Vec::new();
            for (from, to) in [(&x, &y), (&y, &x)] {
                let r = paths::find(&ledger, &c, from, to, &options).map_err(|e| e.to_string())?;
                out.push((from.clone(), to.clone(), r));
            }
            Ok(out)
        };
        match self.paths.run.start("hoptrace-paths", work) {
            Ok(()) => {
                self.paths.between = Some((chain, a, b));
                self.paths.open = true;
            }
            Err(e) => self.error(format!("cannot start the path search: {e}")),
        }
    }

    /// Takes a finished search (called every frame).
    pub fn poll_paths(&mut self, ctx: &egui::Context) {
        if !self.paths.is_running() {
            return;
        }
        match self.paths.run.poll("the path search stopped without a result") {
            None => ctx.request_repaint_after(std::time::Duration::from_millis(100)),
            Some(Err(e)) => {
                let message = format!("Paths: {e}");
                self.error(message);
            }
            Some(Ok(_)) => {}
        }
    }

    /// The paths window, when open.
    pub fn paths_ui(&mut self, ctx: &egui::Context) {
        if !self.paths.open {
            return;
        }
        let mut open = true;
        let mut select: Option<Vec<NodeKey>> = None;
        egui::Window::new("Paths between two addresses")
            .id(egui::Id::unique("paths"))
            .open(&mut open)
            .default_pos(ctx.content_rect().left_top() + egui::vec2(270.0, 90.0))
            .default_width(620.0)
            .max_width(720.0)
            .show(ctx, |ui| {
                let p = &mut self.paths;
                ui.horizontal(|ui| {
                    let label = ui.label("Hops at most:");
                    ui.add(egui::DragValue::new(&mut p.max_hops).range(1..=12)).labelled_by(label.id);
                    if p.is_running() {
                        ui.spinner();
                        ui.label("searching…");
                    }
                });
                ui.label("Select two addresses of one chain, then Hops > Paths between the two selected addresses.");
                ui.separator();
                let chain = p.between.as_ref().map(|(c, _, _)| c.clone()).unwrap_or_default();
                match p.result() {
                    None => {}
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, crate::model::visible(e));
                    }
                    Some(Ok(both)) => {
                        egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
                            for (from, to, r) in both {
                                if let Some(keys) = direction_ui(ui, &chain, from, to, r) {
                                    select = Some(keys);
                                }
                            }
                        });
                    }
                }
            });
        self.paths.open = open;
        if let Some(keys) = select {
            let on: Vec<NodeKey> = match self.session.as_ref() {
                Some(s) => keys.into_iter().filter(|k| s.graph.index.contains_key(k)).collect(),
                None => Vec::new(),
            };
            self.canvas.select_many(on);
        }
    }
}

/// One direction: its shortest and highest-value paths. Returns a path's addresses when its
/// "Select on the graph" was clicked.
fn direction_ui(ui: &mut Ui, chain: &str, from: &str, to: &str, r: &PathsResult) -> Option<Vec<NodeKey>> {
    let short = |a: &str| crate::graph::text::short_address(&crate::model::visible(a));
    ui.label(
        RichText::new(format!(
            "{} → {} ({} addresses expanded{})",
            short(from),
            short(to),
            r.nodes_read,
            if r.truncated { ", cut short by a limit" } else { "" }
        ))
        .strong(),
    );
    let mut clicked = None;
    let mut one = |ui: &mut Ui, what: &str, p: &Path, n: usize| {
        let n_hops = p.hops.len();
        ui.label(format!("{what}: {n_hops} hop{}", if n_hops == 1 { "" } else { "s" }));
        egui::Grid::new(("path", from, to, what, n)).num_columns(4).striped(true).show(ui, |ui| {
            for h in &p.hops {
                ui.label(format!("{} → {}", short(&h.from), short(&h.to))).on_hover_text(format!(
                    "{} → {}",
                    crate::model::visible(&h.from),
                    crate::model::visible(&h.to)
                ));
                let (shown, exact) = registry().display_amount_readable(chain, &h.asset, h.amount);
                ui.label(shown).on_hover_text(format!("exactly {exact}"));
                ui.label(h.time.map_or_else(|| "time unknown".to_owned(), crate::model::format_utc));
                ui.label(h.to_label.as_deref().map(crate::model::visible).unwrap_or_default());
                ui.end_row();
            }
        });
        if ui.button(format!("Select this path on the graph ({what})")).clicked() {
            let mut keys: Vec<NodeKey> = p.hops.iter().map(|h| NodeKey::address(chain, h.from.clone())).collect();
            keys.extend(p.hops.last().map(|h| NodeKey::address(chain, h.to.clone())));
            clicked = Some(keys);
        }
    };
    match &r.shortest {
        Some(p) => one(ui, "shortest", p, 0),
        None => {
            ui.label("no path within the hop limit");
        }
    }
    for (n, p) in r.widest.iter().enumerate() {
        one(ui, "highest value", p, n + 1);
    }
    ui.add_space(6.0);
    clicked
}
