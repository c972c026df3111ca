//! Early signs: the warnings that led up to the failure. A volume warned it was filling
//! for hours before writes failed on it; a queue warned it was growing; a certificate
//! counted down its days. A person reading the timeline names them apart from the cause:
//! they are what could have raised the alarm, and when.
//!
//! A signal is an early sign of an incident when its warnings
//! - began at least [`EARLY_SIGN_LEAD`] before the first anomaly (the failures, or the
//!   mechanism where it came first), within `--lookback`, and is not routine (a warning
//!   that recurs through the logs is background, see `timeline::shape`);
//! - were still coming within [`STILL_WARNING`] of it (one that came and went is over);
//! - were said at least [`SIGN_LINES`] times before it;
//! - and escalated: their rate rose ([`RISING`] times as many in the later half of that
//!   time as in the earlier), or a number in them moved one way, line after line
//!   ([`COUNTING_LINES`] lines or more, not a sequence counting by one).
//!
//! Only warnings: an error is a failure already, and a note is not a sign of one. Not a
//! link of the chain, nor an echo of the failures.

use super::{Incident, Options};
use crate::rules::{Category, RuleSet, Severity};
use crate::scan::hits::Signal;
use crate::time::Micros;
use crate::timeline::{Episode, Evidence, Timeline};
use serde::Serialize;
use std::collections::BTreeMap;

const MINUTE: Micros = 60 * 1_000_000;

/// A sign comes this long before the first anomaly at least: closer, it is part of the
/// failure (the first of its lines).
pub const EARLY_SIGN_LEAD: Micros = 10 * MINUTE;
/// Its last line before the anomaly came at most this long before it: it led up to the
/// failure, rather than coming and going before.
pub const STILL_WARNING: Micros = 30 * MINUTE;
/// Lines before the anomaly, at least: one warning is a note, three a pattern.
pub const SIGN_LINES: u64 = 3;
/// The later half of the warning time holds at least this many times the earlier half's
/// lines: twice as often is a trend, not noise around a steady rate …
pub const RISING: f64 = 2.0;
/// … or at least this many of its lines carry a number that moves one way: four points
/// in a row make a trend a coin does not (one chance in eight of three steps one way).
pub const COUNTING_LINES: usize = 4;

/// How the warnings escalated.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Escalation {
    /// More lines in the later half of the time before the failures than in the earlier.
    Rate { earlier: u64, later: u64 },
    /// A number in the lines moving one way: its name where a `key=` gave one, and its
    /// values, the first few and the last, of `lines` lines read.
    Numbers {
        name: Option<String>,
        values: Vec<String>,
        lines: usize,
    },
}

/// The warnings that led up to an incident.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlySign {
    /// The first episode of its signal: the first warning.
    pub episode: usize,
    /// Its lines before the first anomaly.
    pub lines: u64,
    /// The last of them.
    pub last: Option<Evidence>,
    /// The first anomaly it came before.
    pub before: Micros,
    pub escalation: Escalation,
}

/// The early sign of `incident`, if its logs hold one: the earliest signal that
/// qualifies (see the module's doc).
pub fn find(incident: &Incident, timeline: &Timeline, rules: &RuleSet, options: &Options) -> Option<EarlySign> {
    let episodes = &timeline.episodes;
    let mechanism_start = incident.link(super::Role::Mechanism).map(|l| episodes[l.episode].start);
    let before = mechanism_start.map_or(incident.start, |m| m.min(incident.start));
    let taken = |i: usize| incident.chain.iter().any(|l| l.episode == i) || incident.echoes.contains(&i);
    // Each signal of each source, with its episodes before the anomaly, in time order.
    let mut signals: BTreeMap<(&str, Signal), Vec<usize>> = BTreeMap::new();
    for (i, e) in episodes.iter().enumerate() {
        if e.start < before && e.start >= before - options.lookback && e.rate.is_none() {
            signals.entry((e.group.as_str(), e.signal)).or_default().push(i);
        }
    }
    signals
        .into_iter()
        .filter(|((group, signal), members)| {
            let name = timeline.name(*signal, group, rules);
            name.severity == Severity::Warning
                && members.iter().all(|&i| !taken(i) && !episodes[i].background)
                && !matches!(episodes[members[0]].category, Category::Change | Category::HttpError)
        })
        .filter_map(|((group, signal), members)| {
            let first = &episodes[members[0]];
            let counts = timeline.signal_counts.get(&(group.to_string(), signal))?;
            sign_of(first, &members, episodes, counts, timeline, before).map(|sign| (first.start, members[0], sign))
        })
        .min_by_key(|(start, index, _)| (*start, *index))
        .map(|(_, _, sign)| sign)
}

/// The early sign these episodes of one signal make, or `None` (see the module's doc).
fn sign_of(
    first: &Episode,
    members: &[usize],
    episodes: &[Episode],
    counts: &BTreeMap<Micros, u64>,
    timeline: &Timeline,
    before: Micros,
) -> Option<EarlySign> {
    let last_episode = &episodes[*members.last()?];
    if first.start > before - EARLY_SIGN_LEAD || last_episode.end.min(before) < before - STILL_WARNING {
        return None;
    }
    let width = timeline.traffic.width.max(1);
    let lines: u64 = counts.range(first.start - width..before).map(|(_, n)| n).sum();
    if lines < SIGN_LINES {
        return None;
    }
    let escalation = rising(counts, first.start, before, width).or_else(|| {
        // The lines whose text is kept: the first of each episode, and the earliest few of
        // its template.
        let mut said: Vec<(Micros, &str)> = members
            .iter()
            .filter_map(|&i| episodes[i].first_line.as_ref().map(|f| (episodes[i].start, &*f.message)))
            .collect();
        if let Signal::Template(key) = first.signal {
            if let Some(template) = timeline.templates.get(&first.group).and_then(|t| t.by_key.get(&key)) {
                said.extend(
                    template
                        .earliest
                        .iter()
                        .filter(|o| o.mark.time < before)
                        .map(|o| (o.mark.time, &*o.message)),
                );
            }
        }
        said.sort();
        said.dedup();
        counting(&said.iter().map(|(_, m)| *m).collect::<Vec<_>>())
    })?;
    Some(EarlySign {
        episode: members[0],
        lines,
        last: last_episode.last.or(last_episode.first),
        before,
        escalation,
    })
}

/// [`Escalation::Rate`] when the later half of `[from, to)` holds [`RISING`] times the
/// earlier half's lines (and at least [`SIGN_LINES`]).
fn rising(counts: &BTreeMap<Micros, u64>, from: Micros, to: Micros, width: Micros) -> Option<Escalation> {
    let middle = from + (to - from) / 2;
    let sum = |a: Micros, b: Micros| -> u64 { counts.range(a..b).map(|(_, n)| n).sum() };
    let earlier = sum(from - width, middle);
    let later = sum(middle, to);
    (later >= SIGN_LINES && later as f64 >= RISING * earlier.max(1) as f64).then_some(Escalation::Rate { earlier, later })
}

/// A number of a message: the name its `key=` gave it, its value, and its text.
type Number<'a> = (Option<&'a str>, f64, &'a str);

/// The numbers of a message that measure something: a token (or the value after its
/// `key=`) that is a decimal number, with a `%` or a unit after it at most, and named (by
/// its `key=`), or with its unit or `%`, or small and followed by a word (`30 days`,
/// `12 jobs`). A time (`10:02`), a date, or a bare large number (a request id, an epoch,
/// an offset, which grow by themselves) is none.
fn numbers(message: &str) -> Vec<Option<Number<'_>>> {
    let tokens: Vec<&str> = message
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']' | '"' | '\''))
        .filter(|t| !t.is_empty())
        .collect();
    tokens
        .iter()
        .enumerate()
        .map(|(at, token)| {
            let (name, value) = match token.rsplit_once('=') {
                Some((name, value)) => (Some(name), value),
                None => (None, *token),
            };
            let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
            let plain = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && digits.bytes().next().is_some_and(|b| b.is_ascii_digit());
            let number: f64 = plain.then(|| digits.parse().ok()).flatten()?;
            let with_unit = digits.len() < value.len();
            let word_after = tokens.get(at + 1).is_some_and(|w| w.bytes().all(|b| b.is_ascii_alphabetic()));
            let measures = name.is_some() || with_unit || (number < SMALL && word_after);
            measures.then_some((name, number, digits))
        })
        .collect()
}

/// A bare number below this, followed by a word, is a measure (`30 days`, `214 s`); larger
/// bare numbers are ids, epochs and offsets more often than not.
const SMALL: f64 = 1000.0;

/// [`Escalation::Numbers`] when, in messages of one shape, a number at one place moves
/// one way from each line to the next, over [`COUNTING_LINES`] lines or more; a sequence
/// counting by one (a job number) is no escalation.
fn counting(messages: &[&str]) -> Option<Escalation> {
    if messages.len() < COUNTING_LINES {
        return None;
    }
    let tokens: Vec<Vec<Option<Number>>> = messages.iter().map(|m| numbers(m)).collect();
    let places = tokens[0].len();
    if tokens.iter().any(|t| t.len() != places) {
        return None;
    }
    (0..places).find_map(|place| {
        let values: Vec<Number> = tokens.iter().map(|t| t[place]).collect::<Option<Vec<_>>>()?;
        let steps: Vec<f64> = values.windows(2).map(|w| w[1].1 - w[0].1).collect();
        let one_way = steps.iter().all(|s| *s > 0.0) || steps.iter().all(|s| *s < 0.0);
        let by_one = steps.iter().all(|s| s.abs() == 1.0);
        (one_way && !by_one).then(|| {
            let shown: Vec<String> = values.iter().map(|v| v.2.to_string()).collect();
            let values = if shown.len() > COUNTING_LINES {
                shown[..COUNTING_LINES - 1].iter().chain(shown.last()).cloned().collect()
            } else {
                shown
            };
            Escalation::Numbers {
                name: values_name(&tokens[0][place]),
                values,
                lines: messages.len(),
            }
        })
    })
}

fn values_name(token: &Option<Number>) -> Option<String> {
    token.and_then(|(name, _, _)| name).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_that_moves_one_way_is_an_escalation() {
        let said = [
            "volume filling used_pct=81.0 free_mb=3857",
            "volume filling used_pct=83.5 free_mb=3350",
            "volume filling used_pct=86.1 free_mb=2822",
            "volume filling used_pct=88.6 free_mb=2314",
            "volume filling used_pct=98.2 free_mb=365",
        ];
        assert_eq!(
            counting(&said),
            Some(Escalation::Numbers {
                name: Some("used_pct".into()),
                values: vec!["81.0".into(), "83.5".into(), "86.1".into(), "98.2".into()],
                lines: 5,
            })
        );
        // A countdown, in words and a percent sign.
        let countdown = [
            "certificate expires in 30 days",
            "certificate expires in 20 days",
            "certificate expires in 9 days",
            "certificate expires in 2 days",
        ];
        assert!(matches!(counting(&countdown), Some(Escalation::Numbers { name: None, .. })));
    }

    #[test]
    fn numbers_that_do_not_trend_are_no_escalation() {
        // Going up and down.
        assert_eq!(
            counting(&["slow ack ms=340", "slow ack ms=812", "slow ack ms=260", "slow ack ms=799"]),
            None
        );
        // A job number counting by one.
        assert_eq!(
            counting(&["job 4411 late", "job 4412 late", "job 4413 late", "job 4414 late"]),
            None
        );
        // Times are no numbers: the hour rises through the day.
        assert_eq!(
            counting(&[
                "cache stale since 10:02",
                "cache stale since 11:02",
                "cache stale since 12:02",
                "cache stale since 13:02"
            ]),
            None
        );
        // Too few lines to tell a trend.
        assert_eq!(counting(&["used 81%", "used 85%", "used 90%"]), None);
        // Lines of other shapes.
        assert_eq!(counting(&["a 1", "a 2 b 3", "a 5", "a 9"]), None);
    }

    #[test]
    fn a_rate_that_doubles_is_an_escalation() {
        let counts = |per_bucket: &[u64]| -> BTreeMap<Micros, u64> {
            per_bucket.iter().enumerate().map(|(i, n)| (i as Micros * MINUTE, *n)).collect()
        };
        let end = 10 * MINUTE;
        // 1, 1, 1, 1, 1 then 2, 3, 3, 4, 5: three times as many later.
        let more = counts(&[1, 1, 1, 1, 1, 2, 3, 3, 4, 5]);
        assert_eq!(rising(&more, 0, end, MINUTE), Some(Escalation::Rate { earlier: 5, later: 17 }));
        // Steady, or rising by less than double: no trend.
        assert_eq!(rising(&counts(&[2; 10]), 0, end, MINUTE), None);
        assert_eq!(rising(&counts(&[2, 2, 2, 2, 2, 3, 3, 3, 3, 3]), 0, end, MINUTE), None);
        // Falling.
        assert_eq!(rising(&counts(&[5, 4, 3, 3, 2, 1, 1, 0, 0, 0]), 0, end, MINUTE), None);
        // Two lines after none are no trend.
        assert_eq!(rising(&counts(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 1]), 0, end, MINUTE), None);
    }
}
