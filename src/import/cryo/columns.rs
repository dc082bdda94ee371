//! The columns of cryo's datasets, the dataset a header is, and the cell parsers shared by the
//! Parquet and CSV readers (a cell is binary, text, an integer or a boolean).

use crate::model::{Amount, Chain, normalize_address};

/// The cryo dataset a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// `cryo erc20_transfers`.
    Erc20Transfers,
    /// `cryo native_transfers`.
    NativeTransfers,
    /// `cryo transactions` (`txs`).
    Transactions,
}

impl Dataset {
    /// cryo's name of the dataset.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Erc20Transfers => "erc20_transfers",
            Dataset::NativeTransfers => "native_transfers",
            Dataset::Transactions => "transactions",
        }
    }
}

/// A column the reader uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Block,
    TxHash,
    From,
    To,
    Erc20,
    LogIndex,
    TransferIndex,
    ValueBinary,
    ValueString,
    Value,
    ChainId,
    Success,
    GasUsed,
    GasPrice,
}

/// Number of [`Field`]s.
pub(crate) const FIELDS: usize = 14;

/// cryo's column name of each [`Field`], in order.
pub(crate) const NAMES: [&str; FIELDS] = [
    "block_number",
    "transaction_hash",
    "from_address",
    "to_address",
    "erc20",
    "log_index",
    "transfer_index",
    "value_binary",
    "value_string",
    "value",
    "chain_id",
    "success",
    "gas_used",
    "gas_price",
];

const EXPECTED: &str = "expected a cryo dataset: erc20_transfers (block_number,transaction_index,log_index,\
     transaction_hash,erc20,from_address,to_address,value_binary,value_string,value_f64,chain_id), native_transfers \
     (block_number,…,transfer_index,transaction_hash,from_address,to_address,value_binary,value_string,…,chain_id) or \
     transactions (block_number,transaction_index,transaction_hash,nonce,from_address,to_address,value_binary,\
     value_string,…,success,chain_id)";

/// Which column of the file holds each field, and the dataset.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The dataset the columns make.
    pub dataset: Dataset,
    /// Column index in the file of each [`Field`].
    pub index: [Option<usize>; FIELDS],
}

impl Layout {
    /// Finds the fields among the file's column `names` and decides the dataset.
    ///
    /// # Errors
    /// A message naming the missing column (or the columns found) and the expected ones.
    pub(crate) fn new(names: &[String]) -> Result<Self, String> {
        let find = |n: &str| names.iter().position(|c| c.trim().eq_ignore_ascii_case(n));
        let index = NAMES.map(find);
        let has = |f: Field| index[f as usize].is_some();
        if !(has(Field::TxHash) && has(Field::From) && has(Field::To)) {
            return Err(format!("found the columns {}: {EXPECTED}", names.join(",")));
        }
        let dataset = if has(Field::Erc20) {
            Dataset::Erc20Transfers
        } else if has(Field::TransferIndex) {
            Dataset::NativeTransfers
        } else {
            Dataset::Transactions
        };
        if !(has(Field::ValueBinary) || has(Field::ValueString) || has(Field::Value)) {
            let why = if find("value_f64").is_some() {
                "has only value_f64, a rounded float that cannot state an amount exactly"
            } else {
                "has no value column"
            };
            return Err(format!(
                "the cryo {} export {why}: expected value_binary or value_string (re-export with cryo's default \
                 --u256-types binary string f64)",
                dataset.name()
            ));
        }
        Ok(Layout { dataset, index })
    }

    /// True when the file has the column of `f`.
    pub(crate) fn has(&self, f: Field) -> bool {
        self.index[f as usize].is_some()
    }

    /// The column name of `f`, for refusals.
    pub(crate) fn name(&self, f: Field) -> &'static str {
        NAMES[f as usize]
    }
}

/// One cell: what Parquet or CSV holds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    /// Absent column, null or empty cell.
    Null,
    /// Binary (Parquet `BYTE_ARRAY` without a string annotation, or fixed length).
    Bytes(&'a [u8]),
    /// Text (CSV, or a Parquet string column).
    Text(&'a str),
    /// A signed integer column.
    Int(i64),
    /// An unsigned integer column.
    UInt(u64),
    /// A boolean column.
    Bool(bool),
}

fn describe(c: Cell<'_>) -> String {
    match c {
        Cell::Null => "nothing".to_owned(),
        Cell::Bytes(b) => format!("{} bytes of binary data", b.len()),
        Cell::Text(t) if t.chars().count() > 80 => format!("{:?}…", t.chars().take(80).collect::<String>()),
        Cell::Text(t) => format!("{t:?}"),
        Cell::Int(v) => v.to_string(),
        Cell::UInt(v) => v.to_string(),
        Cell::Bool(b) => b.to_string(),
    }
}

/// A non-negative whole number (`what` names it).
pub(crate) fn uint(c: Cell<'_>, what: &str) -> Result<Option<u64>, String> {
    let fail = || format!("found {}: expected {what}, a whole number", describe(c));
    match c {
        Cell::Null => Ok(None),
        Cell::UInt(v) => Ok(Some(v)),
        Cell::Int(v) => u64::try_from(v).map(Some).map_err(|_| fail()),
        Cell::Text(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
            t.parse().map(Some).map_err(|_| fail())
        }
        _ => Err(fail()),
    }
}

/// A transaction hash: 32 bytes, or `0x` and 64 hex digits; lower-case `0x` hex.
pub(crate) fn hash(c: Cell<'_>) -> Result<Option<String>, String> {
    match c {
        Cell::Null => Ok(None),
        Cell::Bytes(b) if b.len() == 32 => Ok(Some(format!("0x{}", hex::encode(b)))),
        Cell::Text(t)
            if t.len() == 66
                && (t.starts_with("0x") || t.starts_with("0X"))
                && t.bytes().skip(2).all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(Some(format!("0x{}", t.get(2..).unwrap_or_default().to_ascii_lowercase())))
        }
        Cell::Bytes(_) => Err(format!("found {}: expected 32 bytes (a transaction hash)", describe(c))),
        _ => Err(format!("found {}: expected a transaction hash, 0x followed by 64 hexadecimal digits", describe(c))),
    }
}

/// An address: 20 bytes, or `0x` and 40 hex digits; normalised. 32 zero bytes, what cryo
/// writes as the receiver of a contract creation that failed, is no address (`None`).
pub(crate) fn address(c: Cell<'_>, chain: &Chain) -> Result<Option<String>, String> {
    let text = match c {
        Cell::Null => return Ok(None),
        Cell::Bytes(b) if b.len() == 32 && b.iter().all(|x| *x == 0) => return Ok(None),
        Cell::Bytes(b) if b.len() == 20 => format!("0x{}", hex::encode(b)),
        Cell::Bytes(_) => return Err(format!("found {}: expected 20 bytes (an address)", describe(c))),
        Cell::Text(t) => t.to_owned(),
        _ => return Err(format!("found {}: expected an address", describe(c))),
    };
    normalize_address(chain, &text)
        .map(Some)
        .map_err(|_| format!("found {}: expected an address, 0x followed by 40 hexadecimal digits", describe(c)))
}

/// A boolean: `true`/`false` (any case), or 1/0.
pub(crate) fn boolean(c: Cell<'_>) -> Result<bool, String> {
    match c {
        Cell::Bool(b) => Ok(b),
        Cell::Int(1) | Cell::UInt(1) => Ok(true),
        Cell::Int(0) | Cell::UInt(0) => Ok(false),
        Cell::Text(t) if t.eq_ignore_ascii_case("true") || t == "1" => Ok(true),
        Cell::Text(t) if t.eq_ignore_ascii_case("false") || t == "0" => Ok(false),
        _ => Err(format!("found {}: expected true or false", describe(c))),
    }
}

/// Big-endian bytes (at most 32), or their `0x` hex form in CSV.
fn binary_amount(c: Cell<'_>) -> Result<Option<Amount>, String> {
    let too_long = |n: usize| format!("found {n} bytes: expected at most 32 bytes (a big-endian uint256)");
    match c {
        Cell::Null => Ok(None),
        Cell::Bytes(b) if b.len() > 32 => Err(too_long(b.len())),
        Cell::Bytes(b) => Ok(Some(be_amount(b))),
        Cell::Text(t) => {
            let digits = t
                .strip_prefix("0x")
                .or_else(|| t.strip_prefix("0X"))
                .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
            match digits {
                Some(d) if d.len() > 64 => {
                    Err(format!("found {} hexadecimal digits: expected at most 64 (a uint256)", d.len()))
                }
                Some(d) => {
                    let bytes = hex::decode(format!("{d:0>64}")).map_err(|e| e.to_string())?;
                    Ok(Some(be_amount(&bytes)))
                }
                None => {
                    Err(format!("found {}: expected 0x and the value's big-endian hexadecimal digits", describe(c)))
                }
            }
        }
        other => Err(format!("found {}: expected big-endian binary value bytes", describe(other))),
    }
}

/// Big-endian bytes (at most 32) as an amount.
pub(crate) fn be_amount(b: &[u8]) -> Amount {
    let mut arr = [0u8; 32];
    let start = 32usize.saturating_sub(b.len());
    for (dst, src) in arr.iter_mut().skip(start).zip(b) {
        *dst = *src;
    }
    Amount(ethnum::U256::from_be_bytes(arr))
}

/// Decimal digits of a base-unit amount.
fn string_amount(c: Cell<'_>) -> Result<Option<Amount>, String> {
    match c {
        Cell::Null => Ok(None),
        Cell::Text(t) if t.bytes().all(|b| b.is_ascii_digit()) => {
            super::super::explorer_common::base_amount(t, 0, "").map(Some).map_err(|r| r.message)
        }
        Cell::Text(t) if t.starts_with(['-', '+']) || t.contains(['e', 'E']) => {
            super::super::explorer_common::base_amount(t, 0, "").map(Some).map_err(|r| r.message)
        }
        Cell::Text(t) => Err(format!("found {t:?}: expected the value's decimal digits only")),
        Cell::UInt(v) => Ok(Some(Amount::from_u128(u128::from(v)))),
        Cell::Int(v) if v >= 0 => Ok(Some(Amount::from_u128(v.unsigned_abs().into()))),
        other => Err(format!("found {}: expected the value's decimal digits", describe(other))),
    }
}

/// The value of a row, exactly: `value_binary`, `value_string` (both must agree when both
/// are present), or an older cryo's plain `value` (binary, hex or decimal). `value_f64` never.
pub(crate) fn amount(cells: &[Cell<'_>], layout: &Layout) -> Result<Amount, (Field, String)> {
    let cell = |f: Field| cells.get(f as usize).copied().unwrap_or(Cell::Null);
    let binary = binary_amount(cell(Field::ValueBinary)).map_err(|m| (Field::ValueBinary, m))?;
    let string = string_amount(cell(Field::ValueString)).map_err(|m| (Field::ValueString, m))?;
    if let (Some(b), Some(s)) = (binary, string)
        && b != s
    {
        return Err((
            Field::ValueString,
            format!("found {s}: expected {b} as in value_binary (the two exact value columns disagree)"),
        ));
    }
    if let Some(v) = binary.or(string) {
        return Ok(v);
    }
    let plain = match cell(Field::Value) {
        Cell::Text(t) if !t.starts_with("0x") && !t.starts_with("0X") => string_amount(Cell::Text(t)),
        c @ (Cell::Text(_) | Cell::Bytes(_)) => binary_amount(c),
        c => string_amount(c),
    }
    .map_err(|m| (Field::Value, m))?;
    let first = [Field::ValueBinary, Field::ValueString, Field::Value].into_iter().find(|f| layout.has(*f));
    plain.ok_or_else(|| (first.unwrap_or(Field::Value), "empty: expected the value".to_owned()))
}
