//! The analyze stage: from the timeline to incidents. It finds the incident windows (the
//! user-visible symptom: an error or latency spike), measures the impact from the traffic
//! series, tells what each episode is to the incident (an echo of the failures, a
//! condition that holds, [`roles`]), ranks the episodes before and during the window into
//! a causal chain (trigger → mechanism → symptom, [`chain`]), finds the warnings that led
//! up to it ([`signs`]) and what ended it ([`resolution`]), and proposes measures
//! ([`measures`]). It reads nothing but the
//! [`Timeline`]; every number it weighs evidence with is in [`weights`].
//!
//! What it finds refers to episodes by their index in the timeline; [`crate::report`]
//! resolves those into the self-contained [`crate::report::Report`] that renderers read.
//! Every statement it makes is a [`Sentence`] of parts, with the evidence it rests on:
//! renderers choose how to escape log text and how to show times, and nothing is said
//! without a citation.

mod chain;
mod measures;
mod resolution;
pub mod roles;
pub mod signs;
#[cfg(test)]
mod tests;
pub mod weights;
pub mod words;
pub use resolution::Fix;

use crate::rules::{Category, RuleSet};
use crate::scan::clients::Clients;
use crate::scan::series::Series;
use crate::time::Micros;
use crate::timeline::{Episode, Evidence, Timeline};
use serde::Serialize;

/// A piece of a sentence.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Our own words.
    Text(String),
    /// Text quoted from a log (a command, a table, a title from a rule file): shown as
    /// code, escaped.
    Quote(String),
    /// An instant, shown in the display zone.
    #[serde(serialize_with = "crate::time::serde_utc::serialize")]
    Time(Micros),
    /// A duration in microseconds, shown as `1 h 15 min`.
    #[serde(rename = "duration_s", serialize_with = "crate::time::serde_seconds::serialize")]
    Duration(Micros),
}

/// A statement and the log lines it rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    pub parts: Vec<Part>,
    pub evidence: Vec<Evidence>,
}

impl Sentence {
    pub fn new(parts: Vec<Part>, evidence: Vec<Evidence>) -> Sentence {
        Sentence { parts, evidence }
    }
}

pub(crate) fn text(s: impl Into<String>) -> Part {
    Part::Text(s.into())
}

/// Knobs of the analysis.
#[derive(Clone, Debug)]
pub struct Options {
    /// How far before the symptom to look for triggers (deploys, migrations, cron jobs).
    pub lookback: Micros,
    /// The size of an incident, where an access log covers it: shorter or with fewer
    /// failed requests, it is a blip.
    pub min_duration: Micros,
    pub min_failed: u64,
}

impl Options {
    pub fn new(lookback: Micros) -> Options {
        Options {
            lookback,
            min_duration: weights::MIN_INCIDENT_DURATION,
            min_failed: weights::MIN_FAILED_REQUESTS,
        }
    }
}

/// The role of an episode in the causal chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// What started the trigger (the cron job that ran a maintenance script).
    Origin,
    Trigger,
    Mechanism,
    Symptom,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Origin => "origin",
            Role::Trigger => "trigger",
            Role::Mechanism => "mechanism",
            Role::Symptom => "symptom",
        }
    }
}

/// One link of the chain: an episode (index into the timeline's episodes) in a role.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub role: Role,
    pub episode: usize,
    /// How well the episode fits the role, 0 to 1.
    pub score: f64,
}

/// One endpoint's share of the trouble.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EndpointImpact {
    pub endpoint: String,
    pub requests: u64,
    pub failed: u64,
}

/// Failed requests a proxy flagged alike, in its own code (Envoy's `UH`),
/// and what the code means where we know it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProxyReason {
    pub reason: String,
    pub meaning: Option<String>,
    pub failed: u64,
}

/// What users saw, in numbers, from the access logs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Impact {
    pub requests: u64,
    pub failed_requests: u64,
    pub peak_error_ratio: f64,
    pub peak_at: Option<Micros>,
    pub clients: u64,
    pub affected_clients: u64,
    /// The client counts are estimates (see [`crate::scan::clients`]).
    pub clients_estimated: bool,
    pub hardest_hit: Vec<EndpointImpact>,
    pub unaffected: Vec<EndpointImpact>,
    /// The flags a proxy gave failed requests, most failures first.
    pub proxy_reasons: Vec<ProxyReason>,
    /// Requests served while the request time was above its baseline (during the
    /// latency spikes of the window): what a slowdown cost users, where few failed.
    pub slow_requests: u64,
    /// The highest mean request time of those minutes, and the mean before, in ms.
    pub slow_peak_ms: Option<f64>,
    pub slow_baseline_ms: Option<f64>,
}

impl Impact {
    /// Requests that failed or were served slowly: how large an incident is. (The slow
    /// minutes' requests include those of them that failed: the larger count, not the
    /// sum.)
    pub fn affected_requests(&self) -> u64 {
        self.failed_requests.max(self.slow_requests)
    }

    pub fn failed_ratio(&self) -> f64 {
        ratio(self.failed_requests, self.requests)
    }

    pub fn affected_ratio(&self) -> f64 {
        ratio(self.affected_clients, self.clients)
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// What an incident found without an access log is known by: its error lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorImpact {
    /// Error-or-worse lines in the window, every source together.
    pub lines: u64,
    /// The most in one bucket, and when.
    pub peak: u64,
    pub peak_at: Option<Micros>,
    /// Each source group that wrote some, with how many, most first.
    pub sources: Vec<(String, u64)>,
    /// A supervised service that failed again and again in the window (a crash loop):
    /// its unit, and how many times one rule saw it fail.
    pub crash_loop: Option<(String, u64)>,
}

/// The supervised service that failed most often in `[start, end)`, counted rule by rule
/// (systemd logs both `Main process exited` and `Failed with result` for one failure), when
/// it failed [`crate::timeline::CRASH_LOOP_AT`] times or more: a crash loop. Only the lines
/// of rules that `records_a_failure` (a restart rule at error level or worse, as
/// `timeline::errors` counts them): a unit started or stopped by its timer every ten
/// minutes failed nothing. What recurs through the logs is routine, not a loop.
fn crash_loop(
    episodes: &[Episode],
    start: Micros,
    end: Micros,
    records_a_failure: impl Fn(crate::scan::hits::Signal) -> bool,
) -> Option<(String, u64)> {
    let mut failures: std::collections::BTreeMap<(crate::scan::hits::Signal, &str), u64> = Default::default();
    for e in episodes
        .iter()
        .filter(|e| e.category == Category::Restart && !e.background && e.start < end && e.end >= start && records_a_failure(e.signal))
    {
        if let Some(unit) = e.subject.as_ref().filter(|s| s.field == "unit") {
            *failures.entry((e.signal, &unit.value)).or_default() += e.count;
        }
    }
    failures
        .into_iter()
        .filter(|(_, n)| *n >= crate::timeline::CRASH_LOOP_AT)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0 .1.cmp(a.0 .1)))
        .map(|((_, unit), n)| (unit.to_string(), n))
}

/// When users began to see errors, and the line that shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub time: Micros,
    pub evidence: Evidence,
}

/// One incident: its window, impact, causes and end.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    pub start: Micros,
    /// When the symptom was back at its baseline and stayed there.
    pub end: Micros,
    /// The logs end before the symptom does.
    pub ongoing: bool,
    /// The symptom episodes (error and latency spikes) that make the window.
    pub symptoms: Vec<usize>,
    /// The first failed request (or first symptom line).
    pub detected: Option<Detection>,
    pub impact: Impact,
    /// The error lines of the window outside what access logs cover.
    pub errors: ErrorImpact,
    /// Origin and trigger first, then mechanisms, then the symptom.
    pub chain: Vec<Link>,
    /// 0 to 1: how sure the chain is.
    pub confidence: f64,
    /// Other candidates weighed for trigger and mechanism.
    pub alternatives: Vec<Link>,
    /// Episodes that are the failures seen from another log (a proxy's line for each
    /// request it could not pass on): part of the symptom, not candidates for its cause.
    pub echoes: Vec<usize>,
    /// What ended it (a kill, a rollback, a restart), if an action stands out.
    pub resolution: Option<Fix>,
    /// Warnings that led up to it, escalating (see [`signs`]).
    pub early_sign: Option<signs::EarlySign>,
    pub measures: Vec<Sentence>,
    /// Its traffic against the hour before, field by field: who surged, where the
    /// failures went (see [`crate::timeline::contrast`]).
    pub contrast: Option<crate::timeline::contrast::Contrast>,
    /// Its application errors against the logs' other lines, field by field: which
    /// tenant, provider or shard they were about (see [`crate::timeline::app_contrast`]).
    pub app_contrast: Option<crate::timeline::app_contrast::AppContrast>,
}

impl Incident {
    pub fn link(&self, role: Role) -> Option<&Link> {
        self.chain.iter().find(|l| l.role == role)
    }
}

/// All incidents found, in time order, and which one a draft covers by default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    pub incidents: Vec<Incident>,
    /// The largest incident (most failed requests, then longest).
    pub largest: Option<usize>,
    /// Spikes below the size of an incident (see [`Options::min_duration`]).
    pub blips: Vec<Incident>,
}

impl Analysis {
    /// Keeps the incidents and blips that overlap the window (numbered anew), the largest
    /// of them the one to draft.
    pub fn retain_window(&mut self, span: crate::time::Span) {
        if span == crate::time::Span::default() {
            return;
        }
        self.incidents.retain(|i| span.overlaps(i.start, i.end));
        self.blips.retain(|i| span.overlaps(i.start, i.end));
        self.largest = largest_of(&self.incidents);
    }
}

pub(crate) fn is_symptom(category: Category) -> bool {
    matches!(category, Category::ErrorSpike | Category::LatencySpike | Category::ErrorBurst)
}

/// Symptom episodes merged into one stretch of trouble.
struct Window {
    start: Micros,
    end: Micros,
    ongoing: bool,
    symptoms: Vec<usize>,
}

/// The stretches of trouble: symptom episodes, merged when they overlap or nearly do.
fn windows(episodes: &[Episode]) -> Vec<Window> {
    let mut windows: Vec<Window> = Vec::new();
    let mut symptoms: Vec<usize> = (0..episodes.len()).filter(|&i| is_symptom(episodes[i].category)).collect();
    symptoms.sort_by_key(|&i| (episodes[i].start, i));
    for index in symptoms {
        let e = &episodes[index];
        let ongoing = e.rate.is_some_and(|r| r.ongoing);
        match windows.last_mut() {
            Some(w) if e.start <= w.end + weights::INCIDENT_MERGE_GAP => {
                w.end = w.end.max(e.end);
                w.ongoing |= ongoing;
                w.symptoms.push(index);
            }
            _ => windows.push(Window {
                start: e.start,
                end: e.end,
                ongoing,
                symptoms: vec![index],
            }),
        }
    }
    windows
}

/// Finds the incidents in a timeline. `rules` names what the measures speak of.
pub fn analyze(timeline: &Timeline, rules: &RuleSet, options: &Options) -> Analysis {
    let episodes = &timeline.episodes;
    let conditions = roles::Conditions::of(episodes);
    let (incidents, blips): (Vec<Incident>, Vec<Incident>) = windows(episodes)
        .into_iter()
        .map(|window| {
            let mut impact = impact(&timeline.traffic, window.start, window.end);
            slowdown(&mut impact, &timeline.traffic, window.symptoms.iter().map(|&i| &episodes[i]));
            let mut errors = error_impact(&timeline.error_counts, window.start, window.end, timeline.traffic.width);
            errors.crash_loop = crash_loop(
                episodes,
                window.start,
                window.end,
                |signal| matches!(signal, crate::scan::hits::Signal::Rule(r) if rules.get(r).severity >= crate::rules::Severity::Error),
            );
            let detected = detection(timeline, &window);
            let mut incident = Incident {
                start: window.start,
                end: window.end,
                ongoing: window.ongoing,
                symptoms: window.symptoms,
                detected,
                impact,
                errors,
                chain: Vec::new(),
                confidence: 0.0,
                alternatives: Vec::new(),
                echoes: Vec::new(),
                resolution: None,
                early_sign: None,
                measures: Vec::new(),
                contrast: None,
                app_contrast: None,
            };
            chain::explain(&mut incident, timeline, options, &conditions);
            let baseline = baseline_of(&incident, episodes);
            incident.contrast = crate::timeline::contrast::contrast(
                &timeline.traffic,
                &timeline.sources_traffic,
                (incident.start, incident.end),
                baseline,
            );
            incident.app_contrast = crate::timeline::app_contrast::contrast(&timeline.app_fields, (incident.start, incident.end), baseline);
            incident.early_sign = signs::find(&incident, timeline, rules, options);
            let mechanism = incident.link(Role::Mechanism).map(|l| l.episode);
            // The mechanism stopped when its last line came, or, a condition said in
            // single lines, when the incident ended.
            let stopped = mechanism.map(|m| conditions.held_until(m, episodes, &incident));
            incident.resolution = resolution::find(&incident, episodes, stopped);
            // Without an access log, the trouble is seen to end when the error lines stop;
            // a fix that came within the error lines' own gap after is when it ended (the
            // next crash of a loop was not due yet when the old version went back).
            if let (0, Some(fix)) = (incident.impact.requests, &incident.resolution) {
                let at = episodes[fix.action].start;
                if at > incident.end && at - incident.end <= crate::timeline::ERROR_GAP {
                    incident.end = at;
                }
            }
            incident.measures = measures::propose(&incident, timeline, rules);
            incident
        })
        .partition(|incident| {
            incident.impact.requests == 0
                || (incident.end - incident.start >= options.min_duration && incident.impact.affected_requests() >= options.min_failed)
        });
    let largest = largest_of(&incidents);
    Analysis { incidents, largest, blips }
}

/// The stretch an incident's traffic is contrasted with: the hour before it, or before
/// the surge of traffic that the chain found its trigger (a surge's own minutes before
/// the symptom are no baseline).
fn baseline_of(incident: &Incident, episodes: &[Episode]) -> (Micros, Micros) {
    let surge_start = incident
        .link(Role::Trigger)
        .map(|l| &episodes[l.episode])
        .filter(|e| e.category == Category::TrafficSurge)
        .map(|e| e.start);
    let end = surge_start.map_or(incident.start, |s| s.min(incident.start));
    (end - crate::timeline::contrast::CONTRAST_BASELINE, end)
}

/// The incident with the most failed (or slowly served) requests, then the longest; ties
/// to the earlier.
fn largest_of(incidents: &[Incident]) -> Option<usize> {
    (0..incidents.len()).max_by(|&a, &b| {
        let key = |i: &Incident| (i.impact.affected_requests(), i.end - i.start);
        key(&incidents[a]).cmp(&key(&incidents[b])).then(b.cmp(&a))
    })
}

/// Requests, failures and clients in `[start, end)`, from the traffic of every access log.
fn impact(traffic: &Series, start: Micros, end: Micros) -> Impact {
    let mut impact = Impact::default();
    let (mut clients, mut affected) = (Clients::default(), Clients::default());
    let mut endpoints: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    let mut reasons: std::collections::BTreeMap<String, u64> = Default::default();
    for (bucket_start, bucket) in traffic.buckets.range(start..end) {
        impact.requests += bucket.requests;
        impact.failed_requests += bucket.failed();
        clients.union(&bucket.clients);
        affected.union(&bucket.failed_clients);
        let r = ratio(bucket.failed(), bucket.requests);
        if r > impact.peak_error_ratio {
            impact.peak_error_ratio = r;
            impact.peak_at = Some(*bucket_start);
        }
        for endpoint in &bucket.endpoints {
            let entry = endpoints.entry(endpoint.name.to_string()).or_default();
            entry.0 += endpoint.requests;
            entry.1 += endpoint.failed;
        }
        for (reason, failed) in &bucket.reasons {
            *reasons.entry(reason.to_string()).or_default() += failed;
        }
    }
    impact.proxy_reasons = proxy_reasons(reasons);
    impact.clients = clients.count();
    impact.affected_clients = affected.count();
    impact.clients_estimated = clients.is_estimate() || affected.is_estimate();
    let mut all: Vec<EndpointImpact> = endpoints
        .into_iter()
        .map(|(endpoint, (requests, failed))| EndpointImpact {
            endpoint,
            requests,
            failed,
        })
        .collect();
    all.sort_by(|a, b| {
        b.failed
            .cmp(&a.failed)
            .then(b.requests.cmp(&a.requests))
            .then(a.endpoint.cmp(&b.endpoint))
    });
    // Hardest hit: the worst failure ratios among endpoints that carried real traffic.
    let floor = weights::HIT_MIN_REQUESTS.max(crate::num::whole(weights::HIT_MIN_SHARE * impact.requests as f64));
    let mut hit: Vec<&EndpointImpact> = all
        .iter()
        .filter(|e| e.requests >= floor && ratio(e.failed, e.requests) >= weights::HIT_MIN_RATIO)
        .collect();
    hit.sort_by(|a, b| {
        ratio(b.failed, b.requests)
            .total_cmp(&ratio(a.failed, a.requests))
            .then(b.failed.cmp(&a.failed))
            .then(a.endpoint.cmp(&b.endpoint))
    });
    impact.hardest_hit = hit.into_iter().take(weights::HARDEST_HIT).cloned().collect();
    impact.unaffected = all
        .iter()
        .filter(|e| e.failed == 0 && e.requests >= weights::UNAFFECTED_MIN_REQUESTS)
        .take(weights::HARDEST_HIT)
        .cloned()
        .collect();
    impact
}

/// The flags a proxy gave the failed requests, most failures first, at
/// most [`weights::PROXY_REASONS`] of them; each proxy code spelt out where we know it
/// (Envoy's flags, joined by commas when several held).
fn proxy_reasons(reasons: std::collections::BTreeMap<String, u64>) -> Vec<ProxyReason> {
    let mut all: Vec<ProxyReason> = reasons
        .into_iter()
        .map(|(reason, failed)| {
            let meanings: Option<Vec<&str>> = reason
                .split(',')
                .map(|flag| crate::format::families::envoy::flag_meaning(flag.as_bytes()))
                .collect();
            ProxyReason {
                meaning: meanings.map(|m| m.join(", ")),
                reason,
                failed,
            }
        })
        .collect();
    all.sort_by(|a, b| b.failed.cmp(&a.failed).then(a.reason.cmp(&b.reason)));
    all.truncate(weights::PROXY_REASONS);
    all
}

/// What the latency spikes among `symptoms` cost: the timed requests of their minutes,
/// and how slow they got against before.
fn slowdown<'a>(impact: &mut Impact, traffic: &Series, symptoms: impl Iterator<Item = &'a Episode>) {
    for spike in symptoms.filter(|e| e.category == Category::LatencySpike) {
        let from = traffic.bucket_start(spike.start);
        impact.slow_requests += traffic
            .buckets
            .range(from..spike.end.max(from + 1))
            .map(|(_, b)| b.duration_count)
            .sum::<u64>();
        if let Some(rate) = spike.rate {
            impact.slow_peak_ms = Some(impact.slow_peak_ms.map_or(rate.peak, |p: f64| p.max(rate.peak)));
            impact.slow_baseline_ms.get_or_insert(rate.baseline);
        }
    }
}

/// The error lines of `[start, end)` (by bucket), every source group's.
fn error_impact(counts: &crate::timeline::ErrorCounts, start: Micros, end: Micros, width: Micros) -> ErrorImpact {
    let first_bucket = start.div_euclid(width.max(1)) * width.max(1);
    let mut impact = ErrorImpact::default();
    let mut per_bucket: std::collections::BTreeMap<Micros, u64> = Default::default();
    let mut per_source: std::collections::BTreeMap<&str, u64> = Default::default();
    for ((group, bucket), n) in counts.iter().filter(|((_, b), _)| *b >= first_bucket && *b < end) {
        impact.lines += n;
        *per_bucket.entry(*bucket).or_default() += n;
        *per_source.entry(group).or_default() += n;
    }
    if let Some((at, peak)) = per_bucket.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
        impact.peak = *peak;
        impact.peak_at = Some(*at);
    }
    impact.sources = per_source.into_iter().map(|(g, n)| (g.to_string(), n)).collect();
    impact.sources.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    impact
}

/// The first failed request in the buckets the window covers, or the first line of a
/// symptom episode. (The window starts within its first bucket; a failure earlier in
/// that bucket is when users began to see errors.)
fn detection(timeline: &Timeline, window: &Window) -> Option<Detection> {
    let width = timeline.traffic.width.max(1);
    let first_bucket = window.start.div_euclid(width) * width;
    let first_failure = timeline
        .first_failures
        .range(first_bucket..window.end)
        .map(|(_, mark)| *mark)
        .min()
        .map(|mark| Detection {
            time: mark.time,
            evidence: Evidence::from(mark),
        });
    first_failure.or_else(|| {
        window.symptoms.iter().find_map(|&i| {
            let e = &timeline.episodes[i];
            e.first.map(|evidence| Detection { time: e.start, evidence })
        })
    })
}
