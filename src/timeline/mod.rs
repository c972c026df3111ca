//! The timeline stage: what the scan kept of matched lines, as episodes. A run of lines
//! of one rule about one thing in one source, with no gap longer than `--gap` between
//! them, is one episode ("14:02–14:53 db: 2,034 × lock wait timeout on orders"), with its
//! first and last evidence; each firing of a rate rule ([`rates`]) is one too. This is
//! what people read and what analysis reasons about: never lines. A burst far above its
//! own baseline is split off, and what recurs through the logs is background ([`shape`]).
//!
//! The stage's output, [`Timeline`], is all the analysis gets: the episodes, the traffic
//! of every access log together, where the first failed request of each bucket is, and
//! what was understood of each file.

pub mod app_contrast;
pub mod changes;
pub mod contrast;
mod errors;
mod novel;
mod rates;
pub mod shape;
pub mod surges;

pub use errors::{ErrorCounts, CRASH_LOOP_AT, ERROR_GAP};

use crate::error::Problem;
use crate::format::Level;
use crate::format::SourceKind;
use crate::rules::{Category, RuleSet, Severity};
use crate::scan::app_fields::AppFields;
use crate::scan::hits::{FirstLine, Hits, Mark, Signal};
use crate::scan::series::Series;
use crate::scan::templates::Templates;
use crate::scan::{Event, FileReport, ScanResult};
use crate::time::Micros;
use std::collections::BTreeMap;

pub use crate::scan::hits::Subject;

/// Where a line came from: a file (index into the scan's files) and a 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub file: u32,
    pub line: u64,
}

impl From<Mark> for Evidence {
    fn from(mark: Mark) -> Evidence {
        Evidence {
            file: mark.file,
            line: mark.line,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// The rule whose lines these are, or the template of lines no rule named.
    pub signal: Signal,
    /// What the episode is evidence of: its rule's category, or `log_errors`.
    pub category: Category,
    /// The source (group: a file, its rotated set, a stream's pieces) the lines came from.
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
    /// What the lines are about: the most common value of the preferred subject field.
    pub subject: Option<Subject>,
    /// For the firing of a rate rule, or a burst of lines over their own baseline: how
    /// high it went.
    pub rate: Option<RateDetail>,
    /// Lines that recur from the start of their logs through most of them: routine, not
    /// a cause (see [`shape`]).
    pub background: bool,
    /// For a change candidate (a rare line, see [`changes`]): how much it looks like a
    /// change, 0 to 1.
    pub strength: Option<f64>,
    /// The first line behind it, kept whole (none for a rate over the traffic series).
    pub first_line: Option<std::sync::Arc<FirstLine>>,
}

impl Episode {
    /// The lines to cite for it: the first, and the last when it is another.
    pub fn evidence(&self) -> Vec<Evidence> {
        match (self.first, self.last) {
            (Some(f), Some(l)) if f != l => vec![f, l],
            (Some(f), _) => vec![f],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
impl Episode {
    /// A single line of `category` at time 0, saying `message`: what tests build
    /// episodes from (struct update syntax sets the rest).
    pub fn said(category: Category, kind: SourceKind, group: &str, message: &str) -> Episode {
        Episode {
            signal: Signal::Rule(0),
            category,
            group: group.into(),
            kind,
            start: 0,
            end: 0,
            count: 1,
            first: None,
            last: None,
            subject: None,
            rate: None,
            background: false,
            strength: None,
            first_line: Some(std::sync::Arc::new(FirstLine {
                line: message.into(),
                message: message.into(),
                ..FirstLine::default()
            })),
        }
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

impl RateUnit {
    /// `ratio`, `ms`, `count`.
    pub fn name(self) -> &'static str {
        match self {
            RateUnit::Ratio => "ratio",
            RateUnit::Milliseconds => "ms",
            RateUnit::Count => "count",
        }
    }
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

/// The timeline stage's output: what the analysis reads, and nothing of the lines.
#[derive(Debug)]
pub struct Timeline {
    /// Runs of matched lines and firings of rate rules, in time order.
    pub episodes: Vec<Episode>,
    /// The traffic of every access log together, bucket by bucket: what users saw,
    /// whichever web server served them.
    pub traffic: Series,
    /// Per bucket (by its start), the first failed request (5xx) in it: where users began
    /// to see errors.
    pub first_failures: BTreeMap<Micros, Mark>,
    /// Each access log's own traffic (its source group's: a pod's, a host's), counts
    /// only, and the first failed request of each of its buckets: the traffic told
    /// source by source, where two or more tell it (one access log's is `traffic`, and
    /// it has no entry here).
    pub sources_traffic: BTreeMap<String, SourceTraffic>,
    /// What the scan understood of each file (evidence points into it).
    pub files: Vec<FileReport>,
    /// Every matched line, when the scan kept them (`--raw`).
    pub events: Vec<Event>,
    /// The templates of every record that is not an access line, per source group.
    pub templates: BTreeMap<String, Templates>,
    /// Error-or-worse lines per source group and bucket, outside what access logs cover.
    pub error_counts: ErrorCounts,
    /// The class fields of every structured application log together (see
    /// [`crate::scan::app_fields`]): where their errors were.
    pub app_fields: AppFields,
    /// How many lines each signal (rule or template) of each source group matched, bucket
    /// by bucket (access lines left out: [`Timeline::traffic`] counts those): the curve an
    /// episode's lines drew, to set against the failed requests'.
    pub signal_counts: SignalCounts,
    pub problems: Vec<Problem>,
}

/// One source group's traffic: its series (counts only) and its first failed request
/// per bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceTraffic {
    pub series: Series,
    pub first_failures: BTreeMap<Micros, Mark>,
}

/// Lines per (source group, signal), per bucket start.
pub type SignalCounts = BTreeMap<(String, Signal), BTreeMap<Micros, u64>>;

impl Timeline {
    /// The lines of `episode`'s signal in its source group, per bucket, within its span
    /// widened by `margin` each side.
    pub fn counts_of(&self, episode: &Episode, margin: Micros) -> BTreeMap<Micros, u64> {
        self.signal_counts
            .get(&(episode.group.clone(), episode.signal))
            .map(|counts| {
                let from = episode.start - margin - self.traffic.width;
                counts.range(from..=episode.end + margin).map(|(b, n)| (*b, *n)).collect()
            })
            .unwrap_or_default()
    }
}

/// What a signal is called: a rule's id, title and severity, or a template's.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub id: String,
    pub title: String,
    pub severity: Severity,
}

impl Timeline {
    /// What an episode is called: its signal's name, or, for a change candidate, what it
    /// is (the line itself is its subject).
    pub fn name_of(&self, episode: &Episode, rules: &RuleSet) -> Name {
        let name = self.name(episode.signal, &episode.group, rules);
        match (episode.category, episode.signal, &episode.subject) {
            (Category::Change, _, _) => Name {
                title: "A line rare in its log".into(),
                ..name
            },
            // Named by the field its value is of: "… from one user agent", "… for one
            // host" (the host a request named is where it went, not who sent it).
            (_, Signal::Surge, Some(who)) => Name {
                title: match who.field.as_str() {
                    "host" => "Surge of traffic for one host".to_string(),
                    field => format!("Surge of traffic from one {field}"),
                },
                ..name
            },
            _ => name,
        }
    }

    /// What the signal of lines of `group` is called.
    pub fn name(&self, signal: Signal, group: &str, rules: &RuleSet) -> Name {
        match signal {
            Signal::Rule(rule) => {
                let rule = rules.get(rule);
                Name {
                    id: rule.id.clone(),
                    title: rule.title.clone(),
                    severity: rule.severity,
                }
            }
            Signal::Surge => Name {
                id: "traffic_surge_by_one".into(),
                title: "Surge of traffic from one value of a request field".into(),
                severity: Severity::Warning,
            },
            Signal::ErrorLines => Name {
                id: "error_lines".into(),
                title: "Burst of error lines".into(),
                severity: Severity::Error,
            },
            Signal::Template(key) => {
                let template = self.templates.get(group).and_then(|t| t.by_key.get(&key));
                Name {
                    id: format!("template:{key:016x}"),
                    title: template.map_or_else(|| "(a line no rule names)".to_string(), |t| t.text.to_string()),
                    severity: match template.and_then(|t| t.level) {
                        Some(Level::Critical) => Severity::Critical,
                        Some(Level::Error) => Severity::Error,
                        Some(Level::Warning) => Severity::Warning,
                        _ => Severity::Info,
                    },
                }
            }
        }
    }
}

/// What a signal's lines are evidence of.
pub fn category_of(signal: Signal, rules: &RuleSet) -> Category {
    match signal {
        Signal::Rule(rule) => rules.get(rule).category,
        Signal::Template(_) => Category::LogErrors,
        Signal::ErrorLines => Category::ErrorBurst,
        Signal::Surge => Category::TrafficSurge,
    }
}

/// The scan's runs, tallies and series as a timeline.
pub fn build(mut result: ScanResult, rules: &RuleSet) -> Timeline {
    // The traffic and the rates read from it, the runs, the other episodes, the error
    // bursts and the counts read the scan's output apart: on every core, each put in
    // its place as one thread would.
    //
    // One access log's series is the traffic of all already: it is read where it is, and
    // moved out after, not copied (a week of minutes is ten thousand buckets).
    let one_series = result.series.len() == 1 && result.series.values().all(|s| s.width == result.bucket.max(1));
    let ((merged, rated), ((runs, others), ((bursts, error_counts), counted))) = rayon::join(
        || {
            let merged = (!one_series).then(|| result.traffic());
            let all = merged.as_ref().or_else(|| result.series.values().next());
            let rated = all.map(|all| rates::episodes(&result, all, rules)).unwrap_or_default();
            (merged, rated)
        },
        || {
            rayon::join(
                || rayon::join(|| collapse(&result.hits, &result.files, rules), || other_episodes(&result)),
                || rayon::join(|| errors::episodes(&result, rules), || counts(&result, rules)),
            )
        },
    );
    let traffic = match merged {
        Some(mut traffic) => {
            result.move_fields_into(&mut traffic);
            traffic
        }
        None => std::mem::take(&mut result.series).into_values().next().unwrap_or_default(),
    };
    let mut episodes = shaped(runs, rated, others, &result);
    episodes.extend(bursts);
    sort(&mut episodes);
    let Counts {
        first_failures,
        sources_failures,
        signal_counts,
    } = counted;
    let mut sources_traffic: BTreeMap<String, SourceTraffic> = sources_failures
        .into_iter()
        .map(|(group, first_failures)| {
            let traffic = SourceTraffic {
                first_failures,
                ..SourceTraffic::default()
            };
            (group, traffic)
        })
        .collect();
    // The sources' series (their summaries moved into `traffic` already).
    for (group, series) in std::mem::take(&mut result.series) {
        sources_traffic.entry(group).or_default().series = series;
    }
    sources_traffic.retain(|_, t| !t.series.is_empty());
    // Every application log's class fields together, field by field.
    let mut app_fields = AppFields::new(result.bucket.max(1));
    for fields in std::mem::take(&mut result.app_fields).into_values() {
        app_fields.merge(fields);
    }
    // Surges one actor made, where no rule told a surge: read from the traffic's field
    // summaries, once every source's are in it.
    let surges = surges::episodes(&traffic, &sources_traffic, &episodes);
    if !surges.is_empty() {
        episodes.extend(surges);
        sort(&mut episodes);
    }
    // The scan's runs and pulses are read: freed on another core while the analysis
    // goes on (a month of a hundred logs holds hundreds of thousands of runs).
    let (hits, pulses) = (std::mem::take(&mut result.hits), std::mem::take(&mut result.pulses));
    rayon::spawn(move || drop((hits, pulses)));
    Timeline {
        episodes,
        traffic,
        first_failures,
        sources_traffic,
        files: result.files,
        events: result.events,
        templates: result.templates,
        error_counts,
        app_fields,
        signal_counts,
        problems: result.problems,
    }
}

/// What the timeline counts of the scan's tallies: the first failed request of each
/// bucket, of all access logs and of each, and the lines of every other signal of each
/// source group, bucket by bucket.
struct Counts {
    first_failures: BTreeMap<Micros, Mark>,
    sources_failures: BTreeMap<String, BTreeMap<Micros, Mark>>,
    signal_counts: SignalCounts,
}

fn counts(result: &ScanResult, rules: &RuleSet) -> Counts {
    let mut first_failures: BTreeMap<Micros, Mark> = BTreeMap::new();
    let mut sources_failures: BTreeMap<String, BTreeMap<Micros, Mark>> = BTreeMap::new();
    let mut signal_counts = SignalCounts::new();
    for (group, hits) in &result.hits {
        // A source's tallies come by signal, each signal's in bucket order: its counts
        // are gathered, then kept under its name once.
        let mut counting: Option<(Signal, Vec<(Micros, u64)>)> = None;
        let mut keep = |counted: Option<(Signal, Vec<(Micros, u64)>)>| {
            if let Some((signal, counts)) = counted {
                signal_counts.insert((group.clone(), signal), counts.into_iter().collect());
            }
        };
        for ((signal, bucket), tally) in hits.tallies() {
            if category_of(*signal, rules) == Category::HttpError {
                let first = first_failures.entry(*bucket).or_insert(tally.first);
                *first = (*first).min(tally.first);
                let own = sources_failures
                    .entry(group.clone())
                    .or_default()
                    .entry(*bucket)
                    .or_insert(tally.first);
                *own = (*own).min(tally.first);
            } else {
                match &mut counting {
                    Some((counted, counts)) if counted == signal => counts.push((*bucket, tally.count)),
                    _ => {
                        keep(counting.take());
                        counting = Some((*signal, vec![(*bucket, tally.count)]));
                    }
                }
            }
        }
        keep(counting);
    }
    Counts {
        first_failures,
        sources_failures,
        signal_counts,
    }
}

/// All episodes: runs of matched lines and firings of rate rules, in time order, as
/// [`build`] finds them.
pub fn episodes(result: &ScanResult, rules: &RuleSet) -> Vec<Episode> {
    let traffic = result.traffic();
    let ((runs, rated), others) = rayon::join(
        || {
            rayon::join(
                || collapse(&result.hits, &result.files, rules),
                || rates::episodes(result, &traffic, rules),
            )
        },
        || other_episodes(result),
    );
    shaped(runs, rated, others, result)
}

/// The changes and the new lines no rule names.
fn other_episodes(result: &ScanResult) -> Vec<Episode> {
    let mut others = changes::episodes(result);
    others.extend(novel::episodes(result));
    others
}

/// The runs and rate firings shaped (see [`shape::shape`]), with the other episodes, in
/// time order.
fn shaped(mut runs: Vec<Episode>, rated: Vec<Episode>, others: Vec<Episode>, result: &ScanResult) -> Vec<Episode> {
    runs.extend(rated);
    let mut episodes = shape::shape(runs, result);
    episodes.extend(others);
    sort(&mut episodes);
    episodes
}

impl Timeline {
    /// Keeps the episodes that overlap `[since, until)` and the events within it. The
    /// episodes are found in all the logs first: a rate needs the minutes before the
    /// window for its baseline.
    pub fn retain_window(&mut self, span: crate::time::Span) {
        self.episodes.retain(|e| span.overlaps(e.start, e.end));
        self.events.retain(|e| span.contains(e.time));
    }
}

/// Episodes in time order; those that begin at the same time in one source in the order
/// of their lines (what the log said first comes first), and those that cite no line (a
/// rate over the traffic) after them, by signal.
fn sort(episodes: &mut [Episode]) {
    episodes.sort_by(|a, b| {
        (a.start, &a.group, a.first.is_none(), a.first, a.signal).cmp(&(b.start, &b.group, b.first.is_none(), b.first, b.signal))
    });
}

/// The runs of matched lines of each source group as episodes, ordered by start (then
/// source, rule). The scan has merged the runs already (see [`crate::scan::hits`]).
pub fn collapse(hits: &BTreeMap<String, Hits>, files: &[FileReport], rules: &RuleSet) -> Vec<Episode> {
    let mut episodes: Vec<Episode> = hits
        .iter()
        .flat_map(|(group, hits)| {
            hits.runs().iter().map(move |run| Episode {
                signal: run.signal,
                category: category_of(run.signal, rules),
                group: group.clone(),
                kind: files[run.first.file as usize].kind,
                start: run.start(),
                end: run.end(),
                count: run.count,
                first: Some(run.first.into()),
                last: Some(run.last.into()),
                subject: run.subject(),
                rate: None,
                background: false,
                strength: None,
                first_line: Some(std::sync::Arc::clone(&run.first_line)),
            })
        })
        .collect();
    sort(&mut episodes);
    episodes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::hits::LineText;

    const TEXT: LineText<'static> = LineText {
        line: b"a line",
        message: b"a line",
        detail: b"",
        following: b"",
        lookahead: b"",
        format: crate::format::Format::Unknown,
    };
    use crate::format::Format;
    use crate::rules::Rule;
    use crate::scan::ZoneNote;
    use crate::source::ReadMode;

    fn file(group: &str) -> FileReport {
        let zone = ZoneNote {
            zone: "UTC".into(),
            origin: crate::scan::ZoneOrigin::Given,
        };
        FileReport::new(group.into(), group.into(), Format::MysqlError, ReadMode::Mmap, zone)
    }

    fn add(hits: &mut BTreeMap<String, Hits>, group: &str, time: Micros, file: u32, line: u64, table: &str) {
        let mark = Mark {
            time,
            file,
            offset: line * 10,
            line,
        };
        let fields: [(Box<str>, Box<str>); 1] = [("table".into(), table.into())];
        hits.entry(group.into())
            .or_insert_with(|| Hits::new(100, 60))
            .add(Signal::Rule(0), &fields, mark, &TEXT);
    }

    fn one_rule() -> RuleSet {
        RuleSet::new(vec![Rule::named("db.lock", Category::TableLock)])
    }

    #[test]
    fn runs_collapse_and_gaps_split() {
        let files = [file("db.log"), file("app.log")];
        let mut hits = BTreeMap::new();
        add(&mut hits, "db.log", 0, 0, 1, "orders");
        add(&mut hits, "app.log", 10, 1, 1, "x");
        add(&mut hits, "db.log", 20, 0, 2, "orders");
        add(&mut hits, "db.log", 30, 0, 3, "users");
        add(&mut hits, "db.log", 1_000, 0, 4, "orders");
        for group in hits.values_mut() {
            group.compact();
        }
        let episodes = collapse(&hits, &files, &one_rule());
        // db.log orders (0, 20), app.log x (10), db.log users (30), db.log orders again
        // after a gap (1000): one source and rule, but another table or a long gap, is
        // another episode.
        let table = |value: &str| {
            Some(Subject {
                field: "table".into(),
                value: value.into(),
            })
        };
        assert_eq!(episodes.len(), 4);
        assert_eq!((episodes[0].group.as_str(), episodes[0].count, episodes[0].end), ("db.log", 2, 20));
        assert_eq!(episodes[0].subject, table("orders"));
        assert_eq!(episodes[0].category, Category::TableLock);
        assert_eq!(episodes[0].last, Some(Evidence { file: 0, line: 2 }));
        assert_eq!((episodes[1].group.as_str(), episodes[1].count), ("app.log", 1));
        assert_eq!(episodes[2].subject, table("users"));
        assert_eq!((episodes[3].start, episodes[3].count), (1_000, 1));
    }

    #[test]
    fn episodes_of_one_second_in_one_source_follow_its_lines() {
        // Two rules' lines at the same second: the one logged first comes first, whatever
        // the rules' order; a rate, which cites no line, after them.
        let at = |signal: u16, line: Option<u64>| {
            let mut e = Episode::said(Category::TableLock, crate::format::SourceKind::Db, "db.log", "a line");
            e.signal = Signal::Rule(signal);
            e.first = line.map(|line| Evidence { file: 0, line });
            e
        };
        let mut episodes = vec![at(0, Some(9)), at(5, None), at(7, Some(3))];
        sort(&mut episodes);
        let order: Vec<Signal> = episodes.iter().map(|e| e.signal).collect();
        assert_eq!(order, [Signal::Rule(7), Signal::Rule(0), Signal::Rule(5)]);
    }
}
