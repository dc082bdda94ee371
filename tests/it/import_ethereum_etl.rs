//! Real ethereum-etl exports import exactly: every value equal to the source, values above
//! 2^64 included, in both JSON lines and CSV.

use crate::common;

use std::collections::BTreeMap;

use hoptrace::import::ImportOptions;
use hoptrace::ledger::{ImportOutcome, Ledger, SqliteLedger};
use hoptrace::model::TransferKind;

/// Reads a JSON-lines file independently of the importer: (key, value digits).
fn source_values(path: &std::path::Path, key: impl Fn(&serde_json::Value) -> String) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .expect("read source")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("source line is JSON");
            (key(&v), v["value"].to_string())
        })
        .collect()
}

#[test]
fn transactions_json_import_exactly() {
    let Some(path) = common::shared_data("ethereum-etl/blocks_17173049_17173050__expected_transactions.json") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");
    let report = ledger.import_file(&path, &ImportOptions::default(), None).expect("import");
    assert_eq!(report.outcome, ImportOutcome::Committed);
    assert_eq!((report.rows, report.transfers, report.refused.len()), (298, 298, 0));

    let expected = source_values(&path, |v| v["hash"].as_str().unwrap_or_default().to_owned());
    assert_eq!(expected.len(), 298);
    let mut above_u64 = 0;
    for (hash, value) in &expected {
        let rows = ledger.tx_transfers("ethereum", hash).expect("tx query");
        assert_eq!(rows.len(), 1, "{hash}");
        let t = &rows[0].transfer;
        assert_eq!(t.kind, TransferKind::Native);
        assert_eq!(&t.amount_base.to_string(), value, "{hash}");
        if value.parse::<u64>().is_err() {
            above_u64 += 1;
        }
        assert_eq!(rows[0].provenance.file_name, "blocks_17173049_17173050__expected_transactions.json");
    }
    assert!(above_u64 >= 1, "the real file has a value above 2^64");
}

#[test]
fn token_transfers_json_import_exactly() {
    let Some(path) = common::shared_data("ethereum-etl/blocks_17173049_17173050__expected_token_transfers.json") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");
    let report = ledger.import_file(&path, &ImportOptions::default(), None).expect("import");
    assert_eq!((report.rows, report.transfers, report.refused.len()), (291, 291, 0));
    let expected =
        source_values(&path, |v| format!("{}#{}", v["transaction_hash"].as_str().unwrap_or_default(), v["log_index"]));
    assert_eq!(expected.len(), 291);
    let mut seen = 0;
    let hashes: std::collections::BTreeSet<String> =
        expected.keys().map(|k| k.split('#').next().unwrap_or_default().to_owned()).collect();
    for hash in hashes {
        for row in ledger.tx_transfers("ethereum", &hash).expect("tx query") {
            let t = &row.transfer;
            let key = format!("{hash}#{}", t.position.expect("log index kept"));
            assert_eq!(Some(&t.amount_base.to_string()), expected.get(&key), "{key}");
            seen += 1;
        }
    }
    assert_eq!(seen, 291);
}

#[test]
fn transactions_csv_match_the_json_export() {
    let (Some(csv), Some(json)) = (
        common::shared_data("ethereum-etl/blocks_with_transactions_and_withdrawals__expected_transactions.csv"),
        common::shared_data("ethereum-etl/blocks_17173049_17173050__expected_transactions.json"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");
    let r = ledger.import_file(&csv, &ImportOptions::default(), None).expect("csv import");
    assert_eq!((r.rows, r.transfers, r.refused.len()), (298, 298, 0));
    // The JSON export of the same blocks: every transfer is recognised as already there, except
    // the contract creation, whose receiver only the JSON names (receipt_contract_address).
    let r = ledger.import_file(&json, &ImportOptions::default(), None).expect("json import");
    assert_eq!((r.transfers, r.duplicates), (1, 297));
    let text = std::fs::read_to_string(&csv).expect("read csv");
    let creation_hash = text
        .lines()
        .skip(1)
        .find(|l| l.split(',').nth(6) == Some(""))
        .and_then(|l| l.split(',').next())
        .expect("the CSV has a contract creation");
    let rows = ledger.tx_transfers("ethereum", creation_hash).expect("query");
    let receivers: Vec<Option<&str>> = rows.iter().map(|r| r.transfer.to.as_deref()).collect();
    assert_eq!(rows.len(), 2);
    assert!(receivers.contains(&None), "the CSV row has no receiver: {receivers:?}");
    assert!(receivers.iter().any(|r| r.is_some_and(|a| a.starts_with("0x"))), "{receivers:?}");
}
