//! Ruby's Logger, as Rails writes it: `E, [2024-01-21T15:28:03.123456 #4242] ERROR -- : …`.

use crate::format::{contains, Family, SourceKind};

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
}
