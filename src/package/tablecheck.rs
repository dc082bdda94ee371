//! The package's tables checked against `case.ron` and each other, for `hoptrace verify`
//! ([`super::selfcheck`]): `transfers.csv` against the transfers on the graph, `graph.graphml`
//! against `transfers.csv`, and `hops.csv`, `labels.csv` and `notes.csv` cell by cell against
//! the rows their [`Table`] makes from the case. Every CSV file is read by one record loop
//! ([`each_row`]), one record at a time.

use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;

use quick_xml::events::Event;

use super::columns::{Column, Rows, Table, labels, transfers};
use super::readback::restore;
use super::selfcheck::Findings;
use super::unpack::{Bounded, PackageError, PackageReader};
use crate::case::{Case, NodeKey};
use crate::import::csvutil::neutralize;
use crate::model::Amount;

/// What `transfers.csv` says of one transfer of the graph.
pub(super) struct Row {
    line: usize,
    amount_base: String,
    tx_hash: String,
    chain: String,
}

fn csv_error(pkg: &std::path::Path, name: &str, e: &csv::Error) -> Option<PackageError> {
    // A read error of the entry itself (a zip bomb) ends the check; other CSV errors are
    // problems of the file.
    if let csv::ErrorKind::Io(io) = e.kind() {
        return Some(PackageError::Refused { path: pkg.to_owned(), entry: name.to_owned(), reason: io.to_string() });
    }
    None
}

/// Reads `table`'s file (when the package has it) one CSV record at a time: a header other
/// than the table's is one problem and no record is read; a malformed record is a problem of
/// its line; `row(line, record, findings)` gets every other record.
///
/// # Errors
/// [`PackageError`] when the entry cannot be read as its header declares (a zip bomb).
fn each_row<K: Rows>(
    reader: &mut PackageReader,
    table: &Table<K>,
    f: &mut Findings<'_>,
    mut row: impl FnMut(usize, &csv::StringRecord, &mut Findings<'_>),
) -> Result<(), PackageError> {
    let name = table.file;
    let pkg = reader.path().to_owned();
    let Some(stream) = reader.reader(name)? else { return Ok(()) };
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(Bounded::csv(stream, name));
    match csv.headers() {
        Ok(h) if h.iter().eq(table.header()) => {}
        Ok(h) => {
            f.push(
                name,
                format!(
                    "{name}: the header is {}, expected {}",
                    h.iter().collect::<Vec<_>>().join(","),
                    table.header_text()
                ),
            );
            return Ok(());
        }
        Err(e) => {
            if let Some(err) = csv_error(&pkg, name, &e) {
                return Err(err);
            }
            f.push(name, format!("{name}: the header cannot be read: {e}"));
            return Ok(());
        }
    }
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => row(line, &record, f),
            Err(e) => {
                if let Some(err) = csv_error(&pkg, name, &e) {
                    return Err(err);
                }
                f.push(name, format!("{name} line {line}: {e}"));
            }
        }
    }
}

/// `transfers.csv` against the transfers `case.ron` puts on the graph; returns what it says
/// of them.
pub(super) fn check_transfers(
    reader: &mut PackageReader,
    case: &Case,
    f: &mut Findings<'_>,
) -> Result<HashMap<i64, Row>, PackageError> {
    let table = &transfers::TABLE;
    let name = table.file;
    let mut rows: HashMap<i64, Row> = HashMap::new();
    let col = |c: &Column<transfers::Transfers>| table.index(c.name).unwrap_or(0);
    let (c_id, c_chain, c_tx, c_dec, c_base, c_amount) = (
        col(&transfers::ID),
        col(&transfers::CHAIN),
        col(&transfers::TX_HASH),
        col(&transfers::DECIMALS),
        col(&transfers::AMOUNT_BASE_UNITS),
        col(&transfers::AMOUNT),
    );
    let width = table.columns.len();
    each_row(reader, table, f, |line, record, f| {
        let cell = |i: usize| restore(record.get(i).unwrap_or(""));
        if record.len() != width {
            f.push(name, format!("{name} line {line}: {} cells, the header has {width}", record.len()));
            return;
        }
        let Ok(id) = cell(c_id).parse::<i64>() else {
            f.push(name, format!("{name} line {line}: id {:?} is not a number", cell(c_id)));
            return;
        };
        if !case.transfers.contains(&id) {
            f.push(
                name,
                format!("{name} line {line}: transfer {id} is not on the graph of case.ron: the row was added"),
            );
            return;
        }
        if let Some(first) = rows.get(&id) {
            f.push(name, format!("{name} line {line}: transfer {id} has a row already (line {})", first.line));
            return;
        }
        let base = cell(c_base);
        let shown = cell(c_amount);
        if let (Ok(amount), Ok(decimals)) = (base.parse::<Amount>(), cell(c_dec).parse::<u8>())
            && amount.format_units(decimals) != shown
        {
            f.push(
                name,
                format!(
                    "{name} line {line} (transfer {id}): amount {shown:?} is not amount_base_units {base} \
                     with {decimals} decimals ({}): one of the two was changed",
                    amount.format_units(decimals)
                ),
            );
        }
        rows.insert(
            id,
            Row { line, amount_base: base.to_owned(), tx_hash: cell(c_tx).to_owned(), chain: cell(c_chain).to_owned() },
        );
    })?;
    for id in case.transfers.iter().filter(|id| !rows.contains_key(id)) {
        f.push(
            name,
            format!("{name} has no row for transfer {id}, which case.ron puts on the graph: the row was deleted"),
        );
    }
    Ok(rows)
}

/// Every transfer edge of `graph.graphml` against `transfers.csv`: same transfer, amount in
/// base units, transaction and chain.
pub(super) fn check_graphml(
    reader: &mut PackageReader,
    rows: &HashMap<i64, Row>,
    f: &mut Findings<'_>,
) -> Result<(), PackageError> {
    let pkg = reader.path().to_owned();
    let Some(stream) = reader.reader("graph.graphml")? else { return Ok(()) };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(Bounded::xml(stream, "graph.graphml")));
    let mut buf = Vec::new();
    let mut edge: Option<BTreeMap<String, String>> = None;
    let mut key: Option<String> = None;
    let mut text = String::new();
    loop {
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(quick_xml::Error::Io(io)) => {
                return Err(PackageError::Refused {
                    path: pkg,
                    entry: "graph.graphml".to_owned(),
                    reason: io.to_string(),
                });
            }
            Err(e) => {
                f.push(
                    "graph.graphml",
                    format!("graph.graphml: not readable XML at byte {}: {e}", xml.buffer_position()),
                );
                return Ok(());
            }
        };
        match event {
            Event::Eof => break,
            Event::Start(e) if e.name().as_ref() == "edge" => edge = Some(BTreeMap::new()),
            Event::Start(e) if e.name().as_ref() == "data" && edge.is_some() => {
                key = e.try_get_attribute("key").ok().flatten().map(|a| a.value.into_owned());
                text.clear();
            }
            Event::Text(t) if key.is_some() => text.push_str(&t),
            Event::GeneralRef(r) if key.is_some() => {
                text.push('&');
                text.push_str(&r);
                text.push(';');
            }
            Event::End(e) if e.name().as_ref() == "data" => {
                if let (Some(k), Some(map)) = (key.take(), edge.as_mut()) {
                    map.insert(k, std::mem::take(&mut text));
                }
            }
            Event::End(e) if e.name().as_ref() == "edge" => {
                if let Some(map) = edge.take() {
                    graphml_edge(&map, rows, f);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

fn graphml_edge(edge: &BTreeMap<String, String>, rows: &HashMap<i64, Row>, f: &mut Findings<'_>) {
    let Some(id_text) = edge.get("et") else { return };
    let Ok(id) = id_text.parse::<i64>() else {
        f.push("graph.graphml", format!("graph.graphml: an edge names transfer {id_text:?}, not a number"));
        return;
    };
    let Some(row) = rows.get(&id) else {
        f.push("graph.graphml", format!("graph.graphml: the edge of transfer {id} has no row in transfers.csv"));
        return;
    };
    for (key, field, csv_value) in
        [("eam", "amount_base_units", &row.amount_base), ("etx", "tx_hash", &row.tx_hash), ("ec", "chain", &row.chain)]
    {
        let graph_value = edge.get(key).map_or("", String::as_str);
        // An unknown amount (a UTXO input whose spent output is not in the ledger) is an empty
        // cell in transfers.csv and the ledger's mark, 0, in the graph.
        let unknown_amount = key == "eam" && csv_value.is_empty() && graph_value == "0";
        if graph_value != csv_value && !unknown_amount {
            f.push(
                "graph.graphml",
                format!(
                    "transfers.csv line {} (transfer {id}): {field} {csv_value:?}, but graph.graphml says \
                     {graph_value:?}: one of the two was changed",
                    row.line
                ),
            );
        }
    }
}

/// A table whose rows `case.ron` determines, compared cell by cell with the rows it should
/// have, by its id (`label_id` for `labels.csv`'s `case` rows, else the first column). The
/// `ledger` rows of `labels.csv` (imported labels) are not in the case: each must be of an
/// address on the graph.
pub(super) fn check_table<K: Rows>(
    reader: &mut PackageReader,
    table: &Table<K>,
    what: &str,
    expected: &[Vec<String>],
    case: &Case,
    f: &mut Findings<'_>,
) -> Result<(), PackageError> {
    let name = table.file;
    let is_labels = name == labels::TABLE.file;
    let index = |c: &Column<labels::Labels>| labels::TABLE.index(c.name).unwrap_or(0);
    let (origin_col, chain_col, address_col) = (index(&labels::ORIGIN), index(&labels::CHAIN), index(&labels::ADDRESS));
    let id_col = if is_labels { index(&labels::LABEL_ID) } else { 0 };
    let mut want: BTreeMap<String, &Vec<String>> =
        expected.iter().map(|r| (r.get(id_col).cloned().unwrap_or_default(), r)).collect();
    each_row(reader, table, f, |line, record, f| {
        if is_labels {
            match record.get(origin_col) {
                Some("case") => {}
                Some("ledger") => {
                    let cell = |i: usize| restore(record.get(i).unwrap_or(""));
                    let key = NodeKey::address(cell(chain_col), cell(address_col));
                    if !case.nodes.contains_key(&key) {
                        f.push(
                            name,
                            format!(
                                "{name} line {line}: an imported label of {}, which is not on the graph of case.ron: \
                                 the row was added",
                                key.describe()
                            ),
                        );
                    }
                    return;
                }
                Some(other) => {
                    f.push(name, format!("{name} line {line}: origin {:?}, expected case or ledger", restore(other)));
                    return;
                }
                None => return,
            }
        }
        let id = record.get(id_col).unwrap_or("").to_owned();
        let Some(expected) = want.remove(&id) else {
            f.push(name, format!("{name} line {line}: {what} {id} is not in case.ron: the row was added"));
            return;
        };
        let differing: Vec<String> = table
            .header()
            .enumerate()
            .filter_map(|(i, col)| {
                let have = record.get(i).unwrap_or("");
                let should = neutralize(expected.get(i).map_or("", String::as_str)).into_owned();
                (have != should).then(|| format!("{col} {:?}, case.ron says {:?}", restore(have), restore(&should)))
            })
            .collect();
        if !differing.is_empty() {
            f.push(name, format!("{name} line {line} ({what} {id}): {}", differing.join("; ")));
        }
    })?;
    for id in want.keys() {
        f.push(name, format!("{name} has no row for {what} {id} of case.ron: the row was deleted"));
    }
    Ok(())
}
