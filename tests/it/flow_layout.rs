//! The flow layout keeps the seeds' labels apart: the window draws a seed's label at every
//! zoom, in screen points under the node, so the layout must leave room for it. Checked on the
//! demo case and a training case with three seeds, at the zoom that fits the graph into the
//! narrow canvas of a 1600 × 1000 window with both side panels (about 440 × 400 points) and at
//! [`flow::SEED_LABEL_ZOOM`].

use std::path::Path;

use hoptrace::graph::text::node_label;
use hoptrace::graph::{Investigation, InvestigationGraph};
use hoptrace::layout::{LayoutGraph, LayoutNode, flow};
use hoptrace::ledger::SqliteLedger;

/// A screen rectangle: min x, min y, max x, max y.
type Rect = (f32, f32, f32, f32);

fn overlap(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Each node's label and whether it is a seed.
type Labelled = Vec<(String, bool)>;

/// The graph's layout input as the window builds it (no positions: a fresh flow layout).
fn layout_of(g: &InvestigationGraph) -> (Labelled, Vec<(f32, f32)>) {
    let idx: Vec<_> = g.graph.node_indices().collect();
    let dense: std::collections::HashMap<_, _> = idx.iter().enumerate().map(|(d, i)| (*i, d)).collect();
    let nodes = idx.iter().map(|&i| LayoutNode { seed: g.graph[i].seed, ..LayoutNode::default() }).collect();
    let edges = g.graph.edge_indices().filter_map(|e| g.graph.edge_endpoints(e)).map(|(a, b)| (dense[&a], dense[&b]));
    let placed = flow::layout(&LayoutGraph { nodes, edges: edges.collect() }, flow::FlowSpacing::default());
    (idx.iter().map(|&i| (node_label(&g.graph[i]), g.graph[i].seed)).collect(), placed)
}

/// At `zoom`: each seed's node (the largest radius, conservatively) and its label under it (12-point
/// text, about 7 points a character, and its margin), in screen points.
fn seed_rects(nodes: &[(String, bool)], placed: &[(f32, f32)], zoom: f32) -> Vec<(String, Rect, Rect)> {
    nodes
        .iter()
        .zip(placed)
        .filter(|((_, seed), _)| *seed)
        .map(|((label, _), &(x, y))| {
            let (cx, cy, r) = (x * zoom, y * zoom, flow::NODE_RADIUS_MAX * zoom);
            #[allow(clippy::cast_precision_loss)]
            let half_w = label.chars().count() as f32 * 7.0 / 2.0 + 2.0;
            let node = (cx - r, cy - r, cx + r, cy + r);
            let text = (cx - half_w, cy + r, cx + half_w, cy + r + flow::LABEL_HEIGHT_PX);
            (label.clone(), node, text)
        })
        .collect()
}

/// The zoom at which the whole layout fits into `w` × `h` points with a 20-point margin.
fn fit_zoom(placed: &[(f32, f32)], w: f32, h: f32) -> f32 {
    let (x0, x1) = placed.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = placed.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let pad = 2.0 * flow::NODE_RADIUS_MAX;
    ((w - 40.0) / (x1 - x0 + pad)).min((h - 40.0) / (y1 - y0 + pad))
}

fn assert_seed_labels_apart(what: &str, g: &InvestigationGraph, min_seeds: usize) {
    let (nodes, placed) = layout_of(g);
    let seeds = nodes.iter().filter(|n| n.1).count();
    assert!(seeds >= min_seeds, "{what}: {seeds} seeds");
    let fit = fit_zoom(&placed, 440.0, 400.0);
    assert!(fit >= flow::SEED_LABEL_ZOOM, "{what}: fitted at zoom {fit}");
    for zoom in [1.0, fit, flow::SEED_LABEL_ZOOM] {
        let rects = seed_rects(&nodes, &placed, zoom);
        for (i, (a, a_node, a_text)) in rects.iter().enumerate() {
            for (b, b_node, b_text) in &rects[i + 1..] {
                for (x, y) in [(a_text, b_text), (a_text, b_node), (b_text, a_node)] {
                    assert!(!overlap(*x, *y), "{what} at zoom {zoom}: the labels of {a:?} and {b:?} collide");
                }
            }
        }
    }
}

#[test]
fn the_demo_seeds_labels_do_not_collide_in_the_flow_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut demo =
        hoptrace::scenario::demo::build_demo(&dir.path().join("exports"), &dir.path().join("l.sqlite")).expect("demo");
    let g = demo.investigation.graph().expect("graph");
    assert_seed_labels_apart("the demo", &g, 2);
}

#[test]
fn a_training_case_s_seeds_labels_do_not_collide_in_the_flow_layout() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/atomic-wallet");
    let data = tempfile::tempdir().expect("tempdir");
    let (case_path, ledger_path) = hoptrace::training::open_in(&dir, data.path()).expect("open");
    let case = hoptrace::case::file::load(&case_path).expect("case");
    let mut inv = Investigation::open(case, SqliteLedger::open(&ledger_path).expect("ledger")).expect("investigation");
    let g = inv.graph().expect("graph");
    assert_seed_labels_apart("atomic-wallet", &g, 3);
}
