//! pgbouncer: `YYYY-MM-DD HH:MM:SS.mmm ZONE [pid] LEVEL …` (1.21) and the older
//! `… pid LEVEL …`.

use crate::format::{Family, Head, Level, SourceKind};
use crate::time::{self};

const LEVELS: [&[u8]; 6] = [b"LOG ", b"WARNING ", b"ERROR ", b"FATAL ", b"NOISE ", b"DEBUG "];

pub struct Pgbouncer;

impl Family for Pgbouncer {
    const NAME: &'static str = "pgbouncer";
    const KIND: SourceKind = SourceKind::Db;
    const ABOUT: &'static str = "pgbouncer log";

    fn looks_like(line: &[u8]) -> bool {
        let Some(stamp) = time::parse_iso(line) else { return false };
        let rest = &line[stamp.len..];
        let Some(rest) = rest.strip_prefix(b" ") else { return false };
        let pid = rest.strip_prefix(b"[").unwrap_or(rest);
        let digits = pid.iter().take_while(|b| b.is_ascii_digit()).count();
        let after = &pid[digits..];
        let after = after.strip_prefix(b"] ").or_else(|| after.strip_prefix(b" "));
        digits > 0 && after.is_some_and(|a| LEVELS.iter().any(|level| a.starts_with(level)))
    }

    /// `[pid] LEVEL message`, LOG being pgbouncer's info.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let rest = line.get(stamp_end..)?.trim_ascii_start();
        let rest = rest.strip_prefix(b"[").unwrap_or(rest);
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = rest[digits..].strip_prefix(b"]").unwrap_or(&rest[digits..]).trim_ascii_start();
        let end = rest.iter().position(|b| *b == b' ').unwrap_or(rest.len());
        let level = match &rest[..end] {
            b"LOG" => Some(Level::Info),
            b"NOISE" => Some(Level::Debug),
            word => Level::of_word(word),
        };
        Some(Head {
            level,
            message: rest.get(end + 1..).unwrap_or_default(),
            detail: &[],
        })
    }
}
