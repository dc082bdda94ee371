//! The investigation: a case, the ledger it is bound to, the commands that change it (with
//! undo, redo and the audit log), and the graph derived from it.

mod change;
pub mod create;
pub mod hop_rules;
mod investigation;
mod plan;
pub mod text;
pub mod view;

/// The commands live with the case (the audit log records them; the saved format must not
/// depend on the engine); the engine applies them.
pub use crate::case::command::{self, Command};
pub use investigation::{CommandError, Investigation, InvestigationState, LedgerChanged, OpenError};
pub use view::{GraphEdge, GraphNode, InvestigationGraph};

use crate::case::NodeKey;
use crate::model::{Transfer, TransferKind};

/// The graph nodes a transfer runs between: address to address on account chains; address to
/// transaction (inputs) and transaction to address (outputs) on UTXO chains. `None` for a side
/// the transfer has no party on (a contract creation whose address is unknown, an unresolved
/// UTXO input).
#[must_use]
pub fn endpoints(t: &Transfer) -> (Option<NodeKey>, Option<NodeKey>) {
    let addr = |a: &Option<String>| a.as_ref().map(|a| NodeKey::address(t.chain.clone(), a.clone()));
    let tx = || Some(NodeKey::Tx { chain: t.chain.clone(), hash: t.tx_hash.clone() });
    match t.kind {
        TransferKind::Native | TransferKind::Internal | TransferKind::Token => (addr(&t.from), addr(&t.to)),
        TransferKind::UtxoInput => (addr(&t.from), tx()),
        TransferKind::UtxoOutput => (tx(), addr(&t.to)),
    }
}
