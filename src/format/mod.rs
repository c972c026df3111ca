//! Log formats: which one a file is (sniffed from its first lines, never from its name),
//! where each line's timestamp is, and, for web access logs, the request fields.
//!
//! A log family is one file in [`families`]: a unit type implementing [`Family`] (its
//! signature, used only on sample lines when sniffing; where a line's timestamp starts
//! and how to read it; the request of an access line), and one line in the `families!`
//! registry below, which makes it a [`Format`]. The scan calls these on every line, so
//! they do no allocation and no regex.

pub mod app_keys;
mod bytemarks;
pub mod families;
mod json;
mod json_path;
mod levels;
mod request;
pub mod traceback;

use crate::time::RawStamp;
use families::*;
use serde::Serialize;
use std::fmt;

pub use families::json_access::{AccessFields, FieldPath, RecordLayout, TimeUnit};

/// What a file's head says about how its lines are read, where its lines do not say it
/// themselves: the columns a W3C file's `#Fields:` names, or the fields a JSON access
/// log's records are read by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Columns {
    W3c(families::w3c::Columns),
    Json(AccessFields),
}

impl Columns {
    /// A W3C `#Fields:` line met while scanning replaces the columns.
    #[inline]
    pub fn follow(&mut self, line: &[u8]) {
        if let Columns::W3c(columns) = self {
            columns.follow(line);
        }
    }

    /// A line's request; `layout` remembers how the JSON records before it were laid out
    /// (see [`RecordLayout`]), which reads the next one faster and changes nothing read.
    #[inline]
    pub fn request<'a>(&self, line: &'a [u8], layout: &mut RecordLayout) -> Option<Request<'a>> {
        match self {
            Columns::W3c(columns) => columns.request(line),
            Columns::Json(fields) => fields.request_following(line, layout),
        }
    }

    #[inline]
    pub fn stamp_at<'a>(&self, line: &'a [u8]) -> Option<&'a [u8]> {
        match self {
            Columns::W3c(columns) => columns.stamp_at(line),
            Columns::Json(fields) => fields.stamp_at(line),
        }
    }

    #[inline]
    pub fn parse_stamp(&self, at: &[u8]) -> Option<RawStamp> {
        match self {
            Columns::W3c(columns) => columns.parse_stamp(at),
            Columns::Json(fields) => fields.parse_stamp(at),
        }
    }
}
pub(crate) use json::string_close as json_string_close;

/// A line's request details as its family reads them, as text: user agent, upstream,
/// host (the families' tests).
#[cfg(test)]
pub(crate) fn details_of<F: Family>(line: &[u8]) -> [Option<String>; 3] {
    let at = F::request(line).map_or(0, |r| r.details_at as usize);
    let d = F::details(line, at);
    [d.user_agent, d.upstream, d.host].map(|v| v.map(|v| String::from_utf8_lossy(&v).into_owned()))
}

/// [`Family::details`]' upstream status of one line, as text (for tests).
#[cfg(test)]
pub(crate) fn upstream_status_of<F: Family>(line: &[u8]) -> Option<String> {
    let at = F::request(line).map_or(0, |r| r.details_at as usize);
    F::details(line, at)
        .upstream_status
        .map(|v| String::from_utf8_lossy(&v).into_owned())
}
pub use levels::{generic_head, Head, Level};
pub use request::{url_host, Request, RequestDetails};

/// One log family: what the scan needs to know of its lines.
pub trait Family {
    /// The stable name used in output and in rule `sources`.
    const NAME: &'static str;
    /// The layer of the stack its logs come from.
    const KIND: SourceKind;
    /// What it is, in a few words.
    const ABOUT: &'static str;
    /// The broader family this one is a special case of: PostgreSQL through syslog is
    /// syslog whose lines mostly come from postgres. Sniffing prefers the special case
    /// when it covers at least half of what the broader one does.
    const REFINES: Option<Format> = None;
    /// A last resort that reads what others do not: sniffing takes it only when it
    /// reads more than twice the lines the best other family reads, so a family that
    /// knows the lines (an access log with a few odd ones) keeps its file.
    const FALLBACK: bool = false;

    /// Does the head of a file declare it of this family, whatever its lines look like
    /// (a W3C log's `#Fields:` header)? Asked before lines are counted.
    fn declared_by(_head: &[u8]) -> bool {
        false
    }

    /// Does this line carry the family's signature? Used only for sniffing.
    fn looks_like(line: &[u8]) -> bool;

    /// Where this line's timestamp starts, if it has one. The slice runs to the end of
    /// the line; the scan compares its head with the previous line's to skip parsing.
    /// Most families start their lines with it.
    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        Some(line)
    }

    /// Parses the timestamp at the slice [`Family::stamp_at`] returned; most families
    /// write ISO 8601 (`2024-01-21 15:28:03,120`, `2024-01-21T15:28:03.120Z` …).
    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        crate::time::parse_iso(at)
    }

    /// The request fields of a web access line; `None` for other families.
    fn request(_line: &[u8]) -> Option<Request<'_>> {
        None
    }

    /// A stamp elsewhere in the line that prints its year, for a family whose own stamp
    /// may print none (HAProxy's accept date behind a syslog header): where the year of a
    /// file of year-less stamps is read. Asked of a file's head and tail only.
    fn dated_stamp(_line: &[u8]) -> Option<RawStamp> {
        None
    }

    /// The details of the request of a line [`Family::request`] read (its user agent,
    /// referrer, upstream, host), where the family's lines carry them, from `at` (the request's
    /// [`Request::details_at`]). Asked only of the lines the traffic's fields are counted
    /// by: a few in a hundred.
    fn details(_line: &[u8], _at: usize) -> RequestDetails<'_> {
        RequestDetails::default()
    }

    /// The line's level and message, its timestamp ending at `stamp_end`; `None` when the
    /// line is not a record of its own (the detail lines of a PostgreSQL error) or when the
    /// family's lines are counted otherwise (access lines). Most families print a level
    /// word soon after the stamp.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        Some(generic_head(line.get(stamp_end..)?))
    }

    /// For a family whose entries span several lines: what the rest of the entry says
    /// (the statement of a slow-log entry), found in the [`ENTRY_WINDOW`] bytes
    /// `following` a line. Asked only of the first line of a run; `None` where entries
    /// are single lines.
    fn entry_rest(_following: &[u8]) -> Option<&[u8]> {
        None
    }
}

/// How many bytes after a line [`Family::entry_rest`] sees: always this many (or to the
/// end of the file), wherever the scan's chunks end, so that what it finds does not
/// depend on how the file was cut. A slow-log entry's `use` and `SET timestamp` lines and
/// the head of its statement fit.
pub const ENTRY_WINDOW: usize = 4096;

/// The UTF-8 byte order mark some Windows tools write before a file's first line.
pub const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// The layer of the stack a log comes from; drives rule selection and causal order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Web,
    App,
    Db,
    System,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Web => "web",
            SourceKind::App => "app",
            SourceKind::Db => "db",
            SourceKind::System => "system",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The registry: every family, as a [`Format`] the scan dispatches on. The order is the
/// sniffing tie-break: when two formats recognise as many sample lines, the earlier (more
/// specific) one wins.
macro_rules! families {
    ($($variant:ident => $family:ty,)*) => {
        /// Every format the scan reads: one a [`Family`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum Format { $(#[doc = concat!("See [`", stringify!($family), "`].")] $variant,)* }

        impl Format {
            pub const ALL: &'static [Format] = &[$(Format::$variant,)*];

            /// The stable name used in output and in rule `sources`.
            pub fn name(self) -> &'static str {
                match self { $(Format::$variant => <$family>::NAME,)* }
            }

            pub fn kind(self) -> SourceKind {
                match self { $(Format::$variant => <$family>::KIND,)* }
            }

            /// What the format is, in a few words.
            pub fn about(self) -> &'static str {
                match self { $(Format::$variant => <$family>::ABOUT,)* }
            }

            /// See [`Family::REFINES`].
            pub(crate) fn refines(self) -> Option<Format> {
                match self { $(Format::$variant => <$family>::REFINES,)* }
            }

            fn is_fallback(self) -> bool {
                match self { $(Format::$variant => <$family>::FALLBACK,)* }
            }

            /// See [`Family::declared_by`].
            fn declared_by(self, head: &[u8]) -> bool {
                match self { $(Format::$variant => <$family>::declared_by(head),)* }
            }

            /// See [`Family::looks_like`].
            fn looks_like(self, line: &[u8]) -> bool {
                match self { $(Format::$variant => <$family>::looks_like(line),)* }
            }

            /// See [`Family::stamp_at`].
            #[inline]
            pub fn stamp_at(self, line: &[u8]) -> Option<&[u8]> {
                match self { $(Format::$variant => <$family>::stamp_at(line),)* }
            }

            /// See [`Family::parse_stamp`].
            #[inline]
            pub fn parse_stamp(self, at: &[u8]) -> Option<RawStamp> {
                match self { $(Format::$variant => <$family>::parse_stamp(at),)* }
            }

            /// See [`Family::dated_stamp`].
            pub(crate) fn dated_stamp(self, line: &[u8]) -> Option<RawStamp> {
                match self { $(Format::$variant => <$family>::dated_stamp(line),)* }
            }

            /// See [`Family::request`].
            #[inline]
            pub fn request(self, line: &[u8]) -> Option<Request<'_>> {
                match self { $(Format::$variant => <$family>::request(line),)* }
            }

            /// See [`Family::details`].
            pub fn details(self, line: &[u8], at: usize) -> RequestDetails<'_> {
                match self { $(Format::$variant => <$family>::details(line, at),)* }
            }

            /// See [`Family::head`].
            #[inline]
            pub fn head(self, line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
                match self { $(Format::$variant => <$family>::head(line, stamp_end),)* }
            }

            /// See [`Family::entry_rest`].
            pub fn entry_rest(self, following: &[u8]) -> Option<&[u8]> {
                match self { $(Format::$variant => <$family>::entry_rest(following),)* }
            }
        }
    };
}

families! {
    AccessLog => access_log::AccessLog,
    JsonAccess => json_access::JsonAccess,
    Uwsgi => uwsgi::Uwsgi,
    HaproxyHttp => haproxy_http::HaproxyHttp,
    Envoy => envoy::Envoy,
    AwsElb => aws_elb::AwsElb,
    S3Access => s3_access::S3Access,
    W3c => w3c::W3c,
    NginxError => nginx_error::NginxError,
    ApacheError => apache_error::ApacheError,
    MysqlSlow => mysql_slow::MysqlSlow,
    MysqlGeneral => mysql_general::MysqlGeneral,
    MysqlError => mysql_error::MysqlError,
    Pgbouncer => pgbouncer::Pgbouncer,
    Postgres => postgres::Postgres,
    PostgresSyslog => postgres_syslog::PostgresSyslog,
    Syslog => syslog::Syslog,
    TaggedSyslog => tagged_syslog::TaggedSyslog,
    Librdkafka => librdkafka::Librdkafka,
    Laravel => laravel::Laravel,
    Rails => rails::Rails,
    Glog => glog::Glog,
    Log4jShort => log4j_short::Log4jShort,
    Logback => logback::Logback,
    Python => python::Python,
    JsonLines => json_lines::JsonLines,
    MonthFirst => month_first::MonthFirst,
    Timestamped => timestamped::Timestamped,
    Prefixed => prefixed::Prefixed,
    Unknown => unknown::Unknown,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The columns a file of this format names in its head (W3C's `#Fields:`), or the
    /// fields its records are read by (JSON access logs); `None` for formats whose lines
    /// say what they hold.
    pub fn columns_of(self, head: &[u8]) -> Option<Columns> {
        match self {
            Format::W3c => families::w3c::Columns::of_head(head).map(Columns::W3c),
            Format::JsonAccess => AccessFields::of_head(head).map(Columns::Json),
            _ => None,
        }
    }

    /// [`Format::request`], read by the file's [`Columns`] where it has them.
    #[inline]
    pub fn request_in<'a>(self, line: &'a [u8], columns: Option<&Columns>, layout: &mut RecordLayout) -> Option<Request<'a>> {
        match columns {
            Some(columns) => columns.request(line, layout),
            None => self.request(line),
        }
    }

    /// [`Format::details`], read by the file's [`Columns`] where it has them.
    pub fn details_in<'a>(self, line: &'a [u8], at: usize, columns: Option<&Columns>) -> RequestDetails<'a> {
        match columns {
            Some(Columns::Json(_)) => families::json_access::details_by_name(line),
            Some(Columns::W3c(columns)) => columns.details(line),
            None => self.details(line, at),
        }
    }

    /// [`Format::parse_stamp`], as the file's [`Columns`] say where it has them.
    #[inline]
    pub fn parse_stamp_in(self, at: &[u8], columns: Option<&Columns>) -> Option<RawStamp> {
        match columns {
            Some(columns) => columns.parse_stamp(at),
            None => self.parse_stamp(at),
        }
    }

    /// [`Format::stamp_at`], found by the file's [`Columns`] where it has them.
    #[inline]
    pub fn stamp_at_in<'a>(self, line: &'a [u8], columns: Option<&Columns>) -> Option<&'a [u8]> {
        match columns {
            Some(columns) => columns.stamp_at(line),
            None => self.stamp_at(line),
        }
    }
}

/// The pieces of `text` between its newlines, as `text.split(|&b| b == b'\n')` gives
/// them (the piece after the last newline included, empty or not), found with `memchr`:
/// heads of ten thousand files are split many times over while they are probed.
pub(crate) fn lines(text: &[u8]) -> Lines<'_> {
    Lines { rest: text, done: false }
}

/// See [`lines`].
pub(crate) struct Lines<'a> {
    rest: &'a [u8],
    done: bool,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        match memchr::memchr(b'\n', self.rest) {
            Some(end) => {
                let line = &self.rest[..end];
                self.rest = &self.rest[end + 1..];
                Some(line)
            }
            None => {
                self.done = true;
                Some(self.rest)
            }
        }
    }
}

impl<'a> DoubleEndedIterator for Lines<'a> {
    fn next_back(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        match memchr::memrchr(b'\n', self.rest) {
            Some(start) => {
                let line = &self.rest[start + 1..];
                self.rest = &self.rest[..start];
                Some(line)
            }
            None => {
                self.done = true;
                Some(self.rest)
            }
        }
    }
}

/// How many sample lines sniffing looks at, at most.
pub const SNIFF_LINES: usize = 64;

/// The result of sniffing a file's first lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub format: Format,
    /// Sample lines that carried the format's signature.
    pub matched: usize,
    /// Non-empty sample lines looked at.
    pub sampled: usize,
}

/// Picks the format that recognises the most of the first non-empty lines of `head`,
/// unless a format declares the file its own first ([`Family::declared_by`]: a W3C
/// header, month-first dates the file shows). A file whose lines match no signature but
/// begin with a timestamp is `Timestamped`; one with neither is `Unknown`.
pub fn sniff(head: &[u8]) -> Sniffed {
    let lines = sniffed_lines(head);
    if let Some(&format) = Format::ALL.iter().find(|f| f.declared_by(head)) {
        return Sniffed {
            format,
            // What it declared it reads: lines of its signature, or that it times.
            matched: lines
                .iter()
                .filter(|l| format.looks_like(l) || format.stamp_at(l).and_then(|at| format.parse_stamp(at)).is_some())
                .count(),
            sampled: lines.len(),
        };
    }
    let counts: Vec<(Format, usize)> = Format::ALL
        .iter()
        .map(|&f| (f, lines.iter().filter(|l| f.looks_like(l)).count()))
        .collect();
    let mut best = Sniffed {
        format: Format::Unknown,
        matched: 0,
        sampled: lines.len(),
    };
    for &(format, matched) in counts.iter().filter(|(f, _)| !f.is_fallback()) {
        if matched > best.matched {
            best = Sniffed {
                format,
                matched,
                sampled: lines.len(),
            };
        }
    }
    for &(format, matched) in counts.iter().filter(|(f, _)| f.is_fallback()) {
        if matched > 2 * best.matched {
            best = Sniffed {
                format,
                matched,
                sampled: lines.len(),
            };
        }
    }
    // A special case wins over its broader format when it covers at least half of it
    // (a syslog file where postgres wrote most lines is a database log).
    let refinement = counts
        .iter()
        .find(|(f, n)| f.refines() == Some(best.format) && *n > 0 && *n * 2 >= best.matched);
    if let Some(&(format, matched)) = refinement {
        best = Sniffed {
            format,
            matched,
            sampled: lines.len(),
        };
    }
    best
}

/// The lines of a head the sniffer weighs: the first [`SNIFF_LINES`] that are not blank.
fn sniffed_lines(head: &[u8]) -> Vec<&[u8]> {
    lines(head)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(SNIFF_LINES)
        .collect()
}

/// `head` read as `format`, where most of its lines look like that format's: the sniff of
/// a piece of a stream whose first piece was sniffed as `format` (one writer wrote them
/// all), without weighing every family again; `None` where they do not, or for a format
/// known by a header or by nothing, a last resort (which must beat the others twice), or
/// one a special case may refine (a syslog piece of the incident's day may be mostly
/// HAProxy's lines): those are sniffed in full.
pub fn reads_as(head: &[u8], format: Format) -> Option<Sniffed> {
    let refined = Format::ALL.iter().any(|f| f.refines() == Some(format));
    if format == Format::Unknown || format == Format::W3c || format.is_fallback() || refined {
        return None;
    }
    let lines = sniffed_lines(head);
    let matched = lines.iter().filter(|l| format.looks_like(l)).count();
    (matched > 0 && matched * 2 > lines.len()).then_some(Sniffed {
        format,
        matched,
        sampled: lines.len(),
    })
}

/// A container runtime's JSON record (Docker's json-file
/// `{"log":"…","stream":"stdout","time":"…"}`; a shipper's `{"log":"…","file":"…"}`).
pub(crate) struct ContainerRecord<'a> {
    /// What the program printed, escapes decoded.
    pub(crate) text: std::borrow::Cow<'a, [u8]>,
    /// The runtime's time as written; empty where the record has none.
    pub(crate) time: &'a [u8],
    pub(crate) stderr: bool,
}

/// Reads a line as a [`ContainerRecord`], if it has a `log` text.
pub(crate) fn container_record(line: &[u8]) -> Option<ContainerRecord<'_>> {
    wrapped_record(line, &[json::Key::Log], &[json::Key::Time])
}

/// Reads a line of Loki's `logcli query --output=jsonl`
/// (`{"labels":{…},"line":"…","timestamp":"2024-03-04T09:37:18.780123456Z"}`) as a
/// [`ContainerRecord`].
pub(crate) fn loki_record(line: &[u8]) -> Option<ContainerRecord<'_>> {
    wrapped_record(line, &[json::Key::Line], &[json::Key::Timestamp])
}

/// Reads a line a log shipper wrote (Filebeat's and Logstash's
/// `{"@timestamp":…,"message":"…"}`, Vector's `{"message":"…","timestamp":…}`, Fluent
/// Bit's `{"date":…,"log":"…"}`) as a [`ContainerRecord`].
pub(crate) fn shipper_record(line: &[u8]) -> Option<ContainerRecord<'_>> {
    use json::Key;
    wrapped_record(line, &[Key::Message, Key::Log], &[Key::AtTimestamp, Key::Timestamp, Key::Time])
}

fn wrapped_record<'a>(line: &'a [u8], text: &[json::Key], time: &[json::Key]) -> Option<ContainerRecord<'a>> {
    use std::borrow::Cow;
    let record = json::Record::of(line);
    let text = record.string(text)?;
    let stderr = record.string(&[json::Key::Stream]).is_some_and(|s| &s[..] == b"stderr");
    let time = match record.string(time) {
        Some(Cow::Borrowed(time)) => time,
        Some(Cow::Owned(_)) => return None,
        None => b"",
    };
    Some(ContainerRecord { text, time, stderr })
}

/// The text after `n` space-separated fields (runs of spaces count as one separator).
pub(crate) fn skip_fields(line: &[u8], n: usize) -> Option<&[u8]> {
    let mut rest = line;
    for _ in 0..n {
        let space = memchr::memchr(b' ', rest)?;
        rest = &rest[space..];
        let skip = rest.iter().take_while(|&&b| b == b' ').count();
        rest = &rest[skip..];
    }
    Some(rest)
}

/// Whether two short texts (field names, statuses, keys, a stamp's date) are the same,
/// compared eight bytes at a time in place rather than by a call to `memcmp`: the call
/// costs more than the comparison for the few bytes of a name.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a, mut b) = (a, b);
    while let (Some((mine, my_rest)), Some((theirs, their_rest))) = (a.split_first_chunk::<8>(), b.split_first_chunk::<8>()) {
        if mine != theirs {
            return false;
        }
        a = my_rest;
        b = their_rest;
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Whether `bytes` begin with `prefix`, compared as [`same_bytes`] compares.
#[inline]
pub(crate) fn begins_with(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.get(..prefix.len()).is_some_and(|head| same_bytes(head, prefix))
}

/// Where a short `needle` (`": "`, `"] "`, `" -- "`) first is in `haystack`, as
/// `memmem::find` finds it: its first byte that is not a space by `memchr` (spaces are
/// everywhere in a line, a colon or a bracket seldom), the rest compared in place.
/// `memmem::find` builds a searcher on each call, which costs more than searching a line
/// for a needle of a few bytes; line parsers that run on every line use this.
#[inline]
pub(crate) fn find_short(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let anchor = needle.iter().position(|&b| b != b' ').unwrap_or(0);
    let Some(&wanted) = needle.get(anchor) else {
        return Some(0);
    };
    let mut from = anchor;
    while let Some(found) = memchr::memchr(wanted, haystack.get(from..)?) {
        let at = from + found - anchor;
        if begins_with(&haystack[at..], needle) {
            return Some(at);
        }
        from += found + 1;
    }
    None
}

/// True if `haystack` contains `needle`.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn a_short_needle_is_found_where_memmem_finds_it(
            haystack in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(b':'), proptest::strategy::Just(b' '), proptest::strategy::Just(b']'), proptest::prelude::any::<u8>()], 0..64),
            needle in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(b':'), proptest::strategy::Just(b' '), proptest::strategy::Just(b']'), proptest::prelude::any::<u8>()], 0..4),
        ) {
            proptest::prop_assert_eq!(find_short(&haystack, &needle), memchr::memmem::find(&haystack, &needle));
        }
    }

    fn sniffed(text: &str) -> Format {
        sniff(text.as_bytes()).format
    }

    #[test]
    fn a_piece_reads_as_its_first_piece_only_where_its_lines_say_so() {
        let access = "10.0.0.7 - - [31/Mar/2025:09:37:18 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"\n".repeat(3);
        let read = reads_as(access.as_bytes(), Format::AccessLog).unwrap();
        assert_eq!((read.format, read.matched, read.sampled), (Format::AccessLog, 3, 3));
        // Decoys: a piece whose writer changed (a syslog line in a set of access logs), a
        // piece of a format known by its header, a first piece of no family.
        let syslog = "Mar 31 09:37:18 web-1 nginx[12]: worker exited\n".repeat(3);
        assert_eq!(reads_as(syslog.as_bytes(), Format::AccessLog), None);
        assert_eq!(reads_as(access.as_bytes(), Format::W3c), None);
        assert_eq!(reads_as(access.as_bytes(), Format::Unknown), None);
        let haproxy = "Mar 31 09:37:18 lb-1 haproxy[12]: 10.0.0.7:51122 [31/Mar/2025:09:37:18.101] web~ app/a1 0/0/1/2/3 502 5 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"\n";
        assert_eq!(reads_as(haproxy.repeat(3).as_bytes(), Format::Syslog), None);
        assert_eq!(reads_as(b"", Format::AccessLog), None);
    }

    #[test]
    fn lines_are_the_pieces_split_gives() {
        for text in [&b""[..], b"\n", b"a", b"a\n", b"a\nb", b"\n\na\r\nb\n\n", b"one\ntwo\nthree"] {
            let split: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            assert_eq!(lines(text).collect::<Vec<_>>(), split);
            let backwards: Vec<&[u8]> = split.iter().rev().copied().collect();
            assert_eq!(lines(text).rev().collect::<Vec<_>>(), backwards);
        }
        // From both ends at once, each piece once.
        let mut both = lines(b"a\nb\nc");
        assert_eq!(
            (both.next(), both.next_back(), both.next(), both.next()),
            (Some(&b"a"[..]), Some(&b"c"[..]), Some(&b"b"[..]), None)
        );
    }

    #[test]
    fn every_format_has_a_unique_name() {
        let mut names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Format::ALL.len());
        assert_eq!(Format::from_name("mysql_slow"), Some(Format::MysqlSlow));
    }

    #[test]
    fn sniffs_each_family_from_lines_we_wrote() {
        let cases = [
            ("10.0.0.1 - - [21/Jan/2024:15:30:00 -0500] \"GET /cart HTTP/1.1\" 500 12 \"-\" \"curl/8\"\n", Format::AccessLog),
            ("10.0.0.1 - - [21/Jan/2024:15:30:00 -0500] \"POST /pay HTTP/1.1\" 200 12\n", Format::AccessLog),
            ("{\"time\":\"2024-01-21T15:30:00Z\",\"remote_addr\":\"10.0.0.1\",\"request\":\"GET / HTTP/1.1\",\"status\":502}\n", Format::JsonAccess),
            ("{\"EdgeStartTimestamp\":1705851000123000000,\"ClientIP\":\"10.0.0.1\",\"ClientRequestMethod\":\"GET\",\"ClientRequestURI\":\"/cart\",\"EdgeResponseStatus\":522}\n", Format::JsonAccess),
            ("[2024-01-21T15:30:00.310Z] \"GET /pay HTTP/1.1\" 503 UH 0 19 0 - \"-\" \"curl/8\" \"8f2c\" \"shop\" \"-\"\n", Format::Envoy),
            ("2024/01/21 15:30:00 [error] 12#12: *9 upstream timed out (110: Connection timed out) while reading response header from upstream\n", Format::NginxError),
            ("[Sun Jan 21 15:30:00.123456 2024] [proxy:error] [pid 12:tid 34] AH00957: HTTP: attempt to connect to 10.0.0.2:8080 failed\n", Format::ApacheError),
            ("Jan 21 15:30:01 web1 CRON[4242]: (root) CMD (/usr/local/bin/optimize-tables)\n", Format::Syslog),
            ("<34>1 2024-01-21T15:30:00.003Z web1 su - ID47 - 'su root' failed\n", Format::Syslog),
            ("2024-01-21T15:28:03.123456Z 12 [Note] [MY-010000] [Server] ready\n", Format::MysqlError),
            ("240121 15:28:03 [ERROR] /usr/sbin/mysqld: Table './shop/orders' is marked as crashed\n", Format::MysqlError),
            ("# Time: 2024-01-21T15:28:03.000000Z\n# User@Host: shop[shop] @ localhost []  Id: 7\n# Query_time: 12.5  Lock_time: 11.0 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1705851483;\nSELECT 1;\n", Format::MysqlSlow),
            ("2024-01-21 15:28:03.120 EST [4242] LOG:  process 4242 still waiting for ShareLock on transaction 7 after 1000.123 ms\n", Format::Postgres),
            ("2024-01-21 15:28:03 EST [4242]: [3-1] user=shop,db=shop LOG:  duration: 1.0 ms\n", Format::Postgres),
            ("2024-01-21 15:28:03.586 EST [10384] LOG C-0x55: shop/shop@10.0.0.5:3829 closing because: client close request (age=5s)\n", Format::Pgbouncer),
            ("2024-01-21 15:28:03,120 ERROR sqlalchemy.pool: QueuePool limit of size 5 overflow 10 reached\n", Format::Python),
            ("2024-01-21 15:28:03.120  INFO 4242 --- [main] com.shop.App : Started App in 3.2 seconds (JVM running for 4.0)\n", Format::Logback),
            ("[2024-01-21 15:28:03] production.ERROR: SQLSTATE[HY000] [1040] Too many connections\n", Format::Laravel),
            ("E, [2024-01-21T15:28:03.123456 #4242] ERROR -- : could not obtain a connection from the pool within 5.000 seconds\n", Format::Rails),
            ("{\"ts\":1705851483.5,\"level\":\"error\",\"msg\":\"boom\"}\n", Format::JsonLines),
            ("2024-01-21 15:28:03 something we do not know\n", Format::Timestamped),
            ("no timestamps here\nnor here\n", Format::Unknown),
            (
                "Feb 11 13:15:39 db1 postgres[10808]: [1-1] LOG:  listening\nFeb 11 13:15:41 db1 systemd[1]: Started PostgreSQL.\nFeb 11 13:15:42 db1 postgres[10808]: [2-1] LOG:  ready\n",
                Format::PostgresSyslog,
            ),
            ("Feb 11 13:15:39 db1 postgres[10808]: [1-1] LOG:  x\nFeb 11 13:15:41 db1 systemd[1]: a\nFeb 11 13:15:42 db1 cron[2]: b\n", Format::Syslog),
        ];
        for (text, expected) in cases {
            assert_eq!(sniffed(text), expected, "{text}");
        }
    }
}
