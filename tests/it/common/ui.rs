//! Helpers of the window tests (feature `gui`): the demo case, a harness of the window.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use hoptrace::ui::WorkbenchApp;

/// The headless demo (`hoptrace demo`), built once per test run; each test works on a copy.
fn demo_template() -> &'static Path {
    static TEMPLATE: OnceLock<tempfile::TempDir> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let out = Process::new(env!("CARGO_BIN_EXE_hoptrace"))
                .args(["demo", "--out", &dir.path().display().to_string()])
                .output()
                .expect("run the demo");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            dir
        })
        .path()
}

/// Copies the folder `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for e in std::fs::read_dir(from).expect("read folder").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// A copy of the headless demo (`hoptrace demo`) in `dir`: returns the case file.
pub fn demo_case(dir: &Path) -> PathBuf {
    copy_tree(demo_template(), dir);
    dir.join("demo-case.ron")
}

/// The window's app (file dialogs faked) with the headless demo case of `dir` open.
pub fn demo_app(dir: &Path) -> WorkbenchApp {
    let mut app = WorkbenchApp::new(Box::new(hoptrace::ui::files::FakeDialogs::default()));
    app.open(&demo_case(dir));
    app
}

/// The window at 1600 x 1000 points (no GPU), one frame run.
pub fn harness(app: WorkbenchApp) -> Harness<'static, WorkbenchApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    h.run();
    h
}

/// Steps frames until `done` holds for the app (a background thread answered), at most
/// `secs` seconds; then runs the frames that follow.
pub fn step_until(h: &mut Harness<'static, WorkbenchApp>, secs: u64, what: &str, done: impl Fn(&WorkbenchApp) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed() < Duration::from_secs(secs), "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.run();
}
