//! log4j with short dates: Spark's `17/06/09 20:10:40 INFO …` and Hadoop's
//! `081109 203615 148 INFO …` (a thread id before the level).

use crate::format::levels::starts_with_level;
use crate::format::{Family, SourceKind};
use crate::time::{self, RawStamp};

pub struct Log4jShort;

impl Family for Log4jShort {
    const NAME: &'static str = "log4j_short";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "log4j/Hadoop with short dates (YY/MM/DD or YYMMDD HHMMSS)";

    fn looks_like(line: &[u8]) -> bool {
        let Some(stamp) = Self::parse_stamp(line) else { return false };
        let rest = line[stamp.len..].trim_ascii_start();
        let thread_digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        starts_with_level(&rest[thread_digits..])
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_log4j_short(at)
    }
}
