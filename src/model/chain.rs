//! The chain registry (`assets/chains.ron`, built into the binary) and per-chain address rules.
//!
//! EVM addresses are compared case-insensitively and stored lower case; Bitcoin and Tron
//! base58check addresses are case-sensitive and their checksums are verified, so a mistyped
//! address is refused instead of silently creating a new node.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How a chain moves value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ChainModel {
    /// Accounts with balances (EVM chains, Tron): one transfer from → to.
    Account,
    /// Unspent outputs (Bitcoin): transactions with inputs and outputs.
    Utxo,
}

/// Which address syntax a chain uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum AddressRule {
    /// `0x` + 40 hex digits, case-insensitive.
    Evm,
    /// base58check P2PKH/P2SH or bech32/bech32m segwit.
    Bitcoin,
    /// base58check with version byte 0x41 (`T…`).
    Tron,
}

/// One chain of the registry.
#[derive(Debug, Clone, Deserialize)]
pub struct Chain {
    /// Stable identifier used in the ledger and case files (`ethereum`, `bitcoin`, `tron`).
    pub id: String,
    /// EIP-155 chain id of an EVM chain (1 Ethereum, 56 BNB Smart Chain), as exports write it.
    #[serde(default)]
    pub evm_chain_id: Option<u64>,
    /// Human name.
    pub name: String,
    /// Account or UTXO.
    pub model: ChainModel,
    /// Symbol of the native asset (`ETH`, `BTC`, `TRX`).
    pub native: String,
    /// Decimals of the native asset (18, 8, 6).
    pub decimals: u8,
    /// Address syntax.
    pub address: AddressRule,
    /// Explorer URL template for a transaction (`{tx}`), copied as text, never opened.
    pub tx_url: String,
    /// Explorer URL template for an address (`{address}`).
    pub address_url: String,
}

/// A token the registry knows (`assets/tokens.ron`).
#[derive(Debug, Clone, Deserialize)]
pub struct Token {
    /// Chain id.
    pub chain: String,
    /// Ticker as explorers print it.
    pub symbol: String,
    /// Contract address (normalised for the chain).
    pub contract: String,
    /// Decimal places of one display unit.
    pub decimals: u8,
}

/// Why a string is not an address of a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// The chain id is not in the registry.
    #[error("unknown chain {0:?} (known: {1})")]
    UnknownChain(String, String),
    /// Empty field.
    #[error("empty address")]
    Empty,
    /// Wrong syntax or checksum for the chain.
    #[error("{text:?} is not a valid {chain} address: expected {expected}")]
    Invalid {
        /// The address as given.
        text: String,
        /// The chain id.
        chain: String,
        /// What a valid address looks like.
        expected: &'static str,
    },
}

/// Why a text a person typed (a command-line argument) is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressArgError {
    /// Not an address of the chain named.
    #[error(transparent)]
    Chain(#[from] AddressError),
    /// No chain was named, and no chain's syntax fits it.
    #[error("{text:?} is not an address of any chain hoptrace knows: expected {expected}")]
    NoChain {
        /// The text as given.
        text: String,
        /// What an address looks like, per syntax, with the chains using it.
        expected: String,
    },
}

/// The registry: chains and known tokens.
#[derive(Debug)]
pub struct Registry {
    chains: BTreeMap<String, Chain>,
    tokens: Vec<Token>,
}

/// The built-in registry, parsed once from the bundled assets.
///
/// # Panics
/// Only if the bundled `assets/*.ron` do not parse, which the unit tests rule out.
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        #[allow(clippy::expect_used)]
        let chains: Vec<Chain> =
            ron::from_str(include_str!("../../assets/chains.ron")).expect("bundled assets/chains.ron parses");
        #[allow(clippy::expect_used)]
        let tokens: Vec<Token> =
            ron::from_str(include_str!("../../assets/tokens.ron")).expect("bundled assets/tokens.ron parses");
        Registry { chains: chains.into_iter().map(|c| (c.id.clone(), c)).collect(), tokens }
    })
}

impl Registry {
    /// The chain with this id.
    ///
    /// # Errors
    /// [`AddressError::UnknownChain`] listing the known ids.
    pub fn chain(&self, id: &str) -> Result<&Chain, AddressError> {
        self.chains.get(id).ok_or_else(|| AddressError::UnknownChain(id.to_owned(), self.chain_ids().join(", ")))
    }

    /// Every chain id, sorted.
    #[must_use]
    pub fn chain_ids(&self) -> Vec<&str> {
        self.chains.keys().map(String::as_str).collect()
    }

    /// The EVM chain with EIP-155 chain id `id` (`43114` → avalanche).
    #[must_use]
    pub fn chain_by_evm_id(&self, id: u64) -> Option<&Chain> {
        self.chains.values().find(|c| c.evm_chain_id == Some(id))
    }

    /// Every EVM chain id the registry knows, as `ID (chain)`, in id order: for messages.
    #[must_use]
    pub fn evm_chain_ids(&self) -> Vec<String> {
        let mut ids: Vec<(u64, &str)> =
            self.chains.values().filter_map(|c| c.evm_chain_id.map(|n| (n, c.id.as_str()))).collect();
        ids.sort_unstable();
        ids.into_iter().map(|(n, c)| format!("{n} ({c})")).collect()
    }

    /// Every known token.
    #[must_use]
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// A known token of `chain` by contract address or by symbol (case-insensitive for symbols).
    #[must_use]
    pub fn token(&self, chain: &str, contract_or_symbol: &str) -> Option<&Token> {
        let key = contract_or_symbol.trim();
        self.tokens
            .iter()
            .find(|t| t.chain == chain && (t.contract.eq_ignore_ascii_case(key) || t.symbol.eq_ignore_ascii_case(key)))
    }

    /// `amount` of `asset` on `chain` in display units with its symbol (`1.5 ETH`), when the
    /// chain's native asset or a known token; else in base units, naming the asset.
    #[must_use]
    pub fn display_amount(&self, chain: &str, asset: &str, amount: impl Into<super::Total>) -> String {
        let amount: super::Total = amount.into();
        let known = self
            .chain(chain)
            .ok()
            .filter(|c| c.native == asset)
            .map(|c| (c.decimals, c.native.as_str()))
            .or_else(|| self.token(chain, asset).map(|t| (t.decimals, t.symbol.as_str())));
        match known {
            Some((d, symbol)) => format!("{} {symbol}", amount.format_units(d)),
            None => format!("{amount} base units of {asset}"),
        }
    }

    /// [`Self::display_amount`] made easy to read ([`super::readable`]: grouped, at most 4
    /// decimals or 4 significant digits, `≈` when digits were dropped), and the exact text
    /// (for hover and copies).
    #[must_use]
    pub fn display_amount_readable(
        &self,
        chain: &str,
        asset: &str,
        amount: impl Into<super::Total>,
    ) -> (String, String) {
        let exact = self.display_amount(chain, asset, amount);
        (super::readable_amount_text(&exact), exact)
    }

    /// Normalises `text` to the canonical form of an address on `chain`.
    ///
    /// # Errors
    /// [`AddressError`] saying what a valid address looks like.
    pub fn normalize_address(&self, chain: &str, text: &str) -> Result<String, AddressError> {
        let c = self.chain(chain)?;
        normalize_address(c, text)
    }
}

impl Registry {
    /// An address a person typed, checked against the address syntax of `chain`, or, with no
    /// chain named, of every chain: the `(chain, canonical address)` pairs it is valid on, in
    /// chain order (every EVM chain for a `0x` address). On a UTXO chain the pseudo-address
    /// the importers give an output with no single address (`nonstandard:TXID:N`) is accepted.
    /// Nothing is looked up: which of several chains is meant is for the caller to find out
    /// (the ledger) or to ask (`--chain`).
    ///
    /// # Errors
    /// [`AddressArgError::Chain`] when it is not an address of the chain named (or the chain
    /// is unknown); [`AddressArgError::NoChain`] when no chain was named and none fits,
    /// saying what each syntax looks like.
    pub fn address_argument(&self, text: &str, chain: Option<&str>) -> Result<Vec<(String, String)>, AddressArgError> {
        let parse = |c: &Chain| -> Result<String, AddressError> {
            let t = text.trim();
            if c.model == ChainModel::Utxo && is_pseudo_address(t) {
                return Ok(t.to_owned());
            }
            normalize_address(c, t)
        };
        if let Some(id) = chain {
            let c = self.chain(id)?;
            return Ok(vec![(c.id.clone(), parse(c)?)]);
        }
        if text.trim().is_empty() {
            return Err(AddressError::Empty.into());
        }
        let fits: Vec<(String, String)> =
            self.chains.values().filter_map(|c| parse(c).ok().map(|a| (c.id.clone(), a))).collect();
        if fits.is_empty() {
            let mut rules: Vec<(&'static str, Vec<&str>)> = Vec::new();
            for c in self.chains.values() {
                let expected = match c.address {
                    AddressRule::Evm => EVM_EXPECTED,
                    AddressRule::Bitcoin => BTC_EXPECTED,
                    AddressRule::Tron => TRON_EXPECTED,
                };
                match rules.iter_mut().find(|(e, _)| *e == expected) {
                    Some((_, ids)) => ids.push(&c.id),
                    None => rules.push((expected, vec![&c.id])),
                }
            }
            let expected =
                rules.iter().map(|(e, ids)| format!("{e} ({})", ids.join(", "))).collect::<Vec<_>>().join("; or ");
            return Err(AddressArgError::NoChain { text: text.trim().to_owned(), expected });
        }
        Ok(fits)
    }
}

/// The pseudo-address of a UTXO output with no single address: `nonstandard:` + the
/// transaction id (64 hex digits) + `:` + the output index.
fn is_pseudo_address(t: &str) -> bool {
    let Some(rest) = t.strip_prefix("nonstandard:") else { return false };
    let Some((txid, n)) = rest.split_once(':') else { return false };
    txid.len() == 64
        && txid.bytes().all(|b| b.is_ascii_hexdigit())
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// Normalises `text` to the canonical form of an address on `chain` (see the module docs).
///
/// # Errors
/// [`AddressError`] saying what a valid address looks like.
pub fn normalize_address(chain: &Chain, text: &str) -> Result<String, AddressError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AddressError::Empty);
    }
    let invalid = |expected| AddressError::Invalid { text: t.to_owned(), chain: chain.id.clone(), expected };
    match chain.address {
        AddressRule::Evm => {
            let hex = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).ok_or_else(|| invalid(EVM_EXPECTED))?;
            if hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(lower_hex_with_prefix(hex))
            } else {
                Err(invalid(EVM_EXPECTED))
            }
        }
        AddressRule::Bitcoin => {
            if bitcoin_is_valid(t) {
                // bech32 is defined case-insensitively but must not mix case: an all-upper
                // address (QR-code form) has the canonical lower-case spelling.
                if t.len() > 3
                    && t.as_bytes()[..3].eq_ignore_ascii_case(b"bc1")
                    && t.bytes().all(|b| !b.is_ascii_lowercase())
                {
                    Ok(t.to_ascii_lowercase())
                } else {
                    Ok(t.to_owned())
                }
            } else {
                Err(invalid(BTC_EXPECTED))
            }
        }
        AddressRule::Tron => {
            // Bytes, not a str slice: a non-ASCII text of 42 bytes must not be cut inside a
            // character (found by fuzzing: it panicked).
            if t.len() == 42
                && t.as_bytes()[..2].eq_ignore_ascii_case(b"41")
                && t.bytes().all(|b| b.is_ascii_hexdigit())
            {
                let bytes = hex::decode(t).map_err(|_| invalid(TRON_EXPECTED))?;
                return Ok(bs58::encode(bytes).with_check().into_string());
            }
            match bs58::decode(t).with_check(None).into_vec() {
                Ok(v) if v.len() == 21 && v.first() == Some(&0x41) => Ok(t.to_owned()),
                _ => Err(invalid(TRON_EXPECTED)),
            }
        }
    }
}

/// `0x` + `hex` in lower case, in one allocation (this runs for every address imported).
#[must_use]
pub fn lower_hex_with_prefix(hex: &str) -> String {
    let mut out = String::with_capacity(hex.len() + 2);
    out.push_str("0x");
    out.extend(hex.chars().map(|c| c.to_ascii_lowercase()));
    out
}

const EVM_EXPECTED: &str = "0x followed by 40 hexadecimal digits";
const BTC_EXPECTED: &str = "a base58check (1…, 3…) or bech32 (bc1…) address with a valid checksum";
const TRON_EXPECTED: &str = "a base58check address starting with T (or 41 + 40 hex digits)";

fn bitcoin_is_valid(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("bc1") || lower.starts_with("tb1") || lower.starts_with("bcrt1") {
        return bech32::segwit::decode(t).is_ok();
    }
    matches!(bs58::decode(t).with_check(None).into_vec(), Ok(v) if v.len() == 21 && matches!(v[0], 0x00 | 0x05 | 0x6f | 0xc4))
}

/// The P2PKH address (version 0x00) of a public key given in hex, as Bitcoin Core before v22
/// reported for pay-to-pubkey outputs.
#[must_use]
pub fn p2pkh_from_pubkey_hex(pubkey_hex: &str) -> Option<String> {
    let pubkey = hex::decode(pubkey_hex).ok()?;
    if !matches!(pubkey.len(), 33 | 65) {
        return None;
    }
    let sha = Sha256::digest(&pubkey);
    let hash160 = ripemd::Ripemd160::digest(sha);
    let mut payload = vec![0x00];
    payload.extend_from_slice(&hash160);
    Some(bs58::encode(payload).with_check().into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_registry_parses() {
        let r = registry();
        assert_eq!(r.chain("ethereum").map(|c| c.decimals), Ok(18));
        assert_eq!(r.chain("bitcoin").map(|c| c.model), Ok(ChainModel::Utxo));
        assert!(r.token("tron", "usdt").is_some_and(|t| t.decimals == 6));
        assert!(matches!(r.chain("dogechain"), Err(AddressError::UnknownChain(..))));
    }

    #[test]
    fn evm_is_case_insensitive() {
        let r = registry();
        let a = r.normalize_address("ethereum", "0x8589427373D6D84E98730D7795D8f6f8731FDA16 ");
        assert_eq!(a.as_deref(), Ok("0x8589427373d6d84e98730d7795d8f6f8731fda16"));
        assert!(r.normalize_address("ethereum", "0x8589427373D6D84E98730D7795D8f6f8731FDA1").is_err());
        assert!(r.normalize_address("ethereum", "8589427373D6D84E98730D7795D8f6f8731FDA16").is_err());
    }

    #[test]
    fn bitcoin_and_tron_checksums() {
        let r = registry();
        assert!(r.normalize_address("bitcoin", "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ").is_ok());
        // One character changed: checksum fails. Case changes are different addresses.
        assert!(r.normalize_address("bitcoin", "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPR").is_err());
        assert!(r.normalize_address("bitcoin", "1pkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ").is_err());
        assert!(r.normalize_address("bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq").is_ok());
        assert_eq!(
            r.normalize_address("bitcoin", "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ").as_deref(),
            Ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
        );
        assert!(r.normalize_address("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").is_ok());
        assert!(r.normalize_address("tron", "tr7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").is_err());
        assert!(r.normalize_address("tron", "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ").is_err());
    }

    #[test]
    fn an_argument_is_checked_against_the_chain_named_or_every_chain() {
        let r = registry();
        let evm = "0x8589427373D6D84E98730D7795D8f6f8731FDA16";
        let on = r.address_argument(evm, None).expect("an EVM address");
        assert_eq!(on.len(), r.chains.values().filter(|c| c.address == AddressRule::Evm).count());
        assert!(on.iter().all(|(_, a)| a == "0x8589427373d6d84e98730d7795d8f6f8731fda16"));
        assert_eq!(
            r.address_argument("bc1qxyz", Some("bitcoin")).map_err(|e| e.to_string()),
            Err("\"bc1qxyz\" is not a valid bitcoin address: expected a base58check (1…, 3…) or bech32 (bc1…) \
                 address with a valid checksum"
                .to_owned())
        );
        assert_eq!(
            r.address_argument(" bc1qxyz ", None).map_err(|e| e.to_string()),
            Err("\"bc1qxyz\" is not an address of any chain hoptrace knows: expected 0x followed by 40 hexadecimal \
                 digits (arbitrum, avalanche, base, bsc, ethereum, fantom, optimism, polygon); or a base58check (1…, \
                 3…) or bech32 (bc1…) address with a valid checksum (bitcoin); or a base58check address starting \
                 with T (or 41 + 40 hex digits) (tron)"
                .to_owned())
        );
        assert_eq!(
            r.address_argument("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ", None),
            Ok(vec![("bitcoin".to_owned(), "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ".to_owned())])
        );
        let pseudo = format!("nonstandard:{}:3", "ab".repeat(32));
        assert_eq!(r.address_argument(&pseudo, None), Ok(vec![("bitcoin".to_owned(), pseudo.clone())]));
        assert!(r.address_argument(&pseudo, Some("ethereum")).is_err());
        assert!(r.address_argument("nonstandard:abc:3", Some("bitcoin")).is_err());
        assert!(matches!(
            r.address_argument(evm, Some("dogechain")),
            Err(AddressArgError::Chain(AddressError::UnknownChain(..)))
        ));
    }

    #[test]
    fn p2pk_derives_the_legacy_address() {
        // Block 50001 coinbase: Core < 22 reported this address for the pay-to-pubkey output.
        let pk = "04c1b5671c8975087cc796d6ea73d2407591528b5c669106f9b6ab6ef6e373a57553e14866aaeffc44a9f58e5ee0c7faa7add7474f0a2c55a22cb40b949fdc933c";
        assert_eq!(p2pkh_from_pubkey_hex(pk).as_deref(), Some("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ"));
    }
}
