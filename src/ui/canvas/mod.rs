//! The graph canvas: draws the investigation graph with its hop marks and turns pointer and
//! keyboard input into [`CanvasEvent`]s (the app turns those into commands).
//!
//! - `view`: the pan/zoom transform, fit and keyboard direction picking;
//! - `spatial`: node/edge slots and R-trees, rebuilt only when the graph or positions change;
//! - `draw`, `label` and `hops`: painting what is on screen, labels faded by zoom;
//! - `frame`: one frame in order: cull, edges, hop marks, node widgets, labels, input;
//! - `interact` and `menu`: pointer, keyboard, context menus and tooltips;
//! - `style`, `info`, `geometry`, `batch`: colours, text, shapes and the edge mesh.
//!
//! Per frame the work is O(n + e) hashing for change detection (no allocation) plus
//! O(log n + k) for the k nodes and edges on screen (a linear scan instead of the R-trees when
//! most of the scene is in view); text is laid out only for labels that are drawn. The scene can
//! be prepared on another thread ([`PreparedScene`]). Every node on screen is an egui widget
//! labelled with [`NodeKey::describe`], so accessibility tools and egui_kittest tests can find,
//! click and right-click it, until over a thousand are on screen: then only the hovered,
//! selected, dragged and menu ones are (the rest are hit-tested through the R-tree).

mod batch;
mod draw;
#[cfg(test)]
mod fixture;
mod frame;
mod geometry;
mod hops;
mod info;
mod interact;
mod label;
mod menu;
mod spatial;
mod style;
mod view;

pub use draw::shape as paint_shape;
pub use hops::{HopStyle, hop_style};
pub use info::{asset_info, copy_text, display_value, hop_label, short_address};
pub use style::{TX_COLOR, asset_color, category_color, category_shape, hop_color};

use std::collections::{BTreeMap, BTreeSet, HashMap};

use egui::{Id, Pos2, Rect, Role, Sense, Vec2, WidgetInfo};

use self::spatial::Spatial;
use self::view::View;
use crate::case::{ExpandDirection, NodeKey};
use crate::graph::InvestigationGraph;
use crate::model::Hop;

/// What the user asked for on the canvas; the app turns these into commands. Selection events
/// are informational: the canvas already keeps the selection itself.
#[derive(Debug, Clone, PartialEq)]
pub enum CanvasEvent {
    /// A node was clicked, or reached with the arrow keys or Tab. `additive` with shift (adds
    /// to the selection) or ctrl/cmd (toggles it in the selection).
    Select {
        /// The node.
        node: NodeKey,
        /// Added to the selection instead of replacing it.
        additive: bool,
    },
    /// An edge was clicked.
    SelectEdge {
        /// Source node.
        from: NodeKey,
        /// Target node.
        to: NodeKey,
    },
    /// Nodes in a shift+drag box (added to the selection).
    BoxSelect(Vec<NodeKey>),
    /// A click on empty canvas (or Escape).
    ClearSelection,
    /// A node was dragged to a new world position (the app pins it).
    Moved {
        /// The node.
        node: NodeKey,
        /// World x.
        x: f32,
        /// World y.
        y: f32,
    },
    /// Expand a node.
    Expand {
        /// The node.
        node: NodeKey,
        /// Which side.
        direction: ExpandDirection,
    },
    /// Open the expansion filter dialog for a node.
    ExpandWithFilter(NodeKey),
    /// Collapse what an expansion of a node brought.
    Collapse(NodeKey),
    /// Hide a node.
    Hide(NodeKey),
    /// Pin a node.
    Pin(NodeKey),
    /// Unpin a node.
    Unpin(NodeKey),
    /// Open the label dialog for a node.
    LabelAs(NodeKey),
    /// Open the note dialog for a node.
    AddNote(NodeKey),
    /// Show the transfers of an edge in the inspector.
    ShowTransfers {
        /// Source node.
        from: NodeKey,
        /// Target node.
        to: NodeKey,
    },
    /// Look for where the value went through a mixer or bridge at this node.
    FindOtherSide(NodeKey),
    /// "Follow the peel chain from here" on an address of a UTXO chain.
    FollowPeel(NodeKey),
    /// A hop's mark was clicked.
    SelectHop(u64),
}

/// What the canvas derives from a graph and its positions (node and edge slots, R-trees),
/// prepared away from the UI thread for a large graph and handed over with
/// [`CanvasState::adopt`]. O((n + e) log(n + e)) to build.
pub struct PreparedScene(Spatial);

impl PreparedScene {
    /// Prepares the scene of `graph` at `positions`.
    #[must_use]
    pub fn new(graph: &InvestigationGraph, positions: &HashMap<NodeKey, Pos2>) -> Self {
        PreparedScene(Spatial::prepared(graph, positions))
    }
}

/// A node drag in progress.
#[derive(Debug, Clone)]
struct NodeDrag {
    /// The widget being dragged.
    id: Id,
    /// The nodes moving with it (the selection, if the dragged node was selected).
    nodes: Vec<NodeKey>,
    /// World offset so far.
    offset: Vec2,
}

/// What a context menu was opened on.
#[derive(Debug, Clone, PartialEq)]
enum MenuTarget {
    Node(NodeKey),
    Edge(NodeKey, NodeKey),
    Canvas,
}

/// Buffers reused every frame (no per-frame allocation once warm).
#[derive(Default)]
struct Scratch {
    /// Node slots on screen, emphasised ones last.
    nodes: Vec<u32>,
    /// Edge slots on screen.
    edges: Vec<u32>,
    /// Selected node slots, sorted.
    selected: Vec<u32>,
    /// Dragged node slots, sorted.
    dragged: Vec<u32>,
    /// Edges of dragged nodes, sorted.
    dragged_edges: Vec<u32>,
    /// Screen position of every node slot this frame.
    screen: Vec<Pos2>,
    /// Screen pixels with a batched dot on them (one bit each).
    dot_pixels: Vec<u64>,
    /// Hop mark buffers.
    hops: hops::HopScratch,
}

/// Selected nodes, the keyboard anchor, and the selected edge.
#[derive(Debug, Clone, Default)]
struct Selection {
    nodes: BTreeSet<NodeKey>,
    /// Where keyboard navigation starts: the last node selected.
    anchor: Option<NodeKey>,
    edge: Option<(NodeKey, NodeKey)>,
}

impl Selection {
    fn only(&mut self, key: NodeKey) {
        self.nodes.clear();
        self.nodes.insert(key.clone());
        self.anchor = Some(key);
        self.edge = None;
    }

    fn add(&mut self, key: NodeKey) {
        self.nodes.insert(key.clone());
        self.anchor = Some(key);
        self.edge = None;
    }

    fn toggle(&mut self, key: NodeKey) {
        if !self.nodes.remove(&key) {
            self.add(key);
        } else if self.anchor.as_ref() == Some(&key) {
            self.anchor = None;
        }
    }

    fn select_edge(&mut self, from: NodeKey, to: NodeKey) {
        self.nodes.clear();
        self.anchor = None;
        self.edge = Some((from, to));
    }

    fn clear(&mut self) {
        self.nodes.clear();
        self.anchor = None;
        self.edge = None;
    }

    fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edge.is_none()
    }
}

/// The canvas's view state: camera, selection, hover, drags and caches. Not saved in the case.
pub struct CanvasState {
    view: View,
    sel: Selection,
    hovered: Option<NodeKey>,
    highlighted_hop: Option<u64>,
    drag: Option<NodeDrag>,
    /// World point where a box selection started.
    box_select: Option<Pos2>,
    fit_requested: bool,
    /// The area and view of the last fit, and how many frames it may still follow the area:
    /// while the window settles its panels (first frames, the legend appearing), a change of
    /// the area fits again unless the user has panned, zoomed or clicked.
    fitted: Option<(Rect, View, u8)>,
    /// The canvas's rectangle last frame: when a panel beside it widens or narrows, the graph
    /// stays where it is on screen instead of moving with the canvas's centre.
    last_rect: Option<Rect>,
    focus_request: Option<NodeKey>,
    menu: Option<MenuTarget>,
    spatial: Spatial,
    scratch: Scratch,
    /// Height at the bottom of the canvas covered by an overlay (the legend): fitting keeps
    /// the graph above it.
    free_below: f32,
    /// Nothing may change the graph: no drags, no expand/hide keys, menus with copy entries only.
    read_only: bool,
}

/// Screen points kept free left and right of the graph when fitting: half a long label.
const FIT_MARGIN_X: f32 = 100.0;

/// Frames after a fit during which it follows the canvas area as the window settles.
const SETTLE_FRAMES: u8 = 10;

impl Default for CanvasState {
    /// Nothing selected; fits the graph on the first frame.
    fn default() -> Self {
        CanvasState {
            view: View::default(),
            sel: Selection::default(),
            hovered: None,
            highlighted_hop: None,
            drag: None,
            box_select: None,
            fit_requested: true,
            fitted: None,
            last_rect: None,
            focus_request: None,
            menu: None,
            spatial: Spatial::default(),
            scratch: Scratch::default(),
            free_below: 0.0,
            read_only: false,
        }
    }
}

impl CanvasState {
    /// The selected nodes.
    #[must_use]
    pub fn selection(&self) -> &BTreeSet<NodeKey> {
        &self.sel.nodes
    }

    /// Selects exactly `key` (and no edge).
    pub fn select_only(&mut self, key: NodeKey) {
        self.sel.only(key);
    }

    /// Selects exactly `keys` (and no edge), as a box selection would.
    pub fn select_many(&mut self, keys: impl IntoIterator<Item = NodeKey>) {
        self.sel.clear();
        for k in keys {
            self.sel.add(k);
        }
    }

    /// Keeps `height` points at the bottom of the canvas free when fitting (an overlay is there).
    pub fn keep_free_below(&mut self, height: f32) {
        self.free_below = height.max(0.0);
    }

    /// Selects the edge `from -> to` (and no node).
    pub fn select_edge(&mut self, from: NodeKey, to: NodeKey) {
        self.sel.clear();
        self.sel.edge = Some((from, to));
    }

    /// The selected edge `(from, to)`, if any.
    #[must_use]
    pub fn selected_edge(&self) -> Option<&(NodeKey, NodeKey)> {
        self.sel.edge.as_ref()
    }

    /// Makes the canvas read-only (review mode): it then emits selection events only.
    pub fn set_read_only(&mut self, read_only: bool) {
        self.read_only = read_only;
    }

    /// Whether the canvas is read-only.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Fits the whole graph into the canvas on the next frame.
    pub fn request_fit(&mut self) {
        self.fit_requested = true;
    }

    /// Centres the canvas on `key` on the next frame (zooming in far enough to read labels).
    pub fn focus(&mut self, key: &NodeKey) {
        self.focus_request = Some(key.clone());
        self.fit_requested = false;
    }

    /// Emphasises one hop's mark (or none).
    pub fn highlight_hop(&mut self, hop: Option<u64>) {
        self.highlighted_hop = hop;
    }

    /// The highlighted hop.
    #[must_use]
    pub fn highlighted_hop(&self) -> Option<u64> {
        self.highlighted_hop
    }

    /// The node under the pointer.
    #[must_use]
    pub fn hovered(&self) -> Option<&NodeKey> {
        self.hovered.as_ref()
    }

    /// Current zoom (screen points per world unit).
    #[must_use]
    pub fn zoom(&self) -> f32 {
        self.view.zoom
    }

    /// Zooms by `factor` about the canvas centre (within the zoom limits).
    pub fn zoom_by(&mut self, factor: f32) {
        self.view.zoom_at(Pos2::ZERO, Pos2::ZERO, factor);
    }

    /// Uses `scene` from the next frame on (instead of rebuilding it there) if it was prepared
    /// for the graph and positions that frame shows. Returns the scene it replaces, to be
    /// dropped off the UI thread.
    pub fn adopt(&mut self, scene: PreparedScene) -> PreparedScene {
        PreparedScene(std::mem::replace(&mut self.spatial, scene.0))
    }

    /// Forgets selected, hovered and dragged nodes that are no longer on the graph.
    fn prune(&mut self, graph: &InvestigationGraph) {
        let on = |k: &NodeKey| graph.index.contains_key(k);
        self.sel.nodes.retain(on);
        if self.sel.anchor.as_ref().is_some_and(|k| !on(k)) {
            self.sel.anchor = None;
        }
        if self.sel.edge.as_ref().is_some_and(|(a, b)| !(on(a) && on(b))) {
            self.sel.edge = None;
        }
        if self.hovered.as_ref().is_some_and(|k| !graph.index.contains_key(k)) {
            self.hovered = None;
        }
    }

    /// Applies a pending fit or focus request, once the canvas size is known.
    fn apply_requests(&mut self, graph: &InvestigationGraph, rect: Rect) {
        // A canvas squeezed by its panels (the first frame of a window still taking its size)
        // would fit the graph into a sliver: wait for a usable size.
        if rect.width() < 120.0 || rect.height() < 80.0 {
            return;
        }
        // Screen positions are relative to the canvas's centre: when the canvas changes size
        // (the inspector widening for a long table), move the view by as much the other way,
        // so what is under the cursor stays under it. A fit in progress fits the new size.
        if let Some(last) = self.last_rect.replace(rect)
            && last != rect
            && !self.fit_requested
            && self.fitted.is_none()
        {
            self.view.pan += last.center() - rect.center();
        }
        if let Some(key) = self.focus_request.take()
            && let Some(n) = self.spatial.slot_of_key(graph, &key).and_then(|s| self.spatial.node(s))
        {
            self.view.zoom = self.view.zoom.max(style::LABEL_ZOOM_FULL + 0.05);
            self.view.center_on(n.pos);
        }
        let mut area = rect;
        area.max.y = (rect.max.y - self.free_below).max(rect.min.y + 80.0);
        if let Some((fitted_area, fitted_view, frames)) = self.fitted.take()
            && self.view == fitted_view
            && frames > 0
        {
            self.fit_requested |= fitted_area != area;
            self.fitted = Some((fitted_area, fitted_view, frames - 1));
        }
        if self.fit_requested {
            self.fit_requested = false;
            // Labels are centred under their nodes and wider than them: room for half a long
            // label at the left and right edges.
            let margin = Vec2::new(FIT_MARGIN_X, 40.0);
            self.view = self.spatial.bounds.map_or_else(View::default, |b| View::fit(b, area, margin));
            // Screen positions are relative to the canvas centre: centre the graph in `area`.
            self.view.pan += area.center() - rect.center();
            self.fitted = Some((area, self.view, SETTLE_FRAMES));
        }
    }
}

/// Draws the graph and handles interaction. `positions` gives each node's world position (the
/// app fills it from the case and the layout); nodes missing from it are not drawn. Hidden
/// nodes are not drawn either. Returns the response of the canvas background.
pub fn canvas_ui(
    ui: &mut egui::Ui,
    graph: &InvestigationGraph,
    positions: &HashMap<NodeKey, Pos2>,
    hops: &BTreeMap<u64, Hop>,
    state: &mut CanvasState,
    events: &mut Vec<CanvasEvent>,
) -> egui::Response {
    let size = ui.available_size().max(Vec2::splat(1.0));
    let (rect, bg) = ui.allocate_exact_size(size, Sense::click_and_drag());
    bg.widget_info(|| WidgetInfo::labeled(Role::Canvas, true, "Graph canvas"));
    if state.spatial.refresh(graph, positions) {
        state.prune(graph);
    }
    // A click anywhere ends the settling: what the user acts on stays where it was, even if
    // the canvas area changes for it (the inspector widening for a long table).
    if ui.input(|i| i.pointer.any_pressed()) {
        state.fitted = None;
    }
    state.apply_requests(graph, rect);
    interact::camera(ui, &bg, rect, state);
    frame::frame_ui(ui, &bg, rect, graph, hops, state, events);
    bg
}
