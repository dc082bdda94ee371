//! A Barnes–Hut quadtree over points of mass 1: each cell keeps its mass, centre of mass and
//! size, so the repulsion of a far cluster is computed as one body.
//!
//! Built by sorting the points along a Morton (Z-order) curve (a radix sort) and splitting the
//! sorted array, so each cell is a contiguous run of bodies and nearby bodies sit together in
//! memory; leaves hold up to [`LEAF`] bodies. The repulsion walks the tree once per group (the
//! largest cells of at most [`GROUP`] bodies), not once per body: a cell far from the whole
//! group joins an interaction list as one body, the bodies of near leaves join it one by one,
//! and then the group's bodies sum over that flat list, [`LANES`] at a time in a loop the
//! compiler vectorises. Build O(n log n); repulsion O(n log n) for a fixed opening angle.

/// Bodies per leaf (more only for points that coincide to 16 bits of the bounding box).
const LEAF: usize = 16;
/// Bodies per group at most: the tree is walked once per group, the largest cells of at most
/// this many bodies (or a leaf of coincident bodies).
const GROUP: usize = 64;
/// Bodies summed together over one interaction list (the lanes of the inner loop).
const LANES: usize = 16;
/// Bits of each coordinate in the Morton code.
const BITS: u32 = 16;
/// Distance² below which two bodies count as this close (the force stays finite).
const MIN_D2: f32 = 0.01;

/// One cell: a run `lo..hi` of the sorted bodies; children `first..first + count` (none for
/// a leaf).
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    mx: f32,
    my: f32,
    mass: f32,
    /// The longer side of the bodies' bounding box.
    size: f32,
    first: u32,
    count: u32,
    lo: u32,
    hi: u32,
}

/// An axis-aligned bounding box.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
}

impl Bounds {
    const EMPTY: Bounds = Bounds { x0: f32::MAX, y0: f32::MAX, x1: f32::MIN, y1: f32::MIN };

    fn union(self, o: Bounds) -> Bounds {
        Bounds { x0: self.x0.min(o.x0), y0: self.y0.min(o.y0), x1: self.x1.max(o.x1), y1: self.y1.max(o.y1) }
    }
}

impl Cell {
    /// The cell of sorted bodies `range` with position sums (`sx`, `sy`), bounding box `b` and
    /// children `first..first + count`.
    fn new(range: std::ops::Range<usize>, sx: f32, sy: f32, b: Bounds, first: usize, count: usize) -> Cell {
        let mass = range.len() as f32;
        Cell {
            mx: sx / mass,
            my: sy / mass,
            mass,
            size: (b.x1 - b.x0).max(b.y1 - b.y0),
            first: first as u32,
            count: count as u32,
            lo: range.start as u32,
            hi: range.end as u32,
        }
    }
}

/// The tree, rebuilt each iteration into reused storage.
#[derive(Debug, Default)]
pub struct QuadTree {
    cells: Vec<Cell>,
    /// Groups in Morton order: they cover the sorted bodies `0..n` in order.
    groups: Vec<u32>,
    /// Sorted bodies: original index and position.
    order: Vec<u32>,
    xs: Vec<f32>,
    ys: Vec<f32>,
    codes: Vec<u64>,
    scratch: Vec<u64>,
}

/// What one walk collects: far cells and near bodies as (x, y, mass).
#[derive(Debug, Default)]
struct Interactions {
    xs: Vec<f32>,
    ys: Vec<f32>,
    ms: Vec<f32>,
    stack: Vec<u32>,
}

impl QuadTree {
    /// Builds the tree of `points` (all of mass 1).
    pub fn build(&mut self, points: &[(f32, f32)]) {
        self.cells.clear();
        self.groups.clear();
        let n = points.len();
        if n == 0 {
            return;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &(x, y) in points {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        let scale = f64::from((1u32 << BITS) - 1) / f64::from((x1 - x0).max(y1 - y0).max(f32::MIN_POSITIVE));
        let quantise = |v: f32, lo: f32| (f64::from(v - lo) * scale).clamp(0.0, f64::from(u16::MAX)) as u32;
        // Codes in the previous build's order, sorted by a stable radix sort on the code (the
        // upper 32 bits): equal codes stay in that order, so the build is deterministic.
        if self.order.len() != n {
            self.order.clear();
            self.order.extend(0..n as u32);
        }
        self.codes.clear();
        self.codes.extend(self.order.iter().map(|&i| {
            let (x, y) = points[i as usize];
            (u64::from(interleave(quantise(x, x0)) | (interleave(quantise(y, y0)) << 1)) << 32) | u64::from(i)
        }));
        radix_sort(&mut self.codes, &mut self.scratch);
        self.order.clear();
        self.order.extend(self.codes.iter().map(|&c| c as u32));
        self.xs.clear();
        self.xs.extend(self.order.iter().map(|&i| points[i as usize].0));
        self.ys.clear();
        self.ys.extend(self.order.iter().map(|&i| points[i as usize].1));
        self.cells.push(Cell::default());
        let (root, _) = self.make(0, n, 2 * BITS, false);
        self.cells[0] = root;
        if n <= GROUP || root.count == 0 {
            self.groups.push(0);
        }
    }

    /// The cell of sorted bodies `lo..hi`, whose codes agree above bit `shift`; its children
    /// are appended (a run with one non-empty quadrant becomes that quadrant's cell), and the
    /// groups among them unless `in_group` (the cell is in a group already).
    /// Returns the cell and the bounding box of its bodies.
    fn make(&mut self, lo: usize, hi: usize, shift: u32, in_group: bool) -> (Cell, Bounds) {
        let inner = in_group || hi - lo <= GROUP;
        if hi - lo <= LEAF || shift == 0 {
            let b = self.bounds(lo, hi);
            let (sx, sy) = (self.xs[lo..hi].iter().sum::<f32>(), self.ys[lo..hi].iter().sum::<f32>());
            return (Cell::new(lo..hi, sx, sy, b, 0, 0), b);
        }
        let shift = shift - 2;
        let quadrant = |c: u64| (c >> (32 + shift)) & 3;
        let mut bounds = [lo; 5];
        for (q, b) in bounds.iter_mut().enumerate().skip(1) {
            *b = lo + self.codes[lo..hi].partition_point(|&c| quadrant(c) < q as u64);
        }
        bounds[4] = hi;
        let runs: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).filter(|(a, b)| a < b).collect();
        if let [(a, b)] = runs[..] {
            return self.make(a, b, shift, in_group);
        }
        let first = self.cells.len();
        self.cells.resize(first + runs.len(), Cell::default());
        let (mut sx, mut sy) = (0.0, 0.0);
        let mut bounds = Bounds::EMPTY;
        for (j, &(a, b)) in runs.iter().enumerate() {
            let (child, cb) = self.make(a, b, shift, inner);
            self.cells[first + j] = child;
            if !inner && (b - a <= GROUP || child.count == 0) {
                self.groups.push((first + j) as u32);
            }
            sx += child.mx * child.mass;
            sy += child.my * child.mass;
            bounds = bounds.union(cb);
        }
        (Cell::new(lo..hi, sx, sy, bounds, first, runs.len()), bounds)
    }

    /// The bounding box of the sorted bodies `lo..hi`.
    fn bounds(&self, lo: usize, hi: usize) -> Bounds {
        let mut b = Bounds::EMPTY;
        for (&x, &y) in self.xs[lo..hi].iter().zip(&self.ys[lo..hi]) {
            b = b.union(Bounds { x0: x, y0: y, x1: x, y1: y });
        }
        b
    }

    /// Adds to `out` (by original index) the repulsion `strength · m / d` of every other body,
    /// directed away from it, with cells far from a group (size < `theta` · distance from the
    /// group's bounding box to the cell's centre of mass) taken as one body. The groups are
    /// split over `workers` threads; each body's sum is the same on any thread.
    pub fn repulsion(&self, strength: f32, theta: f32, workers: usize, out: &mut [(f32, f32)]) {
        let n = self.order.len();
        let mut sorted = vec![(0f32, 0f32); n];
        let workers = workers.clamp(1, self.groups.len().max(1));
        // Contiguous runs of groups of about n / workers bodies each (they cover 0..n in order).
        let (mut parts, mut start) = (Vec::with_capacity(workers), 0);
        for w in 1..=workers {
            let target = n * w / workers;
            let end = start + self.groups[start..].partition_point(|&l| self.cells[l as usize].hi as usize <= target);
            parts.push(&self.groups[start..end]);
            start = end;
        }
        let mut slices = Vec::with_capacity(workers);
        let mut tail: &mut [(f32, f32)] = &mut sorted;
        for part in &parts {
            let len: u32 = part.iter().map(|&l| self.cells[l as usize].hi - self.cells[l as usize].lo).sum();
            let (a, b) = std::mem::take(&mut tail).split_at_mut(len as usize);
            slices.push(a);
            tail = b;
        }
        let run = |groups: &[u32], dst: &mut [(f32, f32)]| {
            let mut list = Interactions::default();
            let mut at = 0;
            for &l in groups {
                let group = self.cells[l as usize];
                let len = (group.hi - group.lo) as usize;
                self.leaf_forces(l, strength, theta, &mut list, &mut dst[at..at + len]);
                at += len;
            }
        };
        if workers == 1 {
            run(&self.groups, &mut sorted);
        } else {
            // The calling thread takes the first share.
            std::thread::scope(|scope| {
                let mut shares = parts.iter().zip(slices);
                let mine = shares.next();
                for (part, dst) in shares {
                    scope.spawn(move || run(part, dst));
                }
                if let Some((part, dst)) = mine {
                    run(part, dst);
                }
            });
        }
        for (&i, f) in self.order.iter().zip(&sorted) {
            let o = &mut out[i as usize];
            o.0 += f.0;
            o.1 += f.1;
        }
    }

    /// The forces on the bodies of group `l`, into `dst` (in sorted order).
    fn leaf_forces(&self, l: u32, strength: f32, theta: f32, list: &mut Interactions, dst: &mut [(f32, f32)]) {
        let group = self.cells[l as usize];
        let (lo, hi) = (group.lo as usize, group.hi as usize);
        let Bounds { x0, y0, x1, y1 } = self.bounds(lo, hi);
        let theta2 = theta * theta;
        list.xs.clear();
        list.ys.clear();
        list.ms.clear();
        list.stack.clear();
        list.stack.push(0);
        while let Some(c) = list.stack.pop() {
            let cell = self.cells[c as usize];
            let (dx, dy) = (gap(cell.mx, x0, x1), gap(cell.my, y0, y1));
            // A cell holding the group is always opened (its own bodies must not act on it as
            // one body); cells inside it have their centre in its box, so they open too.
            let holds_group = cell.lo <= group.lo && group.hi <= cell.hi;
            if !holds_group && cell.size * cell.size < theta2 * (dx * dx + dy * dy) {
                list.xs.push(cell.mx);
                list.ys.push(cell.my);
                list.ms.push(cell.mass);
            } else if cell.count == 0 {
                let (a, b) = (cell.lo as usize, cell.hi as usize);
                list.xs.extend_from_slice(&self.xs[a..b]);
                list.ys.extend_from_slice(&self.ys[a..b]);
                list.ms.resize(list.ms.len() + (b - a), 1.0);
            } else {
                list.stack.extend(cell.first..cell.first + cell.count);
            }
        }
        for (d, (px, py)) in dst.chunks_mut(LANES).zip(self.xs[lo..hi].chunks(LANES).zip(self.ys[lo..hi].chunks(LANES)))
        {
            let (fx, fy) = sum(px, py, &list.xs, &list.ys, &list.ms);
            for (d, (fx, fy)) in d.iter_mut().zip(fx.iter().zip(&fy)) {
                *d = (strength * fx, strength * fy);
            }
        }
    }
}

/// For up to [`LANES`] bodies at (`px`, `py`): Σ m·(p − q)/|p − q|² over the list (a body at p
/// itself adds nothing). The bodies are the inner loop, each with its own sum, in list order.
fn sum(px: &[f32], py: &[f32], xs: &[f32], ys: &[f32], ms: &[f32]) -> ([f32; LANES], [f32; LANES]) {
    let (mut bx, mut by) = ([0f32; LANES], [0f32; LANES]);
    bx[..px.len()].copy_from_slice(px);
    by[..py.len()].copy_from_slice(py);
    let (mut fx, mut fy) = ([0f32; LANES], [0f32; LANES]);
    for ((&x, &y), &m) in xs.iter().zip(ys).zip(ms) {
        for b in 0..LANES {
            let (dx, dy) = (bx[b] - x, by[b] - y);
            let d2 = dx * dx + dy * dy;
            let w = m / if d2 < MIN_D2 { MIN_D2 } else { d2 };
            fx[b] += w * dx;
            fy[b] += w * dy;
        }
    }
    (fx, fy)
}

/// Sorts `keys` by their upper 32 bits, stably: four passes of a byte each. O(n).
fn radix_sort(keys: &mut Vec<u64>, scratch: &mut Vec<u64>) {
    scratch.clear();
    scratch.resize(keys.len(), 0);
    for pass in 0..4 {
        let shift = 32 + 8 * pass;
        let mut start = [0usize; 257];
        for &k in keys.iter() {
            start[((k >> shift) & 0xFF) as usize + 1] += 1;
        }
        if start[1..].contains(&keys.len()) {
            continue; // one bucket: this byte is the same everywhere
        }
        for b in 0..256 {
            start[b + 1] += start[b];
        }
        for &k in keys.iter() {
            let b = ((k >> shift) & 0xFF) as usize;
            scratch[start[b]] = k;
            start[b] += 1;
        }
        std::mem::swap(keys, scratch);
    }
}

/// Spreads the low 16 bits of `v` to the even bit positions.
fn interleave(v: u32) -> u32 {
    let mut v = v & 0xFFFF;
    v = (v | (v << 8)) & 0x00FF_00FF;
    v = (v | (v << 4)) & 0x0F0F_0F0F;
    v = (v | (v << 2)) & 0x3333_3333;
    (v | (v << 1)) & 0x5555_5555
}

/// Distance from `v` to the interval `[lo, hi]` (0 inside it).
fn gap(v: f32, lo: f32, hi: f32) -> f32 {
    (lo - v).max(v - hi).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radix_sort_orders_by_code_and_keeps_ties_in_order() {
        let mut state = 7u64;
        let mut keys: Vec<u64> = (0..5_000u64)
            .map(|i| {
                state = crate::rng::mix(state);
                // Codes below 2³² over three bytes, with many ties.
                let code = ((state % 3_000) << 20) | (state >> 62);
                (code << 32) | i
            })
            .collect();
        let mut expected = keys.clone();
        expected.sort_by_key(|k| k >> 32); // stable: ties keep their order
        radix_sort(&mut keys, &mut Vec::new());
        assert_eq!(keys, expected);
    }
}
