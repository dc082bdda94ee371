//! The SQLite schema of a ledger file, and opening one safely.
//!
//! Tables: `import_batches` (one row per imported file: name, SHA-256, counts, options);
//! `transfers`, which stores chains, addresses and assets as integer ids into `chains`,
//! `addresses` and `assets` (an address is 42 bytes of text but a 1–4 byte id, so rows and
//! indexes shrink several-fold) and amounts in the order-preserving encoding of
//! [`super::codec`]; `transfer_hashes`, the wide columns of each transfer under the same id
//! (transaction hash, spent output's hash, identity), kept apart so that scans and index
//! builds read narrow rows; and `labels`, keyed by address text.
//! Indexes: `(from_id, chain, time)` and `(to_id, chain, time)` serve the address queries
//! whether or not a chain is given (an EVM address is the same on every EVM chain);
//! `tx_key` (the first 8 bytes of the hash as an integer) serves transaction lookups and UTXO
//! input resolution; `transfer_hashes(substr(tx_hash, 1, 8), uid)` (schema 4) serves the duplicate and conflict check,
//! one index lookup per transfer whatever the size of its transaction (comparing a transfer
//! with every earlier row of its transaction made a 20,000-row transaction quadratic).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::LedgerError;

/// `PRAGMA application_id` of a hoptrace ledger ("HOPT").
pub const APPLICATION_ID: i64 = 0x484F_5054;
/// Current schema version (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 4;

/// The columns of the `transfers` table (schema 3: `amount` NULL for an unknown amount), written
/// once for the new ledger's table and the copy the version 3 migration makes.
macro_rules! transfer_columns {
    () => {
        "(
    id INTEGER PRIMARY KEY,
    chain INTEGER NOT NULL REFERENCES chains(id),
    tx_key INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    position INTEGER,
    block INTEGER,
    time INTEGER,
    from_id INTEGER REFERENCES addresses(id),
    to_id INTEGER REFERENCES addresses(id),
    asset_id INTEGER NOT NULL REFERENCES assets(id),
    amount BLOB,
    fee BLOB,
    failed INTEGER NOT NULL DEFAULT 0,
    prev_key INTEGER,
    prev_pos INTEGER,
    batch_id INTEGER NOT NULL REFERENCES import_batches(id),
    line INTEGER NOT NULL
);
"
    };
}

/// What schema version 2 added: the chain of a batch and how it was decided, the explorer's
/// method and stated USD value of the transfers that have them (a sparse side table: bulk data
/// has neither), and block times from blocks exports with the index that finds the transfers
/// still waiting for theirs.
macro_rules! since_version_2 {
    () => {
        "
CREATE TABLE IF NOT EXISTS transfer_notes (
    id INTEGER PRIMARY KEY REFERENCES transfers(id),
    method TEXT,
    stated_usd TEXT
);
CREATE TABLE IF NOT EXISTS blocks (
    chain INTEGER NOT NULL REFERENCES chains(id),
    number INTEGER NOT NULL,
    time INTEGER NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES import_batches(id),
    line INTEGER NOT NULL,
    PRIMARY KEY (chain, number)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS transfers_timeless ON transfers(chain, block) WHERE time IS NULL;
"
    };
}

/// Tables (created on a new ledger).
const TABLES: &str = concat!(
    "
CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    file_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    format TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    rows_read INTEGER NOT NULL DEFAULT 0,
    transfers INTEGER NOT NULL DEFAULT 0,
    labels INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL,
    chain TEXT,
    chain_rule TEXT
);
CREATE INDEX import_batches_sha256 ON import_batches(sha256);
CREATE TABLE chains (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE addresses (id INTEGER PRIMARY KEY, address TEXT NOT NULL UNIQUE);
CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    chain TEXT NOT NULL,
    asset TEXT NOT NULL,
    symbol TEXT,
    decimals INTEGER,
    name TEXT,
    UNIQUE (chain, asset)
);
CREATE TABLE transfers ",
    transfer_columns!(),
    "
CREATE TABLE transfer_hashes (
    id INTEGER PRIMARY KEY REFERENCES transfers(id),
    tx_hash BLOB NOT NULL,
    prev_tx BLOB,
    uid BLOB NOT NULL
);
CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    chain TEXT NOT NULL,
    address TEXT NOT NULL,
    entity TEXT NOT NULL,
    category TEXT NOT NULL,
    source_category TEXT,
    actor TEXT,
    source TEXT NOT NULL,
    confidence TEXT,
    valid_from TEXT,
    valid_to TEXT,
    added_by TEXT,
    batch_id INTEGER NOT NULL REFERENCES import_batches(id),
    line INTEGER NOT NULL,
    UNIQUE (chain, address, entity, category, source, actor)
);
CREATE INDEX labels_address ON labels(address, chain);
",
    since_version_2!()
);

/// Brings a version 1 ledger to version 2 (new columns and tables; nothing rewritten).
const MIGRATE_1_TO_2: &str = "
ALTER TABLE import_batches ADD COLUMN chain TEXT;
ALTER TABLE import_batches ADD COLUMN chain_rule TEXT;
";

/// Brings a version 2 ledger to version 3: `transfers.amount` becomes nullable, and NULL marks
/// an amount the ledger does not know (a UTXO input whose spent output is not imported, until
/// it is), where version 2 stored zero. SQLite cannot drop a NOT NULL constraint, so the table
/// is copied; its indexes are built again after.
const MIGRATE_2_TO_3: &str = concat!(
    "
CREATE TABLE transfers_v3 ",
    transfer_columns!(),
    "
INSERT INTO transfers_v3 SELECT id, chain, tx_key, kind, position, block, time, from_id, to_id, asset_id,
    CASE WHEN kind = 4 AND from_id IS NULL THEN NULL ELSE amount END,
    fee, failed, prev_key, prev_pos, batch_id, line FROM transfers;
DROP TABLE transfers;
ALTER TABLE transfers_v3 RENAME TO transfers;
"
);

/// The transfer indexes. The address and transaction indexes and the partial index of timeless
/// transfers are dropped and rebuilt around a bulk import into an empty ledger (a B-tree built
/// once from sorted keys is several times faster than one grown row by row); the partial index
/// of unresolved UTXO inputs stays, as it costs nothing for account-model rows and a rebuild
/// would scan the whole table.
pub const TRANSFER_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS transfers_from ON transfers(from_id, chain, time);
CREATE INDEX IF NOT EXISTS transfers_to ON transfers(to_id, chain, time);
CREATE INDEX IF NOT EXISTS transfers_tx ON transfers(tx_key);
CREATE INDEX IF NOT EXISTS transfers_unresolved ON transfers(prev_key) WHERE kind = 4 AND from_id IS NULL;
CREATE INDEX IF NOT EXISTS transfers_timeless ON transfers(chain, block) WHERE time IS NULL;
CREATE INDEX IF NOT EXISTS transfer_hashes_uid ON transfer_hashes(substr(tx_hash, 1, 8), uid);
";

/// Drops the indexes of [`TRANSFER_INDEXES`] that a bulk import rebuilds: the three address and
/// transaction indexes, the identity index, and the partial index of transfers waiting for
/// their block's time (bulk exports without times, cryo or ethereum-etl token transfers, would
/// put every row in it).
pub const DROP_TRANSFER_INDEXES: &str = "
DROP INDEX IF EXISTS transfers_from;
DROP INDEX IF EXISTS transfers_to;
DROP INDEX IF EXISTS transfers_tx;
DROP INDEX IF EXISTS transfers_timeless;
DROP INDEX IF EXISTS transfer_hashes_uid;
";

/// Settings for queries: temporary sorts in memory, a 256 MiB page cache, the file mapped.
pub const QUERY_PRAGMAS: &str =
    "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144; PRAGMA mmap_size = 17179869184;";

/// Settings while importing, so that memory does not grow with the file: a 64 MiB page cache;
/// temporary files on disk, so that the sorts of the index builds spill to disk past the cache's
/// size (with temporary storage in memory SQLite's sorter never spills); no memory map, whose
/// pages, once read, count as the process's memory.
pub const IMPORT_PRAGMAS: &str = "PRAGMA temp_store = FILE; PRAGMA cache_size = -65536; PRAGMA mmap_size = 0;";

/// Creates the schema of a new ledger, or migrates an older one, in one `BEGIN IMMEDIATE`
/// transaction that looks at the version again once it holds the write lock: of several
/// processes creating the same ledger at once, the first creates it and the others find it
/// made.
fn create_or_migrate(conn: &Connection, path: &Path) -> Result<(), LedgerError> {
    let create = |e| LedgerError::sqlite(path, "create schema", e);
    conn.execute_batch("BEGIN IMMEDIATE").map_err(create)?;
    let result = (|| {
        let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if app_id != APPLICATION_ID || version == 0 {
            conn.execute_batch(TABLES)?;
            conn.execute_batch(TRANSFER_INDEXES)?;
        } else if version < SCHEMA_VERSION {
            if version < 2 {
                conn.execute_batch(MIGRATE_1_TO_2)?;
            }
            if version < 3 {
                conn.execute_batch(MIGRATE_2_TO_3)?;
                conn.execute_batch(since_version_2!())?;
            }
            // Version 4 adds the identity index, one of the transfer indexes.
            conn.execute_batch(TRANSFER_INDEXES)?;
        } else {
            return Ok(()); // another process made it meanwhile
        }
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(create),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(create(e))
        }
    }
}

/// Opens (creating if needed) the ledger at `path`.
///
/// # Errors
/// [`LedgerError::NotALedger`] if the file exists but is not a hoptrace ledger (not SQLite at
/// all, or another application's database, or a newer schema); [`LedgerError::Sqlite`] otherwise.
pub fn open(path: &Path) -> Result<Connection, LedgerError> {
    let existed = path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| LedgerError::sqlite(path, "open", e))?;
    // The busy timeout first: every later step may meet another process creating or importing.
    conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(|e| LedgerError::sqlite(path, "configure", e))?;
    let not_ledger = |detail: String| LedgerError::NotALedger { path: path.to_owned(), detail };
    // The first read of the header tells whether this is SQLite at all.
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| not_ledger(format!("not an SQLite database ({e})")))?;
    let version: i64 =
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| not_ledger(e.to_string()))?;
    if existed {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| not_ledger(format!("not an SQLite database ({e})")))?;
        if app_id != APPLICATION_ID && tables > 0 {
            return Err(not_ledger(
                "an SQLite database of another application (no hoptrace application id)".to_owned(),
            ));
        }
        if version > SCHEMA_VERSION {
            return Err(not_ledger(format!(
                "schema version {version} is newer than this hoptrace understands ({SCHEMA_VERSION}): upgrade hoptrace"
            )));
        }
    }
    // A rollback journal, not WAL: an import batch is one large transaction, and WAL would write
    // every new page twice (to the log, then to the file); pages appended to the file need no
    // journal at all. References between tables are kept by the importer (ids come from the
    // same transaction), so SQLite does not re-check them on every row.
    conn.execute_batch("PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")
        .map_err(|e| LedgerError::sqlite(path, "configure", e))?;
    conn.execute_batch(QUERY_PRAGMAS).map_err(|e| LedgerError::sqlite(path, "configure", e))?;
    if app_id != APPLICATION_ID || version < SCHEMA_VERSION {
        create_or_migrate(&conn, path)?;
    }
    Ok(conn)
}
