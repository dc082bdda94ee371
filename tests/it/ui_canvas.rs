//! The graph canvas on its own, driven through AccessKit (egui_kittest, no GPU): every node on
//! screen is a widget labelled with its key; right-click menus, clicks, drags, box selection,
//! edge menus and keyboard navigation come back as `CanvasEvent`s.
#![cfg(feature = "gui")]

use std::collections::{BTreeMap, HashMap};

use egui::{Modifiers, PointerButton, Pos2, Rect, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hoptrace::case::{Case, ExpandDirection, LedgerRef, NodeKey, NodeView};
use hoptrace::graph::InvestigationGraph;
use hoptrace::ledger::{Provenance, TransferRow};
use hoptrace::model::{Amount, Hop, HopKind, HopStatus, Transfer, TransferKind};
use hoptrace::ui::canvas::{CanvasEvent, CanvasState, canvas_ui};

/// What the harness shows: a graph, its positions and hops, the canvas state and its events.
struct Scene {
    graph: InvestigationGraph,
    positions: HashMap<NodeKey, Pos2>,
    hops: BTreeMap<u64, Hop>,
    canvas: CanvasState,
    events: Vec<CanvasEvent>,
}

fn key(i: u8) -> NodeKey {
    NodeKey::address("ethereum", format!("0x{i:040x}"))
}

fn row(id: i64, from: u8, to: u8, wei: u128) -> (i64, TransferRow) {
    let transfer = Transfer {
        chain: "ethereum".into(),
        tx_hash: format!("0x{id:064x}"),
        kind: TransferKind::Native,
        position: None,
        block: Some(100),
        time: Some(1_700_000_000 + id),
        from: Some(format!("0x{from:040x}")),
        to: Some(format!("0x{to:040x}")),
        asset: "ETH".into(),
        amount_base: Amount::from_u128(wei),
        fee_base: None,
        failed: false,
        prev_out: None,
        line: 1,
        method: None,
        stated_usd: None,
    };
    let provenance = Provenance { batch_id: 1, file_name: "t.csv".into(), file_sha256: String::new(), line: 1 };
    (id, TransferRow { id, transfer, provenance })
}

/// Victim 1 → pool 2 → 3 and 4; node 5 hidden; a suggested mixer hop across the pool.
fn scene() -> Scene {
    let mut case = Case::new("c".into(), "Canvas".into(), "tester".into(), 0, LedgerRef::default());
    let places = [(1, 0.0, 0.0), (2, 250.0, 0.0), (3, 500.0, -80.0), (4, 500.0, 80.0), (5, 750.0, 0.0)];
    let mut positions = HashMap::new();
    for (i, x, y) in places {
        case.nodes.insert(key(i), NodeView { hidden: i == 5, ..NodeView::default() });
        positions.insert(key(i), Pos2::new(x, y));
    }
    case.seeds.push(key(1));
    let eth = 1_000_000_000_000_000_000;
    let rows: HashMap<i64, TransferRow> = [
        row(1, 1, 2, 10 * eth),
        row(2, 1, 2, 5 * eth),
        row(3, 2, 3, 7 * eth),
        row(4, 2, 4, 8 * eth),
        row(5, 4, 5, eth),
    ]
    .into_iter()
    .collect();
    case.transfers = rows.keys().copied().collect();
    let graph = InvestigationGraph::build(&case, &rows, &HashMap::new());
    let hop = Hop {
        kind: HopKind::Mixer { service: "Tornado Cash".into(), pool: None },
        inbound: vec![1, 2],
        outbound: vec![3, 4],
        confidence: 55,
        rationale: "same denomination".into(),
        features: BTreeMap::new(),
        status: HopStatus::Suggested,
        author: "tester".into(),
        time: 0,
    };
    Scene { graph, positions, hops: BTreeMap::from([(1, hop)]), canvas: CanvasState::default(), events: Vec::new() }
}

fn harness() -> Harness<'static, Scene> {
    let mut h = Harness::builder().with_size(vec2(900.0, 600.0)).build_ui_state(
        |ui, s: &mut Scene| {
            canvas_ui(ui, &s.graph, &s.positions, &s.hops, &mut s.canvas, &mut s.events);
        },
        scene(),
    );
    h.run();
    h
}

fn node_rect(h: &Harness<'_, Scene>, k: &NodeKey) -> Rect {
    h.get_by_label(&k.describe()).rect()
}

#[test]
fn every_visible_node_is_a_labelled_widget() {
    let h = harness();
    for i in 1..=4 {
        assert!(h.query_by_label(&key(i).describe()).is_some(), "node {i} is on screen");
    }
    assert!(h.query_by_label(&key(5).describe()).is_none(), "hidden nodes are not drawn");
    assert!(h.query_by_label("Graph canvas").is_some());
}

#[test]
fn context_menu_expand_out() {
    let mut h = harness();
    h.get_by_label(&key(2).describe()).click_secondary();
    h.run();
    for label in
        ["Expand in", "Expand both", "Expand with filter…", "Collapse", "Hide", "Pin", "Label as…", "Add note…"]
    {
        assert!(h.query_by_label(label).is_some(), "menu has {label:?}");
    }
    assert!(h.query_by_label("Find the other side").is_some() && h.query_by_label("Copy explorer URL").is_some());
    h.get_by_label("Expand out").click();
    h.run();
    let expand = CanvasEvent::Expand { node: key(2), direction: ExpandDirection::Out };
    assert!(h.state().events.contains(&expand), "{:?}", h.state().events);
    assert!(h.query_by_label("Expand out").is_none(), "the menu closed");
}

#[test]
fn copy_address_copies_text() {
    let mut h = harness();
    h.get_by_label(&key(3).describe()).click_secondary();
    h.run();
    h.get_by_label("Copy address").click();
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .any(|c| matches!(c, egui::OutputCommand::CopyText(t) if *t == format!("0x{:040x}", 3)));
    assert!(copied, "{:?}", h.output().platform_output.commands);
}

#[test]
fn click_selects_and_shift_click_adds() {
    let mut h = harness();
    h.get_by_label(&key(1).describe()).click();
    h.run();
    assert!(h.state().events.contains(&CanvasEvent::Select { node: key(1), additive: false }));
    h.get_by_label(&key(3).describe()).click_modifiers(Modifiers::SHIFT);
    h.run();
    assert!(h.state().events.contains(&CanvasEvent::Select { node: key(3), additive: true }));
    let selected: Vec<NodeKey> = h.state().canvas.selection().iter().cloned().collect();
    assert_eq!(selected, vec![key(1), key(3)]);
}

#[test]
fn dragging_a_node_reports_where_it_went() {
    let mut h = harness();
    let start = node_rect(&h, &key(3)).center();
    let zoom = h.state().canvas.zoom();
    let end = start + vec2(60.0, 45.0);
    h.hover_at(start);
    h.drag_at(start);
    h.run();
    h.hover_at(start + vec2(20.0, 15.0));
    h.run();
    h.hover_at(end);
    h.run();
    h.drop_at(end);
    h.run();
    let moved = h.state().events.iter().find_map(|e| match e {
        CanvasEvent::Moved { node, x, y } if *node == key(3) => Some((*x, *y)),
        _ => None,
    });
    let Some((x, y)) = moved else { panic!("no Moved event: {:?}", h.state().events) };
    assert!((x - (500.0 + 60.0 / zoom)).abs() < 0.5, "x = {x}");
    assert!((y - (-80.0 + 45.0 / zoom)).abs() < 0.5, "y = {y}");
}

#[test]
fn edge_menu_and_empty_canvas_menu() {
    let mut h = harness();
    // The middle of the straight edge 2 → 3.
    let mid = node_rect(&h, &key(2)).center().lerp(node_rect(&h, &key(3)).center(), 0.5);
    h.hover_at(mid);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: mid,
            button: PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
    h.get_by_label("Show transfers").click();
    h.run();
    assert!(
        h.state().events.contains(&CanvasEvent::ShowTransfers { from: key(2), to: key(3) }),
        "{:?}",
        h.state().events
    );

    let empty = Pos2::new(20.0, 580.0);
    h.hover_at(empty);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: empty,
            button: PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
    h.get_by_label("Fit to view").click();
    h.run();
    assert!(h.query_by_label("Fit to view").is_none());
}

#[test]
fn keyboard_moves_the_selection_expands_and_hides() {
    let mut h = harness();
    h.get_by_label(&key(1).describe()).click();
    h.run();
    h.key_press(egui::Key::ArrowRight);
    h.run();
    assert!(h.state().canvas.selection().contains(&key(2)), "right of 1 is 2");
    h.key_press(egui::Key::ArrowRight);
    h.run();
    let sel: Vec<NodeKey> = h.state().canvas.selection().iter().cloned().collect();
    assert_eq!(sel.len(), 1);
    assert!(sel.contains(&key(3)) || sel.contains(&key(4)), "{sel:?}");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().events.iter().any(|e| matches!(e, CanvasEvent::Expand { direction: ExpandDirection::Both, .. })));
    h.key_press(egui::Key::Delete);
    h.run();
    assert!(h.state().events.iter().any(|e| matches!(e, CanvasEvent::Hide(_))));
}

#[test]
fn box_select_adds_the_nodes_inside() {
    let mut h = harness();
    let (r3, r4) = (node_rect(&h, &key(3)), node_rect(&h, &key(4)));
    let a = r3.min - vec2(20.0, 20.0);
    let b = r4.max + vec2(20.0, 20.0);
    let press = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::SHIFT,
    };
    h.hover_at(a);
    h.event(egui::Event::ModifiersChanged(Modifiers::SHIFT));
    h.event(press(a, true));
    h.run();
    h.hover_at(a.lerp(b, 0.5));
    h.run();
    h.hover_at(b);
    h.run();
    h.event(press(b, false));
    h.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    h.run();
    assert!(h.state().events.contains(&CanvasEvent::BoxSelect(vec![key(3), key(4)])), "{:?}", h.state().events);
    assert!(h.state().canvas.selection().contains(&key(4)));
}

/// 10k nodes on a 100 × 100 grid (flow-layout spacing) and 50k random transfers among them.
fn big_graph() -> (InvestigationGraph, HashMap<NodeKey, Pos2>) {
    let n: u32 = 10_000;
    let mut case = Case::new("c".into(), "Big".into(), "tester".into(), 0, LedgerRef::default());
    let big = |i: u32| NodeKey::address("ethereum", format!("0x{i:040x}"));
    let mut positions = HashMap::new();
    for i in 0..n {
        case.nodes.insert(big(i), NodeView::default());
        #[allow(clippy::cast_precision_loss)]
        positions.insert(big(i), Pos2::new((i / 100) as f32 * 260.0, (i % 100) as f32 * 56.0));
    }
    let mut rows = HashMap::new();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for id in 0..50_000i64 {
        let a = u32::try_from(next() % u64::from(n)).unwrap_or(0);
        let b = (a + 1 + u32::try_from(next() % 300).unwrap_or(0)) % n;
        let (_, mut r) = row(id, 0, 0, u128::from(next() % 1_000_000) * 1_000_000_000_000);
        r.transfer.from = Some(format!("0x{a:040x}"));
        r.transfer.to = Some(format!("0x{b:040x}"));
        rows.insert(id, r);
    }
    case.transfers = rows.keys().copied().collect();
    (InvestigationGraph::build(&case, &rows, &HashMap::new()), positions)
}

/// 10k nodes and 50k edges: frame times of the canvas (egui pass + tessellation) zoomed out,
/// mid-way and zoomed in. `cargo test --release --test it ui_canvas:: -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn large_graph_frame_times() {
    use std::time::Instant;
    let (graph, positions) = big_graph();
    println!("{} nodes, {} edges", graph.graph.node_count(), graph.graph.edge_count());
    let hops = BTreeMap::new();
    let mut canvas = CanvasState::default();
    let mut events = Vec::new();
    let ctx = egui::Context::default();
    let screen = Rect::from_min_size(Pos2::ZERO, vec2(1600.0, 1000.0));
    let mut frame = |canvas: &mut CanvasState, label: &str, pointer: Pos2, scroll: f32| {
        let mut input = egui::RawInput { screen_rect: Some(screen), ..Default::default() };
        input.events.push(egui::Event::PointerMoved(pointer));
        if scroll != 0.0 {
            input.events.push(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: vec2(0.0, scroll),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: Modifiers::NONE,
            });
        }
        let t0 = Instant::now();
        let out = ctx.run_ui(input, |ui| {
            canvas_ui(ui, &graph, &positions, &hops, canvas, &mut events);
        });
        let t1 = Instant::now();
        let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
        let t2 = Instant::now();
        println!(
            "{label}: pass {:?}, tessellate {:?} ({} primitives), zoom {:.3}",
            t1 - t0,
            t2 - t1,
            prims.len(),
            canvas.zoom()
        );
        (t2 - t0).as_secs_f32()
    };
    let mut fit = Vec::new();
    for i in 0..8 {
        let t = frame(&mut canvas, "fit (all on screen)", Pos2::new(800.0, 500.0), 0.0);
        // The first frame builds the R-trees (once per graph change).
        if i > 0 {
            fit.push(t);
        }
    }
    for _ in 0..40 {
        frame(&mut canvas, "zooming in", Pos2::new(800.0, 500.0), 60.0);
    }
    let mut worst = 0.0f32;
    for _ in 0..3 {
        worst = worst.max(frame(&mut canvas, "zoomed in", Pos2::new(700.0, 400.0), 0.0));
    }
    canvas.request_fit();
    for _ in 0..8 {
        let t = frame(&mut canvas, "fit again", Pos2::new(700.0, 400.0), 0.0);
        worst = worst.max(t);
        fit.push(t);
    }
    fit.sort_by(f32::total_cmp);
    println!(
        "P5: 10k nodes, 50k edges, all on screen: median {:.2} ms, worst {:.2} ms over {} frames (pass + tessellation)",
        fit[fit.len() / 2] * 1000.0,
        fit.last().copied().unwrap_or_default() * 1000.0,
        fit.len()
    );
    if !cfg!(debug_assertions) {
        assert!(worst < 0.1, "a frame took {worst}s");
    }
}
