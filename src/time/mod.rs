//! Timestamps: recognising them at the start of a byte slice, and turning them into UTC
//! instants.
//!
//! This is on the hot path (every line of every file starts with a timestamp), so the
//! common shapes are parsed by hand without allocating ([`parse`]), and chrono is used
//! only to resolve naive local times in a named zone (cached per hour, [`zone`]) and to
//! print times for people ([`display`]).
//!
//! A parsed timestamp is a [`RawStamp`]: the civil date and time as written, and what the
//! line said about its zone. A [`TimeContext`] (per file: the zone assumed for naive times,
//! and the year plan for formats that print no year, from [`year`]) turns it into
//! [`Micros`]. What users type (`--tz`, `--since`) is read in [`zone`] and [`user`].

mod display;
mod parse;
mod user;
mod year;
mod zone;

pub use display::*;
pub use parse::*;
pub use user::*;
pub use year::*;
pub use zone::*;

use chrono::{DateTime, Utc};

/// An instant: microseconds since the Unix epoch, UTC.
pub type Micros = i64;

pub const MICROS_PER_SEC: i64 = 1_000_000;

/// A date and time as written in a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Civil {
    /// `None` for shapes that print no year (syslog, glog).
    pub year: Option<i32>,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub micros: u32,
}

/// What a line said about the zone of its timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StampZone {
    /// An explicit UTC offset in seconds (`Z`, `+02:00`, `-0500`, `CEST`).
    Offset(i32),
    /// No zone: read in the file's assumed zone.
    Naive,
    /// Already an instant (epoch seconds or milliseconds).
    Epoch(Micros),
}

/// A timestamp recognised at the start of a slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RawStamp {
    pub civil: Civil,
    pub zone: StampZone,
    /// How many bytes of the slice the timestamp took.
    pub len: usize,
}

impl RawStamp {
    /// An instant counted from the epoch (its civil fields unused), that took `len` bytes.
    pub fn epoch(micros: Micros, len: usize) -> RawStamp {
        RawStamp {
            civil: Civil {
                year: None,
                month: 1,
                day: 1,
                hour: 0,
                minute: 0,
                second: 0,
                micros: 0,
            },
            zone: StampZone::Epoch(micros),
            len,
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date, or `None` if the date does not
/// exist. (Howard Hinnant's `days_from_civil`.)
pub fn days_from_civil(year: i32, month: u8, day: u8) -> Option<i64> {
    // There is no year 0 in the calendar logs are written in: `0000-…` is a placeholder
    // (an unset clock, a zeroed field), not a date.
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let y = i64::from(if month <= 2 { year - 1 } else { year });
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// The calendar year and month of an instant in UTC.
pub fn year_month(t: Micros) -> (i32, u8) {
    use chrono::Datelike;
    let dt = DateTime::<Utc>::from_timestamp_micros(t).unwrap_or_default();
    (dt.year(), u8::try_from(dt.month()).unwrap_or(1))
}
