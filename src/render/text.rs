//! The timeline for a terminal: one aligned line an episode (or an event with `--raw`),
//! coloured by severity when stdout is a terminal.

use super::{rate_value, thousands, View};
use crate::report::{Evidence, TimelineReport};
use crate::rules::Severity;
use crate::time::{display_clock, display_time};
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

/// Writes the episodes, or every event when the report kept them.
pub fn write_timeline_text(out: &mut dyn Write, report: &TimelineReport, view: &View) -> io::Result<()> {
    let (zone, colour) = (view.zone, view.colour);
    if let Some(events) = &report.events {
        for event in events {
            let severity = paint(event.severity, &format!("{:<8}", event.severity.name()), colour);
            writeln!(
                out,
                "{}  {:<6} {} {:<28} {}  [{}:{}]",
                display_time(event.time, zone),
                event.source.name(),
                severity,
                event.rule,
                event.message,
                event.file,
                event.line
            )?;
        }
        return Ok(());
    }
    for episode in &report.episodes {
        let same_day = display_time(episode.start, zone)[..10] == display_time(episode.end, zone)[..10];
        let span = match (episode.end > episode.start, same_day) {
            (false, _) => String::new(),
            (true, true) => format!("–{}", display_clock(episode.end, zone)),
            (true, false) => format!(" – {}", display_time(episode.end, zone)),
        };
        let subject = episode
            .subject
            .as_ref()
            .map(|s| format!(" ({} {})", s.field, s.value))
            .unwrap_or_default();
        let what = match &episode.rate {
            Some(rate) => format!(
                "{}: peak {} at {}, baseline {}{}",
                episode.title,
                rate_value(rate.unit, rate.peak),
                display_clock(rate.peak_at, zone),
                rate_value(rate.unit, rate.baseline),
                if rate.ongoing { ", still high when the logs end" } else { "" }
            ),
            None => format!("{} × {}{}", thousands(episode.count), episode.title, subject),
        };
        let cite = |e: &Evidence| format!("{}:{}", e.file, e.line);
        let evidence = match (&episode.first, &episode.last) {
            (Some(first), Some(last)) if first != last => format!("[{} … {}]", cite(first), cite(last)),
            (Some(first), _) => format!("[{}]", cite(first)),
            _ => String::new(),
        };
        let line = format!(
            "{}{:<9}  {:<6} {}  {}",
            display_time(episode.start, zone),
            span,
            episode.source.name(),
            paint(episode.severity, &what, colour),
            evidence
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
