//! The draft's sentences: its title (cause and effect), the causal chain told once in
//! time order, and how sure the chain is, in words. They are built from a report's
//! clauses (see [`crate::analyze::words`]) and facts (times, counts), never from rule
//! ids, categories or scores, which stay in the JSON.

use crate::render::{share_percent, Rounded};
use crate::report::{Contrast, Episode, ErrorFields, Evidence, Field, Finding, Incident, Link, Report};
use crate::report::{Part, Role};
use crate::rules::Category;
use crate::time::{human_duration, Micros};

/// A short name of what failed, for the title; `None` when the category has none.
fn mechanism_name(e: &Episode, trigger: Option<&Episode>) -> Option<Vec<Part>> {
    let text = |s: &str| Part::Text(s.to_string());
    // A lock or a corrupt table names its table; a lock from maintenance, the
    // maintenance's.
    let table = e
        .subject
        .as_ref()
        .or_else(|| trigger.and_then(|t| t.subject.as_ref()))
        .filter(|s| s.field == "table")
        .map(|s| s.value.clone());
    Some(match (e.category, table) {
        (Category::TableLock, Some(table)) => vec![text("Table "), Part::Quote(table), text(" locked")],
        (Category::TableLock, None) => vec![text("Tables locked")],
        (Category::DbCorruption, Some(table)) => vec![text("Table "), Part::Quote(table), text(" corrupted")],
        (Category::DbCorruption, None) => vec![text("A corrupted table")],
        (Category::Deadlock, _) => vec![text("Deadlocks in the database")],
        (Category::PoolExhaustion, _) => vec![text("Connection pool exhausted")],
        (Category::SlowQuery, _) => vec![text("Slow queries")],
        (Category::DbError, _) => vec![text("Database crash")],
        // What ran out, in the rule's words: `Out of memory: the kernel killed a process`.
        (Category::ResourceExhaustion, _) => vec![text(&e.title)],
        // A dependency in a state that breaks every call (a certificate expired, a name
        // that does not resolve), in the rule's words; else only that calls failed.
        (Category::UpstreamError, _) if e.quote.as_ref().is_some_and(|q| crate::analyze::roles::says_what_broke(&q.words)) => {
            vec![text(&e.title)]
        }
        (Category::UpstreamError, _) => vec![text("Backend failing")],
        (Category::Restart, _) => vec![text("Services restarting")],
        // What the application said of how it failed, in its rule's phrase: `The program
        // panicked: …`, `The application threw …`.
        (Category::AppError, _) if !e.phrase.is_empty() => capitalised(&e.phrase),
        (Category::AppError, _) => vec![text("Application exceptions")],
        // A message no rule names is named by what it said.
        (Category::LogErrors, _) => match e.quote.as_ref().map(|q| said(&q.words)) {
            Some(said) if !said.is_empty() => vec![Part::Quote(said)],
            _ => vec![text(&format!("Errors in {}", crate::source::file_name(&e.group)))],
        },
        _ => return None,
    })
}

/// A clause as the start of a title: its first letter upper case.
fn capitalised(parts: &[Part]) -> Vec<Part> {
    let mut parts = parts.to_vec();
    if let Some(Part::Text(first)) = parts.first_mut() {
        let mut chars = first.chars();
        if let Some(c) = chars.next() {
            *first = c.to_uppercase().chain(chars).collect();
        }
    }
    parts
}

/// Characters of a message a title quotes, at most: a title is read at a glance.
const TITLE_QUOTE_CHARS: usize = 64;

/// What a line said, for a title: its words ([`crate::report::Quote::words`]) within
/// [`TITLE_QUOTE_CHARS`]. An exception whose message wraps another error names its class
/// first and the cause last: a clause between them is another exception's class or says
/// that something failed (`java.util.concurrent.ExecutionException: java.io.IOException:
/// Unable to connect to ledger:7070: Read timed out`, as Java and Python chain theirs;
/// `connection failed: …` as libpq nests its errors). Where the whole is too long, its
/// class and as many of its last clauses as fit are kept, the middle left out
/// (`java.util.concurrent.ExecutionException: … Read timed out`). Anything else is cut at
/// a word: a line that merely has colons (a component's name, a position, a count) keeps
/// no cause at its end.
pub(crate) fn said(message: &str) -> String {
    if message.chars().count() <= TITLE_QUOTE_CHARS {
        return message.to_string();
    }
    head_and_cause(message).unwrap_or_else(|| cut_at_word(message))
}

/// A wrapping exception's class and its last clauses, within [`TITLE_QUOTE_CHARS`];
/// `None` where the first clause is no exception's class, where no clause between it and
/// the last wraps an error, or where the class and the last alone do not fit.
fn head_and_cause(message: &str) -> Option<String> {
    const SEPARATOR: &str = ": ";
    const LEFT_OUT: &str = ": … ";
    let clauses: Vec<&str> = message.split(SEPARATOR).map(str::trim).collect();
    let (head, rest) = clauses.split_first()?;
    let wraps = |clause: &&str| {
        crate::format::traceback::is_exception_class(clause)
            || clause
                .strip_suffix("failed")
                .is_some_and(|what| what.is_empty() || what.ends_with(' '))
    };
    if rest.len() < 2 || !crate::format::traceback::is_exception_class(head) || !rest[..rest.len() - 1].iter().any(wraps) {
        return None;
    }
    let room = TITLE_QUOTE_CHARS.checked_sub(head.chars().count() + LEFT_OUT.chars().count())?;
    // The last clauses, from the end, while they fit (one at least, and never all of
    // them: something is left out, or the whole would have fitted).
    let mut kept = 0;
    let mut used = 0;
    for clause in rest.iter().rev().take(rest.len() - 1) {
        let more = clause.chars().count() + if kept > 0 { SEPARATOR.len() } else { 0 };
        if used + more > room {
            break;
        }
        used += more;
        kept += 1;
    }
    (kept > 0).then(|| format!("{head}{LEFT_OUT}{}", rest[rest.len() - kept..].join(SEPARATOR)))
}

/// `text` cut at a word within [`TITLE_QUOTE_CHARS`].
fn cut_at_word(text: &str) -> String {
    if text.chars().count() <= TITLE_QUOTE_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(TITLE_QUOTE_CHARS).collect();
    let at_word = cut.rfind(' ').filter(|&at| at > TITLE_QUOTE_CHARS / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at_word].trim_end_matches([',', ';', ':']))
}

/// A command line as a person types it: its program by name, not by path
/// (`/usr/bin/systemctl restart x` → `systemctl restart x`).
fn typed(command: &str) -> String {
    let command = command.trim();
    let (program, rest) = command.split_once(char::is_whitespace).unwrap_or((command, ""));
    let name = program.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or(program);
    if rest.is_empty() {
        name.to_string()
    } else {
        format!("{name} {}", rest.trim_start())
    }
}

/// How the trigger brought it about, for the title: `by a maintenance job from cron`.
fn trigger_clause(trigger: &Episode, origin: Option<&Episode>) -> Vec<Part> {
    let text = |s: &str| Part::Text(s.to_string());
    let from_cron = origin.is_some_and(|o| o.category == Category::CronJob);
    match trigger.category {
        Category::Maintenance if from_cron => vec![text("by a maintenance job from cron")],
        Category::Maintenance => vec![text("by table maintenance")],
        Category::Migration if from_cron => vec![text("after a migration run by cron")],
        Category::Migration => vec![text("after a migration")],
        Category::Deploy => match trigger.subject.as_ref().filter(|s| s.field == "version") {
            Some(version) => vec![text("after the release of "), Part::Quote(version.value.clone())],
            None => vec![text("after a release")],
        },
        // What it changed, where the line says (`File[/etc/app.conf]`).
        Category::ConfigChange => match trigger.subject.as_ref().filter(|s| s.field == "object") {
            Some(object) => vec![text("after a change to "), Part::Quote(object.value.clone())],
            None => vec![text("after a configuration change")],
        },
        // The command itself, as a person would type it: `systemctl restart billing-api`.
        Category::AdminAction => match trigger.subject.as_ref().filter(|s| s.field == "command") {
            Some(command) => vec![
                text("after "),
                Part::Quote(cut_at_word(&typed(&command.value))),
                text(" was run with sudo"),
            ],
            None => vec![text("after a command run by hand with sudo")],
        },
        Category::CronJob => vec![text("after a cron job")],
        Category::TrafficSurge => vec![text("under a surge of traffic")],
        // A change no rule names, by what its line said.
        Category::Change => match trigger.quote.as_ref().map(|q| said(&q.words)) {
            Some(said) if !said.is_empty() => vec![text("after "), Part::Quote(said)],
            _ => vec![text(&format!("after a change in {}", crate::source::file_name(&trigger.group)))],
        },
        _ => vec![text("after "), Part::Text(trigger.title.to_lowercase())],
    }
}

/// Below this share of failed requests, a slowdown is what users met (an error page for
/// one request in twenty or more is the headline instead).
const FEW_FAILED: f64 = 0.05;

/// Whether what users met was a slowdown rather than errors.
pub fn is_slowdown(impact: &crate::report::Impact) -> bool {
    impact.slow_requests > 0 && impact.failed_ratio < FEW_FAILED
}

/// What users met, for the title: `82 % of requests failed for 1 h 13 min`; without an
/// access log, what the error lines say (`sandboxd.service` failed 9 times in 37 min).
fn impact_clause(incident: &Incident) -> Vec<Part> {
    let duration = human_duration(incident.duration);
    if let (0, Some(crash_loop)) = (incident.impact.requests, &incident.errors.crash_loop) {
        return vec![
            Part::Quote(crash_loop.unit.clone()),
            Part::Text(format!(
                " failed {} times in {duration}",
                crate::render::thousands(crash_loop.failures)
            )),
        ];
    }
    vec![Part::Text(said_impact(incident))]
}

/// What users met, in words of ours only.
fn said_impact(incident: &Incident) -> String {
    let duration = human_duration(incident.duration);
    let impact = &incident.impact;
    if is_slowdown(impact) {
        // A slowdown: what users met is the wait, not an error page.
        match impact.slow_peak_ms {
            Some(peak) => format!(
                "requests slowed to a mean of {} ms for {duration}",
                crate::render::thousands(crate::num::rounded(peak))
            ),
            None => format!("requests slowed for {duration}"),
        }
    } else if impact.requests > 0 {
        format!("{:.0} % of requests failed for {duration}", impact.failed_ratio * 100.0)
    } else {
        format!("{} error lines in {duration}", crate::render::thousands(incident.errors.lines))
    }
}

fn link(chain: &[Link], role: Role) -> Option<&Episode> {
    chain.iter().find(|l| l.role == role).map(|l| &l.episode)
}

/// The draft's title: what failed, what set it off, what users met. `None` without an
/// incident.
pub fn title(report: &Report) -> Option<Vec<Part>> {
    let incident = report.incident.as_ref()?;
    let chain = report.root_cause.as_ref().map_or(&[][..], |r| &r.chain[..]);
    let trigger = link(chain, Role::Trigger);
    let origin = link(chain, Role::Origin);
    let contrast = incident.contrast.as_ref();
    let mechanism = link(chain, Role::Mechanism);
    // Where the application errors were, as a field's value (see `error_fields`).
    let errors_at = incident.error_fields.as_ref().and_then(|f| f.findings.first());
    let mut parts = mechanism
        .and_then(|m| {
            let mut named = mechanism_name(m, trigger)?;
            // The mechanism's own lines are the errors that carried the value: it is
            // where it failed (`Backend failing for `provider` `northpay``).
            let in_its_file = |f: &&crate::report::ClassFinding| f.evidence.first().map(|e| &e.file) == m.first.as_ref().map(|l| &l.file);
            if let Some(found) = errors_at.filter(in_its_file) {
                named.extend([
                    Part::Text(" for ".into()),
                    Part::Quote(found.field.clone()),
                    Part::Text(" ".into()),
                    Part::Quote(found.value.clone()),
                ]);
            }
            Some(named)
        })
        .or_else(|| contrast.and_then(|c| c.failures.first()).and_then(failing_at))
        .or_else(|| {
            // Where the application errors were: the value of a field that carried them.
            let found = errors_at?;
            Some(vec![
                Part::Text("Errors with ".into()),
                Part::Quote(found.field.clone()),
                Part::Text(" ".into()),
                Part::Quote(found.value.clone()),
            ])
        })
        .unwrap_or_else(|| {
            vec![Part::Text(
                match incident.symptoms.first().map(|s| s.category) {
                    Some(Category::LatencySpike) => "Slow requests",
                    Some(Category::ErrorBurst) => "A burst of errors",
                    _ => "Failed requests",
                }
                .into(),
            )]
        });
    let surge = contrast.and_then(|c| c.surge.first());
    if let Some(trigger) = trigger {
        parts.push(Part::Text(" ".into()));
        parts.extend(trigger_clause(trigger, origin));
        if let (Category::TrafficSurge, Some(surge)) = (trigger.category, surge) {
            parts.extend(surge_source(surge));
        }
    } else if let Some(surge) = surge {
        parts.push(Part::Text(" under a surge of traffic".into()));
        parts.extend(surge_source(surge));
    }
    parts.push(Part::Text(": ".into()));
    parts.extend(impact_clause(incident));
    Some(parts)
}

/// Where failures were concentrated, as a title names what failed: `Failed requests at
/// upstream `10.0.3.7:8080``, or in one access log of several (a replica's), or that the
/// proxy answered itself; `None` for who sent them (a client is no mechanism).
fn failing_at(finding: &Finding) -> Option<Vec<Part>> {
    if finding.kind == Field::UpstreamStatus && finding.value == crate::scan::top_values::NO_ANSWER {
        return Some(vec![Part::Text("Failed requests the proxy answered itself".into())]);
    }
    let at = match finding.kind {
        Field::Upstream => "Failed requests at upstream ",
        Field::Source => "Failed requests in ",
        Field::Host => "Failed requests for host ",
        _ => return None,
    };
    Some(vec![Part::Text(at.into()), Part::Quote(finding.value.clone())])
}

/// Who made a surge, for the title: ` from user agent `ExampleBot/2.1``.
fn surge_source(finding: &Finding) -> Vec<Part> {
    let from = match finding.kind {
        Field::Host => " for host ",
        Field::Referrer => " referred by ",
        Field::Network => " from clients in ",
        field => return vec![Part::Text(format!(" from {} ", field.name())), Part::Quote(finding.value.clone())],
    };
    vec![Part::Text(from.into()), Part::Quote(finding.value.clone())]
}

/// A finding's share as it may be claimed: `at least 58 %` where the counts are bounds,
/// `about 58 %` where they are estimates from a sample.
fn share_of(f: &Finding) -> String {
    share_words(f.share, f.estimated)
}

/// A share as it may be claimed: a lower bound, or an estimate.
fn share_words(share: f64, estimated: bool) -> String {
    if estimated {
        format!("about {}", share_percent(share, Rounded::Nearest))
    } else {
        format!("at least {}", share_percent(share, Rounded::Down))
    }
}

/// A finding's share to compare with, as it may be claimed: `at most 0.3 %`, `about
/// 0.3 %`, `none`.
fn compared_of(f: &Finding) -> String {
    compared_words(f.compared, f.compared_estimated)
}

/// A share to compare with as it may be claimed: an upper bound, or an estimate.
fn compared_words(compared: f64, estimated: bool) -> String {
    match (compared <= 0.0, estimated) {
        (true, false) => "none".into(),
        (true, true) => "almost none".into(),
        (false, false) => format!("at most {}", share_percent(compared, Rounded::Up)),
        (false, true) => format!("about {}", share_percent(compared, Rounded::Nearest)),
    }
}

/// A finding's count: `7,841`, or `about 7,840` for an estimate.
fn count_of(f: &Finding) -> String {
    count_words(f.count, f.estimated)
}

/// A count as it may be claimed: `7,841`, or `about 7,840` for an estimate.
fn count_words(count: u64, estimated: bool) -> String {
    let count = crate::render::thousands(count);
    if estimated {
        format!("about {count}")
    } else {
        count
    }
}

/// The baseline as a sentence names it: `the hour before`, `the 25 min before` where
/// the logs begin later.
fn baseline_words(contrast: &Contrast) -> String {
    match contrast.baseline_end - contrast.baseline_start {
        HOUR => "the hour before".into(),
        length => format!("the {} before", human_duration(length)),
    }
}

const HOUR: Micros = 3_600_000_000;

/// What changed in the traffic (see [`crate::timeline::contrast`]), a sentence a change:
/// who made a surge, where the failed requests went. The first finding of each is told
/// whole, a second (the crawler's network beside its user agent) as a clause; each cites
/// the first line of its value.
pub fn traffic_change(contrast: &Contrast) -> Vec<(Vec<Part>, Vec<Evidence>)> {
    let text = |s: String| Part::Text(s);
    let evidence = |findings: &[Finding]| {
        let mut all: Vec<Evidence> = findings.iter().flat_map(|f| f.evidence.clone()).collect();
        all.dedup();
        all
    };
    let mut said = Vec::new();
    if let Some((first, rest)) = contrast.surge.split_first() {
        let mut parts = match first.kind {
            Field::Network => vec![text("Clients in ".into()), Part::Quote(first.value.clone()), text(" made ".into())],
            Field::Host => vec![
                text("Requests for host ".into()),
                Part::Quote(first.value.clone()),
                text(" were ".into()),
            ],
            Field::Referrer => vec![
                text("Requests referred by ".into()),
                Part::Quote(first.value.clone()),
                text(" were ".into()),
            ],
            field => vec![
                text(format!("One {}, ", field.name())),
                Part::Quote(first.value.clone()),
                text(", made ".into()),
            ],
        };
        parts.push(text(format!(
            "{} of the requests during the incident ({}), against {} in {}",
            share_of(first),
            count_of(first),
            compared_of(first),
            baseline_words(contrast)
        )));
        for f in rest {
            parts.push(text(format!("; {} {} ", share_of(f), surged_from(f.kind))));
            parts.push(Part::Quote(f.value.clone()));
            parts.push(text(format!(" ({} before)", compared_of(f))));
        }
        said.push((parts, evidence(&contrast.surge)));
    }
    if let Some((first, rest)) = contrast.failures.split_first() {
        // "All" only where every failed request was read and carried the value.
        let share = if !first.estimated && first.count >= contrast.failed_during {
            "All".to_string()
        } else {
            crate::render::capitalised(&share_of(first))
        };
        let mut parts = vec![
            text(format!(
                "{share} of the failed requests ({}) {} ",
                count_of(first),
                failed_at(first.kind)
            )),
            Part::Quote(first.value.clone()),
        ];
        if first.kind == Field::Method {
            parts.push(text(" requests".into()));
        }
        if first.kind == Field::UpstreamStatus && first.value == crate::scan::top_values::NO_ANSWER {
            parts.push(text(" (the proxy answered them itself: no server behind it did)".into()));
        }
        let served = match first.kind {
            Field::Upstream => "served",
            Field::UpstreamStatus => "was the status of",
            Field::RequestSize => "were",
            Field::Source => "logged",
            Field::Host => "had",
            Field::Method => "were",
            _ => "made",
        };
        parts.push(text(format!(", which {served} {} of all requests", compared_of(first))));
        for f in rest {
            parts.push(text(format!("; {} {} ", share_of(f), failed_at(f.kind))));
            parts.push(Part::Quote(f.value.clone()));
            parts.push(text(format!(" ({} of all requests)", compared_of(f))));
        }
        said.push((parts, evidence(&contrast.failures)));
    }
    said
}

/// Where the application errors were (see [`crate::timeline::app_contrast`]): the value
/// that carried most of them, told whole, and a second as a clause; each cites the first
/// error that carried it. The share is of the errors of the logs that give the field.
pub fn error_fields(fields: &ErrorFields) -> Option<(Vec<Part>, Vec<Evidence>)> {
    let (first, rest) = fields.findings.split_first()?;
    let share = if !first.estimated && first.count >= first.errors {
        "All".to_string()
    } else {
        crate::render::capitalised(&share_words(first.share, first.estimated))
    };
    let mut parts = vec![
        Part::Text(format!("{share} of the errors written during the incident by the logs with a ")),
        Part::Quote(first.field.clone()),
        Part::Text(format!(" field ({}) had it set to ", count_words(first.count, first.estimated))),
        Part::Quote(first.value.clone()),
        Part::Text(format!(
            "; {} of their other lines did",
            compared_words(first.compared, first.compared_estimated)
        )),
    ];
    for f in rest {
        parts.push(Part::Text(format!("; {} had ", share_words(f.share, f.estimated))));
        parts.push(Part::Quote(f.field.clone()));
        parts.push(Part::Text(" ".into()));
        parts.push(Part::Quote(f.value.clone()));
        parts.push(Part::Text(format!(
            " ({} of the other lines)",
            compared_words(f.compared, f.compared_estimated)
        )));
    }
    let mut evidence: Vec<Evidence> = fields.findings.iter().flat_map(|f| f.evidence.clone()).collect();
    evidence.dedup();
    Some((parts, evidence))
}

/// Where a surge's requests came from, by the field that tells it.
fn surged_from(field: Field) -> &'static str {
    match field {
        Field::Host => "were for host",
        Field::Referrer => "were referred by",
        Field::Network => "came from clients in",
        Field::Client => "came from client",
        _ => "came from user agent",
    }
}

/// Where failed requests went, or who sent them, by the field that tells it.
fn failed_at(field: Field) -> &'static str {
    match field {
        Field::Upstream => "went to upstream",
        Field::UpstreamStatus => "had upstream status",
        Field::Source => "were logged in",
        Field::Host => "were for host",
        Field::Method => "were",
        Field::RequestSize => "were requests of",
        Field::Network => "came from clients in",
        Field::Client => "came from client",
        _ => "came from user agent",
    }
}

/// Whether an episode is a moment rather than a stretch of time.
fn is_moment(e: &Episode) -> bool {
    e.end <= e.start || (e.count <= 1 && e.rate.is_none())
}

/// An episode as a timeline entry, its time shown beside it: `{clause}`, a stretch with
/// `, until U (N lines)`.
pub fn entry(e: &Episode, role: Option<Role>) -> Vec<Part> {
    let mut parts = e.phrase.clone();
    if !is_moment(e) && e.rate.is_none() && role != Some(Role::Symptom) {
        parts.push(Part::Text(", until ".into()));
        parts.push(Part::Time(e.end));
        parts.push(Part::Text(format!(" ({} lines)", crate::render::thousands(e.count))));
    }
    parts
}

/// An episode as a sentence of the chain, without its full stop: `At T, {clause}` for a
/// moment, `From T to U, {clause} (N lines)` for a stretch; a symptom `From T, {clause}`.
pub fn sentence(e: &Episode, role: Option<Role>) -> Vec<Part> {
    let mut parts = Vec::new();
    let point = is_moment(e);
    if point {
        parts.push(Part::Text("At ".into()));
        parts.push(Part::Time(e.start));
        parts.push(Part::Text(", ".into()));
    } else if role == Some(Role::Symptom) || e.rate.is_some() {
        parts.push(Part::Text("From ".into()));
        parts.push(Part::Time(e.start));
        parts.push(Part::Text(", ".into()));
    } else {
        parts.push(Part::Text("From ".into()));
        parts.push(Part::Time(e.start));
        parts.push(Part::Text(" to ".into()));
        parts.push(Part::Time(e.end));
        parts.push(Part::Text(", ".into()));
    }
    parts.extend(e.phrase.iter().cloned());
    if !point && e.rate.is_none() {
        parts.push(Part::Text(format!(" ({} lines)", crate::render::thousands(e.count))));
    }
    parts
}

/// The warnings that led up to the incident, as a clause: `{what was said}, N times in the
/// D before the outage began, {how it escalated}`.
pub fn early_sign(sign: &crate::report::EarlySign) -> Vec<Part> {
    let mut parts = sign.episode.phrase.clone();
    parts.push(Part::Text(format!(
        ", {} times in the ",
        crate::render::thousands(sign.lines_before)
    )));
    parts.push(Part::Duration(sign.anomaly - sign.episode.start));
    parts.push(Part::Text(" before the outage began, ".into()));
    parts.extend(sign.escalation_said.iter().cloned());
    parts
}

/// The confidence of a chain in words: how strong, what supports it, what is missing.
pub fn how_sure(report: &Report) -> Vec<Part> {
    let text = |s: String| Part::Text(s);
    let Some(incident) = &report.incident else { return Vec::new() };
    let Some(root) = &report.root_cause else {
        return vec![text("weak: nothing in these logs explains the failures.".into())];
    };
    let chain = &root.chain;
    let trigger = link(chain, Role::Trigger);
    let mechanism = link(chain, Role::Mechanism);
    let label = match root.confidence {
        c if c >= 0.75 => "strong",
        c if c >= 0.45 => "fair",
        _ => "weak",
    };
    let mut reasons: Vec<String> = Vec::new();
    if let (Some(t), Some(m)) = (trigger, mechanism) {
        let gap: Micros = m.start - t.start;
        if gap >= 0 {
            reasons.push(format!(
                "what set it off came {} before the first sign of how it failed",
                human_duration(gap)
            ));
        }
    }
    if let Some(m) = mechanism {
        let end = incident.start + incident.duration;
        let before = incident.start - m.start;
        if before >= 0 {
            reasons.push(format!("how it failed showed {} before users saw errors", human_duration(before)));
        }
        if m.end >= end - 10 * 60_000_000 {
            reasons.push("it lasted as long as the failures".into());
        } else {
            reasons.push(format!("it stopped {} before the failures did", human_duration(end - m.end)));
        }
    }
    // Logs are sources, not files: the pieces of one stream (a rotated set, a load
    // balancer's 5-minute files) are one log.
    let logs: std::collections::BTreeSet<&str> = chain.iter().map(|l| l.episode.group.as_str()).collect();
    if logs.len() > 1 {
        reasons.push(format!("the chain rests on {} logs", logs.len()));
    }
    let mut missing: Vec<&str> = Vec::new();
    if trigger.is_none() {
        missing.push("nothing in the logs says what set it off");
    }
    if mechanism.is_none() {
        missing.push("nothing in the logs says how it made requests fail");
    }
    let mut out = label.to_string();
    if !reasons.is_empty() {
        out.push_str(&format!(": {}", reasons.join("; ")));
    }
    out.push('.');
    if !missing.is_empty() {
        out.push_str(&format!(" Missing: {}.", missing.join("; ")));
    }
    vec![text(out)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_keeps_what_failed_and_why_of_a_long_error_and_cuts_the_rest_at_a_word() {
        // Java's chain: the class, then the cause at the end.
        assert_eq!(
            said("java.util.concurrent.ExecutionException: java.io.IOException: Unable to connect to ledger:7070: Read timed out"),
            "java.util.concurrent.ExecutionException: … Read timed out"
        );
        // libpq's nesting, as many of the last clauses as fit.
        assert_eq!(
            said("app.errors.CheckoutError: saving cart 81724 for the web shop failed: redis SET: connection refused"),
            "app.errors.CheckoutError: … redis SET: connection refused"
        );
        // Decoys: clauses after an exception's class that wrap nothing (a position, a
        // server's severity) are cut at a word.
        assert_eq!(
            said("json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"),
            "json.decoder.JSONDecodeError: Expecting value: line 1 column 1…"
        );
        assert_eq!(
            said("psycopg2.OperationalError: FATAL:  sorry, too many clients already"),
            "psycopg2.OperationalError: FATAL:  sorry, too many clients…"
        );
        // Decoys: colons after no exception's class (a component's name, a count) are cut
        // at a word.
        assert_eq!(
            said("checkout: save cart 81724: redis SET cart:81724: dial tcp 10.0.4.2:6379: connect: connection refused"),
            "checkout: save cart 81724: redis SET cart:81724: dial tcp…"
        );
        assert_eq!(
            said("kubelet: Back-off restarting failed container shop in pod shop-7d9c: 500 (51 times since 2025-06-12T14:02:22Z)"),
            "kubelet: Back-off restarting failed container shop in pod…"
        );
        // A message that fits is whole; one of two clauses, or none, is cut at a word.
        assert_eq!(said("KeyError: 'eur'"), "KeyError: 'eur'");
        assert_eq!(
            said("java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms."),
            "java.sql.SQLTransientConnectionException: HikariPool-1 -…"
        );
        assert_eq!(
            said("the nightly export of the catalogue to the partner feed took longer than its window allows"),
            "the nightly export of the catalogue to the partner feed took…"
        );
        // A head too long to leave room for a cause: cut at a word.
        let long_head = format!("{}: a: b: c", "x".repeat(70));
        assert!(said(&long_head).ends_with('…'));
    }
    use crate::format::SourceKind;
    use crate::report::Subject;
    use crate::report::{ErrorLines, Impact, RootCause};
    use crate::rules::Severity;
    use crate::time::Zone;

    const MINUTE: Micros = 60_000_000;

    #[test]
    fn a_command_is_shown_as_typed() {
        assert_eq!(typed("/usr/bin/systemctl restart billing-api"), "systemctl restart billing-api");
        assert_eq!(
            typed("/usr/local/sbin/pgbouncer -R /etc/pgbouncer.ini"),
            "pgbouncer -R /etc/pgbouncer.ini"
        );
        assert_eq!(typed("reboot"), "reboot");
        assert_eq!(typed("/sbin/service  mongod restart "), "service mongod restart");
        assert_eq!(typed("./deploy.sh --now"), "deploy.sh --now");
        assert_eq!(typed("/"), "/");
    }

    fn episode(category: Category, start: i64, end: i64, subject: Option<(&str, &str)>) -> Episode {
        Episode {
            start: start * MINUTE,
            end: end * MINUTE,
            rule: "r".into(),
            title: "A title".into(),
            category,
            severity: Severity::Error,
            source: SourceKind::Db,
            group: "/logs/db.log".into(),
            count: 10,
            subject: subject.map(|(f, v)| Subject {
                field: f.into(),
                value: v.into(),
            }),
            rate: None,
            background: false,
            first: None,
            last: None,
            summary: String::new(),
            phrase: vec![Part::Text("something happened".into())],
            quote: None,
            evidence: Vec::new(),
        }
    }

    fn report(chain: Vec<(Role, Episode)>, requests: u64, failed: u64) -> Report {
        let incident = Incident {
            number: 1,
            start: 0,
            end: Some(73 * MINUTE),
            ongoing: false,
            duration: 73 * MINUTE,
            detected: None,
            impact: Impact {
                requests,
                failed_requests: failed,
                failed_ratio: failed as f64 / requests.max(1) as f64,
                peak_error_ratio: 1.0,
                peak_at: None,
                clients: 0,
                affected_clients: 0,
                affected_clients_ratio: 0.0,
                clients_estimated: false,
                hardest_hit: Vec::new(),
                unaffected: Vec::new(),
                proxy_reasons: Vec::new(),
                slow_requests: 0,
                slow_peak_ms: None,
                slow_baseline_ms: None,
            },
            errors: ErrorLines {
                lines: 2400,
                peak: 90,
                peak_at: None,
                sources: Vec::new(),
                crash_loop: None,
            },
            symptoms: vec![episode(Category::ErrorSpike, 0, 73, None)],
            echoes: Vec::new(),
            contrast: None,
            error_fields: None,
        };
        Report {
            schema_version: 1,
            tool_version: "test",
            display_zone: Zone::UTC,
            incident: Some(incident),
            root_cause: (!chain.is_empty()).then(|| RootCause {
                summary: String::new(),
                confidence: 0.8,
                chain: chain
                    .into_iter()
                    .map(|(role, episode)| Link { role, score: 0.9, episode })
                    .collect(),
            }),
            early_sign: None,
            alternatives: Vec::new(),
            resolution: None,
            timeline: Vec::new(),
            measures: Vec::new(),
            incidents: Vec::new(),
            blips: Vec::new(),
            notable: Vec::new(),
            sources: Vec::new(),
            traffic: Default::default(),
            problems: Vec::new(),
        }
    }

    fn plain(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Quote(q) => format!("`{q}`"),
                Part::Time(t) => format!("T{}", t / MINUTE),
                Part::Duration(d) => human_duration(*d),
            })
            .collect()
    }

    #[test]
    fn the_title_names_cause_and_effect() {
        let chain = vec![
            (
                Role::Origin,
                episode(Category::CronJob, -2, -2, Some(("command", "/usr/local/bin/optimize"))),
            ),
            (Role::Trigger, episode(Category::Maintenance, -2, -2, Some(("table", "orders")))),
            (Role::Mechanism, episode(Category::TableLock, -1, 72, None)),
        ];
        let named = title(&report(chain, 1752, 1444)).unwrap();
        assert_eq!(
            plain(&named),
            "Table `orders` locked by a maintenance job from cron: 82 % of requests failed for 1 h 13 min"
        );
        let deploy = vec![
            (Role::Trigger, episode(Category::Deploy, -600, -600, Some(("version", "4.18.0")))),
            (Role::Mechanism, episode(Category::PoolExhaustion, 0, 60, None)),
        ];
        assert_eq!(
            plain(&title_of(deploy)),
            "Connection pool exhausted after the release of `4.18.0`: 50 % of requests failed for 1 h 13 min"
        );
        // Nothing explains it: the symptom, and what users met.
        assert_eq!(
            plain(&title_of(Vec::new())),
            "Failed requests: 50 % of requests failed for 1 h 13 min"
        );
        // No access log: error lines.
        let mut no_access = report(Vec::new(), 0, 0);
        no_access.incident.as_mut().unwrap().symptoms[0].category = Category::ErrorBurst;
        assert_eq!(
            plain(&title(&no_access).unwrap()),
            "A burst of errors: 2,400 error lines in 1 h 13 min"
        );
    }

    fn title_of(chain: Vec<(Role, Episode)>) -> Vec<Part> {
        title(&report(chain, 100, 50)).unwrap()
    }

    #[test]
    fn moments_and_stretches_read_differently() {
        let mut moment = episode(Category::Maintenance, -2, -2, None);
        moment.count = 1;
        assert_eq!(plain(&sentence(&moment, Some(Role::Trigger))), "At T-2, something happened");
        assert_eq!(plain(&entry(&moment, Some(Role::Trigger))), "something happened");
        let stretch = episode(Category::TableLock, -1, 60, None);
        assert_eq!(
            plain(&sentence(&stretch, Some(Role::Mechanism))),
            "From T-1 to T60, something happened (10 lines)"
        );
        assert_eq!(
            plain(&entry(&stretch, Some(Role::Mechanism))),
            "something happened, until T60 (10 lines)"
        );
    }

    #[test]
    fn how_sure_says_what_supports_the_chain_and_what_is_missing() {
        let chain = vec![
            (Role::Trigger, episode(Category::Maintenance, -2, -2, None)),
            (Role::Mechanism, episode(Category::TableLock, -1, 72, None)),
        ];
        let words = plain(&how_sure(&report(chain, 100, 50)));
        assert!(words.starts_with("strong: what set it off came 1 min before"), "{words}");
        assert!(words.contains("lasted as long as the failures"), "{words}");
        let alone = plain(&how_sure(&report(
            vec![(Role::Mechanism, episode(Category::TableLock, -1, 20, None))],
            100,
            50,
        )));
        assert!(alone.contains("stopped 53 min before the failures did"), "{alone}");
        assert!(alone.contains("Missing: nothing in the logs says what set it off"), "{alone}");
        assert!(plain(&how_sure(&report(Vec::new(), 100, 50))).starts_with("weak"));
    }
}
