//! (a) A bridge validator-key theft (Ronin-like): the demo generator's story with its own seed
//! and a quieter configuration — drain, consolidation and swaps, Tornado-style pools among
//! unrelated users and decoys, a bridge to Bitcoin, a custodial mixer, peel chains, an OTC
//! broker and a Tron USDT cash-out.

use super::common::{address, amount, annotate, exercise, expand, node, step, top, tx};
use super::{Extra, Lesson, TrainingScenario};
use crate::case::ExpandDirection;
use crate::model::HopKind;
use crate::scenario::builder::{BITCOIN, ETHEREUM};
use crate::scenario::{HubSpec, Scenario, ScenarioConfig, ScenarioError};
use crate::training::{Action, Answer, Walkthrough};

/// The seed of this scenario.
pub const SEED: u64 = 0x524F_4E49_4E5F_3232;

/// Generates the scenario.
pub fn generate() -> Result<TrainingScenario, ScenarioError> {
    let config = ScenarioConfig {
        seed: SEED,
        unrelated_pool_users: 20,
        decoy_deposits: 6,
        max_delay_hours: 48,
        relayer_fee_bps: 25,
        background_transfers: 40,
        hub: Some(HubSpec { in_transfers: 10, out_transfers: 6 }),
    };
    let scenario = crate::scenario::generate(&config)?;
    let extra = Extra { scenario: "ronin-bridge".to_owned(), ..Extra::default() };
    let lesson =
        lesson(&scenario).ok_or_else(|| ScenarioError::Registry("a complete ronin-bridge story".to_owned()))?;
    Ok(TrainingScenario { name: "ronin-bridge", scenario, extra, lesson })
}

fn lesson(s: &Scenario) -> Option<Lesson> {
    let t = &s.truth;
    let exploiters: Vec<&str> =
        t.attacker_addresses.iter().filter(|a| a.role == "exploiter").map(|a| a.address.as_str()).collect();
    let victim = t.victim.as_ref()?;
    let swap = t.swaps.first()?;
    let pool = t.pool_pairs.iter().find(|p| p.attacker)?;
    let bridge = t.bridge_pairs.iter().find(|b| b.attacker)?;
    let round = t.mixer_rounds.iter().find(|r| r.attacker)?;
    let otc = t.otc_trades.first()?;
    let stolen_eth = t.stolen.iter().find(|x| x.asset == "ETH")?;
    let first_exploiter = *exploiters.first()?;
    let consolidation = t.attacker_addresses.iter().find(|a| a.role == "consolidation")?;
    let attacker_notes = t.pool_pairs.iter().filter(|p| p.attacker).count() as u64;
    let steps = vec![
        step(
            "A bridge's validator keys were stolen: two addresses drained it of ETH and USDC within minutes. \
             The case starts from them.",
            Action::Note {
                node: None,
                text: "Theft: bridge validator keys compromised; drain to two exploiters.".to_owned(),
            },
        ),
        step("The victim bridge: every theft transfer starts here.", Action::Focus(node(ETHEREUM, &victim.address))),
        expand(
            "Follow one consolidation address: ETH from the first exploiter, USDC from the second, then swaps and pool deposits.",
            node(ETHEREUM, &consolidation.address),
            ExpandDirection::Out,
            30,
        ),
        annotate(
            "USDC sold for ETH on a DEX router in one transaction: a swap hop.",
            HopKind::Swap { venue: "DEX router (synthetic)".to_owned() },
            vec![swap.sold.clone()],
            vec![swap.bought.clone()],
            95,
            format!(
                "{} USDC in, {} ETH back in the same transaction.",
                swap.sold_amount.format_units(6),
                swap.bought_amount.format_units(18)
            ),
        ),
        step(
            format!(
                "Deposits of exactly {} ETH go into a fixed-denomination pool.",
                pool.denomination.format_units(18)
            ),
            Action::Focus(node(ETHEREUM, &pool.pool)),
        ),
        step(
            "The withdrawal's recipient becomes a seed.",
            Action::AddSeed { chain: ETHEREUM.to_owned(), address: pool.recipient.clone() },
        ),
        annotate(
            "Pair one deposit with its withdrawal: same denomination, a fresh recipient, hours later.",
            HopKind::Mixer {
                service: "Tornado-style pool (synthetic)".to_owned(),
                pool: Some(format!("{} ETH", pool.denomination.format_units(18))),
            },
            vec![pool.deposit.clone()],
            vec![pool.withdrawal.clone()],
            60,
            format!(
                "Deposit and withdrawal of {} ETH, {} h apart; relayer fee {} wei.",
                pool.denomination.format_units(18),
                pool.delay_seconds / 3600,
                pool.relayer_fee
            ),
        ),
        annotate(
            "ETH into the bridge router on Ethereum, BTC out of its vault on Bitcoin minus a fee.",
            HopKind::Bridge {
                bridge: "ETH-BTC bridge (synthetic)".to_owned(),
                from_chain: ETHEREUM.to_owned(),
                to_chain: BITCOIN.to_owned(),
            },
            vec![bridge.deposit.clone()],
            vec![bridge.release.clone()],
            85,
            format!(
                "{} ETH × {} sat/ETH − {} sat fee = {} BTC.",
                bridge.amount_in.format_units(18),
                bridge.rate_sat_per_eth,
                bridge.fee,
                bridge.amount_out.format_units(8)
            ),
        ),
        step(
            "The BTC recipient becomes a seed on Bitcoin.",
            Action::AddSeed { chain: BITCOIN.to_owned(), address: bridge.recipient.clone() },
        ),
        expand(
            "Its BTC goes whole to a one-time deposit address of a custodial mixer.",
            node(BITCOIN, &bridge.recipient),
            ExpandDirection::Out,
            10,
        ),
        annotate(
            "The mixer pays the amount less its fee to fresh addresses from its own reserve within a day.",
            HopKind::Mixer { service: "Custodial mixer (synthetic)".to_owned(), pool: None },
            vec![round.deposit.clone()],
            round.payouts.clone(),
            70,
            format!(
                "{} BTC in, {} BTC out ({} bps fee) within {} h.",
                round.amount_in.format_units(8),
                round.amount_out.format_units(8),
                round.fee_bps,
                round.window_seconds / 3600
            ),
        ),
        step(
            "Four hops so far: swap, pool, bridge, mixer.",
            Action::Highlight { nodes: Vec::new(), hop_steps: vec![3, 6, 7, 10] },
        ),
        step(
            "From here: peel chains to exchanges, and an OTC broker paying USDT on Tron. Try the exercises.",
            Action::Note { node: None, text: "Open questions: peel chains, OTC broker, Tron cash-out.".to_owned() },
        ),
    ];
    let exercises = vec![
        exercise(
            "stolen-eth",
            "How much ETH was stolen? (for example 1.5 ETH, or in wei)",
            amount(ETHEREUM, "ETH", stolen_eth.amount),
            "The sum of the native drains from the bridge to the first exploiter.",
        ),
        exercise(
            "first-theft-tx",
            "Which transaction is the first theft transfer?",
            tx(t.hack.first()?),
            "The earliest transfer out of the victim bridge.",
        ),
        exercise(
            "first-exploiter",
            "Which address received the stolen ETH?",
            address(ETHEREUM, first_exploiter),
            "The bridge's internal transfers pay the first exploiter.",
        ),
        exercise(
            "pool-notes",
            "How many notes did the attacker deposit into the pools (and withdraw)?",
            Answer::Count(attacker_notes),
            "Count the attacker's fixed-denomination deposits; each was withdrawn to a fresh address.",
        ),
        exercise(
            "bridge-recipient",
            "Which Bitcoin address received the BTC the bridge released for the attacker's first crossing?",
            address(BITCOIN, &bridge.recipient),
            "The vault's release output, minutes after the ETH deposit, for the converted amount less the fee.",
        ),
        exercise(
            "mixer-hop",
            "What kind of hop connects the BTC recipient and the payouts that follow it?",
            Answer::HopKind("mixer".to_owned()),
            "A custodial mixer: a one-time deposit address, payouts from another reserve.",
        ),
        exercise(
            "otc-usdt",
            "How much USDT did the OTC broker pay for the first BTC it received from the attacker? (for example 1.5 USDT, or in base units)",
            amount("tron", &s.background.tokens.usdt_tron, otc.usdt_amount),
            "BTC × price × (1 − spread), paid in TRC-20 USDT on Tron.",
        ),
    ];
    Some(Lesson {
        title: "Training (a): bridge validator-key theft, pools, bridge to Bitcoin, custodial mixer".to_owned(),
        seeds: exploiters.iter().map(|a| (ETHEREUM.to_owned(), (*a).to_owned())).collect(),
        expansions: exploiters.iter().map(|a| (node(ETHEREUM, a), ExpandDirection::Both, top(25))).collect(),
        walkthrough: Walkthrough { title: "Following a bridge drain to Bitcoin".to_owned(), steps },
        exercises,
    })
}
