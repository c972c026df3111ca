//! The shipped scenario fixtures (fixtures/scenarios): their logs are what `synth` writes
//! today, and their drafts are what `draft` writes today, so that any change to the
//! generator or to the text of a draft shows in review. To accept a change on purpose,
//! regenerate them (docs/draft.md, "Scenarios").

use assert_cmd::Command;
use std::path::Path;

use postmortem::synth::NAMES as SCENARIOS;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_fixture_logs_are_what_synth_writes() {
    for scenario in SCENARIOS {
        let dir = tempfile::tempdir().unwrap();
        postmortem::synth::write(scenario, dir.path(), None, 1).unwrap();
        let fixture = root().join("fixtures/scenarios").join(scenario);
        let mut names: Vec<_> = std::fs::read_dir(dir.path().join("logs"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        for name in names {
            let fresh = std::fs::read(dir.path().join("logs").join(&name)).unwrap();
            let shipped = std::fs::read(fixture.join("logs").join(&name)).unwrap_or_default();
            assert!(
                fresh == shipped,
                "{scenario}/logs/{}: synth writes something else now",
                name.to_string_lossy()
            );
        }
        assert_eq!(
            std::fs::read(dir.path().join("truth.json")).unwrap(),
            std::fs::read(fixture.join("truth.json")).unwrap(),
            "{scenario}/truth.json"
        );
    }
}

#[test]
fn the_drafts_are_what_draft_writes() {
    for scenario in SCENARIOS {
        let fixture = root().join("fixtures/scenarios").join(scenario);
        let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture.join("truth.json")).unwrap()).unwrap();
        let output = Command::cargo_bin("postmortem")
            .unwrap()
            .current_dir(root())
            .args(["draft", "--quiet", "--tz", truth["tz"].as_str().unwrap()])
            .arg(format!("fixtures/scenarios/{scenario}/logs"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{scenario}: {}", String::from_utf8_lossy(&output.stderr));
        let expected = std::fs::read_to_string(fixture.join("draft.md")).unwrap();
        let got = String::from_utf8(output.stdout).unwrap();
        if got != expected {
            let line = got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(0);
            panic!(
                "{scenario}: the draft changed from line {}:\n  now: {}\n  was: {}",
                line + 1,
                got.lines().nth(line).unwrap_or(""),
                expected.lines().nth(line).unwrap_or("")
            );
        }
    }
}

/// Without `--tz`, files whose times carry no zone are read in the zone the others'
/// offsets imply, not the machine's: the same incident, chain, fix and measures as with
/// the shop's zone given, on a machine in UTC or in Tokyo. (The scenarios mix naive
/// application, database and host logs with access logs that carry their offset.)
#[test]
fn without_tz_naive_logs_follow_the_offsets_of_the_others_whatever_the_machine_zone() {
    let body = |draft: &str| -> String {
        let start = draft.find("## Issue Summary").unwrap_or(0);
        let end = draft.find("## Sources").unwrap_or(draft.len());
        draft[start..end]
            .lines()
            .filter(|l| !l.contains("title Key moments") && !l.contains("Times are in"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // Behind HAProxy every log is naive (HAProxy and php-fpm print no offset): without
    // --tz there is nothing to follow but this machine's zone, and a note says so.
    const ALL_NAIVE: &[&str] = &["fpm-saturation"];
    for scenario in SCENARIOS.iter().filter(|s| !ALL_NAIVE.contains(s)) {
        let expected = std::fs::read_to_string(root().join("fixtures/scenarios").join(scenario).join("draft.md")).unwrap();
        for machine in ["UTC", "Asia/Tokyo"] {
            let output = Command::cargo_bin("postmortem")
                .unwrap()
                .current_dir(root())
                .env("TZ", machine)
                .args(["draft", "--quiet"])
                .arg(format!("fixtures/scenarios/{scenario}/logs"))
                .output()
                .unwrap();
            assert!(output.status.success(), "{scenario}: {}", String::from_utf8_lossy(&output.stderr));
            let got = String::from_utf8(output.stdout).unwrap();
            assert_eq!(body(&got), body(&expected), "{scenario}, machine in {machine}");
            let notes = String::from_utf8(output.stderr).unwrap();
            assert!(notes.contains("carries its times"), "{scenario}: {notes}");
        }
    }
    for scenario in ALL_NAIVE {
        let output = Command::cargo_bin("postmortem")
            .unwrap()
            .current_dir(root())
            .env("TZ", "UTC")
            .args(["draft", "--quiet"])
            .arg(format!("fixtures/scenarios/{scenario}/logs"))
            .output()
            .unwrap();
        let notes = String::from_utf8(output.stderr).unwrap();
        assert!(notes.contains("this machine's zone"), "{scenario}: {notes}");
    }
}

#[test]
fn drafts_are_the_same_whatever_the_thread_count() {
    let logs = root().join("fixtures/scenarios/cron-migration/logs");
    let run = |threads: &str| {
        Command::cargo_bin("postmortem")
            .unwrap()
            .args(["draft", "--quiet", "--tz", "UTC", "--threads", threads])
            .arg(&logs)
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("1"), run("4"));
}

/// The drafts speak to people: no rule id, no category id, no score. Those stay in the
/// JSON, which keeps them.
#[test]
fn drafts_hold_no_rule_id_category_or_score() {
    let rules = postmortem::rules::RuleSet::load(&[], true).unwrap();
    for scenario in SCENARIOS {
        let draft = std::fs::read_to_string(root().join("fixtures/scenarios").join(scenario).join("draft.md")).unwrap();
        for rule in rules.rules() {
            assert!(!draft.contains(&rule.id), "{scenario}: rule id {}", rule.id);
        }
        for category in postmortem::rules::Category::ALL.iter().filter(|c| c.name().contains('_')) {
            assert!(!draft.contains(category.name()), "{scenario}: category {}", category.name());
        }
        for word in ["score", "confidence", "(system)", "(db)", "(web)", "(app)", "template:"] {
            assert!(!draft.contains(word), "{scenario}: {word}");
        }
    }
}
