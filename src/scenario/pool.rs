//! The fixed-denomination pool (Tornado-style): 0.1, 1, 10 and 100 ETH contracts. The attacker
//! deposits in these denominations among many unrelated users' deposits (and decoys of the
//! attacker's denominations at the same hours), then withdraws each note after hours to days
//! to a few fresh addresses, some through relayers that keep a fee.
//!
//! A deposit is a native transfer depositor → pool of exactly the denomination. A withdrawal
//! is an internal transfer pool → recipient of the denomination minus the relayer fee, and,
//! when relayed, a second internal transfer pool → relayer of the fee, in the same
//! transaction. Which deposit a withdrawal redeems is known only to the ground truth.

use super::addresses;
use super::builder::{Builder, DAY, ETH, ETHEREUM, HOUR, MINUTE, gas_fee};
use super::ethereum::Holding;
use super::truth::{PoolPair, TransferRef};
use crate::model::{Amount, TransferKind};

/// The pools' denominations (wei), largest first.
pub const DENOMINATIONS: [u128; 4] = [100 * ETH, 10 * ETH, ETH, ETH / 10];
/// At most this many deposits of each denomination (largest first) per attacker address;
/// what does not fit stays behind, dormant.
const CAPS: [u32; 4] = [40, 3, 3, 2];
/// Gas of a pool deposit.
const DEPOSIT_GAS: u128 = 1_100_000;
/// Fresh addresses the attacker withdraws to.
const FRESH: usize = 4;

/// One note to deposit and withdraw.
struct Note {
    attacker: bool,
    pool: usize,
    depositor: String,
    deposit_time: i64,
    /// Withdrawal: (time, recipient, relayed), or `None` if the note stays in the pool.
    withdrawal: Option<(i64, String, bool)>,
}

/// Runs the pool: returns the attacker's fresh withdrawal addresses and what they received.
pub fn run(b: &mut Builder, cfg: &super::ScenarioConfig, holdings: &mut [Holding]) -> Vec<Holding> {
    b.part("pool");
    let pools: Vec<String> = DENOMINATIONS.iter().map(|_| addresses::evm(&mut b.rng)).collect();
    for (p, d) in pools.iter().zip(DENOMINATIONS) {
        let name = format!("Tornado-style pool {} ETH (synthetic)", Amount::from_u128(d).format_units(18));
        b.label(ETHEREUM, p, &name, "mixing_service", None, "ownership");
    }
    let relayers: Vec<String> = (0..3).map(|_| addresses::evm(&mut b.rng)).collect();
    for r in &relayers {
        b.label(ETHEREUM, r, "Pool relayer (synthetic)", "service", None, "forensic");
    }
    let mut fresh: Vec<Holding> =
        (0..FRESH).map(|_| Holding { address: addresses::evm(&mut b.rng), eth: 0, usdc: 0, ready: 0 }).collect();
    for f in &fresh {
        b.attacker(ETHEREUM, &f.address, "pool_withdrawal");
    }
    let max_delay = i64::from(cfg.max_delay_hours.max(1)) * HOUR;

    let mut notes = Vec::new();
    for h in holdings.iter_mut() {
        let mut time = h.ready + b.rng.range_i64(HOUR, 3 * HOUR);
        for (pool, (denom, cap)) in DENOMINATIONS.iter().zip(CAPS).enumerate() {
            let per_deposit = denom + 45 * 1_000_000_000 * DEPOSIT_GAS;
            for _ in 0..cap {
                if h.eth < per_deposit + ETH / 20 {
                    break;
                }
                h.eth -= per_deposit;
                let delay = b.rng.range_i64(HOUR, max_delay.max(HOUR));
                let to = fresh[b.rng.index(FRESH)].address.clone();
                let relayed = b.rng.chance(600);
                notes.push(Note {
                    attacker: true,
                    pool,
                    depositor: h.address.clone(),
                    deposit_time: time,
                    withdrawal: Some((time + delay, to, relayed)),
                });
                time += b.rng.range_i64(10 * MINUTE, 2 * HOUR);
            }
        }
        h.ready = time;
    }
    let attacker_notes: Vec<(usize, i64)> = notes.iter().map(|n| (n.pool, n.deposit_time)).collect();
    // Decoys: unrelated deposits of the attacker's denominations at the same hours.
    for _ in 0..cfg.decoy_deposits {
        let Some(&(pool, time)) = attacker_notes.get(b.rng.index(attacker_notes.len())) else { break };
        let depositor = addresses::evm(&mut b.rng);
        let t = time + b.rng.range_i64(-3 * HOUR, 3 * HOUR);
        let withdrawal = b.rng.chance(900).then(|| unrelated_withdrawal(b, &depositor, t, max_delay));
        notes.push(Note { attacker: false, pool, depositor, deposit_time: t, withdrawal });
    }
    // Unrelated users over the same days: one to three notes each, mostly small ones.
    let (lo, hi) = (b.t0 - 3 * DAY, b.t0 + 3 * DAY + max_delay);
    for _ in 0..cfg.unrelated_pool_users {
        let depositor = addresses::evm(&mut b.rng);
        for _ in 0..b.rng.range(1, 3) {
            let pool = match b.rng.below(100) {
                0..35 => 3,
                35..70 => 2,
                70..90 => 1,
                _ => 0,
            };
            let t = b.rng.range_i64(lo, hi);
            let withdrawal = b.rng.chance(850).then(|| unrelated_withdrawal(b, &depositor, t, 6 * DAY));
            notes.push(Note { attacker: false, pool, depositor: depositor.clone(), deposit_time: t, withdrawal });
        }
    }

    for n in notes {
        let denom = DENOMINATIONS[n.pool];
        let fee = gas_fee(&mut b.rng, DEPOSIT_GAS);
        let mut tx = b.tx(ETHEREUM, n.deposit_time);
        let deposit = b.transfer(&mut tx, TransferKind::Native, &n.depositor, &pools[n.pool], "ETH", denom, Some(fee));
        let Some((time, recipient, relayed)) = n.withdrawal else { continue };
        let relayer = relayed.then(|| relayers[b.rng.index(relayers.len())].clone());
        let relayer_fee = if relayer.is_some() { denom * u128::from(cfg.relayer_fee_bps) / 10_000 } else { 0 };
        let mut tx = b.tx(ETHEREUM, time);
        let pool = &pools[n.pool];
        let withdrawal =
            b.transfer(&mut tx, TransferKind::Internal, pool, &recipient, "ETH", denom - relayer_fee, None);
        let relayer_transfer: Option<TransferRef> =
            relayer.as_ref().map(|r| b.transfer(&mut tx, TransferKind::Internal, pool, r, "ETH", relayer_fee, None));
        if n.attacker
            && let Some(f) = fresh.iter_mut().find(|f| f.address == recipient)
        {
            f.eth += denom - relayer_fee;
            f.ready = f.ready.max(time);
        }
        b.truth.pool_pairs.push(PoolPair {
            attacker: n.attacker,
            pool: pool.clone(),
            denomination: Amount::from_u128(denom),
            deposit,
            depositor: n.depositor,
            withdrawal,
            recipient,
            relayer,
            relayer_transfer,
            relayer_fee: Amount::from_u128(relayer_fee),
            delay_seconds: time - n.deposit_time,
        });
    }
    fresh
}

/// When and to whom an unrelated note is withdrawn: after 10 minutes to `max_delay`, to a
/// fresh address (one in ten withdraws to the depositing address itself), relayed half the time.
fn unrelated_withdrawal(b: &mut Builder, depositor: &str, deposit_time: i64, max_delay: i64) -> (i64, String, bool) {
    let time = deposit_time + b.rng.range_i64(10 * MINUTE, max_delay.max(HOUR));
    let to = if b.rng.chance(100) { depositor.to_owned() } else { addresses::evm(&mut b.rng) };
    (time, to, b.rng.chance(500))
}
