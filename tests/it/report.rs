//! The package renderings on a real case: the demo scenario imported into a ledger, the demo
//! case built on it, plus a label and a note carrying markup and a spreadsheet formula, an
//! aggregate and a suggested hop. Checks what a reviewer would: the SVG parses and has its
//! legend, the PNG decodes at the expected size and is not blank, the HTML escapes every string,
//! `qpdf --check` accepts the PDF and `pdftotext` finds the case id and every package hash, and
//! every output is the same twice. External tools missing: those checks say SKIPPED.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::process::Command as Process;
use std::sync::OnceLock;

use hoptrace::case::{Case, CaseFilter, ExpandDirection, NodeKey, NoteTarget, file};
use hoptrace::graph::Command;
use hoptrace::ledger::{Ledger, TransferRow};
use hoptrace::model::{Category, Hop, HopKind, HopStatus, Label};
use hoptrace::report::{self, PackageFile, ReportInput};
use hoptrace::scenario::demo::build_demo;
use sha2::{Digest, Sha256};

const SCRIPT: &str = "<script>alert(1)</script>";
const FORMULA: &str = "=HYPERLINK(\"x\")";
const EXPORTED_AT: i64 = 1_700_000_000;

/// The case and everything a package builder would hand the renderers.
struct Fixture {
    case: Case,
    transfers: Vec<TransferRow>,
    labels: Vec<Label>,
    files: Vec<PackageFile>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn input(&self) -> ReportInput<'_> {
        ReportInput {
            case: &self.case,
            transfers: &self.transfers,
            labels: &self.labels,
            audit_verified: self.case.verify_audit().map_err(|e| e.to_string()),
            ledger_fingerprint: &self.case.ledger.fingerprint,
            exported_at: EXPORTED_AT,
            tool_version: env!("CARGO_PKG_VERSION"),
            package_files: &self.files,
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let demo = build_demo(&dir.path().join("exports"), &dir.path().join("ledger.sqlite")).expect("demo");
        let mut inv = demo.investigation;
        let seed = inv.case().seeds.first().cloned().expect("a seed");
        inv.apply(Command::Label {
            node: seed.clone(),
            entity: SCRIPT.into(),
            category: Category::Actor,
            source: FORMULA.into(),
        })
        .expect("label");
        inv.apply(Command::Note { target: NoteTarget::Case, text: format!("{SCRIPT} and {FORMULA}") }).expect("note");
        inv.apply(Command::Note { target: NoteTarget::Node(seed), text: "Seed: first receiver of the theft.".into() })
            .expect("note");
        // An expansion that folds most of a node's transfers into a "+N more" aggregate.
        let candidates: Vec<NodeKey> = inv
            .case()
            .nodes
            .keys()
            .filter(|k| matches!(k, NodeKey::Address { .. }) && !inv.case().seeds.contains(k))
            .cloned()
            .collect();
        for node in candidates {
            let filter = CaseFilter { top: Some(1), ..CaseFilter::default() };
            inv.apply(Command::Expand { node, direction: ExpandDirection::Out, filter }).expect("expand");
            if !inv.case().aggregates.is_empty() {
                break;
            }
        }
        // A suggested hop (drawn dashed) over two transfers already on the graph.
        let ids: Vec<i64> = inv.case().transfers.iter().copied().collect();
        let hop = Hop {
            kind: HopKind::PeelChain,
            inbound: ids.get(2..3).unwrap_or_default().to_vec(),
            outbound: ids.get(5..6).unwrap_or_default().to_vec(),
            confidence: 30,
            rationale: "Suggested: a small peel off a larger remainder.".into(),
            features: Default::default(),
            status: HopStatus::Suggested,
            author: String::new(),
            time: 0,
        };
        inv.apply(Command::AnnotateHop { hop }).expect("hop");
        let case = inv.case().clone();
        let transfers: Vec<TransferRow> = case.transfers.iter().filter_map(|id| inv.transfer(*id).cloned()).collect();
        let addresses: BTreeSet<&str> = case
            .nodes
            .keys()
            .filter_map(|k| match k {
                NodeKey::Address { address, .. } => Some(address.as_str()),
                _ => None,
            })
            .collect();
        let mut labels = Vec::new();
        for a in addresses {
            labels.extend(inv.ledger().labels(a).expect("labels"));
        }
        let case_path = dir.path().join("case.ron");
        file::save(&case, &case_path).expect("save");
        let mut files = Vec::new();
        let mut paths = vec![case_path];
        let mut exports: Vec<_> =
            std::fs::read_dir(dir.path().join("exports")).expect("exports").map(|e| e.expect("entry").path()).collect();
        exports.sort();
        paths.extend(exports);
        for p in paths {
            let bytes = std::fs::read(&p).expect("read");
            let name = p.strip_prefix(dir.path()).expect("inside").display().to_string();
            files.push(PackageFile { name, sha256: sha256_hex(&bytes), size: bytes.len() as u64 });
        }
        Fixture { case, transfers, labels, files, _dir: dir }
    })
}

fn tool(name: &str) -> bool {
    let ok = Process::new(name).arg("--version").output().is_ok() || Process::new(name).arg("-v").output().is_ok();
    if !ok {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "under CI=true {name} is needed (.ci/run installs it)");
        eprintln!("SKIPPED: {name} is not installed; its checks are left out");
    }
    ok
}

/// Where to keep the outputs for a look (`HOPTRACE_REPORT_OUT=dir`), else a temporary folder.
fn out_dir() -> (std::path::PathBuf, Option<tempfile::TempDir>) {
    match std::env::var_os("HOPTRACE_REPORT_OUT") {
        Some(d) => {
            std::fs::create_dir_all(&d).expect("out dir");
            (d.into(), None)
        }
        None => {
            let t = tempfile::tempdir().expect("tempdir");
            (t.path().to_owned(), Some(t))
        }
    }
}

#[test]
fn the_fixture_has_what_the_drawings_must_show() {
    let f = fixture();
    assert!(f.case.hops.len() >= 3 && !f.case.aggregates.is_empty(), "hops and an aggregate");
    assert!(f.case.hops.values().any(|h| h.status == HopStatus::Suggested));
    assert!(!f.labels.is_empty(), "the demo ledger labels some addresses");
    assert!(f.case.verify_audit().is_ok());
}

#[test]
fn graph_svg_parses_has_a_legend_and_escapes_labels() {
    let f = fixture();
    let input = f.input();
    let source = report::graph_svg_source(&input);
    for text in
        ["Categories (shape and colour)", "Hops (inbound", "suggested (dashed)", "Assets (edge colour)", "+N more"]
    {
        assert!(source.contains(text), "legend text {text:?} missing");
    }
    for c in Category::ALL {
        assert!(source.contains(&format!("id=\"legend-category-{}\"", c.name())), "{c:?}");
    }
    assert!(source.contains(&f.case.id), "title names the case");
    assert!(source.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !source.contains(SCRIPT));
    assert!(source.contains("stroke-dasharray=\"7 5\""), "the suggested hop is dashed");
    assert!(source.contains("more</text>"), "the aggregate box says +N more");
    let svg = report::graph_svg(&input).expect("svg");
    let opt = usvg::Options::default();
    let tree = usvg::Tree::from_str(&svg, &opt).expect("graph.svg parses without any font");
    assert!(tree.size().width() > 600.0 && tree.size().height() > 300.0);
    assert!(!svg.contains("<text"), "text is flattened into paths: the file needs no font");
    assert!(svg.contains("legend-category-mixer"), "legend entries keep their ids");
    assert!(svg.contains("viewBox=\"0 0 "), "scalable (the HTML page fits it to its width)");
    if tool("xmllint") {
        let (dir, _keep) = out_dir();
        let p = dir.join("graph.svg");
        std::fs::write(&p, &svg).expect("write");
        let o = Process::new("xmllint").arg("--noout").arg(&p).output().expect("xmllint");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let px = buf[..info.buffer_size()].chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    (info.width, info.height, px)
}

#[test]
fn graph_png_decodes_at_the_drawing_size_and_shows_every_category_colour() {
    let f = fixture();
    let input = f.input();
    let bytes = report::graph_png(&input).expect("png");
    let svg = report::graph_svg(&input).expect("svg");
    let tree = usvg::Tree::from_str(&svg, &usvg::Options::default()).expect("parse");
    let (w, h, px) = decode_png(&bytes);
    let expect = |v: f32| (v * report::PNG_SCALE).round() as u32;
    assert_eq!((w, h), (expect(tree.size().width()), expect(tree.size().height())));
    let colours: HashSet<[u8; 3]> = px.iter().copied().collect();
    assert!(colours.len() > 200, "only {} colours: blank?", colours.len());
    let white = px.iter().filter(|p| **p == [255, 255, 255]).count();
    assert!(white < px.len() * 97 / 100, "almost all white");
    for c in Category::ALL {
        let rgb = hoptrace::style::category_rgb(c);
        assert!(colours.contains(&[rgb.0, rgb.1, rgb.2]), "{c:?} colour {} not in the picture", rgb.css());
    }
    // The seeds' category (actor, from the investigator's label) is drawn on the graph too, not
    // only in the legend: more of its pixels than a legend swatch has.
    let actor = hoptrace::style::category_rgb(Category::Actor);
    let actor_px = px.iter().filter(|p| **p == [actor.0, actor.1, actor.2]).count();
    assert!(actor_px > 400, "{actor_px} actor pixels");
    if let (dir, None) = out_dir() {
        std::fs::write(dir.join("graph.png"), &bytes).expect("write");
    }
}

#[test]
fn html_is_self_contained_and_escapes_every_string() {
    let f = fixture();
    let html = report::report_html(&f.input()).expect("html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the label and note are shown, escaped");
    assert!(!html.to_ascii_lowercase().contains("<script"), "no script element at all");
    assert!(html.contains("=HYPERLINK(&quot;x&quot;)"));
    // Nothing is loaded from anywhere (label sources may cite URLs: as text only).
    let lower = html.to_ascii_lowercase();
    for needle in ["src=", "@import", "url(", "<link", "<img", "<iframe", "<object", "<embed", "<image"] {
        assert!(!lower.contains(needle), "external reference {needle:?}");
    }
    assert!(lower.match_indices("href=").all(|(i, _)| lower[i..].starts_with("href=\"#")), "only in-page links");
    for section in ["summary", "graph", "hops", "timeline", "labels", "notes", "audit", "hashes"] {
        assert!(html.contains(&format!("<section id=\"{section}\">")), "{section}");
    }
    assert!(html.contains(&f.case.id) && html.contains(&f.case.ledger.fingerprint));
    for p in &f.files {
        assert!(html.contains(&p.sha256), "{}", p.name);
    }
    assert!(html.contains("Tornado-style pool"), "hop service");
    assert!(html.contains("55%") && html.contains("80%"), "hop confidences");
    assert_eq!(html.matches("<svg").count(), 2, "graph and timeline inline");
    if let (dir, None) = out_dir() {
        std::fs::write(dir.join("report.html"), &html).expect("write");
    }
}

#[test]
fn pdf_passes_qpdf_and_its_text_has_the_case_id_and_every_hash() {
    let f = fixture();
    let pdf = report::report_pdf(&f.input()).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let (dir, _keep) = out_dir();
    let path = dir.join("report.pdf");
    std::fs::write(&path, &pdf).expect("write");
    if tool("qpdf") {
        let o = Process::new("qpdf").arg("--check").arg(&path).output().expect("qpdf");
        assert!(
            o.status.success(),
            "qpdf --check: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    if tool("pdftotext") {
        let o = Process::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext");
        assert!(o.status.success());
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(&f.case.id), "case id");
        for p in &f.files {
            assert!(text.contains(&p.sha256), "hash of {} not extracted whole", p.name);
        }
        for needle in
            ["Package hashes", "Timeline", "Labels and their sources", "Audit log", "Tornado-style pool", SCRIPT]
        {
            assert!(text.contains(needle), "{needle:?} not in the PDF text");
        }
        let rationale =
            f.case.hops.values().next().map(|h| h.rationale.split_whitespace().take(4).collect::<Vec<_>>().join(" "));
        assert!(rationale.is_some_and(|r| text.contains(&r)), "hop rationale");
    }
}

/// Each page's size in points, read back by `pdfinfo`.
fn page_sizes(path: &std::path::Path) -> Vec<(f32, f32)> {
    let o = Process::new("pdfinfo").args(["-f", "1", "-l", "999"]).arg(path).output().expect("pdfinfo");
    assert!(o.status.success(), "pdfinfo: {}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let sizes = text.lines().filter(|l| l.starts_with("Page") && l.contains(" size: ")).map(|l| {
        let dims: Vec<f32> =
            l.split(" size: ").nth(1).unwrap_or("").split_whitespace().filter_map(|w| w.parse().ok()).collect();
        (dims[0], dims[1])
    });
    sizes.collect()
}

/// The text of page `n` (1-based), by `pdftotext`.
fn page_text(path: &std::path::Path, n: usize) -> String {
    let n = n.to_string();
    let o =
        Process::new("pdftotext").args(["-f", &n, "-l", &n, "-layout"]).arg(path).arg("-").output().expect("pdftotext");
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_graph_is_drawn_on_its_own_page_under_its_heading() {
    // The graph page is landscape (the demo graph is wider than tall) and holds the heading and the
    // drawing: the hops start on the next page, with nothing left over between them.
    if !tool("pdfinfo") || !tool("pdftotext") {
        return;
    }
    let f = fixture();
    let pdf = report::report_pdf(&f.input()).expect("pdf");
    let (dir, _keep) = out_dir();
    let path = dir.join("report-pages.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let sizes = page_sizes(&path);
    let texts: Vec<String> = (1..=sizes.len()).map(|n| page_text(&path, n)).collect();
    let graph = texts.iter().position(|t| t.lines().any(|l| l.trim() == "Graph")).expect("a page headed Graph");
    assert!(sizes[graph].0 > sizes[graph].1, "graph page {} is {:?}, not landscape", graph + 1, sizes[graph]);
    assert!(texts[graph + 1].lines().any(|l| l.trim() == "Hops"), "the page after the graph starts the hops");
    // Labels of the graph's nodes on the right as well as the left are on the graph page.
    for label in ["Victim", "Tornado-style pool"] {
        assert!(texts[graph].contains(label), "{label:?} not on the graph page:\n{}", texts[graph]);
    }
    // Every other page is A4 portrait.
    for (i, s) in sizes.iter().enumerate().filter(|(i, _)| *i != graph) {
        assert!((s.0 - 595.28).abs() < 1.0 && (s.1 - 841.89).abs() < 1.0, "page {} is {s:?}", i + 1);
    }
}

#[test]
fn every_output_is_the_same_twice() {
    let f = fixture();
    let (a, b) = (f.input(), f.input());
    assert_eq!(report::graph_svg(&a).expect("a"), report::graph_svg(&b).expect("b"));
    assert_eq!(report::graph_png(&a).expect("a"), report::graph_png(&b).expect("b"));
    assert_eq!(report::report_html(&a).expect("a"), report::report_html(&b).expect("b"));
    assert_eq!(report::report_pdf(&a).expect("a"), report::report_pdf(&b).expect("b"));
    // The export time is the only time the outputs depend on.
    let later = ReportInput { exported_at: EXPORTED_AT + 1, ..f.input() };
    assert_ne!(report::report_pdf(&a).expect("a"), report::report_pdf(&later).expect("later"));
}

#[test]
fn the_png_is_the_same_whichever_threads_render_its_strips() {
    let f = fixture();
    let drawing = report::GraphDrawing::new(&f.input()).expect("drawing");
    let alone = drawing.png().expect("one thread");
    let shared = drawing.png_render();
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| shared.help());
        }
        shared.help();
    });
    assert_eq!(shared.finish().expect("four threads"), alone);
    let cancelled = drawing.png_render();
    cancelled.cancel();
    assert!(cancelled.finish().is_err(), "an abandoned render is not passed off as a picture");
}

#[test]
fn hashes_of_files_written_to_disk_match() {
    // The fixture's hashes are of real files: a guard that the hash pages list what they claim.
    let f = fixture();
    let p = f._dir.path().join("case.ron");
    let bytes = std::fs::read(Path::new(&p)).expect("case");
    assert_eq!(f.files.first().map(|x| x.sha256.clone()), Some(sha256_hex(&bytes)));
}

/// A synthetic case of `n` address nodes (no saved positions: the flow layout places them),
/// a tree of transfers from four seeds plus cross links, labels and hops.
fn big_case(n: usize) -> (Case, Vec<TransferRow>, Vec<Label>) {
    use hoptrace::case::{CaseLabel, LedgerRef, NodeView};
    use hoptrace::ledger::Provenance;
    use hoptrace::model::{Amount, Transfer, TransferKind};
    let addr = |i: usize| format!("0x{:040x}", i * 7919 + 1);
    let mut case = Case::new(
        "case-bench".into(),
        "10k nodes".into(),
        "bench".into(),
        0,
        LedgerRef { path: "l.sqlite".into(), fingerprint: "f".repeat(64) },
    );
    for i in 0..n {
        case.nodes.insert(NodeKey::address("ethereum", addr(i)), NodeView::default());
    }
    case.seeds = (0..4).map(|i| NodeKey::address("ethereum", addr(i))).collect();
    let mut rows = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let transfer = |id: i64, from: usize, to: usize, r: u64| TransferRow {
        id,
        transfer: Transfer {
            chain: "ethereum".into(),
            tx_hash: format!("0x{:064x}", id),
            kind: TransferKind::Native,
            position: None,
            block: Some(id),
            time: Some(1_690_000_000 + (r % 2_000_000) as i64),
            from: Some(addr(from)),
            to: Some(addr(to)),
            asset: "ETH".into(),
            amount_base: Amount::from_u128(u128::from(r % 1_000_000) * 1_000_000_000_000),
            fee_base: None,
            failed: false,
            prev_out: None,
            line: id as u64,
            method: None,
            stated_usd: None,
        },
        provenance: Provenance { batch_id: 1, file_name: "t.csv".into(), file_sha256: "0".repeat(64), line: id as u64 },
    };
    for i in 4..n {
        let r = next();
        rows.push(transfer(rows.len() as i64 + 1, (i - 4) / 3, i, r));
    }
    for _ in 0..n / 2 {
        let (a, b, r) = (next() as usize % n, next() as usize % n, next());
        rows.push(transfer(rows.len() as i64 + 1, a, b, r));
    }
    case.transfers = rows.iter().map(|r| r.id).collect();
    let labels: Vec<Label> = (0..200)
        .map(|i| Label {
            line: i as u64,
            ..Label::new(
                "ethereum",
                addr(i * 37),
                format!("Entity {i}"),
                Category::ALL[i % Category::ALL.len()],
                "bench",
            )
        })
        .collect();
    for i in 0..50u64 {
        let node = NodeKey::address("ethereum", addr(i as usize * 101));
        let l = CaseLabel {
            node,
            entity: format!("Mine {i}"),
            category: Category::Mixer,
            source: "s".into(),
            author: "b".into(),
            time: 0,
        };
        case.labels.insert(i + 1, l);
    }
    for i in 0..30i64 {
        let hop = Hop {
            kind: HopKind::Mixer { service: "Pool".into(), pool: None },
            inbound: vec![i * 97 + 1],
            outbound: vec![i * 97 + 40],
            confidence: 50,
            rationale: "bench".into(),
            features: Default::default(),
            status: if i % 3 == 0 { HopStatus::Suggested } else { HopStatus::Accepted },
            author: "b".into(),
            time: 0,
        };
        case.hops.insert(100 + i as u64, hop);
    }
    (case, rows, labels)
}

#[test]
fn thousands_of_edges_are_drawn_without_anti_aliasing_and_a_small_graph_with_it() {
    let crisp = r#"shape-rendering="crispEdges""#;
    let f = fixture();
    assert!(!report::graph_svg_source(&f.input()).contains(crisp), "a small graph keeps smooth edges");
    let (case, rows, labels) = big_case(2_500);
    let input = ReportInput {
        case: &case,
        transfers: &rows,
        labels: &labels,
        audit_verified: Ok(()),
        ledger_fingerprint: &case.ledger.fingerprint,
        exported_at: EXPORTED_AT,
        tool_version: "test",
        package_files: &[],
    };
    let source = report::graph_svg_source(&input);
    let edges = source.find(r#"<g id="edges""#).map(|i| &source[i..i + 120]).expect("the edges group");
    assert!(edges.contains(crisp), "3,750 edges: {edges}");
}

/// `cargo test --release --no-default-features --test it report:: -- --ignored --nocapture`
#[test]
#[ignore = "timing: run in release"]
fn ten_thousand_nodes_render_within_the_export_budget() {
    let (case, rows, labels) = big_case(10_000);
    let files: Vec<PackageFile> =
        (0..12).map(|i| PackageFile { name: format!("file{i}"), sha256: format!("{i:064x}"), size: 1 }).collect();
    let input = ReportInput {
        case: &case,
        transfers: &rows,
        labels: &labels,
        audit_verified: case.verify_audit().map_err(|e| e.to_string()),
        ledger_fingerprint: &case.ledger.fingerprint,
        exported_at: EXPORTED_AT,
        tool_version: "bench",
        package_files: &files,
    };
    // As the export renders: one drawing shared by every output; the PNG in strips on a second
    // thread while this one writes the HTML and the PDF, then on both.
    let t = std::time::Instant::now();
    let drawing = report::GraphDrawing::new(&input).expect("drawing");
    let t_drawing = t.elapsed();
    let render = drawing.png_render();
    let (html, pdf, t_reports) = std::thread::scope(|s| {
        s.spawn(|| render.help());
        let html = report::report_html_with(&input, &drawing).expect("html");
        let pdf = report::report_pdf_with(&input, &drawing).expect("pdf");
        let t_reports = t.elapsed() - t_drawing;
        render.help();
        (html, pdf, t_reports)
    });
    let png = render.finish().expect("png");
    let total = t.elapsed();
    let svg = drawing.svg();
    eprintln!(
        "10k nodes, {} transfers: drawing {t_drawing:?}, html + pdf {t_reports:?} (png meanwhile), png done after {:?}; \
         total {total:?}; svg {} KB, png {} KB, html {} KB, pdf {} KB",
        rows.len(),
        total - t_drawing - t_reports,
        svg.len() / 1024,
        png.len() / 1024,
        html.len() / 1024,
        pdf.len() / 1024
    );
    if let (dir, None) = out_dir() {
        std::fs::write(dir.join("big-graph.png"), &png).expect("write");
        std::fs::write(dir.join("big-report.pdf"), &pdf).expect("write");
    }
    if !cfg!(debug_assertions) {
        assert!(total.as_secs_f64() < 2.0, "{total:?}");
    }
}
