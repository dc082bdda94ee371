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
        assert!(std::env::var("CI").as_deref() != Ok("true"), "under CI=true {tool} is needed (.ci/run installs it)");
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}

/// Can python3 import `module`? Prints SKIPPED when not.
pub fn have_python(module: &str) -> bool {
    let found =
        Process::new("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "under CI=true python3 with `{module}` is needed");
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

/// One entry of `size` bytes, made of `chunk` repeated (the last copy cut short), as a raw
/// deflate stream: the chunk is compressed once with a full flush (so its compressed bytes do
/// not depend on what came before) and the copies are concatenated. Returns the entry for
/// [`raw_zip`], with the CRC-32 of all `size` bytes.
pub fn repeated_entry(name: &str, chunk: &[u8], size: u64) -> RawEntry {
    use flate2::{Compress, Compression, FlushCompress};
    let compress = |data: &[u8], flush: FlushCompress| {
        let mut c = Compress::new(Compression::new(6), false);
        let mut out = Vec::with_capacity(data.len() + 1024);
        c.compress_vec(data, &mut out, flush).unwrap();
        assert_eq!(c.total_in(), data.len() as u64, "compressed whole");
        out
    };
    let whole = chunk.len() as u64;
    let copies = size / whole;
    let rest = usize::try_from(size % whole).unwrap();
    let packed_chunk = compress(chunk, FlushCompress::Full);
    let mut data = Vec::with_capacity(packed_chunk.len() * usize::try_from(copies).unwrap() + rest + 64);
    let mut crc = flate2::Crc::new();
    for _ in 0..copies {
        data.extend_from_slice(&packed_chunk);
        crc.update(chunk);
    }
    data.extend_from_slice(&compress(&chunk[..rest], FlushCompress::Finish));
    crc.update(&chunk[..rest]);
    RawEntry {
        name: name.as_bytes().to_vec(),
        method: 8,
        data,
        size: u32::try_from(size).unwrap(),
        crc: crc.sum(),
        mode: 0o100_644,
    }
}

/// The memory reproduction of issue 12: the package folder `pkg` as a zip in which
/// `transfers.csv` (the header, then rows of transfers not on the graph, about 36:1) and
/// `report.pdf` (a PDF header, then bytes that compress about 55:1) are each `size` bytes.
pub fn large_package(pkg: &Path, size: u64) -> Vec<u8> {
    let sha = "e9e0331fab9f6bd55ec5cc5d9e32a2db740c624418105791cd82de737df33e9c";
    let header = std::fs::read_to_string(pkg.join("transfers.csv")).unwrap().lines().next().unwrap().to_owned();
    let mut csv = format!("{header}\n");
    let mut i = 1_000_000u64;
    while csv.len() < 1 << 20 {
        csv.push_str(&format!(
            "{i},ethereum,0x{sha},transfer,0,{},2023-06-01T00:00:00Z,0x3da733d4a1f0e7ebb3e71108458838f7186c412b,\
             0xa4d07cf002160a1ea545881c8bd18a1c1407c409,ETH,ETH,18,{i}000000000000000,{i}.000000000000000,,,false,\
             filler.csv,{sha},{i},https://etherscan.io/tx/0x{sha}\n",
            17_000_000 + i / 100
        ));
        i += 1;
    }
    // Whole rows only: the chunk repeats.
    let csv = &csv[..=csv.rfind('\n').unwrap()];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let block: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let mut j = 0u8;
    while pdf.len() < 1 << 20 {
        for part in block.chunks(256) {
            pdf.extend_from_slice(&part[..255]);
            pdf.push(j);
        }
        j = j.wrapping_add(1);
    }
    let mut names: Vec<String> =
        std::fs::read_dir(pkg).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let entries: Vec<RawEntry> = names
        .iter()
        .map(|n| match n.as_str() {
            "transfers.csv" => repeated_entry(n, csv.as_bytes(), size),
            "report.pdf" => repeated_entry(n, &pdf, size),
            _ => RawEntry::stored(n.as_bytes(), &std::fs::read(pkg.join(n)).unwrap()),
        })
        .collect();
    raw_zip(&entries)
}

/// Runs the hoptrace binary in `dir` under GNU time and returns its exit code, its peak
/// resident memory in bytes (the kernel's `ru_maxrss` of the process, as GNU time reports it)
/// and its output. `None` when GNU time is not installed (a failure under `CI=true`).
pub fn hoptrace_peak_rss(dir: &Path, args: &[&str]) -> Option<(i32, u64, String)> {
    const TIME: &str = "/usr/bin/time";
    if !Path::new(TIME).exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{TIME} (GNU time) is required under CI=true");
        eprintln!("SKIPPED: {TIME} (GNU time) is not installed");
        return None;
    }
    let marker = "hoptrace-peak-rss-kb:";
    let out = Process::new(TIME)
        .arg("-f")
        .arg(format!("{marker}%M"))
        .arg(env!("CARGO_BIN_EXE_hoptrace"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run hoptrace under /usr/bin/time");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let (before, kb) = stderr.rsplit_once(marker).expect("GNU time's report");
    let kb: u64 = kb.trim().parse().expect("maximum resident set size in kilobytes");
    let text = format!("{}{before}", String::from_utf8_lossy(&out.stdout));
    Some((out.status.code().unwrap_or(-1), kb * 1024, text))
}
