//! Context menus (node, edge, empty canvas) and hover tooltips (node, edge). Menu entries emit
//! [`CanvasEvent`]s; the two copy entries copy text with `Context::copy_text` and never open
//! anything.

use egui::{RichText, Ui};
use petgraph::stable_graph::EdgeIndex;

use super::CanvasEvent;
use super::info::{aggregate_text, asset_info, copy_text, explorer_url, format_amount, iso_time, node_chain};
use crate::case::{ExpandDirection, NodeKey};
use crate::graph::{GraphNode, InvestigationGraph};
use crate::model::{Total, registry};

/// Adds a menu button that emits `event` and closes the menu.
fn item(ui: &mut Ui, text: &str, event: CanvasEvent, events: &mut Vec<CanvasEvent>) {
    if ui.button(text).clicked() {
        events.push(event);
        ui.close();
    }
}

/// The right-click menu of a node (`read_only`: the copy entries only).
pub fn node_menu(ui: &mut Ui, node: &GraphNode, read_only: bool, events: &mut Vec<CanvasEvent>) {
    let key = &node.key;
    if read_only {
        if matches!(key, NodeKey::Aggregate(_)) {
            ui.label("Read-only: this package cannot be changed");
        }
        copy_entries(ui, key);
        return;
    }
    match key {
        NodeKey::Aggregate(_) => {
            // An aggregate is expanded from its anchor with a narrower filter.
            if let Some(agg) = &node.aggregate {
                item(ui, "Expand with filter…", CanvasEvent::ExpandWithFilter(agg.anchor.clone()), events);
            }
        }
        _ => {
            for (text, direction) in [
                ("Expand out", ExpandDirection::Out),
                ("Expand in", ExpandDirection::In),
                ("Expand both", ExpandDirection::Both),
            ] {
                item(ui, text, CanvasEvent::Expand { node: key.clone(), direction }, events);
            }
            item(ui, "Expand with filter…", CanvasEvent::ExpandWithFilter(key.clone()), events);
            item(ui, "Collapse", CanvasEvent::Collapse(key.clone()), events);
        }
    }
    ui.separator();
    item(ui, "Hide", CanvasEvent::Hide(key.clone()), events);
    if node.view.pinned {
        item(ui, "Unpin", CanvasEvent::Unpin(key.clone()), events);
    } else {
        item(ui, "Pin", CanvasEvent::Pin(key.clone()), events);
    }
    ui.separator();
    if !matches!(key, NodeKey::Aggregate(_)) {
        item(ui, "Label as…", CanvasEvent::LabelAs(key.clone()), events);
    }
    item(ui, "Add note…", CanvasEvent::AddNote(key.clone()), events);
    if !matches!(key, NodeKey::Aggregate(_)) {
        item(ui, "Find the other side", CanvasEvent::FindOtherSide(key.clone()), events);
        if let NodeKey::Address { chain, .. } = key
            && registry().chain(chain).is_ok_and(|c| c.model == crate::model::ChainModel::Utxo)
        {
            item(ui, "Follow the peel chain from here", CanvasEvent::FollowPeel(key.clone()), events);
        }
        ui.separator();
        copy_entries(ui, key);
    }
}

/// Copy the address (or hash) and the explorer URL of a node.
fn copy_entries(ui: &mut Ui, key: &NodeKey) {
    if !matches!(key, NodeKey::Aggregate(_)) {
        let copy_label = if matches!(key, NodeKey::Tx { .. }) { "Copy transaction hash" } else { "Copy address" };
        if let Some(text) = copy_text(key)
            && ui.button(copy_label).clicked()
        {
            ui.ctx().copy_text(text);
            ui.close();
        }
        if let Some(url) = explorer_url(key)
            && ui.button("Copy explorer URL").on_hover_text(&url).clicked()
        {
            ui.ctx().copy_text(url);
            ui.close();
        }
    }
}

/// The right-click menu of an edge.
pub fn edge_menu(ui: &mut Ui, from: &NodeKey, to: &NodeKey, events: &mut Vec<CanvasEvent>) {
    item(ui, "Show transfers", CanvasEvent::ShowTransfers { from: from.clone(), to: to.clone() }, events);
}

/// The right-click menu of the empty canvas.
pub fn canvas_menu(ui: &mut Ui, fit_requested: &mut bool) {
    if ui.button("Fit to view").clicked() {
        *fit_requested = true;
        ui.close();
    }
}

fn totals_ui(ui: &mut Ui, totals: &std::collections::BTreeMap<(String, String), Total>) {
    for ((chain, asset), amount) in totals {
        let exact = format_amount(*amount, &asset_info(chain, asset));
        ui.label(crate::model::readable_amount_text(&exact)).on_hover_text(format!("exactly {exact}"));
    }
}

fn times_ui(ui: &mut Ui, first: Option<i64>, last: Option<i64>) {
    match (first, last) {
        (Some(a), Some(b)) if a == b => {
            ui.label(format!("Time: {}", iso_time(a)));
        }
        (Some(a), Some(b)) => {
            ui.label(format!("First: {}", iso_time(a)));
            ui.label(format!("Last: {}", iso_time(b)));
        }
        _ => {}
    }
}

/// The hover tooltip of a node: full address, chain, category, every label with its source.
pub fn node_tooltip(ui: &mut Ui, node: &GraphNode) {
    ui.set_max_width(460.0);
    match &node.key {
        NodeKey::Address { address, .. } => {
            ui.label(RichText::new(address).monospace().strong());
        }
        NodeKey::Tx { hash, .. } => {
            ui.label(RichText::new(format!("Transaction {hash}")).monospace().strong());
        }
        NodeKey::Aggregate(_) => {
            if let Some(agg) = &node.aggregate {
                ui.label(RichText::new(aggregate_text(agg.count, agg.lower_bound)).strong());
                ui.label(format!(
                    "{} counterparties, {:?} of {}",
                    agg.counterparties,
                    agg.direction,
                    agg.anchor.describe()
                ));
                totals_ui(ui, &agg.totals);
                times_ui(ui, agg.first_time, agg.last_time);
            }
        }
    }
    if let Some(chain) = node_chain(&node.key) {
        let name = registry().chain(chain).map_or_else(|_| chain.to_owned(), |c| c.name.clone());
        ui.label(format!("Chain: {name}"));
    }
    ui.label(format!("Category: {}", node.category.name()));
    let mut flags = Vec::new();
    if node.seed {
        flags.push("seed");
    }
    if node.view.pinned {
        flags.push("pinned");
    }
    if !flags.is_empty() {
        ui.label(flags.join(", "));
    }
    if let Some(entity) = &node.view.entity {
        ui.label(format!("Entity: {entity}"));
    }
    for l in &node.case_labels {
        ui.label(format!("{} ({}) — {}, by {}", l.entity, l.category.name(), l.source, l.author));
    }
    for l in &node.labels {
        let actor = l.actor.as_deref().map(|a| format!(", actor {a}")).unwrap_or_default();
        ui.label(format!("{} ({}{actor}) — {}", l.entity, l.category.name(), l.source));
    }
}

/// The hover tooltip of an edge: count, totals per asset, first and last time.
pub fn edge_tooltip(ui: &mut Ui, graph: &InvestigationGraph, edge: EdgeIndex) {
    let Some(w) = graph.graph.edge_weight(edge) else { return };
    if let Some((a, b)) = graph.graph.edge_endpoints(edge) {
        let name = |i| graph.graph.node_weight(i).map(|n: &GraphNode| super::info::node_label(n)).unwrap_or_default();
        ui.label(RichText::new(format!("{} → {}", name(a), name(b))).strong());
    }
    ui.label(if w.count == 1 { "1 transfer".to_owned() } else { format!("{} transfers", w.count) });
    if let Some((a, b)) = graph.graph.edge_endpoints(edge) {
        let zero = |i| graph.graph.node_weight(i).is_some_and(|n: &GraphNode| crate::graph::text::is_mint_burn(&n.key));
        if zero(a) {
            ui.label("minted");
        } else if zero(b) {
            ui.label("burned");
        }
    }
    totals_ui(ui, &w.totals);
    if w.unknown_amounts > 0 {
        ui.label(format!("{} of {}", w.unknown_amounts, crate::ledger::UNKNOWN_AMOUNT));
    }
    times_ui(ui, w.first_time, w.last_time);
}
