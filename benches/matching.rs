//! P7: the finders' matcher side by side with DuckDB's ASOF join on the same data, in the same
//! run.
//!
//! - Mixer: 100,000 deposits × 100,000 withdrawals in 4 pools (bucket = pool) over 30 days;
//!   for each deposit, the first withdrawal of its pool at or after it.
//! - Bridge: 2,000,000 events (1,000,000 deposits on chain A, 1,000,000 releases on chain B)
//!   in 20,000 buckets (asset family × amount band) over 90 days; for each deposit, the first
//!   release of its bucket at or after it.
//!
//! Ours: [`hoptrace::analysis::sweep`] — sort both sides by (bucket, time) on two threads,
//! then one two-pointer pass ([`sweep::next_after`]); timed from the unsorted events in memory.
//! DuckDB: the same events written as CSV to `target/tmp/matching/`, loaded into tables (not
//! timed), then `CREATE TEMP TABLE r AS SELECT d.idx, w.time FROM d ASOF LEFT JOIN w ON
//! d.bucket = w.bucket AND d.time <= w.time` timed inside Python (DuckDB uses both cores).
//! Both sides must agree: the number of deposits matched and the sum of the matched times.
//! We also time [`sweep::windows`] (every candidate in a 30-day window, what the pool finder
//! uses), which an ASOF join does not compute.
//!
//! Run: `cargo bench --no-default-features --bench matching` (needs `python3 -m pip install
//! duckdb`). `HOPTRACE_BENCH_RUNS` (default 5): timed runs of each side; medians reported.
//! Goal (issue, P7): ≤ 1.0× DuckDB.

mod common;

use common::median;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use hoptrace::analysis::sweep::{self, Event};
use hoptrace::scenario::rng::Rng;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DAY: i64 = 86_400;
const T0: i64 = 1_685_750_400;

fn events(rng: &mut Rng, n: usize, buckets: u64, span: i64) -> Vec<Event> {
    (0..n)
        .map(|i| Event {
            bucket: rng.below(buckets),
            time: T0 + rng.range_i64(0, span),
            index: u32::try_from(i).expect("fits in u32"),
        })
        .collect()
}

fn write_csv(path: &Path, events: &[Event]) {
    let mut text = String::with_capacity(events.len() * 24);
    text.push_str("idx,bucket,time\n");
    for e in events {
        text.push_str(&format!("{},{},{}\n", e.index, e.bucket, e.time));
    }
    std::fs::write(path, text).expect("write csv");
}

/// Ours: sort + sweep; returns the median and (matched, sum of matched times).
fn ours(left: &[Event], right: &[Event], runs: usize) -> (Duration, (u64, i128)) {
    let mut times = Vec::new();
    let mut check = (0, 0);
    for _ in 0..runs {
        let (mut l, mut r) = (left.to_vec(), right.to_vec());
        let start = Instant::now();
        sweep::sort_both(&mut l, &mut r);
        let next = sweep::next_after(&l, &r, 0);
        times.push(start.elapsed());
        check = next.iter().flatten().fold((0u64, 0i128), |(n, s), j| (n + 1, s + i128::from(r[*j].time)));
    }
    (median(times), check)
}

/// All candidates in a window (the pool finder's step): median and total candidates.
fn ours_windows(left: &[Event], right: &[Event], window: i64, runs: usize) -> (Duration, u64) {
    let mut times = Vec::new();
    let mut total = 0;
    for _ in 0..runs {
        let (mut l, mut r) = (left.to_vec(), right.to_vec());
        let start = Instant::now();
        sweep::sort_both(&mut l, &mut r);
        let w = sweep::windows(&l, &r, 0, window);
        times.push(start.elapsed());
        total = w.iter().map(|x| x.len() as u64).sum();
    }
    (median(times), total)
}

/// DuckDB's ASOF join on the CSV files; median seconds and (matched, sum of matched times).
fn duckdb(left: &Path, right: &Path, runs: usize) -> Option<(f64, (u64, i128))> {
    let script = format!(
        "import duckdb, time, statistics\n\
         con = duckdb.connect()\n\
         con.execute(\"CREATE TABLE d AS SELECT * FROM read_csv('{l}', columns={{'idx':'INTEGER','bucket':'UBIGINT','time':'BIGINT'}}, header=true)\")\n\
         con.execute(\"CREATE TABLE w AS SELECT * FROM read_csv('{r}', columns={{'idx':'INTEGER','bucket':'UBIGINT','time':'BIGINT'}}, header=true)\")\n\
         ts = []\n\
         for _ in range({runs}):\n\
         \x20   t = time.perf_counter()\n\
         \x20   con.execute('CREATE OR REPLACE TEMP TABLE r AS SELECT d.idx, w.time AS wt FROM d ASOF LEFT JOIN w ON d.bucket = w.bucket AND d.time <= w.time')\n\
         \x20   ts.append(time.perf_counter() - t)\n\
         n, s = con.execute('SELECT count(wt), sum(wt) FROM r').fetchone()\n\
         print(statistics.median(ts), n, s)\n",
        l = left.display(),
        r = right.display(),
    );
    let out = match Command::new("python3").arg("-c").arg(&script).output() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("  cannot run python3: {e}");
            return None;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let parsed = (|| {
        let secs: f64 = parts.next()?.parse().ok()?;
        let n: u64 = parts.next()?.parse().ok()?;
        let s: i128 = parts.next()?.parse().ok()?;
        Some((secs, (n, s)))
    })();
    if parsed.is_none() {
        eprintln!(
            "  DuckDB side failed ({}): {} {}",
            out.status,
            text.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    parsed
}

fn compare(name: &str, slug: &str, dir: &Path, left: &[Event], right: &[Event], runs: usize) {
    let (lp, rp) = (dir.join(format!("{slug}-left.csv")), dir.join(format!("{slug}-right.csv")));
    write_csv(&lp, left);
    write_csv(&rp, right);
    let (t, check) = ours(left, right, runs);
    println!(
        "  {name}: ours (sort + sweep, ASOF semantics): median {:.1} ms; matched {} ",
        t.as_secs_f64() * 1e3,
        check.0
    );
    match duckdb(&lp, &rp, runs) {
        Some((secs, dcheck)) => {
            assert_eq!(check, dcheck, "{name}: ours and DuckDB disagree (matched, sum of times)");
            println!(
                "  {name}: DuckDB ASOF JOIN: median {:.1} ms; same result (matched {}, time sum {}); ratio ours/DuckDB = {:.2}×",
                secs * 1e3,
                dcheck.0,
                dcheck.1,
                t.as_secs_f64() / secs
            );
        }
        None => println!("  {name}: DuckDB not available (python3 -m pip install duckdb): no side by side"),
    }
}

fn main() {
    let runs: usize = std::env::var("HOPTRACE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("matching");
    std::fs::create_dir_all(&dir).expect("bench dir");
    println!("P7 matching ({runs} timed runs each, medians)");
    let mut rng = Rng::stream(hoptrace::scenario::DEFAULT_SEED, "bench-matching");
    let deposits = events(&mut rng, 100_000, 4, 30 * DAY);
    let withdrawals = events(&mut rng, 100_000, 4, 30 * DAY);
    compare("mixer 100k x 100k", "mixer", &dir, &deposits, &withdrawals, runs);
    let (t, total) = ours_windows(&deposits, &withdrawals, 2 * 3600, runs);
    println!(
        "  mixer 100k x 100k: ours, every withdrawal within 2 h of each deposit ({total} pairs): median {:.1} ms",
        t.as_secs_f64() * 1e3
    );
    let ins = events(&mut rng, 1_000_000, 20_000, 90 * DAY);
    let outs = events(&mut rng, 1_000_000, 20_000, 90 * DAY);
    compare("bridge 2M events", "bridge", &dir, &ins, &outs, runs);
}
