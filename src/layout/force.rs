//! Force-directed layout: Fruchterman–Reingold forces (repulsion k²/d between all nodes,
//! attraction d²/k along edges, taken undirected and once each), the all-pairs repulsion
//! approximated by a Barnes–Hut quadtree (O(n log n) per iteration instead of O(n²), spread
//! over the cores for large graphs).
//!
//! A fresh layout (no free node has a position) is multilevel (Walshaw 2003, Hu 2005): the
//! graph is coarsened by merging node pairs (`coarsen`) down to a few dozen nodes, that graph
//! is laid out from random positions, and each finer level starts from its coarser layout
//! (merged nodes at their pair's place, slightly apart) and is refined. Given positions are a
//! starting point instead: the graph is refined from them (unplaced nodes start next to a
//! placed neighbour).
//!
//! Each node moves along its net force by at most a step; the step adapts (Hu 2005): it grows
//! by 1/0.9 after five iterations in a row that lowered the energy (Σ|F|²), shrinks by 0.9
//! after one that did not. A level has **converged** when the mean move of its free nodes in an
//! iteration is below `tolerance · ideal` (default 1%: under a pixel at the default 90 px
//! edge). As moves are capped by the step, that happens when the forces balance or when the
//! energy has stopped falling and the step has shrunk; on large graphs it is the latter (the
//! net forces of a dense graph do not settle below the Barnes–Hut error). The coarser levels
//! stop at a 5× looser tolerance, as they only place the next level; `max_iterations` caps
//! each level. Deterministic for a given graph and seed (each body's force is computed the
//! same way on any thread). O((n log n + e) · iterations) in all: each level is about half the
//! size of the next.

use super::coarsen::{self, Level};
use super::quadtree::QuadTree;
use super::{LayoutGraph, Positions};

/// Settings of the force layout.
#[derive(Debug, Clone, Copy)]
pub struct ForceSettings {
    /// The ideal edge length k.
    pub ideal: f32,
    /// At most this many iterations per level.
    pub max_iterations: usize,
    /// A level has converged once the mean move of a node in an iteration is below this
    /// fraction of `ideal`.
    pub tolerance: f32,
    /// Barnes–Hut opening angle (0 = exact; larger = faster, coarser).
    pub theta: f32,
    /// Seed of the starting positions of unplaced nodes.
    pub seed: u64,
}

impl Default for ForceSettings {
    fn default() -> Self {
        ForceSettings { ideal: 90.0, max_iterations: 500, tolerance: 0.01, theta: 0.9, seed: 0x5eed }
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct ForceRun {
    /// Final positions.
    pub positions: Positions,
    /// Iterations run on the whole graph (the finest level).
    pub iterations: usize,
    /// Iterations run on the coarser levels (each about half the size of the next finer one).
    pub coarse_iterations: usize,
    /// Levels, the whole graph included (1 when refining given positions).
    pub levels: usize,
    /// Whether the whole graph converged (not stopped by the iteration cap).
    pub converged: bool,
}

/// Coarsening stops at this many nodes, or when a level would keep more than 90% of them.
const COARSEST: usize = 50;
/// The first step of a level started from the coarser one, as a fraction of its ideal length
/// (that layout is already close; it must stay well above the tolerance, or the first
/// iteration would pass the convergence test by the step cap alone).
const FIRST_STEP: f32 = 0.3;
/// The coarser levels only place the next one: they stop at this many times the tolerance.
const COARSE_TOLERANCE: f32 = 5.0;

/// A small xorshift generator of f32 in [0, 1).
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }

    /// A point at distance `r` in a random direction from `p`.
    fn around(&mut self, p: (f32, f32), r: f32) -> (f32, f32) {
        let a = self.next() * std::f32::consts::TAU;
        (p.0 + r * a.cos(), p.1 + r * a.sin())
    }
}

/// Runs the layout to convergence (or `max_iterations` per level).
#[must_use]
pub fn layout(g: &LayoutGraph, s: ForceSettings) -> ForceRun {
    let n = g.nodes.len();
    let k = s.ideal.max(1.0);
    let mut rng = Jitter(s.seed | 1);
    let fixed: Vec<bool> = g.nodes.iter().map(|node| node.pinned && node.position.is_some()).collect();
    let edges = coarsen::simple_edges(n, g.edges.iter().copied());
    let mut tree = QuadTree::default();
    let fresh = g.nodes.iter().zip(&fixed).all(|(node, &f)| f || node.position.is_none());
    if !fresh {
        let mut pos = start_from_neighbours(g, &edges, k, &mut rng);
        let stage = Stage { fixed: &fixed, edges: &edges, k, first_step: k, tolerance: s.tolerance };
        let (iterations, converged) = refine(&mut pos, &stage, &s, &mut tree);
        return ForceRun { positions: pos, iterations, coarse_iterations: 0, levels: 1, converged };
    }
    // Coarsen: levels[i] maps level i's nodes onto level i + 1's.
    let mut levels: Vec<Level> = Vec::new();
    let (mut cur_n, mut cur_edges, mut cur_fixed) = (n, edges.clone(), fixed.clone());
    while cur_n > COARSEST {
        let level = coarsen::coarsen(cur_n, &cur_edges, &cur_fixed);
        if level.n * 10 > cur_n * 9 {
            break;
        }
        (cur_n, cur_edges, cur_fixed) = (level.n, level.edges.clone(), level.fixed.clone());
        levels.push(level);
    }
    // Fixed positions on every level (a fixed coarse node is one fixed fine node).
    let mut pinned: Vec<Vec<Option<(f32, f32)>>> =
        vec![g.nodes.iter().zip(&fixed).map(|(node, &f)| node.position.filter(|_| f)).collect()];
    for level in &levels {
        let mut up = vec![None; level.n];
        for (v, &p) in level.parent.iter().enumerate() {
            if let Some(q) = pinned.last().and_then(|l| l[v]) {
                up[p as usize] = Some(q);
            }
        }
        pinned.push(up);
    }
    let k_at = |size: usize| k * (n as f32 / size.max(1) as f32).sqrt();
    // The coarsest level from random positions.
    let side = (cur_n as f32).sqrt().max(1.0) * k_at(cur_n);
    let mut pos: Positions = pinned[levels.len()]
        .iter()
        .map(|p| p.unwrap_or_else(|| ((rng.next() - 0.5) * side, (rng.next() - 0.5) * side)))
        .collect();
    let tolerance = if levels.is_empty() { s.tolerance } else { COARSE_TOLERANCE * s.tolerance };
    let stage = Stage { fixed: &cur_fixed, edges: &cur_edges, k: k_at(cur_n), first_step: side / 10.0, tolerance };
    let (mut iterations, mut converged) = refine(&mut pos, &stage, &s, &mut tree);
    let mut coarse_iterations = 0;
    // Each finer level from the one above it.
    for (i, level) in levels.iter().enumerate().rev() {
        coarse_iterations += iterations;
        let fine_n = level.parent.len();
        let kf = k_at(fine_n);
        let mut fine: Positions = level
            .parent
            .iter()
            .zip(&pinned[i])
            .map(|(&p, pin)| pin.unwrap_or_else(|| rng.around(pos[p as usize], 0.1 * kf)))
            .collect();
        let (edges, fixed, tolerance) = match i {
            0 => (&edges, &fixed, s.tolerance),
            _ => (&levels[i - 1].edges, &levels[i - 1].fixed, COARSE_TOLERANCE * s.tolerance),
        };
        let stage = Stage { fixed, edges, k: kf, first_step: FIRST_STEP * kf, tolerance };
        (iterations, converged) = refine(&mut fine, &stage, &s, &mut tree);
        pos = fine;
    }
    ForceRun { positions: pos, iterations, coarse_iterations, levels: levels.len() + 1, converged }
}

/// Starting positions from the given ones: each unplaced node next to a placed neighbour
/// (breadth first from the placed nodes), the rest at random around the placed ones.
fn start_from_neighbours(g: &LayoutGraph, edges: &[(u32, u32)], k: f32, rng: &mut Jitter) -> Positions {
    let n = g.nodes.len();
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in edges {
        adj[a as usize].push(b as usize);
        adj[b as usize].push(a as usize);
    }
    let mut pos: Vec<Option<(f32, f32)>> = g.nodes.iter().map(|node| node.position).collect();
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&i| pos[i].is_some()).collect();
    while let Some(v) = queue.pop_front() {
        let Some(p) = pos[v] else { continue };
        for &w in &adj[v] {
            if pos[w].is_none() {
                pos[w] = Some(rng.around(p, k));
                queue.push_back(w);
            }
        }
    }
    let placed: Vec<(f32, f32)> = pos.iter().flatten().copied().collect();
    let c = placed.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    let c = (c.0 / placed.len().max(1) as f32, c.1 / placed.len().max(1) as f32);
    let side = (n as f32).sqrt() * k;
    pos.into_iter()
        .map(|p| {
            p.unwrap_or_else(|| {
                let r = rng.next() * side / 2.0;
                rng.around(c, r)
            })
        })
        .collect()
}

/// One level to refine.
struct Stage<'a> {
    fixed: &'a [bool],
    /// Simple edges (see [`coarsen::simple_edges`]).
    edges: &'a [(u32, u32)],
    /// Ideal edge length on this level.
    k: f32,
    first_step: f32,
    /// Converged when the mean move is below `tolerance · k`.
    tolerance: f32,
}

/// Refines `pos` of one level until it converges or hits `max_iterations`: the iterations run
/// and whether it converged.
fn refine(pos: &mut [(f32, f32)], stage: &Stage<'_>, s: &ForceSettings, tree: &mut QuadTree) -> (usize, bool) {
    let Stage { fixed, edges, k, first_step: mut step, tolerance } = *stage;
    let n = pos.len();
    let free = fixed.iter().filter(|f| !**f).count();
    if n < 2 || free == 0 {
        return (0, true);
    }
    let workers = if n < 2_000 { 1 } else { std::thread::available_parallelism().map_or(1, std::num::NonZero::get) };
    let mut force = vec![(0f32, 0f32); n];
    let (mut energy_before, mut progress) = (f32::INFINITY, 0);
    for iteration in 1..=s.max_iterations {
        tree.build(pos);
        force.fill((0.0, 0.0));
        tree.repulsion(k * k, s.theta, workers, &mut force);
        for &(a, b) in edges {
            let (a, b) = (a as usize, b as usize);
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            // |F| = d² / k along the edge, pulling both ends together.
            let d = (dx * dx + dy * dy).sqrt();
            let (fx, fy) = (dx * d / k, dy * d / k);
            force[a].0 -= fx;
            force[a].1 -= fy;
            force[b].0 += fx;
            force[b].1 += fy;
        }
        let (mut energy, mut moved) = (0f32, 0f32);
        for ((p, &(fx, fy)), _) in pos.iter_mut().zip(&force).zip(fixed).filter(|(_, f)| !**f) {
            let len = (fx * fx + fy * fy).sqrt();
            if len > 0.0 && len.is_finite() {
                let m = len.min(step);
                p.0 += fx / len * m;
                p.1 += fy / len * m;
                energy += len * len;
                moved += m;
            }
        }
        if energy < energy_before {
            progress += 1;
            if progress >= 5 {
                progress = 0;
                step /= 0.9;
            }
        } else {
            progress = 0;
            step *= 0.9;
        }
        energy_before = energy;
        if moved / (free as f32) < tolerance * k {
            return (iteration, true);
        }
    }
    (s.max_iterations, false)
}

#[cfg(test)]
#[path = "force_tests.rs"]
mod tests;
