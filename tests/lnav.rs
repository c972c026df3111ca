//! The lnav format shipped for the JSON lines (contrib/lnav/postmortem_timeline.json):
//! its sample lines are what `timeline --format jsonl` writes today, and lnav itself
//! (run by .ci/run, which installs it: `cargo test --test lnav -- --ignored`) reads every
//! line of a scenario's timeline, episodes and matched lines, with its time and level.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn format_file() -> PathBuf {
    root().join("contrib/lnav/postmortem_timeline.json")
}

fn timeline(raw: bool) -> String {
    let mut cmd = Command::cargo_bin("postmortem").unwrap();
    cmd.args(["timeline", "-q", "--format", "jsonl"])
        .arg(root().join("fixtures/scenarios/table-lock/logs"));
    if raw {
        cmd.arg("--raw");
    }
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

fn keys(line: &str) -> BTreeSet<String> {
    let value: Value = serde_json::from_str(line).unwrap();
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_format_samples_are_lines_we_write_today() {
    let format: Value = serde_json::from_str(&std::fs::read_to_string(format_file()).unwrap()).unwrap();
    let samples = format["postmortem_timeline"]["sample"].as_array().unwrap();
    let written: Vec<BTreeSet<String>> = [false, true]
        .iter()
        .map(|&raw| keys(timeline(raw).lines().next().unwrap()))
        .collect();
    assert_eq!(samples.len(), 2, "one episode, one matched line");
    for (sample, today) in samples.iter().zip(&written) {
        assert_eq!(&keys(sample["line"].as_str().unwrap()), today, "regenerate the sample");
    }
    // Every field the format names is one we write.
    let all: BTreeSet<String> = written.iter().flatten().cloned().collect();
    for name in format["postmortem_timeline"]["value"].as_object().unwrap().keys() {
        assert!(all.contains(name), "the format names `{name}`, which no line has");
    }
}

fn lnav(home: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("lnav")
        .env("HOME", home)
        .args(args)
        .output()
        .expect("lnav is installed (.ci/run installs it)");
    assert!(out.status.success(), "lnav {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[ignore = "needs lnav; .ci/run installs it and runs this"]
fn lnav_reads_every_line_with_its_time_and_level() {
    let home = tempfile::tempdir().unwrap();
    lnav(home.path(), &["-i", format_file().to_str().unwrap()]);
    lnav(home.path(), &["-C"]);
    for raw in [false, true] {
        let text = timeline(raw);
        let file = home.path().join("timeline.jsonl");
        std::fs::write(&file, &text).unwrap();
        let query = ";SELECT log_format || '|' || count(*) || '|' || min(log_time) || '|' || max(log_time) || '|' || count(DISTINCT log_level) AS row FROM all_logs GROUP BY log_format";
        let out = lnav(home.path(), &["-n", "-c", query, file.to_str().unwrap()]);
        let row = out.lines().find(|l| l.contains('|')).unwrap_or_default();
        let cells: Vec<&str> = row.trim().split('|').collect();
        let lines = text.lines().count();
        // lnav shows times as `2024-01-21 19:35:01.000`, in UTC as written.
        let shown = |t: String| t.replace('T', " ")[..19].to_string();
        let first = shown(text.lines().map(keys_time).min().unwrap());
        let last = shown(text.lines().map(keys_time).max().unwrap());
        assert_eq!(cells.first(), Some(&"postmortem_timeline"), "{out}");
        assert_eq!(cells.get(1), Some(&lines.to_string().as_str()), "every line read: {out}");
        assert!(cells.get(2).is_some_and(|t| t.starts_with(&first)), "{first} in {out}");
        assert!(cells.get(3).is_some_and(|t| t.starts_with(&last)), "{last} in {out}");
        assert!(cells.get(4).is_some_and(|n| *n != "1"), "levels read from `severity`: {out}");
    }
}

/// A line's time, RFC 3339 in UTC.
fn keys_time(line: &str) -> String {
    let value: Value = serde_json::from_str(line).unwrap();
    value["time"].as_str().unwrap().to_string()
}
