//! uWSGI's request log: `[pid: …|app: …|req: …] client () {…} [ctime] METHOD path =>
//! generated N bytes in T msecs (HTTP/1.1 STATUS) …`.

use crate::format::request::{three_digits, Request};
use crate::format::{contains, Family, Head, SourceKind};
use crate::time::{self, RawStamp};
use memchr::memchr;
use std::borrow::Cow;

pub struct Uwsgi;

impl Family for Uwsgi {
    const NAME: &'static str = "uwsgi";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "uWSGI request log";

    fn looks_like(line: &[u8]) -> bool {
        line.starts_with(b"[pid: ") && contains(line, b" => generated ")
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        // `[pid: 1|app: 0|req: 1/1] 127.0.0.1 () {38 vars in 696 bytes} [Sun Mar 13 ...]`
        let brace = crate::format::find_short(line, b"} [")?;
        Some(&line[brace + 3..])
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_ctime(at)
    }

    #[inline]
    fn request(line: &[u8]) -> Option<Request<'_>> {
        uwsgi_request(line)
    }

    /// Access lines are counted into the traffic series, not read for their words.
    fn head(_line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        None
    }
}

/// `[pid: 1|app: 0|req: 1/1] 127.0.0.1 () {..} [date] POST /x => generated 47 bytes in 129 msecs (HTTP/1.1 200) …`
fn uwsgi_request(line: &[u8]) -> Option<Request<'_>> {
    let client_start = crate::format::find_short(line, b"] ")? + 2;
    let client = &line[client_start..client_start + memchr(b' ', &line[client_start..])?];
    let date_start = crate::format::find_short(line, b"} [")? + 3;
    let request_start = date_start + memchr(b']', &line[date_start..])? + 2;
    let arrow = request_start + crate::format::find_short(line.get(request_start..)?, b" => ")?;
    // uWSGI prints `METHOD path` without the protocol.
    let request = &line[request_start..arrow];
    let (method, path) = match memchr(b' ', request) {
        Some(space) => (&request[..space], &request[space + 1..]),
        None => (request, &b""[..]),
    };
    let amount_start = arrow + crate::format::find_short(&line[arrow..], b" bytes in ")? + 10;
    let amount_end = amount_start + memchr(b' ', &line[amount_start..])?;
    let amount: f64 = std::str::from_utf8(&line[amount_start..amount_end]).ok()?.parse().ok()?;
    let duration_ms = if line[amount_end..].starts_with(b" micros") {
        amount / 1000.0
    } else {
        amount
    };
    let protocol = amount_end + crate::format::find_short(&line[amount_end..], b"(HTTP/")?;
    let space = protocol + memchr(b' ', &line[protocol..])?;
    let status = three_digits(line, space + 1)?;
    Some(Request {
        client: Cow::Borrowed(client),
        method: Cow::Borrowed(method),
        path: Cow::Borrowed(path),
        status,
        duration_ms: Some(duration_ms),
        stamp_at: None,
        reason: None,
        details_at: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uwsgi_line() {
        let line = b"[pid: 88185|app: 0|req: 3/3] 127.0.0.1 () {34 vars in 617 bytes} [Sun Mar 13 22:49:15 2016] POST /endpoint2 => generated 215 bytes in 68 micros (HTTP/1.1 200) 9 headers in 373 bytes (1 switches on core 0)";
        let r = uwsgi_request(line).unwrap();
        assert_eq!(
            (&r.client[..], &r.method[..], &r.path[..], r.status),
            (&b"127.0.0.1"[..], &b"POST"[..], &b"/endpoint2"[..], 200)
        );
        assert_eq!(r.duration_ms, Some(0.068));
    }
}
