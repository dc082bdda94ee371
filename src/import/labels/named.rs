//! hoptrace's labels CSV: one label a row, columns matched by name in any order.
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `address` | yes | the address, normalised for its chain |
//! | `label` | yes | entity name or label text |
//! | `chain` | no | a registry chain id (`ethereum`, `bitcoin`, `tron`, `bsc`, …); else `--chain`, else the address syntax (see [`super`]) |
//! | `category` | no | a hoptrace category or a known synonym ([`Category::parse`]); an empty cell takes `--category`, else unknown; any other word is refused naming the accepted ones |
//! | `actor` | no | threat actor |
//! | `source` | no | citation; default `FILE line N` |
//! | `confidence` | no | see below |
//! | `valid_from`, `valid_to` | no | ISO dates `YYYY-MM-DD`, `valid_from` not after `valid_to` |
//!
//! Any other column is refused (its data would be lost silently).
//!
//! # Confidence scale
//! Either a whole percentage `0`–`100` (how sure the source is), or one of the GraphSense
//! TagPack confidence levels [`CONFIDENCE_LEVELS`] (`ownership`, `authority_data`, …). It is
//! stored as written.

use std::io::BufRead;

use csv::ByteRecord;

use super::{Placer, Unplaced, undecided};
use crate::import::csvutil::CsvFile;
use crate::import::{ReadContext, ReadError, Refusal, Sink};
use crate::model::{Category, Label, registry};

/// The documented columns, as the header writes them.
pub const COLUMNS: [&str; 9] =
    ["address", "chain", "label", "category", "actor", "source", "confidence", "valid_from", "valid_to"];

/// GraphSense TagPack confidence levels accepted in `confidence`.
pub const CONFIDENCE_LEVELS: [&str; 8] = [
    "ownership",
    "authority_data",
    "service_data",
    "forensic",
    "manual",
    "heuristic",
    "web_crawl",
    "untrusted_transaction",
];

/// Column indexes, by [`COLUMNS`] order.
struct Cols([Option<usize>; 9]);

impl Cols {
    fn get(&self, name: &str) -> Option<usize> {
        COLUMNS.iter().position(|c| *c == name).and_then(|i| self.0.get(i).copied().flatten())
    }
}

/// Reads a labels CSV (see the module docs) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for a header without `address` or `label`, or with a column that is
/// not documented; [`ReadError::ChainUndecided`] for a `0x` address without a `chain` cell or
/// `--chain`.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let mut cf = CsvFile::open(input)?;
    let mut idx = [None; 9];
    for (i, n) in cf.columns.normalized().iter().enumerate() {
        let Some(k) = COLUMNS.iter().position(|c| c.replace('_', "") == *n) else {
            return Err(ReadError::format(
                1,
                format!(
                    "found column {:?}: expected only the documented label columns {}",
                    cf.name(i),
                    COLUMNS.join(", ")
                ),
            ));
        };
        if let Some(slot) = idx.get_mut(k) {
            *slot = Some(i);
        }
    }
    let cols = Cols(idx);
    for needed in ["address", "label"] {
        if cols.get(needed).is_none() {
            return Err(ReadError::format(
                1,
                format!("header has no {needed} column; header is: {}", cf.columns.names.join(",")),
            ));
        }
    }
    let mut placer = Placer::new(ctx, None, sink)?;
    let mut by_column = std::collections::BTreeSet::new();
    let mut rec = ByteRecord::new();
    while let Some(line) = cf.next_row(&mut rec, sink)? {
        match row(&cf, &cols, &rec, line, ctx, &mut placer) {
            Ok((l, from_column)) => {
                if from_column {
                    by_column.insert(l.chain.clone());
                }
                sink.label(l)?;
            }
            Err(Bad::Row(r)) => sink.refuse(r),
            Err(Bad::Undecided(a)) => return Err(undecided(line, &a)),
        }
    }
    if by_column.is_empty() {
        placer.finish(sink);
    } else {
        let chains: Vec<&str> = by_column.iter().map(String::as_str).collect();
        let rule = match placer.declared() {
            Some(_) => "chain column (--chain option where it is empty)".to_owned(),
            None => format!("chain column (where it is empty: {})", super::SYNTAX_RULE),
        };
        sink.chain_decided(&chains.join(", "), &rule);
    }
    Ok(())
}

enum Bad {
    Row(Refusal),
    Undecided(String),
}

fn row(
    cf: &CsvFile<'_>,
    cols: &Cols,
    rec: &ByteRecord,
    line: u64,
    ctx: &ReadContext<'_>,
    placer: &mut Placer,
) -> Result<(Label, bool), Bad> {
    cf.check_width(rec, line).map_err(Bad::Row)?;
    let get = |name: &str| -> Result<Option<(&str, String)>, Bad> {
        match cols.get(name) {
            None => Ok(None),
            Some(i) => {
                let v = cf.cell(rec, i, line).map_err(Bad::Row)?;
                Ok((!v.is_empty()).then(|| (v, cf.name(i).to_owned())))
            }
        }
    };
    let (text, address_col) =
        get("address")?.ok_or_else(|| Bad::Row(Refusal::new(line, "address", "empty: expected an address")))?;
    let (label, _) = get("label")?.ok_or_else(|| Bad::Row(Refusal::new(line, "label", "empty: expected a label")))?;
    let (chain, address, by_column) = match get("chain")? {
        Some((c, col)) => {
            let id = c.to_ascii_lowercase();
            let reg = registry();
            if reg.chain(&id).is_err() {
                let m = format!("found {c:?}: expected a chain id, one of: {}", reg.chain_ids().join(", "));
                return Err(Bad::Row(Refusal::new(line, col, m)));
            }
            let a = reg
                .normalize_address(&id, text)
                .map_err(|e| Bad::Row(Refusal::new(line, address_col.clone(), super::message(text, &e))))?;
            (id, a, true)
        }
        None => match placer.place(text) {
            Ok((c, a)) => (c, a, false),
            Err(Unplaced::Undecided) => return Err(Bad::Undecided(text.to_owned())),
            Err(Unplaced::Bad(m)) => return Err(Bad::Row(Refusal::new(line, address_col, m))),
        },
    };
    let (category, source_category) = match get("category")? {
        Some((c, col)) => match Category::parse(c) {
            Some(cat) => (cat, Some(c.to_owned())),
            None => {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
                let m = format!("found {c:?}: expected one of: {}", names.join(", "));
                return Err(Bad::Row(Refusal::new(line, col, m)));
            }
        },
        None => (ctx.options.category.unwrap_or(Category::Unknown), None),
    };
    let confidence = match get("confidence")? {
        Some((c, col)) => Some(confidence(c).map_err(|m| Bad::Row(Refusal::new(line, col, m)))?),
        None => None,
    };
    let mut dates = [None, None];
    for (slot, name) in dates.iter_mut().zip(["valid_from", "valid_to"]) {
        if let Some((d, col)) = get(name)? {
            d.parse::<jiff::civil::Date>().map_err(|_| {
                Bad::Row(Refusal::new(line, col, format!("found {d:?}: expected an ISO date YYYY-MM-DD")))
            })?;
            *slot = Some(d.to_owned());
        }
    }
    let [valid_from, valid_to] = dates;
    if let (Some(f), Some(t)) = (&valid_from, &valid_to)
        && f > t
    {
        let col = get("valid_to")?.map_or_else(|| "valid_to".to_owned(), |x| x.1);
        return Err(Bad::Row(Refusal::new(line, col, format!("found {t}: expected a date not before valid_from {f}"))));
    }
    let source = get("source")?.map_or_else(|| format!("{} line {line}", ctx.file_name), |(s, _)| s.to_owned());
    let label = Label {
        source_category,
        actor: get("actor")?.map(|(a, _)| a.to_owned()),
        confidence,
        valid_from,
        valid_to,
        line,
        ..Label::new(chain, address, label, category, source)
    };
    Ok((label, by_column))
}

/// Checks a confidence cell against the documented scale.
fn confidence(text: &str) -> Result<String, String> {
    let ok_number = text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u8>().is_ok_and(|n| n <= 100);
    if ok_number || CONFIDENCE_LEVELS.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(format!("found {text:?}: expected a whole percentage 0 to 100 or one of: {}", CONFIDENCE_LEVELS.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Collected, ImportOptions};

    fn run(text: &str, chain: Option<&str>) -> Result<Collected, ReadError> {
        let opts = ImportOptions { chain: chain.map(str::to_owned), ..ImportOptions::default() };
        let ctx = ReadContext { file_name: "labels.csv", path: None, options: &opts };
        let mut sink = Collected::default();
        read(&mut text.as_bytes(), &ctx, &mut sink)?;
        Ok(sink)
    }

    #[test]
    fn every_column_in_any_order() {
        let text = "label,address,chain,category,actor,source,confidence,valid_from,valid_to\n\
                    Lazarus Group,0x098B716B8Aaf21512996dC57EB0615e2383E2f96,ethereum,hacker,lazarusgroup,\"FBI PSA, 2022-04-14\",authority_data,2022-04-14,\n\
                    Tornado,0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc,bsc,mixer,,,90,2022-08-08,2025-03-21\n\
                    Seized,1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,,,,,,,\n";
        let c = run(text, None).unwrap_or_default();
        assert!(c.refused.is_empty(), "{:?}", c.refused);
        let got: Vec<String> = c
            .labels
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} {} {:?} {:?} {:?} {:?} {:?} | {} | {}",
                    l.line,
                    l.chain,
                    l.address,
                    l.category.name(),
                    l.source_category,
                    l.actor,
                    l.confidence,
                    l.valid_from,
                    l.valid_to,
                    l.entity,
                    l.source
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "2 ethereum 0x098b716b8aaf21512996dc57eb0615e2383e2f96 actor Some(\"hacker\") Some(\"lazarusgroup\") Some(\"authority_data\") Some(\"2022-04-14\") None | Lazarus Group | FBI PSA, 2022-04-14",
                "3 bsc 0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc mixer Some(\"mixer\") None Some(\"90\") Some(\"2022-08-08\") Some(\"2025-03-21\") | Tornado | labels.csv line 3",
                "4 bitcoin 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ unknown None None None None None | Seized | labels.csv line 4",
            ]
        );
    }

    #[test]
    fn each_bad_cell_is_refused_with_line_field_and_message() {
        let text = "address,chain,label,category,confidence,valid_from,valid_to\n\
                    1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,bitcoin,a,villain,,,\n\
                    1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,bitcoin,a,actor,101,,\n\
                    1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,bitcoin,a,actor,high,,\n\
                    1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,bitcoin,a,actor,,14/04/2022,\n\
                    1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,bitcoin,a,actor,,2023-01-01,2022-01-01\n\
                    1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,dogecoin,a,actor,,,\n\
                    0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc,bitcoin,a,,,,\n";
        let c = run(text, None).unwrap_or_default();
        let got: Vec<(u64, &str, &str)> =
            c.refused.iter().map(|r| (r.line, r.field.as_str(), r.message.as_str())).collect();
        assert_eq!(got.len(), 7, "{got:?}");
        assert_eq!(
            got.first().copied(),
            Some((
                2,
                "category",
                "found \"villain\": expected one of: victim, exchange, mixer, bridge, dex, otc_broker, actor, sanctioned, service, unknown"
            ))
        );
        assert_eq!(
            got.get(1).copied(),
            Some((
                3,
                "confidence",
                "found \"101\": expected a whole percentage 0 to 100 or one of: ownership, authority_data, service_data, forensic, manual, heuristic, web_crawl, untrusted_transaction"
            ))
        );
        assert_eq!(got.get(2).map(|g| (g.0, g.1)), Some((4, "confidence")));
        assert_eq!(
            got.get(3).copied(),
            Some((5, "valid_from", "found \"14/04/2022\": expected an ISO date YYYY-MM-DD"))
        );
        assert_eq!(
            got.get(4).copied(),
            Some((6, "valid_to", "found 2022-01-01: expected a date not before valid_from 2023-01-01"))
        );
        assert!(
            got.get(5).is_some_and(|g| g.0 == 7
                && g.1 == "chain"
                && g.2.starts_with("found \"dogecoin\": expected a chain id"))
        );
        assert!(got.get(6).is_some_and(|g| g.0 == 8 && g.1 == "address" && g.2.contains("expected a bitcoin address")));
    }

    #[test]
    fn header_problems_stop_the_import() {
        let e = |t: &str| run(t, None).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            e("address,label,notes\n"),
            "line 1: found column \"notes\": expected only the documented label columns address, chain, label, category, actor, source, confidence, valid_from, valid_to"
        );
        assert_eq!(e("address,chain\n"), "line 1: header has no label column; header is: address,chain");
        assert!(
            e("address,label\n0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc,x\n").starts_with("cannot tell the chain"),
            "no chain column, no --chain"
        );
        let c = run("address,label\n0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc,x\n", Some("base")).unwrap_or_default();
        assert_eq!(c.labels.first().map(|l| l.chain.as_str()), Some("base"));
    }
}
