//! The exports of log platforms, as `fixtures/exports/` holds them (each in the shape its
//! platform documents, see that folder's README), read under `TZ=Asia/Tokyo`: a time
//! that the export gives in UTC, or with its offset, must not move with the machine's
//! zone; one it gives without a zone (Kibana's, in the browser's zone) is read in the
//! run's and said so.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/exports")).join(name)
}

/// `sources --format json` of one file, run in Tokyo: a source a reading of it.
fn sources_in_tokyo(path: &std::path::Path) -> Vec<Value> {
    let out = Command::cargo_bin("postmortem")
        .unwrap()
        .env("TZ", "Asia/Tokyo")
        .args(["sources", "-q", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first source of [`sources_in_tokyo`].
fn source_in_tokyo(path: &std::path::Path) -> Value {
    sources_in_tokyo(path).into_iter().next().unwrap()
}

/// Every fixture: how it is read, records timed, first and last instants, zone. The
/// instants are the records' own times, converted by hand from each file.
const EXPECTED: [(&str, &str, u64, &str, &str, &str); 12] = [
    (
        "azure-log-analytics.csv",
        "csv export",
        2,
        "2023-08-23T14:00:00.000Z",
        "2023-08-23T14:04:12.417Z",
        "UTC",
    ),
    (
        "cloudwatch-insights.csv",
        "csv export",
        2,
        "2025-03-31T09:37:18.780Z",
        "2025-03-31T09:37:21.002Z",
        "UTC",
    ),
    (
        "datadog.csv",
        "csv export",
        2,
        "2025-03-31T09:37:18.780Z",
        "2025-03-31T09:37:25.102Z",
        "UTC",
    ),
    (
        "splunk.csv",
        "csv export",
        2,
        "2025-03-31T09:37:18.000Z",
        "2025-03-31T09:37:40.000Z",
        "UTC",
    ),
    // Kibana prints the browser's wall clock with no zone: read in the run's.
    (
        "kibana-discover.csv",
        "csv export",
        2,
        "2026-03-31T00:37:18.780Z",
        "2026-03-31T00:38:02.114Z",
        "Asia/Tokyo",
    ),
    (
        "cloudwatch-filter-log-events.json",
        "json records",
        2,
        "2025-03-31T09:37:18.780Z",
        "2025-03-31T09:37:25.102Z",
        "UTC",
    ),
    (
        "gcloud-logging.json",
        "json records",
        1,
        "2025-03-31T09:37:18.780Z",
        "2025-03-31T09:37:18.780Z",
        "UTC",
    ),
    (
        "otlp-file-exporter.jsonl",
        "json records",
        1,
        "2025-03-31T09:37:18.780Z",
        "2025-03-31T09:37:18.780Z",
        "UTC",
    ),
    (
        "loki.jsonl",
        "loki",
        2,
        "2025-03-31T09:37:18.780Z",
        "2025-03-31T09:37:25.102Z",
        "UTC",
    ),
    // Two files a shipper tailed: the first source is the access log's lines.
    (
        "filebeat.ndjson",
        "shipper json, file 1 of 2",
        4,
        "2025-03-31T09:37:18.000Z",
        "2025-03-31T09:37:25.000Z",
        "UTC",
    ),
    (
        "vector.ndjson",
        "shipper json",
        4,
        "2025-03-31T09:37:18.000Z",
        "2025-03-31T09:37:25.000Z",
        "UTC",
    ),
    (
        "journal.export",
        "journal export",
        2,
        "2025-03-31T09:37:18.780Z",
        "2025-03-31T09:37:21.002Z",
        "UTC",
    ),
];

#[test]
fn every_platform_export_is_read_with_its_records_times() {
    let mut wrong = Vec::new();
    for (name, read, timed, first, last, zone) in EXPECTED {
        let s = source_in_tokyo(&fixture(name));
        let found = (
            s["read"].as_str().unwrap_or_default(),
            s["timestamped"].as_u64().unwrap_or_default(),
            s["first"].as_str().unwrap_or_default(),
            s["last"].as_str().unwrap_or_default(),
            s["zone"].as_str().unwrap_or_default(),
        );
        if found != (read, timed, first, last, zone) {
            wrong.push(format!("{name}: {found:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_fixture_of_the_folder_is_in_the_table() {
    let mut names: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    names.sort();
    let readme = std::fs::read_to_string(fixture("README.md")).unwrap();
    for name in &names {
        assert!(readme.contains(&format!("`{name}`")), "{name} is not described in the README");
    }
    let mut tested: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    tested.sort();
    assert_eq!(names, tested, "the fixtures and the table");
}

/// CloudWatch events whose messages are an nginx access log: read as the access log they
/// are, so the failed requests make the traffic series; a journal of many programs is
/// carried, each entry keeping its own time.
#[test]
fn messages_of_a_family_are_read_as_printed_and_others_carried() {
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<Value> = (0..40u64)
        .map(|i| {
            let s = i * 15;
            let status = if (10..25).contains(&i) { 502 } else { 200 };
            serde_json::json!({
                "logStreamName": "nginx/i-0abc",
                "timestamp": 1_743_411_600_000u64 + s * 1000,
                "message": format!("10.0.{}.{} - - [31/Mar/2025:09:{:02}:{:02} +0000] \"GET /api/cart HTTP/1.1\" {status} 512 \"-\" \"curl/8.5.0\"", i % 5, i, s / 60, s % 60),
                "ingestionTime": 1_743_411_600_500u64 + s * 1000,
                "eventId": i.to_string(),
            })
        })
        .collect();
    let path = dir.path().join("nginx-events.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&serde_json::json!({"events": events, "searchedLogStreams": []})).unwrap(),
    )
    .unwrap();
    let s = source_in_tokyo(&path);
    assert_eq!(s["read"], "json records, messages as printed");
    assert_eq!(s["format"], "access_log");
    assert_eq!(s["timestamped"], 40);
    let journal = source_in_tokyo(&fixture("journal.export"));
    assert_eq!(journal["read"], "journal export");
}

/// A shipper's export of two files, an access log and an application's log: one source a
/// file, named by it, each read in its family; the access log's lines count as requests,
/// the application's zone-less times are read in the zone the access log carries (not
/// the machine's), and every source keeps the export's line numbers.
#[test]
fn a_shippers_export_of_two_files_is_two_sources_each_in_its_family() {
    let sources = sources_in_tokyo(&fixture("filebeat.ndjson"));
    let read: Vec<(&str, &str, u64, u64, &str)> = sources
        .iter()
        .map(|s| {
            (
                s["part"].as_str().unwrap_or_default(),
                s["format"].as_str().unwrap_or_default(),
                s["lines"].as_u64().unwrap_or_default(),
                s["timestamped"].as_u64().unwrap_or_default(),
                s["first"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("/var/log/nginx/access.log", "access_log", 8, 4, "2025-03-31T09:37:18.000Z"),
            ("/srv/checkout/logs/app.log", "logback", 8, 4, "2025-03-31T09:37:18.780Z"),
        ]
    );
    let result = common::scan(&[fixture("filebeat.ndjson")]);
    let requests: Vec<(bool, u64, u64)> = result
        .series
        .iter()
        .map(|(group, series)| {
            let requests = series.buckets.values().map(|b| b.requests).sum();
            let failed = series.buckets.values().map(|b| b.failed()).sum();
            (group.ends_with(" (/var/log/nginx/access.log)"), requests, failed)
        })
        .collect();
    assert_eq!(requests, [(true, 4, 2)]);
}

/// A journal in systemd 252's compact layout with a ZSTD-compressed field (the corpus's
/// journals are all of the regular layout with XZ): its three entries, as `journalctl
/// --file … -o json` gives them (see fixtures/journald/README.md).
#[test]
fn a_compact_journal_with_compressed_fields_is_read_entry_by_entry() {
    use postmortem::source::{export_lines, Export, Style};
    let packed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/journald/compact-zstd.journal.zst")).unwrap();
    let journal = zstd::stream::decode_all(&packed[..]).unwrap();
    assert_eq!(&journal[12..16], &[0x1c, 0, 0, 0], "compact, ZSTD, keyed hash");
    let (lines, note) = export_lines(Export::JournalFile { mapped: false }, Style::Carried, journal);
    assert_eq!(note, None);
    let lines: Vec<&str> = std::str::from_utf8(&lines).unwrap().lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        "<11>2025-03-31T09:37:18.780123Z db-1 postgres[1487]: FATAL:  remaining connection slots are reserved for non-replication superuser connections"
    );
    // The compressed field, whole: 753 bytes of message.
    assert!(lines[1].starts_with("<12>2025-03-31T09:37:19.001000Z db-1 postgres[1487]: WARNING:  long query detail: SELECT * FROM orders"));
    assert!(lines[1].ends_with(",197,198,199)"));
    assert_eq!(lines[1].len() - lines[1].find("WARNING").unwrap(), 753);
    assert!(lines[2].starts_with("<14>2025-03-31T09:37:21.002113Z db-1 systemd[1]: Reloaded"));
}

/// A journal export of two hosts is read once a host, each a source of its own (its own
/// group, so baselined and clock-checked apart); every line keeps its number, and a line
/// of no host is read once.
#[test]
fn an_export_of_two_hosts_is_two_sources() {
    let dir = tempfile::tempdir().unwrap();
    let mut export = String::new();
    for i in 0..12u64 {
        let (host, program, message) = if i % 2 == 0 {
            (
                "web-1",
                "nginx",
                "upstream timed out (110: Connection timed out) while reading response header from upstream",
            )
        } else {
            ("db-1", "postgres", "FATAL:  sorry, too many clients already")
        };
        export.push_str(&format!(
            "__REALTIME_TIMESTAMP={}\nPRIORITY=3\n_HOSTNAME={host}\nSYSLOG_IDENTIFIER={program}\nMESSAGE={message}\n\n",
            1_743_413_838_000_000 + i * 1_000_000
        ));
        if i == 5 {
            export.push_str("Mar 31 09:37:18 web-1 nginx: a line pasted from elsewhere\n");
        }
    }
    let path = dir.path().join("fleet.export");
    std::fs::write(&path, export).unwrap();
    let result = common::scan(&[path]);
    let readings: Vec<(String, u64, u64)> = result
        .files
        .iter()
        .map(|f| (f.group.rsplit('/').next().unwrap().to_string(), f.lines, f.timestamped))
        .collect();
    // The pasted line is the first reading's only.
    assert_eq!(
        readings,
        [
            ("fleet.export (web-1)".to_string(), 73, 7),
            ("fleet.export (db-1)".to_string(), 73, 6)
        ]
    );
    let notes: Vec<&str> = result.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(notes, ["1 line was not a journal export field; read as it is"]);
}
