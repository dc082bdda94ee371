//! `manifest.json` and `SHA256SUMS`: what a package holds, with the SHA-256 and size of every
//! file, in two forms: JSON for tools and `hoptrace verify`, and the coreutils format that
//! `sha256sum -c SHA256SUMS` checks.

use serde::{Deserialize, Serialize};

use super::format::{FORMAT_NAME, FORMAT_VERSION, rfc3339};

/// One file listed in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ManifestFile {
    /// File name in the package.
    pub name: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// The manifest fields that describe the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHeader {
    /// Case id.
    pub case_id: String,
    /// Case title.
    pub case_title: String,
    /// Investigator.
    pub investigator: String,
    /// Fingerprint of the ledger the case was exported from.
    pub ledger_fingerprint: String,
    /// Export time (UTC seconds).
    pub exported_at: i64,
    /// Number of audit entries.
    pub audit_entries: u64,
    /// Hash of the last audit entry.
    pub audit_head: Option<String>,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Case id.
    pub case_id: String,
    /// Case title.
    pub case_title: String,
    /// Investigator.
    pub investigator: String,
    /// `hoptrace`.
    pub tool: String,
    /// The hoptrace version that wrote the package.
    pub tool_version: String,
    /// Fingerprint of the ledger (its import batches) the case was exported from.
    pub ledger_fingerprint: String,
    /// Export time, RFC 3339 UTC.
    pub exported_at: String,
    /// Export time, UTC seconds.
    pub exported_at_unix: i64,
    /// Number of audit entries in `audit.jsonl`.
    pub audit_entries: u64,
    /// Hash of the last audit entry: the head of the chain.
    pub audit_head: Option<String>,
    /// Public key (hex) of the ed25519 key that signed this manifest (`manifest.sig`), when
    /// signed: removing the signature file is then detected.
    pub signer_public_key: Option<String>,
    /// Every file but `manifest.json`, `manifest.sig` and `SHA256SUMS`, sorted by name.
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    /// A manifest for `files` (sorted here).
    #[must_use]
    pub fn new(header: &ManifestHeader, mut files: Vec<ManifestFile>, signer_public_key: Option<String>) -> Self {
        files.sort();
        Manifest {
            format: FORMAT_NAME.to_owned(),
            format_version: FORMAT_VERSION,
            case_id: header.case_id.clone(),
            case_title: header.case_title.clone(),
            investigator: header.investigator.clone(),
            tool: "hoptrace".to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            ledger_fingerprint: header.ledger_fingerprint.clone(),
            exported_at: rfc3339(header.exported_at),
            exported_at_unix: header.exported_at,
            audit_entries: header.audit_entries,
            audit_head: header.audit_head.clone(),
            signer_public_key,
            files,
        }
    }

    /// The JSON bytes (pretty, `\n` line ends, ending with a newline).
    ///
    /// # Errors
    /// Not expected: a message when serialising fails.
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let mut v = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        v.push(b'\n');
        Ok(v)
    }

    /// Reads a manifest.
    ///
    /// # Errors
    /// [`ManifestError`], with the line and column of the problem.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ManifestError> {
        serde_json::from_slice(bytes).map_err(ManifestError)
    }

    /// The entry for `name`.
    #[must_use]
    pub fn file(&self, name: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// Why a manifest could not be read: the JSON error, shown with its line and column.
#[derive(Debug, thiserror::Error)]
#[error("line {line}, column {column}: {0}", line = .0.line(), column = .0.column())]
pub struct ManifestError(#[source] pub serde_json::Error);

/// `SHA256SUMS` for these files: one `<sha256>  <name>` line each, sorted by name.
#[must_use]
pub fn sums_text(files: &[ManifestFile]) -> String {
    let mut sorted: Vec<&ManifestFile> = files.iter().collect();
    sorted.sort();
    sorted.iter().map(|f| format!("{}  {}\n", f.sha256, f.name)).collect()
}

/// One line of a `SHA256SUMS` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLine {
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// File name.
    pub name: String,
}

/// Reads `SHA256SUMS` (text or binary mode lines, `<hex>  <name>` or `<hex> *<name>`).
///
/// # Errors
/// The first malformed line, by number, saying what was expected.
pub fn parse_sums(bytes: &[u8]) -> Result<Vec<SumLine>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text (byte {})", e.valid_up_to()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let bad = || format!("line {}: expected `<64 hex digits>  <file name>`, found {line:?}", i + 1);
        let (hash, rest) = line.split_at_checked(64).ok_or_else(bad)?;
        if !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(bad());
        }
        let name = rest.strip_prefix("  ").or_else(|| rest.strip_prefix(" *")).ok_or_else(bad)?;
        if name.is_empty() {
            return Err(bad());
        }
        out.push(SumLine { sha256: hash.to_owned(), name: name.to_owned() });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sums_round_trip_and_refuse_garbage() {
        let files = vec![
            ManifestFile { name: "b.csv".into(), sha256: "b".repeat(64), size: 1 },
            ManifestFile { name: "a.csv".into(), sha256: "a".repeat(64), size: 2 },
        ];
        let text = sums_text(&files);
        assert!(text.starts_with(&format!("{}  a.csv\n", "a".repeat(64))));
        let lines = parse_sums(text.as_bytes()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].name, "b.csv");
        assert!(parse_sums(b"abc  x\n").unwrap_err().contains("line 1"));
        let upper = format!("{}  x\n", "A".repeat(64));
        assert!(parse_sums(upper.as_bytes()).is_err());
    }
}
