//! Custodial mixers (Blender, Sinbad style): the case deposits to a service address; the
//! service pays the amount less its fee, split in a few payouts, from its own addresses within
//! a window.
//!
//! 1. Deposits: the case's flows into a mixer-labelled address (or one of
//!    [`Settings::services`]) that is not a fixed-denomination pool.
//! 2. Payouts: flows out of the service's addresses on that chain (mixer-labelled addresses
//!    that are not pools, and the given ones) to addresses outside the service, in the window
//!    after the deposit (sort + sweep, [`super::sweep`]; at most [`MAX_WINDOW_PAYOUTS`] per
//!    deposit, the earliest).
//! 3. Combinations of 1 to [`Settings::max_payouts`] payouts whose sum is the deposit less a
//!    fee in [`Settings::custodial_fee_bps`]: payouts sorted by amount, depth-first with the
//!    last payout found by binary search, O(w^(k−1) log w) for w payouts and k parts, at most
//!    [`MAX_COMBINATIONS`] per deposit.
//! 4. Score: the sum in the fee range (25); the fee being a whole number of basis points of
//!    the deposit, rounded down to a base unit, as a service computes it (25); fewer parts
//!    (10 for one, 5 for two); how many combinations fit (15 / n); a payout recipient with a
//!    direct transfer to or from the case (15). One combination per deposit and each payout
//!    used once, greedy by score.

use std::collections::{BTreeMap, BTreeSet};

use ethnum::U256;

use super::candidate::{Candidate, bps_text, centi_bps, clamp_score, fraction_bps, hours, minus, short, show};
use super::sweep::{self, Event};
use super::{FinderError, FinderKind, Settings, Start, links, mixer, trace};
use crate::ledger::{Direction, Flow, FlowLedger};
use crate::model::format_utc;
use crate::model::{Amount, Category, HopKind};

/// Default window: 48 hours.
pub const DEFAULT_WINDOW_HOURS: u32 = 48;
/// Payouts considered per deposit (the earliest in its window).
pub const MAX_WINDOW_PAYOUTS: usize = 400;
/// Combinations kept per deposit.
pub const MAX_COMBINATIONS: usize = 20_000;

/// The whole basis points `b` in `range` with `floor(amount × b / 10000) == fee`, if any.
#[must_use]
pub fn exact_bps(amount: Amount, fee: Amount, range: (u32, u32)) -> Option<u32> {
    if amount.0 == U256::ZERO {
        return None;
    }
    let guess = fee.0.saturating_mul(U256::from(10_000u32)) / amount.0;
    let guess = u32::try_from(guess).ok()?;
    [guess, guess.saturating_add(1)]
        .into_iter()
        .find(|b| *b >= range.0 && *b <= range.1 && fraction_bps(amount, *b) == fee)
}

/// Index combinations of `amounts` (sorted ascending) of 1..=`max_parts` items whose sum is in
/// `[lo, hi]`, at most `limit`.
#[must_use]
pub fn combinations(amounts: &[Amount], lo: Amount, hi: Amount, max_parts: usize, limit: usize) -> Vec<Vec<usize>> {
    fn dfs(
        a: &[Amount],
        from: usize,
        sum: Amount,
        parts: &mut Vec<usize>,
        want: (Amount, Amount, usize, usize),
        out: &mut Vec<Vec<usize>>,
    ) {
        let (lo, hi, max_parts, limit) = want;
        if parts.len() + 1 == max_parts {
            // The last part: a binary search for the range [lo − sum, hi − sum].
            let need_lo = minus(lo, sum);
            let Some(need_hi) = hi.0.checked_sub(sum.0).map(Amount) else { return };
            let rest = a.get(from..).unwrap_or_default();
            let start = from + rest.partition_point(|x| *x < need_lo);
            let end = from + rest.partition_point(|x| *x <= need_hi);
            for i in start..end {
                if out.len() >= limit {
                    return;
                }
                let mut c = parts.clone();
                c.push(i);
                out.push(c);
            }
            return;
        }
        for i in from..a.len() {
            let Some(x) = a.get(i) else { return };
            let s = sum.saturating_add(*x);
            if s > hi || out.len() >= limit {
                return;
            }
            if s >= lo {
                let mut c = parts.clone();
                c.push(i);
                out.push(c);
            }
            parts.push(i);
            dfs(a, i + 1, s, parts, want, out);
            parts.pop();
        }
    }
    let mut out = Vec::new();
    if max_parts == 0 {
        return out;
    }
    if max_parts == 1 {
        let start = amounts.partition_point(|x| *x < lo);
        let end = amounts.partition_point(|x| *x <= hi);
        return (start..end).take(limit).map(|i| vec![i]).collect();
    }
    dfs(amounts, 0, Amount::ZERO, &mut Vec::new(), (lo, hi, max_parts, limit), &mut out);
    out.sort();
    out.dedup();
    out
}

/// The custodial mixer finder (see the module docs).
///
/// # Errors
/// A ledger failure.
pub fn find<L: FlowLedger>(ledger: &L, start: &Start, s: &Settings) -> Result<Vec<Candidate>, FinderError> {
    let stops: BTreeSet<(String, String)> = s.services.union(&s.mixers).cloned().collect();
    let reach = trace::reach(ledger, start, s.trace_depth, &stops)?;
    let window = s.window_seconds(DEFAULT_WINDOW_HOURS);
    let mut entity: BTreeMap<(String, String), String> = BTreeMap::new();
    for l in ledger.labelled(Category::Mixer)? {
        entity.entry((l.chain.clone(), l.address.clone())).or_insert(l.entity);
    }
    for key in s.services.iter().chain(&s.mixers) {
        entity.entry(key.clone()).or_insert_with(|| "custodial mixer".to_owned());
    }
    let deposits: Vec<&Flow> = reach
        .into_services
        .iter()
        .filter(|f| {
            f.time.is_some() && f.to.as_ref().is_some_and(|to| entity.contains_key(&(f.chain.clone(), to.clone())))
        })
        .collect();
    let chains: BTreeSet<&str> = deposits.iter().map(|f| f.chain.as_str()).collect();
    let mut out = Vec::new();
    for chain in chains {
        let deps: Vec<&Flow> = deposits.iter().filter(|f| f.chain == chain).copied().collect();
        let first = deps.iter().filter_map(|d| d.time).min().unwrap_or(0);
        let last = deps.iter().filter_map(|d| d.time).max().unwrap_or(0);
        let mut sources: BTreeSet<(String, String)> = BTreeSet::new();
        for key in entity.keys().filter(|k| k.0 == chain) {
            let ins = ledger.flows(&key.1, Direction::In, Some(first - window), Some(last + window))?;
            let pool = ins.len() >= 5 && mixer::denomination(&ins).is_some() && !s.services.contains(key);
            if !pool {
                sources.insert(key.clone());
            }
        }
        let deps: Vec<&Flow> = deps
            .into_iter()
            .filter(|d| d.to.as_ref().is_some_and(|to| sources.contains(&(d.chain.clone(), to.clone()))))
            .collect();
        let mut payouts: Vec<Flow> = Vec::new();
        for key in &sources {
            for f in ledger.flows(&key.1, Direction::Out, Some(first), Some(last + window))? {
                let inside = f.to.as_ref().is_some_and(|to| sources.contains(&(f.chain.clone(), to.clone())));
                if f.chain == chain && !inside && f.time.is_some() {
                    payouts.push(f);
                }
            }
        }
        payouts.sort_by_key(|f| (f.time, f.id));
        payouts.dedup_by_key(|f| f.id);
        out.extend(match_deposits(ledger, &reach, &deps, &payouts, &entity, window, s)?);
    }
    super::candidate::sort_ranked(&mut out);
    Ok(out)
}

struct Combo<'a> {
    deposit: &'a Flow,
    payouts: Vec<&'a Flow>,
    fee: Amount,
    exact: Option<u32>,
    alternatives: usize,
    linked: Option<String>,
}

fn match_deposits<L: FlowLedger>(
    ledger: &L,
    reach: &trace::Reach,
    deps: &[&Flow],
    payouts: &[Flow],
    entity: &BTreeMap<(String, String), String>,
    window: i64,
    s: &Settings,
) -> Result<Vec<Candidate>, FinderError> {
    let ev = |f: &Flow, i: u32| Event { bucket: 0, time: f.time.unwrap_or(0), index: i };
    let mut left: Vec<Event> = (0u32..).zip(deps).map(|(i, f)| ev(f, i)).collect();
    let mut right: Vec<Event> = (0u32..).zip(payouts).map(|(i, f)| ev(f, i)).collect();
    sweep::sort_both(&mut left, &mut right);
    let mut combos: Vec<Combo> = Vec::new();
    for (l, range) in left.iter().zip(sweep::windows(&left, &right, 1, window)) {
        let Some(dep) = deps.get(l.index as usize) else { continue };
        let mut near: Vec<&Flow> = right
            .get(range)
            .unwrap_or_default()
            .iter()
            .take(MAX_WINDOW_PAYOUTS)
            .filter_map(|r| payouts.get(r.index as usize))
            .filter(|p| p.asset == dep.asset && p.amount < dep.amount)
            .collect();
        near.sort_by_key(|p| (p.amount, p.id));
        let amounts: Vec<Amount> = near.iter().map(|p| p.amount).collect();
        let lo = minus(dep.amount, fraction_bps(dep.amount, s.custodial_fee_bps.1));
        let hi = minus(dep.amount, fraction_bps(dep.amount, s.custodial_fee_bps.0));
        let found = combinations(&amounts, lo, hi, s.max_payouts, MAX_COMBINATIONS);
        let n = found.len();
        for idx in found {
            let ps: Vec<&Flow> = idx.iter().filter_map(|i| near.get(*i).copied()).collect();
            let sum = ps.iter().map(|p| p.amount).fold(Amount::ZERO, Amount::saturating_add);
            let fee = minus(dep.amount, sum);
            let exact = exact_bps(dep.amount, fee, s.custodial_fee_bps);
            combos.push(Combo { deposit: dep, payouts: ps, fee, exact, alternatives: n, linked: None });
        }
    }
    let recipients: BTreeSet<(String, String)> = combos
        .iter()
        .flat_map(|c| c.payouts.iter().filter_map(|p| p.to.clone().map(|to| (p.chain.clone(), to))))
        .collect();
    let sources: BTreeSet<(String, String)> = entity.keys().cloned().collect();
    let link = links::find_links(ledger, reach, recipients.iter(), &sources)?;
    for c in &mut combos {
        c.linked = c
            .payouts
            .iter()
            .find_map(|p| p.to.as_ref().and_then(|to| link.get(&(p.chain.clone(), to.clone()))).cloned());
    }
    let mut scored: Vec<(u8, &Combo)> = combos
        .iter()
        .map(|c| {
            let parts = match c.payouts.len() {
                1 => 10,
                2 => 5,
                _ => 0,
            };
            let score = 25
                + if c.exact.is_some() { 25 } else { 0 }
                + parts
                + 15 / i64::try_from(c.alternatives.max(1)).unwrap_or(i64::MAX)
                + if c.linked.is_some() { 15 } else { 0 };
            (clamp_score(score), c)
        })
        .collect();
    scored.sort_by(|a, b| {
        let ids = |c: &Combo| c.payouts.iter().map(|p| p.id).collect::<Vec<_>>();
        b.0.cmp(&a.0).then(a.1.deposit.id.cmp(&b.1.deposit.id)).then(ids(a.1).cmp(&ids(b.1)))
    });
    let mut used: BTreeSet<i64> = BTreeSet::new();
    let mut chosen: BTreeSet<i64> = BTreeSet::new();
    let mut count: BTreeMap<i64, usize> = BTreeMap::new();
    let mut out = Vec::new();
    // First pass: one combination per deposit, each payout once; then the runners-up.
    let mut first_of: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, (_, c)) in scored.iter().enumerate() {
        if !chosen.contains(&c.deposit.id) && c.payouts.iter().all(|p| !used.contains(&p.id)) {
            chosen.insert(c.deposit.id);
            used.extend(c.payouts.iter().map(|p| p.id));
            first_of.insert(c.deposit.id, i);
        }
    }
    for (i, (score, c)) in scored.iter().enumerate() {
        let first = first_of.get(&c.deposit.id) == Some(&i);
        let n = count.entry(c.deposit.id).or_default();
        if !first && *n + 1 >= s.per_subject.max(1) {
            continue;
        }
        let rank = if first {
            1
        } else {
            *n += 1;
            *n + 1
        };
        out.push(candidate(c, *score, rank, entity, window));
    }
    Ok(out)
}

fn candidate(c: &Combo, score: u8, rank: usize, entity: &BTreeMap<(String, String), String>, window: i64) -> Candidate {
    let dep = c.deposit;
    let (chain, asset) = (dep.chain.as_str(), dep.asset.as_str());
    let to = dep.to.clone().unwrap_or_default();
    let service = entity.get(&(dep.chain.clone(), to.clone())).cloned().unwrap_or_else(|| "custodial mixer".to_owned());
    let t0 = dep.time.unwrap_or(0);
    let sum = c.payouts.iter().map(|p| p.amount).fold(Amount::ZERO, Amount::saturating_add);
    let bps = centi_bps(c.fee, dep.amount).unwrap_or(0);
    let last = c.payouts.iter().filter_map(|p| p.time).max().unwrap_or(t0);
    let parts: Vec<String> = c
        .payouts
        .iter()
        .map(|p| {
            format!(
                "{} to {} after {} h",
                show(chain, asset, p.amount),
                short(p.to.as_deref().unwrap_or("?")),
                hours(p.time.unwrap_or(0) - t0)
            )
        })
        .collect();
    let mut r = format!(
        "Deposit of {} to {} ({service}) at {}; {} payout(s) from the service within {} h total {} = the deposit less {} \
         ({} bps): {}.",
        show(chain, asset, dep.amount),
        short(&to),
        format_utc(t0),
        c.payouts.len(),
        hours(last - t0),
        show(chain, asset, sum),
        show(chain, asset, c.fee),
        bps_text(bps),
        parts.join("; ")
    );
    if let Some(b) = c.exact {
        r.push_str(&format!(" The fee is exactly {b} bps of the deposit, rounded down, as a service computes it."));
    }
    r.push_str(&format!(
        " {} combination(s) of payouts in the {} h window fit this deposit's fee range.",
        c.alternatives,
        hours(window)
    ));
    if let Some(l) = &c.linked {
        r.push_str(&format!(" {l}."));
    }
    let mut features: BTreeMap<String, String> = [
        ("service", service.clone()),
        ("deposit", show(chain, asset, dep.amount)),
        ("payouts", c.payouts.len().to_string()),
        ("payout_total", show(chain, asset, sum)),
        ("fee", show(chain, asset, c.fee)),
        ("fee_bps", bps_text(bps)),
        ("last_payout_hours", hours(last - t0)),
        ("combinations_in_window", c.alternatives.to_string()),
        ("window_hours", hours(window)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(b) = c.exact {
        features.insert("fee_whole_bps".to_owned(), b.to_string());
    }
    if let Some(l) = &c.linked {
        features.insert("link_to_case".to_owned(), l.clone());
    }
    Candidate {
        finder: FinderKind::Custodial,
        subject: format!("deposit {}", dep.id),
        rank,
        kind: HopKind::Mixer { service, pool: None },
        inbound: vec![dep.id],
        outbound: c.payouts.iter().map(|p| p.id).collect(),
        score,
        rationale: r,
        features,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: u128) -> Amount {
        Amount::from_u128(v)
    }

    #[test]
    fn combinations_find_every_fitting_subset() {
        let amounts: Vec<Amount> = [10u128, 20, 30, 45, 60].map(a).to_vec();
        let found = combinations(&amounts, a(55), a(60), 3, 100);
        // 10+45, 60, 10+20+30 (= 60), and nothing else within 55..=60.
        assert_eq!(found, vec![vec![0, 1, 2], vec![0, 3], vec![4]]);
        assert_eq!(combinations(&amounts, a(55), a(60), 1, 100), vec![vec![4]]);
        assert_eq!(combinations(&amounts, a(55), a(60), 3, 2).len(), 2);
    }

    #[test]
    fn exact_fee_in_whole_bps() {
        let dep = a(250_000_000);
        let fee = fraction_bps(dep, 237);
        assert_eq!(exact_bps(dep, fee, (50, 500)), Some(237));
        assert_eq!(exact_bps(dep, fee.saturating_add(a(1)), (50, 500)), None);
        assert_eq!(exact_bps(dep, fee, (300, 500)), None);
    }
}
