//! File > Import with mapping… (Ctrl+Shift+I), also offered when no reader recognises a CSV:
//! the file's first rows, a labelled combo box per field to assign its column, the amount
//! unit and decimals, the time format and status values, a live preview of the first 50 rows
//! as the headless reader parses them (with its refusals), "Save profile as…" and "Import"
//! (the normal background import, with the profile recorded in the batch).

use std::io::Read;
use std::path::PathBuf;

mod view;

use crate::import::mapping::{
    self, AmountUnit, AssetSource, ChainSource, DecimalsSource, FeeColumn, NamedProfile, Profile, StatusColumn,
    TimeColumn, TimeFormat,
};
use crate::import::{Collected, DateOrder, ImportOptions, ReadContext};

/// Rows of the file shown as a table, and rows the preview parses.
const SHOWN_ROWS: usize = 8;
/// Data rows the preview reads.
pub const PREVIEW_ROWS: usize = 50;

/// Where the chain comes from, as the dialog offers it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ChainChoice {
    /// Asked when importing (the chain question), or `--chain`.
    #[default]
    Ask,
    /// One chain for every row.
    Fixed(String),
    /// A column of chain ids.
    Column,
}

/// How the decimals of display amounts are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalsChoice {
    /// The native asset's or a registry token's.
    #[default]
    Known,
    /// A number typed in.
    Fixed,
    /// A column.
    Column,
}

/// The time formats offered, in order.
pub(super) const TIME_FORMATS: [(&str, u8); 6] = [
    ("Unix seconds", 0),
    ("Unix milliseconds", 1),
    ("RFC 3339", 2),
    ("Pattern (strftime)", 3),
    ("Spreadsheet, month first", 4),
    ("Spreadsheet, day first", 5),
];

/// The dialog's fields: a profile being assembled (columns may still be unchosen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Cell separator.
    pub delimiter: char,
    /// `1.234,56` numbers.
    pub decimal_comma: bool,
    /// Chain source.
    pub chain: ChainChoice,
    /// Chain column, with [`ChainChoice::Column`].
    pub chain_column: Option<String>,
    /// Tx hash column.
    pub tx_hash: Option<String>,
    /// Sender column.
    pub from: Option<String>,
    /// Receiver column.
    pub to: Option<String>,
    /// Asset column (`None`: the native asset).
    pub asset: Option<String>,
    /// Amount column.
    pub amount: Option<String>,
    /// Amount unit.
    pub unit: AmountUnit,
    /// Decimals source (display amounts).
    pub decimals: DecimalsChoice,
    /// Fixed decimals, as typed.
    pub decimals_fixed: String,
    /// Decimals column.
    pub decimals_column: Option<String>,
    /// Time column.
    pub time: Option<String>,
    /// Index into the time formats.
    pub time_format: u8,
    /// strftime pattern.
    pub time_pattern: String,
    /// Fee column.
    pub fee: Option<String>,
    /// Fee unit.
    pub fee_unit: AmountUnit,
    /// Status column.
    pub status: Option<String>,
    /// Success values, comma separated.
    pub success: String,
    /// Failed values, comma separated.
    pub failed: String,
    /// Method column.
    pub method: Option<String>,
    /// Position column.
    pub position: Option<String>,
    /// Block column.
    pub block: Option<String>,
    /// Stated USD column.
    pub usd: Option<String>,
}

impl Default for Draft {
    fn default() -> Self {
        let p = Profile::new("", "", "", "");
        let mut d = Draft::from_profile(&p);
        d.tx_hash = None;
        d.from = None;
        d.to = None;
        d.amount = None;
        d
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

impl Draft {
    /// The draft of a saved profile.
    #[must_use]
    pub fn from_profile(p: &Profile) -> Self {
        let (time_format, time_pattern) = match p.time.as_ref().map(|t| &t.format) {
            Some(TimeFormat::UnixSeconds) | None => (0, TimeFormat::ISO_PATTERN.to_owned()),
            Some(TimeFormat::UnixMillis) => (1, TimeFormat::ISO_PATTERN.to_owned()),
            Some(TimeFormat::Rfc3339) => (2, TimeFormat::ISO_PATTERN.to_owned()),
            Some(TimeFormat::Pattern(pat)) => (3, pat.clone()),
            Some(TimeFormat::Spreadsheet(DateOrder::MonthFirst)) => (4, TimeFormat::ISO_PATTERN.to_owned()),
            Some(TimeFormat::Spreadsheet(DateOrder::DayFirst)) => (5, TimeFormat::ISO_PATTERN.to_owned()),
        };
        let (decimals, decimals_fixed, decimals_column) = match &p.decimals {
            None | Some(DecimalsSource::Known) => (DecimalsChoice::Known, String::new(), None),
            Some(DecimalsSource::Fixed(d)) => (DecimalsChoice::Fixed, d.to_string(), None),
            Some(DecimalsSource::Column(c)) => (DecimalsChoice::Column, String::new(), Some(c.clone())),
        };
        Draft {
            delimiter: p.delimiter,
            decimal_comma: p.decimal_comma,
            chain: match &p.chain {
                None => ChainChoice::Ask,
                Some(ChainSource::Fixed(c)) => ChainChoice::Fixed(c.clone()),
                Some(ChainSource::Column(_)) => ChainChoice::Column,
            },
            chain_column: if let Some(ChainSource::Column(c)) = &p.chain { Some(c.clone()) } else { None },
            tx_hash: Some(p.tx_hash.clone()),
            from: Some(p.from.clone()),
            to: Some(p.to.clone()),
            asset: if let AssetSource::Column(c) = &p.asset { Some(c.clone()) } else { None },
            amount: Some(p.amount.clone()),
            unit: p.unit,
            decimals,
            decimals_fixed,
            decimals_column,
            time: p.time.as_ref().map(|t| t.column.clone()),
            time_format,
            time_pattern,
            fee: p.fee.as_ref().map(|f| f.column.clone()),
            fee_unit: p.fee.as_ref().map_or(AmountUnit::Base, |f| f.unit),
            status: p.status.as_ref().map(|s| s.column.clone()),
            success: p.status.as_ref().map(|s| s.success.join(", ")).unwrap_or_default(),
            failed: p.status.as_ref().map(|s| s.failed.join(", ")).unwrap_or_default(),
            method: p.method.clone(),
            position: p.position.clone(),
            block: p.block.clone(),
            usd: p.stated_usd.clone(),
        }
    }

    /// The profile the draft describes, checked.
    ///
    /// # Errors
    /// What is missing or inconsistent.
    pub fn to_profile(&self) -> Result<Profile, String> {
        let need = |v: &Option<String>, what: &str| {
            v.clone().ok_or_else(|| format!("{what}: no column chosen: expected a column of the file's header"))
        };
        let decimals = match (self.unit, self.decimals) {
            (_, DecimalsChoice::Column) => Some(DecimalsSource::Column(need(&self.decimals_column, "decimals")?)),
            (_, DecimalsChoice::Fixed) => {
                Some(DecimalsSource::Fixed(self.decimals_fixed.trim().parse().map_err(|_| {
                    format!("decimals {:?}: expected a whole number of decimal places, 0 to 77", self.decimals_fixed)
                })?))
            }
            (AmountUnit::Display, DecimalsChoice::Known) => Some(DecimalsSource::Known),
            (AmountUnit::Base, DecimalsChoice::Known) => None,
        };
        let format = match self.time_format {
            1 => TimeFormat::UnixMillis,
            2 => TimeFormat::Rfc3339,
            3 => TimeFormat::Pattern(self.time_pattern.trim().to_owned()),
            4 => TimeFormat::Spreadsheet(DateOrder::MonthFirst),
            5 => TimeFormat::Spreadsheet(DateOrder::DayFirst),
            _ => TimeFormat::UnixSeconds,
        };
        let p = Profile {
            delimiter: self.delimiter,
            decimal_comma: self.decimal_comma,
            chain: match &self.chain {
                ChainChoice::Ask => None,
                ChainChoice::Fixed(c) => Some(ChainSource::Fixed(c.clone())),
                ChainChoice::Column => Some(ChainSource::Column(need(&self.chain_column, "chain")?)),
            },
            tx_hash: need(&self.tx_hash, "tx hash")?,
            from: need(&self.from, "from")?,
            to: need(&self.to, "to")?,
            asset: self.asset.clone().map_or(AssetSource::Native, AssetSource::Column),
            amount: need(&self.amount, "amount")?,
            unit: self.unit,
            decimals,
            time: self.time.clone().map(|column| TimeColumn { column, format }),
            fee: self.fee.clone().map(|column| FeeColumn { column, unit: self.fee_unit }),
            status: self.status.clone().map(|column| StatusColumn {
                column,
                success: list(&self.success),
                failed: list(&self.failed),
            }),
            method: self.method.clone(),
            position: self.position.clone(),
            block: self.block.clone(),
            stated_usd: self.usd.clone(),
        };
        p.check()?;
        Ok(p)
    }
}

/// What the preview shows: the parsed rows and refusals, or why nothing could be read.
#[derive(Debug)]
pub struct Preview {
    /// The first rows as the reader read them, or the whole-file error.
    pub result: Result<Collected, String>,
}

/// The open mapping dialog.
#[derive(Debug)]
pub struct MappingDialog {
    /// The files to import (the first is shown and previewed).
    pub files: Vec<PathBuf>,
    /// The first bytes of the first file, whole lines, as text.
    sample: String,
    /// The fields.
    pub draft: Draft,
    /// The name to save the profile as.
    pub name: String,
    /// The profile last saved or loaded, with its hash (used as is when the draft still matches).
    pub saved: Option<NamedProfile>,
    /// The saved profiles' names (the "Start from saved profile" list).
    pub saved_names: Vec<String>,
    preview: Option<(Draft, Preview)>,
}

/// The cells of the first lines of `sample` split at `delimiter` (at most `rows` data rows).
fn split_rows(sample: &str, delimiter: char, rows: usize) -> Vec<Vec<String>> {
    let d = u8::try_from(delimiter).unwrap_or(b',');
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(d).from_reader(sample.as_bytes());
    rdr.records().take(rows + 1).filter_map(Result::ok).map(|r| r.iter().map(str::to_owned).collect()).collect()
}

impl MappingDialog {
    /// The dialog for `files` (the first one is read for the sample).
    ///
    /// # Errors
    /// The first file cannot be read.
    pub fn open(files: Vec<PathBuf>, saved_names: Vec<String>) -> Result<Self, String> {
        let first = files.first().ok_or("no file chosen")?;
        let mut buf = Vec::new();
        std::fs::File::open(first)
            .and_then(|f| f.take(crate::import::SAMPLE_BYTES as u64).read_to_end(&mut buf))
            .map_err(|e| format!("{}: {e}", first.display()))?;
        if buf.len() >= crate::import::SAMPLE_BYTES
            && let Some(end) = buf.iter().rposition(|&b| b == b'\n')
        {
            buf.truncate(end + 1);
        }
        let sample = String::from_utf8_lossy(buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&buf)).into_owned();
        let header_line = sample.lines().next().unwrap_or("");
        // The separator the header uses most: a starting point the user sees and can change.
        let delimiter =
            mapping::DELIMITERS.into_iter().max_by_key(|d| (header_line.matches(*d).count(), *d == ',')).unwrap_or(',');
        let draft = Draft { delimiter, ..Draft::default() };
        let name = first.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(MappingDialog { files, sample, draft, name, saved: None, saved_names, preview: None })
    }

    /// The header's column names under the current separator.
    #[must_use]
    pub fn header(&self) -> Vec<String> {
        split_rows(&self.sample, self.draft.delimiter, 0).into_iter().next().unwrap_or_default()
    }

    /// Parses the first rows with the current draft, unless the draft did not change since.
    pub fn refresh_preview(&mut self) {
        if self.preview.as_ref().is_some_and(|(d, _)| *d == self.draft) {
            return;
        }
        let result = self.draft.to_profile().and_then(|p| {
            let text: String = self.sample.lines().take(PREVIEW_ROWS + 1).map(|l| format!("{l}\n")).collect();
            let options =
                ImportOptions { profile: Some(NamedProfile::unsaved(&self.name, p)), ..ImportOptions::default() };
            let name = self.files.first().and_then(|f| f.file_name()).map(|n| n.to_string_lossy().into_owned());
            let ctx = ReadContext { file_name: name.as_deref().unwrap_or(""), path: None, options: &options };
            let mut out = Collected::default();
            mapping::read(&mut text.as_bytes(), &ctx, &mut out).map(|()| out).map_err(|e| e.to_string())
        });
        self.preview = Some((self.draft.clone(), Preview { result }));
    }

    /// The preview of the draft as it was when last refreshed.
    #[must_use]
    pub fn preview(&self) -> Option<&Preview> {
        self.preview.as_ref().map(|(_, p)| p)
    }

    /// `(rows read, transfers, refused)` of the current draft's preview, or its error.
    ///
    /// # Errors
    /// Why the preview could not read the file.
    pub fn preview_counts(&mut self) -> Result<(u64, usize, usize), String> {
        self.refresh_preview();
        match self.preview().map(|p| &p.result) {
            Some(Ok(c)) => Ok((c.rows, c.transfers.len(), c.refused.len())),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no preview".to_owned()),
        }
    }

    /// The first rows of the file as cells (header first).
    #[must_use]
    pub fn shown_rows(&self) -> Vec<Vec<String>> {
        split_rows(&self.sample, self.draft.delimiter, SHOWN_ROWS)
    }

    /// The profile to import with: the saved one when the draft still matches it.
    ///
    /// # Errors
    /// The draft is incomplete.
    pub fn named_profile(&self) -> Result<NamedProfile, String> {
        let p = self.draft.to_profile()?;
        Ok(match &self.saved {
            Some(s) if s.profile == p => s.clone(),
            _ => NamedProfile::unsaved(if self.name.trim().is_empty() { "unsaved" } else { self.name.trim() }, p),
        })
    }
}
