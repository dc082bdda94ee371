//! `hoptrace verify`: is a package what was exported, and who made it?
//!
//! Every entry is read as a stream and hashed; every file's SHA-256 and size are checked
//! against both `SHA256SUMS` and `manifest.json`; a changed, missing or added file is named.
//! When only one of the two lists disagrees with a file, that list is what was changed. The
//! files every package holds must be there and no other. Then the audit chain is recomputed
//! from `audit.jsonl` and compared with `case.ron`'s, the manifest is compared with the case,
//! the package is checked against itself ([`super::selfcheck`]: tables against the case, the
//! graph against the tables, the report's hashes against the files, the audit times against
//! the case), the signature is checked when there is one (or the manifest names a signer), and
//! with a ledger every transfer of `transfers.csv` is looked up and compared field by field.
//!
//! The lists can be recomputed by anyone: without a valid signature or the manifest's SHA-256
//! known from elsewhere ([`VerifyOptions::manifest_sha256`]) a package is protected against
//! accidental change only, and [`VerifyReport::authenticity`] says so
//! ([`Authenticity::NotEstablished`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::format::{FORMAT_NAME, FORMAT_VERSION, FormatVersion, RENDERED_FILES, REQUIRED_FILES, RESERVED_NAMES};
use super::manifest::{Manifest, parse_sums};
use super::sign::{PublicKey, check_signature};
use super::unpack::{Limits, PackageError, PackageReader, SMALL_FILE_BYTES};
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

/// What the verification established about who made the package. Hashes in the package
/// (`SHA256SUMS`, the manifest, `report.html`'s table) protect against accidental change
/// only: anyone can recompute them. Authenticity needs a signature (`manifest.sig`) or the
/// manifest's SHA-256 known from elsewhere (the one the investigator handed over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticity {
    /// Neither a signature nor a manifest hash given: "unsigned: authenticity not
    /// established".
    NotEstablished,
    /// Established, and how (`signed by ed25519 key …`, `manifest.json has the SHA-256 given`).
    Established(Vec<String>),
    /// Required (`--expect-signed`, `--public-key`, `--manifest-sha256`) and not met: why.
    Failed(Vec<String>),
}

/// Everything `verify` found.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// The package checked.
    pub path: PathBuf,
    /// False when the package could not be read at all or was refused (unsafe entries, a zip
    /// bomb, a name twice): then nothing else was checked.
    pub readable: bool,
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// SHA-256 of `manifest.json`, when present: the hash to hand over with the package.
    pub manifest_sha256: Option<String>,
    /// Every file present or recorded, by name.
    pub files: Vec<FileCheck>,
    /// The audit chain.
    pub audit: AuditStatus,
    /// The signature.
    pub signature: SignatureStatus,
    /// Who made it, as far as was established.
    pub authenticity: Authenticity,
    /// The ledger comparison.
    pub ledger: LedgerStatus,
    /// Every problem, in plain words; empty when the package is intact.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// True when nothing is wrong: every file matches its hashes and the package agrees with
    /// itself. Says nothing of who made it: see [`VerifyReport::authenticity`].
    #[must_use]
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// Names of files whose status is not [`FileStatus::Ok`].
    #[must_use]
    pub fn bad_files(&self) -> Vec<&str> {
        self.files.iter().filter(|f| f.status != FileStatus::Ok).map(|f| f.name.as_str()).collect()
    }

    /// The SHA-256 of each file present, by name.
    #[must_use]
    pub fn sha256_of(&self, name: &str) -> Option<&str> {
        self.files.iter().find(|f| f.name == name).and_then(|f| f.sha256.as_deref())
    }
}

/// How to verify.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Compare `transfers.csv` with this ledger.
    pub ledger: Option<PathBuf>,
    /// Require a signature by this key.
    pub public_key: Option<PublicKey>,
    /// Require a valid signature (by any key the manifest names).
    pub expect_signed: bool,
    /// Require `manifest.json` to have this SHA-256 (hex).
    pub manifest_sha256: Option<String>,
    /// Bounds against zip bombs (defaults when `None`).
    pub limits: Option<Limits>,
}

/// The largest `case.ron` verify reads (it is parsed whole); a larger one is reported, not
/// read.
pub const CASE_FILE_BYTES: u64 = 32 << 20;

/// Verifies the package (zip or folder) at `path` with default options.
#[must_use]
pub fn verify(path: &Path) -> VerifyReport {
    verify_with(path, &VerifyOptions::default())
}

/// Verifies the package at `path`, reading each entry as a stream.
#[must_use]
pub fn verify_with(path: &Path, options: &VerifyOptions) -> VerifyReport {
    let checked = PackageReader::open(path, &options.limits.unwrap_or_default())
        .and_then(|mut reader| verify_reader(&mut reader, options));
    checked.unwrap_or_else(|e| VerifyReport {
        path: path.to_owned(),
        readable: false,
        manifest: None,
        manifest_sha256: None,
        files: Vec::new(),
        audit: AuditStatus::NotChecked("the package could not be read".to_owned()),
        signature: SignatureStatus::Unsigned,
        authenticity: Authenticity::NotEstablished,
        ledger: LedgerStatus::NotChecked,
        problems: vec![e.to_string()],
    })
}

/// A small file read whole, or a problem when it is larger than [`SMALL_FILE_BYTES`].
fn small(reader: &mut PackageReader, name: &str, problems: &mut Vec<String>) -> Result<Option<Vec<u8>>, PackageError> {
    match reader.entry(name).map(|e| e.size) {
        None => Ok(None),
        Some(size) if size > SMALL_FILE_BYTES => {
            problems.push(format!(
                "{name} was changed: {size} bytes, more than the {SMALL_FILE_BYTES} bytes hoptrace ever writes there"
            ));
            Ok(None)
        }
        Some(_) => reader.read_whole(name, SMALL_FILE_BYTES),
    }
}

/// Verifies an opened package: every entry hashed as a stream, then the lists, the audit
/// chain, the package against itself ([`super::selfcheck`]), the signature and authenticity.
///
/// # Errors
/// [`PackageError`] when an entry cannot be read as its header declares (a zip bomb).
pub fn verify_reader(reader: &mut PackageReader, options: &VerifyOptions) -> Result<VerifyReport, PackageError> {
    let path = reader.path().to_owned();
    let mut problems = Vec::new();
    let names: Vec<String> = reader.entries().iter().map(|e| e.name.clone()).collect();
    let mut hashes: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for name in &names {
        if let Some(h) = reader.hash(name)? {
            hashes.insert(name.clone(), h);
        }
    }
    let sums_bytes = small(reader, "SHA256SUMS", &mut problems)?;
    let manifest_bytes = small(reader, "manifest.json", &mut problems)?;
    let sig_bytes = small(reader, "manifest.sig", &mut problems)?;
    let sums = match sums_bytes.as_deref().map(parse_sums) {
        Some(Ok(lines)) => Some(lines.into_iter().map(|l| (l.name, l.sha256)).collect::<BTreeMap<_, _>>()),
        Some(Err(e)) => {
            problems.push(format!("SHA256SUMS was changed: {e}"));
            None
        }
        None => None,
    };
    let manifest = match manifest_bytes.as_deref().map(Manifest::from_bytes) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            problems.push(format!("manifest.json was changed: it is not a valid manifest ({e})"));
            None
        }
        None => None,
    };
    let version = match &manifest {
        Some(m) if m.format == FORMAT_NAME => match FormatVersion::from_number(m.format_version) {
            Some(v) => Some(v),
            None => return Err(unknown_version(&path, m.format_version)),
        },
        _ => None,
    };
    let mut status: BTreeMap<String, FileStatus> = BTreeMap::new();
    for required in ["SHA256SUMS", "manifest.json"] {
        if !hashes.contains_key(required) {
            problems.push(format!("{required} is missing"));
            mark(&mut status, required, FileStatus::Missing);
        }
    }
    if sums.is_none() && hashes.contains_key("SHA256SUMS") {
        mark(&mut status, "SHA256SUMS", FileStatus::Changed);
    }
    if manifest.is_none() && hashes.contains_key("manifest.json") {
        mark(&mut status, "manifest.json", FileStatus::Changed);
    }
    let mut all: BTreeSet<String> = hashes.keys().cloned().collect();
    all.extend(sums.iter().flat_map(|s| s.keys().cloned()));
    all.extend(manifest.iter().flat_map(|m| m.files.iter().map(|f| f.name.clone())));
    for name in &all {
        let here = hashes.get(name);
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
        let Some((hash, size)) = here else {
            problems.push(format!(
                "{name} is missing (recorded in {})",
                recorded_in(in_sums.is_some(), in_manifest.is_some())
            ));
            mark(&mut status, name, FileStatus::Missing);
            continue;
        };
        let sums_ok = in_sums.map(|h| h == hash);
        let manifest_ok = in_manifest.map(|f| f.sha256 == *hash && f.size == *size);
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
    check_file_set(&hashes, &mut status, &mut problems);
    let files: Vec<FileCheck> = all
        .iter()
        .chain(status.keys().filter(|k| !all.contains(*k)))
        .map(|name| {
            let here = hashes.get(name);
            FileCheck {
                name: name.clone(),
                status: status.get(name).copied().unwrap_or(FileStatus::Ok),
                size: here.map(|h| h.1),
                sha256: here.map(|h| h.0.clone()),
            }
        })
        .collect();
    let case = read_case(reader)?;
    let audit = check_audit(reader, case.as_ref().ok(), &case)?;
    if let AuditStatus::Broken(e) = &audit {
        problems.push(format!("audit log: {e}"));
    }
    if let Ok(c) = &case {
        if let Some(m) = &manifest {
            check_manifest(m, c, &mut problems);
        }
        super::selfcheck::check(reader, c, &hashes, &mut problems)?;
    }
    let signature = check_signature_status(sig_bytes.as_deref(), manifest_bytes.as_deref(), manifest.as_ref());
    if let SignatureStatus::Invalid(e) = &signature {
        problems.push(format!("signature: {e}"));
    }
    let manifest_sha256 = hashes.get("manifest.json").map(|h| h.0.clone());
    let authenticity = authenticity(&signature, manifest_sha256.as_deref(), options);
    let ledger = match &options.ledger {
        Some(l) => {
            let csv = reader.reader("transfers.csv")?;
            super::open::check_ledger(l, csv, manifest.as_ref(), version, &mut problems)
        }
        None => LedgerStatus::NotChecked,
    };
    Ok(VerifyReport {
        path,
        readable: true,
        manifest,
        manifest_sha256,
        files,
        audit,
        signature,
        authenticity,
        ledger,
        problems,
    })
}

/// A package of a `format_version` this build does not read.
fn unknown_version(path: &Path, number: u32) -> PackageError {
    PackageError::Refused {
        path: path.to_owned(),
        entry: "manifest.json".to_owned(),
        reason: format!(
            "{FORMAT_NAME} version {number}, which this build of hoptrace does not read: it reads versions {} \
             (and writes {FORMAT_VERSION}); verify the package with the hoptrace that wrote it, or a newer one",
            FormatVersion::readable_text()
        ),
    }
}

/// Every file a package must hold, and no file a package never holds: the lists
/// (`SHA256SUMS`, the manifest) can be rewritten to match a removed or added file. The same
/// in every version.
fn check_file_set(
    hashes: &BTreeMap<String, (String, u64)>,
    status: &mut BTreeMap<String, FileStatus>,
    problems: &mut Vec<String>,
) {
    for name in REQUIRED_FILES {
        if !hashes.contains_key(name) && status.get(name).is_none_or(|s| *s == FileStatus::Ok) {
            problems.push(format!(
                "{name} is missing: every hoptrace evidence package holds it (the lists were rewritten without it)"
            ));
            mark(status, name, FileStatus::Missing);
        }
    }
    // The reports are written together: one without the other was removed. (The renderings
    // are not required as such: the first version-1 packages have none, and a package built
    // with `PackageBuilder` holds the renderings its maker added.)
    for (name, with) in [("report.pdf", "report.html"), ("report.html", "report.pdf"), ("graph.png", "report.html")] {
        if !hashes.contains_key(name)
            && hashes.contains_key(with)
            && status.get(name).is_none_or(|s| *s == FileStatus::Ok)
        {
            problems.push(format!(
                "{name} is missing: hoptrace writes it with {with}, which is here (the lists were rewritten without it)"
            ));
            mark(status, name, FileStatus::Missing);
        }
    }
    for name in hashes.keys() {
        let known = REQUIRED_FILES.contains(&name.as_str())
            || RENDERED_FILES.contains(&name.as_str())
            || RESERVED_NAMES.contains(&name.as_str());
        if !known && status.get(name).is_none_or(|s| *s == FileStatus::Ok) {
            problems.push(format!(
                "{name} was added: it is not a file of a hoptrace evidence package (the lists were rewritten to \
                 include it)"
            ));
            mark(status, name, FileStatus::Added);
        }
    }
}

fn authenticity(signature: &SignatureStatus, manifest_sha256: Option<&str>, options: &VerifyOptions) -> Authenticity {
    let mut how = Vec::new();
    let mut failed = Vec::new();
    match signature {
        SignatureStatus::Valid { public_key } => match &options.public_key {
            Some(k) if k.to_hex() != *public_key => {
                failed.push(format!("signed by {public_key}, not by the expected key {}", k.to_hex()));
            }
            Some(_) => how.push(format!("signed by the expected ed25519 key {public_key}")),
            None => how.push(format!(
                "signed by ed25519 key {public_key} (whose key it is was not checked: pass --public-key)"
            )),
        },
        SignatureStatus::Unsigned if options.public_key.is_some() || options.expect_signed => failed.push(
            "a signature was required, but the package is unsigned (its manifest names no signer and it has no \
             manifest.sig)"
                .to_owned(),
        ),
        SignatureStatus::Invalid(e) if options.public_key.is_some() || options.expect_signed => {
            failed.push(format!("a signature was required, but it is not valid: {e}"));
        }
        _ => {}
    }
    if let Some(want) = &options.manifest_sha256 {
        let want = want.trim().to_ascii_lowercase();
        match manifest_sha256 {
            Some(have) if have == want => how.push(format!("manifest.json has the SHA-256 given ({have})")),
            Some(have) => failed.push(format!(
                "manifest.json has SHA-256 {have}, not the {want} given: this is not the package that was handed over"
            )),
            None => failed.push(format!("the package has no manifest.json to compare with the SHA-256 {want} given")),
        }
    }
    if !failed.is_empty() {
        Authenticity::Failed(failed)
    } else if how.is_empty() {
        Authenticity::NotEstablished
    } else {
        Authenticity::Established(how)
    }
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

fn read_case(reader: &mut PackageReader) -> Result<Result<Case, String>, PackageError> {
    let Some(size) = reader.entry("case.ron").map(|e| e.size) else { return Ok(Err("case.ron is missing".to_owned())) };
    if size > CASE_FILE_BYTES {
        return Ok(Err(format!(
            "case.ron is {size} bytes, more than the {CASE_FILE_BYTES} bytes verify reads: not checked"
        )));
    }
    let bytes = reader.read_whole("case.ron", CASE_FILE_BYTES)?.unwrap_or_default();
    Ok(crate::case::file::from_bytes(Path::new("case.ron"), &bytes).map_err(|e| e.to_string()))
}

/// The longest line of `audit.jsonl` read.
const AUDIT_LINE_BYTES: u64 = 16 << 20;

fn check_audit(
    reader: &mut PackageReader,
    case: Option<&Case>,
    case_result: &Result<Case, String>,
) -> Result<AuditStatus, PackageError> {
    use std::io::{BufRead as _, Read as _};
    let Some(case) = case else {
        return Ok(match case_result {
            Err(e) if e == "case.ron is missing" => AuditStatus::NotChecked(e.clone()),
            Err(e) => AuditStatus::Broken(format!("case.ron cannot be read: {e}")),
            Ok(_) => AuditStatus::NotChecked("case.ron is missing".to_owned()),
        });
    };
    let path = reader.path().to_owned();
    let Some(stream) = reader.reader("audit.jsonl")? else {
        return Ok(AuditStatus::NotChecked("audit.jsonl is missing".to_owned()));
    };
    let io = |e: std::io::Error| PackageError::Refused {
        path: path.clone(),
        entry: "audit.jsonl".to_owned(),
        reason: e.to_string(),
    };
    let mut lines = std::io::BufReader::new(stream);
    let mut entries = Vec::new();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let n = (&mut lines).take(AUDIT_LINE_BYTES + 1).read_until(b'\n', &mut line).map_err(io)?;
        if n == 0 {
            break;
        }
        if line.len() as u64 > AUDIT_LINE_BYTES {
            return Ok(AuditStatus::Broken(format!(
                "audit.jsonl line {number}: longer than {AUDIT_LINE_BYTES} bytes: not an audit entry"
            )));
        }
        if entries.len() >= case.audit.len() {
            return Ok(AuditStatus::Broken(format!(
                "audit.jsonl line {number}: case.ron's audit log has only {} entries: entries were added",
                case.audit.len()
            )));
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            return Ok(AuditStatus::Broken(format!("audit.jsonl line {number} is not UTF-8 text")));
        };
        match serde_json::from_str::<AuditEntry>(text.trim_end_matches(['\n', '\r'])) {
            Ok(e) => entries.push(e),
            Err(e) => {
                return Ok(AuditStatus::Broken(format!("audit.jsonl line {number}: not an audit entry: {e}")));
            }
        }
    }
    let state = match case.content_hash() {
        Ok(state) => state,
        Err(e) => return Ok(AuditStatus::Broken(format!("case.ron: {e}"))),
    };
    if let Err(e) = audit::verify(&entries, &state) {
        return Ok(AuditStatus::Broken(format!("audit.jsonl: {e}")));
    }
    if let Some(i) = (0..entries.len().max(case.audit.len())).find(|i| entries.get(*i) != case.audit.get(*i)) {
        return Ok(AuditStatus::Broken(format!(
            "case.ron's audit log differs from audit.jsonl at entry {} ({} entries in case.ron, {} in audit.jsonl)",
            i + 1,
            case.audit.len(),
            entries.len()
        )));
    }
    if let Err(e) = case.verify_audit() {
        return Ok(AuditStatus::Broken(format!("case.ron: {e}")));
    }
    Ok(AuditStatus::Intact { entries: entries.len(), head: entries.last().map(|e| e.hash.clone()) })
}

fn check_manifest(m: &Manifest, case: &Case, problems: &mut Vec<String>) {
    if m.format != FORMAT_NAME {
        problems.push(format!(
            "manifest.json: format {:?} version {}, this build reads {FORMAT_NAME:?} versions {}",
            m.format,
            m.format_version,
            FormatVersion::readable_text()
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
) -> SignatureStatus {
    let declared = manifest.and_then(|m| m.signer_public_key.clone());
    let Some(sig) = sig else {
        return match declared {
            Some(k) => SignatureStatus::Invalid(format!("the manifest names signer {k} but manifest.sig is missing")),
            None => SignatureStatus::Unsigned,
        };
    };
    let Some(manifest_bytes) = manifest_bytes else {
        return SignatureStatus::Invalid("manifest.json is missing".to_owned());
    };
    match check_signature(sig, manifest_bytes) {
        Err(e) => SignatureStatus::Invalid(e.to_string()),
        Ok(key) => {
            let hex = key.to_hex();
            if declared.as_deref() == Some(hex.as_str()) {
                SignatureStatus::Valid { public_key: hex }
            } else {
                SignatureStatus::Invalid(format!(
                    "signed by {hex}, but the manifest names {}",
                    declared.as_deref().unwrap_or("no signer")
                ))
            }
        }
    }
}
