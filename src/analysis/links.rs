//! Address reuse between the two sides of a hop: does a candidate recipient have a direct
//! transfer with an address of the case (funded by it, or sending to it)?
//!
//! Two indexed queries per recipient ([`FlowLedger::flows`] in and out), at most
//! [`MAX_CHECKS`] recipients (those beyond are reported as unchecked by their absence).

use std::collections::{BTreeMap, BTreeSet};

use super::candidate::{short, show};
use super::trace::Reach;
use crate::ledger::{Direction, FlowLedger, LedgerError};
use crate::model::format_utc;

/// At most this many recipients are checked per finder run.
pub const MAX_CHECKS: usize = 5_000;

/// For each recipient linked to the case, a sentence saying how (the earliest link).
/// `exclude` are service addresses (the pool itself) that do not count as the case.
///
/// # Errors
/// A ledger failure.
pub fn find_links<'a, L: FlowLedger>(
    ledger: &L,
    reach: &Reach,
    recipients: impl Iterator<Item = &'a (String, String)>,
    exclude: &BTreeSet<(String, String)>,
) -> Result<BTreeMap<(String, String), String>, LedgerError> {
    let mut out = BTreeMap::new();
    for key in recipients.take(MAX_CHECKS) {
        let (chain, address) = key;
        if reach.contains(chain, address) {
            out.insert(key.clone(), "The recipient is itself an address the case reaches".to_owned());
            continue;
        }
        let mut best: Option<(i64, String)> = None;
        for dir in [Direction::In, Direction::Out] {
            for f in ledger.flows(address, dir, None, None)? {
                let other = if dir == Direction::In { f.from.as_ref() } else { f.to.as_ref() };
                let Some(other) = other else { continue };
                let okey = (f.chain.clone(), other.clone());
                if &f.chain != chain || exclude.contains(&okey) || !reach.contains(&f.chain, other) {
                    continue;
                }
                let t = f.time.unwrap_or(0);
                if best.as_ref().is_some_and(|(bt, _)| *bt <= t) {
                    continue;
                }
                let verb = if dir == Direction::In { "received" } else { "sent" };
                let prep = if dir == Direction::In { "from" } else { "to" };
                let text = format!(
                    "The recipient {verb} {} {prep} case address {} at {}",
                    show(&f.chain, &f.asset, f.amount),
                    short(other),
                    format_utc(t)
                );
                best = Some((t, text));
            }
        }
        if let Some((_, text)) = best {
            out.insert(key.clone(), text);
        }
    }
    Ok(out)
}
