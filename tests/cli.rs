//! The command line on good and bad input: what it prints, what it says on stderr, and
//! its exit status.

mod common;

use assert_cmd::Command;
use std::io::Write;
use std::path::Path;

fn postmortem() -> Command {
    let mut cmd = Command::cargo_bin("postmortem").unwrap();
    cmd.env("NO_COLOR", "1").env("TZ", "UTC");
    cmd
}

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/formats"))
}

fn stdout_of(cmd: &mut Command) -> (String, String, i32) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn timeline_collapses_and_cites_evidence() {
    let (out, _, code) = stdout_of(postmortem().args(["timeline", "--tz", "America/New_York"]).arg(fixtures()));
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l == "2024-01-21 -05:00"), "{out}");
    assert!(
        out.contains("15:28:01           system  1  cron started `/usr/local/bin/optimize-tables --all`  [syslog:1]"),
        "{out}"
    );
    assert!(out.contains("2  requests failed with 500"), "{out}");
    assert!(out.contains("[nginx_combined.log:4 … "), "{out}");
    assert!(
        out.contains("queries gave up waiting for row locks  [python_app.log:5]"),
        "a traceback line takes its record's time: {out}"
    );
}

#[test]
fn jsonl_and_timesketch_are_json_with_utc_times() {
    for format in ["jsonl", "timesketch"] {
        let (out, _, code) = stdout_of(
            postmortem()
                .args(["timeline", "--raw", "--format", format, "--tz", "UTC"])
                .arg(fixtures()),
        );
        assert_eq!(code, 0);
        let records: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert!(records.len() >= 10);
        for r in &records {
            assert!(r["time"].as_str().unwrap().ends_with('Z'));
            if format == "timesketch" {
                assert!(r["message"].is_string() && r["datetime"].is_string() && r["timestamp_desc"].is_string());
            }
        }
        let status = records.iter().find(|r| r["rule"] == "web.http_5xx").unwrap();
        let fields = status["fields"].as_array().unwrap();
        let code = fields.iter().find(|f| f["name"] == "status").unwrap();
        assert!(code["value"].as_str().unwrap().starts_with('5'));
    }
}

#[test]
fn since_and_until_narrow_the_window() {
    let (out, _, _) = stdout_of(
        postmortem()
            .args([
                "timeline",
                "--raw",
                "--format",
                "jsonl",
                "--tz",
                "UTC",
                "--since",
                "2024-01-21T20:29:00Z",
                "--until",
                "2024-01-21T20:30:00Z",
            ])
            .arg(fixtures()),
    );
    let times: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["time"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(!times.is_empty());
    assert!(
        times
            .iter()
            .all(|t| t.as_str() >= "2024-01-21T20:29:00" && t.as_str() < "2024-01-21T20:30:00"),
        "{times:?}"
    );
}

#[test]
fn sources_json_describes_each_file() {
    let (out, _, code) = stdout_of(
        postmortem()
            .args(["sources", "--format", "json", "--tz", "Europe/Paris"])
            .arg(fixtures()),
    );
    assert_eq!(code, 0);
    let files: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let find = |name: &str| files.iter().find(|f| f["file"].as_str().unwrap().ends_with(name)).unwrap().clone();
    let access = find("nginx_combined.log");
    assert_eq!(
        (access["format"].as_str(), access["zone"].as_str(), access["lines"].as_u64()),
        (Some("access_log"), Some("-05:00"), Some(5))
    );
    assert_eq!(access["first"], "2024-01-21T20:29:58.000Z");
    let python = find("python_app.log");
    assert_eq!(
        (python["zone"].as_str(), python["zone_assumed"].as_bool()),
        (Some("Europe/Paris"), Some(true))
    );
    assert_eq!(python["timestamped"], 2);
    assert_eq!(find("no_timestamps.txt")["format"], "unknown");
}

#[test]
fn a_missing_path_is_named_and_the_rest_is_still_read() {
    let (out, err, code) = stdout_of(
        postmortem()
            .args(["timeline", "/nonexistent/access.log"])
            .arg(fixtures().join("syslog")),
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/access.log") && err.contains("No such file"), "{err}");
    assert!(out.contains("cron started"), "{out}");
}

#[test]
fn bad_inputs_never_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.log"), b"").unwrap();
    std::fs::write(dir.path().join("binary.log"), b"\x7fELF\x00\x00\x01garbage").unwrap();
    std::fs::write(
        dir.path().join("invalid-utf8.log"),
        b"Jan 21 15:28:01 db1 CRON[1]: (root) CMD (\xff\xfe\xfd)\n",
    )
    .unwrap();
    let mut long = b"Jan 21 15:28:02 db1 app: ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 3_000_000));
    long.extend_from_slice(b"\nJan 21 15:28:03 db1 CRON[2]: (root) CMD (after the long line)\n");
    std::fs::write(dir.path().join("long.log"), &long).unwrap();
    // A gzip file cut in the middle: what was read before the cut is kept.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(gz, "Jan 21 15:{:02}:01 db1 CRON[{i}]: (root) CMD (job {i})", i % 60).unwrap();
    }
    let gz = gz.finish().unwrap();
    std::fs::write(dir.path().join("cut.log.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(dir.path().join("corrupt.log.gz"), b"\x1f\x8b\x08\x00garbage that is not deflate").unwrap();

    let (out, err, code) = stdout_of(
        postmortem()
            .args(["sources", "--format", "json", "--max-line", "4096", "--year", "2024"])
            .arg(dir.path()),
    );
    assert_eq!(code, 2, "an unreadable gzip is an I/O error: {err}");
    assert!(err.contains("binary.log: binary file; skipped"), "{err}");
    assert!(err.contains("cut.log.gz") && err.contains("kept what was read"), "{err}");
    assert!(err.contains("corrupt.log.gz"), "{err}");
    assert!(err.contains("long.log: 1 line(s) longer than 4096 bytes were cut"), "{err}");
    assert!(err.lines().all(|l| l.starts_with("postmortem: ")), "one line each: {err}");
    let files: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let find = |name: &str| files.iter().find(|f| f["file"].as_str().unwrap().ends_with(name)).unwrap().clone();
    assert_eq!(find("long.log")["timestamped"], 2);
    assert_eq!(find("long.log")["cut_lines"], 1);
    assert_eq!(find("empty.log")["lines"], 0);
    assert_eq!(find("invalid-utf8.log")["events"], 1);
    let cut = find("cut.log.gz")["timestamped"].as_u64().unwrap();
    assert!(cut > 100 && cut < 2000, "kept the lines before the cut: {cut}");
}

#[test]
fn stdin_is_read_with_a_dash() {
    let (out, _, code) = stdout_of(
        postmortem()
            .args(["timeline", "--raw", "--year", "2024", "-"])
            .write_stdin("Jan 21 15:28:01 db1 CRON[7]: (root) CMD (/usr/bin/backup)\n"),
    );
    assert_eq!(code, 0);
    assert!(out.contains("cron.job_started") && out.contains("[-:1]"), "{out}");
}

#[test]
fn a_rotated_set_reads_as_one_source() {
    let dir = tempfile::tempdir().unwrap();
    let line = |minute: u32| format!("10.0.0.1 - - [21/Jan/2024:15:{minute:02}:00 +0000] \"GET / HTTP/1.1\" 503 1 \"-\" \"x\"\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(line(1).as_bytes()).unwrap();
    std::fs::write(dir.path().join("access.log.2.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(dir.path().join("access.log.1"), line(2)).unwrap();
    std::fs::write(dir.path().join("access.log"), line(3)).unwrap();
    let (out, _, code) = stdout_of(postmortem().args(["timeline", "--format", "jsonl"]).arg(dir.path()));
    assert_eq!(code, 0);
    let episodes: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(episodes.len(), 1, "{out}");
    assert_eq!(episodes[0]["count"], 3);
    assert!(episodes[0]["first"]["file"].as_str().unwrap().ends_with("access.log.2.gz"));
    assert!(episodes[0]["last"]["file"].as_str().unwrap().ends_with("access.log"));
}

#[test]
fn escape_sequences_in_logs_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("evil.log"),
        b"Jan 21 15:28:01 db1 CRON[7]: (root) CMD (\x1b]0;owned\x07\x1b[2J rm -rf /tmp/x)\n",
    )
    .unwrap();
    let (out, _, _) = stdout_of(postmortem().args(["timeline", "--raw", "--year", "2024"]).arg(dir.path()));
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    assert!(out.contains("rm -rf /tmp/x"));
}

#[test]
fn a_closed_stdout_ends_quietly() {
    if !common::have_real_logs() {
        return;
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("postmortem"))
        .args(["timeline", "--raw", "--year", "2020", "--tz", "UTC"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/real-logs"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn usage_errors_exit_2_and_unusable_input_exits_1() {
    let (_, err, code) = stdout_of(postmortem().args(["timeline", "--tz", "Mars/Olympus"]).arg(fixtures()));
    assert_eq!(code, 2);
    assert!(err.contains("Mars/Olympus"), "{err}");
    let (_, err, code) = stdout_of(postmortem().args(["timeline"]).arg(fixtures().join("no_timestamps.txt")));
    assert_eq!(code, 1);
    assert!(err.contains("no usable input"), "{err}");
}

#[test]
fn a_broken_rule_file_names_file_line_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mine.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"shop.broken\"\ntitle = \"x\"\ncategory = \"app_error\"\nseverity = \"error\"\npattern = \"(unclosed\"\n",
    )
    .unwrap();
    let (out, err, code) = stdout_of(postmortem().args(["timeline", "--rules"]).arg(&rules).arg(fixtures()));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "nothing is scanned with half a rule set");
    assert!(
        err.contains("mine.toml:6: rule shop.broken: pattern does not compile"),
        "the line of the field at fault: {err}"
    );
}

#[test]
fn the_timeline_says_which_zone_naive_files_were_read_in() {
    // Beside a log that carries its offset, a naive log follows it.
    let (_, err, code) = stdout_of(
        postmortem()
            .arg("timeline")
            .arg(fixtures().join("python_app.log"))
            .arg(fixtures().join("nginx_combined.log")),
    );
    assert_eq!(code, 0);
    assert!(
        err.contains("python_app.log: times without a zone read in -05:00, as") && err.contains("nginx_combined.log carries its times"),
        "{err}"
    );
    // Alone, it is read in this machine's zone, and the note says so.
    let (_, err, _) = stdout_of(postmortem().env("TZ", "UTC").arg("timeline").arg(fixtures().join("python_app.log")));
    assert!(err.contains("times without a zone read in UTC, this machine's zone"), "{err}");
    let (_, err, _) = stdout_of(
        postmortem()
            .args(["timeline", "--tz", "UTC"])
            .arg(fixtures().join("python_app.log")),
    );
    assert!(!err.contains("note:"), "--tz given, nothing assumed: {err}");
}

/// A mapped file truncated during the scan must not kill the process with SIGBUS: it
/// finishes, or stops with an error that names the file. The race is real, so the test
/// accepts every outcome but a signal, and tries a few timings.
#[test]
fn a_file_truncated_while_mapped_never_kills_the_process() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    let line = b"10.0.0.1 - - [21/Jan/2024:15:30:00 +0000] \"GET /checkout HTTP/1.1\" 503 12 \"-\" \"x\"\n";
    for attempt in 0..3 {
        let mut file = std::fs::File::create(&path).unwrap();
        for _ in 0..(48 << 20) / line.len() {
            file.write_all(line).unwrap();
        }
        // Old enough to be mapped rather than read.
        file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
            .unwrap();
        drop(file);
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("postmortem"))
            .args(["timeline", "--raw", "--threads", "1", "--tz", "UTC"])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20 + 30 * attempt));
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
        let output = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.signal(), None, "killed by a signal: {err}");
        match output.status.code() {
            // The truncation came after the scan, or before the probe (an empty file).
            Some(0) => {}
            Some(1) => assert!(err.contains("no usable input"), "{err}"),
            Some(2) => assert!(err.contains("big.log") && err.contains("shrank"), "{err}"),
            other => panic!("unexpected exit {other:?}: {err}"),
        }
    }
}

#[test]
fn draft_output_never_overwrites_without_force_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/table-lock/logs");
    let out = dir.path().join("postmortem.md");
    std::fs::write(&out, "my edits").unwrap();
    let (_, err, code) = stdout_of(
        postmortem()
            .args(["draft", "--tz", "America/New_York", "--output"])
            .arg(&out)
            .arg(&logs),
    );
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "my edits");
    let (_, err, code) = stdout_of(
        postmortem()
            .args(["draft", "--tz", "America/New_York", "--force", "--output"])
            .arg(&out)
            .arg(&logs),
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("# Table `orders` locked"));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("postmortem.md")],
        "no temporary file left behind"
    );
}

#[test]
fn draft_json_and_incident_numbers() {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/cron-migration/logs");
    let (out, _, code) = stdout_of(postmortem().args(["draft", "--tz", "UTC", "--format", "json"]).arg(&logs));
    assert_eq!(code, 0);
    let draft: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(draft["incident"]["start"], "2024-06-20T10:00:00.000Z");
    assert!(draft["root_cause"]["chain"][0]["evidence"][0]["line"].as_u64().unwrap() > 0);
    let (_, err, code) = stdout_of(postmortem().args(["draft", "--tz", "UTC", "--incident", "9"]).arg(&logs));
    assert_eq!(code, 2);
    assert!(err.contains("--incident 9: these logs hold 1 incident"), "{err}");
}

#[test]
fn a_quiet_day_drafts_no_incident() {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/quiet-day/logs");
    let (out, _, code) = stdout_of(postmortem().args(["draft", "--tz", "Europe/Paris"]).arg(&logs));
    assert_eq!(code, 0, "no incident is a success");
    assert!(out.starts_with("# Postmortem draft: no incident found"), "{out}");
}

#[test]
fn a_directory_symlink_loop_does_not_trap_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("logs")).unwrap();
    std::fs::write(
        dir.path().join("logs/syslog"),
        "Jan 21 15:28:01 db1 CRON[7]: (root) CMD (/usr/bin/backup)\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("logs/loop")).unwrap();
    let (out, err, code) = stdout_of(postmortem().args(["timeline", "--raw", "--year", "2024"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let rows = out.lines().filter(|l| l.contains("cron.job_started")).count();
    assert_eq!(rows, 1, "read once, not through the loop: {out}");
}

#[test]
fn a_fifo_given_as_a_path_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.log");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::fs::write(
        dir.path().join("syslog"),
        "Jan 21 15:28:01 db1 CRON[7]: (root) CMD (/usr/bin/backup)\n",
    )
    .unwrap();
    let (out, err, code) = stdout_of(
        postmortem()
            .args(["timeline", "--year", "2024"])
            .arg(&fifo)
            .arg(dir.path().join("syslog"))
            .timeout(std::time::Duration::from_secs(30)),
    );
    assert_eq!(code, 2);
    assert!(err.contains("pipe.log: not a regular file"), "{err}");
    assert!(out.contains("cron started"), "the other file is still read: {out}");
}

#[test]
fn an_empty_stdin_is_no_usable_input_not_a_crash() {
    let (_, err, code) = stdout_of(postmortem().args(["timeline", "-"]).write_stdin(""));
    assert_eq!(code, 1);
    assert!(err.contains("no usable input"), "{err}");
}

#[test]
fn rule_patterns_list_for_ripgrep() {
    let (out, _, code) = stdout_of(postmortem().args(["rules", "list", "--patterns"]));
    assert_eq!(code, 0);
    let patterns: Vec<&str> = out.lines().collect();
    // Every pattern rule, none of the status or rate rules.
    let (listed, _, _) = stdout_of(postmortem().args(["rules", "list"]));
    let rules = listed.lines().count();
    assert!(patterns.len() > 40 && patterns.len() < rules, "{} of {rules}", patterns.len());
    // Joined into one alternation (what `rg -f` does), they compile: no group name twice.
    assert!(!out.contains("(?P<") && !out.contains("(?<"));
    let joined = regex::Regex::new(&patterns.join("|")).unwrap();
    assert!(joined.is_match("2024/01/21 15:30:01 [crit] 3121#3121: accept4() failed (24: Too many open files)"));
    // Escaped parentheses stay as they are.
    assert!(out.contains(r"connect\(\) failed \(111: Connection refused\)"));
    assert!(out.contains(r"Connection is not available, request timed out after (?:\d+)ms"));
}

fn table_lock() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/table-lock/logs")
}

/// The title of the draft of the table-lock scenario with these options, or the error.
fn draft_title(args: &[&str]) -> Result<String, String> {
    let (out, err, code) = stdout_of(postmortem().arg("draft").arg("-q").args(args).arg(table_lock()));
    match code {
        0 => Ok(out.lines().next().unwrap_or("").to_string()),
        _ => Err(err),
    }
}

#[test]
fn zones_are_read_as_people_type_them() {
    let expected = draft_title(&["--tz", "America/New_York"]).unwrap();
    assert!(expected.starts_with("# Table `orders` locked"), "{expected}");
    for tz in ["-05:00", "-0500", "-5", "UTC-5", "america/new_york", "EST"] {
        assert_eq!(draft_title(&["--tz", tz]).as_ref(), Ok(&expected), "--tz {tz}");
    }
    assert_eq!(draft_title(&["--tz=-05:00", "--display-tz", "-05:00"]).as_ref(), Ok(&expected));
    // An ambiguous abbreviation is read one way, and the note says which.
    let (_, err, code) = stdout_of(postmortem().args(["draft", "-q", "--tz", "IST"]).arg(table_lock()));
    assert_eq!(code, 0);
    assert!(err.contains("note: --tz: `IST` read as India Standard Time (+05:30)"), "{err}");
    // Refusals: one line each, naming the option.
    let refused = |args: &[&str], words: &str| {
        let err = draft_title(args).unwrap_err();
        assert!(err.contains(words), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    };
    refused(
        &["--tz", "America/NewYork"],
        "--tz: unknown time zone `America/NewYork`: did you mean America/New_York?",
    );
    refused(&["--tz", "+15:00"], "out of range");
    refused(&["--tz", "UTC", "--tz", "EST"], "--tz is given twice without a pattern");
    refused(&["--tz", "=UTC"], "a pattern goes before `=`");
    refused(&["--display-tz", "Mars/Olympus"], "--display-tz: unknown time zone");
}

#[test]
fn a_zone_for_the_files_a_pattern_names() {
    // The syslog read in UTC instead of New York time: cron's start is five hours away
    // from the lock, and the chain loses it.
    let apart = draft_title(&["--tz", "America/New_York", "--tz", "syslog=UTC"]).unwrap();
    assert!(!apart.contains("cron"), "{apart}");
    let together = draft_title(&["--tz", "UTC", "--tz", "syslog=-05:00", "--tz", "app.log=-05:00"]).unwrap();
    assert!(together.contains("from cron"), "{together}");
}

#[test]
fn windows_are_read_in_the_zone_shown() {
    let tz = ["--tz", "America/New_York"];
    let with = |window: &[&str]| draft_title(&[&tz[..], window].concat());
    let incident = with(&[]).unwrap();
    // The incident runs 15:30 to 16:43 New York time, on the logs' one day.
    assert_eq!(with(&["--since", "15:00", "--until", "16:00"]).unwrap(), incident);
    assert_eq!(with(&["--since", "2024-01-21 16:00"]).unwrap(), incident);
    assert_eq!(with(&["--until", "2024-01-21T20:45:00Z"]).unwrap(), incident);
    for after in [
        &["--since", "16:50"][..],
        &["--until", "15:00"],
        &["--since", "-30m"],
        &["--until", "+30m"],
    ] {
        assert_eq!(with(after).unwrap(), "# Postmortem draft: no incident found", "{after:?}");
    }
    let err = with(&["--since", "16:00", "--until", "15:00"]).unwrap_err();
    assert!(
        err.contains("--until (2024-01-21 15:00:00 -05:00) is not after --since (2024-01-21 16:00:00 -05:00)"),
        "{err}"
    );
    let err = with(&["--since", "yesterday"]).unwrap_err();
    assert!(err.contains("--since: cannot read `yesterday` as a time"), "{err}");
    let err = with(&["--since", "15:00", "--incident", "2"]).unwrap_err();
    assert!(
        err.contains("--incident 2: these logs hold 1 incident in the window (give --incident 1, or leave it out)"),
        "{err}"
    );
    // The timeline and the sources take the same window.
    let (out, _, code) = stdout_of(
        postmortem()
            .args(["timeline", "--format", "jsonl", "--since", "16:29", "--until", "16:30"])
            .args(tz)
            .arg(table_lock()),
    );
    assert_eq!(code, 0);
    assert!(out.lines().count() >= 1 && out.contains("\"rule\":\"sql.kill\""), "{out}");
    let (out, _, _) = stdout_of(postmortem().args(["sources", "--since", "17:29"]).args(tz).arg(table_lock()));
    assert!(out.contains("access.log") && !out.contains("mysql-general.log"), "{out}");
}

#[test]
fn folders_whose_names_begin_with_the_same_byte_are_named_whole() {
    // `é` and `è` share their first UTF-8 byte: the shared folder is cut at a `/`.
    let dir = tempfile::tempdir().unwrap();
    for (folder, word) in [("é", "x"), ("è", "y")] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
        std::fs::write(
            dir.path().join(folder).join("app.log"),
            format!("2024-01-21 15:30:00 ERROR {word}\n"),
        )
        .unwrap();
    }
    let (out, err, code) = stdout_of(
        postmortem()
            .args(["timeline", "-q"])
            .arg(dir.path().join("é/app.log"))
            .arg(dir.path().join("è/app.log")),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("[é/app.log:1]") && out.contains("[è/app.log:1]"), "{out}");
}

// First contact: what a new user meets when something is off (each case as typed).

#[test]
fn a_run_with_nothing_to_draft_prints_nothing_and_says_what_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let (images, binary) = (dir.path().join("shots"), dir.path().join("bin"));
    std::fs::create_dir_all(&images).unwrap();
    std::fs::create_dir_all(&binary).unwrap();
    std::fs::write(images.join("error.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
    std::fs::write(images.join("graph.jpg"), b"\xff\xd8\xff\xe0\0").unwrap();
    std::fs::write(binary.join("core"), b"\x7fELF\x02\x01\x01\0\0\0").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "no time here\nnor here\n").unwrap();
    // A folder of images, a binary file and a note: nothing on stdout, exit 1, and what was
    // found said in one line.
    let (out, err, code) = stdout_of(postmortem().args(["draft", "-q"]).arg(dir.path()));
    assert_eq!((out.as_str(), code), ("", 1), "{err}");
    assert!(
        err.contains(
            "no usable input: 1 file read, none with a line with a timestamp; 3 files skipped (1 binary, 2 not logs by their names)"
        ),
        "{err}"
    );
    assert!(
        err.contains("2 files skipped as not logs by their names (error.png, graph.jpg)"),
        "{err}"
    );
    // A draft written beside the logs it came from is not read on the next run: its quoted
    // lines would come back as events.
    let logs = tempfile::tempdir().unwrap();
    let scenario = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/scenarios/table-lock/logs"));
    for file in ["access.log", "app.log", "mysql-general.log", "syslog"] {
        std::fs::copy(scenario.join(file), logs.path().join(file)).unwrap();
    }
    let draft = |dir: &std::path::Path| stdout_of(postmortem().args(["draft", "-q", "--tz", "America/New_York"]).arg(dir));
    let (first, _, code) = draft(logs.path());
    assert_eq!(code, 0);
    std::fs::write(logs.path().join("postmortem.md"), &first).unwrap();
    let (second, err, _) = draft(logs.path());
    assert_eq!(second, first, "{err}");
    assert!(err.contains("skipped as not logs by their names (postmortem.md)"), "{err}");
    // An empty folder.
    let empty = tempfile::tempdir().unwrap();
    let (out, err, code) = stdout_of(postmortem().args(["draft", "-q"]).arg(empty.path()));
    assert_eq!((out.as_str(), code), ("", 1), "{err}");
    assert!(err.contains("no usable input: no file found"), "{err}");
    // A path that does not exist: nothing on stdout either.
    let (out, err, code) = stdout_of(postmortem().args(["draft", "-q", "/nonexistent/logs"]));
    assert_eq!((out.as_str(), code), ("", 2), "{err}");
    let (out, _, code) = stdout_of(postmortem().args(["timeline", "/nonexistent/logs"]));
    assert_eq!((out.as_str(), code), ("", 2));
    // `sources` lists what was skipped, and why.
    let (out, _, _) = stdout_of(postmortem().args(["sources", "-q"]).arg(dir.path()));
    for (file, why) in [("error.png", "not a log by its name (.png)"), ("core", "binary file")] {
        assert!(out.lines().any(|l| l.contains(file) && l.contains(why)), "{out}");
    }
}

#[test]
fn every_refused_value_names_its_flag_and_shows_what_would_do() {
    let logs = fixtures();
    for (args, said) in [
        (
            vec!["--tz", "Mars/Base"],
            "--tz: unknown time zone `Mars/Base` (use an IANA name such as America/New_York",
        ),
        (vec!["--tz", "America/New_Yrok"], "did you mean America/New_York?"),
        (vec!["--bucket", "7x"], "--bucket: `7x` is not a duration (30s, 1m, 1h)"),
        (vec!["--lookback", "abc"], "--lookback: `abc` is not a duration (30s, 1m, 1h)"),
        (
            vec!["--since", "yesterday"],
            "--since: cannot read `yesterday` as a time (use RFC 3339",
        ),
        (vec!["--incident", "7"], "(give --incident 1"),
    ] {
        let (out, err, code) = stdout_of(postmortem().args(["draft", "-q"]).args(&args).arg(logs));
        assert_eq!((out.as_str(), code), ("", 2), "{args:?}: {err}");
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(!err.contains("parse integer"), "{args:?}: {err}");
    }
}

#[test]
fn a_window_outside_the_logs_is_said() {
    let (_, err, code) = stdout_of(
        postmortem()
            .args(["draft", "-q", "--tz", "UTC", "--since", "2030-01-01 00:00"])
            .arg(fixtures()),
    );
    assert_eq!(code, 0);
    assert!(
        err.contains("warning: --since 2030-01-01 00:00:00 UTC: the logs end at ") && err.contains("nothing in the window"),
        "{err}"
    );
    let (_, err, _) = stdout_of(
        postmortem()
            .args(["timeline", "--tz", "UTC", "--until", "2001-01-01"])
            .arg(fixtures()),
    );
    assert!(
        err.contains("warning: --until 2001-01-01 00:00:00 UTC: the logs begin at "),
        "{err}"
    );
}

#[test]
fn the_mermaid_chart_goes_where_it_renders() {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/table-lock/logs");
    let draft = |extra: &[&str]| {
        stdout_of(
            postmortem()
                .args(["draft", "-q", "--tz", "America/New_York"])
                .args(extra)
                .arg(&logs),
        )
        .0
    };
    // Piped (as here): auto puts it in, as into a file.
    assert!(draft(&[]).contains("```mermaid"));
    assert!(draft(&["--mermaid", "always"]).contains("```mermaid"));
    let without = draft(&["--mermaid", "never"]);
    assert!(!without.contains("mermaid") && without.contains("## Timeline"), "{without}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("draft.md");
    let (_, err, code) = stdout_of(
        postmortem()
            .args(["draft", "-q", "--tz", "America/New_York", "--output"])
            .arg(&file)
            .arg(&logs),
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&file).unwrap().contains("```mermaid"));
}

#[test]
fn version_is_a_subcommand_too() {
    let (out, _, code) = stdout_of(postmortem().arg("version"));
    let (flag, _, _) = stdout_of(postmortem().arg("--version"));
    assert_eq!(code, 0);
    assert_eq!(out, flag);
    // The JSON report's schema beside the program's version: what a consumer checks.
    let schema = postmortem::report::SCHEMA_VERSION;
    assert_eq!(
        out,
        format!("postmortem {} (JSON report schema {schema})\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_connection_line_is_never_offered_as_a_cause() {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/table-lock/logs");
    let (out, _, _) = stdout_of(postmortem().args(["draft", "-q", "--tz", "America/New_York"]).arg(&logs));
    assert!(!out.contains("using Socket"), "{out}");
}

/// The shell completions and the manual page come from the same definition as `--help`:
/// every command is in them.
#[test]
fn completions_and_the_manual_name_every_command() {
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("postmortem").unwrap().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]);
        for command in ["draft", "chart", "timeline", "sources", "rules", "synth"] {
            assert!(script.contains(command), "{shell}: {command}");
        }
        assert!(script.contains("--tz"), "{shell}");
    }
    let manual = run(&["manual"]);
    assert!(manual.starts_with(".ie") && manual.contains(".TH postmortem 1"));
    // The exit statuses are in `--help`, hence in the manual.
    assert!(manual.contains("Exit status"), "{manual}");
    assert!(manual.contains("draft") && manual.contains("timeline"));
    // Each command's own page has every option its `--help` lists.
    for command in ["draft", "chart", "timeline", "sources", "rules", "synth", "completions"] {
        let page = run(&["manual", command]);
        assert!(page.contains(&format!(".TH postmortem-{command} 1")), "{command}");
        let help = run(&[command, "--help"]);
        let flags: Vec<&str> = help
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']' || c == '=')
            .filter(|word| word.starts_with("--") && word.len() > 2)
            .map(|word| word.trim_end_matches(|c: char| !c.is_alphanumeric()))
            .collect();
        assert!(flags.contains(&"--help"), "{command}: {help}");
        for flag in flags {
            // roff escapes each hyphen.
            assert!(page.contains(&flag.replace('-', "\\-")), "{command}: {flag} not in its manual page");
        }
    }
}

#[test]
fn timings_say_each_stage_on_stderr_and_change_nothing_on_stdout() {
    let (plain, _, code) = stdout_of(postmortem().args(["draft", "-q", "--tz", "America/New_York"]).arg(fixtures()));
    assert_eq!(code, 0);
    let (timed, stderr, code) = stdout_of(
        postmortem()
            .args(["draft", "-q", "--timings", "--tz", "America/New_York"])
            .arg(fixtures()),
    );
    assert_eq!(code, 0);
    assert_eq!(timed, plain, "--timings changed the draft");
    let stages: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("postmortem: timings: "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        stages,
        ["discover", "probe", "scan", "clocks", "timeline", "analysis", "report", "render"],
        "{stderr}"
    );
    // The scan says what it read: the fixtures' bytes as stored.
    let bytes: u64 = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let scan = stderr.lines().find(|l| l.contains("timings: scan")).unwrap();
    assert!(
        scan.contains(&format!("{} bytes", postmortem::text::thousands(bytes))),
        "{scan} ({bytes} bytes)"
    );
    // Without the flag, nothing is said.
    let (_, quiet, _) = stdout_of(postmortem().args(["sources", "-q"]).arg(fixtures()));
    assert!(!quiet.contains("timings"), "{quiet}");
    let (_, sources, _) = stdout_of(postmortem().args(["sources", "-q", "--timings"]).arg(fixtures()));
    assert!(sources.contains("timings: render"), "{sources}");
}
