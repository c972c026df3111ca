//! The per-line loop over one chunk: timestamps (parsed once per distinct stamp), access
//! lines into the series, and rule hits into the chunk's runs and tallies.

use super::app_fields::AppFields;
use super::hits::{Hits, LineText, Mark, Signal};
use super::pulse::Pulse;
use super::series::{Series, SeriesBuilder};
use super::templates::Templates;
use super::{FilePlan, ScanOptions};
use crate::format::{same_bytes, Columns, Format, Level, Request, SourceKind, UTF8_BOM};
use crate::rules::{RuleSet, Severity};

/// A template's hit carries no captured fields.
const NO_FIELDS: [(&str, &str); 0] = [];
use crate::text::{clean_line, MESSAGE_CHARS};
use crate::time::{self, Micros, TimeContext};

/// An event before the reduce step has made its line absolute and given it a time.
pub(super) struct ChunkEvent {
    pub(super) line: u64,
    pub(super) offset: u64,
    pub(super) time: Option<Micros>,
    pub(super) signal: Signal,
    pub(super) message: Box<str>,
    pub(super) fields: Vec<(Box<str>, Box<str>)>,
}

/// What one chunk yields.
pub(super) struct ChunkResult {
    pub(super) lines: u64,
    pub(super) timestamped: u64,
    pub(super) first: Option<Micros>,
    pub(super) last: Option<Micros>,
    /// The time of the last timestamped line: the time of stamp-less lines at the start
    /// of the next chunk.
    pub(super) tail_time: Option<Micros>,
    pub(super) cut_lines: u64,
    /// The matched lines with a time.
    pub(super) hits: Hits,
    /// The matched lines before the chunk's first timestamp: they take the time of the
    /// record above them, which only the chunks before know.
    pub(super) untimed: Hits,
    /// Every matched line, when the options keep them.
    pub(super) events: Vec<ChunkEvent>,
    pub(super) series: Series,
    /// The templates of the chunk's timestamped records (access lines aside), and of the
    /// exception lines that continue them.
    pub(super) templates: Templates,
    /// Those of exception lines before the chunk's first time: timed by what came before.
    pub(super) untimed_templates: Templates,
    /// Its failure lines per second.
    pub(super) pulse: Pulse,
    /// The values of its records' class fields (a JSON application log's).
    pub(super) app_fields: AppFields,
    /// The columns in force at its end (W3C), for the stream's next chunk.
    pub(super) columns: Option<Columns>,
}

/// Remembers the last parsed timestamp so that a run of lines stamped with the same
/// bytes (many requests in one second) is parsed once; and where its fraction of a
/// second is, so that stamps of the same second that differ only there (`…14:30:00.005`,
/// `…14:30:00.006`, as most JSON and application logs write them) are not parsed again
/// either.
struct StampCache {
    bytes: Vec<u8>,
    time: Option<Micros>,
    /// The digits of the fraction in `bytes`, and `time` without them.
    fraction: Option<(std::ops::Range<usize>, Option<Micros>)>,
}

/// The fraction of a second in a stamp's bytes: the digits after the `.` or `,` that
/// follows a clock's seconds (`:SS.`), at most nine of them.
fn fraction_digits(stamp: &[u8]) -> Option<std::ops::Range<usize>> {
    let dot = stamp.iter().position(|&b| b == b'.' || b == b',')?;
    let seconds = stamp.get(dot.checked_sub(3)?..dot)?;
    if !(seconds[0] == b':' && seconds[1].is_ascii_digit() && seconds[2].is_ascii_digit()) {
        return None;
    }
    let digits = stamp[dot + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=9).contains(&digits).then(|| dot + 1..dot + 1 + digits)
}

/// Microseconds of a fraction's digits (`005` → 5,000; `123456789` → 123,456).
#[inline]
fn fraction_micros(digits: &[u8]) -> Micros {
    let mut micros: Micros = 0;
    for i in 0..6 {
        micros = micros * 10 + digits.get(i).map_or(0, |d| Micros::from(d - b'0'));
    }
    micros
}

/// A timestamp recognised at the start of a slice: its instant (`None` for a date that
/// does not exist) and how many bytes it took.
#[derive(Clone, Copy)]
struct Stamped {
    time: Option<Micros>,
    len: usize,
}

/// Whether the bytes after a stamp's first `n` could still belong to it: more digits, a
/// fraction, an offset (`+0800`, `-05:00`, `Z`) or a zone name (` CEST`). Then the bytes
/// that matched the last stamp are only its head, and the line is parsed.
#[inline]
fn may_continue(at: &[u8], n: usize) -> bool {
    match at.get(n) {
        None => false,
        Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'.' | b',' | b':' | b'+' | b'-') => true,
        Some(b' ') => at.get(n + 1).is_some_and(|c| c.is_ascii_uppercase() || matches!(c, b'+' | b'-')) && time::zone_follows(&at[n..]),
        Some(_) => false,
    }
}

impl StampCache {
    #[inline]
    fn stamp_of(&mut self, at: &[u8], format: Format, columns: Option<&Columns>, ctx: &mut TimeContext) -> Option<Stamped> {
        let n = self.bytes.len();
        // Same bytes, and not the head of a longer stamp.
        if n > 0 && at.len() >= n && same_bytes(&at[..n], &self.bytes) && !may_continue(at, n) {
            return Some(Stamped { time: self.time, len: n });
        }
        // Same bytes but for the fraction's digits: the same second.
        if let Some((digits, second)) = &self.fraction {
            let same_second = at.len() >= n
                && same_bytes(&at[..digits.start], &self.bytes[..digits.start])
                && at[digits.clone()].iter().all(u8::is_ascii_digit)
                && same_bytes(&at[digits.end..n], &self.bytes[digits.end..])
                && !may_continue(at, n);
            if same_second {
                let time = second.map(|t| t + fraction_micros(&at[digits.clone()]));
                return Some(Stamped { time, len: n });
            }
        }
        let stamp = format.parse_stamp_in(at, columns)?;
        let time = ctx.resolve(&stamp);
        self.bytes.clear();
        self.bytes.extend_from_slice(&at[..stamp.len]);
        self.time = time;
        self.fraction = fraction_digits(&self.bytes).map(|digits| {
            let second = time.map(|t| t - fraction_micros(&self.bytes[digits.clone()]));
            (digits, second)
        });
        Some(Stamped { time, len: stamp.len })
    }
}

/// Scans the lines of one chunk. `base` is the absolute offset of `data[0]`.
/// Scans the lines of `data`, which start at offset `base` of their file; `lookahead`
/// is what follows them in the file, up to [`crate::format::ENTRY_WINDOW`] bytes.
///
/// `columns` are those the file's header named before the chunk (W3C); a `#Fields:` line
/// in the chunk changes them, and the result says which hold at its end.
pub(super) fn scan_chunk(
    data: &[u8],
    lookahead: &[u8],
    base: u64,
    mut columns: Option<Columns>,
    plan: &FilePlan,
    rules: &RuleSet,
    options: &ScanOptions,
) -> ChunkResult {
    let format = plan.format;
    let matcher = rules.matcher(format);
    let web = format.kind() == SourceKind::Web;
    let mut ctx = plan.time.clone();
    let mut cache = StampCache {
        bytes: Vec::with_capacity(40),
        time: None,
        fraction: None,
    };
    let mut result = ChunkResult {
        lines: 0,
        timestamped: 0,
        first: None,
        last: None,
        tail_time: None,
        cut_lines: 0,
        hits: Hits::new(options.gap, options.bucket),
        untimed: Hits::new(options.gap, options.bucket),
        events: Vec::new(),
        series: Series::new(options.bucket),
        templates: Templates::default(),
        untimed_templates: Templates::default(),
        pulse: Pulse::default(),
        app_fields: AppFields::new(options.bucket),
        columns: None,
    };
    let mut series = SeriesBuilder::new(options.bucket);
    let mut layout = crate::format::RecordLayout::default();
    let mut current: Option<Micros> = None;
    // A UTF-8 byte order mark (Windows tools write one) is not part of the first line.
    let mut pos = if base == 0 && data.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let mut hits = matcher.hits();
    let mut next_hit = hits.next_hit(data, pos);
    while pos < data.len() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        let mut line = &data[pos..end];
        if line.len() > options.max_line {
            line = &line[..options.max_line];
            result.cut_lines += 1;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line_index = result.lines;
        result.lines += 1;

        if let Some(columns) = columns.as_mut() {
            columns.follow(line);
        }
        let request = if web {
            format.request_in(line, columns.as_ref(), &mut layout)
        } else {
            None
        };
        let stamp_at = match request {
            Some(Request { stamp_at: Some(at), .. }) => Some(at),
            _ => format.stamp_at_in(line, columns.as_ref()),
        };
        // Where this line's own stamp ends, when it has one that resolves.
        let mut stamp_end = None;
        if let Some(at) = stamp_at {
            if let Some(Stamped { time: Some(t), len }) = cache.stamp_of(at, format, columns.as_ref(), &mut ctx) {
                current = Some(t);
                stamp_end = Some(line.len() - at.len() + len);
                result.timestamped += 1;
                result.first = Some(result.first.map_or(t, |f| f.min(t)));
                result.last = Some(result.last.map_or(t, |l| l.max(t)));
            }
        }

        let mark = Mark {
            time: current.unwrap_or(0),
            file: 0,
            offset: base + pos as u64,
            line: line_index,
        };
        let access = request.is_some();
        // The record's level and message, for what is quoted of it and for its template.
        let head = match (access, stamp_end) {
            (false, Some(stamp_end)) => format.head(line, stamp_end),
            _ => None,
        };
        let text = LineText {
            line,
            message: head.map_or(line, |h| h.message),
            detail: head.map_or(&[][..], |h| h.detail),
            following: data.get(end + 1..).unwrap_or_default(),
            lookahead,
            format,
        };
        let mut named = false;
        if let Some(request) = request {
            if let Some(t) = current {
                let at = request.details_at as usize;
                series.add(t, &request, mark, || format.details_in(line, at, columns.as_ref()));
                // A JSON access record's own classes (a tenant, a shard), its failure an
                // error.
                if !plan.app_keys.is_empty() {
                    result.app_fields.add(t, request.status >= 500, &plan.app_keys, mark, line);
                }
            }
            if let Some(rule) = matcher.match_status(request.status) {
                let digits = status_digits(request.status);
                let status = std::str::from_utf8(&digits).unwrap_or("");
                let failure = rules.get(rule).severity >= Severity::Warning;
                result.record(Signal::Rule(rule), &[("status", status)], mark, current, &text, options.keep_lines);
                if let (true, Some(t)) = (failure, current) {
                    result.pulse.add(t);
                }
            }
        }

        // Pattern hits: the matcher ran ahead over the chunk; act on the one in this line.
        if let Some(hit) = next_hit.filter(|&hit| hit <= end) {
            if hit - pos < line.len() {
                if let Some(found) = matcher.match_line(line) {
                    named = true;
                    result.record(Signal::Rule(found.rule), &found.fields, mark, current, &text, options.keep_lines);
                    if let (true, Some(t)) = (rules.get(found.rule).severity >= Severity::Warning, current) {
                        result.pulse.add(t);
                    }
                }
            }
            next_hit = if end < data.len() { hits.next_hit(data, end + 1) } else { None };
        }

        // A line of a multi-line entry that names the error (`KeyError: 'eur'`, a Java
        // exception, `Caused by: …`) has a template of its own, at its record's time: it
        // says what failed, where the record's first line often says only where
        // (`Exception on /orders/17 [GET]`). It has no level of its own (its record's may be
        // in another chunk), so the timeline judges it as a line without one, unless a rule
        // named it. Before the chunk's first time, its time is the one before the chunk
        // (the previous chunk's last, or the file's first: see `reduce`).
        if stamp_end.is_none() && !access && continues_with_an_exception(line) {
            let table = if current.is_some() {
                &mut result.templates
            } else {
                &mut result.untimed_templates
            };
            table.add(line.trim_ascii(), b"", None, named, mark, line);
        }
        // Every other record's message, as a template; a warning or worse that no rule
        // named is a hit of its own.
        if let Some(head) = head {
            let key = result.templates.add(head.message, head.detail, head.level, named, mark, line);
            if let (false, Some(t)) = (plan.app_keys.is_empty(), current) {
                let error = head.level >= Some(Level::Error);
                result.app_fields.add(t, error, &plan.app_keys, mark, line);
            }
            if !named && head.level >= Some(Level::Warning) {
                result.record(Signal::Template(key), &NO_FIELDS, mark, current, &text, options.keep_lines);
                if let Some(t) = current {
                    result.pulse.add(t);
                }
            }
        }
        pos = end + 1;
    }
    result.tail_time = current;
    result.hits.compact();
    result.untimed.compact();
    result.series = series.finish();
    result.columns = columns;
    result
}

/// Whether a line without a time of its own names an exception (see
/// [`crate::format::traceback::names_an_exception`]). Most lines have a time, and most of
/// the others are frames or statements: their first word and last bytes rule them out
/// before any text is decoded.
fn continues_with_an_exception(line: &[u8]) -> bool {
    let line = line.trim_ascii();
    // The first word names the class (`…Error`, `…Exception`), or it is Go's or Java's
    // opening, or the line ends with the class as Ruby's does: only then is it read as
    // text.
    let word = &line[..memchr::memchr2(b' ', b':', line).unwrap_or(line.len())];
    let named = word.ends_with(b"Error") || word.ends_with(b"Exception");
    let named_last = line.ends_with(b"Error)") || line.ends_with(b"Exception)");
    let opening = [&b"Caused by: "[..], b"panic: ", b"fatal error: "]
        .iter()
        .any(|o| line.starts_with(o));
    (named || named_last || opening) && std::str::from_utf8(line).is_ok_and(crate::format::traceback::names_an_exception)
}

impl ChunkResult {
    /// Folds a matched line into the hits (the untimed ones before the chunk's first
    /// timestamp), and keeps it whole when asked to.
    fn record<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        signal: Signal,
        fields: &[(K, V)],
        mark: Mark,
        time: Option<Micros>,
        text: &LineText<'_>,
        keep_line: bool,
    ) {
        match time {
            Some(_) => self.hits.add(signal, fields, mark, text),
            None => self.untimed.add(signal, fields, mark, text),
        }
        if keep_line {
            self.events.push(ChunkEvent {
                line: mark.line,
                offset: mark.offset,
                time,
                signal,
                message: clean_line(text.line, MESSAGE_CHARS).into(),
                fields: fields.iter().map(|(k, v)| (k.as_ref().into(), v.as_ref().into())).collect(),
            });
        }
    }
}

/// A status code's three digits, to name it without allocating (codes are 100–599).
fn status_digits(status: u16) -> [u8; 3] {
    let status = status.min(999);
    [
        b'0' + (status / 100) as u8,
        b'0' + (status / 10 % 10) as u8,
        b'0' + (status % 10) as u8,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_of_the_same_second_is_read_from_the_cache_as_its_parse_would_read_it() {
        assert_eq!(fraction_digits(b"2024-01-21T14:30:00.005-05:00"), Some(20..23));
        assert_eq!(fraction_digits(b"2024-01-21 14:30:00,123456789"), Some(20..29));
        assert_eq!(fraction_digits(b"2024-01-21T14:30:00Z"), None);
        // A float of epoch seconds has no clock: its fraction is no second's.
        assert_eq!(fraction_digits(b"1709906531.0934"), None);
        assert_eq!(fraction_micros(b"005"), 5_000);
        assert_eq!(fraction_micros(b"123456789"), 123_456);
        let zone: crate::time::Zone = "America/New_York".parse().unwrap();
        let years = crate::time::YearPlan {
            first_year: 2024,
            first_month: 1,
        };
        let stamps: [&[u8]; 9] = [
            b"2024-01-21T14:30:00.005-05:00 a",
            b"2024-01-21T14:30:00.006-05:00 b",
            b"2024-01-21T14:30:00.9-05:00 c",
            b"2024-01-21T14:30:00.999999999-05:00 d",
            b"2024-01-21T14:30:00.006+01:00 e",
            b"2024-01-21T14:30:01.006-05:00 f",
            b"2024-01-21T14:30:01.00x-05:00 g",
            b"2024-03-10 02:30:00.500 h",
            b"2024-03-10 02:30:00.501 i",
        ];
        let mut cache = StampCache {
            bytes: Vec::new(),
            time: None,
            fraction: None,
        };
        let mut ctx = TimeContext::new(zone, years);
        for at in stamps {
            let cached = cache.stamp_of(at, Format::Timestamped, None, &mut ctx).map(|s| (s.time, s.len));
            let parsed = Format::Timestamped
                .parse_stamp(at)
                .map(|stamp| (TimeContext::new(zone, years).resolve(&stamp), stamp.len));
            assert_eq!(cached, parsed, "{}", String::from_utf8_lossy(at));
        }
    }

    #[test]
    fn an_entrys_line_that_names_the_error_is_told_from_the_rest_by_its_first_word() {
        let lines: [(&[u8], bool); 13] = [
            (b"KeyError: 'eur'", true),
            (b"billing.plans.PlanMissingError: no plan", true),
            (b"  java.lang.IllegalStateException: pool closed", true),
            (b"Caused by: java.net.SocketTimeoutException: Read timed out", true),
            (b"panic: runtime error: index out of range [3] with length 3", true),
            (
                b"/srv/app/settle.rb:12:in `settle': stock went negative (Ledger::BalanceError)",
                true,
            ),
            (b"SELECT * FROM orders WHERE id = 7", false),
            (b"Traceback (most recent call last):", false),
            (b"  File \"/srv/app.py\", line 3, in main", false),
            (b"\tat com.shop.Pool.get(Pool.java:88)", false),
            (b"Errors were found: 3", false),
            (b"", false),
            (b"\xff\xfeError: x", false),
        ];
        for (line, names) in lines {
            assert_eq!(continues_with_an_exception(line), names, "{}", String::from_utf8_lossy(line));
        }
    }
}
