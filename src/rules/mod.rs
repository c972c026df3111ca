//! Rules: which lines matter. A rule is data (TOML): an id, a title, a category from a
//! fixed vocabulary, a severity, the sources it applies to, and what it looks for: a regex
//! `pattern` over a line, an HTTP `status` range of access lines, or a `rate` (a count per
//! bucket that stands out from its baseline). The built-in catalogue is such files,
//! embedded in the binary; users add their own with `--rules FILE`.
//!
//! [`load`] reads and checks rule files (nothing is used from a file with a problem),
//! [`check`] runs each rule's examples and counterexamples, and [`RuleSet::matcher`]
//! builds, per format, one multi-pattern matcher that the scan runs over whole chunks.

mod check;
mod load;
mod matcher;
pub mod phrase;

pub use check::check;
pub use matcher::{LineMatch, Matcher};

use crate::format::{Format, SourceKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The built-in catalogue, one file a family, embedded so that `postmortem` is one file.
pub const BUILTIN: &[(&str, &str)] = &[
    ("builtin/web.toml", include_str!("builtin/web.toml")),
    ("builtin/mysql.toml", include_str!("builtin/mysql.toml")),
    ("builtin/postgres.toml", include_str!("builtin/postgres.toml")),
    ("builtin/sql.toml", include_str!("builtin/sql.toml")),
    ("builtin/pools.toml", include_str!("builtin/pools.toml")),
    ("builtin/system.toml", include_str!("builtin/system.toml")),
    ("builtin/network.toml", include_str!("builtin/network.toml")),
    ("builtin/deploys.toml", include_str!("builtin/deploys.toml")),
    ("builtin/app.toml", include_str!("builtin/app.toml")),
];

/// Limits on one compiled pattern: user rules must not exhaust memory.
const REGEX_SIZE_LIMIT: usize = 4 << 20;
const REGEX_DFA_LIMIT: usize = 8 << 20;

macro_rules! categories {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// What a signal is evidence of. The vocabulary is fixed so that analysis can
        /// reason about causes (a `table_lock` says more than an `app_error`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Category { $($(#[doc = $doc])* $variant,)* }

        impl Category {
            pub const ALL: &'static [Category] = &[$(Category::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Category::$variant => $name,)* }
            }
        }
    };
}

categories! {
    ErrorSpike => "error_spike",
    LatencySpike => "latency_spike",
    TrafficSurge => "traffic_surge",
    /// One failed HTTP response (5xx): the raw material of error spikes.
    HttpError => "http_error",
    TableLock => "table_lock",
    Deadlock => "deadlock",
    PoolExhaustion => "pool_exhaustion",
    SlowQuery => "slow_query",
    DbCorruption => "db_corruption",
    DbError => "db_error",
    CronJob => "cron_job",
    Deploy => "deploy",
    Restart => "restart",
    ConfigChange => "config_change",
    Migration => "migration",
    /// Table maintenance (OPTIMIZE, VACUUM FULL, REINDEX, LOCK TABLE): heavy locks on
    /// purpose, often from a scheduled job.
    Maintenance => "maintenance",
    UpstreamError => "upstream_error",
    ResourceExhaustion => "resource_exhaustion",
    AdminAction => "admin_action",
    AppError => "app_error",
    /// Lines at warning level or above that no rule names, one template each.
    LogErrors => "log_errors",
    /// A line rare in its source, not there from its start, shortly before the symptom:
    /// a state change no rule names.
    Change => "change",
    /// A burst of error lines over their own baseline: the symptom where no access log
    /// covers the time.
    ErrorBurst => "error_burst",
}

impl Category {
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.name() == name)
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

/// Where a rule applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceFilter {
    Kind(SourceKind),
    Format(Format),
}

/// What a rate rule counts in each bucket.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// Web requests (access lines).
    Requests,
    /// Web responses with a 5xx status.
    FailedRequests,
    /// Mean request time in milliseconds, where the access format carries it.
    MeanRequestMs,
    /// Lines matched by one rule.
    RuleHits(String),
    /// Lines matched by any rule of a category.
    CategoryHits(Category),
}

impl Measure {
    /// `requests`, `failed_requests`, `mean_request_ms`, `rule:ID`, `category:NAME`.
    pub fn parse(text: &str) -> Option<Measure> {
        Some(match text {
            "requests" => Measure::Requests,
            "failed_requests" => Measure::FailedRequests,
            "mean_request_ms" => Measure::MeanRequestMs,
            _ => match text.split_once(':')? {
                ("rule", id) if !id.is_empty() => Measure::RuleHits(id.to_string()),
                ("category", name) => Measure::CategoryHits(Category::from_name(name)?),
                _ => return None,
            },
        })
    }
}

/// A rate rule: `count` (divided by `per` when given) in each bucket must reach
/// `threshold`, and `over_baseline` times the baseline before it, for `buckets` buckets
/// in a row; it ends after `end_after` buckets below.
#[derive(Clone, Debug, PartialEq)]
pub struct Rate {
    pub count: Measure,
    pub per: Option<Measure>,
    pub threshold: f64,
    /// A bucket counts only if `count` is at least this (no spike of 1 failure in 2).
    pub min_count: f64,
    /// 0 turns the baseline test off.
    pub over_baseline: f64,
    /// How many buckets before a run make its baseline.
    pub baseline: usize,
    pub buckets: usize,
    pub end_after: usize,
    /// Evaluate each source group on its own instead of all of them together.
    pub by_source: bool,
}

/// What a rule looks for.
#[derive(Clone, Debug)]
pub enum Condition {
    /// A regex over the line; named captures become event fields. A line that `unless`
    /// matches too is not this rule's (Sigma's "selection and not filter").
    Pattern { pattern: Pattern, unless: Option<Pattern> },
    /// An access line whose status is within the range.
    Status(u16, u16),
    /// A count per bucket that stands out; evaluated on the series and events after the
    /// scan, never on lines.
    Rate(Rate),
}

/// A rule's line pattern: its text, and the regex compiled from it the first time a line
/// needs it. A user's rule file is compiled whole when it is loaded, so that what is
/// wrong in it is said then; the built-in catalogue, which `rules check` compiles and
/// checks in CI, is compiled pattern by pattern as lines need them: compiling all of it
/// was half the instructions of a draft of a small log, and a run meets a few of its
/// rules. Clones share the one regex.
#[derive(Clone)]
pub struct Pattern(std::sync::Arc<PatternInner>);

struct PatternInner {
    text: Box<str>,
    compiled: OnceLock<Result<regex::bytes::Regex, String>>,
}

impl Pattern {
    /// The pattern of `text`, compiled now: the error says why it does not compile.
    pub(crate) fn compiled(text: &str) -> Result<Pattern, String> {
        let pattern = Pattern::deferred(text);
        pattern.try_regex()?;
        Ok(pattern)
    }

    /// The pattern of `text`, compiled when first used.
    pub(crate) fn deferred(text: &str) -> Pattern {
        Pattern(std::sync::Arc::new(PatternInner {
            text: text.into(),
            compiled: OnceLock::new(),
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The compiled regex, or why it does not compile.
    pub fn try_regex(&self) -> Result<&regex::bytes::Regex, String> {
        self.0
            .compiled
            .get_or_init(|| load::compile_pattern(&self.0.text))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The compiled regex. A pattern reaches a line only once its rule file has loaded
    /// (a user's: compiled then) or `rules check` has passed on it (the catalogue).
    pub fn regex(&self) -> &regex::bytes::Regex {
        self.try_regex()
            .expect("a rule's pattern compiles: loaded, or checked by `rules check`")
    }

    pub fn is_match(&self, line: &[u8]) -> bool {
        self.regex().is_match(line)
    }

    /// The names of its groups, in order: from the regex where it is compiled, else as
    /// written (which `rules check` holds to the same for the catalogue).
    pub fn group_names(&self) -> Vec<String> {
        match self.0.compiled.get() {
            Some(Ok(regex)) => regex.capture_names().flatten().map(str::to_string).collect(),
            _ => self.written_group_names(),
        }
    }

    /// The names of its groups as its text writes them.
    pub fn written_group_names(&self) -> Vec<String> {
        named_groups(&self.0.text)
            .into_iter()
            .map(|(_, _, name)| name.to_string())
            .collect()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.0.text).finish()
    }
}

/// An example or counterexample line, with the line of the rule file it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub line: usize,
}

/// A checked, compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// What its lines say happened, as a sentence built from what it captured.
    pub phrase: Option<phrase::Phrase>,
    pub category: Category,
    pub severity: Severity,
    /// Empty: every source.
    pub sources: Vec<SourceFilter>,
    pub condition: Condition,
    pub examples: Vec<Example>,
    pub counterexamples: Vec<Example>,
    /// The file and line the rule was defined at.
    pub origin: String,
    pub line: usize,
}

impl Rule {
    /// Whether the rule reads lines of `format`. A format that refines another (HAProxy's
    /// or PostgreSQL's lines through syslog) keeps the broader one's rules: its other
    /// lines are still that format's.
    pub fn applies_to(&self, format: Format) -> bool {
        self.sources.is_empty()
            || self.sources.iter().any(|s| match s {
                SourceFilter::Kind(kind) => format.kind() == *kind,
                SourceFilter::Format(f) => format == *f,
            })
            || format.refines().is_some_and(|broader| self.applies_to(broader))
    }

    /// The line pattern with its named groups made plain ones, for tools that join
    /// patterns into one alternation (ripgrep's `-f` refuses a group name used twice).
    pub fn plain_pattern(&self) -> Option<String> {
        match &self.condition {
            Condition::Pattern { pattern, .. } => Some(unnamed_groups(pattern.as_str())),
            _ => None,
        }
    }

    /// A rule that only names a category, for tests of what comes after the scan.
    #[cfg(test)]
    pub(crate) fn named(id: &str, category: Category) -> Rule {
        Rule {
            id: id.into(),
            title: id.into(),
            phrase: None,
            category,
            severity: Severity::Error,
            sources: Vec::new(),
            condition: Condition::Status(500, 599),
            examples: Vec::new(),
            counterexamples: Vec::new(),
            origin: "test".into(),
            line: 1,
        }
    }

    pub fn rate(&self) -> Option<&Rate> {
        match &self.condition {
            Condition::Rate(rate) => Some(rate),
            _ => None,
        }
    }
}

/// The pattern with its named groups made plain groups: a tool that joins patterns into
/// one alternation (ripgrep's `-f`) refuses a name used twice.
fn unnamed_groups(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut from = 0;
    for (start, end, _) in named_groups(pattern) {
        out.push_str(&pattern[from..start]);
        out.push_str("(?:");
        from = end;
    }
    out.push_str(&pattern[from..]);
    out
}

/// The named groups of a pattern as written: where each opens (`(?P<name>` or
/// `(?<name>`), where its name ends, and the name. An escaped `\(` opens none.
fn named_groups(pattern: &str) -> Vec<(usize, usize, &str)> {
    let mut groups = Vec::new();
    let mut at = 0;
    while let Some(found) = pattern[at..].find("(?") {
        let start = at + found;
        let escaped = pattern[..start].chars().rev().take_while(|c| *c == '\\').count() % 2 == 1;
        let after = &pattern[start + 2..];
        let name_from = start + 2 + usize::from(after.starts_with('P'));
        at = start + 2;
        if escaped || !pattern[name_from..].starts_with('<') {
            continue;
        }
        let name_at = name_from + 1;
        let Some(len) = pattern[name_at..].find('>') else { continue };
        let name = &pattern[name_at..name_at + len];
        if len > 0 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            groups.push((start, name_at + len + 1, name));
            at = name_at + len + 1;
        }
    }
    groups
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
/// credited to the first: user rules, then the built-in ones), with one lazily built
/// matcher per format.
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
    /// The rules of each user file, then the built-in ones they do not replace. Every
    /// problem in every file is reported; none is half-loaded.
    pub fn load(user_files: &[PathBuf], builtin: bool) -> Result<RuleSet, Vec<RuleError>> {
        let mut sources: Vec<(String, String)> = Vec::new();
        let mut errors = Vec::new();
        for path in user_files {
            match std::fs::read_to_string(path) {
                Ok(text) => sources.push((path.display().to_string(), text)),
                Err(e) => errors.push(RuleError {
                    file: path.display().to_string(),
                    line: 0,
                    rule: None,
                    message: format!("cannot read: {}", crate::error::describe_io(&e)),
                }),
            }
        }
        let user_count = sources.len();
        if builtin {
            sources.extend(BUILTIN.iter().map(|(name, text)| (name.to_string(), text.to_string())));
        }
        RuleSet::assemble(&sources, user_count, errors)
    }

    /// The rules of one rule file's text, alone (`origin` names it in problems).
    pub fn from_text(origin: &str, text: &str) -> Result<RuleSet, Vec<RuleError>> {
        RuleSet::assemble(&[(origin.to_string(), text.to_string())], 1, Vec::new())
    }

    /// Parses `sources` (origin, text), the first `user_count` of them the user's, into
    /// one set; `errors` holds the problems found before.
    fn assemble(sources: &[(String, String)], user_count: usize, mut errors: Vec<RuleError>) -> Result<RuleSet, Vec<RuleError>> {
        let mut rules: Vec<Rule> = Vec::new();
        for (index, (origin, text)) in sources.iter().enumerate() {
            let is_user = index < user_count;
            // The catalogue's patterns are compiled as lines need them (see `Pattern`).
            let deferred = !is_user && is_builtin(origin);
            match load::parse_rules(origin, text, deferred) {
                Ok(parsed) => {
                    for rule in parsed {
                        match rules.iter().position(|r| r.id == rule.id) {
                            // A built-in rule that a user rule replaces.
                            Some(at) if !is_user && !is_builtin(&rules[at].origin) => {}
                            Some(at) => errors.push(RuleError {
                                file: origin.clone(),
                                line: rule.line,
                                rule: Some(rule.id.clone()),
                                message: format!("id already defined at {}:{}", rules[at].origin, rules[at].line),
                            }),
                            None => rules.push(rule),
                        }
                    }
                }
                Err(mut file_errors) => errors.append(&mut file_errors),
            }
        }
        errors.extend(load::check_references(&rules));
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

    /// A number that differs between rule sets that read lines differently: what a scan
    /// partial records, so that partials are merged only with runs of the same rules.
    pub fn fingerprint(&self) -> u64 {
        // What a rule reads and makes of a line; not where it was written, which differs
        // between the machines that scan and the one that drafts.
        let described: String = self
            .rules
            .iter()
            .map(|r| {
                format!(
                    "{} {} {:?} {:?} {:?} {:?} {:?}\n",
                    r.id, r.title, r.phrase, r.category, r.severity, r.sources, r.condition
                )
            })
            .collect();
        crate::scan::keys::fixed_hash(described.as_bytes())
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

    pub fn index_of(&self, id: &str) -> Option<RuleIndex> {
        self.rules.iter().position(|r| r.id == id).and_then(|i| RuleIndex::try_from(i).ok())
    }

    /// The matcher for one format, built on first use.
    pub fn matcher(&self, format: Format) -> &Matcher {
        let slot = Format::ALL.iter().position(|f| *f == format).expect("every format is in ALL");
        self.matchers[slot].get_or_init(|| Matcher::new(&self.rules, format))
    }
}

fn is_builtin(origin: &str) -> bool {
    BUILTIN.iter().any(|(name, _)| *name == origin)
}

/// The text of the built-in catalogue, or of the one rule `id` (its `[[rule]]` table as
/// written, comments included).
pub fn builtin_text(id: Option<&str>, set: &RuleSet) -> Option<String> {
    let Some(id) = id else {
        return Some(BUILTIN.iter().map(|(_, text)| *text).collect::<Vec<_>>().join("\n"));
    };
    let rule = set.rules().iter().find(|r| r.id == id)?;
    let text = match BUILTIN.iter().find(|(name, _)| *name == rule.origin) {
        Some((_, text)) => text.to_string(),
        None => std::fs::read_to_string(&rule.origin).ok()?,
    };
    let lines: Vec<&str> = text.lines().collect();
    // From the `[[rule]]` header at or above the rule's line to the next header.
    let start = (0..rule.line.min(lines.len())).rev().find(|&i| lines[i].trim() == "[[rule]]")?;
    let end = (start + 1..lines.len())
        .find(|&i| lines[i].trim() == "[[rule]]")
        .unwrap_or(lines.len());
    Some(lines[start..end].join("\n").trim_end().to_string() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_format_that_refines_syslog_keeps_the_hosts_rules() {
        let rules = RuleSet::load(&[], true).unwrap();
        let rule = |id: &str| rules.rules().iter().find(|r| r.id == id).unwrap();
        // A load balancer's syslog where HAProxy wrote most lines is still the host's log.
        assert!(rule("kernel.oom_kill").applies_to(Format::HaproxyHttp));
        assert!(rule("systemd.failed_result").applies_to(Format::HaproxyHttp));
        assert!(rule("haproxy.server_down").applies_to(Format::HaproxyHttp));
        // … and a rule of another layer's format stays there.
        assert!(!rule("nginx.upstream_timeout").applies_to(Format::HaproxyHttp));
        assert!(!rule("kernel.oom_kill").applies_to(Format::AccessLog));
    }

    #[test]
    fn named_groups_become_plain_and_escapes_stay() {
        assert_eq!(
            unnamed_groups(r"a (?P<x>\d+) b (?<y>\w) (?i)c (?:d)"),
            r"a (?:\d+) b (?:\w) (?i)c (?:d)"
        );
        assert_eq!(unnamed_groups(r"\(?P<x>y)"), r"\(?P<x>y)");
        assert_eq!(unnamed_groups(r"\\(?P<x>y)"), r"\\(?:y)");
    }

    #[test]
    fn a_deferred_pattern_compiles_once_when_first_used_and_names_its_groups_alike() {
        let pattern = Pattern::deferred(r"user (?P<user>\S+) from (?<host>\S+)");
        let written = pattern.group_names();
        assert_eq!(written, ["user", "host"]);
        let copy = pattern.clone();
        assert!(copy.is_match(b"user ana from 10.0.0.1"));
        // The copy's use compiled the one regex both share.
        assert!(std::ptr::eq(pattern.regex(), copy.regex()));
        assert_eq!(pattern.group_names(), written);
        // One that does not compile says why when asked, and a user's is refused at once.
        assert!(Pattern::deferred("a(").try_regex().is_err());
        assert!(Pattern::compiled("a(").unwrap_err().contains("does not compile"));
    }

    #[test]
    fn the_catalogue_compiles_only_the_patterns_its_lines_need() {
        let set = RuleSet::load(&[], true).unwrap();
        let compiled = |set: &RuleSet| {
            set.rules()
                .iter()
                .filter(|r| matches!(&r.condition, Condition::Pattern { pattern, .. } if pattern.0.compiled.get().is_some()))
                .count()
        };
        assert_eq!(compiled(&set), 0);
        let line = b"Jan 21 16:31:12 db1 sudo:    admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=/usr/bin/pkill -f optimize";
        let found = set.matcher(Format::Syslog).match_line(line).unwrap();
        assert_eq!(set.get(found.rule).id, "sudo.service_action");
        assert_eq!(compiled(&set), 1);
    }

    fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_builtin_catalogue_loads_and_passes_its_own_check() {
        let set = RuleSet::load(&[], true).unwrap();
        assert!(set.rules().len() >= 40, "{} rules", set.rules().len());
        let problems: Vec<String> = check(&set).iter().map(ToString::to_string).collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_builtin_match_rule_has_examples_and_counterexamples() {
        let set = RuleSet::load(&[], true).unwrap();
        for rule in set.rules().iter().filter(|r| r.rate().is_none()) {
            assert!(!rule.examples.is_empty() && !rule.counterexamples.is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn a_user_rule_replaces_the_builtin_with_its_id_and_comes_first() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[[rule]]\nid = \"mysql.deadlock\"\ntitle = \"Ours\"\ncategory = \"deadlock\"\nseverity = \"critical\"\npattern = \"deadlock\"\n";
        let set = RuleSet::load(&[write(dir.path(), "ours.toml", text)], true).unwrap();
        let ours: Vec<_> = set.rules().iter().filter(|r| r.id == "mysql.deadlock").collect();
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0].title, "Ours");
        assert_eq!(set.rules()[0].id, "mysql.deadlock", "user rules take priority");
    }

    #[test]
    fn duplicate_ids_among_user_rules_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let rule = "[[rule]]\nid = \"shop.x\"\ntitle = \"x\"\ncategory = \"app_error\"\nseverity = \"error\"\npattern = \"x\"\n";
        let errors = RuleSet::load(&[write(dir.path(), "a.toml", rule), write(dir.path(), "b.toml", rule)], false).unwrap_err();
        assert!(
            errors[0].to_string().contains("b.toml:1: rule shop.x: id already defined at"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_rate_rule_must_count_an_existing_match_rule() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[[rule]]\nid = \"shop.spike\"\ntitle = \"x\"\ncategory = \"error_spike\"\nseverity = \"error\"\n[rule.rate]\ncount = \"rule:shop.nothing\"\nthreshold = 3\n";
        let errors = RuleSet::load(&[write(dir.path(), "a.toml", text)], false).unwrap_err();
        assert!(
            errors[0].to_string().contains("counts rule:shop.nothing, which is not defined"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn check_reports_examples_that_fail_and_counterexamples_that_fire() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[[rule]]\nid = \"shop.pay\"\ntitle = \"x\"\ncategory = \"upstream_error\"\nseverity = \"error\"\nsources = [\"app\"]\npattern = \"PaymentGateway timed out\"\nexamples = [\n  \"2025-02-01 10:00:00,120 ERROR PaymentGateway answered\",\n]\ncounterexamples = [\"2025-02-01 10:00:00,120 INFO PaymentGateway timed out\"]\n";
        let set = RuleSet::load(&[write(dir.path(), "a.toml", text)], false).unwrap();
        let problems: Vec<String> = check(&set).iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].ends_with("a.toml:9: rule shop.pay: example does not match: 2025-02-01 10:00:00,120 ERROR PaymentGateway answered"),
            "{}",
            problems[0]
        );
        assert!(
            problems[1].contains("a.toml:11: rule shop.pay: counterexample fires"),
            "{}",
            problems[1]
        );
    }

    #[test]
    fn builtin_text_shows_one_rule_as_written() {
        let set = RuleSet::load(&[], true).unwrap();
        let text = builtin_text(Some("mysql.table_crashed"), &set).unwrap();
        assert!(text.starts_with("[[rule]]\nid = \"mysql.table_crashed\""), "{text}");
        assert_eq!(text.matches("[[rule]]").count(), 1);
        assert!(builtin_text(None, &set).unwrap().contains("id = \"web.error_spike\""));
    }
}
