//! One format's view of the rule set: multi-pattern regexes over all the patterns that
//! apply to the format (run over a whole chunk, so the scan costs no more with each rule),
//! a `RegexSet` to tell which rule a hit line belongs to, and the status rules of access
//! lines.
//!
//! A regex over more than [`PREFIXES_PER_SEARCH`] distinct prefixes cuts them short until
//! they fit a vectorised literal search, down to one byte, and then stops at one of a few
//! dozen bytes on every line. The syslog rules stood at that limit, and one rule more (a
//! user's) made their search half as fast. Where that would happen, the patterns are
//! searched in groups that each fit, each search running ahead on its own: a few per
//! cent more than one search. Elsewhere there is one search, and the regex's own choice.

use super::{Condition, Pattern, Rule, RuleIndex, REGEX_DFA_LIMIT, REGEX_SIZE_LIMIT};
use crate::format::Format;
use regex_automata::meta;
use regex_automata::util::syntax;
use regex_automata::Input;
use regex_syntax::hir::Hir;

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
    /// The patterns in groups, a regex over each (see the module's docs).
    searches: Vec<meta::Regex>,
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
        let (searches, line_set) = if patterns.is_empty() {
            (Vec::new(), None)
        } else {
            let sources: Vec<&str> = patterns.iter().map(|re| re.as_str()).collect();
            // Each pattern compiled alone within the limits, so together they fit in limits
            // that grow with their number; the union adds a little to each pattern, and one
            // more limit's worth of room covers that, so the `expect`s below cannot fail.
            let limit = REGEX_SIZE_LIMIT.saturating_mul(sources.len() + 1);
            // Over a whole chunk, `^` and `$` must still mean the ends of a line.
            let syntax = syntax::Config::new().unicode(false).utf8(false).multi_line(true).crlf(true);
            let hirs = syntax::parse_many_with(&sources, &syntax).expect("patterns that compiled alone parse together");
            let searches = search_groups(&hirs)
                .into_iter()
                .map(|group| {
                    let group: Vec<&Hir> = group.into_iter().map(|i| &hirs[i]).collect();
                    meta::Builder::new()
                        .configure(
                            meta::Config::new()
                                .utf8_empty(false)
                                .nfa_size_limit(Some(limit))
                                .hybrid_cache_capacity(REGEX_DFA_LIMIT * 2),
                        )
                        .build_many_from_hir(&group)
                        .expect("patterns that compiled alone compile together")
                })
                .collect();
            let line_set = regex::bytes::RegexSetBuilder::new(&sources)
                .unicode(false)
                .size_limit(limit)
                .dfa_size_limit(REGEX_DFA_LIMIT * 2)
                .build()
                .expect("patterns that compiled alone compile as a set");
            (searches, Some(line_set))
        };
        Matcher {
            pattern_rules,
            patterns,
            exclusions,
            searches,
            line_set,
            status_rules,
        }
    }

    /// A cursor over the hits of a chunk, asked in order (see [`Hits::next_hit`]).
    pub fn hits(&self) -> Hits<'_> {
        Hits {
            searches: &self.searches,
            ahead: vec![Ahead::Unknown; self.searches.len()],
            asked: 0,
        }
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

/// Distinct prefixes (cut to [`PREFIX_BYTES`]) a search holds, at most: what a vectorised
/// literal search (Teddy) takes; past it, the regex cuts its prefixes shorter.
const PREFIXES_PER_SEARCH: usize = 64;
/// The length the regex cuts prefixes to before it counts them against that limit.
const PREFIX_BYTES: usize = 3;
/// A pattern that may open with a prefix shorter than this (a digit, a letter) has none
/// worth looking for: one byte is on every other line.
const PREFIX_MIN_BYTES: usize = 2;

/// The patterns (by index) in groups of at most [`PREFIXES_PER_SEARCH`] distinct
/// prefixes, in order, each pattern in the first group it fits, where the regex over all
/// of them would cut their prefixes down to a byte or two: every pattern has a prefix
/// worth looking for, and together they hold too many. Otherwise one group, and the
/// regex's own choice: its prefixes as they are, or none where some pattern may open with
/// any byte or they are too many to tell apart (the SQL rules' keywords in every case),
/// where reading every byte is faster than stopping at each likely one.
fn search_groups(hirs: &[Hir]) -> Vec<Vec<usize>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor, Literal, Seq};
    use std::collections::BTreeSet;
    let whole = vec![(0..hirs.len()).collect()];
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let each: Vec<Seq> = hirs.iter().map(|hir| extractor.extract(hir)).collect();
    let worth = |l: &[Literal]| !l.is_empty() && l.iter().all(|l| l.as_bytes().len() >= PREFIX_MIN_BYTES);
    let Some(prefixes) = each
        .iter()
        .map(|seq| seq.literals().filter(|l| worth(l)))
        .collect::<Option<Vec<_>>>()
    else {
        return whole;
    };
    // What the regex would look for, as it shortens its prefixes.
    let mut all = Seq::empty();
    for seq in &each {
        all.union(&mut seq.clone());
    }
    all.optimize_for_prefix_by_preference();
    let cut_short = all.literals().is_some_and(|l| l.iter().any(|l| l.as_bytes().len() < PREFIX_BYTES));
    if !cut_short {
        return whole;
    }
    let mut groups: Vec<(Vec<usize>, BTreeSet<&[u8]>)> = Vec::new();
    // The patterns of more prefixes than a search takes, in one search of their own.
    let mut too_many = Vec::new();
    for (index, literals) in prefixes.into_iter().enumerate() {
        let cut: BTreeSet<&[u8]> = literals
            .iter()
            .map(|l| &l.as_bytes()[..l.as_bytes().len().min(PREFIX_BYTES)])
            .collect();
        if cut.len() > PREFIXES_PER_SEARCH {
            too_many.push(index);
            continue;
        }
        match groups.iter_mut().find(|(_, held)| held.union(&cut).count() <= PREFIXES_PER_SEARCH) {
            Some((members, held)) => {
                members.push(index);
                held.extend(cut);
            }
            None => groups.push((vec![index], cut)),
        }
    }
    let mut groups: Vec<Vec<usize>> = groups.into_iter().map(|(members, _)| members).collect();
    if !too_many.is_empty() {
        groups.push(too_many);
    }
    groups
}

/// Where a search's next hit is, as far as it has looked.
#[derive(Clone, Copy, Debug)]
enum Ahead {
    /// Not looked yet.
    Unknown,
    /// The end of its first match from where it was last asked; asked again once the
    /// scan has passed it.
    At(usize),
    /// No match from where it was asked to the chunk's end.
    None,
}

/// The hits of one chunk, asked in order: each search runs ahead to its next hit and is
/// asked again only once the scan has passed it.
pub struct Hits<'m> {
    searches: &'m [meta::Regex],
    ahead: Vec<Ahead>,
    /// Where it was last asked from: never more than the next `from`.
    asked: usize,
}

impl Hits<'_> {
    /// An offset at or after `from` inside the first line that a pattern match ends in:
    /// the line to try with [`Matcher::match_line`]. Asked with `from` never smaller than
    /// the time before, and the same `haystack`.
    ///
    /// Only where a match ends is asked for, and each search stops at the first such
    /// place: finding where the match starts costs a reverse scan, which some pattern
    /// sets pay on every line (the syslog patterns scanned at 470 MB/s that way, and at
    /// over 4 GB/s without it). No line holding a whole match is skipped: its match
    /// would end before any later one. A search's hit found from an earlier place, when
    /// it lies at or after `from`, is where to try next: no match that starts at `from`
    /// or later ends before it. (Its own match may have started before `from` and run
    /// over a line's end; its line is then tried and holds no match of its own, which
    /// [`Matcher::match_line`] says.)
    #[inline]
    pub fn next_hit(&mut self, haystack: &[u8], from: usize) -> Option<usize> {
        debug_assert!(from >= self.asked, "hits asked out of order: {from} after {}", self.asked);
        self.asked = from;
        let mut first: Option<usize> = None;
        for (search, ahead) in self.searches.iter().zip(self.ahead.iter_mut()) {
            let end = match *ahead {
                Ahead::At(end) if end >= from => Some(end),
                Ahead::None => None,
                _ => {
                    let end = search
                        .search_half(&Input::new(haystack).range(from..).earliest(true))
                        .map(|m| m.offset());
                    *ahead = end.map_or(Ahead::None, Ahead::At);
                    end
                }
            };
            first = match (first, end) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        // The last byte of the match; an empty match has none and is at `from`.
        first.map(|end| end.saturating_sub(1).max(from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    /// A rule file of `n` rules, each a message of its own (`a17x halted`).
    fn rules(n: usize) -> RuleSet {
        RuleSet::from_text("t.toml", &rule_text(n)).unwrap()
    }

    /// [`rules`], and one whose pattern may open with any digit.
    fn rules_with_digits(n: usize) -> RuleSet {
        let digits =
            "[[rule]]\nid = \"t.digits\"\ntitle = \"t\"\ncategory = \"app_error\"\nseverity = \"error\"\npattern = '\\d+ workers lost'\n";
        RuleSet::from_text("t.toml", &(rule_text(n) + digits)).unwrap()
    }

    fn rule_text(n: usize) -> String {
        let mut text = String::new();
        for i in 0..n {
            // Prefixes that differ in their first three bytes: `a00`, `a01`, …
            text.push_str(&format!(
                "[[rule]]\nid = \"t.r{i}\"\ntitle = \"t\"\ncategory = \"app_error\"\nseverity = \"error\"\npattern = 'a{i:02}x halted after \\d+ tries'\n\n"
            ));
        }
        text
    }

    fn hirs(matcher: &Matcher) -> Vec<Hir> {
        let syntax = syntax::Config::new().unicode(false).utf8(false).multi_line(true).crlf(true);
        let sources: Vec<&str> = matcher.patterns.iter().map(|p| p.as_str()).collect();
        syntax::parse_many_with(&sources, &syntax).unwrap()
    }

    #[test]
    fn patterns_are_searched_in_groups_that_fit_a_literal_search() {
        let set = rules(100);
        let matcher = set.matcher(Format::Timestamped);
        let groups = search_groups(&hirs(matcher));
        // 100 prefixes in two groups of at most 64.
        assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), vec![64, 36]);
        // With a pattern that may open with any digit, the regex chooses over all of them.
        let with_digits = rules_with_digits(100);
        assert_eq!(
            search_groups(&hirs(with_digits.matcher(Format::Timestamped))),
            vec![(0..101).collect::<Vec<_>>()]
        );
        // A few rules: one group.
        let few = rules(3);
        assert_eq!(search_groups(&hirs(few.matcher(Format::Timestamped))), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn the_groups_find_every_line_a_pattern_matches_in_order() {
        // Hits of either group, far apart and close together, and lines of none.
        let lines = [
            "2024-01-21 15:30:00 note: nothing here",
            "2024-01-21 15:30:01 a99x halted after 3 tries",
            "2024-01-21 15:30:02 12 workers lost",
            "2024-01-21 15:30:03 a00x halted after 1 tries",
            "2024-01-21 15:30:04 nothing again",
            "2024-01-21 15:30:05 a70x halted after 2 tries, 3 workers lost",
            "2024-01-21 15:30:06 a7 halted (no rule)",
            "2024-01-21 15:30:07 a05x halted after 9 tries",
        ];
        let chunk = lines.join("\n");
        let lines_hit = |matcher: &Matcher| {
            let mut found = Vec::new();
            let (mut hits, mut from) = (matcher.hits(), 0);
            while let Some(hit) = hits.next_hit(chunk.as_bytes(), from) {
                found.push(chunk[..hit].matches('\n').count());
                match chunk[hit..].find('\n') {
                    Some(at) => from = hit + at + 1,
                    None => break,
                }
            }
            found
        };
        // Two searches, each running ahead of the other in turn.
        let grouped = rules(100);
        assert_eq!(grouped.matcher(Format::Timestamped).searches.len(), 2);
        assert_eq!(lines_hit(grouped.matcher(Format::Timestamped)), vec![1, 3, 5, 7]);
        // One search over all, where a pattern has no prefix.
        let whole = rules_with_digits(100);
        assert_eq!(whole.matcher(Format::Timestamped).searches.len(), 1);
        assert_eq!(lines_hit(whole.matcher(Format::Timestamped)), vec![1, 2, 3, 5, 7]);
    }
}
