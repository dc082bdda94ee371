//! Helpers the benchmarks share: medians, environment settings, and generated ledgers cached
//! under `target/tmp` (built once per scenario, then reused by every run and every bench that
//! asks for the same scenario).
// Each bench uses some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hoptrace::scenario::{Scenario, ScenarioConfig, build_ledger, generate};
use sha2::{Digest, Sha256};

/// The median of `v` (the upper one of an even count). Panics on an empty `v`.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The environment variable `name` parsed (`1_000_000` allowed), else `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// Removes a SQLite database and its side files.
pub fn remove_db(p: &Path) {
    for s in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{s}", p.display()));
    }
}

/// The ledger of the scenario `cfg` (`total` transfers), cached in `target/tmp/bench-expand`
/// under a name keyed by the scenario's ground truth and configuration. Copied from
/// `HOPTRACE_BENCH_DIR` when a ledger of that name is there, else built.
pub fn cached_ledger(cfg: &ScenarioConfig, total: u64) -> (PathBuf, Scenario) {
    let scenario = generate(cfg).expect("generate scenario");
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&scenario.truth).expect("truth json"));
    h.update(serde_json::to_vec(cfg).expect("config json"));
    let key = &hex::encode(h.finalize())[..12];
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-expand");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let name = format!("ledger-{total}-{:x}-{key}.sqlite", cfg.seed);
    let path = dir.join(&name);
    if path.exists() {
        println!("  cached ledger {}", path.display());
        return (path, scenario);
    }
    if let Some(other) = std::env::var_os("HOPTRACE_BENCH_DIR").map(|d| Path::new(&d).join(&name))
        && other.exists()
    {
        println!("  copying {} (read only) into {}", other.display(), path.display());
        let partial = dir.join(format!("copying-{name}"));
        std::fs::copy(&other, &partial).expect("copy the cached ledger");
        std::fs::rename(&partial, &path).expect("move ledger into place");
        return (path, scenario);
    }
    let partial = dir.join(format!("building-{total}-{key}.sqlite"));
    let exports = dir.join(format!("exports-{total}-{key}"));
    remove_db(&partial);
    println!("  building {} ({total} transfers; written once, then cached) …", path.display());
    let start = Instant::now();
    let reports = build_ledger(&scenario, &exports, &partial).expect("build ledger");
    for r in &reports {
        println!("    {}: {} rows, {} transfers, {} labels", r.path.display(), r.rows, r.transfers, r.labels);
    }
    std::fs::rename(&partial, &path).expect("move ledger into place");
    remove_db(&partial);
    let _ = std::fs::remove_dir_all(&exports);
    println!("  built in {:.1?}", start.elapsed());
    (path, scenario)
}
