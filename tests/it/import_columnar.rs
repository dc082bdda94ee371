//! cryo Parquet files written by another implementation (pyarrow) and Blockchair dumps (plain
//! and gzip, in both import orders, and against Bitcoin Core RPC JSON of the same
//! transactions) import exactly into a ledger; malformed files are refused and leave the
//! ledger unchanged.

use crate::common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use hoptrace::import::{Format, ImportOptions};
use hoptrace::ledger::{ImportOutcome, ImportReport, Ledger, LedgerError, SqliteLedger};
use hoptrace::model::TransferKind;

const H1: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
const H2: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";
const H3: &str = "0x3333333333333333333333333333333333333333333333333333333333333333";
const A: &str = "0x8589427373d6d84e98730d7795d8f6f8731fda16";
const B: &str = "0x722122df12d4e14e13ac3b6895a86e84145b6967";
const USDT: &str = "0xdac17f958d2ee523a2206206994597c13d831ec7";

/// True when `python3` with pyarrow is there; else the test is skipped, or fails under CI.
fn pyarrow() -> bool {
    let ok = Command::new("python3").args(["-c", "import pyarrow"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        common::skipped("python3 with pyarrow is not installed (.ci/run installs it)");
    }
    ok
}

/// Runs a Python script (pyarrow imported as `pa`, `pyarrow.parquet` as `pq`, helper `h(x)`
/// = bytes of hex `x`) in `dir`.
fn python(dir: &Path, body: &str) {
    let script = format!(
        "import pyarrow as pa, pyarrow.parquet as pq\n\
         def h(x):\n    return bytes.fromhex(x[2:] if x.startswith('0x') else x)\n\
         def be(n, width=32):\n    return n.to_bytes(width, 'big')\n{body}\n"
    );
    let path = dir.join("make.py");
    std::fs::write(&path, script).expect("write script");
    let out = Command::new("python3").arg(&path).current_dir(dir).output().expect("run python3");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn ledger(dir: &Path) -> (SqliteLedger, PathBuf) {
    let p = dir.join("ledger.sqlite");
    (SqliteLedger::open(&p).expect("open ledger"), p)
}

fn import(l: &mut SqliteLedger, path: &Path) -> ImportReport {
    l.import_file(path, &ImportOptions::default(), None).expect("import")
}

/// 2^128 + 1, 2^255 + 7, 2^64: above u64 and u128.
fn big() -> [String; 3] {
    let two = ethnum::U256::from(2u8);
    [(two.pow(128) + 1).to_string(), (two.pow(255) + 7).to_string(), two.pow(64).to_string()]
}

#[test]
fn cryo_erc20_transfers_parquet_by_pyarrow_import_exactly() {
    if !pyarrow() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let [v1, v2, v3] = big();
    python(
        dir.path(),
        &format!(
            "vals = [{v1}, {v2}, {v3}, 0, 1]\n\
             t = pa.table({{\n\
              'block_number': pa.array([17000000, 17000000, 17000001, 17000002, 17000003], pa.uint32()),\n\
              'transaction_index': pa.array([0, 1, 0, 4, 9], pa.uint32()),\n\
              'log_index': pa.array([3, 4, 0, 7, 8], pa.uint32()),\n\
              'transaction_hash': pa.array([h('{H1}'), h('{H2}'), h('{H3}'), h('{H1}'), h('{H2}')], pa.binary()),\n\
              'erc20': pa.array([h('{USDT}')] * 5, pa.binary()),\n\
              'from_address': pa.array([h('{A}'), h('{B}'), h('{A}'), h('{B}'), h('{A}')], pa.binary()),\n\
              'to_address': pa.array([h('{B}'), h('{A}'), h('{B}'), h('{A}'), h('{B}')], pa.binary()),\n\
              'value_binary': pa.array([be(v) for v in vals], pa.binary()),\n\
              'value_string': pa.array([str(v) for v in vals], pa.string()),\n\
              'value_f64': pa.array([1.0] * 5, pa.float64()),\n\
              'chain_id': pa.array([1] * 5, pa.uint64()),\n\
             }})\n\
             pq.write_table(t, 'erc20_transfers.parquet', row_group_size=2, compression='lz4')\n\
             pq.write_table(t, 'erc20_transfers_snappy.parquet', row_group_size=3, compression='snappy')\n\
             pq.write_table(t, 'erc20_transfers_zstd.parquet', compression='zstd')\n\
             import pyarrow.csv as pc\n"
        ),
    );
    for name in ["erc20_transfers.parquet", "erc20_transfers_snappy.parquet", "erc20_transfers_zstd.parquet"] {
        let sub = tempfile::tempdir().expect("tempdir");
        let (mut l, _) = ledger(sub.path());
        let r = import(&mut l, &dir.path().join(name));
        // The page-header check alone passes pyarrow's file: one page or more per used column.
        let pages = hoptrace::import::cryo::check_page_headers(&dir.path().join(name)).expect("page headers");
        assert!(pages >= 6, "{name}: {pages} pages");
        assert_eq!(r.format, Format::Cryo, "detected from PAR1");
        assert_eq!(r.outcome, ImportOutcome::Committed, "{:?}", r.refused);
        assert_eq!((r.rows, r.transfers, r.refused.len()), (5, 5, 0));
        assert_eq!(r.chain.as_deref(), Some("ethereum"));
        assert_eq!(r.chain_rule.as_deref(), Some("chain_id column (1)"));
        let rows = l.tx_transfers("ethereum", H1).expect("query");
        let mut got: Vec<(Option<i64>, String, Option<i64>)> =
            rows.iter().map(|r| (r.transfer.position, r.transfer.amount_base.to_string(), r.transfer.block)).collect();
        got.sort();
        assert_eq!(got, vec![(Some(3), v1.clone(), Some(17_000_000)), (Some(7), "0".to_owned(), Some(17_000_002))]);
        let t = &rows[0].transfer;
        assert_eq!((t.kind, t.asset.as_str(), t.time), (TransferKind::Token, USDT, None));
        assert_eq!((t.from.as_deref(), t.to.as_deref()), (Some(A), Some(B)));
        let two = l.tx_transfers("ethereum", H2).expect("query");
        let amounts: Vec<String> = two.iter().map(|r| r.transfer.amount_base.to_string()).collect();
        assert!(amounts.contains(&v2) && amounts.contains(&"1".to_owned()), "{amounts:?}");
        let three = l.tx_transfers("ethereum", H3).expect("query");
        assert_eq!(three[0].transfer.amount_base.to_string(), v3);
        assert_eq!(three[0].provenance.line, 3, "line = global row number across row groups");
    }
}

#[test]
fn cryo_transactions_and_native_transfers_parquet() {
    if !pyarrow() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let [v1, ..] = big();
    python(
        dir.path(),
        &format!(
            "t = pa.table({{\n\
              'block_number': pa.array([18000000, 18000000], pa.uint32()),\n\
              'transaction_index': pa.array([1, 2], pa.uint64()),\n\
              'transaction_hash': pa.array([h('{H1}'), h('{H2}')], pa.binary()),\n\
              'nonce': pa.array([7, 8], pa.uint64()),\n\
              'from_address': pa.array([h('{A}'), h('{B}')], pa.binary()),\n\
              'to_address': pa.array([h('{B}'), None], pa.binary()),\n\
              'value_binary': pa.array([be({v1}), be(0)], pa.binary()),\n\
              'value_string': pa.array(['{v1}', '0'], pa.string()),\n\
              'value_f64': pa.array([3.4e38, 0.0], pa.float64()),\n\
              'gas_used': pa.array([21000, None], pa.uint64()),\n\
              'gas_price': pa.array([30000000000, 1], pa.uint64()),\n\
              'success': pa.array([True, False], pa.bool_()),\n\
              'chain_id': pa.array([137, 137], pa.uint64()),\n\
             }})\n\
             pq.write_table(t, 'transactions.parquet', row_group_size=1)\n\
             n = pa.table({{\n\
              'block_number': pa.array([18000001] * 3, pa.uint32()),\n\
              'block_hash': pa.array([h('{H3}')] * 3, pa.binary()),\n\
              'transaction_index': pa.array([0, 0, None], pa.uint32()),\n\
              'transfer_index': pa.array([0, 1, 2], pa.uint32()),\n\
              'transaction_hash': pa.array([h('{H3}'), h('{H3}'), None], pa.binary()),\n\
              'from_address': pa.array([h('{A}'), h('{B}'), bytes(20)], pa.binary()),\n\
              'to_address': pa.array([h('{B}'), h('{A}'), h('{A}')], pa.binary()),\n\
              'value_binary': pa.array([be(5), be(2), be(2 * 10**18)], pa.binary()),\n\
              'value_string': pa.array(['5', '2', str(2 * 10**18)], pa.string()),\n\
              'value_f64': pa.array([5.0, 2.0, 2e18], pa.float64()),\n\
              'chain_id': pa.array([137] * 3, pa.uint64()),\n\
             }})\n\
             pq.write_table(n, 'native_transfers.parquet')\n"
        ),
    );
    let (mut l, _) = ledger(dir.path());
    let r = import(&mut l, &dir.path().join("transactions.parquet"));
    assert_eq!((r.rows, r.transfers, r.refused.len()), (2, 2, 0), "{:?}", r.refused);
    let t1 = &l.tx_transfers("polygon", H1).expect("query")[0].transfer;
    assert_eq!(
        (t1.amount_base.to_string(), t1.failed, t1.fee_base.map(|f| f.to_string())),
        (v1, false, Some("630000000000000".to_owned()))
    );
    let t2 = &l.tx_transfers("polygon", H2).expect("query")[0].transfer;
    assert_eq!((t2.to.as_deref(), t2.failed, t2.fee_base), (None, true, None));
    let r = import(&mut l, &dir.path().join("native_transfers.parquet"));
    assert_eq!((r.rows, r.transfers, r.refused.len()), (3, 2, 0), "{:?}", r.refused);
    assert_eq!(r.skipped.get("block or uncle reward (no transaction)"), Some(&1));
    let mut kinds: Vec<(TransferKind, String)> = l
        .tx_transfers("polygon", H3)
        .expect("query")
        .iter()
        .map(|r| (r.transfer.kind, r.transfer.amount_base.to_string()))
        .collect();
    kinds.sort();
    assert_eq!(kinds, vec![(TransferKind::Native, "5".to_owned()), (TransferKind::Internal, "2".to_owned())]);
}

/// A malformed file is refused (report or error) and the ledger is unchanged.
fn refused_unchanged(dir: &Path, file: &Path) -> Result<ImportReport, LedgerError> {
    std::fs::create_dir_all(dir).expect("ledger dir");
    let (mut l, db) = ledger(dir);
    let before = common::fingerprint(&db);
    let r = l.import_file(file, &ImportOptions::default(), None);
    if let Ok(rep) = &r {
        assert_eq!(rep.outcome, ImportOutcome::RefusedRows, "{rep:?}");
    }
    drop(l);
    assert_eq!(common::fingerprint(&db), before, "ledger unchanged");
    r
}

fn message(r: Result<ImportReport, LedgerError>) -> String {
    match r {
        Ok(rep) => rep.refused.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_parquet_is_refused_exactly() {
    if !pyarrow() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    python(
        dir.path(),
        &format!(
            "def table(value_binary=None, chain=1, drop=None, addr=h('{A}')):\n\
             \x20   cols = {{\n\
             \x20     'block_number': pa.array([1, 2], pa.uint32()),\n\
             \x20     'log_index': pa.array([0, 1], pa.uint32()),\n\
             \x20     'transaction_hash': pa.array([h('{H1}'), h('{H2}')], pa.binary()),\n\
             \x20     'erc20': pa.array([h('{USDT}')] * 2, pa.binary()),\n\
             \x20     'from_address': pa.array([addr, h('{A}')], pa.binary()),\n\
             \x20     'to_address': pa.array([h('{B}')] * 2, pa.binary()),\n\
             \x20     'value_binary': pa.array(value_binary or [be(1), be(2)], pa.binary()),\n\
             \x20     'value_string': pa.array(['1', '2'], pa.string()),\n\
             \x20     'value_f64': pa.array([1.0, 2.0], pa.float64()),\n\
             \x20     'chain_id': pa.array([chain] * 2, pa.uint64()),\n\
             \x20   }}\n\
             \x20   for d in drop or []:\n\
             \x20       del cols[d]\n\
             \x20   return pa.table(cols)\n\
             pq.write_table(table(value_binary=[be(1), bytes([1]) * 33]), 'v33.parquet', row_group_size=1)\n\
             pq.write_table(table(chain=999), 'chain999.parquet')\n\
             pq.write_table(table(drop=['value_binary', 'value_string']), 'f64only.parquet')\n\
             pq.write_table(table(drop=['from_address']), 'nofrom.parquet')\n\
             pq.write_table(table(addr=bytes(19)), 'addr19.parquet')\n\
             pq.write_table(pa.table({{'a': [1, 2]}}), 'other.parquet')\n"
        ),
    );
    let case = |name: &str| message(refused_unchanged(&dir.path().join(format!("l-{name}")), &dir.path().join(name)));
    assert_eq!(
        case("v33.parquet"),
        "line 2: field `value_binary`: row group 1, row 0: found 33 bytes: expected at most 32 bytes (a big-endian uint256)"
    );
    let chain999 = case("chain999.parquet");
    assert!(
        chain999.ends_with("line 1: row group 0, row 0: column chain_id: found 999: expected a chain id hoptrace knows: 1 (ethereum), 10 (optimism), 56 (bsc), 137 (polygon), 250 (fantom), 8453 (base), 42161 (arbitrum), 43114 (avalanche)"),
        "{chain999}"
    );
    assert!(case("f64only.parquet").ends_with("line 1: the cryo erc20_transfers export has only value_f64, a rounded float that cannot state an amount exactly: expected value_binary or value_string (re-export with cryo's default --u256-types binary string f64)"));
    let nofrom = case("nofrom.parquet");
    assert!(nofrom.contains("line 1: found the columns block_number,log_index,transaction_hash,erc20,to_address,value_binary,value_string,value_f64,chain_id: expected a cryo dataset"), "{nofrom}");
    assert_eq!(
        case("addr19.parquet"),
        "line 1: field `from_address`: row group 0, row 0: found 19 bytes of binary data: expected 20 bytes (an address)"
    );
    assert!(case("other.parquet").contains("found the columns a: expected a cryo dataset"));
}

#[test]
fn parquet_from_memory_is_refused_clearly() {
    let opts = ImportOptions::default();
    let ctx = hoptrace::import::ReadContext { file_name: "x.parquet", path: None, options: &opts };
    let mut sink = hoptrace::import::Collected::default();
    let e = hoptrace::import::read(Format::Cryo, &mut &b"PAR1\x00\x00"[..], &ctx, &mut sink).err();
    let e = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("a Parquet file is read from disk") && e.contains("has no file path"), "{e}");
}

#[test]
fn cryo_csv_in_the_published_form_imports_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let [v1, v2, _] = big();
    let csv = format!(
        "block_number,transaction_index,log_index,transaction_hash,erc20,from_address,to_address,value_binary,value_string,value_f64,chain_id\n\
         17000000,0,3,{H1},{USDT},{A},{B},0x{:064x},{v1},3.402823669209385e38,1\n\
         17000000,1,4,{H2},{USDT},{B},{A},0x{},{v2},5.78960446186581e76,1\n",
        ethnum::U256::from_str_radix(&v1, 10).expect("v1"),
        ethnum::U256::from_str_radix(&v2, 10).map(|v| format!("{v:x}")).expect("v2"),
    );
    let p = common::write(dir.path(), "erc20_transfers.csv", csv);
    let (mut l, _) = ledger(dir.path());
    let r = import(&mut l, &p);
    assert_eq!(r.format, Format::Cryo);
    assert_eq!((r.transfers, r.refused.len()), (2, 0), "{:?}", r.refused);
    assert_eq!(l.tx_transfers("ethereum", H1).expect("q")[0].transfer.amount_base.to_string(), v1);
    assert_eq!(l.tx_transfers("ethereum", H2).expect("q")[0].transfer.amount_base.to_string(), v2);
}

// ---- Blockchair ----

const X_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const X_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const BTC1: &str = "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ";
const BTC2: &str = "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak";
const OUT_HEAD: &str = "block_id\ttransaction_hash\tindex\ttime\tvalue\tvalue_usd\trecipient\ttype\tscript_hex\tis_from_coinbase\tis_spendable\n";
const IN_HEAD: &str = "block_id\ttransaction_hash\tindex\ttime\tvalue\tvalue_usd\trecipient\ttype\tscript_hex\tis_from_coinbase\tis_spendable\tspending_block_id\tspending_transaction_hash\tspending_index\tspending_time\tspending_value_usd\tspending_sequence\tspending_signature_hex\tspending_witness\tlifespan\tcdd\n";

/// Transaction A (block 600000) pays BTC1 1.5 BTC and BTC2 0.25 BTC; transaction B (block
/// 600001) spends both and pays BTC2 1.7499 BTC.
fn blockchair_files(dir: &Path) -> (PathBuf, PathBuf) {
    let outputs = format!(
        "{OUT_HEAD}600000\t{X_A}\t0\t2019-10-19 00:04:21\t150000000\t12000.5\t{BTC1}\tpubkeyhash\t76a914\t0\t1\n\
         600000\t{X_A}\t1\t2019-10-19 00:04:21\t25000000\t2000.1\t{BTC2}\tpubkeyhash\t76a914\t0\t1\n\
         600001\t{X_B}\t0\t2019-10-19 00:14:00\t174990000\t13999.2\t{BTC2}\tpubkeyhash\t76a914\t0\t1\n"
    );
    let inputs = format!(
        "{IN_HEAD}600000\t{X_A}\t0\t2019-10-19 00:04:21\t150000000\t12000.5\t{BTC1}\tpubkeyhash\t76a914\t0\t0\t600001\t{X_B}\t0\t2019-10-19 00:14:00\t12001\t4294967295\t47\t\t579\t0.01\n\
         600000\t{X_A}\t1\t2019-10-19 00:04:21\t25000000\t2000.1\t{BTC2}\tpubkeyhash\t76a914\t0\t0\t600001\t{X_B}\t1\t2019-10-19 00:14:00\t2000.2\t4294967295\t47\t\t579\t0.01\n"
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(outputs.as_bytes()).expect("gzip");
    let out = common::write(dir, "blockchair_bitcoin_outputs_20191019.tsv.gz", gz.finish().expect("gzip"));
    let inp = common::write(dir, "blockchair_bitcoin_inputs_20191019.tsv", inputs);
    (out, inp)
}

/// An input as the ledger holds it: the output it spends, its address, its amount.
type InputRow = (Option<(String, i64)>, Option<String>, String);

fn check_blockchair_ledger(l: &SqliteLedger) {
    let info = l.info().expect("info");
    assert_eq!(info.unresolved_inputs, 0);
    let b = l.tx_transfers("bitcoin", X_B).expect("query");
    let mut inputs: Vec<InputRow> = b
        .iter()
        .filter(|r| r.transfer.kind == TransferKind::UtxoInput)
        .map(|r| (r.transfer.prev_out.clone(), r.transfer.from.clone(), r.transfer.amount_base.to_string()))
        .collect();
    inputs.sort();
    assert_eq!(
        inputs,
        vec![
            (Some((X_A.to_owned(), 0)), Some(BTC1.to_owned()), "150000000".to_owned()),
            (Some((X_A.to_owned(), 1)), Some(BTC2.to_owned()), "25000000".to_owned()),
        ]
    );
    // 3 outputs and 2 inputs; the value counts the outputs once (the inputs spend coins that
    // are outputs of their own transaction).
    let btc = info.per_asset.iter().find(|a| a.chain == "bitcoin" && a.asset == "BTC").expect("BTC counted");
    assert_eq!(btc.transfers, 5);
    assert_eq!(btc.total.to_string(), (150_000_000u64 + 25_000_000 + 174_990_000).to_string());
}

#[test]
fn blockchair_outputs_and_inputs_in_both_orders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, inp) = blockchair_files(dir.path());
    for order in [[&out, &inp], [&inp, &out]] {
        let sub = tempfile::tempdir().expect("tempdir");
        let (mut l, _) = ledger(sub.path());
        for f in order {
            let r = import(&mut l, f);
            assert_eq!(r.format, Format::Blockchair, "{}", f.display());
            assert_eq!((r.refused.len(), r.duplicates), (0, 0), "{:?}", r.refused);
            assert_eq!(r.chain_rule.as_deref(), Some("file name contains bitcoin"));
        }
        check_blockchair_ledger(&l);
        // The same transaction B from Bitcoin Core RPC: every transfer a duplicate.
        let rpc = format!(
            "{{\"txid\": \"{X_B}\", \"blocktime\": 1571444040, \"vin\": [{{\"txid\": \"{X_A}\", \"vout\": 0}}, {{\"txid\": \"{X_A}\", \"vout\": 1}}], \
             \"vout\": [{{\"value\": 1.7499, \"n\": 0, \"scriptPubKey\": {{\"address\": \"{BTC2}\", \"type\": \"pubkeyhash\"}}}}]}}\n"
        );
        let p = common::write(sub.path(), "tx_b.json", rpc);
        let r = import(&mut l, &p);
        assert_eq!(r.format, Format::BitcoinRpc);
        assert_eq!((r.transfers, r.duplicates, r.refused.len()), (0, 3, 0), "{r:?}");
        check_blockchair_ledger(&l);
    }
}

#[test]
fn malformed_blockchair_is_refused_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, _) = blockchair_files(dir.path());
    let bytes = std::fs::read(&out).expect("read gz");
    let cut = common::write(dir.path(), "blockchair_bitcoin_outputs_cut.tsv.gz", &bytes[..bytes.len() - 10]);
    let e = message(refused_unchanged(&dir.path().join("l1"), &cut));
    assert!(e.contains("the gzip data is truncated or corrupt after line"), "{e}");
    let bad = format!(
        "{OUT_HEAD}600000\t{X_A}\t0\t2019-10-19 00:04:21\t1.5\t1\t{BTC1}\tpubkeyhash\t76a914\t0\t1\n\
         600000\t{X_A}\t1\t2019-10-19T00:04:21Z\t5\t1\t{BTC1}\tpubkeyhash\t76a914\t0\t1\n"
    );
    let p = common::write(dir.path(), "blockchair_bitcoin_bad_outputs.tsv", bad);
    assert_eq!(
        message(refused_unchanged(&dir.path().join("l2"), &p)),
        "line 2: field `value`: found \"1.5\": expected a whole number of satoshis (Blockchair states values in satoshi)\n\
         line 3: field `time`: found \"2019-10-19T00:04:21Z\": expected a UTC time YYYY-MM-DD HH:MM:SS as Blockchair writes it"
    );
}
