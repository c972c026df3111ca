//! W3C extended log files, whose `#Fields:` directive names each line's columns: IIS,
//! CloudFront, NetScaler, Incapsula and others. The same request is `date time … c-ip
//! cs-method cs-uri-stem … sc-status … time-taken` in one file and another order in the
//! next, so the family reads the header into [`Columns`], which the scan carries for the
//! file (and replaces where a later `#Fields:` changes them: IIS writes the header again
//! each time it starts).
//!
//! Per the W3C draft, times are GMT. `time-taken` is seconds there and in CloudFront
//! (`0.113`); IIS writes whole milliseconds, so a file whose `#Software:` is IIS is read
//! in milliseconds, and a whole number from other software, whose unit its header does
//! not say, is left unread.
//!
//! A chunk of a large file that starts after its header uses the columns of the file's
//! first `#Fields:` until it meets another; a file whose columns change mid-way may have
//! a chunk's first lines read with the earlier columns.

use crate::format::request::{given, seconds_to_ms, three_digits, whole_ms, Request, RequestDetails};
use crate::format::{Family, Head, SourceKind};
use crate::time::{self, RawStamp, StampZone};
use std::borrow::Cow;
use std::ops::Range;

pub struct W3c;

/// Directives that open a W3C log or a section of it.
const DIRECTIVES: [&[u8]; 6] = [b"#Fields:", b"#Version:", b"#Software:", b"#Date:", b"#Start-Date:", b"#Remark:"];

impl Family for W3c {
    const NAME: &'static str = "w3c";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "W3C extended log (IIS, CloudFront …), read by its #Fields: header";

    /// A file that names its columns in a `#Fields:` header is W3C, whatever else its
    /// lines look like (an IIS line opens as many ISO-stamped logs do).
    fn declared_by(head: &[u8]) -> bool {
        Columns::of_head(head).is_some_and(|c| c.status.is_some() || c.date.is_some())
    }

    /// A directive, or a line that opens with a date and a time split by a tab or
    /// quotes (split by a space, it could be any log's).
    /// Without a header, a tab-separated line counts only with a status where CloudFront
    /// writes one: any log may open with a date and a tab.
    fn looks_like(line: &[u8]) -> bool {
        let dated = |at: &[u8]| Self::parse_stamp(at).is_some();
        DIRECTIVES.iter().any(|d| line.starts_with(d))
            || Self::stamp_at(line).is_some_and(|at| match at.get(10) {
                Some(b'"') => dated(at),
                Some(b'\t') => dated(at) && Columns::cloudfront().request(line).is_some(),
                _ => false,
            })
    }

    /// Without the file's columns: a line that opens with its date.
    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        match line.first()? {
            b'#' => None,
            b'"' => Some(&line[1..]),
            _ => Some(line),
        }
    }

    /// `2014-05-23` and `01:13:11` in two fields (split by a tab, spaces, or `" "` when
    /// quoted), in UTC.
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        let date = at.get(..10)?;
        let gap = at[10..].iter().take_while(|&&b| matches!(b, b'\t' | b' ' | b'"')).count();
        if gap == 0 {
            return None;
        }
        let clock = &at[10 + gap..];
        let clock = &clock[..clock.len().min(15)];
        let mut joined = [0u8; 26];
        joined[..10].copy_from_slice(date);
        joined[10] = b' ';
        joined[11..11 + clock.len()].copy_from_slice(clock);
        let stamp = time::parse_iso(&joined[..11 + clock.len()])?;
        // A zone or fraction read from the joined bytes would have come from the clock.
        Some(RawStamp {
            zone: match stamp.zone {
                StampZone::Naive => StampZone::Offset(0),
                zone => zone,
            },
            len: stamp.len - 11 + 10 + gap,
            ..stamp
        })
    }

    /// The request needs the file's [`Columns`]: see [`Columns::request`].
    fn request(_line: &[u8]) -> Option<Request<'_>> {
        None
    }

    /// Access lines are counted into the traffic series, not read for their words.
    fn head(_line: &[u8], _stamp_end: usize) -> Option<Head<'_>> {
        None
    }
}

/// How `time-taken` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TakenUnit {
    /// The W3C draft's unit (CloudFront): a decimal number of seconds.
    Seconds,
    /// IIS: whole milliseconds.
    Millis,
}

/// The columns a W3C file's `#Fields:` names, as indexes of the fields the scan reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    /// Columns are split by tabs (CloudFront) or by spaces (IIS: values with spaces in
    /// them are quoted or written with `+`).
    tab: bool,
    /// `date`, and `time` right after it: the stamp reads both.
    date: Option<usize>,
    /// The date and time are the server's local ones (IIS Advanced Logging's
    /// `date-local time-local`), read in the file's zone, not in UTC.
    local: bool,
    client: Option<usize>,
    method: Option<usize>,
    path: Option<usize>,
    status: Option<usize>,
    taken: Option<usize>,
    unit: TakenUnit,
    /// The highest index the scan needs: fields past it are not split.
    last: usize,
    /// `cs(User-Agent)`, and the host the request named (`x-host-header`, CloudFront's
    /// viewer `Host`, else `cs-host` or `cs(Host)`): read only for the lines the traffic's
    /// fields are counted by ([`Columns::details`]).
    agent: Option<usize>,
    host: Option<usize>,
    /// `cs(Referer)`, read as the two above.
    referrer: Option<usize>,
    /// `cs-bytes`, the size of the request, read as the three above.
    request_bytes: Option<usize>,
}

impl Columns {
    /// The columns of the first `#Fields:` in a file's head, if it has one.
    pub fn of_head(head: &[u8]) -> Option<Columns> {
        let lines = || crate::format::lines(head).map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let data = lines().find(|l| !l.is_empty() && !l.starts_with(b"#"));
        let tab = data.is_some_and(|l| l.contains(&b'\t'));
        // Every file's head is asked (the sniffer's first question): one substring search
        // tells most that they name no columns, before any line is looked at twice.
        let fields = match memchr::memmem::find(head, b"#Fields:") {
            Some(_) => lines().find_map(|l| l.strip_prefix(b"#Fields:")),
            None => None,
        };
        match fields {
            Some(fields) => {
                // IIS and its Advanced Logging module count time-taken in milliseconds.
                let unit = match lines().find_map(|l| l.strip_prefix(b"#Software:")) {
                    Some(name)
                        if crate::format::contains(name, b"Internet Information Services") || crate::format::contains(name, b"IIS") =>
                    {
                        TakenUnit::Millis
                    }
                    _ => TakenUnit::Seconds,
                };
                Some(Columns::of_fields(fields, tab, unit))
            }
            // A CloudFront log whose header a shipper stripped: its columns are the
            // standard log's, in their documented order.
            None if tab && data.is_some_and(W3c::looks_like) => Some(Columns::cloudfront()),
            None => None,
        }
    }

    /// CloudFront's standard columns, for its logs whose header a shipper stripped.
    fn cloudfront() -> Columns {
        Columns::of_fields(CLOUDFRONT_FIELDS, true, TakenUnit::Seconds)
    }

    /// A `#Fields:` line met while scanning replaces the columns; the separator and unit
    /// stay the file's.
    #[inline]
    pub fn follow(&mut self, line: &[u8]) {
        if let Some(fields) = line.strip_prefix(b"#Fields:") {
            *self = Columns::of_fields(fields, self.tab, self.unit);
        }
    }

    fn of_fields(fields: &[u8], tab: bool, unit: TakenUnit) -> Columns {
        let names: Vec<&[u8]> = fields.split(|b| b.is_ascii_whitespace()).filter(|n| !n.is_empty()).collect();
        let find = |wanted: &[&[u8]]| names.iter().position(|n| wanted.iter().any(|w| n.eq_ignore_ascii_case(w)));
        let followed_by = |d: usize, name: &[u8]| names.get(d + 1).is_some_and(|n| n.eq_ignore_ascii_case(name));
        let utc = find(&[b"date"]).filter(|&d| followed_by(d, b"time"));
        let local = find(&[b"date-local"]).filter(|&d| followed_by(d, b"time-local"));
        let date = utc.or(local);
        let client = find(&[b"c-ip"]);
        let method = find(&[b"cs-method"]);
        let path = find(&[b"cs-uri-stem", b"cs-uri"]);
        let status = find(&[b"sc-status", b"c-status"]);
        let taken = find(&[b"time-taken", b"TimeTakenMS"]);
        let agent = find(&[b"cs(User-Agent)"]);
        let referrer = find(&[b"cs(Referer)", b"cs(Referrer)"]);
        let host = find(&[b"x-host-header"]).or_else(|| find(&[b"cs-host", b"cs(Host)"]));
        let request_bytes = find(&[b"cs-bytes"]);
        // IIS Advanced Logging names its unit.
        let unit = match taken {
            Some(t) if names[t].eq_ignore_ascii_case(b"TimeTakenMS") => TakenUnit::Millis,
            _ => unit,
        };
        let last = [date.map(|d| d + 1), client, method, path, status, taken]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);
        Columns {
            tab,
            date,
            local: utc.is_none() && local.is_some(),
            client,
            method,
            path,
            status,
            taken,
            unit,
            last,
            agent,
            host,
            referrer,
            request_bytes,
        }
    }

    /// Where the fields of a line are, up to the last the scan reads, as ranges of it:
    /// positions, never slices compared by address, so that a line shorter than its
    /// header gives empty fields at its end. With spaces as separators, a quoted value
    /// (Incapsula quotes all, IIS its cookies) is one field, its quotes left out.
    fn fields(&self, line: &[u8]) -> Option<[Range<usize>; MAX_COLUMNS]> {
        self.fields_to(line, self.last)
    }

    /// [`Columns::fields`], up to the column `last`.
    fn fields_to(&self, line: &[u8], last: usize) -> Option<[Range<usize>; MAX_COLUMNS]> {
        if last >= MAX_COLUMNS {
            return None;
        }
        let mut out: [Range<usize>; MAX_COLUMNS] = std::array::from_fn(|_| line.len()..line.len());
        let mut at = 0;
        for slot in out.iter_mut().take(last + 1) {
            if self.tab {
                let end = memchr::memchr(b'\t', &line[at..]).map_or(line.len(), |i| at + i);
                *slot = at..end;
                at = (end + 1).min(line.len());
            } else {
                at += line[at..].iter().take_while(|&&b| b == b' ').count();
                if line.get(at) == Some(&b'"') {
                    let end = at + 1 + memchr::memchr(b'"', &line[at + 1..])?;
                    *slot = at + 1..end;
                    at = end + 1;
                } else {
                    let end = memchr::memchr(b' ', &line[at..]).map_or(line.len(), |i| at + i);
                    *slot = at..end;
                    at = end;
                }
            }
        }
        Some(out)
    }

    /// Where a line's stamp starts: its `date` field (a directive has none).
    #[inline]
    pub fn stamp_at<'a>(&self, line: &'a [u8]) -> Option<&'a [u8]> {
        if line.starts_with(b"#") {
            return None;
        }
        let date = self.date?;
        if date == 0 {
            return W3c::stamp_at(line);
        }
        let field = self.fields(line)?[date].clone();
        Some(&line[field.start..])
    }

    /// A stamp found by [`Columns::stamp_at`]: in UTC, or naive for local columns.
    #[inline]
    pub fn parse_stamp(&self, at: &[u8]) -> Option<RawStamp> {
        let stamp = W3c::parse_stamp(at)?;
        Some(match self.local {
            true => RawStamp {
                zone: StampZone::Naive,
                ..stamp
            },
            false => stamp,
        })
    }

    /// The user agent, host, referrer and size of a data line's request, where the
    /// columns name them.
    pub fn details<'a>(&self, line: &'a [u8]) -> RequestDetails<'a> {
        let last = self.agent.max(self.host).max(self.referrer).max(self.request_bytes);
        let Some(fields) = last.and_then(|last| self.fields_to(line, last)) else {
            return RequestDetails::default();
        };
        let field = |index: Option<usize>| index.and_then(|i| given(&line[fields[i].clone()]));
        RequestDetails {
            user_agent: field(self.agent),
            host: field(self.host),
            referrer: field(self.referrer),
            upstream: None,
            upstream_status: None,
            request_bytes: self
                .request_bytes
                .and_then(|i| std::str::from_utf8(&line[fields[i].clone()]).ok()?.parse().ok()),
        }
    }

    /// The request of a data line: its status, and what else the columns name.
    pub fn request<'a>(&self, line: &'a [u8]) -> Option<Request<'a>> {
        if line.starts_with(b"#") {
            return None;
        }
        let fields = self.fields(line)?;
        let field = |index: Option<usize>| index.map_or(&b""[..], |i| &line[fields[i].clone()]);
        let status = field(self.status);
        if status.len() != 3 {
            return None;
        }
        let status = three_digits(status, 0)?;
        let taken = field(self.taken);
        let duration_ms = match self.unit {
            TakenUnit::Millis => whole_ms(taken),
            TakenUnit::Seconds if taken.contains(&b'.') => seconds_to_ms(taken),
            TakenUnit::Seconds => None,
        };
        let stamp_at = self.date.map(|d| &line[fields[d].start..]);
        Some(Request {
            client: Cow::Borrowed(field(self.client)),
            method: Cow::Borrowed(field(self.method)),
            path: Cow::Borrowed(field(self.path)),
            status,
            duration_ms,
            stamp_at,
            reason: None,
            details_at: 0,
        })
    }
}

/// The first columns of CloudFront's standard log, as its documentation lists them.
const CLOUDFRONT_FIELDS: &[u8] = b"date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken";

/// Columns past this many are not read: a request's fields come well before it in every
/// W3C file we know (CloudFront's are within its first 20 of 33).
const MAX_COLUMNS: usize = 48;

#[cfg(test)]
mod tests {
    use super::*;

    /// What the columns of `head` read of `line`.
    #[derive(Debug)]
    struct Read {
        client: String,
        method: String,
        path: String,
        status: u16,
        taken: Option<f64>,
        stamp: Option<RawStamp>,
    }

    fn read(head: &str, line: &str) -> Option<Read> {
        let columns = Columns::of_head(head.as_bytes()).unwrap();
        let r = columns.request(line.as_bytes())?;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Some(Read {
            client: text(&r.client),
            method: text(&r.method),
            path: text(&r.path),
            status: r.status,
            taken: r.duration_ms,
            stamp: columns.stamp_at(line.as_bytes()).and_then(|at| columns.parse_stamp(at)),
        })
    }

    #[test]
    fn iis_in_milliseconds() {
        let head = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2024-03-08 14:00:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";
        let line =
            "2024-03-08 14:02:11 10.1.4.17 POST /checkout/confirm step=3 443 - 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0) - 500 0 64 2514";
        let r = read(head, line).unwrap();
        assert_eq!(
            (r.client.as_str(), r.method.as_str(), r.path.as_str(), r.status, r.taken),
            ("198.51.100.23", "POST", "/checkout/confirm", 500, Some(2514.0))
        );
        let stamp = r.stamp.unwrap();
        assert_eq!((stamp.zone, stamp.len), (StampZone::Offset(0), 19));
        // Its user agent, as IIS writes it (spaces as `+`); no host column.
        let details = Columns::of_head(head.as_bytes()).unwrap().details(line.as_bytes());
        assert_eq!(
            (details.user_agent.as_deref(), details.host.as_deref()),
            (Some(&b"Mozilla/5.0+(Windows+NT+10.0)"[..]), None)
        );
        // Directives are no requests.
        assert!(read(head, "#Date: 2024-03-08 15:00:00").is_none());
    }

    #[test]
    fn cloudfront_tab_separated_in_seconds() {
        let head = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken\n2024-03-08\t14:02:11\tFRA56-P1\t512\t198.51.100.23\tGET\n";
        let line = "2024-03-08\t14:02:11\tFRA56-P1\t512\t198.51.100.23\tGET\td111111abcdef8.cloudfront.net\t/cart\t502\t-\tMozilla/5.0\t-\t-\tError\tx1\tshop.example.org\thttps\t210\t30.002";
        let r = read(head, line).unwrap();
        assert_eq!(
            (r.client.as_str(), r.path.as_str(), r.status, r.taken),
            ("198.51.100.23", "/cart", 502, Some(30_002.0))
        );
        assert_eq!(r.stamp.unwrap().len, 19);
        // The viewer's Host header, not the distribution's domain.
        let details = Columns::of_head(head.as_bytes()).unwrap().details(line.as_bytes());
        assert_eq!(
            (details.user_agent.as_deref(), details.host.as_deref()),
            (Some(&b"Mozilla/5.0"[..]), Some(&b"shop.example.org"[..]))
        );
        // The request's size, `cs-bytes`.
        assert_eq!(details.request_bytes, Some(210));
    }

    #[test]
    fn cloudfront_without_its_header() {
        let line = "2024-03-08\t14:02:11\tFRA56-P1\t512\t198.51.100.23\tGET\td111111abcdef8.cloudfront.net\t/cart\t502\t-\tMozilla/5.0\t-\t-\tError\tx1\tshop.example.org\thttps\t210\t30.002";
        let r = read(&format!("{line}\n"), line).unwrap();
        assert_eq!(
            (r.client.as_str(), r.path.as_str(), r.status, r.taken),
            ("198.51.100.23", "/cart", 502, Some(30_002.0))
        );
        // Tab-separated lines with no status where CloudFront's goes, or space-separated
        // lines without a header, could be any log's: no columns.
        assert!(Columns::of_head(b"2024-03-08\t14:02:11\tworker\tstarted\n").is_none());
        assert!(Columns::of_head(b"2024-03-08 14:02:11 198.51.100.23 GET /cart 502\n").is_none());
    }

    #[test]
    fn quoted_fields_and_a_date_that_is_not_first() {
        // Incapsula quotes every value.
        let head = "#Software: Incapsula LOGS API\n#Fields: date time c-ip cs-uri cs-method sc-status\n";
        let line = "\"2024-03-08\" \"14:02:11\" \"198.51.100.23\" \"shop.example.org/cart\" \"GET\" \"503\"";
        let r = read(head, line).unwrap();
        assert_eq!((r.client.as_str(), r.status, r.taken), ("198.51.100.23", 503, None));
        assert_eq!(r.stamp.unwrap().len, 21);
        // SHOUTcast: the date after the client.
        let head = "#Fields: c-ip c-dns date time cs-uri-stem c-status cs(User-Agent)\n";
        let r = read(head, "198.51.100.23 client.example 2024-03-08 14:02:11 /stream 200 NSPlayer").unwrap();
        assert_eq!(r.status, 200);
        assert!(r.stamp.is_some());
    }

    #[test]
    fn iis_advanced_logging_local_time_in_named_milliseconds() {
        let head = "#Software: IIS Advanced Logging Module\n#Fields:   date-local time-local   s-ip   cs-method cs-uri-stem c-ip sc-status TimeTakenMS\n";
        let r = read(head, "2024-03-08 15:02:11.363 10.1.4.17 GET /cart \"198.51.100.23\" 502 359").unwrap();
        assert_eq!((r.status, r.taken), (502, Some(359.0)));
        let stamp = r.stamp.unwrap();
        assert_eq!((stamp.zone, stamp.len), (StampZone::Naive, 23));
    }

    #[test]
    fn a_later_header_changes_the_columns() {
        let mut columns = Columns::of_head(b"#Fields: date time c-ip sc-status\n").unwrap();
        columns.follow(b"#Fields: date time sc-status c-ip");
        let r = columns.request(b"2024-03-08 14:02:11 404 198.51.100.23").unwrap();
        assert_eq!((r.status, &r.client[..]), (404, &b"198.51.100.23"[..]));
    }

    #[test]
    fn a_line_shorter_than_its_header() {
        // The date is not the first column, and lines end before the last column.
        let head = "#Fields: x-edge-location date time c-ip cs-method cs-uri-stem sc-status time-taken\n";
        let columns = Columns::of_head(head.as_bytes()).unwrap();
        for line in [
            "",
            "FRA56-P1",
            "FRA56-P1\t2024-03-08",
            "FRA56-P1\t2024-03-08\t14:02:11\t198.51.100.23",
        ] {
            assert!(columns.request(line.as_bytes()).is_none(), "{line:?}");
            let _ = columns.stamp_at(line.as_bytes()).and_then(|at| columns.parse_stamp(at));
        }
        let spaced = Columns::of_head(b"#Fields: s-ip date time c-ip sc-status\n").unwrap();
        for line in ["", "10.0.0.1", "10.0.0.1 2024-03-08", "10.0.0.1 \"2024-03-08", "  "] {
            assert!(spaced.request(line.as_bytes()).is_none(), "{line:?}");
            let _ = spaced.stamp_at(line.as_bytes());
        }
    }

    #[test]
    fn decoys() {
        let columns = Columns::of_head(b"#Software: NetScaler\n#Fields: date time c-ip sc-status time-taken\n").unwrap();
        // A whole time-taken from software that does not say its unit is not guessed.
        assert_eq!(
            columns.request(b"2024-03-08 14:02:11 198.51.100.23 200 1").unwrap().duration_ms,
            None
        );
        // A line with fewer fields than the columns, or no status where the status goes.
        assert!(columns.request(b"2024-03-08 14:02:11").is_none());
        assert!(columns.request(b"2024-03-08 14:02:11 198.51.100.23 OK 1").is_none());
        assert!(Columns::of_head(b"2024-03-08 14:02:11 a line of another log\n").is_none());
        assert!(!W3c::looks_like(b"2024-03-08T14:02:11Z INFO started"));
        // A tab-separated app log opens with a date and a tab too.
        assert!(!W3c::looks_like(b"2024-03-08\t14:02:11\tERROR\tNo space left on device"));
    }
}
