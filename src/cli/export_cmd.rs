//! `hoptrace export`, `hoptrace verify` and `hoptrace keygen`: evidence packages from the
//! command line, through the library's `export` (writing) and `package` (verifying) modules.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use hoptrace::export::{Evidence, ExportOptions, Layout, export, parse_timestamp};
use hoptrace::package::sign::{PublicKey, SecretKey};
use hoptrace::package::{
    AuditStatus, Authenticity, FileStatus, LedgerStatus, SignatureStatus, VerifyOptions, VerifyReport, verify_with,
};

/// Arguments of `hoptrace export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The case file.
    pub case: PathBuf,
    /// The package to write: a zip file (replaced if it exists), or a folder with --dir.
    #[arg(long)]
    pub out: PathBuf,
    /// Write a plain folder instead of a zip.
    #[arg(long)]
    pub dir: bool,
    /// Export time recorded in the package (RFC 3339 or Unix seconds); default: the case's
    /// last change, so exporting the same case twice gives identical packages.
    #[arg(long, value_parser = parse_timestamp)]
    pub timestamp: Option<i64>,
    /// Sign the manifest with this secret key (see `hoptrace keygen`).
    #[arg(long)]
    pub sign: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// Arguments of `hoptrace verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The package: a zip file or a folder.
    pub package: PathBuf,
    /// Also check that every transfer in transfers.csv is in this ledger with the same fields.
    #[arg(long)]
    pub ledger: Option<PathBuf>,
    /// Require a signature by this public key (KEY.pub from `hoptrace keygen`); exit 3 when
    /// the package is not signed by it.
    #[arg(long)]
    pub public_key: Option<PathBuf>,
    /// Require a valid signature (by the key the manifest names); exit 3 when unsigned.
    #[arg(long)]
    pub expect_signed: bool,
    /// Require manifest.json to have this SHA-256 (the hash the investigator handed over with
    /// the package, printed by `hoptrace export`); exit 3 when it differs.
    #[arg(long, value_name = "HASH", value_parser = parse_sha256)]
    pub manifest_sha256: Option<String>,
}

/// Exit code of `hoptrace verify`: intact (and authentic, when that was required).
pub const VERIFY_OK: u8 = 0;
/// Exit code of `hoptrace verify`: a file was changed, removed or added, or the package does
/// not agree with itself.
pub const VERIFY_NOT_INTACT: u8 = 1;
/// Exit code of `hoptrace verify`: a command-line argument or the public key file is wrong.
pub const VERIFY_USAGE: u8 = 2;
/// Exit code of `hoptrace verify`: intact by its own hashes, but the signature or manifest
/// hash required (`--expect-signed`, `--public-key`, `--manifest-sha256`) is not there.
pub const VERIFY_NOT_AUTHENTIC: u8 = 3;
/// Exit code of `hoptrace verify`: the package cannot be read or is refused (not a zip,
/// unsafe entries, a zip bomb, a file name twice).
pub const VERIFY_UNREADABLE: u8 = 4;

fn parse_sha256(text: &str) -> Result<String, String> {
    let t = text.trim().to_ascii_lowercase();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t)
    } else {
        Err(format!("expected the 64 hex digits of a SHA-256, found {text:?}"))
    }
}

/// Arguments of `hoptrace keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The secret key file to create (must not exist); the public key goes to OUT.pub.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `hoptrace export`.
///
/// # Errors
/// The case, ledger or key cannot be read, or the package cannot be written.
pub fn run_export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let ev = Evidence::load(&args.case).with_context(|| format!("exporting {}", args.case.display()))?;
    let signing_key = args.sign.as_deref().map(SecretKey::load).transpose()?;
    let options = ExportOptions { timestamp: args.timestamp, signing_key };
    let layout = if args.dir { Layout::Folder } else { Layout::Zip };
    let quiet = args.quiet;
    let mut progress = |p: hoptrace::export::Progress| {
        if !quiet && p.fraction < 1.0 {
            eprintln!("  [{:>3.0}%] {}", p.fraction * 100.0, p.step);
        }
    };
    let summary = export(&ev, &options, &args.out, layout, &mut progress, None)
        .with_context(|| format!("writing {}", args.out.display()))?;
    if !quiet {
        println!(
            "{}: evidence package of case {} ({} files, {} bytes{}); manifest SHA-256 {}",
            summary.path.display(),
            summary.manifest.case_id,
            summary.manifest.files.len() + 2 + usize::from(options.signing_key.is_some()),
            summary.bytes,
            if options.signing_key.is_some() { ", signed" } else { "" },
            summary.manifest_sha256
        );
        println!(
            "Hand this hash over with the package (it is what proves the package is the one you made{}): \
             manifest SHA-256 {}",
            if options.signing_key.is_some() { ", beside the signature" } else { ": the package is unsigned" },
            summary.manifest_sha256
        );
        println!(
            "Check it: hoptrace verify {} --manifest-sha256 {}   (or unzip it and run sha256sum -c SHA256SUMS)",
            summary.path.display(),
            summary.manifest_sha256
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `hoptrace keygen`.
///
/// # Errors
/// The key files cannot be written (or exist already).
pub fn run_keygen(args: &KeygenArgs) -> anyhow::Result<ExitCode> {
    let key = SecretKey::generate()?;
    let public = key.save(&args.out)?;
    println!(
        "Secret key {} (keep it private), public key {}: {}",
        args.out.display(),
        public.display(),
        key.public().to_hex()
    );
    Ok(ExitCode::SUCCESS)
}

/// The report as text, one line per finding.
#[must_use]
pub fn report_text(r: &VerifyReport) -> String {
    let mut out = Vec::new();
    if let Some(m) = &r.manifest {
        out.push(format!(
            "Package of case {} ({:?}) by {}, exported {} by hoptrace {}; ledger fingerprint {}",
            m.case_id, m.case_title, m.investigator, m.exported_at, m.tool_version, m.ledger_fingerprint
        ));
    }
    for f in &r.files {
        let status = match f.status {
            FileStatus::Ok => "ok",
            FileStatus::Changed => "CHANGED",
            FileStatus::Missing => "MISSING",
            FileStatus::Added => "ADDED",
        };
        out.push(format!("  {status:<8} {} {}", f.name, f.size.map(|s| format!("({s} bytes)")).unwrap_or_default()));
    }
    out.push(match &r.audit {
        AuditStatus::Intact { entries, head } => {
            format!("Audit log: intact, {entries} entries, head {}", head.as_deref().unwrap_or("none"))
        }
        AuditStatus::Broken(e) => format!("Audit log: BROKEN: {e}"),
        AuditStatus::NotChecked(e) => format!("Audit log: not checked: {e}"),
    });
    out.push(match &r.signature {
        SignatureStatus::Unsigned => "Signature: none".to_owned(),
        SignatureStatus::Valid { public_key } => format!("Signature: valid, by ed25519 key {public_key}"),
        SignatureStatus::Invalid(e) => format!("Signature: INVALID: {e}"),
    });
    if let Some(h) = &r.manifest_sha256 {
        out.push(format!("Manifest SHA-256: {h}"));
    }
    if r.readable {
        out.push(match &r.authenticity {
            Authenticity::NotEstablished => "Authenticity: unsigned: authenticity not established (the hashes in the \
                 package protect against accidental change only; anyone can recompute them: check with \
                 --manifest-sha256 HASH as handed over, or --public-key KEY)"
                .to_owned(),
            Authenticity::Established(how) => format!("Authenticity: established: {}", how.join("; ")),
            Authenticity::Failed(why) => format!("Authenticity: NOT established: {}", why.join("; ")),
        });
    }
    match &r.ledger {
        LedgerStatus::NotChecked => {}
        LedgerStatus::Matches { transfers, same_fingerprint } => out.push(format!(
            "Ledger: all {transfers} transfers present with the same fields{}",
            if *same_fingerprint { "" } else { " (the ledger has other imports since the export)" }
        )),
        LedgerStatus::Differs { count } => out.push(format!("Ledger: {count} problem(s)")),
    }
    if r.is_intact() {
        out.push(match &r.authenticity {
            Authenticity::NotEstablished => {
                format!("{}: intact (unsigned: authenticity not established)", r.path.display())
            }
            Authenticity::Established(_) => format!("{}: intact and authentic", r.path.display()),
            Authenticity::Failed(_) => {
                format!("{}: intact by its own hashes, but authenticity NOT established", r.path.display())
            }
        });
    } else {
        out.push(format!("{}: NOT intact, {} problem(s):", r.path.display(), r.problems.len()));
        out.extend(r.problems.iter().map(|p| format!("  - {p}")));
    }
    out.join("\n")
}

/// Runs `hoptrace verify`: exit [`VERIFY_OK`], [`VERIFY_NOT_INTACT`], [`VERIFY_USAGE`],
/// [`VERIFY_NOT_AUTHENTIC`] or [`VERIFY_UNREADABLE`].
///
/// # Errors
/// None: every failure is an exit code with a message.
pub fn run_verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let public_key = match args.public_key.as_deref().map(PublicKey::load).transpose() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("hoptrace: error: {e}");
            return Ok(ExitCode::from(VERIFY_USAGE));
        }
    };
    let options = VerifyOptions {
        ledger: args.ledger.clone(),
        public_key,
        expect_signed: args.expect_signed,
        manifest_sha256: args.manifest_sha256.clone(),
        limits: None,
    };
    let report = verify_with(&args.package, &options);
    println!("{}", report_text(&report));
    let shown = args.package.display();
    if !report.readable {
        eprintln!("hoptrace: {shown}: cannot be verified: {}", report.problems.join("; "));
        Ok(ExitCode::from(VERIFY_UNREADABLE))
    } else if !report.is_intact() {
        eprintln!("hoptrace: {shown}: verification failed: {}", report.problems.join("; "));
        Ok(ExitCode::from(VERIFY_NOT_INTACT))
    } else if let Authenticity::Failed(why) = &report.authenticity {
        eprintln!("hoptrace: {shown}: authenticity not established: {}", why.join("; "));
        Ok(ExitCode::from(VERIFY_NOT_AUTHENTIC))
    } else {
        Ok(ExitCode::from(VERIFY_OK))
    }
}
