//! The queries behind [`Ledger`] for the SQLite ledger.
//!
//! Expansion reads the matching transfers of one address once, through the
//! `(address, chain, time)` index, keeping only a bounded heap of the `top` highest-value rows
//! and running totals for the rest: O(k log top) time for k matching rows, O(top) memory, and
//! k is capped at [`SCAN_CAP`]. Values are ranked in display units (amounts scaled to 18
//! decimals), so 1 ETH outranks 1 USDT; tokens of unknown decimals are taken to have 18.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use ethnum::U256;
use rusqlite::types::Value;
use rusqlite::{Row, params_from_iter};

use super::{
    AddressSummary, AssetCount, BatchInfo, DEFAULT_TOP, Direction, Expansion, Filter, Ledger, LedgerError, LedgerInfo,
    Provenance, Rest, SCAN_CAP, SideSummary, SqliteLedger, TransferRow, canonical_address,
};
use crate::model::{Amount, Category, Label, Transfer, TransferKind, registry};

const ROW_COLUMNS: &str = "id, chain, tx_hash, kind, position, block, time, from_addr, to_addr, asset, amount, fee, failed, prev_tx, prev_pos, batch_id, line";

/// Decimals assumed for a token whose decimals no file or registry gave (the ERC-20 default).
const ASSUMED_DECIMALS: u8 = 18;

/// What one scan of an address side found.
struct Scan {
    top: Vec<i64>,
    rest: Rest,
    shown: SideSummary,
}

impl SqliteLedger {
    /// Decimals of every asset the ledger or the registry knows, by asset key.
    fn decimals_map(&self) -> Result<HashMap<String, u8>, LedgerError> {
        let reg = registry();
        let mut map = HashMap::new();
        for id in reg.chain_ids() {
            if let Ok(c) = reg.chain(id) {
                map.insert(c.native.clone(), c.decimals);
            }
        }
        for t in reg.tokens() {
            map.insert(t.contract.clone(), t.decimals);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT asset, decimals FROM assets WHERE decimals IS NOT NULL")
            .map_err(self.err("read assets"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u8>(1)?)))
            .map_err(self.err("read assets"))?;
        for r in rows {
            let (k, d) = r.map_err(self.err("read assets"))?;
            map.insert(k, d);
        }
        Ok(map)
    }

    /// Asset keys a user's asset names stand for: the key itself, and the contracts of tokens
    /// with that symbol (registry and ledger).
    fn resolve_assets(&self, names: &[String]) -> Result<Vec<String>, LedgerError> {
        let mut keys = Vec::new();
        for n in names {
            keys.push(canonical_address(n));
            let mut stmt = self
                .conn
                .prepare_cached("SELECT asset FROM assets WHERE symbol = ?1 COLLATE NOCASE")
                .map_err(self.err("resolve asset"))?;
            let found = stmt.query_map([n], |r| r.get::<_, String>(0)).map_err(self.err("resolve asset"))?;
            for f in found {
                keys.push(f.map_err(self.err("resolve asset"))?);
            }
            for id in registry().chain_ids() {
                if let Some(t) = registry().token(id, n) {
                    keys.push(t.contract.clone());
                }
                if let Ok(c) = registry().chain(id)
                    && c.native.eq_ignore_ascii_case(n)
                {
                    keys.push(c.native.clone());
                }
            }
        }
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    fn scan(&self, address: &str, dir: Direction, filter: &Filter, keep: usize) -> Result<Scan, LedgerError> {
        let address = canonical_address(address);
        let (own, other) = match dir {
            Direction::Out => ("from_addr", "to_addr"),
            Direction::In => ("to_addr", "from_addr"),
        };
        let decimals = self.decimals_map()?;
        let mut sql =
            format!("SELECT id, chain, asset, amount, time, coalesce({other}, tx_hash) FROM transfers WHERE {own} = ?");
        let mut args: Vec<Value> = vec![Value::Text(address)];
        if !filter.chains.is_empty() {
            sql.push_str(&format!(" AND chain IN ({})", vec!["?"; filter.chains.len()].join(",")));
            args.extend(filter.chains.iter().map(|c| Value::Text(c.clone())));
        }
        if let Some(t) = filter.from_time {
            sql.push_str(" AND time >= ?");
            args.push(Value::Integer(t));
        }
        if let Some(t) = filter.to_time {
            sql.push_str(" AND time <= ?");
            args.push(Value::Integer(t));
        }
        if !filter.include_failed {
            sql.push_str(" AND failed = 0");
        }
        if !filter.assets.is_empty() {
            let keys = self.resolve_assets(&filter.assets)?;
            sql.push_str(&format!(" AND asset IN ({})", vec!["?"; keys.len()].join(",")));
            args.extend(keys.into_iter().map(Value::Text));
        }
        if let Some(min) = &filter.min_value {
            // amount >= threshold of its asset: one CASE branch per asset of known decimals.
            let default = threshold(min, ASSUMED_DECIMALS)?;
            let mut known: Vec<(&String, &u8)> = decimals.iter().collect();
            known.sort();
            sql.push_str(" AND amount >= CASE asset");
            for (asset, d) in known {
                sql.push_str(" WHEN ? THEN ?");
                args.push(Value::Text(asset.clone()));
                args.push(Value::Blob(threshold(min, *d)?.to_be_bytes().to_vec()));
            }
            sql.push_str(" ELSE ? END");
            args.push(Value::Blob(default.to_be_bytes().to_vec()));
        }
        sql.push_str(&format!(" LIMIT {}", SCAN_CAP + 1));

        let mut stmt = self.conn.prepare(&sql).map_err(self.err("query transfers"))?;
        let mut rows = stmt.query(params_from_iter(args)).map_err(self.err("query transfers"))?;
        let mut heap: BinaryHeap<Reverse<(U256, i64)>> = BinaryHeap::with_capacity(keep.min(4096) + 1);
        let mut rest = Rest::default();
        let mut shown = SideSummary::default();
        let mut rest_parties = HashSet::new();
        let mut all_parties = HashSet::new();
        let mut scanned = 0usize;
        // Folded rows are only known by id until they leave the heap, so totals of the rest are
        // kept as all-minus-shown at the end: track per-id facts only for rows in the heap.
        let mut in_heap: HashMap<i64, Facts> = HashMap::new();
        while let Some(row) = rows.next().map_err(self.err("query transfers"))? {
            scanned += 1;
            if scanned > SCAN_CAP {
                rest.lower_bound = true;
                shown.truncated = true;
                break;
            }
            let facts = Facts::read(row).map_err(self.err("read transfer"))?;
            let key = rank_key(facts.amount, decimals.get(&facts.asset).copied().unwrap_or(ASSUMED_DECIMALS));
            all_parties.insert(facts.party_hash);
            shown.transfers += 1;
            let total = shown.totals.entry((facts.chain.clone(), facts.asset.clone())).or_default();
            *total = total.saturating_add(facts.amount);
            let id = facts.id;
            heap.push(Reverse((key, id)));
            in_heap.insert(id, facts);
            if heap.len() > keep
                && let Some(Reverse((_, out_id))) = heap.pop()
                && let Some(f) = in_heap.remove(&out_id)
            {
                rest.count += 1;
                rest_parties.insert(f.party_hash);
                let t = rest.totals.entry((f.chain, f.asset)).or_default();
                *t = t.saturating_add(f.amount);
                if let Some(time) = f.time {
                    rest.first_time = Some(rest.first_time.map_or(time, |x| x.min(time)));
                    rest.last_time = Some(rest.last_time.map_or(time, |x| x.max(time)));
                }
            }
        }
        rest.counterparties = rest_parties.len() as u64;
        shown.counterparties = all_parties.len() as u64;
        let mut top: Vec<(U256, i64)> = heap.into_iter().map(|Reverse(k)| k).collect();
        top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(Scan { top: top.into_iter().map(|(_, id)| id).collect(), rest, shown })
    }

    /// Full rows for `ids`, in the order given.
    fn rows_by_id(&self, ids: &[i64]) -> Result<Vec<TransferRow>, LedgerError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let batches = self.batch_names()?;
        let mut by_id = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(10_000) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT {ROW_COLUMNS} FROM transfers WHERE id IN ({list})"))
                .map_err(self.err("read transfers"))?;
            let rows = stmt.query_map([], |r| transfer_row(r, &batches)).map_err(self.err("read transfers"))?;
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

struct Facts {
    id: i64,
    chain: String,
    asset: String,
    amount: Amount,
    time: Option<i64>,
    party_hash: u64,
}

impl Facts {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        let amount_bytes = row.get_ref(3)?.as_blob()?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        row.get_ref(5)?.as_str()?.hash(&mut h);
        Ok(Facts {
            id: row.get(0)?,
            chain: row.get(1)?,
            asset: row.get(2)?,
            amount: Amount::from_be_slice(amount_bytes).unwrap_or_default(),
            time: row.get(4)?,
            party_hash: h.finish(),
        })
    }
}

/// Base units scaled to 18 decimals, for ranking across assets.
fn rank_key(amount: Amount, decimals: u8) -> U256 {
    if decimals <= 18 {
        amount.0.saturating_mul(U256::from(10u8).pow(u32::from(18 - decimals)))
    } else {
        amount.0 / U256::from(10u8).pow(u32::from(decimals - 18))
    }
}

/// The smallest amount in base units worth at least `min` display units with `decimals`.
fn threshold(min: &str, decimals: u8) -> Result<Amount, LedgerError> {
    match Amount::parse_decimal(min, decimals) {
        Ok(a) => Ok(a),
        Err(crate::model::AmountError::TooPrecise { .. }) => {
            // Round up: the digits that fit, plus one base unit.
            let (int, frac) = min.trim().split_once('.').unwrap_or((min.trim(), ""));
            let kept: String = frac.chars().take(usize::from(decimals)).collect();
            let a = Amount::parse_decimal(&format!("{int}.{kept}"), decimals)
                .map_err(|e| LedgerError::Query(format!("minimum value: {e}")))?;
            Ok(a.saturating_add(Amount::from_u128(1)))
        }
        Err(e) => Err(LedgerError::Query(format!("minimum value {min:?}: {e}"))),
    }
}

fn transfer_row(r: &Row<'_>, batches: &HashMap<i64, (String, String)>) -> rusqlite::Result<TransferRow> {
    let kind_code: i64 = r.get(3)?;
    let fee: Option<Vec<u8>> = r.get(11)?;
    let prev_tx: Option<String> = r.get(13)?;
    let prev_pos: Option<i64> = r.get(14)?;
    let batch_id: i64 = r.get(15)?;
    let line: i64 = r.get(16)?;
    let (file_name, file_sha256) = batches.get(&batch_id).cloned().unwrap_or_default();
    Ok(TransferRow {
        id: r.get(0)?,
        transfer: Transfer {
            chain: r.get(1)?,
            tx_hash: r.get(2)?,
            kind: TransferKind::from_code(kind_code).unwrap_or(TransferKind::Native),
            position: r.get(4)?,
            block: r.get(5)?,
            time: r.get(6)?,
            from: r.get(7)?,
            to: r.get(8)?,
            asset: r.get(9)?,
            amount_base: Amount::from_be_slice(r.get_ref(10)?.as_blob()?).unwrap_or_default(),
            fee_base: fee.and_then(|f| Amount::from_be_slice(&f)),
            failed: r.get(12)?,
            prev_out: prev_tx.zip(prev_pos),
            line: u64::try_from(line).unwrap_or(0),
        },
        provenance: Provenance { batch_id, file_name, file_sha256, line: u64::try_from(line).unwrap_or(0) },
    })
}

fn label_row(r: &Row<'_>) -> rusqlite::Result<Label> {
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
        let hash = tx_hash.trim().to_ascii_lowercase();
        let batches = self.batch_names()?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ROW_COLUMNS} FROM transfers WHERE chain = ?1 AND tx_hash = ?2 ORDER BY kind, position, id"
            ))
            .map_err(self.err("query transaction"))?;
        let rows =
            stmt.query_map([chain, &hash], |r| transfer_row(r, &batches)).map_err(self.err("query transaction"))?;
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
        for col in ["from_addr", "to_addr"] {
            // min/max on the (address, chain, time) index: one seek per chain.
            for chain in &chains {
                let (lo, hi): (Option<i64>, Option<i64>) = self
                    .conn
                    .query_row(
                        &format!("SELECT min(time), max(time) FROM transfers WHERE {col} = ?1 AND chain = ?2"),
                        [&address, chain],
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

    fn info(&self) -> Result<LedgerInfo, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, file_name, sha256, size_bytes, format, imported_at, rows_read, transfers, labels, refused, duplicates, skipped
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
                })
            })
            .map_err(self.err("read batches"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err("read batches"))?;
        let mut sums: BTreeMap<(String, String), (u64, Amount)> = BTreeMap::new();
        let mut stmt =
            self.conn.prepare("SELECT chain, asset, amount FROM transfers").map_err(self.err("sum transfers"))?;
        let mut rows = stmt.query([]).map_err(self.err("sum transfers"))?;
        while let Some(r) = rows.next().map_err(self.err("sum transfers"))? {
            let key = (r.get(0).map_err(self.err("sum transfers"))?, r.get(1).map_err(self.err("sum transfers"))?);
            let amount =
                Amount::from_be_slice(r.get_ref(2).and_then(|v| Ok(v.as_blob()?)).map_err(self.err("sum transfers"))?)
                    .unwrap_or_default();
            let e = sums.entry(key).or_insert((0, Amount::ZERO));
            e.0 += 1;
            e.1 = e.1.saturating_add(amount);
        }
        let mut meta: HashMap<(String, String), (Option<String>, Option<u8>)> = HashMap::new();
        let mut stmt =
            self.conn.prepare("SELECT chain, asset, symbol, decimals FROM assets").map_err(self.err("read assets"))?;
        for r in stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?))))
            .map_err(self.err("read assets"))?
        {
            let (k, v) = r.map_err(self.err("read assets"))?;
            meta.insert(k, v);
        }
        let reg = registry();
        let per_asset = sums
            .into_iter()
            .map(|((chain, asset), (transfers, total))| {
                let (mut symbol, mut decimals) = meta.get(&(chain.clone(), asset.clone())).cloned().unwrap_or_default();
                if let Ok(c) = reg.chain(&chain)
                    && c.native == asset
                {
                    symbol = Some(c.native.clone());
                    decimals = Some(c.decimals);
                } else if let Some(t) = reg.token(&chain, &asset) {
                    symbol = symbol.or_else(|| Some(t.symbol.clone()));
                    decimals = decimals.or(Some(t.decimals));
                }
                AssetCount { chain, asset, symbol, decimals, transfers, total }
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
                "SELECT count(*) FROM transfers WHERE kind = 4 AND from_addr IS NULL AND prev_tx IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .map_err(self.err("count unresolved inputs"))?;
        Ok(LedgerInfo { batches, per_asset, labels, unresolved_inputs })
    }
}
