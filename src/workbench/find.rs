//! "Find the other side", headless: which hop finders ([`crate::analysis`]) answer a node or a
//! hop, running them with the case's mixers as settings, keeping to the node's own deposits,
//! and ranking what they found. The window runs it on a background thread
//! ([`crate::ui::finder`]), `hoptrace suggest` (without `--finder`) in the foreground: the same
//! planning and the same answer.

use std::collections::BTreeSet;

use crate::analysis::{self, Candidate, FinderError, FinderKind, Settings, Start};
use crate::case::{Case, NodeKey};
use crate::ledger::{FlowLedger, canonical_address};
use crate::model::{Category, HopStatus};

/// Where a search for the other side starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindTarget {
    /// A node of the graph, with its category on the graph.
    Node(NodeKey, Category),
    /// A hop of the case.
    Hop(u64),
}

impl FindTarget {
    /// "mixer 0x1234…abcd", "hop #3".
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            FindTarget::Node(key, category) => format!("{} {}", category.name(), key.describe()),
            FindTarget::Hop(id) => format!("hop #{id}"),
        }
    }
}

/// What one search found.
#[derive(Debug, Clone)]
pub struct FinderResults {
    /// Where it started.
    pub target: FindTarget,
    /// The finders that ran.
    pub finders: Vec<FinderKind>,
    /// Candidates, best first.
    pub candidates: Vec<Candidate>,
    /// What the finders could not do (one line each), shown with the results.
    pub remarks: Vec<String>,
}

/// Which finders answer a target, and whether candidates must deposit into the node itself.
#[must_use]
pub fn plan(target: &FindTarget) -> (Vec<FinderKind>, bool) {
    use FinderKind::{Bridge, CoinJoin, Custodial, MultiChain, Pool};
    match target {
        FindTarget::Node(NodeKey::Address { .. }, Category::Mixer) => (vec![Pool, Custodial, CoinJoin], true),
        FindTarget::Node(NodeKey::Address { .. }, Category::Bridge) => (vec![Bridge], true),
        FindTarget::Node(NodeKey::Tx { .. }, _) => (vec![CoinJoin], true),
        _ => (vec![Pool, Custodial, Bridge, CoinJoin, MultiChain], false),
    }
}

/// Runs the finders [`plan`] names for `target` against `ledger`: what the window's background
/// thread and `hoptrace suggest` without `--finder` do.
///
/// # Errors
/// A ledger failure or a target the ledger does not know.
pub fn find_other_side<L: FlowLedger>(
    ledger: &L,
    case: &Case,
    target: &FindTarget,
) -> Result<FinderResults, FinderError> {
    find_other_side_with(ledger, case, target, Settings::default())
}

/// [`find_other_side`] with `settings` (windows, rates, pools and services not labelled in the
/// ledger: the command line's options); the case's mixer labels are added to them.
///
/// # Errors
/// A ledger failure or a target the ledger does not know.
pub fn find_other_side_with<L: FlowLedger>(
    ledger: &L,
    case: &Case,
    target: &FindTarget,
    settings: Settings,
) -> Result<FinderResults, FinderError> {
    let (finders, into_node) = plan(target);
    let settings = with_case_mixers(settings, case);
    let start = match target {
        FindTarget::Hop(id) => Start::for_hop(ledger, case, *id),
        FindTarget::Node(NodeKey::Address { address, .. }, _) if !into_node => {
            Start::for_address(ledger, case, address)
        }
        FindTarget::Node(..) => Start::from_case(ledger, case),
    }?;
    let mut remarks = Vec::new();
    let mut candidates = Vec::new();
    for kind in &finders {
        match analysis::run(*kind, ledger, &start, &settings) {
            Ok(found) => candidates.extend(found),
            Err(e) => remarks.push(format!("{} finder: {e}", kind.name())),
        }
    }
    if into_node && let FindTarget::Node(key, _) = target {
        let before = candidates.len();
        let ids: Vec<i64> = candidates.iter().flat_map(|c| c.inbound.iter().chain(&c.outbound).copied()).collect();
        let rows = ledger.transfers_by_id(&ids)?;
        let touching: BTreeSet<i64> = rows
            .iter()
            .filter(|r| match key {
                NodeKey::Address { chain, address } => {
                    r.transfer.chain == *chain
                        && [&r.transfer.to, &r.transfer.from]
                            .into_iter()
                            .flatten()
                            .any(|a| canonical_address(a) == canonical_address(address))
                }
                NodeKey::Tx { chain, hash } => r.transfer.chain == *chain && r.transfer.tx_hash == *hash,
                NodeKey::Aggregate(_) => false,
            })
            .map(|r| r.id)
            .collect();
        candidates.retain(|c| c.inbound.iter().any(|id| touching.contains(id)));
        if candidates.len() < before {
            remarks.push(format!(
                "{} candidate(s) of the case's other deposits left out (they do not go through {})",
                before - candidates.len(),
                key.describe()
            ));
        }
    }
    analysis::candidate::sort_ranked(&mut candidates);
    Ok(FinderResults { target: target.clone(), finders, candidates, remarks })
}

/// Whether the case already holds `c` (the same transfers in and out), or a hop on the same
/// deposits that was not rejected.
#[must_use]
pub fn already_in_case(case: &Case, c: &Candidate) -> bool {
    case.hops.values().any(|h| h.inbound == c.inbound && (h.outbound == c.outbound || h.status != HopStatus::Rejected))
}

/// `settings` with the addresses the case labels as mixers added to its mixers (the finders
/// take their deposits as mixer deposits).
#[must_use]
pub fn with_case_mixers(mut settings: Settings, case: &Case) -> Settings {
    for l in case.labels.values().filter(|l| l.category == Category::Mixer) {
        if let NodeKey::Address { chain, address } = &l.node {
            settings.mixers.insert((chain.clone(), address.clone()));
        }
    }
    settings
}
