//! The OFAC Specially Designated Nationals list, in the forms the U.S. Treasury publishes:
//!
//! - `SDN_ADVANCED.XML` (and `SDN_ENHANCED.XML` where it uses the same elements): each address
//!   is a `Feature` whose `FeatureTypeID` names `Digital Currency Address - ETH` (XBT, TRX,
//!   USDT, …) in `ReferenceValueSets/FeatureTypeValues`, with the address in `VersionDetail`,
//!   under a `DistinctParty` (uid `FixedRef`, name from the primary alias's `NamePartValue`s);
//!   programs are the `Comment`s of `SanctionsMeasure`s of type `Program` in the
//!   `SanctionsEntry` of the party's profile;
//! - `SDN_ENHANCED.XML` in its own schema: `entity` (uid `id`), `sanctionsProgram`,
//!   `formattedFullName`, and `feature` with `type` and `value`;
//! - `SDN.XML`: `sdnEntry` with `uid`, `lastName`/`firstName`, `programList/program` and
//!   `idList/id` with `idType` `Digital Currency Address - XBT` and `idNumber`;
//! - `sdn.csv`: no header; columns `ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,
//!   Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks` (`-0-` = empty), the addresses in the
//!   remarks: `Digital Currency Address - XBT 1Abc…; alt. Digital Currency Address - ETH 0x…`
//!   (a `.` ending the remarks is not part of the address).
//!
//! The XML is streamed with quick-xml: memory does not grow with the file, only with the
//! parties that list addresses (`SDN_ADVANCED.XML` states programs after all parties).
//!
//! Each address becomes one [`Label`]: category sanctioned, entity and actor = the party's
//! name, source = `OFAC SDN uid N, program P (FILE)` (`programs P1, P2` for several),
//! `added_by` = U.S. Treasury OFAC, line = the address's line. An entry without any address
//! is counted as skipped.
//!
//! # Chain of a currency code
//! `XBT` → bitcoin, `ETH` → ethereum, `TRX` → tron, `BSC` → bsc, `ARB` → arbitrum. `USDT` and
//! `USDC` circulate on several chains, so the address's syntax decides: `0x…` → ethereum (the
//! chain OFAC's EVM stablecoin listings name), `T…` → tron, anything else → bitcoin (Omni
//! USDT). Other codes (`LTC` → `litecoin`, `BCH`, `XMR`, `ETC`, …) map to their registry chain
//! when hoptrace has it; else the address is skipped and counted under a reason naming the
//! code. An address the code's chain rejects but which is valid on a chain of another address
//! syntax (OFAC lists a Tron address under XBT) goes to that chain, and its source says so.

mod xml;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::{Mutex, OnceLock};

use csv::ByteRecord;

pub use xml::read as read_xml;

use super::address_list::resolve;
use super::labels::{Rows, cell};
use super::{ReadContext, ReadError, Refusal, Sink};
use crate::model::{Category, Label, registry};

/// The text before the currency code of an address's type.
pub const ADDRESS_TYPE: &str = "Digital Currency Address - ";

/// `added_by` of every SDN label.
pub const PUBLISHER: &str = "U.S. Treasury OFAC";

/// Currency codes and the registry chain each would be, when the registry has it.
const CODES: [(&str, &str); 17] = [
    ("XBT", "bitcoin"),
    ("BTC", "bitcoin"),
    ("ETH", "ethereum"),
    ("TRX", "tron"),
    ("BSC", "bsc"),
    ("ARB", "arbitrum"),
    ("LTC", "litecoin"),
    ("BCH", "bitcoin-cash"),
    ("BSV", "bitcoin-sv"),
    ("BTG", "bitcoin-gold"),
    ("ETC", "ethereum-classic"),
    ("XMR", "monero"),
    ("ZEC", "zcash"),
    ("DASH", "dash"),
    ("XRP", "xrp"),
    ("XVG", "verge"),
    ("SOL", "solana"),
];

/// One address of a listed party.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listed {
    /// Currency code (`XBT`).
    pub code: String,
    /// The address as written.
    pub address: String,
    /// Its line.
    pub line: u64,
    /// The field it was read from, for refusals.
    pub field: &'static str,
}

/// A listed party with its addresses.
#[derive(Debug, Clone, Default)]
pub(crate) struct Party {
    /// OFAC uid (`ent_num`, `FixedRef`).
    pub uid: String,
    /// Name as listed.
    pub name: String,
    /// Sanctions programs.
    pub programs: Vec<String>,
    /// Digital currency addresses.
    pub addresses: Vec<Listed>,
    /// Line where the entry starts.
    pub line: u64,
}

/// The chain of `code` for `address`: `Ok(chain)`, or `Err(reason)` for a code without a
/// registry chain (a skip reason naming the code).
fn chain_of(code: &str, address: &str) -> Result<&'static str, &'static str> {
    let up = code.trim().to_ascii_uppercase();
    if up == "USDT" || up == "USDC" {
        return Ok(if address.starts_with("0x") || address.starts_with("0X") {
            "ethereum"
        } else if address.starts_with('T') {
            "tron"
        } else {
            "bitcoin"
        });
    }
    let reg = registry();
    let id = CODES.iter().find(|(c, _)| *c == up).map(|(_, id)| *id);
    match id.and_then(|id| reg.chain(id).ok()) {
        Some(c) => Ok(c.id.as_str()),
        None => Err(skip_reason(&up)),
    }
}

/// The skip reason of an address of `code`, interned (at most 64 codes are named; past that,
/// a general reason).
fn skip_reason(code: &str) -> &'static str {
    const GENERAL: &str = "OFAC address of a currency without a chain in hoptrace's registry";
    static NAMES: OnceLock<Mutex<BTreeMap<String, &'static str>>> = OnceLock::new();
    let printable = !code.is_empty() && code.len() <= 12 && code.bytes().all(|b| b.is_ascii_alphanumeric());
    if !printable {
        return GENERAL;
    }
    let Ok(mut names) = NAMES.get_or_init(Mutex::default).lock() else { return GENERAL };
    if let Some(r) = names.get(code) {
        return r;
    }
    if names.len() >= 64 {
        return GENERAL;
    }
    let reason: &'static str = Box::leak(
        format!("OFAC address of currency {code}, which has no chain in hoptrace's registry").into_boxed_str(),
    );
    names.insert(code.to_owned(), reason);
    reason
}

/// Sends the labels of `party` to `sink` (an entry without addresses is counted as skipped).
///
/// # Errors
/// The sink failed.
pub(crate) fn emit(party: &Party, file: &str, sink: &mut dyn Sink) -> Result<(), ReadError> {
    if party.addresses.is_empty() {
        sink.skip(party.line, "SDN entry without a digital currency address");
        return Ok(());
    }
    let programs = match party.programs.as_slice() {
        [] => "no program stated".to_owned(),
        [one] => format!("program {one}"),
        many => format!("programs {}", many.join(", ")),
    };
    let source = format!("OFAC SDN uid {}, {programs} ({file})", party.uid);
    for a in &party.addresses {
        sink.row();
        let chain = match chain_of(&a.code, a.address.trim()) {
            Ok(c) => c,
            Err(reason) => {
                sink.skip(a.line, reason);
                continue;
            }
        };
        if party.name.trim().is_empty() {
            sink.refuse(Refusal::new(a.line, "name", "found no name of the listed party: expected its name"));
            continue;
        }
        match resolve(Some(chain), a.address.trim()) {
            Ok(r) => sink.label(Label {
                actor: Some(party.name.clone()),
                added_by: Some(PUBLISHER.to_owned()),
                line: a.line,
                ..Label::new(
                    r.chain,
                    r.address,
                    party.name.clone(),
                    Category::Sanctioned,
                    r.note.map_or_else(|| source.clone(), |n| format!("{source} ({n})")),
                )
            })?,
            Err(m) => sink.refuse(Refusal::new(a.line, a.field, m)),
        }
    }
    Ok(())
}

/// The `(code, address)` pairs of an sdn.csv remarks cell.
fn remark_addresses(remarks: &str) -> Vec<(String, String)> {
    remarks
        .split(';')
        .filter_map(|part| {
            let p = part.trim();
            let p = p.strip_prefix("alt.").map_or(p, str::trim_start);
            let rest = p.strip_prefix(ADDRESS_TYPE)?;
            let mut words = rest.split_whitespace();
            let code = words.next()?.to_owned();
            let address = words.next().unwrap_or("");
            Some((code, address.strip_suffix('.').unwrap_or(address).to_owned()))
        })
        .collect()
}

/// Reads the headerless `sdn.csv` (see the module docs) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for a CSV syntax error or a file without rows.
pub fn read_csv(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let mut rows = Rows::new(input);
    let mut rec = ByteRecord::new();
    let mut entries = 0u64;
    while let Some(next) = rows.next(&mut rec, sink)? {
        let line = match next {
            Ok(line) => line,
            Err(r) => {
                entries += 1;
                sink.row();
                sink.refuse(r);
                continue;
            }
        };
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim_ascii() == b"\x1a") {
            sink.skip(line, "end-of-file mark (Ctrl-Z)");
            continue;
        }
        entries += 1;
        if rec.len() != 12 {
            sink.row();
            let m = format!("found {} cells: expected the 12 columns of sdn.csv (ent_num … Remarks)", rec.len());
            sink.refuse(Refusal::new(line, "row", m));
            continue;
        }
        let got = |i: usize, field: &str| cell(&rec, i, line, field).map(|c| if c == "-0-" { "" } else { c });
        let parsed = (|| {
            let uid = got(0, "ent_num")?;
            if uid.is_empty() || !uid.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refusal::new(line, "ent_num", format!("found {uid:?}: expected the entry number")));
            }
            let remarks = got(11, "Remarks")?;
            let programs = got(3, "Program")?;
            Ok(Party {
                uid: uid.to_owned(),
                name: got(1, "SDN_Name")?.to_owned(),
                programs: programs
                    .split(']')
                    .map(|p| p.trim().trim_start_matches('[').trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
                addresses: remark_addresses(remarks)
                    .into_iter()
                    .map(|(code, address)| Listed { code, address, line, field: "Remarks" })
                    .collect(),
                line,
            })
        })();
        match parsed {
            Ok(p) => emit(&p, ctx.file_name, sink)?,
            Err(r) => {
                sink.row();
                sink.refuse(r);
            }
        }
    }
    if entries == 0 {
        return Err(ReadError::format(1, "found no entry: expected sdn.csv rows `ent_num,SDN_Name,…,Remarks`"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
