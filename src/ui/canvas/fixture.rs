//! Small graphs for the canvas unit tests.

use std::collections::HashMap;

use egui::Pos2;

use crate::case::{Case, LedgerRef, NodeKey, NodeView};
use crate::graph::InvestigationGraph;
use crate::ledger::{Provenance, TransferRow};
use crate::model::{Amount, Transfer, TransferKind};

/// Address `i` on Ethereum.
pub fn key(i: usize) -> NodeKey {
    NodeKey::address("ethereum", format!("0x{i:040x}"))
}

/// An ETH transfer `from` → `to` of `eth` whole ether, id `id`.
pub fn row(id: i64, from: usize, to: usize, eth: u128) -> TransferRow {
    let addr = |i: usize| Some(format!("0x{i:040x}"));
    TransferRow {
        id,
        transfer: Transfer {
            chain: "ethereum".into(),
            tx_hash: format!("0x{id:064x}"),
            kind: TransferKind::Native,
            position: None,
            block: Some(1),
            time: Some(1_700_000_000 + id),
            from: addr(from),
            to: addr(to),
            asset: "ETH".into(),
            amount_base: Amount::from_u128(eth * 1_000_000_000_000_000_000),
            fee_base: None,
            failed: false,
            prev_out: None,
            line: 1,
            method: None,
            stated_usd: None,
        },
        provenance: Provenance { batch_id: 1, file_name: "f.csv".into(), file_sha256: String::new(), line: 1 },
    }
}

/// Nodes `0..n` on a row 100 apart (node `hidden` hidden) and the given transfers.
pub fn graph(
    n: usize,
    hidden: Option<usize>,
    transfers: &[TransferRow],
) -> (InvestigationGraph, HashMap<NodeKey, Pos2>) {
    let (case, positions) = case(n, hidden, transfers);
    let rows: HashMap<i64, TransferRow> = transfers.iter().map(|r| (r.id, r.clone())).collect();
    (InvestigationGraph::build(&case, &rows, &HashMap::new()), positions)
}

/// The case behind [`graph`] (its nodes placed 100 apart on a row) and the positions.
pub fn case(n: usize, hidden: Option<usize>, transfers: &[TransferRow]) -> (Case, HashMap<NodeKey, Pos2>) {
    let mut case = Case::new("c".into(), "t".into(), "i".into(), 0, LedgerRef::default());
    let mut positions = HashMap::new();
    for i in 0..n {
        #[allow(clippy::cast_precision_loss)]
        let p = Pos2::new(i as f32 * 100.0, 0.0);
        positions.insert(key(i), p);
        case.nodes
            .insert(key(i), NodeView { hidden: Some(i) == hidden, position: Some((p.x, p.y)), ..NodeView::default() });
    }
    case.transfers = transfers.iter().map(|r| r.id).collect();
    (case, positions)
}
