//! Text shown for graph elements, on the canvas and in the evidence package reports: node
//! labels, chain badges, amounts in display units, ISO 8601 times, hop labels, and what "Copy
//! address" / "Copy explorer URL" copy. Headless, so the window and the reports say the same.

use crate::case::NodeKey;
use crate::graph::GraphNode;
use crate::model::{Hop, HopKind, Total, Transfer, registry};

/// What the canvas needs to know about an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInfo {
    /// Ticker (`ETH`, `USDT`), or the shortened asset key when the registry does not know it.
    pub symbol: String,
    /// Decimals of one display unit; `None` when unknown (amounts are then shown in base units).
    pub decimals: Option<u8>,
    /// The chain's native asset.
    pub native: bool,
}

/// Looks up `asset` (native symbol, token contract, or `symbol:XYZ`) of `chain` in the registry.
#[must_use]
pub fn asset_info(chain: &str, asset: &str) -> AssetInfo {
    let reg = registry();
    if let Ok(c) = reg.chain(chain)
        && c.native.eq_ignore_ascii_case(asset)
    {
        return AssetInfo { symbol: c.native.clone(), decimals: Some(c.decimals), native: true };
    }
    let key = asset.strip_prefix("symbol:").unwrap_or(asset);
    match reg.token(chain, key) {
        Some(t) => AssetInfo { symbol: t.symbol.clone(), decimals: Some(t.decimals), native: false },
        None => AssetInfo { symbol: short_address(key), decimals: None, native: false },
    }
}

/// `1.5 ETH`, or `12345 base units of 0xdead…beef` when the decimals are unknown; exact for
/// an [`Amount`] and for a [`Total`] alike.
#[must_use]
pub fn format_amount(amount: impl Into<Total>, info: &AssetInfo) -> String {
    let amount: Total = amount.into();
    match info.decimals {
        Some(d) => format!("{} {}", amount.format_units(d), info.symbol),
        None => format!("{amount} base units of {}", info.symbol),
    }
}

/// The amount in display units as a float (for sizes only, never for what is shown as a number).
#[must_use]
pub fn display_value(amount: impl Into<Total>, decimals: Option<u8>) -> f64 {
    amount.into().approx_units(decimals)
}

/// UTC seconds as ISO 8601 (`2024-03-01T12:00:00Z`).
#[must_use]
pub fn iso_time(secs: i64) -> String {
    crate::model::format_utc(secs)
}

/// A transfer's time as shown: ISO 8601; `time unknown (block n)` when only its block is known
/// (ethereum-etl token transfers and traces, until a blocks export of that block is imported);
/// `time unknown` when neither is.
#[must_use]
pub fn transfer_time(time: Option<i64>, block: Option<i64>) -> String {
    match (time, block) {
        (Some(t), _) => iso_time(t),
        (None, Some(b)) => format!("time unknown (block {b})"),
        (None, None) => "time unknown".to_owned(),
    }
}

/// `0x1234…abcd` for long addresses and hashes; short text unchanged.
#[must_use]
pub fn short_address(text: &str) -> String {
    let n = text.chars().count();
    if n <= 14 {
        return text.to_owned();
    }
    let head: String = text.chars().take(6).collect();
    let tail: String = text.chars().skip(n - 4).collect();
    format!("{head}…{tail}")
}

/// The text under a node: the investigator's label, else [`MINT_BURN_TITLE`] for the zero
/// address, else an imported label, else the entity it belongs to, else the short address
/// (`tx 4a5e…` for a transaction, `+N more` for an aggregate).
#[must_use]
pub fn node_label(node: &GraphNode) -> String {
    if let Some(agg) = &node.aggregate {
        return aggregate_text(agg.count, agg.lower_bound);
    }
    let named = node
        .case_labels
        .first()
        .map(|l| l.entity.as_str())
        .or_else(|| is_mint_burn(&node.key).then_some(MINT_BURN_TITLE))
        .or_else(|| node.labels.first().map(|l| l.entity.as_str()))
        .or(node.view.entity.as_deref())
        .filter(|s| !s.trim().is_empty());
    if let Some(name) = named {
        return name.to_owned();
    }
    match &node.key {
        NodeKey::Address { address, .. } => short_address(address),
        NodeKey::Tx { hash, .. } => format!("tx {}", short_address(hash)),
        NodeKey::Aggregate(id) => format!("aggregate #{id}"),
    }
}

/// The EVM zero address: tokens are minted from it and burned to it.
pub const ZERO_ADDRESS: &str = "0x0000000000000000000000000000000000000000";

/// The derived title of the zero address's node (not a stored label).
pub const MINT_BURN_TITLE: &str = "mint/burn (zero address)";

/// Whether `key` is the zero address (on any chain): the mint/burn node.
#[must_use]
pub fn is_mint_burn(key: &NodeKey) -> bool {
    matches!(key, NodeKey::Address { address, .. } if address.eq_ignore_ascii_case(ZERO_ADDRESS))
}

/// `minted` for a transfer from the zero address, `burned` for one to it.
#[must_use]
pub fn mint_or_burn(t: &Transfer) -> Option<&'static str> {
    let zero = |a: &Option<String>| a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(ZERO_ADDRESS));
    if zero(&t.from) {
        Some("minted")
    } else if zero(&t.to) {
        Some("burned")
    } else {
        None
    }
}

/// `+N more`, or `≥N more` when the ledger scan stopped at its cap.
#[must_use]
pub fn aggregate_text(count: u64, lower_bound: bool) -> String {
    if lower_bound { format!("≥{count} more") } else { format!("+{count} more") }
}

/// Chains that keep their native symbol as badge when others share it (ETH on Ethereum).
const HOME_CHAINS: &[&str] = &["ethereum"];

/// The small chain badge: the native symbol (`ETH`, `BTC`, `TRX`), or for chains sharing a
/// native symbol with another (rollups paying in ETH) a short name (`ARB`, `OP`, `BASE`).
#[must_use]
pub fn chain_badge(chain: &str) -> String {
    let reg = registry();
    let Ok(c) = reg.chain(chain) else {
        return chain.chars().take(4).collect::<String>().to_uppercase();
    };
    let shared =
        reg.chain_ids().iter().filter_map(|id| reg.chain(id).ok()).any(|o| o.id != c.id && o.native == c.native);
    if !shared || HOME_CHAINS.contains(&c.id.as_str()) {
        return c.native.clone();
    }
    let word = c.name.split_whitespace().next().unwrap_or(&c.id);
    let short: String = if word.chars().count() <= 4 { word.to_owned() } else { word.chars().take(3).collect() };
    short.to_uppercase()
}

/// The chain of a node, if it has one.
#[must_use]
pub fn node_chain(key: &NodeKey) -> Option<&str> {
    match key {
        NodeKey::Address { chain, .. } | NodeKey::Tx { chain, .. } => Some(chain),
        NodeKey::Aggregate(_) => None,
    }
}

/// What "Copy address" copies: the address, or a transaction's hash.
#[must_use]
pub fn copy_text(key: &NodeKey) -> Option<String> {
    match key {
        NodeKey::Address { address, .. } => Some(address.clone()),
        NodeKey::Tx { hash, .. } => Some(hash.clone()),
        NodeKey::Aggregate(_) => None,
    }
}

/// The explorer URL of a node from the registry's templates (copied as text, never opened).
#[must_use]
pub fn explorer_url(key: &NodeKey) -> Option<String> {
    let reg = registry();
    match key {
        NodeKey::Address { chain, address } => {
            reg.chain(chain).ok().map(|c| c.address_url.replace("{address}", address))
        }
        NodeKey::Tx { chain, hash } => reg.chain(chain).ok().map(|c| c.tx_url.replace("{tx}", hash)),
        NodeKey::Aggregate(_) => None,
    }
}

/// `mixer · Tornado Cash 55%`, `bridge · Wormhole 80%`, `peel chain · 70%`; addresses in the
/// name shortened (`mixer · Tornado-style pool 0x3da7…412b 55%`).
#[must_use]
pub fn hop_label(hop: &Hop) -> String {
    let kind = hop.kind.name().replace('_', " ");
    let service = match &hop.kind {
        HopKind::Mixer { service, pool: Some(pool) } => format!("{service} {pool}"),
        other => other.service().unwrap_or_default().to_owned(),
    };
    // An address or hash in the name (a pool named by its contract) is shortened: the label
    // sits on the canvas and must not run across it.
    let words: Vec<String> =
        service.split(' ').map(|w| if w.chars().count() > 24 { short_address(w) } else { w.to_owned() }).collect();
    let service = words.join(" ");
    if service.is_empty() {
        format!("{kind} · {}%", hop.confidence)
    } else {
        format!("{kind} · {service} {}%", hop.confidence)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{Amount, HopStatus};

    #[test]
    fn assets_resolve_through_the_registry() {
        let eth = asset_info("ethereum", "ETH");
        assert_eq!((eth.decimals, eth.native), (Some(18), true));
        let usdt = asset_info("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
        assert_eq!((usdt.symbol.as_str(), usdt.decimals), ("USDT", Some(6)));
        assert_eq!(asset_info("ethereum", "symbol:USDC").decimals, Some(6));
        let odd = asset_info("ethereum", "0x1111111111111111111111111111111111111111");
        assert_eq!((odd.symbol.as_str(), odd.decimals), ("0x1111…1111", None));
        assert_eq!(format_amount(Amount::from_u128(1_500_000), &usdt), "1.5 USDT");
        assert_eq!(format_amount(Amount::from_u128(42), &odd), "42 base units of 0x1111…1111");
        assert!((display_value(Amount::from_u128(2_500_000_000), Some(8)) - 25.0).abs() < 1e-9);
        let six = format!("6{}", "0".repeat(76)).parse::<Amount>().unwrap_or_default();
        let sum = Total::sum([six, six, six]);
        let eth = asset_info("ethereum", "ETH");
        assert_eq!(format_amount(sum, &eth), format!("18{} ETH", "0".repeat(58)));
    }

    #[test]
    fn the_zero_address_is_mint_and_burn() {
        let zero = NodeKey::address("ethereum", ZERO_ADDRESS);
        assert!(is_mint_burn(&zero));
        assert!(!is_mint_burn(&NodeKey::address("ethereum", "0x0000000000000000000000000000000000000001")));
        let node = GraphNode {
            key: zero,
            view: crate::case::NodeView::default(),
            seed: false,
            labels: Vec::new(),
            case_labels: Vec::new(),
            category: crate::model::Category::Unknown,
            aggregate: None,
        };
        assert_eq!(node_label(&node), MINT_BURN_TITLE);
        let mut t = Transfer {
            chain: "ethereum".into(),
            tx_hash: "0xab".into(),
            kind: crate::model::TransferKind::Token,
            position: Some(0),
            block: None,
            time: None,
            from: Some(ZERO_ADDRESS.into()),
            to: Some("0x1111111111111111111111111111111111111111".into()),
            asset: "0x2222222222222222222222222222222222222222".into(),
            amount_base: Amount::from_u128(5),
            fee_base: None,
            failed: false,
            prev_out: None,
            line: 2,
            method: None,
            stated_usd: None,
        };
        assert_eq!(mint_or_burn(&t), Some("minted"));
        std::mem::swap(&mut t.from, &mut t.to);
        assert_eq!(mint_or_burn(&t), Some("burned"));
        t.to = Some("0x3333333333333333333333333333333333333333".into());
        assert_eq!(mint_or_burn(&t), None);
    }

    #[test]
    fn times_are_iso_8601_utc() {
        assert_eq!(iso_time(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(transfer_time(Some(1_700_000_000), Some(5)), "2023-11-14T22:13:20Z");
        assert_eq!(transfer_time(None, Some(17_173_049)), "time unknown (block 17173049)");
        assert_eq!(transfer_time(None, None), "time unknown");
    }

    #[test]
    fn badges_and_short_addresses() {
        assert_eq!(chain_badge("ethereum"), "ETH");
        assert_eq!(chain_badge("bitcoin"), "BTC");
        assert_eq!(chain_badge("tron"), "TRX");
        assert_eq!(chain_badge("arbitrum"), "ARB");
        assert_eq!(chain_badge("optimism"), "OP");
        assert_eq!(short_address("0x1234567890abcdef1234567890abcdef1234abcd"), "0x1234…abcd");
        assert_eq!(short_address("short"), "short");
        let key = NodeKey::address("ethereum", "0xabc");
        assert_eq!(explorer_url(&key).as_deref(), Some("https://etherscan.io/address/0xabc"));
        assert_eq!(copy_text(&key).as_deref(), Some("0xabc"));
        assert_eq!(explorer_url(&NodeKey::Aggregate(1)), None);
    }

    #[test]
    fn hop_labels_name_kind_service_and_confidence() {
        let hop = Hop {
            kind: HopKind::Mixer { service: "Tornado Cash".into(), pool: None },
            inbound: vec![1],
            outbound: vec![2],
            confidence: 55,
            rationale: String::new(),
            features: BTreeMap::new(),
            status: HopStatus::Suggested,
            author: "t".into(),
            time: 0,
        };
        assert_eq!(hop_label(&hop), "mixer · Tornado Cash 55%");
        let peel = Hop { kind: HopKind::PeelChain, confidence: 70, ..hop };
        assert_eq!(hop_label(&peel), "peel chain · 70%");
        let pool = Hop {
            kind: HopKind::Mixer {
                service: "Tornado-style pool".into(),
                pool: Some("0x3da733d4a1f0e7ebb3e71108458838f7186c412b".into()),
            },
            ..peel.clone()
        };
        assert_eq!(hop_label(&pool), "mixer · Tornado-style pool 0x3da7…412b 70%");
        assert_eq!(aggregate_text(12, false), "+12 more");
        assert_eq!(aggregate_text(5000, true), "≥5000 more");
    }
}

/// A hop's feature in words: its name and its value as a reader wants it ("Denomination",
/// "100 ETH"; "Fee", "0.30%"; "Delay", "51 h"), with units converted exactly. `amount`
/// formats a count of base units of the hop's asset (the inbound side's) for the features
/// that are such amounts. Unknown features keep their value, the name in words.
#[must_use]
pub fn feature_text(key: &str, value: &str, amount: &dyn Fn(&str) -> Option<String>) -> (String, String) {
    let sats = |v: &str| {
        crate::model::Amount::parse_base_units(v).map(|a| format!("{} BTC", a.format_units(8))).unwrap_or(v.to_owned())
    };
    // Basis points (1/100 of a percent) as a percentage, exactly.
    let bps = |v: &str| match v.parse::<u64>() {
        Ok(b) => format!("{}.{:02}%", b / 100, b % 100),
        Err(_) => v.to_owned(),
    };
    let (name, shown) = match key {
        "denomination_base_units" => ("Denomination", amount(value).unwrap_or_else(|| value.to_owned())),
        "relayer_fee_base_units" => ("Relayer fee", amount(value).unwrap_or_else(|| value.to_owned())),
        "withdrawal_fee" | "deposit_fee" => (
            if key == "withdrawal_fee" { "Withdrawal fee" } else { "Deposit fee" },
            amount(value).unwrap_or_else(|| value.to_owned()),
        ),
        "fee_sats" => ("Fee", sats(value)),
        "peel_sats" => ("Peeled off", sats(value)),
        "change_sats" => ("Change", sats(value)),
        "input_sats" => ("Input", sats(value)),
        "rate_sat_per_eth" => ("Rate", format!("{} BTC per ETH", sats(value).trim_end_matches(" BTC"))),
        "fee_whole_bps" => ("Fee", bps(value)),
        "peel_share_bp" => ("Peeled share", bps(value)),
        "delay_hours" => ("Delay", format!("{value} h")),
        "gap_hours" => ("Gap", format!("{value} h")),
        "hand_over_hours" => ("Handed over after", format!("{value} h")),
        "finder" => ("Found by", format!("the {value} finder")),
        "rank" => ("Rank among candidates", value.to_owned()),
        "rejected_because" => ("Rejected because", value.to_owned()),
        "replaced_by" => ("Replaced by", format!("hop #{value}")),
        "time_order_override" => ("Time order overridden because", value.to_owned()),
        _ => {
            let mut words = key.replace('_', " ");
            if let Some(first) = words.get(..1) {
                words.replace_range(..1, &first.to_uppercase());
            }
            return (words, value.to_owned());
        }
    };
    (name.to_owned(), shown)
}

#[cfg(test)]
mod feature_tests {
    use super::feature_text;

    #[test]
    fn features_read_as_words_with_their_units() {
        let eth =
            |v: &str| crate::model::Amount::parse_base_units(v).ok().map(|a| format!("{} ETH", a.format_units(18)));
        let f = |k: &str, v: &str| feature_text(k, v, &eth);
        assert_eq!(f("denomination_base_units", "100000000000000000000"), ("Denomination".into(), "100 ETH".into()));
        assert_eq!(f("fee_whole_bps", "30"), ("Fee".into(), "0.30%".into()));
        assert_eq!(f("fee_whole_bps", "188"), ("Fee".into(), "1.88%".into()));
        assert_eq!(f("fee_sats", "53844"), ("Fee".into(), "0.00053844 BTC".into()));
        assert_eq!(f("rate_sat_per_eth", "6915476"), ("Rate".into(), "0.06915476 BTC per ETH".into()));
        assert_eq!(f("delay_hours", "51"), ("Delay".into(), "51 h".into()));
        assert_eq!(f("change_same_script", "yes"), ("Change same script".into(), "yes".into()));
        // A value that is not what the key promises is shown as it is.
        assert_eq!(f("fee_whole_bps", "n/a"), ("Fee".into(), "n/a".into()));
    }
}
