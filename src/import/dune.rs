//! Dune CSV exports of `tokens.transfers`-style queries:
//!
//! ```text
//! unique_key,blockchain,block_month,block_date,block_time,block_number,tx_hash,evt_index,trace_address,token_standard,tx_from,tx_to,tx_index,from,to,contract_address,symbol,amount_raw,amount,price_usd,amount_usd
//! ```
//!
//! Column names are matched case-, space- and `_`-insensitively (order free); `blockchain`,
//! `tx_hash`, `token_standard`, `from`, `to` and `amount_raw` are required.
//!
//! * **Chain per row** from `blockchain`, Dune's names mapped to the registry: `ethereum`,
//!   `bnb` (→ `bsc`), `polygon`, `arbitrum`, `optimism`, `base`, `avalanche_c` (→ `avalanche`),
//!   `fantom`, `tron`; the registry ids themselves are accepted too. Anything else is refused
//!   naming the accepted names. The reader reports the chain once, at the end, with the rule
//!   `blockchain column`: the chain of every imported row when they agree, else `multiple`.
//!   `--chain`, when given, must match each row's `blockchain` (other rows are refused).
//! * **Amount**: `amount_raw` only, an exact integer of base units (a fraction, sign or exponent
//!   is refused). `amount` is Dune's floating-point rendering and is ignored; so are
//!   `price_usd`, `tx_from`, `tx_to`, `tx_index`, `unique_key`, `block_month`, `block_date`.
//! * **Asset** by `token_standard`: `native` → [`TransferKind::Native`] of the chain's native
//!   asset (`contract_address`, a placeholder there, is ignored); `erc20`, `bep20`, `trc20` →
//!   [`TransferKind::Token`] keyed by `contract_address`. Other standards (NFTs) are refused.
//!   One [`AssetInfo`] per token with `symbol` and the decimals the registry or
//!   `--token-decimals` know (else none: `amount_raw` needs none).
//! * `amount_usd` is kept as [`Transfer::stated_usd`]: its digits exactly as text, after
//!   checking it is a plain non-negative decimal (an exponent such as `1.5E-5`, which Dune
//!   writes for small doubles, is shifted exactly to `0.000015`).
//! * `evt_index` is the position (Dune leaves it empty for native transfers); `block_time`
//!   (`2023-05-02 12:19:59.000 UTC`) the time; `block_number` the block.
//! * Tron rows: Dune writes Tron addresses as `0x` + 40 hex digits (the 20-byte body without
//!   the `41` prefix); they are read as the `41…` hex form and stored as base58 `T…`.
//!   Transaction hashes lose their `0x` as usual for Tron.

use std::io::BufRead;

use csv::ByteRecord;

use super::csvutil::CsvFile;
use super::explorer_common::{self as common, opt, req};
use super::{AssetInfo, ReadContext, ReadError, Refusal, Sink};
use crate::model::{Chain, Transfer, TransferKind, registry};

/// Dune `blockchain` names → registry chain ids.
const CHAINS: [(&str, &str); 9] = [
    ("ethereum", "ethereum"),
    ("bnb", "bsc"),
    ("polygon", "polygon"),
    ("arbitrum", "arbitrum"),
    ("optimism", "optimism"),
    ("base", "base"),
    ("avalanche_c", "avalanche"),
    ("fantom", "fantom"),
    ("tron", "tron"),
];

struct Cols {
    chain: usize,
    time: Option<usize>,
    block: Option<usize>,
    hash: usize,
    evt_index: Option<usize>,
    standard: usize,
    from: usize,
    to: usize,
    contract: Option<usize>,
    symbol: Option<usize>,
    amount_raw: usize,
    amount_usd: Option<usize>,
}

/// Reads a Dune transfers CSV into `sink`.
///
/// # Errors
/// [`ReadError`] when a required column is missing, `--chain` is unknown, or the CSV itself is
/// broken.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let forced = common::chain_option(ctx)?;
    let mut cf = CsvFile::open(input)?;
    let c = &cf.columns;
    let cols = Cols {
        chain: c.require("blockchain", &["blockchain"])?,
        time: c.find(&["blocktime"]),
        block: c.find(&["blocknumber"]),
        hash: c.require("transaction hash", &["txhash"])?,
        evt_index: c.find(&["evtindex"]),
        standard: c.require("token standard", &["tokenstandard"])?,
        from: c.require("sender", &["from"])?,
        to: c.require("receiver", &["to"])?,
        contract: c.find(&["contractaddress"]),
        symbol: c.find(&["symbol"]),
        amount_raw: c.require("raw amount", &["amountraw"])?,
        amount_usd: c.find(&["amountusd"]),
    };
    let mut chains = ChainsSeen::default();
    common::drive(&mut cf, sink, |cf, rec, line| {
        let r = parse_row(cf, rec, line, &cols, forced, ctx);
        if let Ok((t, _)) = &r {
            chains.saw(&t.chain);
        }
        r
    })?;
    chains.report(sink, "blockchain column");
    Ok(())
}

/// The chains of the imported rows, reported once with [`Sink::chain_decided`].
#[derive(Debug, Default)]
pub(crate) struct ChainsSeen(Option<String>, bool);

impl ChainsSeen {
    /// Notes the chain of one imported row.
    pub(crate) fn saw(&mut self, chain: &str) {
        match &self.0 {
            None => self.0 = Some(chain.to_owned()),
            Some(c) if c != chain => self.1 = true,
            Some(_) => {}
        }
    }

    /// Tells the sink: the one chain, or `multiple`; nothing when no row was imported.
    pub(crate) fn report(&self, sink: &mut dyn Sink, rule: &str) {
        if let Some(c) = &self.0 {
            sink.chain_decided(if self.1 { "multiple" } else { c }, rule);
        }
    }
}

fn row_chain(text: &str, line: u64, field: &str, forced: Option<&Chain>) -> Result<&'static Chain, Refusal> {
    let t = text.trim().to_ascii_lowercase();
    let id = CHAINS.iter().find(|(dune, id)| *dune == t || *id == t).map(|(_, id)| *id);
    let chain = id.and_then(|id| registry().chain(id).ok()).ok_or_else(|| {
        let names: Vec<&str> = CHAINS.iter().map(|(d, _)| *d).collect();
        Refusal::new(
            line,
            field,
            format!("found {text:?}: expected a Dune blockchain hoptrace knows ({})", names.join(", ")),
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

/// An address as Dune writes it; Tron's `0x` + 40 hex digits gets its `41` prefix.
fn address(chain: &Chain, text: &str, line: u64, field: &str) -> Result<String, Refusal> {
    let t = text.trim();
    match t.strip_prefix("0x") {
        Some(body) if chain.id == "tron" && body.len() == 40 => {
            common::address(chain, &format!("41{body}"), line, field)
        }
        _ => common::address(chain, t, line, field),
    }
}

fn parse_row(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    forced: Option<&Chain>,
    ctx: &ReadContext<'_>,
) -> Result<(Transfer, Option<AssetInfo>), Refusal> {
    cf.check_width(rec, line)?;
    let (t, f) = req(cf, rec, c.chain, line)?;
    let chain = row_chain(t, line, f, forced)?;
    let (t, f) = req(cf, rec, c.hash, line)?;
    let tx_hash = common::tx_hash(chain, t, line, f)?;
    let block = opt(cf, rec, c.block, line)?.map(|(t, f)| common::integer(t, "a block number", line, f)).transpose()?;
    let time =
        opt(cf, rec, c.time, line)?.map(|(t, f)| common::time(t, ctx.options.date_order, line, f)).transpose()?;
    let position =
        opt(cf, rec, c.evt_index, line)?.map(|(t, f)| common::integer(t, "a log index", line, f)).transpose()?;
    let (t, f) = req(cf, rec, c.from, line)?;
    let from = address(chain, t, line, f)?;
    let (t, f) = req(cf, rec, c.to, line)?;
    let to = address(chain, t, line, f)?;
    let (std_text, sf) = req(cf, rec, c.standard, line)?;
    let symbol = opt(cf, rec, c.symbol, line)?.map(|(s, _)| s);
    let (kind, asset, info) = match std_text.to_ascii_lowercase().as_str() {
        "native" => (TransferKind::Native, chain.native.clone(), None),
        "erc20" | "bep20" | "trc20" => {
            let field = c.contract.map_or("contract_address", |i| cf.name(i));
            let Some((t, f)) = opt(cf, rec, c.contract, line)? else {
                return Err(Refusal::new(line, field, "empty: expected the token contract address"));
            };
            let contract = address(chain, t, line, f)?;
            let decimals = common::token_decimals(ctx, chain, Some(&contract), None);
            let info = AssetInfo {
                chain: chain.id.clone(),
                asset: contract.clone(),
                symbol: symbol.map(str::to_owned),
                decimals,
                name: None,
            };
            (TransferKind::Token, contract, Some(info))
        }
        _ => {
            return Err(Refusal::new(
                line,
                sf,
                format!("found {std_text:?}: expected native, erc20, bep20 or trc20 (fungible transfers)"),
            ));
        }
    };
    let (t, f) = req(cf, rec, c.amount_raw, line)?;
    let amount = common::base_amount(t, line, f)?;
    let stated_usd = match opt(cf, rec, c.amount_usd, line)? {
        Some((t, f)) => stated_usd(t, line, f)?,
        None => None,
    };
    let transfer = Transfer {
        chain: chain.id.clone(),
        tx_hash,
        kind,
        position,
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
    Ok((transfer, info))
}

/// A USD value a source states, as exact decimal text for [`Transfer::stated_usd`]: `None` when
/// empty; a leading `$` and well-formed thousands separators (`1,850,500.00`) are removed, an
/// exponent (`1.5E-5`) is shifted exactly; the digits are otherwise kept as written.
///
/// # Errors
/// A [`Refusal`] of `field` for anything else (a sign, letters, a malformed number).
pub(crate) fn stated_usd(text: &str, line: u64, field: &str) -> Result<Option<String>, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || {
        Refusal::new(
            line,
            field,
            format!("found {t:?}: expected a USD value as a plain decimal without sign, such as 1234.5678"),
        )
    };
    let body = t.strip_prefix('$').unwrap_or(t).trim_start();
    let (mantissa, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix('+').unwrap_or(e).parse::<i32>().map_err(|_| bad())?)),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let int = ungroup(int).ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(&int) || !(frac.is_empty() || digits(frac)) || (mantissa.ends_with('.')) {
        return Err(bad());
    }
    let Some(exp) = exp.filter(|e| *e != 0) else {
        return Ok(Some(if frac.is_empty() { int } else { format!("{int}.{frac}") }));
    };
    if exp.abs() > 60 {
        return Err(bad());
    }
    // Shift the decimal point `exp` places, exactly, on the digit string.
    let all = format!("{int}{frac}");
    let point = i32::try_from(int.len()).map_err(|_| bad())? + exp;
    let len = i32::try_from(all.len()).map_err(|_| bad())?;
    let zeros = |n: i32| "0".repeat(usize::try_from(n).unwrap_or(0));
    let shifted = if point <= 0 {
        format!("0.{}{all}", zeros(-point))
    } else if point >= len {
        format!("{all}{}", zeros(point - len))
    } else {
        let (a, b) = all.split_at(usize::try_from(point).map_err(|_| bad())?);
        format!("{a}.{b}")
    };
    let trimmed = shifted.trim_start_matches('0');
    Ok(Some(if trimmed.is_empty() || trimmed.starts_with('.') { format!("0{trimmed}") } else { trimmed.to_owned() }))
}

/// `1,850,500` → `1850500`; text without commas as is; `None` for misplaced commas.
fn ungroup(int: &str) -> Option<String> {
    if !int.contains(',') {
        return Some(int.to_owned());
    }
    let mut groups = int.split(',');
    let first = groups.next()?;
    let ok = (1..=3).contains(&first.len()) && groups.clone().all(|g| g.len() == 3);
    ok.then(|| int.replace(',', ""))
}

#[cfg(test)]
mod tests;
