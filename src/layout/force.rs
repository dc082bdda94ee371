//! Force-directed layout: Fruchterman–Reingold forces (repulsion k²/d between all nodes,
//! attraction d²/k along edges, a temperature capping each move and cooling each iteration),
//! with the all-pairs repulsion approximated by a Barnes–Hut quadtree: O(n log n + e) per
//! iteration instead of O(n²), spread over the cores for large graphs. Deterministic for a
//! given graph and seed (each body's force is computed the same way on any thread).

use super::quadtree::QuadTree;
use super::{LayoutGraph, Positions};

/// Settings of the force layout.
#[derive(Debug, Clone, Copy)]
pub struct ForceSettings {
    /// The ideal edge length k.
    pub ideal: f32,
    /// At most this many iterations.
    pub max_iterations: usize,
    /// Stop once no node moves more than this fraction of `ideal` in an iteration.
    pub tolerance: f32,
    /// Barnes–Hut opening angle (0 = exact; larger = faster, coarser).
    pub theta: f32,
    /// Seed of the starting positions of unplaced nodes.
    pub seed: u64,
}

impl Default for ForceSettings {
    fn default() -> Self {
        ForceSettings { ideal: 90.0, max_iterations: 500, tolerance: 0.002, theta: 0.9, seed: 0x5eed }
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct ForceRun {
    /// Final positions.
    pub positions: Positions,
    /// Iterations run.
    pub iterations: usize,
    /// Whether it stopped because nodes stopped moving (not the iteration cap).
    pub converged: bool,
}

/// Runs the layout to convergence (or `max_iterations`).
#[must_use]
pub fn layout(g: &LayoutGraph, s: ForceSettings) -> ForceRun {
    let n = g.nodes.len();
    let k = s.ideal.max(1.0);
    let side = (n as f32).sqrt().max(1.0) * k;
    let mut rng = s.seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 40) as f32 / (1u64 << 24) as f32
    };
    let mut pos: Positions = g
        .nodes
        .iter()
        .map(|node| node.position.unwrap_or_else(|| ((next() - 0.5) * side, (next() - 0.5) * side)))
        .collect();
    let fixed: Vec<bool> = g.nodes.iter().map(|node| node.pinned && node.position.is_some()).collect();
    let edges: Vec<(usize, usize)> = g.edges.iter().copied().filter(|&(a, b)| a < n && b < n && a != b).collect();
    let mut tree = QuadTree::default();
    let mut disp = vec![(0f32, 0f32); n];
    let mut temperature = side / 10.0;
    let cooling = (0.01f32).powf(1.0 / s.max_iterations.max(1) as f32);
    let mut iterations = 0;
    let mut converged = n < 2;
    let workers = if n < 2_000 { 1 } else { std::thread::available_parallelism().map_or(1, std::num::NonZero::get) };
    while iterations < s.max_iterations && !converged {
        iterations += 1;
        tree.build(&pos);
        // Repulsion, the O(n log n) part, on every core (each body reads the tree only).
        let chunk = n.div_ceil(workers).max(1);
        std::thread::scope(|scope| {
            for (c, part) in disp.chunks_mut(chunk).enumerate() {
                let (tree, pos) = (&tree, &pos);
                scope.spawn(move || {
                    let mut stack = Vec::with_capacity(64);
                    for (j, d) in part.iter_mut().enumerate() {
                        let i = c * chunk + j;
                        *d = tree.repulsion_with(
                            u32::try_from(i).unwrap_or(u32::MAX),
                            pos[i],
                            k * k,
                            s.theta,
                            &mut stack,
                        );
                    }
                });
            }
        });
        for &(a, b) in &edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(0.01);
            // |F| = d² / k along the edge, pulling both ends together.
            let (fx, fy) = (dx * d / k, dy * d / k);
            disp[a].0 -= fx;
            disp[a].1 -= fy;
            disp[b].0 += fx;
            disp[b].1 += fy;
        }
        let mut moved = 0f32;
        for i in 0..n {
            if fixed[i] {
                continue;
            }
            let (dx, dy) = disp[i];
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 && len.is_finite() {
                let step = len.min(temperature);
                pos[i].0 += dx / len * step;
                pos[i].1 += dy / len * step;
                moved = moved.max(step);
            }
        }
        temperature *= cooling;
        converged = moved < s.tolerance * k;
    }
    ForceRun { positions: pos, iterations, converged }
}

#[cfg(test)]
mod tests {
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
        let pts: Vec<(f32, f32)> =
            (0..200).map(|i| ((i * 37 % 101) as f32 * 7.0, (i * 61 % 97) as f32 * 5.0)).collect();
        let mut tree = QuadTree::default();
        tree.build(&pts);
        for me in [0usize, 57, 199] {
            let approx = tree.repulsion_with(me as u32, pts[me], 100.0, 0.5, &mut Vec::new());
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
}
