//! The analyze stage: from episodes and series to incidents. It finds the incident
//! windows (the user-visible symptom: an error or latency spike), measures the impact
//! from the traffic series, ranks the episodes before and during the window into a
//! causal chain (trigger → mechanism → symptom), finds what ended it, and proposes
//! measures. It reads nothing but the scan's series and the timeline's episodes.
//!
//! Every statement it makes is a [`Sentence`] of parts, with the evidence it rests on:
//! renderers choose how to escape log text and how to show times, and nothing is said
//! without a citation.

mod chain;
mod measures;

use crate::rules::{Category, RuleSet};
use crate::scan::series::{ClientSet, Series};
use crate::scan::ScanResult;
use crate::time::Micros;
use crate::timeline::{Episode, Evidence};

/// A piece of a sentence.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Our own words.
    Text(String),
    /// Text quoted from a log (a command, a table, a title from a rule file): shown as
    /// code, escaped.
    Quote(String),
    /// An instant, shown in the display zone.
    Time(Micros),
    /// A duration in microseconds, shown as `1 h 15 min`.
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
}

/// The role of an episode in the causal chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointImpact {
    pub endpoint: String,
    pub requests: u64,
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
    pub hardest_hit: Vec<EndpointImpact>,
    pub unaffected: Vec<EndpointImpact>,
}

impl Impact {
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
    /// The first failed request (or first symptom line), and where it is.
    pub detected: Option<(Micros, Evidence)>,
    pub impact: Impact,
    /// Origin and trigger first, then mechanisms, then the symptom.
    pub chain: Vec<Link>,
    /// 0 to 1: how sure the chain is.
    pub confidence: f64,
    /// Other candidates weighed for trigger and mechanism.
    pub alternatives: Vec<Link>,
    /// The episode that ended it (a kill, a rollback, a restart), if one stands out.
    pub resolution: Option<usize>,
    pub measures: Vec<Sentence>,
}

impl Incident {
    pub fn link(&self, role: Role) -> Option<&Link> {
        self.chain.iter().find(|l| l.role == role)
    }
}

/// All incidents found, in time order, and which one a draft covers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    pub incidents: Vec<Incident>,
    /// The largest incident (most failed requests, then longest).
    pub largest: Option<usize>,
}

/// Symptom episodes closer than this belong to one incident.
const MERGE_GAP: Micros = 10 * 60 * 1_000_000;

fn is_symptom(category: Category) -> bool {
    matches!(category, Category::ErrorSpike | Category::LatencySpike)
}

/// Finds the incidents in a timeline.
pub fn analyze(result: &ScanResult, episodes: &[Episode], rules: &RuleSet, options: &Options) -> Analysis {
    let traffic = result.traffic();
    // Windows: the symptom episodes, merged when they overlap or nearly do.
    let mut windows: Vec<(Micros, Micros, bool, Vec<usize>)> = Vec::new();
    let mut symptoms: Vec<usize> = (0..episodes.len())
        .filter(|&i| is_symptom(rules.get(episodes[i].rule).category))
        .collect();
    symptoms.sort_by_key(|&i| (episodes[i].start, i));
    for index in symptoms {
        let e = &episodes[index];
        let ongoing = e.rate.is_some_and(|r| r.ongoing);
        match windows.last_mut() {
            Some(w) if e.start <= w.1 + MERGE_GAP => {
                w.1 = w.1.max(e.end);
                w.2 |= ongoing;
                w.3.push(index);
            }
            _ => windows.push((e.start, e.end, ongoing, vec![index])),
        }
    }
    let incidents: Vec<Incident> = windows
        .into_iter()
        .map(|(start, end, ongoing, symptoms)| {
            let impact = impact(&traffic, start, end);
            let detected = detection(result, episodes, &symptoms, start, end, rules);
            let mut incident = Incident {
                start,
                end,
                ongoing,
                symptoms,
                detected,
                impact,
                chain: Vec::new(),
                confidence: 0.0,
                alternatives: Vec::new(),
                resolution: None,
                measures: Vec::new(),
            };
            chain::explain(&mut incident, episodes, rules, options);
            incident.measures = measures::propose(&incident, &traffic, episodes, rules);
            incident
        })
        .collect();
    let largest = (0..incidents.len()).max_by(|&a, &b| {
        let key = |i: &Incident| (i.impact.failed_requests, i.end - i.start);
        key(&incidents[a]).cmp(&key(&incidents[b])).then(b.cmp(&a))
    });
    Analysis { incidents, largest }
}

/// Requests, failures and clients in `[start, end)`, from the traffic of every access log.
fn impact(traffic: &Series, start: Micros, end: Micros) -> Impact {
    let mut impact = Impact::default();
    let (mut clients, mut affected) = (ClientSet::default(), ClientSet::default());
    let mut endpoints: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    for (bucket_start, bucket) in traffic.buckets.range(start..end) {
        impact.requests += bucket.requests;
        impact.failed_requests += bucket.failed();
        clients.extend(bucket.clients.iter().copied());
        affected.extend(bucket.failed_clients.iter().copied());
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
    }
    impact.clients = clients.len() as u64;
    impact.affected_clients = affected.len() as u64;
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
    impact.hardest_hit = all.iter().filter(|e| e.failed > 0).take(5).cloned().collect();
    impact.unaffected = all.iter().filter(|e| e.failed == 0 && e.requests >= 10).take(5).cloned().collect();
    impact
}

/// The first failed request in the buckets the window covers, or the first line of a
/// symptom episode. (The window starts within its first bucket; a failure earlier in
/// that bucket is when users began to see errors.)
fn detection(
    result: &ScanResult,
    episodes: &[Episode],
    symptoms: &[usize],
    start: Micros,
    end: Micros,
    rules: &RuleSet,
) -> Option<(Micros, Evidence)> {
    let width = result.bucket.max(1);
    let first_bucket = start.div_euclid(width) * width;
    let first_failure = result
        .hits
        .values()
        .flat_map(|hits| hits.tallies())
        .filter(|((rule, bucket), _)| *bucket >= first_bucket && *bucket < end && rules.get(*rule).category == Category::HttpError)
        .map(|(_, tally)| tally.first)
        .min()
        .map(|mark| (mark.time, Evidence::from(mark)));
    first_failure.or_else(|| symptoms.iter().find_map(|&i| episodes[i].first.map(|ev| (episodes[i].start, ev))))
}
