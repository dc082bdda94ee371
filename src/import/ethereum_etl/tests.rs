//! Unit tests of the ethereum-etl / BigQuery readers: fixtures in the published header forms,
//! and malformed inputs each with its exact refusal.

use super::*;
use crate::import::{Collected, ImportOptions};

fn run_with(kind: Kind, text: &str, opts: &ImportOptions) -> Result<Collected, ReadError> {
    let ctx = ReadContext { file_name: "t.csv", path: None, options: opts };
    let mut sink = Collected::default();
    let mut input = text.as_bytes();
    match kind {
        Kind::Transactions => read_transactions(&mut input, &ctx, &mut sink),
        Kind::TokenTransfers => read_token_transfers(&mut input, &ctx, &mut sink),
        Kind::Traces => read_traces(&mut input, &ctx, &mut sink),
        Kind::Blocks => read_blocks(&mut input, &ctx, &mut sink),
    }?;
    Ok(sink)
}

fn run(kind: Kind, text: &str) -> Collected {
    let r = run_with(kind, text, &ImportOptions::default());
    assert!(r.is_ok(), "{r:?}");
    r.unwrap_or_default()
}

/// `(line, field, message)` of every refusal.
fn refusals(c: &Collected) -> Vec<(u64, &str, &str)> {
    c.refused.iter().map(|r| (r.line, r.field.as_str(), r.message.as_str())).collect()
}

const H: &str = "0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0";
const A: &str = "0xae2fc483527b8ef99eb5d9b44875f005ba1fae13";
const B: &str = "0x6b75d8af000000e20b7a7ddf000ba900b4009a80";
const TRACES: &str = "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id";
const BLOCKS: &str = "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals";

#[test]
fn json_line_with_uint256_value() {
    let line = format!(
        "{{\"type\": \"token_transfer\", \"token_address\": \"0xC02aaa39b223FE8D0A0e5C4F27eAD9083C756Cc2\", \"from_address\": \"{A}\", \"to_address\": \"{B}\", \"value\": 115792089237316195423570985008687907853269984665640564039457584007913129639935, \"transaction_hash\": \"{H}\", \"log_index\": 7, \"block_number\": 17173049, \"block_timestamp\": 1683029999}}\n"
    );
    let c = run(Kind::TokenTransfers, &line);
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    let t = &c.transfers[0];
    assert_eq!(t.amount_base.to_string(), ethnum::U256::MAX.to_string());
    assert_eq!(t.asset, "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
    assert_eq!((t.position, t.time, t.line), (Some(7), Some(1_683_029_999), 1));
    assert_eq!(c.chain.as_ref().map(|c| c.0.as_str()), Some("ethereum"));
}

#[test]
fn csv_refusals_name_line_and_field() {
    let text = format!(
        "hash,from_address,to_address,value,block_timestamp\n{H},{A},,1e18,1683029999\n{H},0xzz,{A},1,1683029999\n0x12,{A},,1,1683029999\n"
    );
    let c = run(Kind::Transactions, &text);
    assert!(c.transfers.is_empty());
    let got: Vec<(u64, &str)> = c.refused.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(got, vec![(2, "value"), (3, "from_address"), (4, "hash")]);
    assert!(c.refused[0].message.contains("exponent"), "{}", c.refused[0].message);
}

#[test]
fn traces_in_the_published_header() {
    let big = "340282366920938463463374607431768211457"; // 2^128 + 1
    let text = format!(
        "{TRACES}\n\
         1000000,{H},0,{A},{B},{big},0x,0x,call,call,,108244,8244,2,,,1,call_{H}_\n\
         1000000,{H},0,{B},{A},5,0x,0x,call,call,,1000,0,0,0,,1,call_{H}_0\n\
         1000000,{H},0,{B},{A},5,0x,0x,call,delegatecall,,1000,0,0,1,,1,call_{H}_1\n\
         1000000,{H},0,{B},{A},0,0x,0x,call,call,,1000,0,0,\"0,0\",,1,call_{H}_0_0\n\
         1000000,{H},0,{B},{A},7,0x,,call,call,,1000,0,0,\"1,0\",Out of gas,0,call_{H}_1_0\n\
         1000000,{H},0,{A},{B},9,0x60,0x60,create,,,954720,160631,0,2,,1,create_{H}_2\n\
         1000000,{H},0,{B},{A},11,,,suicide,,,,,0,3,,1,suicide_{H}_3\n\
         1000000,,,,{B},5000000000000000000,,,reward,,block,,,0,,,1,reward_1000000_0\n\
         1000000,{H},0,{B},{A},3,0x,,call,call,,1000,0,0,4,Reverted,1,call_{H}_4\n"
    );
    let c = run(Kind::Traces, &text);
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    type Row = (u64, String, Option<i64>, bool, Option<i64>);
    let got: Vec<Row> =
        c.transfers.iter().map(|t| (t.line, t.amount_base.to_string(), t.position, t.failed, t.block)).collect();
    assert_eq!(
        got,
        vec![
            (2, big.to_owned(), Some(0), false, Some(1_000_000)),
            (3, "5".to_owned(), Some(1), false, Some(1_000_000)),
            (6, "7".to_owned(), Some(2001), true, Some(1_000_000)),
            (7, "9".to_owned(), Some(3), false, Some(1_000_000)),
            (8, "11".to_owned(), Some(4), false, Some(1_000_000)),
            (10, "3".to_owned(), Some(5), true, Some(1_000_000)),
        ]
    );
    assert!(c.transfers.iter().all(|t| t.kind == crate::model::TransferKind::Internal && t.time.is_none()));
    assert_eq!(c.transfers[0].from.as_deref(), Some(A));
    assert_eq!(c.transfers[4].to.as_deref(), Some(A));
    let skipped: Vec<(&str, u64)> = c.skipped.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        skipped,
        vec![
            ("delegatecall/staticcall trace (moves no value)", 1),
            ("reward trace (block or uncle reward, no transaction)", 1),
            ("trace without value", 1)
        ]
    );
}

#[test]
fn traces_as_json_lines_and_bigquery() {
    let text = format!(
        "{{\"type\": \"trace\", \"block_number\": 1, \"transaction_hash\": \"{H}\", \"from_address\": \"{A}\", \"to_address\": \"{B}\", \"value\": 12, \"trace_type\": \"call\", \"call_type\": \"call\", \"trace_address\": [0, 2], \"error\": null, \"status\": 1}}\n\
         {{\"block_number\": \"1\", \"block_timestamp\": \"2023-05-02 12:19:59 UTC\", \"transaction_hash\": \"{H}\", \"from_address\": \"{A}\", \"to_address\": \"{B}\", \"value\": \"13\", \"trace_type\": \"call\", \"call_type\": \"callcode\", \"trace_address\": \"1,0\", \"status\": \"1\"}}\n\
         {{\"block_number\": 1, \"transaction_hash\": \"{H}\", \"from_address\": \"{A}\", \"to_address\": \"{B}\", \"value\": 14, \"trace_type\": \"call\", \"call_type\": \"call\", \"trace_address\": null, \"trace_id\": \"call_{H}_4_1\", \"status\": 1}}\n"
    );
    let c = run(Kind::Traces, &text);
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    let got: Vec<(String, Option<i64>, Option<i64>)> =
        c.transfers.iter().map(|t| (t.amount_base.to_string(), t.position, t.time)).collect();
    assert_eq!(
        got,
        vec![
            ("12".to_owned(), Some(1003), None),
            ("13".to_owned(), Some(2001), Some(1_683_029_999)),
            ("14".to_owned(), Some(5002), None)
        ]
    );
}

#[test]
fn blocks_csv_and_json() {
    let csv = format!(
        "{BLOCKS}\n17173049,0xaa,0x91,0x00,0x1d,0x08,0xc5,0xf5,0x48,{A},0,58750003716598352816469,40573,0x72,30000000,9755040,1683029999,116,80869370967,0x06,\"{{\"\"index\"\":1}}\"\n"
    );
    let c = run(Kind::Blocks, &csv);
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    assert_eq!(
        c.block_times,
        vec![BlockTime { chain: "ethereum".to_owned(), number: 17_173_049, time: 1_683_029_999, line: 2 }]
    );
    let json = "{\"type\": \"block\", \"number\": 5, \"timestamp\": 1438936285, \"withdrawals\": [{\"index\": 1}]}\n\n{\"number\": \"6\", \"timestamp\": \"2015-08-07 08:31:26 UTC\"}\n";
    let opts = ImportOptions { chain: Some("bsc".to_owned()), ..ImportOptions::default() };
    let c = run_with(Kind::Blocks, json, &opts).unwrap_or_default();
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    let got: Vec<(&str, i64, i64, u64)> =
        c.block_times.iter().map(|b| (b.chain.as_str(), b.number, b.time, b.line)).collect();
    assert_eq!(got, vec![("bsc", 5, 1_438_936_285, 1), ("bsc", 6, 1_438_936_286, 3)]);
    assert_eq!(c.chain, Some(("bsc".to_owned(), "--chain option".to_owned())));
    assert_eq!(c.skipped.get("blank line"), Some(&1));
}

#[test]
fn bigquery_transactions_and_token_transfers() {
    let tx = format!(
        "{{\"hash\": \"{H}\", \"from_address\": \"{A}\", \"to_address\": \"{B}\", \"value\": \"340282366920938463463374607431768211457\", \"block_number\": \"17173049\", \"block_timestamp\": \"2023-05-02 12:19:59 UTC\", \"receipt_status\": \"0\", \"receipt_gas_used\": \"21000\", \"receipt_effective_gas_price\": \"2\"}}\n"
    );
    let c = run(Kind::Transactions, &tx);
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    let t = &c.transfers[0];
    assert_eq!(
        (t.amount_base.to_string(), t.time, t.block, t.failed, t.fee_base.map(|f| f.to_string())),
        (
            "340282366920938463463374607431768211457".to_owned(),
            Some(1_683_029_999),
            Some(17_173_049),
            true,
            Some("42000".to_owned())
        )
    );
    let csv = format!(
        "token_address,from_address,to_address,value,transaction_hash,log_index,block_number,block_timestamp,decimals\n\
         {B},{A},{B},\"1000000\",{H},3,17173049,2023-05-02 12:19:59 UTC,\"6\"\n"
    );
    let c = run(Kind::TokenTransfers, &csv);
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    assert_eq!((c.transfers[0].time, c.transfers[0].position), (Some(1_683_029_999), Some(3)));
    assert_eq!(c.assets.first().and_then(|a| a.decimals), Some(6));
}

#[test]
fn malformed_inputs_are_refused_exactly() {
    let trace = |value: &str, status: &str| {
        format!("{TRACES}\n1000000,{H},0,{A},{B},{value},0x,0x,call,call,,0,0,0,,,{status},call_{H}_\n")
    };
    let cases: Vec<(Kind, String, (u64, &str, String))> = vec![
        (Kind::Traces, trace("5", "2"), (2, "status", "found \"2\": expected 1 (success) or 0 (failed)".to_owned())),
        (
            Kind::Traces,
            trace("1.5", "1"),
            (
                2,
                "value",
                "found \"1.5\": expected an integer number of wei in plain digits, without a fraction (these exports write whole base units)"
                    .to_owned(),
            ),
        ),
        (
            Kind::Traces,
            trace("-5", "1"),
            (
                2,
                "value",
                "found \"-5\": expected an integer number of wei in plain digits, not a negative amount (from/to give the direction)"
                    .to_owned(),
            ),
        ),
        (
            Kind::Traces,
            format!("{TRACES}\n1000000,{H},0,{A},{B},5,0x,0x,call,callx,,0,0,0,,,1,x\n"),
            (2, "call_type", "found \"callx\": expected call, callcode, delegatecall or staticcall".to_owned()),
        ),
        (
            Kind::Transactions,
            format!("{{\"hash\": \"{H}\", \"from_address\": \"{A}\", \"value\": 1, \"value\": 2}}\n"),
            (1, "row", crate::import::json::duplicate_key_message("value")),
        ),
        (
            Kind::Transactions,
            format!("{{\"hash\": \"{H}\", \"from_address\": \"{A}\", \"value\": 1e+30}}\n"),
            (
                1,
                "value",
                "found \"1e+30\": expected an integer number of wei in plain digits, not an exponent (scientific notation: a tool rounded it through a float; re-export)"
                    .to_owned(),
            ),
        ),
        (
            Kind::Blocks,
            "number,timestamp\n1,253402300800\n".to_owned(),
            (
                2,
                "timestamp",
                "found 253402300800 s: expected a time between 2009-01-03T00:00:00Z (the first block) and one day from now"
                    .to_owned(),
            ),
        ),
        (
            Kind::Blocks,
            "number,timestamp\n1,\n".to_owned(),
            (2, "timestamp", "missing or empty: expected the block's time (Unix seconds)".to_owned()),
        ),
        (
            Kind::Transactions,
            format!("{{\"hash\": \"{H}\", \"from_address\": \"{A}\", \"value\": \"1\", \"receipt_status\": \"x\"}}\n"),
            (1, "receipt_status", "found \"x\": expected 1 (success) or 0 (failed)".to_owned()),
        ),
        (
            Kind::Transactions,
            format!("{{\"hash\": \"{H}\", \"from_address\": \"{A}\", \"value\": \"1\", \"block_timestamp\": \"2023-05-02T12:19:59\"}}\n"),
            (
                1,
                "block_timestamp",
                "found \"2023-05-02T12:19:59\": expected Unix seconds (ethereum-etl) or YYYY-MM-DD HH:MM:SS UTC (BigQuery), such as 1683029999 or 2023-05-02 12:19:59 UTC"
                    .to_owned(),
            ),
        ),
        (
            Kind::Traces,
            "{\"type\": \"block\", \"number\": 1, \"timestamp\": 1683029999}\n".to_owned(),
            (
                1,
                "type",
                "found \"block\": expected \"trace\" records (a stream mixing record types: import each type's file with its format)"
                    .to_owned(),
            ),
        ),
        (
            Kind::Traces,
            format!("{TRACES}\n1000000,{H},0,{A},{B},5,0x,0x,call,call,,0,0,0,\"0,x\",,1,x\n"),
            (2, "trace_address", "found element \"x\": expected child indexes such as 0,1".to_owned()),
        ),
        (
            Kind::Traces,
            format!("{TRACES}\n1000000,{H},0,{A},{B},5,0x,0x,transfer,,,0,0,0,,,1,x\n"),
            (2, "trace_type", "found \"transfer\": expected call, create, suicide or reward".to_owned()),
        ),
    ];
    for (kind, text, (line, field, message)) in cases {
        let c = run(kind, &text);
        assert!(c.transfers.is_empty() && c.block_times.is_empty(), "{text}");
        assert_eq!(refusals(&c), vec![(line, field, message.as_str())], "{text}");
    }
}

#[test]
fn whole_file_problems_stop_reading() {
    let opts = ImportOptions { chain: Some("tron".to_owned()), ..ImportOptions::default() };
    let e = run_with(Kind::Blocks, "number,timestamp\n1,1683029999\n", &opts).err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("line 1: found --chain tron: expected an EVM chain (ethereum-etl exports Ethereum-like chains)")
    );
    let e = run_with(Kind::Blocks, "number,hash\n1,0x\n", &ImportOptions::default()).err().map(|e| e.to_string());
    assert!(e.is_some_and(|e| e.contains("header has no timestamp column")));
    let e = run_with(
        Kind::Traces,
        &format!("{TRACES}\n").replace(",trace_address", "").replace(",trace_id", ""),
        &ImportOptions::default(),
    )
    .err()
    .map(|e| e.to_string());
    assert!(e.is_some_and(|e| e.contains("trace_address or trace_id")));
}
