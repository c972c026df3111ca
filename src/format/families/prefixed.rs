//! Lines whose timestamp sits a few bytes in, after a level word (`ERROR    2025-…`), a tag
//! (`[notice] 2024-…`, `(N) 2024-…`), a process (`26571:M 27 Dec 2018 …`, Redis), a
//! client address (`65.2.129.7 2023-03-12 …`), a container (`miniflux  | time=2024-…`,
//! `docker compose`) or a key (`time="2022-10-09T21:33:15Z" level=info`, logfmt): read
//! for their times, levels and messages, as lnav reads a date wherever it starts.

use crate::format::levels::generic_head;
use crate::format::{Family, Head, SourceKind};
use crate::time::{self, RawStamp};

pub struct Prefixed;

/// How far into a line a timestamp may start. Enough for a container name padded to
/// its column, a level and a pid; a date further in is part of the message.
pub const STAMP_SEARCH: usize = 48;

/// Where the first timestamp within [`STAMP_SEARCH`] bytes starts: at a word's start (a
/// digit after a letter or digit is inside a word or number, never a date's start).
fn stamp_start(line: &[u8]) -> Option<usize> {
    let limit = line.len().min(STAMP_SEARCH);
    (0..limit).find(|&i| {
        let starts_word = i == 0 || !line[i - 1].is_ascii_alphanumeric();
        starts_word && matches!(line[i], b'0'..=b'9' | b'[' | b'A'..=b'Z' | b'a'..=b'z') && time::parse_any(&line[i..]).is_some()
    })
}

impl Family for Prefixed {
    const NAME: &'static str = "prefixed";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "unknown format with a timestamp a few bytes into each line";
    const FALLBACK: bool = true;

    /// Only a stamp that is not at the line's start: a file whose lines begin with one
    /// is the `timestamped` family's (or a better one's).
    fn looks_like(line: &[u8]) -> bool {
        stamp_start(line).is_some_and(|i| i > 0)
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        stamp_start(line).map(|i| &line[i..])
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_any(at)
    }

    /// The level may come before the stamp (`ERROR    2025-07-16T19:42:45 - …`) or after
    /// it (`time=… level=warning msg=…`).
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let after = generic_head(line.get(stamp_end..)?);
        if after.level.is_some() {
            return Some(after);
        }
        // The level came first: the message is what follows the stamp and its separator.
        let skip = after
            .message
            .iter()
            .take_while(|b| matches!(b, b'-' | b'|' | b':' | b']' | b' '))
            .count();
        Some(Head {
            level: generic_head(&line[..stamp_end]).level,
            message: &after.message[skip..],
            detail: &[],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Level;

    #[test]
    fn a_stamp_is_found_after_what_precedes_it() {
        for (line, stamp) in [
            ("ERROR    2025-07-16T19:42:45 - Incorrect username", "2025-07-16T19:42:45"),
            ("[notice] 2024-01-20T13:54:06.579985Z nonode@nohost", "2024-01-20T13:54:06.579985Z"),
            ("(N) 2024-11-26T01:26:58 - WebAPI login success.", "2024-11-26T01:26:58"),
            ("26571:M 27 Dec 2018 11:19:18.874 * Synchronization", "27 Dec 2018 11:19:18.874"),
            ("[2932] 31 May 04:32:08 * Server started", "31 May 04:32:08"),
            (
                "65.2.129.7 2023-03-12 11:17:28.425 UTC [53962] FATAL:",
                "2023-03-12 11:17:28.425 UTC",
            ),
            ("miniflux  | time=2024-01-12T22:54:36.307Z level=WARN", "2024-01-12T22:54:36.307Z"),
            ("time=\"2022-10-09T21:33:15Z\" level=info msg=\"started\"", "2022-10-09T21:33:15Z"),
            ("WARN: [Jul  2 05:05:24.643] failed to validate", "[Jul  2 05:05:24.643"),
        ] {
            let at = Prefixed::stamp_at(line.as_bytes()).unwrap_or_else(|| panic!("no stamp in {line}"));
            let parsed = Prefixed::parse_stamp(at).unwrap();
            assert_eq!(&line[line.len() - at.len()..][..parsed.len], stamp, "{line}");
            assert!(Prefixed::looks_like(line.as_bytes()));
        }
    }

    #[test]
    fn decoys_have_no_stamp() {
        for line in [
            "INFO Server db-1 loaded response in 500ms",
            "11:29:42.550475 IP 1.2.3.4.43436 > 172.1.2.3.22: Flags [S]",
            "user42 2024 orders 15:00 done",
            "Exit (root): Disconnect received",
        ] {
            assert!(!Prefixed::looks_like(line.as_bytes()), "{line}");
        }
        // A date beyond the first bytes is part of the message.
        let late = format!("{} 2024-01-21 15:30:00", "x".repeat(STAMP_SEARCH));
        assert!(Prefixed::stamp_at(late.as_bytes()).is_none());
        // A line that starts with its stamp is read, but is not evidence of this family.
        assert!(!Prefixed::looks_like(b"2024-01-21 15:30:00 ERROR x"));
        assert!(Prefixed::stamp_at(b"2024-01-21 15:30:00 ERROR x").is_some());
    }

    #[test]
    fn the_level_is_read_before_or_after_the_stamp() {
        let line = b"ERROR    2025-07-16T19:42:45 - Incorrect username or password";
        let end = line.len() - Prefixed::stamp_at(line).unwrap().len() + 19;
        let head = Prefixed::head(line, end).unwrap();
        assert_eq!(head.level, Some(Level::Error));
        assert_eq!(head.message, b"Incorrect username or password");
        let line = b"time=\"2022-10-09T21:33:15Z\" level=warning msg=\"disk almost full\"";
        let end = line.len() - Prefixed::stamp_at(line).unwrap().len() + 20;
        assert_eq!(Prefixed::head(line, end).unwrap().level, Some(Level::Warning));
    }
}
