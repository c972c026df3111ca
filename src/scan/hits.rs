//! What the scan keeps of the lines rules matched: never the lines themselves, so that
//! memory grows with what happened, not with the size of the logs. Two summaries, both
//! cheap to add to and to merge:
//!
//! - runs: matched lines of one rule about one thing (the value of a key field such as
//!   the table or the cron command), with no gap longer than the collapse gap between
//!   them. The timeline merges the runs of all chunks into episodes.
//! - tallies: per rule and bucket of time, how many lines matched, and the first and last
//!   of them. Rate rules count these, and cite their first and last lines.
//!
//! Runs of a chunk may overlap or lie close when its lines are out of time order; that
//! is fine, because merging runs whose spans come within the gap (what the timeline
//! does) gives the same episodes as collapsing the lines one by one in time order.

use super::keys::{shifted_bucket, TemplateKey};
use crate::format::{Format, ENTRY_WINDOW};
use crate::rules::RuleIndex;
use crate::text::clean_line;
use crate::time::Micros;
use std::collections::{BTreeMap, HashMap};

/// Fields that name what a line is about, in the order they are preferred. The first
/// [`KEY_FIELDS`] also say which thing it is: runs on different ones (two cron commands,
/// two tables) are different episodes.
const SUBJECT_FIELDS: [&str; 9] = ["table", "object", "command", "pool", "version", "user", "status", "lock", "unit"];
const KEY_FIELDS: usize = 5;

/// A field of `SUBJECT_FIELDS`, by its place there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "usize")]
pub struct SubjectField(usize);

/// A partial's subject field, read only where it is one.
impl TryFrom<usize> for SubjectField {
    type Error = &'static str;

    fn try_from(index: usize) -> Result<SubjectField, &'static str> {
        if index < SUBJECT_FIELDS.len() {
            Ok(SubjectField(index))
        } else {
            Err("no such subject field")
        }
    }
}

impl SubjectField {
    pub fn name(self) -> &'static str {
        SUBJECT_FIELDS[self.0]
    }
}

/// Whether a field says which thing a line is about (a cron command, a table), so that
/// lines of one rule about two of them are two things (see [`KEY_FIELDS`]).
pub fn is_key_field(name: &str) -> bool {
    subject_rank(name).is_some_and(|rank| rank < KEY_FIELDS)
}

/// Where a field name stands in [`SUBJECT_FIELDS`], if it is one. A matched line of a
/// flood goes through here: the names are compared a byte at a time, in place (a `match`
/// on strings calls `memcmp` for every constant of the name's length, and that call cost
/// a third of the scan of an access log whose every failed request is a matched line).
fn subject_rank(name: &str) -> Option<usize> {
    SUBJECT_FIELDS.iter().position(|field| same_text(field, name))
}

/// Whether two short texts (field names, statuses, tables) are the same: see
/// [`crate::format::same_bytes`].
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    crate::format::same_bytes(a.as_bytes(), b.as_bytes())
}

/// Distinct values of the subject field a run tracks, at most: enough to name the most
/// common one without letting a flood of distinct values grow memory.
const SUBJECT_VALUES: usize = 64;

/// Distinct key values a rule keeps apart in one chunk, at most. Lines about further
/// things join one run without a key, so a log naming millions of tables stays bounded.
const KEYS_PER_RULE: usize = 256;

pub use super::keys::Mark;

/// What a run's lines are: the lines of one rule, or those of one template (a message
/// with what varies masked) at warning level or above that no rule named.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Signal {
    Rule(RuleIndex),
    Template(TemplateKey),
    /// A surge of traffic that one value of a request field made (one user agent, one
    /// network): made by the timeline from the traffic's field summaries (see
    /// [`crate::timeline::surges`]), never by the scan.
    Surge,
    /// Every error line of every log together: made by the timeline (a burst of them is
    /// the symptom where no access log covers the time), never by the scan.
    ErrorLines,
}

/// What a run of lines is about: a captured field's name and its most common value
/// (`table` `orders`, `command` `/usr/local/bin/optimize-tables --all`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Subject {
    pub field: String,
    pub value: String,
}

/// The first line of a run, kept whole: what the draft quotes (a statement, a command, a
/// version), and what a rule captured from it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FirstLine {
    /// The line, cleaned of control characters and cut to a readable length.
    pub line: Box<str>,
    /// What the line says after its family's header (time, host, level).
    pub message: Box<str>,
    /// What the rule captured from it.
    pub fields: Vec<(Box<str>, Box<str>)>,
    /// The rest of its entry, where entries span lines (see [`Format::entry_rest`]).
    pub entry: Option<Box<str>>,
}

/// Characters of a run's first line kept.
const FIRST_LINE_CHARS: usize = 300;

/// The line of `mark`, as a run's first line.
pub struct LineText<'a> {
    pub line: &'a [u8],
    pub message: &'a [u8],
    /// What a structured record says failed (see [`crate::format::Head::detail`]).
    pub detail: &'a [u8],
    /// The bytes after the line in its chunk, those after the chunk (see
    /// [`ENTRY_WINDOW`]), and their format: where the rest of a multi-line entry is
    /// looked for.
    pub following: &'a [u8],
    pub lookahead: &'a [u8],
    pub format: Format,
}

impl LineText<'_> {
    /// The rest of the line's entry, from exactly [`ENTRY_WINDOW`] bytes after it
    /// (fewer only at the end of the file), wherever its chunk ends.
    fn entry(&self) -> Option<Box<str>> {
        let window: std::borrow::Cow<'_, [u8]> = if self.following.len() >= ENTRY_WINDOW {
            self.following[..ENTRY_WINDOW].into()
        } else {
            let more = (ENTRY_WINDOW - self.following.len()).min(self.lookahead.len());
            [self.following, &self.lookahead[..more]].concat().into()
        };
        self.format
            .entry_rest(&window)
            .map(|rest| clean_line(rest, FIRST_LINE_CHARS).into())
    }
}

impl LineText<'_> {
    fn keep<K: AsRef<str>, V: AsRef<str>>(&self, fields: &[(K, V)]) -> FirstLine {
        FirstLine {
            line: clean_line(self.line, FIRST_LINE_CHARS).into(),
            message: clean_line(&crate::text::joined(self.message, self.detail, FIRST_LINE_CHARS), FIRST_LINE_CHARS).into(),
            fields: fields.iter().map(|(k, v)| (k.as_ref().into(), v.as_ref().into())).collect(),
            entry: self.entry(),
        }
    }
}

/// Lines of one rule about one thing, close together in time.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    pub signal: Signal,
    /// The value of the first key field the lines carry; `None` when they carry none.
    pub key: Option<Box<str>>,
    /// The earliest and the latest line, by [`Mark`] order.
    pub first: Mark,
    pub last: Mark,
    pub count: u64,
    /// The subject field (see `SUBJECT_FIELDS`) and how often each of its values came,
    /// in the order they were first seen.
    pub subject_field: Option<SubjectField>,
    pub subjects: Vec<(Box<str>, u64)>,
    /// The run's first line (by [`Mark`] order), shared with the episodes made of it.
    pub first_line: std::sync::Arc<FirstLine>,
}

impl Run {
    pub fn start(&self) -> Micros {
        self.first.time
    }

    pub fn end(&self) -> Micros {
        self.last.time
    }

    /// Takes in a run of the same rule and key.
    pub fn absorb(&mut self, other: Run) {
        if other.first < self.first {
            self.first_line = other.first_line;
        }
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        self.count += other.count;
        if self.subject_field.is_none() {
            self.subject_field = other.subject_field;
        }
        if other.subject_field == self.subject_field {
            for (value, n) in other.subjects {
                self.count_subject(&value, n);
            }
        }
    }

    /// The most frequent subject value, with its field; ties go to the smallest value, so
    /// that the order runs were merged in does not matter.
    pub fn subject(&self) -> Option<Subject> {
        let best = self.subjects.iter().max_by(|(va, a), (vb, b)| a.cmp(b).then(vb.cmp(va)));
        match (self.subject_field, best) {
            (Some(field), Some((value, _))) => Some(Subject {
                field: field.name().to_string(),
                value: value.to_string(),
            }),
            _ => None,
        }
    }

    fn count_subject(&mut self, value: &str, n: u64) {
        // Values are short (a status, a table): a byte loop, not a call to memcmp each.
        if let Some((_, count)) = self.subjects.iter_mut().find(|(v, _)| same_text(v, value)) {
            *count += n;
        } else if self.subjects.len() < SUBJECT_VALUES {
            self.subjects.push((value.into(), n));
        }
    }

    /// Whether a line at `time` belongs to this run: within the gap of its span.
    fn takes(&self, time: Micros, gap: Micros) -> bool {
        time >= self.start().saturating_sub(gap) && time <= self.end().saturating_add(gap)
    }

    fn extend(&mut self, mark: Mark) {
        widen(&mut self.first, &mut self.last, mark);
        self.count += 1;
    }
}

/// Widens the span `first..=last` to take in `mark`. Lines mostly come in order, so the
/// last is checked first, and the first only when needed.
#[inline]
fn widen(first: &mut Mark, last: &mut Mark, mark: Mark) {
    if mark > *last {
        *last = mark;
    } else if mark < *first {
        *first = mark;
    }
}

/// Tallies by (signal, bucket start), in that order.
pub type Tallies = BTreeMap<(Signal, Micros), Tally>;

/// One rule's matched lines in one bucket of time.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    pub count: u64,
    pub first: Mark,
    pub last: Mark,
}

impl Tally {
    fn absorb(&mut self, other: &Tally) {
        self.count += other.count;
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
    }
}

/// The runs and tallies of some lines: a chunk's while it is scanned, then a source
/// group's.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Hits {
    /// Lines closer than this in time (of one rule and key) are one run.
    gap: Micros,
    /// Width of a tally's bucket.
    width: Micros,
    runs: Vec<Run>,
    /// Per signal, the run still open for each key value ("" for none).
    open: HashMap<Signal, HashMap<Box<str>, usize>>,
    /// The run the last line went to: the next line is most often of the same run (a
    /// flood of one error), and then no map is looked up.
    last_run: Option<usize>,
    /// Per (signal, bucket start).
    tallies: Tallies,
    /// The bucket the last line fell in: most lines fall in it too, and a range check is
    /// cheaper than the division that finds a bucket.
    last_bucket: Micros,
}

impl Hits {
    pub fn new(gap: Micros, width: Micros) -> Hits {
        // No `Default`: a zero bucket width would divide by zero.
        Hits {
            gap: gap.max(0),
            width: width.max(1),
            runs: Vec::new(),
            open: HashMap::new(),
            last_run: None,
            tallies: BTreeMap::new(),
            last_bucket: 0,
        }
    }

    /// Adds a matched line with the fields its rule captured.
    pub fn add<K: AsRef<str>, V: AsRef<str>>(&mut self, signal: Signal, fields: &[(K, V)], mark: Mark, text: &LineText<'_>) {
        // One pass over the fields: the best-ranked subject field, and its value.
        let mut best: Option<(usize, &str)> = None;
        for (name, value) in fields {
            if let Some(rank) = subject_rank(name.as_ref()) {
                if best.is_none_or(|(best_rank, _)| rank < best_rank) {
                    best = Some((rank, value.as_ref()));
                }
            }
        }
        let key = match best {
            Some((rank, value)) if rank < KEY_FIELDS => value,
            _ => "",
        };
        let best_field = best.map(|(rank, _)| SubjectField(rank));
        let index = match self.last_run {
            Some(i)
                if self.runs[i].signal == signal
                    && same_text(self.runs[i].key.as_deref().unwrap_or(""), key)
                    && self.runs[i].takes(mark.time, self.gap) =>
            {
                self.runs[i].extend(mark);
                i
            }
            _ => self.open_run(signal, key, mark, best_field, || text.keep(fields)),
        };
        // A line earlier than its run's first (logs out of order) is its first now.
        if self.runs[index].first == mark && self.runs[index].count > 1 {
            self.runs[index].first_line = std::sync::Arc::new(text.keep(fields));
        }
        self.last_run = Some(index);
        let run = &mut self.runs[index];
        // The run's subject field is most often this line's best one too.
        let subject = match (run.subject_field, best) {
            (Some(field), Some((_, value))) if Some(field) == best_field => Some(value),
            (Some(field), _) => fields
                .iter()
                .find(|(k, _)| same_text(k.as_ref(), field.name()))
                .map(|(_, v)| v.as_ref()),
            (None, _) => None,
        };
        if let Some(value) = subject {
            run.count_subject(value, 1);
        }

        if !(mark.time >= self.last_bucket && mark.time - self.last_bucket < self.width) {
            self.last_bucket = mark.time.div_euclid(self.width) * self.width;
        }
        let bucket = self.last_bucket;
        self.tallies
            .entry((signal, bucket))
            .and_modify(|t| {
                t.count += 1;
                widen(&mut t.first, &mut t.last, mark);
            })
            .or_insert(Tally {
                count: 1,
                first: mark,
                last: mark,
            });
    }

    /// The run of `rule` and `key` that takes a line at `mark`, extended by it: the open
    /// one, or a new one.
    fn open_run(
        &mut self,
        signal: Signal,
        key: &str,
        mark: Mark,
        subject_field: Option<SubjectField>,
        first_line: impl FnOnce() -> FirstLine,
    ) -> usize {
        let open = self.open.entry(signal).or_default();
        let key = if open.contains_key(key) || open.len() < KEYS_PER_RULE {
            key
        } else {
            ""
        };
        if let Some(&index) = open.get(key) {
            if self.runs[index].takes(mark.time, self.gap) {
                self.runs[index].extend(mark);
                return index;
            }
        }
        self.runs.push(Run {
            signal,
            key: (!key.is_empty()).then(|| key.into()),
            first: mark,
            last: mark,
            count: 1,
            subject_field,
            subjects: Vec::new(),
            first_line: std::sync::Arc::new(first_line()),
        });
        let index = self.runs.len() - 1;
        open.insert(key.into(), index);
        index
    }

    /// How many lines were added.
    pub fn count(&self) -> u64 {
        self.runs.iter().map(|r| r.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Places the lines of a chunk in their file: `file` is its index and `lines_before`
    /// the lines of the file before the chunk (a chunk counts its lines from 0).
    pub fn place(&mut self, file: u32, lines_before: u64) {
        self.each_place(&mut |f, line| {
            *f = file;
            *line += lines_before + 1;
        });
    }

    /// Calls `visit` with the file and line number of every line it keeps.
    pub fn each_place(&mut self, visit: &mut impl FnMut(&mut u32, &mut u64)) {
        for run in &mut self.runs {
            visit(&mut run.first.file, &mut run.first.line);
            visit(&mut run.last.file, &mut run.last.line);
        }
        for tally in self.tallies.values_mut() {
            visit(&mut tally.first.file, &mut tally.first.line);
            visit(&mut tally.last.file, &mut tally.last.line);
        }
    }

    /// Gives every line the time `time`: for lines with no timestamp of their own, which
    /// take that of the record above them once the chunks before are known.
    pub fn retime(&mut self, time: Micros) {
        for run in &mut self.runs {
            run.first.time = time;
            run.last.time = time;
        }
        let bucket = time.div_euclid(self.width) * self.width;
        let tallies = std::mem::take(&mut self.tallies);
        for ((signal, _), tally) in tallies {
            let retimed = Tally {
                first: Mark { time, ..tally.first },
                last: Mark { time, ..tally.last },
                ..tally
            };
            self.tallies
                .entry((signal, bucket))
                .and_modify(|t| t.absorb(&retimed))
                .or_insert(retimed);
        }
    }

    /// Moves every line by `delta` (a clock found off): runs and tallies, each tally into
    /// the bucket that holds most of it once moved.
    pub fn shift(&mut self, delta: Micros) {
        for run in &mut self.runs {
            run.first.time += delta;
            run.last.time += delta;
        }
        let width = self.width;
        let tallies = std::mem::take(&mut self.tallies);
        for ((signal, bucket), tally) in tallies {
            let moved = Tally {
                first: Mark {
                    time: tally.first.time + delta,
                    ..tally.first
                },
                last: Mark {
                    time: tally.last.time + delta,
                    ..tally.last
                },
                ..tally
            };
            let bucket = shifted_bucket(bucket, delta, width);
            self.tallies
                .entry((signal, bucket))
                .and_modify(|t| t.absorb(&moved))
                .or_insert(moved);
        }
    }

    /// Takes in the runs and tallies of `other`. Runs are not merged here: the timeline
    /// merges them all at once.
    pub fn absorb(&mut self, other: Hits) {
        self.runs.extend(other.runs);
        add_tallies(&mut self.tallies, &other.tallies);
        self.open.clear();
        self.last_run = None;
    }

    /// Whether it is what a scan with these settings keeps of a chunk: a damaged partial
    /// is refused on what it says here (see [`super::partial`]).
    pub fn check(&self, width: Micros, gap: Micros, rules: usize) -> Result<(), &'static str> {
        if self.width != width || self.gap != gap {
            return Err("its matched lines are counted in buckets of another width");
        }
        let plausible = |m: &Mark| super::keys::is_plausible(m.time);
        for run in &self.runs {
            match run.signal {
                Signal::Rule(index) if usize::from(index) < rules => {}
                Signal::Template(_) => {}
                _ => return Err("a run of lines of no rule the scan has"),
            }
            if !plausible(&run.first) || !plausible(&run.last) || run.first > run.last {
                return Err("a run of lines out of time");
            }
            if run.subjects.len() > SUBJECT_VALUES {
                return Err("a run with more subjects than a scan keeps");
            }
            let counts = std::iter::once(run.count).chain(run.subjects.iter().map(|(_, n)| *n));
            if !counts.into_iter().all(super::keys::is_plausible_count) {
                return Err("a run of more lines than any log holds");
            }
        }
        for ((signal, bucket), tally) in &self.tallies {
            if !matches!(signal, Signal::Rule(i) if usize::from(*i) < rules) && !matches!(signal, Signal::Template(_)) {
                return Err("a tally of no rule the scan has");
            }
            if !super::keys::is_plausible(*bucket) || !plausible(&tally.first) || !plausible(&tally.last) {
                return Err("a tally out of time");
            }
            if !super::keys::is_plausible_count(tally.count) {
                return Err("a tally of more lines than any log holds");
            }
        }
        Ok(())
    }

    /// The width of a tally's bucket.
    pub fn width(&self) -> Micros {
        self.width
    }

    /// How far apart lines of one run may be.
    pub fn gap(&self) -> Micros {
        self.gap
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Gives the lines of each template in `renamed` to the template it became (see
    /// [`super::templates::Templates::cluster`]); their runs merge at the next
    /// [`Hits::compact`].
    pub fn rename(&mut self, renamed: &HashMap<TemplateKey, TemplateKey>) {
        let rename = |signal: Signal| match signal {
            Signal::Template(key) => Signal::Template(renamed.get(&key).copied().unwrap_or(key)),
            other => other,
        };
        for run in &mut self.runs {
            run.signal = rename(run.signal);
        }
        let tallies = std::mem::take(&mut self.tallies);
        for ((signal, bucket), tally) in tallies {
            self.tallies
                .entry((rename(signal), bucket))
                .and_modify(|t| t.absorb(&tally))
                .or_insert(tally);
        }
        self.open.clear();
        self.last_run = None;
    }

    /// Per (rule, bucket start), in that order.
    pub fn tallies(&self) -> &Tallies {
        &self.tallies
    }

    /// Merges runs of one rule and key whose spans come within the gap, so that what is
    /// kept stays small when a chunk's lines are out of time order.
    /// Also keeps the bound on distinct keys across chunks: each chunk keeps its own
    /// first keys apart, so together they may name more; the most frequent stay apart.
    pub fn compact(&mut self) {
        self.open.clear();
        self.last_run = None;
        let runs = fold_rare_keys(std::mem::take(&mut self.runs));
        self.runs = merge_runs(runs, self.gap);
    }
}

/// Adds the tallies of `from` into `into`.
pub fn add_tallies(into: &mut Tallies, from: &Tallies) {
    for (key, tally) in from {
        into.entry(*key).and_modify(|t| t.absorb(tally)).or_insert(*tally);
    }
}

/// Runs of a rule with more than `KEYS_PER_RULE` distinct keys lose the key of all but
/// the most frequent ones (ties to the smaller key), so that they merge into one run.
fn fold_rare_keys(mut runs: Vec<Run>) -> Vec<Run> {
    let mut lines: HashMap<(Signal, &str), u64> = HashMap::new();
    for run in &runs {
        if let Some(key) = &run.key {
            *lines.entry((run.signal, &**key)).or_default() += run.count;
        }
    }
    let mut per_rule: BTreeMap<Signal, Vec<(u64, &str)>> = BTreeMap::new();
    for ((rule, key), count) in lines {
        per_rule.entry(rule).or_default().push((count, key));
    }
    let mut folded: Vec<(Signal, Box<str>)> = Vec::new();
    for (rule, mut keys) in per_rule {
        if keys.len() > KEYS_PER_RULE {
            keys.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            folded.extend(keys[KEYS_PER_RULE..].iter().map(|(_, key)| (rule, Box::from(*key))));
        }
    }
    if folded.is_empty() {
        return runs;
    }
    folded.sort_unstable();
    for run in &mut runs {
        let fold = run
            .key
            .as_ref()
            .is_some_and(|key| folded.binary_search(&(run.signal, key.clone())).is_ok());
        if fold {
            run.key = None;
        }
    }
    runs
}

/// Merges runs of the same rule and key whose spans come within `gap` of each other, in a
/// deterministic order: by rule, key and first line.
pub fn merge_runs(mut runs: Vec<Run>, gap: Micros) -> Vec<Run> {
    runs.sort_by(|a, b| (a.signal, &a.key, a.first).cmp(&(b.signal, &b.key, b.first)));
    let mut merged: Vec<Run> = Vec::with_capacity(runs.len());
    for run in runs {
        match merged.last_mut() {
            Some(open) if open.signal == run.signal && open.key == run.key && run.start() <= open.end().saturating_add(gap) => {
                open.absorb(run)
            }
            _ => merged.push(run),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::hits::LineText;

    const TEXT: LineText<'static> = LineText {
        line: b"a line",
        message: b"a line",
        detail: b"",
        following: b"",
        lookahead: b"",
        format: crate::format::Format::Unknown,
    };

    fn mark(time: Micros, line: u64) -> Mark {
        Mark {
            time,
            file: 0,
            offset: line * 100,
            line,
        }
    }

    const NO_FIELDS: [(&str, &str); 0] = [];

    fn table(name: &str) -> Vec<(Box<str>, Box<str>)> {
        vec![("table".into(), name.into())]
    }

    #[test]
    fn lines_out_of_order_give_the_runs_of_lines_in_order() {
        // Times 0, 30, 10, 100 with a gap of 20: 0, 10 and 30 are one run (each within 20
        // of the next in time order), 100 another, whatever the order they came in.
        let mut hits = Hits::new(20, 60);
        for (i, t) in [30, 100, 0, 10].into_iter().enumerate() {
            hits.add(Signal::Rule(1), &table("orders"), mark(t, i as u64), &TEXT);
        }
        let runs = merge_runs(hits.runs().to_vec(), 20);
        let spans: Vec<_> = runs.iter().map(|r| (r.start(), r.end(), r.count)).collect();
        assert_eq!(spans, [(0, 30, 3), (100, 100, 1)]);
        assert_eq!(
            runs[0].subject(),
            Some(Subject {
                field: "table".into(),
                value: "orders".into()
            })
        );
    }

    #[test]
    fn lines_of_templates_joined_into_one_are_one_run() {
        // Templates 1 and 2 are one message (see `Templates::cluster`): their lines at 0,
        // 10 and 25 are one run once 2 is renamed 1, and their tallies one.
        let mut hits = Hits::new(20, 60);
        hits.add(Signal::Template(1), &NO_FIELDS, mark(0, 0), &TEXT);
        hits.add(Signal::Template(2), &NO_FIELDS, mark(10, 1), &TEXT);
        hits.add(Signal::Template(1), &NO_FIELDS, mark(25, 2), &TEXT);
        hits.add(Signal::Template(3), &NO_FIELDS, mark(5, 3), &TEXT);
        hits.rename(&HashMap::from([(2, 1)]));
        hits.compact();
        let runs: Vec<_> = hits.runs().iter().map(|r| (r.signal, r.start(), r.end(), r.count)).collect();
        assert_eq!(runs, [(Signal::Template(1), 0, 25, 3), (Signal::Template(3), 5, 5, 1)]);
        let tallies: Vec<_> = hits.tallies().iter().map(|((s, b), t)| (*s, *b, t.count)).collect();
        assert_eq!(tallies, [(Signal::Template(1), 0, 3), (Signal::Template(3), 0, 1)]);
    }

    /// The runs of lines taken one by one in time order: the definition of an episode.
    fn reference_runs(mut times: Vec<Micros>, gap: Micros) -> Vec<(Micros, Micros, u64)> {
        times.sort_unstable();
        let mut runs: Vec<(Micros, Micros, u64)> = Vec::new();
        for t in times {
            match runs.last_mut() {
                Some(run) if t - run.1 <= gap => {
                    run.1 = t;
                    run.2 += 1;
                }
                _ => runs.push((t, t, 1)),
            }
        }
        runs
    }

    proptest::proptest! {
        /// Lines in any order, cut into chunks anywhere, give the runs of the lines
        /// taken in time order.
        #[test]
        fn chunked_out_of_order_runs_equal_the_reference(
            times in proptest::collection::vec(0i64..2_000, 0..200),
            cuts in proptest::collection::vec(0usize..200, 0..6),
            gap in 0i64..100,
        ) {
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(times.len())).collect();
            bounds.extend([0, times.len()]);
            bounds.sort_unstable();
            let mut all = Hits::new(gap, 60);
            for pair in bounds.windows(2) {
                let mut chunk = Hits::new(gap, 60);
                for (i, t) in times[pair[0]..pair[1]].iter().enumerate() {
                    chunk.add(Signal::Rule(1), &NO_FIELDS, mark(*t, (pair[0] + i) as u64), &TEXT);
                }
                chunk.compact();
                all.absorb(chunk);
            }
            all.compact();
            let got: Vec<_> = all.runs().iter().map(|r| (r.start(), r.end(), r.count)).collect();
            proptest::prop_assert_eq!(got, reference_runs(times, gap));
        }
    }

    #[test]
    fn distinct_keys_are_bounded() {
        let mut hits = Hits::new(1_000, 60);
        for i in 0..10_000u64 {
            hits.add(Signal::Rule(1), &table(&format!("t{i}")), mark(i as Micros, i), &TEXT);
        }
        let runs = hits.runs();
        assert_eq!(runs.len(), KEYS_PER_RULE + 1);
        let overflow = runs.iter().find(|r| r.key.is_none()).expect("a run for the rest");
        assert_eq!(overflow.count, 10_000 - KEYS_PER_RULE as u64);
        assert!(overflow.subjects.len() <= SUBJECT_VALUES);
        assert_eq!(hits.count(), 10_000);
    }

    #[test]
    fn distinct_keys_stay_bounded_across_chunks() {
        // Each chunk names 200 tables of its own: together, 1,000 keys; merged, the most
        // frequent 256 stay apart and the rest join one run without a key.
        let mut all = Hits::new(1_000_000, 60);
        for chunk in 0..5u64 {
            let mut hits = Hits::new(1_000_000, 60);
            for i in 0..200u64 {
                for _ in 0..=(i % 3) {
                    hits.add(Signal::Rule(1), &table(&format!("t{chunk}-{i}")), mark(i as Micros, i), &TEXT);
                }
            }
            hits.compact();
            all.absorb(hits);
        }
        all.compact();
        let keyed = all.runs().iter().filter(|r| r.key.is_some()).count();
        assert_eq!(keyed, KEYS_PER_RULE);
        assert_eq!(all.runs().len(), KEYS_PER_RULE + 1);
        assert_eq!(all.count(), 5 * (67 + 67 * 2 + 66 * 3));
        // The kept keys are the most frequent ones (three lines each).
        assert!(all.runs().iter().filter(|r| r.key.is_some()).all(|r| r.count == 3));
    }

    #[test]
    fn subject_ranks_follow_the_subject_fields() {
        for (rank, name) in SUBJECT_FIELDS.iter().enumerate() {
            assert_eq!(subject_rank(name), Some(rank), "{name}");
            assert_eq!(SubjectField(rank).name(), *name);
        }
        assert_eq!(subject_rank("tables"), None);
    }

    #[test]
    fn tallies_count_per_bucket_with_first_and_last_lines() {
        let mut hits = Hits::new(0, 60);
        for (i, t) in [5, 70, 65, 10, 130].into_iter().enumerate() {
            hits.add(Signal::Rule(2), &NO_FIELDS, mark(t, i as u64), &TEXT);
        }
        let tallies: Vec<_> = hits
            .tallies()
            .iter()
            .map(|((_, b), t)| (*b, t.count, t.first.line, t.last.line))
            .collect();
        assert_eq!(tallies, [(0, 2, 0, 3), (60, 2, 2, 1), (120, 1, 4, 4)]);
    }

    #[test]
    fn retimed_lines_land_in_one_bucket() {
        let mut hits = Hits::new(0, 60);
        hits.add(Signal::Rule(3), &NO_FIELDS, mark(0, 0), &TEXT);
        hits.add(Signal::Rule(3), &NO_FIELDS, mark(0, 1), &TEXT);
        hits.retime(125);
        hits.place(4, 10);
        assert_eq!(hits.tallies().len(), 1);
        let ((_, bucket), tally) = hits.tallies().iter().next().unwrap();
        assert_eq!(
            (*bucket, tally.count, tally.first.time, tally.first.file, tally.first.line),
            (120, 2, 125, 4, 11)
        );
    }
}
