//! `postmortem rules check`: every rule's examples must fire and none of its
//! counterexamples may, through the same matcher the scan uses. A rule whose example is
//! claimed by an earlier rule is reported too: that rule would never fire on such lines.

use super::{Condition, RuleError, RuleIndex, RuleSet};
use crate::format::{self, Format};

/// What the scan would make of one line: the format it reads as, and the rule credited
/// with it. A line with no format of its own (a continuation, a monitor dump) is read as
/// part of a file of `home`'s format, as the scan would.
fn credited(set: &RuleSet, line: &str, home: Option<Format>) -> (Format, Option<RuleIndex>) {
    let sniffed = format::sniff(line.as_bytes()).format;
    let format = match (sniffed, home) {
        (Format::Unknown | Format::Timestamped, Some(home)) => home,
        _ => sniffed,
    };
    let matcher = set.matcher(format);
    let by_status = format.request(line.as_bytes()).and_then(|r| matcher.match_status(r.status));
    let by_pattern = matcher.match_line(line.as_bytes()).map(|m| m.rule);
    (format, by_status.or(by_pattern))
}

/// Runs the examples and counterexamples of every rule; one error a failure.
pub fn check(set: &RuleSet) -> Vec<RuleError> {
    let mut errors = Vec::new();
    for (index, rule) in set.rules().iter().enumerate() {
        let index = RuleIndex::try_from(index).unwrap_or(RuleIndex::MAX);
        let problem = |line: usize, message: String| RuleError {
            file: rule.origin.clone(),
            line,
            rule: Some(rule.id.clone()),
            message,
        };
        if matches!(rule.condition, Condition::Rate(_)) {
            continue;
        }
        // The catalogue's patterns are compiled when lines first need them: here, each is,
        // and what is wrong is said rather than met by a run.
        if let Condition::Pattern { pattern, unless } = &rule.condition {
            let mut compiles = true;
            for pattern in std::iter::once(pattern).chain(unless) {
                match pattern.try_regex() {
                    Err(message) => {
                        errors.push(problem(rule.line, message));
                        compiles = false;
                    }
                    Ok(regex) => {
                        let compiled: Vec<String> = regex.capture_names().flatten().map(str::to_string).collect();
                        if compiled != pattern.written_group_names() {
                            errors.push(problem(
                                rule.line,
                                format!(
                                    "its named groups read as {:?} but compile as {compiled:?}",
                                    pattern.written_group_names()
                                ),
                            ));
                        }
                    }
                }
            }
            if !compiles {
                continue;
            }
        }
        if rule.examples.is_empty() {
            errors.push(problem(
                rule.line,
                "no examples: give at least one line the software really prints".into(),
            ));
        }
        let home = Format::ALL.iter().copied().find(|f| rule.applies_to(*f));
        for example in &rule.examples {
            let (format, winner) = credited(set, &example.text, home);
            let matches_alone = match &rule.condition {
                Condition::Pattern { pattern, unless } => {
                    pattern.is_match(example.text.as_bytes()) && !unless.as_ref().is_some_and(|u| u.is_match(example.text.as_bytes()))
                }
                Condition::Status(low, high) => format
                    .request(example.text.as_bytes())
                    .is_some_and(|r| (*low..=*high).contains(&r.status)),
                Condition::Rate(_) => unreachable!("skipped above"),
            };
            let message = if !matches_alone {
                Some(format!("example does not match: {}", example.text))
            } else if !rule.applies_to(format) {
                Some(format!(
                    "example reads as a {format} line, which the rule's sources leave out: {}",
                    example.text
                ))
            } else {
                match winner {
                    Some(w) if w == index => None,
                    Some(w) => Some(format!(
                        "example is credited to rule {}, which comes first: {}",
                        set.get(w).id,
                        example.text
                    )),
                    None => Some(format!("example does not fire: {}", example.text)),
                }
            };
            errors.extend(message.map(|m| problem(example.line, m)));
        }
        for counter in &rule.counterexamples {
            if credited(set, &counter.text, home).1 == Some(index) {
                errors.push(problem(counter.line, format!("counterexample fires: {}", counter.text)));
            }
        }
    }
    errors
}
