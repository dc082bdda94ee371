//! SVG text → `usvg` tree (with the bundled font only) → self-contained SVG (text as paths)
//! or PNG (rendered by `resvg` on the CPU, encoded without any time or text chunk).

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

/// Renders the tree on white and encodes it as an 8-bit RGB PNG.
///
/// # Errors
/// [`ReportError::Png`] when the pixmap cannot be allocated or the encoder fails.
pub fn png(tree: &usvg::Tree) -> Result<Vec<u8>, ReportError> {
    let (w, h, scale) = png_size((tree.size().width(), tree.size().height()));
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| ReportError::Png(format!("cannot allocate a {w}×{h} image")))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    // Opaque (white background): drop alpha.
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header().map_err(|e| ReportError::Png(e.to_string()))?;
        writer.write_image_data(&rgb).map_err(|e| ReportError::Png(e.to_string()))?;
        writer.finish().map_err(|e| ReportError::Png(e.to_string()))?;
    }
    Ok(out)
}
