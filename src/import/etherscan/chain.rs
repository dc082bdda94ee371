//! Which chain an explorer export is read as. Never guessed: decided, in this order, by
//! 1. `--chain` (it must agree with the value unit and a chain column, else the file is refused);
//! 2. the value unit: of the header (`Value_IN(BNB)`, `TxnFee(ETH)`, `Value(AVAX)`,
//!    `ParentTxETH_Value`) or of the first data row's native amount (`Amount` `0.1 BNB`,
//!    `Txn Fee` `0.0004 ETH`). A unit native to one chain decides it; `ETH`, native to Ethereum
//!    and its L2s, is narrowed by the next rules and refused when none names one of them;
//! 3. a `ChainId` column (`43114`), else a `Chain` column (`Avalanche C-Chain`), of the first
//!    data row (every later row must name the same chain);
//! 4. the file name: `bscscan`/`bsc`, `polygonscan`, `arbiscan`, `basescan`, `snowtrace`,
//!    `snowscan`, `ftmscan`, `optimistic`, `etherscan`…
//!
//! When nothing decides, the read stops with [`ReadError::chain_undecided`] naming `--chain`.

use super::super::csvutil::Columns;
use super::super::explorer_common as common;
use super::super::{ReadContext, ReadError};
use super::cells;
use crate::model::{AddressRule, Chain, registry};

/// File-name hints, checked in order (`optimistic.etherscan.io` names contain "etherscan";
/// `bscscan` before the bare `bsc`).
const FILE_HINTS: [(&str, &str); 12] = [
    ("arbiscan", "arbitrum"),
    ("arbitrum", "arbitrum"),
    ("optimistic", "optimism"),
    ("optimism", "optimism"),
    ("basescan", "base"),
    ("bscscan", "bsc"),
    ("bsc", "bsc"),
    ("polygonscan", "polygon"),
    ("snowtrace", "avalanche"),
    ("snowscan", "avalanche"),
    ("ftmscan", "fantom"),
    ("etherscan", "ethereum"),
];

/// What a data row says about its chain: a native unit and the column that carries it, and
/// the chain a `ChainId`/`Chain` cell names, with a description of that cell.
#[derive(Debug, Default)]
pub struct RowEvidence {
    /// `(unit, column)` of a native amount in the row.
    pub unit: Option<(String, String)>,
    /// The chain a chain column names, and how it was named (`ChainId 43114`).
    pub column: Option<(&'static Chain, String)>,
}

/// Everything known before the rows: the option, the header's unit, the file-name hint.
pub struct Decider {
    option: Option<&'static Chain>,
    header_unit: Option<(String, String)>,
    hint: Option<(&'static str, &'static Chain)>,
    file_name: String,
}

impl Decider {
    /// Collects the file-level evidence.
    ///
    /// # Errors
    /// An unknown or non-EVM `--chain`, or a header with two native units.
    pub fn new(c: &Columns, ctx: &ReadContext<'_>) -> Result<Self, ReadError> {
        let option = common::chain_option(ctx)?;
        if let Some(chain) = option.filter(|ch| ch.address != AddressRule::Evm) {
            return Err(ReadError::format(
                1,
                format!("found --chain {}: expected an EVM chain for an explorer export", chain.id),
            ));
        }
        let file = ctx.file_name.to_ascii_lowercase();
        let hint = FILE_HINTS
            .iter()
            .find(|(h, _)| file.contains(h))
            .and_then(|(h, id)| registry().chain(id).ok().map(|c| (*h, c)));
        Ok(Decider { option, header_unit: header_unit(c)?, hint, file_name: ctx.file_name.to_owned() })
    }

    /// Decides the chain from the file-level evidence and the first data row's (`line`), and
    /// says how in words.
    ///
    /// # Errors
    /// [`ReadError::ChainUndecided`] when nothing decides; [`ReadError::Format`] when the
    /// evidence contradicts itself (`--chain bsc` with amounts in ETH).
    pub fn decide(&self, row: &RowEvidence, line: u64) -> Result<(&'static Chain, String), ReadError> {
        let unit = self.header_unit.clone().or_else(|| row.unit.clone());
        let where_unit = |col: &str| {
            if self.header_unit.is_some() { format!("column {col}") } else { format!("column {col}, line {line}") }
        };
        if let Some(chain) = self.option {
            if let Some((u, col)) = unit.as_ref().filter(|(u, _)| !common::is_native(chain, u)) {
                return Err(ReadError::format(
                    if self.header_unit.is_some() { 1 } else { line },
                    format!(
                        "found amounts in {u} ({}): expected {} for --chain {}",
                        where_unit(col),
                        chain.native,
                        chain.id
                    ),
                ));
            }
            if let Some((c, said)) = row.column.as_ref().filter(|(c, _)| c.id != chain.id) {
                return Err(ReadError::format(
                    line,
                    format!("found {said} (chain {}): expected --chain {} to agree with the file", c.id, chain.id),
                ));
            }
            return Ok((chain, "--chain option".to_owned()));
        }
        let evm: Vec<&'static Chain> = registry()
            .chain_ids()
            .into_iter()
            .filter_map(|id| registry().chain(id).ok())
            .filter(|c| c.address == AddressRule::Evm)
            .collect();
        let Some((u, col)) = unit else {
            if let Some((c, said)) = &row.column {
                return Ok((c, format!("chain column: {said}")));
            }
            if let Some((h, c)) = self.hint {
                return Ok((c, format!("file name contains {h}")));
            }
            let ids: Vec<&str> = evm.iter().map(|c| c.id.as_str()).collect();
            return Err(ReadError::chain_undecided(
                format!(
                    "no value unit in the header or the amounts, no ChainId or Chain column, no explorer name in the file name {}",
                    self.file_name
                ),
                &ids,
            ));
        };
        let unit_rule = format!("value unit {u} in {}", where_unit(&col));
        let candidates: Vec<&'static Chain> = evm.into_iter().filter(|c| common::is_native(c, &u)).collect();
        let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
        if let Some((c, said)) = &row.column {
            if candidates.iter().any(|k| k.id == c.id) {
                let rule =
                    if candidates.len() == 1 { unit_rule } else { format!("{unit_rule} and chain column: {said}") };
                return Ok((c, rule));
            }
            return Err(ReadError::format(
                line,
                format!(
                    "found {said} (chain {}) but amounts in {u} ({}): expected a chain whose native unit is {u}",
                    c.id,
                    where_unit(&col)
                ),
            ));
        }
        match candidates.as_slice() {
            [one] => Ok((one, unit_rule)),
            [] => {
                let all: Vec<&str> = registry().chain_ids();
                Err(ReadError::chain_undecided(
                    format!("{unit_rule} is the native unit of no chain hoptrace knows"),
                    &all,
                ))
            }
            many => match self.hint.filter(|(_, c)| many.iter().any(|k| k.id == c.id)) {
                Some((h, c)) => Ok((c, format!("{unit_rule} and file name contains {h}"))),
                None => Err(ReadError::chain_undecided(
                    format!(
                        "{unit_rule} is native to {}, and neither a chain column nor the file name {} names one of them",
                        ids.join(", "),
                        self.file_name
                    ),
                    &ids,
                )),
            },
        }
    }
}

/// The native unit the header names (`Value_IN(BNB)` → `BNB`), with the column that says so.
fn header_unit(c: &Columns) -> Result<Option<(String, String)>, ReadError> {
    let mut found: Option<(String, String)> = None;
    for (i, n) in c.normalized().iter().enumerate() {
        let unit = ["valuein(", "valueout(", "txnfee(", "value("]
            .iter()
            .find_map(|p| n.strip_prefix(p).and_then(|r| r.strip_suffix(')')))
            .or_else(|| n.strip_prefix("parenttx").and_then(|r| r.strip_suffix("value")))
            .filter(|u| !u.is_empty() && *u != "usd");
        let (Some(unit), Some(name)) = (unit, c.names.get(i)) else { continue };
        let unit = unit.to_ascii_uppercase();
        match &found {
            Some((u, first)) if *u != unit => {
                return Err(ReadError::format(
                    1,
                    format!("found units {u} ({first}) and {unit} ({name}) in the header: expected one native unit"),
                ));
            }
            Some(_) => {}
            None => found = Some((unit, name.clone())),
        }
    }
    Ok(found)
}

/// What a row's `ChainId` (preferred) or `Chain` cell names.
///
/// # Errors
/// A [`ReadError::Format`] for a chain id or name the registry does not know (at the first row
/// this stops the read; later rows turn it into a refusal).
pub fn column_chain(
    chain_id: Option<(&str, &str)>,
    chain_name: Option<(&str, &str)>,
    line: u64,
) -> Result<Option<(&'static Chain, String)>, (String, String)> {
    if let Some((t, f)) = chain_id {
        return match cells::chain_by_id(t) {
            Some(c) => Ok(Some((c, format!("{f} {}", t.trim())))),
            None => {
                let known: Vec<String> = crate::model::registry().evm_chain_ids();
                Err((
                    f.to_owned(),
                    format!(
                        "found {:?} on line {line}: expected a chain id hoptrace knows: {}",
                        t.trim(),
                        known.join(", ")
                    ),
                ))
            }
        };
    }
    if let Some((t, f)) = chain_name {
        return match cells::chain_by_name(t) {
            Some(c) => Ok(Some((c, format!("{f} {}", t.trim())))),
            None => Err((
                f.to_owned(),
                format!(
                    "found {:?} on line {line}: expected a chain hoptrace knows: {}",
                    t.trim(),
                    registry().chain_ids().join(", ")
                ),
            )),
        };
    }
    Ok(None)
}
