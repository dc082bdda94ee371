//! (e) An exchange theft at scale: the exploiter fans the ETH out over 40 addresses and then
//! 10,000 more, which regroup into 100 addresses; those swap the ETH for BTC through a
//! cross-chain swap router (THORChain-like: a router on Ethereum, a vault paying BTC on
//! Bitcoin); the BTC goes through CoinJoin rounds with equal 0.5 BTC outputs, and the mixed
//! outputs are consolidated and sold to an OTC broker who pays USDT on Tron.
//!
//! The exports of this scenario (about 20,000 transfers) are generated when the case is first
//! opened instead of being committed.

use super::common::{address, amount, annotate, exercise, expand, finish, node, start, step, top};
use super::{CoinJoin, Extra, FanOut, Lesson, TrainingScenario};
use crate::case::{ExpandDirection, NodeKey};
use crate::model::{Amount, HopKind, TransferKind};
use crate::scenario::bitcoin::{OtcReceipt, bridge};
use crate::scenario::builder::{BITCOIN, BTC, Builder, DAY, ETH, ETHEREUM, HOUR, MINUTE, Utxo};
use crate::scenario::ethereum::BridgeDeposit;
use crate::scenario::truth::{Party, Stolen};
use crate::scenario::{Scenario, ScenarioError, addresses, tron};
use crate::training::{Action, Answer, Walkthrough};

/// The seed of this scenario.
pub const SEED: u64 = 0x5343_414C_455F_3235;
/// 2025-02-21 00:00 UTC.
const DAY0: i64 = 1_740_096_000;
/// Addresses of the first and second fan-out layers, and regroup addresses.
const LAYERS: (usize, usize, usize) = (40, 10_000, 100);
/// CoinJoin equal-output value (Whirlpool-like pool size).
const DENOMINATION: u128 = BTC / 2;
/// Coordinator fee, basis points of the mixed amount.
const COORDINATOR_BPS: u128 = 30;
/// The router's vault label, renamed from the bridge helper's.
const VAULT: &str = "Cross-chain swap vault, THORChain-like (synthetic)";

/// Generates the scenario.
pub fn generate() -> Result<TrainingScenario, ScenarioError> {
    let mut b = start(SEED, DAY0)?;
    let mut extra = Extra::default();
    let deposits = fan_out(&mut b, &mut extra);
    let releases = bridge(&mut b, &deposits);
    for l in b.labels.iter_mut().filter(|l| l.entity.starts_with("ETH-BTC bridge vault")) {
        l.entity = VAULT.to_owned();
    }
    let mixed = coinjoin(&mut b, &mut extra, releases);
    let (broker, receipts) = consolidate(&mut b, mixed);
    tron::cash_out(&mut b, &receipts, &broker);
    let ts = finish("exchange-at-scale", b, 60, extra, lesson);
    if ts.lesson.exercises.is_empty() {
        return Err(ScenarioError::Registry("a complete exchange-at-scale story".to_owned()));
    }
    Ok(ts)
}

/// The theft, the two fan-out layers, the regroup and the router deposits (with unrelated
/// router users). Returns the deposits to the router, by time.
fn fan_out(b: &mut Builder, extra: &mut Extra) -> Vec<BridgeDeposit> {
    b.part("theft");
    let cold = addresses::evm(&mut b.rng);
    let exploiter = addresses::evm(&mut b.rng);
    b.label(ETHEREUM, &cold, "Exchange G cold wallet (synthetic)", "victim", None, "service_data");
    b.label(ETHEREUM, &exploiter, "Exchange G exploiter", "perpetrator", Some("lazarusgroup"), "authority_data");
    b.attacker(ETHEREUM, &exploiter, "exploiter");
    b.truth.victim =
        Some(Party { chain: ETHEREUM.to_owned(), address: cold.clone(), entity: "Exchange G cold wallet".to_owned() });
    let stolen = b.rng.range_u128(2_800 * ETH, 3_200 * ETH);
    let mut tx = b.tx(ETHEREUM, b.t0);
    let r = b.transfer(&mut tx, TransferKind::Internal, &cold, &exploiter, "ETH", stolen, None);
    b.truth.hack.push(r);
    b.truth.stolen =
        vec![Stolen { asset: "ETH".to_owned(), symbol: "ETH".to_owned(), amount: Amount::from_u128(stolen) }];

    b.part("fan-out");
    let (n1, n2, n3) = LAYERS;
    let reserve = ETH / 1_000;
    let mut time = b.t0 + 30 * MINUTE;
    let mut hubs = Vec::with_capacity(n1);
    for share in b.rng.split(stolen - ETH, n1) {
        let hub = addresses::evm(&mut b.rng);
        b.send_eth(time, &exploiter, &hub, share, 21_000);
        hubs.push((hub, share, time));
        time += b.rng.range_i64(12, 90);
    }
    let regroup: Vec<String> = (0..n3).map(|_| addresses::evm(&mut b.rng)).collect();
    let mut regrouped = vec![(0u128, 0i64); n3];
    let per_hub = n2 / n1;
    let mut leaf_index = 0usize;
    for (hub, share, t) in hubs {
        let mut lt = t + b.rng.range_i64(HOUR, 3 * HOUR);
        for value in b.rng.split(share - reserve, per_hub) {
            let leaf = addresses::evm(&mut b.rng);
            b.send_eth(lt, &hub, &leaf, value, 21_000);
            let k = leaf_index % n3;
            let to = regroup.get(k).cloned().unwrap_or_default();
            let back = lt + b.rng.range_i64(2 * HOUR, DAY);
            b.send_eth(back, &leaf, &to, value - reserve, 21_000);
            if let Some(slot) = regrouped.get_mut(k) {
                slot.0 += value - reserve;
                slot.1 = slot.1.max(back);
            }
            leaf_index += 1;
            lt += b.rng.range_i64(3, 40);
        }
    }
    for r in &regroup {
        b.attacker(ETHEREUM, r, "regroup");
    }
    extra.fan_out = Some(FanOut {
        root: exploiter,
        layer_sizes: vec![n1 as u64, (per_hub * n1) as u64, n3 as u64],
        addresses: (n1 + per_hub * n1 + n3) as u64,
        regroup: regroup.clone(),
    });

    b.part("router");
    let router = addresses::evm(&mut b.rng);
    b.label(ETHEREUM, &router, "Cross-chain swap router, THORChain-like (synthetic)", "defi_dex", None, "service_data");
    let mut deposits = Vec::new();
    for (r, (value, ready)) in regroup.iter().zip(regrouped) {
        let time = ready + b.rng.range_i64(HOUR, 6 * HOUR);
        let recipient = addresses::btc(&mut b.rng);
        b.attacker(BITCOIN, &recipient, "btc_swap_recipient");
        let amount = value - ETH / 100;
        let (d, _) = b.send_eth(time, r, &router, amount, 90_000);
        deposits.push(BridgeDeposit { attacker: true, deposit: d, amount, time, recipient });
    }
    for _ in 0..12 {
        let user = addresses::evm(&mut b.rng);
        let time = b.t0 + b.rng.range_i64(-DAY, 6 * DAY);
        let amount = b.rng.range_u128(ETH / 5, 30 * ETH);
        let recipient = addresses::btc(&mut b.rng);
        let (d, _) = b.send_eth(time, &user, &router, amount, 90_000);
        deposits.push(BridgeDeposit { attacker: false, deposit: d, amount, time, recipient });
    }
    deposits.sort_by_key(|d| d.time);
    deposits
}

/// Five CoinJoin rounds: each takes 20 of the attacker's BTC outputs and 25 unrelated inputs,
/// pays every participant whole 0.5 BTC outputs to fresh addresses, their change, and the
/// coordinator's fee. Returns the attacker's equal outputs.
fn coinjoin(b: &mut Builder, extra: &mut Extra, releases: Vec<Utxo>) -> Vec<Utxo> {
    b.part("coinjoin");
    let coordinator = addresses::btc_p2wpkh(&mut b.rng);
    b.label(BITCOIN, &coordinator, "CoinJoin coordinator fee address (synthetic)", "coinjoin", None, "forensic");
    let mut mixed = Vec::new();
    for group in releases.chunks(20) {
        let start_time = group.iter().map(|u| u.time).max().unwrap_or(b.t0) + b.rng.range_i64(2 * HOUR, 20 * HOUR);
        let mut inputs: Vec<(bool, Utxo)> = group.iter().map(|u| (true, u.clone())).collect();
        for _ in 0..25 {
            let user = addresses::btc(&mut b.rng);
            let value = b.rng.range_u128(DENOMINATION + BTC / 100, 4 * BTC);
            inputs.push((false, b.external_utxo(&user, value, start_time - DAY)));
        }
        // Participants in a random order; outputs: equal ones first, then change, then the fee.
        for i in (1..inputs.len()).rev() {
            inputs.swap(i, b.rng.index(i + 1));
        }
        let mut equal: Vec<(bool, String)> = Vec::new();
        let mut change: Vec<(String, u128)> = Vec::new();
        let mut fee_total = 0;
        for (attacker, u) in &inputs {
            let k = (u.value / DENOMINATION).min(8);
            let fee = k * DENOMINATION * COORDINATOR_BPS / 10_000;
            let miner = b.rng.range_u128(1_000, 4_000);
            let rest = u.value.saturating_sub(k * DENOMINATION + fee + miner);
            for _ in 0..k {
                equal.push((*attacker, addresses::btc_p2wpkh(&mut b.rng)));
            }
            if rest > 10_000 {
                change.push((addresses::btc_p2wpkh(&mut b.rng), rest));
            }
            fee_total += fee;
        }
        for i in (1..equal.len()).rev() {
            equal.swap(i, b.rng.index(i + 1));
        }
        let mut outputs: Vec<(String, u128)> = equal.iter().map(|(_, a)| (a.clone(), DENOMINATION)).collect();
        outputs.extend(change);
        outputs.push((coordinator.clone(), fee_total));
        let utxos: Vec<Utxo> = inputs.iter().map(|(_, u)| u.clone()).collect();
        let tx = b.btc_tx(start_time, &utxos, &outputs);
        let attacker_inputs = inputs.iter().zip(&tx.inputs).filter(|((a, _), _)| *a).map(|(_, r)| r.clone()).collect();
        let mut attacker_outputs = Vec::new();
        for ((attacker, addr), out) in equal.iter().zip(&tx.outputs) {
            if *attacker {
                b.attacker(BITCOIN, addr, "coinjoin_output");
                attacker_outputs.push(out.output_ref());
                mixed.push(out.clone());
            }
        }
        extra.coinjoins.push(CoinJoin {
            txid: tx.txid.clone(),
            denomination: Amount::from_u128(DENOMINATION),
            inputs: inputs.len() as u64,
            equal_outputs: equal.len() as u64,
            attacker_inputs,
            attacker_outputs,
        });
    }
    mixed
}

/// The mixed outputs are consolidated 25 at a time into one payment each to the OTC broker.
fn consolidate(b: &mut Builder, mixed: Vec<Utxo>) -> (String, Vec<OtcReceipt>) {
    b.part("otc");
    let broker = addresses::btc_p2pkh(&mut b.rng);
    b.label(BITCOIN, &broker, "OTC broker (synthetic)", "otc", None, "forensic");
    let mut receipts = Vec::new();
    for group in mixed.chunks(25) {
        let time = group.iter().map(|u| u.time).max().unwrap_or(b.t0) + b.rng.range_i64(DAY, 4 * DAY);
        let value: u128 = group.iter().map(|u| u.value).sum();
        let miner = b.rng.range_u128(8_000, 30_000);
        let tx = b.btc_tx(time, group, &[(broker.clone(), value - miner)]);
        if let Some(out) = tx.outputs.first() {
            receipts.push(OtcReceipt { btc_in: out.output_ref(), sats: value - miner, time });
        }
    }
    receipts.sort_by_key(|r| r.time);
    (broker, receipts)
}

fn lesson(s: &Scenario, extra: &Extra) -> Lesson {
    let t = &s.truth;
    let mut lesson = Lesson {
        title: "Training (e): exchange theft at scale, swap router to Bitcoin, CoinJoin, OTC".to_owned(),
        seeds: Vec::new(),
        expansions: Vec::new(),
        walkthrough: Walkthrough { title: "Ten thousand addresses and back".to_owned(), steps: Vec::new() },
        exercises: Vec::new(),
    };
    let (Some(fan), Some(cj), Some(pair), Some(otc)) =
        (&extra.fan_out, extra.coinjoins.first(), t.bridge_pairs.iter().find(|p| p.attacker), t.otc_trades.first())
    else {
        return lesson;
    };
    let regroup =
        s.transfers.iter().find(|x| x.tx_hash == pair.deposit.tx_hash).and_then(|x| x.from.clone()).unwrap_or_default();
    let router =
        s.transfers.iter().find(|x| x.tx_hash == pair.deposit.tx_hash).and_then(|x| x.to.clone()).unwrap_or_default();
    let first_hub = s
        .transfers
        .iter()
        .find(|x| x.from.as_deref() == Some(fan.root.as_str()) && x.kind == TransferKind::Native)
        .and_then(|x| x.to.clone())
        .unwrap_or_default();
    // The first swap's release is spent by the first CoinJoin (releases join in time order).
    let swap_release = pair;
    let cj_node = NodeKey::Tx { chain: BITCOIN.to_owned(), hash: cj.txid.clone() };
    lesson.seeds = vec![(ETHEREUM.to_owned(), fan.root.clone())];
    lesson.expansions = vec![(node(ETHEREUM, &fan.root), ExpandDirection::Both, top(50))];
    lesson.walkthrough.steps = vec![
        step(
            "An exchange's cold wallet was drained into one address, which spread the ETH over 40 addresses within minutes.",
            Action::Focus(node(ETHEREUM, &fan.root)),
        ),
        expand(
            "One of the 40: it pays 250 addresses. The graph shows the top 20 and folds the rest into \"+N more\".",
            node(ETHEREUM, &first_hub),
            ExpandDirection::Out,
            20,
        ),
        step(
            "The 10,000 second-layer addresses regroup into 100 addresses. Start from one of them.",
            Action::AddSeed { chain: ETHEREUM.to_owned(), address: regroup.clone() },
        ),
        expand(
            "Its senders: 100 small leaves, each a few hops from the theft.",
            node(ETHEREUM, &regroup),
            ExpandDirection::In,
            15,
        ),
        expand(
            "Its one outgoing transfer goes to a cross-chain swap router.",
            node(ETHEREUM, &regroup),
            ExpandDirection::Out,
            5,
        ),
        step("The router.", Action::Focus(node(ETHEREUM, &router))),
        annotate(
            "ETH into the router, BTC out of its vault on Bitcoin to the address named in the swap.",
            HopKind::Swap { venue: "Cross-chain swap router, THORChain-like (synthetic)".to_owned() },
            vec![swap_release.deposit.clone()],
            vec![swap_release.release.clone()],
            85,
            format!(
                "{} ETH in; {} BTC out ({} sat/ETH, {} sat fee).",
                swap_release.amount_in.format_units(18),
                swap_release.amount_out.format_units(8),
                swap_release.rate_sat_per_eth,
                swap_release.fee
            ),
        ),
        step(
            "The BTC recipient becomes a seed on Bitcoin.",
            Action::AddSeed { chain: BITCOIN.to_owned(), address: swap_release.recipient.clone() },
        ),
        expand(
            "It spends into a CoinJoin: dozens of inputs, many equal 0.5 BTC outputs.",
            node(BITCOIN, &swap_release.recipient),
            ExpandDirection::Out,
            5,
        ),
        expand(
            "The CoinJoin's outputs (top 30 by value: the equal ones tie).",
            cj_node.clone(),
            ExpandDirection::Out,
            30,
        ),
        annotate(
            "A CoinJoin hop: the attacker's inputs and their equal outputs (known here from the ground truth; in real life only amounts and timing hint at them).",
            HopKind::Mixer {
                service: "CoinJoin, Whirlpool-like (synthetic)".to_owned(),
                pool: Some("0.5 BTC".to_owned()),
            },
            cj.attacker_inputs.clone(),
            cj.attacker_outputs.clone(),
            40,
            format!(
                "{} inputs, {} equal outputs of {} BTC.",
                cj.inputs,
                cj.equal_outputs,
                cj.denomination.format_units(8)
            ),
        ),
        step("Swap and CoinJoin hops.", Action::Highlight { nodes: vec![cj_node], hop_steps: vec![6, 10] }),
        step(
            "The mixed outputs are consolidated and sold to an OTC broker who pays USDT on Tron.",
            Action::Note { node: None, text: "Next: OTC broker, Tron USDT, exchanges.".to_owned() },
        ),
    ];
    lesson.exercises = vec![
        exercise(
            "exploiter",
            "Which address received the stolen ETH?",
            address(ETHEREUM, &fan.root),
            "The cold wallet's only outgoing transfer in the theft.",
        ),
        exercise(
            "layer-two",
            "How many addresses does the second fan-out layer have?",
            Answer::Count(fan.layer_sizes.get(1).copied().unwrap_or(0)),
            "40 first-layer addresses each pay 250 fresh addresses.",
        ),
        exercise(
            "router-kind",
            "What kind of hop is ETH into the router and BTC out of its vault?",
            Answer::HopKind("swap".to_owned()),
            "A cross-chain swap: another asset on another chain, at a rate, minus a fee.",
        ),
        exercise(
            "swap-recipient",
            "Which Bitcoin address received the BTC for the regroup address's swap?",
            address(BITCOIN, &pair.recipient),
            "The vault's release output for that deposit.",
        ),
        exercise(
            "coinjoin-denomination",
            "What is the CoinJoin's equal output value, in satoshis?",
            amount(BITCOIN, "BTC", cj.denomination),
            "The value most outputs of the CoinJoin transaction share.",
        ),
        exercise(
            "coinjoin-tx",
            "Which transaction is the first CoinJoin?",
            Answer::TxHash { chain: BITCOIN.to_owned(), hash: cj.txid.clone() },
            "The transaction spending the first swap releases together with unrelated inputs.",
        ),
        exercise(
            "otc-broker",
            "Which Bitcoin address is the OTC broker's?",
            address(BITCOIN, &otc.broker_btc),
            "Every consolidation of mixed outputs pays it.",
        ),
    ];
    lesson
}
