//! `postmortem sources`: what the tool understood of each file, as a table or as JSON.

use super::thousands;
use crate::report::Source;
use crate::time::{display_time, Zone};
use std::io::{self, Write};

pub fn write_sources_text(out: &mut dyn Write, files: &[Source], problems: &[crate::error::Problem], zone: Zone) -> io::Result<()> {
    let when = |t: Option<i64>| t.map_or_else(|| "-".to_string(), |t| display_time(t, zone));
    let skipped: Vec<&crate::error::Problem> = problems.iter().filter(|p| p.skipped).collect();
    let width = files
        .iter()
        .map(|f| f.label().chars().count())
        .chain(skipped.iter().map(|p| p.file.chars().count()))
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "{:<width$}  {:<15} {:<28} {:>10} {:>10} {:<26} {:<26} {:>7}",
        "FILE", "FORMAT", "ZONE", "LINES", "TIMED", "FIRST", "LAST", "EVENTS"
    )?;
    for f in files {
        let zone_label = f.zone_label();
        writeln!(
            out,
            "{:<width$}  {:<15} {:<28} {:>10} {:>10} {:<26} {:<26} {:>7}",
            crate::text::clean_line(f.label().as_bytes(), 300),
            f.format,
            zone_label,
            thousands(f.lines),
            thousands(f.timestamped),
            when(f.first),
            when(f.last),
            thousands(f.events)
        )?;
    }
    // Files not read at all, and why.
    for skipped in skipped {
        writeln!(
            out,
            "{:<width$}  {}",
            crate::text::clean_line(skipped.file.as_bytes(), 300),
            skipped.message
        )?;
    }
    // Files shown by a container's name: where each is.
    let named: Vec<&Source> = files.iter().filter(|f| f.path.is_some()).collect();
    if !named.is_empty() {
        writeln!(out)?;
        for f in named {
            writeln!(out, "{:<width$}  is {}", f.file, f.path.as_deref().unwrap_or_default())?;
        }
    }
    Ok(())
}

/// An array, one object a file, keys in order.
pub fn write_sources_json(out: &mut dyn Write, files: &[Source]) -> io::Result<()> {
    let value = serde_json::to_value(files).map_err(io::Error::other)?;
    serde_json::to_writer_pretty(&mut *out, &value).map_err(super::json_write_error)?;
    out.write_all(b"\n")
}
