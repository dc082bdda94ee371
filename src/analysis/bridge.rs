//! Bridges and swaps: value in on chain A (or in asset X) ↔ value out on chain B (or in asset
//! Y) of the same asset family or at an exchange rate, less a fee, within a window.
//!
//! 1. Deposits: the case's flows into a bridge- or DEX-labelled address ([`super::trace`]).
//! 2. Releases: for a bridge deposit on chain A, the flows out of every bridge-labelled address
//!    on the other chains (UTXO change back to the bridge left out); for a DEX deposit, the
//!    flows out of the same router on the same chain in another asset family. Both within the
//!    window after the deposit (sort + sweep, [`super::sweep`]).
//! 3. Rate per (asset in, asset out): see [`super::rate`] (same family, given, confirmed by
//!    accepted hops, or inferred from the data; documented in each rationale).
//! 4. A release fits when it lies between the converted amount less
//!    `rate_tolerance_bps + max_bridge_fee_bps` and the converted amount plus
//!    `rate_tolerance_bps`. Score: fitting (30); closeness to the converted amount (up to 25);
//!    delay (15 within 1 h, 10 within 6 h, 5 within 24 h); how many releases fit (15 / n); a
//!    rate given or confirmed rather than inferred (5). One release per deposit, greedy by score.
//! 5. Mint and burn: the EVM zero address is a bridge venue on every EVM chain ("mint/burn
//!    (zero address)"): a transfer to it is a burn (a deposit), one from it on another chain a
//!    mint (a release), paired like any deposit and release.
//! 6. Evidence the explorer states ([`evidence`]): the deposit's `Method` names a bridge's
//!    outbound step (`Swapout`, `Burn…`, `bridge…`, `deposit…`, `lock…`, `send…`) +5; the
//!    release's names an inbound step (`Swapin`, `Mint…`, `bridge…`, `claim…`, `release…`,
//!    `unlock…`, `withdraw…`, `finalize…`) +5; a burn (to the zero address) paired with a mint
//!    (from it) +5. The rationale cites each, with chain, file and line ("burned via Swapout on
//!    bsc line 12 of a.csv; minted via Swapin on ethereum line 40 of b.csv").

use std::collections::{BTreeMap, BTreeSet};

use super::candidate::{Candidate, bps_text, centi_bps, clamp_score, fraction_bps, hours, minus, short, show};
use super::rate::{Rate, RateSource, family, infer};
use super::sweep::{self, Event};
use super::{FinderError, FinderKind, Settings, Start, candidate::decimals, trace};
use crate::graph::text::{MINT_BURN_TITLE, ZERO_ADDRESS};
use crate::ledger::{Direction, Flow, FlowLedger, TransferRow};
use crate::model::format_utc;
use crate::model::{AddressRule, Amount, Category, HopKind, registry};

/// Default window: 48 hours.
pub const DEFAULT_WINDOW_HOURS: u32 = 48;

/// (chain, asset) in and out.
type Route = ((String, String), (String, String));

/// The bridge/swap finder (see the module docs).
///
/// # Errors
/// A ledger failure.
pub fn find<L: FlowLedger>(ledger: &L, start: &Start, s: &Settings) -> Result<Vec<Candidate>, FinderError> {
    // The zero address of every EVM chain: burns end there (a stop), mints start there.
    let zero: BTreeSet<(String, String)> = registry()
        .chain_ids()
        .into_iter()
        .filter(|c| registry().chain(c).is_ok_and(|c| c.address == AddressRule::Evm))
        .map(|c| (c.to_owned(), ZERO_ADDRESS.to_owned()))
        .collect();
    let reach = trace::reach(ledger, start, s.trace_depth, &zero)?;
    let window = s.window_seconds(DEFAULT_WINDOW_HOURS);
    let mut venues: BTreeMap<(String, String), (Category, String)> = BTreeMap::new();
    for cat in [Category::Bridge, Category::Dex] {
        for l in ledger.labelled(cat)? {
            venues.entry((l.chain.clone(), l.address.clone())).or_insert((cat, l.entity));
        }
    }
    for key in zero {
        venues.entry(key).or_insert((Category::Bridge, MINT_BURN_TITLE.to_owned()));
    }
    let deposits: Vec<&Flow> = reach
        .into_services
        .iter()
        .filter(|f| {
            f.time.is_some() && f.to.as_ref().is_some_and(|to| venues.contains_key(&(f.chain.clone(), to.clone())))
        })
        .collect();
    let (Some(first), Some(last)) =
        (deposits.iter().filter_map(|d| d.time).min(), deposits.iter().filter_map(|d| d.time).max())
    else {
        return Ok(Vec::new());
    };
    let dep_chains: BTreeSet<&str> = deposits.iter().map(|d| d.chain.as_str()).collect();
    let dex_used: BTreeSet<(String, String)> = deposits
        .iter()
        .filter_map(|d| d.to.clone().map(|to| (d.chain.clone(), to)))
        .filter(|k| venues.get(k).is_some_and(|v| v.0 == Category::Dex))
        .collect();
    // Releases: bridges on chains other than some deposit's, and the DEX routers used.
    let mut releases: Vec<Flow> = Vec::new();
    for (key, (cat, _)) in &venues {
        let wanted = match cat {
            Category::Bridge => dep_chains.iter().any(|c| *c != key.0),
            _ => dex_used.contains(key),
        };
        if !wanted {
            continue;
        }
        for f in ledger.flows(&key.1, Direction::Out, Some(first), Some(last + window))? {
            let to_venue =
                f.to.as_ref().is_some_and(|to| venues.get(&(f.chain.clone(), to.clone())).is_some_and(|v| v.0 == *cat));
            if f.chain == key.0 && f.time.is_some() && !to_venue {
                releases.push(f);
            }
        }
    }
    releases.sort_by_key(|f| (f.time, f.id));
    releases.dedup_by_key(|f| f.id);
    // Pairs in the window, per route.
    let ev = |f: &Flow, i: u32| Event { bucket: 0, time: f.time.unwrap_or(0), index: i };
    let mut left: Vec<Event> = (0u32..).zip(&deposits).map(|(i, f)| ev(f, i)).collect();
    let mut right: Vec<Event> = (0u32..).zip(&releases).map(|(i, f)| ev(f, i)).collect();
    sweep::sort_both(&mut left, &mut right);
    let mut by_route: BTreeMap<Route, Vec<(&Flow, &Flow)>> = BTreeMap::new();
    for (l, range) in left.iter().zip(sweep::windows(&left, &right, 0, window)) {
        let Some(dep) = deposits.get(l.index as usize) else { continue };
        let Some(venue) = dep.to.as_ref().and_then(|to| venues.get(&(dep.chain.clone(), to.clone()))) else {
            continue;
        };
        for r in right.get(range).unwrap_or_default() {
            let Some(rel) = releases.get(r.index as usize) else { continue };
            let fits = match venue.0 {
                Category::Bridge => rel.chain != dep.chain,
                _ => rel.chain == dep.chain && family(&rel.chain, &rel.asset) != family(&dep.chain, &dep.asset),
            };
            if fits && rel.id != dep.id {
                let route = ((dep.chain.clone(), dep.asset.clone()), (rel.chain.clone(), rel.asset.clone()));
                by_route.entry(route).or_default().push((dep, rel));
            }
        }
    }
    let mut scored: Vec<Scored> = Vec::new();
    for (route, pairs) in &by_route {
        let Some(rate) = route_rate(ledger, route, pairs, start, s)? else { continue };
        let tol = s.rate_tolerance_bps;
        let mut fitting: Vec<(&Flow, &Flow, Amount)> = Vec::new();
        for (dep, rel) in pairs {
            let expected = rate.apply(dep.amount);
            let lo = minus(expected, fraction_bps(expected, tol + s.max_bridge_fee_bps));
            let hi = expected.saturating_add(fraction_bps(expected, tol));
            if rel.amount >= lo && rel.amount <= hi {
                fitting.push((dep, rel, expected));
            }
        }
        let mut per_dep: BTreeMap<i64, usize> = BTreeMap::new();
        for (dep, _, _) in &fitting {
            *per_dep.entry(dep.id).or_default() += 1;
        }
        // Methods and provenance of both ends, for the explorer's evidence.
        let ids: Vec<i64> = fitting.iter().flat_map(|(d, r, _)| [d.id, r.id]).collect();
        let rows: BTreeMap<i64, TransferRow> = ledger.transfers_by_id(&ids)?.into_iter().map(|r| (r.id, r)).collect();
        for (dep, rel, expected) in fitting {
            let n = per_dep.get(&dep.id).copied().unwrap_or(1);
            let diff = if rel.amount > expected { minus(rel.amount, expected) } else { minus(expected, rel.amount) };
            let dev = centi_bps(diff, expected).unwrap_or(u64::MAX);
            let allowance = u64::from(tol + s.max_bridge_fee_bps).max(1) * 100;
            let close = 25 - i64::try_from(dev.min(allowance) * 25 / allowance).unwrap_or(25);
            let delay = rel.time.unwrap_or(0) - dep.time.unwrap_or(0);
            let timing = match delay {
                d if d <= 3600 => 15,
                d if d <= 6 * 3600 => 10,
                d if d <= 24 * 3600 => 5,
                _ => 0,
            };
            let sure = if matches!(rate.source, RateSource::Inferred { .. }) { 0 } else { 5 };
            let stated = match (rows.get(&dep.id), rows.get(&rel.id)) {
                (Some(d), Some(r)) => evidence(d, r),
                _ => Evidence::default(),
            };
            let score = 30 + close + timing + 15 / i64::try_from(n).unwrap_or(1) + sure + stated.points;
            scored.push(Scored { score: clamp_score(score), dep, rel, expected, rate: rate.clone(), n, stated });
        }
    }
    let out = choose(scored, &venues, s.per_subject);
    Ok(out)
}

struct Scored<'a> {
    score: u8,
    dep: &'a Flow,
    rel: &'a Flow,
    expected: Amount,
    rate: Rate,
    n: usize,
    stated: Evidence,
}

/// What the explorer states about a deposit and release: score points and the citations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Points added to the score (see the module docs, step 6): 0 to 15.
    pub points: i64,
    /// `burned via Swapout on bsc line 12 of a.csv`, one per end that says something.
    pub citations: Vec<String>,
}

/// Which step of a bridge an explorer method names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Value leaves the chain (`Swapout`, `Burn`, `deposit…`, `lock…`, `send…`).
    Out,
    /// Value arrives (`Swapin`, `Mint`, `claim…`, `release…`, `unlock…`, `withdraw…`).
    In,
    /// Either (`bridge…`).
    Either,
}

/// The bridge step an explorer `Method` cell names, if any; case and separators ignored
/// (`Swap Out`, `swapOut`, `0x…` selectors name nothing).
#[must_use]
pub fn method_step(method: &str) -> Option<Step> {
    let m: String = method.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    const OUT: &[&str] = &["swapout", "burn", "deposit", "lock", "send", "outboundtransfer"];
    const IN: &[&str] = &["swapin", "mint", "claim", "release", "unlock", "withdraw", "finalize"];
    if m.starts_with("bridge") {
        Some(Step::Either)
    } else if OUT.iter().any(|w| m.starts_with(w)) {
        Some(Step::Out)
    } else if IN.iter().any(|w| m.starts_with(w)) {
        Some(Step::In)
    } else {
        None
    }
}

/// The explorer's evidence that `dep` left one chain through a bridge and `rel` arrived on
/// another: methods naming the matching step (+5 each), and a burn to the zero address paired
/// with a mint from it (+5). Cites chain, method, file and line of each end.
#[must_use]
pub fn evidence(dep: &TransferRow, rel: &TransferRow) -> Evidence {
    let zero = |a: &Option<String>| a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(ZERO_ADDRESS));
    let (burned, minted) = (zero(&dep.transfer.to), zero(&rel.transfer.from));
    let mut out = Evidence::default();
    let mut cite = |row: &TransferRow, verb: &str, wanted: Step, by_zero: bool| {
        let method = row.transfer.method.as_deref().filter(|m| !m.trim().is_empty());
        let fits = method.and_then(method_step).is_some_and(|s| s == wanted || s == Step::Either);
        if fits {
            out.points += 5;
        }
        let how = match method {
            Some(m) if fits => format!(" via {m}"),
            Some(m) => format!(" (method {m})"),
            None => String::new(),
        };
        if fits || by_zero {
            out.citations.push(format!(
                "{verb}{how} on {} line {} of {}",
                row.transfer.chain, row.provenance.line, row.provenance.file_name
            ));
        }
    };
    cite(dep, if burned { "burned" } else { "sent" }, Step::Out, burned);
    cite(rel, if minted { "minted" } else { "released" }, Step::In, minted);
    if burned && minted {
        out.points += 5;
    }
    out
}

/// The rate of a route: same family, given, confirmed by accepted hops, or inferred.
fn route_rate<L: FlowLedger>(
    ledger: &L,
    route: &Route,
    pairs: &[(&Flow, &Flow)],
    start: &Start,
    s: &Settings,
) -> Result<Option<Rate>, FinderError> {
    let ((ic, ia), (oc, oa)) = route;
    let (fi, fo) = (family(ic, ia), family(oc, oa));
    let (di, dout) = (decimals(ic, ia), decimals(oc, oa));
    if fi == fo {
        return Ok(di.zip(dout).map(|(a, b)| Rate::same_family(a, b)));
    }
    if let (Some(text), Some(a), Some(b)) = (s.rates.get(&(fi.clone(), fo.clone())), di, dout) {
        return Ok(Rate::given(text, a, b));
    }
    let mut total_in = Amount::ZERO;
    let mut total_out = Amount::ZERO;
    let mut hops = 0usize;
    for hop in &start.accepted {
        let ins = ledger.transfers_by_id(&hop.inbound)?;
        let outs = ledger.transfers_by_id(&hop.outbound)?;
        let on = |rows: &[crate::ledger::TransferRow], c: &str, a: &str| {
            !rows.is_empty() && rows.iter().all(|r| r.transfer.chain == c && r.transfer.asset == a)
        };
        if on(&ins, ic, ia) && on(&outs, oc, oa) {
            hops += 1;
            total_in = ins.iter().fold(total_in, |t, r| t.saturating_add(r.transfer.amount_base));
            total_out = outs.iter().fold(total_out, |t, r| t.saturating_add(r.transfer.amount_base));
        }
    }
    if hops > 0 {
        return Ok(Rate::ratio(total_out, total_in, RateSource::Confirmed(hops)));
    }
    Ok(infer(pairs.iter().map(|(d, r)| (r.amount, d.amount)).collect(), s.rate_tolerance_bps))
}

fn choose(
    mut scored: Vec<Scored>,
    venues: &BTreeMap<(String, String), (Category, String)>,
    per: usize,
) -> Vec<Candidate> {
    scored.sort_by(|a, b| {
        let delay = |x: &Scored| x.rel.time.unwrap_or(0) - x.dep.time.unwrap_or(0);
        b.score.cmp(&a.score).then(delay(a).cmp(&delay(b))).then(a.rel.id.cmp(&b.rel.id))
    });
    let mut used: BTreeSet<i64> = BTreeSet::new();
    let mut first_of: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, x) in scored.iter().enumerate() {
        if !first_of.contains_key(&x.dep.id) && !used.contains(&x.rel.id) {
            used.insert(x.rel.id);
            first_of.insert(x.dep.id, i);
        }
    }
    let mut count: BTreeMap<i64, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, x) in scored.iter().enumerate() {
        let first = first_of.get(&x.dep.id) == Some(&i);
        let n = count.entry(x.dep.id).or_default();
        if !first && *n + 1 >= per.max(1) {
            continue;
        }
        let rank = if first {
            1
        } else {
            *n += 1;
            *n + 1
        };
        out.push(candidate(x, rank, venues));
    }
    super::candidate::sort_ranked(&mut out);
    out
}

fn candidate(x: &Scored, rank: usize, venues: &BTreeMap<(String, String), (Category, String)>) -> Candidate {
    let (dep, rel) = (x.dep, x.rel);
    let to = dep.to.clone().unwrap_or_default();
    let venue = venues.get(&(dep.chain.clone(), to.clone())).map_or_else(|| short(&to), |v| v.1.clone());
    let delay = rel.time.unwrap_or(0) - dep.time.unwrap_or(0);
    let short_by = rel.amount < x.expected;
    let diff = if short_by { minus(x.expected, rel.amount) } else { minus(rel.amount, x.expected) };
    let dev = bps_text(centi_bps(diff, x.expected).unwrap_or(0));
    let rate = x.rate.describe(&dep.chain, &dep.asset, &rel.chain, &rel.asset);
    let rationale = format!(
        "Deposit of {} to {} ({venue}) on {} at {}; {} of {} to {} on {} {} h later. At {rate}, {} is {}; the release \
         is {} ({dev} bps) {} that. {} release(s) in the window fit this deposit.",
        show(&dep.chain, &dep.asset, dep.amount),
        short(&to),
        dep.chain,
        format_utc(dep.time.unwrap_or(0)),
        if rel.chain == dep.chain { "swap output" } else { "release" },
        show(&rel.chain, &rel.asset, rel.amount),
        short(rel.to.as_deref().unwrap_or("?")),
        rel.chain,
        hours(delay),
        show(&dep.chain, &dep.asset, dep.amount),
        show(&rel.chain, &rel.asset, x.expected),
        show(&rel.chain, &rel.asset, diff),
        if short_by { "less than" } else { "more than" },
        x.n,
    );
    let rationale = if x.stated.citations.is_empty() {
        rationale
    } else {
        format!(
            "{rationale} The explorer's own records: {} (+{} to the score).",
            x.stated.citations.join("; "),
            x.stated.points
        )
    };
    let features = [
        ("venue", venue.clone()),
        ("from_chain", dep.chain.clone()),
        ("to_chain", rel.chain.clone()),
        ("amount_in", show(&dep.chain, &dep.asset, dep.amount)),
        ("amount_out", show(&rel.chain, &rel.asset, rel.amount)),
        ("expected_out", show(&rel.chain, &rel.asset, x.expected)),
        ("deviation_bps", dev),
        ("rate", rate),
        ("delay_hours", hours(delay)),
        ("releases_fitting", x.n.to_string()),
        ("explorer_evidence", x.stated.citations.join("; ")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let kind = if rel.chain == dep.chain {
        HopKind::Swap { venue }
    } else {
        HopKind::Bridge { bridge: venue, from_chain: dep.chain.clone(), to_chain: rel.chain.clone() }
    };
    Candidate {
        finder: FinderKind::Bridge,
        subject: format!("deposit {}", dep.id),
        rank,
        kind,
        inbound: vec![dep.id],
        outbound: vec![rel.id],
        score: x.score,
        rationale,
        features,
    }
}

#[cfg(test)]
#[path = "bridge_tests.rs"]
mod tests;
