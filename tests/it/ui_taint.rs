//! Value tracing in the window: "taint" in the palette opens it, Trace runs the same code as
//! `hoptrace taint` off the UI thread, and the results (endpoints, what stays, the exact
//! conservation check) are shown and can select the endpoints on the graph (egui_kittest,
//! through AccessKit labels).
#![cfg(feature = "gui")]

use crate::common;

use common::ui::{demo_app, harness, step_until};
use egui_kittest::kittest::{NodeT, Queryable};
use hoptrace::analysis::taint::{AssetFlow, Method};
use hoptrace::ui::actions::Action;
use hoptrace::workbench::trace::{case_options, trace_case};

#[test]
fn the_palette_opens_value_tracing_and_its_results_match_the_cli_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path());
    // "taint" in the palette finds the action (it used to find nothing).
    let found: Vec<Action> = Action::all().filter(|a| a.text().to_lowercase().contains("taint")).collect();
    assert_eq!(found, [Action::TraceValue]);
    app.run_action(Action::TraceValue);
    let mut h = harness(app);
    assert!(h.query_by_label("Trace value from the seeds").is_some(), "the window is open");
    h.get_by_label("fifo").click();
    h.run();
    h.get_by_label("Trace").click();
    h.step();
    step_until(&mut h, 120, "the trace", |a| !a.taint.is_running());
    let report = match h.state().taint.result().cloned().expect("a result") {
        Ok(r) => r,
        Err(e) => panic!("trace failed: {e}"),
    };
    assert_eq!(report.method, Method::Fifo);
    assert!(!report.flows.is_empty(), "the exploiters' value went somewhere");
    assert!(report.flows.iter().all(AssetFlow::is_conserved));
    // The window shows each asset's conservation line, exact.
    let lines: Vec<String> = h
        .query_all_by_label_contains("conservation: seeded")
        .filter_map(|n| n.value().or_else(|| n.accesskit_node().label()))
        .collect();
    assert_eq!(lines.len(), report.flows.len(), "{lines:?}");
    assert!(lines.iter().all(|l| l.ends_with(": exact")), "{lines:?}");

    // The same trace headless, as `hoptrace taint --method fifo` runs it, gives the same report.
    let (case, source) = {
        let s = h.state().session.as_ref().expect("case");
        (s.inv.case().clone(), hoptrace::ledger::ReadLedger::source(s.inv.ledger()))
    };
    let ledger = source.open().expect("ledger");
    let cli = trace_case(&ledger, &case, &case_options(&case, Method::Fifo, 6, false)).expect("trace");
    let amounts = |r: &hoptrace::analysis::taint::TaintReport| -> Vec<(String, String, String, Vec<String>)> {
        r.flows
            .iter()
            .map(|f| {
                (
                    f.chain.clone(),
                    f.asset.clone(),
                    f.reached.to_string(),
                    f.endpoints.iter().map(|e| format!("{}={}", e.node.describe(), e.amount)).collect(),
                )
            })
            .collect()
    };
    assert_eq!(amounts(&report), amounts(&cli));

    // Endpoints on the graph can be selected from the window (the demo's first view shows some).
    h.get_by_label_contains("Select endpoints on the graph (").click();
    h.run();
    let selected = h.state().canvas.selection().clone();
    assert!(!selected.is_empty(), "endpoints on the graph were selected");
    let endpoints: Vec<_> = report.flows.iter().flat_map(|f| f.endpoints.iter().map(|e| e.node.clone())).collect();
    assert!(selected.iter().all(|k| endpoints.contains(k)), "only endpoints: {selected:?}");

    // Another case opened: the result, which described this one, is gone; the settings stay.
    let other = tempfile::tempdir().expect("tempdir");
    h.state_mut().open(&common::ui::demo_case(other.path()));
    h.run();
    assert!(h.state().taint.result().is_none());
    assert_eq!(h.state().taint.method, Method::Fifo);
}

#[test]
fn paths_between_two_selected_addresses_match_the_cli_code() {
    use hoptrace::analysis::paths::{PathOptions, find};
    use hoptrace::case::NodeKey;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path());
    // A seed and an address it paid directly, both on the graph.
    let (seed, paid) = {
        let s = app.session.as_ref().expect("case");
        let g = &s.graph.graph;
        let seed = s.inv.case().seeds.iter().find(|k| matches!(k, NodeKey::Address { .. })).cloned().expect("seed");
        let i = s.graph.index[&seed];
        let paid = g
            .edges_directed(i, petgraph::Direction::Outgoing)
            .map(|e| g[petgraph::visit::EdgeRef::target(&e)].key.clone())
            .find(|k| matches!(k, NodeKey::Address { .. }) && *k != seed)
            .expect("an address the seed paid");
        (seed, paid)
    };
    assert!(!app.action_enabled(Action::FindPaths), "two addresses must be selected");
    app.canvas.select_many([seed.clone(), paid.clone()]);
    assert!(app.action_enabled(Action::FindPaths));
    app.run_action(Action::FindPaths);
    let mut h = harness(app);
    step_until(&mut h, 120, "the path search", |a| !a.paths.is_running());
    assert!(h.query_by_label("Paths between two addresses").is_some(), "the window is open");
    let both = match h.state().paths.result().cloned().expect("a result") {
        Ok(r) => r,
        Err(e) => panic!("paths failed: {e}"),
    };
    assert_eq!(both.len(), 2, "both directions");
    let (NodeKey::Address { chain, address: s_addr }, NodeKey::Address { address: p_addr, .. }) = (&seed, &paid) else {
        panic!("addresses")
    };
    let forward = both.iter().find(|(f, t, _)| f == s_addr && t == p_addr).expect("seed → paid");
    let shortest = forward.2.shortest.as_ref().expect("a path from the seed to whom it paid");
    assert_eq!(shortest.hops.len(), 1, "paid directly");
    // The same search headless, as `hoptrace paths` runs it.
    let source = {
        let s = h.state().session.as_ref().expect("case");
        hoptrace::ledger::ReadLedger::source(s.inv.ledger())
    };
    let ledger = source.open().expect("ledger");
    let cli =
        find(&ledger, chain, s_addr, p_addr, &PathOptions { max_hops: 6, ..PathOptions::default() }).expect("find");
    assert_eq!(cli.shortest.as_ref().map(|p| p.hops.len()), Some(1));
    assert_eq!(cli.widest.len(), forward.2.widest.len());
    // Selecting the shortest path selects both ends.
    h.state_mut().canvas.select_many(Vec::<NodeKey>::new());
    h.get_all_by_label("Select this path on the graph (shortest)").next().expect("button").click();
    h.run();
    let selected = h.state().canvas.selection().clone();
    assert!(selected.contains(&seed) && selected.contains(&paid), "{selected:?}");
}

#[test]
fn a_peel_chain_followed_in_the_window_is_added_as_one_command() {
    use hoptrace::analysis::peel::{PeelOptions, follow};
    use hoptrace::case::NodeKey;
    use hoptrace::graph::Command;
    use hoptrace::scenario::{ScenarioConfig, generate};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path());
    // The demo's ground truth: the attacker's first peel chain on Bitcoin.
    let truth = generate(&ScenarioConfig::small()).expect("scenario").truth;
    let chain = truth.peel_chains.first().expect("a peel chain").clone();
    app.command(Command::AddSeed { chain: "bitcoin".into(), address: chain.start_address.clone() });
    let start = NodeKey::address("bitcoin", chain.start_address.clone());
    app.canvas.select_many([start.clone()]);
    assert!(app.action_enabled(Action::FollowPeel), "one Bitcoin address selected");
    app.canvas.select_many(Vec::<NodeKey>::new());
    // From the node's context menu (the Hops menu and Ctrl+Shift+K run the same action).
    let mut h = harness(app);
    // The node on the canvas (the case panel lists the seed under the same name, on the left).
    let label = start.describe();
    let on_canvas = h.get_all_by_label(&label).max_by(|a, b| a.rect().min.x.total_cmp(&b.rect().min.x)).expect("node");
    on_canvas.click_secondary();
    h.run();
    h.get_by_label("Follow the peel chain from here").click();
    h.run();
    step_until(&mut h, 120, "the peel chain", |a| !a.peel.is_running());
    assert_eq!(h.state().canvas.selection().iter().collect::<Vec<_>>(), [&start], "the node it runs from");
    assert!(h.query_by_label("Peel chain").is_some(), "the window is open");
    let r = match h.state().peel.result().cloned().expect("a result") {
        Ok(r) => r,
        Err(e) => panic!("peel failed: {e}"),
    };
    // The same as `hoptrace peel`, and as deep as the ground truth.
    let source = {
        let s = h.state().session.as_ref().expect("case");
        hoptrace::ledger::ReadLedger::source(s.inv.ledger())
    };
    let ledger = source.open().expect("ledger");
    let now = jiff::Timestamp::now().as_second();
    let cli = follow(&ledger, "bitcoin", &chain.start_address, &PeelOptions { now, ..PeelOptions::default() })
        .expect("follow");
    let txs =
        |r: &hoptrace::analysis::peel::PeelChainResult| r.steps.iter().map(|s| s.tx_hash.clone()).collect::<Vec<_>>();
    assert_eq!(txs(&r), txs(&cli));
    let truth_txs: Vec<String> = chain.steps.iter().map(|s| s.tx_hash.clone()).collect();
    assert_eq!(txs(&r), truth_txs, "every step of the ground truth, in order");
    // Added as suggested hops: one command, one audit entry, one undo step.
    let (hops, audit) = {
        let c = h.state().session.as_ref().expect("case").inv.case();
        (c.hops.len(), c.audit.len())
    };
    h.get_by_label_contains("steps as suggested hops").click();
    h.run();
    h.state_mut().finish_applying();
    let c = h.state().session.as_ref().expect("case").inv.case();
    assert_eq!(c.hops.len(), hops + r.steps.len());
    assert_eq!(c.audit.len(), audit + 1);
}
