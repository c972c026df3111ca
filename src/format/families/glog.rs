//! glog: `Lmmdd HH:MM:SS.uuuuuu threadid file:line] message`, L one of I, W, E, F; no year.

use crate::format::{contains, Family, Head, Level, SourceKind};
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

    /// `Lmmdd … file:line] message`: the level is the first letter.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let level = Level::of_letter(*line.first()?);
        let rest = line.get(stamp_end..)?;
        let message = memchr::memmem::find(rest, b"] ").map_or(rest, |at| &rest[at + 2..]);
        Some(Head {
            level,
            message,
            detail: &[],
        })
    }
}
