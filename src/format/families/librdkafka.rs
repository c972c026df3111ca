//! librdkafka's own log lines, as its default logger prints them on stderr
//! (`rd_kafka_log_print`: `"%%%i|%u.%03u|%s|%s| %s\n"`, the level a syslog severity, the
//! time in epoch seconds and milliseconds, the facility and the client's name):
//! `%3|1678255403.686|FAIL|rdkafka#producer-1| [thrd:…]: … Connect to ipv4#10.64.22.31:9092 failed: Connection timed out`.
//! Every program that links librdkafka (Kafka clients in Go, Python, C#, PHP, Node) prints
//! them beside its own lines.

use crate::format::{Family, Head, Level, SourceKind};
use crate::time::{self, RawStamp};

pub struct Librdkafka;

/// The severity digit and where the time starts: `%N|`.
fn severity(line: &[u8]) -> Option<u8> {
    match line {
        [b'%', digit @ b'0'..=b'7', b'|', ..] => Some(digit - b'0'),
        _ => None,
    }
}

impl Family for Librdkafka {
    const NAME: &'static str = "librdkafka";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "librdkafka's log lines (%LEVEL|EPOCH.MS|FACILITY|CLIENT| message)";

    fn looks_like(line: &[u8]) -> bool {
        severity(line).is_some()
            && Self::stamp_at(line)
                .and_then(Self::parse_stamp)
                .is_some_and(|s| line.get(3 + s.len) == Some(&b'|'))
            && line.iter().filter(|&&b| b == b'|').count() >= 4
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        severity(line)?;
        line.get(3..)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_epoch(at)
    }

    /// The level is the severity in front; the message follows the facility and the
    /// client's name (`FAIL|rdkafka#producer-1| …`) and the thread librdkafka names in
    /// front of most (`[thrd:…]: `).
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let level = Level::of_syslog(severity(line)?);
        let rest = line.get(stamp_end..)?.strip_prefix(b"|")?;
        let facility_end = memchr::memchr(b'|', rest)?;
        let after_name = memchr::memchr(b'|', &rest[facility_end + 1..]).map_or(rest.len(), |i| facility_end + 1 + i + 1);
        let message = rest[after_name..].trim_ascii_start();
        let message = match message.strip_prefix(b"[thrd:") {
            Some(thread) => memchr::memmem::find(thread, b"]: ").map_or(message, |end| &thread[end + 3..]),
            None => message,
        };
        Some(Head {
            level: Some(level),
            message: if message.is_empty() { &rest[..facility_end] } else { message },
            detail: &[],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAIL: &[u8] = b"%3|1678255403.686|FAIL|rdkafka#producer-1| [thrd:10.64.22.31:9092/bootstrap]: 10.64.22.31:9092/bootstrap: Connect to ipv4#10.64.22.31:9092 failed: Connection timed out (after 30005ms in state CONNECT)";

    #[test]
    fn a_line_is_timed_by_its_epoch_and_levelled_by_its_severity() {
        assert!(Librdkafka::looks_like(FAIL));
        let at = Librdkafka::stamp_at(FAIL).unwrap();
        let stamp = Librdkafka::parse_stamp(at).unwrap();
        assert_eq!(&at[..stamp.len], b"1678255403.686");
        let head = Librdkafka::head(FAIL, 3 + stamp.len).unwrap();
        assert_eq!(head.level, Some(Level::Error));
        assert!(
            head.message.starts_with(b"10.64.22.31:9092/bootstrap: Connect to"),
            "{}",
            String::from_utf8_lossy(head.message)
        );
    }

    #[test]
    fn decoys_are_not_its_lines() {
        for line in [
            &b"%3 of the disk used"[..],
            b"%9|1678255403.686|FAIL|x| y",
            b"50%|1678255403.686|x",
            b"%4|not a time|FAIL|x| y",
        ] {
            assert!(!Librdkafka::looks_like(line), "{}", String::from_utf8_lossy(line));
        }
    }
}
