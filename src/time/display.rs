//! Times for people and for machines: offsets, RFC 3339 in UTC, times in the display
//! zone.

use super::{Micros, Zone, MICROS_PER_SEC};
use chrono::{DateTime, Utc};

/// `+HH:MM` (or `+HHMM` when `colon` is false) for an offset in seconds.
pub fn format_offset(secs: i32, colon: bool) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    let (h, m) = (abs / 3600, abs % 3600 / 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// RFC 3339 in UTC with milliseconds: `2024-01-21T20:30:00.000Z`.
pub fn rfc3339_utc(t: Micros) -> String {
    match DateTime::<Utc>::from_timestamp_micros(t) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => "invalid".to_string(),
    }
}

/// A time for people, in the display zone: `2024-01-21 15:30:05 -05:00`.
pub fn display_time(t: Micros, zone: Zone) -> String {
    let offset = zone.offset_at(t);
    let local = DateTime::<Utc>::from_timestamp_micros(t + i64::from(offset) * MICROS_PER_SEC).unwrap_or_default();
    let zone_label = if offset == 0 {
        "UTC".to_string()
    } else {
        format_offset(offset, true)
    };
    format!("{} {zone_label}", local.format("%Y-%m-%d %H:%M:%S"))
}

/// Only the wall-clock time in the display zone: `15:30:05`.
pub fn display_clock(t: Micros, zone: Zone) -> String {
    let offset = zone.offset_at(t);
    let local = DateTime::<Utc>::from_timestamp_micros(t + i64::from(offset) * MICROS_PER_SEC).unwrap_or_default();
    local.format("%H:%M:%S").to_string()
}
