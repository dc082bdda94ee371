//! The ledger seam: where a ledger is ([`LedgerSource`], cheap to clone and to send to a
//! background job, which opens its own connection), and what an opened ledger answers
//! ([`ReadLedger`]: the graph's queries, the finders' bulk reads and value tracing's rows in one
//! trait; [`WriteLedger`]: import batches). The window, the CLI, jobs and evidence packages open
//! ledgers only through a source, so a new backend is one [`Backend`] and the two traits.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{
    AddressSummary, AssetInfo, BatchLabel, ChainActivity, Direction, EqualOutputTx, Expansion, Filter, Flow,
    FlowLedger, ImportControl, ImportReport, Ledger, LedgerError, LedgerInfo, SqliteLedger, TraceRow, TraceRows,
    TransferRow,
};
use crate::import::ImportOptions;
use crate::model::{Category, Label};

/// Every read of an opened ledger, beyond [`Ledger`] and [`FlowLedger`].
pub trait ReadLedger: FlowLedger {
    /// Where this ledger is, to open another connection to it (a background job).
    fn source(&self) -> LedgerSource;

    /// Every transfer (not failed) sent or received by `address` on `chain`, at most `cap` of
    /// each side (`truncated` says when a side had more). Unknown address or chain: none.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn trace_address(&self, chain: &str, address: &str, cap: usize) -> Result<TraceRows, LedgerError>;

    /// Every transfer (not failed) of the transaction `tx_hash` on `chain`, by id.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn trace_tx(&self, chain: &str, tx_hash: &str) -> Result<Vec<TraceRow>, LedgerError>;

    /// The transfers with these ids (failed ones included; unknown ids left out), by id.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn trace_by_id(&self, ids: &[i64]) -> Result<Vec<TraceRow>, LedgerError>;

    /// Up to `limit` addresses starting with `prefix` (at least 4 characters), in order.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn addresses_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>, LedgerError>;

    /// Every label, from every source, by chain, address, entity and source.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn all_labels(&self) -> Result<Vec<Label>, LedgerError>;

    /// Every label with the import batch it came from, in the order of
    /// [`all_labels`](Self::all_labels).
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn labels_with_batches(&self) -> Result<Vec<BatchLabel>, LedgerError>;

    /// Forgets what this connection cached about chains and assets: called after another
    /// connection (a background import) changed the ledger.
    fn forget_cached(&self);
}

/// The write side of an opened ledger: import batches, each whole or not at all.
pub trait WriteLedger: ReadLedger {
    /// Imports `path` as one batch (see [`SqliteLedger::import_file`]), reporting bytes read to
    /// `control` and stopping, rolled back, when it is cancelled.
    ///
    /// # Errors
    /// [`LedgerError`]; the ledger is unchanged then.
    fn import_file_with(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        refused_out: Option<&Path>,
        control: &ImportControl,
    ) -> Result<ImportReport, LedgerError>;

    /// [`import_file_with`](Self::import_file_with) without progress or cancel.
    ///
    /// # Errors
    /// As [`import_file_with`](Self::import_file_with).
    fn import_file(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        refused_out: Option<&Path>,
    ) -> Result<ImportReport, LedgerError> {
        self.import_file_with(path, options, refused_out, &ImportControl::default())
    }
}

/// An opened ledger of any backend, as the workbench holds it.
pub type AnyLedger = Box<dyn WriteLedger>;

/// One kind of ledger storage: how to reach it and how to open a connection.
pub trait Backend: Send + Sync + fmt::Debug {
    /// The reference a case records (a path, a URL without credentials).
    fn reference(&self) -> String;
    /// Short name of the storage for the status bar (`SQLite`).
    fn kind(&self) -> &'static str;
    /// Whether the ledger is there to open (opening creates a missing one).
    fn exists(&self) -> bool;
    /// The local file, for backends that are one.
    fn file(&self) -> Option<&Path>;
    /// Opens a connection, creating an empty ledger where there is none.
    ///
    /// # Errors
    /// [`LedgerError`] when it cannot be reached or is not a hoptrace ledger.
    fn open(&self) -> Result<AnyLedger, LedgerError>;
}

/// Where a ledger is: cheap to clone, `Send`, so background jobs open their own connection.
#[derive(Clone)]
pub struct LedgerSource(Arc<dyn Backend>);

impl fmt::Debug for LedgerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for LedgerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.reference())
    }
}

impl PartialEq for LedgerSource {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind() == other.0.kind() && self.0.reference() == other.0.reference()
    }
}

impl LedgerSource {
    /// The embedded SQLite ledger at `path`.
    #[must_use]
    pub fn sqlite(path: impl Into<PathBuf>) -> Self {
        LedgerSource(Arc::new(SqliteSource { path: path.into() }))
    }

    /// The ledger a case's reference names, a path resolved against `base` (the case file's
    /// folder) when relative.
    #[must_use]
    pub fn resolve(reference: &str, base: &Path) -> Self {
        let p = PathBuf::from(reference);
        LedgerSource::sqlite(if p.is_absolute() { p } else { base.join(p) })
    }

    /// A source of another backend.
    #[must_use]
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        LedgerSource(backend)
    }

    /// Opens a connection, creating an empty ledger where there is none.
    ///
    /// # Errors
    /// [`LedgerError`] when it cannot be reached or is not a hoptrace ledger.
    pub fn open(&self) -> Result<AnyLedger, LedgerError> {
        self.0.open()
    }

    /// Whether the ledger is there (opening creates a missing one).
    #[must_use]
    pub fn exists(&self) -> bool {
        self.0.exists()
    }

    /// The reference a case records.
    #[must_use]
    pub fn reference(&self) -> String {
        self.0.reference()
    }

    /// Short name of the storage (`SQLite`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        self.0.kind()
    }

    /// The local file, for backends that are one (evidence packages copy it).
    #[must_use]
    pub fn file(&self) -> Option<&Path> {
        self.0.file()
    }
}

/// The embedded SQLite ledger, one file.
#[derive(Debug)]
struct SqliteSource {
    path: PathBuf,
}

impl Backend for SqliteSource {
    fn reference(&self) -> String {
        self.path.display().to_string()
    }

    fn kind(&self) -> &'static str {
        "SQLite"
    }

    fn exists(&self) -> bool {
        self.path.exists()
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.path)
    }

    fn open(&self) -> Result<AnyLedger, LedgerError> {
        Ok(Box::new(SqliteLedger::open(&self.path)?))
    }
}

impl ReadLedger for SqliteLedger {
    fn source(&self) -> LedgerSource {
        LedgerSource::sqlite(self.path())
    }
    fn trace_address(&self, chain: &str, address: &str, cap: usize) -> Result<TraceRows, LedgerError> {
        SqliteLedger::trace_address(self, chain, address, cap)
    }
    fn trace_tx(&self, chain: &str, tx_hash: &str) -> Result<Vec<TraceRow>, LedgerError> {
        SqliteLedger::trace_tx(self, chain, tx_hash)
    }
    fn trace_by_id(&self, ids: &[i64]) -> Result<Vec<TraceRow>, LedgerError> {
        SqliteLedger::trace_by_id(self, ids)
    }
    fn addresses_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>, LedgerError> {
        SqliteLedger::addresses_with_prefix(self, prefix, limit)
    }
    fn all_labels(&self) -> Result<Vec<Label>, LedgerError> {
        SqliteLedger::all_labels(self)
    }
    fn labels_with_batches(&self) -> Result<Vec<BatchLabel>, LedgerError> {
        SqliteLedger::labels_with_batches(self)
    }
    fn forget_cached(&self) {
        SqliteLedger::forget_cached(self);
    }
}

impl WriteLedger for SqliteLedger {
    fn import_file_with(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        refused_out: Option<&Path>,
        control: &ImportControl,
    ) -> Result<ImportReport, LedgerError> {
        SqliteLedger::import_file_with(self, path, options, refused_out, control)
    }
}

// A boxed ledger answers every question of the ledger in it, so `Investigation<AnyLedger>` and
// generic code take either a concrete ledger or one chosen at run time.
impl<T: Ledger + ?Sized> Ledger for Box<T> {
    fn transfers(&self, address: &str, direction: Direction, filter: &Filter) -> Result<Vec<TransferRow>, LedgerError> {
        (**self).transfers(address, direction, filter)
    }
    fn expand(&self, address: &str, direction: Direction, filter: &Filter) -> Result<Expansion, LedgerError> {
        (**self).expand(address, direction, filter)
    }
    fn tx_transfers(&self, chain: &str, tx_hash: &str) -> Result<Vec<TransferRow>, LedgerError> {
        (**self).tx_transfers(chain, tx_hash)
    }
    fn address_summary(&self, address: &str) -> Result<AddressSummary, LedgerError> {
        (**self).address_summary(address)
    }
    fn labels(&self, address: &str) -> Result<Vec<Label>, LedgerError> {
        (**self).labels(address)
    }
    fn labels_many(&self, addresses: &[String]) -> Result<BTreeMap<String, Vec<Label>>, LedgerError> {
        (**self).labels_many(addresses)
    }
    fn info(&self) -> Result<LedgerInfo, LedgerError> {
        (**self).info()
    }
    fn fingerprint(&self) -> Result<String, LedgerError> {
        (**self).fingerprint()
    }
    fn transfers_by_id(&self, ids: &[i64]) -> Result<Vec<TransferRow>, LedgerError> {
        (**self).transfers_by_id(ids)
    }
    fn assets(&self) -> Result<Vec<AssetInfo>, LedgerError> {
        (**self).assets()
    }
}

impl<T: FlowLedger + ?Sized> FlowLedger for Box<T> {
    fn flows(
        &self,
        address: &str,
        direction: Direction,
        from_time: Option<i64>,
        to_time: Option<i64>,
    ) -> Result<Vec<Flow>, LedgerError> {
        (**self).flows(address, direction, from_time, to_time)
    }
    fn labelled(&self, category: Category) -> Result<Vec<Label>, LedgerError> {
        (**self).labelled(category)
    }
    fn chain_activity(&self, address: &str) -> Result<BTreeMap<String, ChainActivity>, LedgerError> {
        (**self).chain_activity(address)
    }
    fn equal_output_txs(&self, chain: &str, min_equal: u64) -> Result<Vec<EqualOutputTx>, LedgerError> {
        (**self).equal_output_txs(chain, min_equal)
    }
}

impl<T: ReadLedger + ?Sized> ReadLedger for Box<T> {
    fn source(&self) -> LedgerSource {
        (**self).source()
    }
    fn trace_address(&self, chain: &str, address: &str, cap: usize) -> Result<TraceRows, LedgerError> {
        (**self).trace_address(chain, address, cap)
    }
    fn trace_tx(&self, chain: &str, tx_hash: &str) -> Result<Vec<TraceRow>, LedgerError> {
        (**self).trace_tx(chain, tx_hash)
    }
    fn trace_by_id(&self, ids: &[i64]) -> Result<Vec<TraceRow>, LedgerError> {
        (**self).trace_by_id(ids)
    }
    fn addresses_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>, LedgerError> {
        (**self).addresses_with_prefix(prefix, limit)
    }
    fn all_labels(&self) -> Result<Vec<Label>, LedgerError> {
        (**self).all_labels()
    }
    fn labels_with_batches(&self) -> Result<Vec<BatchLabel>, LedgerError> {
        (**self).labels_with_batches()
    }
    fn forget_cached(&self) {
        (**self).forget_cached();
    }
}

impl<T: WriteLedger + ?Sized> WriteLedger for Box<T> {
    fn import_file_with(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        refused_out: Option<&Path>,
        control: &ImportControl,
    ) -> Result<ImportReport, LedgerError> {
        (**self).import_file_with(path, options, refused_out, control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_resolves_against_the_case_folder_and_reopens_itself() {
        let dir = tempfile::tempdir().expect("tempdir");
        let relative = LedgerSource::resolve("ledger.sqlite", dir.path());
        assert_eq!(relative.file(), Some(dir.path().join("ledger.sqlite").as_path()));
        let absolute =
            LedgerSource::resolve(&dir.path().join("x.sqlite").display().to_string(), Path::new("/elsewhere"));
        assert_eq!(absolute.file(), Some(dir.path().join("x.sqlite").as_path()));
        assert_eq!(relative.kind(), "SQLite");
        assert!(!relative.exists(), "nothing there before it is opened");
        let ledger = relative.open().expect("open creates");
        assert!(relative.exists());
        // An opened ledger says where it is, so a job can open its own connection to it.
        let again = ledger.source();
        assert_eq!(again, relative);
        assert_eq!(again.open().expect("reopen").fingerprint().expect("fp"), ledger.fingerprint().expect("fp"));
        assert_eq!(relative.to_string(), dir.path().join("ledger.sqlite").display().to_string());
    }

    #[test]
    fn a_file_that_is_not_a_ledger_is_refused_by_the_source() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notes.sqlite");
        std::fs::write(&path, "not a database").expect("write");
        let err = LedgerSource::sqlite(&path).open().map(|_| ()).expect_err("refused");
        assert!(matches!(err, LedgerError::NotALedger { .. } | LedgerError::Sqlite { .. }), "{err}");
    }
}
