//! `postmortem sources`: what the tool understood of each file, as a table or as JSON.

use super::thousands;
use crate::report::Source;
use crate::time::{display_time, Zone};
use std::io::{self, Write};

/// The rows of the `sources` table: one a source (the files of a rotated set, or the
/// pieces of a stream split by time or node, together), or one a file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SourceRows {
    Sources,
    Files,
}

/// One row of a table of sources: a file, or the files of one source added up.
pub(super) struct Row<'a> {
    /// The file as a reader knows it, or the source's name and its count of files.
    pub name: String,
    pub first_file: &'a Source,
    pub lines: u64,
    pub timestamped: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub events: u64,
}

/// The rows of a table of sources: each file's, or each source's in the order its first
/// file comes.
pub(super) fn rows(files: &[Source], by: SourceRows) -> Vec<Row<'_>> {
    let mut rows: Vec<(Option<&str>, Row<'_>, usize)> = Vec::new();
    for f in files {
        let key = (by == SourceRows::Sources).then_some(f.group.as_str());
        match rows.iter_mut().find(|(k, _, _)| key.is_some() && *k == key) {
            Some((_, row, count)) => {
                row.lines += f.lines;
                row.timestamped += f.timestamped;
                row.first = row.first.into_iter().chain(f.first).min();
                row.last = row.last.into_iter().chain(f.last).max();
                row.events += f.events;
                *count += 1;
            }
            None => rows.push((
                key,
                Row {
                    name: f.label(),
                    first_file: f,
                    lines: f.lines,
                    timestamped: f.timestamped,
                    first: f.first,
                    last: f.last,
                    events: f.events,
                },
                1,
            )),
        }
    }
    rows.into_iter()
        .map(|(_, mut row, count)| {
            if count > 1 {
                row.name = format!("{} ({} files)", row.first_file.group, thousands(count as u64));
            }
            row
        })
        .collect()
}

pub fn write_sources_text(
    out: &mut dyn Write,
    files: &[Source],
    problems: &[crate::error::Problem],
    zone: Zone,
    by: SourceRows,
) -> io::Result<()> {
    let when = |t: Option<i64>| t.map_or_else(|| "-".to_string(), |t| display_time(t, zone));
    let skipped: Vec<&crate::error::Problem> = problems.iter().filter(|p| p.skipped).collect();
    let rows = rows(files, by);
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .chain(skipped.iter().map(|p| p.file.chars().count()))
        .max()
        .unwrap_or(4)
        .max(4);
    let heading = if by == SourceRows::Sources { "SOURCE" } else { "FILE" };
    writeln!(
        out,
        "{:<width$}  {:<15} {:<28} {:>10} {:>10} {:<26} {:<26} {:>7}",
        heading, "FORMAT", "ZONE", "LINES", "TIMED", "FIRST", "LAST", "EVENTS"
    )?;
    for row in &rows {
        writeln!(
            out,
            "{:<width$}  {:<15} {:<28} {:>10} {:>10} {:<26} {:<26} {:>7}",
            crate::text::clean_line(row.name.as_bytes(), 300),
            row.first_file.format,
            row.first_file.zone_label(),
            thousands(row.lines),
            thousands(row.timestamped),
            when(row.first),
            when(row.last),
            thousands(row.events)
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
