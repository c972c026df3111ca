//! The causal chain of an incident: which episode triggered it, through which mechanism,
//! and what ended it. Candidates are ranked on what a person reading the logs would
//! weigh: time order (a cause comes before its effect), layer (system and database
//! before application before web), how specific a category is (a table lock says more
//! than an application error), whether the candidate lasts as long as the symptom, and
//! whether it is routine (the same job every ten minutes is not a suspect).

use super::{is_symptom, Incident, Link, Options, Role};
use crate::format::SourceKind;
use crate::rules::{Category, RuleSet};
use crate::time::Micros;
use crate::timeline::Episode;

const MINUTE: Micros = 60 * 1_000_000;

/// How much a mechanism category says about a cause; `None` for categories that are not
/// mechanisms.
fn specificity(category: Category) -> Option<f64> {
    Some(match category {
        Category::DbCorruption => 1.0,
        Category::TableLock | Category::PoolExhaustion => 0.95,
        Category::Deadlock | Category::ResourceExhaustion => 0.9,
        Category::SlowQuery | Category::DbError => 0.8,
        Category::UpstreamError => 0.55,
        Category::Restart => 0.3,
        Category::AppError => 0.2,
        _ => return None,
    })
}

/// Deeper layers are likelier causes of what the layers above them show.
fn layer(kind: SourceKind) -> f64 {
    match kind {
        SourceKind::System => 1.0,
        SourceKind::Db => 0.95,
        SourceKind::App => 0.8,
        SourceKind::Web => 0.6,
    }
}

fn is_trigger(category: Category) -> bool {
    matches!(
        category,
        Category::Maintenance
            | Category::Migration
            | Category::Deploy
            | Category::ConfigChange
            | Category::CronJob
            | Category::TrafficSurge
    )
}

/// How well a trigger explains a mechanism.
fn compatibility(trigger: Category, mechanism: Option<Category>) -> f64 {
    use Category::*;
    match (trigger, mechanism) {
        (Maintenance | Migration, Some(TableLock | SlowQuery | DbCorruption | Deadlock | DbError)) => 1.0,
        (Deploy, Some(PoolExhaustion | AppError | SlowQuery | UpstreamError | DbError | Deadlock)) => 1.0,
        (TrafficSurge, Some(SlowQuery | PoolExhaustion | ResourceExhaustion | UpstreamError)) => 1.0,
        (ConfigChange, _) => 0.8,
        (CronJob, _) => 0.7,
        _ => 0.5,
    }
}

/// An episode whose rule and subject recur through the logs is routine.
fn is_routine(index: usize, episodes: &[Episode]) -> bool {
    let e = &episodes[index];
    episodes
        .iter()
        .filter(|o| o.rule == e.rule && o.subject == e.subject && o.group == e.group)
        .count()
        >= 3
}

/// Fraction of `[a0, a1]` overlapped by `[b0, b1]`, with points counted as half there.
fn overlap(a: (Micros, Micros), b: (Micros, Micros)) -> f64 {
    let length = (a.1 - a.0).max(1);
    let shared = (a.1.min(b.1) - a.0.max(b.0)).max(0);
    if a.1 == a.0 {
        return if a.0 >= b.0 && a.0 <= b.1 { 0.5 } else { 0.0 };
    }
    shared as f64 / length as f64
}

fn mechanism_score(e: &Episode, category: Category, incident: &Incident) -> Option<f64> {
    let specific = specificity(category)?;
    // A mechanism is under way when the symptom starts: begun up to half an hour
    // before, or within a quarter of an hour after.
    if e.start < incident.start - 30 * MINUTE || e.start > incident.start + 15 * MINUTE || e.end < incident.start - 5 * MINUTE {
        return None;
    }
    let timing = if e.start <= incident.start + MINUTE {
        1.0 - 0.3 * ((incident.start - e.start).max(0) as f64 / (30 * MINUTE) as f64)
    } else {
        1.0 - 0.6 * ((e.start - incident.start) as f64 / (15 * MINUTE) as f64)
    };
    let moves_with = overlap((incident.start, incident.end), (e.start, e.end));
    let repeated = 0.7 + 0.3 * ((e.count as f64).ln() / 100f64.ln()).min(1.0);
    Some(specific * layer(e.kind) * timing * (0.5 + 0.5 * moves_with) * repeated)
}

fn trigger_score(
    index: usize,
    episodes: &[Episode],
    category: Category,
    anchor: Micros,
    mechanism: Option<Category>,
    options: &Options,
) -> Option<f64> {
    let e = &episodes[index];
    if !is_trigger(category) || e.start > anchor + 2 * MINUTE || e.start < anchor - options.lookback {
        return None;
    }
    let closeness = 1.0 - 0.5 * ((anchor - e.start).max(0) as f64 / options.lookback as f64);
    let routine = if is_routine(index, episodes) { 0.2 } else { 1.0 };
    Some(compatibility(category, mechanism) * closeness * routine)
}

/// Fills the incident's chain, confidence, alternatives and resolution.
pub(super) fn explain(incident: &mut Incident, episodes: &[Episode], rules: &RuleSet, options: &Options) {
    let category = |i: usize| rules.get(episodes[i].rule).category;
    let mut mechanisms: Vec<Link> = (0..episodes.len())
        .filter(|&i| !is_symptom(category(i)))
        .filter_map(|i| {
            mechanism_score(&episodes[i], category(i), incident).map(|score| Link {
                role: Role::Mechanism,
                episode: i,
                score,
            })
        })
        .collect();
    mechanisms.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.episode.cmp(&b.episode)));
    let best_mechanism = mechanisms.first().copied();
    let mechanism_category = best_mechanism.map(|l| category(l.episode));
    // Triggers come before the mechanism (or the symptom, without one).
    let anchor = best_mechanism.map_or(incident.start, |l| episodes[l.episode].start.min(incident.start));
    let mut triggers: Vec<Link> = (0..episodes.len())
        .filter_map(|i| {
            trigger_score(i, episodes, category(i), anchor, mechanism_category, options).map(|score| Link {
                role: Role::Trigger,
                episode: i,
                score,
            })
        })
        .filter(|l| l.score >= 0.2)
        .collect();
    triggers.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(episodes[b.episode].start.cmp(&episodes[a.episode].start))
    });
    let best_trigger = triggers.first().copied();

    let mut chain = Vec::new();
    if let Some(trigger) = best_trigger {
        // A maintenance or migration started by cron: the cron job is where it came from.
        let trigger_start = episodes[trigger.episode].start;
        if matches!(category(trigger.episode), Category::Maintenance | Category::Migration) {
            let origin = (0..episodes.len())
                .filter(|&i| category(i) == Category::CronJob && !is_routine(i, episodes))
                .filter(|&i| episodes[i].start <= trigger_start && episodes[i].start >= trigger_start - 5 * MINUTE)
                .max_by_key(|&i| episodes[i].start);
            if let Some(origin) = origin {
                chain.push(Link {
                    role: Role::Origin,
                    episode: origin,
                    score: trigger.score,
                });
            }
        }
        chain.push(trigger);
    }
    if let Some(best) = best_mechanism {
        chain.push(best);
        // A second mechanism that nearly ties and runs alongside is part of the story
        // (a migration's lock waits and its slow queries).
        if let Some(second) = mechanisms
            .get(1)
            .filter(|l| l.score >= 0.8 * best.score && category(l.episode) != category(best.episode))
        {
            chain.push(*second);
        }
    }
    if let Some(&symptom) = incident.symptoms.first() {
        chain.push(Link {
            role: Role::Symptom,
            episode: symptom,
            score: 1.0,
        });
    }
    let in_chain: Vec<usize> = chain.iter().map(|l| l.episode).collect();
    incident.alternatives = mechanisms
        .iter()
        .chain(triggers.iter())
        .filter(|l| !in_chain.contains(&l.episode))
        .take(4)
        .copied()
        .collect();
    incident.confidence = match (best_trigger, best_mechanism) {
        (Some(t), Some(m)) => (0.5 * m.score + 0.5 * t.score).min(1.0),
        (None, Some(m)) => 0.6 * m.score,
        (Some(t), None) => 0.5 * t.score,
        (None, None) => 0.0,
    };
    incident.chain = chain;
    incident.resolution = resolution(incident, episodes, rules, best_mechanism.map(|l| l.episode));
}

/// What ended it: an administrator's action, a rollback or deploy, a restart, or a
/// schema change (an index) close to when the mechanism stopped.
fn resolution(incident: &Incident, episodes: &[Episode], rules: &RuleSet, mechanism: Option<usize>) -> Option<usize> {
    let stopped = mechanism.map_or(incident.end, |m| episodes[m].end);
    let in_chain: Vec<usize> = incident.chain.iter().map(|l| l.episode).collect();
    (0..episodes.len())
        .filter(|i| !in_chain.contains(i))
        .filter(|&i| {
            let c = rules.get(episodes[i].rule).category;
            matches!(
                c,
                Category::AdminAction
                    | Category::Deploy
                    | Category::Restart
                    | Category::Migration
                    | Category::Maintenance
                    | Category::ConfigChange
            )
        })
        .filter(|&i| {
            episodes[i].start > incident.start
                && episodes[i].start >= stopped - 10 * MINUTE
                && episodes[i].start <= incident.end + 5 * MINUTE
        })
        .min_by_key(|&i| ((episodes[i].start - stopped).abs(), i))
}
