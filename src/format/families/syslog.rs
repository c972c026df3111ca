//! syslog: RFC 3164 (`Mon DD HH:MM:SS host prog[pid]: msg`, with or without a year),
//! RFC 5424 (`<PRI>1 ISO host app procid msgid …`), and rsyslog's RFC 3339-stamped lines.

use crate::format::{generic_head, skip_fields, Family, Head, Level, SourceKind};
use crate::time::{self, RawStamp};

pub struct Syslog;

impl Family for Syslog {
    const NAME: &'static str = "syslog";
    const KIND: SourceKind = SourceKind::System;
    const ABOUT: &'static str = "syslog: RFC 3164 (with or without year), RFC 5424, ISO-stamped";

    fn looks_like(line: &[u8]) -> bool {
        let Some(stamp) = Self::stamp_at(line).and_then(Self::parse_stamp) else {
            return false;
        };
        // RFC 5424 is unmistakable; the other shapes must show `host program:`.
        line.starts_with(b"<") || has_program(line, stamp.len)
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        // RFC 5424: `<PRI>VERSION TIMESTAMP`; 3164 through a relay may carry `<PRI>` alone.
        if let Some(rest) = line.strip_prefix(b"<") {
            let close = memchr::memchr(b'>', &rest[..rest.len().min(5)])?;
            let rest = &rest[close + 1..];
            return Some(match rest.strip_prefix(b"1 ") {
                Some(after_version) => after_version,
                None => rest,
            });
        }
        Some(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        match at.first()? {
            // rsyslog's high-precision stamps are RFC 3339: a `T` and an offset, which is
            // what tells them from application logs that also start with a date.
            b'0'..=b'9' => time::parse_iso(at).filter(|s| at.get(10) == Some(&b'T') && s.zone != time::StampZone::Naive),
            _ => time::parse_syslog(at),
        }
    }

    /// The message from the program on (`sshd[42]: Failed password …`), its level the
    /// severity of `<PRI>` where the line carries one, else a level word the program put
    /// first.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let priority = line.strip_prefix(b"<").and_then(|rest| {
            let close = memchr::memchr(b'>', &rest[..rest.len().min(5)])?;
            std::str::from_utf8(&rest[..close]).ok()?.parse::<u16>().ok()
        });
        let rest = line.get(stamp_end..)?.trim_ascii_start();
        // After the host: `prog[pid]: text` (RFC 3164) or `app procid msgid SD text` (5424).
        let after_host = skip_fields(rest, 1).unwrap_or(rest);
        let rfc5424 = priority.is_some() && line.get(close_of_priority(line) + 1..).is_some_and(|r| r.starts_with(b"1 "));
        let message = if rfc5424 {
            skip_fields(after_host, 3).map_or(after_host, strip_structured_data)
        } else {
            after_host
        };
        let level = match priority {
            Some(pri) => Some(Level::of_syslog((pri % 8) as u8)),
            None => {
                let text = crate::format::find_short(message, b": ").map_or(message, |at| &message[at + 2..]);
                // A program that prints its own time first (a Lambda function's line
                // carried from CloudWatch): its level comes after it.
                let stamp = time::parse_iso(text).map_or(0, |s| s.len);
                generic_head(&text[stamp..]).level
            }
        };
        Some(Head {
            level,
            message,
            detail: &[],
        })
    }
}

/// Where the `>` closing a line's `<PRI>` is.
fn close_of_priority(line: &[u8]) -> usize {
    memchr::memchr(b'>', &line[..line.len().min(6)]).unwrap_or(0)
}

/// RFC 5424's structured data (`-`, or `[id key="value" …]…`) skipped.
fn strip_structured_data(text: &[u8]) -> &[u8] {
    if let Some(rest) = text.strip_prefix(b"- ") {
        return rest;
    }
    let mut rest = text;
    while rest.starts_with(b"[") {
        match crate::format::find_short(rest, b"] ").or_else(|| rest.ends_with(b"]").then(|| rest.len() - 1)) {
            Some(close) => rest = rest[close + 1..].trim_ascii_start(),
            None => break,
        }
    }
    rest
}

/// After a timestamp: ` host prog[pid]:` or ` host prog:`; proves the line is syslog and
/// not some other format that starts with a date.
fn has_program(line: &[u8], stamp_len: usize) -> bool {
    let start = Syslog::stamp_at(line).map_or(0, |at| line.len() - at.len());
    let Some(rest) = line.get(start + stamp_len..).and_then(|r| r.strip_prefix(b" ")) else {
        return false;
    };
    let Some(after_host) = skip_fields(rest, 1) else { return false };
    let word_end = after_host.iter().position(|&b| b == b' ').unwrap_or(after_host.len());
    let word = &after_host[..word_end];
    word.len() > 1 && word.ends_with(b":") && word[0].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_of(line: &str) -> (Option<Level>, String) {
        let stamp_at = Syslog::stamp_at(line.as_bytes()).unwrap();
        let end = line.len() - stamp_at.len() + Syslog::parse_stamp(stamp_at).unwrap().len;
        let head = Syslog::head(line.as_bytes(), end).unwrap();
        (head.level, String::from_utf8_lossy(head.message).into())
    }

    #[test]
    fn heads() {
        assert_eq!(
            head_of("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure;"),
            (None, "sshd(pam_unix)[19939]: authentication failure;".into())
        );
        assert_eq!(
            head_of("<11>1 2024-01-21T15:30:01Z web1 shop 42 - - payment service unreachable").0,
            Some(Level::Error)
        );
        assert_eq!(
            head_of("<11>1 2024-01-21T15:30:01Z web1 shop 42 - - payment service unreachable").1,
            "payment service unreachable"
        );
        assert_eq!(
            head_of("Jan 21 15:30:01 db1 postgres[7]: [3-1] ERROR:  deadlock detected").0,
            Some(Level::Error)
        );
    }

    #[test]
    fn shapes() {
        assert!(Syslog::looks_like(
            b"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure;"
        ));
        assert!(Syslog::looks_like(b"Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6"));
        assert!(Syslog::looks_like(
            b"2024-01-21T15:30:01.123456+00:00 web1 CRON[42]: (root) CMD (x)"
        ));
        assert!(Syslog::looks_like(
            b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - msg"
        ));
        assert!(!Syslog::looks_like(b"2024-01-21 15:30:01,123 INFO app: started"));
    }
}
