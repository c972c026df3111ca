//! What no rule names. Each scenario is an outage told in the words of a team that is not
//! ours: its logs are written here, in this file, and none of their telling words appears
//! anywhere in `src/` (the last test checks). What the tool must read from them is written
//! first, in each scenario's doc, and the test checks that reading: which lines the chain
//! and the timeline cite, not only their categories.

use postmortem::analyze::Role;
use postmortem::report::{Episode, Report};
use postmortem::rules::{Category, RuleSet};
use postmortem::scan::NoProgress;
use postmortem::Config;
use std::fmt::Write as _;
use std::path::Path;

/// A day's minute as `HH:MM`.
fn clock(minute: u32) -> (u32, u32) {
    (minute / 60, minute % 60)
}

/// A tiny deterministic generator: the same logs on every run.
struct Draw(u64);

impl Draw {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

/// An nginx access log (combined, with `$request_time`) of `per_minute` requests a minute
/// from 09:00 to 17:00 of 2025-03-04 (UTC), failing with 502 at `failing(minute)` of them.
fn access_log(dir: &Path, per_minute: u32, failing: impl Fn(u32) -> f64) {
    let mut draw = Draw(7);
    let mut out = String::new();
    let paths = ["/", "/basket", "/basket/items", "/pay", "/search?q=lamp", "/static/site.css"];
    for minute in 9 * 60..17 * 60 {
        let (h, m) = clock(minute);
        for i in 0..per_minute {
            let second = i * 60 / per_minute;
            let client = draw.next(400);
            let path = paths[draw.next(paths.len() as u64) as usize];
            let fails = (draw.next(1000) as f64) < failing(minute) * 1000.0 && !path.starts_with("/static");
            let (status, took) = if fails {
                (502, 30.0)
            } else {
                (200, 0.02 + draw.next(80) as f64 / 1000.0)
            };
            let _ = writeln!(
                out,
                "10.9.{}.{} - - [04/Mar/2025:{h:02}:{m:02}:{second:02} +0000] \"GET {path} HTTP/1.1\" {status} {} \"-\" \"Mozilla/5.0\" {took:.3}",
                client / 200,
                client % 200,
                300 + draw.next(5000)
            );
        }
    }
    std::fs::write(dir.join("access.log"), out).unwrap();
}

/// An application log in Python's logging shape: a line every few seconds of routine
/// work, plus `events` (minute, second, level, message) in their place.
fn app_log(dir: &Path, name: &str, events: &[(u32, u32, &str, String)]) {
    let mut draw = Draw(11);
    let mut lines: Vec<(u32, u32, String)> = Vec::new();
    for minute in 9 * 60..17 * 60 {
        for second in (0..60).step_by(6) {
            let routine = match draw.next(3) {
                0 => format!(
                    "INFO storefront.render: page /catalogue/{} served in {} ms",
                    draw.next(900),
                    5 + draw.next(40)
                ),
                1 => format!("INFO storefront.session: session {:x} refreshed", draw.next(1 << 40)),
                _ => format!(
                    "DEBUG storefront.pricing: priced {} items for basket {}",
                    1 + draw.next(9),
                    draw.next(99999)
                ),
            };
            lines.push((minute * 60 + second, 0, routine));
        }
    }
    for (minute, second, level, message) in events {
        lines.push((minute * 60 + second, 1, format!("{level} {message}")));
    }
    lines.sort();
    let mut out = String::new();
    for (at, _, text) in lines {
        let (h, m) = clock(at / 60);
        let _ = writeln!(out, "2025-03-04 {h:02}:{m:02}:{:02},{:03} {text}", at % 60, at % 997);
    }
    std::fs::write(dir.join(name), out).unwrap();
}

fn draft(dir: &Path) -> Report {
    let mut config = Config::new(RuleSet::load(&[], true).unwrap());
    config.zone = Some("UTC".parse().unwrap());
    postmortem::draft(&[dir.to_path_buf()], &config, &NoProgress).unwrap()
}

fn link(report: &Report, role: Role) -> Option<&Episode> {
    report
        .root_cause
        .as_ref()?
        .chain
        .iter()
        .find(|l| l.role == role)
        .map(|l| &l.episode)
}

/// The line a link cites first, as `file:line` with the file's name only.
fn cites(episode: &Episode) -> String {
    let first = episode.first.as_ref().unwrap();
    let name = Path::new(&first.file).file_name().unwrap().to_string_lossy();
    format!("{name}:{}", first.line)
}

/// The number of the line of `file` that contains `text` (the first such).
fn line_of(dir: &Path, file: &str, text: &str) -> String {
    let content = std::fs::read_to_string(dir.join(file)).unwrap();
    let n = content
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text} not in {file}"));
    format!("{file}:{}", n + 1)
}

fn minutes(m: u32) -> u32 {
    m
}

/// **A lock of the shop's own making, after a rollout in plain words.**
///
/// At 14:02 the team's deploy script logs that it is promoting a new build of the
/// checkout service. From 14:05 the service cannot take its own basket mutex and says so,
/// in its own words, at ERROR; half the requests fail with 502 until 14:40. Around it, the
/// service's routine work goes on, an export job runs every hour, and a crawler probes
/// for pages that do not exist, also at 13:58.
///
/// The reading: the trigger is the rollout line of 14:02, quoted; the mechanism is the
/// mutex error (a message new at the outage's onset, rising and falling with it); the
/// symptom the spike of 502s. The hourly export and the crawler are not suspects.
#[test]
fn a_failure_in_the_teams_own_words_after_a_plain_rollout() {
    let dir = tempfile::tempdir().unwrap();
    let outage = |m: u32| (14 * 60 + 5..14 * 60 + 40).contains(&m);
    access_log(dir.path(), 60, |m| if outage(m) { 0.5 } else { 0.0 });
    let mut events: Vec<(u32, u32, &str, String)> = Vec::new();
    for hour in 9..17 {
        events.push((
            hour * 60,
            30,
            "INFO",
            "ledgerexport.job: nightly ledger export finished, 1874 rows".into(),
        ));
    }
    for (i, minute) in [9 * 60 + 41, 11 * 60 + 12, 12 * 60 + 57, 13 * 60 + 58, 15 * 60 + 20]
        .iter()
        .enumerate()
    {
        let probe = ["/wp-login.php", "/.env", "/admin/config.bak", "/phpmyadmin/", "/cgi-bin/luci"][i];
        events.push((
            *minute,
            14,
            "WARNING",
            format!("storefront.router: no route for {probe} from 203.0.113.{}", 40 + i),
        ));
    }
    events.push((
        14 * 60 + 2,
        11,
        "INFO",
        "shipit: promoting checkout build 2025.03.04-1 onto the web fleet".into(),
    ));
    for minute in 14 * 60 + 5..14 * 60 + 40 {
        for second in [3, 19, 37, 51] {
            events.push((
                minute,
                second,
                "ERROR",
                format!(
                    "checkout.basket: could not obtain basket mutex for basket {} within 2000ms",
                    minute * 7 + second
                ),
            ));
        }
    }
    app_log(dir.path(), "checkout.log", &events);
    let report = draft(dir.path());

    let incident = report.incident.as_ref().expect("an incident");
    assert!(
        incident.start >= at("14:04") && incident.start <= at("14:06"),
        "start {}",
        incident.start
    );
    let trigger = link(&report, Role::Trigger).expect("a trigger");
    assert_eq!(trigger.category, Category::Change, "{trigger:?}");
    assert_eq!(cites(trigger), line_of(dir.path(), "checkout.log", "promoting checkout build"));
    let mechanism = link(&report, Role::Mechanism).expect("a mechanism");
    assert_eq!(
        cites(mechanism),
        line_of(dir.path(), "checkout.log", "could not obtain basket mutex")
    );
    let considered: Vec<String> = report.alternatives.iter().map(|l| l.episode.summary.clone()).collect();
    assert!(
        !considered.iter().any(|s| s.contains("ledger export")) && trigger.summary.contains("promoting"),
        "{considered:?}"
    );
    // The rollout is on the draft's timeline too, quoted.
    assert!(report
        .timeline
        .iter()
        .any(|e| e.category == Category::Change && cites(e) == cites(trigger)));
    let _ = minutes(0);
}

/// An instant of 2025-03-04 (UTC) from `HH:MM`.
fn at(hh_mm: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&format!("2025-03-04T{hh_mm}:00Z"))
        .unwrap()
        .timestamp_micros()
}

/// The words of these scenarios that tell their stories: none may appear in `src/`, or
/// the tool would have been told them.
#[test]
fn the_scenarios_words_appear_nowhere_in_src() {
    let words = ["basket mutex", "promoting", "shipit", "ledgerexport", "no route for"];
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default().to_lowercase();
            for word in words {
                assert!(!text.contains(word), "{word} is in {}", path.display());
            }
        }
    }
}
