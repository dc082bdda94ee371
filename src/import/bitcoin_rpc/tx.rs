//! One Bitcoin Core transaction object → UTXO transfers (see the parent module for the rules).

use serde_json::Value;

use super::CHAIN;
use crate::import::address_list::address_message;
use crate::import::{ReadError, Refusal, Sink};
use crate::model::{Amount, Transfer, TransferKind, p2pkh_from_pubkey_hex, registry};

/// Where a transaction sits: the refusal path prefix (`tx[3].` inside a block), the block it
/// belongs to and its record number.
pub(super) struct TxCtx {
    pub prefix: String,
    pub block: Option<i64>,
    pub time: Option<i64>,
    pub line: u64,
}

impl TxCtx {
    fn refuse(&self, sink: &mut dyn Sink, field: &str, message: impl Into<String>) {
        sink.refuse(Refusal::new(self.line, format!("{}{field}", self.prefix), message));
    }

    fn transfer(&self, txid: &str, kind: TransferKind, position: i64) -> Transfer {
        Transfer {
            chain: CHAIN.to_owned(),
            tx_hash: txid.to_owned(),
            kind,
            position: Some(position),
            block: self.block,
            time: self.time,
            from: None,
            to: None,
            asset: "BTC".to_owned(),
            amount_base: Amount::ZERO,
            fee_base: None,
            failed: false,
            prev_out: None,
            line: self.line,
            method: None,
            stated_usd: None,
        }
    }
}

/// A short description of a JSON value for "found …" messages.
pub(super) fn describe(v: &Value) -> String {
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

/// An optional non-negative integer field; `Err` carries the description of what was found.
pub(super) fn opt_i64(v: Option<&Value>) -> Result<Option<i64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().filter(|x| *x >= 0).map(Some).ok_or_else(|| n.to_string()),
        Some(other) => Err(describe(other)),
    }
}

/// A transaction id: 64 hex digits, returned lower case.
fn parse_txid(v: Option<&Value>) -> Result<String, String> {
    match v {
        Some(Value::String(s)) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(s.to_ascii_lowercase())
        }
        Some(other) => Err(format!("found {}: expected a transaction id of 64 hexadecimal digits", describe(other))),
        None => Err("found nothing: expected a transaction id of 64 hexadecimal digits".to_owned()),
    }
}

/// A BTC amount (JSON number or string, e.g. `50.00000000`) as exact satoshis, from the
/// number's decimal text, in the plain form Bitcoin Core writes. An exponent (`1e+30`, `1e-05`,
/// as tools that re-serialise through floats write) or a sign is refused: such a number was
/// rewritten by something other than Core, and may have been rounded on the way.
pub(super) fn btc(v: Option<&Value>) -> Result<Amount, String> {
    const EXPECTED: &str = "expected a BTC amount in plain digits such as 0.00012345, as Bitcoin Core writes it";
    let text = match v {
        Some(Value::Number(n)) => n.as_str().to_owned(),
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(other) => return Err(format!("found {}: {EXPECTED}", describe(other))),
        None => return Err(format!("found nothing: {EXPECTED}")),
    };
    if text.contains(['e', 'E']) {
        return Err(format!("found {text}: {EXPECTED}, not an exponent (re-export from Bitcoin Core)"));
    }
    if text.starts_with(['-', '+']) {
        return Err(format!("found {text}: {EXPECTED}, without a sign"));
    }
    Amount::parse_decimal(&text, 8).map_err(|e| format!("found {text}: expected a BTC amount of whole satoshis ({e})"))
}

/// A block time (`time`, `blocktime`): an integer within 2009-01-03 .. now + 1 day; `Err`
/// carries the `found …: expected …` message.
pub(super) fn opt_time(v: Option<&Value>) -> Result<Option<i64>, String> {
    let secs = opt_i64(v).map_err(|found| format!("found {found}: expected Unix seconds"))?;
    secs.map(crate::import::time::check_range).transpose()
}

/// The single address a `scriptPubKey` pays, normalised: `Ok(None)` when it has none (OP_RETURN,
/// bare multisig, nonstandard); `Err((field, message))` for an address that fails its checksum.
fn script_address(spk: &Value) -> Result<Option<String>, (String, String)> {
    let normalize = |field: &str, v: &Value| match v {
        Value::String(s) => {
            registry().normalize_address(CHAIN, s).map(Some).map_err(|e| (field.to_owned(), address_message(s, &e)))
        }
        other => Err((field.to_owned(), format!("found {}: expected a Bitcoin address", describe(other)))),
    };
    if let Some(a) = spk.get("address") {
        return normalize("scriptPubKey.address", a);
    }
    if let Some(list) = spk.get("addresses") {
        return match list.as_array().map(Vec::as_slice) {
            Some([one]) => normalize("scriptPubKey.addresses[0]", one),
            // Bare multisig lists every key's address: no single payee.
            Some(_) => Ok(None),
            None => Err((
                "scriptPubKey.addresses".to_owned(),
                format!("found {}: expected an array of addresses", describe(list)),
            )),
        };
    }
    if spk.get("type").and_then(Value::as_str) == Some("pubkey") {
        return Ok(pubkey_of(spk).and_then(|pk| p2pkh_from_pubkey_hex(&pk)));
    }
    Ok(None)
}

/// The public key of a pay-to-pubkey script, from `asm` (`<pubkey> OP_CHECKSIG`) or `hex`
/// (push of 33 or 65 bytes, then `ac`), if it has a public key's size and header byte (the
/// checks Core made before reporting an address for it).
fn pubkey_of(spk: &Value) -> Option<String> {
    let is_pubkey = |k: &str| {
        k.bytes().all(|b| b.is_ascii_hexdigit())
            && match k.len() {
                66 => k.starts_with("02") || k.starts_with("03"),
                130 => k.starts_with("04") || k.starts_with("06") || k.starts_with("07"),
                _ => false,
            }
    };
    let from_asm = spk.get("asm").and_then(Value::as_str).and_then(|a| a.split_whitespace().next());
    if let Some(first) = from_asm.filter(|k| is_pubkey(k)) {
        return Some(first.to_owned());
    }
    let hex = spk.get("hex").and_then(Value::as_str)?.to_ascii_lowercase();
    let body = hex.strip_suffix("ac")?;
    let pk = match body.get(..2)? {
        "21" | "41" => body.get(2..)?,
        _ => return None,
    };
    let push_matches = (body.starts_with("21") && pk.len() == 66) || (body.starts_with("41") && pk.len() == 130);
    (push_matches && is_pubkey(pk)).then(|| pk.to_owned())
}

/// The `scriptPubKey` of an output (or of `prevout`): address, or the `nonstandard:` pseudo
/// address when the script pays value to no single address.
fn payee(holder: &Value, txid: &str, n: i64, amount: Amount) -> Result<Option<String>, (String, String)> {
    let Some(spk) = holder.get("scriptPubKey") else {
        return Err(("scriptPubKey".to_owned(), "found nothing: expected a scriptPubKey object".to_owned()));
    };
    Ok(match script_address(spk)? {
        Some(a) => Some(a),
        None if amount == Amount::ZERO => None,
        None => Some(format!("nonstandard:{txid}:{n}")),
    })
}

/// Converts one transaction object into transfers, refusals and skips.
///
/// # Errors
/// Only when the sink fails.
pub(super) fn convert(tx: &Value, c: &TxCtx, sink: &mut dyn Sink) -> Result<(), ReadError> {
    if !tx.is_object() {
        c.refuse(sink, "row", format!("found {}: expected a transaction object", describe(tx)));
        return Ok(());
    }
    let id = match parse_txid(tx.get("txid")) {
        Ok(id) => id,
        Err(m) => {
            c.refuse(sink, "txid", m);
            return Ok(());
        }
    };
    let list = |key: &str| match tx.get(key) {
        None => Ok(&[][..]),
        Some(Value::Array(a)) => Ok(a.as_slice()),
        Some(other) => Err((key.to_owned(), format!("found {}: expected an array", describe(other)))),
    };
    let (vin, vout) = match (list("vin"), list("vout")) {
        (Ok(i), Ok(o)) => (i, o),
        (Err((f, m)), _) | (_, Err((f, m))) => {
            c.refuse(sink, &f, m);
            return Ok(());
        }
    };
    for (i, out) in vout.iter().enumerate() {
        output(out, i, &id, c, sink)?;
    }
    for (i, inp) in vin.iter().enumerate() {
        input(inp, i, &id, c, sink)?;
    }
    Ok(())
}

fn output(out: &Value, i: usize, txid: &str, c: &TxCtx, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let at = |f: &str| format!("vout[{i}].{f}");
    let n = match opt_i64(out.get("n")) {
        Ok(Some(n)) => n,
        Ok(None) => i64::try_from(i).unwrap_or(i64::MAX),
        Err(found) => {
            c.refuse(sink, &at("n"), format!("found {found}: expected the output index"));
            return Ok(());
        }
    };
    let amount = match btc(out.get("value")) {
        Ok(a) => a,
        Err(m) => {
            c.refuse(sink, &at("value"), m);
            return Ok(());
        }
    };
    let to = match payee(out, txid, n, amount) {
        Ok(Some(to)) => to,
        Ok(None) => {
            let nulldata = out.pointer("/scriptPubKey/type").and_then(Value::as_str) == Some("nulldata");
            let reason = if nulldata {
                "OP_RETURN/nulldata output without value"
            } else {
                "output without address and without value"
            };
            sink.skip(c.line, reason);
            return Ok(());
        }
        Err((f, m)) => {
            c.refuse(sink, &at(&f), m);
            return Ok(());
        }
    };
    let mut t = c.transfer(txid, TransferKind::UtxoOutput, n);
    t.to = Some(to);
    t.amount_base = amount;
    sink.transfer(t)
}

fn input(inp: &Value, i: usize, txid: &str, c: &TxCtx, sink: &mut dyn Sink) -> Result<(), ReadError> {
    if inp.get("coinbase").is_some() {
        sink.skip(c.line, "coinbase input (newly minted coins)");
        return Ok(());
    }
    let at = |f: &str| format!("vin[{i}].{f}");
    let prev_txid = match parse_txid(inp.get("txid")) {
        Ok(t) => t,
        Err(m) => {
            c.refuse(sink, &at("txid"), m);
            return Ok(());
        }
    };
    let prev_n = match opt_i64(inp.get("vout")) {
        Ok(Some(n)) => n,
        Ok(None) => {
            c.refuse(sink, &at("vout"), "found nothing: expected the index of the spent output");
            return Ok(());
        }
        Err(found) => {
            c.refuse(sink, &at("vout"), format!("found {found}: expected the index of the spent output"));
            return Ok(());
        }
    };
    let mut t = c.transfer(txid, TransferKind::UtxoInput, i64::try_from(i).unwrap_or(i64::MAX));
    if let Some(prevout) = inp.get("prevout").filter(|p| !p.is_null()) {
        // Verbosity 3: the spent output's value and address are known now.
        let amount = match btc(prevout.get("value")) {
            Ok(a) => a,
            Err(m) => {
                c.refuse(sink, &at("prevout.value"), m);
                return Ok(());
            }
        };
        match payee(prevout, &prev_txid, prev_n, amount) {
            Ok(from) => t.from = from,
            Err((f, m)) => {
                c.refuse(sink, &at(&format!("prevout.{f}")), m);
                return Ok(());
            }
        }
        t.amount_base = amount;
    }
    t.prev_out = Some((prev_txid, prev_n));
    sink.transfer(t)
}
