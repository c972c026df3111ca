//! From the timeline and the analysis (episodes by index, files by index, rules by
//! index) to the self-contained reports: every index resolved into what it names.

use super::*;
use crate::analyze::{self, Analysis, Sentence};
use crate::rules::{Category, RuleSet, Severity};
use crate::scan::hits::Signal;
use crate::scan::FileReport;
use crate::time::{human_duration, rfc3339_utc};
use crate::timeline::{self, Timeline};

/// The zone times are shown in: the one asked for, else the offset most files carry,
/// else UTC.
pub fn display_zone(asked: Option<Zone>, files: &[FileReport]) -> Zone {
    if let Some(zone) = asked {
        return zone;
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for file in files.iter().filter(|f| !f.zone.assumed() && f.timestamped > 0) {
        match counts.iter_mut().find(|(z, _)| *z == file.zone.zone) {
            Some((_, n)) => *n += 1,
            None => counts.push((&file.zone.zone, 1)),
        }
    }
    // Most files first; ties to the zone seen first, so the choice is stable.
    let best = counts
        .iter()
        .enumerate()
        .max_by(|(ia, (_, a)), (ib, (_, b))| a.cmp(b).then(ib.cmp(ia)));
    best.and_then(|(_, (zone, _))| zone.parse().ok()).unwrap_or(Zone::UTC)
}

/// Resolves indices into files, rules and templates.
struct Resolver<'a> {
    timeline: &'a Timeline,
    files: &'a [FileReport],
    rules: &'a RuleSet,
}

impl Resolver<'_> {
    fn evidence(&self, e: timeline::Evidence) -> Evidence {
        Evidence {
            file: self.files[e.file as usize].display.clone(),
            line: e.line,
        }
    }

    fn contrast(&self, c: &crate::timeline::contrast::Contrast) -> Contrast {
        let finding = |f: &crate::timeline::contrast::Finding| Finding {
            field: f.field.name(),
            kind: f.field,
            value: f.value.clone(),
            share: f.share,
            compared: f.compared,
            count: f.count,
            estimated: f.estimated,
            compared_estimated: f.compared_estimated,
            evidence: vec![self.evidence(f.evidence)],
        };
        Contrast {
            baseline_start: c.baseline.0,
            baseline_end: c.baseline.1,
            requests_before: c.requests_before,
            requests_during: c.requests_during,
            failed_during: c.failed_during,
            rate_ratio: c.rate_ratio,
            sampled_during: c.sampled_during,
            sampled_before: c.sampled_before,
            failed_sampled: c.failed_sampled,
            fields: c.fields.clone(),
            surge: c.surge.iter().map(finding).collect(),
            failures: c.failures.iter().map(finding).collect(),
        }
    }

    fn error_fields(&self, c: &crate::timeline::app_contrast::AppContrast) -> ErrorFields {
        ErrorFields {
            baseline_start: c.baseline.0,
            baseline_end: c.baseline.1,
            fields: c.fields.clone(),
            findings: c.findings.iter().map(|f| f.citing(vec![self.evidence(f.evidence)])).collect(),
        }
    }

    fn episode(&self, e: &timeline::Episode) -> Episode {
        let name = self.timeline.name_of(e, self.rules);
        let summary = match &e.subject {
            Some(subject) => format!("{} ({})", name.title, subject.value),
            None => name.title.clone(),
        };
        let rule = match e.signal {
            Signal::Rule(rule) => Some(self.rules.get(rule)),
            _ => None,
        };
        let mut phrase = analyze::words::clause(e, rule, &name.title);
        // A message said with many values at one place: which, beside the one quoted.
        if let (Signal::Template(key), Category::LogErrors | Category::Change) = (e.signal, e.category) {
            let template = self.timeline.templates.get(&e.group).and_then(|t| t.by_key.get(&key));
            if let (Some(template), Some(first)) = (template, &e.first_line) {
                if let Some(joined) = &template.joined {
                    // The word in place is named only where the quote shows it: the quote has
                    // no request context, so where the context was cut the words do not line
                    // up and only the values are said.
                    let shown = analyze::words::without_request_context(&first.message);
                    phrase.extend(analyze::words::varied(joined, &template.text, shown));
                }
            }
        }
        Episode {
            phrase,
            quote: e.first_line.as_ref().map(|f| Quote {
                line: f.line.to_string(),
                message: f.message.to_string(),
                fields: f.fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                entry: f.entry.as_deref().map(str::to_string),
                words: analyze::words::words_of(&f.message).to_string(),
            }),
            start: e.start,
            end: e.end,
            rule: name.id,
            title: name.title,
            category: e.category,
            severity: name.severity,
            source: e.kind,
            group: e.group.clone(),
            count: e.count,
            subject: e.subject.clone(),
            rate: e.rate.map(|r| Rate {
                peak: r.peak,
                peak_at: r.peak_at,
                baseline: r.baseline,
                unit: r.unit,
                ongoing: r.ongoing,
            }),
            background: e.background,
            first: e.first.map(|f| self.evidence(f)),
            last: e.last.map(|l| self.evidence(l)),
            summary,
            evidence: e.evidence().into_iter().map(|ev| self.evidence(ev)).collect(),
        }
    }

    fn link(&self, link: &analyze::Link, episodes: &[timeline::Episode]) -> Link {
        Link {
            role: link.role,
            score: link.score,
            episode: self.episode(&episodes[link.episode]),
        }
    }

    fn statement(&self, sentence: &Sentence) -> Statement {
        let text = sentence
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(t) | Part::Quote(t) => t.clone(),
                Part::Time(t) => rfc3339_utc(*t),
                Part::Duration(d) => human_duration(*d),
            })
            .collect();
        Statement {
            text,
            parts: sentence.parts.clone(),
            evidence: sentence.evidence.iter().map(|e| self.evidence(*e)).collect(),
        }
    }
}

fn sources(files: &[FileReport]) -> Vec<Source> {
    files
        .iter()
        .map(|f| Source {
            file: f.display.clone(),
            path: f.path.clone(),
            group: f.group.clone(),
            part: f.part.clone(),
            format: f.format.name(),
            source: f.kind,
            read: f.mode.name(),
            zone: f.zone.zone.clone(),
            zone_assumed: f.zone.assumed(),
            zone_from: f.zone.origin.name(),
            clock_offset_s: f.clock.as_ref().map(|c| c.offset / crate::time::MICROS_PER_SEC),
            clock_reference: f.clock.as_ref().map(|c| c.reference.clone()),
            clock_moved: f.clock.as_ref().is_some_and(|c| c.moved),
            zone_followed: match &f.zone.origin {
                crate::scan::ZoneOrigin::OtherLogs(file) => Some(file.clone()),
                _ => None,
            },
            year_assumed: f.year,
            bytes: f.bytes,
            lines: f.lines,
            timestamped: f.timestamped,
            first: f.first,
            last: f.last,
            events: f.events,
            cut_lines: f.cut_lines,
            untimed_events: f.untimed_events,
            fields: f.fields.clone(),
            classes: f.classes.clone(),
        })
        .collect()
}

fn traffic(timeline: &Timeline) -> Traffic {
    Traffic {
        bucket: timeline.traffic.width,
        buckets: timeline
            .traffic
            .buckets
            .iter()
            .map(|(time, b)| TrafficBucket {
                time: *time,
                requests: b.requests,
                failed: b.failed(),
                mean_ms: (b.duration_count > 0).then(|| b.duration_sum_ms / b.duration_count as f64),
            })
            .collect(),
    }
}

/// The draft of incident `chosen` (an index into the analysis's incidents), or of none.
pub fn draft_report(timeline: &Timeline, analysis: &Analysis, chosen: Option<usize>, rules: &RuleSet, zone: Zone) -> Report {
    let r = Resolver {
        timeline,
        files: &timeline.files,
        rules,
    };
    let episodes = &timeline.episodes;
    let incidents = analysis
        .incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| IncidentSummary {
            number: i + 1,
            start: inc.start,
            end: inc.end,
            requests: inc.impact.requests,
            failed_requests: inc.impact.failed_requests,
        })
        .collect();
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool_version: TOOL_VERSION,
        display_zone: zone,
        incident: None,
        root_cause: None,
        early_sign: None,
        alternatives: Vec::new(),
        resolution: None,
        timeline: Vec::new(),
        measures: Vec::new(),
        incidents,
        blips: analysis
            .blips
            .iter()
            .map(|b| IncidentSummary {
                number: 0,
                start: b.start,
                end: b.end,
                requests: b.impact.requests,
                failed_requests: b.impact.failed_requests,
            })
            .collect(),
        notable: Vec::new(),
        sources: sources(&timeline.files),
        traffic: traffic(timeline),
        problems: timeline.problems.clone(),
    };
    let Some((index, incident)) = chosen.and_then(|i| analysis.incidents.get(i).map(|inc| (i, inc))) else {
        report.notable = notable(episodes.iter().map(|e| r.episode(e)).collect());
        return report;
    };
    let impact = &incident.impact;
    report.incident = Some(Incident {
        number: index + 1,
        start: incident.start,
        end: (!incident.ongoing).then_some(incident.end),
        ongoing: incident.ongoing,
        duration: incident.end - incident.start,
        detected: incident.detected.map(|d| Detection {
            time: d.time,
            evidence: vec![r.evidence(d.evidence)],
        }),
        impact: Impact {
            requests: impact.requests,
            failed_requests: impact.failed_requests,
            failed_ratio: impact.failed_ratio(),
            peak_error_ratio: impact.peak_error_ratio,
            peak_at: impact.peak_at,
            clients: impact.clients,
            affected_clients: impact.affected_clients,
            affected_clients_ratio: impact.affected_ratio(),
            clients_estimated: impact.clients_estimated,
            hardest_hit: impact.hardest_hit.clone(),
            unaffected: impact.unaffected.clone(),
            proxy_reasons: impact.proxy_reasons.clone(),
            slow_requests: impact.slow_requests,
            slow_peak_ms: impact.slow_peak_ms,
            slow_baseline_ms: impact.slow_baseline_ms,
        },
        errors: ErrorLines {
            lines: incident.errors.lines,
            crash_loop: incident.errors.crash_loop.as_ref().map(|(unit, failures)| CrashLoop {
                unit: unit.clone(),
                failures: *failures,
            }),
            peak: incident.errors.peak,
            peak_at: incident.errors.peak_at,
            sources: incident
                .errors
                .sources
                .iter()
                .map(|(source, lines)| SourceLines {
                    source: source.clone(),
                    lines: *lines,
                })
                .collect(),
        },
        symptoms: incident.symptoms.iter().map(|&s| r.episode(&episodes[s])).collect(),
        echoes: incident.echoes.iter().map(|&e| r.episode(&episodes[e])).collect(),
        contrast: incident.contrast.as_ref().map(|c| r.contrast(c)),
        error_fields: incident.app_contrast.as_ref().map(|c| r.error_fields(c)),
    });
    if !incident.chain.is_empty() {
        let chain: Vec<Link> = incident.chain.iter().map(|l| r.link(l, episodes)).collect();
        report.root_cause = Some(RootCause {
            summary: chain.iter().map(|l| l.episode.summary.as_str()).collect::<Vec<_>>().join(" → "),
            confidence: incident.confidence,
            chain,
        });
    }
    report.alternatives = incident.alternatives.iter().map(|l| r.link(l, episodes)).collect();
    report.early_sign = incident.early_sign.as_ref().map(|sign| EarlySign {
        episode: r.episode(&episodes[sign.episode]),
        lines_before: sign.lines,
        last_before: sign.last.map(|e| r.evidence(e)),
        anomaly: sign.before,
        escalation: sign.escalation.clone(),
        escalation_said: analyze::words::escalation(&sign.escalation),
    });
    report.resolution = incident.resolution.as_ref().map(|fix| {
        let i = fix.action;
        let mut episode = r.episode(&episodes[i]);
        // A release after the one that set it off, with an older version: a rollback.
        let trigger = incident.link(analyze::Role::Trigger).map(|l| &episodes[l.episode]);
        let rolled_back_from = trigger.and_then(|t| rolled_back(t, &episodes[i]));
        if let (Some(from), Some(to)) = (&rolled_back_from, episodes[i].subject.as_ref()) {
            episode.phrase = vec![
                Part::Text("the release went back to ".into()),
                Part::Quote(to.value.clone()),
                Part::Text(" from ".into()),
                Part::Quote(from.clone()),
            ];
        }
        Resolution {
            episode,
            recovered: (!incident.ongoing).then_some(incident.end),
            rolled_back_from,
            together: fix.together.iter().map(|&t| r.episode(&episodes[t])).collect(),
        }
    });
    // The timeline: the episodes from the first link of the chain to a little after the end.
    let from: Micros = incident
        .chain
        .first()
        .map_or(incident.start, |l| episodes[l.episode].start.min(incident.start));
    let to = incident.end + 15 * 60 * 1_000_000;
    report.timeline = episodes
        .iter()
        .filter(|e| e.end >= from && e.start <= to)
        .map(|e| r.episode(e))
        .collect();
    report.measures = incident.measures.iter().map(|m| r.statement(m)).collect();
    report
}

/// A version's numbers, to compare versions: `4.18.1` is [4, 18, 1].
fn version_numbers(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect()
}

/// The version `fix` went back from, when both are releases and the fix's version is the
/// older one.
fn rolled_back(trigger: &timeline::Episode, fix: &timeline::Episode) -> Option<String> {
    let version = |e: &timeline::Episode| {
        (e.category == Category::Deploy)
            .then_some(e.subject.as_ref())
            .flatten()
            .filter(|s| s.field == "version")
            .map(|s| s.value.clone())
    };
    let (from, to) = (version(trigger)?, version(fix)?);
    let (a, b) = (version_numbers(&from), version_numbers(&to));
    (!a.is_empty() && !b.is_empty() && b < a).then_some(from)
}

/// Episodes shown in a draft without an incident, at most.
const NOTABLE: usize = 10;

/// The warnings or worse of `episodes`, the episodes of one rule or template about one
/// thing taken together, most severe first, then what is not background, then the most
/// lines.
fn notable(episodes: Vec<Episode>) -> Vec<Episode> {
    let mut together: Vec<Episode> = Vec::new();
    for e in episodes
        .into_iter()
        .filter(|e| e.severity >= Severity::Warning && e.category != Category::Change)
    {
        match together
            .iter_mut()
            .find(|t| t.rule == e.rule && t.subject == e.subject && t.group == e.group && t.rate.is_none() && e.rate.is_none())
        {
            Some(t) => {
                t.count += e.count;
                t.end = t.end.max(e.end);
                t.background &= e.background;
                if e.last > t.last {
                    t.last = e.last.clone();
                }
                t.evidence = [t.first.clone(), t.last.clone()].into_iter().flatten().collect();
                t.evidence.dedup();
            }
            None => together.push(e),
        }
    }
    let mut episodes = together;
    episodes.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.background.cmp(&b.background))
            .then(b.count.cmp(&a.count))
            .then(a.start.cmp(&b.start))
            .then(a.rule.cmp(&b.rule))
    });
    episodes.truncate(NOTABLE);
    episodes
}

/// The timeline's episodes, and every kept line when `raw`.
/// The timeline's episodes (and lines, when kept), with what changed in the traffic of
/// each incident of `analysis` where something explains it.
pub fn timeline_report(timeline: &Timeline, analysis: &Analysis, rules: &RuleSet, zone: Zone, raw: bool) -> TimelineReport {
    let r = Resolver {
        timeline,
        files: &timeline.files,
        rules,
    };
    let events = raw.then(|| {
        timeline
            .events
            .iter()
            .map(|event| {
                let file = &timeline.files[event.file as usize];
                let name = timeline.name(event.signal, &file.group, rules);
                Event {
                    time: event.time,
                    file: file.display.clone(),
                    line: event.line,
                    offset: event.offset,
                    source: file.kind,
                    format: file.format.name(),
                    rule: name.id,
                    category: timeline::category_of(event.signal, rules),
                    severity: name.severity,
                    message: event.message.to_string(),
                    fields: event.fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                }
            })
            .collect()
    });
    TimelineReport {
        schema_version: SCHEMA_VERSION,
        tool_version: TOOL_VERSION,
        display_zone: zone,
        episodes: timeline.episodes.iter().map(|e| r.episode(e)).collect(),
        traffic_changes: analysis
            .incidents
            .iter()
            .filter_map(|i| i.contrast.as_ref().map(|c| (i.start, r.contrast(c))))
            .filter(|(_, c)| !c.surge.is_empty() || !c.failures.is_empty())
            .map(|(start, c)| (c.told_at(start), c))
            .collect(),
        error_changes: analysis
            .incidents
            .iter()
            .filter_map(|i| i.app_contrast.as_ref().map(|c| (i.start, r.error_fields(c))))
            .filter(|(_, f)| !f.findings.is_empty())
            .collect(),
        events,
        sources: sources(&timeline.files),
        problems: timeline.problems.clone(),
    }
}

/// What was understood of each file.
pub fn sources_report(files: &[FileReport], problems: &[Problem], zone: Zone) -> SourcesReport {
    SourcesReport {
        display_zone: zone,
        sources: sources(files),
        problems: problems.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::SourceKind;
    use crate::timeline::Subject;

    fn release(version: &str) -> timeline::Episode {
        timeline::Episode {
            signal: Signal::Rule(0),
            category: Category::Deploy,
            group: "deploy.log".into(),
            kind: SourceKind::System,
            start: 0,
            end: 0,
            count: 1,
            first: None,
            last: None,
            subject: Some(Subject {
                field: "version".into(),
                value: version.into(),
            }),
            rate: None,
            background: false,
            strength: None,
            first_line: None,
        }
    }

    #[test]
    fn a_release_of_an_older_version_is_a_rollback() {
        assert_eq!(rolled_back(&release("4.18.1"), &release("4.18.0")), Some("4.18.1".into()));
        assert_eq!(
            rolled_back(&release("4.9.0"), &release("4.10.2")),
            None,
            "a newer release is a fix forward"
        );
        assert_eq!(rolled_back(&release("v2.0"), &release("v1.12")), Some("v2.0".into()));
        let mut restart = release("4.18.0");
        restart.category = Category::Restart;
        assert_eq!(rolled_back(&release("4.18.1"), &restart), None);
    }
}
