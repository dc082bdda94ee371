//! SVG text → `usvg` tree (with the bundled font only) → self-contained SVG (text as paths)
//! or PNG (rendered by `resvg` on the CPU in strips any number of threads can share, encoded
//! without any time or text chunk).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use super::{ReportError, font};

/// PNG pixels per SVG unit.
pub const PNG_SCALE: f32 = 2.0;
/// Largest PNG side in pixels: very large graphs are rendered at a smaller scale.
pub const MAX_PNG_SIDE: u32 = 4096;

/// Parsing options: the bundled font only, no images or other resources loaded.
fn options() -> Result<usvg::Options<'static>, ReportError> {
    Ok(usvg::Options {
        font_family: font::FAMILY.to_owned(),
        fontdb: font::database()?,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    })
}

/// Parses SVG text written by this module's writers (`what` names it in errors).
///
/// # Errors
/// [`ReportError::Svg`] when `usvg` refuses it.
pub fn parse(svg: &str, what: &'static str) -> Result<usvg::Tree, ReportError> {
    usvg::Tree::from_str(svg, &options()?).map_err(|e| ReportError::Svg { what, message: e.to_string() })
}

/// The tree as SVG text with its text turned into paths; element ids get `id_prefix` (so
/// several drawings can share one HTML page).
#[must_use]
pub fn flatten(tree: &usvg::Tree, id_prefix: &str) -> String {
    let opt = usvg::WriteOptions {
        id_prefix: Some(id_prefix.to_owned()),
        preserve_text: false,
        coordinates_precision: 3,
        transforms_precision: 5,
        indent: usvg::Indent::None,
        ..usvg::WriteOptions::default()
    };
    let text = tree.to_string(&opt);
    // usvg leaves out a viewBox equal to the size; without one the drawing cannot be scaled
    // (an HTML page fitting it to its width would crop it).
    let (w, h) = (tree.size().width(), tree.size().height());
    match text.find("<svg ") {
        Some(i) if !text.contains("viewBox") => {
            let (head, tail) = text.split_at(i + 5);
            format!("{head}viewBox=\"0 0 {w} {h}\" {tail}")
        }
        _ => text,
    }
}

/// Pixel size and scale of the PNG of a drawing of `size` SVG units.
#[must_use]
pub fn png_size(size: (f32, f32)) -> (u32, u32, f32) {
    #[allow(clippy::cast_precision_loss)]
    let fit = MAX_PNG_SIDE as f32 / size.0.max(size.1).max(1.0);
    let scale = PNG_SCALE.min(fit);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let px = |v: f32| ((v * scale).round() as u32).clamp(1, MAX_PNG_SIDE);
    (px(size.0), px(size.1), scale)
}

/// Horizontal strips a PNG is rendered in. Fixed, so the pixels do not depend on how many
/// threads help render it.
const STRIPS: u32 = 16;

/// A PNG being rendered in [`STRIPS`] strips, on white, by whichever threads call
/// [`PngRender::help`]; [`PngRender::finish`] renders what is left and encodes the image.
#[derive(Debug)]
pub struct PngRender<'t> {
    tree: &'t usvg::Tree,
    size: (u32, u32),
    scale: f32,
    strip: u32,
    next: AtomicU32,
    /// RGB rows of each strip, once rendered.
    done: Vec<OnceLock<Result<Vec<u8>, String>>>,
}

impl<'t> PngRender<'t> {
    /// A render of `tree` at [`png_size`].
    #[must_use]
    pub fn new(tree: &'t usvg::Tree) -> Self {
        let (w, h, scale) = png_size((tree.size().width(), tree.size().height()));
        let strip = h.div_ceil(STRIPS);
        let count = h.div_ceil(strip);
        Self {
            tree,
            size: (w, h),
            scale,
            strip,
            next: AtomicU32::new(0),
            done: (0..count).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Renders strips until none is left to take.
    pub fn help(&self) {
        loop {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = self.done.get(k as usize) else { return };
            let _ = slot.set(self.strip_rgb(k));
        }
    }

    /// Leaves the strips nobody has taken yet (the render is abandoned: [`PngRender::finish`]
    /// then fails).
    pub fn cancel(&self) {
        let count = u32::try_from(self.done.len()).unwrap_or(u32::MAX / 2);
        self.next.store(count, Ordering::Relaxed);
    }

    /// Strip `k` rendered on white, alpha dropped.
    fn strip_rgb(&self, k: u32) -> Result<Vec<u8>, String> {
        let (w, h) = self.size;
        let top = k * self.strip;
        let rows = self.strip.min(h - top);
        let mut pixmap =
            resvg::tiny_skia::Pixmap::new(w, rows).ok_or_else(|| format!("cannot allocate a {w}×{rows} image"))?;
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        #[allow(clippy::cast_precision_loss)]
        let transform =
            resvg::tiny_skia::Transform::from_scale(self.scale, self.scale).post_translate(0.0, -(top as f32));
        resvg::render(self.tree, transform, &mut pixmap.as_mut());
        Ok(pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect())
    }

    /// Renders the strips no helper took and encodes the image as an 8-bit RGB PNG.
    ///
    /// # Errors
    /// [`ReportError::Png`] when a strip cannot be allocated or the encoder fails.
    pub fn finish(self) -> Result<Vec<u8>, ReportError> {
        self.help();
        let (w, h) = self.size;
        let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
        for slot in self.done {
            let strip = slot.into_inner().ok_or_else(|| ReportError::Png("a strip was not rendered".to_owned()))?;
            rgb.extend_from_slice(&strip.map_err(ReportError::Png)?);
        }
        let mut out = Vec::with_capacity(rgb.len() / 8);
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            // zlib level 3 with per-row adaptive filters: 3.1 MB in 113 ms for a 4096 × 2000
            // graph of 10,000 nodes, where the `Fast` preset (fdeflate) made 10.7 MB in 64 ms.
            enc.set_deflate_compression(png::DeflateCompression::Level(3));
            enc.set_filter(png::Filter::Adaptive);
            let mut writer = enc.write_header().map_err(|e| ReportError::Png(e.to_string()))?;
            writer.write_image_data(&rgb).map_err(|e| ReportError::Png(e.to_string()))?;
            writer.finish().map_err(|e| ReportError::Png(e.to_string()))?;
        }
        Ok(out)
    }
}
