//! The demo case as a library call: the bundled scenario's exports imported into a fresh
//! ledger and a case built on it the way an investigator would start one (the exploiters as
//! seeds, their transfers expanded, two hops annotated with their rationale). `hoptrace demo`
//! saves it; tests and benchmarks use it directly.

use std::path::Path;

use super::truth::TransferRef;
use super::{ScenarioConfig, ScenarioError, build_ledger, generate};
use crate::case::{CaseFilter, ExpandDirection, NodeKey};
use crate::graph::{Command, CommandError, Investigation};
use crate::ledger::{AnyLedger, ImportReport, Ledger, LedgerError, LedgerSource, ReadLedger};
use crate::model::{Hop, HopKind, HopStatus};

/// The demo case's title: what its first view shows (the exploiters' transfers, a pool hop and
/// the bridge hop to Bitcoin). The custodial mixer, the peel chains and the Tron USDT cash-out
/// are further along, for the user to find by expanding.
pub const DEMO_TITLE: &str = "Demo: exploiters of a bridge hack traced into a pool and a bridge to Bitcoin";

/// Why the demo could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Generating, writing or importing the scenario failed.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A command of the demo was refused.
    #[error("demo command refused: {0}")]
    Command(#[from] CommandError),
    /// The generated scenario lacks something the demo case needs (a generator bug).
    #[error("the demo scenario {0}")]
    Incomplete(String),
}

/// The built demo: the investigation (case and ledger) and the import report of every export.
pub struct Demo {
    /// The case on its ledger.
    pub investigation: Investigation<AnyLedger>,
    /// One report per imported export file.
    pub reports: Vec<ImportReport>,
    /// The scenario's seed.
    pub seed: u64,
}

/// The ledger id of a transfer the ground truth names.
fn ledger_id(ledger: &dyn ReadLedger, r: &TransferRef) -> Result<i64, DemoError> {
    ledger
        .tx_transfers(&r.chain, &r.tx_hash)?
        .into_iter()
        .find(|row| row.transfer.kind == r.kind && row.transfer.position.unwrap_or(-1) == r.position)
        .map(|row| row.id)
        .ok_or_else(|| DemoError::Incomplete(format!("lacks {} {} #{} in its ledger", r.chain, r.tx_hash, r.position)))
}

/// Generates the small scenario, writes its exports to `exports_dir`, imports them into a new
/// ledger at `ledger_path` (which must not exist yet) and builds the demo case on it. The case's
/// clock is fixed (a week after the theft, one minute per command): the same call gives the
/// same case on every machine.
///
/// # Errors
/// [`DemoError`] naming the failing step.
pub fn build_demo(exports_dir: &Path, ledger_path: &Path) -> Result<Demo, DemoError> {
    let scenario = generate(&ScenarioConfig::small())?;
    let reports = build_ledger(&scenario, exports_dir, ledger_path)?;
    let truth = &scenario.truth;
    let ledger = LedgerSource::sqlite(ledger_path).open()?;
    let start = truth.hack_time + 7 * 86_400;
    let mut clock = start;
    let ledger_name = ledger_path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut inv = Investigation::create(
        ledger,
        ledger_name,
        format!("case-demo-{:x}", scenario.config.seed),
        DEMO_TITLE.to_owned(),
        "hoptrace demo".to_owned(),
        start,
    )?
    .with_clock(move || {
        clock += 60;
        clock
    });
    // Seeds: whoever received the stolen funds.
    let mut seeds = Vec::new();
    for r in &truth.hack {
        for row in inv.ledger().tx_transfers(&r.chain, &r.tx_hash)? {
            if let Some(to) = row.transfer.to
                && !seeds.contains(&(row.transfer.chain.clone(), to.clone()))
            {
                seeds.push((row.transfer.chain.clone(), to));
            }
        }
    }
    if seeds.is_empty() {
        return Err(DemoError::Incomplete("has no theft transfers".to_owned()));
    }
    for (chain, address) in &seeds {
        inv.apply(Command::AddSeed { chain: chain.clone(), address: address.clone() })?;
    }
    for (chain, address) in &seeds {
        let node = NodeKey::address(chain.clone(), address.clone());
        let filter = CaseFilter { top: Some(25), ..CaseFilter::default() };
        inv.apply(Command::Expand { node, direction: ExpandDirection::Both, filter })?;
    }
    // Two hops, with the reasoning an investigator would write down.
    if let Some(p) = truth.pool_pairs.iter().find(|p| p.attacker) {
        let hop = Hop {
            kind: HopKind::Mixer { service: "Tornado-style pool".to_owned(), pool: Some(p.pool.clone()) },
            inbound: vec![ledger_id(inv.ledger(), &p.deposit)?],
            outbound: vec![ledger_id(inv.ledger(), &p.withdrawal)?],
            confidence: 55,
            rationale: format!(
                "Deposit and withdrawal of the same fixed denomination ({} ETH); the withdrawal came {} h later \
                 to a fresh address{}. Other deposits of that denomination in the window make this a candidate, not a proof.",
                p.denomination.format_units(18),
                p.delay_seconds / 3600,
                if p.relayer.is_some() { " through a relayer (fee taken from the withdrawal)" } else { "" }
            ),
            features: [
                ("denomination_base_units".to_owned(), p.denomination.to_string()),
                ("delay_hours".to_owned(), (p.delay_seconds / 3600).to_string()),
                ("relayer_fee_base_units".to_owned(), p.relayer_fee.to_string()),
            ]
            .into(),
            status: HopStatus::Accepted,
            author: String::new(),
            time: 0,
        };
        inv.apply(Command::AnnotateHop { hop })?;
    }
    if let Some(b) = truth.bridge_pairs.iter().find(|b| b.attacker) {
        let hop = Hop {
            kind: HopKind::Bridge {
                bridge: "ETH-BTC bridge".to_owned(),
                from_chain: b.deposit.chain.clone(),
                to_chain: b.release.chain.clone(),
            },
            inbound: vec![ledger_id(inv.ledger(), &b.deposit)?],
            outbound: vec![ledger_id(inv.ledger(), &b.release)?],
            confidence: 80,
            rationale: format!(
                "{} ETH deposited to the bridge on Ethereum; {} BTC released on Bitcoin at the day's rate ({} sat/ETH) \
                 minus a {} sat fee: the amounts match exactly.",
                b.amount_in.format_units(18),
                b.amount_out.format_units(8),
                b.rate_sat_per_eth,
                b.fee
            ),
            features: [
                ("fee_sats".to_owned(), b.fee.to_string()),
                ("rate_sat_per_eth".to_owned(), b.rate_sat_per_eth.to_string()),
            ]
            .into(),
            status: HopStatus::Accepted,
            author: String::new(),
            time: 0,
        };
        inv.apply(Command::AnnotateHop { hop })?;
    }
    Ok(Demo { investigation: inv, reports, seed: scenario.config.seed })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::case::NodeKey;

    #[test]
    fn no_two_addresses_in_the_demo_share_a_label_name() {
        let scenario = generate(&ScenarioConfig::small()).expect("generate the demo");
        let mut by_name: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for l in &scenario.labels {
            by_name.entry(l.entity.as_str()).or_default().insert(l.address.as_str());
        }
        assert!(by_name.len() > 10, "{} names", by_name.len());
        let shared: Vec<_> = by_name.iter().filter(|(_, a)| a.len() > 1).collect();
        assert!(shared.is_empty(), "names given to several addresses: {shared:?}");
        // The two exploiters, told apart by what they took.
        let exploiters: Vec<&&str> = by_name.keys().filter(|n| n.contains("exploiter")).collect();
        assert_eq!(exploiters.len(), 2, "{exploiters:?}");
    }

    #[test]
    fn the_demo_title_promises_only_what_its_first_view_shows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let demo = build_demo(&dir.path().join("exports"), &dir.path().join("ledger.sqlite")).expect("demo");
        let inv = &demo.investigation;
        let case = inv.case();
        assert_eq!(case.title, DEMO_TITLE);
        let chains: BTreeSet<&str> = case
            .nodes
            .keys()
            .filter_map(|k| match k {
                NodeKey::Address { chain, .. } | NodeKey::Tx { chain, .. } => Some(chain.as_str()),
                NodeKey::Aggregate(_) => None,
            })
            .collect();
        let ids: Vec<i64> = case.transfers.iter().copied().collect();
        let rows = inv.ledger().transfers_by_id(&ids).expect("transfers");
        let assets: BTreeSet<String> = rows
            .iter()
            .map(|r| {
                let t = &r.transfer;
                crate::model::registry().token(&t.chain, &t.asset).map_or_else(|| t.asset.clone(), |k| k.symbol.clone())
            })
            .collect();
        let addresses: Vec<String> = case
            .nodes
            .keys()
            .filter_map(|k| match k {
                NodeKey::Address { address, .. } => Some(address.clone()),
                _ => None,
            })
            .collect();
        let names: Vec<String> =
            inv.ledger().labels_many(&addresses).expect("labels").into_values().flatten().map(|l| l.entity).collect();
        let hop_kinds: BTreeSet<&str> = case.hops.values().map(|h| h.kind.name()).collect();
        // Each thing the title names, and whether the first view shows it.
        let promises = [
            ("exploiter", names.iter().any(|n| n.contains("exploiter"))),
            ("pool", hop_kinds.contains("mixer") && names.iter().any(|n| n.contains("pool"))),
            ("bridge to Bitcoin", hop_kinds.contains("bridge") && chains.contains("bitcoin")),
            ("mixer", names.iter().any(|n| n.starts_with("Custodial mixer"))),
            ("Tron", chains.contains("tron")),
            ("USDT", assets.contains("USDT")),
            ("peel", false),
        ];
        for (word, shown) in promises {
            assert!(!DEMO_TITLE.contains(word) || shown, "the title names {word:?}, the first view does not show it");
        }
        assert!(promises.iter().filter(|(w, _)| DEMO_TITLE.contains(w)).count() >= 3, "the title says what is shown");
    }
}
