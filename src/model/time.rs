//! The one way a time is written: in the window, the CLI, reports, packages and exports.

/// UTC seconds as RFC 3339 with `Z` (`2023-05-02T12:19:59Z`), or the number of seconds when out
/// of the range a calendar date can show (imports refuse such times, so only a hand-edited
/// file can hold one).
#[must_use]
pub fn format_utc(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| format!("{secs} s"), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::format_utc;

    #[test]
    fn writes_rfc_3339_with_z() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_683_029_999), "2023-05-02T12:19:59Z");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format_utc(i64::MAX), format!("{} s", i64::MAX));
    }
}
