//! The timeline stage: the ordered event stream collapsed into episodes. A run of
//! events of one rule in one source, with no gap longer than `gap` between them, is one
//! episode ("14:02–14:53 db: 2,034 × lock wait timeout on orders"), with its first and
//! last evidence; each firing of a rate rule ([`rates`]) is one too. This is what people
//! read and what analysis reasons about: never lines.

mod rates;

use crate::format::SourceKind;
use crate::rules::{RuleIndex, RuleSet};
use crate::scan::{Event, FileReport, ScanResult};
use crate::time::Micros;
use std::collections::HashMap;

/// Where an event came from: a file (index into the scan's files) and a 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub file: u32,
    pub line: u64,
}

/// Distinct values of the subject field an episode tracks, at most: enough to name the
/// most common one without letting a flood of distinct values grow memory.
const SUBJECT_VALUES: usize = 64;

/// Fields that say which thing an event is about: runs on different ones (two cron
/// commands, two tables) are different episodes.
const KEY_FIELDS: [&str; 5] = ["table", "object", "command", "pool", "version"];

/// The value of the first key field an event carries.
fn key_value(event: &Event) -> Option<&str> {
    KEY_FIELDS
        .iter()
        .find_map(|name| event.fields.iter().find(|(k, _)| &**k == *name).map(|(_, v)| &**v))
}

/// Fields that name what an event is about, in the order they are preferred.
const SUBJECT_FIELDS: [&str; 8] = ["table", "object", "command", "pool", "version", "user", "status", "lock"];

#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    pub rule: RuleIndex,
    /// The rotated set (source group) the events came from.
    pub group: String,
    pub kind: SourceKind,
    pub start: Micros,
    pub end: Micros,
    /// Lines in a run; for a rate, what it counted over the episode (failed requests,
    /// requests, hits; timed requests for a mean).
    pub count: u64,
    /// The first and last lines behind the episode. A rate over the traffic series
    /// (requests, request time) has no single line to cite.
    pub first: Option<Evidence>,
    pub last: Option<Evidence>,
    /// The most common value of the preferred subject field, with its name.
    pub subject: Option<(String, String)>,
    /// For the firing of a rate rule: how high it went.
    pub rate: Option<RateDetail>,
    subjects: Vec<(Box<str>, u64)>,
    subject_field: Option<&'static str>,
}

impl Episode {
    fn start_with(event: &Event, group: &str, kind: SourceKind) -> Episode {
        let evidence = Evidence {
            file: event.file,
            line: event.line,
        };
        let mut episode = Episode {
            rule: event.rule,
            group: group.to_string(),
            kind,
            start: event.time,
            end: event.time,
            count: 0,
            first: Some(evidence),
            last: Some(evidence),
            subject: None,
            rate: None,
            subjects: Vec::new(),
            subject_field: SUBJECT_FIELDS
                .iter()
                .copied()
                .find(|name| event.fields.iter().any(|(k, _)| &**k == *name)),
        };
        episode.add(event);
        episode
    }

    fn add(&mut self, event: &Event) {
        self.count += 1;
        self.end = self.end.max(event.time);
        self.last = Some(Evidence {
            file: event.file,
            line: event.line,
        });
        let Some(field) = self.subject_field else { return };
        let Some((_, value)) = event.fields.iter().find(|(k, _)| &**k == field) else {
            return;
        };
        if let Some((_, n)) = self.subjects.iter_mut().find(|(v, _)| v == value) {
            *n += 1;
        } else if self.subjects.len() < SUBJECT_VALUES {
            self.subjects.push((value.clone(), 1));
        }
    }

    fn finish(&mut self) {
        // Most frequent first; ties to the value seen first (the list keeps first-seen order).
        let best = self
            .subjects
            .iter()
            .enumerate()
            .max_by(|(ia, (_, a)), (ib, (_, b))| a.cmp(b).then(ib.cmp(ia)));
        if let (Some(field), Some((_, (value, _)))) = (self.subject_field, best) {
            self.subject = Some((field.to_string(), value.to_string()));
        }
        self.subjects = Vec::new();
    }
}

/// What a rate value is, for showing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateUnit {
    /// A share of something (failed requests of requests): shown as a percentage.
    Ratio,
    Milliseconds,
    Count,
}

/// How high a rate rule's value went during its episode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateDetail {
    pub peak: f64,
    pub peak_at: Micros,
    /// The mean value of the buckets before the episode.
    pub baseline: f64,
    pub unit: RateUnit,
    /// The logs end while the rate is still high.
    pub ongoing: bool,
}

/// All episodes: runs of matched lines and firings of rate rules, in time order.
pub fn build(result: &ScanResult, rules: &RuleSet, gap: Micros) -> Vec<Episode> {
    let mut episodes = collapse(&result.events, &result.files, gap);
    episodes.extend(rates::episodes(result, rules));
    sort(&mut episodes);
    episodes
}

/// The episodes that overlap `[since, until)`.
pub fn within(mut episodes: Vec<Episode>, since: Option<Micros>, until: Option<Micros>) -> Vec<Episode> {
    episodes.retain(|e| since.is_none_or(|s| e.end >= s) && until.is_none_or(|u| e.start < u));
    episodes
}

fn sort(episodes: &mut [Episode]) {
    episodes.sort_by(|a, b| (a.start, &a.group, a.rule, a.first).cmp(&(b.start, &b.group, b.rule, b.first)));
}

/// Collapses time-ordered events into episodes, ordered by start (then source, rule).
pub fn collapse(events: &[Event], files: &[FileReport], gap: Micros) -> Vec<Episode> {
    let mut episodes: Vec<Episode> = Vec::new();
    let mut open: HashMap<(&str, RuleIndex, Option<&str>), usize> = HashMap::new();
    for event in events {
        let file = &files[event.file as usize];
        let key = (file.group.as_str(), event.rule, key_value(event));
        match open.get(&key) {
            Some(&index) if event.time - episodes[index].end <= gap => episodes[index].add(event),
            _ => {
                open.insert(key, episodes.len());
                episodes.push(Episode::start_with(event, &file.group, file.kind));
            }
        }
    }
    for episode in &mut episodes {
        episode.finish();
    }
    sort(&mut episodes);
    episodes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use crate::scan::ZoneNote;
    use crate::source::ReadMode;

    fn file(group: &str) -> FileReport {
        let zone = ZoneNote {
            zone: "UTC".into(),
            assumed: true,
        };
        FileReport::new(group.into(), group.into(), Format::MysqlError, ReadMode::Mmap, zone)
    }

    fn event(time: Micros, file: u32, line: u64, rule: RuleIndex, table: &str) -> Event {
        Event {
            time,
            file,
            line,
            offset: line * 10,
            rule,
            message: "m".into(),
            fields: vec![("table".into(), table.into())],
        }
    }

    #[test]
    fn runs_collapse_and_gaps_split() {
        let files = [file("db.log"), file("app.log")];
        let events = [
            event(0, 0, 1, 0, "orders"),
            event(10, 1, 1, 0, "x"),
            event(20, 0, 2, 0, "orders"),
            event(30, 0, 3, 0, "users"),
            event(1_000, 0, 4, 0, "orders"),
        ];
        let episodes = collapse(&events, &files, 100);
        // db.log orders (0, 20), app.log x (10), db.log users (30), db.log orders again
        // after a gap (1000): one source and rule, but another table or a long gap, is
        // another episode.
        assert_eq!(episodes.len(), 4);
        assert_eq!((episodes[0].group.as_str(), episodes[0].count, episodes[0].end), ("db.log", 2, 20));
        assert_eq!(episodes[0].subject, Some(("table".into(), "orders".into())));
        assert_eq!(episodes[0].last, Some(Evidence { file: 0, line: 2 }));
        assert_eq!((episodes[1].group.as_str(), episodes[1].count), ("app.log", 1));
        assert_eq!(episodes[2].subject, Some(("table".into(), "users".into())));
        assert_eq!((episodes[3].start, episodes[3].count), (1_000, 1));
    }
}
