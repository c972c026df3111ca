//! Zones: the zone naive timestamps are read in, and the per-file context that turns a
//! [`RawStamp`] into an instant.

use super::{days_from_civil, format_offset, parse_numeric_offset, Civil, Micros, RawStamp, StampZone, MICROS_PER_SEC};
use chrono::{DateTime, LocalResult, NaiveDate, Offset, TimeZone, Utc};
use std::fmt;
use std::str::FromStr;

/// The zone in which naive timestamps are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    Fixed(i32),
    Named(chrono_tz::Tz),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(0);

    /// The machine's local zone: its IANA name where the system tells it, else its
    /// current offset.
    pub fn local() -> Zone {
        if let Ok(tz) = std::env::var("TZ") {
            if let Ok(zone) = tz.trim_start_matches(':').parse() {
                return zone;
            }
        }
        if let Ok(name) = iana_time_zone::get_timezone() {
            if let Ok(tz) = name.parse::<chrono_tz::Tz>() {
                return Zone::Named(tz);
            }
        }
        let offset = chrono::Local::now().offset().fix().local_minus_utc();
        Zone::Fixed(offset)
    }

    /// The UTC offset in force at a local civil time (the earlier one when the time is
    /// ambiguous, the one before the gap when it does not exist).
    fn offset_at_local(&self, date: NaiveDate, hour: u8) -> i32 {
        match self {
            Zone::Fixed(secs) => *secs,
            Zone::Named(tz) => {
                let Some(naive) = date.and_hms_opt(u32::from(hour), 0, 0) else {
                    return 0;
                };
                match tz.offset_from_local_datetime(&naive) {
                    LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => o.fix().local_minus_utc(),
                    LocalResult::None => {
                        let before = naive - chrono::Duration::hours(1);
                        tz.offset_from_utc_datetime(&before).fix().local_minus_utc()
                    }
                }
            }
        }
    }

    /// The UTC offset in force at an instant.
    pub fn offset_at(&self, instant: Micros) -> i32 {
        match self {
            Zone::Fixed(secs) => *secs,
            Zone::Named(tz) => {
                let utc = DateTime::<Utc>::from_timestamp_micros(instant).unwrap_or_default();
                tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc()
            }
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Fixed(0) => f.write_str("UTC"),
            Zone::Fixed(secs) => f.write_str(&format_offset(*secs, true)),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

impl FromStr for Zone {
    type Err = String;

    /// `UTC`, an IANA name (`America/New_York`) or an offset (`-05:00`, `+0330`).
    fn from_str(text: &str) -> Result<Zone, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("utc") || text.eq_ignore_ascii_case("z") {
            return Ok(Zone::UTC);
        }
        if let Some((secs, len)) = parse_numeric_offset(text.as_bytes()) {
            if len == text.len() {
                return Ok(Zone::Fixed(secs));
            }
        }
        text.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("unknown time zone `{text}` (use an IANA name such as Europe/Paris, an offset such as -05:00, or UTC)"))
    }
}

/// How to give a year to timestamps that print none: the first timestamped line of the
/// file is in `first_year`, and a month earlier than `first_month` means the file has
/// crossed a New Year (files are assumed to span less than a year).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearPlan {
    pub first_year: i32,
    pub first_month: u8,
}

impl YearPlan {
    pub fn year_for(&self, month: u8) -> i32 {
        if month >= self.first_month {
            self.first_year
        } else {
            self.first_year + 1
        }
    }
}

/// Everything needed to turn a [`RawStamp`] of one file into an instant.
#[derive(Clone, Debug)]
pub struct TimeContext {
    pub zone: Zone,
    pub years: YearPlan,
    /// Offset of the last (date, hour) resolved in a named zone.
    cache: Option<((i32, u8, u8, u8), i32)>,
}

impl TimeContext {
    pub fn new(zone: Zone, years: YearPlan) -> TimeContext {
        TimeContext { zone, years, cache: None }
    }

    /// The instant of a stamp, or `None` when its date does not exist (31 February).
    pub fn resolve(&mut self, stamp: &RawStamp) -> Option<Micros> {
        let c = &stamp.civil;
        if let StampZone::Epoch(t) = stamp.zone {
            return Some(t);
        }
        let year = c.year.unwrap_or_else(|| self.years.year_for(c.month));
        let days = days_from_civil(year, c.month, c.day)?;
        let local_secs = days * 86_400 + i64::from(c.hour) * 3600 + i64::from(c.minute) * 60 + i64::from(c.second);
        let offset = match stamp.zone {
            StampZone::Offset(secs) => secs,
            StampZone::Naive => self.naive_offset(year, c),
            StampZone::Epoch(_) => unreachable!("handled above"),
        };
        Some((local_secs - i64::from(offset)) * MICROS_PER_SEC + i64::from(c.micros))
    }

    fn naive_offset(&mut self, year: i32, c: &Civil) -> i32 {
        if let Zone::Fixed(secs) = self.zone {
            return secs;
        }
        // Zone rules change at most on the hour in practice, so one lookup per hour of
        // log is enough.
        let key = (year, c.month, c.day, c.hour);
        if let Some((cached_key, offset)) = self.cache {
            if cached_key == key {
                return offset;
            }
        }
        let offset = NaiveDate::from_ymd_opt(year, u32::from(c.month), u32::from(c.day))
            .map(|date| self.zone.offset_at_local(date, c.hour))
            .unwrap_or(0);
        self.cache = Some((key, offset));
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_iso;

    fn at(text: &str) -> Micros {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros()
    }

    #[test]
    fn naive_times_follow_the_named_zone_across_dst() {
        let zone: Zone = "America/New_York".parse().unwrap();
        let mut ctx = TimeContext::new(
            zone,
            YearPlan {
                first_year: 2024,
                first_month: 1,
            },
        );
        let winter = ctx.resolve(&parse_iso(b"2024-01-21 15:30:00").unwrap()).unwrap();
        let summer = ctx.resolve(&parse_iso(b"2024-07-21 15:30:00").unwrap()).unwrap();
        assert_eq!(winter, at("2024-01-21T20:30:00Z"));
        assert_eq!(summer, at("2024-07-21T19:30:00Z"));
    }

    #[test]
    fn year_plan_crosses_new_year() {
        let plan = YearPlan {
            first_year: 2023,
            first_month: 12,
        };
        assert_eq!(plan.year_for(12), 2023);
        assert_eq!(plan.year_for(1), 2024);
    }

    #[test]
    fn zone_names_and_offsets() {
        assert_eq!("UTC".parse::<Zone>().unwrap(), Zone::UTC);
        assert_eq!("-05:00".parse::<Zone>().unwrap(), Zone::Fixed(-5 * 3600));
        assert_eq!("+0330".parse::<Zone>().unwrap(), Zone::Fixed(3 * 3600 + 1800));
        assert!("Mars/Olympus".parse::<Zone>().is_err());
        assert_eq!(Zone::Fixed(-18000).to_string(), "-05:00");
    }

    #[test]
    fn invalid_dates_do_not_resolve() {
        let stamp = parse_iso(b"2023-02-29 00:00:00").unwrap();
        assert!(TimeContext::new(
            Zone::UTC,
            YearPlan {
                first_year: 2023,
                first_month: 1
            }
        )
        .resolve(&stamp)
        .is_none());
    }
}
