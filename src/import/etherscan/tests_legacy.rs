//! Tests of the legacy layouts (normal, internal, token with contract), kept from before the
//! current layouts were added; the chain is never defaulted any more.

use super::read;
use crate::import::explorer_common::testkit::{brief, refusal, refusals};
use crate::import::{AssetInfo, Format, ReadError};
use crate::import::{Collected, DateOrder, ImportOptions};

fn run(format: Format, file: &str, opts: &ImportOptions, csv: &str) -> Result<Collected, ReadError> {
    crate::import::explorer_common::testkit::run(|i, c, s| read(format, i, c, s), file, opts, csv)
}

fn ok(format: Format, file: &str, opts: &ImportOptions, csv: &str) -> Collected {
    run(format, file, opts, csv).unwrap_or_else(|e| panic!("{e}"))
}

fn no_opts() -> ImportOptions {
    ImportOptions::default()
}

#[test]
fn legacy_normal_export() {
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
    let c = ok(Format::EtherscanNormal, "etherscan-export-0x8589.csv", &no_opts(), csv);
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
                "found \"pending\": expected Success, or a failure: Error in Main Txn : …, Error(…), Error, Fail, Failed, Revert, Reverted"
            ),
            refusal(10, "Value_OUT(ETH)", "found \"-1\": expected an amount without sign (from/to give the direction)"),
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
            refusal(4, "To", "found \"0x1234\": expected 0x followed by 40 hexadecimal digits (Arbitrum One address)"),
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
        ("ETH", "export-etherscan-0x85.csv", None, "ethereum {H1} native {A}>{B} 500000000000000000 ETH"),
        ("ETH", "x.csv", Some("Base"), "base {H1} native {A}>{B} 500000000000000000 ETH"),
        ("MATIC", "x.csv", Some("polygon"), "polygon {H1} native {A}>{B} 500000000000000000 POL"),
    ] {
        let csv = format!(
            "Transaction Hash,Blockno,UnixTimestamp,From,To,Value_IN({unit}),Value_OUT({unit}),TxnFee({unit}),Status,ErrCode\n\
             {{H1}},1,1683029999,{{A}},{{B}},0.5,0,0.001,Error(1),out of gas\n"
        );
        let opts = ImportOptions { chain: chain_opt.map(str::to_owned), ..no_opts() };
        let c = ok(Format::EtherscanNormal, file, &opts, &csv);
        assert_eq!(brief(&c), [format!("2 {expected} b=1 t=1683029999 fee=1000000000000000 failed")], "{unit} {file}");
    }
    let fail = |unit: &str, chain: Option<&str>| {
        let csv = format!("Txhash,From,To,Value_IN({unit}),Value_OUT({unit})\n{{H1}},{{A}},{{B}},1,0\n");
        let opts = ImportOptions { chain: chain.map(str::to_owned), ..no_opts() };
        run(Format::EtherscanNormal, "x.csv", &opts, &csv).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert_eq!(
        fail("CELO", None),
        "cannot tell the chain of this file (value unit CELO in column Value_IN(CELO) is the native unit of no chain hoptrace knows): pass --chain with one of: arbitrum, avalanche, base, bitcoin, bsc, ethereum, fantom, optimism, polygon, tron"
    );
    // ETH alone is Ethereum's and its L2s' unit: the file name must say which, or --chain.
    assert_eq!(
        fail("ETH", None),
        "cannot tell the chain of this file (value unit ETH in column Value_IN(ETH) is native to arbitrum, base, ethereum, optimism, and neither a chain column nor the file name x.csv names one of them): pass --chain with one of: arbitrum, base, ethereum, optimism"
    );
    assert_eq!(
        fail("ETH", Some("bsc")),
        "line 1: found amounts in ETH (column Value_IN(ETH)): expected BNB for --chain bsc"
    );
    assert_eq!(fail("ETH", Some("tron")), "line 1: found --chain tron: expected an EVM chain for an explorer export");
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
    let c = ok(Format::EtherscanInternal, "etherscan-internal.csv", &no_opts(), csv);
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
fn legacy_token_export_with_contract() {
    let csv = "\"Transaction Hash\",\"Blockno\",\"UnixTimestamp\",\"DateTime (UTC)\",\"From\",\"To\",\"TokenValue\",\"USDValueDayOfTx\",\"ContractAddress\",\"TokenName\",\"TokenSymbol\"
\"{H1}\",\"17170000\",\"1683029999\",\"2023-05-02 12:19:59\",\"{A}\",\"{B}\",\"12,345.678901\",\"$12,345.68\",\"0xDAC17F958D2EE523A2206206994597C13D831EC7\",\"Tether USD\",\"USDT\"
\"{H2}\",\"17170001\",\"1683030011\",\"2023-05-02 12:20:11\",\"{B}\",\"{A}\",\"5\",\"$5.00\",\"{USDT}\",\"Tether USD\",\"USDT\"
\"{H3}\",\"17170002\",\"1683030023\",\"2023-05-02 12:20:23\",\"{B}\",\"{A}\",\"1.1234567\",\"$1.12\",\"{USDT}\",\"Tether USD\",\"USDT\"
\"{H4}\",\"17170003\",\"1683030035\",\"2023-05-02 12:20:35\",\"{A}\",\"{B}\",\"1,000\",\"\",\"{B}\",\"Foo Token\",\"FOO\"
";
    let c = ok(Format::EtherscanToken, "etherscan-tokens.csv", &no_opts(), csv);
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
            refusal(4, "TokenValue", "found \"1.1234567\": expected at most 6 decimal places (USDT has 6 decimals)"),
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
        let c = ok(Format::EtherscanToken, "etherscan-tokens.csv", &opts, csv);
        assert_eq!(brief(&c)[2], "5 ethereum {H4} token {A}>{B} 1000000000000 {B} b=17170003 t=1683030035 fee=-");
        let foo = info("0x722122df12d4e14e13ac3b6895a86e84145b6967", "FOO", 9, "Foo Token");
        assert_eq!(c.assets, [info(usdt, "USDT", 6, "Tether USD"), foo]);
    }
}

#[test]
fn legacy_token_export_older_forms() {
    let csv = "\"Txhash\",\"UnixTimestamp\",\"DateTime\",\"From\",\"To\",\"Quantity\",\"ContractAddress\",\"TokenName\",\"TokenSymbol\"
\"{H1}\",\"1683029999\",\"2023-05-02 12:19:59\",\"{A}\",\"{B}\",\"0.000000000000000001\",\"0x55d398326f99059ff775485246999027b3197955\",\"Binance-Peg BSC-USD\",\"BSC-USD\"
";
    let c = ok(Format::EtherscanToken, "bscscan-tokentxns.csv", &no_opts(), csv);
    assert_eq!(
        brief(&c),
        ["2 bsc {H1} token {A}>{B} 1 0x55d398326f99059ff775485246999027b3197955 b=- t=1683029999 fee=-"]
    );
    assert_eq!(c.chain, Some(("bsc".to_owned(), "file name contains bscscan".to_owned())));
    // The same BSC file under a neutral name is refused, never read as Ethereum.
    let e = run(Format::EtherscanToken, "export-0x8589.csv", &no_opts(), csv).err();
    assert!(matches!(e, Some(ReadError::ChainUndecided { .. })), "{e:?}");
    // `Value` column, no unit and no hint: never defaulted to ethereum any more.
    let csv = "Txhash,Blockno,DateTime,From,To,Value,ContractAddress,TokenName,TokenSymbol
{H2},17170000,5/2/2023 12:19,{A},{B},2.5,{USDT},Tether USD,USDT
";
    let e = run(Format::EtherscanToken, "export-tokens.csv", &no_opts(), csv).err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some(
            "cannot tell the chain of this file (no value unit in the header or the amounts, no ChainId or Chain column, no explorer name in the file name export-tokens.csv): pass --chain with one of: arbitrum, avalanche, base, bsc, ethereum, fantom, optimism, polygon"
        )
    );
    // Spreadsheet date without UnixTimestamp, chain by option.
    let eth = ImportOptions { chain: Some("ethereum".into()), ..no_opts() };
    let c = ok(Format::EtherscanToken, "export-tokens.csv", &eth, csv);
    assert_eq!(c.chain, Some(("ethereum".to_owned(), "--chain option".to_owned())));
    assert_eq!(brief(&c), ["2 ethereum {H2} token {A}>{B} 2500000 {USDT} b=17170000 t=1683029940 fee=-"]);
}
