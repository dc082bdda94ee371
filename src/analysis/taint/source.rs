//! What the analyses read: [`TraceSource`], answered by the SQLite ledger's bulk queries
//! ([`ReadLedger::trace_address`] and friends), by any [`Ledger`] through [`ViaLedger`], and
//! by [`MemoryLedger`], a transfer list in memory for tests and hand-built graphs.

use std::collections::HashMap;

use crate::ledger::{Direction, Filter, Ledger, LedgerError, ReadLedger, SCAN_CAP, TraceRow, TraceRows};
use crate::model::{Amount, Label, Transfer, TransferKind};

/// The questions tracing asks of a ledger.
pub trait TraceSource {
    /// Every transfer (not failed) sent or received by `address` on `chain`, at most `cap` per
    /// side; `truncated` when there were more.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn address_edges(&self, chain: &str, address: &str, cap: usize) -> Result<TraceRows, LedgerError>;

    /// Every transfer (not failed) of a UTXO transaction.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn tx_edges(&self, chain: &str, tx_hash: &str) -> Result<Vec<TraceRow>, LedgerError>;

    /// The transfers with these ids (unknown ids left out).
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn edges_by_id(&self, ids: &[i64]) -> Result<Vec<TraceRow>, LedgerError>;

    /// Every imported label about `address` (any chain).
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn address_labels(&self, address: &str) -> Result<Vec<Label>, LedgerError>;
}

impl<T: ReadLedger + ?Sized> TraceSource for T {
    fn address_edges(&self, chain: &str, address: &str, cap: usize) -> Result<TraceRows, LedgerError> {
        self.trace_address(chain, address, cap)
    }

    fn tx_edges(&self, chain: &str, tx_hash: &str) -> Result<Vec<TraceRow>, LedgerError> {
        self.trace_tx(chain, tx_hash)
    }

    fn edges_by_id(&self, ids: &[i64]) -> Result<Vec<TraceRow>, LedgerError> {
        self.trace_by_id(ids)
    }

    fn address_labels(&self, address: &str) -> Result<Vec<Label>, LedgerError> {
        self.labels(address)
    }
}

/// The row tracing reads, from a full transfer.
#[must_use]
pub fn trace_row(id: i64, t: &Transfer) -> TraceRow {
    let utxo = matches!(t.kind, TransferKind::UtxoInput | TransferKind::UtxoOutput);
    TraceRow {
        id,
        chain: t.chain.clone(),
        kind: t.kind,
        time: t.time,
        from: t.from.clone(),
        to: t.to.clone(),
        asset: t.asset.clone(),
        amount: t.amount_base,
        tx_hash: utxo.then(|| t.tx_hash.clone()),
    }
}

/// Any [`Ledger`] as a [`TraceSource`], through its general queries (slower than the SQLite
/// ledger's own bulk queries, same answers).
pub struct ViaLedger<'a, L: Ledger>(pub &'a L);

impl<L: Ledger> TraceSource for ViaLedger<'_, L> {
    fn address_edges(&self, chain: &str, address: &str, cap: usize) -> Result<TraceRows, LedgerError> {
        let keep = cap.min(SCAN_CAP);
        let filter = Filter { chains: vec![chain.to_owned()], top: Some(keep.saturating_add(1)), ..Filter::default() };
        let mut out = TraceRows::default();
        for dir in [Direction::Out, Direction::In] {
            let mut rows = self.0.transfers(address, dir, &filter)?;
            if rows.len() > keep {
                out.truncated = true;
                rows.truncate(keep);
            }
            out.rows.extend(rows.iter().map(|r| trace_row(r.id, &r.transfer)));
        }
        out.rows.sort_by_key(|r| r.id);
        out.rows.dedup_by_key(|r| r.id);
        Ok(out)
    }

    fn tx_edges(&self, chain: &str, tx_hash: &str) -> Result<Vec<TraceRow>, LedgerError> {
        let mut rows: Vec<TraceRow> = self
            .0
            .tx_transfers(chain, tx_hash)?
            .iter()
            .filter(|r| !r.transfer.failed)
            .map(|r| trace_row(r.id, &r.transfer))
            .collect();
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    fn edges_by_id(&self, ids: &[i64]) -> Result<Vec<TraceRow>, LedgerError> {
        let mut rows: Vec<TraceRow> =
            self.0.transfers_by_id(ids)?.iter().map(|r| trace_row(r.id, &r.transfer)).collect();
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    fn address_labels(&self, address: &str) -> Result<Vec<Label>, LedgerError> {
        self.0.labels(address)
    }
}

/// A ledger held in memory: transfers with ids, and labels. For tests and small hand-built
/// graphs; lookups are hash-indexed.
#[derive(Debug, Clone, Default)]
pub struct MemoryLedger {
    rows: Vec<(TraceRow, bool)>,
    by_id: HashMap<i64, usize>,
    by_address: HashMap<(String, String), Vec<usize>>,
    by_tx: HashMap<(String, String), Vec<usize>>,
    labels: Vec<Label>,
}

impl MemoryLedger {
    /// An empty ledger.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a transfer under `id` (ids must be unique; a repeated id replaces nothing and is
    /// ignored by id lookups after the first).
    pub fn push(&mut self, id: i64, t: &Transfer) {
        let i = self.rows.len();
        self.rows.push((trace_row(id, t), t.failed));
        self.by_id.entry(id).or_insert(i);
        let mut parties: Vec<&String> = t.from.iter().chain(t.to.iter()).collect();
        parties.dedup();
        for a in parties {
            self.by_address.entry((t.chain.clone(), a.clone())).or_default().push(i);
        }
        self.by_tx.entry((t.chain.clone(), t.tx_hash.clone())).or_default().push(i);
    }

    /// Adds a label.
    pub fn label(&mut self, label: Label) {
        self.labels.push(label);
    }

    /// An account-model transfer (`Native`) of `amount` base units, for hand-built graphs.
    #[must_use]
    pub fn native(chain: &str, asset: &str, from: &str, to: &str, amount: u128, time: i64) -> Transfer {
        Transfer {
            chain: chain.to_owned(),
            tx_hash: format!("tx-{from}-{to}-{time}-{amount}"),
            kind: TransferKind::Native,
            position: Some(0),
            block: None,
            time: Some(time),
            from: Some(from.to_owned()),
            to: Some(to.to_owned()),
            asset: asset.to_owned(),
            amount_base: Amount::from_u128(amount),
            fee_base: None,
            failed: false,
            prev_out: None,
            line: 0,
            method: None,
            stated_usd: None,
        }
    }

    fn pick(&self, idx: &[usize]) -> Vec<TraceRow> {
        let mut rows: Vec<TraceRow> = idx
            .iter()
            .filter_map(|i| self.rows.get(*i))
            .filter(|(_, failed)| !failed)
            .map(|(r, _)| r.clone())
            .collect();
        rows.sort_by_key(|r| r.id);
        rows
    }
}

impl TraceSource for MemoryLedger {
    fn address_edges(&self, chain: &str, address: &str, cap: usize) -> Result<TraceRows, LedgerError> {
        let idx = self.by_address.get(&(chain.to_owned(), address.to_owned())).map_or(&[][..], Vec::as_slice);
        let rows = self.pick(idx);
        let (sent, received) = rows.iter().fold((0usize, 0usize), |(s, r), row| {
            (s + usize::from(row.from.as_deref() == Some(address)), r + usize::from(row.to.as_deref() == Some(address)))
        });
        if sent > cap || received > cap {
            let mut cut = TraceRows { rows: Vec::new(), truncated: true };
            let (mut s, mut r) = (0, 0);
            for row in rows {
                let out = row.from.as_deref() == Some(address);
                let (n, kept) = if out { (&mut s, cap) } else { (&mut r, cap) };
                if *n < kept {
                    *n += 1;
                    cut.rows.push(row);
                }
            }
            return Ok(cut);
        }
        Ok(TraceRows { rows, truncated: false })
    }

    fn tx_edges(&self, chain: &str, tx_hash: &str) -> Result<Vec<TraceRow>, LedgerError> {
        Ok(self.by_tx.get(&(chain.to_owned(), tx_hash.to_owned())).map(|i| self.pick(i)).unwrap_or_default())
    }

    fn edges_by_id(&self, ids: &[i64]) -> Result<Vec<TraceRow>, LedgerError> {
        let idx: Vec<usize> = ids.iter().filter_map(|id| self.by_id.get(id).copied()).collect();
        let mut rows: Vec<TraceRow> = idx.iter().filter_map(|i| self.rows.get(*i)).map(|(r, _)| r.clone()).collect();
        rows.sort_by_key(|r| r.id);
        rows.dedup_by_key(|r| r.id);
        Ok(rows)
    }

    fn address_labels(&self, address: &str) -> Result<Vec<Label>, LedgerError> {
        Ok(self.labels.iter().filter(|l| l.address == address).cloned().collect())
    }
}
