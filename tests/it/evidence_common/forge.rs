//! The forgeries of issue 12, made as a forger would: each changes a package folder and then
//! recomputes what anyone can recompute (the manifest's file list and `SHA256SUMS`), so the
//! per-file hashes all match and only the package's agreement with itself (or a signature, or
//! a manifest hash known from elsewhere) can tell.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use hoptrace::case::{audit, file};
use hoptrace::export::sha256_hex;
use hoptrace::package::{Manifest, ManifestFile, sums_text};

use super::{RawEntry, raw_zip};

/// Thirty days, in seconds.
pub const THIRTY_DAYS: i64 = 30 * 24 * 3600;

/// Every forgery of a package folder the issue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    /// `transfers.csv`: the 99.7 ETH transfer made 9.7 ETH (base units and decimal amount).
    Amount,
    /// `transfers.csv`: the row of the 99.7 ETH transfer deleted.
    RowDeleted,
    /// `hops.csv`: hop 1's confidence 55 → 95 (`case.ron` still says 55).
    Confidence,
    /// `report.pdf` removed.
    ReportRemoved,
    /// `extra.txt` added.
    FileAdded,
    /// The whole audit chain 30 days earlier and by another investigator, rewritten with
    /// valid hashes in both `audit.jsonl` and `case.ron` (and the manifest's head).
    Backdated,
}

impl Forgery {
    /// All of them.
    pub const ALL: [Forgery; 6] = [
        Forgery::Amount,
        Forgery::RowDeleted,
        Forgery::Confidence,
        Forgery::ReportRemoved,
        Forgery::FileAdded,
        Forgery::Backdated,
    ];

    /// A short name (for folder names).
    pub fn name(self) -> &'static str {
        match self {
            Forgery::Amount => "amount",
            Forgery::RowDeleted => "row-deleted",
            Forgery::Confidence => "confidence",
            Forgery::ReportRemoved => "report-removed",
            Forgery::FileAdded => "file-added",
            Forgery::Backdated => "backdated",
        }
    }

    /// Applies the forgery to the package folder `pkg`, then recomputes the lists.
    pub fn apply(self, pkg: &Path) {
        match self {
            Forgery::Amount => edit_text(&pkg.join("transfers.csv"), |t| {
                let forged = t.replace(",99700000000000000000,99.7,", ",9700000000000000000,9.7,");
                assert_ne!(forged, t, "the 99.7 ETH transfer is in transfers.csv");
                forged
            }),
            Forgery::RowDeleted => edit_text(&pkg.join("transfers.csv"), |t| {
                let kept: Vec<&str> = t.lines().filter(|l| !l.contains(",99700000000000000000,99.7,")).collect();
                assert_eq!(kept.len() + 1, t.lines().count(), "one row deleted");
                kept.join("\n") + "\n"
            }),
            Forgery::Confidence => edit_csv(&pkg.join("hops.csv"), |header, rows| {
                let c = header.iter().position(|h| h == "confidence").unwrap();
                let hop1 = rows.iter_mut().find(|r| r[0] == "1").unwrap();
                assert_eq!(hop1[c], "55");
                hop1[c] = "95".to_owned();
            }),
            Forgery::ReportRemoved => std::fs::remove_file(pkg.join("report.pdf")).unwrap(),
            Forgery::FileAdded => std::fs::write(pkg.join("extra.txt"), "smuggled in\n").unwrap(),
            Forgery::Backdated => backdate(pkg, "A. Nother"),
        }
        recompute_lists(pkg);
    }
}

fn edit_text(path: &Path, f: impl FnOnce(&str) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(&text)).unwrap();
}

/// Rewrites a CSV file (as the csv crate writes it, which is how the export writes it).
fn edit_csv(path: &Path, f: impl FnOnce(&[String], &mut Vec<Vec<String>>)) {
    let bytes = std::fs::read(path).unwrap();
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let mut rows: Vec<Vec<String>> = r.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    f(&header, &mut rows);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for row in &rows {
        w.write_record(row).unwrap();
    }
    std::fs::write(path, w.into_inner().unwrap()).unwrap();
}

/// The audit chain 30 days earlier and by `who`, with every hash recomputed, in `case.ron`
/// and `audit.jsonl`; the case's times and investigator and the manifest's head and
/// investigator to match.
pub fn backdate(pkg: &Path, who: &str) {
    let case_path = pkg.join("case.ron");
    let mut case = file::from_bytes(&case_path, &std::fs::read(&case_path).unwrap()).unwrap();
    let mut prev = audit::GENESIS.to_owned();
    for e in &mut case.audit {
        e.time -= THIRTY_DAYS;
        e.investigator = who.to_owned();
        e.prev_hash = prev.clone();
        e.hash = audit::entry_hash(e.seq, e.time, &e.investigator, &e.command, &e.state, &e.prev_hash)
            .expect("a hashable entry");
        prev = e.hash.clone();
    }
    case.created -= THIRTY_DAYS;
    case.modified -= THIRTY_DAYS;
    case.investigator = who.to_owned();
    case.verify_audit().expect("the rewritten chain is valid on its own");
    std::fs::write(&case_path, file::to_bytes(&case).unwrap()).unwrap();
    let jsonl: String = case.audit.iter().map(|e| serde_json::to_string(e).unwrap() + "\n").collect();
    std::fs::write(pkg.join("audit.jsonl"), jsonl).unwrap();
    let m_path = pkg.join("manifest.json");
    let mut m = Manifest::from_bytes(&std::fs::read(&m_path).unwrap()).unwrap();
    m.audit_head = case.audit.last().map(|e| e.hash.clone());
    m.investigator = who.to_owned();
    std::fs::write(&m_path, m.to_bytes().unwrap()).unwrap();
}

/// Rewrites the manifest's file list (every file of the folder but the three lists) and
/// `SHA256SUMS` (every file but itself) to match the files as they are now.
pub fn recompute_lists(pkg: &Path) {
    let m_path = pkg.join("manifest.json");
    let mut m = Manifest::from_bytes(&std::fs::read(&m_path).unwrap()).unwrap();
    let mut names: Vec<String> =
        std::fs::read_dir(pkg).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let entry = |name: &str| {
        let bytes = std::fs::read(pkg.join(name)).unwrap();
        ManifestFile { name: name.to_owned(), sha256: sha256_hex(&bytes), size: bytes.len() as u64 }
    };
    m.files = names
        .iter()
        .filter(|n| !["manifest.json", "manifest.sig", "SHA256SUMS"].contains(&n.as_str()))
        .map(|n| entry(n))
        .collect();
    std::fs::write(&m_path, m.to_bytes().unwrap()).unwrap();
    let summed: Vec<ManifestFile> = names.iter().filter(|n| *n != "SHA256SUMS").map(|n| entry(n)).collect();
    std::fs::write(pkg.join("SHA256SUMS"), sums_text(&summed)).unwrap();
}

/// A signed package folder made unsigned: the manifest's signer set to null, `manifest.sig`
/// deleted, `SHA256SUMS` recomputed (nothing else).
pub fn strip_signature(pkg: &Path) {
    let m_path = pkg.join("manifest.json");
    let mut m = Manifest::from_bytes(&std::fs::read(&m_path).unwrap()).unwrap();
    assert!(m.signer_public_key.is_some(), "the package was signed");
    m.signer_public_key = None;
    std::fs::write(&m_path, m.to_bytes().unwrap()).unwrap();
    std::fs::remove_file(pkg.join("manifest.sig")).unwrap();
    let mut names: Vec<String> =
        std::fs::read_dir(pkg).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let summed: Vec<ManifestFile> = names
        .iter()
        .filter(|n| *n != "SHA256SUMS")
        .map(|n| {
            let bytes = std::fs::read(pkg.join(n)).unwrap();
            ManifestFile { name: n.clone(), sha256: sha256_hex(&bytes), size: bytes.len() as u64 }
        })
        .collect();
    std::fs::write(pkg.join("SHA256SUMS"), sums_text(&summed)).unwrap();
}

/// A zip of the package folder `pkg` in which `name` appears twice under `names` (the first
/// with `forged` content, the second the original): `[name, name]` for a true duplicate,
/// `[Name, name]` for a letter-case variant.
pub fn zip_with_two(pkg: &Path, name: &str, names: [&str; 2], forged: &[u8]) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut files: Vec<String> =
        std::fs::read_dir(pkg).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    files.sort();
    for f in files {
        let bytes = std::fs::read(pkg.join(&f)).unwrap();
        if f == name {
            entries.push(RawEntry::stored(names[0].as_bytes(), forged));
            entries.push(RawEntry::stored(names[1].as_bytes(), &bytes));
        } else {
            entries.push(RawEntry::stored(f.as_bytes(), &bytes));
        }
    }
    raw_zip(&entries)
}
