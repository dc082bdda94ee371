//! Planning a command: checking it against the case and the ledger and turning it into
//! [`Change`]s, without changing anything.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::change::Change;
use super::investigation::{CommandError, Investigation};
use super::{Command, endpoints, hop_rules};
use crate::case::{Aggregate, CaseFilter, CaseLabel, Entity, ExpandDirection, NodeKey, NodeView, Note, NoteTarget};
use crate::layout::placement::{Occupancy, STEP_X, STEP_Y, expansion_spots, free_slot};
use crate::ledger::{Direction, Ledger};
use crate::model::{Hop, HopStatus, TransferKind, registry};

impl<L: Ledger> Investigation<L> {
    fn node(&self, key: &NodeKey) -> Result<&NodeView, CommandError> {
        self.case.nodes.get(key).ok_or_else(|| CommandError::invalid(format!("{} is not on the graph", key.describe())))
    }

    /// Where the case's nodes are.
    fn occupancy(&self) -> Occupancy {
        let mut taken = Occupancy::default();
        for p in self.case.nodes.values().filter_map(|v| v.position) {
            taken.insert(p);
        }
        taken
    }

    fn fresh_id(&self, taken: u64) -> u64 {
        self.case.next_id + taken
    }

    /// Plans `command` (not Undo/Redo).
    pub(super) fn plan(&mut self, command: &Command) -> Result<Vec<Change>, CommandError> {
        let now_author = self.actor().to_owned();
        match command {
            Command::AddSeed { chain, address } => {
                let address = registry()
                    .normalize_address(chain, address)
                    .map_err(|e| CommandError::invalid(format!("cannot add seed: {e}")))?;
                let key = NodeKey::Address { chain: chain.clone(), address };
                if self.case.seeds.contains(&key) {
                    return Err(CommandError::invalid(format!("{} is already a seed", key.describe())));
                }
                let mut seeds = self.case.seeds.clone();
                seeds.push(key.clone());
                let mut changes = vec![Change::Seeds(seeds)];
                if !self.case.nodes.contains_key(&key) {
                    let taken = self.occupancy();
                    let y = self.case.seeds.len() as f32 * STEP_Y * 4.0;
                    let position = free_slot(0.0, y, &taken);
                    changes.push(Change::Node(key, Some(NodeView { position: Some(position), ..NodeView::default() })));
                }
                Ok(changes)
            }
            Command::Expand { node, direction, filter } => self.plan_expand(node, *direction, filter),
            Command::Collapse { node } => self.plan_collapse(node),
            Command::Hide { node } | Command::Unhide { node } | Command::Pin { node } | Command::Unpin { node } => {
                let mut view = self.node(node)?.clone();
                let (flag, want, word) = match command {
                    Command::Hide { .. } => (&mut view.hidden, true, "hidden"),
                    Command::Unhide { .. } => (&mut view.hidden, false, "shown"),
                    Command::Pin { .. } => (&mut view.pinned, true, "pinned"),
                    _ => (&mut view.pinned, false, "unpinned"),
                };
                if *flag == want {
                    return Err(CommandError::invalid(format!("{} is already {word}", node.describe())));
                }
                *flag = want;
                Ok(vec![Change::Node(node.clone(), Some(view))])
            }
            Command::Move { node, x, y } => {
                if !x.is_finite() || !y.is_finite() {
                    return Err(CommandError::invalid("a position must be a finite number"));
                }
                let mut view = self.node(node)?.clone();
                view.position = Some((*x, *y));
                Ok(vec![Change::Node(node.clone(), Some(view))])
            }
            Command::Arrange { positions, .. } => {
                let mut changes = Vec::new();
                for (node, x, y) in positions {
                    if !x.is_finite() || !y.is_finite() {
                        return Err(CommandError::invalid("a position must be a finite number"));
                    }
                    let Some(view) = self.case.nodes.get(node) else { continue };
                    if view.pinned || view.position == Some((*x, *y)) {
                        continue;
                    }
                    let mut view = view.clone();
                    view.position = Some((*x, *y));
                    changes.push(Change::Node(node.clone(), Some(view)));
                }
                if changes.is_empty() {
                    return Err(CommandError::invalid("the layout moves no node (all pinned or already there)"));
                }
                Ok(changes)
            }
            Command::Group { nodes, entity, rationale } => {
                let name = entity.trim();
                if name.is_empty() || nodes.is_empty() {
                    return Err(CommandError::invalid("a group needs a name and at least one node"));
                }
                let mut changes = Vec::new();
                let new = Entity { rationale: rationale.clone() };
                if self.case.entities.get(name) != Some(&new) {
                    changes.push(Change::Entity(name.to_owned(), Some(new)));
                }
                for key in nodes {
                    let mut view = self.node(key)?.clone();
                    view.entity = Some(name.to_owned());
                    changes.push(Change::Node(key.clone(), Some(view)));
                }
                Ok(changes)
            }
            Command::Ungroup { nodes } => {
                let mut changes = Vec::new();
                let mut left: BTreeSet<String> = BTreeSet::new();
                for key in nodes {
                    let mut view = self.node(key)?.clone();
                    let Some(entity) = view.entity.take() else {
                        return Err(CommandError::invalid(format!("{} is in no entity", key.describe())));
                    };
                    left.insert(entity);
                    changes.push(Change::Node(key.clone(), Some(view)));
                }
                for entity in left {
                    let members = self
                        .case
                        .nodes
                        .iter()
                        .filter(|(k, v)| v.entity.as_deref() == Some(entity.as_str()) && !nodes.contains(k))
                        .count();
                    if members == 0 {
                        changes.push(Change::Entity(entity, None));
                    }
                }
                Ok(changes)
            }
            Command::Label { node, entity, category, source } => {
                self.node(node)?;
                if entity.trim().is_empty() {
                    return Err(CommandError::invalid("a label needs a text"));
                }
                let id = self.fresh_id(0);
                let label = CaseLabel {
                    node: node.clone(),
                    entity: entity.trim().to_owned(),
                    category: *category,
                    source: source.clone(),
                    author: now_author,
                    time: self.planned_time(),
                };
                Ok(vec![Change::Label(id, Some(label)), Change::NextId(id + 1)])
            }
            Command::RemoveLabel { id } => {
                if !self.case.labels.contains_key(id) {
                    return Err(CommandError::invalid(format!("there is no label #{id}")));
                }
                Ok(vec![Change::Label(*id, None)])
            }
            Command::Note { target, text } => {
                self.check_target(target)?;
                if text.trim().is_empty() {
                    return Err(CommandError::invalid("a note needs a text"));
                }
                let id = self.fresh_id(0);
                let note =
                    Note { target: target.clone(), text: text.clone(), author: now_author, time: self.planned_time() };
                Ok(vec![Change::Note(id, Some(note)), Change::NextId(id + 1)])
            }
            Command::RemoveNote { id } => {
                if !self.case.notes.contains_key(id) {
                    return Err(CommandError::invalid(format!("there is no note #{id}")));
                }
                Ok(vec![Change::Note(*id, None)])
            }
            Command::AnnotateHop { hop } => {
                let id = self.fresh_id(0);
                if hop.status == HopStatus::Accepted {
                    self.check_no_double_count(None, hop, &[], "recording", true)?;
                }
                let mut changes = self.plan_hop_transfers(hop)?;
                let mut hop = hop.clone();
                // A finder's suggestion keeps the finder as its author; the audit log records
                // the investigator who added it.
                if hop.status != HopStatus::Suggested || hop.author.trim().is_empty() {
                    hop.author = now_author;
                }
                hop.time = self.planned_time();
                changes.push(Change::Hop(id, Some(hop)));
                changes.push(Change::NextId(id + 1));
                Ok(changes)
            }
            Command::EditHop { id, hop } => {
                if !self.case.hops.contains_key(id) {
                    return Err(CommandError::invalid(format!("there is no hop #{id}")));
                }
                if hop.status == HopStatus::Accepted {
                    self.check_no_double_count(Some(*id), hop, &[], "changing", false)?;
                }
                let mut changes = self.plan_hop_transfers(hop)?;
                let mut hop = hop.clone();
                hop.author = now_author;
                hop.time = self.planned_time();
                changes.push(Change::Hop(*id, Some(hop)));
                Ok(changes)
            }
            Command::AcceptHop { id, replaces, time_order_override } => {
                self.plan_accept(*id, replaces, time_order_override.as_deref())
            }
            Command::RejectHop { id, why } => {
                let Some(hop) = self.case.hops.get(id) else {
                    return Err(CommandError::invalid(format!("there is no hop #{id}")));
                };
                if hop.status == HopStatus::Rejected {
                    return Err(CommandError::invalid(format!("hop #{id} is already rejected")));
                }
                let mut hop = hop.clone();
                hop.status = HopStatus::Rejected;
                if let Some(why) = why
                    && !why.trim().is_empty()
                {
                    hop.features.insert("rejected_because".to_owned(), why.trim().to_owned());
                }
                Ok(vec![Change::Hop(*id, Some(hop))])
            }
            Command::RemoveHop { id } => {
                if !self.case.hops.contains_key(id) {
                    return Err(CommandError::invalid(format!("there is no hop #{id}")));
                }
                Ok(vec![Change::Hop(*id, None)])
            }
            Command::RebindLedger { fingerprint } => {
                if *fingerprint == self.case.ledger.fingerprint {
                    return Err(CommandError::invalid("the case is already bound to this ledger content"));
                }
                Ok(vec![Change::Fingerprint(fingerprint.clone())])
            }
            Command::Undo | Command::Redo | Command::Batch { .. } => {
                Err(CommandError::invalid("undo, redo and batches are not planned"))
            }
        }
    }

    /// The time of the command being planned (the clock is read once per command).
    fn planned_time(&self) -> i64 {
        self.now
    }

    fn check_target(&self, target: &NoteTarget) -> Result<(), CommandError> {
        match target {
            NoteTarget::Case => Ok(()),
            NoteTarget::Node(k) => self.node(k).map(|_| ()),
            NoteTarget::Transfer(id) if self.case.transfers.contains(id) => Ok(()),
            NoteTarget::Transfer(id) => Err(CommandError::invalid(format!("transfer {id} is not on the graph"))),
            NoteTarget::Hop(id) if self.case.hops.contains_key(id) => Ok(()),
            NoteTarget::Hop(id) => Err(CommandError::invalid(format!("there is no hop #{id}"))),
        }
    }

    /// Checks a hop and brings its transfers (and their ends) onto the graph if they are not.
    fn plan_hop_transfers(&mut self, hop: &Hop) -> Result<Vec<Change>, CommandError> {
        if hop.confidence > 100 {
            return Err(CommandError::invalid(format!("confidence {} is not 0–100", hop.confidence)));
        }
        if hop.rationale.trim().is_empty() {
            return Err(CommandError::invalid("a hop needs a rationale: say why these transfers are one hop"));
        }
        if hop.outbound.is_empty() || (hop.inbound.is_empty() && hop.kind.name() != "peel_chain") {
            return Err(CommandError::invalid("a hop needs inbound and outbound transfers"));
        }
        let ids: Vec<i64> = hop.inbound.iter().chain(&hop.outbound).copied().collect();
        if let Some(both) = hop.inbound.iter().find(|id| hop.outbound.contains(id)) {
            return Err(CommandError::invalid(format!("transfer {both} cannot be both inbound and outbound")));
        }
        let rows = self.ledger.transfers_by_id(&ids)?;
        if let Some(missing) = ids.iter().find(|id| !rows.iter().any(|r| r.id == **id)) {
            return Err(CommandError::invalid(format!("transfer {missing} is not in the ledger")));
        }
        hop_rules::check_time_order(hop, &rows.iter().map(|r| (r.id, r)).collect())?;
        let mut changes = Vec::new();
        let mut added: BTreeSet<NodeKey> = BTreeSet::new();
        let mut taken = self.occupancy();
        // New ends beside an end already on the graph go there as one column or block per
        // (that end, side), as an expansion would place them (a CoinJoin's twenty inputs);
        // ends whose other end is new too follow it, once it is placed.
        let mut beside: Vec<((NodeKey, bool), Vec<NodeKey>)> = Vec::new();
        let mut later: Vec<(NodeKey, Option<NodeKey>, bool)> = Vec::new();
        for row in rows {
            if !self.case.transfers.contains(&row.id) {
                changes.push(Change::Transfer(row.id, true));
                let (a, b) = endpoints(&row.transfer);
                let ends = [a, b];
                for (i, key) in ends.iter().enumerate() {
                    let Some(key) = key else { continue };
                    if self.case.nodes.contains_key(key) || !added.insert(key.clone()) {
                        continue;
                    }
                    // Receivers right of their sender, senders left of their receiver.
                    let receiver = i == 1;
                    match ends[1 - i].as_ref() {
                        Some(other) if self.case.nodes.get(other).is_some_and(|v| v.position.is_some()) => {
                            let group = (other.clone(), receiver);
                            match beside.iter_mut().find(|(g, _)| *g == group) {
                                Some((_, keys)) => keys.push(key.clone()),
                                None => beside.push((group, vec![key.clone()])),
                            }
                        }
                        other => later.push((key.clone(), other.cloned(), receiver)),
                    }
                }
            }
            Arc::make_mut(&mut self.rows).insert(row.id, row);
        }
        let mut planned: HashMap<NodeKey, (f32, f32)> = HashMap::new();
        for ((anchor, receiver), keys) in beside {
            let (px, py) = self.case.nodes.get(&anchor).and_then(|v| v.position).unwrap_or((0.0, 0.0));
            let side = if receiver { 1.0 } else { -1.0 };
            let spots = expansion_spots(px, py, side, keys.len(), false, &taken);
            for (key, position) in keys.into_iter().zip(spots) {
                taken.insert(position);
                planned.insert(key, position);
            }
        }
        for (key, other, receiver) in later {
            let (x, y) = other
                .and_then(|o| planned.get(&o))
                .map_or((0.0, 0.0), |(x, y)| (x + if receiver { STEP_X } else { -STEP_X }, *y));
            let position = free_slot(x, y, &taken);
            taken.insert(position);
            planned.insert(key, position);
        }
        let mut placed: Vec<(NodeKey, (f32, f32))> = planned.into_iter().collect();
        placed.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, position) in placed {
            changes.push(Change::Node(key, Some(NodeView { position: Some(position), ..NodeView::default() })));
        }
        Ok(changes)
    }

    /// Plans accepting hop `id`, rejecting the hops it `replaces` in the same command.
    fn plan_accept(
        &mut self,
        id: u64,
        replaces: &[u64],
        time_order_override: Option<&str>,
    ) -> Result<Vec<Change>, CommandError> {
        let Some(hop) = self.case.hops.get(&id) else {
            return Err(CommandError::invalid(format!("there is no hop #{id}")));
        };
        if hop.status == HopStatus::Accepted {
            return Err(CommandError::invalid(format!("hop #{id} is already accepted")));
        }
        let mut hop = hop.clone();
        hop.status = HopStatus::Accepted;
        match time_order_override.map(str::trim) {
            Some("") => {
                return Err(CommandError::invalid(
                    "a time-order override needs a reason: say why the recorded times are wrong",
                ));
            }
            Some(why) => {
                hop.features.insert(hop_rules::TIME_ORDER_OVERRIDE.to_owned(), why.to_owned());
            }
            None => {}
        }
        self.check_no_double_count(Some(id), &hop, replaces, "accepting", true)?;
        let ids: Vec<i64> = hop.inbound.iter().chain(&hop.outbound).copied().collect();
        let rows = self.ledger.transfers_by_id(&ids)?;
        hop_rules::check_time_order(&hop, &rows.iter().map(|r| (r.id, r)).collect())?;
        let mut changes = vec![Change::Hop(id, Some(hop))];
        let mut replaced: Vec<u64> = replaces.to_vec();
        replaced.sort_unstable();
        replaced.dedup();
        for r in replaced {
            let Some(old) = self.case.hops.get(&r) else { continue };
            let mut old = old.clone();
            old.status = HopStatus::Rejected;
            old.features.insert("rejected_because".to_owned(), format!("replaced by hop #{id}"));
            old.features.insert(hop_rules::REPLACED_BY.to_owned(), id.to_string());
            changes.push(Change::Hop(r, Some(old)));
        }
        Ok(changes)
    }

    fn plan_expand(
        &mut self,
        node: &NodeKey,
        direction: ExpandDirection,
        filter: &CaseFilter,
    ) -> Result<Vec<Change>, CommandError> {
        let parent = self.node(node)?.clone();
        let (px, py) = parent.position.unwrap_or((0.0, 0.0));
        let mut changes = Vec::new();
        let mut new_nodes: BTreeSet<NodeKey> = BTreeSet::new();
        let mut taken_ids = 0u64;
        // Occupied spots: new nodes go to the nearest free one beside their parent.
        let mut taken = self.occupancy();
        for &dir in direction.directions() {
            let (rows, rest) = match node {
                NodeKey::Address { chain, address } => {
                    let mut f = filter.to_ledger(chain);
                    f.exclude = self.case.transfers.iter().copied().collect();
                    let e = self.ledger.expand(address, dir, &f)?;
                    (e.transfers, e.rest)
                }
                NodeKey::Tx { chain, hash } => {
                    let want = if dir == Direction::In { TransferKind::UtxoInput } else { TransferKind::UtxoOutput };
                    let rows = self.ledger.tx_transfers(chain, hash)?;
                    (rows.into_iter().filter(|r| r.transfer.kind == want).collect(), None)
                }
                NodeKey::Aggregate(_) => {
                    return Err(CommandError::invalid(
                        "an aggregate node is expanded from its anchor with a narrower filter or a larger top N",
                    ));
                }
            };
            let side = if dir == Direction::Out { 1.0 } else { -1.0 };
            let mut fresh: Vec<NodeKey> = Vec::new();
            for row in rows {
                if !self.case.transfers.contains(&row.id) {
                    changes.push(Change::Transfer(row.id, true));
                }
                let (from, to) = endpoints(&row.transfer);
                let other = if dir == Direction::Out { to } else { from };
                if let Some(other) = other
                    && other != *node
                    && !self.case.nodes.contains_key(&other)
                    && new_nodes.insert(other.clone())
                {
                    fresh.push(other);
                }
                Arc::make_mut(&mut self.rows).insert(row.id, row);
            }
            let mut spots = expansion_spots(px, py, side, fresh.len(), rest.is_some(), &taken).into_iter();
            for (other, position) in fresh.iter().zip(spots.by_ref()) {
                taken.insert(position);
                changes.push(Change::Node(
                    other.clone(),
                    Some(NodeView { position: Some(position), ..NodeView::default() }),
                ));
            }
            // One aggregate per (node, side): a new expansion replaces the old one.
            for (id, agg) in &self.case.aggregates {
                if agg.anchor == *node && agg.direction == dir {
                    changes.push(Change::Aggregate(*id, None));
                    changes.push(Change::Node(NodeKey::Aggregate(*id), None));
                }
            }
            if let Some(rest) = rest {
                let id = self.fresh_id(taken_ids);
                taken_ids += 1;
                let agg = Aggregate {
                    anchor: node.clone(),
                    direction: dir,
                    filter: filter.clone(),
                    count: rest.count,
                    counterparties: rest.counterparties,
                    totals: rest.totals,
                    first_time: rest.first_time,
                    last_time: rest.last_time,
                    lower_bound: rest.lower_bound,
                };
                changes.push(Change::Aggregate(id, Some(agg)));
                let position = spots.next().unwrap_or((px + side * STEP_X, py));
                taken.insert(position);
                changes.push(Change::Node(
                    NodeKey::Aggregate(id),
                    Some(NodeView { position: Some(position), ..NodeView::default() }),
                ));
            }
        }
        if taken_ids > 0 {
            changes.push(Change::NextId(self.case.next_id + taken_ids));
        }
        Ok(changes)
    }

    fn plan_collapse(&mut self, node: &NodeKey) -> Result<Vec<Change>, CommandError> {
        self.node(node)?;
        let mut changes = Vec::new();
        for (id, agg) in &self.case.aggregates {
            if agg.anchor == *node {
                changes.push(Change::Aggregate(*id, None));
                changes.push(Change::Node(NodeKey::Aggregate(*id), None));
            }
        }
        let in_hops: BTreeSet<i64> =
            self.case.hops.values().flat_map(|h| h.inbound.iter().chain(&h.outbound)).copied().collect();
        let noted: BTreeSet<&NoteTarget> = self.case.notes.values().map(|n| &n.target).collect();
        let labelled: BTreeSet<&NodeKey> = self.case.labels.values().map(|l| &l.node).collect();
        // Transfers per neighbour, and whether each neighbour touches anything else.
        let mut by_neighbour: std::collections::BTreeMap<NodeKey, (Vec<i64>, bool)> = std::collections::BTreeMap::new();
        for id in &self.case.transfers {
            let Some(row) = self.rows.get(id) else { continue };
            let (a, b) = endpoints(&row.transfer);
            let (Some(a), Some(b)) = (a, b) else { continue };
            if a == *node || b == *node {
                let other = if a == *node { b } else { a };
                by_neighbour.entry(other).or_default().0.push(*id);
            } else {
                by_neighbour.entry(a).or_default().1 = true;
                by_neighbour.entry(b).or_default().1 = true;
            }
        }
        for (other, (ids, elsewhere)) in by_neighbour {
            let Some(view) = self.case.nodes.get(&other) else { continue };
            let keep = elsewhere
                || ids.is_empty()
                || self.case.seeds.contains(&other)
                || view.pinned
                || view.entity.is_some()
                || labelled.contains(&other)
                || noted.contains(&NoteTarget::Node(other.clone()))
                || ids.iter().any(|id| in_hops.contains(id) || noted.contains(&NoteTarget::Transfer(*id)));
            if keep {
                continue;
            }
            changes.extend(ids.into_iter().map(|id| Change::Transfer(id, false)));
            changes.push(Change::Node(other, None));
        }
        if changes.is_empty() {
            return Err(CommandError::invalid(format!(
                "nothing to collapse at {}: its neighbours are seeds, pinned, labelled, noted, in hops or linked elsewhere",
                node.describe()
            )));
        }
        Ok(changes)
    }
}
