//! One action registry behind the menus, the keyboard shortcuts and the command palette; imports
//! off the UI thread with a progress bar and cancel (egui_kittest, through AccessKit labels).
#![cfg(feature = "gui")]

use crate::common;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::ui::{demo_app, demo_case, harness};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use hoptrace::case::NodeKey;
use hoptrace::ledger::Ledger;
use hoptrace::model::Category;
use hoptrace::ui::WorkbenchApp;
use hoptrace::ui::actions::Action;
use hoptrace::ui::files::FakeDialogs;

fn mixer(app: &WorkbenchApp) -> NodeKey {
    let s = app.session.as_ref().expect("a case is open");
    s.graph.graph.node_weights().find(|n| n.category == Category::Mixer).map(|n| n.key.clone()).expect("a mixer")
}

#[test]
fn a_plain_key_shortcut_expands_the_selection_and_ctrl_z_undoes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    let before = h.state().node_count();
    let pool = mixer(h.state());
    h.state_mut().select(&pool);
    h.run();
    h.key_press(egui::Key::O);
    h.step();
    // Expansions are applied on a background thread: wait for it as the window would.
    h.state_mut().finish_applying();
    h.run();
    let after = h.state().node_count();
    assert!(after > before, "O expands the selected pool's outgoing transfers: {before} -> {after}");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().node_count(), before, "Ctrl+Z undoes the expansion");
    // Typing in the search box does not fire plain-key shortcuts.
    h.get_by_role_and_label(Role::TextInput, "Search").focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Search").type_text("o");
    h.run();
    assert_eq!(h.state().node_count(), before);
    assert_eq!(h.state().search, "o");
}

#[test]
fn the_palette_lists_every_action_and_runs_the_one_typed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::P);
    h.run();
    assert!(h.state().palette.is_some(), "Ctrl+Shift+P opens the palette");
    // Every action is listed with its text (and shortcut, when it has one).
    for a in Action::all() {
        let label = match a.shortcut() {
            Some(s) => format!("{} {}", a.text(), h.ctx.format_shortcut(&s)),
            None => a.text().to_owned(),
        };
        assert!(h.query_by_label(&label).is_some(), "the palette lists {label:?}");
    }
    let timeline = h.state().prefs.timeline;
    h.get_by_role_and_label(Role::TextInput, "Command").type_text("timeline");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().palette.is_none(), "running an action closes the palette");
    assert_eq!(h.state().prefs.timeline, !timeline, "Enter ran \"Show timeline\"");
}

/// A generic transfers CSV of `rows` made-up Ethereum transfers (big enough to cancel).
fn big_csv(path: &Path, rows: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(f, "chain,tx_hash,position,block,time,from,to,asset,amount,decimals,kind").expect("write");
    for i in 0..rows {
        writeln!(
            f,
            "ethereum,0x{i:064x},0,{},{},0x{:040x},0x{:040x},ETH,{},18,native",
            18_000_000 + i,
            1_690_000_000 + i,
            i + 1,
            i + 2,
            i + 1
        )
        .expect("write");
    }
}

#[test]
fn an_import_runs_off_the_ui_thread_and_cancel_keeps_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = demo_case(dir.path());
    let big = dir.path().join("big.csv");
    big_csv(&big, 400_000);
    let dialogs = FakeDialogs { import: vec![vec![big]], ..FakeDialogs::default() };
    let mut app = WorkbenchApp::new(Box::new(dialogs));
    app.open(&case);
    let info = |app: &WorkbenchApp| app.session.as_ref().and_then(|s| s.inv.ledger().info().ok()).expect("info");
    let before = info(&app);
    let fingerprint = app.session.as_ref().map(|s| s.inv.case().ledger.fingerprint.clone());
    let mut h = harness(app);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::I);
    h.step();
    assert!(h.state().importing.is_some(), "Ctrl+I starts the import on a background thread");
    // The window keeps drawing frames while it runs: the progress bar and its cancel button.
    h.step();
    h.get_by_label("Cancel import").click();
    let started = Instant::now();
    while h.state().importing.is_some() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.run();
    assert!(h.state().importing.is_none(), "the import stopped");
    let notices: Vec<String> = h.state().notices.iter().map(|n| n.text.clone()).collect();
    assert!(notices.iter().any(|n| n.contains("cancelled")), "the user is told: {notices:?}");
    assert_eq!(info(h.state()), before, "nothing of the cancelled file is in the ledger");
    assert_eq!(h.state().session.as_ref().map(|s| s.inv.case().ledger.fingerprint.clone()), fingerprint);
}

#[test]
fn the_timeline_follows_the_selection_and_a_click_on_it_selects_the_edge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    let pool = mixer(h.state());
    h.state_mut().select(&pool);
    h.run();
    // Highlighted: exactly the transfers on the pool's edges.
    let expected: std::collections::BTreeSet<i64> = {
        let s = h.state().session.as_ref().expect("case");
        let i = s.graph.index[&pool];
        s.graph
            .graph
            .edges_directed(i, petgraph::Direction::Incoming)
            .chain(s.graph.graph.edges_directed(i, petgraph::Direction::Outgoing))
            .flat_map(|e| e.weight().transfers.clone())
            .collect()
    };
    let points = h.state().timeline_points();
    let lit: std::collections::BTreeSet<i64> = points.iter().filter(|p| p.highlighted).map(|p| p.id).collect();
    assert!(!expected.is_empty());
    assert_eq!(lit, expected, "the timeline highlights the selected node's transfers");

    // A click on a point of another transfer selects that transfer's edge on the canvas.
    let target = points.iter().find(|p| !p.highlighted).cloned().expect("a transfer elsewhere");
    let pos = h.state().timeline_screen.iter().find(|(id, _)| *id == target.id).map(|(_, p)| *p).expect("drawn");
    h.hover_at(pos);
    h.run();
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run();
    let picked = h.state().timeline_pick;
    assert!(picked.is_some(), "a point was picked");
    let edge = h.state().canvas.selected_edge().cloned().expect("an edge is selected");
    let on_edge = points.iter().filter(|p| p.edge == edge).any(|p| Some(p.id) == picked);
    assert!(on_edge, "the selected edge carries the clicked transfer");
}

#[test]
fn a_hop_mark_opens_the_hop_and_rejecting_it_is_audited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    let (id, label) = {
        let s = h.state().session.as_ref().expect("case");
        let (id, hop) = s.inv.case().hops.iter().next().expect("the demo has hops");
        (*id, format!("hop #{id} {}", hoptrace::ui::canvas::hop_label(hop)))
    };
    h.get_by_label(&label).click();
    h.run();
    assert_eq!(h.state().selected_hop, Some(id));
    assert_eq!(h.state().canvas.highlighted_hop(), Some(id));
    h.get_by_label("Reject hop").click();
    h.run();
    let s = h.state().session.as_ref().expect("case");
    assert_eq!(s.inv.case().hops[&id].status, hoptrace::model::HopStatus::Rejected);
    assert_eq!(s.inv.case().audit.last().map(|e| e.command.name()), Some("reject hop"));
    // The legend lists what is on the graph, the hops included.
    let items = h.state().legend_items();
    assert!(items.categories.contains(&Category::Mixer) && items.hops.iter().any(|(n, _)| n == "mixer"));
    assert!(h.query_by_label("Legend").is_some());
}

#[test]
fn imported_text_beyond_latin_renders_with_the_bundled_font() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path());
    let pool = mixer(&app);
    let entity = "Пул → Ωμέγα mixer";
    app.command(hoptrace::graph::Command::Label {
        node: pool.clone(),
        entity: entity.to_owned(),
        category: Category::Mixer,
        source: "test → source".to_owned(),
    });
    app.apply_pending();
    app.select(&pool);
    let mut h = harness(app);
    h.run();
    assert!(h.query_by_label_contains(entity).is_some(), "the inspector shows the label text");
}

#[test]
fn a_training_walkthrough_replays_forward_and_back_and_exercises_are_checked() {
    use hoptrace::training::Answer;
    let data = tempfile::tempdir().expect("tempdir");
    let installed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/ronin-bridge/case.ron");
    let installed_before = std::fs::read(&installed).expect("the installed case");
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.training_data = Some(data.path().to_owned());
    app.open_training("ronin-bridge");
    let started = Instant::now();
    while app.training_loading.is_some() && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
        app.poll_training();
    }
    assert!(app.training.is_some(), "the scenario opened: {:?}", app.notices);
    // The trainee works on a copy in their data folder, never on the installed case.
    let copy = app.session.as_ref().map(|s| s.path.clone()).expect("open");
    assert!(copy.starts_with(data.path()), "{copy:?} is not in the data folder");
    let mut h = harness(app);
    let audit = |app: &WorkbenchApp| app.session.as_ref().map_or(0, |s| s.inv.case().audit.len());
    let start = audit(h.state());
    let steps = h.state().training.as_ref().map_or(0, |t| t.replay.walkthrough().steps.len());
    assert!(steps >= 3, "a walkthrough of {steps} steps");
    for _ in 0..steps {
        h.key_press(egui::Key::PageDown);
        h.run();
    }
    assert_eq!(h.state().training.as_ref().map(|t| t.replay.position()), Some(steps));
    assert!(audit(h.state()) > start, "the walkthrough's steps were applied as commands");
    h.get_by_label("Previous step").click();
    h.run();
    assert_eq!(h.state().training.as_ref().map(|t| t.replay.position()), Some(steps - 1));
    for _ in 1..steps {
        h.key_press(egui::Key::PageUp);
        h.run();
    }
    assert_eq!(h.state().training.as_ref().map(|t| t.replay.position()), Some(0));
    // Back at the start: the case is as it was opened (undo is exact).
    let s = h.state().session.as_ref().expect("case");
    assert!(s.inv.case().verify_audit().is_ok());

    // An exercise with an address for answer: a wrong answer, then the right one.
    let (id, right) = h
        .state()
        .training
        .as_ref()
        .and_then(|t| {
            t.exercises.iter().find_map(|e| match &e.answer {
                Answer::Address { address, .. } => Some((e.id.clone(), address.clone())),
                _ => None,
            })
        })
        .expect("an address exercise");
    let input = format!("Answer {id}");
    h.get_by_role_and_label(Role::TextInput, &input).focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, &input).type_text("0x0000000000000000000000000000000000000001");
    h.run();
    h.get_by_label(&format!("Check {id}")).click();
    h.run();
    assert_eq!(h.state().training.as_ref().and_then(|t| t.verdicts.get(&id)).map(|v| v.correct), Some(false));
    // The wrong answer does not give the right one away; the trainee can ask for it.
    let verdict = |h: &egui_kittest::Harness<'static, WorkbenchApp>| {
        h.state().training.as_ref().and_then(|t| t.verdicts.get(&id)).map(|v| v.explanation.clone()).unwrap_or_default()
    };
    assert!(!verdict(&h).contains(&right), "{}", verdict(&h));
    h.get_by_label(&format!("Show the answer to {id}")).click();
    h.run();
    assert!(verdict(&h).starts_with(&format!("The answer is {right}")), "{}", verdict(&h));
    h.state_mut().training.as_mut().map(|t| t.answers.insert(id.clone(), right.to_uppercase().replace("0X", "0x")));
    h.run();
    h.get_by_label(&format!("Check {id}")).click();
    h.run();
    assert_eq!(h.state().training.as_ref().and_then(|t| t.verdicts.get(&id)).map(|v| v.correct), Some(true));
    // Saving writes the trainee's copy; the installed scenario is untouched.
    h.state_mut().save();
    assert_eq!(std::fs::read(&installed).expect("the installed case"), installed_before);
    assert!(std::fs::metadata(&copy).is_ok());
}

#[test]
fn messages_fit_the_window_can_be_dismissed_expire_and_a_retry_that_worked_replaces_its_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = demo_app(dir.path());
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    h.run();
    // An error far wider than the window (an ethereum-etl blocks.json refusal is ~600 characters).
    let long = format!("blocks.json: {}", "cannot recognise the JSON: expected a transfer field ".repeat(12));
    h.state_mut().notices.clear();
    h.state_mut().notice_about("blocks.json", long.clone(), true);
    h.step();
    let dismiss = h.get_by_label("✕");
    let r = dismiss.rect();
    assert!(r.min.x >= 0.0 && r.max.x <= 1280.0 && r.max.y <= 720.0, "the dismiss button is on screen: {r:?}");
    let text = h.get_by_label(&long).rect();
    assert!(text.max.x <= 1280.0 && text.width() < 760.0, "the message wraps inside the window: {text:?}");
    // A later message about the same file (the retry worked) replaces the error.
    h.state_mut().notice_about("blocks.json", "blocks.json: 3 blocks imported", false);
    assert_eq!(h.state().notices.len(), 1, "{:?}", h.state().notices);
    assert!(!h.state().notices[0].error);
    // Dismissed with its button.
    h.state_mut().error("something else failed");
    h.run();
    let before = h.state().notices.len();
    h.get_all_by_label("✕").next().expect("a dismiss button").click();
    h.run();
    assert_eq!(h.state().notices.len(), before - 1);
    // Errors expire after half a minute.
    h.state_mut().error("an old error");
    h.run();
    for n in &mut h.state_mut().notices {
        n.shown_at = n.shown_at.map(|t| t - hoptrace::ui::panels::NOTICE_ERROR_SECS - 1.0);
    }
    h.run();
    assert!(h.state().notices.iter().all(|n| n.text != "an old error"), "{:?}", h.state().notices);
    // Opening a case drops the messages about the one before.
    h.state_mut().error("about the demo");
    let case = h.state().session.as_ref().map(|s| s.path.clone()).expect("open");
    h.state_mut().open(&case);
    assert!(h.state().notices.iter().all(|n| n.text != "about the demo"), "{:?}", h.state().notices);
}

#[test]
fn presenter_mode_on_a_projector_gives_the_canvas_the_width_and_the_top_bar_does_not_overlap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = demo_app(dir.path());
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    h.run();
    h.key_press(egui::Key::F5);
    h.run_steps(4);
    let app = h.state();
    assert!(app.prefs.presenter && !app.prefs.side_panels && !app.prefs.activity);
    let zoom = h.ctx.zoom_factor();
    assert!((zoom - 1280.0 / 1066.0).abs() < 0.01, "a projector's width gets a smaller enlargement: {zoom}");
    let screen = h.ctx.content_rect();
    let canvas = h.get_by_role_and_label(Role::Canvas, "Graph canvas").rect();
    assert!(canvas.width() >= 0.95 * screen.width(), "canvas {canvas:?} in {screen:?}");
    assert!(canvas.height() >= 0.5 * screen.height(), "canvas {canvas:?} in {screen:?}");
    assert!(h.query_by_label("Seeds").is_none(), "the case panel is hidden");
    // The title is cut short before the search box and undo/redo, none overlapping.
    let title = h.state().session.as_ref().map(|s| s.inv.case().title.clone()).expect("case");
    let title_rect = h.get_by_label(&title).rect();
    let search = h.get_by_role_and_label(Role::TextInput, "Search").rect();
    let undo = h.get_by_label("Undo").rect();
    assert!(title_rect.max.x < search.min.x && search.max.x < undo.min.x, "{title_rect:?} {search:?} {undo:?}");
    assert!(undo.max.x <= screen.max.x + 0.5, "undo on screen: {undo:?}");
    // The panels come back with F6/F7, and when presenting ends.
    h.key_press(egui::Key::F6);
    h.run();
    assert!(h.state().prefs.side_panels);
    h.key_press(egui::Key::F5);
    h.run_steps(4);
    let app = h.state();
    assert!(!app.prefs.presenter && app.prefs.side_panels && app.prefs.activity);
    assert!((h.ctx.zoom_factor() - 1.0).abs() < 1e-6);
}

#[test]
fn help_lists_every_action_with_its_shortcut_and_guides_a_first_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    h.key_press(egui::Key::F1);
    h.run();
    assert_eq!(h.state().help, Some(hoptrace::ui::help::HelpPage::Shortcuts));
    assert!(h.query_all_by_label("Keyboard shortcuts").next().is_some(), "the window's title");
    for a in Action::all() {
        assert!(h.query_all_by_label(a.help()).next().is_some(), "{:?} is not listed", a.text());
    }
    assert!(h.query_all_by_label("Ctrl+N").next().is_some(), "New case's shortcut");
    assert!(h.query_all_by_label("F5").next().is_some(), "presenter mode's shortcut");
    // The guide, from the Help menu (the shortcuts closed first: they list a "Help" section too).
    h.state_mut().help = None;
    h.run();
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("First case: a short guide").click();
    h.run();
    assert_eq!(h.state().help, Some(hoptrace::ui::help::HelpPage::FirstCase));
    for (i, (step, _)) in hoptrace::ui::help::FIRST_CASE.iter().enumerate() {
        h.get_by_label(&format!("{}. {step}", i + 1));
    }
}

#[test]
fn one_key_press_on_many_selected_nodes_is_one_undo_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    let (nodes, audit) = {
        let s = h.state().session.as_ref().expect("open");
        let nodes: Vec<NodeKey> =
            s.inv.case().nodes.keys().filter(|k| matches!(k, NodeKey::Address { .. })).take(6).cloned().collect();
        (nodes, s.inv.case().audit.len())
    };
    assert_eq!(nodes.len(), 6);
    h.state_mut().canvas.select_many(nodes.clone());
    h.run();
    h.key_press(egui::Key::O);
    h.run();
    common::ui::step_until(&mut h, 60, "the expansions", |a| a.applying.is_none() && a.pending.is_empty());
    let after = h.state().session.as_ref().map(|s| s.inv.case().audit.len()).expect("open");
    assert_eq!(after, audit + 1, "one audit entry for the six expansions");
    assert_eq!(
        h.state().session.as_ref().and_then(|s| s.inv.case().audit.last().map(|e| e.command.name())),
        Some("batch")
    );
    // Pinning them is one step too, and one undo takes it back.
    h.key_press(egui::Key::P);
    h.run();
    common::ui::step_until(&mut h, 60, "the pins", |a| a.applying.is_none() && a.pending.is_empty());
    let pinned = |h: &egui_kittest::Harness<'static, WorkbenchApp>| {
        let s = h.state().session.as_ref().expect("open");
        nodes.iter().filter(|n| s.inv.case().nodes.get(*n).is_some_and(|v| v.pinned)).count()
    };
    assert_eq!(pinned(&h), 6);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    common::ui::step_until(&mut h, 60, "the undo", |a| a.applying.is_none() && a.pending.is_empty());
    assert_eq!(pinned(&h), 0, "one undo unpins all six");
}

#[test]
fn letting_go_of_a_hop_clears_its_highlight_and_enter_on_a_selection_is_one_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    let id = *h.state().session.as_ref().and_then(|s| s.inv.case().hops.keys().next()).expect("a hop");
    h.state_mut().selected_hop = Some(id);
    h.state_mut().canvas.highlight_hop(Some(id));
    h.run();
    h.get_by_role_and_label(Role::Canvas, "Graph canvas").focus();
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(h.state().selected_hop, None, "the hop inspector closes");
    assert_eq!(h.state().canvas.highlighted_hop(), None, "and the hop is no longer highlighted");
    // Enter expands every selected node: one command.
    let (nodes, audit) = {
        let s = h.state().session.as_ref().expect("open");
        let nodes: Vec<NodeKey> =
            s.inv.case().nodes.keys().filter(|k| matches!(k, NodeKey::Address { .. })).take(4).cloned().collect();
        (nodes, s.inv.case().audit.len())
    };
    h.state_mut().canvas.select_many(nodes);
    h.get_by_role_and_label(Role::Canvas, "Graph canvas").focus();
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    common::ui::step_until(&mut h, 60, "the expansions", |a| a.applying.is_none() && a.pending.is_empty());
    let s = h.state().session.as_ref().expect("open");
    assert_eq!(s.inv.case().audit.len(), audit + 1, "{:?}", h.state().notices);
}

#[test]
fn the_inspector_sums_up_what_the_ledger_holds_about_the_selected_addresses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    let (seed, summary) = {
        let s = h.state().session.as_ref().expect("open");
        let seed = s.inv.case().seeds.first().cloned().expect("a seed");
        let NodeKey::Address { address, .. } = &seed else { panic!("an address seed") };
        let summary = s.inv.ledger().address_summary(address).expect("summary");
        (seed, summary)
    };
    h.state_mut().select(&seed);
    h.run();
    // Read off the UI thread: the frame says so meanwhile.
    common::ui::step_until(&mut h, 60, "the summary", |a| !a.summary_cache.is_reading());
    let total = summary.incoming.transfers + summary.outgoing.transfers;
    h.get_by_label_contains(&format!(
        "Transfers: {total} in the ledger ({} received, {} sent),",
        summary.incoming.transfers, summary.outgoing.transfers
    ));
    for label in ["Received", "Sent", "Net"] {
        assert!(h.query_all_by_label(label).next().is_some(), "{label} column");
    }
    h.get_by_label_contains("First seen ");
    // Two addresses: their sums.
    let other = h
        .state()
        .session
        .as_ref()
        .and_then(|s| s.inv.case().nodes.keys().find(|k| **k != seed && matches!(k, NodeKey::Address { .. })).cloned())
        .expect("another address");
    h.state_mut().canvas.select_many([seed, other]);
    h.run();
    common::ui::step_until(&mut h, 60, "the summaries", |a| !a.summary_cache.is_reading());
    h.get_by_label_contains("In the ledger: the 2 selected addresses together");
}

#[test]
fn the_graph_stays_put_on_screen_when_a_panel_beside_the_canvas_changes_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    // Past the fit's settling frames.
    for _ in 0..15 {
        h.step();
    }
    let seed = h.state().session.as_ref().and_then(|s| s.inv.case().seeds.first().cloned()).expect("a seed");
    // The node on the canvas (the case panel lists the seed as a button too).
    let on_canvas = |h: &egui_kittest::Harness<'static, WorkbenchApp>| {
        let canvas = h.get_by_role_and_label(Role::Canvas, "Graph canvas").rect();
        h.get_all_by_role_and_label(Role::Button, &seed.describe())
            .map(|n| n.rect().center())
            .find(|c| canvas.contains(*c))
            .expect("the seed on the canvas")
    };
    let before = on_canvas(&h);
    // The activity panel goes (the canvas grows downwards, its centre moves).
    h.key_press(egui::Key::F7);
    h.run();
    let after = on_canvas(&h);
    assert!((after - before).length() < 1.0, "the seed moved from {before:?} to {after:?}");
}

#[test]
fn search_finds_ledger_addresses_by_their_first_characters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    // An address of the ledger that is not on the graph.
    let target = {
        let s = h.state().session.as_ref().expect("open");
        let on_graph: Vec<String> = s
            .inv
            .case()
            .nodes
            .keys()
            .filter_map(|k| match k {
                NodeKey::Address { address, .. } => Some(address.clone()),
                _ => None,
            })
            .collect();
        (0..256)
            .flat_map(|i| s.inv.ledger().addresses_with_prefix(&format!("0x{i:02x}"), 50).expect("prefix"))
            .find(|a| !on_graph.contains(a) && a.len() == 42)
            .expect("an address off the graph")
    };
    let matches = |h: &egui_kittest::Harness<'static, WorkbenchApp>, p: &str| {
        h.state().session.as_ref().expect("open").inv.ledger().addresses_with_prefix(p, 20).expect("prefix").len()
    };
    // The shortest prefix naming it alone.
    let n = (6..=42).find(|n| matches(&h, &target[..*n]) == 1).expect("a unique prefix");
    h.state_mut().search = target[..n].to_uppercase().replacen("0X", "0x", 1);
    h.state_mut().run_search();
    h.run();
    assert_eq!(
        h.state().search_offer.as_ref().map(|(a, _)| a.clone()),
        Some(target.clone()),
        "{:?}",
        h.state().notices
    );
    h.get_by_label_contains("is in the ledger (");
    // A shorter prefix shared by several: they are listed to pick from.
    if n > 6 && matches(&h, &target[..n - 1]) > 1 {
        h.state_mut().search = target[..n - 1].to_owned();
        h.state_mut().run_search();
        h.run();
        assert!(h.state().search_matches.contains(&target));
        h.get_by_label_contains(&format!("start with {}:", &target[..n - 1]));
    }
    h.state_mut().search = "0xzzzz".to_owned();
    h.state_mut().run_search();
    assert!(h.state().notices.iter().any(|m| m.text.contains("no address in the ledger starts with it")));
}
