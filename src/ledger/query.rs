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
use rusqlite::types::{Value, ValueRef};
use rusqlite::{OptionalExtension, Row, params_from_iter};

use super::{
    AddressSummary, AssetCount, BatchInfo, DEFAULT_TOP, Direction, Expansion, Filter, Ledger, LedgerError, LedgerInfo,
    Provenance, Rest, SCAN_CAP, SideSummary, SqliteLedger, TransferRow, canonical_address, codec,
};
use crate::model::{Amount, Category, Label, Transfer, TransferKind, registry};

/// A full transfer row with names resolved from the id tables.
const ROW_SELECT: &str = "SELECT t.id, c.name, h.tx_hash, t.kind, t.position, t.block, t.time, fa.address, ta.address,
    a.asset, t.amount, t.fee, t.failed, h.prev_tx, t.prev_pos, t.batch_id, t.line
    FROM transfers t JOIN transfer_hashes h ON h.id = t.id JOIN chains c ON c.id = t.chain JOIN assets a ON a.id = t.asset_id
    LEFT JOIN addresses fa ON fa.id = t.from_id LEFT JOIN addresses ta ON ta.id = t.to_id";

/// Decimals assumed for a token whose decimals no file or registry gave (the ERC-20 default).
const ASSUMED_DECIMALS: u8 = 18;

/// What one scan of an address side found.
struct Scan {
    top: Vec<i64>,
    rest: Rest,
    shown: SideSummary,
}

impl SqliteLedger {
    /// Names and decimals of chains and assets by id, read once and kept until the next import.
    pub(super) fn meta(&self) -> Result<std::rc::Rc<Meta>, LedgerError> {
        if let Some(m) = self.meta.borrow().as_ref() {
            return Ok(m.clone());
        }
        let reg = registry();
        let mut meta = Meta::default();
        let mut stmt = self.conn.prepare("SELECT id, name FROM chains").map_err(self.err("read chains"))?;
        for r in stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(self.err("read chains"))?
        {
            let (id, name) = r.map_err(self.err("read chains"))?;
            meta.chain_ids.insert(name.clone(), id);
            meta.chains.insert(id, name);
        }
        let mut stmt =
            self.conn.prepare("SELECT id, chain, asset, decimals FROM assets").map_err(self.err("read assets"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<u8>>(3)?))
            })
            .map_err(self.err("read assets"))?;
        for r in rows {
            let (id, chain, asset, decimals) = r.map_err(self.err("read assets"))?;
            let known = reg.chain(&chain).ok().filter(|c| c.native == asset).map(|c| c.decimals);
            let decimals = decimals.or(known).or_else(|| reg.token(&chain, &asset).map(|t| t.decimals));
            meta.assets.insert(id, (chain, asset, decimals));
        }
        let meta = std::rc::Rc::new(meta);
        *self.meta.borrow_mut() = Some(meta.clone());
        Ok(meta)
    }

    /// The id of an address, if any transfer involves it.
    fn address_id(&self, address: &str) -> Result<Option<i64>, LedgerError> {
        self.conn
            .prepare_cached("SELECT id FROM addresses WHERE address = ?1")
            .and_then(|mut s| s.query_row([address], |r| r.get(0)).optional())
            .map_err(self.err("look up address"))
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
        let mut rest = Rest::default();
        let mut shown = SideSummary::default();
        let Some(address_id) = self.address_id(&address)? else {
            return Ok(Scan { top: Vec::new(), rest, shown });
        };
        let meta = self.meta()?;
        let (own, other) = match dir {
            Direction::Out => ("from_id", "to_id"),
            Direction::In => ("to_id", "from_id"),
        };
        let mut sql =
            format!("SELECT id, chain, asset_id, amount, time, {other}, tx_key FROM transfers WHERE {own} = ?");
        let mut args: Vec<Value> = vec![Value::Integer(address_id)];
        if !filter.chains.is_empty() {
            let ids: Vec<i64> = filter.chains.iter().filter_map(|c| meta.chain_ids.get(c).copied()).collect();
            if ids.is_empty() {
                return Ok(Scan { top: Vec::new(), rest, shown });
            }
            sql.push_str(&format!(" AND chain IN ({})", vec!["?"; ids.len()].join(",")));
            args.extend(ids.into_iter().map(Value::Integer));
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
            let ids: Vec<i64> =
                meta.assets.iter().filter(|(_, (_, k, _))| keys.contains(k)).map(|(id, _)| *id).collect();
            if ids.is_empty() {
                return Ok(Scan { top: Vec::new(), rest, shown });
            }
            sql.push_str(&format!(" AND asset_id IN ({})", vec!["?"; ids.len()].join(",")));
            args.extend(ids.into_iter().map(Value::Integer));
        }
        if let Some(min) = &filter.min_value {
            // amount >= threshold of its asset: a CASE branch per asset whose decimals are not
            // the assumed 18, the assumed threshold for the rest.
            let default = threshold(min, ASSUMED_DECIMALS)?;
            let mut odd: Vec<(i64, u8)> = meta
                .assets
                .iter()
                .filter_map(|(id, (_, _, d))| d.filter(|d| *d != ASSUMED_DECIMALS).map(|d| (*id, d)))
                .collect();
            odd.sort_unstable();
            if odd.is_empty() {
                sql.push_str(" AND amount >= ?");
            } else {
                sql.push_str(" AND amount >= CASE asset_id");
                for (id, d) in odd {
                    sql.push_str(" WHEN ? THEN ?");
                    args.push(Value::Integer(id));
                    args.push(Value::Blob(codec::amount_to_sql(threshold(min, d)?)));
                }
                sql.push_str(" ELSE ? END");
            }
            args.push(Value::Blob(codec::amount_to_sql(default)));
        }
        sql.push_str(&format!(" LIMIT {}", SCAN_CAP + 1));

        let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err("query transfers"))?;
        let mut rows = stmt.query(params_from_iter(args)).map_err(self.err("query transfers"))?;
        let mut heap: BinaryHeap<Reverse<(U256, i64)>> = BinaryHeap::with_capacity(keep.min(4096) + 1);
        let mut rest_totals: HashMap<(i64, i64), Amount> = HashMap::new();
        let mut all_totals: HashMap<(i64, i64), Amount> = HashMap::new();
        let mut rest_parties = HashSet::new();
        let mut all_parties = HashSet::new();
        let mut scanned = 0usize;
        // Facts of the rows in the heap; a row pushed out of it is folded into the rest.
        let mut in_heap: HashMap<i64, Facts> = HashMap::new();
        while let Some(row) = rows.next().map_err(self.err("query transfers"))? {
            scanned += 1;
            if scanned > SCAN_CAP {
                rest.lower_bound = true;
                shown.truncated = true;
                break;
            }
            let facts = Facts::read(row).map_err(self.err("read transfer"))?;
            let decimals = meta.assets.get(&facts.asset).and_then(|a| a.2).unwrap_or(ASSUMED_DECIMALS);
            let key = rank_key(facts.amount, decimals);
            all_parties.insert(facts.party_hash);
            shown.transfers += 1;
            let total = all_totals.entry((facts.chain, facts.asset)).or_default();
            *total = total.saturating_add(facts.amount);
            if keep == 0 {
                continue;
            }
            let id = facts.id;
            heap.push(Reverse((key, id)));
            in_heap.insert(id, facts);
            if heap.len() > keep
                && let Some(Reverse((_, out_id))) = heap.pop()
                && let Some(f) = in_heap.remove(&out_id)
            {
                rest.count += 1;
                rest_parties.insert(f.party_hash);
                let t = rest_totals.entry((f.chain, f.asset)).or_default();
                *t = t.saturating_add(f.amount);
                if let Some(time) = f.time {
                    rest.first_time = Some(rest.first_time.map_or(time, |x| x.min(time)));
                    rest.last_time = Some(rest.last_time.map_or(time, |x| x.max(time)));
                }
            }
        }
        let names = |totals: HashMap<(i64, i64), Amount>| -> BTreeMap<(String, String), Amount> {
            totals
                .into_iter()
                .map(|((c, a), v)| {
                    let chain = meta.chains.get(&c).cloned().unwrap_or_default();
                    let asset = meta.assets.get(&a).map(|x| x.1.clone()).unwrap_or_default();
                    ((chain, asset), v)
                })
                .collect()
        };
        rest.totals = names(rest_totals);
        shown.totals = names(all_totals);
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
                .prepare(&format!("{ROW_SELECT} WHERE t.id IN ({list})"))
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

/// Names and decimals of chains and assets, by id.
#[derive(Debug, Default)]
pub(super) struct Meta {
    /// Chain name by id.
    pub chains: HashMap<i64, String>,
    /// Chain id by name.
    pub chain_ids: HashMap<String, i64>,
    /// (chain, asset key, decimals) by asset id.
    pub assets: HashMap<i64, (String, String, Option<u8>)>,
}

struct Facts {
    id: i64,
    chain: i64,
    asset: i64,
    amount: Amount,
    time: Option<i64>,
    party_hash: u64,
}

impl Facts {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        // The counterparty: an address id, or for a UTXO input/output the transaction.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        match row.get_ref(5)? {
            ValueRef::Integer(id) => (0u8, id).hash(&mut h),
            _ => (1u8, row.get::<_, i64>(6)?).hash(&mut h),
        }
        Ok(Facts {
            id: row.get(0)?,
            chain: row.get(1)?,
            asset: row.get(2)?,
            amount: codec::amount_from_sql(row.get_ref(3)?.as_blob()?).unwrap_or_default(),
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
    let chain: String = r.get(1)?;
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
            asset: r.get(9)?,
            amount_base: codec::amount_from_sql(r.get_ref(10)?.as_blob()?).unwrap_or_default(),
            fee_base: fee.and_then(|f| codec::amount_from_sql(&f)),
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
        let hash = codec::tx_to_sql(&tx_hash.trim().to_ascii_lowercase());
        let key = codec::tx_key(&hash);
        let Some(chain_id) = self.meta()?.chain_ids.get(chain).copied() else {
            return Ok(Vec::new());
        };
        let batches = self.batch_names()?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{ROW_SELECT} WHERE t.tx_key = ?3 AND t.chain = ?1 AND h.tx_hash = ?2 ORDER BY t.kind, t.position, t.id"
            ))
            .map_err(self.err("query transaction"))?;
        let rows = stmt
            .query_map(rusqlite::params![chain_id, hash, key], |r| transfer_row(r, &batches))
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
        let ids = self.meta()?;
        let mut by_id: HashMap<i64, (u64, Amount)> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT asset_id, amount FROM transfers WHERE failed = 0")
            .map_err(self.err("sum transfers"))?;
        let mut rows = stmt.query([]).map_err(self.err("sum transfers"))?;
        while let Some(r) = rows.next().map_err(self.err("sum transfers"))? {
            let asset: i64 = r.get(0).map_err(self.err("sum transfers"))?;
            let bytes = r.get_ref(1).and_then(|v| Ok(v.as_blob()?)).map_err(self.err("sum transfers"))?;
            let e = by_id.entry(asset).or_insert((0, Amount::ZERO));
            e.0 += 1;
            e.1 = e.1.saturating_add(codec::amount_from_sql(bytes).unwrap_or_default());
        }
        let sums: BTreeMap<(String, String), (u64, Amount)> = by_id
            .into_iter()
            .filter_map(|(id, v)| ids.assets.get(&id).map(|(c, a, _)| ((c.clone(), a.clone()), v)))
            .collect();
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
