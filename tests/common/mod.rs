//! What the scenario tests share: logs written as other teams' software writes them (an
//! nginx access log, Python's logging, zap's JSON lines), drafting them as the CLI would,
//! and reading a draft as a reviewer does (the line a link cites, the line of a file that
//! holds a text). Each test crate uses some of it.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "made-up test data of small, known numbers"
)]
#![allow(dead_code)]

use postmortem::analyze::Role;
use postmortem::report::{Episode, Report};
use postmortem::rules::RuleSet;
use postmortem::scan::NoProgress;
use postmortem::Config;
use std::fmt::Write as _;
use std::path::Path;

/// A day's minute as `HH:MM`.
pub fn clock(minute: u32) -> (u32, u32) {
    (minute / 60, minute % 60)
}

/// A tiny deterministic generator: the same logs on every run.
pub struct Draw(pub u64);

impl Draw {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

/// A failed request [`access_log_failing_with`] wrote: when (seconds of the day), from
/// whom, for what, and the status, so that a test can write the other logs' copy of it.
pub struct Failure {
    pub second: u32,
    pub client: String,
    pub path: &'static str,
    pub status: u16,
}

/// An nginx access log (combined, with `$request_time`) of `per_minute` requests a minute
/// from 09:00 to 17:00 of 2025-03-04 (UTC), failing with 502 at `failing(minute)` of them.
pub fn access_log(dir: &Path, per_minute: u32, failing: impl Fn(u32) -> f64) {
    access_log_failing_with(dir, per_minute, 502, failing);
}

/// [`access_log`], failing with `status`; returns the failed requests.
pub fn access_log_failing_with(dir: &Path, per_minute: u32, status: u16, failing: impl Fn(u32) -> f64) -> Vec<Failure> {
    access_log_shaped(dir, per_minute, status, failing, |_| None)
}

/// [`access_log_failing_with`], the requests that do not fail taking `slow(minute)`
/// seconds where it says so (20 to 100 ms elsewhere).
pub fn access_log_shaped(
    dir: &Path,
    per_minute: u32,
    status: u16,
    failing: impl Fn(u32) -> f64,
    slow: impl Fn(u32) -> Option<f64>,
) -> Vec<Failure> {
    let mut draw = Draw(7);
    let mut out = String::new();
    let mut failures = Vec::new();
    let paths = ["/", "/basket", "/basket/items", "/pay", "/search?q=lamp", "/static/site.css"];
    for minute in 9 * 60..17 * 60 {
        let (h, m) = clock(minute);
        for i in 0..per_minute {
            let second = i * 60 / per_minute;
            let client = draw.next(400);
            let client = format!("10.9.{}.{}", client / 200, client % 200);
            let path = paths[draw.next(paths.len() as u64) as usize];
            let fails = (draw.next(1000) as f64) < failing(minute) * 1000.0 && !path.starts_with("/static");
            let (answer, took) = if fails {
                failures.push(Failure {
                    second: minute * 60 + second,
                    client: client.clone(),
                    path,
                    status,
                });
                (status, 30.0)
            } else {
                (200, slow(minute).unwrap_or(0.02) + draw.next(80) as f64 / 1000.0)
            };
            let _ = writeln!(
                out,
                "{client} - - [04/Mar/2025:{h:02}:{m:02}:{second:02} +0000] \"GET {path} HTTP/1.1\" {answer} {} \"-\" \"Mozilla/5.0\" {took:.3}",
                300 + draw.next(5000)
            );
        }
    }
    std::fs::write(dir.join("access.log"), out).unwrap();
    failures
}

/// An application log in Python's logging shape: a line every few seconds of routine
/// work, plus `events` (minute, second, level, message) in their place.
pub fn app_log(dir: &Path, name: &str, events: &[(u32, u32, &str, String)]) {
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

/// The scan of `paths` with the built-in rules, as the CLI's stages get it.
pub fn scan(paths: &[std::path::PathBuf]) -> postmortem::scan::ScanResult {
    scan_with(paths, &postmortem::scan::ScanOptions::default())
}

/// [`scan`] with other options.
pub fn scan_with(paths: &[std::path::PathBuf], options: &postmortem::scan::ScanOptions) -> postmortem::scan::ScanResult {
    let rules = RuleSet::load(&[], true).unwrap();
    postmortem::scan_paths(paths, &rules, options, &NoProgress)
}

pub fn draft(dir: &Path) -> Report {
    let mut config = Config::new(RuleSet::load(&[], true).unwrap());
    config.zone = Some("UTC".parse().unwrap());
    postmortem::draft(&[dir.to_path_buf()], &config, &NoProgress).unwrap()
}

pub fn link(report: &Report, role: Role) -> Option<&Episode> {
    report
        .root_cause
        .as_ref()?
        .chain
        .iter()
        .find(|l| l.role == role)
        .map(|l| &l.episode)
}

/// The line a link cites first, as `file:line` with the file's name only.
pub fn cites(episode: &Episode) -> String {
    let first = episode.first.as_ref().unwrap();
    let name = Path::new(&first.file).file_name().unwrap().to_string_lossy();
    format!("{name}:{}", first.line)
}

/// The number of the line of `file` that contains `text` (the first such).
pub fn line_of(dir: &Path, file: &str, text: &str) -> String {
    let content = std::fs::read_to_string(dir.join(file)).unwrap();
    let n = content
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text} not in {file}"));
    format!("{file}:{}", n + 1)
}

/// An instant of 2025-03-04 (UTC) from `HH:MM`.
pub fn at(hh_mm: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&format!("2025-03-04T{hh_mm}:00Z"))
        .unwrap()
        .timestamp_micros()
}

/// A log of JSON lines in zap's shape: a routine line every ten seconds, plus `events`
/// (minute, second, level, message).
pub fn json_log(dir: &Path, name: &str, events: &[(u32, u32, &str, String)]) {
    let mut lines: Vec<(u32, String, String)> = Vec::new();
    let day = 1_741_046_400u32; // 2025-03-04T00:00:00Z
    for minute in 9 * 60..17 * 60 {
        for second in (0..60).step_by(10) {
            let at = minute * 60 + second;
            lines.push((at, "info".into(), format!("picked parcel {} from the outbound queue", at % 9973)));
        }
    }
    for (minute, second, level, message) in events {
        lines.push((minute * 60 + second, level.to_string(), message.clone()));
    }
    lines.sort();
    let mut out = String::new();
    for (at, level, message) in lines {
        let _ = writeln!(
            out,
            "{{\"level\":\"{level}\",\"ts\":{}.{:03},\"caller\":\"dispatch/loop.go:88\",\"msg\":\"{message}\"}}",
            day + at,
            at % 997
        );
    }
    std::fs::write(dir.join(name), out).unwrap();
}

/// The text timeline of the logs in `dir`, as `postmortem timeline` prints it.
pub fn timeline_text(dir: &Path) -> String {
    let timeline = postmortem::timeline(&[dir.to_path_buf()], &config(), &NoProgress).unwrap();
    let mut text = Vec::new();
    let view = postmortem::render::View::plain(timeline.display_zone);
    postmortem::render::write_timeline_text(&mut text, &timeline, &view).unwrap();
    String::from_utf8(text).unwrap()
}

pub fn config() -> Config {
    let mut config = Config::new(RuleSet::load(&[], true).unwrap());
    config.zone = Some("UTC".parse().unwrap());
    config
}

/// Fails when any of `words` (the words that tell a scenario's story) appears in `src/`:
/// the tool must read the story without having been told it.
pub fn assert_absent_from_src(words: &[&str]) {
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
                assert!(!text.contains(&word.to_lowercase()), "{word} is in {}", path.display());
            }
        }
    }
}

/// Whether `../shared/real-logs` is beside the project. A clone of the project alone has
/// none: the tests that read it say they skipped and return. `.ci/run` sets
/// `POSTMORTEM_REAL_LOGS=required`, and there a missing folder fails them instead.
pub fn have_real_logs() -> bool {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-logs");
    if dir.is_dir() {
        return true;
    }
    let required = std::env::var_os("POSTMORTEM_REAL_LOGS").is_some_and(|v| v == "required");
    assert!(!required, "../shared/real-logs is missing: {}", dir.display());
    eprintln!("skipped: ../shared/real-logs is not there (a clone of the project alone has none)");
    false
}

/// A share of requests failing in the minutes of `minutes` (of the day), none outside:
/// the shape of most outages the scenarios tell.
pub fn failing(minutes: std::ops::Range<u32>, share: f64) -> impl Fn(u32) -> f64 {
    move |m| if minutes.contains(&m) { share } else { 0.0 }
}
