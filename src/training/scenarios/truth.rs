//! Ground truth the base [`GroundTruth`](crate::scenario::GroundTruth) has no place for:
//! privacy-protocol shields and unshields, several thefts and victims, cross-chain swaps, one
//! address reused on several chains, a fan-out, CoinJoin transactions.

use serde::{Deserialize, Serialize};

use crate::model::Amount;
use crate::scenario::truth::{Party, TransferRef};

/// ETH shielded into a privacy protocol and unshielded later to other addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShieldPair {
    /// True for the attacker's.
    pub attacker: bool,
    /// The protocol contract.
    pub protocol: String,
    /// The shield transfer (depositor → protocol).
    pub shield: TransferRef,
    /// Who shielded.
    pub depositor: String,
    /// Wei shielded.
    pub amount_in: Amount,
    /// Protocol fee in basis points, taken on shield.
    pub fee_bps: u32,
    /// The fee (wei) = `amount_in × fee_bps / 10000`.
    pub fee: Amount,
    /// The unshield transfers (protocol → recipient).
    pub unshields: Vec<TransferRef>,
    /// Who received them.
    pub recipients: Vec<String>,
    /// Sum unshielded = `amount_in − fee`.
    pub amount_out: Amount,
}

/// One theft: a victim drained into an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theft {
    /// Which incident (`CoinEx-like`, `Stake-like` …).
    pub incident: String,
    /// The victim.
    pub victim: Party,
    /// The drain transfers.
    pub transfers: Vec<TransferRef>,
    /// Where the funds went.
    pub to: String,
    /// Asset key.
    pub asset: String,
    /// Total (base units).
    pub amount: Amount,
}

/// Value sent into a cross-chain swap service or bridge on one chain and paid out on another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossSwap {
    /// The service.
    pub service: String,
    /// The deposit.
    pub deposit: TransferRef,
    /// Base units in.
    pub amount_in: Amount,
    /// The payout.
    pub payout: TransferRef,
    /// Who received it.
    pub recipient: String,
    /// Base units out.
    pub amount_out: Amount,
}

/// The same EVM address used on several chains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReusedAddress {
    /// The address.
    pub address: String,
    /// The chains it is active on, sorted.
    pub chains: Vec<String>,
    /// The incidents it took part in.
    pub incidents: Vec<String>,
}

/// A fan-out: one address spreads funds over many, layer after layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanOut {
    /// Where it starts.
    pub root: String,
    /// Addresses of each layer (first layer first).
    pub layer_sizes: Vec<u64>,
    /// Distinct addresses that received part of the funds (every layer).
    pub addresses: u64,
    /// Where the leaves regroup before the swap router.
    pub regroup: Vec<String>,
}

/// A CoinJoin transaction: many inputs, equal-value outputs, change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoinJoin {
    /// Its id.
    pub txid: String,
    /// The equal output value (satoshis).
    pub denomination: Amount,
    /// Inputs, all participants.
    pub inputs: u64,
    /// Equal-value outputs.
    pub equal_outputs: u64,
    /// The attacker's inputs.
    pub attacker_inputs: Vec<TransferRef>,
    /// The attacker's equal outputs.
    pub attacker_outputs: Vec<TransferRef>,
}

/// The extra facts of a training scenario (empty lists are left out of the JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extra {
    /// Scenario name.
    pub scenario: String,
    /// Privacy protocol shields.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub shields: Vec<ShieldPair>,
    /// Thefts (when there are several victims or incidents).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub thefts: Vec<Theft>,
    /// Cross-chain swaps and bridges not in `bridge_pairs`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cross_swaps: Vec<CrossSwap>,
    /// Addresses reused on several chains.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub reused_addresses: Vec<ReusedAddress>,
    /// The fan-out.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fan_out: Option<FanOut>,
    /// CoinJoin transactions.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub coinjoins: Vec<CoinJoin>,
}
