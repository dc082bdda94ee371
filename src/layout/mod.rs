//! Graph layouts, headless (the window runs them on a background thread):
//! - [`flow`]: left → right by hop distance from the seeds (upstream to the left) and by time,
//!   the way investigators read fund flows;
//! - [`force`]: force-directed (Fruchterman–Reingold forces, Barnes–Hut repulsion), multilevel
//!   for a fresh layout (node pairs merged level by level).
//!
//! Both keep pinned nodes where they are and place only the others; [`quality`] measures a
//! layout (scale-free), to compare layouts of the same graph.

mod coarsen;
pub mod flow;
pub mod force;
pub mod placement;
mod quadtree;
pub mod quality;

/// A graph to lay out: nodes by index, directed edges between them.
#[derive(Debug, Clone, Default)]
pub struct LayoutGraph {
    /// The nodes.
    pub nodes: Vec<LayoutNode>,
    /// Directed edges `(from, to)` by node index (duplicates and self-loops are harmless).
    pub edges: Vec<(usize, usize)>,
}

/// What a layout needs to know about a node.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LayoutNode {
    /// Where it is now, if placed (a starting point; kept if `pinned`).
    pub position: Option<(f32, f32)>,
    /// Stays where it is.
    pub pinned: bool,
    /// Where the investigation starts: column 0 of the flow layout.
    pub seed: bool,
    /// Earliest time of its transfers (orders nodes within a flow column).
    pub time: Option<i64>,
}

/// Positions by node index.
pub type Positions = Vec<(f32, f32)>;
