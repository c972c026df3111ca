//! The MySQL slow query log: multi-line entries whose time is `# Time:` or, in each
//! entry, `SET timestamp=`.

use super::mysql_error::mysql_stamp;
use crate::format::{Family, SourceKind};
use crate::time::RawStamp;

pub struct MysqlSlow;

impl Family for MysqlSlow {
    const NAME: &'static str = "mysql_slow";
    const KIND: SourceKind = SourceKind::Db;
    const ABOUT: &'static str = "MySQL slow query log (multi-line entries)";

    fn looks_like(line: &[u8]) -> bool {
        [&b"# Time: "[..], b"# User@Host: ", b"# Query_time: ", b"SET timestamp="]
            .iter()
            .any(|p| line.starts_with(p))
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        line.strip_prefix(b"# Time: ").or_else(|| line.strip_prefix(b"SET timestamp="))
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        mysql_stamp(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_log_times() {
        assert!(MysqlSlow::parse_stamp(MysqlSlow::stamp_at(b"# Time: 131128  1:05:31").unwrap()).is_some());
        assert!(MysqlSlow::parse_stamp(MysqlSlow::stamp_at(b"SET timestamp=1197996507;").unwrap()).is_some());
        assert!(MysqlSlow::stamp_at(b"# Query_time: 1.0").is_none());
    }
}
