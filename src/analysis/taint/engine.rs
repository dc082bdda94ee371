//! The tracing loop: arrivals of taint and wake-ups of nodes holding it, processed in time
//! order from a binary heap; nodes read lazily; endpoints and holdings gathered per asset.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use ethnum::U256;

use super::hops::HopIndex;
use super::slot::{Slot, Target, entries};
use super::source::TraceSource;
use super::{AnalysisError, Method, Seed, StopReason, TaintOptions, TaintReport};
use crate::case::NodeKey;
use crate::ledger::TraceRow;
use crate::model::Category;

/// At most this many transfer ids are listed per endpoint.
pub(super) const LISTED: usize = 50;

/// Taint on its way to a node.
#[derive(Debug)]
pub(super) struct Arrival {
    pub target: NodeKey,
    pub flow: usize,
    pub transfer: i64,
    pub time: i64,
    pub taint: U256,
    pub exposure: U256,
    pub depth: u32,
}

#[derive(Debug)]
enum Event {
    Arrival(Arrival),
    Wake(usize),
}

/// What is known of a node.
#[derive(Debug)]
pub(super) enum NodeState {
    Stop(StopReason),
    /// Its transfers by (chain, asset), taken when the slot of that asset is made.
    Loaded(HashMap<(String, String), Vec<TraceRow>>),
}

#[derive(Debug, Default)]
pub(super) struct EndAcc {
    pub amount: U256,
    pub exposure: U256,
    pub hops: u32,
    pub first_time: Option<i64>,
    pub transfers: Vec<i64>,
}

#[derive(Debug)]
pub(super) struct Flow {
    pub key: (String, String),
    pub seeded: U256,
    pub from_hops: U256,
    pub endpoints: BTreeMap<(NodeKey, StopReason), EndAcc>,
}

/// Event order: time, then arrivals (0) before address wake-ups (1) before transaction
/// wake-ups (2), then transfer id, then insertion.
type Key = (i64, u8, i64, u64);

/// A node read from the ledger.
fn loaded(rows: Vec<TraceRow>) -> NodeState {
    let mut by_asset: HashMap<(String, String), Vec<TraceRow>> = HashMap::new();
    for r in rows {
        by_asset.entry((r.chain.clone(), r.asset.clone())).or_default().push(r);
    }
    NodeState::Loaded(by_asset)
}

/// One trace in progress.
pub(super) struct Engine<'a, S: TraceSource> {
    pub(super) src: &'a S,
    pub(super) opts: &'a TaintOptions,
    pub(super) flows: Vec<Flow>,
    flow_ids: HashMap<(String, String), usize>,
    pub(super) nodes: HashMap<NodeKey, NodeState>,
    pub(super) slots: Vec<Slot>,
    slot_ids: HashMap<(NodeKey, usize), usize>,
    heap: BinaryHeap<Reverse<(Key, usize)>>,
    events: Vec<Option<Event>>,
    seq: u64,
    pub(super) seeds: HashSet<(String, String)>,
    pub(super) hops: HopIndex,
    case_labels: HashMap<(String, String), (String, Category)>,
    pub(super) transfers_read: u64,
    pub(super) transfers_tainted: u64,
}

impl<'a, S: TraceSource> Engine<'a, S> {
    pub fn new(src: &'a S, opts: &'a TaintOptions) -> Self {
        Engine {
            src,
            opts,
            flows: Vec::new(),
            flow_ids: HashMap::new(),
            nodes: HashMap::new(),
            slots: Vec::new(),
            slot_ids: HashMap::new(),
            heap: BinaryHeap::new(),
            events: Vec::new(),
            seq: 0,
            seeds: HashSet::new(),
            hops: HopIndex::new(&opts.hops),
            case_labels: opts.labels.iter().map(|(c, a, e, cat)| ((c.clone(), a.clone()), (e.clone(), *cat))).collect(),
            transfers_read: 0,
            transfers_tainted: 0,
        }
    }

    pub(super) fn flow(&mut self, chain: &str, asset: &str) -> usize {
        let key = (chain.to_owned(), asset.to_owned());
        if let Some(i) = self.flow_ids.get(&key) {
            return *i;
        }
        let i = self.flows.len();
        self.flows.push(Flow {
            key: key.clone(),
            seeded: U256::ZERO,
            from_hops: U256::ZERO,
            endpoints: BTreeMap::new(),
        });
        self.flow_ids.insert(key, i);
        i
    }

    fn add_checked(&self, flow: usize, a: U256, b: U256) -> Result<U256, AnalysisError> {
        a.checked_add(b).ok_or_else(|| {
            let (chain, asset) = self.flows.get(flow).map(|f| f.key.clone()).unwrap_or_default();
            AnalysisError::Overflow { chain, asset }
        })
    }

    /// Counts `taint` as seeded (or brought by a hop) into `flow`.
    pub(super) fn credit(&mut self, flow: usize, taint: U256, by_hop: bool) -> Result<(), AnalysisError> {
        let current = self.flows.get(flow).map(|f| if by_hop { f.from_hops } else { f.seeded }).unwrap_or_default();
        let total = self.add_checked(flow, current, taint)?;
        if let Some(f) = self.flows.get_mut(flow) {
            if by_hop { f.from_hops = total } else { f.seeded = total }
        }
        Ok(())
    }

    pub(super) fn push(&mut self, a: Arrival) {
        let key = (a.time, 0, a.transfer, self.seq);
        self.push_event(key, Event::Arrival(a));
    }

    fn push_event(&mut self, key: Key, e: Event) {
        self.seq += 1;
        self.events.push(Some(e));
        self.heap.push(Reverse((key, self.events.len() - 1)));
    }

    pub fn run(mut self, seeds: &[Seed]) -> Result<TaintReport, AnalysisError> {
        self.seed(seeds)?;
        while let Some(Reverse(((time, ..), i))) = self.heap.pop() {
            match self.events.get_mut(i).and_then(Option::take) {
                Some(Event::Arrival(a)) => self.arrive(a)?,
                Some(Event::Wake(s)) => self.wake(s, time)?,
                None => {}
            }
        }
        Ok(self.finish())
    }

    /// The node's state, reading it (and its labels) on first use.
    fn state(&mut self, node: &NodeKey) -> Result<&NodeState, AnalysisError> {
        if !self.nodes.contains_key(node) {
            let state = self.read(node)?;
            self.nodes.insert(node.clone(), state);
        }
        self.nodes.get(node).ok_or_else(|| AnalysisError::Invalid("node state lost".to_owned()))
    }

    fn read(&mut self, node: &NodeKey) -> Result<NodeState, AnalysisError> {
        let rows = match node {
            NodeKey::Address { chain, address } => {
                let is_seed = self.seeds.contains(&(chain.clone(), address.clone()));
                if self.opts.stop_at_services
                    && !is_seed
                    && let Some(reason) = self.service(chain, address)?
                {
                    return Ok(NodeState::Stop(reason));
                }
                let got = self.src.address_edges(chain, address, self.opts.node_cap)?;
                self.transfers_read += got.rows.len() as u64;
                if got.truncated {
                    return Ok(NodeState::Stop(StopReason::Busy));
                }
                got.rows
            }
            NodeKey::Tx { chain, hash } => {
                let rows = self.src.tx_edges(chain, hash)?;
                self.transfers_read += rows.len() as u64;
                rows
            }
            NodeKey::Aggregate(_) => Vec::new(),
        };
        Ok(loaded(rows))
    }

    /// Keeps a seed's transfers, already read, for its replay.
    pub(super) fn keep_read(&mut self, node: NodeKey, rows: Vec<TraceRow>) {
        self.nodes.insert(node, loaded(rows));
    }

    /// The service label of an address on `chain` (case labels first), if any.
    fn service(&self, chain: &str, address: &str) -> Result<Option<StopReason>, AnalysisError> {
        if let Some((entity, category)) = self.case_labels.get(&(chain.to_owned(), address.to_owned()))
            && super::is_service(*category)
        {
            return Ok(Some(StopReason::Service { entity: entity.clone(), category: *category }));
        }
        let mut labels: Vec<_> = self
            .src
            .address_labels(address)?
            .into_iter()
            .filter(|l| l.chain == chain && super::is_service(l.category))
            .collect();
        labels.sort_by(|a, b| (a.category, &a.entity).cmp(&(b.category, &b.entity)));
        Ok(labels.into_iter().next().map(|l| StopReason::Service { entity: l.entity, category: l.category }))
    }

    /// The slot taint arriving as `a` goes to, or the reason it stops before one.
    fn slot_for(&mut self, a: &Arrival) -> Result<Result<usize, StopReason>, AnalysisError> {
        let key = (a.target.clone(), a.flow);
        if let Some(i) = self.slot_ids.get(&key) {
            return Ok(Ok(*i));
        }
        let is_address = matches!(a.target, NodeKey::Address { .. });
        let max_hops = self.opts.max_hops;
        if let NodeState::Stop(r) = self.state(&a.target)? {
            return Ok(Err(r.clone()));
        }
        if is_address && a.depth >= max_hops {
            return Ok(Err(StopReason::HopLimit));
        }
        let flow_key = self.flows.get(a.flow).map(|f| f.key.clone()).unwrap_or_default();
        let rows = match self.nodes.get_mut(&a.target) {
            Some(NodeState::Loaded(by_asset)) => by_asset.remove(&flow_key).unwrap_or_default(),
            _ => Vec::new(),
        };
        let i = self.slots.len();
        self.slots.push(Slot::new(a.target.clone(), a.flow, entries(&a.target, &rows)));
        self.slot_ids.insert(key, i);
        Ok(Ok(i))
    }

    fn arrive(&mut self, a: Arrival) -> Result<(), AnalysisError> {
        let i = match self.slot_for(&a)? {
            Ok(i) => i,
            Err(reason) => {
                self.endpoint(a.flow, a.target, reason, a.taint, a.exposure, a.depth, Some(a.time), &[a.transfer]);
                return Ok(());
            }
        };
        let found = self
            .slots
            .get(i)
            .and_then(|s| s.find_inflow(a.time, a.transfer))
            .filter(|x| self.slots.get(i).is_some_and(|s| *x >= s.cursor));
        match found {
            Some(idx) => {
                while self.slots.get(i).is_some_and(|s| s.cursor < idx) {
                    self.step(i)?;
                }
                if let Some(s) = self.slots.get_mut(i) {
                    let amount = s.entries.get(idx).map_or(a.taint, |e| e.amount);
                    s.receive(amount.max(a.taint), a.taint);
                    s.cursor = idx + 1;
                }
            }
            None => {
                if let Some(s) = self.slots.get_mut(i) {
                    s.receive_late(a.taint);
                }
            }
        }
        let poison = self.opts.method == Method::Poison;
        if let Some(s) = self.slots.get_mut(i) {
            s.poisoned |= poison && a.exposure > U256::ZERO;
            s.depth = s.depth.min(a.depth);
            s.exposure_in = s.exposure_in.saturating_add(a.exposure);
            if s.arrivals.len() < LISTED {
                s.arrivals.push(a.transfer);
            }
            s.first_time = Some(s.first_time.map_or(a.time, |t| t.min(a.time)));
        }
        self.schedule(i);
        Ok(())
    }

    /// Queues a wake-up at the slot's next transfer out, while it holds taint.
    fn schedule(&mut self, i: usize) {
        let until = self.opts.until.unwrap_or(i64::MAX);
        let Some(s) = self.slots.get_mut(i) else { return };
        if s.wake_pending || !s.active() {
            return;
        }
        let Some(next) = s.next_outflow().and_then(|n| s.entries.get(n)) else { return };
        if next.time > until {
            s.time_limited = true;
            return;
        }
        s.wake_pending = true;
        let phase = if matches!(s.node, NodeKey::Tx { .. }) { 2 } else { 1 };
        let key = (next.time, phase, next.id, 0);
        self.push_event(key, Event::Wake(i));
    }

    fn wake(&mut self, i: usize, time: i64) -> Result<(), AnalysisError> {
        if let Some(s) = self.slots.get_mut(i) {
            s.wake_pending = false;
        }
        while self.slots.get(i).is_some_and(|s| s.due(time)) {
            self.step(i)?;
        }
        self.schedule(i);
        Ok(())
    }

    /// Replays the entry at the cursor: a clean receipt, or a transfer out with its taint.
    fn step(&mut self, i: usize) -> Result<(), AnalysisError> {
        let method = self.opts.method;
        let Some(s) = self.slots.get_mut(i) else { return Ok(()) };
        let Some(e) = s.entries.get(s.cursor).cloned() else { return Ok(()) };
        s.cursor += 1;
        let Some(target) = e.target else {
            s.receive(e.amount, U256::ZERO);
            return Ok(());
        };
        let held = s.active();
        let carried = s.send(e.amount, method);
        s.spent_after_taint |= held;
        let exposure =
            if carried > U256::ZERO || (s.poisoned && method == Method::Poison) { e.amount } else { U256::ZERO };
        if exposure == U256::ZERO {
            return Ok(());
        }
        self.transfers_tainted += 1;
        let (flow, depth, node) = (s.flow, s.depth, s.node.clone());
        if let Some(hop) = self.hops.hop_of(e.id) {
            let at = match &target {
                Target::Node(k) => k.clone(),
                Target::Fee | Target::Nowhere => node,
            };
            return self.cross(hop, flow, at, (e.id, e.time), (carried, exposure), depth);
        }
        match target {
            Target::Fee => self.endpoint(flow, node, StopReason::MinerFee, carried, exposure, depth, Some(e.time), &[]),
            Target::Nowhere => {
                self.endpoint(flow, node, StopReason::NoRecipient, carried, exposure, depth, Some(e.time), &[e.id]);
            }
            Target::Node(k) => {
                let depth = if matches!(k, NodeKey::Tx { .. }) { depth } else { depth.saturating_add(1) };
                let a = Arrival { target: k, flow, transfer: e.id, time: e.time, taint: carried, exposure, depth };
                self.push(a);
            }
        }
        Ok(())
    }
}
