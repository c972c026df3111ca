//! Logs from systems in trouble, and runs that do not end well: files that grow while they
//! are read, streams cut mid-line, devices given as paths, floods of distinct lines, a
//! directory of very many small files, and a run killed before it could write its draft.
//! (A file truncated while mapped, a FIFO, a directory symlink loop, cut and corrupt gzip
//! files and a closed stdout are in `tests/cli.rs`.)

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
    // The size at open lies between the original and the final one; every line read is
    // whole (a cut line would fail to parse and not be timestamped).
    assert!(
        lines >= original && lines <= original + appended,
        "{lines} lines, {appended} appended"
    );
    assert_eq!(files[0]["timestamped"].as_u64().unwrap(), lines);
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
    assert!(out.contains("cron job started"), "{out}");
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
    let lines: u64 = episodes.iter().map(|e| e["count"].as_u64().unwrap()).sum();
    assert_eq!(lines, 200_000, "every line is counted");
    assert!(episodes.len() <= 257, "{} episodes", episodes.len());
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
