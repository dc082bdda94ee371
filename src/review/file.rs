//! Review files beside packages (`PKG.review.ron`, pretty RON, saved atomically with a
//! `.bak` like case files) and [`ReviewSession`], a package opened for review with its review.

use std::path::{Path, PathBuf};

use super::{Review, ReviewAction, ReviewError};
use crate::case::Case;
use crate::package::{OpenedPackage, open_package};

/// The review file of the package at `package`: `evidence.zip` → `evidence.review.ron`, a
/// folder `evidence` → `evidence.review.ron`.
#[must_use]
pub fn review_path(package: &Path) -> PathBuf {
    let base = if package.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
        package.with_extension("")
    } else {
        package.to_owned()
    };
    let mut name = base.into_os_string();
    name.push(".review.ron");
    PathBuf::from(name)
}

/// The review as pretty RON (the bytes [`save`] writes).
///
/// # Errors
/// [`ReviewError::Syntax`] when it cannot be serialised (not expected).
pub fn to_bytes(review: &Review) -> Result<Vec<u8>, ReviewError> {
    let config = ron::ser::PrettyConfig::new().new_line("\n").indentor("    ").struct_names(false);
    let mut text = ron::ser::to_string_pretty(review, config)
        .map_err(|e| ReviewError::Syntax { path: "review".to_owned(), message: e.to_string() })?;
    text.push('\n');
    Ok(text.into_bytes())
}

/// Reads a review from bytes; `origin` names them in errors.
///
/// # Errors
/// [`ReviewError::Syntax`] with the line and column.
pub fn from_bytes(origin: &str, bytes: &[u8]) -> Result<Review, ReviewError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ReviewError::Syntax { path: origin.to_owned(), message: format!("not UTF-8 ({e})") })?;
    let review: Review = ron::from_str(text)
        .map_err(|e| ReviewError::Syntax { path: origin.to_owned(), message: format!("line:column {e}") })?;
    if review.format != super::REVIEW_FORMAT {
        return Err(ReviewError::Syntax {
            path: origin.to_owned(),
            message: format!("review format {}, this build reads {}", review.format, super::REVIEW_FORMAT),
        });
    }
    Ok(review)
}

/// Loads a review file.
///
/// # Errors
/// The file cannot be read or is malformed.
pub fn load(path: &Path) -> Result<Review, ReviewError> {
    let bytes = std::fs::read(path).map_err(|source| {
        ReviewError::File(crate::case::file::CaseFileError::Io {
            path: path.to_owned(),
            action: "read review file",
            source,
        })
    })?;
    from_bytes(&path.display().to_string(), &bytes)
}

/// Saves a review file atomically (temporary file, sync, `.bak`, rename).
///
/// # Errors
/// [`ReviewError::File`] naming the step that failed; the file is unchanged then.
pub fn save(review: &Review, path: &Path) -> Result<(), ReviewError> {
    crate::case::file::write_atomic(path, &to_bytes(review)?)?;
    Ok(())
}

/// A package opened for review, with its review (loaded from beside it, or new).
#[derive(Debug, Clone)]
pub struct ReviewSession {
    /// The package (read-only; its verification in `package.report`).
    pub package: OpenedPackage,
    /// The reviewed case.
    pub case: Case,
    /// The review.
    pub review: Review,
    /// Where the review is saved.
    pub path: PathBuf,
}

impl ReviewSession {
    /// Opens `package` and its review file (a new review when there is none).
    ///
    /// # Errors
    /// The package cannot be read or has no readable case; the review file is malformed, its
    /// audit log is broken, or it belongs to another package.
    pub fn open(package: &Path) -> Result<Self, ReviewError> {
        let opened = open_package(package, None)?;
        let case = opened.case.clone().ok_or_else(|| {
            ReviewError::Invalid(format!("{}: the package has no readable case.ron", package.display()))
        })?;
        let manifest_sha256 =
            opened.report.manifest_sha256.clone().ok_or_else(|| {
                ReviewError::Invalid(format!("{}: the package has no manifest.json", package.display()))
            })?;
        let path = review_path(package);
        let review = if path.exists() {
            let r = load(&path)?;
            r.verify_audit()?;
            if r.package_manifest_sha256 != manifest_sha256 {
                return Err(ReviewError::OtherPackage { review: r.package_manifest_sha256, package: manifest_sha256 });
            }
            r
        } else {
            Review::new(manifest_sha256, case.id.clone())
        };
        Ok(ReviewSession { package: opened, case, review, path })
    }

    /// Applies `action` (see [`Review::apply`]).
    ///
    /// # Errors
    /// As [`Review::apply`].
    pub fn apply(&mut self, action: ReviewAction, reviewer: &str, now: i64) -> Result<u64, ReviewError> {
        self.review.apply(action, reviewer, now, &self.case)
    }

    /// Saves the review beside the package.
    ///
    /// # Errors
    /// As [`save`].
    pub fn save(&self) -> Result<(), ReviewError> {
        save(&self.review, &self.path)
    }
}
