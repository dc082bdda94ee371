use std::path::PathBuf;

use super::*;
use crate::import::{Collected, ImportOptions};

fn run(name: &str, text: &str) -> Result<Collected, ReadError> {
    let opts = ImportOptions::default();
    let ctx = ReadContext { file_name: name, path: None, options: &opts };
    let mut sink = Collected::default();
    read(&mut text.as_bytes(), &ctx, &mut sink)?;
    Ok(sink)
}

/// The real TagPacks as (file name, text), or `None` (with a message) without `../shared`.
fn real() -> Option<Vec<(String, String)>> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/tagpacks"));
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: real data {} is absent (see shared/data/README.md)", dir.display());
        return None;
    };
    let mut v: Vec<(String, String)> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| Some((p.file_name()?.to_str()?.to_owned(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    v.sort();
    Some(v)
}

#[test]
fn every_real_tagpack_imports_each_tag_at_its_line() {
    let Some(packs) = real() else { return };
    assert_eq!(packs.len(), 9);
    let unmodelled = ["BCH", "BSV", "BTG", "DASH", "LTC", "XMR", "XRP", "XVG", "ZEC"];
    for (name, text) in &packs {
        let c = run(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let lines: Vec<&str> = text.lines().collect();
        // Counted independently of the parser: item lines and unmodelled currency lines.
        let items = lines.iter().filter(|l| l.starts_with("- address:")).count();
        let skipped = lines.iter().filter(|l| unmodelled.iter().any(|u| l.trim() == format!("currency: {u}"))).count();
        assert!(c.refused.is_empty(), "{name}: {:?}", c.refused);
        assert_eq!((c.rows, c.labels.len() + skipped), (items as u64, items), "{name}");
        let mut prev = 0;
        for l in &c.labels {
            let src = lines.get(usize::try_from(l.line).unwrap_or(0).wrapping_sub(1)).copied().unwrap_or("");
            assert!(src.starts_with("- address:"), "{name}:{} is {src:?}", l.line);
            assert!(src.to_ascii_lowercase().contains(&l.address.to_ascii_lowercase()), "{name}:{} {src:?}", l.line);
            assert!(l.line > prev, "{name}: lines increase");
            prev = l.line;
        }
    }
}

#[test]
fn real_tornado_pools_and_the_trailing_space() {
    let Some(packs) = real() else { return };
    let Some((name, text)) = packs.iter().find(|(n, _)| n == "tornado_cash.yaml") else { panic!("tornado_cash.yaml") };
    let c = run(name, text).unwrap_or_default();
    assert_eq!(c.labels.len(), 39);
    let first_line =
        text.lines().position(|l| l.contains("0x8589427373D6D84E98730D7795D8f6f8731FDA16")).map(|i| i as u64 + 1);
    let first = c.labels.first().cloned();
    assert_eq!(
        first.as_ref().map(|l| (l.address.as_str(), Some(l.line))),
        Some(("0x8589427373d6d84e98730d7795d8f6f8731fda16", first_line))
    );
    for l in &c.labels {
        assert_eq!((l.chain.as_str(), l.entity.as_str(), l.category), ("ethereum", "tornado.cash", Category::Mixer));
        assert_eq!(l.source_category.as_deref(), Some("mixing_service"));
        assert_eq!(l.actor.as_deref(), Some("tornado"));
        assert_eq!(l.source, "https://home.treasury.gov/policy-issues/financial-sanctions/recent-actions/20220808");
        assert_eq!(
            (l.confidence.as_deref(), l.added_by.as_deref()),
            (Some("authority_data"), Some("GraphSense Core Team"))
        );
        assert_eq!((l.valid_from.as_deref(), l.valid_to.as_deref()), (None, None));
    }
    // '0x4736dCf1…a9D ' (with a trailing space) is listed twice: both normalise alike.
    let spaced = text.lines().position(|l| l.contains("a9D '")).map(|i| i as u64 + 1);
    let same: Vec<u64> =
        c.labels.iter().filter(|l| l.address == "0x4736dcf1b7a3d580672cce6e7c65cd5cc9cfba9d").map(|l| l.line).collect();
    assert_eq!((same.len(), same.last().copied()), (2, spaced));
}

#[test]
fn real_overrides_abuse_and_token_currencies() {
    let Some(packs) = real() else { return };
    let get = |file: &str| packs.iter().find(|(n, _)| n == file).and_then(|(n, t)| run(n, t).ok()).unwrap_or_default();
    let find = |c: &Collected, a: &str| c.labels.iter().find(|l| l.address == a).cloned();
    let ronin = get("ronin_bridge.yaml");
    let r4 = find(&ronin, "0x29fc9b71492ec63696cf9cd56e9832a42b0dced0");
    assert_eq!(
        r4.map(|l| (l.entity, l.category, l.source_category)),
        Some(("Ronin bridge exploiter 4".into(), Category::Actor, Some("service_hack".into())))
    );
    let laz = get("lazarus.yaml");
    assert!(
        laz.labels.iter().all(|l| l.category == Category::Sanctioned && l.source_category.as_deref() == Some("user"))
    );
    assert_eq!(find(&laz, "0x098b716b8aaf21512996dc57eb0615e2383e2f96").map(|l| l.chain), Some("ethereum".into()));
    let bybit = get("exchange-wallets-bybit.yaml");
    let btc = find(&bybit, "1GrwDkr33gT6LuumniYjKEGjTLhsL5kmqC");
    assert_eq!(
        btc.map(|l| (l.chain, l.category, l.source)),
        Some(("bitcoin".into(), Category::Exchange, "https://www.bybithelp.com/bybitHC_Article?id=000001880".into()))
    );
    assert_eq!(find(&bybit, "0xa7a93fd0a276fc1c0197a5b5623ed117786eed06").map(|l| l.chain), Some("ethereum".into()));
    let ofac = get("ofac.yaml");
    assert_eq!(find(&ofac, "TX5GV4DyfxNB3rPkzZJhmqZ1efVmL4rEqG").map(|l| l.chain), Some("tron".into()));
    assert_eq!(find(&ofac, "16iWn2J1McqjToYLHSsAyS6En3QA8YQ91H").map(|l| l.chain), Some("bitcoin".into()));
    assert_eq!(find(&ofac, "0xfec8a60023265364d066a1212fde3930f6ae8da7").map(|l| l.chain), Some("ethereum".into()));
    // Listed as `currency: BTC` but a Tron address: placed on Tron, and the source says so.
    let tron = find(&ofac, "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq");
    let note = "https://www.treasury.gov/ofac/downloads/sdnlist.txt (listed for bitcoin, but the address is a valid tron address)";
    assert_eq!(tron.map(|l| (l.chain, l.source)), Some(("tron".into(), note.into())));
    assert!(ofac.labels.iter().all(|l| l.added_by.as_deref() == Some("INTERPOL CNTL") && l.confidence.is_none()));
    assert_eq!(get("wasabi_collector.yaml").labels.first().map(|l| l.category), Some(Category::Mixer));
}

#[test]
fn bad_tags_are_refused_and_bad_files_stop() {
    let text = "title: t\nlabel: x\ncurrency: ETH\ntags:\n  - address: '0x8589427373D6D84E98730D7795D8f6f8731FDA1'\n  - label: no address\n  - address: 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ\n    currency: DOGECOIN\n  - just text\n  - address: 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ\n    currency: BTC\n    label:\n      nested: map\n  - address: '0x8589427373D6D84E98730D7795D8f6f8731FDA16'\n    category: something_new\n";
    let c = run("t.yaml", text).unwrap_or_default();
    let refused: Vec<(u64, &str)> = c.refused.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(
        refused,
        [
            (5, "tags[0].address"),
            (6, "tags[1].address"),
            (7, "tags[2].currency"),
            (9, "tags[3]"),
            (10, "tags[4].label")
        ]
    );
    assert!(c.refused.iter().all(|r| r.message.starts_with("found ")), "{:?}", c.refused);
    assert_eq!(c.labels.iter().map(|l| (l.line, l.category)).collect::<Vec<_>>(), [(14, Category::Unknown)]);
    assert_eq!(c.labels.first().map(|l| l.source.as_str()), Some("tagpack t.yaml"));
    let err = |t: &str| match run("t.yaml", t) {
        Err(ReadError::Format { line, message }) => (line, message),
        other => panic!("expected a format error, got {other:?}"),
    };
    assert_eq!(err("title: t\ntags:\n- address: [unclosed\n- address: x\n").0, 4);
    assert!(err("title: t\n").1.contains("no `tags:`"));
    assert_eq!(err("title: t\ntags: many\n").0, 2);
    assert!(err("- a\n- b\n").1.contains("found a list"));
    // Flow-style tags: no item lines to scan, so the `tags:` line stands in.
    let flow = run("f.yaml", "label: x\ncurrency: BTC\ntags: [{address: 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ}]\n")
        .unwrap_or_default();
    assert_eq!(flow.labels.iter().map(|l| l.line).collect::<Vec<_>>(), [3]);
}

#[test]
fn network_wins_over_currency_and_chain_option_is_the_last_resort() {
    let text = "label: l\ncategory: exchange\nnetwork: TRX\ntags:\n- address: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\n  currency: USDT\n- address: bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23\n  network: BNB\n";
    let c = run("n.yaml", text).unwrap_or_default();
    assert_eq!(
        c.labels.iter().map(|l| (l.chain.as_str(), l.line, l.category)).collect::<Vec<_>>(),
        [("tron", 5, Category::Exchange)]
    );
    assert_eq!(c.skipped.values().sum::<u64>(), 1);
    let opts = ImportOptions { chain: Some("bitcoin".into()), ..ImportOptions::default() };
    let ctx = ReadContext { file_name: "n.yaml", path: None, options: &opts };
    let mut sink = Collected::default();
    let text = "label: l\ntags:\n- address: 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ\n";
    assert!(read(&mut text.as_bytes(), &ctx, &mut sink).is_ok());
    assert_eq!(
        sink.labels.iter().map(|l| (l.chain.as_str(), l.category)).collect::<Vec<_>>(),
        [("bitcoin", Category::Unknown)]
    );
    assert!(run("n.yaml", text).is_ok_and(|c| c.refused.iter().map(|r| r.field.as_str()).eq(["tags[0].currency"])));
}

#[test]
fn truncated_real_tagpacks_never_panic() {
    let Some(packs) = real() else { return };
    for (name, text) in packs.iter().filter(|(n, _)| n != "ofac.yaml") {
        for cut in (0..text.len()).step_by(3) {
            let _ = run(name, text.get(..cut).unwrap_or(""));
        }
    }
}
