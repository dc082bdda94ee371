//! Measures of how good a layout is, independent of its scale, so layouts of the same graph by
//! different algorithms (or libraries) can be compared:
//! - edge-length spread: standard deviation / mean of the edge lengths (0 = all equal);
//! - neighbours vs strangers: mean edge length / mean distance of random node pairs (small =
//!   connected nodes sit together);
//! - stress against hop distances: `Σ (s·|xᵢ−xⱼ| − dᵢⱼ)² / dᵢⱼ²` over pairs, averaged, with
//!   `dᵢⱼ` the undirected hop distance and `s` the best scale; from a sample of BFS sources;
//! - crowding: the closest two nodes and the share of nodes whose nearest other node is within
//!   a quarter of the typical gap, both relative to the typical gap (the median distance from a
//!   node to its nearest other node): how evenly the nodes are spread.
//!
//! O(S·(n + e) + n log n + n·w) for S BFS sources and w nodes within the sweep window of the
//! nearest-neighbour search (small for a spread layout).

use std::collections::VecDeque;

use super::LayoutGraph;

/// The measures of one layout (all scale-free; see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    /// Standard deviation / mean of the edge lengths.
    pub edge_spread: f64,
    /// Mean edge length / mean distance of random node pairs.
    pub edge_to_pair: f64,
    /// Normalised stress against undirected hop distances (sampled sources).
    pub stress: f64,
    /// The smallest distance between two nodes / the typical gap.
    pub min_gap: f64,
    /// Share of nodes whose nearest other node is within 0.25 × the typical gap.
    pub crowded: f64,
}

/// Measures `positions` (by node index) of `g`, with `sources` BFS sources for the stress.
#[must_use]
pub fn measure(g: &LayoutGraph, positions: &[(f32, f32)], sources: usize) -> Quality {
    let n = g.nodes.len().min(positions.len());
    let p = |i: usize| (f64::from(positions[i].0), f64::from(positions[i].1));
    let dist = |a: usize, b: usize| {
        let (pa, pb) = (p(a), p(b));
        ((pa.0 - pb.0).powi(2) + (pa.1 - pb.1).powi(2)).sqrt()
    };
    let edges: Vec<(usize, usize)> = g.edges.iter().copied().filter(|&(a, b)| a < n && b < n && a != b).collect();
    let lengths: Vec<f64> = edges.iter().map(|&(a, b)| dist(a, b)).collect();
    let mean_edge = mean(&lengths);
    let spread = (lengths.iter().map(|l| (l - mean_edge).powi(2)).sum::<f64>() / lengths.len().max(1) as f64).sqrt();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pairs: Vec<f64> =
        (0..n.saturating_mul(4)).map(|_| dist((next() % n as u64) as usize, (next() % n as u64) as usize)).collect();
    let nearest = nearest_distances(positions, n);
    let mut sorted = nearest.clone();
    sorted.sort_by(f64::total_cmp);
    let unit = sorted.get(sorted.len() / 2).copied().unwrap_or(1.0).max(f64::MIN_POSITIVE);
    Quality {
        edge_spread: spread / mean_edge.max(f64::MIN_POSITIVE),
        edge_to_pair: mean_edge / mean(&pairs).max(f64::MIN_POSITIVE),
        stress: stress(&edges, n, sources, dist),
        min_gap: nearest.iter().copied().fold(f64::INFINITY, f64::min) / unit,
        crowded: nearest.iter().filter(|&&d| d < 0.25 * unit).count() as f64 / n.max(1) as f64,
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Normalised stress from `sources` evenly spaced BFS sources, at the best scale.
fn stress(edges: &[(usize, usize)], n: usize, sources: usize, dist: impl Fn(usize, usize) -> f64) -> f64 {
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in edges {
        adj[a].push(b);
        adj[b].push(a);
    }
    // Pairs (layout distance e, hop distance d); the best scale s minimises Σ (s·e − d)²/d².
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    let mut hops = vec![u32::MAX; n];
    let mut queue = VecDeque::new();
    for s in (0..n).step_by((n / sources.max(1)).max(1)) {
        hops.fill(u32::MAX);
        hops[s] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            for &w in &adj[v] {
                if hops[w] == u32::MAX {
                    hops[w] = hops[v] + 1;
                    queue.push_back(w);
                }
            }
        }
        pairs.extend((0..n).filter(|&t| t != s && hops[t] != u32::MAX).map(|t| (dist(s, t), f64::from(hops[t]))));
    }
    let (num, den) = pairs.iter().fold((0.0, 0.0), |(a, b), &(e, d)| (a + e / d, b + (e / d).powi(2)));
    let scale = if den > 0.0 { num / den } else { 1.0 };
    pairs.iter().map(|&(e, d)| (scale * e / d - 1.0).powi(2)).sum::<f64>() / pairs.len().max(1) as f64
}

/// For each node, the distance to its nearest other node: nodes sorted along x, each scans to
/// the right and to the left until the x gap alone exceeds its best distance so far.
fn nearest_distances(positions: &[(f32, f32)], n: usize) -> Vec<f64> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| positions[a].0.total_cmp(&positions[b].0));
    let p = |i: usize| (f64::from(positions[i].0), f64::from(positions[i].1));
    let mut best = vec![f64::INFINITY; n];
    for (r, &i) in order.iter().enumerate() {
        let (xi, yi) = p(i);
        let mut scan = |j: usize| {
            let (xj, yj) = p(j);
            if (xj - xi).abs() >= best[i] {
                return false;
            }
            best[i] = best[i].min((xj - xi).hypot(yj - yi));
            true
        };
        for &j in &order[r + 1..] {
            if !scan(j) {
                break;
            }
        }
        for &j in order[..r].iter().rev() {
            if !scan(j) {
                break;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::LayoutNode;

    #[test]
    fn a_path_laid_out_on_a_line_is_perfect() {
        let g = LayoutGraph { nodes: vec![LayoutNode::default(); 5], edges: (0..4).map(|i| (i, i + 1)).collect() };
        let pos: Vec<(f32, f32)> = (0..5).map(|i| (i as f32 * 10.0, 0.0)).collect();
        let q = measure(&g, &pos, 5);
        assert!(q.edge_spread < 1e-9 && q.stress < 1e-9, "{q:?}");
        assert!((q.min_gap - 1.0).abs() < 1e-9 && q.crowded == 0.0, "{q:?}");
    }

    #[test]
    fn nearest_distances_match_brute_force() {
        let pts: Vec<(f32, f32)> = (0..300).map(|i| ((i * 37 % 101) as f32, (i * 61 % 97) as f32 * 0.5)).collect();
        let fast = nearest_distances(&pts, pts.len());
        for (i, &f) in fast.iter().enumerate() {
            let brute = (0..pts.len())
                .filter(|&j| j != i)
                .map(|j| f64::from((pts[i].0 - pts[j].0).hypot(pts[i].1 - pts[j].1)))
                .fold(f64::INFINITY, f64::min);
            assert!((f - brute).abs() < 1e-4, "{i}: {f} vs {brute}");
        }
    }
}
