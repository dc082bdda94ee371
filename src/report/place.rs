//! Label placement without overlaps: a uniform grid of occupied boxes, so checking a candidate
//! box costs O(boxes in the cells it covers). Node bodies are reserved first, then labels are
//! placed in priority order at the first free candidate position.

use std::collections::HashMap;

/// An axis-aligned box: left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Left.
    pub x0: f32,
    /// Top.
    pub y0: f32,
    /// Right.
    pub x1: f32,
    /// Bottom.
    pub y1: f32,
}

impl Bounds {
    /// The box of width `w` and height `h` whose top edge is centred on `(cx, top)`.
    pub fn below(cx: f32, top: f32, w: f32, h: f32) -> Self {
        Bounds { x0: cx - w / 2.0, y0: top, x1: cx + w / 2.0, y1: top + h }
    }

    /// The box of half-size `half` around `(cx, cy)`.
    pub fn around(cx: f32, cy: f32, half: (f32, f32)) -> Self {
        Bounds { x0: cx - half.0, y0: cy - half.1, x1: cx + half.0, y1: cy + half.1 }
    }

    fn overlaps(&self, o: &Bounds) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// Cell size of the grid.
const CELL: f32 = 64.0;

/// Occupied boxes.
#[derive(Debug, Default)]
pub struct Placer {
    boxes: Vec<Bounds>,
    grid: HashMap<(i32, i32), Vec<usize>>,
}

#[allow(clippy::cast_possible_truncation)]
fn cells(b: &Bounds) -> impl Iterator<Item = (i32, i32)> {
    let (cx0, cy0) = ((b.x0 / CELL).floor() as i32, (b.y0 / CELL).floor() as i32);
    let (cx1, cy1) = ((b.x1 / CELL).floor() as i32, (b.y1 / CELL).floor() as i32);
    (cx0..=cx1).flat_map(move |x| (cy0..=cy1).map(move |y| (x, y)))
}

impl Placer {
    /// Whether `b` overlaps nothing placed.
    #[must_use]
    pub fn free(&self, b: &Bounds) -> bool {
        cells(b).all(|c| {
            self.grid.get(&c).is_none_or(|ids| ids.iter().all(|&i| self.boxes.get(i).is_none_or(|o| !o.overlaps(b))))
        })
    }

    /// Marks `b` occupied.
    pub fn add(&mut self, b: Bounds) {
        let id = self.boxes.len();
        self.boxes.push(b);
        for c in cells(&b) {
            self.grid.entry(c).or_default().push(id);
        }
    }

    /// The first free candidate (then occupied), or `None` when all collide.
    pub fn place(&mut self, candidates: impl IntoIterator<Item = Bounds>) -> Option<Bounds> {
        let found = candidates.into_iter().find(|b| self.free(b))?;
        self.add(found);
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placed_boxes_never_overlap() {
        let mut p = Placer::default();
        p.add(Bounds::around(100.0, 100.0, (10.0, 10.0)));
        assert!(!p.free(&Bounds::around(105.0, 105.0, (10.0, 10.0))));
        assert!(p.free(&Bounds::around(130.0, 100.0, (10.0, 10.0))));
        let got = p.place([Bounds::around(100.0, 110.0, (5.0, 5.0)), Bounds::below(100.0, 112.0, 40.0, 12.0)]);
        assert_eq!(got, Some(Bounds::below(100.0, 112.0, 40.0, 12.0)));
        assert_eq!(p.place([Bounds::below(100.0, 115.0, 10.0, 10.0)]), None);
        // Far across the grid (negative cells too).
        assert!(p.free(&Bounds::around(-500.0, -500.0, (200.0, 200.0))));
    }
}
