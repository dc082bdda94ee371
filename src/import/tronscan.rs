//! Tronscan TRX and TRC-20 transfer exports:
//!
//! ```text
//! Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,tokenAddress,isConfirm
//! ```
//!
//! Column names are matched case-, space- and `_`-insensitively; `Tx Hash`, `from`, `to` and
//! `value` are required, the others optional. The chain is always `tron` (`--chain` may only say
//! `tron`).
//!
//! * `value` is in display units, converted exactly. A row without `tokenAddress` (empty, `_`
//!   or `TRX`) is a [`TransferKind::Native`] TRX transfer (6 decimals); its `symbol`, if any, must
//!   be `TRX` (TRC-10 tokens have no contract and are refused). A row with a `tokenAddress` is a
//!   [`TransferKind::Token`] transfer whose asset is the contract (base58 `T…`); decimals come
//!   from `assets/tokens.ron` (USDT, USDC, USDD), else `--token-decimals` by contract (exact) or
//!   symbol (any case), else the row is refused. One [`AssetInfo`] is emitted per token.
//! * Time comes from `blockTime(UTC)`; when that is absent or empty, from `blockTime(UTC+8)`
//!   minus 8 hours (unless that cell is Unix seconds or carries its own offset).
//! * `isConfirm` false refuses the row: an unconfirmed transfer may still vanish.
//! * Hashes are stored as 64 lower-case hex digits without `0x` (a `0x` is removed); addresses
//!   are checked against their base58check checksum. Tronscan gives no fee, failure flag or
//!   log index: `fee_base` is `None`, `failed` false, `position` `None`.

use std::io::BufRead;

use csv::ByteRecord;

use super::csvutil::{Columns, CsvFile};
use super::explorer_common::{self as common, opt, req};
use super::{AssetInfo, ReadContext, ReadError, Refusal, Sink};
use crate::model::{Chain, Transfer, TransferKind, registry};

/// Hours Tronscan's `blockTime(UTC+8)` is ahead of UTC.
const UTC8_OFFSET_SECS: i64 = 8 * 3600;

struct Cols {
    hash: usize,
    block: Option<usize>,
    utc: Option<usize>,
    utc8: Option<usize>,
    from: usize,
    to: usize,
    value: usize,
    symbol: Option<usize>,
    token: Option<usize>,
    confirm: Option<usize>,
}

impl Cols {
    fn new(c: &Columns) -> Result<Self, ReadError> {
        Ok(Cols {
            hash: c.require("transaction hash", &["txhash", "transactionhash", "hash", "transactionid"])?,
            block: c.find(&["blockheight", "block", "blocknumber"]),
            utc: c.find(&["blocktime(utc)", "blocktimeutc"]),
            utc8: c.find(&["blocktime(utc+8)", "blocktimeutc+8"]),
            from: c.require("sender", &["from", "fromaddress"])?,
            to: c.require("receiver", &["to", "toaddress"])?,
            value: c.require("amount", &["value", "amount", "quant"])?,
            symbol: c.find(&["symbol", "tokensymbol"]),
            token: c.find(&["tokenaddress", "contractaddress"]),
            confirm: c.find(&["isconfirm", "confirmed"]),
        })
    }
}

/// Reads a Tronscan TRX / TRC-20 CSV into `sink`.
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
    common::drive(&mut cf, sink, |cf, rec, line| parse_row(cf, rec, line, &cols, chain, ctx))
}

fn parse_row(
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
    let block = opt(cf, rec, c.block, line)?.map(|(t, f)| common::integer(t, "a block number", line, f)).transpose()?;
    let order = ctx.options.date_order;
    let time = match (opt(cf, rec, c.utc, line)?, opt(cf, rec, c.utc8, line)?) {
        (Some((t, f)), _) => Some(common::time(t, order, line, f)?),
        (None, Some((t, f))) => {
            let v = common::time(t, order, line, f)?;
            let zoned = t.bytes().all(|b| b.is_ascii_digit())
                || t.contains(['+', 'Z'])
                || t.to_ascii_uppercase().contains("UTC");
            Some(if zoned { v } else { v - UTC8_OFFSET_SECS })
        }
        (None, None) => None,
    };
    let (t, f) = req(cf, rec, c.from, line)?;
    let from = common::address(chain, t, line, f)?;
    let (t, f) = req(cf, rec, c.to, line)?;
    let to = common::address(chain, t, line, f)?;
    let symbol = opt(cf, rec, c.symbol, line)?;
    let token = opt(cf, rec, c.token, line)?.filter(|(t, _)| *t != "_" && !common::is_native(chain, t));
    let (kind, asset, decimals, info) = match token {
        None => {
            if let Some((s, f)) = symbol.filter(|(s, _)| !common::is_native(chain, s)) {
                let msg = format!(
                    "found {s:?} without a tokenAddress: expected TRX, or a TRC-20 token with its tokenAddress"
                );
                return Err(Refusal::new(line, f, msg));
            }
            (TransferKind::Native, chain.native.clone(), chain.decimals, None)
        }
        Some((t, f)) => {
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
            (TransferKind::Token, contract, d, Some(info))
        }
    };
    let (v, vf) = req(cf, rec, c.value, line)?;
    let fallback = if kind == TransferKind::Native { chain.native.as_str() } else { "the token" };
    let unit = symbol.map_or(fallback, |(s, _)| s);
    let amount = common::display_amount(v, decimals, unit, line, vf)?;
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
        stated_usd: None,
    };
    Ok((transfer, info))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::explorer_common::testkit::{self, brief, refusal, refusals};
    use crate::import::{Collected, ImportOptions};

    const HEADER: &str =
        "Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,tokenAddress,isConfirm\n";

    fn run(opts: &ImportOptions, csv: &str) -> Result<Collected, ReadError> {
        testkit::run(read, "tronscan-TBHTJ.csv", opts, csv)
    }

    fn ok(opts: &ImportOptions, csv: &str) -> Collected {
        run(opts, csv).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn trx_and_trc20_rows() {
        let body = "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB,50000000,2023-05-02 20:19:59,2023-05-02 12:19:59,{TB},{TF},\"1,234.567891\",TRX,,true
{X1},50000001,2023-05-02 20:20:11,2023-05-02 12:20:11,{TF},{TB},100.5,USDT,{TUSDT},True
0x{X2},50000002,2023-05-02 20:20:23,,{TF},{TB},0.000001,USDT,{TUSDT},TRUE
{X1},50000003,2023-05-02 20:20:35,2023-05-02 12:20:35,{TB},{TF},5,USDT,{TUSDT},false
{X1},50000004,2023-05-02 20:20:47,2023-05-02 12:20:47,{TB},{TF},5,FAKE,{TB},true
{X1},50000005,2023-05-02 20:20:59,2023-05-02 12:20:59,TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T,{TF},5,TRX,,true
{X1},50000006,2023-05-02 20:21:11,2023-05-02 12:21:11,{TB},{TF},5,BTT,,true
0x12,50000007,2023-05-02 20:21:23,2023-05-02 12:21:23,{TB},{TF},5,TRX,_,true
{X1},50000008,2023-05-02 20:21:35,2023-05-02 12:21:35,{TB},{TF},1.0000001,TRX,,true
{X1},50000009,2023-05-02 20:21:47,2023-05-02 12:21:47,{TB},{TF},5,TRX,,maybe
";
        let c = ok(&ImportOptions::default(), &format!("{HEADER}{body}"));
        assert_eq!(c.rows, 10);
        assert_eq!(
            brief(&c),
            [
                "2 tron {X4} native {TB}>{TF} 1234567891 TRX b=50000000 t=1683029999 fee=-",
                "3 tron {X1} token {TF}>{TB} 100500000 {TUSDT} b=50000001 t=1683030011 fee=-",
                "4 tron {X2} token {TF}>{TB} 1 {TUSDT} b=50000002 t=1683030023 fee=-",
            ]
        );
        let usdt = AssetInfo {
            chain: "tron".into(),
            asset: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t".into(),
            symbol: Some("USDT".into()),
            decimals: Some(6),
            name: None,
        };
        assert_eq!(c.assets, [usdt]);
        assert_eq!(
            refusals(&c),
            [
                refusal(
                    5,
                    "isConfirm",
                    "found \"false\", not confirmed: expected a confirmed transfer; re-export it once confirmed"
                ),
                refusal(
                    6,
                    "tokenAddress",
                    "found token {TB} (FAKE) whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass `--token-decimals {TB}=N` with the token's decimals N"
                ),
                refusal(
                    7,
                    "from",
                    "found \"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T\": expected a base58check address starting with T (or 41 + 40 hex digits) (Tron address)"
                ),
                refusal(
                    8,
                    "symbol",
                    "found \"BTT\" without a tokenAddress: expected TRX, or a TRC-20 token with its tokenAddress"
                ),
                refusal(9, "Tx Hash", "found \"0x12\": expected 64 hexadecimal digits (Tron transaction hash)"),
                refusal(10, "value", "found \"1.0000001\": expected at most 6 decimal places (TRX has 6 decimals)"),
                refusal(11, "isConfirm", "found \"maybe\": expected true or false"),
            ]
        );
        // --token-decimals by the exact contract resolves the unknown token.
        let key = testkit::fill("{TB}");
        let opts = ImportOptions { token_decimals: [(key, 3)].into(), ..ImportOptions::default() };
        let c = ok(&opts, &format!("{HEADER}{body}"));
        assert_eq!(brief(&c)[3], "6 tron {X1} token {TB}>{TF} 5000 {TB} b=50000004 t=1683030047 fee=-");
    }

    #[test]
    fn minimal_header_and_file_errors() {
        // Only the required columns, in another order, and an unquoted Unix time in UTC+8.
        let csv = "value,to,from,Tx Hash,blockTime(UTC+8)\n2,{TF},{TB},{X1},1683029999\n";
        assert_eq!(
            brief(&ok(&ImportOptions::default(), csv)),
            ["2 tron {X1} native {TB}>{TF} 2000000 TRX b=- t=1683029999 fee=-"]
        );
        let eth = ImportOptions { chain: Some("ethereum".into()), ..ImportOptions::default() };
        let e = run(&eth, HEADER).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("line 1: found --chain ethereum: expected tron for a Tronscan export"));
        let e = run(&ImportOptions::default(), "Tx Hash,from,to\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("line 1: header has no amount column (looked for value, amount, quant)"), "{e}");
    }
}
