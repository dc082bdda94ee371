//! The queries behind [`Ledger`] for the SQLite ledger (expansion itself is in
//! [`super::scan`]).

use std::collections::{BTreeMap, HashMap};

use rusqlite::Row;
use rusqlite::types::ValueRef;

use super::scan::Meta;
use super::{
    AddressSummary, AssetCount, AssetInfo, BatchInfo, DEFAULT_TOP, Direction, Expansion, Filter, Ledger, LedgerError,
    LedgerInfo, Provenance, SCAN_CAP, SideSummary, SqliteLedger, TransferRow, canonical_address, codec,
};
use crate::model::{Category, Label, Total, Transfer, TransferKind, registry};

/// A full transfer row with names resolved from the id tables.
/// Chain and asset come back as ids, named from the cached [`super::scan::Meta`].
const ROW_SELECT: &str = "SELECT t.id, t.chain, h.tx_hash, t.kind, t.position, t.block, t.time, fa.address, ta.address,
    t.asset_id, t.amount, t.fee, t.failed, h.prev_tx, t.prev_pos, t.batch_id, t.line, n.method, n.stated_usd
    FROM transfers t JOIN transfer_hashes h ON h.id = t.id
    LEFT JOIN addresses fa ON fa.id = t.from_id LEFT JOIN addresses ta ON ta.id = t.to_id
    LEFT JOIN transfer_notes n ON n.id = t.id";

impl SqliteLedger {
    /// Full rows for `ids`, in the order given.
    fn rows_by_id(&self, ids: &[i64]) -> Result<Vec<TransferRow>, LedgerError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let batches = self.batch_names()?;
        let meta = self.meta()?;
        let mut by_id = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(10_000) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let mut stmt = self
                .conn
                .prepare(&format!("{ROW_SELECT} WHERE t.id IN ({list})"))
                .map_err(self.err("read transfers"))?;
            let rows = stmt.query_map([], |r| transfer_row(r, &batches, &meta)).map_err(self.err("read transfers"))?;
            for r in rows {
                let r = r.map_err(self.err("read transfers"))?;
                by_id.insert(r.id, r);
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    fn batch_names(&self) -> Result<HashMap<i64, (String, String)>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, file_name, sha256 FROM import_batches")
            .map_err(self.err("read batches"))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))).map_err(self.err("read batches"))?;
        rows.collect::<Result<_, _>>().map_err(self.err("read batches"))
    }

    fn side(&self, address: &str, dir: Direction) -> Result<SideSummary, LedgerError> {
        let filter = Filter { include_failed: false, ..Filter::default() };
        Ok(self.scan(address, dir, &filter, 0)?.shown)
    }
}

fn transfer_row(r: &Row<'_>, batches: &HashMap<i64, (String, String)>, meta: &Meta) -> rusqlite::Result<TransferRow> {
    let kind_code: i64 = r.get(3)?;
    let chain = meta.chains.get(&r.get::<_, i64>(1)?).cloned().unwrap_or_default();
    let asset = meta.assets.get(&r.get::<_, i64>(9)?).map(|a| a.1.clone()).unwrap_or_default();
    let fee: Option<Vec<u8>> = r.get(11)?;
    let prev_tx = match r.get_ref(13)? {
        ValueRef::Null => None,
        v => Some(codec::tx_from_sql(&chain, v)),
    };
    let prev_pos: Option<i64> = r.get(14)?;
    let batch_id: i64 = r.get(15)?;
    let line: i64 = r.get(16)?;
    let (file_name, file_sha256) = batches.get(&batch_id).cloned().unwrap_or_default();
    Ok(TransferRow {
        id: r.get(0)?,
        transfer: Transfer {
            tx_hash: codec::tx_from_sql(&chain, r.get_ref(2)?),
            chain,
            kind: TransferKind::from_code(kind_code).unwrap_or(TransferKind::Native),
            position: r.get(4)?,
            block: r.get(5)?,
            time: r.get(6)?,
            from: r.get(7)?,
            to: r.get(8)?,
            asset,
            // An unknown amount (NULL) reads as zero here; `TransferRow::amount` says it is unknown.
            amount_base: codec::amount_column(r.get_ref(10)?)?.unwrap_or_default(),
            fee_base: fee.and_then(|f| codec::amount_from_sql(&f)),
            failed: r.get(12)?,
            prev_out: prev_tx.zip(prev_pos),
            line: u64::try_from(line).unwrap_or(0),
            method: r.get(17)?,
            stated_usd: r.get(18)?,
        },
        provenance: Provenance { batch_id, file_name, file_sha256, line: u64::try_from(line).unwrap_or(0) },
    })
}

pub(super) fn label_row(r: &Row<'_>) -> rusqlite::Result<Label> {
    let category: String = r.get(3)?;
    let actor: String = r.get(5)?;
    let line: i64 = r.get(11)?;
    Ok(Label {
        chain: r.get(0)?,
        address: r.get(1)?,
        entity: r.get(2)?,
        category: Category::parse(&category).unwrap_or(Category::Unknown),
        source_category: r.get(4)?,
        actor: (!actor.is_empty()).then_some(actor),
        source: r.get(6)?,
        confidence: r.get(7)?,
        valid_from: r.get(8)?,
        valid_to: r.get(9)?,
        added_by: r.get(10)?,
        line: u64::try_from(line).unwrap_or(0),
    })
}

impl Ledger for SqliteLedger {
    fn assets(&self) -> Result<Vec<AssetInfo>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT chain, asset, symbol, decimals FROM assets ORDER BY chain, asset")
            .map_err(self.err("read assets"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?)))
            .map_err(self.err("read assets"))?;
        let reg = registry();
        let mut out = Vec::new();
        for r in rows {
            let (chain, asset, mut symbol, mut decimals): (String, String, Option<String>, Option<u8>) =
                r.map_err(self.err("read assets"))?;
            if let Ok(c) = reg.chain(&chain)
                && c.native == asset
            {
                symbol = Some(c.native.clone());
                decimals = Some(c.decimals);
            } else if let Some(t) = reg.token(&chain, &asset) {
                symbol = symbol.or_else(|| Some(t.symbol.clone()));
                decimals = decimals.or(Some(t.decimals));
            }
            out.push(AssetInfo { chain, asset, symbol, decimals });
        }
        Ok(out)
    }

    fn fingerprint(&self) -> Result<String, LedgerError> {
        use sha2::{Digest, Sha256};
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT sha256, file_name, options, rows_read, transfers, labels FROM import_batches ORDER BY id",
            )
            .map_err(self.err("fingerprint"))?;
        let mut rows = stmt.query([]).map_err(self.err("fingerprint"))?;
        let mut h = Sha256::new();
        while let Some(r) = rows.next().map_err(self.err("fingerprint"))? {
            for i in 0..6 {
                let v: rusqlite::types::Value = r.get(i).map_err(self.err("fingerprint"))?;
                h.update(format!("{v:?}\u{1f}").as_bytes());
            }
            h.update(b"\n");
        }
        Ok(hex::encode(h.finalize()))
    }

    fn transfers_by_id(&self, ids: &[i64]) -> Result<Vec<TransferRow>, LedgerError> {
        self.rows_by_id(ids)
    }

    fn transfers(&self, address: &str, direction: Direction, filter: &Filter) -> Result<Vec<TransferRow>, LedgerError> {
        let scan = self.scan(address, direction, filter, filter.top.unwrap_or(SCAN_CAP))?;
        self.rows_by_id(&scan.top)
    }

    fn expand(&self, address: &str, direction: Direction, filter: &Filter) -> Result<Expansion, LedgerError> {
        let scan = self.scan(address, direction, filter, filter.top.unwrap_or(DEFAULT_TOP))?;
        let transfers = self.rows_by_id(&scan.top)?;
        let rest = (scan.rest.count > 0 || scan.rest.lower_bound).then_some(scan.rest);
        Ok(Expansion { transfers, rest })
    }

    fn tx_transfers(&self, chain: &str, tx_hash: &str) -> Result<Vec<TransferRow>, LedgerError> {
        let hash = codec::tx_to_sql(&tx_hash.trim().to_ascii_lowercase());
        let key = codec::tx_key(&hash);
        let Some(chain_id) = self.meta()?.chain_ids.get(chain).copied() else {
            return Ok(Vec::new());
        };
        let batches = self.batch_names()?;
        let meta = self.meta()?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{ROW_SELECT} WHERE t.tx_key = ?3 AND t.chain = ?1 AND h.tx_hash = ?2 ORDER BY t.kind, t.position, t.id"
            ))
            .map_err(self.err("query transaction"))?;
        let rows = stmt
            .query_map(rusqlite::params![chain_id, hash, key], |r| transfer_row(r, &batches, &meta))
            .map_err(self.err("query transaction"))?;
        rows.collect::<Result<_, _>>().map_err(self.err("query transaction"))
    }

    fn address_summary(&self, address: &str) -> Result<AddressSummary, LedgerError> {
        let address = canonical_address(address);
        let incoming = self.side(&address, Direction::In)?;
        let outgoing = self.side(&address, Direction::Out)?;
        let mut chains: Vec<String> =
            incoming.totals.keys().chain(outgoing.totals.keys()).map(|(c, _)| c.clone()).collect();
        chains.sort();
        chains.dedup();
        let mut first_seen: Option<i64> = None;
        let mut last_seen: Option<i64> = None;
        let meta = self.meta()?;
        let address_id = self.address_id(&address)?.unwrap_or(-1);
        for col in ["from_id", "to_id"] {
            // min/max on the (address, chain, time) index: one seek per chain.
            for chain in chains.iter().filter_map(|c| meta.chain_ids.get(c)) {
                let (lo, hi): (Option<i64>, Option<i64>) = self
                    .conn
                    .query_row(
                        &format!("SELECT min(time), max(time) FROM transfers WHERE {col} = ?1 AND chain = ?2"),
                        [address_id, *chain],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .map_err(self.err("address summary"))?;
                first_seen = match (first_seen, lo) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                last_seen = match (last_seen, hi) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        let labels = self.labels(&address)?;
        Ok(AddressSummary { address, chains, incoming, outgoing, first_seen, last_seen, labels })
    }

    fn labels(&self, address: &str) -> Result<Vec<Label>, LedgerError> {
        let address = canonical_address(address);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT chain, address, entity, category, source_category, actor, source, confidence, valid_from, valid_to, added_by, line
                 FROM labels WHERE address = ?1 ORDER BY chain, entity, source, id",
            )
            .map_err(self.err("query labels"))?;
        let rows = stmt.query_map([&address], label_row).map_err(self.err("query labels"))?;
        rows.collect::<Result<_, _>>().map_err(self.err("query labels"))
    }

    fn labels_many(&self, addresses: &[String]) -> Result<BTreeMap<String, Vec<Label>>, LedgerError> {
        // One query per 250 addresses (SQLite's parameter limit is far above that).
        const CHUNK: usize = 250;
        let mut by_canonical: HashMap<String, Vec<&String>> = HashMap::new();
        for a in addresses {
            let spellings = by_canonical.entry(canonical_address(a)).or_default();
            if !spellings.contains(&a) {
                spellings.push(a);
            }
        }
        let mut out: BTreeMap<String, Vec<Label>> = addresses.iter().map(|a| (a.clone(), Vec::new())).collect();
        let keys: Vec<&String> = by_canonical.keys().collect();
        for chunk in keys.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT chain, address, entity, category, source_category, actor, source, confidence, valid_from, valid_to, added_by, line
                 FROM labels WHERE address IN ({marks}) ORDER BY address, chain, entity, source, id"
            );
            let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err("query labels"))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(chunk.iter()), label_row)
                .map_err(self.err("query labels"))?;
            for label in rows {
                let label = label.map_err(self.err("query labels"))?;
                for original in by_canonical.get(&label.address).into_iter().flatten() {
                    if let Some(list) = out.get_mut(*original) {
                        list.push(label.clone());
                    }
                }
            }
        }
        Ok(out)
    }

    fn info(&self) -> Result<LedgerInfo, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, file_name, sha256, size_bytes, format, imported_at, rows_read, transfers, labels, refused, duplicates, skipped,
                   chain, chain_rule
                 FROM import_batches ORDER BY id",
            )
            .map_err(self.err("read batches"))?;
        let batches = stmt
            .query_map([], |r| {
                Ok(BatchInfo {
                    id: r.get(0)?,
                    file_name: r.get(1)?,
                    sha256: r.get(2)?,
                    size_bytes: r.get(3)?,
                    format: r.get(4)?,
                    imported_at: r.get(5)?,
                    rows: r.get(6)?,
                    transfers: r.get(7)?,
                    labels: r.get(8)?,
                    refused: r.get(9)?,
                    duplicates: r.get(10)?,
                    skipped: r.get(11)?,
                    chain: r.get(12)?,
                    chain_rule: r.get(13)?,
                })
            })
            .map_err(self.err("read batches"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err("read batches"))?;
        let ids = self.meta()?;
        // Value per asset counts what moved once. A UTXO input spends an earlier output: the
        // same coins, already counted as that output, so inputs are counted (and those of
        // unknown amount reported) but never added to the total.
        let mut by_id: HashMap<i64, AssetSum> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT asset_id, kind, amount FROM transfers WHERE failed = 0")
            .map_err(self.err("sum transfers"))?;
        let mut rows = stmt.query([]).map_err(self.err("sum transfers"))?;
        let input = TransferKind::UtxoInput.code();
        while let Some(r) = rows.next().map_err(self.err("sum transfers"))? {
            let asset: i64 = r.get(0).map_err(self.err("sum transfers"))?;
            let kind: i64 = r.get(1).map_err(self.err("sum transfers"))?;
            let amount = r.get_ref(2).and_then(|v| Ok(codec::amount_column(v)?)).map_err(self.err("sum transfers"))?;
            let e = by_id.entry(asset).or_default();
            e.transfers += 1;
            match amount {
                _ if kind == input => {
                    e.inputs += 1;
                    e.unknown_inputs += u64::from(amount.is_none());
                }
                Some(a) => e.total.add(a),
                None => e.unknown_inputs += 1,
            }
        }
        let sums: BTreeMap<(String, String), AssetSum> = by_id
            .into_iter()
            .filter_map(|(id, v)| ids.assets.get(&id).map(|(c, a, _)| ((c.clone(), a.clone()), v)))
            .collect();
        let meta: HashMap<(String, String), (Option<String>, Option<u8>)> =
            self.assets()?.into_iter().map(|a| ((a.chain, a.asset), (a.symbol, a.decimals))).collect();
        let per_asset = sums
            .into_iter()
            .map(|((chain, asset), v)| {
                let (symbol, decimals) = meta.get(&(chain.clone(), asset.clone())).cloned().unwrap_or_default();
                AssetCount {
                    chain,
                    asset,
                    symbol,
                    decimals,
                    transfers: v.transfers,
                    total: v.total,
                    utxo_inputs: v.inputs,
                    unknown_amounts: v.unknown_inputs,
                }
            })
            .collect();
        let mut labels = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT chain, category, count(*) FROM labels GROUP BY chain, category ORDER BY chain, category")
            .map_err(self.err("count labels"))?;
        for r in stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?))).map_err(self.err("count labels"))? {
            let (k, v) = r.map_err(self.err("count labels"))?;
            labels.insert(k, v);
        }
        let unresolved_inputs = self
            .conn
            .query_row(
                "SELECT count(*) FROM transfers WHERE kind = 4 AND from_id IS NULL AND prev_key IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .map_err(self.err("count unresolved inputs"))?;
        let failed_transfers = self
            .conn
            .query_row("SELECT count(*) FROM transfers WHERE failed = 1", [], |r| r.get(0))
            .map_err(self.err("count failed transfers"))?;
        Ok(LedgerInfo { batches, per_asset, labels, unresolved_inputs, failed_transfers })
    }
}

/// Running sums of one asset for [`Ledger::info`].
#[derive(Default)]
struct AssetSum {
    transfers: u64,
    total: Total,
    inputs: u64,
    unknown_inputs: u64,
}

impl SqliteLedger {
    /// Up to `limit` addresses in the ledger starting with `prefix` (at least 4 characters),
    /// in order; for `0x` prefixes the hexadecimal part is matched in lower case, as EVM
    /// addresses are stored. One range scan of the addresses' unique index.
    ///
    /// # Errors
    /// The ledger cannot be read.
    pub fn addresses_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>, LedgerError> {
        let p = prefix.trim();
        if p.chars().count() < 4 {
            return Ok(Vec::new());
        }
        let p = if p.starts_with("0x") || p.starts_with("0X") { p.to_ascii_lowercase() } else { p.to_owned() };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT address FROM addresses WHERE address >= ?1 AND address < ?1 || char(1114111) ORDER BY address LIMIT ?2")
            .map_err(self.err("address prefix search"))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(rusqlite::params![p, limit], |r| r.get::<_, String>(0))
            .map_err(self.err("address prefix search"))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err("address prefix search"))
    }
}
