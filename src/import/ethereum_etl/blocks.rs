//! `blocks` records (ethereum-etl `export_blocks_and_transactions` blocks, BigQuery
//! `crypto_ethereum.blocks`): each states a block's time, which the ledger gives to every
//! transfer of that block that came without one (token transfers, traces), in any import order.
//! A block stated again with another time is refused by the ledger, naming the earlier file.

use super::Out;
use super::fields::{Fields, parse_block_time, required, uint};
use crate::import::{BlockTime, Refusal};
use crate::model::Chain;

/// One `blocks` record: `number` and `timestamp` (Unix seconds, or BigQuery's
/// `2023-05-02 12:19:59 UTC`), within 2009-01-03 .. now + 1 day.
///
/// # Errors
/// The record's single [`Refusal`].
pub(super) fn block(f: &dyn Fields, chain: &Chain) -> Result<Out, Refusal> {
    let line = f.line();
    let number = uint(f, "number", "the block number")?
        .ok_or_else(|| Refusal::new(line, f.name("number"), "missing or empty: expected the block number"))?;
    let text = required(f, "timestamp", "the block's time (Unix seconds)")?;
    let time = parse_block_time(&text).map_err(|m| Refusal::new(line, f.name("timestamp"), m))?;
    Ok(Out::Block(BlockTime { chain: chain.id.clone(), number, time, line }))
}
