//! The writer side of an import: ids for chains, addresses and assets, buffered multi-row
//! inserts, block times and labels.
//!
//! Every transfer is stored under its identity ([`crate::model::Transfer::identity_base`]) without a lookup
//! and without remembering the file's identities (memory does not grow with the file);
//! duplicates, identical rows and conflicts are settled after the rows are written, by
//! [`super::identity::settle`] with the identity index.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Statement, Transaction, params, params_from_iter};
use rustc_hash::FxHashMap;

use super::pipeline::{Apply, Item, Prepared};
use crate::import::{AssetInfo, BlockTime, ReadError, Refusal};
use crate::model::{Label, TransferKind};

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
    /// Id of the batch's first transfer: the batch's rows are those from here on.
    pub(super) first_id: i64,
    insert_label: Statement<'t>,
    upsert_asset: Statement<'t>,
    insert_note: Statement<'t>,
    insert_block: Statement<'t>,
    block_time: Statement<'t>,
    ids: Interner<'t>,
    batch_id: i64,
    pub(super) rows: u64,
    pub(super) transfers: u64,
    pub(super) labels: u64,
    pub(super) duplicates: u64,
    pub(super) refused: Vec<Refusal>,
    pub(super) skipped: BTreeMap<&'static str, u64>,
    /// The chain the reader decided for the file, and how.
    pub(super) chain: Option<(String, String)>,
    /// Block times stored.
    pub(super) blocks: u64,
}

/// Integer ids of chains, addresses and assets, cached for the batch. Addresses are cached in
/// two generations of at most [`ADDRESS_CACHE_GENERATION`] entries: when the current one is
/// full it becomes the previous one and the older is dropped, so addresses in use stay cached
/// and memory stays bounded whatever the file's size.
struct Interner<'t> {
    chains: FxHashMap<String, i64>,
    addresses: FxHashMap<String, i64>,
    previous_addresses: FxHashMap<String, i64>,
    assets: FxHashMap<(i64, String), i64>,
    find_address: Statement<'t>,
    add_address: Statement<'t>,
    find_chain: Statement<'t>,
    add_chain: Statement<'t>,
    find_asset: Statement<'t>,
    add_asset: Statement<'t>,
    /// The addresses table was empty when the batch began and no address has left the cache
    /// since: every address not in the cache is new.
    fresh: bool,
}

/// Addresses per cache generation (about 100 bytes each).
const ADDRESS_CACHE_GENERATION: usize = 400_000;

impl<'t> Interner<'t> {
    fn new(tx: &'t Transaction<'t>) -> rusqlite::Result<Self> {
        let fresh = !tx.query_row("SELECT EXISTS (SELECT 1 FROM addresses)", [], |r| r.get::<_, bool>(0))?;
        Ok(Interner {
            chains: FxHashMap::default(),
            addresses: FxHashMap::default(),
            previous_addresses: FxHashMap::default(),
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
        let id = match self.previous_addresses.get(address) {
            Some(id) => *id,
            None => {
                let found =
                    if self.fresh { None } else { self.find_address.query_row([address], |r| r.get(0)).optional()? };
                match found {
                    Some(id) => id,
                    None => self.add_address.insert([address])?,
                }
            }
        };
        if self.addresses.len() >= ADDRESS_CACHE_GENERATION {
            // Addresses of the older generation leave the cache: from now on one not cached may
            // be in the table.
            self.fresh &= self.previous_addresses.is_empty();
            self.previous_addresses = std::mem::take(&mut self.addresses);
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
    /// Prepares the statements of a batch.
    pub(super) fn new(tx: &'t Transaction<'t>, batch_id: i64) -> rusqlite::Result<Self> {
        let next_id = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM transfers", [], |r| r.get(0))?;
        Ok(BatchWriter {
            insert_many: tx.prepare(&insert_sql(ROWS_PER_INSERT))?,
            insert_one: tx.prepare(&insert_sql(1))?,
            pending: Vec::with_capacity(ROWS_PER_INSERT),
            insert_hashes_many: tx.prepare(&insert_hashes_sql(ROWS_PER_INSERT))?,
            insert_hashes_one: tx.prepare(&insert_hashes_sql(1))?,
            pending_hashes: Vec::with_capacity(ROWS_PER_INSERT),
            first_id: next_id,
            next_id,
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

    /// Stores `p` under its identity (see the module docs). Rows are buffered and written
    /// [`ROWS_PER_INSERT`] at a time; [`BatchWriter::finish`] writes the rest.
    fn store(&mut self, p: Prepared) -> rusqlite::Result<()> {
        let t = &p.transfer;
        let uid = t.identity_base();
        let chain = self.ids.chain(&t.chain)?;
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
            if t.kind == TransferKind::UtxoInput && t.from.is_none() { Value::Null } else { Value::Blob(p.amount) },
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
        Ok(())
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
        self.store(p).map_err(|e| ReadError::Sink(format!("storing the transfer of line {line}: {e}")))?;
        self.transfers += 1;
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
