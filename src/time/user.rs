//! Times as people type them for `--since` and `--until`: read in the zone the output
//! shows, so that a time copied from the screen means what it says, and placed against
//! the logs when they say only part of it (`09:40` on the logs' day, `-2h` before their
//! end).

use super::{display_time, parse_iso, rfc3339_utc, Civil, Micros, RawStamp, StampZone, TimeContext, Zone, DATED, MICROS_PER_SEC};
use std::str::FromStr;

/// A time as typed, before the logs are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserTime {
    /// A date and a time: RFC 3339 with its offset, or `YYYY-MM-DD[ HH:MM[:SS]]` in the
    /// display zone.
    Dated(RawStamp),
    /// `HH:MM[:SS]`: on the logs' day, in the display zone.
    Clock { hour: u8, minute: u8, second: u8 },
    /// `-2h`: this long before the logs' last line.
    BeforeEnd(Micros),
    /// `+30m`: this long after the logs' first line.
    AfterStart(Micros),
}

/// What `--since` and `--until` accept, said when a time is refused.
const TIME_FORMS: &str = "RFC 3339 (2025-03-04T09:40:00-05:00), 2025-03-04 09:40[:00] or 09:40 in the zone times are shown in, or -2h / +30m from the logs' end / start";

impl FromStr for UserTime {
    type Err = String;

    fn from_str(text: &str) -> Result<UserTime, String> {
        let text = text.trim();
        let refuse = || format!("cannot read `{text}` as a time (use {TIME_FORMS})");
        if let Some(rest) = text.strip_prefix('-') {
            return relative(rest).map(UserTime::BeforeEnd).ok_or_else(refuse);
        }
        if let Some(rest) = text.strip_prefix('+') {
            return relative(rest).map(UserTime::AfterStart).ok_or_else(refuse);
        }
        if let Some(clock) = clock(text) {
            return Ok(clock);
        }
        let bytes = text.as_bytes();
        let padded = match bytes.len() {
            10 => [bytes, b" 00:00:00"].concat(),
            16 => [bytes, b":00"].concat(),
            _ => bytes.to_vec(),
        };
        let stamp = parse_iso(&padded).filter(|s| s.len == padded.len() && s.civil.year.is_some());
        stamp.map(UserTime::Dated).ok_or_else(refuse)
    }
}

/// `2h`, `90m`, `30s`, `1d`, `1h30m` → microseconds.
fn relative(text: &str) -> Option<Micros> {
    let mut total = 0i64;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let number: i64 = rest[..digits].parse().ok()?;
        let unit = match rest.as_bytes().get(digits)? {
            b's' => 1,
            b'm' => 60,
            b'h' => 3_600,
            b'd' => 86_400,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(unit)?)?;
        rest = &rest[digits + 1..];
    }
    (total > 0).then(|| total.saturating_mul(MICROS_PER_SEC))
}

/// `09:40` or `09:40:30`.
fn clock(text: &str) -> Option<UserTime> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let number = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<u8>().ok());
    let (hour, minute, second) = (number(0)?, number(1)?, number(2)?);
    (hour < 24 && minute < 60 && second < 60).then_some(UserTime::Clock { hour, minute, second })
}

impl UserTime {
    /// The instant meant, reading dates in `zone`; `logs` is the first and last time of
    /// the logs, which a clock time or a relative time needs.
    pub fn resolve(&self, zone: Zone, logs: Option<(Micros, Micros)>) -> Result<Micros, String> {
        let mut context = TimeContext::new(zone, DATED);
        match *self {
            UserTime::Dated(stamp) => context.resolve(&stamp).ok_or_else(|| "that date does not exist".to_string()),
            UserTime::Clock { hour, minute, second } => {
                let (first, last) = logs.ok_or("a time of day needs the logs' day, and no line has a time")?;
                let (first_day, last_day) = (day_in(first, zone), day_in(last, zone));
                if first_day != last_day {
                    return Err(format!(
                        "a time of day names no single day: the logs run from {} to {} ({zone}); give the date too, as {} {hour:02}:{minute:02}",
                        first_day.0, last_day.0, last_day.0
                    ));
                }
                let (year, month, day) = first_day.1;
                let stamp = RawStamp {
                    civil: Civil {
                        year: Some(year),
                        month,
                        day,
                        hour,
                        minute,
                        second,
                        micros: 0,
                    },
                    zone: StampZone::Naive,
                    len: 0,
                };
                context.resolve(&stamp).ok_or_else(|| "that time does not exist".to_string())
            }
            UserTime::BeforeEnd(d) => logs
                .map(|(_, last)| last - d)
                .ok_or_else(|| "a time before the logs' end needs logs with times, and no line has one".to_string()),
            UserTime::AfterStart(d) => logs
                .map(|(first, _)| first + d)
                .ok_or_else(|| "a time after the logs' start needs logs with times, and no line has one".to_string()),
        }
    }
}

/// The calendar day of an instant in `zone`: as text, and as numbers.
fn day_in(t: Micros, zone: Zone) -> (String, (i32, u8, u8)) {
    let local = t + i64::from(zone.offset_at(t)) * MICROS_PER_SEC;
    let (year, month) = super::year_month(local);
    let text = rfc3339_utc(local)[..10].to_string();
    let day = text[8..10].parse().unwrap_or(1);
    (text, (year, month, day))
}

/// `--since` and `--until`, as typed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<UserTime>,
    pub until: Option<UserTime>,
}

/// A window of time, resolved: `[since, until)`, either end open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub since: Option<Micros>,
    pub until: Option<Micros>,
}

impl Span {
    /// Whether `[start, end]` overlaps the window.
    pub fn overlaps(&self, start: Micros, end: Micros) -> bool {
        self.since.is_none_or(|s| end >= s) && self.until.is_none_or(|u| start < u)
    }

    pub fn contains(&self, t: Micros) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }
}

impl Window {
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// The window's instants, or a one-line error naming the option at fault.
    pub fn resolve(&self, zone: Zone, logs: Option<(Micros, Micros)>) -> Result<Span, String> {
        let end = |time: &Option<UserTime>, flag: &str| time.map(|t| t.resolve(zone, logs).map_err(|e| format!("{flag}: {e}"))).transpose();
        let span = Span {
            since: end(&self.since, "--since")?,
            until: end(&self.until, "--until")?,
        };
        if let (Some(since), Some(until)) = (span.since, span.until) {
            if until <= since {
                return Err(format!(
                    "--until ({}) is not after --since ({}): the window is empty",
                    display_time(until, zone),
                    display_time(since, zone)
                ));
            }
        }
        Ok(span)
    }
}

/// Parses and resolves a user-given time in one step, for callers that have no logs to
/// place a partial time against.
pub fn parse_user_time(text: &str, zone: Zone) -> Result<Micros, String> {
    text.parse::<UserTime>()?.resolve(zone, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn at(text: &str) -> Micros {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros()
    }

    const EST: Zone = Zone::Fixed(-5 * 3600);

    #[test]
    fn dated_times_are_read_in_the_zone_shown() {
        assert_eq!(parse_user_time("2024-01-21 15:30", EST).unwrap(), at("2024-01-21T20:30:00Z"));
        assert_eq!(parse_user_time("2024-01-21 15:30:10", EST).unwrap(), at("2024-01-21T20:30:10Z"));
        assert_eq!(parse_user_time("2024-01-21", EST).unwrap(), at("2024-01-21T05:00:00Z"));
        // An offset written is an offset kept.
        assert_eq!(parse_user_time("2024-01-21T15:30:00Z", EST).unwrap(), at("2024-01-21T15:30:00Z"));
        assert_eq!(
            parse_user_time("2024-01-21T15:30:00+01:00", EST).unwrap(),
            at("2024-01-21T14:30:00Z")
        );
    }

    #[test]
    fn a_time_of_day_is_on_the_logs_day() {
        let logs = Some((at("2025-03-04T13:00:00Z"), at("2025-03-04T19:00:00Z")));
        let nine_forty: UserTime = "09:40".parse().unwrap();
        assert_eq!(nine_forty.resolve(EST, logs).unwrap(), at("2025-03-04T14:40:00Z"));
        let with_seconds: UserTime = "09:40:30".parse().unwrap();
        assert_eq!(with_seconds.resolve(EST, logs).unwrap(), at("2025-03-04T14:40:30Z"));
        // Logs over two days in the zone shown: the day must be given.
        let two_days = Some((at("2025-03-04T13:00:00Z"), at("2025-03-05T13:00:00Z")));
        let error = nine_forty.resolve(EST, two_days).unwrap_err();
        assert!(
            error.contains("2025-03-04 to 2025-03-05") && error.contains("2025-03-05 09:40"),
            "{error}"
        );
        assert!(nine_forty.resolve(EST, None).is_err());
    }

    #[test]
    fn relative_times_count_from_the_logs_ends() {
        let logs = Some((at("2025-03-04T13:00:00Z"), at("2025-03-04T19:00:00Z")));
        let before: UserTime = "-2h".parse().unwrap();
        assert_eq!(before.resolve(EST, logs).unwrap(), at("2025-03-04T17:00:00Z"));
        let after: UserTime = "+1h30m".parse().unwrap();
        assert_eq!(after.resolve(EST, logs).unwrap(), at("2025-03-04T14:30:00Z"));
        assert_eq!("-90s".parse::<UserTime>().unwrap(), UserTime::BeforeEnd(90 * MICROS_PER_SEC));
        assert_eq!("-1d".parse::<UserTime>().unwrap(), UserTime::BeforeEnd(86_400 * MICROS_PER_SEC));
    }

    #[test]
    fn what_is_not_a_time_is_refused() {
        for text in [
            "yesterday",
            "9:40",
            "25:00",
            "09:61",
            "-2",
            "-h",
            "+0m",
            "-2w",
            "2024-13-01",
            "2024-01-21 15",
            "",
        ] {
            assert!(text.parse::<UserTime>().is_err(), "{text}");
        }
        assert!(parse_user_time("2023-02-29", Zone::UTC).is_err());
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_refused() {
        let window = Window {
            since: Some("2025-03-04 10:00".parse().unwrap()),
            until: Some("2025-03-04 09:00".parse().unwrap()),
        };
        let error = window.resolve(Zone::UTC, None).unwrap_err();
        assert!(
            error.starts_with("--until (2025-03-04 09:00:00 UTC) is not after --since (2025-03-04 10:00:00 UTC)"),
            "{error}"
        );
        let open = Window::default().resolve(Zone::UTC, None).unwrap();
        assert!(open.contains(0) && open.overlaps(0, 1));
        let error = Window {
            since: Some("-1h".parse().unwrap()),
            until: None,
        }
        .resolve(Zone::UTC, None)
        .unwrap_err();
        assert!(error.starts_with("--since: "), "{error}");
    }
}
