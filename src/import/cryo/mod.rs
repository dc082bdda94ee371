//! cryo (Paradigm) exports, Parquet (cryo's default) or CSV (`--csv`), of three datasets:
//!
//! - `erc20_transfers` (`block_number,transaction_index,log_index,transaction_hash,erc20,
//!   from_address,to_address,value_binary,value_string,value_f64,chain_id`): one
//!   [`TransferKind::Token`] transfer of the token at `erc20`, positioned by `log_index`.
//! - `native_transfers` (`block_number,block_hash,transaction_index,transfer_index,
//!   transaction_hash,from_address,to_address,value_binary,value_string,…,chain_id`): the value
//!   moved by every call trace. `transfer_index` 0 is the transaction's own call, read as
//!   [`TransferKind::Native`] (the same transfer ethereum-etl and explorers give, so the two
//!   count as duplicates); later indexes are [`TransferKind::Internal`]. Internal calls that
//!   move no value are skipped (counted); rows without a transaction hash (block and uncle
//!   rewards) are skipped (counted). cryo states no failure flag for traces: export with
//!   `--exclude-failed` to leave failed calls out.
//! - `transactions` (`block_number,transaction_index,transaction_hash,nonce,from_address,
//!   to_address,value_binary,value_string,…,gas_used,gas_price,…,success,chain_id`): one
//!   [`TransferKind::Native`] transfer; `success` false marks it failed; the fee is
//!   `gas_used × gas_price` when both are exported. An empty `to_address` (contract creation)
//!   has no receiver.
//!
//! The dataset is decided from the column names (`erc20` → erc20_transfers, `transfer_index`
//! → native_transfers, else transactions). Values are read exactly from `value_binary`
//! (big-endian bytes, at most 32; `0x` hex in CSV) or `value_string` (decimal digits), or
//! the plain `value` column of older cryo versions; when both are present they must agree.
//! `value_f64` is never read: a file that has only it is refused. Addresses and hashes are
//! binary in Parquet (20 and 32 bytes, written as lower-case `0x` hex) and `0x` hex in CSV.
//! cryo writes no time: transfers carry their block, and a blocks export gives them a time.
//!
//! Chain: the `chain_id` column (1 → ethereum, 56 → bsc, 137 → polygon, … the registry's `evm_chain_id`);
//! an id hoptrace does not know is refused. Without a `chain_id` column, `--chain` decides, or
//! the import stops with [`ReadError::ChainUndecided`]. One file holds one chain.
//!
//! Parquet is read from [`ReadContext::path`] row group by row group, so memory depends on the
//! row group size, not on the file size. A refusal's `line` is the global row number (1-based)
//! and its message names the row group.

mod columns;
mod pages;
mod parquet_file;

pub use parquet_file::check_page_headers;

use std::collections::BTreeSet;
use std::io::BufRead;

use csv::ByteRecord;

use super::csvutil::CsvFile;
use super::{AssetInfo, ReadContext, ReadError, Refusal, Sink};
use crate::model::{AddressRule, Chain, Transfer, TransferKind, registry};
pub use columns::Dataset;
use columns::{Cell, Field};

/// Reads a cryo export: Parquet (from `ctx.path`) when the stream starts with `PAR1`, else CSV.
///
/// # Errors
/// [`ReadError`] when the file is not a cryo dataset, lacks a required column, names an
/// unknown chain, or (Parquet) cannot be opened from disk.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    if input.fill_buf()?.starts_with(b"PAR1") {
        return parquet_file::read(ctx, sink);
    }
    read_csv(input, ctx, sink)
}

fn read_csv(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let mut file = CsvFile::open(input)?;
    let names = file.columns.names.clone();
    let layout = columns::Layout::new(&names).map_err(|m| ReadError::format(1, m))?;
    let mut conv = Converter::new(&layout, ctx)?;
    let mut rec = ByteRecord::new();
    while let Some(line) = file.next_row(&mut rec, sink)? {
        if let Err(r) = file.check_width(&rec, line) {
            sink.refuse(r);
            continue;
        }
        let mut cells = [Cell::Null; columns::FIELDS];
        let mut bad = None;
        for (f, idx) in layout.index.iter().enumerate() {
            if let Some(i) = idx {
                match file.optional(&rec, Some(*i), line) {
                    Ok(Some(text)) => cells[f] = Cell::Text(text),
                    Ok(None) => {}
                    Err(r) => bad = bad.or(Some(r)),
                }
            }
        }
        match bad {
            Some(r) => sink.refuse(r),
            None => conv.row(&cells, &Where { line, group: None }, sink)?,
        }
    }
    Ok(())
}

/// Where a row is: its `line` (CSV line, or global 1-based row number of a Parquet file) and,
/// for Parquet, the row group and the row within it (both 0-based, as Parquet tools count).
pub(crate) struct Where {
    line: u64,
    group: Option<(usize, usize)>,
}

impl Where {
    fn refusal(&self, field: &str, message: &str) -> Refusal {
        match self.group {
            Some((g, r)) => Refusal::new(self.line, field, format!("row group {g}, row {r}: {message}")),
            None => Refusal::new(self.line, field, message),
        }
    }
}

/// Turns rows of cells into transfers: the per-file state (chain, tokens seen).
pub(crate) struct Converter<'l> {
    layout: &'l columns::Layout,
    chain: Option<(&'static Chain, Option<u64>)>,
    option: Option<&'static Chain>,
    reported: bool,
    tokens: BTreeSet<String>,
}

impl<'l> Converter<'l> {
    /// Decides what can be decided before the first row: without a `chain_id` column the chain
    /// is `--chain`, or the import stops.
    pub(crate) fn new(layout: &'l columns::Layout, ctx: &ReadContext<'_>) -> Result<Self, ReadError> {
        let option = super::explorer_common::chain_option(ctx)?;
        if let Some(c) = option.filter(|c| c.address != AddressRule::Evm) {
            return Err(ReadError::format(1, format!("--chain {}: expected an EVM chain for a cryo export", c.id)));
        }
        // The EVM chains, in chain id order (as the registry's ids list them in messages).
        let mut evm: Vec<(u64, &str)> = registry()
            .chain_ids()
            .into_iter()
            .filter_map(|c| registry().chain(c).ok().and_then(|ch| ch.evm_chain_id).map(|n| (n, c)))
            .collect();
        evm.sort_unstable();
        let known: Vec<&str> = evm.into_iter().map(|(_, c)| c).collect();
        let chain = match (layout.has(Field::ChainId), option) {
            (true, _) => None,
            (false, Some(c)) => Some((c, None)),
            (false, None) => {
                return Err(ReadError::chain_undecided(
                    format!("the cryo {} export has no chain_id column", layout.dataset.name()),
                    &known,
                ));
            }
        };
        Ok(Converter { layout, chain, option, reported: false, tokens: BTreeSet::new() })
    }

    /// The chain of a row: the first row's `chain_id` decides the file's chain.
    fn chain_of(&mut self, cells: &[Cell<'_>], at: &Where, sink: &mut dyn Sink) -> Result<ChainCheck, ReadError> {
        if let Some((c, None)) = self.chain {
            if !self.reported {
                self.reported = true;
                sink.chain_decided(&c.id, "--chain option (the cryo export has no chain_id column)");
            }
            return Ok(ChainCheck::Ok(c));
        }
        let id = match columns::uint(cells[Field::ChainId as usize], "the EIP-155 chain id") {
            Ok(Some(id)) => id,
            Ok(None) => return Ok(ChainCheck::Refused(at.refusal("chain_id", "empty: expected the EIP-155 chain id"))),
            Err(m) => return Ok(ChainCheck::Refused(at.refusal("chain_id", &m))),
        };
        if let Some((c, Some(first))) = self.chain {
            if first == id {
                return Ok(ChainCheck::Ok(c));
            }
            let m = format!("found {id}: expected {first} like the file's first row (one chain per file)");
            return Ok(ChainCheck::Refused(at.refusal("chain_id", &m)));
        }
        let known = || registry().evm_chain_ids().join(", ");
        let Some(chain) = registry().chain_by_evm_id(id) else {
            let m = format!("column chain_id: found {id}: expected a chain id hoptrace knows: {}", known());
            let r = at.refusal("chain_id", &m);
            return Err(ReadError::format(at.line, r.message));
        };
        if let Some(opt) = self.option.filter(|o| o.id != chain.id) {
            return Err(ReadError::format(
                at.line,
                format!("--chain {} contradicts the file's chain_id {id} ({}): leave out --chain", opt.id, chain.id),
            ));
        }
        self.chain = Some((chain, Some(id)));
        sink.chain_decided(&chain.id, &format!("chain_id column ({id})"));
        Ok(ChainCheck::Ok(chain))
    }

    /// Converts one row.
    pub(crate) fn row(&mut self, cells: &[Cell<'_>], at: &Where, sink: &mut dyn Sink) -> Result<(), ReadError> {
        let chain = match self.chain_of(cells, at, sink)? {
            ChainCheck::Ok(c) => c,
            ChainCheck::Refused(r) => {
                sink.refuse(r);
                return Ok(());
            }
        };
        match self.transfer(cells, chain, at) {
            Ok(Some(t)) => {
                if t.kind == TransferKind::Token && self.tokens.insert(t.asset.clone()) {
                    sink.asset(AssetInfo {
                        chain: chain.id.clone(),
                        asset: t.asset.clone(),
                        symbol: None,
                        decimals: None,
                        name: None,
                    })?;
                }
                sink.transfer(t)
            }
            Ok(None) => Ok(()),
            Err(Skip::Refused(r)) => {
                sink.refuse(r);
                Ok(())
            }
            Err(Skip::Skipped(reason)) => {
                sink.skip(at.line, reason);
                Ok(())
            }
        }
    }

    fn transfer(&self, cells: &[Cell<'_>], chain: &Chain, at: &Where) -> Result<Option<Transfer>, Skip> {
        let name = |f: Field| self.layout.name(f);
        let refuse = |f: Field, m: String| Skip::Refused(at.refusal(name(f), &m));
        let cell = |f: Field| cells.get(f as usize).copied().unwrap_or(Cell::Null);
        let int = |f: Field, what: &str| {
            columns::uint(cell(f), what)
                .map_err(|m| refuse(f, m))?
                .map(i64::try_from)
                .transpose()
                .map_err(|_| refuse(f, format!("found a number above {}: expected {what}", i64::MAX)))
        };
        let addr = |f: Field| columns::address(cell(f), chain).map_err(|m| refuse(f, m));
        let dataset = self.layout.dataset;
        let hash = match columns::hash(cell(Field::TxHash)).map_err(|m| refuse(Field::TxHash, m))? {
            Some(h) => h,
            None if dataset == Dataset::NativeTransfers => {
                return Err(Skip::Skipped("block or uncle reward (no transaction)"));
            }
            None => return Err(refuse(Field::TxHash, "empty: expected the transaction hash".to_owned())),
        };
        let block = int(Field::Block, "the block number")?;
        let amount = columns::amount(cells, self.layout).map_err(|(f, m)| refuse(f, m))?;
        let from = addr(Field::From)?.ok_or_else(|| refuse(Field::From, "empty: expected an address".to_owned()))?;
        let to = addr(Field::To)?;
        let mut t = Transfer {
            chain: chain.id.clone(),
            tx_hash: hash,
            kind: TransferKind::Native,
            position: None,
            block,
            time: None,
            from: Some(from),
            to,
            asset: chain.native.clone(),
            amount_base: amount,
            fee_base: None,
            failed: false,
            prev_out: None,
            line: at.line,
            method: None,
            stated_usd: None,
        };
        match dataset {
            Dataset::Erc20Transfers => {
                t.kind = TransferKind::Token;
                t.asset = addr(Field::Erc20)?
                    .ok_or_else(|| refuse(Field::Erc20, "empty: expected the token contract address".to_owned()))?;
                t.position = int(Field::LogIndex, "the log index")?;
                if t.to.is_none() {
                    return Err(refuse(Field::To, "empty: expected an address".to_owned()));
                }
            }
            Dataset::NativeTransfers => {
                let index = int(Field::TransferIndex, "the transfer index")?;
                if index.is_some_and(|i| i > 0) {
                    if t.amount_base.0 == 0 {
                        return Err(Skip::Skipped("internal call without value"));
                    }
                    t.kind = TransferKind::Internal;
                    t.position = index;
                }
            }
            Dataset::Transactions => {
                t.failed = match cell(Field::Success) {
                    Cell::Null => false,
                    c => !columns::boolean(c).map_err(|m| refuse(Field::Success, m))?,
                };
                let gas = |f: Field, what: &str| columns::uint(cell(f), what).map_err(|m| refuse(f, m));
                if let (Some(g), Some(p)) =
                    (gas(Field::GasUsed, "gas used")?, gas(Field::GasPrice, "a gas price in wei")?)
                {
                    t.fee_base = Some(crate::model::Amount(ethnum::U256::from(g) * ethnum::U256::from(p)));
                }
            }
        }
        Ok(Some(t))
    }
}

enum ChainCheck {
    Ok(&'static Chain),
    Refused(Refusal),
}

enum Skip {
    Refused(Refusal),
    Skipped(&'static str),
}

#[cfg(test)]
mod tests;
