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
use std::io::Read;

use super::columns::{case_label_rows, hop_rows, hops, labels, note_rows, notes};
use super::tablecheck::{check_graphml, check_table, check_transfers};
use super::unpack::{PackageError, PackageReader};
use crate::case::Case;

/// The largest `report.html` read whole to compare its table of hashes with the files.
pub const REPORT_HTML_BYTES: u64 = 64 << 20;

/// At most this many problems of one kind are listed one by one; the rest are counted.
const LISTED: usize = 10;

/// Collects problems of one kind, listing the first [`LISTED`].
pub(super) struct Findings<'a> {
    problems: &'a mut Vec<String>,
    counts: BTreeMap<&'static str, usize>,
}

impl<'a> Findings<'a> {
    fn new(problems: &'a mut Vec<String>) -> Self {
        Findings { problems, counts: BTreeMap::new() }
    }

    pub(super) fn push(&mut self, kind: &'static str, text: String) {
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
    check_table(reader, &hops::TABLE, "hop", &hop_rows(case), case, &mut f)?;
    check_table(reader, &labels::TABLE, "label", &case_label_rows(case), case, &mut f)?;
    check_table(reader, &notes::TABLE, "note", &note_rows(case), case, &mut f)?;
    check_report_html(reader, hashes, &mut f)?;
    check_kinds(reader, &mut f)?;
    f.finish();
    Ok(())
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
