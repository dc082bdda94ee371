//! The transfers-over-time chart: one lane per chain, each transfer a dot at its time, sized by
//! its value (log scale) and coloured by its asset; hop transfers ringed in their hop's colour.
//! Dots of one style are merged into one path, so thousands of transfers stay a few elements.
//! Written as SVG text (like the graph) for the HTML page and the PDF.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::ReportInput;
use super::font::FAMILY;
use super::svg::{Batch, TEXT, circle_d, n, rect, text};
use crate::graph::text::{asset_info, display_value};
use crate::scene::geometry::P;
use crate::style;

/// Width of the chart.
pub const WIDTH: f32 = 900.0;
const LANE: f32 = 54.0;
const LEFT: f32 = 110.0;
const RIGHT: f32 = 30.0;
const TOP: f32 = 34.0;
const BOTTOM: f32 = 46.0;

/// Tick steps to choose from (seconds).
const STEPS: [i64; 12] = [
    60,
    600,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86_400,
    2 * 86_400,
    7 * 86_400,
    30 * 86_400,
    90 * 86_400,
    365 * 86_400,
];

fn tick_label(secs: i64, step: i64) -> String {
    let Ok(t) = jiff::Timestamp::from_second(secs) else { return secs.to_string() };
    let fmt = if step >= 86_400 { "%Y-%m-%d" } else { "%m-%d %H:%M" };
    t.strftime(fmt).to_string()
}

/// The chart as SVG text, or `None` when no transfer has a time.
#[must_use]
pub fn source(input: &ReportInput) -> Option<String> {
    let mut hop_color: HashMap<i64, style::Rgb> = HashMap::new();
    for hop in input.case.hops.values() {
        for id in hop.inbound.iter().chain(&hop.outbound) {
            hop_color.insert(*id, style::hop_rgb(&hop.kind));
        }
    }
    let timed: Vec<_> = input.transfers.iter().filter_map(|r| Some((r.transfer.time?, r))).collect();
    let (t0, t1) = timed.iter().fold((i64::MAX, i64::MIN), |(a, b), (t, _)| (a.min(*t), b.max(*t)));
    if timed.is_empty() {
        return None;
    }
    let lanes: BTreeMap<&str, usize> = {
        let mut chains: Vec<&str> = timed.iter().map(|(_, r)| r.transfer.chain.as_str()).collect();
        chains.sort_unstable();
        chains.dedup();
        chains.into_iter().enumerate().map(|(i, c)| (c, i)).collect()
    };
    let span = (t1 - t0).max(60);
    let step = STEPS.iter().copied().find(|s| span / s <= 8).unwrap_or(365 * 86_400);
    #[allow(clippy::cast_precision_loss)]
    let height = TOP + lanes.len() as f32 * LANE + BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT;
    #[allow(clippy::cast_precision_loss)]
    let x_of = |t: i64| LEFT + plot_w * ((t - t0) as f32 / span as f32);
    let mut out = String::with_capacity(2048 + timed.len() * 120);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FAMILY}">"#,
        w = n(WIDTH),
        h = n(height)
    );
    rect(&mut out, (0.0, 0.0, WIDTH, height), 0.0, "#ffffff", None);
    text(&mut out, P::new(LEFT, 20.0), 13.0, "start", TEXT, "Transfers over time (UTC), by chain");
    for (chain, i) in &lanes {
        #[allow(clippy::cast_precision_loss)]
        let y = TOP + (*i as f32 + 0.5) * LANE;
        let fill = if i % 2 == 0 { "#f4f4f4" } else { "#ffffff" };
        #[allow(clippy::cast_precision_loss)]
        rect(&mut out, (LEFT, TOP + *i as f32 * LANE, plot_w, LANE), 0.0, fill, None);
        text(&mut out, P::new(LEFT - 10.0, y + 4.0), 11.0, "end", TEXT, chain);
    }
    let axis_y = height - BOTTOM;
    let _ = write!(
        out,
        r##"<path d="M{} {y} L{} {y}" stroke="#666666" stroke-width="1"/>"##,
        n(LEFT),
        n(WIDTH - RIGHT),
        y = n(axis_y)
    );
    let mut tick = t0.div_euclid(step) * step;
    if tick < t0 {
        tick += step;
    }
    while tick <= t1 {
        let x = x_of(tick);
        let _ = write!(
            out,
            r##"<path d="M{x} {} L{x} {}" stroke="#bbbbbb" stroke-width="0.6"/>"##,
            n(TOP),
            n(axis_y + 4.0),
            x = n(x)
        );
        text(&mut out, P::new(x, axis_y + 17.0), 10.0, "middle", "#444444", &tick_label(tick, step));
        tick += step;
    }
    text(
        &mut out,
        P::new(LEFT, axis_y + 36.0),
        10.0,
        "start",
        "#444444",
        &format!("{} to {} · {} transfers", tick_label(t0, 60), tick_label(t1, 60), timed.len()),
    );
    // Largest first, so small dots stay visible on top.
    let mut dots: Vec<(f32, P, style::Rgb, Option<style::Rgb>)> = timed
        .iter()
        .map(|(t, r)| {
            let info = asset_info(&r.transfer.chain, &r.transfer.asset);
            let v = display_value(r.transfer.amount_base, info.decimals);
            let radius = style::log_scale(v, 2.5, 9.0, 7.0);
            let lane = lanes.get(r.transfer.chain.as_str()).copied().unwrap_or(0);
            #[allow(clippy::cast_precision_loss)]
            let y = TOP + (lane as f32 + 0.5) * LANE;
            (radius, P::new(x_of(*t), y), style::asset_rgb(&info.symbol, info.native), hop_color.get(&r.id).copied())
        })
        .collect();
    dots.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.x.total_cmp(&b.1.x)));
    let mut batch = Batch::default();
    for (radius, p, color, hop) in dots {
        let stroke = match hop {
            Some(h) => format!(r#"stroke="{}" stroke-width="2.5""#, h.css()),
            None => r##"stroke="#333333" stroke-width="0.5""##.to_owned(),
        };
        batch.add(format!(r#"fill="{}" fill-opacity="0.75" {stroke}"#, color.css()), &circle_d(p, radius));
    }
    batch.write(&mut out);
    out.push_str("</svg>");
    Some(out)
}
