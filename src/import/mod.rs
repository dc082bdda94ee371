//! Streaming readers for real export formats, each turning a file into [`Transfer`]s and
//! [`Label`]s with provenance (file and line), or refusals that say what was expected.
//!
//! A reader never writes to the ledger itself: it pushes records into a [`Sink`], which the
//! ledger's import batch implements (and tests implement with a plain collector). A reader
//! returns a [`ReadError`] only when the file as a whole cannot be read (unknown format, broken
//! header, not JSON); a bad row is a [`Refusal`] and reading goes on, so one run reports every
//! problem in the file.
//!
//! | format | module |
//! |---|---|
//! | ethereum-etl / BigQuery transactions, token transfers, traces, blocks: CSV and JSON lines | [`ethereum_etl`] |
//! | Bitcoin Core `getblock` (verbosity 2/3) and `getrawtransaction` verbose JSON | [`bitcoin_rpc`] |
//! | Etherscan-family "Download CSV": normal, internal, token, NFT transfers, per-token pages | [`etherscan`] |
//! | Tronscan CSV: token transfers, transactions, older and oldest layouts | [`tronscan`] |
//! | Arkham CSV: 19-column UI export and the short exhibit layout | [`arkham`] |
//! | Dune `tokens.transfers`-style CSV | [`dune`] |
//! | BigQuery `crypto_bitcoin.transactions` JSON lines | [`bigquery_bitcoin`] |
//! | hoptrace generic transfers CSV | [`generic`] |
//! | GraphSense TagPack YAML | [`tagpack`] |
//! | any other CSV, read through a saved column mapping (profile) | [`mapping`] |
//! | plain address lists (OFAC) | [`address_list`] |
//! | label lists: `address,label[,note]`, `address,name`, Etherscan label exports, the labels CSV | [`labels`] |
//! | OFAC SDN: `SDN_ADVANCED.XML`, `SDN_ENHANCED.XML`, `SDN.XML`, `sdn.csv` | [`ofac_sdn`] |
//! | cryo (Paradigm) erc20_transfers / native_transfers / transactions, Parquet or CSV | [`cryo`] |
//! | Blockchair Bitcoin dumps: transactions / outputs / inputs, TSV or `.tsv.gz` | [`blockchair`] |

pub mod address_list;
pub mod arkham;
pub mod bigquery_bitcoin;
pub mod bitcoin_rpc;
pub mod blockchair;
pub mod cryo;
pub mod csvutil;
mod detect;
pub mod dune;
pub mod ethereum_etl;
pub mod etherscan;
pub mod explorer_common;
pub mod generic;
pub mod json;
pub mod labels;
pub mod mapping;
pub mod ofac_sdn;
pub mod tagpack;
pub mod time;
pub mod tronscan;

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

pub use detect::{DetectError, SAMPLE_BYTES, detect};
use serde::{Deserialize, Serialize};

use crate::model::{Category, Label, Transfer};

/// Every file format hoptrace reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Format {
    /// ethereum-etl `export_blocks_and_transactions` transactions (CSV or JSON lines).
    EthereumEtlTransactions,
    /// ethereum-etl `export_token_transfers` (CSV or JSON lines).
    EthereumEtlTokenTransfers,
    /// ethereum-etl `export_traces` / BigQuery `crypto_ethereum.traces` (CSV or JSON lines).
    EthereumEtlTraces,
    /// ethereum-etl blocks / BigQuery `crypto_ethereum.blocks` (CSV or JSON lines): block times.
    EthereumEtlBlocks,
    /// Bitcoin Core RPC JSON: `getblock` verbosity 2/3 or `getrawtransaction` verbose.
    BitcoinRpc,
    /// Etherscan-family "Download CSV" of normal transactions.
    EtherscanNormal,
    /// Etherscan-family "Download CSV" of internal transactions.
    EtherscanInternal,
    /// Etherscan-family "Download CSV" of token (ERC-20/BEP-20) transfers.
    EtherscanToken,
    /// Etherscan-family "Download CSV" of NFT (ERC-721 / ERC-1155) transfers.
    EtherscanNft,
    /// Tronscan export (token transfers, transactions, older and oldest layouts).
    Tronscan,
    /// Arkham CSV with label columns (UI export or short exhibit layout).
    Arkham,
    /// Dune CSV export of a `tokens.transfers`-style query.
    Dune,
    /// Google BigQuery `crypto_bitcoin.transactions` exported as JSON lines.
    BigQueryBitcoin,
    /// hoptrace's documented generic transfers CSV.
    Generic,
    /// GraphSense TagPack YAML.
    TagPack,
    /// One address a line (OFAC lists and the like).
    AddressList,
    /// `address,label[,note]` without a header, or `address,name` with or without one.
    LabelList,
    /// Etherscan label export `,Address,Name Tag,Balance,Txn Count` (one label-cloud subject).
    EtherscanLabels,
    /// hoptrace's documented labels CSV `address,chain,label,category,actor,source,…`.
    LabelsCsv,
    /// OFAC SDN list as XML: `SDN_ADVANCED.XML`, `SDN_ENHANCED.XML` or `SDN.XML`.
    OfacSdnXml,
    /// OFAC SDN list as the headerless `sdn.csv` (addresses in the remarks column).
    OfacSdnCsv,
    /// cryo (Paradigm) `erc20_transfers`, `native_transfers` or `transactions`, Parquet or CSV.
    Cryo,
    /// Blockchair Bitcoin database dump (`transactions`, `outputs` or `inputs`), TSV or gzip.
    Blockchair,
    /// Any other CSV, read through a saved column mapping ([`ImportOptions::profile`]).
    Mapped,
}

impl Format {
    /// Every format, in the order `--format` help lists them.
    pub const ALL: [Format; 24] = [
        Self::EthereumEtlTransactions,
        Self::EthereumEtlTokenTransfers,
        Self::EthereumEtlTraces,
        Self::EthereumEtlBlocks,
        Self::BitcoinRpc,
        Self::EtherscanNormal,
        Self::EtherscanInternal,
        Self::EtherscanToken,
        Self::EtherscanNft,
        Self::Tronscan,
        Self::Arkham,
        Self::Dune,
        Self::BigQueryBitcoin,
        Self::Generic,
        Self::TagPack,
        Self::AddressList,
        Self::LabelList,
        Self::EtherscanLabels,
        Self::LabelsCsv,
        Self::OfacSdnXml,
        Self::OfacSdnCsv,
        Self::Cryo,
        Self::Blockchair,
        Self::Mapped,
    ];

    /// The name used on the command line and in reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::EthereumEtlTransactions => "ethereum-etl-transactions",
            Self::EthereumEtlTokenTransfers => "ethereum-etl-token-transfers",
            Self::EthereumEtlTraces => "ethereum-etl-traces",
            Self::EthereumEtlBlocks => "ethereum-etl-blocks",
            Self::BitcoinRpc => "bitcoin-rpc",
            Self::EtherscanNormal => "etherscan-normal",
            Self::EtherscanInternal => "etherscan-internal",
            Self::EtherscanToken => "etherscan-token",
            Self::EtherscanNft => "etherscan-nft",
            Self::Tronscan => "tronscan",
            Self::Arkham => "arkham",
            Self::Dune => "dune",
            Self::BigQueryBitcoin => "bigquery-bitcoin",
            Self::Generic => "generic",
            Self::TagPack => "tagpack",
            Self::AddressList => "address-list",
            Self::LabelList => "label-list",
            Self::EtherscanLabels => "etherscan-labels",
            Self::LabelsCsv => "labels-csv",
            Self::OfacSdnXml => "ofac-sdn-xml",
            Self::OfacSdnCsv => "ofac-sdn-csv",
            Self::Cryo => "cryo",
            Self::Blockchair => "blockchair",
            Self::Mapped => "mapped",
        }
    }

    /// Inverse of [`Format::name`].
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to read day/month dates that spreadsheets rewrote as `3/4/2023`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DateOrder {
    /// Month first (`3/4/2023` is 4 March): what US-locale spreadsheets write.
    #[default]
    MonthFirst,
    /// Day first (`4/3/2023` is 4 March): most of Europe.
    DayFirst,
}

/// Settings of one import, from the command line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImportOptions {
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
    /// Chain for formats that do not say (explorer CSVs, Arkham, address lists); when absent it
    /// is inferred from the file (column names, address syntax) and refused if it cannot be.
    pub chain: Option<String>,
    /// Commit the good rows and write the refused ones to a file, instead of refusing the batch.
    pub skip_bad: bool,
    /// Day/month order for slash dates.
    pub date_order: DateOrder,
    /// Decimals of tokens the registry does not know: key is a contract address or symbol.
    pub token_decimals: BTreeMap<String, u8>,
    /// Category of every label of a label list that does not state one (`--category`); absent
    /// from the stored options when not given, so batches recorded before it still match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// The token contract of a per-token page export (explorer files without a contract
    /// column); when absent it is read from the file name (`…-0x<40 hex>.csv`). Left out of the
    /// batch's recorded options when absent, so earlier batches keep their identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_contract: Option<String>,
    /// The column mapping a [`Format::Mapped`] import reads the file with: its name, the
    /// SHA-256 of its saved text and the mapping itself, so the batch's recorded options say
    /// exactly how the file was read. Absent (and not written) for every other import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<mapping::NamedProfile>,
}

/// What a reader needs besides the bytes.
#[derive(Debug, Clone)]
pub struct ReadContext<'a> {
    /// The file's name (no directories), for chain hints and provenance.
    pub file_name: &'a str,
    /// The file itself, for formats that must seek (Parquet keeps its schema at the end); the
    /// byte stream is read to the end by the ledger all the same, so its SHA-256 is the file's.
    /// `None` when reading from memory (tests, the mapping preview).
    pub path: Option<&'a std::path::Path>,
    /// The import's options.
    pub options: &'a ImportOptions,
}

/// Metadata of an asset learned from a file (symbol, decimals), stored in the ledger's
/// `assets` table so amounts can be displayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInfo {
    /// Chain id.
    pub chain: String,
    /// Asset key as in [`Transfer::asset`].
    pub asset: String,
    /// Ticker, when the file gives one.
    pub symbol: Option<String>,
    /// Decimals, when known.
    pub decimals: Option<u8>,
    /// Full name, when the file gives one.
    pub name: Option<String>,
}

/// A row the reader would not import, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// 1-based line (or record number for JSON documents).
    pub line: u64,
    /// Field (column or JSON key) at fault; `row` when the row as a whole is wrong.
    pub field: String,
    /// What was found and what was expected.
    pub message: String,
}

impl Refusal {
    /// Builds a refusal.
    pub fn new(line: u64, field: impl Into<String>, message: impl Into<String>) -> Self {
        Refusal { line, field: field.into(), message: message.into() }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: field `{}`: {}", self.line, self.field, self.message)
    }
}

/// A problem that stops reading the whole file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file is not in the format (or not in any known format).
    #[error("line {line}: {message}")]
    Format {
        /// 1-based line where reading stopped.
        line: u64,
        /// What was found and what was expected.
        message: String,
    },
    /// Reading the bytes failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    /// The sink (ledger) failed; reading stops and the batch is rolled back.
    #[error("{0}")]
    Sink(String),
    /// Nothing in the file (value unit, file name, a chain column) tells its chain, and no
    /// `--chain` was given: the CLI says to pass `--chain`, the window asks for one.
    #[error("{message}")]
    ChainUndecided {
        /// What was looked at and what to pass.
        message: String,
    },
}

impl ReadError {
    /// The chain cannot be told: `looked_at` says what was examined. The message ends by
    /// naming `--chain` with the chains the registry knows for this kind of file.
    pub fn chain_undecided(looked_at: impl std::fmt::Display, chains: &[&str]) -> Self {
        ReadError::ChainUndecided {
            message: format!(
                "cannot tell the chain of this file ({looked_at}): pass --chain with one of: {}",
                chains.join(", ")
            ),
        }
    }

    /// A format error at `line`.
    pub fn format(line: u64, message: impl Into<String>) -> Self {
        ReadError::Format { line, message: message.into() }
    }
}

/// Where readers put what they read.
pub trait Sink {
    /// One data row (or JSON record) was read, whatever became of it.
    fn row(&mut self);
    /// A transfer to import.
    ///
    /// # Errors
    /// The sink failed (e.g. the ledger); reading stops.
    fn transfer(&mut self, t: Transfer) -> Result<(), ReadError>;
    /// A label to import.
    ///
    /// # Errors
    /// The sink failed; reading stops.
    fn label(&mut self, l: Label) -> Result<(), ReadError>;
    /// Asset metadata learned from the file.
    ///
    /// # Errors
    /// The sink failed; reading stops.
    fn asset(&mut self, a: AssetInfo) -> Result<(), ReadError>;
    /// A row that will not be imported, and why.
    fn refuse(&mut self, r: Refusal);
    /// A row deliberately not imported because it carries nothing to import (a blank separator
    /// row, an OP_RETURN output of zero value): counted per reason and reported.
    fn skip(&mut self, line: u64, reason: &'static str);
    /// How the reader decided the file's chain (`--chain`, the value unit `BNB`, the file name
    /// `bscscan`, a `chain` column…): recorded with the batch and shown by `ledger-info`.
    /// Readers of files that name their chain in every row say so once (`rule` = "chain column").
    fn chain_decided(&mut self, chain: &str, rule: &str);
    /// A block's time, from a blocks export: transfers of that block that came without a time
    /// (ethereum-etl token transfers, traces) get it, whichever file is imported first.
    ///
    /// # Errors
    /// The sink failed; reading stops.
    fn block_time(&mut self, b: BlockTime) -> Result<(), ReadError>;
}

/// The time of one block, as a blocks export states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockTime {
    /// Chain id (interned by the ledger like a transfer's chain).
    pub chain: String,
    /// Block height.
    pub number: i64,
    /// Block time, UTC seconds.
    pub time: i64,
    /// Line of the file that states it.
    pub line: u64,
}

/// A [`Sink`] that keeps everything in memory: for tests and dry runs.
#[derive(Debug, Default)]
pub struct Collected {
    /// Data rows read.
    pub rows: u64,
    /// Transfers read.
    pub transfers: Vec<Transfer>,
    /// Labels read.
    pub labels: Vec<Label>,
    /// Asset metadata read.
    pub assets: Vec<AssetInfo>,
    /// Refused rows.
    pub refused: Vec<Refusal>,
    /// Skipped rows per reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// The chain the reader decided and how (see [`Sink::chain_decided`]).
    pub chain: Option<(String, String)>,
    /// Block times read.
    pub block_times: Vec<BlockTime>,
}

impl Sink for Collected {
    fn row(&mut self) {
        self.rows += 1;
    }
    fn transfer(&mut self, t: Transfer) -> Result<(), ReadError> {
        self.transfers.push(t);
        Ok(())
    }
    fn label(&mut self, l: Label) -> Result<(), ReadError> {
        self.labels.push(l);
        Ok(())
    }
    fn asset(&mut self, a: AssetInfo) -> Result<(), ReadError> {
        self.assets.push(a);
        Ok(())
    }
    fn refuse(&mut self, r: Refusal) {
        self.refused.push(r);
    }
    fn skip(&mut self, _line: u64, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }
    fn chain_decided(&mut self, chain: &str, rule: &str) {
        self.chain = Some((chain.to_owned(), rule.to_owned()));
    }
    fn block_time(&mut self, b: BlockTime) -> Result<(), ReadError> {
        self.block_times.push(b);
        Ok(())
    }
}

/// Reads `input` as `format` into `sink`.
///
/// # Errors
/// [`ReadError`] when the file as a whole cannot be read as `format`.
pub fn read(
    format: Format,
    input: &mut dyn BufRead,
    ctx: &ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    match format {
        Format::EthereumEtlTransactions => ethereum_etl::read_transactions(input, ctx, sink),
        Format::EthereumEtlTokenTransfers => ethereum_etl::read_token_transfers(input, ctx, sink),
        Format::EthereumEtlTraces => ethereum_etl::read_traces(input, ctx, sink),
        Format::EthereumEtlBlocks => ethereum_etl::read_blocks(input, ctx, sink),
        Format::BitcoinRpc => bitcoin_rpc::read(input, ctx, sink),
        Format::EtherscanNormal | Format::EtherscanInternal | Format::EtherscanToken | Format::EtherscanNft => {
            etherscan::read(format, input, ctx, sink)
        }
        Format::Tronscan => tronscan::read(input, ctx, sink),
        Format::Arkham => arkham::read(input, ctx, sink),
        Format::Dune => dune::read(input, ctx, sink),
        Format::BigQueryBitcoin => bigquery_bitcoin::read(input, ctx, sink),
        Format::Generic => generic::read(input, ctx, sink),
        Format::TagPack => tagpack::read(input, ctx, sink),
        Format::AddressList => address_list::read(input, ctx, sink),
        Format::LabelList => labels::list::read(input, ctx, sink),
        Format::EtherscanLabels => labels::etherscan::read(input, ctx, sink),
        Format::LabelsCsv => labels::named::read(input, ctx, sink),
        Format::OfacSdnXml => ofac_sdn::read_xml(input, ctx, sink),
        Format::OfacSdnCsv => ofac_sdn::read_csv(input, ctx, sink),
        Format::Cryo => cryo::read(input, ctx, sink),
        Format::Blockchair => blockchair::read(input, ctx, sink),
        Format::Mapped => mapping::read(input, ctx, sink),
    }
}
