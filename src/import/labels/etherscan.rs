//! Etherscan label exports: the accounts of one label-cloud subject (`etherscan.io/accounts/label/tornado-cash`)
//! saved as CSV with the header `,Address,Name Tag,Balance,Txn Count` (the first column, without
//! a name, is a row number).
//!
//! Each row becomes one [`Label`]: entity = `Name Tag` (the subject, e.g. `Etherscan label
//! tornado-cash`, when the tag is empty), category from the file's subject, source = `FILE line
//! N (Etherscan label SUBJECT)`. The row number, `Balance` and `Txn Count` are not imported: a
//! balance is a snapshot of the day of the export, not an attribution.
//!
//! # Subject and category
//! `--category` when given. Else the subject is the file name without its extension and
//! without the words `etherscan`, `bscscan`, `polygonscan`, `arbiscan`, `basescan`, `label(s)`,
//! `accounts`, `export` and date or number parts (`etherscan-tornado-cash-2024-05-01.csv` →
//! `tornado-cash`), looked up in [`SUBJECTS`] (Etherscan label-cloud subjects), then in
//! [`Category::parse`] (`bridge`, `exchange`, `dex`, `mixer`, …). A subject neither knows gives no
//! category (unknown); the subject is kept as the label's source category either way.
//!
//! # Chain
//! `--chain`; else the explorer the file name names (`etherscan` → ethereum, `bscscan` → bsc,
//! `polygonscan` → polygon, `arbiscan` → arbitrum, `basescan` → base); else the import stops
//! asking for `--chain` (every address of these exports is a `0x` address).

use std::io::BufRead;

use csv::ByteRecord;

use super::{Placer, Unplaced, undecided};
use crate::import::csvutil::CsvFile;
use crate::import::{ReadContext, ReadError, Refusal, Sink};
use crate::model::{Category, Label};

/// Etherscan label-cloud subjects whose category is not their own name, and the category.
pub const SUBJECTS: [(&str, Category); 22] = [
    ("tornado-cash", Category::Mixer),
    ("tornado", Category::Mixer),
    ("mixer", Category::Mixer),
    ("blender", Category::Mixer),
    ("sinbad", Category::Mixer),
    ("bridge", Category::Bridge),
    ("cross-chain", Category::Bridge),
    ("exchange", Category::Exchange),
    ("binance", Category::Exchange),
    ("coinbase", Category::Exchange),
    ("kraken", Category::Exchange),
    ("okx", Category::Exchange),
    ("dex", Category::Dex),
    ("uniswap", Category::Dex),
    ("1inch", Category::Dex),
    ("phish-hack", Category::Actor),
    ("heist", Category::Actor),
    ("exploit", Category::Actor),
    ("hacker", Category::Actor),
    ("ofac-sanctioned", Category::Sanctioned),
    ("sanctioned", Category::Sanctioned),
    ("otc", Category::OtcBroker),
];

/// File-name words naming an explorer, and its chain.
const EXPLORERS: [(&str, &str); 5] = [
    ("etherscan", "ethereum"),
    ("bscscan", "bsc"),
    ("polygonscan", "polygon"),
    ("arbiscan", "arbitrum"),
    ("basescan", "base"),
];

/// Reads an Etherscan label export (see the module docs) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for a header without `Address`/`Name Tag` or a CSV syntax error;
/// [`ReadError::ChainUndecided`] when neither `--chain` nor the file name gives the chain.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let lower = ctx.file_name.to_ascii_lowercase();
    let hint = EXPLORERS.iter().find(|(w, _)| lower.contains(w));
    let rule = hint.map(|(w, _)| format!("file name contains {w}"));
    let fallback = hint.zip(rule.as_deref()).map(|((_, c), r)| (*c, r));
    let mut placer = Placer::new(ctx, fallback, sink)?;
    let mut cf = CsvFile::open(input)?;
    let address = cf.columns.require("address", &["address"])?;
    let tag = cf.columns.require("name tag", &["nametag"])?;
    let subject = subject(ctx.file_name);
    let category =
        ctx.options.category.or_else(|| subject.as_deref().and_then(category_of)).unwrap_or(Category::Unknown);
    let mut rec = ByteRecord::new();
    while let Some(line) = cf.next_row(&mut rec, sink)? {
        let text = match cf.required(&rec, address, line) {
            Ok(t) => t,
            Err(r) => {
                sink.refuse(r);
                continue;
            }
        };
        let (chain, addr) = match placer.place(text) {
            Ok(p) => p,
            Err(Unplaced::Undecided) => {
                return Err(undecided(line, text));
            }
            Err(Unplaced::Bad(m)) => {
                sink.refuse(Refusal::new(line, cf.name(address), m));
                continue;
            }
        };
        let name = match cf.cell(&rec, tag, line) {
            Ok(n) => n,
            Err(r) => {
                sink.refuse(r);
                continue;
            }
        };
        let entity = match (name, &subject) {
            ("", Some(s)) => format!("Etherscan label {s}"),
            ("", None) => {
                let m = "empty, and the file name names no label subject: expected a name tag";
                sink.refuse(Refusal::new(line, cf.name(tag), m));
                continue;
            }
            (n, _) => n.to_owned(),
        };
        let source = match &subject {
            Some(s) => format!("{} line {line} (Etherscan label {s})", ctx.file_name),
            None => format!("{} line {line} (Etherscan label export)", ctx.file_name),
        };
        sink.label(Label {
            source_category: subject.clone(),
            line,
            ..Label::new(chain, addr, entity, category, source)
        })?;
    }
    placer.finish(sink);
    Ok(())
}

/// The label-cloud subject a file name names, if any (see the module docs).
#[must_use]
pub fn subject(file_name: &str) -> Option<String> {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s).to_ascii_lowercase();
    let noise = [
        "etherscan",
        "bscscan",
        "polygonscan",
        "arbiscan",
        "basescan",
        "label",
        "labels",
        "accounts",
        "export",
        "io",
        "csv",
    ];
    let words: Vec<&str> = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !noise.contains(w) && !w.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    (!words.is_empty()).then(|| words.join("-"))
}

/// The category of a subject: [`SUBJECTS`], then [`Category::parse`]; `None` when neither knows it.
#[must_use]
pub fn category_of(subject: &str) -> Option<Category> {
    SUBJECTS
        .iter()
        .find(|(s, _)| *s == subject)
        .map(|(_, c)| *c)
        .or_else(|| Category::parse(subject).filter(|c| *c != Category::Unknown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Collected, ImportOptions};

    const HEADER: &str = ",Address,Name Tag,Balance,Txn Count\n";

    fn run(name: &str, body: &str, chain: Option<&str>) -> Result<Collected, ReadError> {
        let opts = ImportOptions { chain: chain.map(str::to_owned), ..ImportOptions::default() };
        let ctx = ReadContext { file_name: name, path: None, options: &opts };
        let mut sink = Collected::default();
        read(&mut format!("{HEADER}{body}").as_bytes(), &ctx, &mut sink)?;
        Ok(sink)
    }

    #[test]
    fn subjects_from_file_names() {
        let got: Vec<(Option<String>, Option<Category>)> = [
            "tornado-cash.csv",
            "etherscan-bridge-2024-05-01.csv",
            "Exchange.csv",
            "export-uniswap.csv",
            "gaming.csv",
            "etherscan.csv",
        ]
        .iter()
        .map(|n| {
            let s = subject(n);
            let c = s.as_deref().and_then(category_of);
            (s, c)
        })
        .collect();
        assert_eq!(
            got,
            [
                (Some("tornado-cash".to_owned()), Some(Category::Mixer)),
                (Some("bridge".to_owned()), Some(Category::Bridge)),
                (Some("exchange".to_owned()), Some(Category::Exchange)),
                (Some("uniswap".to_owned()), Some(Category::Dex)),
                (Some("gaming".to_owned()), None),
                (None, None),
            ]
        );
    }

    #[test]
    fn tornado_cash_export_from_etherscan() {
        let body = "1,0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc,Tornado.Cash: 0.1 ETH,\"1,234.5 ETH\",\"12,345\"\n\
                    2,0x47CE0C6eD5B0Ce3d3A51fdb1C52DC66a7c3c2936,,0 ETH,1\n";
        let c = run("etherscan-tornado-cash.csv", body, None).unwrap_or_default();
        let got: Vec<String> = c
            .labels
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} {} {:?} | {}",
                    l.line,
                    l.chain,
                    l.address,
                    l.category.name(),
                    l.source_category,
                    l.entity
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "2 ethereum 0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc mixer Some(\"tornado-cash\") | Tornado.Cash: 0.1 ETH",
                "3 ethereum 0x47ce0c6ed5b0ce3d3a51fdb1c52dc66a7c3c2936 mixer Some(\"tornado-cash\") | Etherscan label tornado-cash",
            ]
        );
        assert_eq!(
            c.labels.first().map(|l| l.source.as_str()),
            Some("etherscan-tornado-cash.csv line 2 (Etherscan label tornado-cash)")
        );
        assert_eq!(c.chain, Some(("ethereum".to_owned(), "file name contains etherscan".to_owned())));
    }

    #[test]
    fn chain_needs_option_or_explorer_name_and_bad_rows_are_refused() {
        let body = "1,0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc,Router,0,1\n";
        let err = run("bridge.csv", body, None).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("cannot tell the chain of this file (line 2 holds the 0x address"), "{err}");
        let body = "1,0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc,Router,0,1\n2,0x12D66f87,Short,0,1\n";
        let c = run("bridge.csv", body, Some("polygon")).unwrap_or_default();
        assert_eq!(
            c.labels.iter().map(|l| (l.chain.as_str(), l.category)).collect::<Vec<_>>(),
            [("polygon", Category::Bridge)]
        );
        assert_eq!(c.refused.iter().map(|r| (r.line, r.field.as_str())).collect::<Vec<_>>(), [(3, "Address")]);
        let bad = run("x.csv", "", None).err().map(|e| e.to_string());
        assert!(bad.is_none(), "an export with a header and no rows is empty, not wrong: {bad:?}");
        let opts = ImportOptions::default();
        let ctx = ReadContext { file_name: "etherscan-x.csv", path: None, options: &opts };
        let e = read(&mut &b"Address,Balance\n"[..], &ctx, &mut Collected::default()).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("line 1: header has no name tag column (looked for nametag); header is: Address,Balance")
        );
    }
}
