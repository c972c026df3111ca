//! The values of a structured application log's classes (a JSON logger's `tenant`,
//! `provider`, `shard`: see [`crate::format::app_keys`]) that carried most of its lines
//! and most of its errors, range by range: what the analysis contrasts to say *which*
//! tenant, provider or shard an incident's errors were about (see
//! [`crate::timeline::app_contrast`]).
//!
//! Each field keeps two Space-Saving summaries a range ([`TopValues`]): over the lines
//! that were not errors, and over the errors, with the exact count of each. A range's
//! lines past the first [`super::top_values::SAMPLE_ALL`] are sampled as the access
//! fields are ([`sample_weight`]), so that a busy log's fields cost a fraction of a line
//! each. The ranges widen as the span grows ([`MAX_RANGES`]), so memory does not grow with
//! it. A source's files are put together field by field, by name: the counts of a field
//! are those of the lines of files that gave it, so that a share is always of lines that
//! could have carried the value.

use super::keys::{shifted_bucket, Mark};
use super::top_values::{sample_weight, TopValues};
use crate::time::Micros;
use std::collections::BTreeMap;

/// Ranges a source's summaries are kept for, at most: a day of minutes is read in
/// ranges of eight, a week in ranges of sixty-four; each range costs up to a few KB.
pub const MAX_RANGES: i64 = 256;

/// Fields a source keeps once its files are put together: the classes of a few apps'
/// logs side by side (each file gives at most [`crate::format::app_keys::MAX_CLASS_KEYS`]).
pub const MAX_FIELDS_KEPT: usize = 12;

/// One field's counts in one range.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldCounts {
    /// The field's path (`ctx.tenant`).
    pub field: Box<str>,
    /// Lines of the range of files that count this field, errors apart: exact.
    pub lines: u64,
    pub errors: u64,
    /// Its values on those lines that were not errors, and on the errors.
    pub healthy: TopValues,
    pub failed: TopValues,
}

/// The class fields' summaries of a source, in ranges of `width` aligned on the epoch.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppFields {
    pub width: Micros,
    pub ranges: BTreeMap<Micros, Vec<FieldCounts>>,
}

impl AppFields {
    pub fn new(width: Micros) -> AppFields {
        AppFields {
            width,
            ranges: BTreeMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The stretch each range covers (never zero).
    pub fn range_width(&self) -> Micros {
        self.width.max(1)
    }

    /// The start of the range that holds `t`.
    pub fn range_start(&self, t: Micros) -> Micros {
        t.div_euclid(self.range_width()) * self.range_width()
    }

    /// Counts the line at `mark`, at `t`, of a file whose classes are `fields`: an error
    /// or not; its values are read from `line` (a JSON record) when it is sampled.
    ///
    /// What `add` fills holds one file's lines (a chunk's), so every range's counts are
    /// the file's fields, in their order: a line counts for each without a name being
    /// compared. Files meet only in [`AppFields::merge`], which matches fields by name.
    pub fn add(&mut self, t: Micros, error: bool, fields: &[Box<str>], mark: Mark, line: &[u8]) {
        if fields.is_empty() {
            return;
        }
        // Most lines fall in the latest range: a range check, not a division.
        let width = self.range_width();
        let latest = self
            .ranges
            .last_key_value()
            .is_some_and(|(last, _)| t >= *last && t - *last < width);
        let counts = if latest {
            self.ranges.last_entry().map(std::collections::btree_map::OccupiedEntry::into_mut)
        } else {
            if !self.ranges.contains_key(&self.range_start(t)) {
                let counts = fields
                    .iter()
                    .map(|field| FieldCounts {
                        field: field.clone(),
                        ..FieldCounts::default()
                    })
                    .collect();
                self.ranges.insert(self.range_start(t), counts);
                self.bound();
            }
            self.ranges.get_mut(&self.range_start(t))
        };
        let Some(counts) = counts else { return };
        // Every field of the file counts every line: the first's count is the range's.
        let seen_before = counts.first().map_or(0, |c| if error { c.errors } else { c.lines });
        for count in counts.iter_mut() {
            if error {
                count.errors += 1;
            } else {
                count.lines += 1;
            }
        }
        let weight = sample_weight(seen_before, mark.offset);
        if weight > 0 {
            crate::format::app_keys::class_values(line, fields, |index, value| {
                if let Some(count) = counts.get_mut(index).filter(|c| c.field == fields[index]) {
                    let summary = if error { &mut count.failed } else { &mut count.healthy };
                    summary.count(value, weight, mark);
                }
            });
        }
    }

    /// Adds `other` (later lines, or another file of the source), in ranges as wide as
    /// the wider of the two; then widens them if the span has outgrown [`MAX_RANGES`].
    pub fn merge(&mut self, mut other: AppFields) {
        let width = self.range_width().max(other.range_width());
        self.widen(width);
        other.widen(width);
        for (start, counts) in other.ranges {
            self.merge_range(start, counts);
        }
        self.bound();
    }

    fn merge_range(&mut self, start: Micros, counts: Vec<FieldCounts>) {
        let held = self.ranges.entry(start).or_default();
        for theirs in counts {
            match held.iter_mut().find(|c| c.field == theirs.field) {
                Some(mine) => {
                    mine.lines += theirs.lines;
                    mine.errors += theirs.errors;
                    mine.healthy.merge(theirs.healthy);
                    mine.failed.merge(theirs.failed);
                }
                None => held.push(theirs),
            }
        }
        // Logs of many apps in one source: the fields of most lines are kept.
        if held.len() > MAX_FIELDS_KEPT {
            held.sort_by(|a, b| (b.lines + b.errors).cmp(&(a.lines + a.errors)).then_with(|| a.field.cmp(&b.field)));
            held.truncate(MAX_FIELDS_KEPT);
        }
    }

    /// Makes the ranges `width` wide (never narrower than they are), merging each into
    /// the wider one that holds it, in time order.
    fn widen(&mut self, width: Micros) {
        if width <= self.range_width() {
            return;
        }
        self.width = width;
        for (start, counts) in std::mem::take(&mut self.ranges) {
            self.merge_range(self.range_start(start), counts);
        }
    }

    /// Widens the ranges, doubling them, until at most [`MAX_RANGES`] cover the span.
    fn bound(&mut self) {
        let (Some(first), Some(last)) = (self.ranges.keys().next().copied(), self.ranges.keys().next_back().copied()) else {
            return;
        };
        let mut width = self.range_width();
        while last.div_euclid(width) - first.div_euclid(width) >= MAX_RANGES {
            width *= 2;
        }
        self.widen(width);
    }

    /// Moves every range by `delta` (a clock found off) into the range that holds most
    /// of it once moved.
    pub fn shift(&mut self, delta: Micros) {
        let width = self.range_width();
        for (start, counts) in std::mem::take(&mut self.ranges) {
            self.merge_range(shifted_bucket(start, delta, width), counts);
        }
        self.bound();
    }

    /// Gives the lines its summaries cite their place: the file's index, and the lines of
    /// the chunks before.
    pub fn place(&mut self, file: u32, lines_before: u64) {
        self.each_place(&mut |f, line| {
            *f = file;
            *line += lines_before + 1;
        });
    }

    /// Calls `visit` with the file and line number of every line it keeps.
    pub fn each_place(&mut self, visit: &mut impl FnMut(&mut u32, &mut u64)) {
        for count in self.ranges.values_mut().flatten() {
            count.healthy.each_place(visit);
            count.failed.each_place(visit);
        }
    }

    /// Whether it is what a scan with buckets of `bucket` keeps (see
    /// [`super::partial`]): ranges a whole number of buckets wide and aligned, times
    /// plausible, fields bounded as a scan bounds them.
    pub fn check(&self, bucket: Micros) -> Result<(), &'static str> {
        if self.width <= 0 || self.width % bucket.max(1) != 0 {
            return Err("its fields are counted in ranges of another width");
        }
        if let (Some(first), Some(last)) = (self.ranges.keys().next(), self.ranges.keys().next_back()) {
            if last.div_euclid(self.width) - first.div_euclid(self.width) >= MAX_RANGES {
                return Err("fields counted in more ranges than a scan keeps");
            }
        }
        for (start, counts) in &self.ranges {
            if !super::keys::is_plausible(*start) || start.rem_euclid(self.width) != 0 {
                return Err("fields counted out of time");
            }
            if counts.len() > MAX_FIELDS_KEPT || counts.iter().any(|c| c.field.len() > crate::format::app_keys::MAX_CLASS_NAME) {
                return Err("more fields than a scan keeps");
            }
            for count in counts {
                if !super::keys::is_plausible_count(count.lines) || !super::keys::is_plausible_count(count.errors) {
                    return Err("a field counted on more lines than any log holds");
                }
                count.healthy.check()?;
                count.failed.check()?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Micros = 60_000_000;

    fn fields() -> Vec<Box<str>> {
        vec!["provider".into(), "tenant".into()]
    }

    fn line(provider: &str, tenant: &str) -> String {
        format!(r#"{{"level":"info","provider":"{provider}","tenant":"{tenant}"}}"#)
    }

    fn mark(n: u64) -> Mark {
        Mark {
            time: 0,
            file: 0,
            offset: n * 100,
            line: n,
        }
    }

    fn counted(app: &AppFields, field: &str) -> (u64, u64) {
        app.ranges
            .values()
            .flatten()
            .filter(|c| &*c.field == field)
            .fold((0, 0), |(l, e), c| (l + c.lines, e + c.errors))
    }

    #[test]
    fn lines_and_errors_are_counted_by_field_and_value() {
        let mut app = AppFields::new(MINUTE);
        for n in 0..30 {
            let error = n % 3 == 0;
            let provider = if error { "northpay" } else { "southpay" };
            app.add(
                n as Micros * 1_000_000,
                error,
                &fields(),
                mark(n),
                line(provider, &format!("t-{}", n % 2)).as_bytes(),
            );
        }
        assert_eq!(counted(&app, "provider"), (20, 10));
        let range = &app.ranges[&0];
        let failed: Vec<(&str, u64)> = range[0].failed.entries().map(|e| (e.value, e.count)).collect();
        assert_eq!(failed, [("northpay", 10)]);
        assert_eq!(
            range[0].healthy.get(crate::scan::keys::fixed_hash(b"southpay")).map(|e| e.count),
            Some(20)
        );
        // The first error's line is what it cites.
        assert_eq!(range[0].failed.entries().next().unwrap().first.line, 0);
    }

    #[test]
    fn ranges_widen_as_the_span_grows_and_merging_keeps_every_count() {
        let mut whole = AppFields::new(MINUTE);
        let mut halves = [AppFields::new(MINUTE), AppFields::new(MINUTE)];
        // Two weeks of a line every ten minutes.
        let lines = 2 * 7 * 24 * 6;
        for n in 0..lines {
            let t = n as Micros * 10 * MINUTE;
            let text = line(["a", "b", "c"][(n % 3) as usize], "t");
            whole.add(t, n % 5 == 0, &fields(), mark(n), text.as_bytes());
            halves[usize::from(n >= lines / 2)].add(t, n % 5 == 0, &fields(), mark(n), text.as_bytes());
        }
        assert!(whole.ranges.len() as i64 <= MAX_RANGES, "{}", whole.ranges.len());
        assert!(whole.width > MINUTE && whole.width % MINUTE == 0);
        let [mut first, second] = halves;
        first.merge(second);
        // The same counts, whichever way the lines came (values under the summaries'
        // capacity are counted exactly).
        type Counted = (Micros, String, u64, u64, Vec<(String, u64)>);
        let counts = |app: &AppFields| -> Vec<Counted> {
            let mut all = Vec::new();
            for (start, fields) in &app.ranges {
                for c in fields {
                    let mut values: Vec<(String, u64)> = c
                        .healthy
                        .entries()
                        .chain(c.failed.entries())
                        .map(|e| (e.value.to_string(), e.count))
                        .collect();
                    values.sort();
                    all.push((*start, c.field.to_string(), c.lines, c.errors, values));
                }
            }
            all
        };
        assert!(
            first.width == whole.width && counts(&first) == counts(&whole),
            "the halves merged differ from the whole"
        );
        assert_eq!(counted(&whole, "tenant"), (lines - lines.div_ceil(5), lines.div_ceil(5)));
        assert!(whole.check(MINUTE).is_ok());
    }

    #[test]
    fn files_that_give_other_fields_are_counted_apart() {
        let mut payments = AppFields::new(MINUTE);
        let mut orders = AppFields::new(MINUTE);
        let shard: Vec<Box<str>> = vec!["shard".into()];
        for n in 0..10 {
            payments.add(0, false, &fields(), mark(n), line("southpay", "t").as_bytes());
            orders.add(0, n < 4, &shard, mark(n), br#"{"shard":"s-3"}"#);
        }
        payments.merge(orders);
        assert_eq!(counted(&payments, "provider"), (10, 0));
        assert_eq!(counted(&payments, "shard"), (6, 4));
    }

    #[test]
    fn a_clock_moved_moves_the_ranges_and_a_crafted_summary_is_refused() {
        let mut app = AppFields::new(MINUTE);
        app.add(10 * MINUTE, true, &fields(), mark(1), line("northpay", "t").as_bytes());
        app.shift(-3 * MINUTE);
        assert_eq!(app.ranges.keys().copied().collect::<Vec<_>>(), [7 * MINUTE]);
        let mut crafted = app.clone();
        crafted.width = 7;
        assert!(crafted.check(MINUTE).is_err());
        let mut crafted = app.clone();
        crafted.ranges.insert(i64::MAX - 5, Vec::new());
        assert!(crafted.check(MINUTE).is_err());
        let mut crafted = app;
        let many: Vec<FieldCounts> = (0..=MAX_FIELDS_KEPT)
            .map(|i| FieldCounts {
                field: format!("f{i}").into(),
                ..FieldCounts::default()
            })
            .collect();
        crafted.ranges.insert(7 * MINUTE, many);
        assert!(crafted.check(MINUTE).is_err());
    }
}
