//! Mapping import end to end: saved profiles (RON, atomic, listed, hashed), a bank-style OTC
//! ledger imported exactly through one, the batch recording the profile, and
//! `hoptrace import --profile`.

use std::path::Path;
use std::process::{Command, Output};

use hoptrace::import::mapping::{
    AmountUnit, AssetSource, ChainSource, DecimalsSource, FeeColumn, Profile, ProfileError, ProfileStore, StatusColumn,
    TimeColumn, TimeFormat,
};
use hoptrace::import::{Format, ImportOptions};
use hoptrace::ledger::{ImportOutcome, SqliteLedger};
use sha2::Digest;

/// A bank-style OTC ledger: `;` separated, dotted day-first dates, decimal commas, a status.
const OTC: &str = "Date;Ref;Sender;Receiver;Qty;Coin;Status;Fee
02.05.2023 12:19;0x1111111111111111111111111111111111111111111111111111111111111111;0x8589427373D6D84E98730D7795D8f6f8731FDA16;0x722122df12d4e14e13ac3b6895a86e84145b6967;1.250,5;0xdac17f958d2ee523a2206206994597c13d831ec7;Booked;
02.05.2023 12:20;0x2222222222222222222222222222222222222222222222222222222222222222;0x722122df12d4e14e13ac3b6895a86e84145b6967;0x8589427373d6d84e98730d7795d8f6f8731fda16;7,4;ETH;Booked;0,00042
03.05.2023 09:00;0x3333333333333333333333333333333333333333333333333333333333333333;0x722122df12d4e14e13ac3b6895a86e84145b6967;0x8589427373d6d84e98730d7795d8f6f8731fda16;340.282.366.920.938.463.463,374607431768211457;ETH;Returned;
";

fn otc_profile() -> Profile {
    Profile {
        delimiter: ';',
        decimal_comma: true,
        chain: Some(ChainSource::Fixed("ethereum".into())),
        asset: AssetSource::Column("Coin".into()),
        unit: AmountUnit::Display,
        decimals: Some(DecimalsSource::Known),
        time: Some(TimeColumn { column: "Date".into(), format: TimeFormat::Pattern("%d.%m.%Y %H:%M".into()) }),
        fee: Some(FeeColumn { column: "Fee".into(), unit: AmountUnit::Display }),
        status: Some(StatusColumn {
            column: "Status".into(),
            success: vec!["Booked".into()],
            failed: vec!["Returned".into()],
        }),
        ..Profile::new("Ref", "Sender", "Receiver", "Qty")
    }
}

fn hoptrace(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoptrace"))
        .env("HOPTRACE_CONFIG_DIR", config)
        .args(args)
        .output()
        .expect("run hoptrace")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn profiles_round_trip_through_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ProfileStore::at(dir.path().join("profiles"));
    assert_eq!(store.list().expect("list of a missing folder"), Vec::<String>::new());
    let saved = store.save("bank otc", &otc_profile()).expect("save");
    let file = dir.path().join("profiles/bank otc.ron");
    let bytes = std::fs::read(&file).expect("saved file");
    assert_eq!(saved.sha256, hex::encode(sha2::Sha256::digest(&bytes)));
    let loaded = store.load("bank otc").expect("load");
    assert_eq!(loaded, saved);
    assert_eq!(loaded.profile, otc_profile());
    store.save("a-first", &Profile::new("h", "f", "t", "a")).expect("save second");
    assert_eq!(store.list().expect("list"), ["a-first", "bank otc"]);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("profiles"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // Unknown name: the error lists what is saved.
    let e = store.load("bank").expect_err("unknown");
    assert!(matches!(e, ProfileError::NotFound { .. }));
    assert!(e.to_string().ends_with(": saved profiles are: a-first, bank otc"), "{e}");
    // A name that is no file name.
    assert!(matches!(store.save("../x", &otc_profile()), Err(ProfileError::BadName(n)) if n == "../x"));
    // An incomplete profile is refused and not written.
    let incomplete = Profile { decimals: None, ..otc_profile() };
    let e = store.save("broken", &incomplete).expect_err("incomplete");
    assert_eq!(
        e.to_string(),
        "mapping profile \"broken\": amounts are in display units but no decimals are given: expected a fixed \
         number of decimal places, a decimals column, or the decimals hoptrace knows"
    );
    assert!(!dir.path().join("profiles/broken.ron").exists());
    // A file that is not RON of a profile.
    std::fs::write(dir.path().join("profiles/junk.ron"), "(delimiter: ';', tx_hash: 3)").expect("write");
    let e = store.load("junk").expect_err("junk");
    assert!(matches!(e, ProfileError::Parse { .. }), "{e}");
    assert!(e.to_string().contains("junk.ron: not a mapping profile: "), "{e}");
}

#[test]
fn an_otc_ledger_imports_exactly_and_the_batch_records_the_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ProfileStore::at(dir.path().join("profiles"));
    let profile = store.save("otc", &otc_profile()).expect("save");
    let file = dir.path().join("otc-ledger.csv");
    std::fs::write(&file, OTC).expect("write");
    let ledger_path = dir.path().join("l.sqlite");
    let mut ledger = SqliteLedger::open(&ledger_path).expect("ledger");
    let options =
        ImportOptions { format: Some(Format::Mapped), profile: Some(profile.clone()), ..ImportOptions::default() };
    let report = ledger.import_file(&file, &options, None).expect("import");
    assert_eq!(report.outcome, ImportOutcome::Committed, "{:?}", report.refused);
    assert_eq!((report.rows, report.transfers), (3, 3));
    assert_eq!(report.format, Format::Mapped);
    assert_eq!(report.chain_rule.as_deref(), Some("mapping profile \"otc\" fixes the chain"));
    drop(ledger);

    let conn = rusqlite::Connection::open(&ledger_path).expect("sqlite");
    let (format, options_json): (String, String) = conn
        .query_row("SELECT format, options FROM import_batches", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("batch");
    assert_eq!(format, "mapped");
    let json: serde_json::Value = serde_json::from_str(&options_json).expect("options json");
    assert_eq!(json["profile"]["name"], "otc");
    assert_eq!(json["profile"]["sha256"].as_str(), Some(profile.sha256.as_str()));
    assert_eq!(json["profile"]["profile"]["tx_hash"], "Ref");
    drop(conn);

    // The amounts, exact to the base unit, through the ledger's own summary.
    let out = hoptrace(dir.path(), &["ledger-info", "--json", &ledger_path.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let asset = |key: &str| {
        info["assets"].as_array().and_then(|a| a.iter().find(|x| x["asset"] == key)).cloned().unwrap_or_default()
    };
    // 1,250.5 USDT (6 decimals); 7.4 ETH; the returned 340282366920938463463.374607431768211457 ETH is kept
    // as a failed attempt and not counted.
    assert_eq!(asset("0xdac17f958d2ee523a2206206994597c13d831ec7")["total_base_units"], "1250500000");
    assert_eq!(asset("ETH")["total_base_units"], "7400000000000000000");
    assert_eq!(info["failed_transfers"], 1);
}

#[test]
fn cli_imports_with_a_saved_profile_and_names_the_saved_ones_when_unknown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    ProfileStore::at(config.join("profiles")).save("otc", &otc_profile()).expect("save");
    let file = dir.path().join("otc-ledger.csv");
    std::fs::write(&file, OTC).expect("write");
    let ledger = dir.path().join("l.sqlite").display().to_string();
    let file_s = file.display().to_string();

    let out = hoptrace(&config, &["import", "--ledger", &ledger, "--profile", "otc", &file_s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("{file_s}: imported [mapped] 3 rows: 3 transfers, 0 labels, 0 refused, 0 duplicates, 0 skipped")
    );

    let out = hoptrace(&config, &["import", "--ledger", &ledger, "--profile", "bank", &file_s]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.starts_with("hoptrace: error: --profile: no mapping profile named \"bank\" in "), "{err}");
    assert!(err.trim_end().ends_with(": saved profiles are: otc"), "{err}");

    let out = hoptrace(&config, &["import", "--profiles"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("otc\tsha256 "), "{}", text(&out.stdout));

    // A profile that leaves the chain open: the CLI says to pass --chain, then --chain works.
    let open = Profile { chain: None, asset: AssetSource::Native, ..otc_profile() };
    ProfileStore::at(config.join("profiles")).save("open", &open).expect("save");
    let eth_only = dir.path().join("eth-only.csv");
    let body: String = OTC.lines().filter(|l| !l.contains(";0xdac17f")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&eth_only, body).expect("write");
    let eth_s = eth_only.display().to_string();
    let out = hoptrace(&config, &["import", "--ledger", &ledger, "--profile", "open", &eth_s]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "cannot tell the chain of this file (mapping profile \"open\" names no chain and no chain column): pass --chain"
        ),
        "{err}"
    );
    let out = hoptrace(&config, &["import", "--ledger", &ledger, "--profile", "open", "--chain", "bsc", &eth_s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported [mapped] 2 rows: 2 transfers"), "{}", text(&out.stdout));

    // --profile and --format exclude each other.
    let out = hoptrace(&config, &["import", "--ledger", &ledger, "--profile", "otc", "--format", "generic", &file_s]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot be used with"), "{}", text(&out.stderr));
}
