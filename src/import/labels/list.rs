//! Address lists with a label per address, as court exhibits and sanction notices print them:
//!
//! - `address,label[,note]` without a header (`1Abc…,Seized wallet,exhibit 7 p. 3`);
//! - `address,name`, the form OFAC-derived lists take, with the header line `address,name`
//!   or without it.
//!
//! A first line whose first cell is `address` is the header (counted as skipped). Every other
//! row is `address,label` or `address,label,note`; a row of one cell or of four and more is
//! refused. The chain is decided as the [module docs](super) say (`--chain`, else the
//! address's syntax; a `0x` address without `--chain` stops the import).
//!
//! Each row becomes one [`Label`]: entity = the label (name), category = `--category` (else
//! unknown: the list states none), source = `FILE line N`, or `FILE line N: NOTE` with a note.

use std::io::BufRead;

use csv::ByteRecord;

use super::{Placer, Rows, Unplaced, cell, undecided};
use crate::import::csvutil::normalize_header;
use crate::import::{ReadContext, ReadError, Refusal, Sink};
use crate::model::{Category, Label};

/// Reads an `address,label[,note]` or `address,name` list (see the module docs) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for an unknown `--chain`, a CSV syntax error or a file without any
/// row; [`ReadError::ChainUndecided`] for a `0x` address without `--chain`;
/// [`ReadError::Io`] / [`ReadError::Sink`] when reading or the sink fails.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let mut placer = Placer::new(ctx, None, sink)?;
    let category = ctx.options.category.unwrap_or(Category::Unknown);
    let mut rows = Rows::new(input);
    let mut rec = ByteRecord::new();
    let mut data = 0u64;
    let mut last = 0u64;
    while let Some(next) = rows.next(&mut rec, sink)? {
        let line = match next {
            Ok(line) => line,
            Err(r) => {
                data += 1;
                sink.row();
                sink.refuse(r);
                continue;
            }
        };
        last = line;
        if data == 0 && is_header(&rec) {
            sink.skip(line, "header line");
            data += 1;
            continue;
        }
        data += 1;
        sink.row();
        match row(&rec, line, ctx.file_name, &mut placer) {
            Ok(mut l) => {
                l.category = category;
                sink.label(l)?;
            }
            Err(Bad::Row(r)) => sink.refuse(r),
            Err(Bad::Undecided(address)) => return Err(undecided(line, &address)),
        }
    }
    if data == 0 {
        return Err(ReadError::format(
            last.max(1),
            "found no row: expected lines `address,label[,note]` or `address,name`",
        ));
    }
    placer.finish(sink);
    Ok(())
}

/// True for a header line `address,name` / `address,label[,note]` (any case).
fn is_header(rec: &ByteRecord) -> bool {
    rec.get(0).and_then(|f| std::str::from_utf8(f).ok()).is_some_and(|f| normalize_header(f) == "address")
}

/// Why a row gave no label.
enum Bad {
    /// A refused row.
    Row(Refusal),
    /// A `0x` address without a declared chain.
    Undecided(String),
}

fn row(rec: &ByteRecord, line: u64, file: &str, placer: &mut Placer) -> Result<Label, Bad> {
    if rec.len() > 3 {
        return Err(Bad::Row(Refusal::new(
            line,
            "row",
            format!("found {} cells: expected `address,label` or `address,label,note`", rec.len()),
        )));
    }
    let text = cell(rec, 0, line, "address").map_err(Bad::Row)?;
    let label = cell(rec, 1, line, "label").map_err(Bad::Row)?;
    let note = cell(rec, 2, line, "note").map_err(Bad::Row)?;
    let (chain, address) = match placer.place(text) {
        Ok(p) => p,
        Err(Unplaced::Undecided) => return Err(Bad::Undecided(text.to_owned())),
        Err(Unplaced::Bad(m)) => return Err(Bad::Row(Refusal::new(line, "address", m))),
    };
    if label.is_empty() {
        let m = "found nothing: expected a label (a name) after the address, as in `address,label[,note]`";
        return Err(Bad::Row(Refusal::new(line, "label", m)));
    }
    let source = if note.is_empty() { format!("{file} line {line}") } else { format!("{file} line {line}: {note}") };
    Ok(Label { line, ..Label::new(chain, address, label, Category::Unknown, source) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Collected, ImportOptions};

    fn run(name: &str, text: &str, chain: Option<&str>, category: Option<Category>) -> Result<Collected, ReadError> {
        let opts = ImportOptions { chain: chain.map(str::to_owned), category, ..ImportOptions::default() };
        let ctx = ReadContext { file_name: name, path: None, options: &opts };
        let mut sink = Collected::default();
        read(&mut text.as_bytes(), &ctx, &mut sink)?;
        Ok(sink)
    }

    fn brief(c: &Collected) -> Vec<String> {
        c.labels
            .iter()
            .map(|l| format!("{} {} {} {} | {}", l.line, l.chain, l.address, l.category.name(), l.entity))
            .chain(c.labels.iter().map(|l| l.source.clone()))
            .collect()
    }

    #[test]
    fn court_exhibit_list_without_header() {
        let text = "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,Seized wallet,exhibit 7 p. 3\n\n\
                    TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,\"Tether, TRC-20 contract\"\n";
        let c = run("exhibit-7.csv", text, None, Some(Category::Actor)).map_err(|e| e.to_string());
        let c = c.unwrap_or_default();
        assert_eq!(
            brief(&c),
            [
                "1 bitcoin 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ actor | Seized wallet",
                "3 tron TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t actor | Tether, TRC-20 contract",
                "exhibit-7.csv line 1: exhibit 7 p. 3",
                "exhibit-7.csv line 3",
            ]
        );
        assert_eq!((c.rows, c.skipped.get("blank line")), (2, Some(&1)));
        assert_eq!(c.chain.as_ref().map(|x| x.0.as_str()), Some("bitcoin, tron"));
    }

    #[test]
    fn ofac_address_name_with_header_and_chain() {
        let text = "address,name\n0x8589427373D6D84E98730D7795D8f6f8731FDA16,LAZARUS GROUP\n";
        let c = run("ofac-eth.csv", text, Some("ethereum"), None).unwrap_or_default();
        assert_eq!(
            brief(&c),
            ["2 ethereum 0x8589427373d6d84e98730d7795d8f6f8731fda16 unknown | LAZARUS GROUP", "ofac-eth.csv line 2"]
        );
        assert_eq!((c.rows, c.skipped.get("header line")), (1, Some(&1)));
        assert_eq!(c.chain, Some(("ethereum".to_owned(), "--chain option".to_owned())));
    }

    #[test]
    fn refusals_name_line_and_field() {
        let text = "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,ok\n134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak\n\
                    1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,a,b,c\n1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ!,x\n";
        let c = run("l.csv", text, None, None).unwrap_or_default();
        let got: Vec<(u64, &str)> = c.refused.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert_eq!(got, [(2, "label"), (3, "row"), (4, "address")]);
        assert_eq!(
            c.refused.get(1).map(|r| r.message.as_str()),
            Some("found 4 cells: expected `address,label` or `address,label,note`")
        );
        assert!(
            c.refused.get(2).is_some_and(|r| r
                .message
                .starts_with("found \"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ!\": expected a bitcoin address")),
            "{:?}",
            c.refused
        );
        assert_eq!(c.labels.len(), 1);
    }

    #[test]
    fn evm_without_chain_and_empty_file_stop_the_import() {
        let text = "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,a\n0x8589427373D6D84E98730D7795D8f6f8731FDA16,b\n";
        let err = run("l.csv", text, None, None).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            err.starts_with("cannot tell the chain of this file (line 2 holds the 0x address \"0x8589427373D6D84E98730D7795D8f6f8731FDA16\", which is valid on every EVM chain): pass --chain with one of: "),
            "{err}"
        );
        assert!(err.contains("ethereum") && err.contains("bsc") && !err.contains("bitcoin"), "{err}");
        let empty = run("l.csv", "\n\n", None, None).err().map(|e| e.to_string());
        assert_eq!(
            empty.as_deref(),
            Some("line 1: found no row: expected lines `address,label[,note]` or `address,name`")
        );
    }
}
