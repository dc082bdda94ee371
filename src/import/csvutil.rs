//! Shared CSV plumbing: header lookup by alias, per-field UTF-8 checks, exact line numbers, and
//! blank lines counted instead of silently dropped.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::BufRead;

use csv::{ByteRecord, ReaderBuilder};

use super::{ReadError, Refusal, Sink};

/// Normalises a header name for matching: lower case, without BOM, quotes, spaces, `_`, `-`.
#[must_use]
pub fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '"' | '\t'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The header of a CSV file, for finding columns by any of their historical names.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Header names as written.
    pub names: Vec<String>,
    normalized: Vec<String>,
}

impl Columns {
    /// Builds the lookup from header names.
    #[must_use]
    pub fn new(names: Vec<String>) -> Self {
        let normalized = names.iter().map(|n| normalize_header(n)).collect();
        Columns { names, normalized }
    }

    /// Number of columns.
    #[must_use]
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when the header has no columns.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Index of the first column whose normalised name is one of `aliases` (given normalised).
    #[must_use]
    pub fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases.iter().find_map(|a| self.normalized.iter().position(|n| n == a))
    }

    /// Index and suffix of the first column whose normalised name starts with `prefix`, e.g.
    /// `valuein(` finds `Value_IN(BNB)` and returns the rest, `bnb)`.
    #[must_use]
    pub fn find_prefix(&self, prefix: &str) -> Option<(usize, String)> {
        self.normalized.iter().enumerate().find_map(|(i, n)| n.strip_prefix(prefix).map(|rest| (i, rest.to_owned())))
    }

    /// Like [`Columns::find`], but a missing column stops the read with a message naming it.
    ///
    /// # Errors
    /// [`ReadError::Format`] at line 1 listing the names looked for.
    pub fn require(&self, what: &str, aliases: &[&str]) -> Result<usize, ReadError> {
        self.find(aliases).ok_or_else(|| {
            ReadError::format(
                1,
                format!(
                    "header has no {what} column (looked for {}); header is: {}",
                    aliases.join(", "),
                    self.names.join(",")
                ),
            )
        })
    }

    /// The set of normalised names, for format detection.
    #[must_use]
    pub fn normalized(&self) -> &[String] {
        &self.normalized
    }
}

/// A CSV file being read row by row.
pub struct CsvFile<'r> {
    rdr: csv::Reader<&'r mut dyn BufRead>,
    /// The header.
    pub columns: Columns,
    next_line: u64,
}

impl<'r> CsvFile<'r> {
    /// Opens `input` and reads its header line.
    ///
    /// # Errors
    /// [`ReadError::Format`] for an empty file, a header that is not UTF-8, or a column name
    /// that appears twice.
    pub fn open(input: &'r mut dyn BufRead) -> Result<Self, ReadError> {
        Self::open_with(input, b',')
    }

    /// Like [`CsvFile::open`], with cells separated by `delimiter` (`;` in many European
    /// spreadsheets' exports, a tab) instead of a comma.
    ///
    /// # Errors
    /// As [`CsvFile::open`].
    pub fn open_with(input: &'r mut dyn BufRead, delimiter: u8) -> Result<Self, ReadError> {
        let mut rdr = ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(input);
        let mut header = ByteRecord::new();
        let got = rdr.read_byte_record(&mut header).map_err(|e| csv_error(&e, 1))?;
        if !got {
            return Err(ReadError::format(1, "empty file: expected a header line"));
        }
        let first_line = header.position().map_or(1, csv::Position::line);
        let mut names = Vec::with_capacity(header.len());
        for (i, f) in header.iter().enumerate() {
            let name = std::str::from_utf8(f).map_err(|_| {
                ReadError::format(
                    first_line,
                    format!("header column {} is not UTF-8 text: expected a CSV header", i + 1),
                )
            })?;
            names.push(name.trim().trim_start_matches('\u{feff}').to_owned());
        }
        let columns = Columns::new(names);
        let mut seen = BTreeMap::new();
        for (i, n) in columns.normalized().iter().enumerate() {
            if n.is_empty() {
                continue;
            }
            if let Some(prev) = seen.insert(n.clone(), i) {
                return Err(ReadError::format(
                    first_line,
                    format!(
                        "column {:?} appears twice in the header (columns {} and {}): expected each column once",
                        columns.names[i],
                        prev + 1,
                        i + 1
                    ),
                ));
            }
        }
        let next_line = rdr.position().line();
        Ok(CsvFile { rdr, columns, next_line })
    }

    /// Reads the next data row into `rec` and returns its 1-based line, counting blank lines
    /// that the CSV reader passed over as skipped rows in `sink`.
    ///
    /// # Errors
    /// [`ReadError::Format`] for a CSV syntax error (e.g. an unterminated quote).
    pub fn next_row(&mut self, rec: &mut ByteRecord, sink: &mut dyn Sink) -> Result<Option<u64>, ReadError> {
        loop {
            let got = self.rdr.read_byte_record(rec).map_err(|e| csv_error(&e, self.next_line))?;
            if !got {
                return Ok(None);
            }
            let line = rec.position().map_or(self.next_line, csv::Position::line);
            for blank in self.next_line..line {
                sink.skip(blank, "blank line");
            }
            self.next_line = self.rdr.position().line();
            // A row of empty cells only (",,,,") is a separator row, not data.
            if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                sink.skip(line, "empty separator row");
                continue;
            }
            sink.row();
            return Ok(Some(line));
        }
    }

    /// Checks the row has as many cells as the header.
    ///
    /// # Errors
    /// A [`Refusal`] naming both counts.
    pub fn check_width(&self, rec: &ByteRecord, line: u64) -> Result<(), Refusal> {
        // Many exports end every data line with a comma the header lacks: an empty last cell.
        let width = if rec.len() == self.columns.len() + 1 && rec.get(rec.len() - 1).is_some_and(<[u8]>::is_empty) {
            rec.len() - 1
        } else {
            rec.len()
        };
        if width == self.columns.len() {
            Ok(())
        } else {
            Err(Refusal::new(
                line,
                "row",
                format!("expected {} columns as in the header, found {}", self.columns.len(), rec.len()),
            ))
        }
    }

    /// The header name of column `idx`, for refusals.
    #[must_use]
    pub fn name(&self, idx: usize) -> &str {
        self.columns.names.get(idx).map_or("?", String::as_str)
    }

    /// The trimmed text of cell `idx`, or a refusal if it is not UTF-8; a missing cell is "".
    ///
    /// # Errors
    /// A [`Refusal`] naming the column.
    pub fn cell<'a>(&self, rec: &'a ByteRecord, idx: usize, line: u64) -> Result<&'a str, Refusal> {
        let bytes = rec.get(idx).unwrap_or(b"");
        std::str::from_utf8(bytes).map(str::trim).map_err(|_| {
            Refusal::new(line, self.name(idx), "cell is not UTF-8 text: expected UTF-8 (re-save the export as UTF-8)")
        })
    }

    /// Like [`CsvFile::cell`] but refuses an empty cell.
    ///
    /// # Errors
    /// A [`Refusal`] naming the column.
    pub fn required<'a>(&self, rec: &'a ByteRecord, idx: usize, line: u64) -> Result<&'a str, Refusal> {
        let v = self.cell(rec, idx, line)?;
        if v.is_empty() { Err(Refusal::new(line, self.name(idx), "empty: expected a value")) } else { Ok(v) }
    }

    /// Optional cell: `None` when the column is absent or the cell empty.
    ///
    /// # Errors
    /// A [`Refusal`] if the cell is not UTF-8.
    pub fn optional<'a>(&self, rec: &'a ByteRecord, idx: Option<usize>, line: u64) -> Result<Option<&'a str>, Refusal> {
        match idx {
            None => Ok(None),
            Some(i) => self.cell(rec, i, line).map(|v| (!v.is_empty()).then_some(v)),
        }
    }
}

fn csv_error(e: &csv::Error, fallback_line: u64) -> ReadError {
    let line = e.position().map_or(fallback_line, csv::Position::line);
    match e.kind() {
        csv::ErrorKind::Io(io) => ReadError::Io(std::io::Error::new(io.kind(), io.to_string())),
        _ => ReadError::format(line, format!("CSV syntax error: {e}")),
    }
}

/// Neutralises a cell for spreadsheets: text whose first character is `=`, `+`, `-`, `@`, tab,
/// carriage return or line feed, or whose first character after leading spaces is one of
/// these (some spreadsheets trim before deciding), would be run as a formula, so it gets a
/// leading `'` (OWASP's CSV-injection advice). Full-width `＝ ＋ － ＠` count too: some
/// spreadsheets fold them to their ASCII forms.
#[must_use]
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    const TRIGGERS: [char; 11] = ['=', '+', '-', '@', '\t', '\r', '\n', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}'];
    if cell.trim_start_matches([' ', '\u{a0}', '\u{3000}']).starts_with(TRIGGERS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod neutralize_tests {
    use super::neutralize;

    #[test]
    fn formulas_get_a_quote_and_plain_text_is_kept() {
        for bad in
            ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "\nx", "  =1", "\u{ff1d}1"]
        {
            assert_eq!(neutralize(bad), format!("'{bad}"), "{bad:?}");
        }
        for good in ["0xabc", "Tornado Cash", "<script>alert(1)</script>", "1.5", "a=b", ""] {
            assert_eq!(neutralize(good), good, "{good:?}");
        }
    }
}
