//! The writer side of an import: ids for chains, addresses and assets, buffered multi-row
//! inserts, and the duplicate and conflict checks.
//!
//! A transfer arriving again with the same identity ([`Transfer::identity_base`]) is a
//! duplicate when it says the same thing, and a CONFLICT when its amount, time, block or
//! parties differ (for UTXO rows the identity is chain, transaction, kind and position, so a
//! re-export stating another value for the same output is caught here). A value one side does
//! not state (no time, an input's unknown amount or address) conflicts with nothing. Conflicts
//! are refusals that `--skip-bad` cannot skip: the batch is refused whole, and the refusal
//! names this file's line and the stored transfer's file and line (or, within one file, the
//! earlier line).

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Statement, Transaction, params, params_from_iter};
use rustc_hash::FxHashMap;

use super::pipeline::{Apply, Item, Prepared};
use crate::import::{AssetInfo, BlockTime, ReadError, Refusal};
use crate::model::{Amount, Label, Transfer, TransferKind};

/// Writes a batch's items into its SQLite transaction.
pub(super) struct BatchWriter<'t> {
    insert_many: Statement<'t>,
    insert_one: Statement<'t>,
    pending: Vec<[Value; TRANSFER_COLUMNS]>,
    insert_hashes_many: Statement<'t>,
    insert_hashes_one: Statement<'t>,
    pending_hashes: Vec<[Value; HASH_COLUMNS]>,
    /// Id of the next transfer (ids are given here so both tables share them).
    next_id: i64,
    /// How many transfers of each identity the file has had so far (see [`Transfer::identity`]),
    /// and the facts of the first, to catch conflicts within the file.
    occurrences: FxHashMap<[u8; 16], (u32, FactKeys)>,
    /// The stored transfer with this identity, if any: its facts, file and line (not needed in
    /// bulk mode).
    exists: Statement<'t>,
    insert_label: Statement<'t>,
    upsert_asset: Statement<'t>,
    insert_note: Statement<'t>,
    insert_block: Statement<'t>,
    block_time: Statement<'t>,
    ids: Interner<'t>,
    batch_id: i64,
    bulk: bool,
    pub(super) rows: u64,
    pub(super) transfers: u64,
    pub(super) labels: u64,
    pub(super) duplicates: u64,
    pub(super) refused: Vec<Refusal>,
    /// Conflicts found (also in `refused`): never skippable.
    pub(super) conflicts: u64,
    /// This batch's file name, for conflict messages.
    file_name: String,
    pub(super) skipped: BTreeMap<&'static str, u64>,
    /// The chain the reader decided for the file, and how.
    pub(super) chain: Option<(String, String)>,
    /// Block times stored.
    pub(super) blocks: u64,
}

/// Integer ids of chains, addresses and assets, cached for the batch.
struct Interner<'t> {
    chains: FxHashMap<String, i64>,
    addresses: FxHashMap<String, i64>,
    assets: FxHashMap<(i64, String), i64>,
    find_address: Statement<'t>,
    add_address: Statement<'t>,
    find_chain: Statement<'t>,
    add_chain: Statement<'t>,
    find_asset: Statement<'t>,
    add_asset: Statement<'t>,
    /// The addresses table was empty when the batch began: every address not in the cache is new.
    fresh: bool,
}

/// Past this many cached addresses the cache is emptied (lookups fall back to the index).
const ADDRESS_CACHE_MAX: usize = 4_000_000;

impl<'t> Interner<'t> {
    fn new(tx: &'t Transaction<'t>) -> rusqlite::Result<Self> {
        let fresh = !tx.query_row("SELECT EXISTS (SELECT 1 FROM addresses)", [], |r| r.get::<_, bool>(0))?;
        Ok(Interner {
            chains: FxHashMap::default(),
            addresses: FxHashMap::default(),
            assets: FxHashMap::default(),
            find_address: tx.prepare("SELECT id FROM addresses WHERE address = ?1")?,
            add_address: tx.prepare("INSERT INTO addresses (address) VALUES (?1)")?,
            find_chain: tx.prepare("SELECT id FROM chains WHERE name = ?1")?,
            add_chain: tx.prepare("INSERT INTO chains (name) VALUES (?1)")?,
            find_asset: tx.prepare("SELECT id FROM assets WHERE chain = ?1 AND asset = ?2")?,
            add_asset: tx.prepare("INSERT INTO assets (chain, asset) VALUES (?1, ?2)")?,
            fresh,
        })
    }

    fn chain(&mut self, name: &str) -> rusqlite::Result<i64> {
        if let Some(id) = self.chains.get(name) {
            return Ok(*id);
        }
        let id = match self.find_chain.query_row([name], |r| r.get(0)).optional()? {
            Some(id) => id,
            None => self.add_chain.insert([name])?,
        };
        self.chains.insert(name.to_owned(), id);
        Ok(id)
    }

    fn address(&mut self, address: &str) -> rusqlite::Result<i64> {
        if let Some(id) = self.addresses.get(address) {
            return Ok(*id);
        }
        let found = if self.fresh { None } else { self.find_address.query_row([address], |r| r.get(0)).optional()? };
        let id = match found {
            Some(id) => id,
            None => self.add_address.insert([address])?,
        };
        if self.addresses.len() >= ADDRESS_CACHE_MAX {
            self.addresses.clear();
            self.fresh = false;
        }
        self.addresses.insert(address.to_owned(), id);
        Ok(id)
    }

    fn asset(&mut self, chain: &str, chain_id: i64, asset: &str) -> rusqlite::Result<i64> {
        let key = (chain_id, asset.to_owned());
        if let Some(id) = self.assets.get(&key) {
            return Ok(*id);
        }
        let id = match self.find_asset.query_row([chain, asset], |r| r.get(0)).optional()? {
            Some(id) => id,
            None => self.add_asset.insert([chain, asset])?,
        };
        self.assets.insert(key, id);
        Ok(id)
    }
}

impl<'t> BatchWriter<'t> {
    /// Prepares the statements of a batch; `bulk` when the ledger held no transfers.
    pub(super) fn new(tx: &'t Transaction<'t>, batch_id: i64, bulk: bool) -> rusqlite::Result<Self> {
        Ok(BatchWriter {
            exists: tx.prepare(
                "SELECT t.amount, t.time, t.block, fa.address, ta.address, i.file_name, t.line
                 FROM transfers t JOIN transfer_hashes h ON h.id = t.id
                 LEFT JOIN addresses fa ON fa.id = t.from_id LEFT JOIN addresses ta ON ta.id = t.to_id
                 LEFT JOIN import_batches i ON i.id = t.batch_id
                 WHERE t.tx_key = ?1 AND t.chain = ?2 AND h.tx_hash = ?3 AND h.uid = ?4 LIMIT 1",
            )?,
            conflicts: 0,
            file_name: tx
                .query_row("SELECT file_name FROM import_batches WHERE id = ?1", [batch_id], |r| r.get(0))
                .optional()?
                .unwrap_or_default(),
            insert_many: tx.prepare(&insert_sql(ROWS_PER_INSERT))?,
            insert_one: tx.prepare(&insert_sql(1))?,
            pending: Vec::with_capacity(ROWS_PER_INSERT),
            insert_hashes_many: tx.prepare(&insert_hashes_sql(ROWS_PER_INSERT))?,
            insert_hashes_one: tx.prepare(&insert_hashes_sql(1))?,
            pending_hashes: Vec::with_capacity(ROWS_PER_INSERT),
            occurrences: FxHashMap::default(),
            next_id: tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM transfers", [], |r| r.get(0))?,
            insert_label: tx.prepare(
                "INSERT OR IGNORE INTO labels (chain, address, entity, category, source_category, actor, source, confidence, valid_from, valid_to, added_by, batch_id, line)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            upsert_asset: tx.prepare(
                "INSERT INTO assets (chain, asset, symbol, decimals, name) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (chain, asset) DO UPDATE SET
                   symbol = coalesce(assets.symbol, excluded.symbol),
                   decimals = coalesce(assets.decimals, excluded.decimals),
                   name = coalesce(assets.name, excluded.name)",
            )?,
            insert_note: tx.prepare("INSERT INTO transfer_notes (id, method, stated_usd) VALUES (?1, ?2, ?3)")?,
            insert_block: tx.prepare(
                "INSERT INTO blocks (chain, number, time, batch_id, line) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (chain, number) DO NOTHING",
            )?,
            block_time: tx.prepare(
                "SELECT b.time, i.file_name, b.line FROM blocks b JOIN import_batches i ON i.id = b.batch_id
                 WHERE b.chain = ?1 AND b.number = ?2",
            )?,
            ids: Interner::new(tx)?,
            batch_id,
            bulk,
            rows: 0,
            transfers: 0,
            labels: 0,
            duplicates: 0,
            refused: Vec::new(),
            skipped: BTreeMap::new(),
            chain: None,
            blocks: 0,
        })
    }

    /// Stores `p` unless a transfer with the same identity is there; returns whether it was new.
    /// Rows are buffered and written [`ROWS_PER_INSERT`] at a time; [`BatchWriter::finish`]
    /// writes the rest.
    fn store(&mut self, p: Prepared) -> rusqlite::Result<Stored> {
        let t = &p.transfer;
        let base = t.identity_base();
        let facts = Facts::of(t);
        let keys = FactKeys::of(&facts, t.line);
        match self.occurrences.get(&base) {
            Some((_, first)) => {
                if let Some(field) = first.differs(&keys) {
                    return Ok(Stored::Conflict(Refusal::new(
                        t.line,
                        field,
                        format!(
                            "conflict: {} here differs from line {} of this file, which has the same transfer ({}): expected the same {field} in every row of one transfer",
                            facts.describe(field),
                            first.line,
                            identity_text(t)
                        ),
                    )));
                }
            }
            None => {
                self.occurrences.insert(base, (0, keys));
            }
        }
        let uid = match self.occurrences.get_mut(&base) {
            Some((occurrence, _)) => {
                *occurrence += 1;
                Transfer::identity(base, *occurrence - 1)
            }
            None => base,
        };
        let chain = self.ids.chain(&t.chain)?;
        // In bulk mode the ledger held no transfers and identities within a file are distinct.
        if !self.bulk
            && let Some((stored, file, line)) = self
                .exists
                .query_row(params![p.tx_key, chain, p.tx_hash, &uid[..]], |r| {
                    let stored = Facts {
                        amount: super::codec::amount_column(r.get_ref(0)?)?,
                        time: r.get(1)?,
                        block: r.get(2)?,
                        from: r.get(3)?,
                        to: r.get(4)?,
                        positional: facts.positional,
                    };
                    Ok((stored, r.get::<_, Option<String>>(5)?.unwrap_or_default(), r.get::<_, i64>(6)?))
                })
                .optional()?
        {
            if let Some(field) = stored.differs(&facts) {
                return Ok(Stored::Conflict(Refusal::new(
                    t.line,
                    field,
                    format!(
                        "conflict: {} in {} line {} but {} in {file} line {line} (already in the ledger), the same transfer ({}): expected the same {field} in every export",
                        facts.describe(field),
                        self.file_name,
                        t.line,
                        stored.describe(field),
                        identity_text(t)
                    ),
                )));
            }
            return Ok(Stored::Duplicate);
        }
        let id = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
        let from = t.from.as_deref().map(|a| self.ids.address(a)).transpose()?;
        let to = t.to.as_deref().map(|a| self.ids.address(a)).transpose()?;
        let asset = self.ids.asset(&t.chain, chain, &t.asset)?;
        let (prev_tx, prev_key, prev_pos) = match p.prev {
            Some((tx, key, n)) => (tx, Value::Integer(key), Value::Integer(n)),
            None => (Value::Null, Value::Null, Value::Null),
        };
        let row_id = self.next_id;
        self.next_id += 1;
        if t.method.is_some() || t.stated_usd.is_some() {
            self.insert_note.execute(params![row_id, t.method, t.stated_usd])?;
        }
        self.pending_hashes.push([Value::Integer(row_id), p.tx_hash, prev_tx, Value::Blob(uid.to_vec())]);
        self.pending.push([
            Value::Integer(row_id),
            Value::Integer(chain),
            Value::Integer(p.tx_key),
            Value::Integer(t.kind.code()),
            id(t.position),
            id(t.block),
            id(t.time),
            id(from),
            id(to),
            Value::Integer(asset),
            // NULL marks an amount the ledger does not know (an input whose spent output is not
            // imported yet): never stored as a zero that could be summed.
            if facts.amount.is_some() { Value::Blob(p.amount) } else { Value::Null },
            p.fee.map_or(Value::Null, Value::Blob),
            Value::Integer(i64::from(t.failed)),
            prev_key,
            prev_pos,
            Value::Integer(self.batch_id),
            Value::Integer(i64::try_from(t.line).unwrap_or(i64::MAX)),
        ]);
        if self.pending.len() == ROWS_PER_INSERT {
            for (i, v) in self.pending.iter().flatten().enumerate() {
                self.insert_many.raw_bind_parameter(i + 1, v)?;
            }
            self.insert_many.raw_execute()?;
            self.pending.clear();
            for (i, v) in self.pending_hashes.iter().flatten().enumerate() {
                self.insert_hashes_many.raw_bind_parameter(i + 1, v)?;
            }
            self.insert_hashes_many.raw_execute()?;
            self.pending_hashes.clear();
        }
        Ok(Stored::New)
    }

    /// Writes the buffered rows.
    pub(super) fn finish(&mut self) -> rusqlite::Result<()> {
        for row in self.pending.drain(..) {
            self.insert_one.execute(params_from_iter(row))?;
        }
        for row in self.pending_hashes.drain(..) {
            self.insert_hashes_one.execute(params_from_iter(row))?;
        }
        Ok(())
    }
}

/// Rows per multi-row `INSERT`: one statement step per 64 rows instead of per row.
const ROWS_PER_INSERT: usize = 64;
/// Columns written per transfer into `transfers` and into `transfer_hashes`.
const TRANSFER_COLUMNS: usize = 17;
const HASH_COLUMNS: usize = 4;

/// `INSERT INTO transfers … VALUES (…), (…)` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    let one = format!("({})", ["?"; TRANSFER_COLUMNS].join(","));
    format!(
        "INSERT INTO transfers (id, chain, tx_key, kind, position, block, time, from_id, to_id, asset_id, amount, fee, failed, prev_key, prev_pos, batch_id, line) VALUES {}",
        vec![one; rows].join(",")
    )
}

/// `INSERT INTO transfer_hashes … VALUES (…), (…)` for `rows` rows.
fn insert_hashes_sql(rows: usize) -> String {
    let one = format!("({})", ["?"; HASH_COLUMNS].join(","));
    format!("INSERT INTO transfer_hashes (id, tx_hash, prev_tx, uid) VALUES {}", vec![one; rows].join(","))
}

impl Apply for BatchWriter<'_> {
    fn apply(&mut self, item: Item) -> Result<(), ReadError> {
        match item {
            Item::Row => self.rows += 1,
            Item::Transfer(p) => self.transfer(p)?,
            Item::Label(l) => self.label(&l)?,
            Item::Asset(a) => self.asset(&a)?,
            Item::Refuse(r) => self.refused.push(r),
            Item::Skip(reason) => *self.skipped.entry(reason).or_default() += 1,
            Item::Chain(chain, rule) => self.chain = Some((chain, rule)),
            Item::BlockTime(b) => self.block(&b)?,
        }
        Ok(())
    }
}

impl BatchWriter<'_> {
    fn transfer(&mut self, p: Prepared) -> Result<(), ReadError> {
        let line = p.transfer.line;
        match self.store(p).map_err(|e| ReadError::Sink(format!("storing the transfer of line {line}: {e}")))? {
            Stored::New => self.transfers += 1,
            Stored::Duplicate => self.duplicates += 1,
            Stored::Conflict(r) => {
                self.conflicts += 1;
                self.refused.push(r);
            }
        }
        Ok(())
    }

    fn label(&mut self, l: &Label) -> Result<(), ReadError> {
        let n = self
            .insert_label
            .execute(params![
                l.chain,
                l.address,
                l.entity,
                l.category.name(),
                l.source_category,
                l.actor.as_deref().unwrap_or(""),
                l.source,
                l.confidence,
                l.valid_from,
                l.valid_to,
                l.added_by,
                self.batch_id,
                l.line,
            ])
            .map_err(|e| ReadError::Sink(format!("storing the label of line {}: {e}", l.line)))?;
        if n == 0 {
            self.duplicates += 1;
        } else {
            self.labels += 1;
        }
        Ok(())
    }

    /// Stores a block's time. The same block stated again with the same time is a duplicate;
    /// with another time it is refused, naming the file and line that stated the first.
    fn block(&mut self, b: &BlockTime) -> Result<(), ReadError> {
        let sink = |e: rusqlite::Error| ReadError::Sink(format!("storing the block of line {}: {e}", b.line));
        let chain = self.ids.chain(&b.chain).map_err(sink)?;
        let n = self.insert_block.execute(params![chain, b.number, b.time, self.batch_id, b.line]).map_err(sink)?;
        if n == 1 {
            self.blocks += 1;
            return Ok(());
        }
        let (time, file, line): (i64, String, i64) = self
            .block_time
            .query_row(params![chain, b.number], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(sink)?;
        if time == b.time {
            self.duplicates += 1;
        } else {
            self.refused.push(Refusal::new(
                b.line,
                "timestamp",
                format!(
                    "conflict: block {} has time {} here but {} in {file} line {line}: expected the same time in every export",
                    b.number,
                    crate::import::time::format_utc(b.time),
                    crate::import::time::format_utc(time)
                ),
            ));
        }
        Ok(())
    }

    fn asset(&mut self, a: &AssetInfo) -> Result<(), ReadError> {
        self.upsert_asset
            .execute(params![a.chain, a.asset, a.symbol, a.decimals, a.name])
            .map_err(|e| ReadError::Sink(format!("storing asset {}: {e}", a.asset)))?;
        Ok(())
    }
}

/// What became of one transfer.
enum Stored {
    /// Stored.
    New,
    /// Already stored with the same facts.
    Duplicate,
    /// The same identity with other facts: refused.
    Conflict(Refusal),
}

/// What a transfer states beyond its identity: compared between rows of the same identity.
struct Facts {
    /// `None`: not known (an unresolved UTXO input).
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
    fn of(t: &Transfer) -> Self {
        let unknown_amount = t.kind == TransferKind::UtxoInput && t.from.is_none();
        let utxo = matches!(t.kind, TransferKind::UtxoInput | TransferKind::UtxoOutput);
        Facts {
            amount: (!unknown_amount).then_some(t.amount_base),
            time: t.time,
            block: t.block,
            from: t.from.clone(),
            to: t.to.clone(),
            positional: !utxo || t.position.is_some() || t.prev_out.is_some(),
        }
    }

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

/// The facts of a file's first row of an identity, kept compact (a hash per field: a bulk
/// import holds one per transfer): `0` when the field is not stated. A collision (about 1 in
/// 2^63) could hide a conflict within a file, never invent one.
struct FactKeys {
    amount: u64,
    time: u64,
    block: u64,
    from: u64,
    to: u64,
    positional: bool,
    line: u64,
}

impl FactKeys {
    fn of(f: &Facts, line: u64) -> Self {
        FactKeys {
            amount: hash_of(f.amount.as_ref()),
            time: hash_of(f.time.as_ref()),
            block: hash_of(f.block.as_ref()),
            from: hash_of(f.from.as_ref()),
            to: hash_of(f.to.as_ref()),
            positional: f.positional,
            line,
        }
    }

    /// As [`Facts::differs`].
    fn differs(&self, other: &FactKeys) -> Option<&'static str> {
        let both = |a: u64, b: u64| a != 0 && b != 0 && a != b;
        let positional = self.positional && other.positional;
        if positional && both(self.amount, other.amount) {
            Some("amount")
        } else if both(self.time, other.time) {
            Some("time")
        } else if both(self.block, other.block) {
            Some("block")
        } else if positional && both(self.from, other.from) {
            Some("from")
        } else if positional && both(self.to, other.to) {
            Some("to")
        } else {
            None
        }
    }
}

/// A non-zero hash of a stated value; `0` when not stated.
fn hash_of<T: std::hash::Hash>(v: Option<&T>) -> u64 {
    use std::hash::Hasher;
    v.map_or(0, |v| {
        let mut h = rustc_hash::FxHasher::default();
        v.hash(&mut h);
        h.finish() | 1
    })
}

/// `bitcoin tx 4a5e… output 0`, `ethereum tx 0xab… token transfer from 0x… to 0x…`.
fn identity_text(t: &Transfer) -> String {
    let what = match (t.kind, &t.prev_out, t.position) {
        (TransferKind::UtxoInput, Some((tx, n)), _) => format!("input spending {tx}:{n}"),
        (TransferKind::UtxoInput, None, Some(n)) => format!("input {n}"),
        (TransferKind::UtxoOutput, _, Some(n)) => format!("output {n}"),
        (k, _, _) => format!(
            "{} transfer from {} to {}",
            k.name(),
            t.from.as_deref().unwrap_or("-"),
            t.to.as_deref().unwrap_or("-")
        ),
    };
    format!("{} tx {} {what}", t.chain, t.tx_hash)
}
