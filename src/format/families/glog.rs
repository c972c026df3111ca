//! glog: `Lmmdd HH:MM:SS.uuuuuu threadid file:line] message`, L one of I, W, E, F; no year.

use crate::format::{contains, Family, SourceKind};
use crate::time::{self, RawStamp};

pub struct Glog;

impl Family for Glog {
    const NAME: &'static str = "glog";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "glog (Lmmdd HH:MM:SS.uuuuuu)";

    fn looks_like(line: &[u8]) -> bool {
        let Some(stamp) = Self::parse_stamp(line) else { return false };
        let rest = &line[stamp.len..];
        rest.starts_with(b" ") && contains(rest, b"] ")
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_glog(at)
    }
}
