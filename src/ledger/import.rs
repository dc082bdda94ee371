//! Importing one file as one batch: detect, hash, read, insert, commit whole or not at all.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pipeline;
use super::writer::BatchWriter;
use super::{LedgerError, SqliteLedger, identity, schema};
use crate::import::{self, Format, ImportOptions, ReadContext, ReadError, Refusal};

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ImportOutcome {
    /// The batch was committed.
    Committed,
    /// The same file (same SHA-256) is already in the ledger: nothing was added.
    AlreadyImported,
    /// Rows were refused and `--skip-bad` was not given, or a row conflicts with a transfer
    /// already stated (never skippable): nothing was added.
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
    /// Refused rows, with line, field and reason (conflicts included).
    pub refused: Vec<Refusal>,
    /// How many of the refusals are conflicts: a transfer already in the ledger (or earlier in
    /// the file) with the same identity but another amount, time, block or party. A conflict
    /// refuses the whole batch, even with `--skip-bad`.
    pub conflicts: u64,
    /// Rows skipped as carrying nothing, per reason.
    pub skipped: BTreeMap<String, u64>,
    /// UTXO inputs resolved to the address and value of the output they spend.
    pub resolved_inputs: u64,
    /// Where the refused rows were written (with `--skip-bad`).
    pub refused_file: Option<PathBuf>,
    /// The chain the file was read as, when the format decides one per file.
    pub chain: Option<String>,
    /// How that chain was decided (`--chain`, the value unit, the file name, a chain column).
    pub chain_rule: Option<String>,
    /// Block times stored (blocks exports).
    pub blocks: u64,
    /// Transfers of this or earlier batches that got their time from a block time.
    pub timed_from_blocks: u64,
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
        self.import_file_with(path, options, refused_out, &ImportControl::default())
    }

    /// [`import_file`](Self::import_file), reporting bytes read to `control` and stopping
    /// (rolled back, an I/O error saying [`CANCELLED`]) when it is cancelled.
    ///
    /// # Errors
    /// As [`import_file`](Self::import_file); cancelled imports end with [`LedgerError::Io`].
    pub fn import_file_with(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        refused_out: Option<&Path>,
        control: &ImportControl,
    ) -> Result<ImportReport, LedgerError> {
        // Bounded memory while importing: sorts for the index builds spill to temporary files
        // past the page cache's size instead of growing in memory, the page cache is smaller,
        // and the file is not memory-mapped (every page read through a map stays resident).
        // The settings for queries come back after.
        let ledger_path = self.path.clone();
        let configure = |conn: &rusqlite::Connection, sql: &str| {
            conn.execute_batch(sql).map_err(|e| LedgerError::sqlite(&ledger_path, "configure", e))
        };
        configure(&self.conn, schema::IMPORT_PRAGMAS)?;
        let result = self.import_file_inner(path, options, refused_out, control);
        configure(&self.conn, schema::QUERY_PRAGMAS)?;
        result
    }

    fn import_file_inner(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        refused_out: Option<&Path>,
        control: &ImportControl,
    ) -> Result<ImportReport, LedgerError> {
        let io_err = |source| LedgerError::Io { path: path.to_owned(), source };
        let size_bytes = std::fs::metadata(path).map_err(io_err)?.len();
        // A batch is the same when its content, file name and options are: the same bytes can
        // mean other data under another name or --chain (the OFAC `_BSC` and `_ARB` lists are
        // byte-identical; their names say the chain).
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        // Part of the batch's identity: never a default.
        let options_json = serde_json::to_string(options).map_err(|e| {
            LedgerError::Query(format!("cannot serialise the import options that identify the batch: {e}"))
        })?;
        // The SHA-256 is computed while the file is read. Only when a batch of the same size is
        // already in the ledger (it may be this very file) is the file hashed first, so a
        // re-import costs one read instead of a whole import.
        let same_size: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM import_batches WHERE size_bytes = ?1)", [size_bytes], |r| r.get(0))
            .map_err(self.err("look up batch"))?;
        let pre_sha = if same_size { Some(hash_file(path).map_err(io_err)?) } else { None };
        let file = File::open(path).map_err(io_err)?;
        let mut input = BufReader::with_capacity(1 << 20, HashingReader { inner: file, sha: Sha256::new(), control });
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
                import::detect(sample).map_err(|source| LedgerError::Format { path: path.to_owned(), source })?
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
            conflicts: 0,
            skipped: BTreeMap::new(),
            resolved_inputs: 0,
            refused_file: None,
            chain: None,
            chain_rule: None,
            blocks: 0,
            timed_from_blocks: 0,
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
        let ctx = ReadContext { file_name: &file_name, path: Some(path), options };
        let first_id: i64;
        let read_result = {
            let mut writer = BatchWriter::new(&tx, batch_id).map_err(sql_err("prepare import"))?;
            let r = pipeline::run(format, &mut input, &ctx, &mut writer)
                .and_then(|()| writer.finish().map_err(|e| ReadError::Sink(format!("storing transfers: {e}"))));
            report.rows = writer.rows;
            report.transfers = writer.transfers;
            report.labels = writer.labels;
            report.duplicates = writer.duplicates;
            report.refused = std::mem::take(&mut writer.refused);
            first_id = writer.first_id;
            report.skipped = writer.skipped.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
            report.blocks = writer.blocks;
            if let Some((chain, rule)) = writer.chain.take() {
                report.chain = Some(chain);
                report.chain_rule = Some(rule);
            }
            r
        };
        // The reader may stop before the end (a JSON document, a fatal error): hash the rest.
        let read_result = read_result
            .and_then(|()| std::io::copy(&mut input, &mut std::io::sink()).map(|_| ()).map_err(ReadError::Io));
        match read_result {
            Ok(()) => {}
            Err(ReadError::Sink(message)) => return Err(LedgerError::Input { path: ledger_path_of(&tx), message }),
            Err(ReadError::Io(source)) => return Err(LedgerError::Io { path: path.to_owned(), source }),
            Err(ReadError::ChainUndecided { message }) => {
                return Err(LedgerError::ChainUndecided { path: path.to_owned(), message });
            }
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
            report.conflicts = 0;
            report.skipped.clear();
            return Ok(report);
        }
        if bulk {
            tx.execute_batch(schema::TRANSFER_INDEXES).map_err(sql_err("build indexes"))?;
        }
        // Duplicates, identical rows and conflicts, by the identity index.
        let settled =
            identity::settle(&tx, first_id, bulk, &file_name).map_err(sql_err("recognise transfers stated twice"))?;
        report.transfers -= settled.duplicates;
        report.duplicates += settled.duplicates;
        report.conflicts = settled.conflicts.len() as u64;
        if !settled.conflicts.is_empty() {
            report.refused.extend(settled.conflicts);
            report.refused.sort_by_key(|r| r.line);
        }
        if report.conflicts > 0 || (!report.refused.is_empty() && !options.skip_bad) {
            report.outcome = ImportOutcome::RefusedRows;
            return Ok(report); // dropping `tx` rolls everything back
        }
        report.resolved_inputs = resolve_utxo_inputs(&tx).map_err(sql_err("resolve UTXO inputs"))?;
        report.timed_from_blocks = time_from_blocks(&tx).map_err(sql_err("give transfers their block times"))?;
        let skipped: u64 = report.skipped.values().sum();
        tx.execute(
            "UPDATE import_batches SET rows_read = ?2, transfers = ?3, labels = ?4, refused = ?5, duplicates = ?6, skipped = ?7,
                sha256 = ?8, chain = ?9, chain_rule = ?10 WHERE id = ?1",
            params![
                batch_id,
                report.rows,
                report.transfers,
                report.labels,
                report.refused.len() as u64,
                report.duplicates,
                skipped,
                report.sha256,
                report.chain,
                report.chain_rule
            ],
        )
        .map_err(sql_err("record batch counts"))?;
        if !report.refused.is_empty()
            && let Some(out) = refused_out
        {
            write_refused(out, &file_name, &report.refused)
                .map_err(|e| LedgerError::Io { path: e.path, source: e.source })?;
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

/// Progress and cancellation of a running import, shared with whoever watches it (the
/// window's progress bar). Cancelling makes the next read fail, so the batch's transaction is
/// rolled back and nothing of the file is kept.
#[derive(Debug, Default)]
pub struct ImportControl {
    bytes_read: AtomicU64,
    cancel: std::sync::Arc<AtomicBool>,
}

impl ImportControl {
    /// A control whose cancel flag is `cancel`, shared with whoever else stops the work (the
    /// window's background job).
    #[must_use]
    pub fn with_cancel(cancel: std::sync::Arc<AtomicBool>) -> Self {
        ImportControl { bytes_read: AtomicU64::new(0), cancel }
    }

    /// Bytes of the file read so far.
    #[must_use]
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Asks the import to stop.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// The message of the I/O error a cancelled import ends with.
pub const CANCELLED: &str = "import cancelled: nothing of this file was kept";

/// A reader that hashes every byte it passes on, counts them and stops when cancelled.
struct HashingReader<'c> {
    inner: File,
    sha: Sha256,
    control: &'c ImportControl,
}

impl Read for HashingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.control.is_cancelled() {
            return Err(std::io::Error::other(CANCELLED));
        }
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        self.control.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
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

/// Gives transfers that came without a time (ethereum-etl token transfers and traces) the time
/// of their block, once a blocks export stating it is in the ledger. Runs after every batch, so
/// blocks and transfers may arrive in any order; only rows still without a time are read (a
/// partial index holds them).
fn time_from_blocks(tx: &Transaction<'_>) -> rusqlite::Result<u64> {
    // Without block times there is nothing to give (and the join would walk every transfer
    // waiting for one: all of a cryo import).
    if !tx.query_row("SELECT EXISTS (SELECT 1 FROM blocks)", [], |r| r.get::<_, bool>(0))? {
        return Ok(0);
    }
    let n = tx.execute(
        "UPDATE transfers SET time = b.time FROM blocks AS b
         WHERE transfers.time IS NULL AND transfers.block IS NOT NULL
           AND b.chain = transfers.chain AND b.number = transfers.block",
        [],
    )?;
    Ok(n as u64)
}

/// The refused rows as CSV at `out`, written atomically ([`crate::fsutil`]).
fn write_refused(out: &Path, file_name: &str, refused: &[Refusal]) -> Result<(), crate::fsutil::WriteError> {
    crate::fsutil::write_atomic_with(out, |f| {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(f));
        w.write_record(["file", "line", "field", "reason"])?;
        for r in refused {
            w.write_record([
                crate::import::csvutil::neutralize(file_name).as_ref(),
                &r.line.to_string(),
                crate::import::csvutil::neutralize(&r.field).as_ref(),
                crate::import::csvutil::neutralize(&r.message).as_ref(),
            ])?;
        }
        w.flush()
    })
}
