//! The `hoptrace` binary end to end: what it prints, what it writes, and its exit codes.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

fn hoptrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).output().expect("run hoptrace")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/cases/demo/exports");

#[test]
fn demo_imports_every_bundled_export_and_prints_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("demo.sqlite");
    let out = hoptrace(&["sample-import", "--ledger", &ledger.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let files = std::fs::read_dir(DEMO).expect("demo dir").count();
    assert_eq!(stdout.matches(": imported [").count(), files, "{stdout}");
    assert!(!stdout.contains("NOT imported"), "{stdout}");
    for format in ["arkham", "bitcoin-rpc", "etherscan-normal", "etherscan-token", "generic", "tagpack", "tronscan"] {
        assert!(stdout.contains(&format!("[{format}]")), "{format} missing in {stdout}");
    }
    assert!(stdout.contains("Transfers per chain and asset"), "{stdout}");
    assert!(stdout.contains("tron       USDT (TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t)"), "{stdout}");
}

#[test]
fn import_reports_per_file_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("l.sqlite").display().to_string();
    let file = format!("{DEMO}/etherscan-normal-actor.csv");
    let out = hoptrace(&["import", "--ledger", &ledger, &file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!(
            "{file}: imported [etherscan-normal] 7 rows: 7 transfers, 0 labels, 0 refused, 0 duplicates, 0 skipped"
        )
    );
    let again = hoptrace(&["import", "--ledger", &ledger, &file]);
    assert!(again.status.success());
    let again = text(&again.stdout);
    assert!(again.starts_with(&format!("{file}: already imported as batch 1 (sha256 ")), "{again}");
    assert!(again.trim_end().ends_with("): nothing added"), "{again}");

    let info = hoptrace(&["ledger-info", "--json", &ledger]);
    assert!(info.status.success());
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).expect("json");
    assert_eq!(json["batches"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["failed_transfers"], 1);
    let eth = json["assets"].as_array().and_then(|a| a.iter().find(|x| x["asset"] == "ETH")).expect("ETH");
    // 6,000 ETH in, 5 × 100 ETH out; the failed sixth deposit is not counted.
    assert_eq!(eth["total_base_units"], "6500000000000000000000");
    assert_eq!(eth["transfers"], 6);
}

#[test]
fn refused_rows_are_listed_and_fail_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("l.sqlite");
    let bad = common::write(
        dir.path(),
        "bad.csv",
        "hash,from_address,to_address,value,block_timestamp\n\
         0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,0x6b75d8af000000e20b7a7ddf000ba900b4009a80,12,1683029999\n\
         0xec7cc4df1ff542793053335700f18d59c3f870e1e4820a42d558c76db832bd14,0xae2fc483527b8ef99eb5d9b44875f005ba1fae13,0x6b75d8af000000e20b7a7ddf000ba900b4009a80,-4,1683029999\n",
    );
    let args = ["import", "--ledger", &ledger.display().to_string(), &bad.display().to_string()];
    let out = hoptrace(&args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        vec![
            format!(
                "{}:3: field `value`: found \"-4\": expected an integer number of wei in plain digits, not a negative amount (from/to give the direction)",
                bad.display()
            )
            .as_str(),
            format!(
                "hoptrace: error: {}: 1 row(s) refused, nothing imported from it (fix them, or pass --skip-bad)",
                bad.display()
            )
            .as_str(),
        ]
    );
    let out = hoptrace(&[&args[..], &["--skip-bad"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let refused = dir.path().join("bad.csv.refused.csv");
    assert!(text(&out.stdout).contains(&format!("refused rows written to {}", refused.display())));
    assert_eq!(
        std::fs::read_to_string(&refused).expect("refused file"),
        "file,line,field,reason\nbad.csv,3,value,\"found \"\"-4\"\": expected an integer number of wei in plain digits, \
         not a negative amount (from/to give the direction)\"\n"
    );
}

#[test]
fn errors_exit_non_zero_with_one_line_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let not_ledger = common::write(dir.path(), "notes.txt", "not a database, just notes\n".repeat(100));
    let out = hoptrace(&["ledger-info", &not_ledger.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        format!(
            "hoptrace: error: {}: not a hoptrace ledger: not an SQLite database (file is not a database)",
            not_ledger.display()
        )
    );
    let missing = dir.path().join("missing.csv");
    let out = hoptrace(&[
        "import",
        "--ledger",
        &dir.path().join("l.sqlite").display().to_string(),
        &missing.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr).lines().count(), 1, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("missing.csv: No such file or directory"), "{}", text(&out.stderr));
    let out = hoptrace(&["import", "--ledger", "x.sqlite", "--chain", "dogechain", "f.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("hoptrace: error: --chain: unknown chain \"dogechain\""),
        "{}",
        text(&out.stderr)
    );
    assert!(!Path::new("x.sqlite").exists(), "a refused command creates no ledger");
}

#[test]
fn help_explains_the_import_command() {
    let out = hoptrace(&["import", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for needle in
        ["--ledger", "--skip-bad", "--format", "--token-decimals", "--date-order", "committed whole or not at all"]
    {
        assert!(help.contains(needle), "{needle} missing in {help}");
    }
}

#[test]
fn the_headless_demo_builds_a_reproducible_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |out: &str| {
        let out_dir = dir.path().join(out);
        let o = hoptrace(&["demo", "--out", &out_dir.display().to_string()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("0 refused"), "{}", text(&o.stdout));
        out_dir
    };
    let a = run("a");
    let case = a.join("demo-case.ron");
    let audit = hoptrace(&["audit", &case.display().to_string()]);
    assert!(audit.status.success(), "{}", text(&audit.stderr));
    let show = hoptrace(&["show", "--json", &case.display().to_string()]);
    let json: serde_json::Value = serde_json::from_slice(&show.stdout).expect("json");
    let hops = json["hops"].as_array().expect("hops");
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0]["kind"]["mixer"]["service"], "Tornado-style pool");
    assert_eq!(hops[1]["kind"]["bridge"]["to_chain"], "bitcoin");
    assert!(json["case"]["seeds"].as_array().is_some_and(|s| !s.is_empty()));
    assert_eq!(json["case"]["ledger_matches"], true);
    // Same scenario, same commands, fixed clock: the same case file, byte for byte.
    let b = run("b");
    assert_eq!(std::fs::read(case).expect("a"), std::fs::read(b.join("demo-case.ron")).expect("b"));
}

#[test]
fn an_error_names_its_cause_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.ron").display().to_string();
    let out = hoptrace(&["show", &missing]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("missing.ron"), "{err}");
    assert_eq!(err.matches("No such file").count(), 1, "the cause is repeated: {err}");
}

#[test]
fn a_reader_closing_the_pipe_early_ends_the_output_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoptrace"))
        .args(["train", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Read nothing: close our end at once, as `| head -0` does.
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("read stderr");
    let status = child.wait().expect("wait");
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.success() || status.code() == Some(141), "{status:?}: {err}");
}
