//! Etherscan-family "Download CSV" exports (Etherscan, BscScan, Polygonscan, Arbiscan, Basescan,
//! Optimistic Etherscan, Snowtrace/Routescan, FtmScan).
//!
//! Columns are found by name (any case; spaces, `_` and `-` ignored), never by position, in
//! every published layout:
//!
//! | layout | columns that tell it | transfers |
//! |---|---|---|
//! | current normal | `Amount` (`0.1 ETH`), `Txn Fee`, no `Token` | [`TransferKind::Native`] |
//! | current token | `Amount` (`1,000 USDT`), `Token` (`Tether USD (USDT)`) | token `symbol:USDT` |
//! | seen variant | `Amount`, `Asset`, `Age`, `From_NameTag`, `From_Note`… | native or token per `Asset` |
//! | legacy normal / internal | `Value_IN(ETH)`, `Value_OUT(ETH)`, `TxnFee(ETH)`; internal `TxTo`, `ParentTx…` | native / internal |
//! | legacy token | `TokenValue`/`Value`/`Quantity` with `ContractAddress`, `TokenSymbol` | token by contract |
//! | per-token page | `Quantity`, no contract column | token named by the file or `--token-contract` |
//! | NFT (ERC-721 / ERC-1155) | `TokenId` (+ `TokenValue`/`Quantity` for 1155) | token `0xcontract#id` |
//! | Snowtrace/Routescan | any of the above with `ChainId`, `Chain`, `Value(AVAX)` | |
//!
//! * Amounts are display units converted exactly (never through `f64`); a unit inside the cell
//!   must be the chain's native symbol for native amounts, the token's symbol for tokens;
//!   `7E-16` (a spreadsheet's rewrite) is refused with the advice to re-export.
//! * Token decimals: `assets/tokens.ron` by contract, else `--token-decimals` (contract or
//!   symbol), else the row is refused. A token the export names only as `Name (SYMBOL)` is the
//!   asset `symbol:SYMBOL` (the [`Transfer::asset`] convention) whose [`AssetInfo`] name says
//!   `identified by name only`; its decimals come from `--token-decimals SYMBOL=N`, else the
//!   registry's token of that symbol on the chain (they only fix the unit of the stored base
//!   amounts); two names for one symbol in a file are refused (one may be a fake).
//! * A per-token page's contract comes from `--token-contract` or the file name
//!   (`…-0x<40 hex>.csv`); they must agree. Without either, or without its decimals, the file
//!   is refused naming both options.
//! * NFT: asset `0xcontract#tokenid` (`symbol:SYM#tokenid` without a contract), amount 1 for
//!   ERC-721, the quantity for ERC-1155, decimals 0.
//! * `Status`: `Success` or a failure (`Error in Main Txn : …`, `Error(…)`, `Error`, `Fail`,
//!   `Failed`, `Revert`, `Reverted`): failed rows are kept with `failed`. Legacy exports may
//!   leave it empty (success) and legacy internal exports write `0`/`1`. Anything else is
//!   refused. A non-empty `ErrCode` also marks the row failed.
//! * `Method` is kept in [`Transfer::method`] as written (`Swapin`, `Mint`…); `Value (USD)`
//!   (`$190,000.00`) and the legacy `USDValueDayOfTx` in [`Transfer::stated_usd`] (`190000.00`).
//! * `From_Nametag`/`To_Nametag` (any spelling) become labels with source `explorer name tag,
//!   FILE line N` (once per address and tag per file, at its first line); category
//!   [`Category::parse`] of the tag, else unknown. `From_Note`/`To_Note` (the downloader's own
//!   notes) are not imported; nor is the seen variant's `Type` (the `Asset` cell decides native
//!   or token), nor prices (`CurrentValue @ $…`, `Historical $Price/…`, `TxnFee(USD)`).
//! * Time from `UnixTimestamp`, else `DateTime (UTC)`/`DateTime`/`Age` (spreadsheet dates per
//!   `--date-order`, two-digit years as 20YY); an `Age` like `3 days ago` is refused.
//! * Transfers from or to `0x000…000` (mints and burns) are kept as such, with their method.
//!   Explorers give no log index: `position` is `None`.
//!
//! The chain is never guessed: see [`chain`] for the order of the rules. The reader tells the
//! sink once, with [`Sink::chain_decided`], which chain it read and by which rule.
//!
//! [`Category::parse`]: crate::model::Category::parse

mod cells;
pub mod chain;
mod plan;
mod rows;
#[cfg(test)]
mod tests_current;
#[cfg(test)]
mod tests_legacy;
#[cfg(test)]
mod tests_pages;

use std::io::BufRead;

use csv::ByteRecord;

use super::csvutil::CsvFile;
use super::explorer_common::{SeenAssets, opt};
use super::{Format, ReadContext, ReadError, Sink};
use chain::{Decider, RowEvidence, column_chain};
use plan::{Cols, Value};
use rows::State;

#[cfg(doc)]
use super::AssetInfo;
#[cfg(doc)]
use crate::model::{Category, Transfer, TransferKind};

/// Reads an Etherscan-family CSV of `format` into `sink`.
///
/// # Errors
/// [`ReadError`] when a required column is missing, the chain cannot be told (see [`chain`]),
/// a per-token page names no contract or a token of unknown decimals, or the CSV is broken.
pub fn read(
    format: Format,
    input: &mut dyn BufRead,
    ctx: &ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let mut cf = CsvFile::open(input)?;
    let cols = Cols::new(format, &cf.columns)?;
    let decider = Decider::new(&cf.columns, ctx)?;
    let page_contract = match cols.value {
        Value::TokenPage { .. } => Some(page_contract(ctx)?),
        _ => None,
    };
    let mut seen = SeenAssets::default();
    let mut rec = ByteRecord::new();
    let mut state: Option<State<'_>> = None;
    while let Some(line) = cf.next_row(&mut rec, sink)? {
        let st = match &mut state {
            Some(st) => st,
            None => {
                let evidence = evidence(&cf, &rec, line, &cols)?;
                let (chain, rule) = decider.decide(&evidence, line)?;
                sink.chain_decided(&chain.id, &rule);
                let page = match &page_contract {
                    Some((contract, from)) => Some(page_decimals(ctx, chain, contract, from)?),
                    None => None,
                };
                state.insert(State {
                    chain,
                    ctx,
                    page,
                    tagged: std::collections::BTreeSet::new(),
                    symbols: std::collections::BTreeMap::new(),
                })
            }
        };
        match rows::parse(&cf, &rec, line, &cols, st) {
            Ok(row) => {
                if let Some(a) = row.asset {
                    seen.emit(sink, a)?;
                }
                for l in row.labels {
                    sink.label(l)?;
                }
                sink.transfer(row.transfer)?;
            }
            Err(r) => sink.refuse(r),
        }
    }
    Ok(())
}

/// What the first data row says about the chain: a native unit in its amounts, a chain column.
fn evidence(cf: &CsvFile<'_>, rec: &ByteRecord, line: u64, c: &Cols) -> Result<RowEvidence, ReadError> {
    let cell = |idx: Option<usize>| opt(cf, rec, idx, line).ok().flatten();
    let unit = |idx: Option<usize>| {
        cell(idx).and_then(|(t, f)| cells::unit_of(t).map(|u| (u.to_ascii_uppercase(), f.to_owned())))
    };
    let native_asset = |a: &str| {
        let reg = crate::model::registry();
        reg.chain_ids()
            .into_iter()
            .filter_map(|id| reg.chain(id).ok())
            .any(|ch| super::explorer_common::is_native(ch, a))
    };
    let unit = match &c.value {
        Value::Native { amount, fee } => unit(Some(*amount)).or_else(|| unit(*fee)),
        Value::Asset { amount, asset, fee } => {
            unit(*fee).or_else(|| cell(Some(*asset)).filter(|(a, _)| native_asset(a)).and_then(|_| unit(Some(*amount))))
        }
        _ => None,
    };
    let ids = cell(c.chain_id);
    let column = column_chain(ids, if ids.is_some() { None } else { cell(c.chain_name) }, line)
        .map_err(|(field, msg)| ReadError::format(line, format!("column {field}: {msg}")))?;
    Ok(RowEvidence { unit, column })
}

/// The contract of a per-token page: `--token-contract`, else the file name's `-0x<40 hex>`;
/// both given and different is refused. Returned lower case with where it came from.
fn page_contract(ctx: &ReadContext<'_>) -> Result<(String, String), ReadError> {
    let from_name = contract_in_name(ctx.file_name);
    let option = match ctx.options.token_contract.as_deref().map(str::trim) {
        Some(t) => Some(evm_address(t).ok_or_else(|| {
            ReadError::format(1, format!("found --token-contract {t:?}: expected 0x followed by 40 hexadecimal digits"))
        })?),
        None => None,
    };
    match (option, from_name) {
        (Some(o), Some(n)) if o != n => Err(ReadError::format(
            1,
            format!("found --token-contract {o} but the file name {} names {n}: expected them to agree", ctx.file_name),
        )),
        (Some(o), _) => Ok((o, "--token-contract".to_owned())),
        (None, Some(n)) => Ok((n, format!("the file name {}", ctx.file_name))),
        (None, None) => Err(ReadError::format(
            1,
            format!(
                "found no contract column and no token contract in the file name {}: expected a token page export named …-0x<contract>.csv; pass --token-contract 0x… (and --token-decimals 0x…=N if the token is not in assets/tokens.ron)",
                ctx.file_name
            ),
        )),
    }
}

/// The decimals of a per-token page's token: the registry by contract, else `--token-decimals`.
fn page_decimals(
    ctx: &ReadContext<'_>,
    chain: &crate::model::Chain,
    contract: &str,
    from: &str,
) -> Result<(String, u8), ReadError> {
    super::explorer_common::token_decimals(ctx, chain, Some(contract), None).map(|d| (contract.to_owned(), d)).ok_or_else(|| {
        ReadError::format(
            1,
            format!(
                "found token {contract} (from {from}) on {} whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass --token-decimals {contract}=N with its decimals N (and --token-contract 0x… if this is not the file's token)",
                chain.id
            ),
        )
    })
}

/// The last `0x` + 40 hex digits in a file name that ends the name (before `.csv`) or is
/// followed by a separator: `export-token-0x55d3…7955.csv`.
fn contract_in_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut found = None;
    let mut i = 0;
    while let Some(off) = lower.get(i..).and_then(|s| s.find("0x")) {
        let start = i + off;
        let hex = lower.get(start + 2..start + 42);
        let after = bytes.get(start + 42).copied();
        let before_ok = start == 0 || bytes.get(start - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
        if let Some(h) = hex
            && before_ok
            && h.bytes().all(|b| b.is_ascii_hexdigit())
            && after.is_none_or(|b| !b.is_ascii_hexdigit())
        {
            found = Some(format!("0x{h}"));
        }
        i = start + 2;
    }
    found
}

fn evm_address(t: &str) -> Option<String> {
    let hex = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))?;
    (hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("0x{}", hex.to_ascii_lowercase()))
}
