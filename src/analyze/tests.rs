//! The analysis on hand-built timelines: which window, which chain, which fix, with
//! decoys beside the story (a deploy that changed nothing, a routine cron job, a trigger
//! beyond the lookback, overlapping symptoms). Each test says what a person reading the
//! same episodes would conclude, and checks that the analysis does.

use super::*;
use crate::format::{Request, SourceKind};
use crate::rules::Rule;
use crate::scan::hits::{Mark, Signal};
use crate::timeline::{RateDetail, RateUnit, Subject};
use std::collections::BTreeMap;

const MINUTE: Micros = 60 * 1_000_000;
const HOUR: Micros = 60 * MINUTE;

/// One rule a category, in the order of `Category::ALL`, titled by the category's name:
/// an episode's rule is its category's place there.
fn rules() -> RuleSet {
    RuleSet::new(
        Category::ALL
            .iter()
            .map(|&category| Rule::named(category.name(), category))
            .collect(),
    )
}

/// An episode of `category` in a `kind` source from minute `start` to minute `end`.
fn episode(category: Category, kind: SourceKind, start: i64, end: i64, count: u64) -> Episode {
    let rule = u16::try_from(Category::ALL.iter().position(|c| *c == category).unwrap()).unwrap();
    Episode {
        signal: Signal::Rule(rule),
        category,
        group: format!("{}.log", kind.name()),
        kind,
        start: start * MINUTE,
        end: end * MINUTE,
        count,
        first: Some(Evidence {
            file: 0,
            line: start.unsigned_abs() + 1,
        }),
        last: Some(Evidence {
            file: 0,
            line: end.unsigned_abs() + 1,
        }),
        subject: None,
        rate: None,
        background: false,
        strength: None,
        first_line: None,
    }
}

fn about(mut e: Episode, field: &str, value: &str) -> Episode {
    e.subject = Some(Subject {
        field: field.into(),
        value: value.into(),
    });
    e
}

/// The error spike users saw, from minute `start` to `end`.
fn spike(start: i64, end: i64) -> Episode {
    let mut e = episode(Category::ErrorSpike, SourceKind::Web, start, end, 100);
    e.rate = Some(RateDetail {
        peak: 0.9,
        peak_at: start * MINUTE,
        baseline: 0.0,
        unit: RateUnit::Ratio,
        ongoing: false,
    });
    e
}

fn timeline(mut episodes: Vec<Episode>) -> Timeline {
    episodes.sort_by_key(|e| e.start);
    Timeline {
        episodes,
        traffic: Series::new(MINUTE),
        first_failures: BTreeMap::new(),
        sources_traffic: BTreeMap::new(),
        files: Vec::new(),
        events: Vec::new(),
        templates: BTreeMap::new(),
        error_counts: BTreeMap::new(),
        app_fields: crate::scan::app_fields::AppFields::new(MINUTE),
        signal_counts: BTreeMap::new(),
        problems: Vec::new(),
    }
}

fn options() -> Options {
    Options::new(24 * HOUR)
}

fn analysed(episodes: Vec<Episode>) -> (Timeline, Analysis) {
    let timeline = timeline(episodes);
    let analysis = analyze(&timeline, &rules(), &options());
    (timeline, analysis)
}

/// The category in `role` of the only incident's chain.
fn in_role(timeline: &Timeline, incident: &Incident, role: Role) -> Option<Category> {
    incident.link(role).map(|l| timeline.episodes[l.episode].category)
}

#[test]
fn symptoms_a_few_minutes_apart_are_one_incident_and_far_apart_two() {
    let (_, analysis) = analysed(vec![spike(0, 10), spike(15, 20), spike(60, 70)]);
    assert_eq!(analysis.incidents.len(), 2);
    assert_eq!((analysis.incidents[0].start, analysis.incidents[0].end), (0, 20 * MINUTE));
    assert_eq!(analysis.incidents[0].symptoms.len(), 2);
    assert_eq!(analysis.incidents[1].start, 60 * MINUTE);
}

#[test]
fn overlapping_error_and_latency_spikes_are_one_incident() {
    let mut latency = spike(5, 30);
    latency.category = Category::LatencySpike;
    let (_, analysis) = analysed(vec![spike(0, 20), latency]);
    assert_eq!(analysis.incidents.len(), 1);
    assert_eq!(analysis.incidents[0].end, 30 * MINUTE);
    assert_eq!(analysis.incidents[0].symptoms.len(), 2);
}

#[test]
fn without_traffic_the_longest_incident_is_the_largest() {
    let (_, analysis) = analysed(vec![spike(0, 5), spike(100, 160), spike(300, 310)]);
    assert_eq!(analysis.largest, Some(1));
}

#[test]
fn the_largest_incident_is_the_one_with_most_failed_requests() {
    let mut timeline = timeline(vec![spike(0, 60), spike(120, 125)]);
    let request = |status| Request {
        client: b"10.0.0.1"[..].into(),
        method: b"GET"[..].into(),
        path: b"/cart"[..].into(),
        status,
        duration_ms: None,
        stamp_at: None,
        reason: None,
        details_at: 0,
    };
    // The long first incident fails sixty times; the short second one two hundred.
    for minute in 0..60 {
        timeline.traffic.add(minute * MINUTE, &request(503));
    }
    for _ in 0..200 {
        timeline.traffic.add(121 * MINUTE, &request(502));
    }
    let analysis = analyze(&timeline, &rules(), &options());
    assert_eq!(analysis.largest, Some(1));
    assert_eq!(analysis.incidents[1].impact.failed_requests, 200);
}

#[test]
fn a_blip_in_a_restart_is_a_note_not_an_incident() {
    // A routine restart: two minutes of 503s, 40 of them, between two real incidents'
    // worth of calm. Below the size of an incident.
    let mut timeline = timeline(vec![spike(600, 602)]);
    for _ in 0..40 {
        timeline.traffic.add(600 * MINUTE, &request_with(503));
    }
    for minute in 590..610 {
        for _ in 0..60 {
            timeline.traffic.add(minute * MINUTE, &request_with(200));
        }
    }
    let analysis = analyze(&timeline, &rules(), &options());
    assert!(analysis.incidents.is_empty() && analysis.largest.is_none());
    assert_eq!(analysis.blips.len(), 1);
    // With the floor lowered, it is drafted.
    let low = Options {
        min_duration: MINUTE,
        min_failed: 10,
        ..options()
    };
    assert_eq!(analyze(&timeline, &rules(), &low).incidents.len(), 1);
}

fn request_with(status: u16) -> Request<'static> {
    Request {
        client: b"10.0.0.9"[..].into(),
        method: b"GET"[..].into(),
        path: b"/"[..].into(),
        status,
        duration_ms: None,
        stamp_at: None,
        reason: None,
        details_at: 0,
    }
}

#[test]
fn a_specific_deep_mechanism_outranks_a_generic_application_error() {
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::AppError, SourceKind::App, -1, 30, 500),
        episode(Category::TableLock, SourceKind::Db, -2, 29, 300),
    ]);
    let incident = &analysis.incidents[0];
    assert_eq!(in_role(&timeline, incident, Role::Mechanism), Some(Category::TableLock));
    // The application errors are weighed and named as an alternative.
    assert!(incident
        .alternatives
        .iter()
        .any(|l| timeline.episodes[l.episode].category == Category::AppError));
}

#[test]
fn a_mechanism_must_be_under_way_when_the_symptom_starts() {
    // A lock long before the outage; one that began within the half hour before it but
    // was over a quarter of an hour before it; and deadlocks twenty minutes into it.
    let (_, analysis) = analysed(vec![
        spike(60, 90),
        episode(Category::TableLock, SourceKind::Db, 0, 10, 300),
        episode(Category::TableLock, SourceKind::Db, 35, 45, 300),
        episode(Category::Deadlock, SourceKind::Db, 80, 85, 10),
    ]);
    assert!(analysis.incidents[0].link(Role::Mechanism).is_none());
}

#[test]
fn a_mechanism_on_time_scores_above_the_same_one_starting_late() {
    let incident = |start| {
        let (timeline, analysis) = analysed(vec![spike(0, 30), episode(Category::SlowQuery, SourceKind::Db, start, 30, 50)]);
        let link = *analysis.incidents[0].link(Role::Mechanism).unwrap();
        chain::mechanism_score(
            link.episode,
            &analysis.incidents[0],
            &timeline,
            &roles::Conditions::of(&timeline.episodes),
        )
        .unwrap()
    };
    assert!(incident(0) > incident(10), "{} against {}", incident(0), incident(10));
}

#[test]
fn the_trigger_is_the_change_that_fits_the_mechanism() {
    // A release ten minutes before a dry pool; a config change the day before.
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::PoolExhaustion, SourceKind::App, -1, 30, 900),
        about(episode(Category::Deploy, SourceKind::System, -10, -10, 1), "version", "4.18.0"),
        episode(Category::ConfigChange, SourceKind::System, -20 * 60, -20 * 60, 1),
    ]);
    let incident = &analysis.incidents[0];
    assert_eq!(in_role(&timeline, incident, Role::Trigger), Some(Category::Deploy));
    assert_eq!(in_role(&timeline, incident, Role::Mechanism), Some(Category::PoolExhaustion));
    // Confidence is the mean of the two scores.
    let (t, m) = (
        incident.link(Role::Trigger).unwrap().score,
        incident.link(Role::Mechanism).unwrap().score,
    );
    assert!((incident.confidence - (t + m) / 2.0).abs() < 1e-9);
}

/// A surge of traffic one crawler made (see [`crate::timeline::surges`]), from minute
/// `start` to the end of the incident.
fn crawler_surge(start: i64) -> Episode {
    let mut e = about(
        episode(Category::TrafficSurge, SourceKind::Web, start, 30, 2_800),
        "user agent",
        "ExampleBot/2.1",
    );
    e.signal = Signal::Surge;
    e.last = None;
    e
}

#[test]
fn a_crawler_that_filled_the_workers_outranks_a_release_before_it() {
    // A release at -17 min, a crawler's surge from -7; workers ran out from -1.
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::ResourceExhaustion, SourceKind::App, -1, 30, 37),
        crawler_surge(-7),
        about(episode(Category::Deploy, SourceKind::System, -17, -17, 1), "version", "7.3.1"),
    ]);
    let incident = &analysis.incidents[0];
    assert_eq!(in_role(&timeline, incident, Role::Trigger), Some(Category::TrafficSurge));
    assert!(incident
        .alternatives
        .iter()
        .any(|l| timeline.episodes[l.episode].category == Category::Deploy));
}

#[test]
fn a_crawler_that_came_during_a_migration_is_not_what_locked_the_table() {
    // Decoy: the same crawler, while a migration locks a table two minutes before the
    // failures: a surge does not lock tables; a migration does.
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::TableLock, SourceKind::Db, -1, 30, 300),
        episode(Category::Migration, SourceKind::Db, -2, -2, 1),
        crawler_surge(-7),
    ]);
    assert_eq!(in_role(&timeline, &analysis.incidents[0], Role::Trigger), Some(Category::Migration));
}

#[test]
fn a_deploy_after_the_outage_began_is_not_its_trigger() {
    // Decoy: a release shipped ten minutes into the outage (the fix, perhaps), beside the
    // maintenance that started it.
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::TableLock, SourceKind::Db, -1, 30, 300),
        episode(Category::Maintenance, SourceKind::Db, -2, -2, 1),
        episode(Category::Deploy, SourceKind::System, 10, 10, 1),
    ]);
    assert_eq!(
        in_role(&timeline, &analysis.incidents[0], Role::Trigger),
        Some(Category::Maintenance)
    );
    // Alone, it is no trigger either.
    let (_, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::PoolExhaustion, SourceKind::App, -1, 30, 300),
        episode(Category::Deploy, SourceKind::System, 10, 10, 1),
    ]);
    assert!(analysis.incidents[0].link(Role::Trigger).is_none());
}

#[test]
fn a_deploy_that_changed_nothing_loses_to_the_change_that_did() {
    // Decoy: a release six hours before, followed by hours of calm; then a migration two
    // minutes before lock waits.
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::TableLock, SourceKind::Db, -1, 30, 300),
        episode(Category::Migration, SourceKind::Db, -2, -2, 1),
        episode(Category::Deploy, SourceKind::System, -6 * 60, -6 * 60, 1),
    ]);
    let incident = &analysis.incidents[0];
    assert_eq!(in_role(&timeline, incident, Role::Trigger), Some(Category::Migration));
    assert!(incident
        .alternatives
        .iter()
        .any(|l| timeline.episodes[l.episode].category == Category::Deploy));
}

#[test]
fn a_change_to_another_service_long_before_is_no_trigger_but_one_to_the_failing_one_is() {
    // The checkout service's pool runs dry at minute 0, said in its own log.
    let (pool, restart) = (
        || {
            let mut e = episode(Category::PoolExhaustion, SourceKind::App, -1, 30, 300);
            e.group = "/var/log/checkout.log".into();
            e
        },
        |minute, command| {
            about(
                episode(Category::AdminAction, SourceKind::System, minute, minute, 1),
                "command",
                command,
            )
        },
    );
    let trigger = |restart: Episode| {
        let (timeline, analysis) = analysed(vec![spike(0, 30), pool(), restart]);
        in_role(&timeline, &analysis.incidents[0], Role::Trigger)
    };
    // Decoy: a restart of another service 80 minutes before, with calm in between.
    assert_eq!(trigger(restart(-80, "/usr/bin/systemctl restart searchd")), None);
    // Beside the pool's lines, another line of the failures: `said`.
    let with_line = |restart: Episode, said: &str| {
        let mut line = episode(Category::AppError, SourceKind::App, 0, 30, 300);
        line.group = "/var/log/checkout.log".into();
        line.first_line = Some(std::sync::Arc::new(crate::scan::hits::FirstLine {
            line: said.into(),
            message: said.into(),
            ..Default::default()
        }));
        let (timeline, analysis) = analysed(vec![spike(0, 30), pool(), line, restart]);
        in_role(&timeline, &analysis.incidents[0], Role::Trigger)
    };
    // Decoy: the same restart, though the first failed request was for `/searchd`: the
    // route an echo was said of names no service.
    assert_eq!(
        with_line(restart(-80, "/usr/bin/systemctl restart searchd"), "GET /searchd answered 500"),
        None
    );
    // A service the failing line called, by its URL, and a file it could not read, on a
    // path no route takes: both are named.
    assert_eq!(
        with_line(
            restart(-80, "/usr/bin/systemctl restart ledger"),
            "settle failed: Post \"http://ledger:7070/v1/settle\": dial tcp 10.0.4.2:7070: connect: connection refused"
        ),
        Some(Category::AdminAction)
    );
    assert_eq!(
        with_line(
            restart(-80, "/usr/bin/sed -i s/v2/v3/ /app/config/flags.yaml"),
            "cannot load /app/config/flags.yaml: unknown key 'checkout_v3'"
        ),
        Some(Category::AdminAction)
    );
    // The same restart of the service that failed: a change to it may show hours later.
    assert_eq!(
        trigger(restart(-80, "/usr/bin/systemctl restart checkout")),
        Some(Category::AdminAction)
    );
    // Another service restarted five minutes before is still a suspect (a shared host).
    assert_eq!(
        trigger(restart(-5, "/usr/bin/systemctl restart searchd")),
        Some(Category::AdminAction)
    );
    // A release the service logged itself the night before, in no words the failures
    // share: written in the log that failed, it is about what failed.
    let mut release = about(
        episode(Category::Deploy, SourceKind::App, -600, -600, 1),
        "version",
        "basketweb 4.12.0",
    );
    release.group = "/var/log/checkout.log".into();
    assert_eq!(trigger(release), Some(Category::Deploy));
}

#[test]
fn a_trigger_beyond_the_lookback_is_not_considered() {
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::PoolExhaustion, SourceKind::App, -1, 30, 900),
        episode(Category::Deploy, SourceKind::System, -25 * 60, -25 * 60, 1),
    ]);
    let incident = &analysis.incidents[0];
    assert_eq!(in_role(&timeline, incident, Role::Trigger), None);
    assert!(incident.alternatives.iter().all(|l| l.role != Role::Trigger));
    // A mechanism alone: most of its score.
    let m = incident.link(Role::Mechanism).unwrap().score;
    assert!((incident.confidence - 0.6 * m).abs() < 1e-9);
}

#[test]
fn a_routine_cron_job_is_not_a_suspect_but_a_one_off_is() {
    let cron = |minute, command| {
        about(
            episode(Category::CronJob, SourceKind::System, minute, minute, 1),
            "command",
            command,
        )
    };
    // The same job every ten minutes, the last one just before the outage; and a job
    // run once, twenty minutes before.
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::SlowQuery, SourceKind::Db, -1, 30, 200),
        cron(-30, "/usr/bin/php /var/www/cron.php"),
        cron(-20, "/usr/bin/php /var/www/cron.php"),
        cron(-10, "/usr/bin/php /var/www/cron.php"),
        cron(-1, "/usr/bin/php /var/www/cron.php"),
        cron(-20, "/opt/reindex-catalogue.sh"),
    ]);
    let trigger = analysis.incidents[0].link(Role::Trigger).unwrap();
    assert_eq!(
        timeline.episodes[trigger.episode].subject.as_ref().unwrap().value,
        "/opt/reindex-catalogue.sh"
    );
    // The routine job alone is too weak to name.
    let (_, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::SlowQuery, SourceKind::Db, -1, 30, 200),
        cron(-30, "/usr/bin/php /var/www/cron.php"),
        cron(-20, "/usr/bin/php /var/www/cron.php"),
        cron(-10, "/usr/bin/php /var/www/cron.php"),
    ]);
    assert!(analysis.incidents[0].link(Role::Trigger).is_none());
}

#[test]
fn a_maintenance_started_by_cron_has_the_cron_job_as_origin() {
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::TableLock, SourceKind::Db, -1, 30, 300),
        episode(Category::Maintenance, SourceKind::Db, -2, -2, 1),
        about(
            episode(Category::CronJob, SourceKind::System, -3, -3, 1),
            "command",
            "/usr/local/bin/optimize",
        ),
    ]);
    let incident = &analysis.incidents[0];
    assert_eq!(in_role(&timeline, incident, Role::Origin), Some(Category::CronJob));
    let roles: Vec<Role> = incident.chain.iter().map(|l| l.role).collect();
    assert_eq!(roles, [Role::Origin, Role::Trigger, Role::Mechanism, Role::Symptom]);
}

#[test]
fn a_near_tie_of_another_kind_joins_the_chain_and_one_of_the_same_kind_does_not() {
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::TableLock, SourceKind::Db, -1, 30, 300),
        episode(Category::SlowQuery, SourceKind::Db, -1, 30, 300),
    ]);
    let mechanisms: Vec<Category> = analysis.incidents[0]
        .chain
        .iter()
        .filter(|l| l.role == Role::Mechanism)
        .map(|l| timeline.episodes[l.episode].category)
        .collect();
    assert_eq!(mechanisms, [Category::TableLock, Category::SlowQuery]);

    let lock_elsewhere = {
        let mut e = episode(Category::TableLock, SourceKind::Db, -1, 30, 300);
        e.group = "other-db.log".into();
        e
    };
    let (_, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::TableLock, SourceKind::Db, -1, 30, 300),
        lock_elsewhere,
    ]);
    let count = analysis.incidents[0].chain.iter().filter(|l| l.role == Role::Mechanism).count();
    assert_eq!(count, 1);
}

#[test]
fn the_fix_is_the_action_closest_to_when_the_mechanism_stopped() {
    let (timeline, analysis) = analysed(vec![
        spike(0, 60),
        episode(Category::TableLock, SourceKind::Db, -1, 50, 300),
        // Decoys: an admin action before the outage, and a restart long after it.
        episode(Category::AdminAction, SourceKind::System, -30, -30, 1),
        episode(Category::Restart, SourceKind::System, 200, 200, 1),
        // What an administrator did while the lock held, and just as it ended.
        episode(Category::AdminAction, SourceKind::System, 20, 20, 1),
        episode(Category::AdminAction, SourceKind::System, 49, 49, 1),
    ]);
    let fix = analysis.incidents[0].resolution.as_ref().unwrap();
    assert_eq!(timeline.episodes[fix.action].start, 49 * MINUTE);
    // The action at minute 20 was half an hour earlier: not part of the fix.
    assert!(fix.together.is_empty());
}

#[test]
fn actions_taken_with_the_fix_are_part_of_it() {
    let (timeline, analysis) = analysed(vec![
        spike(0, 60),
        episode(Category::TableLock, SourceKind::Db, -1, 50, 300),
        // Kill the script, then its query a minute later; a release eight minutes before
        // is not part of the fix (decoy).
        episode(Category::AdminAction, SourceKind::System, 49, 49, 1),
        episode(Category::Maintenance, SourceKind::Db, 50, 50, 1),
        episode(Category::Deploy, SourceKind::App, 41, 41, 1),
    ]);
    // The kill is where the fix began: the first of the actions taken together, though
    // the query's end came closer to when the lock ended.
    let fix = analysis.incidents[0].resolution.as_ref().unwrap();
    assert_eq!(timeline.episodes[fix.action].start, 49 * MINUTE);
    let together: Vec<Micros> = fix.together.iter().map(|&i| timeline.episodes[i].start).collect();
    assert_eq!(together, [50 * MINUTE]);
}

#[test]
fn without_an_action_near_the_end_there_is_no_fix() {
    let (_, analysis) = analysed(vec![
        spike(0, 60),
        episode(Category::TableLock, SourceKind::Db, -1, 58, 300),
        // A quarter of an hour before the lock ended: the outage went on without change.
        episode(Category::Restart, SourceKind::System, 40, 40, 1),
    ]);
    assert_eq!(analysis.incidents[0].resolution, None);
}

#[test]
fn a_symptom_is_never_its_own_mechanism_and_with_nothing_else_nothing_is_claimed() {
    let (_, analysis) = analysed(vec![spike(0, 30)]);
    let incident = &analysis.incidents[0];
    let roles: Vec<Role> = incident.chain.iter().map(|l| l.role).collect();
    assert_eq!(roles, [Role::Symptom]);
    assert_eq!(incident.confidence, 0.0);
}

#[test]
fn users_saw_errors_from_the_first_failed_request_of_the_windows_first_bucket() {
    let mut timeline = timeline(vec![spike(10, 30)]);
    // A failure a few seconds into the bucket the window starts in, before its start …
    let early = Mark {
        time: 10 * MINUTE + 5_000_000,
        file: 0,
        offset: 0,
        line: 77,
    };
    // … and one the minute before: not this incident's.
    let before = Mark {
        time: 9 * MINUTE,
        file: 0,
        offset: 0,
        line: 70,
    };
    timeline.first_failures.insert(10 * MINUTE, early);
    timeline.first_failures.insert(9 * MINUTE, before);
    let analysis = analyze(&timeline, &rules(), &options());
    let detected = analysis.incidents[0].detected.unwrap();
    assert_eq!((detected.time, detected.evidence.line), (early.time, 77));

    // Without failed requests, the first line of the symptom.
    let (_, analysis) = analysed(vec![spike(10, 30)]);
    assert_eq!(analysis.incidents[0].detected.unwrap().time, 10 * MINUTE);
}

#[test]
fn impact_names_the_endpoints_hit_and_only_well_used_ones_as_unaffected() {
    let mut timeline = timeline(vec![spike(0, 10)]);
    let mut add = |path: &'static [u8], status, n| {
        for i in 0..n {
            let client = format!("10.0.0.{}", i % 7);
            let request = Request {
                client: client.as_bytes().into(),
                method: b"GET"[..].into(),
                path: path.into(),
                status,
                duration_ms: None,
                stamp_at: None,
                reason: None,
                details_at: 0,
            };
            timeline.traffic.add(MINUTE, &request);
        }
    };
    add(b"/cart", 503, 40);
    add(b"/cart", 200, 10);
    // Too few requests to say it was hit, however they went.
    add(b"/search", 502, 5);
    // Plenty of requests, a few failed: not what users met.
    add(b"/home", 502, 2);
    add(b"/home", 200, 198);
    add(b"/static/app.js", 200, 30);
    add(b"/robots.txt", 200, 3);
    let impact = impact(&timeline.traffic, 0, 10 * MINUTE);
    assert_eq!((impact.requests, impact.failed_requests), (288, 47));
    let hit: Vec<&str> = impact.hardest_hit.iter().map(|e| e.endpoint.as_str()).collect();
    assert_eq!(hit, ["/cart"]);
    let unaffected: Vec<&str> = impact.unaffected.iter().map(|e| e.endpoint.as_str()).collect();
    assert_eq!(unaffected, ["/static/app.js"]);
    assert_eq!(impact.clients, 7);
}

#[test]
fn confidence_weighs_what_was_found() {
    assert_eq!(weights::confidence(None, None), 0.0);
    assert!((weights::confidence(Some(0.8), Some(0.6)) - 0.7).abs() < 1e-9);
    assert!((weights::confidence(None, Some(0.5)) - 0.3).abs() < 1e-9);
    assert!((weights::confidence(Some(0.5), None) - 0.25).abs() < 1e-9);
}

#[test]
fn background_is_neither_trigger_nor_mechanism() {
    // A routine job merged into background, and lock waits that run all day: what was
    // there before anything went wrong.
    let mut job = about(
        episode(Category::CronJob, SourceKind::System, -600, 60, 72),
        "command",
        "/usr/lib/sa1",
    );
    job.background = true;
    let mut waits = episode(Category::TableLock, SourceKind::Db, -600, 60, 200);
    waits.background = true;
    let (_, analysis) = analysed(vec![spike(0, 30), job, waits]);
    let incident = &analysis.incidents[0];
    assert!(incident.link(Role::Trigger).is_none() && incident.link(Role::Mechanism).is_none());
    assert!(incident.alternatives.is_empty());
}

/// Lines no rule names (one template of `group`, at `level`) from minute `start` to `end`,
/// the first of them saying `text`. The template is first seen at its first episode.
fn message(timeline: &mut Timeline, key: u64, level: crate::format::Level, text: &str, minutes: (i64, i64), count: u64) -> Episode {
    use crate::scan::templates::{Occurrence, Template};
    let mark = |minute: i64| Mark {
        time: minute * MINUTE,
        file: 0,
        offset: 0,
        line: minute.unsigned_abs() + 1,
    };
    let template = Template {
        text: text.into(),
        level: Some(level),
        count,
        first: mark(minutes.0),
        last: mark(minutes.1),
        earliest: vec![Occurrence {
            mark: mark(minutes.0),
            line: text.into(),
            message: text.into(),
        }],
        named: false,
        joined: None,
    };
    let templates = timeline.templates.entry("app.log".into()).or_default();
    let known = templates.by_key.entry(key).or_insert_with(|| template.clone());
    known.first = known.first.min(template.first);
    let mut e = episode(Category::LogErrors, SourceKind::App, minutes.0, minutes.1, count);
    e.signal = Signal::Template(key);
    e.first_line = Some(std::sync::Arc::new(crate::scan::hits::FirstLine {
        line: text.into(),
        message: text.into(),
        ..Default::default()
    }));
    e
}

/// An incident from minute 60 to 90 in which `failed` requests fail each minute, out of
/// a hundred; the rest of the day is calm.
fn traffic_failing(timeline: &mut Timeline, failed: impl Fn(i64) -> u64) {
    for minute in 0..120 {
        let failing = if (60..90).contains(&minute) { failed(minute) } else { 0 };
        for k in 0..100 {
            timeline
                .traffic
                .add(minute * MINUTE, &request_with(if k < failing { 502 } else { 200 }));
        }
    }
}

fn analysed_with(mut timeline: Timeline, episodes: Vec<Episode>) -> (Timeline, Analysis) {
    timeline.episodes.extend(episodes);
    timeline.episodes.sort_by_key(|e| (e.start, e.first));
    let analysis = analyze(&timeline, &rules(), &options());
    (timeline, analysis)
}

#[test]
fn a_line_for_each_failed_request_is_an_echo_and_the_resource_that_ran_out_the_mechanism() {
    use crate::format::Level;
    let mut t = timeline(vec![spike(60, 90)]);
    traffic_failing(&mut t, |_| 40);
    // The proxy's line for each failed request (an upstream error with the request's
    // fields), the application's line for each (it names a status, and tracks the
    // failures one for one), and a warning that the workers are all busy, from just
    // before the onset, once a minute.
    let proxy = {
        let mut e = episode(Category::UpstreamError, SourceKind::Web, 60, 90, 1200);
        e.first_line = Some(std::sync::Arc::new(crate::scan::hits::FirstLine {
            message: "upstream timed out while reading response header from upstream, client: 10.0.0.9, request: \"GET /pay HTTP/1.1\""
                .into(),
            ..Default::default()
        }));
        e
    };
    let aborted = message(&mut t, 1, Level::Error, "aborted call, answering 502", (60, 89), 1200);
    for minute in 60..90 {
        t.signal_counts
            .entry(("app.log".into(), Signal::Template(1)))
            .or_default()
            .insert(minute * MINUTE, 40);
    }
    let busy = message(&mut t, 2, Level::Warning, "all 16 workers busy, 230 waiting", (59, 89), 31);
    // A warning that recurs all day is background, not a suspect.
    let mut drift = message(&mut t, 3, Level::Warning, "clock drift corrected", (0, 119), 7);
    drift.background = true;
    let (timeline, analysis) = analysed_with(t, vec![proxy, aborted, busy, drift]);
    let incident = &analysis.incidents[0];
    let mechanism = incident.link(Role::Mechanism).expect("a mechanism").episode;
    assert_eq!(timeline.episodes[mechanism].signal, Signal::Template(2));
    let echoes: Vec<Category> = incident.echoes.iter().map(|&i| timeline.episodes[i].category).collect();
    assert_eq!(echoes.len(), 2, "{echoes:?}");
    assert!(!incident.alternatives.iter().any(|l| incident.echoes.contains(&l.episode)));
}

#[test]
fn a_line_that_tracks_the_failures_but_names_what_ran_out_is_no_echo() {
    use crate::format::Level;
    let mut t = timeline(vec![spike(60, 90)]);
    traffic_failing(&mut t, |_| 40);
    let drained = message(
        &mut t,
        1,
        Level::Error,
        "write aborted: stock pool drained (waited 2000ms)",
        (60, 89),
        1200,
    );
    for minute in 60..90 {
        t.signal_counts
            .entry(("app.log".into(), Signal::Template(1)))
            .or_default()
            .insert(minute * MINUTE, 40);
    }
    let (timeline, analysis) = analysed_with(t, vec![drained]);
    let incident = &analysis.incidents[0];
    assert!(incident.echoes.is_empty());
    let mechanism = incident.link(Role::Mechanism).expect("a mechanism").episode;
    assert_eq!(timeline.episodes[mechanism].signal, Signal::Template(1));
}

#[test]
fn a_condition_said_once_before_the_onset_holds_until_the_recovery() {
    use crate::format::Level;
    let mut t = timeline(vec![spike(60, 90)]);
    traffic_failing(&mut t, |_| 30);
    // Said at 59 and reprinted at 69 and 79; a one-off warning at 20 is long over; an
    // error that starts twenty minutes in is late.
    let full = message(&mut t, 1, Level::Critical, "volume /data at 100% capacity", (59, 59), 1);
    let again = message(&mut t, 1, Level::Critical, "volume /data at 100% capacity", (69, 69), 1);
    let third = message(&mut t, 1, Level::Critical, "volume /data at 100% capacity", (79, 79), 1);
    let early = message(&mut t, 2, Level::Warning, "certificate renewed with warnings", (20, 20), 1);
    let late = message(&mut t, 3, Level::Error, "index rebuild failed", (80, 89), 40);
    let (timeline, analysis) = analysed_with(t, vec![full, again, third, early, late]);
    let incident = &analysis.incidents[0];
    let mechanism = incident.link(Role::Mechanism).expect("a mechanism");
    assert_eq!(timeline.episodes[mechanism.episode].start, 59 * MINUTE);
    // The reprints are the same condition, not alternatives of their own.
    let reprint = |l: &Link| timeline.episodes[l.episode].signal == Signal::Template(1);
    assert!(!incident.alternatives.iter().any(reprint), "{:?}", incident.alternatives);
    // Said once at 59 and never again, it holds as well.
    let mut t = timeline_with_spike_and_traffic();
    let once = message(&mut t, 1, Level::Critical, "volume /data at 100% capacity", (59, 59), 1);
    let late = message(&mut t, 3, Level::Error, "index rebuild failed", (80, 89), 40);
    let (timeline, analysis) = analysed_with(t, vec![once, late]);
    let mechanism = analysis.incidents[0].link(Role::Mechanism).expect("a mechanism");
    assert_eq!(timeline.episodes[mechanism.episode].signal, Signal::Template(1));
}

fn timeline_with_spike_and_traffic() -> Timeline {
    let mut t = timeline(vec![spike(60, 90)]);
    traffic_failing(&mut t, |_| 30);
    t
}

#[test]
fn a_rule_naming_a_resource_outranks_a_message_no_rule_names() {
    use crate::format::Level;
    let mut t = timeline_with_spike_and_traffic();
    let new = message(&mut t, 1, Level::Error, "render pipeline stalled", (60, 89), 5000);
    let lock = episode(Category::TableLock, SourceKind::Db, 61, 62, 3);
    let (timeline, analysis) = analysed_with(t, vec![new, lock]);
    assert_eq!(
        in_role(&timeline, &analysis.incidents[0], Role::Mechanism),
        Some(Category::TableLock)
    );
}

#[test]
fn a_supervisors_restart_right_after_the_crash_is_not_the_fix_the_operators_action_is() {
    let crash = || episode(Category::ResourceExhaustion, SourceKind::System, 60, 60, 1);
    let restart = |minute| episode(Category::Restart, SourceKind::System, minute, minute, 1);
    // systemd restarts the service right after the crash, and the failures go on until an
    // operator acts at 88.
    let (timeline, analysis) = analysed(vec![
        spike(60, 90),
        crash(),
        restart(60),
        episode(Category::AdminAction, SourceKind::System, 88, 88, 1),
    ]);
    let fix = analysis.incidents[0].resolution.as_ref().expect("a fix");
    assert_eq!(timeline.episodes[fix.action].category, Category::AdminAction);
    // With no operator, the restart right after the crash ended nothing …
    let (_, analysis) = analysed(vec![spike(60, 90), crash(), restart(60)]);
    assert!(analysis.incidents[0].resolution.is_none());
    // … but one the recovery follows did.
    let (timeline, analysis) = analysed(vec![spike(60, 90), crash(), restart(60), restart(87)]);
    let fix = analysis.incidents[0].resolution.as_ref().expect("a fix");
    assert_eq!(timeline.episodes[fix.action].start, 87 * MINUTE);
}

#[test]
fn a_command_run_before_the_trouble_may_be_its_trigger_and_one_run_after_never() {
    let (timeline, analysis) = analysed(vec![
        spike(60, 90),
        episode(Category::SlowQuery, SourceKind::Db, 55, 90, 400),
        episode(Category::AdminAction, SourceKind::System, 50, 50, 1),
        episode(Category::AdminAction, SourceKind::System, 58, 58, 1),
    ]);
    let trigger = analysis.incidents[0].link(Role::Trigger).expect("a trigger");
    // The command at 58 came after the slow queries began at 55: a response to them.
    assert_eq!(timeline.episodes[trigger.episode].start, 50 * MINUTE);
}

/// A latency spike from minute `start` to `end`, the mean up to `peak` ms from `before`.
fn slow(start: i64, end: i64, peak: f64, before: f64) -> Episode {
    let mut e = spike(start, end);
    e.category = Category::LatencySpike;
    e.rate = Some(RateDetail {
        peak,
        peak_at: start * MINUTE,
        baseline: before,
        unit: RateUnit::Milliseconds,
        ongoing: false,
    });
    e
}

#[test]
fn a_long_slowdown_with_no_failures_is_an_incident_and_a_short_one_a_blip() {
    let traffic = |timeline: &mut Timeline, slow_minutes: std::ops::Range<i64>| {
        for minute in 0..180 {
            let ms = if slow_minutes.contains(&minute) { 9000.0 } else { 80.0 };
            for _ in 0..60 {
                let request = Request {
                    duration_ms: Some(ms),
                    ..request_with(200)
                };
                timeline.traffic.add(minute * MINUTE, &request);
            }
        }
    };
    // Fifty minutes at 9 s a request, not one failure: sized by the requests served slowly.
    let mut long = timeline(vec![slow(60, 110, 9000.0, 80.0)]);
    traffic(&mut long, 60..110);
    let analysis = analyze(&long, &rules(), &options());
    assert_eq!(analysis.incidents.len(), 1, "{:?}", analysis.blips);
    let impact = &analysis.incidents[0].impact;
    assert_eq!((impact.failed_requests, impact.slow_requests), (0, 50 * 60));
    assert_eq!((impact.slow_peak_ms, impact.slow_baseline_ms), (Some(9000.0), Some(80.0)));
    // Two slow minutes are a blip, however slow.
    let mut short = timeline(vec![slow(60, 62, 9000.0, 80.0)]);
    traffic(&mut short, 60..62);
    let analysis = analyze(&short, &rules(), &options());
    assert!(analysis.incidents.is_empty());
    assert_eq!(analysis.blips.len(), 1);
}

#[test]
fn a_condition_said_once_is_fixed_by_the_action_near_the_recovery_not_the_first_after_it() {
    // The disk is said full once, just before the failures; an operator looks around at
    // 62 and frees space at 89, just before the recovery at 90.
    let (timeline, analysis) = analysed(vec![
        spike(60, 90),
        episode(Category::ResourceExhaustion, SourceKind::System, 59, 59, 1),
        episode(Category::AdminAction, SourceKind::System, 62, 62, 1),
        episode(Category::AdminAction, SourceKind::System, 89, 89, 1),
    ]);
    let fix = analysis.incidents[0].resolution.as_ref().expect("a fix");
    assert_eq!(timeline.episodes[fix.action].start, 89 * MINUTE);
}

#[test]
fn reprints_are_one_condition_and_overlaps_gaps_and_background_are_not() {
    let said = |minute: i64| episode(Category::LogErrors, SourceKind::App, minute, minute, 1);
    let mut background = said(0);
    background.background = true;
    // Said at 10 and 20 (ten minutes apart), then a run from 30 to 40; a line at 35 that
    // the run overlaps; at 80 (long after: another); and a background episode at 0.
    let run = episode(Category::LogErrors, SourceKind::App, 30, 40, 5);
    let mut inside = said(35);
    inside.first = Some(Evidence { file: 0, line: 999 });
    let episodes = vec![background, said(10), said(20), run, inside, said(80)];
    let conditions = roles::Conditions::of(&episodes);
    assert_eq!(conditions.chain(1), &[1, 2, 3][..]);
    assert_eq!(conditions.chain(3), &[1, 2, 3][..]);
    assert!(conditions.is_reprint(2) && conditions.is_reprint(3));
    assert!(!conditions.is_reprint(0) && !conditions.is_reprint(4) && !conditions.is_reprint(5));
    assert_eq!(conditions.chain(5), &[5][..]);
    assert_eq!(conditions.chain(0), &[0][..]);
    assert_eq!(conditions.lines(1, &episodes), 7);
}

#[test]
fn a_condition_said_long_before_and_reprinted_into_the_window_is_still_the_mechanism() {
    use crate::format::Level;
    let mut t = timeline_with_spike_and_traffic();
    // First said 40 minutes before the failures, then every ten minutes into them.
    let said: Vec<Episode> = (0..6)
        .map(|k| message(&mut t, 1, Level::Critical, "replica 2 out of sync", (20 + 10 * k, 20 + 10 * k), 1))
        .collect();
    let (timeline, analysis) = analysed_with(t, said);
    let mechanism = analysis.incidents[0].link(Role::Mechanism).expect("a mechanism");
    assert_eq!(timeline.episodes[mechanism.episode].start, 20 * MINUTE);
}

/// Warnings of template `key` at `minutes`, one line each, saying `said(minute)`; the
/// source's counts follow.
fn warnings(t: &mut Timeline, key: u64, minutes: &[i64], said: impl Fn(i64) -> String) -> Vec<Episode> {
    use crate::format::Level;
    minutes
        .iter()
        .map(|&m| {
            *t.signal_counts
                .entry(("app.log".into(), Signal::Template(key)))
                .or_default()
                .entry(m * MINUTE)
                .or_default() += 1;
            message(t, key, Level::Warning, &said(m), (m, m), 1)
        })
        .collect()
}

#[test]
fn warnings_that_escalate_toward_the_failure_are_its_early_sign_and_decoys_are_not() {
    let mut t = timeline(vec![spike(60, 90)]);
    traffic_failing(&mut t, |_| 40);
    // The sign: every ten minutes from minute 10, a queue that grows.
    let sign = warnings(&mut t, 10, &[10, 20, 30, 40, 50], |m| format!("intake queue depth={}", m * 23));
    // Decoys: numbers that go up and down; a warning that rose and stopped long before;
    // one that begins too close to the failure to be a sign of it.
    let jumpy = warnings(&mut t, 11, &[5, 15, 25, 35, 45, 55], |m| {
        format!(
            "partner reply slow ms={}",
            [340, 812, 260, 799, 410, 650][usize::try_from(m).unwrap() / 10]
        )
    });
    let over = warnings(&mut t, 12, &[0, 4, 8, 12, 16, 20], |m| {
        format!("index rebuild behind done={}", 100 + m * 10)
    });
    let late = warnings(&mut t, 13, &[52, 54, 56, 58], |m| format!("retries climbing n={}", m));
    let dry = episode(Category::PoolExhaustion, SourceKind::App, 60, 90, 300);
    let (timeline, analysis) = analysed_with(t, [sign, jumpy, over, late, vec![dry]].concat());
    let found = analysis.incidents[0].early_sign.as_ref().expect("an early sign");
    assert_eq!(timeline.episodes[found.episode].signal, Signal::Template(10));
    assert_eq!(found.lines, 5);
    assert_eq!(
        found.escalation,
        crate::analyze::signs::Escalation::Numbers {
            name: Some("depth".into()),
            values: vec!["230".into(), "460".into(), "690".into(), "1150".into()],
            lines: 5
        }
    );
}

#[test]
fn warnings_that_come_more_and_more_often_are_an_early_sign() {
    let mut t = timeline(vec![spike(60, 90)]);
    traffic_failing(&mut t, |_| 40);
    // The same words each time, but four lines in the first twenty minutes and twelve
    // in the last twenty.
    let minutes: Vec<i64> = [20, 25, 30, 35].into_iter().chain((40..60).step_by(2)).chain([55, 57]).collect();
    let sign = warnings(&mut t, 20, &minutes, |_| "replica fell behind".into());
    // A steady one is no sign.
    let steady = warnings(&mut t, 21, &(10..60).step_by(5).collect::<Vec<_>>(), |_| "cache miss storm".into());
    // What ran out when the failures began, named by a rule: the mechanism.
    let dry = episode(Category::PoolExhaustion, SourceKind::App, 60, 90, 300);
    let (timeline, analysis) = analysed_with(t, [sign, steady, vec![dry]].concat());
    let incident = &analysis.incidents[0];
    let found = incident
        .early_sign
        .as_ref()
        .unwrap_or_else(|| panic!("no early sign: {:?}", incident.chain));
    assert_eq!(timeline.episodes[found.episode].signal, Signal::Template(20));
    assert!(
        matches!(found.escalation, crate::analyze::signs::Escalation::Rate { earlier: 4, later: 12 }),
        "{:?}",
        found.escalation
    );
}

#[test]
fn an_alternative_seen_on_several_hosts_or_routes_is_listed_once() {
    // The lock is the mechanism. Slow queries on three database hosts, one of them for
    // two routes, are one alternative; the lock seen on a second host is the chain's.
    let slow = |group: &str, route: &str| {
        let mut e = about(episode(Category::SlowQuery, SourceKind::Db, -2, 30, 40), "route", route);
        e.group = group.into();
        e
    };
    let mut lock_elsewhere = episode(Category::TableLock, SourceKind::Db, 0, 30, 400);
    lock_elsewhere.group = "db2.log".into();
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::TableLock, SourceKind::Db, -1, 30, 500),
        lock_elsewhere,
        slow("db1.log", "/cart"),
        slow("db2.log", "/cart"),
        slow("db3.log", "/pay"),
        slow("db3.log", "/cart"),
        episode(Category::Deadlock, SourceKind::Db, 1, 20, 30),
    ]);
    let incident = &analysis.incidents[0];
    assert_eq!(in_role(&timeline, incident, Role::Mechanism), Some(Category::TableLock));
    let listed: Vec<Category> = incident
        .alternatives
        .iter()
        .map(|l| timeline.episodes[l.episode].category)
        .collect();
    assert_eq!(listed, [Category::SlowQuery, Category::Deadlock], "{listed:?}");
}

#[test]
fn two_commands_of_one_rule_are_two_alternatives() {
    // Two cron jobs before the outage: one rule, two commands, two candidates.
    let job = |start: i64, command: &str| about(episode(Category::CronJob, SourceKind::System, start, start, 1), "command", command);
    let (timeline, analysis) = analysed(vec![
        spike(0, 30),
        episode(Category::TableLock, SourceKind::Db, 0, 30, 500),
        job(-20, "/usr/local/bin/backup.sh"),
        job(-10, "/usr/local/bin/migrate.sh"),
    ]);
    let incident = &analysis.incidents[0];
    let commands: Vec<&str> = incident
        .chain
        .iter()
        .chain(&incident.alternatives)
        .filter_map(|l| timeline.episodes[l.episode].subject.as_ref().map(|s| s.value.as_str()))
        .collect();
    assert!(
        commands.contains(&"/usr/local/bin/backup.sh") && commands.contains(&"/usr/local/bin/migrate.sh"),
        "{commands:?}"
    );
}

#[test]
fn a_unit_that_failed_three_times_or_more_is_a_crash_loop() {
    use crate::timeline::CRASH_LOOP_AT;
    let failed = |unit: &str, rule: u16, minutes: (i64, i64), count: u64| {
        let mut e = about(
            episode(Category::Restart, SourceKind::System, minutes.0, minutes.1, count),
            "unit",
            unit,
        );
        e.signal = Signal::Rule(rule);
        e
    };
    // Two rules see each failure of `worker` (exit and result): counted rule by rule, not
    // twice. `cache` failed twice: a blip. `indexer` failed five times, but after the
    // window.
    let episodes = [
        failed("worker.service", 1, (0, 12), CRASH_LOOP_AT + 1),
        failed("worker.service", 2, (0, 12), CRASH_LOOP_AT + 1),
        failed("cache.service", 1, (3, 9), CRASH_LOOP_AT - 1),
        failed("indexer.service", 1, (40, 50), 5),
    ];
    let failing = |signal: Signal| signal != Signal::Rule(9);
    assert_eq!(
        super::crash_loop(&episodes, 0, 30 * MINUTE, failing),
        Some(("worker.service".to_string(), CRASH_LOOP_AT + 1))
    );
    assert_eq!(super::crash_loop(&episodes[2..3], 0, 30 * MINUTE, failing), None);
    // A unit its timer starts every ten minutes, all day: rule 9 records no failure, and
    // what recurs through the logs is background either way.
    let mut timer = failed("sysstat-collect.service", 9, (-600, 600), 120);
    assert_eq!(super::crash_loop(std::slice::from_ref(&timer), 0, 30 * MINUTE, failing), None);
    timer.signal = Signal::Rule(1);
    timer.background = true;
    assert_eq!(super::crash_loop(std::slice::from_ref(&timer), 0, 30 * MINUTE, failing), None);
}

#[test]
fn an_entrys_header_gives_way_to_the_exception_it_goes_on_to_name() {
    use crate::format::Level;
    let mut t = timeline(vec![spike(60, 90)]);
    traffic_failing(&mut t, |_| 40);
    // Each failed request: a header at ERROR, and two lines below it, at the same time,
    // the exception that says what failed.
    let mut header = message(
        &mut t,
        1,
        Level::Error,
        "Servlet.service() threw exception with root cause",
        (60, 89),
        1200,
    );
    header.first = Some(Evidence { file: 0, line: 500 });
    let mut exception = message(&mut t, 2, Level::Error, "com.acme.BinLockedException: bin locked", (60, 89), 1200);
    exception.first = Some(Evidence { file: 0, line: 502 });
    // Decoys: the same exception text in another file, or far below, is no entry's line.
    let mut elsewhere = exception.clone();
    elsewhere.first = Some(Evidence { file: 1, line: 502 });
    let mut far = exception.clone();
    far.first = Some(Evidence {
        file: 0,
        line: 500 + super::chain::ENTRY_LINES + 1,
    });
    let episodes = vec![header.clone(), exception.clone(), elsewhere, far];
    let headers = |candidates: &[usize]| {
        super::chain::headers_of_exceptions(candidates, &episodes)
            .into_iter()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        headers(&[0, 1]),
        [0],
        "the header gives way; the exception names no exception below it"
    );
    assert!(headers(&[0, 2]).is_empty(), "another file");
    assert!(headers(&[0, 3]).is_empty(), "too far below");
    let (timeline, analysis) = analysed_with(t, vec![header, exception]);
    let mechanism = analysis.incidents[0].link(Role::Mechanism).expect("a mechanism").episode;
    assert_eq!(timeline.episodes[mechanism].signal, Signal::Template(2));
}
