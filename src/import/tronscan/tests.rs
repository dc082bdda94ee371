//! Unit tests of the Tronscan reader, with fixtures in the exact published header forms.

use super::row::FAILED_RESULTS;
use super::*;
use crate::import::explorer_common::testkit::{self, brief, refusal, refusals};
use crate::import::{AssetInfo, Collected, ImportOptions};

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

const TX_HEADER: &str =
    "Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,contractType,status\n";

#[test]
fn transactions_layout_statuses_and_contract_types() {
    let body = "{X1},50000000,2023-05-02 20:19:59,2023-05-02 12:19:59,{TB},{TF},2.5,TRX,TransferContract,SUCCESS
{X2},50000001,2023-05-02 20:20:11,2023-05-02 12:20:11,{TB},{TF},2.5,TRX,TransferContract,FAILED
{X4},50000002,2023-05-02 20:20:23,2023-05-02 12:20:23,{TF},{TB},\"18,446,744,073,709.551617\",TRX,TransferContract,SUCCESS
{X1},50000003,2023-05-02 20:20:35,2023-05-02 12:20:35,{TB},{TF},7,BTT,TransferAssetContract,SUCCESS
{X1},50000004,2023-05-02 20:20:47,2023-05-02 12:20:47,{TB},{TF},7,USDT,TriggerSmartContract,SUCCESS
{X1},50000005,2023-05-02 20:20:59,2023-05-02 12:20:59,{TB},{TF},0,TRX,FreezeBalanceV2Contract,SUCCESS
{X1},50000006,2023-05-02 20:21:11,2023-05-02 12:21:11,{TB},{TF},1,TRX,TransferContract,PENDING
{X1},50000007,2023-05-02 20:21:23,2023-05-02 12:21:23,{TB},{TF},1,TRX,TransferContract,DEFAULT
{X1},50000008,10000-01-01 08:00:00,10000-01-01 00:00:00,{TB},{TF},1,TRX,TransferContract,SUCCESS
{X1},50000009,2023-05-02 20:21:47,2023-05-02 12:21:47,{TB},{TF},1,BTT,TransferContract,SUCCESS
";
    let c = ok(&ImportOptions::default(), &format!("{TX_HEADER}{body}"));
    assert_eq!(c.chain, Some(("tron".to_owned(), "Tronscan export".to_owned())));
    assert_eq!(c.rows, 10);
    assert_eq!(
        brief(&c),
        [
            "2 tron {X1} native {TB}>{TF} 2500000 TRX b=50000000 t=1683029999 fee=-",
            "3 tron {X2} native {TB}>{TF} 2500000 TRX b=50000001 t=1683030011 fee=- failed",
            "4 tron {X4} native {TF}>{TB} 18446744073709551617 TRX b=50000002 t=1683030023 fee=-",
        ]
    );
    let expected = "expected SUCCESS or a failed result (FAILED, REVERT, BAD_JUMP_DESTINATION, OUT_OF_MEMORY, \
                    PRECOMPILED_CONTRACT, STACK_TOO_SMALL, STACK_TOO_LARGE, ILLEGAL_OPERATION, STACK_OVERFLOW, \
                    OUT_OF_ENERGY, OUT_OF_TIME, JVM_STACK_OVER_FLOW, UNKNOWN, TRANSFER_FAILED, INVALID_CODE)";
    assert_eq!(
        refusals(&c),
        [
            refusal(
                5,
                "symbol",
                "found token BTT whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass `--token-decimals BTT=N` with the token's decimals N"
            ),
            refusal(
                6,
                "contractType",
                "found TriggerSmartContract without a tokenAddress: expected the TRC-20 contract; import the account's Tronscan token-transfers export (it has tokenAddress) for these transfers"
            ),
            refusal(
                7,
                "contractType",
                "found \"FreezeBalanceV2Contract\": expected TransferContract (TRX), TransferAssetContract (TRC-10) or TriggerSmartContract (TRC-20); other contract types move no value to a counterparty"
            ),
            refusal(8, "status", &format!("found \"PENDING\": {expected}")),
            refusal(9, "status", &format!("found \"DEFAULT\": {expected}")),
            refusal(
                10,
                "blockTime(UTC)",
                "found \"10000-01-01 00:00:00\": expected Unix seconds, ISO 8601 (2023-05-02 12:19:59), a spreadsheet date (5/2/2023 12:19) or a spreadsheet serial number"
            ),
            refusal(11, "symbol", "found \"BTT\" in a TransferContract row: expected TRX"),
        ]
    );
    // TRC-10 with --token-decimals by its name: asset `trc10:BTT`.
    let opts = ImportOptions { token_decimals: [("btt".to_owned(), 6)].into(), ..ImportOptions::default() };
    let c = ok(&opts, &format!("{TX_HEADER}{body}"));
    assert_eq!(brief(&c)[3], "5 tron {X1} token {TB}>{TF} 7000000 trc10:BTT b=50000003 t=1683030035 fee=-");
    let info = AssetInfo {
        chain: "tron".into(),
        asset: "trc10:BTT".into(),
        symbol: Some("BTT".into()),
        decimals: Some(6),
        name: None,
    };
    assert_eq!(c.assets, [info]);
}

#[test]
fn every_failed_result_is_failed_and_success_is_not() {
    let mut csv = TX_HEADER.to_owned();
    for (i, s) in FAILED_RESULTS.iter().enumerate() {
        csv.push_str(&format!("{{X1}},{i},,1683029999,{{TB}},{{TF}},1,TRX,TransferContract,{s}\n"));
    }
    csv.push_str("{X1},99,,1683029999,{TB},{TF},1,TRX,TransferContract,success\n");
    let c = ok(&ImportOptions::default(), &csv);
    assert_eq!(c.refused, []);
    let failed: Vec<bool> = c.transfers.iter().map(|t| t.failed).collect();
    let mut want = vec![true; FAILED_RESULTS.len()];
    want.push(false);
    assert_eq!(failed, want);
}

#[test]
fn trc20_over_2_pow_128_and_trc10_by_id() {
    // USDD has 18 decimals: 10^21 USDD is 10^39 base units, above 2^128.
    let csv = "Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,tokenAddress,isConfirm
{X1},1,,2023-05-02 12:19:59,{TB},{TF},1000000000000000000000,USDD,TPYmHEhy5n8TCEfYGqW2rPxsghSfzghPDn,true
{X2},2,,2023-05-02 12:19:59,{TB},{TF},18.446744073709551616,USDD,TPYmHEhy5n8TCEfYGqW2rPxsghSfzghPDn,true
";
    let c = ok(&ImportOptions::default(), csv);
    assert_eq!(
        brief(&c),
        [
            "2 tron {X1} token {TB}>{TF} 1000000000000000000000000000000000000000 TPYmHEhy5n8TCEfYGqW2rPxsghSfzghPDn b=1 t=1683029999 fee=-",
            "3 tron {X2} token {TB}>{TF} 18446744073709551616 TPYmHEhy5n8TCEfYGqW2rPxsghSfzghPDn b=2 t=1683029999 fee=-",
        ]
    );
    // A TRC-10 row with a token id column is keyed by the id.
    let csv = "Tx Hash,blockTime(UTC),from,to,value,symbol,tokenId,contractType,status
{X1},2023-05-02 12:19:59,{TB},{TF},3.5,BTT,1002000,TransferAssetContract,REVERT
";
    let opts = ImportOptions { token_decimals: [("1002000".to_owned(), 6)].into(), ..ImportOptions::default() };
    assert_eq!(
        brief(&ok(&opts, csv)),
        ["2 tron {X1} token {TB}>{TF} 3500000 trc10:1002000 b=- t=1683029999 fee=- failed"]
    );
}

#[test]
fn older_and_oldest_layouts() {
    let csv = "Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,fee,status
{X1},50000000,2023-05-02 20:19:59,2023-05-02 12:19:59,{TB},{TF},10,1.1,SUCCESS
{X2},50000001,2023-05-02 20:20:11,2023-05-02 12:20:11,{TB},{TF},10,0.268,OUT_OF_ENERGY
{X4},50000002,2023-05-02 20:20:23,2023-05-02 12:20:23,{TB},{TF},10,-1,SUCCESS
";
    let c = ok(&ImportOptions::default(), csv);
    assert_eq!(
        brief(&c),
        [
            "2 tron {X1} native {TB}>{TF} 10000000 TRX b=50000000 t=1683029999 fee=1100000",
            "3 tron {X2} native {TB}>{TF} 10000000 TRX b=50000001 t=1683030011 fee=268000 failed",
        ]
    );
    assert_eq!(
        refusals(&c),
        [refusal(4, "fee", "found \"-1\": expected an amount without sign (from/to give the direction)")]
    );
    let csv = "transaction_id,block,block_ts,from_address,to_address,confirmed,contractRet,quant
{X1},50000000,1683029999000,{TB},{TF},true,SUCCESS,2500000
{X2},50000001,1683030011000,{TB},{TF},true,TRANSFER_FAILED,2500000
{X4},50000002,1683030023000,{TB},{TF},false,SUCCESS,2500000
{X4},50000003,1683030035000,{TB},{TF},true,SUCCESS,2.5
{X4},50000004,1683030047000,{TB},{TF},true,BOGUS,1
";
    let c = ok(&ImportOptions::default(), csv);
    assert_eq!(
        brief(&c),
        [
            "2 tron {X1} native {TB}>{TF} 2500000 TRX b=50000000 t=1683029999 fee=-",
            "3 tron {X2} native {TB}>{TF} 2500000 TRX b=50000001 t=1683030011 fee=- failed",
        ]
    );
    let refused = refusals(&c);
    assert_eq!(refused.len(), 3);
    assert_eq!(
        refused[..2],
        [
            refusal(
                4,
                "confirmed",
                "found \"false\", not confirmed: expected a confirmed transfer; re-export it once confirmed"
            ),
            refusal(5, "quant", "found \"2.5\": expected an integer number of base units (wei, sun, satoshi)"),
        ]
    );
    assert_eq!((refused[2].0, refused[2].1.as_str()), (6, "contractRet"));
    assert!(refused[2].2.starts_with("found \"BOGUS\": expected SUCCESS or a failed result (FAILED, REVERT,"));
}
