//! Writing evidence packages: a case, its audit log and the ledger data it rests on, written
//! as one zip (or folder) that anyone can check offline with `sha256sum -c SHA256SUMS`, or with
//! `hoptrace verify` for the manifest, the audit chain and the signature as well. The format
//! (file list, manifest, columns) and everything that reads a package back (verify, open for
//! review) are in [`crate::package`].
//!
//! # Layout
//!
//! Files come in this order (the zip's entry order; a folder holds the same files):
//!
//! | file | what |
//! |---|---|
//! | `case.ron` | the case, byte for byte as a case file save writes it |
//! | `audit.jsonl` | the audit log, one JSON object per entry with its hashes |
//! | `transfers.csv` | every transfer on the graph, with provenance and explorer URL (text) |
//! | `hops.csv` | the annotated hops: kind, service, chains, transfers, confidence, rationale |
//! | `labels.csv` | the investigator's labels and the imported labels of the case's addresses |
//! | `notes.csv` | the investigator's notes |
//! | `graph.graphml` | the graph (GraphML 1.0, amounts as strings) |
//! | `stix.json` | a STIX 2.1 bundle of the addresses and hops |
//! | `graph.svg`, `graph.png` | the graph drawn as on the canvas (bundled font, text as paths) |
//! | `report.html` | one self-contained page: summary, graph, hops with rationale, timeline, labels, notes, audit, hashes |
//! | `report.pdf` | the same report as A4 pages (and the graph on A3) |
//! | `manifest.json` | format, case, investigator, tool version, ledger fingerprint, export time, and every file above with its SHA-256 and size ([`crate::package::Manifest`]) |
//! | `manifest.sig` | optional: an ed25519 signature over `manifest.json` ([`sign`]) |
//! | `SHA256SUMS` | `<sha256>  <name>` for every file but itself, for `sha256sum -c` |
//!
//! Every CSV cell goes through [`crate::import::csvutil::neutralize`] (a cell that a
//! spreadsheet would run as a formula gets a leading `'`); XML and JSON writers escape what
//! their formats need. Amounts are base-unit integers and exact decimal strings, never floats.
//!
//! # Determinism
//!
//! The same case and ledger exported with the same timestamp give byte-identical packages:
//! collections are written in sorted order, STIX identifiers are derived from content, zip
//! entries have a fixed order, permissions (0644) and modification time (the export time;
//! zip cannot hold times before 1980, which are written as 1980-01-01).

pub mod archive;
mod builder;
mod evidence;
mod graphml;
mod render;
mod stix;
mod tables;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub use crate::package::Evidence;
pub use crate::package::sign;
pub use builder::{FileHash, Package, PackageBuilder, sha256_hex};

use crate::case::file::CaseFileError;
use crate::ledger::LedgerError;
use crate::package::Manifest;

/// Why an export failed (nothing is left at the output path then).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The ledger is not the content the case was built on.
    #[error(
        "the ledger changed since the case was last saved (fingerprint {recorded} in the case, {current} now): \
         open the case and rebind it to the ledger before exporting"
    )]
    LedgerChanged {
        /// Fingerprint in the case.
        recorded: String,
        /// Fingerprint of the ledger.
        current: String,
    },
    /// Transfers on the graph that the ledger does not hold.
    #[error("the ledger lacks {} transfer(s) on the graph (ids {})", ids.len(), ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))]
    MissingTransfers {
        /// Their ids.
        ids: Vec<i64>,
    },
    /// The case file could not be read or written as RON.
    #[error(transparent)]
    CaseFile(#[from] CaseFileError),
    /// A CSV file could not be written.
    #[error("writing {file}: {source}")]
    Csv {
        /// The package file.
        file: &'static str,
        /// The CSV error.
        #[source]
        source: csv::Error,
    },
    /// A file's content could not be produced (XML or JSON writer).
    #[error("writing {file}: {message}")]
    Encode {
        /// The package file.
        file: &'static str,
        /// What failed.
        message: String,
    },
    /// A file name that a package cannot hold.
    #[error("cannot add {name:?} to the package: {reason}")]
    BadFileName {
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Writing the output failed.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The zip writer failed.
    #[error("writing the zip {}: {source}", path.display())]
    Zip {
        /// The output.
        path: PathBuf,
        /// The zip error.
        #[source]
        source: zip::result::ZipError,
    },
    /// `--dir` would replace a folder that is not an evidence package.
    #[error(
        "{} exists and is not an evidence package (no manifest.json and SHA256SUMS, or it holds folders or links): \
         choose another output folder",
        path.display()
    )]
    NotAPackageFolder {
        /// The folder.
        path: PathBuf,
    },
    /// The signing key could not be used.
    #[error(transparent)]
    Key(#[from] sign::KeyError),
    /// The export was cancelled.
    #[error("export cancelled")]
    Cancelled,
}

impl ExportError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        ExportError::Io { path: path.to_owned(), action, source }
    }
}

/// How far an export is, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The step being done (`"transfers.csv"`, `"writing zip"`).
    pub step: String,
    /// 0.0 at the start, 1.0 when done.
    pub fraction: f32,
}

/// Reports progress and checks for cancellation between steps.
pub struct Steps<'a> {
    progress: &'a mut dyn FnMut(Progress),
    cancel: Option<&'a AtomicBool>,
    done: usize,
    total: usize,
}

impl<'a> Steps<'a> {
    /// `total` steps reported to `progress`; `cancel`, when set to true, stops at the next step.
    pub fn new(progress: &'a mut dyn FnMut(Progress), cancel: Option<&'a AtomicBool>, total: usize) -> Self {
        Steps { progress, cancel, done: 0, total: total.max(1) }
    }

    /// Starts the next step.
    ///
    /// # Errors
    /// [`ExportError::Cancelled`] when cancellation was asked for.
    pub fn next(&mut self, step: &str) -> Result<(), ExportError> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(ExportError::Cancelled);
        }
        #[allow(clippy::cast_precision_loss)]
        let fraction = (self.done as f32 / self.total as f32).min(1.0);
        (self.progress)(Progress { step: step.to_owned(), fraction });
        self.done += 1;
        Ok(())
    }

    /// Reports completion.
    pub fn finish(&mut self) {
        (self.progress)(Progress { step: "done".to_owned(), fraction: 1.0 });
    }
}

/// How to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Export time (UTC seconds): the manifest, STIX objects and zip entries carry it. `None`:
    /// the case's last modification, so two exports of the same case are identical.
    pub timestamp: Option<i64>,
    /// Sign the manifest with this key (`manifest.sig`).
    pub signing_key: Option<sign::SecretKey>,
}

/// Zip file or plain folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One zip file.
    Zip,
    /// A folder of the same files.
    Folder,
}

/// What [`export`] wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The zip file or folder.
    pub path: PathBuf,
    /// The manifest written.
    pub manifest: Manifest,
    /// SHA-256 of `manifest.json` (what a review package anchors).
    pub manifest_sha256: String,
    /// Size of the zip (or the sum of the files for a folder), bytes.
    pub bytes: u64,
}

/// Number of steps [`build_data_files`] reports.
const DATA_STEPS: usize = 8;

/// The data files of the package, in package order: `case.ron`, `audit.jsonl`,
/// `transfers.csv`, `hops.csv`, `labels.csv`, `notes.csv`, `graph.graphml`, `stix.json`.
/// Rendered files are added after them ([`PackageBuilder::add`]); [`PackageBuilder::hashes`]
/// lists what is in so far (for a report's hash table); [`PackageBuilder::finish`] adds the
/// manifest, signature and `SHA256SUMS`.
///
/// # Errors
/// [`ExportError`] when a file cannot be produced, or [`ExportError::Cancelled`].
pub fn build_data_files(ev: &Evidence, timestamp: i64, steps: &mut Steps<'_>) -> Result<PackageBuilder, ExportError> {
    let mut b = PackageBuilder::new();
    steps.next("case.ron")?;
    b.add("case.ron", crate::case::file::to_bytes(&ev.case)?)?;
    steps.next("audit.jsonl")?;
    b.add("audit.jsonl", tables::audit_jsonl(&ev.case)?)?;
    steps.next("transfers.csv")?;
    b.add("transfers.csv", tables::transfers_csv(ev)?)?;
    steps.next("hops.csv")?;
    b.add("hops.csv", tables::hops_csv(&ev.case)?)?;
    steps.next("labels.csv")?;
    b.add("labels.csv", tables::labels_csv(ev)?)?;
    steps.next("notes.csv")?;
    b.add("notes.csv", tables::notes_csv(&ev.case)?)?;
    steps.next("graph.graphml")?;
    b.add("graph.graphml", graphml::write(ev)?)?;
    steps.next("stix.json")?;
    b.add("stix.json", stix::bundle(ev, timestamp)?)?;
    Ok(b)
}

/// The whole package in memory: the data files, the renderings ([`crate::package::RENDERED_FILES`]), then the
/// manifest, signature and `SHA256SUMS`.
///
/// # Errors
/// As [`build_data_files`] and [`PackageBuilder::finish`].
pub fn build(ev: &Evidence, options: &ExportOptions, steps: &mut Steps<'_>) -> Result<Package, ExportError> {
    let timestamp = options.timestamp.unwrap_or(ev.case.modified);
    let builder = render::build_with_renderings(ev, timestamp, steps)?;
    steps.next("manifest.json")?;
    builder.finish(&ev.manifest_header(timestamp), options.signing_key.as_ref())
}

/// Exports `ev` to `out` (a zip file, or a folder with [`Layout::Folder`]), reporting progress
/// and checking `cancel` between steps. The output appears whole or not at all (written beside
/// it under a temporary name, then renamed).
///
/// # Errors
/// [`ExportError`]; nothing is left at `out` then (an existing file or package folder there is
/// kept).
pub fn export(
    ev: &Evidence,
    options: &ExportOptions,
    out: &Path,
    layout: Layout,
    progress: &mut dyn FnMut(Progress),
    cancel: Option<&AtomicBool>,
) -> Result<ExportSummary, ExportError> {
    let mut steps = Steps::new(progress, cancel, DATA_STEPS + render::RENDER_STEPS + 2);
    let package = build(ev, options, &mut steps)?;
    steps.next(match layout {
        Layout::Zip => "writing zip",
        Layout::Folder => "writing folder",
    })?;
    let timestamp = options.timestamp.unwrap_or(ev.case.modified);
    let bytes = match layout {
        Layout::Zip => package.write_zip(out, timestamp)?,
        Layout::Folder => package.write_dir(out)?,
    };
    steps.finish();
    Ok(ExportSummary {
        path: out.to_owned(),
        manifest_sha256: package.manifest_sha256(),
        manifest: package.manifest.clone(),
        bytes,
    })
}

/// Parses `--timestamp`: RFC 3339 (`2024-05-01T12:00:00Z`, offsets allowed) or Unix seconds.
///
/// # Errors
/// [`TimestampError`], saying what was expected.
pub fn parse_timestamp(text: &str) -> Result<i64, TimestampError> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().map_err(|e| TimestampError { text: t.to_owned(), reason: e.to_string() });
    }
    t.parse::<jiff::Timestamp>().map(|ts| ts.as_second()).map_err(|e| TimestampError {
        text: t.to_owned(),
        reason: format!("expected RFC 3339 (2024-05-01T12:00:00Z) or Unix seconds ({e})"),
    })
}

/// A `--timestamp` that is neither RFC 3339 nor Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("timestamp {text:?}: {reason}")]
pub struct TimestampError {
    /// What was given.
    pub text: String,
    /// Why it was not read.
    pub reason: String,
}
