//! `hoptrace export`: the package's files are valid for the tools that read them (coreutils,
//! unzip, xmllint with the GraphML XSD, networkx, igraph, stix2-validator), hostile strings come
//! out inert, amounts are exact, and exports are deterministic. External tools are skipped
//! with a message when absent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::evidence_common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command as Process;
use std::sync::atomic::AtomicBool;

use evidence_common::{FORMULA, SCRIPT, demo_case, have_python, have_tool, hoptrace, ok, python};
use hoptrace::export::{
    Evidence, ExportError, ExportOptions, Layout, PackageBuilder, Progress, Steps, build_data_files, export,
};
use hoptrace::package::verify;

fn csv_rows(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records().map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(str::to_owned)).collect()).collect()
}

/// Nodes and edges the case graph has, counting an edge per transfer (as the GraphML does).
fn case_counts(case_path: &Path) -> (usize, usize) {
    let ev = Evidence::load(case_path).unwrap();
    let edges = ev.graph.graph.edge_weights().map(|e| if e.transfers.is_empty() { 1 } else { e.transfers.len() }).sum();
    (ev.graph.graph.node_count(), edges)
}

#[test]
fn package_files_pass_their_tools_and_hostile_strings_are_inert() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = demo_case(d);
    let case_s = case.to_str().unwrap();
    ok(&hoptrace(d, &["export", case_s, "--out", "pkg.zip", "--quiet"]));
    ok(&hoptrace(d, &["export", case_s, "--out", "pkg", "--dir", "--quiet"]));
    let pkg = d.join("pkg");
    let read = |name: &str| std::fs::read(pkg.join(name)).unwrap();

    // The folder and the zip hold the same files.
    let zipped = hoptrace::package::read_package(&d.join("pkg.zip"), &Default::default()).unwrap();
    for f in &zipped {
        assert_eq!(f.bytes, read(&f.name), "{} differs between zip and folder", f.name);
    }
    let names: Vec<&str> = zipped.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "case.ron",
            "audit.jsonl",
            "transfers.csv",
            "hops.csv",
            "labels.csv",
            "notes.csv",
            "graph.graphml",
            "stix.json",
            "graph.svg",
            "graph.png",
            "report.html",
            "report.pdf",
            "manifest.json",
            "SHA256SUMS"
        ]
    );

    // The reports list the data files with the hashes the package holds, and escape markup.
    let html = String::from_utf8(read("report.html")).unwrap();
    assert!(!html.contains(SCRIPT), "report.html carries a live script");
    for f in zipped.iter().take_while(|f| f.name != "graph.svg") {
        assert!(html.contains(&hoptrace::export::sha256_hex(&f.bytes)), "report.html lacks the hash of {}", f.name);
    }
    assert!(read("graph.png").starts_with(b"\x89PNG\r\n\x1a\n"), "graph.png is a PNG");
    assert!(read("report.pdf").starts_with(b"%PDF-"), "report.pdf is a PDF");
    if have_tool("qpdf") {
        ok(&Process::new("qpdf").args(["--check", "report.pdf"]).current_dir(&pkg).output().unwrap());
    }
    if have_tool("xmllint") {
        ok(&Process::new("xmllint").args(["--noout", "graph.svg"]).current_dir(&pkg).output().unwrap());
    }

    // CSV: every cell that a spreadsheet would run starts with a quote; the text is kept.
    let mut seen_formula = 0;
    for name in ["transfers.csv", "hops.csv", "labels.csv", "notes.csv"] {
        for row in csv_rows(&read(name)) {
            for (col, cell) in &row {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{name} {col}: {cell:?} is live");
                if cell.contains("HYPERLINK") {
                    assert_eq!(cell, &format!("'{FORMULA}"), "{name} {col}");
                    seen_formula += 1;
                }
            }
        }
    }
    assert!(seen_formula >= 3, "the formula reaches labels.csv (entity, source) and notes.csv: {seen_formula}");
    let notes = csv_rows(&read("notes.csv"));
    assert!(notes.iter().any(|r| r["text"] == "'-1+2 @SUM(A1) +cmd"));
    assert!(notes.iter().any(|r| r["text"] == SCRIPT && r["target"] == "case"));

    // GraphML: the markup is escaped in the file and comes back as text.
    let graphml = String::from_utf8(read("graph.graphml")).unwrap();
    assert!(!graphml.contains("<script>"));
    assert!(graphml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // Amounts: exact base units and display units, equal to the ledger's.
    let ev = Evidence::load(&case).unwrap();
    let transfers = csv_rows(&read("transfers.csv"));
    assert_eq!(transfers.len(), ev.case.transfers.len());
    for row in &transfers {
        let id: i64 = row["id"].parse().unwrap();
        let t = &ev.rows[&id].transfer;
        assert_eq!(row["amount_base_units"], t.amount_base.to_string());
        let decimals: u8 = row["decimals"].parse().unwrap();
        assert_eq!(row["amount"], t.amount_base.format_units(decimals));
        assert!(!row["amount"].contains(['e', 'E']));
        assert!(row["explorer_url"].ends_with(&t.tx_hash), "{}", row["explorer_url"]);
        assert!(row["time"].ends_with('Z'));
    }

    if have_tool("sha256sum") {
        let out = Process::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(&pkg).output().unwrap();
        assert!(ok(&out).lines().count() == 13, "every file but SHA256SUMS is checked");
    }
    if have_tool("unzip") {
        ok(&Process::new("unzip").args(["-t", "pkg.zip"]).current_dir(d).output().unwrap());
        ok(&Process::new("unzip").args(["-q", "pkg.zip", "-d", "unzipped"]).current_dir(d).output().unwrap());
        if have_tool("sha256sum") {
            ok(&Process::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(d.join("unzipped")).output().unwrap());
        }
    }
    match common::shared_data("graphml-xsd/graphml.xsd") {
        Some(xsd) if have_tool("xmllint") => {
            let out = Process::new("xmllint")
                .args(["--noout", "--schema", xsd.to_str().unwrap(), "graph.graphml"])
                .current_dir(&pkg)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        _ => {}
    }
    let (nodes, edges) = case_counts(&case);
    assert!(edges > nodes, "the demo has parallel transfers: {nodes} nodes, {edges} edges");
    let graphml_path = pkg.join("graph.graphml");
    let gp = graphml_path.to_str().unwrap();
    if have_python("networkx") {
        let out = python(
            "import sys, networkx as nx\ng = nx.read_graphml(sys.argv[1])\nlabels = [d.get('label', '') for _, d in g.nodes(data=True)]\nprint(g.number_of_nodes(), g.number_of_edges(), sum('<script>alert(1)</script>' in l for l in labels))",
            &[gp],
        );
        assert_eq!(out.trim(), format!("{nodes} {edges} 1"), "networkx: nodes, edges, labels with the script text");
    }
    if have_python("igraph") {
        let out = python(
            "import sys, igraph\ng = igraph.Graph.Read_GraphML(sys.argv[1])\nprint(g.vcount(), g.ecount())",
            &[gp],
        );
        assert_eq!(out.trim(), format!("{nodes} {edges}"), "igraph");
    }
    if have_python("stix2validator") {
        let stix = pkg.join("stix.json");
        let out = python(
            "import sys, json\nfrom stix2validator import validate_file\nr = validate_file(sys.argv[1])\nb = json.load(open(sys.argv[1]))\nprint(r.is_valid, len([o for o in b['objects'] if o['type'] == 'indicator']), len([o for o in b['objects'] if o['type'] == 'grouping']), len(r.object_results and [w for o in r.object_results for w in o.warnings] or []))",
            &[stix.to_str().unwrap()],
        );
        let addresses = ev.case.nodes.keys().filter(|k| matches!(k, hoptrace::case::NodeKey::Address { .. })).count();
        assert_eq!(
            out.trim(),
            format!("True {addresses} {} 0", ev.case.hops.len()),
            "valid, one indicator per address, one grouping per hop, no warnings"
        );
    }
}

#[test]
fn exports_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = demo_case(d);
    let case_s = case.to_str().unwrap();
    for (out, ts) in [("a.zip", "2024-05-01T12:00:00Z"), ("b.zip", "1714564800"), ("c.zip", "2024-05-01T12:00:02Z")] {
        ok(&hoptrace(d, &["export", case_s, "--out", out, "--timestamp", ts, "--quiet"]));
    }
    ok(&hoptrace(d, &["export", case_s, "--out", "d.zip", "--quiet"]));
    ok(&hoptrace(d, &["export", case_s, "--out", "e.zip", "--quiet"]));
    let bytes = |n: &str| std::fs::read(d.join(n)).unwrap();
    assert_eq!(bytes("a.zip"), bytes("b.zip"), "the same time as RFC 3339 or Unix seconds: identical");
    assert_ne!(bytes("a.zip"), bytes("c.zip"), "another export time changes the package");
    assert_eq!(bytes("d.zip"), bytes("e.zip"), "without --timestamp: the case's modification time");
    let manifest = hoptrace::package::read_package(&d.join("a.zip"), &Default::default()).unwrap();
    let m = manifest.iter().find(|f| f.name == "manifest.json").unwrap();
    let m = hoptrace::package::Manifest::from_bytes(&m.bytes).unwrap();
    assert_eq!(m.exported_at, "2024-05-01T12:00:00Z");
    assert_eq!(m.tool_version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn progress_cancel_and_the_integrators_builder() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo_case(dir.path());
    let ev = Evidence::load(&case).unwrap();
    let mut seen: Vec<Progress> = Vec::new();
    let out = dir.path().join("p.zip");
    export(&ev, &ExportOptions::default(), &out, Layout::Zip, &mut |p| seen.push(p), None).unwrap();
    assert!(seen.windows(2).all(|w| w[0].fraction <= w[1].fraction), "{seen:?}");
    assert_eq!(seen.last().map(|p| p.fraction), Some(1.0));
    assert!(seen.iter().any(|p| p.step == "graph.graphml"));

    let cancel = AtomicBool::new(true);
    let cancelled = dir.path().join("cancelled.zip");
    let e = export(&ev, &ExportOptions::default(), &cancelled, Layout::Zip, &mut |_| {}, Some(&cancel)).unwrap_err();
    assert!(matches!(e, ExportError::Cancelled));
    assert!(!cancelled.exists());

    // The integrator's path: data files, then rendered files, then the manifest.
    let mut progress = |_: Progress| {};
    let mut steps = Steps::new(&mut progress, None, 10);
    let mut b: PackageBuilder = build_data_files(&ev, 1_700_000_000, &mut steps).unwrap();
    let data: Vec<String> = b.hashes().iter().map(|h| h.name.clone()).collect();
    assert_eq!(data.len(), 8);
    let exported = hoptrace::package::read_package(&out, &Default::default()).unwrap();
    let csv = exported.iter().find(|f| f.name == "transfers.csv").unwrap();
    assert_eq!(b.hashes()[2].name, "transfers.csv");
    assert_eq!(b.hashes()[2].sha256, hoptrace::export::sha256_hex(&csv.bytes));
    assert_eq!(b.hashes()[2].size, csv.bytes.len() as u64);
    b.add("graph.svg", b"<svg/>".to_vec()).unwrap();
    for bad in ["manifest.json", "SHA256SUMS", "graph.svg", "../x", "a/b"] {
        assert!(b.add(bad, Vec::new()).is_err(), "{bad} refused");
    }
    let package = b.finish(&ev.manifest_header(1_700_000_000), None).unwrap();
    assert!(package.manifest.file("graph.svg").is_some());
    let folder = dir.path().join("with-svg");
    package.write_dir(&folder).unwrap();
    let report = verify(&folder);
    assert!(report.is_intact(), "{:?}", report.problems);
    // Replacing a package folder works; replacing another folder is refused.
    package.write_dir(&folder).unwrap();
    let other = dir.path().join("not-a-package");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("precious.txt"), "keep").unwrap();
    assert!(matches!(package.write_dir(&other), Err(ExportError::NotAPackageFolder { .. })));
    assert_eq!(std::fs::read_to_string(other.join("precious.txt")).unwrap(), "keep");
}

#[test]
fn a_ledger_with_new_imports_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = demo_case(d);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/demo/exports");
    let one = std::fs::read_dir(&sample).unwrap().next().unwrap().unwrap().path();
    ok(&hoptrace(d, &["import", "--ledger", "demo/demo-ledger.sqlite", one.to_str().unwrap()]));
    let out = hoptrace(d, &["export", case.to_str().unwrap(), "--out", "x.zip"]);
    let err = evidence_common::fails(&out);
    assert!(err.contains("ledger changed"), "{err}");
    assert!(!d.join("x.zip").exists());
    // A case whose ledger is gone: refused, and no empty ledger is created.
    std::fs::rename(d.join("demo/demo-ledger.sqlite"), d.join("moved.sqlite")).unwrap();
    let err = evidence_common::fails(&hoptrace(d, &["export", case.to_str().unwrap(), "--out", "x.zip"]));
    assert!(err.contains("does not exist"), "{err}");
    assert!(!d.join("demo/demo-ledger.sqlite").exists());
}
