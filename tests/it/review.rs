//! Offline review: comments on nodes, edges (transfers) and hops of a package, kept beside it
//! with their own audit chain, bound to the package's manifest, exported as a review package.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::evidence_common;

use std::process::Command as Process;

use evidence_common::{demo_case, fails, have_tool, hoptrace, ok};
use hoptrace::case::NodeKey;
use hoptrace::review::file::{ReviewSession, load, review_path, save};
use hoptrace::review::package::{check_review_package, export_review};
use hoptrace::review::{ReviewAction, ReviewError, ReviewTarget, TargetError};

fn exported() -> (tempfile::TempDir, hoptrace::case::Case) {
    let dir = tempfile::tempdir().unwrap();
    let case_path = demo_case(dir.path());
    ok(&hoptrace(dir.path(), &["export", case_path.to_str().unwrap(), "--out", "pkg.zip", "--quiet"]));
    let case = hoptrace::case::file::load(&case_path).unwrap();
    (dir, case)
}

#[test]
fn comments_from_the_command_line_stay_beside_the_package() {
    let (dir, case) = exported();
    let d = dir.path();
    let hop = *case.hops.keys().next().unwrap();
    let transfer = *case.transfers.iter().next().unwrap();
    let NodeKey::Address { chain, address } = case.seeds[0].clone() else { panic!("seed is an address") };
    let package_before = std::fs::read(d.join("pkg.zip")).unwrap();
    let r = "--reviewer";
    ok(&hoptrace(
        d,
        &["review", "pkg.zip", "--comment", &format!("hop:{hop}"), "Other deposits fit too", r, "Rev One"],
    ));
    ok(&hoptrace(
        d,
        &["review", "pkg.zip", "--comment", &format!("transfer:{transfer}"), "<b>checked</b>", r, "Rev Two"],
    ));
    ok(&hoptrace(
        d,
        &["review", "pkg.zip", "--comment", &format!("node:{chain}:{address}"), "seed confirmed", r, "Rev One"],
    ));
    ok(&hoptrace(d, &["review", "pkg.zip", "--comment", &address, "bare address works", r, "Rev One"]));
    let out = ok(&hoptrace(d, &["review", "pkg.zip", "--list"]));
    assert!(out.contains("verified intact (unsigned: authenticity not established)"), "{out}");
    assert!(out.contains(&format!("#1 hop {hop} — Rev One")), "{out}");
    assert!(out.contains(&format!("#2 transfer {transfer} — Rev Two")), "{out}");
    assert!(out.contains("(4 comments)"), "{out}");
    // Refused: unknown targets, no reviewer.
    let err = fails(&hoptrace(d, &["review", "pkg.zip", "--comment", "hop:999", "x", r, "R"]));
    assert!(err.contains("hop 999 is not in the reviewed case"), "{err}");
    fails(&hoptrace(d, &["review", "pkg.zip", "--comment", "0xnothere", "x", r, "R"]));
    fails(&hoptrace(d, &["review", "pkg.zip", "--comment", "case", "x"]));
    // Withdrawing keeps the audit entry.
    ok(&hoptrace(d, &["review", "pkg.zip", "--withdraw", "4", r, "Rev One"]));
    // The package is untouched and still verifies; the review is beside it.
    assert_eq!(std::fs::read(d.join("pkg.zip")).unwrap(), package_before);
    ok(&hoptrace(d, &["verify", "pkg.zip"]));
    let review = load(&review_path(&d.join("pkg.zip"))).unwrap();
    assert_eq!(review_path(&d.join("pkg.zip")), d.join("pkg.review.ron"));
    assert_eq!(review.comments.len(), 3);
    assert_eq!(review.audit.len(), 5);
    review.verify_audit().unwrap();
    assert_eq!(review.audit[1].investigator, "Rev Two");

    // A comment edited in the file: the review's audit chain says so.
    let path = d.join("pkg.review.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("seed confirmed", "seed disputed")).unwrap();
    let err = fails(&hoptrace(d, &["review", "pkg.zip", "--list"]));
    assert!(err.contains("audit log is broken"), "{err}");
}

#[test]
fn review_packages_are_checkable_and_deterministic() {
    let (dir, case) = exported();
    let d = dir.path();
    let pkg = d.join("pkg.zip");
    let mut session = ReviewSession::open(&pkg).unwrap();
    assert!(session.package.report.is_intact());
    let hop = *case.hops.keys().next().unwrap();
    let id =
        session.apply(ReviewAction::Comment { target: ReviewTarget::Hop(hop), text: "why?".into() }, "R", 100).unwrap();
    assert_eq!(id, 1);
    session
        .apply(ReviewAction::Comment { target: ReviewTarget::Case, text: "=cmd|' /C calc'!A0".into() }, "S", 160)
        .unwrap();
    assert!(matches!(session.apply(ReviewAction::Withdraw { id: 9 }, "R", 170), Err(ReviewError::Invalid(_))));
    assert!(matches!(
        session.apply(ReviewAction::Comment { target: ReviewTarget::Transfer(-5), text: "x".into() }, "R", 170),
        Err(ReviewError::Target(TargetError::NotInCase(ReviewTarget::Transfer(-5))))
    ));
    assert_eq!(session.review.audit.len(), 2, "refused actions leave no entry");
    session.save().unwrap();
    let reopened = ReviewSession::open(&pkg).unwrap();
    assert_eq!(reopened.review, session.review);

    let a = export_review(&session.review, &d.join("review-a.zip"), None).unwrap();
    let b = export_review(&session.review, &d.join("review-b.zip"), None).unwrap();
    assert_eq!(a, b, "same review, same bytes");
    let report = check_review_package(&d.join("review-a.zip")).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let m = report.manifest.unwrap();
    assert_eq!(m.reviewed_manifest_sha256, session.review.package_manifest_sha256);
    assert_eq!(m.reviewers, ["R", "S"]);
    assert_eq!(report.review.unwrap(), session.review);
    if have_tool("unzip") {
        ok(&Process::new("unzip").args(["-t", "review-a.zip"]).current_dir(d).output().unwrap());
        ok(&Process::new("unzip").args(["-q", "review-a.zip", "-d", "rev"]).current_dir(d).output().unwrap());
        if have_tool("sha256sum") {
            ok(&Process::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(d.join("rev")).output().unwrap());
        }
    }
    // The CLI writes the same package.
    ok(&hoptrace(d, &["review", "pkg.zip", "--export", "review-c.zip"]));
    assert_eq!(std::fs::read(d.join("review-c.zip")).unwrap(), std::fs::read(d.join("review-a.zip")).unwrap());

    // A review edited and saved outside the API is refused when exported.
    let mut forged = session.review.clone();
    if let Some(c) = forged.comments.get_mut(&1) {
        c.text = "nothing to see".into();
    }
    save(&forged, &d.join("forged.review.ron")).unwrap();
    assert!(matches!(export_review(&forged, &d.join("forged.zip"), None), Err(ReviewError::Audit(_))));
}

#[test]
fn a_review_belongs_to_one_package() {
    let (dir, _) = exported();
    let d = dir.path();
    ok(&hoptrace(d, &["review", "pkg.zip", "--comment", "case", "fine", "--reviewer", "R"]));
    // The package re-exported with another time: the review no longer matches it.
    let case = d.join("demo/demo-case.ron");
    ok(&hoptrace(d, &["export", case.to_str().unwrap(), "--out", "pkg.zip", "--timestamp", "1700000000", "--quiet"]));
    assert!(matches!(ReviewSession::open(&d.join("pkg.zip")), Err(ReviewError::OtherPackage { .. })));
    let err = fails(&hoptrace(d, &["review", "pkg.zip", "--list"]));
    assert!(err.contains("not this one"), "{err}");
}

#[test]
fn packages_of_every_format_version_are_reviewed() {
    // tests/fixtures/packages: every format version hoptrace wrote (see its README).
    for folder in ["v1/no-renderings", "v1/zero-amounts", "v1/renderings", "v2"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packages").join(folder);
        std::fs::copy(fixture.join("package.zip"), d.join("pkg.zip")).unwrap();
        let r = "--reviewer";
        ok(&hoptrace(d, &["review", "pkg.zip", "--comment", "hop:1", "Four deposits, one payout?", r, "Rev"]));
        ok(&hoptrace(d, &["review", "pkg.zip", "--comment", "1NzJMRqrUhjD69XQVm99WmXrzJJuHWgnXX", "payout", r, "Rev"]));
        let out = ok(&hoptrace(d, &["review", "pkg.zip", "--list"]));
        assert!(out.contains("verified intact"), "{folder}: {out}");
        assert!(out.contains("#1 hop 1 — Rev"), "{folder}: {out}");
        assert!(out.contains("(2 comments)"), "{folder}: {out}");
        let session = ReviewSession::open(&d.join("pkg.zip")).unwrap();
        assert!(session.package.report.is_intact(), "{folder}: {:?}", session.package.report.problems);
        assert_eq!(session.review.comments.len(), 2, "{folder}");
        ok(&hoptrace(d, &["review", "pkg.zip", "--export", "review.zip"]));
        let report = check_review_package(&d.join("review.zip")).unwrap();
        assert!(report.problems.is_empty(), "{folder}: {:?}", report.problems);
    }
}
