//! Case files: RON, atomic save with a backup, errors with line and column.
//!
//! # Format
//!
//! A case file is the pretty-printed RON of a [`Case`]: four-space indents, `\n` line ends on
//! every platform, no struct names. Every collection of a case is ordered, so the same case
//! always gives the same bytes and two versions of a case can be compared with `diff`.
//!
//! # Saving
//!
//! [`save`] never leaves a damaged or missing case file behind, whenever the process or the
//! machine stops:
//!
//! 1. the case is written to a temporary file in the same folder (`.NAME.PID-N.tmp`) and
//!    synced to disk;
//! 2. the current file, if any, becomes `NAME.bak`: it is hard-linked (or, where the file
//!    system has no hard links, copied) to a temporary name that is then renamed over the old
//!    `.bak`, so the case file itself stays in place throughout;
//! 3. the temporary file is renamed over the case file, which replaces it in one step;
//! 4. the folder is synced, so the renames survive a power cut.
//!
//! At every moment the case file holds either the previous version or the new one, whole, and
//! `NAME.bak` (once there is one) holds a whole earlier version. A crash leaves at most a
//! temporary file, which the next successful save removes.
//!
//! # Loading
//!
//! [`load`] first reads only the `format` field, so a file written by a newer hoptrace is
//! refused with [`CaseFileError::UnknownFormat`] rather than a puzzling complaint about a field
//! this build has never heard of. Anything that does not parse is a [`CaseFileError::Syntax`]
//! naming the line and column (1-based, counted in characters) and saying, in plain words,
//! what was found and what was expected there.
//!
//! # Crash recovery
//!
//! The window autosaves to `NAME.recovery` ([`save_recovery`], atomic but without a backup)
//! and removes it once the case is saved or closed ([`discard_recovery`]). A recovery file
//! still there when the case is opened again ([`load_recovery`]) holds work the last session
//! did not save.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::fsutil::{self, folder, temp_beside as temp_path};

use serde::Deserialize;

use super::{CASE_FORMAT, Case};

/// What went wrong reading or writing a case file.
#[derive(Debug, thiserror::Error)]
pub enum CaseFileError {
    /// The file system refused: reading, writing, syncing, renaming or removing a file.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// The file (or folder) concerned.
        path: PathBuf,
        /// What was being done, as words that precede the path ("read case file").
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The file is not a well-formed case.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Line of the problem, from 1.
        line: usize,
        /// Column of the problem, from 1, in characters.
        column: usize,
        /// What was found and what was expected there.
        message: String,
    },
    /// The file's `format` is not one this build reads.
    #[error("{}: {}", path.display(), format_message(*found, *supported))]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// The format it declares (0 when it has no `format` field).
        found: u32,
        /// The format this build reads ([`CASE_FORMAT`]).
        supported: u32,
    },
    /// The case file on disk is no longer the version this change started from: someone else
    /// saved it meanwhile. Nothing was written; the other version stays.
    #[error(
        "{}: not saved: the file was changed by someone else since it was opened (it now ends with audit entry \
         {found_seq} by {found_by}, this change started from entry {base_seq}); nothing was overwritten: open \
         it again and redo the change",
        path.display()
    )]
    Changed {
        /// The file.
        path: PathBuf,
        /// The audit entry the change started from (0: a new case).
        base_seq: u64,
        /// The last audit entry of the file now on disk.
        found_seq: u64,
        /// Who made that entry.
        found_by: String,
    },
}

/// Where a case's audit log ends: the last entry's number and hash ([`super::audit::GENESIS`]
/// and 0 for an empty log). A change remembers the head it started from, and
/// [`save_checked`] compares it with the file's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// The last entry's `seq` (0 when there is none).
    pub seq: u64,
    /// The last entry's hash.
    pub hash: String,
}

impl AuditHead {
    /// The head of `case`'s audit log.
    #[must_use]
    pub fn of(case: &Case) -> Self {
        case.audit.last().map_or_else(
            || AuditHead { seq: 0, hash: super::audit::GENESIS.to_owned() },
            |e| AuditHead { seq: e.seq, hash: e.hash.clone() },
        )
    }
}

fn format_message(found: u32, supported: u32) -> String {
    if found > supported {
        format!("written by a newer hoptrace (format {found}); this build reads format {supported}")
    } else {
        format!("the `format` field is missing or {found}: expected `format: {supported}` (is this a hoptrace case?)")
    }
}

fn io_error(action: &'static str, path: &Path, source: io::Error) -> CaseFileError {
    CaseFileError::Io { path: path.to_owned(), action, source }
}

/// `PATH` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Where [`save`] keeps the previous version of a case file: `PATH.bak`.
#[must_use]
pub fn backup_path(path: &Path) -> PathBuf {
    with_suffix(path, ".bak")
}

/// Where the window autosaves a case: `PATH.recovery`.
#[must_use]
pub fn recovery_path(path: &Path) -> PathBuf {
    with_suffix(path, ".recovery")
}

/// The case as pretty RON: the bytes every save writes.
fn to_text(case: &Case) -> Result<String, ron::Error> {
    let config = ron::ser::PrettyConfig::new()
        .new_line("\n")
        .indentor("    ")
        .separator(" ")
        .struct_names(false)
        .compact_arrays(false)
        .escape_strings(true);
    let mut text = ron::ser::to_string_pretty(case, config)?;
    text.push('\n');
    Ok(text)
}

/// Saves `case` to `path` atomically, keeping the file it replaces as `PATH.bak`.
///
/// See the [module documentation](self) for what a crash at any point leaves behind. The case
/// is written as is: its `format` should be [`CASE_FORMAT`], as [`Case::new`] sets it.
///
/// # Errors
/// [`CaseFileError::Io`] naming the file and the step that failed. The case file is then
/// unchanged, unless only the final sync of the folder failed: the new version is in place but
/// may not survive a power cut.
pub fn save(case: &Case, path: &Path) -> Result<(), CaseFileError> {
    save_with(case, path, &|_| {})
}

/// [`save`], calling `before_rename` with the temporary file's path once it is written and
/// synced and the backup is in place, just before it replaces the case file. Tests use it to
/// stop the process at the most delicate moment.
///
/// # Errors
/// As [`save`].
pub fn save_with(case: &Case, path: &Path, before_rename: &dyn Fn(&Path)) -> Result<(), CaseFileError> {
    let text = serialise(case, path)?;
    let temp = write_temp(path, text.as_bytes())?;
    let result = replace(path, &temp, Replace::CaseFile, before_rename);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// [`save`], but only if the case file on disk still ends with the audit entry `base` (the
/// head the change started from; a file that does not exist yet counts as an empty log).
/// Callers hold the case's [`super::lock::CaseLock`], so no other writer can save between the
/// check and the rename; the check alone still catches a writer that ignored the lock.
///
/// # Errors
/// [`CaseFileError::Changed`] when the file moved on (nothing written); otherwise as [`save`].
pub fn save_checked(case: &Case, path: &Path, base: &AuditHead) -> Result<(), CaseFileError> {
    let (on_disk, found_by) = match fs::metadata(path) {
        Ok(_) => {
            let current = load(path)?;
            let by = current.audit.last().map(|e| e.investigator.clone()).unwrap_or_default();
            (AuditHead::of(&current), by)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            (AuditHead { seq: 0, hash: super::audit::GENESIS.to_owned() }, String::new())
        }
        Err(e) => return Err(io_error("read case file", path, e)),
    };
    if on_disk != *base {
        return Err(CaseFileError::Changed {
            path: path.to_owned(),
            base_seq: base.seq,
            found_seq: on_disk.seq,
            found_by,
        });
    }
    save(case, path)
}

/// Autosaves `case` for the case file `path` to [`recovery_path`] (atomic, no backup).
///
/// # Errors
/// [`CaseFileError::Io`] naming the recovery file and the step that failed.
pub fn save_recovery(case: &Case, path: &Path) -> Result<(), CaseFileError> {
    let target = recovery_path(path);
    let text = serialise(case, &target)?;
    let temp = write_temp(&target, text.as_bytes())?;
    let result = replace(&target, &temp, Replace::RecoveryFile, &|_| {});
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The exact bytes [`save`] writes for `case` (an evidence package carries them as `case.ron`).
///
/// # Errors
/// [`CaseFileError::Io`] when the case cannot be written as RON (not expected for a case
/// built by hoptrace).
pub fn to_bytes(case: &Case) -> Result<Vec<u8>, CaseFileError> {
    serialise(case, Path::new("case.ron")).map(String::into_bytes)
}

/// Reads a case from bytes that did not come from a case file on disk (an evidence package's
/// `case.ron`); `origin` names them in errors, as [`load`] names the file.
///
/// # Errors
/// As [`load`], without [`CaseFileError::Io`].
pub fn from_bytes(origin: &Path, bytes: &[u8]) -> Result<Case, CaseFileError> {
    parse(origin, bytes)
}

/// Writes `bytes` to `path` the way [`save`] writes a case (temporary file synced, the old
/// version kept as `PATH.bak`, one rename, the folder synced): for files kept beside cases and
/// packages, such as review files.
///
/// # Errors
/// [`CaseFileError::Io`] naming the file and the step that failed; `path` is then unchanged.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CaseFileError> {
    let temp = write_temp(path, bytes)?;
    let result = replace(path, &temp, Replace::Other, &|_| {});
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Loads the case file at `path`.
///
/// # Errors
/// [`CaseFileError::Io`] when it cannot be read, [`CaseFileError::UnknownFormat`] when it was
/// written by a newer hoptrace or declares no format, [`CaseFileError::Syntax`] (with line and
/// column) when it is not a well-formed case.
pub fn load(path: &Path) -> Result<Case, CaseFileError> {
    let bytes = fs::read(path).map_err(|e| io_error("read case file", path, e))?;
    parse(path, &bytes)
}

/// The autosaved case for the case file `path`, or `None` when there is no recovery file.
///
/// # Errors
/// As [`load`], for the recovery file.
pub fn load_recovery(path: &Path) -> Result<Option<Case>, CaseFileError> {
    let target = recovery_path(path);
    match fs::read(&target) {
        Ok(bytes) => parse(&target, &bytes).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("read recovery file", &target, e)),
    }
}

/// Removes the recovery file of the case file `path`, if there is one.
///
/// # Errors
/// [`CaseFileError::Io`] when it exists but cannot be removed.
pub fn discard_recovery(path: &Path) -> Result<(), CaseFileError> {
    let target = recovery_path(path);
    match fs::remove_file(&target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("remove recovery file", &target, e)),
    }
}

fn serialise(case: &Case, path: &Path) -> Result<String, CaseFileError> {
    to_text(case).map_err(|e| io_error("write the case as RON for", path, io::Error::other(e)))
}

/// Temporary names are `.NAME.PID-N.tmp` (and `.NAME.PID-N.bak.tmp` for the backup link),
/// [`fsutil::temp_beside`]: unique per process and save, so two saves never write into the same
/// temporary file.
fn file_name(path: &Path) -> OsString {
    path.file_name().map_or_else(|| OsString::from("case"), ToOwned::to_owned)
}

impl From<fsutil::WriteError> for CaseFileError {
    fn from(e: fsutil::WriteError) -> Self {
        CaseFileError::Io { path: e.path, action: e.step, source: e.source }
    }
}

/// The process that wrote `name`, when it is a temporary file a save of `path` creates
/// (`.NAME.PID-N.tmp` or `.NAME.PID-N.bak.tmp`).
fn temp_writer(name: &OsString, path: &Path) -> Option<u32> {
    if !is_temp_of(name, path) {
        return None;
    }
    let rest = name.to_str()?.strip_suffix(".tmp")?;
    let rest = rest.strip_suffix(".bak").unwrap_or(rest);
    rest.rsplit_once('.')?.1.split_once('-')?.0.parse().ok()
}

/// Whether another process `pid` may still be saving: its save in progress must keep its
/// temporary file. This process's own are leftovers (its saves of one case are serialised by
/// the case lock); where `/proc` cannot tell, no other process counts as running.
fn running_elsewhere(pid: u32) -> bool {
    pid != std::process::id() && Path::new("/proc/self").exists() && Path::new("/proc").join(pid.to_string()).exists()
}

/// Whether `name` is a temporary file a save of `path` creates (`.NAME.PID-N.tmp` or
/// `.NAME.PID-N.bak.tmp`).
fn is_temp_of(name: &OsString, path: &Path) -> bool {
    let (Some(name), Some(target)) = (name.to_str(), file_name(path).to_str().map(ToOwned::to_owned)) else {
        return false;
    };
    let Some(rest) = name.strip_prefix('.').and_then(|r| r.strip_prefix(target.as_str())) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('.').and_then(|r| r.strip_suffix(".tmp")) else {
        return false;
    };
    let rest = rest.strip_suffix(".bak").unwrap_or(rest);
    let Some((pid, n)) = rest.split_once('-') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(pid) && digits(n)
}

/// Writes `bytes` to a new temporary file beside `path` and syncs it.
fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf, CaseFileError> {
    let temp = temp_path(path, ".tmp");
    fsutil::write_temp(path, &temp, |f| f.write_all(bytes))?;
    Ok(temp)
}

/// What [`replace`] replaces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Replace {
    /// A case file, keeping the previous version as `.bak`.
    CaseFile,
    /// A recovery file, without a backup.
    RecoveryFile,
    /// Another file kept like a case file, with a backup.
    Other,
}

/// Backs up `path` (a case file), moves `temp` over it, syncs the folder and removes temporary
/// files left by earlier saves that stopped half-way.
fn replace(path: &Path, temp: &Path, what: Replace, before_rename: &dyn Fn(&Path)) -> Result<(), CaseFileError> {
    if what != Replace::RecoveryFile && fs::symlink_metadata(path).is_ok() {
        keep_backup(path)?;
    }
    before_rename(temp);
    let action = match what {
        Replace::CaseFile => "replace case file",
        Replace::RecoveryFile => "replace recovery file",
        Replace::Other => "replace",
    };
    fsutil::commit(temp, path, action)?;
    remove_leftovers(path);
    Ok(())
}

/// Makes `PATH.bak` a copy of `path` without ever removing `path`.
fn keep_backup(path: &Path) -> Result<(), CaseFileError> {
    let bak = backup_path(path);
    let link = temp_path(path, ".bak.tmp");
    if fs::hard_link(path, &link).is_err() {
        // No hard links here (FAT, some network shares): copy instead.
        let copied = fs::copy(path, &link)
            .and_then(|_| File::open(&link))
            .and_then(|f| f.sync_all())
            .map_err(|e| io_error("copy the case file to", &link, e));
        if let Err(e) = copied {
            let _ = fs::remove_file(&link);
            return Err(e);
        }
    }
    fs::rename(&link, &bak).map_err(|e| {
        let _ = fs::remove_file(&link);
        io_error("keep the previous version as", &bak, e)
    })?;
    // When `.bak` already is a link to the case file (a save stopped after this step), the
    // rename does nothing and leaves the link: remove it.
    let _ = fs::remove_file(&link);
    Ok(())
}

/// Removes temporary files of `path` left by saves that stopped before their rename, in
/// processes no longer running (a save running elsewhere keeps its own; best effort: an error
/// only leaves them for the next save).
fn remove_leftovers(path: &Path) {
    let Ok(entries) = fs::read_dir(folder(path)) else {
        return;
    };
    for entry in entries.flatten() {
        if temp_writer(&entry.file_name(), path).is_some_and(|pid| !running_elsewhere(pid)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Just the `format` field; serde skips the others (and RON the text after the case), so any
/// file whose top level is a struct yields its format.
#[derive(Deserialize)]
#[serde(rename = "Case")]
struct FormatProbe {
    #[serde(default)]
    format: u32,
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Case, CaseFileError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let (line, column) = end_position(&valid);
            let byte = bytes.get(e.valid_up_to()).copied().unwrap_or_default();
            return Err(CaseFileError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: format!("byte 0x{byte:02x} is not UTF-8 text: expected a text file (RON), not binary data"),
            });
        }
    };
    // An editor may have added a byte order mark; it is invisible and not RON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The format first: a newer file may not parse as this build's case at all. A file that
    // does not even parse as a struct gets the full parse's more precise error below.
    if let Ok(mut de) = ron::Deserializer::from_str(text)
        && let Ok(probe) = FormatProbe::deserialize(&mut de)
    {
        check_format(path, probe.format)?;
    }
    let case: Case = ron::from_str(text).map_err(|e| syntax_error(path, text, &e))?;
    check_format(path, case.format)?;
    Ok(case)
}

fn check_format(path: &Path, found: u32) -> Result<(), CaseFileError> {
    if found == 0 || found > CASE_FORMAT {
        return Err(CaseFileError::UnknownFormat { path: path.to_owned(), found, supported: CASE_FORMAT });
    }
    Ok(())
}

/// Line and column (1-based, characters) just after `text`.
fn end_position(text: &str) -> (usize, usize) {
    let line = 1 + text.matches('\n').count();
    let column = 1 + text.rsplit('\n').next().map_or(0, |l| l.chars().count());
    (line, column)
}

/// Byte offset of a RON position (1-based line and column in characters), clamped to `text`.
fn offset_of(text: &str, pos: ron::error::Position) -> usize {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == pos.line {
            return offset + line.char_indices().nth(pos.col.saturating_sub(1)).map_or(line.len(), |(b, _)| b);
        }
        offset += line.len();
    }
    text.len()
}

/// Skips whitespace and comments from `offset`: RON reports some errors where the whitespace
/// before the offending text starts.
fn skip_blank(text: &str, mut offset: usize) -> usize {
    loop {
        let rest = &text[offset..];
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            offset += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if let Some(comment) = trimmed.strip_prefix("/*") {
            offset += comment.find("*/").map_or(trimmed.len(), |end| end + 4);
        } else {
            return offset;
        }
    }
}

/// The token at `offset`, in words ("`hello`", "the number `-1`", "the string `\"5\"`", "`{`",
/// "the character U+0000"), and its length in bytes; `None` at the end of the file.
fn found_at(text: &str, offset: usize) -> Option<(String, usize)> {
    let rest = &text[offset..];
    let c = rest.chars().next()?;
    let word = |keep: fn(char) -> bool| rest.find(|ch: char| !keep(ch)).unwrap_or(rest.len());
    let shown = |len: usize| rest[..len].chars().take(40).collect::<String>();
    Some(if c.is_alphabetic() || c == '_' {
        let len = word(|ch| ch.is_alphanumeric() || ch == '_' || ch == '#');
        (format!("`{}`", shown(len)), len)
    } else if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') {
        let len = word(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '+' | '.' | '_'));
        (format!("the number `{}`", shown(len)), len)
    } else if c == '"' {
        let line = rest.lines().next().unwrap_or(rest);
        let mut escaped = false;
        let close = line.char_indices().skip(1).find(|&(_, ch)| {
            let end = ch == '"' && !escaped;
            escaped = ch == '\\' && !escaped;
            end
        });
        match close {
            Some((end, _)) if end < 40 => (format!("the string `{}`", &line[..=end]), end + 1),
            Some((end, _)) => ("a string".to_owned(), end + 1),
            None => ("a string".to_owned(), line.len()),
        }
    } else if c.is_control() || c.is_whitespace() || c == '\u{fffd}' {
        (format!("the character U+{:04X}", u32::from(c)), c.len_utf8())
    } else {
        (format!("`{c}`"), c.len_utf8())
    })
}

/// The investigator's words for a type of the case file.
fn what(type_name: &str) -> String {
    match type_name {
        "Case" => "the case",
        "LedgerRef" => "the ledger reference",
        "NodeKey" => "a node",
        "NodeView" => "a node's view",
        "CaseFilter" => "a filter",
        "Aggregate" => "an aggregate",
        "Entity" => "an entity",
        "CaseLabel" => "a label",
        "Category" => "a category",
        "NoteTarget" => "a note target",
        "Note" => "a note",
        "Hop" => "a hop",
        "HopKind" => "a hop kind",
        "HopStatus" => "a hop status",
        "AuditEntry" => "an audit entry",
        "Command" => "an audit command",
        "Direction" => "a direction",
        "ExpandDirection" => "an expansion direction",
        "Address" => "an address node",
        "Tx" => "a transaction node",
        "mixer" => "a mixer hop",
        "bridge" => "a bridge hop",
        "swap" => "a swap hop",
        "cash_out" => "a cash-out hop",
        other if other.contains('_') || other.chars().all(|c| c.is_ascii_lowercase()) => {
            return format!("a `{other}` command");
        }
        other => return format!("`{other}`"),
    }
    .to_owned()
}

/// " in a hop" for a field of a struct other than the case itself.
fn inside(outer: Option<&String>) -> String {
    match outer.map(String::as_str) {
        None | Some("Case") => String::new(),
        Some(name) => format!(" in {}", what(name)),
    }
}

/// "`a`", "`a` or `b`", "one of `a`, `b` or `c`".
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => "nothing here".to_owned(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("one of {} or {last}", init.join(", ")),
    }
}

fn syntax_error(path: &Path, text: &str, e: &ron::error::SpannedError) -> CaseFileError {
    use ron::Error as E;
    // Punctuation due after an item; when RON's span runs to the end of the file, the file
    // ended where it was due (RON's span then starts at the item, even inside a string).
    let punctuation = matches!(
        e.code,
        E::ExpectedComma
            | E::ExpectedMapColon
            | E::ExpectedStructLikeEnd
            | E::ExpectedOptionEnd
            | E::ExpectedArrayEnd
            | E::ExpectedMapEnd
    );
    let at = match e.code {
        // RON points at the last token read; the file ends after it.
        E::Eof => text.len(),
        _ if punctuation && skip_blank(text, offset_of(text, e.span.end)) == text.len() => text.len(),
        _ => skip_blank(text, offset_of(text, e.span.start)),
    };
    // RON points after the sign of a number, and after the opening quote of a string a type
    // refused (an amount that is not a number).
    let before = if at > 0 { text.as_bytes()[at - 1] } else { 0 };
    let at = match (&e.code, before) {
        (_, b'-' | b'+') if text[at..].starts_with(|c: char| c.is_ascii_digit()) => at - 1,
        (E::Message(_), b'"') => at - 1,
        _ => at,
    };
    let (line, column) = if text.trim().is_empty() { (1, 1) } else { end_position(&text[..at]) };
    let token = found_at(text, at);
    // Nothing but blanks after the token: the file was probably cut short there.
    let last = token.as_ref().is_some_and(|(_, len)| text[skip_blank(text, at + len)..].is_empty());
    let found = token.map(|(words, _)| words);
    // A string that runs on past its end (a missing `"`) makes RON trip over what follows it.
    let quote_before =
        at > 0 && text.as_bytes()[at - 1] == b'"' && found.as_deref().is_some_and(|f| f.starts_with('`'));
    let hint = if quote_before { " (check the quotes: a string may be missing its closing `\"`)" } else { "" };
    // "found X: expected Y", or "the file ends here: expected Y" for a file cut short.
    let expected = |what: &str| match &found {
        Some(found) if last => {
            format!("found {found} at the end of the file: expected {what} (was the file cut short?)")
        }
        Some(found) => format!("found {found}: expected {what}{hint}"),
        None => format!("the file ends here, in the middle of the case: expected {what} (was the file cut short?)"),
    };
    let message = match &e.code {
        _ if text.trim().is_empty() => "the file is empty: expected a hoptrace case".to_owned(),
        E::Eof => {
            "the file ends in the middle of the case: expected the rest of it (was the file cut short?)".to_owned()
        }
        E::TrailingCharacters => "unexpected text after the case: expected the end of the file".to_owned(),
        E::MissingStructField { field, outer } => {
            format!("missing field `{field}`{}: expected every field of a hoptrace case", inside(outer.as_ref()))
        }
        E::DuplicateStructField { field, outer } => {
            format!("field `{field}` appears twice{}: expected each field once", inside(outer.as_ref()))
        }
        E::NoSuchStructField { expected, found, outer } => {
            format!("unknown field `{found}`{}: expected {}", inside(outer.as_ref()), one_of(expected))
        }
        E::NoSuchEnumVariant { expected, found, outer } => {
            let of = outer.as_deref().map(|o| format!(" for {}", what(o))).unwrap_or_default();
            let cut = if last { " (was the file cut short?)" } else { "" };
            format!("unknown value `{found}`{of}: expected {}{cut}", one_of(expected))
        }
        E::ExpectedNamedStructLike("Case") | E::ExpectedDifferentStructName { expected: "Case", .. } => {
            // The first thing in the file: not a case at all, rather than one cut short.
            format!(
                "found {}: expected `(` opening a hoptrace case (a case file is RON text starting with `(`)",
                found.as_deref().unwrap_or("nothing")
            )
        }
        E::ExpectedNamedStructLike(name) | E::ExpectedDifferentStructName { expected: name, .. } => {
            expected(&format!("`(` opening {}", what(name)))
        }
        E::ExpectedStructLike => expected("`(`"),
        E::ExpectedStructLikeEnd | E::ExpectedOptionEnd => expected("`)` closing the parentheses"),
        E::ExpectedArray => expected("`[` opening a list"),
        E::ExpectedArrayEnd => expected("`,` or `]` closing the list"),
        E::ExpectedMap => expected("`{` opening a map"),
        E::ExpectedMapEnd => expected("`,` or `}` closing the map"),
        E::ExpectedMapColon => expected("a colon `:` after the field name or key"),
        E::ExpectedComma => expected("a comma `,` after the previous item"),
        E::ExpectedIdentifier => expected("a field or variant name"),
        E::ExpectedOption => expected("`Some(…)` or `None`"),
        E::ExpectedUnit => expected("`()`"),
        E::ExpectedBoolean => expected("`true` or `false`"),
        E::ExpectedInteger => expected("a whole number"),
        E::ExpectedFloat => expected("a number"),
        E::ExpectedString => expected("a string in double quotes"),
        // Strings may span lines: one never closed runs to the end of the file.
        E::ExpectedStringEnd => "this string runs to the end of the file: expected its closing `\"` \
                                 (is a quote missing, or was the file cut short?)"
            .to_owned(),
        E::ExpectedChar => expected("a character in single quotes"),
        E::IntegerOutOfBounds => {
            let number = found.as_deref().unwrap_or("the number");
            if number.starts_with("the number `-") {
                format!("{number} is negative: expected a whole number of 0 or more")
            } else {
                format!("{number} is out of range: expected a smaller whole number for this field")
            }
        }
        E::InvalidIntegerDigit { digit, base } => {
            format!("invalid digit {digit:?}: expected a base-{base} number")
        }
        E::InvalidEscape(problem) => {
            format!("{}: expected an escape such as `\\n`, `\\\"`, `\\\\` or `\\u{{…}}`", problem.to_lowercase())
        }
        E::UnexpectedChar(_) => expected("RON text (the text of a hoptrace case)"),
        E::UnclosedBlockComment => "a `/*` comment is never closed: expected `*/`".to_owned(),
        E::InvalidValueForType { expected: exp, found } => format!("found {found}: expected {exp}"),
        E::ExpectedDifferentLength { expected: exp, found } => {
            format!("found {found} item{}: expected {exp}", if *found == 1 { "" } else { "s" })
        }
        E::ExceededRecursionLimit => expected("less nesting (the case is nested too deeply to read)"),
        E::Message(m) if m.contains("expected") => m.clone(),
        E::Message(m) => format!("{m}: expected a valid value for this field"),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            let first = chars.next().map(|c| c.to_lowercase().collect::<String>()).unwrap_or_default();
            format!("{first}{}: expected a hoptrace case in RON", chars.as_str())
        }
    };
    CaseFileError::Syntax { path: path.to_owned(), line, column, message }
}
