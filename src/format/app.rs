//! Application logs led by a timestamp: Python logging, Spring Boot/Logback/log4j,
//! Laravel, Ruby/Rails Logger, glog, and log4j/Hadoop with short dates. They differ in the
//! shape of the stamp and what follows it; for the scan they are all `app` sources.

use super::{contains, Format};
use crate::time::{self, RawStamp};

const LEVELS: [&[u8]; 9] = [
    b"INFO",
    b"WARN",
    b"WARNING",
    b"ERROR",
    b"DEBUG",
    b"TRACE",
    b"FATAL",
    b"CRITICAL",
    b"SEVERE",
];

fn starts_with_level(text: &[u8]) -> bool {
    let text = text.trim_ascii_start();
    LEVELS
        .iter()
        .any(|level| text.starts_with(level) && !text.get(level.len()).is_some_and(u8::is_ascii_alphabetic))
}

pub(super) fn looks_like(format: Format, line: &[u8]) -> bool {
    let Some(at) = stamp_at(format, line) else { return false };
    let Some(stamp) = parse_stamp(format, at) else { return false };
    let rest = &at[stamp.len..];
    match format {
        // `[2024-01-21 15:28:03] production.ERROR: …`
        Format::Laravel => {
            let Some(rest) = rest.strip_prefix(b"] ") else { return false };
            let word_end = rest.iter().position(|&b| b == b':' || b == b' ').unwrap_or(rest.len());
            rest.get(word_end) == Some(&b':') && memchr::memchr(b'.', &rest[..word_end]).is_some()
        }
        // `E, [2024-01-21T15:28:03.123456 #4242] ERROR -- : …`
        Format::Rails => rest.starts_with(b" #") && contains(rest, b" -- "),
        // `E0517 15:04:22.619632 1952452992 file.cc:253] …`
        Format::Glog => rest.starts_with(b" ") && contains(rest, b"] "),
        // `17/06/09 20:10:40 INFO …`, Hadoop's `081109 203615 148 INFO …` (thread id first)
        Format::Log4jShort => {
            let rest = rest.trim_ascii_start();
            let thread_digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            starts_with_level(&rest[thread_digits..])
        }
        // `… INFO 4242 --- [main] c.s.App : …`, `… INFO [main] c.s.App - …`, `… [main] INFO …`
        Format::Logback => {
            let level_then_thread = starts_with_level(rest) && rest.iter().take(48).any(|&b| b == b'[');
            let thread_then_level = rest.trim_ascii_start().starts_with(b"[") && LEVELS.iter().any(|level| contains(rest, level));
            level_then_thread || thread_then_level
        }
        // `… ERROR [checkout] name: …`, `… - name - ERROR - …`, `… ERROR:name:…`
        Format::Python => starts_with_level(rest) || rest.starts_with(b" - "),
        _ => false,
    }
}

pub(super) fn stamp_at(format: Format, line: &[u8]) -> Option<&[u8]> {
    match format {
        Format::Laravel => line.strip_prefix(b"["),
        Format::Rails => (line.get(1..4) == Some(b", [")).then(|| &line[4..]),
        _ => Some(line),
    }
}

pub(super) fn parse_stamp(format: Format, at: &[u8]) -> Option<RawStamp> {
    match format {
        Format::Glog => time::parse_glog(at),
        Format::Log4jShort => time::parse_log4j_short(at),
        _ => time::parse_iso(at),
    }
}
