//! Crossing annotated hops: taint on a hop's inbound transfer moves onto its outbound
//! transfers, in their own assets, by the inbound share (see the parent module's docs).

use std::collections::{BTreeMap, HashMap, HashSet};

use ethnum::U256;

use super::arith::{mul_div, split_proportional};
use super::engine::{Arrival, Engine};
use super::source::TraceSource;
use super::{AnalysisError, Method, StopReason};
use crate::case::NodeKey;
use crate::ledger::TraceRow;
use crate::model::TransferKind;
use crate::model::{Hop, HopStatus};

/// A hop's transfers, read when taint first reaches it.
#[derive(Debug)]
struct Plan {
    /// Inbound total per (chain, asset).
    inbound: BTreeMap<(String, String), U256>,
    /// Outbound transfers by id.
    outbound: Vec<TraceRow>,
}

/// The hops a trace may cross, by inbound transfer.
#[derive(Debug, Default)]
pub(super) struct HopIndex {
    by_inbound: HashMap<i64, u64>,
    hops: BTreeMap<u64, Hop>,
    plans: HashMap<u64, Plan>,
    /// Taint already put on each outbound transfer by crossings: overlapping hops (suggestions
    /// may share transfers) never put more on a transfer than it moved.
    credited: HashMap<i64, U256>,
    /// Outbound transfers a crossing has handed on with their value as exposure (once each).
    handed: HashSet<i64>,
    /// Ledger rows read for hops.
    pub rows_read: u64,
}

/// One outbound transfer's share of a crossing.
#[derive(Debug)]
pub(super) struct Share {
    pub row: TraceRow,
    pub taint: U256,
}

impl HopIndex {
    /// The hops that are not rejected; a transfer inbound to several belongs to the first.
    pub fn new(hops: &[(u64, Hop)]) -> Self {
        let mut index = HopIndex::default();
        let mut sorted: Vec<&(u64, Hop)> = hops.iter().filter(|(_, h)| h.status != HopStatus::Rejected).collect();
        sorted.sort_by_key(|(id, _)| *id);
        for (id, hop) in sorted {
            for t in &hop.inbound {
                index.by_inbound.entry(*t).or_insert(*id);
            }
            index.hops.insert(*id, hop.clone());
        }
        index
    }

    /// The hop whose inbound side holds transfer `id`.
    pub fn hop_of(&self, id: i64) -> Option<u64> {
        self.by_inbound.get(&id).copied()
    }

    /// The outbound shares of `taint` arriving on inbound transfer of `asset` on `chain`
    /// (`inbound_asset`): per outbound asset, `total × taint ÷ inbound total ÷ inbound assets`
    /// rounded down (never more than `taint` when the outbound asset is the inbound one: what
    /// comes out of a hop never exceeds what went in), split over its transfers by largest
    /// remainder; each transfer takes at most what earlier crossings (of overlapping hops) left
    /// of its amount. What a transfer cannot take stays at the hop's endpoint, where the inbound
    /// taint was counted: every flow still conserves.
    ///
    /// # Errors
    /// A ledger failure reading the hop's transfers.
    pub fn cross<S: TraceSource>(
        &mut self,
        source: &S,
        hop: u64,
        inbound_asset: &(String, String),
        taint: U256,
    ) -> Result<Vec<Share>, AnalysisError> {
        if !self.plans.contains_key(&hop) {
            let Some(h) = self.hops.get(&hop) else { return Ok(Vec::new()) };
            let ids: Vec<i64> = h.inbound.iter().chain(&h.outbound).copied().collect();
            let rows = source.edges_by_id(&ids)?;
            self.rows_read += rows.len() as u64;
            let mut inbound: BTreeMap<(String, String), U256> = BTreeMap::new();
            let mut outbound = Vec::new();
            for r in rows {
                if h.inbound.contains(&r.id) {
                    let t = inbound.entry((r.chain.clone(), r.asset.clone())).or_default();
                    *t = t.saturating_add(r.amount.0);
                } else {
                    outbound.push(r);
                }
            }
            self.plans.insert(hop, Plan { inbound, outbound });
        }
        let Some(plan) = self.plans.get(&hop) else { return Ok(Vec::new()) };
        let in_total = plan.inbound.get(inbound_asset).copied().unwrap_or(U256::ZERO);
        let assets_in = U256::from(plan.inbound.len().max(1) as u64);
        let mut groups: BTreeMap<(String, String), Vec<&TraceRow>> = BTreeMap::new();
        for r in &plan.outbound {
            groups.entry((r.chain.clone(), r.asset.clone())).or_default().push(r);
        }
        let mut shares = Vec::new();
        for (asset, rows) in &groups {
            let total = rows.iter().fold(U256::ZERO, |a, r| a.saturating_add(r.amount.0));
            let mut moved = mul_div(total, taint.min(in_total), in_total).map_or(U256::ZERO, |(q, _)| q / assets_in);
            if asset == inbound_asset {
                moved = moved.min(taint);
            }
            let weights: Vec<U256> = rows.iter().map(|r| r.amount.0).collect();
            for (r, part) in rows.iter().zip(split_proportional(moved, &weights)) {
                let done = self.credited.entry(r.id).or_default();
                let part = part.min(r.amount.0.saturating_sub(*done));
                *done = done.saturating_add(part);
                shares.push(Share { row: (*r).clone(), taint: part });
            }
        }
        Ok(shares)
    }
}

impl<S: TraceSource> Engine<'_, S> {
    /// Ends taint at an annotated hop and starts its share on the hop's outbound transfers.
    pub(super) fn cross(
        &mut self,
        hop: u64,
        flow: usize,
        at: NodeKey,
        (transfer, time): (i64, i64),
        (taint, exposure): (U256, U256),
        depth: u32,
    ) -> Result<(), AnalysisError> {
        let reason = StopReason::AnnotatedHop { id: hop };
        self.endpoint(flow, at, reason, taint, exposure, depth.saturating_add(1), Some(time), &[transfer]);
        let asset = self.flows.get(flow).map(|f| f.key.clone()).unwrap_or_default();
        let before = self.hops.rows_read;
        let shares = self.hops.cross(self.src, hop, &asset, taint)?;
        self.transfers_read += self.hops.rows_read - before;
        let poison = self.opts.method == Method::Poison && exposure > U256::ZERO;
        for sh in shares {
            let r = sh.row;
            // A transfer handed on by an earlier crossing (of an overlapping hop) counts its
            // value as exposure once.
            let moves = sh.taint > U256::ZERO || poison;
            let exposure = if moves && self.hops.handed.insert(r.id) { r.amount.0 } else { U256::ZERO };
            if exposure == U256::ZERO && sh.taint == U256::ZERO {
                continue;
            }
            let out_flow = self.flow(&r.chain, &r.asset);
            self.credit(out_flow, sh.taint, true)?;
            let target = match (r.kind, &r.to, &r.tx_hash) {
                (TransferKind::UtxoInput, _, Some(h)) => Some(NodeKey::Tx { chain: r.chain.clone(), hash: h.clone() }),
                (TransferKind::UtxoInput, _, None) | (_, None, _) => None,
                (_, Some(to), _) => Some(NodeKey::address(r.chain.clone(), to.clone())),
            };
            let (t, d) = (r.time.unwrap_or(time), depth.saturating_add(1));
            match target {
                Some(k) => {
                    self.push(Arrival {
                        target: k,
                        flow: out_flow,
                        transfer: r.id,
                        time: t,
                        taint: sh.taint,
                        exposure,
                        depth: d,
                    });
                }
                None => {
                    let k = NodeKey::Tx { chain: r.chain.clone(), hash: r.tx_hash.clone().unwrap_or_default() };
                    self.endpoint(out_flow, k, StopReason::NoRecipient, sh.taint, exposure, d, Some(t), &[r.id]);
                }
            }
        }
        Ok(())
    }
}
