//! postmortem reconstructs the timeline of a production outage from the logs it left
//! behind. Data flows one way through the stages, one module each:
//!
//! ```text
//! paths ─► source ─► scan ─► timeline ─► analyze ─► render
//!          discover,  chunks,  merge,      incident,   draft (Markdown, JSON),
//!          probe,     rules,   episodes,   impact,     text, jsonl,
//!          sniff      hits,    rates       chain,      timesketch
//!                     series               measures
//! ```
//!
//! [`format`] knows each log family's lines (its access-line parser finds fields with
//! [`bytemarks`]), [`time`] turns their timestamps into UTC instants, and [`rules`] says
//! which lines matter; [`hits`] and [`series`] are what the scan keeps of them;
//! [`synth`] writes incident archives to test and measure it all. `main.rs` only parses
//! arguments and maps outcomes to exit codes.

pub mod analyze;
pub mod error;
pub mod format;
pub mod render;
pub mod rules;
pub mod scan;
pub mod source;
pub mod synth;
pub mod text;
pub mod time;
pub mod timeline;

use rayon::prelude::*;
use std::path::PathBuf;

/// Discovers, probes and scans `paths`: the source and scan stages in one call. Problems
/// with single files are in the result; the other files are still read.
pub fn scan_paths(
    paths: &[PathBuf],
    rules: &rules::RuleSet,
    options: &scan::ScanOptions,
    progress: &dyn scan::Progress,
) -> scan::ScanResult {
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
