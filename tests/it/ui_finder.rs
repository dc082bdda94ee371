//! "Find the other side" in the window: the finders run off the UI thread from a hop or a node,
//! their candidates come back with score and rationale, an added candidate is a suggested hop
//! drawn dashed, and accepting or rejecting it is an audited command (egui_kittest, through
//! AccessKit labels).
#![cfg(feature = "gui")]

use crate::common;

use common::ui::{demo_app, demo_case, harness, step_until};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use hoptrace::analysis::FinderKind;
use hoptrace::case::NodeKey;
use hoptrace::ledger::{Ledger, SqliteLedger};
use hoptrace::model::{Category, HopKind, HopStatus};
use hoptrace::ui::WorkbenchApp;
use hoptrace::ui::files::FakeDialogs;
use hoptrace::ui::finder::{FindTarget, find_other_side};

fn hop_id(app: &WorkbenchApp, kind: &str) -> u64 {
    let s = app.session.as_ref().expect("case");
    s.inv.case().hops.iter().find(|(_, h)| h.kind.name() == kind).map(|(id, _)| *id).expect("a hop of that kind")
}

#[test]
fn from_a_hop_the_suggestions_become_a_dashed_hop_that_can_be_rejected_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path());
    let bridge = hop_id(&app, "bridge");
    app.selected_hop = Some(bridge);
    let mut h = harness(app);
    let hops_before = h.state().session.as_ref().expect("case").inv.case().hops.len();

    // The hop inspector's button starts the search; the window stays responsive meanwhile.
    h.get_by_label("Find the other side").click();
    h.step();
    assert!(h.state().finding.is_some() || h.state().suggestions.is_some(), "a search started");
    step_until(&mut h, 60, "the finders", |a| a.finding.is_none());
    let results = h.state().suggestions.clone().expect("results arrived");
    assert_eq!(results.target, FindTarget::Hop(bridge));
    assert!(!results.candidates.is_empty(), "the bridge's Bitcoin recipient went on to the custodial mixer");
    let best = results.candidates.iter().find(|c| c.rank == 1).expect("a first-ranked candidate").clone();
    assert!(best.rationale.contains("bps"), "the rationale states its numbers: {}", best.rationale);
    assert!(h.query_by_label_contains("Suggestions: other side of hop #").is_some(), "the suggestions window");

    h.get_by_label_contains("Add the best of each deposit").click();
    h.run();
    let (id, hop) = {
        let case = h.state().session.as_ref().expect("case").inv.case();
        assert!(case.hops.len() > hops_before, "the candidate was recorded");
        let (id, hop) = case.hops.iter().next_back().expect("a hop");
        assert_eq!(case.audit.last().map(|e| e.command.name()), Some("annotate hop"));
        (*id, hop.clone())
    };
    assert_eq!(hop.status, HopStatus::Suggested);
    assert_eq!(hop.inbound, best.inbound);
    assert_eq!(hop.outbound, best.outbound);
    assert!(hop.author.ends_with("finder"), "authored by the finder: {}", hop.author);
    // Its transfers are on the graph and its mark is drawn (dashed: suggested).
    let mark = format!("hop #{id} {}", hoptrace::ui::canvas::hop_label(&hop));
    assert!(h.query_by_label(&mark).is_some(), "the suggested hop's mark {mark:?} is on the canvas");
    assert!(hoptrace::ui::canvas::hop_style(hop.status, false).dashed);
    // Adding the same candidate again is offered no more.
    assert!(
        h.get_by_label_contains("Add the best of each deposit").accesskit_node().is_disabled()
            || results.candidates.len() == 1
    );

    // Select it (its mark may lie under the suggestions window), give a reason and reject it:
    // the hop stays, rejected, with the reason.
    h.get_by_label(&mark).click_accesskit();
    h.run();
    assert_eq!(h.state().selected_hop, Some(id));
    let reason = h.get_by_role_and_label(Role::TextInput, "Why reject:");
    reason.focus();
    reason.type_text("payout goes to an unrelated exchange user");
    h.run();
    h.get_by_label("Reject hop").click();
    h.run();
    let case = h.state().session.as_ref().expect("case").inv.case();
    let rejected = &case.hops[&id];
    assert_eq!(rejected.status, HopStatus::Rejected);
    assert_eq!(
        rejected.features.get("rejected_because").map(String::as_str),
        Some("payout goes to an unrelated exchange user")
    );
    assert_eq!(case.audit.last().map(|e| e.command.name()), Some("reject hop"));
    assert!(case.verify_audit().is_ok());
}

#[test]
fn a_suggestion_is_accepted_from_the_inspector_and_undone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = demo_app(dir.path());
    let bridge = hop_id(&app, "bridge");
    app.selected_hop = Some(bridge);
    let mut h = harness(app);
    h.get_by_label("Find the other side").click();
    h.step();
    step_until(&mut h, 60, "the finders", |a| a.finding.is_none());
    h.get_by_label_contains("Add the best of each deposit").click();
    h.run();
    let id = *h.state().session.as_ref().expect("case").inv.case().hops.keys().next_back().expect("hop");
    h.state_mut().selected_hop = Some(id);
    h.run();
    h.get_by_label("Accept hop").click();
    h.run();
    let case = h.state().session.as_ref().expect("case").inv.case();
    assert_eq!(case.hops[&id].status, HopStatus::Accepted);
    assert_eq!(case.audit.last().map(|e| e.command.name()), Some("accept hop"));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().session.as_ref().expect("case").inv.case().hops[&id].status, HopStatus::Suggested);
}

#[test]
fn from_a_mixer_node_only_deposits_into_that_mixer_are_matched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case_path = demo_case(dir.path());
    let mut app = WorkbenchApp::new(Box::new(FakeDialogs::default()));
    app.open(&case_path);
    let pool = {
        let s = app.session.as_ref().expect("case");
        s.graph.graph.node_weights().find(|n| n.category == Category::Mixer).map(|n| n.key.clone()).expect("a pool")
    };
    let NodeKey::Address { chain, address } = pool.clone() else { panic!("the pool is an address") };
    let mut h = harness(app);
    // From the node's context menu, as an investigator would.
    h.state_mut().select(&pool);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::F);
    h.step();
    step_until(&mut h, 60, "the finders", |a| a.finding.is_none());
    let results = h.state().suggestions.clone().expect("results");
    assert_eq!(results.finders, vec![FinderKind::Pool, FinderKind::Custodial, FinderKind::CoinJoin]);
    assert!(!results.candidates.is_empty(), "the case deposited into the pool");
    let ledger = SqliteLedger::open(&dir.path().join("demo-ledger.sqlite")).expect("ledger");
    for c in &results.candidates {
        assert!(matches!(c.kind, HopKind::Mixer { .. }), "{:?}", c.kind);
        let rows = ledger.transfers_by_id(&c.inbound).expect("rows");
        assert!(
            rows.iter().any(|r| r.transfer.chain == chain && r.transfer.to.as_deref() == Some(address.as_str())),
            "candidate {} deposits elsewhere",
            c.subject
        );
    }
    // The window's answer is the headless one.
    let case = hoptrace::case::file::load(&case_path).expect("case");
    let headless = find_other_side(&ledger, &case, &results.target).expect("headless");
    assert_eq!(headless.candidates, results.candidates);
}
