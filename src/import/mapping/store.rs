//! Saved profiles: one RON file per profile in the user's configuration folder, written
//! atomically (a temporary file renamed over the old one).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{NamedProfile, Profile};

/// A problem with a saved profile or the profiles folder.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// No saved profile has this name.
    #[error("no mapping profile named {name:?} in {}: saved profiles are: {}", dir.display(), list_or_none(known))]
    NotFound {
        /// The name asked for.
        name: String,
        /// The profiles folder.
        dir: PathBuf,
        /// The names saved there, sorted.
        known: Vec<String>,
    },
    /// The name cannot be a file name.
    #[error("profile name {0:?}: expected 1 to 64 letters, digits, spaces, `-`, `_` or `.` (not starting with `.`)")]
    BadName(String),
    /// The profile is incomplete or inconsistent ([`Profile::check`]).
    #[error("mapping profile {name:?}: {message}")]
    Invalid {
        /// The profile's name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The file is not a profile in RON.
    #[error("{}: not a mapping profile: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The RON error, with its line and column.
        message: String,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Neither `HOPTRACE_CONFIG_DIR`, `XDG_CONFIG_HOME` nor `HOME` is set.
    #[error("cannot find the configuration folder: set HOPTRACE_CONFIG_DIR, XDG_CONFIG_HOME or HOME")]
    NoConfigDir,
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
}

/// The RON text a profile is saved as.
#[must_use]
pub fn to_ron(profile: &Profile) -> String {
    let config = ron::ser::PrettyConfig::default().struct_names(false);
    let mut text = ron::ser::to_string_pretty(profile, config).unwrap_or_default();
    text.push('\n');
    text
}

/// SHA-256 of `bytes`, hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The folder of saved profiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    /// Profiles kept in `dir` (created on the first save).
    #[must_use]
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        ProfileStore { dir: dir.into() }
    }

    /// The user's profiles folder: `$HOPTRACE_CONFIG_DIR/profiles` when that is set, else
    /// `$XDG_CONFIG_HOME/hoptrace/profiles`, else `$HOME/.config/hoptrace/profiles`.
    ///
    /// # Errors
    /// [`ProfileError::NoConfigDir`] when none of these variables is set.
    pub fn from_env() -> Result<Self, ProfileError> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = if let Some(d) = var("HOPTRACE_CONFIG_DIR") {
            d.join("profiles")
        } else if let Some(d) = var("XDG_CONFIG_HOME") {
            d.join("hoptrace").join("profiles")
        } else if let Some(d) = var("HOME") {
            d.join(".config").join("hoptrace").join("profiles")
        } else {
            return Err(ProfileError::NoConfigDir);
        };
        Ok(Self::at(dir))
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a profile named `name` is saved in.
    ///
    /// # Errors
    /// [`ProfileError::BadName`] for a name that cannot be a file name.
    pub fn path(&self, name: &str) -> Result<PathBuf, ProfileError> {
        check_name(name)?;
        Ok(self.dir.join(format!("{name}.ron")))
    }

    /// The names of the saved profiles, sorted (none when the folder does not exist).
    ///
    /// # Errors
    /// [`ProfileError::Io`] when the folder cannot be listed.
    pub fn list(&self) -> Result<Vec<String>, ProfileError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(ProfileError::Io { path: self.dir.clone(), source }),
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let p = e.path();
                let stem = p.file_stem()?.to_str()?.to_owned();
                (p.extension().is_some_and(|x| x == "ron") && check_name(&stem).is_ok()).then_some(stem)
            })
            .collect();
        names.sort();
        Ok(names)
    }

    /// Loads and checks the profile `name`; its hash is that of the file's bytes.
    ///
    /// # Errors
    /// [`ProfileError::NotFound`] listing the saved names, [`ProfileError::Parse`] for a file
    /// that is not a profile, [`ProfileError::Invalid`] for an incomplete one.
    pub fn load(&self, name: &str) -> Result<NamedProfile, ProfileError> {
        let path = self.path(name)?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ProfileError::NotFound {
                    name: name.to_owned(),
                    dir: self.dir.clone(),
                    known: self.list().unwrap_or_default(),
                });
            }
            Err(source) => return Err(ProfileError::Io { path, source }),
        };
        let text = String::from_utf8_lossy(&bytes);
        let profile: Profile =
            ron::from_str(&text).map_err(|e| ProfileError::Parse { path: path.clone(), message: e.to_string() })?;
        profile.check().map_err(|message| ProfileError::Invalid { name: name.to_owned(), message })?;
        Ok(NamedProfile { name: name.to_owned(), sha256: sha256_hex(&bytes), profile })
    }

    /// Checks `profile` and saves it as `name` (replacing a profile of that name), atomically.
    ///
    /// # Errors
    /// [`ProfileError::Invalid`] for an incomplete profile (nothing is written),
    /// [`ProfileError::BadName`], or [`ProfileError::Io`].
    pub fn save(&self, name: &str, profile: &Profile) -> Result<NamedProfile, ProfileError> {
        let path = self.path(name)?;
        profile.check().map_err(|message| ProfileError::Invalid { name: name.to_owned(), message })?;
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| ProfileError::Io { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let text = to_ron(profile);
        crate::fsutil::write_atomic(&path, text.as_bytes())
            .map_err(|e| ProfileError::Io { path: e.path, source: e.source })?;
        Ok(NamedProfile { name: name.to_owned(), sha256: sha256_hex(text.as_bytes()), profile: profile.clone() })
    }
}

fn check_name(name: &str) -> Result<(), ProfileError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && !name.starts_with('.')
        && name.trim() == name
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
    if ok { Ok(()) } else { Err(ProfileError::BadName(name.to_owned())) }
}
