//! (c) A wallet-provider theft (Atomic Wallet-like): many users' wallets on Ethereum and Tron
//! are drained to collector addresses; the Ethereum loot goes through an instant cross-chain
//! swap service that pays TRC-20 USDT on Tron; the Tron collector cashes out at a sanctioned
//! exchange (Garantex-like) and through an OTC broker.

use super::common::{address, amount, annotate, exercise, expand, finish, node, sent_by, start, step, top};
use super::{CrossSwap, Extra, Lesson, Theft, TrainingScenario};
use crate::case::ExpandDirection;
use crate::model::{Amount, HopKind, TransferKind};
use crate::scenario::addresses;
use crate::scenario::builder::{Builder, ETH, ETHEREUM, HOUR, MINUTE, TRON, TRX, USD};
use crate::scenario::truth::{CashOut, Party, Stolen};
use crate::scenario::{Scenario, ScenarioError};
use crate::training::{Action, Answer, Walkthrough};

/// The seed of this scenario.
pub const SEED: u64 = 0x4154_4F4D_4943_3233;
/// 2023-06-02 00:00 UTC.
const DAY0: i64 = 1_685_664_000;
/// ETH price used by the swap service, in USDT.
const USD_PER_ETH: u128 = 1_880;
/// The swap service's fee in basis points.
const SWAP_FEE_BPS: u128 = 80;
/// Name of the sanctioned exchange.
const EXCHANGE: &str = "Sanctioned exchange, Garantex-like (synthetic)";
/// Name of the OTC broker.
const BROKER: &str = "OTC broker (synthetic)";

/// Generates the scenario.
pub fn generate() -> Result<TrainingScenario, ScenarioError> {
    let mut b = start(SEED, DAY0)?;
    let mut extra = Extra::default();
    let (eth_collector, tron_collector, eth_total, usdt_total) = drain(&mut b, &mut extra);
    let received = swap_to_tron(&mut b, &mut extra, &eth_collector, &tron_collector, eth_total);
    cash_out(&mut b, &tron_collector, received + usdt_total);
    let ts = finish("atomic-wallet", b, 40, extra, lesson);
    if ts.lesson.exercises.is_empty() {
        return Err(ScenarioError::Registry("a complete atomic-wallet story".to_owned()));
    }
    Ok(ts)
}

/// 24 Ethereum wallets lose their ETH and 16 Tron wallets their USDT within two hours.
/// Returns the two collectors and the wei and USDT micro-units they received.
fn drain(b: &mut Builder, extra: &mut Extra) -> (String, String, u128, u128) {
    b.part("drain");
    let eth_collector = addresses::evm(&mut b.rng);
    let tron_collector = addresses::tron(&mut b.rng);
    b.attacker(ETHEREUM, &eth_collector, "collector");
    b.attacker(TRON, &tron_collector, "collector");
    let usdt = b.tokens.usdt_tron.clone();
    let (mut eth_total, mut usdt_total) = (0u128, 0u128);
    let mut time = b.t0;
    for i in 0..40 {
        let on_tron = i % 5 >= 3;
        let (chain, victim, asset, value) = if on_tron {
            (TRON, addresses::tron(&mut b.rng), usdt.clone(), b.rng.range_u128(800 * USD, 90_000 * USD))
        } else {
            (ETHEREUM, addresses::evm(&mut b.rng), "ETH".to_owned(), b.rng.range_u128(ETH / 4, 45 * ETH))
        };
        let to = if on_tron { tron_collector.clone() } else { eth_collector.clone() };
        let r = if on_tron {
            b.send_token(TRON, time, &victim, &to, &asset, value)
        } else {
            b.send_eth(time, &victim, &to, value, 21_000).0
        };
        if on_tron {
            usdt_total += value
        } else {
            eth_total += value
        }
        b.truth.hack.push(r.clone());
        extra.thefts.push(Theft {
            incident: "wallet provider compromise".to_owned(),
            victim: Party { chain: chain.to_owned(), address: victim, entity: format!("Wallet user {}", i + 1) },
            transfers: vec![r],
            to,
            asset,
            amount: Amount::from_u128(value),
        });
        time += b.rng.range_i64(MINUTE, 5 * MINUTE);
    }
    b.truth.hack_time = b.t0;
    b.truth.stolen = vec![
        Stolen { asset: "ETH".to_owned(), symbol: "ETH".to_owned(), amount: Amount::from_u128(eth_total) },
        Stolen { asset: usdt, symbol: "USDT".to_owned(), amount: Amount::from_u128(usdt_total) },
    ];
    (eth_collector, tron_collector, eth_total, usdt_total)
}

/// The Ethereum collector sends its ETH in three deposits to an instant swap service, which
/// pays TRC-20 USDT to the Tron collector. Returns the USDT micro-units paid.
fn swap_to_tron(b: &mut Builder, extra: &mut Extra, from: &str, to: &str, wei: u128) -> u128 {
    b.part("swap");
    let deposit = addresses::evm(&mut b.rng);
    let payer = addresses::tron(&mut b.rng);
    b.label(ETHEREUM, &deposit, "Instant swap service deposit (synthetic)", "exchange", None, "forensic");
    b.label(TRON, &payer, "Instant swap service hot wallet (synthetic)", "exchange", None, "forensic");
    let usdt = b.tokens.usdt_tron.clone();
    let mut time = b.t0 + 3 * HOUR;
    let mut paid = 0;
    for part in b.rng.split(wei - ETH / 10, 3) {
        let (r, _) = b.send_eth(time, from, &deposit, part, 21_000);
        let out = part * USD_PER_ETH * (10_000 - SWAP_FEE_BPS) / 10_000 / 1_000_000_000_000;
        let pay_time = time + b.rng.range_i64(5 * MINUTE, 40 * MINUTE);
        let p = b.send_token(TRON, pay_time, &payer, to, &usdt, out);
        extra.cross_swaps.push(CrossSwap {
            service: "Instant swap service (synthetic)".to_owned(),
            deposit: r,
            amount_in: Amount::from_u128(part),
            payout: p,
            recipient: to.to_owned(),
            amount_out: Amount::from_u128(out),
        });
        paid += out;
        time += b.rng.range_i64(HOUR, 4 * HOUR);
    }
    paid
}

/// The Tron collector deposits most of its USDT at the sanctioned exchange (several deposit
/// addresses) and sells the rest to the OTC broker.
fn cash_out(b: &mut Builder, collector: &str, usdt_held: u128) {
    b.part("cash-out");
    let usdt = b.tokens.usdt_tron.clone();
    let hot = addresses::tron(&mut b.rng);
    b.label(TRON, &hot, EXCHANGE, "sanction", None, "authority_data");
    let broker = addresses::tron(&mut b.rng);
    b.label(TRON, &broker, BROKER, "otc", None, "forensic");
    // TRX for fees, from an unrelated funding address.
    let funder = addresses::tron(&mut b.rng);
    let mut time = b.t0 + 14 * HOUR;
    let mut tx = b.tx(TRON, time - HOUR);
    b.transfer(&mut tx, TransferKind::Native, &funder, collector, "TRX", 150 * TRX, None);
    let to_exchange = usdt_held * 7 / 10;
    for part in b.rng.split(to_exchange, 4) {
        let deposit = addresses::tron(&mut b.rng);
        b.label(TRON, &deposit, &format!("{EXCHANGE} deposit"), "exchange", None, "forensic");
        let r = b.send_token(TRON, time, collector, &deposit, &usdt, part);
        b.truth.cash_outs.push(CashOut {
            chain: TRON.to_owned(),
            asset: usdt.clone(),
            exchange: EXCHANGE.to_owned(),
            deposit_address: deposit.clone(),
            transfer: r,
            amount: Amount::from_u128(part),
        });
        let sweep = time + b.rng.range_i64(10 * MINUTE, 2 * HOUR);
        b.send_token(TRON, sweep, &deposit, &hot, &usdt, part);
        time += b.rng.range_i64(HOUR, 6 * HOUR);
    }
    for part in b.rng.split(usdt_held - to_exchange - 5 * USD, 2) {
        let r = b.send_token(TRON, time, collector, &broker, &usdt, part);
        b.truth.cash_outs.push(CashOut {
            chain: TRON.to_owned(),
            asset: usdt.clone(),
            exchange: BROKER.to_owned(),
            deposit_address: broker.clone(),
            transfer: r,
            amount: Amount::from_u128(part),
        });
        time += b.rng.range_i64(2 * HOUR, 8 * HOUR);
    }
}

fn lesson(s: &Scenario, extra: &Extra) -> Lesson {
    let t = &s.truth;
    let usdt = s.background.tokens.usdt_tron.clone();
    let collector = |chain: &str| t.attacker_addresses.iter().find(|a| a.chain == chain).map(|a| a.address.clone());
    let (Some(eth_c), Some(tron_c), Some(swap)) = (collector(ETHEREUM), collector(TRON), extra.cross_swaps.first())
    else {
        return Lesson {
            title: String::new(),
            seeds: Vec::new(),
            expansions: Vec::new(),
            walkthrough: Walkthrough { title: String::new(), steps: Vec::new() },
            exercises: Vec::new(),
        };
    };
    let victims: Vec<&Theft> = [0usize, 1, 3].iter().filter_map(|i| extra.thefts.get(*i)).collect();
    let exchange_total =
        t.cash_outs.iter().filter(|c| c.exchange == EXCHANGE).fold(Amount::ZERO, |a, c| a.saturating_add(c.amount));
    let broker =
        t.cash_outs.iter().find(|c| c.exchange == BROKER).map(|c| c.deposit_address.clone()).unwrap_or_default();
    let exchange_deposits: Vec<_> = t.cash_outs.iter().filter(|c| c.exchange == EXCHANGE).collect();
    let steps = vec![
        step(
            "Dozens of users report empty wallets within two hours: start from three of them.",
            Action::Note { node: None, text: "Reports: wallets drained on Ethereum and Tron.".to_owned() },
        ),
        step(
            "Every Ethereum victim paid the same address: the collector.",
            Action::AddSeed { chain: ETHEREUM.to_owned(), address: eth_c.clone() },
        ),
        expand(
            "The collector's incoming transfers: one per drained wallet.",
            node(ETHEREUM, &eth_c),
            ExpandDirection::In,
            50,
        ),
        expand(
            "Its outgoing transfers: three deposits to an instant swap service.",
            node(ETHEREUM, &eth_c),
            ExpandDirection::Out,
            10,
        ),
        annotate(
            "ETH in on Ethereum, USDT out on Tron minutes later, at the day's price less a fee: a cross-chain swap.",
            HopKind::Swap { venue: swap.service.clone() },
            vec![swap.deposit.clone()],
            vec![swap.payout.clone()],
            80,
            format!(
                "{} ETH in; {} USDT out on Tron (price {USD_PER_ETH} USDT/ETH, {SWAP_FEE_BPS} bps).",
                swap.amount_in.format_units(18),
                swap.amount_out.format_units(6)
            ),
        ),
        step(
            "The Tron recipient of the swap becomes a seed: it is also the Tron victims' collector.",
            Action::AddSeed { chain: TRON.to_owned(), address: tron_c.clone() },
        ),
        expand(
            "Where the USDT goes: deposit addresses of a sanctioned exchange, and an OTC broker.",
            node(TRON, &tron_c),
            ExpandDirection::Out,
            20,
        ),
        annotate(
            "Deposits into the sanctioned exchange, each to its own deposit address, swept into one hot wallet.",
            HopKind::CashOut { venue: EXCHANGE.to_owned() },
            exchange_deposits.iter().map(|c| c.transfer.clone()).collect(),
            exchange_deposits.iter().flat_map(|c| sent_by(s, &c.deposit_address)).collect(),
            85,
            format!("{} USDT in {} deposits.", exchange_total.format_units(6), exchange_deposits.len()),
        ),
        step("The cash-out hops.", Action::Highlight { nodes: vec![node(TRON, &broker)], hop_steps: vec![4, 7] }),
    ];
    let exercises = vec![
        exercise(
            "victims",
            "How many wallets were drained (both chains)?",
            Answer::Count(extra.thefts.len() as u64),
            "Count the distinct senders into the two collectors during the theft window.",
        ),
        exercise(
            "eth-collector",
            "Which Ethereum address collected the stolen ETH?",
            address(ETHEREUM, &eth_c),
            "Every Ethereum victim paid it within two hours.",
        ),
        exercise(
            "tron-recipient",
            "Which Tron address received the USDT of the cross-chain swap?",
            address(TRON, &tron_c),
            "The swap service's hot wallet paid it minutes after each ETH deposit.",
        ),
        exercise(
            "swap-kind",
            "What kind of hop turns the ETH into Tron USDT?",
            Answer::HopKind("swap".to_owned()),
            "One asset in on one chain, another out on another, at a price.",
        ),
        exercise(
            "exchange-total",
            "How much USDT went to the sanctioned exchange? (for example 1.5 USDT, or in base units)",
            amount(TRON, &usdt, exchange_total),
            "The sum of the deposits to its deposit addresses.",
        ),
        exercise(
            "broker",
            "Which Tron address is the OTC broker's?",
            address(TRON, &broker),
            "The collector's other counterparty, labelled as an OTC desk.",
        ),
    ];
    Lesson {
        title: "Training (c): wallet-provider theft cashed out as Tron USDT".to_owned(),
        seeds: victims.iter().map(|v| (v.victim.chain.clone(), v.victim.address.clone())).collect(),
        expansions: victims
            .iter()
            .map(|v| (node(&v.victim.chain, &v.victim.address), ExpandDirection::Out, top(10)))
            .collect(),
        walkthrough: Walkthrough { title: "Many small thefts, one cash-out".to_owned(), steps },
        exercises,
    }
}
