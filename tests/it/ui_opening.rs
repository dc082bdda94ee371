//! Opening a case from the window runs in the background: the case shown so far stays until the
//! new one is ready, the new one arrives with its graph, and a case that cannot be read is
//! reported while the open case stays.
#![cfg(feature = "gui")]

use crate::common;

use common::ui::{demo_case, harness, step_until};
use egui_kittest::kittest::Queryable;
use hoptrace::ui::WorkbenchApp;
use hoptrace::ui::actions::Action;
use hoptrace::ui::files::FakeDialogs;

#[test]
fn file_open_runs_in_the_background_and_the_open_case_stays_until_it_is_ready() {
    let (a, b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    let (first, second) = (demo_case(a.path()), demo_case(b.path()));
    let dialogs = FakeDialogs { open: vec![second.clone()], ..FakeDialogs::default() };
    let mut app = WorkbenchApp::new(Box::new(dialogs));
    app.open(&first);
    let nodes = app.node_count();
    let mut h = harness(app);
    h.state_mut().run_action(Action::OpenCase);
    let app = h.state();
    assert!(app.is_opening(), "File > Open returns at once");
    assert_eq!(app.session.as_ref().map(|s| s.path.clone()), Some(first.clone()), "the open case stays meanwhile");
    step_until(&mut h, 60, "the case opens", |app| !app.is_opening());
    let app = h.state();
    let s = app.session.as_ref().expect("a case is open");
    assert_eq!(s.path, second);
    assert_eq!(app.node_count(), nodes, "the same demo: the same graph");
    assert_eq!(app.prefs.recent.first(), Some(&second), "listed first among the recent cases");
    assert!(app.notices.iter().any(|n| !n.error && n.text.contains("Opened")), "{:?}", app.notices);
    // What the window draws was derived in the background for this session, not rebuilt.
    assert_eq!(app.legend_cache.as_ref().map(|(g, _)| *g), Some(s.generation), "the legend of this graph");
}

#[test]
fn an_unreadable_case_is_reported_and_the_open_case_stays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = demo_case(dir.path());
    let broken = dir.path().join("broken.ron");
    std::fs::write(&broken, "(id: \"x\", title: ").expect("write");
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.open(&case);
    let nodes = app.node_count();
    app.open_in_background(&broken);
    let mut h = harness(app);
    step_until(&mut h, 60, "the open fails", |app| !app.is_opening());
    let app = h.state();
    assert_eq!(app.session.as_ref().map(|s| s.path.clone()), Some(case), "the open case stays");
    assert_eq!(app.node_count(), nodes);
    let errors: Vec<&str> = app.notices.iter().filter(|n| n.error).map(|n| n.text.as_str()).collect();
    assert!(errors.iter().any(|e| e.contains("broken.ron")), "the error names the file: {errors:?}");
}

#[test]
fn a_case_another_writer_holds_opens_read_only_and_is_not_saved_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = demo_case(dir.path());
    let held = hoptrace::case::lock::CaseLock::acquire(&case, "hoptrace expand").expect("lock");
    let before = std::fs::read(&case).expect("read");
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.open(&case);
    let s = app.session.as_ref().expect("open");
    assert!(!s.guard.holds_lock());
    let why = s.guard.read_only.clone().expect("read-only");
    assert!(why.contains("is being changed by hoptrace expand ("), "{why}");
    assert!(app.notices.iter().any(|n| n.error && n.text.contains("read-only")), "{:?}", app.notices);
    app.save();
    assert!(
        app.notices.iter().any(|n| n.text.starts_with("Not saved: the case is open read-only")),
        "{:?}",
        app.notices
    );
    assert_eq!(std::fs::read(&case).expect("read"), before, "nothing written");
    drop(held);
    // Reopened once the other writer is done, the window holds the case and saves it.
    app.open(&case);
    assert!(app.session.as_ref().is_some_and(|s| s.guard.holds_lock()));
    app.save();
    assert!(app.notices.iter().any(|n| n.text.starts_with("Saved ")), "{:?}", app.notices);
    // The CLI now finds the case held by the window.
    let err = hoptrace::case::lock::CaseLock::acquire(&case, "hoptrace annotate").expect_err("held by the window");
    assert!(err.to_string().contains("hoptrace window"), "{err}");
}

#[test]
fn a_new_case_is_started_from_the_empty_window_on_a_new_ledger_and_imports_go_into_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("harmony-heist.ron");
    let dialogs = FakeDialogs { save: vec![path.clone()], ..FakeDialogs::default() };
    let mut h = harness(WorkbenchApp::new(Box::new(dialogs)));
    // The empty window offers New case; Import needs a case.
    assert!(!h.state().action_enabled(Action::ImportFiles));
    h.get_by_label("New case…").click();
    h.run();
    {
        let Some(hoptrace::ui::dialogs::Dialog::NewCase { title, investigator, ledger, .. }) =
            &mut h.state_mut().dialog
        else {
            panic!("the new-case dialog is open")
        };
        assert_eq!(title, "harmony heist", "proposed from the file name");
        assert!(ledger.ends_with("harmony-heist.ledger.sqlite"), "{ledger}");
        title.clear();
        investigator.clear();
    }
    h.get_by_label("Title").focus();
    h.run();
    h.get_by_label("Title").type_text("Harmony bridge heist");
    h.get_by_label("Investigator").focus();
    h.run();
    h.get_by_label("Investigator").type_text("A. Kim");
    h.get_by_label("Create case").click();
    h.run();
    let app = h.state();
    assert!(app.dialog.is_none(), "the dialog closes: {:?}", app.notices);
    let s = app.session.as_ref().expect("the new case is open");
    assert_eq!(s.path, path);
    assert_eq!(s.inv.case().title, "Harmony bridge heist");
    assert_eq!(s.inv.case().investigator, "A. Kim");
    assert!(dir.path().join("harmony-heist.ledger.sqlite").is_file(), "the ledger is made beside the case");
    let saved = hoptrace::case::file::load(&path).expect("the case is saved");
    assert_eq!(saved.ledger.path, "harmony-heist.ledger.sqlite", "named relative to the case's folder");
    assert!(h.state().action_enabled(Action::ImportFiles), "import is open to the new case");
    // Starting a case over an existing file is refused and writes nothing.
    let before = std::fs::read(&path).expect("read");
    let err = h.state_mut().create_case(&path, "Again", "A. Kim", "other.sqlite").expect_err("exists");
    assert!(err.contains("harmony-heist.ron exists"), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), before);
    assert!(!dir.path().join("other.sqlite").exists());
}

#[test]
fn without_a_system_file_dialog_the_window_offers_its_own_and_says_why() {
    let (a, b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    let (first, second) = (demo_case(a.path()), demo_case(b.path()));
    let dialogs = FakeDialogs { unavailable: Some("no desktop portal answered".to_owned()), ..FakeDialogs::default() };
    let mut app = WorkbenchApp::new(Box::new(dialogs));
    app.open(&first);
    let mut h = harness(app);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run();
    assert!(h.state().path_prompt.is_some(), "Open case shows the window's own chooser");
    h.get_by_label_contains("The system file dialog is not available: no desktop portal answered");
    // It lists the case's folder (case files only): the case file is there to click.
    let listed = h.state().path_prompt.as_ref().and_then(|p| p.listing.clone().ok()).expect("a listing");
    assert!(listed.iter().any(|e| e.name == "demo-case.ron" && !e.dir), "{listed:?}");
    assert!(listed.iter().all(|e| e.dir || e.name.ends_with(".ron")), "{listed:?}");
    assert!(h.get_all_by_label("demo-case.ron").count() >= 2, "shown beside the top bar's case name");
    // A path that does not exist is refused and the chooser stays.
    h.get_by_label("Path").focus();
    h.run();
    h.get_by_label("Path").type_text("missing.ron");
    h.get_by_label("OK").click();
    h.run();
    assert!(h.state().path_prompt.is_some());
    assert!(h.state().notices.iter().any(|n| n.error && n.text.ends_with("missing.ron does not exist")));
    // The other case's full path opens it.
    h.state_mut().path_prompt.as_mut().expect("open").typed = second.display().to_string();
    h.get_by_label("OK").click();
    h.run();
    assert!(h.state().path_prompt.is_none());
    step_until(&mut h, 60, "the case opens", |app| !app.is_opening());
    assert_eq!(h.state().session.as_ref().map(|s| s.path.clone()), Some(second));
}

#[test]
fn the_audit_log_names_the_examiner_who_made_each_change_not_the_cases_creator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = demo_case(dir.path());
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.open(&case);
    let mut h = harness(app);
    let creator = h.state().session.as_ref().map(|s| s.inv.case().investigator.clone()).expect("open");
    assert_eq!(creator, "hoptrace demo");
    h.get_by_label("Change…").click();
    h.run();
    {
        let Some(hoptrace::ui::dialogs::Dialog::Examiner { name }) = &mut h.state_mut().dialog else {
            panic!("the examiner dialog is open")
        };
        name.clear();
    }
    h.get_by_label("Your name").focus();
    h.run();
    h.get_by_label("Your name").type_text("Examiner Lee");
    h.get_by_label("Use this name").click();
    h.run();
    assert_eq!(h.state().prefs.examiner, "Examiner Lee", "kept for the next cases");
    h.get_by_label_contains("Examiner: Examiner Lee");
    // A change made in the window: an expansion of a seed.
    let seed = h.state().session.as_ref().and_then(|s| s.inv.case().seeds.first().cloned()).expect("a seed");
    let before = h.state().session.as_ref().map(|s| s.inv.case().audit.len()).expect("open");
    h.state_mut().command(hoptrace::graph::Command::Hide { node: seed.clone() });
    h.state_mut().command(hoptrace::graph::Command::Undo);
    h.run();
    assert!(h.state().notices.iter().all(|n| !n.error), "{:?}", h.state().notices);
    let s = h.state().session.as_ref().expect("open");
    let audit = &s.inv.case().audit;
    assert_eq!(audit.len(), before + 2);
    for e in &audit[before..] {
        assert_eq!(e.investigator, "Examiner Lee", "{:?}", e.command.name());
    }
    assert!(audit[..before].iter().all(|e| e.investigator == "hoptrace demo"), "earlier entries keep their author");
    assert!(s.inv.case().verify_audit().is_ok());
    // The same examiner in the next case opened.
    h.state_mut().open(&case);
    assert_eq!(h.state().session.as_ref().map(|s| s.inv.actor().to_owned()), Some("Examiner Lee".to_owned()));
}

#[test]
fn opening_another_case_over_unsaved_work_asks_first() {
    let (a, b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    let (first, second) = (demo_case(a.path()), demo_case(b.path()));
    let dialogs = FakeDialogs { open: vec![second.clone(), second.clone()], ..FakeDialogs::default() };
    let mut app = WorkbenchApp::new(Box::new(dialogs));
    app.open(&first);
    let mut h = harness(app);
    let seed = h.state().session.as_ref().and_then(|s| s.inv.case().seeds.first().cloned()).expect("a seed");
    h.state_mut().command(hoptrace::graph::Command::Hide { node: seed });
    h.run();
    assert!(h.state().session.as_ref().is_some_and(|s| s.dirty));
    // Asked; staying keeps the case and its change.
    h.state_mut().run_action(Action::OpenCase);
    h.run();
    h.get_by_label_contains("The case has changes that are not saved. Save them before opening demo-case.ron?");
    h.get_by_label("Stay on this case").click();
    h.run();
    assert!(h.state().dialog.is_none() && !h.state().is_opening());
    assert_eq!(h.state().session.as_ref().map(|s| (s.path.clone(), s.dirty)), Some((first.clone(), true)));
    // Leaving without saving opens the other case; the work waits in the autosave.
    h.state_mut().run_action(Action::OpenCase);
    h.run();
    h.get_by_label("Open without saving").click();
    h.run();
    step_until(&mut h, 60, "the other case opens", |app| !app.is_opening());
    assert_eq!(h.state().session.as_ref().map(|s| s.path.clone()), Some(second));
    // Back on the first case, the restore prompt says what happened.
    h.state_mut().open(&first);
    h.run();
    h.get_by_label_contains(
        "This case has work that was not saved (hoptrace stopped, or the case was left without saving)",
    );
}
