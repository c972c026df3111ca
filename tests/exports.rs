//! The exports as the tools that read them see them: every JSON line of a kind has the
//! same keys with the same types on every scenario, a quiet day included, so a dataframe
//! library infers one schema; Timesketch's fields are there and say what each line is.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Every shipped scenario, a quiet day among them.
fn scenarios() -> Vec<String> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/scenarios"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.iter().any(|n| n == "quiet-day"));
    names
}

fn logs(scenario: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/scenarios"))
        .join(scenario)
        .join("logs")
}

fn records(scenario: &str, args: &[&str]) -> Vec<Value> {
    let out = Command::cargo_bin("postmortem")
        .unwrap()
        .env("TZ", "UTC")
        .args(["timeline", "-q"])
        .args(args)
        .arg(logs(scenario))
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{scenario}: {e}: {l}")))
        .collect()
}

/// The JSON type of a value, as a dataframe library would name its column.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// Every key path of a line with its type; a list's elements under `path[]`.
fn paths(prefix: &str, v: &Value, out: &mut Vec<(String, &'static str)>) {
    out.push((prefix.to_string(), type_name(v)));
    match v {
        Value::Object(map) => map.iter().for_each(|(k, v)| paths(&format!("{prefix}.{k}"), v, out)),
        Value::Array(items) => items.iter().for_each(|v| paths(&format!("{prefix}[]"), v, out)),
        _ => {}
    }
}

/// The one schema every line shares: a line's keys outside lists are exactly the
/// first line's, and a key's non-null type is the same wherever it appears.
/// Integers and floats of one number column count as one type.
fn assert_one_schema(kind: &str, lines: &[(String, Value)]) {
    let mut types: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    let mut keys: Option<BTreeSet<String>> = None;
    for (scenario, line) in lines {
        let mut found = Vec::new();
        paths("", line, &mut found);
        let outside_lists: BTreeSet<String> = found.iter().filter(|(p, _)| !p.contains("[]")).map(|(p, _)| p.clone()).collect();
        match &keys {
            None => keys = Some(outside_lists),
            Some(first) => assert_eq!(first, &outside_lists, "{kind}: {scenario} has other keys: {line}"),
        }
        for (path, ty) in found {
            let ty = if ty == "integer" { "float" } else { ty };
            if ty != "null" {
                types.entry(path).or_default().insert(ty);
            }
        }
    }
    for (path, seen) in &types {
        assert_eq!(seen.len(), 1, "{kind}: `{path}` is typed {seen:?}");
    }
    assert!(keys.is_some(), "{kind}: no lines at all");
}

#[test]
fn every_jsonl_line_of_a_kind_has_one_schema_on_every_scenario() {
    for (kind, args) in [
        ("episodes", &["--format", "jsonl"][..]),
        ("events", &["--format", "jsonl", "--raw"][..]),
        ("timesketch episodes", &["--format", "timesketch"][..]),
    ] {
        let mut lines = Vec::new();
        for scenario in scenarios() {
            let found = records(&scenario, args);
            assert!(!found.is_empty(), "{scenario}: no {kind}");
            lines.extend(found.into_iter().map(|l| (scenario.clone(), l)));
        }
        assert_one_schema(kind, &lines);
    }
    // Objects that may not apply are objects of nulls, never null themselves.
    for line in records("quiet-day", &["--format", "jsonl"]) {
        for key in ["subject", "rate", "first", "last", "quote"] {
            assert!(line[key].is_object(), "quiet day: `{key}` is not an object: {line}");
        }
    }
}

#[test]
fn a_schema_of_two_kinds_is_told_apart() {
    // The check above would catch a key typed null on one line and an object on another.
    let lines = vec![
        ("a".to_string(), serde_json::json!({"rate": {"peak": 1.5}})),
        ("b".to_string(), serde_json::json!({"rate": null})),
    ];
    let caught = std::panic::catch_unwind(|| assert_one_schema("test", &lines));
    assert!(caught.is_err());
    let same = vec![
        ("a".to_string(), serde_json::json!({"rate": {"peak": 1}})),
        ("b".to_string(), serde_json::json!({"rate": {"peak": null}})),
        ("c".to_string(), serde_json::json!({"rate": {"peak": 0.5}})),
    ];
    assert_one_schema("test", &same);
}

#[test]
fn timesketch_lines_say_what_they_are_and_keep_microseconds() {
    let episodes = records("table-lock", &["--format", "timesketch"]);
    for e in &episodes {
        let datetime = e["datetime"].as_str().unwrap();
        // RFC 3339 in UTC with six digits of fraction, the same instant as `timestamp`.
        let parsed = chrono::DateTime::parse_from_rfc3339(datetime).unwrap();
        assert_eq!(parsed.timestamp_micros(), e["timestamp"].as_i64().unwrap(), "{e}");
        assert_eq!(datetime.len(), "2024-01-21T20:28:02.080417Z".len(), "{datetime}");
        assert_eq!(e["data_type"], "postmortem:episode");
        assert_eq!(e["timestamp_desc"], "Episode start");
    }
    // The trigger names its command, so it is not read as one more routine cron run.
    let messages: Vec<&str> = episodes.iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(
        messages.iter().any(|m| m.contains("optimize-tables") && m.contains("(1 line)")),
        "{messages:#?}"
    );
    // A rate says how high it went.
    assert!(messages.iter().any(|m| m.contains("up to 100 %")), "{messages:#?}");
    // A matched line keeps the line as its message, once.
    let events = records("table-lock", &["--format", "timesketch", "--raw"]);
    for e in &events {
        assert_eq!(e["data_type"], "postmortem:event");
        assert!(e["message"].as_str().unwrap().len() > 10, "{e}");
    }
    let raw = Command::cargo_bin("postmortem")
        .unwrap()
        .args(["timeline", "-q", "--format", "timesketch", "--raw"])
        .arg(logs("table-lock"))
        .output()
        .unwrap();
    let first = String::from_utf8(raw.stdout).unwrap();
    let first = first.lines().next().unwrap();
    assert_eq!(first.matches("\"message\":").count(), 1, "{first}");
}
