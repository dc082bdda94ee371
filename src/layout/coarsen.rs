//! Graph coarsening for the multilevel force layout (Walshaw 2003; Hu 2005): each level merges
//! nodes in pairs, so a layout of the small coarse graph, spread back to the nodes it merged,
//! is a good start for the finer graph and only local moves remain.
//!
//! Pairs are chosen in two passes: first the leaves (degree 1) hanging off the same node are
//! paired with each other (so a hub with thousands of leaves halves per level instead of losing
//! one leaf), then each remaining node, lightest degree first, is paired with its unpaired
//! neighbour of lowest degree. Fixed (pinned) nodes stay alone. O(n + e log e) per level.

/// One coarsening step: which coarse node each fine node joins, and the coarse graph.
#[derive(Debug, Clone)]
pub struct Level {
    /// Coarse node of each fine node.
    pub parent: Vec<u32>,
    /// Number of coarse nodes.
    pub n: usize,
    /// Coarse edges (`a < b`, sorted, no duplicates).
    pub edges: Vec<(u32, u32)>,
    /// Whether each coarse node is fixed (a fixed fine node alone).
    pub fixed: Vec<bool>,
}

/// Undirected simple edges of `edges` over `n` nodes: `a < b`, sorted, no self-loops or
/// duplicates.
#[must_use]
pub fn simple_edges(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = edges
        .into_iter()
        .filter(|&(a, b)| a < n && b < n && a != b)
        .map(|(a, b)| (a.min(b) as u32, a.max(b) as u32))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Neighbours of each node (compressed rows) from simple edges.
fn adjacency(n: usize, edges: &[(u32, u32)]) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for &(a, b) in edges {
        start[a as usize + 1] += 1;
        start[b as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut nbr = vec![0u32; 2 * edges.len()];
    for &(a, b) in edges {
        nbr[fill[a as usize] as usize] = b;
        fill[a as usize] += 1;
        nbr[fill[b as usize] as usize] = a;
        fill[b as usize] += 1;
    }
    (start, nbr)
}

/// Merges the nodes of the graph (`n` nodes, simple `edges`, `fixed` flags) in pairs; one
/// coarser level.
#[must_use]
pub fn coarsen(n: usize, edges: &[(u32, u32)], fixed: &[bool]) -> Level {
    const NONE: u32 = u32::MAX;
    let (start, nbr) = adjacency(n, edges);
    let degree = |v: usize| start[v + 1] - start[v];
    let neighbours = |v: usize| &nbr[start[v] as usize..start[v + 1] as usize];
    let mut parent = vec![NONE; n];
    let mut next = 0u32;
    let mut pair = |parent: &mut [u32], a: usize, b: usize| {
        parent[a] = next;
        parent[b] = next;
        next += 1;
    };
    // Leaves of the same node, two by two.
    for v in 0..n {
        let mut waiting = None;
        for &w in neighbours(v) {
            let w = w as usize;
            if degree(w) == 1 && parent[w] == NONE && !fixed[w] {
                match waiting.take() {
                    Some(u) => pair(&mut parent, u, w),
                    None => waiting = Some(w),
                }
            }
        }
    }
    // The rest, lightest first, with their lightest free neighbour.
    let mut by_degree: Vec<u32> = (0..n as u32).collect();
    by_degree.sort_by_key(|&v| (degree(v as usize), v));
    for v in by_degree {
        let v = v as usize;
        if parent[v] != NONE || fixed[v] {
            continue;
        }
        let partner = neighbours(v)
            .iter()
            .map(|&w| w as usize)
            .filter(|&w| parent[w] == NONE && !fixed[w] && w != v)
            .min_by_key(|&w| (degree(w), w));
        if let Some(w) = partner {
            pair(&mut parent, v, w);
        }
    }
    // Singletons, in node order.
    for p in parent.iter_mut().filter(|p| **p == NONE) {
        *p = next;
        next += 1;
    }
    let coarse_n = next as usize;
    let mut coarse_fixed = vec![false; coarse_n];
    for (v, &p) in parent.iter().enumerate() {
        coarse_fixed[p as usize] |= fixed[v];
    }
    let edges =
        simple_edges(coarse_n, edges.iter().map(|&(a, b)| (parent[a as usize] as usize, parent[b as usize] as usize)));
    Level { parent, n: coarse_n, edges, fixed: coarse_fixed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_halves_and_a_path_pairs_neighbours() {
        let star = simple_edges(101, (1..101).map(|i| (0, i)));
        let l = coarsen(101, &star, &[false; 101]);
        assert_eq!(l.n, 51, "50 leaf pairs and the hub");
        assert_eq!(l.edges.len(), 50);
        let path = simple_edges(6, (0..5).map(|i| (i, i + 1)));
        let l = coarsen(6, &path, &[false; 6]);
        assert_eq!(l.n, 3);
        assert!(path.iter().filter(|&&(a, b)| l.parent[a as usize] == l.parent[b as usize]).count() == 3);
    }

    #[test]
    fn fixed_nodes_stay_alone() {
        let path = simple_edges(4, [(0, 1), (1, 2), (2, 3)]);
        let l = coarsen(4, &path, &[false, true, false, false]);
        let p = &l.parent;
        assert!(p[1] != p[0] && p[1] != p[2] && p[1] != p[3]);
        assert!(l.fixed[p[1] as usize] && !l.fixed[p[2] as usize]);
    }
}
