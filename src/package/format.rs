//! What an evidence package is, for its writer ([`crate::export`]) and its readers alike:
//! the format's name and version, the files it holds, the rule every file name follows, and
//! the time text its files use.

/// The `format` of a manifest.
pub const FORMAT_NAME: &str = "hoptrace-evidence-package";
/// The `format_version` this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Names the writer adds itself after the other files: the manifest, the optional signature
/// and `SHA256SUMS`.
pub const RESERVED_NAMES: [&str; 3] = ["manifest.json", "manifest.sig", "SHA256SUMS"];

/// The rendered files in package order.
pub const RENDERED_FILES: [&str; 4] = ["graph.svg", "graph.png", "report.html", "report.pdf"];

/// The files of every package hoptrace writes (format 1), besides `manifest.sig`.
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

/// UTC seconds as RFC 3339 (`2023-05-02T12:19:59Z`), as every time in a package is written;
/// empty for a time out of range.
#[must_use]
pub fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map(|t| t.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::check_name;

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
