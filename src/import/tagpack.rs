//! GraphSense TagPack YAML: attribution labels with their source, confidence and actor.
//!
//! A TagPack is a mapping of header fields (`title`, `creator`, `label`, `category`,
//! `currency`, `source`, `confidence`, `actor`, `abuse`, `lastmod`, …) and a `tags:` list. Every
//! header field is a default that a tag may override; each tag gives at least `address`.
//!
//! Each tag becomes one [`Label`]:
//! - chain from `network` (newer TagPacks) or `currency`: `ETH`→`ethereum`, `BTC`→`bitcoin`,
//!   `TRX`→`tron`, `BNB`/`BSC`→`bsc`, `MATIC`/`POL`→`polygon`, `ARB`→`arbitrum`, …; for a token
//!   (`USDT`, `USDC`, …) the chain follows the address syntax (`0x…` Ethereum, `T…` Tron, else
//!   Bitcoin, where Omni USDT lives). `--chain` is used only when a tag has neither. Tags of
//!   currencies whose chains hoptrace does not model (LTC, BCH, XMR, …) are skipped and counted;
//!   any other currency is refused. An address that the currency's chain rejects but that is
//!   valid on a chain with another address syntax (the real OFAC TagPack lists a Tron address
//!   as `BTC`) is labelled on that chain, with a note appended to `source`;
//! - `entity` = `label`; `category` from `abuse` when present (`sanction` → sanctioned, any
//!   other abuse such as `service_hack` or `ransomware` → actor: GraphSense tags the abuser's
//!   addresses), else from `category` (`mixing_service` → mixer, unknown → unknown), with
//!   `source_category` keeping the TagPack's own `category` text (or `abuse` when there is none);
//! - `source` = `source` (or `tagpack FILE` when the pack cites none), `confidence` as spelled,
//!   `actor`, `added_by` = `creator`. `lastmod` dates the pack, not the attribution, so
//!   `valid_from` stays empty;
//! - a tag `context` (JSON) with a `hoptrace` object, as [`crate::labels::tagpack`] writes it,
//!   gives what TagPack has no field for: hoptrace's category, validity dates, and that the
//!   label had no source category or creator. Other contexts are ignored.
//!
//! `line` is the line of the tag's `- ` item in the file, found by scanning the `tags:` block
//! sequence; if that scan disagrees with the parser (a flow-style `tags: [...]`), every tag gets
//! the line of `tags:`.

use std::io::BufRead;

use serde_norway::{Mapping, Value};

use super::address_list::resolve;
use super::{ReadContext, ReadError, Refusal, Sink};
use crate::model::{Category, Label, registry};

/// What the `hoptrace` key of a tag's `context` carries (written by [`crate::labels::tagpack`],
/// read back here: the format belongs to the reader, the writer sits above it).
#[derive(serde::Serialize, serde::Deserialize, Default, Debug, PartialEq, Eq)]
pub struct Context {
    /// hoptrace's category, when `category`/`abuse` would not parse to it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub category: Option<Category>,
    /// True when the label had no source category (the tag's `category` is hoptrace's).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub no_source_category: bool,
    /// True when the label had no `added_by` (the pack's `creator` does not apply to it).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub no_creator: bool,
    /// Valid from (ISO date).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valid_from: Option<String>,
    /// Valid until (ISO date).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valid_to: Option<String>,
}

impl Context {
    /// Reads the `hoptrace` object of a TagPack `context` JSON text; `None` when the context
    /// is not JSON or has no `hoptrace` object (other tools' contexts are left alone).
    #[must_use]
    pub fn from_tag_context(text: &str) -> Option<Context> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        serde_json::from_value(value.get("hoptrace")?.clone()).ok()
    }
}

const EXPECTED: &str = "expected a GraphSense TagPack: a YAML mapping of header fields with a `tags:` list";

/// Reads a TagPack (see the module docs) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for text that is not UTF-8, a YAML syntax error (at the parser's
/// line), or a document without a `tags:` list; [`ReadError::Sink`] when the sink fails.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let line = bytes.get(..e.valid_up_to()).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) + 1;
            return Err(ReadError::format(line as u64, "the file is not UTF-8 text: expected a UTF-8 TagPack YAML"));
        }
    };
    let doc: Value = serde_norway::from_str(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line() as u64);
        ReadError::format(line, format!("YAML syntax error ({e}): {EXPECTED}"))
    })?;
    let Value::Mapping(header) = doc else {
        return Err(ReadError::format(1, format!("found {}: {EXPECTED}", describe(&doc))));
    };
    let (tags_line, item_lines) = tag_lines(text);
    let tags = match header.get("tags") {
        Some(Value::Sequence(tags)) => tags,
        Some(other) => {
            return Err(ReadError::format(tags_line, format!("found `tags: {}`: {EXPECTED}", describe(other))));
        }
        None => return Err(ReadError::format(1, format!("found no `tags:` key: {EXPECTED}"))),
    };
    let lines = item_lines.filter(|l| l.len() == tags.len());
    let pack = Pack { header: &header, ctx };
    for (i, tag) in tags.iter().enumerate() {
        sink.row();
        let line = lines.as_ref().and_then(|l| l.get(i).copied()).unwrap_or(tags_line);
        let Value::Mapping(tag) = tag else {
            let m = format!("found {}: expected a mapping with `address:` and optional overrides", describe(tag));
            sink.refuse(Refusal::new(line, format!("tags[{i}]"), m));
            continue;
        };
        match pack.label(tag, line) {
            Ok(Some(l)) => sink.label(l)?,
            Ok(None) => sink.skip(line, "tag for a currency whose chain hoptrace does not model (LTC, BCH, XMR, …)"),
            Err((field, m)) => sink.refuse(Refusal::new(line, format!("tags[{i}].{field}"), m)),
        }
    }
    Ok(())
}

/// The line of the top-level `tags:` key (1 if not found) and, when `tags:` is a block
/// sequence, the line of each of its `- ` items.
fn tag_lines(text: &str) -> (u64, Option<Vec<u64>>) {
    let mut lines = text.lines().zip(1u64..);
    let Some((key, tags_line)) = lines.by_ref().find(|(l, _)| l.starts_with("tags:")) else {
        return (1, None);
    };
    let rest = key.trim_start_matches("tags:").trim_start();
    if !(rest.is_empty() || rest.starts_with('#')) {
        // `tags: [...]` (flow style) or not a list at all.
        return (tags_line, None);
    }
    let mut indent = None;
    let mut items = Vec::new();
    for (l, n) in lines {
        let body = l.trim_start_matches(' ');
        if body.trim().is_empty() || body.starts_with('#') {
            continue;
        }
        let ind = l.len() - body.len();
        let item = body.trim_end() == "-" || body.starts_with("- ");
        match indent {
            None if item => indent = Some(ind),
            None => return (tags_line, None),
            Some(i) if ind > i => continue,
            Some(i) if ind == i && item => {}
            Some(_) => break,
        }
        items.push(n);
    }
    (tags_line, Some(items))
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("{s:?}"),
        Value::Sequence(_) => "a list".to_owned(),
        Value::Mapping(_) => "a mapping".to_owned(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}

/// A refused field: its name and the "found …: expected …" message.
type Bad = (&'static str, String);

struct Pack<'a> {
    header: &'a Mapping,
    ctx: &'a ReadContext<'a>,
}

/// Where a tag's chain comes from.
enum ChainOf {
    /// A registry chain id.
    Chain(String),
    /// A real currency on a chain hoptrace does not model.
    Unmodelled,
}

impl Pack<'_> {
    /// A text field of the tag, or of the header when the tag lacks it; empty counts as absent.
    fn field(&self, tag: &Mapping, key: &'static str) -> Result<Option<String>, Bad> {
        let v = tag.get(key).filter(|v| !v.is_null()).or_else(|| self.header.get(key)).unwrap_or(&Value::Null);
        match v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(b) => Ok(Some(b.to_string())),
            other => Err((key, format!("found {}: expected text", describe(other)))),
        }
    }

    /// The label of one tag; `Ok(None)` for a tag of an unmodelled currency.
    fn label(&self, tag: &Mapping, line: u64) -> Result<Option<Label>, Bad> {
        let address = match tag.get("address") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(("address", format!("found {}: expected an address as text", describe(other)))),
            None => return Err(("address", "found nothing: expected `address:`".to_owned())),
        };
        let chain = match self.chain(tag, address)? {
            ChainOf::Chain(c) => c,
            ChainOf::Unmodelled => return Ok(None),
        };
        // A mislabelled currency (OFAC lists a Tron address as BTC) goes to the chain the
        // address proves, and the source says so.
        let placed = resolve(Some(&chain), address.trim()).map_err(|m| ("address", m))?;
        let entity = self
            .field(tag, "label")?
            .ok_or(("label", "found nothing: expected `label:` on the tag or in the header".to_owned()))?;
        let category_text = self.field(tag, "category")?;
        let abuse = self.field(tag, "abuse")?;
        let category = match (&abuse, &category_text) {
            (Some(a), _) => Category::parse(a).filter(|c| *c != Category::Unknown).unwrap_or(Category::Actor),
            (None, Some(c)) => Category::parse(c).unwrap_or(Category::Unknown),
            (None, None) => Category::Unknown,
        };
        let source = self.field(tag, "source")?.unwrap_or_else(|| format!("tagpack {}", self.ctx.file_name));
        let extra = self.field(tag, "context")?.and_then(|c| Context::from_tag_context(&c)).unwrap_or_default();
        let source_category = if extra.no_source_category { None } else { category_text.or(abuse) };
        let added_by = if extra.no_creator { None } else { self.field(tag, "creator")? };
        Ok(Some(Label {
            chain: placed.chain,
            address: placed.address,
            entity,
            category: extra.category.unwrap_or(category),
            source_category,
            actor: self.field(tag, "actor")?,
            source: placed.note.map_or_else(|| source.clone(), |n| format!("{source} ({n})")),
            confidence: self.field(tag, "confidence")?,
            valid_from: extra.valid_from,
            valid_to: extra.valid_to,
            added_by,
            line,
        }))
    }

    fn chain(&self, tag: &Mapping, address: &str) -> Result<ChainOf, Bad> {
        let network = self.field(tag, "network")?;
        let (key, code) = match (network, self.field(tag, "currency")?) {
            (Some(n), _) => ("network", n),
            (None, Some(c)) => ("currency", c),
            (None, None) => {
                return match &self.ctx.options.chain {
                    Some(c) => Ok(ChainOf::Chain(c.clone())),
                    None => Err((
                        "currency",
                        "found nothing: expected `currency:` (BTC, ETH, TRX, …) on the tag or in the header".to_owned(),
                    )),
                };
            }
        };
        chain_of(&code, address.trim()).ok_or_else(|| {
            let known = registry().chain_ids().join(", ");
            (key, format!("found {code:?}: expected a currency or network of a known chain (BTC, ETH, TRX, BNB, MATIC, USDT, … or one of {known})"))
        })
    }
}

/// The chain of a TagPack currency or network code; `None` when the code is unknown.
fn chain_of(code: &str, address: &str) -> Option<ChainOf> {
    let up = code.trim().to_ascii_uppercase();
    let id = match up.as_str() {
        "ETH" | "ETHEREUM" => "ethereum",
        "BTC" | "XBT" | "BITCOIN" => "bitcoin",
        "TRX" | "TRON" => "tron",
        "BNB" | "BSC" if !address.starts_with("0x") && !address.starts_with("0X") => return Some(ChainOf::Unmodelled),
        "BNB" | "BSC" => "bsc",
        "MATIC" | "POL" | "POLYGON" => "polygon",
        "ARB" | "ARBITRUM" => "arbitrum",
        "OP" | "OPTIMISM" => "optimism",
        "BASE" => "base",
        "AVAX" | "AVALANCHE" => "avalanche",
        "FTM" | "FANTOM" => "fantom",
        "USDT" | "USDC" | "DAI" | "BUSD" | "TUSD" | "USDP" | "WETH" | "WBTC" => {
            if address.starts_with("0x") || address.starts_with("0X") {
                "ethereum"
            } else if address.starts_with('T') {
                "tron"
            } else {
                "bitcoin"
            }
        }
        "LTC" | "BCH" | "BSV" | "BTG" | "DASH" | "XMR" | "ZEC" | "XRP" | "XVG" | "DOGE" | "ADA" | "SOL" | "DOT"
        | "XLM" | "EOS" | "ETC" | "ALGO" | "ATOM" | "TON" | "NEO" | "XTZ" | "ZIL" | "KSM" | "NEAR" | "FIL" => {
            return Some(ChainOf::Unmodelled);
        }
        _ => return registry().chain(&code.trim().to_ascii_lowercase()).ok().map(|c| ChainOf::Chain(c.id.clone())),
    };
    Some(ChainOf::Chain(id.to_owned()))
}

#[cfg(test)]
mod tests;
