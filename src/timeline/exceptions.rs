//! Exception lines no level marks. A traceback a program prints to stderr, captured by the
//! journal or a container runtime, carries no level: `KeyError: 'eur'` under
//! `python3[3100]:`, `java.lang.IllegalStateException: pool closed`, Go's `panic: …`. Of
//! its lines, the one that names the error is what a person quotes; the frames around it
//! (`File "…", line 61`, `at com.shop…`) and its header (`Traceback (most recent call
//! last):`) are not (see [`crate::format::traceback`]).
//! Such a line, first seen after the logs' first minutes (it is not part of how the
//! service always runs), is an episode: a candidate for how it failed, judged by the
//! analysis like any other. Unlike a run of error lines it is not split where its lines
//! pause (the scan keeps no counts per minute of lines without a level): it spans its
//! template's first line to its last, so one seen long before an incident and again in
//! it is not new there.
//!
//! Only lines no rule named and no level marked: a rule or a level already makes an
//! episode of the rest.

use super::changes::AFTER_START;
use super::{Episode, Evidence};
use crate::format::traceback::names_an_exception;
use crate::rules::Category;
use crate::scan::hits::{FirstLine, Signal};
use crate::scan::templates::{Template, Templates};
use crate::scan::{FileReport, ScanResult};
use crate::time::Micros;

/// Whether a template is an exception line no level or rule marked, new since `after`.
fn is_new_exception(template: &Template, after: Micros) -> bool {
    !template.named
        && template.level.is_none()
        && template.first.time >= after
        && template.earliest.first().is_some_and(|o| names_an_exception(&o.message))
}

fn of_source(group: &str, templates: &Templates, files: &[FileReport], after: Micros) -> Vec<Episode> {
    let mut episodes: Vec<Episode> = templates
        .by_key
        .iter()
        .filter(|(_, t)| is_new_exception(t, after))
        .map(|(&key, t)| {
            let first = &t.earliest[0];
            Episode {
                signal: Signal::Template(key),
                category: Category::LogErrors,
                group: group.to_string(),
                kind: files.get(t.first.file as usize).map_or(crate::format::SourceKind::App, |f| f.kind),
                start: t.first.time,
                end: t.last.time,
                count: t.count,
                first: Some(Evidence::from(t.first)),
                last: Some(Evidence::from(t.last)),
                subject: None,
                rate: None,
                background: false,
                strength: None,
                first_line: Some(FirstLine {
                    line: first.line.clone(),
                    message: first.message.clone(),
                    fields: Vec::new(),
                    entry: None,
                }),
            }
        })
        .collect();
    episodes.sort_by_key(|e| (e.start, e.first));
    episodes
}

/// Every source group's new exception lines.
pub(super) fn episodes(result: &ScanResult) -> Vec<Episode> {
    let Some(logs_start) = result.files.iter().filter_map(|f| f.first).min() else {
        return Vec::new();
    };
    result
        .templates
        .iter()
        .flat_map(|(group, templates)| of_source(group, templates, &result.files, logs_start + AFTER_START))
        .collect()
}
