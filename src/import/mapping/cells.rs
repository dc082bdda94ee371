//! Cells of a mapped row that need more than the shared parsers: times in the profile's
//! format, status values, stated USD values.

use super::super::Refusal;
use super::super::explorer_common as common;
use super::TimeFormat;
use super::reader::Row;

impl Row<'_, '_, '_> {
    pub(super) fn time(&self, format: &TimeFormat, t: &str, f: &str) -> Result<i64, Refusal> {
        let digits = t.bytes().all(|b| b.is_ascii_digit());
        let secs = match format {
            TimeFormat::Spreadsheet(order) => return common::time(t, *order, self.line, f),
            TimeFormat::UnixSeconds => t.parse::<i64>().ok().filter(|_| digits),
            TimeFormat::UnixMillis => t.parse::<i64>().ok().filter(|_| digits).map(|ms| ms.div_euclid(1000)),
            TimeFormat::Rfc3339 => t.parse::<jiff::Timestamp>().ok().map(jiff::Timestamp::as_second),
            TimeFormat::Pattern(p) => jiff::fmt::strtime::parse(p, t).ok().and_then(|bdt| {
                if bdt.offset().is_some() {
                    bdt.to_timestamp().ok()
                } else {
                    bdt.to_datetime().ok().and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
                }
                .map(jiff::Timestamp::as_second)
            }),
        };
        let Some(secs) = secs else {
            let example = match format {
                TimeFormat::UnixSeconds => "1683029999".to_owned(),
                TimeFormat::UnixMillis => "1683029999000".to_owned(),
                TimeFormat::Rfc3339 => "2023-05-02T12:19:59Z".to_owned(),
                TimeFormat::Pattern(p) => {
                    let dt = jiff::civil::datetime(2023, 5, 2, 12, 19, 59, 0);
                    jiff::fmt::strtime::format(p.as_str(), dt).unwrap_or_default()
                }
                TimeFormat::Spreadsheet(_) => String::new(),
            };
            return Err(self.refuse(f, format!("found {t:?}: expected {} such as {example}", format.describe())));
        };
        crate::import::time::check_range(secs).map_err(|m| self.refuse(f, m))
    }

    /// Whether the row's transaction failed, per the status column's value lists.
    pub(super) fn failed(&self) -> Result<bool, Refusal> {
        let (Some(s), Some(idx)) = (&self.p.status, self.c.status) else { return Ok(false) };
        let t = self.cf.cell(self.rec, idx, self.line)?;
        let is = |list: &[String]| list.iter().any(|v| v.trim() == t);
        if is(&s.success) {
            return Ok(false);
        }
        if is(&s.failed) {
            return Ok(true);
        }
        let quote = |list: &[String]| list.iter().map(|v| format!("{:?}", v.trim())).collect::<Vec<_>>().join(", ");
        let failed =
            if s.failed.is_empty() { String::new() } else { format!(" or a failed value ({})", quote(&s.failed)) };
        let found = if t.is_empty() { "empty".to_owned() } else { format!("found {t:?}") };
        Err(self
            .refuse(self.cf.name(idx), format!("{found}: expected a success value ({}){failed}", quote(&s.success))))
    }

    /// A stated USD value as an exact decimal with `.` and no separators.
    pub(super) fn usd(&self, t: &str, f: &str) -> Result<String, Refusal> {
        let n = self.number(t);
        let (int, frac) = match n.split_once('.') {
            Some((i, fr)) => (i, Some(fr)),
            None => (n.as_ref(), None),
        };
        let plain = !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit());
        let mut groups = int.split(',');
        let grouped = int.contains(',')
            && groups.next().is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()))
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        let frac_ok = frac.is_none_or(|fr| !fr.is_empty() && fr.bytes().all(|b| b.is_ascii_digit()));
        if (plain || grouped) && frac_ok {
            let int = int.replace(',', "");
            return Ok(frac.map_or_else(|| int.clone(), |fr| format!("{int}.{fr}")));
        }
        Err(self.refuse(f, format!("found {t:?}: expected a USD value such as 190000.00 (no currency sign)")))
    }
}
