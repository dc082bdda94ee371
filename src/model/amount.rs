//! Exact token amounts: unsigned 256-bit integers of base units (wei, satoshi, sun).
//!
//! Amounts are never `f64`. Display strings are parsed digit by digit into base units, so
//! `"1,234.5"` ETH is exactly `1234500000000000000000` wei, and anything that cannot be
//! represented exactly (a sign, an exponent, more fractional digits than the asset has, more
//! than 2^256 − 1 base units) is refused with a reason.

use std::fmt;
use std::str::FromStr;

use ethnum::U256;
use serde::{Deserialize, Serialize};

/// An amount in base units of some asset; the asset (and its decimals) is kept beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub U256);

/// Why a string is not an exact amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Nothing to parse.
    #[error("empty amount")]
    Empty,
    /// A leading `-`.
    #[error("negative amount {0:?}: amounts are unsigned")]
    Negative(String),
    /// A leading `+`: refused like `-`, so every importer reads the same text the same way.
    #[error("signed amount {0:?}: amounts are written without a sign")]
    Signed(String),
    /// Scientific notation loses digits in spreadsheets and is never exact here.
    #[error("amount {0:?} uses an exponent; expected plain digits")]
    Exponent(String),
    /// A character that is not a digit (or an allowed separator).
    #[error("amount {0:?} is not a decimal number")]
    NotANumber(String),
    /// More fractional digits than the asset's decimals, not all zero.
    #[error("amount {text:?} has more than {decimals} decimal places (not exact in base units)")]
    TooPrecise {
        /// The text as given.
        text: String,
        /// The asset's decimals.
        decimals: u8,
    },
    /// Larger than 2^256 − 1 base units.
    #[error("amount {0:?} exceeds 2^256 - 1 base units")]
    Overflow(String),
}

impl Amount {
    /// Zero base units.
    pub const ZERO: Amount = Amount(U256::ZERO);

    /// Builds an amount from a `u128` number of base units.
    #[must_use]
    pub fn from_u128(v: u128) -> Self {
        Amount(U256::from(v))
    }

    /// Parses an integer number of base units (`"7400000000000000000"`), the form node RPCs and
    /// ETL exports use. Only ASCII digits are accepted.
    ///
    /// # Errors
    /// [`AmountError`] naming what was wrong with `text`.
    pub fn parse_base_units(text: &str) -> Result<Self, AmountError> {
        Self::parse_decimal(text, 0)
    }

    /// Parses a decimal display amount (`"1.5"`, `"1,234.000001"`) of an asset with `decimals`
    /// decimal places into exact base units. Comma thousands separators are accepted when they
    /// group the integer part by threes; trailing fractional zeros beyond `decimals` are
    /// accepted, any other extra digit is refused.
    ///
    /// # Errors
    /// [`AmountError`] naming what was wrong with `text`.
    pub fn parse_decimal(text: &str, decimals: u8) -> Result<Self, AmountError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(AmountError::Empty);
        }
        if t.starts_with('-') {
            return Err(AmountError::Negative(t.to_owned()));
        }
        if t.contains(['e', 'E']) && t.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) {
            return Err(AmountError::Exponent(t.to_owned()));
        }
        if t.starts_with('+') {
            return Err(AmountError::Signed(t.to_owned()));
        }
        let (int_part, frac_part) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        let int_digits = strip_thousands(int_part).ok_or_else(|| AmountError::NotANumber(t.to_owned()))?;
        if (int_digits.is_empty() && frac_part.is_empty())
            || !int_digits.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(AmountError::NotANumber(t.to_owned()));
        }
        let d = usize::from(decimals);
        let (frac_used, frac_rest) = frac_part.split_at(frac_part.len().min(d));
        if frac_rest.bytes().any(|b| b != b'0') {
            return Err(AmountError::TooPrecise { text: t.to_owned(), decimals });
        }
        let overflow = || AmountError::Overflow(t.to_owned());
        let mut acc = U256::ZERO;
        let ten = U256::from(10u8);
        let pad = d - frac_used.len();
        for b in int_digits.bytes().chain(frac_used.bytes()).chain(std::iter::repeat_n(b'0', pad)) {
            acc = acc.checked_mul(ten).and_then(|a| a.checked_add(U256::from(b - b'0'))).ok_or_else(overflow)?;
        }
        Ok(Amount(acc))
    }

    /// Big-endian 32 bytes: byte-wise order equals numeric order, which is how the ledger stores
    /// amounts so SQLite can compare and sort them exactly.
    #[must_use]
    pub fn to_be_bytes(self) -> [u8; 32] {
        self.0.to_be_bytes()
    }

    /// Inverse of [`Amount::to_be_bytes`]; `None` unless `bytes` is exactly 32 long.
    #[must_use]
    pub fn from_be_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(Amount(U256::from_be_bytes(arr)))
    }

    /// Sum, or `None` on overflow past 2^256 − 1.
    #[must_use]
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// Sum that saturates at 2^256 − 1: for heuristics comparing a few amounts (finders),
    /// NEVER for a total that is printed or exported — those are [`crate::model::Total`].
    #[must_use]
    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }

    /// Formats in display units with `decimals` places, trailing zeros trimmed: `1.5`, `0.000001`.
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

/// Removes `,` thousands separators (and the thin/normal spaces and apostrophes some locales
/// use) if they group by threes; `None` if separators are present but misplaced.
fn strip_thousands(int_part: &str) -> Option<String> {
    let is_sep = |c: char| matches!(c, ',' | '\'' | ' ' | '\u{a0}' | '\u{202f}');
    if !int_part.contains(is_sep) {
        return Some(int_part.to_owned());
    }
    let groups: Vec<&str> = int_part.split(is_sep).collect();
    let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
    let rest_ok = groups.iter().skip(1).all(|g| g.len() == 3);
    (first_ok && rest_ok).then(|| groups.concat())
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Amount {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_base_units(s)
    }
}

/// Serialised as a decimal string of base units, so no JSON/RON reader can round it.
impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str, d: u8) -> Result<String, AmountError> {
        Amount::parse_decimal(s, d).map(|a| a.to_string())
    }

    #[test]
    fn parses_exact_decimals() {
        assert_eq!(dec("1.5", 18).as_deref(), Ok("1500000000000000000"));
        assert_eq!(dec("1,234.000001", 6).as_deref(), Ok("1234000001"));
        assert_eq!(dec(".5", 1).as_deref(), Ok("5"));
        assert_eq!(dec("50.00000000", 8).as_deref(), Ok("5000000000"));
        assert_eq!(dec("2.50000", 2).as_deref(), Ok("250"));
        assert_eq!(dec("0", 18).as_deref(), Ok("0"));
    }

    #[test]
    fn refuses_inexact_or_malformed() {
        assert!(matches!(dec("1.001", 2), Err(AmountError::TooPrecise { .. })));
        assert!(matches!(dec("-1", 2), Err(AmountError::Negative(_))));
        assert!(matches!(dec("+15", 0), Err(AmountError::Signed(_))));
        assert!(matches!(dec("1e18", 0), Err(AmountError::Exponent(_))));
        assert!(matches!(dec("1.2E+3", 0), Err(AmountError::Exponent(_))));
        assert!(matches!(dec("12,34", 0), Err(AmountError::NotANumber(_))));
        assert!(matches!(dec("abc", 0), Err(AmountError::NotANumber(_))));
        assert!(matches!(dec(".", 0), Err(AmountError::NotANumber(_))));
        assert!(matches!(dec("", 0), Err(AmountError::Empty)));
    }

    #[test]
    fn holds_and_bounds_256_bits() {
        let max = U256::MAX.to_string();
        assert_eq!(dec(&max, 0).as_deref(), Ok(max.as_str()));
        let over = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
        assert!(matches!(dec(over, 0), Err(AmountError::Overflow(_))));
    }

    #[test]
    fn byte_order_is_numeric_order() {
        let a = Amount::from_u128(255);
        let b = Amount::from_u128(256);
        assert!(a.to_be_bytes() < b.to_be_bytes());
        assert_eq!(Amount::from_be_slice(&b.to_be_bytes()), Some(b));
    }

    #[test]
    fn formats_units() {
        assert_eq!(Amount::from_u128(1_500_000_000_000_000_000).format_units(18), "1.5");
        assert_eq!(Amount::from_u128(1).format_units(6), "0.000001");
        assert_eq!(Amount::from_u128(5_000_000_000).format_units(8), "50");
        assert_eq!(Amount::from_u128(42).format_units(0), "42");
    }
}
