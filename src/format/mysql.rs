//! MySQL and MariaDB: the error log (5.0/5.1 `YYMMDD H:MM:SS`, 5.7/8.0 ISO with
//! `[MY-…]`, InnoDB's own lines and monitor output), the slow query log (multi-line
//! entries whose time is `# Time:` or `SET timestamp=`), and the general query log.

use super::{skip_fields, Format};
use crate::time::{self, RawStamp};

pub(super) fn looks_like(format: Format, line: &[u8]) -> bool {
    match format {
        Format::MysqlError => {
            if line.starts_with(b"InnoDB: ") || line.starts_with(b"LATEST DETECTED DEADLOCK") {
                return true;
            }
            if time::parse_mysql_short(line).is_some() {
                return true;
            }
            // ISO stamp, then ` <thread id> [<Level>]`.
            let Some(stamp) = time::parse_iso(line) else { return false };
            let rest = &line[stamp.len..];
            let digits = rest.iter().skip(1).take_while(|b| b.is_ascii_digit()).count();
            rest.first() == Some(&b' ') && digits > 0 && rest[1 + digits..].starts_with(b" [")
        }
        Format::MysqlSlow => [&b"# Time: "[..], b"# User@Host: ", b"# Query_time: ", b"SET timestamp="]
            .iter()
            .any(|p| line.starts_with(p)),
        Format::MysqlGeneral => general_command(line).is_some(),
        _ => false,
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

pub(super) fn stamp_at(format: Format, line: &[u8]) -> Option<&[u8]> {
    match format {
        Format::MysqlSlow => line.strip_prefix(b"# Time: ").or_else(|| line.strip_prefix(b"SET timestamp=")),
        _ => line.first().is_some_and(u8::is_ascii_digit).then_some(line),
    }
}

pub(super) fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
    time::parse_iso(at)
        .or_else(|| time::parse_mysql_short(at))
        .or_else(|| time::parse_epoch(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_log_shapes() {
        assert!(looks_like(
            Format::MysqlError,
            b"2020-08-06T14:25:02.835618Z 0 [Note] [MY-012487] [InnoDB] DDL log recovery : begin"
        ));
        assert!(looks_like(
            Format::MysqlError,
            b"2024-01-21 15:28:03 0 [Note] InnoDB: Buffer pool(s) load completed"
        ));
        assert!(looks_like(
            Format::MysqlError,
            b"080721  3:04:00 [Warning] option 'log_slow_rate_limit'"
        ));
        assert!(!looks_like(Format::MysqlError, b"2024-01-21 15:28:03,120 ERROR [main] x"));
    }

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

    #[test]
    fn slow_log_times() {
        assert!(parse_stamp(stamp_at(Format::MysqlSlow, b"# Time: 131128  1:05:31").unwrap()).is_some());
        assert!(parse_stamp(stamp_at(Format::MysqlSlow, b"SET timestamp=1197996507;").unwrap()).is_some());
        assert!(stamp_at(Format::MysqlSlow, b"# Query_time: 1.0").is_none());
    }
}
