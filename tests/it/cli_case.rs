//! The case commands of the `hoptrace` binary end to end: new-case, expand, annotate, show,
//! audit — and what they refuse.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

fn hoptrace(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoptrace"))
        .args(args)
        .current_dir(dir)
        .env("HOPTRACE_INVESTIGATOR", "A. Analyst")
        .output()
        .expect("run hoptrace")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

const ACTOR: &str = "0xd07f5c0c332f8b1224083fd22b902f8911e81818";
const POOL: &str = "0xa160cdab225685da1d56aa342ad8841c3b53f291";

/// A folder with the demo ledger and a case seeded at the demo's exploiter.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&hoptrace(dir.path(), &["sample-import", "--ledger", "l.sqlite"]));
    ok(&hoptrace(
        dir.path(),
        &["new-case", "--ledger", "l.sqlite", "--title", "Demo theft", "--seed", ACTOR, "case.ron"],
    ));
    dir
}

#[test]
fn expand_annotate_show_and_audit() {
    let dir = setup();
    let d = dir.path();
    let out = ok(&hoptrace(d, &["expand", "case.ron", ACTOR, "--direction", "out", "--top", "1"]));
    assert_eq!(
        out.trim(),
        format!(
            "case.ron: expanded ethereum:{ACTOR}: +2 nodes, +1 transfers (now 3 nodes, 1 transfers); folded: +5 more Out"
        )
    );
    ok(&hoptrace(d, &["expand", "case.ron", ACTOR, "--direction", "out"]));
    let out = ok(&hoptrace(
        d,
        &[
            "expand",
            "case.ron",
            POOL,
            "--direction",
            "out",
            "--min-value",
            "50",
            "--from",
            "2023-03-25",
            "--to",
            "2023-03-26",
        ],
    ));
    assert!(out.contains("+3 nodes, +3 transfers"), "{out}");

    let json: serde_json::Value =
        serde_json::from_str(&ok(&hoptrace(d, &["show", "case.ron", "--json"]))).expect("json");
    let transfers = json["transfers"].as_array().expect("transfers");
    let id_of = |from: &str, to_prefix: &str| -> Vec<i64> {
        transfers
            .iter()
            .filter(|t| t["from"] == from && t["to"].as_str().is_some_and(|x| x.starts_with(to_prefix)))
            .filter_map(|t| t["id"].as_i64())
            .collect()
    };
    let deposits = id_of(ACTOR, POOL);
    let withdrawals = id_of(POOL, "0x");
    assert_eq!((deposits.len(), withdrawals.len()), (5, 3));
    for t in transfers {
        assert!(t["amount_base_units"].as_str().is_some_and(|a| a.chars().all(|c| c.is_ascii_digit())), "{t}");
        assert!(t["source_file"].as_str().is_some_and(|f| f.ends_with(".csv")), "{t}");
    }

    let list = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let out = ok(&hoptrace(
        d,
        &[
            "annotate",
            "case.ron",
            "--kind",
            "mixer",
            "--service",
            "Tornado Cash",
            "--pool",
            "100 ETH",
            "--in",
            &list(&deposits[..3]),
            "--out",
            &list(&withdrawals),
            "--confidence",
            "55",
            "--rationale",
            "three 100 ETH deposits, three 100 ETH withdrawals to fresh addresses two days later",
            "--feature",
            "delay_hours=50",
        ],
    ));
    assert!(out.contains("(mixer Tornado Cash) recorded: 3 in, 3 out, confidence 55"), "{out}");

    let json: serde_json::Value =
        serde_json::from_str(&ok(&hoptrace(d, &["show", "case.ron", "--json"]))).expect("json");
    let hop = &json["hops"][0];
    assert_eq!(hop["kind"]["mixer"]["service"], "Tornado Cash");
    assert_eq!(hop["author"], "A. Analyst");
    assert_eq!(hop["features"]["delay_hours"], "50");
    assert_eq!(json["audit"]["entries"], 5);
    assert_eq!(json["audit"]["intact"], true);
    let edges = json["edges"].as_array().expect("edges");
    let to_pool = edges.iter().find(|e| e["to"]["address"] == POOL).expect("edge to the pool");
    assert_eq!(to_pool["count"], 5);
    assert_eq!(to_pool["totals"][0]["amount_base_units"], "500000000000000000000");

    let text = ok(&hoptrace(d, &["show", "case.ron"]));
    assert!(text.contains(&format!("ethereum:{ACTOR} → ethereum:{POOL}: 5 transfer(s), 500 ETH")), "{text}");
    assert!(text.contains("Audit log: 5 entries, intact"), "{text}");
    let audit = ok(&hoptrace(d, &["audit", "case.ron"]));
    assert!(audit.starts_with("case.ron: audit log intact: 5 entries"), "{audit}");
    assert!(d.join("case.ron.bak").exists(), "the previous save is kept");
}

#[test]
fn tampering_with_a_saved_case_is_caught_by_audit() {
    let dir = setup();
    let d = dir.path();
    ok(&hoptrace(d, &["expand", "case.ron", ACTOR]));
    let text = std::fs::read_to_string(d.join("case.ron")).expect("read");
    // Move a node by hand, outside hoptrace.
    let edited = text.replacen("position: Some((260.0,", "position: Some((261.0,", 1);
    assert_ne!(edited, text);
    std::fs::write(d.join("case.ron"), edited).expect("write");
    let err = fails(&hoptrace(d, &["audit", "case.ron"]));
    assert!(err.contains("audit log broken: the case does not match its audit log"), "{err}");
    // Rewrite who did it in the log: the entry no longer matches its hash.
    std::fs::write(
        d.join("case.ron"),
        text.replacen(
            "investigator: \"A. Analyst\",\n            command",
            "investigator: \"Someone else\",\n            command",
            1,
        ),
    )
    .expect("write");
    let err = fails(&hoptrace(d, &["audit", "case.ron"]));
    assert!(err.contains("audit entry 1 was changed after it was written"), "{err}");
}

#[test]
fn refusals_are_one_line_and_change_nothing() {
    let dir = setup();
    let d = dir.path();
    let before = std::fs::read(d.join("case.ron")).expect("read");
    let err = fails(&hoptrace(d, &["expand", "case.ron", POOL]));
    assert!(err.contains(&format!("{POOL} is not on the graph")), "{err}");
    let err = fails(&hoptrace(
        d,
        &[
            "annotate",
            "case.ron",
            "--kind",
            "bridge",
            "--service",
            "X",
            "--out",
            "1",
            "--confidence",
            "50",
            "--rationale",
            "r",
        ],
    ));
    assert!(err.contains("--from-chain is required for a bridge hop"), "{err}");
    let err = fails(&hoptrace(
        d,
        &[
            "annotate",
            "case.ron",
            "--kind",
            "swap",
            "--service",
            "X",
            "--in",
            "1",
            "--out",
            "999999",
            "--confidence",
            "50",
            "--rationale",
            "r",
        ],
    ));
    assert!(err.contains("transfer 999999 is not in the ledger"), "{err}");
    let err = fails(&hoptrace(d, &["new-case", "--ledger", "l.sqlite", "--title", "T", "--seed", ACTOR, "case.ron"]));
    assert!(err.contains("case.ron exists: pass --force to replace it"), "{err}");
    let err = fails(&hoptrace(
        d,
        &[
            "new-case",
            "--ledger",
            "l.sqlite",
            "--title",
            "T",
            "--seed",
            "0x00000000000000000000000000000000000000aa",
            "other.ron",
        ],
    ));
    assert!(err.contains("has no transfers in the ledger on any chain whose addresses look like it"), "{err}");
    assert_eq!(
        std::fs::read(d.join("case.ron")).expect("read"),
        before,
        "refused commands leave the case file as it was"
    );

    // New imports change the ledger: the case asks to be rebound, and records it.
    let Some(list) = common::shared_data("ofac/sanctioned_addresses_TRX.txt") else { return };
    ok(&hoptrace(d, &["import", "--ledger", "l.sqlite", &list.display().to_string()]));
    let err = fails(&hoptrace(d, &["expand", "case.ron", ACTOR]));
    assert!(err.contains("the ledger changed since this case was last saved"), "{err}");
    ok(&hoptrace(d, &["expand", "case.ron", ACTOR, "--rebind"]));
    let json: serde_json::Value =
        serde_json::from_str(&ok(&hoptrace(d, &["show", "case.ron", "--json"]))).expect("json");
    assert_eq!(json["case"]["ledger_matches"], true);
    ok(&hoptrace(d, &["audit", "case.ron"]));
}

/// The hop number in `annotate`'s "case.ron: hop #N (…) recorded" line.
fn hop_number(out: &str) -> String {
    out.split("hop #").nth(1).and_then(|r| r.split(' ').next()).expect("a hop number").to_owned()
}

#[test]
fn accepted_hops_never_share_a_transfer_and_never_run_against_time() {
    let dir = setup();
    let d = dir.path();
    ok(&hoptrace(d, &["expand", "case.ron", ACTOR, "--direction", "out"]));
    ok(&hoptrace(d, &["expand", "case.ron", POOL, "--direction", "out", "--min-value", "50"]));
    let json: serde_json::Value =
        serde_json::from_str(&ok(&hoptrace(d, &["show", "case.ron", "--json"]))).expect("json");
    let transfers = json["transfers"].as_array().expect("transfers");
    let ids = |from: &str, to: &str| -> Vec<String> {
        let mut v: Vec<(i64, i64)> = transfers
            .iter()
            .filter(|t| t["from"] == from && (to.is_empty() || t["to"] == to))
            .filter_map(|t| Some((t["time"].as_i64()?, t["id"].as_i64()?)))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, id)| id.to_string()).collect()
    };
    let (deposits, withdrawals) = (ids(ACTOR, POOL), ids(POOL, ""));
    assert!(deposits.len() >= 3 && withdrawals.len() >= 2, "{deposits:?} {withdrawals:?}");
    let annotate = |inbound: &str, outbound: &str, extra: &[&str]| {
        let mut args = vec![
            "annotate",
            "case.ron",
            "--kind",
            "mixer",
            "--service",
            "Tornado Cash",
            "--in",
            inbound,
            "--out",
            outbound,
            "--confidence",
            "50",
            "--rationale",
            "equal denominations",
        ];
        args.extend_from_slice(extra);
        hoptrace(d, &args)
    };
    let a = hop_number(&ok(&annotate(&deposits[0], &withdrawals[0], &["--suggested"])));
    let b = hop_number(&ok(&annotate(&deposits[1], &withdrawals[1], &["--suggested"])));
    let batch_in = deposits[..3].join(",");
    let batch_out = withdrawals[..2].join(",");
    let batch = hop_number(&ok(&annotate(&batch_in, &batch_out, &["--suggested"])));
    ok(&hoptrace(d, &["accept", "case.ron", &a]));
    ok(&hoptrace(d, &["accept", "case.ron", &b]));
    let before = std::fs::read(d.join("case.ron")).expect("read");
    let err = fails(&hoptrace(d, &["accept", "case.ron", &batch]));
    let (d0, w0) = (&deposits[0], &withdrawals[0]);
    let shared =
        if d0.parse::<i64>().ok() < w0.parse::<i64>().ok() { format!("{d0}, {w0}") } else { format!("{w0}, {d0}") };
    assert_eq!(
        err.trim_end(),
        format!(
            "hoptrace: error: accepting hop #{batch} would count value twice: it shares transfers {shared} with \
             accepted hop #{a}; reject one of them first, or replace hop #{a} with this one (`hoptrace accept CASE \
             {batch} --replaces {a}`: hop #{a} is rejected in the same command)"
        )
    );
    assert_eq!(std::fs::read(d.join("case.ron")).expect("read"), before, "a refusal leaves the case as it was");
    let out = ok(&hoptrace(d, &["accept", "case.ron", &batch, "--replaces", &format!("{a},{b}")]));
    assert_eq!(
        out.trim_end(),
        format!(
            "case.ron: hop #{batch} (mixer Tornado Cash, by A. Analyst) is now accepted\n\
             case.ron: hop #{a} is now rejected (replaced by hop #{batch})\n\
             case.ron: hop #{b} is now rejected (replaced by hop #{batch})"
        )
    );
    let saved = hoptrace::case::file::load(&d.join("case.ron")).expect("case");
    let last = serde_json::to_value(&saved.audit.last().expect("an entry").command).expect("json");
    assert_eq!(
        last["accept_hop"],
        serde_json::json!({"id": batch.parse::<u64>().expect("id"), "replaces": [a.parse::<u64>().expect("id"), b.parse::<u64>().expect("id")]})
    );
    ok(&hoptrace(d, &["audit", "case.ron"]));

    // Withdrawals "in", deposits "out": against time, refused; with a stated reason, recorded.
    let (late, early) = (withdrawals[0].clone(), deposits[0].clone());
    let err = fails(&annotate(&late, &early, &["--suggested"]));
    assert!(
        err.starts_with(&format!("hoptrace: error: the hop runs against time: outbound transfer {early} (2023-03-23T"))
            && err.contains(&format!("is before its earliest inbound transfer {late} (2023-03-25T")),
        "{err}"
    );
    let out =
        ok(&annotate(&late, &early, &["--suggested", "--allow-time-order", "the pool's clock was two days slow"]));
    let reversed = hop_number(&out);
    let saved = hoptrace::case::file::load(&d.join("case.ron")).expect("case");
    let hop = &saved.hops[&reversed.parse::<u64>().expect("id")];
    assert_eq!(hop.features["time_order_override"], "the pool's clock was two days slow");
    ok(&hoptrace(d, &["audit", "case.ron"]));
    let shown = ok(&hoptrace(d, &["show", "case.ron"]));
    assert!(
        shown.contains(
            "\n    recorded although an outbound transfer precedes its inbound ones: the pool's clock was two days slow\n"
        ),
        "{shown}"
    );

    // A case saved before accepted hops were kept apart (here: edited outside hoptrace) may
    // still count value twice: `show` says so under the later hop.
    let mut old = hoptrace::case::file::load(&d.join("case.ron")).expect("case");
    old.hops.get_mut(&a.parse::<u64>().expect("id")).expect("hop").status = hoptrace::model::HopStatus::Accepted;
    hoptrace::case::file::save(&old, &d.join("case.ron")).expect("save");
    let shown = ok(&hoptrace(d, &["show", "case.ron"]));
    let under_batch =
        shown.split(&format!("\n  #{batch} ")).nth(1).and_then(|r| r.split("\n  #").next()).expect("batch");
    assert!(
        under_batch.contains(&format!(
            "\n    counts value twice: shares transfers {shared} with accepted hop #{a}: reject one of them"
        )),
        "{shown}"
    );
}

#[test]
fn every_address_argument_is_checked_against_its_chain_first() {
    let dir = setup();
    let d = dir.path();
    let before = std::fs::read(d.join("case.ron")).expect("read");
    const BTC_EXPECTED: &str = "a base58check (1…, 3…) or bech32 (bc1…) address with a valid checksum";
    let any = format!(
        "expected 0x followed by 40 hexadecimal digits (arbitrum, avalanche, base, bsc, ethereum, fantom, optimism, \
         polygon); or {BTC_EXPECTED} (bitcoin); or a base58check address starting with T (or 41 + 40 hex digits) (tron)"
    );
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["peel", "case.ron", "--address", "bc1qxyz"],
            format!("--address: \"bc1qxyz\" is not a valid bitcoin address: expected {BTC_EXPECTED}"),
        ),
        (
            vec!["new-case", "--ledger", "l.sqlite", "--title", "T", "--seed", "0x123", "other.ron"],
            format!("--seed: \"0x123\" is not an address of any chain hoptrace knows: {any}"),
        ),
        (
            vec!["new-case", "--ledger", "l.sqlite", "--title", "T", "--seed", ACTOR, "--chain", "tron", "other.ron"],
            format!(
                "--seed: \"{ACTOR}\" is not a valid tron address: expected a base58check address starting with T \
                 (or 41 + 40 hex digits)"
            ),
        ),
        (
            vec!["expand", "case.ron", "bc1qxyz"],
            format!(
                "NODE: \"bc1qxyz\" is not an address of any chain hoptrace knows: {any} (or a transaction hash: 64 \
                 hexadecimal digits, with 0x on EVM chains)"
            ),
        ),
        (
            vec!["taint", "case.ron", "--method", "haircut", "--seed", "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ", "--chain", "ethereum"],
            "--seed: \"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ\" is not a valid ethereum address: expected 0x followed by 40 \
             hexadecimal digits"
                .to_owned(),
        ),
        (vec!["paths", "case.ron", ACTOR, "0xzz"], format!("TO: \"0xzz\" is not an address of any chain hoptrace knows: {any}")),
        (
            vec!["paths", "case.ron", ACTOR, "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ"],
            format!("{ACTOR} and 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ are addresses of different chains: no path runs between them"),
        ),
        (
            vec!["suggest", "case.ron", "--finder", "pool", "--address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6"],
            format!("--address: \"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6\" is not an address of any chain hoptrace knows: {any}"),
        ),
        (vec!["labels", "--address", "bc1qxyz"], format!("--address: \"bc1qxyz\" is not an address of any chain hoptrace knows: {any}")),
        (
            vec!["new-case", "--ledger", "l.sqlite", "--title", "T", "--seed", "0x00000000000000000000000000000000000000aa", "other.ron"],
            "--seed 0x00000000000000000000000000000000000000aa: has no transfers in the ledger on any chain whose \
             addresses look like it (arbitrum, avalanche, base, bsc, ethereum, fantom, optimism, polygon): pass --chain \
             with one of them to add it anyway"
                .to_owned(),
        ),
        (
            vec!["new-case", "--ledger", "l.sqlite", "--title", "T", "--seed", "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ", "other.ron"],
            "--seed 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ: has no transfers in the ledger on bitcoin (pass --chain bitcoin \
             to add it anyway)"
                .to_owned(),
        ),
    ];
    for (args, message) in cases {
        let err = fails(&hoptrace(d, &args));
        assert_eq!(err.trim_end(), format!("hoptrace: error: {message}"), "{args:?}");
    }
    // A pool or service given as CHAIN:ADDRESS is checked by the argument parser (exit 2).
    let out = hoptrace(d, &["suggest", "case.ron", "--finder", "pool", "--pool", "ethereum:0x12"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"0x12\" is not a valid ethereum address: expected 0x followed by 40 hexadecimal digits"),
        "{err}"
    );
    assert_eq!(std::fs::read(d.join("case.ron")).expect("read"), before, "refusals leave the case as it was");
    assert!(!d.join("other.ron").exists());
    // With --chain, an address with no transfers is added anyway, as the message says.
    ok(&hoptrace(
        d,
        &[
            "new-case",
            "--ledger",
            "l.sqlite",
            "--title",
            "T",
            "--seed",
            "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ",
            "--chain",
            "bitcoin",
            "btc.ron",
        ],
    ));
}

#[test]
fn each_cli_change_is_recorded_under_whoever_ran_it() {
    let dir = setup();
    let d = dir.path();
    let out = Command::new(env!("CARGO_BIN_EXE_hoptrace"))
        .args(["expand", "case.ron", ACTOR])
        .current_dir(d)
        .env("HOPTRACE_INVESTIGATOR", "B. Reviewer")
        .output()
        .expect("run hoptrace");
    ok(&out);
    let case = hoptrace::case::file::load(&d.join("case.ron")).expect("load");
    assert_eq!(case.investigator, "A. Analyst", "the case keeps its creator");
    let who: Vec<&str> = case.audit.iter().map(|e| e.investigator.as_str()).collect();
    assert_eq!(who.first(), Some(&"A. Analyst"), "new-case's seed");
    assert_eq!(who.last(), Some(&"B. Reviewer"), "the expansion: {who:?}");
    ok(&hoptrace(d, &["audit", "case.ron"]));
}
