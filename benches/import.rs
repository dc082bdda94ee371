//! P1: import 1M generated transfers from CSV into a fresh ledger, indexes included, side by
//! side with the `sqlite3` CLI's `.import` plus `CREATE INDEX` of the same file.
//!
//! Run: `cargo bench --no-default-features --bench import` (env `HOPTRACE_BENCH_ROWS`, `HOPTRACE_BENCH_RUNS` to change
//! the size and the number of runs; medians are reported).

mod common;

use common::{median, remove_db};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hoptrace::import::ImportOptions;
use hoptrace::ledger::SqliteLedger;
use hoptrace::scenario::rng::Rng;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Writes `rows` ethereum-etl token transfers among 100k addresses (a few hubs take a large
/// share, as exchanges do), 5 tokens, values up to 10^24 base units.
fn generate(path: &Path, rows: u64, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    let tokens = [
        "0xdac17f958d2ee523a2206206994597c13d831ec7",
        "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
        "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
        "0x6b175474e89094c44da98b954eedeac495271d0f",
        "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599",
    ];
    let mut out = String::with_capacity(250 * rows as usize);
    out.push_str(
        "token_address,from_address,to_address,value,transaction_hash,log_index,block_number,block_timestamp\n",
    );
    let pick = |rng: &mut Rng| {
        let r = rng.next_u64();
        if r % 10 < 3 { r % 20 } else { r % 100_000 }
    };
    for i in 0..rows {
        let from = pick(&mut rng);
        let to = pick(&mut rng);
        let value = u128::from(rng.next_u64()) * u128::from(rng.next_u64() % 50_000_000);
        let token = tokens[(rng.next_u64() % 5) as usize];
        let block = 17_000_000 + i / 150;
        let _ = writeln!(
            out,
            "{token},0x{from:040x},0x{to:040x},{value},0x{:016x}{:048x},{},{block},{}",
            rng.next_u64(),
            i / 3,
            i % 3,
            1_683_000_000 + i * 12 / 150
        );
    }
    std::fs::write(path, out)
}

fn run_hoptrace(csv: &Path, db: &Path) -> Duration {
    remove_db(db);
    let start = Instant::now();
    let mut ledger = SqliteLedger::open(db).expect("open ledger");
    let r = ledger.import_file(csv, &ImportOptions::default(), None).expect("import");
    let took = start.elapsed();
    assert!(r.refused.is_empty(), "generated rows are all valid");
    took
}

fn run_sqlite_cli(csv: &Path, db: &Path) -> Option<Duration> {
    remove_db(db);
    let script = format!(
        ".mode csv\n.import {} transfers\n\
         CREATE INDEX t_from ON transfers(from_address, block_timestamp);\n\
         CREATE INDEX t_to ON transfers(to_address, block_timestamp);\n\
         CREATE INDEX t_tx ON transfers(transaction_hash, log_index);\n",
        csv.display()
    );
    let start = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(script.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    let took = start.elapsed();
    if !out.status.success() {
        eprintln!("sqlite3 failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(took)
}

fn main() {
    let rows: u64 = std::env::var("HOPTRACE_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runs: usize = std::env::var("HOPTRACE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-import");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let csv = dir.join(format!("transfers-{rows}.csv"));
    if !csv.exists() {
        generate(&csv, rows, 42).expect("generate");
    }
    let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
    println!("P1 import: {rows} generated transfers, {:.1} MB CSV, {runs} runs each (medians)", size as f64 / 1e6);
    let have_cli = Command::new("sqlite3").arg("-version").output().is_ok_and(|o| o.status.success());
    let mut ours = Vec::new();
    let mut cli = Vec::new();
    for _ in 0..runs {
        ours.push(run_hoptrace(&csv, &dir.join("hoptrace.sqlite")));
        if have_cli && let Some(t) = run_sqlite_cli(&csv, &dir.join("cli.sqlite")) {
            cli.push(t);
        }
    }
    let ours_m = median(ours.clone());
    println!("  hoptrace import (parse, validate, dedupe, insert, 3 indexes): median {ours_m:.2?}  runs {ours:.2?}");
    if cli.is_empty() {
        println!("  sqlite3 CLI not found: install it (apt-get install sqlite3) for the side-by-side figure");
    } else {
        let cli_m = median(cli.clone());
        println!("  sqlite3 CLI .import + 3 CREATE INDEX:                        median {cli_m:.2?}  runs {cli:.2?}");
        println!(
            "  ratio hoptrace / sqlite3 CLI: {:.2}x (goal <= 1.0x); goal <= 5 s: {}",
            ours_m.as_secs_f64() / cli_m.as_secs_f64(),
            if ours_m.as_secs_f64() <= 5.0 { "met" } else { "missed" }
        );
    }
}
