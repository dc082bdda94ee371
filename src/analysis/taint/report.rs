//! Gathering a trace's endpoints and holdings into the report.

use ethnum::U256;

use super::engine::{EndAcc, Engine, LISTED};
use super::source::TraceSource;
use super::{AssetFlow, Endpoint, Holding, StopReason, TaintReport};
use crate::case::NodeKey;
use crate::model::Amount;

impl<S: TraceSource> Engine<'_, S> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn endpoint(
        &mut self,
        flow: usize,
        node: NodeKey,
        reason: StopReason,
        amount: U256,
        exposure: U256,
        hops: u32,
        time: Option<i64>,
        transfers: &[i64],
    ) {
        let Some(f) = self.flows.get_mut(flow) else { return };
        let e = f.endpoints.entry((node, reason)).or_insert_with(|| EndAcc { hops: u32::MAX, ..EndAcc::default() });
        e.amount = e.amount.saturating_add(amount);
        e.exposure = e.exposure.saturating_add(exposure);
        e.hops = e.hops.min(hops);
        e.first_time = match (e.first_time, time) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for t in transfers {
            if e.transfers.len() < LISTED && !e.transfers.contains(t) {
                e.transfers.push(*t);
            }
        }
    }

    /// Gathers endpoints and holdings per flow.
    pub(super) fn finish(mut self) -> TaintReport {
        let mut holdings: Vec<Vec<Holding>> = self.flows.iter().map(|_| Vec::new()).collect();
        let slots = std::mem::take(&mut self.slots);
        for s in slots {
            if !s.active() && s.exposure_in == U256::ZERO {
                continue;
            }
            let reason = if s.time_limited {
                Some(StopReason::TimeLimit)
            } else if !s.spent_after_taint {
                Some(StopReason::NoOutgoing)
            } else {
                None
            };
            match reason {
                Some(r) => {
                    let (flow, node, t, x) = (s.flow, s.node, s.tainted, s.exposure_in);
                    self.endpoint(flow, node, r, t, x, s.depth, s.first_time, &s.arrivals);
                }
                None if s.tainted > U256::ZERO => {
                    if let Some(h) = holdings.get_mut(s.flow) {
                        h.push(Holding { node: s.node, amount: Amount(s.tainted), hops: s.depth });
                    }
                }
                None => {}
            }
        }
        let mut flows: Vec<AssetFlow> = self
            .flows
            .into_iter()
            .zip(holdings)
            .map(|(f, mut remaining)| {
                let mut endpoints: Vec<Endpoint> = f
                    .endpoints
                    .into_iter()
                    .map(|((node, reason), e)| Endpoint {
                        node,
                        reason,
                        amount: Amount(e.amount),
                        exposure: Amount(e.exposure),
                        hops: e.hops,
                        first_time: e.first_time,
                        transfers: e.transfers,
                    })
                    .collect();
                endpoints.sort_by(|a, b| {
                    b.amount.cmp(&a.amount).then(b.exposure.cmp(&a.exposure)).then(a.node.cmp(&b.node))
                });
                remaining.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.node.cmp(&b.node)));
                let sum = |it: &mut dyn Iterator<Item = Amount>| it.fold(Amount::ZERO, Amount::saturating_add);
                let reached = sum(&mut endpoints.iter().map(|e| e.amount));
                let stays = sum(&mut remaining.iter().map(|h| h.amount));
                AssetFlow {
                    chain: f.key.0,
                    asset: f.key.1,
                    seeded: Amount(f.seeded),
                    from_hops: Amount(f.from_hops),
                    endpoints,
                    remaining,
                    reached,
                    stays,
                }
            })
            .collect();
        flows.sort_by(|a, b| (&a.chain, &a.asset).cmp(&(&b.chain, &b.asset)));
        TaintReport {
            method: self.opts.method,
            max_hops: self.opts.max_hops,
            flows,
            transfers_read: self.transfers_read,
            transfers_tainted: self.transfers_tainted,
            nodes_read: self.nodes.len() as u64,
        }
    }
}
