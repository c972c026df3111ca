//! Corrective and preventative measures, proposed from what was found: the trigger says
//! what to change, the mechanism what to watch, and the detection how much earlier an
//! alert could have fired. Each measure is tied to this incident's facts (its times, its
//! statement, its traffic) and cites the lines it rests on; none is said that the logs do
//! not support.

use super::words::clause;
use super::{text, Incident, Part, Role, Sentence};
use crate::rules::{Category, RuleSet};
use crate::scan::hits::Signal;
use crate::scan::series::Series;
use crate::scan::top_values::Field;
use crate::time::Micros;
use crate::timeline::{Episode, Timeline};

/// Traffic at an instant at least this many times the median minute's is a peak.
const PEAK_FACTOR: f64 = 1.5;

/// Requests in the bucket of `at`, and in the median bucket, over every access log.
fn traffic_at(traffic: &Series, at: Micros) -> Option<(u64, u64)> {
    let here = traffic.buckets.get(&traffic.bucket_start(at))?.requests;
    let mut all: Vec<u64> = traffic.buckets.values().map(|b| b.requests).collect();
    all.sort_unstable();
    Some((here, all[all.len() / 2]))
}

/// What episodes are called, from the rules and the templates.
struct Names<'a> {
    timeline: &'a Timeline,
    rules: &'a RuleSet,
}

impl Names<'_> {
    /// The clause saying what `e` is.
    fn clause(&self, e: &Episode) -> Vec<Part> {
        let rule = match e.signal {
            Signal::Rule(rule) => Some(self.rules.get(rule)),
            _ => None,
        };
        clause(e, rule, &self.timeline.name_of(e, self.rules).title)
    }
}

/// ", when the site served N requests a minute (the median minute: M)", where the access
/// logs say.
fn load(parts: &mut Vec<Part>, traffic: &Series, at: Micros) {
    if let Some((here, median)) = traffic_at(traffic, at) {
        parts.push(text(format!(
            ", when the site served {here} requests a minute (the median minute of these logs: {median})"
        )));
    }
}

pub(super) fn propose(incident: &Incident, timeline: &Timeline, rules: &RuleSet) -> Vec<Sentence> {
    let (traffic, episodes) = (&timeline.traffic, &timeline.episodes[..]);
    let names = Names { timeline, rules };
    let mut measures = Vec::new();
    let trigger = incident.link(Role::Trigger).map(|l| l.episode);
    let origin = incident.link(Role::Origin).map(|l| l.episode);
    let mechanism = incident.link(Role::Mechanism).map(|l| l.episode);

    // What started it, and when: the schedule or the release process to change.
    if let Some(t) = trigger {
        let e = &episodes[t];
        let started = origin.map_or(e, |o| &episodes[o]);
        let mut evidence: Vec<_> = [started.first, e.first].into_iter().flatten().collect();
        evidence.dedup();
        let mut parts = Vec::new();
        match e.category {
            Category::Maintenance | Category::Migration if origin.is_some() => {
                parts.push(text("Move this cron job off-peak and make it check the load before it runs: at "));
                parts.push(Part::Time(started.start));
                load(&mut parts, traffic, started.start);
                parts.push(text(", "));
                parts.extend(names.clause(started));
                parts.push(text(", and then "));
                parts.extend(names.clause(e));
                parts.push(text("."));
            }
            Category::Maintenance => {
                parts.push(text("Run table maintenance off-peak, on a replica or with an online tool: at "));
                parts.push(Part::Time(e.start));
                load(&mut parts, traffic, e.start);
                parts.push(text(", "));
                parts.extend(names.clause(e));
                parts.push(text("."));
            }
            Category::Migration => {
                let cms = matches!(e.signal, Signal::Rule(r) if rules.get(r).id == "app.cms_update");
                parts.push(text(if cms {
                    "Rehearse CMS and extension updates on a staging copy of production, and back up the tables they touch: at "
                } else {
                    "Rehearse schema changes on a production-sized copy, and run them off-peak or with an online tool: at "
                }));
                parts.push(Part::Time(e.start));
                parts.push(text(", "));
                parts.extend(names.clause(e));
                parts.push(text("."));
            }
            Category::Deploy => {
                parts.push(text("Review the release of "));
                parts.push(Part::Time(e.start));
                parts.push(text(" ("));
                parts.extend(names.clause(e));
                parts.push(text(") and load-test such changes before they ship; the failures began "));
                parts.push(Part::Duration(incident.start - e.start));
                parts.push(text(" after it"));
                // Only said when the traffic says so.
                if let Some((here, median)) = traffic_at(traffic, incident.start) {
                    if here as f64 >= PEAK_FACTOR * median as f64 {
                        parts.push(text(format!(
                            ", at a busy time ({here} requests a minute against a median of {median})"
                        )));
                    }
                }
                parts.push(text("."));
            }
            Category::CronJob => {
                parts.push(text("Reschedule this cron job away from busy hours: at "));
                parts.push(Part::Time(e.start));
                load(&mut parts, traffic, e.start);
                parts.push(text(", "));
                parts.extend(names.clause(e));
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
            Category::Change => {
                parts.push(text("Find out what changed at "));
                parts.push(Part::Time(e.start));
                parts.push(text(" ("));
                parts.extend(names.clause(e));
                parts.push(text(
                    "), and have such changes announce themselves in the logs with a version: the failures began ",
                ));
                parts.push(Part::Duration(incident.start - e.start));
                parts.push(text(" later."));
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
        let watch = match e.category {
            Category::TableLock => "Alert on lock waits and lock timeouts",
            Category::PoolExhaustion => "Alert when the connection pool runs dry, and size it for peak load",
            Category::DbCorruption => {
                "Check tables after upgrades and crashes (CHECK TABLE, mysqlcheck), keep a tested backup, and alert on corruption errors"
            }
            Category::SlowQuery => "Find and index the slow statements, and alert on the rate of slow queries",
            Category::Deadlock => "Alert on deadlocks and order the locks the transactions take",
            Category::ResourceExhaustion => "Alert on the resource before it runs out",
            _ => "Alert on these lines",
        };
        let mut parts = vec![text(format!("{watch}: from ")), Part::Time(e.start), text(", ")];
        parts.extend(names.clause(e));
        if let Some(lead) = lead {
            parts.push(text(", "));
            parts.push(Part::Duration(lead));
            parts.push(text(" before the first failure"));
        }
        parts.push(text(format!(" ({} such lines in all).", e.count)));
        measures.push(Sentence::new(parts, e.first.into_iter().collect()));
    }

    // The warnings that came first: what could have raised the alarm, and how early.
    if let Some(sign) = &incident.early_sign {
        let e = &episodes[sign.episode];
        let mut parts = vec![
            text("Alert on the warnings that came first: from "),
            Part::Time(e.start),
            text(", "),
            Part::Duration(sign.before - e.start),
            text(" before the outage began, "),
        ];
        parts.extend(names.clause(e));
        parts.push(text(format!(" ({} lines before it), ", crate::text::thousands(sign.lines))));
        parts.extend(super::words::escalation(&sign.escalation));
        parts.push(text("."));
        measures.push(Sentence::new(parts, e.first.into_iter().chain(sign.last).collect()));
    }

    // Who surged, where the failures went: what to limit, what the balancer should see.
    if let Some(contrast) = &incident.contrast {
        if let Some(f) = contrast.surge.first() {
            // Who sent the surge is limited; where it was sent is given room.
            let (advice, made) = match f.field {
                Field::Referrer => (
                    "Cache the pages a busy link points to and shed load gracefully, and alert when one referrer's share of the traffic jumps: requests referred by ",
                    "were",
                ),
                Field::Host => (
                    "Give each host its own capacity or limits, and alert when one host's share of the traffic jumps: requests for ",
                    "were",
                ),
                _ => (
                    "Rate-limit requests by their source, and alert when one source's share of the traffic jumps: ",
                    "made",
                ),
            };
            let mut parts = vec![text(advice)];
            if !matches!(f.field, Field::Referrer | Field::Host) {
                parts.push(text(format!("{} ", f.field.name())));
            }
            parts.push(Part::Quote(f.value.clone()));
            parts.push(text(format!(" {made} about {:.0} % of the incident's requests.", f.share * 100.0)));
            measures.push(Sentence::new(parts, vec![f.evidence]));
        }
        if let Some(f) = contrast.failures.first().filter(|f| f.field == Field::Upstream) {
            measures.push(Sentence::new(
                vec![
                    text("Take an upstream out of rotation on the failures users get, not only on its health check: "),
                    text(format!("about {:.0} % of the failed requests went to ", f.share * 100.0)),
                    Part::Quote(f.value.clone()),
                    text("."),
                ],
                vec![f.evidence],
            ));
        }
    }

    // Detection: the symptom itself, as users met it.
    if let Some(detected) = incident.detected {
        let at = detected.time;
        let mut parts = if incident.impact.requests > 0 {
            vec![
                text("Alert on the ratio of failed requests: the first failure came at "),
                Part::Time(at),
            ]
        } else {
            vec![text("Alert on the rate of error lines: the first came at "), Part::Time(at)]
        };
        if let Some(t) = origin.or(trigger) {
            let lag = at - episodes[t].start;
            if lag > 0 {
                parts.push(text(", "));
                parts.push(Part::Duration(lag));
                parts.push(text(" after what set it off"));
            }
        }
        if incident.impact.requests > 0 {
            parts.push(text(format!(
                ", and the ratio peaked at {:.0} %.",
                incident.impact.peak_error_ratio * 100.0
            )));
        } else {
            parts.push(text("."));
        }
        measures.push(Sentence::new(parts, vec![detected.evidence]));
    }
    measures
}
