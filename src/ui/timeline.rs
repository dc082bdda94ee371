//! The timeline (bottom, egui_plot): every transfer on the graph as a point, time across and
//! value up (log scale, display units), coloured by asset. Linked both ways with the canvas:
//! transfers of the selected nodes, the selected edge and the highlighted hop stand out; a click
//! on a point selects its edge on the canvas (and shows it in the inspector).

use std::collections::{BTreeMap, HashSet};

use egui::Ui;
use egui_plot::{GridMark, HoverPosition, Legend, MarkerShape, Plot, PlotPoint, Points};

use super::app::WorkbenchApp;
use super::canvas;
use crate::case::NodeKey;
use crate::ledger::TransferRow;

/// One transfer on the timeline.
#[derive(Debug, Clone)]
pub struct TimelinePoint {
    /// Ledger transfer id.
    pub id: i64,
    /// UTC seconds.
    pub time: i64,
    /// log10(value in display units), floored at 10^-8: for drawing only, never for money.
    pub height: f64,
    /// Ticker.
    pub symbol: String,
    /// Native asset of its chain.
    pub native: bool,
    /// The edge it is drawn on.
    pub edge: (NodeKey, NodeKey),
    /// Touches the selection or the highlighted hop.
    pub highlighted: bool,
}

fn date_text(seconds: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let s = seconds as i64;
    jiff::Timestamp::from_second(s).map_or_else(|_| String::new(), |t| t.strftime("%Y-%m-%d %H:%M").to_string())
}

fn row_height(row: &TransferRow) -> (f64, String, bool) {
    let t = &row.transfer;
    let info = canvas::asset_info(&t.chain, &t.asset);
    let v = canvas::display_value(t.amount_base, info.decimals);
    (v.max(1e-8).log10(), info.symbol, info.native)
}

/// 12, 1.2k, 3.4M: a value axis label (display units, drawing only).
fn compact(v: f64) -> String {
    let (scaled, suffix) = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        .into_iter()
        .find(|(unit, _)| v.abs() >= *unit)
        .map_or((v, ""), |(unit, s)| (v / unit, s));
    let text = format!("{scaled:.3}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text };
    format!("{text}{suffix}")
}

impl WorkbenchApp {
    /// The transfers the timeline shows, with what is highlighted (selection, edge, hop, pick).
    #[must_use]
    pub fn timeline_points(&self) -> Vec<TimelinePoint> {
        let Some(s) = self.session.as_ref() else { return Vec::new() };
        let g = &s.graph.graph;
        let selected = self.canvas.selection();
        let edge = self.canvas.selected_edge();
        let hop: HashSet<i64> = self
            .canvas
            .highlighted_hop()
            .and_then(|id| s.inv.case().hops.get(&id))
            .map(|h| h.inbound.iter().chain(&h.outbound).copied().collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for e in g.edge_indices() {
            let Some((a, b)) = g.edge_endpoints(e) else { continue };
            let (ka, kb) = (&g[a].key, &g[b].key);
            let on_edge = edge.is_some_and(|(x, y)| x == ka && y == kb);
            let touches = selected.contains(ka) || selected.contains(kb) || on_edge;
            for &id in &g[e].transfers {
                let Some(row) = s.inv.transfer(id) else { continue };
                let Some(time) = row.transfer.time else { continue };
                let (height, symbol, native) = row_height(row);
                out.push(TimelinePoint {
                    id,
                    time,
                    height,
                    symbol,
                    native,
                    edge: (ka.clone(), kb.clone()),
                    highlighted: touches || hop.contains(&id) || self.timeline_pick == Some(id),
                });
            }
        }
        out
    }

    /// Draws the timeline; a click on a point selects its edge.
    pub fn timeline_ui(&mut self, ui: &mut Ui) {
        if self.session.is_none() {
            return;
        }
        let points = self.timeline_points();
        let highlighted = points.iter().filter(|p| p.highlighted).count();
        ui.horizontal(|ui| {
            ui.strong(format!("Timeline: {} transfers", points.len()));
            if highlighted > 0 {
                ui.label(format!("({highlighted} highlighted)"));
            }
            ui.label("click a point to select its edge");
        });
        let mut by_asset: BTreeMap<(String, bool), Vec<[f64; 2]>> = BTreeMap::new();
        let mut marked = Vec::new();
        #[allow(clippy::cast_precision_loss)]
        for p in &points {
            let xy = [p.time as f64, p.height];
            by_asset.entry((p.symbol.clone(), p.native)).or_default().push(xy);
            if p.highlighted {
                marked.push(xy);
            }
        }
        let select = ui.visuals().selection.stroke.color;
        let response = Plot::new("hoptrace-timeline")
            .legend(Legend::default())
            .allow_scroll(false)
            .x_axis_formatter(|m: GridMark, _| date_text(m.value))
            .y_axis_formatter(|m: GridMark, _| compact(10f64.powf(m.value)))
            .y_axis_label("value")
            .label_formatter(|pos: &HoverPosition<'_>| {
                let p = match pos {
                    HoverPosition::NearDataPoint { position, .. } | HoverPosition::Elsewhere { position } => position,
                };
                Some(format!("{}\n{}", date_text(p.x), compact(10f64.powf(p.y))))
            })
            .show(ui, |plot| {
                for ((symbol, native), xy) in by_asset {
                    let c = canvas::asset_color(&symbol, native);
                    plot.points(Points::new(symbol, xy).color(c).radius(3.0).filled(true));
                }
                if !marked.is_empty() {
                    plot.points(
                        Points::new("selected", marked)
                            .color(select)
                            .radius(6.0)
                            .filled(false)
                            .shape(MarkerShape::Circle),
                    );
                }
            });
        #[allow(clippy::cast_precision_loss)]
        {
            self.timeline_screen = points
                .iter()
                .map(|p| (p.id, response.transform.position_from_point(&PlotPoint::new(p.time as f64, p.height))))
                .collect();
        }
        if response.response.clicked()
            && let Some(pointer) = response.response.interact_pointer_pos()
        {
            let t = &response.transform;
            #[allow(clippy::cast_precision_loss)]
            let nearest = points
                .iter()
                .map(|p| (p, t.position_from_point(&PlotPoint::new(p.time as f64, p.height)).distance(pointer)))
                .filter(|(_, d)| *d <= 10.0)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((p, _)) = nearest {
                self.timeline_pick = Some(p.id);
                self.canvas.select_edge(p.edge.0.clone(), p.edge.1.clone());
                self.canvas.focus(&p.edge.1);
            }
        }
    }
}
