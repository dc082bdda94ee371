//! Tests of today's layouts, in the exact published header forms: current normal, current
//! token, the seen variant, and Snowtrace/Routescan's chain columns.

use super::read;
use crate::import::explorer_common::testkit::{self, brief, refusal, refusals};
use crate::import::{AssetInfo, Collected, Format, ImportOptions, ReadError};
use crate::model::{Category, Label};

pub(super) fn run(format: Format, file: &str, opts: &ImportOptions, csv: &str) -> Result<Collected, ReadError> {
    testkit::run(|i, c, s| read(format, i, c, s), file, opts, csv)
}

pub(super) fn ok(format: Format, file: &str, opts: &ImportOptions, csv: &str) -> Collected {
    run(format, file, opts, csv).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn err(format: Format, file: &str, opts: &ImportOptions, csv: &str) -> String {
    run(format, file, opts, csv).err().map(|e| e.to_string()).unwrap_or_else(|| "no error".to_owned())
}

/// `brief` plus method and stated USD of each transfer.
pub(super) fn notes(c: &Collected) -> Vec<String> {
    c.transfers
        .iter()
        .map(|t| {
            format!(
                "{} m={} usd={}",
                t.line,
                t.method.as_deref().unwrap_or("-"),
                t.stated_usd.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

pub(super) fn tag(chain: &str, address: &str, entity: &str, file: &str, line: u64) -> Label {
    Label {
        line,
        ..Label::new(
            chain,
            testkit::fill(address),
            entity,
            Category::parse(entity).unwrap_or(Category::Unknown),
            format!("explorer name tag, {file} line {line}"),
        )
    }
}

const NORMAL: &str = "Transaction Hash,Status,Method,Blockno,DateTime (UTC),From,From_Nametag,To,To_Nametag,Amount,Value (USD),Txn Fee\n";
const ZERO: &str = "0x0000000000000000000000000000000000000000";

#[test]
fn current_normal_layout() {
    let csv = format!(
        "{NORMAL}{{H1}},Success,Transfer,40000000,2024-07-01 10:00:00,{{A}},Binance 14,{{B}},,\"1,000 BNB\",\"$190,000.00\",0.00042\n\
         {{H2}},Error in Main Txn : out of gas,Transfer,40000001,2024-07-01 10:00:03,{{A}},Binance 14,{{B}},,0 BNB,$0.00,0.001 BNB\n\
         {{H3}},Success,Swapin,40000002,2024-07-01 10:00:06,{ZERO},,{{B}},Exchange,\"400,000,000,000,000,000,000.000000000000000001 BNB\",,0\n\
         {{H4}},Success,Transfer,40000003,2024-07-01 10:00:09,{{A}},,{{B}},,0.1 ETH,$1.00,0.001\n\
         {{H1}},Pending,Transfer,40000004,2024-07-01 10:00:12,{{A}},,{{B}},,0.1 BNB,$1.00,0.001\n\
         {{H1}},Success,Transfer,40000005,2024-07-01 10:00:15,{{A}},,{{B}},,0.1 BNB,\"$1,00.00\",0.001\n\
         {{H1}},Success,Transfer,40000006,2024-07-01 10:00:18,{{A}},,{{B}},,+15 BNB,$1.00,0.001\n\
         {{H1}},,Transfer,40000007,2024-07-01 10:00:21,{{A}},,{{B}},,1 BNB,$1.00,0.001\n\
         {{H2}},Fail,Burn,40000008,2024-07-01 10:00:24,{{B}},Exchange,{ZERO},,1 BNB,$600.00,0.00021 ETH\n"
    );
    let file = "export-0x8589427373d6d84e98730d7795d8f6f8731fda16.csv";
    let c = ok(Format::EtherscanNormal, file, &ImportOptions::default(), &csv);
    assert_eq!(c.chain, Some(("bsc".to_owned(), "value unit BNB in column Amount, line 2".to_owned())));
    assert_eq!(
        brief(&c),
        [
            "2 bsc {H1} native {A}>{B} 1000000000000000000000 BNB b=40000000 t=1719828000 fee=420000000000000",
            "3 bsc {H2} native {A}>{B} 0 BNB b=40000001 t=1719828003 fee=1000000000000000 failed",
            // 4 × 10^38 + 1 wei: above 2^128.
            "4 bsc {H3} native 0x0000000000000000000000000000000000000000>{B} 400000000000000000000000000000000000001 BNB b=40000002 t=1719828006 fee=0",
        ]
    );
    assert_eq!(notes(&c), ["2 m=Transfer usd=190000.00", "3 m=Transfer usd=0.00", "4 m=Swapin usd=-"]);
    assert_eq!(
        refusals(&c),
        [
            refusal(5, "Amount", "found \"0.1 ETH\" in ETH: expected an amount in BNB"),
            refusal(
                6,
                "Status",
                "found \"Pending\": expected Success, or a failure: Error in Main Txn : …, Error(…), Error, Fail, Failed, Revert, Reverted"
            ),
            refusal(7, "Value (USD)", "found \"$1,00.00\": expected a US dollar value such as $190,000.00"),
            refusal(8, "Amount", "found \"+15\": expected an amount without sign (from/to give the direction)"),
            refusal(
                9,
                "Status",
                "empty: expected Success, or a failure: Error in Main Txn : …, Error(…), Error, Fail, Failed, Revert, Reverted"
            ),
            refusal(10, "Txn Fee", "found \"0.00021 ETH\" in ETH: expected an amount in BNB"),
        ]
    );
    // One label per address and tag, at its first line; the burn's tag on line 10 is refused
    // with its row, the mint's `Exchange` tag parses to a category.
    assert_eq!(c.labels, [tag("bsc", "{A}", "Binance 14", file, 2), tag("bsc", "{B}", "Exchange", file, 4)]);
    assert_eq!(c.labels[1].category, Category::Exchange);
}

#[test]
fn current_normal_layout_chain_rules() {
    let row = "{H1},Success,Transfer,1,2024-07-01 10:00:00,{A},,{B},,0.5 ETH,$1.00,0.001 ETH\n";
    let csv = format!("{NORMAL}{row}");
    let d = ImportOptions::default();
    // ETH is Ethereum's and its L2s' unit: the file name decides, else --chain.
    let c = ok(Format::EtherscanNormal, "arbiscan-export.csv", &d, &csv);
    let rule = "value unit ETH in column Amount, line 2 and file name contains arbiscan";
    assert_eq!(c.chain, Some(("arbitrum".to_owned(), rule.to_owned())));
    assert_eq!(
        err(Format::EtherscanNormal, "export-0x85.csv", &d, &csv),
        "cannot tell the chain of this file (value unit ETH in column Amount, line 2 is native to arbitrum, base, ethereum, optimism, and neither a chain column nor the file name export-0x85.csv names one of them): pass --chain with one of: arbitrum, base, ethereum, optimism"
    );
    let bsc = ImportOptions { chain: Some("bsc".into()), ..d.clone() };
    assert_eq!(
        err(Format::EtherscanNormal, "export-0x85.csv", &bsc, &csv),
        "line 2: found amounts in ETH (column Amount, line 2): expected BNB for --chain bsc"
    );
    let base = ImportOptions { chain: Some("base".into()), ..d.clone() };
    let c = ok(Format::EtherscanNormal, "export-0x85.csv", &base, &csv);
    assert_eq!(c.chain, Some(("base".to_owned(), "--chain option".to_owned())));
    assert_eq!(brief(&c), ["2 base {H1} native {A}>{B} 500000000000000000 ETH b=1 t=1719828000 fee=1000000000000000"]);
}

#[test]
fn current_token_layout() {
    let header = "Transaction Hash,Status,Method,BlockNo,DateTime (UTC),From,From_Nametag,To,To_Nametag,Amount,Value (USD),Token\n";
    let csv = format!(
        "{header}{{H1}},Success,Transfer,40000000,2024-07-01 10:00:00,{{A}},,{{B}},Binance Hot Wallet,\"1,000 BSC-USD\",\"$1,000.00\",Binance-Peg BSC-USD (BSC-USD)\n\
         {{H2}},Success,Transfer,40000001,2024-07-01 10:00:03,{{B}},,{{A}},,\"400,000,000,000,000,000,000.000000000000000001 BSC-USD\",,Binance-Peg BSC-USD (BSC-USD)\n\
         {{H3}},Success,Transfer,40000002,2024-07-01 10:00:06,{{B}},,{{A}},,5 FOO,$5.00,Foo Token (FOO)\n\
         {{H3}},Success,Transfer,40000003,2024-07-01 10:00:09,{{B}},,{{A}},,5 BSC-USD,$5.00,Fake USD (BSC-USD)\n\
         {{H3}},Success,Transfer,40000004,2024-07-01 10:00:12,{{B}},,{{A}},,5 USDT,$5.00,Binance-Peg BSC-USD (BSC-USD)\n\
         {{H3}},Success,Transfer,40000005,2024-07-01 10:00:15,{{B}},,{{A}},,5 BSC-USD,$5.00,BSC-USD\n\
         {{H4}},Success,Mint,40000006,2024-07-01 10:00:18,{ZERO},,{{A}},,7E-16 BSC-USD,$0.00,Binance-Peg BSC-USD (BSC-USD)\n"
    );
    let file = "bscscan-export-tokentxns-0x8589.csv";
    // A token named only by symbol takes its decimals from --token-decimals, never from the
    // registry's token of that symbol (a fake token copies the symbol).
    let bsc_usd = ImportOptions { token_decimals: [("BSC-USD".to_owned(), 18)].into(), ..ImportOptions::default() };
    let c = ok(Format::EtherscanToken, file, &bsc_usd, &csv);
    assert_eq!(c.chain, Some(("bsc".to_owned(), "file name contains bscscan".to_owned())));
    assert_eq!(
        brief(&c),
        [
            "2 bsc {H1} token {A}>{B} 1000000000000000000000 symbol:BSC-USD b=40000000 t=1719828000 fee=-",
            "3 bsc {H2} token {B}>{A} 400000000000000000000000000000000000001 symbol:BSC-USD b=40000001 t=1719828003 fee=-",
        ]
    );
    assert_eq!(notes(&c), ["2 m=Transfer usd=1000.00", "3 m=Transfer usd=-"]);
    let by_name = "Binance-Peg BSC-USD (identified by name only: the export has no contract column)";
    assert_eq!(
        c.assets,
        [AssetInfo {
            chain: "bsc".into(),
            asset: "symbol:BSC-USD".into(),
            symbol: Some("BSC-USD".into()),
            decimals: Some(18),
            name: Some(by_name.into()),
        }]
    );
    assert_eq!(
        refusals(&c),
        [
            refusal(
                4,
                "Token",
                "found token FOO without a contract, whose decimals hoptrace does not know: pass `--token-decimals FOO=N` with the token's decimals N"
            ),
            refusal(
                5,
                "Token",
                "found token \"Fake USD\" (BSC-USD) but line 2 names \"Binance-Peg BSC-USD\" (BSC-USD): expected one token per symbol in an export without contracts; re-export with contract addresses (the explorer's legacy token export) to tell them apart"
            ),
            refusal(6, "Amount", "found \"5 USDT\" in USDT: expected an amount in BSC-USD"),
            refusal(7, "Token", "found \"BSC-USD\": expected the token as Name (SYMBOL), e.g. Tether USD (USDT)"),
            refusal(
                8,
                "Amount",
                "found \"7E-16\": expected plain digits, not scientific notation (a spreadsheet rewrote the number and lost digits): re-export from the explorer and import the downloaded file without opening it in a spreadsheet"
            ),
        ]
    );
    assert_eq!(c.labels, [tag("bsc", "{B}", "Binance Hot Wallet", file, 2)]);
    // --token-decimals by symbol resolves the unknown token.
    let opts = ImportOptions {
        token_decimals: [("FOO".to_owned(), 9), ("BSC-USD".to_owned(), 18)].into(),
        ..ImportOptions::default()
    };
    let c = ok(Format::EtherscanToken, file, &opts, &csv);
    assert_eq!(brief(&c)[2], "4 bsc {H3} token {B}>{A} 5000000000 symbol:FOO b=40000002 t=1719828006 fee=-");
}

#[test]
fn seen_variant() {
    let header = "Transaction Hash,Status,Type,Method,Block,Age,From,From_NameTag,From_Note,To,To_NameTag,To_Note,Amount,Value (USD),Asset,Txn Fee\n";
    let csv = format!(
        "{header}{{H1}},Success,Transfer,Transfer,20000000,2024-06-01 08:00:00,{{A}},,my note,{{B}},Tornado.Cash: Router,,2.5 ETH,\"$9,000.00\",ETH,0.0004 ETH\n\
         {{H2}},Success,Token Transfer,Transfer,20000001,2024-06-01 08:00:12,{{B}},Tornado.Cash: Router,,{{A}},,,\"1,000,000.5 USDT\",\"$1,000,000.50\",USDT,0.0004 ETH\n\
         {{H3}},Error(0),Transfer,Transfer,20000002,2024-06-01 08:00:24,{{A}},,,{{B}},,,1 ETH,\"$3,600.00\",ETH,0.0004 ETH\n\
         {{H4}},Success,Transfer,Transfer,20000003,3 days ago,{{A}},,,{{B}},,,1 ETH,$1.00,ETH,0.0004 ETH\n"
    );
    let file = "etherscan-seen.csv";
    let usdt = ImportOptions { token_decimals: [("USDT".to_owned(), 6)].into(), ..ImportOptions::default() };
    let c = ok(Format::EtherscanNormal, file, &usdt, &csv);
    let rule = "value unit ETH in column Txn Fee, line 2 and file name contains etherscan";
    assert_eq!(c.chain, Some(("ethereum".to_owned(), rule.to_owned())));
    assert_eq!(
        brief(&c),
        [
            "2 ethereum {H1} native {A}>{B} 2500000000000000000 ETH b=20000000 t=1717228800 fee=400000000000000",
            "3 ethereum {H2} token {B}>{A} 1000000500000 symbol:USDT b=20000001 t=1717228812 fee=400000000000000",
            "4 ethereum {H3} native {A}>{B} 1000000000000000000 ETH b=20000002 t=1717228824 fee=400000000000000 failed",
        ]
    );
    assert_eq!(notes(&c), ["2 m=Transfer usd=9000.00", "3 m=Transfer usd=1000000.50", "4 m=Transfer usd=3600.00"]);
    assert_eq!(
        refusals(&c),
        [refusal(
            5,
            "Age",
            "found \"3 days ago\", a time relative to the download: expected a date/time; switch the explorer's Age column to Date Time (UTC) and download again"
        )]
    );
    assert_eq!(c.labels, [tag("ethereum", "{B}", "Tornado.Cash: Router", file, 2)]);
    assert_eq!(
        c.assets.first().and_then(|a| a.name.clone()).as_deref(),
        Some("USDT (identified by name only: the export has no contract column)")
    );
}

#[test]
fn snowtrace_routescan_chain_columns() {
    let header =
        "Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,Value(AVAX),TxnFee(AVAX),Status,Method,ChainId,Chain\n";
    let csv = format!(
        "{header}{{H1}},50000000,1719828000,2024-07-01 10:00:00,{{A}},{{B}},\"12,345.000000000000000001\",0.01,Success,Transfer,43114,Avalanche C-Chain\n\
         {{H2}},50000001,1719828003,2024-07-01 10:00:03,{{A}},{{B}},1,0.01,Success,Transfer,1,Ethereum\n\
         {{H3}},50000002,1719828006,2024-07-01 10:00:06,{{A}},{{B}},1,0.01,Success,Transfer,999,Nowhere\n"
    );
    let c = ok(Format::EtherscanNormal, "export-0x85.csv", &ImportOptions::default(), &csv);
    assert_eq!(c.chain, Some(("avalanche".to_owned(), "value unit AVAX in column Value(AVAX)".to_owned())));
    assert_eq!(
        brief(&c),
        ["2 avalanche {H1} native {A}>{B} 12345000000000000000001 AVAX b=50000000 t=1719828000 fee=10000000000000000"]
    );
    assert_eq!(
        refusals(&c),
        [
            refusal(
                3,
                "ChainId",
                "found ChainId 1 (chain ethereum): expected avalanche as the file is read (one chain per file)"
            ),
            refusal(
                4,
                "ChainId",
                "found \"999\" on line 4: expected a chain id hoptrace knows: 1 (ethereum), 10 (optimism), 56 (bsc), 137 (polygon), 250 (fantom), 8453 (base), 42161 (arbitrum), 43114 (avalanche)"
            ),
        ]
    );
    // Current layout with chain columns: ETH amounts and ChainId 42161 read as Arbitrum.
    let header = "Transaction Hash,Status,Method,Blockno,DateTime (UTC),From,From_Nametag,To,To_Nametag,Amount,Value (USD),Txn Fee,ChainId,Chain\n";
    let row = |id: &str| {
        format!("{header}{{H1}},Success,Transfer,1,2024-07-01 10:00:00,{{A}},,{{B}},,0.5 ETH,$1.00,0.001,{id},x\n")
    };
    let c = ok(Format::EtherscanNormal, "routescan.csv", &ImportOptions::default(), &row("42161"));
    let rule = "value unit ETH in column Amount, line 2 and chain column: ChainId 42161";
    assert_eq!(c.chain, Some(("arbitrum".to_owned(), rule.to_owned())));
    assert_eq!(
        err(Format::EtherscanNormal, "routescan.csv", &ImportOptions::default(), &row("43114")),
        "line 2: found ChainId 43114 (chain avalanche) but amounts in ETH (column Amount, line 2): expected a chain whose native unit is ETH"
    );
    assert_eq!(
        err(Format::EtherscanNormal, "routescan.csv", &ImportOptions::default(), &row("7")),
        "line 2: column ChainId: found \"7\" on line 2: expected a chain id hoptrace knows: 1 (ethereum), 10 (optimism), 56 (bsc), 137 (polygon), 250 (fantom), 8453 (base), 42161 (arbitrum), 43114 (avalanche)"
    );
    let opt = ImportOptions { chain: Some("ethereum".into()), ..ImportOptions::default() };
    assert_eq!(
        err(Format::EtherscanNormal, "routescan.csv", &opt, &row("42161")),
        "line 2: found ChainId 42161 (chain arbitrum): expected --chain ethereum to agree with the file"
    );
}
