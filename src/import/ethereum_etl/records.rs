//! Transactions and token transfers: one record → one [`Transfer`].

use super::Out;
use super::fields::{Fields, address, base_units, block_time, required_address, status, strict_units, tx_hash, uint};
use crate::import::Refusal;
use crate::model::{Amount, Chain, Transfer, TransferKind};

/// One `transactions` record: a [`TransferKind::Native`] transfer of `value` wei.
///
/// # Errors
/// The record's single [`Refusal`].
pub(super) fn transaction(f: &dyn Fields, chain: &Chain) -> Result<Out, Refusal> {
    let line = f.line();
    let tx_hash = tx_hash(f, "hash")?;
    let from = Some(required_address(f, chain, "from_address")?);
    let block = uint(f, "block_number", "a block number")?;
    let time = block_time(f, "block_timestamp")?;
    let value = base_units(f, "value", "wei")?;
    let to = match address(f, chain, "to_address")? {
        Some(a) => Some(a),
        None => address(f, chain, "receipt_contract_address")?,
    };
    let failed = status(f, "receipt_status")? == Some(false);
    let fee_base = match (f.get("receipt_gas_used")?, f.get("receipt_effective_gas_price")?) {
        (Some(g), Some(p)) => {
            let g = strict_units(&g, "gas").map_err(|m| Refusal::new(line, f.name("receipt_gas_used"), m))?;
            let p = strict_units(&p, "wei per gas")
                .map_err(|m| Refusal::new(line, f.name("receipt_effective_gas_price"), m))?;
            Some(Amount(g.0.checked_mul(p.0).ok_or_else(|| {
                Refusal::new(line, f.name("receipt_gas_used"), "gas used × gas price exceeds 2^256 - 1")
            })?))
        }
        _ => None,
    };
    Ok(Out::Transfer(Transfer {
        chain: chain.id.clone(),
        tx_hash,
        kind: TransferKind::Native,
        position: None,
        block,
        time,
        from,
        to,
        asset: chain.native.clone(),
        amount_base: value,
        fee_base,
        failed,
        prev_out: None,
        line,
        method: None,
        stated_usd: None,
    }))
}

/// One `token_transfers` record: a [`TransferKind::Token`] transfer positioned by `log_index`,
/// with the token's `decimals` when the export states them (BigQuery joins may).
///
/// # Errors
/// The record's single [`Refusal`].
pub(super) fn token_transfer(f: &dyn Fields, chain: &Chain) -> Result<Out, Refusal> {
    let line = f.line();
    let tx_hash = tx_hash(f, "transaction_hash")?;
    let from = Some(required_address(f, chain, "from_address")?);
    let block = uint(f, "block_number", "a block number")?;
    let time = block_time(f, "block_timestamp")?;
    let value = base_units(f, "value", "token base units")?;
    let asset = address(f, chain, "token_address")?
        .ok_or_else(|| Refusal::new(line, f.name("token_address"), "missing: expected a token contract address"))?;
    let to = Some(required_address(f, chain, "to_address")?);
    let position = uint(f, "log_index", "the log index")?;
    let decimals = match uint(f, "decimals", "the token's decimals")? {
        None => None,
        Some(d) => Some(u8::try_from(d).ok().filter(|d| *d <= 77).ok_or_else(|| {
            Refusal::new(line, f.name("decimals"), format!("found {d}: expected at most 77 decimals"))
        })?),
    };
    Ok(Out::Token(
        Transfer {
            chain: chain.id.clone(),
            tx_hash,
            kind: TransferKind::Token,
            position,
            block,
            time,
            from,
            to,
            asset,
            amount_base: value,
            fee_base: None,
            failed: false,
            prev_out: None,
            line,
            method: None,
            stated_usd: None,
        },
        decimals,
    ))
}
