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
    /// How many files the row adds up.
    pub files: usize,
    pub lines: u64,
    pub timestamped: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub events: u64,
}

/// The rows of a table of sources: each file's, or each source's in the order its first
/// file comes. A source is its group's files of one part: a container's stdout and
/// stderr, two readings of one file, stay two rows.
pub(super) fn rows(files: &[Source], by: SourceRows) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut index: std::collections::HashMap<(&str, Option<&str>), usize> = std::collections::HashMap::new();
    for f in files {
        let key = (f.group.as_str(), f.part.as_deref());
        match index.get(&key).filter(|_| by == SourceRows::Sources) {
            Some(&at) => {
                let row = &mut rows[at];
                row.files += 1;
                row.lines += f.lines;
                row.timestamped += f.timestamped;
                row.first = row.first.into_iter().chain(f.first).min();
                row.last = row.last.into_iter().chain(f.last).max();
                row.events += f.events;
            }
            None => {
                index.insert(key, rows.len());
                rows.push(Row {
                    name: f.label(),
                    first_file: f,
                    files: 1,
                    lines: f.lines,
                    timestamped: f.timestamped,
                    first: f.first,
                    last: f.last,
                    events: f.events,
                });
            }
        }
    }
    for row in rows.iter_mut().filter(|r| r.files > 1) {
        let source = crate::source::labelled(&row.first_file.group, row.first_file.part.as_deref());
        row.name = format!("{source} ({} files)", thousands(row.files as u64));
    }
    rows
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
    // JSON access logs: the fields their records were read by (their names are the
    // logs' own text).
    let read_by: Vec<&Row<'_>> = rows.iter().filter(|r| r.first_file.fields.is_some()).collect();
    if !read_by.is_empty() {
        writeln!(out)?;
        for row in read_by {
            let fields = row.first_file.fields.as_deref().unwrap_or_default();
            writeln!(
                out,
                "{:<width$}  read by {}",
                crate::text::clean_line(row.name.as_bytes(), 300),
                crate::text::clean_line(fields.as_bytes(), 600)
            )?;
        }
    }
    // JSON logs: the fields their lines were counted by, to say where errors were.
    let classed: Vec<&Row<'_>> = rows.iter().filter(|r| !r.first_file.classes.is_empty()).collect();
    if !classed.is_empty() {
        writeln!(out)?;
        for row in classed {
            let classes = row.first_file.classes.join(", ");
            writeln!(
                out,
                "{:<width$}  errors placed by {}",
                crate::text::clean_line(row.name.as_bytes(), 300),
                crate::text::clean_line(classes.as_bytes(), 600)
            )?;
        }
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
