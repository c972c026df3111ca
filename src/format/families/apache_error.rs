//! Apache's error log: `[Www Mon DD HH:MM:SS[.usec] YYYY] [module:level] [pid …] …` in 2.4,
//! `[…] [level] …` in 2.2 and 1.3.

use crate::format::{Family, SourceKind};
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
}
