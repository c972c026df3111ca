//! The postmortem draft in Markdown, in the structure engineers write by hand: a title,
//! Issue Summary, Timeline (with a Mermaid chart), Root Cause and Resolution, Corrective
//! and Preventative Measures. Every statement cites its lines as `[file:line]`; what
//! only people know is left as a marked placeholder. Log text is escaped so that it
//! cannot break the Markdown: it is quoted in code spans, and plain text has every
//! character with a meaning in Markdown or HTML escaped.

use super::thousands;
use crate::analyze::{Analysis, Incident, Part, Role, Sentence};
use crate::rules::RuleSet;
use crate::scan::FileReport;
use crate::time::{display_clock, display_time, Micros, Zone};
use crate::timeline::{Episode, Evidence};
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

/// `1 h 15 min`, `4 min`, `38 s`.
pub fn duration(micros: Micros) -> String {
    let secs = micros.max(0) / 1_000_000;
    match (secs / 3600, secs % 3600 / 60) {
        (0, 0) => format!("{secs} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

struct Writer<'a> {
    files: &'a [FileReport],
    zone: Zone,
}

impl Writer<'_> {
    fn cite(&self, evidence: &[Evidence]) -> String {
        evidence
            .iter()
            .map(|e| format!(" \\[{}:{}\\]", escape(&self.files[e.file as usize].display), e.line))
            .collect()
    }

    fn time(&self, t: Micros) -> String {
        display_time(t, self.zone)
    }

    /// The time of day with its zone, for times within the incident's day: `15:37:00 -05:00`.
    fn clock(&self, t: Micros) -> String {
        let full = self.time(t);
        format!("{}{}", &full[11..19], &full[19..])
    }

    fn sentence(&self, s: &Sentence) -> String {
        let mut out = String::new();
        for part in &s.parts {
            match part {
                Part::Text(t) => out.push_str(&escape(t)),
                Part::Quote(q) => out.push_str(&code(q)),
                Part::Time(t) => out.push_str(&self.time(*t)),
                Part::Duration(d) => out.push_str(&duration(*d)),
            }
        }
        out.push_str(&self.cite(&s.evidence));
        out
    }

    /// One line about an episode: what, how many, where.
    fn episode(&self, e: &Episode, rules: &RuleSet) -> String {
        let rule = rules.get(e.rule);
        let mut what = escape(&rule.title);
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
        if let Some((_, value)) = &e.subject {
            let _ = write!(what, " {}", code(value));
        }
        let evidence: Vec<Evidence> = match (e.first, e.last) {
            (Some(f), Some(l)) if f != l => vec![f, l],
            (Some(f), _) => vec![f],
            _ => Vec::new(),
        };
        format!("{what} ({}){}", e.kind.name(), self.cite(&evidence))
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

/// Writes the draft for the incident `chosen` (index into `analysis.incidents`), or a
/// "no incident found" document. `chart` is a link to the chart drawn beside it.
pub fn write_draft(
    analysis: &Analysis,
    chosen: Option<usize>,
    episodes: &[Episode],
    files: &[FileReport],
    rules: &RuleSet,
    zone: Zone,
    chart: Option<&str>,
) -> String {
    let w = Writer { files, zone };
    let mut out = String::new();
    let read: Vec<&FileReport> = files.iter().filter(|f| f.timestamped > 0).collect();
    let Some(incident) = chosen.and_then(|i| analysis.incidents.get(i)) else {
        out.push_str("# Postmortem draft: no incident found\n\n");
        let _ = writeln!(
            out,
            "No spike of failed requests or of request time stands out in these logs ({} files with timestamps, {} lines). Nothing is claimed without evidence, so there is no draft to write.\n",
            read.len(),
            thousands(read.iter().map(|f| f.lines).sum())
        );
        sources(&mut out, &w, files);
        return out;
    };
    let rule_of = |i: usize| rules.get(episodes[i].rule);
    let symptom_title = incident
        .symptoms
        .first()
        .map_or("Outage".to_string(), |&s| rule_of(s).title.clone());
    let _ = writeln!(
        out,
        "# Postmortem: {} on {}\n",
        escape(&symptom_title),
        &w.time(incident.start)[..10]
    );
    out.push_str("> First draft written by `postmortem` from the logs. Every statement cites the log lines it rests on as \\[file:line\\]; what logs cannot know is left as a _TODO_ for you to fill in. Times are in ");
    let _ = writeln!(out, "{}.\n", zone);

    // Issue Summary
    out.push_str("## Issue Summary\n\n");
    let end = if incident.ongoing {
        "still going when the logs end".to_string()
    } else {
        w.time(incident.end)
    };
    let _ = writeln!(
        out,
        "**Duration:** {} to {} ({}).\n",
        w.time(incident.start),
        end,
        duration(incident.end - incident.start)
    );
    let impact = &incident.impact;
    let symptom_evidence: Vec<Evidence> = incident.symptoms.iter().filter_map(|&s| episodes[s].first).take(1).collect();
    if impact.requests > 0 {
        let _ = write!(
            out,
            "**Impact:** {} of {} requests failed ({}), the failure ratio peaking at {}{}; {} of {} clients ({}) got at least one failed request.",
            thousands(impact.failed_requests),
            thousands(impact.requests),
            percent(impact.failed_ratio()),
            percent(impact.peak_error_ratio),
            impact.peak_at.map(|t| format!(" at {}", w.clock(t))).unwrap_or_default(),
            thousands(impact.affected_clients),
            thousands(impact.clients),
            percent(impact.affected_ratio()),
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
    }
    if let Some(chart) = chart {
        let _ = writeln!(
            out,
            "![Requests and failed requests, the incident shaded]({})\n",
            link_target(chart)
        );
    }
    let root = root_cause_sentence(incident, episodes, rules, &w);
    let _ = writeln!(out, "**Root cause:** {root}\n");

    // Timeline
    out.push_str("## Timeline\n\n");
    let mut moments: Vec<(Micros, String, String)> = Vec::new();
    for link in &incident.chain {
        let label = match link.role {
            Role::Origin => "**Trigger (origin)**",
            Role::Trigger => "**Trigger**",
            Role::Mechanism => "**Mechanism**",
            Role::Symptom => "**Symptom**",
        };
        moments.push((
            episodes[link.episode].start,
            label.to_string(),
            w.episode(&episodes[link.episode], rules),
        ));
    }
    if let Some((at, evidence)) = incident.detected {
        moments.push((
            at,
            "**First failed request**".into(),
            format!("users start to see errors{}", w.cite(&[evidence])),
        ));
    }
    if let Some(r) = incident.resolution {
        moments.push((episodes[r].start, "**Mitigation**".into(), w.episode(&episodes[r], rules)));
    }
    for &s in incident.symptoms.iter().skip(1) {
        moments.push((episodes[s].start, "**Symptom**".into(), w.episode(&episodes[s], rules)));
    }
    if !incident.ongoing {
        moments.push((
            incident.end,
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
    for link in incident.chain.iter().filter(|l| l.role != Role::Symptom) {
        let _ = writeln!(
            out,
            "- {} ({}, score {:.2}): {}",
            link.role.name(),
            rule_of(link.episode).category,
            link.score,
            w.episode(&episodes[link.episode], rules)
        );
    }
    if !incident.chain.is_empty() {
        out.push('\n');
    }
    match incident.resolution {
        Some(r) => {
            let _ = writeln!(
                out,
                "**Resolution:** {} at {}; the symptom was back at its baseline at {}.\n",
                w.episode(&episodes[r], rules),
                w.time(episodes[r].start),
                if incident.ongoing {
                    "no time before the logs end".to_string()
                } else {
                    w.time(incident.end)
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
    let _ = writeln!(
        out,
        "Confidence in this chain: {:.0} % (from how specific, how early and how lasting the evidence is).\n",
        incident.confidence * 100.0
    );
    if !incident.alternatives.is_empty() {
        out.push_str("Also considered, and ranked lower:\n\n");
        for alt in &incident.alternatives {
            let _ = writeln!(
                out,
                "- as {} ({:.2}): {}",
                alt.role.name(),
                alt.score,
                w.episode(&episodes[alt.episode], rules)
            );
        }
        out.push('\n');
    }

    // Measures
    out.push_str("## Corrective and Preventative Measures\n\n");
    for measure in &incident.measures {
        let _ = writeln!(out, "- {}", w.sentence(measure));
    }
    out.push_str("- _TODO: owners and dates for each task; customer communication._\n\n");

    let others: Vec<(usize, &Incident)> = analysis.incidents.iter().enumerate().filter(|(i, _)| Some(*i) != chosen).collect();
    if !others.is_empty() {
        out.push_str("## Other incidents in these logs\n\n");
        for (i, other) in others {
            let _ = writeln!(
                out,
                "- incident {}: {} to {}, {} of {} requests failed (`--incident {}` drafts it)",
                i + 1,
                w.time(other.start),
                w.time(other.end),
                thousands(other.impact.failed_requests),
                thousands(other.impact.requests),
                i + 1
            );
        }
        out.push('\n');
    }
    sources(&mut out, &w, files);
    out
}

fn root_cause_sentence(incident: &Incident, episodes: &[Episode], rules: &RuleSet, w: &Writer<'_>) -> String {
    let mut steps: Vec<String> = Vec::new();
    for link in &incident.chain {
        let e = &episodes[link.episode];
        let mut step = escape(&rules.get(e.rule).title);
        if let Some((_, value)) = &e.subject {
            let _ = write!(step, " {}", code(value));
        }
        let _ = write!(step, " at {}{}", w.clock(e.start), w.cite(&e.first.into_iter().collect::<Vec<_>>()));
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

fn sources(out: &mut String, w: &Writer<'_>, files: &[FileReport]) {
    out.push_str("## Sources\n\n| file | format | zone | lines | first | last |\n|---|---|---|---|---|---|\n");
    for f in files {
        let when = |t: Option<Micros>| t.map_or("-".to_string(), |t| w.time(t));
        let zone = if f.zone.assumed {
            format!("{} (assumed)", f.zone.zone)
        } else {
            f.zone.zone.clone()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&f.display),
            f.format.name(),
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

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(duration(75 * 60 * 1_000_000), "1 h 15 min");
        assert_eq!(duration(4 * 60 * 1_000_000), "4 min");
        assert_eq!(duration(2 * 3600 * 1_000_000), "2 h");
        assert_eq!(duration(38 * 1_000_000), "38 s");
    }
}
