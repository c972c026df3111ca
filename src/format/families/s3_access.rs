//! Amazon S3 server access logs: `owner bucket [06/Feb/2019:00:00:38 +0000] remote_ip
//! requester request_id operation key "request_uri" status error_code bytes_sent
//! object_size total_time turn_around_time "referer" "user_agent" …`, the fields as the
//! S3 documentation lists them. A bucket that serves a shop's images and downloads is
//! part of what its users see: each line is a request, with the client's address, the
//! status and the total time in milliseconds.

use super::access_log::AccessLog;
use crate::format::request::{given, quoted_field, split_request, three_digits, whole_ms, Request, RequestDetails};
use crate::format::{skip_fields, Family, Head, SourceKind};
use crate::time::{self, RawStamp};
use memchr::memchr;

pub struct S3Access;

fn s3_request(line: &[u8]) -> Option<Request<'_>> {
    // The owner and bucket hold no spaces; the time is the third field.
    let time_field = skip_fields(line, 2)?;
    if !time_field.starts_with(b"[") {
        return None;
    }
    let open = line.len() - time_field.len();
    let close = open + memchr(b']', &line[open..])?;
    let after = line.get(close + 2..)?;
    let client = &after[..memchr(b' ', after)?];
    // remote_ip requester request_id operation key, then the request line.
    let rest = skip_fields(after, 5)?;
    let (request, rest) = match rest.strip_prefix(b"\"") {
        Some(quoted) => {
            let end = memchr(b'"', quoted)?;
            (&quoted[..end], quoted.get(end + 2..)?)
        }
        None => (&b""[..], skip_fields(rest, 1)?),
    };
    let status = three_digits(rest, 0)?;
    // error_code bytes_sent object_size, then the total time in whole milliseconds.
    let total = skip_fields(rest, 4)?;
    let total = &total[..memchr(b' ', total).unwrap_or(total.len())];
    let (method, path) = split_request(request);
    let mut request = Request::borrowed(client, (method, path), status, whole_ms(total), &line[open + 1..]);
    request.details_at = u32::try_from(line.len() - rest.len()).unwrap_or(u32::MAX);
    Some(request)
}

/// The referrer and the user agent, the first two quoted fields after the status,
/// and the host the request named (`host_header`, the sixth field after it).
fn s3_details(rest: &[u8]) -> RequestDetails<'_> {
    let Some((referrer, rest)) = quoted_field(rest) else {
        return RequestDetails::default();
    };
    let Some((user_agent, rest)) = quoted_field(rest) else {
        return RequestDetails::default();
    };
    // version_id host_id signature_version cipher_suite authentication_type host_header
    let host = rest.split(|&b| b == b' ').filter(|f| !f.is_empty()).nth(5).and_then(given);
    RequestDetails {
        user_agent: given(user_agent),
        upstream: None,
        host,
        referrer: given(referrer),
        upstream_status: None,
        request_bytes: None,
    }
}

impl Family for S3Access {
    const NAME: &'static str = "s3_access";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "Amazon S3 server access log";

    fn details(line: &[u8], at: usize) -> RequestDetails<'_> {
        line.get(at..).map_or_else(RequestDetails::default, s3_details)
    }

    fn looks_like(line: &[u8]) -> bool {
        s3_request(line).is_some_and(|r| r.stamp_at.and_then(time::parse_clf).is_some())
    }

    /// In brackets, as in a combined access log.
    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        AccessLog::stamp_at(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        AccessLog::parse_stamp(at)
    }

    #[inline]
    fn request(line: &[u8]) -> Option<Request<'_>> {
        s3_request(line)
    }

    /// Access lines are counted into the traffic series, not read for their words.
    fn head(_line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_get_and_a_bucket_operation() {
        let owner = "5b7f0c2e9d1a4c3b8e6f7a9d0c1b2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";
        let line = format!("{owner} shop-media [08/Mar/2024:14:02:11 +0000] 198.51.100.23 - 3E57427F3EXAMPLE REST.GET.OBJECT img/p/1042.jpg \"GET /img/p/1042.jpg HTTP/1.1\" 503 SlowDown 377 48213 12 - \"https://shop.example.org/p/1042\" \"Mozilla/5.0\" - Ys0qQ3wT= SigV4 ECDHE-RSA-AES128-GCM-SHA256 - shop-media.s3.eu-west-1.amazonaws.com TLSv1.2 - -");
        assert_eq!(
            crate::format::details_of::<S3Access>(line.as_bytes()),
            [
                Some("Mozilla/5.0".into()),
                None,
                Some("shop-media.s3.eu-west-1.amazonaws.com".into())
            ]
        );
        let r = s3_request(line.as_bytes()).unwrap();
        assert_eq!(
            (&r.client[..], &r.method[..], &r.path[..], r.status, r.duration_ms),
            (&b"198.51.100.23"[..], &b"GET"[..], &b"/img/p/1042.jpg"[..], 503, Some(12.0))
        );
        assert!(S3Access::looks_like(line.as_bytes()));
        // An operation of the service itself: no request line, no total time.
        let line = format!("{owner} shop-media [08/Mar/2024:14:02:11 +0000] 10.0.0.1 svc:logging.s3.amazonaws.com 9F2C S3.TRANSITION.OBJECT img/p/7.jpg - 200 - - 5021 - - \"-\" \"-\" -");
        let r = s3_request(line.as_bytes()).unwrap();
        assert_eq!((r.status, &r.path[..], r.duration_ms), (200, &b""[..], None));
    }

    #[test]
    fn decoys() {
        // A combined access line: its time is the fourth field and a request follows it.
        assert!(!S3Access::looks_like(
            b"10.0.0.7 - - [08/Mar/2024:14:02:11 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\""
        ));
        assert!(!S3Access::looks_like(b"app web1 [08/Mar/2024:14:02:11 +0000] started"));
    }
}
