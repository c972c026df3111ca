//! No format recognised: the file is read (its lines counted) but nothing in it can be
//! placed in time.

use crate::format::{Family, SourceKind};
use crate::time::RawStamp;

pub struct Unknown;

impl Family for Unknown {
    const NAME: &'static str = "unknown";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "no format recognised";

    fn looks_like(_line: &[u8]) -> bool {
        false
    }

    fn stamp_at(_line: &[u8]) -> Option<&[u8]> {
        None
    }

    fn parse_stamp(_at: &[u8]) -> Option<RawStamp> {
        None
    }
}
