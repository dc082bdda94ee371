//! The built-in attribution labels: every address is valid for its chain (EIP-55 checksums
//! included where an address is written in mixed case), every label is cited, categorised and
//! dated correctly, the OFAC-cited ones agree with the real OFAC SDN lists in ../shared/data,
//! and labels survive TagPack export and re-import unchanged (in memory and through a ledger).

use crate::common;

use std::collections::BTreeSet;

use hoptrace::import::{Collected, ImportOptions, ReadContext, tagpack};
use hoptrace::labels::{self, BUILTIN_FILE_NAME, Entry};
use hoptrace::ledger::{ImportOutcome, Ledger, SqliteLedger};
use hoptrace::model::{Category, Label, registry};

/// Keccak-256 (the pre-standard padding Ethereum uses), for EIP-55 checks.
fn keccak256(data: &[u8]) -> [u8; 32] {
    const RC: [u64; 24] = [
        0x0000000000000001,
        0x0000000000008082,
        0x800000000000808A,
        0x8000000080008000,
        0x000000000000808B,
        0x0000000080000001,
        0x8000000080008081,
        0x8000000000008009,
        0x000000000000008A,
        0x0000000000000088,
        0x0000000080008009,
        0x000000008000000A,
        0x000000008000808B,
        0x800000000000008B,
        0x8000000000008089,
        0x8000000000008003,
        0x8000000000008002,
        0x8000000000000080,
        0x000000000000800A,
        0x800000008000000A,
        0x8000000080008081,
        0x8000000000008080,
        0x0000000080000001,
        0x8000000080008008,
    ];
    const ROT: [u32; 25] =
        [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
    fn f(a: &mut [u64; 25]) {
        for rc in RC {
            let mut c = [0u64; 5];
            for x in 0..5 {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }
            for x in 0..5 {
                let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
                for y in 0..5 {
                    a[x + 5 * y] ^= d;
                }
            }
            let mut b = [0u64; 25];
            for x in 0..5 {
                for y in 0..5 {
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = a[x + 5 * y].rotate_left(ROT[x + 5 * y]);
                }
            }
            for x in 0..5 {
                for y in 0..5 {
                    a[x + 5 * y] = b[x + 5 * y] ^ (!b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
                }
            }
            a[0] ^= rc;
        }
    }
    const RATE: usize = 136;
    let mut state = [0u64; 25];
    let mut msg = data.to_vec();
    msg.push(0x01);
    while !msg.len().is_multiple_of(RATE) {
        msg.push(0);
    }
    if let Some(last) = msg.last_mut() {
        *last |= 0x80;
    }
    for block in msg.chunks(RATE) {
        for (i, lane) in block.chunks(8).enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(lane);
            state[i] ^= u64::from_le_bytes(w);
        }
        f(&mut state);
    }
    let mut out = [0u8; 32];
    for (i, lane) in state.iter().take(4).enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&lane.to_le_bytes());
    }
    out
}

/// The EIP-55 spelling of a lower-case `0x…` address.
fn eip55(lower: &str) -> String {
    let hex = &lower[2..];
    let hash = keccak256(hex.as_bytes());
    let mut out = String::from("0x");
    for (i, c) in hex.chars().enumerate() {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        out.push(if c.is_ascii_alphabetic() && nibble >= 8 { c.to_ascii_uppercase() } else { c });
    }
    out
}

fn entries() -> Vec<Entry> {
    ron::from_str(labels::BUNDLED).expect("assets/attribution.ron parses as entries")
}

#[test]
fn keccak_and_eip55_reference_vectors() {
    assert_eq!(hex::encode(keccak256(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    // From EIP-55's test cases.
    let a = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    assert_eq!(eip55(&a.to_ascii_lowercase()), a);
    let b = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
    assert_eq!(eip55(&b.to_ascii_lowercase()), b);
}

#[test]
fn every_shipped_address_is_valid_and_every_label_is_cited() {
    let entries = entries();
    let labels = labels::labels();
    assert_eq!(labels.len(), entries.len());
    assert!(labels.len() >= 30, "the curated set has {} labels", labels.len());
    let reg = registry();
    for (e, l) in entries.iter().zip(labels) {
        let chain = reg.chain(&e.chain).unwrap_or_else(|err| panic!("{}: {err}", e.address));
        // Normalised by the chain's rules, and normalising again changes nothing.
        assert_eq!(reg.normalize_address(&l.chain, &l.address).as_deref(), Ok(l.address.as_str()));
        if e.address.starts_with("0x") {
            assert_eq!(l.address, e.address.to_ascii_lowercase());
            let mixed = e.address[2..].chars().any(|c| c.is_ascii_uppercase());
            if mixed {
                assert_eq!(eip55(&l.address), e.address, "{}: EIP-55 checksum is wrong", e.address);
            }
        } else {
            assert_eq!(l.address, e.address, "{} keeps its case on {}", e.address, chain.id);
        }
        assert!(!l.source.is_empty() && l.source.contains(&e.source.url) && l.source.contains(&e.source.issuer));
        assert!(Category::ALL.contains(&l.category));
        assert!(l.confidence.as_deref().is_some_and(|c| !c.is_empty()));
        for d in [&l.valid_from, &l.valid_to, &e.source.date].into_iter().flatten() {
            assert!(d.parse::<jiff::civil::Date>().is_ok(), "{}: {d} is not a date", l.address);
        }
    }
    // The anchors are present with the right facts.
    let tornado_100 = labels::labels_for("0xA160cdAB225685dA1d56aa342Ad8841c3b53f291");
    assert!(tornado_100.iter().any(|l| l.category == Category::Mixer && l.entity.contains("100 ETH")));
    assert!(tornado_100.iter().any(|l| {
        l.category == Category::Sanctioned
            && l.valid_from.as_deref() == Some("2022-08-08")
            && l.valid_to.as_deref() == Some("2025-03-21")
    }));
    assert!(labels::conflicting(&tornado_100), "pool and sanction labels differ and are shown side by side");
    let ronin = labels::labels_for("0x098b716b8aaf21512996dc57eb0615e2383e2f96");
    assert_eq!(ronin.len(), 2);
    assert!(ronin.iter().all(|l| l.actor.as_deref() == Some("Lazarus Group")));
    let issuers: BTreeSet<&str> = entries.iter().map(|e| e.source.issuer.as_str()).collect();
    assert!(issuers.contains("FBI") && issuers.contains("U.S. Treasury OFAC"));
    for entity in ["Blender.io", "Sinbad.io", "THORChain Router"] {
        assert!(labels.iter().any(|l| l.entity == entity), "{entity}");
    }
}

/// Every address of the real OFAC SDN lists, normalised, with the list's chain.
fn ofac_addresses() -> Option<BTreeSet<(String, String)>> {
    let dir = common::shared_data("ofac")?;
    let mut out = BTreeSet::new();
    for (file, chain) in [
        ("sanctioned_addresses_ETH.txt", "ethereum"),
        ("sanctioned_addresses_XBT.txt", "bitcoin"),
        ("sanctioned_addresses_TRX.txt", "tron"),
        ("sanctioned_addresses_BSC.txt", "bsc"),
        ("sanctioned_addresses_ARB.txt", "arbitrum"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).expect("OFAC list");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            // The XBT list also holds a Tron address (a known trap of the real data).
            let placed = registry()
                .normalize_address(chain, line)
                .map(|a| (chain.to_owned(), a))
                .or_else(|_| registry().normalize_address("tron", line).map(|a| ("tron".to_owned(), a)));
            out.insert(placed.expect("OFAC address normalises"));
        }
    }
    Some(out)
}

#[test]
fn ofac_cited_labels_agree_with_the_real_sdn_lists() {
    let Some(ofac) = ofac_addresses() else { return };
    // The lists are a snapshot of 2024-09-27: every OFAC-cited label listed by then is on them.
    let mut checked = 0;
    for (e, l) in entries().iter().zip(labels::labels()) {
        let in_list = ofac.contains(&(l.chain.clone(), l.address.clone()));
        if e.source.issuer.contains("OFAC") && e.source.date.as_deref().is_some_and(|d| d <= "2024-09-27") {
            assert!(in_list, "{} ({}) cites OFAC but is not on the SDN list", l.address, l.entity);
            checked += 1;
        }
        // A shipped label on the SDN list that is not itself the OFAC citation must not claim
        // a different sanction status: it is about the same party (pool, mixer, DPRK actor).
        if in_list && !e.source.issuer.contains("OFAC") {
            assert!(
                matches!(l.category, Category::Mixer | Category::Actor | Category::Sanctioned),
                "{} is on the SDN list but labelled {:?}",
                l.address,
                l.category
            );
        }
    }
    assert!(checked >= 18, "{checked} OFAC-cited labels checked");
    // The synthetic TagPack cross-check: the FBI's August 2023 addresses are in lazarus2.yaml.
    let Some(lazarus2) = common::shared_data("tagpacks/lazarus2.yaml") else { return };
    let text = std::fs::read_to_string(lazarus2).expect("read lazarus2.yaml");
    let fbi: Vec<&Label> =
        labels::labels().iter().filter(|l| l.source.contains("fbi-identifies-cryptocurrency-funds")).collect();
    assert_eq!(fbi.len(), 6);
    for l in fbi {
        assert!(text.contains(&l.address), "{} is not in the FBI TagPack", l.address);
    }
}

fn read_back(yaml: &str) -> Collected {
    let opts = ImportOptions::default();
    let ctx = ReadContext { file_name: "export.yaml", path: None, options: &opts };
    let mut sink = Collected::default();
    tagpack::read(&mut yaml.as_bytes(), &ctx, &mut sink).expect("read the exported TagPack");
    sink
}

fn without_lines(labels: &[Label]) -> Vec<Label> {
    labels.iter().map(|l| Label { line: 0, ..l.clone() }).collect()
}

#[test]
fn tagpack_export_round_trips_exactly() {
    let mut labels = labels::labels().to_vec();
    // Labels of other shapes: no source category or creator, a category the TagPack text would
    // not give, awkward text.
    labels.push(Label {
        valid_to: Some("2024-01-31".to_owned()),
        ..Label::new(
            "tron",
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "Quote ' and \"double\" and: colon # hash",
            Category::Service,
            "investigator note, 2024",
        )
    });
    labels.push(Label {
        chain: "polygon".to_owned(),
        address: "0x7d84d78bb9b6044a45fa08b7fe109f2c8648ab4e".to_owned(),
        entity: "x".to_owned(),
        category: Category::Victim,
        source_category: Some("service_hack".to_owned()),
        actor: Some("someone".to_owned()),
        source: "s".to_owned(),
        confidence: Some("forensic".to_owned()),
        valid_from: None,
        valid_to: None,
        added_by: Some("me".to_owned()),
        line: 0,
    });
    let header = labels::tagpack::Header {
        title: "t".to_owned(),
        creator: "pack creator".to_owned(),
        description: "d".to_owned(),
        lastmod: "2025-01-01".to_owned(),
    };
    let yaml = labels::tagpack::write(&header, &labels);
    let back = read_back(&yaml);
    assert!(back.refused.is_empty(), "{:?}", back.refused);
    assert_eq!(without_lines(&back.labels), without_lines(&labels));
    // Each label's line is its tag's `- address:` line in the written file.
    let lines: Vec<&str> = yaml.lines().collect();
    for l in &back.labels {
        let at = lines.get(usize::try_from(l.line).unwrap_or(0).wrapping_sub(1)).copied().unwrap_or("");
        assert!(at.starts_with("- address:"), "line {} is {at:?}", l.line);
    }
}

#[test]
fn builtin_labels_import_into_a_ledger_once_and_export_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = SqliteLedger::open(&dir.path().join("l.sqlite")).expect("ledger");
    let first = labels::import_builtin(&mut ledger).expect("import");
    assert_eq!(first.outcome, ImportOutcome::Committed);
    assert_eq!(first.labels, labels::labels().len() as u64);
    let again = labels::import_builtin(&mut ledger).expect("import again");
    assert_eq!(again.outcome, ImportOutcome::AlreadyImported);
    let info = ledger.info().expect("info");
    assert_eq!(info.batches.iter().map(|b| b.file_name.as_str()).collect::<Vec<_>>(), [BUILTIN_FILE_NAME]);
    // Both labels of the Ronin exploiter are kept, side by side.
    let ronin = ledger.labels("0x098B716B8Aaf21512996dC57EB0615e2383E2f96").expect("labels");
    assert_eq!(ronin.len(), 2);
    assert_eq!(
        ronin.iter().map(|l| l.category).collect::<BTreeSet<_>>(),
        [Category::Actor, Category::Sanctioned].into()
    );
    // Everything in the ledger exports and reads back as it is stored.
    let stored = ledger.all_labels().expect("all labels");
    let header = labels::tagpack::Header {
        title: "export".to_owned(),
        creator: "test".to_owned(),
        description: String::new(),
        lastmod: "2025-01-01".to_owned(),
    };
    let back = read_back(&labels::tagpack::write(&header, &stored));
    assert_eq!(without_lines(&back.labels), without_lines(&stored));
    let mut expected = without_lines(labels::labels());
    let key = |l: &Label| (l.chain.clone(), l.address.clone(), l.entity.clone(), l.source.clone());
    expected.sort_by_key(key);
    let mut got = without_lines(&stored);
    got.sort_by_key(key);
    assert_eq!(got, expected);
}
