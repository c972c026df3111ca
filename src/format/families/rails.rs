//! Ruby's Logger, as Rails writes it: `E, [2024-01-21T15:28:03.123456 #4242] ERROR -- : …`.

use crate::format::{contains, Family, Head, Level, SourceKind};

pub struct Rails;

impl Family for Rails {
    const NAME: &'static str = "rails";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "Ruby/Rails Logger (L, [ISO #pid] LEVEL -- :)";

    fn looks_like(line: &[u8]) -> bool {
        let Some(at) = Self::stamp_at(line) else { return false };
        let Some(stamp) = Self::parse_stamp(at) else { return false };
        let rest = &at[stamp.len..];
        rest.starts_with(b" #") && contains(rest, b" -- ")
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        (line.get(1..4) == Some(b", [")).then(|| &line[4..])
    }

    /// `E, [stamp #pid] ERROR -- progname: message`: the level is the first letter.
    fn head(line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        let level = Level::of_letter(*line.first()?);
        let message = match memchr::memmem::find(line, b" -- ") {
            Some(at) => {
                let after = &line[at + 4..];
                memchr::memchr(b':', after)
                    .map_or(after, |colon| &after[colon + 1..])
                    .trim_ascii_start()
            }
            None => line,
        };
        Some(Head {
            level,
            message,
            detail: &[],
        })
    }
}
