//! The draft as JSON (`draft --format json`): a stable schema, documented in the README,
//! with every time in RFC 3339 UTC and every claim with its evidence.

use crate::analyze::{Analysis, Part, Sentence};
use crate::rules::RuleSet;
use crate::scan::FileReport;
use crate::time::{rfc3339_utc, Micros};
use crate::timeline::{Episode, Evidence};
use serde_json::{json, Value};

fn evidence(files: &[FileReport], list: &[Evidence]) -> Value {
    Value::Array(
        list.iter()
            .map(|e| json!({"file": files[e.file as usize].display, "line": e.line}))
            .collect(),
    )
}

/// A sentence as plain text, times in RFC 3339 UTC.
fn plain(sentence: &Sentence) -> String {
    sentence
        .parts
        .iter()
        .map(|p| match p {
            Part::Text(t) | Part::Quote(t) => t.clone(),
            Part::Time(t) => rfc3339_utc(*t),
            Part::Duration(d) => super::markdown::duration(*d),
        })
        .collect()
}

fn summary(e: &Episode, rules: &RuleSet) -> String {
    let title = &rules.get(e.rule).title;
    match &e.subject {
        Some((_, value)) => format!("{title} ({value})"),
        None => title.clone(),
    }
}

fn episode_evidence(e: &Episode) -> Vec<Evidence> {
    match (e.first, e.last) {
        (Some(f), Some(l)) if f != l => vec![f, l],
        (Some(f), _) => vec![f],
        _ => Vec::new(),
    }
}

fn episode_record(e: &Episode, files: &[FileReport], rules: &RuleSet) -> Value {
    json!({
        "time": rfc3339_utc(e.start),
        "end": rfc3339_utc(e.end),
        "category": rules.get(e.rule).category.name(),
        "rule": rules.get(e.rule).id,
        "source": e.kind.name(),
        "summary": summary(e, rules),
        "count": e.count,
        "evidence": evidence(files, &episode_evidence(e)),
    })
}

/// The draft of incident `chosen` as a JSON document.
pub fn draft_json(analysis: &Analysis, chosen: Option<usize>, episodes: &[Episode], files: &[FileReport], rules: &RuleSet) -> Value {
    let incident = chosen.and_then(|i| analysis.incidents.get(i));
    let sources: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({
                "file": f.display, "format": f.format.name(), "zone": f.zone.zone, "zone_assumed": f.zone.assumed,
                "lines": f.lines, "timestamped": f.timestamped, "first": f.first.map(rfc3339_utc), "last": f.last.map(rfc3339_utc),
            })
        })
        .collect();
    let incidents: Vec<Value> = analysis
        .incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| json!({"number": i + 1, "start": rfc3339_utc(inc.start), "end": rfc3339_utc(inc.end), "requests": inc.impact.requests, "failed_requests": inc.impact.failed_requests}))
        .collect();
    let Some(incident) = incident else {
        return json!({"incident": null, "root_cause": null, "alternatives": [], "resolution": null, "timeline": [], "measures": [], "incidents": incidents, "sources": sources});
    };
    let impact = &incident.impact;
    let endpoints = |list: &[crate::analyze::EndpointImpact]| -> Value {
        Value::Array(
            list.iter()
                .map(|e| json!({"endpoint": e.endpoint, "requests": e.requests, "failed": e.failed}))
                .collect(),
        )
    };
    let link = |l: &crate::analyze::Link| {
        let e = &episodes[l.episode];
        json!({
            "role": l.role.name(),
            "category": rules.get(e.rule).category.name(),
            "time": rfc3339_utc(e.start),
            "summary": summary(e, rules),
            "score": (l.score * 1000.0).round() / 1000.0,
            "evidence": evidence(files, &episode_evidence(e)),
        })
    };
    let chain: Vec<Value> = incident.chain.iter().map(link).collect();
    let chain_summary: Vec<String> = incident.chain.iter().map(|l| summary(&episodes[l.episode], rules)).collect();
    // The timeline: the episodes from the first link of the chain to a little after the end.
    let from: Micros = incident
        .chain
        .first()
        .map_or(incident.start, |l| episodes[l.episode].start.min(incident.start));
    let to = incident.end + 15 * 60 * 1_000_000;
    let timeline: Vec<Value> = episodes
        .iter()
        .filter(|e| e.end >= from && e.start <= to)
        .map(|e| episode_record(e, files, rules))
        .collect();
    json!({
        "incident": {
            "start": rfc3339_utc(incident.start),
            "end": (!incident.ongoing).then(|| rfc3339_utc(incident.end)),
            "detected": incident.detected.map(|(t, e)| json!({"time": rfc3339_utc(t), "evidence": evidence(files, &[e])})),
            "impact": {
                "requests": impact.requests,
                "failed_requests": impact.failed_requests,
                "failed_ratio": impact.failed_ratio(),
                "peak_error_ratio": impact.peak_error_ratio,
                "clients": impact.clients,
                "affected_clients": impact.affected_clients,
                "affected_clients_ratio": impact.affected_ratio(),
                "hardest_hit": endpoints(&impact.hardest_hit),
                "unaffected": endpoints(&impact.unaffected),
            },
        },
        "root_cause": (!incident.chain.is_empty()).then(|| json!({
            "summary": chain_summary.join(" → "),
            "confidence": (incident.confidence * 1000.0).round() / 1000.0,
            "chain": chain,
        })),
        "alternatives": incident.alternatives.iter().map(link).collect::<Vec<_>>(),
        "resolution": incident.resolution.map(|r| {
            let e = &episodes[r];
            json!({"time": rfc3339_utc(e.start), "category": rules.get(e.rule).category.name(), "summary": summary(e, rules),
                   "evidence": evidence(files, &episode_evidence(e)), "recovered": (!incident.ongoing).then(|| rfc3339_utc(incident.end))})
        }),
        "timeline": timeline,
        "measures": incident.measures.iter().map(|m| json!({"text": plain(m), "evidence": evidence(files, &m.evidence)})).collect::<Vec<_>>(),
        "incidents": incidents,
        "sources": sources,
    })
}
