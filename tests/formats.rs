//! Each format read from fixture lines we wrote (fixtures/formats): the format sniffed,
//! how many lines carry a timestamp (continuation lines do not), the first instant, and
//! how many lines the built-in rules flag (each count was traced to its lines). Naive times are read in America/New_York
//! (UTC-5 in January) and yearless ones in 2024; the expected instants were worked out
//! by hand from the lines.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "made-up test data of small, known numbers"
)]

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
    // Access families beside nginx's: events are their 5xx lines.
    Expected("aws_alb.log", "aws_elb", 3, 3, Some("2024-01-21T20:30:00.120Z"), 2),
    Expected("aws_elb_classic.log", "aws_elb", 3, 3, Some("2024-01-21T20:30:00.120Z"), 1),
    Expected("caddy.json", "json_access", 2, 2, Some("2024-01-21T20:30:00.120Z"), 1),
    // W3C: the header's lines have no time.
    Expected("cloudfront.log", "w3c", 4, 2, Some("2024-01-21T20:30:00.000Z"), 1),
    // `docker compose` output of two services with too few lines each to be read apart
    // (logfmt in UTC, a Redis container's naive lines): read by `prefixed` as one file.
    Expected("compose.log", "prefixed", 3, 3, Some("2024-01-21T20:30:01.000Z"), 2),
    // `docker compose logs` of one service is read as what the service printed: an
    // nginx access log (its error line among them is not timed as an access line).
    Expected("compose_nginx.log", "access_log", 3, 2, Some("2024-01-21T20:30:00.000Z"), 1),
    // Container logs, read as what the program printed. containerd's: the app prints no
    // time, so each line takes the runtime's; its pool error, cut in two pieces, is
    // joined at the last (the first gives an empty line).
    Expected("cri_app.log", "timestamped", 4, 3, Some("2024-01-21T20:30:00.120Z"), 1),
    // Docker's: a JSON app log, its pool error matched in the unescaped text.
    Expected("docker_app.log", "json", 2, 2, Some("2024-01-21T20:30:01.250Z"), 1),
    // Docker's: an nginx access log, and an error line nginx wrote to stderr among it.
    Expected("docker_nginx.log", "access_log", 3, 2, Some("2024-01-21T20:30:00.000Z"), 1),
    Expected("glog.log", "glog", 2, 2, Some("2024-01-21T20:30:01.619Z"), 1),
    Expected("iis.log", "w3c", 11, 3, Some("2024-01-21T20:30:00.000Z"), 2),
    Expected("ingress_nginx.log", "access_log", 2, 2, Some("2024-01-21T20:30:00.000Z"), 1),
    Expected("laravel.log", "laravel", 3, 1, Some("2024-01-21T20:31:40.000Z"), 1),
    // librdkafka's stderr lines: epoch times, syslog severities; its two errors.
    Expected("librdkafka.log", "librdkafka", 3, 3, Some("2024-01-21T20:30:00.120Z"), 2),
    Expected("mysql51_error.log", "mysql_error", 3, 2, Some("2024-01-21T20:28:04.000Z"), 2),
    Expected("mysql8_error.log", "mysql_error", 3, 3, Some("2024-01-21T20:28:04.000Z"), 3),
    Expected("mysql_general.log", "mysql_general", 3, 3, Some("2024-01-21T20:30:00.100Z"), 1),
    Expected("mysql_slow.log", "mysql_slow", 9, 3, Some("2024-01-21T20:30:05.000Z"), 2),
    Expected("nginx_combined.log", "access_log", 5, 5, Some("2024-01-21T20:29:58.000Z"), 2),
    Expected("nginx_error.log", "nginx_error", 2, 2, Some("2024-01-21T20:30:01.000Z"), 2),
    Expected("nginx_request_time.log", "access_log", 2, 2, Some("2024-01-21T15:30:00.000Z"), 1),
    Expected("no_timestamps.txt", "unknown", 2, 0, None, 0),
    Expected("pgbouncer.log", "pgbouncer", 2, 2, Some("2024-01-21T20:31:10.586Z"), 1),
    Expected("php-fpm.log", "timestamped", 3, 3, Some("2024-01-21T20:29:40.000Z"), 2),
    Expected("php_errors.log", "timestamped", 2, 2, Some("2024-01-21T20:30:12.000Z"), 2),
    Expected("postgres.log", "postgres", 6, 4, Some("2024-01-21T20:29:01.201Z"), 2),
    Expected("postgres_prefix.log", "postgres", 2, 2, Some("2024-01-21T20:29:01.000Z"), 1),
    Expected("python_app.log", "python", 6, 2, Some("2024-01-21T20:30:02.117Z"), 3),
    Expected("rails.log", "rails", 2, 2, Some("2024-01-21T20:31:41.123Z"), 1),
    Expected("redis.log", "prefixed", 4, 4, Some("2024-01-22T01:29:58.102Z"), 3),
    Expected("s3_access.log", "s3_access", 3, 3, Some("2024-01-21T20:30:00.000Z"), 1),
    Expected("spring.log", "logback", 2, 2, Some("2024-01-21T20:30:00.120Z"), 2),
    Expected("syslog", "syslog", 3, 3, Some("2024-01-21T20:28:01.000Z"), 2),
    Expected("syslog5424.log", "syslog", 2, 2, Some("2024-01-21T20:28:01.000Z"), 1),
    Expected("traefik.json", "json_access", 2, 2, Some("2024-01-21T20:30:00.000Z"), 1),
    Expected("uwsgi.log", "uwsgi", 1, 1, Some("2024-01-21T20:30:01.000Z"), 1),
    Expected("varnishncsa.log", "access_log", 2, 2, Some("2024-01-21T20:30:00.000Z"), 1),
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

/// Each family reads a line's level where it has one, and its message after the header.
#[test]
fn each_family_reads_level_and_message() {
    use postmortem::format::{Format, Level};
    let cases: &[(Format, &str, Option<Level>, &str)] = &[
        (
            Format::NginxError,
            "2024/01/21 15:30:01 [error] 1234#0: *99 upstream timed out (110: Connection timed out) while reading response header from upstream",
            Some(Level::Error),
            "upstream timed out",
        ),
        (
            Format::ApacheError,
            "[Sun Jan 21 15:30:01.123456 2024] [proxy:error] [pid 2211:tid 140213] [client 10.0.0.3:51234] AH01114: HTTP: failed to make connection to backend: 127.0.0.1",
            Some(Level::Error),
            "AH01114: HTTP: failed",
        ),
        (Format::ApacheError, "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties", Some(Level::Notice), "workerEnv.init() ok"),
        (
            Format::MysqlError,
            "2024-01-21T20:30:03.481201Z 37 [Warning] [MY-010055] [Server] IP address '10.0.0.12' could not be resolved: Name or service not known",
            Some(Level::Warning),
            "IP address",
        ),
        (Format::MysqlError, "080721  3:04:00 [ERROR] /usr/sbin/mysqld: Incorrect key file for table './x/y.MYI'; try to repair it", Some(Level::Error), "/usr/sbin/mysqld"),
        (
            Format::Postgres,
            "2024-01-21 15:28:03.120 EST [4242] ERROR:  deadlock detected",
            Some(Level::Error),
            "deadlock detected",
        ),
        (Format::Postgres, "2024-01-21 15:28:03.120 EST [4242] FATAL:  sorry, too many clients already", Some(Level::Critical), "sorry, too many"),
        (
            Format::Pgbouncer,
            "2024-01-21 15:28:03.586 EST [10384] WARNING C-0x55: shop/shop@10.0.0.5:3829 pooler error: no more connections allowed (max_client_conn)",
            Some(Level::Warning),
            "C-0x55",
        ),
        (Format::Laravel, "[2024-01-21 15:28:03] production.ERROR: SQLSTATE[HY000] [1040] Too many connections", Some(Level::Error), "SQLSTATE"),
        (Format::Rails, "E, [2024-01-21T15:28:03.123456 #4242] ERROR -- : could not obtain a connection from the pool", Some(Level::Error), "could not obtain"),
        (Format::Glog, "W0121 15:30:01.619632 4242 pool.cc:253] pool at 90%", Some(Level::Warning), "pool at 90%"),
        (Format::Python, "2024-01-21 15:28:03,120 ERROR sqlalchemy.pool: QueuePool limit of size 5 overflow 10 reached", Some(Level::Error), "sqlalchemy.pool"),
        (
            Format::Logback,
            "2024-01-21 15:30:00.121  WARN 4242 --- [nio-8080-exec-7] o.h.engine.jdbc.spi.SqlExceptionHelper   : SQL Error: 0, SQLState: null",
            Some(Level::Warning),
            // Spring Boot's message is after the pid, thread and logger.
            "SQL Error: 0",
        ),
        (Format::Syslog, "<11>1 2024-01-21T15:30:01Z web1 shop 42 - - payment service unreachable", Some(Level::Error), "payment service unreachable"),
        (Format::JsonLines, r#"{"level":"error","ts":1705851001.5,"msg":"dial tcp: connection refused"}"#, Some(Level::Error), "dial tcp"),
        (Format::JsonLines, r#"{"level":40,"time":1705851001000,"msg":"slow"}"#, Some(Level::Warning), "slow"),
    ];
    for (format, line, level, message) in cases {
        let line = line.as_bytes();
        let at = format.stamp_at(line).unwrap_or_else(|| panic!("{format}: no stamp"));
        let stamp = format.parse_stamp(at).unwrap_or_else(|| panic!("{format}: stamp unread"));
        let head = format.head(line, line.len() - at.len() + stamp.len).unwrap();
        assert_eq!(head.level, *level, "{format}: {}", String::from_utf8_lossy(line));
        assert!(
            head.message.starts_with(message.as_bytes()),
            "{format}: {:?}",
            String::from_utf8_lossy(head.message)
        );
    }
    // Access lines are counted, not read for their words; the details of a PostgreSQL error
    // belong to the record above.
    let access = b"10.0.0.1 - - [21/Jan/2024:15:30:00 -0500] \"GET / HTTP/1.1\" 500 12";
    assert!(Format::AccessLog.head(access, 40).is_none());
    assert!(Format::Postgres
        .head(b"2024-01-21 15:28:03.120 EST [4242] DETAIL:  Process 4242 waits for ShareLock", 27)
        .is_none());
}

/// First and last instants and timestamped lines of one file of `text`, read in UTC with
/// no year given.
fn read_alone(name: &str, text: &str) -> (Option<String>, Option<String>, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let rules = RuleSet::load(&[], true).unwrap();
    let options = ScanOptions {
        zone: postmortem::time::Zone::UTC,
        ..ScanOptions::default()
    };
    let result = postmortem::scan_paths(&[path], &rules, &options, &NoProgress);
    let file = &result.files[0];
    (file.first.map(rfc3339_utc), file.last.map(rfc3339_utc), file.timestamped)
}

#[test]
fn year_less_lines_take_the_year_of_dated_lines_in_their_file() {
    // An ISO-dated first line, then BSD syslog (as an OpenBSD authlog starts).
    let text = "2019-10-26T10:50:00 host x: start\nOct 26 10:55:12 host sshd[1]: a\nOct 26 10:56:12 host sshd[1]: b\n";
    let (first, last, _) = read_alone("authlog", text);
    assert_eq!(first.as_deref(), Some("2019-10-26T10:50:00.000Z"));
    assert_eq!(last.as_deref(), Some("2019-10-26T10:56:12.000Z"));
    // BSD syslog first, then RFC 5424 lines that print the year (a FreeBSD messages file):
    // the year-less lines are of that year, not the file's modification year.
    let text = "Jan 10 18:33:00 host syslogd: restart\n<13>1 2019-01-10T18:40:00Z host app 1 - - up\n";
    let (first, last, _) = read_alone("messages", text);
    assert_eq!(first.as_deref(), Some("2019-01-10T18:33:00.000Z"));
    assert_eq!(last.as_deref(), Some("2019-01-10T18:40:00.000Z"));
}

#[test]
fn year_0_is_no_date_and_a_stamp_is_reused_only_with_its_zone() {
    let (first, _, timestamped) = read_alone("zero.log", "0000-01-10 10:00:00 ERROR x\n2024-01-10 10:00:00 ERROR y\n");
    assert_eq!((first.as_deref(), timestamped), (Some("2024-01-10T10:00:00.000Z"), 1));
    // The same bytes up to the offset: two instants, eight hours apart.
    let text = "[2024-08-31 02:11:28.892] ERROR a\n[2024-08-31 02:11:28.892+0800] ERROR b\n";
    let (first, last, _) = read_alone("mixed.log", text);
    assert_eq!(first.as_deref(), Some("2024-08-30T18:11:28.892Z"));
    assert_eq!(last.as_deref(), Some("2024-08-31T02:11:28.892Z"));
}

/// What the traffic series took from one access fixture: its format, requests, failed
/// requests, requests with a time and the longest (ms), clients, endpoints.
#[derive(Debug, PartialEq)]
struct Traffic(&'static str, u64, u64, u64, u64, usize, Vec<String>);

fn traffic_of(name: &str) -> Traffic {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats").join(name);
    let rules = RuleSet::load(&[], true).unwrap();
    let result = postmortem::scan_paths(std::slice::from_ref(&file), &rules, &ScanOptions::default(), &NoProgress);
    assert!(result.problems.is_empty(), "{name}: {:?}", result.problems);
    let format = result.files[0].format.name();
    let buckets: Vec<_> = result.series.values().flat_map(|s| s.buckets.values()).collect();
    let mut clients = postmortem::scan::clients::Clients::default();
    let mut endpoints: Vec<String> = Vec::new();
    for b in &buckets {
        clients.merge(&b.clients);
        endpoints.extend(b.endpoints.iter().map(|e| e.name.to_string()));
    }
    endpoints.sort();
    endpoints.dedup();
    Traffic(
        format,
        buckets.iter().map(|b| b.requests).sum(),
        buckets.iter().map(|b| b.failed()).sum(),
        buckets.iter().map(|b| b.duration_count).sum(),
        buckets.iter().map(|b| b.duration_max_ms).fold(0.0, f64::max).round() as u64,
        clients.count() as usize,
        endpoints,
    )
}

/// Each access family we read beside nginx's feeds the series as nginx's lines do: the
/// status the client got, its address, the endpoint without scheme and host, and the
/// request time in the unit the format uses. Worked out by hand from the fixtures.
#[test]
fn each_access_family_feeds_the_traffic_series() {
    let endpoints = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let shop = endpoints(&["/cart", "/checkout/confirm", "/product/:id"]);
    let two = endpoints(&["/checkout/confirm", "/product/:id"]);
    let cases = [
        // ALB: the 504 after a target's 60 s has `-1` for a timer, so no time; the 503
        // without a target neither. 0.001 + 0.084 + 0.000 s is 85 ms.
        ("aws_alb.log", Traffic("aws_elb", 3, 2, 1, 85, 2, shop.clone())),
        // Classic: the TCP listener's line is no request.
        ("aws_elb_classic.log", Traffic("aws_elb", 2, 1, 2, 59_998, 2, two.clone())),
        // S3: total time in ms; the lifecycle transition has none, and no path.
        ("s3_access.log", Traffic("s3_access", 3, 1, 2, 31, 3, endpoints(&["/", "/img/p"]))),
        // IIS: milliseconds; the second header reorders the columns.
        ("iis.log", Traffic("w3c", 3, 2, 3, 2514, 2, shop.clone())),
        // CloudFront: tab-separated, seconds.
        ("cloudfront.log", Traffic("w3c", 2, 1, 2, 30_002, 2, two.clone())),
        ("varnishncsa.log", Traffic("access_log", 2, 1, 0, 0, 2, two.clone())),
        // ingress-nginx `upstreaminfo`: `$request_time` after `$request_length`.
        ("ingress_nginx.log", Traffic("access_log", 2, 1, 2, 60_001, 2, two.clone())),
        // Traefik: nanoseconds.
        ("traefik.json", Traffic("json_access", 2, 1, 2, 30_001, 2, two.clone())),
        ("caddy.json", Traffic("json_access", 2, 1, 2, 30_002, 2, two)),
    ];
    for (name, expected) in cases {
        assert_eq!(traffic_of(name), expected, "{name}");
    }
}

/// A W3C file whose columns change mid-way (IIS writes its header again at each start)
/// is read by the right columns on every line, wherever the new header falls: here
/// across the 4 MiB block its headers are searched in, and in another chunk than the
/// first. Every request failed; each is counted as such only if read by its columns.
#[test]
fn w3c_columns_that_change_are_followed_wherever_the_header_falls() {
    const BLOCK: usize = 4 << 20;
    for cut in [1usize, 3, 5, 8, 9] {
        let mut text = String::from(
            "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip cs-method cs-uri-stem sc-status time-taken\n",
        );
        let first = "2024-01-21 20:30:00 198.51.100.23 GET /cart 503 15\n";
        let mut lines = 0;
        // Fill to just before the block's end, so the second header's `\n#Fields:`
        // straddles it `cut` bytes in.
        while text.len() + first.len() < BLOCK - cut - 40 {
            text.push_str(first);
            lines += 1;
        }
        let pad = BLOCK - cut - text.len();
        text.push_str(&format!("#Remark: {}\n", "x".repeat(pad - 10)));
        assert_eq!(text.len(), BLOCK - cut);
        text.push_str("#Fields: date time sc-status time-taken c-ip cs-method cs-uri-stem\n");
        for _ in 0..2000 {
            text.push_str("2024-01-21 20:31:00 504 15 198.51.100.23 GET /cart\n");
            lines += 1;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("u_ex240121.log");
        std::fs::write(&file, &text).unwrap();
        let rules = RuleSet::load(&[], true).unwrap();
        let options = ScanOptions {
            chunk_size: 1 << 20,
            ..ScanOptions::default()
        };
        let result = postmortem::scan_paths(std::slice::from_ref(&file), &rules, &options, &NoProgress);
        let buckets: Vec<_> = result.series.values().flat_map(|s| s.buckets.values()).collect();
        let failed: u64 = buckets.iter().map(|b| b.failed()).sum();
        assert_eq!(failed, lines, "header {cut} bytes before the block's end");
    }
}

/// A W3C file that repeats its header without changing it keeps one set of columns,
/// however many times it repeats (a file of nothing but headers held each of them).
#[test]
fn repeated_w3c_headers_that_change_nothing_are_kept_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("u_ex240121.log");
    let header =
        "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip cs-method cs-uri-stem sc-status time-taken\n";
    let mut text = String::new();
    for _ in 0..20_000 {
        text.push_str(header);
        text.push_str("2024-01-21 20:30:00 198.51.100.23 GET /cart 503 15\n");
    }
    std::fs::write(&file, &text).unwrap();
    let (files, problems) = postmortem::source::discover(std::slice::from_ref(&file));
    assert!(problems.is_empty());
    let probe = postmortem::source::probe(
        files.into_iter().next().unwrap(),
        &postmortem::source::ProbeSettings::new(false, None),
        None,
    )
    .unwrap()
    .remove(0);
    assert_eq!(probe.sniffed.format.name(), "w3c");
    assert_eq!(probe.columns.len(), 1);
}
