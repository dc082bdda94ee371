//! Cell parsers of the Etherscan-family exports: amounts that carry their unit (`0.1 ETH`,
//! `"1,000 USDT"`), the `Status` text, the explorer's own `Value (USD)`, the `Token` cell
//! (`Name (SYMBOL)`), NFT token ids and the explorer's numeric chain ids.
//!
//! Every parser returns the value or the one [`Refusal`] of its row, naming the column as the
//! header wrote it, with a message of the form `found …: expected …`.

use super::super::Refusal;
use super::super::explorer_common as common;
use crate::model::{Amount, AmountError, Chain, registry};

/// The accepted `Status` forms, as refusals list them.
pub const STATUS_FORMS: &str =
    "Success, or a failure: Error in Main Txn : …, Error(…), Error, Fail, Failed, Revert, Reverted";

/// The registry chain of an EIP-155 chain id (`43114` → avalanche).
#[must_use]
pub fn chain_by_id(text: &str) -> Option<&'static Chain> {
    let id: u64 = text.trim().parse().ok()?;
    registry().chain_by_evm_id(id)
}

/// The registry chain a `Chain` cell names: its id (`avalanche`), its name (`Avalanche
/// C-Chain`), or a common short name (`BSC`, `BNB Chain`, `Avalanche`, `Arbitrum`, `Optimism`).
#[must_use]
pub fn chain_by_name(text: &str) -> Option<&'static Chain> {
    let t = text.trim().to_ascii_lowercase();
    let reg = registry();
    if let Some(c) = reg
        .chain_ids()
        .into_iter()
        .filter_map(|id| reg.chain(id).ok())
        .find(|c| c.id == t || c.name.eq_ignore_ascii_case(&t))
    {
        return Some(c);
    }
    let id = match t.as_str() {
        "eth" | "ethereum mainnet" => "ethereum",
        "bnb chain" | "bnb" | "binance smart chain" | "bsc mainnet" => "bsc",
        "avalanche" | "avax" | "avalanche c chain" => "avalanche",
        "arbitrum" | "arbitrum one" => "arbitrum",
        "optimism" | "op" => "optimism",
        "polygon" | "matic" | "polygon mainnet" => "polygon",
        "fantom" | "ftm" => "fantom",
        _ => return None,
    };
    reg.chain(id).ok()
}

/// Splits `0.1 ETH` into `("0.1", Some("ETH"))`; `0.1` into `("0.1", None)`.
#[must_use]
pub fn split_unit(text: &str) -> (&str, Option<&str>) {
    let t = text.trim();
    match t.split_once(char::is_whitespace) {
        Some((n, u)) if !u.trim().is_empty() => (n, Some(u.trim())),
        _ => (t, None),
    }
}

/// The unit of an amount cell, when it has one (`0.1 BNB` → `BNB`).
#[must_use]
pub fn unit_of(text: &str) -> Option<&str> {
    split_unit(text).1
}

/// Parses a display amount of `decimals` places; an exponent is refused with the advice to
/// re-export from the explorer (a spreadsheet rewrote `0.0000000000000007` as `7E-16`).
///
/// # Errors
/// A [`Refusal`] of `field`.
pub fn amount(text: &str, decimals: u8, unit: &str, line: u64, field: &str) -> Result<Amount, Refusal> {
    match Amount::parse_decimal(text, decimals) {
        Err(AmountError::Exponent(t)) => Err(Refusal::new(
            line,
            field,
            format!(
                "found {t:?}: expected plain digits, not scientific notation (a spreadsheet rewrote the \
                 number and lost digits): re-export from the explorer and import the downloaded file \
                 without opening it in a spreadsheet"
            ),
        )),
        _ => common::display_amount(text, decimals, unit, line, field),
    }
}

/// Parses an amount cell that may carry its unit (`0.1 ETH`): the unit, when present, must be
/// `unit` (case-insensitive; `matches` decides, e.g. MATIC for POL).
///
/// # Errors
/// A [`Refusal`] of `field` for a unit mismatch or a bad number.
pub fn amount_in(
    text: &str,
    decimals: u8,
    unit: &str,
    matches: impl Fn(&str) -> bool,
    line: u64,
    field: &str,
) -> Result<Amount, Refusal> {
    let (number, found) = split_unit(text);
    if let Some(u) = found.filter(|u| !matches(u)) {
        return Err(Refusal::new(line, field, format!("found {:?} in {u}: expected an amount in {unit}", text.trim())));
    }
    amount(number, decimals, unit, line, field)
}

/// Reads a `Status` cell: `false` for success, `true` for a failed transaction. `empty_ok`
/// accepts an empty cell as success (legacy exports leave it empty); `digits` accepts `0`/`1`
/// as success/error (legacy internal exports, `isError`).
///
/// # Errors
/// A [`Refusal`] listing the accepted forms.
pub fn status(text: Option<&str>, empty_ok: bool, digits: bool, line: u64, field: &str) -> Result<bool, Refusal> {
    let Some(s) = text else {
        return if empty_ok {
            Ok(false)
        } else {
            Err(Refusal::new(line, field, format!("empty: expected {STATUS_FORMS}")))
        };
    };
    let l = s.trim().to_ascii_lowercase();
    if l == "success" || l == "successful" {
        return Ok(false);
    }
    let failed = l.starts_with("error")
        || matches!(l.as_str(), "fail" | "failed" | "failure" | "revert" | "reverted")
        || l.starts_with("fail:")
        || l.starts_with("reverted:");
    if failed {
        return Ok(true);
    }
    if digits && (l == "0" || l == "1") {
        return Ok(l == "1");
    }
    Err(Refusal::new(line, field, format!("found {s:?}: expected {STATUS_FORMS}")))
}

/// Reads the explorer's own USD valuation (`$190,000.00`) as an exact decimal (`190000.00`);
/// `None` for an empty cell or `-`.
///
/// # Errors
/// A [`Refusal`] of `field` naming the expected form.
pub fn usd(text: Option<&str>, line: u64, field: &str) -> Result<Option<String>, Refusal> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty() && *t != "-") else { return Ok(None) };
    let bad = || Refusal::new(line, field, format!("found {t:?}: expected a US dollar value such as $190,000.00"));
    let digits = t.strip_prefix('$').unwrap_or(t).trim();
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let groups: Vec<&str> = int.split(',').collect();
    let grouped = groups.len() == 1
        || (groups.first().is_some_and(|g| (1..=3).contains(&g.len()))) && groups.iter().skip(1).all(|g| g.len() == 3);
    let int: String = groups.concat();
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !grouped || int.is_empty() || !all_digits(&int) || !all_digits(frac) || (digits.contains('.') && frac.is_empty())
    {
        return Err(bad());
    }
    Ok(Some(if frac.is_empty() { int } else { format!("{int}.{frac}") }))
}

/// Splits a `Token` cell `Tether USD (USDT)` into name and symbol.
///
/// # Errors
/// A [`Refusal`] of `field` when the cell is not `Name (SYMBOL)`.
pub fn token_cell(text: &str, line: u64, field: &str) -> Result<(String, String), Refusal> {
    let t = text.trim();
    let parsed = t.strip_suffix(')').and_then(|rest| {
        let open = rest.rfind('(')?;
        let (name, sym) = (rest.get(..open)?.trim(), rest.get(open + 1..)?.trim());
        (!sym.is_empty()).then(|| (name.to_owned(), sym.to_owned()))
    });
    parsed.ok_or_else(|| {
        Refusal::new(line, field, format!("found {t:?}: expected the token as Name (SYMBOL), e.g. Tether USD (USDT)"))
    })
}

/// Reads an NFT token id: a whole number below 2^256, returned without leading zeros.
///
/// # Errors
/// A [`Refusal`] of `field`.
pub fn token_id(text: &str, line: u64, field: &str) -> Result<String, Refusal> {
    let t = text.trim();
    match Amount::parse_base_units(t) {
        Ok(a) if t.bytes().all(|b| b.is_ascii_digit()) => Ok(a.to_string()),
        _ => Err(Refusal::new(line, field, format!("found {t:?}: expected a token id, a whole number such as 1234"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_statuses_usd_tokens() {
        assert_eq!(split_unit("0.1 ETH"), ("0.1", Some("ETH")));
        assert_eq!(split_unit(" 1,000 "), ("1,000", None));
        assert_eq!(usd(Some("$190,000.00"), 2, "V").ok().flatten().as_deref(), Some("190000.00"));
        assert_eq!(usd(Some("$0.5"), 2, "V").ok().flatten().as_deref(), Some("0.5"));
        assert_eq!(usd(Some("-"), 2, "V"), Ok(None));
        for bad in ["$1,00.00", "USD 5", "$-5", "$1.", "$1e5"] {
            assert!(usd(Some(bad), 2, "V").is_err(), "{bad}");
        }
        assert_eq!(status(Some("Error in Main Txn : out of gas"), false, false, 2, "S"), Ok(true));
        assert_eq!(status(Some("Error(0)"), false, false, 2, "S"), Ok(true));
        assert_eq!(status(Some("Reverted"), false, false, 2, "S"), Ok(true));
        assert_eq!(status(Some("Success"), false, false, 2, "S"), Ok(false));
        assert!(status(None, false, false, 2, "S").is_err());
        assert!(status(Some("1"), true, false, 2, "S").is_err());
        assert_eq!(status(Some("1"), true, true, 2, "S"), Ok(true));
        assert_eq!(
            token_cell("Binance-Peg BSC-USD (BSC-USD)", 2, "Token"),
            Ok(("Binance-Peg BSC-USD".to_owned(), "BSC-USD".to_owned()))
        );
        assert!(token_cell("USDT", 2, "Token").is_err());
        assert_eq!(token_id("007", 2, "TokenId"), Ok("7".to_owned()));
        assert!(token_id("1.5", 2, "TokenId").is_err());
        assert_eq!(chain_by_id("43114").map(|c| c.id.as_str()), Some("avalanche"));
        assert_eq!(chain_by_name("Avalanche C-Chain").map(|c| c.id.as_str()), Some("avalanche"));
        assert_eq!(chain_by_name("BSC").map(|c| c.id.as_str()), Some("bsc"));
        assert_eq!(chain_by_id("56").map(|c| c.id.as_str()), Some("bsc"));
        assert!(chain_by_id("999").is_none());
    }
}
