//! Evidence packages in the window (egui_kittest, through AccessKit): File > Export evidence
//! package on a background thread (progress, cancel, save first), and review mode: the
//! verification banner, the read-only case, reviewer comments kept beside the package, and the
//! review package.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hoptrace::case::NodeKey;
use hoptrace::export::sha256_hex;
use hoptrace::graph::Command;
use hoptrace::model::Category;
use hoptrace::package::{open_package, verify};
use hoptrace::review::ReviewTarget;
use hoptrace::review::file::ReviewSession;
use hoptrace::review::package::check_review_package;
use hoptrace::ui::WorkbenchApp;
use hoptrace::ui::actions::Action;
use hoptrace::ui::files::FakeDialogs;

fn hoptrace(dir: &Path, args: &[&str]) {
    let out = Process::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).current_dir(dir).output().expect("run hoptrace");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The demo case in `dir/demo`.
fn demo_case(dir: &Path) -> PathBuf {
    hoptrace(dir, &["demo", "--out", "demo"]);
    dir.join("demo/demo-case.ron")
}

/// The demo case exported by the command line as `dir/NAME` (`--dir` for a folder).
fn package(dir: &Path, name: &str, folder: bool) -> (PathBuf, PathBuf) {
    let case = demo_case(dir);
    let mut args = vec!["export", "demo/demo-case.ron", "--out", name, "--quiet"];
    if folder {
        args.push("--dir");
    }
    hoptrace(dir, &args);
    (case, dir.join(name))
}

fn harness(app: WorkbenchApp) -> Harness<'static, WorkbenchApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    h.run();
    h
}

/// Steps frames (the background thread runs meanwhile) until `done`.
fn wait(h: &mut Harness<'static, WorkbenchApp>, what: &str, done: impl Fn(&WorkbenchApp) -> bool) {
    let started = Instant::now();
    while !done(h.state()) && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    assert!(done(h.state()), "timed out waiting for {what}");
    h.run();
}

fn notices(app: &WorkbenchApp) -> Vec<String> {
    app.notices.iter().map(|n| n.text.clone()).collect()
}

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

/// Opens `pkg` in review mode through File > Open evidence package (Ctrl+Shift+O).
fn review(mut app: WorkbenchApp, pkg: &Path) -> Harness<'static, WorkbenchApp> {
    app.files = Box::new(FakeDialogs { open_package: vec![pkg.to_owned()], ..FakeDialogs::default() });
    let mut h = harness(app);
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::O);
    h.step();
    wait(&mut h, "the verification", |a| !a.review.is_loading());
    assert!(h.state().review.is_active(), "review mode: {:?}", notices(h.state()));
    h
}

#[test]
fn exporting_saves_the_case_first_and_writes_an_intact_package() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo_case(dir.path());
    let out = dir.path().join("evidence.zip");
    let dialogs = FakeDialogs { package: vec![out.clone()], ..FakeDialogs::default() };
    let mut app = WorkbenchApp::new(Box::new(dialogs));
    app.open(&case);
    // An unsaved change: the package must carry it.
    let seed = app.session.as_ref().unwrap().inv.case().seeds[0].clone();
    app.command(Command::Label {
        node: seed.clone(),
        entity: "Unsaved label".to_owned(),
        category: Category::Actor,
        source: "test".to_owned(),
    });
    app.apply_pending();
    assert!(app.session.as_ref().unwrap().dirty);
    let mut h = harness(app);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run();
    assert!(!h.state().export.is_running(), "nothing runs before the user answers");
    h.get_by_label("Save and export").click_accesskit();
    h.step();
    h.step();
    assert!(h.state().export.is_running(), "the export runs on a background thread");
    assert!(h.query_by_label("Cancel export").is_some(), "with a cancel button");
    wait(&mut h, "the export", |a| !a.export.is_running());

    let last = h.state().export.last.clone().expect("an outcome");
    let summary = last.result.clone().expect("the export succeeded");
    assert!((last.progress.fraction - 1.0).abs() < f32::EPSILON, "progress reached 100%: {:?}", last.progress);
    assert!(!h.state().session.as_ref().unwrap().dirty, "the case was saved first");
    let report = verify(&out);
    assert!(report.is_intact(), "{:?}", report.problems);
    let opened = open_package(&out, None).unwrap();
    let manifest = opened
        .with_reader("manifest.json", |r| {
            let mut bytes = Vec::new();
            r.read_to_end(&mut bytes).unwrap();
            bytes
        })
        .unwrap()
        .unwrap();
    assert_eq!(sha256_hex(&manifest), summary.manifest_sha256);
    assert_eq!(opened.report.manifest_sha256.as_deref(), Some(summary.manifest_sha256.as_str()));
    assert_eq!(std::fs::metadata(&out).unwrap().len(), summary.bytes);
    let labels = &opened.case.as_ref().unwrap().labels;
    assert!(labels.values().any(|l| l.entity == "Unsaved label" && l.node == seed), "the saved change is in it");
    let said = notices(h.state());
    assert!(
        said.iter().any(|n| n.contains("evidence.zip")
            && n.contains(&summary.manifest_sha256)
            && n.contains(&format!("{} bytes", summary.bytes))),
        "the notice names the file, its size and the manifest hash: {said:?}"
    );
}

#[test]
fn cancelling_an_export_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo_case(dir.path());
    let out = dir.path().join("cancelled.zip");
    let dialogs = FakeDialogs { package: vec![out.clone()], ..FakeDialogs::default() };
    let mut app = WorkbenchApp::new(Box::new(dialogs));
    app.open(&case);
    let before = listing(dir.path());
    let mut h = harness(app);
    h.state_mut().run_action(Action::ExportPackage);
    h.step();
    h.step();
    assert!(h.state().export.is_running());
    h.get_by_label("Cancel export").click_accesskit();
    wait(&mut h, "the cancelled export", |a| !a.export.is_running());
    let last = h.state().export.last.clone().expect("an outcome");
    assert_eq!(last.result.err().as_deref(), Some("export cancelled"));
    assert!(last.progress.fraction < 1.0);
    assert!(!out.exists(), "nothing at the chosen path");
    assert_eq!(listing(dir.path()), before, "no temporary file left behind");
    assert!(notices(h.state()).iter().any(|n| n.contains("cancelled")), "{:?}", notices(h.state()));
}

#[test]
fn an_intact_package_opens_read_only_with_the_green_banner() {
    let dir = tempfile::tempdir().unwrap();
    let (case, pkg) = package(dir.path(), "pkg.zip", false);
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.open(&case);
    let normal_case = app.session.as_ref().unwrap().inv.case().clone();
    let pool = normal_case.seeds[0].clone();
    app.select(&pool);
    let mut h = review(app, &pkg);

    let files = verify(&pkg).files.len();
    let banner = format!("Package intact: {files} files, hashes, audit chain verified");
    assert!(h.query_by_label(&banner).is_some(), "the green banner says {banner:?}");
    let sha = verify(&pkg).manifest_sha256.expect("a manifest");
    let unsigned = format!("Unsigned: authenticity not established. Compare its manifest SHA-256 {sha} with");
    assert!(h.query_by_label_contains(&unsigned).is_some(), "an unsigned package says so");
    assert!(h.query_by_label("Review — pkg.zip (read-only)").is_some(), "the top bar names the package");
    for (id, hop) in &normal_case.hops {
        let prefix = format!("Hop #{id}: {}", hop.kind.name());
        assert!(h.query_by_label_contains(&prefix).is_some(), "the hop list shows {prefix}");
    }
    let nodes = h.state().review.loaded().unwrap().evidence.graph.graph.node_count();
    assert_eq!(nodes, normal_case.nodes.len(), "the package's graph is on the canvas");

    // Editing is disabled: menus, shortcuts and the palette all go through action_enabled.
    let key = h.state().review.loaded().unwrap().evidence.case.seeds[0].clone();
    h.state_mut().select(&key);
    h.run();
    for a in Action::all().filter(|a| !a.read_only()) {
        assert!(!h.state().action_enabled(a), "{} is disabled in review mode", a.text());
    }
    assert!(h.state().action_enabled(Action::AddReviewComment));
    h.get_by_label("Graph").click();
    h.run();
    let expand = h.get_by_label_contains("Expand out");
    assert!(expand.accesskit_node().is_disabled(), "the Graph menu shows Expand out disabled");
    h.key_press(egui::Key::Escape);
    h.key_press(egui::Key::O);
    h.key_press(egui::Key::Delete);
    h.run();
    // A command that reaches the queue anyway is refused.
    h.state_mut().command(Command::Hide { node: key.clone() });
    h.run();
    let shown = h.state().review.loaded().unwrap();
    assert_eq!(shown.evidence.graph.graph.node_count(), nodes, "nothing expanded or hidden");
    assert_eq!(shown.evidence.case, normal_case, "the package's case is as exported");
    assert_eq!(h.state().session.as_ref().unwrap().inv.case(), &normal_case, "the open case is untouched");
    assert!(notices(h.state()).iter().any(|n| n.contains("read-only")));

    // Closing gives the case back, with its selection.
    h.get_by_label("Close review").click_accesskit();
    h.run();
    assert!(!h.state().review.is_active());
    assert!(h.state().canvas.selection().contains(&pool), "the normal view is as it was");
    assert!(h.state().action_enabled(Action::ExpandOut));
    assert!(h.query_by_label("Review — pkg.zip (read-only)").is_none());
}

/// Flips one byte in the middle of `name`'s compressed data inside the zip at `pkg`.
fn flip_in_zip(pkg: &Path, name: &str) {
    let (start, size) = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(pkg).unwrap()).unwrap();
        let entry = zip.by_name(name).unwrap();
        (entry.data_start().unwrap(), entry.compressed_size())
    };
    let mut f = std::fs::OpenOptions::new().read(true).write(true).open(pkg).unwrap();
    f.seek(SeekFrom::Start(start + size / 2)).unwrap();
    let mut b = [0u8];
    f.read_exact(&mut b).unwrap();
    f.seek(SeekFrom::Start(start + size / 2)).unwrap();
    f.write_all(&[b[0] ^ 0x01]).unwrap();
}

#[test]
fn a_package_with_one_flipped_byte_shows_the_red_banner_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A folder package: the file reads, but its hash does not match.
    let (_, folder) = package(dir.path(), "pkg", true);
    let csv = folder.join("transfers.csv");
    let mut bytes = std::fs::read(&csv).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&csv, bytes).unwrap();
    let h = review(WorkbenchApp::new(Box::new(FakeDialogs::default())), &folder);
    let problems = verify(&folder).problems;
    assert!(h.query_by_label_contains("Package NOT intact").is_some(), "the red banner");
    assert!(h.query_by_label_contains("Package intact").is_none());
    assert!(h.query_by_label_contains("transfers.csv was changed").is_some(), "it names the file: {problems:?}");
    assert!(h.state().review.is_loaded(), "a changed package still opens, to be looked at");

    // A zip: the damaged entry cannot even be inflated; the banner still names it.
    let (_, zip) = package(dir.path(), "pkg.zip", false);
    flip_in_zip(&zip, "transfers.csv");
    let h = review(WorkbenchApp::new(Box::new(FakeDialogs::default())), &zip);
    assert!(h.query_by_label_contains("Package cannot be opened").is_some(), "the red banner");
    // Label text is the AccessKit value of a label.
    let named: Vec<String> = h.query_all_by_label_contains("\"transfers.csv\"").filter_map(|n| n.value()).collect();
    assert!(named.iter().any(|l| l.starts_with("• ")), "a banner line names the file: {named:?}");
}

#[test]
fn review_comments_go_to_the_review_file_and_export_as_a_review_package() {
    let dir = tempfile::tempdir().unwrap();
    let (case, pkg) = package(dir.path(), "pkg.zip", false);
    let (package_before, case_before) = (std::fs::read(&pkg).unwrap(), std::fs::read(&case).unwrap());
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.open(&case);
    let audit_before = app.session.as_ref().unwrap().inv.case().audit.len();
    let mut h = review(app, &pkg);
    let (hop, hop_kind) = {
        let c = &h.state().review.loaded().unwrap().evidence.case;
        let (id, hop) = c.hops.iter().next().unwrap();
        (*id, hop.kind.name().to_owned())
    };
    h.get_by_label_contains(&format!("Hop #{hop}: {hop_kind}")).click_accesskit();
    h.run();
    assert_eq!(h.state().review_target(), ReviewTarget::Hop(hop));
    h.get_by_label("Add review comment…").click_accesskit();
    h.run();
    assert!(h.query_by_label(&format!("About: hop {hop}")).is_some(), "the dialog says what the comment is about");
    let reviewer = h.get_by_role_and_label(Role::TextInput, "Reviewer");
    reviewer.focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Reviewer").type_text("Rev One");
    h.run();
    h.get_by_role_and_label(Role::MultilineTextInput, "Comment").focus();
    h.run();
    h.get_by_role_and_label(Role::MultilineTextInput, "Comment").type_text("Other deposits fit this withdrawal too");
    h.run();
    h.get_by_label("Add comment").click_accesskit();
    h.run();

    // A second comment, on a node, through the shortcut.
    let node: NodeKey = h.state().review.loaded().unwrap().evidence.case.seeds[0].clone();
    h.get_by_role_and_label(Role::Button, &node.describe()).click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::M);
    h.run();
    h.get_by_role_and_label(Role::MultilineTextInput, "Comment").focus();
    h.run();
    h.get_by_role_and_label(Role::MultilineTextInput, "Comment").type_text("seed confirmed");
    h.run();
    h.get_by_label("Add comment").click_accesskit();
    h.run();

    let session = ReviewSession::open(&pkg).unwrap();
    let comments: Vec<_> = session.review.comments.values().cloned().collect();
    assert_eq!(comments.len(), 2, "{:?}", notices(h.state()));
    assert_eq!(comments[0].target, ReviewTarget::Hop(hop));
    assert_eq!(comments[0].text, "Other deposits fit this withdrawal too");
    assert_eq!(comments[0].reviewer, "Rev One");
    assert_eq!(comments[1].target, ReviewTarget::Node(node));
    session.review.verify_audit().unwrap();
    assert_eq!(session.review.audit.len(), 2);
    assert!(h.query_all_by_label_contains("seed confirmed").count() > 0, "the comments are listed");
    assert_eq!(std::fs::read(&pkg).unwrap(), package_before, "the package is unchanged");
    assert_eq!(std::fs::read(&case).unwrap(), case_before, "the case file is unchanged");
    assert_eq!(h.state().session.as_ref().unwrap().inv.case().audit.len(), audit_before);

    // Review > Export review package.
    let out = dir.path().join("review.zip");
    h.state_mut().files = Box::new(FakeDialogs { review_package: vec![out.clone()], ..FakeDialogs::default() });
    h.get_by_label("Export review package…").click_accesskit();
    h.run();
    let checked = check_review_package(&out).unwrap();
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    assert_eq!(checked.review.unwrap().comments.len(), 2);
    assert_eq!(checked.manifest.unwrap().reviewed_manifest_sha256, session.review.package_manifest_sha256);

    // The report: summary and hops inside the window.
    h.get_by_label("Show report").click_accesskit();
    h.run();
    assert!(h.query_by_label("Summary").is_some());
    assert!(h.query_by_label_contains(&format!("Rationale: {}", session.case.hops[&hop].rationale)).is_some());
}
