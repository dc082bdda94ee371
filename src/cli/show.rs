//! What `hoptrace show` prints: the case's nodes, edges, aggregates and hops, as text or JSON
//! (amounts as decimal strings of base units).

use std::fmt::Write as _;
use std::path::Path;

use hoptrace::case::{AuditError, NodeKey};
use hoptrace::graph::hop_rules::{TIME_ORDER_OVERRIDE, shared_transfers};
use hoptrace::graph::text::{MINT_BURN_TITLE, is_mint_burn, mint_or_burn};
use hoptrace::graph::{GraphEdge, Investigation, InvestigationGraph};
use hoptrace::ledger::UNKNOWN_AMOUNT;
use hoptrace::ledger::{AnyLedger, LedgerSource};
use hoptrace::model::{HopStatus, registry};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use serde_json::{Value, json};

fn key_json(k: &NodeKey) -> Value {
    match k {
        NodeKey::Address { chain, address } => json!({"kind": "address", "chain": chain, "address": address}),
        NodeKey::Tx { chain, hash } => json!({"kind": "tx", "chain": chain, "hash": hash}),
        NodeKey::Aggregate(id) => json!({"kind": "aggregate", "id": id}),
    }
}

/// The earlier accepted hops that accepted hop `id` shares transfers with (same role), with the
/// shared transfers: empty for a hop that is not accepted.
fn double_counts(c: &hoptrace::case::Case, id: u64) -> Vec<(u64, Vec<i64>)> {
    let Some(h) = c.hops.get(&id).filter(|h| h.status == HopStatus::Accepted) else { return Vec::new() };
    c.hops
        .range(..id)
        .filter(|(_, o)| o.status == HopStatus::Accepted)
        .map(|(o, other)| (*o, shared_transfers(h, other)))
        .filter(|(_, t)| !t.is_empty())
        .collect()
}

fn totals_json(totals: &std::collections::BTreeMap<(String, String), hoptrace::model::Total>) -> Value {
    totals
        .iter()
        .map(|((chain, asset), a)| json!({"chain": chain, "asset": asset, "amount_base_units": a.to_string()}))
        .collect()
}

fn edge_totals(e: &GraphEdge) -> String {
    e.totals.iter().map(|((c, a), v)| registry().display_amount(c, a, *v)).collect::<Vec<_>>().join(" + ")
}

fn time(t: Option<i64>) -> String {
    t.map_or_else(|| "?".to_owned(), hoptrace::model::format_utc)
}

/// The JSON view.
pub fn json(
    inv: &Investigation<AnyLedger>,
    g: &InvestigationGraph,
    bound: bool,
    audit: &Result<(), AuditError>,
) -> Value {
    let c = inv.case();
    let nodes: Vec<Value> = g
        .graph
        .node_weights()
        .map(|n| {
            let mut v = key_json(&n.key);
            v["category"] = json!(n.category.name());
            v["seed"] = json!(n.seed);
            v["hidden"] = json!(n.view.hidden);
            v["pinned"] = json!(n.view.pinned);
            v["entity"] = json!(n.view.entity);
            v["position"] = json!(n.view.position.map(|(x, y)| [x, y]));
            v["labels"] = n
                .labels
                .iter()
                .map(|l| json!({"entity": l.entity, "category": l.category.name(), "source": l.source, "confidence": l.confidence}))
                .chain(n.case_labels.iter().map(|l| json!({"entity": l.entity, "category": l.category.name(), "source": l.source, "author": l.author})))
                .collect();
            v
        })
        .collect();
    let edges: Vec<Value> = g
        .graph
        .edge_references()
        .map(|e| {
            let (a, b) = (&g.graph[e.source()].key, &g.graph[e.target()].key);
            let w = e.weight();
            json!({
                "from": key_json(a), "to": key_json(b), "count": w.count, "totals": totals_json(&w.totals),
                "unknown_amounts": w.unknown_amounts,
                "first_time": w.first_time, "last_time": w.last_time, "transfers": w.transfers,
            })
        })
        .collect();
    let transfers: Vec<Value> = c
        .transfers
        .iter()
        .filter_map(|id| inv.transfer(*id))
        .map(|r| {
            let t = &r.transfer;
            json!({
                "id": r.id, "chain": t.chain, "tx_hash": t.tx_hash, "kind": t.kind.name(), "position": t.position,
                "time": t.time, "block": t.block, "from": t.from, "to": t.to, "asset": t.asset,
                "amount_base_units": r.amount().map(|a| a.to_string()), "amount_unknown": r.amount().is_none(),
                "mint_burn": mint_or_burn(t), "method": t.method,
                "source_file": r.provenance.file_name, "source_line": r.provenance.line,
            })
        })
        .collect();
    let hops: Vec<Value> = c
        .hops
        .iter()
        .map(|(id, h)| {
            let twice: Vec<Value> =
                double_counts(c, *id).into_iter().map(|(o, t)| json!({"hop": o, "transfers": t})).collect();
            json!({"id": id, "kind": h.kind, "inbound": h.inbound, "outbound": h.outbound, "confidence": h.confidence,
                   "rationale": h.rationale, "features": h.features, "status": h.status, "author": h.author, "time": h.time,
                   "counts_value_twice_with": twice})
        })
        .collect();
    let aggregates: Vec<Value> = c
        .aggregates
        .iter()
        .map(|(id, a)| {
            json!({"id": id, "anchor": key_json(&a.anchor), "direction": a.direction, "count": a.count,
                   "at_least": a.lower_bound, "counterparties": a.counterparties, "totals": totals_json(&a.totals),
                   "first_time": a.first_time, "last_time": a.last_time})
        })
        .collect();
    json!({
        "case": {"id": c.id, "title": c.title, "investigator": c.investigator, "created": c.created, "modified": c.modified,
                 "ledger": c.ledger.path, "ledger_fingerprint": c.ledger.fingerprint, "ledger_matches": bound,
                 "seeds": c.seeds.iter().map(key_json).collect::<Vec<_>>()},
        "nodes": nodes, "edges": edges, "transfers": transfers, "aggregates": aggregates, "hops": hops,
        "audit": {"entries": c.audit.len(), "intact": audit.is_ok(),
                  "problem": audit.as_ref().err().map(ToString::to_string),
                  "head": c.audit.last().map(|e| e.hash.clone())},
    })
}

/// The text view.
pub fn text(
    case_path: &Path,
    ledger: &LedgerSource,
    inv: &Investigation<AnyLedger>,
    g: &InvestigationGraph,
    bound: bool,
    audit: &Result<(), AuditError>,
) -> String {
    let c = inv.case();
    let mut s = String::new();
    let _ = writeln!(s, "Case {:?} ({}) by {} — {}", c.title, c.id, c.investigator, case_path.display());
    let _ = writeln!(
        s,
        "Ledger {} ({})",
        ledger,
        if bound { "content as when the case was saved" } else { "CHANGED since the case was saved: new imports" }
    );
    let _ = writeln!(s, "Seeds: {}", c.seeds.iter().map(NodeKey::describe).collect::<Vec<_>>().join(", "));
    let _ = writeln!(s, "Nodes ({}):", g.graph.node_count());
    for n in g.graph.node_weights() {
        let labels: Vec<String> = n
            .case_labels
            .iter()
            .map(|l| format!("{} [{}, by {}]", l.entity, l.category.name(), l.author))
            .chain(n.labels.iter().map(|l| format!("{} [{}, {}]", l.entity, l.category.name(), l.source)))
            .collect();
        let mut flags = Vec::new();
        if n.seed {
            flags.push("seed".to_owned());
        }
        if is_mint_burn(&n.key) {
            flags.push(MINT_BURN_TITLE.to_owned());
        }
        if n.view.hidden {
            flags.push("hidden".to_owned());
        }
        if n.view.pinned {
            flags.push("pinned".to_owned());
        }
        if let Some(e) = &n.view.entity {
            flags.push(format!("entity {e}"));
        }
        if let Some(a) = &n.aggregate {
            flags.push(format!(
                "+{}{} more, {} counterparties",
                if a.lower_bound { "≥" } else { "" },
                a.count,
                a.counterparties
            ));
        }
        let _ = writeln!(
            s,
            "  {:<12} {}{}{}",
            n.category.name(),
            n.key.describe(),
            if flags.is_empty() { String::new() } else { format!(" ({})", flags.join(", ")) },
            if labels.is_empty() { String::new() } else { format!(" — {}", labels.join("; ")) }
        );
    }
    let _ = writeln!(s, "Edges ({}):", g.graph.edge_count());
    for e in g.graph.edge_references() {
        let w = e.weight();
        let _ = writeln!(
            s,
            "  {} → {}: {} transfer(s){}, {}{} ({} … {}){}",
            g.graph[e.source()].key.describe(),
            g.graph[e.target()].key.describe(),
            w.count,
            if is_mint_burn(&g.graph[e.source()].key) {
                " minted"
            } else if is_mint_burn(&g.graph[e.target()].key) {
                " burned"
            } else {
                ""
            },
            edge_totals(w),
            if w.unknown_amounts > 0 { format!(", {} of {UNKNOWN_AMOUNT}", w.unknown_amounts) } else { String::new() },
            time(w.first_time),
            time(w.last_time),
            if w.transfers.is_empty() {
                String::new()
            } else {
                format!(" ids {}", w.transfers.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
            }
        );
    }
    let _ = writeln!(s, "Hops ({}):", c.hops.len());
    for (id, h) in &c.hops {
        let _ = writeln!(
            s,
            "  #{id} {} {} [{:?}, confidence {}, by {}] in {:?} out {:?}: {}",
            h.kind.name(),
            h.kind.service().unwrap_or(""),
            h.status,
            h.confidence,
            h.author,
            h.inbound,
            h.outbound,
            h.rationale
        );
        if let Some(why) = h.features.get(TIME_ORDER_OVERRIDE) {
            let _ = writeln!(s, "    recorded although an outbound transfer precedes its inbound ones: {why}");
        }
        // A case saved before two accepted hops were kept apart may still count value twice.
        for (other, shared) in double_counts(c, *id) {
            let _ = writeln!(
                s,
                "    counts value twice: shares transfers {} with accepted hop #{other}: reject one of them",
                shared.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            );
        }
    }
    match audit {
        Ok(()) => {
            let _ = writeln!(s, "Audit log: {} entries, intact", c.audit.len());
        }
        Err(e) => {
            let _ = writeln!(s, "Audit log: {} entries, BROKEN: {e}", c.audit.len());
        }
    }
    s
}
