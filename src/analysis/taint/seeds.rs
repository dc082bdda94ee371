//! Turning seeds into the first arrivals of taint.

use std::collections::BTreeSet;

use ethnum::U256;

use super::engine::{Arrival, Engine};
use super::source::TraceSource;
use super::{AnalysisError, Seed};
use crate::case::NodeKey;
use crate::ledger::{TraceRow, canonical_address};
use crate::model::TransferKind;

impl<S: TraceSource> Engine<'_, S> {
    /// Queues the seeds' taint: what seed addresses received from non-seeds (at or after
    /// `from_time`), and seed transfers, each arriving in full at its recipient.
    ///
    /// # Errors
    /// No seed taints anything; a seed address has more transfers than the node cap; a
    /// ledger failure.
    pub(super) fn seed(&mut self, seeds: &[Seed]) -> Result<(), AnalysisError> {
        let seeds: BTreeSet<Seed> = seeds
            .iter()
            .map(|s| match s {
                Seed::Address { chain, address } => {
                    Seed::Address { chain: chain.clone(), address: canonical_address(address) }
                }
                Seed::Transfer(id) => Seed::Transfer(*id),
            })
            .collect();
        for s in &seeds {
            if let Seed::Address { chain, address } = s {
                self.seeds.insert((chain.clone(), address.clone()));
            }
        }
        let mut queued = 0usize;
        for s in &seeds {
            match s {
                Seed::Address { chain, address } => {
                    let got = self.src.address_edges(chain, address, self.opts.node_cap)?;
                    self.transfers_read += got.rows.len() as u64;
                    if got.truncated {
                        return Err(AnalysisError::Invalid(format!(
                            "seed {chain}:{address} has more than {} transfers on a side: seed its transfers \
                             (or raise the node cap) instead",
                            self.opts.node_cap
                        )));
                    }
                    for r in &got.rows {
                        if self.received_from_outside(chain, address, r)? {
                            queued +=
                                usize::from(self.queue_seed(NodeKey::address(chain.clone(), address.clone()), r)?);
                        }
                    }
                    self.keep_read(NodeKey::address(chain.clone(), address.clone()), got.rows);
                }
                Seed::Transfer(id) => {
                    for r in self.src.edges_by_id(&[*id])? {
                        let target = match (r.kind, &r.to, &r.tx_hash) {
                            (TransferKind::UtxoInput, _, Some(h)) => {
                                NodeKey::Tx { chain: r.chain.clone(), hash: h.clone() }
                            }
                            (_, Some(to), _) if r.kind != TransferKind::UtxoInput => {
                                NodeKey::address(r.chain.clone(), to.clone())
                            }
                            _ => {
                                return Err(AnalysisError::Invalid(format!(
                                    "seed transfer {id} has no recipient to start from"
                                )));
                            }
                        };
                        queued += usize::from(self.queue_seed(target, &r)?);
                    }
                }
            }
        }
        if queued == 0 {
            return Err(AnalysisError::NoSeeds(
                "the seeds taint nothing: no seed address received anything (after --from) from a non-seed, \
                 and no seed transfer is in the ledger"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// Whether `r` is something `address` received from outside the seeds.
    fn received_from_outside(&mut self, chain: &str, address: &str, r: &TraceRow) -> Result<bool, AnalysisError> {
        if r.to.as_deref() != Some(address) || r.kind == TransferKind::UtxoInput || r.from.as_deref() == Some(address) {
            return Ok(false);
        }
        if self.opts.from_time.is_some_and(|from| r.time.is_none_or(|t| t < from)) {
            return Ok(false);
        }
        if let Some(from) = &r.from {
            return Ok(!self.seeds.contains(&(chain.to_owned(), from.clone())));
        }
        // A UTXO output: from outside unless a seed funded its transaction.
        let Some(hash) = &r.tx_hash else { return Ok(true) };
        let tx = self.src.tx_edges(chain, hash)?;
        self.transfers_read += tx.len() as u64;
        Ok(!tx.iter().any(|i| {
            i.kind == TransferKind::UtxoInput
                && i.from.as_ref().is_some_and(|f| self.seeds.contains(&(chain.to_owned(), f.clone())))
        }))
    }

    /// Queues `r` as seed taint arriving at `target`; false when it moved nothing.
    fn queue_seed(&mut self, target: NodeKey, r: &TraceRow) -> Result<bool, AnalysisError> {
        if r.amount.0 == U256::ZERO {
            return Ok(false);
        }
        let flow = self.flow(&r.chain, &r.asset);
        self.credit(flow, r.amount.0, false)?;
        let time = r.time.unwrap_or(i64::MIN);
        self.push(Arrival { target, flow, transfer: r.id, time, taint: r.amount.0, exposure: r.amount.0, depth: 0 });
        Ok(true)
    }
}
