//! JSON access lines: the common field names of nginx `escape=json` formats, Caddy,
//! Traefik and load balancers, with a status and the request's fields.

use super::json_lines::JsonLines;
use crate::format::json::{Key, Record};
use crate::format::request::{split_request, Request};
use crate::format::{Family, Head, SourceKind};
use crate::time::RawStamp;
use std::borrow::Cow;

pub struct JsonAccess;

impl Family for JsonAccess {
    const NAME: &'static str = "json_access";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "JSON access log lines (status and request fields)";

    fn looks_like(line: &[u8]) -> bool {
        JsonLines::looks_like(line) && json_request(line).is_some()
    }

    /// As any JSON line (the scan takes it from the request when it has one).
    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        JsonLines::stamp_at(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        JsonLines::parse_stamp(at)
    }

    #[inline]
    fn request(line: &[u8]) -> Option<Request<'_>> {
        json_request(line)
    }

    /// Access lines are counted into the traffic series, not read for their words.
    fn head(_line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        None
    }
}

/// The request of a JSON access line, and where its time is, from one reading of it.
fn json_request(line: &[u8]) -> Option<Request<'_>> {
    let record = Record::of(line);
    let status = record.number(&[Key::Status, Key::StatusCode, Key::ResponseCode, Key::DownstreamStatus])?;
    if !(100.0..600.0).contains(&status) {
        return None;
    }
    let client = record
        .string(&[Key::RemoteAddr, Key::ClientIp, Key::RemoteIp, Key::Client, Key::ClientHost])
        .unwrap_or(Cow::Borrowed(b""));
    let (method, path) = match record.string(&[Key::Request]) {
        Some(Cow::Borrowed(request)) => {
            let (method, path) = split_request(request);
            (Cow::Borrowed(method), Cow::Borrowed(path))
        }
        Some(Cow::Owned(request)) => {
            let (method, path) = split_request(&request);
            (Cow::Owned(method.to_vec()), Cow::Owned(path.to_vec()))
        }
        None => (
            record
                .string(&[Key::Method, Key::RequestMethod, Key::RequestMethodPascal])
                .unwrap_or(Cow::Borrowed(b"")),
            record
                .string(&[Key::Uri, Key::Path, Key::RequestUri, Key::RequestPath])
                .unwrap_or(Cow::Borrowed(b"")),
        ),
    };
    let duration_ms = match record.number(&[Key::RequestTime, Key::Duration]) {
        Some(seconds) => Some(seconds * 1000.0),
        None => record.number(&[Key::DurationNs]).map(|nanos| nanos / 1_000_000.0),
    };
    Some(Request {
        client,
        method,
        path,
        status: status as u16,
        duration_ms,
        stamp_at: record.stamp_at(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_access_line() {
        let line = br#"{"time":"2024-01-21T15:30:00Z","remote_addr":"10.0.0.1","request":"POST /pay HTTP/2.0","status":"502","request_time":0.75}"#;
        let r = json_request(line).unwrap();
        assert_eq!(
            (&r.client[..], &r.method[..], &r.path[..], r.status),
            (&b"10.0.0.1"[..], &b"POST"[..], &b"/pay"[..], 502)
        );
        // Read once: the request knows where the time is.
        assert_eq!(r.stamp_at, JsonAccess::stamp_at(line));
        assert_eq!(r.duration_ms, Some(750.0));
    }

    #[test]
    fn traefik_and_caddy_lines() {
        // Traefik: flat PascalCase keys, the duration in nanoseconds, the time last.
        let line = br#"{"ClientAddr":"198.51.100.23:51122","ClientHost":"198.51.100.23","DownstreamStatus":502,"Duration":30001234567,"RequestMethod":"POST","RequestPath":"/checkout","RouterName":"shop@docker","level":"info","msg":"","time":"2024-03-08T14:02:11Z"}"#;
        let r = json_request(line).unwrap();
        assert_eq!(
            (&r.client[..], &r.path[..], r.status),
            (&b"198.51.100.23"[..], &b"/checkout"[..], 502)
        );
        assert_eq!(r.duration_ms.map(f64::round), Some(30_001.0));
        // Caddy: the request's fields nested, the duration in seconds.
        let line = br#"{"level":"error","ts":1709906531.0934,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"198.51.100.23","proto":"HTTP/2.0","method":"GET","host":"shop.example.org","uri":"/cart","headers":{"User-Agent":["Mozilla/5.0"]}},"bytes_read":0,"duration":2.5,"size":0,"status":503}"#;
        let r = json_request(line).unwrap();
        assert_eq!(
            (&r.client[..], &r.method[..], &r.path[..], r.status, r.duration_ms),
            (&b"198.51.100.23"[..], &b"GET"[..], &b"/cart"[..], 503, Some(2500.0))
        );
    }
}
