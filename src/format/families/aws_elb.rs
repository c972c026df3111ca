//! AWS Elastic Load Balancing access logs, as the load balancers write them to S3:
//!
//! - Application Load Balancer: `type time elb client:port target:port
//!   request_processing_time target_processing_time response_processing_time
//!   elb_status_code target_status_code received_bytes sent_bytes "request" "user_agent" …`
//!   (`type` is `http`, `https`, `h2`, `grpcs`, `ws` or `wss`);
//! - Classic Load Balancer: the same from `time` on, without `type`.
//!
//! The time is when the load balancer answered, in UTC. The status is the load
//! balancer's (what the client got: a 502 or 504 the balancer made up for a target that
//! failed it counts), the request time the sum of the three processing times (each `-1`
//! when the request never reached a target or the target never answered: then unknown),
//! and the path the request line's URL without its scheme and host.

use crate::format::request::{given, quoted_field, seconds_to_ms, split_request, url_host, Request, RequestDetails};
use crate::format::{skip_fields, Family, Head, SourceKind};
use crate::time;
use memchr::memchr;
use std::borrow::Cow;

pub struct AwsElb;

/// The first field of an Application Load Balancer line: the kind of request.
const ALB_TYPES: [&[u8]; 6] = [b"http", b"https", b"h2", b"grpcs", b"ws", b"wss"];

/// Where the time starts: the line's start for a Classic Load Balancer, after the type
/// for an Application Load Balancer.
fn time_field(line: &[u8]) -> Option<&[u8]> {
    if line.first().is_some_and(u8::is_ascii_digit) {
        return Some(line);
    }
    let space = memchr(b' ', line)?;
    ALB_TYPES.contains(&&line[..space]).then(|| &line[space + 1..])
}

/// Whether the fields after the time are a load balancer's: two `address:port` (or
/// `-`), three timers, two statuses (or `-`), two byte counts, then the quoted request.
fn has_elb_fields(at: &[u8]) -> bool {
    let mut fields = at.split(|&b| b == b' ').skip(2);
    let mut next = |check: fn(&[u8]) -> bool| fields.next().is_some_and(check);
    let address = |f: &[u8]| f == b"-" || f.contains(&b':');
    let timer = |f: &[u8]| !f.is_empty() && f.iter().all(|&b| b.is_ascii_digit() || b == b'.' || b == b'-');
    let status = |f: &[u8]| f == b"-" || (f.len() == 3 && f.iter().all(u8::is_ascii_digit));
    let count = |f: &[u8]| !f.is_empty() && f.iter().all(u8::is_ascii_digit);
    next(address)
        && next(address)
        && next(timer)
        && next(timer)
        && next(timer)
        && next(status)
        && next(status)
        && next(count)
        && next(count)
        && skip_fields(at, 11).is_some_and(|r| r.starts_with(b"\""))
}

fn elb_request(line: &[u8]) -> Option<Request<'_>> {
    let at = time_field(line)?;
    // time elb client:port target:port t1 t2 t3 elb_status target_status received sent
    let mut fields = at.split(|&b| b == b' ');
    let (_time, _elb, client_port, _target) = (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
    let timers = [fields.next()?, fields.next()?, fields.next()?];
    // An HTTP status (100–599): a cut or garbled line's three other digits are none.
    let status = Some(fields.next()?)
        .filter(|s| s.len() == 3)
        .and_then(|s| crate::format::request::three_digits(s, 0))?;
    let (_target_status, _received, _sent) = (fields.next()?, fields.next()?, fields.next()?);
    let rest = skip_fields(at, 11)?;
    let request = rest.strip_prefix(b"\"")?;
    let request = &request[..memchr(b'"', request)?];
    let (method, url) = split_request(request);
    let client = match memchr::memrchr(b':', client_port) {
        Some(colon) => &client_port[..colon],
        None => client_port,
    };
    // A timer of `-1` (no target, or none that answered) leaves the sum unknown.
    let duration_ms = timers.iter().map(|t| seconds_to_ms(t)).try_fold(0.0, |sum, t| t.map(|ms| sum + ms));
    let mut request = Request::borrowed(client, (method, url), status, duration_ms, at);
    request.details_at = u32::try_from(line.len() - at.len()).unwrap_or(u32::MAX);
    Some(request)
}

/// The target the request went to (its `ip:port`, `-` when none answered) and what it
/// answered (`-` where it did not), the user agent after the request, and the host the
/// request's URL names, from the line's time on.
fn elb_details(at: &[u8]) -> RequestDetails<'_> {
    let mut fields = at.split(|&b| b == b' ');
    let target = fields.nth(3).and_then(given);
    // The timers, the balancer's status, then the target's; then the bytes received.
    let target_status = fields.nth(4).filter(|s| !s.is_empty()).map(Cow::Borrowed);
    let request_bytes = fields.next().and_then(|b| std::str::from_utf8(b).ok()?.parse().ok());
    let (request, user_agent) = match quoted_field(at) {
        Some((request, rest)) => (Some(request), quoted_field(rest).and_then(|(agent, _)| given(agent))),
        None => (None, None),
    };
    let host = request
        .and_then(|r| r.split(|&b| b == b' ').nth(1))
        .and_then(url_host)
        .map(Cow::Borrowed);
    RequestDetails {
        user_agent,
        upstream: target,
        host,
        referrer: None,
        upstream_status: target_status,
        request_bytes,
    }
}

impl Family for AwsElb {
    const NAME: &'static str = "aws_elb";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "AWS Application or Classic Load Balancer access log";

    /// The time, ten fields, and the quoted request line: a TCP listener's lines (no
    /// status, `"- - - "` for a request) are the balancer's too.
    fn looks_like(line: &[u8]) -> bool {
        time_field(line).is_some_and(|at| time::parse_iso(at).is_some() && has_elb_fields(at))
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        time_field(line)
    }

    fn details(line: &[u8], at: usize) -> RequestDetails<'_> {
        line.get(at..).map_or_else(RequestDetails::default, elb_details)
    }

    #[inline]
    fn request(line: &[u8]) -> Option<Request<'_>> {
        elb_request(line)
    }

    /// Access lines are counted into the traffic series, not read for their words.
    fn head(_line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> Option<(String, String, String, u16, Option<f64>)> {
        let r = elb_request(line.as_bytes())?;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Some((text(&r.client), text(&r.method), text(&r.path), r.status, r.duration_ms))
    }

    #[test]
    fn application_load_balancer_line() {
        let line = "h2 2024-03-08T14:02:11.093412Z app/shop-prod/5f1c0a9e 198.51.100.23:51122 10.1.4.17:8080 0.001 2.514 0.000 504 - 812 240 \"POST https://shop.example.org:443/checkout/confirm?step=3 HTTP/2.0\" \"Mozilla/5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/shop/1a2b \"Root=1-65eb1a2b-0123456789abcdef01234567\" \"shop.example.org\" \"-\" 0 2024-03-08T14:02:08.578000Z \"forward\" \"-\" \"-\" \"10.1.4.17:8080\" \"-\" \"-\" \"-\"";
        assert_eq!(
            read(line),
            Some((
                "198.51.100.23".into(),
                "POST".into(),
                "/checkout/confirm?step=3".into(),
                504,
                Some(2515.0)
            ))
        );
        assert!(AwsElb::looks_like(line.as_bytes()));
        let stamp = AwsElb::parse_stamp(AwsElb::stamp_at(line.as_bytes()).unwrap()).unwrap();
        assert_eq!(stamp.zone, time::StampZone::Offset(0));
    }

    #[test]
    fn classic_load_balancer_line() {
        let line = "2024-03-08T14:02:11.093412Z shop-classic 198.51.100.23:51122 10.1.4.17:80 0.000073 0.001048 0.000057 200 200 0 29 \"GET http://shop.example.org:80/ HTTP/1.1\" \"curl/8.5.0\" - -";
        assert_eq!(
            read(line),
            Some(("198.51.100.23".into(), "GET".into(), "/".into(), 200, Some(1.178)))
        );
    }

    #[test]
    fn no_target_leaves_the_time_unknown() {
        // The balancer answered 503 itself: no target, its timers `-1`.
        let line = "https 2024-03-08T14:02:11.093412Z app/shop-prod/5f1c0a9e 198.51.100.23:51122 - -1 -1 -1 503 - 120 326 \"GET https://shop.example.org:443/cart HTTP/1.1\" \"Mozilla/5.0\" - - - \"Root=1-1\" \"-\" \"-\" 0 2024-03-08T14:02:11.093000Z \"forward\" \"-\" \"-\" \"-\" \"-\" \"-\" \"-\"";
        assert_eq!(read(line), Some(("198.51.100.23".into(), "GET".into(), "/cart".into(), 503, None)));
    }

    #[test]
    fn three_digits_that_are_no_http_status_make_no_request() {
        // A classic line garbled where its status is (the line fuzzer's find): no status
        // of 812 reaches the series.
        let line = "2024-03-08T14:02:11.093412Z shop-classic 198.51.100.23:51122 10.1.4.17:80 0.000073 0.001048 0.000057 812 200 0 29 \"GET http://shop.example.org:80/ HTTP/1.1\" \"curl/8.5.0\" - -";
        assert_eq!(read(line), None);
    }

    #[test]
    fn decoys() {
        // A TCP listener's line has no status; other logs that start with a word and a time.
        assert_eq!(read("2024-03-08T14:02:11.093412Z shop-classic 198.51.100.23:51122 10.1.4.17:80 0.000073 0.001048 0.000057 - - 57 502 \"- - - \" \"-\" - -"), None);
        assert_eq!(read("info 2024-03-08T14:02:11Z worker started"), None);
        assert!(!AwsElb::looks_like(b"2024-03-08T14:02:11Z INFO server listening on :8080"));
        // A PostgreSQL line whose eleventh field opens a quote.
        assert!(!AwsElb::looks_like(b"2024-06-27 00:00:07 CEST [58151]: [1-1] user=,db=,host=,app= LOG:  automatic analyze of table \"testdb.sales.tab_shop_stats\""));
        // The TCP listener's line is the balancer's, with no request in it.
        assert!(AwsElb::looks_like(b"2024-03-08T14:02:11.093412Z shop-classic 198.51.100.23:51122 10.1.4.17:80 0.000073 0.001048 0.000057 - - 57 502 \"- - - \" \"-\" - -"));
    }

    #[test]
    fn details_are_the_target_the_agent_and_the_url_host() {
        let line = "http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.46.0\" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99923122bbe354\" \"-\" \"-\" 0 2018-07-02T22:22:48.364000Z \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\"";
        assert_eq!(
            crate::format::details_of::<AwsElb>(line.as_bytes()),
            [
                Some("curl/7.46.0".into()),
                Some("10.0.0.1:80".into()),
                Some("www.example.com".into())
            ]
        );
        assert_eq!(crate::format::upstream_status_of::<AwsElb>(line.as_bytes()).as_deref(), Some("200"));
        let at = elb_request(line.as_bytes()).unwrap().details_at as usize;
        assert_eq!(AwsElb::details(line.as_bytes(), at).request_bytes, Some(34));
        // No target answered: `-`, no upstream, and `-` for its status.
        let none = line.replacen("10.0.0.1:80 0.000", "- -1", 1).replacen(" 200 200 ", " 502 - ", 1);
        assert_eq!(crate::format::details_of::<AwsElb>(none.as_bytes())[1], None);
        assert_eq!(crate::format::upstream_status_of::<AwsElb>(none.as_bytes()).as_deref(), Some("-"));
    }
}
