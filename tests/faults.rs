//! Logs from systems in trouble, and runs that do not end well: files that grow or shrink
//! while they are read, streams cut mid-line, devices given as paths, floods of distinct
//! lines, a directory of very many small files, a run killed before it could write its
//! draft, a run that fails (it writes no file), a closed stderr, a full disk on stdout,
//! and a symlink planted where a temporary file could go.
//! (A file truncated while mapped, a FIFO, a directory symlink loop, cut and corrupt gzip
//! files and a closed stdout are in `tests/cli.rs`.)

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "made-up test data of small, known numbers"
)]

mod common;
use assert_cmd::Command;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

fn postmortem() -> Command {
    let mut cmd = Command::cargo_bin("postmortem").unwrap();
    cmd.env("NO_COLOR", "1").env("TZ", "UTC");
    cmd
}

fn run(cmd: &mut Command) -> (String, String, i32) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn access_line(i: u64) -> String {
    format!(
        "10.0.{}.{} - - [21/Jan/2024:15:{:02}:{:02} +0000] \"GET /products/{i} HTTP/1.1\" 200 512 \"-\" \"curl/8.5\"\n",
        i / 256 % 256,
        i % 256,
        i / 60 % 60,
        i % 60
    )
}

fn sources_json(out: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(out).unwrap()
}

/// A file appended to while it is read is read up to its size when the scan began: whole
/// lines only, never a line cut by the writer, and no error.
#[test]
fn a_file_appended_to_while_scanned_is_read_up_to_its_size_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    let original = 200_000u64;
    let mut text = String::new();
    for i in 0..original {
        text.push_str(&access_line(i));
    }
    std::fs::write(&path, &text).unwrap();

    let bin = assert_cmd::cargo::cargo_bin("postmortem");
    let mut child = std::process::Command::new(bin)
        .args(["sources", "--format", "json"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Append until the scan is over, one whole line a write.
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    let mut appended = 0u64;
    while child.try_wait().unwrap().is_none() {
        file.write_all(access_line(original + appended).as_bytes()).unwrap();
        appended += 1;
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(appended > 0, "the test appended nothing");
    let files = sources_json(&stdout);
    let lines = files[0]["lines"].as_u64().unwrap();
    // The size at open lies between the original and the final one.
    assert!(
        lines >= original && lines <= original + appended,
        "{lines} lines, {appended} appended"
    );
    // A write that straddles a page boundary can be seen half done (the kernel grows the
    // size a page at a time), so the last line may be cut; every other line is whole.
    let timestamped = files[0]["timestamped"].as_u64().unwrap();
    assert!(timestamped == lines || timestamped + 1 == lines, "{timestamped} of {lines}");
}

/// A stream that ends in the middle of a line (the writer died) gives the lines before it
/// and the piece of the last one, with no error.
#[test]
fn stdin_closed_mid_line_keeps_what_came() {
    let bin = assert_cmd::cargo::cargo_bin("postmortem");
    let mut child = std::process::Command::new(bin)
        .args(["sources", "--format", "json", "--year", "2024", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"Jan 21 15:28:01 db1 CRON[7]: (root) CMD (/usr/bin/backup)\nJan 21 15:29:01 db1 CRON[8]: (ro")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let files = sources_json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!((files[0]["lines"].as_u64(), files[0]["timestamped"].as_u64()), (Some(2), Some(2)));
    assert_eq!(
        files[0]["events"].as_u64(),
        Some(1),
        "the whole cron line matched, the cut one did not"
    );
}

/// A device given as a path is refused at once, naming it; the other files are read.
#[test]
fn a_device_given_as_a_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("syslog"),
        "Jan 21 15:28:01 db1 CRON[7]: (root) CMD (/usr/bin/backup)\n",
    )
    .unwrap();
    let (out, err, code) = run(postmortem()
        .args(["timeline", "--year", "2024", "/dev/zero"])
        .arg(dir.path().join("syslog"))
        .timeout(std::time::Duration::from_secs(30)));
    assert_eq!(code, 2);
    assert!(err.contains("/dev/zero: not a regular file"), "{err}");
    assert!(out.contains("cron started"), "{out}");
}

/// 200,000 lines that each name another table make a bounded number of episodes, not one
/// a line.
#[test]
fn a_flood_of_distinct_lines_collapses_into_bounded_episodes() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..200_000u64 {
        text.push_str(&format!(
            "2024-01-21T15:{:02}:{:02}.000000Z 0 [ERROR] [MY-013134] [Server] Table './shop/t{i}' is marked as crashed and should be repaired\n",
            i / 60 % 60,
            i % 60
        ));
    }
    std::fs::write(dir.path().join("mysql-error.log"), text).unwrap();
    let (out, err, code) = run(postmortem().args(["timeline", "--format", "jsonl"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let episodes: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // An error burst counts the lines of every log together: the others count each once.
    let lines: u64 = episodes
        .iter()
        .filter(|e| e["category"] != "error_burst")
        .map(|e| e["count"].as_u64().unwrap())
        .sum();
    assert_eq!(lines, 200_000, "every line is counted");
    let runs = episodes.iter().filter(|e| e["category"] != "error_burst").count();
    assert!(runs <= 257, "{runs} episodes");
}

/// A log whose stamps lie nine thousand years apart (garbled ones): the minutes between
/// are never stored one by one (they would take 37 GB), and the draft is written.
#[test]
fn lines_thousands_of_years_apart_are_read_without_a_minute_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "0001-01-21T15:00:00.000000Z 0 [ERROR] [MY-013134] [Server] Table './shop/t0' is marked as crashed and should be repaired\n",
    );
    for i in 0..3_000u64 {
        text.push_str(&format!(
            "9024-01-21T{:02}:{:02}:{:02}.000000Z 0 [ERROR] [MY-013134] [Server] Table './shop/t1' is marked as crashed and should be repaired\n",
            14 + i / 3600,
            i / 60 % 60,
            i % 60
        ));
    }
    std::fs::write(dir.path().join("mysql-error.log"), text).unwrap();
    let (out, err, code) = run(postmortem().args(["draft", "-q"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("# "), "{out}");
}

/// JSON records whose error field is hostile: 8 MiB long, cut before its closing quote,
/// an object nested 10,000 deep, control characters and Markdown in it. Each is read
/// without a panic, its error quoted cut and escaped.
#[test]
fn hostile_error_fields_in_json_records_are_read_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..300u64 {
        text.push_str(&format!(
            "{{\"level\":\"info\",\"time\":\"2024-01-21T15:{:02}:{:02}Z\",\"msg\":\"tick\"}}\n",
            i / 60 % 60,
            i % 60
        ));
    }
    let huge = "x".repeat(8 << 20);
    text.push_str(&format!(
        "{{\"level\":\"error\",\"time\":\"2024-01-21T15:05:01Z\",\"msg\":\"sync failed\",\"error\":\"{huge}\"}}\n"
    ));
    let nested = format!("{}1{}", "{\"error\":".repeat(10_000), "}".repeat(10_000));
    text.push_str(&format!(
        "{{\"level\":\"error\",\"time\":\"2024-01-21T15:05:02Z\",\"msg\":\"deep\",\"error\":{nested}}}\n"
    ));
    text.push_str(
        "{\"level\":\"error\",\"time\":\"2024-01-21T15:05:03Z\",\"msg\":\"odd\",\"error\":\"\u{1b}[31m [link](http://x) <b>`rm`</b>\"}\n",
    );
    text.push_str("{\"level\":\"error\",\"time\":\"2024-01-21T15:05:04Z\",\"msg\":\"cut\",\"error\":\"never closed\n");
    std::fs::write(dir.path().join("worker.jsonl"), text).unwrap();
    let (out, err, code) = run(postmortem().args(["timeline", "--format", "jsonl"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let longest = out.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 20_000, "a line of {longest} bytes: the huge field was not cut");
    assert!(out.contains("sync failed: xxx"), "{}", &out[..out.len().min(2000)]);
    assert!(!out.contains('\u{1b}'), "a control character reached the output");
}

/// A shipper's export of two files (nginx's access lines, an app's) with hostile records
/// among them: a message of 8 MiB, a record nested 10,000 deep, a record cut short, a
/// file name full of control characters, bytes that are no UTF-8. Each is read without a
/// panic, every outer line counted once in each source, and the names shown cleaned.
#[test]
fn hostile_records_in_a_shippers_export_are_read_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let record = |file: &str, line: &str| {
        format!("{{\"file\":\"{file}\",\"host\":\"web-1\",\"message\":\"{line}\",\"timestamp\":\"2024-01-21T15:00:00Z\"}}\n")
    };
    let mut text = Vec::new();
    for i in 0..200u64 {
        let access = access_line(i).trim_end().replace('"', "\\\"");
        text.extend(record("/var/log/nginx/access.log", &access).into_bytes());
        let app = format!("2024-01-21 15:{:02}:{:02},000 ERROR [sync] batch {i} failed", i / 60 % 60, i % 60);
        text.extend(record("/srv/app/app.log\\u001b[31m", &app).into_bytes());
    }
    text.extend(record("/var/log/nginx/access.log", &"x".repeat(8 << 20)).into_bytes());
    let nested = format!("{}1{}", "{\"message\":".repeat(10_000), "}".repeat(10_000));
    text.extend(format!("{{\"file\":\"/var/log/nginx/access.log\",\"message\":{nested}}}\n").into_bytes());
    text.extend(b"{\"file\":\"/var/log/nginx/access.log\",\"message\":\"10.0.0.1 - - [21/Jan/2024:15:05:00 +0000] \\\"GET\n");
    text.extend(b"{\"file\":\"/srv/app/app.log\",\"message\":\"\xff\xfe 2024-01-21 15:05:00,000 ERROR \xc3\"}\n");
    std::fs::write(dir.path().join("vector.ndjson"), text).unwrap();
    let (out, err, code) = run(postmortem().args(["sources", "--format", "json"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let sources = sources_json(&out);
    let read: Vec<(&str, u64)> = sources
        .iter()
        .map(|s| (s["format"].as_str().unwrap(), s["lines"].as_u64().unwrap()))
        .collect();
    assert_eq!(read, [("access_log", 404), ("logback", 404)], "{err}");
    let (table, _, code) = run(postmortem().arg("sources").arg(dir.path()));
    assert_eq!(code, 0);
    assert!(!table.contains('\u{1b}'), "a control character reached the terminal");
}

/// A CDN's JSON access records (Cloudflare's fields) with hostile records among them: a
/// path of 8 MiB, a record nested 100,000 deep, one whose fields sit in arrays, a status
/// that is a word, a time that is no time, control characters in a path, a record cut
/// short, bytes that are no UTF-8, and an Envoy line cut in its middle. Each is read
/// without a panic; the well-formed requests are all counted, and no control character
/// reaches the terminal.
#[test]
fn hostile_records_in_a_json_access_log_are_read_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let record = |i: u64, status: &str, path: &str| {
        format!(
            r#"{{"ClientIP":"203.0.113.{}","ClientRequestMethod":"GET","ClientRequestURI":"{path}","EdgeStartTimestamp":{},"EdgeResponseStatus":{status},"OriginResponseDurationMs":12}}"#,
            i % 200,
            1_705_849_200_000_000_000u64 + i * 1_000_000_000
        ) + "\n"
    };
    let mut text = Vec::new();
    for i in 0..300u64 {
        text.extend(record(i, if i % 10 == 0 { "502" } else { "200" }, "/cart").into_bytes());
    }
    text.extend(record(300, "200", &"/x".repeat(4 << 20)).into_bytes());
    let nested = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    text.extend(
        format!(r#"{{"EdgeStartTimestamp":1705849500500000000,"EdgeResponseStatus":503,"deep":{nested},"ClientRequestURI":"/deep"}}"#)
            .into_bytes(),
    );
    text.extend(b"\n");
    text.extend(&br#"{"EdgeStartTimestamp":[1705849500000000000],"EdgeResponseStatus":[503],"ClientRequestURI":["/in-arrays"]}"#[..]);
    text.extend(b"\n");
    text.extend(record(301, r#""bad""#, "/word").into_bytes());
    text.extend(&br#"{"EdgeStartTimestamp":"never","EdgeResponseStatus":503,"ClientRequestURI":"/no-time"}"#[..]);
    text.extend(b"\n");
    text.extend(record(302, "503", r"/\u001b[31mred").into_bytes());
    text.extend(&br#"{"EdgeStartTimestamp":1705849503000000000,"EdgeResponseStatus":503,"ClientRequestURI":"/cut"#[..]);
    text.extend(b"\n");
    text.extend(&b"{\"EdgeStartTimestamp\":1705849504000000000,\"EdgeResponseStatus\":503,\"ClientRequestURI\":\"/\xff\xfe\xc3\"}\n"[..]);
    std::fs::write(dir.path().join("cloudflare.json"), text).unwrap();
    std::fs::write(
        dir.path().join("envoy.log"),
        "[2024-01-21T15:00:00.000Z] \"GET /pay HTTP/1.1\" 503 UH 0 19 0 - \"203.0.113.9\" \"curl\" \"id\" \"shop\" \"-\"\n".repeat(10)
            + "[2024-01-21T15:00:01.000Z] \"GET /pay HTTP/1.1\" 503 UF,U",
    )
    .unwrap();
    let (out, err, code) = run(postmortem().args(["sources", "--format", "json"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let sources = sources_json(&out);
    let formats: Vec<&str> = sources.iter().map(|s| s["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["json_access", "envoy"], "{err}");
    let result = common::scan(&[dir.path().join("cloudflare.json")]);
    let requests: u64 = result.series.values().flat_map(|s| s.buckets.values()).map(|b| b.requests).sum();
    // The 300, the deep record (its path read past its nesting), the red path, the record
    // cut in its path, the one of other bytes, and the one whose time is no time (at the
    // time of the record above, as any line without one); not the long path (cut at
    // --max-line before its time and status), the arrays' or the word's.
    assert_eq!(requests, 305);
    let (table, _, code) = run(postmortem().args(["timeline", "--raw"]).arg(dir.path()));
    assert_eq!(code, 0);
    assert!(!table.contains('\u{1b}'), "a control character reached the terminal");
    assert!(table.lines().map(str::len).max().unwrap_or(0) < 20_000, "a long path was not cut");
}

/// A directory of 100,000 small files is read whole: files are opened one at a time per
/// worker, never all at once.
#[test]
#[ignore = "slow: run by .ci/run with --ignored"]
fn a_directory_of_100_000_small_files() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100_000u64 {
        let sub = dir.path().join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("app-{i}.log")), access_line(i)).unwrap();
    }
    // A descriptor limit far below the number of files: the scan must not hold them open.
    let bin = assert_cmd::cargo::cargo_bin("postmortem");
    let output = std::process::Command::new("sh")
        .args(["-c", "ulimit -n 256 && exec \"$0\" \"$@\""])
        .arg(bin)
        .args(["sources", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        err.lines().take(5).collect::<Vec<_>>().join("\n")
    );
    let files = sources_json(&out);
    assert_eq!(files.len(), 100_000);
    assert!(files.iter().all(|f| f["lines"] == 1 && f["timestamped"] == 1));
}

/// A run killed before it wrote its draft leaves neither the draft nor a temporary file.
/// The run reads a stdin that is never closed, so it is surely mid-scan when killed.
#[test]
fn a_killed_run_leaves_no_partial_draft() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("postmortem");
    let mut child = std::process::Command::new(bin)
        .args(["draft", "-q", "--tz", "America/New_York", "--output"])
        .arg(out.join("draft.md"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line = "10.0.0.1 - - [21/Jan/2024:14:30:00 -0500] \"GET /cart HTTP/1.1\" 503 12 \"-\" \"-\"\n";
    stdin.write_all(line.repeat(10_000).as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert!(still_running, "the run ended with its stdin still open");
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!Path::new(&out.join("draft.md")).exists());
}

/// A user rule whose pattern would compile to a huge automaton is refused with its file,
/// line and rule, before anything is scanned.
#[test]
fn a_rule_too_large_to_compile_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("huge.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"huge\"\ntitle = \"t\"\ncategory = \"app_error\"\nseverity = \"error\"\npattern = '(?:a{1000}){1000}'\n",
    )
    .unwrap();
    let (_, err, code) = run(postmortem().args(["rules", "check"]).arg(&rules));
    assert_eq!(code, 1);
    assert!(err.contains("huge.toml:6: rule huge: pattern does not compile"), "{err}");
    assert!(err.contains("size limit"), "{err}");
    let (_, err, code) = run(postmortem().args(["timeline", "--rules"]).arg(&rules).arg("/dev/null"));
    assert_eq!(code, 1, "{err}");
}

/// A file read with pread (it was written in the last seconds, so it is not mapped) and
/// truncated during the scan: the run finishes, with a warning naming the file when it
/// noticed, and never panics. The race is real, so every timing is accepted but a crash.
#[test]
fn a_file_truncated_while_read_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.log");
    let line = access_line(7);
    for attempt in 0..4 {
        let mut file = std::fs::File::create(&path).unwrap();
        for _ in 0..(48 << 20) / line.len() {
            file.write_all(line.as_bytes()).unwrap();
        }
        drop(file);
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("postmortem"))
            .args(["sources", "--threads", "1", "--tz", "UTC"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(10 + 40 * attempt));
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
        let output = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(!err.contains("panicked"), "{err}");
        match output.status.code() {
            Some(0) => assert!(!err.contains("shrank") || err.contains("fresh.log: the file shrank"), "{err}"),
            // Truncated before the probe read it: an empty file.
            Some(1) => assert!(err.contains("no usable input"), "{err}"),
            other => panic!("unexpected exit {other:?}: {err}"),
        }
    }
}

/// Warnings written to a stderr whose reader has gone (`2>&1 | head -1`) are dropped; the
/// run goes on and ends as it would have.
#[test]
fn a_closed_stderr_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    // Files that each give a warning: binary, unknown format.
    for i in 0..40 {
        std::fs::write(dir.path().join(format!("blob{i}.bin")), b"\x00\x01\x02 binary").unwrap();
        std::fs::write(dir.path().join(format!("notes{i}.txt")), b"no time here\nnor here\n").unwrap();
    }
    std::fs::write(dir.path().join("access.log"), access_line(1)).unwrap();
    for command in ["sources", "timeline", "draft"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("postmortem"))
            .args([command, "--tz", "UTC"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reading end closes before the program writes its first warning.
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{command}: {status:?}");
    }
}

/// A failed run writes no `--output` and no `--chart`, and says why.
#[test]
fn a_failed_run_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = dir.path().join("d.md");
    let chart = dir.path().join("c.svg");
    let logs_without_access = dir.path().join("app");
    std::fs::create_dir(&logs_without_access).unwrap();
    std::fs::write(
        logs_without_access.join("app.log"),
        "2024-01-21 15:30:00,120 ERROR checkout: payment service did not answer\n",
    )
    .unwrap();
    let cases: [(&[&str], &Path, i32, &str); 3] = [
        (&["draft", "--tz", "UTC"], &dir.path().join("missing.log"), 2, "could not be read"),
        (&["draft", "--tz", "UTC"], &empty, 1, "no usable input"),
        // Nothing to chart: neither the chart nor the draft beside it.
        (
            &["draft", "--tz", "UTC", "--chart"],
            &logs_without_access,
            2,
            "the chart could not be drawn",
        ),
    ];
    for (args, input, code, why) in cases {
        let mut cmd = postmortem();
        cmd.args(args);
        if args.contains(&"--chart") {
            cmd.arg(&chart);
        }
        let (_, err, status) = run(cmd.arg("--output").arg(&out).arg(input));
        assert_eq!(status, code, "{args:?}: {err}");
        assert!(err.contains("d.md") && err.contains("not written") && err.contains(why), "{err}");
        assert!(!out.exists() && !chart.exists(), "{args:?}: a file was written");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 2, "nothing else either: {left:?}");
    }
    let (_, err, status) = run(postmortem().args(["chart", "--tz", "UTC", "--output"]).arg(&chart).arg(&empty));
    assert_eq!(status, 1, "{err}");
    assert!(!chart.exists());
}

/// A symlink planted where a writer might put its temporary file (the name the old
/// writer used, `.NAME.PID.tmp`, for the process ids the run may get) is never followed:
/// the file it points to is untouched, and the draft is written.
#[test]
fn a_planted_symlink_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "not yours").unwrap();
    let next_pid = std::process::id();
    for pid in next_pid..next_pid + 3000 {
        std::os::unix::fs::symlink(&victim, dir.path().join(format!(".draft.md.{pid}.tmp"))).unwrap();
    }
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/table-lock/logs");
    let out = dir.path().join("draft.md");
    let (_, err, status) = run(postmortem().args(["draft", "--tz", "UTC", "--output"]).arg(&out).arg(&logs));
    assert_eq!(status, 0, "{err}");
    assert!(err.contains(&format!("wrote {}", out.display())), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "not yours");
    assert!(std::fs::read_to_string(&out).unwrap().contains("## Issue Summary"));
    assert!(std::fs::symlink_metadata(&out).unwrap().file_type().is_file());
}

/// Every command that prints says so when its stdout cannot be written (a full disk),
/// with exit status 2; a closed pipe ends quietly (see `tests/cli.rs`).
#[test]
fn a_write_error_on_stdout_is_exit_2() {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/table-lock/logs");
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let commands: [&[&str]; 6] = [
        &["draft", "--tz", "UTC"],
        &["timeline", "--tz", "UTC"],
        &["sources", "--tz", "UTC"],
        &["rules", "list"],
        &["rules", "show"],
        &["rules", "check"],
    ];
    for args in commands {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("postmortem"));
        cmd.args(args);
        if args[0] != "rules" {
            cmd.arg(&logs);
        }
        let output = cmd.stdout(full()).stderr(Stdio::piped()).output().unwrap();
        let (err, status) = (String::from_utf8_lossy(&output.stderr), output.status.code().unwrap_or(-1));
        assert_eq!(status, 2, "{args:?}: {err}");
        assert!(err.contains("<stdout>"), "{args:?}: {err}");
    }
}

/// A journal file, export, JSON document and CSV export cut anywhere or with bytes changed: read
/// without a panic, each giving at most as many lines as the whole does (the binary
/// journal: at most its entries) and a one-line note where something was not read.
#[test]
fn exports_cut_or_corrupted_never_panic() {
    use postmortem::source::{export_lines, Export, Style};
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-logs");
    if !shared.is_dir() {
        eprintln!("skipped: ../shared/real-logs is not there");
        return;
    }
    let journal =
        std::fs::read(shared.join("kjournald/system@c485fef5d17c4272a4a539c4e4708f9e-0000000000000191-0005bd6c979f361b.journal")).unwrap();
    let export = std::fs::read(shared.join("kjournald/journalexportformat_binary_example.export")).unwrap();
    let events = std::fs::read(shared.join("fluent-bit/in_kubernetes_events/eventlist_v1_with_lastTimestamp.json")).unwrap();
    let count = |lines: &[u8]| lines.iter().filter(|&&b| b == b'\n').count();
    let (whole, _) = export_lines(Export::JournalFile { mapped: false }, Style::Carried, journal.clone());
    assert_eq!(count(&whole), 430);
    // A xorshift generator: the same cuts and changes on every run.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..400 {
        let mut bytes = journal.clone();
        if round % 2 == 0 {
            bytes.truncate(next() as usize % journal.len());
        } else {
            for _ in 0..8 {
                let at = next() as usize % bytes.len();
                bytes[at] = next() as u8;
            }
        }
        let (lines, note) = export_lines(Export::JournalFile { mapped: false }, Style::Carried, bytes);
        assert!(count(&lines) <= 430, "round {round}: {} lines", count(&lines));
        assert!(note.is_none_or(|n| !n.contains('\n')));
    }
    let csv = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/exports/datadog.csv")).unwrap();
    for (export_kind, whole) in [
        (Export::JournalExport, &export),
        (Export::JsonDocument, &events),
        (Export::Csv, &csv),
    ] {
        let lines_whole = count(&export_lines(export_kind, Style::Carried, whole.clone()).0);
        for cut in 0..whole.len() {
            let (lines, note) = export_lines(export_kind, Style::Carried, whole[..cut].to_vec());
            assert!(count(&lines) <= lines_whole.max(1), "{export_kind:?} cut at {cut}");
            assert!(note.is_none_or(|n| !n.contains('\n')));
        }
        for _ in 0..200 {
            let mut bytes = whole.clone();
            let at = next() as usize % bytes.len();
            bytes[at] = next() as u8;
            let _ = export_lines(export_kind, Style::Printed { stamped: true }, bytes);
        }
    }
}
