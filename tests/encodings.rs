//! Logs as they are stored: a rotated set in every compression (one renamed without its
//! ending), UTF-16 in both byte orders, a UTF-8 byte order mark; each reads exactly as the
//! plain file does. Broken ones (a cut xz or zstd, UTF-16 with an odd byte, an archive)
//! get a one-line warning naming the file, and what could be read is kept.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

fn scenario_log(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/scenarios/table-lock/logs")
            .join(name),
    )
    .unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    w.write_all(bytes).unwrap();
    w.finish().unwrap()
}

fn bzip2(bytes: &[u8]) -> Vec<u8> {
    let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    w.write_all(bytes).unwrap();
    w.finish().unwrap()
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut w = liblzma::write::XzEncoder::new(Vec::new(), 1);
    w.write_all(bytes).unwrap();
    w.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 1).unwrap()
}

fn utf16(bytes: &[u8], big_endian: bool) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut out = if big_endian { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    out
}

/// `sources --format json` over `dir`: each file's object, and stderr.
fn sources(dir: &Path) -> (Vec<Value>, String, i32) {
    let out = Command::cargo_bin("postmortem")
        .unwrap()
        .args(["sources", "--format", "json", "--tz", "UTC", "--year", "2024"])
        .arg(dir)
        .output()
        .unwrap();
    let files: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        files.as_array().unwrap().clone(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

/// What a file was found to hold: format, lines, timed lines, first and last, events.
fn reading(file: &Value) -> (String, u64, u64, String, String, u64) {
    (
        file["format"].as_str().unwrap().to_string(),
        file["lines"].as_u64().unwrap(),
        file["timestamped"].as_u64().unwrap(),
        file["first"].to_string(),
        file["last"].to_string(),
        file["events"].as_u64().unwrap(),
    )
}

#[test]
fn every_encoding_reads_as_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let access = scenario_log("access.log");
    let app = scenario_log("app.log");
    let syslog = scenario_log("syslog");
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend_from_slice(&syslog);
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("access.log", access.clone(), "mmap"),
        ("access.log.1.gz", gzip(&access), "gzip"),
        ("access.log.2.bz2", bzip2(&access), "bzip2"),
        ("access.log.3.xz", xz(&access), "xz"),
        ("access.log.4.zst", zstd(&access), "zstd"),
        // Rotated by a tool that compresses without renaming: known by its first bytes.
        ("access.log.5", zstd(&access), "zstd"),
        ("app.log", app.clone(), "mmap"),
        ("app-le.log", utf16(&app, false), "utf-16le"),
        ("app-be.log", utf16(&app, true), "utf-16be"),
        ("syslog", syslog, "mmap"),
        ("syslog-bom", with_bom, "mmap"),
    ];
    for (name, bytes, _) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    // Old enough to be mapped rather than read (files written this second are read).
    std::thread::sleep(std::time::Duration::from_millis(10));
    let (found, stderr, code) = sources(dir.path());
    assert_eq!(code, 0, "{stderr}");
    let find = |name: &str| {
        found
            .iter()
            .find(|f| f["file"].as_str().unwrap().ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("{name} not read"))
    };
    for (name, _, read) in &files {
        let file = find(name);
        if *read != "mmap" {
            assert_eq!(file["read"], *read, "{name}");
        }
        let plain = match *name {
            n if n.starts_with("access") => "access.log",
            n if n.starts_with("app") => "app.log",
            _ => "syslog",
        };
        assert_eq!(reading(file), reading(find(plain)), "{name} reads as {plain}");
    }
    // The rotated set is one group, whatever each member's compression.
    let groups: std::collections::BTreeSet<&str> = found
        .iter()
        .filter(|f| f["file"].as_str().unwrap().contains("/access.log"))
        .map(|f| f["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups.len(), 1, "{groups:?}");
}

#[test]
fn text_that_begins_like_a_compressor_header_is_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("notes.log"),
        "BZh9 2024-01-21 15:30:00 ERROR a note that begins like bzip2\n2024-01-21 15:30:01 ERROR next\n",
    )
    .unwrap();
    let (found, stderr, code) = sources(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(matches!(found[0]["read"].as_str(), Some("mmap" | "read")), "{}", found[0]);
    assert_eq!(found[0]["lines"], 2);
}

#[test]
fn broken_encodings_are_named_and_what_was_read_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let access = scenario_log("access.log");
    let cut = |bytes: Vec<u8>| bytes[..bytes.len() / 2].to_vec();
    let mut odd = utf16(&scenario_log("app.log"), false);
    odd.pop();
    std::fs::write(dir.path().join("cut.log.xz"), cut(xz(&access))).unwrap();
    std::fs::write(dir.path().join("cut.log.zst"), cut(zstd(&access))).unwrap();
    std::fs::write(dir.path().join("odd.log"), &odd).unwrap();
    std::fs::write(dir.path().join("logs.zip"), b"PK\x03\x04").unwrap();
    std::fs::write(dir.path().join("logs.tar.gz"), gzip(b"not a tar")).unwrap();
    let (found, stderr, code) = sources(dir.path());
    assert_eq!(code, 0, "warnings only: {stderr}");
    for (name, says) in [
        ("cut.log.xz", "stopped early, kept what was read before"),
        ("cut.log.zst", "stopped early, kept what was read before"),
        ("odd.log", "odd number of bytes"),
        ("logs.zip", "a zip archive: not read"),
        ("logs.tar.gz", "a tar archive: not read"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}: {stderr}"));
        assert!(line.contains(says), "{line}");
    }
    let plain_lines = access.iter().filter(|&&b| b == b'\n').count() as u64;
    for name in ["cut.log.xz", "cut.log.zst", "odd.log"] {
        let file = found.iter().find(|f| f["file"].as_str().unwrap().ends_with(name)).unwrap();
        let (lines, timed) = (file["lines"].as_u64().unwrap(), file["timestamped"].as_u64().unwrap());
        // Lines before the break are read, every one whole (a cut line is dropped).
        assert!(lines > 0 && lines == timed, "{name}: {lines} lines, {timed} timed");
        if name != "odd.log" {
            assert!(lines < plain_lines);
        }
    }
}

/// A line as Docker's json-file driver stores it.
fn docker_record(line: &str, time: &str) -> String {
    format!(
        "{{\"log\":{},\"stream\":\"stdout\",\"time\":\"{time}\"}}\n",
        serde_json::to_string(&format!("{line}\n")).unwrap()
    )
}

/// The lines of `text` as containerd stores them, every seventh cut into two pieces.
fn cri_records(text: &[u8], time: &str) -> (String, u64) {
    let mut out = String::new();
    let mut pieces = 0;
    for (i, line) in std::str::from_utf8(text).unwrap().lines().enumerate() {
        let cut = line.len() / 2;
        if i % 7 == 3 && line.is_char_boundary(cut) && cut > 0 {
            out.push_str(&format!("{time} stdout P {}\n{time} stdout F {}\n", &line[..cut], &line[cut..]));
            pieces += 1;
        } else {
            out.push_str(&format!("{time} stdout F {line}\n"));
        }
    }
    (out, pieces)
}

/// A container's log, wrapped by Docker or containerd (and compressed by rotation),
/// reads as what the program printed: the same format, times and events as the plain
/// file, each line of it where the outer file has it. Lines the runtime cut into pieces
/// are joined (the pieces before the last give empty lines).
#[test]
fn a_containers_log_reads_as_the_program_printed_it() {
    let dir = tempfile::tempdir().unwrap();
    let access = scenario_log("access.log");
    let app = scenario_log("app.log");
    let runtime_time = "2024-01-21T20:30:00.120331872Z";
    let docker = |text: &[u8]| -> String {
        std::str::from_utf8(text)
            .unwrap()
            .lines()
            .map(|l| docker_record(l, runtime_time))
            .collect()
    };
    let (cri_app, pieces) = cri_records(&app, runtime_time);
    std::fs::write(dir.path().join("access.log"), &access).unwrap();
    std::fs::write(dir.path().join("app.log"), &app).unwrap();
    std::fs::write(dir.path().join("nginx-json.log"), docker(&access)).unwrap();
    std::fs::write(dir.path().join("nginx-json.log.1.gz"), gzip(docker(&access).as_bytes())).unwrap();
    std::fs::write(dir.path().join("app-cri.log"), &cri_app).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(10));
    let (found, stderr, code) = sources(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let find = |name: &str| {
        found
            .iter()
            .find(|f| f["file"].as_str().unwrap().ends_with(&format!("/{name}")))
            .unwrap()
    };
    assert_eq!(find("nginx-json.log")["read"], "docker json-file");
    assert_eq!(find("app-cri.log")["read"], "cri");
    assert_eq!(find("nginx-json.log.1.gz")["read"], "gzip, docker json-file");
    assert_eq!(reading(find("nginx-json.log")), reading(find("access.log")));
    assert_eq!(reading(find("nginx-json.log.1.gz")), reading(find("access.log")));
    let (format, lines, timed, first, last, events) = reading(find("app.log"));
    assert_eq!(reading(find("app-cri.log")), (format, lines + pieces, timed, first, last, events));
    assert!(pieces > 10);
}

/// A program that prints no time of its own gets the runtime's; a line that is not a
/// record (cut by a crash) is read as it is, and said once.
#[test]
fn a_container_without_times_of_its_own_gets_the_runtimes() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    log.push_str(&docker_record("worker 3 ready", "2024-01-21T20:29:58.000000001Z"));
    log.push_str(&docker_record(
        "ERROR could not obtain a connection from the pool within 5.000 seconds (waited 5.001 seconds); all pooled connections were in use",
        "2024-01-21T20:30:03.500000000Z",
    ));
    log.push_str("{\"log\":\"worker 3 stopp\n");
    std::fs::write(dir.path().join("worker.log"), log).unwrap();
    let (found, stderr, code) = sources(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("worker.log: 1 line was not a docker json-file record; read as it is"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let file = &found[0];
    assert_eq!(
        (file["lines"].as_u64(), file["timestamped"].as_u64(), file["events"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(file["first"], "2024-01-21T20:29:58.000Z");
    assert_eq!(file["last"], "2024-01-21T20:30:03.500Z");
}
