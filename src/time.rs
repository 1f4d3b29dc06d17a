//! Timestamps as stmgr shows and reads them: milliseconds since the Unix epoch inside, RFC 3339
//! (UTC, milliseconds, `Z`) on every wire and in every listing. A leaf module: every layer may
//! use it, the engine included.
//!
//! The engine's commit times come from its injectable clock
//! ([`crate::store::options::Clock`]); [`now_ms`] is the system clock for what is not a
//! commit's time.

/// `ms` since the epoch as RFC 3339 with milliseconds, e.g. `2024-05-01T12:00:00.000Z`.
pub fn format_ts(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An RFC 3339 time (any offset) as ms since the epoch.
///
/// # Errors
/// The text is not an RFC 3339 time; the error says why.
pub fn parse_ts(text: &str) -> Result<i64, chrono::ParseError> {
    chrono::DateTime::parse_from_rfc3339(text).map(|t| t.timestamp_millis())
}

/// The system clock in ms since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format_ts(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_ts(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            parse_ts("2023-11-14T22:13:20.123Z").unwrap(),
            1_700_000_000_123
        );
        assert_eq!(
            parse_ts("2023-11-14T23:13:20.123+01:00").unwrap(),
            1_700_000_000_123
        );
        assert!(parse_ts("yesterday").is_err());
    }
}
