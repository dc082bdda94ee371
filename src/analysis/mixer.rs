//! Fixed-denomination pools (Tornado style): the other side of the case's deposits.
//!
//! 1. Deposits: the case's flows into a pool, found by [`super::trace::reach`]; a pool is a
//!    mixer-labelled address (or one given in [`Settings::pools`]) whose deposits are of one
//!    amount (at least 80% of its inflows around the case's deposits: [`denomination`]).
//! 2. Candidate withdrawals: flows out of the same pool of the deposit's denomination less at
//!    most [`Settings::max_relayer_fee_bps`], 1 s to the window after the deposit (sort +
//!    sweep, [`super::sweep`]).
//! 3. Score (0–100) from: the same amount within the fee range (20); how many withdrawals of
//!    that pool share the window (15 / n); a relayer transfer in the same transaction that
//!    makes up the denomination exactly (5); how many of the case's candidate withdrawals the
//!    recipient received across the case's pools (12 per extra one, at most 36: thieves
//!    withdraw many notes to few fresh addresses); a direct transfer between the recipient and
//!    an address of the case (25); the recipient being an unrelated depositor of a case pool
//!    (−30: it is withdrawing its own note).
//! 4. One withdrawal per deposit, greedy by score (earlier withdrawals first on ties); the
//!    other candidates follow it by score. With two or more deposits in one pool, a batch
//!    candidate sums them up (N deposits of d against the withdrawals chosen, fees totalled).
//!
//! Pairing notes of the same denomination withdrawn to the same addresses cannot be decided
//! from the chain (the notes are interchangeable): the batch candidate states what is known.

use std::collections::{BTreeMap, BTreeSet};

use super::candidate::{Candidate, bps_text, centi_bps, clamp_score, fraction_bps, hours, minus, short, show};
use super::sweep::{self, Event};
use super::{FinderError, FinderKind, Settings, Start, links, trace};
use crate::ledger::{Direction, Flow, FlowLedger};
use crate::model::format_utc;
use crate::model::{Amount, Category, HopKind, TransferKind};

/// Default window: 30 days.
pub const DEFAULT_WINDOW_HOURS: u32 = 720;

/// A candidate pairing before scoring.
struct Pair<'a> {
    deposit: &'a Flow,
    withdrawal: &'a Flow,
    pool: (String, String),
    denomination: Amount,
    /// Withdrawals of the pool in the deposit's window.
    in_window: usize,
    /// Relayer and its fee transfer, when the transaction has one making up the denomination.
    relayer: Option<(String, i64)>,
    fee: Amount,
}

/// The pool's denomination: the amount of at least 80% of `inflows`, if any.
#[must_use]
pub fn denomination(inflows: &[Flow]) -> Option<Amount> {
    let mut counts: BTreeMap<Amount, usize> = BTreeMap::new();
    for f in inflows {
        *counts.entry(f.amount).or_default() += 1;
    }
    let (amount, n) = counts.into_iter().max_by_key(|(a, n)| (*n, *a))?;
    (n * 5 >= inflows.len() * 4).then_some(amount)
}

/// The pool finder (see the module docs).
///
/// # Errors
/// A ledger failure.
pub fn find<L: FlowLedger>(ledger: &L, start: &Start, s: &Settings) -> Result<Vec<Candidate>, FinderError> {
    let stops: BTreeSet<(String, String)> = s.pools.union(&s.mixers).cloned().collect();
    let reach = trace::reach(ledger, start, s.trace_depth, &stops)?;
    let window = s.window_seconds(DEFAULT_WINDOW_HOURS);
    let mut by_pool: BTreeMap<(String, String), Vec<&Flow>> = BTreeMap::new();
    for f in &reach.into_services {
        let Some(to) = &f.to else { continue };
        let key = (f.chain.clone(), to.clone());
        let mixer = reach.services.get(&key).is_some_and(|ls| ls.iter().any(|l| l.category == Category::Mixer));
        let account = matches!(f.kind, TransferKind::Native | TransferKind::Internal | TransferKind::Token);
        if account && f.time.is_some() && (mixer || s.pools.contains(&key) || s.mixers.contains(&key)) {
            by_pool.entry(key).or_default().push(f);
        }
    }
    // Per pool: its withdrawals around the case's deposits and its other depositors.
    let mut outs_of: BTreeMap<(String, String), Vec<Flow>> = BTreeMap::new();
    let mut foreign_depositors: BTreeSet<(String, String)> = BTreeSet::new();
    let mut denominations: BTreeMap<(String, String), Amount> = BTreeMap::new();
    for (pool, deps) in &by_pool {
        let (Some(first), Some(last)) =
            (deps.iter().filter_map(|d| d.time).min(), deps.iter().filter_map(|d| d.time).max())
        else {
            continue;
        };
        let ins = ledger.flows(&pool.1, Direction::In, Some(first - window), Some(last + window))?;
        let ins: Vec<Flow> = ins.into_iter().filter(|f| f.chain == pool.0).collect();
        let Some(d) = denomination(&ins).or_else(|| s.pools.contains(pool).then(|| deps[0].amount)) else {
            continue;
        };
        denominations.insert(pool.clone(), d);
        for f in &ins {
            if let Some(from) = &f.from
                && !reach.contains(&f.chain, from)
            {
                foreign_depositors.insert((f.chain.clone(), from.clone()));
            }
        }
        let outs = ledger.flows(&pool.1, Direction::Out, Some(first), Some(last + window))?;
        outs_of.insert(pool.clone(), outs.into_iter().filter(|f| f.chain == pool.0).collect());
    }
    let mut pairs: Vec<Pair> = Vec::new();
    for (pool, deps) in &by_pool {
        let (Some(d), Some(outs)) = (denominations.get(pool), outs_of.get(pool)) else { continue };
        let low = minus(*d, fraction_bps(*d, s.max_relayer_fee_bps));
        let mut by_tx: BTreeMap<i64, Vec<&Flow>> = BTreeMap::new();
        for o in outs {
            by_tx.entry(o.tx_key).or_default().push(o);
        }
        let wds: Vec<&Flow> = outs.iter().filter(|o| o.amount >= low && o.amount <= *d && o.time.is_some()).collect();
        let deps: Vec<&&Flow> = deps.iter().filter(|f| f.amount == *d).collect();
        let mut left: Vec<Event> = (0u32..).zip(&deps).map(|(i, f)| ev(f, i)).collect();
        let mut right: Vec<Event> = (0u32..).zip(&wds).map(|(i, f)| ev(f, i)).collect();
        sweep::sort_both(&mut left, &mut right);
        for (l, range) in left.iter().zip(sweep::windows(&left, &right, 1, window)) {
            let Some(dep) = deps.get(l.index as usize) else { continue };
            let in_window = range.len();
            for r in right.get(range).unwrap_or_default() {
                let Some(w) = wds.get(r.index as usize) else { continue };
                let fee = minus(*d, w.amount);
                let relayer = by_tx.get(&w.tx_key).and_then(|tx| {
                    tx.iter()
                        .find(|o| o.id != w.id && o.amount.saturating_add(w.amount) == *d && fee.0 > 0)
                        .and_then(|o| o.to.clone().map(|to| (to, o.id)))
                });
                pairs.push(Pair {
                    deposit: dep,
                    withdrawal: w,
                    pool: pool.clone(),
                    denomination: *d,
                    in_window,
                    relayer,
                    fee,
                });
            }
        }
    }
    // Recipients: how many of the case's candidate withdrawals each received, and links.
    let mut per_recipient: BTreeMap<(String, String), BTreeSet<i64>> = BTreeMap::new();
    for p in &pairs {
        if let Some(to) = &p.withdrawal.to {
            per_recipient.entry((p.withdrawal.chain.clone(), to.clone())).or_default().insert(p.withdrawal.id);
        }
    }
    let pools: BTreeSet<(String, String)> = by_pool.keys().cloned().collect();
    let link = links::find_links(ledger, &reach, per_recipient.keys(), &pools)?;
    let mut scored: Vec<(u8, Candidate, &Pair)> = Vec::new();
    for p in &pairs {
        let Some(to) = p.withdrawal.to.clone() else { continue };
        let key = (p.withdrawal.chain.clone(), to.clone());
        let k = per_recipient.get(&key).map_or(1, BTreeSet::len);
        let total: Amount = pairs
            .iter()
            .filter(|q| q.withdrawal.to.as_deref() == Some(to.as_str()))
            .map(|q| (q.withdrawal.id, q.withdrawal.amount))
            .collect::<BTreeMap<i64, Amount>>()
            .into_values()
            .fold(Amount::ZERO, Amount::saturating_add);
        let own_note = foreign_depositors.contains(&key);
        let linked = link.get(&key);
        let score = 20
            + 15 / i64::try_from(p.in_window.max(1)).unwrap_or(i64::MAX)
            + if p.relayer.is_some() { 5 } else { 0 }
            + (12 * (i64::try_from(k).unwrap_or(1) - 1)).min(36)
            + if linked.is_some() { 25 } else { 0 }
            - if own_note { 30 } else { 0 };
        let c = candidate(p, &to, k, total, own_note, linked, window);
        scored.push((clamp_score(score), c, p));
    }
    let mut out = choose(scored, s.per_subject);
    out.extend(batches(&out, &pairs));
    super::candidate::sort_ranked(&mut out);
    Ok(out)
}

fn ev(f: &Flow, index: u32) -> Event {
    Event { bucket: 0, time: f.time.unwrap_or(0), index }
}

fn pool_kind(pool: &(String, String), asset: &str, d: Amount) -> HopKind {
    HopKind::Mixer {
        service: format!("fixed-denomination pool {}", short(&pool.1)),
        pool: Some(show(&pool.0, asset, d)),
    }
}

fn native(chain: &str) -> &str {
    crate::model::registry().chain(chain).map_or("ETH", |c| c.native.as_str())
}

fn candidate(
    p: &Pair,
    to: &str,
    k: usize,
    total: Amount,
    own_note: bool,
    linked: Option<&String>,
    window: i64,
) -> Candidate {
    let (dep, w) = (p.deposit, p.withdrawal);
    let (chain, asset) = (w.chain.as_str(), w.asset.as_str());
    let delay = w.time.unwrap_or(0) - dep.time.unwrap_or(0);
    let bps = centi_bps(p.fee, p.denomination).unwrap_or(0);
    let mut r = format!(
        "Deposit of {} into pool {} at {}; withdrawal of {} to {} {} h later",
        show(chain, asset, p.denomination),
        short(&p.pool.1),
        format_utc(dep.time.unwrap_or(0)),
        show(chain, asset, w.amount),
        short(to),
        hours(delay),
    );
    match &p.relayer {
        Some((relayer, _)) => r.push_str(&format!(
            ": the denomination less a relayer fee of {} ({} bps) paid to {} in the same transaction.",
            show(chain, asset, p.fee),
            bps_text(bps),
            short(relayer)
        )),
        None if p.fee.0 > 0 => r.push_str(&format!(
            ": the denomination less {} ({} bps) kept back.",
            show(chain, asset, p.fee),
            bps_text(bps)
        )),
        None => r.push_str(": the whole denomination, no relayer."),
    }
    r.push_str(&format!(
        " It is one of {} withdrawals of this denomination in the {} h window.",
        p.in_window,
        hours(window)
    ));
    if k > 1 {
        r.push_str(&format!(
            " The recipient received {k} withdrawals matching the case's deposits ({} in all).",
            show(chain, asset, total)
        ));
    }
    if let Some(l) = linked {
        r.push_str(&format!(" {l}."));
    }
    if own_note {
        r.push_str(" The recipient itself deposits into the pool: likely its own note, not the case's.");
    }
    let mut features: BTreeMap<String, String> = [
        ("pool", p.pool.1.clone()),
        ("denomination", show(chain, asset, p.denomination)),
        ("delay_hours", hours(delay)),
        ("fee_bps", bps_text(bps)),
        ("withdrawals_in_window", p.in_window.to_string()),
        ("recipient_withdrawals", k.to_string()),
        ("recipient_total", show(chain, asset, total)),
        ("window_hours", hours(window)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some((relayer, _)) = &p.relayer {
        features.insert("relayer".to_owned(), relayer.clone());
    }
    if let (Some(df), Some(wf)) = (dep.fee, w.fee) {
        features.insert("deposit_fee".to_owned(), show(chain, native(chain), df));
        features.insert("withdrawal_fee".to_owned(), show(chain, native(chain), wf));
    }
    if let Some(l) = linked {
        features.insert("link_to_case".to_owned(), l.clone());
    }
    if own_note {
        features.insert("recipient_deposits_itself".to_owned(), "yes".to_owned());
    }
    let mut outbound = vec![w.id];
    if let Some((_, fee_id)) = &p.relayer {
        outbound.push(*fee_id);
    }
    Candidate {
        finder: FinderKind::Pool,
        subject: format!("deposit {}", dep.id),
        rank: 0,
        kind: pool_kind(&p.pool, asset, p.denomination),
        inbound: vec![dep.id],
        outbound,
        score: 0,
        rationale: r,
        features,
    }
}

/// One withdrawal per deposit, greedy by score then delay; then the runners-up per deposit.
fn choose(mut scored: Vec<(u8, Candidate, &Pair)>, per_subject: usize) -> Vec<Candidate> {
    scored.sort_by(|a, b| {
        let delay = |p: &Pair| p.withdrawal.time.unwrap_or(0) - p.deposit.time.unwrap_or(0);
        b.0.cmp(&a.0).then(delay(a.2).cmp(&delay(b.2))).then(a.2.withdrawal.id.cmp(&b.2.withdrawal.id))
    });
    let mut used: BTreeSet<i64> = BTreeSet::new();
    let mut chosen: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, (_, _, p)) in scored.iter().enumerate() {
        if !chosen.contains_key(&p.deposit.id) && !used.contains(&p.withdrawal.id) {
            used.insert(p.withdrawal.id);
            chosen.insert(p.deposit.id, i);
        }
    }
    let mut out = Vec::new();
    let mut count: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, (score, mut c, p)) in scored.into_iter().enumerate() {
        let first = chosen.get(&p.deposit.id) == Some(&i);
        let n = count.entry(p.deposit.id).or_default();
        if !first && *n + 1 >= per_subject.max(1) {
            continue;
        }
        if !first {
            *n += 1;
        }
        c.score = score;
        c.rank = if first { 1 } else { *n + 1 };
        if !first && used.contains(&p.withdrawal.id) {
            c.features.insert("chosen_for_another_deposit".to_owned(), "yes".to_owned());
        }
        out.push(c);
    }
    out
}

/// Per pool with two or more chosen pairs: the deposits against the withdrawals chosen.
fn batches(chosen: &[Candidate], pairs: &[Pair]) -> Vec<Candidate> {
    let mut by_pool: BTreeMap<(String, String), Vec<&Pair>> = BTreeMap::new();
    for c in chosen.iter().filter(|c| c.rank == 1) {
        if let Some(p) =
            pairs.iter().find(|p| Some(&p.withdrawal.id) == c.outbound.first() && c.inbound == [p.deposit.id])
        {
            by_pool.entry(p.pool.clone()).or_default().push(p);
        }
    }
    let mut out = Vec::new();
    for (pool, ps) in by_pool.into_iter().filter(|(_, ps)| ps.len() >= 2) {
        let Some(first) = ps.first() else { continue };
        let (chain, asset, d) = (first.withdrawal.chain.clone(), first.withdrawal.asset.clone(), first.denomination);
        let n = ps.len();
        let total_out = ps.iter().map(|p| p.withdrawal.amount).fold(Amount::ZERO, Amount::saturating_add);
        let total_in = ps.iter().map(|p| p.deposit.amount).fold(Amount::ZERO, Amount::saturating_add);
        let fees = minus(total_in, total_out);
        let recipients: BTreeSet<&str> = ps.iter().filter_map(|p| p.withdrawal.to.as_deref()).collect();
        let scores: Vec<i64> = chosen
            .iter()
            .filter(|c| c.rank == 1 && ps.iter().any(|p| c.inbound == [p.deposit.id]))
            .map(|c| i64::from(c.score))
            .collect();
        let score = scores.iter().sum::<i64>() / i64::try_from(scores.len().max(1)).unwrap_or(1);
        let rationale = format!(
            "The case deposited {n} × {} ({}) into pool {}; the {n} withdrawals chosen went to {} address(es) and total {} \
             = {n} × {} less {} in fees ({} bps).",
            show(&chain, &asset, d),
            show(&chain, &asset, total_in),
            short(&pool.1),
            recipients.len(),
            show(&chain, &asset, total_out),
            show(&chain, &asset, d),
            show(&chain, &asset, fees),
            bps_text(centi_bps(fees, total_in).unwrap_or(0)),
        );
        let features = [
            ("deposits", n.to_string()),
            ("denomination", show(&chain, &asset, d)),
            ("total_in", show(&chain, &asset, total_in)),
            ("total_out", show(&chain, &asset, total_out)),
            ("fees", show(&chain, &asset, fees)),
            ("recipients", recipients.len().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        out.push(Candidate {
            finder: FinderKind::Pool,
            subject: format!("pool {} batch", pool.1),
            rank: 1,
            kind: pool_kind(&pool, &asset, d),
            inbound: ps.iter().map(|p| p.deposit.id).collect(),
            outbound: ps.iter().map(|p| p.withdrawal.id).collect(),
            score: clamp_score(score),
            rationale,
            features,
        });
    }
    out
}
