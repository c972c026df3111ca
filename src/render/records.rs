//! Machine-readable timelines: JSON lines (one object an episode, or an event with
//! `--raw`, each with `time` in RFC 3339 UTC) and Timesketch's JSONL import format
//! (`message`, `datetime`, `timestamp_desc`, plus our fields).

use crate::rules::RuleSet;
use crate::scan::{Event, FileReport};
use crate::time::{rfc3339_utc, Micros};
use crate::timeline::{Episode, RateUnit};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

fn event_record(event: &Event, files: &[FileReport], rules: &RuleSet) -> Map<String, Value> {
    let rule = rules.get(event.rule);
    let file = &files[event.file as usize];
    let fields: Map<String, Value> = event
        .fields
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    let record = json!({
        "time": rfc3339_utc(event.time),
        "file": file.display,
        "line": event.line,
        "offset": event.offset,
        "source": file.kind.name(),
        "format": file.format.name(),
        "rule": rule.id,
        "category": rule.category.name(),
        "severity": rule.severity.name(),
        "message": event.message,
        "fields": fields,
    });
    into_map(record)
}

fn episode_record(episode: &Episode, files: &[FileReport], rules: &RuleSet) -> Map<String, Value> {
    let rule = rules.get(episode.rule);
    let evidence = |e: &crate::timeline::Evidence| json!({"file": files[e.file as usize].display, "line": e.line});
    let record = json!({
        "time": rfc3339_utc(episode.start),
        "end": rfc3339_utc(episode.end),
        "source": episode.kind.name(),
        "group": episode.group,
        "rule": rule.id,
        "category": rule.category.name(),
        "severity": rule.severity.name(),
        "title": rule.title,
        "count": episode.count,
        "subject": episode.subject.as_ref().map(|(field, value)| json!({"field": field, "value": value})),
        "first": episode.first.as_ref().map(evidence),
        "last": episode.last.as_ref().map(evidence),
        "rate": episode.rate.as_ref().map(|r| json!({
            "peak": r.peak,
            "peak_at": rfc3339_utc(r.peak_at),
            "baseline": r.baseline,
            "unit": match r.unit { RateUnit::Ratio => "ratio", RateUnit::Milliseconds => "ms", RateUnit::Count => "count" },
            "ongoing": r.ongoing,
        })),
    });
    into_map(record)
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn write_line(out: &mut dyn Write, record: &Map<String, Value>) -> io::Result<()> {
    serde_json::to_writer(&mut *out, record).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Which JSON lines to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStyle {
    /// Our own records.
    Jsonl,
    /// Our records plus the fields Timesketch's import needs.
    Timesketch,
}

/// One JSON object a line: episodes, or every event when `events` is given.
pub fn write_records(
    out: &mut dyn Write,
    style: RecordStyle,
    episodes: &[Episode],
    events: Option<&[Event]>,
    files: &[FileReport],
    rules: &RuleSet,
) -> io::Result<()> {
    let timesketch = |record: &mut Map<String, Value>, time: Micros, message: String, description: &str| {
        if style == RecordStyle::Timesketch {
            record.insert("message".into(), Value::String(message));
            record.insert("datetime".into(), Value::String(rfc3339_utc(time)));
            record.insert("timestamp".into(), Value::from(time));
            record.insert("timestamp_desc".into(), Value::String(description.into()));
        }
    };
    match events {
        Some(events) => events.iter().try_for_each(|event| {
            let mut record = event_record(event, files, rules);
            timesketch(&mut record, event.time, event.message.to_string(), "Log line time");
            write_line(out, &record)
        }),
        None => episodes.iter().try_for_each(|episode| {
            let mut record = episode_record(episode, files, rules);
            let message = format!("{} × {} ({})", episode.count, rules.get(episode.rule).title, episode.group);
            timesketch(&mut record, episode.start, message, "Episode start");
            write_line(out, &record)
        }),
    }
}
