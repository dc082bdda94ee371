//! Value tracing from a case, the same way in the window and the CLI (`hoptrace taint`): the
//! case's seeds (or given ones), its accepted hops crossed (suggested ones too when asked) and its
//! own labels as stops, on the case's ledger.

use crate::analysis::taint::{self, AnalysisError, Method, Seed, TaintOptions, TaintReport, TraceSource};
use crate::case::{Case, NodeKey};
use crate::model::HopStatus;

/// The case's seed addresses as taint seeds (transaction seeds are left out: taint starts at
/// addresses).
#[must_use]
pub fn case_seeds(case: &Case) -> Vec<Seed> {
    case.seeds
        .iter()
        .filter_map(|k| match k {
            NodeKey::Address { chain, address } => {
                Some(Seed::Address { chain: chain.clone(), address: address.clone() })
            }
            _ => None,
        })
        .collect()
}

/// Taint options for `case`: `method`, up to `max_hops` hops, crossing the case's accepted hops
/// (and suggested ones when `include_suggested`), with the case's labels as stops beside the
/// ledger's.
#[must_use]
pub fn case_options(case: &Case, method: Method, max_hops: u32, include_suggested: bool) -> TaintOptions {
    let mut o = TaintOptions::new(method);
    o.max_hops = max_hops;
    o.hops = case
        .hops
        .iter()
        .filter(|(_, h)| h.status == HopStatus::Accepted || (include_suggested && h.status == HopStatus::Suggested))
        .map(|(id, h)| (*id, h.clone()))
        .collect();
    o.labels = case
        .labels
        .values()
        .filter_map(|l| match &l.node {
            NodeKey::Address { chain, address } => Some((chain.clone(), address.clone(), l.entity.clone(), l.category)),
            _ => None,
        })
        .collect();
    o
}

/// Why tracing from a case did not run.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The case has no address seeds to trace from.
    #[error("the case has no seed addresses to trace from: add a seed first")]
    NoSeeds,
    /// Tracing failed (the ledger, or a bad option).
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
}

/// Traces value from the case's seeds with `options` on `ledger`.
///
/// # Errors
/// [`TraceError`].
pub fn trace_case<S: TraceSource>(ledger: &S, case: &Case, options: &TaintOptions) -> Result<TaintReport, TraceError> {
    let seeds = case_seeds(case);
    if seeds.is_empty() {
        return Err(TraceError::NoSeeds);
    }
    Ok(taint::trace(ledger, &seeds, options)?)
}
