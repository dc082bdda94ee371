//! A small page layout for the PDF: a flow of headings, wrapped paragraphs, key/value lists,
//! tables whose rows wrap and continue on the next page under a repeated header, and drawings
//! scaled to the width; the result is a display list per page that [`super::pdf`] paints.
//! Widths come from the bundled font's metrics ([`text_width`]), so wrapping is exact.

use super::font::text_width;
use crate::style::Rgb;

/// A4 portrait, in points.
pub const A4: (f32, f32) = (595.28, 841.89);
/// A3 landscape, for large graphs.
pub const A3_LANDSCAPE: (f32, f32) = (1190.55, 841.89);
/// Page margin.
pub const MARGIN: f32 = 46.0;
/// Room kept for the footer.
const FOOTER: f32 = 22.0;
/// Body text size.
pub const BODY: f32 = 9.0;
/// Smallest size a cell's text shrinks to so an unbreakable word (a hash) fits on one line.
const MIN_SIZE: f32 = 5.5;
/// Dark text.
pub const INK: Rgb = Rgb(26, 26, 26);
/// Grey text.
pub const GREY: Rgb = Rgb(100, 100, 100);

/// One thing to paint.
#[derive(Debug, Clone)]
pub enum Op {
    /// A line of text, `y` at its baseline.
    Text {
        /// Left.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size.
        size: f32,
        /// Colour.
        color: Rgb,
        /// The text (one line).
        text: String,
    },
    /// A filled rectangle.
    Rect {
        /// Left, top, width, height.
        r: (f32, f32, f32, f32),
        /// Fill.
        fill: Rgb,
    },
    /// A drawing (an SVG tree kept by the caller) in a box.
    Drawing {
        /// Index of the tree.
        index: usize,
        /// Left, top, width, height.
        r: (f32, f32, f32, f32),
    },
}

/// One page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Width and height.
    pub size: (f32, f32),
    /// What is on it, in painting order.
    pub ops: Vec<Op>,
}

/// A table column.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// Header text.
    pub title: &'static str,
    /// Share of the text width.
    pub share: f32,
}

/// The layout in progress.
#[derive(Debug, Default)]
pub struct Flow {
    /// Pages so far.
    pub pages: Vec<Page>,
    y: f32,
}

/// Splits `text` into lines no wider than `width` at `size`: at newlines, then between words;
/// a word wider than the line is cut between characters.
#[must_use]
pub fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    // Imported strings are shown as they are: controls and bidi overrides as visible escapes.
    let text = crate::model::visible_lines(text);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if text_width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if text_width(word, size) <= width {
                line = word.to_owned();
                continue;
            }
            for c in word.chars() {
                let mut next = line.clone();
                next.push(c);
                if text_width(&next, size) > width && !line.is_empty() {
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                } else {
                    line = next;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// The size at which the widest word of `text` fits `width` (at most `size`, at least
/// [`MIN_SIZE`]): hashes and addresses stay on one line, so text extraction finds them whole.
#[must_use]
pub fn fit_size(text: &str, width: f32, size: f32) -> f32 {
    let widest = text.split_whitespace().map(|w| text_width(w, size)).fold(0.0f32, f32::max);
    if widest <= width { size } else { (size * width / widest * 0.995).max(MIN_SIZE) }
}

impl Flow {
    /// Starts a page of `size`.
    pub fn page(&mut self, size: (f32, f32)) {
        self.pages.push(Page { size, ops: Vec::new() });
        self.y = MARGIN;
    }

    fn size(&self) -> (f32, f32) {
        self.pages.last().map_or(A4, |p| p.size)
    }

    /// Width between the margins.
    #[must_use]
    pub fn width(&self) -> f32 {
        self.size().0 - 2.0 * MARGIN
    }

    fn bottom(&self) -> f32 {
        self.size().1 - MARGIN - FOOTER
    }

    /// Room left on this page.
    #[must_use]
    pub fn room(&self) -> f32 {
        self.bottom() - self.y
    }

    /// A new portrait page unless `h` fits on this one.
    pub fn ensure(&mut self, h: f32) {
        if self.pages.is_empty() || self.room() < h {
            self.page(A4);
        }
    }

    /// Adds an op to the current page.
    pub fn push(&mut self, op: Op) {
        if self.pages.is_empty() {
            self.page(A4);
        }
        if let Some(p) = self.pages.last_mut() {
            p.ops.push(op);
        }
    }

    /// A section heading (kept with at least a few lines after it).
    pub fn heading(&mut self, text: &str, size: f32) {
        let lines = wrap(text, self.width(), size);
        #[allow(clippy::cast_precision_loss)]
        self.ensure(size * (0.5 + 1.2 * lines.len() as f32) + 4.0 * BODY);
        self.y += size * 0.1;
        for line in lines {
            self.y += size * 1.15;
            self.push(Op::Text { x: MARGIN, y: self.y - size * 0.15, size, color: INK, text: line });
        }
        self.y += size * 0.5;
    }

    /// A wrapped paragraph.
    pub fn paragraph(&mut self, text: &str, size: f32, color: Rgb) {
        let size = fit_size(text, self.width(), size);
        for line in wrap(text, self.width(), size) {
            self.ensure(size * 1.35);
            self.y += size * 1.35;
            self.push(Op::Text { x: MARGIN, y: self.y - size * 0.3, size, color, text: line });
        }
        self.y += size * 0.5;
    }

    /// Key/value lines: keys in a column of `key_w`, values wrapped beside them.
    pub fn kv(&mut self, rows: &[(&str, String)], key_w: f32) {
        let cols =
            [Col { title: "", share: key_w / self.width() }, Col { title: "", share: 1.0 - key_w / self.width() }];
        let rows: Vec<Vec<String>> = rows.iter().map(|(k, v)| vec![(*k).to_owned(), v.clone()]).collect();
        self.table_impl(&cols, &rows, BODY, false);
    }

    /// A table with a header row repeated on every page it continues on.
    pub fn table(&mut self, cols: &[Col], rows: &[Vec<String>], size: f32) {
        self.table_impl(cols, rows, size, true);
    }

    fn header(&mut self, cols: &[Col], xs: &[(f32, f32)], size: f32) {
        let h = size * 1.35 + 4.0;
        self.push(Op::Rect { r: (MARGIN, self.y, self.width(), h), fill: Rgb(235, 235, 235) });
        for (c, (x, _)) in cols.iter().zip(xs) {
            self.push(Op::Text { x: *x, y: self.y + size * 1.05 + 1.0, size, color: INK, text: c.title.to_owned() });
        }
        self.y += h + 2.0;
    }

    fn table_impl(&mut self, cols: &[Col], rows: &[Vec<String>], size: f32, header: bool) {
        let lh = size * 1.35;
        let pad = 4.0;
        let mut x = MARGIN;
        let xs: Vec<(f32, f32)> = cols
            .iter()
            .map(|c| {
                let w = c.share * self.width();
                let at = (x + pad / 2.0, w - pad);
                x += w;
                at
            })
            .collect();
        self.ensure(lh * 3.0);
        if header {
            self.header(cols, &xs, size);
        }
        for row in rows {
            let cells: Vec<(f32, Vec<String>)> = row
                .iter()
                .zip(&xs)
                .map(|(text, (_, w))| {
                    let s = fit_size(text, *w, size);
                    (s, wrap(text, *w, s))
                })
                .collect();
            let n = cells.iter().map(|(_, l)| l.len()).max().unwrap_or(1).max(1);
            // Keep short rows whole; long ones continue on the next page.
            if n <= 6 && self.room() < n as f32 * lh + pad {
                self.page(self.size());
                if header {
                    self.header(cols, &xs, size);
                }
            }
            for k in 0..n {
                if self.room() < lh {
                    self.page(self.size());
                    if header {
                        self.header(cols, &xs, size);
                    }
                }
                for (col, ((s, lines), (x, _))) in cells.iter().zip(&xs).enumerate() {
                    if let Some(line) = lines.get(k).filter(|l| !l.is_empty()) {
                        let color = if !header && col == 0 { GREY } else { INK };
                        self.push(Op::Text { x: *x, y: self.y + lh - size * 0.3, size: *s, color, text: line.clone() });
                    }
                }
                self.y += lh;
            }
            self.y += pad / 2.0;
            self.push(Op::Rect { r: (MARGIN, self.y, self.width(), 0.4), fill: Rgb(200, 200, 200) });
            self.y += pad / 2.0;
        }
        self.y += lh * 0.5;
    }

    /// A drawing of `size` (its natural size), scaled (never enlarged) to fit both the width and
    /// the room left on the current page, keeping its proportions. When less than half the page is left and the
    /// drawing would shrink because of it, it goes on a new page **of the same size** (a graph
    /// page chosen landscape stays landscape), so it is never cut at the page's edge.
    pub fn drawing(&mut self, index: usize, size: (f32, f32)) {
        let (sw, sh) = (size.0.max(1.0), size.1.max(1.0));
        let by_width = (self.width() / sw).min(1.0);
        let page_room = self.bottom() - MARGIN;
        if self.pages.is_empty() || (self.room() < sh * by_width && self.room() < page_room / 2.0) {
            let page = self.size();
            self.page(page);
        }
        let k = by_width.min(self.room() / sh);
        let (w, h) = (sw * k, sh * k);
        self.push(Op::Drawing { index, r: (MARGIN, self.y, w, h) });
        self.y += h + BODY;
    }

    /// Adds `case · page i of n` to every page.
    pub fn footers(&mut self, left: &str) {
        let n = self.pages.len();
        for (i, p) in self.pages.iter_mut().enumerate() {
            let text = format!("{} · page {} of {n}", crate::model::visible(left), i + 1);
            let y = p.size.1 - MARGIN + 8.0;
            p.ops.push(Op::Text { x: MARGIN, y, size: 7.5, color: GREY, text });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_the_width_and_keeps_every_character() {
        let text = "The withdrawal came 26 h later to a fresh address through a relayer.\nSecond paragraph.";
        let lines = wrap(text, 120.0, 9.0);
        assert!(lines.len() >= 4, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, 9.0) <= 120.0));
        assert_eq!(lines.concat().replace(' ', ""), text.replace([' ', '\n'], ""));
        let hash = "ab".repeat(32);
        // A 64-character hash in a 240 pt column: smaller than 9 pt, above the minimum, one line.
        let s = fit_size(&hash, 240.0, 9.0);
        assert!((MIN_SIZE..9.0).contains(&s) && text_width(&hash, s) <= 240.0, "{s}");
        assert_eq!(wrap(&hash, 240.0, s), vec![hash.clone()]);
        // Too narrow even at the minimum: the minimum, and the hash is cut between characters.
        assert_eq!(fit_size(&hash, 100.0, 9.0), MIN_SIZE);
        assert!(wrap(&hash, 100.0, MIN_SIZE).len() > 1);
    }

    /// A page size and a box on it.
    type Placed = ((f32, f32), (f32, f32, f32, f32));

    /// The drawing boxes on every page (page size, box).
    fn drawings(f: &Flow) -> Vec<Placed> {
        let boxes = f.pages.iter().flat_map(|p| {
            p.ops.iter().filter_map(move |o| match o {
                Op::Drawing { r, .. } => Some((p.size, *r)),
                _ => None,
            })
        });
        boxes.collect()
    }

    #[test]
    fn a_graph_stays_on_its_page_below_its_heading_and_inside_the_margins() {
        // A wide graph on an A3 landscape page, under its heading: the page it was given, not a
        // new A4 one, and scaled to the room left, never past the right or bottom margin.
        for size in [(1600.0, 1100.0), (3000.0, 800.0), (900.0, 2400.0), (400.0, 300.0)] {
            let mut f = Flow::default();
            f.page(A4);
            f.heading("Case report", 20.0);
            f.page(A3_LANDSCAPE);
            f.heading("Graph", 16.0);
            f.drawing(0, size);
            assert_eq!(f.pages.len(), 2, "{size:?}: the drawing moved to a page of its own");
            let d = drawings(&f);
            let [(page, (x, y, w, h))] = d[..] else { panic!("{size:?}: one drawing, got {d:?}") };
            assert_eq!(page, A3_LANDSCAPE);
            assert!(x >= MARGIN && x + w <= page.0 - MARGIN + 0.01, "{size:?}: {x}+{w} past the right margin");
            assert!(y > MARGIN && y + h <= page.1 - MARGIN - FOOTER + 0.01, "{size:?}: {y}+{h} past the bottom");
            assert!((w / h - size.0 / size.1).abs() < 0.01, "{size:?}: proportions kept");
            assert!(w <= size.0 + 0.01, "{size:?}: never enlarged");
        }
    }

    #[test]
    fn a_drawing_with_little_room_left_moves_to_a_new_page_of_the_same_size() {
        let mut f = Flow::default();
        f.page(A3_LANDSCAPE);
        let rows: Vec<Vec<String>> = (0..40).map(|i| vec![format!("row {i}")]).collect();
        f.table(&[Col { title: "Name", share: 1.0 }], &rows, BODY);
        assert_eq!(f.pages.len(), 1);
        assert!(f.room() < (A3_LANDSCAPE.1 - 2.0 * MARGIN) / 2.0, "the table fills over half the page");
        f.drawing(0, (1000.0, 700.0));
        assert_eq!(f.pages.len(), 2);
        let d = drawings(&f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, A3_LANDSCAPE, "landscape stays landscape");
        assert!((d[0].1.2 - 1000.0).abs() < 0.01, "a whole page: natural size, not shrunk");
    }

    #[test]
    fn long_tables_continue_on_new_pages_with_their_header() {
        let mut f = Flow::default();
        let rows: Vec<Vec<String>> = (0..200).map(|i| vec![format!("row {i}"), "x".repeat(30)]).collect();
        f.table(&[Col { title: "Name", share: 0.5 }, Col { title: "Value", share: 0.5 }], &rows, BODY);
        assert!(f.pages.len() >= 3);
        for p in &f.pages {
            let headers = p.ops.iter().filter(|o| matches!(o, Op::Text { text, .. } if text == "Name")).count();
            assert_eq!(headers, 1);
            assert!(p.ops.iter().all(|o| match o {
                Op::Text { y, .. } => *y <= A4.1 - MARGIN,
                _ => true,
            }));
        }
        let texts = f
            .pages
            .iter()
            .flat_map(|p| &p.ops)
            .filter(|o| matches!(o, Op::Text { text, .. } if text.starts_with("row ")))
            .count();
        assert_eq!(texts, 200);
    }
}
