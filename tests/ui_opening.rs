//! Opening a case from the window runs in the background: the case shown so far stays until the
//! new one is ready, the new one arrives with its graph, and a case that cannot be read is
//! reported while the open case stays.
#![cfg(feature = "gui")]

mod common;

use common::ui::{demo_case, harness, step_until};
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
