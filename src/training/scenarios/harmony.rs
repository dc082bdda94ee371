//! (b) A bridge exploit (Harmony Horizon-like): the bridge is drained of ETH and USDC, the
//! USDC sold for ETH, the ETH run through Tornado-style pools; months later in the real case
//! (days here) the withdrawals are shielded into a privacy protocol (RAILGUN-like: variable
//! amounts, a fee on shielding, unshields to new addresses) and the unshielded ETH deposited
//! at two exchanges.

use super::common::{address, amount, annotate, exercise, expand, finish, node, sent_by, start, step, top};
use super::{Extra, Lesson, ShieldPair, TrainingScenario};
use crate::case::ExpandDirection;
use crate::model::{Amount, HopKind, TransferKind};
use crate::scenario::addresses;
use crate::scenario::builder::{Builder, DAY, ETH, ETHEREUM, HOUR, MINUTE};
use crate::scenario::ethereum::{Holding, theft};
use crate::scenario::truth::CashOut;
use crate::scenario::{Scenario, ScenarioConfig, ScenarioError, pool};
use crate::training::{Action, Answer, Walkthrough};

/// The seed of this scenario.
pub const SEED: u64 = 0x4841_524D_4F4E_5932;
/// 2022-06-24 00:00 UTC.
const DAY0: i64 = 1_656_028_800;
/// The protocol's shielding fee.
const FEE_BPS: u32 = 25;

/// Generates the scenario.
pub fn generate() -> Result<TrainingScenario, ScenarioError> {
    let mut b = start(SEED, DAY0)?;
    let mut holdings = theft(&mut b);
    let cfg = ScenarioConfig {
        seed: SEED,
        unrelated_pool_users: 18,
        decoy_deposits: 6,
        max_delay_hours: 60,
        relayer_fee_bps: 30,
        background_transfers: 0,
        hub: None,
    };
    let fresh = pool::run(&mut b, &cfg, &mut holdings);
    let mut extra = Extra::default();
    let recipients = privacy(&mut b, &fresh, &mut extra);
    exchanges(&mut b, &recipients);
    let ts = finish("harmony-bridge", b, 40, extra, lesson);
    if ts.lesson.exercises.is_empty() {
        return Err(ScenarioError::Registry("a complete harmony-bridge story".to_owned()));
    }
    Ok(ts)
}

/// Shields each fresh address's ETH (one or two shields) and unshields it days later to two or
/// three new addresses; unrelated users do the same. Returns the attacker's unshield
/// recipients with what they hold.
fn privacy(b: &mut Builder, fresh: &[Holding], extra: &mut Extra) -> Vec<Holding> {
    b.part("privacy");
    let protocol = addresses::evm(&mut b.rng);
    b.label(ETHEREUM, &protocol, "Privacy protocol, RAILGUN-like (synthetic)", "mixing_service", None, "ownership");
    let mut sources: Vec<(bool, String, u128, i64)> = fresh
        .iter()
        .filter(|f| f.eth > ETH / 10)
        .flat_map(|f| {
            let ready = f.ready;
            let n = usize::try_from(b.rng.range(1, 2)).unwrap_or(1);
            b.rng
                .split(f.eth - ETH / 20, n)
                .into_iter()
                .map(move |a| (true, f.address.clone(), a, ready))
                .collect::<Vec<_>>()
        })
        .collect();
    for _ in 0..12 {
        let user = addresses::evm(&mut b.rng);
        let amount = b.rng.range_u128(ETH / 2, 60 * ETH);
        let time = b.t0 + b.rng.range_i64(0, 12 * DAY);
        sources.push((false, user, amount, time));
    }
    let mut out = Vec::new();
    for (attacker, depositor, amount_in, ready) in sources {
        let time = ready + b.rng.range_i64(2 * HOUR, 2 * DAY);
        let (shield, _) = b.send_eth(time, &depositor, &protocol, amount_in, 400_000);
        let fee = amount_in * u128::from(FEE_BPS) / 10_000;
        let n = usize::try_from(b.rng.range(2, 3)).unwrap_or(2);
        let mut unshields = Vec::new();
        let mut recipients = Vec::new();
        let mut t = time + b.rng.range_i64(DAY, 5 * DAY);
        for share in b.rng.split(amount_in - fee, n) {
            let to = addresses::evm(&mut b.rng);
            let mut tx = b.tx(ETHEREUM, t);
            unshields.push(b.transfer(&mut tx, TransferKind::Internal, &protocol, &to, "ETH", share, None));
            if attacker {
                b.attacker(ETHEREUM, &to, "unshield_recipient");
                out.push(Holding { address: to.clone(), eth: share, usdc: 0, ready: t });
            }
            recipients.push(to);
            t += b.rng.range_i64(20 * MINUTE, 9 * HOUR);
        }
        extra.shields.push(ShieldPair {
            attacker,
            protocol: protocol.clone(),
            shield,
            depositor,
            amount_in: Amount::from_u128(amount_in),
            fee_bps: FEE_BPS,
            fee: Amount::from_u128(fee),
            unshields,
            recipients,
            amount_out: Amount::from_u128(amount_in - fee),
        });
    }
    out
}

/// Each unshield recipient deposits its ETH (less gas money) at Exchange D or E; the exchanges
/// sweep their deposit addresses into their hot wallets.
fn exchanges(b: &mut Builder, recipients: &[Holding]) {
    b.part("exchanges");
    let hot: Vec<String> = (0..2).map(|_| addresses::evm(&mut b.rng)).collect();
    for (name, h) in ["Exchange D", "Exchange E"].iter().zip(&hot) {
        b.label(ETHEREUM, h, &format!("{name} hot wallet (synthetic)"), "exchange", None, "service_data");
    }
    for r in recipients {
        let k = b.rng.index(2);
        let name = if k == 0 { "Exchange D" } else { "Exchange E" };
        let deposit = addresses::evm(&mut b.rng);
        b.label(ETHEREUM, &deposit, &format!("{name} deposit (synthetic)"), "exchange", None, "forensic");
        let time = r.ready + b.rng.range_i64(HOUR, 30 * HOUR);
        let value = r.eth - ETH / 100;
        let (transfer, _) = b.send_eth(time, &r.address, &deposit, value, 21_000);
        b.truth.cash_outs.push(CashOut {
            chain: ETHEREUM.to_owned(),
            asset: "ETH".to_owned(),
            exchange: name.to_owned(),
            deposit_address: deposit.clone(),
            transfer,
            amount: Amount::from_u128(value),
        });
        let sweep = time + b.rng.range_i64(10 * MINUTE, 3 * HOUR);
        if let Some(h) = hot.get(k) {
            b.send_eth(sweep, &deposit, h, value - 21_000 * 45_000_000_000, 21_000);
        }
    }
}

fn lesson(s: &Scenario, extra: &Extra) -> Lesson {
    let t = &s.truth;
    let exploiters: Vec<String> =
        t.attacker_addresses.iter().filter(|a| a.role == "exploiter").map(|a| a.address.clone()).collect();
    let mut lesson = Lesson {
        title: "Training (b): bridge exploit, pool, privacy protocol, exchanges".to_owned(),
        seeds: exploiters.iter().map(|a| (ETHEREUM.to_owned(), a.clone())).collect(),
        expansions: exploiters.iter().map(|a| (node(ETHEREUM, a), ExpandDirection::Both, top(25))).collect(),
        walkthrough: Walkthrough {
            title: "From a bridge drain through a pool and a privacy protocol".to_owned(),
            steps: Vec::new(),
        },
        exercises: Vec::new(),
    };
    let (Some(pool), Some(shield), Some(usdc), Some(cash)) = (
        t.pool_pairs.iter().find(|p| p.attacker),
        extra.shields.iter().find(|p| p.attacker),
        t.stolen.iter().find(|x| x.symbol == "USDC"),
        t.cash_outs.first(),
    ) else {
        return lesson;
    };
    let Some(first_recipient) = shield.recipients.first() else { return lesson };
    let protocol = shield.protocol.clone();
    let attacker_shields = extra.shields.iter().filter(|p| p.attacker).count() as u64;
    let fee = shield.fee;
    let paid_by_first = |c: &&CashOut| {
        s.transfers
            .iter()
            .any(|x| x.tx_hash == c.transfer.tx_hash && x.from.as_deref() == Some(first_recipient.as_str()))
    };
    let first_cash = t.cash_outs.iter().find(paid_by_first).unwrap_or(cash);
    lesson.walkthrough.steps = vec![
        step(
            "The bridge was drained by two addresses holding its signing keys (2-of-5 multisig in the real case).",
            Action::Note { node: None, text: "Theft: bridge multisig keys compromised.".to_owned() },
        ),
        step(
            "The withdrawal recipient of a pool note becomes a seed.",
            Action::AddSeed { chain: ETHEREUM.to_owned(), address: pool.recipient.clone() },
        ),
        annotate(
            "The pool hop: a fixed-denomination deposit and a withdrawal to a fresh address.",
            HopKind::Mixer {
                service: "Tornado-style pool (synthetic)".to_owned(),
                pool: Some(format!("{} ETH", pool.denomination.format_units(18))),
            },
            vec![pool.deposit.clone()],
            vec![pool.withdrawal.clone()],
            55,
            format!(
                "{} ETH in, {} ETH out {} h later.",
                pool.denomination.format_units(18),
                pool.denomination.format_units(18),
                pool.delay_seconds / 3600
            ),
        ),
        step(
            "A withdrawal address later shields its ETH into a privacy protocol.",
            Action::AddSeed { chain: ETHEREUM.to_owned(), address: shield.depositor.clone() },
        ),
        expand(
            "Its outgoing transfers: the shield, an amount that is not a fixed denomination.",
            node(ETHEREUM, &shield.depositor),
            ExpandDirection::Out,
            10,
        ),
        step("The privacy protocol contract.", Action::Focus(node(ETHEREUM, &protocol))),
        annotate(
            "Shield and unshields: the unshielded amounts add up to the shield less the protocol's fee.",
            HopKind::Mixer { service: "Privacy protocol, RAILGUN-like (synthetic)".to_owned(), pool: None },
            vec![shield.shield.clone()],
            shield.unshields.clone(),
            75,
            format!(
                "{} ETH shielded; {} ETH unshielded in {} transfers ({} bps fee).",
                shield.amount_in.format_units(18),
                shield.amount_out.format_units(18),
                shield.unshields.len(),
                shield.fee_bps
            ),
        ),
        step(
            "An unshield recipient becomes a seed.",
            Action::AddSeed { chain: ETHEREUM.to_owned(), address: first_recipient.clone() },
        ),
        expand("It pays an exchange deposit address.", node(ETHEREUM, first_recipient), ExpandDirection::Out, 10),
        annotate(
            "The cash-out: an exchange deposit address, swept into the exchange's hot wallet.",
            HopKind::CashOut { venue: first_cash.exchange.clone() },
            vec![first_cash.transfer.clone()],
            sent_by(s, &first_cash.deposit_address),
            80,
            format!("{} ETH deposited at {}.", first_cash.amount.format_units(18), first_cash.exchange),
        ),
        step(
            "The trail: pool, privacy protocol, exchange.",
            Action::Highlight { nodes: vec![node(ETHEREUM, &protocol)], hop_steps: vec![2, 6, 9] },
        ),
    ];
    lesson.exercises = vec![
        exercise(
            "stolen-usdc",
            "How much USDC was stolen? (for example 1.5 USDC, or in base units)",
            amount(ETHEREUM, &s.background.tokens.usdc_eth, usdc.amount),
            "The sum of the two USDC drains.",
        ),
        exercise(
            "protocol",
            "Which contract did the attacker shield into?",
            address(ETHEREUM, &protocol),
            "The shield is a native transfer of a non-round amount to the protocol contract.",
        ),
        exercise(
            "shield-fee",
            "How many wei did the protocol keep from the attacker's first shield?",
            amount(ETHEREUM, "ETH", fee),
            "Shield amount minus the sum of its unshields (25 bps).",
        ),
        exercise(
            "shield-count",
            "How many times did the attacker shield ETH?",
            Answer::Count(attacker_shields),
            "One or two shields per pool withdrawal address.",
        ),
        exercise(
            "shield-hop",
            "What kind of hop is a shield followed by unshields?",
            Answer::HopKind("mixer".to_owned()),
            "A privacy protocol breaks the link like a mixer; the amounts still tie the sides together.",
        ),
        exercise(
            "exchange-deposit",
            "Which exchange deposit address received the first unshield recipient's ETH?",
            address(ETHEREUM, &first_cash.deposit_address),
            "The unshield recipient sends nearly all it holds to one deposit address.",
        ),
    ];
    lesson
}
