//! Years for logs that print none (BSD syslog, glog): the year that puts a file's lines
//! nearest the span of the files of the same run that do print one; alone, the year of
//! the file's modification time, stepping back a year when the file crosses a New Year.

use super::{year_month, Micros, RawStamp, StampZone, TimeContext, YearPlan, Zone};
use std::time::SystemTime;

/// A plan for files whose stamps all carry their year: it is never consulted.
pub const DATED: YearPlan = YearPlan {
    first_year: 1970,
    first_month: 1,
};

/// Whether a stamp lacks a year (an epoch stamp is an instant, whatever its civil part).
pub fn is_yearless(stamp: &RawStamp) -> bool {
    stamp.civil.year.is_none() && !matches!(stamp.zone, StampZone::Epoch(_))
}

/// The first and last instants of the files that print their year, from each file's
/// first and last stamps.
pub fn dated_span<'a>(edges: impl Iterator<Item = (&'a RawStamp, &'a RawStamp)>, zone: Zone) -> Option<(Micros, Micros)> {
    let mut span: Option<(Micros, Micros)> = None;
    for (first, last) in edges.filter(|(first, _)| !is_yearless(first)) {
        let mut ctx = TimeContext::new(zone, DATED);
        if let (Some(a), Some(b)) = (ctx.resolve(first), ctx.resolve(last)) {
            let (lo, hi) = (a.min(b), a.max(b));
            span = Some(span.map_or((lo, hi), |(s, e)| (s.min(lo), e.max(hi))));
        }
    }
    span
}

/// The year plan for year-less lines in a file whose first stamp prints its year: they
/// follow it (the same year, the next from a month before its month).
pub fn years_after(first: &RawStamp) -> Option<YearPlan> {
    Some(YearPlan {
        first_year: first.civil.year?,
        first_month: first.civil.month,
    })
}

/// The year plan of a file whose first stamp is `first` and last is `last`: `given` when
/// the user set it, else inferred.
pub fn year_plan(
    first: &RawStamp,
    last: &RawStamp,
    dated: Option<&RawStamp>,
    zone: Zone,
    dated_span: Option<(Micros, Micros)>,
    modified: Option<SystemTime>,
    given: Option<i32>,
) -> YearPlan {
    let first_month = first.civil.month;
    // A line of the file itself that prints its year (an RFC 5424 line among BSD ones)
    // says more than other files or the modification time: the first line is of its
    // year, or of the year before when its month comes later.
    let own = dated.and_then(|d| Some(d.civil.year? - i32::from(first_month > d.civil.month)));
    let first_year = given.or(own).unwrap_or_else(|| infer_year(first, last, zone, dated_span, modified));
    YearPlan { first_year, first_month }
}

fn infer_year(first: &RawStamp, last: &RawStamp, zone: Zone, dated_span: Option<(Micros, Micros)>, modified: Option<SystemTime>) -> i32 {
    let (first_month, last_month) = (first.civil.month, last.civil.month);
    let crosses_new_year = last_month < first_month;
    if let Some((start, end)) = dated_span {
        let (start_year, _) = year_month(start);
        let (end_year, _) = year_month(end);
        let distance = |year: i32| {
            let mut ctx = TimeContext::new(
                zone,
                YearPlan {
                    first_year: year,
                    first_month,
                },
            );
            let (Some(a), Some(b)) = (ctx.resolve(first), ctx.resolve(last)) else {
                return i64::MAX;
            };
            if b < start {
                start - b
            } else if a > end {
                a - end
            } else {
                0
            }
        };
        // Ties go to the later year; the candidates are few.
        return (start_year - 1..=end_year + 1)
            .rev()
            .min_by_key(|y| distance(*y))
            .unwrap_or(start_year);
    }
    let modified = modified.unwrap_or_else(SystemTime::now);
    let modified_micros = modified
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    let (year, month) = year_month(modified_micros);
    // The last line was written before the file's modification time.
    let last_year = if last_month > month { year - 1 } else { year };
    if crosses_new_year {
        last_year - 1
    } else {
        last_year
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_syslog;
    use std::time::{Duration, UNIX_EPOCH};

    fn syslog(text: &str) -> RawStamp {
        parse_syslog(text.as_bytes()).unwrap()
    }

    fn instant(text: &str) -> Micros {
        chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros()
    }

    fn modified(text: &str) -> Option<SystemTime> {
        Some(UNIX_EPOCH + Duration::from_micros(crate::num::unsigned(instant(text))))
    }

    #[test]
    fn a_yearless_file_takes_the_year_nearest_the_other_files() {
        let (first, last) = (syslog("Jan 21 15:28:01"), syslog("Jan 21 16:31:12"));
        let span = Some((instant("2024-01-21T10:00:00Z"), instant("2024-01-21T18:00:00Z")));
        // The file's own date says nothing; the modification time is ignored when
        // other files give a span.
        let year = infer_year(&first, &last, Zone::UTC, span, modified("2026-11-21T00:00:00Z"));
        assert_eq!(year, 2024);
    }

    #[test]
    fn the_nearest_year_holds_across_a_new_year() {
        let (first, last) = (syslog("Dec 31 23:50:00"), syslog("Jan  1 00:10:00"));
        let span = Some((instant("2023-12-31T23:00:00Z"), instant("2024-01-01T01:00:00Z")));
        assert_eq!(infer_year(&first, &last, Zone::UTC, span, None), 2023);
    }

    #[test]
    fn alone_a_file_takes_its_modification_year_stepping_back_across_new_year() {
        let (first, last) = (syslog("Dec 30 10:00:00"), syslog("Jan  1 09:00:00"));
        assert_eq!(infer_year(&first, &last, Zone::UTC, None, modified("2025-01-02T08:00:00Z")), 2024);
        // Written in June and July, last modified in March: last year's summer.
        let (first, last) = (syslog("Jun 14 15:16:01"), syslog("Jul 27 14:42:00"));
        assert_eq!(infer_year(&first, &last, Zone::UTC, None, modified("2025-03-01T00:00:00Z")), 2024);
        let (first, last) = (syslog("Jun 14 15:16:01"), syslog("Jul 27 14:42:00"));
        assert_eq!(infer_year(&first, &last, Zone::UTC, None, modified("2025-08-01T00:00:00Z")), 2025);
    }

    #[test]
    fn year_less_lines_take_the_year_of_the_files_own_dated_lines() {
        let dated = crate::time::parse_iso(b"2019-10-26T10:50:00").unwrap();
        let plan = years_after(&dated).unwrap();
        assert_eq!((plan.year_for(10), plan.year_for(12), plan.year_for(1)), (2019, 2019, 2020));
        // Year-less first, a dated line further on: its year, a year back across New Year,
        // whatever other files or the modification time say.
        let span = Some((instant("2016-01-10T00:00:00Z"), instant("2016-01-11T00:00:00Z")));
        let later = modified("2026-06-01T00:00:00Z");
        let plan_with = |first: &str, dated: &[u8]| {
            let dated = crate::time::parse_iso(dated).unwrap();
            year_plan(&syslog(first), &syslog(first), Some(&dated), Zone::UTC, span, later, None).first_year
        };
        assert_eq!(plan_with("Jan 10 18:33:00", b"2019-01-10T18:40:00Z"), 2019);
        assert_eq!(plan_with("Dec 30 10:00:00", b"2020-01-02T00:00:00Z"), 2019);
    }

    #[test]
    fn the_given_year_wins() {
        let (first, last) = (syslog("Jan 21 15:28:01"), syslog("Jan 21 16:31:12"));
        let dated = crate::time::parse_iso(b"2024-01-21T10:00:00Z").unwrap();
        let plan = year_plan(&first, &last, Some(&dated), Zone::UTC, None, None, Some(2019));
        assert_eq!((plan.first_year, plan.first_month), (2019, 1));
    }
}
