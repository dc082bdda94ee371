//! Domain types: chains and addresses, exact amounts, transfers and labels.

mod amount;
mod chain;
mod hop;
mod label;
mod time;
mod total;
mod transfer;
pub mod visible;

pub use amount::{Amount, AmountError};
pub use chain::{
    AddressArgError, AddressError, AddressRule, Chain, ChainModel, Registry, Token, lower_hex_with_prefix,
    normalize_address, p2pkh_from_pubkey_hex, registry,
};
pub use hop::{Hop, HopKind, HopStatus};
pub use label::{Category, Label};
pub use time::format_utc;
pub use total::{Total, TotalError, readable, readable_amount_text};
pub use transfer::{Transfer, TransferKind};
pub use visible::{visible, visible_lines};
