//! A quiet service's outage. A small shop's access log at 5 requests a minute, whose
//! requests fail 60 % of the time for 25 minutes at midday, answered at once (no request
//! time to give it away): an outage users saw, though no minute holds more than a
//! handful of failures. Beside it, the same quiet shop on days that were fine: one minute
//! with two failures, and a trickle of failures all day (one request in twenty-five). The
//! first is an incident of failed requests, found where it happened; the others are not.

mod common;

/// An nginx access log (combined) of a quiet shop: 5 requests a minute from 09:00 to
/// 17:00 of 2025-03-04 (UTC), each failing with 502 at `failing(minute)`.
fn quiet_shop(dir: &std::path::Path, seed: u64, failing: impl Fn(u32) -> f64) {
    let mut draw = common::Draw(seed);
    let mut log = String::new();
    for minute in 9 * 60..17 * 60 {
        let (h, m) = common::clock(minute);
        for i in 0..5 {
            let status = if (draw.next(1000) as f64) < failing(minute) * 1000.0 {
                502
            } else {
                200
            };
            let client = draw.next(300);
            log.push_str(&format!(
                "10.9.{}.{} - - [04/Mar/2025:{h:02}:{m:02}:{:02} +0000] \"GET /basket HTTP/1.1\" {status} 512 \"-\" \"Mozilla/5.0\"\n",
                client / 200,
                client % 200,
                i * 12
            ));
        }
    }
    std::fs::write(dir.join("access.log"), log).unwrap();
}

/// Minutes of the day 12:00 to 12:25.
fn midday(minute: u32) -> bool {
    (12 * 60..12 * 60 + 25).contains(&minute)
}

#[test]
fn a_quiet_shops_outage_is_found() {
    let dir = tempfile::tempdir().unwrap();
    quiet_shop(dir.path(), 7, |minute| if midday(minute) { 0.6 } else { 0.0 });
    let report = common::draft(dir.path());
    let incident = report.incident.as_ref().expect("the outage is an incident");
    assert!(
        incident.symptoms.iter().any(|s| s.rule == "web.error_spike"),
        "{:?}",
        incident.symptoms
    );
    let at = |h: u32, m: u32| {
        chrono::NaiveDate::from_ymd_opt(2025, 3, 4)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_utc()
            .timestamp_micros()
    };
    // Found where it happened, within the merged buckets a quiet source is read in.
    assert!((incident.start - at(12, 0)).abs() <= 2 * 60_000_000, "{}", incident.start);
    let end = incident.end.expect("it ended");
    assert!((end - at(12, 25)).abs() <= 4 * 60_000_000, "{end}");
}

#[test]
fn a_quiet_shops_harmless_days_are_no_incident() {
    let dir = tempfile::tempdir().unwrap();
    quiet_shop(dir.path(), 7, |minute| if minute == 12 * 60 { 0.4 } else { 0.0 });
    assert!(common::draft(dir.path()).incident.is_none(), "a blip");
    let dir = tempfile::tempdir().unwrap();
    quiet_shop(dir.path(), 11, |_| 0.04);
    assert!(common::draft(dir.path()).incident.is_none(), "a trickle");
}

/// A rule over a count keeps its buckets on a quiet source: a shop whose traffic rises from
/// 5 to 20 requests a minute for an hour stays under a surge's 30 a minute.
#[test]
fn a_quiet_shops_busier_hour_is_no_surge() {
    let dir = tempfile::tempdir().unwrap();
    quiet_shop(dir.path(), 13, |_| 0.0);
    let mut log = std::fs::read_to_string(dir.path().join("access.log")).unwrap();
    for minute in 13 * 60..14 * 60 {
        let (h, m) = common::clock(minute);
        for second in [3, 15, 27, 39, 51].into_iter().cycle().take(15) {
            log.push_str(&format!(
                "10.9.0.7 - - [04/Mar/2025:{h:02}:{m:02}:{second:02} +0000] \"GET /basket HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n"
            ));
        }
    }
    std::fs::write(dir.path().join("access.log"), log).unwrap();
    let out = assert_cmd::Command::cargo_bin("postmortem")
        .unwrap()
        .args(["timeline", "-q", "--tz", "UTC", "--format", "jsonl"])
        .arg(dir.path())
        .output()
        .unwrap();
    let timeline = String::from_utf8(out.stdout).unwrap();
    assert!(!timeline.contains("web.traffic_surge"), "{timeline}");
}
