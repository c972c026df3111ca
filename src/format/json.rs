//! JSON lines: one object a line with a time field (`time`, `timestamp`, `ts`,
//! `@timestamp`, journald's `__REALTIME_TIMESTAMP`), or a container wrapper whose `log`
//! or `message` text begins with a timestamp.
//!
//! Fields are found by key without building the object ([`Members`]): the scan only needs
//! a time and, for access lines, a few request fields, and a full parse per line would
//! dominate.

use crate::time::{self, RawStamp};

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

/// Keys of a line looked at, at most: access and app records have a few dozen.
const MEMBERS: usize = 48;

/// The members of a JSON line, found in one pass: every `"key":` at any depth (nested
/// objects such as Caddy's `request` included), with where its value starts. Strings are
/// skipped whole, so text inside a value is never taken for a key. Lookups are then a
/// scan of a few dozen entries, instead of a substring search of the line per key.
pub(crate) struct Members<'a> {
    line: &'a [u8],
    /// (key start, key end, value start, value is a string).
    spans: [(u32, u32, u32, bool); MEMBERS],
    len: usize,
}

/// The index of the quote that closes the string opened at `open`.
fn string_end(line: &[u8], open: usize) -> Option<usize> {
    let mut at = open + 1;
    loop {
        at += memchr::memchr2(b'"', b'\\', line.get(at..)?)?;
        if line[at] == b'"' {
            return Some(at);
        }
        at += 2;
    }
}

impl<'a> Members<'a> {
    pub(crate) fn of(line: &'a [u8]) -> Members<'a> {
        let mut members = Members {
            line,
            spans: [(0, 0, 0, false); MEMBERS],
            len: 0,
        };
        if line.len() > u32::MAX as usize {
            return members;
        }
        let mut at = 0;
        while let Some(found) = memchr::memchr(b'"', &line[at..]) {
            let open = at + found;
            let Some(close) = string_end(line, open) else { break };
            let after = close + 1 + line[close + 1..].iter().take_while(|b| b.is_ascii_whitespace()).count();
            if line.get(after) != Some(&b':') {
                at = close + 1;
                continue;
            }
            let value = after + 1 + line[after + 1..].iter().take_while(|b| b.is_ascii_whitespace()).count();
            let quoted = line.get(value) == Some(&b'"');
            if members.len < MEMBERS {
                members.spans[members.len] = (open as u32 + 1, close as u32, (value + usize::from(quoted)) as u32, quoted);
                members.len += 1;
            }
            // Go on from the value: a string value is then skipped as a non-key string.
            at = value;
        }
        members
    }

    /// The value of the first member named `key`: its text from the start (after the
    /// opening quote of a string), and whether it is a string.
    fn get(&self, key: &[u8]) -> Option<(&'a [u8], bool)> {
        let line = self.line;
        self.spans[..self.len]
            .iter()
            .find(|(start, end, ..)| &line[*start as usize..*end as usize] == key)
            .map(|(_, _, value, quoted)| (&line[*value as usize..], *quoted))
    }
}

pub(super) fn stamp_at(line: &[u8]) -> Option<&[u8]> {
    let members = Members::of(line);
    for key in TIME_KEYS {
        if let Some((value, _)) = members.get(key) {
            if parse_stamp(value).is_some() {
                return Some(value);
            }
        }
    }
    TEXT_KEYS.iter().find_map(|key| {
        members
            .get(key)
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
pub(crate) fn string_field<'a>(members: &Members<'a>, keys: &[&[u8]]) -> Option<&'a [u8]> {
    keys.iter().find_map(|key| {
        let (value, quoted) = members.get(key)?;
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
pub(crate) fn number_field(members: &Members<'_>, keys: &[&[u8]]) -> Option<f64> {
    keys.iter().find_map(|key| {
        let (value, _) = members.get(key)?;
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
        assert_eq!(number_field(&Members::of(line), &[b"status"]), Some(503.0));
        assert_eq!(string_field(&Members::of(br#"{"a":"x\"y","b":1}"#), &[b"a"]), Some(&br#"x\"y"#[..]));
        // Text inside a value is not a key; keys of nested objects are.
        let tricky = br#"{"msg":"\"time\": no","request":{"remote_ip":"10.0.0.1","uri":"/x"},"status":200}"#;
        let members = Members::of(tricky);
        assert_eq!(members.get(b"time"), None);
        assert_eq!(string_field(&members, &[b"remote_ip"]), Some(&b"10.0.0.1"[..]));
        assert_eq!(number_field(&members, &[b"status"]), Some(200.0));
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
