//! `hoptrace export`, `hoptrace verify` and `hoptrace keygen`: evidence packages from the
//! command line, through the library's `export` module.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use hoptrace::export::sign::{PublicKey, SecretKey};
use hoptrace::export::{
    AuditStatus, Evidence, ExportOptions, FileStatus, Layout, LedgerStatus, SignatureStatus, VerifyOptions,
    VerifyReport, export, parse_timestamp, verify_with,
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
    /// Require a signature by this public key (KEY.pub from `hoptrace keygen`).
    #[arg(long)]
    pub public_key: Option<PathBuf>,
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
            "Check it: hoptrace verify {}   (or unzip it and run sha256sum -c SHA256SUMS)",
            summary.path.display()
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
    match &r.ledger {
        LedgerStatus::NotChecked => {}
        LedgerStatus::Matches { transfers, same_fingerprint } => out.push(format!(
            "Ledger: all {transfers} transfers present with the same fields{}",
            if *same_fingerprint { "" } else { " (the ledger has other imports since the export)" }
        )),
        LedgerStatus::Differs { count } => out.push(format!("Ledger: {count} problem(s)")),
    }
    if r.is_intact() {
        out.push(format!("{}: intact", r.path.display()));
    } else {
        out.push(format!("{}: NOT intact, {} problem(s):", r.path.display(), r.problems.len()));
        out.extend(r.problems.iter().map(|p| format!("  - {p}")));
    }
    out.join("\n")
}

/// Runs `hoptrace verify`: exit 0 when intact, 1 otherwise.
///
/// # Errors
/// The public key file cannot be read.
pub fn run_verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let public_key = args.public_key.as_deref().map(PublicKey::load).transpose()?;
    let options = VerifyOptions { ledger: args.ledger.clone(), public_key, limits: None };
    let report = verify_with(&args.package, &options);
    println!("{}", report_text(&report));
    if report.is_intact() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("hoptrace: {}: verification failed: {}", args.package.display(), report.problems.join("; "));
        Ok(ExitCode::FAILURE)
    }
}
