//! Rate rules, evaluated after the scan on what it counted: the per-bucket web series and
//! the events. A rate rule fires when its value (a count, or a ratio of two counts) in a
//! bucket reaches the threshold and stands out from the baseline, for enough buckets in a
//! row; it ends when the value stays below for `end_after` buckets. Each firing is an
//! episode, like a run of matched lines, with the lines behind it as evidence.

use super::{Episode, Evidence, RateDetail, RateUnit};
use crate::format::SourceKind;
use crate::rules::{Category, Condition, Measure, Rate, RuleIndex, RuleSet};
use crate::scan::hits::{Hits, Signal, Tallies};
use crate::scan::series::Series;
use crate::scan::ScanResult;
use crate::time::Micros;
use std::collections::BTreeMap;

/// Buckets of history a baseline needs, at least (fewer when the rule's own baseline
/// is shorter).
const MIN_HISTORY: usize = 5;

/// Requests a typical bucket must hold for a share of them to mean something. A quiet
/// service (a small shop at 5 requests a minute) whose requests fail 60 % of the time for
/// 25 minutes fails 3 of 5 one minute and 2 of 5 the next: no two minutes in a row reach
/// a spike's 3 failures. Where a typical bucket of a source's traffic holds fewer, the
/// rules over a share of its traffic (failed requests per request) read it in buckets
/// merged until a typical one holds this many. Rules over a count (requests a minute) or
/// a mean keep their buckets: their thresholds are a bucket's.
const ENOUGH_REQUESTS: f64 = 10.0;

/// The most buckets merged (five one-minute buckets): coarser still, an outage of a few
/// minutes would be averaged away.
const MAX_MERGED: i64 = 5;

/// How many buckets of `series` to read as one: 1 for a busy source, more for a quiet
/// one (see [`ENOUGH_REQUESTS`]). A typical bucket is the median of the buckets that
/// hold requests.
fn merged_buckets(series: Option<&Series>) -> i64 {
    let Some(series) = series else { return 1 };
    let mut requests: Vec<u64> = series.buckets.values().map(|b| b.requests).filter(|&r| r > 0).collect();
    if requests.is_empty() {
        return 1;
    }
    requests.sort_unstable();
    let typical = requests[requests.len() / 2] as f64;
    (crate::num::whole_i64((ENOUGH_REQUESTS / typical).ceil())).clamp(1, MAX_MERGED)
}

/// `points` counted in buckets `width` wide (a multiple of theirs), added up.
fn merged(points: &BTreeMap<Micros, (f64, f64)>, width: Micros) -> BTreeMap<Micros, (f64, f64)> {
    let mut out: BTreeMap<Micros, (f64, f64)> = BTreeMap::new();
    for (t, (value, items)) in points {
        let sum = out.entry(t.div_euclid(width) * width).or_default();
        sum.0 += value;
        sum.1 += items;
    }
    out
}

/// One bucket's numbers for a rule: the numerator, the denominator (1 when the rule
/// counts a plain number), and how many items the numerator stands for (`min_count`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Point {
    numerator: f64,
    denominator: f64,
    items: f64,
}

impl Point {
    fn value(&self) -> f64 {
        if self.denominator > 0.0 {
            self.numerator / self.denominator
        } else {
            0.0
        }
    }
}

/// What one measure counts in a bucket of the series.
fn from_series(measure: &Measure, series: &Series) -> BTreeMap<Micros, (f64, f64)> {
    series
        .buckets
        .iter()
        .filter_map(|(start, b)| {
            let (value, items) = match measure {
                Measure::Requests => (b.requests as f64, b.requests as f64),
                Measure::FailedRequests => (b.failed() as f64, b.failed() as f64),
                Measure::MeanRequestMs => (b.duration_sum_ms, b.duration_count as f64),
                Measure::RuleHits(_) | Measure::CategoryHits(_) => return None,
            };
            Some((*start, (value, items)))
        })
        .collect()
}

/// Whether the lines of a signal count for a measure.
fn counts_rule(measure: &Measure, signal: Signal, rules: &RuleSet) -> bool {
    let Signal::Rule(rule) = signal else {
        // Lines no rule named count only as what they are.
        return matches!(measure, Measure::CategoryHits(Category::LogErrors));
    };
    let rule = rules.get(rule);
    match measure {
        Measure::RuleHits(id) => rule.id == *id,
        Measure::CategoryHits(category) => rule.category == *category,
        // The lines behind a series measure, cited as evidence: failed responses.
        Measure::FailedRequests => rule.category == Category::HttpError,
        Measure::Requests | Measure::MeanRequestMs => false,
    }
}

fn from_tallies(measure: &Measure, tallies: &[&Tallies], rules: &RuleSet) -> BTreeMap<Micros, (f64, f64)> {
    let mut counts: BTreeMap<Micros, (f64, f64)> = BTreeMap::new();
    let all = tallies.iter().flat_map(|t| t.iter());
    for ((_, bucket), tally) in all.filter(|((rule, _), _)| counts_rule(measure, *rule, rules)) {
        let entry = counts.entry(*bucket).or_default();
        entry.0 += tally.count as f64;
        entry.1 += tally.count as f64;
    }
    counts
}

/// The values of one measure per bucket, from the series or from the tallies of
/// matched lines.
fn measure_points(measure: &Measure, series: Option<&Series>, tallies: &[&Tallies], rules: &RuleSet) -> BTreeMap<Micros, (f64, f64)> {
    match measure {
        Measure::RuleHits(_) | Measure::CategoryHits(_) => from_tallies(measure, tallies, rules),
        _ => series.map(|s| from_series(measure, s)).unwrap_or_default(),
    }
}

/// What a rate rule is evaluated over: all sources together, or one source group.
struct Scope<'a> {
    group: String,
    series: Option<&'a Series>,
    /// The tallies of its source groups' matched lines (all of them together are never
    /// made: the rules read them one group after another).
    tallies: Vec<&'a Tallies>,
    /// The stretches of time the logs in scope cover (the files' spans, merged): inside
    /// one, a minute without anything counted is a zero, not a hole; across the gap
    /// between two, there is no history (logs of unrelated days do not make a baseline).
    spans: Vec<(Micros, Micros)>,
    /// The same for the access logs alone: web traffic is only known where they reach.
    web_spans: Vec<(Micros, Micros)>,
}

/// Merges the files' spans into the stretches they cover.
pub(super) fn covered<'a>(files: impl Iterator<Item = &'a crate::scan::FileReport>, width: Micros) -> Vec<(Micros, Micros)> {
    joined(files.filter_map(|f| f.first.zip(f.last)).collect(), width)
}

/// Spans joined where less than a bucket `width` lies between them.
fn joined(mut spans: Vec<(Micros, Micros)>, width: Micros) -> Vec<(Micros, Micros)> {
    spans.sort_unstable();
    let mut merged: Vec<(Micros, Micros)> = Vec::new();
    for (first, last) in spans {
        match merged.last_mut() {
            Some(open) if first <= open.1 + width => open.1 = open.1.max(last),
            _ => merged.push((first, last)),
        }
    }
    merged
}

/// A rule's points over one span; buckets with nothing in them are zeros (a quiet
/// minute is data too). A long quiet stretch is cut short: a zero is never hot (the
/// threshold is positive), so only the `end_after` zeros after data (to end a firing)
/// and the `baseline` zeros before the next data (its baseline) can change anything.
/// Logs that span years stay cheap, with the same firings.
fn points(
    rate: &Rate,
    numerator: &BTreeMap<Micros, (f64, f64)>,
    denominator: Option<&BTreeMap<Micros, (f64, f64)>>,
    span: (Micros, Micros),
    width: Micros,
) -> Vec<(Micros, Point)> {
    let first = span.0.div_euclid(width) * width;
    let last = span.1.div_euclid(width) * width;
    // The buckets with data, in order, and each measure's values: read once, in step
    // with the buckets (a week of minutes is ten thousand of them, for every rule).
    let mut with_data: Vec<Micros> = numerator.range(first..=last).map(|(t, _)| *t).collect();
    if let Some(denominator) = denominator {
        // Both in order already: merged, not sorted.
        let mut merged = Vec::with_capacity(with_data.len() + denominator.len());
        let mut others = denominator.range(first..=last).map(|(t, _)| *t).peekable();
        for t in with_data {
            while let Some(other) = others.next_if(|&o| o < t) {
                merged.push(other);
            }
            others.next_if_eq(&t);
            merged.push(t);
        }
        merged.extend(others);
        with_data = merged;
    }
    let mut numerators = numerator.range(first..=last).peekable();
    let mut denominators = denominator.map(|d| d.range(first..=last).peekable());
    let before = rate.baseline as Micros * width;
    let after = (rate.end_after as Micros + 1) * width;
    let mut out = Vec::new();
    let mut start = first;
    // The first bucket with data at or after `start`.
    let mut next = 0;
    while start <= last {
        while with_data.get(next).is_some_and(|&d| d < start) {
            next += 1;
        }
        // Jump over a quiet stretch to the zeros that matter before the next data.
        let next_data = with_data.get(next).copied();
        let last_data = next.checked_sub(1).map(|i| with_data[i]);
        let near_last = last_data.is_some_and(|d| start <= d + after);
        if !near_last {
            let resume = next_data.map_or(last + width, |d| (d - before).max(first));
            if resume > start {
                start = resume;
                continue;
            }
        }
        let (value, items) = value_at(&mut numerators, start).unwrap_or_default();
        // A mean is a ratio to the number of timed requests; a plain count is over 1.
        let denominator = match (denominators.as_mut(), &rate.count) {
            (Some(d), _) => value_at(d, start).map_or(0.0, |(v, _)| v),
            (None, Measure::MeanRequestMs) => items,
            (None, _) => 1.0,
        };
        out.push((
            start,
            Point {
                numerator: value,
                denominator,
                items,
            },
        ));
        start += width;
    }
    out
}

/// The value of the bucket at `start` from measures read in order, those before it
/// passed over.
fn value_at<'a>(values: &mut std::iter::Peekable<impl Iterator<Item = (&'a Micros, &'a (f64, f64))>>, start: Micros) -> Option<(f64, f64)> {
    while values.peek().is_some_and(|(t, _)| **t < start) {
        values.next();
    }
    values.peek().filter(|(t, _)| **t == start).map(|(_, v)| **v)
}

/// The firings of one rate over its points: (first bucket, last hot bucket, ongoing,
/// baseline).
fn firings(rate: &Rate, points: &[(Micros, Point)]) -> Vec<(usize, usize, bool, f64)> {
    let mut found = Vec::new();
    let mut index = 0;
    while index < points.len() {
        // The baseline is what came before a run, fixed for the run: a long outage must
        // not become its own baseline.
        let baseline_from = index.saturating_sub(rate.baseline);
        let before = &points[baseline_from..index];
        let baseline = if before.is_empty() {
            0.0
        } else {
            before.iter().map(|(_, p)| p.value()).sum::<f64>() / before.len() as f64
        };
        // "Stands out" needs something to stand out from: with too little history before
        // it (the first minutes of the logs), a bucket cannot fire a baseline rule.
        let known_baseline = before.len() >= rate.baseline.min(MIN_HISTORY);
        let hot = |p: &Point| {
            p.items >= rate.min_count
                && p.value() >= rate.threshold
                && (rate.over_baseline == 0.0 || (known_baseline && p.value() >= rate.over_baseline * baseline))
        };
        if !hot(&points[index].1) {
            index += 1;
            continue;
        }
        // Confirm: `buckets` hot buckets in a row.
        let run = points[index..].iter().take_while(|(_, p)| hot(p)).count();
        if run < rate.buckets {
            index += run.max(1);
            continue;
        }
        let start = index;
        let mut last_hot = index + run - 1;
        let mut cursor = last_hot + 1;
        let mut quiet = 0;
        while cursor < points.len() && quiet < rate.end_after {
            if hot(&points[cursor].1) {
                last_hot = cursor;
                quiet = 0;
            } else {
                quiet += 1;
            }
            cursor += 1;
        }
        let ongoing = quiet < rate.end_after;
        found.push((start, last_hot, ongoing, baseline));
        index = cursor;
    }
    found
}

/// Episodes of every rate rule in the set; `all_series` is the traffic of every access
/// log together, which the rules not grouped by source read.
pub fn episodes(result: &ScanResult, all_series: &Series, rules: &RuleSet) -> Vec<Episode> {
    let width = result.bucket;
    if width <= 0 {
        return Vec::new();
    }
    let mut groups: Vec<&str> = result.files.iter().map(|f| f.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut out = Vec::new();
    for (index, rule) in rules.rules().iter().enumerate() {
        let Condition::Rate(rate) = &rule.condition else { continue };
        let scopes: Vec<Scope<'_>> = if rate.by_source {
            groups
                .iter()
                .map(|group| Scope {
                    group: group.to_string(),
                    series: result.series.get(*group),
                    tallies: result.hits.get(*group).map(Hits::tallies).into_iter().collect(),
                    spans: covered(result.files.iter().filter(|f| f.group == *group), width),
                    web_spans: covered(
                        result
                            .files
                            .iter()
                            .filter(|f| f.group == *group && result.series.contains_key(&f.group)),
                        width,
                    ),
                })
                .collect()
        } else {
            vec![Scope {
                group: "all sources".into(),
                series: (!all_series.is_empty()).then_some(all_series),
                tallies: result.hits.values().map(Hits::tallies).collect(),
                spans: covered(result.files.iter(), width),
                web_spans: covered(result.files.iter().filter(|f| result.series.contains_key(&f.group)), width),
            }]
        };
        for scope in &scopes {
            out.extend(evaluate(
                RuleIndex::try_from(index).unwrap_or(RuleIndex::MAX),
                rate,
                scope,
                rules,
                width,
                result,
            ));
        }
    }
    out
}

fn evaluate(rule: RuleIndex, rate: &Rate, scope: &Scope<'_>, rules: &RuleSet, width: Micros, result: &ScanResult) -> Vec<Episode> {
    let mut numerator = measure_points(&rate.count, scope.series, &scope.tallies, rules);
    let mut denominator = rate
        .per
        .as_ref()
        .map(|per| measure_points(per, scope.series, &scope.tallies, rules));
    let unit = match (&rate.per, &rate.count) {
        (Some(_), _) => RateUnit::Ratio,
        (None, Measure::MeanRequestMs) => RateUnit::Milliseconds,
        (None, _) => RateUnit::Count,
    };
    let mut episodes = Vec::new();
    let from_series = |m: &Measure| matches!(m, Measure::Requests | Measure::FailedRequests | Measure::MeanRequestMs);
    let on_traffic = from_series(&rate.count) || rate.per.as_ref().is_some_and(from_series);
    let spans = if on_traffic { &scope.web_spans } else { &scope.spans };
    // A share of a quiet source's traffic is read in merged buckets, its baseline over the
    // same time, its stretches of logs joined across gaps shorter than a merged bucket.
    let merge = if on_traffic && rate.per.is_some() {
        merged_buckets(scope.series)
    } else {
        1
    };
    let width = width * merge;
    let joined_spans;
    let spans = if merge > 1 {
        joined_spans = joined(spans.clone(), width);
        &joined_spans
    } else {
        spans
    };
    let merged_rate;
    let rate = if merge > 1 {
        numerator = merged(&numerator, width);
        denominator = denominator.map(|d| merged(&d, width));
        merged_rate = Rate {
            baseline: rate.baseline.div_ceil(crate::num::index_of(merge)),
            ..rate.clone()
        };
        &merged_rate
    } else {
        rate
    };
    for span in spans {
        let points = points(rate, &numerator, denominator.as_ref(), *span, width);
        for (first, last, ongoing, baseline) in firings(rate, &points) {
            let start = points[first].0;
            let end = points[last].0 + width;
            let window = &points[first..=last];
            let (peak_at, peak) = window
                .iter()
                .map(|(t, p)| (*t, p.value()))
                .fold((start, f64::MIN), |best, x| if x.1 > best.1 { x } else { best });
            // The lines behind it: those of the counted rules in the buckets it covers.
            let backing = scope
                .tallies
                .iter()
                .flat_map(|t| t.iter())
                .filter(|((rule, bucket), _)| *bucket >= start && *bucket < end && counts_rule(&rate.count, *rule, rules))
                .map(|(_, tally)| (tally.first, tally.last))
                .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
            let kind = backing.map_or(SourceKind::Web, |(first, _)| result.files[first.file as usize].kind);
            // For a mean, what was counted is the timed requests behind it.
            let count: f64 = window
                .iter()
                .map(|(_, p)| if unit == RateUnit::Milliseconds { p.items } else { p.numerator })
                .sum();
            episodes.push(Episode {
                signal: Signal::Rule(rule),
                category: rules.get(rule).category,
                group: scope.group.clone(),
                kind,
                start,
                end,
                count: crate::num::rounded(count),
                first: backing.map(|(first, _)| Evidence::from(first)),
                last: backing.map(|(_, last)| Evidence::from(last)),
                subject: None,
                rate: Some(RateDetail {
                    peak,
                    peak_at,
                    baseline,
                    unit,
                    ongoing,
                }),
                background: false,
                strength: None,
                first_line: None,
            });
        }
    }
    episodes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traffic(per_minute: &[u64]) -> Series {
        let mut series = Series::new(60_000_000);
        for (i, &requests) in per_minute.iter().enumerate() {
            series.buckets.insert(
                i as Micros * 60_000_000,
                crate::scan::series::Bucket {
                    requests,
                    ..Default::default()
                },
            );
        }
        series
    }

    #[test]
    fn a_quiet_sources_buckets_are_merged_until_a_typical_one_holds_enough() {
        // Busy: read as it is. Quiet (5 a minute): two minutes at a time. Very quiet (one a
        // minute): at most five. A night of empty minutes does not make a busy day quiet.
        assert_eq!(merged_buckets(Some(&traffic(&[60; 30]))), 1);
        assert_eq!(merged_buckets(Some(&traffic(&[10; 30]))), 1);
        assert_eq!(merged_buckets(Some(&traffic(&[5; 30]))), 2);
        assert_eq!(merged_buckets(Some(&traffic(&[1; 30]))), MAX_MERGED);
        let day_and_night: Vec<u64> = [[0u64; 20], [40; 20]].concat();
        assert_eq!(merged_buckets(Some(&traffic(&day_and_night))), 1);
        assert_eq!(merged_buckets(Some(&traffic(&[]))), 1);
        assert_eq!(merged_buckets(None), 1);
    }

    #[test]
    fn merged_buckets_add_up_what_they_hold() {
        let minute = 60_000_000;
        let points: BTreeMap<Micros, (f64, f64)> = [(0, (1.0, 1.0)), (minute, (2.0, 2.0)), (2 * minute, (3.0, 3.0))].into();
        let two = merged(&points, 2 * minute);
        assert_eq!(two.into_iter().collect::<Vec<_>>(), [(0, (3.0, 3.0)), (2 * minute, (3.0, 3.0))]);
    }

    fn rate(threshold: f64, over_baseline: f64, buckets: usize, end_after: usize) -> Rate {
        Rate {
            count: Measure::FailedRequests,
            per: Some(Measure::Requests),
            threshold,
            min_count: 1.0,
            over_baseline,
            baseline: 5,
            buckets,
            end_after,
            by_source: false,
        }
    }

    fn series_of(values: &[f64]) -> Vec<(Micros, Point)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    i as Micros,
                    Point {
                        numerator: *v * 100.0,
                        denominator: 100.0,
                        items: *v * 100.0,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn fires_after_enough_hot_buckets_and_ends_after_quiet_ones() {
        let points = series_of(&[0.01, 0.01, 0.01, 0.01, 0.01, 0.5, 0.6, 0.01, 0.7, 0.01, 0.01, 0.01, 0.01]);
        // Hot at 5, 6, 8; quiet from 9; ends after 3 quiet buckets: one episode 5..=8.
        let found = firings(&rate(0.05, 5.0, 2, 3), &points);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1, found[0].2), (5, 8, false));
        assert!((found[0].3 - 0.01).abs() < 1e-9);
    }

    #[test]
    fn a_single_hot_bucket_is_not_a_spike_when_two_are_required() {
        let points = series_of(&[0.01, 0.01, 0.01, 0.01, 0.01, 0.5, 0.01, 0.01]);
        assert!(firings(&rate(0.05, 5.0, 2, 3), &points).is_empty());
    }

    #[test]
    fn a_high_baseline_hides_a_small_rise() {
        // Always failing 10 %: 12 % is not five times that.
        let points = series_of(&[0.10, 0.10, 0.10, 0.10, 0.10, 0.12, 0.12, 0.12]);
        assert!(firings(&rate(0.05, 5.0, 2, 3), &points).is_empty());
    }

    #[test]
    fn data_ending_while_hot_is_ongoing() {
        let points = series_of(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.4, 0.4, 0.4]);
        assert_eq!(firings(&rate(0.05, 5.0, 2, 3), &points), vec![(5, 7, true, 0.0)]);
    }

    #[test]
    fn without_history_nothing_stands_out() {
        // Steady from the first minute: the start of the logs is not a surge.
        let points = series_of(&[0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]);
        assert!(firings(&rate(0.05, 5.0, 2, 3), &points).is_empty());
        // A rule with no baseline test fires on the threshold alone.
        assert_eq!(firings(&rate(0.05, 0.0, 2, 3), &points), vec![(0, 6, true, 0.0)]);
    }

    /// Every bucket of the span, no stretch cut, counts over 1: the reference the cut
    /// version must match.
    fn dense_points(numerator: &BTreeMap<Micros, (f64, f64)>, span: (Micros, Micros), width: Micros) -> Vec<(Micros, Point)> {
        let mut out = Vec::new();
        let mut start = span.0.div_euclid(width) * width;
        while start <= span.1 {
            let (value, items) = numerator.get(&start).copied().unwrap_or_default();
            out.push((
                start,
                Point {
                    numerator: value,
                    denominator: 1.0,
                    items,
                },
            ));
            start += width;
        }
        out
    }

    /// Firings as (start time, end time, ongoing, baseline), comparable across the two.
    fn timed(points: &[(Micros, Point)], found: Vec<(usize, usize, bool, f64)>) -> Vec<(Micros, Micros, bool, f64)> {
        found
            .into_iter()
            .map(|(a, b, ongoing, baseline)| (points[a].0, points[b].0, ongoing, baseline))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn cutting_quiet_stretches_changes_no_firing(
            hits in proptest::collection::vec((0i64..3000, 1u32..8), 0..40),
            threshold in 1.0f64..4.0,
            over_baseline in 0.0f64..4.0,
            baseline in 1usize..12,
            buckets in 1usize..4,
            end_after in 1usize..5,
        ) {
            let rate = Rate { count: Measure::Requests, per: None, threshold, min_count: 1.0, over_baseline, baseline, buckets, end_after, by_source: false };
            let numerator: BTreeMap<Micros, (f64, f64)> = hits.iter().map(|(t, n)| (*t, (f64::from(*n), f64::from(*n)))).collect();
            let span = (0, 3000);
            let cut = points(&rate, &numerator, None, span, 1);
            let dense = dense_points(&numerator, span, 1);
            proptest::prop_assert_eq!(timed(&cut, firings(&rate, &cut)), timed(&dense, firings(&rate, &dense)));
        }
    }
}
