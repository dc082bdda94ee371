use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::read;
use super::tx::btc;
use crate::import::{Collected, ImportOptions, ReadContext, ReadError};
use crate::model::{Transfer, TransferKind};

fn run(text: &str) -> Result<Collected, ReadError> {
    let opts = ImportOptions::default();
    let ctx = ReadContext { file_name: "rpc.json", path: None, options: &opts };
    let mut sink = Collected::default();
    read(&mut text.as_bytes(), &ctx, &mut sink)?;
    Ok(sink)
}

/// The bitcoin-etl fixtures, or `None` (with a message) when `../shared` is absent.
fn shared(dir: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/bitcoin-etl")).join(dir);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: real data {} is absent (see shared/data/README.md)", p.display());
        None
    }
}

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    v.retain(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)));
    v.sort();
    v
}

fn text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// bitcoin-etl's expected transactions (JSON lines), by hash.
fn expected(dir: &Path) -> BTreeMap<String, Value> {
    text(&dir.join("expected_transactions.json"))
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| Some((v.get("hash")?.as_str()?.to_owned(), v)))
        .collect()
}

fn find(c: &Collected, kind: TransferKind, tx: &str, pos: i64) -> Option<Transfer> {
    c.transfers.iter().find(|t| t.kind == kind && t.tx_hash == tx && t.position == Some(pos)).cloned()
}

fn s(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

#[test]
fn real_getblock_matches_bitcoin_etl() {
    let Some(dir) = shared("block_with_transactions") else { return };
    let blocks = files(&dir, "rpc_response_getblock_");
    assert_eq!(blocks.len(), 2);
    let mut got = Collected::default();
    for b in &blocks {
        let c = run(&text(b)).unwrap_or_default();
        assert!(c.refused.is_empty(), "{:?}", c.refused);
        got.rows += c.rows;
        got.transfers.extend(c.transfers);
        for (k, n) in c.skipped {
            *got.skipped.entry(k).or_default() += n;
        }
    }
    let exp = expected(&dir);
    assert_eq!(got.rows, exp.len() as u64);
    let (mut outs, mut ins, mut coinbase) = (0, 0, 0);
    for (hash, tx) in &exp {
        coinbase += u64::from(tx.get("is_coinbase") == Some(&Value::Bool(true)));
        for o in tx.get("outputs").and_then(Value::as_array).into_iter().flatten() {
            outs += 1;
            let n = o.get("index").and_then(Value::as_i64).unwrap_or(-1);
            let t = find(&got, TransferKind::UtxoOutput, hash, n).unwrap_or_else(|| panic!("{hash}:{n} missing"));
            let addr = o.pointer("/addresses/0").and_then(Value::as_str);
            assert_eq!(t.to.as_deref(), addr, "{hash}:{n}");
            assert_eq!(t.amount_base.to_string(), s(o, "value"), "{hash}:{n}");
            assert_eq!(t.block, tx.get("block_number").and_then(Value::as_i64));
            assert_eq!(t.time, tx.get("block_timestamp").and_then(Value::as_i64));
            assert_eq!(t.asset, "BTC");
        }
        for i in tx.get("inputs").and_then(Value::as_array).into_iter().flatten() {
            ins += 1;
            let n = i.get("index").and_then(Value::as_i64).unwrap_or(-1);
            let t = find(&got, TransferKind::UtxoInput, hash, n).unwrap_or_else(|| panic!("{hash} input {n} missing"));
            let spent =
                (s(i, "spent_transaction_hash"), i.get("spent_output_index").and_then(Value::as_i64).unwrap_or(-1));
            assert_eq!(t.prev_out, Some(spent));
            // Verbosity 2 has no prevout: resolved later by the ledger.
            assert_eq!((t.from, t.amount_base.to_string()), (None, "0".to_owned()));
        }
    }
    assert_eq!(got.transfers.len(), outs + ins);
    assert_eq!((outs, ins), (4, 3));
    assert_eq!(got.skipped.get("coinbase input (newly minted coins)"), Some(&coinbase));
    // Spot check, written out: block 50001's second transaction pays 100 BTC.
    let t = find(&got, TransferKind::UtxoOutput, "7940cdde4d713e171849efc6bd89939185be270266c94e92369e3877ad89455a", 0);
    assert_eq!(
        t.map(|t| (t.to, t.amount_base.to_string(), t.line)),
        Some((Some("1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ".into()), "10000000000".into(), 2))
    );
}

#[test]
fn real_getrawtransaction_outputs_are_what_bitcoin_etl_resolved_inputs_to() {
    let Some(dir) = shared("stream_50001_50002") else { return };
    let mut outputs = BTreeMap::new();
    for f in files(&dir, "rpc_response_getrawtransaction_") {
        let c = run(&text(&f)).unwrap_or_default();
        assert_eq!((c.rows, c.refused.len()), (1, 0), "{}", f.display());
        assert_eq!(c.skipped.get("coinbase input (newly minted coins)"), Some(&1));
        for t in c.transfers {
            assert_eq!((t.kind, t.block, t.line), (TransferKind::UtxoOutput, None, 1));
            assert!(t.time.is_some());
            outputs.insert((t.tx_hash.clone(), t.position.unwrap_or(-1)), t);
        }
    }
    assert_eq!(outputs.len(), 3);
    let mut matched = 0;
    for tx in expected(&dir).values() {
        for i in tx.get("inputs").and_then(Value::as_array).into_iter().flatten() {
            let key =
                (s(i, "spent_transaction_hash"), i.get("spent_output_index").and_then(Value::as_i64).unwrap_or(-1));
            if let Some(t) = outputs.get(&key) {
                assert_eq!(t.to.as_deref(), i.pointer("/addresses/0").and_then(Value::as_str));
                assert_eq!(t.amount_base.to_string(), s(i, "value"));
                matched += 1;
            }
        }
    }
    assert_eq!(matched, 3);
}

#[test]
fn real_files_in_every_layout() {
    let Some(dir) = shared("block_with_transactions") else { return };
    let docs: Vec<String> = files(&dir, "rpc_response_getblock_").iter().map(|p| text(p)).collect();
    let single: Vec<Collected> = docs.iter().map(|d| run(d).unwrap_or_default()).collect();
    let all: Vec<Transfer> = single.iter().flat_map(|c| c.transfers.iter().cloned()).collect();
    let compact: Vec<String> =
        docs.iter().filter_map(|d| serde_json::from_str::<Value>(d).ok()).map(|v| v.to_string()).collect();
    let layouts = [
        format!("[{}]", docs.join(",")),
        compact.join("\n"),
        format!("\u{feff}{}", docs.join("\n")),
        compact
            .iter()
            .enumerate()
            .map(|(i, d)| format!(r#"{{"result":{d},"error":null,"id":{i}}}"#))
            .collect::<Vec<_>>()
            .join("\n"),
    ];
    for l in &layouts {
        let c = run(l).unwrap_or_default();
        assert_eq!(c.rows, 4);
        // Record numbers continue across documents: block 50002's coinbase is record 4.
        let key = |t: &Transfer| (t.tx_hash.clone(), t.kind, t.position, t.to.clone(), t.amount_base);
        assert_eq!(c.transfers.iter().map(key).collect::<Vec<_>>(), all.iter().map(key).collect::<Vec<_>>());
        assert_eq!(c.transfers.last().map(|t| t.line), Some(4));
    }
    // An empty block (the stream fixture for height 500000) reads as nothing.
    if let Some(stream) = shared("stream_50001_50002") {
        let empty = files(&stream, "rpc_response_getblock_0000000000000000002");
        assert_eq!(empty.len(), 1);
        assert_eq!(run(&text(&empty[0])).map(|c| (c.rows, c.transfers.len())).ok(), Some((0, 0)));
        // getblockhash returns a bare string: not a block.
        let hash = files(&stream, "rpc_response_getblockhash_50001");
        assert!(matches!(run(&text(&hash[0])), Err(ReadError::Format { line: 1, .. })));
    }
}

const PUBKEY: &str = "04c1b5671c8975087cc796d6ea73d2407591528b5c669106f9b6ab6ef6e373a57553e14866aaeffc44a9f58e5ee0c7faa7add7474f0a2c55a22cb40b949fdc933c";
const TX_A: &str = "aa00000000000000000000000000000000000000000000000000000000000001";
const TX_B: &str = "BB00000000000000000000000000000000000000000000000000000000000002";
const PREV: &str = "cc00000000000000000000000000000000000000000000000000000000000003";

/// A Core 22+ verbosity-3 block: `address` instead of `addresses`, a pay-to-pubkey output
/// without address, OP_RETURN, bare multisig, and inputs with `prevout`.
fn v22_block() -> String {
    format!(
        r#"{{"hash":"00","height":800000,"time":1690168629,"tx":[
  {{"txid":"{TX_A}","vin":[{{"coinbase":"03"}}],"vout":[
    {{"value":6.25000000,"n":0,"scriptPubKey":{{"asm":"{PUBKEY} OP_CHECKSIG","hex":"41{PUBKEY}ac","type":"pubkey"}}}},
    {{"value":0.00000000,"n":1,"scriptPubKey":{{"asm":"OP_RETURN aa21a9ed","hex":"6a24aa21a9ed","type":"nulldata"}}}}]}},
  {{"txid":"{TX_B}","fee":0.0001,"vin":[
    {{"txid":"{PREV}","vout":7,"prevout":{{"generated":false,"height":799999,"value":0.12345678,"scriptPubKey":{{"address":"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq","type":"witness_v0_keyhash"}}}}}},
    {{"txid":"{PREV}","vout":8,"prevout":{{"value":0.001,"scriptPubKey":{{"asm":"1 02aa 02bb 2 OP_CHECKMULTISIG","type":"multisig"}}}}}}],
   "vout":[
    {{"value":0.1,"n":0,"scriptPubKey":{{"address":"1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ","type":"pubkeyhash"}}}},
    {{"value":0.00001000,"n":1,"scriptPubKey":{{"asm":"1 02aa 02bb 2 OP_CHECKMULTISIG","type":"multisig"}}}},
    {{"value":"0.02335678","n":2,"scriptPubKey":{{"address":"BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ","type":"witness_v0_keyhash"}}}}]}}]}}"#
    )
}

/// kind, position, from, to, amount, line
type Row<'a> = (TransferKind, i64, Option<&'a str>, Option<&'a str>, String, u64);

#[test]
fn v22_verbosity_3_block() {
    let c = run(&v22_block()).unwrap_or_default();
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    assert_eq!(c.rows, 2);
    let got: Vec<Row<'_>> = c
        .transfers
        .iter()
        .map(|t| {
            (t.kind, t.position.unwrap_or(-1), t.from.as_deref(), t.to.as_deref(), t.amount_base.to_string(), t.line)
        })
        .collect();
    let b = TX_B.to_ascii_lowercase();
    let ns_out = format!("nonstandard:{b}:1");
    let ns_in = format!("nonstandard:{PREV}:8");
    assert_eq!(
        got,
        vec![
            (TransferKind::UtxoOutput, 0, None, Some("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ"), "625000000".into(), 1),
            (TransferKind::UtxoOutput, 0, None, Some("1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ"), "10000000".into(), 2),
            (TransferKind::UtxoOutput, 1, None, Some(ns_out.as_str()), "1000".into(), 2),
            (
                TransferKind::UtxoOutput,
                2,
                None,
                Some("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
                "2335678".into(),
                2
            ),
            (
                TransferKind::UtxoInput,
                0,
                Some("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
                None,
                "12345678".into(),
                2
            ),
            (TransferKind::UtxoInput, 1, Some(ns_in.as_str()), None, "100000".into(), 2),
        ]
    );
    let inputs: Vec<_> = c.transfers.iter().filter(|t| t.kind == TransferKind::UtxoInput).collect();
    assert_eq!(inputs.first().and_then(|t| t.prev_out.clone()), Some((PREV.to_owned(), 7)));
    assert!(c.transfers.iter().all(|t| t.block == Some(800000) && t.time == Some(1690168629) && t.tx_hash != TX_B));
    assert_eq!(c.skipped.get("OP_RETURN/nulldata output without value"), Some(&1));
    assert_eq!(c.skipped.get("coinbase input (newly minted coins)"), Some(&1));
}

#[test]
fn bad_records_are_refused_once_and_reading_goes_on() {
    let doc = format!(
        r#"{{"txid":"{TX_A}","vin":[{{"txid":"xyz","vout":0}},{{"txid":"{PREV}","vout":-1}}],"vout":[
  {{"value":0.1,"n":0,"scriptPubKey":{{"addresses":["1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHR"]}}}},
  {{"value":0.000000001,"n":1,"scriptPubKey":{{"address":"1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ"}}}},
  {{"value":-1,"n":2,"scriptPubKey":{{"address":"1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ"}}}},
  {{"value":21000000.00000001,"n":3,"scriptPubKey":{{"address":"1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ"}}}}]}}
{{"txid":"short","vin":[],"vout":[]}}
{{"txid":"{TX_B}","vin":[],"vout":"none"}}"#
    );
    let c = run(&doc).unwrap_or_default();
    let refused: Vec<(u64, &str)> = c.refused.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(
        refused,
        vec![
            (1, "vout[0].scriptPubKey.addresses[0]"),
            (1, "vout[1].value"),
            (1, "vout[2].value"),
            (1, "vin[0].txid"),
            (1, "vin[1].vout"),
            (2, "txid"),
            (3, "vout"),
        ]
    );
    assert!(
        c.refused.iter().all(|r| r.message.starts_with("found ") && r.message.contains("expected")),
        "{:?}",
        c.refused
    );
    assert_eq!(c.rows, 3);
    assert_eq!(c.transfers.iter().map(|t| t.amount_base.to_string()).collect::<Vec<_>>(), ["2100000000000001"]);
}

#[test]
fn whole_file_problems_stop_reading() {
    let err = |t: &str| match run(t) {
        Err(ReadError::Format { line, message }) => (line, message),
        other => panic!("expected a format error, got {other:?}"),
    };
    let (line, m) =
        err(r#"{"result":null,"error":{"code":-5,"message":"No such mempool or blockchain transaction"},"id":1}"#);
    assert_eq!(line, 1);
    assert!(m.contains("No such mempool"), "{m}");
    assert!(err(r#"{"height":1,"time":1690168629,"tx":["aa"]}"#).1.contains("verbosity 1"));
    assert!(err(r#"{"result":"0100000001","error":null,"id":1}"#).1.contains("raw hex"));
    assert_eq!(err("{\"vin\":[],\n\"vout\":[]}\n{\"vin\": [,]}").0, 3);
    assert_eq!(err("\n\n{\"a\": 1}").0, 3);
    assert!(err("").1.contains("no JSON"));
    let opts = ImportOptions { chain: Some("ethereum".into()), ..ImportOptions::default() };
    let ctx = ReadContext { file_name: "x.json", path: None, options: &opts };
    assert!(read(&mut &b"{}"[..], &ctx, &mut Collected::default()).is_err());
}

#[test]
fn btc_amounts_are_exact() {
    let sat = |t: &str| btc(serde_json::from_str::<Value>(t).ok().as_ref()).map(|a| a.to_string());
    assert_eq!(sat("50.00000000"), Ok("5000000000".into()));
    assert_eq!(sat("0.1"), Ok("10000000".into()));
    assert_eq!(sat("20999999.97690000"), Ok("2099999997690000".into()));
    assert_eq!(sat("\"0.00000001\""), Ok("1".into()));
    let plain = "expected a BTC amount in plain digits such as 0.00012345, as Bitcoin Core writes it";
    for e in ["1e-05", "1.5E+2", "12345678e-8", "1e+30", "\"1e+30\""] {
        // serde_json writes the exponent mark in lower case.
        let shown = e.trim_matches('"').to_ascii_lowercase();
        assert_eq!(
            sat(e),
            Err(format!("found {shown}: {plain}, not an exponent (re-export from Bitcoin Core)")),
            "{e}"
        );
    }
    assert_eq!(sat("-0.5"), Err(format!("found -0.5: {plain}, without a sign")));
    assert_eq!(sat("\"+0.5\""), Err(format!("found +0.5: {plain}, without a sign")));
    assert!(sat("1e-9").is_err());
    assert_eq!(sat("true"), Err(format!("found true: {plain}")));
}

#[test]
fn pre_v22_bare_multisig_and_hex_only_pubkey() {
    let doc = format!(
        r#"{{"txid":"{TX_A}","vin":[],"vout":[
  {{"value":0.5,"n":0,"scriptPubKey":{{"addresses":["1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ","1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ"],"reqSigs":1,"type":"multisig"}}}},
  {{"value":0.25,"n":1,"scriptPubKey":{{"hex":"41{PUBKEY}ac","type":"pubkey"}}}},
  {{"value":0,"n":2,"scriptPubKey":{{"hex":"00","type":"nonstandard"}}}}]}}"#
    );
    let c = run(&doc).unwrap_or_default();
    let to: Vec<(Option<&str>, String)> =
        c.transfers.iter().map(|t| (t.to.as_deref(), t.amount_base.to_string())).collect();
    let ns = format!("nonstandard:{TX_A}:0");
    assert_eq!(
        to,
        [(Some(ns.as_str()), "50000000".into()), (Some("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ"), "25000000".into())]
    );
    assert_eq!(c.skipped.get("output without address and without value"), Some(&1));
}

#[test]
fn truncated_real_blocks_never_panic() {
    let Some(dir) = shared("block_with_transactions") else { return };
    for f in files(&dir, "rpc_response_getblock_") {
        let t = text(&f);
        for cut in (0..t.len()).step_by(7) {
            let part = t.get(..cut).unwrap_or("");
            // Any prefix either reads or fails as a whole; never panics.
            let _ = run(part);
            let _ = run(&part.replace("50.0", "5x"));
        }
    }
}

#[test]
fn strict_json_duplicate_keys_and_block_times() {
    let err = |t: &str| match run(t) {
        Err(ReadError::Format { line, message }) => (line, message),
        other => panic!("expected a format error, got {other:?}"),
    };
    // A duplicate key anywhere in the document stops the import, naming key and line.
    let doc = format!(
        "{{\"txid\":\"{TX_A}\",\"vin\":[],\n\"vout\":[{{\"value\":0.1,\"value\":0.2,\"n\":0,\"scriptPubKey\":{{\"address\":\"1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ\"}}}}]}}"
    );
    let (line, m) = err(&doc);
    assert_eq!(line, 2);
    assert_eq!(m, format!("column 29: {}", crate::import::json::duplicate_key_message("value")));
    // A block time of year 10000 is refused with the field named.
    let (line, m) =
        err(&format!("{{\"height\":1,\"time\":253402300800,\"tx\":[{{\"txid\":\"{TX_A}\",\"vin\":[],\"vout\":[]}}]}}"));
    assert_eq!(line, 1);
    assert_eq!(
        m,
        "block `time`: found 253402300800 s: expected a time between 2009-01-03T00:00:00Z (the first block) and one day from now"
    );
    let c = run(&format!("{{\"txid\":\"{TX_A}\",\"blocktime\":1,\"vin\":[],\"vout\":[]}}")).unwrap_or_default();
    assert_eq!(c.refused.len(), 1);
    assert_eq!((c.refused[0].line, c.refused[0].field.as_str()), (1, "blocktime"));
    assert!(c.refused[0].message.starts_with("found 1970-01-01T00:00:01Z: expected a time between"));
    // The RPC's `1e+30` BTC value is refused.
    let c = run(&format!(
        "{{\"txid\":\"{TX_A}\",\"vin\":[],\"vout\":[{{\"value\":1e+30,\"n\":0,\"scriptPubKey\":{{\"address\":\"1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ\"}}}}]}}"
    ))
    .unwrap_or_default();
    assert_eq!(c.refused.len(), 1);
    assert_eq!(c.refused[0].field, "vout[0].value");
    assert!(c.refused[0].message.starts_with("found 1e+30: "));
    assert!(c.transfers.is_empty());
}
