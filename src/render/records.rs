//! Machine-readable timelines: JSON lines (one object an episode, or an event with
//! `--raw`, each with `time` in RFC 3339 UTC) and Timesketch's JSONL import format
//! (`message`, `datetime`, `timestamp_desc`, plus our fields).

use crate::report::TimelineReport;
use crate::time::{rfc3339_utc, Micros};
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::{self, Write};

/// A record as a JSON object, keys in order.
fn record(item: &impl Serialize) -> io::Result<Map<String, Value>> {
    match serde_json::to_value(item).map_err(io::Error::other)? {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
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

/// One JSON object a line: the episodes, or every event when the report kept them.
pub fn write_records(out: &mut dyn Write, style: RecordStyle, report: &TimelineReport) -> io::Result<()> {
    let timesketch = |record: &mut Map<String, Value>, time: Micros, message: String, description: &str| {
        if style == RecordStyle::Timesketch {
            record.insert("message".into(), Value::String(message));
            record.insert("datetime".into(), Value::String(rfc3339_utc(time)));
            record.insert("timestamp".into(), Value::from(time));
            record.insert("timestamp_desc".into(), Value::String(description.into()));
        }
    };
    match &report.events {
        Some(events) => events.iter().try_for_each(|event| {
            let mut record = record(event)?;
            timesketch(&mut record, event.time, event.message.clone(), "Log line time");
            write_line(out, &record)
        }),
        None => report.episodes.iter().try_for_each(|episode| {
            let mut record = record(episode)?;
            let message = format!("{} × {} ({})", episode.count, episode.title, episode.group);
            timesketch(&mut record, episode.start, message, "Episode start");
            write_line(out, &record)
        }),
    }
}
