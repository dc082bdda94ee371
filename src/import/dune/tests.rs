//! Unit tests of the Dune reader, with fixtures in the exact published header form.

use super::*;
use crate::import::explorer_common::testkit::{self, brief, refusal, refusals};
use crate::import::{Collected, ImportOptions};

const HEADER: &str = "unique_key,blockchain,block_month,block_date,block_time,block_number,tx_hash,evt_index,trace_address,token_standard,tx_from,tx_to,tx_index,from,to,contract_address,symbol,amount_raw,amount,price_usd,amount_usd\n";

fn run(opts: &ImportOptions, csv: &str) -> Result<Collected, ReadError> {
    testkit::run(read, "dune-query-3412345.csv", opts, csv)
}

fn ok(opts: &ImportOptions, csv: &str) -> Collected {
    run(opts, csv).unwrap_or_else(|e| panic!("{e}"))
}

const BODY: &str = "k1,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{H1},12,,erc20,{A},{USDT},3,{A},{B},{USDT},USDT,18446744073709551617,18446744073709.55,1.0,18446744073709.551617
k2,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{H2},,[],native,{A},{B},4,{A},{B},0x0000000000000000000000000000000000000000,ETH,1500000000000000000,1.5,1850.12,2775.18
k3,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{H3},7,,erc20,{A},{B},5,{B},{A},{A},PEPE,340282366920938463463374607431768211457,3.402823669209385E20,,
k4,bnb,2023-05-01,2023-05-02,2023-05-02 12:20:11.000 UTC,28000000,{H1},2,,bep20,{A},{B},1,{A},{B},{B},CAKE,5,5E-18,2.1,1.05E-17
k5,tron,2023-05-01,2023-05-02,2023-05-02 12:20:23.000 UTC,50000000,0x{X4},0,,trc20,0x0e6b8e34dc115a2848f585851af23d99d09b8463,0xa614f803b6fd780986a42c78ec9c7f77e6ded13c,0,0x0e6b8e34dc115a2848f585851af23d99d09b8463,0x3e14d41891a30ac7473556d7c3256a5ddf9ef1aa,0xa614f803b6fd780986a42c78ec9c7f77e6ded13c,USDT,2500000,2.5,1.0,2.5
k6,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{H4},1,,erc20,{A},{B},3,{A},{B},{USDT},USDT,1.5,0.0000015,1.0,0.0000015
k7,solana,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,190000000,{H4},1,,spl,{A},{B},3,{A},{B},{USDT},USDC,1,1,1.0,1
k8,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{H4},2,,erc721,{A},{B},3,{A},{B},{USDT},BAYC,1,1,,
k9,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{H4},3,,erc20,{A},{B},3,{A},{B},{USDT},USDT,1,0.000001,1.0,-0.000001
k10,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{H4},4,,erc20,{A},{B},3,{A},{B},{USDT},USDT,1e6,1,1.0,1
";

#[test]
fn rows_of_several_chains_exactly() {
    let c = ok(&ImportOptions::default(), &format!("{HEADER}{BODY}"));
    assert_eq!(c.rows, 10);
    assert_eq!(
        brief(&c),
        [
            "2 ethereum {H1} token {A}>{B} 18446744073709551617 {USDT} b=17173049 t=1683029999 fee=- pos=12",
            "3 ethereum {H2} native {A}>{B} 1500000000000000000 ETH b=17173049 t=1683029999 fee=-",
            "4 ethereum {H3} token {B}>{A} 340282366920938463463374607431768211457 {A} b=17173049 t=1683029999 fee=- pos=7",
            "5 bsc {H1} token {A}>{B} 5 {B} b=28000000 t=1683030011 fee=- pos=2",
            "6 tron {X4} token {TB}>{TF} 2500000 {TUSDT} b=50000000 t=1683030023 fee=- pos=0",
        ]
    );
    let usd: Vec<Option<&str>> = c.transfers.iter().map(|t| t.stated_usd.as_deref()).collect();
    assert_eq!(usd, [Some("18446744073709.551617"), Some("2775.18"), None, Some("0.0000000000000000105"), Some("2.5")]);
    let decimals: Vec<(String, Option<String>, Option<u8>)> =
        c.assets.iter().map(|a| (a.asset.clone(), a.symbol.clone(), a.decimals)).collect();
    assert_eq!(
        decimals,
        [
            (testkit::fill("{USDT}"), Some("USDT".to_owned()), Some(6)),
            (testkit::fill("{A}"), Some("PEPE".to_owned()), None),
            (testkit::fill("{B}"), Some("CAKE".to_owned()), None),
            (testkit::fill("{TUSDT}"), Some("USDT".to_owned()), Some(6)),
        ]
    );
    assert_eq!(
        refusals(&c),
        [
            refusal(7, "amount_raw", "found \"1.5\": expected an integer number of base units (wei, sun, satoshi)"),
            refusal(
                8,
                "blockchain",
                "found \"solana\": expected a Dune blockchain hoptrace knows (ethereum, bnb, polygon, arbitrum, optimism, base, avalanche_c, fantom, tron)"
            ),
            refusal(
                9,
                "token_standard",
                "found \"erc721\": expected native, erc20, bep20 or trc20 (fungible transfers)"
            ),
            refusal(
                10,
                "amount_usd",
                "found \"-0.000001\": expected a USD value as a plain decimal without sign, such as 1234.5678"
            ),
            refusal(
                11,
                "amount_raw",
                "found \"1e6\": expected plain digits, not scientific notation (a spreadsheet rounded it; re-export)"
            ),
        ]
    );
    assert_eq!(c.chain, Some(("multiple".to_owned(), "blockchain column".to_owned())));
}

#[test]
fn one_chain_and_forced_chain() {
    let first = BODY.lines().next().unwrap_or_default();
    let c = ok(&ImportOptions::default(), &format!("{HEADER}{first}\n"));
    assert_eq!(c.chain, Some(("ethereum".to_owned(), "blockchain column".to_owned())));
    let bsc = ImportOptions { chain: Some("bsc".into()), ..ImportOptions::default() };
    let c = ok(&bsc, &format!("{HEADER}{first}\n"));
    assert_eq!(c.transfers, []);
    assert_eq!(
        refusals(&c),
        [refusal(2, "blockchain", "found \"ethereum\", another chain than --chain bsc: expected bsc rows only")]
    );
    assert_eq!(c.chain, None);
}

#[test]
fn stated_usd_forms() {
    let ok = |t: &str| stated_usd(t, 1, "f").ok().flatten();
    assert_eq!(ok("1234.5678").as_deref(), Some("1234.5678"));
    assert_eq!(ok("$1,850,500.00").as_deref(), Some("1850500.00"));
    assert_eq!(ok("1.5E-5").as_deref(), Some("0.000015"));
    assert_eq!(ok("1.25e+3").as_deref(), Some("1250"));
    assert_eq!(ok("12E2").as_deref(), Some("1200"));
    assert_eq!(ok(""), None);
    for bad in ["-1", "+1", "1,00", "abc", "1.", ".5", "1e", "NaN", "1.2.3"] {
        assert!(stated_usd(bad, 1, "f").is_err(), "{bad}");
    }
}
