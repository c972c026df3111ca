//! postmortem reconstructs the timeline of a production outage from the logs it left
//! behind. Data flows one way through the stages, one module each:
//!
//! ```text
//! paths ─► source ─► scan ─► timeline ─► analyze ─► report ─► render
//!          discover,  chunks,  episodes,   incident,   one self-   draft (Markdown,
//!          probe,     rules,   rates,      impact,     contained   JSON), text, jsonl,
//!          sniff      hits,    traffic     chain,      value       timesketch, chart
//!                     series               measures
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

pub mod analyze;
pub mod error;
pub mod format;
pub mod render;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod synth;
pub mod text;
pub mod time;
pub mod timeline;

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
    /// Zone of timestamps that carry none, when the user gave one; otherwise this
    /// machine's zone is assumed and the sources say so.
    pub zone: Option<Zone>,
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
    /// Keep only what happened in `[since, until)` (the timeline).
    pub since: Option<Micros>,
    pub until: Option<Micros>,
    /// Keep every matched line (`timeline --raw`): memory then grows with the matches.
    pub keep_lines: bool,
    /// Target size of a chunk of a plain file: the unit of work of one thread.
    pub chunk_size: usize,
}

impl Config {
    pub fn new(rules: RuleSet) -> Config {
        let defaults = ScanOptions::default();
        Config {
            rules,
            zone: None,
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
            since: None,
            until: None,
            keep_lines: false,
            chunk_size: defaults.chunk_size,
        }
    }

    /// The zone naive timestamps are read in: the given one, else this machine's.
    pub fn naive_zone(&self) -> Zone {
        self.zone.unwrap_or_else(Zone::local)
    }

    fn scan_options(&self) -> ScanOptions {
        ScanOptions {
            zone: self.naive_zone(),
            year: self.year,
            no_mmap: self.no_mmap,
            bucket: self.bucket,
            max_line: self.max_line.max(256),
            gap: self.gap,
            keep_lines: self.keep_lines,
            chunk_size: self.chunk_size,
        }
    }

    fn display(&self, files: &[scan::FileReport]) -> Zone {
        report::display_zone(self.display_zone.or(self.zone), files)
    }
}

/// Why a run gave no report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--incident N` beyond the incidents found. The problems met reading the logs are
    /// kept, to be reported too.
    #[error("--incident {asked}: these logs hold {found} incident(s)")]
    NoSuchIncident {
        asked: usize,
        found: usize,
        problems: Vec<error::Problem>,
    },
}

/// Discovers, probes and scans `paths`: the source and scan stages in one call. Problems
/// with single files are in the result; the other files are still read.
pub fn scan_paths(paths: &[PathBuf], rules: &RuleSet, options: &ScanOptions, progress: &dyn Progress) -> ScanResult {
    let (files, mut problems) = source::discover(paths);
    let outcomes: Vec<_> = files.into_par_iter().map(|file| source::probe(file, options.no_mmap)).collect();
    let mut probes = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(probe) => probes.push(probe),
            Err(problem) => problems.push(problem),
        }
    }
    let mut result = scan::scan(probes, rules, options, progress);
    problems.append(&mut result.problems);
    result.problems = problems;
    result
}

/// The source, scan and timeline stages.
fn read(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> timeline::Timeline {
    let result = scan_paths(paths, &config.rules, &config.scan_options(), progress);
    timeline::build(result, &config.rules)
}

/// The main job: the draft of the largest incident in the logs (or of `config.incident`).
pub fn draft(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<Report, Error> {
    let timeline = read(paths, config, progress);
    let options = analyze::Options {
        lookback: config.lookback,
        min_duration: config.min_duration,
        min_failed: config.min_failed,
    };
    let analysis = analyze::analyze(&timeline, &config.rules, &options);
    let chosen = match config.incident {
        Some(n) if n >= 1 && n <= analysis.incidents.len() => Some(n - 1),
        Some(n) => {
            return Err(Error::NoSuchIncident {
                asked: n,
                found: analysis.incidents.len(),
                problems: timeline.problems,
            })
        }
        None => analysis.largest,
    };
    let zone = config.display(&timeline.files);
    Ok(report::draft_report(&timeline, &analysis, chosen, &config.rules, zone))
}

/// The merged, time-ordered stream of what the rules found, as episodes (and every
/// matched line when `config.keep_lines`), within `config.since`/`until`.
pub fn timeline(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> TimelineReport {
    let mut timeline = read(paths, config, progress);
    timeline.retain_window(config.since, config.until);
    let zone = config.display(&timeline.files);
    report::timeline_report(&timeline, &config.rules, zone, config.keep_lines)
}

/// What was understood of each file.
pub fn sources(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> SourcesReport {
    let result = scan_paths(paths, &config.rules, &config.scan_options(), progress);
    let zone = config.display(&result.files);
    report::sources_report(&result.files, &result.problems, zone)
}
