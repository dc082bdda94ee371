//! Tronscan CSV exports, every published layout, matched by column name:
//!
//! ```text
//! token transfers: Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,tokenAddress,isConfirm
//! transactions:    Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,contractType,status
//! older:           Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,fee,status
//! oldest:          transaction_id,block,block_ts,from_address,to_address,confirmed,contractRet,quant
//! ```
//!
//! Column names are matched case-, space- and `_`-insensitively; a hash, `from`, `to` and an
//! amount column are required, the others optional. The chain is always `tron` (`--chain` may
//! only say `tron`); the reader reports it with the rule `Tronscan export`.
//!
//! # Amounts
//! `value` is in display units, converted exactly. `quant` (oldest layout, Tronscan's API
//! field) is an integer of base units (sun for TRX) and a fraction there is refused. `fee`
//! (older layout) is in TRX display units, like `value`.
//!
//! # Which asset
//! * With a `contractType` column (transactions layout) the contract type decides:
//!   `TransferContract` (code 1) → [`TransferKind::Native`] TRX; `TransferAssetContract` (code 2)
//!   → a TRC-10 [`TransferKind::Token`]; `TriggerSmartContract` (code 31) → a TRC-20
//!   [`TransferKind::Token`], which needs the token contract in a `tokenAddress` column: the
//!   transactions export has none, so such rows are refused with the way forward (import the
//!   account's token-transfers export, which names the contract). Any other type (freezing,
//!   voting, account updates) moves no transferable value to a counterparty and is refused
//!   naming the accepted types.
//! * TRC-10 asset key: TRC-10 tokens are identified on chain by a numeric id (`1002000` is BTT)
//!   and their names are not unique. The key is `trc10:ID` when the row gives the id (a
//!   `tokenId` column, or digits in `tokenAddress`), else `trc10:SYMBOL` from `symbol`.
//!   Decimals come from `--token-decimals` keyed by that id or symbol, else the row is refused.
//! * Without `contractType`: a row with a `tokenAddress` (not empty, `_` or `TRX`) is a TRC-20
//!   transfer of that contract (base58 `T…`), otherwise a TRX transfer whose `symbol`, if any,
//!   must be `TRX`. The older and oldest layouts have neither column: their rows are TRX.
//! * TRC-20 decimals come from `assets/tokens.ron` (USDT, USDC, USDD), else `--token-decimals`
//!   by contract (exact) or symbol (any case), else the row is refused naming the option. One
//!   [`AssetInfo`] is emitted per token.
//!
//! # Status
//! `status` (or `contractRet`) is Tron's `Transaction.Result.contractRet`. `SUCCESS` is a
//! success. These mark the transaction failed (kept as evidence, `failed` = true, moved
//! nothing): Tronscan's own `FAILED`, and java-tron's `REVERT`, `BAD_JUMP_DESTINATION`,
//! `OUT_OF_MEMORY`, `PRECOMPILED_CONTRACT`, `STACK_TOO_SMALL`, `STACK_TOO_LARGE`,
//! `ILLEGAL_OPERATION`, `STACK_OVERFLOW`, `OUT_OF_ENERGY`, `OUT_OF_TIME`,
//! `JVM_STACK_OVER_FLOW`, `UNKNOWN`, `TRANSFER_FAILED`, `INVALID_CODE` (any case). Anything
//! else, `DEFAULT` (no result recorded) included, is refused naming the accepted values.
//! Without a status column a row is taken as successful, as the token-transfers export lists
//! only executed transfers.
//!
//! # Time and confirmation
//! Time comes from `blockTime(UTC)`; when that is absent or empty, from `blockTime(UTC+8)`
//! minus 8 hours (unless that cell is Unix seconds or carries its own offset); in the oldest
//! layout from `block_ts` (Unix milliseconds). `isConfirm`/`confirmed` false refuses the row:
//! an unconfirmed transfer may still vanish.
//!
//! Hashes are stored as 64 lower-case hex digits without `0x`; addresses are checked against
//! their base58check checksum. There is no log index: `position` is `None`.

mod row;
#[cfg(test)]
mod tests;

use std::io::BufRead;

use super::csvutil::{Columns, CsvFile};
use super::explorer_common as common;
use super::{ReadContext, ReadError, Sink};
use crate::model::registry;

/// Column indexes of one Tronscan header.
struct Cols {
    hash: usize,
    block: Option<usize>,
    utc: Option<usize>,
    utc8: Option<usize>,
    block_ts: Option<usize>,
    from: usize,
    to: usize,
    value: usize,
    /// The amount column is `quant` (base units), not `value` (display units).
    base_units: bool,
    symbol: Option<usize>,
    token: Option<usize>,
    token_id: Option<usize>,
    confirm: Option<usize>,
    contract_type: Option<usize>,
    status: Option<usize>,
    fee: Option<usize>,
}

impl Cols {
    fn new(c: &Columns) -> Result<Self, ReadError> {
        let value = c.find(&["value", "amount"]);
        let quant = c.find(&["quant"]);
        let (value, base_units) = match (value, quant) {
            (Some(v), _) => (v, false),
            (None, Some(q)) => (q, true),
            (None, None) => (c.require("amount", &["value", "amount", "quant"])?, false),
        };
        Ok(Cols {
            hash: c.require("transaction hash", &["txhash", "transactionhash", "hash", "transactionid"])?,
            block: c.find(&["blockheight", "block", "blocknumber"]),
            utc: c.find(&["blocktime(utc)", "blocktimeutc"]),
            utc8: c.find(&["blocktime(utc+8)", "blocktimeutc+8"]),
            block_ts: c.find(&["blockts", "timestamp"]),
            from: c.require("sender", &["from", "fromaddress"])?,
            to: c.require("receiver", &["to", "toaddress"])?,
            value,
            base_units,
            symbol: c.find(&["symbol", "tokensymbol"]),
            token: c.find(&["tokenaddress", "contractaddress"]),
            token_id: c.find(&["tokenid"]),
            confirm: c.find(&["isconfirm", "confirmed"]),
            contract_type: c.find(&["contracttype"]),
            status: c.find(&["status", "contractret"]),
            fee: c.find(&["fee"]),
        })
    }
}

/// Reads a Tronscan CSV (any layout of the module docs) into `sink`.
///
/// # Errors
/// [`ReadError`] when a required column is missing, `--chain` is not `tron`, or the CSV itself
/// is broken.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    if let Some(other) = common::chain_option(ctx)?.filter(|c| c.id != "tron") {
        return Err(ReadError::format(1, format!("found --chain {}: expected tron for a Tronscan export", other.id)));
    }
    let chain = registry().chain("tron").map_err(|e| ReadError::format(1, e.to_string()))?;
    let mut cf = CsvFile::open(input)?;
    let cols = Cols::new(&cf.columns)?;
    sink.chain_decided("tron", "Tronscan export");
    common::drive(&mut cf, sink, |cf, rec, line| row::parse(cf, rec, line, &cols, chain, ctx))
}
