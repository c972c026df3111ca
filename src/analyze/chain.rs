//! The causal chain of an incident: which episode triggered it and through which
//! mechanism. Candidates are ranked on what a person reading the logs would weigh: time
//! order (a cause comes before its effect), layer (system and database before
//! application before web), how specific a category is (a table lock says more than an
//! application error), whether the candidate lasts as long as the symptom, and whether
//! it is routine (the same job every ten minutes is not a suspect). The numbers are in
//! [`super::weights`].

use super::roles::{self, Conditions};
use super::weights::*;
use super::{is_symptom, Incident, Link, Options, Role};
use crate::rules::Category;
use crate::scan::hits::Signal;
use crate::time::Micros;
use crate::timeline::{Episode, Timeline};

pub(super) fn is_trigger(category: Category) -> bool {
    matches!(
        category,
        Category::Maintenance
            | Category::Migration
            | Category::Deploy
            | Category::ConfigChange
            | Category::CronJob
            | Category::TrafficSurge
            | Category::AdminAction
    )
}

/// An episode that is background (it recurs from the start of its logs), or whose rule
/// and subject recur through the logs (in its own source), is routine.
pub(super) fn is_routine(index: usize, episodes: &[Episode]) -> bool {
    let e = &episodes[index];
    e.background
        || episodes
            .iter()
            .filter(|o| o.signal == e.signal && o.subject == e.subject && o.group == e.group)
            .count()
            >= ROUTINE_AT
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

/// When the template of an episode of lines no rule names was first seen in its source.
fn first_seen(e: &Episode, timeline: &Timeline) -> Option<Micros> {
    let Signal::Template(key) = e.signal else { return None };
    Some(timeline.templates.get(&e.group)?.by_key.get(&key)?.first.time)
}

/// How specific an episode is as a mechanism: its category's, or, for lines no rule
/// names, [`NEW_AT_ONSET`] when they are new at the onset or bursting.
/// `began` is when the trouble began: the incident's start, or, for a condition said long
/// before and reprinted into the window, its first line.
fn mechanism_specificity(e: &Episode, began: Micros, timeline: &Timeline) -> Option<f64> {
    if e.category != Category::LogErrors {
        return specificity(e.category);
    }
    // A line with no word says nothing of how it failed (the blank line Rails logs at
    // FATAL before an exception, a lone id).
    let says_a_word = e
        .first_line
        .as_ref()
        .is_none_or(|f| f.message.split(|c: char| !c.is_alphabetic()).any(|word| word.chars().count() >= 2));
    if !says_a_word {
        return None;
    }
    let new = first_seen(e, timeline).is_some_and(|first| first >= began - MECHANISM_LEAD);
    (new || e.rate.is_some()).then_some(NEW_AT_ONSET)
}

/// How well an episode (by index) fits as the mechanism of an incident; `None` when it
/// cannot be one (not a mechanism's category, or not under way when the symptom starts).
/// A condition is weighed with its reprints, as holding until the incident ends (see
/// [`Conditions::held_until`]).
pub(super) fn mechanism_score(index: usize, incident: &Incident, timeline: &Timeline, conditions: &Conditions) -> Option<f64> {
    let episodes = &timeline.episodes;
    let e = &episodes[index];
    // What was there before anything went wrong is not how it went wrong.
    if e.background || e.start > incident.start + MECHANISM_LAG {
        return None;
    }
    let held_until = conditions.held_until(index, episodes, incident);
    // A condition said long before and reprinted into the window is under way all the
    // same.
    let reprinted_into = conditions.chain(index).len() > 1 && held_until >= incident.start;
    if (e.start < incident.start - MECHANISM_LEAD && !reprinted_into) || held_until < incident.start - MECHANISM_ENDED_BEFORE {
        return None;
    }
    let lines = conditions.lines(index, episodes);
    let began = if reprinted_into {
        incident.start.min(e.start)
    } else {
        incident.start
    };
    let specific = mechanism_specificity(e, began, timeline)?;
    let timing = if e.start <= incident.start + MECHANISM_ON_TIME {
        1.0 - EARLY_PENALTY * ((incident.start - e.start).max(0) as f64 / MECHANISM_LEAD as f64).min(1.0)
    } else {
        1.0 - LATE_PENALTY * ((e.start - incident.start) as f64 / MECHANISM_LAG as f64)
    };
    let moves_with = overlap((incident.start, incident.end), (e.start, held_until));
    let repeated = SINGLE_LINE_SHARE + (1.0 - SINGLE_LINE_SHARE) * ((lines as f64).ln() / REPEATED_AT.ln()).min(1.0);
    Some(specific * layer(e.kind) * timing * ((1.0 - SPAN_SHARE) + SPAN_SHARE * moves_with) * repeated)
}

/// Whether a mechanism's category is one a rule names as a resource or a state (a lock,
/// a pool, a disk, a corrupt table, slow queries): such a rule outranks a message no
/// rule names, and an application's or a proxy's error.
fn named_mechanism(category: Category) -> bool {
    specificity(category).is_some_and(|s| s >= NAMED_MECHANISM)
}

/// How well an episode fits as the trigger of a mechanism that started at `anchor`;
/// `None` when it cannot be one.
pub(super) fn trigger_score(
    index: usize,
    episodes: &[Episode],
    anchor: Micros,
    mechanism: Option<Category>,
    failing: &Names,
    options: &Options,
) -> Option<f64> {
    let e = &episodes[index];
    if e.background || e.start > anchor + TRIGGER_LATE_BY || e.start < anchor - options.lookback {
        return None;
    }
    if e.category == Category::Change {
        let closeness = halved_at((anchor - e.start).max(0), CHANGE_HALF_MINUTES);
        return Some(CHANGE_COMPATIBILITY * e.strength? * closeness);
    }
    if !is_trigger(e.category) {
        return None;
    }
    // What a person did once the trouble had begun is a response to it, not its cause.
    if e.category == Category::AdminAction && e.start >= anchor {
        return None;
    }
    let before = (anchor - e.start).max(0);
    // A change to what failed may show hours later (at the next peak); a change to
    // anything else only soon after, if at all.
    let closeness = if failing.named_by(e) {
        1.0 - TRIGGER_AGE_PENALTY * (before as f64 / options.lookback as f64)
    } else {
        halved_at(before, UNRELATED_HALF_MINUTES)
    };
    let routine = if is_routine(index, episodes) { ROUTINE_SHARE } else { 1.0 };
    Some(compatibility(e.category, mechanism) * closeness * routine)
}

/// The names of the things that failed in an incident: the words of its failing lines
/// (the mechanism's candidates and the echoes: what they said, without the request it was
/// said of, an echo's route included), the logs that hold them, and those logs' names
/// (`checkout` of `checkout.log`, `api` of `api.log`). A trigger written in one of those logs (a service
/// that logs its own release), or that names one of those things (`systemctl restart
/// checkout`, a package, a file, a replica set), is about what failed.
pub(super) struct Names {
    words: std::collections::BTreeSet<String>,
    logs: std::collections::BTreeSet<String>,
    /// The logs' names, however short: a trigger names one by the whole word.
    log_names: std::collections::BTreeSet<String>,
}

/// Words of a name: letters and digits, at least this long (`log`, `usr`, `bin` and the
/// like are shorter) …
const NAME_MIN_CHARS: usize = 4;
/// … and not words of action that commands and failures both say.
const NOT_NAMES: [&str; 6] = ["restart", "start", "stop", "reload", "kill", "service"];

fn names_in(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= NAME_MIN_CHARS && w.bytes().any(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_lowercase)
        .filter(|w| !NOT_NAMES.contains(&w.as_str()))
}

impl Names {
    /// The names of `mechanisms` (what they said, whole) and of `echoes` (what they said
    /// without the route each was said of: which request failed first is chance, and
    /// `Internal Server Error: /search` names no search service).
    fn of_failing(mechanisms: impl Iterator<Item = usize>, echoes: &[usize], episodes: &[Episode]) -> Names {
        let mut names = Names {
            words: Default::default(),
            logs: Default::default(),
            log_names: Default::default(),
        };
        let failing = mechanisms.map(|i| (i, false)).chain(echoes.iter().map(|&i| (i, true)));
        for (e, echo) in failing.map(|(i, echo)| (&episodes[i], echo)) {
            names.logs.insert(e.group.clone());
            let file = crate::source::file_name(&e.group);
            names.words.extend(names_in(file));
            let stem = file.split('.').next().unwrap_or(file).to_ascii_lowercase();
            if !stem.is_empty() {
                names.log_names.insert(stem);
            }
            if let Some(line) = &e.first_line {
                let said = super::words::words_of(&line.message);
                let named = said
                    .split_whitespace()
                    .filter(|word| !(echo && crate::scan::templates::is_route(super::roles::bare_word(word).as_bytes())));
                names.words.extend(named.flat_map(names_in));
            }
        }
        names
    }

    /// Whether `trigger` may be about one of the things that failed: it is written in a
    /// log that failed, or names one of them in what it acted on (its subject) or in its
    /// line; or one side names nothing to compare (a surge, a failure no line tells),
    /// which says nothing against it.
    fn named_by(&self, trigger: &Episode) -> bool {
        if self.logs.contains(&trigger.group) {
            return true;
        }
        let subject = trigger.subject.as_ref().map(|s| s.value.as_str()).unwrap_or_default();
        let line = trigger.first_line.as_ref().map(|l| &*l.message).unwrap_or_default();
        let names_a_log = [subject, line]
            .iter()
            .flat_map(|text| text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_'))
            .any(|word| self.log_names.contains(&word.to_ascii_lowercase()));
        let mut names = names_in(subject).chain(names_in(line)).peekable();
        names_a_log || self.words.is_empty() || names.peek().is_none() || names.any(|w| self.words.contains(&w))
    }
}

/// Lines a stack trace's first line may stand below its entry's first line: the Java
/// exception comes right below (after a blank line at most), a Python traceback's last
/// line after its frames, two lines each, for a dozen frames or so.
pub const ENTRY_LINES: u64 = 50;

/// Whether an episode is of lines that name an exception (`com.acme.BinLockedException:
/// …`, `KeyError: 'eur'`), no rule naming them.
fn is_an_exception_line(e: &Episode) -> bool {
    e.category == Category::LogErrors
        && e.first_line
            .as_ref()
            .is_some_and(|f| crate::format::traceback::names_an_exception(&f.message))
}

/// Of `candidates`, those that open entries whose exception line is another candidate: a
/// line that names an exception, in the same file at the same time, at most
/// [`ENTRY_LINES`] below the header's first line. Looked up by file, time and line, so
/// that many candidates cost no more than sorting them.
pub(super) fn headers_of_exceptions(candidates: &[usize], episodes: &[Episode]) -> std::collections::BTreeSet<usize> {
    let exception_lines: std::collections::BTreeSet<(u32, Micros, u64)> = candidates
        .iter()
        .map(|&i| &episodes[i])
        .filter(|e| is_an_exception_line(e))
        .filter_map(|e| e.first.map(|f| (f.file, e.start, f.line)))
        .collect();
    candidates
        .iter()
        .copied()
        .filter(|&i| {
            let e = &episodes[i];
            e.category == Category::LogErrors
                && e.first.is_some_and(|above| {
                    let below = (above.file, e.start, above.line + 1)..=(above.file, e.start, above.line.saturating_add(ENTRY_LINES));
                    exception_lines.range(below).next().is_some()
                })
        })
        .collect()
}

/// Fills the incident's chain, confidence and alternatives.
pub(super) fn explain(incident: &mut Incident, timeline: &Timeline, options: &Options, conditions: &Conditions) {
    let episodes = &timeline.episodes[..];
    let category = |i: usize| episodes[i].category;
    let mut mechanisms: Vec<Link> = (0..episodes.len())
        .filter(|&i| !is_symptom(category(i)) && !conditions.is_reprint(i))
        .filter_map(|i| {
            mechanism_score(i, incident, timeline, conditions).map(|score| Link {
                role: Role::Mechanism,
                episode: i,
                score,
            })
        })
        .collect();
    // The failures seen from another log are part of the symptom, never its cause.
    incident.echoes = mechanisms
        .iter()
        .map(|l| l.episode)
        .filter(|&i| roles::is_echo(&episodes[i], incident, timeline))
        .collect();
    mechanisms.retain(|l| !incident.echoes.contains(&l.episode));
    // An entry's first line that says only that something failed, where the entry goes on
    // to name the error (a stack trace's first line, untimed, right below it): the line
    // that names the error says how it failed; its header is not another candidate.
    let candidates: Vec<usize> = mechanisms.iter().map(|l| l.episode).collect();
    let headers = headers_of_exceptions(&candidates, episodes);
    mechanisms.retain(|l| !headers.contains(&l.episode));
    // What a rule names as a resource or a state comes first.
    mechanisms.sort_by(|a, b| {
        named_mechanism(category(b.episode))
            .cmp(&named_mechanism(category(a.episode)))
            .then(b.score.total_cmp(&a.score))
            .then(a.episode.cmp(&b.episode))
    });
    let best_mechanism = mechanisms.first().copied();
    let failing = Names::of_failing(mechanisms.iter().map(|l| l.episode), &incident.echoes, episodes);
    let mechanism_category = best_mechanism.map(|l| category(l.episode));
    // Triggers come before the mechanism (or the symptom, without one).
    let anchor = best_mechanism.map_or(incident.start, |l| episodes[l.episode].start.min(incident.start));
    let mut triggers: Vec<Link> = (0..episodes.len())
        .filter_map(|i| {
            trigger_score(i, episodes, anchor, mechanism_category, &failing, options).map(|score| Link {
                role: Role::Trigger,
                episode: i,
                score,
            })
        })
        .filter(|l| l.score >= MIN_TRIGGER_SCORE)
        .collect();
    // What a rule names comes first; a change no rule names is the trigger only when
    // nothing more specific is found.
    let named = |l: &Link| category(l.episode) != Category::Change;
    triggers.sort_by(|a, b| {
        named(b)
            .cmp(&named(a))
            .then(b.score.total_cmp(&a.score))
            .then(episodes[b.episode].start.cmp(&episodes[a.episode].start))
    });
    // Of actions typed together (a setting edited, then the service reloaded), the first
    // is where the change began.
    let best_trigger = triggers.first().copied().map(|best| {
        let start = |l: &Link| episodes[l.episode].start;
        triggers
            .iter()
            .filter(|l| {
                category(l.episode) == category(best.episode)
                    && start(l) <= start(&best)
                    && start(&best) - start(l) <= FIX_TOGETHER
                    && l.score >= NEAR_TIE * best.score
            })
            .min_by_key(|l| (start(l), l.episode))
            .copied()
            .unwrap_or(best)
    });
    if let Some(best) = best_trigger {
        // The chosen one first, so that the alternatives list the others.
        triggers.retain(|l| l.episode != best.episode);
        triggers.insert(0, best);
    }

    let mut chain = Vec::new();
    if let Some(trigger) = best_trigger {
        // A maintenance or migration started by cron: the cron job is where it came from.
        let trigger_start = episodes[trigger.episode].start;
        if matches!(category(trigger.episode), Category::Maintenance | Category::Migration) {
            let origin = (0..episodes.len())
                .filter(|&i| category(i) == Category::CronJob && !is_routine(i, episodes))
                .filter(|&i| episodes[i].start <= trigger_start && episodes[i].start >= trigger_start - ORIGIN_WITHIN)
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
        // A second mechanism that nearly ties and runs alongside is part of the story.
        if let Some(second) = mechanisms
            .get(1)
            .filter(|l| l.score >= NEAR_TIE * best.score && category(l.episode) != category(best.episode))
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
    // Each alternative once: the same rule or message on another host, for another
    // route, or in another stretch is the same candidate, and one in the chain is told.
    // What a key field names is another thing (two cron commands, two tables).
    let candidate = |i: usize| {
        let e = &episodes[i];
        let thing = e
            .subject
            .as_ref()
            .filter(|s| crate::scan::hits::is_key_field(&s.field))
            .map(|s| s.value.as_str());
        (e.signal, thing)
    };
    let mut told: Vec<(Signal, Option<&str>)> = chain.iter().map(|l| candidate(l.episode)).collect();
    incident.alternatives = mechanisms
        .iter()
        .chain(triggers.iter())
        .filter(|l| {
            let this = candidate(l.episode);
            let new = !told.contains(&this);
            told.push(this);
            new
        })
        .take(ALTERNATIVES)
        .copied()
        .collect();
    incident.confidence = confidence(best_trigger.map(|t| t.score), best_mechanism.map(|m| m.score));
    incident.chain = chain;
}
