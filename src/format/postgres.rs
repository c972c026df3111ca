//! PostgreSQL's stderr log with the usual `log_line_prefix` shapes (`%m [%p] `,
//! `%t [%p]: [%l-1] user=…`, RDS-style `%t:%r:%u@%d:[%p]:`), and pgbouncer. PostgreSQL
//! through syslog is recognised here by its program name and read by the syslog module.

use super::{contains, syslog, Format};
use crate::time;

/// Severity tags PostgreSQL prints, always followed by two spaces.
const PG_LEVELS: [&[u8]; 10] = [
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
const BOUNCER_LEVELS: [&[u8]; 6] = [b"LOG ", b"WARNING ", b"ERROR ", b"FATAL ", b"NOISE ", b"DEBUG "];

pub(super) fn looks_like(format: Format, line: &[u8]) -> bool {
    match format {
        Format::Postgres => time::parse_iso(line).is_some() && PG_LEVELS.iter().any(|level| contains(line, level)),
        Format::Pgbouncer => {
            let Some(stamp) = time::parse_iso(line) else { return false };
            let rest = &line[stamp.len..];
            let Some(rest) = rest.strip_prefix(b" ") else { return false };
            let pid = rest.strip_prefix(b"[").unwrap_or(rest);
            let digits = pid.iter().take_while(|b| b.is_ascii_digit()).count();
            let after = &pid[digits..];
            let after = after.strip_prefix(b"] ").or_else(|| after.strip_prefix(b" "));
            digits > 0 && after.is_some_and(|a| BOUNCER_LEVELS.iter().any(|level| a.starts_with(level)))
        }
        Format::PostgresSyslog => syslog::looks_like(format, line),
        _ => false,
    }
}
