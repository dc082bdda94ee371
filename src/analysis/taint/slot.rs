//! One node's replay in one asset: its transfers in time order, a cursor, and the balance,
//! tainted balance and FIFO lots the three methods keep.

use std::collections::VecDeque;

use ethnum::U256;

use super::Method;
use super::arith::mul_div;
use crate::case::NodeKey;
use crate::ledger::TraceRow;
use crate::model::TransferKind;

/// Where a transfer out goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// An address or a UTXO transaction.
    Node(NodeKey),
    /// The miner fee of a transaction.
    Fee,
    /// A transfer with no recipient.
    Nowhere,
}

/// One transfer of the node; inflows have no target.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub time: i64,
    pub id: i64,
    pub amount: U256,
    pub target: Option<Target>,
    /// Order within one second: 0 received, 1 sent, 2 change received from a transaction
    /// the node itself spends into (it exists only after that spend).
    rank: u8,
}

impl Entry {
    fn key(&self) -> (i64, u8, i64) {
        (self.time, self.rank, self.id)
    }
}

/// A FIFO lot.
#[derive(Debug, Clone, Copy)]
struct Lot {
    amount: U256,
    tainted: bool,
}

/// The replay state of one (node, asset).
#[derive(Debug)]
pub(super) struct Slot {
    pub node: NodeKey,
    pub flow: usize,
    pub entries: Vec<Entry>,
    pub cursor: usize,
    balance: U256,
    pub tainted: U256,
    pub poisoned: bool,
    lots: VecDeque<Lot>,
    /// Fewest hops from a seed among the arrivals.
    pub depth: u32,
    pub exposure_in: U256,
    pub arrivals: Vec<i64>,
    pub first_time: Option<i64>,
    /// A transfer out was replayed while the node held taint (or poison).
    pub spent_after_taint: bool,
    /// A wake-up is queued.
    pub wake_pending: bool,
    /// Taint is held and the next transfer out is after `until`.
    pub time_limited: bool,
}

/// The time used for ordering: unknown times sort first.
fn time_of(r: &TraceRow) -> i64 {
    r.time.unwrap_or(i64::MIN)
}

/// The entries of `node` from its transfers in one asset, sorted by (time, received before
/// sent, id). A transaction gets a last entry for its miner fee (inputs minus outputs, when
/// every input is resolved).
pub(super) fn entries(node: &NodeKey, rows: &[TraceRow]) -> Vec<Entry> {
    let mut out = Vec::with_capacity(rows.len() + 1);
    let entry = |r: &TraceRow, target: Option<Target>| {
        let rank = u8::from(target.is_some());
        Entry { time: time_of(r), id: r.id, amount: r.amount.0, target, rank }
    };
    match node {
        NodeKey::Address { chain, address } => {
            let me = Some(address.as_str());
            // Transactions this address spends into: their outputs back to it are change.
            let spends: std::collections::HashSet<&str> = rows
                .iter()
                .filter(|r| r.kind == TransferKind::UtxoInput && r.from.as_deref() == me)
                .filter_map(|r| r.tx_hash.as_deref())
                .collect();
            for r in rows {
                let (from, to) = (r.from.as_deref(), r.to.as_deref());
                match r.kind {
                    TransferKind::Native | TransferKind::Internal | TransferKind::Token => {
                        if from == me && to == me {
                            continue;
                        }
                        if to == me {
                            out.push(entry(r, None));
                        } else if from == me {
                            let t = r.to.as_ref().map_or(Target::Nowhere, |to| {
                                Target::Node(NodeKey::address(chain.clone(), to.clone()))
                            });
                            out.push(entry(r, Some(t)));
                        }
                    }
                    TransferKind::UtxoOutput if to == me => {
                        let mut e = entry(r, None);
                        if r.tx_hash.as_deref().is_some_and(|h| spends.contains(h)) {
                            e.rank = 2;
                        }
                        out.push(e);
                    }
                    TransferKind::UtxoInput if from == me => {
                        let t = r.tx_hash.as_ref().map_or(Target::Nowhere, |h| {
                            Target::Node(NodeKey::Tx { chain: chain.clone(), hash: h.clone() })
                        });
                        out.push(entry(r, Some(t)));
                    }
                    TransferKind::UtxoOutput | TransferKind::UtxoInput => {}
                }
            }
        }
        NodeKey::Tx { chain, .. } => {
            let (mut inputs, mut outputs, mut resolved) = (U256::ZERO, U256::ZERO, true);
            let mut last = i64::MIN;
            for r in rows {
                last = last.max(time_of(r));
                match r.kind {
                    TransferKind::UtxoInput => {
                        resolved &= r.from.is_some();
                        inputs = inputs.saturating_add(r.amount.0);
                        out.push(entry(r, None));
                    }
                    TransferKind::UtxoOutput => {
                        outputs = outputs.saturating_add(r.amount.0);
                        let t = r
                            .to
                            .as_ref()
                            .map_or(Target::Nowhere, |to| Target::Node(NodeKey::address(chain.clone(), to.clone())));
                        out.push(entry(r, Some(t)));
                    }
                    _ => {}
                }
            }
            if resolved && inputs > outputs {
                out.push(Entry {
                    time: last,
                    id: i64::MAX,
                    amount: inputs - outputs,
                    target: Some(Target::Fee),
                    rank: 1,
                });
            }
        }
        NodeKey::Aggregate(_) => {}
    }
    out.sort_by_key(Entry::key);
    out
}

impl Slot {
    /// A node's replay in one flow, before anything happened.
    pub fn new(node: NodeKey, flow: usize, entries: Vec<Entry>) -> Self {
        Slot {
            node,
            flow,
            entries,
            cursor: 0,
            balance: U256::ZERO,
            tainted: U256::ZERO,
            poisoned: false,
            lots: VecDeque::new(),
            depth: u32::MAX,
            exposure_in: U256::ZERO,
            arrivals: Vec::new(),
            first_time: None,
            spent_after_taint: false,
            wake_pending: false,
            time_limited: false,
        }
    }

    /// Index of the transfer received as `id` at `time`.
    pub fn find_inflow(&self, time: i64, id: i64) -> Option<usize> {
        let first = self.entries.partition_point(|e| e.time < time);
        self.entries
            .iter()
            .skip(first)
            .take_while(|e| e.time == time)
            .position(|e| e.id == id && e.target.is_none())
            .map(|i| i + first)
    }

    /// A received amount with `taint` of it tainted (`taint ≤ amount`).
    pub fn receive(&mut self, amount: U256, taint: U256) {
        self.balance = self.balance.saturating_add(amount);
        self.tainted = self.tainted.saturating_add(taint);
        self.push_lot(taint, true);
        self.push_lot(amount.saturating_sub(taint), false);
    }

    /// Taint for a transfer already replayed as clean (same-second ordering): it joins the
    /// balance now, first in line.
    pub fn receive_late(&mut self, taint: U256) {
        self.tainted = self.tainted.saturating_add(taint);
        self.balance = self.balance.max(self.tainted);
        if taint > U256::ZERO {
            self.lots.push_front(Lot { amount: taint, tainted: true });
        }
    }

    fn push_lot(&mut self, amount: U256, tainted: bool) {
        if amount == U256::ZERO {
            return;
        }
        match self.lots.back_mut() {
            Some(l) if l.tainted == tainted => l.amount = l.amount.saturating_add(amount),
            _ => self.lots.push_back(Lot { amount, tainted }),
        }
    }

    /// A transfer out of `amount`: the taint it carries under `method`.
    pub fn send(&mut self, amount: U256, method: Method) -> U256 {
        let spent = amount.min(self.balance);
        let carried = match method {
            Method::Haircut => {
                mul_div(self.tainted, spent, self.balance).map_or(U256::ZERO, |(q, _)| q.min(self.tainted))
            }
            Method::Poison => amount.min(self.tainted),
            Method::Fifo => {
                let (mut need, mut carried) = (amount, U256::ZERO);
                while need > U256::ZERO {
                    let Some(front) = self.lots.front_mut() else { break };
                    let take = need.min(front.amount);
                    if front.tainted {
                        carried += take;
                    }
                    front.amount -= take;
                    need -= take;
                    if front.amount == U256::ZERO {
                        self.lots.pop_front();
                    }
                }
                carried.min(self.tainted)
            }
        };
        self.balance -= spent;
        self.tainted -= carried;
        carried
    }

    /// Holds taint, or poison that still has transfers to mark.
    pub fn active(&self) -> bool {
        self.tainted > U256::ZERO || self.poisoned
    }

    /// Whether the entry at the cursor is due at a wake-up at `time`: everything up to that
    /// second, except change coming back to the node (it arrives through its transaction).
    pub fn due(&self, time: i64) -> bool {
        self.entries.get(self.cursor).is_some_and(|e| e.time < time || (e.time == time && e.rank < 2))
    }

    /// Index of the next transfer out at or after the cursor.
    pub fn next_outflow(&self) -> Option<usize> {
        self.entries.iter().skip(self.cursor).position(|e| e.target.is_some()).map(|i| i + self.cursor)
    }
}
