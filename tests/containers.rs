//! Every shipped scenario run in containers: each of its logs stored as Docker's
//! json-file driver or containerd stores it (one line a record, the program's own line
//! inside), or printed by `docker compose logs`. The draft must be the one the plain logs give, to the byte: the same
//! incident, cause, timeline and citations, since each outer line is still one line.

mod common;

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

/// A 64-hex container id, as Docker makes them, for the `n`th container.
fn container_id(n: usize) -> String {
    format!("{:016x}", 0x3f9c_2a1b_e0d4_4c6bu64 + n as u64).repeat(4)
}

#[test]
fn containers_are_cited_by_the_names_their_runtime_gives_them() {
    // The table-lock scenario with each log stored by a runtime: as Docker stores it, with
    // the container's config beside it naming it after the log (`app`, `mysql-general`…),
    // or in a Kubernetes pod's directory. The draft is the plain one, its files named by
    // container instead of by file, and no id or pod uid appears but in the Sources table.
    let scenario = "table-lock";
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios").join(scenario);
    let truth: serde_json::Value = serde_json::from_slice(&std::fs::read(root.join("truth.json")).unwrap()).unwrap();
    let tz = truth["tz"].as_str().unwrap();
    let (plain, wrapped) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let plain_logs = plain.path().join("logs");
    std::fs::create_dir(&plain_logs).unwrap();
    let uid = "8e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7";
    let mut names: Vec<_> = std::fs::read_dir(root.join("logs")).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let mut renamed: Vec<(String, String)> = Vec::new();
    for (n, path) in names.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let file = path.file_name().unwrap().to_str().unwrap();
        let stem = file.trim_end_matches(".log");
        std::fs::write(plain_logs.join(file), &text).unwrap();
        if n == 0 {
            // A pod: namespace `shop`, pod `web-7d9f8b-x2x1z`, container `stem`.
            let dir = wrapped.path().join(format!("logs/pods/shop_web-7d9f8b-x2x1z_{uid}/{stem}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("0.log"), cri(&text)).unwrap();
            renamed.push((file.to_string(), format!("pods/shop/web-7d9f8b-x2x1z.{stem}.log")));
        } else {
            let id = container_id(n);
            let dir = wrapped.path().join("logs/containers").join(&id);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("{id}-json.log")), docker(&text)).unwrap();
            std::fs::write(
                dir.join("config.v2.json"),
                format!(r#"{{"ID":"{id}","Name":"/{stem}","Config":{{"Labels":{{"com.docker.compose.service":"{stem}"}}}}}}"#),
            )
            .unwrap();
            std::fs::write(dir.join("hostname"), "3f9c2a1be0d4\n").unwrap();
            renamed.push((file.to_string(), format!("containers/{stem}.log")));
        }
    }
    let (expected, found) = (draft(plain.path(), tz), draft(wrapped.path(), tz));
    let body = |draft: &str| draft.split("## Sources").next().unwrap().to_string();
    let mut expected_body = body(&expected);
    for (file, name) in &renamed {
        expected_body = expected_body.replace(&format!("\\[{file}:"), &format!("\\[{}:", name.replace('_', "\\_")));
    }
    // Citations differ only by the names; the prose names files by their last part.
    let found_body = body(&found);
    assert!(
        found_body.contains("\\[containers/app.log:"),
        "a container is cited by its name:\n{found_body}"
    );
    assert!(
        !found_body.contains("-json.log"),
        "a runtime's file name in the draft:\n{found_body}"
    );
    assert!(
        !found_body.contains("3f9c") && !found_body.contains(uid),
        "an id in the draft:\n{found_body}"
    );
    let sources = found.split("## Sources").nth(1).unwrap();
    for (_, name) in &renamed {
        assert!(sources.contains(&name.replace('_', "\\_")), "{name} not in the sources:\n{sources}");
    }
    assert!(sources.contains("-json.log)"), "the path beside the name:\n{sources}");
    assert!(!sources.contains("config.v2.json") && !sources.contains("hostname"), "{sources}");
    let strip = |s: &str| s.lines().filter(|l| !l.starts_with("> First draft")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&found_body), strip(&expected_body));
}

/// `text` written as `dir/name` and scanned with the built-in rules.
fn scan_one(dir: &Path, name: &str, text: &str) -> postmortem::scan::ScanResult {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    common::scan(&[path])
}

/// A Go service in a pod logs zap JSON on stdout while the librdkafka it links prints on
/// stderr, stored by containerd and by Docker: each stream is read in its own family, so
/// every line is timed, the JSON lines are read as before and the broker failures, which
/// only stderr tells, reach the timeline at their level.
#[test]
fn a_pods_two_streams_are_read_each_in_its_family() {
    let dir = tempfile::tempdir().unwrap();
    let mut records = Vec::new();
    for i in 0..40u32 {
        let time = format!("2023-03-08T06:03:{:02}.{:03}000000Z", 20 + i / 2, (i % 2) * 500);
        let (stream, line) = if i % 4 == 3 {
            ("stderr", format!("%3|{}.686|FAIL|rdkafka#producer-1| [thrd:10.64.22.31:9092/bootstrap]: 10.64.22.31:9092/bootstrap: Connect to ipv4#10.64.22.31:9092 failed: Connection timed out (after 30005ms in state CONNECT)", 1_678_255_400 + i / 2))
        } else {
            (
                "stdout",
                format!(
                    "{{\"level\":\"info\",\"ts\":{}.{},\"caller\":\"orders/consumer.go:88\",\"msg\":\"order accepted\",\"order\":{}}}",
                    1_678_255_400 + i / 2,
                    (i % 2) * 5,
                    1000 + i
                ),
            )
        };
        records.push((time, stream, line));
    }
    let cri: String = records.iter().map(|(t, s, l)| format!("{t} {s} F {l}\n")).collect();
    let docker: String = records
        .iter()
        .map(|(t, s, l)| {
            format!(
                "{{\"log\":{},\"stream\":\"{s}\",\"time\":\"{t}\"}}\n",
                serde_json::to_string(&format!("{l}\n")).unwrap()
            )
        })
        .collect();
    for (name, text) in [("orders-cri.log", cri), ("orders-docker.log", docker)] {
        let result = scan_one(dir.path(), name, &text);
        let readings: Vec<(&str, u64, u64)> = result.files.iter().map(|f| (f.format.name(), f.timestamped, f.events)).collect();
        assert_eq!(readings, [("json", 30, 0), ("librdkafka", 10, 10)], "{name}");
        // The failures, at error level, cite the file's own lines: the first on line 4,
        // the last on line 40.
        let failures = result
            .templates
            .values()
            .flat_map(|t| t.by_key.values())
            .find(|t| t.text.contains("Connect to"))
            .unwrap_or_else(|| panic!("{name}: no template of the failures"));
        let level = failures.level;
        assert_eq!(
            (failures.count, failures.first.line, failures.last.line, level),
            (10, 4, 40, Some(postmortem::format::Level::Error)),
            "{name}"
        );
    }
}

/// A Python worker in a pod logs JSON on stdout and dies with tracebacks on stderr, which
/// carry no time: each traceback is given the runtime's time once, at its first line, and
/// read as one entry, as on a host.
#[test]
fn a_traceback_on_stderr_is_one_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..30u32 {
        let time = format!("2023-03-08T06:03:{i:02}.100000000Z");
        text.push_str(&format!(
            "{time} stdout F {{\"level\":\"info\",\"ts\":{},\"msg\":\"price updated\",\"sku\":{i}}}\n",
            1_678_255_380 + i
        ));
        if i == 10 || i == 20 {
            for line in [
                "Traceback (most recent call last):",
                "  File \"/srv/feed.py\", line 61, in main",
                "    rate = rates[currency]",
                "KeyError: 'eur'",
            ] {
                text.push_str(&format!("{time} stderr F {line}\n"));
            }
        }
    }
    let result = scan_one(dir.path(), "pricefeed.log", &text);
    let timed: Vec<(&str, u64)> = result.files.iter().map(|f| (f.format.name(), f.timestamped)).collect();
    // Two entries on stderr, each a traceback of four lines.
    assert_eq!(timed, [("json", 30), ("timestamped", 2)]);
}

/// `docker compose logs` of an nginx service and an app beside it: each service is read in
/// its family, so the nginx lines are counted as requests (the traffic series) and the
/// app's logfmt lines are read with their levels.
#[test]
fn compose_output_of_two_services_is_read_one_a_service() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..20u32 {
        let status = if (8..14).contains(&i) { 502 } else { 200 };
        text.push_str(&format!(
            "web-1    | 172.18.0.1 - - [21/Jan/2024:20:30:{:02} +0000] \"GET /cart HTTP/1.1\" {status} 512 \"-\" \"curl/8.5.0\"\n",
            i * 3
        ));
        let (level, msg) = if status == 502 {
            ("error", "cart backend unreachable")
        } else {
            ("info", "cart served")
        };
        text.push_str(&format!(
            "app-1    | time=\"2024-01-21T20:30:{:02}Z\" level={level} msg=\"{msg}\"\n",
            i * 3
        ));
    }
    let result = scan_one(dir.path(), "compose.log", &text);
    let readings: Vec<(&str, u64, u64)> = result.files.iter().map(|f| (f.format.name(), f.timestamped, f.events)).collect();
    assert_eq!(readings, [("access_log", 20, 6), ("prefixed", 20, 6)]);
    let requests: u64 = result.series.values().flat_map(|s| s.buckets.values()).map(|b| b.requests).sum();
    assert_eq!(requests, 20);
}
