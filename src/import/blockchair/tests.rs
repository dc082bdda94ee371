//! Blockchair dumps in the published column forms (plain and gzip), and refusals.

use std::io::Write as _;

use super::{TX_ROW, read};
use crate::import::explorer_common::testkit::{brief, fill, refusal, refusals, run};
use crate::import::{Collected, ImportOptions, ReadContext, ReadError};

pub(crate) const OUTPUTS: &str = "block_id\ttransaction_hash\tindex\ttime\tvalue\tvalue_usd\trecipient\ttype\tscript_hex\tis_from_coinbase\tis_spendable\n";
pub(crate) const INPUTS: &str = "block_id\ttransaction_hash\tindex\ttime\tvalue\tvalue_usd\trecipient\ttype\tscript_hex\tis_from_coinbase\tis_spendable\tspending_block_id\tspending_transaction_hash\tspending_index\tspending_time\tspending_value_usd\tspending_sequence\tspending_signature_hex\tspending_witness\tlifespan\tcdd\n";
const TXS: &str = "block_id\thash\ttime\tsize\tweight\tversion\tlock_time\tis_coinbase\thas_witness\tinput_count\toutput_count\tinput_total\tinput_total_usd\toutput_total\toutput_total_usd\tfee\tfee_usd\tfee_per_kb\tfee_per_kb_usd\tfee_per_kwu\tfee_per_kwu_usd\tcdd_total\n";

fn ok(name: &str, tsv: &str) -> Collected {
    match run(read, name, &ImportOptions::default(), tsv) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn outputs_inputs_and_transactions() {
    let outputs = format!(
        "{OUTPUTS}600000\t{{X1}}\t0\t2019-10-19 00:04:21\t2100000000000000\t170000000000.5\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\n\
         600000\t{{X1}}\t1\t2019-10-19 00:04:21\t0\t0\td-8d5b2e0b3f6c\tnulldata\t6a24\t0\t0\n\
         600000\t{{X1}}\t2\t2019-10-19 00:04:21\t546\t0.04\tm-5a1b2c\tmultisig\t5121\t0\t1\n"
    );
    let c = ok("blockchair_bitcoin_outputs_20191019.tsv", &outputs);
    assert_eq!(c.refused, vec![]);
    assert_eq!(
        brief(&c),
        vec![
            "2 bitcoin {X1} utxo_output ->{BTC1} 2100000000000000 BTC b=600000 t=1571443461 fee=- pos=0",
            &format!(
                "4 bitcoin {{X1}} utxo_output ->nonstandard:{}:2 546 BTC b=600000 t=1571443461 fee=- pos=2",
                fill("{X1}")
            ),
        ]
    );
    assert_eq!(c.transfers[0].stated_usd.as_deref(), Some("170000000000.5"));
    assert_eq!(c.skipped.get("OP_RETURN/nulldata output without value"), Some(&1));
    assert_eq!(c.chain, Some(("bitcoin".to_owned(), "file name contains bitcoin".to_owned())));

    let inputs = format!(
        "{INPUTS}600000\t{{X1}}\t0\t2019-10-19 00:04:21\t2100000000000000\t170000000000.5\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\t600010\t{{X2}}\t3\t2019-10-19 01:00:00\t171000000000.25\t4294967295\t4730\t\t3339\t0.9\n"
    );
    let c = ok("blockchair_bitcoin_inputs.tsv", &inputs);
    assert_eq!(c.refused, vec![]);
    assert_eq!(
        brief(&c),
        vec!["2 bitcoin {X2} utxo_input {BTC1}>- 2100000000000000 BTC b=600010 t=1571446800 fee=- pos=3 prev_out"]
    );
    let t = &c.transfers[0];
    assert_eq!(t.prev_out, Some((fill("{X1}"), 0)));
    assert_eq!(t.stated_usd.as_deref(), Some("171000000000.25"));

    let txs = format!(
        "{TXS}600000\t{{X1}}\t2019-10-19 00:04:21\t250\t1000\t1\t0\t1\t0\t1\t3\t0\t0\t2100000000000546\t0\t0\t0\t0\t0\t0\t0\t0\n\
         600000\t{{X2}}\t2019-10-19 00:04:21\t250\t1000\t1\t0\t0\t0\t1\t3\t0\t0\t0\t0\t1200\t0\t0\t0\t0\t0\t0\n"
    );
    let c = ok("blockchair_bitcoin_transactions.tsv", &txs);
    assert_eq!(c.refused, vec![]);
    assert!(c.transfers.is_empty());
    assert_eq!(c.skipped.get(TX_ROW), Some(&2));
    assert_eq!(c.block_times.len(), 1);
    assert_eq!((c.block_times[0].number, c.block_times[0].time), (600_000, 1_571_443_461));
}

#[test]
fn gzip_is_read_while_streaming_and_truncation_refused() {
    let outputs =
        format!("{OUTPUTS}600000\t{{X1}}\t0\t2019-10-19 00:04:21\t5000\t1\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(fill(&outputs).as_bytes()).unwrap_or_default();
    let bytes = gz.finish().unwrap_or_default();
    let opts = ImportOptions::default();
    let ctx = ReadContext { file_name: "blockchair_bitcoin_outputs.tsv.gz", path: None, options: &opts };
    let mut c = Collected::default();
    let r = read(&mut bytes.as_slice(), &ctx, &mut c);
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(brief(&c), vec!["2 bitcoin {X1} utxo_output ->{BTC1} 5000 BTC b=600000 t=1571443461 fee=- pos=0"]);
    let cut = &bytes[..bytes.len() - 12];
    let mut c = Collected::default();
    let e = read(&mut &cut[..], &ctx, &mut c).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("the gzip data is truncated or corrupt after line"), "{e}");
    assert!(e.contains("expected a complete .tsv.gz (download it again)"), "{e}");
}

#[test]
fn malformed_rows_are_refused_exactly() {
    let tsv = format!(
        "{OUTPUTS}600000\t{{X1}}\t0\t2019-10-19 00:04:21\t1.5\t0\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\n\
         600000\t{{X1}}\t1\t19/10/2019 00:04\t5\t0\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\n\
         600000\tabc\t2\t2019-10-19 00:04:21\t5\t0\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\n\
         600000\t{{X1}}\t3\t2019-10-19 00:04:21\t5\t0\t1NotAnAddress\tpubkeyhash\t76a914\t0\t1\n\
         600000\t{{X1}}\t4\t2019-10-19 00:04:21\t5\t$3\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\n\
         600000\t{{X1}}\t5\t2019-10-19 00:04:21\t5\n\
         600000\t{{X1}}\t6\t2008-10-19 00:04:21\t5\t0\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\n\
         -1\t{{X1}}\t7\t2019-10-19 00:04:21\t5\t0\t{{BTC1}}\tpubkeyhash\t76a914\t0\t1\n"
    );
    let c = ok("blockchair_bitcoin_outputs.tsv", &tsv);
    assert!(c.transfers.is_empty(), "{:?}", brief(&c));
    assert_eq!(
        refusals(&c),
        vec![
            refusal(
                2,
                "value",
                "found \"1.5\": expected a whole number of satoshis (Blockchair states values in satoshi)"
            ),
            refusal(
                3,
                "time",
                "found \"19/10/2019 00:04\": expected a UTC time YYYY-MM-DD HH:MM:SS as Blockchair writes it"
            ),
            refusal(4, "transaction_hash", "found \"abc\": expected a transaction hash of 64 hexadecimal digits"),
            refusal(
                5,
                "recipient",
                "found \"1NotAnAddress\" for an output of type \"pubkeyhash\": expected a Bitcoin address"
            ),
            refusal(6, "value_usd", "found \"$3\": expected a USD amount such as 1234.5678"),
            refusal(7, "row", "expected 11 tab-separated columns as in the header, found 5"),
            refusal(
                8,
                "time",
                "found 2008-10-19T00:04:21Z: expected a time between 2009-01-03T00:00:00Z (the first block) and one day from now"
            ),
            refusal(9, "block_id", "found \"-1\": expected the block height, a whole number"),
        ]
    );
}

#[test]
fn whole_file_refusals_and_chain() {
    let none = ImportOptions::default();
    let e = run(read, "blockchair_bitcoin_x.tsv", &none, "block_id\tfoo\n1\t2\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("line 1: found the header \"block_id\\tfoo\": expected a Blockchair dump"), "{e}");
    let e = run(read, "blockchair_litecoin_outputs_20240101.tsv", &none, OUTPUTS).err();
    assert!(
        matches!(&e, Some(ReadError::Format { message, .. }) if message.starts_with("the file name names litecoin, a chain hoptrace's registry does not know")),
        "{e:?}"
    );
    let opts = ImportOptions { chain: Some("ethereum".to_owned()), ..ImportOptions::default() };
    let e = run(read, "x.tsv", &opts, OUTPUTS).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(e, "line 1: --chain ethereum: expected a UTXO chain for a Blockchair dump");
    // A name that names no chain is not read as Bitcoin: the chain is asked for.
    let e = run(read, "outputs.tsv", &none, OUTPUTS).err();
    assert!(
        matches!(&e, Some(ReadError::ChainUndecided { message }) if message.ends_with("pass --chain with one of: bitcoin")),
        "{e:?}"
    );
}
