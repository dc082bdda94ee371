//! Pointer and keyboard input: zoom to the cursor, pan, box select, node clicks and drags,
//! context menus, and keyboard navigation (arrows move the selection, Enter expands, Delete
//! hides, F fits, +/− zoom, Escape clears).

use egui::{EventFilter, Id, Key, Modifiers, PointerButton, Pos2, Rect, Response, Ui, Vec2};
use petgraph::Direction;

use super::spatial::Spatial;
use super::view::{View, arrow_dir, pick_in_direction};
use super::{CanvasEvent, CanvasState, MenuTarget, NodeDrag, Selection, menu};
use crate::case::{ExpandDirection, NodeKey};
use crate::graph::{GraphNode, InvestigationGraph};

/// Zoom per scroll point (a wheel notch is about 50 points: ×1.1).
const SCROLL_ZOOM: f32 = 0.002;
/// Zoom per +/− key press.
const KEY_ZOOM: f32 = 1.25;

/// What input handlers may change.
pub struct Input<'a> {
    /// The canvas background's id (keyboard focus goes there).
    pub canvas_id: Id,
    /// The camera.
    pub view: &'a mut View,
    /// The selection.
    pub sel: &'a mut Selection,
    /// A node drag in progress.
    pub drag: &'a mut Option<NodeDrag>,
    /// The open context menu's target.
    pub menu: &'a mut Option<MenuTarget>,
    /// What the app is asked to do.
    pub events: &'a mut Vec<CanvasEvent>,
    /// Something changed that needs another frame.
    pub changed: bool,
    /// Only selection events: no moves, expansions or hiding (review mode).
    pub read_only: bool,
}

impl Input<'_> {
    pub(super) fn emit(&mut self, e: CanvasEvent) {
        self.events.push(e);
        self.changed = true;
    }
}

/// Scroll/pinch zoom to the cursor, panning (drag on empty canvas or middle button), starting
/// a box selection (shift+drag on empty canvas), and following a node drag.
pub fn camera(ui: &Ui, bg: &Response, rect: Rect, state: &mut CanvasState) {
    let origin = rect.center();
    if ui.rect_contains_pointer(rect) {
        let (scroll, pinch, pointer) = ui.input(|i| (i.smooth_scroll_delta(), i.zoom_delta(), i.pointer.hover_pos()));
        let factor = pinch * (scroll.y * SCROLL_ZOOM).exp();
        if let Some(p) = pointer
            && (factor - 1.0).abs() > 1e-5
        {
            state.view.zoom_at(origin, p, factor);
        }
        state.view.pan.x += scroll.x;
    }
    if bg.drag_started_by(PointerButton::Primary)
        && ui.input(|i| i.modifiers.shift)
        && let Some(p) = ui.input(|i| i.pointer.press_origin())
    {
        state.box_select = Some(state.view.to_world(origin, p));
    }
    let panning =
        bg.dragged_by(PointerButton::Middle) || (bg.dragged_by(PointerButton::Primary) && state.box_select.is_none());
    if panning {
        state.view.pan += bg.drag_delta();
        ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
    }
    if let Some(d) = &mut state.drag
        && ui.ctx().is_being_dragged(d.id)
    {
        d.offset += ui.input(|i| i.pointer.delta()) / state.view.zoom;
    }
}

/// A node widget's clicks, drags, context menu and tooltip.
pub fn node(ui: &Ui, resp: &Response, node: &GraphNode, inp: &mut Input<'_>) {
    let key = &node.key;
    if resp.clicked() {
        let m = ui.input(|i| i.modifiers);
        if m.command || m.ctrl {
            inp.sel.toggle(key.clone());
        } else if m.shift {
            inp.sel.add(key.clone());
        } else {
            inp.sel.only(key.clone());
        }
        inp.emit(CanvasEvent::Select { node: key.clone(), additive: m.shift || m.command || m.ctrl });
        ui.memory_mut(|mem| mem.request_focus(inp.canvas_id));
    } else if resp.gained_focus() {
        // Reached with Tab: keyboard users select by moving focus.
        inp.sel.only(key.clone());
        inp.emit(CanvasEvent::Select { node: key.clone(), additive: false });
    }
    if resp.double_clicked() && !inp.read_only && !matches!(key, NodeKey::Aggregate(_)) {
        inp.emit(CanvasEvent::Expand { node: key.clone(), direction: ExpandDirection::Both });
    }
    if resp.drag_started_by(PointerButton::Primary) && !inp.read_only {
        let nodes = if inp.sel.nodes.contains(key) {
            inp.sel.nodes.iter().cloned().collect()
        } else {
            inp.sel.only(key.clone());
            inp.emit(CanvasEvent::Select { node: key.clone(), additive: false });
            vec![key.clone()]
        };
        let offset = resp.total_drag_delta().unwrap_or_default() / inp.view.zoom;
        *inp.drag = Some(NodeDrag { id: resp.id, nodes, offset });
        inp.changed = true;
    }
    if resp.dragged_by(PointerButton::Middle) {
        inp.view.pan += resp.drag_delta();
    }
    if resp.secondary_clicked() {
        *inp.menu = Some(MenuTarget::Node(key.clone()));
        if !inp.sel.nodes.contains(key) {
            inp.sel.only(key.clone());
            inp.emit(CanvasEvent::Select { node: key.clone(), additive: false });
        }
    }
    if matches!(inp.menu, Some(MenuTarget::Node(k)) if k == key) {
        let read_only = inp.read_only;
        let shown = resp.context_menu(|ui| menu::node_menu(ui, node, read_only, inp.events));
        if shown.is_none() && !resp.secondary_clicked() {
            *inp.menu = None;
        }
    }
    if resp.hovered() && inp.drag.is_none() && inp.menu.is_none() {
        resp.clone().on_hover_ui(|ui| menu::node_tooltip(ui, node));
    }
}

/// What the background needs besides [`Input`].
pub struct Background<'a> {
    /// The graph.
    pub graph: &'a InvestigationGraph,
    /// Slots and R-trees.
    pub spatial: &'a Spatial,
    /// The canvas rect.
    pub rect: Rect,
    /// The edge under the pointer.
    pub hover_edge: Option<u32>,
}

/// Clicks, box selection end, context menu and edge tooltip on the canvas background.
pub fn background(
    ui: &Ui,
    bg: &Response,
    b: &Background<'_>,
    box_select: &mut Option<Pos2>,
    fit_requested: &mut bool,
    inp: &mut Input<'_>,
) {
    let origin = b.rect.center();
    if let Some(start) = *box_select
        && !ui.input(|i| i.pointer.primary_down())
    {
        *box_select = None;
        if let Some(end) = ui.input(|i| i.pointer.interact_pos()) {
            let world = Rect::from_two_pos(start, inp.view.to_world(origin, end));
            let mut found = Vec::new();
            b.spatial.nodes_in(world, &mut found);
            let mut keys: Vec<NodeKey> = found
                .iter()
                .filter_map(|&s| b.spatial.node(s))
                .filter(|n| world.contains(n.pos))
                .filter_map(|n| b.graph.graph.node_weight(n.index).map(|w| w.key.clone()))
                .collect();
            keys.sort();
            for k in &keys {
                inp.sel.add(k.clone());
            }
            inp.emit(CanvasEvent::BoxSelect(keys));
        }
    }
    let edge_keys = |slot: u32| {
        let e = b.spatial.edge(slot)?;
        let (a, z) = (b.spatial.node(e.from)?, b.spatial.node(e.to)?);
        let g = &b.graph.graph;
        Some((g.node_weight(a.index)?.key.clone(), g.node_weight(z.index)?.key.clone()))
    };
    // A real click: Enter/Space on the focused canvas is a keyboard command, not a click.
    if bg.clicked_by(PointerButton::Primary) {
        ui.memory_mut(|mem| mem.request_focus(bg.id));
        if let Some((from, to)) = b.hover_edge.and_then(edge_keys) {
            inp.sel.select_edge(from.clone(), to.clone());
            inp.emit(CanvasEvent::SelectEdge { from, to });
        } else if !inp.sel.is_empty() && !ui.input(|i| i.modifiers.shift) {
            inp.sel.clear();
            inp.emit(CanvasEvent::ClearSelection);
        }
    }
    if bg.secondary_clicked() {
        *inp.menu = Some(match b.hover_edge.and_then(edge_keys) {
            Some((from, to)) => MenuTarget::Edge(from, to),
            None => MenuTarget::Canvas,
        });
    }
    if let Some(target @ (MenuTarget::Edge(..) | MenuTarget::Canvas)) = inp.menu.clone() {
        let shown = bg.context_menu(|ui| match &target {
            MenuTarget::Edge(from, to) => menu::edge_menu(ui, from, to, inp.events),
            _ => menu::canvas_menu(ui, fit_requested),
        });
        if shown.is_none() && !bg.secondary_clicked() {
            *inp.menu = None;
        }
    }
    if let Some(slot) = b.hover_edge
        && bg.hovered()
        && inp.menu.is_none()
        && let Some(e) = b.spatial.edge(slot)
    {
        bg.clone().on_hover_ui_at_pointer(|ui| menu::edge_tooltip(ui, b.graph, e.index));
    }
}

/// Keys, when the canvas (or one of its nodes) has keyboard focus, or nothing has and the
/// pointer is over the canvas.
pub fn keyboard(ui: &Ui, b: &Background<'_>, node_focused: bool, fit_requested: &mut bool, inp: &mut Input<'_>) {
    let focused = ui.memory(|m| m.focused());
    let ours = focused == Some(inp.canvas_id) || node_focused;
    if !(ours || (focused.is_none() && ui.rect_contains_pointer(b.rect))) {
        return;
    }
    if let Some(id) = focused.filter(|_| ours) {
        let filter = EventFilter { horizontal_arrows: true, vertical_arrows: true, escape: true, tab: false };
        ui.memory_mut(|m| m.set_focus_lock_filter(id, filter));
    }
    let none = Modifiers::NONE;
    let (fit, enter, delete, escape, zoom_in, zoom_out, arrow) = ui.input_mut(|i| {
        let arrow = [Key::ArrowUp, Key::ArrowDown, Key::ArrowLeft, Key::ArrowRight]
            .into_iter()
            .find(|&k| i.consume_key(none, k));
        (
            i.consume_key(none, Key::F),
            i.consume_key(none, Key::Enter),
            i.consume_key(none, Key::Delete) || i.consume_key(none, Key::Backspace),
            i.consume_key(none, Key::Escape),
            i.consume_key(none, Key::Plus) || i.consume_key(none, Key::Equals),
            i.consume_key(none, Key::Minus),
            arrow,
        )
    });
    if fit {
        *fit_requested = true;
        inp.changed = true;
    }
    for (pressed, factor) in [(zoom_in, KEY_ZOOM), (zoom_out, 1.0 / KEY_ZOOM)] {
        if pressed {
            inp.view.zoom_at(b.rect.center(), b.rect.center(), factor);
            inp.changed = true;
        }
    }
    if (enter || delete) && !inp.read_only {
        let selected: Vec<NodeKey> = inp.sel.nodes.iter().cloned().collect();
        for node in selected {
            if delete {
                inp.emit(CanvasEvent::Hide(node));
            } else if !matches!(node, NodeKey::Aggregate(_)) {
                inp.emit(CanvasEvent::Expand { node, direction: ExpandDirection::Both });
            }
        }
    }
    if escape {
        // Also with no node selected: Escape lets go of a selected hop too.
        inp.sel.clear();
        inp.emit(CanvasEvent::ClearSelection);
    }
    if let Some(dir) = arrow.and_then(arrow_dir) {
        navigate(b, dir, inp);
    }
}

/// Moves the selection to the nearest node in `dir` (from the anchor, else from the centre of
/// the view), bringing it into view.
fn navigate(b: &Background<'_>, dir: Vec2, inp: &mut Input<'_>) {
    let origin = b.rect.center();
    let from_slot =
        inp.sel.anchor.as_ref().or_else(|| inp.sel.nodes.first()).and_then(|k| b.spatial.slot_of_key(b.graph, k));
    let target = match from_slot.and_then(|s| b.spatial.node(s).map(|n| (s, n.pos))) {
        Some((slot, from)) => pick_in_direction(from, dir, b.spatial.nearest(from).filter(|(s, _)| *s != slot)),
        None => b.spatial.nearest(inp.view.to_world(origin, origin)).next().map(|(s, _)| s),
    };
    let Some(n) = target.and_then(|s| b.spatial.node(s)) else { return };
    let Some(key) = b.graph.graph.node_weight(n.index).map(|w| w.key.clone()) else { return };
    inp.sel.only(key.clone());
    inp.emit(CanvasEvent::Select { node: key, additive: false });
    if !b.rect.shrink(40.0).contains(inp.view.to_screen(origin, n.pos)) {
        inp.view.center_on(n.pos);
    }
}

/// Ends a node drag once egui no longer reports it: a `Moved` per node that moved.
pub fn finish_drag(ui: &Ui, graph: &InvestigationGraph, spatial: &Spatial, inp: &mut Input<'_>) {
    let Some(d) = inp.drag.as_ref() else { return };
    if ui.ctx().is_being_dragged(d.id) {
        return;
    }
    let Some(d) = inp.drag.take() else { return };
    if d.offset.length() < 1e-3 {
        return;
    }
    for key in d.nodes {
        if let Some(n) = spatial.slot_of_key(graph, &key).and_then(|s| spatial.node(s)) {
            let p = n.pos + d.offset;
            inp.emit(CanvasEvent::Moved { node: key, x: p.x, y: p.y });
        }
    }
}

/// Edges touching the dragged nodes (drawn even when their old position is off screen).
pub fn dragged_edges(graph: &InvestigationGraph, spatial: &Spatial, dragged: &[u32], out: &mut Vec<u32>) {
    out.clear();
    for n in dragged.iter().filter_map(|&s| spatial.node(s)) {
        for dir in [Direction::Outgoing, Direction::Incoming] {
            out.extend(graph.graph.edges_directed(n.index, dir).filter_map(|e| {
                use petgraph::visit::EdgeRef;
                spatial.edge_slot_of(e.id())
            }));
        }
    }
    out.sort_unstable();
    out.dedup();
}
