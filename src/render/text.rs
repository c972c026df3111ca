//! The timeline for a terminal: one aligned line an episode (or an event with `--raw`),
//! coloured by severity when stdout is a terminal.

use super::thousands;
use crate::rules::{RuleSet, Severity};
use crate::scan::{Event, FileReport};
use crate::time::{display_clock, display_time, Zone};
use crate::timeline::Episode;
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
        let span = if episode.end > episode.start {
            format!("–{}", display_clock(episode.end, zone))
        } else {
            String::new()
        };
        let subject = episode
            .subject
            .as_ref()
            .map(|(field, value)| format!(" ({field} {value})"))
            .unwrap_or_default();
        let what = format!("{} × {}{}", thousands(episode.count), rule.title, subject);
        let first = &files[episode.first.file as usize];
        let evidence = if episode.count > 1 {
            let last = &files[episode.last.file as usize];
            format!(
                "[{}:{} … {}:{}]",
                first.display, episode.first.line, last.display, episode.last.line
            )
        } else {
            format!("[{}:{}]", first.display, episode.first.line)
        };
        writeln!(
            out,
            "{}{:<9}  {:<6} {}  {}",
            display_time(episode.start, zone),
            span,
            episode.kind.name(),
            paint(rule.severity, &what, colour),
            evidence
        )?;
    }
    Ok(())
}
