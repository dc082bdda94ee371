//! Etherscan-family "Download CSV" exports (Etherscan, BscScan, Polygonscan, Arbiscan, Basescan,
//! Optimistic Etherscan, Snowtrace, FtmScan): normal, internal and token transactions.
//!
//! Column names are matched case-, space- and `_`-insensitively, and every historical spelling
//! is accepted: `Transaction Hash`/`Txhash`, `Blockno`, `UnixTimestamp`, `DateTime (UTC)`/
//! `DateTime`, `From`, `To` (`TxTo` in internal exports), `ContractAddress`, `Value_IN(…)`,
//! `Value_OUT(…)`, `TxnFee(…)`, `Status`, `ErrCode`, `TokenValue`/`Value`/`Quantity`,
//! `TokenName`, `TokenSymbol`. Other columns (`Method`, `PrivateNote`, USD prices) are ignored.
//!
//! Amounts are display units and are converted exactly: native decimals come from the chain
//! registry; token decimals from `assets/tokens.ron` by contract, else `--token-decimals` by
//! contract or symbol, else the row is refused (decimals are never guessed).
//!
//! * normal: one [`TransferKind::Native`] transfer `From` → `To` (`ContractAddress` when `To`
//!   is empty: a contract creation), amount the non-zero one of `Value_IN`/`Value_OUT` (both
//!   non-zero is refused unless `From` = `To` and they are equal), fee from `TxnFee`;
//! * internal: [`TransferKind::Internal`], `From` → `TxTo` (or `ContractAddress`), no fee;
//! * token: [`TransferKind::Token`], asset = the contract, and one [`AssetInfo`] per token.
//!
//! A row is failed (kept, with `failed`) when `ErrCode` is non-empty or `Status` reads
//! `Error(…)`, `fail…` or `revert…`; a bare `1`/`0` in `Status` means error/success only in
//! internal exports (or an `isError` column), elsewhere it is ambiguous and refused.
//! Time comes from `UnixTimestamp`, else from `DateTime` (spreadsheet dates as `--date-order`
//! says). Explorers give no log index: `position` is `None`.
//!
//! # Which chain
//! 1. `--chain`, when given (it must be an EVM chain, and must agree with the header's unit);
//! 2. else the unit of `Value_IN(…)`/`Value_OUT(…)`/`TxnFee(…)`/`ParentTx…_Value`: `BNB` → bsc,
//!    `MATIC`/`POL` → polygon, `AVAX` → avalanche, `FTM` → fantom (any chain whose registry
//!    native symbol it is), `ETH` → ethereum unless the file name hints an ETH-native chain
//!    (`arbiscan`/`arbitrum` → arbitrum, `optimistic`/`optimism` → optimism, `basescan` →
//!    base); any other unit stops the import asking for `--chain`;
//! 3. else (token exports have no unit) the file name: `bscscan`, `polygonscan`, `arbiscan`,
//!    `optimism`, `basescan`, `snowtrace`/`snowscan`, `ftmscan`, `etherscan`;
//! 4. else ethereum for token exports; a normal or internal export stops asking for `--chain`.

use std::io::BufRead;

use csv::ByteRecord;

use super::csvutil::{Columns, CsvFile};
use super::explorer_common::{self as common, opt, req};
use super::{AssetInfo, Format, ReadContext, ReadError, Refusal, Sink};
use crate::model::{AddressRule, Amount, Chain, Transfer, TransferKind, registry};

/// File-name hints, checked in order (`optimistic.etherscan.io` names contain "etherscan").
const FILE_HINTS: [(&str, &str); 11] = [
    ("arbiscan", "arbitrum"),
    ("arbitrum", "arbitrum"),
    ("optimistic", "optimism"),
    ("optimism", "optimism"),
    ("basescan", "base"),
    ("bscscan", "bsc"),
    ("polygonscan", "polygon"),
    ("snowtrace", "avalanche"),
    ("snowscan", "avalanche"),
    ("ftmscan", "fantom"),
    ("etherscan", "ethereum"),
];

enum Value {
    InOut { vin: Option<usize>, vout: Option<usize>, fee: Option<usize> },
    Token { value: usize, contract: usize, symbol: Option<usize>, name: Option<usize> },
}

struct Cols {
    hash: usize,
    block: Option<usize>,
    unix: Option<usize>,
    datetime: Option<usize>,
    from: usize,
    to: usize,
    contract: Option<usize>,
    value: Value,
    status: Option<usize>,
    errcode: Option<usize>,
    kind: TransferKind,
    digits_mean_error: bool,
}

impl Cols {
    fn new(format: Format, c: &Columns) -> Result<Self, ReadError> {
        let kind = match format {
            Format::EtherscanNormal => TransferKind::Native,
            Format::EtherscanInternal => TransferKind::Internal,
            Format::EtherscanToken => TransferKind::Token,
            other => {
                return Err(ReadError::format(1, format!("found format {other}: expected an etherscan-* format")));
            }
        };
        let to = if kind == TransferKind::Internal { &["txto", "to"][..] } else { &["to"][..] };
        let value = if kind == TransferKind::Token {
            Value::Token {
                value: c.require("token amount", &["tokenvalue", "value", "quantity"])?,
                contract: c.require("token contract", &["contractaddress"])?,
                symbol: c.find(&["tokensymbol", "symbol"]),
                name: c.find(&["tokenname"]),
            }
        } else {
            let vin = c.find_prefix("valuein(").map(|(i, _)| i);
            let vout = c.find_prefix("valueout(").map(|(i, _)| i);
            if vin.is_none() && vout.is_none() {
                return Err(ReadError::format(
                    1,
                    format!("header has no Value_IN(…) or Value_OUT(…) column; header is: {}", c.names.join(",")),
                ));
            }
            let fee = c.normalized().iter().position(|n| n.starts_with("txnfee(") && n != "txnfee(usd)");
            Value::InOut { vin, vout, fee: fee.filter(|_| kind == TransferKind::Native) }
        };
        let status = c.find(&["status", "iserror"]);
        Ok(Cols {
            hash: c.require("transaction hash", &["transactionhash", "txhash", "txnhash"])?,
            block: c.find(&["blockno", "blocknumber", "block"]),
            unix: c.find(&["unixtimestamp"]),
            datetime: c.find(&["datetime(utc)", "datetime", "datetimeutc"]),
            from: c.require("sender", &["from"])?,
            to: c.require("receiver", to)?,
            contract: c.find(&["contractaddress"]),
            value,
            status,
            errcode: c.find(&["errcode", "errorcode"]),
            kind,
            digits_mean_error: kind == TransferKind::Internal
                || status.is_some_and(|i| c.normalized().get(i).is_some_and(|n| n == "iserror")),
        })
    }
}

/// Reads an Etherscan-family CSV of `format` (normal, internal or token) into `sink`.
///
/// # Errors
/// [`ReadError`] when a required column is missing, the chain cannot be told (see the module
/// docs), or the CSV itself is broken.
pub fn read(
    format: Format,
    input: &mut dyn BufRead,
    ctx: &ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let mut cf = CsvFile::open(input)?;
    let cols = Cols::new(format, &cf.columns)?;
    let chain = choose_chain(format, &cf.columns, ctx)?;
    common::drive(&mut cf, sink, |cf, rec, line| parse_row(cf, rec, line, &cols, chain, ctx))
}

/// The native unit the header names (`Value_IN(BNB)` → `BNB`), with the column that says so.
fn header_unit(c: &Columns) -> Result<Option<(String, String)>, ReadError> {
    let mut found: Option<(String, String)> = None;
    for (i, n) in c.normalized().iter().enumerate() {
        let unit = ["valuein(", "valueout(", "txnfee("]
            .iter()
            .find_map(|p| n.strip_prefix(p).and_then(|r| r.strip_suffix(')')))
            .or_else(|| n.strip_prefix("parenttx").and_then(|r| r.strip_suffix("value")))
            .filter(|u| !u.is_empty() && *u != "usd");
        let (Some(unit), Some(name)) = (unit, c.names.get(i)) else { continue };
        let unit = unit.to_ascii_uppercase();
        match &found {
            Some((u, first)) if *u != unit => {
                return Err(ReadError::format(
                    1,
                    format!("found units {u} ({first}) and {unit} ({name}) in the header: expected one native unit"),
                ));
            }
            Some(_) => {}
            None => found = Some((unit, name.clone())),
        }
    }
    Ok(found)
}

fn choose_chain(format: Format, c: &Columns, ctx: &ReadContext<'_>) -> Result<&'static Chain, ReadError> {
    let reg = registry();
    let unit = header_unit(c)?;
    let file = ctx.file_name.to_ascii_lowercase();
    let hint = FILE_HINTS.iter().find(|(h, _)| file.contains(h)).map(|(_, id)| *id);
    if let Some(chain) = common::chain_option(ctx)? {
        if chain.address != AddressRule::Evm {
            return Err(ReadError::format(
                1,
                format!("found --chain {}: expected an EVM chain for an explorer export", chain.id),
            ));
        }
        if let Some((u, col)) = unit.filter(|(u, _)| !common::is_native(chain, u)) {
            return Err(ReadError::format(
                1,
                format!("found amounts in {u} (column {col}): expected {} for --chain {}", chain.native, chain.id),
            ));
        }
        return Ok(chain);
    }
    let evm = |id: &&str| reg.chain(id).is_ok_and(|ch| ch.address == AddressRule::Evm);
    let id = match unit {
        Some((u, _)) if u == "ETH" => {
            hint.filter(|h| reg.chain(h).is_ok_and(|ch| ch.native == "ETH")).unwrap_or("ethereum")
        }
        Some((u, col)) => {
            let ids: Vec<&str> = reg
                .chain_ids()
                .into_iter()
                .filter(|id| evm(id) && reg.chain(id).is_ok_and(|ch| common::is_native(ch, &u)))
                .collect();
            match ids.as_slice() {
                [one] => *one,
                _ => {
                    return Err(ReadError::format(
                        1,
                        format!(
                            "found amounts in {u} (column {col}): expected the native unit of a known chain; pass --chain"
                        ),
                    ));
                }
            }
        }
        None => match hint {
            Some(h) => h,
            None if format == Format::EtherscanToken => "ethereum",
            None => {
                return Err(ReadError::format(
                    1,
                    "found no Value_IN(…) unit and no explorer in the file name: expected --chain".to_owned(),
                ));
            }
        },
    };
    reg.chain(id).map_err(|e| ReadError::format(1, e.to_string()))
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
    let (h, f) = req(cf, rec, c.hash, line)?;
    let tx_hash = common::tx_hash(chain, h, line, f)?;
    let block = opt(cf, rec, c.block, line)?.map(|(t, f)| common::integer(t, "a block number", line, f)).transpose()?;
    let order = ctx.options.date_order;
    let time = match opt(cf, rec, c.unix, line)? {
        Some((t, f)) => Some(common::time(t, order, line, f)?),
        None => opt(cf, rec, c.datetime, line)?.map(|(t, f)| common::time(t, order, line, f)).transpose()?,
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
    let (asset, amount, fee, info) = match &c.value {
        Value::InOut { vin, vout, fee } => {
            let amount = in_out(cf, rec, line, chain, *vin, *vout, from == to)?;
            let fee = opt(cf, rec, *fee, line)?
                .map(|(t, f)| common::display_amount(t, chain.decimals, &chain.native, line, f))
                .transpose()?;
            (chain.native.clone(), amount, fee, None)
        }
        Value::Token { value, contract, symbol, name } => {
            let (t, cf_name) = req(cf, rec, *contract, line)?;
            let contract = common::address(chain, t, line, cf_name)?;
            let symbol = opt(cf, rec, *symbol, line)?.map(|(s, _)| s);
            let decimals = common::token_decimals(ctx, chain, Some(&contract), symbol)
                .ok_or_else(|| common::unknown_token(line, cf_name, &contract, symbol))?;
            let (v, vf) = req(cf, rec, *value, line)?;
            let amount = common::display_amount(v, decimals, symbol.unwrap_or("the token"), line, vf)?;
            let info = AssetInfo {
                chain: chain.id.clone(),
                asset: contract.clone(),
                symbol: symbol.map(str::to_owned),
                decimals: Some(decimals),
                name: opt(cf, rec, *name, line)?.map(|(n, _)| n.to_owned()),
            };
            (contract, amount, None, Some(info))
        }
    };
    let failed = failed(cf, rec, line, c)?;
    let transfer = Transfer {
        chain: chain.id.clone(),
        tx_hash,
        kind: c.kind,
        position: None,
        block,
        time,
        from: Some(from),
        to: Some(to),
        asset,
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
            .map(|(t, f)| Ok((common::display_amount(t, chain.decimals, &chain.native, line, f)?, t, f)))
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

fn failed(cf: &CsvFile<'_>, rec: &ByteRecord, line: u64, c: &Cols) -> Result<bool, Refusal> {
    let err_code = opt(cf, rec, c.errcode, line)?.is_some();
    let Some((s, f)) = opt(cf, rec, c.status, line)? else { return Ok(err_code) };
    let l = s.to_ascii_lowercase();
    let status_failed = if ["error", "fail", "revert"].iter().any(|p| l.starts_with(p)) {
        true
    } else if matches!(l.as_str(), "success" | "successful" | "ok") {
        false
    } else if c.digits_mean_error && (l == "0" || l == "1") {
        l == "1"
    } else {
        return Err(Refusal::new(
            line,
            f,
            format!("found {s:?}: expected empty or Success for a successful transaction, Error(…) for a failed one"),
        ));
    };
    Ok(err_code || status_failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::explorer_common::testkit::{brief, refusal, refusals};
    use crate::import::{Collected, DateOrder, ImportOptions};

    fn run(format: Format, file: &str, opts: &ImportOptions, csv: &str) -> Result<Collected, ReadError> {
        super::super::explorer_common::testkit::run(|i, c, s| read(format, i, c, s), file, opts, csv)
    }

    fn ok(format: Format, file: &str, opts: &ImportOptions, csv: &str) -> Collected {
        run(format, file, opts, csv).unwrap_or_else(|e| panic!("{e}"))
    }

    fn no_opts() -> ImportOptions {
        ImportOptions::default()
    }

    #[test]
    fn current_normal_export() {
        let csv = "\"Transaction Hash\",\"Blockno\",\"UnixTimestamp\",\"DateTime (UTC)\",\"From\",\"To\",\"ContractAddress\",\"Value_IN(ETH)\",\"Value_OUT(ETH)\",\"CurrentValue @ $1850.5/Eth\",\"TxnFee(ETH)\",\"TxnFee(USD)\",\"Historical $Price/Eth\",\"Status\",\"ErrCode\",\"Method\"
\"0xABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\",\"17170000\",\"1683029999\",\"2023-05-02 12:19:59\",\"{AM}\",\"{B}\",\"\",\"0\",\"1,234.5\",\"2284400\",\"0.00042\",\"0.78\",\"1850.5\",\"\",\"\",\"Transfer\"
\"{H1}\",\"17170001\",\"1683030011\",\"2023-05-02 12:20:11\",\"{B}\",\"{A}\",\"\",\"0.5\",\"0\",\"925\",\"0.001\",\"1.85\",\"1850.5\",\"\",\"\",\"\"
\"{H2}\",\"17170002\",\"1683030023\",\"2023-05-02 12:20:23\",\"{A}\",\"\",\"{B}\",\"0\",\"0\",\"0\",\"0.01\",\"18.5\",\"1850.5\",\"\",\"\",\"0x60806040\"
\"{H3}\",\"17170003\",\"1683030035\",\"2023-05-02 12:20:35\",\"{A}\",\"{B}\",\"\",\"0\",\"2\",\"0\",\"0.002\",\"3.7\",\"1850.5\",\"Error(0)\",\"Reverted\",\"Transfer\"
\"{H1}\",\"17170004\",\"1683030047\",\"2023-05-02 12:20:47\",\"{A}\",\"{B}\",\"\",\"1\",\"2\",\"0\",\"0.002\",\"3.7\",\"1850.5\",\"\",\"\",\"\"
\"0x123\",\"17170005\",\"1683030059\",\"2023-05-02 12:20:59\",\"{A}\",\"{B}\",\"\",\"0\",\"1\",\"0\",\"0.002\",\"3.7\",\"1850.5\",\"\",\"\",\"\"
\"{H2}\",\"17170006\"
\"{H3}\",\"17170007\",\"1683030071\",\"2023-05-02 12:21:11\",\"{A}\",\"{B}\",\"\",\"0\",\"1\",\"0\",\"0.002\",\"3.7\",\"1850.5\",\"pending\",\"\",\"\"
\"{H3}\",\"17170008\",\"1683030083\",\"2023-05-02 12:21:23\",\"{A}\",\"{B}\",\"\",\"0\",\"-1\",\"0\",\"0.002\",\"3.7\",\"1850.5\",\"\",\"\",\"\"
";
        let c = ok(Format::EtherscanNormal, "export-0x8589.csv", &no_opts(), csv);
        assert_eq!(c.rows, 9);
        assert_eq!(
            brief(&c),
            [
                "2 ethereum {H4} native {A}>{B} 1234500000000000000000 ETH b=17170000 t=1683029999 fee=420000000000000",
                "3 ethereum {H1} native {B}>{A} 500000000000000000 ETH b=17170001 t=1683030011 fee=1000000000000000",
                "4 ethereum {H2} native {A}>{B} 0 ETH b=17170002 t=1683030023 fee=10000000000000000",
                "5 ethereum {H3} native {A}>{B} 2000000000000000000 ETH b=17170003 t=1683030035 fee=2000000000000000 failed",
            ]
        );
        assert_eq!(
            refusals(&c),
            [
                refusal(6, "Value_IN(ETH)", "found Value_IN(ETH) 1 and Value_OUT(ETH) 2: expected one of them to be 0"),
                refusal(
                    7,
                    "Transaction Hash",
                    "found \"0x123\": expected 0x followed by 64 hexadecimal digits (Ethereum transaction hash)"
                ),
                refusal(8, "row", "expected 16 columns as in the header, found 2"),
                refusal(
                    9,
                    "Status",
                    "found \"pending\": expected empty or Success for a successful transaction, Error(…) for a failed one"
                ),
                refusal(
                    10,
                    "Value_OUT(ETH)",
                    "found \"-1\": expected an amount without sign (from/to give the direction)"
                ),
            ]
        );
        assert!(c.assets.is_empty());
    }

    #[test]
    fn old_normal_export_spreadsheet_dates_and_file_hint() {
        let csv = "Txhash,Blockno,DateTime,From,To,ContractAddress,Value_IN(ETH),Value_OUT(ETH),TxnFee(ETH),Status,ErrCode,PrivateNote
{H1},90000000,5/2/2023 12:19,{A},{B},,0,\"1,000\",0.0001,,,stolen funds
{H2},90000001,13/2/2023 12:19,{A},{B},,0,1,0.0001,,,
{H3},90000002,2023-05-02 12:19:59,{A},0x1234,,0,1,0.0001,,,
";
        let c = ok(Format::EtherscanNormal, "export-arbiscan-0x85.csv", &no_opts(), csv);
        assert_eq!(
            brief(&c),
            ["2 arbitrum {H1} native {A}>{B} 1000000000000000000000 ETH b=90000000 t=1683029940 fee=100000000000000"]
        );
        assert_eq!(
            refusals(&c),
            [
                refusal(
                    3,
                    "DateTime",
                    "found \"13/2/2023 12:19\": expected Unix seconds, ISO 8601 (2023-05-02 12:19:59), a spreadsheet date (5/2/2023 12:19) or a spreadsheet serial number"
                ),
                refusal(
                    4,
                    "To",
                    "found \"0x1234\": expected 0x followed by 40 hexadecimal digits (Arbitrum One address)"
                ),
            ]
        );
        // Day-first spreadsheets: 2/5/2023 is 2 May.
        let day_first = ImportOptions { date_order: DateOrder::DayFirst, ..no_opts() };
        let c = ok(Format::EtherscanNormal, "export-etherscan.csv", &day_first, &csv.replace("5/2/2023", "2/5/2023"));
        assert_eq!((c.transfers[0].chain.as_str(), c.transfers[0].time), ("ethereum", Some(1_683_029_940)));
    }

    #[test]
    fn chain_from_unit_file_name_or_option() {
        for (unit, file, chain_opt, expected) in [
            ("BNB", "export-0x85.csv", None, "bsc {H1} native {A}>{B} 500000000000000000 BNB"),
            ("MATIC", "x.csv", None, "polygon {H1} native {A}>{B} 500000000000000000 POL"),
            ("POL", "x.csv", None, "polygon {H1} native {A}>{B} 500000000000000000 POL"),
            ("AVAX", "x.csv", None, "avalanche {H1} native {A}>{B} 500000000000000000 AVAX"),
            ("FTM", "x.csv", None, "fantom {H1} native {A}>{B} 500000000000000000 FTM"),
            ("ETH", "optimistic-etherscan.csv", None, "optimism {H1} native {A}>{B} 500000000000000000 ETH"),
            ("ETH", "export-basescan.csv", None, "base {H1} native {A}>{B} 500000000000000000 ETH"),
            ("ETH", "bscscan.csv", None, "ethereum {H1} native {A}>{B} 500000000000000000 ETH"),
            ("ETH", "x.csv", Some("Base"), "base {H1} native {A}>{B} 500000000000000000 ETH"),
            ("MATIC", "x.csv", Some("polygon"), "polygon {H1} native {A}>{B} 500000000000000000 POL"),
        ] {
            let csv = format!(
                "Transaction Hash,Blockno,UnixTimestamp,From,To,Value_IN({unit}),Value_OUT({unit}),TxnFee({unit}),Status,ErrCode\n\
                 {{H1}},1,1683029999,{{A}},{{B}},0.5,0,0.001,Error(1),out of gas\n"
            );
            let opts = ImportOptions { chain: chain_opt.map(str::to_owned), ..no_opts() };
            let c = ok(Format::EtherscanNormal, file, &opts, &csv);
            assert_eq!(
                brief(&c),
                [format!("2 {expected} b=1 t=1683029999 fee=1000000000000000 failed")],
                "{unit} {file}"
            );
        }
        let fail = |unit: &str, chain: Option<&str>| {
            let csv = format!("Txhash,From,To,Value_IN({unit}),Value_OUT({unit})\n{{H1}},{{A}},{{B}},1,0\n");
            let opts = ImportOptions { chain: chain.map(str::to_owned), ..no_opts() };
            run(Format::EtherscanNormal, "x.csv", &opts, &csv).err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert_eq!(
            fail("CELO", None),
            "line 1: found amounts in CELO (column Value_IN(CELO)): expected the native unit of a known chain; pass --chain"
        );
        assert_eq!(
            fail("ETH", Some("bsc")),
            "line 1: found amounts in ETH (column Value_IN(ETH)): expected BNB for --chain bsc"
        );
        assert_eq!(
            fail("ETH", Some("tron")),
            "line 1: found --chain tron: expected an EVM chain for an explorer export"
        );
        assert!(fail("ETH", Some("dogechain")).starts_with("line 1: --chain dogechain: unknown chain \"dogechain\""));
        let e = run(Format::EtherscanNormal, "x.csv", &no_opts(), "Txhash,To,Value_IN(ETH)\n").err();
        assert!(e.is_some_and(|e| e.to_string().starts_with("line 1: header has no sender column (looked for from)")));
    }

    #[test]
    fn internal_exports_current_and_old() {
        let csv = "\"Transaction Hash\",\"Blockno\",\"UnixTimestamp\",\"DateTime (UTC)\",\"ParentTxFrom\",\"ParentTxTo\",\"ParentTxETH_Value\",\"From\",\"TxTo\",\"ContractAddress\",\"Value_IN(ETH)\",\"Value_OUT(ETH)\",\"CurrentValue @ $1850.5/Eth\",\"Historical $Price/Eth\",\"Status\",\"ErrCode\",\"Type\",\"PrivateNote\"
\"{H1}\",\"17170000\",\"1683029999\",\"2023-05-02 12:19:59\",\"{A}\",\"{B}\",\"0\",\"{B}\",\"{A}\",\"\",\"2.5\",\"0\",\"4626\",\"1850.5\",\"0\",\"\",\"call\",\"\"
\"{H2}\",\"17170001\",\"1683030011\",\"2023-05-02 12:20:11\",\"{A}\",\"{B}\",\"0\",\"{B}\",\"{A}\",\"\",\"1\",\"0\",\"1850\",\"1850.5\",\"1\",\"out of gas\",\"call\",\"\"
\"{H3}\",\"17170002\",\"1683030023\",\"2023-05-02 12:20:23\",\"{A}\",\"{B}\",\"0\",\"{B}\",\"\",\"{A}\",\"0\",\"0\",\"0\",\"1850.5\",\"0\",\"\",\"create\",\"\"
";
        let c = ok(Format::EtherscanInternal, "internal.csv", &no_opts(), csv);
        assert_eq!(
            brief(&c),
            [
                "2 ethereum {H1} internal {B}>{A} 2500000000000000000 ETH b=17170000 t=1683029999 fee=-",
                "3 ethereum {H2} internal {B}>{A} 1000000000000000000 ETH b=17170001 t=1683030011 fee=- failed",
                "4 ethereum {H3} internal {B}>{A} 0 ETH b=17170002 t=1683030023 fee=-",
            ]
        );
        assert!(c.refused.is_empty());
        let old = "\"Txhash\",\"Blockno\",\"UnixTimestamp\",\"DateTime\",\"ParentTxFrom\",\"ParentTxTo\",\"ParentTxBNB_Value\",\"From\",\"TxTo\",\"ContractAddress\",\"Value_IN(BNB)\",\"Value_OUT(BNB)\",\"CurrentValue @ $300/BNB\",\"Historical $Price/BNB\",\"Status\",\"ErrCode\",\"Type\"
\"{H4}\",\"27000000\",\"\",\"2023-05-02 12:19:59\",\"{A}\",\"{B}\",\"0\",\"{B}\",\"{A}\",\"\",\"0\",\"0.25\",\"75\",\"300\",\"0\",\"\",\"call\"
";
        let c = ok(Format::EtherscanInternal, "export-internal.csv", &no_opts(), old);
        assert_eq!(brief(&c), ["2 bsc {H4} internal {B}>{A} 250000000000000000 BNB b=27000000 t=1683029999 fee=-"]);
    }

    #[test]
    fn token_export_current_form() {
        let csv = "\"Transaction Hash\",\"Blockno\",\"UnixTimestamp\",\"DateTime (UTC)\",\"From\",\"To\",\"TokenValue\",\"USDValueDayOfTx\",\"ContractAddress\",\"TokenName\",\"TokenSymbol\"
\"{H1}\",\"17170000\",\"1683029999\",\"2023-05-02 12:19:59\",\"{A}\",\"{B}\",\"12,345.678901\",\"$12,345.68\",\"0xDAC17F958D2EE523A2206206994597C13D831EC7\",\"Tether USD\",\"USDT\"
\"{H2}\",\"17170001\",\"1683030011\",\"2023-05-02 12:20:11\",\"{B}\",\"{A}\",\"5\",\"$5.00\",\"{USDT}\",\"Tether USD\",\"USDT\"
\"{H3}\",\"17170002\",\"1683030023\",\"2023-05-02 12:20:23\",\"{B}\",\"{A}\",\"1.1234567\",\"$1.12\",\"{USDT}\",\"Tether USD\",\"USDT\"
\"{H4}\",\"17170003\",\"1683030035\",\"2023-05-02 12:20:35\",\"{A}\",\"{B}\",\"1,000\",\"\",\"{B}\",\"Foo Token\",\"FOO\"
";
        let c = ok(Format::EtherscanToken, "tokens.csv", &no_opts(), csv);
        assert_eq!(
            brief(&c),
            [
                "2 ethereum {H1} token {A}>{B} 12345678901 {USDT} b=17170000 t=1683029999 fee=-",
                "3 ethereum {H2} token {B}>{A} 5000000 {USDT} b=17170001 t=1683030011 fee=-",
            ]
        );
        let info = |asset: &str, symbol: &str, decimals, name: &str| AssetInfo {
            chain: "ethereum".into(),
            asset: asset.into(),
            symbol: Some(symbol.into()),
            decimals: Some(decimals),
            name: Some(name.into()),
        };
        let usdt = "0xdac17f958d2ee523a2206206994597c13d831ec7";
        assert_eq!(c.assets, [info(usdt, "USDT", 6, "Tether USD")]);
        assert_eq!(
            refusals(&c),
            [
                refusal(
                    4,
                    "TokenValue",
                    "found \"1.1234567\": expected at most 6 decimal places (USDT has 6 decimals)"
                ),
                refusal(
                    5,
                    "ContractAddress",
                    "found token {B} (FOO) whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass `--token-decimals {B}=N` with the token's decimals N"
                ),
            ]
        );
        // --token-decimals by symbol (any case) or by contract (any case) resolves it.
        for key in ["foo", "0x722122DF12D4E14E13AC3B6895A86E84145B6967"] {
            let opts = ImportOptions { token_decimals: [(key.to_owned(), 9)].into(), ..no_opts() };
            let c = ok(Format::EtherscanToken, "tokens.csv", &opts, csv);
            assert_eq!(brief(&c)[2], "5 ethereum {H4} token {A}>{B} 1000000000000 {B} b=17170003 t=1683030035 fee=-");
            let foo = info("0x722122df12d4e14e13ac3b6895a86e84145b6967", "FOO", 9, "Foo Token");
            assert_eq!(c.assets, [info(usdt, "USDT", 6, "Tether USD"), foo]);
        }
    }

    #[test]
    fn token_export_old_forms() {
        let csv = "\"Txhash\",\"UnixTimestamp\",\"DateTime\",\"From\",\"To\",\"Quantity\",\"ContractAddress\",\"TokenName\",\"TokenSymbol\"
\"{H1}\",\"1683029999\",\"2023-05-02 12:19:59\",\"{A}\",\"{B}\",\"0.000000000000000001\",\"0x55d398326f99059ff775485246999027b3197955\",\"Binance-Peg BSC-USD\",\"BSC-USD\"
";
        let c = ok(Format::EtherscanToken, "bscscan-tokentxns.csv", &no_opts(), csv);
        assert_eq!(
            brief(&c),
            ["2 bsc {H1} token {A}>{B} 1 0x55d398326f99059ff775485246999027b3197955 b=- t=1683029999 fee=-"]
        );
        // `Value` column, no unit and no hint: ethereum; spreadsheet date without UnixTimestamp.
        let csv = "Txhash,Blockno,DateTime,From,To,Value,ContractAddress,TokenName,TokenSymbol
{H2},17170000,5/2/2023 12:19,{A},{B},2.5,{USDT},Tether USD,USDT
";
        let c = ok(Format::EtherscanToken, "export-tokens.csv", &no_opts(), csv);
        assert_eq!(brief(&c), ["2 ethereum {H2} token {A}>{B} 2500000 {USDT} b=17170000 t=1683029940 fee=-"]);
    }
}
