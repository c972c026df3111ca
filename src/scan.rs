//! The scan: probed files in; runs and tallies of matched lines and per-bucket series out.
//!
//! Plain files are cut into newline-aligned chunks so that one huge access log uses every
//! core; gzip files and stdin are streamed in blocks, one file a task. Each chunk is read
//! once, line by line: the timestamp is found (and parsed only when its bytes differ from
//! the previous line's), access lines are counted into the series, and one multi-pattern
//! matcher runs over the whole chunk so that rules cost one pass, whatever their number.
//! A matched line is folded into the chunk's [`Hits`] at once and not kept (unless
//! [`ScanOptions::keep_lines`] asks for every line), so memory follows what happened,
//! not the size of the logs. Chunks count lines from their own start; the reduce step
//! makes them absolute and gives stamp-less lines (stack traces, slow-log bodies) the
//! time of the record above.

use crate::format::{Format, Request, SourceKind};
use crate::hits::{Hits, Mark, Tallies};
use crate::rules::{RuleIndex, RuleSet};
use crate::series::{Series, SeriesBuilder};
use crate::source::{self, Blocks, PlainFile, Probe, Problem, ReadMode};
use crate::text::{clean_line, MESSAGE_CHARS};
use crate::time::{self, Micros, RawStamp, StampZone, TimeContext, YearPlan, Zone};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Knobs of a scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Zone of timestamps that carry none.
    pub zone: Zone,
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
    /// [`crate::hits`]).
    pub gap: Micros,
    /// Keep every matched line as an [`Event`] (for `timeline --raw`): memory then grows
    /// with the matches. Otherwise only runs and tallies are kept.
    pub keep_lines: bool,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions {
            zone: Zone::UTC,
            year: None,
            no_mmap: false,
            bucket: 60 * time::MICROS_PER_SEC,
            max_line: 1 << 20,
            chunk_size: 8 << 20,
            gap: 5 * 60 * time::MICROS_PER_SEC,
            keep_lines: false,
        }
    }
}

/// A line that a rule matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub time: Micros,
    /// Index into [`ScanResult::files`].
    pub file: u32,
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line (in the decompressed stream for gzip).
    pub offset: u64,
    pub rule: RuleIndex,
    /// The line, cleaned of control characters and cut to a readable length.
    pub message: Box<str>,
    /// What the rule captured: status, table, pid, duration …
    pub fields: Vec<(Box<str>, Box<str>)>,
}

/// Where a file's zone came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneNote {
    /// `+03:30`, `UTC`, `America/New_York` …
    pub zone: String,
    /// True when the lines carry no zone and `zone` was assumed (`--tz` or local).
    pub assumed: bool,
}

/// What the scan understood of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileReport {
    pub display: String,
    pub group: String,
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
}

impl FileReport {
    /// A file's report before anything is counted.
    pub fn new(display: String, group: String, format: Format, mode: ReadMode, zone: ZoneNote) -> FileReport {
        FileReport {
            display,
            group,
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
        }
    }
}

/// Everything the later stages get.
#[derive(Debug, Default)]
pub struct ScanResult {
    pub files: Vec<FileReport>,
    /// The runs and tallies of matched lines per rotated set (source group).
    pub hits: BTreeMap<String, Hits>,
    /// Every matched line, ordered by (time, file, offset), when
    /// [`ScanOptions::keep_lines`] asked for them; empty otherwise.
    pub events: Vec<Event>,
    /// Web traffic per rotated set (source group), for those with access lines.
    pub series: BTreeMap<String, Series>,
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
            all.merge(series.clone());
        }
        all
    }

    /// The tallies of every source group together.
    pub fn all_tallies(&self) -> Tallies {
        let mut all = BTreeMap::new();
        for hits in self.hits.values() {
            crate::hits::add_tallies(&mut all, hits.tallies());
        }
        all
    }

    /// Keeps the events within `[since, until)`.
    pub fn retain_window(&mut self, since: Option<Micros>, until: Option<Micros>) {
        self.events
            .retain(|e| since.is_none_or(|s| e.time >= s) && until.is_none_or(|u| e.time < u));
    }
}

/// How to read one file, decided before the scan.
struct FilePlan {
    format: Format,
    time: TimeContext,
    /// The year given to the first line, for formats that print none.
    inferred_year: Option<i32>,
}

/// A piece of work for one worker.
enum Unit {
    Range { file: usize, start: u64, end: u64 },
    Stream { file: usize },
}

/// An event before the reduce step has made its line absolute and given it a time.
struct ChunkEvent {
    line: u64,
    offset: u64,
    time: Option<Micros>,
    rule: RuleIndex,
    message: Box<str>,
    fields: Vec<(Box<str>, Box<str>)>,
}

/// What one chunk yields.
struct ChunkResult {
    lines: u64,
    timestamped: u64,
    first: Option<Micros>,
    last: Option<Micros>,
    /// The time of the last timestamped line: the time of stamp-less lines at the start
    /// of the next chunk.
    tail_time: Option<Micros>,
    cut_lines: u64,
    /// The matched lines with a time.
    hits: Hits,
    /// The matched lines before the chunk's first timestamp: they take the time of the
    /// record above them, which only the chunks before know.
    untimed: Hits,
    /// Every matched line, when the options keep them.
    events: Vec<ChunkEvent>,
    series: Series,
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

/// Scans the probed files with the rules.
pub fn scan(probes: Vec<Probe>, rules: &RuleSet, options: &ScanOptions, progress: &dyn Progress) -> ScanResult {
    progress.start(probes.iter().map(|p| p.size).sum());
    let plans = plan_files(&probes, options);
    let units = plan_units(&probes, options);
    // One job a unit, so that a thread that runs out steals single units. Left to split
    // by count, rayon gave each of two threads half the units, and the half holding the
    // app and database logs (a lazy DFA over every byte, half the speed of access lines)
    // kept one thread busy a tenth of the run after the other had finished.
    let outputs: Vec<UnitOutput> = units
        .par_iter()
        .with_max_len(1)
        .map(|unit| run_unit(unit, &probes, &plans, rules, options, progress))
        .collect();
    reduce(probes, plans, outputs, options)
}

/// What one unit of work yields: its chunks in order, and a problem if reading failed
/// or stopped early (the chunks read before it are kept).
struct UnitOutput {
    file: usize,
    chunks: Vec<ChunkResult>,
    problem: Option<Problem>,
}

/// Zones and years: naive stamps are read in the given zone; files that print no year
/// get the year that puts them nearest the span of the files that do, or else the year
/// of their modification time (stepping back across a New Year).
fn plan_files(probes: &[Probe], options: &ScanOptions) -> Vec<FilePlan> {
    let edges: Vec<_> = probes.iter().map(|p| (p.first_stamp, p.last_stamp)).collect();
    let placeholder = YearPlan {
        first_year: 1970,
        first_month: 1,
    };
    let mut dated_span: Option<(Micros, Micros)> = None;
    for (first, last) in &edges {
        let (Some(first), Some(last)) = (first, last) else { continue };
        if first.civil.year.is_none() && !matches!(first.zone, StampZone::Epoch(_)) {
            continue;
        }
        let mut ctx = TimeContext::new(options.zone, placeholder);
        if let (Some(a), Some(b)) = (ctx.resolve(first), ctx.resolve(last)) {
            let (lo, hi) = (a.min(b), a.max(b));
            dated_span = Some(dated_span.map_or((lo, hi), |(s, e)| (s.min(lo), e.max(hi))));
        }
    }
    probes
        .iter()
        .zip(&edges)
        .map(|(probe, (first, last))| {
            let format = probe.sniffed.format;
            let yearless = first.is_some_and(|s| s.civil.year.is_none() && !matches!(s.zone, StampZone::Epoch(_)));
            let years = match (yearless, first) {
                (true, Some(first)) => {
                    let first_month = first.civil.month;
                    let last_month = last.map_or(first_month, |l| l.civil.month);
                    let first_year = options.year.unwrap_or_else(|| {
                        infer_year(
                            first,
                            last.as_ref().unwrap_or(first),
                            options.zone,
                            dated_span,
                            probe.modified,
                            first_month,
                            last_month,
                        )
                    });
                    Some(YearPlan { first_year, first_month })
                }
                _ => None,
            };
            FilePlan {
                format,
                time: TimeContext::new(options.zone, years.unwrap_or(placeholder)),
                inferred_year: years.map(|y| y.first_year),
            }
        })
        .collect()
}

fn infer_year(
    first: &RawStamp,
    last: &RawStamp,
    zone: Zone,
    dated_span: Option<(Micros, Micros)>,
    modified: Option<std::time::SystemTime>,
    first_month: u8,
    last_month: u8,
) -> i32 {
    let crosses_new_year = last_month < first_month;
    if let Some((start, end)) = dated_span {
        let (start_year, _) = time::year_month(start);
        let (end_year, _) = time::year_month(end);
        let distance = |year: i32| {
            let mut ctx = TimeContext::new(
                zone,
                YearPlan {
                    first_year: year,
                    first_month,
                },
            );
            let (Some(a), Some(b)) = (ctx.resolve(first), ctx.resolve(last)) else {
                return i64::MAX;
            };
            if b < start {
                start - b
            } else if a > end {
                a - end
            } else {
                0
            }
        };
        // Ties go to the later year; the candidates are few.
        return (start_year - 1..=end_year + 1)
            .rev()
            .min_by_key(|y| distance(*y))
            .unwrap_or(start_year);
    }
    let modified = modified.unwrap_or_else(std::time::SystemTime::now);
    let modified_micros = modified.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64);
    let (year, month) = time::year_month(modified_micros);
    // The last line was written before the file's modification time.
    let last_year = if last_month > month { year - 1 } else { year };
    if crosses_new_year {
        last_year - 1
    } else {
        last_year
    }
}

fn plan_units(probes: &[Probe], options: &ScanOptions) -> Vec<Unit> {
    let mut units = Vec::new();
    for (file, probe) in probes.iter().enumerate() {
        match probe.mode {
            ReadMode::Mmap | ReadMode::Pread => {
                let chunk = options.chunk_size.max(1) as u64;
                let mut start = 0;
                loop {
                    let end = (start + chunk).min(probe.size);
                    units.push(Unit::Range { file, start, end });
                    if end >= probe.size {
                        break;
                    }
                    start = end;
                }
            }
            ReadMode::Gzip | ReadMode::Stdin => units.push(Unit::Stream { file }),
        }
    }
    units
}

fn run_unit(
    unit: &Unit,
    probes: &[Probe],
    plans: &[FilePlan],
    rules: &RuleSet,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> UnitOutput {
    match *unit {
        Unit::Range { file, start, end } => {
            let probe = &probes[file];
            let result = PlainFile::open(probe).and_then(|plain| {
                let (first, bytes) = plain.lines_in(start, end, options.max_line)?;
                Ok(scan_chunk(&bytes, first, &plans[file], rules, options))
            });
            progress.advance(end - start);
            match result {
                Ok(chunk) => UnitOutput {
                    file,
                    chunks: vec![chunk],
                    problem: None,
                },
                Err(e) => {
                    let problem = Problem::error(&probe.file.display, format!("read failed: {}", source::describe_io(&e)));
                    UnitOutput {
                        file,
                        chunks: Vec::new(),
                        problem: Some(problem),
                    }
                }
            }
        }
        Unit::Stream { file } => {
            let probe = &probes[file];
            let stream = match source::open_stream(probe) {
                Ok(stream) => stream,
                Err(e) => {
                    let problem = Problem::error(&probe.file.display, format!("cannot open: {}", source::describe_io(&e)));
                    return UnitOutput {
                        file,
                        chunks: Vec::new(),
                        problem: Some(problem),
                    };
                }
            };
            let first_block = probe.stdin_head.clone();
            let mut blocks = Blocks::new(stream, first_block, options.chunk_size.max(4096), options.max_line);
            // Reading (decompressing) and scanning take turns on a core each: a thread of
            // its own reads the next blocks while this one scans, two blocks ahead at most.
            let (sender, receiver) = std::sync::mpsc::sync_channel::<(u64, Vec<u8>)>(2);
            let mut chunks = Vec::new();
            let blocks = std::thread::scope(|scope| {
                let reader = scope.spawn(move || {
                    while let Some(block) = blocks.next_block() {
                        if sender.send(block).is_err() {
                            break;
                        }
                    }
                    blocks
                });
                for (base, block) in receiver {
                    chunks.push(scan_chunk(&block, base, &plans[file], rules, options));
                }
                reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            if let Some(last) = chunks.last_mut() {
                last.cut_lines += blocks.cut_lines;
            }
            progress.advance(probe.size);
            let problem = blocks.error.map(|e| {
                Problem::warning(
                    &probe.file.display,
                    format!("stopped early, kept what was read before: {}", source::describe_io(&e)),
                )
            });
            UnitOutput { file, chunks, problem }
        }
    }
}

/// Remembers the last parsed timestamp so that a run of lines stamped with the same
/// bytes (many requests in one second) is parsed once.
struct StampCache {
    bytes: Vec<u8>,
    time: Option<Micros>,
}

impl StampCache {
    #[inline]
    fn time_of(&mut self, at: &[u8], format: Format, ctx: &mut TimeContext) -> Option<Micros> {
        let n = self.bytes.len();
        // Same bytes, and not the head of a longer stamp (the next byte ends it).
        if n > 0
            && at.len() >= n
            && at[..n] == self.bytes[..]
            && !at
                .get(n)
                .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b',' | b':'))
        {
            return self.time;
        }
        let stamp = format.parse_stamp(at)?;
        let time = ctx.resolve(&stamp);
        self.bytes.clear();
        self.bytes.extend_from_slice(&at[..stamp.len]);
        self.time = time;
        time
    }
}

/// Scans the lines of one chunk. `base` is the absolute offset of `data[0]`.
fn scan_chunk(data: &[u8], base: u64, plan: &FilePlan, rules: &RuleSet, options: &ScanOptions) -> ChunkResult {
    let format = plan.format;
    let matcher = rules.matcher(format);
    let web = format.kind() == SourceKind::Web;
    let mut ctx = plan.time.clone();
    let mut cache = StampCache {
        bytes: Vec::with_capacity(40),
        time: None,
    };
    let mut result = ChunkResult {
        lines: 0,
        timestamped: 0,
        first: None,
        last: None,
        tail_time: None,
        cut_lines: 0,
        hits: Hits::new(options.gap, options.bucket),
        untimed: Hits::new(options.gap, options.bucket),
        events: Vec::new(),
        series: Series::new(options.bucket),
    };
    let mut series = SeriesBuilder::new(options.bucket);
    let mut current: Option<Micros> = None;
    let mut next_hit = matcher.next_hit(data, 0);
    let mut pos = 0;
    while pos < data.len() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        let mut line = &data[pos..end];
        if line.len() > options.max_line {
            line = &line[..options.max_line];
            result.cut_lines += 1;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line_index = result.lines;
        result.lines += 1;

        let request = if web { format.request(line) } else { None };
        let stamp_at = match request {
            Some(Request { stamp_at: Some(at), .. }) => Some(at),
            _ => format.stamp_at(line),
        };
        if let Some(at) = stamp_at {
            if let Some(t) = cache.time_of(at, format, &mut ctx) {
                current = Some(t);
                result.timestamped += 1;
                result.first = Some(result.first.map_or(t, |f| f.min(t)));
                result.last = Some(result.last.map_or(t, |l| l.max(t)));
            }
        }

        let mark = Mark {
            time: current.unwrap_or(0),
            file: 0,
            offset: base + pos as u64,
            line: line_index,
        };
        if let Some(request) = request {
            if let Some(t) = current {
                series.add(t, &request);
            }
            if let Some(rule) = matcher.match_status(request.status) {
                let digits = status_digits(request.status);
                let status = std::str::from_utf8(&digits).unwrap_or("");
                result.record(rule, &[("status", status)], mark, current, line, options.keep_lines);
            }
        }

        // Pattern hits: the matcher ran ahead over the chunk; act on the one in this line.
        if let Some(hit) = next_hit.filter(|&hit| hit <= end) {
            if hit - pos < line.len() {
                if let Some(found) = matcher.match_line(line) {
                    result.record(found.rule, &found.fields, mark, current, line, options.keep_lines);
                }
            }
            next_hit = if end < data.len() { matcher.next_hit(data, end + 1) } else { None };
        }
        pos = end + 1;
    }
    result.tail_time = current;
    result.hits.compact();
    result.untimed.compact();
    result.series = series.finish();
    result
}

impl ChunkResult {
    /// Folds a matched line into the hits (the untimed ones before the chunk's first
    /// timestamp), and keeps it whole when asked to.
    fn record<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        rule: RuleIndex,
        fields: &[(K, V)],
        mark: Mark,
        time: Option<Micros>,
        line: &[u8],
        keep_line: bool,
    ) {
        match time {
            Some(_) => self.hits.add(rule, fields, mark),
            None => self.untimed.add(rule, fields, mark),
        }
        if keep_line {
            self.events.push(ChunkEvent {
                line: mark.line,
                offset: mark.offset,
                time,
                rule,
                message: clean_line(line, MESSAGE_CHARS).into(),
                fields: fields.iter().map(|(k, v)| (k.as_ref().into(), v.as_ref().into())).collect(),
            });
        }
    }
}

/// A status code's three digits, to name it without allocating (codes are 100–599).
fn status_digits(status: u16) -> [u8; 3] {
    let status = status.min(999);
    [
        b'0' + (status / 100) as u8,
        b'0' + (status / 10 % 10) as u8,
        b'0' + (status % 10) as u8,
    ]
}

/// Makes line numbers absolute, gives stamp-less lines a time, merges series and hits by
/// source group, and orders the kept lines.
fn reduce(probes: Vec<Probe>, plans: Vec<FilePlan>, outputs: Vec<UnitOutput>, options: &ScanOptions) -> ScanResult {
    // Units come back in plan order, so each file's chunks are in file order.
    let mut by_file: Vec<Vec<ChunkResult>> = probes.iter().map(|_| Vec::new()).collect();
    let mut problems = Vec::new();
    for output in outputs {
        by_file[output.file].extend(output.chunks);
        // One line a problem: a file that vanished fails in each of its chunks alike.
        if let Some(problem) = output.problem {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    let mut files = Vec::with_capacity(probes.len());
    let mut events = Vec::new();
    let mut series: BTreeMap<String, Series> = BTreeMap::new();
    let mut hits: BTreeMap<String, Hits> = BTreeMap::new();
    for (index, ((probe, plan), chunks)) in probes.into_iter().zip(plans).zip(by_file).enumerate() {
        let mut report = FileReport::new(
            probe.file.display.clone(),
            probe.file.group.clone(),
            plan.format,
            probe.mode,
            zone_note(&probe, options.zone),
        );
        report.year = plan.inferred_year;
        report.bytes = probe.size;
        let file_first = chunks.iter().filter_map(|c| c.first).min();
        let mut carried = None;
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
            chunk_hits.place(index as u32, report.lines);
            report.events += chunk_hits.count();
            if !chunk_hits.is_empty() {
                hits.entry(report.group.clone())
                    .or_insert_with(|| Hits::new(options.gap, options.bucket))
                    .absorb(chunk_hits);
            }
            for event in chunk.events {
                let Some(time) = event.time.or(inherited) else { continue };
                events.push(Event {
                    time,
                    file: index as u32,
                    line: report.lines + event.line + 1,
                    offset: event.offset,
                    rule: event.rule,
                    message: event.message,
                    fields: event.fields,
                });
            }
            report.lines += chunk.lines;
            report.timestamped += chunk.timestamped;
            report.cut_lines += chunk.cut_lines;
            report.first = min_opt(report.first, chunk.first);
            report.last = max_opt(report.last, chunk.last);
            carried = chunk.tail_time.or(carried);
            if !chunk.series.is_empty() {
                series
                    .entry(report.group.clone())
                    .or_insert_with(|| Series::new(options.bucket))
                    .merge(chunk.series);
            }
        }
        if report.cut_lines > 0 {
            problems.push(Problem::warning(
                &report.display,
                format!("{} line(s) longer than {} bytes were cut", report.cut_lines, options.max_line),
            ));
        }
        if report.format == Format::Unknown && report.lines > 0 {
            problems.push(Problem::warning(
                &report.display,
                "format not recognised and no line starts with a timestamp; read, but nothing could be placed in time",
            ));
        }
        files.push(report);
    }
    events.sort_by_key(|e| (e.time, e.file, e.offset));
    for group in hits.values_mut() {
        group.compact();
    }
    ScanResult {
        files,
        hits,
        events,
        series,
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

/// Which zone a file's times are in: the one its lines carry, or the assumed one.
fn zone_note(probe: &Probe, assumed: Zone) -> ZoneNote {
    match probe.first_stamp.map(|s| s.zone) {
        Some(StampZone::Offset(0)) | Some(StampZone::Epoch(_)) => ZoneNote {
            zone: "UTC".into(),
            assumed: false,
        },
        Some(StampZone::Offset(secs)) => ZoneNote {
            zone: time::format_offset(secs, true),
            assumed: false,
        },
        _ => ZoneNote {
            zone: assumed.to_string(),
            assumed: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn syslog(text: &str) -> RawStamp {
        time::parse_syslog(text.as_bytes()).unwrap()
    }

    fn instant(text: &str) -> Micros {
        chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros()
    }

    fn modified(text: &str) -> Option<std::time::SystemTime> {
        Some(UNIX_EPOCH + Duration::from_micros(instant(text) as u64))
    }

    #[test]
    fn a_yearless_file_takes_the_year_nearest_the_other_files() {
        let (first, last) = (syslog("Jan 21 15:28:01"), syslog("Jan 21 16:31:12"));
        let span = Some((instant("2024-01-21T10:00:00Z"), instant("2024-01-21T18:00:00Z")));
        // The file's own date says nothing; the modification time is ignored when
        // other files give a span.
        let year = infer_year(&first, &last, Zone::UTC, span, modified("2026-11-21T00:00:00Z"), 1, 1);
        assert_eq!(year, 2024);
    }

    #[test]
    fn the_nearest_year_holds_across_a_new_year() {
        let (first, last) = (syslog("Dec 31 23:50:00"), syslog("Jan  1 00:10:00"));
        let span = Some((instant("2023-12-31T23:00:00Z"), instant("2024-01-01T01:00:00Z")));
        assert_eq!(infer_year(&first, &last, Zone::UTC, span, None, 12, 1), 2023);
    }

    #[test]
    fn alone_a_file_takes_its_modification_year_stepping_back_across_new_year() {
        let (first, last) = (syslog("Dec 30 10:00:00"), syslog("Jan  1 09:00:00"));
        assert_eq!(
            infer_year(&first, &last, Zone::UTC, None, modified("2025-01-02T08:00:00Z"), 12, 1),
            2024
        );
        // Written in June and July, last modified in March: last year's summer.
        let (first, last) = (syslog("Jun 14 15:16:01"), syslog("Jul 27 14:42:00"));
        assert_eq!(
            infer_year(&first, &last, Zone::UTC, None, modified("2025-03-01T00:00:00Z"), 6, 7),
            2024
        );
        let (first, last) = (syslog("Jun 14 15:16:01"), syslog("Jul 27 14:42:00"));
        assert_eq!(
            infer_year(&first, &last, Zone::UTC, None, modified("2025-08-01T00:00:00Z"), 6, 7),
            2025
        );
    }
}
