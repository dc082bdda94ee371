//! Putting the built-in labels into a ledger: they are written as a TagPack
//! ([`super::tagpack::write`]) and imported by the ledger's TagPack import, so they get a batch
//! with a file name and SHA-256 like any other source, and importing them again adds nothing.

use std::path::PathBuf;

use super::tagpack::{Header, write};
use crate::import::{Format, ImportOptions};
use crate::ledger::{ImportReport, LedgerError, WriteLedger};

/// The file name the built-in labels are imported under (it names their batch).
pub const BUILTIN_FILE_NAME: &str = "hoptrace-attribution.tagpack.yaml";

/// The built-in labels as a TagPack document (deterministic: the same build writes the same
/// bytes, so a second import is recognised as the same batch).
#[must_use]
pub fn builtin_tagpack() -> String {
    let lastmod = super::labels()
        .iter()
        .flat_map(|l| [l.valid_from.as_deref(), l.valid_to.as_deref()])
        .flatten()
        .max()
        .unwrap_or("2025-01-01")
        .to_owned();
    let header = Header {
        title: "hoptrace built-in attribution labels".to_owned(),
        creator: super::BUILTIN_AUTHOR.to_owned(),
        description: "Cited public attributions shipped with hoptrace: DPRK-attributed addresses (FBI, U.S. \
                      Treasury), Tornado Cash pools and their OFAC listing and delisting, Blender.io and \
                      Sinbad.io, THORChain routers, bridges, named exchange hot wallets."
            .to_owned(),
        lastmod,
    };
    write(&header, super::labels())
}

/// Imports the built-in labels into `ledger` as one batch named [`BUILTIN_FILE_NAME`].
///
/// # Errors
/// [`LedgerError`] when the temporary TagPack cannot be written or the import fails.
pub fn import_builtin(ledger: &mut dyn WriteLedger) -> Result<ImportReport, LedgerError> {
    let nanos = jiff::Timestamp::now().as_nanosecond();
    let dir = std::env::temp_dir().join(format!("hoptrace-labels-{}-{nanos}", std::process::id()));
    let path: PathBuf = dir.join(BUILTIN_FILE_NAME);
    let io = |source| LedgerError::Io { path: path.clone(), source };
    std::fs::create_dir_all(&dir).map_err(io)?;
    std::fs::write(&path, builtin_tagpack()).map_err(io)?;
    let options = ImportOptions { format: Some(Format::TagPack), ..ImportOptions::default() };
    let report = ledger.import_file(&path, &options, None);
    // The batch keeps the file's name and SHA-256; the temporary copy is not needed after.
    let _ = std::fs::remove_dir_all(&dir);
    report
}
