//! The package checked against itself, for `hoptrace verify`: the tables (`transfers.csv`,
//! `hops.csv`, `labels.csv`, `notes.csv`) against `case.ron`, the graph (`graph.graphml`)
//! against `transfers.csv`, the report (`report.html`'s table of data-file hashes) against
//! the files, the audit log against the times and authors `case.ron` records, and the kind of
//! every rendered file. A forger who rewrites one file and recomputes `SHA256SUMS` and the
//! manifest is caught here; one who rewrites every file consistently is not (only a signature
//! or a manifest hash known from elsewhere tells then: see [`super::verify`]).
//!
//! Every table is read as a stream (one CSV record or XML event at a time); only the rows of
//! transfers on the case's graph are kept (a few strings each). `report.html` is read whole,
//! up to [`REPORT_HTML_BYTES`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufReader, Read};

use quick_xml::events::Event;

use super::columns::{
    HOP_COLUMNS, LABEL_COLUMNS, NOTE_COLUMNS, TRANSFER_COLUMNS, case_label_rows, hop_rows, note_rows,
};
use super::readback::restore;
use super::unpack::{Bounded, PackageError, PackageReader};
use crate::case::{Case, NodeKey};
use crate::import::csvutil::neutralize;
use crate::model::Amount;

/// The largest `report.html` read whole to compare its table of hashes with the files.
pub const REPORT_HTML_BYTES: u64 = 64 << 20;

/// At most this many problems of one kind are listed one by one; the rest are counted.
const LISTED: usize = 10;

/// What `transfers.csv` says of one transfer of the graph.
struct Row {
    line: usize,
    amount_base: String,
    tx_hash: String,
    chain: String,
}

/// Collects problems of one kind, listing the first [`LISTED`].
struct Findings<'a> {
    problems: &'a mut Vec<String>,
    counts: BTreeMap<&'static str, usize>,
}

impl<'a> Findings<'a> {
    fn new(problems: &'a mut Vec<String>) -> Self {
        Findings { problems, counts: BTreeMap::new() }
    }

    fn push(&mut self, kind: &'static str, text: String) {
        let n = self.counts.entry(kind).or_default();
        *n += 1;
        if *n <= LISTED {
            self.problems.push(text);
        }
    }

    fn finish(self) {
        for (kind, n) in self.counts {
            if n > LISTED {
                self.problems.push(format!("{kind}: {} more problem(s) of this kind", n - LISTED));
            }
        }
    }
}

/// Runs every check; problems are appended to `problems`.
///
/// # Errors
/// [`PackageError`] when an entry cannot be read as its header declares (a zip bomb).
pub(crate) fn check(
    reader: &mut PackageReader,
    case: &Case,
    hashes: &BTreeMap<String, (String, u64)>,
    problems: &mut Vec<String>,
) -> Result<(), PackageError> {
    let mut f = Findings::new(problems);
    check_case_times(case, &mut f);
    let rows = check_transfers(reader, case, &mut f)?;
    check_graphml(reader, &rows, &mut f)?;
    check_table(reader, "hops.csv", &HOP_COLUMNS, "hop", &hop_rows(case), false, &mut f)?;
    check_table(reader, "labels.csv", &LABEL_COLUMNS, "label", &case_label_rows(case), true, &mut f)?;
    check_ledger_labels(reader, case, &mut f)?;
    check_table(reader, "notes.csv", &NOTE_COLUMNS, "note", &note_rows(case), false, &mut f)?;
    check_report_html(reader, hashes, &mut f)?;
    check_kinds(reader, &mut f)?;
    f.finish();
    Ok(())
}

fn csv_error(pkg: &std::path::Path, name: &str, e: &csv::Error) -> Option<PackageError> {
    // A read error of the entry itself (a zip bomb) ends the check; other CSV errors are
    // problems of the file.
    if let csv::ErrorKind::Io(io) = e.kind() {
        return Some(PackageError::Refused { path: pkg.to_owned(), entry: name.to_owned(), reason: io.to_string() });
    }
    None
}

/// Times and authors `case.ron` records beside its audit log: every hop, label and note
/// carries the time of the command that last set it, and the case its last change.
fn check_case_times(case: &Case, f: &mut Findings<'_>) {
    let Some(last) = case.audit.last() else { return };
    let by_time: HashMap<i64, BTreeSet<&str>> = case.audit.iter().fold(HashMap::new(), |mut m, e| {
        m.entry(e.time).or_default().insert(e.investigator.as_str());
        m
    });
    let at = |t: i64| super::rfc3339(t);
    if case.modified != last.time {
        f.push(
            "case.ron times",
            format!(
                "case.ron: the case was last changed at {} but its last audit entry (#{}) is at {}: \
                 the audit log's times were changed",
                at(case.modified),
                last.seq,
                at(last.time)
            ),
        );
    }
    let mut records: Vec<(String, i64, &str, bool)> = Vec::new();
    for (id, h) in &case.hops {
        // A finder's suggestion keeps the finder as its author, also once accepted: only the
        // time is compared.
        records.push((format!("hop {id}"), h.time, h.author.as_str(), true));
    }
    for (id, l) in &case.labels {
        records.push((format!("label {id}"), l.time, l.author.as_str(), false));
    }
    for (id, n) in &case.notes {
        records.push((format!("note {id}"), n.time, n.author.as_str(), false));
    }
    for (what, time, author, any_author) in records {
        match by_time.get(&time) {
            None => f.push(
                "case.ron times",
                format!(
                    "case.ron: {what} was recorded at {} by {author:?}, but no audit entry is at that time: \
                     the audit log's times were changed",
                    at(time)
                ),
            ),
            Some(who) if !any_author && !who.contains(author) => f.push(
                "case.ron authors",
                format!(
                    "case.ron: {what} was recorded by {author:?} at {}, but the audit entry of that time names {}: \
                     the audit log's authors were changed",
                    at(time),
                    who.iter().map(|w| format!("{w:?}")).collect::<Vec<_>>().join(", ")
                ),
            ),
            Some(_) => {}
        }
    }
}

/// `transfers.csv` against the transfers `case.ron` puts on the graph; returns what it says
/// of them.
fn check_transfers(
    reader: &mut PackageReader,
    case: &Case,
    f: &mut Findings<'_>,
) -> Result<HashMap<i64, Row>, PackageError> {
    let mut rows: HashMap<i64, Row> = HashMap::new();
    let pkg = reader.path().to_owned();
    let Some(stream) = reader.reader("transfers.csv")? else { return Ok(rows) };
    let stream = Bounded::csv(stream, "transfers.csv");
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(stream);
    match csv.headers() {
        Ok(h) if h.iter().eq(TRANSFER_COLUMNS) => {}
        Ok(h) => {
            f.push(
                "transfers.csv",
                format!(
                    "transfers.csv: the header is {}, expected {}",
                    h.iter().collect::<Vec<_>>().join(","),
                    TRANSFER_COLUMNS.join(",")
                ),
            );
            return Ok(rows);
        }
        Err(e) => {
            if let Some(err) = csv_error(&pkg, "transfers.csv", &e) {
                return Err(err);
            }
            f.push("transfers.csv", format!("transfers.csv: the header cannot be read: {e}"));
            return Ok(rows);
        }
    }
    let col = |name: &str| TRANSFER_COLUMNS.iter().position(|c| *c == name).unwrap_or(0);
    let (c_id, c_chain, c_tx, c_dec, c_base, c_amount) =
        (col("id"), col("chain"), col("tx_hash"), col("decimals"), col("amount_base_units"), col("amount"));
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let Some(err) = csv_error(&pkg, "transfers.csv", &e) {
                    return Err(err);
                }
                f.push("transfers.csv", format!("transfers.csv line {line}: {e}"));
                continue;
            }
        }
        let cell = |i: usize| restore(record.get(i).unwrap_or(""));
        if record.len() != TRANSFER_COLUMNS.len() {
            f.push(
                "transfers.csv",
                format!("transfers.csv line {line}: {} cells, the header has {}", record.len(), TRANSFER_COLUMNS.len()),
            );
            continue;
        }
        let Ok(id) = cell(c_id).parse::<i64>() else {
            f.push("transfers.csv", format!("transfers.csv line {line}: id {:?} is not a number", cell(c_id)));
            continue;
        };
        if !case.transfers.contains(&id) {
            f.push(
                "transfers.csv",
                format!("transfers.csv line {line}: transfer {id} is not on the graph of case.ron: the row was added"),
            );
            continue;
        }
        if let Some(first) = rows.get(&id) {
            f.push(
                "transfers.csv",
                format!("transfers.csv line {line}: transfer {id} has a row already (line {})", first.line),
            );
            continue;
        }
        let base = cell(c_base);
        let shown = cell(c_amount);
        if let (Ok(amount), Ok(decimals)) = (base.parse::<Amount>(), cell(c_dec).parse::<u8>())
            && amount.format_units(decimals) != shown
        {
            f.push(
                "transfers.csv",
                format!(
                    "transfers.csv line {line} (transfer {id}): amount {shown:?} is not amount_base_units {base} \
                     with {decimals} decimals ({}): one of the two was changed",
                    amount.format_units(decimals)
                ),
            );
        }
        rows.insert(
            id,
            Row { line, amount_base: base.to_owned(), tx_hash: cell(c_tx).to_owned(), chain: cell(c_chain).to_owned() },
        );
    }
    let missing: Vec<i64> = case.transfers.iter().filter(|id| !rows.contains_key(id)).copied().collect();
    for id in &missing {
        f.push(
            "transfers.csv",
            format!(
                "transfers.csv has no row for transfer {id}, which case.ron puts on the graph: the row was deleted"
            ),
        );
    }
    Ok(rows)
}

/// Every transfer edge of `graph.graphml` against `transfers.csv`: same transfer, amount in
/// base units, transaction and chain.
fn check_graphml(
    reader: &mut PackageReader,
    rows: &HashMap<i64, Row>,
    f: &mut Findings<'_>,
) -> Result<(), PackageError> {
    let pkg = reader.path().to_owned();
    let Some(stream) = reader.reader("graph.graphml")? else { return Ok(()) };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(Bounded::xml(stream, "graph.graphml")));
    let mut buf = Vec::new();
    let mut edge: Option<BTreeMap<String, String>> = None;
    let mut key: Option<String> = None;
    let mut text = String::new();
    loop {
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(quick_xml::Error::Io(io)) => {
                return Err(PackageError::Refused {
                    path: pkg,
                    entry: "graph.graphml".to_owned(),
                    reason: io.to_string(),
                });
            }
            Err(e) => {
                f.push(
                    "graph.graphml",
                    format!("graph.graphml: not readable XML at byte {}: {e}", xml.buffer_position()),
                );
                return Ok(());
            }
        };
        match event {
            Event::Eof => break,
            Event::Start(e) if e.name().as_ref() == "edge" => edge = Some(BTreeMap::new()),
            Event::Start(e) if e.name().as_ref() == "data" && edge.is_some() => {
                key = e.try_get_attribute("key").ok().flatten().map(|a| a.value.into_owned());
                text.clear();
            }
            Event::Text(t) if key.is_some() => text.push_str(&t),
            Event::GeneralRef(r) if key.is_some() => {
                text.push('&');
                text.push_str(&r);
                text.push(';');
            }
            Event::End(e) if e.name().as_ref() == "data" => {
                if let (Some(k), Some(map)) = (key.take(), edge.as_mut()) {
                    map.insert(k, std::mem::take(&mut text));
                }
            }
            Event::End(e) if e.name().as_ref() == "edge" => {
                if let Some(map) = edge.take() {
                    graphml_edge(&map, rows, f);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

fn graphml_edge(edge: &BTreeMap<String, String>, rows: &HashMap<i64, Row>, f: &mut Findings<'_>) {
    let Some(id_text) = edge.get("et") else { return };
    let Ok(id) = id_text.parse::<i64>() else {
        f.push("graph.graphml", format!("graph.graphml: an edge names transfer {id_text:?}, not a number"));
        return;
    };
    let Some(row) = rows.get(&id) else {
        f.push("graph.graphml", format!("graph.graphml: the edge of transfer {id} has no row in transfers.csv"));
        return;
    };
    for (key, field, csv_value) in
        [("eam", "amount_base_units", &row.amount_base), ("etx", "tx_hash", &row.tx_hash), ("ec", "chain", &row.chain)]
    {
        let graph_value = edge.get(key).map_or("", String::as_str);
        // An unknown amount (a UTXO input whose spent output is not in the ledger) is an empty
        // cell in transfers.csv and the ledger's mark, 0, in the graph.
        let unknown_amount = key == "eam" && csv_value.is_empty() && graph_value == "0";
        if graph_value != csv_value && !unknown_amount {
            f.push(
                "graph.graphml",
                format!(
                    "transfers.csv line {} (transfer {id}): {field} {csv_value:?}, but graph.graphml says \
                     {graph_value:?}: one of the two was changed",
                    row.line
                ),
            );
        }
    }
}

/// A table whose rows `case.ron` determines, compared cell by cell with the rows it should
/// have (by the id in its first column, or the second for `labels.csv`'s `case` rows).
fn check_table(
    reader: &mut PackageReader,
    name: &'static str,
    columns: &[&str],
    what: &str,
    expected: &[Vec<String>],
    labels: bool,
    f: &mut Findings<'_>,
) -> Result<(), PackageError> {
    let pkg = reader.path().to_owned();
    let Some(stream) = reader.reader(name)? else { return Ok(()) };
    let id_col = usize::from(labels);
    let mut want: BTreeMap<String, &Vec<String>> =
        expected.iter().map(|r| (r.get(id_col).cloned().unwrap_or_default(), r)).collect();
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(Bounded::csv(stream, name));
    match csv.headers() {
        Ok(h) if h.iter().eq(columns.iter().copied()) => {}
        Ok(h) => {
            f.push(
                name,
                format!(
                    "{name}: the header is {}, expected {}",
                    h.iter().collect::<Vec<_>>().join(","),
                    columns.join(",")
                ),
            );
            return Ok(());
        }
        Err(e) => {
            if let Some(err) = csv_error(&pkg, name, &e) {
                return Err(err);
            }
            f.push(name, format!("{name}: the header cannot be read: {e}"));
            return Ok(());
        }
    }
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let Some(err) = csv_error(&pkg, name, &e) {
                    return Err(err);
                }
                f.push(name, format!("{name} line {line}: {e}"));
                continue;
            }
        }
        if labels && record.get(0) != Some("case") {
            continue;
        }
        let id = record.get(id_col).unwrap_or("").to_owned();
        let Some(expected) = want.remove(&id) else {
            f.push(name, format!("{name} line {line}: {what} {id} is not in case.ron: the row was added"));
            continue;
        };
        let differing: Vec<String> = columns
            .iter()
            .enumerate()
            .filter_map(|(i, col)| {
                let have = record.get(i).unwrap_or("");
                let should = neutralize(expected.get(i).map_or("", String::as_str)).into_owned();
                (have != should).then(|| format!("{col} {:?}, case.ron says {:?}", restore(have), restore(&should)))
            })
            .collect();
        if !differing.is_empty() {
            f.push(name, format!("{name} line {line} ({what} {id}): {}", differing.join("; ")));
        }
    }
    for id in want.keys() {
        f.push(name, format!("{name} has no row for {what} {id} of case.ron: the row was deleted"));
    }
    Ok(())
}

/// The `ledger` rows of `labels.csv`: imported labels of addresses on the graph.
fn check_ledger_labels(reader: &mut PackageReader, case: &Case, f: &mut Findings<'_>) -> Result<(), PackageError> {
    let pkg = reader.path().to_owned();
    let Some(stream) = reader.reader("labels.csv")? else { return Ok(()) };
    let mut csv =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(Bounded::csv(stream, "labels.csv"));
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let Some(err) = csv_error(&pkg, "labels.csv", &e) {
                    return Err(err);
                }
                // The header and malformed rows were reported by the first pass.
                continue;
            }
        }
        match record.get(0) {
            Some("case") => {}
            Some("ledger") => {
                let key = NodeKey::address(restore(record.get(2).unwrap_or("")), restore(record.get(3).unwrap_or("")));
                if !case.nodes.contains_key(&key) {
                    f.push(
                        "labels.csv",
                        format!(
                            "labels.csv line {line}: an imported label of {}, which is not on the graph of case.ron: \
                             the row was added",
                            key.describe()
                        ),
                    );
                }
            }
            Some(other) => f.push(
                "labels.csv",
                format!("labels.csv line {line}: origin {:?}, expected case or ledger", restore(other)),
            ),
            None => {}
        }
    }
    Ok(())
}

/// `report.html` lists the SHA-256 and size of every data file it was made from: they must
/// be the files of the package.
fn check_report_html(
    reader: &mut PackageReader,
    hashes: &BTreeMap<String, (String, u64)>,
    f: &mut Findings<'_>,
) -> Result<(), PackageError> {
    let Some(size) = reader.entry("report.html").map(|e| e.size) else { return Ok(()) };
    if size > REPORT_HTML_BYTES {
        f.push(
            "report.html",
            format!(
                "report.html: {size} bytes, more than the {REPORT_HTML_BYTES} bytes verify reads to compare its \
                 figures with the files: not checked"
            ),
        );
        return Ok(());
    }
    let Some(bytes) = reader.read_whole("report.html", REPORT_HTML_BYTES)? else { return Ok(()) };
    let text = String::from_utf8_lossy(&bytes);
    let Some(start) = text.find("<section id=\"hashes\">") else {
        f.push("report.html", "report.html: it has no table of package hashes (section \"hashes\")".to_owned());
        return Ok(());
    };
    let section = &text[start..];
    let section = &section[..section.find("</section>").unwrap_or(section.len())];
    let mut listed = 0;
    for row in section.split("<tr>").skip(2) {
        let cells: Vec<&str> = row
            .split("<td")
            .skip(1)
            .map(|c| {
                let c = c.split_once('>').map_or("", |(_, rest)| rest);
                let c = c.split("</td>").next().unwrap_or("");
                c.trim_start_matches("<code>").trim_end_matches("</code>")
            })
            .collect();
        let [name, sha, bytes] = cells.as_slice() else {
            f.push("report.html", format!("report.html: a row of its hash table is not file, SHA-256, size: {row:?}"));
            continue;
        };
        listed += 1;
        let name = html_unescape(name);
        match hashes.get(&name) {
            None => f.push(
                "report.html",
                format!("report.html lists {name} in its hash table, but the package has no {name}: it was removed"),
            ),
            Some((h, s)) if h != sha || s.to_string() != *bytes => f.push(
                "report.html",
                format!(
                    "{name} does not match report.html: the report lists SHA-256 {sha} ({bytes} bytes), the file is \
                     {h} ({s} bytes): the file (or the report) was changed after the export"
                ),
            ),
            Some(_) => {}
        }
    }
    if listed == 0 {
        f.push("report.html", "report.html: its table of package hashes is empty".to_owned());
    }
    Ok(())
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Each rendered file is of its kind (`report.pdf` a PDF, `graph.png` a PNG, `graph.svg` and
/// `report.html` text of theirs): checked by their first bytes. Their text is not compared
/// with the tables (`report.pdf`'s text is in compressed, font-encoded streams).
fn check_kinds(reader: &mut PackageReader, f: &mut Findings<'_>) -> Result<(), PackageError> {
    for (name, starts, kind) in [
        ("report.pdf", &[&b"%PDF-"[..]][..], "a PDF"),
        ("graph.png", &[&b"\x89PNG\r\n\x1a\n"[..]][..], "a PNG image"),
        ("graph.svg", &[&b"<svg"[..], b"<?xml"][..], "an SVG drawing"),
        ("report.html", &[&b"<!DOCTYPE html>"[..], b"<!doctype html>", b"<html"][..], "an HTML page"),
    ] {
        let path = reader.path().to_owned();
        let Some(stream) = reader.reader(name)? else { continue };
        let mut head = Vec::with_capacity(16);
        stream.take(16).read_to_end(&mut head).map_err(|e| PackageError::Refused {
            path,
            entry: name.to_owned(),
            reason: e.to_string(),
        })?;
        if !starts.iter().any(|s| head.starts_with(s)) {
            f.push(name, format!("{name} is not {kind} (it starts with {:?})", String::from_utf8_lossy(&head)));
        }
    }
    Ok(())
}
