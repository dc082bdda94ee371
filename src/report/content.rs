//! The text of the reports, shared by the HTML page and the PDF so both say the same: the
//! summary, hop rows with their transfers in display units, labels grouped by address (with
//! conflicts flagged), notes and the audit summary. Plain strings: each document escapes or
//! lays them out itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::ReportInput;
use crate::case::{NodeKey, NoteTarget};
use crate::graph::text::{iso_time, short_address, transfer_time};
use crate::ledger::TransferRow;
use crate::model::{HopKind, HopStatus, registry};

/// One transfer as a line: `#12 ethereum tx 0x…(full hash): 0x1234…abcd → 0x5678…ef01, 1.5 ETH, 2023-06-03T…Z`.
fn transfer_line(id: i64, rows: &HashMap<i64, &TransferRow>) -> String {
    let Some(r) = rows.get(&id) else {
        return format!("#{id} (not among the case's ledger rows)");
    };
    let t = &r.transfer;
    let party = |a: &Option<String>| a.as_deref().map_or_else(|| "tx".to_owned(), short_address);
    let amount = match r.amount() {
        Some(a) => registry().display_amount(&t.chain, &t.asset, a),
        None => crate::ledger::UNKNOWN_AMOUNT.to_owned(),
    };
    let amount = match crate::graph::text::mint_or_burn(t) {
        Some(word) => format!("{amount} {word}"),
        None => amount,
    };
    let time = transfer_time(t.time, t.block);
    format!("#{id} {} tx {}: {} → {}, {amount}, {time}", t.chain, t.tx_hash, party(&t.from), party(&t.to))
}

/// Key/value lines of the summary.
#[must_use]
pub fn summary(input: &ReportInput) -> Vec<(&'static str, String)> {
    let c = input.case;
    let imported: BTreeSet<(&str, &str)> =
        input.labels.iter().map(|l| (l.chain.as_str(), l.address.as_str())).collect();
    let mut rows = vec![
        ("Case id", c.id.clone()),
        ("Title", c.title.clone()),
        ("Investigator", c.investigator.clone()),
        ("Created", iso_time(c.created)),
        ("Last changed", iso_time(c.modified)),
        ("Exported", iso_time(input.exported_at)),
        ("Tool version", format!("hoptrace {}", input.tool_version)),
        ("Ledger fingerprint", input.ledger_fingerprint.to_owned()),
    ];
    if c.ledger.fingerprint != input.ledger_fingerprint {
        rows.push(("Case bound to", c.ledger.fingerprint.clone()));
    }
    rows.extend([
        ("Seeds", c.seeds.len().to_string()),
        ("Nodes", c.nodes.len().to_string()),
        ("Transfers", c.transfers.len().to_string()),
        ("Aggregates (+N more)", c.aggregates.len().to_string()),
        ("Hops", c.hops.len().to_string()),
        (
            "Labels",
            format!(
                "{} by the investigator, {} imported ({} addresses)",
                c.labels.len(),
                input.labels.len(),
                imported.len()
            ),
        ),
        ("Notes", c.notes.len().to_string()),
        ("Audit entries", c.audit.len().to_string()),
        ("Audit chain", audit_status(input)),
    ]);
    rows
}

/// `verified` or `NOT verified: why`.
#[must_use]
pub fn audit_status(input: &ReportInput) -> String {
    match &input.audit_verified {
        Ok(()) => "verified: every entry hash-chained, the case in the state the last entry recorded".to_owned(),
        Err(e) => format!("NOT verified: {e}"),
    }
}

/// A hop as table cells.
#[derive(Debug, Clone)]
pub struct HopRow {
    /// `#3`.
    pub id: String,
    /// `mixer`.
    pub kind: String,
    /// Service, bridge or venue (with the pool).
    pub service: String,
    /// Chains involved (`ethereum → bitcoin` for a bridge).
    pub chains: String,
    /// Inbound transfers, one line each.
    pub inbound: Vec<String>,
    /// Outbound transfers, one line each.
    pub outbound: Vec<String>,
    /// `55%`.
    pub confidence: String,
    /// The rationale, then the features it cites.
    pub rationale: String,
    /// `accepted`.
    pub status: String,
    /// Author and time.
    pub author: String,
}

/// Every hop of the case, by id.
#[must_use]
pub fn hops(input: &ReportInput) -> Vec<HopRow> {
    let rows: HashMap<i64, &TransferRow> = input.transfers.iter().map(|r| (r.id, r)).collect();
    input
        .case
        .hops
        .iter()
        .map(|(id, hop)| {
            let chains = match &hop.kind {
                HopKind::Bridge { from_chain, to_chain, .. } => format!("{from_chain} → {to_chain}"),
                _ => {
                    let set: BTreeSet<&str> = hop
                        .inbound
                        .iter()
                        .chain(&hop.outbound)
                        .filter_map(|t| rows.get(t).map(|r| r.transfer.chain.as_str()))
                        .collect();
                    set.into_iter().collect::<Vec<_>>().join(", ")
                }
            };
            let service = match &hop.kind {
                HopKind::Mixer { service, pool: Some(pool) } => format!("{service} ({pool})"),
                other => other.service().unwrap_or("").to_owned(),
            };
            let mut rationale = hop.rationale.clone();
            if !hop.features.is_empty() {
                let f: Vec<String> = hop.features.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                rationale.push_str(&format!("\nFeatures: {}", f.join("; ")));
            }
            HopRow {
                id: format!("#{id}"),
                kind: hop.kind.name().replace('_', " "),
                service,
                chains,
                inbound: hop.inbound.iter().map(|t| transfer_line(*t, &rows)).collect(),
                outbound: hop.outbound.iter().map(|t| transfer_line(*t, &rows)).collect(),
                confidence: format!("{}%", hop.confidence),
                rationale,
                status: match hop.status {
                    HopStatus::Suggested => "suggested",
                    HopStatus::Accepted => "accepted",
                    HopStatus::Rejected => "rejected",
                }
                .to_owned(),
                author: format!("{}, {}", hop.author, iso_time(hop.time)),
            }
        })
        .collect()
}

/// One label as cells.
#[derive(Debug, Clone)]
pub struct LabelRow {
    /// Entity or label text.
    pub entity: String,
    /// Category.
    pub category: String,
    /// Source (citation), with who added it.
    pub source: String,
    /// Confidence as the source spelled it.
    pub confidence: String,
    /// Validity or time added.
    pub dates: String,
    /// `investigator` or `imported`.
    pub origin: &'static str,
}

/// The labels of one node.
#[derive(Debug, Clone)]
pub struct LabelGroup {
    /// `chain:address`.
    pub node: String,
    /// The chain.
    pub chain: String,
    /// The address (or the node's description when it is not an address).
    pub address: String,
    /// Every label, investigator's first.
    pub labels: Vec<LabelRow>,
    /// The labels disagree (different entities or categories).
    pub conflict: bool,
}

/// Labels grouped by node (sorted), investigator's and imported.
#[must_use]
pub fn labels(input: &ReportInput) -> Vec<LabelGroup> {
    let mut groups: BTreeMap<NodeKey, Vec<LabelRow>> = BTreeMap::new();
    for l in input.case.labels.values() {
        groups.entry(l.node.clone()).or_default().push(LabelRow {
            entity: l.entity.clone(),
            category: l.category.name().to_owned(),
            source: format!("{} (by {})", l.source, l.author),
            confidence: String::new(),
            dates: format!("added {}", iso_time(l.time)),
            origin: "investigator",
        });
    }
    for l in input.labels {
        let mut source = l.source.clone();
        if let Some(by) = &l.added_by {
            source.push_str(&format!(" (by {by})"));
        }
        let dates = match (&l.valid_from, &l.valid_to) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            (Some(a), None) => format!("from {a}"),
            (None, Some(b)) => format!("until {b}"),
            (None, None) => String::new(),
        };
        let mut category = l.category.name().to_owned();
        if let Some(sc) = l.source_category.as_ref().filter(|s| **s != category) {
            category.push_str(&format!(" ({sc})"));
        }
        if let Some(actor) = &l.actor {
            category.push_str(&format!(", actor {actor}"));
        }
        groups.entry(NodeKey::address(l.chain.clone(), l.address.clone())).or_default().push(LabelRow {
            entity: l.entity.clone(),
            category,
            source,
            confidence: l.confidence.clone().unwrap_or_default(),
            dates,
            origin: "imported",
        });
    }
    groups
        .into_iter()
        .map(|(node, labels)| {
            let entities: BTreeSet<String> = labels.iter().map(|l| l.entity.trim().to_lowercase()).collect();
            let categories: BTreeSet<&str> =
                labels.iter().map(|l| l.category.split([' ', ',']).next().unwrap_or("")).collect();
            let (chain, address) = match &node {
                NodeKey::Address { chain, address } => (chain.clone(), address.clone()),
                NodeKey::Tx { chain, hash } => (chain.clone(), format!("tx {hash}")),
                NodeKey::Aggregate(_) => (String::new(), node.describe()),
            };
            LabelGroup {
                conflict: entities.len() > 1 || categories.len() > 1,
                node: node.describe(),
                chain,
                address,
                labels,
            }
        })
        .collect()
}

/// A note as cells: target, text, author and time.
#[must_use]
pub fn notes(input: &ReportInput) -> Vec<[String; 3]> {
    input
        .case
        .notes
        .values()
        .map(|n| {
            let target = match &n.target {
                NoteTarget::Case => "the case".to_owned(),
                NoteTarget::Node(k) => k.describe(),
                NoteTarget::Transfer(t) => format!("transfer #{t}"),
                NoteTarget::Hop(h) => format!("hop #{h}"),
            };
            [target, n.text.clone(), format!("{}, {}", n.author, iso_time(n.time))]
        })
        .collect()
}

/// Audit summary lines.
#[must_use]
pub fn audit(input: &ReportInput) -> Vec<(&'static str, String)> {
    let log = &input.case.audit;
    let mut rows = vec![("Entries", log.len().to_string()), ("Chain", audit_status(input))];
    if let (Some(first), Some(last)) = (log.first(), log.last()) {
        rows.push((
            "First entry",
            format!("#{} {} by {}, {}", first.seq, first.command.name(), first.investigator, iso_time(first.time)),
        ));
        rows.push((
            "Last entry",
            format!("#{} {} by {}, {}", last.seq, last.command.name(), last.investigator, iso_time(last.time)),
        ));
        rows.push(("Head hash", last.hash.clone()));
        rows.push(("Case state hash", last.state.clone()));
    }
    let mut by_command: BTreeMap<&str, usize> = BTreeMap::new();
    for e in log {
        *by_command.entry(e.command.name()).or_default() += 1;
    }
    if !by_command.is_empty() {
        let list: Vec<String> = by_command.iter().map(|(k, v)| format!("{k} ×{v}")).collect();
        rows.push(("Commands", list.join(", ")));
    }
    rows
}
