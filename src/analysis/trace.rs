//! Following value forward from the starting addresses to the first labelled service: the
//! deposits the finders then look for the other side of.
//!
//! Breadth first over [`FlowLedger::flows`] (outgoing), at most `depth` hops, only flows at or
//! after the time value reached an address (so the walk moves forward in time). The walk stops
//! at an address labelled as a service (exchange, mixer, bridge, DEX, OTC broker, sanctioned,
//! other service) and records the flow into it; actor and victim labels do not stop it. An
//! address with more than [`MAX_FANOUT`] outgoing flows (a hot wallet) is not walked through,
//! and a starting address labelled as a service is left out.
//! Cost: one indexed query per address walked, O(k log k) for k flows read.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::Start;
use crate::ledger::{Direction, Flow, FlowLedger, LedgerError};
use crate::model::{Category, Label};

/// Addresses with more outgoing flows than this are not walked through.
pub const MAX_FANOUT: usize = 2_000;

/// What the walk found.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Addresses reached (starts included) → hops from the start.
    pub addresses: BTreeMap<(String, String), usize>,
    /// Flows into service addresses, by time.
    pub into_services: Vec<Flow>,
    /// The labels of those services, by (chain, address).
    pub services: BTreeMap<(String, String), Vec<Label>>,
}

impl Reach {
    /// Whether `(chain, address)` was reached (the case's side of the flows).
    #[must_use]
    pub fn contains(&self, chain: &str, address: &str) -> bool {
        self.addresses.contains_key(&(chain.to_owned(), address.to_owned()))
    }

    /// The flows into services whose labels have `category`.
    pub fn into_category(&self, category: Category) -> impl Iterator<Item = &Flow> {
        self.into_services.iter().filter(move |f| {
            f.to.as_ref().is_some_and(|to| {
                self.services
                    .get(&(f.chain.clone(), to.clone()))
                    .is_some_and(|ls| ls.iter().any(|l| l.category == category))
            })
        })
    }
}

/// Whether a label makes an address a service that ends the walk.
#[must_use]
pub fn is_service(category: Category) -> bool {
    !matches!(category, Category::Actor | Category::Victim | Category::Unknown)
}

/// Walks forward from `start` (see the module docs); `stops` are services given by the
/// investigator (unlabelled pool contracts, mixer addresses).
///
/// # Errors
/// A ledger failure.
pub fn reach<L: FlowLedger>(
    ledger: &L,
    start: &Start,
    depth: usize,
    stops: &BTreeSet<(String, String)>,
) -> Result<Reach, LedgerError> {
    let mut out = Reach::default();
    let mut labels: BTreeMap<String, Vec<Label>> = BTreeMap::new();
    let mut label_of = |address: &str| -> Result<Vec<Label>, LedgerError> {
        if let Some(l) = labels.get(address) {
            return Ok(l.clone());
        }
        let l = ledger.labels(address)?;
        labels.insert(address.to_owned(), l.clone());
        Ok(l)
    };
    let mut queue: VecDeque<((String, String), usize, Option<i64>)> = VecDeque::new();
    for key in &start.addresses {
        // A service on the case's graph (a pool, an exchange) is an end, not a start.
        if label_of(&key.1)?.iter().any(|l| l.chain == key.0 && is_service(l.category)) {
            continue;
        }
        out.addresses.insert(key.clone(), 0);
        queue.push_back((key.clone(), 0, None));
    }
    let mut seen_flows: BTreeSet<i64> = BTreeSet::new();
    while let Some(((chain, address), d, since)) = queue.pop_front() {
        if d >= depth {
            continue;
        }
        let flows: Vec<Flow> =
            ledger.flows(&address, Direction::Out, since, None)?.into_iter().filter(|f| f.chain == chain).collect();
        if flows.len() > MAX_FANOUT {
            continue;
        }
        for f in flows {
            let Some(to) = f.to.clone() else { continue };
            if !seen_flows.insert(f.id) {
                continue;
            }
            let key = (f.chain.clone(), to.clone());
            let service: Vec<Label> =
                label_of(&to)?.into_iter().filter(|l| l.chain == f.chain && is_service(l.category)).collect();
            if !service.is_empty() || stops.contains(&key) {
                out.services.insert(key, service);
                out.into_services.push(f);
                continue;
            }
            if !out.addresses.contains_key(&key) {
                out.addresses.insert(key.clone(), d + 1);
                queue.push_back((key, d + 1, f.time));
            }
        }
    }
    out.into_services.sort_by_key(|f| (f.time, f.id));
    Ok(out)
}
