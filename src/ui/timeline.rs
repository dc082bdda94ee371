//! The timeline (bottom, egui_plot): every transfer on the graph as a point, time across and
//! value up (log scale, display units), coloured by asset. Linked both ways with the canvas:
//! transfers of the selected nodes, the selected edge and the highlighted hop stand out; a click
//! on a point selects its edge on the canvas (and shows it in the inspector).
//!
//! The points are derived once per change of the graph ([`TimelineCache`]); a frame only marks
//! the highlighted ones, and draws each asset's points as one mesh ([`Dots`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use egui::Ui;
use egui_plot::{GridMark, HoverPosition, Legend, Plot, PlotBounds, PlotPoint};
use petgraph::stable_graph::EdgeIndex;

use super::app::{Session, WorkbenchApp};
use super::canvas;
use super::dots::{Dots, bounds_of};
use crate::case::NodeKey;
use crate::graph::InvestigationGraph;
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

/// The time axis's label at a mark `step` seconds from the next: the date alone for steps of a
/// day or more, else the date and the time.
fn time_label(seconds: f64, step: f64) -> String {
    let full = date_text(seconds);
    if step >= 86_400.0 { full.get(..10).unwrap_or(&full).to_owned() } else { full }
}

/// Room one time label needs, in points (`2023-06-04 17:33` and a gap).
const TIME_LABEL_POINTS: f64 = 130.0;

/// Marks on the time axis at round UTC steps (minutes to years) far enough apart for their
/// labels: `base_step_size` is 8 points' worth of seconds (egui_plot's minimum spacing).
#[must_use]
pub fn time_marks(input: egui_plot::GridInput) -> Vec<GridMark> {
    const STEPS: [f64; 14] = [
        60.0,
        300.0,
        900.0,
        3_600.0,
        10_800.0,
        21_600.0,
        43_200.0,
        86_400.0,
        172_800.0,
        604_800.0,
        2_592_000.0,
        7_776_000.0,
        31_536_000.0,
        157_680_000.0,
    ];
    let per_point = input.base_step_size / 8.0;
    let wanted = per_point * TIME_LABEL_POINTS;
    let step = STEPS.iter().copied().find(|s| *s >= wanted).unwrap_or(wanted.max(1.0));
    marks(input.bounds, step)
}

/// Marks on the value axis (log10 of display units) at whole decades only — 1, 10, 100, 1k —
/// every second or third one when there are many.
#[must_use]
pub fn decade_marks(input: egui_plot::GridInput) -> Vec<GridMark> {
    let span = input.bounds.1 - input.bounds.0;
    let step = [1.0, 2.0, 3.0, 5.0, 10.0].into_iter().find(|s| span / s <= 8.0).unwrap_or(20.0);
    marks(input.bounds, step.max((input.base_step_size * 2.0).ceil()))
}

/// Multiples of `step` within `bounds` (at most 400).
fn marks((lo, hi): (f64, f64), step: f64) -> Vec<GridMark> {
    if !(lo.is_finite() && hi.is_finite() && step > 0.0) {
        return Vec::new();
    }
    let first = (lo / step).ceil();
    (0..400)
        .map(|i| (first + f64::from(i)) * step)
        .take_while(|v| *v <= hi)
        .map(|value| GridMark { value, step_size: step })
        .collect()
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

/// A transfer on the timeline, as cached.
#[derive(Debug, Clone, Copy)]
struct Base {
    id: i64,
    xy: PlotPoint,
    edge: EdgeIndex,
    series: usize,
}

/// One asset's points.
#[derive(Debug, Clone)]
struct Series {
    symbol: String,
    native: bool,
    points: Vec<PlotPoint>,
    bounds: PlotBounds,
}

/// The timeline's points, derived from the graph once per [`Session::generation`].
#[derive(Debug, Default)]
pub struct TimelineCache {
    generation: Option<u64>,
    points: Vec<Base>,
    series: Vec<Series>,
}

impl TimelineCache {
    /// Rebuilds unless it is of `s`'s generation already. O(t) for t transfers on the graph.
    fn refresh(&mut self, s: &Session) {
        if self.generation != Some(s.generation) {
            *self = Self::build(&s.graph, |id| s.inv.transfer(id), s.generation);
        }
    }

    /// The points of `graph`'s transfers (their rows from `row`), for `generation`. O(t).
    #[must_use]
    pub fn build<'r>(
        graph: &InvestigationGraph,
        row: impl Fn(i64) -> Option<&'r TransferRow>,
        generation: u64,
    ) -> Self {
        let mut this = TimelineCache::default();
        let mut by_asset: BTreeMap<(String, bool), usize> = BTreeMap::new();
        let mut series: Vec<Series> = Vec::new();
        // The registry is asked once per (chain, asset), not once per transfer.
        let mut assets: HashMap<(&str, &str), (Option<u8>, usize)> = HashMap::new();
        let g = &graph.graph;
        for e in g.edge_indices() {
            for &id in &g[e].transfers {
                let Some(row) = row(id) else { continue };
                let t = &row.transfer;
                let Some(time) = t.time else { continue };
                let (decimals, k) = *assets.entry((t.chain.as_str(), t.asset.as_str())).or_insert_with(|| {
                    let info = canvas::asset_info(&t.chain, &t.asset);
                    let next = series.len();
                    let k = *by_asset.entry((info.symbol.clone(), info.native)).or_insert(next);
                    if k == next {
                        let (symbol, native) = (info.symbol, info.native);
                        series.push(Series { symbol, native, points: Vec::new(), bounds: PlotBounds::NOTHING });
                    }
                    (info.decimals, k)
                });
                // log10 of the value in display units, floored at 10^-8: for drawing only.
                let height = canvas::display_value(t.amount_base, decimals).max(1e-8).log10();
                #[allow(clippy::cast_precision_loss)]
                let xy = PlotPoint::new(time as f64, height);
                if let Some(ser) = series.get_mut(k) {
                    ser.points.push(xy);
                }
                this.points.push(Base { id, xy, edge: e, series: k });
            }
        }
        for ser in &mut series {
            ser.bounds = bounds_of(&ser.points);
        }
        // Series in legend order (by symbol), as before.
        let mut order: Vec<usize> = (0..series.len()).collect();
        order.sort_by(|a, b| {
            let (x, y) = (&series[*a], &series[*b]);
            (&x.symbol, x.native).cmp(&(&y.symbol, y.native))
        });
        let mut rank = vec![0; series.len()];
        for (r, i) in order.iter().enumerate() {
            rank[*i] = r;
        }
        for p in &mut this.points {
            p.series = rank[p.series];
        }
        let mut slots: Vec<Option<Series>> = series.into_iter().map(Some).collect();
        this.series = order.iter().filter_map(|i| slots.get_mut(*i).and_then(Option::take)).collect();
        this.generation = Some(generation);
        this
    }
}

impl WorkbenchApp {
    /// Which cached points are highlighted: transfers of the selected nodes, of the selected
    /// edge, of the highlighted hop, and the picked one. O(t) when anything is selected.
    fn highlighted(&self, s: &Session, cache: &TimelineCache) -> Vec<bool> {
        let g = &s.graph;
        let mut edges: HashSet<EdgeIndex> = HashSet::new();
        for k in self.canvas.selection() {
            if let Some(&i) = g.index.get(k) {
                use petgraph::visit::EdgeRef;
                for dir in [petgraph::Direction::Incoming, petgraph::Direction::Outgoing] {
                    edges.extend(g.graph.edges_directed(i, dir).map(|e| e.id()));
                }
            }
        }
        if let Some((a, b)) = self.canvas.selected_edge()
            && let (Some(&ia), Some(&ib)) = (g.index.get(a), g.index.get(b))
            && let Some(e) = g.graph.find_edge(ia, ib)
        {
            edges.insert(e);
        }
        let hop: HashSet<i64> = self
            .canvas
            .highlighted_hop()
            .and_then(|id| s.inv.case().hops.get(&id))
            .map(|h| h.inbound.iter().chain(&h.outbound).copied().collect())
            .unwrap_or_default();
        if edges.is_empty() && hop.is_empty() && self.timeline_pick.is_none() {
            return vec![false; cache.points.len()];
        }
        cache
            .points
            .iter()
            .map(|p| edges.contains(&p.edge) || hop.contains(&p.id) || self.timeline_pick == Some(p.id))
            .collect()
    }

    /// The transfers the timeline shows, with what is highlighted (selection, edge, hop, pick).
    #[must_use]
    pub fn timeline_points(&self) -> Vec<TimelinePoint> {
        let Some(s) = self.session.as_ref() else { return Vec::new() };
        let mut cache = TimelineCache::default();
        cache.refresh(s);
        let lit = self.highlighted(s, &cache);
        let g = &s.graph.graph;
        cache
            .points
            .iter()
            .zip(lit)
            .filter_map(|(p, highlighted)| {
                let (a, b) = g.edge_endpoints(p.edge)?;
                let ser = cache.series.get(p.series)?;
                #[allow(clippy::cast_possible_truncation)]
                Some(TimelinePoint {
                    id: p.id,
                    time: p.xy.x as i64,
                    height: p.xy.y,
                    symbol: ser.symbol.clone(),
                    native: ser.native,
                    edge: (g[a].key.clone(), g[b].key.clone()),
                    highlighted,
                })
            })
            .collect()
    }

    /// Draws the timeline; a click on a point selects its edge.
    pub fn timeline_ui(&mut self, ui: &mut Ui) {
        let Some(s) = self.session.as_ref() else { return };
        let mut cache = std::mem::take(&mut self.timeline_cache);
        cache.refresh(s);
        let lit = self.highlighted(s, &cache);
        let marked: Vec<PlotPoint> = cache.points.iter().zip(&lit).filter(|(_, l)| **l).map(|(p, _)| p.xy).collect();
        ui.horizontal(|ui| {
            ui.strong(format!("Timeline: {} transfers", cache.points.len()));
            if !marked.is_empty() {
                ui.label(format!("({} highlighted)", marked.len()));
            }
            ui.label("click a point to select its edge");
        });
        let select = ui.visuals().selection.stroke.color;
        let response = Plot::new("hoptrace-timeline")
            .legend(Legend::default())
            .allow_scroll(false)
            .x_grid_spacer(time_marks)
            .y_grid_spacer(decade_marks)
            .x_axis_formatter(|m: GridMark, _| time_label(m.value, m.step_size))
            .y_axis_formatter(|m: GridMark, _| compact(10f64.powf(m.value)))
            .y_axis_label("value")
            .label_formatter(|pos: &HoverPosition<'_>| {
                let p = match pos {
                    HoverPosition::NearDataPoint { position, .. } | HoverPosition::Elsewhere { position } => position,
                };
                Some(format!("{}\n{}", date_text(p.x), compact(10f64.powf(p.y))))
            })
            .show(ui, |plot| {
                for ser in &cache.series {
                    let c = canvas::asset_color(&ser.symbol, ser.native);
                    plot.add(Dots::new(ser.symbol.clone(), &ser.points, ser.bounds, c));
                }
                if !marked.is_empty() {
                    plot.add(Dots::new("selected", &marked, bounds_of(&marked), select).radius(6.0).ring());
                }
            });
        let t = &response.transform;
        self.timeline_screen.clear();
        self.timeline_screen.extend(cache.points.iter().map(|p| (p.id, t.position_from_point(&p.xy))));
        if response.response.clicked()
            && let Some(pointer) = response.response.interact_pointer_pos()
        {
            let nearest = cache
                .points
                .iter()
                .map(|p| (p, t.position_from_point(&p.xy).distance(pointer)))
                .filter(|(_, d)| *d <= 10.0)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            let g = &s.graph.graph;
            let picked = nearest.and_then(|(p, _)| {
                let (a, b) = g.edge_endpoints(p.edge)?;
                Some((p.id, g[a].key.clone(), g[b].key.clone()))
            });
            if let Some((id, ka, kb)) = picked {
                self.timeline_pick = Some(id);
                self.canvas.select_edge(ka, kb.clone());
                self.canvas.focus(&kb);
            }
        }
        self.timeline_cache = cache;
    }
}

#[cfg(test)]
mod axis_tests {
    use super::*;
    use egui_plot::GridInput;

    #[test]
    fn the_value_axis_has_whole_decades_and_the_time_axis_round_steps_with_room_for_labels() {
        // 10^-1.5 .. 10^5.5 over 300 points: a mark at each decade, none between.
        let ys = decade_marks(GridInput { bounds: (-1.5, 5.5), base_step_size: 8.0 * 7.0 / 300.0 });
        let values: Vec<f64> = ys.iter().map(|m| m.value).collect();
        assert_eq!(values, [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(compact(10f64.powf(3.0)), "1k");
        // 20 decades: every third, still whole.
        let wide = decade_marks(GridInput { bounds: (-10.0, 10.0), base_step_size: 0.1 });
        assert!(wide.len() <= 8 && wide.iter().all(|m| m.value.fract() == 0.0), "{wide:?}");
        // Four days over 1,200 points: labels at least 130 points apart, at round steps.
        let secs = 4.0 * 86_400.0;
        let xs = time_marks(GridInput { bounds: (1.6856e9, 1.6856e9 + secs), base_step_size: 8.0 * secs / 1200.0 });
        let step = xs[0].step_size;
        assert!(step / (secs / 1200.0) >= TIME_LABEL_POINTS, "{step}");
        assert!(xs.iter().all(|m| (m.value % step).abs() < 1e-6), "round UTC steps");
        assert!(xs.len() >= 4 && xs.len() <= 10, "{}", xs.len());
        assert_eq!(time_label(1_685_836_800.0, 86_400.0), "2023-06-04");
        assert_eq!(time_label(1_685_836_800.0 + 3_600.0 * 6.0, 21_600.0), "2023-06-04 06:00");
    }
}
