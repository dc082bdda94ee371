//! The package in memory: an ordered list of named files, then the manifest, the optional
//! signature and `SHA256SUMS`; written as a deterministic zip or, atomically, as a folder.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::{ExportError, archive};
use crate::package::manifest::{Manifest, ManifestFile, ManifestHeader, sums_text};
use crate::package::{PackageFile, RESERVED_NAMES, check_name, sign};

/// Name, SHA-256 and size of a file added so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHash {
    /// Name in the package.
    pub name: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// SHA-256 of `bytes`, lower-case hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Collects the files of a package in order.
#[derive(Debug, Clone, Default)]
pub struct PackageBuilder {
    files: Vec<PackageFile>,
    hashes: Vec<FileHash>,
}

impl PackageBuilder {
    /// An empty package.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a file.
    ///
    /// # Errors
    /// [`ExportError::BadFileName`] for a name that is not a plain file name, is one of
    /// [`RESERVED_NAMES`], or is already in the package.
    pub fn add(&mut self, name: &str, bytes: Vec<u8>) -> Result<(), ExportError> {
        let bad = |reason: String| ExportError::BadFileName { name: name.to_owned(), reason };
        check_name(name.as_bytes()).map_err(bad)?;
        if RESERVED_NAMES.contains(&name) {
            return Err(bad("the package writes this file itself".to_owned()));
        }
        if self.files.iter().any(|f| f.name == name) {
            return Err(bad("the package already has a file of that name".to_owned()));
        }
        self.hashes.push(FileHash { name: name.to_owned(), sha256: sha256_hex(&bytes), size: bytes.len() as u64 });
        self.files.push(PackageFile { name: name.to_owned(), bytes });
        Ok(())
    }

    /// Name, SHA-256 and size of every file added so far, in package order (what a report
    /// lists as the hashes of the data files).
    #[must_use]
    pub fn hashes(&self) -> &[FileHash] {
        &self.hashes
    }

    /// Adds `manifest.json` (listing every file added, with `header`), `manifest.sig` when
    /// `key` is given, and `SHA256SUMS` (every file but itself).
    ///
    /// # Errors
    /// [`ExportError::Encode`] if the manifest cannot be serialised (not expected).
    pub fn finish(self, header: &ManifestHeader, key: Option<&sign::SecretKey>) -> Result<Package, ExportError> {
        let listed: Vec<ManifestFile> = self
            .hashes
            .iter()
            .map(|h| ManifestFile { name: h.name.clone(), sha256: h.sha256.clone(), size: h.size })
            .collect();
        let manifest = Manifest::new(header, listed.clone(), key.map(|k| k.public().to_hex()));
        let manifest_bytes =
            manifest.to_bytes().map_err(|message| ExportError::Encode { file: "manifest.json", message })?;
        let mut files = self.files;
        let mut summed = listed;
        let mut push = |files: &mut Vec<PackageFile>, name: &str, bytes: Vec<u8>| {
            summed.push(ManifestFile { name: name.to_owned(), sha256: sha256_hex(&bytes), size: bytes.len() as u64 });
            files.push(PackageFile { name: name.to_owned(), bytes });
        };
        let signature = key.map(|k| sign::signature_file(k, &manifest_bytes));
        push(&mut files, "manifest.json", manifest_bytes);
        if let Some(sig) = signature {
            push(&mut files, "manifest.sig", sig);
        }
        let sums = sums_text(&summed).into_bytes();
        files.push(PackageFile { name: "SHA256SUMS".to_owned(), bytes: sums });
        Ok(Package { files, manifest })
    }
}

/// A finished package.
#[derive(Debug, Clone)]
pub struct Package {
    /// Every file, in package order (`SHA256SUMS` last).
    pub files: Vec<PackageFile>,
    /// The manifest written as `manifest.json`.
    pub manifest: Manifest,
}

impl Package {
    /// The content of `name`.
    #[must_use]
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|f| f.name == name).map(|f| f.bytes.as_slice())
    }

    /// SHA-256 of `manifest.json`.
    #[must_use]
    pub fn manifest_sha256(&self) -> String {
        self.file("manifest.json").map(sha256_hex).unwrap_or_default()
    }

    /// The zip: entries in package order, Deflated, permissions 0644, modified at `mtime`.
    ///
    /// # Errors
    /// [`ExportError::Zip`] (not expected in memory).
    pub fn zip_bytes(&self, mtime: i64) -> Result<Vec<u8>, ExportError> {
        archive::zip_bytes(&self.files, mtime)
    }

    /// Writes the zip to `path` atomically (temporary file beside it, synced, renamed over
    /// `path`). Returns its size.
    ///
    /// # Errors
    /// [`ExportError::Io`] or [`ExportError::Zip`]; `path` is then unchanged.
    pub fn write_zip(&self, path: &Path, mtime: i64) -> Result<u64, ExportError> {
        let bytes = self.zip_bytes(mtime)?;
        archive::write_file_atomic(path, &bytes)?;
        Ok(bytes.len() as u64)
    }

    /// Writes the files into the folder `path`: into a temporary folder beside it, then
    /// renamed into place. An existing evidence package folder there is replaced; any other
    /// existing folder or file is refused. Returns the total size.
    ///
    /// # Errors
    /// [`ExportError::NotAPackageFolder`], [`ExportError::Io`]; `path` is then unchanged.
    pub fn write_dir(&self, path: &Path) -> Result<u64, ExportError> {
        archive::write_dir_atomic(path, &self.files)?;
        Ok(self.files.iter().map(|f| f.bytes.len() as u64).sum())
    }
}
