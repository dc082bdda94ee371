//! Read-only bulk queries for the hop finders ([`crate::analysis`]): the value flows of an
//! address in narrow rows (no provenance), the addresses of a label category, the chains an
//! address is active on, and UTXO transactions with many equal outputs.
//!
//! Every query goes through the existing indexes: `(from_id, chain, time)` and
//! `(to_id, chain, time)` for an address's flows (O(k log n) for k rows), `tx_key` to find the
//! outputs of the transactions an address spends in, `labels(address, chain)` for labels. The
//! equal-output scan ([`FlowLedger::equal_output_txs`]) reads the UTXO outputs of the chain once,
//! sorted by transaction (O(m log m) for m outputs).

use std::collections::BTreeMap;

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::{Direction, Ledger, LedgerError, SqliteLedger, canonical_address, codec};
use crate::model::{Amount, Category, Label, TransferKind};

/// One movement of value, as the finders need it: no provenance, no hashes beyond a key that
/// groups the transfers of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Ledger transfer id.
    pub id: i64,
    /// Chain id.
    pub chain: String,
    /// Groups the transfers of one transaction (the first 8 bytes of its hash).
    pub tx_key: i64,
    /// Transaction hash.
    pub tx_hash: String,
    /// Kind of movement.
    pub kind: TransferKind,
    /// Block time (UTC seconds), when known.
    pub time: Option<i64>,
    /// Asset key.
    pub asset: String,
    /// Amount in base units.
    pub amount: Amount,
    /// Fee paid by the sender (native base units), when known.
    pub fee: Option<Amount>,
    /// Sender: the address asked about for a UTXO output of a transaction it spends in.
    pub from: Option<String>,
    /// Receiver.
    pub to: Option<String>,
}

/// Where an address appears on one chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainActivity {
    /// Transfers sent or received there.
    pub transfers: u64,
    /// First time seen there.
    pub first_time: Option<i64>,
    /// Last time seen there.
    pub last_time: Option<i64>,
}

/// A UTXO transaction with at least a given number of outputs of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EqualOutputTx {
    /// Chain id.
    pub chain: String,
    /// Transaction hash.
    pub tx_hash: String,
    /// The repeated output value (base units).
    pub value: Amount,
    /// How many outputs have it.
    pub count: u64,
    /// All outputs of the transaction.
    pub outputs: u64,
}

/// The bulk questions the finders ask, beyond [`Ledger`].
pub trait FlowLedger: Ledger {
    /// Value flows of `address` in `direction` within `[from_time, to_time]` (either bound
    /// optional), failed transactions left out, by time then id. Account chains: the transfers
    /// it sent or received. UTXO chains: `In` is the outputs paying it; `Out` is the outputs of
    /// the transactions it spends in, except those paying itself (change), with `from` set to it.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn flows(
        &self,
        address: &str,
        direction: Direction,
        from_time: Option<i64>,
        to_time: Option<i64>,
    ) -> Result<Vec<Flow>, LedgerError>;

    /// Every label of `category`, by chain, address, entity.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn labelled(&self, category: Category) -> Result<Vec<Label>, LedgerError>;

    /// The chains `address` has transfers on, with counts and first/last times.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn chain_activity(&self, address: &str) -> Result<BTreeMap<String, ChainActivity>, LedgerError>;

    /// UTXO transactions of `chain` having at least `min_equal` outputs of one value, by hash.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn equal_output_txs(&self, chain: &str, min_equal: u64) -> Result<Vec<EqualOutputTx>, LedgerError>;
}

const FLOW_COLUMNS: &str = "t.id, t.chain, t.tx_key, t.kind, t.time, t.asset_id, t.amount, t.fee, h.tx_hash";

impl SqliteLedger {
    fn read_flows(
        &self,
        sql: &str,
        args: Vec<Value>,
        fixed_from: Option<&str>,
        out: &mut Vec<Flow>,
    ) -> Result<(), LedgerError> {
        let meta = self.meta()?;
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err("read flows"))?;
        let mut rows = stmt.query(params_from_iter(args)).map_err(self.err("read flows"))?;
        while let Some(r) = rows.next().map_err(self.err("read flows"))? {
            let read = || -> rusqlite::Result<Flow> {
                let chain_id: i64 = r.get(1)?;
                let asset_id: i64 = r.get(5)?;
                let fee: Option<Vec<u8>> = r.get(7)?;
                let from: Option<String> = r.get(9)?;
                let chain = meta.chains.get(&chain_id).cloned().unwrap_or_default();
                Ok(Flow {
                    tx_hash: codec::tx_from_sql(&chain, r.get_ref(8)?),
                    id: r.get(0)?,
                    chain,
                    tx_key: r.get(2)?,
                    kind: TransferKind::from_code(r.get(3)?).unwrap_or(TransferKind::Native),
                    time: r.get(4)?,
                    asset: meta.assets.get(&asset_id).map(|a| a.1.clone()).unwrap_or_default(),
                    // Unknown (an unresolved UTXO input, `from` None) reads as zero.
                    amount: codec::amount_column(r.get_ref(6)?)?.unwrap_or_default(),
                    fee: fee.and_then(|f| codec::amount_from_sql(&f)),
                    from: fixed_from.map(str::to_owned).or(from),
                    to: r.get(10)?,
                })
            };
            out.push(read().map_err(self.err("read flows"))?);
        }
        Ok(())
    }
}

fn time_clause(sql: &mut String, args: &mut Vec<Value>, col: &str, from: Option<i64>, to: Option<i64>) {
    if let Some(f) = from {
        sql.push_str(&format!(" AND {col} >= ?"));
        args.push(Value::Integer(f));
    }
    if let Some(t) = to {
        sql.push_str(&format!(" AND {col} <= ?"));
        args.push(Value::Integer(t));
    }
}

impl FlowLedger for SqliteLedger {
    fn flows(
        &self,
        address: &str,
        direction: Direction,
        from_time: Option<i64>,
        to_time: Option<i64>,
    ) -> Result<Vec<Flow>, LedgerError> {
        let address = canonical_address(address);
        let Some(id) = self.address_id(&address)? else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        let joins = "JOIN transfer_hashes h ON h.id = t.id LEFT JOIN addresses fa ON fa.id = t.from_id LEFT JOIN addresses ta ON ta.id = t.to_id";
        let mut args = vec![Value::Integer(id)];
        let mut sql = match direction {
            // UTXO outputs paying the address are `In` flows too (kind 3).
            Direction::In => format!(
                "SELECT {FLOW_COLUMNS}, fa.address, ta.address FROM transfers t {joins}
                 WHERE t.to_id = ? AND t.failed = 0 AND t.kind IN (0, 1, 2, 3)"
            ),
            Direction::Out => format!(
                "SELECT {FLOW_COLUMNS}, fa.address, ta.address FROM transfers t {joins}
                 WHERE t.from_id = ? AND t.failed = 0 AND t.kind IN (0, 1, 2)"
            ),
        };
        time_clause(&mut sql, &mut args, "t.time", from_time, to_time);
        self.read_flows(&sql, args, None, &mut out)?;
        if direction == Direction::Out {
            // Outputs of the transactions the address spends in (same tx_key and full hash).
            let mut args = vec![Value::Integer(id), Value::Integer(id)];
            let mut sql = format!(
                "SELECT DISTINCT {FLOW_COLUMNS}, NULL, ta.address FROM transfers i
                 JOIN transfers t ON t.tx_key = i.tx_key AND t.chain = i.chain AND t.kind = 3
                 JOIN transfer_hashes hi ON hi.id = i.id
                 JOIN transfer_hashes h ON h.id = t.id AND h.tx_hash = hi.tx_hash
                 LEFT JOIN addresses ta ON ta.id = t.to_id
                 WHERE i.from_id = ? AND i.kind = 4 AND i.failed = 0 AND t.to_id IS NOT ?"
            );
            time_clause(&mut sql, &mut args, "i.time", from_time, to_time);
            self.read_flows(&sql, args, Some(&address), &mut out)?;
        }
        out.sort_by_key(|f| (f.time, f.id));
        out.dedup_by_key(|f| f.id);
        Ok(out)
    }

    fn labelled(&self, category: Category) -> Result<Vec<Label>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT chain, address, entity, category, source_category, actor, source, confidence, valid_from, valid_to, added_by, line
                 FROM labels WHERE category = ?1 ORDER BY chain, address, entity, id",
            )
            .map_err(self.err("query labels"))?;
        let rows = stmt.query_map([category.name()], super::query::label_row).map_err(self.err("query labels"))?;
        rows.collect::<Result<_, _>>().map_err(self.err("query labels"))
    }

    fn chain_activity(&self, address: &str) -> Result<BTreeMap<String, ChainActivity>, LedgerError> {
        let address = canonical_address(address);
        let Some(id) = self.address_id(&address)? else { return Ok(BTreeMap::new()) };
        let meta = self.meta()?;
        let mut out: BTreeMap<String, ChainActivity> = BTreeMap::new();
        for col in ["from_id", "to_id"] {
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT chain, count(*), min(time), max(time) FROM transfers WHERE {col} = ?1 GROUP BY chain"
                ))
                .map_err(self.err("chain activity"))?;
            let rows = stmt
                .query_map([id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, u64>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                    ))
                })
                .map_err(self.err("chain activity"))?;
            for r in rows {
                let (chain, n, lo, hi) = r.map_err(self.err("chain activity"))?;
                let a = out.entry(meta.chains.get(&chain).cloned().unwrap_or_default()).or_default();
                a.transfers += n;
                a.first_time = match (a.first_time, lo) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
                a.last_time = match (a.last_time, hi) {
                    (Some(x), Some(y)) => Some(x.max(y)),
                    (x, y) => x.or(y),
                };
            }
        }
        Ok(out)
    }

    fn equal_output_txs(&self, chain: &str, min_equal: u64) -> Result<Vec<EqualOutputTx>, LedgerError> {
        let meta = self.meta()?;
        let Some(chain_id) = meta.chain_ids.get(chain).copied() else { return Ok(Vec::new()) };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT h.tx_hash, t.amount FROM transfers t JOIN transfer_hashes h ON h.id = t.id
                 WHERE t.chain = ?1 AND t.kind = 3 ORDER BY t.tx_key, h.tx_hash",
            )
            .map_err(self.err("equal outputs"))?;
        let mut rows = stmt.query([chain_id]).map_err(self.err("equal outputs"))?;
        let mut found = Vec::new();
        let mut current: Option<(String, BTreeMap<Amount, u64>, u64)> = None;
        let flush = |cur: Option<(String, BTreeMap<Amount, u64>, u64)>, found: &mut Vec<EqualOutputTx>| {
            let Some((tx_hash, values, outputs)) = cur else { return };
            // The most repeated value; the larger one on a tie.
            if let Some((value, count)) = values.into_iter().max_by_key(|(v, c)| (*c, *v))
                && count >= min_equal
            {
                found.push(EqualOutputTx { chain: chain.to_owned(), tx_hash, value, count, outputs });
            }
        };
        while let Some(r) = rows.next().map_err(self.err("equal outputs"))? {
            let hash = codec::tx_from_sql(chain, r.get_ref(0).map_err(self.err("equal outputs"))?);
            let amount = r
                .get_ref(1)
                .and_then(|v| Ok(v.as_blob()?))
                .map_err(self.err("equal outputs"))
                .map(|b| codec::amount_from_sql(b).unwrap_or_default())?;
            if current.as_ref().is_none_or(|c| c.0 != hash) {
                flush(current.take(), &mut found);
                current = Some((hash, BTreeMap::new(), 0));
            }
            if let Some(c) = current.as_mut() {
                *c.1.entry(amount).or_default() += 1;
                c.2 += 1;
            }
        }
        flush(current, &mut found);
        found.sort_by(|a, b| a.tx_hash.cmp(&b.tx_hash));
        Ok(found)
    }
}
