//! Ruby's Logger, as Rails writes it: `E, [2024-01-21T15:28:03.123456 #4242] ERROR -- : …`.

use crate::format::{contains, Family, Head, Level, SourceKind};

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

    /// `E, [stamp #pid] ERROR -- progname: message`: the level is the first letter.
    fn head(line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        let level = Level::of_letter(*line.first()?);
        let message = match crate::format::find_short(line, b" -- ") {
            Some(at) => {
                let after = &line[at + 4..];
                memchr::memchr(b':', after)
                    .map_or(after, |colon| &after[colon + 1..])
                    .trim_ascii_start()
            }
            None => line,
        };
        Some(Head {
            level,
            message: without_tags(message),
            detail: &[],
        })
    }
}

/// A message without the tags Rails' tagged logging puts before it (`config.log_tags`:
/// `[9f3b…] ` for the request id, `[10.1.2.3] ` for the client): they say which request,
/// as a line's time says when, and vary with every one.
fn without_tags(mut message: &[u8]) -> &[u8] {
    // At most a few tags: a message that itself starts with brackets keeps the rest.
    for _ in 0..MAX_TAGS {
        let Some(rest) = message.strip_prefix(b"[") else { break };
        let Some(close) = memchr::memchr(b']', rest) else { break };
        if rest[..close].contains(&b' ') || rest.get(close + 1) != Some(&b' ') {
            break;
        }
        message = &rest[close + 2..];
    }
    message
}

/// Tags taken off a message, at most.
const MAX_TAGS: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_logging_tags_are_no_part_of_the_message() {
        let line =
            b"F, [2025-03-04T12:00:01.223456 #4242] FATAL -- : [0a1b2c3d-5c1e-4d2a-9f3b-00000000000a] [10.1.2.3] Ledger::Error (gone):";
        assert_eq!(Rails::head(line, 0).unwrap().message, b"Ledger::Error (gone):");
        // A bracket that is the message's own, or a tag with blanks, stays.
        let line = b"E, [2025-03-04T12:00:01.223456 #4242] ERROR -- : [retry 3] gave up";
        assert_eq!(Rails::head(line, 0).unwrap().message, b"[retry 3] gave up");
    }
}
