//! postmortem reconstructs the timeline of a production outage from the logs it left
//! behind. Data flows one way through the stages, one module each:
//!
//! ```text
//! paths ─► source ─► scan ─► clocks ─► timeline ─► analyze ─► report ─► render
//!          discover,  chunks,  hosts'    episodes,   incident,   one self-   draft (Markdown,
//!          probe,     rules,   clocks    rates,      impact,     contained   JSON), text, jsonl,
//!          sniff      hits,    aligned   traffic     chain,      value       timesketch, chart
//!                     series                         measures
//! ```
//!
//! [`format`] knows each log family's lines (one file a family), [`time`] turns their
//! timestamps into UTC instants, and [`rules`] says which lines matter; [`error`] is how
//! a file that cannot be read is reported; [`synth`] writes incident archives to test and
//! measure it all.
//!
//! The pipeline is the library's: [`draft`], [`timeline`] and [`sources`] take paths and
//! a [`Config`] and return a report (see [`report`]); the command line (`main.rs` and its
//! `cli` module, not part of the library) only turns arguments into a `Config`, renders
//! the report and maps the outcome to an exit code.

// Offsets into files are memory offsets, and counts of lines and bytes are `u64`: the crate
// builds for 64-bit targets, where the two are the same width (see `num::index`).
#[cfg(not(unix))]
compile_error!("postmortem runs on Unix systems: it maps files with mmap, opens them with Unix flags and handles SIGBUS");
#[cfg(not(target_pointer_width = "64"))]
compile_error!("postmortem builds for 64-bit targets only: it maps files and indexes them by 64-bit offsets");

pub mod analyze;
pub mod clocks;
pub mod error;
pub mod format;
pub mod num;
pub mod render;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod synth;
pub mod text;
pub mod time;
pub mod timeline;
pub mod timings;

use rayon::prelude::*;
use report::{Report, SourcesReport, TimelineReport};
use rules::RuleSet;
use scan::{Progress, ScanOptions, ScanResult};
use std::path::PathBuf;
use time::{Micros, Zone};

/// Everything a run needs besides its paths. [`Config::new`] gives the defaults of the
/// command line.
#[derive(Debug)]
pub struct Config {
    /// The rules in force (user files, then the built-in catalogue).
    pub rules: RuleSet,
    /// Zone of timestamps that carry none, when the user gave one; otherwise the zone
    /// other logs imply, else this machine's, and the notes say so.
    pub zone: Option<Zone>,
    /// Zones for the files a pattern names, before `zone` (`--tz 'db/*=UTC'`).
    pub file_zones: Vec<scan::FileZone>,
    /// Zone to show times in; default: `zone`, else the offset most files carry, else UTC.
    pub display_zone: Option<Zone>,
    /// Year of the first line of logs that print none; default: inferred.
    pub year: Option<i32>,
    /// Read files with `read()` instead of mapping them.
    pub no_mmap: bool,
    /// Width of a traffic bucket.
    pub bucket: Micros,
    /// Longer lines are cut there and counted.
    pub max_line: usize,
    /// Matched lines of one rule and source further apart than this start a new episode.
    pub gap: Micros,
    /// How far before the symptom to look for triggers.
    pub lookback: Micros,
    /// The size of an incident where an access log covers it: shorter, or with fewer
    /// failed requests, it is a blip, noted but not drafted.
    pub min_duration: Micros,
    pub min_failed: u64,
    /// Which incident to draft, numbered from 1 in time order; default: the largest.
    pub incident: Option<usize>,
    /// `--since` and `--until`: what is kept, placed against the logs once they are read
    /// and read in the display zone.
    pub window: time::Window,
    /// Keep every matched line (`timeline --raw`): memory then grows with the matches.
    pub keep_lines: bool,
    /// Report the clocks found off between hosts, but leave their times as logged.
    pub no_skew: bool,
    /// Target size of a chunk of a plain file: the unit of work of one thread.
    pub chunk_size: usize,
    /// The fields JSON access records are read by, where they cannot be found
    /// (`--access-fields`).
    pub access_fields: Option<format::AccessFields>,
}

impl Config {
    pub fn new(rules: RuleSet) -> Config {
        let defaults = ScanOptions::default();
        Config {
            rules,
            zone: None,
            file_zones: Vec::new(),
            display_zone: None,
            year: None,
            no_mmap: false,
            bucket: defaults.bucket,
            max_line: defaults.max_line,
            gap: defaults.gap,
            lookback: 24 * 3600 * time::MICROS_PER_SEC,
            min_duration: analyze::weights::MIN_INCIDENT_DURATION,
            min_failed: analyze::weights::MIN_FAILED_REQUESTS,
            incident: None,
            window: time::Window::default(),
            keep_lines: false,
            no_skew: false,
            chunk_size: defaults.chunk_size,
            access_fields: None,
        }
    }

    /// The zone naive timestamps are read in: the given one, else this machine's.
    pub fn naive_zone(&self) -> Zone {
        self.zone.unwrap_or_else(Zone::local)
    }

    fn scan_options(&self) -> ScanOptions {
        ScanOptions {
            zone: self.naive_zone(),
            zone_given: self.zone.is_some(),
            file_zones: self.file_zones.clone(),
            year: self.year,
            no_mmap: self.no_mmap,
            bucket: self.bucket,
            max_line: self.max_line.max(256),
            gap: self.gap,
            keep_lines: self.keep_lines,
            chunk_size: self.chunk_size,
            access_fields: self.access_fields.clone(),
        }
    }

    fn display(&self, files: &[scan::FileReport]) -> Zone {
        report::display_zone(self.display_zone.or(self.zone), files)
    }
}

/// `these logs hold 3 incidents (give --incident 1 to 3)`: what `--incident` can take.
fn incidents_held(found: usize, in_window: bool) -> String {
    let window = if in_window { " in the window" } else { "" };
    match found {
        0 => format!("these logs hold no incident{window}"),
        1 => format!("these logs hold 1 incident{window} (give --incident 1, or leave it out)"),
        n => format!("these logs hold {n} incidents{window} (give --incident 1 to {n})"),
    }
}

/// Why a run gave no report. The problems met reading the logs are kept, to be reported
/// too.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--incident N` beyond the incidents found.
    #[error("--incident {asked}: {}", incidents_held(*.found, *.in_window))]
    NoSuchIncident {
        asked: usize,
        found: usize,
        in_window: bool,
        problems: Vec<error::Problem>,
    },
    /// `--since` or `--until` that cannot be placed against these logs.
    #[error("{message}")]
    Window { message: String, problems: Vec<error::Problem> },
}

impl Error {
    /// The problems met reading the logs before the run gave up.
    pub fn problems(&self) -> &[error::Problem] {
        match self {
            Error::NoSuchIncident { problems, .. } | Error::Window { problems, .. } => problems,
        }
    }
}

impl Config {
    /// `--since`/`--until` as instants: read in the zone times are shown in, a time of day
    /// on the logs' day, a relative time from their ends.
    /// A warning when the window holds no time of the logs: `--since 2024-01-22 00:00:00
    /// -05:00: the logs end at 2024-01-21 17:25:00 -05:00`. An empty draft then says
    /// why.
    fn outside(&self, span: time::Span, files: &[scan::FileReport]) -> Option<error::Problem> {
        let first = files.iter().filter_map(|f| f.first).min()?;
        let last = files.iter().filter_map(|f| f.last).max()?;
        let zone = self.display(files);
        let shown = |t| time::display_time(t, zone);
        match (span.since, span.until) {
            (Some(since), _) if since > last => Some(error::Problem::warning(
                format!("--since {}", shown(since)),
                format!("the logs end at {}: nothing in the window", shown(last)),
            )),
            (_, Some(until)) if until <= first => Some(error::Problem::warning(
                format!("--until {}", shown(until)),
                format!("the logs begin at {}: nothing in the window", shown(first)),
            )),
            _ => None,
        }
    }

    fn span(&self, files: &[scan::FileReport], problems: &[error::Problem]) -> Result<time::Span, Error> {
        if self.window.is_open() {
            return Ok(time::Span::default());
        }
        let first = files.iter().filter_map(|f| f.first).min();
        let last = files.iter().filter_map(|f| f.last).max();
        self.window
            .resolve(self.display(files), first.zip(last))
            .map_err(|message| Error::Window {
                message,
                problems: problems.to_vec(),
            })
    }
}

/// Discovers, probes and scans `paths`: the source and scan stages in one call. Problems
/// with single files are in the result; the other files are still read. Scan partials
/// among the paths (`*.pmscan`, see [`scan::partial`]) join the logs as if their files
/// had been read here.
pub fn scan_paths(paths: &[PathBuf], rules: &RuleSet, options: &ScanOptions, progress: &dyn Progress) -> ScanResult {
    let inputs = gather(paths, rules, options);
    let mut problems = inputs.problems();
    // Partials alone read no log: no scan stage to time.
    let scans_logs = !inputs.probes.is_empty() || !inputs.partials_given;
    let mut result = if inputs.partials_given {
        let mut files = Vec::new();
        if scans_logs {
            files = timings::stage("scan", || scan::read_files(inputs.probes, rules, options, progress));
        }
        files.extend(inputs.from_partials);
        timings::stage("merge", || scan::partial::combine(files, options))
    } else {
        timings::stage("scan", || scan::scan(inputs.probes, rules, options, progress))
    };
    if scans_logs {
        timings::read_bytes("scan", inputs.bytes);
    }
    problems.append(&mut result.problems);
    result.problems = problems;
    result
}

/// Discovers, probes and scans `paths` as [`scan_paths`] does, but keeps the files apart:
/// what `postmortem scan --output` writes, to be drafted with other partials. Partials
/// among the paths are taken in whole.
pub fn scan_partial(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> scan::partial::Partial {
    let (rules, options) = (&config.rules, &config.scan_options());
    let inputs = gather(paths, rules, options);
    let mut files = timings::stage("scan", || scan::read_files(inputs.probes, rules, options, progress));
    timings::read_bytes("scan", inputs.bytes);
    files.extend(inputs.from_partials);
    scan::partial::Partial {
        written_by: env!("CARGO_PKG_VERSION").to_string(),
        settings: scan::partial::Settings::of(options, rules),
        found_problems: inputs.found_problems,
        probe_problems: inputs.probe_problems,
        files,
    }
}

/// What the paths hold, found and probed, before the scan.
struct Inputs {
    probes: Vec<source::Probe>,
    /// The files of the partials among the paths.
    from_partials: Vec<scan::ScannedFile>,
    partials_given: bool,
    /// Problems met finding the files (and loading partials), then probing them.
    found_problems: Vec<error::Problem>,
    probe_problems: Vec<error::Problem>,
    /// Bytes as stored, a file once however many sources it holds.
    bytes: u64,
}

impl Inputs {
    /// Every problem met before the scan: those of finding the files, then of probing
    /// them. With partials, each kind in the order of the files they are about, as one
    /// run over every file would say them, whichever partial met them.
    fn problems(&self) -> Vec<error::Problem> {
        let mut found = self.found_problems.clone();
        let mut probed = self.probe_problems.clone();
        if self.partials_given {
            let by_file = |a: &error::Problem, b: &error::Problem| std::path::Path::new(&a.file).cmp(std::path::Path::new(&b.file));
            found.sort_by(by_file);
            probed.sort_by(by_file);
        }
        found.append(&mut probed);
        found
    }
}

fn gather(paths: &[PathBuf], rules: &RuleSet, options: &ScanOptions) -> Inputs {
    let (found, mut found_problems) = timings::stage("discover", || source::discover(paths));
    let (partial_files, files): (Vec<_>, Vec<_>) = found.into_iter().partition(|f| scan::partial::is_partial(&f.display));
    let partials_given = !partial_files.is_empty();
    let mut from_partials = Vec::new();
    let mut probe_problems = Vec::new();
    if partials_given {
        let settings = scan::partial::Settings::of(options, rules);
        let loaded = timings::stage("load", || {
            partial_files
                .par_iter()
                .map(|file| load_partial(file, &settings, rules.rules().len()))
                .collect::<Vec<_>>()
        });
        for outcome in loaded {
            match outcome {
                Ok(partial) => {
                    found_problems.extend(partial.found_problems);
                    probe_problems.extend(partial.probe_problems);
                    from_partials.extend(partial.files);
                }
                Err(problem) => found_problems.push(problem),
            }
        }
    }
    // The pieces of a source (a rotated set, a load balancer's 5-minute files) are one
    // writer's: its first file is sniffed among every family, the others are asked whether
    // they read as it does (ten thousand pieces spent a fifth of their time sniffing).
    let mut firsts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, file) in files.iter().enumerate() {
        firsts.entry(file.group.as_str()).or_insert(i);
    }
    let is_first: Vec<bool> = files.iter().enumerate().map(|(i, f)| firsts[f.group.as_str()] == i).collect();
    let settings = source::ProbeSettings::new(options.no_mmap, options.access_fields.clone());
    let probe_all = |which: bool, hints: &std::collections::HashMap<String, format::Format>| -> Vec<(usize, _)> {
        files
            .par_iter()
            .enumerate()
            .filter(|(i, _)| is_first[*i] == which)
            .map(|(i, file)| (i, source::probe(file.clone(), &settings, hints.get(&file.group).copied())))
            .collect()
    };
    let outcomes = timings::stage("probe", || {
        let first_outcomes = probe_all(true, &std::collections::HashMap::new());
        let hints: std::collections::HashMap<String, format::Format> = first_outcomes
            .iter()
            .filter_map(|(_, outcome)| outcome.as_ref().ok())
            .filter_map(|probes| probes.first())
            .map(|probe| (probe.file.group.clone(), probe.sniffed.format))
            .collect();
        let mut outcomes = first_outcomes;
        outcomes.extend(probe_all(false, &hints));
        outcomes.sort_by_key(|(i, _)| *i);
        outcomes
    });
    let mut probes = Vec::new();
    let mut bytes = 0;
    for (_, outcome) in outcomes {
        match outcome {
            Ok(file_probes) => {
                bytes += file_probes.first().map_or(0, |p| p.size);
                probes.extend(file_probes);
            }
            Err(problem) => probe_problems.push(problem),
        }
    }
    Inputs {
        probes,
        from_partials,
        partials_given,
        found_problems,
        probe_problems,
        bytes,
    }
}

/// A partial among the inputs, read and checked against this run's settings.
fn load_partial(
    file: &source::InputFile,
    settings: &scan::partial::Settings,
    rules: usize,
) -> Result<scan::partial::Partial, error::Problem> {
    let path = match &file.origin {
        source::Origin::Path(path) => path,
        source::Origin::Stdin => return Err(error::Problem::error(&file.display, "a partial is read from a file, not stdin")),
    };
    let bytes =
        std::fs::read(path).map_err(|e| error::Problem::error(&file.display, format!("cannot read: {}", error::describe_io(&e))))?;
    scan::partial::Partial::load(&bytes, settings, rules).map_err(|why| error::Problem::error(&file.display, why))
}

/// The source and scan stages, and the clocks set right between hosts.
fn scan_aligned(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> ScanResult {
    let mut result = scan_paths(paths, &config.rules, &config.scan_options(), progress);
    timings::stage("clocks", || clocks::align(&mut result, !config.no_skew));
    result
}

/// The source, scan, clock and timeline stages.
fn read(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> timeline::Timeline {
    let result = scan_aligned(paths, config, progress);
    timings::stage("timeline", || timeline::build(result, &config.rules))
}

/// The main job: the draft of the largest incident in the logs (or of `config.incident`),
/// of those in the window when one is given.
pub fn draft(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<Report, Error> {
    let mut timeline = read(paths, config, progress);
    let span = config.span(&timeline.files, &timeline.problems)?;
    timeline.problems.extend(config.outside(span, &timeline.files));
    let analysis = timings::stage("analysis", || analysis_in(&timeline, config, span));
    let chosen = match config.incident {
        Some(n) if n >= 1 && n <= analysis.incidents.len() => Some(n - 1),
        Some(n) => {
            return Err(Error::NoSuchIncident {
                asked: n,
                found: analysis.incidents.len(),
                in_window: !config.window.is_open(),
                problems: timeline.problems,
            })
        }
        None => analysis.largest,
    };
    let zone = config.display(&timeline.files);
    let mut report = timings::stage("report", || report::draft_report(&timeline, &analysis, chosen, &config.rules, zone));
    report.notable.retain(|e| span.overlaps(e.start, e.end));
    release(timeline);
    Ok(report)
}

/// Frees the timeline on a worker thread: freeing the series, summaries and file reports
/// of ten thousand small files takes tens of milliseconds that the report need not wait
/// for.
fn release(timeline: timeline::Timeline) {
    rayon::spawn(move || drop(timeline));
}

/// The merged, time-ordered stream of what the rules found, as episodes (and every
/// matched line when `config.keep_lines`), within the window.
pub fn timeline(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<TimelineReport, Error> {
    let mut timeline = read(paths, config, progress);
    let span = config.span(&timeline.files, &timeline.problems)?;
    timeline.problems.extend(config.outside(span, &timeline.files));
    let analysis = timings::stage("analysis", || analysis_in(&timeline, config, span));
    timeline.retain_window(span);
    let zone = config.display(&timeline.files);
    let report = report::timeline_report(&timeline, &analysis, &config.rules, zone, config.keep_lines);
    release(timeline);
    Ok(report)
}

/// The incidents of the timeline, with the knobs of `config`, of those in `span`.
fn analysis_in(timeline: &timeline::Timeline, config: &Config, span: time::Span) -> analyze::Analysis {
    let options = analyze::Options {
        lookback: config.lookback,
        min_duration: config.min_duration,
        min_failed: config.min_failed,
    };
    let mut analysis = analyze::analyze(timeline, &config.rules, &options);
    analysis.retain_window(span);
    analysis
}

/// What was understood of each file (of those with lines in the window).
pub fn sources(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<SourcesReport, Error> {
    let mut result = scan_aligned(paths, config, progress);
    let span = config.span(&result.files, &result.problems)?;
    result.problems.extend(config.outside(span, &result.files));
    if !config.window.is_open() {
        result
            .files
            .retain(|f| f.first.zip(f.last).is_some_and(|(first, last)| span.overlaps(first, last)));
    }
    let zone = config.display(&result.files);
    Ok(report::sources_report(&result.files, &result.problems, zone))
}
