//! Machine-readable timelines: JSON lines (one object an episode, or an event with
//! `--raw`) and Timesketch's JSONL import format.
//!
//! Every line has the same keys with the same types, whatever the logs held: an object
//! that does not apply is there with null leaves (a rate's `{peak: null, …}` on a run of
//! lines), never null itself, and captured fields are a list of `{name, value}`, never an
//! object whose keys change from line to line. So DuckDB, Polars and pandas infer one
//! schema for a quiet day and a bad one alike. Times are RFC 3339 UTC to the microsecond.

use super::{plain_text, CitedNames};
use crate::report::{Episode, Event, Evidence, TimelineReport};
use crate::time::{rfc3339_micros, Micros, Zone};
use serde::Serialize;
use std::io::{self, Write};

/// Which JSON lines to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStyle {
    /// Our own records.
    Jsonl,
    /// Our records plus the fields Timesketch's import needs.
    Timesketch,
}

/// A line behind a record, or nulls: its file's whole name, and the name citations give
/// it (see [`CitedNames`]).
#[derive(Serialize)]
struct Line<'a> {
    file: Option<&'a str>,
    name: Option<&'a str>,
    line: Option<u64>,
}

impl<'a> Line<'a> {
    fn of(evidence: Option<&'a Evidence>, names: &'a CitedNames) -> Line<'a> {
        Line {
            file: evidence.map(|e| e.file.as_str()),
            name: evidence.map(|e| names.name(&e.file)),
            line: evidence.map(|e| e.line),
        }
    }
}

/// What an episode is about, or nulls.
#[derive(Serialize)]
struct Subject<'a> {
    field: Option<&'a str>,
    value: Option<&'a str>,
}

/// How high a rate or burst went, or nulls.
#[derive(Serialize)]
struct Rate {
    peak: Option<f64>,
    peak_at: Option<String>,
    baseline: Option<f64>,
    unit: Option<&'static str>,
    ongoing: Option<bool>,
}

/// The first line behind an episode as logged, or nulls.
#[derive(Serialize)]
struct Quote<'a> {
    line: Option<&'a str>,
    message: Option<&'a str>,
}

/// One episode as a JSON line.
#[derive(Serialize)]
struct EpisodeRecord<'a> {
    time: String,
    end: String,
    source: &'static str,
    group: &'a str,
    rule: &'a str,
    category: &'static str,
    severity: &'static str,
    title: &'a str,
    /// What happened, in a sentence: the draft's words, log text in backquotes.
    text: String,
    summary: &'a str,
    count: u64,
    background: bool,
    subject: Subject<'a>,
    rate: Rate,
    first: Line<'a>,
    last: Line<'a>,
    quote: Quote<'a>,
    evidence: Vec<Line<'a>>,
}

/// A captured field.
#[derive(Serialize)]
struct Field<'a> {
    name: &'a str,
    value: &'a str,
}

/// One matched line as a JSON line.
#[derive(Serialize)]
struct EventRecord<'a> {
    time: String,
    file: &'a str,
    /// The name citations give the file (see [`CitedNames`]).
    name: &'a str,
    line: u64,
    offset: u64,
    source: &'static str,
    format: &'static str,
    rule: &'a str,
    category: &'static str,
    severity: &'static str,
    message: &'a str,
    fields: Vec<Field<'a>>,
}

/// What Timesketch's import needs besides our fields.
#[derive(Serialize)]
struct Sketch<R> {
    #[serde(flatten)]
    record: R,
    /// What an episode is, in a line: the sentence, with the count or the peak. An event
    /// has none: its own `message`, the line as logged, is what Timesketch shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    datetime: String,
    /// Microseconds since the epoch.
    timestamp: Micros,
    timestamp_desc: &'static str,
    data_type: &'static str,
}

fn episode_record<'a>(e: &'a Episode, zone: Zone, names: &'a CitedNames) -> EpisodeRecord<'a> {
    EpisodeRecord {
        time: rfc3339_micros(e.start),
        end: rfc3339_micros(e.end),
        source: e.source.name(),
        group: &e.group,
        rule: &e.rule,
        category: e.category.name(),
        severity: e.severity.name(),
        title: &e.title,
        text: plain_text(&e.phrase, zone),
        summary: &e.summary,
        count: e.count,
        background: e.background,
        subject: Subject {
            field: e.subject.as_ref().map(|s| s.field.as_str()),
            value: e.subject.as_ref().map(|s| s.value.as_str()),
        },
        rate: Rate {
            peak: e.rate.map(|r| r.peak),
            peak_at: e.rate.map(|r| rfc3339_micros(r.peak_at)),
            baseline: e.rate.map(|r| r.baseline),
            unit: e.rate.map(|r| r.unit.name()),
            ongoing: e.rate.map(|r| r.ongoing),
        },
        first: Line::of(e.first.as_ref(), names),
        last: Line::of(e.last.as_ref(), names),
        quote: Quote {
            line: e.quote.as_ref().map(|q| q.line.as_str()),
            message: e.quote.as_ref().map(|q| q.message.as_str()),
        },
        evidence: e.evidence.iter().map(|x| Line::of(Some(x), names)).collect(),
    }
}

fn event_record<'a>(e: &'a Event, names: &'a CitedNames) -> EventRecord<'a> {
    EventRecord {
        time: rfc3339_micros(e.time),
        file: &e.file,
        name: names.name(&e.file),
        line: e.line,
        offset: e.offset,
        source: e.source.name(),
        format: e.format,
        rule: &e.rule,
        category: e.category.name(),
        severity: e.severity.name(),
        message: &e.message,
        fields: e.fields.iter().map(|(name, value)| Field { name, value }).collect(),
    }
}

/// An episode in a line for Timesketch: the sentence, and how many lines or how high.
fn episode_message(e: &Episode, zone: Zone) -> String {
    let text = plain_text(&e.phrase, zone);
    let mut message = super::capitalised(&text);
    if e.rate.is_none() {
        let lines = if e.count == 1 { "line" } else { "lines" };
        message.push_str(&format!(" ({} {lines})", super::thousands(e.count)));
    }
    message
}

/// A record with Timesketch's fields added.
fn sketch<R>(record: R, message: Option<String>, time: Micros, timestamp_desc: &'static str, data_type: &'static str) -> Sketch<R> {
    Sketch {
        record,
        message,
        datetime: rfc3339_micros(time),
        timestamp: time,
        timestamp_desc,
        data_type,
    }
}

fn write_line(out: &mut dyn Write, record: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, record).map_err(super::json_write_error)?;
    out.write_all(b"\n")
}

/// One JSON object a line: the episodes, or every event when the report kept them.
pub fn write_records(out: &mut dyn Write, style: RecordStyle, report: &TimelineReport) -> io::Result<()> {
    let zone = report.display_zone;
    let names = CitedNames::of(&report.sources);
    match (&report.events, style) {
        (Some(events), RecordStyle::Jsonl) => events.iter().try_for_each(|e| write_line(out, &event_record(e, &names))),
        (Some(events), RecordStyle::Timesketch) => events.iter().try_for_each(|e| {
            write_line(
                out,
                &sketch(event_record(e, &names), None, e.time, "Log line time", "postmortem:event"),
            )
        }),
        (None, RecordStyle::Jsonl) => report
            .episodes
            .iter()
            .try_for_each(|e| write_line(out, &episode_record(e, zone, &names))),
        (None, RecordStyle::Timesketch) => report.episodes.iter().try_for_each(|e| {
            let message = Some(episode_message(e, zone));
            write_line(
                out,
                &sketch(
                    episode_record(e, zone, &names),
                    message,
                    e.start,
                    "Episode start",
                    "postmortem:episode",
                ),
            )
        }),
    }
}
