//! Read-only bulk queries for value tracing (`crate::analysis`): every transfer of an address
//! on one chain, of a UTXO transaction, or by id, as narrow [`TraceRow`]s (no provenance, no
//! fee, names resolved from the cached id tables).
//!
//! An address side is one range scan of the `(from_id, chain, time)` or `(to_id, chain, time)`
//! index plus one `addresses` lookup per row for the counterparty: O(k log n) for k rows. The
//! transaction hash is joined only for UTXO rows (the tracer needs it to reach the transaction).

use rusqlite::types::ValueRef;
use rusqlite::{Row, params};

use super::scan::Meta;
use super::{LedgerError, SqliteLedger, canonical_address, codec};
use crate::model::{Amount, TransferKind};

/// One transfer as value tracing reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRow {
    /// Ledger id.
    pub id: i64,
    /// Chain id.
    pub chain: String,
    /// Kind of movement.
    pub kind: TransferKind,
    /// Block time (UTC seconds), when known.
    pub time: Option<i64>,
    /// Sender; `None` for UTXO outputs and unresolved inputs.
    pub from: Option<String>,
    /// Receiver; `None` for UTXO inputs.
    pub to: Option<String>,
    /// Asset key.
    pub asset: String,
    /// Amount in base units; zero for an unresolved UTXO input (`from` is `None`), whose
    /// amount is unknown: tracing never counts it (the tracer checks `from` first).
    pub amount: Amount,
    /// The transaction hash, for UTXO inputs and outputs (the tracer's transaction nodes);
    /// `None` for account-model transfers.
    pub tx_hash: Option<String>,
}

/// The transfers of one address on one chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceRows {
    /// Sent and received, failed transactions left out, by id.
    pub rows: Vec<TraceRow>,
    /// True when the address has more than the cap asked for (`rows` is then cut short).
    pub truncated: bool,
}

/// Columns every trace query selects, in this order (`x` is the joined counterparty).
const COLUMNS: &str = "t.id, t.kind, t.time, t.asset_id, t.amount, h.tx_hash";

impl SqliteLedger {
    /// Every transfer (not failed) sent or received by `address` on `chain`, at most `cap`
    /// of each side (`truncated` says when a side had more). Unknown address or chain: none.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    pub fn trace_address(&self, chain: &str, address: &str, cap: usize) -> Result<TraceRows, LedgerError> {
        let address = canonical_address(address);
        let meta = self.meta()?;
        let (Some(chain_id), Some(address_id)) = (meta.chain_ids.get(chain).copied(), self.address_id(&address)?)
        else {
            return Ok(TraceRows::default());
        };
        let limit = i64::try_from(cap.saturating_add(1)).unwrap_or(i64::MAX);
        let mut out = TraceRows::default();
        for (own, other) in [("from_id", "to_id"), ("to_id", "from_id")] {
            let sql = format!(
                "SELECT {COLUMNS}, x.address FROM transfers t
                 LEFT JOIN transfer_hashes h ON t.kind >= 3 AND h.id = t.id
                 LEFT JOIN addresses x ON x.id = t.{other}
                 WHERE t.{own} = ?1 AND t.chain = ?2 AND t.failed = 0 LIMIT ?3"
            );
            let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err("trace address"))?;
            let mut rows = stmt.query(params![address_id, chain_id, limit]).map_err(self.err("trace address"))?;
            let mut n = 0usize;
            while let Some(r) = rows.next().map_err(self.err("trace address"))? {
                n += 1;
                if n > cap {
                    out.truncated = true;
                    break;
                }
                let other_address: Option<String> = r.get(6).map_err(self.err("trace address"))?;
                let (from, to) = if own == "from_id" {
                    (Some(address.clone()), other_address)
                } else {
                    (other_address, Some(address.clone()))
                };
                out.rows.push(trace_row(&meta, r, chain, from, to).map_err(self.err("trace address"))?);
            }
        }
        out.rows.sort_by_key(|r| r.id);
        out.rows.dedup_by_key(|r| r.id);
        Ok(out)
    }

    /// Every transfer (not failed) of the transaction `tx_hash` on `chain`, by id.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    pub fn trace_tx(&self, chain: &str, tx_hash: &str) -> Result<Vec<TraceRow>, LedgerError> {
        let hash = codec::tx_to_sql(&tx_hash.trim().to_ascii_lowercase());
        let key = codec::tx_key(&hash);
        let meta = self.meta()?;
        let Some(chain_id) = meta.chain_ids.get(chain).copied() else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {COLUMNS}, fa.address, ta.address FROM transfers t JOIN transfer_hashes h ON h.id = t.id
             LEFT JOIN addresses fa ON fa.id = t.from_id LEFT JOIN addresses ta ON ta.id = t.to_id
             WHERE t.tx_key = ?1 AND t.chain = ?2 AND h.tx_hash = ?3 AND t.failed = 0 ORDER BY t.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err("trace transaction"))?;
        let mut rows = stmt.query(params![key, chain_id, hash]).map_err(self.err("trace transaction"))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(self.err("trace transaction"))? {
            let from: Option<String> = r.get(6).map_err(self.err("trace transaction"))?;
            let to: Option<String> = r.get(7).map_err(self.err("trace transaction"))?;
            out.push(trace_row(&meta, r, chain, from, to).map_err(self.err("trace transaction"))?);
        }
        Ok(out)
    }

    /// The transfers with these ids (failed ones included; unknown ids left out), by id.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    pub fn trace_by_id(&self, ids: &[i64]) -> Result<Vec<TraceRow>, LedgerError> {
        let meta = self.meta()?;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(10_000) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let sql = format!(
                "SELECT {COLUMNS}, fa.address, ta.address, t.chain FROM transfers t
                 LEFT JOIN transfer_hashes h ON t.kind >= 3 AND h.id = t.id
                 LEFT JOIN addresses fa ON fa.id = t.from_id LEFT JOIN addresses ta ON ta.id = t.to_id
                 WHERE t.id IN ({list})"
            );
            let mut stmt = self.conn.prepare(&sql).map_err(self.err("trace transfers"))?;
            let mut rows = stmt.query([]).map_err(self.err("trace transfers"))?;
            while let Some(r) = rows.next().map_err(self.err("trace transfers"))? {
                let from: Option<String> = r.get(6).map_err(self.err("trace transfers"))?;
                let to: Option<String> = r.get(7).map_err(self.err("trace transfers"))?;
                let chain_id: i64 = r.get(8).map_err(self.err("trace transfers"))?;
                let chain = meta.chains.get(&chain_id).cloned().unwrap_or_default();
                out.push(trace_row(&meta, r, &chain, from, to).map_err(self.err("trace transfers"))?);
            }
        }
        out.sort_by_key(|r| r.id);
        Ok(out)
    }
}

/// Reads the [`COLUMNS`] of a row.
fn trace_row(
    meta: &Meta,
    r: &Row<'_>,
    chain: &str,
    from: Option<String>,
    to: Option<String>,
) -> rusqlite::Result<TraceRow> {
    let asset_id: i64 = r.get(3)?;
    let kind_code: i64 = r.get(1)?;
    let tx_hash = match r.get_ref(5)? {
        ValueRef::Null => None,
        v => Some(codec::tx_from_sql(chain, v)),
    };
    Ok(TraceRow {
        id: r.get(0)?,
        chain: chain.to_owned(),
        kind: TransferKind::from_code(kind_code).unwrap_or(TransferKind::Native),
        time: r.get(2)?,
        from,
        to,
        asset: meta.assets.get(&asset_id).map(|a| a.1.clone()).unwrap_or_default(),
        amount: codec::amount_column(r.get_ref(4)?)?.unwrap_or_default(),
        tx_hash,
    })
}
