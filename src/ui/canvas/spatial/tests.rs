//! Tests of the derived scene: culling, hit testing, edge slots.

use super::super::fixture::{graph, key, row};
use super::*;

#[test]
fn hit_test_and_culling_go_through_the_rtree() {
    let (g, pos) = graph(50, Some(3), &[]);
    let mut s = Spatial::default();
    assert!(s.refresh(&g, &pos));
    assert!(!s.refresh(&g, &pos), "unchanged: no rebuild");
    assert_eq!(s.nodes.len(), 49, "the hidden node is left out");
    let hit = s.node_at(Pos2::new(1205.0, 3.0), 2.0).and_then(|slot| s.node(slot));
    assert_eq!(hit.map(|n| n.pos), Some(Pos2::new(1200.0, 0.0)));
    assert_eq!(s.node_at(Pos2::new(1250.0, 0.0), 2.0), None);
    assert_eq!(s.node_at(Pos2::new(300.0, 0.0), 2.0), None, "hidden nodes are not hit");
    let mut out = Vec::new();
    s.nodes_in(Rect::from_min_max(Pos2::new(-10.0, -10.0), Pos2::new(450.0, 10.0)), &mut out);
    assert_eq!(out.len(), 4, "0, 1, 2 and 4 (3 is hidden): {out:?}");
    let near: Vec<Pos2> = s.nearest(Pos2::new(1000.0, 0.0)).take(2).map(|(_, p)| p).collect();
    assert_eq!(near.first(), Some(&Pos2::new(1000.0, 0.0)));
}

#[test]
fn edges_are_sized_curved_and_hit() {
    // 0 → 1 (10 ETH in two transfers), 1 → 0 back, 1 → 2 (1000 ETH), 2 → 3 with 3 hidden.
    let rows = [row(1, 0, 1, 4), row(2, 0, 1, 6), row(3, 1, 0, 1), row(4, 1, 2, 1000), row(5, 2, 3, 5)];
    let (g, pos) = graph(4, Some(3), &rows);
    let mut s = Spatial::default();
    s.refresh(&g, &pos);
    assert_eq!(s.edges.len(), 3, "the edge to the hidden node is not drawn");
    let slot = |t: i64| s.transfer_edge.get(&t).copied().and_then(|e| s.edge(e));
    let (Some(e01), Some(e12)) = (slot(1), slot(4)) else { panic!("edges of transfers 1 and 4") };
    assert_eq!(s.transfer_edge.get(&1), s.transfer_edge.get(&2), "one edge per pair");
    assert!(e01.curved && !e12.curved, "two-way edges bend");
    assert!(e12.width > e01.width, "width grows with value");
    assert!(!s.transfer_edge.contains_key(&5));
    // Straight 1 → 2 is hit on the line; the curved pair on either side of it.
    let on = s.edge_at(Pos2::new(150.0, 1.0), 3.0).and_then(|e| s.edge(e)).map(|e| e.index);
    assert_eq!(on, Some(e12.index));
    let below = s.edge_at(Pos2::new(50.0, 9.0), 3.0).and_then(|e| s.edge(e)).map(|e| e.index);
    assert_eq!(below, Some(e01.index), "0 → 1 bends to its right (down)");
    let above = s.edge_at(Pos2::new(50.0, -9.0), 3.0).and_then(|e| s.edge(e)).map(|e| e.index);
    assert!(above.is_some() && above != below);
    // Node 2 carries the most value: biggest node.
    let big = s.slot_of_key(&g, &key(2)).and_then(|k| s.node(k)).map(|n| n.half.x);
    let small = s.slot_of_key(&g, &key(0)).and_then(|k| s.node(k)).map(|n| n.half.x);
    assert!(big > small, "{big:?} > {small:?}");
}

#[test]
fn moving_a_node_changes_the_fingerprint() {
    let (g, mut pos) = graph(5, None, &[]);
    let before = fingerprint(&g, &pos);
    pos.insert(key(2), Pos2::new(5.0, 5.0));
    assert_ne!(fingerprint(&g, &pos), before);
}

#[test]
fn degrees_mark_leaf_edges_and_hubs() {
    // A star: 0 → 1..=9 (nine leaves), and 1 → 10 → 11 (a chain past the first leaf).
    let mut rows: Vec<_> = (1..=9).map(|i| row(i64::try_from(i).unwrap_or(0), 0, i, 1)).collect();
    rows.push(row(20, 1, 10, 1));
    rows.push(row(21, 10, 11, 1));
    let (g, pos) = graph(12, None, &rows);
    let mut s = Spatial::default();
    s.refresh(&g, &pos);
    let degree = |i: usize| s.slot_of_key(&g, &key(i)).and_then(|k| s.node(k)).map(|n| n.degree);
    assert_eq!(
        (degree(0), degree(1), degree(2), degree(10), degree(11)),
        (Some(9), Some(2), Some(1), Some(2), Some(1))
    );
    let leaf = |t: i64| s.transfer_edge.get(&t).and_then(|e| s.edge(*e)).map(|e| e.leaf);
    assert_eq!(leaf(2), Some(true), "0 → 2 ends at a leaf");
    assert_eq!(leaf(1), Some(false), "0 → 1 goes on to 10: backbone");
    assert_eq!(leaf(20), Some(false));
    assert_eq!(leaf(21), Some(true));
    assert!(degree(0).is_some_and(|d| d >= super::super::style::HUB_DEGREE), "the star's centre is a hub");
}

/// The same case derived for the canvas and for the report's rendering gives the same marks:
/// node sizes, edge widths, colours, curves and leaves (issue 14: one scene model).
#[test]
fn the_report_draws_the_marks_the_canvas_draws() {
    use crate::report::ReportInput;
    use crate::report::scene;
    // A star from 0 with a two-way pair (0 ⇄ 1), a chain 1 → 10 → 11, and a USDT edge 2 → 3.
    let mut rows: Vec<_> = (1..=9).map(|i| row(i64::try_from(i).unwrap_or(0), 0, i, 1 + i as u128)).collect();
    rows.extend([row(20, 1, 10, 50), row(21, 10, 11, 7), row(22, 1, 0, 3)]);
    let mut usdt = row(23, 2, 3, 0);
    usdt.transfer.asset = "0xdac17f958d2ee523a2206206994597c13d831ec7".into();
    usdt.transfer.kind = crate::model::TransferKind::Token;
    usdt.transfer.amount_base = crate::model::Amount::from_u128(2_500_000_000);
    rows.push(usdt);
    let (case, pos) = super::super::fixture::case(12, None, &rows);
    let (g, _) = graph(12, None, &rows);
    let mut canvas = Spatial::default();
    canvas.refresh(&g, &pos);
    let input = ReportInput {
        case: &case,
        transfers: &rows,
        labels: &[],
        audit_verified: Ok(()),
        ledger_fingerprint: "",
        exported_at: 0,
        tool_version: "test",
        package_files: &[],
    };
    let report = scene::build(&input);
    assert_eq!(report.nodes.len(), canvas.nodes.len());
    assert_eq!(report.edges.len(), canvas.edges.len());
    for (r, c) in report.nodes.iter().zip(&canvas.nodes) {
        assert!((r.half.0 - c.half.x).abs() < 1e-3 && (r.half.1 - c.half.y).abs() < 1e-3, "{r:?} {c:?}");
    }
    let mut colours = std::collections::BTreeSet::new();
    for (r, c) in report.edges.iter().zip(&canvas.edges) {
        assert_eq!(super::super::style::color(r.color), c.color);
        assert!((r.width - c.width).abs() < 1e-3, "width {} vs {}", r.width, c.width);
        assert_eq!(r.control.is_some(), c.curved);
        assert_eq!(r.leaf, c.leaf);
        colours.insert(c.color.to_array());
    }
    assert!(colours.len() >= 2, "ETH and USDT edges differ in colour");
    assert!(canvas.edges.iter().any(|e| e.curved) && canvas.edges.iter().any(|e| e.leaf));
}
