//! Laravel (Monolog's line formatter): `[YYYY-MM-DD HH:MM:SS] env.LEVEL: message`.

use crate::format::{Family, Head, Level, SourceKind};

pub struct Laravel;

impl Family for Laravel {
    const NAME: &'static str = "laravel";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "Laravel log ([YYYY-MM-DD HH:MM:SS] env.LEVEL:)";

    fn looks_like(line: &[u8]) -> bool {
        let Some(at) = Self::stamp_at(line) else { return false };
        let Some(stamp) = Self::parse_stamp(at) else { return false };
        let Some(rest) = at[stamp.len..].strip_prefix(b"] ") else {
            return false;
        };
        let word_end = rest.iter().position(|&b| b == b':' || b == b' ').unwrap_or(rest.len());
        rest.get(word_end) == Some(&b':') && memchr::memchr(b'.', &rest[..word_end]).is_some()
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        line.strip_prefix(b"[")
    }

    /// `] env.LEVEL: message` (Monolog's line format).
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let rest = line.get(stamp_end..)?.strip_prefix(b"] ")?;
        let colon = memchr::memchr(b':', rest)?;
        let word = rest[..colon].rsplit(|b| *b == b'.').next().unwrap_or_default();
        Some(Head {
            level: Level::of_word(word),
            message: rest[colon + 1..].trim_ascii_start(),
            detail: &[],
        })
    }
}
