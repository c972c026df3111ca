//! One format's view of the rule set: a single multi-pattern regex over all the patterns
//! that apply to the format (run over a whole chunk, so the scan is one pass whatever the
//! number of rules), a `RegexSet` to tell which rule a hit line belongs to, and the
//! status rules of access lines.

use super::{Condition, Pattern, Rule, RuleIndex, REGEX_DFA_LIMIT, REGEX_SIZE_LIMIT};
use crate::format::Format;
use regex_automata::meta;
use regex_automata::util::syntax;
use regex_automata::Input;

/// A rule that matched a line, with the fields its named captures gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineMatch {
    pub rule: RuleIndex,
    pub fields: Vec<(Box<str>, Box<str>)>,
}

pub struct Matcher {
    /// The pattern rules that apply, in priority order; pattern i of `search` and
    /// `line_set` is rule `pattern_rules[i]`.
    pattern_rules: Vec<RuleIndex>,
    patterns: Vec<Pattern>,
    /// Each pattern's `unless`.
    exclusions: Vec<Option<Pattern>>,
    search: Option<meta::Regex>,
    line_set: Option<regex::bytes::RegexSet>,
    status_rules: Vec<(RuleIndex, u16, u16)>,
}

impl Matcher {
    pub fn new(rules: &[Rule], format: Format) -> Matcher {
        let mut pattern_rules = Vec::new();
        let mut patterns = Vec::new();
        let mut exclusions = Vec::new();
        let mut status_rules = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if !rule.applies_to(format) {
                continue;
            }
            let index = RuleIndex::try_from(index).unwrap_or(RuleIndex::MAX);
            match &rule.condition {
                Condition::Pattern { pattern, unless } => {
                    pattern_rules.push(index);
                    patterns.push(pattern.clone());
                    exclusions.push(unless.clone());
                }
                Condition::Status(low, high) => status_rules.push((index, *low, *high)),
                // Rates are counted after the scan, from series and events.
                Condition::Rate(_) => {}
            }
        }
        let (search, line_set) = if patterns.is_empty() {
            (None, None)
        } else {
            let sources: Vec<&str> = patterns.iter().map(|re| re.as_str()).collect();
            // Each pattern compiled alone within the limits, so together they fit in limits
            // that grow with their number; the union adds a little to each pattern, and one
            // more limit's worth of room covers that, so the `expect`s below cannot fail.
            let limit = REGEX_SIZE_LIMIT.saturating_mul(sources.len() + 1);
            let search = meta::Builder::new()
                .configure(
                    meta::Config::new()
                        .utf8_empty(false)
                        .nfa_size_limit(Some(limit))
                        .hybrid_cache_capacity(REGEX_DFA_LIMIT * 2),
                )
                // Over a whole chunk, `^` and `$` must still mean the ends of a line.
                .syntax(syntax::Config::new().unicode(false).utf8(false).multi_line(true).crlf(true))
                .build_many(&sources)
                .expect("patterns that compiled alone compile together");
            let line_set = regex::bytes::RegexSetBuilder::new(&sources)
                .unicode(false)
                .size_limit(limit)
                .dfa_size_limit(REGEX_DFA_LIMIT * 2)
                .build()
                .expect("patterns that compiled alone compile as a set");
            (Some(search), Some(line_set))
        };
        Matcher {
            pattern_rules,
            patterns,
            exclusions,
            search,
            line_set,
            status_rules,
        }
    }

    /// An offset at or after `from` inside the first line that a pattern match ends in:
    /// the line to try with [`Matcher::match_line`].
    ///
    /// Only where a match ends is asked for, and the search stops at the first such
    /// place: finding where the match starts costs a reverse scan, which some pattern
    /// sets pay on every line (the syslog patterns scanned at 470 MB/s that way, and at
    /// over 4 GB/s without it). No line holding a whole match is skipped: its match
    /// would end before any later one.
    #[inline]
    pub fn next_hit(&self, haystack: &[u8], from: usize) -> Option<usize> {
        let search = self.search.as_ref()?;
        let end = search.search_half(&Input::new(haystack).range(from..).earliest(true))?.offset();
        // The last byte of the match; an empty match has none and is at `from`.
        Some(end.saturating_sub(1).max(from))
    }

    /// The first rule (in priority order) whose pattern matches the line, with its fields.
    pub fn match_line(&self, line: &[u8]) -> Option<LineMatch> {
        let set = self.line_set.as_ref()?;
        // The first rule that matches and whose `unless` does not.
        let which = set
            .matches(line)
            .iter()
            .find(|&i| !self.exclusions[i].as_ref().is_some_and(|unless| unless.is_match(line)))?;
        let re = self.patterns[which].regex();
        let mut fields = Vec::new();
        if re.captures_len() > 1 {
            if let Some(caps) = re.captures(line) {
                for name in re.capture_names().flatten() {
                    if let Some(m) = caps.name(name) {
                        fields.push((name.into(), String::from_utf8_lossy(m.as_bytes()).into()));
                    }
                }
            }
        }
        Some(LineMatch {
            rule: self.pattern_rules[which],
            fields,
        })
    }

    /// The first status rule covering `status`.
    #[inline]
    pub fn match_status(&self, status: u16) -> Option<RuleIndex> {
        self.status_rules
            .iter()
            .find(|(_, low, high)| (*low..=*high).contains(&status))
            .map(|(rule, ..)| *rule)
    }
}
