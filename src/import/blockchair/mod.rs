//! Blockchair database dumps of Bitcoin (`https://gz.blockchair.com/bitcoin/`): one
//! tab-separated file per table per day, plain or gzip (`.tsv.gz`, decompressed while
//! streaming; the ledger hashes the compressed bytes as they are on disk).
//!
//! - `outputs` (`block_id,transaction_hash,index,time,value,value_usd,recipient,type,
//!   script_hex,is_from_coinbase,is_spendable`): one [`TransferKind::UtxoOutput`] a row, to
//!   `recipient`, positioned by `index`, of `value` satoshi at `time`; `value_usd` is kept as
//!   the source's stated USD value.
//! - `inputs` (the outputs columns plus `spending_block_id,spending_transaction_hash,
//!   spending_index,spending_time,spending_value_usd,spending_sequence,…`): a row is an output
//!   and the input that spends it. It becomes one [`TransferKind::UtxoInput`] of the SPENDING
//!   transaction (`spending_transaction_hash`, position `spending_index`, block
//!   `spending_block_id`, time `spending_time`) spending `(transaction_hash, index)`, from
//!   `recipient`, of `value` satoshi: the row states the spent output, so the input's address
//!   and amount are known without the outputs file. Its identity is the one Bitcoin Core RPC
//!   gives the same input (chain, spending transaction, kind, spent output), so importing both
//!   sources counts duplicates, never twice the value; inputs and outputs may come in any
//!   order.
//! - `transactions` (`block_id,hash,time,…,is_coinbase,…,fee,…`): no transfers of its own (the
//!   value moves in the outputs and inputs files). Rows are checked (hash, block, time, fee)
//!   and skipped with the counted reason [`TX_ROW`]; each block's `time` is recorded as that
//!   block's time (see [`Sink::block_time`]), which times transfers of other sources that came
//!   without one.
//!
//! Outputs without a single address: `recipient` not an address (Blockchair writes a
//! pseudo-address for multisig and nonstandard scripts) with value → the pseudo-address
//! `nonstandard:TXID:N`, as the Bitcoin Core reader names it; without value → skipped.
//!
//! Chain: `--chain` when given (a UTXO chain of the registry); else a file name naming another
//! Blockchair chain (`litecoin`, `dogecoin`, `bitcoin-cash`…) is that chain when the registry
//! has it and refused when not; else Bitcoin.

#[cfg(test)]
mod tests;

use std::io::{BufRead, BufReader};

use flate2::bufread::MultiGzDecoder;

use super::time::check_range;
use super::{BlockTime, ReadContext, ReadError, Refusal, Sink};
use crate::model::{Amount, Chain, ChainModel, Transfer, TransferKind, registry};

/// The skip reason of a `transactions` row.
pub const TX_ROW: &str = "Blockchair transactions row (fee and totals; value moves in the outputs and inputs files)";

/// Blockchair's other chains, as their dump file names spell them.
const OTHER_CHAINS: [&str; 9] = [
    "bitcoin-cash",
    "bitcoin_cash",
    "bitcoin-sv",
    "bitcoin_sv",
    "litecoin",
    "dogecoin",
    "dash",
    "groestlcoin",
    "zcash",
];

/// Which table a dump holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Transactions,
    Outputs,
    Inputs,
}

/// Column indexes of the fields the reader uses (`None` when the table has no such column).
#[derive(Default)]
struct Cols {
    block: usize,
    tx: usize,
    index: usize,
    time: usize,
    value: usize,
    value_usd: Option<usize>,
    recipient: usize,
    kind: usize,
    spend_block: usize,
    spend_tx: usize,
    spend_index: usize,
    spend_time: usize,
    spend_usd: Option<usize>,
    fee: usize,
    coinbase: usize,
}

/// Decides the table from the header (tab-separated names).
///
/// # Errors
/// A message naming the missing column or the expected headers.
fn layout(names: &[&str]) -> Result<(Table, Cols), String> {
    let find = |n: &str| names.iter().position(|c| *c == n);
    let table = if find("spending_transaction_hash").is_some() {
        Table::Inputs
    } else if find("recipient").is_some() && find("transaction_hash").is_some() {
        Table::Outputs
    } else if find("hash").is_some() && find("is_coinbase").is_some() {
        Table::Transactions
    } else {
        return Err(format!(
            "found the header {:?}: expected a Blockchair dump of transactions (block_id,hash,time,…), outputs \
             (block_id,transaction_hash,index,time,value,value_usd,recipient,type,…) or inputs (the outputs \
             columns plus spending_block_id,spending_transaction_hash,spending_index,spending_time,…), tab-separated",
            names.join("\t")
        ));
    };
    let need = |n: &str| {
        find(n)
            .ok_or_else(|| format!("the Blockchair {table:?} header has no {n} column: header is {}", names.join("\t")))
    };
    let mut c = Cols { block: need("block_id")?, time: need("time")?, ..Cols::default() };
    match table {
        Table::Transactions => {
            c.tx = need("hash")?;
            c.fee = need("fee")?;
            c.coinbase = need("is_coinbase")?;
        }
        Table::Outputs | Table::Inputs => {
            c.tx = need("transaction_hash")?;
            c.index = need("index")?;
            c.value = need("value")?;
            c.value_usd = find("value_usd");
            c.recipient = need("recipient")?;
            c.kind = need("type")?;
            if table == Table::Inputs {
                c.spend_block = need("spending_block_id")?;
                c.spend_tx = need("spending_transaction_hash")?;
                c.spend_index = need("spending_index")?;
                c.spend_time = need("spending_time")?;
                c.spend_usd = find("spending_value_usd");
            }
        }
    }
    Ok((table, c))
}

/// The chain of the dump and the rule that decided it.
fn chain(ctx: &ReadContext<'_>) -> Result<(&'static Chain, String), ReadError> {
    if let Some(c) = super::explorer_common::chain_option(ctx)? {
        if c.model != ChainModel::Utxo {
            return Err(ReadError::format(1, format!("--chain {}: expected a UTXO chain for a Blockchair dump", c.id)));
        }
        return Ok((c, "--chain option".to_owned()));
    }
    let name = ctx.file_name.to_ascii_lowercase();
    if let Some(other) = OTHER_CHAINS.iter().find(|c| name.contains(*c)) {
        let id = other.replace('-', "_");
        return match registry().chain(&id).or_else(|_| registry().chain(other)) {
            Ok(c) => Ok((c, format!("file name contains {other}"))),
            Err(_) => Err(ReadError::format(
                1,
                format!(
                    "the file name names {other}, a chain hoptrace's registry does not know: expected a Blockchair \
                     bitcoin dump (or pass --chain bitcoin if the file is Bitcoin's)"
                ),
            )),
        };
    }
    // Every Blockchair chain's dump has the same columns: only the name (or --chain) tells.
    if name.contains("bitcoin") {
        let c = registry().chain("bitcoin").map_err(|e| ReadError::format(1, e.to_string()))?;
        return Ok((c, "file name contains bitcoin".to_owned()));
    }
    let utxo: Vec<&str> = registry()
        .chain_ids()
        .into_iter()
        .filter(|c| registry().chain(c).is_ok_and(|c| c.model == ChainModel::Utxo))
        .collect();
    Err(ReadError::chain_undecided(
        "a Blockchair dump has the same columns on every chain and its file name names none",
        &utxo,
    ))
}

/// Reads a Blockchair dump, plain or gzip.
///
/// # Errors
/// [`ReadError`] for a header that is no Blockchair table, truncated or corrupt gzip data, or
/// a file name naming a chain hoptrace does not know.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let (chain, rule) = chain(ctx)?;
    if input.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        let mut plain = BufReader::with_capacity(1 << 16, MultiGzDecoder::new(input));
        read_tsv(&mut plain, chain, &rule, true, sink)
    } else {
        read_tsv(input, chain, &rule, false, sink)
    }
}

fn read_tsv(
    input: &mut dyn BufRead,
    chain: &Chain,
    rule: &str,
    gzip: bool,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut next = |buf: &mut Vec<u8>, line: u64| -> Result<bool, ReadError> {
        buf.clear();
        match input.read_until(b'\n', buf) {
            Ok(n) => Ok(n > 0),
            Err(e)
                if gzip
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::UnexpectedEof
                            | std::io::ErrorKind::InvalidData
                            | std::io::ErrorKind::InvalidInput
                    ) =>
            {
                Err(ReadError::format(
                    line + 1,
                    format!(
                        "the gzip data is truncated or corrupt after line {line} ({e}): expected a complete .tsv.gz \
                         (download it again)"
                    ),
                ))
            }
            Err(e) => Err(ReadError::Io(e)),
        }
    };
    if !next(&mut buf, 0)? {
        return Err(ReadError::format(1, "empty file: expected a Blockchair header line"));
    }
    line += 1;
    let header = std::str::from_utf8(&buf)
        .map_err(|_| ReadError::format(1, "the header is not UTF-8 text: expected a Blockchair TSV header"))?;
    let names: Vec<&str> = header.trim_start_matches('\u{feff}').trim_end_matches(['\n', '\r']).split('\t').collect();
    let (table, cols) = layout(&names).map_err(|m| ReadError::format(1, m))?;
    let width = names.len();
    let header_names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
    sink.chain_decided(&chain.id, rule);
    let mut last_block = None;
    while next(&mut buf, line)? {
        line += 1;
        let Ok(text) = std::str::from_utf8(&buf) else {
            sink.row();
            sink.refuse(Refusal::new(line, "row", "line is not UTF-8 text: expected a Blockchair TSV row"));
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            sink.skip(line, "blank line");
            continue;
        }
        sink.row();
        let cells: Vec<&str> = text.split('\t').collect();
        if cells.len() != width {
            let m = format!("expected {width} tab-separated columns as in the header, found {}", cells.len());
            sink.refuse(Refusal::new(line, "row", m));
            continue;
        }
        let row = Row { cells: &cells, names: &header_names, line };
        let result = match table {
            Table::Transactions => transaction(&row, &cols, chain, &mut last_block),
            Table::Outputs => row.output(&cols, chain).map(Some),
            Table::Inputs => row.input(&cols, chain).map(|t| Some(Emit::Transfer(t))),
        };
        match result {
            Ok(Some(Emit::Transfer(t))) => sink.transfer(t)?,
            Ok(Some(Emit::Skip(reason))) => sink.skip(line, reason),
            Ok(Some(Emit::Block(b))) => {
                sink.block_time(b)?;
                sink.skip(line, TX_ROW);
            }
            Ok(None) => {}
            Err(r) => sink.refuse(r),
        }
    }
    Ok(())
}

// One value a row, moved straight into the sink: boxing the transfer would cost an
// allocation per row for nothing.
#[allow(clippy::large_enum_variant)]
enum Emit {
    Transfer(Transfer),
    Skip(&'static str),
    /// A transactions row: its block's time (first row of the block), then skipped.
    Block(BlockTime),
}

fn transaction(row: &Row<'_>, c: &Cols, chain: &Chain, last_block: &mut Option<i64>) -> Result<Option<Emit>, Refusal> {
    row.txid(c.tx)?;
    let block = row.int(c.block, "the block height")?;
    let time = row.time(c.time)?;
    row.sat(c.fee)?;
    let coinbase = row.get(c.coinbase);
    if !matches!(coinbase, "0" | "1" | "true" | "false") {
        return Err(row.refuse(c.coinbase, format!("found {coinbase:?}: expected 0 or 1")));
    }
    if *last_block == Some(block) {
        return Ok(Some(Emit::Skip(TX_ROW)));
    }
    *last_block = Some(block);
    Ok(Some(Emit::Block(BlockTime { chain: chain.id.clone(), number: block, time, line: row.line })))
}

/// One data row with the header, for cell parsers that name their column.
struct Row<'a> {
    cells: &'a [&'a str],
    names: &'a [String],
    line: u64,
}

impl Row<'_> {
    fn get(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", |s| s.trim())
    }

    fn refuse(&self, i: usize, message: String) -> Refusal {
        Refusal::new(self.line, self.names.get(i).map_or("?", String::as_str), message)
    }

    fn int(&self, i: usize, what: &str) -> Result<i64, Refusal> {
        let t = self.get(i);
        match t.parse::<i64>() {
            Ok(v) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
            _ => Err(self.refuse(i, format!("found {t:?}: expected {what}, a whole number"))),
        }
    }

    fn txid(&self, i: usize) -> Result<String, Refusal> {
        let t = self.get(i);
        if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(t.to_ascii_lowercase())
        } else {
            Err(self.refuse(i, format!("found {t:?}: expected a transaction hash of 64 hexadecimal digits")))
        }
    }

    fn sat(&self, i: usize) -> Result<Amount, Refusal> {
        let t = self.get(i);
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            return Amount::parse_base_units(t).map_err(|e| self.refuse(i, e.to_string()));
        }
        Err(self.refuse(
            i,
            format!("found {t:?}: expected a whole number of satoshis (Blockchair states values in satoshi)"),
        ))
    }

    fn time(&self, i: usize) -> Result<i64, Refusal> {
        let t = self.get(i);
        let parsed = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", t)
            .ok()
            .filter(|_| t.len() == 19)
            .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
            .map(|ts| ts.as_second());
        match parsed {
            Some(secs) => check_range(secs).map_err(|m| self.refuse(i, m)),
            None => {
                Err(self
                    .refuse(i, format!("found {t:?}: expected a UTC time YYYY-MM-DD HH:MM:SS as Blockchair writes it")))
            }
        }
    }

    fn usd(&self, i: Option<usize>) -> Result<Option<String>, Refusal> {
        let Some(i) = i else { return Ok(None) };
        let t = self.get(i);
        if t.is_empty() {
            return Ok(None);
        }
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !int.is_empty() && digits(int) && digits(frac) && !(t.contains('.') && frac.is_empty()) {
            Ok(Some(t.to_owned()))
        } else {
            Err(self.refuse(i, format!("found {t:?}: expected a USD amount such as 1234.5678")))
        }
    }

    /// The payee of the output the row states: its address, the `nonstandard:TXID:N`
    /// pseudo-address when it pays no single address, `None` when it pays nothing.
    fn payee(&self, c: &Cols, chain: &Chain, txid: &str, n: i64, value: Amount) -> Result<Option<String>, Refusal> {
        let recipient = self.get(c.recipient);
        if let Ok(a) = registry().normalize_address(&chain.id, recipient) {
            return Ok(Some(a));
        }
        let kind = self.get(c.kind);
        let no_address = matches!(kind, "nulldata" | "nonstandard" | "multisig" | "witness_unknown");
        if !no_address {
            let m = format!("found {recipient:?} for an output of type {kind:?}: expected a {} address", chain.name);
            return Err(self.refuse(c.recipient, m));
        }
        Ok((value != Amount::ZERO).then(|| format!("nonstandard:{txid}:{n}")))
    }

    fn output(&self, c: &Cols, chain: &Chain) -> Result<Emit, Refusal> {
        let txid = self.txid(c.tx)?;
        let block = self.int(c.block, "the block height")?;
        let index = self.int(c.index, "the output index")?;
        let time = self.time(c.time)?;
        let value = self.sat(c.value)?;
        let usd = self.usd(c.value_usd)?;
        let Some(to) = self.payee(c, chain, &txid, index, value)? else {
            let reason = if self.get(c.kind) == "nulldata" {
                "OP_RETURN/nulldata output without value"
            } else {
                "output without address and without value"
            };
            return Ok(Emit::Skip(reason));
        };
        let mut t = utxo(chain, txid, TransferKind::UtxoOutput, index, block, time, self.line);
        t.to = Some(to);
        t.amount_base = value;
        t.stated_usd = usd;
        Ok(Emit::Transfer(t))
    }

    fn input(&self, c: &Cols, chain: &Chain) -> Result<Transfer, Refusal> {
        let prev_tx = self.txid(c.tx)?;
        let prev_n = self.int(c.index, "the spent output's index")?;
        self.int(c.block, "the block height")?;
        self.time(c.time)?;
        let value = self.sat(c.value)?;
        let spender = self.txid(c.spend_tx)?;
        let block = self.int(c.spend_block, "the spending block's height")?;
        let index = self.int(c.spend_index, "the input's index")?;
        let time = self.time(c.spend_time)?;
        let usd = self.usd(c.spend_usd)?;
        let from = self.payee(c, chain, &prev_tx, prev_n, value)?;
        let mut t = utxo(chain, spender, TransferKind::UtxoInput, index, block, time, self.line);
        t.from = from;
        t.amount_base = value;
        t.prev_out = Some((prev_tx, prev_n));
        t.stated_usd = usd;
        Ok(t)
    }
}

fn utxo(chain: &Chain, tx: String, kind: TransferKind, position: i64, block: i64, time: i64, line: u64) -> Transfer {
    Transfer {
        chain: chain.id.clone(),
        tx_hash: tx,
        kind,
        position: Some(position),
        block: Some(block),
        time: Some(time),
        from: None,
        to: None,
        asset: chain.native.clone(),
        amount_base: Amount::ZERO,
        fee_base: None,
        failed: false,
        prev_out: None,
        line,
        method: None,
        stated_usd: None,
    }
}
