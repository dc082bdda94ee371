//! cryo CSV exports in the published column forms, and refusals.

use super::read;
use crate::import::explorer_common::testkit::{brief, fill, refusal, refusals, run};
use crate::import::{Collected, ImportOptions, ReadError};

const ERC20: &str = "block_number,transaction_index,log_index,transaction_hash,erc20,from_address,to_address,value_binary,value_string,value_f64,chain_id\n";

fn ok(csv: &str) -> Collected {
    let c = run(read, "erc20_transfers.csv", &ImportOptions::default(), csv);
    match c {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

fn err(csv: &str, opts: &ImportOptions) -> String {
    match run(read, "x.csv", opts, csv) {
        Ok(c) => panic!("expected an error, got {:?}", c.refused),
        Err(e) => e.to_string(),
    }
}

#[test]
fn erc20_transfers_csv_exact_values() {
    // 2^128 + 1 and 2^64 (binary form = hex), value_f64 deliberately wrong.
    let csv = format!(
        "{ERC20}17000000,5,12,{{H1}},{{USDT}},{{A}},{{B}},0x0100000000000000000000000000000001,340282366920938463463374607431768211457,1.0,1\n\
         17000001,0,3,{{H2}},{{USDT}},{{B}},{{A}},0x010000000000000000,18446744073709551616,99.5,1\n"
    );
    let c = ok(&csv);
    assert_eq!(c.refused, vec![]);
    assert_eq!(
        brief(&c),
        vec![
            "2 ethereum {H1} token {A}>{B} 340282366920938463463374607431768211457 {USDT} b=17000000 t=- fee=- pos=12",
            "3 ethereum {H2} token {B}>{A} 18446744073709551616 {USDT} b=17000001 t=- fee=- pos=3",
        ]
    );
    assert_eq!(c.chain, Some(("ethereum".to_owned(), "chain_id column (1)".to_owned())));
    assert_eq!(c.assets.len(), 1);
}

#[test]
fn transactions_and_native_transfers_csv() {
    let txs = "block_number,transaction_index,transaction_hash,nonce,from_address,to_address,value_binary,value_string,value_f64,input,gas_limit,gas_used,gas_price,transaction_type,max_priority_fee_per_gas,max_fee_per_gas,success,chain_id\n\
        18000000,1,{H1},7,{A},{B},0x0de0b6b3a7640000,1000000000000000000,1e18,0x,21000,21000,30000000000,2,1,40,true,56\n\
        18000000,2,{H2},8,{A},,0x00,0,0,0x60806040,900000,800000,30000000000,2,1,40,false,56\n";
    let c = run(read, "txs.csv", &ImportOptions::default(), txs).unwrap_or_default();
    assert_eq!(c.refused, vec![]);
    assert_eq!(
        brief(&c),
        vec![
            "2 bsc {H1} native {A}>{B} 1000000000000000000 BNB b=18000000 t=- fee=630000000000000",
            "3 bsc {H2} native {A}>- 0 BNB b=18000000 t=- fee=24000000000000000 failed",
        ]
    );
    let native = "block_number,block_hash,transaction_index,transfer_index,transaction_hash,from_address,to_address,value_binary,value_string,value_f64,chain_id\n\
        19000000,{H4},0,0,{H1},{A},{B},0x05,5,5.0,137\n\
        19000000,{H4},0,1,{H1},{B},{A},0x00,0,0.0,137\n\
        19000000,{H4},0,2,{H1},{B},{A},0x03,3,3.0,137\n\
        19000000,{H4},,0,,0x0000000000000000000000000000000000000000,{A},0x1bc16d674ec80000,2000000000000000000,2e18,137\n";
    let c = run(read, "native.csv", &ImportOptions::default(), native).unwrap_or_default();
    assert_eq!(c.refused, vec![]);
    assert_eq!(
        brief(&c),
        vec![
            "2 polygon {H1} native {A}>{B} 5 POL b=19000000 t=- fee=-",
            "4 polygon {H1} internal {B}>{A} 3 POL b=19000000 t=- fee=- pos=2",
        ]
    );
    assert_eq!(c.skipped.get("internal call without value"), Some(&1));
    assert_eq!(c.skipped.get("block or uncle reward (no transaction)"), Some(&1));
}

#[test]
fn malformed_rows_are_refused_exactly() {
    let csv = format!(
        "{ERC20}1,0,0,{{H1}},{{USDT}},{{A}},{{B}},0x{},,,1\n\
         1,0,1,{{H1}},{{USDT}},{{A}},{{B}},,-1,,1\n\
         1,0,2,{{H1}},{{USDT}},{{A}},{{B}},0x05,6,5.0,1\n\
         1,0,3,{{H1}},{{USDT}},{{A}},{{B}},,,5.0,1\n\
         1,0,4,0x12,{{USDT}},{{A}},{{B}},0x05,5,5.0,1\n\
         1,0,5,{{H1}},{{USDT}},0xzz,{{B}},0x05,5,5.0,1\n\
         1,0,6,{{H1}},{{USDT}},{{A}},{{B}},0x05,5,5.0,56\n\
         1,0,7,{{H1}},{{USDT}},{{A}},{{B}},0x05,1.5,5.0,1\n",
        "ab".repeat(33)
    );
    let c = ok(&csv);
    assert!(c.transfers.is_empty(), "{:?}", brief(&c));
    assert_eq!(
        refusals(&c),
        vec![
            refusal(2, "value_binary", "found 66 hexadecimal digits: expected at most 64 (a uint256)"),
            refusal(3, "value_string", "found \"-1\": expected an amount without sign (from/to give the direction)"),
            refusal(4, "value_string", "found 6: expected 5 as in value_binary (the two exact value columns disagree)"),
            refusal(5, "value_binary", "empty: expected the value"),
            refusal(
                6,
                "transaction_hash",
                "found \"0x12\": expected a transaction hash, 0x followed by 64 hexadecimal digits"
            ),
            refusal(7, "from_address", "found \"0xzz\": expected an address, 0x followed by 40 hexadecimal digits"),
            refusal(8, "chain_id", "found 56: expected 1 like the file's first row (one chain per file)"),
            refusal(9, "value_string", "found \"1.5\": expected the value's decimal digits only"),
        ]
    );
    assert_eq!(fill("{A}").len(), 42);
}

#[test]
fn whole_file_refusals() {
    let none = ImportOptions::default();
    let only_f64 = "block_number,transaction_index,log_index,transaction_hash,erc20,from_address,to_address,value_f64,chain_id\n1,0,0,{H1},{USDT},{A},{B},5.0,1\n";
    assert_eq!(
        err(only_f64, &none),
        "line 1: the cryo erc20_transfers export has only value_f64, a rounded float that cannot state an amount \
         exactly: expected value_binary or value_string (re-export with cryo's default --u256-types binary string f64)"
    );
    let unknown = format!("{ERC20}1,0,0,{{H1}},{{USDT}},{{A}},{{B}},0x05,5,5.0,999\n");
    assert_eq!(
        err(&unknown, &none),
        "line 2: column chain_id: found 999: expected a chain id hoptrace knows: 1 (ethereum), 10 (optimism), 56 (bsc), 137 (polygon), \
         250 (fantom), 8453 (base), 42161 (arbitrum), 43114 (avalanche)"
    );
    let no_chain = "block_number,transaction_hash,from_address,to_address,value_string\n1,{H1},{A},{B},5\n";
    let e = run(read, "x.csv", &none, no_chain).err();
    assert!(matches!(e, Some(ReadError::ChainUndecided { .. })), "{e:?}");
    let opts = ImportOptions { chain: Some("base".to_owned()), ..ImportOptions::default() };
    let c = run(read, "x.csv", &opts, no_chain).unwrap_or_default();
    assert_eq!(brief(&c), vec!["2 base {H1} native {A}>{B} 5 ETH b=1 t=- fee=-"]);
    assert_eq!(c.chain.map(|c| c.0), Some("base".to_owned()));
    let opts = ImportOptions { chain: Some("bsc".to_owned()), ..ImportOptions::default() };
    let e = err(&format!("{ERC20}1,0,0,{{H1}},{{USDT}},{{A}},{{B}},0x05,5,5.0,1\n"), &opts);
    assert_eq!(e, "line 2: --chain bsc contradicts the file's chain_id 1 (ethereum): leave out --chain");
    let e = err("a,b,c\n1,2,3\n", &none);
    assert!(e.starts_with("line 1: found the columns a,b,c: expected a cryo dataset"), "{e}");
}
