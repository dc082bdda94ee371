//! Helpers of the evidence package tests: the demo case with hostile strings in it, running
//! the binary and external tools (skipped with a message when absent), hand-made zips.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output};

pub mod forge;

use hoptrace::case::{NodeKey, NoteTarget, file};
use hoptrace::graph::{Command, Investigation};
use hoptrace::ledger::SqliteLedger;
use hoptrace::model::Category;

/// A spreadsheet formula that must come out inert.
pub const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";
/// Markup that must come out escaped.
pub const SCRIPT: &str = "<script>alert(1)</script>";

/// Runs the hoptrace binary in `dir`.
pub fn hoptrace(dir: &Path, args: &[&str]) -> Output {
    Process::new(env!("CARGO_BIN_EXE_hoptrace")).args(args).current_dir(dir).output().expect("run hoptrace")
}

/// Asserts success and returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts failure and returns stdout + stderr.
pub fn fails(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure: {}", String::from_utf8_lossy(&out.stdout));
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The demo (`hoptrace demo --out DIR/demo`), then a label, notes and a move carrying hostile
/// strings and a float position, applied as commands. Returns the case path.
pub fn demo_case(dir: &Path) -> PathBuf {
    ok(&hoptrace(dir, &["demo", "--out", "demo"]));
    let case_path = dir.join("demo/demo-case.ron");
    let case = file::load(&case_path).unwrap();
    let ledger = SqliteLedger::open(&case.ledger_path(&case_path)).unwrap();
    let mut clock = case.modified;
    let mut inv = Investigation::open(case, ledger).unwrap().with_clock(move || {
        clock += 60;
        clock
    });
    let seed = inv.case().seeds.first().cloned().unwrap();
    let other = inv.case().nodes.keys().find(|k| matches!(k, NodeKey::Address { .. }) && **k != seed).cloned().unwrap();
    let hop = *inv.case().hops.keys().next().unwrap();
    let transfer = *inv.case().transfers.iter().next().unwrap();
    for command in [
        Command::Label {
            node: seed.clone(),
            entity: SCRIPT.to_owned(),
            category: Category::Actor,
            source: FORMULA.to_owned(),
        },
        Command::Label {
            node: other.clone(),
            entity: FORMULA.to_owned(),
            category: Category::Exchange,
            source: SCRIPT.to_owned(),
        },
        Command::Note { target: NoteTarget::Node(seed.clone()), text: FORMULA.to_owned() },
        Command::Note { target: NoteTarget::Case, text: SCRIPT.to_owned() },
        Command::Note { target: NoteTarget::Hop(hop), text: "-1+2 @SUM(A1) +cmd".to_owned() },
        Command::Note { target: NoteTarget::Transfer(transfer), text: "tab\tand\nnewline".to_owned() },
        Command::Move { node: other, x: 0.1, y: -1234.567 },
    ] {
        inv.apply(command).unwrap();
    }
    file::save(inv.case(), &case_path).unwrap();
    case_path
}

/// Is `tool` on the PATH? Prints SKIPPED when not.
pub fn have_tool(tool: &str) -> bool {
    let found =
        Process::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}

/// Can python3 import `module`? Prints SKIPPED when not.
pub fn have_python(module: &str) -> bool {
    let found =
        Process::new("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED: python3 with the `{module}` module is not available");
    }
    found
}

/// Runs a python3 snippet and returns its stdout (asserting success).
pub fn python(script: &str, args: &[&str]) -> String {
    let out = Process::new("python3").arg("-c").arg(script).args(args).output().expect("run python3");
    ok(&out)
}

/// Copies a folder's plain files into a new folder.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Every file (recursively) under `dir`, for "nothing was written" checks.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(all_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// One entry of a hand-made zip.
pub struct RawEntry {
    /// Name bytes as stored.
    pub name: Vec<u8>,
    /// Stored (0) or deflated (8).
    pub method: u16,
    /// The (compressed) data.
    pub data: Vec<u8>,
    /// Uncompressed size to declare.
    pub size: u32,
    /// CRC-32 to declare.
    pub crc: u32,
    /// Unix mode (high 16 bits of the external attributes).
    pub mode: u32,
}

impl RawEntry {
    /// A stored regular file.
    pub fn stored(name: &[u8], data: &[u8]) -> Self {
        RawEntry {
            name: name.to_vec(),
            method: 0,
            data: data.to_vec(),
            size: u32::try_from(data.len()).unwrap(),
            crc: crc32(data),
            mode: 0o100_644,
        }
    }
}

/// CRC-32 (IEEE), bit by bit: test data is small.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip file of `entries`, written by hand (so names, sizes and modes can be anything).
pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = u32::try_from(out.len()).unwrap();
        let name_len = u16::try_from(e.name.len()).unwrap();
        let packed = u32::try_from(e.data.len()).unwrap();
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, e.method, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.crc, packed, e.size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [0x031eu16, 20, 0, e.method, 0, 0x21] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.crc, packed, e.size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&(e.mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let cd_offset = u32::try_from(out.len()).unwrap();
    let cd_len = u32::try_from(central.len()).unwrap();
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let n = u16::try_from(entries.len()).unwrap();
    for v in [0u16, 0, n, n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A raw deflate stream of `n` zero bytes (one fixed-Huffman block of length-258 matches), a
/// few megabytes for a gigabyte.
pub fn deflated_zeros(n: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, bits: u32) {
            self.acc |= value << self.len;
            self.len += bits;
            while self.len >= 8 {
                self.out.push((self.acc & 0xff) as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u64, bits: u32) {
            let mut rev = 0;
            for i in 0..bits {
                rev |= ((code >> i) & 1) << (bits - 1 - i);
            }
            self.put(rev, bits);
        }
    }
    let mut b = Bits { out: Vec::new(), acc: 0, len: 0 };
    b.put(1, 1); // final block
    b.put(1, 2); // fixed Huffman
    b.code(0x30, 8); // literal 0
    let mut left = n - 1;
    while left >= 258 {
        b.code(0xc5, 8); // length 258 (symbol 285)
        b.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        b.code(0x30, 8);
    }
    b.code(0, 7); // end of block
    b.put(0, 7);
    b.out
}
