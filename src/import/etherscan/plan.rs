//! Which layout an export has, and where its columns are: found by name (any case, spaces and
//! `_` ignored), never by position.

use super::super::csvutil::Columns;
use super::super::{Format, ReadError};
use crate::model::TransferKind;

/// How a layout gives the value moved.
pub enum Value {
    /// Legacy normal/internal: `Value_IN(…)`/`Value_OUT(…)` (or Routescan's single `Value(AVAX)`)
    /// in the native unit the header names, fee in `TxnFee(…)`.
    InOut { vin: Option<usize>, vout: Option<usize>, fee: Option<usize> },
    /// Legacy token transfers: `TokenValue`/`Value`/`Quantity` with `ContractAddress`,
    /// `TokenSymbol`, `TokenName`.
    Token { value: usize, contract: usize, symbol: Option<usize>, name: Option<usize> },
    /// A token's own page: `Quantity`, no contract column (the file name or `--token-contract`
    /// names it).
    TokenPage { value: usize },
    /// NFT transfers: `TokenId`, the contract (`ContractAddress`) or the `Token` cell, and the
    /// ERC-1155 quantity when the export has one.
    Nft {
        id: usize,
        quantity: Option<usize>,
        contract: Option<usize>,
        token: Option<usize>,
        symbol: Option<usize>,
        name: Option<usize>,
    },
    /// Current normal layout: `Amount` `0.1 ETH` in the native unit, `Txn Fee`.
    Native { amount: usize, fee: Option<usize> },
    /// Current token layout: `Amount` `1,000 USDT` and `Token` `Tether USD (USDT)`.
    Named { amount: usize, token: usize },
    /// The seen variant: `Amount` with `Asset` (the native symbol, a symbol, or `Name (SYMBOL)`)
    /// and `Txn Fee`.
    Asset { amount: usize, asset: usize, fee: Option<usize> },
}

/// The columns of one export, found once from its header.
pub struct Cols {
    pub hash: usize,
    pub block: Option<usize>,
    pub unix: Option<usize>,
    pub datetime: Option<usize>,
    /// The `Age` column was the only time column.
    pub age: bool,
    pub from: usize,
    pub to: usize,
    pub contract: Option<usize>,
    pub value: Value,
    pub status: Option<usize>,
    pub errcode: Option<usize>,
    pub method: Option<usize>,
    pub from_tag: Option<usize>,
    pub to_tag: Option<usize>,
    pub usd: Option<usize>,
    pub chain_id: Option<usize>,
    pub chain_name: Option<usize>,
    pub kind: TransferKind,
    /// Legacy exports: an empty `Status` is a success and `1`/`0` may mean error/success.
    pub legacy: bool,
    pub digits_mean_error: bool,
}

impl Cols {
    /// Finds the columns of `format` in the header.
    ///
    /// # Errors
    /// [`ReadError::Format`] naming a required column that is missing.
    pub fn new(format: Format, c: &Columns) -> Result<Self, ReadError> {
        let kind = match format {
            Format::EtherscanNormal => TransferKind::Native,
            Format::EtherscanInternal => TransferKind::Internal,
            Format::EtherscanToken | Format::EtherscanNft => TransferKind::Token,
            other => {
                return Err(ReadError::format(1, format!("found format {other}: expected an etherscan-* format")));
            }
        };
        let amount = c.find(&["amount"]);
        let contract = c.find(&["contractaddress", "tokenaddress", "contract"]);
        let token_id = c.find(&["tokenid", "tokenid(#)"]);
        let value = if let Some(id) = token_id.filter(|_| format != Format::EtherscanInternal) {
            Value::Nft {
                id,
                quantity: c.find(&["tokenvalue", "quantity", "value", "amount"]),
                contract,
                token: c.find(&["token"]),
                symbol: c.find(&["tokensymbol", "symbol"]),
                name: c.find(&["tokenname"]),
            }
        } else if let Some(amount) = amount {
            if let Some(token) = c.find(&["token"]) {
                Value::Named { amount, token }
            } else if let Some(asset) = c.find(&["asset"]) {
                Value::Asset { amount, asset, fee: c.find(&["txnfee", "fee"]) }
            } else if kind == TransferKind::Token {
                return Err(missing(c, "token (Token, as Name (SYMBOL))", &["token"]));
            } else {
                Value::Native { amount, fee: c.find(&["txnfee", "fee"]) }
            }
        } else if kind == TransferKind::Token {
            let value = c.require("token amount", &["tokenvalue", "value", "quantity"])?;
            match contract {
                Some(contract) => Value::Token {
                    value,
                    contract,
                    symbol: c.find(&["tokensymbol", "symbol"]),
                    name: c.find(&["tokenname"]),
                },
                None => Value::TokenPage { value },
            }
        } else {
            let vin = c.find_prefix("valuein(").or_else(|| c.find_prefix("value(").filter(|(_, u)| u != "usd)"));
            let vout = c.find_prefix("valueout(").map(|(i, _)| i);
            if vin.is_none() && vout.is_none() {
                return Err(ReadError::format(
                    1,
                    format!(
                        "header has no Amount, Value_IN(…) or Value_OUT(…) column; header is: {}",
                        c.names.join(",")
                    ),
                ));
            }
            let fee = c.normalized().iter().position(|n| n.starts_with("txnfee(") && n != "txnfee(usd)");
            Value::InOut { vin: vin.map(|(i, _)| i), vout, fee: fee.filter(|_| kind == TransferKind::Native) }
        };
        let legacy = matches!(value, Value::InOut { .. } | Value::Token { .. } | Value::TokenPage { .. })
            || (matches!(value, Value::Nft { .. }) && amount.is_none() && c.find(&["token"]).is_none());
        let to = if kind == TransferKind::Internal { &["txto", "to"][..] } else { &["to"][..] };
        let status = c.find(&["status", "iserror"]);
        let datetime = c.find(&["datetime(utc)", "datetime", "datetimeutc", "date(utc)"]);
        let age = datetime.is_none() && c.find(&["age"]).is_some();
        Ok(Cols {
            hash: c.require("transaction hash", &["transactionhash", "txhash", "txnhash"])?,
            block: c.find(&["blockno", "blocknumber", "block"]),
            unix: c.find(&["unixtimestamp"]),
            datetime: datetime.or_else(|| c.find(&["age"])),
            age,
            from: c.require("sender", &["from"])?,
            to: c.require("receiver", to)?,
            contract,
            value,
            status,
            errcode: c.find(&["errcode", "errorcode"]),
            method: c.find(&["method"]),
            from_tag: c.find(&["fromnametag"]),
            to_tag: c.find(&["tonametag"]),
            usd: c.find(&["value(usd)", "usdvaluedayoftx", "valueusd"]),
            chain_id: c.find(&["chainid"]),
            chain_name: c.find(&["chain"]),
            kind,
            legacy,
            digits_mean_error: kind == TransferKind::Internal
                || status.is_some_and(|i| c.normalized().get(i).is_some_and(|n| n == "iserror")),
        })
    }
}

fn missing(c: &Columns, what: &str, aliases: &[&str]) -> ReadError {
    ReadError::format(
        1,
        format!("header has no {what} column (looked for {}); header is: {}", aliases.join(", "), c.names.join(",")),
    )
}
