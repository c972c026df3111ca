//! nginx and Apache access logs: common, combined, and combined with extra trailing fields
//! (`$request_time` last, or `rt=` / `request_time=` anywhere after the status). These are
//! the bulk of an archive, and every line is counted into the traffic series, so the
//! parsing here is byte-level: the head of the line is marked in one pass
//! ([`ByteMarks`]) and its fields found by bit scans.

use crate::format::bytemarks::ByteMarks;
use crate::format::request::{given, quoted_field, split_request_at, three_digits, trailing_duration, Request, RequestDetails};
use crate::format::{Family, Head, SourceKind};
use crate::time::{self, RawStamp};
use memchr::memchr;

pub struct AccessLog;

impl Family for AccessLog {
    const NAME: &'static str = "access_log";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "nginx/Apache access log: common, combined, or combined with extra fields";

    fn looks_like(line: &[u8]) -> bool {
        Self::stamp_at(line).and_then(time::parse_clf).is_some() && clf_request(line).is_some()
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        let open = memchr(b'[', line)?;
        Some(&line[open + 1..])
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_clf(at)
    }

    #[inline]
    fn request(line: &[u8]) -> Option<Request<'_>> {
        clf_request(line)
    }

    fn details(line: &[u8], at: usize) -> RequestDetails<'_> {
        line.get(at..).map_or_else(RequestDetails::default, clf_details)
    }

    /// Access lines are counted into the traffic series, not read for their words.
    fn head(_line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        None
    }
}

/// `client ident user [time] "METHOD path PROTO" status bytes ["referer" "agent" extra…]`;
/// its details are the fields after the status.
fn clf_request(line: &[u8]) -> Option<Request<'_>> {
    // The client, ident, user, time and method are most often in the line's head.
    let delimiters = ByteMarks::of(line, DELIMITERS);
    // The request opens after `[time] "`; the time itself holds no `]`.
    let open = delimiters.find(OPEN, 0)?;
    // Most lines start with their client: three fields, then the time.
    let first_space = delimiters.find(SPACE, 0)?;
    let third_space = delimiters.find(SPACE, first_space + 1).and_then(|s| delimiters.find(SPACE, s + 1));
    let client = match third_space {
        Some(space) if space + 1 == open => &line[..first_space],
        _ => client_before(&line[..open]).unwrap_or(&line[..first_space]),
    };
    let close = delimiters.find(CLOSE, open)?;
    if line.get(close + 1..close + 3) != Some(b" \"") {
        return None;
    }
    let quote = close + 3;
    // The request ends at the quote followed by ` NNN ` (a status); quotes inside the
    // request are escaped by the server, but be tolerant of ones that are not.
    let mut search = quote;
    let (request, status, after_status) = loop {
        let end = delimiters.find(QUOTE, search)?;
        if line.get(end + 1) == Some(&b' ') {
            if let Some(status) = three_digits(line, end + 2) {
                if matches!(line.get(end + 5), None | Some(b' ')) {
                    break (&line[quote..end], status, end + 5);
                }
            }
        }
        search = end + 1;
    };
    let method_end = delimiters
        .find(SPACE, quote)
        .map(|space| space - quote)
        .filter(|&end| end < request.len());
    let duration_ms = trailing_duration(&line[after_status..]);
    let mut request = Request::borrowed(
        client,
        split_request_at(request, method_end),
        status,
        duration_ms,
        &line[open + 1..],
    );
    request.details_at = u32::try_from(after_status).unwrap_or(u32::MAX);
    Some(request)
}

/// What follows a CLF line's status: `bytes "referer" "user agent"` in the combined
/// format, and in ingress-nginx's (`… $request_length $request_time
/// [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr …`) the
/// upstream the request went to: the pod.
fn clf_details(rest: &[u8]) -> RequestDetails<'_> {
    let mut details = RequestDetails::default();
    let Some((referrer, rest)) = quoted_field(rest) else {
        return details;
    };
    details.referrer = given(referrer);
    let Some((user_agent, rest)) = quoted_field(rest) else {
        return details;
    };
    details.user_agent = given(user_agent);
    let mut tokens = rest.split(|&b| b == b' ').filter(|t| !t.is_empty());
    let (_length, _time) = (tokens.next(), tokens.next());
    let bracketed = |t: Option<&[u8]>| t.is_some_and(|t| t.starts_with(b"[") && t.ends_with(b"]"));
    if bracketed(tokens.next()) && bracketed(tokens.next()) {
        // Several addresses when it retried (`10.0.0.1:80, 10.0.0.2:80`): the first.
        details.upstream = tokens.next().map(|t| t.strip_suffix(b",").unwrap_or(t)).and_then(given);
    }
    details
}

/// The client: the third field before the time (`client ident user [`), so that a line
/// behind a prefix (Apache's `vhost:port`, a container runtime's `TIME stdout F`) names
/// its client, not the prefix. `None` when fewer fields stand there.
fn client_before(head: &[u8]) -> Option<&[u8]> {
    let head = head.strip_suffix(b" ")?;
    let user = head.iter().rposition(|&b| b == b' ')?;
    let ident = head[..user].iter().rposition(|&b| b == b' ')?;
    let start = head[..ident].iter().rposition(|&b| b == b' ').map_or(0, |i| i + 1);
    let client = &head[start..ident];
    (!client.is_empty()).then_some(client)
}

/// The bytes that delimit a CLF line's fields, and their indexes there.
const DELIMITERS: [u8; 4] = [b' ', b'[', b']', b'"'];
const SPACE: usize = 0;
const OPEN: usize = 1;
const CLOSE: usize = 2;
const QUOTE: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_with_request_time() {
        let line = b"10.0.0.7 - bob [21/Jan/2024:15:30:00 -0500] \"GET /checkout?x=\\\"y\\\" HTTP/1.1\" 503 12 \"-\" \"Mozilla/5.0\" 0.250";
        let r = clf_request(line).unwrap();
        assert_eq!(&r.client[..], b"10.0.0.7");
        assert_eq!(&r.method[..], b"GET");
        assert_eq!(&r.path[..], b"/checkout?x=\\\"y\\\"");
        assert_eq!(r.status, 503);
        assert_eq!(r.duration_ms, Some(250.0));
        assert_eq!(r.stamp_at, AccessLog::stamp_at(line));
    }

    #[test]
    fn common_log_and_empty_request() {
        let r = clf_request(b"10.112.81.15 - - [15/Feb/2013:06:00:31 +0000] \"-\" 400 0 \"-\" \"-\"").unwrap();
        assert_eq!((r.status, &r.path[..]), (400, &b""[..]));
        let r = clf_request(b"1.2.3.4 - - [15/Feb/2013:06:00:31 +0000] \"GET / HTTP/1.0\" 200 5").unwrap();
        assert_eq!((r.status, r.duration_ms), (200, None));
    }

    #[test]
    fn the_client_is_read_behind_a_prefix() {
        let client = |line: &str| clf_request(line.as_bytes()).map(|r| String::from_utf8(r.client.into_owned()).unwrap());
        let tail = "[21/Jan/2024:20:30:01 +0000] \"GET /cart HTTP/1.1\" 502 150 \"-\" \"curl/8.0\"";
        assert_eq!(client(&format!("10.0.0.7 - - {tail}")).as_deref(), Some("10.0.0.7"));
        assert_eq!(client(&format!("10.0.0.7 - alice {tail}")).as_deref(), Some("10.0.0.7"));
        // Apache's vhost_combined, and a line a container runtime (CRI) wrapped.
        assert_eq!(
            client(&format!("shop.example:443 10.0.0.7 - - {tail}")).as_deref(),
            Some("10.0.0.7")
        );
        assert_eq!(
            client(&format!("2024-01-21T20:30:01.123456789Z stdout F 10.0.0.7 - - {tail}")).as_deref(),
            Some("10.0.0.7")
        );
    }

    #[test]
    fn request_time_followed_by_other_fields() {
        let line = |tail: &str| {
            format!("1.2.3.4 - - [15/Feb/2013:06:00:31 +0000] \"GET / HTTP/1.0\" 502 5 \"-\" \"Mozilla/5.0 (X11; rv:121.0) Firefox/121.0\"{tail}")
        };
        let time = |tail: &str| clf_request(line(tail).as_bytes()).unwrap().duration_ms;
        // nginx `$request_time $upstream_response_time $pipe`.
        assert_eq!(time(" 0.123 0.120 ."), Some(123.0));
        assert_eq!(time(" 1.500 - p"), Some(1500.0));
        // Traefik's CLF: request count, router and server quoted, then the duration.
        assert_eq!(time(" 500 \"shop@docker\" \"http://172.17.0.3:80\" 12ms"), Some(12.0));
        // Decoys: no field after the user agent, a plain integer (Apache's %D, bytes).
        assert_eq!(time(""), None);
        assert_eq!(time(" 2301"), None);
        assert_eq!(time(" - -"), None);
        // No number too large to be a duration becomes one (400 nines would be `inf`).
        assert_eq!(time(&format!(" 500 \"r\" \"s\" {}ms", "9".repeat(400))), None);
    }

    #[test]
    fn keyed_request_time() {
        let r = clf_request(b"1.2.3.4 - - [15/Feb/2013:06:00:31 +0000] \"GET / HTTP/1.0\" 200 5 \"-\" \"-\" rt=1.5 uct=\"0.001\"").unwrap();
        assert_eq!(r.duration_ms, Some(1500.0));
    }

    #[test]
    fn details_of_combined_and_ingress_nginx_lines() {
        let combined = b"203.0.113.9 - - [04/Mar/2025:10:00:01 +0000] \"GET / HTTP/1.1\" 200 612 \"https://shop.example/\" \"Mozilla/5.0 (compatible; \\\"quoted\\\" bot)\" 0.004";
        assert_eq!(
            crate::format::details_of::<AccessLog>(combined),
            [Some("Mozilla/5.0 (compatible; \\\"quoted\\\" bot)".into()), None, None]
        );
        let at = AccessLog::request(combined).unwrap().details_at as usize;
        let referrer = AccessLog::details(combined, at).referrer;
        assert_eq!(referrer.as_deref(), Some(&b"https://shop.example/"[..]));
        assert_eq!(crate::format::url_host(&referrer.unwrap()), Some(&b"shop.example"[..]));
        // ingress-nginx's `log-format-upstream`; a retried request names two upstreams.
        let ingress = b"192.168.1.10 - - [04/Mar/2025:10:00:01 +0000] \"GET /api/cart HTTP/1.1\" 502 150 \"-\" \"okhttp/4.9.2\" 389 0.004 [shop-cart-8080] [] 10.244.1.17:8080, 10.244.2.31:8080 0, 150 0.001, 0.003 502, 502 7f3c9a";
        assert_eq!(
            crate::format::details_of::<AccessLog>(ingress),
            [Some("okhttp/4.9.2".into()), Some("10.244.1.17:8080".into()), None]
        );
        // Common log format has neither; a line cut inside its user agent gives none.
        assert_eq!(
            crate::format::details_of::<AccessLog>(b"1.2.3.4 - - [15/Feb/2013:06:00:31 +0000] \"GET / HTTP/1.0\" 200 5"),
            [None, None, None]
        );
        assert_eq!(
            crate::format::details_of::<AccessLog>(&combined[..combined.len() - 20]),
            [None, None, None]
        );
    }
}
