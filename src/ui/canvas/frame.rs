//! One frame of the canvas: find what is on screen through the R-trees, paint edges, hop marks,
//! nodes (each an accessible widget) and labels, then handle background and keyboard input.

use std::collections::BTreeMap;

use egui::{Rect, Response, Role, Sense, Ui, Vec2, WidgetInfo};

use super::batch::LineBatch;
use super::draw::{self, Frame};
use super::interact::{self, Background, Input};
use super::style::{BADGE_ZOOM, MAX_LABELS, MAX_NODE_WIDGETS, Theme, fade, label_alpha};
use super::{CanvasEvent, CanvasState, MenuTarget, hops};
use crate::graph::InvestigationGraph;
use crate::model::Hop;

/// Pointer slack for hit testing, in screen points.
const HIT_SLACK: f32 = 4.0;
/// How far past the canvas edge nodes are still drawn (labels hang below them), in points.
const CULL_MARGIN: f32 = 40.0;

/// Paints the graph and handles input (see the module docs).
pub fn frame_ui(
    ui: &mut Ui,
    bg: &Response,
    rect: Rect,
    graph: &InvestigationGraph,
    hops: &BTreeMap<u64, Hop>,
    state: &mut CanvasState,
    events: &mut Vec<CanvasEvent>,
) {
    let CanvasState {
        view,
        sel,
        hovered,
        highlighted_hop,
        drag,
        box_select,
        fit_requested,
        menu,
        spatial,
        scratch,
        read_only,
        ..
    } = state;
    let origin = rect.center();
    let zoom = view.zoom;

    // Selected and dragged slots, and what is on screen (dragged nodes always are).
    let slots = |keys: &mut dyn Iterator<Item = &crate::case::NodeKey>, out: &mut Vec<u32>| {
        out.clear();
        out.extend(keys.filter_map(|k| spatial.slot_of_key(graph, k)));
        out.sort_unstable();
    };
    slots(&mut sel.nodes.iter(), &mut scratch.selected);
    slots(&mut drag.iter().flat_map(|d| d.nodes.iter()), &mut scratch.dragged);
    interact::dragged_edges(graph, spatial, &scratch.dragged, &mut scratch.dragged_edges);
    let world = view.visible_world(rect).expand(CULL_MARGIN / zoom);
    scratch.nodes.clear();
    spatial.nodes_in(world, &mut scratch.nodes);
    scratch.nodes.extend_from_slice(&scratch.dragged);
    scratch.edges.clear();
    spatial.edges_in(world, &mut scratch.edges);

    // Hover through the R-trees (not while dragging, panning or box-selecting).
    let busy = drag.is_some() || box_select.is_some() || bg.dragged();
    let pointer = ui.input(|i| i.pointer.hover_pos()).filter(|_| !busy && ui.rect_contains_pointer(rect));
    let pointer_world = pointer.map(|p| view.to_world(origin, p));
    let hover_node = pointer_world.and_then(|p| spatial.node_at(p, HIT_SLACK / zoom));
    let hover_edge = pointer_world.filter(|_| hover_node.is_none()).and_then(|p| spatial.edge_at(p, HIT_SLACK / zoom));
    let hover_key =
        hover_node.and_then(|s| spatial.node(s)).and_then(|n| graph.graph.node_weight(n.index)).map(|n| &n.key);
    if hovered.as_ref() != hover_key {
        *hovered = hover_key.cloned();
    }

    // Emphasised nodes (selected, hovered, dragged) are drawn last, on top.
    let emphasised = |s: &u32| {
        scratch.selected.binary_search(s).is_ok() || scratch.dragged.binary_search(s).is_ok() || hover_node == Some(*s)
    };
    scratch.nodes.sort_unstable_by_key(|s| (emphasised(s), *s));
    scratch.nodes.dedup();

    // Every slot's screen position once (dragged ones moved along): edges look both ends up.
    let offset = drag.as_ref().map_or(Vec2::ZERO, |d| d.offset);
    scratch.screen.clear();
    scratch.screen.extend(spatial.nodes.iter().zip(0u32..).map(|(n, slot)| {
        let moved = !scratch.dragged.is_empty() && scratch.dragged.binary_search(&slot).is_ok();
        view.to_screen(origin, if moved { n.pos + offset } else { n.pos })
    }));

    let selected_edge = sel.edge.as_ref().and_then(|(a, b)| {
        let (ia, ib) = (graph.index.get(a)?, graph.index.get(b)?);
        spatial.edge_slot_of(graph.graph.find_edge(*ia, *ib)?)
    });
    let theme = Theme::from_visuals(ui.visuals());
    let f = Frame {
        graph,
        spatial,
        view: *view,
        rect,
        theme,
        selected: &scratch.selected,
        dragged: &scratch.dragged,
        screen: &scratch.screen,
        hovered: hover_node,
        hovered_edge: hover_edge,
        selected_edge,
        pixels_per_point: ui.ctx().pixels_per_point(),
        label_alpha: label_alpha(zoom),
        badge_alpha: fade(zoom, BADGE_ZOOM.0, BADGE_ZOOM.1),
        crowded: scratch.nodes.len() > MAX_LABELS,
    };
    let painter = ui.painter_at(rect);
    draw::edges(&painter, &f, &scratch.edges, &scratch.dragged_edges);
    hops::draw(&painter, &f, hops, *highlighted_hop, &mut scratch.hops);

    let mut inp = Input { canvas_id: bg.id, view, sel, drag, menu, events, changed: false, read_only: *read_only };
    // Hop labels are buttons: a click selects the hop (inspector, timeline).
    for (id, r) in &scratch.hops.labels {
        let resp = ui.interact(*r, bg.id.with(("hop", *id)), Sense::click());
        let text = hops.get(id).map(|h| format!("hop #{id} {}", super::info::hop_label(h))).unwrap_or_default();
        resp.widget_info(|| WidgetInfo::labeled(Role::Button, true, text.clone()));
        if resp.clicked() {
            inp.emit(CanvasEvent::SelectHop(*id));
        }
        if resp.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
        }
    }
    let mut node_focused = false;
    // Every node on screen is its own widget (AccessKit button, tooltip, menu) until there are
    // too many to matter one by one: then only the hovered one (found through the R-tree), the
    // selected, dragged and menu ones are, which keeps a frame of 10k dots cheap.
    let crowded = scratch.nodes.len() > MAX_NODE_WIDGETS;
    // Plain dots go into one mesh, in its place under the emphasised nodes drawn after it.
    let dots_at = painter.add(egui::Shape::Noop);
    let mut dots = LineBatch::for_dots(if crowded { scratch.nodes.len() } else { 0 }, f.pixels_per_point);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let pixels = (rect.width().ceil() as usize + 1) * (rect.height().ceil() as usize + 1);
    scratch.dot_pixels.clear();
    scratch.dot_pixels.resize(if crowded { pixels.div_ceil(64) } else { 0 }, 0);
    for &slot in &scratch.nodes {
        let (Some(n), Some(c)) = (spatial.node(slot), f.screen(slot)) else { continue };
        let Some(node) = graph.graph.node_weight(n.index) else { continue };
        let widget = !crowded
            || hover_node == Some(slot)
            || scratch.selected.binary_search(&slot).is_ok()
            || scratch.dragged.binary_search(&slot).is_ok()
            || matches!(inp.menu, Some(MenuTarget::Node(k)) if *k == node.key);
        if !widget {
            if f.plain_dot(slot) && !node.seed {
                draw::dot(&mut dots, &mut scratch.dot_pixels, &f, slot);
            } else {
                draw::node(&painter, &f, slot);
            }
            continue;
        }
        let size = (f.screen_half(slot) * 2.0).max(Vec2::splat(8.0));
        let resp = ui.interact(Rect::from_center_size(c, size), bg.id.with(n.key_hash), Sense::click_and_drag());
        resp.widget_info(|| WidgetInfo::labeled(Role::Button, true, node.key.describe()));
        node_focused |= resp.has_focus();
        interact::node(ui, &resp, node, &mut inp);
        draw::node(&painter, &f, slot);
    }
    if !dots.is_empty() {
        painter.set(dots_at, dots.into_shape());
    }
    super::label::labels(&painter, &f, &scratch.nodes);
    if let (Some(start), Some(p)) = (*box_select, ui.input(|i| i.pointer.interact_pos())) {
        draw::selection_box(&painter, &f.theme, f.view.to_screen(origin, start), p);
    }

    let b = Background { graph, spatial, rect, hover_edge };
    interact::background(ui, bg, &b, box_select, fit_requested, &mut inp);
    interact::keyboard(ui, &b, node_focused, fit_requested, &mut inp);
    interact::finish_drag(ui, graph, spatial, &mut inp);
    if inp.changed {
        ui.ctx().request_repaint();
    }
}
