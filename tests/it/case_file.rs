//! Case files: a fully populated case survives save and load unchanged and byte-for-byte
//! deterministic; malformed, foreign, newer, truncated and binary files give errors naming the
//! line and column and what was expected; a process killed in the middle of a save (really
//! killed: a child process aborts between writing and renaming) leaves the previous version
//! loadable; `.bak` holds the previous version; recovery files round-trip and are discarded.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use hoptrace::case::file::{self, CaseFileError};
use hoptrace::case::{
    Aggregate, CASE_FORMAT, Case, CaseFilter, CaseLabel, Entity, ExpandDirection, LedgerRef, NodeKey, NodeView, Note,
    NoteTarget, audit,
};
use hoptrace::graph::Command;
use hoptrace::ledger::Direction;
use hoptrace::model::{Amount, Category, Hop, HopKind, HopStatus};
use proptest::prelude::*;

/// `Case::new` with a title, as `save` writes it: see [`SMALL`].
fn small_case(title: &str) -> Case {
    Case::new(
        "case-1".into(),
        title.into(),
        "A. Investigator".into(),
        1_700_000_000,
        LedgerRef { path: "ledger.sqlite".into(), fingerprint: "f00d".into() },
    )
}

/// The file `save` writes for `small_case("Drain of 0xab")`, line by line (line numbers in the
/// tests below count from the `(` on line 1).
const SMALL: &str = r#"(
    format: 1,
    id: "case-1",
    title: "Drain of 0xab",
    investigator: "A. Investigator",
    created: 1700000000,
    modified: 1700000000,
    ledger: (
        path: "ledger.sqlite",
        fingerprint: "f00d",
    ),
    seeds: [],
    nodes: {},
    transfers: [],
    aggregates: {},
    entities: {},
    labels: {},
    notes: {},
    hops: {},
    next_id: 1,
    audit: [],
)
"#;

/// 2^256 - 1 base units: the largest amount there is.
const MAX_AMOUNT: &str = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

fn hop(kind: HopKind, status: HopStatus, features: &[(&str, &str)]) -> Hop {
    Hop {
        kind,
        inbound: vec![101, 102],
        outbound: vec![203],
        confidence: 85,
        rationale: "Same denomination, 26 h delay, fee 0.3 %.".into(),
        features: features.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        status,
        author: "A. Investigator".into(),
        time: 1_700_000_500,
    }
}

/// A case with something in every field, every note target and every hop kind, and an audit
/// log (built with `audit::append`) that verifies.
fn full_case() -> Case {
    let thief = NodeKey::address("ethereum", "0x098b716b8aaf21512996dc57eb0615e2383e2f96");
    let btc = NodeKey::address("bitcoin", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh");
    let tx = NodeKey::Tx {
        chain: "bitcoin".into(),
        hash: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b".into(),
    };
    let mut case = Case::new(
        "case-2024-017".into(),
        "Drain of \"hot wallet 3\" — trace to cash-out\n(second pass)".into(),
        "A. Investigator".into(),
        1_700_000_000,
        LedgerRef { path: "ledger.sqlite".into(), fingerprint: "ab".repeat(32) },
    );
    case.modified = 1_700_009_999;
    case.seeds = vec![thief.clone(), btc.clone()];
    case.nodes.insert(
        thief.clone(),
        NodeView {
            position: Some((120.5, -48.25)),
            pinned: true,
            hidden: false,
            entity: Some("Lazarus cluster 7".into()),
        },
    );
    case.nodes
        .insert(btc.clone(), NodeView { position: Some((0.1, 1.0e7)), pinned: false, hidden: true, entity: None });
    case.nodes.insert(tx.clone(), NodeView { position: Some((-3.3, 7.77)), pinned: true, hidden: true, entity: None });
    case.nodes.insert(NodeKey::Aggregate(3), NodeView::default());
    case.transfers = BTreeSet::from([-1, 101, 102, 203, 4_000_000_000_000]);
    case.aggregates.insert(
        3,
        Aggregate {
            anchor: thief.clone(),
            direction: Direction::Out,
            filter: CaseFilter {
                from_time: Some(1_690_000_000),
                to_time: Some(1_700_000_000),
                min_value: Some("0.5".into()),
                assets: vec!["ETH".into(), "0xdac17f958d2ee523a2206206994597c13d831ec7".into()],
                top: Some(25),
            },
            count: 12_345,
            counterparties: 9_876,
            totals: BTreeMap::from([
                (("ethereum".into(), "ETH".into()), Amount::parse_base_units(MAX_AMOUNT).expect("max amount").into()),
                (
                    ("ethereum".into(), "0xdac17f958d2ee523a2206206994597c13d831ec7".into()),
                    Amount::from_u128(12_345_678_901_234).into(),
                ),
            ]),
            first_time: Some(1_690_000_001),
            last_time: Some(1_699_999_999),
            lower_bound: true,
        },
    );
    case.entities.insert(
        "Lazarus cluster 7".into(),
        Entity { rationale: "Common-input ownership in tx 4a5e…; deposit address reuse (\\ and \" and é)".into() },
    );
    let label = |node: &NodeKey, entity: &str, category| CaseLabel {
        node: node.clone(),
        entity: entity.into(),
        category,
        source: "exchange response to subpoena 2024-03".into(),
        author: "A. Investigator".into(),
        time: 1_700_000_100,
    };
    case.labels.insert(4, label(&thief, "Bybit exploiter", Category::Actor));
    case.labels.insert(5, label(&btc, "OTC desk \"Golden\"", Category::OtcBroker));
    let note =
        |target, text: &str| Note { target, text: text.into(), author: "B. Reviewer".into(), time: 1_700_000_200 };
    case.notes.insert(6, note(NoteTarget::Case, "Scope: funds after block 19 000 000."));
    case.notes.insert(7, note(NoteTarget::Node(tx.clone()), "Peel chain starts here.\nTwo lines."));
    case.notes.insert(8, note(NoteTarget::Transfer(102), ""));
    case.notes.insert(9, note(NoteTarget::Hop(10), "Check the pool's anonymity set."));
    case.hops.insert(
        10,
        hop(
            HopKind::Mixer { service: "Tornado Cash".into(), pool: Some("100 ETH".into()) },
            HopStatus::Accepted,
            &[("delay_hours", "26"), ("denomination", "100")],
        ),
    );
    case.hops.insert(11, hop(HopKind::Mixer { service: "Sinbad".into(), pool: None }, HopStatus::Rejected, &[]));
    case.hops.insert(
        12,
        hop(
            HopKind::Bridge { bridge: "THORChain".into(), from_chain: "ethereum".into(), to_chain: "bitcoin".into() },
            HopStatus::Suggested,
            &[("fee_bps", "30")],
        ),
    );
    case.hops
        .insert(13, hop(HopKind::Swap { venue: "Uniswap v3".into() }, HopStatus::Accepted, &[("slippage", "0.4")]));
    case.hops.insert(14, hop(HopKind::CashOut { venue: "eXch".into() }, HopStatus::Accepted, &[("deposits", "7")]));
    case.hops.insert(15, hop(HopKind::PeelChain, HopStatus::Suggested, &[("peels", "41"), ("remainder_btc", "3.2")]));
    case.next_id = 16;

    let commands = vec![
        Command::AddSeed { chain: "ethereum".into(), address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96".into() },
        Command::Expand {
            node: thief.clone(),
            direction: ExpandDirection::Both,
            filter: case.aggregates[&3].filter.clone(),
        },
        Command::Move { node: thief.clone(), x: 120.5, y: -48.25 },
        Command::Pin { node: thief.clone() },
        Command::Hide { node: btc.clone() },
        Command::Group { nodes: vec![thief.clone()], entity: "Lazarus cluster 7".into(), rationale: "reuse".into() },
        Command::Label { node: thief, entity: "Bybit exploiter".into(), category: Category::Actor, source: "x".into() },
        Command::Note { target: NoteTarget::Hop(10), text: "Check the pool's anonymity set.".into() },
        Command::AnnotateHop { hop: case.hops[&15].clone() },
        Command::EditHop { id: 15, hop: case.hops[&15].clone() },
        Command::RebindLedger { fingerprint: "ab".repeat(32) },
        Command::Undo,
        Command::Redo,
    ];
    for (i, command) in commands.into_iter().enumerate() {
        let state = case.content_hash().expect("hashable content");
        audit::append(&mut case.audit, 1_700_000_000 + i as i64, "A. Investigator", command, state)
            .expect("a hashable entry");
    }
    case
}

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).expect("read file")
}

/// Loads `text` from a file `case.ron` in a new folder: (the error, the file's path).
fn load_text(text: impl AsRef<[u8]>) -> (CaseFileError, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");
    fs::write(&path, text).expect("write case file");
    let err = file::load(&path).expect_err("the file must be refused");
    (err, path)
}

/// Asserts a syntax error at `line`:`column` with `message`, and its display.
fn assert_syntax(err: &CaseFileError, path: &Path, line: usize, column: usize, message: &str) {
    match err {
        CaseFileError::Syntax { path: p, line: l, column: c, message: m } => {
            assert_eq!((p.as_path(), *l, *c, m.as_str()), (path, line, column, message), "{err}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    assert_eq!(err.to_string(), format!("{}:{line}:{column}: {message}", path.display()));
}

#[test]
fn small_case_is_written_exactly_as_documented() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");
    file::save(&small_case("Drain of 0xab"), &path).expect("save");
    assert_eq!(String::from_utf8(read(&path)).expect("utf-8"), SMALL);
    assert_eq!(file::load(&path).expect("load"), small_case("Drain of 0xab"));
}

#[test]
fn full_case_round_trips_and_saves_deterministically() {
    let case = full_case();
    case.verify_audit().expect("the test case's audit log verifies");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");

    file::save(&case, &path).expect("save");
    let first = read(&path);
    let loaded = file::load(&path).expect("load");
    assert_eq!(loaded, case);
    loaded.verify_audit().expect("the audit log still verifies after a round trip");

    // Same case, same bytes: saving again and saving the loaded copy change nothing.
    file::save(&case, &path).expect("save again");
    assert_eq!(read(&path), first);
    file::save(&loaded, &path).expect("save the loaded copy");
    assert_eq!(read(&path), first);
    assert_eq!(read(&file::backup_path(&path)), first);

    let text = String::from_utf8(first).expect("utf-8");
    assert!(text.starts_with("(\n    format: 1,\n    id: \"case-2024-017\",\n"), "{text}");
    assert!(text.ends_with("\n)\n"));
    assert!(text.contains(&format!("(\"ethereum\", \"ETH\"): \"{MAX_AMOUNT}\",")), "amounts are exact decimal strings");
    assert!(!text.contains('\r'));
    assert_eq!(names(dir.path()), ["case.ron", "case.ron.bak"]);
}

#[test]
fn missing_field_names_the_field_line_and_column() {
    // Without line 4 (`title`), the case's closing `)` moves to line 21: that is where the
    // parser finds out the field is missing.
    let text = SMALL.replace("    title: \"Drain of 0xab\",\n", "");
    let (err, path) = load_text(&text);
    assert_syntax(&err, &path, 21, 1, "missing field `title`: expected every field of a hoptrace case");

    // In a nested struct: the ledger reference's `)` is on line 10, column 5.
    let text = SMALL.replace("        fingerprint: \"f00d\",\n", "");
    let (err, path) = load_text(&text);
    assert_syntax(
        &err,
        &path,
        10,
        5,
        "missing field `fingerprint` in the ledger reference: expected every field of a hoptrace case",
    );
}

#[test]
fn wrong_values_name_what_was_found_and_expected() {
    // Line 4 without its comma: the next field name on line 5 is where a comma was due.
    let (err, path) = load_text(SMALL.replace("\"Drain of 0xab\",", "\"Drain of 0xab\""));
    assert_syntax(&err, &path, 5, 5, "found `investigator`: expected a comma `,` after the previous item");

    // `    created: "yesterday",`: the string starts at column 14.
    let (err, path) = load_text(SMALL.replace("created: 1700000000", "created: \"yesterday\""));
    assert_syntax(&err, &path, 6, 14, "found the string `\"yesterday\"`: expected a whole number");

    // `    next_id: -1,`: the sign is at column 14.
    let (err, path) = load_text(SMALL.replace("next_id: 1", "next_id: -1"));
    assert_syntax(&err, &path, 20, 14, "the number `-1` is negative: expected a whole number of 0 or more");

    // `    seeds: [Adress(chain: "x", address: "y")],`: the variant name starts at column 13.
    let (err, path) = load_text(SMALL.replace("seeds: []", "seeds: [Adress(chain: \"x\", address: \"y\")]"));
    assert_syntax(
        &err,
        &path,
        12,
        13,
        "unknown value `Adress` for a node: expected one of `Address`, `Tx` or `Aggregate`",
    );

    // A string missing its closing quote swallows text up to the next `"`.
    let (err, path) = load_text(SMALL.replace("\"Drain of 0xab\",", "\"Drain of 0xab,"));
    assert_syntax(
        &err,
        &path,
        5,
        20,
        "found `A`: expected a comma `,` after the previous item \
         (check the quotes: a string may be missing its closing `\"`)",
    );
}

#[test]
fn newer_format_is_refused_before_its_fields_are_read() {
    let (err, path) = load_text(SMALL.replace("format: 1", "format: 99"));
    assert!(matches!(err, CaseFileError::UnknownFormat { found: 99, supported: CASE_FORMAT, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("{}: written by a newer hoptrace (format 99); this build reads format 1", path.display())
    );

    // A newer case may add fields and values this build does not know, and lose some it
    // expects: still reported as a newer format, not as a field error.
    let newer = SMALL
        .replace("format: 1", "format: 2")
        .replace("    title: \"Drain of 0xab\",\n", "    timeline: [Event(at: 5, what: Seen)],\n");
    let (err, path) = load_text(newer);
    assert_eq!(
        err.to_string(),
        format!("{}: written by a newer hoptrace (format 2); this build reads format 1", path.display())
    );

    // No format, or format 0: not a case of any version.
    for text in [SMALL.replace("    format: 1,\n", ""), SMALL.replace("format: 1", "format: 0"), "(name: \"x\")".into()]
    {
        let (err, path) = load_text(text);
        assert!(matches!(err, CaseFileError::UnknownFormat { found: 0, supported: 1, .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: the `format` field is missing or 0: expected `format: 1` (is this a hoptrace case?)",
                path.display()
            )
        );
    }
}

#[test]
fn trailing_text_after_the_case_is_refused_with_its_position() {
    // The case ends with `)` on line 22; the garbage starts line 23.
    let (err, path) = load_text(format!("{SMALL}garbage\n"));
    assert_syntax(&err, &path, 23, 1, "unexpected text after the case: expected the end of the file");

    // Right after the `)`, past blank lines and comments: the position is the text's.
    let (err, path) = load_text(format!("{}  // done\n\n   , x", SMALL.trim_end()));
    assert_syntax(&err, &path, 24, 4, "unexpected text after the case: expected the end of the file");
}

#[test]
fn files_that_are_not_cases_give_clear_errors() {
    let not_a_case = "expected `(` opening a hoptrace case (a case file is RON text starting with `(`)";
    let (err, path) = load_text("hello world");
    assert_syntax(&err, &path, 1, 1, &format!("found `hello`: {not_a_case}"));
    let (err, path) = load_text("{\"format\": 1, \"title\": \"x\"}");
    assert_syntax(&err, &path, 1, 1, &format!("found `{{`: {not_a_case}"));
    let (err, path) = load_text("\n\n   42");
    assert_syntax(&err, &path, 3, 4, &format!("found the number `42`: {not_a_case}"));
    let (err, path) = load_text("\0\0\0\0");
    assert_syntax(&err, &path, 1, 1, &format!("found the character U+0000: {not_a_case}"));

    for blank in ["", "  \n\t\n"] {
        let (err, path) = load_text(blank);
        assert_syntax(&err, &path, 1, 1, "the file is empty: expected a hoptrace case");
    }

    // Binary: the first byte that is not UTF-8, by line and column.
    let (err, path) = load_text(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    assert_syntax(&err, &path, 1, 1, "byte 0x89 is not UTF-8 text: expected a text file (RON), not binary data");
    let (err, path) = load_text(b"(\n  format: 1,\n  \xc3\x28");
    assert_syntax(&err, &path, 3, 3, "byte 0xc3 is not UTF-8 text: expected a text file (RON), not binary data");

    // Cut short after line 11: the file ends where line 12 would start.
    let cut = &SMALL[..SMALL.find("    seeds").expect("seeds line")];
    let (err, path) = load_text(cut);
    assert_syntax(
        &err,
        &path,
        12,
        1,
        "the file ends in the middle of the case: expected the rest of it (was the file cut short?)",
    );

    // A byte order mark from an editor is not an error.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bom.ron");
    fs::write(&path, format!("\u{feff}{SMALL}")).expect("write");
    assert_eq!(file::load(&path).expect("load with BOM"), small_case("Drain of 0xab"));

    // A missing file: the action and the file are named.
    let missing = dir.path().join("nope.ron");
    let err = file::load(&missing).expect_err("missing file");
    assert!(matches!(&err, CaseFileError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound));
    assert!(err.to_string().starts_with(&format!("could not read case file {}: ", missing.display())), "{err}");
}

#[test]
fn every_truncation_of_a_case_is_reported_as_cut_short() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");
    let full = {
        file::save(&full_case(), &path).expect("save");
        String::from_utf8(read(&path)).expect("utf-8")
    };
    let lines = full.lines().count();
    for (cut, _) in full.char_indices().step_by(17) {
        let text = &full[..cut];
        fs::write(&path, text).expect("write");
        match file::load(&path) {
            Err(CaseFileError::Syntax { line, column, message, .. }) => {
                assert!(line >= 1 && line <= lines && column >= 1, "{cut}: {line}:{column}");
                // Every message says the file may be cut short (or that it is empty).
                assert!(
                    message.ends_with("was the file cut short?)") || message.contains("the file is empty"),
                    "cut at {cut}: {message}"
                );
            }
            // Cut before the format's digit: no format yet.
            Err(CaseFileError::UnknownFormat { found: 0, .. }) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any bytes: an error or a case, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), prefix in 0usize..3) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("case.ron");
        let text = [&SMALL.as_bytes()[..prefix * 60], &bytes].concat();
        fs::write(&path, text).expect("write");
        let _ = file::load(&path);
    }

    /// Any text and any finite position survives a round trip.
    #[test]
    fn any_text_and_position_round_trips(
        title in any::<String>(),
        note in any::<String>(),
        x in any::<f32>().prop_filter("finite", |v| v.is_finite()),
        y in any::<f32>().prop_filter("finite", |v| v.is_finite()),
    ) {
        let mut case = small_case(&title);
        let node = NodeKey::address("ethereum", note.clone());
        case.nodes.insert(node.clone(), NodeView { position: Some((x, y)), entity: Some(note.clone()), ..NodeView::default() });
        case.notes.insert(1, Note { target: NoteTarget::Node(node), text: note, author: title, time: -1 });
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("case.ron");
        file::save(&case, &path).expect("save");
        prop_assert_eq!(file::load(&path).expect("load"), case);
    }
}

#[test]
fn backup_holds_the_previous_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");
    let bak = file::backup_path(&path);
    assert_eq!(bak, dir.path().join("case.ron.bak"));

    file::save(&small_case("first"), &path).expect("save 1");
    assert!(!bak.exists(), "nothing to back up on the first save");
    let first = read(&path);

    file::save(&small_case("second"), &path).expect("save 2");
    assert_eq!(read(&bak), first);
    assert_eq!(file::load(&bak).expect("load .bak"), small_case("first"));
    assert_eq!(file::load(&path).expect("load"), small_case("second"));
    let second = read(&path);

    file::save(&small_case("third"), &path).expect("save 3");
    assert_eq!(read(&bak), second);
    assert_eq!(file::load(&path).expect("load"), small_case("third"));
    assert_eq!(names(dir.path()), ["case.ron", "case.ron.bak"], "no temporary files are left");
}

#[test]
fn leftover_temporary_files_do_not_break_saving() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");
    // What saves killed half-way leave: a partial case and a backup link (of process 4194999,
    // above Linux's largest process id: no process runs with it).
    fs::write(dir.path().join(".case.ron.4194999-0.tmp"), "(format: 1, id: \"trunc").expect("write");
    fs::write(dir.path().join(".case.ron.4194999-1.bak.tmp"), SMALL).expect("write");
    // Not ours: kept.
    for other in [".case.ron.notes.tmp", "other.ron", ".other.ron.4242-0.tmp", "case.ron.recovery"] {
        fs::write(dir.path().join(other), "x").expect("write");
    }

    file::save(&small_case("first"), &path).expect("save");
    assert_eq!(file::load(&path).expect("load"), small_case("first"));
    assert_eq!(
        names(dir.path()),
        [".case.ron.notes.tmp", ".other.ron.4242-0.tmp", "case.ron", "case.ron.recovery", "other.ron"]
    );
}

#[cfg(unix)]
#[test]
fn a_save_keeps_the_temporary_file_of_a_save_running_in_another_process() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");
    let mut other = std::process::Command::new("sleep").arg("30").spawn().expect("spawn sleep");
    let theirs = format!(".case.ron.{}-0.tmp", other.id());
    fs::write(dir.path().join(&theirs), SMALL).expect("write");
    fs::write(dir.path().join(".case.ron.4194999-0.tmp"), SMALL).expect("write");
    let saved = file::save(&small_case("first"), &path);
    let left = names(dir.path());
    let _ = other.kill();
    let _ = other.wait();
    saved.expect("save");
    assert_eq!(left, [theirs, "case.ron".to_owned()], "the running process's file is kept, the dead one's removed");
}

#[test]
fn save_and_load_name_the_file_and_the_action_on_io_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no such folder").join("case.ron");
    let err = file::save(&small_case("x"), &path).expect_err("no folder");
    assert!(matches!(&err, CaseFileError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound));
    let text = err.to_string();
    let temp_prefix =
        format!("could not create temporary file {}", dir.path().join("no such folder").join(".case.ron.").display());
    assert!(text.starts_with(&temp_prefix), "{text}");

    // A folder where the case file should be: nothing is left behind.
    let path = dir.path().join("folder.ron");
    fs::create_dir(&path).expect("mkdir");
    let err = file::load(&path).expect_err("a folder");
    assert!(err.to_string().starts_with(&format!("could not read case file {}: ", path.display())), "{err}");
    let err = file::save(&small_case("x"), &path).expect_err("a folder");
    assert!(matches!(err, CaseFileError::Io { .. }), "{err:?}");
    assert_eq!(names(dir.path()), ["folder.ron"]);
}

/// Set in a child process: the path to save to before aborting.
const CRASH_CHILD: &str = "HOPTRACE_TEST_CASE_FILE_CRASH_CHILD";

/// In the child process (see [`crash_while_saving`]): saves `small_case("crashed")` to the path
/// in [`CRASH_CHILD`] and aborts once the temporary file is written and synced, before it
/// replaces the case file. Does nothing in the parent.
fn act_as_crash_child() {
    let Some(path) = std::env::var_os(CRASH_CHILD) else {
        return;
    };
    let result = file::save_with(&small_case("crashed"), Path::new(&path), &|temp| {
        eprintln!("child: {} written, aborting before the rename", temp.display());
        std::process::abort();
    });
    eprintln!("child: save returned without reaching the rename: {result:?}");
    std::process::exit(3);
}

/// Re-runs this test executable for `test` alone, as a crash child saving to `path`, and checks
/// it really died (of SIGABRT on Unix).
fn crash_while_saving(test: &str, path: &Path) {
    let out = Process::new(std::env::current_exe().expect("test executable"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CRASH_CHILD, path)
        .output()
        .expect("run the child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child must not finish: {stderr}");
    assert!(stderr.contains("aborting before the rename"), "{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(6), "the child must die of SIGABRT: {:?} {stderr}", out.status);
    }
}

/// The temporary files in `dir`.
fn temps(dir: &Path) -> Vec<PathBuf> {
    names(dir).into_iter().filter(|n| n.starts_with(".case.ron.") && n.ends_with(".tmp")).map(|n| dir.join(n)).collect()
}

#[test]
fn crash_before_rename_keeps_the_previous_version() {
    act_as_crash_child();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");
    let bak = file::backup_path(&path);
    file::save(&small_case("first"), &path).expect("save 1");
    file::save(&small_case("second"), &path).expect("save 2");
    let second = read(&path);

    crash_while_saving("case_file::crash_before_rename_keeps_the_previous_version", &path);

    // The case file is the previous version, untouched.
    assert_eq!(read(&path), second);
    assert_eq!(file::load(&path).expect("load after the crash"), small_case("second"));
    // The backup step had run: `.bak` is a whole copy of that same previous version.
    assert_eq!(read(&bak), second);
    // The new version was written whole and synced, under a temporary name.
    let left = temps(dir.path());
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(file::load(&left[0]).expect("load the leftover"), small_case("crashed"));

    // The next save works and clears the leftover.
    file::save(&small_case("third"), &path).expect("save after the crash");
    assert_eq!(file::load(&path).expect("load"), small_case("third"));
    assert_eq!(read(&bak), second);
    assert_eq!(names(dir.path()), ["case.ron", "case.ron.bak"]);
}

#[test]
fn crash_during_the_first_save_leaves_no_case_file() {
    act_as_crash_child();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");

    crash_while_saving("case_file::crash_during_the_first_save_leaves_no_case_file", &path);

    assert!(!path.exists() && !file::backup_path(&path).exists());
    let err = file::load(&path).expect_err("no case file yet");
    assert!(matches!(&err, CaseFileError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound));
    assert_eq!(temps(dir.path()).len(), 1);

    file::save(&small_case("first"), &path).expect("save after the crash");
    assert_eq!(file::load(&path).expect("load"), small_case("first"));
    assert_eq!(names(dir.path()), ["case.ron"]);
}

#[test]
fn recovery_file_round_trips_and_is_discarded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.ron");
    let recovery = file::recovery_path(&path);
    assert_eq!(recovery, dir.path().join("case.ron.recovery"));
    assert_eq!(file::load_recovery(&path).expect("no recovery"), None);

    // Autosave before the case was ever saved: only the recovery file appears.
    file::save_recovery(&small_case("unsaved"), &path).expect("autosave");
    assert_eq!(names(dir.path()), ["case.ron.recovery"]);
    assert_eq!(file::load_recovery(&path).expect("load recovery"), Some(small_case("unsaved")));

    // After a save, autosaves replace the recovery file and leave the case file alone.
    file::save(&small_case("saved"), &path).expect("save");
    let saved = read(&path);
    let full = full_case();
    file::save_recovery(&small_case("edit 1"), &path).expect("autosave 1");
    file::save_recovery(&full, &path).expect("autosave 2");
    assert_eq!(file::load_recovery(&path).expect("load recovery"), Some(full));
    assert_eq!(read(&path), saved);
    assert_eq!(names(dir.path()), ["case.ron", "case.ron.recovery"], "no backup of the recovery file");

    file::discard_recovery(&path).expect("discard");
    assert!(!recovery.exists());
    assert_eq!(file::load_recovery(&path).expect("no recovery"), None);
    file::discard_recovery(&path).expect("discarding twice is fine");
    assert_eq!(names(dir.path()), ["case.ron"]);

    // A damaged recovery file is reported under its own name.
    fs::write(&recovery, &SMALL[..40]).expect("write");
    match file::load_recovery(&path) {
        Err(CaseFileError::Syntax { path: p, .. }) => assert_eq!(p, recovery),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

/// An entry whose command cannot be serialised is refused, never hashed as an empty text; a log
/// holding one is not reported intact.
#[test]
fn an_audit_entry_that_cannot_be_serialised_is_refused_not_hashed_as_empty() {
    type Odd = BTreeMap<(u8, u8), u8>;
    let mut log: Vec<audit::AuditEntry<Odd>> = Vec::new();
    audit::append(&mut log, 1, "A. Investigator", Odd::new(), "s1".to_owned()).expect("an empty map serialises");
    let odd = Odd::from([((1, 2), 3)]);
    let err = audit::append(&mut log, 2, "A. Investigator", odd.clone(), "s2".to_owned())
        .expect_err("a map with tuple keys has no JSON form");
    assert_eq!(err.what, "an audit entry");
    assert!(err.to_string().contains("cannot serialise an audit entry"), "{err}");
    assert_eq!(log.len(), 1, "nothing appended");
    assert_eq!(audit::verify(&log, "s1"), Ok(()));

    let mut forged = log.clone();
    forged.push(audit::AuditEntry {
        seq: 2,
        time: 2,
        investigator: "A. Investigator".to_owned(),
        command: odd,
        state: "s2".to_owned(),
        prev_hash: log[0].hash.clone(),
        hash: audit::entry_hash(2, 2, "A. Investigator", &Odd::new(), "s2", &log[0].hash).expect("hashable"),
    });
    assert!(
        matches!(audit::verify(&forged, "s2"), Err(audit::AuditError::Unhashable(_))),
        "{:?}",
        audit::verify(&forged, "s2")
    );
}

/// The one reading of an expansion filter as typed, used by the window's Expand dialog and
/// `hoptrace expand`: empty fields set no limit, a field that does not read is named.
#[test]
fn an_expansion_filter_as_typed_reads_or_names_its_field() {
    use hoptrace::case::{FilterField, FilterText};
    let typed = FilterText {
        min_value: Some(" 0.5 "),
        from: Some("2023-06-01 00:00:00"),
        to: Some(""),
        assets: vec!["ETH".to_owned(), " ".to_owned()],
        top: Some("25"),
    };
    let f = typed.parse().expect("reads");
    assert_eq!(f.min_value.as_deref(), Some("0.5"));
    assert_eq!(f.from_time, Some(1_685_577_600));
    assert_eq!(f.to_time, None);
    assert_eq!(f.assets, ["ETH"]);
    assert_eq!(f.top, Some(25));
    assert_eq!(FilterText::default().parse().expect("empty"), hoptrace::case::CaseFilter::default());
    let bad = |t: FilterText| t.parse().expect_err("refused");
    let e = bad(FilterText { min_value: Some("1e3"), ..FilterText::default() });
    assert_eq!(e.field, FilterField::MinValue);
    assert!(e.to_string().contains("expected a number of display units"), "{e}");
    assert_eq!(bad(FilterText { top: Some("ten"), ..FilterText::default() }).field, FilterField::Top);
    assert_eq!(bad(FilterText { to: Some("yesterday"), ..FilterText::default() }).field, FilterField::To);
    // More decimals than 18 read: the ledger rounds the threshold up per asset.
    assert!(FilterText { min_value: Some("0.0000000000000000001"), ..FilterText::default() }.parse().is_ok());
}

/// Opening a case on its ledger, as the window and the CLI both do (workbench::session): the
/// ledger missing, a changed ledger refused without rebinding and bound (audited) with it, the
/// rebind recorded under who opened the case, not the case's creator.
#[test]
fn a_case_opens_on_its_ledger_or_says_why_not() {
    use hoptrace::workbench::session::{self, OpenCaseError, Rebind};
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Process::new(env!("CARGO_BIN_EXE_hoptrace"))
        .args(["demo", "--out", &dir.path().display().to_string()])
        .output()
        .expect("run the demo");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = dir.path().join("demo-case.ron");
    let inv = session::open(&path, Rebind::No, None).expect("opens");
    let entries = inv.case().audit.len();

    let mut changed = file::load(&path).expect("load");
    changed.ledger.fingerprint = "0".repeat(64);
    let err = session::bind(&path, changed.clone(), Rebind::No, None).map(|_| ()).expect_err("refused");
    assert!(matches!(err, OpenCaseError::Changed { .. }), "{err}");
    assert!(err.to_string().contains("the ledger changed since this case was last saved"), "{err}");
    let rebound = session::bind(&path, changed, Rebind::Yes, Some("B. Examiner")).expect("rebinds");
    assert_eq!(rebound.case().audit.len(), entries + 1);
    let last = rebound.case().audit.last().expect("an entry");
    assert_eq!(last.command.name(), "rebind ledger");
    assert_eq!(last.investigator, "B. Examiner");
    assert_ne!(rebound.case().investigator, "B. Examiner");
    assert_eq!(rebound.actor(), "B. Examiner", "and the commands after it");

    let ledger = inv.case().ledger_path(&path);
    drop(inv);
    fs::rename(&ledger, dir.path().join("moved.sqlite")).expect("move the ledger");
    let err = session::open(&path, Rebind::Yes, None).map(|_| ()).expect_err("no ledger");
    assert!(matches!(err, OpenCaseError::NoLedger { .. }), "{err}");
    assert!(err.to_string().contains("the case's ledger") && err.to_string().contains("does not exist"), "{err}");
}
