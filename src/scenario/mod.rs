//! Deterministic synthetic laundering scenarios with ground truth, for demos, tests and
//! benchmarks.
//!
//! [`generate`] tells one story, modelled on public DPRK cases (Ronin, Harmony, Atomic):
//!
//! 1. **Theft** — a bridge on Ethereum is drained of ETH and USDC by two exploiter addresses
//!    (labelled as Lazarus Group, as public attributions do).
//! 2. **Consolidation and swaps** — the loot moves to three consolidation addresses, which sell
//!    the USDC for ETH on a DEX router.
//! 3. **Pool** — ETH goes into Tornado-style fixed-denomination pools (0.1/1/10/100 ETH) among
//!    many unrelated users' deposits and decoys of the same denominations; each note is
//!    withdrawn hours to days later to one of four fresh addresses, some through relayers that
//!    keep a fee ([`ScenarioConfig::relayer_fee_bps`]).
//! 4. **Exits** — one withdrawal address pays an exchange deposit address (swept into the
//!    exchange's hot wallet, the *hub*); the others deposit to a bridge router, whose vault on
//!    Bitcoin releases BTC (converted, minus a fee) in UTXO transactions.
//! 5. **Custodial mixer** — each release goes to a one-time deposit address of a
//!    Blender/Sinbad-like mixer, which pays the amount less its fee to fresh addresses from its
//!    own reserve within a day.
//! 6. **Peel chains and OTC** — the two largest payouts are peeled (small amounts to exchange
//!    deposit addresses, the change onward); the rest and the final changes are sold to an OTC
//!    broker, who pays TRC-20 USDT on Tron; the USDT is consolidated and deposited into two
//!    exchanges.
//!
//! Around the story: the hub's other transfers ([`HubSpec`]) and `background_transfers`
//! unrelated transfers on Ethereum and Tron, so ledgers of 1M or 10M transfers can be built.
//!
//! Everything is drawn from [`rng::Rng`] (SplitMix64, integers only) seeded by
//! [`ScenarioConfig::seed`]: the same configuration gives byte-identical exports on every
//! machine. Amounts are exact integers of base units. Addresses are valid for their chains
//! (checksums included); token contracts are the real ones of `assets/tokens.ron`; every
//! other address and hash is random. [`export`] writes the files and builds a ledger from them.

pub(crate) mod addresses;
pub(crate) mod bitcoin;
pub(crate) mod builder;
pub mod demo;
pub mod difficulty;
pub(crate) mod ethereum;
pub mod export;
mod noise;
pub(crate) mod pool;
pub mod report;
pub use crate::rng;
pub(crate) mod tron;
pub mod truth;

use std::path::PathBuf;

pub use builder::Tokens;
use builder::{Builder, DAY};
pub use difficulty::Difficulty;
pub use export::{ExportFiles, build_ledger, write_exports, write_importable};
pub use noise::{Background, BackgroundIter};
use serde::{Deserialize, Serialize};
pub use truth::GroundTruth;

use crate::ledger::LedgerError;
use crate::model::{Label, Transfer, registry};

/// The seed of the committed demo (`cases/scenario/`) and of [`ScenarioConfig::bench`].
pub const DEFAULT_SEED: u64 = 0x4C41_5A41_5255_5321;
/// Start of the day of the theft (2023-06-03 00:00 UTC); the hour is drawn from the seed.
const HACK_DAY: i64 = 1_685_750_400;

/// The exchange-like hub: one hot wallet with exactly this many transfers in and out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubSpec {
    /// Incoming transfers (deposit sweeps), the story's sweep included.
    pub in_transfers: u32,
    /// Outgoing transfers (withdrawals).
    pub out_transfers: u32,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioConfig {
    /// Seed of every random draw.
    pub seed: u64,
    /// Unrelated users of the pool (one to three notes each) over the same days.
    pub unrelated_pool_users: u32,
    /// Unrelated deposits of the attacker's denominations within three hours of the
    /// attacker's deposits.
    pub decoy_deposits: u32,
    /// The attacker withdraws each note 1 to this many hours after depositing it.
    pub max_delay_hours: u32,
    /// Relayer fee, in basis points of the denomination.
    pub relayer_fee_bps: u32,
    /// Unrelated background transfers (Ethereum and Tron) to make the ledger large.
    pub background_transfers: u64,
    /// The hub, if any.
    pub hub: Option<HubSpec>,
}

impl ScenarioConfig {
    /// The demo: a few hundred transfers, readable in a spreadsheet (`cases/scenario/`).
    #[must_use]
    pub fn small() -> Self {
        ScenarioConfig {
            seed: DEFAULT_SEED,
            unrelated_pool_users: 30,
            decoy_deposits: 8,
            max_delay_hours: 72,
            relayer_fee_bps: 30,
            background_transfers: 60,
            hub: Some(HubSpec { in_transfers: 24, out_transfers: 16 }),
        }
    }

    /// A benchmark ledger of exactly `total` transfers (when the story alone is smaller): a
    /// busier pool, a hub with 10,000 transfers in and 10,000 out, and background for the rest.
    #[must_use]
    pub fn bench(total: u64) -> Self {
        ScenarioConfig {
            seed: DEFAULT_SEED,
            unrelated_pool_users: 2_000,
            decoy_deposits: 200,
            max_delay_hours: 240,
            relayer_fee_bps: 30,
            background_transfers: 0,
            hub: Some(HubSpec { in_transfers: 10_000, out_transfers: 10_000 }),
        }
        .with_total(total)
    }

    /// This configuration with `background_transfers` set so the scenario has exactly `total`
    /// transfers (story, hub and background; fewer is impossible: then the background is empty).
    /// Call it again after changing the seed or the other fields.
    #[must_use]
    pub fn with_total(mut self, total: u64) -> Self {
        self.background_transfers = 0;
        let story = generate(&self).map_or(0, |s| s.transfers.len() as u64);
        self.background_transfers = total.saturating_sub(story);
        self
    }
}

/// A generated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The configuration it came from.
    pub config: ScenarioConfig,
    /// The story's and the hub's transfers, by time, as the ledger will hold them (Bitcoin
    /// inputs with their spent output's address and value). `line` is 0.
    pub transfers: Vec<Transfer>,
    /// The background, computed on demand ([`Background::iter`]).
    pub background: Background,
    /// The attributions published about the scenario's addresses (`labels.yaml`). `line` is 0.
    pub labels: Vec<Label>,
    /// What really happened.
    pub truth: GroundTruth,
}

impl Scenario {
    /// Every transfer the exports hold: story, hub and background.
    #[must_use]
    pub fn transfer_count(&self) -> u64 {
        self.transfers.len() as u64 + self.background.count
    }
}

/// Errors of generating, writing and importing scenarios.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The registry lacks a token the story uses.
    #[error("the token registry (assets/tokens.ron) has no {0}")]
    Registry(String),
    /// Writing an export failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// An export was refused by its importer (a generator bug).
    #[error("{}: {count} rows refused, first: {first}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// How many rows.
        count: usize,
        /// The first refusal.
        first: String,
    },
}

pub(crate) fn token(chain: &str, symbol: &str) -> Result<String, ScenarioError> {
    registry()
        .token(chain, symbol)
        .map(|t| t.contract.clone())
        .ok_or_else(|| ScenarioError::Registry(format!("{symbol} on {chain}")))
}

/// Generates the scenario of `config` (see the module docs).
///
/// # Errors
/// [`ScenarioError::Registry`] if the bundled token registry lacks USDC or USDT.
pub fn generate(config: &ScenarioConfig) -> Result<Scenario, ScenarioError> {
    let tokens = Tokens {
        usdc_eth: token(builder::ETHEREUM, "USDC")?,
        usdt_eth: token(builder::ETHEREUM, "USDT")?,
        usdt_tron: token(builder::TRON, "USDT")?,
    };
    let t0 = HACK_DAY + rng::Rng::stream(config.seed, "time").range_i64(0, DAY - 1);
    let mut b = Builder {
        rng: rng::Rng::stream(config.seed, "start"),
        seed: config.seed,
        t0,
        tokens: tokens.clone(),
        transfers: Vec::new(),
        labels: Vec::new(),
        truth: GroundTruth { seed: config.seed, hack_time: t0, ..GroundTruth::default() },
    };
    let window = (t0 - 14 * DAY, t0 + 30 * DAY);
    let mut holdings = ethereum::theft(&mut b);
    let fresh = pool::run(&mut b, config, &mut holdings);
    b.part("hub address");
    let hub = config.hub.filter(|h| h.in_transfers > 0 || h.out_transfers > 0);
    let hub_address = hub.map(|_| addresses::evm(&mut b.rng));
    let sweep_into = hub.filter(|h| h.in_transfers > 0).and(hub_address.as_deref());
    let (deposits, sweeps) = ethereum::exits(&mut b, &fresh, sweep_into);
    let releases = bitcoin::bridge(&mut b, &deposits);
    let payouts = bitcoin::mixer(&mut b, &releases);
    let (broker_btc, receipts) = bitcoin::peel_and_otc(&mut b, payouts);
    tron::cash_out(&mut b, &receipts, &broker_btc);
    if let (Some(spec), Some(address)) = (hub, &hub_address) {
        noise::hub(&mut b, spec, address, sweeps, window);
    }
    b.name_labels_apart();
    b.transfers.sort_by_key(|t| t.time);
    let mut truth = b.truth;
    truth.story_transfers = b.transfers.len() as u64;
    truth.background_transfers = config.background_transfers;
    let background = Background {
        seed: config.seed,
        count: config.background_transfers,
        start: window.0,
        end: window.1,
        t0,
        tokens,
    };
    Ok(Scenario { config: config.clone(), transfers: b.transfers, background, labels: b.labels, truth })
}
