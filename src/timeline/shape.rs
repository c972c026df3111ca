//! The shape of a signal over time. Lines that flood far above their own baseline are
//! split off as a burst, so that the burst stands alone with its baseline stated ("about 4
//! a minute all day, 1,770 a minute from 14:02"); lines that recur from the start of their
//! logs through most of them are background, merged into one episode and said to be.
//! Both are judged by time, from the tallies of each source's lines per bucket, never by
//! where lines stand in a file.

use super::{Episode, Evidence, RateDetail, RateUnit};
use crate::scan::hits::{Signal, Tally};
use crate::scan::{FileReport, ScanResult};
use crate::time::Micros;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// A signal needs this many buckets of its own history for a baseline: with less, a
/// burst has nothing to stand out from.
pub const BASELINE_BUCKETS: i64 = 30;
/// A bucket is part of a burst with at least this many times the baseline …
pub const BURST_FACTOR: f64 = 10.0;
/// … and at least this many lines: a few lines more than usual is a blip, not a burst.
pub const BURST_MIN_LINES: u64 = 20;
/// Quiet buckets a burst may pause for and still be one burst.
pub const BURST_BRIDGE: i64 = 2;
/// Runs of one thing are background when together they start this close to the start
/// of the logs (or within [`BACKGROUND_START_SHARE`] of their span, if more) …
pub const BACKGROUND_START: Micros = 10 * 60 * 1_000_000;
pub const BACKGROUND_START_SHARE: f64 = 0.05;
/// … and cover at least this share of the logs' span …
pub const BACKGROUND_SPAN_SHARE: f64 = 0.5;
/// … with at least this many lines: two lines are two events, not a recurrence. A
/// version started in the morning and started again in the afternoon, as the rollback
/// that ended an outage, is that rollback, not routine.
pub const BACKGROUND_MIN_LINES: u64 = 3;

/// The first and last instants of all the logs. Background is judged against them, not
/// against its own file: a database log that begins with an outage (it was rotated, or
/// the server started) holds the outage's lines from its first line on, and they are no
/// background.
fn logs_span(files: &[FileReport]) -> Option<(Micros, Micros)> {
    let first = files.iter().filter_map(|f| f.first).min()?;
    let last = files.iter().filter_map(|f| f.last).max()?;
    Some((first, last))
}

/// A burst: from the bucket `start` to the bucket `end` (both included).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Burst {
    pub start: Micros,
    pub end: Micros,
    pub peak: u64,
    pub peak_at: Micros,
    pub baseline: f64,
}

/// The bursts of one signal's tallies, by bucket start, against the baseline of its own
/// span (from its first line to its last).
pub(super) fn bursts(tallies: &BTreeMap<Micros, Tally>, width: Micros) -> Vec<Burst> {
    let (Some(&first), Some(&last)) = (tallies.keys().next(), tallies.keys().next_back()) else {
        return Vec::new();
    };
    bursts_within(tallies, width, (first, last))
}

/// The bursts of `tallies` against the baseline of the buckets from `span.0` to `span.1`
/// (bucket starts), quiet ones included.
pub(super) fn bursts_within(tallies: &BTreeMap<Micros, Tally>, width: Micros, (first, last): (Micros, Micros)) -> Vec<Burst> {
    let buckets = (last - first) / width + 1;
    if buckets < BASELINE_BUCKETS {
        return Vec::new();
    }
    // The median bucket, quiet ones included: a burst shorter than half the span cannot
    // raise it. The quiet ones are counted, not stored: lines whose times lie centuries
    // apart (a garbled stamp) span billions of buckets.
    let mut counts: Vec<u64> = tallies.values().map(|t| t.count).collect();
    counts.sort_unstable();
    let quiet = u64::try_from(buckets).unwrap_or(0).saturating_sub(counts.len() as u64);
    let middle = u64::try_from(buckets / 2).unwrap_or(0);
    let baseline = match middle.checked_sub(quiet) {
        None => 0.0,
        Some(among_lines) => counts.get(crate::num::index(among_lines)).copied().unwrap_or(0) as f64,
    };
    let threshold = (BURST_FACTOR * baseline).max(BURST_MIN_LINES as f64);
    let mut found: Vec<Burst> = Vec::new();
    for (&bucket, tally) in tallies.iter().filter(|(_, t)| t.count as f64 >= threshold) {
        match found.last_mut() {
            Some(burst) if bucket - burst.end <= (BURST_BRIDGE + 1) * width => {
                burst.end = bucket;
                if tally.count > burst.peak {
                    burst.peak = tally.count;
                    burst.peak_at = bucket;
                }
            }
            _ => found.push(Burst {
                start: bucket,
                end: bucket,
                peak: tally.count,
                peak_at: bucket,
                baseline,
            }),
        }
    }
    found
}

/// The lines of `tallies` in `[from, to)` (bucket starts), as an episode's count and
/// first and last lines; `None` when there are none (and when `to` is not after `from`:
/// a damaged partial's run may end before it starts).
fn part(tallies: &BTreeMap<Micros, Tally>, from: Micros, to: Micros) -> Option<(u64, Tally)> {
    if from >= to {
        return None;
    }
    let mut lines = tallies.range(from..to).map(|(_, t)| *t);
    let first = lines.next()?;
    let whole = lines.fold(first, |acc, t| Tally {
        count: acc.count + t.count,
        first: acc.first.min(t.first),
        last: acc.last.max(t.last),
    });
    Some((whole.count, whole))
}

fn from_tally(template: &Episode, tally: Tally) -> Episode {
    // Only the part that starts where the run did starts with the run's first line.
    let first_line = template
        .first_line
        .clone()
        .filter(|_| template.first == Some(Evidence::from(tally.first)));
    Episode {
        first_line,
        start: tally.first.time,
        end: tally.last.time,
        count: tally.count,
        first: Some(Evidence::from(tally.first)),
        last: Some(Evidence::from(tally.last)),
        rate: None,
        background: false,
        ..template.clone()
    }
}

/// Splits the bursts out of each signal's runs, then merges what recurs through the logs
/// into background.
pub(super) fn shape(episodes: Vec<Episode>, result: &ScanResult) -> Vec<Episode> {
    let width = result.bucket.max(1);
    let (runs, mut shaped): (Vec<Episode>, Vec<Episode>) = episodes.into_iter().partition(|e| e.rate.is_none());
    let mut by_signal: BTreeMap<(String, Signal), Vec<Episode>> = BTreeMap::new();
    for run in runs {
        by_signal.entry((run.group.clone(), run.signal)).or_default().push(run);
    }
    // Each signal of each source apart, on every core, in their order: split into its
    // bursts and what recurs all along (what one signal of one source does, no other's,
    // decides both).
    let by_signal: Vec<((String, Signal), Vec<Episode>)> = by_signal.into_iter().collect();
    let split: Vec<Episode> = by_signal
        .into_par_iter()
        .flat_map_iter(|((group, signal), runs)| {
            let tallies: BTreeMap<Micros, Tally> = result
                .hits
                .get(&group)
                .map(|hits| {
                    hits.tallies()
                        .range((signal, Micros::MIN)..=(signal, Micros::MAX))
                        .map(|((_, bucket), tally)| (*bucket, *tally))
                        .collect()
                })
                .unwrap_or_default();
            let found = bursts(&tallies, width);
            if found.is_empty() {
                return background(runs, &result.files);
            }
            let mut split: Vec<Episode> = Vec::new();
            // The runs a burst touches are one story for the time of the burst: what they
            // are about is the subject of the most lines among them.
            let lines_last = tallies.keys().next_back().copied().unwrap_or(0);
            let mut rest = runs;
            for burst in found {
                let (from, to) = (burst.start, burst.end + width);
                let (touched, untouched): (Vec<Episode>, Vec<Episode>) = rest.into_iter().partition(|r| r.start < to && r.end >= from);
                rest = untouched;
                let Some(main) = touched.iter().max_by_key(|r| (r.count, std::cmp::Reverse(r.start))).cloned() else {
                    continue;
                };
                let span = (
                    touched.iter().map(|r| r.start).min().unwrap_or(from),
                    touched.iter().map(|r| r.end).max().unwrap_or(to),
                );
                let bucket_of = |t: Micros| t.div_euclid(width) * width;
                if let Some((_, before)) = part(&tallies, bucket_of(span.0), from) {
                    rest.push(from_tally(&main, before));
                }
                if let Some((_, during)) = part(&tallies, from, to) {
                    let mut episode = from_tally(&main, during);
                    episode.rate = Some(RateDetail {
                        peak: burst.peak as f64,
                        peak_at: burst.peak_at,
                        baseline: burst.baseline,
                        unit: RateUnit::Count,
                        ongoing: burst.end == lines_last,
                    });
                    split.push(episode);
                }
                if let Some((_, after)) = part(&tallies, to, bucket_of(span.1) + width) {
                    rest.push(from_tally(&main, after));
                }
            }
            split.extend(rest);
            background(split, &result.files)
        })
        .collect();
    shaped.extend(split);
    shaped
}

/// Merges the runs of one thing (signal and subject) that recur through their logs into
/// one background episode.
fn background(episodes: Vec<Episode>, files: &[FileReport]) -> Vec<Episode> {
    let Some((logs_start, logs_end)) = logs_span(files) else {
        return episodes;
    };
    let logs_span = (logs_end - logs_start).max(1);
    let (bursts, runs): (Vec<Episode>, Vec<Episode>) = episodes.into_iter().partition(|e| e.rate.is_some());
    let mut by_thing: BTreeMap<(String, Signal, Option<String>), Vec<Episode>> = BTreeMap::new();
    for run in runs {
        let subject = run.subject.as_ref().map(|s| s.value.clone());
        by_thing.entry((run.group.clone(), run.signal, subject)).or_default().push(run);
    }
    let mut out = bursts;
    for (_, mut runs) in by_thing {
        let start = runs.iter().map(|r| r.start).min().unwrap_or(logs_start);
        let end = runs.iter().map(|r| r.end).max().unwrap_or(logs_end);
        let near_start = start - logs_start <= BACKGROUND_START.max(crate::num::whole_i64(BACKGROUND_START_SHARE * logs_span as f64));
        let covers = (end - start) as f64 >= BACKGROUND_SPAN_SHARE * logs_span as f64;
        let recurs = runs.iter().map(|r| r.count).sum::<u64>() >= BACKGROUND_MIN_LINES;
        if !(near_start && covers && recurs) {
            out.extend(runs);
            continue;
        }
        runs.sort_by_key(|r| (r.start, r.first));
        let mut merged = runs[0].clone();
        for run in &runs[1..] {
            merged.count += run.count;
            merged.end = merged.end.max(run.end);
            merged.first = merged.first.min(run.first);
            merged.last = merged.last.max(run.last);
        }
        merged.start = start;
        merged.background = true;
        out.push(merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::hits::Mark;

    const MINUTE: Micros = 60_000_000;

    fn tallies(counts: &[(i64, u64)]) -> BTreeMap<Micros, Tally> {
        counts
            .iter()
            .map(|&(minute, count)| {
                let mark = |second| Mark {
                    time: minute * MINUTE + second,
                    file: 0,
                    offset: 0,
                    line: crate::num::unsigned(minute),
                };
                (
                    minute * MINUTE,
                    Tally {
                        count,
                        first: mark(0),
                        last: mark(59),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn a_part_that_ends_before_it_starts_has_no_lines() {
        let counted = tallies(&[(1, 3), (2, 4), (3, 5)]);
        assert_eq!(part(&counted, MINUTE, 3 * MINUTE).map(|(count, _)| count), Some(7));
        assert_eq!(part(&counted, 3 * MINUTE, MINUTE), None);
        assert_eq!(part(&counted, 2 * MINUTE, 2 * MINUTE), None);
    }

    /// Runs of one rule in `app.log`, about `subject`, at the given minutes (a line each,
    /// `count` lines for the first), from logs that span 09:00 to 17:00.
    fn runs_at(subject: &str, minutes: &[i64], count: u64) -> Vec<Episode> {
        minutes
            .iter()
            .enumerate()
            .map(|(i, &minute)| Episode {
                start: minute * MINUTE,
                end: minute * MINUTE,
                count: if i == 0 { count } else { 1 },
                subject: Some(crate::scan::hits::Subject {
                    field: "version".into(),
                    value: subject.into(),
                }),
                ..Episode::said(crate::rules::Category::Deploy, crate::format::SourceKind::App, "app.log", "started")
            })
            .collect()
    }

    fn day_files() -> Vec<FileReport> {
        let mut file = FileReport::new(
            "app.log".into(),
            "app.log".into(),
            crate::format::Format::Timestamped,
            crate::source::ReadMode::Mmap,
            crate::scan::ZoneNote {
                zone: "UTC".into(),
                origin: crate::scan::ZoneOrigin::Lines,
            },
        );
        (file.first, file.last) = (Some(9 * 60 * MINUTE), Some(17 * 60 * MINUTE));
        vec![file]
    }

    #[test]
    fn what_recurs_through_the_logs_is_background_and_two_events_are_not() {
        let files = day_files();
        let merged = |runs: Vec<Episode>| background(runs, &files);
        // A warning every twenty minutes all day: one background episode.
        let every_twenty: Vec<i64> = (9 * 60 + 5..17 * 60).step_by(20).collect();
        let shaped = merged(runs_at("-", &every_twenty, 1));
        assert_eq!(shaped.len(), 1);
        assert!(shaped[0].background);
        // An hourly job, and one long run of many lines from the start: background too.
        assert!(merged(runs_at("-", &[9 * 60 + 1, 11 * 60, 13 * 60, 15 * 60], 1))
            .iter()
            .all(|e| e.background));
        assert!(merged(runs_at("-", &[9 * 60 + 2, 16 * 60], 40)).iter().all(|e| e.background));
        // A version started at 09:00 and again at 14:33 (the rollback): two events.
        let shaped = merged(runs_at("2.7.3", &[9 * 60, 14 * 60 + 33], 1));
        assert_eq!(shaped.len(), 2);
        assert!(shaped.iter().all(|e| !e.background));
        // Late in the logs, or over a short stretch: never background.
        assert!(merged(runs_at("-", &[12 * 60, 13 * 60, 16 * 60], 1)).iter().all(|e| !e.background));
        assert!(merged(runs_at("-", &[9 * 60, 9 * 60 + 30, 10 * 60], 1))
            .iter()
            .all(|e| !e.background));
    }

    #[test]
    fn a_flood_far_above_a_trickle_is_a_burst() {
        // About 4 a minute all day; 1,770 a minute for 20 minutes from 14:02.
        let mut counts: Vec<(i64, u64)> = (0..1440).map(|m| (m, 3 + crate::num::unsigned(m % 3))).collect();
        for (m, count) in counts.iter_mut().skip(842).take(20) {
            *count = 1770 + crate::num::unsigned(*m) % 7;
        }
        let found = bursts(&tallies(&counts), MINUTE);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].start, found[0].end), (842 * MINUTE, 861 * MINUTE));
        assert_eq!(found[0].baseline, 4.0);
    }

    #[test]
    fn a_blip_a_short_history_and_a_steady_rate_are_no_burst() {
        // A harmless blip: a few lines more than usual.
        let mut counts: Vec<(i64, u64)> = (0..300).map(|m| (m, 2)).collect();
        counts[100].1 = 12;
        assert!(bursts(&tallies(&counts), MINUTE).is_empty());
        // Too little history to stand out from.
        let short: Vec<(i64, u64)> = (0..10).map(|m| (m, if m == 8 { 500 } else { 1 })).collect();
        assert!(bursts(&tallies(&short), MINUTE).is_empty());
        // Heavy but steady: its own baseline.
        let steady: Vec<(i64, u64)> = (0..300).map(|m| (m, 900)).collect();
        assert!(bursts(&tallies(&steady), MINUTE).is_empty());
    }

    #[test]
    fn lines_centuries_apart_are_judged_without_a_bucket_for_each_minute() {
        // Two lines a thousand years apart (a garbled stamp), then a burst: the quiet
        // minutes between are counted, not stored.
        let mut counts: Vec<(i64, u64)> = vec![(-525_600_000, 1)];
        counts.extend((0..60).map(|m| (m, if m >= 30 { 500 } else { 2 })));
        let found = bursts(&tallies(&counts), MINUTE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].start, found[0].baseline), (30 * MINUTE, 0.0));
    }

    #[test]
    fn a_burst_that_pauses_briefly_is_one() {
        let mut counts: Vec<(i64, u64)> = (0..200).map(|m| (m, 1)).collect();
        for m in [100, 101, 103, 104, 105] {
            counts[m].1 = 300;
        }
        // A second burst, further away.
        counts[150].1 = 300;
        let found = bursts(&tallies(&counts), MINUTE);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].start, found[0].end, found[0].peak), (100 * MINUTE, 105 * MINUTE, 300));
    }
}
