//! Cron schedules for graph triggers: 5-field expressions (minute, hour, day of month,
//! month, day of week) evaluated in an IANA time zone, on top of `croner` and `chrono-tz`.
//!
//! - Only 5 fields, as upstream's `croniter.is_valid` check (seconds and years are rejected);
//!   the `@hourly`-style nicknames and croner's `L`, `W`, `#` and `+` extensions are accepted.
//! - No time zone means UTC (upstream uses naive server-local time; zones are our extension).
//! - Daylight saving, as croner resolves it (the tests pin this down):
//!   - spring forward: a wall-clock time inside the gap (02:30 on the day Europe/Berlin jumps
//!     from 02:00 to 03:00) fires once, at the first instant after the gap (03:00 CEST);
//!     interval patterns (`*/30 * * * *`) just have no occurrences inside the gap.
//!   - fall back: a fixed time inside the repeated hour (02:30 on the day Berlin goes from
//!     03:00 back to 02:00) fires once, at its first (CEST) instance; interval patterns fire
//!     in both instances of the repeated hour.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// Why a schedule does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    /// Not exactly five fields (and not a nickname).
    #[error("invalid cron expression {expression:?}: expected 5 fields, found {fields}")]
    FieldCount {
        /// The expression.
        expression: String,
        /// How many whitespace-separated fields it has.
        fields: usize,
    },
    /// croner refused the expression.
    #[error("invalid cron expression {expression:?}: {reason}")]
    Invalid {
        /// The expression.
        expression: String,
        /// croner's message.
        reason: String,
    },
    /// Not an IANA time zone name.
    #[error("invalid timezone {0:?}: expected an IANA name such as Europe/Berlin or UTC")]
    Timezone(String),
}

/// A parsed cron expression and its time zone.
#[derive(Clone, Debug)]
pub struct CronSchedule {
    expression: String,
    timezone: Option<String>,
    cron: Cron,
    tz: Tz,
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.expression == other.expression && self.tz == other.tz
    }
}

impl CronSchedule {
    /// Parses a 5-field expression, evaluated in `tz` (an IANA name; `None` = UTC).
    pub fn parse(expression: &str, tz: Option<&str>) -> Result<CronSchedule, CronError> {
        let trimmed = expression.trim();
        let fields = trimmed.split_whitespace().count();
        let nickname = trimmed.starts_with('@') && fields == 1;
        if !nickname && fields != 5 {
            return Err(CronError::FieldCount {
                expression: expression.to_owned(),
                fields,
            });
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(trimmed)
            .map_err(|e| CronError::Invalid {
                expression: expression.to_owned(),
                reason: e.to_string(),
            })?;
        let zone = match tz {
            None => Tz::UTC,
            Some(name) => Tz::from_str(name).map_err(|_| CronError::Timezone(name.to_owned()))?,
        };
        Ok(CronSchedule {
            expression: expression.to_owned(),
            timezone: tz.map(str::to_owned),
            cron,
            tz: zone,
        })
    }

    /// The expression as given.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The zone name as given (`None` = UTC).
    pub fn timezone(&self) -> Option<&str> {
        self.timezone.as_deref()
    }

    /// The first occurrence strictly after `t`, or `None` if there is none (e.g. `0 0 30 2 *`,
    /// which croner gives up on after a bounded search).
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = t.with_timezone(&self.tz);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    /// The occurrences in `(from, to]`, in order, lazily.
    pub fn occurrences_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let mut cursor = from;
        std::iter::from_fn(move || {
            let next = self.next_after(cursor).filter(|n| *n <= to)?;
            cursor = next;
            Some(next)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn five_fields_only() {
        assert!(CronSchedule::parse("*/5 * * * *", None).is_ok());
        assert!(CronSchedule::parse("  0 3 * * MON-FRI ", None).is_ok());
        assert!(CronSchedule::parse("@hourly", None).is_ok());
        for bad in [
            "",
            "* * * *",
            "0 * * * * *",
            "0 0 * * * * 2030",
            "@hourly *",
        ] {
            let e = CronSchedule::parse(bad, None).unwrap_err();
            assert!(matches!(e, CronError::FieldCount { .. }), "{bad}: {e:?}");
        }
        for bad in [
            "60 * * * *",
            "* 24 * * *",
            "a b c d e",
            "* * 0 * *",
            "@fortnightly",
        ] {
            let e = CronSchedule::parse(bad, None).unwrap_err();
            assert!(matches!(e, CronError::Invalid { .. }), "{bad}: {e:?}");
        }
    }

    #[test]
    fn timezones() {
        assert!(CronSchedule::parse("0 3 * * *", Some("Europe/Berlin")).is_ok());
        assert!(CronSchedule::parse("0 3 * * *", Some("UTC")).is_ok());
        let e = CronSchedule::parse("0 3 * * *", Some("Mars/Olympus")).unwrap_err();
        assert_eq!(e, CronError::Timezone("Mars/Olympus".into()));
        let s = CronSchedule::parse("0 3 * * *", Some("America/New_York")).unwrap();
        assert_eq!(s.timezone(), Some("America/New_York"));
        assert_eq!(s.expression(), "0 3 * * *");
        // 03:00 in New York (EST, UTC-5) on 2026-01-10 is 08:00 UTC.
        assert_eq!(
            s.next_after(utc(2026, 1, 10, 0, 0, 0)),
            Some(utc(2026, 1, 10, 8, 0, 0))
        );
    }

    #[test]
    fn next_is_strictly_after() {
        let s = CronSchedule::parse("0 * * * *", None).unwrap();
        let t = utc(2026, 3, 1, 10, 0, 0);
        assert_eq!(s.next_after(t), Some(utc(2026, 3, 1, 11, 0, 0)));
        assert_eq!(s.next_after(t - chrono::Duration::milliseconds(1)), Some(t));
        let mid = t + chrono::Duration::milliseconds(500);
        assert_eq!(s.next_after(mid), Some(utc(2026, 3, 1, 11, 0, 0)));
    }

    #[test]
    fn occurrences_between_is_half_open() {
        let s = CronSchedule::parse("*/15 * * * *", None).unwrap();
        let from = utc(2026, 3, 1, 10, 0, 0);
        let got: Vec<_> = s
            .occurrences_between(from, utc(2026, 3, 1, 11, 0, 0))
            .collect();
        assert_eq!(
            got,
            [
                utc(2026, 3, 1, 10, 15, 0),
                utc(2026, 3, 1, 10, 30, 0),
                utc(2026, 3, 1, 10, 45, 0),
                utc(2026, 3, 1, 11, 0, 0)
            ]
        );
        assert_eq!(s.occurrences_between(from, from).count(), 0);
        let earlier = from - chrono::Duration::hours(1);
        assert_eq!(s.occurrences_between(from, earlier).count(), 0);
    }

    #[test]
    fn impossible_date_has_no_next() {
        let s = CronSchedule::parse("0 0 30 2 *", None).unwrap();
        assert_eq!(s.next_after(utc(2026, 1, 1, 0, 0, 0)), None);
    }

    #[test]
    fn dst_spring_forward_berlin() {
        // 2026-03-29: Berlin jumps from 02:00 CET (UTC+1) to 03:00 CEST (UTC+2).
        let s = CronSchedule::parse("30 2 * * *", Some("Europe/Berlin")).unwrap();
        let day_before = s.next_after(utc(2026, 3, 28, 0, 0, 0)).unwrap();
        assert_eq!(day_before, utc(2026, 3, 28, 1, 30, 0)); // 02:30 CET
        let on_the_day = s.next_after(day_before).unwrap();
        assert_eq!(on_the_day, utc(2026, 3, 29, 1, 0, 0)); // 03:00 CEST, right after the gap
        let day_after = s.next_after(on_the_day).unwrap();
        assert_eq!(day_after, utc(2026, 3, 30, 0, 30, 0)); // 02:30 CEST

        let q = CronSchedule::parse("*/30 * * * *", Some("Europe/Berlin")).unwrap();
        let got: Vec<_> = q
            .occurrences_between(utc(2026, 3, 29, 0, 0, 0), utc(2026, 3, 29, 1, 0, 0))
            .collect();
        // 01:30 CET, then 03:00 CEST: nothing at the non-existent 02:00 and 02:30.
        assert_eq!(got, [utc(2026, 3, 29, 0, 30, 0), utc(2026, 3, 29, 1, 0, 0)]);
    }

    #[test]
    fn dst_fall_back_berlin() {
        // 2026-10-25: Berlin goes from 03:00 CEST (UTC+2) back to 02:00 CET (UTC+1).
        let s = CronSchedule::parse("30 2 * * *", Some("Europe/Berlin")).unwrap();
        let first = s.next_after(utc(2026, 10, 25, 0, 0, 0)).unwrap();
        assert_eq!(first, utc(2026, 10, 25, 0, 30, 0)); // 02:30 CEST
        let next = s.next_after(first).unwrap();
        assert_eq!(next, utc(2026, 10, 26, 1, 30, 0)); // not again at 02:30 CET

        let q = CronSchedule::parse("30 * * * *", Some("Europe/Berlin")).unwrap();
        let got: Vec<_> = q
            .occurrences_between(utc(2026, 10, 25, 0, 0, 0), utc(2026, 10, 25, 2, 30, 0))
            .collect();
        // 02:30 CEST, 02:30 CET, then 03:30 CET.
        assert_eq!(
            got,
            [
                utc(2026, 10, 25, 0, 30, 0),
                utc(2026, 10, 25, 1, 30, 0),
                utc(2026, 10, 25, 2, 30, 0)
            ]
        );
    }
}
