//! Cell parsers shared by the explorer-style CSV readers ([`super::etherscan`],
//! [`super::tronscan`], [`super::arkham`], [`super::generic`]).
//!
//! Each helper turns one cell into a value or into the single [`Refusal`] of its row, naming the
//! column as the header wrote it, with a message of the form `found …: expected …`.

use std::collections::BTreeSet;

use csv::ByteRecord;

use super::csvutil::CsvFile;
use super::time::parse_time;
use super::{AssetInfo, DateOrder, ReadContext, ReadError, Refusal, Sink};
use crate::model::{AddressError, AddressRule, Amount, AmountError, Chain, Transfer, normalize_address, registry};

/// The chain given with `--chain`, if any (trimmed, lower case).
///
/// # Errors
/// [`ReadError::Format`] at line 1 when the registry does not know it.
pub fn chain_option(ctx: &ReadContext<'_>) -> Result<Option<&'static Chain>, ReadError> {
    let Some(id) = ctx.options.chain.as_deref() else { return Ok(None) };
    registry()
        .chain(&id.trim().to_ascii_lowercase())
        .map(Some)
        .map_err(|e| ReadError::format(1, format!("--chain {id}: {e}")))
}

/// True when `symbol` names the native asset of `chain`, case-insensitively (`MATIC`, Polygon's
/// ticker before the 2024 rename, counts as `POL`).
#[must_use]
pub fn is_native(chain: &Chain, symbol: &str) -> bool {
    let s = symbol.trim();
    s.eq_ignore_ascii_case(&chain.native) || (chain.id == "polygon" && s.eq_ignore_ascii_case("MATIC"))
}

/// Decimals of a token: the registry by contract, then `--token-decimals` keyed by the contract
/// (case-insensitive on EVM chains, exact for base58 addresses), then keyed by the symbol
/// (case-insensitive). The registry is never asked by symbol here: fake tokens copy symbols.
#[must_use]
pub fn token_decimals(
    ctx: &ReadContext<'_>,
    chain: &Chain,
    contract: Option<&str>,
    symbol: Option<&str>,
) -> Option<u8> {
    let opts = &ctx.options.token_decimals;
    if let Some(c) = contract {
        if let Some(t) = registry().token(&chain.id, c).filter(|t| t.contract.eq_ignore_ascii_case(c)) {
            return Some(t.decimals);
        }
        let evm = chain.address == AddressRule::Evm;
        let hit = opts.iter().find(|(k, _)| k.trim() == c || (evm && k.trim().eq_ignore_ascii_case(c)));
        if let Some((_, d)) = hit {
            return Some(*d);
        }
    }
    let s = symbol?;
    opts.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(s)).map(|(_, d)| *d)
}

/// The refusal of a row whose token has no known decimals.
#[must_use]
pub fn unknown_token(line: u64, field: &str, key: &str, symbol: Option<&str>) -> Refusal {
    let sym = symbol.map(|s| format!(" ({s})")).unwrap_or_default();
    Refusal::new(
        line,
        field,
        format!(
            "found token {key}{sym} whose decimals hoptrace does not know: expected a token of \
             assets/tokens.ron; pass `--token-decimals {key}=N` with the token's decimals N"
        ),
    )
}

/// Parses a display amount (`1,234.5`) of an asset with `decimals` places into base units.
///
/// # Errors
/// A [`Refusal`] of `field` saying what was wrong.
pub fn display_amount(text: &str, decimals: u8, unit: &str, line: u64, field: &str) -> Result<Amount, Refusal> {
    Amount::parse_decimal(text, decimals).map_err(|e| {
        let msg = match e {
            AmountError::NotANumber(t) => {
                format!("found {t:?}: expected a decimal amount of {unit} such as 1234.5 or 1,234.5")
            }
            AmountError::TooPrecise { text, decimals } => {
                format!("found {text:?}: expected at most {decimals} decimal places ({unit} has {decimals} decimals)")
            }
            other => amount_message(other),
        };
        Refusal::new(line, field, msg)
    })
}

/// Parses an integer number of base units (`7400000000000000000`).
///
/// # Errors
/// A [`Refusal`] of `field` saying what was wrong.
pub fn base_amount(text: &str, line: u64, field: &str) -> Result<Amount, Refusal> {
    Amount::parse_base_units(text).map_err(|e| {
        let msg = match e {
            AmountError::NotANumber(t) | AmountError::TooPrecise { text: t, .. } => {
                format!("found {t:?}: expected an integer number of base units (wei, sun, satoshi)")
            }
            other => amount_message(other),
        };
        Refusal::new(line, field, msg)
    })
}

fn amount_message(e: AmountError) -> String {
    match e {
        AmountError::Empty => "empty: expected an amount".to_owned(),
        AmountError::Negative(t) | AmountError::Signed(t) => {
            format!("found {t:?}: expected an amount without sign (from/to give the direction)")
        }
        AmountError::Exponent(t) => {
            format!("found {t:?}: expected plain digits, not scientific notation (a spreadsheet rounded it; re-export)")
        }
        AmountError::Overflow(t) => format!("found {t:?}: expected at most 2^256 - 1 base units"),
        AmountError::NotANumber(t) | AmountError::TooPrecise { text: t, .. } => {
            format!("found {t:?}: expected a decimal amount")
        }
    }
}

/// Normalises an address of `chain`.
///
/// # Errors
/// A [`Refusal`] of `field` saying what a valid address looks like.
pub fn address(chain: &Chain, text: &str, line: u64, field: &str) -> Result<String, Refusal> {
    normalize_address(chain, text).map_err(|e| {
        let msg = match e {
            AddressError::Empty => format!("empty: expected an address ({})", chain.name),
            AddressError::Invalid { text, expected, .. } => {
                format!("found {text:?}: expected {expected} ({} address)", chain.name)
            }
            other => other.to_string(),
        };
        Refusal::new(line, field, msg)
    })
}

/// Validates a transaction hash of `chain` and returns it as stored: EVM `0x` + 64 lower-case
/// hex digits (the `0x` is required); other chains 64 lower-case hex digits (a `0x` prefix is
/// tolerated and removed).
///
/// # Errors
/// A [`Refusal`] of `field` naming the expected form.
pub fn tx_hash(chain: &Chain, text: &str, line: u64, field: &str) -> Result<String, Refusal> {
    let t = text.trim();
    let prefixed = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"));
    let evm = chain.address == AddressRule::Evm;
    let digits = if evm { prefixed } else { Some(prefixed.unwrap_or(t)) };
    match digits {
        Some(d) if d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(if evm { format!("0x{}", d.to_ascii_lowercase()) } else { d.to_ascii_lowercase() })
        }
        _ => {
            let expected = if evm { "0x followed by 64 hexadecimal digits" } else { "64 hexadecimal digits" };
            Err(Refusal::new(
                line,
                field,
                format!("found {t:?}: expected {expected} ({} transaction hash)", chain.name),
            ))
        }
    }
}

/// Parses a date/time cell with [`parse_time`].
///
/// # Errors
/// A [`Refusal`] of `field` listing the accepted forms.
pub fn time(text: &str, order: DateOrder, line: u64, field: &str) -> Result<i64, Refusal> {
    parse_time(text, order).map_err(|e| {
        let msg = match e.find(": expected") {
            Some(i) if !text.trim().is_empty() => format!("found {:?}{}", text.trim(), &e[i..]),
            _ => e,
        };
        Refusal::new(line, field, msg)
    })
}

/// Parses a non-negative whole number (block height, log index); `what` names it.
///
/// # Errors
/// A [`Refusal`] of `field`.
pub fn integer(text: &str, what: &str, line: u64, field: &str) -> Result<i64, Refusal> {
    let t = text.trim();
    match t.parse::<i64>() {
        Ok(v) if t.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
        _ => Err(Refusal::new(line, field, format!("found {t:?}: expected {what}, a whole number such as 17123456"))),
    }
}

/// Reads a yes/no cell: `true`/`false`, `yes`/`no`, `1`/`0` (any case); `None` otherwise.
#[must_use]
pub fn boolean(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// A required cell with its column name: `(text, header name)`.
///
/// # Errors
/// A [`Refusal`] when the cell is empty or not UTF-8.
pub fn req<'a, 'b>(
    cf: &'a CsvFile<'_>,
    rec: &'b ByteRecord,
    idx: usize,
    line: u64,
) -> Result<(&'b str, &'a str), Refusal> {
    Ok((cf.required(rec, idx, line)?, cf.name(idx)))
}

/// An optional cell with its column name; `None` when the column is absent or the cell empty.
///
/// # Errors
/// A [`Refusal`] when the cell is not UTF-8.
pub fn opt<'a, 'b>(
    cf: &'a CsvFile<'_>,
    rec: &'b ByteRecord,
    idx: Option<usize>,
    line: u64,
) -> Result<Option<(&'b str, &'a str)>, Refusal> {
    Ok(cf.optional(rec, idx, line)?.zip(idx.map(|i| cf.name(i))))
}

/// Remembers which assets were already reported, so each is sent to the sink once per file.
#[derive(Debug, Default)]
pub struct SeenAssets(BTreeSet<(String, String)>);

impl SeenAssets {
    /// Sends `info` to `sink` unless its chain and asset were sent before.
    ///
    /// # Errors
    /// The sink failed.
    pub fn emit(&mut self, sink: &mut dyn Sink, info: AssetInfo) -> Result<(), ReadError> {
        if self.0.insert((info.chain.clone(), info.asset.clone())) { sink.asset(info) } else { Ok(()) }
    }
}

/// Test helpers shared by the explorer readers' unit tests: placeholders for real addresses and
/// hashes, so the inline CSVs and expected transfers stay readable.
/// Reads every row of `cf` through `parse`: a transfer (and the token it names, recorded once)
/// goes to the sink, a refusal is reported and reading goes on.
///
/// # Errors
/// A CSV syntax error or a sink failure.
pub fn drive(
    cf: &mut CsvFile<'_>,
    sink: &mut dyn Sink,
    mut parse: impl FnMut(&CsvFile<'_>, &ByteRecord, u64) -> Result<(Transfer, Option<AssetInfo>), Refusal>,
) -> Result<(), ReadError> {
    let mut seen = SeenAssets::default();
    let mut rec = ByteRecord::new();
    while let Some(line) = cf.next_row(&mut rec, sink)? {
        match parse(cf, &rec, line) {
            Ok((t, asset)) => {
                if let Some(a) = asset {
                    seen.emit(sink, a)?;
                }
                sink.transfer(t)?;
            }
            Err(r) => sink.refuse(r),
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod testkit {
    use crate::import::{Collected, ImportOptions, ReadContext, ReadError, Sink};

    /// Placeholder → value. Hashes `{Hn}` are EVM (`0x`), `{Xn}` the same digits without `0x`.
    const TABLE: [(&str, &str); 16] = [
        ("{A}", "0x8589427373d6d84e98730d7795d8f6f8731fda16"),
        ("{AM}", "0x8589427373D6D84E98730D7795D8f6f8731FDA16"),
        ("{B}", "0x722122df12d4e14e13ac3b6895a86e84145b6967"),
        ("{USDT}", "0xdac17f958d2ee523a2206206994597c13d831ec7"),
        ("{TUSDT}", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        ("{TB}", "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre"),
        ("{TF}", "TFdTr9C3BqQrzKBXqSxJfAZFTh8UwBAfSg"),
        ("{BTC1}", "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ"),
        ("{BTC2}", "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak"),
        ("{H1}", "0x1111111111111111111111111111111111111111111111111111111111111111"),
        ("{H2}", "0x2222222222222222222222222222222222222222222222222222222222222222"),
        ("{H3}", "0x3333333333333333333333333333333333333333333333333333333333333333"),
        ("{H4}", "0xabababababababababababababababababababababababababababababababab"),
        ("{X1}", "1111111111111111111111111111111111111111111111111111111111111111"),
        ("{X2}", "2222222222222222222222222222222222222222222222222222222222222222"),
        ("{X4}", "abababababababababababababababababababababababababababababababab"),
    ];

    /// Replaces the placeholders in `s`.
    pub fn fill(s: &str) -> String {
        TABLE.iter().fold(s.to_owned(), |acc, (k, v)| acc.replace(k, v))
    }

    fn name(v: &str) -> String {
        TABLE.iter().find(|(k, val)| *val == v && *k != "{AM}").map_or_else(|| v.to_owned(), |(k, _)| (*k).to_owned())
    }

    /// Runs `read` over `csv` (placeholders filled) with `opts`, as file `file`.
    pub fn run(
        read: impl Fn(&mut dyn std::io::BufRead, &ReadContext<'_>, &mut dyn Sink) -> Result<(), ReadError>,
        file: &str,
        opts: &ImportOptions,
        csv: &str,
    ) -> Result<Collected, ReadError> {
        let mut out = Collected::default();
        read(&mut fill(csv).as_bytes(), &ReadContext { file_name: file, path: None, options: opts }, &mut out)?;
        Ok(out)
    }

    /// Every field of every transfer, one line each, with placeholders for known values:
    /// `line chain tx kind from>to amount asset b=block t=time fee=fee [failed] [pos=n]`.
    pub fn brief(c: &Collected) -> Vec<String> {
        let o = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        c.transfers
            .iter()
            .map(|t| {
                let mut s = format!(
                    "{} {} {} {} {}>{} {} {} b={} t={} fee={}",
                    t.line,
                    t.chain,
                    name(&t.tx_hash),
                    t.kind.name(),
                    o(t.from.as_deref().map(name)),
                    o(t.to.as_deref().map(name)),
                    t.amount_base,
                    name(&t.asset),
                    o(t.block.map(|b| b.to_string())),
                    o(t.time.map(|b| b.to_string())),
                    o(t.fee_base.map(|b| b.to_string())),
                );
                if t.failed {
                    s.push_str(" failed");
                }
                if let Some(p) = t.position {
                    s.push_str(&format!(" pos={p}"));
                }
                if t.prev_out.is_some() {
                    s.push_str(" prev_out");
                }
                s
            })
            .collect()
    }

    /// Refusals as `(line, field, message)` with placeholders filled back in `message`.
    pub fn refusals(c: &Collected) -> Vec<(u64, String, String)> {
        c.refused.iter().map(|r| (r.line, r.field.clone(), r.message.clone())).collect()
    }

    /// `(line, field, message)` with placeholders in `message` filled.
    pub fn refusal(line: u64, field: &str, message: &str) -> (u64, String, String) {
        (line, field.to_owned(), fill(message))
    }
}
