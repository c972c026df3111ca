//! Real logs written by other projects (../shared/real-logs, see its SOURCES.md) must be
//! read with their right format, and at least 99 % of the lines that begin with a
//! timestamp must get the right instant.
//!
//! "Right" is decided by an oracle independent of our parsers: a regex per file family
//! that finds the timestamp text, and chrono's own `parse_from_str` for its value.

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use postmortem::format::{sniff, Format};
use postmortem::time::{Micros, TimeContext, YearPlan, Zone};
use regex::Regex;
use std::path::{Path, PathBuf};

fn real_logs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-logs")
}

/// How the oracle reads the leading timestamp of a family's lines.
#[derive(Clone, Copy)]
enum Oracle {
    /// `[17/May/2015:10:05:03 +0000]`
    Clf,
    /// ISO-like at the start (after `skip` bytes); `T` or space; `.`/`,` fraction; an
    /// optional `Z`, offset or zone abbreviation; naive ones read as UTC.
    Iso { skip: usize },
    /// `2016/10/25 14:49:34`
    SlashDate,
    /// `[Sun Dec 04 04:47:44 2005]` at the start, or after `} ` for uWSGI.
    Ctime { after: &'static str },
    /// `Jun 14 15:16:01`, year from the plan.
    Syslog { year: i32 },
    /// `080721  3:04:00`
    MysqlShort,
    /// `081109 203615`
    Hadoop,
    /// `17/06/09 20:10:40`
    SlashShort,
    /// `E0517 15:04:22.619632`, year from the plan.
    Glog { year: i32 },
    /// `- 1131566461 2005.11.09 …`
    TaggedEpoch,
    /// `"__REALTIME_TIMESTAMP" : "1534860261221373"`
    Journald,
    /// `# Time: …` (ISO or short) and `SET timestamp=N;`
    SlowLog,
}

fn zone_offset(text: &str) -> Option<i64> {
    let text = text.trim();
    Some(match text {
        "" | "Z" | "UTC" | "GMT" => 0,
        "CET" => 3600,
        "CEST" => 7200,
        "EST" => -5 * 3600,
        _ => {
            let sign = if text.starts_with('-') { -1 } else { 1 };
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            let hours: i64 = digits.get(0..2)?.parse().ok()?;
            let minutes: i64 = digits.get(2..4).unwrap_or("0").parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    })
}

fn naive_micros(dt: NaiveDateTime, offset_secs: i64) -> Micros {
    dt.and_utc().timestamp_micros() - offset_secs * 1_000_000
}

struct OracleRegexes {
    clf: Regex,
    iso: Regex,
    slash_date: Regex,
    ctime: Regex,
    syslog: Regex,
    mysql_short: Regex,
    hadoop: Regex,
    slash_short: Regex,
    glog: Regex,
    tagged: Regex,
    journald: Regex,
    set_timestamp: Regex,
}

impl OracleRegexes {
    fn new() -> OracleRegexes {
        OracleRegexes {
            clf: Regex::new(r"\[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2}) ([+-]\d{4})\]").unwrap(),
            iso: Regex::new(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2}| (?:UTC|GMT|CET|CEST|EST)\b)?")
                .unwrap(),
            slash_date: Regex::new(r"^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})").unwrap(),
            ctime: Regex::new(r"^\[(\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2}) (\d{4})\]").unwrap(),
            syslog: Regex::new(r"^(\w{3}) +(\d{1,2}) (\d{2}:\d{2}:\d{2})").unwrap(),
            mysql_short: Regex::new(r"^(\d{6}) +(\d{1,2}):(\d{2}):(\d{2})").unwrap(),
            hadoop: Regex::new(r"^(\d{6} \d{6}) ").unwrap(),
            slash_short: Regex::new(r"^(\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})").unwrap(),
            glog: Regex::new(r"^[IWEF](\d{2})(\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})").unwrap(),
            tagged: Regex::new(r"^\S+ (\d{10}) \d{4}\.\d{2}\.\d{2} ").unwrap(),
            journald: Regex::new(r#""__REALTIME_TIMESTAMP" : "(\d{16})""#).unwrap(),
            set_timestamp: Regex::new(r"^SET timestamp=(\d+);").unwrap(),
        }
    }

    fn iso_at(&self, text: &str) -> Option<Micros> {
        let c = self.iso.captures(text)?;
        let fraction = c.get(3).map_or(String::new(), |f| format!(".{}", f.as_str()));
        let dt = NaiveDateTime::parse_from_str(&format!("{} {}{}", &c[1], &c[2], fraction), "%Y-%m-%d %H:%M:%S%.f").ok()?;
        Some(naive_micros(dt, zone_offset(c.get(4).map_or("", |z| z.as_str()))?))
    }

    /// The instant of the line's leading timestamp, or `None` if it does not begin with one.
    fn expected(&self, oracle: Oracle, line: &str) -> Option<Micros> {
        match oracle {
            Oracle::Clf => {
                let c = self.clf.captures(line)?;
                let dt = NaiveDateTime::parse_from_str(&c[1], "%d/%b/%Y:%H:%M:%S").ok()?;
                Some(naive_micros(dt, zone_offset(&c[2])?))
            }
            Oracle::Iso { skip } => self.iso_at(line.get(skip..)?),
            Oracle::SlashDate => {
                let c = self.slash_date.captures(line)?;
                Some(naive_micros(NaiveDateTime::parse_from_str(&c[1], "%Y/%m/%d %H:%M:%S").ok()?, 0))
            }
            Oracle::Ctime { after } => {
                let at = if after.is_empty() { 0 } else { line.find(after)? + after.len() - 1 };
                let c = self.ctime.captures(line.get(at..)?)?;
                let dt = NaiveDateTime::parse_from_str(&format!("{} {}", &c[1], &c[2]), "%a %b %d %H:%M:%S %Y").ok()?;
                Some(naive_micros(dt, 0))
            }
            Oracle::Syslog { year } => {
                let c = self.syslog.captures(line)?;
                let text = format!("{year} {} {} {}", &c[1], &c[2], &c[3]);
                Some(naive_micros(NaiveDateTime::parse_from_str(&text, "%Y %b %d %H:%M:%S").ok()?, 0))
            }
            Oracle::MysqlShort => {
                let c = self.mysql_short.captures(line)?;
                let text = format!("{} {:0>2}:{}:{}", &c[1], &c[2], &c[3], &c[4]);
                Some(naive_micros(NaiveDateTime::parse_from_str(&text, "%y%m%d %H:%M:%S").ok()?, 0))
            }
            Oracle::Hadoop => {
                let c = self.hadoop.captures(line)?;
                Some(naive_micros(NaiveDateTime::parse_from_str(&c[1], "%y%m%d %H%M%S").ok()?, 0))
            }
            Oracle::SlashShort => {
                let c = self.slash_short.captures(line)?;
                Some(naive_micros(NaiveDateTime::parse_from_str(&c[1], "%y/%m/%d %H:%M:%S").ok()?, 0))
            }
            Oracle::Glog { year } => {
                let c = self.glog.captures(line)?;
                let date = NaiveDate::from_ymd_opt(year, c[1].parse().ok()?, c[2].parse().ok()?)?;
                let time = chrono::NaiveTime::parse_from_str(&format!("{}.{}", &c[3], &c[4]), "%H:%M:%S%.f").ok()?;
                Some(naive_micros(date.and_time(time), 0))
            }
            Oracle::TaggedEpoch => Some(self.tagged.captures(line)?[1].parse::<i64>().ok()? * 1_000_000),
            Oracle::Journald => self.journald.captures(line)?[1].parse().ok(),
            Oracle::SlowLog => {
                if let Some(rest) = line.strip_prefix("# Time: ") {
                    return self.iso_at(rest).or_else(|| self.expected(Oracle::MysqlShort, rest));
                }
                Some(self.set_timestamp.captures(line)?[1].parse::<i64>().ok()? * 1_000_000)
            }
        }
    }
}

/// Every file of ../shared/real-logs that has timestamps, with its format and oracle.
const CASES: &[(&str, Format, Oracle)] = &[
    ("elastic-beats/error.log", Format::NginxError, Oracle::SlashDate),
    ("elastic-beats/mysql-ubuntu-8.0.15.log", Format::MysqlError, Oracle::Iso { skip: 0 }),
    ("elastic-examples/apache_logs.head2000", Format::AccessLog, Oracle::Clf),
    ("elastic-examples/auth.log.head1000", Format::Syslog, Oracle::Syslog { year: 2020 }),
    ("lnav/logfile_access_log.0", Format::AccessLog, Oracle::Clf),
    ("lnav/logfile_access_log.1", Format::AccessLog, Oracle::Clf),
    ("lnav/logfile_shop_access_log.0", Format::AccessLog, Oracle::Clf),
    ("lnav/logfile_filter.0", Format::Syslog, Oracle::Syslog { year: 2020 }),
    ("lnav/logfile_glog.0", Format::Glog, Oracle::Glog { year: 2020 }),
    ("lnav/logfile_haproxy.0", Format::HaproxyHttp, Oracle::Syslog { year: 2020 }),
    ("lnav/logfile_java.0", Format::Logback, Oracle::Iso { skip: 0 }),
    ("lnav/logfile_journald.json", Format::JsonLines, Oracle::Journald),
    ("lnav/logfile_mysql_error.0", Format::MysqlError, Oracle::Iso { skip: 0 }),
    ("lnav/logfile_mysql_gen.0", Format::MysqlGeneral, Oracle::Iso { skip: 0 }),
    ("lnav/logfile_mysql_slow.0", Format::MysqlSlow, Oracle::SlowLog),
    ("lnav/logfile_postgres.1", Format::Postgres, Oracle::Iso { skip: 0 }),
    ("lnav/logfile_postgres.2", Format::Postgres, Oracle::Iso { skip: 0 }),
    ("lnav/logfile_spark.0", Format::Log4jShort, Oracle::SlashShort),
    ("lnav/logfile_syslog.0", Format::Syslog, Oracle::Syslog { year: 2020 }),
    (
        "lnav/logfile_syslog_with_mixed_times.0",
        Format::Syslog,
        Oracle::Syslog { year: 2020 },
    ),
    ("lnav/logfile_uwsgi.0", Format::Uwsgi, Oracle::Ctime { after: "} [" }),
    ("loghub/Apache_2k.log", Format::ApacheError, Oracle::Ctime { after: "" }),
    ("loghub/HDFS_2k.log", Format::Log4jShort, Oracle::Hadoop),
    ("loghub/Linux_2k.log", Format::Syslog, Oracle::Syslog { year: 2020 }),
    ("loghub/OpenSSH_2k.log", Format::Syslog, Oracle::Syslog { year: 2020 }),
    ("loghub/Thunderbird_2k.log", Format::TaggedSyslog, Oracle::TaggedEpoch),
    ("percona-toolkit/deadlocks/bug_1082104.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/deadlocks/bug_1195034.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/deadlocks/bug_903443.txt", Format::MysqlError, Oracle::MysqlShort),
    (
        "percona-toolkit/deadlocks/innodb-status.001.txt",
        Format::MysqlError,
        Oracle::MysqlShort,
    ),
    ("percona-toolkit/errlogs/errlog001.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog002.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog003.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog004.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog005.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog006.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog007.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog008.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog009.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/errlogs/errlog010.txt", Format::MysqlError, Oracle::MysqlShort),
    ("percona-toolkit/galera/node1.log", Format::MysqlError, Oracle::Iso { skip: 0 }),
    (
        "percona-toolkit/galera/operator_concurrent_ssts_node1.lines2001-2300.log",
        Format::JsonLines,
        Oracle::Iso { skip: 8 },
    ),
    ("percona-toolkit/slowlogs/slow001.txt", Format::MysqlSlow, Oracle::SlowLog),
    ("percona-toolkit/slowlogs/slow002.txt", Format::MysqlSlow, Oracle::SlowLog),
    ("percona-toolkit/slowlogs/slow013.txt", Format::MysqlSlow, Oracle::SlowLog),
    ("percona-toolkit/slowlogs/slow059.txt", Format::MysqlSlow, Oracle::SlowLog),
    ("pgbadger/light.postgres.log", Format::Postgres, Oracle::Iso { skip: 0 }),
    (
        "pgbadger/pg-syslog.1.head1000",
        Format::PostgresSyslog,
        Oracle::Syslog { year: 2020 },
    ),
    ("pgbadger/pg_vacuums.log.head600", Format::Postgres, Oracle::Iso { skip: 0 }),
    ("pgbadger/pgbouncer.1.21.log.head1000", Format::Pgbouncer, Oracle::Iso { skip: 0 }),
    ("pgbadger/pgbouncer.log.head1000", Format::Pgbouncer, Oracle::Iso { skip: 0 }),
    ("pgbadger/queryid.log", Format::Postgres, Oracle::Iso { skip: 0 }),
    ("pgbadger/rds.log.head1000", Format::Postgres, Oracle::Iso { skip: 0 }),
    ("pgbadger/tempfile_only.log", Format::Postgres, Oracle::Iso { skip: 0 }),
];

/// Files there that carry no timestamps (or are not logs): they must not be mistaken
/// for a timestamped format.
const UNTIMED: &[&str] = &["percona-toolkit/processlist/processlist-001.txt", "SOURCES.md"];

/// Files that mix shapes, and what is expected of each: file, format, timestamped lines,
/// first instant (naive times read in UTC).
const MIXED: &[(&str, Format, u64, &str)] = &[
    // `docker compose` output: a Flask app's untimed lines and Redis 7's
    // `1:M 25 Apr 2024 05:32:35.019 * …` after each container's prefix.
    ("lnav/logfile_docker_compose.0", Format::Prefixed, 11, "2024-04-25T05:32:35.018Z"),
];

#[test]
fn files_that_mix_shapes_read_as_expected() {
    if !common::have_real_logs() {
        return;
    }
    for &(name, format, timestamped, first) in MIXED {
        let rules = postmortem::rules::RuleSet::load(&[], true).unwrap();
        let options = postmortem::scan::ScanOptions {
            zone: Zone::UTC,
            ..postmortem::scan::ScanOptions::default()
        };
        let result = postmortem::scan_paths(&[real_logs().join(name)], &rules, &options, &postmortem::scan::NoProgress);
        let file = &result.files[0];
        assert_eq!(file.format, format, "{name}");
        assert_eq!(file.timestamped, timestamped, "{name}");
        assert_eq!(file.first.map(postmortem::time::rfc3339_utc).as_deref(), Some(first), "{name}");
    }
}

#[test]
fn every_real_log_reads_with_its_format_and_right_times() {
    if !common::have_real_logs() {
        return;
    }
    let root = real_logs();
    let oracles = OracleRegexes::new();
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for &(name, expected_format, oracle) in CASES {
        let bytes = std::fs::read(root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let format = sniff(&bytes[..bytes.len().min(64 * 1024)]).format;
        if format != expected_format {
            failures.push(format!("{name}: sniffed {format}, expected {expected_format}"));
            continue;
        }
        // Naive stamps in UTC; yearless ones in 2020, as the oracle assumes.
        let mut ctx = TimeContext::new(
            Zone::UTC,
            YearPlan {
                first_year: 2020,
                first_month: 1,
            },
        );
        let (mut stamped, mut right) = (0usize, 0usize);
        for line in bytes.split(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(line);
            let Some(expected) = oracles.expected(oracle, &text) else {
                continue;
            };
            stamped += 1;
            let ours = format
                .stamp_at(line)
                .and_then(|at| format.parse_stamp(at))
                .and_then(|s| ctx.resolve(&s));
            if ours == Some(expected) {
                right += 1;
            } else if failures.len() < 40 {
                failures.push(format!("{name}: {ours:?} != {expected} for {:.100}", text));
            }
        }
        assert!(stamped > 0, "{name}: the oracle found no timestamped line");
        report.push((name, stamped, right));
        if (right as f64) < 0.99 * stamped as f64 {
            failures.push(format!("{name}: only {right} of {stamped} timestamped lines got the right time"));
        }
    }
    let total: usize = report.iter().map(|r| r.1).sum();
    let right: usize = report.iter().map(|r| r.2).sum();
    eprintln!("{right} of {total} timestamped lines in {} files got the right time", report.len());
    assert!(
        failures.iter().all(|f| !f.contains("only") && !f.contains("sniffed")),
        "{}",
        failures.join("\n")
    );
}

#[test]
fn untimed_files_are_not_given_a_timestamped_format() {
    if !common::have_real_logs() {
        return;
    }
    for name in UNTIMED {
        let bytes = std::fs::read(real_logs().join(name)).unwrap();
        let format = sniff(&bytes[..bytes.len().min(64 * 1024)]).format;
        assert_eq!(format, Format::Unknown, "{name}");
    }
}

/// Corpora added to ../shared/real-logs after these tests were written (more than 450
/// files from crowdsec's hub tests, beats' module tests, matomo, hl and angle-grinder):
/// tests/new_corpora.rs reads every file of them against its own generic oracle.
const IN_NEW_CORPORA: &[&str] = &["angle-grinder/", "crowdsec-hub/", "elastic-beats/filebeat/", "hl/", "matomo/"];

/// Exports and journals read as records (journald's export stream and binary files,
/// Kubernetes events, OTLP/JSON, Fluent Bit's output, a container log a shipper wrapped):
/// how many records are timed, and the first and last instants, each found by another
/// reader than ours: `journalctl --file … -o json` for the binary journal, the export
/// entries' `_SOURCE_REALTIME_TIMESTAMP` (else `__REALTIME_TIMESTAMP`) read by a script, and
/// the JSON documents' own time fields (an event's first time, OTLP's `timeUnixNano`,
/// Fluent Bit's pair time) read with Python's `json`. A first instant of `None` is not
/// compared, with the reason beside it.
const EXPORTS: &[(&str, u64, Option<&str>, &str)] = &[
    (
        "kjournald/journalexportformat_example.export",
        2,
        Some("2012-07-17T16:01:01.413961Z"),
        "2012-07-17T16:01:01.416351Z",
    ),
    // Its message is a binary field: read by its length.
    (
        "kjournald/journalexportformat_binary_example.export",
        1,
        Some("2021-07-31T08:59:24.791314Z"),
        "2021-07-31T08:59:24.791314Z",
    ),
    (
        "kjournald/system@c485fef5d17c4272a4a539c4e4708f9e-0000000000000191-0005bd6c979f361b.journal",
        430,
        Some("2020-02-07T15:50:54.326448Z"),
        "2021-03-13T15:23:02.237492Z",
    ),
    // Six entries and two of journalctl's short lines pasted between them: those are read
    // as the syslog lines they are, in the zone of the run, so the first is not compared.
    (
        "elastic-beats/filebeat/input/journald/testdata/multiple-boots.export",
        8,
        None,
        "2024-09-20T16:42:43.817127Z",
    ),
    (
        "elastic-beats/filebeat/input/journald/pkg/journalctl/testdata/sample-journal-event.json",
        1,
        Some("2024-08-19T15:20:55.230058Z"),
        "2024-08-19T15:20:55.230058Z",
    ),
    // An events.k8s.io event with no first time: its eventTime.
    (
        "fluent-bit/in_kubernetes_events/eventlist_v1_with_creationTimestamp.json",
        1,
        Some("2023-12-24T13:37:16.335172Z"),
        "2023-12-24T13:37:16.335172Z",
    ),
    (
        "fluent-bit/in_kubernetes_events/eventlist_v1_with_creationTimestamp.out",
        1,
        Some("2023-12-24T13:37:16.335172Z"),
        "2023-12-24T13:37:16.335172Z",
    ),
    (
        "fluent-bit/in_kubernetes_events/eventlist_v1_with_lastTimestamp.json",
        1,
        Some("2023-12-24T09:29:51Z"),
        "2023-12-24T09:29:51Z",
    ),
    (
        "fluent-bit/in_kubernetes_events/eventlist_v1_with_lastTimestamp.out",
        1,
        Some("2023-12-24T09:29:51Z"),
        "2023-12-24T09:29:51Z",
    ),
    // Seen 16 times from 18:26:51 to 18:47:15, on one line: the line is at its first time.
    (
        "fluent-bit/in_kubernetes_events/watch_v1_with_lastTimestamp.json",
        1,
        Some("2024-07-31T18:26:51Z"),
        "2024-07-31T18:26:51Z",
    ),
    (
        "fluent-bit/in_kubernetes_events/watch_v1_with_lastTimestamp.out",
        1,
        Some("2024-07-31T18:26:51Z"),
        "2024-07-31T18:26:51Z",
    ),
    (
        "fluent-bit/kubernetes/log/core/core_base_fluent-bit.log",
        1,
        Some("2019-04-01T17:58:33.598656444Z"),
        "2019-04-01T17:58:33.598656444Z",
    ),
    // The Istio record's own `time`, inside the wrapped line (the runtime's is a second later).
    (
        "fluent-bit/kubernetes/log/socks_session-db-fdd649d68-cq5sp_istio-proxy.log",
        1,
        Some("2018-09-21T02:56:05.979833Z"),
        "2018-09-21T02:56:05.979833Z",
    ),
    (
        "fluent-bit/kubernetes/out/core/core_base-with-owner-references_fluent-bit.out",
        1,
        Some("2019-04-01T17:58:33.598656Z"),
        "2019-04-01T17:58:33.598656Z",
    ),
    (
        "fluent-bit/kubernetes/out/core/core_base_fluent-bit.out",
        1,
        Some("2019-04-01T17:58:33.598656Z"),
        "2019-04-01T17:58:33.598656Z",
    ),
    (
        "fluent-bit/kubernetes/out/kairosdb-914055854-b63vq.out",
        1,
        Some("2018-11-04T19:12:27.464754Z"),
        "2018-11-04T19:12:27.464754Z",
    ),
    (
        "fluent-bit/opentelemetry/routing_logs.json",
        5,
        Some("2022-01-01T00:00:00Z"),
        "2022-01-01T00:00:04Z",
    ),
    (
        "opentelemetry-proto/logs.json",
        1,
        Some("2018-12-13T14:51:00.3Z"),
        "2018-12-13T14:51:00.3Z",
    ),
];

/// Upsun's log forwarding, as crowdsec's hub tests keep it: a JSON record whose `message`
/// is the syslog line of an nginx access line (`frontend.0 nginx: 203.0.113.1 - - […]
/// "GET /… HTTP/1.1" 502 …`). It is read as the access line it carries, so the request
/// and its failure count.
#[test]
fn a_forwarders_records_are_read_as_the_lines_they_carry() {
    if !common::have_real_logs() {
        return;
    }
    let rules = postmortem::rules::RuleSet::load(&[], true).unwrap();
    for name in [
        "crowdsec-hub/base-upsun-generic-test/base-upsun-generic-test.log",
        "crowdsec-hub/base-upsun-httplog-logs/base-upsun-httplog-logs.log",
    ] {
        let result = postmortem::scan_paths(
            &[real_logs().join(name)],
            &rules,
            &postmortem::scan::ScanOptions::default(),
            &postmortem::scan::NoProgress,
        );
        let file = &result.files[0];
        assert_eq!(
            (file.format, file.mode.name().as_str()),
            (Format::AccessLog, "shipper json"),
            "{name}"
        );
        let (requests, failed) = result
            .series
            .values()
            .flat_map(|s| s.buckets.values())
            .fold((0, 0), |(r, f), b| (r + b.requests, f + b.failed()));
        assert_eq!((requests, failed), (1, 1), "{name}");
    }
}

/// Files not read, each named in a warning: the journal directory as a tarball (a tar
/// archive is no log: extract it and give the directory).
const NOT_READ: &[&str] = &["kjournald/journal.tar.gz"];

#[test]
fn exports_are_read_as_their_records_with_the_times_another_reader_finds() {
    if !common::have_real_logs() {
        return;
    }
    let rules = postmortem::rules::RuleSet::load(&[], true).unwrap();
    let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros();
    let mut wrong = Vec::new();
    for &(name, records, first, last) in EXPORTS {
        let options = postmortem::scan::ScanOptions {
            zone: Zone::UTC,
            ..postmortem::scan::ScanOptions::default()
        };
        let result = postmortem::scan_paths(&[real_logs().join(name)], &rules, &options, &postmortem::scan::NoProgress);
        let Some(file) = result.files.first() else {
            wrong.push(format!(
                "{name}: not read: {:?}",
                result.problems.iter().map(|p| &p.message).collect::<Vec<_>>()
            ));
            continue;
        };
        let found = (file.timestamped, first.map(|_| file.first), file.last);
        let expected = (records, first.map(|f| Some(at(f))), Some(at(last)));
        if found != expected {
            wrong.push(format!("{name}: read {found:?}, another reader finds {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn files_not_read_are_said_so_never_skipped_in_silence() {
    if !common::have_real_logs() {
        return;
    }
    let rules = postmortem::rules::RuleSet::load(&[], true).unwrap();
    for name in NOT_READ {
        let options = postmortem::scan::ScanOptions {
            zone: Zone::UTC,
            ..postmortem::scan::ScanOptions::default()
        };
        let result = postmortem::scan_paths(&[real_logs().join(name)], &rules, &options, &postmortem::scan::NoProgress);
        let said = result.problems.iter().any(|p| p.file.ends_with(name) && !p.message.contains('\n'));
        assert!(said, "{name}: not named in a warning");
    }
}

/// Whether a file beside the logs is a licence text, not a log.
fn is_licence(name: &str) -> bool {
    name == "COPYING" || name.starts_with("LICENSE") || name.ends_with(".license")
}

#[test]
fn every_real_log_is_covered_by_these_tests() {
    if !common::have_real_logs() {
        return;
    }
    let mut listed: Vec<String> = CASES
        .iter()
        .map(|c| c.0.to_string())
        .chain(UNTIMED.iter().map(|s| s.to_string()))
        .chain(MIXED.iter().map(|m| m.0.to_string()))
        .chain(EXPORTS.iter().map(|e| e.0.to_string()))
        .chain(NOT_READ.iter().map(|s| s.to_string()))
        // Files of the newer corpora that are exports are pinned here too; the listing of
        // those corpora is tests/new_corpora.rs's.
        .filter(|name| !IN_NEW_CORPORA.iter().any(|prefix| name.starts_with(prefix)))
        .collect();
    listed.sort();
    let mut on_disk = Vec::new();
    let mut stack = vec![real_logs()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                stack.push(path);
            } else if !is_licence(&name) {
                let relative = path.strip_prefix(real_logs()).unwrap().to_string_lossy().to_string();
                if !IN_NEW_CORPORA.iter().any(|prefix| relative.starts_with(prefix)) {
                    on_disk.push(relative);
                }
            }
        }
    }
    on_disk.sort();
    assert_eq!(listed, on_disk, "a real log is not in CASES or UNTIMED");
}
