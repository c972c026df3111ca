//! HAProxy's HTTP log (`option httplog`), through syslog or as HAProxy writes it:
//! `client:port [accept date] frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes …
//! "METHOD path HTTP/1.1"`. Each line is a request, counted into the traffic series as
//! nginx's are: the status, the client, the request, and the total time (the last of the
//! timers, in milliseconds). Its other lines (proxies started, servers DOWN) are read as
//! syslog lines, so the rules about them apply.

use crate::format::levels::generic_head;
use crate::format::request::{given, split_request, whole_ms, Request, RequestDetails};
use crate::format::{Family, Format, Head, SourceKind};
use crate::time::{self, RawStamp};
use memchr::{memchr, memrchr};

pub struct HaproxyHttp;

/// `client:port [accept date]`, which opens every line HAProxy writes about a
/// connection (after the syslog header, if any).
struct Connection<'a> {
    client: &'a [u8],
    /// Where the accept date's `[` is.
    open: usize,
}

fn connection(line: &[u8]) -> Option<Connection<'_>> {
    let open = crate::format::find_short(line, b" [")? + 1;
    let client_start = line[..open - 1].iter().rposition(|&b| b == b' ').map_or(0, |i| i + 1);
    let client_port = &line[client_start..open - 1];
    let colon = memrchr(b':', client_port)?;
    let port = &client_port[colon + 1..];
    if colon == 0 || port.is_empty() || !port.iter().all(u8::is_ascii_digit) {
        return None;
    }
    time::parse_clf(&line[open + 1..])?;
    Some(Connection {
        client: &client_port[..colon],
        open,
    })
}

/// Whether the line starts with a syslog header's stamp: then that is its time (when
/// the line was logged, as for every other line of the file), else the accept date.
fn has_header(line: &[u8]) -> bool {
    time::parse_syslog(line).is_some() || time::parse_iso(line).is_some()
}

/// The fields of a request line, or `None` for any other line; its details start at its
/// `backend/server`.
fn haproxy_request(line: &[u8]) -> Option<Request<'_>> {
    let Connection { client, open } = connection(line)?;
    let close = open + memchr(b']', &line[open..])?;
    // frontend, backend/server, timers, status, bytes.
    let mut fields = line[close + 1..].split(|&b| b == b' ').filter(|f| !f.is_empty());
    let (_frontend, backend_server, timers, status) = (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
    if !backend_server.contains(&b'/') || timers.iter().filter(|&&b| b == b'/').count() < 3 {
        return None;
    }
    // An HTTP status (100–599); `-1`, an aborted request's, is none.
    let status = Some(status)
        .filter(|s| s.len() == 3)
        .and_then(|s| crate::format::request::three_digits(s, 0))?;
    let total = timers.rsplit(|&b| b == b'/').next()?;
    // Whole milliseconds; `-1` when it was not measured.
    let duration_ms = whole_ms(total.strip_prefix(b"+").unwrap_or(total));
    // The request line is the last quoted field (it may be cut: no closing quote).
    let quote = memchr(b'"', &line[close..]).map(|i| close + i + 1)?;
    let request = &line[quote..];
    let request = request.strip_suffix(b"\"").unwrap_or(request);
    let (method, path) = split_request(request);
    let stamp_at = if has_header(line) { line } else { &line[open..] };
    let mut request = Request::borrowed(client, (method, path), status, duration_ms, stamp_at);
    // A slice of the line: where it starts is its offset.
    request.details_at = u32::try_from(backend_server.as_ptr() as usize - line.as_ptr() as usize).unwrap_or(u32::MAX);
    Some(request)
}

/// The `backend/server` that served the request (`app/web2`), the token at `at`;
/// `<NOSRV>` when none did.
fn haproxy_details(line: &[u8], at: usize) -> RequestDetails<'_> {
    let backend_server = line
        .get(at..)
        .and_then(|rest| rest.split(|&b| b == b' ').next())
        .unwrap_or_default();
    RequestDetails {
        upstream: given(backend_server).filter(|b| !b.ends_with(b"<NOSRV>")),
        ..RequestDetails::default()
    }
}

impl Family for HaproxyHttp {
    const NAME: &'static str = "haproxy_http";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "HAProxy HTTP log (option httplog), through syslog or raw";
    const REFINES: Option<Format> = Some(Format::Syslog);

    /// The accept date, which prints its year where the syslog header in front does not.
    fn dated_stamp(line: &[u8]) -> Option<RawStamp> {
        let Connection { open, .. } = connection(line)?;
        time::parse_clf(&line[open + 1..])
    }

    /// A request, or HAProxy's word on a connection (`client:port [date] frontend/…:
    /// SSL handshake failure`).
    fn looks_like(line: &[u8]) -> bool {
        connection(line).is_some()
    }

    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        match connection(line) {
            Some(c) if !has_header(line) => Some(&line[c.open..]),
            _ => Some(line),
        }
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        // The accept date in its brackets: its length counts the `[`, so that the scan's
        // reuse of a stamp compares the whole of it.
        if let Some(inner) = at.strip_prefix(b"[") {
            return time::parse_clf(inner).map(|stamp| RawStamp {
                len: stamp.len + 1,
                ..stamp
            });
        }
        time::parse_syslog(at).or_else(|| time::parse_iso(at))
    }

    fn details(line: &[u8], at: usize) -> RequestDetails<'_> {
        haproxy_details(line, at)
    }

    #[inline]
    fn request(line: &[u8]) -> Option<Request<'_>> {
        haproxy_request(line)
    }

    /// Lines that are not requests are HAProxy's own messages: `Proxy x started.`,
    /// `Server b/s is DOWN …`.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        Some(generic_head(line.get(stamp_end..)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_raw_and_through_syslog() {
        // As crowdsec's hub test has it (raw), and as rsyslog files it (real lines).
        let raw = b"22.118.26.10:10285 [12/Mar/2021:06:56:28.088] fe-verify~ maskurl/dns 0/0/0/1263/1264 200 20602 - - ---- 19/19/3/4/0 0/0 \"GET / HTTP/1.1\"";
        let r = haproxy_request(raw).unwrap();
        assert_eq!(
            (&*r.client, &*r.method, &*r.path, r.status, r.duration_ms),
            (&b"22.118.26.10"[..], &b"GET"[..], &b"/"[..], 200, Some(1264.0))
        );
        let at = r.stamp_at.unwrap();
        assert!(at.starts_with(b"[12/Mar/2021"));
        assert_eq!(&at[..HaproxyHttp::parse_stamp(at).unwrap().len], b"[12/Mar/2021:06:56:28.088");
        let syslog = b"Sep 25 06:05:27 hostname haproxy[6801]: 4.3.2.1:55008 [25/Sep/2018:06:05:27.584] ft_https~ bk_https/abc 0/0/0/72/72 503 7456 - - ---- 5/4/0/1/0 0/0 \"POST /user/ HTTP/1.1\"";
        let r = haproxy_request(syslog).unwrap();
        assert_eq!(
            (&*r.client, r.status, r.duration_ms, &*r.path),
            (&b"4.3.2.1"[..], 503, Some(72.0), &b"/user/"[..])
        );
        assert!(
            r.stamp_at.unwrap().starts_with(b"Sep 25"),
            "the syslog header's time, as the file's other lines"
        );
        // Aborted (-1 status is not a request we can count), headers captured, a cut request.
        let captured = b"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} \"GET /index.html HTTP/1.1\"";
        assert_eq!(haproxy_request(captured).unwrap().duration_ms, Some(109.0));
        // A timer that is no count of milliseconds is no duration.
        for timers in ["0/0/0/0/inf", "0/0/0/0/1e400", "0/0/0/0/-1"] {
            let line = format!(
                "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 {timers} 200 2750 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\""
            );
            assert_eq!(haproxy_request(line.as_bytes()).unwrap().duration_ms, None, "{timers}");
        }
        let cut = b"192.168.1.1:55032 [04/Apr/2024:14:30:18.885] front_https~ back_nextcloud/web 0/0/0/169/169 404 1541 - - ---- 5715/616/96/15/0 0/0 \"PROPFIND /remote.php/webdav/User";
        assert_eq!(&*haproxy_request(cut).unwrap().path, b"/remote.php/webdav/User");
    }

    #[test]
    fn other_lines_are_not_requests() {
        for line in [
            &b"Feb 25 16:19:38 192.168.4.2 haproxy[1]: Proxy prod_http_in started."[..],
            b"192.168.1.4:50033 [28/Feb/2025:02:43:10.123] frontend/backend: SSL handshake failure (error:0A0000C1:SSL routines::no shared cipher)",
            b"Feb 19 04:11:57 debian11 haproxy[4436]: Server web_server02/debian11-2 is DOWN, reason: Layer4 connection problem",
            b"10.0.0.1 - - [21/Jan/2024:15:30:00 -0500] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"",
            // An aborted request's status, and digits that are no HTTP status.
            b"22.118.26.10:10285 [12/Mar/2021:06:56:28.088] fe-verify~ maskurl/dns 0/0/0/-1/1264 -1 0 - - CD-- 19/19/3/4/0 0/0 \"GET / HTTP/1.1\"",
            b"22.118.26.10:10285 [12/Mar/2021:06:56:28.088] fe-verify~ maskurl/dns 0/0/0/1263/1264 812 20602 - - ---- 19/19/3/4/0 0/0 \"GET / HTTP/1.1\"",
        ] {
            assert!(haproxy_request(line).is_none(), "{}", String::from_utf8_lossy(line));
        }
        // Their stamps: the syslog header's, or the accept date of a raw line.
        let line = b"Feb 19 04:11:57 debian11 haproxy[4436]: Server web_server02/debian11-2 is DOWN";
        assert!(HaproxyHttp::parse_stamp(HaproxyHttp::stamp_at(line).unwrap()).is_some());
        let line = b"192.168.1.4:50034 [28/Feb/2025:02:43:11.234] frontend/backend: SSL handshake failure after heartbeat";
        let stamp = HaproxyHttp::parse_stamp(HaproxyHttp::stamp_at(line).unwrap()).unwrap();
        assert_eq!((stamp.civil.hour, stamp.civil.second), (2, 11));
        assert!(HaproxyHttp::looks_like(line));
    }

    #[test]
    fn the_accept_date_gives_the_year_a_syslog_header_lacks() {
        let line = b"Mar  4 09:00:01 lb haproxy[123]: 10.0.0.1:5556 [04/Mar/2023:09:00:01.123] www-https~ shop/web1 0/0/1/2/3 503 512 - - ---- 1/1/0/0/0 0/0 \"GET /b HTTP/1.1\"";
        assert_eq!(HaproxyHttp::dated_stamp(line).and_then(|s| s.civil.year), Some(2023));
        // Another of HAProxy's lines (a server going down) has no accept date.
        assert_eq!(
            HaproxyHttp::dated_stamp(b"Mar  4 09:00:01 lb haproxy[123]: Server shop/web1 is DOWN"),
            None
        );
    }

    #[test]
    fn the_upstream_is_the_backend_and_server() {
        let line = b"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} \"GET /index.html HTTP/1.1\"";
        assert_eq!(
            crate::format::details_of::<HaproxyHttp>(line),
            [None, Some("static/srv1".into()), None]
        );
        // Refused before a server was chosen (HAProxy's `<NOSRV>`): no upstream.
        let refused = b"10.0.1.2:33318 [06/Feb/2009:12:14:15.001] http-in http-in/<NOSRV> 0/-1/-1/-1/0 503 212 - - SC-- 1/1/0/0/0 0/0 \"GET /x HTTP/1.1\"";
        assert_eq!(crate::format::details_of::<HaproxyHttp>(refused)[1], None);
    }
}
