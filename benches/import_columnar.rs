//! Columnar import: the same 1M generated transfers (the rows of the P1 bench `import.rs`:
//! same seed, same addresses, tokens, values and hashes) as a cryo `erc20_transfers` Parquet
//! file (written here with the `parquet` crate, LZ4 as cryo writes by default, 262144 rows a
//! row group as polars does), as a Blockchair `outputs` TSV (the same values and hashes paid
//! to generated Bitcoin addresses) and as the P1 ethereum-etl CSV; each imported into a fresh
//! ledger, indexes included. Prints medians, the Parquet/CSV ratio (goal <= 0.8) and the load
//! average (other work on the machine slows every figure).
//!
//! Run: `cargo bench --no-default-features --bench import_columnar` (env `HOPTRACE_BENCH_ROWS`,
//! default 1000000; `HOPTRACE_BENCH_RUNS`, default 3).
//!
//! Peak memory of a 10M-row Parquet import (goal <= 300 MB), file written first (streamed, one
//! row group in memory) if absent:
//! ```text
//! cargo bench --no-default-features --bench import_columnar --no-run
//! HOPTRACE_BENCH_MODE=rss10m cargo bench --no-default-features --bench import_columnar   # writes the file, imports
//! HOPTRACE_BENCH_MODE=rss10m /usr/bin/time -v cargo bench --no-default-features --bench import_columnar 2>&1 | grep -E 'Maximum resident|Elapsed'
//! ```
//! (the second run finds the file and only imports; `Maximum resident set size` is the bench
//! process's peak, cargo's own being far smaller).

mod common;

use common::{env_or, median, remove_db};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hoptrace::import::ImportOptions;
use hoptrace::ledger::SqliteLedger;
use hoptrace::scenario::rng::Rng;
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TOKENS: [&str; 5] = [
    "0xdac17f958d2ee523a2206206994597c13d831ec7",
    "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
    "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
    "0x6b175474e89094c44da98b954eedeac495271d0f",
    "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599",
];
const ROW_GROUP: usize = 262_144;

/// One generated transfer.
struct Row {
    from: u64,
    to: u64,
    value: u128,
    token: usize,
    hash_hi: u64,
    i: u64,
}

impl Row {
    fn hash_hex(&self) -> String {
        format!("{:016x}{:048x}", self.hash_hi, self.i / 3)
    }
    fn block(&self) -> u64 {
        17_000_000 + self.i / 150
    }
    fn time(&self) -> u64 {
        1_683_000_000 + self.i * 12 / 150
    }
}

/// The P1 bench's generator (`benches/import.rs`), draw for draw.
struct Gen {
    rng: Rng,
    i: u64,
}

impl Gen {
    fn new(seed: u64) -> Self {
        Gen { rng: Rng::new(seed), i: 0 }
    }
    fn pick(&mut self) -> u64 {
        let r = self.rng.next_u64();
        if r % 10 < 3 { r % 20 } else { r % 100_000 }
    }
    fn next(&mut self) -> Row {
        let from = self.pick();
        let to = self.pick();
        let value = u128::from(self.rng.next_u64()) * u128::from(self.rng.next_u64() % 50_000_000);
        let token = (self.rng.next_u64() % 5) as usize;
        let hash_hi = self.rng.next_u64();
        let i = self.i;
        self.i += 1;
        Row { from, to, value, token, hash_hi, i }
    }
}

fn write_csv(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut g = Gen::new(42);
    let mut out = String::with_capacity(250 * rows as usize);
    out.push_str(
        "token_address,from_address,to_address,value,transaction_hash,log_index,block_number,block_timestamp\n",
    );
    for _ in 0..rows {
        let r = g.next();
        let _ = writeln!(
            out,
            "{},0x{:040x},0x{:040x},{},0x{},{},{},{}",
            TOKENS[r.token],
            r.from,
            r.to,
            r.value,
            r.hash_hex(),
            r.i % 3,
            r.block(),
            r.time()
        );
    }
    std::fs::write(path, out)
}

/// A cryo `erc20_transfers` Parquet file, streamed one row group at a time.
fn write_parquet(path: &Path, rows: u64) -> parquet::errors::Result<()> {
    let schema = Arc::new(parse_message_type(
        "message schema {
            REQUIRED INT32 block_number (UINT_32);
            REQUIRED INT32 transaction_index (UINT_32);
            REQUIRED INT32 log_index (UINT_32);
            REQUIRED BYTE_ARRAY transaction_hash;
            REQUIRED BYTE_ARRAY erc20;
            REQUIRED BYTE_ARRAY from_address;
            REQUIRED BYTE_ARRAY to_address;
            REQUIRED BYTE_ARRAY value_binary;
            REQUIRED BYTE_ARRAY value_string (UTF8);
            REQUIRED DOUBLE value_f64;
            REQUIRED INT64 chain_id (UINT_64);
        }",
    )?);
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::LZ4_RAW).build());
    let file = std::fs::File::create(path)?;
    let mut w = SerializedFileWriter::new(file, schema, props)?;
    let tokens: Vec<ByteArray> =
        TOKENS.iter().map(|t| ByteArray::from(hex::decode(&t[2..]).unwrap_or_default())).collect();
    let addr = |n: u64| {
        let mut b = vec![0u8; 12];
        b.extend_from_slice(&n.to_be_bytes());
        ByteArray::from(b)
    };
    let mut g = Gen::new(42);
    let mut left = rows;
    while left > 0 {
        let n = left.min(ROW_GROUP as u64);
        left -= n;
        let batch: Vec<Row> = (0..n).map(|_| g.next()).collect();
        let ints32 = |f: &dyn Fn(&Row) -> i32| batch.iter().map(f).collect::<Vec<i32>>();
        let blocks = ints32(&|r| r.block() as i32);
        let tx_index = ints32(&|r| (r.i / 3 % 150) as i32);
        let log_index = ints32(&|r| (r.i % 3) as i32);
        let hashes: Vec<ByteArray> =
            batch.iter().map(|r| ByteArray::from(hex::decode(r.hash_hex()).unwrap_or_default())).collect();
        let erc20: Vec<ByteArray> = batch.iter().map(|r| tokens[r.token].clone()).collect();
        let from: Vec<ByteArray> = batch.iter().map(|r| addr(r.from)).collect();
        let to: Vec<ByteArray> = batch.iter().map(|r| addr(r.to)).collect();
        let vbin: Vec<ByteArray> = batch
            .iter()
            .map(|r| {
                let mut b = vec![0u8; 16];
                b.extend_from_slice(&r.value.to_be_bytes());
                ByteArray::from(b)
            })
            .collect();
        let vstr: Vec<ByteArray> = batch.iter().map(|r| ByteArray::from(r.value.to_string().as_str())).collect();
        let vf64: Vec<f64> = batch.iter().map(|r| r.value as f64).collect();
        let chain: Vec<i64> = vec![1; batch.len()];
        let mut rg = w.next_row_group()?;
        let mut col = 0;
        while let Some(mut c) = rg.next_column()? {
            match col {
                0 => c.typed::<Int32Type>().write_batch(&blocks, None, None)?,
                1 => c.typed::<Int32Type>().write_batch(&tx_index, None, None)?,
                2 => c.typed::<Int32Type>().write_batch(&log_index, None, None)?,
                3 => c.typed::<ByteArrayType>().write_batch(&hashes, None, None)?,
                4 => c.typed::<ByteArrayType>().write_batch(&erc20, None, None)?,
                5 => c.typed::<ByteArrayType>().write_batch(&from, None, None)?,
                6 => c.typed::<ByteArrayType>().write_batch(&to, None, None)?,
                7 => c.typed::<ByteArrayType>().write_batch(&vbin, None, None)?,
                8 => c.typed::<ByteArrayType>().write_batch(&vstr, None, None)?,
                9 => c.typed::<parquet::data_type::DoubleType>().write_batch(&vf64, None, None)?,
                _ => c.typed::<Int64Type>().write_batch(&chain, None, None)?,
            };
            c.close()?;
            col += 1;
        }
        rg.close()?;
    }
    w.close()?;
    Ok(())
}

/// A P2PKH address for account `n`.
fn btc_address(n: u64) -> String {
    let mut payload = vec![0u8; 12];
    payload.extend_from_slice(&n.to_be_bytes());
    bs58::encode(payload).with_check_version(0).into_string()
}

/// A Blockchair `outputs` dump: every transfer an output of its hash, paying account `to`.
fn write_blockchair(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut g = Gen::new(42);
    let mut addresses: Vec<Option<String>> = vec![None; 100_000];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(b"block_id\ttransaction_hash\tindex\ttime\tvalue\tvalue_usd\trecipient\ttype\tscript_hex\tis_from_coinbase\tis_spendable\n")?;
    for _ in 0..rows {
        let r = g.next();
        let slot = addresses.get_mut(r.to as usize).expect("account below 100000");
        let to = slot.get_or_insert_with(|| btc_address(r.to));
        let secs = i64::try_from(r.time()).unwrap_or_default();
        let time =
            jiff::Timestamp::from_second(secs).map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default();
        // Bitcoin values fit 21e14 satoshi: keep the P1 value's low digits.
        let value = r.value % 2_100_000_000_000_000;
        writeln!(f, "{}\t{}\t{}\t{time}\t{value}\t\t{to}\tpubkeyhash\t\t0\t1", r.block(), r.hash_hex(), r.i % 3)?;
    }
    f.flush()
}

fn import(file: &Path, db: &Path) -> (Duration, u64) {
    remove_db(db);
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
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-import-columnar");
    std::fs::create_dir_all(&dir).expect("bench dir");
    if std::env::var("HOPTRACE_BENCH_MODE").as_deref() == Ok("rss10m") {
        let rows = 10_000_000;
        let file = dir.join(format!("erc20_transfers-{rows}.parquet"));
        if !file.exists() {
            let partial = dir.join("writing.parquet");
            write_parquet(&partial, rows).expect("write parquet");
            std::fs::rename(&partial, &file).expect("move parquet");
            println!(
                "wrote {} ({:.1} MB)",
                file.display(),
                std::fs::metadata(&file).map_or(0, |m| m.len()) as f64 / 1e6
            );
        }
        let (took, n) = import(&file, &dir.join("rss.sqlite"));
        println!("10M-row Parquet import: {n} transfers in {took:.2?}; load average {}", load());
        remove_db(&dir.join("rss.sqlite"));
        return;
    }
    let rows: u64 = env_or("HOPTRACE_BENCH_ROWS", 1_000_000);
    let runs: usize = env_or("HOPTRACE_BENCH_RUNS", 3);
    let csv = dir.join(format!("transfers-{rows}.csv"));
    let parquet = dir.join(format!("erc20_transfers-{rows}.parquet"));
    let tsv = dir.join(format!("blockchair_bitcoin_outputs-{rows}.tsv"));
    if !csv.exists() {
        write_csv(&csv, rows).expect("write csv");
    }
    if !parquet.exists() {
        write_parquet(&parquet, rows).expect("write parquet");
    }
    if !tsv.exists() {
        write_blockchair(&tsv, rows).expect("write tsv");
    }
    let mb = |p: &Path| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1e6);
    println!(
        "columnar import: {rows} generated transfers, {runs} runs each (medians); CSV {:.1} MB, Parquet {:.1} MB, TSV {:.1} MB",
        mb(&csv),
        mb(&parquet),
        mb(&tsv)
    );
    println!("  load average before: {}", load());
    let mut figures = Vec::new();
    for (name, file) in [("P1 ethereum-etl CSV", &csv), ("cryo Parquet", &parquet), ("Blockchair TSV", &tsv)] {
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..runs {
            let (t, n) = import(file, &dir.join("bench.sqlite"));
            times.push(t);
            count = n;
        }
        let m = median(times.clone());
        println!("  {name:<22} median {m:.2?}  runs {times:.2?}  ({count} transfers)");
        figures.push(m);
    }
    remove_db(&dir.join("bench.sqlite"));
    // The page-header check the Parquet reader runs before decoding, alone: its share of the
    // Parquet import (issue 12 item 6).
    let mut scans = Vec::new();
    let mut pages = 0;
    for _ in 0..runs {
        let started = Instant::now();
        pages = hoptrace::import::cryo::check_page_headers(&parquet).expect("page headers");
        scans.push(started.elapsed());
    }
    let scan = median(scans.clone());
    println!(
        "  Parquet page-header check alone: median {scan:.2?} for {pages} pages, {:.3}% of the Parquet import  runs {scans:.2?}",
        100.0 * scan.as_secs_f64() / figures[1].as_secs_f64()
    );
    let ratio = figures[1].as_secs_f64() / figures[0].as_secs_f64();
    println!(
        "  ratio Parquet / CSV: {ratio:.2} (goal <= 0.8: {}); Blockchair TSV / CSV: {:.2}",
        if ratio <= 0.8 { "met" } else { "missed" },
        figures[2].as_secs_f64() / figures[0].as_secs_f64()
    );
    println!("  load average after: {}", load());
}
