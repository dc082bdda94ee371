//! `graph.graphml`: the case graph in GraphML 1.0 (valid against the graphdrawing.org XSD).
//!
//! Nodes are the case's nodes in case order (`n0`, `n1`, …): addresses, UTXO transactions and
//! "+N more" aggregates. Edges are one per transfer on the graph (`t<id>`, in id order), then
//! one per aggregate from or to its anchor (`a<id>`), so tools that count edges count
//! transfers. Amounts are strings (exact base units, and display units when the decimals are
//! known); text is escaped by the XML writer and characters XML cannot hold become U+FFFD.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Evidence, ExportError};
use crate::case::NodeKey;
use crate::ledger::Direction;
use crate::package::rfc3339;

/// `(id, for, name, type)` of every `<key>`.
const KEYS: [(&str, &str, &str, &str); 21] = [
    ("nk", "node", "kind", "string"),
    ("nc", "node", "chain", "string"),
    ("na", "node", "address", "string"),
    ("nl", "node", "label", "string"),
    ("ncat", "node", "category", "string"),
    ("ns", "node", "seed", "boolean"),
    ("nh", "node", "hops", "string"),
    ("ne", "node", "entity", "string"),
    ("nhid", "node", "hidden", "boolean"),
    ("nn", "node", "count", "long"),
    ("ek", "edge", "kind", "string"),
    ("et", "edge", "transfers", "string"),
    ("etx", "edge", "tx_hash", "string"),
    ("ec", "edge", "chain", "string"),
    ("eas", "edge", "asset", "string"),
    ("esym", "edge", "symbol", "string"),
    ("eam", "edge", "amount", "string"),
    ("ead", "edge", "amount_display", "string"),
    ("eti", "edge", "time", "string"),
    ("en", "edge", "count", "long"),
    ("eh", "edge", "hops", "string"),
];

/// Replaces characters XML 1.0 cannot hold (control characters but tab, CR and LF; U+FFFE,
/// U+FFFF) with U+FFFD.
fn xml_safe(s: &str) -> Cow<'_, str> {
    let bad = |c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}');
    if s.contains(bad) {
        Cow::Owned(s.chars().map(|c| if bad(c) { '\u{fffd}' } else { c }).collect())
    } else {
        Cow::Borrowed(s)
    }
}

fn data(w: &mut Writer<Vec<u8>>, key: &str, value: &str) -> io::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let text = xml_safe(value);
    w.create_element("data").with_attribute(("key", key)).write_text_content(BytesText::new(&text))?;
    Ok(())
}

fn join(set: Option<&BTreeSet<u64>>) -> String {
    set.map(|s| s.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

/// The GraphML document.
pub(crate) fn write(ev: &Evidence) -> Result<Vec<u8>, ExportError> {
    write_doc(ev).map_err(|e| ExportError::Encode { file: "graph.graphml", message: e.to_string() })
}

fn write_doc(ev: &Evidence) -> io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::with_capacity(1 << 20), b' ', 1);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let hop_nodes = ev.hops_by_node();
    let hop_transfers = ev.hops_by_transfer();
    let ids: HashMap<&NodeKey, String> = ev.case.nodes.keys().enumerate().map(|(i, k)| (k, format!("n{i}"))).collect();
    w.create_element("graphml")
        .with_attributes([
            ("xmlns", "http://graphml.graphdrawing.org/xmlns"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
            ),
        ])
        .write_inner_content(|w| {
            for (id, for_, name, ty) in KEYS {
                w.create_element("key")
                    .with_attributes([("id", id), ("for", for_), ("attr.name", name), ("attr.type", ty)])
                    .write_empty()?;
            }
            w.create_element("graph")
                .with_attributes([("id", "case"), ("edgedefault", "directed")])
                .write_inner_content(|w| {
                    nodes(w, ev, &ids, &hop_nodes)?;
                    edges(w, ev, &ids, &hop_transfers)
                })?;
            Ok(())
        })?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

fn nodes(
    w: &mut Writer<Vec<u8>>,
    ev: &Evidence,
    ids: &HashMap<&NodeKey, String>,
    hop_nodes: &BTreeMap<NodeKey, BTreeSet<u64>>,
) -> io::Result<()> {
    for (key, view) in &ev.case.nodes {
        let Some(id) = ids.get(key) else { continue };
        let node = ev.graph.node(key);
        w.create_element("node").with_attribute(("id", id.as_str())).write_inner_content(|w| {
            let (kind, chain, address) = match key {
                NodeKey::Address { chain, address } => ("address", chain.as_str(), address.clone()),
                NodeKey::Tx { chain, hash } => ("tx", chain.as_str(), hash.clone()),
                NodeKey::Aggregate(id) => ("aggregate", "", id.to_string()),
            };
            data(w, "nk", kind)?;
            data(w, "nc", chain)?;
            data(w, "na", &address)?;
            if let Some(n) = node {
                let labels: Vec<&str> = n
                    .case_labels
                    .iter()
                    .map(|l| l.entity.as_str())
                    .chain(n.labels.iter().map(|l| l.entity.as_str()))
                    .collect();
                data(w, "nl", &labels.join(" | "))?;
                data(w, "ncat", n.category.name())?;
                data(w, "ns", if n.seed { "true" } else { "false" })?;
                if let Some(a) = &n.aggregate {
                    data(w, "nn", &a.count.to_string())?;
                }
            }
            data(w, "nh", &join(hop_nodes.get(key)))?;
            data(w, "ne", view.entity.as_deref().unwrap_or_default())?;
            data(w, "nhid", if view.hidden { "true" } else { "false" })?;
            Ok(())
        })?;
    }
    Ok(())
}

fn edges(
    w: &mut Writer<Vec<u8>>,
    ev: &Evidence,
    ids: &HashMap<&NodeKey, String>,
    hop_transfers: &BTreeMap<i64, BTreeSet<u64>>,
) -> io::Result<()> {
    for tid in &ev.case.transfers {
        let Some(row) = ev.rows.get(tid) else { continue };
        let t = &row.transfer;
        let (Some(a), Some(b)) = crate::graph::endpoints(t) else { continue };
        let (Some(src), Some(dst)) = (ids.get(&a), ids.get(&b)) else { continue };
        let edge_id = format!("t{tid}");
        let asset = ev.asset(&t.chain, &t.asset);
        w.create_element("edge")
            .with_attributes([("id", edge_id.as_str()), ("source", src.as_str()), ("target", dst.as_str())])
            .write_inner_content(|w| {
                data(w, "ek", t.kind.name())?;
                data(w, "et", &tid.to_string())?;
                data(w, "etx", &t.tx_hash)?;
                data(w, "ec", &t.chain)?;
                data(w, "eas", &t.asset)?;
                data(w, "esym", asset.and_then(|a| a.symbol.as_deref()).unwrap_or_default())?;
                data(w, "eam", &t.amount_base.to_string())?;
                let display = asset.and_then(|a| a.decimals).map(|d| t.amount_base.format_units(d));
                data(w, "ead", display.as_deref().unwrap_or_default())?;
                data(w, "eti", &t.time.map(rfc3339).unwrap_or_default())?;
                data(w, "en", "1")?;
                data(w, "eh", &join(hop_transfers.get(tid)))
            })?;
    }
    for (id, agg) in &ev.case.aggregates {
        let (Some(anchor), Some(node)) = (ids.get(&agg.anchor), ids.get(&NodeKey::Aggregate(*id))) else { continue };
        let (src, dst) = if agg.direction == Direction::Out { (anchor, node) } else { (node, anchor) };
        let edge_id = format!("a{id}");
        let totals: Vec<String> = agg.totals.iter().map(|((c, a), v)| format!("{v} {c}:{a}")).collect();
        w.create_element("edge")
            .with_attributes([("id", edge_id.as_str()), ("source", src.as_str()), ("target", dst.as_str())])
            .write_inner_content(|w| {
                data(w, "ek", "aggregate")?;
                data(w, "eam", &totals.join(" + "))?;
                data(w, "en", &agg.count.to_string())
            })?;
    }
    Ok(())
}
