//! What no rule names. Each scenario is an outage told in the words of a team that is not
//! ours: its logs are written here, in this file, and none of their telling words appears
//! anywhere in `src/` (the last test checks). What the tool must read from them is written
//! first, in each scenario's doc, and the test checks that reading: which lines the chain
//! and the timeline cite, not only their categories.

mod common;

use common::*;
use postmortem::analyze::Role;
use postmortem::report::Episode;
use postmortem::rules::Category;
use postmortem::scan::NoProgress;
use std::fmt::Write as _;

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
}

/// The words of these scenarios that tell their stories: none may appear in `src/`, or
/// the tool would have been told them.
#[test]
fn the_scenarios_words_appear_nowhere_in_src() {
    let words = [
        "basket mutex",
        "promoting",
        "shipit",
        "ledgerexport",
        "no route for",
        "courierdesk",
        "abandoned",
        "stockcache",
        "answered slowly",
        "truststore",
        "flagsmith",
        "switched on",
        "malformed payload",
        "storeframe",
        "schema steps",
    ];
    common::assert_absent_from_src(&words);
}

/// **Every call fails for 38 minutes, and there is no access log.**
///
/// An API writes a text log and a dispatch worker a JSON log; neither is behind an access
/// log we have. From 13:20 to 13:58 every call of the API to the courier desk service times
/// out, and the worker abandons every parcel, each in its own words, at ERROR.
///
/// The reading: an incident from 13:20 to about 13:58, found from the burst of error lines
/// alone; its impact is those error lines, from both logs, and the draft says that what
/// users saw needs an access log. It never says "no incident".
#[test]
fn an_error_burst_without_an_access_log_is_an_incident() {
    let dir = tempfile::tempdir().unwrap();
    let failing = 13 * 60 + 20..13 * 60 + 58;
    let mut api: Vec<(u32, u32, &str, String)> = vec![(10 * 60 + 3, 5, "WARNING", "gateway.calls: retry budget low (7 left)".into())];
    let mut worker: Vec<(u32, u32, &str, String)> = Vec::new();
    for minute in failing.clone() {
        for second in (1..60).step_by(3) {
            api.push((
                minute,
                second,
                "ERROR",
                format!("gateway.calls: courierdesk call {} gave up after 5000ms", minute * 100 + second),
            ));
        }
        for second in (2..60).step_by(6) {
            worker.push((
                minute,
                second,
                "error",
                format!("parcel {} abandoned: courierdesk unreachable", minute * 31 + second),
            ));
        }
    }
    app_log(dir.path(), "api.log", &api);
    json_log(dir.path(), "dispatch.jsonl", &worker);
    let report = draft(dir.path());

    let incident = report.incident.as_ref().expect("an incident from the error lines");
    assert!((incident.start - at("13:20")).abs() <= 2 * 60_000_000, "start {}", incident.start);
    let end = incident.start + incident.duration;
    assert!((end - at("13:58")).abs() <= 5 * 60_000_000, "end {end}");
    // The logs run on to 17:00: the errors stopped, the incident is over.
    assert!(!incident.ongoing && incident.end.is_some());
    assert_eq!(incident.impact.requests, 0);
    let sources: Vec<&str> = incident.errors.sources.iter().map(|s| s.source.as_str()).collect();
    assert!(
        sources.iter().any(|s| s.ends_with("api.log")) && sources.iter().any(|s| s.ends_with("dispatch.jsonl")),
        "{sources:?}"
    );
    let symptom = link(&report, Role::Symptom).expect("a symptom");
    assert_eq!(symptom.category, Category::ErrorBurst);
    let markdown = postmortem::render::write_draft(&report, &postmortem::render::View::plain(report.display_zone));
    assert!(
        !markdown.contains("no incident found") && markdown.contains("access log"),
        "{markdown}"
    );
}

/// **A warning that trickles all day and floods with the outage.**
///
/// A stock cache says a lookup was slow four times an hour all day; from 14:00 to 14:30 it
/// says so 300 times a minute, and a third of the requests fail.
///
/// The reading: the trickle is background (said so, since the logs begin); the flood is a
/// burst of its own, with its baseline stated, and it is the mechanism, cited from its
/// first line of 14:00, not from the trickle's first line of the morning.
#[test]
fn a_trickle_that_floods_is_split_into_background_and_burst() {
    let dir = tempfile::tempdir().unwrap();
    let outage = |m: u32| (14 * 60..14 * 60 + 30).contains(&m);
    access_log(dir.path(), 60, |m| if outage(m) { 0.35 } else { 0.0 });
    let mut events: Vec<(u32, u32, &str, String)> = Vec::new();
    for minute in (9 * 60 + 4..17 * 60).step_by(15) {
        events.push((
            minute,
            9,
            "WARNING",
            format!("stockcache.lookup: sku {} answered slowly ({}ms)", minute % 977, 700 + minute % 300),
        ));
    }
    for minute in 14 * 60..14 * 60 + 30 {
        for second in 0..60 {
            for k in 0..5 {
                events.push((
                    minute,
                    second,
                    "WARNING",
                    format!("stockcache.lookup: sku {} answered slowly ({}ms)", (second * 5 + k) % 977, 4000 + k),
                ));
            }
        }
    }
    app_log(dir.path(), "stock.log", &events);
    let report = draft(dir.path());

    let mechanism = link(&report, Role::Mechanism).expect("a mechanism");
    assert!(mechanism.title.contains("answered slowly"), "{mechanism:?}");
    let rate = mechanism.rate.expect("a burst, with its baseline");
    assert!(rate.peak >= 250.0 && rate.baseline <= 1.0, "{rate:?}");
    assert!((mechanism.start - at("14:00")).abs() <= 60_000_000, "{}", mechanism.start);
    let timeline = postmortem::timeline(&[dir.path().to_path_buf()], &config(), &NoProgress).unwrap();
    let trickle: Vec<&Episode> = timeline
        .episodes
        .iter()
        .filter(|e| e.title.contains("answered slowly") && e.background)
        .collect();
    assert_eq!(trickle.len(), 1, "{:?}", timeline.episodes);
    assert!(trickle[0].start < at("09:10"));
}

/// **A rare line long before, and the change just before.**
///
/// At 10:10 a trust store is reloaded (a rare line with a word of change); at 14:57 a flag
/// is switched on for every session (a rare line without one); from 15:00 a payment adapter
/// fails, and so do a quarter of the requests, until 15:20.
///
/// The reading: the trigger is the flag at 14:57, quoted; the reload of the morning is at
/// most an alternative.
#[test]
fn the_change_near_the_onset_outranks_a_rare_line_long_before() {
    let dir = tempfile::tempdir().unwrap();
    let outage = |m: u32| (15 * 60..15 * 60 + 20).contains(&m);
    access_log(dir.path(), 60, |m| if outage(m) { 0.25 } else { 0.0 });
    let mut events: Vec<(u32, u32, &str, String)> = vec![
        (10 * 60 + 10, 42, "INFO", "truststore: reloaded, 42 certificates".into()),
        (
            14 * 60 + 57,
            3,
            "INFO",
            "flagsmith: checkout_v2 switched on for all sessions".into(),
        ),
    ];
    for minute in 15 * 60..15 * 60 + 20 {
        for second in (0..60).step_by(4) {
            events.push((
                minute,
                second,
                "ERROR",
                format!(
                    "payments.adapter: tokenizer returned a malformed payload for order {}",
                    minute * 60 + second
                ),
            ));
        }
    }
    app_log(dir.path(), "shop.log", &events);
    let report = draft(dir.path());

    let trigger = link(&report, Role::Trigger).expect("a trigger");
    assert_eq!(cites(trigger), line_of(dir.path(), "shop.log", "checkout_v2 switched on"));
    let mechanism = link(&report, Role::Mechanism).expect("a mechanism");
    assert_eq!(cites(mechanism), line_of(dir.path(), "shop.log", "malformed payload"));
}

/// **A CMS update applied two minutes before a table is found corrupt.**
///
/// The CMS's own log says an update bundle was applied and its schema steps run, at 10:58,
/// in its own words; from 11:00 MySQL reports a table crashed, and most requests fail until
/// 11:45.
///
/// The reading: the trigger is the CMS's line (no rule names its wording), the mechanism
/// the crashed table (a rule names that).
#[test]
fn a_cms_update_in_its_own_words_before_a_corrupt_table() {
    let dir = tempfile::tempdir().unwrap();
    let outage = |m: u32| (11 * 60..11 * 60 + 45).contains(&m);
    access_log(dir.path(), 60, |m| if outage(m) { 0.8 } else { 0.0 });
    app_log(
        dir.path(),
        "storeframe.log",
        &[(
            10 * 60 + 58,
            14,
            "INFO",
            "storeframe.maintenance: bundle 6.5.8 applied, 14 schema steps executed".into(),
        )],
    );
    let mut mysql = String::new();
    for minute in 11 * 60..11 * 60 + 45 {
        for second in (5..60).step_by(10) {
            let (h, m) = clock(minute);
            let _ = writeln!(
                mysql,
                "2025-03-04T{h:02}:{m:02}:{second:02}.000000Z 41 [ERROR] [MY-013134] [Server] Table './shop/product_offer' is marked as crashed and should be repaired"
            );
        }
    }
    std::fs::write(dir.path().join("mysql-error.log"), mysql).unwrap();
    let report = draft(dir.path());

    let trigger = link(&report, Role::Trigger).expect("a trigger");
    assert_eq!(cites(trigger), line_of(dir.path(), "storeframe.log", "schema steps executed"));
    let mechanism = link(&report, Role::Mechanism).expect("a mechanism");
    assert_eq!(mechanism.category, Category::DbCorruption);
}

/// **A harmless release, and the few seconds of 503s of its restart.**
///
/// At 11:00 a release goes out and the service restarts: for twenty seconds the proxy
/// answers 503; nothing else goes wrong all day.
///
/// The reading: no incident. The blip is noted as too small to be one, and the release is
/// blamed for nothing.
#[test]
fn a_restart_blip_after_a_harmless_release_is_no_incident() {
    let dir = tempfile::tempdir().unwrap();
    let mut draw = Draw(3);
    let mut out = String::new();
    for minute in 9 * 60..17 * 60 {
        let (h, m) = clock(minute);
        for second in 0..60 {
            // Twenty seconds of 503s across a minute's turn: two hot buckets, so the
            // spike rule fires, and the floor has to be what keeps it from being an incident.
            let blip = (minute == 11 * 60 && second >= 50) || (minute == 11 * 60 + 1 && second < 10);
            let status = if blip { 503 } else { 200 };
            let _ = writeln!(
                out,
                "10.8.0.{} - - [04/Mar/2025:{h:02}:{m:02}:{second:02} +0000] \"GET /basket HTTP/1.1\" {status} 512 \"-\" \"Mozilla/5.0\" 0.021",
                draw.next(250)
            );
        }
    }
    std::fs::write(dir.path().join("access.log"), out).unwrap();
    app_log(
        dir.path(),
        "shop.log",
        &[(
            11 * 60,
            12,
            "INFO",
            "release.tool: deploying shop-api 4.13.0 (a1b2c3d) to production".into(),
        )],
    );
    let report = draft(dir.path());

    assert!(report.incident.is_none(), "{:?}", report.incident);
    assert_eq!(report.blips.len(), 1, "{:?}", report.blips);
    assert!(report.blips[0].failed_requests >= 15 && report.blips[0].failed_requests <= 25);
    let markdown = postmortem::render::write_draft(&report, &postmortem::render::View::plain(report.display_zone));
    assert!(
        markdown.contains("no incident found") && markdown.contains("Too small to be incidents"),
        "{markdown}"
    );
}
