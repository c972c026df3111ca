//! Error lines of every log together. Where no access log covers the time, what users saw
//! is unknown, but a burst of error lines over their own baseline, or a crash, says that
//! something failed: such a stretch is an `error_burst` episode, the symptom of an
//! incident found without an access log.

use super::shape::{bursts_within, Burst};
use super::{rates, Episode, Evidence, RateDetail, RateUnit};
use crate::format::{Level, SourceKind};
use crate::rules::{Category, RuleSet, Severity};
use crate::scan::hits::{Signal, Tally};
use crate::scan::templates::Templates;
use crate::scan::ScanResult;
use crate::time::Micros;
use std::collections::BTreeMap;

/// Error lines closer than this are one stretch of trouble.
pub const ERROR_GAP: Micros = 5 * 60 * 1_000_000;
/// A stretch in which one rule of supervised services' failures (systemd's `Failed with
/// result`, or its `Failed to start`: one line a failure) matched this many lines is a
/// crash loop, whatever else its lines say: three crashes and restarts in a row are no
/// blip. Counted rule by rule, so that one failed start, which logs both, counts once.
pub const CRASH_LOOP_AT: u64 = 3;

/// How many error-or-worse lines each source group wrote, bucket by bucket.
pub type ErrorCounts = BTreeMap<(String, Micros), u64>;

/// Whether a signal's lines are errors or worse.
fn is_error(signal: Signal, group: &str, rules: &RuleSet, templates: &BTreeMap<String, Templates>) -> bool {
    match signal {
        Signal::Rule(rule) => {
            let rule = rules.get(rule);
            rule.severity >= Severity::Error && !matches!(rule.category, Category::HttpError)
        }
        Signal::Template(key) => templates
            .get(group)
            .and_then(|t| t.by_key.get(&key))
            .is_some_and(|t| t.level >= Some(Level::Error)),
        Signal::ErrorLines | Signal::Surge => false,
    }
}

/// The error lines of every source group, per bucket, and the tallies of all of them
/// together; lines in a stretch an access log covers are left out (its traffic says
/// what users saw there).
fn error_lines(result: &ScanResult, rules: &RuleSet) -> ErrorLines {
    let width = result.bucket.max(1);
    let web = rates::covered(result.files.iter().filter(|f| result.series.contains_key(&f.group)), width);
    let on_web = |bucket: Micros| web.iter().any(|(first, last)| bucket + width > *first && bucket <= *last);
    let mut counts = ErrorCounts::new();
    let mut all: BTreeMap<Micros, Tally> = BTreeMap::new();
    // Buckets holding a critical line (a crash, an OOM kill, a corrupt table), and how
    // many times a supervised service failed in each.
    let mut critical: BTreeMap<Micros, bool> = BTreeMap::new();
    let mut failures: BTreeMap<(Micros, Signal), u64> = BTreeMap::new();
    for (group, hits) in &result.hits {
        for ((signal, bucket), tally) in hits.tallies() {
            if !is_error(*signal, group, rules, &result.templates) || on_web(*bucket) {
                continue;
            }
            *counts.entry((group.clone(), *bucket)).or_default() += tally.count;
            all.entry(*bucket)
                .and_modify(|t| {
                    t.count += tally.count;
                    t.first = t.first.min(tally.first);
                    t.last = t.last.max(tally.last);
                })
                .or_insert(*tally);
            if let Signal::Rule(rule) = signal {
                let rule = rules.get(*rule);
                if rule.severity == Severity::Critical {
                    critical.insert(*bucket, true);
                }
                if rule.category == Category::Restart {
                    *failures.entry((*bucket, *signal)).or_default() += tally.count;
                }
            }
        }
    }
    ErrorLines {
        counts,
        all,
        critical,
        failures,
    }
}

/// The error lines of every source group, bucket by bucket.
struct ErrorLines {
    /// Per source group and bucket.
    counts: ErrorCounts,
    /// All groups together, with the first and last line of each bucket.
    all: BTreeMap<Micros, Tally>,
    /// Buckets holding a critical line.
    critical: BTreeMap<Micros, bool>,
    /// Lines of each rule of supervised services' failures, per bucket.
    failures: BTreeMap<(Micros, Signal), u64>,
}

/// The error bursts, and every source's error lines per bucket (for the impact of an
/// incident found without an access log).
pub(super) fn episodes(result: &ScanResult, rules: &RuleSet) -> (Vec<Episode>, ErrorCounts) {
    let width = result.bucket.max(1);
    let ErrorLines {
        counts,
        all,
        critical,
        failures,
    } = error_lines(result, rules);
    // Stretches: bursts over the baseline of all the logs' time, and clusters of error
    // lines around a crash.
    let span = (
        result.files.iter().filter_map(|f| f.first).min(),
        result.files.iter().filter_map(|f| f.last).max(),
    );
    let mut stretches: Vec<Burst> = match span {
        (Some(first), Some(last)) => bursts_within(&all, width, (first.div_euclid(width) * width, last.div_euclid(width) * width)),
        _ => Vec::new(),
    };
    let mut cluster: Option<Burst> = None;
    let mut clusters = Vec::new();
    for (&bucket, tally) in &all {
        match &mut cluster {
            Some(c) if bucket - c.end <= ERROR_GAP => {
                c.end = bucket;
                if tally.count > c.peak {
                    c.peak = tally.count;
                    c.peak_at = bucket;
                }
            }
            _ => {
                clusters.extend(cluster.take());
                cluster = Some(Burst {
                    start: bucket,
                    end: bucket,
                    peak: tally.count,
                    peak_at: bucket,
                    baseline: 0.0,
                });
            }
        }
    }
    clusters.extend(cluster);
    for c in clusters {
        let mut per_rule: BTreeMap<Signal, u64> = BTreeMap::new();
        // Signals order rules first and the timeline's own last: the whole of each bucket.
        for ((_, signal), n) in failures.range((c.start, Signal::Rule(0))..=(c.end, Signal::ErrorLines)) {
            *per_rule.entry(*signal).or_default() += n;
        }
        let crashed = critical.range(c.start..=c.end).next().is_some() || per_rule.values().any(|&n| n >= CRASH_LOOP_AT);
        let within_a_burst = stretches.iter().any(|b| b.start <= c.end && b.end >= c.start);
        if crashed && !within_a_burst {
            stretches.push(c);
        }
    }
    stretches.sort_by_key(|b| b.start);
    // Still going when the logs end: the stretch reaches their last minutes, not only the
    // last error line (errors that stopped at 14:00 in logs that run to 17:00 are over).
    let last_bucket = span.1.map_or(0, |last| last.div_euclid(width) * width);
    let mut out = Vec::new();
    for stretch in stretches {
        let mut lines = all.range(stretch.start..=stretch.end).map(|(_, t)| *t);
        let Some(first) = lines.next() else { continue };
        let whole = lines.fold(first, |acc, t| Tally {
            count: acc.count + t.count,
            first: acc.first.min(t.first),
            last: acc.last.max(t.last),
        });
        // The source that wrote most of them says where it came from.
        let mut by_group: BTreeMap<&str, u64> = BTreeMap::new();
        for ((group, _), n) in counts.iter().filter(|((_, b), _)| *b >= stretch.start && *b <= stretch.end) {
            *by_group.entry(group).or_default() += n;
        }
        let group = by_group
            .iter()
            .max_by_key(|(g, n)| (**n, std::cmp::Reverse(**g)))
            .map_or("", |(g, _)| *g);
        let kind = result.files.iter().find(|f| f.group == group).map_or(SourceKind::App, |f| f.kind);
        out.push(Episode {
            signal: Signal::ErrorLines,
            category: Category::ErrorBurst,
            group: "all sources".into(),
            kind,
            start: stretch.start,
            end: stretch.end + width,
            count: whole.count,
            first: Some(Evidence::from(whole.first)),
            last: Some(Evidence::from(whole.last)),
            subject: None,
            rate: Some(RateDetail {
                peak: stretch.peak as f64,
                peak_at: stretch.peak_at,
                baseline: stretch.baseline,
                unit: RateUnit::Count,
                ongoing: stretch.end + ERROR_GAP >= last_bucket,
            }),
            background: false,
            strength: None,
            first_line: None,
        });
    }
    (out, counts)
}
