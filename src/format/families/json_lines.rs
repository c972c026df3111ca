//! JSON lines with a time field (`@timestamp`, `timestamp`, `time`, `ts`, journald's
//! `__REALTIME_TIMESTAMP` …), or a container wrapper whose `log` or `message` text begins
//! with a timestamp.

use crate::format::json::{self, Record};
use crate::format::{Family, Head, SourceKind};
use crate::time::RawStamp;

pub struct JsonLines;

impl Family for JsonLines {
    const NAME: &'static str = "json";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "JSON lines with a time field";

    fn looks_like(line: &[u8]) -> bool {
        json::looks_like(line)
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        json::stamp_at(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        json::parse_stamp(at)
    }

    /// The `level` and `msg` fields of JSON loggers (zap, logrus, slog, pino, bunyan,
    /// Monolog, journald), or a container's wrapped line.
    fn head(line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        Record::of(line).head()
    }
}
