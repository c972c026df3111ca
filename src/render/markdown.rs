//! The postmortem draft in Markdown, in the structure engineers write by hand: a title,
//! Issue Summary, Timeline (with a Mermaid chart), Root Cause and Resolution, Corrective
//! and Preventative Measures. Every statement cites its lines as `[file:line]`; what
//! only people know is left as a marked placeholder. Log text is escaped so that it
//! cannot break the Markdown: it is quoted in code spans, and plain text has every
//! character with a meaning in Markdown or HTML escaped.

use super::{mermaid, prose, thousands, View};
use crate::report::{Episode, Evidence, Report, Source, Statement};
use crate::report::{Part, Role};
use crate::time::{display_time, human_duration, Micros, Zone};
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

/// Renders parts of a report for the draft: times in the display zone (with the date
/// when it is not the incident's day), citations relative to the inputs' common folder.
struct Writer {
    zone: Zone,
    /// How citations name files (see [`super::CitedNames`]).
    names: super::CitedNames,
    /// The incident's day in the display zone, `YYYY-MM-DD`.
    day: Option<String>,
}

impl Writer {
    fn cite(&self, evidence: &[Evidence]) -> String {
        evidence
            .iter()
            .map(|e| format!(" \\[{}:{}\\]", escape(self.names.name(&e.file)), e.line))
            .collect()
    }

    fn time(&self, t: Micros) -> String {
        display_time(t, self.zone)
    }

    /// A time within the story: `15:37:00`, or `2024-01-20 22:14:00` on another day.
    fn when(&self, t: Micros) -> String {
        let full = self.time(t);
        match &self.day {
            Some(day) if full.starts_with(day.as_str()) => full[11..19].to_string(),
            _ => full[..19].to_string(),
        }
    }

    /// From `from` to `to` to the minute: `2024-02-06 10:12 to 13:12`, the end's date
    /// given too when it falls on another day; one time when they are the same minute.
    fn span(&self, from: Micros, to: Micros) -> String {
        let (from, to) = (self.time(from), self.time(to));
        if from[..16] == to[..16] {
            from[..16].to_string()
        } else if from[..10] == to[..10] {
            format!("{} to {}", &from[..16], &to[11..16])
        } else {
            format!("{} to {}", &from[..16], &to[..16])
        }
    }

    fn parts(&self, parts: &[Part]) -> String {
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Text(t) => out.push_str(&escape(t)),
                Part::Quote(q) => out.push_str(&code(q)),
                Part::Time(t) => out.push_str(&self.when(*t)),
                Part::Duration(d) => out.push_str(&human_duration(*d)),
            }
        }
        out
    }

    /// Parts that begin a sentence: their first letter a capital.
    fn opening(&self, parts: &[Part]) -> String {
        super::capitalised(&self.parts(parts))
    }

    fn sentence(&self, s: &Statement) -> String {
        format!("{}{}", self.parts(&s.parts), self.cite(&s.evidence))
    }

    /// An episode as a sentence with its lines cited.
    fn told(&self, e: &Episode, role: Option<Role>) -> String {
        format!("{}{}.", self.opening(&prose::sentence(e, role)), self.cite(&e.evidence))
    }

    /// An episode as a timeline entry (its time is beside it) with its lines cited.
    fn entry(&self, e: &Episode, role: Option<Role>) -> String {
        format!("{}{}.", self.opening(&prose::entry(e, role)), self.cite(&e.evidence))
    }

    /// One line about an episode: what, how many, where.
    fn episode(&self, e: &Episode) -> String {
        let mut what = self.opening(&e.phrase);
        if e.rate.is_none() && e.count > 1 {
            what = format!("{what} ({} lines)", thousands(e.count));
        }
        format!("{what}{}", self.cite(&e.evidence))
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

/// What the reader must know of how times were read: naive times read in a zone nobody
/// stated (the one other logs carry, or this machine's), and clocks found off.
fn time_notes(sources: &[Source], w: &Writer) -> Vec<String> {
    let name = |file: &str| code(w.names.name(file));
    /// A zone nobody stated, and why it was taken.
    #[derive(PartialEq)]
    struct Unstated<'a> {
        from: &'a str,
        zone: &'a str,
        followed: Option<&'a str>,
    }
    // Files read in the same unstated zone, for the same reason, are told together.
    let mut zones: Vec<(Unstated, Vec<String>)> = Vec::new();
    let mut clocks = Vec::new();
    for s in sources.iter().filter(|s| s.timestamped > 0) {
        if matches!(s.zone_from, "other_logs" | "machine") {
            let key = Unstated {
                from: s.zone_from,
                zone: &s.zone,
                followed: s.zone_followed.as_deref(),
            };
            match zones.iter_mut().find(|(k, _)| *k == key) {
                Some((_, files)) => files.push(name(&s.file)),
                None => zones.push((key, vec![name(&s.file)])),
            }
        }
        if let (Some(offset), Some(reference)) = (s.clock_offset_s, &s.clock_reference) {
            clocks.push(format!(
                "The clock of {} was found {} s {} that of {}{}.",
                name(&s.file),
                offset.abs(),
                if offset > 0 { "behind" } else { "ahead of" },
                name(reference),
                if s.clock_moved {
                    ", and its times are moved to match"
                } else {
                    "; its times are left as logged"
                }
            ));
        }
    }
    let mut notes: Vec<String> = zones
        .into_iter()
        .map(|(Unstated { followed, zone, .. }, files)| {
            let files = match files.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            };
            match followed {
                Some(followed) => format!(
                    "Times without a zone in {files} are read in {}, as {} carries its times.",
                    escape(zone),
                    name(followed)
                ),
                _ => format!(
                    "Times without a zone in {files} are read in {}, this machine's zone: _TODO: check that the hosts wrote them in it._",
                    escape(zone)
                ),
            }
        })
        .collect();
    notes.extend(clocks);
    notes
}

/// A moment of the timeline: when, what, and which comes first at the same time.
struct Moment {
    at: Micros,
    order: u8,
    /// A word or two for the Mermaid chart: the moment's part in the story…
    label: String,
    /// …and what happened then, in the draft's words.
    gist: Option<String>,
    text: String,
}

/// Writes the draft of the report's incident, or a "no incident found" document: one
/// function a section.
pub fn write_draft(report: &Report, view: &View) -> String {
    let mut w = Writer {
        zone: view.zone,
        names: super::CitedNames::of(&report.sources),
        day: None,
    };
    let mut out = String::new();
    let Some(incident) = &report.incident else {
        no_incident(&mut out, &w, report);
        sources(&mut out, &w, &report.sources);
        return out;
    };
    w.day = Some(w.time(incident.start)[..10].to_string());
    let chain = report.root_cause.as_ref().map_or(&[][..], |r| &r.chain[..]);
    // What changed in the traffic: who surged, where the failures went.
    let traffic: Vec<String> = incident
        .contrast
        .as_ref()
        .map(|c| {
            prose::traffic_change(c)
                .iter()
                .map(|(parts, evidence)| format!("{}{}.", w.parts(parts), w.cite(evidence)))
                .collect()
        })
        .unwrap_or_default();
    // A surge the trigger names already (one actor's) is told there; the summary and the
    // timeline do not say it twice.
    let surge_told = incident.contrast.as_ref().is_some_and(|c| trigger_names_surge(chain, c));
    // Where the application errors were: a tenant, a provider, a shard.
    let errors_where: Option<String> = incident
        .error_fields
        .as_ref()
        .and_then(prose::error_fields)
        .map(|(parts, evidence)| format!("{}{}.", w.parts(&parts), w.cite(&evidence)));
    let draft = Draft {
        report,
        incident,
        chain,
        view,
        w,
        untold: traffic[usize::from(surge_told).min(traffic.len())..].to_vec(),
        errors_where,
        traffic,
        surge_told,
        sign_evidence: report
            .early_sign
            .iter()
            .flat_map(|s| s.episode.first.iter().chain(s.last_before.iter()).cloned())
            .collect(),
    };
    let title = prose::title(report).map(|t| draft.w.parts(&t)).unwrap_or_default();
    let _ = writeln!(out, "# {title}\n");
    preface(&mut out, &draft.w, report);
    draft.summary(&mut out);
    draft.timeline(&mut out);
    draft.root_cause_and_resolution(&mut out);
    draft.measures(&mut out);
    draft.other_incidents(&mut out);
    sources(&mut out, &draft.w, &report.sources);
    out
}

/// The note under the title: what the draft is, how it cites, the zone of its times.
fn preface(out: &mut String, w: &Writer, report: &Report) {
    out.push_str("> First draft written by `postmortem` from the logs. Every statement cites the log lines it rests on as \\[file:line\\]");
    if let Some(base) = &w.names.base {
        let _ = write!(out, ", files named from {}", code(base));
    }
    let _ = write!(
        out,
        "; what logs cannot know is left as a _TODO_ for you to fill in. Times are in {}.",
        w.zone
    );
    for sentence in time_notes(&report.sources, w) {
        let _ = write!(out, " {sentence}");
    }
    out.push_str("\n\n");
}

/// The document when no incident stands out: what was read, the blips, the most severe
/// lines.
fn no_incident(out: &mut String, w: &Writer, report: &Report) {
    let read: Vec<&Source> = report.sources.iter().filter(|f| f.timestamped > 0).collect();
    // A file read apart in parts (a container's streams, an export's hosts) is one file
    // of its lines, counted once.
    let files: std::collections::BTreeMap<&str, u64> = read.iter().map(|f| (f.file.as_str(), f.lines)).collect();
    out.push_str("# Postmortem draft: no incident found\n\n");
    preface(out, w, report);
    let _ = writeln!(
        out,
        "No spike of failed requests or of request time stands out in these logs, and no burst of errors where no access log covers the time ({} files with timestamps, {} lines). Nothing is claimed without evidence, so there is no draft to write.\n",
        files.len(),
        thousands(files.values().sum())
    );
    if !report.blips.is_empty() {
        out.push_str("Too small to be incidents (under the size set by `--min-duration` and `--min-failed`):\n\n");
        for blip in &report.blips {
            let _ = writeln!(
                out,
                "- {}: {} of {} requests failed",
                w.span(blip.start, blip.end),
                thousands(blip.failed_requests),
                thousands(blip.requests)
            );
        }
        out.push('\n');
    }
    if !report.notable.is_empty() {
        out.push_str("The most severe things these logs hold:\n\n");
        for e in &report.notable {
            let span = w.span(e.start, e.end);
            let background = if e.background { ", recurring since the logs begin" } else { "" };
            let _ = writeln!(out, "- {span} — {}{background}", w.episode(e));
        }
        out.push('\n');
    }
}

/// One incident's draft: the report, and what its sections share.
struct Draft<'a> {
    report: &'a Report,
    incident: &'a crate::report::Incident,
    chain: &'a [crate::report::Link],
    view: &'a View,
    w: Writer,
    /// What changed in the traffic, a sentence a change …
    traffic: Vec<String>,
    /// … and those the trigger does not tell already.
    untold: Vec<String>,
    /// Where the application errors were, the value of a field that carried them.
    errors_where: Option<String>,
    surge_told: bool,
    /// The early sign's first line and its last before the outage.
    sign_evidence: Vec<Evidence>,
}

impl Draft<'_> {
    /// Issue Summary: how long, what users met, the root cause in a sentence.
    fn summary(&self, out: &mut String) {
        let (incident, chain, w, view) = (self.incident, self.chain, &self.w, self.view);
        let untold = &self.untold;
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
            out.push_str("**Impact:** ");
            // A slowdown leads with the wait users met; the few failures follow.
            if prose::is_slowdown(impact) {
                let _ = write!(out, "{} requests were served slowly", thousands(impact.slow_requests));
                if let (Some(peak), Some(before)) = (impact.slow_peak_ms, impact.slow_baseline_ms) {
                    let _ = write!(
                        out,
                        ", at a mean of up to {} ms against about {} ms before",
                        thousands(crate::num::rounded(peak)),
                        thousands(crate::num::rounded(before))
                    );
                }
                out.push_str(". ");
            }
            let _ = write!(
                out,
                "{} of {} requests failed ({}), the failure ratio peaking at {}{}; {}{} of {} clients ({}) got at least one failed request{}.",
                thousands(impact.failed_requests),
                thousands(impact.requests),
                percent(impact.failed_ratio),
                percent(impact.peak_error_ratio),
                impact.peak_at.map(|t| format!(" at {}", w.when(t))).unwrap_or_default(),
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
            // In a slowdown, no failure does not mean unaffected.
            if !impact.unaffected.is_empty() && !prose::is_slowdown(impact) {
                let list: Vec<String> = impact.unaffected.iter().map(|e| code(&e.endpoint)).collect();
                let _ = write!(out, " Unaffected: {}.", list.join(", "));
            }
            // What a proxy flagged on the failed requests (Envoy's response flags).
            if !impact.proxy_reasons.is_empty() {
                let list: Vec<String> = impact
                    .proxy_reasons
                    .iter()
                    .map(|r| {
                        let meaning = r.meaning.as_deref().map(|m| format!(" ({m})")).unwrap_or_default();
                        format!("{} with {}{meaning}", thousands(r.failed), code(&r.reason))
                    })
                    .collect();
                let _ = write!(out, " The proxy's flags on failed requests: {}.", list.join(", "));
            }
            let _ = writeln!(out, "{}\n", w.cite(&symptom_evidence));
            echoes(out, w, &incident.echoes);
        } else if incident.errors.lines > 0 {
            let errors = &incident.errors;
            let sources: Vec<String> = errors
                .sources
                .iter()
                .map(|s| format!("{} ({})", code(crate::source::file_name(&s.source)), thousands(s.lines)))
                .collect();
            let crash_loop = errors
                .crash_loop
                .as_ref()
                .map(|c| format!(" {} failed {} times, a crash loop.", code(&c.unit), thousands(c.failures)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "**Impact:** {} error lines in {}, peaking at {} in one minute{}.{crash_loop} No access log covers this time, so what users saw is not in these logs: _TODO: the user-facing impact (failed requests, customers affected)._{}\n",
                thousands(errors.lines),
                sources.join(", "),
                thousands(errors.peak),
                errors.peak_at.map(|t| format!(" at {}", w.when(t))).unwrap_or_default(),
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
        let said: Vec<String> = untold.iter().chain(&self.errors_where).cloned().collect();
        let _ = writeln!(out, "**Root cause:** {}\n", root_cause(chain, &said, w));
    }

    /// Timeline: the chain, the early sign, the first failure, the fix and the recovery, in time order; the Mermaid chart of them.
    fn timeline(&self, out: &mut String) {
        let (report, incident, chain, w, view, zone) = (self.report, self.incident, self.chain, &self.w, self.view, self.w.zone);
        let (untold, surge_told, sign_evidence, impact) = (&self.untold, self.surge_told, &self.sign_evidence, &self.incident.impact);
        out.push_str("## Timeline\n\n");
        let mut moments: Vec<Moment> = Vec::new();
        for link in chain {
            let label = match link.role {
                Role::Origin | Role::Trigger => "Trigger",
                Role::Mechanism => "Mechanism",
                Role::Symptom => "Impact",
            };
            moments.push(Moment {
                at: link.episode.start,
                order: 1,
                label: label.into(),
                gist: Some(super::plain_text(&link.episode.phrase, zone)),
                text: w.entry(&link.episode, Some(link.role)),
            });
        }
        if let Some(sign) = &report.early_sign {
            moments.push(Moment {
                at: sign.episode.start,
                order: 0,
                label: "Early sign".into(),
                gist: Some(super::plain_text(&sign.episode.phrase, zone)),
                text: format!("{}{}.", w.opening(&prose::early_sign(sign)), w.cite(sign_evidence)),
            });
        }
        // The first failed request is worth its own line unless a symptom already starts
        // with it (the error spike cites the same request).
        let told_already = |detected: &crate::report::Detection| {
            chain
                .iter()
                .map(|l| &l.episode)
                .chain(&incident.symptoms)
                .any(|e| e.evidence.first() == detected.evidence.first())
        };
        if let Some(detected) = incident.detected.as_ref().filter(|d| !told_already(d)) {
            let (label, text) = if impact.requests > 0 {
                ("First failure", "Users began to see errors: the first failed request")
            } else {
                ("First error", "The first error line of the burst")
            };
            moments.push(Moment {
                at: detected.time,
                order: 2,
                label: label.into(),
                gist: None,
                text: format!("{text}{}.", w.cite(&detected.evidence)),
            });
        }
        if let Some(r) = &report.resolution {
            moments.push(Moment {
                at: r.episode.start,
                order: 3,
                label: "Fix".into(),
                gist: Some(super::plain_text(&r.episode.phrase, zone)),
                text: format!("{} This ended it.", w.entry(&r.episode, None)),
            });
            for action in &r.together {
                moments.push(Moment {
                    at: action.start,
                    order: 3,
                    label: "Fix".into(),
                    gist: Some(super::plain_text(&action.phrase, zone)),
                    text: w.entry(action, None),
                });
            }
        }
        for s in incident.symptoms.iter().skip(1) {
            moments.push(Moment {
                at: s.start,
                order: 1,
                label: "Impact".into(),
                gist: Some(super::plain_text(&s.phrase, zone)),
                text: w.entry(s, Some(Role::Symptom)),
            });
        }
        // The change that explains most, when the surge began or the failures did.
        if let (Some(contrast), Some(first)) = (&incident.contrast, untold.first()) {
            moments.push(Moment {
                at: if surge_told {
                    incident.start
                } else {
                    contrast.told_at(incident.start)
                },
                order: 1,
                label: "Traffic".into(),
                gist: None,
                text: first.clone(),
            });
        }
        if let Some(end) = incident.end {
            moments.push(Moment {
                at: end,
                order: 4,
                label: "Recovery".into(),
                gist: None,
                text: "Back to normal: the symptom is at its baseline again and stays there.".into(),
            });
        }
        moments.sort_by(|a, b| a.at.cmp(&b.at).then(a.order.cmp(&b.order)));
        for moment in &moments {
            let full = w.time(moment.at);
            let clock = &full[11..16];
            let when = match &w.day {
                Some(day) if full.starts_with(day.as_str()) => clock.to_string(),
                _ => format!("{} {clock}", &full[..10]),
            };
            let _ = writeln!(out, "- {when} — {}", moment.text);
        }
        out.push_str("- _TODO: when the alert fired, who was paged, and the steps of the investigation._\n\n");
        let cards: Vec<mermaid::Card> = moments
            .iter()
            .map(|m| mermaid::Card {
                at: m.at,
                text: match &m.gist {
                    Some(gist) => format!("{} — {gist}", m.label),
                    None => m.label.clone(),
                },
            })
            .collect();
        if view.mermaid {
            out.push_str(&mermaid::timeline_block(&cards, zone));
        }
    }

    /// Root Cause and Resolution: the chain told in full, the traffic's change, the fix, how sure, what else was weighed.
    fn root_cause_and_resolution(&self, out: &mut String) {
        let (report, incident, chain, w) = (self.report, self.incident, self.chain, &self.w);
        let (traffic, sign_evidence) = (&self.traffic, &self.sign_evidence);
        out.push_str("## Root Cause and Resolution\n\n");
        if let Some(sign) = &report.early_sign {
            let mut parts = vec![Part::Text("At ".into()), Part::Time(sign.episode.start), Part::Text(", ".into())];
            parts.extend(prose::early_sign(sign));
            let _ = writeln!(out, "**Early sign:** {}{}.\n", w.parts(&parts), w.cite(sign_evidence));
        }
        let mut ordered: Vec<&crate::report::Link> = chain.iter().collect();
        ordered.sort_by_key(|l| l.episode.start);
        if ordered.is_empty() {
            out.push_str("_TODO: no cause stands out in the logs; what was weighed is below._\n\n");
        } else {
            let told: Vec<String> = ordered.iter().map(|l| w.told(&l.episode, Some(l.role))).collect();
            let _ = writeln!(out, "{}\n", told.join(" "));
        }
        if !traffic.is_empty() {
            let _ = writeln!(out, "**What changed in the traffic:** {}\n", traffic.join(" "));
        }
        if let Some(errors_where) = &self.errors_where {
            let _ = writeln!(out, "**Where the errors were:** {errors_where}\n");
        }
        match &report.resolution {
            Some(r) => {
                let mut actions: Vec<&Episode> = r.together.iter().chain([&r.episode]).collect();
                actions.sort_by_key(|e| e.start);
                let told: Vec<String> = actions.iter().map(|e| w.told(e, None)).collect();
                let _ = writeln!(
                    out,
                    "**Resolution:** {} The symptom was back at its baseline at {}.\n",
                    told.join(" "),
                    match incident.end {
                        Some(end) => w.when(end),
                        None => "no time before the logs end".to_string(),
                    }
                );
            }
            None => {
                let stopped = chain
                    .iter()
                    .filter(|l| matches!(l.role, Role::Mechanism | Role::Trigger))
                    // What has lines (a surge of traffic has none of its own to end on).
                    .filter(|l| l.episode.end > l.episode.start && l.episode.last.is_some())
                    .max_by_key(|l| l.episode.end)
                    .map(|l| {
                        let last: Vec<Evidence> = l.episode.last.iter().cloned().collect();
                        format!(" Its last line came at {}{}.", w.when(l.episode.end), w.cite(&last))
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "**Resolution:** _TODO: no action in the logs stands out as the fix._{stopped} The symptom was back at its baseline at {}.\n",
                    match incident.end {
                        Some(end) => w.when(end),
                        None => "no time before the logs end".to_string(),
                    }
                );
            }
        }
        let _ = writeln!(out, "**How sure:** {}\n", w.parts(&prose::how_sure(report)));
        if !report.alternatives.is_empty() {
            out.push_str("Also weighed, and ranked lower:\n\n");
            for alt in &report.alternatives {
                let _ = writeln!(out, "- {}", w.told(&alt.episode, None));
            }
            out.push('\n');
        }
    }

    /// Corrective and Preventative Measures.
    fn measures(&self, out: &mut String) {
        let (report, w) = (self.report, &self.w);
        out.push_str("## Corrective and Preventative Measures\n\n");
        for measure in &report.measures {
            let _ = writeln!(out, "- {}", w.sentence(measure));
        }
        out.push_str("- _TODO: owners and dates for each task; customer communication._\n\n");
    }

    /// The other incidents these logs hold, each with how to draft it.
    fn other_incidents(&self, out: &mut String) {
        let (report, incident, w) = (self.report, self.incident, &self.w);
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
    }
}

/// Whether the chain's trigger is a surge one value made that the contrast found too (by
/// its field and value).
fn trigger_names_surge(chain: &[crate::report::Link], contrast: &crate::report::Contrast) -> bool {
    chain
        .iter()
        .filter(|l| l.role == Role::Trigger && l.episode.category == crate::rules::Category::TrafficSurge)
        .filter_map(|l| l.episode.subject.as_ref())
        .any(|who| contrast.surge.iter().any(|f| f.field == who.field && f.value == who.value))
}

/// The root cause in one sentence: what set it off, then how it failed; then what changed
/// in the traffic, and what the logs do not say.
fn root_cause(chain: &[crate::report::Link], traffic: &[String], w: &Writer) -> String {
    let find = |role| chain.iter().find(|l| l.role == role);
    let cite = |e: &Episode| w.cite(&e.first.iter().cloned().collect::<Vec<_>>());
    let told = |link: &crate::report::Link| {
        format!(
            "{}{}",
            w.parts(&prose::sentence(&link.episode, Some(link.role))),
            cite(&link.episode)
        )
    };
    let (origin, trigger, mechanism) = (find(Role::Origin), find(Role::Trigger), find(Role::Mechanism));
    let started = origin
        .map(|o| format!(" (after {}{})", w.parts(&o.episode.phrase), cite(&o.episode)))
        .unwrap_or_default();
    let capital = |text: String| super::capitalised(&text);
    let traffic: String = traffic.iter().map(|t| format!(" {t}")).collect();
    match (trigger, mechanism) {
        (Some(t), Some(m)) => capital(format!("{}{started}; {}.{traffic}", told(t), lower_first(&told(m)))),
        (None, Some(m)) => capital(format!("{}.{traffic} _TODO: what set it off is not in these logs._", told(m))),
        (Some(t), None) => capital(format!(
            "{}{started}.{traffic} _TODO: how that made requests fail is not in these logs._",
            told(t)
        )),
        (None, None) if !traffic.is_empty() => format!("{} _TODO: why is not in these logs._", traffic.trim_start()),
        (None, None) => "_TODO: no cause stands out in the logs; the candidates weighed are under Root Cause and Resolution._".into(),
    }
}

/// `From 10:00, …` as the second half of a sentence: `from 10:00, …`.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The sources, one row a source (the pieces of a stream together), then the whole name
/// of each file the draft cited by a short name.
fn sources(out: &mut String, w: &Writer, files: &[Source]) {
    out.push_str("## Sources\n\n| source | format | zone | lines | first | last |\n|---|---|---|---|---|---|\n");
    for row in super::sources::rows(files, super::SourceRows::Sources) {
        let when = |t: Option<Micros>| t.map_or("-".to_string(), |t| w.time(t));
        let zone = row.first_file.zone_label();
        // A file shown by a container's name: where it is, beside the name.
        let file = match (&row.first_file.path, row.files) {
            (Some(path), 1) => format!("{} ({})", escape(&row.name), escape(path)),
            _ => escape(&row.name),
        };
        let _ = writeln!(
            out,
            "| {file} | {} | {} | {} | {} | {} |",
            row.first_file.format,
            escape(&zone),
            thousands(row.lines),
            when(row.first),
            when(row.last)
        );
    }
    let given = w.names.given();
    if !given.is_empty() {
        out.push_str("\nCited by a short name:\n\n");
        for (short, file) in &given {
            let _ = writeln!(out, "- {}: {}", code(short), code(file));
        }
    }
}

/// The failures as other logs saw them, one line for each: what they said and how often,
/// each log once, so that a reader knows them for the symptom and not its cause.
fn echoes(out: &mut String, w: &Writer, echoes: &[Episode]) {
    let mut seen: Vec<(&str, &str, u64, Option<Evidence>, String)> = Vec::new();
    for e in echoes {
        match seen.iter_mut().find(|s| s.0 == e.group && s.1 == e.rule) {
            Some(s) => s.2 += e.count,
            None => seen.push((
                &e.group,
                &e.rule,
                e.count,
                e.first.clone(),
                e.quote.as_ref().map(|q| prose::said(&q.words)).unwrap_or_default(),
            )),
        }
    }
    if seen.is_empty() {
        return;
    }
    let logs: Vec<String> = seen
        .iter()
        .map(|(group, _, count, first, said)| {
            let said = if said.is_empty() {
                String::new()
            } else {
                format!(": {}", code(said))
            };
            format!(
                "{} ({} lines{said}){}",
                code(crate::source::file_name(group)),
                thousands(*count),
                w.cite(&first.iter().cloned().collect::<Vec<_>>())
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "**The same failures, seen from other logs** (a line for each failed request: the symptom, not its cause): {}.\n",
        logs.join("; ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_names_the_end_date_only_when_it_is_another_day() {
        let w = Writer {
            zone: Zone::UTC,
            names: crate::render::CitedNames::of(&[]),
            day: None,
        };
        let at = |h: i64, m: i64| (1_700_000_000 / 86_400 * 86_400 + h * 3_600 + m * 60) * 1_000_000;
        assert_eq!(w.span(at(10, 12), at(13, 12)), "2023-11-14 10:12 to 13:12");
        assert_eq!(w.span(at(18, 22), at(24 + 17, 13)), "2023-11-14 18:22 to 2023-11-15 17:13");
        assert_eq!(w.span(at(9, 5), at(9, 5) + 30_000_000), "2023-11-14 09:05");
    }

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
