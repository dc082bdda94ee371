//! The one font every rendering uses: DejaVu Sans, bundled (`assets/fonts/DejaVuSans.ttf`), so
//! every machine produces the same picture. Also the text widths layouts need (advance widths
//! from the font's `hmtx`, no kerning: a few tenths of a point of slack at most).

use std::sync::{Arc, OnceLock};

use usvg::fontdb;

/// The font file.
pub static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Its family name, as SVG `font-family`.
pub const FAMILY: &str = "DejaVu Sans";

struct Metrics {
    /// Advance of ASCII characters in em.
    ascii: [f32; 128],
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

fn metrics() -> Option<&'static Metrics> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| {
            let face = ttf_parser::Face::parse(FONT, 0).ok()?;
            let units_per_em = f32::from(face.units_per_em());
            let mut ascii = [0.0f32; 128];
            for (i, slot) in ascii.iter_mut().enumerate() {
                let c = char::from(u8::try_from(i).unwrap_or(b' '));
                *slot = advance(&face, c).unwrap_or(0.0) / units_per_em;
            }
            Some(Metrics { ascii, face, units_per_em })
        })
        .as_ref()
}

fn advance(face: &ttf_parser::Face<'_>, c: char) -> Option<f32> {
    let g = face.glyph_index(c).or_else(|| face.glyph_index('\u{FFFD}'))?;
    face.glyph_hor_advance(g).map(f32::from)
}

/// Width of `text` set in the bundled font at `size` (same unit as `size`). Characters the
/// font lacks count as the replacement glyph.
#[must_use]
pub fn text_width(text: &str, size: f32) -> f32 {
    let Some(m) = metrics() else {
        #[allow(clippy::cast_precision_loss)]
        return text.chars().count() as f32 * size * 0.6;
    };
    let em: f32 = text
        .chars()
        .map(|c| match m.ascii.get(c as usize) {
            Some(w) => *w,
            None => advance(&m.face, c).unwrap_or(0.0) / m.units_per_em,
        })
        .sum();
    em * size
}

/// A font database holding only the bundled font (also as the generic `sans-serif`).
///
/// # Errors
/// [`super::ReportError::Font`] when the bundled file is not a font.
pub fn database() -> Result<Arc<fontdb::Database>, super::ReportError> {
    static DB: OnceLock<Option<Arc<fontdb::Database>>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_source(fontdb::Source::Binary(Arc::new(FONT)));
        if db.is_empty() {
            return None;
        }
        db.set_sans_serif_family(FAMILY);
        Some(Arc::new(db))
    })
    .clone()
    .ok_or(super::ReportError::Font)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_measures_text() {
        let w = text_width("0123456789", 10.0);
        // DejaVu Sans digits are tabular, 0.636 em each.
        assert!((w - 63.6).abs() < 0.2, "{w}");
        assert!(text_width("WWW", 10.0) > text_width("iii", 10.0));
        assert!(text_width("→ ×", 10.0) > 0.0);
        assert_eq!(database().map(|db| db.len()).ok(), Some(1));
    }
}
