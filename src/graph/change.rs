//! Primitive changes to a case. A command is planned as a list of [`Change`]s; applying a
//! change returns the change that restores what it replaced, so undo is exact by
//! construction: undoing a command applies the inverses in reverse order.

use crate::case::{Aggregate, Case, CaseLabel, Entity, NodeKey, NodeView, Note};
use crate::model::Hop;

/// Set one piece of a case to a value (`None` removes it).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The seed list.
    Seeds(Vec<NodeKey>),
    /// A node and its view state.
    Node(NodeKey, Option<NodeView>),
    /// Whether a ledger transfer is on the graph.
    Transfer(i64, bool),
    /// An aggregate node's summary.
    Aggregate(u64, Option<Aggregate>),
    /// An entity.
    Entity(String, Option<Entity>),
    /// An investigator's label.
    Label(u64, Option<CaseLabel>),
    /// A note.
    Note(u64, Option<Note>),
    /// A hop.
    Hop(u64, Option<Hop>),
    /// The next free id.
    NextId(u64),
    /// The ledger fingerprint the case is bound to.
    Fingerprint(String),
}

fn put<K: Ord, V>(map: &mut std::collections::BTreeMap<K, V>, key: K, value: Option<V>) -> Option<V> {
    match value {
        Some(v) => map.insert(key, v),
        None => map.remove(&key),
    }
}

impl Change {
    /// Applies the change to `case` and returns its inverse.
    pub fn apply(self, case: &mut Case) -> Change {
        match self {
            Change::Seeds(seeds) => Change::Seeds(std::mem::replace(&mut case.seeds, seeds)),
            Change::Node(key, view) => {
                let old = put(&mut case.nodes, key.clone(), view);
                Change::Node(key, old)
            }
            Change::Transfer(id, present) => {
                let was = if present { !case.transfers.insert(id) } else { case.transfers.remove(&id) };
                Change::Transfer(id, was)
            }
            Change::Aggregate(id, agg) => Change::Aggregate(id, put(&mut case.aggregates, id, agg)),
            Change::Entity(name, e) => {
                let old = put(&mut case.entities, name.clone(), e);
                Change::Entity(name, old)
            }
            Change::Label(id, l) => Change::Label(id, put(&mut case.labels, id, l)),
            Change::Note(id, n) => Change::Note(id, put(&mut case.notes, id, n)),
            Change::Hop(id, h) => Change::Hop(id, put(&mut case.hops, id, h)),
            Change::NextId(n) => Change::NextId(std::mem::replace(&mut case.next_id, n)),
            Change::Fingerprint(f) => Change::Fingerprint(std::mem::replace(&mut case.ledger.fingerprint, f)),
        }
    }
}

/// Applies `changes` in order and returns the changes that undo them (in the order to apply).
pub fn apply_all(case: &mut Case, changes: Vec<Change>) -> Vec<Change> {
    let mut inverse: Vec<Change> = changes.into_iter().map(|c| c.apply(case)).collect();
    inverse.reverse();
    inverse
}
