//! One Tronscan row → one transfer (see the parent module for the rules).

use csv::ByteRecord;

use super::Cols;
use crate::import::csvutil::CsvFile;
use crate::import::explorer_common::{self as common, opt, req};
use crate::import::{AssetInfo, ReadContext, Refusal};
use crate::model::{Chain, Transfer, TransferKind};

/// Hours Tronscan's `blockTime(UTC+8)` is ahead of UTC.
const UTC8_OFFSET_SECS: i64 = 8 * 3600;

/// `contractRet` values that mean the transaction failed (java-tron's
/// `Transaction.Result.contractResult`, plus Tronscan's `FAILED`).
pub(super) const FAILED_RESULTS: [&str; 15] = [
    "FAILED",
    "REVERT",
    "BAD_JUMP_DESTINATION",
    "OUT_OF_MEMORY",
    "PRECOMPILED_CONTRACT",
    "STACK_TOO_SMALL",
    "STACK_TOO_LARGE",
    "ILLEGAL_OPERATION",
    "STACK_OVERFLOW",
    "OUT_OF_ENERGY",
    "OUT_OF_TIME",
    "JVM_STACK_OVER_FLOW",
    "UNKNOWN",
    "TRANSFER_FAILED",
    "INVALID_CODE",
];

/// What a `contractType` says the row moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moves {
    Trx,
    Trc10,
    Trc20,
}

fn status(text: &str, line: u64, field: &str) -> Result<bool, Refusal> {
    let up = text.trim().to_ascii_uppercase();
    if up == "SUCCESS" {
        return Ok(false);
    }
    if FAILED_RESULTS.contains(&up.as_str()) {
        return Ok(true);
    }
    Err(Refusal::new(
        line,
        field,
        format!("found {text:?}: expected SUCCESS or a failed result ({})", FAILED_RESULTS.join(", ")),
    ))
}

fn contract_type(text: &str, line: u64, field: &str) -> Result<Moves, Refusal> {
    match text.trim() {
        "TransferContract" | "1" => Ok(Moves::Trx),
        "TransferAssetContract" | "2" => Ok(Moves::Trc10),
        "TriggerSmartContract" | "31" => Ok(Moves::Trc20),
        _ => Err(Refusal::new(
            line,
            field,
            format!(
                "found {text:?}: expected TransferContract (TRX), TransferAssetContract (TRC-10) or \
                 TriggerSmartContract (TRC-20); other contract types move no value to a counterparty"
            ),
        )),
    }
}

fn time(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    ctx: &ReadContext<'_>,
) -> Result<Option<i64>, Refusal> {
    let order = ctx.options.date_order;
    Ok(match (opt(cf, rec, c.utc, line)?, opt(cf, rec, c.utc8, line)?, opt(cf, rec, c.block_ts, line)?) {
        (Some((t, f)), _, _) => Some(common::time(t, order, line, f)?),
        (None, Some((t, f)), _) => {
            let v = common::time(t, order, line, f)?;
            let zoned = t.bytes().all(|b| b.is_ascii_digit())
                || t.contains(['+', 'Z'])
                || t.to_ascii_uppercase().contains("UTC");
            Some(if zoned { v } else { v - UTC8_OFFSET_SECS })
        }
        (None, None, Some((t, f))) => Some(common::time(t, order, line, f)?),
        (None, None, None) => None,
    })
}

/// Parses one data row.
pub(super) fn parse(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    chain: &Chain,
    ctx: &ReadContext<'_>,
) -> Result<(Transfer, Option<AssetInfo>), Refusal> {
    cf.check_width(rec, line)?;
    if let Some((t, f)) = opt(cf, rec, c.confirm, line)? {
        match common::boolean(t) {
            Some(true) => {}
            Some(false) => {
                let msg =
                    format!("found {t:?}, not confirmed: expected a confirmed transfer; re-export it once confirmed");
                return Err(Refusal::new(line, f, msg));
            }
            None => return Err(Refusal::new(line, f, format!("found {t:?}: expected true or false"))),
        }
    }
    let (h, f) = req(cf, rec, c.hash, line)?;
    let tx_hash = common::tx_hash(chain, h, line, f)?;
    let failed = match c.status {
        Some(i) => {
            let (t, f) = req(cf, rec, i, line)?;
            status(t, line, f)?
        }
        None => false,
    };
    let moves = match c.contract_type {
        Some(i) => {
            let (t, f) = req(cf, rec, i, line)?;
            Some(contract_type(t, line, f)?)
        }
        None => None,
    };
    let block = opt(cf, rec, c.block, line)?.map(|(t, f)| common::integer(t, "a block number", line, f)).transpose()?;
    let time = time(cf, rec, line, c, ctx)?;
    let (t, f) = req(cf, rec, c.from, line)?;
    let from = common::address(chain, t, line, f)?;
    let (t, f) = req(cf, rec, c.to, line)?;
    let to = common::address(chain, t, line, f)?;
    let (kind, asset, decimals, info) = asset(cf, rec, line, c, chain, ctx, moves)?;
    let (v, vf) = req(cf, rec, c.value, line)?;
    let amount = if c.base_units {
        common::base_amount(v, line, vf)?
    } else {
        let fallback = if kind == TransferKind::Native { chain.native.as_str() } else { "the token" };
        let unit = opt(cf, rec, c.symbol, line)?.map_or(fallback, |(s, _)| s);
        common::display_amount(v, decimals, unit, line, vf)?
    };
    let fee_base = opt(cf, rec, c.fee, line)?
        .map(|(t, f)| common::display_amount(t, chain.decimals, &chain.native, line, f))
        .transpose()?;
    let transfer = Transfer {
        chain: chain.id.clone(),
        tx_hash,
        kind,
        position: None,
        block,
        time,
        from: Some(from),
        to: Some(to),
        asset,
        amount_base: amount,
        fee_base,
        failed,
        prev_out: None,
        line,
        method: None,
        stated_usd: None,
    };
    Ok((transfer, info))
}

/// Kind, asset key, decimals and token metadata of a row.
type AssetOf = (TransferKind, String, u8, Option<AssetInfo>);

fn asset(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    chain: &Chain,
    ctx: &ReadContext<'_>,
    moves: Option<Moves>,
) -> Result<AssetOf, Refusal> {
    let symbol = opt(cf, rec, c.symbol, line)?;
    let token = opt(cf, rec, c.token, line)?.filter(|(t, _)| *t != "_" && !common::is_native(chain, t));
    let native = || (TransferKind::Native, chain.native.clone(), chain.decimals, None);
    match (moves, token) {
        (Some(Moves::Trx), _) | (None, None) => {
            if let Some((s, f)) = symbol.filter(|(s, _)| !common::is_native(chain, s)) {
                let msg = if moves.is_some() {
                    format!("found {s:?} in a TransferContract row: expected TRX")
                } else {
                    format!("found {s:?} without a tokenAddress: expected TRX, or a TRC-20 token with its tokenAddress")
                };
                return Err(Refusal::new(line, f, msg));
            }
            Ok(native())
        }
        (Some(Moves::Trc10), _) => trc10(cf, rec, line, c, chain, ctx, token),
        (Some(Moves::Trc20), None) => {
            let f = c.contract_type.map_or("contractType", |i| cf.name(i));
            Err(Refusal::new(
                line,
                f,
                "found TriggerSmartContract without a tokenAddress: expected the TRC-20 contract; import the \
                 account's Tronscan token-transfers export (it has tokenAddress) for these transfers",
            ))
        }
        (Some(Moves::Trc20) | None, Some((t, f))) => {
            let contract = common::address(chain, t, line, f)?;
            let sym = symbol.map(|(s, _)| s);
            let d = common::token_decimals(ctx, chain, Some(&contract), sym)
                .ok_or_else(|| common::unknown_token(line, f, &contract, sym))?;
            let info = AssetInfo {
                chain: chain.id.clone(),
                asset: contract.clone(),
                symbol: sym.map(str::to_owned),
                decimals: Some(d),
                name: None,
            };
            Ok((TransferKind::Token, contract, d, Some(info)))
        }
    }
}

fn trc10(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    chain: &Chain,
    ctx: &ReadContext<'_>,
    token: Option<(&str, &str)>,
) -> Result<AssetOf, Refusal> {
    let symbol = opt(cf, rec, c.symbol, line)?;
    let id = opt(cf, rec, c.token_id, line)?.or(token).filter(|(t, _)| t.bytes().all(|b| b.is_ascii_digit()));
    let (key, field) = match (id, symbol) {
        (Some((t, f)), _) | (None, Some((t, f))) => (t, f),
        (None, None) => {
            let f = c.contract_type.map_or("contractType", |i| cf.name(i));
            return Err(Refusal::new(
                line,
                f,
                "found TransferAssetContract without a token id or symbol: expected the TRC-10 token's id or symbol",
            ));
        }
    };
    let opts = &ctx.options.token_decimals;
    let d = opts
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, d)| *d)
        .ok_or_else(|| common::unknown_token(line, field, key, None))?;
    let asset = format!("trc10:{key}");
    let info = AssetInfo {
        chain: chain.id.clone(),
        asset: asset.clone(),
        symbol: symbol.map(|(s, _)| s.to_owned()),
        decimals: Some(d),
        name: None,
    };
    Ok((TransferKind::Token, asset, d, Some(info)))
}
