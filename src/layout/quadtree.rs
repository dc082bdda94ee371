//! A Barnes–Hut quadtree over points: each cell keeps its total mass and centre of mass, so
//! the repulsion of a far cluster is computed as one body. Built in O(n log n) per iteration.

/// One cell.
#[derive(Debug, Clone, Copy)]
struct Cell {
    /// Centre and half-size of the square.
    cx: f32,
    cy: f32,
    half: f32,
    /// Total mass and mass-weighted position sum.
    mass: f32,
    sx: f32,
    sy: f32,
    /// First child index (4 consecutive cells), 0 for a leaf.
    children: u32,
    /// The single body of a leaf (u32::MAX when empty or split).
    body: u32,
}

/// The tree, rebuilt each iteration into reused storage.
#[derive(Debug, Default)]
pub struct QuadTree {
    cells: Vec<Cell>,
}

/// Deeper than this, coincident points share a leaf (their mass adds up).
const MAX_DEPTH: u32 = 24;

impl QuadTree {
    /// Builds the tree of `points` (all of mass 1).
    pub fn build(&mut self, points: &[(f32, f32)]) {
        self.cells.clear();
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &(x, y) in points {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        if points.is_empty() {
            return;
        }
        let half = ((x1 - x0).max(y1 - y0) / 2.0).max(1.0) * 1.001;
        self.cells.push(Cell::new((x0 + x1) / 2.0, (y0 + y1) / 2.0, half));
        for (i, &p) in points.iter().enumerate() {
            self.insert(u32::try_from(i).unwrap_or(u32::MAX), p, points);
        }
    }

    fn insert(&mut self, body: u32, p: (f32, f32), points: &[(f32, f32)]) {
        let mut cell = 0usize;
        let mut depth = 0;
        loop {
            let c = self.cells[cell];
            self.cells[cell].mass += 1.0;
            self.cells[cell].sx += p.0;
            self.cells[cell].sy += p.1;
            if c.children != 0 {
                cell = c.children as usize + c.quadrant(p);
                depth += 1;
                continue;
            }
            if c.mass == 0.0 {
                self.cells[cell].body = body;
                return;
            }
            if depth >= MAX_DEPTH {
                return; // coincident bodies: mass only
            }
            // Split the leaf and push its body down, then continue with ours.
            let first = u32::try_from(self.cells.len()).unwrap_or(u32::MAX);
            let q = c.half / 2.0;
            for (dx, dy) in [(-q, -q), (q, -q), (-q, q), (q, q)] {
                self.cells.push(Cell::new(c.cx + dx, c.cy + dy, q));
            }
            self.cells[cell].children = first;
            let old = c.body;
            self.cells[cell].body = u32::MAX;
            if let Some(&op) = points.get(old as usize) {
                let child = first as usize + c.quadrant(op);
                let ch = &mut self.cells[child];
                ch.mass = 1.0;
                ch.sx = op.0;
                ch.sy = op.1;
                ch.body = old;
            }
            cell = first as usize + c.quadrant(p);
            depth += 1;
        }
    }

    /// Sum of the repulsive forces `strength · m / d` along the direction away from each body
    /// or far cell (opening angle `theta`), on a body of index `me` at `p`.
    /// The caller owns the traversal stack (no allocation per body).
    pub fn repulsion_with(
        &self,
        me: u32,
        p: (f32, f32),
        strength: f32,
        theta: f32,
        stack: &mut Vec<usize>,
    ) -> (f32, f32) {
        let (mut fx, mut fy) = (0.0, 0.0);
        if self.cells.is_empty() {
            return (fx, fy);
        }
        stack.clear();
        stack.push(0);
        while let Some(i) = stack.pop() {
            let c = &self.cells[i];
            if c.mass == 0.0 || (c.children == 0 && c.body == me && c.mass <= 1.0) {
                continue;
            }
            let (mx, my) = (c.sx / c.mass, c.sy / c.mass);
            let (dx, dy) = (p.0 - mx, p.1 - my);
            let d2 = dx * dx + dy * dy;
            let far = c.children == 0 || (2.0 * c.half) * (2.0 * c.half) < theta * theta * d2;
            if far {
                let mass = if c.children == 0 && c.body == me { c.mass - 1.0 } else { c.mass };
                let d2 = d2.max(0.01);
                // |F| = strength * mass / d, direction (dx, dy) / d  →  strength * mass * (dx, dy) / d².
                fx += strength * mass * dx / d2;
                fy += strength * mass * dy / d2;
            } else {
                let first = c.children as usize;
                stack.extend(first..first + 4);
            }
        }
        (fx, fy)
    }
}

impl Cell {
    fn new(cx: f32, cy: f32, half: f32) -> Self {
        Cell { cx, cy, half, mass: 0.0, sx: 0.0, sy: 0.0, children: 0, body: u32::MAX }
    }

    fn quadrant(&self, p: (f32, f32)) -> usize {
        usize::from(p.0 >= self.cx) + 2 * usize::from(p.1 >= self.cy)
    }
}
