//! Flow layout: columns by hop distance from the seeds (following transfers forward; nodes
//! only reachable backwards get negative columns, to the left), rows ordered by time and then
//! by the barycenter of their neighbours in the previous column to reduce crossings.
//!
//! The seeds' column is spaced wider ([`SEED_ROW`]) and never wrapped: the window draws a seed's
//! label at every zoom, in screen points, so seeds one [`ROW`] apart have their labels on top of
//! each other as soon as the view zooms out (to fit the graph in a narrow canvas, say).
//!
//! O((n + e) log n) for n nodes and e edges: two BFS passes, a sort per column and a fixed number
//! of barycenter sweeps. Pinned nodes keep their position.

use std::collections::VecDeque;

use super::{LayoutGraph, Positions};

/// Spacing of the flow layout.
#[derive(Debug, Clone, Copy)]
pub struct FlowSpacing {
    /// Distance between columns.
    pub column: f32,
    /// Distance between rows.
    pub row: f32,
}

/// Distance between columns: room for a node and its label beside the next one.
pub const COLUMN: f32 = 260.0;
/// Distance between rows: two of the largest value-sized nodes (radius 26) with the label under
/// the upper one, so stacked nodes and their labels do not touch.
pub const ROW: f32 = 84.0;

/// The largest node radius at zoom 1 (`crate::style::node_radius`).
pub const NODE_RADIUS_MAX: f32 = 26.0;
/// Screen height a node's label takes under it, whatever the zoom: the gap under the node (4),
/// the 12-point text (about 15) and its background's margin (2 above, 2 below).
pub const LABEL_HEIGHT_PX: f32 = 23.0;
/// The seeds' labels stay apart down to this zoom (below the 0.45 where other labels fade out;
/// a graph fitted into a narrow canvas is drawn at 0.3–0.4).
pub const SEED_LABEL_ZOOM: f32 = 0.25;
/// Distance between rows of the seeds' column: two of the largest nodes plus a label and a
/// 4-point gap at [`SEED_LABEL_ZOOM`] (52 + 27 / 0.25 = 160), rounded up to two rows.
pub const SEED_ROW: f32 = 2.0 * ROW;

impl Default for FlowSpacing {
    fn default() -> Self {
        FlowSpacing { column: COLUMN, row: ROW }
    }
}

/// Barycenter sweeps (down and up) after the initial time order.
const SWEEPS: usize = 4;
/// Columns with more nodes than this are wrapped into a block of sub-columns.
/// Twelve rows fill a window's canvas at a zoom where labels are shown; a taller column would
/// be fitted as a thin pole of unlabelled dots.
pub const WRAP_ROWS: usize = 12;
/// Distance between the sub-columns of a wrapped column (wide enough for a short label).
pub const SUB_COLUMN: f32 = 180.0;

/// Sub-columns and rows of a column of `m` nodes `row` apart: one column up to [`WRAP_ROWS`],
/// else a block of sub-columns `sub_column` apart about as wide as it is tall.
#[must_use]
pub fn wrapped(m: usize, row: f32, sub_column: f32) -> (usize, usize) {
    if m <= WRAP_ROWS {
        return (1, m.max(1));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let subs = ((m as f32 * row / sub_column).sqrt().ceil() as usize).max(2);
    (subs, m.div_ceil(subs))
}

/// Lays out `g` left → right. Nodes not connected to any seed are placed in a block below.
#[must_use]
pub fn layout(g: &LayoutGraph, spacing: FlowSpacing) -> Positions {
    let n = g.nodes.len();
    let mut out_adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut in_adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &g.edges {
        if a < n && b < n && a != b {
            out_adj[a].push(b);
            in_adj[b].push(a);
        }
    }
    let seeds: Vec<usize> = (0..n).filter(|&i| g.nodes[i].seed).collect();
    let mut column: Vec<Option<i64>> = vec![None; n];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &s in &seeds {
        column[s] = Some(0);
        queue.push_back(s);
    }
    // Forward from the seeds: where the money went.
    bfs(&mut queue, &mut column, &out_adj, 1);
    // Backward, for what is only upstream: where it came from.
    for &s in &seeds {
        queue.push_back(s);
    }
    bfs(&mut queue, &mut column, &in_adj, -1);
    // Anything else: spread from whatever it touches, else a column of its own.
    for i in 0..n {
        if column[i].is_none() {
            let touched = out_adj[i].iter().chain(&in_adj[i]).find_map(|&j| column[j]);
            if let Some(c) = touched {
                column[i] = Some(c + 1);
                queue.push_back(i);
                bfs(&mut queue, &mut column, &out_adj, 1);
                queue.push_back(i);
                bfs(&mut queue, &mut column, &in_adj, -1);
            }
        }
    }
    let min_col = column.iter().flatten().copied().min().unwrap_or(0);
    let max_col = column.iter().flatten().copied().max().unwrap_or(0);
    let width = usize::try_from(max_col - min_col + 1).unwrap_or(1);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); width];
    let mut loose: Vec<usize> = Vec::new();
    for (i, c) in column.iter().enumerate() {
        match c {
            Some(c) => columns[usize::try_from(c - min_col).unwrap_or(0)].push(i),
            None => loose.push(i),
        }
    }
    for col in &mut columns {
        col.sort_by_key(|&i| (g.nodes[i].time.unwrap_or(i64::MAX), i));
    }
    let mut rank = vec![0f32; n];
    let set_ranks = |cols: &Vec<Vec<usize>>, rank: &mut Vec<f32>| {
        for col in cols {
            for (r, &i) in col.iter().enumerate() {
                rank[i] = r as f32 - col.len() as f32 / 2.0;
            }
        }
    };
    set_ranks(&columns, &mut rank);
    for sweep in 0..SWEEPS {
        let forward = sweep % 2 == 0;
        let order: Vec<usize> =
            if forward { (1..width).collect() } else { (0..width.saturating_sub(1)).rev().collect() };
        for c in order {
            let neighbours = if forward { &in_adj } else { &out_adj };
            let col = &mut columns[c];
            let mut keyed: Vec<(f32, f32, usize)> = col
                .iter()
                .map(|&i| {
                    let ns = &neighbours[i];
                    let bary = if ns.is_empty() {
                        rank[i]
                    } else {
                        ns.iter().map(|&j| rank[j]).sum::<f32>() / ns.len() as f32
                    };
                    (bary, rank[i], i)
                })
                .collect();
            // Ties keep the current order (time order at first).
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            *col = keyed.into_iter().map(|(_, _, i)| i).collect();
            for (r, &i) in col.iter().enumerate() {
                rank[i] = r as f32 - col.len() as f32 / 2.0;
            }
        }
    }
    // A column taller than WRAP_ROWS (a hub's 5,000 counterparties) is wrapped into a block of
    // sub-columns about as wide as it is tall, filled down then right in the column's order.
    let sub_w = SUB_COLUMN;
    // The column holding seeds: one tall column of wide rows, so their labels stay apart.
    let seeded: Vec<bool> = columns.iter().map(|col| col.iter().any(|&i| g.nodes[i].seed)).collect();
    let row_of = |c: usize| if seeded[c] { spacing.row.max(SEED_ROW) } else { spacing.row };
    let blocks: Vec<(usize, usize)> = columns
        .iter()
        .enumerate()
        .map(|(c, col)| if seeded[c] { (1, col.len().max(1)) } else { wrapped(col.len(), spacing.row, sub_w) })
        .collect();
    let mut left = Vec::with_capacity(width);
    let mut x = 0.0f32;
    for &(subs, _) in &blocks {
        left.push(x);
        x += (subs - 1) as f32 * sub_w + spacing.column;
    }
    // The seeds' column stays at x = 0.
    let origin = usize::try_from(-min_col).ok().and_then(|c| left.get(c).copied()).unwrap_or(0.0);
    let mut pos: Positions = vec![(0.0, 0.0); n];
    for (c, ((col, &(_, rows)), &x0)) in columns.iter().zip(&blocks).zip(&left).enumerate() {
        let row_h = row_of(c);
        for (k, &i) in col.iter().enumerate() {
            let (sub, row) = (k / rows, k % rows);
            pos[i] = (x0 - origin + sub as f32 * sub_w, (row as f32 - rows as f32 / 2.0) * row_h);
        }
    }
    // In rows of the ordinary spacing, below the lowest column.
    let tallest = (0..width).map(|c| blocks[c].1 as f32 * row_of(c) / spacing.row).fold(0.0, f32::max);
    let per_row = (width.max(4)) as usize;
    for (k, &i) in loose.iter().enumerate() {
        let x = (k % per_row) as f32 * spacing.column + left.first().copied().unwrap_or(0.0) - origin;
        let y = (tallest / 2.0 + 2.0 + (k / per_row) as f32) * spacing.row;
        pos[i] = (x, y);
    }
    for (i, node) in g.nodes.iter().enumerate() {
        if node.pinned
            && let Some(p) = node.position
        {
            pos[i] = p;
        }
    }
    pos
}

fn bfs(queue: &mut VecDeque<usize>, column: &mut [Option<i64>], adj: &[Vec<usize>], step: i64) {
    while let Some(i) = queue.pop_front() {
        let Some(c) = column[i] else { continue };
        for &j in &adj[i] {
            if column[j].is_none() {
                column[j] = Some(c + step);
                queue.push_back(j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::LayoutNode;

    fn node(seed: bool, time: i64) -> LayoutNode {
        LayoutNode { seed, time: Some(time), ..LayoutNode::default() }
    }

    #[test]
    fn money_flows_left_to_right_from_the_seeds() {
        // victim(0) → seed(1) → a(2) → b(3); seed → c(4); d(5) unconnected.
        let g = LayoutGraph {
            nodes: vec![
                node(false, 5),
                node(true, 10),
                node(false, 20),
                node(false, 30),
                node(false, 15),
                node(false, 1),
            ],
            edges: vec![(0, 1), (1, 2), (2, 3), (1, 4)],
        };
        let p = layout(&g, FlowSpacing::default());
        assert!(p[0].0 < p[1].0 && p[1].0 < p[2].0 && p[2].0 < p[3].0);
        assert_eq!(p[2].0, p[4].0, "both direct recipients in one column");
        assert!(p[4].1 < p[2].1, "the earlier transfer is higher");
        assert!(p[5].1 > p.iter().take(5).map(|q| q.1).fold(f32::MIN, f32::max), "the loose node is below");
    }

    #[test]
    fn a_hub_s_counterparties_are_wrapped_into_a_square_block() {
        // 2,000 senders → hub(0) → 3 recipients.
        let mut g = LayoutGraph { nodes: vec![node(true, 0)], edges: Vec::new() };
        for i in 0..2_000 {
            g.nodes.push(node(false, i));
            g.edges.push((i as usize + 1, 0));
        }
        for i in 0..3 {
            g.nodes.push(node(false, 10_000 + i));
            g.edges.push((0, 2_001 + i as usize));
        }
        let spacing = FlowSpacing::default();
        let p = layout(&g, spacing);
        let senders = &p[1..=2_000];
        let (x0, x1) = senders.iter().fold((f32::MAX, f32::MIN), |(a, b), q| (a.min(q.0), b.max(q.0)));
        let (y0, y1) = senders.iter().fold((f32::MAX, f32::MIN), |(a, b), q| (a.min(q.1), b.max(q.1)));
        let (w, h) = (x1 - x0, y1 - y0);
        assert!(w > 0.0 && (0.5..2.0).contains(&(h / w)), "block {w} × {h} is about square");
        assert!(x1 + spacing.column <= p[0].0 + 1.0, "the block is left of the hub");
        assert_eq!(p[0].0, 0.0, "the seed's column stays at x = 0");
        let recipients = &p[2_001..];
        assert!(recipients.iter().all(|q| q.0 == spacing.column), "a short column is not wrapped");
        let mut seen: Vec<(i64, i64)> = senders.iter().map(|q| (q.0 as i64, q.1 as i64)).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 2_000, "no two senders share a place");
    }

    #[test]
    fn the_seed_row_keeps_seed_labels_apart_down_to_the_seed_label_zoom() {
        // Screen distance between two seeds, minus two largest nodes, a label and a 4-point gap.
        let room = SEED_LABEL_ZOOM * (SEED_ROW - 2.0 * NODE_RADIUS_MAX) - LABEL_HEIGHT_PX - 4.0;
        assert!(room >= 0.0, "{room}");
        // Many seeds in one column: one column, rows SEED_ROW apart, not a wrapped block.
        let mut g = LayoutGraph { nodes: (0..20).map(|i| node(true, i)).collect(), edges: Vec::new() };
        g.nodes.push(node(false, 100));
        g.edges.push((0, 20));
        let p = layout(&g, FlowSpacing::default());
        let mut ys: Vec<f32> = p[..20].iter().map(|q| q.1).collect();
        assert!(p[..20].iter().all(|q| q.0 == 0.0), "{p:?}");
        ys.sort_by(f32::total_cmp);
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= SEED_ROW), "{ys:?}");
        assert!(p[20].1 >= ys[0] && p[20].1 <= ys[19], "the recipient is beside the seeds");
    }

    #[test]
    fn pinned_nodes_stay() {
        let mut g = LayoutGraph { nodes: vec![node(true, 0), node(false, 1)], edges: vec![(0, 1)] };
        g.nodes[1].pinned = true;
        g.nodes[1].position = Some((-999.0, 42.0));
        assert_eq!(layout(&g, FlowSpacing::default())[1], (-999.0, 42.0));
    }
}
