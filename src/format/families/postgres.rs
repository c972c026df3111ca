//! PostgreSQL's stderr log with the usual `log_line_prefix` shapes: `%m [%p] `,
//! `%t [%p]: [%l-1] user=…`, RDS-style `%t:%r:%u@%d:[%p]:`.

use crate::format::{contains, Family, SourceKind};
use crate::time::{self};

/// Severity tags PostgreSQL prints, always followed by two spaces.
const LEVELS: [&[u8]; 10] = [
    b"LOG:  ",
    b"ERROR:  ",
    b"FATAL:  ",
    b"PANIC:  ",
    b"WARNING:  ",
    b"STATEMENT:  ",
    b"DETAIL:  ",
    b"HINT:  ",
    b"CONTEXT:  ",
    b"NOTICE:  ",
];

pub struct Postgres;

impl Family for Postgres {
    const NAME: &'static str = "postgres";
    const KIND: SourceKind = SourceKind::Db;
    const ABOUT: &'static str = "PostgreSQL stderr log (common log_line_prefix shapes)";

    fn looks_like(line: &[u8]) -> bool {
        time::parse_iso(line).is_some() && LEVELS.iter().any(|level| contains(line, level))
    }
}
