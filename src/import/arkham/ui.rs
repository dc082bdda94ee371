//! Arkham's 19-column UI export (order not fixed):
//!
//! ```text
//! transactionHash,chain,type,fromAddress,fromLabel,fromIsContract,toAddress,toLabel,toIsContract,tokenAddress,tokenName,tokenSymbol,tokenDecimals,tokenId,unitValue,historicalUSD,blockNumber,blockHash,blockTimestamp
//! ```
//!
//! * **Chain per row** from `chain`, Arkham's names mapped to the registry: `ethereum`, `bsc`,
//!   `polygon`, `arbitrum_one` (→ `arbitrum`), `optimism`, `base`, `avalanche`, `tron`,
//!   `bitcoin`; a registry id is accepted as itself. Others (`solana`, `ton`…) are refused.
//!   `--chain`, when given, must match each row. The chain is reported once with the rule
//!   `chain column`: the rows' chain when all imported rows agree, else `multiple`.
//! * **Asset**: an empty `tokenAddress` is the chain's native asset (`tokenSymbol`, if given,
//!   must name it; `tokenDecimals`, if given, must equal the chain's); otherwise a
//!   [`TransferKind::Token`] keyed by the contract, with decimals from `tokenDecimals`, else
//!   `assets/tokens.ron` or `--token-decimals`, else refused naming the option. A
//!   `tokenDecimals` that contradicts `assets/tokens.ron` is refused.
//! * **Kind** from `type`: `external`, `transfer` or empty → native (or token when there is a
//!   `tokenAddress`), `internal` → [`TransferKind::Internal`], `token` → token (needs a
//!   `tokenAddress`); any other value is refused.
//! * `unitValue` is a display amount converted exactly with those decimals; `historicalUSD` is
//!   kept as [`Transfer::stated_usd`] (exact decimal text); `blockNumber`, `blockTimestamp` give
//!   block and time.
//! * `fromLabel`/`toLabel` become [`Label`]s (added by Arkham, source
//!   `Arkham export, FILE line N`, once per address and text).
//! * Not used: `tokenId` (Arkham's pricing id such as `tether`), `tokenName` (kept as the
//!   asset's name only), `fromIsContract`, `toIsContract`, `blockHash`.

use std::collections::BTreeSet;

use csv::ByteRecord;

use super::labels_of;
use crate::import::csvutil::{Columns, CsvFile};
use crate::import::dune::{ChainsSeen, stated_usd};
use crate::import::explorer_common::{self as common, SeenAssets, opt, req};
use crate::import::{AssetInfo, ReadContext, ReadError, Refusal, Sink};
use crate::model::{Chain, Label, Transfer, TransferKind, registry};

/// Arkham `chain` names → registry ids.
const CHAINS: [(&str, &str); 9] = [
    ("ethereum", "ethereum"),
    ("bsc", "bsc"),
    ("polygon", "polygon"),
    ("arbitrum_one", "arbitrum"),
    ("optimism", "optimism"),
    ("base", "base"),
    ("avalanche", "avalanche"),
    ("tron", "tron"),
    ("bitcoin", "bitcoin"),
];

pub(super) struct Cols {
    hash: usize,
    chain: usize,
    kind: Option<usize>,
    from: usize,
    from_label: Option<usize>,
    to: usize,
    to_label: Option<usize>,
    token: Option<usize>,
    name: Option<usize>,
    symbol: Option<usize>,
    decimals: Option<usize>,
    value: usize,
    usd: Option<usize>,
    block: Option<usize>,
    time: Option<usize>,
}

impl Cols {
    /// The UI layout's columns, or `None` when the header is not that layout.
    pub(super) fn of(c: &Columns) -> Option<Result<Self, ReadError>> {
        c.find(&["unitvalue"])?;
        c.find(&["fromaddress"])?;
        let build = || -> Result<Self, ReadError> {
            Ok(Cols {
                hash: c.require("transaction hash", &["transactionhash"])?,
                chain: c.require("chain", &["chain"])?,
                kind: c.find(&["type"]),
                from: c.require("sender", &["fromaddress"])?,
                from_label: c.find(&["fromlabel"]),
                to: c.require("receiver", &["toaddress"])?,
                to_label: c.find(&["tolabel"]),
                token: c.find(&["tokenaddress"]),
                name: c.find(&["tokenname"]),
                symbol: c.find(&["tokensymbol"]),
                decimals: c.find(&["tokendecimals"]),
                value: c.require("amount", &["unitvalue"])?,
                usd: c.find(&["historicalusd"]),
                block: c.find(&["blocknumber"]),
                time: c.find(&["blocktimestamp"]),
            })
        };
        Some(build())
    }
}

/// Reads the rows of a UI export into `sink`.
///
/// # Errors
/// A CSV syntax error or a sink failure.
pub(super) fn read(
    mut cf: CsvFile<'_>,
    cols: &Cols,
    forced: Option<&'static Chain>,
    ctx: &ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let mut seen = SeenAssets::default();
    let mut labelled = BTreeSet::new();
    let mut chains = ChainsSeen::default();
    let mut rec = ByteRecord::new();
    while let Some(line) = cf.next_row(&mut rec, sink)? {
        match parse_row(&cf, &rec, line, cols, forced, ctx) {
            Ok((t, asset, labels)) => {
                chains.saw(&t.chain);
                if let Some(a) = asset {
                    seen.emit(sink, a)?;
                }
                sink.transfer(t)?;
                for l in labels {
                    if labelled.insert((l.chain.clone(), l.address.clone(), l.entity.clone())) {
                        sink.label(l)?;
                    }
                }
            }
            Err(r) => sink.refuse(r),
        }
    }
    chains.report(sink, "chain column");
    Ok(())
}

fn row_chain(text: &str, line: u64, field: &str, forced: Option<&Chain>) -> Result<&'static Chain, Refusal> {
    let t = text.trim().to_ascii_lowercase();
    let id = CHAINS.iter().find(|(ark, id)| *ark == t || *id == t).map(|(_, id)| *id);
    let chain = id.and_then(|id| registry().chain(id).ok()).ok_or_else(|| {
        let names: Vec<&str> = CHAINS.iter().map(|(a, _)| *a).collect();
        Refusal::new(
            line,
            field,
            format!("found {text:?}: expected an Arkham chain hoptrace knows ({})", names.join(", ")),
        )
    })?;
    match forced {
        Some(f) if f.id != chain.id => Err(Refusal::new(
            line,
            field,
            format!("found {text:?}, another chain than --chain {}: expected {} rows only", f.id, f.id),
        )),
        _ => Ok(chain),
    }
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
) -> Result<AssetOf, Refusal> {
    let kind_text = opt(cf, rec, c.kind, line)?;
    let symbol = opt(cf, rec, c.symbol, line)?;
    let decimals = match opt(cf, rec, c.decimals, line)? {
        None => None,
        Some((t, f)) => Some((
            t.parse::<u8>().ok().filter(|d| *d <= 77).ok_or_else(|| {
                Refusal::new(line, f, format!("found {t:?}: expected the token's decimals, a whole number 0..=77"))
            })?,
            f,
        )),
    };
    let token = opt(cf, rec, c.token, line)?;
    let kind = match (kind_text.map(|(t, f)| (t.to_ascii_lowercase(), f)), token) {
        (None, None) => TransferKind::Native,
        (Some((k, _)), None) if k == "external" || k == "transfer" => TransferKind::Native,
        (Some((k, _)), None) if k == "internal" => TransferKind::Internal,
        (None, Some(_)) => TransferKind::Token,
        (Some((k, _)), Some(_)) if k == "external" || k == "transfer" || k == "token" => TransferKind::Token,
        (Some((k, f)), None) if k == "token" => {
            let field = c.token.map_or(f, |i| cf.name(i));
            return Err(Refusal::new(line, field, "empty in a token transfer: expected the token contract address"));
        }
        (Some((_, f)), _) => {
            let t = kind_text.map_or("", |(t, _)| t);
            let msg = if token.is_some() && t.eq_ignore_ascii_case("internal") {
                format!("found {t:?} with a tokenAddress: expected token (or no tokenAddress for an internal transfer)")
            } else {
                format!("found {t:?}: expected external, internal, token or transfer")
            };
            return Err(Refusal::new(line, f, msg));
        }
    };
    let Some((t, f)) = token else {
        if let Some((s, f)) = symbol.filter(|(s, _)| !common::is_native(chain, s)) {
            let msg = format!(
                "found {s:?} without a tokenAddress: expected the native asset {}, or the token's tokenAddress",
                chain.native
            );
            return Err(Refusal::new(line, f, msg));
        }
        if let Some((d, f)) = decimals.filter(|(d, _)| *d != chain.decimals) {
            let msg =
                format!("found {d} for the native asset: expected {} ({} decimals)", chain.decimals, chain.native);
            return Err(Refusal::new(line, f, msg));
        }
        return Ok((kind, chain.native.clone(), chain.decimals, None));
    };
    let contract = common::address(chain, t, line, f)?;
    let sym = symbol.map(|(s, _)| s);
    let known = registry().token(&chain.id, &contract).filter(|k| k.contract.eq_ignore_ascii_case(&contract));
    let d = match (decimals, known) {
        (Some((d, df)), Some(k)) if d != k.decimals => {
            let msg = format!(
                "found {d}: expected {} (assets/tokens.ron gives {} {} decimals)",
                k.decimals, k.symbol, k.decimals
            );
            return Err(Refusal::new(line, df, msg));
        }
        (Some((d, _)), _) => d,
        (None, _) => common::token_decimals(ctx, chain, Some(&contract), sym)
            .ok_or_else(|| common::unknown_token(line, f, &contract, sym))?,
    };
    let info = AssetInfo {
        chain: chain.id.clone(),
        asset: contract.clone(),
        symbol: sym.map(str::to_owned),
        decimals: Some(d),
        name: opt(cf, rec, c.name, line)?.map(|(n, _)| n.to_owned()),
    };
    Ok((kind, contract, d, Some(info)))
}

fn parse_row(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    forced: Option<&Chain>,
    ctx: &ReadContext<'_>,
) -> Result<(Transfer, Option<AssetInfo>, Vec<Label>), Refusal> {
    cf.check_width(rec, line)?;
    let (t, f) = req(cf, rec, c.chain, line)?;
    let chain = row_chain(t, line, f, forced)?;
    let (t, f) = req(cf, rec, c.hash, line)?;
    let tx_hash = common::tx_hash(chain, t, line, f)?;
    let block = opt(cf, rec, c.block, line)?.map(|(t, f)| common::integer(t, "a block number", line, f)).transpose()?;
    let time =
        opt(cf, rec, c.time, line)?.map(|(t, f)| common::time(t, ctx.options.date_order, line, f)).transpose()?;
    let (t, f) = req(cf, rec, c.from, line)?;
    let from = common::address(chain, t, line, f)?;
    let (t, f) = req(cf, rec, c.to, line)?;
    let to = common::address(chain, t, line, f)?;
    let (kind, asset, decimals, info) = asset(cf, rec, line, c, chain, ctx)?;
    let (v, vf) = req(cf, rec, c.value, line)?;
    let unit = opt(cf, rec, c.symbol, line)?.map_or(chain.native.as_str(), |(s, _)| s);
    let amount = common::display_amount(v, decimals, unit, line, vf)?;
    let stated_usd = match opt(cf, rec, c.usd, line)? {
        Some((t, f)) => stated_usd(t, line, f)?,
        None => None,
    };
    let labels = labels_of(cf, rec, line, chain, [(c.from_label, &from), (c.to_label, &to)], ctx)?;
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
        fee_base: None,
        failed: false,
        prev_out: None,
        line,
        method: None,
        stated_usd,
    };
    Ok((transfer, info, labels))
}

#[cfg(test)]
mod tests;
