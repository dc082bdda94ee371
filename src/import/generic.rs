//! hoptrace's generic transfers CSV: the format to convert any other source into.
//!
//! One data row is one movement of one asset from one address to another. The first line is
//! the header. Columns may come in any order, and their names are matched case-insensitively,
//! ignoring spaces, `_` and `-` (`tx_hash`, `TxHash` and `TX HASH` are the same column); other
//! columns are ignored. Cells may be quoted (RFC 4180; quote a cell that holds a comma). Blank
//! lines and rows of empty cells are skipped and counted. A row may end with one extra empty
//! cell (a trailing comma).
//!
//! | column | required | content |
//! |---|---|---|
//! | `chain` | yes | chain id: `ethereum`, `bsc`, `polygon`, `arbitrum`, `optimism`, `base`, `avalanche`, `fantom`, `bitcoin`, `tron` (any case). An empty cell takes `--chain`, if given. |
//! | `tx_hash` | yes | transaction hash: EVM chains `0x` + 64 hex digits; Tron and Bitcoin 64 hex digits (a `0x` is removed). Stored lower case. |
//! | `from` | yes | sender address. EVM addresses in any case (stored lower case); Tron (`T…`, or `41…` hex) and Bitcoin (`1…`, `3…`, `bc1…`) addresses must pass their checksum. |
//! | `to` | yes | receiver address, same rules. |
//! | `asset` | yes | the chain's native symbol (`ETH`, `BNB`, `POL`/`MATIC`, `TRX`, `BTC`…; any case), a token contract address of the chain, or `symbol:XYZ` for a token known only by its ticker. |
//! | `amount` | yes | see *Amounts*. |
//! | `position` | no | log index (tokens) or position within the transaction, a whole number. |
//! | `block` | no | block height, a whole number. |
//! | `time` | no | block time in UTC: Unix seconds (or milliseconds), ISO 8601 (`2023-05-02 12:19:59`, `2023-05-02T12:19:59Z`, with offsets), or a spreadsheet date (`5/2/2023 12:19`, read per `--date-order`). |
//! | `decimals` | no | decimal places of the asset's display unit, 0 to 77. |
//! | `fee` | no | fee paid by the sender, in the chain's native asset: an integer is base units (wei, sun, satoshi); with a `.` it is display units (`0.00042` ETH). |
//! | `kind` | no | `native`, `internal` (a value movement made by a contract) or `token`. Empty or absent: `native` when `asset` is the native symbol, else `token`. `native`/`internal` need the native asset and `token` a non-native one. |
//! | `failed` | no | `true`/`false` (also `yes`/`no`, `1`/`0`); empty is false. A failed transaction is kept as evidence of the attempt. |
//!
//! # Amounts
//! `amount` is an integer number of base units (wei, sun, satoshi, a token's smallest unit):
//! `1500000000000000000` is 1.5 ETH. Only when the file has a `decimals` column **and** the
//! amount contains a `.` is it read in display units with that row's `decimals`: `1.5` with
//! `decimals` 18 is `1500000000000000000`. A `.` without a `decimals` column, or with an empty
//! `decimals` cell, is refused; so are fractional digits beyond `decimals` other than zeros.
//! Comma thousands separators grouping by threes are accepted (`"1,250.5"`, quoted). Signs,
//! exponents (`1.5E+18`, what spreadsheets make of long numbers) and values over 2^256 − 1 base
//! units are refused. A `decimals` value given for the native asset or for a token in the
//! registry (`assets/tokens.ron`) must agree with it.
//!
//! For each token asset one asset record (symbol, decimals) is stored: the symbol from the
//! registry or from `symbol:XYZ`, the decimals from the row, the registry or `--token-decimals`.
//! On Bitcoin a row is an account-style `from` → `to` transfer: inputs and outputs are not
//! modelled by this format.
//!
//! # Example
//! ```text
//! chain,tx_hash,position,block,time,from,to,asset,amount,decimals,fee,kind,failed
//! ethereum,0x3333333333333333333333333333333333333333333333333333333333333333,,17170000,2023-05-02 12:19:59,0x8589427373d6d84e98730d7795d8f6f8731fda16,0x722122df12d4e14e13ac3b6895a86e84145b6967,ETH,1500000000000000000,,420000000000000,,
//! ethereum,0x3333333333333333333333333333333333333333333333333333333333333333,12,17170000,2023-05-02T12:19:59Z,0x722122df12d4e14e13ac3b6895a86e84145b6967,0x8589427373d6d84e98730d7795d8f6f8731fda16,0xdac17f958d2ee523a2206206994597c13d831ec7,"1,250.5",6,,token,
//! tron,abababababababababababababababababababababababababababababababab,,50000000,1683029999,TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre,TFdTr9C3BqQrzKBXqSxJfAZFTh8UwBAfSg,TRX,2500000,,,,
//! bsc,0x1111111111111111111111111111111111111111111111111111111111111111,,27000000,5/2/2023 12:19,0x8589427373d6d84e98730d7795d8f6f8731fda16,0x722122df12d4e14e13ac3b6895a86e84145b6967,symbol:FOO,42,,,,true
//! ```

use std::io::BufRead;

use csv::ByteRecord;

use super::csvutil::CsvFile;
use super::explorer_common::{self as common, opt, req};
use super::{AssetInfo, ReadContext, ReadError, Refusal, Sink};
use crate::model::{Chain, Transfer, TransferKind, registry};

struct Cols {
    chain: usize,
    hash: usize,
    from: usize,
    to: usize,
    asset: usize,
    amount: usize,
    position: Option<usize>,
    block: Option<usize>,
    time: Option<usize>,
    decimals: Option<usize>,
    fee: Option<usize>,
    kind: Option<usize>,
    failed: Option<usize>,
}

/// Reads a generic transfers CSV (see the module docs) into `sink`.
///
/// # Errors
/// [`ReadError`] when a required column is missing, `--chain` is unknown, or the CSV itself is
/// broken.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let forced = common::chain_option(ctx)?;
    let mut cf = CsvFile::open(input)?;
    let c = &cf.columns;
    let cols = Cols {
        chain: c.require("chain", &["chain"])?,
        hash: c.require("tx_hash", &["txhash"])?,
        from: c.require("from", &["from"])?,
        to: c.require("to", &["to"])?,
        asset: c.require("asset", &["asset"])?,
        amount: c.require("amount", &["amount"])?,
        position: c.find(&["position"]),
        block: c.find(&["block"]),
        time: c.find(&["time"]),
        decimals: c.find(&["decimals"]),
        fee: c.find(&["fee"]),
        kind: c.find(&["kind"]),
        failed: c.find(&["failed"]),
    };
    common::drive(&mut cf, sink, |cf, rec, line| parse_row(cf, rec, line, &cols, forced, ctx))
}

/// What the `asset` cell names.
struct Asset {
    key: String,
    native: bool,
    symbol: Option<String>,
    /// Decimals the registry fixes (native asset, known token): a `decimals` cell must agree.
    fixed: Option<u8>,
    /// Decimals from `--token-decimals`, for the asset record only.
    given: Option<u8>,
}

fn asset(chain: &Chain, text: &str, line: u64, field: &str, ctx: &ReadContext<'_>) -> Result<Asset, Refusal> {
    if common::is_native(chain, text) {
        let native = Some(chain.decimals);
        return Ok(Asset { key: chain.native.clone(), native: true, symbol: None, fixed: native, given: None });
    }
    if let Some(sym) = text.get(..7).filter(|p| p.eq_ignore_ascii_case("symbol:")).and_then(|_| text.get(7..)) {
        let sym = sym.trim();
        if sym.is_empty() || sym.contains(char::is_whitespace) {
            return Err(Refusal::new(
                line,
                field,
                format!("found {text:?}: expected a ticker after symbol:, e.g. symbol:USDT"),
            ));
        }
        let given = common::token_decimals(ctx, chain, None, Some(sym));
        return Ok(Asset {
            key: format!("symbol:{sym}"),
            native: false,
            symbol: Some(sym.to_owned()),
            fixed: None,
            given,
        });
    }
    let contract = common::address(chain, text, line, field).map_err(|_| {
        let msg = format!(
            "found {text:?}: expected the native symbol {}, a token contract address of {} or symbol:XYZ",
            chain.native, chain.name
        );
        Refusal::new(line, field, msg)
    })?;
    let known = registry().token(&chain.id, &contract).filter(|t| t.contract.eq_ignore_ascii_case(&contract));
    let given = common::token_decimals(ctx, chain, Some(&contract), None);
    let (symbol, fixed) = (known.map(|t| t.symbol.clone()), known.map(|t| t.decimals));
    Ok(Asset { key: contract, native: false, symbol, fixed, given })
}

fn parse_row(
    cf: &CsvFile<'_>,
    rec: &ByteRecord,
    line: u64,
    c: &Cols,
    forced: Option<&'static Chain>,
    ctx: &ReadContext<'_>,
) -> Result<(Transfer, Option<AssetInfo>), Refusal> {
    cf.check_width(rec, line)?;
    let reg = registry();
    let chain = match (opt(cf, rec, Some(c.chain), line)?, forced) {
        (Some((t, f)), _) => reg.chain(&t.to_ascii_lowercase()).map_err(|_| {
            Refusal::new(line, f, format!("found {t:?}: expected a chain id ({})", reg.chain_ids().join(", ")))
        })?,
        (None, Some(chain)) => chain,
        (None, None) => return Err(Refusal::new(line, cf.name(c.chain), "empty: expected a chain id (or --chain)")),
    };
    let (h, f) = req(cf, rec, c.hash, line)?;
    let tx_hash = common::tx_hash(chain, h, line, f)?;
    let int = |idx: Option<usize>, what: &str| {
        opt(cf, rec, idx, line)?.map(|(t, f)| common::integer(t, what, line, f)).transpose()
    };
    let position = int(c.position, "a position")?;
    let block = int(c.block, "a block number")?;
    let time =
        opt(cf, rec, c.time, line)?.map(|(t, f)| common::time(t, ctx.options.date_order, line, f)).transpose()?;
    let (t, f) = req(cf, rec, c.from, line)?;
    let from = common::address(chain, t, line, f)?;
    let (t, f) = req(cf, rec, c.to, line)?;
    let to = common::address(chain, t, line, f)?;
    let (a_text, af) = req(cf, rec, c.asset, line)?;
    let a = asset(chain, a_text, line, af, ctx)?;
    let decimals = match opt(cf, rec, c.decimals, line)? {
        None => None,
        Some((t, f)) => match t.parse::<u8>() {
            Ok(d) if d <= 77 && t.bytes().all(|b| b.is_ascii_digit()) => match a.fixed {
                Some(k) if k != d => {
                    return Err(Refusal::new(line, f, format!("found {d}: expected {k}, the decimals of {a_text}")));
                }
                _ => Some(d),
            },
            _ => return Err(Refusal::new(line, f, format!("found {t:?}: expected decimal places, 0 to 77"))),
        },
    };
    let kind = match opt(cf, rec, c.kind, line)? {
        None if a.native => TransferKind::Native,
        None => TransferKind::Token,
        Some((t, f)) => {
            let kind = match t.to_ascii_lowercase().as_str() {
                "native" => TransferKind::Native,
                "internal" => TransferKind::Internal,
                "token" => TransferKind::Token,
                _ => return Err(Refusal::new(line, f, format!("found {t:?}: expected native, internal or token"))),
            };
            if (kind == TransferKind::Token) == a.native {
                let want = if a.native { "native or internal" } else { "token" };
                return Err(Refusal::new(line, f, format!("found {t:?} for asset {a_text}: expected {want}")));
            }
            kind
        }
    };
    let (t, f) = req(cf, rec, c.amount, line)?;
    let amount = match (t.contains('.'), c.decimals.is_some(), decimals) {
        (true, _, Some(d)) => common::display_amount(t, d, a_text, line, f)?,
        (true, true, None) => {
            let msg = format!("found {t:?} with an empty decimals cell: expected an integer number of base units");
            return Err(Refusal::new(line, f, msg));
        }
        (true, false, _) => {
            let msg = format!(
                "found {t:?}: expected an integer number of base units (display amounts need a decimals column)"
            );
            return Err(Refusal::new(line, f, msg));
        }
        (false, ..) => common::base_amount(t, line, f)?,
    };
    let fee = match opt(cf, rec, c.fee, line)? {
        Some((t, f)) if t.contains('.') => Some(common::display_amount(t, chain.decimals, &chain.native, line, f)?),
        Some((t, f)) => Some(common::base_amount(t, line, f)?),
        None => None,
    };
    let failed = match opt(cf, rec, c.failed, line)? {
        None => false,
        Some((t, f)) => {
            common::boolean(t).ok_or_else(|| Refusal::new(line, f, format!("found {t:?}: expected true or false")))?
        }
    };
    let info = (!a.native).then(|| AssetInfo {
        chain: chain.id.clone(),
        asset: a.key.clone(),
        symbol: a.symbol.clone(),
        decimals: decimals.or(a.fixed).or(a.given),
        name: None,
    });
    let transfer = Transfer {
        chain: chain.id.clone(),
        tx_hash,
        kind,
        position,
        block,
        time,
        from: Some(from),
        to: Some(to),
        asset: a.key,
        amount_base: amount,
        fee_base: fee,
        failed,
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

    /// The module docs' example, verbatim.
    const EXAMPLE: &str = "chain,tx_hash,position,block,time,from,to,asset,amount,decimals,fee,kind,failed
ethereum,0x3333333333333333333333333333333333333333333333333333333333333333,,17170000,2023-05-02 12:19:59,0x8589427373d6d84e98730d7795d8f6f8731fda16,0x722122df12d4e14e13ac3b6895a86e84145b6967,ETH,1500000000000000000,,420000000000000,,
ethereum,0x3333333333333333333333333333333333333333333333333333333333333333,12,17170000,2023-05-02T12:19:59Z,0x722122df12d4e14e13ac3b6895a86e84145b6967,0x8589427373d6d84e98730d7795d8f6f8731fda16,0xdac17f958d2ee523a2206206994597c13d831ec7,\"1,250.5\",6,,token,
tron,abababababababababababababababababababababababababababababababab,,50000000,1683029999,TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre,TFdTr9C3BqQrzKBXqSxJfAZFTh8UwBAfSg,TRX,2500000,,,,
bsc,0x1111111111111111111111111111111111111111111111111111111111111111,,27000000,5/2/2023 12:19,0x8589427373d6d84e98730d7795d8f6f8731fda16,0x722122df12d4e14e13ac3b6895a86e84145b6967,symbol:FOO,42,,,,true
";

    fn run(opts: &ImportOptions, csv: &str) -> Result<Collected, ReadError> {
        testkit::run(read, "case-transfers.csv", opts, csv)
    }

    fn ok(csv: &str) -> Collected {
        run(&ImportOptions::default(), csv).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn documented_example_and_more_rows() {
        let more = "Bitcoin,{X2},,790000,,{BTC1},{BTC2},btc,50000000,8,0.0001,,no
ethereum,{H2},3,17170001,1683030011,{AM},{B},ETH,0.25,18,21000,internal,1
ethereum,{H2},,,,{A},{B},ETH,1.5,,,,
ethereum,{H2},,,,{A},{B},ETH,1,6,,,
ethereum,{H2},,,,{A},{B},ETH,1,,,token,
dogechain,{H2},,,,{A},{B},ETH,1,,,,
ethereum,{H2},,,,{A},{B},XYZ,1,,,,
ethereum,{H2},,,,{A},{B},ETH,1,,,,maybe
ethereum,{H2},,,,{A},{B},ETH,1E+18,,,,
ethereum,{H2},-1,,,{A},{B},ETH,1,,,,
,{H2},,,,{A},{B},ETH,1,,,,
";
        let c = ok(&format!("{EXAMPLE}{}", testkit::fill(more)));
        assert_eq!(
            brief(&c),
            [
                "2 ethereum {H3} native {A}>{B} 1500000000000000000 ETH b=17170000 t=1683029999 fee=420000000000000",
                "3 ethereum {H3} token {B}>{A} 1250500000 {USDT} b=17170000 t=1683029999 fee=- pos=12",
                "4 tron {X4} native {TB}>{TF} 2500000 TRX b=50000000 t=1683029999 fee=-",
                "5 bsc {H1} token {A}>{B} 42 symbol:FOO b=27000000 t=1683029940 fee=- failed",
                "6 bitcoin {X2} native {BTC1}>{BTC2} 50000000 BTC b=790000 t=- fee=10000",
                "7 ethereum {H2} internal {A}>{B} 250000000000000000 ETH b=17170001 t=1683030011 fee=21000 failed pos=3",
            ]
        );
        let info = |chain: &str, asset: &str, symbol: &str, decimals| AssetInfo {
            chain: chain.into(),
            asset: testkit::fill(asset),
            symbol: Some(symbol.into()),
            decimals,
            name: None,
        };
        assert_eq!(c.assets, [info("ethereum", "{USDT}", "USDT", Some(6)), info("bsc", "symbol:FOO", "FOO", None)]);
        assert_eq!(
            refusals(&c),
            [
                refusal(
                    8,
                    "amount",
                    "found \"1.5\" with an empty decimals cell: expected an integer number of base units"
                ),
                refusal(9, "decimals", "found 6: expected 18, the decimals of ETH"),
                refusal(10, "kind", "found \"token\" for asset ETH: expected native or internal"),
                refusal(
                    11,
                    "chain",
                    "found \"dogechain\": expected a chain id (arbitrum, avalanche, base, bitcoin, bsc, ethereum, fantom, optimism, polygon, tron)"
                ),
                refusal(
                    12,
                    "asset",
                    "found \"XYZ\": expected the native symbol ETH, a token contract address of Ethereum or symbol:XYZ"
                ),
                refusal(13, "failed", "found \"maybe\": expected true or false"),
                refusal(
                    14,
                    "amount",
                    "found \"1E+18\": expected plain digits, not scientific notation (a spreadsheet rounded it; re-export)"
                ),
                refusal(15, "position", "found \"-1\": expected a position, a whole number such as 17123456"),
                refusal(16, "chain", "empty: expected a chain id (or --chain)"),
            ]
        );
        // An empty chain cell takes --chain.
        let bsc = ImportOptions { chain: Some("bsc".into()), ..ImportOptions::default() };
        let c = run(&bsc, &testkit::fill("chain,tx_hash,from,to,asset,amount\n,{H1},{A},{B},bnb,7\n"));
        assert_eq!(c.map(|c| brief(&c)).ok(), Some(vec!["2 bsc {H1} native {A}>{B} 7 BNB b=- t=- fee=-".to_owned()]));
    }

    #[test]
    fn header_variants_and_file_errors() {
        // Any order and case, no optional columns, a trailing comma, --token-decimals for the record.
        let csv =
            "Amount,Asset,To,From,TX_HASH,Chain\n\"1,000\",{B},{B},{A},{H1},ethereum,\n2.5,ETH,{B},{A},{H1},ethereum\n";
        let opts = ImportOptions { token_decimals: [(testkit::fill("{B}"), 4)].into(), ..ImportOptions::default() };
        let c = run(&opts, &testkit::fill(csv)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(brief(&c), ["2 ethereum {H1} token {A}>{B} 1000 {B} b=- t=- fee=-"]);
        assert_eq!(c.assets.first().map(|a| a.decimals), Some(Some(4)));
        assert_eq!(
            refusals(&c),
            [refusal(
                3,
                "Amount",
                "found \"2.5\": expected an integer number of base units (display amounts need a decimals column)"
            )]
        );
        let e = run(&ImportOptions::default(), "chain,tx_hash,from,to,amount\n").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("line 1: header has no asset column (looked for asset); header is: chain,tx_hash,from,to,amount")
        );
    }
}
