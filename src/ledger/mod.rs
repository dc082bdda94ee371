//! The transfer ledger: an embedded SQLite store of imported transfers and labels, and the
//! queries the investigation graph needs.
//!
//! Imports are batches ([`SqliteLedger::import_file`]): one file, one SQLite transaction, so a
//! batch commits whole or not at all; the file's SHA-256 makes re-importing it a no-op that
//! says so. Everything outside this module opens a ledger through the seam in [`source`]: a
//! [`LedgerSource`] (where the ledger is) opens an [`AnyLedger`] answering [`Ledger`],
//! [`FlowLedger`], [`ReadLedger`] and [`WriteLedger`], so another backend is one more
//! [`Backend`] with the same questions.

mod analysis;
mod codec;
mod identity;
mod import;
mod label_list;
mod pipeline;
mod query;
mod scan;
pub mod schema;
pub mod source;
mod trace;
mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use analysis::{ChainActivity, EqualOutputTx, Flow, FlowLedger};
pub use import::{CANCELLED, ImportControl, ImportOutcome, ImportReport};
pub use label_list::BatchLabel;
use rusqlite::Connection;
use serde::Serialize;
pub use source::{AnyLedger, Backend, LedgerSource, ReadLedger, WriteLedger};
pub use trace::{TraceRow, TraceRows};

use crate::model::{Amount, Label, Total, Transfer, TransferKind};

/// Default number of transfers an expansion shows before folding the rest into one
/// aggregate "+N more" node.
pub const DEFAULT_TOP: usize = 100;
/// At most this many transfers of one address are read by one expansion or summary; past it
/// the aggregate says "at least" and the investigator narrows the filter. This keeps a
/// super-node (an exchange hot wallet, the Tron USDT contract) from freezing the tool.
pub const SCAN_CAP: usize = 1_000_000;

/// Errors of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The file exists but is not a hoptrace ledger.
    #[error("{}: not a hoptrace ledger: {detail}", path.display())]
    NotALedger {
        /// Ledger path.
        path: PathBuf,
        /// What it is instead.
        detail: String,
    },
    /// An SQLite operation failed.
    #[error("{}: {action} failed: {source}", path.display())]
    Sqlite {
        /// Ledger path.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// Reading an input file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The input file could not be read as a whole.
    #[error("{}: {message}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What was wrong, with the line.
        message: String,
    },
    /// The file's format was not recognised ([`crate::import::DetectError::UnknownHeader`]: a
    /// column mapping can read it).
    #[error("{}: {source}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What the file looks like and what was expected.
        source: crate::import::DetectError,
    },
    /// A query argument is invalid (e.g. a minimum value that is not a number).
    #[error("{0}")]
    Query(String),
    /// The input file does not tell its chain and none was given: ask for one (`--chain`).
    #[error("{}: {message}", path.display())]
    ChainUndecided {
        /// The file.
        path: PathBuf,
        /// What was looked at and which chains fit.
        message: String,
    },
}

impl LedgerError {
    fn sqlite(path: &Path, action: &'static str, source: rusqlite::Error) -> Self {
        LedgerError::Sqlite { path: path.to_owned(), action, source }
    }
}

/// Which side of an address to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub enum Direction {
    /// Transfers received by the address.
    In,
    /// Transfers sent by the address.
    Out,
}

/// A filter on the transfers of an address. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only transfers at or after this time (UTC seconds).
    pub from_time: Option<i64>,
    /// Only transfers at or before this time (UTC seconds).
    pub to_time: Option<i64>,
    /// Only transfers worth at least this many display units of their asset (`"0.5"`). Assets
    /// whose decimals are unknown compare in base units.
    pub min_value: Option<String>,
    /// Only these asset keys (native symbol, contract address, or symbol of a known token).
    pub assets: Vec<String>,
    /// Only these chains.
    pub chains: Vec<String>,
    /// Keep the N highest-value transfers (ranked in display units); fold the rest.
    pub top: Option<usize>,
    /// Include transactions that failed (moved nothing); off by default.
    pub include_failed: bool,
    /// Transfer ids to pass over (already on the graph): an expansion ranks and folds only
    /// what is not shown yet.
    pub exclude: std::collections::HashSet<i64>,
}

/// Where a transfer came from: the import batch, file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Import batch id.
    pub batch_id: i64,
    /// File name of the batch.
    pub file_name: String,
    /// SHA-256 of that file.
    pub file_sha256: String,
    /// Line (or record) in the file.
    pub line: u64,
}

/// A transfer as stored, with its ledger id and provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferRow {
    /// Ledger id.
    pub id: i64,
    /// The transfer.
    pub transfer: Transfer,
    /// Where it came from.
    pub provenance: Provenance,
}

/// What the text says of an amount the ledger does not know.
pub const UNKNOWN_AMOUNT: &str = "amount unknown (spent output not in the ledger)";

impl TransferRow {
    /// The amount, or `None` when the ledger does not know it: a UTXO input whose spent output
    /// is not imported (stored as NULL; `transfer.amount_base` then holds a zero that is never
    /// a value). Everything that sums, ranks or prints amounts asks this.
    #[must_use]
    pub fn amount(&self) -> Option<Amount> {
        amount_known(&self.transfer).then_some(self.transfer.amount_base)
    }

    /// The amount as text: exact base units, or [`UNKNOWN_AMOUNT`].
    #[must_use]
    pub fn amount_text(&self) -> String {
        self.amount().map_or_else(|| UNKNOWN_AMOUNT.to_owned(), |a| a.to_string())
    }
}

/// Whether a transfer's amount is known: every transfer but a UTXO input without a `from` (its
/// spent output, which gives both, is not in the ledger).
#[must_use]
pub fn amount_known(t: &Transfer) -> bool {
    !(t.kind == TransferKind::UtxoInput && t.from.is_none())
}

/// The transfers of an address that did not fit an expansion, as one aggregate node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rest {
    /// Number of transfers folded (a lower bound when `lower_bound`).
    pub count: u64,
    /// Distinct counterparties among them.
    pub counterparties: u64,
    /// Exact sum per (chain, asset), in base units (never saturated).
    pub totals: BTreeMap<(String, String), Total>,
    /// Transfers among them whose amount is unknown (not in `totals`).
    pub unknown_amounts: u64,
    /// Earliest time among them.
    pub first_time: Option<i64>,
    /// Latest time among them.
    pub last_time: Option<i64>,
    /// True when the scan stopped at [`SCAN_CAP`]: there are at least `count` more.
    pub lower_bound: bool,
}

/// The result of expanding one side of an address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Expansion {
    /// The shown transfers, highest value first.
    pub transfers: Vec<TransferRow>,
    /// The rest, folded into one "+N more" aggregate; `None` when everything is shown.
    pub rest: Option<Rest>,
}

/// One side (in or out) of an address summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SideSummary {
    /// Number of transfers.
    pub transfers: u64,
    /// Distinct counterparties (degree).
    pub counterparties: u64,
    /// Exact sum per (chain, asset) in base units (never saturated).
    pub totals: BTreeMap<(String, String), Total>,
    /// Transfers whose amount is unknown (not in `totals`).
    pub unknown_amounts: u64,
    /// True when counting stopped at [`SCAN_CAP`] (figures are lower bounds).
    pub truncated: bool,
}

/// What the ledger knows about an address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AddressSummary {
    /// The address as queried (normalised).
    pub address: String,
    /// Chains it appears on.
    pub chains: Vec<String>,
    /// Received.
    pub incoming: SideSummary,
    /// Sent.
    pub outgoing: SideSummary,
    /// First time seen (UTC seconds).
    pub first_seen: Option<i64>,
    /// Last time seen.
    pub last_seen: Option<i64>,
    /// Labels about it, from every source.
    pub labels: Vec<Label>,
}

/// One import batch as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchInfo {
    /// Batch id.
    pub id: i64,
    /// File name.
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Format read.
    pub format: String,
    /// When imported (UTC seconds).
    pub imported_at: i64,
    /// Data rows read.
    pub rows: u64,
    /// Transfers added.
    pub transfers: u64,
    /// Labels added.
    pub labels: u64,
    /// Rows refused (committed only with `--skip-bad`).
    pub refused: u64,
    /// Transfers already in the ledger.
    pub duplicates: u64,
    /// Rows skipped as carrying nothing (blank lines, separator rows).
    pub skipped: u64,
    /// The chain the file was read as, when its format decides one per file.
    pub chain: Option<String>,
    /// How that chain was decided.
    pub chain_rule: Option<String>,
}

/// Summary of a whole ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerInfo {
    /// Every batch, oldest first.
    pub batches: Vec<BatchInfo>,
    /// Transfer count and sum per (chain, asset), failed transactions left out.
    pub per_asset: Vec<AssetCount>,
    /// Transfers of failed (reverted) transactions: kept as evidence, moved nothing.
    pub failed_transfers: u64,
    /// Label count per (chain, category).
    pub labels: BTreeMap<(String, String), u64>,
    /// UTXO inputs whose spent output is not in the ledger: address and amount unknown (the
    /// ledger stores no amount for them, and no total counts them).
    pub unresolved_inputs: u64,
}

/// Transfers of one asset on one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetCount {
    /// Chain id.
    pub chain: String,
    /// Asset key.
    pub asset: String,
    /// Symbol, when known.
    pub symbol: Option<String>,
    /// Decimals, when known.
    pub decimals: Option<u8>,
    /// Number of transfers (UTXO inputs included).
    pub transfers: u64,
    /// Exact sum in base units of what moved once: every transfer but UTXO inputs, which spend
    /// coins already counted as the outputs they spend.
    pub total: Total,
    /// UTXO inputs among `transfers` (not in `total`).
    pub utxo_inputs: u64,
    /// Transfers of unknown amount among them: UTXO inputs whose spent output is not in the
    /// ledger.
    pub unknown_amounts: u64,
}

/// An asset the ledger knows, with the symbol and decimals to display its amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetInfo {
    /// Chain id.
    pub chain: String,
    /// Asset key (native symbol, token contract, `symbol:XYZ`).
    pub asset: String,
    /// Symbol: the chain's native symbol, the one imported, else the registry's.
    pub symbol: Option<String>,
    /// Decimals: the chain's for its native asset, the ones imported, else the registry's.
    pub decimals: Option<u8>,
}

/// The questions the investigation graph asks of a ledger.
pub trait Ledger {
    /// Transfers of `address` in `direction` that pass `filter`, highest value first, all of
    /// them up to [`SCAN_CAP`] (`filter.top` limits the list; nothing is aggregated).
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure or a bad filter.
    fn transfers(&self, address: &str, direction: Direction, filter: &Filter) -> Result<Vec<TransferRow>, LedgerError>;

    /// Expands one side of `address`: the `filter.top` (default [`DEFAULT_TOP`]) highest-value
    /// transfers, and the rest folded into one aggregate. Reads at most [`SCAN_CAP`] rows.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure or a bad filter.
    fn expand(&self, address: &str, direction: Direction, filter: &Filter) -> Result<Expansion, LedgerError>;

    /// Every transfer of a transaction (UTXO: its inputs and outputs), by position.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn tx_transfers(&self, chain: &str, tx_hash: &str) -> Result<Vec<TransferRow>, LedgerError>;

    /// Degree, totals, first/last seen and labels of an address.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn address_summary(&self, address: &str) -> Result<AddressSummary, LedgerError>;

    /// Every label about `address`, from every source.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn labels(&self, address: &str) -> Result<Vec<Label>, LedgerError>;

    /// [`labels`](Self::labels) of many addresses at once, keyed by the address as given
    /// (addresses without labels map to an empty list). Ledgers answer it in bulk.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn labels_many(&self, addresses: &[String]) -> Result<BTreeMap<String, Vec<Label>>, LedgerError> {
        addresses.iter().map(|a| Ok((a.clone(), self.labels(a)?))).collect()
    }

    /// Batches and counts.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn info(&self) -> Result<LedgerInfo, LedgerError>;

    /// Fingerprint of the ledger's content: SHA-256 over every import batch (file SHA-256, name,
    /// options and counts), in import order. Cheap (one row per batch); any import changes it.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn fingerprint(&self) -> Result<String, LedgerError>;

    /// Full rows of these transfer ids (unknown ids are left out), in the order given.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn transfers_by_id(&self, ids: &[i64]) -> Result<Vec<TransferRow>, LedgerError>;

    /// Every asset with its symbol and decimals (registry filling what the imports did not
    /// say), sorted by chain and asset key. Cheap: one row per asset.
    ///
    /// # Errors
    /// [`LedgerError`] on a storage failure.
    fn assets(&self) -> Result<Vec<AssetInfo>, LedgerError>;
}

/// The embedded SQLite ledger.
pub struct SqliteLedger {
    conn: Connection,
    path: PathBuf,
    /// Chain and asset names by id; dropped after every import.
    meta: std::cell::RefCell<Option<std::rc::Rc<scan::Meta>>>,
}

impl SqliteLedger {
    /// Opens the ledger at `path`, creating it if it does not exist.
    ///
    /// # Errors
    /// [`LedgerError::NotALedger`] if the file is something else.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        let conn = schema::open(path)?;
        Ok(SqliteLedger { conn, path: path.to_owned(), meta: std::cell::RefCell::new(None) })
    }

    /// The ledger's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Forgets what this connection cached about chains and assets: call it after another
    /// connection (a background import) changed the ledger.
    pub fn forget_cached(&self) {
        self.meta.borrow_mut().take();
    }

    fn err(&self, action: &'static str) -> impl Fn(rusqlite::Error) -> LedgerError + '_ {
        move |e| LedgerError::sqlite(&self.path, action, e)
    }
}

/// Canonical form of an address typed by a user or read from a case: EVM hex is lower-cased
/// (it is case-insensitive); base58 and bech32 are kept as typed (case-sensitive).
#[must_use]
pub fn canonical_address(text: &str) -> String {
    let t = text.trim();
    let is_evm =
        t.len() == 42 && (t.starts_with("0x") || t.starts_with("0X")) && t[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if is_evm { t.to_ascii_lowercase() } else { t.to_owned() }
}
