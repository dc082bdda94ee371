//! The pan/zoom transform between world coordinates (the layout's, saved in the case) and
//! screen points, with zoom to a point, fit to a box, culling and direction picking for
//! keyboard navigation. Pure geometry: no egui state.

use egui::{Pos2, Rect, Vec2, vec2};

use super::style::{MAX_FIT_ZOOM, MAX_ZOOM, MIN_ZOOM};

/// Where the camera is: `screen = origin + pan + world · zoom`, with `origin` the centre of the
/// canvas rect (so resizing the window keeps the centre where it was).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Offset in screen points.
    pub pan: Vec2,
    /// Screen points per world unit, within [`MIN_ZOOM`]..=[`MAX_ZOOM`].
    pub zoom: f32,
}

impl Default for View {
    fn default() -> Self {
        View { pan: Vec2::ZERO, zoom: 1.0 }
    }
}

impl View {
    /// World → screen.
    #[must_use]
    pub fn to_screen(self, origin: Pos2, world: Pos2) -> Pos2 {
        origin + self.pan + world.to_vec2() * self.zoom
    }

    /// Screen → world.
    #[must_use]
    pub fn to_world(self, origin: Pos2, screen: Pos2) -> Pos2 {
        ((screen - origin - self.pan) / self.zoom).to_pos2()
    }

    /// Multiplies the zoom by `factor` (clamped) keeping the world point under `at` in place.
    pub fn zoom_at(&mut self, origin: Pos2, at: Pos2, factor: f32) {
        if !factor.is_finite() || factor <= 0.0 {
            return;
        }
        let world = self.to_world(origin, at);
        self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        self.pan = at - origin - world.to_vec2() * self.zoom;
    }

    /// The world rectangle shown in `screen` (a canvas whose centre is the origin).
    #[must_use]
    pub fn visible_world(&self, screen: Rect) -> Rect {
        let o = screen.center();
        Rect::from_two_pos(self.to_world(o, screen.min), self.to_world(o, screen.max))
    }

    /// Puts `world` at the centre of the canvas.
    pub fn center_on(&mut self, world: Pos2) {
        self.pan = -world.to_vec2() * self.zoom;
    }

    /// The view showing all of `bounds` (world) inside `screen` with `margin` points around it
    /// (x: each side, y: top and bottom), at most [`MAX_FIT_ZOOM`].
    #[must_use]
    pub fn fit(bounds: Rect, screen: Rect, margin: Vec2) -> View {
        let avail = (screen.size() - 2.0 * margin).max(Vec2::splat(1.0));
        let size = bounds.size().max(Vec2::splat(1.0));
        let zoom = (avail.x / size.x).min(avail.y / size.y).clamp(MIN_ZOOM, MAX_FIT_ZOOM);
        let mut v = View { pan: Vec2::ZERO, zoom };
        v.center_on(bounds.center());
        v
    }
}

/// Unit vector of an arrow key direction (screen and world y grow downwards).
#[must_use]
pub fn arrow_dir(key: egui::Key) -> Option<Vec2> {
    match key {
        egui::Key::ArrowUp => Some(vec2(0.0, -1.0)),
        egui::Key::ArrowDown => Some(vec2(0.0, 1.0)),
        egui::Key::ArrowLeft => Some(vec2(-1.0, 0.0)),
        egui::Key::ArrowRight => Some(vec2(1.0, 0.0)),
        _ => None,
    }
}

/// Is `p` within 45° of `dir` seen from `from` (and not `from` itself)?
#[must_use]
pub fn in_cone(from: Pos2, dir: Vec2, p: Pos2) -> bool {
    let v = p - from;
    let along = v.dot(dir);
    let across = (v - dir * along).length();
    along > 1e-3 && across <= along
}

/// The first of `by_distance` (candidates sorted nearest first) inside the 45° cone of `dir`;
/// failing that, the nearest anywhere in that half-plane.
#[must_use]
pub fn pick_in_direction<T: Copy>(
    from: Pos2,
    dir: Vec2,
    by_distance: impl IntoIterator<Item = (T, Pos2)>,
) -> Option<T> {
    let mut half_plane = None;
    for (item, p) in by_distance {
        if in_cone(from, dir, p) {
            return Some(item);
        }
        if half_plane.is_none() && (p - from).dot(dir) > 1e-3 {
            half_plane = Some(item);
        }
    }
    half_plane
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_screen_round_trip_and_zoom_to_cursor() {
        let origin = Pos2::new(400.0, 300.0);
        let mut v = View { pan: vec2(15.0, -7.0), zoom: 0.5 };
        let w = Pos2::new(123.0, -45.0);
        let s = v.to_screen(origin, w);
        assert!(v.to_world(origin, s).distance(w) < 1e-3);
        // The point under the cursor stays under it.
        let cursor = Pos2::new(100.0, 500.0);
        let under = v.to_world(origin, cursor);
        v.zoom_at(origin, cursor, 3.0);
        assert!((v.zoom - 1.5).abs() < 1e-6);
        assert!(v.to_screen(origin, under).distance(cursor) < 1e-3);
        // Clamped at both ends.
        v.zoom_at(origin, cursor, 1e9);
        assert!((v.zoom - MAX_ZOOM).abs() < 1e-6);
        v.zoom_at(origin, cursor, 1e-9);
        assert!((v.zoom - MIN_ZOOM).abs() < 1e-6);
        v.zoom_at(origin, cursor, f32::NAN);
        assert!((v.zoom - MIN_ZOOM).abs() < 1e-6);
    }

    #[test]
    fn fit_shows_the_whole_box_and_culling_rect_matches() {
        let screen = Rect::from_min_size(Pos2::new(50.0, 20.0), vec2(800.0, 600.0));
        let bounds = Rect::from_min_max(Pos2::new(-1000.0, 0.0), Pos2::new(3000.0, 500.0));
        let v = View::fit(bounds, screen, Vec2::splat(20.0));
        let shown = v.visible_world(screen);
        assert!(shown.contains_rect(bounds), "{shown:?} ⊇ {bounds:?}");
        assert!((v.zoom - 760.0 / 4000.0).abs() < 1e-4);
        // The centre of the bounds is at the centre of the canvas.
        assert!(v.to_screen(screen.center(), bounds.center()).distance(screen.center()) < 1e-3);
        // A single point is not blown up past the fit limit.
        let one = View::fit(Rect::from_center_size(Pos2::ZERO, Vec2::ZERO), screen, Vec2::splat(20.0));
        assert!((one.zoom - MAX_FIT_ZOOM).abs() < 1e-6);
    }

    #[test]
    fn arrow_keys_pick_the_nearest_node_in_their_direction() {
        let from = Pos2::ZERO;
        // Sorted by distance, as an R-tree nearest-neighbour iterator yields them.
        let pts = [
            (1, Pos2::new(0.0, -10.0)),
            (2, Pos2::new(30.0, 5.0)),
            (3, Pos2::new(40.0, -35.0)),
            (4, Pos2::new(-60.0, 0.0)),
        ];
        assert_eq!(pick_in_direction(from, vec2(1.0, 0.0), pts), Some(2));
        assert_eq!(pick_in_direction(from, vec2(0.0, -1.0), pts), Some(1));
        assert_eq!(pick_in_direction(from, vec2(-1.0, 0.0), pts), Some(4));
        // Nothing in the cone below: the nearest in the lower half-plane.
        assert_eq!(pick_in_direction(from, vec2(0.0, 1.0), pts), Some(2));
        assert_eq!(pick_in_direction(from, vec2(0.0, 1.0), [(9, Pos2::new(0.0, -1.0))]), None);
        assert_eq!(arrow_dir(egui::Key::ArrowUp), Some(vec2(0.0, -1.0)));
    }
}
