//! The reduce step, in two: each file's chunks, in order, made one file's ([`read_file`]):
//! line numbers made absolute, stamp-less lines given the time of the record above; then
//! the files put together ([`combine`]): series and hits merged by source group, and the
//! kept lines ordered.

use super::app_fields::AppFields;
use super::chunk::ChunkResult;
use super::hits::{Hits, Signal};
use super::pulse::Pulse;
use super::series::Series;
use super::templates::Templates;
use super::units::UnitOutput;
use super::{Event, FilePlan, FileReport, Piece, ReadFile, ScanOptions, ScanResult, ZoneOrigin};
use crate::error::Problem;
use crate::format::Format;
use crate::source::{Probe, ReadMode};

use crate::time::Micros;
use std::collections::BTreeMap;

/// One file's chunks made one file's: line numbers made absolute, stamp-less lines given
/// the time of the record above. What each chunk found is kept apart, in file order
/// ([`Piece`]), so that the files are put together ([`combine`]) exactly as if each
/// chunk had joined its source on its own: the same, whether the file was read in this
/// run or in another and kept in a partial (see [`super::partial`]).
pub(super) fn read_file(index: u32, probe: &Probe, plan: &FilePlan, read: FileOutput, options: &ScanOptions) -> ReadFile {
    let mut report = FileReport::new(
        probe.file.display.clone(),
        probe.file.group.clone(),
        plan.format,
        probe.mode,
        plan.zone.clone(),
    );
    report.year = plan.inferred_year;
    report.path = probe.file.path.clone();
    report.part = probe.file.part.clone();
    report.bytes = probe.size;
    report.fields = plan.columns.first().and_then(|(_, columns)| match columns {
        crate::format::Columns::Json(fields) => Some(fields.describe()),
        crate::format::Columns::W3c(_) => None,
    });
    report.classes = plan.app_keys.clone();
    let chunks = read.chunks;
    let file_first = chunks.iter().filter_map(|c| c.first).min();
    let mut carried = None;
    let mut pieces = Vec::with_capacity(chunks.len());
    let mut events = Vec::new();
    for chunk in chunks {
        let inherited = carried.or(file_first);
        let mut chunk_hits = chunk.hits;
        let mut untimed = chunk.untimed;
        if !untimed.is_empty() {
            match inherited {
                Some(time) => {
                    untimed.retime(time);
                    chunk_hits.absorb(untimed);
                }
                None => report.untimed_events += untimed.count(),
            }
        }
        chunk_hits.place(index, report.lines);
        let mut chunk_templates = chunk.templates;
        let mut untimed_templates = chunk.untimed_templates;
        if let (Some(time), true) = (inherited, untimed_templates.lines > 0) {
            untimed_templates.retime(time);
            chunk_templates.absorb(untimed_templates);
        }
        let templates = (chunk_templates.lines > 0).then(|| {
            chunk_templates.place(index, report.lines);
            chunk_templates
        });
        report.events += chunk_hits.count();
        for event in chunk.events {
            let Some(time) = event.time.or(inherited) else { continue };
            events.push(Event {
                time,
                file: index,
                line: report.lines + event.line + 1,
                offset: event.offset,
                signal: event.signal,
                message: event.message,
                fields: event.fields,
            });
        }
        let lines_before = report.lines;
        report.lines += chunk.lines;
        report.timestamped += chunk.timestamped;
        report.cut_lines += chunk.cut_lines;
        report.first = min_opt(report.first, chunk.first);
        report.last = max_opt(report.last, chunk.last);
        carried = chunk.tail_time.or(carried);
        let series = (!chunk.series.is_empty()).then(|| {
            let mut chunk_series = chunk.series;
            chunk_series.place(index, lines_before);
            chunk_series
        });
        let app_fields = (!chunk.app_fields.is_empty()).then(|| {
            let mut fields = chunk.app_fields;
            fields.place(index, lines_before);
            fields
        });
        pieces.push(Piece {
            hits: (!chunk_hits.is_empty()).then_some(chunk_hits),
            templates,
            pulse: (!chunk.pulse.is_empty()).then_some(chunk.pulse),
            series,
            app_fields,
        });
    }
    let mut warnings = Vec::new();
    // A wrapped file read in ranges: what was not records, said once for the file.
    if let ReadMode::Unwrapped(_, wrapper) = report.mode {
        if let Some(note) = crate::source::not_records_note(read.not_records, wrapper.kind) {
            warnings.push(Problem::warning(&report.display, note));
        }
    }
    if report.cut_lines > 0 {
        warnings.push(Problem::warning(
            &report.display,
            format!("{} line(s) longer than {} bytes were cut", report.cut_lines, options.max_line),
        ));
    }
    if report.format == Format::Unknown && report.lines > 0 {
        warnings.push(Problem::warning(
            &report.display,
            "format not recognised and no line starts with a timestamp; read, but nothing could be placed in time",
        ));
    }
    ReadFile {
        report,
        read_problems: read.problems,
        warnings,
        pieces,
        events,
    }
}

/// What one file's units found, in file order.
#[derive(Default)]
pub(super) struct FileOutput {
    pub(super) chunks: Vec<ChunkResult>,
    /// Problems reading it, each once (a file that vanished fails in each of its chunks alike).
    pub(super) problems: Vec<Problem>,
    pub(super) not_records: u64,
}

/// The units' outputs gathered by file. Units come back in plan order, so each file's
/// chunks are in file order.
pub(super) fn by_file(files: usize, outputs: Vec<UnitOutput>) -> Vec<FileOutput> {
    let mut by_file: Vec<FileOutput> = (0..files).map(|_| FileOutput::default()).collect();
    for output in outputs {
        let file = &mut by_file[output.file];
        file.chunks.extend(output.chunks);
        file.not_records += output.not_records;
        if let Some(problem) = output.problem {
            if !file.problems.contains(&problem) {
                file.problems.push(problem);
            }
        }
    }
    by_file
}

/// Puts the files together, in their order: series, hits, templates and pulses merged by
/// source group, one template made of those that are one message with a value at one
/// place, and the kept lines ordered. Each file's index must be its place in `files`.
pub(super) fn combine(read: Vec<ReadFile>, options: &ScanOptions) -> ScanResult {
    let mut files = Vec::with_capacity(read.len());
    let mut events = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut warnings = Vec::new();
    let mut series: BTreeMap<String, Series> = BTreeMap::new();
    let mut hits: BTreeMap<String, Hits> = BTreeMap::new();
    let mut templates: BTreeMap<String, Templates> = BTreeMap::new();
    let mut pulses: BTreeMap<String, Pulse> = BTreeMap::new();
    let mut app_fields: BTreeMap<String, AppFields> = BTreeMap::new();
    for file in read {
        for problem in file.read_problems {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
        warnings.extend(file.warnings);
        let group = &file.report.group;
        for piece in file.pieces {
            if let Some(piece_templates) = piece.templates {
                templates.entry(group.clone()).or_default().absorb(piece_templates);
            }
            if let Some(pulse) = piece.pulse {
                pulses.entry(group.clone()).or_default().absorb(pulse);
            }
            if let Some(piece_hits) = piece.hits {
                hits.entry(group.clone())
                    .or_insert_with(|| Hits::new(options.gap, options.bucket))
                    .absorb(piece_hits);
            }
            if let Some(fields) = piece.app_fields {
                app_fields
                    .entry(group.clone())
                    .or_insert_with(|| AppFields::new(options.bucket))
                    .merge(fields);
            }
            if let Some(piece_series) = piece.series {
                series
                    .entry(group.clone())
                    .or_insert_with(|| Series::new(options.bucket))
                    .merge(piece_series);
            }
        }
        events.extend(file.events);
        files.push(file.report);
    }
    problems.append(&mut warnings);
    problems.extend(zone_notes(&files));
    // One message with a value at one place is one template (see `Templates::cluster`):
    // its lines, hits and kept events follow.
    let mut renamed_in: BTreeMap<&str, std::collections::HashMap<u64, u64>> = BTreeMap::new();
    for (group, table) in templates.iter_mut() {
        let renamed = table.cluster();
        if renamed.is_empty() {
            continue;
        }
        if let Some(hits) = hits.get_mut(group) {
            hits.rename(&renamed);
        }
        renamed_in.insert(group, renamed);
    }
    // One pass over the kept events, each looking up its own source's renames.
    if !renamed_in.is_empty() {
        for event in &mut events {
            let renamed = renamed_in.get(files[event.file as usize].group.as_str());
            if let (Signal::Template(key), Some(renamed)) = (event.signal, renamed) {
                event.signal = Signal::Template(renamed.get(&key).copied().unwrap_or(key));
            }
        }
    }
    events.sort_by_key(|e| (e.time, e.file, e.offset));
    for group in hits.values_mut() {
        group.compact();
    }
    for pulse in pulses.values_mut() {
        pulse.finish();
    }
    ScanResult {
        files,
        hits,
        events,
        series,
        templates,
        pulses,
        app_fields,
        bucket: options.bucket,
        problems,
    }
}

fn min_opt(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// One note for each zone that naive times were read in without the user saying so:
/// the zone other logs imply, or this machine's.
fn zone_notes(files: &[FileReport]) -> Vec<Problem> {
    let mut notes: Vec<(String, Vec<&str>)> = Vec::new();
    for file in files.iter().filter(|f| f.timestamped > 0) {
        let message = match &file.zone.origin {
            ZoneOrigin::OtherLogs(followed) => format!(
                "times without a zone read in {}, as {followed} carries its times (set --tz to read them otherwise)",
                file.zone.zone
            ),
            ZoneOrigin::Machine => format!(
                "times without a zone read in {}, this machine's zone: nothing in these logs tells theirs (set --tz)",
                file.zone.zone
            ),
            _ => continue,
        };
        match notes.iter_mut().find(|(m, _)| *m == message) {
            Some((_, names)) => names.push(&file.display),
            None => notes.push((message, vec![&file.display])),
        }
    }
    notes
        .into_iter()
        .map(|(message, names)| {
            let mut listed = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
            if names.len() > 3 {
                listed.push_str(&format!(" and {} more", names.len() - 3));
            }
            Problem::note(listed, message)
        })
        .collect()
}
