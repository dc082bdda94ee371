//! Each hop finder on a small hand-built ledger (generic CSV, Bitcoin Core JSON and a TagPack
//! imported like real files), with the numbers its rationale must state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use hoptrace::analysis::{Candidate, FinderKind, Settings, Start, run};
use hoptrace::import::ImportOptions;
use hoptrace::ledger::SqliteLedger;
use hoptrace::model::HopStatus;

const T0: i64 = 1_686_000_000;
const H: i64 = 3600;
const ETH: u128 = 1_000_000_000_000_000_000;

/// An address whose short form (`0x000002…0002`) names `n`.
fn evm(n: u32) -> String {
    format!("0x{n:06x}{n:034x}")
}

/// A valid P2WPKH address whose program is 20 bytes of `n`.
fn btc(n: u8) -> String {
    bech32::segwit::encode_v0(bech32::hrp::BC, &[n; 20]).expect("encode address")
}

#[derive(Default)]
struct Fixture {
    csv: Vec<String>,
    tags: Vec<String>,
    btc: Vec<String>,
    next_tx: u32,
}

impl Fixture {
    /// One account-model transaction of the given transfers (from, to, asset, amount, kind).
    fn tx(&mut self, chain: &str, time: i64, transfers: &[(&str, &str, &str, u128, &str)]) -> u32 {
        self.next_tx += 1;
        let hash = format!("0x{:064x}", self.next_tx);
        for (i, (from, to, asset, amount, kind)) in transfers.iter().enumerate() {
            self.csv.push(format!("{chain},{hash},{i},,{time},{from},{to},{asset},{amount},,,{kind},"));
        }
        self.next_tx
    }

    fn label(&mut self, network: &str, address: &str, label: &str, category: &str) {
        self.tags.push(format!(
            "- address: '{address}'\n  network: {network}\n  label: '{label}'\n  category: {category}\n  confidence: ownership"
        ));
    }

    /// A Bitcoin transaction: inputs (address, sats) spending outputs from before, outputs (address, sats).
    fn btc_tx(&mut self, time: i64, inputs: &[(String, u64)], outputs: &[(String, u64)]) -> String {
        self.next_tx += 1;
        let txid = format!("{:064x}", 0xb000_0000u64 + u64::from(self.next_tx));
        let sats = |v: u64| format!("{}.{:08}", v / 100_000_000, v % 100_000_000);
        let vin: Vec<String> = inputs
            .iter()
            .enumerate()
            .map(|(i, (a, v))| {
                format!(
                    r#"{{"txid":"{:064x}","vout":{i},"prevout":{{"value":{},"scriptPubKey":{{"address":"{a}"}}}}}}"#,
                    0xa000_0000u64 + u64::from(self.next_tx),
                    sats(*v)
                )
            })
            .collect();
        let vout: Vec<String> = outputs
            .iter()
            .enumerate()
            .map(|(n, (a, v))| format!(r#"{{"value":{},"n":{n},"scriptPubKey":{{"address":"{a}"}}}}"#, sats(*v)))
            .collect();
        self.btc.push(format!(
            r#"{{"txid":"{txid}","vin":[{}],"vout":[{}],"time":{time},"blocktime":{time}}}"#,
            vin.join(","),
            vout.join(",")
        ));
        txid
    }

    fn build(&self, dir: &Path) -> SqliteLedger {
        let mut ledger = SqliteLedger::open(&dir.join("ledger.sqlite")).unwrap();
        let mut files = Vec::new();
        if !self.csv.is_empty() {
            let mut text =
                "chain,tx_hash,position,block,time,from,to,asset,amount,decimals,fee,kind,failed\n".to_owned();
            text.push_str(&self.csv.join("\n"));
            files.push(common::write(dir, "transfers.csv", text));
        }
        if !self.btc.is_empty() {
            files.push(common::write(dir, "bitcoin.jsonl", self.btc.join("\n")));
        }
        if !self.tags.is_empty() {
            let text = format!(
                "title: test labels\ncreator: test\nsource: hand-built test\nlastmod: 2023-07-01\ntags:\n{}\n",
                self.tags.join("\n")
            );
            files.push(common::write(dir, "labels.yaml", text));
        }
        for f in files {
            let r = ledger.import_file(&f, &ImportOptions::default(), None).unwrap();
            assert!(r.refused.is_empty(), "{}: {:?}", f.display(), r.refused);
        }
        ledger
    }
}

fn all(settings: Settings) -> Settings {
    Settings { min_score: 0, per_subject: 100, ..settings }
}

fn firsts(found: &[Candidate]) -> BTreeMap<String, &Candidate> {
    found.iter().filter(|c| c.rank == 1).map(|c| (c.subject.clone(), c)).collect()
}

#[test]
fn pool_prefers_the_address_that_takes_several_notes() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::default();
    let (pool, case, x, relayer) = (evm(0x900), evm(1), evm(2), evm(3));
    f.label("ETH", &pool, "Pool 10 ETH", "mixing_service");
    f.tx("ethereum", T0 - H, &[(&evm(0x99), &case, "ETH", 25 * ETH, "native")]);
    f.tx("ethereum", T0, &[(&case, &pool, "ETH", 10 * ETH, "native")]);
    f.tx("ethereum", T0 + H, &[(&case, &pool, "ETH", 10 * ETH, "native")]);
    for (i, t) in [(10u32, T0 + H / 2), (11, T0 + 2 * H), (12, T0 + 3 * H)] {
        f.tx("ethereum", t, &[(&evm(i), &pool, "ETH", 10 * ETH, "native")]);
    }
    // Relayed to X (fee 0.05 ETH = 50 bps), direct to X, and three unrelated withdrawals (one
    // to an unrelated depositor: its own note).
    f.tx(
        "ethereum",
        T0 + 10 * H,
        &[(&pool, &x, "ETH", 995 * ETH / 100, "internal"), (&pool, &relayer, "ETH", 5 * ETH / 100, "internal")],
    );
    f.tx("ethereum", T0 + 20 * H, &[(&pool, &x, "ETH", 10 * ETH, "internal")]);
    f.tx("ethereum", T0 + 5 * H, &[(&pool, &evm(20), "ETH", 10 * ETH, "internal")]);
    f.tx("ethereum", T0 + 8 * H, &[(&pool, &evm(11), "ETH", 10 * ETH, "internal")]);
    f.tx("ethereum", T0 + 30 * H, &[(&pool, &evm(21), "ETH", 99 * ETH / 10, "internal")]);
    let ledger = f.build(dir.path());
    let start = Start::addresses([("ethereum".to_owned(), case.clone())]);
    let found = run(FinderKind::Pool, &ledger, &start, &all(Settings::default())).unwrap();
    let first = firsts(&found);
    let deposits: Vec<&&Candidate> = first.iter().filter(|(s, _)| s.starts_with("deposit")).map(|(_, c)| c).collect();
    assert_eq!(deposits.len(), 2, "{found:#?}");
    for c in &deposits {
        assert!(c.rationale.contains(&format!("to {}…", &x[..8])), "{}", c.rationale);
        assert_eq!(c.features["recipient_withdrawals"], "2");
        assert!(c.score >= 30, "{c:?}");
    }
    let relayed = deposits.iter().find(|c| c.features.contains_key("relayer")).expect("one is relayed");
    assert!(relayed.rationale.contains("9.95 ETH") && relayed.rationale.contains("0.05 ETH"), "{}", relayed.rationale);
    assert_eq!(relayed.features["fee_bps"], "50.00");
    assert_eq!(relayed.outbound.len(), 2, "withdrawal and relayer fee transfer");
    // Unrelated withdrawals score under the default threshold; the own-note one is marked.
    let own = found.iter().find(|c| c.features.contains_key("recipient_deposits_itself")).expect("own note found");
    assert!(own.score < 30 && own.rationale.contains("its own note"), "{own:?}");
    let others: Vec<(u8, &str)> = found
        .iter()
        .filter(|c| c.subject.starts_with("deposit") && !c.rationale.contains(&format!("to {}…", &x[..8])))
        .map(|c| (c.score, c.rationale.as_str()))
        .collect();
    let least = deposits[0].score.min(deposits[1].score);
    assert!(others.len() >= 3 && others.iter().all(|(s, _)| *s < least), "{least} vs {others:#?}");
    let batch = found.iter().find(|c| c.subject.ends_with("batch")).expect("batch candidate");
    assert!(
        batch.rationale.contains("2 × 10 ETH") && batch.rationale.contains("0.05 ETH in fees"),
        "{}",
        batch.rationale
    );
    let hop = batch.to_hop();
    assert_eq!((hop.status, hop.author.as_str()), (HopStatus::Suggested, "pool finder"));
    let kept = run(FinderKind::Pool, &ledger, &start, &Settings::default()).unwrap();
    assert!(kept.iter().all(|c| c.score >= 30) && kept.len() < found.len());
}

#[test]
fn custodial_finds_the_payouts_summing_to_deposit_less_a_whole_bps_fee() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::default();
    let (case, deposit, reserve) = (evm(1), evm(0x700), evm(0x701));
    f.label("ETH", &deposit, "Mixer deposit", "mixing_service");
    f.label("ETH", &reserve, "Mixer", "mixing_service");
    f.tx("ethereum", T0, &[(&case, &deposit, "ETH", 5 * ETH, "native")]);
    // 2 + 2.9 = 4.9 ETH: 5 ETH less 200 bps. Decoys 1.7 and 1.3 ETH fit no fee in 50–500 bps.
    f.tx("ethereum", T0 + 2 * H, &[(&reserve, &evm(30), "ETH", 2 * ETH, "native")]);
    f.tx("ethereum", T0 + 3 * H, &[(&reserve, &evm(31), "ETH", 17 * ETH / 10, "native")]);
    f.tx("ethereum", T0 + 4 * H, &[(&reserve, &evm(32), "ETH", 13 * ETH / 10, "native")]);
    f.tx("ethereum", T0 + 5 * H, &[(&reserve, &evm(33), "ETH", 29 * ETH / 10, "native")]);
    f.tx("ethereum", T0 + 60 * H, &[(&reserve, &evm(34), "ETH", 29 * ETH / 10, "native")]);
    let ledger = f.build(dir.path());
    let start = Start::addresses([("ethereum".to_owned(), case)]);
    let found = run(FinderKind::Custodial, &ledger, &start, &Settings::default()).unwrap();
    let first = found.first().expect("a candidate");
    assert_eq!(first.rank, 1);
    assert_eq!(first.outbound.len(), 2);
    assert_eq!(first.features["fee_whole_bps"], "200");
    assert!(first.rationale.contains("4.9 ETH") && first.rationale.contains("0.1 ETH"), "{}", first.rationale);
    assert!(first.rationale.contains("after 2.0 h") && first.rationale.contains("after 5.0 h"), "{}", first.rationale);
    // The payout 60 h later is outside the 48 h window: with a 72 h window it is a second fit.
    let wide = Settings { window_hours: Some(72), ..all(Settings::default()) };
    let more =
        run(FinderKind::Custodial, &ledger, &Start::addresses([("ethereum".to_owned(), evm(1))]), &wide).unwrap();
    assert!(more.len() > found.len(), "{more:#?}");
}

#[test]
fn bridge_matches_same_family_and_given_rates() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::default();
    let (case, b_eth, b_arb, router) = (evm(1), evm(0x800), evm(0x801), evm(0x802));
    let wbtc = "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599";
    f.label("ETH", &b_eth, "Bridge (Ethereum side)", "bridge");
    f.label("arbitrum", &b_arb, "Bridge (Arbitrum side)", "bridge");
    f.label("ETH", &router, "DEX router", "dex");
    f.tx("ethereum", T0, &[(&case, &b_eth, "ETH", 3 * ETH, "native")]);
    f.tx("arbitrum", T0 + 600, &[(&b_arb, &evm(40), "ETH", 35 * ETH / 10, "native")]);
    f.tx("arbitrum", T0 + 1200, &[(&b_arb, &evm(41), "ETH", 2_997 * ETH / 1000, "native")]);
    f.tx("arbitrum", T0 + 1800, &[(&b_arb, &evm(42), "ETH", 25 * ETH / 10, "native")]);
    // A swap of 10 ETH for 0.685 WBTC (8 decimals) on the router.
    f.tx(
        "ethereum",
        T0 + 2 * H,
        &[(&case, &router, "ETH", 10 * ETH, "native"), (&router, &case, wbtc, 68_500_000, "token")],
    );
    let ledger = f.build(dir.path());
    let start = Start::addresses([("ethereum".to_owned(), case)]);
    let found = run(FinderKind::Bridge, &ledger, &start, &Settings::default()).unwrap();
    let bridge = found.iter().find(|c| c.rank == 1 && c.kind.name() == "bridge").expect("bridge candidate");
    assert_eq!(bridge.features["amount_out"], "2.997 ETH");
    assert_eq!(bridge.features["deviation_bps"], "10.00");
    assert!(bridge.rationale.contains("1 ETH = 1 ETH (same asset family)"), "{}", bridge.rationale);
    assert!(bridge.rationale.contains("0.3 h later"), "{}", bridge.rationale);
    // One swap pair cannot agree with another: no rate is inferred, no swap suggested.
    assert!(found.iter().all(|c| c.kind.name() != "swap"), "{found:#?}");
    let given =
        Settings { rates: [(("ETH".to_owned(), "BTC".to_owned()), "0.0685".to_owned())].into(), ..Settings::default() };
    let found = run(FinderKind::Bridge, &ledger, &Start::addresses([("ethereum".to_owned(), evm(1))]), &given).unwrap();
    let swap = found.iter().find(|c| c.kind.name() == "swap").expect("swap with a given rate");
    assert_eq!(swap.features["expected_out"], "0.685 WBTC");
    assert_eq!(swap.features["deviation_bps"], "0.00");
    assert!(swap.rationale.contains("1 ETH = 0.0685 WBTC (given)"), "{}", swap.rationale);
}

#[test]
fn multichain_sees_the_same_key_on_another_evm_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::default();
    let (actor, contract) = (evm(0xabc), evm(0xdef));
    f.label("ETH", &actor, "Exchange hot wallet exploiter", "perpetrator");
    f.label("ETH", &contract, "Router deployed on every chain", "dex");
    f.tx("ethereum", T0, &[(&evm(1), &actor, "ETH", 5 * ETH, "native")]);
    f.tx("ethereum", T0 + H, &[(&actor, &evm(2), "ETH", 4 * ETH, "native")]);
    f.tx("ethereum", T0 + H, &[(&actor, &contract, "ETH", ETH / 2, "native")]);
    f.tx("bsc", T0 + 3 * H, &[(&evm(3), &actor, "BNB", 10 * ETH, "native")]);
    f.tx("bsc", T0 + 4 * H, &[(&actor, &evm(4), "BNB", 9 * ETH, "native")]);
    f.tx("bsc", T0 + 4 * H, &[(&evm(5), &contract, "BNB", ETH, "native")]);
    let ledger = f.build(dir.path());
    let start = Start::addresses([("ethereum".to_owned(), actor.clone()), ("ethereum".to_owned(), contract)]);
    let found = run(FinderKind::MultiChain, &ledger, &start, &Settings::default()).unwrap();
    assert_eq!(found.len(), 1, "the labelled router is left out: {found:#?}");
    let c = &found[0];
    assert_eq!((c.features["case_chain"].as_str(), c.features["other_chain"].as_str()), ("ethereum", "bsc"));
    assert_eq!(c.features["hand_over_hours"], "2.0");
    assert_eq!(c.score, 100);
    assert!(c.rationale.contains("sends value onward on bsc"), "{}", c.rationale);
}

#[test]
fn coinjoin_detects_whirlpool_and_equal_output_mixes_and_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::default();
    let case = btc(1);
    // Whirlpool-like: 5 inputs, 5 outputs of 0.01 BTC.
    let ins: Vec<(String, u64)> = (10..15).map(|i| (btc(i), 1_010_000)).collect();
    let outs: Vec<(String, u64)> = (50..55).map(|i| (btc(i), 1_000_000)).collect();
    let whirlpool = f.btc_tx(T0, &ins, &outs);
    // Equal-output mix: the case puts 0.13 BTC in, gets 2 × 0.05 mixed and 0.0299 change.
    let mut ins: Vec<(String, u64)> = vec![(case.clone(), 13_000_000)];
    ins.extend((60..65).map(|i| (btc(i), 5_200_000)));
    let mut outs: Vec<(String, u64)> = (70..77).map(|i| (btc(i), 5_000_000)).collect();
    outs.push((btc(80), 2_990_000));
    outs.push((btc(81), 1_100_000));
    let mix = f.btc_tx(T0 + H, &ins, &outs);
    // A batch payout from one wallet: equal outputs, one input address: not a CoinJoin.
    let outs: Vec<(String, u64)> = (90..98).map(|i| (btc(i), 500_000)).collect();
    f.btc_tx(T0 + 2 * H, &[(btc(99), 5_000_000)], &outs);
    let ledger = f.build(dir.path());
    let start = Start::addresses([("bitcoin".to_owned(), case)]);
    let found = run(FinderKind::CoinJoin, &ledger, &start, &Settings::default()).unwrap();
    assert!(found.iter().all(|c| c.subject == format!("tx {mix}")), "{found:#?}");
    let equal = found.iter().find(|c| c.outbound.len() == 7).expect("the equal outputs");
    assert_eq!(equal.features["kind"], "equal-output");
    assert!(equal.rationale.contains("7 outputs of exactly 0.05 BTC") && equal.rationale.contains("1 in 7"));
    let change = found.iter().find(|c| c.features.contains_key("change")).expect("the change");
    assert_eq!(change.features["change"], "0.0299 BTC");
    assert_eq!(change.features["mixed_outputs"], "2");
    assert_eq!(change.features["fees"], "0.0001 BTC");
    let scan = Settings { scan_all: true, ..Settings::default() };
    let found = run(FinderKind::CoinJoin, &ledger, &Start::default(), &scan).unwrap();
    let txs: std::collections::BTreeSet<&str> = found.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(txs, [format!("tx {mix}"), format!("tx {whirlpool}")].iter().map(String::as_str).collect());
    let w = found.iter().find(|c| c.subject == format!("tx {whirlpool}")).unwrap();
    assert_eq!((w.features["kind"].as_str(), w.score), ("Whirlpool-like", 90));
}

#[test]
fn suggest_add_reports_a_candidate_against_time_instead_of_recording_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::default();
    let actor = evm(0xabc);
    // Active on bsc first, on the case's chain (ethereum) two days later: the "same key"
    // candidate's outbound side (bsc) precedes its inbound side.
    f.tx("bsc", T0, &[(&evm(3), &actor, "BNB", 10 * ETH, "native")]);
    f.tx("bsc", T0 + H, &[(&actor, &evm(4), "BNB", 9 * ETH, "native")]);
    f.tx("ethereum", T0 + 48 * H, &[(&evm(1), &actor, "ETH", 5 * ETH, "native")]);
    f.tx("ethereum", T0 + 49 * H, &[(&actor, &evm(2), "ETH", 4 * ETH, "native")]);
    drop(f.build(dir.path()));
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).current_dir(dir.path()).output().unwrap()
    };
    let out = run(&[
        "new-case",
        "--ledger",
        "ledger.sqlite",
        "--title",
        "T",
        "--seed",
        &actor,
        "--chain",
        "ethereum",
        "c.ron",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["suggest", "c.ron", "--finder", "multichain", "--add"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains(&format!(
            "not recorded: the candidate for address {actor}: the hop runs against time: outbound transfer 2 \
             (2023-06-05T22:20:00Z) is before its earliest inbound transfer 3 (2023-06-07T21:20:00Z), so it carries \
             none of the value that went in"
        )) && text.contains("recorded 0 suggested hop(s)"),
        "{text}"
    );
    let case = hoptrace::case::file::load(&dir.path().join("c.ron")).unwrap();
    assert!(case.hops.is_empty());
    assert!(case.verify_audit().is_ok());
}
