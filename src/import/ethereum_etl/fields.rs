//! One ethereum-etl (or BigQuery `crypto_ethereum`) record's fields, from a CSV row or a JSON
//! object, and the strict cell parsers every record kind shares.
//!
//! The same column holds a JSON integer in ethereum-etl's JSON lines (`"value": 1642894143`), a
//! JSON string in BigQuery's exports (`"value": "1642894143"`) and plain text in CSV: each parser
//! takes the text as written, whatever the carrier, and accepts it only in the forms these tools
//! write. Integers (wei, token units, heights, indexes) are plain decimal digits: a sign, a
//! fraction, an exponent or a thousands separator is refused, never rounded.

use std::borrow::Cow;
use std::collections::BTreeMap;

use csv::ByteRecord;
use serde_json::{Map, Value};

use crate::import::Refusal;
use crate::import::csvutil::CsvFile;
use crate::import::time::check_range;
use crate::model::{Amount, AmountError, Chain, normalize_address};

/// One record's fields.
pub(super) trait Fields {
    /// Line of the record (1-based), for refusals.
    fn line(&self) -> u64;
    /// The field's name as the file writes it (the CSV header cell, or the JSON key).
    fn name(&self, key: &'static str) -> String;
    /// True when the record has the field at all (a column of the header, a key of the object),
    /// even if empty.
    fn has(&self, key: &'static str) -> bool;
    /// The trimmed text of `key`; `None` when absent, empty or JSON null.
    ///
    /// # Errors
    /// A [`Refusal`] for a value that is not text or a number (or not UTF-8).
    fn get(&self, key: &'static str) -> Result<Option<Cow<'_, str>>, Refusal>;
    /// The elements of a list field (`trace_address`): a JSON array, or comma-separated text
    /// (CSV, and BigQuery, whose `trace_address` is a STRING). `None` when absent or null.
    ///
    /// # Errors
    /// A [`Refusal`] for an element that is not a number.
    fn list(&self, key: &'static str) -> Result<Option<Vec<String>>, Refusal> {
        Ok(self.get(key)?.map(|t| t.split(',').map(|s| s.trim().to_owned()).collect()))
    }
}

/// A CSV row.
pub(super) struct CsvFields<'a, 'r> {
    /// The file (for header names and cell decoding).
    pub file: &'a CsvFile<'r>,
    /// The row.
    pub rec: &'a ByteRecord,
    /// Its line.
    pub line: u64,
    /// Column of each key, found once from the header.
    pub cols: &'a BTreeMap<&'static str, usize>,
}

impl Fields for CsvFields<'_, '_> {
    fn line(&self) -> u64 {
        self.line
    }
    fn name(&self, key: &'static str) -> String {
        self.cols.get(key).map_or_else(|| key.to_owned(), |&i| self.file.name(i).to_owned())
    }
    fn has(&self, key: &'static str) -> bool {
        self.cols.contains_key(key)
    }
    fn get(&self, key: &'static str) -> Result<Option<Cow<'_, str>>, Refusal> {
        Ok(self.file.optional(self.rec, self.cols.get(key).copied(), self.line)?.map(Cow::Borrowed))
    }
}

/// A JSON object (one line of JSON lines).
pub(super) struct JsonFields<'a> {
    /// The object.
    pub obj: &'a Map<String, Value>,
    /// Its line.
    pub line: u64,
}

impl Fields for JsonFields<'_> {
    fn line(&self) -> u64 {
        self.line
    }
    fn name(&self, key: &'static str) -> String {
        key.to_owned()
    }
    fn has(&self, key: &'static str) -> bool {
        self.obj.contains_key(key)
    }
    fn get(&self, key: &'static str) -> Result<Option<Cow<'_, str>>, Refusal> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok((!s.trim().is_empty()).then(|| Cow::Borrowed(s.trim()))),
            // arbitrary_precision: the number's exact text as written.
            Some(Value::Number(n)) => Ok(Some(Cow::Owned(n.to_string()))),
            Some(other) => Err(Refusal::new(self.line, key, format!("found {other}: expected a string or a number"))),
        }
    }
    fn list(&self, key: &'static str) -> Result<Option<Vec<String>>, Refusal> {
        match self.obj.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(Refusal::new(self.line, key, format!("found element {other}: expected numbers"))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            // BigQuery writes `trace_address` as a string ("0,1"); an empty one is the top call.
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(Vec::new())),
            _ => Ok(self.get(key)?.map(|t| t.split(',').map(|s| s.trim().to_owned()).collect())),
        }
    }
}

/// A required field's text.
///
/// # Errors
/// A [`Refusal`] saying what was expected.
pub(super) fn required<'f>(f: &'f dyn Fields, key: &'static str, what: &str) -> Result<Cow<'f, str>, Refusal> {
    f.get(key)?.ok_or_else(|| Refusal::new(f.line(), f.name(key), format!("missing or empty: expected {what}")))
}

/// A strict integer of base units (`unit` names them: `wei`, `token base units`): plain digits.
///
/// # Errors
/// A [`Refusal`] naming the field and what was wrong (sign, fraction, exponent, separator).
pub(super) fn base_units(f: &dyn Fields, key: &'static str, unit: &str) -> Result<Amount, Refusal> {
    let text = required(f, key, &format!("an integer number of {unit}"))?;
    strict_units(&text, unit).map_err(|m| Refusal::new(f.line(), f.name(key), m))
}

/// Checks `text` is plain decimal digits and reads it as base units.
///
/// # Errors
/// The `found …: expected …` message.
pub(super) fn strict_units(text: &str, unit: &str) -> Result<Amount, String> {
    let t = text.trim();
    let expected = format!("expected an integer number of {unit} in plain digits");
    if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() {
        return Amount::parse_base_units(t).map_err(|e| match e {
            AmountError::Overflow(_) => format!("found {t:?}: expected at most 2^256 - 1 {unit}"),
            other => format!("found {t:?}: {expected} ({other})"),
        });
    }
    let why = if t.starts_with('-') {
        "not a negative amount (from/to give the direction)"
    } else if t.starts_with('+') {
        "without a sign"
    } else if t.contains(['e', 'E']) && t.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) {
        "not an exponent (scientific notation: a tool rounded it through a float; re-export)"
    } else if t.contains('.') && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        "without a fraction (these exports write whole base units)"
    } else {
        "without separators or other characters"
    };
    Err(format!("found {t:?}: {expected}, {why}"))
}

/// An optional strict non-negative integer (block number, index); `what` names it.
///
/// # Errors
/// A [`Refusal`] naming the field.
pub(super) fn uint(f: &dyn Fields, key: &'static str, what: &str) -> Result<Option<i64>, Refusal> {
    let Some(text) = f.get(key)? else { return Ok(None) };
    parse_uint(&text).map(Some).ok_or_else(|| {
        Refusal::new(f.line(), f.name(key), format!("found {text:?}: expected {what}, a whole number in plain digits"))
    })
}

/// Plain digits as `i64`.
pub(super) fn parse_uint(text: &str) -> Option<i64> {
    let t = text.trim();
    (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
}

/// An optional block time: Unix seconds (ethereum-etl) or `2023-05-02 12:19:59 UTC` (BigQuery),
/// within 2009-01-03 .. now + 1 day.
///
/// # Errors
/// A [`Refusal`] naming the field.
pub(super) fn block_time(f: &dyn Fields, key: &'static str) -> Result<Option<i64>, Refusal> {
    let Some(text) = f.get(key)? else { return Ok(None) };
    parse_block_time(&text).map(Some).map_err(|m| Refusal::new(f.line(), f.name(key), m))
}

/// Parses a block time in either form and checks its range.
///
/// # Errors
/// The `found …: expected …` message.
pub(super) fn parse_block_time(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let secs = match parse_uint(t) {
        Some(s) => s,
        None => t
            .strip_suffix(" UTC")
            .and_then(|civil| jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", civil).ok())
            .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
            .map(|ts| ts.as_second())
            .ok_or_else(|| {
                format!(
                    "found {t:?}: expected Unix seconds (ethereum-etl) or YYYY-MM-DD HH:MM:SS UTC (BigQuery), \
                     such as 1683029999 or 2023-05-02 12:19:59 UTC"
                )
            })?,
    };
    check_range(secs)
}

/// An optional success flag: `1` success, `0` failed; anything else refused.
///
/// # Errors
/// A [`Refusal`] naming the field.
pub(super) fn status(f: &dyn Fields, key: &'static str) -> Result<Option<bool>, Refusal> {
    match f.get(key)?.as_deref() {
        None => Ok(None),
        Some("1") => Ok(Some(true)),
        Some("0") => Ok(Some(false)),
        Some(other) => {
            Err(Refusal::new(f.line(), f.name(key), format!("found {other:?}: expected 1 (success) or 0 (failed)")))
        }
    }
}

/// An optional address of `chain`.
///
/// # Errors
/// A [`Refusal`] naming the field.
pub(super) fn address(f: &dyn Fields, chain: &Chain, key: &'static str) -> Result<Option<String>, Refusal> {
    f.get(key)?
        .map(|a| normalize_address(chain, &a).map_err(|e| Refusal::new(f.line(), f.name(key), e.to_string())))
        .transpose()
}

/// A required address of `chain`.
///
/// # Errors
/// A [`Refusal`] naming the field.
pub(super) fn required_address(f: &dyn Fields, chain: &Chain, key: &'static str) -> Result<String, Refusal> {
    address(f, chain, key)?.ok_or_else(|| Refusal::new(f.line(), f.name(key), "missing: expected an address"))
}

/// A required EVM transaction hash, lower case.
///
/// # Errors
/// A [`Refusal`] naming the field.
pub(super) fn tx_hash(f: &dyn Fields, key: &'static str) -> Result<String, Refusal> {
    let text = required(f, key, "a transaction hash")?;
    super::tx_hash(&text).ok_or_else(|| {
        Refusal::new(f.line(), f.name(key), "expected a transaction hash: 0x followed by 64 hexadecimal digits")
    })
}
