//! Each scenario's draft against its truth: the start within 2 minutes, the end within 5,
//! the failed ratio within 0.1, the mechanism's category in the causal chain, and the
//! trigger on the timeline; the quiet day gives no incident. The truth of the five seed
//! scenarios is the seeds' own: their times, durations and shares of users affected.

use postmortem::analyze::Role;
use postmortem::rules::RuleSet;
use postmortem::scan::NoProgress;
use postmortem::synth::{WebFormat, WEB_FORMATS};
use postmortem::Config;
use serde_json::Value;

/// The seeds' shares of users affected, as their postmortems state them.
fn seed_share(scenario: &str) -> Option<f64> {
    Some(match scenario {
        "table-lock" => 1.0,        // "Approximately 100% of users were affected"
        "cms-corruption" => 1.0,    // "All users were affected"
        "pool-after-deploy" => 0.2, // "approximately 20% of our user base"
        "cron-migration" => 1.0,    // "100% of users being unable to browse"
        "traffic-surge" => 0.7,     // "Approximately 70% of users were affected"
        _ => return None,
    })
}

fn seconds(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp()
}

/// Writes the scenario (at its own size, or scaled to `size` bytes), drafts it as the
/// CLI would, and returns (truth, draft JSON).
fn draft(scenario: &str, size: Option<u64>) -> (Value, Value) {
    draft_served_by(scenario, None, size)
}

/// [`draft`], with the access log written as `web` writes it.
fn draft_served_by(scenario: &str, web: Option<WebFormat>, size: Option<u64>) -> (Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    postmortem::synth::write_served_by(scenario, web, dir.path(), size, 1).unwrap();
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap()).unwrap();
    let mut config = Config::new(RuleSet::load(&[], true).unwrap());
    config.zone = Some(truth["tz"].as_str().unwrap().parse().unwrap());
    let report = postmortem::draft(&[dir.path().join("logs")], &config, &NoProgress).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // Whatever incident is the largest is the one drafted; its chain must hold no symptom
    // before its trigger.
    if let Some(root) = &report.root_cause {
        let at = |role| root.chain.iter().find(|l| l.role == role).map(|l| l.episode.start);
        if let (Some(t), Some(s)) = (at(Role::Trigger), at(Role::Symptom)) {
            assert!(t <= s, "{scenario}: the trigger comes after the symptom");
        }
    }
    (truth, serde_json::to_value(&report).unwrap())
}

fn check(scenario: &str) {
    check_sized(scenario, None);
}

fn check_sized(scenario: &str, size: Option<u64>) {
    check_served_by(scenario, None, size);
}

fn check_served_by(scenario: &str, web: Option<WebFormat>, size: Option<u64>) {
    let (truth, draft) = draft_served_by(scenario, web, size);
    let expected = &truth["incident"];
    let found = &draft["incident"];
    assert!(!found.is_null(), "{scenario}: no incident found");
    let start = seconds(found["start"].as_str().unwrap()) - seconds(expected["start"].as_str().unwrap());
    assert!(start.abs() <= 120, "{scenario}: start off by {start} s");
    let end = seconds(found["end"].as_str().expect("the incident has ended")) - seconds(expected["end"].as_str().unwrap());
    assert!(end.abs() <= 300, "{scenario}: end off by {end} s");
    let failed = found["impact"]["failed_ratio"].as_f64().unwrap();
    let truth_failed = expected["failed_ratio"].as_f64().unwrap();
    assert!(
        (failed - truth_failed).abs() <= 0.1,
        "{scenario}: failed ratio {failed} against {truth_failed}"
    );
    let chain = draft["root_cause"]["chain"].as_array().unwrap();
    let categories: Vec<&str> = chain.iter().map(|l| l["category"].as_str().unwrap()).collect();
    assert!(
        categories.contains(&expected["mechanism"].as_str().unwrap()),
        "{scenario}: mechanism {} not in {categories:?}",
        expected["mechanism"]
    );
    // The trigger: its category at its time, in the chain and on the timeline.
    let trigger = &expected["trigger"];
    let on_timeline = |list: &Value| {
        list.as_array().unwrap().iter().any(|e| {
            e["category"] == trigger["category"]
                && (seconds(e["time"].as_str().unwrap()) - seconds(trigger["time"].as_str().unwrap())).abs() <= 60
        })
    };
    assert!(
        on_timeline(&draft["root_cause"]["chain"]),
        "{scenario}: trigger {trigger} not in the chain {categories:?}"
    );
    assert!(on_timeline(&draft["timeline"]), "{scenario}: trigger {trigger} not on the timeline");
    // Users affected: the draft counts what the archive holds, and the archive holds what
    // the seed says.
    let affected = found["impact"]["affected_clients_ratio"].as_f64().unwrap();
    let written = expected["affected_clients_ratio"].as_f64().unwrap();
    assert!(
        (affected - written).abs() <= 0.05,
        "{scenario}: affected {affected} against {written}"
    );
    // Scaled up, the same clients send more requests, so more of them meet a failure.
    // A scenario not drawn from a seed has no share to match.
    let seed = seed_share(scenario).unwrap_or(written);
    assert!(
        size.is_some() || (written - seed).abs() <= 0.1,
        "{scenario}: the archive affects {written} of users, the seed {seed}"
    );
    assert!(!draft["resolution"].is_null(), "{scenario}: no resolution found");
    assert!(!draft["measures"].as_array().unwrap().is_empty());
}

#[test]
fn table_lock_from_a_maintenance_script() {
    check("table-lock");
}

#[test]
fn corrupted_table_after_a_cms_update() {
    check("cms-corruption");
}

#[test]
fn pool_exhaustion_after_a_deploy() {
    check("pool-after-deploy");
}

#[test]
fn cron_run_migration_at_peak() {
    check("cron-migration");
}

#[test]
fn traffic_surge_with_slow_queries() {
    check("traffic-surge");
}

/// Written from HAProxy's and php-fpm's own words, none of them in the seeds.
#[test]
fn fpm_saturation_behind_haproxy() {
    check("fpm-saturation");
}

/// The same outage behind each server whose access log we read: a load balancer, a CDN,
/// IIS, an S3 bucket, Caddy, Traefik, Varnish, ingress-nginx. Each draft finds it as
/// the scenario's own nginx log does: its start and end, the failed share, users
/// affected, the mechanism and the trigger.
#[test]
fn the_outage_reads_the_same_in_every_access_format() {
    for &(name, web) in &WEB_FORMATS {
        eprintln!("table-lock served by {name}");
        check_served_by("table-lock", Some(web), None);
    }
    // A scenario of another shape: the pool after a deploy, where a fifth of users saw
    // errors, behind a load balancer and behind a CDN.
    check_served_by("pool-after-deploy", Some(WebFormat::Alb), None);
    check_served_by("pool-after-deploy", Some(WebFormat::Cloudfront), None);
}

#[test]
fn a_quiet_day_gives_no_incident() {
    for size in [None, Some(4 << 20)] {
        let (truth, draft) = draft("quiet-day", size);
        assert!(truth["incident"].is_null());
        assert!(draft["incident"].is_null(), "{}", draft["incident"]);
        assert!(draft["root_cause"].is_null());
    }
}

/// Scaled archives (what benchmarks read: more traffic, and routine lines in the app,
/// database and host logs) still hold the same story.
#[test]
fn scaled_archives_keep_their_truth() {
    for scenario in [
        "table-lock",
        "cms-corruption",
        "pool-after-deploy",
        "cron-migration",
        "traffic-surge",
        "fpm-saturation",
    ] {
        let size = 4 << 20;
        check_sized(scenario, Some(size));
        let dir = tempfile::tempdir().unwrap();
        postmortem::synth::write(scenario, dir.path(), Some(size), 1).unwrap();
        let files: Vec<(String, u64)> = std::fs::read_dir(dir.path().join("logs"))
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.file_name().to_string_lossy().to_string(), e.metadata().unwrap().len()))
            .collect();
        let total: u64 = files.iter().map(|(_, n)| n).sum();
        let access: u64 = files
            .iter()
            .filter(|(name, _)| name.starts_with("access") || name.starts_with("haproxy"))
            .map(|(_, n)| n)
            .sum();
        assert!(total.abs_diff(size) < size / 10, "{scenario}: {total} bytes for {size}");
        let share = access as f64 / total as f64;
        assert!((0.8..0.9).contains(&share), "{scenario}: access log {share:.2} of the archive");
    }
}

#[test]
fn synth_is_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    postmortem::synth::write("cron-migration", a.path(), None, 7).unwrap();
    postmortem::synth::write("cron-migration", b.path(), None, 7).unwrap();
    for name in ["logs/access.log", "logs/postgresql.log", "logs/syslog", "truth.json"] {
        assert_eq!(
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
            "{name}"
        );
    }
}
