//! The scan: probed files in; runs and tallies of matched lines and per-bucket series out.
//!
//! Plain files are cut into newline-aligned chunks so that one huge access log uses every
//! core; gzip files and stdin are streamed in blocks, one file a task ([`units`]). Each
//! chunk is read once, line by line ([`chunk`]): the timestamp is found (and parsed only
//! when its bytes differ from the previous line's), access lines are counted into the
//! [`series`], and one multi-pattern matcher runs over the whole chunk so that rules cost
//! one pass, whatever their number. A matched line is folded into the chunk's [`Hits`]
//! at once and not kept (unless [`ScanOptions::keep_lines`] asks for every line), so
//! memory follows what happened, not the size of the logs. Chunks count lines from their
//! own start; the reduce step ([`reduce`]) makes them absolute and gives stamp-less lines
//! (stack traces, slow-log bodies) the time of the record above, each chunk as soon as
//! the chunks before it are in (`read_in_order`), so that what is held is what the
//! sources have found so far, not every chunk's findings.

pub mod app_fields;
mod chunk;
pub mod clients;
pub mod hits;
pub mod keys;
pub mod partial;
pub mod pulse;
mod reduce;
pub mod series;
pub mod templates;
pub mod top_values;
mod units;
mod zones;

use crate::error::Problem;
use crate::format::{Format, SourceKind};
use crate::rules::RuleSet;
use crate::source::{Probe, ReadMode};
use crate::time::{self, Micros, TimeContext, Zone};
use hits::{Hits, Signal};
use serde::{Deserialize, Serialize};
use series::Series;
use std::collections::BTreeMap;
use templates::Templates;

/// Knobs of a scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Zone of timestamps that carry none: the one the user gave, or this machine's when
    /// `zone_given` is false (then the offsets other files carry come first).
    pub zone: Zone,
    pub zone_given: bool,
    /// Zones for the files a pattern names, before any other (`--tz 'db/*=UTC'`).
    pub file_zones: Vec<FileZone>,
    /// Year of the first line of files whose timestamps print none.
    pub year: Option<i32>,
    pub no_mmap: bool,
    /// Width of a series bucket.
    pub bucket: Micros,
    /// Longer lines are cut here and counted.
    pub max_line: usize,
    /// Target size of a chunk of a plain file.
    pub chunk_size: usize,
    /// Matched lines of one rule and key closer than this in time are one run (see
    /// [`hits`]).
    pub gap: Micros,
    /// Keep every matched line as an [`Event`] (for `timeline --raw`): memory then grows
    /// with the matches. Otherwise only runs and tallies are kept.
    pub keep_lines: bool,
    /// The fields JSON access records are read by, given by hand (`--access-fields`).
    pub access_fields: Option<crate::format::AccessFields>,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions {
            zone: Zone::UTC,
            zone_given: true,
            file_zones: Vec::new(),
            year: None,
            no_mmap: false,
            bucket: 60 * time::MICROS_PER_SEC,
            max_line: 1 << 20,
            chunk_size: 8 << 20,
            gap: 5 * 60 * time::MICROS_PER_SEC,
            keep_lines: false,
            access_fields: None,
        }
    }
}

/// A line that a rule matched.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub time: Micros,
    /// Index into [`ScanResult::files`].
    pub file: u32,
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line (in the decompressed stream for gzip).
    pub offset: u64,
    pub signal: Signal,
    /// The line, cleaned of control characters and cut to a readable length.
    pub message: Box<str>,
    /// What the rule captured: status, table, pid, duration …
    pub fields: Vec<(Box<str>, Box<str>)>,
}

/// A zone for the files a pattern names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileZone {
    pub pattern: crate::text::PathPattern,
    pub zone: Zone,
}

/// Where a file's zone came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ZoneOrigin {
    /// Its lines carry it.
    Lines,
    /// `--tz ZONE`.
    Given,
    /// `--tz PATTERN=ZONE`, this pattern.
    ForFiles(String),
    /// The offsets other files carry at the same time; the file followed.
    OtherLogs(String),
    /// This machine's zone: nothing else told.
    Machine,
}

impl ZoneOrigin {
    /// A word for machines: `lines`, `tz`, `tz_pattern`, `other_logs`, `machine`.
    pub fn name(&self) -> &'static str {
        match self {
            ZoneOrigin::Lines => "lines",
            ZoneOrigin::Given => "tz",
            ZoneOrigin::ForFiles(_) => "tz_pattern",
            ZoneOrigin::OtherLogs(_) => "other_logs",
            ZoneOrigin::Machine => "machine",
        }
    }
}

/// A file's zone, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ZoneNote {
    /// `+03:30`, `UTC`, `America/New_York` …
    pub zone: String,
    pub origin: ZoneOrigin,
}

impl ZoneNote {
    /// True when the lines carry no zone and `zone` was assumed.
    pub fn assumed(&self) -> bool {
        self.origin != ZoneOrigin::Lines
    }
}

/// What the scan understood of one file.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileReport {
    pub display: String,
    /// Where the file is, when it is shown by a name of its own (a container's).
    pub path: Option<String>,
    pub group: String,
    /// The part of the file read, where its parts are read apart (a container's stream,
    /// a compose service, a shipper's file, an export's host).
    pub part: Option<String>,
    pub format: Format,
    pub kind: SourceKind,
    pub mode: ReadMode,
    pub zone: ZoneNote,
    /// The year given to the first line, for formats that print none.
    pub year: Option<i32>,
    pub bytes: u64,
    pub lines: u64,
    pub timestamped: u64,
    pub first: Option<Micros>,
    pub last: Option<Micros>,
    pub events: u64,
    pub cut_lines: u64,
    /// Matched lines dropped because nothing in the file gave them a time.
    pub untimed_events: u64,
    /// How far its clock was found off, where it was (see [`crate::clocks`]).
    pub clock: Option<ClockFound>,
    /// The fields its records were read by, for a JSON access log (see
    /// [`crate::format::AccessFields::describe`]).
    pub fields: Option<String>,
    /// The fields its lines were counted by, for a JSON log whose head shows fields
    /// that sort its lines into classes (see [`crate::format::app_keys`]).
    pub classes: Vec<Box<str>>,
}

/// A file's clock found off the reference's.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClockFound {
    /// What to add to its times to align them with the reference.
    pub offset: Micros,
    /// The file of the reference.
    pub reference: String,
    /// Whether its times were moved by `offset`.
    pub moved: bool,
}

impl FileReport {
    /// A file's report before anything is counted.
    pub fn new(display: String, group: String, format: Format, mode: ReadMode, zone: ZoneNote) -> FileReport {
        FileReport {
            display,
            path: None,
            group,
            part: None,
            format,
            kind: format.kind(),
            mode,
            zone,
            year: None,
            bytes: 0,
            lines: 0,
            timestamped: 0,
            first: None,
            last: None,
            events: 0,
            cut_lines: 0,
            untimed_events: 0,
            clock: None,
            fields: None,
            classes: Vec::new(),
        }
    }
}

/// Everything the later stages get.
#[derive(Debug, Default)]
pub struct ScanResult {
    pub files: Vec<FileReport>,
    /// The runs and tallies of matched lines per source group (a rotated set, a stream's pieces).
    pub hits: BTreeMap<String, Hits>,
    /// Every matched line, ordered by (time, file, offset), when
    /// [`ScanOptions::keep_lines`] asked for them; empty otherwise.
    pub events: Vec<Event>,
    /// Web traffic per source group (a rotated set, a stream's pieces), for those with access lines.
    pub series: BTreeMap<String, Series>,
    /// The templates of every other timestamped record, per source group.
    pub templates: BTreeMap<String, Templates>,
    /// Failure lines per second, per source group: what [`crate::clocks`] aligns hosts by.
    pub pulses: BTreeMap<String, pulse::Pulse>,
    /// The class fields of structured application logs, per source group.
    pub app_fields: BTreeMap<String, app_fields::AppFields>,
    /// Width of a series bucket.
    pub bucket: Micros,
    pub problems: Vec<Problem>,
}

impl ScanResult {
    /// The traffic of every access log together, bucket by bucket: what users saw,
    /// whichever web server served them.
    pub fn traffic(&self) -> Series {
        let mut all = Series::new(self.bucket.max(1));
        for series in self.series.values() {
            all.merge(series.counts_only());
        }
        all
    }

    /// Moves the field summaries of every source's series into `traffic` (this result's
    /// [`ScanResult::traffic`]): only the traffic of all together is contrasted, and the
    /// summaries are most of a series' memory.
    pub fn move_fields_into(&mut self, traffic: &mut Series) {
        for series in self.series.values_mut() {
            traffic.take_fields_of(series);
        }
    }
}

/// Told how far the scan has got, in bytes of input (compressed bytes for gzip).
pub trait Progress: Sync {
    /// The bytes the scan will cover, once it knows.
    fn start(&self, total: u64);
    /// Another `bytes` are done.
    fn advance(&self, bytes: u64);
}

/// For callers that do not show progress.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _bytes: u64) {}
}

/// Scans the probed files with the rules. Each chunk's piece joins its source as soon as
/// the chunks before it are in, so that what a long log holds minute by minute is merged
/// (and its field summaries widened) while the rest is read, not kept chunk by chunk to
/// the end.
pub fn scan(probes: Vec<Probe>, rules: &RuleSet, options: &ScanOptions, progress: &dyn Progress) -> ScanResult {
    let evidence: Vec<TimeEvidence> = probes.iter().map(TimeEvidence::of).collect();
    let plans = plan_files(&probes, &evidence, options);
    let mut combiner = reduce::Combiner::new(options);
    read_in_order(&probes, &plans, rules, options, progress, &mut combiner);
    combiner.finish()
}

/// Scans the probed files with the rules, each file on its own: what [`scan`] puts
/// together, and what a partial keeps (see [`partial`]).
pub fn read_files(probes: Vec<Probe>, rules: &RuleSet, options: &ScanOptions, progress: &dyn Progress) -> Vec<ScannedFile> {
    let evidence: Vec<TimeEvidence> = probes.iter().map(TimeEvidence::of).collect();
    let plans = plan_files(&probes, &evidence, options);
    let mut collected = reduce::Collected::default();
    read_in_order(&probes, &plans, rules, options, progress, &mut collected);
    plans
        .into_iter()
        .zip(evidence)
        .zip(collected.files)
        .map(|((plan, evidence), read)| ScannedFile {
            read,
            read_in: ReadIn {
                zone: plan.time.zone,
                years: plan.time.years,
            },
            evidence,
        })
        .collect()
}

/// Reads the files' units on every thread and gives `sink` what each file's chunks
/// found, in file order (see [`reduce`]).
///
/// The threads take the units one at a time in plan order, from a shared counter, so
/// that they finish close to that order: each output waits only for the few still being
/// read before it, and is folded in by the thread that completes the run. (Split by
/// rayon's halves, the second thread would start at the middle of the plan and its
/// outputs would wait for the whole first half.) Taking single units also keeps both
/// threads busy to the end where one file scans slower than another (an application
/// log's lines against an access log's).
fn read_in_order(
    probes: &[Probe],
    plans: &[FilePlan],
    rules: &RuleSet,
    options: &ScanOptions,
    progress: &dyn Progress,
    sink: &mut (impl reduce::FileSink + Send),
) {
    progress.start(probes.iter().map(|p| p.size).sum());
    let units = units::plan_units(probes, options);
    let next_unit = std::sync::atomic::AtomicUsize::new(0);
    let fold = std::sync::Mutex::new(InOrder {
        probes,
        plans,
        options,
        next: 0,
        waiting: BTreeMap::new(),
        open_file: None,
        sink,
    });
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads() {
            scope.spawn(|_| loop {
                let index = next_unit.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(unit) = units.get(index) else { break };
                // A thread that panicked holding the lock makes the scope panic when it
                // ends; until then the others go on.
                let lock = || fold.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut give = |chunk| lock().give(index, unit.file(), chunk);
                let output = units::run_unit(unit, probes, plans, rules, options, progress, &mut give);
                lock().end(index, output);
            });
        }
    });
    fold.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).finish();
}

/// The units' chunks folded in plan order, file by file: those that came early wait for
/// the ones before them.
struct InOrder<'a, S> {
    probes: &'a [Probe],
    plans: &'a [FilePlan],
    options: &'a ScanOptions,
    /// The index of the unit to fold next.
    next: usize,
    waiting: BTreeMap<usize, Waiting>,
    /// The file being folded, by its index.
    open_file: Option<(usize, reduce::FileFold)>,
    sink: &'a mut S,
}

/// What a unit has given that is not folded yet: its chunks so far, and its output once
/// it has ended.
struct Waiting {
    file: usize,
    chunks: Vec<chunk::ChunkResult>,
    ended: Option<units::UnitOutput>,
}

impl<S: reduce::FileSink> InOrder<'_, S> {
    /// Takes a chunk unit `index` gave as it went (a stream's).
    fn give(&mut self, index: usize, file: usize, chunk: chunk::ChunkResult) {
        self.waiting_of(index, file).chunks.push(chunk);
        self.drain();
    }

    /// Takes the output of unit `index`, which has ended.
    fn end(&mut self, index: usize, output: units::UnitOutput) {
        let file = output.file;
        self.waiting_of(index, file).ended = Some(output);
        self.drain();
    }

    fn waiting_of(&mut self, index: usize, file: usize) -> &mut Waiting {
        self.waiting.entry(index).or_insert_with(|| Waiting {
            file,
            chunks: Vec::new(),
            ended: None,
        })
    }

    /// Folds everything whose turn has come: the next unit's chunks so far, and the
    /// units after it once it has ended.
    fn drain(&mut self) {
        while let Some(waiting) = self.waiting.get_mut(&self.next) {
            let (file, chunks) = (waiting.file, std::mem::take(&mut waiting.chunks));
            let ended = match waiting.ended.is_some() {
                true => self.waiting.remove(&self.next).and_then(|w| w.ended),
                false => None,
            };
            self.open(file);
            let still_running = ended.is_none();
            if let Some((_, fold)) = &mut self.open_file {
                for chunk in chunks {
                    fold.take(chunk, &mut *self.sink);
                }
                if let Some(output) = ended {
                    fold.end_unit(output, &mut *self.sink);
                }
            }
            if still_running {
                break;
            }
            self.next += 1;
        }
    }

    /// Makes file `file` the one being folded: the files before it are finished, any
    /// with no unit of its own among them (a unit's file comes after those of the units
    /// before it).
    fn open(&mut self, file: usize) {
        debug_assert!(
            self.open_file.as_ref().is_none_or(|(open, _)| *open <= file),
            "units come in file order"
        );
        while self.open_file.as_ref().is_none_or(|(open, _)| *open < file) {
            let next = self.open_file.as_ref().map_or(0, |(open, _)| open + 1);
            self.close();
            let fold = reduce::FileFold::new(crate::num::file_index(next), &self.probes[next], &self.plans[next]);
            self.open_file = Some((next, fold));
        }
    }

    /// Gives the sink the file being folded.
    fn close(&mut self) {
        if let Some((_, fold)) = self.open_file.take() {
            self.sink.file(fold.finish(self.options));
        }
    }

    /// Gives the sink every file not given yet, once every unit is folded.
    fn finish(mut self) {
        debug_assert!(self.waiting.is_empty(), "every unit folded");
        if let Some(last) = self.probes.len().checked_sub(1) {
            self.open(last);
            self.close();
        }
    }
}

/// One file as the scan read it, before the files are put together: its report, and
/// what each of its chunks found, placed in the file.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReadFile {
    pub report: FileReport,
    /// Problems reading it (a file that vanished, a read that failed).
    #[serde(with = "crate::error::problem_list")]
    read_problems: Vec<Problem>,
    /// What is worth knowing of what was read (lines cut, a format not recognised).
    #[serde(with = "crate::error::problem_list")]
    warnings: Vec<Problem>,
    pieces: Vec<Piece>,
    /// Its matched lines, where [`ScanOptions::keep_lines`] asked for them.
    events: Vec<Event>,
}

impl ReadFile {
    /// Makes it the file of index `index`: the places of its lines name it (every one:
    /// a partial's may name any file).
    fn refile(&mut self, index: u32) {
        let mut visit = |file: &mut u32, _line: &mut u64| *file = index;
        for piece in &mut self.pieces {
            piece.hits.iter_mut().for_each(|h| h.each_place(&mut visit));
            piece.templates.iter_mut().for_each(|t| t.each_place(&mut visit));
            piece.series.iter_mut().for_each(|s| s.each_place(&mut visit));
            piece.app_fields.iter_mut().for_each(|a| a.each_place(&mut visit));
        }
        for event in &mut self.events {
            event.file = index;
        }
    }

    /// Whether moving every time by `delta` gives what reading them `delta` later would:
    /// every bucket, field range and second moves whole.
    fn moves_whole(&self, delta: Micros, bucket: Micros) -> bool {
        let whole = |width: Micros| width > 0 && delta % width == 0;
        whole(time::MICROS_PER_SEC)
            && whole(bucket)
            && self.pieces.iter().filter_map(|p| p.series.as_ref()).all(|s| whole(s.field_width()))
            && self
                .pieces
                .iter()
                .filter_map(|p| p.app_fields.as_ref())
                .all(|a| whole(a.range_width()))
    }

    /// Moves every time by `delta` (see [`ReadFile::moves_whole`]).
    fn shift(&mut self, delta: Micros) {
        for piece in &mut self.pieces {
            piece.hits.iter_mut().for_each(|h| h.shift(delta));
            piece.templates.iter_mut().for_each(|t| t.shift(delta));
            piece.series.iter_mut().for_each(|s| s.shift(delta));
            piece.app_fields.iter_mut().for_each(|a| a.shift(delta));
            piece.pulse.iter_mut().for_each(|p| p.shift(delta / time::MICROS_PER_SEC));
        }
        for event in &mut self.events {
            event.time += delta;
        }
        self.report.first = self.report.first.map(|t| t + delta);
        self.report.last = self.report.last.map(|t| t + delta);
    }
}

/// What one chunk of a file found.
#[derive(Debug, Serialize, Deserialize)]
struct Piece {
    hits: Option<Hits>,
    templates: Option<Templates>,
    pulse: Option<pulse::Pulse>,
    series: Option<Series>,
    app_fields: Option<app_fields::AppFields>,
}

/// A file read, with what its times were read by and what decided it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ScannedFile {
    pub evidence: TimeEvidence,
    pub read_in: ReadIn,
    pub read: ReadFile,
}

/// The zone and years a file's times without them were read in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadIn {
    #[serde(with = "crate::time::zone_exact")]
    pub zone: Zone,
    pub years: time::YearPlan,
}

/// What decides the zone and year of a file's times that print none (see [`zones`] and
/// [`time::year_plan`]): read by probing, and kept in a partial so that the files of
/// every partial are decided together, as in one run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TimeEvidence {
    pub display: String,
    pub path: Option<String>,
    pub size: u64,
    pub modified: Option<std::time::SystemTime>,
    pub first_stamp: Option<time::RawStamp>,
    pub last_stamp: Option<time::RawStamp>,
    pub dated_stamp: Option<time::RawStamp>,
}

impl TimeEvidence {
    fn of(probe: &Probe) -> TimeEvidence {
        TimeEvidence {
            display: probe.file.display.clone(),
            path: probe.file.path.clone(),
            size: probe.size,
            modified: probe.modified,
            first_stamp: probe.first_stamp,
            last_stamp: probe.last_stamp,
            dated_stamp: probe.dated_stamp,
        }
    }
}

/// How to read one file, decided before the scan.
pub(crate) struct FilePlan {
    pub(crate) format: Format,
    /// The columns its header lines name (W3C), each from its offset on: see
    /// [`Probe::columns`].
    pub(crate) columns: Vec<(u64, crate::format::Columns)>,
    pub(crate) time: TimeContext,
    /// The zone of its times, and where it came from.
    pub(crate) zone: ZoneNote,
    /// The year given to the first line, for formats that print none.
    pub(crate) inferred_year: Option<i32>,
    /// The fields its lines are counted by (see [`app_fields`]).
    pub(crate) app_keys: Vec<Box<str>>,
}

impl FilePlan {
    /// The columns the lines from `offset` on are read by, until a header among them
    /// names others.
    pub(crate) fn columns_at(&self, offset: u64) -> Option<crate::format::Columns> {
        self.columns.iter().rev().find(|(from, _)| *from <= offset).map(|(_, c)| c.clone())
    }
}

/// How each file is read: its format and columns as probed, and its times as
/// [`plan_times`] decides.
fn plan_files(probes: &[Probe], evidence: &[TimeEvidence], options: &ScanOptions) -> Vec<FilePlan> {
    probes
        .iter()
        .zip(plan_times(evidence, options))
        .map(|(probe, times)| FilePlan {
            format: probe.sniffed.format,
            columns: probe.columns.clone(),
            time: times.time,
            zone: times.zone,
            inferred_year: times.inferred_year,
            app_keys: probe.app_keys.clone(),
        })
        .collect()
}

/// What a file's times are read by.
pub(crate) struct TimePlan {
    pub(crate) time: TimeContext,
    pub(crate) zone: ZoneNote,
    pub(crate) inferred_year: Option<i32>,
}

/// Zones and years: naive stamps are read in the zone [`zones`] plans; files that print
/// no year get their year from [`time::year_plan`]. Each file's depends on the others'.
pub(crate) fn plan_times(evidence: &[TimeEvidence], options: &ScanOptions) -> Vec<TimePlan> {
    let edges = evidence.iter().filter_map(|p| p.first_stamp.as_ref().zip(p.last_stamp.as_ref()));
    let dated_span = time::dated_span(edges, options.zone);
    let zones = zones::plan(evidence, options);
    evidence
        .iter()
        .zip(zones)
        .map(|(probe, planned)| {
            let years = match (&probe.first_stamp, &probe.last_stamp) {
                (Some(first), last) if time::is_yearless(first) => Some(time::year_plan(
                    first,
                    last.as_ref().unwrap_or(first),
                    probe.dated_stamp.as_ref(),
                    planned.zone,
                    dated_span,
                    probe.modified,
                    options.year,
                )),
                _ => None,
            };
            // A file that prints its year on some lines and not on others (an ISO-dated
            // first line, then BSD syslog): the year-less lines take the year of the
            // file's own dated lines.
            let own_years = match (&probe.first_stamp, &probe.last_stamp) {
                (Some(first), _) if !time::is_yearless(first) => time::years_after(first),
                _ => None,
            };
            TimePlan {
                time: TimeContext::new(planned.zone, years.or(own_years).unwrap_or(time::DATED)),
                zone: planned.note,
                inferred_year: years.map(|y| y.first_year),
            }
        })
        .collect()
}
