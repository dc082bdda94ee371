//! Optional ed25519 signatures over `manifest.json`.
//!
//! # Key files (`hoptrace keygen --out KEY`)
//!
//! `KEY` (the secret key, created with permissions 0600 on Unix) is two lines of text:
//!
//! ```text
//! hoptrace-ed25519-secret-key 1
//! <64 hex digits: the 32-byte ed25519 seed>
//! ```
//!
//! `KEY.pub` is the same with `hoptrace-ed25519-public-key 1` and the 32-byte public key.
//!
//! # Signature file (`manifest.sig`)
//!
//! ```text
//! hoptrace-manifest-signature 1
//! algorithm ed25519
//! public-key <64 hex digits>
//! signature <128 hex digits: ed25519 over the exact bytes of manifest.json>
//! ```
//!
//! The manifest names the signer's public key too (`signer_public_key`), so a removed or
//! replaced signature file is detected. A valid signature shows the manifest (and through its
//! hashes every file) is what the holder of that key exported; who holds the key is for the
//! reader to know (`hoptrace verify --public-key KEY.pub` checks it is the expected one).

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

const SECRET_HEADER: &str = "hoptrace-ed25519-secret-key 1";
const PUBLIC_HEADER: &str = "hoptrace-ed25519-public-key 1";
const SIG_HEADER: &str = "hoptrace-manifest-signature 1";

/// What went wrong with a key or a signature file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read or written.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a key of the expected kind.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What was expected.
        message: String,
    },
    /// The system's random source failed.
    #[error("no random bytes for a new key: {0}")]
    Random(String),
}

/// An ed25519 secret key.
#[derive(Clone)]
pub struct SecretKey(SigningKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public {})", self.public().to_hex())
    }
}

/// An ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl SecretKey {
    /// A new key from the system's random source.
    ///
    /// # Errors
    /// [`KeyError::Random`].
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    /// The key of this 32-byte seed (tests).
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> Self {
        SecretKey(SigningKey::from_bytes(&seed))
    }

    /// Its public key.
    #[must_use]
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Reads a secret key file.
    ///
    /// # Errors
    /// [`KeyError`] naming the file and what was expected.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let seed = read_key_file(path, SECRET_HEADER, "a hoptrace secret key (made by `hoptrace keygen`)")?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    /// Writes `path` (secret, 0600, never over an existing file) and `path.pub`.
    ///
    /// # Errors
    /// [`KeyError::Io`], also when either file exists.
    pub fn save(&self, path: &Path) -> Result<PathBuf, KeyError> {
        let public_path = PathBuf::from(format!("{}.pub", path.display()));
        let secret = format!("{SECRET_HEADER}\n{}\n", hex::encode(self.0.to_bytes()));
        let public = format!("{PUBLIC_HEADER}\n{}\n", self.public().to_hex());
        write_new(path, secret.as_bytes(), 0o600)?;
        if let Err(e) = write_new(&public_path, public.as_bytes(), 0o644) {
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        Ok(public_path)
    }
}

impl PublicKey {
    /// Lower-case hex of the 32 bytes.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// From 64 hex digits.
    ///
    /// # Errors
    /// [`SignatureError::NotHex`] or [`SignatureError::NotAKey`].
    pub fn from_hex(text: &str) -> Result<Self, SignatureError> {
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| SignatureError::NotHex(text.trim().to_owned()))?;
        VerifyingKey::from_bytes(&bytes).map(PublicKey).map_err(|e| SignatureError::NotAKey(e.to_string()))
    }

    /// Reads a `.pub` file written by `hoptrace keygen`, or a file holding just the hex key.
    ///
    /// # Errors
    /// [`KeyError`] naming the file.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let bytes = read_key_file(path, PUBLIC_HEADER, "a hoptrace public key (KEY.pub made by `hoptrace keygen`)")?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|e| KeyError::Format { path: path.to_owned(), message: format!("not an ed25519 public key: {e}") })
    }
}

fn read_key_file(path: &Path, header: &str, what: &str) -> Result<[u8; 32], KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.to_owned(),
        action: "read key file",
        source,
    })?;
    let bad = || KeyError::Format {
        path: path.to_owned(),
        message: format!("expected {what}: a line `{header}` then 64 hex digits"),
    };
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().ok_or_else(bad)?;
    let hex_line = if first == header { lines.next().ok_or_else(bad)? } else { first };
    hex::decode(hex_line).ok().and_then(|b| b.try_into().ok()).ok_or_else(bad)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let io = |action, source| KeyError::Io { path: path.to_owned(), action, source };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = options.open(path).map_err(|e| io("create key file (it must not exist yet)", e))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| io("write key file", e))
}

/// The `manifest.sig` content for `manifest` signed with `key`.
#[must_use]
pub fn signature_file(key: &SecretKey, manifest: &[u8]) -> Vec<u8> {
    let sig = key.0.sign(manifest);
    format!(
        "{SIG_HEADER}\nalgorithm ed25519\npublic-key {}\nsignature {}\n",
        key.public().to_hex(),
        hex::encode(sig.to_bytes())
    )
    .into_bytes()
}

/// Why a public key or a `manifest.sig` was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Not 64 hex digits.
    #[error("expected 64 hex digits of an ed25519 public key, found {0:?}")]
    NotHex(String),
    /// 32 bytes that are not an ed25519 point.
    #[error("not an ed25519 public key: {0}")]
    NotAKey(String),
    /// `manifest.sig` is not UTF-8 text.
    #[error("manifest.sig is not text")]
    NotText,
    /// `manifest.sig` lacks the header line.
    #[error("manifest.sig does not start with `{SIG_HEADER}`")]
    NoHeader,
    /// A line of `manifest.sig` is missing or out of order.
    #[error("manifest.sig: expected a `{0} …` line")]
    MissingLine(&'static str),
    /// Another algorithm than ed25519.
    #[error("manifest.sig: algorithm {0:?}, expected ed25519")]
    Algorithm(String),
    /// The public key line is not a key.
    #[error("manifest.sig: {0}")]
    Key(Box<SignatureError>),
    /// The signature line is not 128 hex digits.
    #[error("manifest.sig: the signature is not 128 hex digits")]
    SignatureNotHex,
    /// The signature does not verify.
    #[error("the signature does not match manifest.json (the manifest or its signature was changed)")]
    Mismatch,
}

/// Checks a `manifest.sig` against the `manifest` bytes; returns the signer's public key.
///
/// # Errors
/// [`SignatureError`]: what is malformed, or that the signature does not match.
pub fn check_signature(sig_file: &[u8], manifest: &[u8]) -> Result<PublicKey, SignatureError> {
    let text = std::str::from_utf8(sig_file).map_err(|_| SignatureError::NotText)?;
    let mut lines = text.lines();
    if lines.next() != Some(SIG_HEADER) {
        return Err(SignatureError::NoHeader);
    }
    let mut field = |name: &'static str| {
        lines
            .next()
            .and_then(|l| l.strip_prefix(name))
            .and_then(|v| v.strip_prefix(' '))
            .map(str::to_owned)
            .ok_or(SignatureError::MissingLine(name))
    };
    let algorithm = field("algorithm")?;
    if algorithm != "ed25519" {
        return Err(SignatureError::Algorithm(algorithm));
    }
    let key = PublicKey::from_hex(&field("public-key")?).map_err(|e| SignatureError::Key(Box::new(e)))?;
    let sig_bytes: [u8; 64] =
        hex::decode(field("signature")?).ok().and_then(|b| b.try_into().ok()).ok_or(SignatureError::SignatureNotHex)?;
    key.0.verify_strict(manifest, &Signature::from_bytes(&sig_bytes)).map_err(|_| SignatureError::Mismatch)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sign_check_and_tamper() {
        let key = SecretKey::from_seed([7; 32]);
        let sig = signature_file(&key, b"manifest");
        assert_eq!(check_signature(&sig, b"manifest").unwrap(), key.public());
        assert_eq!(check_signature(&sig, b"manifesT").unwrap_err(), SignatureError::Mismatch);
        assert!(check_signature(&sig, b"manifesT").unwrap_err().to_string().contains("does not match"));
        let other = signature_file(&SecretKey::from_seed([8; 32]), b"manifest");
        assert_ne!(check_signature(&other, b"manifest").unwrap(), key.public());
    }

    #[test]
    fn key_files_round_trip_and_refuse_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let key = SecretKey::generate().unwrap();
        let public_path = key.save(&path).unwrap();
        assert_eq!(SecretKey::load(&path).unwrap().public(), key.public());
        assert_eq!(PublicKey::load(&public_path).unwrap(), key.public());
        assert!(key.save(&path).is_err());
        assert!(SecretKey::load(&public_path).is_err());
        assert!(PublicKey::load(&path).is_err());
    }
}
