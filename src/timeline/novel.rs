//! Lines no level marks, new in their logs. Two kinds say something failed though nothing
//! marks them as errors:
//!
//! - An exception line. A traceback a program prints to stderr, captured by the journal
//!   or a container runtime, carries no level: `KeyError: 'eur'` under `python3[3100]:`,
//!   `java.lang.IllegalStateException: pool closed`, Go's `panic: …`. Of its lines, the
//!   one that names the error is what a person quotes; the frames around it
//!   (`File "…", line 61`, `at com.shop…`) and its header (`Traceback (most recent call
//!   last):`) are not (see [`crate::format::traceback`]). One is enough.
//! - A message said many times ([`REPEATED_AT`] or more), faster than its source talks
//!   ([`DENSER_THAN_SOURCE`]), that its source had not said before. The kernel, uWSGI, HAProxy's and Redis' own notes go to syslog or stderr
//!   without a level; when one starts at the onset and repeats (a table full and packets
//!   dropped, a listen queue full, a task blocked), it is how the outage happened, in
//!   words no rule knows. Said a handful of times, a new line is a change candidate
//!   instead (see [`super::changes`]).
//!
//! Either, first seen after the first minutes of the logs and of its own source (it is
//! not part of how the service always runs), is an episode: a candidate for how it
//! failed, judged by the analysis like any other. Unlike a run of error lines it is not
//! split where its lines pause (the scan keeps no counts per minute of lines without a
//! level): it spans its template's first line to its last, so one seen long before an
//! incident and again in it is not new there.
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

/// A message without a level said this many times, all of them after its source's first
/// minutes, is more than a change: something new is happening, over and over. Fewer, and
/// it is a change candidate (at most [`super::changes::RARE_MAX`]) or nothing (a note said a few times).
/// Ten is [`super::changes::COMMON`]: what a log says that often is one of its messages.
pub const REPEATED_AT: u64 = super::changes::COMMON;

/// … and said at least this many times faster, over its own span, than its source says
/// anything over the source's whole span. A message that comes with a failure arrives in
/// a rush (a kernel reports every dropped packet, ten in five seconds); one that is only
/// a new part of the routine (a new user's sessions, a new crawler's visits) comes at
/// the pace of the rest, or slower.
pub const DENSER_THAN_SOURCE: f64 = 5.0;

const MINUTE: Micros = 60_000_000;

/// Lines per minute of `count` lines over `from..to`, a minute at least.
fn per_minute(count: u64, from: Micros, to: Micros) -> f64 {
    count as f64 / ((to - from).max(MINUTE) as f64 / MINUTE as f64)
}

/// Whether a template is a line no level or rule marked, new since `after`: an exception
/// line, or a message repeated [`REPEATED_AT`] times or more, [`DENSER_THAN_SOURCE`]
/// times faster than the rest of its source says anything: `source` is the source's lines
/// (this template's among them) and the span they cover.
fn is_new_without_level(template: &Template, after: Micros, source: (u64, Micros, Micros)) -> bool {
    if template.named || template.level.is_some() || template.first.time < after {
        return false;
    }
    // The pace of the rest: a flood that makes most of its source is judged against what
    // the source says besides it, or a long one would be judged against itself.
    let (lines, start, end) = source;
    let rest_pace = per_minute(lines.saturating_sub(template.count), start, end);
    let rushes = || per_minute(template.count, template.first.time, template.last.time) >= DENSER_THAN_SOURCE * rest_pace;
    (template.count >= REPEATED_AT && rushes()) || template.earliest.first().is_some_and(|o| names_an_exception(&o.message))
}

/// From when a line of a source that began at `source_start` is new: [`AFTER_START`] after
/// the later of its own first line and all the logs' first.
fn new_after(source_start: Option<Micros>, logs_start: Micros) -> Micros {
    source_start.unwrap_or(logs_start).max(logs_start) + AFTER_START
}

fn of_source(group: &str, templates: &Templates, files: &[FileReport], logs_start: Micros) -> Vec<Episode> {
    // After the first minutes of all the logs, and of this source's own: a log that
    // begins late (a container started in the afternoon) says everything for the first
    // time when it begins.
    let files_of_source = || files.iter().filter(|f| f.group == group);
    let source_start = files_of_source().filter_map(|f| f.first).min();
    let source_end = files_of_source().filter_map(|f| f.last).max();
    let after = new_after(source_start, logs_start);
    let source = match (source_start, source_end) {
        (Some(start), Some(end)) => (templates.lines, start, end),
        _ => (0, 0, 0),
    };
    let mut episodes: Vec<Episode> = templates
        .by_key
        .iter()
        .filter(|(_, t)| is_new_without_level(t, after, source))
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
                first_line: Some(std::sync::Arc::new(FirstLine {
                    line: first.line.clone(),
                    message: first.message.clone(),
                    fields: Vec::new(),
                    entry: None,
                })),
            }
        })
        .collect();
    episodes.sort_by_key(|e| (e.start, e.first));
    episodes
}

/// Every source group's new lines without a level.
pub(super) fn episodes(result: &ScanResult) -> Vec<Episode> {
    let Some(logs_start) = result.files.iter().filter_map(|f| f.first).min() else {
        return Vec::new();
    };
    result
        .templates
        .iter()
        .flat_map(|(group, templates)| of_source(group, templates, &result.files, logs_start))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Level;
    use crate::scan::hits::Mark;
    use crate::scan::templates::Occurrence;

    /// A template of `text` said `count` times from minute `first` to minute `last`.
    fn said(text: &str, count: u64, (first, last): (i64, i64), level: Option<Level>) -> Template {
        let mark = |m: i64| Mark {
            time: m * MINUTE,
            file: 0,
            offset: crate::num::unsigned(m),
            line: crate::num::unsigned(m),
        };
        Template {
            text: text.into(),
            level,
            count,
            first: mark(first),
            last: mark(last),
            earliest: vec![Occurrence {
                mark: mark(first),
                line: text.into(),
                message: text.into(),
            }],
            named: false,
            joined: None,
        }
    }

    /// A source that says a line a minute besides the template's.
    const PACE: f64 = 1.0;

    /// Whether `template` is new since `after` in an eight-hour source whose other lines
    /// come at `pace` a minute.
    fn new_at(template: &Template, after: Micros, pace: f64) -> bool {
        let source = (crate::num::whole(pace * 480.0) + template.count, 0, 480 * MINUTE);
        is_new_without_level(template, after, source)
    }

    #[test]
    fn a_long_flood_is_judged_against_the_rest_of_its_source() {
        // Ninety minutes of drops, ten a minute, in a source of a line a minute: most of
        // the source's lines are the flood's, and it still rushes against the rest.
        let flood = said("nf: table full, dropping packet", 900, (300, 390), None);
        assert!(new_at(&flood, 60 * MINUTE, PACE));
    }

    #[test]
    fn a_message_without_a_level_new_repeated_and_in_a_rush_is_an_episode() {
        let after = 60 * MINUTE;
        let dropping = said("nf: table full, dropping packet", 240, (320, 345), None);
        assert!(new_at(&dropping, after, PACE));
        // Ten lines in a second are a minute's worth: ten a minute.
        let burst = said("auth failure; rhost=<*>", REPEATED_AT, (320, 320), None);
        assert!(new_at(&burst, after, PACE));
        // An exception line is one even said once.
        let raised = said("ValueError: no tariff for 'eu'", 1, (320, 320), None);
        assert!(new_at(&raised, after, PACE));
    }

    #[test]
    fn the_pace_of_the_rush_is_the_named_share_of_the_sources() {
        let after = 60 * MINUTE;
        // 50 lines in 10 minutes is five a minute: five times a line a minute, not four.
        let five = said("queue of socket <*> full", 50, (300, 310), None);
        assert!(new_at(&five, after, PACE));
        assert!(!new_at(&five, after, 1.25 * PACE));
    }

    #[test]
    fn decoys_without_a_level_are_no_episodes() {
        let after = 60 * MINUTE;
        // What the source said from the start: how it always runs.
        assert!(!new_at(&said("[FW BLOCK] IN=eth0 SRC=<*>", 300, (0, 480), None), after, PACE));
        // Said a few times: a change candidate, not this.
        assert!(!new_at(&said("link eth1 is up", 3, (200, 200), None), after, PACE));
        assert!(!new_at(&said("link eth1 is up", REPEATED_AT - 1, (200, 200), None), after, PACE));
        // New, but at the pace of the rest: a new user's sessions, all afternoon.
        assert!(!new_at(&said("session opened for user <*>", 200, (240, 480), None), after, PACE));
        // A level, or a rule, already makes an episode of it.
        assert!(!new_at(&said("pool drained", 50, (320, 345), Some(Level::Warning)), after, PACE));
        assert!(!new_at(&said("pool drained", 50, (320, 345), Some(Level::Info)), after, PACE));
        let mut named = said("Out of memory: Killed process <*>", 50, (320, 345), None);
        named.named = true;
        assert!(!new_at(&named, after, PACE));
    }

    #[test]
    fn a_source_that_begins_late_is_new_only_after_its_own_first_minutes() {
        assert_eq!(new_after(None, 0), AFTER_START);
        assert_eq!(new_after(Some(0), 0), AFTER_START);
        assert_eq!(new_after(Some(300 * MINUTE), 0), 300 * MINUTE + AFTER_START);
        // A source older than the others' first lines counts from theirs.
        assert_eq!(new_after(Some(-5 * MINUTE), 0), AFTER_START);
    }
}
