//! One BigQuery / bitcoin-etl transaction object → UTXO transfers (rules in the parent module).

use serde_json::Value;

use super::CHAIN;
use crate::import::address_list::address_message;
use crate::import::explorer_common as common;
use crate::import::time::check_range;
use crate::import::{ReadContext, ReadError, Refusal, Sink};
use crate::model::{Amount, Transfer, TransferKind, registry};

/// 21 million BTC in satoshis: no output can hold more.
const MAX_MONEY_SATS: u64 = 2_100_000_000_000_000;

/// A short description of a JSON value for "found …" messages.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() > 80 => format!("{:?}…", s.chars().take(80).collect::<String>()),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// The text of a number or numeric string, for exact parsing.
fn number_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.as_str().to_owned()),
        Value::String(s) => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// An optional non-negative integer (JSON integer or string of digits).
fn opt_int(v: Option<&Value>, what: &str) -> Result<Option<i64>, String> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(None) };
    let text = number_text(v).unwrap_or_default();
    match text.parse::<i64>() {
        Ok(n) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
        _ => Err(format!("found {}: expected {what}, a whole number", describe(v))),
    }
}

/// A value in satoshis; `Ok(None)` for null or absent.
fn sats(v: Option<&Value>) -> Result<Option<Amount>, String> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(None) };
    let found = describe(v);
    let Some(text) = number_text(v) else {
        return Err(format!("found {found}: expected a value in satoshis such as 5000000000"));
    };
    if text.contains(['e', 'E']) {
        return Err(format!(
            "found {found}: expected a whole number of satoshis in plain digits, not scientific notation"
        ));
    }
    if text.starts_with(['-', '+']) {
        return Err(format!("found {found}: expected a value in satoshis without sign"));
    }
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    if !frac.bytes().all(|b| b == b'0') {
        return Err(format!("found {found}: expected a whole number of satoshis (values are in satoshi, not BTC)"));
    }
    let sats = match int.parse::<u64>() {
        Ok(n) if !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) => n,
        _ if !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) => u64::MAX,
        _ => return Err(format!("found {found}: expected a value in satoshis such as 5000000000")),
    };
    if sats > MAX_MONEY_SATS {
        return Err(format!("found {found}: expected at most 2100000000000000 satoshis (21 million BTC)"));
    }
    Ok(Some(Amount::from_u128(u128::from(sats))))
}

/// A transaction id: 64 hex digits, returned lower case.
fn txid(v: Option<&Value>) -> Result<String, String> {
    match v {
        Some(Value::String(s)) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(s.to_ascii_lowercase())
        }
        Some(other) => Err(format!("found {}: expected a transaction hash of 64 hexadecimal digits", describe(other))),
        None => Err("found nothing: expected a transaction hash of 64 hexadecimal digits".to_owned()),
    }
}

/// The block time: Unix seconds or a date/time text, within the accepted range.
fn block_time(v: Option<&Value>, ctx: &ReadContext<'_>) -> Result<Option<i64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            let secs = n.as_i64().ok_or_else(|| format!("found {n}: expected Unix seconds"))?;
            check_range(secs).map(Some)
        }
        Some(Value::String(s)) => {
            common::time(s, ctx.options.date_order, 0, "block_timestamp").map(Some).map_err(|r| r.message)
        }
        Some(other) => Err(format!("found {}: expected a time such as 2017-01-01 00:00:00 UTC", describe(other))),
    }
}

/// The single payee of an `addresses` list; `Ok(None)` when there is none.
fn single_address(holder: &Value, at: &str) -> Result<Option<String>, (String, String)> {
    let list = match holder.get("addresses") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err((
                format!("{at}addresses"),
                format!("found {}: expected an array of addresses", describe(other)),
            ));
        }
    };
    let [one] = list.as_slice() else { return Ok(None) };
    let field = format!("{at}addresses[0]");
    let Value::String(s) = one else {
        return Err((field, format!("found {}: expected a Bitcoin address", describe(one))));
    };
    if s.starts_with("nonstandard") || s.starts_with("multisig") {
        return Ok(None);
    }
    registry().normalize_address(CHAIN, s).map(Some).map_err(|e| (field, address_message(s, &e)))
}

fn transfer(
    txid: &str,
    kind: TransferKind,
    position: i64,
    block: Option<i64>,
    time: Option<i64>,
    line: u64,
) -> Transfer {
    Transfer {
        chain: CHAIN.to_owned(),
        tx_hash: txid.to_owned(),
        kind,
        position: Some(position),
        block,
        time,
        from: None,
        to: None,
        asset: "BTC".to_owned(),
        amount_base: Amount::ZERO,
        fee_base: None,
        failed: false,
        prev_out: None,
        line,
        method: None,
        stated_usd: None,
    }
}

/// Converts one transaction object into transfers, refusals and skips.
///
/// # Errors
/// Only when the sink fails.
pub(super) fn convert(v: &Value, line: u64, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    match header(v, ctx) {
        Ok(h) => body(&h, line, sink),
        Err((field, message)) => {
            sink.refuse(Refusal::new(line, field, message));
            Ok(())
        }
    }
}

/// The transaction-level fields.
struct Header<'a> {
    id: String,
    block: Option<i64>,
    time: Option<i64>,
    coinbase: bool,
    inputs: &'a [Value],
    outputs: &'a [Value],
}

fn header<'a>(v: &'a Value, ctx: &ReadContext<'_>) -> Result<Header<'a>, (String, String)> {
    fn f(field: &'static str) -> impl Fn(String) -> (String, String) {
        move |m| (field.to_owned(), m)
    }
    if !v.is_object() {
        return Err(("row".to_owned(), format!("found {}: expected a transaction object", describe(v))));
    }
    let id = txid(v.get("hash")).map_err(f("hash"))?;
    let block = opt_int(v.get("block_number"), "the block number").map_err(f("block_number"))?;
    let time = block_time(v.get("block_timestamp"), ctx).map_err(f("block_timestamp"))?;
    let coinbase = match v.get("is_coinbase") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(("is_coinbase".to_owned(), format!("found {}: expected true or false", describe(other))));
        }
    };
    let list = |key: &str| match v.get(key) {
        Some(Value::Array(a)) => Ok(a.as_slice()),
        Some(other) => Err((key.to_owned(), format!("found {}: expected an array", describe(other)))),
        None => Err((key.to_owned(), "found nothing: expected an array".to_owned())),
    };
    Ok(Header { id, block, time, coinbase, inputs: list("inputs")?, outputs: list("outputs")? })
}

fn body(h: &Header<'_>, line: u64, sink: &mut dyn Sink) -> Result<(), ReadError> {
    for (i, out) in h.outputs.iter().enumerate() {
        match output(out, i, h, line) {
            Ok(Some(t)) => sink.transfer(t)?,
            Ok(None) => {
                let nulldata = out.get("type").and_then(Value::as_str) == Some("nulldata");
                let reason = if nulldata {
                    "OP_RETURN/nulldata output without value"
                } else {
                    "output without address and without value"
                };
                sink.skip(line, reason);
            }
            Err((f, m)) => sink.refuse(Refusal::new(line, f, m)),
        }
    }
    for (i, inp) in h.inputs.iter().enumerate() {
        match input(inp, i, h, line) {
            Ok(Some(t)) => sink.transfer(t)?,
            Ok(None) => sink.skip(line, "coinbase input (newly minted coins)"),
            Err((f, m)) => sink.refuse(Refusal::new(line, f, m)),
        }
    }
    Ok(())
}

/// An element's `index`, else its place in the array.
fn index_of(el: &Value, i: usize, at: &str, what: &str) -> Result<i64, (String, String)> {
    opt_int(el.get("index"), what)
        .map_err(|m| (format!("{at}index"), m))
        .map(|n| n.unwrap_or_else(|| i64::try_from(i).unwrap_or(i64::MAX)))
}

fn output(out: &Value, i: usize, h: &Header<'_>, line: u64) -> Result<Option<Transfer>, (String, String)> {
    let at = format!("outputs[{i}].");
    let n = index_of(out, i, &at, "the output index")?;
    let amount = sats(out.get("value"))
        .map_err(|m| (format!("{at}value"), m))?
        .ok_or_else(|| (format!("{at}value"), "found null: expected the output's value in satoshis".to_owned()))?;
    let to = match single_address(out, &at)? {
        Some(a) => a,
        None if amount == Amount::ZERO => return Ok(None),
        None => format!("nonstandard:{}:{n}", h.id),
    };
    let mut t = transfer(&h.id, TransferKind::UtxoOutput, n, h.block, h.time, line);
    t.to = Some(to);
    t.amount_base = amount;
    Ok(Some(t))
}

fn input(inp: &Value, i: usize, h: &Header<'_>, line: u64) -> Result<Option<Transfer>, (String, String)> {
    let at = format!("inputs[{i}].");
    let spent = inp.get("spent_transaction_hash").filter(|v| !v.is_null());
    if h.coinbase && spent.is_none() {
        return Ok(None);
    }
    let prev_txid = txid(spent).map_err(|m| (format!("{at}spent_transaction_hash"), m))?;
    let prev_n = opt_int(inp.get("spent_output_index"), "the index of the spent output")
        .map_err(|m| (format!("{at}spent_output_index"), m))?
        .ok_or_else(|| {
            (format!("{at}spent_output_index"), "found nothing: expected the index of the spent output".to_owned())
        })?;
    let position = index_of(inp, i, &at, "the input index")?;
    let mut t = transfer(&h.id, TransferKind::UtxoInput, position, h.block, h.time, line);
    if let Some(amount) = sats(inp.get("value")).map_err(|m| (format!("{at}value"), m))? {
        t.from = match single_address(inp, &at)? {
            Some(a) => Some(a),
            None if amount == Amount::ZERO => None,
            None => Some(format!("nonstandard:{prev_txid}:{prev_n}")),
        };
        t.amount_base = amount;
    }
    t.prev_out = Some((prev_txid, prev_n));
    Ok(Some(t))
}
