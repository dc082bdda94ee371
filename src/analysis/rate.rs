//! Asset families and exchange rates for the bridge/swap finder.
//!
//! A *family* is one asset across chains and its wrapped or pegged forms: ETH and WETH, BTC,
//! WBTC and BTCB, the US dollar stablecoins (USDT, USDC, DAI, BUSD, TUSD), and so on. Within a
//! family the rate is 1 display unit for 1 (decimals converted exactly).
//!
//! Between families (ETH → BTC) the rate is, in this order:
//! 1. **given** by the investigator (`Settings::rates`, units of the target per unit of the
//!    source, a decimal string);
//! 2. **confirmed**: the total out over the total in of the case's accepted hops between the
//!    same two assets;
//! 3. **inferred** from the data: the implied rate (out ÷ in) of every deposit/release pair
//!    in the window is computed, and the densest band of width 2 × tolerance is taken; its
//!    median is the rate. True pairs agree (same market rate less a small fee) while chance
//!    pairs scatter, so the densest band is the market. At least two pairs must agree; else no
//!    rate is assumed and cross-asset candidates are not suggested. O(p log p) for p pairs.
//!
//! Rates are exact fractions of base units (`num / den`), never floating point.

use ethnum::U256;

use super::candidate::{decimals, show, symbol};
use crate::model::Amount;

/// The family of an asset (`ETH`, `BTC`, `USD`, or the symbol itself).
#[must_use]
pub fn family(chain: &str, asset: &str) -> String {
    let sym = symbol(chain, asset).to_ascii_uppercase();
    let fam = match sym.as_str() {
        "ETH" | "WETH" => "ETH",
        "BTC" | "WBTC" | "BTCB" | "TBTC" => "BTC",
        "USDT" | "USDC" | "DAI" | "BUSD" | "TUSD" | "USDC.E" | "USDT.E" | "USDT0" => "USD",
        "BNB" | "WBNB" => "BNB",
        "POL" | "MATIC" | "WMATIC" | "WPOL" => "POL",
        "AVAX" | "WAVAX" => "AVAX",
        "TRX" | "WTRX" => "TRX",
        "FTM" | "WFTM" => "FTM",
        other => other,
    };
    fam.to_owned()
}

/// Where a rate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateSource {
    /// Same family: one for one.
    SameFamily,
    /// Given by the investigator.
    Given,
    /// From this many accepted hops of the case.
    Confirmed(usize),
    /// From the data: `agree` of `pairs` deposit/release pairs within the band.
    Inferred {
        /// Pairs within the densest band.
        agree: usize,
        /// Pairs looked at.
        pairs: usize,
    },
}

/// Base units out per base unit in, as `num / den`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    /// Numerator.
    pub num: U256,
    /// Denominator (non-zero).
    pub den: U256,
    /// Where it comes from.
    pub source: RateSource,
}

fn pow10(d: u8) -> U256 {
    U256::from(10u8).pow(u32::from(d))
}

impl Rate {
    /// One display unit for one, between assets of `in_decimals` and `out_decimals`.
    #[must_use]
    pub fn same_family(in_decimals: u8, out_decimals: u8) -> Self {
        Rate { num: pow10(out_decimals), den: pow10(in_decimals), source: RateSource::SameFamily }
    }

    /// `text` units out per unit in (`"0.0685"`), exact; `None` if it is not a decimal of at
    /// most `out_decimals` places or is zero.
    #[must_use]
    pub fn given(text: &str, in_decimals: u8, out_decimals: u8) -> Option<Self> {
        let per_unit = Amount::parse_decimal(text, out_decimals).ok()?;
        (per_unit.0 > U256::ZERO).then(|| Rate { num: per_unit.0, den: pow10(in_decimals), source: RateSource::Given })
    }

    /// `out / in` (both non-zero).
    #[must_use]
    pub fn ratio(out: Amount, input: Amount, source: RateSource) -> Option<Self> {
        (out.0 > U256::ZERO && input.0 > U256::ZERO).then_some(Rate { num: out.0, den: input.0, source })
    }

    /// `amount × num / den`, rounded down (saturating).
    #[must_use]
    pub fn apply(&self, amount: Amount) -> Amount {
        match amount.0.checked_mul(self.num) {
            Some(p) => Amount(p / self.den),
            None => Amount((amount.0 / self.den).saturating_mul(self.num)),
        }
    }

    /// `1 ETH = 0.0685 BTC (inferred: 5 of 7 pairs agree)`.
    #[must_use]
    pub fn describe(&self, in_chain: &str, in_asset: &str, out_chain: &str, out_asset: &str) -> String {
        let one = Amount(pow10(decimals(in_chain, in_asset).unwrap_or(18)));
        let source = match &self.source {
            RateSource::SameFamily => "same asset family".to_owned(),
            RateSource::Given => "given".to_owned(),
            RateSource::Confirmed(n) => format!("from {n} accepted hop(s) of the case"),
            RateSource::Inferred { agree, pairs } => {
                format!("inferred: {agree} of {pairs} deposit/release pairs in the window agree")
            }
        };
        format!("1 {} = {} ({source})", symbol(in_chain, in_asset), show(out_chain, out_asset, self.apply(one)))
    }
}

/// `a/b < c/d` for positive fractions.
fn less(a: (U256, U256), c: (U256, U256)) -> bool {
    a.0.saturating_mul(c.1) < c.0.saturating_mul(a.1)
}

/// The densest band of implied rates `(out, in)` (see the module docs): its median, with how
/// many pairs fall in it. `None` with fewer than two agreeing pairs.
#[must_use]
pub fn infer(mut implied: Vec<(Amount, Amount)>, tolerance_bps: u32) -> Option<Rate> {
    implied.retain(|(o, i)| o.0 > U256::ZERO && i.0 > U256::ZERO);
    let mut r: Vec<(U256, U256)> = implied.iter().map(|(o, i)| (o.0, i.0)).collect();
    r.sort_by(|a, b| {
        if less(*a, *b) {
            std::cmp::Ordering::Less
        } else if less(*b, *a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    let width = U256::from(10_000u32 + 2 * tolerance_bps);
    let (mut best, mut best_at) = (0usize, 0usize);
    let mut j = 0usize;
    for i in 0..r.len() {
        let Some(lo) = r.get(i).copied() else { break };
        j = j.max(i);
        // r_j <= r_i × (1 + 2·tol): out_j · in_i · 10000 <= out_i · in_j · width.
        while let Some(x) = r.get(j) {
            let lhs = x.0.saturating_mul(lo.1).saturating_mul(U256::from(10_000u32));
            let rhs = lo.0.saturating_mul(x.1).saturating_mul(width);
            if lhs > rhs {
                break;
            }
            j += 1;
        }
        if j - i > best {
            best = j - i;
            best_at = i;
        }
    }
    if best < 2 {
        return None;
    }
    let (num, den) = r.get(best_at + best / 2).copied()?;
    Some(Rate { num, den, source: RateSource::Inferred { agree: best, pairs: r.len() } })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETH: u128 = 1_000_000_000_000_000_000;

    #[test]
    fn families_and_same_family_rates() {
        assert_eq!(family("ethereum", "ETH"), "ETH");
        assert_eq!(family("bitcoin", "BTC"), "BTC");
        let usdt_tron = crate::model::registry().token("tron", "USDT").map(|t| t.contract.clone());
        if let Some(c) = usdt_tron {
            assert_eq!(family("tron", &c), "USD");
        }
        let r = Rate::same_family(18, 8);
        assert_eq!(r.apply(Amount::from_u128(2 * ETH)), Amount::from_u128(200_000_000));
    }

    #[test]
    fn given_rate_is_exact() {
        let r = Rate::given("0.0685", 18, 8).unwrap_or_else(|| Rate::same_family(0, 0));
        assert_eq!(r.apply(Amount::from_u128(100 * ETH)), Amount::from_u128(685_000_000));
        assert_eq!(r.describe("ethereum", "ETH", "bitcoin", "BTC"), "1 ETH = 0.0685 BTC (given)");
        assert!(Rate::given("abc", 18, 8).is_none());
        assert!(Rate::given("0", 18, 8).is_none());
    }

    #[test]
    fn inference_takes_the_densest_band() {
        let a = |v: u128| Amount::from_u128(v);
        // Four pairs near 0.0685 BTC/ETH, three chance pairs far away.
        let pairs = vec![
            (a(685_000_000), a(100 * ETH)),
            (a(136_500_000), a(20 * ETH)),
            (a(34_300_000), a(5 * ETH)),
            (a(6_840_000), a(ETH)),
            (a(10_000_000), a(100 * ETH)),
            (a(500_000_000), a(ETH)),
            (a(90_000_000), a(20 * ETH)),
        ];
        let r = infer(pairs, 150).unwrap_or_else(|| Rate::same_family(0, 0));
        assert_eq!(r.source, RateSource::Inferred { agree: 4, pairs: 7 });
        let out = r.apply(a(10 * ETH)).0.as_u128();
        assert!((68_000_000..=69_000_000).contains(&out), "{out}");
        assert!(infer(vec![(a(1), a(2))], 150).is_none());
    }
}
