//! The same EVM address active on several chains (as in 2023's CoinEx, Stake and Alphapo
//! thefts, where one actor address appeared on Ethereum, BNB Chain, Polygon…): an address of
//! the case that the ledger also has on another EVM chain. An EVM address is one private key on
//! every EVM chain, so unless it is a contract deployed at the same address (a labelled
//! service, left out), the same party acts on both.
//!
//! For each address the case reaches ([`super::trace`]) on an EVM chain: its chains from
//! [`FlowLedger::chain_activity`] (two indexed aggregates). Score: the same key (40); labelled
//! as an actor anywhere (20); activity on the two chains overlapping or within the window (20);
//! value leaving the case's chain and arriving on the other within 48 hours (10); value moving
//! on from the other chain (10). The hop's inbound side is the address's latest flows on the
//! case's chain, its outbound side its first flows on the other chain (three each).

use std::collections::{BTreeMap, BTreeSet};

use super::candidate::{Candidate, clamp_score, hours, short};
use super::{FinderError, FinderKind, Settings, Start, trace};
use crate::ledger::{ChainActivity, Direction, Flow, FlowLedger};
use crate::model::format_utc;
use crate::model::{AddressRule, Category, HopKind, registry};

/// Default window: 30 days.
pub const DEFAULT_WINDOW_HOURS: u32 = 720;
/// Flows shown on each side of a suggestion.
const SIDE: usize = 3;

fn is_evm(chain: &str) -> bool {
    registry().chain(chain).is_ok_and(|c| c.address == AddressRule::Evm)
}

/// The multichain finder (see the module docs).
///
/// # Errors
/// A ledger failure.
pub fn find<L: FlowLedger>(ledger: &L, start: &Start, s: &Settings) -> Result<Vec<Candidate>, FinderError> {
    let reach = trace::reach(ledger, start, s.trace_depth, &BTreeSet::new())?;
    let window = s.window_seconds(DEFAULT_WINDOW_HOURS);
    let mut case_chains: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (chain, address) in reach.addresses.keys() {
        if is_evm(chain) {
            case_chains.entry(address.as_str()).or_default().insert(chain.as_str());
        }
    }
    let mut out = Vec::new();
    for (address, chains) in case_chains {
        let activity = ledger.chain_activity(address)?;
        let others: Vec<&String> = activity.keys().filter(|c| is_evm(c) && !chains.contains(c.as_str())).collect();
        if others.is_empty() {
            continue;
        }
        let labels = ledger.labels(address)?;
        if labels.iter().any(|l| trace::is_service(l.category)) {
            continue;
        }
        let actor = labels.iter().find(|l| l.category == Category::Actor).map(|l| l.entity.clone());
        // The case's chain: the busiest of the address's case chains.
        let Some(home) = chains.iter().max_by_key(|c| (activity.get(**c).map_or(0, |a| a.transfers), **c)) else {
            continue;
        };
        let home_act = activity.get(*home).cloned().unwrap_or_default();
        let home_flows = side(ledger, address, home, true)?;
        for other in others {
            let act = activity.get(other).cloned().unwrap_or_default();
            let other_flows = side(ledger, address, other, false)?;
            if home_flows.is_empty() || other_flows.is_empty() {
                continue;
            }
            out.push(candidate(
                address,
                home,
                &home_act,
                &home_flows,
                other,
                &act,
                &other_flows,
                actor.as_deref(),
                window,
            ));
        }
    }
    super::candidate::rank(&mut out);
    Ok(out)
}

/// The latest flows on the case's chain (`home`: received first, else sent), or the first flows
/// on the other chain (sent first, else received).
fn side<L: FlowLedger>(ledger: &L, address: &str, chain: &str, home: bool) -> Result<Vec<Flow>, FinderError> {
    let order = if home { [Direction::In, Direction::Out] } else { [Direction::Out, Direction::In] };
    for dir in order {
        let mut flows: Vec<Flow> =
            ledger.flows(address, dir, None, None)?.into_iter().filter(|f| f.chain == chain).collect();
        if flows.is_empty() {
            continue;
        }
        if home {
            flows.reverse();
        }
        flows.truncate(SIDE);
        flows.sort_by_key(|f| (f.time, f.id));
        return Ok(flows);
    }
    Ok(Vec::new())
}

fn span(a: &ChainActivity) -> String {
    match (a.first_time, a.last_time) {
        (Some(f), Some(l)) => format!("{} – {}", format_utc(f), format_utc(l)),
        _ => "times unknown".to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
fn candidate(
    address: &str,
    home: &str,
    home_act: &ChainActivity,
    home_flows: &[Flow],
    other: &str,
    act: &ChainActivity,
    other_flows: &[Flow],
    actor: Option<&str>,
    window: i64,
) -> Candidate {
    // Gap between the two activity spans (0 when they overlap).
    let gap = match (home_act.first_time, home_act.last_time, act.first_time, act.last_time) {
        (Some(hf), Some(hl), Some(of), Some(ol)) => Some(if of > hl {
            of - hl
        } else if hf > ol {
            hf - ol
        } else {
            0
        }),
        _ => None,
    };
    let left = home_flows.iter().filter(|f| f.from.as_deref() == Some(address)).filter_map(|f| f.time).max();
    let arrived = other_flows.iter().filter(|f| f.to.as_deref() == Some(address)).filter_map(|f| f.time).min();
    let hand_over = match (left.or(home_act.last_time), arrived.or(act.first_time)) {
        (Some(l), Some(a)) if a >= l && a - l <= 48 * 3600 => Some(a - l),
        _ => None,
    };
    let moves_on = other_flows.iter().any(|f| f.from.as_deref() == Some(address));
    let score = 40
        + if actor.is_some() { 20 } else { 0 }
        + if gap.is_some_and(|g| g <= window) { 20 } else { 0 }
        + if hand_over.is_some() { 10 } else { 0 }
        + if moves_on { 10 } else { 0 };
    let mut r = format!(
        "{} is an address of the case on {home} ({} transfers, {}) and is also active on {other} ({} transfers, {}): \
         an EVM address is one key on every EVM chain, and it carries no service label, so the same party acts on both.",
        short(address),
        home_act.transfers,
        span(home_act),
        act.transfers,
        span(act),
    );
    if let Some(a) = actor {
        r.push_str(&format!(" It is labelled as an actor ({a})."));
    }
    match gap {
        Some(0) => r.push_str(" The two activity spans overlap."),
        Some(g) => r.push_str(&format!(" The two activity spans are {} h apart.", hours(g))),
        None => {}
    }
    if let Some(h) = hand_over {
        r.push_str(&format!(" Value arrived on {other} {} h after its last movement on {home}.", hours(h)));
    }
    if moves_on {
        r.push_str(&format!(" It sends value onward on {other}."));
    }
    let mut features: BTreeMap<String, String> = [
        ("address", address.to_owned()),
        ("case_chain", home.to_owned()),
        ("other_chain", other.to_owned()),
        ("case_chain_transfers", home_act.transfers.to_string()),
        ("other_chain_transfers", act.transfers.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(g) = gap {
        features.insert("gap_hours".to_owned(), hours(g));
    }
    if let Some(h) = hand_over {
        features.insert("hand_over_hours".to_owned(), hours(h));
    }
    if let Some(a) = actor {
        features.insert("actor_label".to_owned(), a.to_owned());
    }
    Candidate {
        finder: FinderKind::MultiChain,
        subject: format!("address {address}"),
        rank: 0,
        kind: HopKind::Bridge {
            bridge: "same address on both chains".to_owned(),
            from_chain: home.to_owned(),
            to_chain: other.to_owned(),
        },
        inbound: home_flows.iter().map(|f| f.id).collect(),
        outbound: other_flows.iter().map(|f| f.id).collect(),
        score: clamp_score(score),
        rationale: r,
        features,
    }
}
