//! PostgreSQL logging through syslog: a syslog file where postgres wrote at least half of
//! the lines is a database log in syslog clothes. Its lines are read as syslog's.

use super::syslog::Syslog;
use crate::format::{contains, Family, Format, SourceKind};
use crate::time::RawStamp;

pub struct PostgresSyslog;

impl Family for PostgresSyslog {
    const NAME: &'static str = "postgres_syslog";
    const KIND: SourceKind = SourceKind::Db;
    const ABOUT: &'static str = "PostgreSQL logging through syslog";
    const REFINES: Option<Format> = Some(Format::Syslog);

    fn looks_like(line: &[u8]) -> bool {
        Syslog::looks_like(line) && (contains(line, b" postgres[") || contains(line, b" postgresql["))
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        Syslog::stamp_at(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        Syslog::parse_stamp(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_lines_in_syslog() {
        assert!(PostgresSyslog::looks_like(
            b"Feb 11 13:15:39 test-pc postgres[10808]: [1-1] db=,user= LOG:  listening"
        ));
        assert!(!PostgresSyslog::looks_like(
            b"Feb 11 13:15:41 test-pc systemd[1]: Started PostgreSQL RDBMS."
        ));
    }
}
