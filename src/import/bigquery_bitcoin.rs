//! Google BigQuery `bigquery-public-data.crypto_bitcoin.transactions` exported as JSON lines
//! (one transaction a line, nested `inputs`/`outputs` arrays), and bitcoin-etl's
//! `export_blocks_and_transactions` output, which fills that table and has the same fields:
//!
//! ```text
//! hash, size, virtual_size, version, lock_time, block_hash, block_number, block_timestamp,
//! input_count, output_count, input_value, output_value, is_coinbase, fee,
//! inputs:  [{index, spent_transaction_hash, spent_output_index, script_asm, script_hex,
//!            sequence, required_signatures, type, addresses: [..], value}],
//! outputs: [{index, script_asm, script_hex, required_signatures, type, addresses: [..], value}]
//! ```
//!
//! Every transaction becomes UTXO transfers on chain `bitcoin`, asset `BTC`, exactly as
//! [`super::bitcoin_rpc`] makes them from Bitcoin Core's JSON:
//! - each output: [`TransferKind::UtxoOutput`](crate::model::TransferKind) paying `to`, with
//!   `position` = its `index`;
//! - each input: [`TransferKind::UtxoInput`](crate::model::TransferKind) with `prev_out` =
//!   (`spent_transaction_hash`, `spent_output_index`) and `position` = its `index`; `from` and
//!   the amount from the input's own `addresses`/`value` (BigQuery joins the spent output in);
//!   an input whose `value` is `null` (bitcoin-etl without the join) has `from` `None` and amount
//!   zero until the ledger resolves the spent output;
//! - inputs of a coinbase transaction without a spent output are skipped
//!   (`coinbase input (newly minted coins)`).
//!
//! Payees: a single entry in `addresses` that is a valid Bitcoin address is the payee. No
//! entry, several (bare multisig) or bitcoin-etl's pseudo-addresses (`nonstandard…`,
//! `multisig…`) mean no single payee: with value the output is paid to
//! `nonstandard:{txid}:{index}` (the same rule as the RPC reader, so an input spending it gets
//! the same `from`), without value it is skipped (`OP_RETURN/nulldata output without value` for
//! type `nulldata`, else `output without address and without value`).
//!
//! Values are satoshis: a JSON integer (bitcoin-etl) or a string of digits (BigQuery writes
//! NUMERIC as strings). A fraction of zeros (`"5000.0"`) is accepted; a fraction with other
//! digits, an exponent (`1e+30`), a sign, or more than 21 million BTC is refused.
//! `block_timestamp` is Unix seconds (bitcoin-etl) or BigQuery's `2017-01-01 00:00:00 UTC`;
//! `block_number` an integer or a string of digits. The totals (`input_value`, `fee`, …),
//! sizes and scripts are not imported.
//!
//! The file is read line by line (memory is bounded by the longest line). Each line is one
//! record: `line` of a transfer or refusal is its physical line, and refusals name the field as
//! a JSON path (`outputs[1].value`). Duplicate keys in one object are refused (a raw pass over
//! the line with a serde visitor that records the keys of every object, before the line is
//! parsed into a `serde_json::Value`, which would silently keep the last one). The reader
//! reports chain `bitcoin` with the rule `BigQuery crypto_bitcoin export`.

mod strict;
#[cfg(test)]
mod tests;
mod tx;

use std::io::BufRead;

use super::{ReadContext, ReadError, Refusal, Sink};

/// The only UTXO chain in the registry.
const CHAIN: &str = "bitcoin";

/// Reads BigQuery / bitcoin-etl Bitcoin transactions (JSON lines) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for a `--chain` other than `bitcoin`; [`ReadError::Io`] when reading
/// fails; [`ReadError::Sink`] when the sink fails. Bad lines are refusals.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    if let Some(chain) = ctx.options.chain.as_deref().filter(|c| c.trim() != CHAIN) {
        return Err(ReadError::format(
            1,
            format!("found --chain {chain}: expected bitcoin for a BigQuery crypto_bitcoin export"),
        ));
    }
    sink.chain_decided(CHAIN, "BigQuery crypto_bitcoin export");
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        line += 1;
        let bytes = if line == 1 { buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&buf) } else { &buf };
        let bytes = bytes.trim_ascii();
        if bytes.is_empty() {
            sink.skip(line, "blank line");
            continue;
        }
        sink.row();
        let Ok(text) = std::str::from_utf8(bytes) else {
            sink.refuse(Refusal::new(line, "row", "line is not UTF-8 text: expected a JSON object in UTF-8"));
            continue;
        };
        match strict::parse(text) {
            Ok(v) => tx::convert(&v, line, ctx, sink)?,
            Err(r) => sink.refuse(Refusal::new(line, r.0, r.1)),
        }
    }
}
