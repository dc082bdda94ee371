//! (d) One actor address reused on several EVM chains across several thefts (the 2023
//! Alphapo, Stake and CoinEx pattern): hot wallets on Ethereum, BNB Smart Chain and Polygon are
//! drained into the same address on each chain (once through an intermediate address); the BSC
//! and Polygon loot is bridged to Ethereum, back to that same address, and deposited at an
//! exchange.

use super::common::{address, amount, annotate, exercise, expand, finish, node, start, step, top};
use super::{CrossSwap, Extra, Lesson, ReusedAddress, Theft, TrainingScenario};
use crate::case::ExpandDirection;
use crate::model::{Amount, HopKind, TransferKind};
use crate::scenario::addresses;
use crate::scenario::builder::{Builder, DAY, ETH, ETHEREUM, HOUR, MINUTE, gas_fee};
use crate::scenario::truth::{CashOut, Party, TransferRef};
use crate::scenario::{Scenario, ScenarioError};
use crate::training::{Action, Answer, Walkthrough};

/// The seed of this scenario.
pub const SEED: u64 = 0x5245_5553_455F_3233;
/// 2023-07-22 00:00 UTC.
const DAY0: i64 = 1_689_984_000;
/// BNB Smart Chain.
const BSC: &str = "bsc";
/// Polygon PoS.
const POLYGON: &str = "polygon";
/// Each chain's native asset.
fn native(chain: &str) -> &'static str {
    match chain {
        BSC => "BNB",
        POLYGON => "POL",
        _ => "ETH",
    }
}
/// The incidents: name, day offset, chains drained (native asset), through an intermediate.
const INCIDENTS: [(&str, i64, &[&str], bool); 3] = [
    ("Alphapo-like payment processor", 0, &[ETHEREUM], true),
    ("Stake-like casino", 44, &[ETHEREUM, POLYGON], false),
    ("CoinEx-like exchange", 52, &[ETHEREUM, BSC, POLYGON], false),
];

/// A one-transfer native transaction on `chain`.
fn send(b: &mut Builder, chain: &'static str, time: i64, from: &str, to: &str, value: u128) -> TransferRef {
    let fee = gas_fee(&mut b.rng, 21_000);
    let mut tx = b.tx(chain, time);
    b.transfer(&mut tx, TransferKind::Native, from, to, native(chain), value, Some(fee))
}

fn chain_id(c: &str) -> &'static str {
    match c {
        BSC => BSC,
        POLYGON => POLYGON,
        _ => ETHEREUM,
    }
}

/// Generates the scenario.
pub fn generate() -> Result<TrainingScenario, ScenarioError> {
    let mut b = start(SEED, DAY0)?;
    let mut extra = Extra::default();
    b.part("thefts");
    let actor = addresses::evm(&mut b.rng);
    let mut held: Vec<(&'static str, u128, i64)> = Vec::new();
    for (incident, day, chains, intermediate) in INCIDENTS {
        let hop = intermediate.then(|| addresses::evm(&mut b.rng));
        let mut time = b.t0 + day * DAY + b.rng.range_i64(0, 6 * HOUR);
        for c in chains {
            let chain = chain_id(c);
            let hot = addresses::evm(&mut b.rng);
            b.label(chain, &hot, &format!("{incident} hot wallet (synthetic)"), "victim", None, "service_data");
            let value = b.rng.range_u128(300 * ETH, 4_000 * ETH) / if chain == ETHEREUM { 4 } else { 1 };
            let first_to = hop.clone().unwrap_or_else(|| actor.clone());
            let r = send(&mut b, chain, time, &hot, &first_to, value);
            b.truth.hack.push(r.clone());
            let mut arrive = time;
            if let Some(h) = &hop {
                b.attacker(chain, h, "intermediate");
                arrive = time + b.rng.range_i64(20 * MINUTE, 3 * HOUR);
                send(&mut b, chain, arrive, h, &actor, value - ETH / 50);
            }
            held.push((chain, if hop.is_some() { value - ETH / 50 } else { value }, arrive));
            extra.thefts.push(Theft {
                incident: incident.to_owned(),
                victim: Party {
                    chain: chain.to_owned(),
                    address: hot.clone(),
                    entity: format!("{incident} hot wallet"),
                },
                transfers: vec![r],
                to: first_to,
                asset: native(chain).to_owned(),
                amount: Amount::from_u128(value),
            });
            time += b.rng.range_i64(5 * MINUTE, 40 * MINUTE);
        }
    }
    let mut chains: Vec<String> = held.iter().map(|h| h.0.to_owned()).collect();
    chains.sort();
    chains.dedup();
    for c in &chains {
        b.attacker(c, &actor, "reused_actor_address");
    }
    extra.reused_addresses.push(ReusedAddress {
        address: actor.clone(),
        chains,
        incidents: INCIDENTS.iter().map(|i| i.0.to_owned()).collect(),
    });
    bridge_and_cash_out(&mut b, &mut extra, &actor, &held);
    let ts = finish("actor-reuse", b, 30, extra, lesson);
    if ts.lesson.exercises.is_empty() {
        return Err(ScenarioError::Registry("a complete actor-reuse story".to_owned()));
    }
    Ok(ts)
}

/// BSC and Polygon holdings are bridged to Ethereum (paid out as ETH to the same address at the
/// day's rate, less a fee); the Ethereum total goes to an exchange in three deposits.
fn bridge_and_cash_out(b: &mut Builder, extra: &mut Extra, actor: &str, held: &[(&'static str, u128, i64)]) {
    b.part("bridge");
    let vault = addresses::evm(&mut b.rng);
    b.label(ETHEREUM, &vault, "Cross-chain bridge vault (synthetic)", "bridge", None, "ownership");
    let mut eth = 0u128;
    let mut last = 0i64;
    for (chain, value, time) in held {
        last = last.max(*time);
        if *chain == ETHEREUM {
            eth += value;
            continue;
        }
        let router = addresses::evm(&mut b.rng);
        b.label(chain, &router, "Cross-chain bridge router (synthetic)", "bridge", None, "ownership");
        let t = time + b.rng.range_i64(HOUR, 6 * HOUR);
        let amount_in = value - ETH / 10;
        let deposit = send(b, chain, t, actor, &router, amount_in);
        // ETH per native unit in the scenario's prices: BNB 0.13 ETH, POL 0.001 ETH.
        let per_mille = if *chain == BSC { 130 } else { 1 };
        let out = amount_in * per_mille / 1_000 * 9_990 / 10_000;
        let pay = t + b.rng.range_i64(3 * MINUTE, 25 * MINUTE);
        let mut tx = b.tx(ETHEREUM, pay);
        let payout = b.transfer(&mut tx, TransferKind::Internal, &vault, actor, "ETH", out, None);
        extra.cross_swaps.push(CrossSwap {
            service: format!("Cross-chain bridge (synthetic), {chain} to ethereum"),
            deposit,
            amount_in: Amount::from_u128(amount_in),
            payout,
            recipient: actor.to_owned(),
            amount_out: Amount::from_u128(out),
        });
        eth += out;
        last = last.max(pay);
    }
    let mut time = last + b.rng.range_i64(2 * HOUR, DAY);
    for part in b.rng.split(eth - ETH, 3) {
        let deposit = addresses::evm(&mut b.rng);
        b.label(ETHEREUM, &deposit, "Exchange F deposit (synthetic)", "exchange", None, "forensic");
        let (r, _) = b.send_eth(time, actor, &deposit, part, 21_000);
        b.truth.cash_outs.push(CashOut {
            chain: ETHEREUM.to_owned(),
            asset: "ETH".to_owned(),
            exchange: "Exchange F".to_owned(),
            deposit_address: deposit,
            transfer: r,
            amount: Amount::from_u128(part),
        });
        time += b.rng.range_i64(HOUR, 5 * HOUR);
    }
}

fn lesson(_s: &Scenario, extra: &Extra) -> Lesson {
    let empty = Lesson {
        title: String::new(),
        seeds: Vec::new(),
        expansions: Vec::new(),
        walkthrough: Walkthrough { title: String::new(), steps: Vec::new() },
        exercises: Vec::new(),
    };
    let (Some(reused), Some(last), Some(first), Some(bsc_bridge)) = (
        extra.reused_addresses.first(),
        extra.thefts.iter().rev().find(|t| t.victim.chain == ETHEREUM),
        extra.thefts.first(),
        extra.cross_swaps.iter().find(|c| c.deposit.chain == BSC),
    ) else {
        return empty;
    };
    let a = &reused.address;
    let Some(polygon_victim) =
        extra.thefts.iter().find(|t| t.victim.chain == POLYGON && t.incident.starts_with("Stake"))
    else {
        return empty;
    };
    let steps = vec![
        step(
            "An exchange reports its Ethereum hot wallet drained. Its drain went to one address.",
            Action::Focus(node(ETHEREUM, &last.victim.address)),
        ),
        expand(
            "The receiving address on Ethereum: funds in from several victims, weeks apart.",
            node(ETHEREUM, a),
            ExpandDirection::In,
            20,
        ),
        step(
            "EVM addresses are the same key on every EVM chain: look it up on BNB Smart Chain.",
            Action::AddSeed { chain: BSC.to_owned(), address: a.clone() },
        ),
        expand("On BSC it received the exchange's BNB.", node(BSC, a), ExpandDirection::Both, 20),
        step("And on Polygon.", Action::AddSeed { chain: POLYGON.to_owned(), address: a.clone() }),
        expand("On Polygon: two incidents, weeks apart.", node(POLYGON, a), ExpandDirection::Both, 20),
        annotate(
            "BNB into a bridge router on BSC; ETH out of the bridge vault on Ethereum, to the same address.",
            HopKind::Bridge {
                bridge: "Cross-chain bridge (synthetic)".to_owned(),
                from_chain: BSC.to_owned(),
                to_chain: ETHEREUM.to_owned(),
            },
            vec![bsc_bridge.deposit.clone()],
            vec![bsc_bridge.payout.clone()],
            80,
            format!(
                "{} BNB in; {} ETH out minutes later, to the same address.",
                bsc_bridge.amount_in.format_units(18),
                bsc_bridge.amount_out.format_units(18)
            ),
        ),
        step(
            "One address, three chains, three incidents: the reuse links the thefts.",
            Action::Highlight { nodes: vec![node(ETHEREUM, a), node(BSC, a), node(POLYGON, a)], hop_steps: vec![6] },
        ),
        step(
            "Write down the link for the report.",
            Action::Note {
                node: Some(node(ETHEREUM, a)),
                text: format!(
                    "Same address on {}: incidents {}.",
                    reused.chains.join(", "),
                    reused.incidents.join("; ")
                ),
            },
        ),
    ];
    let exercises = vec![
        exercise(
            "reused",
            "Which address is reused across chains and incidents?",
            address(ETHEREUM, a),
            "It receives the drains of every incident, on every chain.",
        ),
        exercise(
            "chains",
            "On how many chains is that address active?",
            Answer::Count(reused.chains.len() as u64),
            format!("It is active on {}.", reused.chains.join(", ")),
        ),
        exercise(
            "incidents",
            "How many incidents sent funds to it?",
            Answer::Count(reused.incidents.len() as u64),
            reused.incidents.join("; "),
        ),
        exercise(
            "intermediate",
            "Through which address did the first incident's funds reach it?",
            address(&first.victim.chain, &first.to),
            "The first drain went to an intermediate address that forwarded it within hours.",
        ),
        exercise(
            "polygon-victim",
            "Which hot wallet lost funds on Polygon in the casino incident?",
            address(POLYGON, &polygon_victim.victim.address),
            "Expand the reused address on Polygon: its senders are the victims there.",
        ),
        exercise(
            "bridged-bnb",
            "How much BNB did the actor bridge from BSC to Ethereum? (for example 1.5 BNB, or in base units)",
            amount(BSC, "BNB", bsc_bridge.amount_in),
            "The deposit into the bridge router on BSC.",
        ),
        exercise(
            "bridge-kind",
            "What kind of hop moved the BSC funds to Ethereum?",
            Answer::HopKind("bridge".to_owned()),
            "Value in on one chain, out on another, same asset family, minus a fee.",
        ),
    ];
    Lesson {
        title: "Training (d): one actor address on several EVM chains".to_owned(),
        seeds: vec![(ETHEREUM.to_owned(), last.victim.address.clone())],
        expansions: vec![(node(ETHEREUM, &last.victim.address), ExpandDirection::Out, top(10))],
        walkthrough: Walkthrough { title: "Linking thefts by address reuse across chains".to_owned(), steps },
        exercises,
    }
}
