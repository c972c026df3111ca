//! Rules: which lines matter. A rule is data (TOML): an id, a title, a category from a
//! fixed vocabulary, a severity, the sources it applies to, and either a regex `pattern`
//! or an HTTP `status` range for access lines. The built-in rules are such a file,
//! embedded in the binary; users add their own with `--rules FILE`.
//!
//! Loading checks every rule and compiles it once; [`RuleSet::matcher`] then builds, per
//! format, one multi-pattern matcher over all the patterns that apply to it, which the
//! scan runs over whole chunks.

mod matcher;

pub use matcher::{LineMatch, Matcher};

use crate::format::{Format, SourceKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The built-in catalogue, embedded so that `postmortem` is one file.
pub const BUILTIN: &[(&str, &str)] = &[("builtin/core.toml", include_str!("builtin/core.toml"))];

/// Limits on one compiled pattern: user rules must not exhaust memory.
const REGEX_SIZE_LIMIT: usize = 4 << 20;
const REGEX_DFA_LIMIT: usize = 8 << 20;

/// What a signal is evidence of. The vocabulary is fixed so that analysis can reason
/// about causes (a `table_lock` says more than an `app_error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ErrorSpike,
    LatencySpike,
    TrafficSurge,
    /// One failed HTTP response (5xx): the raw material of error spikes.
    HttpError,
    TableLock,
    Deadlock,
    PoolExhaustion,
    SlowQuery,
    DbCorruption,
    DbError,
    CronJob,
    Deploy,
    Restart,
    ConfigChange,
    Migration,
    UpstreamError,
    ResourceExhaustion,
    AdminAction,
    AppError,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::ErrorSpike => "error_spike",
            Category::LatencySpike => "latency_spike",
            Category::TrafficSurge => "traffic_surge",
            Category::HttpError => "http_error",
            Category::TableLock => "table_lock",
            Category::Deadlock => "deadlock",
            Category::PoolExhaustion => "pool_exhaustion",
            Category::SlowQuery => "slow_query",
            Category::DbCorruption => "db_corruption",
            Category::DbError => "db_error",
            Category::CronJob => "cron_job",
            Category::Deploy => "deploy",
            Category::Restart => "restart",
            Category::ConfigChange => "config_change",
            Category::Migration => "migration",
            Category::UpstreamError => "upstream_error",
            Category::ResourceExhaustion => "resource_exhaustion",
            Category::AdminAction => "admin_action",
            Category::AppError => "app_error",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }
}

/// A rule as written in a file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    title: String,
    category: Category,
    severity: Severity,
    #[serde(default)]
    sources: Vec<String>,
    pattern: Option<String>,
    status: Option<[u16; 2]>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counterexamples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<RuleSpec>>,
}

/// Where a rule applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceFilter {
    Kind(SourceKind),
    Format(Format),
}

/// What a rule looks for in a line.
#[derive(Clone, Debug)]
pub enum Condition {
    /// A regex over the line; named captures become event fields.
    Pattern(regex::bytes::Regex),
    /// An access line whose status is within the range.
    Status(u16, u16),
}

/// A checked, compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    /// Empty: every source.
    pub sources: Vec<SourceFilter>,
    pub condition: Condition,
    pub examples: Vec<String>,
    pub counterexamples: Vec<String>,
    /// The file and line the rule was defined at.
    pub origin: String,
    pub line: usize,
}

impl Rule {
    pub fn applies_to(&self, format: Format) -> bool {
        self.sources.is_empty()
            || self.sources.iter().any(|s| match s {
                SourceFilter::Kind(kind) => format.kind() == *kind,
                SourceFilter::Format(f) => format == *f,
            })
    }

    pub fn pattern(&self) -> Option<&regex::bytes::Regex> {
        match &self.condition {
            Condition::Pattern(re) => Some(re),
            Condition::Status(..) => None,
        }
    }
}

/// A problem with a rule file, reported as `FILE:LINE: rule ID: what is wrong`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {}{message}", rule.as_ref().map(|r| format!("rule {r}: ")).unwrap_or_default())]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub rule: Option<String>,
    pub message: String,
}

/// Index of a rule in its [`RuleSet`].
pub type RuleIndex = u16;

/// The rules in force for a run, in priority order (a line that several rules match is
/// credited to the first), with one lazily built matcher per format.
pub struct RuleSet {
    rules: Vec<Rule>,
    matchers: Vec<OnceLock<Matcher>>,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet").field("rules", &self.rules.len()).finish()
    }
}

impl RuleSet {
    /// The built-in rules, then each user file; a user rule with an existing id replaces
    /// it in place. Every problem in every file is reported; none is half-loaded.
    pub fn load(user_files: &[PathBuf], builtin: bool) -> Result<RuleSet, Vec<RuleError>> {
        let mut rules: Vec<Rule> = Vec::new();
        let mut errors = Vec::new();
        let mut sources: Vec<(String, String)> = Vec::new();
        if builtin {
            sources.extend(BUILTIN.iter().map(|(name, text)| (name.to_string(), text.to_string())));
        }
        for path in user_files {
            match std::fs::read_to_string(path) {
                Ok(text) => sources.push((path.display().to_string(), text)),
                Err(e) => errors.push(RuleError {
                    file: path.display().to_string(),
                    line: 0,
                    rule: None,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        for (origin, text) in &sources {
            match parse_rules(origin, text) {
                Ok(parsed) => {
                    for rule in parsed {
                        match rules.iter().position(|r| r.id == rule.id) {
                            Some(at) if rules[at].origin != rule.origin => rules[at] = rule,
                            Some(at) => errors.push(RuleError {
                                file: origin.clone(),
                                line: rule.line,
                                rule: Some(rule.id.clone()),
                                message: format!("id already defined at line {}", rules[at].line),
                            }),
                            None => rules.push(rule),
                        }
                    }
                }
                Err(mut file_errors) => errors.append(&mut file_errors),
            }
        }
        if rules.len() > usize::from(RuleIndex::MAX) {
            errors.push(RuleError {
                file: "(all rule files)".into(),
                line: 0,
                rule: None,
                message: format!("too many rules ({})", rules.len()),
            });
        }
        if errors.is_empty() {
            Ok(RuleSet::new(rules))
        } else {
            Err(errors)
        }
    }

    pub fn new(rules: Vec<Rule>) -> RuleSet {
        let matchers = Format::ALL.iter().map(|_| OnceLock::new()).collect();
        RuleSet { rules, matchers }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, index: RuleIndex) -> &Rule {
        &self.rules[usize::from(index)]
    }

    /// The matcher for one format, built on first use.
    pub fn matcher(&self, format: Format) -> &Matcher {
        let slot = Format::ALL.iter().position(|f| *f == format).expect("every format is in ALL");
        self.matchers[slot].get_or_init(|| Matcher::new(&self.rules, format))
    }
}

/// Logs are bytes, often not valid UTF-8: patterns match bytes, with ASCII classes
/// (`\d`, `\w`, `\s`) and `.` matching any byte but a newline. Non-ASCII literals
/// still match their UTF-8 encoding.
fn compile_pattern(pattern: &str) -> Result<regex::bytes::Regex, String> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_LIMIT)
        .build()
        .map_err(|e| format!("pattern does not compile: {}", e.to_string().replace('\n', " ")))
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Parses and checks one rule file.
fn parse_rules(origin: &str, text: &str) -> Result<Vec<Rule>, Vec<RuleError>> {
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
        let line = line_of(text, spanned.span().start);
        let spec = spanned.into_inner();
        let problem = |message: String| RuleError {
            file: origin.to_string(),
            line,
            rule: Some(spec.id.clone()),
            message,
        };
        if spec.id.is_empty() || !spec.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            errors.push(problem("id must be non-empty and made of letters, digits, `.`, `_` and `-`".into()));
            continue;
        }
        let mut sources = Vec::new();
        for name in &spec.sources {
            let filter = match name.as_str() {
                "web" => SourceFilter::Kind(SourceKind::Web),
                "app" => SourceFilter::Kind(SourceKind::App),
                "db" => SourceFilter::Kind(SourceKind::Db),
                "system" => SourceFilter::Kind(SourceKind::System),
                other => match Format::from_name(other) {
                    Some(format) => SourceFilter::Format(format),
                    None => {
                        errors.push(problem(format!(
                            "unknown source `{other}` (web, app, db, system, or a format name)"
                        )));
                        continue;
                    }
                },
            };
            sources.push(filter);
        }
        let condition = match (&spec.pattern, spec.status) {
            (Some(pattern), None) => match compile_pattern(pattern) {
                Ok(re) => Condition::Pattern(re),
                Err(message) => {
                    errors.push(problem(message));
                    continue;
                }
            },
            (None, Some([low, high])) if low <= high => Condition::Status(low, high),
            (None, Some(_)) => {
                errors.push(problem("status range must be [low, high] with low <= high".into()));
                continue;
            }
            _ => {
                errors.push(problem("a rule needs exactly one of `pattern` or `status`".into()));
                continue;
            }
        };
        rules.push(Rule {
            id: spec.id,
            title: spec.title,
            category: spec.category,
            severity: spec.severity,
            sources,
            condition,
            examples: spec.examples,
            counterexamples: spec.counterexamples,
            origin: origin.to_string(),
            line,
        });
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load() {
        let set = RuleSet::load(&[], true).unwrap();
        assert!(set.rules().len() >= 10);
        assert!(set.rules().iter().any(|r| r.id == "web.http_5xx"));
    }

    /// What a rule makes of one example line, through the same matcher the scan uses.
    fn fires(set: &RuleSet, rule: &Rule, line: &str) -> bool {
        let format = crate::format::sniff(line.as_bytes()).format;
        let index = set.rules().iter().position(|r| r.id == rule.id).unwrap() as RuleIndex;
        let matcher = set.matcher(format);
        match &rule.condition {
            Condition::Pattern(_) => matcher.match_line(line.as_bytes()).is_some_and(|m| m.rule == index),
            Condition::Status(..) => format.request(line.as_bytes()).and_then(|r| matcher.match_status(r.status)) == Some(index),
        }
    }

    #[test]
    fn every_builtin_rule_fires_on_its_examples_and_not_its_counterexamples() {
        let set = RuleSet::load(&[], true).unwrap();
        for rule in set.rules() {
            assert!(
                !rule.examples.is_empty() && !rule.counterexamples.is_empty(),
                "{} needs examples and counterexamples",
                rule.id
            );
            for example in &rule.examples {
                assert!(fires(&set, rule, example), "{} does not fire on its example {example}", rule.id);
            }
            for counter in &rule.counterexamples {
                assert!(!fires(&set, rule, counter), "{} fires on its counterexample {counter}", rule.id);
            }
        }
    }

    #[test]
    fn errors_name_file_line_and_rule() {
        let text = "[[rule]]\nid = \"a.b\"\ntitle = \"t\"\ncategory = \"table_lock\"\nseverity = \"error\"\npattern = \"(\"\n";
        let errors = parse_rules("mine.toml", text).unwrap_err();
        assert_eq!(errors.len(), 1);
        let shown = errors[0].to_string();
        assert!(shown.starts_with("mine.toml:1: rule a.b: pattern does not compile"), "{shown}");
    }

    #[test]
    fn unknown_category_is_a_parse_error_with_a_line() {
        let text = "\n[[rule]]\nid = \"a.b\"\ntitle = \"t\"\ncategory = \"meltdown\"\nseverity = \"error\"\npattern = \"x\"\n";
        let errors = parse_rules("mine.toml", text).unwrap_err();
        assert_eq!(errors[0].line, 5, "{}", errors[0]);
        assert!(errors[0].message.contains("meltdown"));
    }
}
