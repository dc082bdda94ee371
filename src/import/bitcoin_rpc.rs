//! Bitcoin Core RPC JSON: `getblock` with verbosity 2 or 3 and `getrawtransaction` verbose.
//!
//! Accepted layouts: a single result object, a JSON array of them, JSON lines (or any sequence
//! of concatenated JSON values), and JSON-RPC envelopes `{"result": …, "error": …, "id": …}`
//! (also in arrays, as batch responses return them). A non-null `error` stops the import.
//!
//! Every transaction becomes UTXO transfers on chain `bitcoin`, asset `BTC`, amounts in
//! satoshis converted exactly from the decimal text of the JSON number (never through `f64`):
//! - each output: [`TransferKind::UtxoOutput`](crate::model::TransferKind) paying `to`, with
//!   `position` = output index `n`;
//! - each non-coinbase input: [`TransferKind::UtxoInput`](crate::model::TransferKind) with
//!   `prev_out` = the spent `(txid, vout)` and `position` = input index; `from` and the amount
//!   come from `prevout` (verbosity 3), otherwise `from` is `None` and the amount zero until the
//!   ledger resolves the spent output;
//! - coinbase inputs are skipped (`coinbase input (newly minted coins)`): the block reward
//!   appears as the coinbase transaction's outputs.
//!
//! Addresses: `scriptPubKey.address` (Core 22+) or a single `scriptPubKey.addresses[]` entry
//! (before 22). A pay-to-pubkey output without an address (Core 22+) gets the P2PKH address of
//! its public key, which is what Core reported before 22, so old and new dumps agree. An output
//! with no single address (bare multisig, nonstandard script) that carries value is paid to the
//! pseudo-address `nonstandard:{txid}:{n}`, unique per output, so the value stays traceable and
//! the input spending it (verbosity 3) gets the same `from`; one without value is skipped
//! (`OP_RETURN/nulldata output without value`, or `output without address and without value`).
//! Amounts may also be JSON strings; an exponent (`1e-05`, `1e+30`, as float re-serialisers
//! write), a sign, or anything not a whole number of satoshis is refused.
//!
//! JSON is read strictly ([`crate::import::json`]): an object with the same key twice stops the
//! import, naming the key and the line. Block times (`time` of a block, `blocktime`/`time` of a
//! transaction) outside 2009-01-03 .. now + 1 day are refused with the field named.
//!
//! `line` of a transfer and of a refusal is the 1-based number of the transaction in the file
//! (the n-th transaction read, counting across blocks and documents), since one JSON document
//! spans many lines; refusals name the field as a JSON path such as
//! `tx[3].vout[1].scriptPubKey.address`. A [`ReadError`] gives the physical line where reading
//! stopped.

mod tx;

use std::cell::Cell;
use std::io::{BufRead, Read};

use serde_json::Value;

use super::json::{StrictValue, error_parts};
use super::{ReadContext, ReadError, Refusal, Sink};

/// The only UTXO chain in the registry.
const CHAIN: &str = "bitcoin";

const EXPECTED: &str = "expected a Bitcoin Core `getblock` (verbosity 2 or 3) or `getrawtransaction` (verbose) result";

/// Reads Bitcoin Core RPC JSON (see the module docs) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for text that is not JSON, a document that is neither a block nor a
/// transaction (e.g. `getblock` verbosity 0/1, raw hex), an RPC error envelope, or a `--chain`
/// other than `bitcoin`; [`ReadError::Sink`] when the sink fails.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    if let Some(chain) = ctx.options.chain.as_deref().filter(|c| *c != CHAIN) {
        return Err(ReadError::format(
            1,
            format!(
                "found chain {chain:?}: Bitcoin Core RPC JSON is read as chain `bitcoin` (the registry's only UTXO chain)"
            ),
        ));
    }
    // A UTF-8 byte order mark is not JSON.
    if input.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
        input.consume(3);
    }
    let seen = Cell::new((0u64, 0u8));
    let counter = LineCounter { inner: input, seen: &seen };
    let mut reader = Reader { record: 0, sink };
    let mut documents = 0u64;
    for doc in serde_json::Deserializer::from_reader(counter).into_iter::<StrictValue>() {
        let StrictValue(doc) = doc.map_err(|e| json_error(&e))?;
        documents += 1;
        reader.document(doc, end_line(&seen), true)?;
    }
    if documents == 0 {
        return Err(ReadError::format(1, format!("the file holds no JSON: {EXPECTED}")));
    }
    Ok(())
}

/// Counts the newlines of the bytes handed to the JSON parser (and remembers the last byte), so
/// document-level errors can say on which line reading stopped.
struct LineCounter<'a, 'b> {
    inner: &'a mut dyn BufRead,
    seen: &'b Cell<(u64, u8)>,
}

impl Read for LineCounter<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(got) = buf.get(..n).filter(|b| !b.is_empty()) {
            let (lines, last) = self.seen.get();
            let newlines = got.iter().filter(|&&c| c == b'\n').count() as u64;
            self.seen.set((lines + newlines, got.last().copied().unwrap_or(last)));
        }
        Ok(n)
    }
}

/// The 1-based line on which the document just parsed ended. The parser peeks one byte past a
/// value; a value never ends in a newline, so a newline last seen is that peek.
fn end_line(seen: &Cell<(u64, u8)>) -> u64 {
    let (lines, last) = seen.get();
    lines - u64::from(last == b'\n' && lines > 0) + 1
}

fn json_error(e: &serde_json::Error) -> ReadError {
    if e.is_io() {
        return ReadError::Io(std::io::Error::other(e.to_string()));
    }
    let line = u64::try_from(e.line()).unwrap_or(1).max(1);
    let (what, column) = error_parts(e);
    if what.starts_with("duplicate key") {
        return ReadError::format(line, format!("column {column}: {what}"));
    }
    ReadError::format(line, format!("not valid JSON ({e}): {EXPECTED}"))
}

struct Reader<'s> {
    /// Transactions read so far: the `line` of the next one minus one.
    record: u64,
    sink: &'s mut dyn Sink,
}

impl Reader<'_> {
    /// One top-level JSON value (or an element of a top-level array when `top` is false).
    fn document(&mut self, doc: Value, line: u64, top: bool) -> Result<(), ReadError> {
        match doc {
            Value::Array(items) if top => {
                if items.is_empty() {
                    return Err(ReadError::format(line, format!("found an empty JSON array: {EXPECTED}")));
                }
                items.into_iter().try_for_each(|item| self.document(item, line, false))
            }
            Value::Object(mut obj)
                if obj.contains_key("result") && (obj.contains_key("error") || obj.contains_key("id")) =>
            {
                match obj.get("error") {
                    None | Some(Value::Null) => {}
                    Some(err) => {
                        return Err(ReadError::format(
                            line,
                            format!("the RPC call failed with error {err}: {EXPECTED}"),
                        ));
                    }
                }
                let result = obj.remove("result").unwrap_or(Value::Null);
                self.result(&result, line)
            }
            other => self.result(&other, line),
        }
    }

    /// A block or a transaction.
    fn result(&mut self, v: &Value, line: u64) -> Result<(), ReadError> {
        let Some(obj) = v.as_object() else {
            let found = match v {
                Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    "raw hex (getblock verbosity 0 or getrawtransaction without `verbose`)".to_owned()
                }
                Value::Null => "a null result".to_owned(),
                other => tx::describe(other),
            };
            return Err(ReadError::format(line, format!("found {found}: {EXPECTED}")));
        };
        if let Some(txs) = obj.get("tx") {
            let Some(txs) = txs.as_array() else {
                return Err(ReadError::format(
                    line,
                    format!("found `tx` = {}: {EXPECTED} with a `tx` array", tx::describe(txs)),
                ));
            };
            let header = |key: &str| {
                tx::opt_i64(obj.get(key)).map_err(|found| {
                    ReadError::format(line, format!("block `{key}`: found {found}: expected a non-negative integer"))
                })
            };
            let block = header("height")?;
            let time =
                tx::opt_time(obj.get("time")).map_err(|m| ReadError::format(line, format!("block `time`: {m}")))?;
            for (i, t) in txs.iter().enumerate() {
                if let Value::String(id) = t {
                    return Err(ReadError::format(
                        line,
                        format!(
                            "found transaction id {id:?} in `tx`: getblock verbosity 1 lists only ids; \
                             expected full transactions (run `getblock HASH 2` or `getblock HASH 3`)"
                        ),
                    ));
                }
                self.record += 1;
                self.sink.row();
                let c = tx::TxCtx { prefix: format!("tx[{i}]."), block, time, line: self.record };
                tx::convert(t, &c, self.sink)?;
            }
            return Ok(());
        }
        if obj.contains_key("vin") || obj.contains_key("vout") {
            self.record += 1;
            self.sink.row();
            // getrawtransaction gives the block time (`blocktime`, and `time` equal to it) but
            // not the height; an unconfirmed transaction has neither.
            let time = match tx::opt_time(obj.get("blocktime")) {
                Ok(Some(t)) => Ok(Some(t)),
                Ok(None) => tx::opt_time(obj.get("time")).map_err(|m| ("time", m)),
                Err(m) => Err(("blocktime", m)),
            };
            let time = match time {
                Ok(t) => t,
                Err((field, message)) => {
                    self.sink.refuse(Refusal::new(self.record, field, message));
                    return Ok(());
                }
            };
            let block = tx::opt_i64(obj.get("height")).ok().flatten();
            let c = tx::TxCtx { prefix: String::new(), block, time, line: self.record };
            return tx::convert(v, &c, self.sink);
        }
        Err(ReadError::format(line, format!("found an object without `tx`, `vin` or `vout`: {EXPECTED}")))
    }
}

#[cfg(test)]
mod tests;
