//! Ledger behaviour: batches are idempotent and atomic, `--skip-bad` keeps the good rows, the
//! address queries filter and rank correctly, and a super-node expands to top N plus one
//! aggregate in bounded work. Written once against the ledger seam ([`WriteLedger`] opened from a
//! [`LedgerSource`]) and run on every backend [`backends`] lists.

use crate::common;

use std::fmt::Write as _;

use hoptrace::import::ImportOptions;
use std::path::Path;

use hoptrace::ledger::{
    CANCELLED, Direction, Filter, ImportControl, ImportOutcome, Ledger, LedgerSource, ReadLedger, SCAN_CAP,
    SqliteLedger, WriteLedger,
};
use hoptrace::model::Amount;

const HUB: &str = "0x1111111111111111111111111111111111111111";
const USDT: &str = "0xdac17f958d2ee523a2206206994597c13d831ec7";

fn addr(i: u64) -> String {
    format!("0x{i:040x}")
}

fn hash(i: u64) -> String {
    format!("0x{i:064x}")
}

/// ethereum-etl transactions CSV: (n, from, to, wei, time).
fn tx_csv(rows: &[(u64, String, String, u128, i64)]) -> String {
    let mut s = "hash,from_address,to_address,value,block_timestamp,block_number\n".to_owned();
    for (n, f, t, v, time) in rows {
        let _ = writeln!(s, "{},{f},{t},{v},{time},{}", hash(*n), 17_000_000 + n);
    }
    s
}

fn eth(x: u128) -> u128 {
    x * 1_000_000_000_000_000_000
}

/// A fresh, empty ledger of every backend this run tests, in `dir`.
fn backends(dir: &Path) -> Vec<LedgerSource> {
    vec![LedgerSource::sqlite(dir.join("l.sqlite"))]
}

/// Runs `check` on a fresh ledger of every backend, naming the backend when it fails.
fn on_every_backend(check: impl Fn(&LedgerSource, &Path)) {
    let dir = tempfile::tempdir().expect("tempdir");
    for source in backends(dir.path()) {
        let kind = source.kind();
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&source, dir.path())));
        if let Err(e) = run {
            eprintln!("failed on the {kind} ledger {source}");
            std::panic::resume_unwind(e);
        }
    }
}

/// Everything a reader can see of a ledger's content: its batches, per-asset counts and sums,
/// labels and fingerprint (and, for a ledger file, every stored row).
fn content(l: &dyn ReadLedger) -> String {
    let rows = l.source().file().map(common::fingerprint).unwrap_or_default();
    format!(
        "{:?}\n{:?}\n{}\n{rows}",
        l.info().expect("info"),
        l.all_labels().expect("labels"),
        l.fingerprint().expect("fp")
    )
}

#[test]
fn same_file_twice_adds_nothing_and_says_so() {
    on_every_backend(same_file_twice);
}

fn same_file_twice(source: &LedgerSource, dir: &Path) {
    let f = common::write(dir, "a.csv", tx_csv(&[(1, addr(2), addr(3), 5, 1_600_000_000)]));
    let mut l = source.open().expect("open");
    let first = l.import_file(&f, &ImportOptions::default(), None).expect("import");
    assert_eq!((first.outcome, first.transfers), (ImportOutcome::Committed, 1));
    let before = content(&l);
    let again = l.import_file(&f, &ImportOptions::default(), None).expect("import again");
    assert_eq!(again.outcome, ImportOutcome::AlreadyImported);
    assert_eq!(again.batch_id, first.batch_id);
    assert_eq!(content(&l), before);
    // The same rows under another file name are recognised row by row as duplicates.
    let copy = common::write(dir, "b.csv", format!("{}\n", tx_csv(&[(1, addr(2), addr(3), 5, 1_600_000_000)])));
    let r = l.import_file(&copy, &ImportOptions::default(), None).expect("import copy");
    assert_eq!((r.outcome, r.transfers, r.duplicates), (ImportOutcome::Committed, 0, 1));
    assert_eq!(l.info().expect("info").batches.len(), 2);
}

#[test]
fn a_refused_row_keeps_the_whole_batch_out_unless_skip_bad() {
    on_every_backend(refused_row_keeps_the_batch_out);
}

fn refused_row_keeps_the_batch_out(source: &LedgerSource, dir: &Path) {
    let mut l = source.open().expect("open");
    let good = common::write(dir, "good.csv", tx_csv(&[(1, addr(2), addr(3), 5, 1_600_000_000)]));
    l.import_file(&good, &ImportOptions::default(), None).expect("import");
    let before = content(&l);

    let mut text = tx_csv(&[(10, addr(2), addr(4), 7, 1_600_000_100), (11, addr(4), addr(5), 6, 1_600_000_200)]);
    text.push_str(&format!("{},{},{},-3,1600000300,1\n", hash(12), addr(5), addr(6)));
    let bad = common::write(dir, "mixed.csv", &text);
    let r = l.import_file(&bad, &ImportOptions::default(), None).expect("import");
    assert_eq!(r.outcome, ImportOutcome::RefusedRows);
    assert_eq!(r.refused.len(), 1);
    assert_eq!((r.refused[0].line, r.refused[0].field.as_str()), (4, "value"));
    assert_eq!(content(&l), before, "nothing of the refused batch is in the ledger");

    let out = dir.join("mixed.refused.csv");
    let opts = ImportOptions { skip_bad: true, ..ImportOptions::default() };
    let r = l.import_file(&bad, &opts, Some(&out)).expect("import --skip-bad");
    assert_eq!((r.outcome, r.transfers, r.refused.len()), (ImportOutcome::Committed, 2, 1));
    let written = std::fs::read_to_string(&out).expect("refused file");
    assert_eq!(written.lines().next(), Some("file,line,field,reason"));
    assert!(written.contains("mixed.csv,4,value,"), "{written}");
    assert!(written.contains("negative amount"), "{written}");
    let info = l.info().expect("info");
    assert_eq!(info.batches.last().map(|b| (b.transfers, b.refused)), Some((2, 1)));
}

#[test]
fn queries_filter_rank_and_summarise() {
    on_every_backend(queries);
}

fn queries(source: &LedgerSource, dir: &Path) {
    let mut l = source.open().expect("open");
    let t0 = 1_700_000_000;
    let txs = tx_csv(&[
        (1, addr(10), HUB.to_owned(), eth(5), t0),
        (2, addr(11), HUB.to_owned(), eth(1), t0 + 100),
        (3, HUB.to_owned(), addr(20), eth(3), t0 + 200),
        (4, HUB.to_owned(), addr(21), eth(2) / 10, t0 + 300),
        (5, HUB.to_owned(), addr(20), eth(1), t0 + 400),
    ]);
    l.import_file(&common::write(dir, "tx.csv", txs), &ImportOptions::default(), None).expect("import tx");
    // 0.5 USDT (6 decimals) out of the hub: ranked in display units, it outranks 0.2 ETH, not 1 ETH
    // (hoptrace has no prices: ranking is by units of each asset).
    let tokens = format!(
        "token_address,from_address,to_address,value,transaction_hash,log_index,block_number,block_timestamp\n{USDT},{HUB},{},500000,{},0,1,{}\n",
        addr(22),
        hash(6),
        t0 + 500
    );
    l.import_file(&common::write(dir, "tok.csv", tokens), &ImportOptions::default(), None).expect("import tok");

    let out = l.transfers(HUB, Direction::Out, &Filter::default()).expect("out");
    let amounts: Vec<String> = out.iter().map(|r| r.transfer.amount_base.to_string()).collect();
    assert_eq!(amounts, vec![eth(3).to_string(), eth(1).to_string(), "500000".to_owned(), (eth(2) / 10).to_string()]);

    let windowed = Filter { from_time: Some(t0 + 250), to_time: Some(t0 + 450), ..Filter::default() };
    let ids: Vec<i64> = l
        .transfers(HUB, Direction::Out, &windowed)
        .expect("window")
        .iter()
        .map(|r| r.transfer.time.unwrap_or(0) - t0)
        .collect();
    assert_eq!(ids, vec![400, 300]);

    let min = Filter { min_value: Some("0.5".to_owned()), ..Filter::default() };
    assert_eq!(
        l.transfers(HUB, Direction::Out, &min).expect("min").len(),
        3,
        "3 ETH, 1 ETH and 0.5 USDT are >= 0.5 units"
    );
    let min = Filter { min_value: Some("3.0000001".to_owned()), ..Filter::default() };
    assert!(l.transfers(HUB, Direction::Out, &min).expect("min").is_empty());

    let only_usdt = Filter { assets: vec!["USDT".to_owned()], ..Filter::default() };
    let got = l.transfers(HUB, Direction::Out, &only_usdt).expect("asset");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].transfer.asset, USDT);
    let other_chain = Filter { chains: vec!["bsc".to_owned()], ..Filter::default() };
    assert!(l.transfers(HUB, Direction::Out, &other_chain).expect("chain").is_empty());
    let top2 = Filter { top: Some(2), ..Filter::default() };
    let e = l.expand(HUB, Direction::Out, &top2).expect("expand");
    assert_eq!(e.transfers.len(), 2);
    let rest = e.rest.expect("two transfers folded");
    assert_eq!((rest.count, rest.counterparties, rest.lower_bound), (2, 2, false));
    assert_eq!(
        rest.totals.get(&("ethereum".to_owned(), "ETH".to_owned())),
        Some(&Amount::from_u128(eth(2) / 10).into())
    );

    let s = l.address_summary(&HUB.to_uppercase().replace("0X", "0x")).expect("summary");
    assert_eq!((s.incoming.transfers, s.incoming.counterparties), (2, 2));
    assert_eq!((s.outgoing.transfers, s.outgoing.counterparties), (4, 3));
    assert_eq!(
        s.incoming.totals.get(&("ethereum".to_owned(), "ETH".to_owned())),
        Some(&Amount::from_u128(eth(6)).into())
    );
    assert_eq!((s.first_seen, s.last_seen), (Some(t0), Some(t0 + 500)));
    assert_eq!(s.chains, vec!["ethereum".to_owned()]);
}

#[test]
fn a_super_node_expands_to_top_n_and_one_aggregate() {
    on_every_backend(super_node);
}

fn super_node(source: &LedgerSource, dir: &Path) {
    const N: u64 = 120_000;
    let mut l = source.open().expect("open");
    let mut s = String::with_capacity(200 * N as usize);
    s.push_str("hash,from_address,to_address,value,block_timestamp,block_number\n");
    let mut total: u128 = 0;
    for i in 0..N {
        let v = u128::from(i % 1000) * 1_000_000_000 + u128::from(i);
        total += v;
        let _ = writeln!(s, "{},{HUB},{},{v},{},1", hash(i + 1), addr(1000 + i % 5000), 1_600_000_000 + i);
    }
    l.import_file(&common::write(dir, "hub.csv", s), &ImportOptions::default(), None).expect("import");
    let started = std::time::Instant::now();
    let e = l.expand(HUB, Direction::Out, &Filter { top: Some(10), ..Filter::default() }).expect("expand");
    let took = started.elapsed();
    assert_eq!(e.transfers.len(), 10);
    let rest = e.rest.expect("aggregate");
    assert_eq!(rest.count, N - 10);
    assert_eq!(rest.counterparties, 5000);
    let shown: u128 = e.transfers.iter().map(|r| r.transfer.amount_base.to_string().parse::<u128>().unwrap_or(0)).sum();
    let folded = rest.totals.values().next().map(|a| a.to_string().parse::<u128>().unwrap_or(0)).unwrap_or(0);
    assert_eq!(shown + folded, total, "nothing is lost between the shown transfers and the aggregate");
    // The highest values are i = N-1 ... with i % 1000 == 999.
    assert!(e.transfers.iter().all(|r| r.transfer.amount_base.to_string().starts_with("999")));
    assert!(took.as_secs() < 20, "expansion took {took:?}");
    assert!(N < SCAN_CAP as u64);
}

/// A version 3 ledger (no identity index) is brought to version 4 when opened: the index is
/// built, data kept, and a transfer stated again is still recognised as a duplicate.
#[test]
fn a_version_3_ledger_gets_the_identity_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite");
    let rows: Vec<_> = (1..=20).map(|n| (n, addr(n), addr(n + 1), u128::from(n), 1_600_000_000 + n as i64)).collect();
    let first = common::write(dir.path(), "a.csv", tx_csv(&rows));
    {
        let mut ledger = SqliteLedger::open(&path).expect("open");
        assert_eq!(ledger.import_file(&first, &ImportOptions::default(), None).expect("import").transfers, 20);
    }
    {
        // What version 3 had: no index on the identities.
        let conn = rusqlite::Connection::open(&path).expect("sqlite");
        conn.execute_batch("DROP INDEX transfer_hashes_uid; PRAGMA user_version = 3;").expect("downgrade");
    }
    let mut ledger = SqliteLedger::open(&path).expect("open migrates");
    {
        let conn = rusqlite::Connection::open(&path).expect("sqlite");
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        let index: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'transfer_hashes_uid'", [], |r| r.get(0))
            .expect("index");
        assert_eq!((version, index), (hoptrace::ledger::schema::SCHEMA_VERSION, 1));
        assert_eq!(version, 4);
    }
    // The same transfers in another file: all duplicates; one more row: new.
    let mut more = rows.clone();
    more.push((21, addr(21), addr(22), 21, 1_600_000_021));
    let second = common::write(dir.path(), "b.csv", tx_csv(&more));
    let r = ledger.import_file(&second, &ImportOptions::default(), None).expect("import");
    assert_eq!((r.outcome, r.transfers, r.duplicates, r.conflicts), (ImportOutcome::Committed, 1, 20, 0));
}

#[test]
fn a_cancelled_import_keeps_nothing_of_its_file() {
    on_every_backend(cancelled_import);
}

fn cancelled_import(source: &LedgerSource, dir: &Path) {
    let mut l = source.open().expect("open");
    let first = common::write(dir, "first.csv", tx_csv(&[(1, addr(2), addr(3), 5, 1_600_000_000)]));
    l.import_file(&first, &ImportOptions::default(), None).expect("import");
    let before = content(&l);
    // The flag a window's job shares with the import, set before the first read.
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let control = ImportControl::with_cancel(flag);
    let more = common::write(dir, "more.csv", tx_csv(&[(2, addr(3), addr(4), 5, 1_600_000_100)]));
    let err = l.import_file_with(&more, &ImportOptions::default(), None, &control).map(|_| ()).expect_err("cancelled");
    assert!(err.to_string().contains(CANCELLED), "{err}");
    assert_eq!(content(&l), before, "nothing of the cancelled file is in the ledger");
    // Imported again without the flag, the file goes in whole.
    let r = l.import_file(&more, &ImportOptions::default(), None).expect("import");
    assert_eq!((r.outcome, r.transfers), (ImportOutcome::Committed, 1));
}
