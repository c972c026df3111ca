//! PostgreSQL's stderr log with the usual `log_line_prefix` shapes: `%m [%p] `,
//! `%t [%p]: [%l-1] user=…`, RDS-style `%t:%r:%u@%d:[%p]:`.

use crate::format::{contains, Family, Head, Level, SourceKind};
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

    /// After the prefix, `LOG:  `, `ERROR:  `, `FATAL:  `, `PANIC:  `, `WARNING:  `; the
    /// `DETAIL`, `HINT`, `CONTEXT` and `STATEMENT` lines belong to the record above.
    fn head(line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        // The first tag in the line: a later one is in the message.
        let (at, tag) = LEVELS
            .iter()
            .filter_map(|tag| memchr::memmem::find(line, tag).map(|at| (at, *tag)))
            .min_by_key(|(at, _)| *at)?;
        let word = &tag[..tag.len() - 3];
        let level = match word {
            b"LOG" => Level::Info,
            b"DETAIL" | b"HINT" | b"CONTEXT" | b"STATEMENT" => return None,
            other => Level::of_word(other)?,
        };
        // `log_statement` prints `statement: ` before the statement itself.
        let message = &line[at + tag.len()..];
        Some(Head {
            level: Some(level),
            message: message.strip_prefix(b"statement: ").unwrap_or(message),
            detail: &[],
        })
    }
}
