//! `postmortem sources`: what the tool understood of each file, as a table or as JSON.

use super::thousands;
use crate::scan::FileReport;
use crate::time::{display_time, rfc3339_utc, Zone};
use serde_json::{json, Value};
use std::io::{self, Write};

pub fn write_sources_text(out: &mut dyn Write, files: &[FileReport], zone: Zone) -> io::Result<()> {
    let when = |t: Option<i64>| t.map_or_else(|| "-".to_string(), |t| display_time(t, zone));
    let width = files.iter().map(|f| f.display.chars().count()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{:<width$}  {:<15} {:<28} {:>10} {:>10} {:<26} {:<26} {:>7}",
        "FILE", "FORMAT", "ZONE", "LINES", "TIMED", "FIRST", "LAST", "EVENTS"
    )?;
    for f in files {
        let zone_label = if f.zone.assumed {
            format!("{} (assumed)", f.zone.zone)
        } else {
            f.zone.zone.clone()
        };
        writeln!(
            out,
            "{:<width$}  {:<15} {:<28} {:>10} {:>10} {:<26} {:<26} {:>7}",
            f.display,
            f.format.name(),
            zone_label,
            thousands(f.lines),
            thousands(f.timestamped),
            when(f.first),
            when(f.last),
            thousands(f.events)
        )?;
    }
    Ok(())
}

pub fn write_sources_json(out: &mut dyn Write, files: &[FileReport]) -> io::Result<()> {
    let records: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({
                "file": f.display,
                "group": f.group,
                "format": f.format.name(),
                "source": f.kind.name(),
                "read": f.mode.name(),
                "zone": f.zone.zone,
                "zone_assumed": f.zone.assumed,
                "year_assumed": f.year,
                "bytes": f.bytes,
                "lines": f.lines,
                "timestamped": f.timestamped,
                "first": f.first.map(rfc3339_utc),
                "last": f.last.map(rfc3339_utc),
                "events": f.events,
                "cut_lines": f.cut_lines,
                "untimed_events": f.untimed_events,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &records).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
