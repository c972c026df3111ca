//! Reading rule files: TOML into checked, compiled [`Rule`]s, every problem reported at
//! the line of the rule or field at fault.

use super::phrase::Phrase;
use super::{
    Category, Condition, Example, Measure, Pattern, Rate, Rule, RuleError, Severity, SourceFilter, REGEX_DFA_LIMIT, REGEX_SIZE_LIMIT,
};
use crate::format::{Format, SourceKind};
use serde::Deserialize;
use toml::Spanned;

/// A rule as written in a file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    title: String,
    phrase: Option<Spanned<String>>,
    category: Category,
    severity: Severity,
    #[serde(default)]
    sources: Vec<Spanned<String>>,
    pattern: Option<Spanned<String>>,
    unless: Option<Spanned<String>>,
    status: Option<Spanned<[u16; 2]>>,
    rate: Option<Spanned<RateSpec>>,
    #[serde(default)]
    examples: Vec<Spanned<String>>,
    #[serde(default)]
    counterexamples: Vec<Spanned<String>>,
}

/// `[rule.rate]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateSpec {
    count: Spanned<String>,
    per: Option<Spanned<String>>,
    threshold: f64,
    #[serde(default = "one")]
    min_count: f64,
    #[serde(default)]
    over_baseline: f64,
    #[serde(default = "thirty")]
    baseline: usize,
    #[serde(default = "one_bucket")]
    buckets: usize,
    #[serde(default = "three")]
    end_after: usize,
    #[serde(default)]
    group_by: Vec<String>,
}

fn one() -> f64 {
    1.0
}
fn thirty() -> usize {
    30
}
fn one_bucket() -> usize {
    1
}
fn three() -> usize {
    3
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Spanned<RuleSpec>>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Logs are bytes, often not valid UTF-8: patterns match bytes, with ASCII classes
/// (`\d`, `\w`, `\s`) and `.` matching any byte but a newline. Non-ASCII literals
/// still match their UTF-8 encoding.
pub(super) fn compile_pattern(pattern: &str) -> Result<regex::bytes::Regex, String> {
    if anchored_to_the_text(pattern) {
        return Err("pattern is anchored to the start or end of the text (`\\A`, `\\z`, or `^`/`$` after `(?-m)`): a chunk of lines is searched at once, so it would match only at the chunk's edge; use `^` and `$`, which mean a line's start and end".into());
    }
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_LIMIT)
        .build()
        .map_err(|e| format!("pattern does not compile: {}", e.to_string().replace('\n', " ")))
}

/// Whether a pattern is anchored to the start or end of a text (`\A`, `\z`, `^` or `$`
/// with multi-line mode off): a chunk of many lines is searched whole, so it would match
/// only at a chunk's edge, never in the lines between, where `^` and `$` mean a line's.
fn anchored_to_the_text(pattern: &str) -> bool {
    use regex_syntax::hir::Look;
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .build()
        .parse(pattern)
        .is_ok_and(|hir| {
            let looks = hir.properties().look_set();
            looks.contains(Look::Start) || looks.contains(Look::End)
        })
}

/// Parses and checks one rule file; `deferred`: its patterns are compiled when first
/// used (the built-in catalogue's, see [`super::Pattern`]), not now.
pub(super) fn parse_rules(origin: &str, text: &str, deferred: bool) -> Result<Vec<Rule>, Vec<RuleError>> {
    let file: RuleFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |span| line_of(text, span.start));
        vec![RuleError {
            file: origin.to_string(),
            line,
            rule: None,
            message: e.message().trim().to_string(),
        }]
    })?;
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for spanned in file.rule {
        let rule_line = line_of(text, spanned.span().start);
        let spec = spanned.into_inner();
        let at = |line: usize, message: String| RuleError {
            file: origin.to_string(),
            line,
            rule: Some(spec.id.clone()),
            message,
        };
        let line_of_span = |span: std::ops::Range<usize>| line_of(text, span.start);
        let before = errors.len();
        if spec.id.is_empty() || !spec.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            errors.push(at(
                rule_line,
                "id must be non-empty and made of letters, digits, `.`, `_` and `-`".into(),
            ));
        }
        let mut sources = Vec::new();
        for name in &spec.sources {
            match source_filter(name.get_ref()) {
                Some(filter) => sources.push(filter),
                None => errors.push(at(
                    line_of_span(name.span()),
                    format!("unknown source `{}` (web, app, db, system, or a format name)", name.get_ref()),
                )),
            }
        }
        let condition = match (&spec.pattern, &spec.status, &spec.rate) {
            (Some(pattern), None, None) => {
                let read = |text: &str| {
                    if deferred {
                        Ok(Pattern::deferred(text))
                    } else {
                        Pattern::compiled(text)
                    }
                };
                let compiled = read(pattern.get_ref()).map_err(|m| (pattern.span(), m));
                let unless = spec
                    .unless
                    .as_ref()
                    .map(|u| read(u.get_ref()).map_err(|m| (u.span(), m)))
                    .transpose();
                match (compiled, unless) {
                    (Ok(pattern), Ok(unless)) => Some(Condition::Pattern { pattern, unless }),
                    (Err((span, message)), _) | (_, Err((span, message))) => {
                        errors.push(at(line_of_span(span), message));
                        None
                    }
                }
            }
            (None, Some(status), None) => {
                let [low, high] = *status.get_ref();
                if low <= high && (100..=599).contains(&low) && high <= 599 {
                    Some(Condition::Status(low, high))
                } else {
                    errors.push(at(
                        line_of_span(status.span()),
                        "status must be [low, high], HTTP codes with low <= high".into(),
                    ));
                    None
                }
            }
            (None, None, Some(rate)) => match rate_of(rate.get_ref()) {
                Ok(rate) => Some(Condition::Rate(rate)),
                Err((span, message)) => {
                    errors.push(at(line_of_span(span.unwrap_or(rate.span())), message));
                    None
                }
            },
            _ => {
                errors.push(at(rule_line, "a rule needs exactly one of `pattern`, `status` or `rate`".into()));
                None
            }
        };
        if let (Some(unless), None) = (&spec.unless, &spec.pattern) {
            errors.push(at(line_of_span(unless.span()), "`unless` goes with a `pattern`".into()));
        }
        let examples = |list: &[Spanned<String>]| -> Vec<Example> {
            list.iter()
                .map(|e| Example {
                    text: e.get_ref().clone(),
                    line: line_of_span(e.span()),
                })
                .collect()
        };
        let (examples, counterexamples) = (examples(&spec.examples), examples(&spec.counterexamples));
        let captured: Vec<String> = match &condition {
            Some(Condition::Pattern { pattern, .. }) => pattern.group_names(),
            Some(Condition::Status(..)) => vec!["status".to_string()],
            _ => Vec::new(),
        };
        let captured: Vec<&str> = captured.iter().map(String::as_str).collect();
        let phrase = match &spec.phrase {
            Some(text) => match Phrase::parse(text.get_ref(), &captured) {
                Ok(phrase) => Some(phrase),
                Err(message) => {
                    errors.push(at(line_of_span(text.span()), message));
                    None
                }
            },
            None => None,
        };
        if errors.len() > before {
            continue;
        }
        let Some(condition) = condition else { continue };
        rules.push(Rule {
            id: spec.id,
            title: spec.title,
            phrase,
            category: spec.category,
            severity: spec.severity,
            sources,
            condition,
            examples,
            counterexamples,
            origin: origin.to_string(),
            line: rule_line,
        });
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

fn source_filter(name: &str) -> Option<SourceFilter> {
    Some(match name {
        "web" => SourceFilter::Kind(SourceKind::Web),
        "app" => SourceFilter::Kind(SourceKind::App),
        "db" => SourceFilter::Kind(SourceKind::Db),
        "system" => SourceFilter::Kind(SourceKind::System),
        other => SourceFilter::Format(Format::from_name(other)?),
    })
}

type SpannedProblem = (Option<std::ops::Range<usize>>, String);

fn rate_of(spec: &RateSpec) -> Result<Rate, SpannedProblem> {
    let measure = |text: &Spanned<String>| {
        Measure::parse(text.get_ref()).ok_or_else(|| {
            let message = format!(
                "unknown measure `{}` (requests, failed_requests, mean_request_ms, rule:ID, category:NAME)",
                text.get_ref()
            );
            (Some(text.span()), message)
        })
    };
    let count = measure(&spec.count)?;
    let per = spec.per.as_ref().map(measure).transpose()?;
    if !(spec.threshold.is_finite() && spec.threshold > 0.0) {
        return Err((None, "threshold must be a number > 0".into()));
    }
    if spec.buckets == 0 || spec.end_after == 0 || spec.baseline == 0 {
        return Err((None, "buckets, end_after and baseline must be at least 1".into()));
    }
    if !(spec.over_baseline.is_finite() && spec.over_baseline >= 0.0 && spec.min_count >= 0.0) {
        return Err((None, "over_baseline and min_count must be numbers >= 0".into()));
    }
    let by_source = match spec.group_by.as_slice() {
        [] => false,
        [only] if only == "source" => true,
        _ => return Err((None, "group_by takes [] or [\"source\"]".into())),
    };
    Ok(Rate {
        count,
        per,
        threshold: spec.threshold,
        min_count: spec.min_count,
        over_baseline: spec.over_baseline,
        baseline: spec.baseline,
        buckets: spec.buckets,
        end_after: spec.end_after,
        by_source,
    })
}

/// Rate rules that count the hits of a rule must name a match rule that exists.
pub(super) fn check_references(rules: &[Rule]) -> Vec<RuleError> {
    let mut errors = Vec::new();
    for rule in rules {
        let Some(rate) = rule.rate() else { continue };
        for measure in std::iter::once(&rate.count).chain(rate.per.as_ref()) {
            if let Measure::RuleHits(id) = measure {
                let target = rules.iter().find(|r| &r.id == id);
                let problem = match target {
                    None => Some(format!("counts rule:{id}, which is not defined")),
                    Some(t) if t.rate().is_some() => Some(format!("counts rule:{id}, which is itself a rate rule")),
                    Some(_) => None,
                };
                if let Some(message) = problem {
                    errors.push(RuleError {
                        file: rule.origin.clone(),
                        line: rule.line,
                        rule: Some(rule.id.clone()),
                        message,
                    });
                }
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        parse_rules("mine.toml", text, false)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const HEAD: &str = "[[rule]]\nid = \"a.b\"\ntitle = \"t\"\ncategory = \"table_lock\"\nseverity = \"error\"\n";

    #[test]
    fn a_pattern_anchored_to_the_text_is_refused_and_one_anchored_to_a_line_is_not() {
        for anchored in [r"\AJan", r"failed\z", r"(?-m)^Jan", r"(?-m:done$)"] {
            let shown = errors(&format!("{HEAD}pattern = '{anchored}'\n"));
            assert!(
                shown[0].contains("anchored to the start or end of the text"),
                "{anchored}: {shown:?}"
            );
        }
        for by_line in [r"^Jan \d+", r"failed$", r"(?m)^x"] {
            assert!(
                crate::rules::RuleSet::from_text("mine.toml", &format!("{HEAD}pattern = '{by_line}'\n")).is_ok(),
                "{by_line}"
            );
        }
    }

    #[test]
    fn a_bad_pattern_is_reported_at_its_line() {
        assert_eq!(
            errors(&format!("{HEAD}pattern = \"(\"\n"))[0].split(" pattern does").next(),
            Some("mine.toml:6: rule a.b:")
        );
    }

    #[test]
    fn an_unknown_category_is_a_parse_error_with_a_line() {
        let text = "\n[[rule]]\nid = \"a.b\"\ntitle = \"t\"\ncategory = \"meltdown\"\nseverity = \"error\"\npattern = \"x\"\n";
        let shown = errors(text);
        assert!(shown[0].starts_with("mine.toml:5: ") && shown[0].contains("meltdown"), "{shown:?}");
    }

    #[test]
    fn unknown_sources_and_measures_name_their_line() {
        let shown = errors(&format!("{HEAD}sources = [\"db\",\n  \"mainframe\"]\npattern = \"x\"\n"));
        assert!(
            shown[0].starts_with("mine.toml:7: rule a.b: unknown source `mainframe`"),
            "{shown:?}"
        );
        let shown = errors(&format!("{HEAD}[rule.rate]\ncount = \"sparkles\"\nthreshold = 1\n"));
        assert!(
            shown[0].starts_with("mine.toml:7: rule a.b: unknown measure `sparkles`"),
            "{shown:?}"
        );
    }

    #[test]
    fn a_rule_needs_exactly_one_condition() {
        let shown = errors(&format!("{HEAD}pattern = \"x\"\nstatus = [500, 599]\n"));
        assert!(shown[0].contains("exactly one of"), "{shown:?}");
    }

    #[test]
    fn a_rate_rule_reads_with_defaults() {
        let rules = parse_rules(
            "mine.toml",
            &format!("{HEAD}[rule.rate]\ncount = \"failed_requests\"\nper = \"requests\"\nthreshold = 0.05\n"),
            false,
        )
        .unwrap();
        let rate = rules[0].rate().unwrap();
        assert_eq!(
            (rate.count.clone(), rate.per.clone(), rate.buckets, rate.end_after),
            (Measure::FailedRequests, Some(Measure::Requests), 1, 3)
        );
    }
}
