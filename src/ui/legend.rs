//! The canvas legend (View > Show legend, key G): what the shapes and colours on the graph
//! mean. Only what is on the graph is listed: its categories (shape and colour), aggregates and
//! UTXO transactions, its hop kinds (dashed = suggested) and its assets (edge colours).

use std::collections::BTreeSet;

use egui::{Color32, Pos2, Rect, Sense, Stroke, Ui, vec2};

use super::app::WorkbenchApp;
use super::canvas;
use crate::case::{Case, NodeKey};
use crate::graph::InvestigationGraph;
use crate::model::{Category, HopKind};

/// What the legend lists for the open graph.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LegendItems {
    /// Address categories present.
    pub categories: BTreeSet<Category>,
    /// Aggregate "+N more" nodes present.
    pub aggregates: bool,
    /// UTXO transaction nodes present.
    pub transactions: bool,
    /// Hop kinds present (by name) with their colour.
    pub hops: Vec<(String, Color32)>,
    /// Some hop is only suggested.
    pub suggested: bool,
    /// Assets on the edges: (symbol, native).
    pub assets: BTreeSet<(String, bool)>,
    /// The case has seeds (ringed).
    pub seeds: bool,
    /// Some address is on the graph (its chain badge).
    pub badges: Option<String>,
    /// Some edge carries several transfers (×N).
    pub multi: bool,
}

fn icon(ui: &mut Ui) -> (Rect, egui::Painter) {
    let (rect, _) = ui.allocate_exact_size(vec2(18.0, 16.0), Sense::hover());
    (rect, ui.painter().clone())
}

impl LegendItems {
    /// What is on `graph` and in `case`'s hops. O(n + e).
    #[must_use]
    pub fn of(graph: &InvestigationGraph, case: &Case) -> Self {
        let mut items = LegendItems::default();
        for n in graph.graph.node_weights() {
            match &n.key {
                NodeKey::Address { chain, .. } => {
                    items.categories.insert(n.category);
                    items.badges.get_or_insert_with(|| crate::graph::text::chain_badge(chain));
                }
                NodeKey::Tx { .. } => items.transactions = true,
                NodeKey::Aggregate(_) => items.aggregates = true,
            }
        }
        // The registry is asked once per (chain, asset), not once per edge.
        let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
        items.seeds = !case.seeds.is_empty();
        for e in graph.graph.edge_weights() {
            items.multi |= e.transfers.len() > 1;
            for (chain, asset) in e.totals.keys() {
                if seen.insert((chain, asset)) {
                    let info = canvas::asset_info(chain, asset);
                    items.assets.insert((info.symbol, info.native));
                }
            }
        }
        let mut kinds = BTreeSet::new();
        for h in case.hops.values() {
            let (name, sample): (&str, HopKind) = (h.kind.name(), h.kind.clone());
            if kinds.insert(name.to_owned()) {
                items.hops.push((name.replace('_', " "), canvas::hop_color(&sample)));
            }
            items.suggested |= h.status == crate::model::HopStatus::Suggested;
        }
        items
    }
}

impl WorkbenchApp {
    /// What is on the graph shown (the reviewed package's in review mode), for the legend.
    #[must_use]
    pub fn legend_items(&self) -> LegendItems {
        match (self.review.loaded(), self.session.as_ref()) {
            (Some(r), _) => LegendItems::of(&r.evidence.graph, &r.evidence.case),
            (None, Some(s)) => LegendItems::of(&s.graph, s.inv.case()),
            (None, None) => LegendItems::default(),
        }
    }

    /// Draws the legend along the bottom of the canvas `rect`; returns its height, which the
    /// canvas keeps free when it fits the graph.
    pub fn legend_ui(&mut self, ctx: &egui::Context, rect: Rect) -> f32 {
        // Derived once per change of the graph: it looks at every node and edge.
        // (A reviewed package's graph never changes while it is shown, but packages come and
        // go: it is not cached.)
        let generation = self.session.as_ref().map_or(0, |s| s.generation);
        let items = match self.legend_cache.take() {
            Some((g, items)) if g == generation && self.review.loaded().is_none() => items,
            _ => self.legend_items(),
        };
        let height = self.legend_area(ctx, rect, &items);
        self.legend_cache = Some((generation, items));
        height
    }

    fn legend_area(&self, ctx: &egui::Context, rect: Rect, items: &LegendItems) -> f32 {
        if *items == LegendItems::default() {
            return 0.0;
        }
        egui::Area::new(egui::Id::unique("hoptrace-legend"))
            .pivot(egui::Align2::LEFT_BOTTOM)
            .fixed_pos(rect.left_bottom() + vec2(8.0, -8.0))
            .constrain_to(rect)
            .order(egui::Order::Middle)
            .interactable(false)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width((rect.width() - 40.0).max(200.0));
                    ui.add(egui::Label::new(egui::RichText::new("Legend").strong()).extend());
                    let outline = ui.visuals().strong_text_color();
                    ui.horizontal_wrapped(|ui| {
                        for &c in &items.categories {
                            ui.scope(|ui| {
                                let (r, p) = icon(ui);
                                canvas::paint_shape(
                                    &p,
                                    canvas::category_shape(c),
                                    r.center(),
                                    6.0,
                                    canvas::category_color(c),
                                    Stroke::new(1.0, outline),
                                );
                                ui.add(egui::Label::new(c.name()).extend());
                            });
                        }
                        if items.transactions {
                            ui.scope(|ui| {
                                let (r, p) = icon(ui);
                                p.rect_filled(
                                    Rect::from_center_size(r.center(), vec2(9.0, 9.0)),
                                    1.0,
                                    canvas::TX_COLOR,
                                );
                                ui.add(egui::Label::new("UTXO transaction").extend());
                            });
                        }
                        if items.aggregates {
                            ui.scope(|ui| {
                                let (r, p) = icon(ui);
                                let b = Rect::from_center_size(r.center(), vec2(16.0, 9.0));
                                p.rect_stroke(b, 3.0, Stroke::new(1.0, outline), egui::StrokeKind::Middle);
                                ui.add(egui::Label::new("+N more (aggregate)").extend());
                            });
                        }
                    });
                    if items.seeds || items.badges.is_some() || items.multi {
                        ui.horizontal_wrapped(|ui| {
                            if items.seeds {
                                ui.scope(|ui| {
                                    let (r, p) = icon(ui);
                                    p.circle_stroke(
                                        r.center(),
                                        6.0,
                                        Stroke::new(
                                            2.0,
                                            egui::Color32::from_rgb(
                                                crate::style::SEED_RGB.0,
                                                crate::style::SEED_RGB.1,
                                                crate::style::SEED_RGB.2,
                                            ),
                                        ),
                                    );
                                    ui.add(egui::Label::new("seed (the trace starts here)").extend());
                                });
                            }
                            if let Some(badge) = &items.badges {
                                ui.add(egui::Label::new(egui::RichText::new(badge.as_str()).small().strong()).extend());
                                ui.add(egui::Label::new("the address's chain").extend());
                            }
                            if items.multi {
                                ui.add(egui::Label::new(egui::RichText::new("×N").small().strong()).extend());
                                ui.add(egui::Label::new("N transfers on one edge").extend());
                            }
                        });
                    }
                    if !items.hops.is_empty() {
                        ui.horizontal_wrapped(|ui| {
                            for (name, color) in &items.hops {
                                ui.scope(|ui| {
                                    let (r, p) = icon(ui);
                                    p.line_segment([r.left_center(), r.right_center()], Stroke::new(2.5, *color));
                                    ui.add(egui::Label::new(format!("{name} hop")).extend());
                                });
                            }
                        });
                        if items.suggested {
                            ui.label("dashed: suggested, not yet accepted");
                        }
                    }
                    if !items.assets.is_empty() {
                        ui.horizontal_wrapped(|ui| {
                            for (symbol, native) in &items.assets {
                                ui.scope(|ui| {
                                    let (r, p) = icon(ui);
                                    let color = canvas::asset_color(symbol, *native);
                                    let (a, b) = (r.left_center(), r.right_center());
                                    p.line_segment([a, b], Stroke::new(3.0, color));
                                    p.circle_filled(Pos2::new(b.x, b.y), 2.0, color);
                                    ui.add(egui::Label::new(symbol.as_str()).extend());
                                });
                            }
                        });
                        ui.label("edge width: value (log scale)");
                    }
                });
            })
            .response
            .rect
            .height()
    }
}
