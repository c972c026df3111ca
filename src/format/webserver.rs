//! Web server error logs: nginx (`YYYY/MM/DD HH:MM:SS [level] pid#tid: …`) and Apache
//! (`[Www Mon DD HH:MM:SS[.usec] YYYY] [module:level] [pid …] …` in 2.4, `[…] [level] …`
//! in 2.2 and 1.3).

use super::Format;
use crate::time;

pub(super) fn looks_like(format: Format, line: &[u8]) -> bool {
    match format {
        Format::NginxError => {
            let Some(stamp) = time::parse_iso(line) else { return false };
            line.get(4) == Some(&b'/') && line[stamp.len..].starts_with(b" [") && memchr::memchr(b'#', line).is_some()
        }
        Format::ApacheError => {
            let Some(stamp) = line.strip_prefix(b"[").and_then(time::parse_ctime) else {
                return false;
            };
            line[1 + stamp.len..].starts_with(b"] [")
        }
        _ => false,
    }
}

pub(super) fn stamp_at(format: Format, line: &[u8]) -> Option<&[u8]> {
    match format {
        Format::ApacheError => line.strip_prefix(b"["),
        _ => Some(line),
    }
}
