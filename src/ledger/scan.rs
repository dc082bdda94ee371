//! Reading one side of an address: the filter as SQL, a bounded heap of the highest-value
//! transfers, and running totals for the rest.
//!
//! One pass over the matching rows through the `(address, chain, time)` index: O(k log top)
//! time for k matching rows, O(top) memory, k capped at [`SCAN_CAP`]. Values are ranked in
//! display units (amounts scaled to 18 decimals), so 1 ETH outranks 1 USDT; tokens of unknown
//! decimals are taken to have 18.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use ethnum::U256;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{OptionalExtension, Row, params_from_iter};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Direction, Filter, LedgerError, Rest, SCAN_CAP, SideSummary, SqliteLedger, canonical_address, codec};
use crate::model::{Amount, Total, registry};

/// Decimals assumed for a token whose decimals no file or registry gave (the ERC-20 default).
const ASSUMED_DECIMALS: u8 = 18;

/// What one scan of an address side found.
pub(super) struct Scan {
    /// Ids of the kept transfers, highest value first.
    pub top: Vec<i64>,
    /// The folded rest.
    pub rest: Rest,
    /// Everything scanned.
    pub shown: SideSummary,
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
    pub(super) fn address_id(&self, address: &str) -> Result<Option<i64>, LedgerError> {
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

    pub(super) fn scan(
        &self,
        address: &str,
        dir: Direction,
        filter: &Filter,
        keep: usize,
    ) -> Result<Scan, LedgerError> {
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
        // The heap holds the kept rows' facts, ordered by (value, id): the smallest is evicted
        // into the rest. Per-row work is a few integer hashes (FxHash) and one heap operation.
        let mut heap: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(keep.min(4096) + 1);
        let mut rest_totals: FxHashMap<(i64, i64), Total> = FxHashMap::default();
        let mut all_totals: FxHashMap<(i64, i64), Total> = FxHashMap::default();
        let mut rest_parties: FxHashSet<Party> = FxHashSet::default();
        let mut all_parties: FxHashSet<Party> = FxHashSet::default();
        let mut decimals_of: FxHashMap<i64, u8> = FxHashMap::default();
        let mut scanned = 0usize;
        while let Some(row) = rows.next().map_err(self.err("query transfers"))? {
            scanned += 1;
            if scanned > SCAN_CAP {
                rest.lower_bound = true;
                shown.truncated = true;
                break;
            }
            let facts = Facts::read(row).map_err(self.err("read transfer"))?;
            if !filter.exclude.is_empty() && filter.exclude.contains(&facts.id) {
                continue;
            }
            let decimals = *decimals_of
                .entry(facts.asset)
                .or_insert_with(|| meta.assets.get(&facts.asset).and_then(|a| a.2).unwrap_or(ASSUMED_DECIMALS));
            all_parties.insert(facts.party);
            shown.transfers += 1;
            let Some(amount) = facts.amount else {
                // An unknown amount is counted as such, never summed or ranked as zero (an
                // address side holds none today: unresolved inputs have no address).
                shown.unknown_amounts += 1;
                rest.unknown_amounts += u64::from(keep > 0);
                rest.count += u64::from(keep > 0);
                continue;
            };
            all_totals.entry((facts.chain, facts.asset)).or_default().add(amount);
            if keep == 0 {
                continue;
            }
            heap.push(Reverse(Ranked { key: rank_key(amount, decimals), facts }));
            if heap.len() > keep
                && let Some(Reverse(Ranked { facts: f, .. })) = heap.pop()
            {
                rest.count += 1;
                rest_parties.insert(f.party);
                rest_totals.entry((f.chain, f.asset)).or_default().add(f.amount.unwrap_or_default());
                if let Some(time) = f.time {
                    rest.first_time = Some(rest.first_time.map_or(time, |x| x.min(time)));
                    rest.last_time = Some(rest.last_time.map_or(time, |x| x.max(time)));
                }
            }
        }
        let names = |totals: FxHashMap<(i64, i64), Total>| -> BTreeMap<(String, String), Total> {
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
        let mut top: Vec<(U256, i64)> = heap.into_iter().map(|Reverse(r)| (r.key, r.facts.id)).collect();
        top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(Scan { top: top.into_iter().map(|(_, id)| id).collect(), rest, shown })
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

/// A counterparty: an address id, or (for a UTXO input or output) the transaction's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Party {
    Address(i64),
    Tx(i64),
}

struct Facts {
    id: i64,
    chain: i64,
    asset: i64,
    /// `None`: unknown (stored NULL).
    amount: Option<Amount>,
    time: Option<i64>,
    party: Party,
}

impl Facts {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        let party = match row.get_ref(5)? {
            ValueRef::Integer(id) => Party::Address(id),
            _ => Party::Tx(row.get(6)?),
        };
        Ok(Facts {
            id: row.get(0)?,
            chain: row.get(1)?,
            asset: row.get(2)?,
            amount: codec::amount_column(row.get_ref(3)?)?,
            time: row.get(4)?,
            party,
        })
    }
}

/// A kept row, ordered by value then id (ids break ties deterministically).
struct Ranked {
    key: U256,
    facts: Facts,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        (self.key, self.facts.id) == (other.key, other.facts.id)
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Among equal values the higher id is evicted first (keeps the earlier transfers).
        self.key.cmp(&other.key).then(other.facts.id.cmp(&self.facts.id))
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
            a.checked_add(Amount::from_u128(1))
                .ok_or_else(|| LedgerError::Query(format!("minimum value {min:?} exceeds 2^256 - 1 base units")))
        }
        Err(e) => Err(LedgerError::Query(format!("minimum value {min:?}: {e}"))),
    }
}
