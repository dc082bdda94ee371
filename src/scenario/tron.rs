//! The Tron cash-out: the OTC broker pays TRC-20 USDT for the attacker's BTC to two receiving
//! addresses (first sending them TRX for fees), the receivers consolidate, and the
//! consolidation address deposits into two exchanges. The broker also trades with unrelated
//! customers.

use super::addresses;
use super::bitcoin::OtcReceipt;
use super::builder::{Builder, DAY, HOUR, MINUTE, TRON, TRX, USD};
use super::truth::{CashOut, OtcTrade};
use crate::model::{Amount, TransferKind};

/// Runs the cash-out for the broker's `receipts` (by time).
pub fn cash_out(b: &mut Builder, receipts: &[OtcReceipt], broker_btc: &str) {
    b.part("tron");
    let broker = addresses::tron(&mut b.rng);
    b.label(TRON, &broker, "OTC broker, USDT paying address (synthetic)", "otc", None, "forensic");
    let usdt = b.tokens.usdt_tron.clone();
    let receivers: Vec<String> = (0..2).map(|_| addresses::tron(&mut b.rng)).collect();
    let consolidation = addresses::tron(&mut b.rng);
    for r in &receivers {
        b.attacker(TRON, r, "tron_receiver");
    }
    b.attacker(TRON, &consolidation, "tron_consolidation");
    let mut held = [0u128; 2];
    let mut funded = [false; 2];
    let mut last = b.t0;
    for (i, r) in receipts.iter().enumerate() {
        let k = i % 2;
        let time = r.time + b.rng.range_i64(HOUR, 8 * HOUR);
        if !funded[k] {
            funded[k] = true;
            let trx = b.rng.range_u128(30, 120) * TRX;
            let mut tx = b.tx(TRON, time - 5 * MINUTE);
            b.transfer(&mut tx, TransferKind::Native, &broker, &receivers[k], "TRX", trx, None);
        }
        let usd_per_btc = b.rng.range(26_400, 27_600);
        let spread_bps = u32::try_from(b.rng.range(150, 400)).unwrap_or(200);
        // satoshis × USD/BTC / 100 = USDT micro-units, less the spread.
        let micro = r.sats * u128::from(usd_per_btc) * u128::from(10_000 - spread_bps) / 1_000_000;
        let out = b.send_token(TRON, time, &broker, &receivers[k], &usdt, micro);
        held[k] += micro;
        last = last.max(time);
        b.truth.otc_trades.push(OtcTrade {
            broker_btc: broker_btc.to_owned(),
            btc_in: r.btc_in.clone(),
            btc_amount: Amount::from_u128(r.sats),
            usd_per_btc,
            spread_bps,
            usdt_out: out,
            usdt_amount: Amount::from_u128(micro),
        });
    }
    let mut time = last + b.rng.range_i64(2 * HOUR, 10 * HOUR);
    let mut total = 0;
    for (r, amount) in receivers.iter().zip(held) {
        if amount > 0 {
            b.send_token(TRON, time, r, &consolidation, &usdt, amount);
            total += amount;
            time += b.rng.range_i64(5 * MINUTE, HOUR);
        }
    }
    let exchanges = ["Exchange D", "Exchange E", "Exchange D"];
    for (exchange, amount) in exchanges.iter().zip(b.rng.split(total, exchanges.len())) {
        time += b.rng.range_i64(HOUR, 12 * HOUR);
        let deposit = addresses::tron(&mut b.rng);
        b.label(TRON, &deposit, &format!("{exchange} deposit"), "exchange", None, "forensic");
        let r = b.send_token(TRON, time, &consolidation, &deposit, &usdt, amount);
        b.truth.cash_outs.push(CashOut {
            chain: TRON.to_owned(),
            asset: usdt.clone(),
            exchange: (*exchange).to_owned(),
            deposit_address: deposit,
            transfer: r,
            amount: Amount::from_u128(amount),
        });
    }
    // The broker's other customers.
    for i in 0..8 {
        let customer = addresses::tron(&mut b.rng);
        let t = b.t0 + b.rng.range_i64(-5 * DAY, 15 * DAY);
        let amount = b.rng.range_u128(2_000 * USD, 90_000 * USD);
        if i % 2 == 0 {
            b.send_token(TRON, t, &broker, &customer, &usdt, amount);
        } else {
            b.send_token(TRON, t, &customer, &broker, &usdt, amount);
        }
    }
}
