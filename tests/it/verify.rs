//! `hoptrace verify` and `open_package`: intact packages pass; a changed, missing or added
//! file is named; an edited audit entry, a tampered signature and a ledger that lacks the
//! transfers are detected; unsafe zips (`..`, absolute paths, links, zip bombs) are refused
//! without writing anything.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::evidence_common;

use std::path::Path;

use evidence_common::forge::{Forgery, THIRTY_DAYS, strip_signature, zip_with_two};
use evidence_common::{RawEntry, all_files, copy_dir, deflated_zeros, demo_case, fails, hoptrace, ok, raw_zip};
use hoptrace::export::sha256_hex;
use hoptrace::package::{
    AuditStatus, Authenticity, FileStatus, Manifest, ManifestFile, SignatureStatus, VerifyOptions, open_package,
    rfc3339, sums_text, verify, verify_with,
};

/// A temp folder with the demo case exported as `pkg` (folder) and `pkg.zip`.
fn exported() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let case = demo_case(dir.path());
    let c = case.to_str().unwrap();
    ok(&hoptrace(dir.path(), &["export", c, "--out", "pkg", "--dir", "--quiet"]));
    ok(&hoptrace(dir.path(), &["export", c, "--out", "pkg.zip", "--quiet"]));
    (dir, case)
}

/// Rewrites `manifest.json` and `SHA256SUMS` of the folder so they match its files again
/// (what a forger would do).
fn fix_up_hashes(pkg: &Path) {
    let m_path = pkg.join("manifest.json");
    let mut m = Manifest::from_bytes(&std::fs::read(&m_path).unwrap()).unwrap();
    for f in &mut m.files {
        let bytes = std::fs::read(pkg.join(&f.name)).unwrap();
        f.sha256 = sha256_hex(&bytes);
        f.size = bytes.len() as u64;
    }
    let manifest_bytes = m.to_bytes().unwrap();
    std::fs::write(&m_path, &manifest_bytes).unwrap();
    let mut listed = m.files.clone();
    listed.push(ManifestFile {
        name: "manifest.json".into(),
        sha256: sha256_hex(&manifest_bytes),
        size: manifest_bytes.len() as u64,
    });
    if let Ok(sig) = std::fs::read(pkg.join("manifest.sig")) {
        listed.push(ManifestFile { name: "manifest.sig".into(), sha256: sha256_hex(&sig), size: sig.len() as u64 });
    }
    std::fs::write(pkg.join("SHA256SUMS"), sums_text(&listed)).unwrap();
}

#[test]
fn intact_packages_pass() {
    let (dir, case) = exported();
    let d = dir.path();
    for pkg in ["pkg", "pkg.zip"] {
        let out = ok(&hoptrace(d, &["verify", pkg]));
        assert!(out.contains(&format!("{pkg}: intact")), "{out}");
        assert!(out.contains("Audit log: intact, "), "{out}");
        let ledger = d.join("demo/demo-ledger.sqlite");
        let out = ok(&hoptrace(d, &["verify", pkg, "--ledger", ledger.to_str().unwrap()]));
        assert!(out.contains("Ledger: all "), "{out}");
    }
    let report = verify(&d.join("pkg.zip"));
    assert!(report.is_intact());
    let c = hoptrace::case::file::load(&case).unwrap();
    assert_eq!(
        report.audit,
        AuditStatus::Intact { entries: c.audit.len(), head: c.audit.last().map(|e| e.hash.clone()) }
    );
    assert_eq!(report.signature, SignatureStatus::Unsigned);
    assert!(report.files.iter().all(|f| f.status == FileStatus::Ok));
}

#[test]
fn one_flipped_byte_in_any_file_is_named() {
    let (dir, _) = exported();
    let d = dir.path();
    let names: Vec<String> =
        std::fs::read_dir(d.join("pkg")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names.len(), 14, "{names:?}");
    for name in &names {
        for at in [0usize, 1, 2] {
            let copy = d.join(format!("flip-{name}-{at}"));
            copy_dir(&d.join("pkg"), &copy);
            let path = copy.join(name);
            let mut bytes = std::fs::read(&path).unwrap();
            let i = (bytes.len() * at / 3).min(bytes.len() - 1);
            bytes[i] ^= 0x01;
            std::fs::write(&path, &bytes).unwrap();
            let out = fails(&hoptrace(d, &["verify", copy.to_str().unwrap()]));
            let report = verify(&copy);
            assert!(!report.is_intact());
            assert!(
                report.problems.iter().any(|p| p.contains(name.as_str())),
                "flipping byte {i} of {name}: the problems do not name it: {:?}",
                report.problems
            );
            assert!(out.contains(name.as_str()));
        }
    }
}

#[test]
fn added_and_deleted_files_are_named() {
    let (dir, _) = exported();
    let d = dir.path();
    let pkg = d.join("pkg");
    std::fs::write(pkg.join("extra.txt"), "smuggled").unwrap();
    let r = verify(&pkg);
    assert!(r.problems.iter().any(|p| p.contains("extra.txt was added")), "{:?}", r.problems);
    assert_eq!(r.files.iter().find(|f| f.name == "extra.txt").unwrap().status, FileStatus::Added);
    std::fs::remove_file(pkg.join("extra.txt")).unwrap();
    std::fs::remove_file(pkg.join("hops.csv")).unwrap();
    let r = verify(&pkg);
    assert!(r.problems.iter().any(|p| p.contains("hops.csv is missing")), "{:?}", r.problems);
    assert_eq!(r.bad_files(), ["hops.csv"]);
    fails(&hoptrace(d, &["verify", "pkg"]));
}

#[test]
fn an_edited_audit_entry_is_detected_even_with_fixed_up_hashes() {
    let (dir, _) = exported();
    let pkg = dir.path().join("pkg");
    let path = pkg.join("audit.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    lines[1]["investigator"] = serde_json::json!("someone else");
    let edited: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, edited).unwrap();
    fix_up_hashes(&pkg);
    let r = verify(&pkg);
    assert!(r.files.iter().all(|f| f.status == FileStatus::Ok), "hashes fixed up: {:?}", r.problems);
    let AuditStatus::Broken(why) = &r.audit else { panic!("audit not broken: {:?}", r.audit) };
    assert!(why.contains("audit entry 2 was changed"), "{why}");
    assert!(!r.is_intact());
}

#[test]
fn the_ledger_check_finds_missing_and_different_transfers() {
    let (dir, _) = exported();
    let d = dir.path();
    ok(&hoptrace(d, &["sample-import", "--ledger", "other.sqlite"]));
    let out = fails(&hoptrace(d, &["verify", "pkg", "--ledger", "other.sqlite"]));
    assert!(out.contains("is not in") || out.contains("differs"), "{out}");
    // A forged amount (hashes fixed up) passes the hashes but not the ledger.
    let csv = d.join("pkg/transfers.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    cells[12].push('0');
    lines[1] = cells.join(",");
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    fix_up_hashes(&d.join("pkg"));
    // The package's own graph and report already tell; the ledger names the true value.
    let out = fails(&hoptrace(d, &["verify", "pkg"]));
    assert!(out.contains("but graph.graphml says"), "{out}");
    let out = fails(&hoptrace(d, &["verify", "pkg", "--ledger", "demo/demo-ledger.sqlite"]));
    assert!(out.contains("differs: amount_base_units"), "{out}");
}

#[test]
fn signatures_are_checked() {
    let (dir, case) = exported();
    let d = dir.path();
    ok(&hoptrace(d, &["keygen", "--out", "key"]));
    ok(&hoptrace(d, &["keygen", "--out", "other"]));
    fails(&hoptrace(d, &["keygen", "--out", "key"]));
    let c = case.to_str().unwrap();
    ok(&hoptrace(d, &["export", c, "--out", "signed", "--dir", "--sign", "key", "--quiet"]));
    ok(&hoptrace(d, &["export", c, "--out", "signed.zip", "--sign", "key", "--quiet"]));
    let out = ok(&hoptrace(d, &["verify", "signed.zip", "--public-key", "key.pub"]));
    assert!(out.contains("Signature: valid"), "{out}");
    let out = fails(&hoptrace(d, &["verify", "signed", "--public-key", "other.pub"]));
    assert!(out.contains("not by the expected key"), "{out}");
    fails(&hoptrace(d, &["verify", "pkg", "--public-key", "key.pub"]));
    // The manifest edited and every hash fixed up: only the signature tells.
    let tampered = d.join("tampered");
    copy_dir(&d.join("signed"), &tampered);
    let m = std::fs::read_to_string(tampered.join("manifest.json")).unwrap();
    std::fs::write(tampered.join("manifest.json"), m.replace("\"investigator\": \"", "\"investigator\": \"X")).unwrap();
    fix_up_hashes(&tampered);
    let r = verify(&tampered);
    assert!(matches!(&r.signature, SignatureStatus::Invalid(e) if e.contains("does not match")), "{:?}", r.signature);
    // The signature removed (hashes fixed up): the manifest still names its signer.
    let unsigned = d.join("unsigned");
    copy_dir(&d.join("signed"), &unsigned);
    std::fs::remove_file(unsigned.join("manifest.sig")).unwrap();
    fix_up_hashes(&unsigned);
    let r = verify(&unsigned);
    assert!(
        matches!(&r.signature, SignatureStatus::Invalid(e) if e.contains("manifest.sig is missing")),
        "{:?}",
        r.signature
    );
}

#[test]
fn unsafe_zips_are_refused_without_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok_entry = || RawEntry::stored(b"case.ron", b"(format: 1)");
    let mut symlink = RawEntry::stored(b"link", b"/etc/passwd");
    symlink.mode = 0o120_777;
    let gib: u64 = 1 << 30;
    let zeros = deflated_zeros(gib);
    let bomb = RawEntry {
        name: b"transfers.csv".to_vec(),
        method: 8,
        data: zeros.clone(),
        size: u32::try_from(gib).unwrap(),
        crc: 0,
        mode: 0o100_644,
    };
    let liar =
        RawEntry { name: b"transfers.csv".to_vec(), method: 8, data: zeros, size: 1000, crc: 0, mode: 0o100_644 };
    let cases: Vec<(&str, Vec<RawEntry>, &str)> = vec![
        ("dotdot", vec![ok_entry(), RawEntry::stored(b"../evil", b"x")], "parent folder"),
        ("nested-dotdot", vec![RawEntry::stored(b"a/../../evil", b"x")], "parent folder"),
        ("absolute", vec![RawEntry::stored(b"/tmp/evil", b"x")], "absolute path"),
        ("backslash", vec![RawEntry::stored(b"..\\evil", b"x")], "backslash"),
        ("drive", vec![RawEntry::stored(b"C:evil", b"x")], "drive letter"),
        ("symlink", vec![ok_entry(), symlink], "symbolic link"),
        ("bomb", vec![bomb], "zip bomb"),
        ("lying-bomb", vec![liar], "zip bomb"),
    ];
    for (name, entries, why) in cases {
        let zip = d.join(format!("{name}.zip"));
        std::fs::write(&zip, raw_zip(&entries)).unwrap();
        let report = verify(&zip);
        assert!(!report.is_intact());
        assert!(
            report.problems.iter().any(|p| p.contains("refused") && p.contains(why)),
            "{name}: {:?}",
            report.problems
        );
        let out = fails(&hoptrace(d, &["verify", zip.to_str().unwrap()]));
        assert!(out.contains(why), "{name}: {out}");
        let target = d.join(format!("open-{name}"));
        let before = all_files(d).len();
        assert!(open_package(&zip, Some(&target)).is_err(), "{name} opened");
        assert!(!target.exists() || all_files(&target).is_empty(), "{name}: files written into the target");
        assert_eq!(all_files(d).len(), before, "{name}: files written somewhere");
        assert!(!d.join("evil").exists() && !Path::new("/tmp/evil").exists());
    }
}

#[test]
fn open_package_extracts_into_the_chosen_folder_only() {
    let (dir, case) = exported();
    let d = dir.path();
    let into = d.join("opened");
    let opened = open_package(&d.join("pkg.zip"), Some(&into)).unwrap();
    assert!(opened.report.is_intact());
    assert_eq!(opened.case.unwrap().id, hoptrace::case::file::load(&case).unwrap().id);
    let mut written: Vec<String> =
        all_files(&into).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    written.sort();
    let mut names: Vec<String> = opened.entries.iter().map(|f| f.name.clone()).collect();
    names.sort();
    assert_eq!(written, names);
    // Opening into the same folder again never overwrites.
    assert!(open_package(&d.join("pkg.zip"), Some(&into)).is_err());
}

#[test]
fn a_changed_entry_inside_the_zip_is_named() {
    use std::io::Write as _;
    let (dir, _) = exported();
    let d = dir.path();
    let files = hoptrace::package::read_package(&d.join("pkg.zip"), &Default::default()).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for f in &files {
        w.start_file(f.name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        let mut bytes = f.bytes.clone();
        if f.name == "hops.csv" {
            let i = bytes.len() / 2;
            bytes[i] ^= 0x20;
        }
        w.write_all(&bytes).unwrap();
    }
    std::fs::write(d.join("changed.zip"), w.finish().unwrap().into_inner()).unwrap();
    let r = verify(&d.join("changed.zip"));
    assert_eq!(r.bad_files(), ["hops.csv"], "{:?}", r.problems);
    let out = fails(&hoptrace(d, &["verify", "changed.zip"]));
    assert!(out.contains("hops.csv was changed"), "{out}");
}

/// Runs `hoptrace verify` with `args`; returns the exit code and stdout + stderr.
fn verify_cli(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = hoptrace(dir, &[&["verify"], args].concat());
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

/// `<sha256> (<size> bytes)` of a file, as the messages quote it.
fn hash_and_size(path: &Path) -> (String, u64) {
    let bytes = std::fs::read(path).unwrap();
    (sha256_hex(&bytes), bytes.len() as u64)
}

fn report_mismatch(name: &str, before: &(String, u64), after: &(String, u64)) -> String {
    format!(
        "{name} does not match report.html: the report lists SHA-256 {} ({} bytes), the file is {} ({} bytes): \
         the file (or the report) was changed after the export",
        before.0, before.1, after.0, after.1
    )
}

#[test]
fn every_forgery_of_issue_12_fails_verify_naming_the_file_and_field() {
    let (dir, case_path) = exported();
    let d = dir.path();
    let pkg = d.join("pkg");
    let handed_over = hash_and_size(&pkg.join("manifest.json")).0;
    // The 99.7 ETH transfer: its line and id in transfers.csv.
    let csv = std::fs::read_to_string(pkg.join("transfers.csv")).unwrap();
    let (index, row) = csv.lines().enumerate().find(|(_, l)| l.contains(",99700000000000000000,99.7,")).unwrap();
    let line = index + 1;
    let id: i64 = row.split(',').next().unwrap().parse().unwrap();
    let case = hoptrace::case::file::load(&case_path).unwrap();
    let hop1 = &case.hops[&1];
    assert_eq!(hop1.confidence.to_string(), "55");
    for forgery in Forgery::ALL {
        let copy = d.join(forgery.name());
        copy_dir(&pkg, &copy);
        let before = |name: &str| hash_and_size(&pkg.join(name));
        forgery.apply(&copy);
        let after = |name: &str| hash_and_size(&copy.join(name));
        let expected: Vec<String> = match forgery {
            Forgery::Amount => vec![
                format!(
                    "transfers.csv line {line} (transfer {id}): amount_base_units \"9700000000000000000\", but \
                     graph.graphml says \"99700000000000000000\": one of the two was changed"
                ),
                report_mismatch("transfers.csv", &before("transfers.csv"), &after("transfers.csv")),
            ],
            Forgery::RowDeleted => vec![
                format!(
                    "transfers.csv has no row for transfer {id}, which case.ron puts on the graph: the row was deleted"
                ),
                format!("graph.graphml: the edge of transfer {id} has no row in transfers.csv"),
                report_mismatch("transfers.csv", &before("transfers.csv"), &after("transfers.csv")),
            ],
            Forgery::Confidence => vec![
                "hops.csv line 2 (hop 1): confidence \"95\", case.ron says \"55\"".to_owned(),
                report_mismatch("hops.csv", &before("hops.csv"), &after("hops.csv")),
            ],
            Forgery::ReportRemoved => vec![
                "report.pdf is missing: hoptrace writes it with report.html, which is here (the lists were rewritten \
                 without it)"
                    .to_owned(),
            ],
            Forgery::FileAdded => vec![
                "extra.txt was added: it is not a file of a hoptrace evidence package (the lists were rewritten to \
                 include it)"
                    .to_owned(),
            ],
            Forgery::Backdated => vec![
                format!(
                    "case.ron: hop 1 was recorded at {} by {:?}, but no audit entry is at that time: the audit log's \
                     times were changed",
                    rfc3339(hop1.time),
                    hop1.author
                ),
                report_mismatch("case.ron", &before("case.ron"), &after("case.ron")),
                report_mismatch("audit.jsonl", &before("audit.jsonl"), &after("audit.jsonl")),
            ],
        };
        let r = verify(&copy);
        let lists_agree = r.files.iter().all(|f| f.status == FileStatus::Ok)
            || matches!(forgery, Forgery::ReportRemoved | Forgery::FileAdded);
        assert!(lists_agree, "{forgery:?}: the lists were recomputed: {:?}", r.files);
        if forgery == Forgery::Backdated {
            let c = hoptrace::case::file::load(&copy.join("case.ron")).unwrap();
            assert_eq!(c.audit[0].time, case.audit[0].time - THIRTY_DAYS);
            assert!(matches!(r.audit, AuditStatus::Intact { .. }), "the chain itself is valid: {:?}", r.audit);
        }
        for message in &expected {
            assert!(r.problems.contains(message), "{forgery:?}: {message:?} not in {:#?}", r.problems);
        }
        let (code, out) = verify_cli(d, &[copy.to_str().unwrap()]);
        assert_eq!(code, Some(1), "{forgery:?}: {out}");
        assert!(out.contains(&format!("  - {}", expected[0])), "{forgery:?}: {out}");
        // Given the hash that was handed over, it fails too.
        let (code, out) = verify_cli(d, &[copy.to_str().unwrap(), "--manifest-sha256", &handed_over]);
        assert_eq!(code, Some(1), "{forgery:?}: {out}");
        assert!(out.contains(&format!("not the {handed_over} given")), "{forgery:?}: {out}");
    }
}

#[test]
fn unsigned_packages_say_so_and_a_known_manifest_hash_or_signature_is_required_when_asked() {
    let (dir, case) = exported();
    let d = dir.path();
    // The export prints the hash to hand over.
    let out = ok(&hoptrace(d, &["export", case.to_str().unwrap(), "--out", "again.zip"]));
    let handed_over = hash_and_size(&d.join("pkg/manifest.json")).0;
    assert!(out.contains("Hand this hash over with the package"), "{out}");
    assert!(out.contains(&format!("manifest SHA-256 {handed_over}")), "{out}");
    let (code, out) = verify_cli(d, &["pkg"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("pkg: intact (unsigned: authenticity not established)"), "{out}");
    assert!(out.contains("Authenticity: unsigned: authenticity not established"), "{out}");
    let (code, out) = verify_cli(d, &["pkg.zip", "--manifest-sha256", &handed_over.to_ascii_uppercase()]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(&format!("Authenticity: established: manifest.json has the SHA-256 given ({handed_over})")));
    assert!(out.contains("pkg.zip: intact and authentic"), "{out}");
    let (code, out) = verify_cli(d, &["pkg", "--expect-signed"]);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("pkg: intact by its own hashes, but authenticity NOT established"), "{out}");
    let other = "0".repeat(64);
    let (code, out) = verify_cli(d, &["pkg", "--manifest-sha256", &other]);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains(&format!(
            "manifest.json has SHA-256 {handed_over}, not the {other} given: this is not the package that was handed over"
        )),
        "{out}"
    );
    let (code, out) = verify_cli(d, &["pkg", "--manifest-sha256", "xyz"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("expected the 64 hex digits of a SHA-256"), "{out}");
    let (code, out) = verify_cli(d, &["pkg", "--public-key", "no-such-key.pub"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("no-such-key.pub"), "{out}");
}

#[test]
fn a_stripped_signature_is_unsigned_never_intact_and_signed() {
    let (dir, case) = exported();
    let d = dir.path();
    ok(&hoptrace(d, &["keygen", "--out", "key"]));
    let out = ok(&hoptrace(d, &["export", case.to_str().unwrap(), "--out", "signed", "--dir", "--sign", "key"]));
    let handed_over = hash_and_size(&d.join("signed/manifest.json")).0;
    assert!(out.contains(&format!("manifest SHA-256 {handed_over}")), "{out}");
    let public = std::fs::read_to_string(d.join("key.pub")).unwrap();
    let public = public.lines().last().unwrap().trim().to_owned();
    let (code, out) =
        verify_cli(d, &["signed", "--expect-signed", "--public-key", "key.pub", "--manifest-sha256", &handed_over]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(&format!("Authenticity: established: signed by the expected ed25519 key {public}")), "{out}");
    assert!(out.contains("signed: intact and authentic"), "{out}");
    let stripped = d.join("stripped");
    copy_dir(&d.join("signed"), &stripped);
    strip_signature(&stripped);
    let r = verify(&stripped);
    assert!(r.is_intact(), "{:?}", r.problems);
    assert_eq!(r.signature, SignatureStatus::Unsigned);
    assert_eq!(r.authenticity, Authenticity::NotEstablished);
    let (code, out) = verify_cli(d, &["stripped"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Signature: none"), "{out}");
    assert!(out.contains("stripped: intact (unsigned: authenticity not established)"), "{out}");
    assert!(!out.contains("Signature: valid"), "{out}");
    let unsigned = "a signature was required, but the package is unsigned (its manifest names no signer and it has \
                    no manifest.sig)";
    for args in [&["--expect-signed"][..], &["--public-key", "key.pub"]] {
        let (code, out) = verify_cli(d, &[&["stripped"], args].concat());
        assert_eq!(code, Some(3), "{args:?}: {out}");
        assert!(out.contains(&format!("Authenticity: NOT established: {unsigned}")), "{args:?}: {out}");
    }
    let stripped_hash = hash_and_size(&stripped.join("manifest.json")).0;
    let (code, out) = verify_cli(d, &["stripped", "--manifest-sha256", &handed_over]);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains(&format!("manifest.json has SHA-256 {stripped_hash}, not the {handed_over} given")), "{out}");
    let r = verify_with(&stripped, &VerifyOptions { expect_signed: true, ..VerifyOptions::default() });
    assert!(
        matches!(&r.authenticity, Authenticity::Failed(why) if why == &[unsigned.to_owned()]),
        "{:?}",
        r.authenticity
    );
}

#[test]
fn a_zip_with_a_name_twice_or_in_two_letter_cases_is_refused() {
    let (dir, _) = exported();
    let d = dir.path();
    let pkg = d.join("pkg");
    let original = std::fs::read_to_string(pkg.join("transfers.csv")).unwrap();
    let forged = original.replace(",99700000000000000000,99.7,", ",9700000000000000000,9.7,");
    assert_ne!(forged, original);
    let twice = d.join("twice.zip");
    std::fs::write(&twice, zip_with_two(&pkg, "transfers.csv", ["transfers.csv", "transfers.csv"], forged.as_bytes()))
        .unwrap();
    let (code, out) = verify_cli(d, &["twice.zip"]);
    assert_eq!(code, Some(4), "{out}");
    assert!(
        out.contains(
            "twice.zip: refused: \"\": the zip's directory lists a file name twice: which copy is the evidence cannot \
             be told"
        ),
        "{out}"
    );
    assert!(open_package(&twice, None).is_err());
    let cased = d.join("cased.zip");
    std::fs::write(&cased, zip_with_two(&pkg, "transfers.csv", ["Transfers.csv", "transfers.csv"], forged.as_bytes()))
        .unwrap();
    let (code, out) = verify_cli(d, &["cased.zip"]);
    assert_eq!(code, Some(4), "{out}");
    assert!(
        out.contains(
            "cased.zip: refused: \"transfers.csv\": the name differs from \"Transfers.csv\" only in letter case: one \
             would overwrite the other"
        ),
        "{out}"
    );
    // A folder can hold both names on a case-sensitive file system: refused too.
    let folder = d.join("cased");
    copy_dir(&pkg, &folder);
    std::fs::write(folder.join("Transfers.csv"), &forged).unwrap();
    let r = verify(&folder);
    assert!(!r.readable);
    assert!(r.problems[0].contains("only in letter case"), "{:?}", r.problems);
}

/// Issue 12's memory reproduction: a package within the documented limits holding two
/// 1,000 MiB entries (transfers.csv and report.pdf) compressed about 36:1 and 55:1. `verify`
/// and `review --list` read every entry as a stream: peak resident memory at most 200 MB.
#[test]
fn verify_and_review_of_two_gigabyte_entries_stay_under_200_mb() {
    let (dir, _) = exported();
    let d = dir.path();
    let size = 1000 << 20;
    let zip = evidence_common::large_package(&d.join("pkg"), size);
    std::fs::write(d.join("large.zip"), &zip).unwrap();
    let packed = zip.len() as u64;
    eprintln!("large.zip: {packed} bytes, two entries of {size} bytes ({}:1 overall)", 2 * size / packed);
    assert!(packed < 64 << 20 && 2 * size / packed >= 30, "{packed}");
    let files = hoptrace::package::PackageReader::open(&d.join("large.zip"), &Default::default()).unwrap();
    assert_eq!(files.entry("transfers.csv").unwrap().size, size, "within the limits: it opens");
    for args in [&["verify", "large.zip"][..], &["review", "large.zip", "--list"]] {
        let started = std::time::Instant::now();
        let Some((code, peak, out)) = evidence_common::hoptrace_peak_rss(d, args) else { return };
        eprintln!("{args:?}: exit {code}, peak RSS {} MB, {:.1} s", peak / 1_000_000, started.elapsed().as_secs_f64());
        assert!(peak <= 200_000_000, "{args:?}: peak RSS {peak} bytes");
        // The entries were read: the forged tables are named.
        assert!(out.contains("transfer 1000000 is not on the graph of case.ron: the row was added"), "{args:?}: {out}");
        if args[0] == "verify" {
            assert_eq!(code, 1, "{out}");
            assert!(out.contains("transfers.csv was changed"), "{out}");
        } else {
            assert_eq!(code, 0, "{out}");
            assert!(out.contains("Package large.zip: NOT intact"), "{out}");
        }
    }
}

#[test]
fn an_opened_package_reads_its_tables_as_streams_and_notices_a_later_change() {
    let (dir, case_path) = exported();
    let d = dir.path();
    let case = hoptrace::case::file::load(&case_path).unwrap();
    for pkg in ["pkg", "pkg.zip"] {
        let opened = open_package(&d.join(pkg), None).unwrap();
        assert!(opened.report.is_intact(), "{:?}", opened.report.problems);
        assert!(opened.has("report.pdf") && !opened.has("nothing.txt"));
        let (ev, problems) = hoptrace::package::Evidence::from_package(&opened).unwrap();
        assert!(problems.is_empty(), "{pkg}: {problems:?}");
        assert_eq!(ev.rows.len(), case.transfers.len(), "{pkg}");
        assert!(ev.rows.keys().all(|id| case.transfers.contains(id)));
        let copy = d.join(format!("{pkg}-report.pdf"));
        let n = opened.copy_file("report.pdf", &copy).unwrap();
        assert_eq!(std::fs::read(&copy).unwrap().len() as u64, n);
        assert_eq!(Some(sha256_hex(&std::fs::read(&copy).unwrap()).as_str()), opened.report.sha256_of("report.pdf"));
    }
    // Changed after it was opened and verified: reading it again says so.
    let opened = open_package(&d.join("pkg"), None).unwrap();
    let csv = d.join("pkg/transfers.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replace(",99700000000000000000,99.7,", ",9700000000000000000,9.7,")).unwrap();
    let (_, problems) = hoptrace::package::Evidence::from_package(&opened).unwrap();
    assert!(
        problems.iter().any(|p| p.contains("transfers.csv was changed since the package was opened and verified")),
        "{problems:?}"
    );
    let e = opened.copy_file("transfers.csv", &d.join("copy.csv")).unwrap_err().to_string();
    assert!(e.contains("was changed since the package was opened"), "{e}");
    assert!(!d.join("copy.csv").exists(), "a copy that failed is removed");
}

/// The fixture packages of every format version hoptrace wrote (`tests/fixtures/packages`,
/// see its README): folder, `format_version`, whether it holds the renderings, and how its
/// writer wrote the Bitcoin input of unknown amount in `amount_base_units`.
const FORMAT_VERSIONS: [(&str, u32, bool, &str); 4] = [
    ("v1/no-renderings", 1, false, "0"),
    ("v1/zero-amounts", 1, true, "0"),
    ("v1/renderings", 1, true, ""),
    ("v2", 2, true, ""),
];

fn fixture(folder: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packages").join(folder)
}

/// The fixture package `folder` unzipped into `to` (to be tampered with).
fn unzipped(folder: &str, to: &Path) -> std::path::PathBuf {
    let files = hoptrace::package::read_package(&fixture(folder).join("package.zip"), &Default::default()).unwrap();
    let out = to.join(folder.replace('/', "-"));
    hoptrace::package::extract_into(&files, &out).unwrap();
    out
}

#[test]
fn every_format_version_ever_written_verifies_and_reads_back() {
    for (folder, version, renderings, unknown_amount) in FORMAT_VERSIONS {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let f = fixture(folder);
        let pkg = f.join("package.zip");
        // Opening a ledger migrates it: a copy.
        std::fs::copy(f.join("ledger.sqlite"), d.join("ledger.sqlite")).unwrap();
        let key = f.join("key.pub");
        let out = ok(&hoptrace(
            d,
            &["verify", pkg.to_str().unwrap(), "--public-key", key.to_str().unwrap(), "--ledger", "ledger.sqlite"],
        ));
        assert!(out.contains("intact and authentic"), "{folder}: {out}");
        assert!(out.contains("Ledger: all 8 transfers present with the same fields"), "{folder}: {out}");
        let report = verify(&pkg);
        assert!(report.problems.is_empty(), "{folder}: {:?}", report.problems);
        assert_eq!(report.manifest.as_ref().unwrap().format_version, version, "{folder}");
        assert_eq!(report.files.len(), if renderings { 15 } else { 11 }, "{folder}");
        assert!(matches!(report.audit, AuditStatus::Intact { entries: 6, .. }), "{folder}: {:?}", report.audit);
        // Read back for review, without the ledger.
        let opened = open_package(&pkg, None).unwrap();
        let (ev, problems) = hoptrace::package::Evidence::from_package(&opened).unwrap();
        assert!(problems.is_empty(), "{folder}: {problems:?}");
        assert_eq!(ev.rows.len(), 8, "{folder}");
        let csv = opened.with_reader("transfers.csv", |r| std::io::read_to_string(r)).unwrap().unwrap().unwrap();
        let input = csv.lines().find(|l| l.contains(",utxo_input,")).unwrap();
        assert_eq!(input.split(',').nth(12), Some(unknown_amount), "{folder}: {input}");
        let input_id: i64 = input.split(',').next().unwrap().parse().unwrap();
        assert_eq!(ev.rows[&input_id].transfer.amount_base, hoptrace::model::Amount::ZERO, "{folder}");
        let hop = ev.case.hops.values().next().unwrap();
        assert!(hop.rationale.starts_with("=four deposits"), "{folder}: {}", hop.rationale);
    }
}

#[test]
fn a_tampered_copy_of_every_format_version_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    for (folder, ..) in FORMAT_VERSIONS {
        // A changed byte: the hashes say which file.
        let pkg = unzipped(folder, dir.path());
        let hops = pkg.join("hops.csv");
        let text = std::fs::read_to_string(&hops).unwrap();
        std::fs::write(&hops, text.replace(",40,", ",90,")).unwrap();
        let report = verify(&pkg);
        assert!(report.bad_files().contains(&"hops.csv"), "{folder}: {:?}", report.problems);
        // The lists rewritten to match, unsigned: the package against itself says what.
        strip_signature(&pkg);
        evidence_common::forge::recompute_lists(&pkg);
        let report = verify(&pkg);
        assert!(report.bad_files().is_empty(), "{folder}: {:?}", report.problems);
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("hops.csv line 2 (hop 1): confidence \"90\", case.ron says \"40\"")),
            "{folder}: {:?}",
            report.problems
        );
    }
}

#[test]
fn a_report_removed_from_a_package_of_either_version_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    for folder in ["v1/zero-amounts", "v1/renderings", "v2"] {
        let pkg = unzipped(folder, dir.path());
        std::fs::remove_file(pkg.join("report.pdf")).unwrap();
        strip_signature(&pkg);
        evidence_common::forge::recompute_lists(&pkg);
        let report = verify(&pkg);
        let want = "report.pdf is missing: hoptrace writes it with report.html, which is here";
        assert!(report.problems.iter().any(|p| p.starts_with(want)), "{folder}: {:?}", report.problems);
    }
}

#[test]
fn a_newer_format_version_is_refused_naming_the_versions_read() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = unzipped("v2", dir.path());
    let m_path = pkg.join("manifest.json");
    let mut m = Manifest::from_bytes(&std::fs::read(&m_path).unwrap()).unwrap();
    m.format_version = 3;
    std::fs::write(&m_path, m.to_bytes().unwrap()).unwrap();
    strip_signature(&pkg);
    let out = hoptrace(dir.path(), &["verify", pkg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stdout));
    let text = fails(&out);
    let want = "hoptrace-evidence-package version 3, which this build of hoptrace does not read: it reads versions \
                1 and 2 (and writes 2)";
    assert!(text.contains(want), "{text}");
    let err = open_package(&pkg, None).unwrap_err().to_string();
    assert!(err.contains(want), "{err}");
}
