//! What changed in the traffic: the incident's requests contrasted with the hour before,
//! field by field (user agent, client, network, referrer host, upstream, the access log
//! itself, host, method, status class), to say
//! *which* value carried the change. Two changes are weighed:
//!
//! - **a surge**: where requests a minute rose by [`SURGE_RATIO`] or more, the values
//!   whose own requests made most of the surplus beyond their share before (one
//!   crawler, one client; a value that grew as all did explains nothing);
//! - **concentrated failures**: the values that most failed requests carry although
//!   they carried far less of the traffic (one backend of three, one pod, one app
//!   version).
//!
//! A value is said only when it explains most of the change ([`EXPLAINS_MOST`]); the
//! counts come from the bucket summaries of [`crate::scan::top_values`]. Where every
//! request was read, the shares claimed are the ones their bounds guarantee (at least so
//! much during, at most so much before); where a busy log was sampled, they are
//! estimates, and said as such. Where nothing stands out, nothing is found.

use super::{Evidence, SourceTraffic};
use crate::scan::series::{Bucket, Series};
use crate::scan::top_values::{Field, TopValues, SAMPLE_ALL};
use crate::time::Micros;
use serde::Serialize;
use std::collections::BTreeMap;

const MINUTE: Micros = 60 * 1_000_000;

/// The traffic an incident's is contrasted with: the hour before it (or before the
/// surge that led it), long enough to hold a few thousand requests of a small shop, short
/// enough that the day's own swing stays out of it.
pub const CONTRAST_BASELINE: Micros = 60 * MINUTE;
/// Traffic rose when the incident's requests a minute were at least this many times the
/// baseline's: half as much again is more than an hour's own swing, and less than the
/// traffic-surge rule's threefold, so a surge that filled the workers before the rule
/// fired is still told.
pub const SURGE_RATIO: f64 = 1.5;
/// A value explains a change when it accounts for at least this share of it (of the
/// surplus of requests, or of the failed requests beyond its share of traffic): more
/// than all other values together.
pub const EXPLAINS_MOST: f64 = 0.5;
/// Failures are concentrated on a value when at least this share of them carry it:
/// "most" in a reader's sense, robust to a few stray failures elsewhere.
pub const CONCENTRATED: f64 = 0.8;
/// Values of a field weighed in a window, at most: the most counted of its buckets'
/// summaries (a long incident of many clients does not weigh thousands).
pub const CONTRAST_CANDIDATES: usize = 64;
/// Values of a field listed in the JSON contrast.
pub const CONTRAST_LISTED: usize = 5;
/// Findings said of one change (who surged, where the failures went), at most.
pub const CONTRAST_FINDINGS: usize = 2;

/// A count known between two bounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Bounds {
    pub low: u64,
    pub high: u64,
}

/// One value of a field, before and during the incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueShift {
    pub value: String,
    /// The value's key in the field summaries (see [`TopValues::get`]).
    #[serde(skip)]
    pub hash: u64,
    /// Requests in the baseline, and during the incident (estimates: see
    /// [`crate::scan::top_values`]), and failed requests during it.
    pub before: Bounds,
    pub during: Bounds,
    pub failed: Bounds,
    /// Its share of the baseline's requests (at most), of the incident's (at least), and
    /// of the incident's failed requests (at least).
    pub share_before: f64,
    pub share_during: f64,
    pub share_failed: f64,
    /// How much of the surplus of requests it accounts for beyond its share of the
    /// traffic before, where traffic rose.
    pub explains_surge: Option<f64>,
    /// How much of the failed requests it carries beyond its share of the traffic.
    pub explains_failures: Option<f64>,
    /// Its first request of the incident counted, and its first failed one.
    #[serde(skip)]
    pub first_request: Option<Evidence>,
    #[serde(skip)]
    pub first_failed: Option<Evidence>,
}

/// The values of one field that changed most.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldShift {
    pub field: &'static str,
    #[serde(skip)]
    pub kind: Field,
    pub values: Vec<ValueShift>,
}

/// A value that explains a change, as the draft says it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub field: Field,
    pub value: String,
    /// Its key in the field summaries.
    pub hash: u64,
    /// Its share of the incident's requests (a surge) or failed requests.
    pub share: f64,
    /// Its share of the baseline's requests (a surge) or of the incident's requests.
    pub compared: f64,
    /// The requests (a surge) or failed requests it had.
    pub count: u64,
    /// `share` and `count` are estimates from a sample (see [`Contrast::sampled_during`]);
    /// else `share` is a lower bound.
    pub estimated: bool,
    /// `compared` is an estimate from a sample; else an upper bound.
    pub compared_estimated: bool,
    pub evidence: Evidence,
}

/// The incident's traffic against its baseline's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contrast {
    pub baseline: (Micros, Micros),
    pub requests_before: u64,
    pub requests_during: u64,
    pub failed_during: u64,
    /// Requests a minute during the incident over the baseline's; `None` without a
    /// baseline.
    pub rate_ratio: Option<f64>,
    pub fields: Vec<FieldShift>,
    /// Who made the surge, where traffic rose.
    pub surge: Vec<Finding>,
    /// Where the failed requests went, where one value carries most of them.
    pub failures: Vec<Finding>,
    /// Whether the requests during the incident, those before it, or the failed
    /// requests, of some bucket were more than are counted one by one ([`SAMPLE_ALL`]):
    /// their counts are then estimates from a sample.
    pub sampled_during: bool,
    pub sampled_before: bool,
    pub failed_sampled: bool,
}

/// What a field's summaries say of one value over a stretch of buckets.
#[derive(Clone, Debug, Default)]
pub(super) struct Tally {
    pub(super) value: String,
    pub(super) requests: Bounds,
    pub(super) failed: Bounds,
    pub(super) before: Bounds,
    pub(super) first_request: Option<crate::scan::hits::Mark>,
    pub(super) first_failed: Option<crate::scan::hits::Mark>,
    /// What pass one saw of it: which values are weighed.
    weight: u64,
}

/// Adds one bucket's summary to the tallies: a value it kept counts within its bounds; a
/// value it did not keep may have had up to its floor.
fn add_summary(
    summary: &TopValues,
    tallies: &mut BTreeMap<u64, Tally>,
    slot: fn(&mut Tally) -> &mut Bounds,
) -> Vec<(u64, crate::scan::hits::Mark)> {
    let floor = summary.floor();
    let mut firsts = Vec::new();
    for (hash, tally) in tallies.iter_mut() {
        match summary.get(*hash) {
            Some(entry) => {
                let bounds = slot(tally);
                bounds.low += entry.count - entry.error;
                bounds.high += entry.count;
                firsts.push((*hash, entry.first));
            }
            None => slot(tally).high += floor,
        }
    }
    firsts
}

/// The summaries of one field (by its index in [`Field::SUMMARIZED`]) in these buckets: of
/// their requests, or of their failed requests.
fn summaries<'a>(buckets: &[&'a Bucket], index: usize, failed: bool) -> Vec<&'a TopValues> {
    buckets
        .iter()
        .filter_map(|b| b.fields.as_deref())
        .map(|f| if failed { &f.failed[index] } else { &f.requests[index] })
        .collect()
}

/// The tallies of a summarized field (by its index in [`Field::SUMMARIZED`]) in the
/// window's buckets and the baseline's (see [`tallies`]).
fn summarized(window: &[&Bucket], before: &[&Bucket], index: usize) -> BTreeMap<u64, Tally> {
    tallies(
        &summaries(window, index, false),
        &summaries(window, index, true),
        &summaries(before, index, false),
    )
}

/// The tallies of one field's summaries: the values those of the window (`during`, and
/// `failing`: of its failures) kept, the most counted weighed, each with its bounds in
/// the window, among its failures, and in the baseline (`earlier`).
pub(super) fn tallies(during: &[&TopValues], failing: &[&TopValues], earlier: &[&TopValues]) -> BTreeMap<u64, Tally> {
    let mut seen: BTreeMap<u64, Tally> = BTreeMap::new();
    for summary in during.iter().chain(failing) {
        for entry in summary.entries() {
            let tally = seen.entry(entry.hash).or_default();
            if tally.value.is_empty() {
                tally.value = entry.value.to_string();
            }
            tally.weight += entry.count;
        }
    }
    let mut ranked: Vec<(u64, u64)> = seen.iter().map(|(hash, t)| (*hash, t.weight)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let kept: std::collections::BTreeSet<u64> = ranked.iter().take(CONTRAST_CANDIDATES).map(|r| r.0).collect();
    seen.retain(|hash, _| kept.contains(hash));
    // Buckets come in time order: a value's first line is that of the first bucket
    // that kept it.
    for summary in during {
        for (hash, mark) in add_summary(summary, &mut seen, |t| &mut t.requests) {
            let tally = seen.get_mut(&hash).expect("a tallied value");
            tally.first_request = tally.first_request.or(Some(mark));
        }
    }
    for summary in failing {
        for (hash, mark) in add_summary(summary, &mut seen, |t| &mut t.failed) {
            let tally = seen.get_mut(&hash).expect("a tallied value");
            tally.first_failed = tally.first_failed.or(Some(mark));
        }
    }
    for summary in earlier {
        add_summary(summary, &mut seen, |t| &mut t.before);
    }
    seen
}

/// Each access log's requests, counted exactly by its own series, where several serve
/// the site (a pod's each, a host's each); its first failed request in the window is
/// what a finding cites.
fn by_source(
    sources: &BTreeMap<String, SourceTraffic>,
    (start, end): (Micros, Micros),
    (from, to): (Micros, Micros),
) -> BTreeMap<u64, Tally> {
    if sources.len() < 2 {
        return BTreeMap::new();
    }
    let exact = |n: u64| Bounds { low: n, high: n };
    sources
        .iter()
        .map(|(group, traffic)| {
            let sum = |range: std::ops::Range<Micros>, count: fn(&Bucket) -> u64| {
                traffic.series.buckets.range(range).map(|(_, b)| count(b)).sum::<u64>()
            };
            let tally = Tally {
                // As citations name its files.
                value: crate::source::file_name(group).to_string(),
                requests: exact(sum(start..end, |b| b.requests)),
                failed: exact(sum(start..end, Bucket::failed)),
                before: exact(sum(from..to, |b| b.requests)),
                first_failed: traffic.first_failures.range(start..end).next().map(|(_, mark)| *mark),
                ..Tally::default()
            };
            (crate::scan::keys::fixed_hash(group.as_bytes()), tally)
        })
        .collect()
}

/// The endpoints, as every bucket counts them (its first [`crate::scan::series::ENDPOINTS_PER_BUCKET`],
/// the rest as `(other)`): listed for the reader; which route failed is the impact's
/// "hardest hit", never a finding here.
fn routes(window: &[&Bucket], before: &[&Bucket]) -> BTreeMap<u64, Tally> {
    let mut tallies: BTreeMap<u64, Tally> = BTreeMap::new();
    let mut count = |buckets: &[&Bucket], during: bool| {
        for endpoint in buckets.iter().flat_map(|b| &b.endpoints) {
            let tally = tallies.entry(crate::scan::keys::fixed_hash(endpoint.name.as_bytes())).or_default();
            if tally.value.is_empty() {
                tally.value = endpoint.name.to_string();
            }
            let add = |bounds: &mut Bounds, n: u64| {
                bounds.low += n;
                bounds.high += n;
            };
            if during {
                add(&mut tally.requests, endpoint.requests);
                add(&mut tally.failed, endpoint.failed);
            } else {
                add(&mut tally.before, endpoint.requests);
            }
        }
    };
    count(window, true);
    count(before, false);
    tallies
}

/// The status classes (`2xx`, `5xx`), counted exactly by every bucket: a failure's class
/// is what made it one, listed for the reader, never a finding.
fn status_classes(window: &[&Bucket], before: &[&Bucket]) -> BTreeMap<u64, Tally> {
    let sum = |buckets: &[&Bucket], class: usize| buckets.iter().map(|b| b.by_class[class]).sum::<u64>();
    let exact = |n: u64| Bounds { low: n, high: n };
    (0..5)
        .filter(|&class| sum(window, class) + sum(before, class) > 0)
        .map(|class| {
            let during = sum(window, class);
            let tally = Tally {
                value: format!("{}xx", class + 1),
                requests: exact(during),
                failed: exact(if class == 4 { during } else { 0 }),
                before: exact(sum(before, class)),
                ..Tally::default()
            };
            (class as u64, tally)
        })
        .collect()
}

/// The window and baseline as summaries kept in ranges of `width` can tell them (see
/// [`Series`]): the window widened to whole ranges, the baseline narrowed to the whole
/// ranges within it (at least the range before the window's).
pub(super) fn in_ranges(
    width: Micros,
    (start, end): (Micros, Micros),
    (from, to): (Micros, Micros),
) -> ((Micros, Micros), (Micros, Micros)) {
    let width = width.max(1);
    let down = |t: Micros| t.div_euclid(width) * width;
    let up = |t: Micros| down(t + width - 1);
    let (start, end) = (down(start), up(end).max(down(start) + width));
    let to = down(to).min(start);
    let from = up(from).min(to - width);
    ((start, end), (from, to))
}

/// The contrast of `[start, end)` with `baseline`, over every field the access logs
/// gave; `None` without requests in the window.
pub fn contrast(
    traffic: &Series,
    sources: &BTreeMap<String, SourceTraffic>,
    window: (Micros, Micros),
    baseline: (Micros, Micros),
) -> Option<Contrast> {
    let ((start, end), baseline) = in_ranges(traffic.field_width(), window, baseline);
    let window: Vec<&Bucket> = traffic.buckets.range(start..end).map(|(_, b)| b).collect();
    let before: Vec<&Bucket> = traffic.buckets.range(baseline.0..baseline.1).map(|(_, b)| b).collect();
    let requests_during: u64 = window.iter().map(|b| b.requests).sum();
    if requests_during == 0 {
        return None;
    }
    let requests_before: u64 = before.iter().map(|b| b.requests).sum();
    let failed_during: u64 = window.iter().map(|b| b.failed()).sum();
    // The baseline's length is what the logs cover of it: from their first bucket.
    let covered_from = traffic.buckets.keys().next().copied().unwrap_or(baseline.0).max(baseline.0);
    let minutes = |from: Micros, to: Micros| (to - from).max(0) as f64 / traffic.width as f64;
    let (window_len, baseline_len) = (minutes(start, end).max(1.0), minutes(covered_from, baseline.1));
    let rate_ratio = (baseline_len >= 1.0 && requests_before > 0)
        .then(|| (requests_during as f64 / window_len) / (requests_before as f64 / baseline_len));
    let scale = if baseline_len >= 1.0 { window_len / baseline_len } else { 0.0 };
    let surplus = requests_during as f64 - requests_before as f64 * scale;
    let surged = rate_ratio.is_some_and(|r| r >= SURGE_RATIO) && surplus > 0.0;
    let ratio = |part: u64, whole: u64| if whole == 0 { 0.0 } else { part as f64 / whole as f64 };

    let mut fields = Vec::new();
    for field in Field::ALL {
        let seen = match (field, field.summary_index()) {
            (_, Some(index)) => summarized(&window, &before, index),
            (Field::Source, None) => by_source(sources, (start, end), baseline),
            (Field::Route, None) => routes(&window, &before),
            (_, None) => status_classes(&window, &before),
        };
        if seen.is_empty() {
            continue;
        }
        let mut values: Vec<ValueShift> = seen
            .into_iter()
            .map(|(hash, t)| {
                let share_during = ratio(t.requests.low, requests_during).min(1.0);
                let share_failed = ratio(t.failed.low, failed_during).min(1.0);
                let share_before = ratio(t.before.high, requests_before).min(1.0);
                // What it made of the surplus beyond its share before: a value that grew
                // as all others did (or the only one) explains nothing.
                let explains_surge = surged.then(|| (t.requests.low as f64 - t.before.high as f64 * scale) / surplus - share_before);
                let explains_failures = (failed_during > 0).then(|| share_failed - ratio(t.requests.high, requests_during).min(1.0));
                ValueShift {
                    value: t.value,
                    hash,
                    before: t.before,
                    during: t.requests,
                    failed: t.failed,
                    share_before,
                    share_during,
                    share_failed,
                    explains_surge,
                    explains_failures,
                    first_request: t.first_request.map(Evidence::from),
                    first_failed: t.first_failed.map(Evidence::from),
                }
            })
            .collect();
        // What explains most first; then the most requests.
        let key = |v: &ValueShift| v.explains_surge.unwrap_or(0.0).max(v.explains_failures.unwrap_or(0.0));
        values.sort_by(|a, b| {
            key(b)
                .total_cmp(&key(a))
                .then(b.during.low.cmp(&a.during.low))
                .then(a.value.cmp(&b.value))
        });
        values.truncate(CONTRAST_LISTED);
        fields.push(FieldShift {
            field: field.name(),
            kind: field,
            values,
        });
    }
    let mut contrast = Contrast {
        // What the logs cover of it.
        baseline: (covered_from.min(baseline.1), baseline.1),
        requests_before,
        requests_during,
        failed_during,
        rate_ratio,
        fields,
        surge: Vec::new(),
        failures: Vec::new(),
        sampled_during: window.iter().any(|b| b.requests > SAMPLE_ALL),
        sampled_before: before.iter().any(|b| b.requests > SAMPLE_ALL),
        failed_sampled: window.iter().any(|b| b.failed() > SAMPLE_ALL),
    };
    // A surge's share is of the requests during, against those before; a failure's
    // share is of the failed requests, against the requests during.
    let surge_estimated = (contrast.sampled_during, contrast.sampled_before);
    let failures_estimated = (contrast.failed_sampled, contrast.sampled_during);
    contrast.surge = findings(&contrast, SURGE_FIELDS, surge_estimated, |v| {
        let explains = v.explains_surge?;
        (explains >= EXPLAINS_MOST).then_some((v.share_during, v.share_before, v.during.low, v.first_request?))
    });
    contrast.failures = findings(&contrast, FAILURE_FIELDS, failures_estimated, |v| {
        let explains = v.explains_failures?;
        (explains >= EXPLAINS_MOST && v.share_failed >= CONCENTRATED).then_some((
            v.share_failed,
            v.share_failed - explains,
            v.failed.low,
            v.first_failed?,
        ))
    });
    Some(contrast)
}

/// The fields that can name who made a surge: an actor, or the host it was sent to.
/// (A surge's requests all went to some upstream and had some status: those follow
/// from it.)
const SURGE_FIELDS: &[Field] = &[Field::UserAgent, Field::Client, Field::Network, Field::Referrer, Field::Host];

/// The fields that can say where failures went, where it failed first: the upstream
/// that failed them and whether one answered at all, then the host, then who sent them,
/// then what they were (their size, a closer class than their method). (A failed
/// request's status is what made it a failure: no explanation; nor is an upstream's
/// status, which a proxy passes on as its own: only `none`, the proxy's own answer, says
/// something.)
const FAILURE_FIELDS: &[Field] = &[
    Field::Upstream,
    Field::UpstreamStatus,
    Field::Source,
    Field::Host,
    Field::UserAgent,
    Field::Client,
    Field::Network,
    Field::RequestSize,
    Field::Method,
];

/// The top value of each of `fields`, in their order, that `finds` (share, compared,
/// count, evidence); a network is not said beside one of its clients.
fn findings(
    contrast: &Contrast,
    fields: &[Field],
    (estimated, compared_estimated): (bool, bool),
    finds: impl Fn(&ValueShift) -> Option<(f64, f64, u64, Evidence)>,
) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    for &field in fields {
        if found.len() >= CONTRAST_FINDINGS || (field == Field::Network && found.iter().any(|f| f.field == Field::Client)) {
            continue;
        }
        let Some(shift) = contrast.fields.iter().find(|f| f.kind == field) else {
            continue;
        };
        let says_something = |v: &ValueShift| field != Field::UpstreamStatus || v.value == crate::scan::top_values::NO_ANSWER;
        if let Some((value, (share, compared, count, evidence))) =
            shift.values.iter().filter(|v| says_something(v)).find_map(|v| Some((v, finds(v)?)))
        {
            found.push(Finding {
                field,
                value: value.value.clone(),
                hash: value.hash,
                share,
                compared,
                count,
                estimated,
                compared_estimated,
                evidence,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Request;

    fn request(client: &str, status: u16) -> Request<'_> {
        Request::borrowed(client.as_bytes(), (b"GET", b"/"), status, None, b"")
    }

    /// Two hours of traffic, `per_minute(minute, n)` giving the n-th request of a minute
    /// its client and status; the incident is the second hour's first half.
    fn contrast_of(per_minute: usize, shape: impl Fn(i64, usize) -> Option<(String, u16)>) -> Contrast {
        let mut series = Series::new(MINUTE);
        for minute in 0..120 {
            for n in 0..per_minute {
                if let Some((client, status)) = shape(minute, n) {
                    series.add(minute * MINUTE + n as i64, &request(&client, status));
                }
            }
        }
        contrast(&series, &BTreeMap::new(), (60 * MINUTE, 90 * MINUTE), (0, 60 * MINUTE)).unwrap()
    }

    fn during(minute: i64) -> bool {
        (60..90).contains(&minute)
    }

    #[test]
    fn one_client_that_made_the_surge_is_found() {
        let c = contrast_of(200, |m, n| match (during(m), n) {
            (true, 0..150) => Some(("192.0.2.77".into(), 200)),
            (_, 150..) => Some((format!("198.51.100.{}", n % 40), 200)),
            _ => None,
        });
        let found: Vec<(Field, &str)> = c.surge.iter().map(|f| (f.field, f.value.as_str())).collect();
        // Its network is not said beside it.
        assert_eq!(found, [(Field::Client, "192.0.2.77")]);
        // Before, it made none; the bound says at most what 40 clients in summaries of
        // eight leave unaccounted for.
        assert!(c.surge[0].share > 0.7 && c.surge[0].compared < 0.15, "{:?}", c.surge);
    }

    #[test]
    fn a_surge_that_every_client_made_names_none() {
        // A sale: four times the traffic, from the same clients in the same shares.
        let c = contrast_of(200, |m, n| {
            let shown = if during(m) { 200 } else { 50 };
            (n < shown).then(|| (format!("198.51.100.{}", n % 40), 200))
        });
        assert!(c.rate_ratio.unwrap() > 3.0);
        assert!(c.surge.is_empty() && c.failures.is_empty(), "{c:?}");
    }

    #[test]
    fn a_share_that_rises_while_traffic_falls_is_no_surge() {
        // One client keeps its pace while the others leave: its share rises, the traffic
        // does not.
        let c = contrast_of(100, |m, n| match (during(m), n) {
            (_, 0..20) => Some(("192.0.2.77".into(), 200)),
            (false, _) => Some((format!("198.51.100.{}", n % 40), 200)),
            (true, 20..40) => Some((format!("198.51.100.{}", n % 40), 200)),
            _ => None,
        });
        assert!(c.rate_ratio.unwrap() < 1.0);
        assert!(c.surge.is_empty(), "{:?}", c.surge);
    }

    #[test]
    fn failures_of_one_client_are_placed_and_failures_of_all_are_not() {
        // Only 192.0.2.77's requests fail (a tenth of the traffic).
        let one = contrast_of(100, |m, n| {
            let client = if n < 10 {
                "192.0.2.77".to_string()
            } else {
                format!("198.51.100.{}", n % 40)
            };
            let status = if during(m) && n < 10 { 503 } else { 200 };
            Some((client, status))
        });
        let f = one.failures.first().expect("placed");
        assert_eq!((f.field, f.value.as_str(), f.count), (Field::Client, "192.0.2.77", 300));
        assert!(f.share == 1.0 && f.compared < 0.15, "{f:?}");
        // A fifth of everyone's requests fail: no client stands out.
        let all = contrast_of(100, |m, n| {
            let status = if during(m) && n % 5 == 0 { 503 } else { 200 };
            Some((format!("198.51.100.{}", n % 40), status))
        });
        assert!(all.failures.is_empty(), "{:?}", all.failures);
    }

    #[test]
    fn the_only_value_of_a_field_explains_nothing() {
        // One client makes all the traffic, before and during, and all the failures.
        let c = contrast_of(100, |m, n| {
            Some(("192.0.2.77".into(), if during(m) && n % 2 == 0 { 503 } else { 200 }))
        });
        assert!(c.surge.is_empty() && c.failures.is_empty(), "{c:?}");
    }

    #[test]
    fn a_long_span_read_in_wider_ranges_still_tells_the_surge() {
        // A day of traffic: the field summaries cover two minutes each.
        let mut series = Series::new(MINUTE);
        for minute in 0..1500 {
            let crawling = (1400..1430).contains(&minute);
            for n in 0..if crawling { 200 } else { 50 } {
                let client = if n >= 50 {
                    "192.0.2.77".to_string()
                } else {
                    format!("198.51.100.{}", n % 40)
                };
                series.add(minute * MINUTE + n, &request(&client, 200));
            }
        }
        assert_eq!(series.field_width(), 2 * MINUTE);
        let c = contrast(
            &series,
            &BTreeMap::new(),
            (1401 * MINUTE, 1430 * MINUTE),
            (1341 * MINUTE, 1401 * MINUTE),
        )
        .unwrap();
        // The window is read from the start of its range; the baseline ends there.
        assert_eq!(c.baseline.1, 1400 * MINUTE);
        let found: Vec<(Field, &str)> = c.surge.iter().map(|f| (f.field, f.value.as_str())).collect();
        assert_eq!(found, [(Field::Client, "192.0.2.77")]);
    }

    #[test]
    fn a_source_that_logged_all_failures_is_found_and_two_that_share_them_are_not() {
        let of = |failing: &dyn Fn(usize, i64, usize) -> bool| {
            let mut all = Series::new(MINUTE);
            let mut sources: BTreeMap<String, SourceTraffic> = BTreeMap::new();
            for (s, name) in ["logs/shop-1.log", "logs/shop-2.log"].into_iter().enumerate() {
                let mut own = SourceTraffic {
                    series: Series::new(MINUTE),
                    ..SourceTraffic::default()
                };
                for minute in 0..120 {
                    for n in 0..50 {
                        let status = if failing(s, minute, n) { 502 } else { 200 };
                        let r = request("198.51.100.7", status);
                        own.series.add(minute * MINUTE + n as i64, &r);
                        all.add(minute * MINUTE + n as i64, &r);
                        if status == 502 {
                            own.first_failures.entry(minute * MINUTE).or_insert(crate::scan::hits::Mark {
                                time: minute * MINUTE,
                                file: crate::num::file_index(s),
                                offset: 0,
                                line: crate::num::unsigned(minute),
                            });
                        }
                    }
                }
                sources.insert(name.to_string(), own);
            }
            contrast(&all, &sources, (60 * MINUTE, 90 * MINUTE), (0, 60 * MINUTE)).unwrap()
        };
        let one = of(&|s, m, _| s == 1 && during(m));
        let f = one.failures.first().expect("placed");
        assert_eq!((f.field, f.value.as_str(), f.share), (Field::Source, "shop-2.log", 1.0));
        assert_eq!(f.evidence, Evidence { file: 1, line: 60 });
        let both = of(&|_, m, n| during(m) && n % 4 == 0);
        assert!(both.failures.is_empty(), "{:?}", both.failures);
    }
}
