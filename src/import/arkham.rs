//! Arkham CSV exports of transfers with entity labels, in two layouts: the 19-column UI export
//! (`transactionHash,chain,type,fromAddress,fromLabel,…,unitValue,historicalUSD,…`, read by
//! [`ui`], recognised by its `unitValue` and `fromAddress` columns) and the short
//! court-exhibit layout described here:
//!
//! ```text
//! Timestamp,From Label,From,To Label,To,Value,Asset,Value USD,Txn Hash
//! ```
//!
//! Column names are matched case-, space- and `_`-insensitively; `From`, `To`, `Value`, `Asset`
//! and `Txn Hash` are required. Blank separator rows are skipped and counted. `Value USD`
//! (`$1,850,500.00`) is kept as [`Transfer::stated_usd`] without `$` and separators
//! (`1850500.00`).
//!
//! # Which chain
//! `--chain` when given applies to every row; else an optional `Chain` column (a registry id,
//! or `arbitrum_one`, `bnb`, `avalanche_c`); else each row's chain is inferred from the address
//! syntax of `From` (or `To`): `0x…` → **ethereum**, `T…` (valid Tron checksum) → tron, `1…`,
//! `3…`, `bc1…` (valid Bitcoin checksum) → bitcoin. Exports of other EVM chains (BSC, Polygon,
//! Arbitrum…) look like Ethereum: import them with `--chain`. The chain is reported once
//! ([`Sink::chain_decided`]) with the rule `--chain option`, `chain column` or `address syntax
//! of From/To`, naming the rows' chain when all imported rows agree, else `multiple`.
//!
//! # Amounts and assets
//! `Value` is in display units of `Asset` and is converted exactly. `Asset` equal to the chain's
//! native symbol is a [`TransferKind::Native`] transfer. Otherwise it is a
//! [`TransferKind::Token`] transfer: a symbol the registry knows for that chain becomes the
//! token's contract (Arkham gives no contract, so a look-alike token with the same ticker cannot
//! be told apart); a contract address is kept as the asset; an unknown symbol needs
//! `--token-decimals SYMBOL=N` and is stored as `symbol:SYMBOL`. Without decimals the row is
//! refused. One [`AssetInfo`] is emitted per token.
//!
//! # Labels
//! A non-empty `From Label`/`To Label` becomes a [`Label`] of that address (entity = the label
//! text, category parsed from it or `unknown`, source `Arkham export, FILE line N` of the first
//! row naming it, added by Arkham), once per address and text in the file, and only from rows
//! that are imported.
//!
//! # Limitations
//! Bitcoin rows are imported account-style, as one [`TransferKind::Native`] transfer `From` →
//! `To`: Arkham flattens transactions to address pairs, so inputs, outputs and change are not
//! recovered. There is no fee, failure flag or log index (`position` is `None`).

mod ui;

use std::collections::BTreeSet;
use std::io::BufRead;

use csv::ByteRecord;

use super::csvutil::{Columns, CsvFile};
use super::dune::{ChainsSeen, stated_usd};
use super::explorer_common::{self as common, SeenAssets, opt, req};
use super::{AssetInfo, ReadContext, ReadError, Refusal, Sink};
use crate::model::{Category, Chain, Label, Transfer, TransferKind, registry};

struct Cols {
    time: Option<usize>,
    from_label: Option<usize>,
    from: usize,
    to_label: Option<usize>,
    to: usize,
    value: usize,
    asset: usize,
    hash: usize,
    chain: Option<usize>,
    usd: Option<usize>,
}

/// One imported row: the transfer, its token metadata, and the labels it carries.
type Row = (Transfer, Option<AssetInfo>, Vec<Label>);

/// Reads an Arkham-style CSV into `sink`.
///
/// # Errors
/// [`ReadError`] when a required column is missing, `--chain` is unknown, or the CSV itself is
/// broken.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let forced = common::chain_option(ctx)?;
    let cf = CsvFile::open(input)?;
    if let Some(cols) = ui::Cols::of(&cf.columns) {
        return ui::read(cf, &cols?, forced, ctx, sink);
    }
    let mut cf = cf;
    let c: &Columns = &cf.columns;
    let cols = Cols {
        time: c.find(&["timestamp", "time", "date", "blocktimestamp"]),
        from_label: c.find(&["fromlabel"]),
        from: c.require("sender", &["from", "fromaddress"])?,
        to_label: c.find(&["tolabel"]),
        to: c.require("receiver", &["to", "toaddress"])?,
        value: c.require("amount", &["value", "amount", "unitvalue"])?,
        asset: c.require("asset", &["asset", "token", "tokensymbol", "symbol"])?,
        hash: c.require("transaction hash", &["txnhash", "txhash", "transactionhash", "hash"])?,
        chain: c.find(&["chain"]),
        usd: c.find(&["valueusd", "historicalusd"]),
    };
    let rule = match (forced, cols.chain) {
        (Some(_), _) => "--chain option",
        (None, Some(_)) => "chain column",
        (None, None) => "address syntax of From/To",
    };
    let mut chains = ChainsSeen::default();
    let mut seen = SeenAssets::default();
    let mut labelled = BTreeSet::new();
    let mut rec = ByteRecord::new();
    while let Some(line) = cf.next_row(&mut rec, sink)? {
        match parse_row(&cf, &rec, line, &cols, forced, ctx) {
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
    chains.report(sink, rule);
    Ok(())
}

/// The labels a row gives its addresses (`(label column, address)` pairs).
///
/// # Errors
/// A [`Refusal`] when a label cell is not UTF-8.
fn labels_of(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    chain: &Chain,
    pairs: [(Option<usize>, &String); 2],
    ctx: &ReadContext<'_>,
) -> Result<Vec<Label>, Refusal> {
    let mut labels = Vec::new();
    for (idx, address) in pairs {
        if let Some((text, _)) = opt(cf, rec, idx, line)? {
            labels.push(Label {
                added_by: Some("Arkham".to_owned()),
                line,
                ..Label::new(
                    chain.id.clone(),
                    address.clone(),
                    text,
                    Category::parse(text).unwrap_or(Category::Unknown),
                    format!("Arkham export, {} line {line}", ctx.file_name),
                )
            });
        }
    }
    Ok(labels)
}

/// The chain an address's syntax implies, if any.
fn chain_of_address(text: &str) -> Option<&'static str> {
    let reg = registry();
    if text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x")) {
        return Some("ethereum");
    }
    ["tron", "bitcoin"].into_iter().find(|id| reg.normalize_address(id, text).is_ok())
}

fn row_chain(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    forced: Option<&'static Chain>,
) -> Result<&'static Chain, Refusal> {
    let reg = registry();
    if let Some(chain) = forced {
        return Ok(chain);
    }
    if let Some((t, f)) = opt(cf, rec, c.chain, line)? {
        let id = match t.to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
            "arbitrum_one" => "arbitrum".to_owned(),
            "bnb" | "bnb_chain" | "bnb_smart_chain" | "binance_smart_chain" => "bsc".to_owned(),
            "avalanche_c" | "avalanche_c_chain" => "avalanche".to_owned(),
            other => other.to_owned(),
        };
        let known = || reg.chain_ids().join(", ");
        return reg
            .chain(&id)
            .map_err(|_| Refusal::new(line, f, format!("found {t:?}: expected a chain id ({})", known())));
    }
    let (from, f) = req(cf, rec, c.from, line)?;
    let to = cf.cell(rec, c.to, line)?;
    let id = chain_of_address(from).or_else(|| chain_of_address(to)).ok_or_else(|| {
        let msg = format!(
            "found {from:?}: expected an address that tells the chain (0x… Ethereum, T… Tron, 1…/3…/bc1… Bitcoin), or --chain"
        );
        Refusal::new(line, f, msg)
    })?;
    reg.chain(id).map_err(|e| Refusal::new(line, f, e.to_string()))
}

fn parse_row(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    forced: Option<&'static Chain>,
    ctx: &ReadContext<'_>,
) -> Result<Row, Refusal> {
    cf.check_width(rec, line)?;
    let chain = row_chain(cf, rec, line, c, forced)?;
    let (h, f) = req(cf, rec, c.hash, line)?;
    let tx_hash = common::tx_hash(chain, h, line, f)?;
    let time =
        opt(cf, rec, c.time, line)?.map(|(t, f)| common::time(t, ctx.options.date_order, line, f)).transpose()?;
    let (t, f) = req(cf, rec, c.from, line)?;
    let from = common::address(chain, t, line, f)?;
    let (t, f) = req(cf, rec, c.to, line)?;
    let to = common::address(chain, t, line, f)?;
    let (sym, af) = req(cf, rec, c.asset, line)?;
    let (kind, asset, decimals, info) = if common::is_native(chain, sym) {
        (TransferKind::Native, chain.native.clone(), chain.decimals, None)
    } else {
        let known = registry().token(&chain.id, sym);
        let contract = known.map(|t| t.contract.clone()).or_else(|| common::address(chain, sym, line, af).ok());
        let decimals = known.map(|t| t.decimals).or_else(|| match &contract {
            Some(k) => common::token_decimals(ctx, chain, Some(k), None),
            None => common::token_decimals(ctx, chain, None, Some(sym)),
        });
        let key = contract.clone().unwrap_or_else(|| format!("symbol:{sym}"));
        let d = decimals.ok_or_else(|| common::unknown_token(line, af, contract.as_deref().unwrap_or(sym), None))?;
        let symbol = known.map_or_else(|| contract.is_none().then(|| sym.to_owned()), |t| Some(t.symbol.clone()));
        let info = AssetInfo { chain: chain.id.clone(), asset: key.clone(), symbol, decimals: Some(d), name: None };
        (TransferKind::Token, key, d, Some(info))
    };
    let (v, vf) = req(cf, rec, c.value, line)?;
    let amount = common::display_amount(v, decimals, sym, line, vf)?;
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
        block: None,
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
mod tests {
    use super::*;
    use crate::import::explorer_common::testkit::{self, brief, refusal, refusals};
    use crate::import::{Collected, ImportOptions};

    const HEADER: &str = "Timestamp,From Label,From,To Label,To,Value,Asset,Value USD,Txn Hash\n";

    fn ok(opts: &ImportOptions, csv: &str) -> Collected {
        testkit::run(read, "arkham-lazarus.csv", opts, csv).unwrap_or_else(|e| panic!("{e}"))
    }

    fn label(chain: &str, address: &str, entity: &str, category: Category, line: u64) -> Label {
        Label {
            added_by: Some("Arkham".into()),
            line,
            ..Label::new(
                chain,
                testkit::fill(address),
                entity,
                category,
                format!("Arkham export, arkham-lazarus.csv line {line}"),
            )
        }
    }

    #[test]
    fn rows_of_every_inferred_chain_with_labels() {
        let body = "2023-05-02T12:19:59Z,Hacker,{AM},Tornado Cash,{B},\"1,000\",ETH,\"$1,850,500.00\",{H1}
2023-05-02 12:20:11,Hacker,{A},,{B},2.5,usdt,$2.50,{H2}
,,,,,,,,
2023-05-02 12:20:23,,{TB},Exchange,{TF},100,USDT,$100,{X1}
5/2/2023 12:19,,{BTC1},,{BTC2},0.5,BTC,\"$14,000\",{X2}
2023-05-02 12:20:47,,{A},,{B},7,PEPE2,$0,{H3}
2023-05-02 12:20:59,,hello,,world,1,ETH,$0,{H3}
2023-05-02 12:21:11,,{A},,{TB},1,ETH,$0,{H3}
2023-05-02 12:21:23,,{TB},,{TF},1,TRX,$0,not-a-hash
2023-05-02 12:21:35,,{BTC1},,{BTC2},0.000000001,BTC,$0,{X2}
";
        let c = ok(&ImportOptions::default(), &format!("{HEADER}{body}"));
        assert_eq!((c.rows, c.skipped.get("empty separator row")), (9, Some(&1)));
        assert_eq!(c.chain, Some(("multiple".to_owned(), "address syntax of From/To".to_owned())));
        let usd: Vec<Option<&str>> = c.transfers.iter().map(|t| t.stated_usd.as_deref()).collect();
        assert_eq!(usd, [Some("1850500.00"), Some("2.50"), Some("100"), Some("14000")]);
        assert_eq!(
            brief(&c),
            [
                "2 ethereum {H1} native {A}>{B} 1000000000000000000000 ETH b=- t=1683029999 fee=-",
                "3 ethereum {H2} token {A}>{B} 2500000 {USDT} b=- t=1683030011 fee=-",
                "5 tron {X1} token {TB}>{TF} 100000000 {TUSDT} b=- t=1683030023 fee=-",
                "6 bitcoin {X2} native {BTC1}>{BTC2} 50000000 BTC b=- t=1683029940 fee=-",
            ]
        );
        assert_eq!(
            c.labels,
            [
                label("ethereum", "{A}", "Hacker", Category::Actor, 2),
                label("ethereum", "{B}", "Tornado Cash", Category::Unknown, 2),
                label("tron", "{TF}", "Exchange", Category::Exchange, 5),
            ]
        );
        let info = |chain: &str, asset: &str, symbol: &str| AssetInfo {
            chain: chain.into(),
            asset: testkit::fill(asset),
            symbol: Some(symbol.into()),
            decimals: Some(6),
            name: None,
        };
        assert_eq!(c.assets, [info("ethereum", "{USDT}", "USDT"), info("tron", "{TUSDT}", "USDT")]);
        assert_eq!(
            refusals(&c),
            [
                refusal(
                    7,
                    "Asset",
                    "found token PEPE2 whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass `--token-decimals PEPE2=N` with the token's decimals N"
                ),
                refusal(
                    8,
                    "From",
                    "found \"hello\": expected an address that tells the chain (0x… Ethereum, T… Tron, 1…/3…/bc1… Bitcoin), or --chain"
                ),
                refusal(9, "To", "found \"{TB}\": expected 0x followed by 40 hexadecimal digits (Ethereum address)"),
                refusal(10, "Txn Hash", "found \"not-a-hash\": expected 64 hexadecimal digits (Tron transaction hash)"),
                refusal(11, "Value", "found \"0.000000001\": expected at most 8 decimal places (BTC has 8 decimals)"),
            ]
        );
        // --token-decimals by symbol (any case) imports the unknown token as `symbol:PEPE2`.
        let opts = ImportOptions { token_decimals: [("pepe2".to_owned(), 18)].into(), ..ImportOptions::default() };
        let c = ok(&opts, &format!("{HEADER}{body}"));
        assert_eq!(
            brief(&c)[4],
            "7 ethereum {H3} token {A}>{B} 7000000000000000000 symbol:PEPE2 b=- t=1683030047 fee=-"
        );
        assert_eq!(c.assets.last().and_then(|a| a.symbol.as_deref()), Some("PEPE2"));
    }

    #[test]
    fn chain_from_option_or_column() {
        let body = "2023-05-02 12:19:59,Binance 14,{A},,{B},0.1,BNB,$30,{H1}\n2023-05-02 12:20:11,,{A},,{B},0.1,ETH,$185,{H2}\n";
        let bsc = ImportOptions { chain: Some("bsc".into()), ..ImportOptions::default() };
        let c = ok(&bsc, &format!("{HEADER}{body}"));
        assert_eq!(brief(&c), ["2 bsc {H1} native {A}>{B} 100000000000000000 BNB b=- t=1683029999 fee=-"]);
        assert_eq!(c.chain, Some(("bsc".to_owned(), "--chain option".to_owned())));
        assert_eq!(c.labels, [label("bsc", "{A}", "Binance 14", Category::Unknown, 2)]);
        assert_eq!(
            refusals(&c),
            [refusal(
                3,
                "Asset",
                "found token ETH whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass `--token-decimals ETH=N` with the token's decimals N"
            )]
        );
        // A `Chain` column (Arkham's multi-chain exports), without --chain.
        let csv = "Chain,Timestamp,From,To,Value,Asset,Txn Hash\narbitrum_one,1683029999,{A},{B},3,ETH,{H1}\nsolana,1683029999,{A},{B},3,SOL,{H2}\n";
        let c = ok(&ImportOptions::default(), csv);
        assert_eq!(brief(&c), ["2 arbitrum {H1} native {A}>{B} 3000000000000000000 ETH b=- t=1683029999 fee=-"]);
        assert_eq!(c.refused.len(), 1);
        assert!(c.refused[0].message.starts_with("found \"solana\": expected a chain id (arbitrum, avalanche, base"));
    }
}
