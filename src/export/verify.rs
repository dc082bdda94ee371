//! `hoptrace verify`: is a package what was exported?
//!
//! Every file's SHA-256 and size are checked against both `SHA256SUMS` and `manifest.json`;
//! a changed, missing or added file is named. When only one of the two lists disagrees with a
//! file, that list is what was changed. Then the audit chain is recomputed from `audit.jsonl`
//! and compared with `case.ron`'s, the manifest is compared with the case, the signature is
//! checked when there is one (or the manifest names a signer), and with a ledger every transfer
//! of `transfers.csv` is looked up and compared field by field.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::manifest::{FORMAT_NAME, FORMAT_VERSION, Manifest, parse_sums};
use super::package::{PackageFile, RESERVED_NAMES, sha256_hex};
use super::sign::{PublicKey, check_signature};
use super::unpack::{Limits, read_package};
use crate::case::{AuditEntry, Case, audit};

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// Matches every hash recorded for it.
    Ok,
    /// Its content does not match what was recorded (or it is a list that was edited).
    Changed,
    /// Recorded but absent.
    Missing,
    /// Present but recorded nowhere.
    Added,
}

/// One file's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// File name.
    pub name: String,
    /// The verdict.
    pub status: FileStatus,
    /// Actual size, when present.
    pub size: Option<u64>,
    /// Actual SHA-256, when present.
    pub sha256: Option<String>,
}

/// The audit chain's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditStatus {
    /// Every entry chains and the case is in the state the last one recorded.
    Intact {
        /// Number of entries.
        entries: usize,
        /// Hash of the last entry.
        head: Option<String>,
    },
    /// The chain or the case does not hold together.
    Broken(String),
    /// Could not be checked (a file is missing or unreadable).
    NotChecked(String),
}

/// The signature's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    /// Neither a signature file nor a signer in the manifest.
    Unsigned,
    /// The signature matches `manifest.json`.
    Valid {
        /// The signer's public key (hex).
        public_key: String,
    },
    /// Missing, malformed, not matching, or not the expected signer.
    Invalid(String),
}

/// The ledger comparison's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerStatus {
    /// No ledger was given.
    NotChecked,
    /// Every transfer is in the ledger with the same fields.
    Matches {
        /// Transfers compared.
        transfers: usize,
        /// The ledger's fingerprint equals the manifest's (no other imports since).
        same_fingerprint: bool,
    },
    /// Some transfers are absent or differ (listed in the problems).
    Differs {
        /// Transfers absent or different.
        count: usize,
    },
}

/// Everything `verify` found.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// The package checked.
    pub path: PathBuf,
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// Every file present or recorded, by name.
    pub files: Vec<FileCheck>,
    /// The audit chain.
    pub audit: AuditStatus,
    /// The signature.
    pub signature: SignatureStatus,
    /// The ledger comparison.
    pub ledger: LedgerStatus,
    /// Every problem, in plain words; empty when the package is intact.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    #[must_use]
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// Names of files whose status is not [`FileStatus::Ok`].
    #[must_use]
    pub fn bad_files(&self) -> Vec<&str> {
        self.files.iter().filter(|f| f.status != FileStatus::Ok).map(|f| f.name.as_str()).collect()
    }
}

/// How to verify.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Compare `transfers.csv` with this ledger.
    pub ledger: Option<PathBuf>,
    /// Require a signature by this key.
    pub public_key: Option<PublicKey>,
    /// Bounds against zip bombs (defaults when `None`).
    pub limits: Option<Limits>,
}

/// Verifies the package (zip or folder) at `path` with default options.
#[must_use]
pub fn verify(path: &Path) -> VerifyReport {
    verify_with(path, &VerifyOptions::default())
}

/// Verifies the package at `path`.
#[must_use]
pub fn verify_with(path: &Path, options: &VerifyOptions) -> VerifyReport {
    match read_package(path, &options.limits.unwrap_or_default()) {
        Ok(files) => verify_files(path, &files, options),
        Err(e) => VerifyReport {
            path: path.to_owned(),
            manifest: None,
            files: Vec::new(),
            audit: AuditStatus::NotChecked("the package could not be read".to_owned()),
            signature: SignatureStatus::Unsigned,
            ledger: LedgerStatus::NotChecked,
            problems: vec![e.to_string()],
        },
    }
}

/// Verifies files already read (by [`read_package`]); `path` names them in the report.
#[must_use]
pub fn verify_files(path: &Path, files: &[PackageFile], options: &VerifyOptions) -> VerifyReport {
    let mut problems = Vec::new();
    let actual: BTreeMap<&str, &PackageFile> = files.iter().map(|f| (f.name.as_str(), f)).collect();
    let get = |name: &str| actual.get(name).map(|f| f.bytes.as_slice());
    let sums = match get("SHA256SUMS").map(parse_sums) {
        Some(Ok(lines)) => Some(lines.into_iter().map(|l| (l.name, l.sha256)).collect::<BTreeMap<_, _>>()),
        Some(Err(e)) => {
            problems.push(format!("SHA256SUMS was changed: {e}"));
            None
        }
        None => None,
    };
    let manifest = match get("manifest.json").map(Manifest::from_bytes) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            problems.push(format!("manifest.json was changed: it is not a valid manifest ({e})"));
            None
        }
        None => None,
    };
    let mut status: BTreeMap<String, FileStatus> = BTreeMap::new();
    for required in ["SHA256SUMS", "manifest.json"] {
        if !actual.contains_key(required) {
            problems.push(format!("{required} is missing"));
            mark(&mut status, required, FileStatus::Missing);
        }
    }
    if sums.is_none() && actual.contains_key("SHA256SUMS") {
        mark(&mut status, "SHA256SUMS", FileStatus::Changed);
    }
    if manifest.is_none() && actual.contains_key("manifest.json") {
        mark(&mut status, "manifest.json", FileStatus::Changed);
    }
    let mut names: BTreeSet<String> = actual.keys().map(|n| (*n).to_owned()).collect();
    names.extend(sums.iter().flat_map(|s| s.keys().cloned()));
    names.extend(manifest.iter().flat_map(|m| m.files.iter().map(|f| f.name.clone())));
    for name in &names {
        let here = actual.get(name.as_str());
        let hash = here.map(|f| sha256_hex(&f.bytes));
        let size = here.map(|f| f.bytes.len() as u64);
        let in_sums = sums.as_ref().and_then(|s| s.get(name));
        let in_manifest = manifest.as_ref().and_then(|m| m.file(name));
        let is_meta = RESERVED_NAMES.contains(&name.as_str());
        if name == "SHA256SUMS" {
            if in_sums.is_some() {
                problems.push("SHA256SUMS lists itself: it was changed".to_owned());
                mark(&mut status, name, FileStatus::Changed);
            }
            continue;
        }
        let Some(hash) = hash else {
            problems.push(format!(
                "{name} is missing (recorded in {})",
                recorded_in(in_sums.is_some(), in_manifest.is_some())
            ));
            mark(&mut status, name, FileStatus::Missing);
            continue;
        };
        let sums_ok = in_sums.map(|h| *h == hash);
        let manifest_ok = in_manifest.map(|f| f.sha256 == hash && Some(f.size) == size);
        let sums_known = sums.is_some();
        let manifest_known = manifest.is_some() && !is_meta;
        match (sums_ok, manifest_ok) {
            (None, None) if sums_known || manifest_known => {
                problems.push(format!("{name} was added: neither SHA256SUMS nor the manifest lists it"));
                mark(&mut status, name, FileStatus::Added);
            }
            (None, None) => {}
            (Some(true), Some(true)) | (Some(true), None) | (None, Some(true)) => {
                if sums_known && sums_ok.is_none() {
                    problems.push(format!("SHA256SUMS was changed: it does not list {name}, which the manifest lists"));
                    mark(&mut status, "SHA256SUMS", FileStatus::Changed);
                }
                if manifest_known && manifest_ok.is_none() && name != "manifest.json" {
                    problems
                        .push(format!("manifest.json was changed: it does not list {name}, which SHA256SUMS lists"));
                    mark(&mut status, "manifest.json", FileStatus::Changed);
                }
            }
            (Some(false), Some(true)) => {
                problems.push(format!(
                    "SHA256SUMS was changed: its line for {name} does not match the file, which matches the manifest"
                ));
                mark(&mut status, "SHA256SUMS", FileStatus::Changed);
            }
            (Some(true), Some(false)) => {
                problems.push(format!(
                    "manifest.json was changed: its entry for {name} does not match the file, which matches SHA256SUMS"
                ));
                mark(&mut status, "manifest.json", FileStatus::Changed);
            }
            (Some(false), _) | (None, Some(false)) => {
                let also = if name == "manifest.json" { " (or its line in SHA256SUMS was edited)" } else { "" };
                problems.push(format!(
                    "{name} was changed: its SHA-256 is {hash}, {} recorded{also}",
                    recorded_hash(in_sums, in_manifest.map(|f| &f.sha256))
                ));
                mark(&mut status, name, FileStatus::Changed);
            }
        }
    }
    let files: Vec<FileCheck> = names
        .iter()
        .chain(status.keys().filter(|k| !names.contains(*k)))
        .map(|name| {
            let here = actual.get(name.as_str());
            FileCheck {
                name: name.clone(),
                status: status.get(name).copied().unwrap_or(FileStatus::Ok),
                size: here.map(|f| f.bytes.len() as u64),
                sha256: here.map(|f| sha256_hex(&f.bytes)),
            }
        })
        .collect();
    let case = check_case(get("case.ron"));
    let audit = check_audit(case.as_ref().ok(), get("audit.jsonl"), &case);
    if let AuditStatus::Broken(e) = &audit {
        problems.push(format!("audit log: {e}"));
    }
    if let (Some(m), Ok(c)) = (&manifest, &case) {
        check_manifest(m, c, &mut problems);
    }
    let signature = check_signature_status(get("manifest.sig"), get("manifest.json"), manifest.as_ref(), options);
    if let SignatureStatus::Invalid(e) = &signature {
        problems.push(format!("signature: {e}"));
    }
    let ledger = match &options.ledger {
        Some(l) => super::open::check_ledger(l, get("transfers.csv"), manifest.as_ref(), &mut problems),
        None => LedgerStatus::NotChecked,
    };
    VerifyReport { path: path.to_owned(), manifest, files, audit, signature, ledger, problems }
}

/// Records `s` for `name` unless it already has a verdict.
fn mark(status: &mut BTreeMap<String, FileStatus>, name: &str, s: FileStatus) {
    let e = status.entry(name.to_owned()).or_insert(FileStatus::Ok);
    if *e == FileStatus::Ok {
        *e = s;
    }
}

fn recorded_in(sums: bool, manifest: bool) -> &'static str {
    match (sums, manifest) {
        (true, true) => "SHA256SUMS and manifest.json",
        (true, false) => "SHA256SUMS",
        _ => "manifest.json",
    }
}

fn recorded_hash(sums: Option<&String>, manifest: Option<&String>) -> String {
    match (sums, manifest) {
        (Some(a), Some(b)) if a == b => a.clone(),
        (Some(a), Some(b)) => format!("{a} (SHA256SUMS) / {b} (manifest)"),
        (Some(a), None) | (None, Some(a)) => a.clone(),
        (None, None) => "nothing".to_owned(),
    }
}

fn check_case(bytes: Option<&[u8]>) -> Result<Case, String> {
    let bytes = bytes.ok_or_else(|| "case.ron is missing".to_owned())?;
    crate::case::file::from_bytes(Path::new("case.ron"), bytes).map_err(|e| e.to_string())
}

fn check_audit(case: Option<&Case>, jsonl: Option<&[u8]>, case_result: &Result<Case, String>) -> AuditStatus {
    let Some(case) = case else {
        return match case_result {
            Err(e) => AuditStatus::Broken(format!("case.ron cannot be read: {e}")),
            Ok(_) => AuditStatus::NotChecked("case.ron is missing".to_owned()),
        };
    };
    let Some(jsonl) = jsonl else { return AuditStatus::NotChecked("audit.jsonl is missing".to_owned()) };
    let Ok(text) = std::str::from_utf8(jsonl) else {
        return AuditStatus::Broken("audit.jsonl is not UTF-8 text".to_owned());
    };
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match serde_json::from_str::<AuditEntry>(line) {
            Ok(e) => entries.push(e),
            Err(e) => return AuditStatus::Broken(format!("audit.jsonl line {}: not an audit entry: {e}", i + 1)),
        }
    }
    if let Err(e) = audit::verify(&entries, &case.content_hash()) {
        return AuditStatus::Broken(format!("audit.jsonl: {e}"));
    }
    if let Some(i) = (0..entries.len().max(case.audit.len())).find(|i| entries.get(*i) != case.audit.get(*i)) {
        return AuditStatus::Broken(format!(
            "case.ron's audit log differs from audit.jsonl at entry {} ({} entries in case.ron, {} in audit.jsonl)",
            i + 1,
            case.audit.len(),
            entries.len()
        ));
    }
    if let Err(e) = case.verify_audit() {
        return AuditStatus::Broken(format!("case.ron: {e}"));
    }
    AuditStatus::Intact { entries: entries.len(), head: entries.last().map(|e| e.hash.clone()) }
}

fn check_manifest(m: &Manifest, case: &Case, problems: &mut Vec<String>) {
    if m.format != FORMAT_NAME || m.format_version != FORMAT_VERSION {
        problems.push(format!(
            "manifest.json: format {:?} version {}, this build reads {FORMAT_NAME:?} version {FORMAT_VERSION}",
            m.format, m.format_version
        ));
    }
    let mut differs = |field: &str, manifest: &str, case: &str| {
        if manifest != case {
            problems.push(format!("manifest.json and case.ron disagree on the {field}: {manifest:?} vs {case:?}"));
        }
    };
    differs("case id", &m.case_id, &case.id);
    differs("ledger fingerprint", &m.ledger_fingerprint, &case.ledger.fingerprint);
    differs("audit head", m.audit_head.as_deref().unwrap_or(""), case.audit.last().map_or("", |e| e.hash.as_str()));
    differs("number of audit entries", &m.audit_entries.to_string(), &case.audit.len().to_string());
}

fn check_signature_status(
    sig: Option<&[u8]>,
    manifest_bytes: Option<&[u8]>,
    manifest: Option<&Manifest>,
    options: &VerifyOptions,
) -> SignatureStatus {
    let declared = manifest.and_then(|m| m.signer_public_key.clone());
    let Some(sig) = sig else {
        return match (declared, &options.public_key) {
            (Some(k), _) => {
                SignatureStatus::Invalid(format!("the manifest names signer {k} but manifest.sig is missing"))
            }
            (None, Some(_)) => {
                SignatureStatus::Invalid("a signature was required but the package is unsigned".to_owned())
            }
            (None, None) => SignatureStatus::Unsigned,
        };
    };
    let Some(manifest_bytes) = manifest_bytes else {
        return SignatureStatus::Invalid("manifest.json is missing".to_owned());
    };
    match check_signature(sig, manifest_bytes) {
        Err(e) => SignatureStatus::Invalid(e),
        Ok(key) => {
            let hex = key.to_hex();
            if declared.as_deref() != Some(hex.as_str()) {
                SignatureStatus::Invalid(format!(
                    "signed by {hex}, but the manifest names {}",
                    declared.as_deref().unwrap_or("no signer")
                ))
            } else if options.public_key.as_ref().is_some_and(|k| *k != key) {
                SignatureStatus::Invalid(format!("signed by {hex}, not by the expected key"))
            } else {
                SignatureStatus::Valid { public_key: hex }
            }
        }
    }
}
