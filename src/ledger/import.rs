//! Importing one file as one batch: detect, hash, read, insert, commit whole or not at all.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rusqlite::{Statement, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{LedgerError, SqliteLedger, schema};
use crate::import::{self, AssetInfo, Format, ImportOptions, ReadContext, ReadError, Refusal, Sink};
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
    /// The file is hashed first: a file already imported adds nothing. Otherwise it is read in
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
        let (sha256, size_bytes) = hash_file(path).map_err(io_err)?;
        let file = File::open(path).map_err(io_err)?;
        let mut input = BufReader::with_capacity(1 << 20, file);
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
            sha256: sha256.clone(),
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
        let existing: Option<i64> = self
            .conn
            .query_row("SELECT id FROM import_batches WHERE sha256 = ?1", [&sha256], |r| r.get(0))
            .map(Some)
            .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })
            .map_err(self.err("look up batch"))?;
        if let Some(id) = existing {
            report.outcome = ImportOutcome::AlreadyImported;
            report.batch_id = Some(id);
            return Ok(report);
        }

        let ledger_path = self.path.clone();
        let sql_err = |action: &'static str| {
            let p = ledger_path.clone();
            move |e| LedgerError::sqlite(&p, action, e)
        };
        let tx = self.conn.transaction().map_err(sql_err("begin import"))?;
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let options_json = serde_json::to_string(options).unwrap_or_default();
        tx.execute(
            "INSERT INTO import_batches (file_name, file_path, sha256, size_bytes, format, imported_at, options)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                file_name,
                path.display().to_string(),
                sha256,
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
            let r = import::read(format, &mut input, &ctx, &mut writer);
            report.rows = writer.rows;
            report.transfers = writer.transfers;
            report.labels = writer.labels;
            report.duplicates = writer.duplicates;
            report.refused = std::mem::take(&mut writer.refused);
            report.skipped = writer.skipped.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
            r
        };
        match read_result {
            Ok(()) => {}
            Err(ReadError::Sink(message)) => return Err(LedgerError::Input { path: ledger_path_of(&tx), message }),
            Err(ReadError::Io(source)) => return Err(LedgerError::Io { path: path.to_owned(), source }),
            Err(e @ ReadError::Format { .. }) => {
                return Err(LedgerError::Input { path: path.to_owned(), message: e.to_string() });
            }
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
            "UPDATE import_batches SET rows_read = ?2, transfers = ?3, labels = ?4, refused = ?5, duplicates = ?6, skipped = ?7 WHERE id = ?1",
            params![batch_id, report.rows, report.transfers, report.labels, report.refused.len() as u64, report.duplicates, skipped],
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
        report.batch_id = Some(batch_id);
        Ok(report)
    }
}

fn ledger_path_of(tx: &Transaction<'_>) -> PathBuf {
    tx.path().map(PathBuf::from).unwrap_or_default()
}

/// SHA-256 (hex) and size of a file, read in 1 MiB blocks.
fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex::encode(h.finalize()), size))
}

/// Gives UTXO inputs whose spent output is in the ledger that output's address, asset and value.
/// Runs after every batch, so inputs and outputs may arrive in any order.
fn resolve_utxo_inputs(tx: &Transaction<'_>) -> rusqlite::Result<u64> {
    let n = tx.execute(
        "UPDATE transfers AS i SET from_addr = o.to_addr, amount = o.amount, asset = o.asset
         FROM transfers AS o
         WHERE i.kind = 4 AND i.from_addr IS NULL AND i.prev_tx IS NOT NULL
           AND o.chain = i.chain AND o.tx_hash = i.prev_tx AND o.position = i.prev_pos AND o.kind = 3",
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
    insert_transfer: Statement<'t>,
    insert_label: Statement<'t>,
    insert_asset: Statement<'t>,
    batch_id: i64,
    bulk: bool,
    occurrences: HashMap<[u8; 16], u32>,
    rows: u64,
    transfers: u64,
    labels: u64,
    duplicates: u64,
    refused: Vec<Refusal>,
    skipped: BTreeMap<&'static str, u64>,
}

impl<'t> BatchWriter<'t> {
    fn new(tx: &'t Transaction<'t>, batch_id: i64, bulk: bool) -> rusqlite::Result<Self> {
        let verb = if bulk { "INSERT" } else { "INSERT OR IGNORE" };
        Ok(BatchWriter {
            insert_transfer: tx.prepare(&format!(
                "{verb} INTO transfers (chain, tx_hash, kind, position, block, time, from_addr, to_addr, asset, amount, fee, failed, prev_tx, prev_pos, batch_id, line, uid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
            ))?,
            insert_label: tx.prepare(
                "INSERT OR IGNORE INTO labels (chain, address, entity, category, source_category, actor, source, confidence, valid_from, valid_to, added_by, batch_id, line)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            insert_asset: tx.prepare(
                "INSERT INTO assets (chain, asset, symbol, decimals, name) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (chain, asset) DO UPDATE SET
                   symbol = coalesce(assets.symbol, excluded.symbol),
                   decimals = coalesce(assets.decimals, excluded.decimals),
                   name = coalesce(assets.name, excluded.name)",
            )?,
            batch_id,
            bulk,
            occurrences: HashMap::new(),
            rows: 0,
            transfers: 0,
            labels: 0,
            duplicates: 0,
            refused: Vec::new(),
            skipped: BTreeMap::new(),
        })
    }
}

impl Sink for BatchWriter<'_> {
    fn row(&mut self) {
        self.rows += 1;
    }

    fn transfer(&mut self, t: Transfer) -> Result<(), ReadError> {
        let base = t.identity_base();
        let occ = self.occurrences.entry(base).or_insert(0);
        let uid = Transfer::identity(base, *occ);
        *occ += 1;
        let fee = t.fee_base.map(|f| f.to_be_bytes());
        let (prev_tx, prev_pos) = t.prev_out.as_ref().map_or((None, None), |(tx, n)| (Some(tx.as_str()), Some(*n)));
        let n = self
            .insert_transfer
            .execute(params![
                t.chain,
                t.tx_hash,
                t.kind.code(),
                t.position,
                t.block,
                t.time,
                t.from,
                t.to,
                t.asset,
                &t.amount_base.to_be_bytes()[..],
                fee.as_ref().map(|f| &f[..]),
                t.failed,
                prev_tx,
                prev_pos,
                self.batch_id,
                t.line,
                &uid[..],
            ])
            .map_err(|e| ReadError::Sink(format!("storing the transfer of line {}: {e}", t.line)))?;
        if n == 0 && !self.bulk {
            self.duplicates += 1;
        } else {
            self.transfers += 1;
        }
        Ok(())
    }

    fn label(&mut self, l: Label) -> Result<(), ReadError> {
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

    fn asset(&mut self, a: AssetInfo) -> Result<(), ReadError> {
        self.insert_asset
            .execute(params![a.chain, a.asset, a.symbol, a.decimals, a.name])
            .map_err(|e| ReadError::Sink(format!("storing asset {}: {e}", a.asset)))?;
        Ok(())
    }

    fn refuse(&mut self, r: Refusal) {
        self.refused.push(r);
    }

    fn skip(&mut self, _line: u64, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }
}
