//! What a run says, as one self-contained value: the [`Report`] of a draft (the incident,
//! its impact, the causal chain, the fix, the measures, the timeline around it, every
//! file read and the traffic the chart draws), the [`TimelineReport`] of `timeline`, and
//! the [`SourcesReport`] of `sources`. Renderers read these and a view (zone, colour,
//! links) and nothing else; the JSON draft is the [`Report`] serialised.
//!
//! Every claim carries its [`Evidence`]: a file as shown to the user and a line number.
//! Times are instants in microseconds, serialised as RFC 3339 in UTC; the zone people
//! see them in is [`Report::display_zone`]. The schema is documented in docs/draft.md
//! ("The draft as JSON"); [`SCHEMA_VERSION`] changes when a field changes meaning or
//! goes away.

mod build;

pub use build::{display_zone, draft_report, sources_report, timeline_report};

// The value types a report holds, as its readers (the renderers) name them.
pub use crate::analyze::{EndpointImpact, Part, ProxyReason, Role};
use crate::error::Problem;
use crate::format::SourceKind;
use crate::rules::{Category, Severity};
pub use crate::scan::top_values::Field;
use crate::time::{serde_seconds, serde_utc, serde_utc_opt, Micros, Zone};
pub use crate::timeline::app_contrast::FieldClasses;
pub use crate::timeline::contrast::FieldShift;
pub use crate::timeline::{RateUnit, Subject};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Version of the JSON these types serialise to.
pub const SCHEMA_VERSION: u32 = 1;

/// The version of this tool, as Cargo knows it.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A line a claim rests on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    /// The file as shown to the user (the path as given, or `-` for stdin).
    pub file: String,
    /// 1-based.
    pub line: u64,
}

/// A run of matched lines, or the firing of a rate rule, with what it is about.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Episode {
    #[serde(rename = "time", with = "serde_utc")]
    pub start: Micros,
    #[serde(with = "serde_utc")]
    pub end: Micros,
    /// The rule's id.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    /// The layer of the stack the lines came from.
    pub source: SourceKind,
    /// The source (group: a file, its rotated set, a stream's pieces) the lines came from.
    pub group: String,
    /// Lines in a run; for a rate, what it counted over the episode.
    pub count: u64,
    pub subject: Option<Subject>,
    /// A rate rule's firing, or a burst of lines over their own baseline: how high.
    pub rate: Option<Rate>,
    /// Lines that recur from the start of the logs through most of them: routine.
    pub background: bool,
    /// The first and last lines behind it (none for a rate over the traffic series).
    pub first: Option<Evidence>,
    pub last: Option<Evidence>,
    /// The title, and the subject in parentheses.
    pub summary: String,
    /// What happened, as a clause of ours with log text quoted (see
    /// [`crate::analyze::words`]).
    pub phrase: Vec<Part>,
    /// The first line behind it, kept whole: what the draft quotes.
    pub quote: Option<Quote>,
    /// The first line, and the last when it is another.
    pub evidence: Vec<Evidence>,
}

/// The first line of an episode, whole.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quote {
    pub line: String,
    /// What it says after its family's header.
    pub message: String,
    /// What the rule captured from it.
    pub fields: BTreeMap<String, String>,
    /// The rest of its entry where entries span lines (a slow-log entry's statement);
    /// null otherwise, or when the entry ran past the stretch of the file read with it.
    pub entry: Option<String>,
    /// What it says in words (see [`crate::analyze::words::words_of`]): what a title
    /// quotes.
    #[serde(skip)]
    pub words: String,
}

/// How high a rate rule's value went during its episode.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rate {
    pub peak: f64,
    #[serde(with = "serde_utc")]
    pub peak_at: Micros,
    /// The mean of the buckets before the episode.
    pub baseline: f64,
    #[serde(serialize_with = "rate_unit")]
    pub unit: RateUnit,
    /// The logs end while the rate is still high.
    pub ongoing: bool,
}

fn rate_unit<S: Serializer>(unit: &RateUnit, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(unit.name())
}

/// A score or confidence to three decimals: more says nothing.
fn rounded<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((value * 1000.0).round() / 1000.0)
}

/// An episode in its role in the causal chain (or as an alternative to it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    pub role: Role,
    /// How well the episode fits the role, 0 to 1.
    #[serde(serialize_with = "rounded")]
    pub score: f64,
    #[serde(flatten)]
    pub episode: Episode,
}

/// The causal chain: origin and trigger first, then mechanisms, then the symptom.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RootCause {
    /// The chain's summaries joined by arrows.
    pub summary: String,
    /// 0 to 1: how sure the chain is.
    #[serde(serialize_with = "rounded")]
    pub confidence: f64,
    pub chain: Vec<Link>,
}

/// Warnings that led up to the incident (see [`crate::analyze::signs`]): the first of
/// them as an episode, how many came before the failures, and how they escalated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EarlySign {
    #[serde(flatten)]
    pub episode: Episode,
    /// Its lines before the first anomaly.
    pub lines_before: u64,
    /// The last of them.
    pub last_before: Option<Evidence>,
    /// The first anomaly: the first failure, or the mechanism's first line if earlier.
    #[serde(with = "serde_utc")]
    pub anomaly: Micros,
    pub escalation: crate::analyze::signs::Escalation,
    /// How they escalated, as a clause (see [`crate::analyze::words::escalation`]).
    #[serde(skip)]
    pub escalation_said: Vec<Part>,
}

/// What ended the incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolution {
    #[serde(flatten)]
    pub episode: Episode,
    /// When the symptom was back at its baseline; null while it lasts.
    #[serde(with = "serde_utc_opt")]
    pub recovered: Option<Micros>,
    /// For a release going back to an older version: the version it went back from.
    pub rolled_back_from: Option<String>,
    /// Other actions taken within a minute or two of this one, in time order: the fix is
    /// often several commands.
    pub together: Vec<Episode>,
}

/// A statement of ours and the lines it rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statement {
    /// The statement as plain text, times in RFC 3339 UTC.
    pub text: String,
    /// The same in parts, for renderers to escape and show times their way.
    pub parts: Vec<Part>,
    pub evidence: Vec<Evidence>,
}

/// When users began to see errors, and the line that shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Detection {
    #[serde(with = "serde_utc")]
    pub time: Micros,
    pub evidence: Vec<Evidence>,
}

/// What users saw, in numbers, from the access logs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impact {
    pub requests: u64,
    pub failed_requests: u64,
    pub failed_ratio: f64,
    pub peak_error_ratio: f64,
    #[serde(with = "serde_utc_opt")]
    pub peak_at: Option<Micros>,
    pub clients: u64,
    pub affected_clients: u64,
    pub affected_clients_ratio: f64,
    /// The client counts are estimates (more clients a minute than are counted exactly).
    pub clients_estimated: bool,
    pub hardest_hit: Vec<EndpointImpact>,
    pub unaffected: Vec<EndpointImpact>,
    /// Failed requests by the flags the proxy that logged them gave
    /// (Envoy's response flags), most first.
    pub proxy_reasons: Vec<ProxyReason>,
    /// Requests served while the request time was above its baseline.
    pub slow_requests: u64,
    /// The highest mean request time of those minutes, and the mean before, in ms.
    pub slow_peak_ms: Option<f64>,
    pub slow_baseline_ms: Option<f64>,
}

/// An incident's error lines, outside what access logs cover.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorLines {
    /// Error-or-worse lines in the window, every source together.
    pub lines: u64,
    /// The most in one bucket, and when.
    pub peak: u64,
    #[serde(with = "serde_utc_opt")]
    pub peak_at: Option<Micros>,
    /// Each source that wrote some, most first.
    pub sources: Vec<SourceLines>,
    /// A supervised service that failed again and again (a crash loop); null otherwise.
    pub crash_loop: Option<CrashLoop>,
}

/// A unit that failed again and again, and how many times.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrashLoop {
    pub unit: String,
    pub failures: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceLines {
    /// The source group (a file, its rotated set, a stream's pieces).
    pub source: String,
    pub lines: u64,
}

/// The incident a draft covers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incident {
    /// Its number among the incidents of the logs, in time order, from 1.
    pub number: usize,
    #[serde(with = "serde_utc")]
    pub start: Micros,
    /// When the symptom was back at its baseline and stayed there; null while ongoing.
    #[serde(with = "serde_utc_opt")]
    pub end: Option<Micros>,
    /// The logs end before the symptom does.
    pub ongoing: bool,
    /// From the start to the end (or, while ongoing, to the last of the symptom).
    #[serde(rename = "duration_s", with = "serde_seconds")]
    pub duration: Micros,
    pub detected: Option<Detection>,
    /// What users saw, from the access logs.
    pub impact: Impact,
    /// The error lines of the window where no access log covers it: all that is known of
    /// an incident found without one.
    pub errors: ErrorLines,
    /// The error and latency spikes (or error bursts) that make the window.
    pub symptoms: Vec<Episode>,
    /// The failures seen from other logs (a proxy's line for each request it could not
    /// pass on): part of the symptom, never its cause.
    pub echoes: Vec<Episode>,
    /// Its traffic against the hour before, field by field; null without an access log.
    pub contrast: Option<Contrast>,
    /// Where the structured application logs' errors of the window were, field by
    /// field (a tenant, a provider, a shard); null where no such log gives a field with
    /// errors then.
    pub error_fields: Option<ErrorFields>,
}

/// The errors of an incident's application logs against their other lines, by the
/// fields that sort their lines into classes (see [`crate::timeline::app_contrast`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorFields {
    #[serde(with = "serde_utc")]
    pub baseline_start: Micros,
    #[serde(with = "serde_utc")]
    pub baseline_end: Micros,
    pub fields: Vec<FieldClasses>,
    /// The values that carried most of the errors, far more than of the other lines.
    pub findings: Vec<ClassFinding>,
}

/// A value that carried most of an incident's application errors (its share of the
/// errors of the logs that give the field, against its share of their other lines),
/// citing the first error that carried it.
pub type ClassFinding = crate::timeline::app_contrast::ClassFinding<Vec<Evidence>>;

/// An incident's traffic against its baseline's: the values of each field that changed
/// most, and those that explain the change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contrast {
    #[serde(with = "serde_utc")]
    pub baseline_start: Micros,
    #[serde(with = "serde_utc")]
    pub baseline_end: Micros,
    pub requests_before: u64,
    pub requests_during: u64,
    pub failed_during: u64,
    /// Requests a minute during the incident over the baseline's.
    pub rate_ratio: Option<f64>,
    /// Whether the requests during the incident, before it, or the failed ones were
    /// sampled somewhere (a busy minute's): their counts are then estimates.
    pub sampled_during: bool,
    pub sampled_before: bool,
    pub failed_sampled: bool,
    pub fields: Vec<FieldShift>,
    /// Who made most of a surge of requests.
    pub surge: Vec<Finding>,
    /// Where most failed requests went, against its share of the traffic.
    pub failures: Vec<Finding>,
}

impl Contrast {
    /// When the change it finds is told: when the surge began (the baseline's end), or
    /// when the failures did.
    pub fn told_at(&self, incident_start: Micros) -> Micros {
        if self.surge.is_empty() {
            incident_start
        } else {
            self.baseline_end
        }
    }
}

/// A value that explains a change of the traffic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub field: &'static str,
    /// The field, as renderers choose their words by it.
    #[serde(skip)]
    pub kind: Field,
    pub value: String,
    /// Its share of the incident's requests (a surge) or of its failed requests.
    pub share: f64,
    /// Its share of the baseline's requests (a surge) or of the incident's requests.
    pub compared: f64,
    /// Its requests (a surge) or failed requests.
    pub count: u64,
    /// `share` and `count` are estimates from a sample of the lines (a busy log's); else
    /// `share` is a lower bound.
    pub estimated: bool,
    /// `compared` is an estimate from a sample; else an upper bound.
    pub compared_estimated: bool,
    pub evidence: Vec<Evidence>,
}

impl Incident {
    /// Where the window ends in the logs (its end, or the last of the symptom).
    pub fn window_end(&self) -> Micros {
        self.start + self.duration
    }
}

/// One incident of the logs, in a line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncidentSummary {
    pub number: usize,
    #[serde(with = "serde_utc")]
    pub start: Micros,
    #[serde(with = "serde_utc")]
    pub end: Micros,
    pub requests: u64,
    pub failed_requests: u64,
}

impl Source {
    /// The file as a reader knows this source (see [`crate::source::labelled`]).
    pub fn label(&self) -> String {
        crate::source::labelled(&self.file, self.part.as_deref())
    }

    /// The zone and where it came from, for people: `-05:00`, `UTC (--tz)`,
    /// `-08:00 (as access.log)`, `UTC (this machine's)`; and the clock offset found, if
    /// any: `-08:00 (as access.log), clock +242 s`.
    pub fn zone_label(&self) -> String {
        let zone = match (self.zone_from, &self.zone_followed) {
            (_, Some(followed)) => format!("{} (as {})", self.zone, followed.rsplit('/').next().unwrap_or(followed)),
            ("tz", _) | ("tz_pattern", _) => format!("{} (--tz)", self.zone),
            ("machine", _) => format!("{} (this machine's)", self.zone),
            _ => self.zone.clone(),
        };
        match self.clock_offset_s {
            Some(offset) => format!("{zone}, clock {offset:+} s"),
            None => zone,
        }
    }
}

/// What was understood of one file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    /// The file as shown to the user: its path, or a container's name.
    pub file: String,
    /// Where the file is, when `file` is a name of its own; null otherwise.
    pub path: Option<String>,
    /// The source it belongs to (group: its rotated set, or the stream it is a piece of).
    pub group: String,
    /// The part of the file this source is, where the file's parts are read apart (a
    /// container's `stderr`, a compose service, a shipper's file, an export's host); null
    /// otherwise.
    pub part: Option<String>,
    /// The format's name (`unknown` when none was recognised).
    pub format: &'static str,
    pub source: SourceKind,
    /// How it was read: `mmap`, `read`, `gzip`, `stdin`, `docker json-file`, `gzip, cri`.
    pub read: String,
    /// The zone of its times: the one its lines carry, or the one assumed.
    pub zone: String,
    pub zone_assumed: bool,
    /// Where the zone came from: `lines`, `tz`, `tz_pattern`, `other_logs`, `machine`.
    pub zone_from: &'static str,
    /// For `other_logs`: the file whose offsets were followed.
    pub zone_followed: Option<String>,
    /// Seconds to add to its times to align its clock with the reference's (the access
    /// log); null where none was found.
    pub clock_offset_s: Option<i64>,
    /// The file whose clock it was measured against.
    pub clock_reference: Option<String>,
    /// Whether its times were moved by `clock_offset_s` (not with `--no-skew`).
    pub clock_moved: bool,
    /// The year given to the first line, for formats that print none.
    pub year_assumed: Option<i32>,
    pub bytes: u64,
    pub lines: u64,
    pub timestamped: u64,
    #[serde(with = "serde_utc_opt")]
    pub first: Option<Micros>,
    #[serde(with = "serde_utc_opt")]
    pub last: Option<Micros>,
    /// Matched lines.
    pub events: u64,
    pub cut_lines: u64,
    /// Matched lines in a file with no timestamp at all, left out.
    pub untimed_events: u64,
    /// The fields a JSON access log's records were read by (`status ← EdgeResponseStatus,
    /// path ← ClientRequestURI, time ← EdgeStartTimestamp (ns)`, found or given with
    /// `--access-fields`); null for other formats.
    pub fields: Option<String>,
    /// The fields a JSON log's lines were counted by, to say where its errors were (see
    /// [`crate::format::app_keys`]); empty for other formats.
    pub classes: Vec<Box<str>>,
}

/// Requests and failures per bucket over the logs' span, every access log together.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Traffic {
    #[serde(rename = "bucket_s", with = "serde_seconds")]
    pub bucket: Micros,
    pub buckets: Vec<TrafficBucket>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrafficBucket {
    #[serde(with = "serde_utc")]
    pub time: Micros,
    pub requests: u64,
    /// 5xx responses.
    pub failed: u64,
    /// The mean request time, where the access format carries it.
    pub mean_ms: Option<f64>,
}

/// The draft of one incident (or of none): what `postmortem draft` says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool_version: &'static str,
    /// The zone people see times in.
    pub display_zone: Zone,
    /// The incident drafted; null when none was found.
    pub incident: Option<Incident>,
    /// Null when nothing explains the incident.
    pub root_cause: Option<RootCause>,
    /// Warnings that led up to the incident, escalating; null when none did.
    pub early_sign: Option<EarlySign>,
    /// Other candidates weighed for trigger and mechanism, ranked lower.
    pub alternatives: Vec<Link>,
    pub resolution: Option<Resolution>,
    /// The episodes from the first link of the chain to a quarter of an hour after the end.
    pub timeline: Vec<Episode>,
    pub measures: Vec<Statement>,
    /// Every incident of the logs.
    pub incidents: Vec<IncidentSummary>,
    /// Spikes below the size of an incident (see `--min-duration`, `--min-failed`).
    pub blips: Vec<IncidentSummary>,
    /// With no incident: the most severe things the logs hold (warnings or worse), most
    /// severe first, so that a quiet draft still says what there was.
    pub notable: Vec<Episode>,
    pub sources: Vec<Source>,
    pub traffic: Traffic,
    /// What could not be read, one line a file.
    pub problems: Vec<Problem>,
}

/// A matched line, kept whole (`timeline --raw`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    #[serde(with = "serde_utc")]
    pub time: Micros,
    pub file: String,
    pub line: u64,
    /// Byte offset of the line (in the decompressed stream for compressed files).
    pub offset: u64,
    pub source: SourceKind,
    pub format: &'static str,
    pub rule: String,
    pub category: Category,
    pub severity: Severity,
    /// The line, cleaned of control characters and cut to a readable length.
    pub message: String,
    /// What the rule captured.
    pub fields: BTreeMap<String, String>,
}

/// The merged stream of what was found: what `postmortem timeline` says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineReport {
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub display_zone: Zone,
    pub episodes: Vec<Episode>,
    /// What changed in the traffic of each incident in the window, where something
    /// explains it (for the text timeline: the records keep the episodes' one schema).
    #[serde(skip)]
    pub traffic_changes: Vec<(Micros, Contrast)>,
    /// Where the application errors of each incident in the window were, where a value
    /// carried them (for the text timeline, likewise), at the incident's start.
    #[serde(skip)]
    pub error_changes: Vec<(Micros, ErrorFields)>,
    /// Every matched line, when they were kept (`--raw`).
    pub events: Option<Vec<Event>>,
    pub sources: Vec<Source>,
    pub problems: Vec<Problem>,
}

/// What was understood of each file: what `postmortem sources` says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourcesReport {
    pub display_zone: Zone,
    pub sources: Vec<Source>,
    pub problems: Vec<Problem>,
}
