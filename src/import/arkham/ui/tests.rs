//! Unit tests of the Arkham UI export layout, fixtures in the exact published 19 columns.

use crate::import::arkham::read;
use crate::import::explorer_common::testkit::{self, brief, refusal, refusals};
use crate::import::{Collected, ImportOptions};
use crate::model::{Category, Label};

const HEADER: &str = "transactionHash,chain,type,fromAddress,fromLabel,fromIsContract,toAddress,toLabel,toIsContract,tokenAddress,tokenName,tokenSymbol,tokenDecimals,tokenId,unitValue,historicalUSD,blockNumber,blockHash,blockTimestamp\n";

const BODY: &str = "{H1},ethereum,external,{A},Lazarus Group,false,{B},Tornado Cash,true,,Ether,ETH,18,ethereum,1000,1850500.00,17173049,{H4},2023-05-02T12:19:59Z
{H2},ethereum,token,{A},Lazarus Group,false,{B},,false,{USDT},Tether USD,USDT,6,tether,18446744073709.551617,18446744073709.55,17173050,{H4},2023-05-02T12:20:11Z
{H3},arbitrum_one,token,{A},,false,{B},,false,{B},Pepe,PEPE,18,pepe,340282366920938463463.374607431768211457,1.5E-5,1000,{H4},2023-05-02T12:20:23Z
{X1},tron,token,{TB},,false,{TF},Binance,false,{TUSDT},Tether USD,USDT,6,tether,100,100.01,50000000,{X4},2023-05-02T12:20:35Z
{X2},bitcoin,external,{BTC1},,false,{BTC2},,false,,Bitcoin,BTC,8,bitcoin,0.5,14000,800000,{X4},2023-05-02T12:20:47Z
{H4},solana,external,{A},,false,{B},,false,,Solana,SOL,9,solana,1,1,1,{H4},2023-05-02T12:20:59Z
{H4},ethereum,internal,{A},,false,{B},,false,,Ether,ETH,18,ethereum,2,,17173051,{H4},2023-05-02T12:21:11Z
{H4},ethereum,token,{A},,false,{B},,false,{USDT},Tether USD,USDT,18,tether,1,1,17173052,{H4},2023-05-02T12:21:23Z
{H4},ethereum,token,{A},,false,{B},,false,{A},Unknown,UNK,,unk,1,1,17173053,{H4},2023-05-02T12:21:35Z
{H4},ethereum,swap,{A},,false,{B},,false,,Ether,ETH,18,ethereum,1,1,17173054,{H4},2023-05-02T12:21:47Z
{H4},ethereum,external,{A},,false,{B},,false,,Ether,ETH,18,ethereum,1,$-5,17173055,{H4},2023-05-02T12:21:59Z
{H4},ethereum,external,{A},,false,{B},,false,,Tether USD,USDT,6,tether,1,1,17173056,{H4},2023-05-02T12:22:11Z
";

fn ok(opts: &ImportOptions, csv: &str) -> Collected {
    testkit::run(read, "arkham-ui.csv", opts, csv).unwrap_or_else(|e| panic!("{e}"))
}

fn label(chain: &str, address: &str, entity: &str, line: u64) -> Label {
    Label {
        added_by: Some("Arkham".into()),
        line,
        ..Label::new(
            chain,
            testkit::fill(address),
            entity,
            Category::parse(entity).unwrap_or(Category::Unknown),
            format!("Arkham export, arkham-ui.csv line {line}"),
        )
    }
}

#[test]
fn ui_export_rows_of_every_chain() {
    let c = ok(&ImportOptions::default(), &format!("{HEADER}{BODY}"));
    assert_eq!(c.rows, 12);
    assert_eq!(
        brief(&c),
        [
            "2 ethereum {H1} native {A}>{B} 1000000000000000000000 ETH b=17173049 t=1683029999 fee=-",
            "3 ethereum {H2} token {A}>{B} 18446744073709551617 {USDT} b=17173050 t=1683030011 fee=-",
            "4 arbitrum {H3} token {A}>{B} 340282366920938463463374607431768211457 {B} b=1000 t=1683030023 fee=-",
            "5 tron {X1} token {TB}>{TF} 100000000 {TUSDT} b=50000000 t=1683030035 fee=-",
            "6 bitcoin {X2} native {BTC1}>{BTC2} 50000000 BTC b=800000 t=1683030047 fee=-",
            "8 ethereum {H4} internal {A}>{B} 2000000000000000000 ETH b=17173051 t=1683030071 fee=-",
        ]
    );
    let usd: Vec<Option<&str>> = c.transfers.iter().map(|t| t.stated_usd.as_deref()).collect();
    assert_eq!(
        usd,
        [Some("1850500.00"), Some("18446744073709.55"), Some("0.000015"), Some("100.01"), Some("14000"), None]
    );
    assert_eq!(
        c.labels,
        [
            label("ethereum", "{A}", "Lazarus Group", 2),
            label("ethereum", "{B}", "Tornado Cash", 2),
            label("tron", "{TF}", "Binance", 5),
        ]
    );
    let assets: Vec<(String, String, Option<u8>, Option<String>)> =
        c.assets.iter().map(|a| (a.chain.clone(), a.asset.clone(), a.decimals, a.name.clone())).collect();
    assert_eq!(
        assets,
        [
            ("ethereum".to_owned(), testkit::fill("{USDT}"), Some(6), Some("Tether USD".to_owned())),
            ("arbitrum".to_owned(), testkit::fill("{B}"), Some(18), Some("Pepe".to_owned())),
            ("tron".to_owned(), testkit::fill("{TUSDT}"), Some(6), Some("Tether USD".to_owned())),
        ]
    );
    assert_eq!(
        refusals(&c),
        [
            refusal(
                7,
                "chain",
                "found \"solana\": expected an Arkham chain hoptrace knows (ethereum, bsc, polygon, arbitrum_one, optimism, base, avalanche, tron, bitcoin)"
            ),
            refusal(9, "tokenDecimals", "found 18: expected 6 (assets/tokens.ron gives USDT 6 decimals)"),
            refusal(
                10,
                "tokenAddress",
                "found token {A} (UNK) whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass `--token-decimals {A}=N` with the token's decimals N"
            ),
            refusal(11, "type", "found \"swap\": expected external, internal, token or transfer"),
            refusal(
                12,
                "historicalUSD",
                "found \"$-5\": expected a USD value as a plain decimal without sign, such as 1234.5678"
            ),
            refusal(
                13,
                "tokenSymbol",
                "found \"USDT\" without a tokenAddress: expected the native asset ETH, or the token's tokenAddress"
            ),
        ]
    );
    assert_eq!(c.chain, Some(("multiple".to_owned(), "chain column".to_owned())));
}

#[test]
fn ui_export_one_chain_and_forced_chain() {
    let first = BODY.lines().next().unwrap_or_default();
    let c = ok(&ImportOptions::default(), &format!("{HEADER}{first}\n"));
    assert_eq!(c.chain, Some(("ethereum".to_owned(), "chain column".to_owned())));
    let tron = ImportOptions { chain: Some("tron".into()), ..ImportOptions::default() };
    let c = ok(&tron, &format!("{HEADER}{first}\n"));
    assert_eq!(
        refusals(&c),
        [refusal(2, "chain", "found \"ethereum\", another chain than --chain tron: expected tron rows only")]
    );
    assert_eq!(c.chain, None);
}
