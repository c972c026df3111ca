//! The timeline for a terminal: one aligned line an episode (or an event with `--raw`),
//! coloured by severity when stdout is a terminal.

use super::{rate_value, thousands};
use crate::rules::{RuleSet, Severity};
use crate::scan::{Event, FileReport};
use crate::time::{display_clock, display_time, Zone};
use crate::timeline::{Episode, Evidence};
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

/// Writes episodes, or every event when `events` is given.
pub fn write_timeline_text(
    out: &mut dyn Write,
    episodes: &[Episode],
    events: Option<&[Event]>,
    files: &[FileReport],
    rules: &RuleSet,
    zone: Zone,
    colour: bool,
) -> io::Result<()> {
    if let Some(events) = events {
        for event in events {
            let rule = rules.get(event.rule);
            let file = &files[event.file as usize];
            let severity = paint(rule.severity, &format!("{:<8}", rule.severity.name()), colour);
            writeln!(
                out,
                "{}  {:<6} {} {:<28} {}  [{}:{}]",
                display_time(event.time, zone),
                file.kind.name(),
                severity,
                rule.id,
                event.message,
                file.display,
                event.line
            )?;
        }
        return Ok(());
    }
    for episode in episodes {
        let rule = rules.get(episode.rule);
        let same_day = display_time(episode.start, zone)[..10] == display_time(episode.end, zone)[..10];
        let span = match (episode.end > episode.start, same_day) {
            (false, _) => String::new(),
            (true, true) => format!("–{}", display_clock(episode.end, zone)),
            (true, false) => format!(" – {}", display_time(episode.end, zone)),
        };
        let subject = episode
            .subject
            .as_ref()
            .map(|(field, value)| format!(" ({field} {value})"))
            .unwrap_or_default();
        let what = match &episode.rate {
            Some(rate) => format!(
                "{}: peak {} at {}, baseline {}{}",
                rule.title,
                rate_value(rate.unit, rate.peak),
                display_clock(rate.peak_at, zone),
                rate_value(rate.unit, rate.baseline),
                if rate.ongoing { ", still high when the logs end" } else { "" }
            ),
            None => format!("{} × {}{}", thousands(episode.count), rule.title, subject),
        };
        let cite = |e: &Evidence| format!("{}:{}", files[e.file as usize].display, e.line);
        let evidence = match (&episode.first, &episode.last) {
            (Some(first), Some(last)) if first != last => format!("[{} … {}]", cite(first), cite(last)),
            (Some(first), _) => format!("[{}]", cite(first)),
            _ => String::new(),
        };
        let line = format!(
            "{}{:<9}  {:<6} {}  {}",
            display_time(episode.start, zone),
            span,
            episode.kind.name(),
            paint(rule.severity, &what, colour),
            evidence
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
