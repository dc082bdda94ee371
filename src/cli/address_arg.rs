//! Address arguments: every subcommand argument that names an address is checked against the
//! address syntax of its chain ([`hoptrace::model::Registry::address_argument`]) before
//! anything is looked up, so a mistyped address is refused with what a valid one looks like,
//! never traced as an address with no transfers. Where no chain is named, the chains are the
//! ones the ledger has the address on among those whose syntax fits; none is ever guessed.

use anyhow::bail;
use hoptrace::ledger::Ledger;
use hoptrace::model::registry;

/// `text` (given as `flag`) as an address of `chain`, or of every chain whose syntax fits it
/// when no chain is named: `(chain, canonical address)` pairs.
///
/// # Errors
/// The text is not an address of the chain named, or of any chain.
pub fn syntax(flag: &str, text: &str, chain: Option<&str>) -> anyhow::Result<Vec<(String, String)>> {
    registry().address_argument(text, chain).map_err(|e| anyhow::anyhow!("{flag}: {e}"))
}

/// `text` (given as `flag`) as an address of `chain`.
///
/// # Errors
/// The chain is unknown or the text is not one of its addresses.
pub fn on_chain(flag: &str, text: &str, chain: &str) -> anyhow::Result<String> {
    let mut found = syntax(flag, text, Some(chain))?;
    match found.pop() {
        Some((_, address)) => Ok(address),
        None => bail!("{flag}: {text:?} is not a {chain} address"),
    }
}

/// The one canonical spelling of `text` on every chain its syntax fits (the syntaxes do not
/// overlap: an EVM address is the same on every EVM chain).
///
/// # Errors
/// The text is not an address of any chain.
pub fn canonical(flag: &str, text: &str) -> anyhow::Result<String> {
    let found = syntax(flag, text, None)?;
    match found.first() {
        Some((_, address)) => Ok(address.clone()),
        None => bail!("{flag}: {text:?} is not an address"),
    }
}

/// `text` (given as `flag`) as an address of `chain`, or, with no chain named, of the chains
/// the ledger has it on among those whose syntax fits it.
///
/// # Errors
/// Malformed for the chain (or every chain); no chain named and no transfer of it in the
/// ledger on any chain that fits (the message names them and says to pass --chain `then`).
pub fn in_ledger(
    ledger: &impl Ledger,
    flag: &str,
    text: &str,
    chain: Option<&str>,
    then: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let fits = syntax(flag, text, chain)?;
    if chain.is_some() {
        return Ok(fits);
    }
    let Some((_, address)) = fits.first() else { bail!("{flag}: {text:?} is not an address") };
    let active = ledger.address_summary(address)?.chains;
    let found: Vec<(String, String)> = fits.iter().filter(|(c, _)| active.contains(c)).cloned().collect();
    if !found.is_empty() {
        return Ok(found);
    }
    let ids: Vec<&str> = fits.iter().map(|(c, _)| c.as_str()).collect();
    match ids.as_slice() {
        [one] => bail!("{flag} {address}: has no transfers in the ledger on {one} (pass --chain {one} {then})"),
        many => bail!(
            "{flag} {address}: has no transfers in the ledger on any chain whose addresses look like it ({}): \
             pass --chain with one of them {then}",
            many.join(", ")
        ),
    }
}
