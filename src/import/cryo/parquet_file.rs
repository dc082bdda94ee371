//! cryo Parquet files: the schema decides the dataset, then each row group's used columns are
//! decoded [`CHUNK`] rows at a time, in step, and handed row by row to the converter: memory
//! holds one chunk of each column (not a whole row group, which polars makes 262,144 rows).

use std::fs::File;

use parquet::basic::{ConvertedType, LogicalType, Type as Physical};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, FixedLenByteArray};
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::schema::types::ColumnDescriptor;

use super::columns::{Cell, FIELDS, Layout, NAMES};
use super::pages;
use super::{Converter, Where};
use crate::import::{ReadContext, ReadError, Sink};

/// Decoded values of one column chunk.
enum Values {
    Bytes(Vec<ByteArray>),
    Fixed(Vec<FixedLenByteArray>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
}

/// One used column of the current row group.
struct Column {
    values: Values,
    /// Index into `values` of each row's value; `None` for a column without nulls (row = index).
    slots: Option<Vec<u32>>,
    /// A string column (text, not binary).
    text: bool,
    /// An unsigned integer column.
    unsigned: bool,
}

const NULL_SLOT: u32 = u32::MAX;

impl Column {
    fn bytes<'a>(&self, b: &'a [u8]) -> Cell<'a> {
        if !self.text {
            return Cell::Bytes(b);
        }
        match std::str::from_utf8(b) {
            Ok("") => Cell::Null,
            Ok(t) => Cell::Text(t),
            Err(_) => Cell::Bytes(b),
        }
    }

    fn cell(&self, row: usize) -> Cell<'_> {
        let i = match &self.slots {
            None => row,
            Some(s) => match s.get(row) {
                Some(&NULL_SLOT) | None => return Cell::Null,
                Some(&i) => i as usize,
            },
        };
        match &self.values {
            Values::Bytes(v) => v.get(i).map_or(Cell::Null, |b| self.bytes(b.data())),
            Values::Fixed(v) => v.get(i).map_or(Cell::Null, |b| self.bytes(b.data())),
            Values::I32(v) => v.get(i).map_or(Cell::Null, |x| {
                if self.unsigned { Cell::UInt(u64::from(x.cast_unsigned())) } else { Cell::Int(i64::from(*x)) }
            }),
            Values::I64(v) => v
                .get(i)
                .map_or(Cell::Null, |x| if self.unsigned { Cell::UInt(x.cast_unsigned()) } else { Cell::Int(*x) }),
            Values::Bool(v) => v.get(i).map_or(Cell::Null, |b| Cell::Bool(*b)),
        }
    }
}

/// Runs `f`, a call into the parquet crate, with a panic of the crate on a damaged file (it
/// panics on some: a dictionary-encoded page without its dictionary, a column chunk whose
/// offset or length is negative; both found by fuzzing) turned into a refusal of the file
/// naming `what` (the footer, a row group, a column of one).
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder stopped".to_owned());
        Err(ReadError::format(
            1,
            format!("{what}: the Parquet data is damaged ({why}): expected a readable Parquet file as cryo writes it"),
        ))
    })
}

fn perr(what: &str, e: &parquet::errors::ParquetError) -> ReadError {
    ReadError::format(1, format!("{what}: {e}: expected a Parquet file as cryo writes it"))
}

/// Checks the page headers of every used column chunk of row group `g` (see [`pages`]): what
/// each page claims, before the crate decodes and allocates it. Returns the pages read.
fn check_group_pages(
    group: &parquet::file::metadata::RowGroupMetaData,
    layout: &Layout,
    g: usize,
    headers: &mut File,
    file_len: u64,
) -> Result<u64, ReadError> {
    let mut count = 0u64;
    for (f, i) in layout.index.iter().enumerate().filter_map(|(f, i)| Some((f, (*i)?))) {
        let col = group.column(i);
        let span = pages::ChunkSpan {
            start: col.dictionary_page_offset().unwrap_or_else(|| col.data_page_offset()),
            compressed: col.compressed_size(),
            uncompressed: col.uncompressed_size(),
        };
        let n = pages::check_chunk(headers, file_len, span).map_err(|why| {
            ReadError::format(
                1,
                format!("row group {g}, column {}: {why}: expected a Parquet file as cryo writes it", NAMES[f]),
            )
        })?;
        count += n as u64;
    }
    Ok(count)
}

/// The page-header check the reader runs before decoding, alone, over the whole Parquet file at
/// `path` (for the import benchmark, which reports its share of the import). Returns the pages
/// checked.
///
/// # Errors
/// [`ReadError`] as the import would refuse the file.
pub fn check_page_headers(path: &std::path::Path) -> Result<u64, ReadError> {
    let file = File::open(path)?;
    let mut headers = File::open(path)?;
    let file_len = headers.metadata()?.len();
    let reader = guarded("the footer", || {
        SerializedFileReader::new(file).map_err(|e| perr("cannot read the Parquet footer", &e))
    })?;
    let names: Vec<String> =
        reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_owned()).collect();
    let layout = Layout::new(&names).map_err(|m| ReadError::format(1, m))?;
    let mut count = 0;
    for (g, group) in reader.metadata().row_groups().iter().enumerate() {
        count += check_group_pages(group, &layout, g, &mut headers, file_len)?;
    }
    Ok(count)
}

/// Reads the Parquet file at `ctx.path`.
pub(super) fn read(ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let Some(path) = ctx.path else {
        return Err(ReadError::format(
            1,
            "a Parquet file is read from disk (its schema is at its end), but this import has no file path: \
             expected `hoptrace import FILE.parquet`",
        ));
    };
    let file = File::open(path)?;
    let mut headers = File::open(path)?;
    let file_len = headers.metadata()?.len();
    let reader = guarded("the footer", || {
        SerializedFileReader::new(file).map_err(|e| perr("cannot read the Parquet footer", &e))
    })?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let names: Vec<String> = schema.columns().iter().map(|c| c.name().to_owned()).collect();
    let layout = Layout::new(&names).map_err(|m| ReadError::format(1, m))?;
    for (f, idx) in layout.index.iter().enumerate() {
        if let Some(descr) = idx.and_then(|i| schema.columns().get(i))
            && descr.max_rep_level() > 0
        {
            return Err(ReadError::format(
                1,
                format!("column {} is a list: expected one value a row as cryo writes it", NAMES[f]),
            ));
        }
    }
    let mut conv = Converter::new(&layout, ctx)?;
    let mut line = 0u64;
    for g in 0..reader.num_row_groups() {
        let group = guarded(&format!("row group {g}"), || {
            reader.get_row_group(g).map_err(|e| perr(&format!("row group {g}"), &e))
        })?;
        let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
        // What each used column's pages claim, before the crate decodes (and allocates) it.
        check_group_pages(group.metadata(), &layout, g, &mut headers, file_len)?;
        let mut readers: Vec<Option<ChunkReader>> = Vec::with_capacity(FIELDS);
        for (f, idx) in layout.index.iter().enumerate() {
            readers.push(match idx {
                Some(i) => Some(guarded(&format!("row group {g}, column {}", NAMES[f]), || {
                    ChunkReader::new(group.as_ref(), *i, g, NAMES[f])
                })?),
                None => None,
            });
        }
        let mut start = 0usize;
        while start < rows {
            let n = CHUNK.min(rows - start);
            let mut cols: Vec<Option<Column>> = Vec::with_capacity(FIELDS);
            for r in &mut readers {
                cols.push(match r {
                    Some(r) => Some(guarded(&format!("row group {g}, column {}", r.name), || r.next(n, start))?),
                    None => None,
                });
            }
            let mut cells = [Cell::Null; FIELDS];
            for r in 0..n {
                line += 1;
                sink.row();
                for (cell, col) in cells.iter_mut().zip(&cols) {
                    *cell = col.as_ref().map_or(Cell::Null, |c| c.cell(r));
                }
                conv.row(&cells, &Where { line, group: Some((g, start + r)) }, sink)?;
            }
            start += n;
        }
    }
    Ok(())
}

/// Rows decoded at a time from each column.
const CHUNK: usize = 8192;

fn is_text(d: &ColumnDescriptor) -> bool {
    d.converted_type() == ConvertedType::UTF8 || matches!(d.logical_type_ref(), Some(LogicalType::String))
}

fn is_unsigned(d: &ColumnDescriptor) -> bool {
    matches!(
        d.converted_type(),
        ConvertedType::UINT_8 | ConvertedType::UINT_16 | ConvertedType::UINT_32 | ConvertedType::UINT_64
    ) || matches!(d.logical_type_ref(), Some(LogicalType::Integer(t)) if !t.is_signed)
}

/// The typed reader of one column chunk.
enum Typed {
    Bytes(parquet::column::reader::ColumnReaderImpl<parquet::data_type::ByteArrayType>),
    Fixed(parquet::column::reader::ColumnReaderImpl<parquet::data_type::FixedLenByteArrayType>),
    I32(parquet::column::reader::ColumnReaderImpl<parquet::data_type::Int32Type>),
    I64(parquet::column::reader::ColumnReaderImpl<parquet::data_type::Int64Type>),
    Bool(parquet::column::reader::ColumnReaderImpl<parquet::data_type::BoolType>),
}

/// Decodes one used column of a row group, [`CHUNK`] rows at a time.
struct ChunkReader {
    typed: Typed,
    descr: parquet::schema::types::ColumnDescPtr,
    /// Row group and column name, for errors.
    g: usize,
    name: &'static str,
    def: Vec<i16>,
}

impl ChunkReader {
    fn new(group: &dyn RowGroupReader, i: usize, g: usize, name: &'static str) -> Result<Self, ReadError> {
        let descr = group.metadata().column(i).column_descr_ptr();
        let typed = match group.get_column_reader(i).map_err(|e| chunk_error(g, name, &e))? {
            ColumnReader::ByteArrayColumnReader(r) => Typed::Bytes(r),
            ColumnReader::FixedLenByteArrayColumnReader(r) => Typed::Fixed(r),
            ColumnReader::Int32ColumnReader(r) => Typed::I32(r),
            ColumnReader::Int64ColumnReader(r) => Typed::I64(r),
            ColumnReader::BoolColumnReader(r) => Typed::Bool(r),
            _ => {
                let found = descr.physical_type();
                let message = if found == Physical::DOUBLE || found == Physical::FLOAT {
                    format!(
                        "column {name} holds floating-point numbers, which cannot state it exactly: expected binary, text or integers"
                    )
                } else {
                    format!("column {name} has Parquet type {found}: expected binary, text, integers or booleans")
                };
                return Err(ReadError::format(1, format!("row group {g}: {message}")));
            }
        };
        Ok(ChunkReader { typed, descr, g, name, def: Vec::new() })
    }

    /// The next `rows` rows (rows `start..` of the group).
    fn next(&mut self, rows: usize, start: usize) -> Result<Column, ReadError> {
        let (g, name) = (self.g, self.name);
        let nullable = self.descr.max_def_level() > 0;
        let def = &mut self.def;
        def.clear();
        macro_rules! chunk {
            ($reader:expr, $variant:ident) => {{
                let r = $reader;
                let mut values = Vec::with_capacity(rows);
                let mut done = 0usize;
                while done < rows {
                    let (records, _, _) = r
                        .read_records(rows - done, nullable.then_some(&mut *def), None, &mut values)
                        .map_err(|e| chunk_error(g, name, &e))?;
                    if records == 0 {
                        break;
                    }
                    done += records;
                }
                if done != rows {
                    return Err(ReadError::format(
                        1,
                        format!(
                            "row group {g}, column {name}: found {} values: expected {} (a truncated file?)",
                            start + done,
                            start + rows
                        ),
                    ));
                }
                Values::$variant(values)
            }};
        }
        let values = match &mut self.typed {
            Typed::Bytes(r) => chunk!(r, Bytes),
            Typed::Fixed(r) => chunk!(r, Fixed),
            Typed::I32(r) => chunk!(r, I32),
            Typed::I64(r) => chunk!(r, I64),
            Typed::Bool(r) => chunk!(r, Bool),
        };
        let slots = nullable.then(|| {
            let max = self.descr.max_def_level();
            let mut next = 0u32;
            self.def
                .iter()
                .map(|d| {
                    if *d == max {
                        next += 1;
                        next - 1
                    } else {
                        NULL_SLOT
                    }
                })
                .collect()
        });
        Ok(Column { values, slots, text: is_text(&self.descr), unsigned: is_unsigned(&self.descr) })
    }
}

fn chunk_error(g: usize, name: &str, e: &parquet::errors::ParquetError) -> ReadError {
    ReadError::format(1, format!("row group {g}, column {name}: {e}: expected a readable Parquet column chunk"))
}
