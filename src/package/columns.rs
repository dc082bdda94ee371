//! The columns of the package's CSV tables (`transfers.csv`, `hops.csv`, `labels.csv`,
//! `notes.csv`) and the cells of their rows, as the writer ([`crate::export`]) writes them and
//! the verifier compares them.

use super::rfc3339;
use crate::case::{Case, NodeKey, NoteTarget};
use crate::ledger::TransferRow;
use crate::model::{HopKind, registry};

/// The header of `transfers.csv`.
pub const TRANSFER_COLUMNS: [&str; 21] = [
    "id",
    "chain",
    "tx_hash",
    "kind",
    "position",
    "block",
    "time",
    "from",
    "to",
    "asset",
    "symbol",
    "decimals",
    "amount_base_units",
    "amount",
    "fee_base_units",
    "fee",
    "failed",
    "source_file",
    "source_sha256",
    "source_line",
    "explorer_url",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Symbol and decimals of a (chain, asset).
pub(crate) type AssetLookup<'a> = &'a dyn Fn(&str, &str) -> (Option<String>, Option<u8>);

/// The cells of one `transfers.csv` row (before neutralising), with symbol and decimals
/// looked up by `asset(chain, asset)`. `hoptrace verify --ledger` rebuilds them from the
/// ledger to compare.
pub(crate) fn transfer_cells(r: &TransferRow, asset: AssetLookup<'_>) -> Vec<String> {
    let t = &r.transfer;
    let (symbol, decimals) = asset(&t.chain, &t.asset);
    let native_decimals = registry().chain(&t.chain).ok().map(|c| c.decimals);
    let url = registry().chain(&t.chain).map(|c| c.tx_url.replace("{tx}", &t.tx_hash)).unwrap_or_default();
    vec![
        r.id.to_string(),
        t.chain.clone(),
        t.tx_hash.clone(),
        t.kind.name().to_owned(),
        opt(t.position),
        opt(t.block),
        t.time.map(rfc3339).unwrap_or_default(),
        t.from.clone().unwrap_or_default(),
        t.to.clone().unwrap_or_default(),
        t.asset.clone(),
        symbol.unwrap_or_default(),
        opt(decimals),
        // An unknown amount is an empty cell and says so, never a zero.
        r.amount().map(|a| a.to_string()).unwrap_or_default(),
        match r.amount() {
            Some(a) => decimals.map(|d| a.format_units(d)).unwrap_or_default(),
            None => crate::ledger::UNKNOWN_AMOUNT.to_owned(),
        },
        opt(t.fee_base),
        t.fee_base.zip(native_decimals).map(|(f, d)| f.format_units(d)).unwrap_or_default(),
        t.failed.to_string(),
        r.provenance.file_name.clone(),
        r.provenance.file_sha256.clone(),
        r.provenance.line.to_string(),
        url,
    ]
}

fn ids(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}

/// The header of `hops.csv`.
pub const HOP_COLUMNS: [&str; 14] = [
    "id",
    "kind",
    "service",
    "pool",
    "from_chain",
    "to_chain",
    "inbound_transfers",
    "outbound_transfers",
    "confidence",
    "rationale",
    "status",
    "author",
    "time",
    "features",
];

/// The rows of `hops.csv` (before neutralising), by hop id: `hoptrace verify` compares the
/// file with them.
pub(crate) fn hop_rows(case: &Case) -> Vec<Vec<String>> {
    case.hops
        .iter()
        .map(|(id, h)| {
            let (pool, from_chain, to_chain) = match &h.kind {
                HopKind::Mixer { pool, .. } => (pool.clone().unwrap_or_default(), String::new(), String::new()),
                HopKind::Bridge { from_chain, to_chain, .. } => (String::new(), from_chain.clone(), to_chain.clone()),
                _ => (String::new(), String::new(), String::new()),
            };
            let status = match h.status {
                crate::model::HopStatus::Suggested => "suggested",
                crate::model::HopStatus::Accepted => "accepted",
                crate::model::HopStatus::Rejected => "rejected",
            };
            vec![
                id.to_string(),
                h.kind.name().to_owned(),
                h.kind.service().unwrap_or_default().to_owned(),
                pool,
                from_chain,
                to_chain,
                ids(&h.inbound),
                ids(&h.outbound),
                h.confidence.to_string(),
                h.rationale.clone(),
                status.to_owned(),
                h.author.clone(),
                rfc3339(h.time),
                h.features.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "),
            ]
        })
        .collect()
}

fn node_parts(k: &NodeKey) -> (String, String) {
    match k {
        NodeKey::Address { chain, address } => (chain.clone(), address.clone()),
        NodeKey::Tx { chain, hash } => (chain.clone(), format!("tx {hash}")),
        NodeKey::Aggregate(id) => (String::new(), format!("aggregate {id}")),
    }
}

/// The header of `labels.csv`.
pub const LABEL_COLUMNS: [&str; 15] = [
    "origin",
    "label_id",
    "chain",
    "address",
    "entity",
    "category",
    "source_category",
    "actor",
    "source",
    "confidence",
    "valid_from",
    "valid_to",
    "added_by",
    "time",
    "source_line",
];

/// The `case` rows of `labels.csv` (before neutralising): the investigator's labels by id.
pub(crate) fn case_label_rows(case: &Case) -> Vec<Vec<String>> {
    case.labels
        .iter()
        .map(|(id, l)| {
            let (chain, address) = node_parts(&l.node);
            vec![
                "case".to_owned(),
                id.to_string(),
                chain,
                address,
                l.entity.clone(),
                l.category.name().to_owned(),
                String::new(),
                String::new(),
                l.source.clone(),
                String::new(),
                String::new(),
                String::new(),
                l.author.clone(),
                rfc3339(l.time),
                String::new(),
            ]
        })
        .collect()
}

/// What a note is about, as text: `case`, `node ethereum:0x…`, `transfer 12`, `hop 3`.
#[must_use]
pub fn note_target(t: &NoteTarget) -> String {
    match t {
        NoteTarget::Case => "case".to_owned(),
        NoteTarget::Node(k) => format!("node {}", k.describe()),
        NoteTarget::Transfer(id) => format!("transfer {id}"),
        NoteTarget::Hop(id) => format!("hop {id}"),
    }
}

/// The header of `notes.csv`.
pub const NOTE_COLUMNS: [&str; 5] = ["id", "target", "text", "author", "time"];

/// The rows of `notes.csv` (before neutralising), by note id.
pub(crate) fn note_rows(case: &Case) -> Vec<Vec<String>> {
    case.notes
        .iter()
        .map(|(id, n)| vec![id.to_string(), note_target(&n.target), n.text.clone(), n.author.clone(), rfc3339(n.time)])
        .collect()
}
