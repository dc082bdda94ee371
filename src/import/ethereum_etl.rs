//! ethereum-etl exports and Google BigQuery `crypto_ethereum` exports (same column names), as
//! CSV or as JSON lines (ethereum-etl's streaming form carries a `type` field):
//!
//! - `transactions` ([`read_transactions`]): one [`TransferKind::Native`] transfer of `value`
//!   wei from `from_address` to `to_address`; a contract creation (empty `to_address`) goes to
//!   `receipt_contract_address` when the export has it, else has no receiver. Zero-value
//!   transactions are kept (a call to a mixer or bridge is evidence). `receipt_status` 1 is
//!   success, 0 marks the transfer failed, anything else is refused; the fee is
//!   `receipt_gas_used × receipt_effective_gas_price` when given.
//! - `token_transfers` ([`read_token_transfers`]): one [`TransferKind::Token`] transfer of the
//!   token at `token_address` (the asset key), positioned by `log_index`. No time column: the
//!   time comes from `blocks`.
//! - `traces` ([`read_traces`]): internal ETH movements, see [`traces`] for what each trace
//!   type becomes and how a trace is identified.
//! - `blocks` ([`read_blocks`]): block times ([`crate::import::BlockTime`]), which the ledger
//!   gives to transfers of that block imported without a time, in either import order.
//!
//! ethereum-etl writes `value` as a JSON integer (exceeding 64 bits) and `block_timestamp` as
//! Unix seconds; BigQuery writes numbers as JSON strings and times as `2023-05-02 12:19:59 UTC`.
//! Both are read exactly, from the digits; a sign, a fraction or an exponent in an integer column
//! is refused. JSON is read strictly ([`crate::import::json`]): an object with a key twice is
//! refused, naming the key. Block times outside 2009-01-03 .. now + 1 day are refused with the
//! field named. Memory does not grow with the file: one line or CSV record at a time.
//!
//! Chain: `--chain` when given (ethereum-etl also exports other EVM chains; only EVM chains are
//! accepted), else `ethereum`; the reader reports which and why ([`Sink::chain_decided`]).

mod blocks;
mod fields;
mod records;
pub mod traces;

use std::collections::BTreeMap;
use std::io::BufRead;

use csv::ByteRecord;
use serde_json::Value;

use self::fields::{CsvFields, Fields, JsonFields};
use super::csvutil::CsvFile;
use super::json;
use super::{AssetInfo, BlockTime, ReadContext, ReadError, Refusal, Sink};
use crate::model::{AddressRule, Chain, Transfer, lower_hex_with_prefix, registry};

/// Reads ethereum-etl / BigQuery transactions (CSV or JSON lines).
///
/// # Errors
/// [`ReadError`] when the file is neither, lacks a required column, or `--chain` is not EVM.
pub fn read_transactions(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    read_any(input, ctx, sink, Kind::Transactions)
}

/// Reads ethereum-etl / BigQuery token transfers (CSV or JSON lines).
///
/// # Errors
/// As [`read_transactions`].
pub fn read_token_transfers(
    input: &mut dyn BufRead,
    ctx: &ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    read_any(input, ctx, sink, Kind::TokenTransfers)
}

/// Reads ethereum-etl / BigQuery traces (CSV or JSON lines); see [`traces`].
///
/// # Errors
/// As [`read_transactions`].
pub fn read_traces(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    read_any(input, ctx, sink, Kind::Traces)
}

/// Reads ethereum-etl / BigQuery blocks (CSV or JSON lines) into block times.
///
/// # Errors
/// As [`read_transactions`].
pub fn read_blocks(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    read_any(input, ctx, sink, Kind::Blocks)
}

/// What a record became.
enum Out {
    /// A transfer (transactions, traces).
    Transfer(Transfer),
    /// A token transfer, with the token's decimals when the record states them.
    Token(Transfer, Option<u8>),
    /// A block's time.
    Block(BlockTime),
    /// Nothing to import, for this reason.
    Skip(&'static str),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Transactions,
    TokenTransfers,
    Traces,
    Blocks,
}

impl Kind {
    /// Columns a CSV header must have (each with alternatives).
    fn required(self) -> &'static [&'static [&'static str]] {
        match self {
            Kind::Transactions => &[&["hash"], &["from_address"], &["to_address"], &["value"]],
            Kind::TokenTransfers => {
                &[&["token_address"], &["from_address"], &["to_address"], &["value"], &["transaction_hash"]]
            }
            Kind::Traces => &[
                &["transaction_hash"],
                &["from_address"],
                &["to_address"],
                &["value"],
                &["trace_type"],
                &["trace_address", "trace_id"],
            ],
            Kind::Blocks => &[&["number"], &["timestamp"]],
        }
    }

    /// Every column the reader uses.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Transactions => &[
                "hash",
                "from_address",
                "to_address",
                "value",
                "block_number",
                "block_timestamp",
                "receipt_contract_address",
                "receipt_status",
                "receipt_gas_used",
                "receipt_effective_gas_price",
            ],
            Kind::TokenTransfers => &[
                "token_address",
                "from_address",
                "to_address",
                "value",
                "transaction_hash",
                "log_index",
                "block_number",
                "block_timestamp",
                "decimals",
            ],
            Kind::Traces => &[
                "block_number",
                "block_timestamp",
                "transaction_hash",
                "from_address",
                "to_address",
                "value",
                "trace_type",
                "call_type",
                "trace_address",
                "error",
                "status",
                "trace_id",
            ],
            Kind::Blocks => &["number", "timestamp"],
        }
    }

    /// The `type` of ethereum-etl's streaming JSON records of this kind.
    fn json_type(self) -> &'static str {
        match self {
            Kind::Transactions => "transaction",
            Kind::TokenTransfers => "token_transfer",
            Kind::Traces => "trace",
            Kind::Blocks => "block",
        }
    }

    fn record(self, f: &dyn Fields, chain: &Chain) -> Result<Out, Refusal> {
        match self {
            Kind::Transactions => records::transaction(f, chain),
            Kind::TokenTransfers => records::token_transfer(f, chain),
            Kind::Traces => traces::trace(f, chain),
            Kind::Blocks => blocks::block(f, chain),
        }
    }
}

/// The chain the file is read as: `--chain` (an EVM chain), else `ethereum`; reported to `sink`.
fn decide_chain(ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<&'static Chain, ReadError> {
    let (id, rule) = match ctx.options.chain.as_deref() {
        Some(c) => (c.trim().to_ascii_lowercase(), "--chain option"),
        None => (
            "ethereum".to_owned(),
            "ethereum-etl/BigQuery crypto_ethereum export without --chain: read as Ethereum mainnet",
        ),
    };
    let chain = registry().chain(&id).map_err(|e| ReadError::format(1, format!("--chain {id}: {e}")))?;
    if chain.address != AddressRule::Evm {
        return Err(ReadError::format(
            1,
            format!("found --chain {id}: expected an EVM chain (ethereum-etl exports Ethereum-like chains)"),
        ));
    }
    sink.chain_decided(&chain.id, rule);
    Ok(chain)
}

/// Sends what one record became to the sink; a token's metadata once per token (again when its
/// decimals first become known), and a token stated with two decimal counts is refused.
struct Emitter<'c> {
    chain: &'c Chain,
    kind: Kind,
    /// Token → decimals stated so far.
    tokens: BTreeMap<String, Option<u8>>,
}

impl Emitter<'_> {
    fn emit(&mut self, f: &dyn Fields, sink: &mut dyn Sink) -> Result<(), ReadError> {
        match self.kind.record(f, self.chain) {
            Ok(Out::Transfer(t)) => sink.transfer(t),
            Ok(Out::Token(t, decimals)) => {
                let known = self.tokens.get(&t.asset).copied();
                if let (Some(Some(before)), Some(now)) = (known, decimals)
                    && before != now
                {
                    sink.refuse(Refusal::new(
                        t.line,
                        f.name("decimals"),
                        format!("found {now}: expected {before}, as an earlier row states for token {}", t.asset),
                    ));
                    return Ok(());
                }
                if known.is_none() || (known == Some(None) && decimals.is_some()) {
                    self.tokens.insert(t.asset.clone(), decimals);
                    sink.asset(AssetInfo {
                        chain: self.chain.id.clone(),
                        asset: t.asset.clone(),
                        symbol: None,
                        decimals,
                        name: None,
                    })?;
                }
                sink.transfer(t)
            }
            Ok(Out::Block(b)) => sink.block_time(b),
            Ok(Out::Skip(reason)) => {
                sink.skip(f.line(), reason);
                Ok(())
            }
            Err(r) => {
                sink.refuse(r);
                Ok(())
            }
        }
    }
}

fn read_any(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink, kind: Kind) -> Result<(), ReadError> {
    let chain = decide_chain(ctx, sink)?;
    let mut emitter = Emitter { chain, kind, tokens: BTreeMap::new() };
    let first = input.fill_buf()?;
    let skip_bom = if first.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let is_json = first.iter().skip(skip_bom).find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if is_json {
        return read_json_lines(input, sink, &mut emitter);
    }
    let mut file = CsvFile::open(input)?;
    for aliases in kind.required() {
        let normalized: Vec<String> = aliases.iter().map(|k| k.replace('_', "")).collect();
        let refs: Vec<&str> = normalized.iter().map(String::as_str).collect();
        file.columns.require(&aliases.join(" or "), &refs)?;
    }
    let cols: BTreeMap<&'static str, usize> =
        kind.keys().iter().filter_map(|k| file.columns.find(&[&k.replace('_', "")]).map(|i| (*k, i))).collect();
    let mut rec = ByteRecord::new();
    while let Some(line) = file.next_row(&mut rec, sink)? {
        if let Err(r) = file.check_width(&rec, line) {
            sink.refuse(r);
            continue;
        }
        emitter.emit(&CsvFields { file: &file, rec: &rec, line, cols: &cols }, sink)?;
    }
    Ok(())
}

/// JSON lines: one object a line, parsed strictly, one line in memory at a time.
fn read_json_lines(input: &mut dyn BufRead, sink: &mut dyn Sink, emitter: &mut Emitter<'_>) -> Result<(), ReadError> {
    let mut line = 0u64;
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        if input.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(());
        }
        line += 1;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            sink.row();
            sink.refuse(Refusal::new(line, "row", "line is not UTF-8 text: expected one JSON object"));
            continue;
        };
        let text = text.trim().trim_start_matches('\u{feff}');
        if text.is_empty() {
            sink.skip(line, "blank line");
            continue;
        }
        sink.row();
        let obj = match json::from_str(text) {
            Ok(Value::Object(obj)) => obj,
            Ok(other) => {
                let found = match other {
                    Value::Array(_) => "an array".to_owned(),
                    v => v.to_string(),
                };
                sink.refuse(Refusal::new(line, "row", format!("found {found}: expected one JSON object a line")));
                continue;
            }
            Err(e) => {
                let (what, column) = json::error_parts(&e);
                let message = if what.starts_with("duplicate key") {
                    what
                } else {
                    format!("not a JSON object ({what} at column {column}): expected one ethereum-etl record a line")
                };
                sink.refuse(Refusal::new(line, "row", message));
                continue;
            }
        };
        let expected = emitter.kind.json_type();
        if let Some(Value::String(t)) = obj.get("type")
            && t != expected
        {
            sink.refuse(Refusal::new(
                line,
                "type",
                format!(
                    "found {t:?}: expected {expected:?} records (a stream mixing record types: import each type's file with its format)"
                ),
            ));
            continue;
        }
        emitter.emit(&JsonFields { obj: &obj, line }, sink)?;
    }
}

/// Normalises an EVM transaction hash (`0x` + 64 hex digits) to lower case.
#[must_use]
pub fn tx_hash(text: &str) -> Option<String> {
    let hex = text.trim().strip_prefix("0x").or_else(|| text.trim().strip_prefix("0X"))?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| lower_hex_with_prefix(hex))
}

#[cfg(test)]
mod tests;
