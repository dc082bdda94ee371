//! One data row of an explorer export to a [`Transfer`], the token it names and the name tags
//! it carries.

use std::collections::{BTreeMap, BTreeSet};

use csv::ByteRecord;

use super::super::csvutil::CsvFile;
use super::super::explorer_common::{self as common, opt, req};
use super::super::{AssetInfo, ReadContext, Refusal};
use super::cells;
use super::chain::column_chain;
use super::plan::{Cols, Value};
use crate::model::{Amount, Category, Chain, Label, Transfer, TransferKind, registry};

/// What one row gives.
pub struct Row {
    /// The transfer.
    pub transfer: Transfer,
    /// The token it names, if any.
    pub asset: Option<AssetInfo>,
    /// Name tags of its parties not yet seen in this file.
    pub labels: Vec<Label>,
}

/// What the rows of one file share.
pub struct State<'a> {
    /// The chain the file is read as.
    pub chain: &'static Chain,
    /// The import's context.
    pub ctx: &'a ReadContext<'a>,
    /// The token of a per-token page: contract and decimals.
    pub page: Option<(String, u8)>,
    /// `(address, tag)` already labelled: a tag is stored once per file, at its first line.
    pub tagged: BTreeSet<(String, String)>,
    /// Tokens known only by symbol: symbol → (name, first line), so two tokens sharing a
    /// symbol in one file are caught instead of merged.
    pub symbols: BTreeMap<String, (String, u64)>,
}

/// Parses one row.
///
/// # Errors
/// The row's one [`Refusal`].
pub fn parse(cf: &CsvFile<'_>, rec: &ByteRecord, line: u64, c: &Cols, st: &mut State<'_>) -> Result<Row, Refusal> {
    cf.check_width(rec, line)?;
    let chain = st.chain;
    let ids = opt(cf, rec, c.chain_id, line)?;
    let names = opt(cf, rec, c.chain_name, line)?;
    match column_chain(ids, if ids.is_some() { None } else { names }, line) {
        Err((field, msg)) => return Err(Refusal::new(line, field, msg)),
        Ok(Some((other, said))) if other.id != chain.id => {
            let field = ids.or(names).map_or("ChainId", |(_, f)| f);
            return Err(Refusal::new(
                line,
                field,
                format!(
                    "found {said} (chain {}): expected {} as the file is read (one chain per file)",
                    other.id, chain.id
                ),
            ));
        }
        Ok(_) => {}
    }
    let (h, f) = req(cf, rec, c.hash, line)?;
    let tx_hash = common::tx_hash(chain, h, line, f)?;
    let block = opt(cf, rec, c.block, line)?.map(|(t, f)| common::integer(t, "a block number", line, f)).transpose()?;
    let order = st.ctx.options.date_order;
    let time = match opt(cf, rec, c.unix, line)? {
        Some((t, f)) => Some(common::time(t, order, line, f)?),
        None => match opt(cf, rec, c.datetime, line)? {
            Some((t, f)) if c.age && t.to_ascii_lowercase().contains("ago") => {
                return Err(Refusal::new(
                    line,
                    f,
                    format!(
                        "found {t:?}, a time relative to the download: expected a date/time; switch the explorer's Age column to Date Time (UTC) and download again"
                    ),
                ));
            }
            Some((t, f)) => Some(common::time(t, order, line, f)?),
            None => None,
        },
    };
    let (t, f) = req(cf, rec, c.from, line)?;
    let from = common::address(chain, t, line, f)?;
    // A contract creation has no `To`: the created contract receives the value.
    let creation = if matches!(c.value, Value::InOut { .. }) { c.contract } else { None };
    let (t, f) = match (opt(cf, rec, Some(c.to), line)?, opt(cf, rec, creation, line)?) {
        (Some(cell), _) | (None, Some(cell)) => cell,
        (None, None) => {
            return Err(Refusal::new(line, cf.name(c.to), "empty: expected the receiver (or ContractAddress)"));
        }
    };
    let to = common::address(chain, t, line, f)?;
    let v = value(cf, rec, line, c, st, from == to)?;
    let status = opt(cf, rec, c.status, line)?;
    let status_field = c.status.map_or("Status", |i| cf.name(i));
    // Without a status column the export states no failure (legacy token and NFT exports).
    let status_failed =
        c.status.is_some() && cells::status(status.map(|(s, _)| s), c.legacy, c.digits_mean_error, line, status_field)?;
    let failed = status_failed || opt(cf, rec, c.errcode, line)?.is_some();
    let method = opt(cf, rec, c.method, line)?.map(|(m, _)| m.to_owned());
    let usd_cell = opt(cf, rec, c.usd, line)?;
    let stated_usd = cells::usd(usd_cell.map(|(t, _)| t), line, c.usd.map_or("Value (USD)", |i| cf.name(i)))?;
    let mut labels = Vec::new();
    for (idx, address) in [(c.from_tag, &from), (c.to_tag, &to)] {
        if let Some((tag, _)) = opt(cf, rec, idx, line)?
            && st.tagged.insert((address.clone(), tag.to_owned()))
        {
            labels.push(Label {
                line,
                ..Label::new(
                    chain.id.clone(),
                    address.clone(),
                    tag,
                    Category::parse(tag).unwrap_or(Category::Unknown),
                    format!("explorer name tag, {} line {line}", st.ctx.file_name),
                )
            });
        }
    }
    let transfer = Transfer {
        chain: chain.id.clone(),
        tx_hash,
        kind: v.kind,
        position: None,
        block,
        time,
        from: Some(from),
        to: Some(to),
        asset: v.asset,
        amount_base: v.amount,
        fee_base: v.fee,
        failed,
        prev_out: None,
        line,
        method,
        stated_usd,
    };
    Ok(Row { transfer, asset: v.info, labels })
}

struct Moved {
    kind: TransferKind,
    asset: String,
    amount: Amount,
    fee: Option<Amount>,
    info: Option<AssetInfo>,
}

fn native(chain: &Chain, kind: TransferKind, amount: Amount, fee: Option<Amount>) -> Moved {
    Moved { kind, asset: chain.native.clone(), amount, fee, info: None }
}

fn value(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    st: &mut State<'_>,
    self_transfer: bool,
) -> Result<Moved, Refusal> {
    let chain = st.chain;
    let is_native = |u: &str| common::is_native(chain, u);
    let native_amount = |idx: Option<usize>| -> Result<Option<Amount>, Refusal> {
        opt(cf, rec, idx, line)?
            .map(|(t, f)| cells::amount_in(t, chain.decimals, &chain.native, is_native, line, f))
            .transpose()
    };
    match &c.value {
        Value::InOut { vin, vout, fee } => {
            let amount = in_out(cf, rec, line, chain, *vin, *vout, self_transfer)?;
            Ok(native(chain, c.kind, amount, native_amount(*fee)?))
        }
        Value::Native { amount, fee } => {
            let (t, f) = req(cf, rec, *amount, line)?;
            let a = cells::amount_in(t, chain.decimals, &chain.native, is_native, line, f)?;
            Ok(native(chain, TransferKind::Native, a, native_amount(*fee)?))
        }
        Value::Asset { amount, asset, fee } => {
            let (a, af) = req(cf, rec, *asset, line)?;
            if is_native(a) {
                let (t, f) = req(cf, rec, *amount, line)?;
                let v = cells::amount_in(t, chain.decimals, &chain.native, is_native, line, f)?;
                return Ok(native(chain, TransferKind::Native, v, native_amount(*fee)?));
            }
            let (name, symbol) = match cells::token_cell(a, line, af) {
                Ok((n, s)) => (Some(n), s),
                Err(_) => (None, a.to_owned()),
            };
            let mut m = by_symbol(cf, rec, line, *amount, af, name, &symbol, st)?;
            m.fee = native_amount(*fee)?;
            Ok(m)
        }
        Value::Named { amount, token } => {
            let (t, tf) = req(cf, rec, *token, line)?;
            let (name, symbol) = cells::token_cell(t, line, tf)?;
            by_symbol(cf, rec, line, *amount, tf, Some(name), &symbol, st)
        }
        Value::Token { value, contract, symbol, name } => {
            let (t, cname) = req(cf, rec, *contract, line)?;
            let contract = common::address(chain, t, line, cname)?;
            let symbol = opt(cf, rec, *symbol, line)?.map(|(s, _)| s);
            let decimals = common::token_decimals(st.ctx, chain, Some(&contract), symbol)
                .ok_or_else(|| common::unknown_token(line, cname, &contract, symbol))?;
            let (v, vf) = req(cf, rec, *value, line)?;
            let amount = token_amount(v, decimals, symbol.unwrap_or("the token"), line, vf)?;
            let info = AssetInfo {
                chain: chain.id.clone(),
                asset: contract.clone(),
                symbol: symbol.map(str::to_owned),
                decimals: Some(decimals),
                name: opt(cf, rec, *name, line)?.map(|(n, _)| n.to_owned()),
            };
            Ok(Moved { kind: TransferKind::Token, asset: contract, amount, fee: None, info: Some(info) })
        }
        Value::TokenPage { value } => {
            let Some((contract, decimals)) = st.page.clone() else {
                return Err(Refusal::new(line, "row", "no token contract: expected --token-contract"));
            };
            let (v, vf) = req(cf, rec, *value, line)?;
            let symbol = registry().token(&chain.id, &contract).map(|t| t.symbol.clone());
            let amount = token_amount(v, decimals, symbol.as_deref().unwrap_or("the token"), line, vf)?;
            let info = AssetInfo {
                chain: chain.id.clone(),
                asset: contract.clone(),
                symbol,
                decimals: Some(decimals),
                name: None,
            };
            Ok(Moved { kind: TransferKind::Token, asset: contract, amount, fee: None, info: Some(info) })
        }
        Value::Nft { id, quantity, contract, token, symbol, name } => {
            let (t, f) = req(cf, rec, *id, line)?;
            let id = cells::token_id(t, line, f)?;
            let quantity = match opt(cf, rec, *quantity, line)? {
                Some((q, qf)) => token_amount(cells::split_unit(q).0, 0, "the token", line, qf)?,
                None => Amount::from_u128(1),
            };
            let mut symbol = opt(cf, rec, *symbol, line)?.map(|(s, _)| s.to_owned());
            let mut name = opt(cf, rec, *name, line)?.map(|(n, _)| n.to_owned());
            let base = match (opt(cf, rec, *contract, line)?, opt(cf, rec, *token, line)?) {
                (Some((t, f)), _) => common::address(chain, t, line, f)?,
                (None, Some((t, f))) => {
                    let (n, s) = cells::token_cell(t, line, f)?;
                    name = Some(format!("{n} (identified by name only: the export has no contract column)"));
                    symbol = Some(s.clone());
                    format!("symbol:{s}")
                }
                (None, None) => {
                    let field = contract.or(*token).map_or("ContractAddress", |i| cf.name(i));
                    return Err(Refusal::new(line, field, "empty: expected the NFT's contract"));
                }
            };
            let asset = format!("{base}#{id}");
            let info = AssetInfo { chain: chain.id.clone(), asset: asset.clone(), symbol, decimals: Some(0), name };
            Ok(Moved { kind: TransferKind::Token, asset, amount: quantity, fee: None, info: Some(info) })
        }
    }
}

/// A token amount without unit, refusing an exponent with the advice to re-export.
fn token_amount(text: &str, decimals: u8, unit: &str, line: u64, field: &str) -> Result<Amount, Refusal> {
    cells::amount(text, decimals, unit, line, field)
}

/// A token the export names only by symbol (and name): asset key `symbol:SYMBOL`; decimals from
/// `--token-decimals SYMBOL=N` only (they set the unit of the stored base amounts: the asset
/// stays "identified by name only"), else the row is refused naming the option.
#[allow(clippy::too_many_arguments)]
fn by_symbol(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    amount: usize,
    token_field: &str,
    name: Option<String>,
    symbol: &str,
    st: &mut State<'_>,
) -> Result<Moved, Refusal> {
    let chain = st.chain;
    let shown = name.clone().unwrap_or_default();
    match st.symbols.get(symbol) {
        Some((first, first_line)) if *first != shown => {
            return Err(Refusal::new(
                line,
                token_field,
                format!(
                    "found token {shown:?} ({symbol}) but line {first_line} names {first:?} ({symbol}): expected one token per symbol in an export without contracts; re-export with contract addresses (the explorer's legacy token export) to tell them apart"
                ),
            ));
        }
        Some(_) => {}
        None => {
            st.symbols.insert(symbol.to_owned(), (shown, line));
        }
    }
    // Never the registry's token of that symbol: fake tokens copy symbols, and their decimals
    // would be a guess (see `explorer_common::token_decimals`).
    let decimals = common::token_decimals(st.ctx, chain, None, Some(symbol)).ok_or_else(|| {
            Refusal::new(
                line,
                token_field,
                format!(
                    "found token {symbol} without a contract, whose decimals hoptrace does not know: pass `--token-decimals {symbol}=N` with the token's decimals N"
                ),
            )
        })?;
    let (t, f) = req(cf, rec, amount, line)?;
    let a = cells::amount_in(t, decimals, symbol, |u| u.eq_ignore_ascii_case(symbol), line, f)?;
    let asset = format!("symbol:{symbol}");
    let info = AssetInfo {
        chain: chain.id.clone(),
        asset: asset.clone(),
        symbol: Some(symbol.to_owned()),
        decimals: Some(decimals),
        name: Some(match name {
            Some(n) if !n.is_empty() => format!("{n} (identified by name only: the export has no contract column)"),
            _ => format!("{symbol} (identified by name only: the export has no contract column)"),
        }),
    };
    Ok(Moved { kind: TransferKind::Token, asset, amount: a, fee: None, info: Some(info) })
}

/// The amount moved: the non-zero one of `Value_IN` and `Value_OUT` (an empty cell counts as 0).
fn in_out(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    chain: &Chain,
    vin: Option<usize>,
    vout: Option<usize>,
    self_transfer: bool,
) -> Result<Amount, Refusal> {
    let parse = |idx| -> Result<Option<(Amount, &str, &str)>, Refusal> {
        opt(cf, rec, idx, line)?
            .map(|(t, f)| Ok((cells::amount(t, chain.decimals, &chain.native, line, f)?, t, f)))
            .transpose()
    };
    match (parse(vin)?, parse(vout)?) {
        (None, None) => {
            let field = vin.or(vout).map_or("Value_IN", |i| cf.name(i));
            Err(Refusal::new(line, field, "empty: expected the amount in Value_IN or Value_OUT"))
        }
        (Some((a, ..)), None) | (None, Some((a, ..))) => Ok(a),
        (Some((a, ta, fa)), Some((b, tb, fb))) => {
            if b == Amount::ZERO || (a == b && self_transfer) {
                Ok(a)
            } else if a == Amount::ZERO {
                Ok(b)
            } else {
                Err(Refusal::new(line, fa, format!("found {fa} {ta} and {fb} {tb}: expected one of them to be 0")))
            }
        }
    }
}
