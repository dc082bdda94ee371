//! Training scenarios: five seeded stories modelled on public cases, each with its ground
//! truth and the lesson built from it (seeds and expansions of the starting case, a
//! walkthrough, exercises whose answers come from the truth). `crate::training` turns them
//! into case folders under `cases/`.
//!
//! | name | modelled on | pattern |
//! |---|---|---|
//! | `ronin-bridge` | Ronin bridge, 2022 | validator-key theft, Tornado-style pools, bridge to Bitcoin, custodial mixer (the demo generator with its own seed) |
//! | `harmony-bridge` | Harmony Horizon bridge, 2022–23 | bridge drain, pool, then a privacy protocol (RAILGUN-like) and exchanges |
//! | `atomic-wallet` | Atomic Wallet, 2023 | many user wallets drained, cross-chain swap to Tron USDT, a sanctioned exchange (Garantex-like) and an OTC broker |
//! | `actor-reuse` | CoinEx / Stake / Alphapo, 2023 | one actor address on Ethereum, BSC and Polygon across several thefts |
//! | `exchange-at-scale` | exchange thefts at scale (e.g. 2025) | 10,000 fan-out addresses, a cross-chain swap router to Bitcoin (THORChain-like), CoinJoin, OTC |
//!
//! Every address and hash is synthetic (random, valid for its chain) except the token
//! contracts of `assets/tokens.ron`; amounts are exact integers of base units.

mod actor_reuse;
mod atomic;
mod common;
mod harmony;
mod ronin;
mod scale;
pub mod truth;

use serde::Serialize;

pub use truth::{CoinJoin, CrossSwap, Extra, FanOut, ReusedAddress, ShieldPair, Theft};

use crate::case::{CaseFilter, ExpandDirection, NodeKey};
use crate::scenario::{GroundTruth, Scenario, ScenarioError};
use crate::training::{Exercise, Walkthrough};

/// The training scenarios, in teaching order.
pub const NAMES: [&str; 5] = ["ronin-bridge", "harmony-bridge", "atomic-wallet", "actor-reuse", "exchange-at-scale"];

/// Scenarios too large to commit: their exports are generated when the case is first opened.
pub const GENERATED_ON_OPEN: [&str; 1] = ["exchange-at-scale"];

/// What the starting case holds and what the trainee is taught.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// Case title.
    pub title: String,
    /// Seeds (chain, address).
    pub seeds: Vec<(String, String)>,
    /// Expansions applied when the case is built.
    pub expansions: Vec<(NodeKey, ExpandDirection, CaseFilter)>,
    /// The walkthrough.
    pub walkthrough: Walkthrough,
    /// The exercises.
    pub exercises: Vec<Exercise>,
}

/// A generated training scenario.
#[derive(Debug, Clone)]
pub struct TrainingScenario {
    /// Its name (the case folder).
    pub name: &'static str,
    /// Transfers, labels and the base ground truth, written by [`write_exports`].
    pub scenario: Scenario,
    /// What the base ground truth has no place for.
    pub extra: Extra,
    /// The lesson.
    pub lesson: Lesson,
}

/// The ground truth file of a training scenario: the base truth and the extra facts.
#[derive(Debug, Serialize)]
pub struct TrainingTruth<'a> {
    /// The base ground truth.
    #[serde(flatten)]
    pub base: &'a GroundTruth,
    /// The extra facts.
    #[serde(flatten)]
    pub extra: &'a Extra,
}

/// Generates the training scenario `name` (one of [`NAMES`]).
///
/// # Errors
/// [`ScenarioError::Registry`] for an unknown name or a token missing from the registry.
pub fn generate(name: &str) -> Result<TrainingScenario, ScenarioError> {
    match name {
        "ronin-bridge" => ronin::generate(),
        "harmony-bridge" => harmony::generate(),
        "atomic-wallet" => atomic::generate(),
        "actor-reuse" => actor_reuse::generate(),
        "exchange-at-scale" => scale::generate(),
        other => Err(ScenarioError::Registry(format!("training scenario {other:?} (known: {})", NAMES.join(", ")))),
    }
}

/// Writes the files a trainee imports into `dir` (as [`crate::scenario::write_importable`]): no ground
/// truth, which [`write_truth`] writes elsewhere.
///
/// # Errors
/// [`ScenarioError::Io`] naming the file.
pub fn write_exports(
    ts: &TrainingScenario,
    dir: &std::path::Path,
) -> Result<crate::scenario::ExportFiles, ScenarioError> {
    crate::scenario::write_importable(&ts.scenario, dir)
}

/// Writes the ground truth of `ts` (the base truth and the extra facts, pretty JSON) to
/// `path`, creating its folder.
///
/// # Errors
/// [`ScenarioError::Io`] naming the file or folder.
pub fn write_truth(ts: &TrainingScenario, path: &std::path::Path) -> Result<(), ScenarioError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| ScenarioError::Io { path: parent.to_owned(), source })?;
    }
    let truth = TrainingTruth { base: &ts.scenario.truth, extra: &ts.extra };
    let json = serde_json::to_string_pretty(&truth)
        .map_err(|e| ScenarioError::Io { path: path.to_owned(), source: std::io::Error::other(e.to_string()) })?
        + "\n";
    std::fs::write(path, json).map_err(|source| ScenarioError::Io { path: path.to_owned(), source })
}
