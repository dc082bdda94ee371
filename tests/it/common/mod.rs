//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

#[cfg(feature = "gui")]
pub mod ui;

/// A file of the real data in `../shared/data`, or `None` (with a message saying the test is
/// skipped) when `../shared` is not beside the repository. Under `CI=true` a missing file fails
/// the test: CI always has `../shared` beside the clone.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(rel);
    if p.exists() {
        Some(p)
    } else {
        skipped(&format!("{} is absent (the real-data tests need ../shared beside the repository)", p.display()));
        None
    }
}

/// Says a check is left out because `why` (a file or tool is missing); under `CI=true`, where
/// `.ci/run` provides everything, fails the test instead of passing silently.
pub fn skipped(why: &str) {
    assert!(std::env::var("CI").as_deref() != Ok("true"), "under CI=true nothing may be skipped: {why}");
    eprintln!("SKIPPED: {why}");
}

/// Every row of every table of a ledger, as text: two ledgers with equal fingerprints hold
/// the same data.
pub fn fingerprint(ledger: &Path) -> String {
    let conn = rusqlite::Connection::open(ledger).expect("open ledger for fingerprint");
    let mut out = String::new();
    for table in ["import_batches", "transfers", "assets", "labels"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid")).expect("prepare");
        let n = stmt.column_count();
        let mut rows = stmt.query([]).expect("query");
        out.push_str(table);
        out.push('\n');
        while let Some(r) = rows.next().expect("row") {
            for i in 0..n {
                let v: rusqlite::types::Value = r.get(i).expect("value");
                out.push_str(&format!("{v:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test file");
    p
}
