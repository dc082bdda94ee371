//! Recognising a transfer stated twice, after the batch's rows are written: duplicates are
//! removed, identical rows of one file numbered, and conflicts refused.
//!
//! A transfer's identity ([`Transfer::identity_base`]) is a hash of what names it. Identical
//! rows of one file (the same identity, the same facts) are distinct transfers: the first keeps
//! the identity, the n-th gets [`Transfer::identity`]`(base, n)`. A row whose numbered identity
//! is already in the ledger from an earlier batch is a duplicate when it states the same facts,
//! and a CONFLICT when its amount, time, block or parties differ; a row whose facts differ from
//! the file's first row of the same identity is a conflict within the file. A value one side
//! does not state (no time, an input's unknown amount or address) conflicts with nothing.
//!
//! The writer stores every row under its identity without looking anything up and without
//! remembering the file's identities, so memory does not grow with the file; then
//! [`settle`] finds the identities that occur more than once with the index
//! `transfer_hashes(substr(tx_hash, 1, 8), uid)` (the transaction first, so that the rows of
//! one transaction sit together in the index and a large one touches few of its pages): in a bulk import (the ledger was empty) one pass over that index,
//! otherwise one index lookup per row of the batch. A group of `k` rows costs `O(k log n)`,
//! whatever the size of its transaction, so the import is linear in the rows.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Statement, StatementStatus, Transaction, params};

use super::codec;
use crate::import::Refusal;
use crate::model::{Amount, Transfer, TransferKind};

/// What [`settle`] found.
#[derive(Debug, Default)]
pub(super) struct Settled {
    /// Rows of the batch removed as duplicates of transfers already in the ledger.
    pub duplicates: u64,
    /// Conflicts, each naming both rows.
    pub conflicts: Vec<Refusal>,
    /// SQLite virtual-machine steps the settling took: grows with the rows, never with their
    /// square (the regression test of linear import counts these, not seconds).
    pub steps: u64,
}

/// Identities looked at per query while finding groups (the queries are re-run from where the
/// last page ended, so the rows a group's settling changes are never half-read).
const PAGE: i64 = 1024;

/// Settles the rows of the batch whose ids start at `first_id` (see the module docs).
/// `bulk`: the ledger held no transfers before the batch. `file_name` names this batch's file
/// in conflict messages.
///
/// # Errors
/// SQLite failures.
pub(super) fn settle(tx: &Transaction<'_>, first_id: i64, bulk: bool, file_name: &str) -> rusqlite::Result<Settled> {
    let mut s = Settler {
        rows: tx.prepare(ROWS_SQL)?,
        delete: tx.prepare("DELETE FROM transfers WHERE id = ?1")?,
        delete_hash: tx.prepare("DELETE FROM transfer_hashes WHERE id = ?1")?,
        delete_note: tx.prepare("DELETE FROM transfer_notes WHERE id = ?1")?,
        renumber: tx.prepare("UPDATE transfer_hashes SET uid = ?2 WHERE id = ?1")?,
        first_id,
        file_name,
        out: Settled::default(),
    };
    let group_steps;
    if bulk {
        // Every row is this batch's: the identities occurring twice, in one pass over the index
        // (pages of groups after the last one seen, in the index's order).
        let mut first_page = tx.prepare(
            "SELECT substr(tx_hash, 1, 8), uid FROM transfer_hashes INDEXED BY transfer_hashes_uid
             GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1, 2 LIMIT ?1",
        )?;
        let mut groups = tx.prepare(
            "SELECT substr(tx_hash, 1, 8), uid FROM transfer_hashes INDEXED BY transfer_hashes_uid
             WHERE (substr(tx_hash, 1, 8), uid) > (?1, ?2)
             GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1, 2 LIMIT ?3",
        )?;
        let mut last: Option<(Value, Vec<u8>)> = None;
        loop {
            let read = |r: &rusqlite::Row<'_>| Ok((r.get::<_, Value>(0)?, r.get::<_, Vec<u8>>(1)?));
            let page: Vec<(Value, Vec<u8>)> = match &last {
                None => first_page.query_map(params![PAGE], read)?.collect::<rusqlite::Result<_>>()?,
                Some((tx, uid)) => groups.query_map(params![tx, uid, PAGE], read)?.collect::<rusqlite::Result<_>>()?,
            };
            for (tx, uid) in &page {
                s.group(tx, uid)?;
            }
            let full = page.len() == usize::try_from(PAGE).unwrap_or(usize::MAX);
            match page.into_iter().last() {
                Some(l) if full => last = Some(l),
                _ => break,
            }
        }
        group_steps =
            groups.get_status(StatementStatus::VmStep) as u64 + first_page.get_status(StatementStatus::VmStep) as u64;
    } else {
        // Each row of the batch that shares its identity with another row, once per identity
        // (at its first row in the batch).
        let mut groups = tx.prepare(
            "SELECT h.id, h.tx_hash, h.uid FROM transfer_hashes h WHERE h.id > ?1
               AND EXISTS (SELECT 1 FROM transfer_hashes o INDEXED BY transfer_hashes_uid
                           WHERE substr(o.tx_hash, 1, 8) = substr(h.tx_hash, 1, 8) AND o.uid = h.uid AND o.id <> h.id)
               AND NOT EXISTS (SELECT 1 FROM transfer_hashes p INDEXED BY transfer_hashes_uid
                               WHERE substr(p.tx_hash, 1, 8) = substr(h.tx_hash, 1, 8) AND p.uid = h.uid
                                 AND p.id >= ?2 AND p.id < h.id)
             ORDER BY h.id LIMIT ?3",
        )?;
        let mut last = first_id - 1;
        loop {
            let page: Vec<(i64, Value, Vec<u8>)> = groups
                .query_map(params![last, first_id, PAGE], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (_, tx, uid) in &page {
                s.group(tx, uid)?;
            }
            match page.last() {
                Some((id, _, _)) if page.len() == usize::try_from(PAGE).unwrap_or(usize::MAX) => last = *id,
                _ => break,
            }
        }
        group_steps = groups.get_status(StatementStatus::VmStep) as u64;
    }
    let mut out = std::mem::take(&mut s.out);
    out.conflicts.sort_by_key(|r| r.line);
    out.steps = [&s.rows, &s.delete, &s.delete_hash, &s.delete_note, &s.renumber]
        .iter()
        .map(|st| st.get_status(StatementStatus::VmStep) as u64)
        .sum::<u64>()
        + group_steps;
    Ok(out)
}

/// The rows with one identity in an id range, in file order, with what they state.
pub(super) const ROWS_SQL: &str = "
SELECT t.id, t.line, t.kind, t.position, t.prev_key, t.prev_pos, t.amount, t.time, t.block,
       fa.address, ta.address, c.name, h.tx_hash, h.prev_tx, i.file_name
FROM transfer_hashes h INDEXED BY transfer_hashes_uid
JOIN transfers t ON t.id = h.id
JOIN chains c ON c.id = t.chain
LEFT JOIN addresses fa ON fa.id = t.from_id
LEFT JOIN addresses ta ON ta.id = t.to_id
LEFT JOIN import_batches i ON i.id = t.batch_id
WHERE substr(h.tx_hash, 1, 8) = substr(?4, 1, 8) AND h.uid = ?1 AND h.id >= ?2 AND h.id < ?3
ORDER BY h.id";

struct Settler<'t, 'f> {
    rows: Statement<'t>,
    delete: Statement<'t>,
    delete_hash: Statement<'t>,
    delete_note: Statement<'t>,
    renumber: Statement<'t>,
    first_id: i64,
    file_name: &'f str,
    out: Settled,
}

/// One stored row of a group.
struct Row {
    id: i64,
    line: i64,
    facts: Facts,
    /// `bitcoin tx 4a5e… output 0`, for messages.
    what: String,
    file: String,
}

impl Settler<'_, '_> {
    fn rows(&mut self, tx: &Value, uid: &[u8], from_id: i64, to_id: i64) -> rusqlite::Result<Vec<Row>> {
        self.rows.query_map(params![uid, from_id, to_id, tx], row)?.collect()
    }

    /// Settles the rows of the batch with identity `base` in the transaction whose hash starts
    /// with `tx`'s first 8 bytes (see the module docs).
    fn group(&mut self, tx: &Value, base: &[u8]) -> rusqlite::Result<()> {
        let Ok(base16) = <[u8; 16]>::try_from(base) else { return Ok(()) };
        let batch = self.rows(tx, base, self.first_id, i64::MAX)?;
        let Some(first) = batch.first() else { return Ok(()) };
        // The occurrences stored by earlier batches: 0, 1, … without a gap (each file numbers
        // its identical rows from 0 and adds only those not stored).
        let mut stored: Vec<Row> = Vec::new();
        loop {
            let uid = Transfer::identity(base16, u32::try_from(stored.len()).unwrap_or(u32::MAX));
            match self.rows(tx, &uid, 0, self.first_id)?.into_iter().next() {
                Some(r) => stored.push(r),
                None => break,
            }
        }
        let mut occurrence = 0usize;
        for (j, row) in batch.iter().enumerate() {
            if j > 0
                && let Some(field) = first.facts.differs(&row.facts)
            {
                self.out.conflicts.push(Refusal::new(
                    u64::try_from(row.line).unwrap_or(0),
                    field,
                    format!(
                        "conflict: {} here differs from line {} of this file, which has the same transfer ({}): expected the same {field} in every row of one transfer",
                        row.facts.describe(field),
                        first.line,
                        row.what
                    ),
                ));
                continue;
            }
            let n = occurrence;
            occurrence += 1;
            if let Some(s) = stored.get(n) {
                if let Some(field) = s.facts.differs(&row.facts) {
                    self.out.conflicts.push(Refusal::new(
                        u64::try_from(row.line).unwrap_or(0),
                        field,
                        format!(
                            "conflict: {} in {} line {} but {} in {} line {} (already in the ledger), the same transfer ({}): expected the same {field} in every export",
                            row.facts.describe(field),
                            self.file_name,
                            row.line,
                            s.facts.describe(field),
                            s.file,
                            s.line,
                            row.what
                        ),
                    ));
                    continue;
                }
                self.delete.execute([row.id])?;
                self.delete_hash.execute([row.id])?;
                self.delete_note.execute([row.id])?;
                self.out.duplicates += 1;
            } else if n > 0 {
                let uid = Transfer::identity(base16, u32::try_from(n).unwrap_or(u32::MAX));
                self.renumber.execute(params![row.id, &uid[..]])?;
            }
        }
        Ok(())
    }
}

/// Reads one row of [`ROWS_SQL`].
fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let kind = TransferKind::from_code(r.get(2)?);
    let position: Option<i64> = r.get(3)?;
    let prev_key: Option<i64> = r.get(4)?;
    let prev_pos: Option<i64> = r.get(5)?;
    let from: Option<String> = r.get(9)?;
    let to: Option<String> = r.get(10)?;
    let chain: String = r.get(11)?;
    let tx_hash = codec::tx_from_sql(&chain, r.get_ref(12)?);
    let prev_tx = match r.get_ref(13)? {
        ValueRef::Null => None,
        v => Some(codec::tx_from_sql(&chain, v)),
    };
    let utxo = matches!(kind, Some(TransferKind::UtxoInput | TransferKind::UtxoOutput));
    let what = match (kind, &prev_tx, prev_pos, position) {
        (Some(TransferKind::UtxoInput), Some(tx), Some(n), _) => format!("input spending {tx}:{n}"),
        (Some(TransferKind::UtxoInput), _, _, Some(n)) => format!("input {n}"),
        (Some(TransferKind::UtxoOutput), _, _, Some(n)) => format!("output {n}"),
        (k, _, _, _) => format!(
            "{} transfer from {} to {}",
            k.map_or("unknown", TransferKind::name),
            from.as_deref().unwrap_or("-"),
            to.as_deref().unwrap_or("-")
        ),
    };
    Ok(Row {
        id: r.get(0)?,
        line: r.get(1)?,
        facts: Facts {
            amount: codec::amount_column(r.get_ref(6)?)?,
            time: r.get(7)?,
            block: r.get(8)?,
            from,
            to,
            positional: !utxo || position.is_some() || prev_key.is_some(),
        },
        what: format!("{chain} tx {tx_hash} {what}"),
        file: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
    })
}

/// What a transfer states beyond its identity: compared between rows of the same identity.
struct Facts {
    /// `None`: not known (an unresolved UTXO input, stored as NULL).
    amount: Option<Amount>,
    time: Option<i64>,
    block: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    /// The identity pins one row (not a UTXO row without a position): amount and parties are
    /// compared too. Without a position, many outputs of one transaction share an identity and
    /// only time and block are the transaction's own.
    positional: bool,
}

impl Facts {
    /// The first field (`amount`, `time`, `block`, `from`, `to`) both state differently.
    fn differs(&self, other: &Facts) -> Option<&'static str> {
        fn both<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
            matches!((a, b), (Some(x), Some(y)) if x != y)
        }
        let positional = self.positional && other.positional;
        if positional && both(&self.amount, &other.amount) {
            Some("amount")
        } else if both(&self.time, &other.time) {
            Some("time")
        } else if both(&self.block, &other.block) {
            Some("block")
        } else if positional && both(&self.from, &other.from) {
            Some("from")
        } else if positional && both(&self.to, &other.to) {
            Some("to")
        } else {
            None
        }
    }

    /// `amount 5000000000` / `time 2010-04-27T…Z` / `from 1Abc…`.
    fn describe(&self, field: &str) -> String {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "none".to_owned());
        match field {
            "amount" => format!("amount {} base units", opt(self.amount.map(|a| a.to_string()))),
            "time" => format!("time {}", opt(self.time.map(crate::import::time::format_utc))),
            "block" => format!("block {}", opt(self.block.map(|b| b.to_string()))),
            "from" => format!("from {}", opt(self.from.clone())),
            _ => format!("to {}", opt(self.to.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::fmt::Write as _;

    use super::*;
    use crate::import::{Format, ImportOptions, ReadContext};
    use crate::ledger::SqliteLedger;
    use crate::ledger::writer::BatchWriter;

    const HEADER: &str =
        "token_address,from_address,to_address,value,transaction_hash,log_index,block_number,block_timestamp\n";
    const TOKEN: &str = "0xdac17f958d2ee523a2206206994597c13d831ec7";

    /// `rows` token transfers of one transaction (an airdrop), `salt` choosing the transaction.
    fn one_tx(rows: u64, salt: u8) -> String {
        let mut out = String::from(HEADER);
        for i in 0..rows {
            let _ = writeln!(
                out,
                "{TOKEN},0x{:040x},0x{:040x},{},0x{},{i},18000000,1690000000",
                0xa1,
                0x1000 + i,
                1000 + i,
                format!("{salt:02x}").repeat(32)
            );
        }
        out
    }

    /// Writes `csv` as one batch into `ledger`'s open transaction and settles it: the
    /// settling's steps, and what it found.
    fn settle_batch(ledger: &mut SqliteLedger, csv: &str) -> Settled {
        let tx = ledger.conn.transaction().unwrap();
        let bulk = !tx.query_row("SELECT EXISTS (SELECT 1 FROM transfers)", [], |r| r.get::<_, bool>(0)).unwrap();
        tx.execute(
            "INSERT INTO import_batches (file_name, file_path, sha256, size_bytes, format, imported_at, options)
             VALUES ('t.csv', 't.csv', 'x', 0, 'f', 0, '{}')",
            [],
        )
        .unwrap();
        let batch = tx.last_insert_rowid();
        let mut writer = BatchWriter::new(&tx, batch).unwrap();
        let options = ImportOptions::default();
        let ctx = ReadContext { file_name: "t.csv", path: None, options: &options };
        let mut input = std::io::Cursor::new(csv.as_bytes().to_vec());
        super::super::pipeline::run(Format::EthereumEtlTokenTransfers, &mut input, &ctx, &mut writer).unwrap();
        writer.finish().unwrap();
        let first = writer.first_id;
        drop(writer);
        let settled = settle(&tx, first, bulk, "t.csv").unwrap();
        tx.commit().unwrap();
        settled
    }

    /// Regression test of linear import (issue 12): the work of recognising transfers stated
    /// twice, counted in SQLite steps, grows tenfold for ten times the rows of one transaction,
    /// whether the rows are new or all stated before (a check comparing each row with the
    /// earlier rows of its transaction grows a hundredfold).
    #[test]
    fn settling_one_transaction_is_linear_in_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut steps = Vec::new();
        for rows in [200, 2000] {
            let mut ledger = SqliteLedger::open(&dir.path().join(format!("l{rows}.sqlite"))).unwrap();
            // A ledger holding other data: the batch is not a bulk one.
            let base = settle_batch(&mut ledger, &one_tx(50, 0x11));
            assert_eq!((base.duplicates, base.conflicts.len()), (0, 0));
            let new = settle_batch(&mut ledger, &one_tx(rows, 0x22));
            assert_eq!((new.duplicates, new.conflicts.len()), (0, 0));
            let again = settle_batch(&mut ledger, &one_tx(rows, 0x22));
            assert_eq!((again.duplicates, again.conflicts.len()), (rows, 0));
            let stored: i64 = ledger.conn.query_row("SELECT count(*) FROM transfers", [], |r| r.get(0)).unwrap();
            assert_eq!(stored, i64::try_from(50 + rows).unwrap());
            steps.push((new.steps, again.steps));
        }
        let (small, large) = (steps[0], steps[1]);
        assert!(small.0 > 0 && small.1 > 0, "{steps:?}");
        assert!(large.0 < 15 * small.0, "new rows: {steps:?}");
        assert!(large.1 < 15 * small.1, "rows stated again: {steps:?}");
    }

    /// Identical rows within one file are numbered, kept, and recognised when the same file
    /// comes again; one of them stated with another time is a conflict naming the first.
    #[test]
    fn identical_rows_are_numbered_and_recognised_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).unwrap();
        // The log index is not part of an account transfer's identity (some exports lack it).
        let row =
            |log: u32| format!("{TOKEN},0x{:040x},0x{:040x},5,0x{},{log},18000000,1690000000\n", 1, 2, "ab".repeat(32));
        let twice = format!("{HEADER}{}{}", row(0), row(1));
        let first = settle_batch(&mut ledger, &twice);
        assert_eq!((first.duplicates, first.conflicts.len()), (0, 0));
        let thrice = format!("{HEADER}{}{}{}", row(0), row(1), row(2));
        let again = settle_batch(&mut ledger, &thrice);
        assert_eq!((again.duplicates, again.conflicts.len()), (2, 0), "the third is new");
        let uids: i64 =
            ledger.conn.query_row("SELECT count(DISTINCT uid) FROM transfer_hashes", [], |r| r.get(0)).unwrap();
        assert_eq!(uids, 3);
        let later = row(1).replace("1690000000", "1690000060");
        let conflict = settle_batch(&mut ledger, &format!("{HEADER}{}{later}", row(0)));
        assert_eq!(conflict.conflicts.len(), 1);
        assert_eq!((conflict.conflicts[0].line, conflict.conflicts[0].field.as_str()), (3, "time"));
        assert!(conflict.conflicts[0].message.contains("differs from line 2 of this file"), "{:?}", conflict.conflicts);
    }

    /// A bulk import whose identities repeat more often than one page of groups holds: every
    /// group is found, across pages, and each second row gets its own identity.
    #[test]
    fn bulk_groups_are_found_across_pages() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).unwrap();
        let n = u64::try_from(PAGE).unwrap() + 100;
        let mut csv = String::from(HEADER);
        for copy in 0..2 {
            for i in 0..n {
                let _ = writeln!(
                    csv,
                    "{TOKEN},0x{:040x},0x{:040x},7,0x{:064x},{copy},18000000,1690000000",
                    1,
                    0x1000 + i,
                    0xbeef + i
                );
            }
        }
        let settled = settle_batch(&mut ledger, &csv);
        assert_eq!((settled.duplicates, settled.conflicts.len()), (0, 0));
        let (rows, uids): (i64, i64) = ledger
            .conn
            .query_row("SELECT count(*), count(DISTINCT uid) FROM transfer_hashes", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((rows, uids), (i64::try_from(2 * n).unwrap(), i64::try_from(2 * n).unwrap()));
    }
}
