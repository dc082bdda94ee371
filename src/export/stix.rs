//! `stix.json`: a STIX 2.1 bundle for threat-intelligence sharing.
//!
//! - one `identity` (the investigator), the `created_by_ref` of everything else;
//! - one `indicator` per address node, with the pattern
//!   `[cryptocurrency-wallet:value = '<address>']` (STIX 2.1 has no cryptocurrency object; this
//!   is the type OpenCTI and others use), the chain, category and labels in its name,
//!   description and `labels`, and `indicator_types` from the category;
//! - one `grouping` (context `suspicious-activity`) per hop: its kind, service, rationale and
//!   confidence, referring to the indicators of the addresses its transfers touch;
//! - one `note` per case note, about the indicator, hop grouping or report it concerns;
//! - one `report` (the case) referring to all of them.
//!
//! Identifiers are derived from content: UUIDs in version 4 form (as STIX advises for domain
//! objects) whose bits are a SHA-256 of the object's kind and key, so the same case gives the
//! same bundle. Times are the export time with milliseconds, as STIX advises.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Evidence, ExportError};
use crate::case::{NodeKey, NoteTarget};
use crate::model::Category;

/// A deterministic `type--uuid` from `key`.
fn stix_id(kind: &str, key: &str) -> String {
    let digest = Sha256::digest(format!("hoptrace-stix\u{1f}{kind}\u{1f}{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    format!("{kind}--{}", uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// STIX 2.1 asks `created` and `modified` for millisecond precision: the one time format with
/// `.000` before its `Z`.
fn stix_time(seconds: i64) -> String {
    let text = crate::model::format_utc(seconds);
    match text.strip_suffix('Z') {
        Some(t) => format!("{t}.000Z"),
        None => text,
    }
}

fn indicator_type(category: Category, seed: bool) -> &'static str {
    match category {
        Category::Actor | Category::Sanctioned => "malicious-activity",
        Category::Mixer => "anonymization",
        Category::Victim => "compromised",
        Category::Exchange | Category::Bridge | Category::Dex | Category::OtcBroker | Category::Service => "benign",
        Category::Unknown if seed => "malicious-activity",
        Category::Unknown => "unknown",
    }
}

/// STIX pattern string literal: `'` and `\` escaped.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "\\'")
}

/// The bundle.
pub(crate) fn bundle(ev: &Evidence, timestamp: i64) -> Result<Vec<u8>, ExportError> {
    let case = &ev.case;
    let time = stix_time(timestamp);
    let identity = stix_id("identity", &case.investigator);
    let report = stix_id("report", &case.id);
    let common = |kind: &str, id: &str| json!({"type": kind, "spec_version": "2.1", "id": id, "created": time, "modified": time, "created_by_ref": identity});
    let mut objects = vec![json!({
        "type": "identity", "spec_version": "2.1", "id": identity, "created": time, "modified": time,
        "name": case.investigator, "identity_class": "individual",
        "description": format!("Investigator of case {} (exported by hoptrace {})", case.id, env!("CARGO_PKG_VERSION")),
    })];
    let mut refs = vec![identity.clone()];
    let mut indicator_of: BTreeMap<&NodeKey, String> = BTreeMap::new();
    for key in case.nodes.keys() {
        let NodeKey::Address { chain, address } = key else { continue };
        let Some(node) = ev.graph.node(key) else { continue };
        let id = stix_id("indicator", &format!("{}\u{1f}{chain}\u{1f}{address}", case.id));
        let labels: Vec<String> = node
            .case_labels
            .iter()
            .map(|l| format!("{} ({}, investigator: {})", l.entity, l.category.name(), l.source))
            .chain(node.labels.iter().map(|l| format!("{} ({}, source: {})", l.entity, l.category.name(), l.source)))
            .collect();
        let mut o = common("indicator", &id);
        o["name"] = json!(format!("{chain} address {address}"));
        o["description"] = json!(format!(
            "Address on {chain} in case {} ({}){}. Category: {}.{}",
            case.id,
            case.title,
            if node.seed { ", a seed (received stolen funds)" } else { "" },
            node.category.name(),
            if labels.is_empty() { String::new() } else { format!(" Labels: {}.", labels.join("; ")) }
        ));
        o["pattern"] = json!(format!("[cryptocurrency-wallet:value = '{}']", quote(address)));
        o["pattern_type"] = json!("stix");
        o["valid_from"] = json!(time);
        o["indicator_types"] = json!([indicator_type(node.category, node.seed)]);
        o["labels"] = json!([format!("chain:{chain}"), format!("category:{}", node.category.name())]);
        objects.push(o);
        refs.push(id.clone());
        indicator_of.insert(key, id);
    }
    let mut hop_ids = BTreeMap::new();
    for (hid, h) in &case.hops {
        let id = stix_id("grouping", &format!("{}\u{1f}hop\u{1f}{hid}", case.id));
        let mut members: BTreeSet<String> = BTreeSet::new();
        for t in h.inbound.iter().chain(&h.outbound) {
            let Some(row) = ev.rows.get(t) else { continue };
            let (a, b) = crate::graph::endpoints(&row.transfer);
            members.extend([a, b].iter().flatten().filter_map(|k| indicator_of.get(k).cloned()));
        }
        if members.is_empty() {
            members.insert(identity.clone());
        }
        let mut o = common("grouping", &id);
        o["name"] = json!(format!(
            "{} hop #{hid}{}",
            h.kind.name(),
            h.kind.service().map(|s| format!(": {s}")).unwrap_or_default()
        ));
        o["description"] = json!(format!(
            "{} Confidence {}/100, {:?} by {}. Inbound transfers (ledger ids) {:?}, outbound {:?}.",
            h.rationale, h.confidence, h.status, h.author, h.inbound, h.outbound
        ));
        o["context"] = json!("suspicious-activity");
        o["confidence"] = json!(h.confidence.min(100));
        o["object_refs"] = json!(members);
        objects.push(o);
        refs.push(id.clone());
        hop_ids.insert(*hid, id);
    }
    for (nid, n) in &case.notes {
        let id = stix_id("note", &format!("{}\u{1f}note\u{1f}{nid}", case.id));
        let about: Vec<String> = match &n.target {
            NoteTarget::Node(k) => indicator_of.get(k).cloned().into_iter().collect(),
            NoteTarget::Hop(h) => hop_ids.get(h).cloned().into_iter().collect(),
            NoteTarget::Transfer(t) => ev
                .rows
                .get(t)
                .map(|row| {
                    let (a, b) = crate::graph::endpoints(&row.transfer);
                    [a, b].iter().flatten().filter_map(|k| indicator_of.get(k).cloned()).collect()
                })
                .unwrap_or_default(),
            NoteTarget::Case => Vec::new(),
        };
        let mut o = common("note", &id);
        o["abstract"] = json!(format!("Note on {}", crate::package::columns::note_target(&n.target)));
        o["content"] = json!(n.text);
        o["authors"] = json!([n.author]);
        o["object_refs"] = json!(if about.is_empty() { vec![report.clone()] } else { about });
        objects.push(o);
        refs.push(id);
    }
    let mut r = common("report", &report);
    r["name"] = json!(case.title);
    r["description"] = json!(format!(
        "hoptrace case {} by {}: {} addresses, {} transfers, {} hops. Ledger fingerprint {}; audit log head {}.",
        case.id,
        case.investigator,
        indicator_of.len(),
        case.transfers.len(),
        case.hops.len(),
        ev.ledger_fingerprint,
        case.audit.last().map_or("(empty)", |e| e.hash.as_str())
    ));
    r["report_types"] = json!(["threat-report"]);
    r["published"] = json!(time);
    r["object_refs"] = json!(refs);
    objects.push(r);
    let bundle: Value = json!({
        "type": "bundle",
        "id": stix_id("bundle", &format!("{}\u{1f}{timestamp}", case.id)),
        "objects": objects,
    });
    let mut out = serde_json::to_vec_pretty(&bundle)
        .map_err(|e| ExportError::Encode { file: "stix.json", message: e.to_string() })?;
    out.push(b'\n');
    Ok(out)
}
