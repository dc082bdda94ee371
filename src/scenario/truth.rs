//! The ground truth of a generated scenario: what really happened, written as
//! `ground-truth.json` beside the exports so a tracing result can be scored against it.
//!
//! Transfers are named by [`TransferRef`] (chain, transaction hash, kind, position), which is
//! how they can be found in any ledger built from the exports
//! ([`Ledger::tx_transfers`](crate::ledger::Ledger::tx_transfers)). Amounts are base units
//! (wei, satoshi, USDC/USDT micro-units) written as decimal strings.

use serde::{Deserialize, Serialize};

use crate::model::{Amount, TransferKind};

/// One transfer, by where it sits in its chain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TransferRef {
    /// Chain id (`ethereum`, `bitcoin`, `tron`).
    pub chain: String,
    /// Transaction hash as the ledger spells it.
    pub tx_hash: String,
    /// Kind of movement; UTXO inputs and outputs of one transaction share positions.
    pub kind: TransferKind,
    /// Position within the transaction (log index, output or input index).
    pub position: i64,
}

/// An address of some party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Chain id.
    pub chain: String,
    /// The address.
    pub address: String,
    /// Who it belongs to (`Victim bridge`, `Exchange A hot wallet`).
    pub entity: String,
}

/// An address controlled by the attacker, and what it was used for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackerAddress {
    /// Chain id.
    pub chain: String,
    /// The address.
    pub address: String,
    /// Its role: `exploiter`, `consolidation`, `pool_withdrawal`, `btc_bridge_recipient`,
    /// `btc_mixer_payout`, `btc_peel`, `tron_receiver`, `tron_consolidation`.
    pub role: String,
}

/// What was stolen, per asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stolen {
    /// Asset key (native symbol or token contract).
    pub asset: String,
    /// Ticker.
    pub symbol: String,
    /// Total in base units.
    pub amount: Amount,
}

/// A token sold on a DEX router for ETH, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swap {
    /// The router.
    pub router: String,
    /// The token transfer to the router.
    pub sold: TransferRef,
    /// Token amount sold (base units).
    pub sold_amount: Amount,
    /// The ETH paid back by the router (internal transfer).
    pub bought: TransferRef,
    /// ETH received (wei).
    pub bought_amount: Amount,
}

/// One note of a fixed-denomination pool: its deposit and its withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolPair {
    /// True for the attacker's notes, false for unrelated users and decoys.
    pub attacker: bool,
    /// The pool contract.
    pub pool: String,
    /// The pool's denomination (wei).
    pub denomination: Amount,
    /// The deposit (depositor → pool, exactly the denomination).
    pub deposit: TransferRef,
    /// Who deposited.
    pub depositor: String,
    /// The withdrawal (pool → recipient: the denomination minus the relayer fee).
    pub withdrawal: TransferRef,
    /// Who received it.
    pub recipient: String,
    /// Relayer that submitted the withdrawal, if any.
    pub relayer: Option<String>,
    /// The relayer's fee transfer (pool → relayer), if any.
    pub relayer_transfer: Option<TransferRef>,
    /// Relayer fee (wei); zero without a relayer.
    pub relayer_fee: Amount,
    /// Seconds from deposit to withdrawal.
    pub delay_seconds: i64,
}

/// ETH deposited to the bridge router on Ethereum and the BTC it released on Bitcoin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgePair {
    /// True for the attacker's crossings.
    pub attacker: bool,
    /// The deposit to the router (wei).
    pub deposit: TransferRef,
    /// ETH in (wei).
    pub amount_in: Amount,
    /// Exchange rate applied: satoshis per 1 ETH.
    pub rate_sat_per_eth: Amount,
    /// Bridge fee (satoshis), taken from the converted amount.
    pub fee: Amount,
    /// The release output on Bitcoin.
    pub release: TransferRef,
    /// Who received the BTC.
    pub recipient: String,
    /// BTC out (satoshis) = `amount_in × rate / 10^18 − fee`.
    pub amount_out: Amount,
}

/// One deposit to the custodial mixer and the payouts it made for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixerRound {
    /// True for the attacker's rounds.
    pub attacker: bool,
    /// The output paying the mixer's deposit address.
    pub deposit: TransferRef,
    /// The mixer's (one-time) deposit address.
    pub deposit_address: String,
    /// Satoshis received by the mixer.
    pub amount_in: Amount,
    /// Service fee in basis points.
    pub fee_bps: u32,
    /// Service fee (satoshis) = `amount_in × fee_bps / 10000`.
    pub fee: Amount,
    /// Payout outputs from the mixer's reserve, each to a fresh address.
    pub payouts: Vec<TransferRef>,
    /// Sum of the payouts = `amount_in − fee`.
    pub amount_out: Amount,
    /// Every payout falls within this many seconds after the deposit.
    pub window_seconds: i64,
}

/// One step of a peel chain: one input, a small peel to an exchange, the change onward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeelStep {
    /// The step's transaction.
    pub tx_hash: String,
    /// Its single input.
    pub spent: TransferRef,
    /// Value of the input (satoshis).
    pub amount_in: Amount,
    /// The peel output (to an exchange deposit address).
    pub peel: TransferRef,
    /// Peeled satoshis.
    pub peel_amount: Amount,
    /// The exchange receiving the peel.
    pub exchange: String,
    /// The change output (to the next attacker address).
    pub change: TransferRef,
    /// Change satoshis.
    pub change_amount: Amount,
    /// Miner fee = `amount_in − peel − change`.
    pub miner_fee: Amount,
}

/// A peel chain: its steps in order, and where the last change went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeelChain {
    /// The address holding the first input.
    pub start_address: String,
    /// The steps; step `i + 1` spends the change of step `i`.
    pub steps: Vec<PeelStep>,
    /// The final transfer of the last change (to the OTC broker).
    pub end: TransferRef,
}

/// BTC paid to the OTC broker on Bitcoin and the USDT it paid out on Tron.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtcTrade {
    /// The broker's Bitcoin address.
    pub broker_btc: String,
    /// The BTC output paying the broker.
    pub btc_in: TransferRef,
    /// Satoshis in.
    pub btc_amount: Amount,
    /// Price applied: US dollars per BTC.
    pub usd_per_btc: u64,
    /// The broker's spread in basis points.
    pub spread_bps: u32,
    /// The USDT (TRC-20) transfer from the broker's Tron wallet.
    pub usdt_out: TransferRef,
    /// USDT out (micro-units) = `btc_amount × usd_per_btc × (10000 − spread) / 10^6`.
    pub usdt_amount: Amount,
}

/// A deposit into an exchange: where the traced funds leave the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashOut {
    /// Chain id.
    pub chain: String,
    /// Asset key.
    pub asset: String,
    /// The exchange.
    pub exchange: String,
    /// The exchange's deposit address.
    pub deposit_address: String,
    /// The deposit transfer.
    pub transfer: TransferRef,
    /// Amount (base units).
    pub amount: Amount,
}

/// The exchange-like hub address (a hot wallet with many transfers), for the expansion benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hub {
    /// Chain id.
    pub chain: String,
    /// The hot wallet.
    pub address: String,
    /// Who it belongs to.
    pub entity: String,
    /// Transfers it receives, exactly.
    pub in_transfers: u64,
    /// Transfers it sends, exactly.
    pub out_transfers: u64,
    /// The story's sweeps into it (from the attacker's exchange deposit addresses).
    pub story_sweeps: Vec<TransferRef>,
}

/// Everything that really happened in a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GroundTruth {
    /// The seed that generated it.
    pub seed: u64,
    /// Unix time of the first theft transfer.
    pub hack_time: i64,
    /// The victim.
    pub victim: Option<Party>,
    /// What was stolen.
    pub stolen: Vec<Stolen>,
    /// The theft transfers.
    pub hack: Vec<TransferRef>,
    /// Every address the attacker controlled.
    pub attacker_addresses: Vec<AttackerAddress>,
    /// Token sales for ETH.
    pub swaps: Vec<Swap>,
    /// Every pool note deposited and withdrawn in the scenario (attacker and unrelated).
    pub pool_pairs: Vec<PoolPair>,
    /// Every bridge crossing (attacker and unrelated).
    pub bridge_pairs: Vec<BridgePair>,
    /// Every custodial mixer round (attacker and unrelated).
    pub mixer_rounds: Vec<MixerRound>,
    /// The attacker's peel chains.
    pub peel_chains: Vec<PeelChain>,
    /// The attacker's BTC → USDT trades with the OTC broker.
    pub otc_trades: Vec<OtcTrade>,
    /// Where the attacker's funds entered exchanges.
    pub cash_outs: Vec<CashOut>,
    /// The hub address, when the configuration asked for one.
    pub hub: Option<Hub>,
    /// Transfers of the scenario proper (story and hub).
    pub story_transfers: u64,
    /// Unrelated background transfers streamed into `transfers.csv`.
    pub background_transfers: u64,
}
