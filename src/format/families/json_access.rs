//! JSON access lines: the common field names of nginx `escape=json` formats, Caddy,
//! Traefik and load balancers, with a status and the request's fields.

use crate::format::json;
use crate::format::request::{split_request, Request};
use crate::format::{Family, SourceKind};
use crate::time::RawStamp;

pub struct JsonAccess;

impl Family for JsonAccess {
    const NAME: &'static str = "json_access";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "JSON access log lines (status and request fields)";

    fn looks_like(line: &[u8]) -> bool {
        json::looks_like(line) && json_request(line).is_some()
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        json::stamp_at(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        json::parse_stamp(at)
    }

    #[inline]
    fn request(line: &[u8]) -> Option<Request<'_>> {
        json_request(line)
    }
}

/// The request of a JSON access line.
fn json_request(line: &[u8]) -> Option<Request<'_>> {
    let members = json::Members::of(line);
    let status = json::number_field(&members, &[b"status", b"status_code", b"response_code", b"DownstreamStatus"])?;
    if !(100.0..600.0).contains(&status) {
        return None;
    }
    let client = json::string_field(&members, &[b"remote_addr", b"client_ip", b"remote_ip", b"client", b"ClientHost"]).unwrap_or(b"");
    let (method, path) = match json::string_field(&members, &[b"request"]) {
        Some(request) => split_request(request),
        None => (
            json::string_field(&members, &[b"method", b"request_method", b"RequestMethod"]).unwrap_or(b""),
            json::string_field(&members, &[b"uri", b"path", b"request_uri", b"RequestPath"]).unwrap_or(b""),
        ),
    };
    let duration_ms = json::number_field(&members, &[b"request_time", b"duration"]).map(|secs| secs * 1000.0);
    Some(Request {
        client,
        method,
        path,
        status: status as u16,
        duration_ms,
        stamp_at: None,
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
            (r.client, r.method, r.path, r.status),
            (&b"10.0.0.1"[..], &b"POST"[..], &b"/pay"[..], 502)
        );
        assert_eq!(r.duration_ms, Some(750.0));
    }
}
