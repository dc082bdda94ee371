//! No silent misreading, on the ledger and display side: totals never saturate, a UTXO input
//! whose spent output is unknown has an unknown amount (never a zero that is summed), a
//! transfer stated twice with other values is a conflict that refuses the batch, the zero
//! address shows as mint/burn, and the bridge finder cites burns, mints and explorer methods.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use hoptrace::analysis::{FinderKind, Settings, Start, run};
use hoptrace::case::{CaseFilter, ExpandDirection, NodeKey};
use hoptrace::graph::text::{MINT_BURN_TITLE, ZERO_ADDRESS, mint_or_burn, node_label};
use hoptrace::graph::{Command, Investigation};
use hoptrace::import::ImportOptions;
use hoptrace::ledger::{ImportOutcome, Ledger, SqliteLedger, UNKNOWN_AMOUNT};
use hoptrace::model::Amount;

const HEADER: &str = "chain,tx_hash,position,block,time,from,to,asset,amount,decimals,fee,kind,failed\n";
const T0: i64 = 1_686_000_000;
const A: &str = "0x00000a000000000000000000000000000000000a";
const B: &str = "0x00000b000000000000000000000000000000000b";
const TOKEN: &str = "0x4444444444444444444444444444444444444444";

/// One generic-CSV row (line numbers: the header is line 1); one argument per column it fills.
#[allow(clippy::too_many_arguments)]
fn row(chain: &str, tx: u32, time: i64, from: &str, to: &str, asset: &str, amount: &str, kind: &str) -> String {
    format!("{chain},0x{tx:064x},0,,{time},{from},{to},{asset},{amount},,,{kind},\n")
}

fn import(ledger: &mut SqliteLedger, path: &Path, skip_bad: bool) -> hoptrace::ledger::ImportReport {
    ledger.import_file(path, &ImportOptions { skip_bad, ..ImportOptions::default() }, None).unwrap()
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Process::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// 6 × 10^76 base units, three times: 1.8 × 10^77, past 2^256 − 1 (≈ 1.158 × 10^77).
#[test]
fn three_huge_transfers_sum_exactly_in_ledger_info_and_on_an_edge() {
    let dir = tempfile::tempdir().unwrap();
    let six = format!("6{}", "0".repeat(76));
    let text: String = std::iter::once(HEADER.to_owned())
        .chain((1..=3).map(|tx| row("ethereum", tx, T0 + i64::from(tx), A, B, TOKEN, &six, "token")))
        .collect();
    let file = common::write(dir.path(), "huge.csv", text);
    let ledger_path = dir.path().join("l.sqlite");
    let mut ledger = SqliteLedger::open(&ledger_path).unwrap();
    assert_eq!(import(&mut ledger, &file, false).transfers, 3);
    let exact = format!("18{}", "0".repeat(76));
    let info = ledger.info().unwrap();
    let token = info.per_asset.iter().find(|a| a.asset == TOKEN).expect("token summed");
    assert_eq!((token.transfers, token.total.to_string()), (3, exact.clone()));
    assert!(token.total.to_amount().is_none(), "the total is past 2^256 - 1");
    let (ok, out, _) = cli(&["ledger-info", ledger_path.to_str().unwrap()]);
    assert!(ok && out.contains(&format!("total {exact} base units")), "{out}");
    let (_, json, _) = cli(&["ledger-info", "--json", ledger_path.to_str().unwrap()]);
    assert!(json.contains(&format!("\"total_base_units\": \"{exact}\"")), "{json}");
    // The address summary and the edge of the graph: exact too.
    let summary = ledger.address_summary(A).unwrap();
    assert_eq!(summary.outgoing.totals[&("ethereum".to_owned(), TOKEN.to_owned())].to_string(), exact);
    let mut inv =
        Investigation::create(ledger, "l.sqlite".into(), "c".into(), "Huge".into(), "T".into(), T0).expect("case");
    inv.apply(Command::AddSeed { chain: "ethereum".into(), address: A.into() }).unwrap();
    inv.apply(Command::Expand {
        node: NodeKey::address("ethereum", A),
        direction: ExpandDirection::Out,
        filter: CaseFilter::default(),
    })
    .unwrap();
    let g = inv.graph().unwrap();
    let edge = g.graph.edge_weights().find(|e| e.count == 3).expect("the A → B edge");
    assert_eq!(edge.totals[&("ethereum".to_owned(), TOKEN.to_owned())].to_string(), exact);
}

/// The real Bitcoin Core `getblock` (verbosity 2) and `getrawtransaction` files.
fn bitcoin_files() -> Option<(Vec<PathBuf>, Vec<PathBuf>)> {
    let dir = common::shared_data("bitcoin-etl/stream_50001_50002")?;
    let mut blocks = Vec::new();
    let mut txs = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("rpc_response_getblock_") && name.ends_with("_2.json") {
            blocks.push(p);
        } else if name.starts_with("rpc_response_getrawtransaction_") {
            txs.push(p);
        }
    }
    blocks.sort();
    txs.sort();
    Some((blocks, txs))
}

#[test]
fn unresolved_bitcoin_inputs_have_unknown_amounts_and_value_counts_outputs_once() {
    let Some((blocks, txs)) = bitcoin_files() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ledger_path = dir.path().join("btc.sqlite");
    let mut ledger = SqliteLedger::open(&ledger_path).unwrap();
    for b in &blocks {
        assert_eq!(import(&mut ledger, b, false).outcome, ImportOutcome::Committed);
    }
    let btc =
        |info: &hoptrace::ledger::LedgerInfo| info.per_asset.iter().find(|a| a.chain == "bitcoin").cloned().unwrap();
    let info = ledger.info().unwrap();
    let b = btc(&info);
    // Outputs 50 + 100 + 50 + 50 BTC; the three inputs spend outputs not in the ledger.
    assert_eq!((b.transfers, b.total.to_string(), b.utxo_inputs, b.unknown_amounts), (7, "25000000000".into(), 3, 3));
    assert_eq!(info.unresolved_inputs, 3);
    let conn = rusqlite::Connection::open(&ledger_path).unwrap();
    let nulls: i64 = conn.query_row("SELECT count(*) FROM transfers WHERE amount IS NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(nulls, 3, "an unknown amount is stored as NULL, not zero");
    let (ok, out, _) = cli(&["ledger-info", ledger_path.to_str().unwrap()]);
    assert!(ok && out.contains("total 250 BTC"), "{out}");
    assert!(out.contains("3 inputs of unknown amount"), "{out}");
    // The rows of an input's transaction say the amount is unknown.
    let input_tx: String = conn
        .query_row(
            "SELECT hex(h.tx_hash) FROM transfers t JOIN transfer_hashes h ON h.id = t.id WHERE t.kind = 4 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let rows = ledger.tx_transfers("bitcoin", &input_tx.to_ascii_lowercase()).unwrap();
    let inputs: Vec<_> = rows.iter().filter(|r| r.transfer.kind == hoptrace::model::TransferKind::UtxoInput).collect();
    assert!(!inputs.is_empty());
    for i in &inputs {
        assert_eq!((i.amount(), i.amount_text()), (None, UNKNOWN_AMOUNT.to_owned()));
    }
    // The spending transactions' funding outputs arrive: inputs resolve, value still counts once.
    for t in &txs {
        import(&mut ledger, t, false);
    }
    let info = ledger.info().unwrap();
    let b = btc(&info);
    assert_eq!((b.transfers, b.total.to_string(), b.utxo_inputs, b.unknown_amounts), (10, "40000000000".into(), 3, 0));
    assert_eq!(info.unresolved_inputs, 0);
    let rows = ledger.tx_transfers("bitcoin", &input_tx.to_ascii_lowercase()).unwrap();
    for i in rows.iter().filter(|r| r.transfer.kind == hoptrace::model::TransferKind::UtxoInput) {
        assert_eq!(i.amount(), Some(Amount::from_u128(5_000_000_000)));
    }
}

#[test]
fn a_bitcoin_re_export_with_another_output_value_is_a_conflict() {
    let Some((blocks, _)) = bitcoin_files() else { return };
    let dir = tempfile::tempdir().unwrap();
    let original = blocks.iter().find(|b| std::fs::read_to_string(b).unwrap().contains("\"value\": 100.0")).unwrap();
    let text = std::fs::read_to_string(original).unwrap();
    let changed = common::write(dir.path(), "re-export.json", text.replacen("\"value\": 100.0", "\"value\": 99.0", 1));
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).unwrap();
    assert_eq!(import(&mut ledger, original, false).outcome, ImportOutcome::Committed);
    let before = ledger.fingerprint().unwrap();
    for skip_bad in [false, true] {
        let r = import(&mut ledger, &changed, skip_bad);
        assert_eq!((r.outcome, r.conflicts), (ImportOutcome::RefusedRows, 1), "skip_bad {skip_bad}: {:?}", r.refused);
        let c = &r.refused[0];
        assert_eq!(c.field, "amount");
        let name = original.file_name().unwrap().to_string_lossy();
        assert!(
            c.message.contains("amount 9900000000 base units in re-export.json line")
                && c.message.contains(&format!("but amount 10000000000 base units in {name} line")),
            "{}",
            c.message
        );
    }
    assert_eq!(ledger.fingerprint().unwrap(), before, "nothing of the conflicting file was kept");
    // The CLI prints the conflict and exits 1.
    let (ok, _, err) =
        cli(&["import", "--ledger", dir.path().join("l.sqlite").to_str().unwrap(), changed.to_str().unwrap()]);
    assert!(!ok && err.contains("conflict"), "{err}");
    // The same output twice in one file with two values.
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tx = doc["tx"].as_array().unwrap().iter().find(|t| t.to_string().contains("100.0")).unwrap().clone();
    let mut tx = tx;
    tx["blocktime"] = doc["time"].clone();
    let mut twice = tx.clone();
    twice["vout"][0]["value"] = serde_json::json!(1.5);
    let lines = format!("{}\n{}\n", tx, twice);
    let file = common::write(dir.path(), "twice.jsonl", lines);
    let mut fresh = SqliteLedger::open(&dir.path().join("fresh.sqlite")).unwrap();
    let r = import(&mut fresh, &file, true);
    assert_eq!((r.outcome, r.conflicts), (ImportOutcome::RefusedRows, 1), "{:?}", r.refused);
    assert!(r.refused[0].message.contains("differs from line 1 of this file"), "{}", r.refused[0].message);
    assert_eq!(r.refused[0].line, 2);
}

#[test]
fn an_account_transfer_stated_again_at_another_time_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let first = common::write(
        dir.path(),
        "first.csv",
        format!("{HEADER}{}", row("ethereum", 7, T0, A, B, "ETH", "5", "native")),
    );
    let second = common::write(
        dir.path(),
        "second.csv",
        format!("{HEADER}{}", row("ethereum", 7, T0 + 60, A, B, "ETH", "5", "native")),
    );
    let same = common::write(
        dir.path(),
        "same.csv",
        format!("{HEADER}{}", row("ethereum", 7, T0, A, B, "ETH", "5", "native")),
    );
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).unwrap();
    assert_eq!(import(&mut ledger, &first, false).transfers, 1);
    let r = import(&mut ledger, &second, true);
    assert_eq!(
        (r.outcome, r.conflicts, r.refused[0].field.as_str(), r.refused[0].line),
        (ImportOutcome::RefusedRows, 1, "time", 2)
    );
    assert!(r.refused[0].message.contains("in first.csv line 2"), "{}", r.refused[0].message);
    // The same facts again: a duplicate, committed.
    let r = import(&mut ledger, &same, false);
    assert_eq!((r.outcome, r.duplicates, r.conflicts), (ImportOutcome::Committed, 1, 0));
    // Within one file.
    let both = common::write(
        dir.path(),
        "both.csv",
        format!(
            "{HEADER}{}{}",
            row("ethereum", 8, T0, A, B, "ETH", "5", "native"),
            row("ethereum", 8, T0 + 1, A, B, "ETH", "5", "native")
        ),
    );
    let r = import(&mut ledger, &both, false);
    assert_eq!((r.outcome, r.conflicts, r.refused[0].line), (ImportOutcome::RefusedRows, 1, 3));
    assert!(r.refused[0].message.contains("differs from line 2 of this file"), "{}", r.refused[0].message);
}

#[test]
fn a_version_2_ledger_migrates_its_zero_input_amounts_to_unknown() {
    let Some((blocks, _)) = bitcoin_files() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let mut ledger = SqliteLedger::open(&path).unwrap();
        for b in &blocks {
            import(&mut ledger, b, false);
        }
    }
    {
        // What version 2 stored: a zero for each unresolved input.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("UPDATE transfers SET amount = X'00' WHERE amount IS NULL; PRAGMA user_version = 2;")
            .unwrap();
    }
    let ledger = SqliteLedger::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (version, nulls): (i64, i64) = (
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap(),
        conn.query_row("SELECT count(*) FROM transfers WHERE amount IS NULL", [], |r| r.get(0)).unwrap(),
    );
    assert_eq!((version, nulls), (hoptrace::ledger::schema::SCHEMA_VERSION, 3));
    assert_eq!(ledger.info().unwrap().per_asset[0].unknown_amounts, 3);
    let indexes: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transfers'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(indexes, 5, "the transfer indexes are rebuilt");
}

#[test]
fn the_zero_address_is_the_mint_burn_node() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}{}{}",
        row("ethereum", 1, T0, ZERO_ADDRESS, A, TOKEN, "100", "token"),
        row("ethereum", 2, T0 + 60, A, ZERO_ADDRESS, TOKEN, "40", "token")
    );
    let file = common::write(dir.path(), "mint.csv", text);
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).unwrap();
    import(&mut ledger, &file, false);
    let mut inv =
        Investigation::create(ledger, "l.sqlite".into(), "c".into(), "Mint".into(), "T".into(), T0).expect("case");
    inv.apply(Command::AddSeed { chain: "ethereum".into(), address: A.into() }).unwrap();
    inv.apply(Command::Expand {
        node: NodeKey::address("ethereum", A),
        direction: ExpandDirection::Both,
        filter: CaseFilter::default(),
    })
    .unwrap();
    let g = inv.graph().unwrap();
    let zero = g.node(&NodeKey::address("ethereum", ZERO_ADDRESS)).expect("zero address node");
    assert_eq!(node_label(zero), MINT_BURN_TITLE);
    assert!(zero.labels.is_empty(), "derived, not a stored label");
    let words: Vec<Option<&str>> =
        inv.case().transfers.iter().map(|id| inv.transfer(*id).and_then(|r| mint_or_burn(&r.transfer))).collect();
    assert_eq!(words, vec![Some("minted"), Some("burned")]);
}

#[test]
fn a_burn_on_bsc_and_a_mint_on_ethereum_pair_with_cited_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let bsc_usdc = "0x8ac76a51cc950d9822d68b83fe1ad97b32cd580d";
    let eth_usdt = "0xdac17f958d2ee523a2206206994597c13d831ec7";
    let text = format!(
        "{HEADER}{}{}{}",
        row("bsc", 1, T0 - 3600, B, A, bsc_usdc, "1000000000000000000000", "token"),
        row("bsc", 2, T0, A, ZERO_ADDRESS, bsc_usdc, "1000000000000000000000", "token"),
        row("ethereum", 3, T0 + 1800, ZERO_ADDRESS, B, eth_usdt, "1000000000", "token")
    );
    let file = common::write(dir.path(), "bridge.csv", text);
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).unwrap();
    import(&mut ledger, &file, false);
    let start = Start::addresses([("bsc".to_owned(), A.to_owned())]);
    let found = run(FinderKind::Bridge, &ledger, &start, &Settings { min_score: 0, ..Settings::default() }).unwrap();
    let c = found.first().expect("the burn pairs with the mint");
    assert_eq!((c.inbound.len(), c.outbound.len()), (1, 1));
    assert!(
        c.rationale
            .contains("burned on bsc line 3 of bridge.csv; minted on ethereum line 4 of bridge.csv (+5 to the score)"),
        "{}",
        c.rationale
    );
    assert_eq!(c.features["venue"], MINT_BURN_TITLE);
}
