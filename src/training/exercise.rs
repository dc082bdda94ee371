//! Exercises: questions about a training case whose answers come from its ground truth (when
//! the case is generated, never typed by hand) and are checked by comparing normalised values:
//! addresses by their chain's rules (EVM case-insensitive, Bitcoin and Tron exact), transaction
//! hashes case-insensitively with or without `0x`, amounts exactly in base units (or in
//! display units with the asset's symbol), hop kinds and chains by name.

use serde::{Deserialize, Serialize};

use crate::model::{Amount, registry};

/// The expected answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// An address on a chain.
    Address {
        /// Chain id.
        chain: String,
        /// The address, normalised.
        address: String,
    },
    /// A transaction hash.
    TxHash {
        /// Chain id.
        chain: String,
        /// The hash as the ledger spells it.
        hash: String,
    },
    /// An exact amount.
    Amount {
        /// Chain id.
        chain: String,
        /// Asset key (native symbol or token contract).
        asset: String,
        /// Base units, as a decimal string.
        base_units: String,
    },
    /// A hop kind (`mixer`, `bridge`, `swap`, `cash_out`, `peel_chain`).
    HopKind(String),
    /// A whole number (how many addresses, deposits, chains …).
    Count(u64),
    /// A chain id.
    Chain(String),
}

/// A question with its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exercise {
    /// Stable id (`q1`, `bridge-recipient`).
    pub id: String,
    /// The question.
    pub question: String,
    /// The expected answer.
    pub answer: Answer,
    /// Why that is the answer: shown after checking.
    pub explanation: String,
}

/// The result of checking an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Right or wrong.
    pub correct: bool,
    /// What was compared and why the answer is what it is.
    pub explanation: String,
}

fn norm_hash(text: &str) -> String {
    let t = text.trim().to_ascii_lowercase();
    t.strip_prefix("0x").map(str::to_owned).unwrap_or(t)
}

/// `given` as base units of `asset` on `chain`: plain digits are base units; a number followed
/// by the asset's symbol (`12.5 ETH`) is display units of the registry's decimals.
fn parse_amount(chain: &str, asset: &str, given: &str) -> Result<Amount, String> {
    let t = given.trim().replace('_', "");
    if let Some((number, symbol)) = t.split_once(char::is_whitespace) {
        let reg = registry();
        let decimals = reg
            .chain(chain)
            .ok()
            .filter(|c| c.native == asset && c.native.eq_ignore_ascii_case(symbol.trim()))
            .map(|c| c.decimals)
            .or_else(|| {
                reg.token(chain, asset).filter(|k| k.symbol.eq_ignore_ascii_case(symbol.trim())).map(|k| k.decimals)
            })
            .ok_or_else(|| format!("{:?} is not the unit of this asset", symbol.trim()))?;
        return Amount::parse_decimal(number, decimals).map_err(|e| e.to_string());
    }
    Amount::parse_base_units(&t).map_err(|e| format!("{e} (give base units, or a number and the asset's symbol)"))
}

fn hop_kind_name(text: &str) -> String {
    let t = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match t.as_str() {
        "cashout" => "cash_out".to_owned(),
        "peel" | "peelchain" => "peel_chain".to_owned(),
        _ => t,
    }
}

/// Checks `given` against the exercise's answer (see the module docs for the comparison).
#[must_use]
pub fn check(exercise: &Exercise, given: &str) -> Verdict {
    let (correct, expected, note) = match &exercise.answer {
        Answer::Address { chain, address } => match registry().normalize_address(chain, given) {
            Ok(a) => (a == *address, format!("{address} on {chain}"), String::new()),
            Err(e) => (false, format!("{address} on {chain}"), format!(" Your answer is not an address there: {e}.")),
        },
        Answer::TxHash { chain, hash } => {
            (norm_hash(given) == norm_hash(hash), format!("transaction {hash} on {chain}"), String::new())
        }
        Answer::Amount { chain, asset, base_units } => {
            let display = Amount::parse_base_units(base_units)
                .map(|a| registry().display_amount(chain, asset, a))
                .unwrap_or_else(|_| base_units.clone());
            let expected = format!("{base_units} base units ({display})");
            match (parse_amount(chain, asset, given), Amount::parse_base_units(base_units)) {
                (Ok(g), Ok(want)) => (g == want, expected, String::new()),
                (Err(e), _) => (false, expected, format!(" Could not read your amount: {e}.")),
                (_, Err(e)) => (false, expected, format!(" The stored answer is unreadable: {e}.")),
            }
        }
        Answer::HopKind(kind) => (hop_kind_name(given) == hop_kind_name(kind), format!("a {kind} hop"), String::new()),
        Answer::Count(n) => (given.trim().replace(',', "").parse::<u64>() == Ok(*n), n.to_string(), String::new()),
        Answer::Chain(c) => (given.trim().eq_ignore_ascii_case(c), c.clone(), String::new()),
    };
    // A wrong answer does not give the right one away: the trainee tries again, or asks for it
    // ([`reveal`]).
    let explanation = if correct {
        format!("Correct: the answer is {expected}. {}", exercise.explanation)
    } else {
        format!("Not quite.{note} Try again, or show the answer.")
    };
    Verdict { correct, explanation }
}

/// The exercise's answer and why, for a trainee who asks for it.
#[must_use]
pub fn reveal(exercise: &Exercise) -> String {
    let expected = match &exercise.answer {
        Answer::Address { chain, address } => format!("{address} on {chain}"),
        Answer::TxHash { chain, hash } => format!("transaction {hash} on {chain}"),
        Answer::Amount { chain, asset, base_units } => {
            let display = Amount::parse_base_units(base_units)
                .map(|a| registry().display_amount(chain, asset, a))
                .unwrap_or_else(|_| base_units.clone());
            format!("{display} ({base_units} base units)")
        }
        Answer::HopKind(kind) => format!("a {kind} hop"),
        Answer::Count(n) => n.to_string(),
        Answer::Chain(c) => c.clone(),
    };
    format!("The answer is {expected}. {}", exercise.explanation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(answer: Answer) -> Exercise {
        Exercise { id: "q".to_owned(), question: "?".to_owned(), answer, explanation: "because".to_owned() }
    }

    #[test]
    fn answers_compare_normalised() {
        let a = ex(Answer::Address {
            chain: "ethereum".to_owned(),
            address: "0xa160cdab225685da1d56aa342ad8841c3b53f291".to_owned(),
        });
        assert!(check(&a, " 0xA160cdAB225685dA1d56aa342Ad8841c3b53f291 ").correct);
        assert!(!check(&a, "0xA160cdAB225685dA1d56aa342Ad8841c3b53f290").correct);
        assert!(check(&a, "not an address").explanation.contains("not an address"));
        // A wrong answer does not give the right one away; reveal does.
        let wrong = check(&a, "0xA160cdAB225685dA1d56aa342Ad8841c3b53f290").explanation;
        assert!(!wrong.to_lowercase().contains("a160cdab225685da1d56aa342ad8841c3b53f291"), "{wrong}");
        assert!(reveal(&a).starts_with("The answer is 0xa160cdab225685da1d56aa342ad8841c3b53f291 on ethereum."));
        let b = ex(Answer::Address {
            chain: "bitcoin".to_owned(),
            address: "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ".to_owned(),
        });
        assert!(!check(&b, "1pkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ").correct);
        let amount = ex(Answer::Amount {
            chain: "ethereum".to_owned(),
            asset: "ETH".to_owned(),
            base_units: "1500000000000000000".to_owned(),
        });
        assert!(check(&amount, "1500000000000000000").correct);
        assert!(check(&amount, "1.5 ETH").correct);
        assert!(check(&amount, "1.5 eth").correct);
        assert!(!check(&amount, "1.5").correct);
        assert!(!check(&amount, "1.5 BTC").correct);
        assert!(!check(&amount, "1500000000000000001").correct);
        let tx = ex(Answer::TxHash { chain: "bitcoin".to_owned(), hash: "ab".repeat(32) });
        assert!(check(&tx, &format!("0x{}", "AB".repeat(32))).correct);
        assert!(check(&ex(Answer::HopKind("cash_out".to_owned())), "Cash-out").correct);
        assert!(check(&ex(Answer::Count(10_000)), "10,000").correct);
        assert!(!check(&ex(Answer::Count(3)), "4").correct);
        assert!(check(&ex(Answer::Chain("polygon".to_owned())), "Polygon").correct);
    }
}
