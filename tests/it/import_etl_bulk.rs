//! ethereum-etl `traces` and `blocks`, BigQuery `crypto_ethereum` forms and strict JSON,
//! through the ledger: the real files of `../shared/data/ethereum-etl` import exactly (the
//! expected values computed here from the source with the csv crate, independently of the
//! importer), block times reach timeless transfers in either import order, and a refused file
//! leaves the ledger as it was.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hoptrace::import::{Format, ImportOptions};
use hoptrace::ledger::{ImportOutcome, ImportReport, Ledger, SqliteLedger};
use hoptrace::model::TransferKind;

/// A file of `../shared/data`; `None` (test skipped) when absent, a failure when `CI=true`.
fn data(rel: &str) -> Option<PathBuf> {
    common::shared_data(rel)
}

fn ledger(dir: &Path) -> SqliteLedger {
    SqliteLedger::open(&dir.join("l.sqlite")).expect("open ledger")
}

fn import(l: &mut SqliteLedger, path: &Path) -> ImportReport {
    l.import_file(path, &ImportOptions::default(), None).expect("import")
}

/// Rows of a CSV file as header → cell maps, read with the csv crate.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).expect("open csv");
    let header: Vec<String> = rdr.headers().expect("header").iter().map(str::to_owned).collect();
    rdr.records()
        .map(|r| {
            let r = r.expect("record");
            header.iter().cloned().zip(r.iter().map(str::to_owned)).collect()
        })
        .collect()
}

/// One value-moving trace as the source states it: (from, to, wei, failed, block).
type Moved = (String, String, String, bool, i64);

/// The value-moving traces of a traces CSV, per transaction, decided from the published
/// semantics: calls (`call`, `callcode`), `create`, `suicide` with value > 0; rewards have no
/// transaction; `delegatecall`/`staticcall` move nothing.
fn expected_traces(path: &Path) -> BTreeMap<String, Vec<Moved>> {
    let mut out: BTreeMap<String, Vec<Moved>> = BTreeMap::new();
    for r in csv_rows(path) {
        let moves = match r["trace_type"].as_str() {
            "call" => matches!(r["call_type"].as_str(), "call" | "callcode"),
            "create" | "suicide" => true,
            _ => false,
        };
        if !moves || r["value"] == "0" {
            continue;
        }
        let failed = r["status"] == "0" || !r["error"].is_empty();
        out.entry(r["transaction_hash"].clone()).or_default().push((
            r["from_address"].clone(),
            r["to_address"].clone(),
            r["value"].clone(),
            failed,
            r["block_number"].parse().expect("block number"),
        ));
    }
    out
}

#[test]
fn every_value_moving_trace_is_imported_exactly() {
    let Some(dir) = data("ethereum-etl/traces") else { return };
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("list traces").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert_eq!(files.len(), 4, "{files:?}");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut l = ledger(tmp.path());
    let (mut failed_seen, mut total) = (0, 0);
    for file in &files {
        let expected = expected_traces(file);
        let rows = csv_rows(file).len() as u64;
        let report = import(&mut l, file);
        assert_eq!(report.format, Format::EthereumEtlTraces, "detected from the header: {file:?}");
        assert_eq!(report.outcome, ImportOutcome::Committed, "{:?}", report.refused);
        let n: usize = expected.values().map(Vec::len).sum();
        assert_eq!((report.rows, report.transfers), (rows, n as u64), "{file:?}");
        let skipped: u64 = report.skipped.values().sum();
        assert_eq!(skipped, rows - n as u64, "every other trace is skipped with a reason: {:?}", report.skipped);
        assert!(report.skipped.contains_key("reward trace (block or uncle reward, no transaction)"));
        assert_eq!(report.chain.as_deref(), Some("ethereum"));
        for (hash, want) in &expected {
            let mut want = want.clone();
            let mut got: Vec<Moved> = l
                .tx_transfers("ethereum", hash)
                .expect("tx query")
                .into_iter()
                .map(|r| {
                    let t = r.transfer;
                    assert_eq!(t.kind, TransferKind::Internal);
                    assert_eq!((t.asset.as_str(), t.time), ("ETH", None), "traces have no time");
                    assert!(t.position.is_some(), "position from trace_address");
                    (
                        t.from.unwrap_or_default(),
                        t.to.unwrap_or_default(),
                        t.amount_base.to_string(),
                        t.failed,
                        t.block.unwrap_or(-1),
                    )
                })
                .collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{hash} in {file:?}");
            failed_seen += want.iter().filter(|m| m.3).count();
            total += want.len();
        }
    }
    assert!(failed_seen >= 1, "the real files hold a failed trace, and it is marked");
    assert!(total >= 6);
}

#[test]
fn token_transfers_get_their_block_time_in_either_order() {
    let (Some(tokens), Some(blocks)) = (
        data("ethereum-etl/block_with_transfers__expected_token_transfers.csv"),
        data("ethereum-etl/blocks/block_with_logs__expected_blocks.csv"),
    ) else {
        return;
    };
    let times: BTreeMap<i64, i64> = csv_rows(&blocks)
        .iter()
        .map(|r| (r["number"].parse().expect("number"), r["timestamp"].parse().expect("timestamp")))
        .collect();
    let token_rows = csv_rows(&tokens);
    for blocks_first in [false, true] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut l = ledger(tmp.path());
        let order: [&Path; 2] = if blocks_first { [&blocks, &tokens] } else { [&tokens, &blocks] };
        let reports: Vec<ImportReport> = order.iter().map(|p| import(&mut l, p)).collect();
        assert!(reports.iter().all(|r| r.outcome == ImportOutcome::Committed && r.refused.is_empty()));
        let (b, t) = if blocks_first { (&reports[0], &reports[1]) } else { (&reports[1], &reports[0]) };
        assert_eq!((b.format, b.blocks), (Format::EthereumEtlBlocks, times.len() as u64));
        assert_eq!(t.transfers, token_rows.len() as u64);
        assert_eq!(reports[1].timed_from_blocks, token_rows.len() as u64, "blocks first: {blocks_first}");
        for r in &token_rows {
            let rows = l.tx_transfers("ethereum", &r["transaction_hash"]).expect("tx query");
            assert_eq!(rows.len(), 1);
            let tr = &rows[0].transfer;
            let block: i64 = r["block_number"].parse().expect("block");
            assert_eq!(tr.time, times.get(&block).copied(), "{}", r["transaction_hash"]);
            assert_eq!(tr.amount_base.to_string(), r["value"]);
        }
    }
}

#[test]
fn traces_get_their_block_time_and_a_conflicting_block_is_refused() {
    let Some(traces) = data("ethereum-etl/traces/block_with_subtraces__expected_traces.csv") else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut l = ledger(tmp.path());
    assert_eq!(import(&mut l, &traces).outcome, ImportOutcome::Committed);
    let blocks =
        common::write(tmp.path(), "blocks.csv", "number,hash,timestamp,parent_hash\n1000000,0x01,1455404053,0x00\n");
    let report = import(&mut l, &blocks);
    assert_eq!((report.outcome, report.blocks, report.timed_from_blocks), (ImportOutcome::Committed, 1, 3));
    let hash = "0xea1093d492a1dcb1bef708f771a99a96ff05dcab81ca76c31940300177fcf49f";
    let rows = l.tx_transfers("ethereum", hash).expect("tx query");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.transfer.time == Some(1_455_404_053)));
    assert_eq!(
        hoptrace::graph::text::transfer_time(None, rows[0].transfer.block),
        "time unknown (block 1000000)",
        "what a transfer of that block read before the blocks export came"
    );

    // The same block stated again with another time: the whole file is refused, nothing changes.
    let before = common::fingerprint(&tmp.path().join("l.sqlite"));
    let blocks_before = block_rows(&tmp.path().join("l.sqlite"));
    let other = common::write(
        tmp.path(),
        "other.csv",
        "number,hash,timestamp,parent_hash\n1000001,0x02,1455404060,0x01\n1000000,0x01,1455404054,0x00\n",
    );
    let report = import(&mut l, &other);
    assert_eq!(report.outcome, ImportOutcome::RefusedRows);
    assert_eq!(report.refused.len(), 1);
    let r = &report.refused[0];
    assert_eq!((r.line, r.field.as_str()), (3, "timestamp"));
    assert_eq!(
        r.message,
        "conflict: block 1000000 has time 2016-02-13T22:54:14Z here but 2016-02-13T22:54:13Z in blocks.csv line 2: expected the same time in every export"
    );
    assert_eq!(common::fingerprint(&tmp.path().join("l.sqlite")), before);
    assert_eq!(block_rows(&tmp.path().join("l.sqlite")), blocks_before);
}

/// The blocks table, as text.
fn block_rows(ledger: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(ledger).expect("open");
    let mut stmt = conn.prepare("SELECT * FROM blocks ORDER BY chain, number").expect("prepare");
    let n = stmt.column_count();
    let mut rows = stmt.query([]).expect("query");
    let mut out = Vec::new();
    while let Some(r) = rows.next().expect("row") {
        out.push((0..n).map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).expect("v"))).collect());
    }
    out
}

#[test]
fn real_blocks_csv_and_json_agree() {
    let (Some(csv), Some(json)) = (
        data("ethereum-etl/blocks/blocks_with_transactions_and_withdrawals__expected_blocks.csv"),
        data("ethereum-etl/blocks_17173049_17173050__expected_blocks.json"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut l = ledger(tmp.path());
    let a = import(&mut l, &csv);
    assert_eq!((a.format, a.outcome, a.blocks), (Format::EthereumEtlBlocks, ImportOutcome::Committed, 2));
    let b = import(&mut l, &json);
    assert_eq!(
        (b.format, b.outcome, b.blocks, b.duplicates),
        (Format::EthereumEtlBlocks, ImportOutcome::Committed, 0, 2)
    );
    // The JSON token transfers carry their own block_timestamp: the same as the blocks state.
    let Some(tokens) = data("ethereum-etl/blocks_17173049_17173050__expected_token_transfers.json") else { return };
    let t = import(&mut l, &tokens);
    assert_eq!((t.transfers, t.timed_from_blocks), (291, 0));
}

#[test]
fn bigquery_exports_import_exactly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut l = ledger(tmp.path());
    let h = "0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0";
    let text = format!(
        "{{\"hash\":\"{h}\",\"nonce\":\"1\",\"transaction_index\":\"0\",\"from_address\":\"0xae2fc483527b8ef99eb5d9b44875f005ba1fae13\",\"to_address\":\"0x6b75d8af000000e20b7a7ddf000ba900b4009a80\",\"value\":\"123456789012345678901234567890\",\"block_number\":\"17173049\",\"block_timestamp\":\"2023-05-02 12:19:59 UTC\",\"receipt_status\":\"1\"}}\n"
    );
    let p = common::write(tmp.path(), "bq_transactions.json", text);
    let r = import(&mut l, &p);
    assert_eq!((r.format, r.outcome, r.transfers), (Format::EthereumEtlTransactions, ImportOutcome::Committed, 1));
    let rows = l.tx_transfers("ethereum", h).expect("tx");
    let t = &rows[0].transfer;
    assert_eq!(
        (t.amount_base.to_string(), t.time, t.block, t.failed),
        ("123456789012345678901234567890".to_owned(), Some(1_683_029_999), Some(17_173_049), false)
    );
}

#[test]
fn refused_files_leave_the_ledger_unchanged() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut l = ledger(tmp.path());
    let seed = common::write(tmp.path(), "seed.csv", "number,hash,timestamp,parent_hash\n5,0x05,1683029999,0x04\n");
    assert_eq!(import(&mut l, &seed).outcome, ImportOutcome::Committed);
    let h = "0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0";
    let a = "0xae2fc483527b8ef99eb5d9b44875f005ba1fae13";
    let b = "0x6b75d8af000000e20b7a7ddf000ba900b4009a80";
    let head = "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id";
    let ok_trace = format!("1,{h},0,{a},{b},7,0x,0x,call,call,,0,0,0,,,1,call_{h}_");
    let cases: Vec<(&str, String, (u64, &str, &str))> = vec![
        (
            "traces.csv",
            format!("{head}\n{ok_trace}\n1,{h},0,{a},{b},5,0x,0x,call,call,,0,0,0,0,,2,call_{h}_0\n"),
            (3, "status", "found \"2\": expected 1 (success) or 0 (failed)"),
        ),
        (
            "traces_fraction.csv",
            format!("{head}\n{ok_trace}\n1,{h},0,{a},{b},0.5,0x,0x,call,call,,0,0,0,0,,1,call_{h}_0\n"),
            (
                3,
                "value",
                "found \"0.5\": expected an integer number of wei in plain digits, without a fraction (these exports write whole base units)",
            ),
        ),
        (
            "tx.json",
            format!(
                "{{\"type\":\"transaction\",\"hash\":\"{h}\",\"nonce\":1,\"from_address\":\"{a}\",\"to_address\":\"{b}\",\"value\":1,\"to_address\":\"{a}\"}}\n"
            ),
            (
                1,
                "row",
                "duplicate key \"to_address\" in one object: expected each key once (which copy counts cannot be told)",
            ),
        ),
        (
            "blocks.csv",
            "number,hash,timestamp,parent_hash\n6,0x06,1683030011,0x05\n7,0x07,253402300800,0x06\n".to_owned(),
            (
                3,
                "timestamp",
                "found 253402300800 s: expected a time between 2009-01-03T00:00:00Z (the first block) and one day from now",
            ),
        ),
        (
            "bq_tx.json",
            format!(
                "{{\"hash\":\"{h}\",\"nonce\":\"1\",\"from_address\":\"{a}\",\"to_address\":\"{b}\",\"value\":\"1\",\"receipt_status\":\"x\"}}\n"
            ),
            (1, "receipt_status", "found \"x\": expected 1 (success) or 0 (failed)"),
        ),
    ];
    let path = tmp.path().join("l.sqlite");
    for (name, text, (line, field, message)) in cases {
        let before = (common::fingerprint(&path), block_rows(&path));
        let p = common::write(tmp.path(), name, text);
        let r = import(&mut l, &p);
        assert_eq!(r.outcome, ImportOutcome::RefusedRows, "{name}");
        let got: Vec<(u64, &str, &str)> =
            r.refused.iter().map(|r| (r.line, r.field.as_str(), r.message.as_str())).collect();
        assert_eq!(got, vec![(line, field, message)], "{name}");
        assert_eq!((common::fingerprint(&path), block_rows(&path)), before, "{name}");
    }
    // Bitcoin Core RPC: `1e+30` BTC is refused; a duplicate key stops the whole file.
    let before = common::fingerprint(&path);
    let txid = "aa00000000000000000000000000000000000000000000000000000000000001";
    let rpc = common::write(
        tmp.path(),
        "rpc.json",
        format!(
            "{{\"txid\":\"{txid}\",\"vin\":[],\"vout\":[{{\"value\":1e+30,\"n\":0,\"scriptPubKey\":{{\"address\":\"1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ\"}}}}]}}"
        ),
    );
    let r = import(&mut l, &rpc);
    assert_eq!(r.outcome, ImportOutcome::RefusedRows);
    assert_eq!(r.refused.len(), 1);
    assert_eq!(r.refused[0].field, "vout[0].value");
    let dup =
        common::write(tmp.path(), "rpc_dup.json", format!("{{\"txid\":\"{txid}\",\"vin\":[],\"vout\":[],\"vin\":[]}}"));
    let e = l.import_file(&dup, &ImportOptions::default(), None).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("duplicate key \"vin\""), "{e}");
    assert_eq!(common::fingerprint(&path), before);
}
