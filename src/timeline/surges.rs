//! Surges of traffic that one actor made: one user agent, client, network, referring
//! site or host whose requests rose to make most of a rise in the traffic, where the
//! traffic-surge rule (threefold) did not fire. A crawler that doubles a shop's requests
//! fills its workers as surely as a sale does; told as a surge like any other, it is a
//! trigger candidate for the analysis, weighed against the changes before it.
//!
//! Found by sliding a short window ([`JUDGED_OVER`]) over the traffic's field ranges.
//! Where requests a minute rose [`SURGE_RATIO`] times over the hour before, the contrast
//! of [`super::contrast`] says whether one value made most of the rise. If one did, the
//! surge is dated from the first range where that value's requests passed halfway from
//! their level before to their level during, and runs while they stay above it; it is
//! kept when the contrast of its whole stretch with the hour before its start still
//! names that value.

use super::contrast::{contrast, Finding, CONTRAST_BASELINE, SURGE_RATIO};
use super::{Episode, RateDetail, RateUnit, SourceTraffic};
use crate::format::SourceKind;
use crate::rules::Category;
use crate::scan::hits::{Signal, Subject};
use crate::scan::series::Series;
use crate::time::Micros;
use std::collections::BTreeMap;

const MINUTE: Micros = 60 * 1_000_000;

/// A rise is judged over this long (or one field range, where ranges are wider): a
/// minute's jitter (a burst of retries, a page of assets) averages out. Its start is then
/// dated to the bucket.
pub const JUDGED_OVER: Micros = 5 * MINUTE;
/// A surge has at least this many requests a minute: what the traffic-surge rule asks;
/// below it, a small site's doubling is a handful of requests.
pub const MIN_SURGE_RATE: f64 = 30.0;
/// A surge lasts at least this long: a client's burst of a minute (a retry storm, a page
/// of assets fetched at once) is a blip, and fills no pool that stays full.
pub const MIN_SURGE_LENGTH: Micros = 3 * MINUTE;
/// The logs cover at least this much of the hour before: their first minutes have no
/// "before" to rise from.
pub const MIN_BASELINE: Micros = 15 * MINUTE;

/// The surges one value made, in time order, other than those a traffic-surge rule
/// told already (`told`: the timeline's episodes so far).
pub fn episodes(traffic: &Series, sources: &BTreeMap<String, SourceTraffic>, told: &[Episode]) -> Vec<Episode> {
    let (Some((&first, _)), Some((&last, _))) = (traffic.buckets.first_key_value(), traffic.buckets.last_key_value()) else {
        return Vec::new();
    };
    let logs_end = last + traffic.width;
    let range = traffic.field_width();
    let judged_over = JUDGED_OVER.max(range);
    let rate = |from: Micros, to: Micros| {
        let from = from.max(first);
        let requests: u64 = traffic.buckets.range(from..to).map(|(_, b)| b.requests).sum();
        requests as f64 / ((to - from).max(1) as f64 / MINUTE as f64)
    };
    let mut found = Vec::new();
    let mut at = traffic.field_start(first + MIN_BASELINE + range - 1);
    while at + judged_over <= logs_end {
        let (before, during) = (rate(at - CONTRAST_BASELINE, at), rate(at, at + judged_over));
        if during < MIN_SURGE_RATE || before <= 0.0 || during < SURGE_RATIO * before {
            at += range;
            continue;
        }
        let Some(surge) = surge_at(traffic, sources, (at, at + judged_over), logs_end) else {
            at += range;
            continue;
        };
        let already_told = told
            .iter()
            .any(|e| e.category == Category::TrafficSurge && e.start < surge.end && surge.start < e.end);
        at = surge.end.max(at + range);
        if !already_told {
            found.push(surge);
        }
    }
    found
}

/// The surge one value made that the window `[start, end)` shows, if one did: dated
/// from its onset, confirmed over its whole stretch.
fn surge_at(
    traffic: &Series,
    sources: &BTreeMap<String, SourceTraffic>,
    (start, end): (Micros, Micros),
    logs_end: Micros,
) -> Option<Episode> {
    let seen = contrast(traffic, sources, (start, end), (start - CONTRAST_BASELINE, start))?;
    let finding = seen.surge.first()?;
    let index = finding.field.summary_index()?;
    let range = traffic.field_width();
    // The value's requests in the field range that starts at `r` (none where it was not
    // among the range's most counted).
    let count_at = |r: Micros| -> f64 {
        traffic
            .buckets
            .range(r..r + range)
            .find_map(|(_, b)| b.fields.as_deref())
            .and_then(|f| f.requests[index].get(finding.hash))
            .map_or(0.0, |v| v.count as f64)
    };
    let mean = |from: Micros, to: Micros| {
        let ranges: Vec<Micros> = (from..to).step_by(crate::num::index_of(range)).collect();
        ranges.iter().map(|&r| count_at(r)).sum::<f64>() / ranges.len().max(1) as f64
    };
    let covered_from = traffic.field_start(seen.baseline.0 + range - 1);
    let halfway = (mean(covered_from, start) + mean(start, end)) / 2.0;
    let onset = (start..end)
        .step_by(crate::num::index_of(range))
        .find(|&r| count_at(r) >= halfway)?;
    let mut until = onset;
    while until < logs_end && count_at(until) >= halfway {
        until += range;
    }
    let until = until.min(logs_end);
    // Two ranges at least where a range is wide (a week's are 16 minutes): one range's
    // burst is a blip however wide the range.
    if until - onset < MIN_SURGE_LENGTH.max(2 * range) {
        return None;
    }
    // The whole stretch against the hour before it began: the same value, or none.
    let whole = contrast(traffic, sources, (onset, until), (onset - CONTRAST_BASELINE, onset))?;
    let confirmed = whole.surge.iter().find(|f| f.field == finding.field && f.hash == finding.hash)?;
    let start = onset_within(traffic, &whole, (onset, until));
    Some(episode(traffic, &whole, confirmed, (start, until), logs_end))
}

/// Where in its first field range the surge began, to the bucket: the first whose
/// requests passed halfway from the rate before to the rate during (a range is a minute
/// up to 17 hours of logs; a week's are 16 minutes).
fn onset_within(traffic: &Series, whole: &super::contrast::Contrast, (onset, until): (Micros, Micros)) -> Micros {
    let buckets = |from: Micros, to: Micros| ((to - from).max(traffic.width) / traffic.width) as f64;
    let before = whole.requests_before as f64 / buckets(whole.baseline.0, whole.baseline.1);
    let during = whole.requests_during as f64 / buckets(onset, until);
    let halfway = (before + during) / 2.0;
    traffic
        .buckets
        .range(onset..onset + traffic.field_width())
        .find(|(_, b)| b.requests as f64 >= halfway)
        .map_or(onset, |(&t, _)| t)
}

/// The surge as an episode: its stretch, the value that made it, its first request
/// counted, and the traffic's peak against the hour before.
fn episode(
    traffic: &Series,
    whole: &super::contrast::Contrast,
    finding: &Finding,
    (start, end): (Micros, Micros),
    logs_end: Micros,
) -> Episode {
    let (peak_at, peak) = traffic
        .buckets
        .range(start..end)
        .map(|(t, b)| (*t, b.requests))
        .fold((start, 0), |best, x| if x.1 > best.1 { x } else { best });
    let per_minute = MINUTE as f64 / traffic.width as f64;
    let baseline_minutes = (whole.baseline.1 - whole.baseline.0).max(MINUTE) as f64 / MINUTE as f64;
    Episode {
        signal: Signal::Surge,
        category: Category::TrafficSurge,
        group: "all sources".into(),
        kind: SourceKind::Web,
        start,
        end,
        count: finding.count,
        first: Some(finding.evidence),
        last: None,
        subject: Some(Subject {
            field: finding.field.name().into(),
            value: finding.value.clone(),
        }),
        rate: Some(RateDetail {
            peak: peak as f64 * per_minute,
            peak_at,
            baseline: whole.requests_before as f64 / baseline_minutes,
            unit: RateUnit::Count,
            ongoing: end >= logs_end,
        }),
        background: false,
        strength: None,
        first_line: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Request;

    /// Three hours of traffic; `shape(minute, n)` gives the n-th request of a minute its
    /// client, or none.
    fn series_of(per_minute: usize, shape: impl Fn(i64, usize) -> Option<String>) -> Series {
        let mut series = Series::new(MINUTE);
        for minute in 0..180 {
            for n in 0..per_minute {
                if let Some(client) = shape(minute, n) {
                    let request = Request::borrowed(client.as_bytes(), (b"GET", b"/"), 200, None, b"");
                    series.add(minute * MINUTE + n as i64, &request);
                }
            }
        }
        series
    }

    fn surges_in(per_minute: usize, shape: impl Fn(i64, usize) -> Option<String>) -> Vec<Episode> {
        episodes(&series_of(per_minute, shape), &BTreeMap::new(), &[])
    }

    /// One client adds 70 requests a minute to the shoppers' 60 from minute 100 to 140.
    fn crawler(m: i64, n: usize) -> Option<String> {
        match n {
            60.. if (100..140).contains(&m) => Some("192.0.2.77".into()),
            _ => shopper(n),
        }
    }

    /// 60 requests a minute from forty shoppers.
    fn shopper(n: usize) -> Option<String> {
        (n < 60).then(|| format!("198.51.100.{}", n % 40))
    }

    #[test]
    fn a_client_that_doubles_the_traffic_is_a_surge_from_when_it_began() {
        let found = surges_in(130, crawler);
        assert_eq!(found.len(), 1, "{found:?}");
        let surge = &found[0];
        assert_eq!((surge.start, surge.end), (100 * MINUTE, 140 * MINUTE));
        let who = surge.subject.as_ref().unwrap();
        assert_eq!((who.field.as_str(), who.value.as_str()), ("client", "192.0.2.77"));
        let rate = surge.rate.unwrap();
        assert!(rate.peak >= 129.0 && (rate.baseline - 60.0).abs() < 1.0, "{rate:?}");
        assert_eq!((surge.category, surge.signal), (Category::TrafficSurge, Signal::Surge));
    }

    #[test]
    fn a_sale_that_every_client_joins_is_no_surge_of_one() {
        // Everyone comes back three times as often: the rule's surge, nobody's own.
        let found = surges_in(180, |m, n| {
            let shown = if (100..140).contains(&m) { 180 } else { 60 };
            (n < shown).then(|| format!("198.51.100.{}", n % 40))
        });
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_minute_long_burst_is_a_blip() {
        // One client's retry storm: 300 requests in one minute.
        let found = surges_in(360, |m, n| match n {
            60.. if m == 100 => Some("192.0.2.77".into()),
            _ => shopper(n),
        });
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_share_that_rises_while_the_traffic_does_not_is_no_surge() {
        // One client takes over half the requests, the total unchanged.
        let found = surges_in(60, |m, n| {
            if (100..140).contains(&m) && n < 30 {
                Some("192.0.2.77".into())
            } else {
                shopper(n)
            }
        });
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_small_site_doubling_is_not_counted_and_a_log_that_starts_surging_has_no_before() {
        // Ten requests a minute become twenty: a handful.
        let small = surges_in(20, |m, n| match n {
            10.. if (100..140).contains(&m) => Some("192.0.2.77".into()),
            10.. => None,
            _ => shopper(n),
        });
        assert!(small.is_empty(), "{small:?}");
        // The crawler is there from the first minute: nothing to rise from.
        let from_start = surges_in(130, |m, n| match n {
            60.. if m < 40 => Some("192.0.2.77".into()),
            _ => shopper(n),
        });
        assert!(from_start.is_empty(), "{from_start:?}");
    }

    #[test]
    fn over_days_a_burst_is_still_a_blip_and_a_surge_is_dated_to_its_minute() {
        // Two and a half days: the field ranges are four minutes wide. A client's burst of
        // one minute, and later a crawler from minute 3,002 to 3,042.
        let mut series = Series::new(MINUTE);
        for minute in 0..3600 {
            let extra = match minute {
                1500 => 300,
                3002..3042 => 70,
                _ => 0,
            };
            for n in 0..60 + extra {
                let client = shopper(n).unwrap_or_else(|| "192.0.2.77".into());
                let request = Request::borrowed(client.as_bytes(), (b"GET", b"/"), 200, None, b"");
                series.add(minute * MINUTE + n as i64, &request);
            }
        }
        assert_eq!(series.field_width(), 4 * MINUTE);
        let found = episodes(&series, &BTreeMap::new(), &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].start, found[0].end), (3002 * MINUTE, 3044 * MINUTE));
    }

    #[test]
    fn a_surge_a_rule_told_already_is_not_told_again() {
        let series = series_of(130, crawler);
        let mut told = Episode::said(Category::TrafficSurge, SourceKind::Web, "all sources", "");
        (told.start, told.end) = (101 * MINUTE, 139 * MINUTE);
        assert!(episodes(&series, &BTreeMap::new(), &[told]).is_empty());
        assert_eq!(episodes(&series, &BTreeMap::new(), &[]).len(), 1);
    }
}
