//! syslog: RFC 3164 (`Mon DD HH:MM:SS host prog[pid]: msg`, with or without a year),
//! RFC 5424 (`<PRI>1 ISO host app procid msgid …`), rsyslog's ISO-stamped lines, loghub's
//! alert-tagged archives (`- 1131566461 2005.11.09 node Mon DD HH:MM:SS …`), and
//! PostgreSQL logging through syslog, which is a database log in syslog clothes.

use super::{contains, skip_fields, Format};
use crate::time::{self, RawStamp};

pub(super) fn looks_like(format: Format, line: &[u8]) -> bool {
    match format {
        Format::Syslog => {
            let Some(stamp) = stamp_at(format, line).and_then(|at| parse_stamp(format, at)) else {
                return false;
            };
            // RFC 5424 is unmistakable; the other shapes must show `host program:`.
            line.starts_with(b"<") || has_program(line, stamp.len)
        }
        Format::TaggedSyslog => tagged_epoch(line).and_then(time::parse_epoch).is_some(),
        Format::PostgresSyslog => looks_like(Format::Syslog, line) && (contains(line, b" postgres[") || contains(line, b" postgresql[")),
        _ => false,
    }
}

/// After a timestamp: ` host prog[pid]:` or ` host prog:`; proves the line is syslog and
/// not some other format that starts with a date.
fn has_program(line: &[u8], stamp_len: usize) -> bool {
    let start = stamp_at(Format::Syslog, line).map_or(0, |at| line.len() - at.len());
    let Some(rest) = line.get(start + stamp_len..).and_then(|r| r.strip_prefix(b" ")) else {
        return false;
    };
    let Some(after_host) = skip_fields(rest, 1) else { return false };
    let word_end = after_host.iter().position(|&b| b == b' ').unwrap_or(after_host.len());
    let word = &after_host[..word_end];
    word.len() > 1 && word.ends_with(b":") && word[0].is_ascii_alphanumeric()
}

/// The epoch field of a tagged line: `TAG EPOCH YYYY.MM.DD …`.
fn tagged_epoch(line: &[u8]) -> Option<&[u8]> {
    let epoch = skip_fields(line, 1)?;
    let date = skip_fields(epoch, 1)?;
    let dotted = date.get(4) == Some(&b'.') && date.get(7) == Some(&b'.') && date[..4].iter().all(u8::is_ascii_digit);
    dotted.then_some(epoch)
}

pub(super) fn stamp_at(format: Format, line: &[u8]) -> Option<&[u8]> {
    if format == Format::TaggedSyslog {
        return tagged_epoch(line);
    }
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

pub(super) fn parse_stamp(format: Format, at: &[u8]) -> Option<RawStamp> {
    match format {
        Format::TaggedSyslog => time::parse_epoch(at),
        // rsyslog's high-precision stamps are RFC 3339: a `T` and an offset, which is
        // what tells them from application logs that also start with a date.
        _ => match at.first()? {
            b'0'..=b'9' => time::parse_iso(at).filter(|s| at.get(10) == Some(&b'T') && s.zone != time::StampZone::Naive),
            _ => time::parse_syslog(at),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(looks_like(
            Format::Syslog,
            b"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure;"
        ));
        assert!(looks_like(Format::Syslog, b"Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6"));
        assert!(looks_like(
            Format::Syslog,
            b"2024-01-21T15:30:01.123456+00:00 web1 CRON[42]: (root) CMD (x)"
        ));
        assert!(looks_like(
            Format::Syslog,
            b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - msg"
        ));
        assert!(!looks_like(Format::Syslog, b"2024-01-21 15:30:01,123 INFO app: started"));
        assert!(looks_like(
            Format::TaggedSyslog,
            b"- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: (root) CMD (x)"
        ));
        assert!(looks_like(
            Format::PostgresSyslog,
            b"Feb 11 13:15:39 test-pc postgres[10808]: [1-1] db=,user= LOG:  listening"
        ));
    }
}
