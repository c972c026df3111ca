//! The reduce step, in two: each file's chunks, in order, made one file's ([`FileFold`]):
//! line numbers made absolute, stamp-less lines given the time of the record above; then
//! the files put together ([`Combiner`]): series and hits merged by source group, and the
//! kept lines ordered.
//!
//! Both take their input as it comes, in file order: a draft's scan hands each chunk's
//! piece to the combiner as soon as the chunks before it are in (see
//! [`super::read_in_order`]), so what a long log holds minute by minute is merged, and
//! bounded, while the rest is read; a partial's keeps the pieces apart. Either way every
//! source takes its pieces in the same order, so the result is the same.

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

/// Where the reduce puts what it made of each file: its pieces as they are made, in file
/// order, then the file once its last chunk is in.
pub(super) trait FileSink {
    fn piece(&mut self, group: &str, piece: Piece);
    fn file(&mut self, read: ReadFile);
}

/// The files as read, each with its pieces: what a partial keeps (see [`super::partial`]).
#[derive(Default)]
pub(super) struct Collected {
    pub(super) files: Vec<ReadFile>,
    pieces: Vec<Piece>,
}

impl FileSink for Collected {
    fn piece(&mut self, _group: &str, piece: Piece) {
        self.pieces.push(piece);
    }

    fn file(&mut self, mut read: ReadFile) {
        let held = std::mem::take(&mut read.pieces);
        read.pieces = std::mem::take(&mut self.pieces);
        read.pieces.extend(held);
        self.files.push(read);
    }
}

/// One file's chunks made one file's, taken in file order: line numbers made absolute,
/// stamp-less lines given the time of the record above. What each chunk found is kept
/// apart ([`Piece`]), so that the files are put together ([`combine`]) exactly as if each
/// chunk had joined its source on its own: the same, whether the file was read in this
/// run or in another and kept in a partial (see [`super::partial`]).
pub(super) struct FileFold {
    index: u32,
    report: FileReport,
    /// The time of the last stamped line so far: that of the stamp-less lines that follow.
    carried: Option<Micros>,
    /// Chunks held until the file ends: from the first whose stamp-less lines come before
    /// any stamp of the file. Those take the file's first time, which only its last chunk
    /// settles; the chunks after wait with it, so that the pieces still go out in order.
    held: Option<Vec<ChunkResult>>,
    events: Vec<Event>,
    /// Problems reading it, each once (a file that vanished fails in each of its chunks alike).
    problems: Vec<Problem>,
    not_records: u64,
}

impl FileFold {
    pub(super) fn new(index: u32, probe: &Probe, plan: &FilePlan) -> FileFold {
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
        FileFold {
            index,
            report,
            carried: None,
            held: None,
            events: Vec::new(),
            problems: Vec::new(),
            not_records: 0,
        }
    }

    /// Takes the file's next chunk, and gives `sink` its piece unless it must be held.
    pub(super) fn take(&mut self, chunk: ChunkResult, sink: &mut impl FileSink) {
        if self.held.is_none() && self.carried.is_none() && has_untimed(&chunk) {
            self.held = Some(Vec::new());
        }
        match &mut self.held {
            Some(held) => held.push(chunk),
            None => {
                let piece = self.place(chunk, None);
                sink.piece(&self.report.group, piece);
            }
        }
    }

    /// Takes what one of the file's units said once it ended (the next in file order,
    /// its chunks given before): its last chunks, the lines it cut and its problem.
    pub(super) fn end_unit(&mut self, output: UnitOutput, sink: &mut impl FileSink) {
        for chunk in output.chunks {
            self.take(chunk, sink);
        }
        self.not_records += output.not_records;
        self.report.cut_lines += output.cut_lines;
        if let Some(problem) = output.problem {
            if !self.problems.contains(&problem) {
                self.problems.push(problem);
            }
        }
    }

    /// The chunk made a piece of the file, placed after those before it; `first` is the
    /// file's first time, where the chunk's stamp-less lines need it.
    fn place(&mut self, chunk: ChunkResult, first: Option<Micros>) -> Piece {
        let index = self.index;
        let report = &mut self.report;
        let inherited = self.carried.or(first);
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
            self.events.push(Event {
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
        self.carried = chunk.tail_time.or(self.carried);
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
        Piece {
            hits: (!chunk_hits.is_empty()).then_some(chunk_hits),
            templates,
            pulse: (!chunk.pulse.is_empty()).then_some(chunk.pulse),
            series,
            app_fields,
        }
    }

    /// The file, once its last chunk is in: its report and problems, and the pieces of
    /// the chunks it held (those it gave the sink as they came are not in it).
    pub(super) fn finish(mut self, options: &ScanOptions) -> ReadFile {
        let held = self.held.take().unwrap_or_default();
        let first = held.iter().filter_map(|c| c.first).min();
        let pieces = held.into_iter().map(|chunk| self.place(chunk, first)).collect();
        let report = self.report;
        let mut warnings = Vec::new();
        // A wrapped file read in ranges: what was not records, said once for the file.
        if let ReadMode::Unwrapped(_, wrapper) = report.mode {
            if let Some(note) = crate::source::not_records_note(self.not_records, wrapper.kind) {
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
            read_problems: self.problems,
            warnings,
            pieces,
            events: self.events,
        }
    }
}

/// Whether the chunk has lines that take the time of the record above: matched lines,
/// templates or kept lines before its first stamp.
fn has_untimed(chunk: &ChunkResult) -> bool {
    !chunk.untimed.is_empty() || chunk.untimed_templates.lines > 0 || chunk.events.iter().any(|e| e.time.is_none())
}

/// Puts the files together, in their order: series, hits, templates and pulses merged by
/// source group, one template made of those that are one message with a value at one
/// place, and the kept lines ordered. Each file's index must be its place in `files`.
pub(super) fn combine(read: Vec<ReadFile>, options: &ScanOptions) -> ScanResult {
    let mut combiner = Combiner::new(options);
    for file in read {
        combiner.file(file);
    }
    combiner.finish()
}

/// The files put together as they come, in their order (see [`combine`]): each piece
/// merged into its source group's as soon as it is given.
pub(super) struct Combiner<'a> {
    options: &'a ScanOptions,
    files: Vec<FileReport>,
    events: Vec<Event>,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    series: BTreeMap<String, Series>,
    hits: BTreeMap<String, Hits>,
    templates: BTreeMap<String, Templates>,
    pulses: BTreeMap<String, Pulse>,
    app_fields: BTreeMap<String, AppFields>,
}

impl FileSink for Combiner<'_> {
    fn piece(&mut self, group: &str, piece: Piece) {
        let options = self.options;
        if let Some(piece_templates) = piece.templates {
            entry(&mut self.templates, group, Templates::default).absorb(piece_templates);
        }
        if let Some(pulse) = piece.pulse {
            entry(&mut self.pulses, group, Pulse::default).absorb(pulse);
        }
        if let Some(piece_hits) = piece.hits {
            entry(&mut self.hits, group, || Hits::new(options.gap, options.bucket)).absorb(piece_hits);
        }
        if let Some(fields) = piece.app_fields {
            entry(&mut self.app_fields, group, || AppFields::new(options.bucket)).merge(fields);
        }
        if let Some(piece_series) = piece.series {
            entry(&mut self.series, group, || Series::new(options.bucket)).merge(piece_series);
        }
    }

    fn file(&mut self, file: ReadFile) {
        for problem in file.read_problems {
            if !self.problems.contains(&problem) {
                self.problems.push(problem);
            }
        }
        self.warnings.extend(file.warnings);
        for piece in file.pieces {
            self.piece(&file.report.group, piece);
        }
        self.events.extend(file.events);
        self.files.push(file.report);
    }
}

/// The group's entry of `map`, made by `new` the first time (the group's name is copied
/// only then: a piece of a group already there costs no allocation).
fn entry<'m, T>(map: &'m mut BTreeMap<String, T>, group: &str, new: impl FnOnce() -> T) -> &'m mut T {
    if !map.contains_key(group) {
        map.insert(group.to_string(), new());
    }
    map.get_mut(group).expect("inserted above")
}

impl<'a> Combiner<'a> {
    pub(super) fn new(options: &'a ScanOptions) -> Combiner<'a> {
        Combiner {
            options,
            files: Vec::new(),
            events: Vec::new(),
            problems: Vec::new(),
            warnings: Vec::new(),
            series: BTreeMap::new(),
            hits: BTreeMap::new(),
            templates: BTreeMap::new(),
            pulses: BTreeMap::new(),
            app_fields: BTreeMap::new(),
        }
    }

    /// What the files put together found: one template made of those that are one
    /// message with a value at one place, and the kept lines ordered.
    pub(super) fn finish(self) -> ScanResult {
        let Combiner {
            options,
            files,
            mut events,
            mut problems,
            mut warnings,
            series,
            mut hits,
            mut templates,
            mut pulses,
            app_fields,
        } = self;
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
