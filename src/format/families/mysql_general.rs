//! The MySQL general query log: `<stamp>\t   <id> <Command>\t<argument>`, the stamp left
//! out when it equals the line above's.

use super::mysql_error::MysqlError;
use crate::format::{skip_fields, Family, Head, SourceKind};
use crate::time::{self, RawStamp};

pub struct MysqlGeneral;

impl Family for MysqlGeneral {
    const NAME: &'static str = "mysql_general";
    const KIND: SourceKind = SourceKind::Db;
    const ABOUT: &'static str = "MySQL general query log";

    fn looks_like(line: &[u8]) -> bool {
        general_command(line).is_some()
    }

    /// As the error log: the stamp starts the line, or is left out.
    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        MysqlError::stamp_at(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        MysqlError::parse_stamp(at)
    }

    /// The command's argument (`SELECT …`, the user of a `Connect`): what the client sent.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let rest = line.get(stamp_end..)?;
        let tab = memchr::memchr(b'\t', rest.trim_ascii_start()).map(|t| t + (rest.len() - rest.trim_ascii_start().len()));
        let message = match tab {
            Some(tab) => &rest[tab + 1..],
            None => rest.trim_ascii_start(),
        };
        Some(Head {
            level: None,
            message,
            detail: &[],
        })
    }
}

/// The command word of a general-log line: `<stamp>\t   <id> <Command>\t…`, or the same
/// with the stamp left out (`\t\t   <id> Query\t…`) when it equals the line above's.
fn general_command(line: &[u8]) -> Option<&[u8]> {
    let tab = memchr::memchr(b'\t', line)?;
    let head = &line[..tab];
    let stamped = time::parse_iso(head)
        .or_else(|| time::parse_mysql_short(head))
        .is_some_and(|s| s.len == head.len());
    if !stamped && !head.is_empty() {
        return None;
    }
    let rest = line[tab..].trim_ascii_start();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&b' ') {
        return None;
    }
    let command = skip_fields(rest, 1)?;
    let end = command.iter().position(|&b| b == b'\t').unwrap_or(command.len());
    let command = &command[..end];
    (!command.is_empty() && command.iter().all(|b| b.is_ascii_alphabetic() || *b == b' ')).then_some(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_log() {
        assert_eq!(
            general_command(b"2025-08-15T14:03:50.259438Z\t    9 Query\tset global log_output = 'FILE'"),
            Some(&b"Query"[..])
        );
        assert_eq!(general_command(b"\t\t    2 Init DB\tshop"), Some(&b"Init DB"[..]));
        assert_eq!(
            general_command(b"071015 21:43:52\t    1 Connect\troot@localhost on"),
            Some(&b"Connect"[..])
        );
        assert_eq!(general_command(b"hello\tworld"), None);
    }
}
