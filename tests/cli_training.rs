//! `hoptrace labels` and `hoptrace train` end to end: output and exit codes.

use std::process::{Command, Output};

use hoptrace::training::{self, Answer};

fn hoptrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).output().expect("run hoptrace")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn labels_import_show_side_by_side_and_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("l.sqlite").display().to_string();
    let out = hoptrace(&["labels", "--builtin", "--into", &ledger]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let n = hoptrace::labels::labels().len();
    assert!(text(&out.stdout).contains(&format!("{n} labels")), "{}", text(&out.stdout));
    let out = hoptrace(&["labels", "--address", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "--ledger", &ledger]);
    let shown = text(&out.stdout);
    assert!(shown.contains("2 labels") && shown.contains("DISAGREE"), "{shown}");
    assert!(shown.contains("ofac.treasury.gov") && shown.contains("fbi.gov"), "both sources side by side: {shown}");
    let yaml = dir.path().join("out.yaml").display().to_string();
    let out = hoptrace(&["labels", "--ledger", &ledger, "--export-tagpack", &yaml]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The export imports into a fresh ledger with every label.
    let other = dir.path().join("m.sqlite").display().to_string();
    let out = hoptrace(&["import", "--ledger", &other, &yaml]);
    assert!(text(&out.stdout).contains(&format!("{n} labels")), "{}", text(&out.stdout));
    let out = hoptrace(&["labels"]);
    assert!(!out.status.success());
}

#[test]
fn train_check_exits_by_verdict() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/actor-reuse");
    let exercises = training::load_exercises(&dir).expect("exercises");
    let e = exercises.iter().find(|e| matches!(e.answer, Answer::Address { .. })).expect("an address exercise");
    let Answer::Address { address, .. } = &e.answer else { unreachable!() };
    let ok = hoptrace(&["train", "check", "actor-reuse", &e.id, &address.to_ascii_uppercase().replace("0X", "0x")]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    assert!(text(&ok.stdout).starts_with("Correct"));
    let bad = hoptrace(&["train", "check", "actor-reuse", &e.id, "0x0000000000000000000000000000000000000001"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stdout).contains(address.as_str()), "the explanation gives the answer");
    let unknown = hoptrace(&["train", "check", "actor-reuse", "no-such-id", "x"]);
    assert!(text(&unknown.stderr).contains("no exercise"), "{}", text(&unknown.stderr));
    let list = hoptrace(&["train", "list"]);
    for name in training::names() {
        assert!(text(&list.stdout).contains(name));
    }
}
