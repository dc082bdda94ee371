//! Linear import (issue 12 item 4): one transaction with many rows, imported into an empty
//! ledger and into a ledger that already holds data (generated token transfers of other
//! transactions), side by side in the same run. Two shapes: a token airdrop (one transaction,
//! ethereum-etl token transfers CSV, one log per recipient) and one Bitcoin transaction with as
//! many outputs (Bitcoin Core `getblock` JSON). Goal: into the non-empty ledger within 1.2x of
//! into the empty one. The check that recognises a transfer already stated is an index lookup;
//! if it scanned the rows of the transaction, each figure into the non-empty ledger would grow
//! with the square of the rows.
//!
//! Run: `cargo bench --no-default-features --bench import_onetx` (env `HOPTRACE_BENCH_ROWS`,
//! rows of the transaction, default 20000; `HOPTRACE_BENCH_BASE`, transfers already in the
//! non-empty ledger, default 100000; `HOPTRACE_BENCH_RUNS`, default 3). Runs alternate between
//! the two ledgers so that other work on the machine slows both alike; medians and the load
//! average are printed.

mod common;

use common::{env_or, median, remove_db};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hoptrace::import::ImportOptions;
use hoptrace::ledger::SqliteLedger;
use hoptrace::scenario::rng::Rng;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HEADER: &str =
    "token_address,from_address,to_address,value,transaction_hash,log_index,block_number,block_timestamp\n";

/// `rows` token transfers of other transactions: what the non-empty ledger holds.
fn write_base(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut rng = Rng::new(7);
    let mut out = String::from(HEADER);
    for i in 0..rows {
        let _ = writeln!(
            out,
            "0xdac17f958d2ee523a2206206994597c13d831ec7,0x{:040x},0x{:040x},{},0x{:016x}{:048x},{},{},{}",
            rng.next_u64() % 100_000,
            rng.next_u64() % 100_000,
            rng.next_u64() % 1_000_000_000,
            rng.next_u64(),
            i / 3,
            i % 3,
            16_000_000 + i / 150,
            1_670_000_000 + i * 12 / 150
        );
    }
    std::fs::write(path, out)
}

/// One airdrop transaction: `rows` logs paying `rows` recipients.
fn write_airdrop(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut out = String::from(HEADER);
    for i in 0..rows {
        let _ = writeln!(
            out,
            "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48,0x{:040x},0x{:040x},{},0x{},{i},18000000,1690000000",
            0xa1u64,
            0x1000_0000 + i,
            1_000_000 + i,
            "ab".repeat(32)
        );
    }
    std::fs::write(path, out)
}

/// A P2PKH address for account `n`.
fn btc_address(n: u64) -> String {
    let mut payload = vec![0u8; 12];
    payload.extend_from_slice(&n.to_be_bytes());
    bs58::encode(payload).with_check_version(0).into_string()
}

/// One Bitcoin block holding one transaction with `rows` outputs.
fn write_bitcoin(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut outputs = String::new();
    for n in 0..rows {
        if n > 0 {
            outputs.push(',');
        }
        let _ = write!(
            outputs,
            r#"{{"value":0.{:08},"n":{n},"scriptPubKey":{{"address":"{}","type":"pubkeyhash"}}}}"#,
            1000 + n,
            btc_address(n)
        );
    }
    let doc = format!(
        r#"{{"hash":"00","height":800000,"time":1690168629,"tx":[{{"txid":"{}","vin":[{{"txid":"{}","vout":0}}],"vout":[{outputs}]}}]}}"#,
        "cd".repeat(32),
        "ef".repeat(32)
    );
    std::fs::write(path, doc)
}

fn import(file: &Path, db: &Path) -> (Duration, u64) {
    let start = Instant::now();
    let mut ledger = SqliteLedger::open(db).expect("open ledger");
    let r = ledger.import_file(file, &ImportOptions::default(), None).expect("import");
    let took = start.elapsed();
    assert!(r.refused.is_empty(), "generated rows are all valid: {:?}", r.refused.first());
    (took, r.transfers)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map_or_else(|_| "unknown".to_owned(), |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn main() {
    let rows: u64 = env_or("HOPTRACE_BENCH_ROWS", 20_000);
    let base_rows: u64 = env_or("HOPTRACE_BENCH_BASE", 100_000);
    let runs: usize = env_or("HOPTRACE_BENCH_RUNS", 3);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-import-onetx");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let base_csv = dir.join(format!("base-{base_rows}.csv"));
    let airdrop = dir.join(format!("airdrop-{rows}.csv"));
    let bitcoin = dir.join(format!("bitcoin-{rows}-outputs.json"));
    write_base(&base_csv, base_rows).expect("write base");
    write_airdrop(&airdrop, rows).expect("write airdrop");
    write_bitcoin(&bitcoin, rows).expect("write bitcoin");
    // The non-empty ledger, built once and copied for every run.
    let base_db = dir.join("base.sqlite");
    remove_db(&base_db);
    let (_, n) = import(&base_csv, &base_db);
    println!(
        "one-transaction import: {rows} rows of one transaction; non-empty ledger holds {n} transfers; {runs} runs each (medians)"
    );
    println!("  load average before: {}", load());
    let db = dir.join("bench.sqlite");
    let mut ratios = Vec::new();
    for (name, file) in [("token airdrop (ethereum-etl CSV)", &airdrop), ("Bitcoin tx outputs (Core JSON)", &bitcoin)] {
        let (mut empty, mut filled) = (Vec::new(), Vec::new());
        let mut counts = (0, 0);
        for _ in 0..runs {
            remove_db(&db);
            let (t, n) = import(file, &db);
            empty.push(t);
            counts.0 = n;
            remove_db(&db);
            std::fs::copy(&base_db, &db).expect("copy base ledger");
            let (t, n) = import(file, &db);
            filled.push(t);
            counts.1 = n;
        }
        assert_eq!(counts.0, counts.1, "the same transfers are stored either way");
        let (e, f) = (median(empty.clone()), median(filled.clone()));
        let ratio = f.as_secs_f64() / e.as_secs_f64();
        println!("  {name}: {} transfers", counts.0);
        println!("    into an empty ledger      median {e:.2?}  runs {empty:.2?}");
        println!("    into a non-empty ledger   median {f:.2?}  runs {filled:.2?}");
        println!(
            "    ratio non-empty / empty: {ratio:.2} (goal <= 1.2: {})",
            if ratio <= 1.2 { "met" } else { "missed" }
        );
        ratios.push(ratio);
    }
    remove_db(&db);
    remove_db(&base_db);
    println!("  load average after: {}", load());
}
