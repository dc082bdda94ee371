//! Image snapshots of key screens, rendered by wgpu (on CI: Mesa's lavapipe, a CPU Vulkan
//! driver, installed by `.ci/run`). A changed look fails the test and leaves
//! `tests/snapshots/NAME.new.png` and `NAME.diff.png` beside the reference; after checking the
//! change by eye, `UPDATE_SNAPSHOTS=1 cargo test --test it ui_snapshots::` accepts it.
#![cfg(feature = "gui")]

use crate::common;

use common::ui::demo_case;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hoptrace::model::Category;
use hoptrace::ui::WorkbenchApp;
use hoptrace::ui::files::FakeDialogs;

/// The demo case in a window of 1400 x 900 points rendered by wgpu, notices cleared (they
/// name temporary paths).
fn window(light: bool, presenter: bool) -> (tempfile::TempDir, Harness<'static, WorkbenchApp>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.prefs.light = light;
    // Named here, so the picture does not depend on the login name of the machine.
    app.prefs.examiner = "A. Examiner".to_owned();
    app.open(&demo_case(dir.path()));
    if presenter {
        // As the user turns it on (F5): the side and activity panels go too.
        app.run_action(hoptrace::ui::actions::Action::TogglePresenter);
    }
    app.notices.clear();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .wgpu()
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    h.run();
    h.state_mut().notices.clear();
    h.run();
    (dir, h)
}

#[test]
fn the_demo_case_in_the_dark_theme() {
    let (_dir, mut h) = window(false, false);
    h.snapshot("demo_case_dark");
}

#[test]
fn a_selected_mixer_with_its_transfers_in_the_light_theme() {
    let (_dir, mut h) = window(true, false);
    let pool = {
        let s = h.state().session.as_ref().expect("case");
        s.graph.graph.node_weights().find(|n| n.category == Category::Mixer).map(|n| n.key.clone()).expect("mixer")
    };
    h.state_mut().select(&pool);
    h.run();
    // The inspector's ledger summary is read off the UI thread: wait for it.
    common::ui::step_until(&mut h, 60, "the summary", |a| !a.summary_cache.is_reading());
    h.snapshot("mixer_selected_light");
}

#[test]
fn the_command_palette_filtered_to_hops() {
    let (_dir, mut h) = window(false, false);
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::P);
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Command").type_text("hop");
    h.run();
    h.snapshot("command_palette");
}

#[test]
fn presenter_mode_enlarges_everything() {
    let (_dir, mut h) = window(false, true);
    h.snapshot("presenter_mode");
}

#[test]
fn suggestions_for_the_other_side_of_the_bridge_hop() {
    let (_dir, mut h) = window(false, false);
    let bridge = {
        let s = h.state().session.as_ref().expect("case");
        s.inv.case().hops.iter().find(|(_, hop)| hop.kind.name() == "bridge").map(|(id, _)| *id).expect("bridge hop")
    };
    h.state_mut().selected_hop = Some(bridge);
    h.run();
    h.get_by_label("Find the other side").click();
    let start = std::time::Instant::now();
    h.step();
    while h.state().finding.is_some() {
        assert!(start.elapsed().as_secs() < 60, "the finders did not answer");
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    h.state_mut().notices.clear();
    h.run();
    h.snapshot("suggestions");
}

#[test]
fn value_tracing_from_the_seeds() {
    let (_dir, mut h) = window(false, false);
    h.state_mut().run_action(hoptrace::ui::actions::Action::TraceValue);
    h.run();
    h.get_by_label("Trace").click();
    common::ui::step_until(&mut h, 120, "the trace", |a| !a.taint.is_running());
    h.state_mut().notices.clear();
    h.run();
    h.snapshot("value_tracing");
}

#[test]
fn paths_between_a_seed_and_an_address_it_paid() {
    let (_dir, mut h) = window(false, false);
    let pair = {
        let s = h.state().session.as_ref().expect("case");
        let seed = s.inv.case().seeds.first().cloned().expect("seed");
        let i = s.graph.index[&seed];
        let g = &s.graph.graph;
        let paid = g
            .edges_directed(i, petgraph::Direction::Outgoing)
            .map(|e| g[petgraph::visit::EdgeRef::target(&e)].key.clone())
            .find(|k| *k != seed)
            .expect("paid");
        [seed, paid]
    };
    h.state_mut().canvas.select_many(pair);
    h.state_mut().run_action(hoptrace::ui::actions::Action::FindPaths);
    common::ui::step_until(&mut h, 120, "the path search", |a| !a.paths.is_running());
    h.state_mut().notices.clear();
    h.run();
    h.snapshot("paths");
}

#[test]
fn a_peel_chain_from_the_attackers_first_bitcoin_address() {
    let (_dir, mut h) = window(false, false);
    let truth = hoptrace::scenario::generate(&hoptrace::scenario::ScenarioConfig::small()).expect("scenario").truth;
    let start = truth.peel_chains.first().expect("peel chain").start_address.clone();
    h.state_mut().command(hoptrace::graph::Command::AddSeed { chain: "bitcoin".into(), address: start.clone() });
    h.state_mut().canvas.select_many([hoptrace::case::NodeKey::address("bitcoin", start)]);
    h.state_mut().run_action(hoptrace::ui::actions::Action::FollowPeel);
    common::ui::step_until(&mut h, 120, "the peel chain", |a| !a.peel.is_running());
    h.state_mut().notices.clear();
    // The activity panel would show the seed's entry with today's time: left out of the picture.
    h.state_mut().prefs.activity = false;
    h.run();
    h.snapshot("peel_chain");
}
