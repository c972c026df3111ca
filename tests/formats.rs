//! Each format read from fixture lines we wrote (fixtures/formats): the format sniffed,
//! how many lines carry a timestamp (continuation lines do not), the first instant, and
//! how many lines the built-in rules flag (each count was traced to its lines). Naive times are read in America/New_York
//! (UTC-5 in January) and yearless ones in 2024; the expected instants were worked out
//! by hand from the lines.

use postmortem::rules::RuleSet;
use postmortem::scan::{NoProgress, ScanOptions};
use postmortem::time::rfc3339_utc;
use std::path::Path;

/// What one file should read as: name, format, lines, timestamped lines, first instant
/// (UTC), events.
struct Expected(&'static str, &'static str, u64, u64, Option<&'static str>, u64);

const EXPECTED: &[Expected] = &[
    Expected("access.json", "json_access", 2, 2, Some("2024-01-21T15:30:00.000Z"), 1),
    Expected("apache_common.log", "access_log", 2, 2, Some("2024-01-21T14:30:00.000Z"), 0),
    Expected("apache_error.log", "apache_error", 3, 3, Some("2024-01-21T20:30:01.123Z"), 3),
    Expected("app.jsonl", "json", 2, 2, Some("2024-01-21T20:30:01.250Z"), 1),
    Expected("glog.log", "glog", 2, 2, Some("2024-01-21T20:30:01.619Z"), 1),
    Expected("laravel.log", "laravel", 3, 1, Some("2024-01-21T20:31:40.000Z"), 1),
    Expected("mysql51_error.log", "mysql_error", 3, 2, Some("2024-01-21T20:28:04.000Z"), 2),
    Expected("mysql8_error.log", "mysql_error", 3, 3, Some("2024-01-21T20:28:04.000Z"), 3),
    Expected("mysql_general.log", "mysql_general", 3, 3, Some("2024-01-21T20:30:00.100Z"), 1),
    Expected("mysql_slow.log", "mysql_slow", 9, 3, Some("2024-01-21T20:30:05.000Z"), 2),
    Expected("nginx_combined.log", "access_log", 5, 5, Some("2024-01-21T20:29:58.000Z"), 2),
    Expected("nginx_error.log", "nginx_error", 2, 2, Some("2024-01-21T20:30:01.000Z"), 2),
    Expected("nginx_request_time.log", "access_log", 2, 2, Some("2024-01-21T15:30:00.000Z"), 1),
    Expected("no_timestamps.txt", "unknown", 2, 0, None, 0),
    Expected("pgbouncer.log", "pgbouncer", 2, 2, Some("2024-01-21T20:31:10.586Z"), 1),
    Expected("postgres.log", "postgres", 6, 4, Some("2024-01-21T20:29:01.201Z"), 2),
    Expected("postgres_prefix.log", "postgres", 2, 2, Some("2024-01-21T20:29:01.000Z"), 1),
    Expected("python_app.log", "python", 6, 2, Some("2024-01-21T20:30:02.117Z"), 3),
    Expected("rails.log", "rails", 2, 2, Some("2024-01-21T20:31:41.123Z"), 1),
    Expected("spring.log", "logback", 2, 2, Some("2024-01-21T20:30:00.120Z"), 2),
    Expected("syslog", "syslog", 3, 3, Some("2024-01-21T20:28:01.000Z"), 2),
    Expected("syslog5424.log", "syslog", 2, 2, Some("2024-01-21T20:28:01.000Z"), 1),
    Expected("uwsgi.log", "uwsgi", 1, 1, Some("2024-01-21T20:30:01.000Z"), 1),
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
        .map(|Expected(n, f, l, t, first, e)| (n.to_string(), *f, *l, *t, first.map(str::to_string), *e))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn access_lines_are_counted_into_per_minute_series() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats/nginx_combined.log");
    let rules = RuleSet::load(&[], true).unwrap();
    let result = postmortem::scan_paths(std::slice::from_ref(&file), &rules, &ScanOptions::default(), &NoProgress);
    let series = result.series.values().next().expect("a series for the access log");
    // 15:29:58 and 15:29:59 fall in one minute, the three lines of 15:30 in the next.
    let buckets: Vec<_> = series.buckets.values().collect();
    assert_eq!(buckets.len(), 2);
    let (before, during) = (buckets[0], buckets[1]);
    assert_eq!((before.requests, before.failed(), before.clients.count()), (2, 0, 2));
    assert_eq!((during.requests, during.failed(), during.by_class[3]), (3, 2, 1));
    // 10.0.0.1, .3 and .4 in that minute; .1 and .3 got a 5xx.
    assert_eq!((during.clients.count(), during.failed_clients.count()), (3, 2));
}
