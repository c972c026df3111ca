//! JSON access logs, read by meaning: a record is a request when it carries a time, a
//! status and what was asked for (a path, a URL, or a request line), wherever its writer
//! put them and whatever it named them. Each vendor names its own: Cloudflare's
//! `EdgeResponseStatus` and `ClientRequestURI`, Google's `httpRequest.status` and
//! `httpRequest.requestUrl`, Azure's `properties.httpStatusCode`, Akamai's `statusCode`
//! and `reqPath`, Kong's `response.status`, Envoy's `response_code`, nginx's `status` and
//! `request`, ECS's `http.response.status_code` and `url.original`.
//!
//! The fields are found once a file, from its head ([`AccessFields::of_head`]): each role
//! from a table of the names vendors use (compared without case, `_`, `-` or `.`, so
//! `client_ip`, `clientIp` and `ClientIP` are one name), and failing that from a name
//! that says it (`…status…` or `…code…` for a status, `…path…`, `…uri…` or `…url…` for
//! the path) with values of the right shape; a value of the wrong shape never fills a
//! role (`"status":"ok"` is no status). The units are decided for the file as well,
//! never line by line: a time written as a number is in seconds, milliseconds,
//! microseconds or nanoseconds by its magnitude; a duration's unit is in its name
//! (`…Ms`, `…_usec`) or the vendor's, else whole numbers are milliseconds (Envoy's
//! `%DURATION%`) and fractions seconds (nginx's `$request_time`, Caddy). `sources` shows
//! what was found, and `--access-fields` gives it by hand where it cannot be found.

use super::json_lines::JsonLines;
use crate::format::json_path::{self, Scalar};
use crate::format::request::{origin_form, split_request, without_port, Request, RequestDetails};
use crate::format::{same_bytes, Family, Head, SourceKind};
use crate::time::RawStamp;
use std::borrow::Cow;
use std::fmt;

pub struct JsonAccess;

impl Family for JsonAccess {
    const NAME: &'static str = "json_access";
    const KIND: SourceKind = SourceKind::Web;
    const ABOUT: &'static str = "JSON access records (a time, a status and a path, by any names)";

    /// A JSON object whose own fields make a request (its time among them, by any name:
    /// Envoy's `start_time`, Kong's `started_at`).
    fn looks_like(line: &[u8]) -> bool {
        let object = line.trim_ascii();
        object.starts_with(b"{") && object.ends_with(b"}") && AccessFields::of_lines(&[object]).is_some()
    }

    /// As any JSON line; the file's [`AccessFields`] say where it is.
    #[inline]
    fn stamp_at(line: &[u8]) -> Option<&[u8]> {
        JsonLines::stamp_at(line)
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        JsonLines::parse_stamp(at)
    }

    /// A line read on its own, by the fields it shows (the scan reads a file by the
    /// fields of its head: see [`AccessFields`]).
    fn request(line: &[u8]) -> Option<Request<'_>> {
        AccessFields::of_lines(&[line])?.request(line)
    }

    /// A record that is not a request (a server's own message among its requests) is
    /// read as any JSON line, and a line that is no JSON record as any line.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        if line.trim_ascii_start().starts_with(b"{") {
            JsonLines::head(line, stamp_end)
        } else {
            Some(crate::format::generic_head(line.get(stamp_end..)?))
        }
    }
}

/// A field of a record: the keys that lead to it, outermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath(Box<[Box<[u8]>]>);

impl FieldPath {
    fn of(keys: &[&[u8]]) -> FieldPath {
        FieldPath(keys.iter().map(|k| Box::<[u8]>::from(*k)).collect())
    }

    /// `a.b.c` → the path of keys `a`, `b`, `c`.
    pub fn parse(dotted: &str) -> Option<FieldPath> {
        let keys: Vec<&[u8]> = dotted.split('.').map(str::as_bytes).collect();
        (keys.len() <= json_path::MAX_DEPTH && keys.iter().all(|k| !k.is_empty())).then(|| FieldPath::of(&keys))
    }

    /// Whether the field is `name` in the objects `parents` name, its own key compared
    /// first (most keys of a record differ from it there).
    #[inline]
    fn is(&self, parents: &[&[u8]], name: &[u8]) -> bool {
        let Some((own, outer)) = self.0.split_last() else { return false };
        outer.len() == parents.len() && same_bytes(own, name) && outer.iter().zip(parents).all(|(mine, theirs)| same_bytes(mine, theirs))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, key) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(&String::from_utf8_lossy(key))?;
        }
        Ok(())
    }
}

/// How a record's time is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// A date and time in words of its own (RFC 3339, nginx's `$time_local`): read as
    /// any stamp.
    Text,
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl TimeUnit {
    /// Microseconds in one of the unit (a date in words has none: 1).
    fn to_micros(self) -> f64 {
        match self {
            TimeUnit::Text | TimeUnit::Micros => 1.0,
            TimeUnit::Seconds => 1e6,
            TimeUnit::Millis => 1e3,
            TimeUnit::Nanos => 1e-3,
        }
    }

    fn name(self) -> &'static str {
        match self {
            TimeUnit::Text => "text",
            TimeUnit::Seconds => "s",
            TimeUnit::Millis => "ms",
            TimeUnit::Micros => "µs",
            TimeUnit::Nanos => "ns",
        }
    }

    /// The unit of an epoch time by its magnitude: the digits before any fraction say
    /// whether 2024 is counted in seconds (10), milliseconds (13), microseconds (16) or
    /// nanoseconds (19); nine to nineteen digits cover 2001 to 2286 in each.
    fn of_epoch(value: f64) -> Option<TimeUnit> {
        const SECONDS: std::ops::Range<f64> = 1e9..1e10;
        [TimeUnit::Seconds, TimeUnit::Millis, TimeUnit::Micros, TimeUnit::Nanos]
            .into_iter()
            .find(|unit| SECONDS.contains(&(value * unit.to_micros() / 1e6)))
    }

    /// A unit by its name (`--access-fields time=ts:ms`).
    pub fn of_name(name: &str) -> Option<TimeUnit> {
        [
            TimeUnit::Text,
            TimeUnit::Seconds,
            TimeUnit::Millis,
            TimeUnit::Micros,
            TimeUnit::Nanos,
        ]
        .into_iter()
        .find(|unit| unit.name() == name || (name == "us" && *unit == TimeUnit::Micros))
    }
}

/// What a file's access records are read by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessFields {
    pub time: (FieldPath, TimeUnit),
    pub status: FieldPath,
    /// The path or URL asked for; or, with `request_line`, the whole request line
    /// (`GET /cart HTTP/1.1`, nginx's `$request`).
    pub target: FieldPath,
    pub request_line: bool,
    pub method: Option<FieldPath>,
    pub client: Option<FieldPath>,
    /// The time the request took, and its unit.
    pub duration: Option<(FieldPath, TimeUnit)>,
    /// Given by hand (`--access-fields`), not found.
    pub given: bool,
}

/// The layout of the JSON access record read last, up to the value that completed its
/// fields: for each value the walk visited, the bytes from the end of the value before
/// it (or the line's start) to its first byte, whether it is a string, and the roles it
/// filled. A line whose bytes between values are the same is read without the walk: the
/// walk, meeting the same bytes, would go through the same states and find the same
/// values, and a value's own bytes never change the state after it (a string is
/// skipped to its closing quote, a number or a literal to its delimiter). The scan keeps
/// one per chunk; any line that does not follow it is walked, and teaches it anew.
#[derive(Clone, Debug, Default)]
pub struct RecordLayout {
    /// The bytes before each value, one after the other.
    between: Vec<u8>,
    steps: Vec<Step>,
    /// Whether the last record walked was read to the value that completed its fields,
    /// each of its strings closed.
    known: bool,
    /// Where the last value learnt ends.
    end: usize,
    /// Lines in a row not read by the layout (those walked while resting among them:
    /// the count says when to retry).
    misses: u32,
}

#[derive(Clone, Copy, Debug)]
struct Step {
    /// Where the bytes before the value end in [`RecordLayout::between`].
    between_end: usize,
    quoted: bool,
    /// The roles the value fills, a bit each.
    roles: u8,
}

impl RecordLayout {
    /// Lines in a row that did not follow the layout of the line before them, after which
    /// the records are taken to have none (a list of varying length among the fields, a
    /// writer that orders its keys at random): each line is then walked, and its layout
    /// not learnt, but for one line in [`RecordLayout::RETRY_EVERY`].
    const MISSES_BEFORE_REST: u32 = 8;
    const RETRY_EVERY: u32 = 64;

    /// Whether the records seem to have no layout, and this line is not one to try.
    #[inline]
    fn resting(&self) -> bool {
        self.misses >= RecordLayout::MISSES_BEFORE_REST && self.misses % RecordLayout::RETRY_EVERY != 0
    }

    fn restart(&mut self) {
        self.between.clear();
        self.steps.clear();
        self.known = true;
        self.end = 0;
    }

    /// Adds the value the walk visits next.
    fn learn(&mut self, line: &[u8], scalar: Scalar<'_>, roles: u8) {
        let start = line.len() - scalar.from.len();
        let Some(before) = line.get(self.end..start) else {
            self.known = false;
            return;
        };
        self.between.extend_from_slice(before);
        self.steps.push(Step {
            between_end: self.between.len(),
            quoted: scalar.quoted,
            roles,
        });
        let end = start + scalar.raw.len();
        self.end = if scalar.quoted {
            // A string cut short by the line's end has no closing quote to learn.
            self.known &= line.get(end) == Some(&b'"');
            end + 1
        } else {
            end
        };
    }

    /// Reads into `found` the values of a record whose bytes between values are those of
    /// the layout; `false` where they differ, or a value is not of the same kind (what
    /// `found` then holds is no record's).
    #[inline]
    fn read<'a>(&self, line: &'a [u8], found: &mut [Option<Scalar<'a>>; ROLES]) -> bool {
        self.known && self.read_steps(line, found).is_some()
    }

    #[inline]
    fn read_steps<'a>(&self, line: &'a [u8], found: &mut [Option<Scalar<'a>>; ROLES]) -> Option<()> {
        let mut at = 0;
        let mut between_start = 0;
        for step in &self.steps {
            let before = &self.between[between_start..step.between_end];
            between_start = step.between_end;
            if !crate::format::begins_with(line.get(at..)?, before) {
                return None;
            }
            at += before.len();
            let scalar = if step.quoted {
                // The bytes before a string end with its opening quote.
                let (end, escaped) = crate::format::json_string_close(line, at.checked_sub(1)?)?;
                let scalar = Scalar {
                    raw: &line[at..end],
                    from: &line[at..],
                    quoted: true,
                    escaped,
                };
                at = end + 1;
                scalar
            } else {
                let rest = &line[at..];
                if !json_path::starts_scalar(*rest.first()?) {
                    return None;
                }
                let len = json_path::scalar_len(rest);
                let scalar = Scalar {
                    raw: &rest[..len],
                    from: rest,
                    quoted: false,
                    escaped: false,
                };
                at += len;
                scalar
            };
            let mut roles = step.roles;
            while roles != 0 {
                found[roles.trailing_zeros() as usize] = Some(scalar);
                roles &= roles - 1;
            }
        }
        Some(())
    }
}

/// A duration in milliseconds, written in `unit`. Seconds written as digits (nginx's
/// `$request_time`, Caddy's `duration`) are read as the combined format reads them, to
/// the same milliseconds.
#[inline]
fn duration_ms(value: &Scalar<'_>, unit: TimeUnit) -> Option<f64> {
    if unit == TimeUnit::Seconds {
        if let Some(ms) = crate::format::request::seconds_to_ms(value.raw) {
            return Some(ms);
        }
    }
    value.number().map(|v| v * unit.to_micros() / 1e3)
}

/// The roles a field can play, in the order a record's values fill their slots.
const TIME: usize = 0;
const STATUS: usize = 1;
const TARGET: usize = 2;
const METHOD: usize = 3;
const CLIENT: usize = 4;
const DURATION: usize = 5;
const ROLES: usize = 6;

/// Names of each role as vendors write them, compared by [`folded`] (no case, no `_`,
/// `-` or `.`), most telling first; a name is matched against a field's own key and
/// against its whole path (ECS's `url.original`).
const TIME_NAMES: &[&str] = &[
    "@timestamp",
    "timestamp",
    "time",
    "timeiso8601",
    "timelocal",
    "edgestarttimestamp",
    "starttime",
    "startedat",
    "requesttimeepoch",
    "reqtimesec",
    "requesttime",
    "ts",
    "datetime",
    "date",
    "eventtime",
];
const STATUS_NAMES: &[&str] = &[
    "status",
    "statuscode",
    "httpresponsestatuscode",
    "responsestatus",
    "responsecode",
    "httpstatus",
    "httpstatuscode",
    "edgeresponsestatus",
    "downstreamstatus",
    "scstatus",
    "elbstatuscode",
];
/// A request line in one field, method, target and protocol: nginx's `$request`.
const REQUEST_LINE_NAMES: &[&str] = &["request", "requestline"];
const TARGET_NAMES: &[&str] = &[
    "path",
    "uri",
    "requestpath",
    "requesturi",
    "clientrequesturi",
    "reqpath",
    "urlpath",
    "urloriginal",
    "csuristem",
    // OpenTelemetry's older HTTP attributes (`http.target`, before `url.path`), which
    // instrumented services write as flat keys.
    "httptarget",
    "requesturl",
    "url",
];
const METHOD_NAMES: &[&str] = &[
    "method",
    "requestmethod",
    "httpmethod",
    "httprequestmethod",
    "clientrequestmethod",
    "reqmethod",
    "csmethod",
];
const CLIENT_NAMES: &[&str] = &[
    "remoteaddr",
    "clientip",
    "remoteip",
    "client",
    "clienthost",
    "clientaddr",
    "cliip",
    "sourceip",
    "clientaddress",
    "downstreamremoteaddress",
    "identitysourceip",
    "xforwardedfor",
    "ip",
];
/// A request's details ([`RequestDetails`]) by their names, read only for the lines that
/// are counted by them. A machine's own `hostname` (ECS's `host.name`) is no request's
/// host, and is not among them.
const USER_AGENT_NAMES: &[&str] = &[
    "useragent",
    "httpuseragent",
    "useragentoriginal",
    "clientrequestuseragent",
    "requestuseragent",
    "csuseragent",
    "requestheadersuseragent",
];
const UPSTREAM_NAMES: &[&str] = &[
    "upstreamaddr",
    "upstreamhost",
    "upstream",
    "upstreamaddress",
    "backendaddr",
    "serviceaddr",
    "serverrouted",
    "originip",
    "backend",
];
const REFERRER_NAMES: &[&str] = &[
    "referer",
    "referrer",
    "httpreferer",
    "httpreferrer",
    "csreferer",
    "requestheadersreferer",
];
const HOST_NAMES: &[&str] = &[
    "host",
    "httphost",
    "requesthost",
    "clientrequesthost",
    "authority",
    "urldomain",
    "cshost",
    "vhost",
];

/// The status the server behind a proxy answered, as writers name it: Cloudflare's
/// `OriginResponseStatus` (0 where the origin was not asked or did not answer), nginx's
/// `$upstream_status` (`-` where no upstream was asked), Traefik's `OriginStatus`, Azure
/// Application Gateway's `serverStatus`, an ALB's `target_status_code` written as JSON.
const UPSTREAM_STATUS_NAMES: &[&str] = &[
    "originresponsestatus",
    "upstreamstatus",
    "originstatus",
    "originstatuscode",
    "serverstatus",
    "targetstatuscode",
    "backendstatus",
    "backendstatuscode",
];

/// The size of the request a client sent, as writers name it: nginx's
/// `$request_length`, Cloudflare's `ClientRequestBytes`, Google's
/// `httpRequest.requestSize`, Envoy's and Istio's `bytes_received`, Kong's
/// `request.size`, W3C's `cs-bytes`.
const REQUEST_SIZE_NAMES: &[&str] = &[
    "requestlength",
    "clientrequestbytes",
    "requestsize",
    "bytesreceived",
    "requestbytes",
    "csbytes",
    "receivedbytes",
];

/// The user agent, upstream, host, referrer, upstream status and request size of a JSON
/// record, by their names at any depth.
pub fn details_by_name(line: &[u8]) -> RequestDetails<'_> {
    let mut details = RequestDetails::default();
    // The rank of the name each detail was read by: a better one replaces it.
    let mut best = [usize::MAX; DETAILS];
    json_path::walk(line, |parents, name, scalar| {
        let mut ranks = detail_ranks(parents, name);
        // A text detail is a string; a status may be a number (Cloudflare's is).
        if !scalar.quoted {
            ranks[..UPSTREAM_STATUS].fill(None);
        }
        // A size is a whole number, written as one or as a string (Google's int64).
        if let Some(rank) = ranks[REQUEST_SIZE].take() {
            if rank < best[REQUEST_SIZE] {
                if let Some(bytes) = scalar.number().filter(|n| *n >= 0.0 && n.fract() == 0.0) {
                    details.request_bytes = Some(crate::num::whole(bytes));
                    best[REQUEST_SIZE] = rank;
                }
            }
        }
        let slots = [
            &mut details.user_agent,
            &mut details.upstream,
            &mut details.host,
            &mut details.referrer,
            &mut details.upstream_status,
        ];
        for (detail, ((rank, slot), best)) in ranks.into_iter().zip(slots).zip(best.iter_mut()).enumerate() {
            // An upstream status of `-` (or `0`, `null`) says none answered; a text's is
            // no value.
            let given = |v: &Cow<'_, [u8]>| detail == UPSTREAM_STATUS || (!v.is_empty() && &v[..] != b"-");
            match rank {
                Some(rank) if rank < *best => {
                    if let Some(value) = Some(scalar.text()).filter(given) {
                        *slot = Some(value);
                        *best = rank;
                    }
                }
                _ => {}
            }
        }
        true
    });
    details
}

/// The details of a request a JSON record may name; the upstream status's and the
/// request size's places among them.
const DETAILS: usize = 6;
const UPSTREAM_STATUS: usize = 4;
const REQUEST_SIZE: usize = 5;

/// The rank of a field's name in each table of details (user agent, upstream, host,
/// referrer, upstream status, request size), by its own key or its whole path; none for
/// a field of a shipper's object.
fn detail_ranks(parents: &[&[u8]], name: &[u8]) -> [Option<usize>; DETAILS] {
    if parents.iter().any(|p| FoldedName::of(&[p]).is_in(SHIPPER_OBJECTS).is_some()) {
        return [None; DETAILS];
    }
    let key = FoldedName::of(&[name]);
    let whole = FoldedName::of_path(parents, name);
    [
        USER_AGENT_NAMES,
        UPSTREAM_NAMES,
        HOST_NAMES,
        REFERRER_NAMES,
        UPSTREAM_STATUS_NAMES,
        REQUEST_SIZE_NAMES,
    ]
    .map(|table| key.is_in(table).into_iter().chain(whole.is_in(table)).min())
}

/// A field's name folded as [`folded`] folds it, without allocating: a record's every
/// field is named against the tables of details on the lines sampled for them. Names
/// longer than [`FoldedName::ROOM`] or not ASCII are in no table.
struct FoldedName {
    bytes: [u8; FoldedName::ROOM],
    /// `None` for a name in no table.
    len: Option<usize>,
}

impl FoldedName {
    /// Longer than any name of the tables.
    const ROOM: usize = 32;

    /// The keys, folded and joined.
    fn of(keys: &[&[u8]]) -> FoldedName {
        let mut folded = FoldedName {
            bytes: [0; FoldedName::ROOM],
            len: Some(0),
        };
        for key in keys {
            folded.push(key);
        }
        folded
    }

    fn of_path(parents: &[&[u8]], name: &[u8]) -> FoldedName {
        let mut folded = FoldedName::of(parents);
        folded.push(name);
        folded
    }

    fn push(&mut self, key: &[u8]) {
        for &b in key {
            let Some(len) = self.len else { return };
            if matches!(b, b'_' | b'-' | b'.') {
                continue;
            }
            if len == FoldedName::ROOM || !b.is_ascii() {
                self.len = None;
                return;
            }
            self.bytes[len] = b.to_ascii_lowercase();
            self.len = Some(len + 1);
        }
    }

    /// Its rank in `table`.
    fn is_in(&self, table: &[&str]) -> Option<usize> {
        let name = &self.bytes[..self.len?];
        table.iter().position(|entry| entry.as_bytes() == name)
    }
}

/// Objects a shipper adds around a record, about the machine or the pipeline, not the
/// request (Fluent Bit's and Filebeat's `kubernetes`, ECS's `host`, `agent`, `cloud`):
/// their `host` is a node's name.
const SHIPPER_OBJECTS: &[&str] = &[
    "kubernetes",
    "host",
    "agent",
    "cloud",
    "container",
    "ecs",
    "orchestrator",
    "observer",
];

/// Durations, each with its writer's unit where the name does not say it (`None`: see
/// [`UNITLESS`]). Exact names come first: Traefik's `Duration` counts nanoseconds, where
/// Caddy's `duration` (with a point: seconds) and Envoy's (whole milliseconds) are told
/// by their values.
const EXACT_DURATIONS: &[(&str, TimeUnit)] = &[("Duration", TimeUnit::Nanos)];
const DURATION_NAMES: &[(&str, Option<TimeUnit>)] = &[
    ("requesttime", Some(TimeUnit::Seconds)),
    ("duration", None),
    ("latency", None),
    ("timetaken", None),
    ("responselatency", Some(TimeUnit::Millis)),
    ("latenciesrequest", Some(TimeUnit::Millis)),
    ("eventduration", Some(TimeUnit::Nanos)),
    ("turnaroundtimemsec", Some(TimeUnit::Millis)),
    ("elapsed", None),
    ("elapsedtime", None),
    ("responsetime", None),
];

/// How the unit of a duration no name gives is told: a head whose values are all whole
/// numbers counts milliseconds (Envoy's `%DURATION%`, Azure Application Gateway v1),
/// one with a fraction among them seconds (nginx's `$request_time`, Caddy, Azure Front
/// Door's `"0.012"`). A request that takes whole seconds to the millisecond is rare
/// enough that a head of several is not all of them.
const UNITLESS: (TimeUnit, TimeUnit) = (TimeUnit::Millis, TimeUnit::Seconds);

/// The unit of a duration whose name gives none (see [`UNITLESS`]): whole numbers are
/// milliseconds; numbers written with a point are seconds, unless their median is over
/// [`LONGEST_TYPICAL_SECONDS`] (morgan's `response-time`, Serilog's `Elapsed`: fractions
/// of milliseconds).
fn unitless(fraction: bool, values: &[f64]) -> TimeUnit {
    if !fraction {
        return UNITLESS.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.get(sorted.len() / 2) {
        Some(median) if *median > LONGEST_TYPICAL_SECONDS => TimeUnit::Millis,
        _ => UNITLESS.1,
    }
}

/// A typical request of a head takes less than this many seconds: a median above it is
/// milliseconds written with a fraction, not seconds (no site serves its typical request
/// in over a minute).
const LONGEST_TYPICAL_SECONDS: f64 = 60.0;

/// A duration longer than a day is no request's (an infinity, a misread unit): left
/// out rather than let one value rule the mean.
const LONGEST_DURATION_MS: f64 = 86_400_000.0;

/// Candidates of one role a head is weighed by, at most.
const MAX_CANDIDATES: usize = 32;

/// `client_ip`, `clientIp`, `ClientIP` → `clientip`: names compared as vendors vary them.
fn folded(name: &[u8]) -> String {
    name.iter()
        .filter(|b| !matches!(b, b'_' | b'-' | b'.'))
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// The unit a duration's name gives: `…ms`, `…msec`, `…millis`, `…milliseconds`
/// (Cloudflare's `OriginResponseDurationMs`, Akamai's `turnAroundTimeMSec`, ASP.NET's
/// `ElapsedMilliseconds`), the same of micro- and nanoseconds, `…sec`, `…seconds`. The
/// longer endings are tried first: `…milliseconds` ends in `seconds` too.
fn unit_of_name(folded: &str) -> Option<TimeUnit> {
    let units = [
        ("milliseconds", TimeUnit::Millis),
        ("microseconds", TimeUnit::Micros),
        ("nanoseconds", TimeUnit::Nanos),
        ("millis", TimeUnit::Millis),
        ("micros", TimeUnit::Micros),
        ("nanos", TimeUnit::Nanos),
        ("msec", TimeUnit::Millis),
        ("usec", TimeUnit::Micros),
        ("nsec", TimeUnit::Nanos),
        ("ms", TimeUnit::Millis),
        ("us", TimeUnit::Micros),
        ("ns", TimeUnit::Nanos),
        ("seconds", TimeUnit::Seconds),
        ("sec", TimeUnit::Seconds),
    ];
    units.into_iter().find(|(suffix, _)| folded.ends_with(suffix)).map(|(_, unit)| unit)
}

/// Whether a name no table holds says it is a status: it holds `status`, or it is a
/// `…code` of an HTTP response (`http_code`, `response.code`, `resp_code`); a bare `code`
/// or an `exit_code` is no status.
fn names_a_status(folded: &str, parents: &[&[u8]]) -> bool {
    let http = |name: &str| ["http", "response", "resp", "rsp"].iter().any(|w| name.starts_with(w));
    folded.contains("status") || (folded.ends_with("code") && (http(folded) || parents.last().is_some_and(|p| http(&self::folded(p)))))
}

/// Whether a name no table holds says it is a request's path or URL: it begins or ends
/// with `path`, `uri` or `url` (`req_uri`, `url_full`, `x-envoy-origin-path`; not
/// `security`).
fn names_a_target(folded: &str) -> bool {
    ["path", "uri", "url"].iter().any(|w| folded.starts_with(w) || folded.ends_with(w))
}

/// Whether a name says it is a duration: it holds a word of time taken and not of a
/// moment (`responseTimeMs`, `took_ms`; not `responseTimestamp`).
fn names_a_duration(folded: &str) -> bool {
    ["duration", "latency", "elapsed", "timetaken", "responsetime", "took"]
        .iter()
        .any(|w| folded.contains(w))
        && !folded.contains("timestamp")
}

/// The methods of HTTP/1.1 and WebDAV's common ones: a value that is one of them is a
/// method.
fn is_method(value: &[u8]) -> bool {
    const METHODS: [&[u8]; 9] = [
        b"GET", b"POST", b"PUT", b"DELETE", b"HEAD", b"OPTIONS", b"PATCH", b"CONNECT", b"TRACE",
    ];
    METHODS.contains(&value)
}

/// Whether a value names what was asked for: a path, or an absolute URL.
fn is_target(value: &[u8]) -> bool {
    value.starts_with(b"/") || value.starts_with(b"http://") || value.starts_with(b"https://")
}

/// A status: a whole number from 100 to 599 (as a number or as a string).
fn status_of(scalar: &Scalar<'_>) -> Option<u16> {
    // Three digits, as nearly every writer writes it, read without parsing a number.
    if scalar.raw.len() == 3 {
        return crate::format::request::three_digits(scalar.raw, 0);
    }
    let number = scalar.number()?;
    ((100.0..600.0).contains(&number) && number.fract() == 0.0)
        .then(|| crate::num::whole(number))
        .and_then(|n| u16::try_from(n).ok())
}

/// A candidate for a role: the field, how telling its name is (its rank in the role's
/// table; names found by their shape alone come after), and in how many lines it held a
/// value of the role's shape.
struct Candidate {
    path: FieldPath,
    rank: usize,
    lines: usize,
    /// For a time: its unit. For a duration: the unit its name gives, if any.
    unit: Option<TimeUnit>,
    /// For a duration without a unit: whether any value is written with a point.
    fraction: bool,
    /// For a duration: its values in the head.
    values: Vec<f64>,
}

/// How well a name matches a table: its rank, matched against its own key or its whole
/// path.
fn rank_in(table: &[&str], key: &str, whole: &str) -> Option<usize> {
    table.iter().position(|name| *name == key || *name == whole)
}

impl AccessFields {
    /// Whether the value at `parents`.`name` is one the scan reads of a request: a field
    /// of these, or a detail (a user agent, an upstream, a host) the contrast of the
    /// traffic weighs already.
    pub fn reads(&self, parents: &[&[u8]], name: &[u8]) -> bool {
        let is =
            |path: &FieldPath| path.0.len() == parents.len() + 1 && path.0.iter().map(|k| &k[..]).eq(parents.iter().copied().chain([name]));
        let fields = [
            Some(&self.time.0),
            Some(&self.status),
            Some(&self.target),
            self.method.as_ref(),
            self.client.as_ref(),
            self.duration.as_ref().map(|d| &d.0),
        ];
        fields.into_iter().flatten().any(is) || detail_ranks(parents, name).iter().any(Option::is_some)
    }

    /// The fields of a file's records, from its head's lines: the ones most of its JSON
    /// lines show.
    pub fn of_head(head: &[u8]) -> Option<AccessFields> {
        let lines: Vec<&[u8]> = crate::format::lines(head)
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l).trim_ascii())
            .filter(|l| l.starts_with(b"{"))
            .take(crate::format::SNIFF_LINES)
            .collect();
        AccessFields::of_lines(&lines)
    }

    /// The fields of these records: for each role, the field most telling by its name
    /// among those that hold a value of the role's shape in at least half the lines.
    pub fn of_lines(lines: &[&[u8]]) -> Option<AccessFields> {
        if lines.is_empty() {
            return None;
        }
        let mut candidates: [Vec<Candidate>; ROLES] = Default::default();
        let mut request_lines: Vec<Candidate> = Vec::new();
        for line in lines {
            json_path::walk(line, |parents, name, scalar| {
                let keys: Vec<&[u8]> = parents.iter().copied().chain([name]).collect();
                let keys = &keys[..];
                let key = folded(name);
                let whole: String = keys.iter().map(|k| folded(k)).collect();
                let exact = std::str::from_utf8(name).unwrap_or("");
                let note = |role: &mut Vec<Candidate>, rank: usize, unit: Option<TimeUnit>, fraction: bool| {
                    if let Some(c) = role.iter_mut().find(|c| c.path.is(parents, name)) {
                        c.lines += 1;
                        c.fraction |= fraction;
                    } else if role.len() < MAX_CANDIDATES {
                        // A line of thousands of keys of one shape (`status0001`, …) is
                        // weighed by its first few candidates.
                        role.push(Candidate {
                            path: FieldPath::of(keys),
                            rank,
                            lines: 1,
                            unit,
                            fraction,
                            values: Vec::new(),
                        });
                    }
                };
                // A time: a name of the table whose value reads as a time.
                if let Some(rank) = rank_in(TIME_NAMES, &key, &whole) {
                    let unit = match scalar.number() {
                        Some(value) if !scalar.raw.contains(&b'-') => TimeUnit::of_epoch(value),
                        _ => JsonLines::parse_stamp(scalar.from).map(|_| TimeUnit::Text),
                    };
                    if let Some(unit) = unit {
                        note(&mut candidates[TIME], rank, Some(unit), false);
                    }
                }
                if status_of(&scalar).is_some() {
                    let rank = rank_in(STATUS_NAMES, &key, &whole).or_else(|| names_a_status(&key, parents).then_some(STATUS_NAMES.len()));
                    if let Some(rank) = rank {
                        note(&mut candidates[STATUS], rank, None, false);
                    }
                }
                if scalar.quoted {
                    let text = scalar.text();
                    // A file's path (Filebeat's `log.file.path`) is no request's.
                    let in_file = parents.iter().any(|k| folded(k) == "file");
                    if is_target(&text) && !in_file {
                        let rank = rank_in(TARGET_NAMES, &key, &whole).or_else(|| names_a_target(&key).then_some(TARGET_NAMES.len()));
                        if let Some(rank) = rank {
                            note(&mut candidates[TARGET], rank, None, false);
                        }
                    }
                    if let Some(rank) = rank_in(REQUEST_LINE_NAMES, &key, &whole) {
                        let (method, path) = split_request(&text);
                        if is_method(method) && is_target(path) {
                            note(&mut request_lines, rank, None, false);
                        }
                    }
                    if is_method(&text) {
                        let rank = rank_in(METHOD_NAMES, &key, &whole).unwrap_or(METHOD_NAMES.len());
                        note(&mut candidates[METHOD], rank, None, false);
                    }
                    if let Some(rank) = rank_in(CLIENT_NAMES, &key, &whole) {
                        if looks_like_address(&text) {
                            note(&mut candidates[CLIENT], rank, None, false);
                        }
                    }
                }
                if let Some(value) = scalar.number().filter(|v| *v >= 0.0) {
                    let named = EXACT_DURATIONS
                        .iter()
                        .position(|(name, _)| *name == exact)
                        .map(|rank| (rank, Some(EXACT_DURATIONS[rank].1)))
                        .or_else(|| {
                            DURATION_NAMES
                                .iter()
                                .position(|(name, _)| *name == key || *name == whole)
                                .map(|rank| (EXACT_DURATIONS.len() + rank, DURATION_NAMES[rank].1.or_else(|| unit_of_name(&key))))
                        })
                        .or_else(|| names_a_duration(&key).then(|| (EXACT_DURATIONS.len() + DURATION_NAMES.len(), unit_of_name(&key))));
                    // A duration written with its unit (`"0.250s"`) is in seconds.
                    let seconds_text = scalar.quoted && scalar.raw.ends_with(b"s");
                    if let Some((rank, unit)) = named {
                        let unit = if seconds_text { Some(TimeUnit::Seconds) } else { unit };
                        note(&mut candidates[DURATION], rank, unit, scalar.raw.contains(&b'.'));
                        if let Some(c) = candidates[DURATION].iter_mut().find(|c| c.path.is(parents, name)) {
                            if c.values.len() < crate::format::SNIFF_LINES {
                                c.values.push(value);
                            }
                        }
                    }
                }
                true
            });
        }
        // The best of a role: most telling by name among those in at least half the
        // lines; of equal names, the one in most lines, then the shallowest, then the
        // first met.
        let half = lines.len().div_ceil(2);
        let best = |role: &mut Vec<Candidate>| -> Option<Candidate> {
            role.retain(|c| c.lines >= half);
            let at = (0..role.len()).min_by_key(|&i| (role[i].rank, std::cmp::Reverse(role[i].lines), role[i].path.0.len(), i))?;
            Some(role.swap_remove(at))
        };
        let [time, status, target, method, client, duration] = candidates.map(|mut role| best(&mut role));
        let time = time?;
        let status = status?;
        // A path named by a table, else a request line named by one, else a path whose
        // name only says it.
        let (target, target_named, request_line) = match (target, best(&mut request_lines)) {
            (Some(target), _) if target.rank < TARGET_NAMES.len() => (target.path, true, false),
            (_, Some(line)) => (line.path, true, true),
            (Some(target), None) => (target.path, false, false),
            (None, None) => return None,
        };
        // A record whose status or path only a name suggests (an application's
        // `{"url":…,"code":502}` of a call it made) is a request only with a method, a
        // client or a duration beside them.
        let named = status.rank < STATUS_NAMES.len() && target_named;
        if !named && method.is_none() && client.is_none() && duration.is_none() {
            return None;
        }
        let duration = duration.map(|d| {
            let unit = d.unit.unwrap_or_else(|| unitless(d.fraction, &d.values));
            (d.path, unit)
        });
        Some(AccessFields {
            time: (time.path, time.unit.unwrap_or(TimeUnit::Text)),
            status: status.path,
            target,
            request_line,
            method: method.filter(|_| !request_line).map(|m| m.path),
            client: client.map(|c| c.path),
            duration,
            given: false,
        })
    }

    /// The request of a record, read by these fields; `None` for a record without a
    /// status and a target (a server's own message).
    pub fn request<'a>(&self, line: &'a [u8]) -> Option<Request<'a>> {
        self.request_of(&self.values(line, None))
    }

    /// The same, a line read by the layout of the record before it where it has that
    /// layout (a writer gives every record the same keys in the same order), and read by
    /// a walk that learns its layout where not.
    #[inline]
    pub fn request_following<'a>(&self, line: &'a [u8], layout: &mut RecordLayout) -> Option<Request<'a>> {
        if layout.resting() {
            layout.misses += 1;
            return self.request(line);
        }
        // Filled in place: the values are a few hundred bytes, which a copy would move.
        let mut found = [None; ROLES];
        if layout.read(line, &mut found) {
            layout.misses = 0;
        } else {
            // After a retry, the next line is tried by the layout it teaches.
            layout.misses = match layout.misses {
                misses if misses < RecordLayout::MISSES_BEFORE_REST => misses + 1,
                _ => RecordLayout::MISSES_BEFORE_REST - 1,
            };
            found = self.values(line, Some(layout));
        }
        self.request_of(&found)
    }

    /// The request of a record whose fields' values are `found`.
    fn request_of<'a>(&self, found: &[Option<Scalar<'a>>; ROLES]) -> Option<Request<'a>> {
        let status = status_of(found[STATUS].as_ref()?)?;
        let target = found[TARGET].as_ref().filter(|t| t.quoted)?.text();
        let (method, path) = if self.request_line {
            match target {
                Cow::Borrowed(request) => {
                    let (method, path) = split_request(request);
                    (Cow::Borrowed(method), Cow::Borrowed(path))
                }
                Cow::Owned(request) => {
                    let (method, path) = split_request(&request);
                    (Cow::Owned(method.to_vec()), Cow::Owned(path.to_vec()))
                }
            }
        } else {
            let method = found[METHOD].as_ref().map_or(Cow::Borrowed(&b""[..]), Scalar::text);
            let path = match target {
                Cow::Borrowed(target) => Cow::Borrowed(origin_form(target)),
                Cow::Owned(target) => Cow::Owned(origin_form(&target).to_vec()),
            };
            (method, path)
        };
        // `-` or an empty value: no request was read.
        if !path.starts_with(b"/") {
            return None;
        }
        let client = match found[CLIENT].as_ref().map(Scalar::text) {
            Some(Cow::Borrowed(client)) => Cow::Borrowed(without_port(client)),
            Some(Cow::Owned(client)) => Cow::Owned(without_port(&client).to_vec()),
            None => Cow::Borrowed(&b""[..]),
        };
        let duration_ms = match (&found[DURATION], &self.duration) {
            (Some(value), Some((_, unit))) => duration_ms(value, *unit).filter(|ms| (0.0..=LONGEST_DURATION_MS).contains(ms)),
            _ => None,
        };
        Some(Request {
            client,
            method,
            path,
            status,
            duration_ms,
            stamp_at: found[TIME].map(|t| t.from),
            reason: None,
            details_at: 0,
        })
    }

    /// Where a record's time starts; a line that is no JSON record (a proxy's own log
    /// line between its access records, Envoy's `[2024-03-08 14:02:11.123][1][info]…`) is
    /// read for a stamp at its start, as any line.
    pub fn stamp_at<'a>(&self, line: &'a [u8]) -> Option<&'a [u8]> {
        if !line.trim_ascii_start().starts_with(b"{") {
            return Some(line);
        }
        let mut at = None;
        json_path::walk(line, |parents, name, scalar| {
            if self.time.0.is(parents, name) {
                at = Some(scalar.from);
                return false;
            }
            true
        });
        // A record without the field (a server's own message) by a time key of its own.
        at.or_else(|| JsonLines::stamp_at(line))
    }

    /// A record's time, read in the file's unit; another line's, as any stamp.
    pub fn parse_stamp(&self, at: &[u8]) -> Option<RawStamp> {
        match self.time.1 {
            TimeUnit::Text => JsonLines::parse_stamp(at),
            unit => epoch_in(at, unit).or_else(|| crate::time::parse_any(at)),
        }
    }

    /// The values of the fields of one record, in one walk that stops once all are found;
    /// `layout`, where given, learns the record's layout.
    fn values<'a>(&self, line: &'a [u8], mut layout: Option<&mut RecordLayout>) -> [Option<Scalar<'a>>; ROLES] {
        let mut found: [Option<Scalar<'a>>; ROLES] = [None; ROLES];
        let fields: [Option<&FieldPath>; ROLES] = [
            Some(&self.time.0),
            Some(&self.status),
            Some(&self.target),
            self.method.as_ref(),
            self.client.as_ref(),
            self.duration.as_ref().map(|(path, _)| path),
        ];
        let mut missing = fields.iter().filter(|f| f.is_some()).count();
        // The length of each field's own key: most keys of a record are told from every
        // field by their length alone.
        let lengths: [usize; ROLES] = fields.map(|f| f.and_then(|f| f.0.last()).map_or(usize::MAX, |k| k.len()));
        if let Some(layout) = layout.as_deref_mut() {
            layout.restart();
        }
        json_path::walk(line, |parents, name, scalar| {
            let mut filled = 0u8;
            for role in 0..ROLES {
                if lengths[role] == name.len() && found[role].is_none() && fields[role].is_some_and(|f| f.is(parents, name)) {
                    found[role] = Some(scalar);
                    missing -= 1;
                    filled |= 1 << role;
                }
            }
            if let Some(layout) = layout.as_deref_mut() {
                layout.learn(line, scalar, filled);
            }
            missing > 0
        });
        if let Some(layout) = layout {
            // A record that lacks a field is read by the walk to its end: its layout
            // would not say where the walk stops.
            layout.known &= missing == 0;
        }
        found
    }

    /// Whether most lines of a head are JSON records and most of those hold these
    /// fields' status and target: a file they can read.
    pub fn hold_in(&self, head: &[u8]) -> bool {
        let lines: Vec<&[u8]> = crate::format::lines(head)
            .map(|l| l.trim_ascii())
            .filter(|l| !l.is_empty())
            .take(crate::format::SNIFF_LINES)
            .collect();
        let records: Vec<&[u8]> = lines.iter().copied().filter(|l| l.starts_with(b"{")).collect();
        if records.len() * 2 < lines.len() {
            return false;
        }
        let held = records
            .iter()
            .filter(|line| {
                let found = self.values(line, None);
                found[STATUS].is_some() && found[TARGET].is_some()
            })
            .count();
        held > 0 && held * 2 >= records.len()
    }

    /// The fields a user names (`--access-fields`): `status=F,path=F,time=F[:UNIT]`, and
    /// as they like `request=F` (a whole request line, in place of `path`), `method=F`,
    /// `client=F`, `duration=F:UNIT`; `F` a key, or keys joined by `.` for a nested one
    /// (`httpRequest.status`); a time's unit `s`, `ms`, `us`, `ns` (else read as a date),
    /// a duration's `s`, `ms`, `us` or `ns`.
    pub fn parse_spec(spec: &str) -> Result<AccessFields, String> {
        let mut named: std::collections::BTreeMap<&str, (FieldPath, Option<TimeUnit>)> = Default::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (role, field) = part.split_once('=').ok_or_else(|| format!("`{part}` is not ROLE=FIELD"))?;
            let role = role.trim();
            if !["status", "path", "request", "time", "method", "client", "duration"].contains(&role) {
                return Err(format!(
                    "`{role}` is no role: status, path, request, time, method, client or duration"
                ));
            }
            let (field, unit) = match field.rsplit_once(':') {
                Some((field, unit)) => {
                    let unit = TimeUnit::of_name(unit.trim()).ok_or_else(|| format!("`{unit}` is no unit: s, ms, us, ns or text"))?;
                    (field, Some(unit))
                }
                None => (field, None),
            };
            let path = FieldPath::parse(field.trim()).ok_or_else(|| format!("`{field}` is no field: keys joined by `.`"))?;
            if named.insert(role, (path, unit)).is_some() {
                return Err(format!("`{role}` is given twice"));
            }
        }
        let mut take = |role: &str| named.remove(role);
        let status = take("status").ok_or("a status is needed: status=FIELD")?.0;
        let time = take("time").ok_or("a time is needed: time=FIELD")?;
        let (target, request_line) = match (take("path"), take("request")) {
            (Some(path), None) => (path.0, false),
            (None, Some(request)) => (request.0, true),
            _ => return Err("a path or a request line is needed, not both: path=FIELD or request=FIELD".into()),
        };
        let duration = match take("duration") {
            Some((path, Some(unit))) if unit != TimeUnit::Text => Some((path, unit)),
            Some(_) => return Err("a duration needs its unit: duration=FIELD:ms (s, ms, us or ns)".into()),
            None => None,
        };
        Ok(AccessFields {
            time: (time.0, time.1.unwrap_or(TimeUnit::Text)),
            status,
            target,
            request_line,
            method: take("method").map(|m| m.0),
            client: take("client").map(|c| c.0),
            duration,
            given: true,
        })
    }

    /// What the fields are, as `sources` says it: `status ← EdgeResponseStatus, path ←
    /// ClientRequestURI, time ← EdgeStartTimestamp (ns)`.
    pub fn describe(&self) -> String {
        let mut parts = vec![
            format!("status ← {}", self.status),
            format!("{} ← {}", if self.request_line { "request" } else { "path" }, self.target),
            match self.time.1 {
                TimeUnit::Text => format!("time ← {}", self.time.0),
                unit => format!("time ← {} ({})", self.time.0, unit.name()),
            },
        ];
        if let Some(method) = &self.method {
            parts.push(format!("method ← {method}"));
        }
        if let Some(client) = &self.client {
            parts.push(format!("client ← {client}"));
        }
        if let Some((duration, unit)) = &self.duration {
            parts.push(format!("duration ← {duration} ({})", unit.name()));
        }
        if self.given {
            parts.push("as given".to_string());
        }
        parts.join(", ")
    }
}

/// Whether a value reads as a client's address: IPv4 or IPv6, maybe with a port, maybe
/// the first of a forwarded list.
fn looks_like_address(value: &[u8]) -> bool {
    let first = value.split(|&b| b == b',').next().unwrap_or_default().trim_ascii();
    !first.is_empty()
        && first.len() <= 64
        && first
            .iter()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'[' | b']'))
        && first.iter().any(|b| matches!(b, b'.' | b':'))
}

/// An epoch time in `unit` at the start of `at`, a number or a string of one, with or
/// without a fraction.
fn epoch_in(at: &[u8], unit: TimeUnit) -> Option<RawStamp> {
    let len = at.iter().take_while(|b| b.is_ascii_digit() || **b == b'.').count();
    // Digits that go on as a date or a clock (`2024-03-08`, `14:02`), or as an exponent,
    // are no epoch time in this unit.
    if matches!(at.get(len), Some(b'-' | b':' | b'/' | b'T' | b'e' | b'E')) {
        return None;
    }
    let text = std::str::from_utf8(&at[..len]).ok()?;
    let value: f64 = text.parse().ok()?;
    // Only a time the unit was told by (2001 to 2286): a stray count is none.
    if TimeUnit::of_epoch(value) != Some(unit) {
        return None;
    }
    let micros = value * unit.to_micros();
    // Whole units are read as integers: a nanosecond count does not fit an f64 exactly.
    let micros = match (text.contains('.'), unit) {
        (false, TimeUnit::Nanos) => text.parse::<i64>().ok()? / 1000,
        (false, _) => text.parse::<i64>().ok()?.checked_mul(crate::num::whole_i64(unit.to_micros()))?,
        (true, _) => crate::num::rounded_i64(micros),
    };
    Some(RawStamp::epoch(micros, len))
}

#[cfg(test)]
mod tests;
