//! Exact sums of amounts: [`Total`], an unsigned 512-bit integer of base units.
//!
//! One [`Amount`] holds up to 2^256 − 1 base units, and real token contracts do mint amounts
//! near that bound (three transfers of 6×10^76 sum past it). A total of at most 2^256 such
//! amounts fits in 512 bits, so a total here never saturates, wraps or rounds: every total the
//! tool prints or exports (ledger-info, an edge, a "+N more" aggregate, taint figures) is a
//! `Total`, shown as an exact decimal and serialised as a decimal string of base units.

use std::fmt;
use std::str::FromStr;

use bnum::BUint;
use serde::{Deserialize, Serialize};

use super::Amount;

/// The integer type behind [`Total`]: 8 × 64 = 512 bits.
type U512 = BUint<8>;

/// An exact sum of amounts of one asset, in base units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Total(U512);

/// Why a string is not a total.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("total {0:?} is not an integer of base units below 2^512")]
pub struct TotalError(String);

impl Total {
    /// Zero base units.
    pub const ZERO: Total = Total(U512::ZERO);

    /// Adds `amount` exactly. A total of fewer than 2^256 amounts cannot overflow 512 bits;
    /// past that (never reached: ledgers count transfers in `u64`) it stops at the bound.
    pub fn add(&mut self, amount: Amount) {
        self.0 = self.0.saturating_add(widen(amount));
    }

    /// Adds another total exactly (same bound as [`Total::add`]).
    pub fn add_total(&mut self, other: Total) {
        self.0 = self.0.saturating_add(other.0);
    }

    /// The sum of `amounts`.
    #[must_use]
    pub fn sum<I: IntoIterator<Item = Amount>>(amounts: I) -> Total {
        let mut t = Total::ZERO;
        for a in amounts {
            t.add(a);
        }
        t
    }

    /// The total as one amount, when it fits in 256 bits.
    #[must_use]
    pub fn to_amount(self) -> Option<Amount> {
        let bytes = self.to_be_bytes();
        let (high, low) = bytes.split_at(32);
        if high.iter().any(|b| *b != 0) {
            return None;
        }
        Amount::from_be_slice(low)
    }

    /// `self − other` and its sign: `(difference, false)` when `self ≥ other`, else
    /// `(other − self, true)` (negative). Exact.
    #[must_use]
    pub fn signed_difference(self, other: Total) -> (Total, bool) {
        if self.0 >= other.0 { (Total(self.0 - other.0), false) } else { (Total(other.0 - self.0), true) }
    }

    /// Whether it is zero.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.0 == U512::ZERO
    }

    /// Big-endian 64 bytes.
    #[must_use]
    pub fn to_be_bytes(self) -> [u8; 64] {
        let mut out = [0u8; 64];
        for (i, digit) in self.0.digits().iter().enumerate() {
            let at = 64 - 8 * (i + 1);
            out[at..at + 8].copy_from_slice(&digit.to_be_bytes());
        }
        out
    }

    /// An approximate `f64` of display units, for drawing widths and colours only (never for
    /// money): `decimals` places, base units when unknown.
    #[must_use]
    pub fn approx_units(self, decimals: Option<u8>) -> f64 {
        let mut v = 0.0f64;
        for digit in self.0.digits().iter().rev() {
            v = v * 18_446_744_073_709_551_616.0 + *digit as f64;
        }
        v / 10f64.powi(i32::from(decimals.unwrap_or(0)))
    }

    /// Formats in display units with `decimals` places, trailing zeros trimmed: `1.5`,
    /// `0.000001`, exactly (as [`Amount::format_units`]).
    #[must_use]
    pub fn format_units(self, decimals: u8) -> String {
        let digits = self.0.to_string();
        let d = usize::from(decimals);
        if d == 0 {
            return digits;
        }
        let padded = if digits.len() <= d { format!("{}{digits}", "0".repeat(d + 1 - digits.len())) } else { digits };
        let (int, frac) = padded.split_at(padded.len() - d);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() { int.to_owned() } else { format!("{int}.{frac}") }
    }
}

/// An amount as a 512-bit integer.
fn widen(a: Amount) -> U512 {
    let (hi, lo) = a.0.into_words();
    (U512::from(hi) << 128u32) | U512::from(lo)
}

impl From<Amount> for Total {
    fn from(a: Amount) -> Self {
        Total(widen(a))
    }
}

impl fmt::Display for Total {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Total {
    type Err = TotalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TotalError(s.to_owned()));
        }
        U512::from_str_radix(t, 10).map(Total).map_err(|_| TotalError(s.to_owned()))
    }
}

/// Serialised as a decimal string of base units (as [`Amount`]), so case files written when
/// totals were amounts read back unchanged.
impl Serialize for Total {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Total {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(s: &str) -> Amount {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn sums_past_256_bits_exactly() {
        let six = format!("6{}", "0".repeat(76));
        let t = Total::sum([big(&six), big(&six), big(&six)]);
        assert_eq!(t.to_string(), format!("18{}", "0".repeat(76)));
        assert_eq!(t.to_amount(), None);
        assert_eq!(t.format_units(18), format!("18{}", "0".repeat(58)));
        let max = Amount(ethnum::U256::MAX);
        let two = Total::sum([max, max]);
        assert_eq!(two.to_string(), "231584178474632390847141970017375815706539969331281128078915168015826259279870");
    }

    #[test]
    fn formats_and_round_trips() {
        let t = Total::sum([Amount::from_u128(1_000_000_000_000_000_000), Amount::from_u128(500_000_000_000_000_000)]);
        assert_eq!(t.format_units(18), "1.5");
        assert_eq!(Total::from(Amount::from_u128(1)).format_units(6), "0.000001");
        assert_eq!(t.to_amount(), Some(Amount::from_u128(1_500_000_000_000_000_000)));
        assert_eq!("1500000000000000000".parse::<Total>(), Ok(t));
        assert!("-1".parse::<Total>().is_err());
        assert!("1.5".parse::<Total>().is_err());
        let json = serde_json::to_string(&t).unwrap_or_default();
        assert_eq!(json, "\"1500000000000000000\"");
        assert_eq!(serde_json::from_str::<Total>(&json).ok(), Some(t));
        assert!((t.approx_units(Some(18)) - 1.5).abs() < 1e-12);
        assert!(Total::ZERO.is_zero());
    }
}

/// An exact decimal amount (`"1234567.123456789"`, as [`Total::format_units`] writes it) made
/// easy to read: the whole part grouped by thousands, at most 4 decimals when it is 1 or more,
/// else 4 significant digits, rounded half up, and `≈ ` in front whenever digits were dropped
/// (the exact value is shown on hover and used in copies). Text that is not such a decimal is
/// returned unchanged.
#[must_use]
pub fn readable(exact: &str) -> String {
    let (int, frac) = exact.split_once('.').unwrap_or((exact, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return exact.to_owned();
    }
    let keep = if int.trim_start_matches('0').is_empty() {
        frac.bytes().position(|b| b != b'0').map_or(0, |lead| lead + 4)
    } else {
        4
    };
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes().take(keep)).map(|b| b - b'0').collect();
    let dropped = frac.len() > keep && frac.bytes().skip(keep).any(|b| b != b'0');
    if frac.as_bytes().get(keep).is_some_and(|&b| b >= b'5') {
        // Round half up, carrying leftwards (9.99996 → 10.0000).
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - frac.len().min(keep);
    let (w, f) = digits.split_at(split);
    let whole: String = w.iter().map(|d| char::from(b'0' + d)).collect();
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let f: String = f.iter().map(|d| char::from(b'0' + d)).collect();
    let f = f.trim_end_matches('0');
    let body = if f.is_empty() { grouped } else { format!("{grouped}.{f}") };
    if dropped { format!("≈ {body}") } else { body }
}

/// An amount text whose first word is the exact decimal (`"301.5894000001 ETH"`, as
/// [`super::Registry::display_amount`] and `graph::text::format_amount` write it) with that
/// number made [`readable`]; the rest is kept.
#[must_use]
pub fn readable_amount_text(exact: &str) -> String {
    match exact.split_once(' ') {
        Some((number, rest)) => format!("{} {rest}", readable(number)),
        None => readable(exact),
    }
}

#[cfg(test)]
mod readable_tests {
    use super::readable;

    #[test]
    fn amounts_are_grouped_rounded_and_marked_when_digits_are_dropped() {
        assert_eq!(readable("0"), "0");
        assert_eq!(readable("1.5"), "1.5");
        assert_eq!(readable("1234567"), "1,234,567");
        assert_eq!(readable("1234567.1234"), "1,234,567.1234");
        assert_eq!(readable("1234567.123456789"), "≈ 1,234,567.1235");
        assert_eq!(readable("99.7"), "99.7");
        assert_eq!(readable("301.589400000000000001"), "≈ 301.5894");
        assert_eq!(readable("0.000012345678"), "≈ 0.00001235");
        assert_eq!(readable("0.00001234"), "0.00001234");
        assert_eq!(readable("9.99996"), "≈ 10");
        assert_eq!(readable("999.99999"), "≈ 1,000");
        assert_eq!(readable("0.99999"), "≈ 1");
        assert_eq!(readable("123"), "123");
        // 10^41: 42 digits, 14 groups.
        assert_eq!(readable(&format!("1{}", "0".repeat(41))), format!("100{}", ",000".repeat(13)));
        // Not a plain decimal: unchanged.
        assert_eq!(readable("12 base units"), "12 base units");
        assert_eq!(readable("-1"), "-1");
    }
}
