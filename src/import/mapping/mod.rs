//! Mapping import: any CSV the other readers do not know, read through a saved *profile* that
//! says which column (by its header name) holds which field.
//!
//! A [`Profile`] names the columns of the transaction hash, sender, receiver, amount and
//! asset, and optionally time, fee, status, method, position, block and a stated USD value;
//! it fixes the chain (or names a chain column, or leaves it to `--chain`), the unit of the
//! amounts (base units, or display units with a fixed decimal count or a decimals column),
//! the time format, and which status cells mean success and which failure. Profiles are saved
//! as RON in the user's configuration folder ([`ProfileStore`]), and an import records the
//! profile's name, the SHA-256 of its saved text and the mapping itself in the batch's options
//! ([`NamedProfile`]).
//!
//! The reader ([`read`]) applies the same exactness and refusal rules as the generic CSV
//! reader ([`super::generic`]), through the same cell parsers ([`super::explorer_common`]):
//! amounts are exact, addresses normalised per chain, every refused row names its line, the
//! column as the header wrote it and `found …: expected …`. Nothing is guessed: a status cell
//! listed neither as success nor as failure is refused, and a profile that lacks what its
//! mapping needs (decimals for display amounts, a status value list) is refused when it is
//! saved or used ([`Profile::check`]).
//!
//! # Example (RON)
//! ```text
//! (
//!     delimiter: ';',
//!     decimal_comma: true,
//!     chain: Some(Fixed("ethereum")),
//!     tx_hash: "Ref",
//!     from: "Sender",
//!     to: "Receiver",
//!     asset: Column("Coin"),
//!     amount: "Qty",
//!     unit: Display,
//!     decimals: Some(Known),
//!     time: Some((column: "Date", format: Pattern("%d.%m.%Y %H:%M"))),
//! )
//! ```

mod cells;
mod reader;
mod store;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

pub use reader::read;
use serde::{Deserialize, Serialize};
pub use store::{ProfileError, ProfileStore};

use super::DateOrder;
use crate::model::registry;

/// Where a row's chain comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainSource {
    /// Every row is on this chain (a registry id: `ethereum`, `tron`…).
    Fixed(String),
    /// This column holds a chain id in each row.
    Column(String),
}

/// Where a row's asset comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssetSource {
    /// Every row moves the chain's native asset (ETH, TRX, BTC…).
    Native,
    /// This column holds the native symbol, a token contract address of the chain, or a
    /// ticker (`USDT`, or `symbol:USDT`) for a token known only by its symbol.
    Column(String),
}

/// The unit amounts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AmountUnit {
    /// Integers of base units (wei, sun, satoshi, a token's smallest unit).
    #[default]
    Base,
    /// Display units (`1.5` ETH), converted exactly with the profile's [`DecimalsSource`].
    Display,
}

/// The decimal places of display amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecimalsSource {
    /// This many places for every row (must agree with the native asset or a registry token).
    Fixed(u8),
    /// This column holds the places of each row (0 to 77).
    Column(String),
    /// The places hoptrace knows: the chain's native asset, a token of `assets/tokens.ron`, or
    /// `--token-decimals`; a row of another token is refused.
    Known,
}

/// How the time column is written. Times without an offset are UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeFormat {
    /// Unix seconds (`1683029999`).
    UnixSeconds,
    /// Unix milliseconds (`1683029999000`).
    UnixMillis,
    /// RFC 3339 (`2023-05-02T12:19:59Z`, `2023-05-02T14:19:59+02:00`).
    Rfc3339,
    /// A strftime pattern (`%Y-%m-%d %H:%M:%S`, `%d.%m.%Y %H:%M`); `%z` reads an offset.
    Pattern(String),
    /// As spreadsheets write dates (`5/2/2023 12:19`, ISO forms, serial numbers), slash dates
    /// read in this order.
    Spreadsheet(DateOrder),
}

impl TimeFormat {
    /// The strftime pattern offered first: `%Y-%m-%d %H:%M:%S`.
    pub const ISO_PATTERN: &'static str = "%Y-%m-%d %H:%M:%S";

    /// A short name for lists and messages.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::UnixSeconds => "Unix seconds".to_owned(),
            Self::UnixMillis => "Unix milliseconds".to_owned(),
            Self::Rfc3339 => "RFC 3339".to_owned(),
            Self::Pattern(p) => format!("pattern {p}"),
            Self::Spreadsheet(DateOrder::MonthFirst) => "spreadsheet date, month first".to_owned(),
            Self::Spreadsheet(DateOrder::DayFirst) => "spreadsheet date, day first".to_owned(),
        }
    }
}

/// The time column and its format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeColumn {
    /// Header name.
    pub column: String,
    /// How its cells are written.
    pub format: TimeFormat,
}

/// The fee column (paid by the sender, in the chain's native asset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeColumn {
    /// Header name.
    pub column: String,
    /// Base units (wei) or display units (ETH, with the chain's decimals).
    pub unit: AmountUnit,
}

/// The status column and what its values mean. Any other value is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusColumn {
    /// Header name.
    pub column: String,
    /// Cell values (as written, compared after trimming) of a successful transfer.
    pub success: Vec<String>,
    /// Cell values of a failed transaction (kept as evidence of the attempt).
    pub failed: Vec<String>,
}

/// A column mapping: which header name holds which field, and how to read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Cell separator: `,` `;` tab or `|`.
    #[serde(default = "comma")]
    pub delimiter: char,
    /// Numbers are written `1.234,56` (comma before the decimals, points grouping thousands).
    #[serde(default)]
    pub decimal_comma: bool,
    /// The chain; `None` leaves it to the import's `--chain` (the window asks for it).
    #[serde(default)]
    pub chain: Option<ChainSource>,
    /// Transaction hash column.
    pub tx_hash: String,
    /// Sender column.
    pub from: String,
    /// Receiver column.
    pub to: String,
    /// The asset moved.
    pub asset: AssetSource,
    /// Amount column.
    pub amount: String,
    /// Unit of the amount column.
    #[serde(default)]
    pub unit: AmountUnit,
    /// Decimal places, required for display amounts.
    #[serde(default)]
    pub decimals: Option<DecimalsSource>,
    /// Time column.
    #[serde(default)]
    pub time: Option<TimeColumn>,
    /// Fee column.
    #[serde(default)]
    pub fee: Option<FeeColumn>,
    /// Status column.
    #[serde(default)]
    pub status: Option<StatusColumn>,
    /// Method column (kept as written).
    #[serde(default)]
    pub method: Option<String>,
    /// Position / log index column.
    #[serde(default)]
    pub position: Option<String>,
    /// Block height column.
    #[serde(default)]
    pub block: Option<String>,
    /// Column of a USD value the source states (kept as an exact decimal, never computed).
    #[serde(default)]
    pub stated_usd: Option<String>,
}

fn comma() -> char {
    ','
}

/// The separators a profile may name.
pub const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

impl Profile {
    /// A profile with the required columns and nothing else: comma-separated, base units,
    /// native asset, chain left to `--chain`.
    #[must_use]
    pub fn new(tx_hash: &str, from: &str, to: &str, amount: &str) -> Self {
        Profile {
            delimiter: ',',
            decimal_comma: false,
            chain: None,
            tx_hash: tx_hash.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            asset: AssetSource::Native,
            amount: amount.to_owned(),
            unit: AmountUnit::Base,
            decimals: None,
            time: None,
            fee: None,
            status: None,
            method: None,
            position: None,
            block: None,
            stated_usd: None,
        }
    }

    /// Every mapped column as `(field, header name)`, in profile order.
    #[must_use]
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        if let Some(ChainSource::Column(c)) = &self.chain {
            out.push(("chain", c.as_str()));
        }
        out.push(("tx hash", self.tx_hash.as_str()));
        out.push(("from", self.from.as_str()));
        out.push(("to", self.to.as_str()));
        if let AssetSource::Column(c) = &self.asset {
            out.push(("asset", c.as_str()));
        }
        out.push(("amount", self.amount.as_str()));
        if let Some(DecimalsSource::Column(c)) = &self.decimals {
            out.push(("decimals", c.as_str()));
        }
        let optional = [
            ("time", self.time.as_ref().map(|t| t.column.as_str())),
            ("fee", self.fee.as_ref().map(|f| f.column.as_str())),
            ("status", self.status.as_ref().map(|s| s.column.as_str())),
            ("method", self.method.as_deref()),
            ("position", self.position.as_deref()),
            ("block", self.block.as_deref()),
            ("stated USD", self.stated_usd.as_deref()),
        ];
        out.extend(optional.into_iter().filter_map(|(f, c)| c.map(|c| (f, c))));
        out
    }

    /// Checks the profile is complete and consistent: a known separator, every column named
    /// once, a known fixed chain, decimals for display amounts (agreeing with a fixed chain's
    /// native asset), a time pattern, and status values that do not overlap.
    ///
    /// # Errors
    /// A message naming the first problem and what is expected instead.
    pub fn check(&self) -> Result<(), String> {
        if !DELIMITERS.contains(&self.delimiter) {
            return Err(format!("separator {:?}: expected one of , ; | or a tab", self.delimiter));
        }
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for (field, col) in self.columns() {
            if col.trim().is_empty() {
                return Err(format!("{field}: no column chosen: expected a column of the file's header"));
            }
            if let Some((other, _)) = seen.iter().find(|(_, c)| c.trim() == col.trim()) {
                return Err(format!(
                    "column {col:?} is mapped twice ({other} and {field}): expected one field per column"
                ));
            }
            seen.push((field, col));
        }
        let chain = match &self.chain {
            Some(ChainSource::Fixed(id)) => {
                Some(registry().chain(&id.trim().to_ascii_lowercase()).map_err(|_| {
                    format!("chain {id:?}: expected a chain id ({})", registry().chain_ids().join(", "))
                })?)
            }
            _ => None,
        };
        match (self.unit, &self.decimals) {
            (AmountUnit::Display, None) => {
                return Err("amounts are in display units but no decimals are given: expected a fixed number of \
                            decimal places, a decimals column, or the decimals hoptrace knows"
                    .to_owned());
            }
            (_, Some(DecimalsSource::Fixed(d))) if *d > 77 => {
                return Err(format!("decimals {d}: expected 0 to 77"));
            }
            (AmountUnit::Display, Some(DecimalsSource::Fixed(d))) => {
                if let (AssetSource::Native, Some(c)) = (&self.asset, chain)
                    && c.decimals != *d
                {
                    return Err(format!("decimals {d}: expected {}, the decimals of {}", c.decimals, c.native));
                }
            }
            _ => {}
        }
        if let Some(TimeColumn { format: TimeFormat::Pattern(p), .. }) = &self.time
            && !p.contains('%')
        {
            return Err(format!("time pattern {p:?}: expected a strftime pattern such as {}", TimeFormat::ISO_PATTERN));
        }
        if let Some(s) = &self.status {
            let norm = |v: &Vec<String>| v.iter().map(|x| x.trim().to_owned()).collect::<BTreeSet<_>>();
            let (ok, failed) = (norm(&s.success), norm(&s.failed));
            if ok.is_empty() {
                return Err(format!(
                    "status column {:?}: no value means success: expected the cell values of successful transfers",
                    s.column
                ));
            }
            if let Some(both) = ok.intersection(&failed).next() {
                return Err(format!("status value {both:?} is listed as success and as failed: expected one meaning"));
            }
        }
        Ok(())
    }
}

/// A saved profile as an import uses it: its name, the SHA-256 (hex) of its saved text, and
/// the mapping. Recorded in the batch's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedProfile {
    /// The profile's name (its file name without `.ron`).
    pub name: String,
    /// SHA-256 of the profile's RON text, hex.
    pub sha256: String,
    /// The mapping.
    pub profile: Profile,
}

impl NamedProfile {
    /// A profile that is not saved (the window's preview): its hash is that of the RON text it
    /// would be saved as.
    #[must_use]
    pub fn unsaved(name: &str, profile: Profile) -> Self {
        let text = store::to_ron(&profile);
        NamedProfile { name: name.to_owned(), sha256: store::sha256_hex(text.as_bytes()), profile }
    }
}
