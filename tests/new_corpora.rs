//! The corpora added to ../shared/real-logs last (crowdsec hub tests, beats module tests,
//! matomo, hl, angle-grinder: more than 450 files of software we never wrote a family
//! for) read against an independent oracle: regexes that find a timestamp near a line's
//! start (or a JSON line's time key) and chrono for its value. A file is read right when
//! its first and last instants agree with the oracle's to the second (without the year
//! where it prints none; not compared where its year-less lines are out of order) and it
//! counts as many timestamped lines (within 3 %). The test prints the figure per corpus and the
//! files read wrong with the reason, and holds the figure where it stands.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "made-up test data of small, known numbers"
)]

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use postmortem::rules::RuleSet;
use postmortem::scan::{NoProgress, ScanOptions};
use postmortem::time::{Micros, Zone};
use regex::Regex;
use std::path::{Path, PathBuf};

const CORPORA: [&str; 5] = ["crowdsec-hub", "elastic-beats", "matomo", "hl", "angle-grinder"];

/// A timestamp this far into a line is one the oracle looks for: a container name, a
/// level and a pid fit before it.
const ORACLE_WINDOW: usize = 60;

/// The year the oracle gives a stamp that prints none; such files are compared without
/// their year.
const NO_YEAR: i32 = 2000;

/// Share of files that must be read right: where the reading stands now. Raise it as
/// families are added; never lower it.
const FLOOR: f64 = 0.97;

/// Files that mix formats on purpose (crowdsec's tests put an error log's lines among an
/// access log's, logfmt among JSON): a file is read in one format, so the lines of the
/// other are not timed, while the oracle times every line. Each is pinned with the lines
/// we time (so a change shows) and kept out of the share.
/// Exports read as their records, whose lines are no log lines the oracle can time: each
/// is compared with another reader's times in tests/real_logs.rs (`EXPORTS`) instead.
const READ_AS_RECORDS: &[&str] = &["elastic-beats/filebeat/input/journald/testdata/multiple-boots.export"];

const MIXED: &[(&str, u64, &str)] = &[
    (
        "crowdsec-hub/apache-cve-2021-41773/apache-cve-2021-41773.log",
        2,
        "Apache access and error lines",
    ),
    (
        "crowdsec-hub/apache2-logs/apache2-logs.log",
        7,
        "Apache access (some vhost-prefixed) and error lines",
    ),
    (
        "crowdsec-hub/nginx-http-generic-bf/nginx-http-generic-bf.log",
        16,
        "nginx error and access lines",
    ),
    (
        "crowdsec-hub/envoy-logs/envoy.log",
        10,
        "Envoy JSON records and default-format lines in one container stream, each timed by its own stamp (one is the documentation's example of 2016)",
    ),
    (
        "crowdsec-hub/nginx-mail-logs/nginx-mail-logs.log",
        15,
        "nginx error and access lines",
    ),
    (
        "crowdsec-hub/nginx_http-logs/nginx_http-logs.log",
        8,
        "nginx access and error lines",
    ),
    ("crowdsec-hub/authelia-bf/authelia-bf.log", 72, "logfmt, then JSON lines"),
    ("crowdsec-hub/authelia-logs/authelia-logs.log", 15, "JSON and logfmt lines, 15 each"),
    (
        "crowdsec-hub/audiobookshelf-logs/audiobookshelf.log",
        6,
        "JSON lines and `[time] LEVEL:` text lines",
    ),
    (
        "crowdsec-hub/joplin-server-logs/joplin-server-logs.log",
        1,
        "plain lines and lines behind pm2's `1|app  |` prefix",
    ),
    (
        "crowdsec-hub/litespeed-logs/litespeed-logs.log",
        2,
        "LiteSpeed error and access lines",
    ),
    (
        "crowdsec-hub/grafana-bf/grafana-bf.log",
        12,
        "Grafana's logfmt (`t=`) and JSON lines",
    ),
    (
        "crowdsec-hub/grafana-logs/grafana-logs.log",
        3,
        "Grafana's logfmt (`t=`) and JSON lines",
    ),
    (
        "elastic-beats/filebeat/module/redis/log/test/test.log",
        1,
        "Redis 2.4, 3.0 and 5 line shapes",
    ),
];

fn real_logs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-logs")
}

/// A timestamp the oracle found: its civil time, its offset when it printed one, and
/// whether it printed its year.
struct Found {
    at: NaiveDateTime,
    offset: Option<i64>,
    has_year: bool,
}

/// Reads a shape's captures.
type Shape = fn(&regex::Captures) -> Option<Found>;

struct Oracle {
    shapes: Vec<(Regex, Shape)>,
    json_time: Regex,
}

fn month(name: &str) -> Option<u32> {
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .iter()
        .position(|m| m.eq_ignore_ascii_case(name))
        .map(|p| p as u32 + 1)
}

fn offset_of(text: Option<regex::Match>) -> Option<i64> {
    let text = text?.as_str().trim();
    let named = [
        ("Z", 0),
        ("UTC", 0),
        ("GMT", 0),
        ("CET", 1),
        ("CEST", 2),
        ("EST", -5),
        ("EDT", -4),
        ("PST", -8),
        ("PDT", -7),
    ];
    if let Some((_, hours)) = named.iter().find(|(name, _)| *name == text) {
        return Some(hours * 3600);
    }
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let hours: i64 = digits.get(0..2)?.parse().ok()?;
    let minutes: i64 = digits.get(2..4).unwrap_or("0").parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

fn at(y: i32, mo: u32, d: u32, h: &str, mi: &str, s: &str, frac: Option<regex::Match>) -> Option<NaiveDateTime> {
    let micros: u32 = frac.map_or(Some(0), |f| format!("{:0<6}", &f.as_str()[..f.as_str().len().min(6)]).parse().ok())?;
    NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_micro_opt(h.parse().ok()?, mi.parse().ok()?, s.parse().ok()?, micros)
}

impl Oracle {
    fn new() -> Oracle {
        let shapes: Vec<(&str, Shape)> = vec![
            // 2024-01-21T15:30:00.123Z, 2024-01-21 15:30:00,123 +0100, MariaDB's `  5:13:11`
            (
                r"\b(\d{4})[-/](\d{2})[-/](\d{2})(?:T| +)(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|\s?[+-]\d{2}:?\d{2}\b| (?:UTC|GMT|CET|CEST|EST|EDT|PST|PDT)\b)?",
                |c| {
                    let dt = at(
                        c[1].parse().ok()?,
                        c[2].parse().ok()?,
                        c[3].parse().ok()?,
                        &c[4],
                        &c[5],
                        &c[6],
                        c.get(7),
                    )?;
                    Some(Found {
                        at: dt,
                        offset: offset_of(c.get(8)),
                        has_year: true,
                    })
                },
            ),
            // 21/Jan/2024:15:30:00 -0500
            (
                r"\b(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?: ([+-]\d{4}))?",
                |c| {
                    let dt = at(c[3].parse().ok()?, month(&c[2])?, c[1].parse().ok()?, &c[4], &c[5], &c[6], c.get(7))?;
                    Some(Found {
                        at: dt,
                        offset: offset_of(c.get(8)),
                        has_year: true,
                    })
                },
            ),
            // 14-Mar-2025 11:07:52
            (r"\b(\d{2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?", |c| {
                let dt = at(c[3].parse().ok()?, month(&c[2])?, c[1].parse().ok()?, &c[4], &c[5], &c[6], c.get(7))?;
                Some(Found {
                    at: dt,
                    offset: None,
                    has_year: true,
                })
            }),
            // 27 Dec 2018 11:19:18.874, 30 May 12:50:13.457
            (r"\b(\d{1,2}) ([A-Za-z]{3}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?", |c| {
                let year = c.get(3).map_or(Some(NO_YEAR), |y| y.as_str().parse().ok())?;
                let dt = at(year, month(&c[2])?, c[1].parse().ok()?, &c[4], &c[5], &c[6], c.get(7))?;
                Some(Found {
                    at: dt,
                    offset: None,
                    has_year: c.get(3).is_some(),
                })
            }),
            // Jan 21 15:30:00 (syslog), with an optional year
            (
                r"\b([A-Za-z]{3}) +(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?",
                |c| {
                    let year = c.get(3).map_or(Some(NO_YEAR), |y| y.as_str().parse().ok())?;
                    let dt = at(year, month(&c[1])?, c[2].parse().ok()?, &c[4], &c[5], &c[6], c.get(7))?;
                    Some(Found {
                        at: dt,
                        offset: None,
                        has_year: c.get(3).is_some(),
                    })
                },
            ),
        ];
        Oracle {
            shapes: shapes.into_iter().map(|(re, f)| (Regex::new(re).unwrap(), f)).collect(),
            json_time: Regex::new(r#""(?:@timestamp|timestamp|time|ts|datetime|date|eventTime|\$date)"\s*:\s*"([^"]+)""#).unwrap(),
        }
    }

    /// The leftmost timestamp near the line's start: its instant (naive read as UTC) and
    /// whether it printed its year.
    fn read(&self, line: &str) -> Option<(Micros, bool)> {
        // W3C extended logs' `#Date:` and `#Fields:` directives are not records.
        if line.starts_with('#') {
            return None;
        }
        let (text, window) = if line.trim_start().starts_with('{') {
            let c = self.json_time.captures(line)?;
            (c.get(1)?.as_str().to_string(), usize::MAX)
        } else {
            (line.to_string(), ORACLE_WINDOW)
        };
        let (_, captures, read) = self
            .shapes
            .iter()
            .filter_map(|(re, read)| {
                let c = re.captures(&text)?;
                let start = c.get(0)?.start();
                (start <= window).then_some((start, c, read))
            })
            .min_by_key(|(start, _, _)| *start)?;
        let found = read(&captures)?;
        Some((
            found.at.and_utc().timestamp_micros() - found.offset.unwrap_or(0) * 1_000_000,
            found.has_year,
        ))
    }
}

/// What is known of a file: timestamped lines, first and last instants, all dated,
/// and whether its year-less lines run forward (else only the count is compared).
struct Reading {
    lines: u64,
    first: Micros,
    last: Micros,
    dated: bool,
    ordered: bool,
}

/// A year-less stamp is of the first line's year, or of the next when its month comes
/// before the first line's (a log is written forward, and crosses New Year forward).
/// In a file that prints its year on some lines, the year-less ones take the year of the
/// first dated line.
fn roll_forward(stamps: &mut [(Micros, bool)]) {
    use chrono::Datelike;
    let date = |t: Micros| chrono::DateTime::from_timestamp_micros(t).unwrap().naive_utc();
    let Some(first) = stamps.iter().find(|s| !s.1).map(|s| date(s.0)) else {
        return;
    };
    let (base_year, first_month) = match stamps.iter().find(|s| s.1) {
        Some(dated) => (date(dated.0).year(), date(dated.0).month()),
        None => (NO_YEAR, first.month()),
    };
    for stamp in stamps.iter_mut().filter(|s| !s.1) {
        let dt = date(stamp.0);
        let year = if dt.month() < first_month { base_year + 1 } else { base_year };
        stamp.0 = dt.with_year(year).unwrap_or(dt).and_utc().timestamp_micros();
        stamp.1 = base_year != NO_YEAR;
    }
}

/// Whether the year-less stamps run forward in file order, crossing New Year at most
/// once. Test fixtures that gather unrelated lines of many days do not: no year given to
/// them can be right, so only their timestamped lines are counted.
fn in_order(stamps: &[(Micros, bool)]) -> bool {
    let yearless: Vec<Micros> = stamps.iter().filter(|s| !s.1).map(|s| s.0).collect();
    yearless.windows(2).filter(|w| w[1] < w[0]).count() <= 1
}

fn oracle_reading(oracle: &Oracle, bytes: &[u8]) -> Option<Reading> {
    let text = String::from_utf8_lossy(bytes);
    let mut stamps: Vec<(Micros, bool)> = text.lines().filter_map(|l| oracle.read(l)).collect();
    let ordered = in_order(&stamps);
    roll_forward(&mut stamps);

    Some(Reading {
        lines: stamps.len() as u64,
        first: stamps.iter().map(|s| s.0).min()?,
        last: stamps.iter().map(|s| s.0).max()?,
        dated: stamps.iter().all(|s| s.1),
        ordered,
    })
}

/// A time compared as the oracle can know it: to the second, without the year when the
/// file prints none.
fn comparable(t: Micros, dated: bool) -> String {
    let dt = chrono::DateTime::from_timestamp_micros(t).unwrap();
    dt.format(if dated { "%Y-%m-%d %H:%M:%S" } else { "%m-%d %H:%M:%S" }).to_string()
}

fn files_of(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_of(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_new_corpora_read_right_against_the_oracle() {
    if !common::have_real_logs() {
        return;
    }
    let oracle = Oracle::new();
    let rules = RuleSet::load(&[], true).unwrap();
    let options = ScanOptions {
        zone: Zone::UTC,
        ..ScanOptions::default()
    };
    let (mut right_all, mut timed_all) = (0, 0);
    let mut wrong = Vec::new();
    for corpus in CORPORA {
        let mut files = Vec::new();
        files_of(&real_logs().join(corpus), &mut files);
        files.sort();
        let (mut right, mut timed) = (0, 0);
        for path in files {
            let name = path.strip_prefix(real_logs()).unwrap().display().to_string();
            let Some(expected) = oracle_reading(&oracle, &std::fs::read(&path).unwrap()) else {
                continue;
            };
            let result = postmortem::scan_paths(std::slice::from_ref(&path), &rules, &options, &NoProgress);
            if READ_AS_RECORDS.contains(&name.as_str()) {
                continue;
            }
            if let Some((_, lines, why)) = MIXED.iter().find(|m| m.0 == name) {
                let ours = result.files.first().map_or(0, |f| f.timestamped);
                assert_eq!(ours, *lines, "{name} ({why}): {ours} lines timed");
                continue;
            }
            timed += 1;
            let Some(file) = result.files.first() else {
                wrong.push(format!("{name}: not read ({:?})", result.problems.first().map(|p| &p.message)));
                continue;
            };
            let (Some(first), Some(last)) = (file.first, file.last) else {
                wrong.push(format!(
                    "{name}: no timestamp read as {} ({} by the oracle)",
                    file.format.name(),
                    expected.lines
                ));
                continue;
            };
            let ours = (comparable(first, expected.dated), comparable(last, expected.dated));
            let theirs = (
                comparable(expected.first, expected.dated),
                comparable(expected.last, expected.dated),
            );
            let counted = (file.timestamped as f64 - expected.lines as f64).abs() <= 0.03 * expected.lines as f64;
            if (ours == theirs || !expected.ordered) && counted {
                right += 1;
            } else {
                wrong.push(format!(
                    "{name} ({}): {} lines, {ours:?}; the oracle: {} lines, {theirs:?}",
                    file.format.name(),
                    file.timestamped,
                    expected.lines
                ));
            }
        }
        eprintln!("{corpus}: {right} of {timed} files with timestamps read right");
        right_all += right;
        timed_all += timed;
    }
    let share = right_all as f64 / timed_all as f64;
    eprintln!(
        "all: {right_all} of {timed_all} ({:.1} %), besides {} files that mix formats; read wrong:\n{}",
        share * 100.0,
        MIXED.len(),
        wrong.join("\n")
    );
    assert!(share >= FLOOR, "{right_all} of {timed_all} files read right");
}

/// Requests the traffic series counted in a file read alone, and the format it was read as.
fn requests_in(path: &Path) -> (String, u64) {
    let rules = RuleSet::load(&[], true).unwrap();
    let options = ScanOptions {
        zone: Zone::UTC,
        ..ScanOptions::default()
    };
    let result = postmortem::scan_paths(&[path.to_path_buf()], &rules, &options, &NoProgress);
    let requests = result.series.values().flat_map(|s| s.buckets.values()).map(|b| b.requests).sum();
    (result.files[0].format.name().to_string(), requests)
}

/// The access logs of servers other than nginx and Apache in these corpora feed the
/// traffic series: every line with an HTTP status is a request. Counted by hand: a
/// Classic Load Balancer's TCP line, an Incapsula line with an empty `sc-status`,
/// Caddy's lines with status 0 (nothing written) and a Traefik plugin's debug line are
/// none.
#[test]
fn other_servers_access_logs_feed_the_series() {
    if !common::have_real_logs() {
        return;
    }
    let cases = [
        ("matomo/alb.log", "aws_elb", 1),
        ("matomo/elb.log", "aws_elb", 1),
        ("crowdsec-hub/aws-alb-logs/aws-alb-logs.log", "aws_elb", 14),
        (
            "crowdsec-hub/aws-alb-http-bad-user-agent/aws-alb-http-bad-user-agent.log",
            "aws_elb",
            4,
        ),
        ("matomo/s3.log", "s3_access", 1),
        ("matomo/iis.log", "w3c", 1),
        ("matomo/iis_custom.log", "w3c", 3),
        ("matomo/netscaler.log", "w3c", 1),
        ("matomo/incapsula_w3c.log", "w3c", 1),
        ("matomo/shoutcast.log", "w3c", 1),
        ("matomo/amazon_cloudfront_web.log", "w3c", 1),
        ("crowdsec-hub/aws-cloudfront-logs/aws-cloudfront-logs.log", "w3c", 2),
        ("matomo/caddy_json.log", "json_access", 3),
        ("crowdsec-hub/caddy-logs/caddy-logs.log", "json", 0),
        ("matomo/traefik_json.log", "json_access", 1),
        ("matomo/nginx_json.log", "json_access", 2),
        // Six records and a plugin's debug line.
        ("crowdsec-hub/traefik_json/traefik_json.log", "json_access", 6),
        // Envoy Gateway's JSON records in a container's CRI stream, keys named by the
        // headers they hold (`x-envoy-origin-path`), times in `start_time`.
        (
            "crowdsec-hub/envoy-http-crawl-non_statics/envoy-http-crawl-non_statics.log",
            "json_access",
            41,
        ),
        (
            "crowdsec-hub/envoy-http-bad-user-agent/envoy-http-bad-user-agent.log",
            "json_access",
            2,
        ),
    ];
    for (name, format, requests) in cases {
        assert_eq!(requests_in(&real_logs().join(name)), (format.to_string(), requests), "{name}");
    }
}

/// Dates written month first are read where the file shows the order: Suricata's
/// fast.log (month first in Suricata's source, its date joined to the clock by `-`) and
/// ZoneMinder's (`01/25/22`: no month 25). ZoneMinder's later lines, in PHP's
/// `12/17/22, 10:31:29 PM MST` shape, are not read.
#[test]
fn month_first_dates_are_read_where_the_file_shows_them() {
    if !common::have_real_logs() {
        return;
    }
    let rules = RuleSet::load(&[], true).unwrap();
    let options = ScanOptions {
        zone: Zone::UTC,
        ..ScanOptions::default()
    };
    let cases = [
        (
            "crowdsec-hub/suricata-logs-fastlog/suricata-logs-fastlog.log",
            4,
            "2022-07-11T06:09:52.602Z",
        ),
        (
            "crowdsec-hub/zoneminder-logs/zoneminder-web_php.log",
            10,
            "2022-01-25T16:08:02.393Z",
        ),
    ];
    for (name, timed, first) in cases {
        let result = postmortem::scan_paths(&[real_logs().join(name)], &rules, &options, &NoProgress);
        let file = &result.files[0];
        assert_eq!(
            (file.format.name(), file.timestamped, file.first.map(postmortem::time::rfc3339_utc)),
            ("month_first", timed, Some(first.to_string())),
            "{name}"
        );
    }
}
