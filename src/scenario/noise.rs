//! Unrelated activity: the exchange hub (a hot wallet with exactly the configured number of
//! incoming and outgoing transfers) and the background transfers that make a ledger large.
//!
//! The background is not stored: [`Background::iter`] computes it again from the seed on each
//! pass, in time order, so a 10M-transfer ledger can be written without holding 10M transfers
//! in memory. Its addresses are drawn from a population computed from indexes (a few thousand
//! busy ones take a third of the traffic), on Ethereum (ETH, USDT, USDC) and Tron (USDT, TRX);
//! none of them is a story address.

use super::addresses;
use super::builder::{Builder, ETH, ETHEREUM, TRON, TRX, USD, block_at, gas_fee};
use super::rng::Rng;
use super::truth::{Hub, TransferRef};
use super::{HubSpec, Tokens};
use crate::model::{Amount, Transfer, TransferKind};

/// 0.001 to 100 ETH, spread over five orders of magnitude.
fn hub_amount(rng: &mut Rng) -> u128 {
    rng.range_u128(ETH / 1000, ETH / 100) * 10u128.pow(u32::try_from(rng.below(5)).unwrap_or(0))
}

/// The hub: `spec.in_transfers` incoming (the story's `sweeps` first, then deposits swept from
/// unrelated users' deposit addresses) and `spec.out_transfers` outgoing (withdrawals), ETH
/// only, at uniformly random times in `window`.
pub fn hub(b: &mut Builder, spec: HubSpec, address: &str, sweeps: Vec<TransferRef>, window: (i64, i64)) {
    b.part("hub");
    let entity = "Exchange A hot wallet";
    b.label(ETHEREUM, address, entity, "exchange", None, "forensic");
    let extra_in = u64::from(spec.in_transfers).saturating_sub(sweeps.len() as u64);
    for _ in 0..extra_in {
        let from = addresses::evm(&mut b.rng);
        let time = b.rng.range_i64(window.0, window.1);
        let wei = hub_amount(&mut b.rng);
        b.send_eth(time, &from, address, wei, 21_000);
    }
    for _ in 0..spec.out_transfers {
        let to = addresses::evm(&mut b.rng);
        let time = b.rng.range_i64(window.0, window.1);
        let wei = hub_amount(&mut b.rng);
        b.send_eth(time, address, &to, wei, 21_000);
    }
    b.truth.hub = Some(Hub {
        chain: ETHEREUM.to_owned(),
        address: address.to_owned(),
        entity: entity.to_owned(),
        in_transfers: extra_in + sweeps.len() as u64,
        out_transfers: u64::from(spec.out_transfers),
        story_sweeps: sweeps,
    });
}

/// The background transfers of a scenario: `count` unrelated transfers from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Background {
    /// Seed of the background stream.
    pub seed: u64,
    /// Number of transfers.
    pub count: u64,
    /// Time of the first.
    pub start: i64,
    /// Time of the last.
    pub end: i64,
    /// Hack time (block heights are counted from it).
    pub t0: i64,
    /// Token contracts.
    pub tokens: Tokens,
}

impl Background {
    /// The transfers, in time order, computed afresh.
    #[must_use]
    pub fn iter(&self) -> BackgroundIter<'_> {
        let population = (self.count / 8).max(1_000);
        BackgroundIter { bg: self, rng: Rng::stream(self.seed, "background"), i: 0, population }
    }
}

/// Iterator over [`Background`] transfers.
#[derive(Debug)]
pub struct BackgroundIter<'a> {
    bg: &'a Background,
    rng: Rng,
    i: u64,
    population: u64,
}

impl BackgroundIter<'_> {
    /// A party index: a third of the time one of the 2,000 busiest, else anyone.
    fn party(&mut self) -> u64 {
        if self.rng.chance(333) { self.rng.below(self.population.min(2_000)) } else { self.rng.below(self.population) }
    }
}

impl Iterator for BackgroundIter<'_> {
    type Item = Transfer;

    fn next(&mut self) -> Option<Transfer> {
        if self.i >= self.bg.count {
            return None;
        }
        let span = i128::from(self.bg.end - self.bg.start);
        let time =
            self.bg.start + i64::try_from(span * i128::from(self.i) / i128::from(self.bg.count.max(1))).unwrap_or(0);
        self.i += 1;
        let from_i = self.party();
        let mut to_i = self.party();
        if to_i == from_i {
            to_i = (to_i + 1) % self.population;
        }
        let rng = &mut self.rng;
        let kind_draw = rng.below(100);
        let tron = kind_draw >= 85;
        let (chain, salt) =
            if tron { (TRON, self.bg.seed ^ 0x7472_6f6e) } else { (ETHEREUM, self.bg.seed ^ 0x0065_7468) };
        let addr = |i: u64| {
            let bytes = addresses::indexed_bytes(salt, i);
            if tron { addresses::tron_from(&bytes) } else { addresses::evm_from(&bytes) }
        };
        let (kind, asset, amount, fee) = match kind_draw {
            0..60 => {
                let wei =
                    rng.range_u128(ETH / 10_000, ETH / 1_000) * 10u128.pow(u32::try_from(rng.below(5)).unwrap_or(0));
                (TransferKind::Native, "ETH".to_owned(), wei, Some(gas_fee(rng, 21_000)))
            }
            60..75 => {
                (TransferKind::Token, self.bg.tokens.usdt_eth.clone(), rng.range_u128(10 * USD, 50_000 * USD), None)
            }
            75..85 => {
                (TransferKind::Token, self.bg.tokens.usdc_eth.clone(), rng.range_u128(10 * USD, 50_000 * USD), None)
            }
            85..97 => {
                (TransferKind::Token, self.bg.tokens.usdt_tron.clone(), rng.range_u128(5 * USD, 20_000 * USD), None)
            }
            _ => (TransferKind::Native, "TRX".to_owned(), rng.range_u128(10 * TRX, 50_000 * TRX), None),
        };
        let position = if kind == TransferKind::Token { i64::try_from(rng.below(300)).unwrap_or(0) } else { 0 };
        let tx_hash = if tron { addresses::raw_tx(&mut self.rng) } else { addresses::evm_tx(&mut self.rng) };
        Some(Transfer {
            chain: chain.to_owned(),
            tx_hash,
            kind,
            position: Some(position),
            block: block_at(chain, self.bg.t0, time),
            time: Some(time),
            from: Some(addr(from_i)),
            to: Some(addr(to_i)),
            asset,
            amount_base: Amount::from_u128(amount),
            fee_base: fee.map(Amount::from_u128),
            failed: false,
            prev_out: None,
            line: 0,
            method: None,
            stated_usd: None,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.bg.count - self.i).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}
