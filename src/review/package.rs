//! Review packages: what a reviewer sends back. A zip of `review.ron` (the review file, with
//! its audit log), `manifest.json` (format, the reviewed case and the SHA-256 of the reviewed
//! package's manifest, reviewers, counts, and the hash and size of `review.ron`) and
//! `SHA256SUMS`, written deterministically like evidence packages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Review, ReviewError, file};
use crate::export::{ExportError, sha256_hex};
use crate::package::{
    CASE_FILE_BYTES, Limits, ManifestFile, PackageFile, PackageReader, SMALL_FILE_BYTES, parse_sums, rfc3339, sums_text,
};

/// The `format` of a review package manifest.
pub const REVIEW_PACKAGE_FORMAT: &str = "hoptrace-review-package";

/// `manifest.json` of a review package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewManifest {
    /// [`REVIEW_PACKAGE_FORMAT`].
    pub format: String,
    /// 1.
    pub format_version: u32,
    /// The reviewed case.
    pub reviewed_case_id: String,
    /// SHA-256 of the reviewed evidence package's `manifest.json`.
    pub reviewed_manifest_sha256: String,
    /// Everyone who commented, sorted.
    pub reviewers: Vec<String>,
    /// Comments standing.
    pub comments: u64,
    /// Entries of the review's audit log.
    pub audit_entries: u64,
    /// Hash of its last entry.
    pub audit_head: Option<String>,
    /// The hoptrace version that wrote it.
    pub tool_version: String,
    /// Export time, RFC 3339 UTC.
    pub exported_at: String,
    /// `review.ron` with its SHA-256 and size.
    pub files: Vec<ManifestFile>,
}

/// Writes the review package of `review` to `out` (zip, atomically). `timestamp` (UTC
/// seconds) defaults to the time of the review's last action, so the same review gives the
/// same bytes. Returns the SHA-256 of the zip.
///
/// # Errors
/// The review's audit log is broken, or the zip cannot be written.
pub fn export_review(review: &Review, out: &Path, timestamp: Option<i64>) -> Result<String, ReviewError> {
    review.verify_audit()?;
    let when = timestamp.or_else(|| review.audit.last().map(|e| e.time)).unwrap_or(0);
    let review_bytes = file::to_bytes(review)?;
    let listed = vec![ManifestFile {
        name: "review.ron".to_owned(),
        sha256: sha256_hex(&review_bytes),
        size: review_bytes.len() as u64,
    }];
    let reviewers: BTreeSet<&str> = review.audit.iter().map(|e| e.investigator.as_str()).collect();
    let manifest = ReviewManifest {
        format: REVIEW_PACKAGE_FORMAT.to_owned(),
        format_version: 1,
        reviewed_case_id: review.case_id.clone(),
        reviewed_manifest_sha256: review.package_manifest_sha256.clone(),
        reviewers: reviewers.into_iter().map(str::to_owned).collect(),
        comments: review.comments.len() as u64,
        audit_entries: review.audit.len() as u64,
        audit_head: review.audit.last().map(|e| e.hash.clone()),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        exported_at: rfc3339(when),
        files: listed.clone(),
    };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| ExportError::Encode { file: "manifest.json", message: e.to_string() })?;
    manifest_bytes.push(b'\n');
    let mut summed = listed;
    summed.push(ManifestFile {
        name: "manifest.json".to_owned(),
        sha256: sha256_hex(&manifest_bytes),
        size: manifest_bytes.len() as u64,
    });
    let files = vec![
        PackageFile { name: "review.ron".to_owned(), bytes: review_bytes },
        PackageFile { name: "manifest.json".to_owned(), bytes: manifest_bytes },
        PackageFile { name: "SHA256SUMS".to_owned(), bytes: sums_text(&summed).into_bytes() },
    ];
    let zip = crate::export::archive::zip_bytes(&files, when)?;
    crate::export::archive::write_file_atomic(out, &zip)?;
    Ok(sha256_hex(&zip))
}

/// What [`check_review_package`] found.
#[derive(Debug, Clone)]
pub struct ReviewPackageReport {
    /// The manifest, when readable.
    pub manifest: Option<ReviewManifest>,
    /// The review, when readable.
    pub review: Option<Review>,
    /// Problems, in plain words; empty when intact.
    pub problems: Vec<String>,
}

/// Checks a review package: `SHA256SUMS` against every file, the manifest against the review,
/// and the review's audit chain.
///
/// # Errors
/// The package cannot be read or is refused (unsafe entries, zip bomb).
pub fn check_review_package(path: &Path) -> Result<ReviewPackageReport, ReviewError> {
    let mut reader = PackageReader::open(path, &Limits::default())?;
    let names: Vec<String> = reader.entries().iter().map(|e| e.name.clone()).collect();
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    for name in &names {
        if let Some((h, _)) = reader.hash(name)? {
            hashes.insert(name.clone(), h);
        }
    }
    let mut problems = Vec::new();
    // Only the small files are read whole; review.ron is held to the case file's bound.
    let mut by_name: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for (name, cap) in
        [("SHA256SUMS", SMALL_FILE_BYTES), ("manifest.json", SMALL_FILE_BYTES), ("review.ron", CASE_FILE_BYTES)]
    {
        match reader.entry(name).map(|e| e.size) {
            Some(size) if size > cap => problems.push(format!("{name}: {size} bytes, more than the {cap} bytes read")),
            Some(_) => {
                if let Some(bytes) = reader.read_whole(name, cap)? {
                    by_name.insert(name, bytes);
                }
            }
            None => {}
        }
    }
    match by_name.get("SHA256SUMS").map(|b| parse_sums(b)) {
        Some(Ok(lines)) => {
            let listed: BTreeSet<&str> = lines.iter().map(|l| l.name.as_str()).collect();
            for l in &lines {
                match hashes.get(l.name.as_str()) {
                    None => problems.push(format!("{} is missing", l.name)),
                    Some(h) if *h != l.sha256 => problems.push(format!("{} was changed", l.name)),
                    Some(_) => {}
                }
            }
            for name in hashes.keys().filter(|n| *n != "SHA256SUMS" && !listed.contains(n.as_str())) {
                problems.push(format!("{name} was added"));
            }
        }
        Some(Err(e)) => problems.push(format!("SHA256SUMS was changed: {e}")),
        None => problems.push("SHA256SUMS is missing".to_owned()),
    }
    let manifest = by_name.get("manifest.json").and_then(|b| match serde_json::from_slice::<ReviewManifest>(b) {
        Ok(m) => Some(m),
        Err(e) => {
            problems.push(format!("manifest.json is not a review manifest: {e}"));
            None
        }
    });
    let review = by_name.get("review.ron").and_then(|b| match file::from_bytes("review.ron", b) {
        Ok(r) => Some(r),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    });
    if let Some(r) = &review {
        if let Err(e) = r.verify_audit() {
            problems.push(format!("review.ron: the audit log is broken: {e}"));
        }
        if let Some(m) = &manifest
            && (m.reviewed_manifest_sha256 != r.package_manifest_sha256 || m.reviewed_case_id != r.case_id)
        {
            problems.push("manifest.json and review.ron name different reviewed packages".to_owned());
        }
    }
    Ok(ReviewPackageReport { manifest, review, problems })
}
