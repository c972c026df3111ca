//! Apache's error log: `[Www Mon DD HH:MM:SS[.usec] YYYY] [module:level] [pid …] …` in 2.4,
//! `[…] [level] …` in 2.2 and 1.3.

use crate::format::{Family, Head, Level, SourceKind};
use crate::time::{self, RawStamp};

pub struct ApacheError;

impl Family for ApacheError {
    const NAME: &'static str = "apache_error";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "Apache error log (2.4, 2.2, 1.3)";

    fn looks_like(line: &[u8]) -> bool {
        let Some(stamp) = line.strip_prefix(b"[").and_then(time::parse_ctime) else {
            return false;
        };
        line[1 + stamp.len..].starts_with(b"] [")
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        line.strip_prefix(b"[")
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_ctime(at).or_else(|| time::parse_iso(at))
    }

    /// `[module:level] [pid N:tid M] [client ip:port] AH00000: message` (2.4) or
    /// `[level] message` (2.2, 1.3).
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        // The stamp was read after the opening `[`.
        let mut rest = line.get(stamp_end + 1..)?.trim_ascii_start();
        let mut level = None;
        while let Some(inner) = rest.strip_prefix(b"[") {
            let close = memchr::memchr(b']', inner)?;
            let field = &inner[..close];
            if level.is_none() {
                let word = field.rsplit(|b| *b == b':').next().unwrap_or(field);
                level = Level::of_word(word);
            }
            rest = inner[close + 1..].trim_ascii_start();
        }
        Some(Head {
            level,
            message: rest,
            detail: &[],
        })
    }
}
