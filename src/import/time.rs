//! Timestamps as exports write them, and as spreadsheets rewrite them, to UTC seconds.
//!
//! Accepted: Unix seconds (and milliseconds), RFC 3339 (`2023-05-02T12:19:59Z`, with offsets),
//! `2023-05-02 12:19:59` (optionally `UTC`/`+UTC`), `2023/05/02 12:19`, slash dates
//! (`5/2/2023 12:19:59 PM`, order per [`DateOrder`]; a two-digit year `11/16/21 4:07` is 20YY), dotted day-first dates (`02.05.2023 12:19`),
//! Etherscan's web form (`May-02-2023 12:19:59 PM +UTC`), and spreadsheet serial numbers
//! (`45048.5138773148`, days since 1899-12-30). Times without an offset are UTC.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

use super::DateOrder;

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// The Bitcoin genesis block's day, 2009-01-03 00:00:00 UTC: no transfer on any chain is older.
pub const EARLIEST: i64 = 1_230_940_800;

/// The latest time a transfer can have: one day after now (clock skew between an export's
/// source and this machine).
#[must_use]
pub fn latest() -> i64 {
    jiff::Timestamp::now().as_second() + 86_400
}

/// Checks that `secs` lies between [`EARLIEST`] and one day after now: a time outside is a
/// misread column (milliseconds read as seconds, a year 10000), never a transfer's time.
///
/// # Errors
/// A message of the form `found …: expected a time between …`.
pub fn check_range(secs: i64) -> Result<i64, String> {
    check_range_until(secs, latest())
}

/// [`check_range`] against a [`latest`] computed once (readers checking every row).
///
/// # Errors
/// As [`check_range`].
pub fn check_range_until(secs: i64, latest: i64) -> Result<i64, String> {
    if (EARLIEST..=latest).contains(&secs) {
        return Ok(secs);
    }
    let shown = format_utc(secs);
    Err(format!("found {shown}: expected a time between 2009-01-03T00:00:00Z (the first block) and one day from now"))
}

pub use crate::model::format_utc;

/// Parses `text` to UTC seconds since 1970, within [`check_range`].
///
/// # Errors
/// A message saying what was found and which forms are accepted.
pub fn parse_time(text: &str, order: DateOrder) -> Result<i64, String> {
    parse_time_any(text, order).and_then(check_range)
}

fn parse_time_any(text: &str, order: DateOrder) -> Result<i64, String> {
    let t = text.trim();
    let fail = || {
        format!(
            "{t:?} is not a date/time: expected Unix seconds, ISO 8601 (2023-05-02 12:19:59), \
             a spreadsheet date (5/2/2023 12:19) or a spreadsheet serial number"
        )
    };
    if t.is_empty() {
        return Err("empty: expected a date/time".to_owned());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        let v: i64 = t.parse().map_err(|_| fail())?;
        return match t.len() {
            9 | 10 => Ok(v),
            13 => Ok(v.div_euclid(1000)),
            5 => excel_serial(t).ok_or_else(fail),
            _ => Err(fail()),
        };
    }
    if let Some((int, frac)) = t.split_once('.')
        && int.len() == 5
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
    {
        return excel_serial(t).ok_or_else(fail);
    }
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts.as_second());
    }
    parse_civil(t, order).ok_or_else(fail)
}

/// Spreadsheet serial date: whole days since 1899-12-30 plus the fraction of a day, rounded to
/// the nearest second. Computed from the digits, not through floating point.
fn excel_serial(t: &str) -> Option<i64> {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let days: i64 = int.parse().ok()?;
    if !(20_000..=80_000).contains(&days) {
        return None;
    }
    // fraction * 86400, rounded: use up to 12 digits of the fraction as an integer numerator.
    let digits: String = frac.chars().take(12).collect();
    let secs_in_day = if digits.is_empty() {
        0
    } else {
        let num: i128 = digits.parse().ok()?;
        let den = 10i128.pow(u32::try_from(digits.len()).ok()?);
        i64::try_from((num * 86_400 * 2 + den) / (den * 2)).ok()?
    };
    let epoch =
        TimeZone::UTC.to_timestamp(Date::new(1899, 12, 30).ok()?.to_datetime(Time::midnight())).ok()?.as_second();
    Some(epoch + days * 86_400 + secs_in_day)
}

fn parse_civil(t: &str, order: DateOrder) -> Option<i64> {
    // ISO's `T` between date and time (only there: `UTC` keeps its T).
    let mut s = match t.find('T') {
        Some(i) if i > 0 && t.as_bytes()[i - 1].is_ascii_digit() => format!("{} {}", &t[..i], &t[i + 1..]),
        _ => t.to_owned(),
    };
    // Trailing zone words: UTC, +UTC, GMT, Z, or a numeric offset.
    let mut offset_secs: i64 = 0;
    for suffix in ["+UTC", "UTC", "GMT", "Z"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim_end().to_owned();
            break;
        }
    }
    if let Some((rest, off)) = split_offset(&s) {
        offset_secs = off;
        s = rest;
    }
    let mut parts = s.split_whitespace();
    let date_part = parts.next()?;
    let time_part = parts.next();
    let ampm = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let date = parse_date(date_part, order)?;
    let time = match time_part {
        None => Time::midnight(),
        Some(tp) => parse_clock(tp, ampm)?,
    };
    if time_part.is_none() && ampm.is_some() {
        return None;
    }
    let dt = DateTime::from_parts(date, time);
    let ts = TimeZone::UTC.to_timestamp(dt).ok()?.as_second();
    Some(ts - offset_secs)
}

fn split_offset(s: &str) -> Option<(String, i64)> {
    // "... 12:00:00+08:00" or "... 12:00:00 +0800"
    let idx = s.rfind(['+', '-'])?;
    let (rest, off) = s.split_at(idx);
    if !rest.contains(':') {
        return None; // the '-' belongs to the date
    }
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let digits: String = off[1..].chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 || off[1..].chars().any(|c| !c.is_ascii_digit() && c != ':') {
        return None;
    }
    let h: i64 = digits[..2].parse().ok()?;
    let m: i64 = digits[2..].parse().ok()?;
    Some((rest.trim_end().to_owned(), sign * (h * 3600 + m * 60)))
}

fn parse_date(d: &str, order: DateOrder) -> Option<Date> {
    let sep = d.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let f: Vec<&str> = d.split(sep).collect();
    let [a, b, c] = f.as_slice() else { return None };
    let num = |s: &str| -> Option<i16> { if s.bytes().all(|x| x.is_ascii_digit()) { s.parse().ok() } else { None } };
    let (y, m, day) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if let Some(mi) = MONTHS.iter().position(|m| a.to_ascii_lowercase().starts_with(m)) {
        // Etherscan web form: May-02-2023
        (num(c)?, i16::try_from(mi + 1).ok()?, num(b)?)
    } else if c.len() == 4 || (c.len() == 2 && sep == '/') {
        // Spreadsheets shorten the year of `11/16/2021` to `11/16/21`: 20YY (no chain is older).
        let year = if c.len() == 2 { 2000 + num(c)? } else { num(c)? };
        let (x, z) = (num(a)?, num(b)?);
        match (sep, order) {
            ('.', _) | (_, DateOrder::DayFirst) => (year, z, x),
            (_, DateOrder::MonthFirst) => (year, x, z),
        }
    } else {
        return None;
    };
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(day).ok()?).ok()
}

fn parse_clock(tp: &str, ampm: Option<&str>) -> Option<Time> {
    let f: Vec<&str> = tp.split(':').collect();
    if !(2..=3).contains(&f.len()) {
        return None;
    }
    let mut h: i8 = f[0].parse().ok()?;
    let m: i8 = f[1].parse().ok()?;
    let (sec, nanos) = match f.get(2) {
        None => (0, 0),
        Some(s) => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
            if !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (whole.parse::<i8>().ok()?, 0)
        }
    };
    match ampm.map(str::to_ascii_uppercase).as_deref() {
        None => {}
        Some("AM") if (1..=12).contains(&h) => h %= 12,
        Some("PM") if (1..=12).contains(&h) => h = h % 12 + 12,
        Some(_) => return None,
    }
    Time::new(h, m, sec, nanos).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_683_029_999; // 2023-05-02 12:19:59 UTC

    #[test]
    fn accepts_export_and_spreadsheet_forms() {
        let us = DateOrder::MonthFirst;
        for s in [
            "1683029999",
            "1683029999000",
            "2023-05-02T12:19:59Z",
            "2023-05-02 12:19:59",
            "2023-05-02 12:19:59 UTC",
            "2023-05-02 20:19:59+08:00",
            "2023/05/02 12:19:59",
            "5/2/2023 12:19:59",
            "5/2/2023 12:19:59 PM",
            "May-02-2023 12:19:59 PM +UTC",
            "02.05.2023 12:19:59",
        ] {
            assert_eq!(parse_time(s, us), Ok(T), "{s}");
        }
        assert_eq!(parse_time("2/5/2023 12:19:59", DateOrder::DayFirst), Ok(T));
        assert_eq!(parse_time("5/2/2023 12:19", us), Ok(T - 59));
        // Spreadsheet-shortened year and no seconds: 11/16/21 4:07 is 2021-11-16T04:07:00Z.
        assert_eq!(parse_time("11/16/21 4:07", us), Ok(1_637_035_620));
        assert_eq!(parse_time("16/11/21 4:07", DateOrder::DayFirst), Ok(1_637_035_620));
        assert!(parse_time("16/11/21 4:07", us).is_err());
        assert_eq!(parse_time("5/2/2023 12:19:59 AM", us), Ok(T - 12 * 3600));
        // 45048 = 2023-05-02; .5138773148 of a day = 12:19:59
        assert_eq!(parse_time("45048.5138773148", us), Ok(T));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        let us = DateOrder::MonthFirst;
        for s in
            ["", "yesterday", "13/13/2023", "2023-02-30 00:00:00", "2/30/21 4:07", "5.2.23 12:00", "12345678", "25:00"]
        {
            assert!(parse_time(s, us).is_err(), "{s}");
        }
        // Month-first reading of 13/2/2023 is impossible: refused, not silently swapped.
        assert!(parse_time("13/2/2023 10:00", us).is_err());
    }

    #[test]
    fn refuses_times_no_chain_can_have() {
        let us = DateOrder::MonthFirst;
        let before = parse_time("2008-12-31 23:59:59", us).expect_err("before the first block");
        assert!(before.contains("found 2008-12-31T23:59:59Z: expected a time between 2009-01-03"), "{before}");
        let future = parse_time("10000-01-01 00:00:00", us);
        assert!(future.is_err(), "{future:?}");
        let far = parse_time("253402300800", us); // 12 digits: not seconds or milliseconds
        assert!(far.is_err());
        assert!(check_range(EARLIEST).is_ok());
        assert!(check_range(jiff::Timestamp::now().as_second() + 2 * 86_400).is_err());
    }
}
