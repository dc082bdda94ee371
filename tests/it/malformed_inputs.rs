//! A table of malformed inputs: each gives its exact error (file-level) or refusal (line,
//! field, reason), and leaves the ledger exactly as it was.

use crate::common;

use std::path::Path;

use hoptrace::import::{Format, ImportOptions};
use hoptrace::ledger::{ImportOutcome, SqliteLedger};

const H: &str = "0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0";
const A: &str = "0xae2fc483527b8ef99eb5d9b44875f005ba1fae13";
const B: &str = "0x6b75d8af000000e20b7a7ddf000ba900b4009a80";
const HEAD: &str = "hash,from_address,to_address,value,block_timestamp\n";

enum Expect {
    /// The file is refused as a whole: the error text after "PATH: ".
    Error(&'static str),
    /// The file is refused as a whole: the error text after "PATH: " starts with this.
    ErrorStarting(&'static str),
    /// Rows are refused: (line, field, reason) each, exactly.
    Refused(Vec<(u64, &'static str, String)>),
}

struct Case {
    name: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    format: Option<Format>,
    chain: Option<&'static str>,
    expect: Expect,
}

fn tx(rest: &str) -> Vec<u8> {
    format!("{HEAD}{rest}\n").into_bytes()
}

fn refused(line: u64, field: &'static str, reason: impl Into<String>) -> Expect {
    Expect::Refused(vec![(line, field, reason.into())])
}

fn cases() -> Vec<Case> {
    let over = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
    let mut non_utf8 = format!("{HEAD}{H},{A},").into_bytes();
    non_utf8.extend_from_slice(b"0x6b75d8af\xff\xfe,1,1683029999\n");
    let mut bad_header = b"hash,from_\xffaddress,to_address,value\n".to_vec();
    bad_header.extend_from_slice(format!("{H},{A},{B},1\n").as_bytes());
    let case = |name, file, bytes, expect| Case { name, file, bytes, format: None, chain: None, expect };
    vec![
        case("truncated row", "t.csv", tx(&format!("{H},{A}")), refused(2, "row", "expected 5 columns as in the header, found 2")),
        case("too many columns", "t.csv", tx(&format!("{H},{A},{B},1,1683029999,x,y")), refused(2, "row", "expected 5 columns as in the header, found 7")),
        case("unterminated quote", "t.csv", tx(&format!("{H},{A},\"{B},1,1683029999")), refused(2, "row", "expected 5 columns as in the header, found 3")),
        case("non-UTF-8 cell", "t.csv", non_utf8, refused(2, "to_address", "cell is not UTF-8 text: expected UTF-8 (re-save the export as UTF-8)")),
        case("value with exponent", "t.csv", tx(&format!("{H},{A},{B},1.5e18,1683029999")), refused(2, "value", "found \"1.5e18\": expected an integer number of wei in plain digits, not an exponent (scientific notation: a tool rounded it through a float; re-export)")),
        case("negative value", "t.csv", tx(&format!("{H},{A},{B},-5,1683029999")), refused(2, "value", "found \"-5\": expected an integer number of wei in plain digits, not a negative amount (from/to give the direction)")),
        case("value above 2^256", "t.csv", tx(&format!("{H},{A},{B},{over},1683029999")), refused(2, "value", format!("found \"{over}\": expected at most 2^256 - 1 wei"))),
        case("fractional base units", "t.csv", tx(&format!("{H},{A},{B},1.5,1683029999")), refused(2, "value", "found \"1.5\": expected an integer number of wei in plain digits, without a fraction (these exports write whole base units)")),
        case("not a number", "t.csv", tx(&format!("{H},{A},{B},12 ETH,1683029999")), refused(2, "value", "found \"12 ETH\": expected an integer number of wei in plain digits, without separators or other characters")),
        case("bad address", "t.csv", tx(&format!("{H},0x123,{B},1,1683029999")), refused(2, "from_address", "\"0x123\" is not a valid ethereum address: expected 0x followed by 40 hexadecimal digits")),
        case("missing sender", "t.csv", tx(&format!("{H},,{B},1,1683029999")), refused(2, "from_address", "missing: expected an address")),
        case("bad date", "t.csv", tx(&format!("{H},{A},{B},1,yesterday")), refused(2, "block_timestamp", "found \"yesterday\": expected Unix seconds (ethereum-etl) or YYYY-MM-DD HH:MM:SS UTC (BigQuery), such as 1683029999 or 2023-05-02 12:19:59 UTC")),
        case("time before the first block", "t.csv", tx(&format!("{H},{A},{B},1,1")), refused(2, "block_timestamp", "found 1970-01-01T00:00:01Z: expected a time between 2009-01-03T00:00:00Z (the first block) and one day from now")),
        case("bad transaction hash", "t.csv", tx(&format!("0x12,{A},{B},1,1683029999")), refused(2, "hash", "expected a transaction hash: 0x followed by 64 hexadecimal digits")),
        case(
            "several bad rows all reported",
            "t.csv",
            tx(&format!("{H},{A},{B},-1,1683029999\n{H},{A},{B},1,1683029999\n{H},{A},0xzz,1,1683029999")),
            Expect::Refused(vec![(2, "value", "found \"-1\": expected an integer number of wei in plain digits, not a negative amount (from/to give the direction)".to_owned()), (4, "to_address", "\"0xzz\" is not a valid ethereum address: expected 0x followed by 40 hexadecimal digits".to_owned())]),
        ),
        case("JSON line that is not JSON", "t.json", format!("{{\"hash\": \"{H}\", \"from_address\": \"{A}\", \"to_address\": \"{B}\", \"value\": 1, \"nonce\": 1}}\n{{\"hash\": \"{H}\", \"from_add\n").into_bytes(), refused(2, "row", "not a JSON object (EOF while parsing a string at column 88): expected one ethereum-etl record a line")),
        case("JSON value of the wrong type", "t.json", format!("{{\"hash\": \"{H}\", \"from_address\": \"{A}\", \"to_address\": \"{B}\", \"value\": [1], \"nonce\": 1}}\n").into_bytes(), refused(1, "value", "found [1]: expected a string or a number")),
        case("empty file", "t.csv", Vec::new(), Expect::Error("the file is empty: expected an export with a header or JSON records")),
        case("blank file", "t.csv", b"\n\n  \n".to_vec(), Expect::Error("the file is empty: expected an export with a header or JSON records")),
        case("binary garbage", "t.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00garbage".to_vec(), Expect::Error("the file holds binary data (7 control bytes in the first 17 bytes): expected a text export (CSV, JSON or YAML)")),
        case("not UTF-8 at all", "t.csv", b"caf\xe9,\xe0\xe0\n".to_vec(), Expect::Error("the file is not UTF-8 text (invalid byte at offset 3): expected a UTF-8 export")),
        case("unknown CSV header", "t.csv", b"a,b,c\n1,2,3\n".to_vec(), Expect::ErrorStarting("cannot recognise the CSV header \"a,b,c\"")),
        case("duplicated header", "t.csv", format!("hash,from_address,to_address,value,value\n{H},{A},{B},1,1\n").into_bytes(), Expect::Error("line 1: column \"value\" appears twice in the header (columns 4 and 5): expected each column once")),
        Case { name: "missing required column", file: "t.csv", bytes: format!("hash,from_address,to_address,nonce\n{H},{A},{B},1\n").into_bytes(), format: Some(Format::EthereumEtlTransactions), chain: None, expect: Expect::Error("line 1: header has no value column (looked for value); header is: hash,from_address,to_address,nonce") },
        Case { name: "header not UTF-8", file: "t.csv", bytes: bad_header, format: Some(Format::EthereumEtlTransactions), chain: None, expect: Expect::Error("line 1: header column 2 is not UTF-8 text: expected a CSV header") },
        Case { name: "chain not in the registry", file: "t.csv", bytes: tx(&format!("{H},{A},{B},1,1")), format: None, chain: Some("dogechain"), expect: Expect::ErrorStarting("line 1: --chain dogechain: unknown chain \"dogechain\" (known: ") },
    ]
}

/// Malformed rows in the other formats, each with its reader's exact refusal.
fn other_format_cases() -> Vec<Case> {
    let t64 = "ab".repeat(32);
    let case = |name, file, text: String, expect| Case {
        name,
        file,
        bytes: text.into_bytes(),
        format: None,
        chain: None,
        expect,
    };
    let scan_header = "\"Transaction Hash\",\"Blockno\",\"UnixTimestamp\",\"DateTime (UTC)\",\"From\",\"To\",\"ContractAddress\",\"Value_IN(ETH)\",\"Value_OUT(ETH)\",\"TxnFee(ETH)\",\"Status\",\"ErrCode\"";
    vec![
        case(
            "explorer value more precise than the asset",
            "etherscan-prec.csv",
            format!(
                "{scan_header}\n\"{H}\",\"1\",\"1683029999\",\"2023-05-02 12:19:59\",\"{A}\",\"{B}\",\"\",\"0.0000000000000000001\",\"0\",\"0.1\",\"\",\"\"\n"
            ),
            refused(
                2,
                "Value_IN(ETH)",
                "found \"0.0000000000000000001\": expected at most 18 decimal places (ETH has 18 decimals)",
            ),
        ),
        case(
            "explorer spreadsheet date that is no date",
            "etherscan-date.csv",
            format!(
                "{scan_header}\n\"{H}\",\"1\",\"\",\"13/25/2023 10:00\",\"{A}\",\"{B}\",\"\",\"1\",\"0\",\"0.1\",\"\",\"\"\n"
            ),
            refused(
                2,
                "DateTime (UTC)",
                "found \"13/25/2023 10:00\": expected Unix seconds, ISO 8601 (2023-05-02 12:19:59), a spreadsheet date (5/2/2023 12:19) or a spreadsheet serial number",
            ),
        ),
        case(
            "token of unknown decimals",
            "etherscan-tok.csv",
            format!(
                "\"Txhash\",\"UnixTimestamp\",\"DateTime\",\"From\",\"To\",\"Value\",\"ContractAddress\",\"TokenName\",\"TokenSymbol\"\n\"{H}\",\"1683029999\",\"2023-05-02 12:19:59\",\"{A}\",\"{B}\",\"5\",\"0x1111111111111111111111111111111111111111\",\"Mystery\",\"MYS\"\n"
            ),
            refused(
                2,
                "ContractAddress",
                "found token 0x1111111111111111111111111111111111111111 (MYS) whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass `--token-decimals 0x1111111111111111111111111111111111111111=N` with the token's decimals N",
            ),
        ),
        case(
            "unconfirmed Tron transfer",
            "tron.csv",
            format!(
                "Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,tokenAddress,isConfirm\n{t64},50900000,2023-03-28 18:40:00,2023-03-28 10:40:00,TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre,TFdTr9C3BqQrzKBXqSxJfAZFTh8UwBAfSg,10,USDT,TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,false\n"
            ),
            refused(
                2,
                "isConfirm",
                "found \"false\", not confirmed: expected a confirmed transfer; re-export it once confirmed",
            ),
        ),
        case(
            "Bitcoin output with a negative value",
            "btc.json",
            format!(
                "{{\"txid\": \"{t64}\", \"vin\": [], \"vout\": [{{\"value\": -1.0, \"n\": 0, \"scriptPubKey\": {{\"address\": \"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ\", \"type\": \"pubkeyhash\"}}}}]}}\n"
            ),
            refused(
                1,
                "vout[0].value",
                "found -1.0: expected a BTC amount in plain digits such as 0.00012345, as Bitcoin Core writes it, without a sign",
            ),
        ),
        case(
            "Bitcoin address with a bad checksum",
            "btc.json",
            format!(
                "{{\"txid\": \"{t64}\", \"vin\": [], \"vout\": [{{\"value\": 1.0, \"n\": 0, \"scriptPubKey\": {{\"address\": \"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPR\", \"type\": \"pubkeyhash\"}}}}]}}\n"
            ),
            refused(
                1,
                "vout[0].scriptPubKey.address",
                "found \"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPR\": expected a bitcoin address, a base58check (1…, 3…) or bech32 (bc1…) address with a valid checksum",
            ),
        ),
        case(
            "sanctions list address with a bad checksum",
            "sanctioned_addresses_XBT.txt",
            "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPR\n".to_owned(),
            refused(
                1,
                "address",
                "found \"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPR\": expected a bitcoin address, a base58check (1…, 3…) or bech32 (bc1…) address with a valid checksum",
            ),
        ),
        case(
            "TagPack YAML syntax error",
            "tp.yaml",
            format!("title: x\ncreator: y\nsource: z\ntags:\n- address: {A}\n  currency: ETH\n  label: [unclosed\n"),
            Expect::Error(
                "line 8: YAML syntax error (did not find expected ',' or ']' at line 8 column 1, while parsing a flow sequence at line 7 column 10): expected a GraphSense TagPack: a YAML mapping of header fields with a `tags:` list",
            ),
        ),
        case(
            "generic CSV display amount without decimals",
            "gen.csv",
            format!("chain,tx_hash,from,to,asset,amount\nethereum,{H},{A},{B},ETH,1.5\n"),
            refused(
                2,
                "amount",
                "found \"1.5\": expected an integer number of base units (display amounts need a decimals column)",
            ),
        ),
        case(
            "Arkham asset of unknown decimals",
            "ark.csv",
            format!(
                "Timestamp,From Label,From,To Label,To,Value,Asset,Value USD,Txn Hash\n2023-05-02 12:19:59,,{A},,{B},1,NOTATOKEN,1,{H}\n"
            ),
            refused(
                2,
                "Asset",
                "found token NOTATOKEN whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass `--token-decimals NOTATOKEN=N` with the token's decimals N",
            ),
        ),
    ]
}

fn seeded_ledger(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("ledger.sqlite");
    let mut l = SqliteLedger::open(&path).expect("open");
    let good = common::write(dir, "good.csv", tx(&format!("{H},{A},{B},7,1683029999")));
    let r = l.import_file(&good, &ImportOptions::default(), None).expect("seed import");
    assert_eq!(r.transfers, 1);
    path
}

#[test]
fn every_malformed_input_is_refused_exactly_and_changes_nothing() {
    let mut cases = cases();
    cases.extend(other_format_cases());
    assert!(cases.len() >= 30, "the table holds at least 30 malformed inputs");
    // Every mismatch is collected, so one run names all of them.
    let mut wrong = Vec::new();
    for case in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let ledger_path = seeded_ledger(dir.path());
        let before = common::fingerprint(&ledger_path);
        let file = common::write(dir.path(), case.file, &case.bytes);
        let options =
            ImportOptions { format: case.format, chain: case.chain.map(str::to_owned), ..ImportOptions::default() };
        let mut ledger = SqliteLedger::open(&ledger_path).expect("reopen");
        let result = ledger.import_file(&file, &options, None);
        let prefix = format!("{}: ", file.display());
        match (&case.expect, result) {
            (Expect::Error(want), Err(e)) => {
                if e.to_string() != format!("{prefix}{want}") {
                    wrong.push(format!("{}: got {:?}", case.name, e.to_string().trim_start_matches(&prefix)));
                }
            }
            (Expect::ErrorStarting(want), Err(e)) => {
                if !e.to_string().starts_with(&format!("{prefix}{want}")) {
                    wrong.push(format!("{}: got {e}", case.name));
                }
            }
            (Expect::Refused(want), Ok(report)) => {
                let got: Vec<(u64, &str, String)> =
                    report.refused.iter().map(|r| (r.line, r.field.as_str(), r.message.clone())).collect();
                let want: Vec<(u64, &str, String)> = want.iter().map(|(l, f, m)| (*l, *f, m.clone())).collect();
                if report.outcome != ImportOutcome::RefusedRows || got != want {
                    wrong.push(format!("{}: {:?} got {got:?}", case.name, report.outcome));
                }
            }
            (_, other) => wrong.push(format!("{}: unexpected result {other:?}", case.name)),
        }
        drop(ledger);
        if common::fingerprint(&ledger_path) != before {
            wrong.push(format!("{}: the ledger changed", case.name));
        }
    }
    assert!(wrong.is_empty(), "{} case(s) wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn a_ledger_that_is_not_a_hoptrace_ledger_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "these are my case notes, not a database\n".repeat(200)).expect("write");
    let before = std::fs::read(&text).expect("read");
    let err = SqliteLedger::open(&text).err().expect("refused");
    assert_eq!(
        err.to_string(),
        format!("{}: not a hoptrace ledger: not an SQLite database (file is not a database)", text.display())
    );
    assert_eq!(std::fs::read(&text).expect("read"), before);

    let other = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).expect("create");
        c.execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');").expect("fill");
    }
    let before = std::fs::read(&other).expect("read");
    let err = SqliteLedger::open(&other).err().expect("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a hoptrace ledger: an SQLite database of another application (no hoptrace application id)",
            other.display()
        )
    );
    assert_eq!(std::fs::read(&other).expect("read"), before);
}
