//! A transfer: one movement of one asset between two parties, with the file and line it came from.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Amount;

/// What kind of value movement a transfer records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TransferKind {
    /// The native value of an account-model transaction (ETH, BNB, TRX).
    Native,
    /// A native value movement made by a contract inside a transaction (explorer "internal").
    Internal,
    /// A token transfer (ERC-20/TRC-20 `Transfer` event).
    Token,
    /// A UTXO output: the transaction pays `to` (there is no `from`: the transaction is the source).
    UtxoOutput,
    /// A UTXO input: `from` spends an earlier output into the transaction (there is no `to`).
    UtxoInput,
}

impl TransferKind {
    /// Every kind, in ledger code order.
    pub const ALL: [TransferKind; 5] = [Self::Native, Self::Internal, Self::Token, Self::UtxoOutput, Self::UtxoInput];

    /// The integer stored in the ledger.
    #[must_use]
    pub fn code(self) -> i64 {
        match self {
            Self::Native => 0,
            Self::Internal => 1,
            Self::Token => 2,
            Self::UtxoOutput => 3,
            Self::UtxoInput => 4,
        }
    }

    /// Inverse of [`TransferKind::code`].
    #[must_use]
    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Lower-case name used in reports and exports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Internal => "internal",
            Self::Token => "token",
            Self::UtxoOutput => "utxo_output",
            Self::UtxoInput => "utxo_input",
        }
    }
}

/// One transfer as read from an export file, before it gets a ledger id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Chain id from the registry (`ethereum`, `bitcoin`, `tron`).
    pub chain: String,
    /// Transaction hash as the chain spells it (EVM: lower-case 0x hex).
    pub tx_hash: String,
    /// Kind of movement.
    pub kind: TransferKind,
    /// Log index (tokens), output index (UTXO outputs), input index (UTXO inputs); `None` when the
    /// source does not say.
    pub position: Option<i64>,
    /// Block height, when known.
    pub block: Option<i64>,
    /// Block time, UTC seconds since 1970, when known.
    pub time: Option<i64>,
    /// Sender (normalised address); `None` for UTXO outputs and coinbase inputs.
    pub from: Option<String>,
    /// Receiver (normalised address); `None` for UTXO inputs.
    pub to: Option<String>,
    /// Asset key: the chain's native symbol (`ETH`) or the token contract (`0xdac1…`), or
    /// `symbol:XYZ` for a token known only by its symbol.
    pub asset: String,
    /// Amount in base units. For an unresolved UTXO input (its spent output not yet in the
    /// ledger) this is zero until the output is imported.
    pub amount_base: Amount,
    /// Fee paid by the sender, in base units of the native asset, when the source gives it.
    pub fee_base: Option<Amount>,
    /// The transaction failed (reverted): no value moved, kept as evidence of the attempt.
    pub failed: bool,
    /// For a UTXO input: the transaction and output index it spends.
    pub prev_out: Option<(String, i64)>,
    /// Line (CSV/JSON lines) or record number (JSON documents) in the source file, 1-based.
    pub line: u64,
    /// The method or function the explorer names for the transaction (`Transfer`, `Swapin`,
    /// `Swapout`, `Mint`, `Burn`), as the file writes it; evidence for the bridge finder.
    #[serde(default)]
    pub method: Option<String>,
    /// The USD value the source itself states for this transfer (`Value (USD)`,
    /// `historicalUSD`, `amount_usd`, `value_usd`), as an exact decimal with `.` and no
    /// separators (`190000.00`): a second valuation source, never the amount.
    #[serde(default)]
    pub stated_usd: Option<String>,
}

impl Transfer {
    /// The identity used to recognise the same transfer imported twice (from the same file or
    /// from different exports of the same chain data): 16 bytes of SHA-256 over chain, tx, kind,
    /// parties, asset, amount and `occurrence` (how many identical transfers came before it in
    /// the same file). Positions are left out because some exports do not give them.
    #[must_use]
    pub fn identity_base(&self) -> [u8; 16] {
        let mut h = Sha256::new();
        let mut field = |s: &[u8]| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s);
        };
        field(self.chain.as_bytes());
        field(self.tx_hash.as_bytes());
        field(&self.kind.code().to_le_bytes());
        match (self.kind, &self.prev_out) {
            (TransferKind::UtxoInput, Some((tx, n))) => {
                field(tx.as_bytes());
                field(&n.to_le_bytes());
            }
            (TransferKind::UtxoOutput | TransferKind::UtxoInput, _) => {
                field(&self.position.unwrap_or(-1).to_le_bytes());
            }
            _ => {
                field(self.from.as_deref().unwrap_or("").as_bytes());
                field(self.to.as_deref().unwrap_or("").as_bytes());
                field(self.asset.as_bytes());
                field(&self.amount_base.to_be_bytes());
            }
        }
        let d = h.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&d[..16]);
        out
    }

    /// Final identity: [`Transfer::identity_base`] combined with the occurrence number.
    #[must_use]
    pub fn identity(base: [u8; 16], occurrence: u32) -> [u8; 16] {
        if occurrence == 0 {
            return base;
        }
        let mut h = Sha256::new();
        h.update(base);
        h.update(occurrence.to_le_bytes());
        let d = h.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&d[..16]);
        out
    }
}
