//! nginx's error log: `YYYY/MM/DD HH:MM:SS [level] pid#tid: *cid message`.

use crate::format::{Family, SourceKind};
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
}
