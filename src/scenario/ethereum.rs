//! The Ethereum side of the story: the theft, consolidation, swaps, and the exits after the
//! pool (a bridge to Bitcoin, an exchange deposit swept into the hub).

use super::addresses;
use super::builder::{Builder, DAY, ETH, ETHEREUM, HOUR, MINUTE, USD};
use super::truth::{CashOut, Party, Stolen, Swap, TransferRef};
use crate::model::{Amount, TransferKind};

/// ETH price used by the swaps, in US dollars.
const USD_PER_ETH: u128 = 1_850;
/// The router's pool fee, in basis points.
const SWAP_FEE_BPS: u128 = 30;

/// An attacker address holding funds, ready to move them from `ready` on.
#[derive(Debug, Clone)]
pub struct Holding {
    /// The address.
    pub address: String,
    /// Wei held.
    pub eth: u128,
    /// USDC micro-units held.
    pub usdc: u128,
    /// Earliest time of its next move.
    pub ready: i64,
}

/// ETH deposited to the bridge router, to be released as BTC to `recipient`.
#[derive(Debug, Clone)]
pub struct BridgeDeposit {
    /// The attacker's, or an unrelated user's.
    pub attacker: bool,
    /// The deposit transfer.
    pub deposit: TransferRef,
    /// Wei.
    pub amount: u128,
    /// Time of the deposit.
    pub time: i64,
    /// Bitcoin address to pay.
    pub recipient: String,
}

/// The victim is drained of ETH and USDC by two exploiter addresses; the ETH is split over
/// three consolidation addresses, the USDC follows (the second exploiter first gets gas money
/// from the first), and the USDC is sold for ETH on a DEX router. Returns the consolidation
/// addresses and what they hold.
pub fn theft(b: &mut Builder) -> Vec<Holding> {
    b.part("theft");
    let t0 = b.t0;
    let victim = addresses::evm(&mut b.rng);
    b.label(ETHEREUM, &victim, "Victim bridge (synthetic)", "victim", None, "ownership");
    b.truth.victim = Some(Party {
        chain: ETHEREUM.to_owned(),
        address: victim.clone(),
        entity: "Victim bridge (synthetic)".to_owned(),
    });
    let e1 = addresses::evm(&mut b.rng);
    let e2 = addresses::evm(&mut b.rng);
    // Each exploiter named for what it took: two nodes of one name cannot be told apart.
    for (e, took) in [(&e1, "ETH"), (&e2, "USDC")] {
        let name = format!("Victim bridge exploiter, {took} drain");
        b.label(ETHEREUM, e, &name, "perpetrator", Some("lazarusgroup"), "authority_data");
        b.attacker(ETHEREUM, e, "exploiter");
    }
    let usdc = b.tokens.usdc_eth.clone();
    // The drain: two ETH withdrawals and two USDC withdrawals from the bridge contract.
    let eth_parts = [b.rng.range_u128(250 * ETH, 320 * ETH), b.rng.range_u128(150 * ETH, 210 * ETH)];
    let usdc_parts = [b.rng.range_u128(450_000 * USD, 520_000 * USD), b.rng.range_u128(200_000 * USD, 330_000 * USD)];
    let mut time = t0;
    for wei in eth_parts {
        let mut tx = b.tx(ETHEREUM, time);
        let r = b.transfer(&mut tx, TransferKind::Internal, &victim, &e1, "ETH", wei, None);
        b.truth.hack.push(r);
        time += b.rng.range_i64(MINUTE, 7 * MINUTE);
    }
    for amount in usdc_parts {
        let mut tx = b.tx(ETHEREUM, time);
        let r = b.transfer(&mut tx, TransferKind::Token, &victim, &e2, &usdc, amount, None);
        b.truth.hack.push(r);
        time += b.rng.range_i64(MINUTE, 7 * MINUTE);
    }
    let eth_total: u128 = eth_parts.iter().sum();
    let usdc_total: u128 = usdc_parts.iter().sum();
    b.truth.stolen = vec![
        Stolen { asset: "ETH".to_owned(), symbol: "ETH".to_owned(), amount: Amount::from_u128(eth_total) },
        Stolen { asset: usdc.clone(), symbol: "USDC".to_owned(), amount: Amount::from_u128(usdc_total) },
    ];

    // Gas money for the USDC holder, then consolidation into three addresses.
    time += HOUR + b.rng.range_i64(0, 30 * MINUTE);
    let gas_money = ETH / 2;
    let (_, fee) = b.send_eth(time, &e1, &e2, gas_money, 21_000);
    let mut holdings: Vec<Holding> =
        (0..3).map(|_| Holding { address: addresses::evm(&mut b.rng), eth: 0, usdc: 0, ready: 0 }).collect();
    // The first exploiter keeps 0.2 ETH for gas.
    let eth_shares = b.rng.split(eth_total - gas_money - fee - ETH / 5, holdings.len());
    let usdc_shares = b.rng.split(usdc_total, holdings.len());
    for (h, (wei, micro)) in holdings.iter_mut().zip(eth_shares.into_iter().zip(usdc_shares)) {
        b.attacker(ETHEREUM, &h.address, "consolidation");
        time += b.rng.range_i64(3 * MINUTE, 25 * MINUTE);
        b.send_eth(time, &e1, &h.address, wei, 21_000);
        time += b.rng.range_i64(MINUTE, 10 * MINUTE);
        let fee = super::builder::gas_fee(&mut b.rng, 65_000);
        let mut tx = b.tx(ETHEREUM, time);
        b.transfer(&mut tx, TransferKind::Token, &e2, &h.address, &usdc, micro, Some(fee));
        h.eth = wei;
        h.usdc = micro;
        h.ready = time;
    }
    swaps(b, &mut holdings);
    holdings
}

/// Each consolidation address sells its USDC for ETH in one or two swaps on a DEX router.
fn swaps(b: &mut Builder, holdings: &mut [Holding]) {
    let router = addresses::evm(&mut b.rng);
    b.label(ETHEREUM, &router, "DEX router (synthetic)", "dex", None, "ownership");
    let usdc = b.tokens.usdc_eth.clone();
    for h in holdings.iter_mut() {
        let n = usize::try_from(b.rng.range(1, 2)).unwrap_or(1);
        let mut time = h.ready + b.rng.range_i64(40 * MINUTE, 3 * HOUR);
        for sold in b.rng.split(h.usdc, n) {
            // USDC (6 decimals) → wei at the ETH price, less the pool fee, rounded down.
            let bought = sold * 1_000_000_000_000 * (10_000 - SWAP_FEE_BPS) / (USD_PER_ETH * 10_000);
            let fee = super::builder::gas_fee(&mut b.rng, 180_000);
            let mut tx = b.tx(ETHEREUM, time);
            let sold_ref = b.transfer(&mut tx, TransferKind::Token, &h.address, &router, &usdc, sold, Some(fee));
            let bought_ref = b.transfer(&mut tx, TransferKind::Internal, &router, &h.address, "ETH", bought, None);
            b.truth.swaps.push(Swap {
                router: router.clone(),
                sold: sold_ref,
                sold_amount: Amount::from_u128(sold),
                bought: bought_ref,
                bought_amount: Amount::from_u128(bought),
            });
            h.eth = h.eth + bought - fee;
            time += b.rng.range_i64(5 * MINUTE, HOUR);
        }
        h.usdc = 0;
        h.ready = time;
    }
}

/// After the pool: the first withdrawal address pays an exchange deposit address (swept into
/// the hub hot wallet when there is one); the others bridge their ETH to Bitcoin in one or
/// two deposits each. Unrelated users bridge too. Returns every bridge deposit, by time, and
/// the sweeps into the hub.
pub fn exits(b: &mut Builder, fresh: &[Holding], hub: Option<&str>) -> (Vec<BridgeDeposit>, Vec<TransferRef>) {
    b.part("exits");
    let mut sweeps = Vec::new();
    let deposit_address = addresses::evm(&mut b.rng);
    b.label(ETHEREUM, &deposit_address, "Exchange A deposit", "exchange", None, "forensic");
    let router = addresses::evm(&mut b.rng);
    b.label(ETHEREUM, &router, "ETH-BTC bridge router (synthetic)", "bridge", None, "ownership");
    let mut deposits = Vec::new();
    for (i, f) in fresh.iter().enumerate() {
        let reserve = ETH / 100;
        if f.eth <= reserve {
            continue;
        }
        let mut time = f.ready + b.rng.range_i64(HOUR, 8 * HOUR);
        if i == 0 {
            let (r, _) = b.send_eth(time, &f.address, &deposit_address, f.eth - reserve, 21_000);
            b.truth.cash_outs.push(CashOut {
                chain: ETHEREUM.to_owned(),
                asset: "ETH".to_owned(),
                exchange: "Exchange A".to_owned(),
                deposit_address: deposit_address.clone(),
                transfer: r,
                amount: Amount::from_u128(f.eth - reserve),
            });
            if let Some(hub) = hub {
                // The exchange sweeps the deposit address into its hot wallet, paying the gas.
                let max_fee = 21_000 * 45_000_000_000;
                let t = time + b.rng.range_i64(10 * MINUTE, 2 * HOUR);
                let (s, _) = b.send_eth(t, &deposit_address, hub, f.eth - reserve - max_fee, 21_000);
                sweeps.push(s);
            }
            continue;
        }
        let n = usize::try_from(b.rng.range(1, 2)).unwrap_or(1);
        for amount in b.rng.split(f.eth - reserve, n) {
            let recipient = addresses::btc(&mut b.rng);
            b.attacker(super::builder::BITCOIN, &recipient, "btc_bridge_recipient");
            let (r, _) = b.send_eth(time, &f.address, &router, amount, 60_000);
            deposits.push(BridgeDeposit { attacker: true, deposit: r, amount, time, recipient });
            time += b.rng.range_i64(20 * MINUTE, 4 * HOUR);
        }
    }
    // Unrelated users of the same bridge around the same days.
    for _ in 0..6 {
        let user = addresses::evm(&mut b.rng);
        let time = b.t0 + b.rng.range_i64(-2 * DAY, 8 * DAY);
        let amount = b.rng.range_u128(ETH / 2, 40 * ETH);
        let recipient = addresses::btc(&mut b.rng);
        let (r, _) = b.send_eth(time, &user, &router, amount, 60_000);
        deposits.push(BridgeDeposit { attacker: false, deposit: r, amount, time, recipient });
    }
    deposits.sort_by_key(|d| d.time);
    (deposits, sweeps)
}
