//! `traces` records (ethereum-etl `export_traces`, BigQuery `crypto_ethereum.traces`): the
//! internal ETH movements of transactions.
//!
//! Per `trace_type` (and `call_type` for calls):
//!
//! | trace | moves | becomes |
//! |---|---|---|
//! | `call` with `call_type` `call` (the top-level call included) | `value` from `from_address` to `to_address` | [`TransferKind::Internal`] |
//! | `call` with `call_type` `callcode` | `value` to the caller itself (the trace names it as `to_address`) | [`TransferKind::Internal`] |
//! | `call` with `call_type` `delegatecall` / `staticcall` | nothing (the value shown is the parent's) | skipped: `delegatecall/staticcall trace (moves no value)` |
//! | `create` | `value` from the creator to the new contract | [`TransferKind::Internal`] |
//! | `suicide` (selfdestruct) | the balance to the refund address | [`TransferKind::Internal`] |
//! | `reward` | new coins to the miner, no transaction (no hash) | skipped: `reward trace (block or uncle reward, no transaction)` |
//!
//! A trace of value 0 is skipped (`trace without value`). Other `trace_type`s or `call_type`s are
//! refused. `status` 0, or a non-empty `error`, marks the transfer failed (kept as evidence of the
//! attempt: the ledger moves no value for it); a `status` other than 0 or 1 is refused. Traces
//! have no time (BigQuery's `block_timestamp` is read when present): the ledger gives them their
//! block's time once a `blocks` export of that block is imported.
//!
//! The top-level call repeats the transaction's own `value` (the `transactions` export has it
//! as a [`TransferKind::Native`] transfer): import traces and transactions of the same blocks
//! knowing that the top-level call is the same movement seen twice.
//!
//! **Identity.** `position` encodes the trace's place in the call tree (`trace_address`, or the
//! part of `trace_id` after the hash when the export has no `trace_address`): the top-level
//! call is 0, and each level adds three decimal digits holding the child index plus one, so
//! `[]` → 0, `[0]` → 1, `[2,0,5]` → 3001006 (read it in groups of three). Paths deeper than six
//! levels or with a child index above 998 have no position (`None`). The ledger recognises a
//! transfer by chain, hash, kind, sender, receiver, asset, amount and its occurrence number in
//! the file: two traces of one transaction with equal parties and value get occurrences 0 and 1
//! in file order, so they never collide, and the same trace imported again from an overlapping
//! export is recognised as the same transfer.

use super::Out;
use super::fields::{Fields, address, base_units, block_time, required, required_address, status, tx_hash, uint};
use crate::import::Refusal;
use crate::model::{Chain, Transfer, TransferKind};

/// One `traces` record.
///
/// # Errors
/// The record's single [`Refusal`].
pub(super) fn trace(f: &dyn Fields, chain: &Chain) -> Result<Out, Refusal> {
    let line = f.line();
    let trace_type = required(f, "trace_type", "call, create, suicide or reward")?;
    let ok = status(f, "status")?;
    let value = base_units(f, "value", "wei")?;
    let block = uint(f, "block_number", "a block number")?;
    match trace_type.as_ref() {
        "reward" => return Ok(Out::Skip("reward trace (block or uncle reward, no transaction)")),
        "call" => {
            let call_type = required(f, "call_type", "call, callcode, delegatecall or staticcall")?;
            match call_type.as_ref() {
                "call" | "callcode" => {}
                "delegatecall" | "staticcall" => {
                    return Ok(Out::Skip("delegatecall/staticcall trace (moves no value)"));
                }
                other => {
                    return Err(Refusal::new(
                        line,
                        f.name("call_type"),
                        format!("found {other:?}: expected call, callcode, delegatecall or staticcall"),
                    ));
                }
            }
        }
        "create" | "suicide" => {}
        other => {
            return Err(Refusal::new(
                line,
                f.name("trace_type"),
                format!("found {other:?}: expected call, create, suicide or reward"),
            ));
        }
    }
    let path = trace_path(f)?;
    let tx_hash = tx_hash(f, "transaction_hash")?;
    let from = required_address(f, chain, "from_address")?;
    let error = f.get("error")?.is_some();
    let failed = ok == Some(false) || error;
    let to = address(f, chain, "to_address")?;
    if to.is_none() && !failed {
        return Err(Refusal::new(line, f.name("to_address"), "missing: expected the receiving address"));
    }
    if value.0 == 0 {
        return Ok(Out::Skip("trace without value"));
    }
    let time = block_time(f, "block_timestamp")?;
    Ok(Out::Transfer(Transfer {
        chain: chain.id.clone(),
        tx_hash,
        kind: TransferKind::Internal,
        position: position_of(&path),
        block,
        time,
        from: Some(from),
        to,
        asset: chain.native.clone(),
        amount_base: value,
        fee_base: None,
        failed,
        prev_out: None,
        line,
        method: None,
        stated_usd: None,
    }))
}

/// The trace's path in the call tree: `trace_address`, else the elements of `trace_id` after the
/// type and the hash; an empty (or null) `trace_address` without a `trace_id` is the top call.
fn trace_path(f: &dyn Fields) -> Result<Vec<u64>, Refusal> {
    let line = f.line();
    let (key, parts) = if let Some(list) = f.list("trace_address")? {
        ("trace_address", list)
    } else if let Some(id) = f.get("trace_id")? {
        // `call_0xHASH_0_1`: the elements after the type and the hash.
        ("trace_id", id.split('_').skip(2).filter(|s| !s.is_empty()).map(str::to_owned).collect())
    } else if f.has("trace_address") {
        ("trace_address", Vec::new())
    } else {
        return Err(Refusal::new(line, "trace_address", "missing: expected trace_address (or trace_id)"));
    };
    parts
        .iter()
        .map(|p| {
            p.parse::<u64>().ok().filter(|_| p.bytes().all(|b| b.is_ascii_digit())).ok_or_else(|| {
                Refusal::new(line, f.name(key), format!("found element {p:?}: expected child indexes such as 0,1"))
            })
        })
        .collect()
}

/// The position of a trace path: 0 for the top call, then three decimal digits per level
/// holding the child index plus one; `None` beyond six levels or index 998.
#[must_use]
pub(super) fn position_of(path: &[u64]) -> Option<i64> {
    if path.len() > 6 {
        return None;
    }
    path.iter().try_fold(0i64, |acc, &i| (i <= 998).then(|| acc * 1000 + i64::try_from(i + 1).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::position_of;

    #[test]
    fn positions_are_injective_and_readable() {
        assert_eq!(position_of(&[]), Some(0));
        assert_eq!(position_of(&[0]), Some(1));
        assert_eq!(position_of(&[0, 0]), Some(1001));
        assert_eq!(position_of(&[0, 1]), Some(1002));
        assert_eq!(position_of(&[1]), Some(2));
        assert_eq!(position_of(&[2, 0, 5]), Some(3_001_006));
        assert_eq!(position_of(&[998; 6]), Some(999_999_999_999_999_999));
        assert_eq!(position_of(&[999]), None);
        assert_eq!(position_of(&[0; 7]), None);
    }
}
