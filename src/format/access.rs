//! Web access logs: nginx/Apache common and combined (with any extra trailing fields),
//! JSON access lines, and uWSGI's request log. These are the bulk of an archive, and every
//! line is counted into the per-bucket series, so the parsing here is byte-level.

use super::{contains, json, Format};
use crate::bytemarks::ByteMarks;
use crate::time::{self, RawStamp};
use memchr::{memchr, memmem};
use std::sync::LazyLock;

/// The fields of one request, borrowed from its line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request<'a> {
    pub client: &'a [u8],
    pub method: &'a [u8],
    pub path: &'a [u8],
    pub status: u16,
    /// Request time in milliseconds, where the format carries it.
    pub duration_ms: Option<f64>,
    /// Where the line's timestamp starts, when finding the request found it (as
    /// [`Format::stamp_at`] would give it): the scan need not search for it again.
    pub stamp_at: Option<&'a [u8]>,
}

pub(super) fn looks_like(format: Format, line: &[u8]) -> bool {
    match format {
        Format::AccessLog => stamp_at(format, line).and_then(time::parse_clf).is_some() && clf_request(line).is_some(),
        Format::JsonAccess => json::looks_like(line) && json_request(line).is_some(),
        Format::Uwsgi => line.starts_with(b"[pid: ") && contains(line, b" => generated "),
        _ => false,
    }
}

pub(super) fn stamp_at(format: Format, line: &[u8]) -> Option<&[u8]> {
    match format {
        Format::AccessLog => {
            let open = memchr(b'[', line)?;
            Some(&line[open + 1..])
        }
        Format::Uwsgi => {
            // `[pid: 1|app: 0|req: 1/1] 127.0.0.1 () {38 vars in 696 bytes} [Sun Mar 13 ...]`
            let brace = memchr::memmem::find(line, b"} [")?;
            Some(&line[brace + 3..])
        }
        _ => json::stamp_at(line),
    }
}

pub(super) fn parse_stamp(format: Format, at: &[u8]) -> Option<RawStamp> {
    match format {
        Format::AccessLog => time::parse_clf(at),
        Format::Uwsgi => time::parse_ctime(at),
        _ => json::parse_stamp(at),
    }
}

pub(super) fn request(format: Format, line: &[u8]) -> Option<Request<'_>> {
    match format {
        Format::AccessLog => clf_request(line),
        Format::JsonAccess => json_request(line),
        Format::Uwsgi => uwsgi_request(line),
        _ => None,
    }
}

/// `client ident user [time] "METHOD path PROTO" status bytes ["referer" "agent" extra…]`
fn clf_request(line: &[u8]) -> Option<Request<'_>> {
    // The client, ident, user, time and method are most often in the line's head.
    let delimiters = ByteMarks::of(line, DELIMITERS);
    let client = &line[..delimiters.find(SPACE, 0)?];
    // The request opens after `[time] "`; the time itself holds no `]`.
    let open = delimiters.find(OPEN, 0)?;
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
    let (method, path) = split_request_at(request, method_end);
    Some(Request {
        client,
        method,
        path,
        status,
        duration_ms: trailing_duration(&line[after_status..]),
        stamp_at: Some(&line[open + 1..]),
    })
}

/// The bytes that delimit a CLF line's fields, and their indexes there.
const DELIMITERS: [u8; 4] = [b' ', b'[', b']', b'"'];
const SPACE: usize = 0;
const OPEN: usize = 1;
const CLOSE: usize = 2;
const QUOTE: usize = 3;

fn three_digits(line: &[u8], at: usize) -> Option<u16> {
    let b = line.get(at..at + 3)?;
    if b.iter().all(u8::is_ascii_digit) && (b'1'..=b'5').contains(&b[0]) {
        Some(u16::from(b[0] - b'0') * 100 + u16::from(b[1] - b'0') * 10 + u16::from(b[2] - b'0'))
    } else {
        None
    }
}

/// `GET /path HTTP/1.1` → (`GET`, `/path`). A bare `-` (no request line) gives empty parts.
fn split_request(request: &[u8]) -> (&[u8], &[u8]) {
    split_request_at(request, memchr(b' ', request))
}

/// [`split_request`], the method's space (its first) already found.
#[inline]
fn split_request_at(request: &[u8], method_end: Option<usize>) -> (&[u8], &[u8]) {
    let Some(space) = method_end else {
        return (b"", b"");
    };
    let method = &request[..space];
    let rest = &request[space + 1..];
    let path = match memchr::memrchr(b' ', rest) {
        Some(end) => &rest[..end],
        None => rest,
    };
    (method, path)
}

/// nginx's `$request_time` (seconds with a decimal point), when a log format appends it
/// as the last field, or as `rt=` / `request_time=` anywhere after the status. An integer
/// last field is left alone: it may be Apache's `%D` (microseconds) or a byte count.
fn trailing_duration(rest: &[u8]) -> Option<f64> {
    // Built once: a one-off `memmem::find` builds its searcher on every call, which
    // costs more than the rest of the line's parsing.
    static KEYS: LazyLock<[(memmem::Finder<'static>, usize); 2]> =
        LazyLock::new(|| [(memmem::Finder::new(b"request_time="), 13), (memmem::Finder::new(b"rt="), 3)]);
    let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
    if memchr(b'=', rest).is_some() {
        for (finder, key_len) in KEYS.iter() {
            if let Some(at) = finder.find(rest) {
                if at == 0 || rest[at - 1] == b' ' {
                    return seconds_to_ms(field_value(&rest[at + key_len..]));
                }
            }
        }
    }
    // The last field is a few bytes long: a plain loop back to its space beats a call.
    let space = rest.iter().rposition(|&b| b == b' ')?;
    let last = &rest[space + 1..];
    let last = last.strip_prefix(b"\"").and_then(|l| l.strip_suffix(b"\"")).unwrap_or(last);
    if last.contains(&b'.') {
        seconds_to_ms(last)
    } else {
        None
    }
}

fn field_value(rest: &[u8]) -> &[u8] {
    let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
    let end = rest.iter().position(|&b| b == b' ' || b == b'"').unwrap_or(rest.len());
    &rest[..end]
}

/// `12.345` (seconds) → 12345.0 (milliseconds). Hand-written, in one pass, because it
/// runs on every access line: the general float parser is most of the line's cost
/// otherwise.
fn seconds_to_ms(text: &[u8]) -> Option<f64> {
    // nginx prints `$request_time` with three decimals: that shape is read without a
    // loop over the fraction, whose branches a varying length would mispredict.
    if let [whole @ .., b'.', a, b, c] = text {
        let digit = |d: u8| u64::from(d.wrapping_sub(b'0'));
        let (a, b, c) = (digit(*a), digit(*b), digit(*c));
        if (1..=12).contains(&whole.len()) && a < 10 && b < 10 && c < 10 && whole.iter().all(u8::is_ascii_digit) {
            let seconds = whole.iter().fold(0, |n, &d| n * 10 + digit(d));
            return Some((seconds * 1000 + a * 100 + b * 10 + c) as f64);
        }
    }
    // At most 12 digits before the point and 9 after: no overflow of a u64.
    let (mut whole, mut whole_digits) = (0u64, 0u32);
    let (mut fraction, mut fraction_digits) = (0u64, 0u32);
    let mut after_point = false;
    for &b in text {
        match b {
            b'0'..=b'9' if after_point => {
                fraction = fraction * 10 + u64::from(b - b'0');
                fraction_digits += 1;
            }
            b'0'..=b'9' => {
                whole = whole * 10 + u64::from(b - b'0');
                whole_digits += 1;
            }
            b'.' if !after_point => after_point = true,
            _ => return None,
        }
        if whole_digits > 12 || fraction_digits > 9 {
            return None;
        }
    }
    if whole_digits == 0 {
        return None;
    }
    if fraction_digits <= 3 {
        // Whole milliseconds (what servers print): exact in integers, and no division.
        return Some((whole * 1000 + fraction * 10u64.pow(3 - fraction_digits)) as f64);
    }
    // Finer than milliseconds: one rounding, of the exact count of the smallest unit.
    let units = u128::from(whole) * 10u128.pow(fraction_digits) + u128::from(fraction);
    Some(units as f64 / 10u64.pow(fraction_digits - 3) as f64)
}

/// JSON access lines: the common field names of nginx `escape=json` formats, Caddy,
/// Traefik and load balancers.
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

/// `[pid: 1|app: 0|req: 1/1] 127.0.0.1 () {..} [date] POST /x => generated 47 bytes in 129 msecs (HTTP/1.1 200) …`
fn uwsgi_request(line: &[u8]) -> Option<Request<'_>> {
    let client_start = memchr::memmem::find(line, b"] ")? + 2;
    let client = &line[client_start..client_start + memchr(b' ', &line[client_start..])?];
    let date_start = memchr::memmem::find(line, b"} [")? + 3;
    let request_start = date_start + memchr(b']', &line[date_start..])? + 2;
    let arrow = request_start + memchr::memmem::find(line.get(request_start..)?, b" => ")?;
    // uWSGI prints `METHOD path` without the protocol.
    let request = &line[request_start..arrow];
    let (method, path) = match memchr(b' ', request) {
        Some(space) => (&request[..space], &request[space + 1..]),
        None => (request, &b""[..]),
    };
    let amount_start = arrow + memchr::memmem::find(&line[arrow..], b" bytes in ")? + 10;
    let amount_end = amount_start + memchr(b' ', &line[amount_start..])?;
    let amount: f64 = std::str::from_utf8(&line[amount_start..amount_end]).ok()?.parse().ok()?;
    let duration_ms = if line[amount_end..].starts_with(b" micros") {
        amount / 1000.0
    } else {
        amount
    };
    let protocol = amount_end + memchr::memmem::find(&line[amount_end..], b"(HTTP/")?;
    let space = protocol + memchr(b' ', &line[protocol..])?;
    let status = three_digits(line, space + 1)?;
    Some(Request {
        client,
        method,
        path,
        status,
        duration_ms: Some(duration_ms),
        stamp_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_with_request_time() {
        let line = b"10.0.0.7 - bob [21/Jan/2024:15:30:00 -0500] \"GET /checkout?x=\\\"y\\\" HTTP/1.1\" 503 12 \"-\" \"Mozilla/5.0\" 0.250";
        let r = clf_request(line).unwrap();
        assert_eq!(r.client, b"10.0.0.7");
        assert_eq!(r.method, b"GET");
        assert_eq!(r.path, b"/checkout?x=\\\"y\\\"");
        assert_eq!(r.status, 503);
        assert_eq!(r.duration_ms, Some(250.0));
        assert_eq!(r.stamp_at, stamp_at(Format::AccessLog, line));
    }

    #[test]
    fn common_log_and_empty_request() {
        let r = clf_request(b"10.112.81.15 - - [15/Feb/2013:06:00:31 +0000] \"-\" 400 0 \"-\" \"-\"").unwrap();
        assert_eq!((r.status, r.path), (400, &b""[..]));
        let r = clf_request(b"1.2.3.4 - - [15/Feb/2013:06:00:31 +0000] \"GET / HTTP/1.0\" 200 5").unwrap();
        assert_eq!((r.status, r.duration_ms), (200, None));
    }

    proptest::proptest! {
        #[test]
        fn seconds_with_any_number_of_decimals_read_as_milliseconds(seconds in 0u64..10_000_000, millis in 0u64..1000, zeros in 0usize..4) {
            let text = format!("{seconds}.{millis:03}{}", "0".repeat(zeros));
            proptest::prop_assert_eq!(seconds_to_ms(text.as_bytes()), Some((seconds * 1000 + millis) as f64));
        }
    }

    #[test]
    fn decimal_seconds() {
        assert_eq!(seconds_to_ms(b"0.250"), Some(250.0));
        assert_eq!(seconds_to_ms(b"60.001").map(|ms| (ms * 1000.0).round()), Some(60_001_000.0));
        assert_eq!(seconds_to_ms(b"3"), Some(3000.0));
        assert_eq!(seconds_to_ms(b"1."), Some(1000.0));
        for bad in [&b""[..], b".5", b"1.2.3", b"-1.0", b"1e3", b"12345678901234.0"] {
            assert_eq!(seconds_to_ms(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn keyed_request_time() {
        let r = clf_request(b"1.2.3.4 - - [15/Feb/2013:06:00:31 +0000] \"GET / HTTP/1.0\" 200 5 \"-\" \"-\" rt=1.5 uct=\"0.001\"").unwrap();
        assert_eq!(r.duration_ms, Some(1500.0));
    }

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

    #[test]
    fn uwsgi_line() {
        let line = b"[pid: 88185|app: 0|req: 3/3] 127.0.0.1 () {34 vars in 617 bytes} [Sun Mar 13 22:49:15 2016] POST /endpoint2 => generated 215 bytes in 68 micros (HTTP/1.1 200) 9 headers in 373 bytes (1 switches on core 0)";
        let r = uwsgi_request(line).unwrap();
        assert_eq!(
            (r.client, r.method, r.path, r.status),
            (&b"127.0.0.1"[..], &b"POST"[..], &b"/endpoint2"[..], 200)
        );
        assert_eq!(r.duration_ms, Some(0.068));
    }
}
