//! A finder's answer: a candidate hop with a score, a rationale that states its numbers, and
//! the numbers themselves as features; and the formatting every rationale shares (amounts in
//! display units through the registry, delays in hours, fees in basis points).

use std::collections::BTreeMap;

use ethnum::U256;
use serde::Serialize;

use super::FinderKind;
use crate::model::{Amount, Hop, HopKind, HopStatus, registry};

/// One suggestion: "these transfers in, those out, because …".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The finder that made it.
    pub finder: FinderKind,
    /// What it answers, for grouping (`deposit 1234`, `tx ab12…`, `address 0x…`).
    pub subject: String,
    /// Rank among the candidates for the same subject (1 = best).
    pub rank: usize,
    /// Kind and service of the hop.
    pub kind: HopKind,
    /// Ledger ids of the transfers going in.
    pub inbound: Vec<i64>,
    /// Ledger ids of the transfers coming out.
    pub outbound: Vec<i64>,
    /// 0–100.
    pub score: u8,
    /// Plain sentences stating the numbers.
    pub rationale: String,
    /// The numbers, by name.
    pub features: BTreeMap<String, String>,
}

impl Candidate {
    /// The candidate as a hop: status suggested, authored by the finder, confidence = score
    /// (the time is set when the hop is recorded).
    #[must_use]
    pub fn to_hop(&self) -> Hop {
        let mut features = self.features.clone();
        features.insert("finder".to_owned(), self.finder.name().to_owned());
        features.insert("rank".to_owned(), self.rank.to_string());
        Hop {
            kind: self.kind.clone(),
            inbound: self.inbound.clone(),
            outbound: self.outbound.clone(),
            confidence: self.score.min(100),
            rationale: self.rationale.clone(),
            features,
            status: HopStatus::Suggested,
            author: self.finder.author(),
            time: 0,
        }
    }
}

/// Sorts candidates best first (score, then subject and transfers for a stable order) and
/// numbers them within each subject.
pub fn rank(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.outbound.cmp(&b.outbound))
            .then_with(|| a.inbound.cmp(&b.inbound))
    });
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for c in candidates.iter_mut() {
        let n = seen.entry(c.subject.clone()).or_default();
        *n += 1;
        c.rank = *n;
    }
}

/// Sorts candidates best first, keeping the ranks a finder gave them.
pub fn sort_ranked(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.rank.cmp(&b.rank))
            .then_with(|| a.outbound.cmp(&b.outbound))
    });
}

/// `amount` of `asset` on `chain` in display units (`"99.7 ETH"`), exact.
#[must_use]
pub fn show(chain: &str, asset: &str, amount: Amount) -> String {
    registry().display_amount(chain, asset, amount)
}

/// Decimals of an asset from the registry (native or listed token), if known.
#[must_use]
pub fn decimals(chain: &str, asset: &str) -> Option<u8> {
    let reg = registry();
    reg.chain(chain)
        .ok()
        .filter(|c| c.native == asset)
        .map(|c| c.decimals)
        .or_else(|| reg.token(chain, asset).map(|t| t.decimals))
}

/// Symbol of an asset (`ETH`, `USDT`), or the key itself.
#[must_use]
pub fn symbol(chain: &str, asset: &str) -> String {
    let reg = registry();
    if reg.chain(chain).is_ok_and(|c| c.native == asset) {
        return asset.to_owned();
    }
    reg.token(chain, asset).map_or_else(|| asset.trim_start_matches("symbol:").to_owned(), |t| t.symbol.clone())
}

/// Seconds as hours with one decimal (`"26.5"`), rounded down.
#[must_use]
pub fn hours(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}.{}", s / 3600, s % 3600 * 10 / 3600)
}

/// `part / whole` in hundredths of a basis point (`3000` = 30.00 bps), rounded down; `None`
/// when `whole` is zero.
#[must_use]
pub fn centi_bps(part: Amount, whole: Amount) -> Option<u64> {
    if whole.0 == U256::ZERO {
        return None;
    }
    let v = part.0.checked_mul(U256::from(1_000_000u32)).map_or(U256::MAX, |x| x / whole.0);
    Some(u64::try_from(v).unwrap_or(u64::MAX))
}

/// Hundredths of a basis point as text (`"30.00"`).
#[must_use]
pub fn bps_text(centi: u64) -> String {
    format!("{}.{:02}", centi / 100, centi % 100)
}

/// `a − b`, or zero when `b > a`.
#[must_use]
pub fn minus(a: Amount, b: Amount) -> Amount {
    Amount(a.0.saturating_sub(b.0))
}

/// `amount × bps / 10000`, rounded down.
#[must_use]
pub fn fraction_bps(amount: Amount, bps: u32) -> Amount {
    Amount(amount.0.saturating_mul(U256::from(bps)) / U256::from(10_000u32))
}

/// A short form of an address or hash for rationales (`0x1234…abcd`).
#[must_use]
pub fn short(text: &str) -> String {
    let n = text.chars().count();
    if n <= 14 {
        return text.to_owned();
    }
    let head: String = text.chars().take(8).collect();
    let tail: String = text.chars().skip(n - 4).collect();
    format!("{head}…{tail}")
}

/// Clamps a score to 0–100.
#[must_use]
pub fn clamp_score(score: i64) -> u8 {
    u8::try_from(score.clamp(0, 100)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_is_exact() {
        assert_eq!(hours(95_400), "26.5");
        assert_eq!(hours(-5), "0.0");
        let d = Amount::from_u128(100_000_000_000_000_000_000);
        let fee = Amount::from_u128(300_000_000_000_000_000);
        assert_eq!(centi_bps(fee, d), Some(3000));
        assert_eq!(bps_text(3000), "30.00");
        assert_eq!(centi_bps(fee, Amount::ZERO), None);
        assert_eq!(show("ethereum", "ETH", minus(d, fee)), "99.7 ETH");
        assert_eq!(fraction_bps(d, 30), fee);
        assert_eq!(short("0x1234567890abcdef1234"), "0x123456…1234");
        assert_eq!(clamp_score(130), 100);
    }
}
