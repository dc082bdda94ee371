//! Every real file in ../shared/data through the ledger: Bitcoin inputs resolve to the outputs
//! they spend whatever the import order, and labels keep their chains' case rules.

use crate::common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use hoptrace::import::ImportOptions;
use hoptrace::ledger::{ImportOutcome, Ledger, SqliteLedger};
use hoptrace::model::TransferKind;

/// (txid, input index) → (address, satoshis), as bitcoin-etl resolved them, read from its
/// expected output independently of hoptrace.
fn expected_inputs(path: &std::path::Path) -> BTreeMap<(String, i64), (String, String)> {
    let mut out = BTreeMap::new();
    for line in std::fs::read_to_string(path).expect("read expected").lines() {
        let tx: serde_json::Value = serde_json::from_str(line).expect("json");
        for input in tx["inputs"].as_array().into_iter().flatten() {
            let key = (tx["hash"].as_str().unwrap_or_default().to_owned(), input["index"].as_i64().unwrap_or(-1));
            let addr = input["addresses"][0].as_str().unwrap_or_default().to_owned();
            out.insert(key, (addr, input["value"].to_string()));
        }
    }
    out
}

fn bitcoin_files() -> Option<(Vec<PathBuf>, Vec<PathBuf>, PathBuf)> {
    let dir = common::shared_data("bitcoin-etl/stream_50001_50002")?;
    let mut blocks = Vec::new();
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("read dir") {
        let p = entry.expect("entry").path();
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with("rpc_response_getblock_") && name.ends_with("_2.json") {
            blocks.push(p);
        } else if name.starts_with("rpc_response_getrawtransaction_") {
            raw.push(p);
        }
    }
    blocks.sort();
    raw.sort();
    Some((blocks, raw, dir.join("expected_transactions.json")))
}

fn check_resolution(order: &[PathBuf], expected: &BTreeMap<(String, i64), (String, String)>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut l = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");
    for f in order {
        let r = l.import_file(f, &ImportOptions::default(), None).expect("import");
        assert_eq!((r.outcome, r.refused.len()), (ImportOutcome::Committed, 0), "{}", f.display());
    }
    assert_eq!(l.info().expect("info").unresolved_inputs, 0, "every spent output is in the ledger");
    let mut checked = 0;
    for ((txid, index), (addr, sats)) in expected {
        let rows = l.tx_transfers("bitcoin", txid).expect("tx");
        let input = rows
            .iter()
            .find(|r| r.transfer.kind == TransferKind::UtxoInput && r.transfer.position == Some(*index))
            .expect("the input is stored");
        assert_eq!(input.transfer.from.as_deref(), Some(addr.as_str()), "{txid}:{index}");
        assert_eq!(&input.transfer.amount_base.to_string(), sats, "{txid}:{index}");
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn bitcoin_inputs_resolve_in_either_import_order() {
    let Some((blocks, raw, expected)) = bitcoin_files() else { return };
    let expected = expected_inputs(&expected);
    assert_eq!(expected.len(), 3, "block 50001 spends three earlier outputs");
    check_resolution(&[blocks.clone(), raw.clone()].concat(), &expected);
    check_resolution(&[raw, blocks].concat(), &expected);
}

#[test]
fn tagpacks_and_sanction_lists_import_with_their_case_rules() {
    let (Some(tagpacks), Some(ofac)) = (common::shared_data("tagpacks"), common::shared_data("ofac")) else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut l = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&tagpacks)
        .expect("dir")
        .chain(std::fs::read_dir(&ofac).expect("dir"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "txt"))
        .collect();
    files.sort();
    for f in &files {
        let r = l.import_file(f, &ImportOptions::default(), None).expect("import");
        assert_eq!((r.outcome, r.refused.len()), (ImportOutcome::Committed, 0), "{}", f.display());
        // Every entry of the file is accounted for: a new label, one the ledger already had
        // (the same attribution in another file), or a skip with its reason.
        let text = std::fs::read_to_string(f).expect("read");
        let entries = if f.extension().is_some_and(|x| x == "txt") {
            text.lines().filter(|l| !l.trim().is_empty()).count()
        } else {
            text.lines().filter(|l| l.trim_start().starts_with("- address:")).count()
        } as u64;
        let skipped: u64 = r.skipped.iter().filter(|(k, _)| !k.contains("blank")).map(|(_, v)| v).sum();
        assert_eq!(r.labels + r.duplicates + skipped, entries, "{}: {r:?}", f.display());
    }
    // The OFAC ETH list writes EIP-55 mixed case; a lower-case (or upper-case) query finds it.
    let eth = std::fs::read_to_string(ofac.join("sanctioned_addresses_ETH.txt")).expect("read");
    let first = eth.lines().next().expect("an address").trim();
    assert_ne!(first, first.to_lowercase(), "the list uses mixed case");
    let found = l.labels(&first.to_uppercase().replacen("0X", "0x", 1)).expect("labels");
    assert!(
        found
            .iter()
            .any(|lab| lab.address == first.to_lowercase() && lab.source.contains("sanctioned_addresses_ETH.txt"))
    );
    // Bitcoin keeps its case: the address as listed is found, a case-changed spelling is not.
    let xbt = std::fs::read_to_string(ofac.join("sanctioned_addresses_XBT.txt")).expect("read");
    let btc = xbt.lines().find(|a| a.starts_with('1')).expect("a base58 address").trim();
    assert!(!l.labels(btc).expect("labels").is_empty());
    assert!(l.labels(&btc.to_lowercase()).expect("labels").is_empty());
    // Disagreeing labels about one Tornado pool are all kept, each with its source.
    let pool = "0xa160cdab225685da1d56aa342ad8841c3b53f291";
    let pool_labels = l.labels(pool).expect("labels");
    let sources: std::collections::BTreeSet<&str> = pool_labels.iter().map(|x| x.source.as_str()).collect();
    assert!(sources.len() >= 2, "{pool_labels:?}");
    // The bulk lookup the graph uses answers exactly what one lookup per address does, for
    // more addresses than one of its chunks holds, in any spelling.
    let mut asked: Vec<String> = eth.lines().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect();
    let lower: Vec<String> = asked.iter().map(|a| a.to_lowercase()).collect();
    asked.extend(lower);
    asked.extend(xbt.lines().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()));
    if let Ok(more) = std::fs::read_to_string(ofac.join("sanctioned_addresses_TRX.txt")) {
        asked.extend(more.lines().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()));
    }
    asked.push(pool.to_uppercase().replacen("0X", "0x", 1));
    asked.push("0x00000000000000000000000000000000000000ff".to_owned());
    assert!(asked.len() > 300, "{} addresses", asked.len());
    let bulk = l.labels_many(&asked).expect("labels_many");
    assert_eq!(bulk.len(), asked.iter().collect::<std::collections::BTreeSet<_>>().len());
    for a in &asked {
        assert_eq!(bulk.get(a), Some(&l.labels(a).expect("labels")), "{a}");
    }
}
