//! Helpers the training scenarios share: a builder at a given date, finishing a scenario, and
//! small constructors for walkthrough steps and exercises.

use super::{Extra, Lesson, TrainingScenario};
use crate::case::{CaseFilter, ExpandDirection, NodeKey};
use crate::model::Amount;
use crate::scenario::builder::{Builder, DAY, ETHEREUM, TRON, Tokens};
use crate::scenario::rng::Rng;
use crate::scenario::truth::{GroundTruth, TransferRef};
use crate::scenario::{Background, ScenarioConfig, ScenarioError, token};
use crate::training::{Action, Answer, Exercise, HopSpec, Step};

/// A builder for the scenario of `seed`, the theft on the day starting at `day` (Unix seconds,
/// midnight UTC) at an hour drawn from the seed.
pub fn start(seed: u64, day: i64) -> Result<Builder, ScenarioError> {
    let tokens = Tokens {
        usdc_eth: token(ETHEREUM, "USDC")?,
        usdt_eth: token(ETHEREUM, "USDT")?,
        usdt_tron: token(TRON, "USDT")?,
    };
    let t0 = day + Rng::stream(seed, "time").range_i64(0, DAY - 1);
    Ok(Builder {
        rng: Rng::stream(seed, "start"),
        seed,
        t0,
        tokens,
        transfers: Vec::new(),
        labels: Vec::new(),
        truth: GroundTruth { seed, hack_time: t0, ..GroundTruth::default() },
    })
}

/// The scenario of `b`, with `background` unrelated transfers around it.
pub fn finish(
    name: &'static str,
    b: Builder,
    background: u64,
    extra: Extra,
    lesson: impl FnOnce(&crate::scenario::Scenario, &Extra) -> Lesson,
) -> TrainingScenario {
    let mut b = b;
    b.name_labels_apart();
    let Builder { seed, t0, tokens, mut transfers, labels, mut truth, .. } = b;
    transfers.sort_by_key(|t| t.time);
    truth.story_transfers = transfers.len() as u64;
    truth.background_transfers = background;
    let config = ScenarioConfig {
        seed,
        unrelated_pool_users: 0,
        decoy_deposits: 0,
        max_delay_hours: 0,
        relayer_fee_bps: 0,
        background_transfers: background,
        hub: None,
    };
    let background = Background { seed, count: background, start: t0 - 7 * DAY, end: t0 + 30 * DAY, t0, tokens };
    let scenario = crate::scenario::Scenario { config, transfers, background, labels, truth };
    let extra = Extra { scenario: name.to_owned(), ..extra };
    let lesson = lesson(&scenario, &extra);
    TrainingScenario { name, scenario, extra, lesson }
}

/// An address node.
pub fn node(chain: &str, address: &str) -> NodeKey {
    NodeKey::address(chain, address)
}

/// A step.
pub fn step(caption: impl Into<String>, action: Action) -> Step {
    Step { caption: caption.into(), action }
}

/// An expansion step of the top `top` transfers in `direction`.
pub fn expand(caption: impl Into<String>, node: NodeKey, direction: ExpandDirection, top: usize) -> Step {
    step(caption, Action::Expand { node, direction, filter: CaseFilter { top: Some(top), ..CaseFilter::default() } })
}

/// An annotation step.
pub fn annotate(
    caption: impl Into<String>,
    kind: crate::model::HopKind,
    inbound: Vec<TransferRef>,
    outbound: Vec<TransferRef>,
    confidence: u8,
    rationale: impl Into<String>,
) -> Step {
    step(caption, Action::Annotate(HopSpec { kind, inbound, outbound, confidence, rationale: rationale.into() }))
}

/// An exercise.
pub fn exercise(id: &str, question: impl Into<String>, answer: Answer, explanation: impl Into<String>) -> Exercise {
    Exercise { id: id.to_owned(), question: question.into(), answer, explanation: explanation.into() }
}

/// An address answer.
pub fn address(chain: &str, address: &str) -> Answer {
    Answer::Address { chain: chain.to_owned(), address: address.to_owned() }
}

/// An amount answer.
pub fn amount(chain: &str, asset: &str, value: Amount) -> Answer {
    Answer::Amount { chain: chain.to_owned(), asset: asset.to_owned(), base_units: value.to_string() }
}

/// A transaction answer.
pub fn tx(r: &TransferRef) -> Answer {
    Answer::TxHash { chain: r.chain.clone(), hash: r.tx_hash.clone() }
}

/// A default filter keeping the top `n`.
pub fn top(n: usize) -> CaseFilter {
    CaseFilter { top: Some(n), ..CaseFilter::default() }
}

/// The transfers sent by `address` in the scenario's story, as references.
pub fn sent_by(s: &crate::scenario::Scenario, address: &str) -> Vec<TransferRef> {
    s.transfers
        .iter()
        .filter(|t| t.from.as_deref() == Some(address))
        .map(|t| TransferRef {
            chain: t.chain.clone(),
            tx_hash: t.tx_hash.clone(),
            kind: t.kind,
            position: t.position.unwrap_or(0),
        })
        .collect()
}
