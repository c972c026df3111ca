//! The timeline for a terminal: one line an episode (or an event with `--raw`) under a
//! line for each day, coloured by severity when stdout is a terminal.
//!
//! A row is its time, its source, how many lines, what happened (the draft's sentence)
//! and where it was logged. Files are named
//! relative to the folder all inputs share (said once, on the first line). Given a width
//! (the terminal's), every row fits it: the citation keeps only its first line when the
//! message does not fit beside the whole of it, and the message is cut at a word with
//! `…`, so a row never wraps. Without a width (piped) nothing is cut.

use super::{columns, cut_to, plain_text, rate_value, thousands, CitedNames, View};
use crate::format::SourceKind;
use crate::report::{Episode, Event, Evidence, TimelineReport};
use crate::rules::Severity;
use crate::time::{display_clock, display_time, Micros, Zone};
use std::io::{self, Write};

fn paint(severity: Severity, text: &str, colour: bool) -> String {
    if !colour {
        return text.to_string();
    }
    let code = match severity {
        Severity::Critical => "1;31",
        Severity::Error => "31",
        Severity::Warning => "33",
        Severity::Info => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// One row before it is fitted: the fixed columns, what happened, and the citation.
struct Row {
    severity: Severity,
    /// Time, source and the like, padded: never cut.
    lead: String,
    what: String,
    /// `[file:line … line]`, and the shorter `[file:line]` for narrow terminals.
    cite: String,
    cite_short: String,
}

impl Row {
    /// The row as written, within `width` when there is one.
    fn fitted(&self, width: Option<usize>, colour: bool) -> String {
        let Some(width) = width else {
            return self.join(&self.what, &self.cite, colour);
        };
        let room = |cite: &str| {
            let gap = if cite.is_empty() { 0 } else { 2 };
            width.saturating_sub(columns(&self.lead) + gap + columns(cite))
        };
        // The whole citation only when the message fits beside it; else the message
        // keeps the columns of the citation's last line.
        let cite = if room(&self.cite) >= columns(&self.what) {
            &self.cite
        } else {
            &self.cite_short
        };
        let what = cut_to(&self.what, room(cite));
        // On a terminal narrower than the lead and the citation, the row itself is cut.
        let plain = self.join(&what, cite, false);
        if columns(&plain) > width {
            return cut_to(&plain, width);
        }
        self.join(&what, cite, colour)
    }

    fn join(&self, what: &str, cite: &str, colour: bool) -> String {
        let gap = if cite.is_empty() || what.is_empty() { "" } else { "  " };
        let line = format!("{}{}{gap}{cite}", self.lead, paint(self.severity, what, colour));
        line.trim_end().to_string()
    }
}

/// Names files as citations do (see [`CitedNames`]).
struct Files {
    names: CitedNames,
}

impl Files {
    fn name<'a>(&'a self, file: &'a str) -> &'a str {
        self.names.name(file)
    }

    /// `[file:line … line]` (or `… file:line` when the last is elsewhere), and `[file:line]`.
    fn cite(&self, first: Option<&Evidence>, last: Option<&Evidence>) -> (String, String) {
        let Some(first) = first else {
            return (String::new(), String::new());
        };
        let short = format!("[{}:{}]", self.name(&first.file), first.line);
        let long = match last.filter(|last| *last != first) {
            Some(last) if last.file == first.file => format!("[{}:{} … {}]", self.name(&first.file), first.line, last.line),
            Some(last) => format!(
                "[{}:{} … {}:{}]",
                self.name(&first.file),
                first.line,
                self.name(&last.file),
                last.line
            ),
            None => short.clone(),
        };
        (long, short)
    }
}

/// The day a time falls on in the display zone, with the zone's offset then:
/// `2024-01-21 -05:00`. A new one starts a new group of rows.
fn day_of(t: Micros, zone: Zone) -> String {
    let shown = display_time(t, zone);
    format!("{}{}", &shown[..10], &shown[19..])
}

/// `15:22:14–16:47:52`, and `22:04:19–11:13:09 +1d` when the end falls days later.
fn span(episode: &Episode, zone: Zone) -> String {
    let start = display_clock(episode.start, zone);
    if episode.end <= episode.start {
        return start;
    }
    let end = display_clock(episode.end, zone);
    match days_between(episode.start, episode.end, zone) {
        0 => format!("{start}–{end}"),
        days => format!("{start}–{end} +{days}d"),
    }
}

/// Calendar days from one time's date to another's, in the display zone.
fn days_between(from: Micros, to: Micros, zone: Zone) -> i64 {
    let date = |t: Micros| chrono::NaiveDate::parse_from_str(&display_time(t, zone)[..10], "%Y-%m-%d").ok();
    match (date(from), date(to)) {
        (Some(a), Some(b)) => (b - a).num_days(),
        _ => 0,
    }
}

/// What happened: the draft's sentence for an episode, or for a rate its peak against
/// its baseline.
fn what_happened(episode: &Episode, zone: Zone) -> String {
    match &episode.rate {
        Some(rate) => format!(
            "{}: peak {} at {}, baseline {}{}",
            episode.summary,
            rate_value(rate.unit, rate.peak),
            display_clock(rate.peak_at, zone),
            rate_value(rate.unit, rate.baseline),
            if rate.ongoing { ", still high when the logs end" } else { "" }
        ),
        None => plain_text(&episode.phrase, zone),
    }
}

/// How many lines an episode holds; a rate is measured, not counted.
fn line_count(episode: &Episode) -> String {
    match episode.rate {
        Some(_) => String::new(),
        None => thousands(episode.count),
    }
}

/// The episodes' rows, and a row for what changed in the traffic of each incident (its
/// first sentence: who surged, or where the failures went), in the same columns.
fn episode_rows(report: &TimelineReport, files: &Files, zone: Zone) -> Vec<(Micros, Row)> {
    let traffic = report
        .traffic_changes
        .iter()
        .filter_map(|(at, contrast)| Some((*at, SourceKind::Web, super::prose::traffic_change(contrast).into_iter().next()?)));
    let errors = report
        .error_changes
        .iter()
        .filter_map(|(at, fields)| Some((*at, SourceKind::App, super::prose::error_fields(fields)?)));
    let mut changes: Vec<(Micros, SourceKind, String, Option<Evidence>)> = traffic
        .chain(errors)
        .map(|(at, source, (parts, evidence))| (at, source, plain_text(&parts, zone), evidence.first().cloned()))
        .collect();
    changes.sort_by_key(|(at, _, _, _)| *at);
    let episodes = &report.episodes;
    let spans: Vec<String> = episodes.iter().map(|e| span(e, zone)).collect();
    let clocks: Vec<String> = changes.iter().map(|(at, _, _, _)| display_clock(*at, zone)).collect();
    let span_width = spans.iter().chain(&clocks).map(|s| columns(s)).max().unwrap_or(0);
    let counts: Vec<String> = episodes.iter().map(line_count).collect();
    let count_width = counts.iter().map(|c| columns(c)).max().unwrap_or(0);
    let lead = |span: &str, source: SourceKind, count: &str| format!("{span:<span_width$}  {:<6}  {count:>count_width$}  ", source.name());
    let mut rows: Vec<(Micros, Row)> = episodes
        .iter()
        .zip(spans)
        .zip(counts)
        .map(|((episode, span), count)| {
            let (cite, cite_short) = files.cite(episode.first.as_ref(), episode.last.as_ref());
            let row = Row {
                severity: episode.severity,
                lead: lead(&span, episode.source, &count),
                what: what_happened(episode, zone),
                cite,
                cite_short,
            };
            (episode.start, row)
        })
        .collect();
    for ((at, source, what, evidence), clock) in changes.into_iter().zip(clocks) {
        let (cite, cite_short) = files.cite(evidence.as_ref(), None);
        let row = Row {
            severity: Severity::Warning,
            lead: lead(&clock, source, ""),
            what,
            cite,
            cite_short,
        };
        rows.push((at, row));
    }
    // In time order (a stable sort: a change after the episodes of its minute).
    rows.sort_by_key(|(at, _)| *at);
    rows
}

fn event_rows(events: &[Event], files: &Files, zone: Zone) -> Vec<(Micros, Row)> {
    events
        .iter()
        .map(|event| {
            let evidence = Evidence {
                file: event.file.clone(),
                line: event.line,
            };
            let (cite, cite_short) = files.cite(Some(&evidence), None);
            let row = Row {
                severity: event.severity,
                lead: format!(
                    "{}  {:<6}  {:<8}  {}  ",
                    display_clock(event.time, zone),
                    event.source.name(),
                    event.severity.name(),
                    event.rule
                ),
                what: event.message.clone(),
                cite,
                cite_short,
            };
            (event.time, row)
        })
        .collect()
}

/// Writes the episodes, or every event when the report kept them.
pub fn write_timeline_text(out: &mut dyn Write, report: &TimelineReport, view: &View) -> io::Result<()> {
    let zone = view.zone;
    let files = Files {
        names: CitedNames::of(&report.sources),
    };
    let rows = match &report.events {
        Some(events) => event_rows(events, &files, zone),
        None => episode_rows(report, &files, zone),
    };
    let fit = |line: &str| match view.width {
        Some(width) => cut_to(line, width),
        None => line.to_string(),
    };
    if let Some(base) = files.names.base.as_deref().filter(|_| !rows.is_empty()) {
        writeln!(out, "{}", fit(&format!("Files in {base}")))?;
    }
    let mut day = String::new();
    for (time, row) in rows {
        let this_day = day_of(time, zone);
        if this_day != day {
            writeln!(out, "{}", fit(&this_day))?;
            day = this_day;
        }
        writeln!(out, "{}", row.fitted(view.width, view.colour))?;
    }
    // Each short name given, in full once (piped, it is never cut).
    for (short, file) in files.names.given() {
        writeln!(out, "{}", fit(&format!("{short} = {file}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(what: &str, cite: &str, cite_short: &str) -> Row {
        Row {
            severity: Severity::Error,
            lead: "15:22:14–16:47:52  web     ".to_string(),
            what: what.to_string(),
            cite: cite.to_string(),
            cite_short: cite_short.to_string(),
        }
    }

    #[test]
    fn a_row_fits_its_width_and_keeps_what_it_can() {
        let r = row(
            "1,449 × HTTP 5xx response (status 502)",
            "[access.log:1252 … 3309]",
            "[access.log:1252]",
        );
        // Piped: everything.
        let full = r.fitted(None, false);
        assert_eq!(
            full,
            "15:22:14–16:47:52  web     1,449 × HTTP 5xx response (status 502)  [access.log:1252 … 3309]"
        );
        assert_eq!(r.fitted(Some(200), false), full);
        for width in [20, 40, 60, 80, 100] {
            let fitted = r.fitted(Some(width), false);
            assert!(columns(&fitted) <= width, "{width}: {fitted}");
        }
        // Where the message fits beside the whole citation, both are whole.
        assert_eq!(r.fitted(Some(full.chars().count()), false), full);
        // Narrower, the citation gives up its last line before the message is cut…
        assert_eq!(
            r.fitted(Some(85), false),
            "15:22:14–16:47:52  web     1,449 × HTTP 5xx response (status 502)  [access.log:1252]"
        );
        // …and then the message is cut at a word.
        assert_eq!(
            r.fitted(Some(72), false),
            "15:22:14–16:47:52  web     1,449 × HTTP 5xx response…  [access.log:1252]"
        );
        assert_eq!(
            r.fitted(Some(70), false),
            "15:22:14–16:47:52  web     1,449 × HTTP 5xx…  [access.log:1252]"
        );
        // Colour wraps only what happened, and adds no columns a terminal shows.
        let coloured = r.fitted(Some(72), true);
        assert!(coloured.contains("\x1b[31m1,449 × HTTP 5xx response…\x1b[0m"), "{coloured}");
    }

    #[test]
    fn a_row_without_a_citation_has_no_trailing_gap() {
        let r = row("Spike of request time: peak 57,410 ms at 16:00:00, baseline 40 ms", "", "");
        assert!(!r.fitted(None, false).ends_with(' '));
        let fitted = r.fitted(Some(60), false);
        assert!(columns(&fitted) <= 60 && fitted.ends_with("time: peak…"), "{fitted}");
    }

    #[test]
    fn files_are_named_below_the_shared_folder_and_a_run_in_one_file_once() {
        let files = Files {
            names: CitedNames {
                base: Some("logs/".to_string()),
                short: Default::default(),
                given: Default::default(),
            },
        };
        let at = |file: &str, line| Evidence {
            file: file.to_string(),
            line,
        };
        let (long, short) = files.cite(Some(&at("logs/syslog", 1)), Some(&at("logs/syslog", 20)));
        assert_eq!((long.as_str(), short.as_str()), ("[syslog:1 … 20]", "[syslog:1]"));
        let (long, _) = files.cite(Some(&at("logs/a.log", 3)), Some(&at("logs/b/c.log", 9)));
        assert_eq!(long, "[a.log:3 … b/c.log:9]");
        let (long, _) = files.cite(Some(&at("logs/a.log", 3)), Some(&at("logs/a.log", 3)));
        assert_eq!(long, "[a.log:3]");
        assert_eq!(files.cite(None, None), (String::new(), String::new()));
    }
}
