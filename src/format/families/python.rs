//! Python's logging module: `YYYY-MM-DD HH:MM:SS,mmm LEVEL …`, `… - name - LEVEL - …`.

use crate::format::levels::starts_with_level;
use crate::format::{Family, SourceKind};

pub struct Python;

impl Family for Python {
    const NAME: &'static str = "python";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "Python logging (YYYY-MM-DD HH:MM:SS,mmm)";

    fn looks_like(line: &[u8]) -> bool {
        let Some(stamp) = Self::parse_stamp(line) else { return false };
        let rest = &line[stamp.len..];
        starts_with_level(rest) || rest.starts_with(b" - ")
    }
}
