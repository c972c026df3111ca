//! Any other file whose lines begin with a timestamp this tool knows: read for its times
//! alone.

use crate::format::{Family, SourceKind};
use crate::time::{self, RawStamp};

pub struct Timestamped;

impl Family for Timestamped {
    const NAME: &'static str = "timestamped";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "unknown format whose lines begin with a timestamp";

    fn looks_like(line: &[u8]) -> bool {
        time::parse_any(line).is_some()
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_any(at)
    }
}
