//! Tests of the force layout: shape (neighbours together, nothing overlapping), pinned nodes,
//! determinism, and the Barnes–Hut approximation against the exact sum.

use super::*;
use crate::layout::LayoutNode;

fn ring(n: usize) -> LayoutGraph {
    LayoutGraph { nodes: vec![LayoutNode::default(); n], edges: (0..n).map(|i| (i, (i + 1) % n)).collect() }
}

#[test]
fn neighbours_end_closer_than_strangers_and_nothing_explodes() {
    let g = ring(60);
    let run = layout(&g, ForceSettings::default());
    assert!(run.positions.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
    let d = |a: usize, b: usize| {
        let (p, q) = (run.positions[a], run.positions[b]);
        ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt()
    };
    let neighbours: f32 = (0..60).map(|i| d(i, (i + 1) % 60)).sum::<f32>() / 60.0;
    let opposite: f32 = (0..60).map(|i| d(i, (i + 30) % 60)).sum::<f32>() / 60.0;
    assert!(neighbours * 3.0 < opposite, "{neighbours} vs {opposite}");
}

#[test]
fn pinned_nodes_stay_and_runs_repeat_exactly() {
    let mut g = ring(20);
    g.nodes[3] = LayoutNode { position: Some((500.0, -500.0)), pinned: true, ..LayoutNode::default() };
    let a = layout(&g, ForceSettings::default());
    assert_eq!(a.positions[3], (500.0, -500.0));
    assert_eq!(a, layout(&g, ForceSettings::default()));
}

#[test]
fn barnes_hut_repulsion_matches_the_exact_sum_closely() {
    let pts: Vec<(f32, f32)> = (0..200).map(|i| ((i * 37 % 101) as f32 * 7.0, (i * 61 % 97) as f32 * 5.0)).collect();
    let mut tree = QuadTree::default();
    tree.build(&pts);
    for me in [0usize, 57, 199] {
        let mut approx = vec![(0f32, 0f32); pts.len()];
        tree.repulsion(100.0, 0.5, 2, &mut approx);
        let mut alone = vec![(0f32, 0f32); pts.len()];
        tree.repulsion(100.0, 0.5, 1, &mut alone);
        assert_eq!(approx, alone, "the same sums on one thread or two");
        let approx = approx[me];
        let exact = pts.iter().enumerate().filter(|(j, _)| *j != me).fold((0f32, 0f32), |acc, (_, q)| {
            let (dx, dy) = (pts[me].0 - q.0, pts[me].1 - q.1);
            let d2 = (dx * dx + dy * dy).max(0.01);
            (acc.0 + 100.0 * dx / d2, acc.1 + 100.0 * dy / d2)
        });
        let err = ((approx.0 - exact.0).powi(2) + (approx.1 - exact.1).powi(2)).sqrt();
        let size = (exact.0.powi(2) + exact.1.powi(2)).sqrt();
        assert!(err <= 0.05 * size + 1e-3, "{me}: {approx:?} vs {exact:?}");
    }
}

/// A graph shaped like a transaction graph (as the layout bench builds it): a random tree in
/// which each node hangs off an earlier one, a quarter of the time a much earlier one (hubs),
/// plus `extra` random edges.
fn transactions(n: usize, extra: usize, seed: u64) -> LayoutGraph {
    let mut rng = crate::rng::Rng::new(seed);
    let mut edges = Vec::new();
    for i in 1..n {
        let j = (rng.next_u64() % i as u64) as usize;
        edges.push((if rng.next_u64().is_multiple_of(4) { j / 8 } else { j }, i));
    }
    while edges.len() < n - 1 + extra {
        let (a, b) = ((rng.next_u64() % n as u64) as usize, (rng.next_u64() % n as u64) as usize);
        if a != b {
            edges.push((a, b));
        }
    }
    LayoutGraph { nodes: vec![LayoutNode::default(); n], edges }
}

/// The smallest distance between two of `positions` (all pairs).
fn closest_pair(positions: &[(f32, f32)]) -> f32 {
    let mut best = f32::INFINITY;
    for (i, p) in positions.iter().enumerate() {
        for q in &positions[i + 1..] {
            best = best.min((p.0 - q.0).hypot(p.1 - q.1));
        }
    }
    best
}

#[test]
fn the_multilevel_layout_separates_nodes_and_keeps_neighbours_together() {
    let g = transactions(1_500, 1_500, 3);
    let s = ForceSettings::default();
    let run = layout(&g, s);
    assert!(run.converged && run.levels > 3, "{} levels, converged: {}", run.levels, run.converged);
    assert!(run.positions.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
    let closest = closest_pair(&run.positions);
    assert!(closest >= 0.1 * s.ideal, "two nodes {closest} apart (ideal edge {})", s.ideal);
    let q = crate::layout::quality::measure(&g, &run.positions, 50);
    // Connected nodes sit much closer than random pairs (about 0.38 here; 1 would be no
    // better than chance).
    assert!(q.edge_to_pair < 0.5, "{q:?}");
}

#[test]
fn a_star_of_leaves_spreads_around_its_hub() {
    let g = LayoutGraph { nodes: vec![LayoutNode::default(); 501], edges: (1..501).map(|i| (0, i)).collect() };
    let s = ForceSettings::default();
    let run = layout(&g, s);
    assert!(run.converged);
    let closest = closest_pair(&run.positions);
    assert!(closest >= 0.2 * s.ideal, "two nodes {closest} apart");
    let hub = run.positions[0];
    for (i, p) in run.positions.iter().enumerate().skip(1) {
        let r = (p.0 - hub.0).hypot(p.1 - hub.1) / s.ideal;
        assert!((0.5..15.0).contains(&r), "leaf {i} at {r} ideal lengths from the hub");
    }
}

#[test]
fn given_positions_are_a_starting_point() {
    // A ring laid out on a line, one node unplaced: refined into a ring shape.
    let mut g = ring(60);
    for (i, node) in g.nodes.iter_mut().enumerate().skip(1) {
        node.position = Some((i as f32 * 10.0, 0.0));
    }
    let run = layout(&g, ForceSettings::default());
    assert!(run.converged && run.levels == 1 && run.coarse_iterations == 0);
    let d = |a: usize, b: usize| {
        let (p, q) = (run.positions[a], run.positions[b]);
        (p.0 - q.0).hypot(p.1 - q.1)
    };
    let neighbours: f32 = (0..60).map(|i| d(i, (i + 1) % 60)).sum::<f32>() / 60.0;
    let opposite: f32 = (0..60).map(|i| d(i, (i + 30) % 60)).sum::<f32>() / 60.0;
    assert!(neighbours * 3.0 < opposite, "{neighbours} vs {opposite}");
}
