//! JSON lines: one object a line with a time field (`time`, `timestamp`, `ts`,
//! `@timestamp`, journald's `__REALTIME_TIMESTAMP`), or a container wrapper whose `log`
//! or `message` text begins with a timestamp.
//!
//! Fields are found by key without building the object: the scan only needs a time and,
//! for access lines, a few request fields, and a full parse per line would dominate.

use crate::time::{self, RawStamp};
use memchr::memmem;

/// Keys that hold the time of a record, most specific first.
const TIME_KEYS: [&[u8]; 8] = [
    b"@timestamp",
    b"timestamp",
    b"time",
    b"ts",
    b"datetime",
    b"date",
    b"__REALTIME_TIMESTAMP",
    b"t",
];
/// Keys whose text is itself a log line (docker, Kubernetes, operators).
const TEXT_KEYS: [&[u8]; 3] = [b"log", b"message", b"msg"];

pub(super) fn looks_like(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii();
    trimmed.starts_with(b"{") && trimmed.ends_with(b"}") && stamp_at(line).and_then(parse_stamp).is_some()
}

/// The start of the value of `key` (after `"key":` and an optional opening quote).
fn value_at<'a>(line: &'a [u8], key: &[u8]) -> Option<(&'a [u8], bool)> {
    let mut from = 0;
    while let Some(found) = memmem::find(&line[from..], key) {
        let start = from + found;
        let end = start + key.len();
        from = end;
        if start == 0 || line[start - 1] != b'"' || line.get(end) != Some(&b'"') {
            continue;
        }
        let rest = line[end + 1..].trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b":") else { continue };
        let rest = rest.trim_ascii_start();
        return Some(match rest.strip_prefix(b"\"") {
            Some(inner) => (inner, true),
            None => (rest, false),
        });
    }
    None
}

pub(super) fn stamp_at(line: &[u8]) -> Option<&[u8]> {
    for key in TIME_KEYS {
        if let Some((value, _)) = value_at(line, key) {
            if parse_stamp(value).is_some() {
                return Some(value);
            }
        }
    }
    TEXT_KEYS.iter().find_map(|key| {
        value_at(line, key)
            .filter(|(v, quoted)| *quoted && time::parse_any(v).is_some())
            .map(|(v, _)| v)
    })
}

pub(super) fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
    match at.first()? {
        b'0'..=b'9' => time::parse_iso(at)
            .or_else(|| time::parse_epoch(at))
            .or_else(|| time::parse_any(at)),
        _ => time::parse_any(at),
    }
}

/// The raw text of the first of `keys` holding a string (escapes left as they are).
pub(crate) fn string_field<'a>(line: &'a [u8], keys: &[&[u8]]) -> Option<&'a [u8]> {
    keys.iter().find_map(|key| {
        let (value, quoted) = value_at(line, key)?;
        if !quoted {
            return None;
        }
        let mut end = 0;
        while end < value.len() && value[end] != b'"' {
            end += if value[end] == b'\\' { 2 } else { 1 };
        }
        value.get(..end)
    })
}

/// The first of `keys` holding a number, or a string that is one.
pub(crate) fn number_field(line: &[u8], keys: &[&[u8]]) -> Option<f64> {
    keys.iter().find_map(|key| {
        let (value, _) = value_at(line, key)?;
        let end = value
            .iter()
            .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'e' | b'E' | b'+')))
            .unwrap_or(value.len());
        std::str::from_utf8(&value[..end]).ok()?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_not_substrings() {
        let line = br#"{"uptime":"x","time" : "2024-01-21T15:30:00Z","status":503}"#;
        assert!(stamp_at(line).unwrap().starts_with(b"2024-01-21T15:30:00Z"));
        assert_eq!(number_field(line, &[b"status"]), Some(503.0));
        assert_eq!(string_field(br#"{"a":"x\"y","b":1}"#, &[b"a"]), Some(&br#"x\"y"#[..]));
    }

    #[test]
    fn wrapper_with_log_text() {
        let line = br#"{"log":"2023-05-28T08:52:18.119268Z 0 [Warning] [MY-000000] [Server] Too many connections\n","file":"/var/lib/mysql/mysqld-error.log"}"#;
        assert!(looks_like(line));
    }

    #[test]
    fn journald_micros_string() {
        let line = br#"{ "__CURSOR" : "s=1", "__REALTIME_TIMESTAMP" : "1534860261221373", "MESSAGE" : "x" }"#;
        assert!(looks_like(line));
    }
}
