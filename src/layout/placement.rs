//! Where the nodes a command brings go on the canvas: an expansion's neighbours one column
//! beside their parent (a block of sub-columns for a hub), each on a free spot, moved as one
//! piece when the column would run through an earlier expansion (used by the command planner,
//! [`crate::graph`]).

use std::collections::HashMap;

use super::flow;

/// Two nodes closer than this (in both axes) would overlap on the canvas.
const CLEARANCE: (f32, f32) = (flow::SUB_COLUMN, 0.75 * flow::ROW);

/// The free spot nearest to `(x, y)` in its column: tries `y`, then alternately below and
/// above in `STEP_Y` steps, avoiding `taken` positions. O(k) for k tries.
pub(crate) fn free_slot(x: f32, y: f32, taken: &Occupancy) -> (f32, f32) {
    free_slot_by(x, y, |x, y| taken.is_clear(x, y))
}

/// [`free_slot`] with any test of "is this spot clear".
fn free_slot_by(x: f32, y: f32, clear: impl Fn(f32, f32) -> bool) -> (f32, f32) {
    for k in 0..10_000i32 {
        let offset = if k % 2 == 0 { k / 2 } else { -(k / 2 + 1) };
        let candidate = y + offset as f32 * STEP_Y;
        if clear(x, candidate) {
            return (x, candidate);
        }
    }
    (x, y)
}

/// How far (rows) any of an expansion's new nodes may drift from its planned spot to a free row
/// before the whole column or block moves instead.
const MAX_DRIFT_ROWS: f32 = 3.0;
/// Sub-column steps an expansion's column or block may move outward to find room.
const MAX_SHIFT_COLUMNS: i32 = 64;
/// Rows an expansion's column or block may move up or down (beyond its own height) to find room.
const MAX_SHIFT_ROWS: i32 = 60;
/// Spots an expansion may look at while moving its column or block (a few milliseconds).
const MOVE_BUDGET: usize = 200_000;

/// Spots for the `count` new neighbours of an expansion from `(px, py)` on `side` (1 right,
/// −1 left), followed by the spot of its "+N more" aggregate when `aggregate`.
///
/// Each goes to the free row nearest its planned spot. When that moves one more than
/// [`MAX_DRIFT_ROWS`] (the column would run through an earlier expansion's block), the whole
/// column or block moves instead, in one piece, to the nearest spot where all of it is clear:
/// outward by sub-columns, up or down by rows, nearest first. Failing that (or after looking at
/// [`MOVE_BUDGET`] spots), the nearest free rows. O(count) when there is room.
pub(crate) fn expansion_spots(
    px: f32,
    py: f32,
    side: f32,
    count: usize,
    aggregate: bool,
    taken: &Occupancy,
) -> Vec<(f32, f32)> {
    let planned: Vec<(f32, f32)> = (0..count)
        .map(|k| neighbour_offset(k, count))
        .chain(aggregate.then(|| aggregate_offset(count)))
        .map(|(dx, dy)| (px + side * dx, py + dy))
        .collect();
    let mut placed = Occupancy::default();
    let mut drift = 0.0f32;
    let nearest: Vec<(f32, f32)> = planned
        .iter()
        .map(|&(x, y)| {
            let spot = free_slot_by(x, y, |x, y| taken.is_clear(x, y) && placed.is_clear(x, y));
            placed.insert(spot);
            drift = drift.max((spot.1 - y).abs() / STEP_Y);
            spot
        })
        .collect();
    if drift <= MAX_DRIFT_ROWS {
        return nearest;
    }
    let rows = i32::try_from(flow::wrapped(count, STEP_Y, CLEARANCE.0).1).unwrap_or(i32::MAX / 4);
    let reach = rows.saturating_add(MAX_SHIFT_ROWS);
    let mut moves: Vec<(i32, i32)> =
        (0..=MAX_SHIFT_COLUMNS).flat_map(|j| (-reach..=reach).map(move |m| (j, m))).collect();
    // Nearest first (world distance), then down before up, then inward.
    let cost = |&(j, m): &(i32, i32)| (j as f32 * CLEARANCE.0).hypot(m as f32 * STEP_Y);
    moves.sort_by(|a, b| cost(a).total_cmp(&cost(b)).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    // A bound on the spots looked at, so a huge block in a crowded case costs milliseconds.
    let mut budget = MOVE_BUDGET;
    for (j, m) in moves {
        let (dx, dy) = (side * j as f32 * CLEARANCE.0, m as f32 * STEP_Y);
        let clear = planned.iter().all(|&(x, y)| {
            budget = budget.saturating_sub(1);
            taken.is_clear(x + dx, y + dy)
        });
        if clear {
            return planned.iter().map(|&(x, y)| (x + dx, y + dy)).collect();
        }
        if budget == 0 {
            break;
        }
    }
    nearest
}

/// Placed nodes in a grid of [`CLEARANCE`]-sized cells, so "is this spot clear?" looks at the 3 x 3
/// cells around it instead of every node: O(1) per query, O(n) to build.
#[derive(Debug, Default)]
pub(crate) struct Occupancy {
    cells: HashMap<(i64, i64), Vec<(f32, f32)>>,
}

impl Occupancy {
    fn cell(x: f32, y: f32) -> (i64, i64) {
        #[allow(clippy::cast_possible_truncation)]
        ((x / CLEARANCE.0).floor() as i64, (y / CLEARANCE.1).floor() as i64)
    }

    pub(crate) fn insert(&mut self, p: (f32, f32)) {
        self.cells.entry(Self::cell(p.0, p.1)).or_default().push(p);
    }

    /// No placed node is within the clearance box around `(x, y)`.
    pub(crate) fn is_clear(&self, x: f32, y: f32) -> bool {
        let (cx, cy) = Self::cell(x, y);
        (cx - 1..=cx + 1).all(|i| {
            (cy - 1..=cy + 1).all(|j| {
                self.cells.get(&(i, j)).is_none_or(|pts| {
                    pts.iter().all(|&(tx, ty)| (tx - x).abs() >= CLEARANCE.0 || (ty - y).abs() >= CLEARANCE.1)
                })
            })
        })
    }
}

/// Horizontal distance between a node and the neighbours an expansion brings.
pub(crate) const STEP_X: f32 = flow::COLUMN;
/// Vertical distance between neighbours brought by one expansion.
pub(crate) const STEP_Y: f32 = flow::ROW;

/// Where the `k`-th of `count` neighbours brought by one expansion goes, relative to its
/// parent and away from it (before collisions are avoided): one column beside it, down from its
/// row; more than [`flow::WRAP_ROWS`] (a hub's thousands of counterparties) wrap into a block of
/// sub-columns about as wide as it is tall, centred on the parent's row.
fn neighbour_offset(k: usize, count: usize) -> (f32, f32) {
    let (subs, rows) = flow::wrapped(count, STEP_Y, CLEARANCE.0);
    if subs == 1 {
        return (STEP_X, k as f32 * STEP_Y);
    }
    (STEP_X + (k / rows) as f32 * CLEARANCE.0, ((k % rows) as f32 - (rows / 2) as f32) * STEP_Y)
}

/// Where the "+N more" aggregate of an expansion that brought `count` neighbours goes: below
/// them, beside the parent.
fn aggregate_offset(count: usize) -> (f32, f32) {
    let (subs, rows) = flow::wrapped(count, STEP_Y, CLEARANCE.0);
    if subs == 1 {
        return (STEP_X, (count as f32 + 1.0) * STEP_Y);
    }
    (STEP_X, ((rows - rows / 2) as f32 + 1.0) * STEP_Y)
}
