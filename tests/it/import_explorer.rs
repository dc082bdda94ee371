//! Today's Etherscan-family exports through the ledger: each file is one batch that records the
//! chain it was read as and how that was decided; `Method` and `Value (USD)` read back with the
//! transfers; name tags are stored as labels with their file and line; a file whose chain
//! nothing decides is refused naming `--chain`.

use crate::common;

use hoptrace::import::ImportOptions;
use hoptrace::ledger::{ImportOutcome, Ledger, LedgerError, SqliteLedger};
use hoptrace::model::{Category, TransferKind};

const A: &str = "0x8589427373d6d84e98730d7795d8f6f8731fda16";
const B: &str = "0x722122df12d4e14e13ac3b6895a86e84145b6967";
const USDT_BSC: &str = "0x55d398326f99059ff775485246999027b3197955";

fn hash(n: u8) -> String {
    format!("0x{}", format!("{n:02x}").repeat(32))
}

#[test]
fn current_layouts_import_with_chain_rule_method_usd_and_labels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");
    let normal = common::write(
        dir.path(),
        "export-0x8589427373d6d84e98730d7795d8f6f8731fda16.csv",
        format!(
            "Transaction Hash,Status,Method,Blockno,DateTime (UTC),From,From_Nametag,To,To_Nametag,Amount,Value (USD),Txn Fee\n\
             {},Success,Transfer,40000000,2024-07-01 10:00:00,{A},Binance 14,{B},,\"1,000 BNB\",\"$190,000.00\",0.00042\n\
             {},Error in Main Txn : out of gas,Swapin,40000001,2024-07-01 10:00:03,{B},,{A},Hacker,\"400,000,000,000,000,000,000.000000000000000001 BNB\",,0.001\n",
            hash(1),
            hash(2)
        ),
    );
    let report = ledger.import_file(&normal, &ImportOptions::default(), None).expect("import normal");
    assert_eq!(report.outcome, ImportOutcome::Committed, "{:?}", report.refused);
    assert_eq!((report.rows, report.transfers, report.labels), (2, 2, 2));

    let token = common::write(
        dir.path(),
        "bscscan-tokens.csv",
        format!(
            "Transaction Hash,Status,Method,BlockNo,DateTime (UTC),From,From_Nametag,To,To_Nametag,Amount,Value (USD),Token\n\
             {},Success,Transfer,40000002,2024-07-01 10:00:06,{A},Binance 14,{B},,\"1,000 BSC-USD\",\"$1,000.00\",Binance-Peg BSC-USD (BSC-USD)\n",
            hash(3)
        ),
    );
    // A token named only by symbol: its decimals from --token-decimals, never guessed.
    let decimals = ImportOptions { token_decimals: [("BSC-USD".to_owned(), 18)].into(), ..ImportOptions::default() };
    let report = ledger.import_file(&token, &decimals, None).expect("import token");
    assert_eq!(report.outcome, ImportOutcome::Committed, "{:?}", report.refused);
    // The same tag from another file is another citation: a new label row.
    assert_eq!((report.transfers, report.labels), (1, 1));

    let info = ledger.info().expect("info");
    let batches: Vec<(String, Option<String>, Option<String>)> =
        info.batches.iter().map(|b| (b.format.clone(), b.chain.clone(), b.chain_rule.clone())).collect();
    assert_eq!(
        batches,
        [
            (
                "etherscan-normal".to_owned(),
                Some("bsc".to_owned()),
                Some("value unit BNB in column Amount, line 2".to_owned())
            ),
            ("etherscan-token".to_owned(), Some("bsc".to_owned()), Some("file name contains bscscan".to_owned())),
        ]
    );

    let rows = ledger.tx_transfers("bsc", &hash(1)).expect("tx 1");
    assert_eq!(rows.len(), 1);
    let t = &rows[0].transfer;
    assert_eq!(
        (t.kind, t.asset.as_str(), t.amount_base.to_string()),
        (TransferKind::Native, "BNB", "1000000000000000000000".to_owned())
    );
    assert_eq!((t.method.as_deref(), t.stated_usd.as_deref()), (Some("Transfer"), Some("190000.00")));
    assert_eq!(rows[0].provenance.line, 2);

    let rows = ledger.tx_transfers("bsc", &hash(2)).expect("tx 2");
    let t = &rows[0].transfer;
    assert!(t.failed);
    assert_eq!(t.amount_base.to_string(), "400000000000000000000000000000000000001");
    assert_eq!((t.method.as_deref(), t.stated_usd.as_deref()), (Some("Swapin"), None));

    let rows = ledger.tx_transfers("bsc", &hash(3)).expect("tx 3");
    let t = &rows[0].transfer;
    assert_eq!((t.asset.as_str(), t.amount_base.to_string()), ("symbol:BSC-USD", "1000000000000000000000".to_owned()));
    assert_eq!(t.stated_usd.as_deref(), Some("1000.00"));

    let labels = ledger.labels(A).expect("labels of A");
    let mut sources: Vec<(String, String, Category)> =
        labels.iter().map(|l| (l.entity.clone(), l.source.clone(), l.category)).collect();
    sources.sort();
    assert_eq!(
        sources,
        [
            ("Binance 14".to_owned(), "explorer name tag, bscscan-tokens.csv line 2".to_owned(), Category::Unknown),
            (
                "Binance 14".to_owned(),
                "explorer name tag, export-0x8589427373d6d84e98730d7795d8f6f8731fda16.csv line 2".to_owned(),
                Category::Unknown
            ),
            (
                "Hacker".to_owned(),
                "explorer name tag, export-0x8589427373d6d84e98730d7795d8f6f8731fda16.csv line 3".to_owned(),
                Category::Actor
            ),
        ]
    );
}

#[test]
fn token_page_by_file_name_and_option_and_undecided_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("open");
    let mut csv = String::from("Txhash,Blockno,UnixTimestamp,DateTime,From,To,Quantity,Method\n");
    for i in 0..3000u32 {
        csv.push_str(&format!("0x{i:064x},{},,11/16/21 4:07,{A},{B},\"1,000.5\",Transfer\n", 12_800_000 + i));
    }
    let page = common::write(dir.path(), &format!("export-token-{USDT_BSC}.csv"), &csv);
    // No --chain: nothing in the file tells BSC; refused naming --chain, ledger unchanged.
    let e = ledger.import_file(&page, &ImportOptions::default(), None).err();
    let Some(LedgerError::ChainUndecided { message, .. }) = e else { panic!("expected ChainUndecided, got {e:?}") };
    assert!(message.contains("pass --chain with one of: arbitrum, avalanche, base, bsc, ethereum"), "{message}");
    assert!(ledger.info().expect("info").batches.is_empty());

    let bsc = ImportOptions { chain: Some("bsc".into()), ..ImportOptions::default() };
    let report = ledger.import_file(&page, &bsc, None).expect("import page");
    assert_eq!(report.outcome, ImportOutcome::Committed, "{:?}", report.refused.first());
    assert_eq!((report.rows, report.transfers), (3000, 3000));
    assert_eq!((report.chain.as_deref(), report.chain_rule.as_deref()), (Some("bsc"), Some("--chain option")));
    let info = ledger.info().expect("info");
    let usdt = info.per_asset.iter().find(|a| a.asset == USDT_BSC).expect("BSC-USD totals");
    // 3,000 × 1,000.5 tokens of 18 decimals, summed by the ledger.
    assert_eq!((usdt.transfers, usdt.total.to_string()), (3000, "3001500000000000000000000".to_owned()));
    let rows = ledger.tx_transfers("bsc", &format!("0x{:064x}", 0)).expect("first");
    assert_eq!(rows[0].transfer.time, Some(1_637_035_620));
    assert_eq!(rows[0].transfer.method.as_deref(), Some("Transfer"));

    // The same rows under a neutral name need --token-contract.
    let neutral = common::write(dir.path(), "token-page.csv", &csv);
    let e = ledger.import_file(&neutral, &bsc, None).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("pass --token-contract 0x… (and --token-decimals 0x…=N"), "{e}");
    let with_contract = ImportOptions { token_contract: Some(USDT_BSC.to_owned()), ..bsc };
    let report = ledger.import_file(&neutral, &with_contract, None).expect("import with --token-contract");
    // Same transfers as the first file: recognised as duplicates.
    assert_eq!((report.transfers, report.duplicates), (0, 3000));
}

fn hoptrace(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).output().expect("run hoptrace")
}

#[test]
fn cli_token_contract_option_and_closest_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("l.sqlite").display().to_string();
    let csv = format!(
        "Transaction Hash,Blockno,UnixTimestamp,DateTime (UTC),From,To,Quantity,Method\n{},1,,11/16/21 4:07,{A},{B},\"1,000\",Transfer\n",
        hash(9)
    );
    let page = common::write(dir.path(), "holders-page.csv", &csv).display().to_string();
    let out = hoptrace(&["import", "--ledger", &ledger, "--chain", "bsc", &page]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pass --token-contract 0x… (and --token-decimals 0x…=N"), "{stderr}");
    let out = hoptrace(&["import", "--ledger", &ledger, "--chain", "bsc", "--token-contract", USDT_BSC, &page]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!("{page}: imported [etherscan-token] 1 rows: 1 transfers, 0 labels, 0 refused, 0 duplicates, 0 skipped")
    );
    let info = hoptrace(&["ledger-info", "--json", &ledger]);
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).expect("json");
    assert_eq!(json["batches"][0]["chain"], "bsc");
    assert_eq!(json["batches"][0]["chain_rule"], "--chain option");

    let odd = common::write(
        dir.path(),
        "odd.csv",
        "Transaction Hash,Status,Method,Blockno,DateTime (UTC),From,From_Nametag,To,To_Nametag,Foo,Value (USD),Txn Fee\n",
    )
    .display()
    .to_string();
    let out = hoptrace(&["import", "--ledger", &ledger, &odd]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("closest: etherscan-normal (current layout); missing: Amount; unexpected: Foo"),
        "{stderr}"
    );
}
