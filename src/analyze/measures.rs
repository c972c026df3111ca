//! Corrective and preventative measures, proposed from what was found: the mechanism
//! says what to watch, the trigger says what to change, and the detection says how much
//! earlier an alert could have fired. Each measure cites the lines it rests on.

use super::{text, Incident, Part, Role, Sentence};
use crate::rules::{Category, RuleSet};
use crate::scan::series::Series;
use crate::time::Micros;
use crate::timeline::{Episode, Timeline};

/// Requests in the bucket of `at`, and in the median bucket, over every access log.
fn traffic_at(traffic: &Series, at: Micros) -> Option<(u64, u64)> {
    let here = traffic.buckets.get(&traffic.bucket_start(at))?.requests;
    let mut all: Vec<u64> = traffic.buckets.values().map(|b| b.requests).collect();
    all.sort_unstable();
    Some((here, all[all.len() / 2]))
}

/// The rule's title in words, and what it was about (a command, a table) quoted:
/// `ALTER TABLE run (`orders`)`.
fn what(episode: &Episode, names: &Names) -> Vec<Part> {
    let mut parts = vec![text(names.title(episode))];
    if let Some(subject) = &episode.subject {
        parts.push(text(" ("));
        parts.push(Part::Quote(subject.value.clone()));
        parts.push(text(")"));
    }
    parts
}

/// What the episode was about, quoted (`/opt/migrate --all`), or its title in words.
fn thing(episode: &Episode, names: &Names) -> Part {
    match &episode.subject {
        Some(subject) => Part::Quote(subject.value.clone()),
        None => text(names.title(episode)),
    }
}

/// Titles of episodes, from the rules and the templates.
pub(super) struct Names<'a> {
    pub timeline: &'a Timeline,
    pub rules: &'a RuleSet,
}

impl Names<'_> {
    fn title(&self, episode: &Episode) -> String {
        self.timeline.name_of(episode, self.rules).title
    }
}

pub(super) fn propose(incident: &Incident, timeline: &Timeline, rules: &RuleSet) -> Vec<Sentence> {
    let (traffic, episodes) = (&timeline.traffic, &timeline.episodes[..]);
    let names = Names { timeline, rules };
    let mut measures = Vec::new();
    let category = |i: usize| episodes[i].category;
    let trigger = incident.link(Role::Trigger).map(|l| l.episode);
    let origin = incident.link(Role::Origin).map(|l| l.episode);
    let mechanism = incident.link(Role::Mechanism).map(|l| l.episode);

    // What started it, and when: the schedule or the release process to change.
    if let Some(t) = trigger {
        let e = &episodes[t];
        let started = origin.map_or(e, |o| &episodes[o]);
        let mut evidence: Vec<_> = [started.first, e.first].into_iter().flatten().collect();
        evidence.dedup();
        let load_at = traffic_at(traffic, started.start);
        let load = |parts: &mut Vec<Part>| {
            if let Some((here, median)) = load_at {
                parts.push(text(format!(
                    ", when the site served {here} requests a minute (the median minute of these logs: {median})"
                )));
            }
        };
        let mut parts = Vec::new();
        match category(t) {
            Category::Maintenance | Category::Migration if origin.is_some() => {
                parts.push(text("Move the cron job "));
                parts.push(thing(started, &names));
                parts.push(text(" off-peak and make it check the load before it runs: it started at "));
                parts.push(Part::Time(started.start));
                load(&mut parts);
                parts.push(text(", and it ran "));
                parts.extend(what(e, &names));
                parts.push(text("."));
            }
            Category::Maintenance => {
                parts.push(text("Run table maintenance off-peak, on a replica or with an online tool: "));
                parts.extend(what(e, &names));
                parts.push(text(" at "));
                parts.push(Part::Time(e.start));
                load(&mut parts);
                parts.push(text("."));
            }
            Category::Migration => {
                parts.push(text(
                    "Rehearse schema, CMS and extension updates on a staging copy of production, and back up the tables they touch: ",
                ));
                parts.extend(what(e, &names));
                parts.push(text(" at "));
                parts.push(Part::Time(e.start));
                parts.push(text("."));
            }
            Category::Deploy => {
                parts.push(text("Review the release "));
                parts.push(thing(e, &names));
                parts.push(text(" of "));
                parts.push(Part::Time(e.start));
                parts.push(text(
                    " and load-test such changes against production-sized traffic and pool sizes before they ship; the problem surfaced ",
                ));
                parts.push(Part::Duration(incident.start - e.start));
                parts.push(text(" after it, at the next peak."));
            }
            Category::CronJob => {
                parts.push(text("Reschedule the cron job "));
                parts.push(thing(e, &names));
                parts.push(text(" away from peak hours: it started at "));
                parts.push(Part::Time(e.start));
                load(&mut parts);
                parts.push(text("."));
            }
            Category::TrafficSurge => {
                let peak = e.rate.map_or(0.0, |r| r.peak);
                let baseline = e.rate.map_or(0.0, |r| r.baseline);
                parts.push(text(format!(
                    "Plan capacity for surges and shed load gracefully: traffic reached {peak:.0} requests a minute from {baseline:.0} (about {:.1} ×), from ",
                    if baseline > 0.0 { peak / baseline } else { 0.0 }
                )));
                parts.push(Part::Time(e.start));
                parts.push(text("."));
            }
            _ => {}
        }
        if !parts.is_empty() {
            measures.push(Sentence::new(parts, evidence));
        }
    }

    // The mechanism: what to watch so that it is seen before users see it.
    if let Some(m) = mechanism {
        let e = &episodes[m];
        let lead = incident.detected.map(|d| d.time - e.start).filter(|d| *d > 0);
        let mut parts = match category(m) {
            Category::TableLock => vec![text("Alert on lock waits and lock timeouts: the first one came at ")],
            Category::PoolExhaustion => vec![text(
                "Alert when the connection pool runs dry and size it for peak load: the first timeout came at ",
            )],
            Category::DbCorruption => {
                vec![text("Check tables after upgrades and crashes (CHECK TABLE, mysqlcheck), keep a tested backup, and alert on corruption errors: the first came at ")]
            }
            Category::SlowQuery => vec![text(
                "Find and index the slow statements, and alert on the rate of slow queries: the first came at ",
            )],
            Category::Deadlock => vec![text(
                "Alert on deadlocks and order the locks the transactions take: the first came at ",
            )],
            Category::ResourceExhaustion => vec![text("Alert on the resource before it runs out: it first ran out at ")],
            _ => vec![text("Alert on "), Part::Quote(names.title(e)), text(": it first showed at ")],
        };
        parts.push(Part::Time(e.start));
        if let Some(lead) = lead {
            parts.push(text(", "));
            parts.push(Part::Duration(lead));
            parts.push(text(" before the first failed request"));
        }
        parts.push(text(format!(" ({} such lines in all).", e.count)));
        measures.push(Sentence::new(parts, e.first.into_iter().collect()));
    }

    // Detection: the symptom itself, as users met it.
    if let Some(detected) = incident.detected {
        let at = detected.time;
        let mut parts = vec![
            text("Alert on the ratio of failed requests: the first failure came at "),
            Part::Time(at),
        ];
        if let Some(t) = origin.or(trigger) {
            let lag = at - episodes[t].start;
            if lag > 0 {
                parts.push(text(", "));
                parts.push(Part::Duration(lag));
                parts.push(text(" after the trigger"));
            }
        }
        parts.push(text(format!(
            ", and the ratio peaked at {:.0} %.",
            incident.impact.peak_error_ratio * 100.0
        )));
        measures.push(Sentence::new(parts, vec![detected.evidence]));
    }
    measures
}
