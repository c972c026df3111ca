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

/// An instant as RFC 3339 in UTC to the microsecond, the same width on every line:
/// `2024-01-21T20:30:05.120000Z`.
pub fn rfc3339_micros(t: Micros) -> String {
    match DateTime::<Utc>::from_timestamp_micros(t) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
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

/// A duration as people write it: `1 h 15 min`, `4 min`, `38 s`.
pub fn human_duration(micros: Micros) -> String {
    let secs = micros.max(0) / MICROS_PER_SEC;
    match (secs / 3600, secs % 3600 / 60) {
        (0, 0) => format!("{secs} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Serde: an instant as RFC 3339 in UTC (`#[serde(with = "crate::time::serde_utc")]`).
pub mod serde_utc {
    use super::{rfc3339_utc, Micros};

    pub fn serialize<S: serde::Serializer>(t: &Micros, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&rfc3339_utc(*t))
    }
}

/// Serde: an optional instant as RFC 3339 in UTC, or null.
pub mod serde_utc_opt {
    use super::{rfc3339_utc, Micros};

    pub fn serialize<S: serde::Serializer>(t: &Option<Micros>, serializer: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => serializer.serialize_str(&rfc3339_utc(*t)),
            None => serializer.serialize_none(),
        }
    }
}

/// Serde: a duration in microseconds as whole seconds.
pub mod serde_seconds {
    use super::{Micros, MICROS_PER_SEC};

    pub fn serialize<S: serde::Serializer>(d: &Micros, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(d / MICROS_PER_SEC)
    }
}

/// Serde: a zone exactly, for a scan partial: its offset in seconds, or its IANA name.
pub mod zone_exact {
    use super::Zone;

    #[derive(serde::Serialize, serde::Deserialize)]
    enum Wire {
        Fixed(i32),
        Named(String),
    }

    pub fn serialize<S: serde::Serializer>(zone: &Zone, serializer: S) -> Result<S::Ok, S::Error> {
        let wire = match zone {
            Zone::Fixed(secs) => Wire::Fixed(*secs),
            Zone::Named(tz) => Wire::Named(tz.name().to_string()),
        };
        serde::Serialize::serialize(&wire, serializer)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Zone, D::Error> {
        match serde::Deserialize::deserialize(deserializer)? {
            Wire::Fixed(secs) => Ok(Zone::Fixed(secs)),
            Wire::Named(name) => name
                .parse::<chrono_tz::Tz>()
                .map(Zone::Named)
                .map_err(|_| serde::de::Error::custom(format!("unknown zone {name}"))),
        }
    }
}

impl serde::Serialize for Zone {
    /// As people write it: `UTC`, `-05:00`, `America/New_York`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human_duration(75 * 60 * 1_000_000), "1 h 15 min");
        assert_eq!(human_duration(4 * 60 * 1_000_000), "4 min");
        assert_eq!(human_duration(2 * 3600 * 1_000_000), "2 h");
        assert_eq!(human_duration(38 * 1_000_000), "38 s");
    }
}
