//! nginx's error log: `YYYY/MM/DD HH:MM:SS [level] pid#tid: *cid message`.

use crate::format::{Family, Head, Level, SourceKind};
use crate::time::{self};

pub struct NginxError;

impl Family for NginxError {
    const NAME: &'static str = "nginx_error";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "nginx error log";

    fn looks_like(line: &[u8]) -> bool {
        let Some(stamp) = time::parse_iso(line) else { return false };
        line.get(4) == Some(&b'/') && line[stamp.len..].starts_with(b" [") && memchr::memchr(b'#', line).is_some()
    }

    /// `[level] pid#tid: *cid message`.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let rest = line.get(stamp_end..)?.trim_ascii_start().strip_prefix(b"[")?;
        let close = memchr::memchr(b']', rest)?;
        let level = Level::of_word(&rest[..close]);
        let after = &rest[close + 1..];
        // `pid#tid: ` and the connection's `*cid `.
        let message = match memchr::memmem::find(after, b": ") {
            Some(colon) if memchr::memchr(b'#', &after[..colon]).is_some() => &after[colon + 2..],
            _ => after,
        };
        let message = match message.strip_prefix(b"*") {
            Some(cid) => cid.iter().position(|b| *b == b' ').map_or(message, |space| &cid[space + 1..]),
            None => message,
        };
        Some(Head {
            level,
            message,
            detail: &[],
        })
    }
}
