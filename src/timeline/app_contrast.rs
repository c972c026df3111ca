//! Where an incident's application errors were: the errors that structured application
//! logs wrote during the incident, contrasted with their other lines, field by field
//! (a JSON logger's `tenant`, `provider`, `shard`: see [`crate::format::app_keys`]), to
//! say *which* tenant, provider or shard they were about.
//!
//! A value is said when most errors carried it ([`CONCENTRATED`]) and far fewer of the
//! log's other lines did ([`EXPLAINS_MOST`] between the two): the lines that were not
//! errors during the incident, and the log's lines in the hour before, whichever share
//! is higher. Both are needed. The lines during the incident tell a value that every line
//! carried from then on (a pod that came up, a version deployed: the errors carry it
//! because everything does); the hour before tells a value whose own lines turned into
//! errors (a provider that failed every call: its other lines are gone). A value that
//! only errors carry (an error code, a status of 500) says what the errors were, which
//! their message says already, not where; a value first seen on the errors (a tenant
//! whose every line failed) cannot be told from one: neither is weighed.
//!
//! The counts come from the range summaries of [`crate::scan::app_fields`]: where every
//! line of a range was read, shares are the ones the bounds guarantee; where a busy log
//! was sampled, they are estimates, and said as such.

use super::contrast::{in_ranges, tallies, Bounds, CONCENTRATED, CONTRAST_FINDINGS, CONTRAST_LISTED, EXPLAINS_MOST};
use super::Evidence;
use crate::scan::app_fields::{AppFields, FieldCounts};
use crate::scan::top_values::{TopValues, SAMPLE_ALL};
use crate::time::Micros;
use serde::Serialize;
use std::collections::BTreeMap;

/// Errors a field needs during the incident before one of its values is said to carry
/// them: all of fewer sharing a value that a third of the lines carry happens by chance
/// too often (four in a row, one time in 81), all of ten once in 59,000.
pub const APP_MIN_ERRORS: u64 = 10;

/// One value of a field, during the incident and before.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassShift {
    pub value: String,
    /// Errors that carried it during the incident, other lines that did, and lines in the
    /// baseline that did (estimates where sampled).
    pub errors: Bounds,
    pub other_lines: Bounds,
    pub before: Bounds,
    /// Its share of the errors (at least), of the other lines during the incident and of
    /// the baseline's lines (at most; `None` where there were none).
    pub share_errors: f64,
    pub share_other_lines: Option<f64>,
    pub share_before: Option<f64>,
    /// How much more of the errors it carried than of the other lines (see the module's
    /// notes); `None` where the value was on no line but errors.
    pub explains: Option<f64>,
    #[serde(skip)]
    pub first_error: Option<Evidence>,
}

/// One field's values that carried the incident's errors.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldClasses {
    pub field: String,
    /// Errors and other lines during the incident, and lines of the baseline, of the
    /// logs that give this field.
    pub errors: u64,
    pub other_lines: u64,
    pub lines_before: u64,
    pub values: Vec<ClassShift>,
}

/// A value that carried most of the errors, as the draft says it; its evidence a line's
/// place here, the file's name and line in the report (see [`ClassFinding::citing`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassFinding<E = Evidence> {
    pub field: String,
    pub value: String,
    /// Its share of the errors, and the errors that carried it.
    pub share: f64,
    pub count: u64,
    /// The errors of the logs that give the field.
    pub errors: u64,
    /// Its share of the other lines (the higher of during and before).
    pub compared: f64,
    /// `share` and `count` are estimates from a sample; else `share` is a lower bound.
    pub estimated: bool,
    /// `compared` is an estimate from a sample; else an upper bound.
    pub compared_estimated: bool,
    pub evidence: E,
}

impl<E> ClassFinding<E> {
    /// The same finding, citing `evidence`.
    pub fn citing<F>(&self, evidence: F) -> ClassFinding<F> {
        ClassFinding {
            field: self.field.clone(),
            value: self.value.clone(),
            share: self.share,
            count: self.count,
            errors: self.errors,
            compared: self.compared,
            estimated: self.estimated,
            compared_estimated: self.compared_estimated,
            evidence,
        }
    }
}

/// The errors of an incident against the application logs' other lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppContrast {
    pub baseline: (Micros, Micros),
    pub fields: Vec<FieldClasses>,
    pub findings: Vec<ClassFinding>,
}

/// One field's counts and summaries over a stretch of ranges.
#[derive(Default)]
struct Stretch<'a> {
    lines: u64,
    errors: u64,
    healthy: Vec<&'a TopValues>,
    failed: Vec<&'a TopValues>,
    /// A range of it had more lines, or errors, than are counted one by one.
    lines_sampled: bool,
    errors_sampled: bool,
}

/// Each field's counts over the ranges from `start` to `end`.
fn stretches(fields: &AppFields, (start, end): (Micros, Micros)) -> BTreeMap<&str, Stretch<'_>> {
    let mut by_field: BTreeMap<&str, Stretch<'_>> = BTreeMap::new();
    for counts in fields.ranges.range(start..end).flat_map(|(_, counts)| counts) {
        let FieldCounts {
            field,
            lines,
            errors,
            healthy,
            failed,
        } = counts;
        let stretch = by_field.entry(field).or_default();
        stretch.lines += lines;
        stretch.errors += errors;
        stretch.healthy.push(healthy);
        stretch.failed.push(failed);
        stretch.lines_sampled |= *lines > SAMPLE_ALL;
        stretch.errors_sampled |= *errors > SAMPLE_ALL;
    }
    by_field
}

/// The contrast of the errors in `[start, end)` with the other lines then and in
/// `baseline`; `None` where no application log gives a field with errors in the window.
pub fn contrast(fields: &AppFields, window: (Micros, Micros), baseline: (Micros, Micros)) -> Option<AppContrast> {
    let (window, baseline) = in_ranges(fields.range_width(), window, baseline);
    let during = stretches(fields, window);
    let before = stretches(fields, baseline);
    let ratio = |part: u64, whole: u64| (whole > 0).then(|| (part as f64 / whole as f64).min(1.0));
    let mut contrast = AppContrast {
        baseline,
        ..AppContrast::default()
    };
    let mut candidates = Vec::new();
    for (field, now) in during.iter().filter(|(_, s)| s.errors > 0) {
        let empty = Stretch::default();
        let then = before.get(field).unwrap_or(&empty);
        let mut values: Vec<ClassShift> = tallies(&now.healthy, &now.failed, &then.healthy)
            .into_values()
            .map(|t| {
                let share_errors = ratio(t.failed.low, now.errors).unwrap_or(0.0);
                let share_other_lines = ratio(t.requests.high, now.lines);
                let share_before = ratio(t.before.high, then.lines);
                let compared = share_other_lines.into_iter().chain(share_before).reduce(f64::max);
                // Seen on a line that was no error, then or before.
                let on_other_lines = t.requests.low + t.before.low > 0;
                ClassShift {
                    value: t.value,
                    errors: t.failed,
                    other_lines: t.requests,
                    before: t.before,
                    share_errors,
                    share_other_lines,
                    share_before,
                    explains: compared.filter(|_| on_other_lines).map(|c| share_errors - c),
                    first_error: t.first_failed.map(Evidence::from),
                }
            })
            .collect();
        // What explains most first; then the most errors.
        values.sort_by(|a, b| {
            b.explains
                .unwrap_or(f64::MIN)
                .total_cmp(&a.explains.unwrap_or(f64::MIN))
                .then(b.errors.low.cmp(&a.errors.low))
                .then(a.value.cmp(&b.value))
        });
        values.truncate(CONTRAST_LISTED);
        if let Some(top) = values.first() {
            let found =
                now.errors >= APP_MIN_ERRORS && top.share_errors >= CONCENTRATED && top.explains.is_some_and(|e| e >= EXPLAINS_MOST);
            if let (true, Some(evidence)) = (found, top.first_error) {
                candidates.push((
                    top.explains.unwrap_or_default(),
                    ClassFinding {
                        field: field.to_string(),
                        value: top.value.clone(),
                        share: top.share_errors,
                        count: top.errors.low,
                        errors: now.errors,
                        compared: top.share_errors - top.explains.unwrap_or_default(),
                        estimated: now.errors_sampled,
                        compared_estimated: now.lines_sampled || then.lines_sampled,
                        evidence,
                    },
                ));
            }
        }
        contrast.fields.push(FieldClasses {
            field: field.to_string(),
            errors: now.errors,
            other_lines: now.lines,
            lines_before: then.lines,
            values,
        });
    }
    if contrast.fields.is_empty() {
        return None;
    }
    // What explains most first; a tie by the errors it carried, then the field's name.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.count.cmp(&a.1.count)).then(a.1.field.cmp(&b.1.field)));
    contrast.findings = candidates.into_iter().take(CONTRAST_FINDINGS).map(|(_, f)| f).collect();
    Some(contrast)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::keys::Mark;

    const MINUTE: Micros = 60_000_000;

    /// Three hours of a service's lines, `per_minute` a minute, each given its values
    /// (of the log's `fields`) and whether it is an error by `shape(minute, n)`; the
    /// incident is 120–150.
    fn contrast_of(
        fields: &[&str],
        per_minute: u64,
        shape: impl Fn(i64, u64) -> (Vec<(&'static str, String)>, bool),
    ) -> Option<AppContrast> {
        let fields: Vec<Box<str>> = fields.iter().map(|&f| f.into()).collect();
        let mut app = AppFields::new(MINUTE);
        let mut line_no = 0;
        for minute in 0..180 {
            for n in 0..per_minute {
                let (values, error) = shape(minute, n);
                let members: Vec<String> = values.iter().map(|(k, v)| format!("\"{k}\":\"{v}\"")).collect();
                let line = format!("{{\"level\":\"info\",{}}}", members.join(","));
                line_no += 1;
                let mark = Mark {
                    time: 0,
                    file: 0,
                    offset: line_no * 97,
                    line: line_no,
                };
                app.add(minute * MINUTE + n as i64, error, &fields, mark, line.as_bytes());
            }
        }
        contrast(&app, (120 * MINUTE, 150 * MINUTE), (60 * MINUTE, 120 * MINUTE))
    }

    fn during(minute: i64) -> bool {
        (120..150).contains(&minute)
    }

    fn found(c: &Option<AppContrast>) -> Vec<(String, String)> {
        c.iter()
            .flat_map(|c| &c.findings)
            .map(|f| (f.field.clone(), f.value.clone()))
            .collect()
    }

    #[test]
    fn the_provider_that_carried_every_error_is_found() {
        // A third of the charges go through `northpay`; during the incident each of them
        // fails. Sellers are spread over all providers.
        let c = contrast_of(&["provider", "seller"], 30, |m, n| {
            let provider = ["southpay", "northpay", "eastpay"][(n % 3) as usize];
            let values = vec![("provider", provider.to_string()), ("seller", format!("m-{}", n % 11))];
            (values, during(m) && provider == "northpay")
        });
        assert_eq!(found(&c), [("provider".to_string(), "northpay".to_string())]);
        let finding = &c.as_ref().unwrap().findings[0];
        assert!(finding.share >= 0.99 && finding.compared < 0.4, "{finding:?}");
        assert_eq!(finding.count, finding.errors);
    }

    #[test]
    fn a_shard_whose_own_lines_all_became_errors_is_read_against_the_hour_before() {
        // A shard's every query fails: during the incident none of its lines is anything
        // but an error, so the other lines then say nothing of it; the hour before says
        // it carried a quarter of the lines.
        let c = contrast_of(&["shard"], 8, |m, n| {
            let shard = format!("ledger-{}", n % 4);
            let error = during(m) && n % 4 == 3;
            (vec![("shard", shard)], error)
        });
        assert_eq!(found(&c), [("shard".to_string(), "ledger-3".to_string())]);
        let finding = &c.unwrap().findings[0];
        assert!((finding.compared - 0.25).abs() < 0.01, "{finding:?}");
    }

    #[test]
    fn a_value_every_line_carries_from_the_incident_on_explains_nothing() {
        // A new pod name (or version) on every line from 120 on, errors among them alike.
        let c = contrast_of(&["pod"], 20, |m, n| {
            let pod = if m >= 120 { "api-7d9f-x2" } else { "api-5c4b-q1" };
            (vec![("pod", pod.to_string())], during(m) && n % 5 == 0)
        });
        let c = c.expect("errors in the window");
        assert!(c.findings.is_empty(), "{:?}", c.fields);
    }

    #[test]
    fn a_change_of_mix_whose_errors_are_spread_like_its_lines_explains_nothing() {
        // At night a batch tenant makes most of the lines, and of the errors, which
        // recur all day at one in ten lines.
        let c = contrast_of(&["tenant"], 20, |m, n| {
            let tenant = if m >= 110 && n < 16 {
                "nightly-batch".to_string()
            } else {
                format!("t-{}", n % 6)
            };
            (vec![("tenant", tenant)], n % 10 == 0)
        });
        let c = c.expect("errors in the window");
        assert!(c.findings.is_empty(), "{:?}", c.fields);
    }

    #[test]
    fn a_value_only_errors_carry_or_a_few_errors_say_nothing() {
        // An error code is on the errors only: it says what they were, not where.
        let c = contrast_of(&["code"], 20, |m, n| {
            let error = during(m) && n == 0;
            let values = if error { vec![("code", "E_TIMEOUT".to_string())] } else { vec![] };
            (values, error)
        });
        assert!(c.as_ref().is_some_and(|c| c.findings.is_empty()), "{c:?}");
        // A status every line carries, `500` on the errors only: what they were.
        let c = contrast_of(&["status"], 20, |m, n| {
            let error = during(m) && n % 4 == 0;
            (vec![("status", if error { "500" } else { "200" }.to_string())], error)
        });
        assert!(c.as_ref().is_some_and(|c| c.findings.is_empty()), "{c:?}");
        // Six errors, all of one provider's: too few to say.
        let c = contrast_of(&["provider"], 20, |m, n| {
            let provider = ["southpay", "northpay"][(n % 2) as usize];
            (vec![("provider", provider.to_string())], during(m) && m % 5 == 0 && n == 1)
        });
        assert!(c.as_ref().is_some_and(|c| c.findings.is_empty()), "{c:?}");
    }
}
