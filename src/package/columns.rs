//! The columns of the package's CSV tables, each defined once, by name and cell function:
//! [`transfers`], [`hops`], [`labels`] and [`notes`]. The writer ([`crate::export`]) writes a
//! table's header and rows from its [`Table`]; `hoptrace verify` compares the files with the
//! rows the same [`Table`] makes from the case (or, with `--ledger`, from the ledger), and
//! reading a package back finds its cells by the same column names. Cells are the text
//! before neutralising against spreadsheet formulas (the writer neutralises every cell).

use super::rfc3339;
use crate::case::{Case, NoteTarget};

/// What one row of a table is made from (a line of the table, borrowing its source).
pub trait Rows {
    /// The row's source.
    type Row<'a>;
}

/// One column: its header name and the cell of a row.
pub struct Column<K: Rows> {
    /// The header name.
    pub name: &'static str,
    /// The cell of a row (before neutralising).
    pub cell: for<'a, 'b> fn(&'b K::Row<'a>) -> String,
}

/// A CSV file of the package and its columns in order.
pub struct Table<K: Rows + 'static> {
    /// The file name (`transfers.csv`).
    pub file: &'static str,
    /// The columns, in file order.
    pub columns: &'static [Column<K>],
}

impl<K: Rows> Table<K> {
    /// The header names in order.
    pub fn header(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|c| c.name)
    }

    /// The header as one line of text (`id,chain,…`), for messages.
    #[must_use]
    pub fn header_text(&self) -> String {
        self.header().collect::<Vec<_>>().join(",")
    }

    /// The position of the column named `name`.
    #[must_use]
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The cells of one row, in column order (before neutralising).
    #[must_use]
    pub fn cells(&self, row: &K::Row<'_>) -> Vec<String> {
        self.columns.iter().map(|c| (c.cell)(row)).collect()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn ids(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}

/// `transfers.csv`: every transfer on the graph, with provenance and explorer URL.
pub mod transfers {
    use super::{Column, Rows, Table, opt, rfc3339};
    use crate::ledger::TransferRow;
    use crate::model::registry;

    /// A transfer row with its asset's symbol and decimals (from the ledger's asset table).
    pub struct Line<'a> {
        /// The ledger row.
        pub row: &'a TransferRow,
        /// The asset's symbol, when known.
        pub symbol: Option<&'a str>,
        /// The asset's decimals, when known.
        pub decimals: Option<u8>,
    }

    /// The rows of `transfers.csv`.
    pub enum Transfers {}
    impl Rows for Transfers {
        type Row<'a> = Line<'a>;
    }

    /// Ledger id.
    pub const ID: Column<Transfers> = Column { name: "id", cell: |l| l.row.id.to_string() };
    /// Chain.
    pub const CHAIN: Column<Transfers> = Column { name: "chain", cell: |l| l.row.transfer.chain.clone() };
    /// Transaction hash.
    pub const TX_HASH: Column<Transfers> = Column { name: "tx_hash", cell: |l| l.row.transfer.tx_hash.clone() };
    /// Transfer kind (`native`, `utxo_input`, …).
    pub const KIND: Column<Transfers> = Column { name: "kind", cell: |l| l.row.transfer.kind.name().to_owned() };
    /// Position in the transaction.
    pub const POSITION: Column<Transfers> = Column { name: "position", cell: |l| opt(l.row.transfer.position) };
    /// Block number.
    pub const BLOCK: Column<Transfers> = Column { name: "block", cell: |l| opt(l.row.transfer.block) };
    /// Time, RFC 3339.
    pub const TIME: Column<Transfers> =
        Column { name: "time", cell: |l| l.row.transfer.time.map(rfc3339).unwrap_or_default() };
    /// Sender (empty for a UTXO output or an input of unknown origin).
    pub const FROM: Column<Transfers> =
        Column { name: "from", cell: |l| l.row.transfer.from.clone().unwrap_or_default() };
    /// Receiver.
    pub const TO: Column<Transfers> = Column { name: "to", cell: |l| l.row.transfer.to.clone().unwrap_or_default() };
    /// Asset id.
    pub const ASSET: Column<Transfers> = Column { name: "asset", cell: |l| l.row.transfer.asset.clone() };
    /// Asset symbol.
    pub const SYMBOL: Column<Transfers> = Column { name: "symbol", cell: |l| l.symbol.unwrap_or_default().to_owned() };
    /// Asset decimals.
    pub const DECIMALS: Column<Transfers> = Column { name: "decimals", cell: |l| opt(l.decimals) };
    /// Amount in base units; an unknown amount is an empty cell and says so, never a zero.
    pub const AMOUNT_BASE_UNITS: Column<Transfers> =
        Column { name: "amount_base_units", cell: |l| l.row.amount().map(|a| a.to_string()).unwrap_or_default() };
    /// Amount with the asset's decimals; `unknown` for an unknown amount.
    pub const AMOUNT: Column<Transfers> = Column {
        name: "amount",
        cell: |l| match l.row.amount() {
            Some(a) => l.decimals.map(|d| a.format_units(d)).unwrap_or_default(),
            None => crate::ledger::UNKNOWN_AMOUNT.to_owned(),
        },
    };
    /// Fee in the chain's native base units.
    pub const FEE_BASE_UNITS: Column<Transfers> =
        Column { name: "fee_base_units", cell: |l| opt(l.row.transfer.fee_base) };
    /// Fee with the native decimals.
    pub const FEE: Column<Transfers> = Column {
        name: "fee",
        cell: |l| {
            let native_decimals = registry().chain(&l.row.transfer.chain).ok().map(|c| c.decimals);
            l.row.transfer.fee_base.zip(native_decimals).map(|(f, d)| f.format_units(d)).unwrap_or_default()
        },
    };
    /// `true` for a failed transaction.
    pub const FAILED: Column<Transfers> = Column { name: "failed", cell: |l| l.row.transfer.failed.to_string() };
    /// The imported file it came from.
    pub const SOURCE_FILE: Column<Transfers> =
        Column { name: "source_file", cell: |l| l.row.provenance.file_name.clone() };
    /// That file's SHA-256.
    pub const SOURCE_SHA256: Column<Transfers> =
        Column { name: "source_sha256", cell: |l| l.row.provenance.file_sha256.clone() };
    /// The line (or record) of that file.
    pub const SOURCE_LINE: Column<Transfers> =
        Column { name: "source_line", cell: |l| l.row.provenance.line.to_string() };
    /// The transaction at the chain's explorer.
    pub const EXPLORER_URL: Column<Transfers> = Column {
        name: "explorer_url",
        cell: |l| {
            let t = &l.row.transfer;
            registry().chain(&t.chain).map(|c| c.tx_url.replace("{tx}", &t.tx_hash)).unwrap_or_default()
        },
    };

    /// The cells the first version-1 writers wrote for a transfer of unknown amount (before
    /// 2026-12-07): `0` in `amount_base_units` and `amount`, as the ledger then stored it;
    /// `None` for a known amount, written the same in every version.
    #[must_use]
    pub fn unknown_amount_as_zero(line: &Line<'_>) -> Option<Vec<String>> {
        if line.row.amount().is_some() {
            return None;
        }
        let mut cells = TABLE.cells(line);
        let zero = crate::model::Amount::ZERO;
        for (column, text) in [
            (AMOUNT_BASE_UNITS, zero.to_string()),
            (AMOUNT, line.decimals.map(|d| zero.format_units(d)).unwrap_or_default()),
        ] {
            if let Some(cell) = TABLE.index(column.name).and_then(|i| cells.get_mut(i)) {
                *cell = text;
            }
        }
        Some(cells)
    }

    /// `transfers.csv`.
    pub static TABLE: Table<Transfers> = Table {
        file: "transfers.csv",
        columns: &[
            ID,
            CHAIN,
            TX_HASH,
            KIND,
            POSITION,
            BLOCK,
            TIME,
            FROM,
            TO,
            ASSET,
            SYMBOL,
            DECIMALS,
            AMOUNT_BASE_UNITS,
            AMOUNT,
            FEE_BASE_UNITS,
            FEE,
            FAILED,
            SOURCE_FILE,
            SOURCE_SHA256,
            SOURCE_LINE,
            EXPLORER_URL,
        ],
    };
}

/// `hops.csv`: the annotated hops, by id.
pub mod hops {
    use super::{Column, Rows, Table, ids, rfc3339};
    use crate::model::{Hop, HopKind, HopStatus};

    /// A hop with its id.
    pub struct Line<'a> {
        /// Hop id in the case.
        pub id: u64,
        /// The hop.
        pub hop: &'a Hop,
    }

    /// The rows of `hops.csv`.
    pub enum Hops {}
    impl Rows for Hops {
        type Row<'a> = Line<'a>;
    }

    /// `hops.csv`.
    pub static TABLE: Table<Hops> = Table {
        file: "hops.csv",
        columns: &[
            Column { name: "id", cell: |l| l.id.to_string() },
            Column { name: "kind", cell: |l| l.hop.kind.name().to_owned() },
            Column { name: "service", cell: |l| l.hop.kind.service().unwrap_or_default().to_owned() },
            Column {
                name: "pool",
                cell: |l| match &l.hop.kind {
                    HopKind::Mixer { pool, .. } => pool.clone().unwrap_or_default(),
                    _ => String::new(),
                },
            },
            Column {
                name: "from_chain",
                cell: |l| match &l.hop.kind {
                    HopKind::Bridge { from_chain, .. } => from_chain.clone(),
                    _ => String::new(),
                },
            },
            Column {
                name: "to_chain",
                cell: |l| match &l.hop.kind {
                    HopKind::Bridge { to_chain, .. } => to_chain.clone(),
                    _ => String::new(),
                },
            },
            Column { name: "inbound_transfers", cell: |l| ids(&l.hop.inbound) },
            Column { name: "outbound_transfers", cell: |l| ids(&l.hop.outbound) },
            Column { name: "confidence", cell: |l| l.hop.confidence.to_string() },
            Column { name: "rationale", cell: |l| l.hop.rationale.clone() },
            Column {
                name: "status",
                cell: |l| {
                    match l.hop.status {
                        HopStatus::Suggested => "suggested",
                        HopStatus::Accepted => "accepted",
                        HopStatus::Rejected => "rejected",
                    }
                    .to_owned()
                },
            },
            Column { name: "author", cell: |l| l.hop.author.clone() },
            Column { name: "time", cell: |l| rfc3339(l.hop.time) },
            Column {
                name: "features",
                cell: |l| l.hop.features.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "),
            },
        ],
    };
}

/// `labels.csv`: the investigator's labels (`case` rows) and the imported labels of the
/// graph's addresses (`ledger` rows), in one set of columns.
pub mod labels {
    use super::{Column, Rows, Table, rfc3339};
    use crate::case::{CaseLabel, NodeKey};
    use crate::model::Label;

    /// A label of either origin.
    pub enum Line<'a> {
        /// The investigator's label, by id.
        Case {
            /// Label id in the case.
            id: u64,
            /// The label.
            label: &'a CaseLabel,
        },
        /// An imported label from the ledger.
        Ledger(&'a Label),
    }

    /// The rows of `labels.csv`.
    pub enum Labels {}
    impl Rows for Labels {
        type Row<'a> = Line<'a>;
    }

    fn node_parts(k: &NodeKey) -> (String, String) {
        match k {
            NodeKey::Address { chain, address } => (chain.clone(), address.clone()),
            NodeKey::Tx { chain, hash } => (chain.clone(), format!("tx {hash}")),
            NodeKey::Aggregate(id) => (String::new(), format!("aggregate {id}")),
        }
    }

    /// A cell of an imported label; empty in the investigator's rows.
    fn ledger(l: &Line<'_>, cell: fn(&Label) -> String) -> String {
        match l {
            Line::Case { .. } => String::new(),
            Line::Ledger(label) => cell(label),
        }
    }

    /// A cell of the investigator's label; empty in imported rows.
    fn case(l: &Line<'_>, cell: fn(u64, &CaseLabel) -> String) -> String {
        match l {
            Line::Case { id, label } => cell(*id, label),
            Line::Ledger(_) => String::new(),
        }
    }

    /// `case` or `ledger`.
    pub const ORIGIN: Column<Labels> = Column {
        name: "origin",
        cell: |l| match l {
            Line::Case { .. } => "case".to_owned(),
            Line::Ledger(_) => "ledger".to_owned(),
        },
    };
    /// The investigator's label id (empty for an imported label).
    pub const LABEL_ID: Column<Labels> = Column { name: "label_id", cell: |l| case(l, |id, _| id.to_string()) };
    /// Chain.
    pub const CHAIN: Column<Labels> = Column {
        name: "chain",
        cell: |l| match l {
            Line::Case { label, .. } => node_parts(&label.node).0,
            Line::Ledger(label) => label.chain.clone(),
        },
    };
    /// Address (`tx HASH` or `aggregate N` for an investigator's label on such a node).
    pub const ADDRESS: Column<Labels> = Column {
        name: "address",
        cell: |l| match l {
            Line::Case { label, .. } => node_parts(&label.node).1,
            Line::Ledger(label) => label.address.clone(),
        },
    };
    /// Entity.
    pub const ENTITY: Column<Labels> = Column {
        name: "entity",
        cell: |l| match l {
            Line::Case { label, .. } => label.entity.clone(),
            Line::Ledger(label) => label.entity.clone(),
        },
    };
    /// Category.
    pub const CATEGORY: Column<Labels> = Column {
        name: "category",
        cell: |l| match l {
            Line::Case { label, .. } => label.category.name().to_owned(),
            Line::Ledger(label) => label.category.name().to_owned(),
        },
    };
    /// The source's own category.
    pub const SOURCE_CATEGORY: Column<Labels> =
        Column { name: "source_category", cell: |l| ledger(l, |x| x.source_category.clone().unwrap_or_default()) };
    /// Actor.
    pub const ACTOR: Column<Labels> =
        Column { name: "actor", cell: |l| ledger(l, |x| x.actor.clone().unwrap_or_default()) };
    /// Source.
    pub const SOURCE: Column<Labels> = Column {
        name: "source",
        cell: |l| match l {
            Line::Case { label, .. } => label.source.clone(),
            Line::Ledger(label) => label.source.clone(),
        },
    };
    /// The source's confidence.
    pub const CONFIDENCE: Column<Labels> =
        Column { name: "confidence", cell: |l| ledger(l, |x| x.confidence.clone().unwrap_or_default()) };
    /// Valid from.
    pub const VALID_FROM: Column<Labels> =
        Column { name: "valid_from", cell: |l| ledger(l, |x| x.valid_from.clone().unwrap_or_default()) };
    /// Valid to.
    pub const VALID_TO: Column<Labels> =
        Column { name: "valid_to", cell: |l| ledger(l, |x| x.valid_to.clone().unwrap_or_default()) };
    /// Who added it: the investigator, or the imported list's `added_by`.
    pub const ADDED_BY: Column<Labels> = Column {
        name: "added_by",
        cell: |l| match l {
            Line::Case { label, .. } => label.author.clone(),
            Line::Ledger(label) => label.added_by.clone().unwrap_or_default(),
        },
    };
    /// When the investigator set it (empty for an imported label).
    pub const TIME: Column<Labels> = Column { name: "time", cell: |l| case(l, |_, x| rfc3339(x.time)) };
    /// The line of the imported list (empty for the investigator's label).
    pub const SOURCE_LINE: Column<Labels> = Column { name: "source_line", cell: |l| ledger(l, |x| x.line.to_string()) };

    /// `labels.csv`.
    pub static TABLE: Table<Labels> = Table {
        file: "labels.csv",
        columns: &[
            ORIGIN,
            LABEL_ID,
            CHAIN,
            ADDRESS,
            ENTITY,
            CATEGORY,
            SOURCE_CATEGORY,
            ACTOR,
            SOURCE,
            CONFIDENCE,
            VALID_FROM,
            VALID_TO,
            ADDED_BY,
            TIME,
            SOURCE_LINE,
        ],
    };
}

/// `notes.csv`: the investigator's notes, by id.
pub mod notes {
    use super::{Column, Rows, Table, note_target, rfc3339};
    use crate::case::Note;

    /// A note with its id.
    pub struct Line<'a> {
        /// Note id in the case.
        pub id: u64,
        /// The note.
        pub note: &'a Note,
    }

    /// The rows of `notes.csv`.
    pub enum Notes {}
    impl Rows for Notes {
        type Row<'a> = Line<'a>;
    }

    /// `notes.csv`.
    pub static TABLE: Table<Notes> = Table {
        file: "notes.csv",
        columns: &[
            Column { name: "id", cell: |l| l.id.to_string() },
            Column { name: "target", cell: |l| note_target(&l.note.target) },
            Column { name: "text", cell: |l| l.note.text.clone() },
            Column { name: "author", cell: |l| l.note.author.clone() },
            Column { name: "time", cell: |l| rfc3339(l.note.time) },
        ],
    };
}

/// What a note is about, as text: `case`, `node ethereum:0x…`, `transfer 12`, `hop 3`.
#[must_use]
pub fn note_target(t: &NoteTarget) -> String {
    match t {
        NoteTarget::Case => "case".to_owned(),
        NoteTarget::Node(k) => format!("node {}", k.describe()),
        NoteTarget::Transfer(id) => format!("transfer {id}"),
        NoteTarget::Hop(id) => format!("hop {id}"),
    }
}

/// The rows of `hops.csv` (before neutralising), by hop id.
pub(crate) fn hop_rows(case: &Case) -> Vec<Vec<String>> {
    case.hops.iter().map(|(id, hop)| hops::TABLE.cells(&hops::Line { id: *id, hop })).collect()
}

/// The `case` rows of `labels.csv` (before neutralising): the investigator's labels by id.
pub(crate) fn case_label_rows(case: &Case) -> Vec<Vec<String>> {
    case.labels.iter().map(|(id, label)| labels::TABLE.cells(&labels::Line::Case { id: *id, label })).collect()
}

/// The rows of `notes.csv` (before neutralising), by note id.
pub(crate) fn note_rows(case: &Case) -> Vec<Vec<String>> {
    case.notes.iter().map(|(id, note)| notes::TABLE.cells(&notes::Line { id: *id, note })).collect()
}
