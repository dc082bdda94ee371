//! Plain address lists: one address a line, such as the OFAC SDN lists per asset
//! (`sanctioned_addresses_ETH.txt`). Blank lines and `#` comments (whole-line or after the
//! address) are allowed and counted as skipped.
//!
//! Chain: `--chain` if given, else from the file name (`_ETH` → `ethereum`, `_XBT`/`_BTC` →
//! `bitcoin`, `_TRX` → `tron`, `_BSC` → `bsc`, `_ARB` → `arbitrum`, or a registry chain id
//! such as `_polygon`); for token lists (`_USDT`, `_USDC`) and other names each address's own
//! syntax decides: `0x…` → `ethereum`, a checksummed `T…` → `tron`, else `bitcoin`.
//!
//! An address that fails the declared chain but is a valid address of a chain with another
//! address syntax (the OFAC XBT list holds a Tron address) is labelled on that chain, and the
//! label's `source` says so; anything else that is not an address is refused.
//!
//! Each address becomes a [`Label`]: entity `OFAC SDN list (FILE)` for OFAC/SDN lists
//! (`sanctions list (FILE)` for other sanction lists, `address list (FILE)` otherwise), category
//! sanctioned when the file name mentions `sanction`, `ofac` or `sdn` (else unknown; `--category`
//! overrides both), source `address list FILE`, and the 1-based line.
//!
//! How the chain was decided is recorded ([`Sink::chain_decided`]): `--chain option`, `file name
//! token ETH`, or, for lists placed by syntax, the chains found and the rule.

use std::io::BufRead;

use super::{ReadContext, ReadError, Refusal, Sink};
use crate::model::{AddressError, Category, Label, registry};

/// Reads an address list (see the module docs) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for an unknown `--chain` or a file without any address;
/// [`ReadError::Io`] / [`ReadError::Sink`] when reading or the sink fails.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let declared = match ctx.options.chain.as_deref() {
        Some(c) => {
            let chain = registry().chain(c).map_err(|e| ReadError::format(1, format!("found chain {c:?}: {e}")))?;
            sink.chain_decided(&chain.id, "--chain option");
            Some(chain.id.clone())
        }
        None => chain_from_name(ctx.file_name).map(|(chain, token)| {
            sink.chain_decided(&chain, &format!("file name token {token}"));
            chain
        }),
    };
    let mut by_syntax = std::collections::BTreeSet::new();
    let name = ctx.file_name;
    let lower = name.to_ascii_lowercase();
    let sanction = ["sanction", "ofac", "sdn"].iter().any(|k| lower.contains(k));
    let entity = if ["ofac", "sdn", "sanctioned_addresses"].iter().any(|k| lower.contains(k)) {
        format!("OFAC SDN list ({name})")
    } else if sanction {
        format!("sanctions list ({name})")
    } else {
        format!("address list ({name})")
    };
    let category = ctx.options.category.unwrap_or(if sanction { Category::Sanctioned } else { Category::Unknown });
    let source = format!("address list {name}");

    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut addresses = 0u64;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line += 1;
        let Ok(text) = std::str::from_utf8(&buf) else {
            sink.row();
            addresses += 1;
            sink.refuse(Refusal::new(line, "address", "found bytes that are not UTF-8 text: expected an address"));
            continue;
        };
        let text = text.trim_start_matches('\u{feff}');
        let content = text.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            sink.skip(line, if text.trim().is_empty() { "blank line" } else { "comment line" });
            continue;
        }
        sink.row();
        addresses += 1;
        if content.contains(|c: char| c.is_whitespace() || c == ',' || c == ';') {
            let m = format!("found {content:?}: expected one address a line (comments after `#`)");
            sink.refuse(Refusal::new(line, "address", m));
            continue;
        }
        match resolve(declared.as_deref(), content) {
            Ok(r) if declared.is_none() => {
                by_syntax.insert(r.chain.clone());
                sink.label(Label { line, ..Label::new(r.chain, r.address, entity.clone(), category, source.clone()) })?;
            }
            Ok(r) => sink.label(Label {
                line,
                ..Label::new(
                    r.chain,
                    r.address,
                    entity.clone(),
                    category,
                    r.note.map_or_else(|| source.clone(), |n| format!("{source} ({n})")),
                )
            })?,
            Err(m) => sink.refuse(Refusal::new(line, "address", m)),
        }
    }
    if !by_syntax.is_empty() {
        let chains: Vec<&str> = by_syntax.iter().map(String::as_str).collect();
        sink.chain_decided(&chains.join(", "), "address syntax of each line (0x → ethereum, T… → tron, else bitcoin)");
    }
    if addresses == 0 {
        return Err(ReadError::format(
            line.max(1),
            "found no address: expected one address a line (`#` comments allowed)",
        ));
    }
    Ok(())
}

/// The chain named by a file-name token (`sanctioned_addresses_ETH.txt` → `ethereum`); `None`
/// for token lists (`USDT`, `USDC`) and names without a chain.
fn chain_from_name(file_name: &str) -> Option<(String, String)> {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
    stem.split(|c: char| !c.is_ascii_alphanumeric()).rev().find_map(|token| {
        let id = match token.to_ascii_uppercase().as_str() {
            "ETH" => "ethereum",
            "XBT" | "BTC" => "bitcoin",
            "TRX" => "tron",
            "BSC" => "bsc",
            "ARB" => "arbitrum",
            _ => {
                return registry().chain(&token.to_ascii_lowercase()).ok().map(|c| (c.id.clone(), token.to_owned()));
            }
        };
        Some((id.to_owned(), token.to_owned()))
    })
}

/// An address placed on its chain.
pub(super) struct Resolved {
    /// Chain id.
    pub chain: String,
    /// Normalised address.
    pub address: String,
    /// Set when the address is not of the declared chain but of another one.
    pub note: Option<String>,
}

/// Normalises `text` for the `declared` chain, or for the chain its syntax proves when nothing
/// is declared or the declared chain has another address syntax and rejects it.
///
/// # Errors
/// A "found …: expected …" message.
pub(super) fn resolve(declared: Option<&str>, text: &str) -> Result<Resolved, String> {
    let Some(declared) = declared else {
        return chain_by_syntax(text)
            .map(|(chain, address)| Resolved { chain: chain.to_owned(), address, note: None })
            .ok_or_else(|| {
                let guess = if text.starts_with("0x") || text.starts_with("0X") {
                    "ethereum"
                } else if text.starts_with('T') {
                    "tron"
                } else {
                    "bitcoin"
                };
                registry().normalize_address(guess, text).err().map_or_else(String::new, |e| address_message(text, &e))
            });
    };
    let reg = registry();
    match reg.normalize_address(declared, text) {
        Ok(address) => Ok(Resolved { chain: declared.to_owned(), address, note: None }),
        Err(e) => {
            let rule = reg.chain(declared).map(|c| c.address).ok();
            match chain_by_syntax(text) {
                Some((chain, address)) if rule.is_some() && reg.chain(chain).map(|c| c.address).ok() != rule => {
                    let note = format!("listed for {declared}, but the address is a valid {chain} address");
                    Ok(Resolved { chain: chain.to_owned(), address, note: Some(note) })
                }
                _ => Err(address_message(text, &e)),
            }
        }
    }
}

/// The chain an address's own syntax proves: `0x` + 40 hex → `ethereum`, base58check with the
/// Tron prefix → `tron`, a checksummed Bitcoin address → `bitcoin`.
fn chain_by_syntax(text: &str) -> Option<(&'static str, String)> {
    let reg = registry();
    ["ethereum", "tron", "bitcoin"].into_iter().find_map(|c| reg.normalize_address(c, text).ok().map(|a| (c, a)))
}

/// "found …: expected …" for an address the chain rejects.
pub(super) fn address_message(text: &str, e: &AddressError) -> String {
    match e {
        AddressError::Invalid { chain, expected, .. } => {
            format!("found {text:?}: expected a {chain} address, {expected}")
        }
        AddressError::Empty => "found an empty address: expected an address".to_owned(),
        AddressError::UnknownChain(..) => format!("found {text:?} for an unknown chain: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::import::{Collected, ImportOptions};

    fn run_with(name: &str, text: &str, chain: Option<&str>) -> Result<Collected, ReadError> {
        let opts = ImportOptions { chain: chain.map(str::to_owned), ..ImportOptions::default() };
        let ctx = ReadContext { file_name: name, path: None, options: &opts };
        let mut sink = Collected::default();
        read(&mut text.as_bytes(), &ctx, &mut sink)?;
        Ok(sink)
    }

    fn run(name: &str, text: &str) -> Collected {
        run_with(name, text, None).unwrap_or_default()
    }

    #[test]
    fn every_real_ofac_list_imports_every_line() {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ofac"));
        if !dir.is_dir() {
            eprintln!("skipping: real data {} is absent (see shared/data/README.md)", dir.display());
            return;
        }
        let expect = [
            ("ETH", "ethereum"),
            ("XBT", "bitcoin"),
            ("TRX", "tron"),
            ("USDT", ""),
            ("USDC", ""),
            ("BSC", "bsc"),
            ("ARB", "arbitrum"),
        ];
        for (asset, chain) in expect {
            let name = format!("sanctioned_addresses_{asset}.txt");
            let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
            let c = run(&name, &text);
            let lines: Vec<&str> = text.lines().collect();
            let non_empty = lines.iter().filter(|l| !l.trim().is_empty()).count();
            assert!(non_empty > 0, "{name}");
            assert!(c.refused.is_empty(), "{name}: {:?}", c.refused);
            assert_eq!((c.rows, c.labels.len()), (non_empty as u64, non_empty), "{name}");
            for l in &c.labels {
                let src = lines.get(usize::try_from(l.line).unwrap_or(0).wrapping_sub(1)).map_or("", |s| s.trim());
                assert_eq!(src.to_ascii_lowercase(), l.address.to_ascii_lowercase(), "{name}:{}", l.line);
                if l.chain == "bitcoin" || l.chain == "tron" {
                    assert_eq!(src, l.address, "base58/bech32 case is kept");
                } else {
                    assert_eq!(l.address, l.address.to_ascii_lowercase(), "EVM is stored lower case");
                }
                assert_eq!(l.entity, format!("OFAC SDN list ({name})"));
                assert_eq!(
                    (l.category, l.source.starts_with(&format!("address list {name}"))),
                    (Category::Sanctioned, true)
                );
                if !chain.is_empty() && l.chain != chain {
                    // Only the Tron address OFAC listed under XBT.
                    assert_eq!((asset, l.chain.as_str(), src), ("XBT", "tron", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"));
                    assert!(l.source.contains("listed for bitcoin"), "{}", l.source);
                }
            }
            let rule = if chain.is_empty() {
                "address syntax of each line (0x → ethereum, T… → tron, else bitcoin)".to_owned()
            } else {
                format!("file name token {asset}")
            };
            let decided = if chain.is_empty() {
                let set: std::collections::BTreeSet<&str> = c.labels.iter().map(|l| l.chain.as_str()).collect();
                set.into_iter().collect::<Vec<_>>().join(", ")
            } else {
                chain.to_owned()
            };
            assert_eq!(c.chain, Some((decided, rule)), "{name}");
            if asset == "USDT" {
                let chains: std::collections::BTreeSet<&str> = c.labels.iter().map(|l| l.chain.as_str()).collect();
                assert_eq!(chains.into_iter().collect::<Vec<_>>(), ["bitcoin", "ethereum", "tron"]);
            }
        }
    }

    #[test]
    fn evm_case_insensitive_bitcoin_case_kept() {
        let c = run("x_ETH.txt", "0x8589427373D6D84E98730D7795D8f6f8731FDA16\n");
        assert_eq!(
            c.labels.first().map(|l| (l.address.as_str(), l.chain.as_str(), l.line)),
            Some(("0x8589427373d6d84e98730d7795d8f6f8731fda16", "ethereum", 1))
        );
        let c = run(
            "list.txt",
            "# watch list\n\n1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ  # coinbase 50001\n1pkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ\n",
        );
        assert_eq!(
            c.labels.iter().map(|l| (l.address.as_str(), l.line, l.category)).collect::<Vec<_>>(),
            [("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ", 3, Category::Unknown)]
        );
        assert_eq!(c.labels.first().map(|l| l.entity.as_str()), Some("address list (list.txt)"));
        assert_eq!(c.refused.iter().map(|r| (r.line, r.field.as_str())).collect::<Vec<_>>(), [(4, "address")]);
        assert!(
            c.refused
                .iter()
                .all(|r| r.message.starts_with("found \"1pkq") && r.message.contains("expected a bitcoin address"))
        );
        assert_eq!((c.skipped.get("comment line"), c.skipped.get("blank line"), c.rows), (Some(&1), Some(&1), 2));
    }

    #[test]
    fn declared_chain_refuses_what_it_cannot_place() {
        // --chain wins over the file name; an EVM chain refuses a garbled EVM address.
        let c = run_with(
            "sanctioned_addresses_ETH.txt",
            "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c\n0x4f47\nnot an address\n",
            Some("bsc"),
        )
        .unwrap_or_default();
        assert_eq!(c.labels.iter().map(|l| l.chain.as_str()).collect::<Vec<_>>(), ["bsc"]);
        assert_eq!(c.refused.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(chain_from_name("foo_polygon.txt").map(|c| c.0).as_deref(), Some("polygon"));
        assert_eq!(chain_from_name("sanctioned_addresses_USDT.txt"), None);
        assert!(matches!(
            run_with("x.txt", "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c\n", Some("dogechain")),
            Err(ReadError::Format { .. })
        ));
        assert!(matches!(run_with("x.txt", "# nothing\n\n", None), Err(ReadError::Format { line: 2, .. })));
        // A line that is not UTF-8 is refused; the next one still reads.
        let opts = ImportOptions::default();
        let ctx = ReadContext { file_name: "x.txt", path: None, options: &opts };
        let mut c = Collected::default();
        let bytes = b"\xff\xfe0x4f47\r\n0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c\r\n";
        assert!(read(&mut &bytes[..], &ctx, &mut c).is_ok());
        assert_eq!((c.refused.first().map(|r| r.line), c.labels.first().map(|l| l.line)), (Some(1), Some(2)));
    }
}
