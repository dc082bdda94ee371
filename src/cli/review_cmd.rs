//! `hoptrace review PKG`: comment on an evidence package's nodes, edges (transfers) and hops,
//! list the comments, and export them as a review package, through `hoptrace::review`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use hoptrace::model::visible;
use hoptrace::review::file::ReviewSession;
use hoptrace::review::package::export_review;
use hoptrace::review::{ReviewAction, ReviewTarget};

/// Arguments of `hoptrace review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The evidence package (zip or folder); the review is kept beside it in PKG.review.ron.
    pub package: PathBuf,
    /// Add a comment: TARGET is case, hop:ID, transfer:ID (an edge), node:CHAIN:ADDRESS,
    /// tx:CHAIN:HASH, aggregate:ID or an address on the graph.
    #[arg(long, num_args = 2, value_names = ["TARGET", "TEXT"])]
    pub comment: Option<Vec<String>>,
    /// Withdraw one of the comments (the review's audit log keeps it).
    #[arg(long, value_name = "ID")]
    pub withdraw: Option<u64>,
    /// Your name, recorded with every comment.
    #[arg(long, env = "HOPTRACE_REVIEWER")]
    pub reviewer: Option<String>,
    /// List the comments (the default when nothing else is asked).
    #[arg(long)]
    pub list: bool,
    /// Write the review package (zip: the review file, the reviewed manifest's hash,
    /// SHA256SUMS).
    #[arg(long, value_name = "OUT.zip")]
    pub export: Option<PathBuf>,
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Runs `hoptrace review`.
///
/// # Errors
/// The package or review cannot be read, a target is not in the case, or a file cannot be
/// written.
pub fn run(args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    let mut session =
        ReviewSession::open(&args.package).with_context(|| format!("reviewing {}", args.package.display()))?;
    let changes = args.comment.is_some() || args.withdraw.is_some();
    if changes {
        let Some(reviewer) = args.reviewer.as_deref().filter(|r| !r.trim().is_empty()) else {
            bail!("say who you are: --reviewer NAME (or HOPTRACE_REVIEWER)");
        };
        if let Some([target, text]) = args.comment.as_deref() {
            let target = ReviewTarget::parse(target, &session.case)?;
            let described = target.describe();
            let id = session.apply(ReviewAction::Comment { target, text: text.clone() }, reviewer, now())?;
            println!("comment {id} on {} by {}", visible(&described), visible(reviewer));
        }
        if let Some(id) = args.withdraw {
            session.apply(ReviewAction::Withdraw { id }, reviewer, now())?;
            println!("comment {id} withdrawn");
        }
        session.save()?;
        println!("saved {}", session.path.display());
    }
    if let Some(out) = &args.export {
        let hash = export_review(&session.review, out, None)?;
        println!(
            "{}: review package of case {} ({} comments); SHA-256 {hash}",
            out.display(),
            session.review.case_id,
            session.review.comments.len()
        );
    }
    if args.list || (!changes && args.export.is_none()) {
        let report = &session.package.report;
        if report.is_intact() {
            let who = match &report.authenticity {
                hoptrace::package::Authenticity::Established(how) => visible(&how.join("; ")).into_owned(),
                _ => "unsigned: authenticity not established".to_owned(),
            };
            println!("Package {}: verified intact ({who})", args.package.display());
        } else {
            println!("Package {}: NOT intact: {}", args.package.display(), visible(&report.problems.join("; ")));
        }
        println!("Review {} ({} comments):", session.path.display(), session.review.comments.len());
        for (id, c) in &session.review.comments {
            let when = hoptrace::package::rfc3339(c.time);
            println!(
                "  #{id} {} — {} ({when}): {}",
                visible(&c.target.describe()),
                visible(&c.reviewer),
                visible(&c.text)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
