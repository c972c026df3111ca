//! Every shipped scenario run in containers: each of its logs stored as Docker's
//! json-file driver or containerd stores it (one line a record, the program's own line
//! inside), or printed by `docker compose logs`. The draft must be the one the plain logs give, to the byte: the same
//! incident, cause, timeline and citations, since each outer line is still one line.

use assert_cmd::Command;
use std::path::Path;

use postmortem::synth::NAMES as SCENARIOS;

/// The time the runtime gives every record: the lines carry their own, which is what is
/// read, so it need not be theirs.
const RUNTIME_TIME: &str = "2024-06-01T12:00:00.000000001Z";

fn docker(text: &str) -> String {
    text.lines()
        .map(|line| {
            let log = serde_json::to_string(&format!("{line}\n")).unwrap();
            format!("{{\"log\":{log},\"stream\":\"stdout\",\"time\":\"{RUNTIME_TIME}\"}}\n")
        })
        .collect()
}

fn cri(text: &str) -> String {
    text.lines().map(|line| format!("{RUNTIME_TIME} stdout F {line}\n")).collect()
}

/// One service's lines as `docker compose logs` prints them.
fn compose(text: &str) -> String {
    text.lines().map(|line| format!("shop-1  | {line}\n")).collect()
}

/// The draft of `dir/logs`, run from `dir` so that files are named as `logs/…`.
fn draft(dir: &Path, tz: &str) -> String {
    let out = Command::cargo_bin("postmortem")
        .unwrap()
        .current_dir(dir)
        .args(["draft", "-q", "--tz", tz, "logs"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_scenario_in_containers_drafts_as_it_does_on_hosts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    for scenario in SCENARIOS {
        let truth: serde_json::Value = serde_json::from_slice(&std::fs::read(root.join(scenario).join("truth.json")).unwrap()).unwrap();
        let tz = truth["tz"].as_str().unwrap();
        let (plain, wrapped) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (plain_logs, wrapped_logs) = (plain.path().join("logs"), wrapped.path().join("logs"));
        std::fs::create_dir(&plain_logs).unwrap();
        std::fs::create_dir(&wrapped_logs).unwrap();
        let mut names: Vec<_> = std::fs::read_dir(root.join(scenario).join("logs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for (i, path) in names.iter().enumerate() {
            let text = std::fs::read_to_string(path).unwrap();
            let name = path.file_name().unwrap();
            std::fs::write(plain_logs.join(name), &text).unwrap();
            // A file as Docker stores it, the next as containerd does, the next as
            // `docker compose logs` prints it.
            let stored = match i % 3 {
                0 => docker(&text),
                1 => cri(&text),
                _ => compose(&text),
            };
            std::fs::write(wrapped_logs.join(name), stored).unwrap();
        }
        let (expected, found) = (draft(plain.path(), tz), draft(wrapped.path(), tz));
        assert!(expected == found, "{scenario}: the draft differs in containers:\n{found}");
    }
}
