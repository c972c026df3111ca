//! loghub's alert-tagged syslog archives: `TAG EPOCH YYYY.MM.DD node Mon DD HH:MM:SS …`,
//! timed by the epoch field.

use crate::format::{skip_fields, Family, SourceKind};
use crate::time::{self, RawStamp};

pub struct TaggedSyslog;

impl Family for TaggedSyslog {
    const NAME: &'static str = "tagged_syslog";
    const KIND: SourceKind = SourceKind::System;
    const ABOUT: &'static str = "syslog lines behind an alert tag and epoch (loghub style)";

    fn looks_like(line: &[u8]) -> bool {
        tagged_epoch(line).and_then(time::parse_epoch).is_some()
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        tagged_epoch(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_epoch(at)
    }
}

/// The epoch field of a tagged line: `TAG EPOCH YYYY.MM.DD …`.
fn tagged_epoch(line: &[u8]) -> Option<&[u8]> {
    let epoch = skip_fields(line, 1)?;
    let date = skip_fields(epoch, 1)?;
    let dotted = date.get(4) == Some(&b'.') && date.get(7) == Some(&b'.') && date[..4].iter().all(u8::is_ascii_digit);
    dotted.then_some(epoch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_lines() {
        assert!(TaggedSyslog::looks_like(
            b"- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: (root) CMD (x)"
        ));
    }
}
