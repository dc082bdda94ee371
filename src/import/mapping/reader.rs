//! Reading a CSV through a [`Profile`]: columns looked up by header name, each cell read with
//! the generic reader's parsers.

use std::borrow::Cow;
use std::io::BufRead;

use csv::ByteRecord;

use super::super::csvutil::{CsvFile, normalize_header};
use super::super::explorer_common::{self as common, SeenAssets, opt, req};
use super::super::{AssetInfo, ReadContext, ReadError, Refusal, Sink};
use super::{AmountUnit, AssetSource, ChainSource, DecimalsSource, Profile};
use crate::model::{Amount, Chain, Transfer, TransferKind, registry};

/// Column indexes of the mapped fields.
pub(super) struct Cols {
    chain: Option<usize>,
    hash: usize,
    from: usize,
    to: usize,
    asset: Option<usize>,
    amount: usize,
    decimals: Option<usize>,
    time: Option<usize>,
    fee: Option<usize>,
    pub(super) status: Option<usize>,
    method: Option<usize>,
    position: Option<usize>,
    block: Option<usize>,
    usd: Option<usize>,
}

/// Reads `input` through the profile in `ctx.options.profile` into `sink`.
///
/// # Errors
/// [`ReadError::Format`] when no profile is given, it is incomplete, or the header lacks a
/// column it maps; [`ReadError::ChainUndecided`] when neither the profile nor `--chain` gives
/// the chain.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let Some(named) = &ctx.options.profile else {
        return Err(ReadError::format(1, "the mapped format needs a mapping profile: pass --profile NAME"));
    };
    let (name, p) = (&named.name, &named.profile);
    p.check().map_err(|m| ReadError::format(1, format!("mapping profile {name:?}: {m}")))?;
    let forced = common::chain_option(ctx)?;
    let fixed: Option<(&'static Chain, String)> = match (&p.chain, forced) {
        (Some(ChainSource::Fixed(id)), forced) => {
            let chain = registry()
                .chain(&id.trim().to_ascii_lowercase())
                .map_err(|e| ReadError::format(1, format!("mapping profile {name:?}: {e}")))?;
            if let Some(f) = forced.filter(|f| f.id != chain.id) {
                return Err(ReadError::format(
                    1,
                    format!(
                        "--chain {} contradicts mapping profile {name:?}, which fixes the chain {}",
                        f.id, chain.id
                    ),
                ));
            }
            Some((chain, format!("mapping profile {name:?} fixes the chain")))
        }
        (Some(ChainSource::Column(_)), _) => None,
        (None, Some(f)) => Some((f, "--chain option".to_owned())),
        (None, None) => {
            let looked = format!("mapping profile {name:?} names no chain and no chain column");
            return Err(ReadError::chain_undecided(looked, &registry().chain_ids()));
        }
    };
    let delimiter = u8::try_from(p.delimiter).unwrap_or(b',');
    let mut cf = CsvFile::open_with(input, delimiter)?;
    let c = &cf.columns;
    let find = |field: &str, col: &str| column(&c.names, field, col, name);
    let find_opt = |field: &str, col: Option<&str>| col.map(|col| find(field, col)).transpose();
    let cols = Cols {
        chain: find_opt("chain", if let Some(ChainSource::Column(x)) = &p.chain { Some(x) } else { None })?,
        hash: find("tx hash", &p.tx_hash)?,
        from: find("from", &p.from)?,
        to: find("to", &p.to)?,
        asset: find_opt("asset", if let AssetSource::Column(x) = &p.asset { Some(x) } else { None })?,
        amount: find("amount", &p.amount)?,
        decimals: find_opt("decimals", if let Some(DecimalsSource::Column(x)) = &p.decimals { Some(x) } else { None })?,
        time: find_opt("time", p.time.as_ref().map(|t| t.column.as_str()))?,
        fee: find_opt("fee", p.fee.as_ref().map(|f| f.column.as_str()))?,
        status: find_opt("status", p.status.as_ref().map(|s| s.column.as_str()))?,
        method: find_opt("method", p.method.as_deref())?,
        position: find_opt("position", p.position.as_deref())?,
        block: find_opt("block", p.block.as_deref())?,
        usd: find_opt("stated USD", p.stated_usd.as_deref())?,
    };
    let mut decided = false;
    if let Some((chain, rule)) = &fixed {
        sink.chain_decided(&chain.id, rule);
        decided = true;
    }
    let mut seen = SeenAssets::default();
    let mut rec = ByteRecord::new();
    while let Some(line) = cf.next_row(&mut rec, sink)? {
        let row = Row { cf: &cf, rec: &rec, line, c: &cols, p, ctx };
        match row.parse(fixed.as_ref().map(|(c, _)| *c)) {
            Ok((t, asset)) => {
                if !decided {
                    sink.chain_decided(&t.chain, "chain column");
                    decided = true;
                }
                if let Some(a) = asset {
                    seen.emit(sink, a)?;
                }
                sink.transfer(t)?;
            }
            Err(r) => sink.refuse(r),
        }
    }
    Ok(())
}

/// The index of the column `col` (as the header writes it; else the one column whose name
/// differs only in case, spaces, `_` or `-`).
fn column(names: &[String], field: &str, col: &str, profile: &str) -> Result<usize, ReadError> {
    let col = col.trim();
    if let Some(i) = names.iter().position(|n| n == col) {
        return Ok(i);
    }
    let want = normalize_header(col);
    let loose: Vec<usize> =
        names.iter().enumerate().filter(|(_, n)| normalize_header(n) == want).map(|(i, _)| i).collect();
    match loose.as_slice() {
        [one] => Ok(*one),
        _ => Err(ReadError::format(
            1,
            format!(
                "mapping profile {profile:?} maps {field} to column {col:?}, which the header lacks: expected a header \
                 with that column; header is: {}",
                names.join(" | ")
            ),
        )),
    }
}

/// What an asset cell names.
struct Asset {
    key: String,
    native: bool,
    symbol: Option<String>,
    /// Decimals fixed by the registry (native asset, known token).
    fixed: Option<u8>,
    /// Decimals from `--token-decimals`.
    given: Option<u8>,
}

/// One data row being read.
pub(super) struct Row<'a, 'f, 'o> {
    pub(super) cf: &'a CsvFile<'f>,
    pub(super) rec: &'a ByteRecord,
    pub(super) line: u64,
    pub(super) c: &'a Cols,
    pub(super) p: &'a Profile,
    pub(super) ctx: &'a ReadContext<'o>,
}

impl Row<'_, '_, '_> {
    pub(super) fn refuse(&self, field: &str, message: impl Into<String>) -> Refusal {
        Refusal::new(self.line, field, message)
    }

    fn req(&self, idx: usize) -> Result<(&str, &str), Refusal> {
        req(self.cf, self.rec, idx, self.line)
    }

    fn opt(&self, idx: Option<usize>) -> Result<Option<(&str, &str)>, Refusal> {
        opt(self.cf, self.rec, idx, self.line)
    }

    /// `1.234,56` → `1,234.56` when the profile writes decimal commas.
    pub(super) fn number<'t>(&self, t: &'t str) -> Cow<'t, str> {
        if self.p.decimal_comma {
            Cow::Owned(
                t.chars()
                    .map(|ch| {
                        if ch == '.' {
                            ','
                        } else if ch == ',' {
                            '.'
                        } else {
                            ch
                        }
                    })
                    .collect(),
            )
        } else {
            Cow::Borrowed(t)
        }
    }

    /// Parses an amount cell (decimal commas swapped), with the refusal quoting the cell as
    /// written.
    fn amount(&self, t: &str, f: &str, display: Option<(u8, &str)>) -> Result<Amount, Refusal> {
        let n = self.number(t);
        let parsed = match display {
            Some((d, unit)) => common::display_amount(&n, d, unit, self.line, f),
            None => common::base_amount(&n, self.line, f),
        };
        parsed.map_err(|mut r| {
            if n != t {
                r.message = r.message.replace(&format!("{n:?}"), &format!("{t:?}"));
            }
            r
        })
    }

    fn parse(&self, fixed: Option<&'static Chain>) -> Result<(Transfer, Option<AssetInfo>), Refusal> {
        self.cf.check_width(self.rec, self.line)?;
        let reg = registry();
        let chain = match (fixed, self.c.chain) {
            (Some(chain), _) => chain,
            (None, Some(idx)) => {
                let (t, f) = self.req(idx)?;
                reg.chain(&t.to_ascii_lowercase()).map_err(|_| {
                    self.refuse(f, format!("found {t:?}: expected a chain id ({})", reg.chain_ids().join(", ")))
                })?
            }
            (None, None) => return Err(self.refuse("row", "no chain: expected a chain column or --chain")),
        };
        let (t, f) = self.req(self.c.hash)?;
        let tx_hash = common::tx_hash(chain, t, self.line, f)?;
        let (t, f) = self.req(self.c.from)?;
        let from = common::address(chain, t, self.line, f)?;
        let (t, f) = self.req(self.c.to)?;
        let to = common::address(chain, t, self.line, f)?;
        let (a, a_text) = match self.c.asset {
            None => (native(chain), chain.native.clone()),
            Some(idx) => {
                let (t, f) = self.req(idx)?;
                (self.asset(chain, t, f)?, t.to_owned())
            }
        };
        let decimals = self.decimals(&a, &a_text)?;
        let (t, f) = self.req(self.c.amount)?;
        let amount = match self.p.unit {
            AmountUnit::Base => self.amount(t, f, None)?,
            AmountUnit::Display => match decimals.or(a.fixed).or(a.given) {
                Some(d) => self.amount(t, f, Some((d, &a_text)))?,
                None => {
                    let field = self.c.asset.map_or(f, |i| self.cf.name(i));
                    // A ticker is given decimals by `--token-decimals TICKER=N`, a contract by its address.
                    let refusal = match a.key.strip_prefix("symbol:") {
                        Some(sym) => common::unknown_token(self.line, field, sym, None),
                        None => common::unknown_token(self.line, field, &a.key, a.symbol.as_deref()),
                    };
                    return Err(refusal);
                }
            },
        };
        let time = match (&self.p.time, self.opt(self.c.time)?) {
            (Some(tc), Some((t, f))) => Some(self.time(&tc.format, t, f)?),
            _ => None,
        };
        let fee = match (&self.p.fee, self.opt(self.c.fee)?) {
            (Some(fc), Some((t, f))) => {
                let display = (fc.unit == AmountUnit::Display).then_some((chain.decimals, chain.native.as_str()));
                Some(self.amount(t, f, display)?)
            }
            _ => None,
        };
        let failed = self.failed()?;
        let int = |idx: Option<usize>, what: &str| {
            self.opt(idx)?.map(|(t, f)| common::integer(t, what, self.line, f)).transpose()
        };
        let position = int(self.c.position, "a position")?;
        let block = int(self.c.block, "a block number")?;
        let method = self.opt(self.c.method)?.map(|(t, _)| t.to_owned());
        let stated_usd = self.opt(self.c.usd)?.map(|(t, f)| self.usd(t, f)).transpose()?;
        let info = (!a.native).then(|| AssetInfo {
            chain: chain.id.clone(),
            asset: a.key.clone(),
            symbol: a.symbol.clone(),
            decimals: decimals.or(a.fixed).or(a.given),
            name: None,
        });
        let transfer = Transfer {
            chain: chain.id.clone(),
            tx_hash,
            kind: if a.native { TransferKind::Native } else { TransferKind::Token },
            position,
            block,
            time,
            from: Some(from),
            to: Some(to),
            asset: a.key,
            amount_base: amount,
            fee_base: fee,
            failed,
            prev_out: None,
            line: self.line,
            method,
            stated_usd,
        };
        Ok((transfer, info))
    }

    /// The asset a cell names: the native symbol, a contract address, `symbol:XYZ` or a ticker.
    fn asset(&self, chain: &Chain, text: &str, f: &str) -> Result<Asset, Refusal> {
        if common::is_native(chain, text) {
            return Ok(native(chain));
        }
        if let Ok(contract) = common::address(chain, text, self.line, f) {
            let known = registry().token(&chain.id, &contract).filter(|t| t.contract.eq_ignore_ascii_case(&contract));
            let given = common::token_decimals(self.ctx, chain, Some(&contract), None);
            let (symbol, fixed) = (known.map(|t| t.symbol.clone()), known.map(|t| t.decimals));
            return Ok(Asset { key: contract, native: false, symbol, fixed, given });
        }
        let sym =
            text.get(..7).filter(|p| p.eq_ignore_ascii_case("symbol:")).and_then(|_| text.get(7..)).unwrap_or(text);
        let sym = sym.trim();
        let ticker = (1..=12).contains(&sym.chars().count())
            && sym.starts_with(|ch: char| ch.is_ascii_alphabetic())
            && sym.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'));
        if !ticker {
            return Err(self.refuse(
                f,
                format!(
                    "found {text:?}: expected the native symbol {}, a token contract address of {} or a ticker \
                     (letters and digits, at most 12)",
                    chain.native, chain.name
                ),
            ));
        }
        let given = common::token_decimals(self.ctx, chain, None, Some(sym));
        Ok(Asset { key: format!("symbol:{sym}"), native: false, symbol: Some(sym.to_owned()), fixed: None, given })
    }

    /// The decimals the profile gives this row (fixed or from its column), checked against
    /// the asset's known decimals; `None` when the profile leaves them to what is known.
    fn decimals(&self, a: &Asset, a_text: &str) -> Result<Option<u8>, Refusal> {
        let (d, f) = match &self.p.decimals {
            None | Some(DecimalsSource::Known) => return Ok(None),
            Some(DecimalsSource::Fixed(d)) => (*d, "decimals"),
            Some(DecimalsSource::Column(_)) => match self.opt(self.c.decimals)? {
                None if self.p.unit == AmountUnit::Base => return Ok(None),
                None => {
                    let f = self.c.decimals.map_or("decimals", |i| self.cf.name(i));
                    return Err(self.refuse(f, "empty: expected decimal places, 0 to 77"));
                }
                Some((t, f)) => match t.parse::<u8>() {
                    Ok(d) if d <= 77 && t.bytes().all(|b| b.is_ascii_digit()) => (d, f),
                    _ => return Err(self.refuse(f, format!("found {t:?}: expected decimal places, 0 to 77"))),
                },
            },
        };
        match a.fixed {
            Some(k) if k != d => Err(self.refuse(f, format!("found {d}: expected {k}, the decimals of {a_text}"))),
            _ => Ok(Some(d)),
        }
    }
}

fn native(chain: &Chain) -> Asset {
    Asset { key: chain.native.clone(), native: true, symbol: None, fixed: Some(chain.decimals), given: None }
}
