//! What the scan takes from an access line: the request's fields, borrowed from the
//! line, and the byte-level readers the access families share (status digits, the request
//! line, request times in seconds).

use memchr::{memchr, memmem};
use std::borrow::Cow;
use std::sync::LazyLock;

/// The fields of one request, borrowed from its line (owned only where the format
/// escapes them: a JSON string with `\/` in its path).
#[derive(Clone, Debug, PartialEq)]
pub struct Request<'a> {
    pub client: Cow<'a, [u8]>,
    pub method: Cow<'a, [u8]>,
    pub path: Cow<'a, [u8]>,
    pub status: u16,
    /// Request time in milliseconds, where the format carries it.
    pub duration_ms: Option<f64>,
    /// Where the line's timestamp starts, when finding the request found it (as
    /// [`super::Format::stamp_at`] would give it): the scan need not search for it again.
    pub stamp_at: Option<&'a [u8]>,
    /// What the proxy that wrote the line flagged about the request, in its own codes
    /// (Envoy's response flags: `UH`, `UF,URX`), where its format says it.
    pub reason: Option<&'a [u8]>,
    /// Where in the line the request's details start, for its family's
    /// [`super::Family::details`] (it fits beside `status`: the request is no larger).
    pub details_at: u32,
}

/// A request's fields beyond those every line is read for: read from its line only for
/// the few lines counted by them (see [`crate::scan::top_values`] and
/// [`super::Family::details`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestDetails<'a> {
    pub user_agent: Option<Cow<'a, [u8]>>,
    /// The server the request was passed to (`10.0.3.7:8080`, HAProxy's `app/web2`).
    pub upstream: Option<Cow<'a, [u8]>>,
    /// The host the request named (a virtual host, an authority).
    pub host: Option<Cow<'a, [u8]>>,
    /// The page that linked to it, as the `Referer` header gave it.
    pub referrer: Option<Cow<'a, [u8]>>,
    /// The status the server behind answered (an origin's, a backend's, a target's), as
    /// written: `-` or `0` where none answered (see [`crate::scan::top_values`]).
    pub upstream_status: Option<Cow<'a, [u8]>>,
    /// The size of the request the client sent, in bytes, as the format counts it (with
    /// its headers for nginx's `$request_length` and an ALB's `received_bytes`, its body
    /// alone for Envoy's `%BYTES_RECEIVED%`), where the format logs it.
    pub request_bytes: Option<u64>,
}

impl<'a> Request<'a> {
    /// A request whose fields are all slices of its line, as most formats write them:
    /// its client, its method and path, status, time and where its stamp starts.
    pub(crate) fn borrowed(
        client: &'a [u8],
        (method, path): (&'a [u8], &'a [u8]),
        status: u16,
        duration_ms: Option<f64>,
        stamp_at: &'a [u8],
    ) -> Request<'a> {
        Request {
            client: Cow::Borrowed(client),
            method: Cow::Borrowed(method),
            path: Cow::Borrowed(path),
            status,
            duration_ms,
            stamp_at: Some(stamp_at),
            reason: None,
            details_at: 0,
        }
    }
}

/// A value a log gave, or `None` for its `-` or an empty field (none was given).
pub(crate) fn given(value: &[u8]) -> Option<Cow<'_, [u8]>> {
    (value != b"-" && !value.is_empty()).then_some(Cow::Borrowed(value))
}

/// The next `"…"` field of `rest` (a `\"` inside it is no end), and what follows it.
pub(crate) fn quoted_field(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let open = memchr::memchr(b'"', rest)? + 1;
    let mut at = open;
    loop {
        let end = at + memchr::memchr(b'"', &rest[at..])?;
        // Escaped by an odd run of backslashes before it (`\"`); `\\"` ends the field.
        let backslashes = rest[open..end].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 1 {
            at = end + 1;
            continue;
        }
        return Some((&rest[open..end], &rest[end + 1..]));
    }
}

/// The host of an absolute URL (`https://shop.example:443/cart` → `shop.example`), as
/// proxies log their requests; `None` for a path.
pub fn url_host(url: &[u8]) -> Option<&[u8]> {
    let rest = url.strip_prefix(b"http://").or_else(|| url.strip_prefix(b"https://"))?;
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b':' | b'?' | b'#'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Three digits at `at` that make an HTTP status (100–599).
pub(crate) fn three_digits(line: &[u8], at: usize) -> Option<u16> {
    let b = line.get(at..at + 3)?;
    if b.iter().all(u8::is_ascii_digit) && (b'1'..=b'5').contains(&b[0]) {
        Some(u16::from(b[0] - b'0') * 100 + u16::from(b[1] - b'0') * 10 + u16::from(b[2] - b'0'))
    } else {
        None
    }
}

/// A client's address without the port some writers add (Google's `remoteIp`, Envoy's
/// `downstream_remote_address`: `203.0.113.7:51234`, `[2001:db8::1]:443`), and only the
/// first of a forwarded list: one client, however many connections it made.
pub(crate) fn without_port(address: &[u8]) -> &[u8] {
    // Most addresses are a bare IPv4 one: digits and dots (and `/`, which lies between
    // them and needs no cutting either), told by one comparison a byte.
    if address.iter().fold(true, |plain, b| plain & (b.wrapping_sub(b'.') <= b'9' - b'.')) {
        return address;
    }
    if !address.iter().any(|b| matches!(b, b':' | b',' | b'[' | b' ')) {
        return address;
    }
    let first = address.split(|&b| b == b',').next().unwrap_or_default().trim_ascii();
    if let Some(rest) = first.strip_prefix(b"[") {
        return rest.split(|&b| b == b']').next().unwrap_or_default();
    }
    match memchr::memchr(b':', first) {
        // One colon: IPv4 and its port; more: an IPv6 address, which has no port unbracketed.
        Some(colon) if memchr::memrchr(b':', first) == Some(colon) => &first[..colon],
        _ => first,
    }
}

/// `GET /path HTTP/1.1` → (`GET`, `/path`). A bare `-` (no request line) gives empty parts.
pub(crate) fn split_request(request: &[u8]) -> (&[u8], &[u8]) {
    split_request_at(request, memchr(b' ', request))
}

/// [`split_request`], the method's space (its first) already found.
#[inline]
pub(crate) fn split_request_at(request: &[u8], method_end: Option<usize>) -> (&[u8], &[u8]) {
    let Some(space) = method_end else {
        return (b"", b"");
    };
    let method = &request[..space];
    let rest = &request[space + 1..];
    let path = match memchr::memrchr(b' ', rest) {
        Some(end) => &rest[..end],
        None => rest,
    };
    (method, origin_form(path))
}

/// The path of a request whose line names an absolute URL (a proxy's request, as
/// varnishncsa and AWS load balancers log it): `https://shop.example:443/cart?x=1` →
/// `/cart?x=1`, and `/` for a URL without one; other paths are returned as they are.
#[inline]
pub(crate) fn origin_form(path: &[u8]) -> &[u8] {
    // Every access line's path passes here: most start with `/`, and leave at once.
    if !matches!(path.first(), Some(b'h' | b'H')) {
        return path;
    }
    let Some(after_scheme) = path
        .strip_prefix(b"http://")
        .or_else(|| path.strip_prefix(b"https://"))
        .or_else(|| path.strip_prefix(b"HTTP://"))
        .or_else(|| path.strip_prefix(b"HTTPS://"))
    else {
        return path;
    };
    match memchr::memchr3(b'/', b'?', b'#', after_scheme) {
        Some(i) if after_scheme[i] == b'/' => &after_scheme[i..],
        _ => b"/",
    }
}

/// nginx's `$request_time` (seconds with a decimal point), when a log format appends it
/// as the last field, or as `rt=` / `request_time=` anywhere after the status. An integer
/// last field is left alone: it may be Apache's `%D` (microseconds) or a byte count.
pub(crate) fn trailing_duration(rest: &[u8]) -> Option<f64> {
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
        if let Some(ms) = seconds_to_ms(last) {
            return Some(ms);
        }
    }
    after_last_quote(rest)
}

/// A duration among the unquoted fields after the last quoted one (the user agent) when
/// more fields follow it: nginx's `$request_time $upstream_response_time $pipe` gives
/// `0.123 0.120 .`, the first with a decimal point; Traefik's CLF ends with `12ms`.
/// Integers stay unread, as above.
fn after_last_quote(rest: &[u8]) -> Option<f64> {
    let quote = memchr::memrchr(b'"', rest)?;
    rest[quote + 1..]
        .split(|&b| b == b' ')
        .find_map(|field| match field.strip_suffix(b"ms") {
            Some(ms) => whole_ms(ms),
            None if field.contains(&b'.') => seconds_to_ms(field),
            None => None,
        })
}

/// A count of milliseconds written as digits (HAProxy's timers, Traefik's `12ms`): at
/// most 12 of them, as for seconds below, so the duration is finite and plausible.
pub(crate) fn whole_ms(text: &[u8]) -> Option<f64> {
    if !(1..=12).contains(&text.len()) || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')) as f64)
}

fn field_value(rest: &[u8]) -> &[u8] {
    let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
    let end = rest.iter().position(|&b| b == b' ' || b == b'"').unwrap_or(rest.len());
    &rest[..end]
}

/// `12.345` (seconds) → 12345.0 (milliseconds). Hand-written, in one pass, because it
/// runs on every access line: the general float parser is most of the line's cost
/// otherwise.
pub(crate) fn seconds_to_ms(text: &[u8]) -> Option<f64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn seconds_with_any_number_of_decimals_read_as_milliseconds(seconds in 0u64..10_000_000, millis in 0u64..1000, zeros in 0usize..4) {
            let text = format!("{seconds}.{millis:03}{}", "0".repeat(zeros));
            proptest::prop_assert_eq!(seconds_to_ms(text.as_bytes()), Some((seconds * 1000 + millis) as f64));
        }
    }

    #[test]
    fn a_client_is_its_address_without_a_port() {
        assert_eq!(without_port(b"203.0.113.7:51234"), b"203.0.113.7");
        assert_eq!(without_port(b"[2001:db8::1]:443"), b"2001:db8::1");
        assert_eq!(without_port(b"2001:db8::1"), b"2001:db8::1");
        assert_eq!(without_port(b"203.0.113.7, 10.0.0.1"), b"203.0.113.7");
        assert_eq!(without_port(b"203.0.113.7"), b"203.0.113.7");
    }

    #[test]
    fn absolute_urls_give_their_path() {
        assert_eq!(origin_form(b"https://shop.example:443/cart?x=1"), b"/cart?x=1");
        assert_eq!(origin_form(b"http://shop.example"), b"/");
        assert_eq!(origin_form(b"http://shop.example?q=1"), b"/");
        assert_eq!(origin_form(b"/already/a/path"), b"/already/a/path");
        // Not a URL: a path that merely contains one stays whole.
        assert_eq!(origin_form(b"/redirect?to=http://x/y"), b"/redirect?to=http://x/y");
        assert_eq!(
            split_request(b"GET http://www.example.com/index.html HTTP/1.1"),
            (&b"GET"[..], &b"/index.html"[..])
        );
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
}
