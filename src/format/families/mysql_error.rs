//! The MySQL and MariaDB error log: 5.0/5.1 `YYMMDD H:MM:SS`, 5.7/8.0 ISO stamps with a
//! thread id and `[MY-…]`, InnoDB's own lines and monitor output. Its stamp shapes are
//! shared by the slow and general query logs.

use crate::format::{generic_head, Family, Head, Level, SourceKind};
use crate::time::{self, RawStamp};

pub struct MysqlError;

impl Family for MysqlError {
    const NAME: &'static str = "mysql_error";
    const KIND: SourceKind = SourceKind::Db;
    const ABOUT: &'static str = "MySQL/MariaDB error log (5.x short dates and 5.7/8.0 ISO)";

    fn looks_like(line: &[u8]) -> bool {
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

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        line.first().is_some_and(u8::is_ascii_digit).then_some(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        mysql_stamp(at)
    }

    /// `stamp thread [Level] [MY-code] [Subsystem] message` (5.7, 8.0), `stamp [Level] message`
    /// (5.0, 5.1), InnoDB's own words otherwise.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let rest = line.get(stamp_end..)?.trim_ascii_start();
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let mut rest = rest[digits..].trim_ascii_start();
        let mut level = None;
        while let Some(inner) = rest.strip_prefix(b"[") {
            let close = memchr::memchr(b']', inner)?;
            level = level.or_else(|| Level::of_word(&inner[..close]));
            rest = inner[close + 1..].trim_ascii_start();
        }
        match level {
            Some(level) => Some(Head {
                level: Some(level),
                message: rest,
                detail: &[],
            }),
            None => Some(generic_head(rest)),
        }
    }
}

/// Any stamp MySQL prints: ISO (5.7+), `YYMMDD H:MM:SS` (5.0/5.1), epoch (`SET timestamp=`).
pub(super) fn mysql_stamp(at: &[u8]) -> Option<RawStamp> {
    time::parse_iso(at)
        .or_else(|| time::parse_mysql_short(at))
        .or_else(|| time::parse_epoch(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_log_shapes() {
        assert!(MysqlError::looks_like(
            b"2020-08-06T14:25:02.835618Z 0 [Note] [MY-012487] [InnoDB] DDL log recovery : begin"
        ));
        assert!(MysqlError::looks_like(
            b"2024-01-21 15:28:03 0 [Note] InnoDB: Buffer pool(s) load completed"
        ));
        assert!(MysqlError::looks_like(b"080721  3:04:00 [Warning] option 'log_slow_rate_limit'"));
        assert!(!MysqlError::looks_like(b"2024-01-21 15:28:03,120 ERROR [main] x"));
    }
}
