//! The two rules every hop the investigator stands behind must keep, checked when a hop is
//! recorded, edited or accepted (the window and the CLI go through the same commands):
//!
//! - **No value counted twice.** Two accepted hops may not share an inbound transfer (the same
//!   value would enter two hops) nor an outbound transfer (the same value would leave two
//!   hops). A transfer outbound of one hop and inbound of the next is a chain, not a double
//!   count, and is allowed. Suggestions may overlap (they are candidates); accepting one that
//!   overlaps an accepted hop is refused, naming that hop and the shared transfers, unless the
//!   command says it replaces it (`AcceptHop { replaces }`): the replaced hops are rejected in
//!   the same command, so one undo restores both and the audit log records the replacement.
//! - **No hop against time.** Value cannot leave a service before it entered: an outbound
//!   transfer earlier than the hop's earliest inbound transfer cannot carry any of the inbound
//!   value, so such a hop is refused. Outbound transfers at or after the earliest inbound one
//!   are allowed (a batch hop's first withdrawal may precede its last deposit; a swap's legs
//!   share one time). A transfer whose block time the ledger does not know has nothing to be
//!   compared with and is left out of the comparison. Where the recorded times are known
//!   to be wrong (a miner's clock), the hop can still be recorded with an explicit override:
//!   its reason is kept in the hop's features ([`TIME_ORDER_OVERRIDE`]) and so in the audit log.
//!
//! Cost: O(h · t log t) for h hops of t transfers each.

use std::collections::{BTreeMap, BTreeSet};

use super::investigation::{CommandError, Investigation};
use crate::ledger::{Ledger, TransferRow};
use crate::model::{Hop, HopStatus};

/// The hop feature holding the investigator's reason for recording a hop whose outbound
/// transfers precede its inbound ones.
pub const TIME_ORDER_OVERRIDE: &str = "time_order_override";

/// The hop feature a replaced hop gets: the hop that replaced it.
pub const REPLACED_BY: &str = "replaced_by";

/// Transfers two hops share in the same role: inbound with inbound, outbound with outbound.
#[must_use]
pub fn shared_transfers(a: &Hop, b: &Hop) -> Vec<i64> {
    let side = |x: &[i64], y: &[i64]| -> BTreeSet<i64> {
        let y: BTreeSet<i64> = y.iter().copied().collect();
        x.iter().copied().filter(|t| y.contains(t)).collect()
    };
    let mut both = side(&a.inbound, &b.inbound);
    both.extend(side(&a.outbound, &b.outbound));
    both.into_iter().collect()
}

/// `ids` as `transfer 7` or `transfers 7, 8`.
fn transfers_text(ids: &[i64]) -> String {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    if ids.len() == 1 { format!("transfer {list}") } else { format!("transfers {list}") }
}

/// Checks that `hop`'s outbound transfers do not precede its inbound ones (see the module
/// docs), unless the hop carries a [`TIME_ORDER_OVERRIDE`] reason.
///
/// # Errors
/// [`CommandError::Invalid`] naming the earliest inbound transfer and the outbound transfers
/// before it.
pub fn check_time_order(hop: &Hop, rows: &BTreeMap<i64, &TransferRow>) -> Result<(), CommandError> {
    if hop.features.get(TIME_ORDER_OVERRIDE).is_some_and(|r| !r.trim().is_empty()) || hop.inbound.is_empty() {
        return Ok(());
    }
    let time = |id: &i64| rows.get(id).and_then(|r| r.transfer.time);
    let Some((first_in, first_time)) =
        hop.inbound.iter().filter_map(|id| time(id).map(|t| (*id, t))).min_by_key(|p| p.1)
    else {
        return Ok(());
    };
    let mut early: Vec<(i64, i64)> =
        hop.outbound.iter().filter_map(|id| time(id).map(|t| (*id, t))).filter(|(_, t)| *t < first_time).collect();
    if early.is_empty() {
        return Ok(());
    }
    early.sort_unstable_by_key(|&(id, t)| (t, id));
    let one = early.len() == 1;
    let listed = early
        .iter()
        .map(|&(id, t)| format!("{id} ({})", crate::import::time::format_utc(t)))
        .collect::<Vec<_>>()
        .join(", ");
    let when = crate::import::time::format_utc(first_time);
    Err(CommandError::invalid(format!(
        "the hop runs against time: outbound {} {listed} {} before its earliest inbound transfer {first_in} ({when}), \
         so {} none of the value that went in; take {} out of the hop, or, if the recorded times are wrong, \
         record it with a stated reason for the override (`--allow-time-order \"why\"` on the command line; \
         kept in the hop and the audit log)",
        if one { "transfer" } else { "transfers" },
        if one { "is" } else { "are" },
        if one { "it carries" } else { "they carry" },
        if one { "it" } else { "them" },
    )))
}

impl<L: Ledger> Investigation<L> {
    /// The first accepted hop (by id) other than `skip` that shares a transfer with `hop` in
    /// the same role, with the shared transfers.
    fn first_overlap(&self, hop: &Hop, skip: &BTreeSet<u64>) -> Option<(u64, Vec<i64>)> {
        self.case.hops.iter().filter(|(id, h)| h.status == HopStatus::Accepted && !skip.contains(id)).find_map(
            |(id, h)| {
                let shared = shared_transfers(hop, h);
                (!shared.is_empty()).then_some((*id, shared))
            },
        )
    }

    /// Checks that `hop`, about to be accepted as hop `id` (a new hop has no id yet), shares
    /// no transfer with an accepted hop other than those in `replaces`, and that every hop in
    /// `replaces` exists, is accepted and does overlap it.
    ///
    /// # Errors
    /// [`CommandError::Invalid`] naming the first overlapping hop and the shared transfers,
    /// and how to replace it.
    pub(super) fn check_no_double_count(
        &self,
        id: Option<u64>,
        hop: &Hop,
        replaces: &[u64],
        accept_word: &str,
        offer_replace: bool,
    ) -> Result<(), CommandError> {
        let this = id.map_or_else(|| "this hop".to_owned(), |id| format!("hop #{id}"));
        for r in replaces {
            let Some(old) = self.case.hops.get(r) else {
                return Err(CommandError::invalid(format!("{this} cannot replace hop #{r}: there is no hop #{r}")));
            };
            if Some(*r) == id {
                return Err(CommandError::invalid(format!("{this} cannot replace itself")));
            }
            if old.status != HopStatus::Accepted {
                return Err(CommandError::invalid(format!(
                    "{this} cannot replace hop #{r}: it is not accepted (only an accepted hop is replaced)"
                )));
            }
            if shared_transfers(hop, old).is_empty() {
                return Err(CommandError::invalid(format!(
                    "{this} cannot replace hop #{r}: they share no transfer (accept it without --replaces)"
                )));
            }
        }
        let skip: BTreeSet<u64> = replaces.iter().copied().chain(id).collect();
        if let Some((first, shared)) = self.first_overlap(hop, &skip) {
            let how = match id {
                _ if !offer_replace => String::new(),
                Some(id) => format!(
                    ", or replace hop #{first} with this one (`hoptrace accept CASE {id} --replaces {first}`: \
                     hop #{first} is rejected in the same command)"
                ),
                None => format!(
                    ", or record this one as suggested and accept it replacing hop #{first} \
                     (`hoptrace accept CASE ID --replaces {first}`)"
                ),
            };
            return Err(CommandError::invalid(format!(
                "{accept_word} {this} would count value twice: it shares {} with accepted hop #{first}; \
                 reject one of them first{how}",
                transfers_text(&shared)
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HopKind;

    fn hop(inbound: &[i64], outbound: &[i64]) -> Hop {
        Hop {
            kind: HopKind::PeelChain,
            inbound: inbound.to_vec(),
            outbound: outbound.to_vec(),
            confidence: 50,
            rationale: "r".to_owned(),
            features: BTreeMap::new(),
            status: HopStatus::Accepted,
            author: String::new(),
            time: 0,
        }
    }

    #[test]
    fn shared_means_the_same_role() {
        assert_eq!(shared_transfers(&hop(&[1, 2], &[5, 6]), &hop(&[2, 3], &[6, 7])), vec![2, 6]);
        // One hop's outbound is the next hop's inbound: a chain, not a double count.
        assert!(shared_transfers(&hop(&[1], &[5]), &hop(&[5], &[9])).is_empty());
    }

    #[test]
    fn transfers_are_named_in_the_singular_and_plural() {
        assert_eq!(transfers_text(&[7]), "transfer 7");
        assert_eq!(transfers_text(&[7, 8]), "transfers 7, 8");
    }
}
