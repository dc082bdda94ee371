//! Paths between two addresses over the ledger: the shortest (fewest hops) and, per asset,
//! the highest-value one (widest: the largest bottleneck, in base units), within a hop limit.
//!
//! A hop is one transaction: an account transfer `a → b`, or on a UTXO chain an input of `a`
//! and an output paying `b` in the same transaction (its value is the smaller of what `a`
//! put in and what `b` got). Paths respect time: each hop is at or after the one before.
//! Addresses with more than [`PathOptions::node_cap`] transfers on a side are not expanded
//! (they can still end a path).
//!
//! - Shortest: breadth-first by hop count, keeping per hop count the earliest arrival at each
//!   address (an earlier arrival can only allow more continuations). O(E) per layer.
//! - Widest: label-setting search in order of bottleneck (a max-heap), with labels
//!   (bottleneck, arrival time, hops) kept per address unless another label is at least as
//!   wide, as early and as short; the first label to reach the target is the widest path.
//!
//! Both stop after [`PathOptions::max_nodes`] expansions (`truncated` says so).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::rc::Rc;

use ethnum::U256;
use serde::Serialize;

use super::taint::{AnalysisError, TraceSource, is_service};
use crate::model::{Amount, TransferKind, registry};

/// Limits of the search.
#[derive(Debug, Clone)]
pub struct PathOptions {
    /// At most this many hops.
    pub max_hops: u32,
    /// Addresses with more transfers than this on a side are not expanded.
    pub node_cap: usize,
    /// At most this many address expansions per search.
    pub max_nodes: usize,
    /// Only this asset for the widest path (key or symbol); every asset `from` sent when `None`.
    pub asset: Option<String>,
    /// Do not pass through addresses labelled as services.
    pub avoid_services: bool,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions { max_hops: 6, node_cap: 100_000, max_nodes: 100_000, asset: None, avoid_services: false }
    }
}

/// One hop of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathHop {
    /// Sender.
    pub from: String,
    /// Receiver.
    pub to: String,
    /// Asset key.
    pub asset: String,
    /// Value moved to `to` by this hop (base units).
    pub amount: Amount,
    /// Time (UTC seconds), when known.
    pub time: Option<i64>,
    /// Ledger ids: the transfer, or the UTXO inputs of `from` and the output to `to`.
    pub transfers: Vec<i64>,
    /// The receiver's service label, if any (`entity (category)`).
    pub to_label: Option<String>,
}

/// A path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Path {
    /// Chain id.
    pub chain: String,
    /// The hops in order.
    pub hops: Vec<PathHop>,
    /// The smallest hop value, when every hop moves the same asset.
    pub bottleneck: Option<Amount>,
}

/// What the search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathsResult {
    /// The path with the fewest hops (earliest arrival among those), if any.
    pub shortest: Option<Path>,
    /// The widest path per asset that has one.
    pub widest: Vec<Path>,
    /// Addresses expanded.
    pub nodes_read: u64,
    /// A limit cut the search short (a path may exist beyond it).
    pub truncated: bool,
}

/// Per hop count: address → (earliest arrival, (previous address, index of its move)).
type Layer = BTreeMap<String, (i64, Option<(String, usize)>)>;

/// One possible hop out of an address.
#[derive(Debug, Clone)]
struct Move {
    to: String,
    time: i64,
    asset: String,
    amount: U256,
    transfers: Vec<i64>,
}

struct Search<'a, S: TraceSource> {
    src: &'a S,
    chain: &'a str,
    opts: &'a PathOptions,
    from: &'a str,
    target: &'a str,
    moves: HashMap<String, Option<Rc<Vec<Move>>>>,
    truncated: bool,
}

/// Finds the shortest and the widest paths from `from` to `to` on `chain`.
///
/// # Errors
/// A ledger failure.
pub fn find<S: TraceSource>(
    source: &S,
    chain: &str,
    from: &str,
    to: &str,
    options: &PathOptions,
) -> Result<PathsResult, AnalysisError> {
    let mut s = Search { src: source, chain, opts: options, from, target: to, moves: HashMap::new(), truncated: false };
    let shortest = s.shortest()?;
    let mut assets: Vec<String> = match s.expand(from)? {
        Some(m) => m.iter().map(|m| m.asset.clone()).collect(),
        None => Vec::new(),
    };
    assets.sort();
    assets.dedup();
    if let Some(want) = &options.asset {
        assets.retain(|a| {
            a.eq_ignore_ascii_case(want)
                || registry().token(chain, want).is_some_and(|t| t.contract.eq_ignore_ascii_case(a))
        });
    }
    let mut widest = Vec::new();
    for a in assets {
        if let Some(p) = s.widest(&a)? {
            widest.push(p);
        }
    }
    let mut result = PathsResult { shortest, widest, nodes_read: s.moves.len() as u64, truncated: s.truncated };
    for p in result.shortest.iter_mut().chain(result.widest.iter_mut()) {
        for h in &mut p.hops {
            h.to_label = s.service(&h.to)?;
        }
    }
    Ok(result)
}

impl<S: TraceSource> Search<'_, S> {
    fn service(&self, address: &str) -> Result<Option<String>, AnalysisError> {
        let mut l: Vec<_> = self
            .src
            .address_labels(address)?
            .into_iter()
            .filter(|l| l.chain == self.chain && is_service(l.category))
            .map(|l| format!("{} ({})", l.entity, l.category.name()))
            .collect();
        l.sort();
        Ok(l.into_iter().next())
    }

    /// The hops out of `address` by (time, receiver, transfers); `None` when it is not
    /// expanded (busy, a service to avoid, or the expansion budget is spent).
    fn expand(&mut self, address: &str) -> Result<Option<Rc<Vec<Move>>>, AnalysisError> {
        if let Some(m) = self.moves.get(address) {
            return Ok(m.clone());
        }
        if self.moves.len() >= self.opts.max_nodes {
            self.truncated = true;
            return Ok(None);
        }
        let skip = self.opts.avoid_services && address != self.from && self.service(address)?.is_some();
        let got = self.src.address_edges(self.chain, address, self.opts.node_cap)?;
        if got.truncated {
            self.truncated = true;
        }
        let mut out = Vec::new();
        let mut spends: BTreeMap<String, (i64, Vec<i64>, U256)> = BTreeMap::new();
        for r in got.rows.iter().filter(|_| !skip && !got.truncated) {
            let time = r.time.unwrap_or(i64::MIN);
            match (r.kind, &r.to, &r.tx_hash) {
                (TransferKind::UtxoInput, _, Some(h)) if r.from.as_deref() == Some(address) => {
                    let e = spends.entry(h.clone()).or_insert((time, Vec::new(), U256::ZERO));
                    e.1.push(r.id);
                    e.2 = e.2.saturating_add(r.amount.0);
                }
                (TransferKind::Native | TransferKind::Internal | TransferKind::Token, Some(to), _)
                    if r.from.as_deref() == Some(address) && to != address =>
                {
                    let (asset, amount, transfers) = (r.asset.clone(), r.amount.0, vec![r.id]);
                    out.push(Move { to: to.clone(), time, asset, amount, transfers });
                }
                _ => {}
            }
        }
        for (hash, (time, inputs, put_in)) in spends {
            for o in self.src.tx_edges(self.chain, &hash)? {
                if let (TransferKind::UtxoOutput, Some(to)) = (o.kind, &o.to)
                    && to != address
                {
                    let mut transfers = inputs.clone();
                    transfers.push(o.id);
                    let time = o.time.unwrap_or(time);
                    out.push(Move {
                        to: to.clone(),
                        time,
                        asset: o.asset.clone(),
                        amount: o.amount.0.min(put_in),
                        transfers,
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.time, &a.to, &a.transfers).cmp(&(b.time, &b.to, &b.transfers)));
        let m = (!skip && !got.truncated).then(|| Rc::new(out));
        self.moves.insert(address.to_owned(), m.clone());
        Ok(m)
    }

    fn path(&self, hops: Vec<(String, Move)>) -> Path {
        let same = hops.windows(2).all(|w| w[0].1.asset == w[1].1.asset);
        let bottleneck = same.then(|| hops.iter().map(|(_, m)| Amount(m.amount)).min()).flatten();
        let hops = hops
            .into_iter()
            .map(|(from, m)| PathHop {
                from,
                to: m.to,
                asset: m.asset,
                amount: Amount(m.amount),
                time: (m.time != i64::MIN).then_some(m.time),
                transfers: m.transfers,
                to_label: None,
            })
            .collect();
        Path { chain: self.chain.to_owned(), hops, bottleneck }
    }

    fn shortest(&mut self) -> Result<Option<Path>, AnalysisError> {
        // layers[k]: address → (earliest arrival with k hops, (previous address, move index)).
        let mut layers: Vec<Layer> = vec![BTreeMap::from([(self.from.to_owned(), (i64::MIN, None))])];
        let mut best: HashMap<String, i64> = HashMap::from([(self.from.to_owned(), i64::MIN)]);
        for _ in 0..self.opts.max_hops {
            let mut next: Layer = BTreeMap::new();
            let frontier: Vec<(String, i64)> =
                layers.last().map(|l| l.iter().map(|(a, (t, _))| (a.clone(), *t)).collect()).unwrap_or_default();
            for (u, t_u) in frontier {
                if u == self.target {
                    continue;
                }
                let Some(moves) = self.expand(&u)? else { continue };
                for (i, m) in moves.iter().enumerate() {
                    if m.time < t_u || best.get(&m.to).is_some_and(|b| *b <= m.time) {
                        continue;
                    }
                    best.insert(m.to.clone(), m.time);
                    next.insert(m.to.clone(), (m.time, Some((u.clone(), i))));
                }
            }
            let done = next.contains_key(self.target);
            let empty = next.is_empty();
            layers.push(next);
            if done {
                return Ok(Some(self.rebuild(&layers)));
            }
            if empty {
                break;
            }
        }
        Ok(None)
    }

    fn rebuild(&self, layers: &[Layer]) -> Path {
        let mut hops = Vec::new();
        let mut at = self.target.to_owned();
        for layer in layers.iter().rev() {
            let Some((_, Some((prev, i)))) = layer.get(&at) else { break };
            if let Some(m) = self.moves.get(prev).and_then(|m| m.as_ref()).and_then(|m| m.get(*i)) {
                hops.push((prev.clone(), m.clone()));
            }
            at = prev.clone();
        }
        hops.reverse();
        self.path(hops)
    }

    fn widest(&mut self, asset: &str) -> Result<Option<Path>, AnalysisError> {
        struct Label {
            node: String,
            width: U256,
            time: i64,
            hops: u32,
            parent: Option<(usize, Move)>,
        }
        let mut labels =
            vec![Label { node: self.from.to_owned(), width: U256::MAX, time: i64::MIN, hops: 0, parent: None }];
        let mut at: HashMap<String, Vec<usize>> = HashMap::from([(self.from.to_owned(), vec![0])]);
        let mut heap = BinaryHeap::from([(U256::MAX, Reverse(0u32), Reverse(i64::MIN), Reverse(0usize))]);
        let budget = self.opts.max_nodes.saturating_mul(4);
        while let Some((_, _, _, Reverse(li))) = heap.pop() {
            let Some(l) = labels.get(li) else { continue };
            let (node, width, time, hops) = (l.node.clone(), l.width, l.time, l.hops);
            if node == self.target {
                let mut chain = Vec::new();
                let mut cur = li;
                while let Some((p, m)) = labels.get(cur).and_then(|l| l.parent.clone()) {
                    chain.push((labels.get(p).map(|l| l.node.clone()).unwrap_or_default(), m));
                    cur = p;
                }
                chain.reverse();
                return Ok(Some(self.path(chain)));
            }
            if hops >= self.opts.max_hops {
                continue;
            }
            let Some(moves) = self.expand(&node)? else { continue };
            for m in moves.iter().filter(|m| m.asset == asset && m.time >= time && m.amount > U256::ZERO) {
                let w = width.min(m.amount);
                let kept = at.entry(m.to.clone()).or_default();
                let dominated = kept
                    .iter()
                    .filter_map(|i| labels.get(*i))
                    .any(|o| o.width >= w && o.time <= m.time && o.hops <= hops + 1);
                if dominated {
                    continue;
                }
                if labels.len() >= budget {
                    self.truncated = true;
                    return Ok(None);
                }
                let id = labels.len();
                kept.push(id);
                labels.push(Label {
                    node: m.to.clone(),
                    width: w,
                    time: m.time,
                    hops: hops + 1,
                    parent: Some((li, m.clone())),
                });
                heap.push((w, Reverse(hops + 1), Reverse(m.time), Reverse(id)));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
#[path = "taint/paths_tests.rs"]
mod tests;
