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
    assert!(!text(&bad.stdout).contains(address.as_str()), "a wrong answer does not give the right one away");
    assert!(text(&bad.stdout).starts_with("Not quite."), "{}", text(&bad.stdout));
    let shown =
        hoptrace(&["train", "check", "--reveal", "actor-reuse", &e.id, "0x0000000000000000000000000000000000000001"]);
    assert_eq!(shown.status.code(), Some(1));
    assert!(text(&shown.stdout).contains(&format!("The answer is {address}")), "--reveal gives it");
    let unknown = hoptrace(&["train", "check", "actor-reuse", "no-such-id", "x"]);
    assert!(text(&unknown.stderr).contains("no exercise"), "{}", text(&unknown.stderr));
    let list = hoptrace(&["train", "list"]);
    for name in training::names() {
        assert!(text(&list.stdout).contains(name));
    }
}

/// Every file and folder under `root`, relative, sorted.
fn tree(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_owned()];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let p = e.path();
            out.push(p.strip_prefix(root).expect("under root").display().to_string());
            if p.is_dir() {
                todo.push(p);
            }
        }
    }
    out.sort();
    out
}

fn set_read_only(root: &std::path::Path, read_only: bool) {
    use std::os::unix::fs::PermissionsExt as _;
    let mut paths = vec![root.to_owned()];
    paths.extend(tree(root).iter().map(|p| root.join(p)));
    for p in paths {
        let mode = std::fs::metadata(&p).expect("metadata").permissions().mode();
        let mode = if read_only { mode & !0o222 } else { mode | 0o200 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

#[test]
fn train_open_builds_in_the_data_folder_of_a_read_only_installation() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let installed = tmp.path().join("install/cases");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/actor-reuse");
    let copy = installed.join("actor-reuse");
    std::fs::create_dir_all(copy.join("exports")).expect("mkdir");
    for f in ["README.md", "case.ron", "walkthrough.ron", "exercises.ron"] {
        std::fs::copy(source.join(f), copy.join(f)).expect("copy");
    }
    for e in training::IMPORTED {
        std::fs::copy(source.join("exports").join(e), copy.join("exports").join(e)).expect("copy export");
    }
    std::fs::create_dir_all(copy.join(training::INSTRUCTOR_DIR)).expect("mkdir");
    std::fs::copy(training::truth_path(&source), training::truth_path(&copy)).expect("copy the ground truth");
    let before = tree(&installed);
    // chmod -R a-w; root ignores permissions, so the test also checks nothing was created.
    set_read_only(&installed, true);
    let data = tmp.path().join("xdg-data");
    let cases = installed.display().to_string();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hoptrace"))
            .args(args)
            .env_remove("HOPTRACE_DATA_DIR")
            .env("XDG_DATA_HOME", &data)
            .output()
            .expect("run hoptrace")
    };
    let out = run(&["train", "open", "actor-reuse", "--cases", &cases]);
    let after = tree(&installed);
    set_read_only(&installed, false);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(after, before, "nothing is written into the installation");
    let work = data.join("hoptrace/training/actor-reuse");
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("case:   {}", work.join("case.ron").display())), "{stdout}");
    assert!(stdout.contains(&format!("ledger: {}", work.join("ledger.sqlite").display())), "{stdout}");
    // The trainee's case opens on the ledger built there, and is theirs to change.
    let case = hoptrace::case::file::load(&work.join("case.ron")).expect("the copied case");
    let ledger = hoptrace::ledger::SqliteLedger::open(&work.join("ledger.sqlite")).expect("the built ledger");
    hoptrace::graph::Investigation::open(case, ledger).expect("the case binds to the ledger built on open");
    assert!(!std::fs::metadata(work.join("case.ron")).expect("case").permissions().readonly());
    // The answers stay with the instructor: nothing in the trainee's folder holds them.
    let copied = tree(&data);
    assert!(!copied.is_empty(), "the working folder has files");
    assert!(!copied.iter().any(|p| p.contains(training::TRUTH_FILE)), "{copied:?}");
    let list = run(&["train", "list", "--cases", &cases]);
    let line = text(&list.stdout).lines().find(|l| l.starts_with("actor-reuse")).map(str::to_owned);
    assert!(line.as_deref().is_some_and(|l| l.ends_with("[ledger built]")), "{line:?}");
}
