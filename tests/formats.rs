//! Each format read from fixture lines we wrote (fixtures/formats): the format sniffed,
//! how many lines carry a timestamp (continuation lines do not), the first instant, and
//! how many lines the built-in rules flag. Naive times are read in America/New_York
//! (UTC-5 in January) and yearless ones in 2024; the expected instants were worked out
//! by hand from the lines.

use postmortem::rules::RuleSet;
use postmortem::scan::{NoProgress, ScanOptions};
use postmortem::time::rfc3339_utc;
use std::path::Path;

const EXPECTED: &[(&str, &str, u64, u64, Option<&str>, u64)] = &[
    // file, format, lines, timestamped, first (UTC), events
    ("access.json", "json_access", 2, 2, Some("2024-01-21T15:30:00.000Z"), 1),
    ("apache_common.log", "access_log", 2, 2, Some("2024-01-21T14:30:00.000Z"), 0),
    ("apache_error.log", "apache_error", 3, 3, Some("2024-01-21T20:30:01.123Z"), 0),
    ("app.jsonl", "json", 2, 2, Some("2024-01-21T20:30:01.250Z"), 1),
    ("glog.log", "glog", 2, 2, Some("2024-01-21T20:30:01.619Z"), 0),
    ("laravel.log", "laravel", 3, 1, Some("2024-01-21T20:31:40.000Z"), 1),
    ("mysql51_error.log", "mysql_error", 3, 2, Some("2024-01-21T20:28:04.000Z"), 0),
    ("mysql8_error.log", "mysql_error", 3, 3, Some("2024-01-21T20:28:04.000Z"), 1),
    ("mysql_general.log", "mysql_general", 3, 3, Some("2024-01-21T20:30:00.100Z"), 0),
    ("mysql_slow.log", "mysql_slow", 9, 3, Some("2024-01-21T20:30:05.000Z"), 0),
    ("nginx_combined.log", "access_log", 5, 5, Some("2024-01-21T20:29:58.000Z"), 2),
    ("nginx_error.log", "nginx_error", 2, 2, Some("2024-01-21T20:30:01.000Z"), 0),
    ("nginx_request_time.log", "access_log", 2, 2, Some("2024-01-21T15:30:00.000Z"), 1),
    ("no_timestamps.txt", "unknown", 2, 0, None, 0),
    ("pgbouncer.log", "pgbouncer", 2, 2, Some("2024-01-21T20:31:10.586Z"), 0),
    ("postgres.log", "postgres", 6, 4, Some("2024-01-21T20:29:01.201Z"), 2),
    ("postgres_prefix.log", "postgres", 2, 2, Some("2024-01-21T20:29:01.000Z"), 1),
    ("python_app.log", "python", 6, 2, Some("2024-01-21T20:30:02.117Z"), 1),
    ("rails.log", "rails", 2, 2, Some("2024-01-21T20:31:41.123Z"), 0),
    ("spring.log", "logback", 2, 2, Some("2024-01-21T20:30:00.120Z"), 1),
    ("syslog", "syslog", 3, 3, Some("2024-01-21T20:28:01.000Z"), 1),
    ("syslog5424.log", "syslog", 2, 2, Some("2024-01-21T20:28:01.000Z"), 1),
    ("uwsgi.log", "uwsgi", 1, 1, Some("2024-01-21T20:30:01.000Z"), 1),
];

#[test]
fn each_fixture_reads_with_its_format_and_times() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats");
    let rules = RuleSet::load(&[], true).unwrap();
    let options = ScanOptions {
        zone: "America/New_York".parse().unwrap(),
        year: Some(2024),
        ..ScanOptions::default()
    };
    let result = postmortem::scan_paths(&[dir], &rules, &options, &NoProgress);
    let mut seen: Vec<_> = result
        .files
        .iter()
        .map(|f| {
            let name = Path::new(&f.display).file_name().unwrap().to_str().unwrap().to_string();
            (name, f.format.name(), f.lines, f.timestamped, f.first.map(rfc3339_utc), f.events)
        })
        .collect();
    seen.sort();
    let expected: Vec<_> = EXPECTED
        .iter()
        .map(|(n, f, l, t, first, e)| (n.to_string(), *f, *l, *t, first.map(str::to_string), *e))
        .collect();
    assert_eq!(seen, expected);
}
