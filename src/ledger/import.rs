//! Importing one file as one batch: detect, hash, read, insert, commit whole or not at all.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Statement, Transaction, params, params_from_iter};
use rustc_hash::FxHashMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pipeline::{self, Apply, Item, Prepared};
use super::{LedgerError, SqliteLedger, schema};
use crate::import::{self, AssetInfo, Format, ImportOptions, ReadContext, ReadError, Refusal};
use crate::model::{Label, Transfer};

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ImportOutcome {
    /// The batch was committed.
    Committed,
    /// The same file (same SHA-256) is already in the ledger: nothing was added.
    AlreadyImported,
    /// Rows were refused and `--skip-bad` was not given: nothing was added.
    RefusedRows,
}

/// The report of importing one file.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The file as given.
    pub path: PathBuf,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Format read.
    pub format: Format,
    /// What became of it.
    pub outcome: ImportOutcome,
    /// The batch id (new, or the earlier one for an already imported file).
    pub batch_id: Option<i64>,
    /// Data rows read.
    pub rows: u64,
    /// Transfers added.
    pub transfers: u64,
    /// Labels added.
    pub labels: u64,
    /// Transfers or labels that were already in the ledger (from another file).
    pub duplicates: u64,
    /// Refused rows, with line, field and reason.
    pub refused: Vec<Refusal>,
    /// Rows skipped as carrying nothing, per reason.
    pub skipped: BTreeMap<String, u64>,
    /// UTXO inputs resolved to the address and value of the output they spend.
    pub resolved_inputs: u64,
    /// Where the refused rows were written (with `--skip-bad`).
    pub refused_file: Option<PathBuf>,
}

impl SqliteLedger {
    /// Imports `path` as one batch.
    ///
    /// A file already imported (same SHA-256, file name and options) adds nothing. Otherwise it is read in
    /// one SQLite transaction; if any row is refused and `options.skip_bad` is false, the
    /// transaction is rolled back and the report lists every refusal. With `skip_bad`, good
    /// rows are committed and refused ones written to `refused_out` (CSV: line, field, reason).
    ///
    /// # Errors
    /// [`LedgerError`] when the file cannot be read or recognised, or storage fails; the ledger
    /// is unchanged then.
    pub fn import_file(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        refused_out: Option<&Path>,
    ) -> Result<ImportReport, LedgerError> {
        let io_err = |source| LedgerError::Io { path: path.to_owned(), source };
        let size_bytes = std::fs::metadata(path).map_err(io_err)?.len();
        // A batch is the same when its content, file name and options are: the same bytes can
        // mean other data under another name or --chain (the OFAC `_BSC` and `_ARB` lists are
        // byte-identical; their names say the chain).
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let options_json = serde_json::to_string(options).unwrap_or_default();
        // The SHA-256 is computed while the file is read. Only when a batch of the same size is
        // already in the ledger (it may be this very file) is the file hashed first, so a
        // re-import costs one read instead of a whole import.
        let same_size: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM import_batches WHERE size_bytes = ?1)", [size_bytes], |r| r.get(0))
            .map_err(self.err("look up batch"))?;
        let pre_sha = if same_size { Some(hash_file(path).map_err(io_err)?) } else { None };
        let file = File::open(path).map_err(io_err)?;
        let mut input = BufReader::with_capacity(1 << 20, HashingReader { inner: file, sha: Sha256::new() });
        let format = match options.format {
            Some(f) => f,
            None => {
                let buf = input.fill_buf().map_err(io_err)?;
                // Look at whole lines only: a sample cut mid-line would mislead the detector.
                let sample = if buf.len() > import::SAMPLE_BYTES {
                    let cut = &buf[..import::SAMPLE_BYTES];
                    cut.iter().rposition(|&b| b == b'\n').map_or(cut, |i| &cut[..=i])
                } else {
                    buf
                };
                import::detect(sample).map_err(|message| LedgerError::Input { path: path.to_owned(), message })?
            }
        };
        let mut report = ImportReport {
            path: path.to_owned(),
            sha256: String::new(),
            format,
            outcome: ImportOutcome::Committed,
            batch_id: None,
            rows: 0,
            transfers: 0,
            labels: 0,
            duplicates: 0,
            refused: Vec::new(),
            skipped: BTreeMap::new(),
            resolved_inputs: 0,
            refused_file: None,
        };
        if let Some(sha) = &pre_sha {
            report.sha256.clone_from(sha);
            if let Some(id) =
                batch_with_sha(&self.conn, sha, &file_name, &options_json).map_err(self.err("look up batch"))?
            {
                report.outcome = ImportOutcome::AlreadyImported;
                report.batch_id = Some(id);
                return Ok(report);
            }
        }

        let ledger_path = self.path.clone();
        let sql_err = |action: &'static str| {
            let p = ledger_path.clone();
            move |e| LedgerError::sqlite(&p, action, e)
        };
        let tx = self.conn.transaction().map_err(sql_err("begin import"))?;
        tx.execute(
            "INSERT INTO import_batches (file_name, file_path, sha256, size_bytes, format, imported_at, options)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                file_name,
                path.display().to_string(),
                pre_sha.clone().unwrap_or_else(|| format!("pending:{}", jiff::Timestamp::now().as_nanosecond())),
                size_bytes,
                format.name(),
                jiff::Timestamp::now().as_second(),
                options_json
            ],
        )
        .map_err(sql_err("record batch"))?;
        let batch_id = tx.last_insert_rowid();
        // An empty ledger takes the bulk path: indexes are dropped and rebuilt once at the end.
        let bulk: bool = !tx
            .query_row("SELECT EXISTS (SELECT 1 FROM transfers)", [], |r| r.get::<_, bool>(0))
            .map_err(sql_err("inspect ledger"))?;
        if bulk {
            tx.execute_batch(schema::DROP_TRANSFER_INDEXES).map_err(sql_err("prepare bulk import"))?;
        }
        let ctx = ReadContext { file_name: &file_name, options };
        let read_result = {
            let mut writer = BatchWriter::new(&tx, batch_id, bulk).map_err(sql_err("prepare import"))?;
            let r = pipeline::run(format, &mut input, &ctx, &mut writer)
                .and_then(|()| writer.finish().map_err(|e| ReadError::Sink(format!("storing transfers: {e}"))));
            report.rows = writer.rows;
            report.transfers = writer.transfers;
            report.labels = writer.labels;
            report.duplicates = writer.duplicates;
            report.refused = std::mem::take(&mut writer.refused);
            report.skipped = writer.skipped.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
            r
        };
        // The reader may stop before the end (a JSON document, a fatal error): hash the rest.
        let read_result = read_result
            .and_then(|()| std::io::copy(&mut input, &mut std::io::sink()).map(|_| ()).map_err(ReadError::Io));
        match read_result {
            Ok(()) => {}
            Err(ReadError::Sink(message)) => return Err(LedgerError::Input { path: ledger_path_of(&tx), message }),
            Err(ReadError::Io(source)) => return Err(LedgerError::Io { path: path.to_owned(), source }),
            Err(e @ ReadError::Format { .. }) => {
                return Err(LedgerError::Input { path: path.to_owned(), message: e.to_string() });
            }
        }
        report.sha256 = hex::encode(input.into_inner().sha.finalize());
        if pre_sha.is_none()
            && let Some(id) =
                batch_with_sha(&tx, &report.sha256, &file_name, &options_json).map_err(sql_err("look up batch"))?
        {
            // This content is already in the ledger: keep nothing (dropping `tx` rolls back).
            report.outcome = ImportOutcome::AlreadyImported;
            report.batch_id = Some(id);
            report.rows = 0;
            report.transfers = 0;
            report.labels = 0;
            report.duplicates = 0;
            report.refused.clear();
            report.skipped.clear();
            return Ok(report);
        }
        if !report.refused.is_empty() && !options.skip_bad {
            report.outcome = ImportOutcome::RefusedRows;
            return Ok(report); // dropping `tx` rolls everything back
        }
        if bulk {
            tx.execute_batch(schema::TRANSFER_INDEXES).map_err(sql_err("build indexes"))?;
        }
        report.resolved_inputs = resolve_utxo_inputs(&tx).map_err(sql_err("resolve UTXO inputs"))?;
        let skipped: u64 = report.skipped.values().sum();
        tx.execute(
            "UPDATE import_batches SET rows_read = ?2, transfers = ?3, labels = ?4, refused = ?5, duplicates = ?6, skipped = ?7,
                sha256 = ?8 WHERE id = ?1",
            params![
                batch_id,
                report.rows,
                report.transfers,
                report.labels,
                report.refused.len() as u64,
                report.duplicates,
                skipped,
                report.sha256
            ],
        )
        .map_err(sql_err("record batch counts"))?;
        if !report.refused.is_empty()
            && let Some(out) = refused_out
        {
            write_refused(out, &file_name, &report.refused)
                .map_err(|source| LedgerError::Io { path: out.to_owned(), source })?;
            report.refused_file = Some(out.to_owned());
        }
        tx.commit().map_err(sql_err("commit import"))?;
        self.meta.borrow_mut().take();
        report.batch_id = Some(batch_id);
        Ok(report)
    }
}

fn ledger_path_of(tx: &Transaction<'_>) -> PathBuf {
    tx.path().map(PathBuf::from).unwrap_or_default()
}

/// The batch already imported from this content, under this file name with these options.
fn batch_with_sha(
    conn: &rusqlite::Connection,
    sha: &str,
    file_name: &str,
    options_json: &str,
) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM import_batches WHERE sha256 = ?1 AND file_name = ?2 AND options = ?3",
        [sha, file_name, options_json],
        |r| r.get(0),
    )
    .optional()
}

/// A reader that hashes every byte it passes on.
struct HashingReader {
    inner: File,
    sha: Sha256,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

/// SHA-256 (hex) of a file, read in 1 MiB blocks.
fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Gives UTXO inputs whose spent output is in the ledger that output's address, asset and value.
/// Runs after every batch, so inputs and outputs may arrive in any order.
fn resolve_utxo_inputs(tx: &Transaction<'_>) -> rusqlite::Result<u64> {
    let n = tx.execute(
        "UPDATE transfers AS i SET from_id = o.to_id, amount = o.amount, asset_id = o.asset_id
         FROM transfers AS o, transfer_hashes AS oh, transfer_hashes AS ih
         WHERE i.kind = 4 AND i.from_id IS NULL AND i.prev_key IS NOT NULL
           AND o.tx_key = i.prev_key AND o.chain = i.chain AND o.position = i.prev_pos AND o.kind = 3
           AND ih.id = i.id AND oh.id = o.id AND oh.tx_hash = ih.prev_tx",
        [],
    )?;
    Ok(n as u64)
}

fn write_refused(out: &Path, file_name: &str, refused: &[Refusal]) -> std::io::Result<()> {
    let tmp = out.with_extension("tmp");
    {
        let mut w = csv::Writer::from_path(&tmp)?;
        w.write_record(["file", "line", "field", "reason"])?;
        for r in refused {
            w.write_record([
                crate::import::csvutil::neutralize(file_name).as_ref(),
                &r.line.to_string(),
                crate::import::csvutil::neutralize(&r.field).as_ref(),
                crate::import::csvutil::neutralize(&r.message).as_ref(),
            ])?;
        }
        w.flush()?;
        w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?.sync_all()?;
    }
    std::fs::rename(&tmp, out)
}

/// The [`Sink`] that writes into the batch's transaction.
struct BatchWriter<'t> {
    insert_many: Statement<'t>,
    insert_one: Statement<'t>,
    pending: Vec<[Value; TRANSFER_COLUMNS]>,
    insert_hashes_many: Statement<'t>,
    insert_hashes_one: Statement<'t>,
    pending_hashes: Vec<[Value; HASH_COLUMNS]>,
    /// Id of the next transfer (ids are given here so both tables share them).
    next_id: i64,
    /// How many transfers of each identity the file has had so far (see [`Transfer::identity`]).
    occurrences: FxHashMap<[u8; 16], u32>,
    /// Whether a transfer with this identity is already stored (not needed in bulk mode).
    exists: Statement<'t>,
    insert_label: Statement<'t>,
    upsert_asset: Statement<'t>,
    ids: Interner<'t>,
    batch_id: i64,
    bulk: bool,
    rows: u64,
    transfers: u64,
    labels: u64,
    duplicates: u64,
    refused: Vec<Refusal>,
    skipped: BTreeMap<&'static str, u64>,
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
    fn new(tx: &'t Transaction<'t>, batch_id: i64, bulk: bool) -> rusqlite::Result<Self> {
        Ok(BatchWriter {
            exists: tx.prepare(
                "SELECT EXISTS (SELECT 1 FROM transfers t JOIN transfer_hashes h ON h.id = t.id
                 WHERE t.tx_key = ?1 AND t.chain = ?2 AND h.tx_hash = ?3 AND h.uid = ?4)",
            )?,
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
            ids: Interner::new(tx)?,
            batch_id,
            bulk,
            rows: 0,
            transfers: 0,
            labels: 0,
            duplicates: 0,
            refused: Vec::new(),
            skipped: BTreeMap::new(),
        })
    }

    /// Stores `p` unless a transfer with the same identity is there; returns whether it was new.
    /// Rows are buffered and written [`ROWS_PER_INSERT`] at a time; [`BatchWriter::finish`]
    /// writes the rest.
    fn store(&mut self, p: Prepared) -> rusqlite::Result<bool> {
        let t = &p.transfer;
        let base = t.identity_base();
        let occurrence = self.occurrences.entry(base).or_insert(0);
        let uid = Transfer::identity(base, *occurrence);
        *occurrence += 1;
        let chain = self.ids.chain(&t.chain)?;
        // In bulk mode the ledger held no transfers and identities within a file are distinct.
        if !self.bulk
            && self.exists.query_row(params![p.tx_key, chain, p.tx_hash, &uid[..]], |r| r.get::<_, bool>(0))?
        {
            return Ok(false);
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
            Value::Blob(p.amount),
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
        Ok(true)
    }

    /// Writes the buffered rows.
    fn finish(&mut self) -> rusqlite::Result<()> {
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
        }
        Ok(())
    }
}

impl BatchWriter<'_> {
    fn transfer(&mut self, p: Prepared) -> Result<(), ReadError> {
        let line = p.transfer.line;
        let new = self.store(p).map_err(|e| ReadError::Sink(format!("storing the transfer of line {line}: {e}")))?;
        if new {
            self.transfers += 1;
        } else {
            self.duplicates += 1;
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

    fn asset(&mut self, a: &AssetInfo) -> Result<(), ReadError> {
        self.upsert_asset
            .execute(params![a.chain, a.asset, a.symbol, a.decimals, a.name])
            .map_err(|e| ReadError::Sink(format!("storing asset {}: {e}", a.asset)))?;
        Ok(())
    }
}
