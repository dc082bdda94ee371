//! ethereum-etl exports: `export_blocks_and_transactions` transactions and
//! `export_token_transfers` token transfers, as CSV or as JSON lines (the streaming form, with a
//! `type` field). Values are integers in base units (wei, token units) that overflow 64 bits
//! and, for tokens, any 256-bit value: they are read from the digits, never through `f64`.
//!
//! - A transaction becomes one [`TransferKind::Native`] transfer of `value` wei from
//!   `from_address` to `to_address`; a contract creation (empty `to_address`) goes to
//!   `receipt_contract_address` when the export has it, else has no receiver. Zero-value
//!   transactions are kept (a call to a mixer or bridge is evidence). `receipt_status` 0 marks
//!   the transfer failed; the fee is `receipt_gas_used × receipt_effective_gas_price` when given.
//! - A token transfer becomes one [`TransferKind::Token`] transfer of the token at
//!   `token_address` (the asset key), positioned by `log_index`.
//!
//! Chain: `--chain` when given (ethereum-etl also exports other EVM chains), else `ethereum`.

use std::borrow::Cow;
use std::io::BufRead;

use csv::ByteRecord;
use serde_json::{Map, Value};

use super::csvutil::CsvFile;
use super::{AssetInfo, ReadContext, ReadError, Refusal, Sink};
use crate::model::{Amount, Chain, Transfer, TransferKind, lower_hex_with_prefix, normalize_address, registry};

/// Reads ethereum-etl transactions (CSV or JSON lines).
///
/// # Errors
/// [`ReadError`] when the file is neither, or lacks a required column.
pub fn read_transactions(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    read_any(input, ctx, sink, Kind::Transactions)
}

/// Reads ethereum-etl token transfers (CSV or JSON lines).
///
/// # Errors
/// [`ReadError`] when the file is neither, or lacks a required column.
pub fn read_token_transfers(
    input: &mut dyn BufRead,
    ctx: &ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    read_any(input, ctx, sink, Kind::TokenTransfers)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Transactions,
    TokenTransfers,
}

impl Kind {
    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Transactions => &["hash", "from_address", "to_address", "value"],
            Kind::TokenTransfers => &["token_address", "from_address", "to_address", "value", "transaction_hash"],
        }
    }
}

/// One record's fields, from a CSV row or a JSON object.
trait Fields {
    /// The trimmed text of field `key` (an index into [`ALL_KEYS`]); `None` when absent,
    /// empty or JSON null.
    fn get(&self, key: usize) -> Result<Option<Cow<'_, str>>, Refusal>;
}

struct CsvFields<'a, 'r> {
    file: &'a CsvFile<'r>,
    rec: &'a ByteRecord,
    line: u64,
    /// Column of each of [`ALL_KEYS`], found once from the header.
    cols: &'a [Option<usize>; ALL_KEYS.len()],
}

impl Fields for CsvFields<'_, '_> {
    fn get(&self, key: usize) -> Result<Option<Cow<'_, str>>, Refusal> {
        let idx = self.cols.get(key).copied().flatten();
        Ok(self.file.optional(self.rec, idx, self.line)?.map(Cow::Borrowed))
    }
}

struct JsonFields<'a> {
    obj: &'a Map<String, Value>,
    line: u64,
}

impl Fields for JsonFields<'_> {
    fn get(&self, key: usize) -> Result<Option<Cow<'_, str>>, Refusal> {
        let key = ALL_KEYS.get(key).copied().unwrap_or_default();
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok((!s.trim().is_empty()).then(|| Cow::Borrowed(s.trim()))),
            // arbitrary_precision: the number's exact digits as written.
            Some(Value::Number(n)) => Ok(Some(Cow::Owned(n.to_string()))),
            Some(other) => Err(Refusal::new(self.line, key, format!("found {other}: expected a string or a number"))),
        }
    }
}

/// Indexes into [`ALL_KEYS`].
const HASH: usize = 0;
const TRANSACTION_HASH: usize = 1;
const FROM: usize = 2;
const TO: usize = 3;
const VALUE: usize = 4;
const TOKEN: usize = 5;
const LOG_INDEX: usize = 6;
const BLOCK: usize = 7;
const TIME: usize = 8;
const CONTRACT: usize = 9;
const STATUS: usize = 10;
const GAS_USED: usize = 11;
const GAS_PRICE: usize = 12;

/// Every field the reader uses, by its ethereum-etl name.
const ALL_KEYS: [&str; 13] = [
    "hash",
    "transaction_hash",
    "from_address",
    "to_address",
    "value",
    "token_address",
    "log_index",
    "block_number",
    "block_timestamp",
    "receipt_contract_address",
    "receipt_status",
    "receipt_gas_used",
    "receipt_effective_gas_price",
];

fn read_any(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink, kind: Kind) -> Result<(), ReadError> {
    let chain = ctx.options.chain.as_deref().unwrap_or("ethereum");
    let chain_info = registry().chain(chain).map_err(|e| ReadError::format(1, e.to_string()))?;
    let first = input.fill_buf()?;
    let skip_bom = if first.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let is_json = first.iter().skip(skip_bom).find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let mut seen_tokens = std::collections::BTreeSet::new();
    let mut emit = |fields: &dyn Fields, line: u64, sink: &mut dyn Sink| -> Result<(), ReadError> {
        match record(fields, line, chain_info, kind) {
            Ok(t) => {
                if kind == Kind::TokenTransfers && seen_tokens.insert(t.asset.clone()) {
                    sink.asset(AssetInfo {
                        chain: chain.to_owned(),
                        asset: t.asset.clone(),
                        symbol: None,
                        decimals: None,
                        name: None,
                    })?;
                }
                sink.transfer(t)
            }
            Err(r) => {
                sink.refuse(r);
                Ok(())
            }
        }
    };
    if is_json {
        let mut buf = String::new();
        let mut line = 0u64;
        let mut bytes = Vec::new();
        loop {
            bytes.clear();
            if input.read_until(b'\n', &mut bytes)? == 0 {
                break;
            }
            line += 1;
            buf.clear();
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
            match serde_json::from_str::<Map<String, Value>>(text) {
                Ok(obj) => emit(&JsonFields { obj: &obj, line }, line, sink)?,
                Err(e) => {
                    let what = e.to_string();
                    let what = what.split(" at line ").next().unwrap_or_default();
                    let message = format!(
                        "not a JSON object ({what} at column {}): expected one ethereum-etl record a line",
                        e.column()
                    );
                    sink.refuse(Refusal::new(line, "row", message));
                }
            }
        }
        return Ok(());
    }
    let mut file = CsvFile::open(input)?;
    for key in kind.required() {
        file.columns.require(key, &[&key.replace('_', "")])?;
    }
    let cols: [Option<usize>; ALL_KEYS.len()] = ALL_KEYS.map(|k| file.columns.find(&[&k.replace('_', "")]));
    let mut rec = ByteRecord::new();
    while let Some(line) = file.next_row(&mut rec, sink)? {
        if let Err(r) = file.check_width(&rec, line) {
            sink.refuse(r);
            continue;
        }
        emit(&CsvFields { file: &file, rec: &rec, line, cols: &cols }, line, sink)?;
    }
    Ok(())
}

fn record(f: &dyn Fields, line: u64, chain: &Chain, kind: Kind) -> Result<Transfer, Refusal> {
    let name = |key: usize| ALL_KEYS.get(key).copied().unwrap_or_default();
    let req = |key: usize| -> Result<Cow<'_, str>, Refusal> {
        f.get(key)?.ok_or_else(|| Refusal::new(line, name(key), "missing or empty: expected a value"))
    };
    let addr = |key: usize| -> Result<Option<String>, Refusal> {
        f.get(key)?
            .map(|a| normalize_address(chain, &a).map_err(|e| Refusal::new(line, name(key), e.to_string())))
            .transpose()
    };
    let int = |key: usize| -> Result<Option<i64>, Refusal> {
        f.get(key)?
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Refusal::new(line, name(key), format!("found {v:?}: expected a whole number")))
            })
            .transpose()
    };
    let amount = |key: usize| -> Result<Amount, Refusal> {
        let v = req(key)?;
        Amount::parse_base_units(&v).map_err(|e| Refusal::new(line, name(key), e.to_string()))
    };
    let hash_key = if kind == Kind::Transactions { HASH } else { TRANSACTION_HASH };
    let tx_hash = tx_hash(&req(hash_key)?).ok_or_else(|| {
        Refusal::new(line, name(hash_key), "expected a transaction hash: 0x followed by 64 hexadecimal digits")
    })?;
    let from = Some(addr(FROM)?.ok_or_else(|| Refusal::new(line, name(FROM), "missing: expected an address"))?);
    let block = int(BLOCK)?;
    let time = int(TIME)?;
    let value = amount(VALUE)?;
    match kind {
        Kind::Transactions => {
            let to = match addr(TO)? {
                Some(a) => Some(a),
                None => addr(CONTRACT)?,
            };
            let failed = int(STATUS)? == Some(0);
            let fee_base = match (f.get(GAS_USED)?, f.get(GAS_PRICE)?) {
                (Some(g), Some(p)) => {
                    let g = Amount::parse_base_units(&g)
                        .map_err(|e| Refusal::new(line, "receipt_gas_used", e.to_string()))?;
                    let p = Amount::parse_base_units(&p)
                        .map_err(|e| Refusal::new(line, "receipt_effective_gas_price", e.to_string()))?;
                    Some(Amount(g.0.checked_mul(p.0).ok_or_else(|| {
                        Refusal::new(line, "receipt_gas_used", "gas used × gas price exceeds 2^256 - 1")
                    })?))
                }
                _ => None,
            };
            Ok(Transfer {
                chain: chain.id.clone(),
                tx_hash,
                kind: TransferKind::Native,
                position: None,
                block,
                time,
                from,
                to,
                asset: chain.native.clone(),
                amount_base: value,
                fee_base,
                failed,
                prev_out: None,
                line,
                method: None,
                stated_usd: None,
            })
        }
        Kind::TokenTransfers => {
            let asset = addr(TOKEN)?
                .ok_or_else(|| Refusal::new(line, "token_address", "missing: expected a token contract address"))?;
            let to = Some(addr(TO)?.ok_or_else(|| Refusal::new(line, name(TO), "missing: expected an address"))?);
            Ok(Transfer {
                chain: chain.id.clone(),
                tx_hash,
                kind: TransferKind::Token,
                position: int(LOG_INDEX)?,
                block,
                time,
                from,
                to,
                asset,
                amount_base: value,
                fee_base: None,
                failed: false,
                prev_out: None,
                line,
                method: None,
                stated_usd: None,
            })
        }
    }
}

/// Normalises an EVM transaction hash (`0x` + 64 hex digits) to lower case.
#[must_use]
pub fn tx_hash(text: &str) -> Option<String> {
    let hex = text.trim().strip_prefix("0x").or_else(|| text.trim().strip_prefix("0X"))?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| lower_hex_with_prefix(hex))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Collected, ImportOptions};

    fn run(kind: Kind, text: &str) -> Collected {
        let opts = ImportOptions::default();
        let ctx = ReadContext { file_name: "t.csv", path: None, options: &opts };
        let mut sink = Collected::default();
        let mut input = text.as_bytes();
        let r = match kind {
            Kind::Transactions => read_transactions(&mut input, &ctx, &mut sink),
            Kind::TokenTransfers => read_token_transfers(&mut input, &ctx, &mut sink),
        };
        assert!(r.is_ok(), "{r:?}");
        sink
    }

    const H: &str = "0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0";

    #[test]
    fn json_line_with_uint256_value() {
        let line = format!(
            "{{\"type\": \"token_transfer\", \"token_address\": \"0xC02aaa39b223FE8D0A0e5C4F27eAD9083C756Cc2\", \"from_address\": \"0x6b75d8af000000e20b7a7ddf000ba900b4009a80\", \"to_address\": \"0x7054b0f980a7eb5b3a6b3446f3c947d80162775c\", \"value\": 115792089237316195423570985008687907853269984665640564039457584007913129639935, \"transaction_hash\": \"{H}\", \"log_index\": 7, \"block_number\": 17173049, \"block_timestamp\": 1683029999}}\n"
        );
        let c = run(Kind::TokenTransfers, &line);
        assert!(c.refused.is_empty(), "{:?}", c.refused);
        let t = &c.transfers[0];
        assert_eq!(t.amount_base.to_string(), ethnum::U256::MAX.to_string());
        assert_eq!(t.asset, "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
        assert_eq!((t.position, t.time, t.line), (Some(7), Some(1_683_029_999), 1));
    }

    #[test]
    fn csv_refusals_name_line_and_field() {
        let text = format!(
            "hash,from_address,to_address,value,block_timestamp\n{H},0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,,1e18,1\n{H},0xzz,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,1,1\n0x12,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,,1,1\n"
        );
        let c = run(Kind::Transactions, &text);
        assert!(c.transfers.is_empty());
        let got: Vec<(u64, &str)> = c.refused.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert_eq!(got, vec![(2, "value"), (3, "from_address"), (4, "hash")]);
        assert!(c.refused[0].message.contains("exponent"), "{}", c.refused[0].message);
    }
}
