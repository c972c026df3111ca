//! Hosts whose clocks disagree. The reading expected, written before the logs:
//!
//! A web server (its clock right, its lines carrying `+0100`) serves a basket service on
//! another host. A release of that service is pushed at 10:03; from 10:05 to 10:25 about
//! four requests in ten fail with 502, and for each failure the service logs an error
//! line of its own, in its own words. The service's host runs 4 min 10 s slow, so its
//! lines say 10:00:50 for what happened at 10:05:00: as logged, the errors come before
//! the release that caused them. The tool must find that clock 250 s behind (within
//! 30 s) from the failures both logs share, say so, and move the service's lines, so that
//! the errors follow the release in the chain. With the clock right, it must find nothing
//! and move nothing; with `--no-skew`, it reports the offset and moves nothing.

mod common;

use postmortem::analyze::Role;
use postmortem::report::Report;
use postmortem::rules::RuleSet;
use postmortem::scan::NoProgress;
use postmortem::Config;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A tiny deterministic generator: the same logs on every run.
struct Draw(u64);

impl Draw {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

/// `HH:MM:SS` of a second of the day.
fn hms(second: i64) -> String {
    format!("{:02}:{:02}:{:02}", second / 3600, second / 60 % 60, second % 60)
}

/// Writes the three logs; the service's clock runs `slow_s` seconds behind.
fn write_logs(dir: &Path, slow_s: i64) {
    let mut draw = Draw(11);
    let mut access = String::new();
    let mut basket = String::new();
    let (outage_start, outage_end) = (10 * 3600 + 5 * 60, 10 * 3600 + 25 * 60);
    for second in 9 * 3600..11 * 3600 {
        // Routine lines of the service every half minute.
        if second % 30 == 0 {
            let _ = writeln!(
                basket,
                "2025-06-03 {}.120 INFO  [basket-svc] served {} carts in the last 30s",
                hms(second - slow_s),
                40 + draw.next(20)
            );
        }
        for _ in 0..draw.next(4) {
            let client = draw.next(300);
            let failing = (outage_start..outage_end).contains(&second) && draw.next(10) < 4;
            let status = if failing { 502 } else { 200 };
            let _ = writeln!(
                access,
                "172.16.{}.{} - - [03/Jun/2025:{} +0100] \"POST /basket/lines HTTP/1.1\" {status} 211 \"-\" \"shop-app/5.1\"",
                client / 100,
                client % 100,
                hms(second)
            );
            if failing {
                // The service's own line for the same failure, a moment earlier on its
                // own (slow) clock.
                let _ = writeln!(
                    basket,
                    "2025-06-03 {}.{:03} ERROR [basket-svc] line write aborted: stock ledger handle pool drained (waited 2000ms)",
                    hms(second - slow_s - i64::from(draw.next(2) == 0)),
                    draw.next(1000)
                );
            }
        }
    }
    std::fs::write(dir.join("access.log"), access).unwrap();
    std::fs::write(dir.join("basket.log"), basket).unwrap();
    std::fs::write(
        dir.join("syslog"),
        "Jun  3 09:30:00 ops1 systemd[1]: Started Daily apt download activities.\n\
         Jun  3 10:03:00 ops1 shipit[4411]: deploying basket-svc 3.8.0 to app2\n\
         Jun  3 10:45:00 ops1 systemd[1]: Started Clean php session files.\n",
    )
    .unwrap();
}

fn config(no_skew: bool) -> Config {
    let mut config = Config::new(RuleSet::load(&[], true).unwrap());
    config.no_skew = no_skew;
    config
}

fn run(slow_s: i64, no_skew: bool) -> (Report, Vec<Option<i64>>) {
    let dir = tempfile::tempdir().unwrap();
    write_logs(dir.path(), slow_s);
    let paths: Vec<PathBuf> = vec![dir.path().to_path_buf()];
    let report = postmortem::draft(&paths, &config(no_skew), &NoProgress).unwrap();
    let offsets = report.sources.iter().map(|s| s.clock_offset_s).collect();
    (report, offsets)
}

/// 10:00 +01:00 as microseconds since the epoch, and seconds after it.
fn at(seconds_after_ten: i64) -> i64 {
    (1_748_941_200 + seconds_after_ten) * 1_000_000
}

#[test]
fn a_slow_host_is_found_and_set_right() {
    let (report, offsets) = run(250, false);
    let basket = report.sources.iter().position(|s| s.file.ends_with("basket.log")).unwrap();
    let offset = offsets[basket].expect("the basket service's clock is found off");
    assert!((offset - 250).abs() <= 30, "found {offset} s");
    for (i, other) in offsets.iter().enumerate().filter(|(i, _)| *i != basket) {
        assert_eq!(*other, None, "{}", report.sources[i].file);
    }
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.file.ends_with("basket.log") && p.message.starts_with("its clock runs 4 min ")),
        "{:?}",
        report.problems
    );
    let markdown = postmortem::render::write_draft(&report, &postmortem::render::View::plain(report.display_zone));
    assert!(
        markdown.contains("Times without a zone in `basket.log` and `syslog` are read in +01:00, as `access.log` carries its times.")
            && markdown.contains("The clock of `basket.log` was found 25"),
        "{markdown}"
    );
    // Moved, the service's errors start with the outage, after the release.
    let chain = &report.root_cause.as_ref().expect("a cause").chain;
    let mechanism = chain.iter().find(|l| l.role == Role::Mechanism).expect("a mechanism");
    assert!(mechanism.episode.group.ends_with("basket.log"), "{chain:?}");
    assert!(
        (mechanism.episode.start - at(300)).abs() <= 30_000_000,
        "{}",
        mechanism.episode.start
    );
    let trigger = chain.iter().find(|l| l.role == Role::Trigger).expect("a trigger");
    assert!(
        trigger.episode.group.ends_with("syslog") && trigger.episode.start == at(180),
        "{chain:?}"
    );
}

#[test]
fn without_correction_the_offset_is_reported_and_the_lines_stay_as_logged() {
    let (report, offsets) = run(250, true);
    assert!(offsets.iter().flatten().any(|o| (o - 250).abs() <= 30), "{offsets:?}");
    let starts: Vec<i64> = report
        .timeline
        .iter()
        .filter(|e| e.group.ends_with("basket.log") && e.severity >= postmortem::rules::Severity::Warning)
        .map(|e| e.start)
        .collect();
    // As logged, the first error is at 10:00:50, before the release.
    assert!(starts.iter().any(|&s| (s - at(50)).abs() <= 5_000_000), "{starts:?}");
}

#[test]
fn a_host_on_time_is_left_alone() {
    let (report, offsets) = run(0, false);
    assert!(offsets.iter().all(Option::is_none), "{offsets:?}");
    assert!(
        !report.problems.iter().any(|p| p.message.contains("clock")),
        "{:?}",
        report.problems
    );
}

#[test]
fn whole_hours_off_are_named_as_a_zone_mistake_and_nothing_is_moved() {
    // The service's naive times are local (+01:00), but the zone given says UTC: its
    // failures land an hour late.
    let dir = tempfile::tempdir().unwrap();
    write_logs(dir.path(), 0);
    let mut config = config(false);
    config.zone = Some(postmortem::time::Zone::UTC);
    let report = postmortem::draft(&[dir.path().to_path_buf()], &config, &NoProgress).unwrap();
    let note = report
        .problems
        .iter()
        .find(|p| p.file.ends_with("basket.log") && p.message.contains("1 h away"))
        .unwrap_or_else(|| panic!("{:?}", report.problems));
    assert!(note.message.contains("give --tz 'basket.log=+01:00'"), "{}", note.message);
    assert!(report.sources.iter().all(|s| s.clock_offset_s.is_none()), "{:?}", report.sources);
}

/// A web server in front of a service that stops answering. Expected reading: from 10:05
/// to 10:25 the service logs, as each request comes in, that it parked it (its clock is
/// right); nginx waits for its 30 s timeout and then logs a 504 with a request time of
/// 30 s. The service's lines come 30 s before nginx's, and the tool must see that as the
/// requests' wait, not a clock: it moves nothing and says why.
fn write_timeout_logs(dir: &Path) {
    let mut draw = Draw(23);
    let mut access = String::new();
    let mut service: Vec<(i64, String)> = Vec::new();
    let (outage_start, outage_end) = (10 * 3600 + 5 * 60, 10 * 3600 + 25 * 60);
    for second in 9 * 3600..11 * 3600 {
        if second % 30 == 0 {
            service.push((
                second,
                format!(
                    "2025-06-03 {}.250 INFO  [quote-svc] {} quotes priced",
                    hms(second),
                    30 + draw.next(20)
                ),
            ));
        }
        for _ in 0..draw.next(4) {
            let client = draw.next(300);
            let failing = (outage_start + 30..outage_end).contains(&second) && draw.next(10) < 4;
            let (status, took) = if failing {
                (504, format!("30.{:03}", draw.next(20)))
            } else {
                (200, format!("0.{:03}", 20 + draw.next(80)))
            };
            let _ = writeln!(
                access,
                "172.16.{}.{} - - [03/Jun/2025:{} +0100] \"GET /quote HTTP/1.1\" {status} 211 \"-\" \"shop-app/5.1\" {took}",
                client / 100,
                client % 100,
                hms(second)
            );
            if failing {
                // Parked when it came in, 30 s before nginx gave up on it.
                service.push((
                    second - 30,
                    format!(
                        "2025-06-03 {}.{:03} ERROR [quote-svc] parked request: rate card store not answering",
                        hms(second - 30),
                        draw.next(1000)
                    ),
                ));
            }
        }
    }
    service.sort_by_key(|(s, _)| *s);
    let text: String = service.into_iter().map(|(_, line)| line + "\n").collect();
    std::fs::write(dir.join("access.log"), access).unwrap();
    std::fs::write(dir.join("quote.log"), text).unwrap();
}

#[test]
fn a_lag_as_long_as_the_requests_waited_is_no_clock() {
    let dir = tempfile::tempdir().unwrap();
    write_timeout_logs(dir.path());
    let report = postmortem::draft(&[dir.path().to_path_buf()], &config(false), &NoProgress).unwrap();
    let offsets: Vec<Option<i64>> = report.sources.iter().map(|s| s.clock_offset_s).collect();
    assert!(offsets.iter().all(Option::is_none), "{offsets:?}");
    let said: Vec<&str> = report.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("s before") && m.contains("their wait") && m.contains("not a clock")),
        "{said:?}"
    );
}

/// The same outage with one directory a host: `web1/access.log`, and on the slow host
/// `app2/basket.log` and `app2/syslog`, where the release is logged by app2's own clock
/// (09:58:50 for 10:03:00). Expected reading: the basket log's failures tell app2's clock
/// (250 s behind); the syslog, which has no failures to tell its own, is on the same host
/// and moves with it, so the release reads 10:03:00 and comes before the errors.
#[test]
fn the_other_logs_of_a_slow_host_move_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let flat = dir.path().join("flat");
    std::fs::create_dir(&flat).unwrap();
    write_logs(&flat, 250);
    let (web, app) = (dir.path().join("logs/web1"), dir.path().join("logs/app2"));
    std::fs::create_dir_all(&web).unwrap();
    std::fs::create_dir_all(&app).unwrap();
    std::fs::rename(flat.join("access.log"), web.join("access.log")).unwrap();
    std::fs::rename(flat.join("basket.log"), app.join("basket.log")).unwrap();
    std::fs::write(
        app.join("syslog"),
        "Jun  3 09:30:00 app2 systemd[1]: Started Daily apt download activities.\n\
         Jun  3 09:58:50 app2 shipit[4411]: deploying basket-svc 3.8.0 to app2\n\
         Jun  3 10:40:50 app2 systemd[1]: Started Clean php session files.\n",
    )
    .unwrap();
    let report = postmortem::draft(&[dir.path().join("logs")], &config(false), &NoProgress).unwrap();
    let offset_of = |name: &str| report.sources.iter().find(|s| s.file.ends_with(name)).unwrap().clock_offset_s;
    let basket = offset_of("app2/basket.log").expect("app2's clock is found off");
    assert_eq!(offset_of("app2/syslog"), Some(basket));
    assert_eq!(offset_of("web1/access.log"), None);
    let trigger = common::link(&report, Role::Trigger).expect("a trigger");
    assert!(trigger.group.ends_with("app2/syslog"), "{trigger:?}");
    assert!((trigger.start - at(180)).abs() <= 30_000_000, "the release at {}", trigger.start);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.file.ends_with("app2/syslog") && p.message.contains("one host, one clock")),
        "{:?}",
        report.problems
    );
}
