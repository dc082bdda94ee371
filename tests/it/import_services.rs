//! Service exports (Tronscan transactions, Arkham UI export, Dune transfers, BigQuery
//! `crypto_bitcoin` JSON lines) import through the ledger exactly: counts, failed flags, stated
//! USD values read back, and the chain rule each batch records.

use std::path::{Path, PathBuf};

use hoptrace::import::{Format, ImportOptions};
use hoptrace::ledger::{ImportOutcome, ImportReport, Ledger, SqliteLedger};
use hoptrace::model::TransferKind;

const A: &str = "0x8589427373d6d84e98730d7795d8f6f8731fda16";
const B: &str = "0x722122df12d4e14e13ac3b6895a86e84145b6967";
const USDT: &str = "0xdac17f958d2ee523a2206206994597c13d831ec7";
const TB: &str = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre";
const TF: &str = "TFdTr9C3BqQrzKBXqSxJfAZFTh8UwBAfSg";
const BTC1: &str = "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ";
const BTC2: &str = "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak";

fn hash(c: char) -> String {
    std::iter::repeat_n(c, 64).collect()
}

/// `../shared/data/REL`, or `None` (test skipped) when the folder is absent; with `CI=true`
/// an absent folder fails the test.
fn shared_data(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "../shared/data absent on CI: {}", p.display());
    eprintln!("SKIPPED: ../shared/data absent");
    None
}

fn import(ledger: &mut SqliteLedger, dir: &Path, name: &str, text: &str) -> ImportReport {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    let report = ledger.import_file(&path, &ImportOptions::default(), None).expect("import");
    assert_eq!(report.refused, [], "{name}");
    assert_eq!(report.outcome, ImportOutcome::Committed, "{name}");
    report
}

#[test]
fn one_file_of_each_service_imports_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");

    // Tronscan transactions: a success, a FAILED and a REVERT row.
    let (t1, t2, t3) = (hash('1'), hash('2'), hash('3'));
    let tron = format!(
        "Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,contractType,status
{t1},50000000,2023-05-02 20:19:59,2023-05-02 12:19:59,{TB},{TF},2.5,TRX,TransferContract,SUCCESS
{t2},50000001,2023-05-02 20:20:11,2023-05-02 12:20:11,{TB},{TF},2.5,TRX,TransferContract,FAILED
{t3},50000002,2023-05-02 20:20:23,2023-05-02 12:20:23,{TF},{TB},\"18,446,744,073,709.551617\",TRX,TransferContract,REVERT
"
    );
    let r = import(&mut ledger, dir.path(), "tronscan-TBHTJ-transactions.csv", &tron);
    assert_eq!((r.format, r.rows, r.transfers), (Format::Tronscan, 3, 3));
    assert_eq!((r.chain.as_deref(), r.chain_rule.as_deref()), (Some("tron"), Some("Tronscan export")));
    let failed: Vec<bool> =
        [&t1, &t2, &t3].iter().map(|h| ledger.tx_transfers("tron", h).expect("query")[0].transfer.failed).collect();
    assert_eq!(failed, [false, true, true]);
    assert_eq!(
        ledger.tx_transfers("tron", &t3).expect("query")[0].transfer.amount_base.to_string(),
        "18446744073709551617"
    );

    // Arkham UI export: Ethereum and Tron rows, labels, historicalUSD.
    let (h4, h5, h6) = (format!("0x{}", hash('4')), format!("0x{}", hash('5')), hash('6'));
    let arkham = format!(
        "transactionHash,chain,type,fromAddress,fromLabel,fromIsContract,toAddress,toLabel,toIsContract,tokenAddress,tokenName,tokenSymbol,tokenDecimals,tokenId,unitValue,historicalUSD,blockNumber,blockHash,blockTimestamp
{h4},ethereum,external,{A},Lazarus Group,false,{B},Tornado Cash,true,,Ether,ETH,18,ethereum,1000,1850500.00,17173049,0x{b},2023-05-02T12:19:59Z
{h5},ethereum,token,{A},Lazarus Group,false,{B},,false,{USDT},Tether USD,USDT,6,tether,18446744073709.551617,18446744073709.55,17173050,0x{b},2023-05-02T12:20:11Z
{h6},tron,token,{TB},,false,{TF},Binance,false,TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,Tether USD,USDT,6,tether,100,100.01,50000000,{b},2023-05-02T12:20:23Z
",
        b = hash('b')
    );
    let r = import(&mut ledger, dir.path(), "arkham-lazarus.csv", &arkham);
    assert_eq!((r.format, r.rows, r.transfers, r.labels), (Format::Arkham, 3, 3, 3));
    assert_eq!((r.chain.as_deref(), r.chain_rule.as_deref()), (Some("multiple"), Some("chain column")));
    let eth = &ledger.tx_transfers("ethereum", &h4).expect("query")[0].transfer;
    assert_eq!(
        (eth.amount_base.to_string().as_str(), eth.stated_usd.as_deref()),
        ("1000000000000000000000", Some("1850500.00"))
    );
    let usdt = &ledger.tx_transfers("ethereum", &h5).expect("query")[0].transfer;
    assert_eq!((usdt.kind, usdt.amount_base.to_string().as_str()), (TransferKind::Token, "18446744073709551617"));
    assert_eq!(usdt.stated_usd.as_deref(), Some("18446744073709.55"));
    let labels = ledger.labels(A).expect("labels");
    assert_eq!(labels.len(), 1);
    assert_eq!(
        (labels[0].entity.as_str(), labels[0].source.as_str()),
        ("Lazarus Group", "Arkham export, arkham-lazarus.csv line 2")
    );
    assert_eq!(ledger.labels(TF).expect("labels")[0].source, "Arkham export, arkham-lazarus.csv line 4");

    // Dune transfers: one chain, amount_raw above 2^128, amount_usd kept as text.
    let (h7, h8) = (format!("0x{}", hash('7')), format!("0x{}", hash('8')));
    let dune = format!(
        "unique_key,blockchain,block_month,block_date,block_time,block_number,tx_hash,evt_index,trace_address,token_standard,tx_from,tx_to,tx_index,from,to,contract_address,symbol,amount_raw,amount,price_usd,amount_usd
k1,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{h7},12,,erc20,{A},{USDT},3,{A},{B},{A},PEPE,340282366920938463463374607431768211457,3.402823669209385E20,,
k2,ethereum,2023-05-01,2023-05-02,2023-05-02 12:19:59.000 UTC,17173049,{h8},,[],native,{A},{B},4,{A},{B},0x0000000000000000000000000000000000000000,ETH,1500000000000000000,1.5,1850.12,2775.18
"
    );
    let r = import(&mut ledger, dir.path(), "dune-query-3412345.csv", &dune);
    assert_eq!((r.format, r.rows, r.transfers), (Format::Dune, 2, 2));
    assert_eq!((r.chain.as_deref(), r.chain_rule.as_deref()), (Some("ethereum"), Some("blockchain column")));
    let pepe = &ledger.tx_transfers("ethereum", &h7).expect("query")[0].transfer;
    assert_eq!(
        (pepe.amount_base.to_string().as_str(), pepe.position),
        ("340282366920938463463374607431768211457", Some(12))
    );
    assert_eq!(ledger.tx_transfers("ethereum", &h8).expect("query")[0].transfer.stated_usd.as_deref(), Some("2775.18"));

    // BigQuery crypto_bitcoin: a coinbase and a spend of its output.
    let (c1, c2) = (hash('c'), hash('d'));
    let bq = format!(
        r#"{{"hash":"{c1}","block_number":"50001","block_timestamp":"2010-04-10 16:31:40 UTC","is_coinbase":true,"inputs":[],"outputs":[{{"index":0,"type":"pubkey","addresses":["{BTC1}"],"value":"5000000000"}}]}}
{{"hash":"{c2}","block_number":"50002","block_timestamp":"2010-04-10 16:33:01 UTC","is_coinbase":false,"inputs":[{{"index":0,"spent_transaction_hash":"{c1}","spent_output_index":"0","type":"pubkey","addresses":["{BTC1}"],"value":"5000000000"}}],"outputs":[{{"index":0,"type":"pubkeyhash","addresses":["{BTC2}"],"value":"5000000000"}}]}}
"#
    );
    let r = import(&mut ledger, dir.path(), "bq-results-20240101.json", &bq);
    assert_eq!((r.format, r.rows, r.transfers), (Format::BigQueryBitcoin, 2, 3));
    assert_eq!(
        (r.chain.as_deref(), r.chain_rule.as_deref()),
        (Some("bitcoin"), Some("BigQuery crypto_bitcoin export"))
    );
    let spend = ledger.tx_transfers("bitcoin", &c2).expect("query");
    let kinds: Vec<(TransferKind, Option<String>, Option<String>, String)> = spend
        .iter()
        .map(|r| (r.transfer.kind, r.transfer.from.clone(), r.transfer.to.clone(), r.transfer.amount_base.to_string()))
        .collect();
    assert!(
        kinds.contains(&(TransferKind::UtxoInput, Some(BTC1.to_owned()), None, "5000000000".to_owned())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(TransferKind::UtxoOutput, None, Some(BTC2.to_owned()), "5000000000".to_owned())),
        "{kinds:?}"
    );

    // ledger-info shows each batch's chain and rule.
    let rules: Vec<(Option<String>, Option<String>)> =
        ledger.info().expect("info").batches.into_iter().map(|b| (b.chain, b.chain_rule)).collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rules,
        [
            (s("tron"), s("Tronscan export")),
            (s("multiple"), s("chain column")),
            (s("ethereum"), s("blockchain column")),
            (s("bitcoin"), s("BigQuery crypto_bitcoin export")),
        ]
    );
}

/// bitcoin-etl's expected output fills BigQuery's `crypto_bitcoin.transactions`: the real file
/// imports with one transfer per output and per non-coinbase input, values equal to the source.
#[test]
fn real_bitcoin_etl_transactions_import_exactly() {
    let Some(path) = shared_data("bitcoin-etl/block_with_transactions/expected_transactions.json") else {
        return;
    };
    // The expectation, read independently of the importer.
    let text = std::fs::read_to_string(&path).expect("read source");
    let mut expected = Vec::new();
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).expect("source line is JSON");
        let id = v["hash"].as_str().expect("hash").to_owned();
        for o in v["outputs"].as_array().expect("outputs") {
            expected.push((id.clone(), "utxo_output", o["index"].to_string(), o["value"].to_string()));
        }
        for i in v["inputs"].as_array().expect("inputs") {
            let value = if i["value"].is_null() { "0".to_owned() } else { i["value"].to_string() };
            expected.push((id.clone(), "utxo_input", i["index"].to_string(), value));
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");
    let report = ledger.import_file(&path, &ImportOptions::default(), None).expect("import");
    assert_eq!(report.format, Format::BigQueryBitcoin);
    assert_eq!(report.refused, []);
    assert_eq!(report.rows, text.lines().count() as u64);
    let mut got = Vec::new();
    let ids: std::collections::BTreeSet<&String> = expected.iter().map(|e| &e.0).collect();
    for id in ids {
        for row in ledger.tx_transfers("bitcoin", id).expect("query") {
            let t = row.transfer;
            got.push((id.clone(), t.kind.name(), t.position.unwrap_or(-1).to_string(), t.amount_base.to_string()));
        }
    }
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert!(got.len() >= 5, "the real file has several transfers: {}", got.len());
}
