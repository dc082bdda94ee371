//! Label lists investigators bring, one module per layout:
//!
//! | layout | module |
//! |---|---|
//! | `address,label[,note]` without a header; `address,name` with or without its header | [`list`] |
//! | Etherscan label exports `,Address,Name Tag,Balance,Txn Count` | [`etherscan`] |
//! | hoptrace's labels CSV `address,chain,label,category,actor,source,confidence,valid_from,valid_to` | [`named`] |
//!
//! (Plain address lists are [`super::address_list`]; OFAC SDN files are [`super::ofac_sdn`].)
//!
//! # Which chain
//! `--chain` when given: every address must be an address of that chain. Else the address's
//! own syntax, only where it is unambiguous: a checksummed base58 `1…`/`3…` or bech32 `bc1…`
//! address is `bitcoin`, a base58check `T…` address is `tron`. A `0x` address could be on any
//! EVM chain (Ethereum, BSC, Polygon, …), so the first one stops the import with
//! [`ReadError::ChainUndecided`] asking for `--chain`. The decision is recorded with
//! [`Sink::chain_decided`].

pub mod etherscan;
pub mod list;
pub mod named;

use std::collections::BTreeSet;
use std::io::BufRead;

use csv::ByteRecord;

use super::{ReadContext, ReadError, Refusal, Sink, explorer_common};
use crate::model::{AddressError, AddressRule, registry};

/// The rule recorded when the address syntax decided the chain.
pub(crate) const SYNTAX_RULE: &str =
    "address syntax of each row (base58 1…/3… or bech32 bc1… → bitcoin, base58check T… → tron)";

/// Where the addresses of a label list go.
#[derive(Debug)]
pub(crate) struct Placer {
    /// The `--chain` (or file-name) chain, when there is one.
    declared: Option<String>,
    /// Chains placed by syntax so far.
    seen: BTreeSet<&'static str>,
}

/// Why an address could not be placed.
#[derive(Debug)]
pub(crate) enum Unplaced {
    /// The row is wrong: a "found …: expected …" message.
    Bad(String),
    /// A valid `0x` address without a declared chain: the whole file needs `--chain`.
    Undecided,
}

impl Placer {
    /// A placer for `ctx`: `--chain` when given (refused at line 1 when the registry does not
    /// know it), else `fallback` (a chain a file name names), else the address syntax.
    ///
    /// # Errors
    /// [`ReadError::Format`] for an unknown `--chain`.
    pub(crate) fn new(
        ctx: &ReadContext<'_>,
        fallback: Option<(&str, &str)>,
        sink: &mut dyn Sink,
    ) -> Result<Self, ReadError> {
        let declared = match explorer_common::chain_option(ctx)? {
            Some(c) => {
                sink.chain_decided(&c.id, "--chain option");
                Some(c.id.clone())
            }
            None => fallback.map(|(chain, rule)| {
                sink.chain_decided(chain, rule);
                chain.to_owned()
            }),
        };
        Ok(Placer { declared, seen: BTreeSet::new() })
    }

    /// True when a chain was declared (by `--chain` or a file name).
    pub(crate) fn declared(&self) -> Option<&str> {
        self.declared.as_deref()
    }

    /// The chain and normalised address of `text`.
    ///
    /// # Errors
    /// [`Unplaced`].
    pub(crate) fn place(&mut self, text: &str) -> Result<(String, String), Unplaced> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Unplaced::Bad("empty: expected an address".to_owned()));
        }
        let reg = registry();
        if let Some(chain) = &self.declared {
            return reg
                .normalize_address(chain, text)
                .map(|a| (chain.clone(), a))
                .map_err(|e| Unplaced::Bad(message(text, &e)));
        }
        for chain in ["bitcoin", "tron"] {
            if let Ok(a) = reg.normalize_address(chain, text) {
                self.seen.insert(chain);
                return Ok((chain.to_owned(), a));
            }
        }
        if reg.normalize_address("ethereum", text).is_ok() {
            return Err(Unplaced::Undecided);
        }
        let guess = if text.starts_with("0x") || text.starts_with("0X") {
            "ethereum"
        } else if text.starts_with('T') {
            "tron"
        } else {
            "bitcoin"
        };
        Err(Unplaced::Bad(match reg.normalize_address(guess, text) {
            Err(e) if guess != "ethereum" => {
                format!("{}; an EVM 0x address needs --chain", message(text, &e).trim_end_matches('.'))
            }
            Err(e) => message(text, &e),
            Ok(_) => format!("found {text:?}: expected an address"),
        }))
    }

    /// Records how the chain was decided when the syntax decided it (call once, at the end).
    pub(crate) fn finish(&self, sink: &mut dyn Sink) {
        if self.declared.is_none() && !self.seen.is_empty() {
            let chains: Vec<&str> = self.seen.iter().copied().collect();
            sink.chain_decided(&chains.join(", "), SYNTAX_RULE);
        }
    }
}

/// The whole-file error of a `0x` address met without a declared chain.
pub(crate) fn undecided(line: u64, what: &str) -> ReadError {
    let evm: Vec<&str> = registry()
        .chain_ids()
        .into_iter()
        .filter(|c| registry().chain(c).is_ok_and(|ch| ch.address == AddressRule::Evm))
        .collect();
    ReadError::chain_undecided(
        format!("line {line} holds the 0x address {what:?}, which is valid on every EVM chain"),
        &evm,
    )
}

/// "found …: expected …" for an address a chain rejects.
pub(crate) fn message(text: &str, e: &AddressError) -> String {
    super::address_list::address_message(text, e)
}

/// Rows of a CSV file read without a header, one line each (a quoted cell cannot span lines
/// here, so every row's line is exact): blank lines are counted as skipped.
pub(crate) struct Rows<'r> {
    input: &'r mut dyn BufRead,
    line: u64,
    buf: Vec<u8>,
}

impl<'r> Rows<'r> {
    /// Reads `input` line by line.
    pub(crate) fn new(input: &'r mut dyn BufRead) -> Self {
        Rows { input, line: 0, buf: Vec::new() }
    }

    /// The next non-blank line parsed into `rec`, with its 1-based line number, or the
    /// refusal of a line with an unterminated quote; `None` at the end.
    ///
    /// # Errors
    /// [`ReadError::Io`] when reading fails.
    pub(crate) fn next(
        &mut self,
        rec: &mut ByteRecord,
        sink: &mut dyn Sink,
    ) -> Result<Option<Result<u64, Refusal>>, ReadError> {
        loop {
            self.buf.clear();
            if self.input.read_until(b'\n', &mut self.buf)? == 0 {
                return Ok(None);
            }
            self.line += 1;
            let line = self.line;
            let text = self.buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&self.buf);
            if text.iter().all(u8::is_ascii_whitespace) {
                sink.skip(line, "blank line");
                continue;
            }
            if text.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
                let m =
                    "found a quote that is not closed on its line: expected each row on one line with balanced quotes";
                return Ok(Some(Err(Refusal::new(line, "row", m))));
            }
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
            rec.clear();
            match rdr.read_byte_record(rec) {
                Ok(true) => {}
                Ok(false) | Err(_) => {
                    return Ok(Some(Err(Refusal::new(
                        line,
                        "row",
                        "found a line that is not CSV: expected comma-separated cells",
                    ))));
                }
            }
            if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                sink.skip(line, "empty separator row");
                continue;
            }
            return Ok(Some(Ok(line)));
        }
    }
}

/// Cell `idx` of `rec` as trimmed UTF-8 text ("" when absent).
///
/// # Errors
/// A [`Refusal`] of `field` when the cell is not UTF-8.
pub(crate) fn cell<'a>(rec: &'a ByteRecord, idx: usize, line: u64, field: &str) -> Result<&'a str, Refusal> {
    std::str::from_utf8(rec.get(idx).unwrap_or(b""))
        .map(str::trim)
        .map_err(|_| Refusal::new(line, field, "cell is not UTF-8 text: expected UTF-8 (re-save the file as UTF-8)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Collected, ImportOptions};

    fn placer(chain: Option<&str>) -> (Placer, Collected) {
        let opts = ImportOptions { chain: chain.map(str::to_owned), ..ImportOptions::default() };
        let ctx = ReadContext { file_name: "x.csv", path: None, options: &opts };
        let mut sink = Collected::default();
        let p = Placer::new(&ctx, None, &mut sink).unwrap_or_else(|_| Placer { declared: None, seen: BTreeSet::new() });
        (p, sink)
    }

    #[test]
    fn syntax_decides_only_bitcoin_and_tron() {
        let (mut p, mut sink) = placer(None);
        assert_eq!(
            p.place("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ").ok(),
            Some(("bitcoin".to_owned(), "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ".to_owned()))
        );
        assert_eq!(p.place("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").ok().map(|x| x.0), Some("tron".to_owned()));
        assert!(matches!(p.place("0x8589427373D6D84E98730D7795D8f6f8731FDA16"), Err(Unplaced::Undecided)));
        let bad = p.place("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQx");
        assert!(
            matches!(&bad, Err(Unplaced::Bad(m)) if m.starts_with("found \"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQx\": expected a bitcoin address") && m.ends_with("an EVM 0x address needs --chain")),
            "{bad:?}"
        );
        p.finish(&mut sink);
        assert_eq!(sink.chain, Some(("bitcoin, tron".to_owned(), SYNTAX_RULE.to_owned())));
    }

    #[test]
    fn declared_chain_is_strict() {
        let (mut p, sink) = placer(Some("bsc"));
        assert_eq!(sink.chain, Some(("bsc".to_owned(), "--chain option".to_owned())));
        assert_eq!(
            p.place("0x8589427373D6D84E98730D7795D8f6f8731FDA16").ok(),
            Some(("bsc".to_owned(), "0x8589427373d6d84e98730d7795d8f6f8731fda16".to_owned()))
        );
        assert!(matches!(p.place("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ"), Err(Unplaced::Bad(_))));
    }
}
