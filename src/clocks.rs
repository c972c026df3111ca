//! Clocks that disagree between hosts, found and set right between the scan and the
//! timeline.
//!
//! The same failures are logged by the web server, the application and the database,
//! each with its own host's clock. Second by second, the failure lines of a source beat
//! with those of the reference (the access log: what users saw) at the lag by which its
//! clock is off. The lag is the one at which the source's failure lines best match the
//! reference's, where the reference is taken without its slow swell (what is matched is
//! the second-by-second fluctuation and the edges, which only the right lag lines up). A
//! lag is trusted when it stands clearly above every other lag, enough lines line up, and
//! it is larger than logging latency; then the source's times are moved by it, with a
//! note. A lag of whole hours against a log whose zone was assumed is a zone mistake, not
//! a clock: it is named, with the `--tz` that fixes it, and nothing is moved.

use crate::error::Problem;
use crate::scan::pulse::Pulse;
use crate::scan::{ClockFound, ScanResult, ZoneOrigin};
use crate::time::{self, Micros, MICROS_PER_SEC};
use rayon::prelude::*;
use std::ops::RangeInclusive;

/// Clocks drift by seconds to minutes; a larger lag is a zone, looked for on the hour.
const MAX_SKEW_S: i64 = 15 * 60;
/// Zones are up to 14 hours apart.
const MAX_ZONE_HOURS: i64 = 14;
/// Around each whole hour, the lag is looked for this far either side (a zone mistake and
/// a drifting clock together).
const ZONE_SLACK_S: i64 = 120;
/// A failure is logged by web and application within a second or two of each other: the
/// reference is counted over this many seconds either side.
const MATCH_WIDTH_S: i64 = 2;
/// The slow swell of the reference (a whole outage's plateau) is its mean over this many
/// seconds either side; what the lag matches is what stands above it.
const SWELL_S: i64 = 30;
/// At least this many of the source's failure lines line up with the reference's at the
/// lag: fewer could line up by chance.
const MIN_SHARED_LINES: f64 = 20.0;
/// The best lag scores this many times any lag at least [`PEAK_WIDTH_S`] from it: less,
/// and failures that repeat (a job every minute) or a plateau could be matched at several.
const CLEAR_PEAK_RATIO: f64 = 1.5;
const PEAK_WIDTH_S: i64 = 10;
/// The best lag's score stands this many standard deviations above the scores of all the
/// lags tried: of 1,801 lags that match nothing, the best stands about 3.5 above.
const MIN_PEAK_DEVIATIONS: f64 = 6.0;
/// Lags smaller than this are logging latency (a line written when a request ends rather
/// than when it failed), not a clock to set.
const MIN_SKEW_S: i64 = 10;
/// A reference longer than this (in seconds of failures' span) is not aligned: the arrays
/// would be large and clocks over weeks drift anyway.
const MAX_SPAN_S: i64 = 14 * 86_400;

/// What was found of one source's clock.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// Its clock is off by this much: add it to its times. `lines` of its failure lines
    /// lined up with the reference's at that lag.
    Skew { offset_s: i64, lines: u64 },
    /// Its failure lines line up with the reference's whole hours away: the zone its
    /// naive times were read in is likely wrong by that much.
    ZoneMistake { hours: i64, lines: u64 },
    /// Its failures line up best at a lag that does not stand out clearly.
    Unclear { offset_s: i64 },
    /// Its failures line up with the reference's as logged: its clock is right. Said
    /// nowhere; it tells its host's clock (see [`same_host`]).
    OnTime,
    /// Its failure lines come as long before the reference's as the failed requests took
    /// (see [`is_the_wait`]): the access log writes a request when it ends, the source when
    /// the trouble began. A timeout, not a clock.
    Waited { offset_s: i64, waited_s: i64 },
    /// It has no failures of its own to tell its clock by, but it is on a host whose other
    /// logs do (see [`same_host`]): their offset, found from the group named.
    SameHost { offset_s: i64, from: String },
    /// Its clock was found off, but another log of its host was found off by another lag:
    /// one host has one clock, so neither is trusted.
    HostDisagrees { offset_s: i64, other: String, other_offset_s: i64 },
}

/// The host a source's logs come from, as far as the paths say: its directory. Only a
/// layout of one directory a host (`logs/web1/…`, `logs/db1/…`) says so; the reference's
/// own directory, and a flat directory of everything, say nothing of hosts (see
/// [`same_host`]).
fn host_dir(group: &str) -> &str {
    group.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// A host has one clock. Where the clocks of a directory's logs were measured (found off,
/// or on time) and agree (within [`PEAK_WIDTH_S`]), its logs that could not be measured (a
/// syslog with the deploy, an auth log with no failures to match) are moved by as much;
/// where they disagree, none of them is. Only among `hosts` (logs whose directory may be a
/// host: not a container's, shown by a name of its own) and `unmeasured` (logs with too
/// few failures to tell their clock by), and not in the reference's directory, where logs
/// of every host may sit side by side.
fn same_host(findings: &mut Vec<(String, Finding)>, hosts: &[String], unmeasured: &[String], reference_group: &str) {
    let reference_dir = host_dir(reference_group);
    let mut skews: std::collections::BTreeMap<&str, Vec<(String, i64)>> = Default::default();
    for (group, finding) in findings.iter() {
        let offset_s = match finding {
            Finding::Skew { offset_s, .. } => *offset_s,
            Finding::OnTime => 0,
            _ => continue,
        };
        let dir = host_dir(group);
        if dir != reference_dir && hosts.contains(group) {
            skews.entry(dir).or_default().push((group.clone(), offset_s));
        }
    }
    let mut added = Vec::new();
    let mut disagree: Vec<(String, Finding)> = Vec::new();
    for (dir, found) in skews {
        let (low, high) = (
            found.iter().min_by_key(|(g, o)| (*o, g.clone())),
            found.iter().max_by_key(|(g, o)| (*o, std::cmp::Reverse(g.clone()))),
        );
        let (Some(low), Some(high)) = (low, high) else { continue };
        if high.1 - low.1 > PEAK_WIDTH_S {
            for (group, offset_s) in found.iter().filter(|(_, o)| *o != 0) {
                let other = if group == &low.0 { high } else { low };
                disagree.push((
                    group.clone(),
                    Finding::HostDisagrees {
                        offset_s: *offset_s,
                        other: other.0.clone(),
                        other_offset_s: other.1,
                    },
                ));
            }
            continue;
        }
        // The first found (by name) speaks for the host.
        let (from, offset_s) = found.iter().min_by(|a, b| a.0.cmp(&b.0)).cloned().unwrap_or_default();
        if offset_s == 0 {
            continue;
        }
        for group in unmeasured.iter().filter(|g| hosts.contains(g)) {
            let has_own = findings.iter().any(|(g, _)| g == group);
            if host_dir(group) == dir && group != reference_group && !has_own {
                added.push((
                    group.clone(),
                    Finding::SameHost {
                        offset_s,
                        from: from.clone(),
                    },
                ));
            }
        }
    }
    for (group, finding) in disagree {
        if let Some(slot) = findings.iter_mut().find(|(g, _)| *g == group) {
            slot.1 = finding;
        }
    }
    findings.extend(added);
}

/// A lag within this share of how long the failed requests took (or
/// [`WAIT_TOLERANCE_S`], if more) is their wait. Request times are logged to the
/// millisecond and a timeout is a setting: a clock off by just as much is far rarer than a
/// request that waited for its timeout.
const WAIT_TOLERANCE: f64 = 0.1;
const WAIT_TOLERANCE_S: i64 = 2;

/// Whether a lag of `offset_s` (the source's lines earlier than the reference's) is the
/// time the reference's failed requests waited, `waited_s`.
fn is_the_wait(offset_s: i64, waited_s: Option<i64>) -> bool {
    waited_s.is_some_and(|waited| {
        offset_s > 0 && (offset_s - waited).abs() <= WAIT_TOLERANCE_S.max(crate::num::rounded_i64(WAIT_TOLERANCE * waited as f64))
    })
}

/// How long the reference's failed requests took, where its log says: over the minutes
/// with failures, the median of each minute's longest failed request, in seconds (a
/// download that succeeded slowly says nothing of the failures' wait).
fn waited(series: &crate::scan::series::Series) -> Option<i64> {
    let mut longest: Vec<f64> = series
        .buckets
        .values()
        .filter(|b| b.by_class[4] > 0 && b.failed_duration_max_ms > 0.0)
        .map(|b| b.failed_duration_max_ms)
        .collect();
    if longest.is_empty() {
        return None;
    }
    longest.sort_by(f64::total_cmp);
    Some(crate::num::rounded_i64(longest[longest.len() / 2] / 1000.0))
}

/// The reference, prepared: its failure lines per second, where there were any.
///
/// A lag's score is how the source's failure lines match the reference's fluctuation:
/// each source line at a lag counts the reference's failure lines within
/// [`MATCH_WIDTH_S`] of it (`near`), less the mean of those over [`SWELL_S`] either side
/// (its slow swell: a whole outage's plateau matches any lag). Both are box sums of the
/// reference's lines, so a lag's score is a box sum of box sums of how many line pairs
/// lie exactly that far apart ([`Reference::scores`]): counted where the two logs'
/// failures meet, the cost grows with the failures that meet, not with the span times
/// the lags. Every sum is of whole numbers, exact, so the score does not depend on the
/// order it is summed in.
struct Reference {
    /// Each second with failure lines, and how many, in order.
    failures: Vec<(i64, f64)>,
}

impl Reference {
    fn new(pulse: &Pulse) -> Option<Reference> {
        let seconds = pulse.seconds();
        let (first, last) = (seconds.first()?.0, seconds.last()?.0);
        if last - first > MAX_SPAN_S {
            return None;
        }
        let failures = seconds.iter().map(|&(second, n)| (second, f64::from(n))).collect();
        Some(Reference { failures })
    }

    /// The reference's failures from second `from` to `to`.
    fn failures_between(&self, from: i64, to: i64) -> &[(i64, f64)] {
        let first = self.failures.partition_point(|&(s, _)| s < from);
        let last = self.failures.partition_point(|&(s, _)| s <= to);
        &self.failures[first..last.max(first)]
    }

    /// The score of `pulse` at every lag of `lags` (ranges, in their order): for each
    /// lag, `near` less its swell's mean, summed over the pulse's lines (see the type's
    /// notes), as [`Reference::score`] defines it one lag at a time.
    fn scores(&self, pulse: &[(i64, u32)], lags: &[RangeInclusive<i64>]) -> Vec<(i64, f64)> {
        let (width, swell) = (MATCH_WIDTH_S, SWELL_S);
        let window = (2 * swell + 1) as f64;
        let mut scored = Vec::new();
        for range in lags {
            let (lo, hi) = (*range.start(), *range.end());
            // Line pairs this far apart (a reference second less a pulse second), for
            // every distance a lag of the range reaches through both box sums.
            let (from, to) = (lo - width - swell, hi + width + swell);
            let mut pairs = vec![0f64; crate::num::index_of(to - from + 1)];
            // Only the pulse's seconds that reach a reference failure at some distance;
            // the reference's failures within reach of each, found by one sweep of both
            // (the pulse's seconds are in order, and so is the stretch they reach).
            let (Some(first), Some(last)) = (self.failures.first(), self.failures.last()) else {
                continue;
            };
            let reaching = &pulse[pulse.partition_point(|&(s, _)| s < first.0 - to)..pulse.partition_point(|&(s, _)| s <= last.0 - from)];
            let (mut near_from, mut near_to) = (0, 0);
            for &(second, n) in reaching {
                while self.failures.get(near_from).is_some_and(|f| f.0 < second + from) {
                    near_from += 1;
                }
                near_to = near_to.max(near_from);
                while self.failures.get(near_to).is_some_and(|f| f.0 <= second + to) {
                    near_to += 1;
                }
                for &(at, lines) in &self.failures[near_from..near_to] {
                    pairs[crate::num::index_of(at - second - from)] += f64::from(n) * lines;
                }
            }
            // Summed over the match width (`near`), then over the swell.
            let near = box_sums(&pairs, width);
            let swelled = box_sums(&near, swell);
            let at = |sums: &[f64], lag: i64| sums[crate::num::index_of(lag - from)];
            scored.extend((lo..=hi).map(|lag| (lag, (window * at(&near, lag) - at(&swelled, lag)) / window)));
        }
        scored
    }

    /// How many of `pulse`'s lines have a reference failure within [`MATCH_WIDTH_S`] at
    /// `lag`.
    fn shared(&self, pulse: &[(i64, u32)], lag: i64) -> f64 {
        pulse
            .iter()
            .filter(|&&(second, _)| {
                !self
                    .failures_between(second + lag - MATCH_WIDTH_S, second + lag + MATCH_WIDTH_S)
                    .is_empty()
            })
            .map(|&(_, n)| f64::from(n))
            .sum()
    }

    /// How well `pulse` matches at `lag` (seconds added to its times): the definition
    /// [`Reference::scores`] computes for many lags at once, and the tests check it
    /// against. Each line counts the reference's lines near it, less the mean of those
    /// counts over the swell around it.
    #[cfg(test)]
    fn score(&self, pulse: &[(i64, u32)], lag: i64) -> f64 {
        let (width, swell) = (MATCH_WIDTH_S, SWELL_S);
        let window = (2 * swell + 1) as f64;
        let mut score = 0.0;
        for &(second, n) in pulse {
            let t = second + lag;
            let near: f64 = self.failures_between(t - width, t + width).iter().map(|f| f.1).sum();
            // A reference line `d` seconds from `t` is near as many of the swell's seconds
            // as lie within the match width of it.
            let swelled: f64 = self
                .failures_between(t - width - swell, t + width + swell)
                .iter()
                .map(|&(at, lines)| {
                    let d = at - t;
                    lines * ((d + width).min(swell) - (d - width).max(-swell) + 1).max(0) as f64
                })
                .sum();
            score += f64::from(n) * (window * near - swelled);
        }
        score / window
    }
}

/// Each value summed with its `radius` neighbours either side, those beyond the ends
/// taken as zeros.
fn box_sums(values: &[f64], radius: i64) -> Vec<f64> {
    let radius = crate::num::index_of(radius);
    let mut prefix = Vec::with_capacity(values.len() + 1);
    prefix.push(0.0);
    for v in values {
        prefix.push(prefix.last().unwrap_or(&0.0) + v);
    }
    (0..values.len())
        .map(|i| prefix[(i + radius + 1).min(values.len())] - prefix[i.saturating_sub(radius)])
        .collect()
}

/// How the lags tried scored: the best, and how it stands against the others.
struct Peak {
    lag: i64,
    score: f64,
    /// Lines of the source with a reference failure near at the best lag.
    shared: f64,
    /// The best score of the lags at least [`PEAK_WIDTH_S`] from it.
    runner_up: f64,
    /// How many standard deviations the best score stands above the mean of all.
    deviations: f64,
}

impl Peak {
    /// Whether the peak stands out from chance at all.
    fn stands_out(&self) -> bool {
        self.score > 0.0 && self.deviations >= MIN_PEAK_DEVIATIONS && self.shared >= MIN_SHARED_LINES
    }

    /// Whether it stands out from every other lag too: one lag, not several.
    fn is_clear(&self) -> bool {
        self.score >= CLEAR_PEAK_RATIO * self.runner_up.max(0.0)
    }
}

/// The best lag among `lags`. Ties go to the smaller lag, so the result does not depend
/// on the order of anything.
fn best_lag(reference: &Reference, pulse: &[(i64, u32)], lags: &[RangeInclusive<i64>]) -> Option<Peak> {
    let scored = reference.scores(pulse, lags);
    let &(lag, score) = scored
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.abs().cmp(&a.0.abs())).then(b.0.cmp(&a.0)))?;
    let shared = reference.shared(pulse, lag);
    let runner_up = scored
        .iter()
        .filter(|(other, _)| (other - lag).abs() >= PEAK_WIDTH_S)
        .map(|(_, s)| *s)
        .fold(f64::NEG_INFINITY, f64::max);
    let n = scored.len() as f64;
    let mean = scored.iter().map(|s| s.1).sum::<f64>() / n;
    let spread = (scored.iter().map(|s| (s.1 - mean).powi(2)).sum::<f64>() / n).sqrt();
    let deviations = if spread > 0.0 { (score - mean) / spread } else { 0.0 };
    Some(Peak {
        lag,
        score,
        shared,
        runner_up,
        deviations,
    })
}

/// What the failure lines of `pulse` say of its clock against `reference`; `None` when
/// they say nothing (too few, or no lag stands out). `zone_assumed`: its naive times were
/// read in a zone nobody stated, so whole hours are looked at too.
fn find(reference: &Reference, pulse: &Pulse, zone_assumed: bool) -> Option<Finding> {
    if (pulse.lines() as f64) < MIN_SHARED_LINES {
        return None;
    }
    let peak = best_lag(reference, pulse.seconds(), &[-MAX_SKEW_S..=MAX_SKEW_S])?;
    if zone_assumed {
        let hours: Vec<RangeInclusive<i64>> = (-MAX_ZONE_HOURS..=MAX_ZONE_HOURS)
            .filter(|h| *h != 0)
            .map(|h| (h * 3600 - ZONE_SLACK_S)..=(h * 3600 + ZONE_SLACK_S))
            .collect();
        if let Some(hour) = best_lag(reference, pulse.seconds(), &hours) {
            if hour.stands_out() && hour.score >= CLEAR_PEAK_RATIO * peak.score.max(0.0) {
                return Some(Finding::ZoneMistake {
                    hours: crate::num::rounded_i64(hour.lag as f64 / 3600.0),
                    lines: crate::num::rounded(hour.shared),
                });
            }
        }
    }
    if !peak.stands_out() {
        return None;
    }
    if peak.lag.abs() < MIN_SKEW_S {
        return Some(Finding::OnTime);
    }
    if !peak.is_clear() {
        return Some(Finding::Unclear { offset_s: peak.lag });
    }
    Some(Finding::Skew {
        offset_s: peak.lag,
        lines: crate::num::rounded(peak.shared),
    })
}

/// Finds each source's clock against the reference and, when `correct`, moves the
/// sources whose clock is clearly off. Sets `clock` on their files and adds a note
/// for each finding to the problems.
pub fn align(result: &mut ScanResult, correct: bool) {
    // The reference: the access log with the most failure lines (what users saw), else
    // the log with the most failure lines among those whose lines carry their zone.
    let carries_zone = |group: &str| result.files.iter().any(|f| f.group == group && f.zone.origin == ZoneOrigin::Lines);
    let candidates = |web: bool| {
        result
            .pulses
            .iter()
            .filter(|(group, _)| result.series.contains_key(*group) == web && (web || carries_zone(group)))
            .max_by(|a, b| a.1.lines().cmp(&b.1.lines()).then(b.0.cmp(a.0)))
            .map(|(group, _)| group.clone())
    };
    let Some(reference_group) = candidates(true).or_else(|| candidates(false)) else {
        return;
    };
    let Some(reference) = Reference::new(&result.pulses[&reference_group]) else {
        return;
    };
    let reference_name = display_of(result, &reference_group);
    let reference_waited = result.series.get(&reference_group).and_then(waited);

    // Each source against the reference, on every core; in the sources' order.
    let others: Vec<(&String, &Pulse)> = result.pulses.iter().filter(|(group, _)| **group != reference_group).collect();
    let mut findings: Vec<(String, Finding)> = others
        .par_iter()
        .filter_map(|&(group, pulse)| {
            let zone_assumed = result.files.iter().any(|f| f.group == *group && f.zone.assumed());
            let finding = match find(&reference, pulse, zone_assumed)? {
                Finding::Skew { offset_s, .. } if is_the_wait(offset_s, reference_waited) => Finding::Waited {
                    offset_s,
                    waited_s: reference_waited.unwrap_or_default(),
                },
                other => other,
            };
            Some((group.clone(), finding))
        })
        .collect();
    // Logs whose directory may be a host's, and those whose clock could not be measured.
    let mut hosts: Vec<String> = result.files.iter().filter(|f| f.path.is_none()).map(|f| f.group.clone()).collect();
    hosts.sort();
    hosts.dedup();
    let unmeasured: Vec<String> = hosts
        .iter()
        .filter(|g| result.pulses.get(*g).is_none_or(|p| (p.lines() as f64) < MIN_SHARED_LINES))
        .cloned()
        .collect();
    same_host(&mut findings, &hosts, &unmeasured, &reference_group);
    for (group, finding) in findings {
        let name = display_of(result, &group);
        let moved_by = match &finding {
            Finding::Skew { offset_s, .. } | Finding::SameHost { offset_s, .. } => Some(*offset_s),
            _ => None,
        };
        if let Some(offset_s) = moved_by {
            let delta = offset_s * MICROS_PER_SEC;
            for file in result.files.iter_mut().filter(|f| f.group == group) {
                file.clock = Some(ClockFound {
                    offset: delta,
                    reference: reference_name.clone(),
                    moved: correct,
                });
            }
            if correct {
                shift_group(result, &group, delta);
            }
        }
        let how = if correct {
            "its times are moved so (--no-skew leaves them as logged)"
        } else {
            "left as logged (--no-skew)"
        };
        let note = match finding {
            // Nothing to say of a clock that is right.
            Finding::OnTime => continue,
            Finding::SameHost { offset_s, from } => format!(
                "it is in the directory of {}, whose clock runs {} {} {reference_name}'s: one host, one clock; {how}",
                display_of(result, &from),
                minutes_and_seconds(offset_s.abs()),
                if offset_s > 0 { "behind" } else { "ahead of" },
            ),
            Finding::HostDisagrees {
                offset_s,
                other,
                other_offset_s,
            } => format!(
                "its failure lines line up with {reference_name}'s when moved by {offset_s:+} s, but those of {} in its directory when moved by {other_offset_s:+} s: one host has one clock, so it cannot be told, and its times are left as logged",
                display_of(result, &other)
            ),
            Finding::Skew { offset_s, lines } => format!(
                "its clock runs {} {} {reference_name}'s: {lines} of its failure lines line up with those of {reference_name} when moved by {offset_s:+} s; {how}",
                minutes_and_seconds(offset_s.abs()),
                if offset_s > 0 { "behind" } else { "ahead of" },
            ),
            Finding::ZoneMistake { hours, lines } => {
                let zone = result
                    .files
                    .iter()
                    .find(|f| f.group == group)
                    .map(|f| f.zone.zone.clone())
                    .unwrap_or_default();
                let fixed = zone
                    .parse::<time::Zone>()
                    .ok()
                    .map(|z| {
                        let first = result.files.iter().find(|f| f.group == group).and_then(|f| f.first).unwrap_or(0);
                        time::format_offset(z.offset_at(first) - i32::try_from(hours * 3600).unwrap_or(0), true)
                    })
                    .unwrap_or_default();
                format!(
                    "its failure lines line up with {reference_name}'s {} h away ({lines} lines): its times are likely not in {zone}; if they are in {fixed}, give --tz '{}={fixed}'. Left as read",
                    hours.abs(),
                    name.rsplit('/').next().unwrap_or(&name)
                )
            }
            Finding::Waited { offset_s, waited_s } => format!(
                "its failure lines come {offset_s} s before {reference_name}'s, as long as the failed requests there took (about {waited_s} s): {reference_name} writes a request when it ends, so this is their wait (a timeout), not a clock; its times are left as logged"
            ),
            Finding::Unclear { offset_s } => format!(
                "its failure lines match {reference_name}'s best when moved by {offset_s:+} s, but not clearly better than at other lags (failures that repeat?): its clock cannot be told, and its times are left as logged"
            ),
        };
        result.problems.push(Problem::note(name, note));
    }
}

/// `4 min 12 s`, `45 s`: a clock offset to the second.
fn minutes_and_seconds(seconds: i64) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// The file a source group is named by in notes: its first file.
fn display_of(result: &ScanResult, group: &str) -> String {
    result
        .files
        .iter()
        .find(|f| f.group == group)
        .map_or_else(|| group.to_string(), |f| f.display.clone())
}

/// Moves every time of a source group by `delta`.
fn shift_group(result: &mut ScanResult, group: &str, delta: Micros) {
    if let Some(hits) = result.hits.get_mut(group) {
        hits.shift(delta);
        hits.compact();
    }
    if let Some(templates) = result.templates.get_mut(group) {
        templates.shift(delta);
    }
    if let Some(series) = result.series.get_mut(group) {
        series.shift(delta);
    }
    if let Some(fields) = result.app_fields.get_mut(group) {
        fields.shift(delta);
    }
    if let Some(pulse) = result.pulses.get_mut(group) {
        pulse.shift(delta / MICROS_PER_SEC);
    }
    let files: Vec<u32> = (0..crate::num::file_index(result.files.len()))
        .filter(|&i| result.files[i as usize].group == group)
        .collect();
    for &i in &files {
        let file = &mut result.files[i as usize];
        file.first = file.first.map(|t| t + delta);
        file.last = file.last.map(|t| t + delta);
    }
    if !result.events.is_empty() {
        for event in result.events.iter_mut().filter(|e| files.contains(&e.file)) {
            event.time += delta;
        }
        result.events.sort_by_key(|e| (e.time, e.file, e.offset));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pulse from `(second, lines)`.
    fn pulse(seconds: &[(i64, u32)]) -> Pulse {
        let mut p = Pulse::default();
        for &(s, n) in seconds {
            for _ in 0..n {
                p.add(s * MICROS_PER_SEC);
            }
        }
        p.finish();
        p
    }

    /// A deterministic scatter of failures: about one second in three over `len` seconds
    /// from `start`, 1 to 3 lines each.
    fn failures(start: i64, len: i64, seed: u64) -> Vec<(i64, u32)> {
        let mut state = seed;
        (start..start + len)
            .filter_map(|s| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let draw = (state >> 33) % 9;
                (draw < 3).then_some((s, draw as u32 + 1))
            })
            .collect()
    }

    fn moved(seconds: &[(i64, u32)], by: i64) -> Vec<(i64, u32)> {
        seconds.iter().map(|&(s, n)| (s + by, n)).collect()
    }

    fn reference(seconds: &[(i64, u32)]) -> Reference {
        Reference::new(&pulse(seconds)).unwrap()
    }

    proptest::proptest! {
        /// Every lag's score, found from the line pairs where failures meet, is the score
        /// of that lag alone, to the bit; the best lag is then the exhaustive search's.
        #[test]
        fn scores_where_failures_meet_are_the_scores_of_every_lag(
            reference_seconds in proptest::collection::btree_map(0i64..4_000, 1u32..4, 1..120),
            source_seconds in proptest::collection::btree_map(-2_000i64..6_000, 1u32..4, 0..120),
            ranges in proptest::collection::vec((-3_000i64..3_000, 0i64..400), 1..4),
        ) {
            let reference = Reference::new(&pulse(&reference_seconds.into_iter().collect::<Vec<_>>())).unwrap();
            let source: Vec<(i64, u32)> = source_seconds.into_iter().collect();
            let lags: Vec<RangeInclusive<i64>> = ranges.iter().map(|&(lo, len)| lo..=lo + len).collect();
            let one_by_one: Vec<(i64, f64)> = lags.iter().flat_map(|r| r.clone()).map(|lag| (lag, reference.score(&source, lag))).collect();
            let at_once = reference.scores(&source, &lags);
            proptest::prop_assert_eq!(at_once.len(), one_by_one.len());
            for (a, b) in at_once.iter().zip(&one_by_one) {
                proptest::prop_assert!(a.0 == b.0 && a.1.to_bits() == b.1.to_bits(), "{a:?} against {b:?}");
            }
        }
    }

    #[test]
    fn a_clock_four_minutes_slow_is_found_to_the_second() {
        let web = failures(100_000, 1_200, 7);
        // The application logs the same failures, its clock 240 s behind.
        let app = pulse(&moved(&web, -240));
        let found = find(&reference(&web), &app, false);
        assert!(matches!(found, Some(Finding::Skew { offset_s: 240, .. })), "{found:?}");
    }

    fn skew(offset_s: i64) -> Finding {
        Finding::Skew { offset_s, lines: 100 }
    }

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_hosts_other_logs_follow_the_clock_its_failing_logs_agree_on() {
        let all = groups(&[
            "logs/web1/access.log",
            "logs/app2/basket.log",
            "logs/app2/syslog",
            "logs/app2/auth.log",
            "logs/db1/mysql.log",
        ]);
        let unmeasured = groups(&["logs/app2/syslog", "logs/app2/auth.log", "logs/db1/mysql.log"]);
        let mut findings = vec![("logs/app2/basket.log".to_string(), skew(250))];
        same_host(&mut findings, &all, &unmeasured, "logs/web1/access.log");
        let followed: Vec<(&str, &Finding)> = findings.iter().map(|(g, f)| (g.as_str(), f)).collect();
        assert_eq!(followed.len(), 3, "{followed:?}");
        for (group, finding) in &followed[1..] {
            assert!(group.starts_with("logs/app2/"));
            assert_eq!(
                **finding,
                Finding::SameHost {
                    offset_s: 250,
                    from: "logs/app2/basket.log".into()
                }
            );
        }
    }

    #[test]
    fn logs_of_one_host_that_disagree_move_nothing_and_a_flat_directory_says_no_host() {
        let all = groups(&[
            "logs/web1/access.log",
            "logs/app2/basket.log",
            "logs/app2/stock.log",
            "logs/app2/syslog",
        ]);
        let unmeasured = groups(&["logs/app2/syslog"]);
        let mut findings = vec![
            ("logs/app2/basket.log".to_string(), skew(250)),
            ("logs/app2/stock.log".to_string(), skew(-60)),
        ];
        same_host(&mut findings, &all, &unmeasured, "logs/web1/access.log");
        assert_eq!(findings.len(), 2);
        assert!(
            findings.iter().all(|(_, f)| matches!(f, Finding::HostDisagrees { .. })),
            "{findings:?}"
        );
        // A sibling measured on time disagrees as much: the skewed one is not moved either.
        let mut findings = vec![
            ("logs/app2/basket.log".to_string(), skew(250)),
            ("logs/app2/stock.log".to_string(), Finding::OnTime),
        ];
        same_host(&mut findings, &all, &unmeasured, "logs/web1/access.log");
        assert!(
            matches!(findings[0].1, Finding::HostDisagrees { other_offset_s: 0, .. }),
            "{findings:?}"
        );
        assert_eq!(findings[1].1, Finding::OnTime);
        assert_eq!(findings.len(), 2, "the syslog follows no one: {findings:?}");
        // Close enough to agree: both kept, and the syslog follows.
        let mut findings = vec![
            ("logs/app2/basket.log".to_string(), skew(250)),
            ("logs/app2/stock.log".to_string(), skew(246)),
        ];
        same_host(&mut findings, &all, &unmeasured, "logs/web1/access.log");
        assert_eq!(findings.len(), 3);
        // A log that was measured is never moved by its neighbours', even with none of its own.
        let mut findings = vec![("logs/app2/basket.log".to_string(), skew(250))];
        same_host(&mut findings, &all, &[], "logs/web1/access.log");
        assert_eq!(findings.len(), 1);
        // Everything in the reference's directory: nothing follows.
        let flat = groups(&["logs/access.log", "logs/basket.log", "logs/syslog"]);
        let mut findings = vec![("logs/basket.log".to_string(), skew(250))];
        same_host(&mut findings, &flat, &groups(&["logs/syslog"]), "logs/access.log");
        assert_eq!(findings.len(), 1);
        // Containers named by their runtime (not among `hosts`): their folder is no host.
        let pods = groups(&["logs/web1/access.log", "pods/shop/web-1.app.log", "pods/shop/web-2.app.log"]);
        let mut findings = vec![("pods/shop/web-1.app.log".to_string(), skew(250))];
        same_host(&mut findings, &pods[..1], &pods[2..], "logs/web1/access.log");
        assert_eq!(findings.len(), 1);
    }

    #[test]
    fn a_lag_as_long_as_the_failed_requests_took_is_their_wait() {
        // The requests that failed took 30 s (a timeout); the source's lines come 30 s
        // before the access log's: the wait.
        assert!(is_the_wait(30, Some(30)));
        assert!(is_the_wait(31, Some(30)) && is_the_wait(62, Some(60)));
        // A clock off by 4 minutes while requests took 30 s; the source later than the
        // access log; or no request times in the access log: a clock.
        assert!(!is_the_wait(240, Some(30)));
        assert!(!is_the_wait(-30, Some(30)));
        assert!(!is_the_wait(30, None));
        assert!(!is_the_wait(40, Some(30)));
    }

    #[test]
    fn a_source_on_time_is_left_alone() {
        let web = failures(100_000, 1_200, 7);
        // The same failures a second later (written when the request ended): latency.
        let app = pulse(&moved(&web, 1));
        assert_eq!(find(&reference(&web), &app, false), Some(Finding::OnTime));
        assert_eq!(find(&reference(&web), &pulse(&web), false), Some(Finding::OnTime));
    }

    #[test]
    fn a_plateau_is_aligned_by_its_edges() {
        // Every second failing for twenty minutes, evenly: only the start and the end say
        // where the lag is.
        let web: Vec<(i64, u32)> = (100_000..101_200).map(|s| (s, 2)).collect();
        let app = pulse(&moved(&web, -90));
        let found = find(&reference(&web), &app, false);
        assert!(
            matches!(found, Some(Finding::Skew { offset_s, .. }) if (offset_s - 90).abs() <= 3),
            "{found:?}"
        );
    }

    #[test]
    fn unrelated_failures_say_nothing() {
        // Decoy: the application fails on its own, at other times, as often.
        let web = failures(100_000, 1_200, 7);
        let app = pulse(&failures(100_000, 1_200, 99));
        let found = find(&reference(&web), &app, false);
        assert!(!matches!(found, Some(Finding::Skew { .. })), "{found:?}");
    }

    #[test]
    fn failures_that_repeat_cannot_tell_a_lag() {
        // Decoy: a job failing at the top of every minute, on both hosts: 60 s, 120 s …
        // line up as well as the true lag.
        let web: Vec<(i64, u32)> = (0..20).map(|m| (100_020 + m * 60, 5)).collect();
        let app = pulse(&moved(&web, -60));
        let found = find(&reference(&web), &app, false);
        assert!(!matches!(found, Some(Finding::Skew { .. })), "{found:?}");
    }

    #[test]
    fn too_few_lines_say_nothing() {
        let web = failures(100_000, 1_200, 7);
        let app = pulse(&moved(&web[..10], -240));
        assert_eq!(find(&reference(&web), &app, false), None);
    }

    #[test]
    fn whole_hours_against_an_assumed_zone_are_a_zone_mistake() {
        let web = failures(100_000, 1_200, 7);
        // Naive times read as UTC that were written at -05:00: five hours early.
        let app = pulse(&moved(&web, -5 * 3600));
        let found = find(&reference(&web), &app, true);
        assert!(matches!(found, Some(Finding::ZoneMistake { hours: 5, .. })), "{found:?}");
        // A zone the lines carry is not second-guessed.
        assert!(!matches!(find(&reference(&web), &app, false), Some(Finding::ZoneMistake { .. })));
    }
}
