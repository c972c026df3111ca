//! Envoy's default access log, and Istio's, which every sidecar and most Envoy gateways
//! print. Envoy's (`docs/root/configuration/observability/access_log/usage.rst`):
//!
//! ```text
//! [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
//! %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%
//! "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
//! ```
//!
//! Istio's adds `%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
//! "%UPSTREAM_TRANSPORT_FAILURE_REASON%"` after the flags, and the upstream cluster, the
//! local and remote addresses, the server name and the route after the upstream host.
//! The two are told apart by the field after the flags: Envoy's is a byte count, Istio's
//! a word (`via_upstream`, `no_healthy_upstream`, `-`).
//!
//! Each line is a request: its status, its duration (`%DURATION%`, milliseconds), its
//! client (the first address of `X-Forwarded-For`, else Istio's downstream peer), and the
//! response flags, which say why Envoy failed a request itself (`UH` no healthy upstream,
//! `UF` upstream connection failure, `UT` upstream timeout, `URX` retries exhausted, `NR`
//! no route): see [`flag_meaning`]. A response code of 0 (no response was sent: the
//! client went away) is no request answered, and not counted.

use crate::format::request::{given, split_request, three_digits, whole_ms, without_port, Request, RequestDetails};
use crate::format::{Family, Format, SourceKind};
use crate::time::{self, RawStamp};
use memchr::memchr;

pub struct Envoy;

/// The fields of an Envoy line up to the upstream host.
struct Fields<'a> {
    request: &'a [u8],
    status: u16,
    flags: &'a [u8],
    duration: &'a [u8],
    forwarded_for: &'a [u8],
    /// Istio's downstream peer (`ip:port`), when the line has Istio's fields.
    downstream: Option<&'a [u8]>,
    /// The line from `%BYTES_RECEIVED%` on, where a sampled line's details are read
    /// (see [`from_received`] and [`details`]).
    from_received: &'a [u8],
}

/// The fields of an Envoy line from `%BYTES_RECEIVED%` to `X-Forwarded-For`.
struct FromReceived<'a> {
    /// The request's size.
    received: &'a [u8],
    duration: &'a [u8],
    forwarded_for: &'a [u8],
    /// The user agent, request id, authority and upstream host (see [`details`]).
    after_forwarded: &'a [u8],
}

/// Reads a line from `%BYTES_RECEIVED%` on.
fn from_received(rest: &[u8]) -> Option<FromReceived<'_>> {
    let (received, rest) = token(rest)?;
    let (_sent, rest) = token(rest)?;
    let (duration, rest) = token(rest)?;
    let (_upstream_time, rest) = token(rest)?;
    let (forwarded_for, after_forwarded) = quoted(rest)?;
    Some(FromReceived {
        received,
        duration,
        forwarded_for,
        after_forwarded,
    })
}

/// The next space-separated token of `rest`, and what follows it.
fn token(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = rest.strip_prefix(b" ")?;
    match memchr(b' ', rest) {
        Some(end) => Some((&rest[..end], &rest[end..])),
        None => Some((rest, &[][..])),
    }
}

/// The next quoted token of `rest` (`"…"`), and what follows it.
fn quoted(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = rest.strip_prefix(b" \"")?;
    let end = memchr(b'"', rest)?;
    Some((&rest[..end], &rest[end + 1..]))
}

/// Response flags: `-`, or capital-letter codes joined by commas (`UF,URX`).
fn is_flags(token: &[u8]) -> bool {
    token == b"-" || (!token.is_empty() && token.iter().all(|b| b.is_ascii_uppercase() || *b == b','))
}

fn fields(line: &[u8]) -> Option<Fields<'_>> {
    let rest = line.strip_prefix(b"[")?;
    let close = memchr(b']', rest)?;
    time::parse_iso(&rest[..close]).filter(|s| s.len == close)?;
    let rest = rest[close + 1..].strip_prefix(b" \"")?;
    let end = memchr(b'"', rest)?;
    let request = &rest[..end];
    let rest = &rest[end + 1..];
    let (status, rest) = token(rest)?;
    let status = if status.len() == 3 { three_digits(status, 0)? } else { return None };
    let (flags, rest) = token(rest)?;
    if !is_flags(flags) {
        return None;
    }
    let (next, after) = token(rest)?;
    let istio = !next.iter().all(u8::is_ascii_digit);
    let rest = if istio {
        // Code details, termination details, "transport failure reason".
        let (_, rest) = token(after)?;
        let (_, rest) = quoted(rest)?;
        rest
    } else {
        rest
    };
    let from = rest;
    let FromReceived {
        duration,
        forwarded_for,
        after_forwarded: rest,
        ..
    } = from_received(from)?;
    let downstream = istio
        .then(|| {
            // User agent, request id, authority, upstream host; cluster, upstream local
            // address, downstream local address, downstream remote address.
            let (_, rest) = quoted(rest)?;
            let (_, rest) = quoted(rest)?;
            let (_, rest) = quoted(rest)?;
            let (_, rest) = quoted(rest)?;
            let (_, rest) = token(rest)?;
            let (_, rest) = token(rest)?;
            let (_, rest) = token(rest)?;
            let (remote, _) = token(rest)?;
            Some(remote)
        })
        .flatten();
    Some(Fields {
        request,
        status,
        flags,
        duration,
        forwarded_for,
        downstream,
        from_received: from,
    })
}

/// The user agent, the authority (the host the request named) and the upstream host,
/// from what follows `X-Forwarded-For`.
fn details(rest: &[u8]) -> RequestDetails<'_> {
    let mut details = RequestDetails::default();
    let Some((user_agent, rest)) = quoted(rest) else {
        return details;
    };
    details.user_agent = given(user_agent);
    let Some((_request_id, rest)) = quoted(rest) else {
        return details;
    };
    let Some((authority, rest)) = quoted(rest) else {
        return details;
    };
    details.host = given(authority);
    details.upstream = quoted(rest).and_then(|(upstream, _)| given(upstream));
    details
}

impl Family for Envoy {
    const NAME: &'static str = "envoy";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "Envoy's and Istio's default access log";
    /// Its lines begin with a bracketed stamp, as any timestamped line may: a file where
    /// most are Envoy's is Envoy's, even where a line cut short (a file being written)
    /// is only timestamped.
    const REFINES: Option<Format> = Some(Format::Timestamped);

    fn looks_like(line: &[u8]) -> bool {
        fields(line).is_some()
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        line.strip_prefix(b"[")
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_iso(at)
    }

    /// What follows `X-Forwarded-For`, and the request's size before it, from
    /// `%BYTES_RECEIVED%` on (where the request's `details_at` points).
    fn details(line: &[u8], at: usize) -> RequestDetails<'_> {
        let Some(fields) = line.get(at..).and_then(from_received) else {
            return RequestDetails::default();
        };
        let mut details = details(fields.after_forwarded);
        details.request_bytes = std::str::from_utf8(fields.received).ok().and_then(|r| r.parse().ok());
        details
    }

    fn request(line: &[u8]) -> Option<Request<'_>> {
        let fields = fields(line)?;
        let (method, path) = split_request(fields.request);
        let client = match fields.forwarded_for {
            b"-" | b"" => fields.downstream.unwrap_or_default(),
            forwarded => forwarded,
        };
        let mut request = Request::borrowed(
            without_port(client),
            (method, path),
            fields.status,
            whole_ms(fields.duration),
            &line[1..],
        );
        request.reason = (fields.flags != b"-").then_some(fields.flags);
        request.details_at = u32::try_from(line.len() - fields.from_received.len()).unwrap_or(u32::MAX);
        Some(request)
    }
}

/// What a response flag says, in words (Envoy's `ResponseFlagUtils`, its long names
/// spelt out), for the ones that say why a request failed.
pub fn flag_meaning(flag: &[u8]) -> Option<&'static str> {
    Some(match flag {
        b"UH" => "no healthy upstream",
        b"UF" => "upstream connection failure",
        b"UO" => "upstream overflow (circuit breaking)",
        b"NR" => "no route configured",
        b"URX" => "upstream retry limit exceeded",
        b"NC" => "upstream cluster not found",
        b"DT" => "maximum duration reached",
        b"DC" => "downstream connection terminated",
        b"LH" => "local service failed its health check",
        b"UT" => "upstream request timeout",
        b"LR" => "connection reset locally",
        b"UR" => "upstream remote reset",
        b"UC" => "upstream connection terminated",
        b"FI" => "aborted by fault injection",
        b"RL" => "rate-limited locally",
        b"UAEX" => "denied by the external authorization service",
        b"RLSE" => "rate limit service error",
        b"SI" => "stream idle timeout",
        b"DPE" => "downstream protocol error",
        b"UPE" => "upstream protocol error",
        b"UMSDR" => "upstream maximum stream duration reached",
        b"OM" => "terminated by the overload manager",
        b"DF" => "DNS resolution failed",
        b"DO" => "dropped by load shedding",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Envoy's documentation's example, and lines as a gateway printed them.
    const ENVOY: &str = r#"[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80""#;
    /// istio.io's access log task, and a gateway's 503 UH.
    const ISTIO: &str = r#"[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"#;
    const ISTIO_UH: &str = r#"[2022-04-27T15:02:20.472Z] "GET /foobar HTTP/2" 503 UH no_healthy_upstream - "-" 0 19 0 - "203.0.113.9" "curl/7.81.0" "55fef75a-70e5-449f-ad01-cd34960f465c" "httpbin.tetrate.io" "-" outbound|8000||httpbin.httpbin.svc.cluster.local - 10.16.0.20:8443 203.0.113.9:36009 httpbin.tetrate.io httpbin"#;

    fn read(line: &str) -> (String, String, String, u16, Option<f64>, Option<String>) {
        let r = Envoy::request(line.as_bytes()).unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (
            text(&r.client),
            text(&r.method),
            text(&r.path),
            r.status,
            r.duration_ms,
            r.reason.map(text),
        )
    }

    #[test]
    fn envoys_and_istios_lines() {
        assert_eq!(
            read(ENVOY),
            (
                "10.0.35.28".into(),
                "POST".into(),
                "/api/v1/locations".into(),
                204,
                Some(226.0),
                None
            )
        );
        // No X-Forwarded-For: the downstream peer is the client.
        assert_eq!(
            read(ISTIO),
            ("10.44.1.23".into(), "GET".into(), "/status/418".into(), 418, Some(4.0), None)
        );
        assert_eq!(
            read(ISTIO_UH),
            (
                "203.0.113.9".into(),
                "GET".into(),
                "/foobar".into(),
                503,
                Some(0.0),
                Some("UH".into())
            )
        );
        let stamp = Envoy::parse_stamp(Envoy::stamp_at(ENVOY.as_bytes()).unwrap()).unwrap();
        assert_eq!(stamp.len, "2016-04-15T20:17:00.310Z".len());
    }

    #[test]
    fn flags_joined_and_flags_meant() {
        let line = r#"[2024-07-20T07:09:48.470Z] "GET /pay HTTP/1.1" 503 UF,URX 0 145 30001 - "-" "curl/8.4.0" "44898dba" "shop:8000" "172.28.0.2:801""#;
        assert_eq!(read(line).5.as_deref(), Some("UF,URX"));
        assert_eq!(flag_meaning(b"UH"), Some("no healthy upstream"));
        assert_eq!(flag_meaning(b"-"), None);
    }

    #[test]
    fn other_bracketed_lines_are_not_envoys() {
        for line in [
            "[2024-03-08T14:02:11Z] INFO worker started",
            r#"[2024-03-08T14:02:11Z] "GET / HTTP/1.1" 200 1234 "-" "curl""#,
            r#"[2024-03-08T14:02:11Z] "GET / HTTP/1.1" 0 DC 0 0 5 - "-" "curl" "id" "host" "-""#,
        ] {
            assert!(!Envoy::looks_like(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn details_are_the_agent_the_upstream_and_the_authority() {
        assert_eq!(
            crate::format::details_of::<Envoy>(ENVOY.as_bytes()),
            [Some("nsq2http".into()), Some("tcp://10.0.2.1:80".into()), Some("locations".into())]
        );
        assert_eq!(
            crate::format::details_of::<Envoy>(ISTIO.as_bytes()),
            [
                Some("curl/7.73.0-DEV".into()),
                Some("10.44.1.27:80".into()),
                Some("httpbin:8000".into())
            ]
        );
        // No upstream was chosen (`-`): none is said.
        assert_eq!(crate::format::details_of::<Envoy>(ISTIO_UH.as_bytes())[1], None);
        // The request's size, `%BYTES_RECEIVED%`, in both.
        let size = |line: &str| Envoy::details(line.as_bytes(), Envoy::request(line.as_bytes()).unwrap().details_at as usize).request_bytes;
        assert_eq!((size(ENVOY), size(ISTIO)), (Some(154), Some(0)));
        // A line cut after its user agent gives what it has.
        let cut = &ENVOY[..ENVOY.find("\"cc21").unwrap()];
        assert_eq!(
            crate::format::details_of::<Envoy>(cut.as_bytes()),
            [Some("nsq2http".into()), None, None]
        );
    }
}
