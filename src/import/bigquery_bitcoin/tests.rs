//! Unit tests of the BigQuery `crypto_bitcoin.transactions` reader.

use super::*;
use crate::import::explorer_common::testkit::{self, brief, refusal, refusals};
use crate::import::{Collected, ImportOptions};

fn ok(text: &str) -> Collected {
    testkit::run(read, "bq-results-20240101.json", &ImportOptions::default(), text).unwrap_or_else(|e| panic!("{e}"))
}

/// A coinbase transaction as BigQuery writes it: NUMERIC as strings, TIMESTAMP as text.
const COINBASE: &str = r#"{"hash":"{X1}","size":135,"virtual_size":135,"version":1,"lock_time":0,"block_hash":"000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141","block_number":"50001","block_timestamp":"2010-04-10 16:31:40 UTC","input_count":1,"output_count":1,"input_value":"0","output_value":"5000000000","is_coinbase":true,"fee":"0","inputs":[{"index":0,"spent_transaction_hash":null,"spent_output_index":null,"script_asm":"","script_hex":"0415112a1c02cc00","sequence":4294967295,"required_signatures":null,"type":"nonstandard","addresses":[],"value":null}],"outputs":[{"index":0,"script_asm":"04c1 OP_CHECKSIG","script_hex":"4104c1ac","required_signatures":1,"type":"pubkey","addresses":["{BTC1}"],"value":"5000000000"}]}"#;

/// A spend with a resolved and an unresolved input, a multisig, a nulldata and a
/// bitcoin-etl nonstandard output.
const SPEND: &str = r#"{"hash":"{X2}","block_number":50002,"block_timestamp":1270917181,"is_coinbase":false,"inputs":[{"index":0,"spent_transaction_hash":"{X1}","spent_output_index":"0","type":"pubkey","addresses":["{BTC1}"],"value":"5000000000"},{"index":1,"spent_transaction_hash":"{X4}","spent_output_index":3,"type":null,"addresses":[],"value":null}],"outputs":[{"index":0,"type":"pubkeyhash","addresses":["{BTC2}"],"value":"4000000000.0"},{"index":1,"type":"multisig","addresses":["{BTC1}","{BTC2}"],"value":"999000000"},{"index":2,"type":"nulldata","addresses":[],"value":"0"},{"index":3,"type":"nonstandard","addresses":["nonstandard0123abcd"],"value":1000000}]}"#;

#[test]
fn coinbase_and_spend_like_the_rpc_reader() {
    let c = ok(&format!("{COINBASE}\n\n{SPEND}\n"));
    assert_eq!(c.chain, Some(("bitcoin".to_owned(), "BigQuery crypto_bitcoin export".to_owned())));
    assert_eq!(c.rows, 2);
    let x2 = testkit::fill("{X2}");
    assert_eq!(
        brief(&c),
        [
            "1 bitcoin {X1} utxo_output ->{BTC1} 5000000000 BTC b=50001 t=1270917100 fee=- pos=0".to_owned(),
            "3 bitcoin {X2} utxo_output ->{BTC2} 4000000000 BTC b=50002 t=1270917181 fee=- pos=0".to_owned(),
            format!("3 bitcoin {{X2}} utxo_output ->nonstandard:{x2}:1 999000000 BTC b=50002 t=1270917181 fee=- pos=1"),
            format!("3 bitcoin {{X2}} utxo_output ->nonstandard:{x2}:3 1000000 BTC b=50002 t=1270917181 fee=- pos=3"),
            "3 bitcoin {X2} utxo_input {BTC1}>- 5000000000 BTC b=50002 t=1270917181 fee=- pos=0 prev_out".to_owned(),
            "3 bitcoin {X2} utxo_input ->- 0 BTC b=50002 t=1270917181 fee=- pos=1 prev_out".to_owned(),
        ]
    );
    let prev: Vec<Option<(String, i64)>> = c.transfers.iter().map(|t| t.prev_out.clone()).collect();
    assert_eq!(prev[4], Some((testkit::fill("{X1}"), 0)));
    assert_eq!(prev[5], Some((testkit::fill("{X4}"), 3)));
    assert_eq!(c.skipped.get("coinbase input (newly minted coins)"), Some(&1));
    assert_eq!(c.skipped.get("OP_RETURN/nulldata output without value"), Some(&1));
    assert_eq!(c.skipped.get("blank line"), Some(&1));
    assert_eq!(c.refused, []);
}

#[test]
fn malformed_lines_are_refused_exactly() {
    let lines = [
        r#"{"hash":"{X1}","is_coinbase":false,"inputs":[],"outputs":[{"index":0,"addresses":["{BTC1}"],"value":"1e+30"},{"index":1,"addresses":["{BTC1}"],"value":1e+30}]}"#,
        r#"{"hash":"{X1}","is_coinbase":false,"inputs":[],"outputs":[{"index":0,"addresses":["{BTC1}"],"value":"1","value":"2"}]}"#,
        r#"{"hash":"{X1}","block_timestamp":"10000-01-01 00:00:00 UTC","is_coinbase":false,"inputs":[],"outputs":[]}"#,
        r#"{"hash":"{X1}","is_coinbase":false,"inputs":[],"outputs":[{"index":0,"addresses":["{BTC1}"],"value":"1.5"},{"index":1,"addresses":["{BTC1}"],"value":"-5"},{"index":2,"addresses":["{BTC1}"],"value":"2100000000000001"}]}"#,
        r#"{"hash":"{X1}","is_coinbase":false,"inputs":[{"index":0,"spent_transaction_hash":null,"spent_output_index":0,"value":"5"}],"outputs":[{"index":0,"addresses":["1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPq"],"value":"5"}]}"#,
        r#"{"hash":"#,
        r#"{"hash":"12","inputs":[],"outputs":[]}"#,
        r#"{"hash":"{X1}","hash":"{X2}","inputs":[],"outputs":[]}"#,
    ];
    let c = ok(&lines.join("\n"));
    assert_eq!((c.rows, c.transfers.len()), (8, 0));
    let mut got = refusals(&c);
    let not_json = got.remove(9);
    assert_eq!((not_json.0, not_json.1.as_str()), (6, "row"));
    assert!(not_json.2.starts_with("found text that is not JSON (EOF while parsing"), "{}", not_json.2);
    assert!(not_json.2.ends_with("): expected one transaction object a line"), "{}", not_json.2);
    assert_eq!(
        got,
        [
            refusal(
                1,
                "outputs[0].value",
                "found \"1e+30\": expected a whole number of satoshis in plain digits, not scientific notation"
            ),
            refusal(
                1,
                "outputs[1].value",
                "found 1e+30: expected a whole number of satoshis in plain digits, not scientific notation"
            ),
            refusal(
                2,
                "outputs[0].value",
                "found this key twice in one object: expected each key once (which value is meant is ambiguous)"
            ),
            refusal(
                3,
                "block_timestamp",
                "found \"10000-01-01 00:00:00 UTC\": expected Unix seconds, ISO 8601 (2023-05-02 12:19:59), a spreadsheet date (5/2/2023 12:19) or a spreadsheet serial number"
            ),
            refusal(
                4,
                "outputs[0].value",
                "found \"1.5\": expected a whole number of satoshis (values are in satoshi, not BTC)"
            ),
            refusal(4, "outputs[1].value", "found \"-5\": expected a value in satoshis without sign"),
            refusal(
                4,
                "outputs[2].value",
                "found \"2100000000000001\": expected at most 2100000000000000 satoshis (21 million BTC)"
            ),
            refusal(
                5,
                "outputs[0].addresses[0]",
                "found \"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPq\": expected a bitcoin address, a base58check (1…, 3…) or bech32 (bc1…) address with a valid checksum"
            ),
            refusal(
                5,
                "inputs[0].spent_transaction_hash",
                "found nothing: expected a transaction hash of 64 hexadecimal digits"
            ),
            refusal(7, "hash", "found \"12\": expected a transaction hash of 64 hexadecimal digits"),
            refusal(
                8,
                "hash",
                "found this key twice in one object: expected each key once (which value is meant is ambiguous)"
            ),
        ]
    );
}

#[test]
fn other_chain_is_a_file_error() {
    let opts = ImportOptions { chain: Some("ethereum".into()), ..ImportOptions::default() };
    let e = testkit::run(read, "x.json", &opts, COINBASE).err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("line 1: found --chain ethereum: expected bitcoin for a BigQuery crypto_bitcoin export")
    );
}
