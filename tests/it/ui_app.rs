//! The workbench window driven through AccessKit labels (egui_kittest, no GPU): open the demo
//! case, expand a node from its context menu, annotate a mixer hop through the dialog and
//! find it in the case, undo it, search an address, import a file with the fake dialog.
#![cfg(feature = "gui")]

use crate::common;

use std::path::PathBuf;

use common::ui::{demo_app, demo_case, harness};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use hoptrace::case::NodeKey;
use hoptrace::model::Category;
use hoptrace::ui::WorkbenchApp;
use hoptrace::ui::files::FakeDialogs;
use petgraph::visit::EdgeRef;

fn node_of(app: &WorkbenchApp, category: Category) -> NodeKey {
    let s = app.session.as_ref().expect("a case is open");
    s.graph
        .graph
        .node_weights()
        .find(|n| n.category == category)
        .map(|n| n.key.clone())
        .expect("a node of that category")
}

#[test]
fn expand_annotate_undo_search_and_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = demo_case(dir.path());
    let sample = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/cases/demo/exports/tronscan-usdt-cashout.csv"));
    let dialogs = FakeDialogs { import: vec![vec![sample]], ..FakeDialogs::default() };
    let mut app = WorkbenchApp::new(Box::new(dialogs));
    app.open(&case);
    let mut h = harness(app);
    let before = h.state().node_count();
    assert!(before > 5, "the demo case is open: {before} nodes");

    // Expand the pool from its context menu: its withdrawals come onto the graph.
    let pool = node_of(h.state(), Category::Mixer);
    h.state_mut().canvas.focus(&pool);
    h.run();
    h.get_by_label(&pool.describe()).click_secondary();
    h.run();
    h.get_by_label("Expand out").click();
    // (`step`, not `run`: the window repaints while the expansion is applied.)
    h.step();
    // Expansions are applied on a background thread while the window goes on drawing.
    assert!(h.state().is_applying() || h.state().node_count() > before, "the expansion started");
    h.state_mut().finish_applying();
    h.run();
    let after = h.state().node_count();
    assert!(after > before, "expanding the pool adds nodes: {before} → {after}");

    // Tick one transfer into the pool (selecting its sender) and one out of it (selecting the
    // recipient): nodes with few transfers, so their tables are short.
    let ((sender, inbound), (recipient, outbound)) = {
        let s = h.state().session.as_ref().expect("case");
        let g = &s.graph.graph;
        let idx = s.graph.index[&pool];
        let transfers_of = |n| -> usize {
            g.edges_directed(n, petgraph::Direction::Incoming)
                .chain(g.edges_directed(n, petgraph::Direction::Outgoing))
                .map(|e| e.weight().transfers.len())
                .sum()
        };
        let small_in = g
            .edges_directed(idx, petgraph::Direction::Incoming)
            .find(|e| !e.weight().transfers.is_empty() && transfers_of(e.source()) <= 4)
            .map(|e| (g[e.source()].key.clone(), e.weight().transfers[0]))
            .expect("a depositor with few transfers");
        // A withdrawal after the deposit: a hop never runs against time.
        let time = |id: i64| s.inv.transfer(id).and_then(|r| r.transfer.time);
        let small_out = g
            .edges_directed(idx, petgraph::Direction::Outgoing)
            .find(|e| {
                !e.weight().transfers.is_empty()
                    && transfers_of(e.target()) <= 4
                    && time(e.weight().transfers[0]) >= time(small_in.1)
            })
            .map(|e| (g[e.target()].key.clone(), e.weight().transfers[0]))
            .expect("a recipient with few transfers");
        (small_in, small_out)
    };
    // The demo's pool hop is accepted: a hop sharing its deposit or withdrawal would count value
    // twice and is refused. The investigator rules it out first, as one re-marking it would.
    let conflicting: Vec<u64> = h.state().session.as_ref().map_or_else(Vec::new, |s| {
        s.inv
            .case()
            .hops
            .iter()
            .filter(|(_, hop)| hop.status == hoptrace::model::HopStatus::Accepted)
            .filter(|(_, hop)| hop.inbound.contains(&inbound) || hop.outbound.contains(&outbound))
            .map(|(id, _)| *id)
            .collect()
    });
    for id in conflicting {
        h.state_mut().command(hoptrace::graph::Command::RejectHop { id, why: Some("re-marked by hand".into()) });
        h.state_mut().apply_pending();
    }
    h.run();
    let hops_before = h.state().session.as_ref().map_or(0, |s| s.inv.case().hops.len());
    h.state_mut().select(&sender);
    h.run();
    h.get_by_label(&format!("in #{inbound}")).click_accesskit();
    h.run();
    h.state_mut().select(&recipient);
    h.run();
    h.get_by_label(&format!("out #{outbound}")).click_accesskit();
    h.run();
    assert!(
        h.state().pick.inbound.contains(&inbound) && h.state().pick.outbound.contains(&outbound),
        "both transfers ticked"
    );
    h.get_by_label("Mark as mixer hop…").click();
    h.run();
    assert!(h.state().dialog.is_some(), "the hop dialog is open");
    // A text input is named by its label (labelled_by): query it by role, not the label itself.
    let rationale = "Rationale (amounts, delays, fees, denominations, reuse)";
    // The service comes from the label of the address the deposit goes to, and the dialog lists
    // each picked transfer with its amount and the sums.
    let prefilled = match &h.state().dialog {
        Some(hoptrace::ui::dialogs::Dialog::Hop { service, .. }) => service.clone(),
        _ => panic!("the hop dialog"),
    };
    assert_eq!(prefilled, "Tornado-style pool 100 ETH (synthetic)");
    assert!(h.query_all_by_label_contains(&format!("#{inbound}  ")).next().is_some(), "the inbound transfer listed");
    assert!(h.query_all_by_label_contains("Sum: ").count() >= 2, "a sum for each side");
    h.get_by_role_and_label(Role::MultilineTextInput, rationale).focus();
    h.run();
    h.get_by_role_and_label(Role::MultilineTextInput, rationale).type_text("same denomination, withdrawn a day later");
    h.run();
    h.get_by_label("Record hop").click();
    h.run();
    {
        let s = h.state().session.as_ref().expect("case");
        let hops = &s.inv.case().hops;
        let notices: Vec<&str> = h.state().notices.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(hops.len(), hops_before + 1, "notices: {notices:?}, dialog open: {}", h.state().dialog.is_some());
        let hop = hops.values().next_back().expect("the new hop");
        assert_eq!((hop.inbound.clone(), hop.outbound.clone()), (vec![inbound], vec![outbound]));
        assert_eq!(hop.kind.service(), Some("Tornado-style pool 100 ETH (synthetic)"));
    }
    // Accepting the ruled-out hop again would count value twice: the window shows the refusal.
    let rejected: Vec<u64> = h.state().session.as_ref().map_or_else(Vec::new, |s| {
        let case = s.inv.case();
        let new = case.hops.values().next_back().expect("the new hop");
        case.hops
            .iter()
            .filter(|(_, hop)| hop.status == hoptrace::model::HopStatus::Rejected)
            .filter(|(_, hop)| !hoptrace::graph::hop_rules::shared_transfers(hop, new).is_empty())
            .map(|(id, _)| *id)
            .collect()
    });
    let Some(&old) = rejected.first() else { panic!("the demo's pool hop shares the deposit or withdrawal ticked") };
    {
        h.state_mut().command(hoptrace::graph::Command::accept_hop(old));
        h.state_mut().apply_pending();
        h.run();
        let notices: Vec<&str> = h.state().notices.iter().map(|n| n.text.as_str()).collect();
        assert!(
            notices.iter().any(|n| n.starts_with(&format!("accept hop: accepting hop #{old} would count value twice"))),
            "{notices:?}"
        );
    }

    // Undo it from the top bar.
    h.get_by_label("Undo").click();
    h.run();
    assert_eq!(h.state().session.as_ref().map_or(0, |s| s.inv.case().hops.len()), hops_before);

    // Search an address on the graph by its prefix: it gets selected.
    let NodeKey::Address { address, .. } = &pool else { panic!("the pool is an address") };
    h.get_by_role_and_label(Role::TextInput, "Search").focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Search").type_text(&address[..12]);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().canvas.selection().contains(&pool));

    // Import a file through the (fake) dialog: the ledger grows and the case is rebound.
    let batches = |app: &WorkbenchApp| {
        app.session
            .as_ref()
            .map_or(0, |s| hoptrace::ledger::Ledger::info(s.inv.ledger()).map_or(0, |i| i.batches.len()))
    };
    let n = batches(h.state());
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import files… Ctrl+I").click();
    h.run();
    // The import runs on a background thread with a progress bar; wait for it.
    let started = std::time::Instant::now();
    while h.state().importing.is_some() && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    assert!(h.state().importing.is_none(), "the import finished");
    h.run();
    assert_eq!(batches(h.state()), n + 1);
    let s = h.state().session.as_ref().expect("case");
    assert_eq!(
        hoptrace::ledger::Ledger::fingerprint(s.inv.ledger()).ok().as_ref(),
        Some(&s.inv.case().ledger.fingerprint)
    );
    assert!(s.inv.case().verify_audit().is_ok());
}

#[test]
fn after_a_crash_the_autosaved_work_is_offered_and_restored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = demo_case(dir.path());
    let saved_entries;
    {
        let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
        app.open(&case);
        saved_entries = app.session.as_ref().map_or(0, |s| s.inv.case().audit.len());
        let pool = node_of(&app, Category::Mixer);
        app.command(hoptrace::graph::Command::Pin { node: pool });
        app.apply_pending();
        assert!(app.session.as_ref().is_some_and(|s| s.dirty));
        // The window dies here without saving.
    }
    assert!(hoptrace::case::file::recovery_path(&case).exists(), "every command autosaves");
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.set_examiner("R. Restorer");
    app.open(&case);
    assert_eq!(app.session.as_ref().map(|s| s.inv.case().audit.len()), Some(saved_entries), "the saved case opens");
    let mut h = harness(app);
    h.get_by_label("Restore autosaved version").click();
    h.run();
    let s = h.state().session.as_ref().expect("case");
    assert_eq!(s.inv.case().audit.len(), saved_entries + 1, "the pin is back");
    assert!(s.dirty, "restored work is unsaved until saved");
    assert!(s.inv.case().verify_audit().is_ok());
    // Work after restoring is recorded under this window's examiner (the restored investigation
    // used to record it under the case's creator).
    assert_eq!(s.inv.actor(), "R. Restorer");
    assert_ne!(s.inv.case().investigator, "R. Restorer");
}

#[test]
fn arranging_runs_off_the_ui_thread_and_undoes_in_one_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = demo_case(dir.path());
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.open(&case);
    let before = app.session.as_ref().map(|s| s.inv.case().nodes.clone()).expect("case");
    let mut h = harness(app);
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Arrange: force layout").click();
    // The spinner repaints while the layout thread works: step frames until its result lands.
    for _ in 0..500 {
        h.step();
        if h.state().arranging.is_none() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run();
    let s = h.state().session.as_ref().expect("case");
    assert_eq!(s.inv.case().audit.last().map(|e| e.command.name()), Some("arrange"));
    assert_ne!(s.inv.case().nodes, before, "the layout moved nodes");
    h.get_by_label("Undo").click();
    h.run();
    assert_eq!(
        h.state().session.as_ref().map(|s| s.inv.case().nodes.clone()),
        Some(before),
        "one undo restores every position"
    );
}

#[test]
fn the_first_fit_fills_the_settled_canvas_until_the_user_moves_the_view() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    let first = h.state().canvas.zoom();
    h.state_mut().canvas.request_fit();
    h.run();
    let refit = h.state().canvas.zoom();
    assert!((first - refit).abs() < 1e-4, "the opening fit ({first}) is the fit of the settled canvas ({refit})");
    // Once the user zooms, a change of the canvas area does not refit.
    h.state_mut().canvas.zoom_by(2.0);
    h.state_mut().prefs.legend = !h.state().prefs.legend;
    h.run();
    assert!((h.state().canvas.zoom() - refit * 2.0).abs() < 1e-3, "the user's zoom is kept");
}

#[test]
fn a_click_right_after_the_fit_stops_it_following_the_canvas_area() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(demo_app(dir.path()));
    h.state_mut().canvas.request_fit();
    h.step();
    let fitted = h.state().canvas.zoom();
    // The user clicks on the canvas (in egui's reactive loop the settle frames can last seconds).
    let at = egui::pos2(700.0, 150.0);
    h.event(egui::Event::PointerMoved(at));
    for pressed in [true, false] {
        let button = egui::PointerButton::Primary;
        h.event(egui::Event::PointerButton { pos: at, button, pressed, modifiers: egui::Modifiers::NONE });
        h.step();
    }
    // Then the canvas area changes (as when the inspector widens for what was clicked): the view
    // stays as the user saw it.
    h.set_size(egui::vec2(1300.0, 1000.0));
    h.run();
    assert!((h.state().canvas.zoom() - fitted).abs() < 1e-4, "refitted from {fitted} to {}", h.state().canvas.zoom());
}
