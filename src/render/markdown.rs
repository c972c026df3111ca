//! The postmortem draft in Markdown, in the structure engineers write by hand: a title,
//! Issue Summary, Timeline (with a Mermaid chart), Root Cause and Resolution, Corrective
//! and Preventative Measures. Every statement cites its lines as `[file:line]`; what
//! only people know is left as a marked placeholder. Log text is escaped so that it
//! cannot break the Markdown: it is quoted in code spans, and plain text has every
//! character with a meaning in Markdown or HTML escaped.

use super::{thousands, View};
use crate::analyze::{Part, Role};
use crate::report::{Episode, Evidence, Report, Source, Statement};
use crate::rules::Category;
use crate::time::{display_clock, display_time, human_duration, Micros, Zone};
use std::fmt::Write as _;

/// Escapes text for Markdown: no link, emphasis, HTML or table cell can be made of it.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // With `[` and `]` escaped no link or image can form, so `(`, `)` and `!`
            // can stay as they are.
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A code span that holds any text: fenced with more backticks than it contains.
pub fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' || c.is_control() { ' ' } else { c })
        .collect();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

struct Writer {
    zone: Zone,
}

impl Writer {
    fn cite(&self, evidence: &[Evidence]) -> String {
        evidence.iter().map(|e| format!(" \\[{}:{}\\]", escape(&e.file), e.line)).collect()
    }

    fn time(&self, t: Micros) -> String {
        display_time(t, self.zone)
    }

    /// The time of day with its zone, for times within the incident's day: `15:37:00 -05:00`.
    fn clock(&self, t: Micros) -> String {
        let full = self.time(t);
        format!("{}{}", &full[11..19], &full[19..])
    }

    fn sentence(&self, s: &Statement) -> String {
        let mut out = String::new();
        for part in &s.parts {
            match part {
                Part::Text(t) => out.push_str(&escape(t)),
                Part::Quote(q) => out.push_str(&code(q)),
                Part::Time(t) => out.push_str(&self.time(*t)),
                Part::Duration(d) => out.push_str(&human_duration(*d)),
            }
        }
        out.push_str(&self.cite(&s.evidence));
        out
    }

    /// One line about an episode: what, how many, where. A template's text (what lines
    /// no rule names say, `<*>` where they vary) is quoted.
    fn episode(&self, e: &Episode) -> String {
        let mut what = if e.category == Category::LogErrors {
            code(&e.title)
        } else {
            escape(&e.title)
        };
        if let Some(rate) = e.rate {
            let _ = write!(
                what,
                ", peak {} at {}",
                super::rate_value(rate.unit, rate.peak),
                self.clock(rate.peak_at)
            );
        } else if e.count > 1 {
            what = format!("{} × {what}", thousands(e.count));
        }
        if let Some(subject) = &e.subject {
            let _ = write!(what, " {}", code(&subject.value));
        }
        format!("{what} ({}){}", e.source.name(), self.cite(&e.evidence))
    }
}

fn percent(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// A link target that Markdown reads whole: spaces, parentheses and angle brackets
/// percent-encoded.
fn link_target(path: &str) -> String {
    path.chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '(' => "%28".to_string(),
            ')' => "%29".to_string(),
            '<' => "%3C".to_string(),
            '>' => "%3E".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Writes the draft of the report's incident, or a "no incident found" document.
pub fn write_draft(report: &Report, view: &View) -> String {
    let w = Writer { zone: view.zone };
    let zone = view.zone;
    let mut out = String::new();
    let read: Vec<&Source> = report.sources.iter().filter(|f| f.timestamped > 0).collect();
    let Some(incident) = &report.incident else {
        out.push_str("# Postmortem draft: no incident found\n\n");
        let _ = writeln!(
            out,
            "No spike of failed requests or of request time stands out in these logs ({} files with timestamps, {} lines). Nothing is claimed without evidence, so there is no draft to write.\n",
            read.len(),
            thousands(read.iter().map(|f| f.lines).sum())
        );
        if !report.notable.is_empty() {
            out.push_str("The most severe things these logs hold:\n\n");
            for e in &report.notable {
                let (from, to) = (w.time(e.start), w.time(e.end));
                let span = if e.end > e.start {
                    format!("{} to {}", &from[..16], &to[11..16])
                } else {
                    from[..16].to_string()
                };
                let background = if e.background { ", recurring since the logs begin" } else { "" };
                let _ = writeln!(out, "- {span} — {}{background}", w.episode(e));
            }
            out.push('\n');
        }
        sources(&mut out, &w, &report.sources);
        return out;
    };
    let symptom_title = incident.symptoms.first().map_or("Outage", |s| s.title.as_str());
    let _ = writeln!(
        out,
        "# Postmortem: {} on {}\n",
        escape(symptom_title),
        &w.time(incident.start)[..10]
    );
    out.push_str("> First draft written by `postmortem` from the logs. Every statement cites the log lines it rests on as \\[file:line\\]; what logs cannot know is left as a _TODO_ for you to fill in. Times are in ");
    let _ = writeln!(out, "{}.\n", zone);

    // Issue Summary
    out.push_str("## Issue Summary\n\n");
    let end = match incident.end {
        Some(end) => w.time(end),
        None => "still going when the logs end".to_string(),
    };
    let _ = writeln!(
        out,
        "**Duration:** {} to {} ({}).\n",
        w.time(incident.start),
        end,
        human_duration(incident.duration)
    );
    let impact = &incident.impact;
    let symptom_evidence: Vec<Evidence> = incident.symptoms.iter().filter_map(|s| s.first.clone()).take(1).collect();
    if impact.requests > 0 {
        let _ = write!(
            out,
            "**Impact:** {} of {} requests failed ({}), the failure ratio peaking at {}{}; {}{} of {} clients ({}) got at least one failed request{}.",
            thousands(impact.failed_requests),
            thousands(impact.requests),
            percent(impact.failed_ratio),
            percent(impact.peak_error_ratio),
            impact.peak_at.map(|t| format!(" at {}", w.clock(t))).unwrap_or_default(),
            if impact.clients_estimated { "about " } else { "" },
            thousands(impact.affected_clients),
            thousands(impact.clients),
            percent(impact.affected_clients_ratio),
            if impact.clients_estimated {
                " (estimates: more clients a minute than are counted one by one)"
            } else {
                ""
            },
        );
        if !impact.hardest_hit.is_empty() {
            let list: Vec<String> = impact
                .hardest_hit
                .iter()
                .map(|e| {
                    format!(
                        "{} ({} of {} failed)",
                        code(&e.endpoint),
                        thousands(e.failed),
                        thousands(e.requests)
                    )
                })
                .collect();
            let _ = write!(out, " Hardest hit: {}.", list.join(", "));
        }
        if !impact.unaffected.is_empty() {
            let list: Vec<String> = impact.unaffected.iter().map(|e| code(&e.endpoint)).collect();
            let _ = write!(out, " Unaffected: {}.", list.join(", "));
        }
        let _ = writeln!(out, "{}\n", w.cite(&symptom_evidence));
    } else if incident.errors.lines > 0 {
        let errors = &incident.errors;
        let sources: Vec<String> = errors
            .sources
            .iter()
            .map(|s| format!("{} ({})", code(&s.source), thousands(s.lines)))
            .collect();
        let _ = writeln!(
            out,
            "**Impact:** {} error lines in {}, peaking at {} in one minute{}. No access log covers this time, so what users saw is not in these logs: _TODO: the user-facing impact (failed requests, customers affected)._{}\n",
            thousands(errors.lines),
            sources.join(", "),
            thousands(errors.peak),
            errors.peak_at.map(|t| format!(" at {}", w.clock(t))).unwrap_or_default(),
            w.cite(&symptom_evidence)
        );
    }
    if let Some(chart) = &view.chart_link {
        let _ = writeln!(
            out,
            "![Requests and failed requests, the incident shaded]({})\n",
            link_target(chart)
        );
    }
    let chain = report.root_cause.as_ref().map_or(&[][..], |r| &r.chain[..]);
    let root = root_cause_sentence(chain, &w);
    let _ = writeln!(out, "**Root cause:** {root}\n");

    // Timeline
    out.push_str("## Timeline\n\n");
    let mut moments: Vec<(Micros, String, String)> = Vec::new();
    for link in chain {
        let label = match link.role {
            Role::Origin => "**Trigger (origin)**",
            Role::Trigger => "**Trigger**",
            Role::Mechanism => "**Mechanism**",
            Role::Symptom => "**Symptom**",
        };
        moments.push((link.episode.start, label.to_string(), w.episode(&link.episode)));
    }
    if let Some(detected) = &incident.detected {
        let (label, what) = if impact.requests > 0 {
            ("**First failed request**", "users start to see errors")
        } else {
            ("**First error**", "the first error line of the burst")
        };
        moments.push((detected.time, label.into(), format!("{what}{}", w.cite(&detected.evidence))));
    }
    if let Some(r) = &report.resolution {
        moments.push((r.episode.start, "**Mitigation**".into(), w.episode(&r.episode)));
    }
    for s in incident.symptoms.iter().skip(1) {
        moments.push((s.start, "**Symptom**".into(), w.episode(s)));
    }
    if let Some(end) = incident.end {
        moments.push((
            end,
            "**Recovery**".into(),
            "the symptom is back at its baseline and stays there".into(),
        ));
    }
    moments.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let day = |t: Micros| w.time(t)[..10].to_string();
    for (at, label, what) in &moments {
        // `HH:MM zone`, with the date when it is not the incident's.
        let full = w.time(*at);
        let clock = format!("{}{}", &full[11..16], &full[19..]);
        let when = if day(*at) == day(incident.start) {
            clock
        } else {
            format!("{} {clock}", day(*at))
        };
        let _ = writeln!(out, "- {when} — {label}: {what}");
    }
    out.push_str("- _TODO: when the alert fired, who was paged, and the steps of the investigation._\n\n");
    mermaid(&mut out, &moments, zone);

    // Root Cause and Resolution
    out.push_str("## Root Cause and Resolution\n\n");
    let _ = writeln!(out, "{root}\n");
    for link in chain.iter().filter(|l| l.role != Role::Symptom) {
        let _ = writeln!(
            out,
            "- {} ({}, score {:.2}): {}",
            link.role.name(),
            link.episode.category,
            link.score,
            w.episode(&link.episode)
        );
    }
    if !chain.is_empty() {
        out.push('\n');
    }
    match &report.resolution {
        Some(r) => {
            let _ = writeln!(
                out,
                "**Resolution:** {} at {}; the symptom was back at its baseline at {}.\n",
                w.episode(&r.episode),
                w.time(r.episode.start),
                match incident.end {
                    Some(end) => w.time(end),
                    None => "no time before the logs end".to_string(),
                }
            );
        }
        None => {
            let _ = writeln!(
                out,
                "**Resolution:** _TODO: no action in the logs stands out as the fix_; the symptom was back at its baseline at {}.\n",
                end
            );
        }
    }
    let confidence = report.root_cause.as_ref().map_or(0.0, |r| r.confidence);
    let _ = writeln!(
        out,
        "Confidence in this chain: {:.0} % (from how specific, how early and how lasting the evidence is).\n",
        confidence * 100.0
    );
    if !report.alternatives.is_empty() {
        out.push_str("Also considered, and ranked lower:\n\n");
        for alt in &report.alternatives {
            let _ = writeln!(out, "- as {} ({:.2}): {}", alt.role.name(), alt.score, w.episode(&alt.episode));
        }
        out.push('\n');
    }

    // Measures
    out.push_str("## Corrective and Preventative Measures\n\n");
    for measure in &report.measures {
        let _ = writeln!(out, "- {}", w.sentence(measure));
    }
    out.push_str("- _TODO: owners and dates for each task; customer communication._\n\n");

    let others: Vec<_> = report.incidents.iter().filter(|i| i.number != incident.number).collect();
    if !others.is_empty() {
        out.push_str("## Other incidents in these logs\n\n");
        for other in others {
            let _ = writeln!(
                out,
                "- incident {}: {} to {}, {} of {} requests failed (`--incident {}` drafts it)",
                other.number,
                w.time(other.start),
                w.time(other.end),
                thousands(other.failed_requests),
                thousands(other.requests),
                other.number
            );
        }
        out.push('\n');
    }
    sources(&mut out, &w, &report.sources);
    out
}

fn root_cause_sentence(chain: &[crate::report::Link], w: &Writer) -> String {
    let mut steps: Vec<String> = Vec::new();
    for link in chain {
        let e = &link.episode;
        let mut step = escape(&e.title);
        if let Some(subject) = &e.subject {
            let _ = write!(step, " {}", code(&subject.value));
        }
        let _ = write!(
            step,
            " at {}{}",
            w.clock(e.start),
            w.cite(&e.first.iter().cloned().collect::<Vec<_>>())
        );
        steps.push(step);
    }
    if steps.is_empty() {
        return "_TODO: no cause stands out in the logs._".into();
    }
    format!("{}.", steps.join(" → "))
}

/// A Mermaid timeline of the key moments, which GitHub renders.
fn mermaid(out: &mut String, moments: &[(Micros, String, String)], zone: Zone) {
    out.push_str("```mermaid\ntimeline\n    title Key moments (");
    let _ = writeln!(out, "{zone})");
    for (at, label, _) in moments {
        // Mermaid's own syntax: keep only plain words.
        let label: String = label
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '(' || *c == ')')
            .collect();
        // A period may not hold `:`, Mermaid's separator.
        let period = display_clock(*at, zone)[..5].replace(':', ".");
        let _ = writeln!(out, "    {period} : {}", label.trim());
    }
    out.push_str("```\n\n");
}

fn sources(out: &mut String, w: &Writer, files: &[Source]) {
    out.push_str("## Sources\n\n| file | format | zone | lines | first | last |\n|---|---|---|---|---|---|\n");
    for f in files {
        let when = |t: Option<Micros>| t.map_or("-".to_string(), |t| w.time(t));
        let zone = if f.zone_assumed {
            format!("{} (assumed)", f.zone)
        } else {
            f.zone.clone()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&f.file),
            f.format,
            escape(&zone),
            thousands(f.lines),
            when(f.first),
            when(f.last)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_cannot_break_out() {
        assert_eq!(
            escape("a|b <script> [x](http://e) **y** `z`"),
            "a\\|b &lt;script&gt; \\[x\\](http://e) \\*\\*y\\*\\* \\`z\\`"
        );
        assert_eq!(code("rm -rf `x`"), "`` rm -rf `x` ``");
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a``b"), "```a``b```");
        assert!(!code("line\nbreak").contains('\n'));
    }
}
