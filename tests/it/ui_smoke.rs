//! The real binary in a real window: under Xvfb, open the demo case, take a screenshot, and
//! check the window drew something (not a blank or single-colour screen).
#![cfg(feature = "gui")]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_window_opens_on_the_demo_case_and_draws_the_graph() {
    if !(have("Xvfb") && have("xwd") && have("convert")) {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "under CI=true Xvfb, xwd and convert are needed");
        eprintln!("SKIPPED: Xvfb, xwd and ImageMagick's convert are needed (.ci/run installs them)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_hoptrace"))
        .args(["demo", "--out", &dir.path().display().to_string()])
        .output()
        .expect("demo");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let display = (150..250)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free display");
    let display = format!(":{display}");
    let _xvfb = Kill(
        Command::new("Xvfb")
            .args([&display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb"),
    );
    std::thread::sleep(Duration::from_secs(2));
    let runtime = dir.path().join("runtime");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    let mut app = Kill(
        Command::new(env!("CARGO_BIN_EXE_hoptrace"))
            .arg(dir.path().join("demo-case.ron"))
            .env("DISPLAY", &display)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("HOME", dir.path())
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hoptrace window"),
    );
    // The window must come up and stay up.
    let mut colours = 0u64;
    for _ in 0..30 {
        std::thread::sleep(Duration::from_secs(1));
        if let Ok(Some(status)) = app.0.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = app.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            panic!("the window exited ({status}): {err}");
        }
        let shot = Command::new("sh")
            .args(["-c", &format!("xwd -root -silent -display {display} | convert xwd:- -format %k info:")])
            .output()
            .expect("screenshot");
        colours = String::from_utf8_lossy(&shot.stdout).trim().parse().unwrap_or(0);
        if colours > 200 {
            break;
        }
    }
    assert!(colours > 200, "the screen has only {colours} colours: the window drew nothing");
}
