//! What an evidence package is, for its writer ([`crate::export`]) and its readers alike:
//! the format's name and versions, the files it holds, the rule every file name follows, and
//! the time text its files use.
//!
//! # Versions
//!
//! Every layout hoptrace ever wrote is read ([`FormatVersion`]):
//!
//! | `format_version` | written | layout |
//! |---|---|---|
//! | 1 | 2026-11-24 until version 2 | `case.ron`, `audit.jsonl`, `transfers.csv`, `hops.csv`, `labels.csv`, `notes.csv`, `graph.graphml`, `stix.json`, then `manifest.json`, `manifest.sig` (signed), `SHA256SUMS`. The first writers wrote nothing else; from 2026-11-24 (commit 116e9eb) the same number also carried `graph.svg`, `graph.png`, `report.html` and `report.pdf`, always the four together. Until 2026-12-07 (commit fccf8e8) a UTXO input whose spent output was not in the ledger was written with `0` in `amount_base_units` and `amount`; since then with an empty `amount_base_units` and `amount unknown (…)` |
//! | 2 | since | the last version-1 layout under its own number: the four renderings (every export writes them) and unknown amounts written as unknown. Columns, manifest fields and every other file as in version 1 |
//!
//! Version 1 changed twice without a new number; version 2 names the layout written since, so
//! a reader knows which layout to expect (`verify --ledger` takes a `0` for an unknown amount
//! from a version-1 package only). The renderings are not required in either version: the
//! first version-1 packages have none, and a package made with the writer's `PackageBuilder`
//! holds the renderings its maker added (`report.pdf` and `report.html` go together, and
//! `graph.png` with them).

/// The `format` of a manifest.
pub const FORMAT_NAME: &str = "hoptrace-evidence-package";
/// The `format_version` this build writes.
pub const FORMAT_VERSION: u32 = 2;

/// A package layout this build reads (see the module docs for what each holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FormatVersion {
    /// `format_version` 1: with or without the renderings; an unknown amount may be `0`.
    V1,
    /// `format_version` 2: the renderings written by every export; an unknown amount written
    /// as unknown.
    V2,
}

impl FormatVersion {
    /// Every version this build reads, oldest first.
    pub const ALL: [FormatVersion; 2] = [FormatVersion::V1, FormatVersion::V2];

    /// The version of `format_version` `number`, when this build reads it.
    #[must_use]
    pub fn from_number(number: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.number() == number)
    }

    /// The `format_version` of the manifest.
    #[must_use]
    pub fn number(self) -> u32 {
        match self {
            FormatVersion::V1 => 1,
            FormatVersion::V2 => 2,
        }
    }

    /// Whether an amount the ledger does not know (a UTXO input whose spent output is not in
    /// it) may be written as `0`, as the first version-1 writers did.
    #[must_use]
    pub fn unknown_amount_may_be_zero(self) -> bool {
        self == FormatVersion::V1
    }

    /// The versions this build reads, as text: `1 and 2`.
    #[must_use]
    pub fn readable_text() -> String {
        let numbers: Vec<String> = Self::ALL.iter().map(|v| v.number().to_string()).collect();
        match numbers.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => numbers.join(""),
        }
    }
}

/// Names the writer adds itself after the other files: the manifest, the optional signature
/// and `SHA256SUMS`.
pub const RESERVED_NAMES: [&str; 3] = ["manifest.json", "manifest.sig", "SHA256SUMS"];

/// The rendered files in package order.
pub const RENDERED_FILES: [&str; 4] = ["graph.svg", "graph.png", "report.html", "report.pdf"];

/// The files of every package of every version, besides `manifest.sig` and the renderings.
pub const REQUIRED_FILES: [&str; 10] = [
    "case.ron",
    "audit.jsonl",
    "transfers.csv",
    "hops.csv",
    "labels.csv",
    "notes.csv",
    "graph.graphml",
    "stix.json",
    "manifest.json",
    "SHA256SUMS",
];

/// One file of a package, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Name in the package (a plain file name: see [`check_name`]).
    pub name: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Checks that `name` is a plain file name a package may hold: UTF-8, 1–255 bytes of
/// letters, digits, `.`, `_` and `-`, not starting with `.`.
///
/// # Errors
/// What is wrong, in words (`absolute path`, `parent folder (..)`, `backslash`, …).
pub fn check_name(name: &[u8]) -> Result<&str, String> {
    let Ok(text) = std::str::from_utf8(name) else {
        return Err("the name is not UTF-8".to_owned());
    };
    if text.is_empty() {
        return Err("empty name".to_owned());
    }
    if text.starts_with('/') {
        return Err("absolute path".to_owned());
    }
    if text.contains('\\') {
        return Err("backslash in the name (a Windows path)".to_owned());
    }
    if text.as_bytes().get(1) == Some(&b':') {
        return Err("drive letter (a Windows absolute path)".to_owned());
    }
    if text.split('/').any(|c| c == "..") {
        return Err("parent folder (..) in the path: it would write outside the package folder".to_owned());
    }
    if text.contains('/') {
        return Err("a folder: packages hold plain files only".to_owned());
    }
    if text.starts_with('.') {
        return Err("hidden or relative name (starts with '.')".to_owned());
    }
    if text.len() > 255 || !text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return Err("only letters, digits, '.', '_' and '-' are allowed in a file name".to_owned());
    }
    Ok(text)
}

/// UTC seconds as RFC 3339 (`2023-05-02T12:19:59Z`), as every time in a package is written
/// ([`crate::model::format_utc`]).
#[must_use]
pub fn rfc3339(seconds: i64) -> String {
    crate::model::format_utc(seconds)
}

#[cfg(test)]
mod tests {
    use super::{FORMAT_VERSION, FormatVersion, check_name};

    #[test]
    fn versions_read_are_every_one_written() {
        assert_eq!(FormatVersion::from_number(FORMAT_VERSION), Some(FormatVersion::V2));
        assert_eq!(FormatVersion::from_number(1), Some(FormatVersion::V1));
        assert_eq!(FormatVersion::from_number(0), None);
        assert_eq!(FormatVersion::from_number(3), None);
        assert_eq!(FormatVersion::readable_text(), "1 and 2");
        assert!(FormatVersion::V1.unknown_amount_may_be_zero() && !FormatVersion::V2.unknown_amount_may_be_zero());
    }

    #[test]
    fn names_are_plain_file_names() {
        assert_eq!(check_name(b"case.ron"), Ok("case.ron"));
        for (bad, why) in [
            (&b"../evil"[..], "parent"),
            (b"/etc/passwd", "absolute"),
            (b"a\\b", "backslash"),
            (b"C:evil", "drive"),
            (b"dir/file", "folder"),
            (b".hidden", "hidden"),
            (b"a b", "only letters"),
            (b"\xff", "UTF-8"),
            (b"", "empty"),
        ] {
            let e = check_name(bad).err().unwrap_or_default();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }
}
