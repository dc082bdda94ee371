//! Evidence packages as a format, and everything that reads one back: the file list, the
//! manifest and `SHA256SUMS` ([`manifest`]), the columns of the CSV tables ([`columns`]),
//! signatures ([`sign`]), safe reading in bounded memory ([`unpack`]), `hoptrace verify`
//! ([`verify()`], with the package checked against itself), opening a package for review
//! ([`open_package`]) and reading its tables back into [`Evidence`] without the ledger.
//!
//! Writing is [`crate::export`], which depends on this module for the format it writes; this
//! module never depends on the writer, so a reader is checked against the format definition,
//! not against the writer's code. The module is named after the artefact, `package`, not
//! `evidence`: [`Evidence`] already names the in-memory content of a package (a case with its
//! ledger rows), which both sides share and which lives here.

pub mod columns;
mod evidence;
mod format;
pub mod manifest;
mod open;
mod readback;
mod selfcheck;
pub mod sign;
mod tablecheck;
pub mod unpack;
mod verify;

pub use evidence::Evidence;
pub use format::{
    FORMAT_NAME, FORMAT_VERSION, FormatVersion, PackageFile, RENDERED_FILES, REQUIRED_FILES, RESERVED_NAMES,
    check_name, rfc3339,
};
pub use manifest::{Manifest, ManifestFile, ManifestHeader, SumLine, parse_sums, sums_text};
pub use open::{OpenedPackage, open_package};
pub use selfcheck::REPORT_HTML_BYTES;
pub use unpack::{Entry, Limits, PackageError, PackageReader, SMALL_FILE_BYTES, extract_into, read_package};
pub use verify::{
    AuditStatus, Authenticity, CASE_FILE_BYTES, FileCheck, FileStatus, LedgerStatus, SignatureStatus, VerifyOptions,
    VerifyReport, verify, verify_reader, verify_with,
};
