//! The scenario under construction: transfers, labels and ground truth, with helpers that
//! make well-formed account-model transactions and Bitcoin transactions (inputs spend earlier
//! outputs; inputs minus outputs is the miner fee).

use std::collections::HashMap;

use super::addresses;
use super::rng::Rng;
use super::truth::{AttackerAddress, GroundTruth, TransferRef};
use crate::model::{Amount, Category, Label, Transfer, TransferKind};

/// Chain ids of the registry the story uses.
pub const ETHEREUM: &str = "ethereum";
/// Bitcoin.
pub const BITCOIN: &str = "bitcoin";
/// Tron.
pub const TRON: &str = "tron";

/// One ETH in wei.
pub const ETH: u128 = 1_000_000_000_000_000_000;
/// One BTC in satoshis.
pub const BTC: u128 = 100_000_000;
/// One USDC/USDT in micro-units.
pub const USD: u128 = 1_000_000;
/// One TRX in sun.
pub const TRX: u128 = 1_000_000;

/// Seconds.
pub const MINUTE: i64 = 60;
/// Seconds.
pub const HOUR: i64 = 3600;
/// Seconds.
pub const DAY: i64 = 86_400;

/// Where `source` of every label points.
pub const LABEL_SOURCE: &str = "hoptrace synthetic scenario (generated; not a real investigation)";
/// `creator` of the TagPack, `added_by` of every label.
pub const LABEL_CREATOR: &str = "hoptrace scenario generator";

/// Token contracts from the registry (`assets/tokens.ron`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// USDC on Ethereum.
    pub usdc_eth: String,
    /// USDT on Ethereum.
    pub usdt_eth: String,
    /// USDT (TRC-20) on Tron.
    pub usdt_tron: String,
}

/// An account-model transaction being filled with transfers.
#[derive(Debug)]
pub struct AccountTx {
    chain: &'static str,
    /// Its hash.
    pub hash: String,
    /// Its block time.
    pub time: i64,
    next: i64,
}

/// An unspent Bitcoin output.
#[derive(Debug, Clone)]
pub struct Utxo {
    /// Transaction that created it.
    pub txid: String,
    /// Output index.
    pub vout: i64,
    /// Address it pays.
    pub address: String,
    /// Satoshis.
    pub value: u128,
    /// Time it was created.
    pub time: i64,
}

impl Utxo {
    /// The output as a transfer reference.
    pub fn output_ref(&self) -> TransferRef {
        TransferRef {
            chain: BITCOIN.to_owned(),
            tx_hash: self.txid.clone(),
            kind: TransferKind::UtxoOutput,
            position: self.vout,
        }
    }
}

/// A Bitcoin transaction just made.
#[derive(Debug)]
pub struct BtcTx {
    /// Its id.
    pub txid: String,
    /// Its inputs, by index.
    pub inputs: Vec<TransferRef>,
    /// Its outputs, by index.
    pub outputs: Vec<Utxo>,
}

/// The scenario under construction.
pub struct Builder {
    /// Random numbers of the current part of the story.
    pub rng: Rng,
    /// The scenario's seed.
    pub seed: u64,
    /// Time of the theft.
    pub t0: i64,
    /// Token contracts.
    pub tokens: Tokens,
    /// Transfers so far.
    pub transfers: Vec<Transfer>,
    /// Labels so far.
    pub labels: Vec<Label>,
    /// Ground truth so far.
    pub truth: GroundTruth,
}

/// A gas fee: `gas` units at 12–45 gwei.
pub fn gas_fee(rng: &mut Rng, gas: u128) -> u128 {
    gas * u128::from(rng.range(12, 45)) * 1_000_000_000
}

/// A block height for `time` on `chain` (Bitcoin: none, as `getrawtransaction` gives none).
pub fn block_at(chain: &str, t0: i64, time: i64) -> Option<i64> {
    match chain {
        ETHEREUM => Some(17_400_000 + (time - t0).div_euclid(12)),
        TRON => Some(52_000_000 + (time - t0).div_euclid(3)),
        _ => None,
    }
}

impl Builder {
    /// Switches to the random stream of one part of the story.
    pub fn part(&mut self, name: &str) {
        self.rng = Rng::stream(self.seed, name);
    }

    /// Starts an account-model transaction on `chain` at `time`.
    pub fn tx(&mut self, chain: &'static str, time: i64) -> AccountTx {
        // EVM chains spell hashes 0x + 64 hex digits; Bitcoin and Tron without the prefix.
        let evm = chain != BITCOIN && chain != TRON;
        let hash = if evm { addresses::evm_tx(&mut self.rng) } else { addresses::raw_tx(&mut self.rng) };
        AccountTx { chain, hash, time, next: 0 }
    }

    /// Adds a transfer to `tx`: `kind` of `amount` base units of `asset` from `from` to `to`,
    /// with the sender's `fee` (native base units) when given.
    #[allow(clippy::too_many_arguments)]
    pub fn transfer(
        &mut self,
        tx: &mut AccountTx,
        kind: TransferKind,
        from: &str,
        to: &str,
        asset: &str,
        amount: u128,
        fee: Option<u128>,
    ) -> TransferRef {
        let position = tx.next;
        tx.next += 1;
        self.transfers.push(Transfer {
            chain: tx.chain.to_owned(),
            tx_hash: tx.hash.clone(),
            kind,
            position: Some(position),
            block: block_at(tx.chain, self.t0, tx.time),
            time: Some(tx.time),
            from: Some(from.to_owned()),
            to: Some(to.to_owned()),
            asset: asset.to_owned(),
            amount_base: Amount::from_u128(amount),
            fee_base: fee.map(Amount::from_u128),
            failed: false,
            prev_out: None,
            line: 0,
            method: None,
            stated_usd: None,
        });
        TransferRef { chain: tx.chain.to_owned(), tx_hash: tx.hash.clone(), kind, position }
    }

    /// A one-transfer native ETH transaction paying gas for `gas` units; returns the transfer
    /// and the fee (wei).
    pub fn send_eth(&mut self, time: i64, from: &str, to: &str, wei: u128, gas: u128) -> (TransferRef, u128) {
        let fee = gas_fee(&mut self.rng, gas);
        let mut tx = self.tx(ETHEREUM, time);
        (self.transfer(&mut tx, TransferKind::Native, from, to, "ETH", wei, Some(fee)), fee)
    }

    /// A one-transfer token transaction on `chain`.
    pub fn send_token(
        &mut self,
        chain: &'static str,
        time: i64,
        from: &str,
        to: &str,
        token: &str,
        amount: u128,
    ) -> TransferRef {
        let mut tx = self.tx(chain, time);
        self.transfer(&mut tx, TransferKind::Token, from, to, token, amount, None)
    }

    /// An output that exists before the scenario (its transaction is not exported; inputs
    /// spending it carry `prevout`, so the ledger still knows their address and value).
    pub fn external_utxo(&mut self, address: &str, value: u128, time: i64) -> Utxo {
        let txid = addresses::raw_tx(&mut self.rng);
        let vout = i64::try_from(self.rng.below(4)).unwrap_or(0);
        Utxo { txid, vout, address: address.to_owned(), value, time }
    }

    /// A Bitcoin transaction at `time` spending `inputs` into `outputs` (address, satoshis).
    /// The caller keeps outputs ≤ inputs; the difference is the miner fee.
    pub fn btc_tx(&mut self, time: i64, inputs: &[Utxo], outputs: &[(String, u128)]) -> BtcTx {
        let txid = addresses::raw_tx(&mut self.rng);
        let mut made = Vec::with_capacity(outputs.len());
        for (n, (address, value)) in (0i64..).zip(outputs) {
            self.transfers.push(Transfer {
                chain: BITCOIN.to_owned(),
                tx_hash: txid.clone(),
                kind: TransferKind::UtxoOutput,
                position: Some(n),
                block: None,
                time: Some(time),
                from: None,
                to: Some(address.clone()),
                asset: "BTC".to_owned(),
                amount_base: Amount::from_u128(*value),
                fee_base: None,
                failed: false,
                prev_out: None,
                line: 0,
                method: None,
                stated_usd: None,
            });
            made.push(Utxo { txid: txid.clone(), vout: n, address: address.clone(), value: *value, time });
        }
        let mut refs = Vec::with_capacity(inputs.len());
        for (i, u) in (0i64..).zip(inputs) {
            self.transfers.push(Transfer {
                chain: BITCOIN.to_owned(),
                tx_hash: txid.clone(),
                kind: TransferKind::UtxoInput,
                position: Some(i),
                block: None,
                time: Some(time),
                from: Some(u.address.clone()),
                to: None,
                asset: "BTC".to_owned(),
                amount_base: Amount::from_u128(u.value),
                fee_base: None,
                failed: false,
                prev_out: Some((u.txid.clone(), u.vout)),
                line: 0,
                method: None,
                stated_usd: None,
            });
            refs.push(TransferRef {
                chain: BITCOIN.to_owned(),
                tx_hash: txid.clone(),
                kind: TransferKind::UtxoInput,
                position: i,
            });
        }
        BtcTx { txid, inputs: refs, outputs: made }
    }

    /// Labels `address` on `chain` as a TagPack would: `category` is the TagPack's category
    /// text (`mixing_service`, `perpetrator`…).
    pub fn label(
        &mut self,
        chain: &str,
        address: &str,
        entity: &str,
        category: &str,
        actor: Option<&str>,
        confidence: &str,
    ) {
        self.labels.push(Label {
            chain: chain.to_owned(),
            address: address.to_owned(),
            entity: entity.to_owned(),
            category: Category::parse(category).unwrap_or(Category::Unknown),
            source_category: Some(category.to_owned()),
            actor: actor.map(str::to_owned),
            source: LABEL_SOURCE.to_owned(),
            confidence: Some(confidence.to_owned()),
            valid_from: None,
            valid_to: None,
            added_by: Some(LABEL_CREATOR.to_owned()),
            line: 0,
        });
    }

    /// Gives every labelled address a name of its own: where one entity name labels several
    /// addresses (a service's deposit addresses, a pool's relayers), they are numbered in the
    /// order they were labelled, the number before a trailing ` (synthetic)`: "Pool relayer 2
    /// (synthetic)". One address labelled on several chains keeps one name. Called once, when
    /// the scenario is complete. O(labels).
    pub fn name_labels_apart(&mut self) {
        let mut addresses: HashMap<String, Vec<String>> = HashMap::new();
        for l in &self.labels {
            let seen = addresses.entry(l.entity.clone()).or_default();
            if !seen.contains(&l.address) {
                seen.push(l.address.clone());
            }
        }
        for l in &mut self.labels {
            let Some(seen) = addresses.get(&l.entity).filter(|s| s.len() > 1) else { continue };
            let n = seen.iter().position(|a| *a == l.address).map_or(0, |i| i + 1);
            l.entity = match l.entity.strip_suffix(" (synthetic)") {
                Some(name) => format!("{name} {n} (synthetic)"),
                None => format!("{} {n}", l.entity),
            };
        }
    }

    /// Records an attacker-controlled address.
    pub fn attacker(&mut self, chain: &str, address: &str, role: &str) {
        self.truth.attacker_addresses.push(AttackerAddress {
            chain: chain.to_owned(),
            address: address.to_owned(),
            role: role.to_owned(),
        });
    }
}
