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

    /// The statement of the entry a `# Query_time:` line belongs to: the first line
    /// after it that is not `SET timestamp=…;` or `use db;`, before the next `#` header.
    fn entry_rest(following: &[u8]) -> Option<&[u8]> {
        crate::format::lines(following)
            .take(ENTRY_LINES)
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
            .take_while(|line| !line.starts_with(b"#"))
            .find(|line| {
                !line.is_empty() && !line.starts_with(b"SET timestamp=") && !line.get(..4).is_some_and(|w| w.eq_ignore_ascii_case(b"use "))
            })
    }
}

/// Lines looked at for an entry's statement: `SET timestamp`, `use` and a few more.
const ENTRY_LINES: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_log_times() {
        assert!(MysqlSlow::parse_stamp(MysqlSlow::stamp_at(b"# Time: 131128  1:05:31").unwrap()).is_some());
        assert!(MysqlSlow::parse_stamp(MysqlSlow::stamp_at(b"SET timestamp=1197996507;").unwrap()).is_some());
        assert!(MysqlSlow::stamp_at(b"# Query_time: 1.0").is_none());
    }

    #[test]
    fn an_entry_ends_with_its_statement() {
        let after = b"use shop;\nSET timestamp=1710424780;\nSELECT * FROM products WHERE title LIKE '%lamp%';\n# Time: 240314 13:59:52\n";
        assert_eq!(
            MysqlSlow::entry_rest(after),
            Some(&b"SELECT * FROM products WHERE title LIKE '%lamp%';"[..])
        );
        // The next entry's header comes first: this entry's statement is not there.
        assert_eq!(MysqlSlow::entry_rest(b"# Time: 240314 13:59:52\nSELECT 1;\n"), None);
        assert_eq!(MysqlSlow::entry_rest(b""), None);
    }
}
