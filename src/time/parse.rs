//! Recognising timestamps. Every function takes the bytes where a timestamp may start and
//! returns it with its length, or `None`; none of them allocates.

use super::{Civil, RawStamp, StampZone, ABBREVIATIONS, MICROS_PER_SEC};

#[inline]
fn digit(b: &[u8], i: usize) -> Option<u32> {
    match b.get(i) {
        Some(c @ b'0'..=b'9') => Some(u32::from(c - b'0')),
        _ => None,
    }
}

#[inline]
#[allow(clippy::cast_possible_truncation, reason = "two decimal digits: at most 99")]
fn two(b: &[u8], i: usize) -> Option<u8> {
    Some((digit(b, i)? * 10 + digit(b, i + 1)?) as u8)
}

#[inline]
fn four(b: &[u8], i: usize) -> Option<i32> {
    Some((digit(b, i)? * 1000 + digit(b, i + 1)? * 100 + digit(b, i + 2)? * 10 + digit(b, i + 3)?) as i32)
}

/// A one- or two-digit number, space-padded or not (`" 3"`, `"3"`, `"03"`).
#[allow(clippy::cast_possible_truncation, reason = "two decimal digits: at most 99")]
fn padded_number(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let start = if b.get(i) == Some(&b' ') { i + 1 } else { i };
    let first = digit(b, start)?;
    match digit(b, start + 1) {
        Some(second) => Some(((first * 10 + second) as u8, start + 2)),
        None => Some((first as u8, start + 1)),
    }
}

/// `HH:MM:SS` at `i`, the hour possibly one digit; returns (h, m, s, end).
fn clock(b: &[u8], i: usize) -> Option<(u8, u8, u8, usize)> {
    let (hour, i) = padded_number(b, i)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    let minute = two(b, i + 1)?;
    if b.get(i + 3) != Some(&b':') {
        return None;
    }
    let second = two(b, i + 4)?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour, minute, second.min(59), i + 6))
}

/// A fraction of a second after `.` or `,` at `i`: (micros, end).
fn fraction(b: &[u8], i: usize) -> (u32, usize) {
    if !matches!(b.get(i), Some(b'.') | Some(b',')) || digit(b, i + 1).is_none() {
        return (0, i);
    }
    let mut micros = 0u32;
    let mut scale = 100_000u32;
    let mut j = i + 1;
    while let Some(d) = digit(b, j) {
        micros += d * scale;
        scale /= 10;
        j += 1;
    }
    (micros, j)
}

/// `Z`, `+HH:MM`, `+HHMM`, `+HH` at the start of `b`: (seconds east of UTC, length).
pub fn parse_numeric_offset(b: &[u8]) -> Option<(i32, usize)> {
    let sign = match b.first()? {
        b'Z' => return Some((0, 1)),
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = i32::from(two(b, 1)?);
    let (minutes, len) = if b.get(3) == Some(&b':') {
        (i32::from(two(b, 4)?), 6)
    } else if let Some(m) = two(b, 3) {
        (i32::from(m), 5)
    } else {
        (0, 3)
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some((sign * (hours * 3600 + minutes * 60), len))
}

/// The offset of a zone abbreviation a log prints (`CEST`, PostgreSQL's `log_timezone`
/// names), from [`ABBREVIATIONS`].
fn abbreviation_offset(name: &[u8]) -> Option<i32> {
    ABBREVIATIONS.iter().find(|a| a.name.as_bytes() == name).map(|a| a.offset)
}

/// Whether a zone starts `b`, as [`trailing_zone`] would read one after a time: an
/// offset (`+0800`, `-05:00`, `Z`) or, after a space, an offset or a zone's name.
pub fn zone_follows(b: &[u8]) -> bool {
    !matches!(trailing_zone(b, 0).0, StampZone::Naive)
}

/// An optional zone after a time: ` UTC`, ` CEST`, `Z`, `+02:00`, ` +0000`.
fn trailing_zone(b: &[u8], i: usize) -> (StampZone, usize) {
    let rest = &b[i.min(b.len())..];
    if let Some((secs, len)) = parse_numeric_offset(rest) {
        // A lone `-` or `+` followed by digits that are not an offset (`- 12`) fails above.
        return (StampZone::Offset(secs), i + len);
    }
    if rest.first() == Some(&b' ') {
        if let Some((secs, len)) = parse_numeric_offset(&rest[1..]) {
            if rest.get(1) != Some(&b'Z') {
                return (StampZone::Offset(secs), i + 1 + len);
            }
        }
        let word_len = rest[1..].iter().take_while(|c| c.is_ascii_uppercase()).count();
        let after = rest.get(1 + word_len);
        if (2..=5).contains(&word_len) && !after.is_some_and(|c| c.is_ascii_alphanumeric()) {
            if let Some(secs) = abbreviation_offset(&rest[1..1 + word_len]) {
                return (StampZone::Offset(secs), i + 1 + word_len);
            }
        }
    }
    (StampZone::Naive, i)
}

fn civil(year: Option<i32>, month: u8, day: u8, (hour, minute, second): (u8, u8, u8), micros: u32) -> Option<Civil> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros,
    })
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.frac][zone]`, also with `/` as the date separator
/// (nginx error log) and `T` or one or more spaces before the time.
pub fn parse_iso(b: &[u8]) -> Option<RawStamp> {
    let year = four(b, 0)?;
    let sep = *b.get(4)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let month = two(b, 5)?;
    if b.get(7) != Some(&sep) {
        return None;
    }
    let day = two(b, 8)?;
    let mut i = 10;
    let mut spaces = 0;
    match b.get(i) {
        Some(b'T') | Some(b'_') => i += 1,
        Some(b' ') => {
            while b.get(i) == Some(&b' ') {
                i += 1;
                spaces += 1;
            }
        }
        _ => return None,
    }
    // Two digits of hour, or one after a padding space (MariaDB: `2021-11-09  5:13:11`).
    let padded_hour = spaces >= 2 && digit(b, i).is_some() && b.get(i + 1) == Some(&b':');
    if !padded_hour && (digit(b, i).is_none() || digit(b, i + 1).is_none()) {
        return None;
    }
    let (hour, minute, second, end) = clock(b, i)?;
    let (micros, end) = fraction(b, end);
    let (zone, end) = trailing_zone(b, end);
    Some(RawStamp {
        civil: civil(Some(year), month, day, (hour, minute, second), micros)?,
        zone,
        len: end,
    })
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

fn month_name(b: &[u8], i: usize) -> Option<u8> {
    let name = b.get(i..i + 3)?;
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(name))
        .and_then(|p| u8::try_from(p + 1).ok())
}

fn weekday_name(b: &[u8], i: usize) -> bool {
    const DAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    b.get(i..i + 3).is_some_and(|d| DAYS.iter().any(|n| n.eq_ignore_ascii_case(d)))
}

/// `DD{sep}Mon{sep}YYYY{before_time}HH:MM:SS[.frac][ zone]`.
fn day_month_year(b: &[u8], sep: u8, before_time: u8) -> Option<RawStamp> {
    let day = two(b, 0)?;
    if b.get(2) != Some(&sep) || b.get(6) != Some(&sep) || b.get(11) != Some(&before_time) {
        return None;
    }
    let month = month_name(b, 3)?;
    let year = four(b, 7)?;
    let (hour, minute, second, end) = clock(b, 12)?;
    let (micros, end) = fraction(b, end);
    let (zone, end) = trailing_zone(b, end);
    Some(RawStamp {
        civil: civil(Some(year), month, day, (hour, minute, second), micros)?,
        zone,
        len: end,
    })
}

/// Common Log Format: `DD/Mon/YYYY:HH:MM:SS[.frac] [+-]HHMM` (the part inside brackets).
pub fn parse_clf(b: &[u8]) -> Option<RawStamp> {
    day_month_year(b, b'/', b':')
}

/// BSD syslog: `Mon DD HH:MM:SS[.frac]`, day space-padded or not, optionally followed by
/// a year (`Mon DD YYYY HH:MM:SS` is printed by some daemons too).
pub fn parse_syslog(b: &[u8]) -> Option<RawStamp> {
    let month = month_name(b, 0)?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let (day, i) = padded_number(b, 4)?;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    let (year, i) = match (four(b, i + 1), b.get(i + 5)) {
        (Some(y), Some(b' ')) => (Some(y), i + 6),
        _ => (None, i + 1),
    };
    let (hour, minute, second, end) = clock(b, i)?;
    let (micros, end) = fraction(b, end);
    let (zone, end) = trailing_zone(b, end);
    Some(RawStamp {
        civil: civil(year, month, day, (hour, minute, second), micros)?,
        zone,
        len: end,
    })
}

/// ctime: `Www Mon DD HH:MM:SS[.frac] YYYY` (Apache error log, uWSGI).
pub fn parse_ctime(b: &[u8]) -> Option<RawStamp> {
    if !weekday_name(b, 0) || b.get(3) != Some(&b' ') {
        return None;
    }
    let month = month_name(b, 4)?;
    let (day, i) = padded_number(b, 8)?;
    let (hour, minute, second, end) = clock(b, i + 1)?;
    let (micros, end) = fraction(b, end);
    if b.get(end) != Some(&b' ') {
        return None;
    }
    let year = four(b, end + 1)?;
    Some(RawStamp {
        civil: civil(Some(year), month, day, (hour, minute, second), micros)?,
        zone: StampZone::Naive,
        len: end + 5,
    })
}

/// MySQL 5.0/5.1 and InnoDB: `YYMMDD HH:MM:SS` or `YYMMDD  H:MM:SS`.
pub fn parse_mysql_short(b: &[u8]) -> Option<RawStamp> {
    let (year, month, day) = (two(b, 0)?, two(b, 2)?, two(b, 4)?);
    if b.get(6) != Some(&b' ') {
        return None;
    }
    let (hour, minute, second, end) = clock(b, 7)?;
    let year = 2000 + i32::from(year);
    Some(RawStamp {
        civil: civil(Some(year), month, day, (hour, minute, second), 0)?,
        zone: StampZone::Naive,
        len: end,
    })
}

/// Hadoop and log4j short forms: `YYMMDD HHMMSS` and `YY/MM/DD HH:MM:SS`.
pub fn parse_log4j_short(b: &[u8]) -> Option<RawStamp> {
    if b.get(2) == Some(&b'/') {
        let (year, month, day) = (two(b, 0)?, two(b, 3)?, two(b, 6)?);
        if b.get(5) != Some(&b'/') || b.get(8) != Some(&b' ') {
            return None;
        }
        let (hour, minute, second, end) = clock(b, 9)?;
        let (micros, end) = fraction(b, end);
        let year = 2000 + i32::from(year);
        return Some(RawStamp {
            civil: civil(Some(year), month, day, (hour, minute, second), micros)?,
            zone: StampZone::Naive,
            len: end,
        });
    }
    let (year, month, day) = (two(b, 0)?, two(b, 2)?, two(b, 4)?);
    if b.get(6) != Some(&b' ') {
        return None;
    }
    let (hour, minute, second) = (two(b, 7)?, two(b, 9)?, two(b, 11)?);
    if digit(b, 13).is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let year = 2000 + i32::from(year);
    Some(RawStamp {
        civil: civil(Some(year), month, day, (hour, minute, second.min(59)), 0)?,
        zone: StampZone::Naive,
        len: 13,
    })
}

/// glog: `Lmmdd HH:MM:SS.uuuuuu` where L is one of IWEF; no year.
pub fn parse_glog(b: &[u8]) -> Option<RawStamp> {
    if !matches!(b.first(), Some(b'I' | b'W' | b'E' | b'F')) {
        return None;
    }
    let (month, day) = (two(b, 1)?, two(b, 3)?);
    if b.get(5) != Some(&b' ') {
        return None;
    }
    let (hour, minute, second, end) = clock(b, 6)?;
    let (micros, end) = fraction(b, end);
    Some(RawStamp {
        civil: civil(None, month, day, (hour, minute, second), micros)?,
        zone: StampZone::Naive,
        len: end,
    })
}

/// A day, a month name and a four-digit year joined by `-`: `14-Mar-2025 11:07:52`
/// (PHP's error_log and php-fpm, BIND), with an optional fraction and zone.
pub fn parse_dash_date(b: &[u8]) -> Option<RawStamp> {
    day_month_year(b, b'-', b' ')
}

/// A day before its month's name, the year optional: `27 Dec 2018 11:19:18.874` and
/// `30 May 12:50:13.457` (Redis, each version's shape).
pub fn parse_day_month(b: &[u8]) -> Option<RawStamp> {
    let (day, i) = padded_number(b, 0)?;
    if b.get(i) != Some(&b' ') || b.get(i + 4) != Some(&b' ') {
        return None;
    }
    let month = month_name(b, i + 1)?;
    let i = i + 5;
    let (year, i) = match (four(b, i), b.get(i + 4)) {
        (Some(y), Some(b' ')) => (Some(y), i + 5),
        _ => (None, i),
    };
    let (hour, minute, second, end) = clock(b, i)?;
    let (micros, end) = fraction(b, end);
    Some(RawStamp {
        civil: civil(year, month, day, (hour, minute, second), micros)?,
        zone: StampZone::Naive,
        len: end,
    })
}

/// Epoch seconds (10 digits, optional fraction), milliseconds (13) or microseconds (16).
pub fn parse_epoch(b: &[u8]) -> Option<RawStamp> {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if b.get(digits).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let value: i64 = std::str::from_utf8(&b[..digits]).ok()?.parse().ok()?;
    let (micros, len) = match digits {
        9 | 10 => {
            let (frac, end) = fraction(b, digits);
            (value * MICROS_PER_SEC + i64::from(frac), end)
        }
        12 | 13 => (value * 1000, digits),
        15 | 16 => (value, digits),
        _ => return None,
    };
    Some(RawStamp::epoch(micros, len))
}

/// A date written month first, `MM/DD/YYYY` or `MM/DD/YY` (years 2000 on), then `-` or a
/// space and the clock: Suricata's fast.log (`07/11/2022-10:29:01.860293`), ZoneMinder
/// (`01/25/22 16:08:02.393003`). Which files write the month first is decided per file
/// ([`crate::format::families::month_first`]); this reads the shape alone.
pub fn parse_month_first(b: &[u8]) -> Option<RawStamp> {
    let (month, i) = slash_number(b, 0)?;
    let (day, i) = slash_number(b, i)?;
    let (year, i) = match (four(b, i), two(b, i)) {
        (Some(year), _) => (year, i + 4),
        (None, Some(short)) if !b.get(i + 2).is_some_and(u8::is_ascii_digit) => (2000 + i32::from(short), i + 2),
        _ => return None,
    };
    if !matches!(b.get(i), Some(b'-' | b' ')) {
        return None;
    }
    let (hour, minute, second, end) = clock(b, i + 1)?;
    let (micros, end) = fraction(b, end);
    Some(RawStamp {
        civil: civil(Some(year), month, day, (hour, minute, second), micros)?,
        zone: StampZone::Naive,
        len: end,
    })
}

/// One or two digits at `i` and the `/` after them: (number, index after the slash).
#[allow(clippy::cast_possible_truncation, reason = "two decimal digits: at most 99")]
fn slash_number(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let first = digit(b, i)?;
    match (digit(b, i + 1), b.get(i + 1)) {
        (Some(second), _) if b.get(i + 2) == Some(&b'/') => Some(((first * 10 + second) as u8, i + 3)),
        (None, Some(b'/')) => Some((first as u8, i + 2)),
        _ => None,
    }
}

/// Erlang's error_logger report header (RabbitMQ before 3.9): `=WARNING REPORT====
/// 6-May-2019::03:56:36 ===`, the message on the lines after it.
pub fn parse_erlang_report(b: &[u8]) -> Option<RawStamp> {
    let rest = b.strip_prefix(b"=")?;
    let at = memchr::memmem::find(&rest[..rest.len().min(32)], b" REPORT==== ")? + 1 + 12;
    let (day, i) = padded_number(b, at)?;
    if b.get(i) != Some(&b'-') || b.get(i + 4) != Some(&b'-') {
        return None;
    }
    let month = month_name(b, i + 1)?;
    let year = four(b, i + 5)?;
    if b.get(i + 9..i + 11) != Some(b"::") {
        return None;
    }
    let (hour, minute, second, end) = clock(b, i + 11)?;
    let (micros, end) = fraction(b, end);
    Some(RawStamp {
        civil: civil(Some(year), month, day, (hour, minute, second), micros)?,
        zone: StampZone::Naive,
        len: end,
    })
}

/// java.util.logging's default (Tomcat's `catalina.out` before 8.0, many Java
/// programs): `Mar 28, 2022 7:01:48 AM`, a twelve-hour clock.
pub fn parse_jul(b: &[u8]) -> Option<RawStamp> {
    let month = month_name(b, 0)?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let (day, i) = padded_number(b, 4)?;
    if b.get(i..i + 2) != Some(b", ") {
        return None;
    }
    let year = four(b, i + 2)?;
    if b.get(i + 6) != Some(&b' ') {
        return None;
    }
    let (hour, minute, second, end) = clock(b, i + 7)?;
    let afternoon = match b.get(end..end + 3) {
        Some(b" AM") => false,
        Some(b" PM") => true,
        _ => return None,
    };
    if !(1..=12).contains(&hour) {
        return None;
    }
    let hour = hour % 12 + if afternoon { 12 } else { 0 };
    Some(RawStamp {
        civil: civil(Some(year), month, day, (hour, minute, second), 0)?,
        zone: StampZone::Naive,
        len: end + 3,
    })
}

/// Any timestamp shape this module knows, at the very start of `b`. Used to sniff
/// formats and to read files of unknown format whose lines begin with a timestamp.
pub fn parse_any(b: &[u8]) -> Option<RawStamp> {
    match b.first()? {
        b'0'..=b'9' => parse_iso(b)
            .or_else(|| parse_clf(b))
            .or_else(|| parse_mysql_short(b))
            .or_else(|| parse_log4j_short(b))
            .or_else(|| parse_dash_date(b))
            .or_else(|| parse_day_month(b)),
        b'[' => {
            let inner = &b[1..];
            let stamp = parse_iso(inner)
                .or_else(|| parse_clf(inner))
                .or_else(|| parse_ctime(inner))
                .or_else(|| parse_dash_date(inner))
                .or_else(|| parse_syslog(inner))?;
            Some(RawStamp {
                len: stamp.len + 1,
                ..stamp
            })
        }
        b'=' => parse_erlang_report(b),
        b'A'..=b'Z' | b'a'..=b'z' => parse_syslog(b)
            .or_else(|| parse_ctime(b))
            .or_else(|| parse_glog(b))
            .or_else(|| parse_jul(b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Micros, TimeContext, YearPlan, Zone};
    use chrono::DateTime;

    #[test]
    fn month_first_dates() {
        let micros = |iso: &str| DateTime::parse_from_rfc3339(iso).unwrap().timestamp_micros();
        let at = |text: &str| parse_month_first(text.as_bytes()).map(|s| (utc(s), s.len));
        assert_eq!(
            at("07/11/2022-10:29:01.860293  [**] [1:2200074:2] SURICATA"),
            Some((micros("2022-07-11T10:29:01.860293Z"), 26))
        );
        assert_eq!(
            at("01/25/22 16:08:02.393003 web_php[118770].ERR"),
            Some((micros("2022-01-25T16:08:02.393003Z"), 24))
        );
        assert_eq!(at("1/5/2024 9:03:00 x").map(|a| a.0), Some(micros("2024-01-05T09:03:00Z")));
        // Decoys: a month past 12 (a day-first date), a year of three digits, no clock.
        assert_eq!(at("25/01/2022 16:08:02 x"), None);
        assert_eq!(at("01/25/202 16:08:02 x"), None);
        assert_eq!(at("01/25/2022 started"), None);
    }

    #[test]
    fn erlang_report_headers() {
        let micros = |iso: &str| DateTime::parse_from_rfc3339(iso).unwrap().timestamp_micros();
        let at = |text: &str| parse_any(text.as_bytes()).map(utc);
        assert_eq!(
            at("=WARNING REPORT==== 6-May-2019::03:56:36 ==="),
            Some(micros("2019-05-06T03:56:36Z"))
        );
        assert_eq!(
            at("=INFO REPORT==== 17-Apr-2019::19:46:29.300 ==="),
            Some(micros("2019-04-17T19:46:29.300Z"))
        );
        assert_eq!(
            at("=ERROR REPORT==== 31-Dec-2018::23:59:59 ==="),
            Some(micros("2018-12-31T23:59:59Z"))
        );
        // Decoys: a header without its date, a line of equals signs.
        assert_eq!(at("=WARNING REPORT==== ==="), None);
        assert_eq!(at("===================="), None);
    }

    #[test]
    fn java_util_logging_twelve_hour_clock() {
        let at = |text: &str| parse_jul(text.as_bytes()).map(|s| (utc(s), s.len));
        let micros = |iso: &str| DateTime::parse_from_rfc3339(iso).unwrap().timestamp_micros();
        assert_eq!(
            at("Mar 28, 2022 7:01:48 AM org.apache.catalina.startup.Catalina start"),
            Some((micros("2022-03-28T07:01:48Z"), 23))
        );
        assert_eq!(at("Mar 28, 2022 12:01:48 AM x").map(|a| a.0), Some(micros("2022-03-28T00:01:48Z")));
        assert_eq!(at("Mar 28, 2022 12:01:48 PM x").map(|a| a.0), Some(micros("2022-03-28T12:01:48Z")));
        assert_eq!(at("Dec 1, 2022 11:59:59 PM x").map(|a| a.0), Some(micros("2022-12-01T23:59:59Z")));
        // Decoys: a 24-hour clock with no AM/PM, hour 0 or 13 with one, a syslog stamp.
        assert_eq!(at("Mar 28, 2022 17:01:48 org.x"), None);
        assert_eq!(at("Mar 28, 2022 0:01:48 AM x"), None);
        assert_eq!(at("Mar 28, 2022 13:01:48 PM x"), None);
        assert_eq!(at("Mar 28 07:01:48 web1 cron[1]: x"), None);
    }

    fn utc(stamp: RawStamp) -> Micros {
        TimeContext::new(
            Zone::UTC,
            YearPlan {
                first_year: 2024,
                first_month: 1,
            },
        )
        .resolve(&stamp)
        .unwrap()
    }

    fn at(text: &str) -> Micros {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros()
    }

    #[test]
    fn iso_shapes() {
        assert_eq!(utc(parse_iso(b"2024-01-21T15:30:00Z x").unwrap()), at("2024-01-21T15:30:00Z"));
        assert_eq!(
            utc(parse_iso(b"2024-01-21 15:30:00,123 INFO").unwrap()),
            at("2024-01-21T15:30:00.123Z")
        );
        assert_eq!(
            utc(parse_iso(b"2024-01-21T15:30:00.5-05:00").unwrap()),
            at("2024-01-21T20:30:00.5Z")
        );
        assert_eq!(
            utc(parse_iso(b"2025-04-12 00:14:12.837 CEST [1]").unwrap()),
            at("2025-04-11T22:14:12.837Z")
        );
        assert_eq!(utc(parse_iso(b"2016/10/25 14:49:34 [error]").unwrap()), at("2016-10-25T14:49:34Z"));
        assert_eq!(
            utc(parse_iso(b"2020-03-11 20:40:43 CET::@:[1]").unwrap()),
            at("2020-03-11T19:40:43Z")
        );
        assert!(parse_iso(b"2024-13-01 00:00:00").is_none());
        assert!(parse_iso(b"2024-01-21").is_none());
    }

    #[test]
    fn zone_abbreviation_must_be_a_whole_word() {
        let s = parse_iso(b"2024-01-21 15:30:00 ESTATE").unwrap();
        assert_eq!(s.zone, StampZone::Naive);
        assert_eq!(s.len, 19);
    }

    #[test]
    fn clf_and_ctime_and_syslog() {
        assert_eq!(utc(parse_clf(b"22/Jan/2019:03:56:14 +0330]").unwrap()), at("2019-01-22T00:26:14Z"));
        assert_eq!(utc(parse_ctime(b"Sun Dec 04 04:47:44 2005]").unwrap()), at("2005-12-04T04:47:44Z"));
        assert_eq!(
            utc(parse_ctime(b"Wed Oct 11 14:32:52.123456 2000]").unwrap()),
            at("2000-10-11T14:32:52.123456Z")
        );
        let s = parse_syslog(b"Dec  6 13:01:34 host x").unwrap();
        assert_eq!(s.civil.year, None);
        assert_eq!(utc(s), at("2024-12-06T13:01:34Z"));
        assert_eq!(parse_syslog(b"Nov 9 12:01:01 dn228").unwrap().civil.day, 9);
        let with_year = parse_syslog(b"Jan 21 2024 15:28:01 db1 CRON[1]:").unwrap();
        assert_eq!(with_year.civil.year, Some(2024));
        assert_eq!(utc(with_year), at("2024-01-21T15:28:01Z"));
    }

    #[test]
    fn short_forms() {
        assert_eq!(
            utc(parse_mysql_short(b"080721  3:04:00 [Warning]").unwrap()),
            at("2008-07-21T03:04:00Z")
        );
        assert_eq!(
            utc(parse_mysql_short(b"091119 22:27:11InnoDB").unwrap()),
            at("2009-11-19T22:27:11Z")
        );
        assert_eq!(
            utc(parse_log4j_short(b"081109 203615 148 INFO").unwrap()),
            at("2008-11-09T20:36:15Z")
        );
        assert_eq!(
            utc(parse_log4j_short(b"17/06/09 20:10:40 INFO").unwrap()),
            at("2017-06-09T20:10:40Z")
        );
        assert_eq!(
            utc(parse_glog(b"E0517 15:04:22.619632 1952").unwrap()),
            at("2024-05-17T15:04:22.619632Z")
        );
        assert_eq!(utc(parse_epoch(b"1131566461 2005").unwrap()), at("2005-11-09T20:01:01Z"));
        assert_eq!(utc(parse_epoch(b"1534860261221").unwrap()), at("2018-08-21T14:04:21.221Z"));
    }

    #[test]
    fn shapes_of_php_bind_redis_and_mariadb() {
        type Parser = fn(&[u8]) -> Option<RawStamp>;
        let read: [(&str, Parser, &str); 6] = [
            // php-fpm, PHP's error_log with its zone, and BIND.
            (
                "[14-Mar-2025 11:07:52] WARNING: [pool www] server reached",
                parse_any,
                "2025-03-14T11:07:52Z",
            ),
            ("[14-Mar-2025 11:07:52 UTC] PHP Fatal error", parse_any, "2025-03-14T11:07:52Z"),
            ("19-Oct-2022 05:34:02.425 client @0x7f6", parse_any, "2022-10-19T05:34:02.425Z"),
            // Redis 5 and later print the year (3.x does not: below).
            (
                "27 Dec 2018 11:19:18.874 * Synchronization",
                parse_day_month,
                "2018-12-27T11:19:18.874Z",
            ),
            // MariaDB pads a one-digit hour with a space.
            ("2021-11-09  5:13:11 8 [Warning] Access denied", parse_iso, "2021-11-09T05:13:11Z"),
            // Syslog inside brackets (Asterisk); the year from the plan.
            ("[Dec 21 12:56:59] SECURITY[77]", parse_any, "2024-12-21T12:56:59Z"),
        ];
        for (text, parser, instant) in read {
            assert_eq!(parser(text.as_bytes()).map(utc), Some(at(instant)), "{text}");
        }
        // PHP names its date.timezone; an IANA name after the time is left to the file's
        // zone (`--tz 'php*=Europe/Paris'`), as for any naive stamp.
        let php = parse_any(b"[14-Mar-2025 11:07:52 Europe/Paris] PHP Fatal error").unwrap();
        assert_eq!((php.zone, php.len), (StampZone::Naive, 21));
        let old = parse_day_month(b"30 May 12:50:13.457 * Increased").unwrap();
        assert_eq!((old.civil.year, utc(old)), (None, at("2024-05-30T12:50:13.457Z")));
        assert!(parse_day_month(b"30 Mayo 12:50:13").is_none());
        assert!(parse_iso(b"2021-11-09 5:13:11").is_none(), "one space: not a padded hour");
    }
}
