//! The Bitcoin side: the bridge vault releasing BTC for ETH deposits, the custodial mixer
//! (deposit to a one-time address, payouts minus a fee from the mixer's reserve within a
//! window), peel chains ending at exchanges, and BTC sold to the OTC broker.
//!
//! The vault and the mixer reserve each spend their previous change output, so their
//! transactions form chains; their first inputs spend outputs from before the scenario.

use super::addresses;
use super::builder::{BITCOIN, BTC, Builder, DAY, ETH, HOUR, MINUTE, Utxo};
use super::ethereum::BridgeDeposit;
use super::truth::{BridgePair, CashOut, MixerRound, PeelChain, PeelStep, TransferRef};
use crate::model::Amount;

/// Every mixer payout falls within this many seconds after its deposit.
pub const MIXER_WINDOW: i64 = DAY;

/// BTC the OTC broker received from the attacker.
#[derive(Debug, Clone)]
pub struct OtcReceipt {
    /// The output paying the broker.
    pub btc_in: TransferRef,
    /// Satoshis.
    pub sats: u128,
    /// When.
    pub time: i64,
}

/// The vault pays each deposit's BTC (converted at the day's rate, less the bridge fee) to
/// its recipient. Returns the attacker's release outputs.
pub fn bridge(b: &mut Builder, deposits: &[BridgeDeposit]) -> Vec<Utxo> {
    b.part("bridge");
    let vault = addresses::btc_p2wpkh(&mut b.rng);
    b.label(BITCOIN, &vault, "ETH-BTC bridge vault (synthetic)", "bridge", None, "ownership");
    // (deposit, time, rate, fee, out, miner fee)
    let mut plan = Vec::with_capacity(deposits.len());
    let mut last = i64::MIN;
    for d in deposits {
        let time = (d.time + b.rng.range_i64(10 * MINUTE, 45 * MINUTE)).max(last + MINUTE);
        last = time;
        let rate = b.rng.range_u128(6_780_000, 6_920_000);
        let fee = b.rng.range_u128(20_000, 60_000);
        let out = (d.amount * rate / ETH).saturating_sub(fee);
        plan.push((d, time, rate, fee, out, b.rng.range_u128(2_000, 12_000)));
    }
    let needed: u128 = plan.iter().map(|p| p.4 + p.5).sum();
    let margin = b.rng.range_u128(20 * BTC, 80 * BTC);
    let mut reserve = b.external_utxo(&vault, needed + margin, b.t0 - 30 * DAY);
    let mut released = Vec::new();
    for (d, time, rate, fee, out, miner) in plan {
        let change = reserve.value - out - miner;
        let tx = b.btc_tx(time, &[reserve], &[(d.recipient.clone(), out), (vault.clone(), change)]);
        let [paid, next] = [tx.outputs[0].clone(), tx.outputs[1].clone()];
        b.truth.bridge_pairs.push(BridgePair {
            attacker: d.attacker,
            deposit: d.deposit.clone(),
            amount_in: Amount::from_u128(d.amount),
            rate_sat_per_eth: Amount::from_u128(rate),
            fee: Amount::from_u128(fee),
            release: paid.output_ref(),
            recipient: d.recipient.clone(),
            amount_out: Amount::from_u128(out),
        });
        if d.attacker {
            released.push(paid);
        }
        reserve = next;
    }
    released
}

/// A payout the mixer owes: (round, payee, satoshis, time).
type Owed = (usize, String, u128, i64);

/// Each attacker release goes whole to a one-time mixer deposit address; the mixer pays the
/// amount less its fee to two or three fresh attacker addresses within [`MIXER_WINDOW`].
/// Unrelated users mix too. Returns the attacker's payout outputs.
pub fn mixer(b: &mut Builder, releases: &[Utxo]) -> Vec<Utxo> {
    b.part("mixer");
    let reserve_address = addresses::btc_p2wpkh(&mut b.rng);
    b.label(BITCOIN, &reserve_address, "Custodial mixer (synthetic)", "mixing_service", None, "forensic");
    let mut owed: Vec<Owed> = Vec::new();
    let first_round = b.truth.mixer_rounds.len();
    let mut sources: Vec<(bool, Utxo)> = releases.iter().map(|u| (true, u.clone())).collect();
    for _ in 0..5 {
        let user = addresses::btc(&mut b.rng);
        let value = b.rng.range_u128(BTC / 5, 8 * BTC);
        let time = b.t0 + b.rng.range_i64(0, 10 * DAY);
        let u = b.external_utxo(&user, value, time);
        sources.push((false, u));
    }
    for (round, (attacker, source)) in sources.into_iter().enumerate() {
        let time = source.time + b.rng.range_i64(HOUR, 10 * HOUR);
        let deposit_address = addresses::btc(&mut b.rng);
        b.label(BITCOIN, &deposit_address, "Custodial mixer deposit (synthetic)", "mixing_service", None, "forensic");
        let miner = b.rng.range_u128(1_500, 6_000);
        let amount_in = source.value - miner;
        let tx = b.btc_tx(time, &[source], &[(deposit_address.clone(), amount_in)]);
        let fee_bps = u32::try_from(b.rng.range(150, 300)).unwrap_or(200);
        let fee = amount_in * u128::from(fee_bps) / 10_000;
        let n = usize::try_from(b.rng.range(2, 3)).unwrap_or(2);
        for share in b.rng.split(amount_in - fee, n) {
            let payee = addresses::btc(&mut b.rng);
            if attacker {
                b.attacker(BITCOIN, &payee, "btc_mixer_payout");
            }
            owed.push((round, payee, share, time + b.rng.range_i64(30 * MINUTE, MIXER_WINDOW - 2 * HOUR)));
        }
        b.truth.mixer_rounds.push(MixerRound {
            attacker,
            deposit: tx.outputs[0].output_ref(),
            deposit_address,
            amount_in: Amount::from_u128(amount_in),
            fee_bps,
            fee: Amount::from_u128(fee),
            payouts: Vec::new(),
            amount_out: Amount::from_u128(amount_in - fee),
            window_seconds: MIXER_WINDOW,
        });
    }
    owed.sort_by_key(|o| o.3);
    let miners: Vec<u128> = owed.iter().map(|_| b.rng.range_u128(2_000, 9_000)).collect();
    let needed: u128 = owed.iter().map(|o| o.2).sum::<u128>() + miners.iter().sum::<u128>();
    let margin = b.rng.range_u128(5 * BTC, 30 * BTC);
    let mut reserve = b.external_utxo(&reserve_address, needed + margin, b.t0 - 10 * DAY);
    let mut payouts = Vec::new();
    let mut last = i64::MIN;
    for ((round, payee, amount, time), miner) in owed.into_iter().zip(miners) {
        let time = time.max(last + MINUTE);
        last = time;
        let change = reserve.value - amount - miner;
        let tx = b.btc_tx(time, &[reserve], &[(payee, amount), (reserve_address.clone(), change)]);
        let [paid, next] = [tx.outputs[0].clone(), tx.outputs[1].clone()];
        if let Some(r) = b.truth.mixer_rounds.get_mut(first_round + round) {
            r.payouts.push(paid.output_ref());
            if r.attacker {
                payouts.push(paid);
            }
        }
        reserve = next;
    }
    payouts
}

/// The two largest payouts start peel chains of four to six steps (a small peel to an
/// exchange deposit address, the change to a fresh address); the last change and every other
/// payout are sold to the OTC broker. Returns the broker's address and what it received, by time.
pub fn peel_and_otc(b: &mut Builder, mut payouts: Vec<Utxo>) -> (String, Vec<OtcReceipt>) {
    b.part("peel");
    let broker = addresses::btc_p2pkh(&mut b.rng);
    b.label(BITCOIN, &broker, "OTC broker, BTC buying address (synthetic)", "otc", None, "forensic");
    payouts.sort_by(|a, c| c.value.cmp(&a.value).then(a.txid.cmp(&c.txid)));
    let mut receipts = Vec::new();
    let mut sell = |b: &mut Builder, u: Utxo, time: i64| {
        let miner = b.rng.range_u128(1_500, 6_000);
        let tx = b.btc_tx(time, std::slice::from_ref(&u), &[(broker.clone(), u.value - miner)]);
        let r = OtcReceipt { btc_in: tx.outputs[0].output_ref(), sats: u.value - miner, time };
        receipts.push(r.clone());
        r
    };
    for (i, start) in payouts.into_iter().enumerate() {
        if i >= 2 {
            let t = start.time + b.rng.range_i64(2 * HOUR, 12 * HOUR);
            sell(b, start, t);
            continue;
        }
        let start_address = start.address.clone();
        let mut cur = start;
        let mut time = cur.time + b.rng.range_i64(HOUR, 6 * HOUR);
        let mut steps = Vec::new();
        for _ in 0..b.rng.range(4, 6) {
            let peel = cur.value * b.rng.range_u128(300, 1_100) / 10_000;
            let miner = b.rng.range_u128(1_500, 8_000);
            let change = cur.value - peel - miner;
            let exchange = if b.rng.chance(500) { "Exchange B" } else { "Exchange C" };
            let deposit = addresses::btc(&mut b.rng);
            b.label(BITCOIN, &deposit, &format!("{exchange} deposit"), "exchange", None, "forensic");
            let next = addresses::btc(&mut b.rng);
            b.attacker(BITCOIN, &next, "btc_peel");
            let peel_first = b.rng.chance(500);
            let outs = if peel_first {
                [(deposit.clone(), peel), (next, change)]
            } else {
                [(next, change), (deposit.clone(), peel)]
            };
            let amount_in = cur.value;
            let tx = b.btc_tx(time, &[cur], &outs);
            let (p, c) = if peel_first { (0, 1) } else { (1, 0) };
            let (peel_out, change_out) = (tx.outputs[p].clone(), tx.outputs[c].clone());
            b.truth.cash_outs.push(CashOut {
                chain: BITCOIN.to_owned(),
                asset: "BTC".to_owned(),
                exchange: exchange.to_owned(),
                deposit_address: deposit,
                transfer: peel_out.output_ref(),
                amount: Amount::from_u128(peel),
            });
            steps.push(PeelStep {
                tx_hash: tx.txid.clone(),
                spent: tx.inputs[0].clone(),
                amount_in: Amount::from_u128(amount_in),
                peel: peel_out.output_ref(),
                peel_amount: Amount::from_u128(peel),
                exchange: exchange.to_owned(),
                change: change_out.output_ref(),
                change_amount: Amount::from_u128(change),
                miner_fee: Amount::from_u128(miner),
            });
            cur = change_out;
            time += b.rng.range_i64(30 * MINUTE, 6 * HOUR);
        }
        let end = sell(b, cur, time);
        b.truth.peel_chains.push(PeelChain { start_address, steps, end: end.btc_in });
    }
    receipts.sort_by_key(|r| r.time);
    (broker, receipts)
}
