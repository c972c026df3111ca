//! Rules as data: a user rule file (fixtures/rules/shop.toml) that adds a rule, replaces
//! a built-in one and defines a rate rule; and the built-in catalogue against the real
//! logs: every rule whose example line stands in a real log or fixture fires on it there.

mod common;

use postmortem::rules::{Category, RuleSet};
use postmortem::scan::hits::Signal;
use postmortem::scan::{NoProgress, ScanOptions, ScanResult};
use postmortem::time::Zone;
use postmortem::timeline;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scan(paths: &[PathBuf], rules: &RuleSet) -> ScanResult {
    let options = ScanOptions {
        zone: Zone::UTC,
        year: Some(2020),
        keep_lines: true,
        ..ScanOptions::default()
    };
    postmortem::scan_paths(paths, rules, &options, &NoProgress)
}

fn shop_rules() -> RuleSet {
    RuleSet::load(&[root().join("fixtures/rules/shop.toml")], true).unwrap()
}

#[test]
fn a_user_rule_is_added_and_fires() {
    let rules = shop_rules();
    let result = scan(&[root().join("fixtures/rules/payments.log")], &rules);
    let ours = rules.index_of("shop.payment_timeout").unwrap();
    let hits: Vec<_> = result.events.iter().filter(|e| e.signal == Signal::Rule(ours)).collect();
    assert_eq!(hits.len(), 12, "four minutes of three timeouts");
    assert_eq!(hits[0].fields, vec![("duration_ms".into(), "3000".into())]);
    assert_eq!(hits[0].line, 25);
}

#[test]
fn a_user_rule_replaces_the_builtin_one() {
    if !common::have_real_logs() {
        return;
    }
    let builtin = RuleSet::load(&[], true).unwrap();
    let rules = shop_rules();
    let ours = rules.rules().iter().find(|r| r.id == "postgres.slow_statement").unwrap();
    assert_eq!(ours.title, "PostgreSQL statement of 5 s or more");
    assert_eq!(rules.rules().iter().filter(|r| r.id == "postgres.slow_statement").count(), 1);
    // On a real log: fewer slow statements at 5 s than at 1 s.
    let log = [root().join("../shared/real-logs/pgbadger/tempfile_only.log")];
    let count = |set: &RuleSet| {
        let index = set.index_of("postgres.slow_statement").unwrap();
        scan(&log, set).events.iter().filter(|e| e.signal == Signal::Rule(index)).count()
    };
    let (at_one_second, at_five_seconds) = (count(&builtin), count(&rules));
    assert!(
        at_five_seconds > 0 && at_five_seconds < at_one_second,
        "{at_five_seconds} < {at_one_second}"
    );
}

#[test]
fn a_user_rate_rule_fires_on_the_burst_and_ends_after_it() {
    let rules = shop_rules();
    let result = scan(&[root().join("fixtures/rules/payments.log")], &rules);
    let outage = rules.index_of("shop.payment_outage").unwrap();
    let episodes: Vec<_> = timeline::episodes(&result, &rules)
        .into_iter()
        .filter(|e| e.signal == Signal::Rule(outage))
        .collect();
    assert_eq!(episodes.len(), 1);
    let episode = &episodes[0];
    let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros();
    assert_eq!(
        (episode.start, episode.end),
        (at("2025-02-01T10:08:00Z"), at("2025-02-01T10:12:00Z"))
    );
    assert_eq!(episode.count, 12);
    let rate = episode.rate.unwrap();
    assert!(!rate.ongoing && rate.peak == 3.0);
    assert_eq!(episode.first.map(|e| e.line), Some(25));
}

#[test]
fn a_quiet_day_fires_no_rate_rule() {
    if !common::have_real_logs() {
        return;
    }
    // The real access logs hold no outage: no spike may be invented from them.
    let rules = RuleSet::load(&[], true).unwrap();
    let logs =
        ["elastic-examples/apache_logs.head2000", "lnav/logfile_shop_access_log.0"].map(|f| root().join("../shared/real-logs").join(f));
    let result = scan(&logs, &rules);
    let spikes: Vec<_> = timeline::episodes(&result, &rules)
        .into_iter()
        .filter(|e| e.rate.is_some())
        .collect();
    assert!(spikes.is_empty(), "{spikes:?}");
}

/// Every file of real logs and fixtures, with its lines.
fn corpus() -> Vec<(PathBuf, Vec<String>)> {
    let mut files = Vec::new();
    let mut stack = vec![root().join("../shared/real-logs"), root().join("fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                files.push((path, text.lines().map(str::to_string).collect()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_builtin_rule_fires_where_its_example_stands_in_a_real_log_or_fixture() {
    if !common::have_real_logs() {
        return;
    }
    let rules = RuleSet::load(&[], true).unwrap();
    let corpus = corpus();
    let result = scan(&corpus.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(), &rules);
    let fired: BTreeSet<(String, u64, String)> = result
        .events
        .iter()
        .filter_map(|e| match e.signal {
            Signal::Rule(rule) => Some((result.files[e.file as usize].display.clone(), e.line, rules.get(rule).id.clone())),
            Signal::Template(_) | Signal::ErrorLines | Signal::Surge => None,
        })
        .collect();
    let mut checked = 0;
    let mut missing = Vec::new();
    for rule in rules.rules() {
        for example in &rule.examples {
            for (path, lines) in &corpus {
                // Fixture rule files quote examples too: only logs count.
                if path.extension().is_some_and(|e| e == "toml" || e == "md") {
                    continue;
                }
                for (index, line) in lines.iter().enumerate() {
                    if line.trim_end() == example.text.trim_end() {
                        checked += 1;
                        let key = (path.display().to_string(), index as u64 + 1, rule.id.clone());
                        if !fired.contains(&key) {
                            missing.push(format!("{} did not fire on {}:{}", rule.id, key.0, key.1));
                        }
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(checked >= 15, "only {checked} examples found in the corpus");
}

#[test]
fn the_categories_seen_in_real_logs_and_fixtures() {
    if !common::have_real_logs() {
        return;
    }
    let rules = RuleSet::load(&[], true).unwrap();
    let corpus = corpus();
    let result = scan(&corpus.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(), &rules);
    let seen: BTreeSet<Category> = result.events.iter().map(|e| timeline::category_of(e.signal, &rules)).collect();
    // Every category whose lines these logs hold (checked by hand against the files).
    for category in [
        Category::HttpError,
        Category::TableLock,
        Category::Deadlock,
        Category::PoolExhaustion,
        Category::SlowQuery,
        Category::DbCorruption,
        Category::DbError,
        Category::CronJob,
        Category::Deploy,
        Category::Restart,
        Category::Maintenance,
        Category::UpstreamError,
        Category::AdminAction,
        Category::AppError,
        Category::LogErrors,
    ] {
        assert!(seen.contains(&category), "no {category} event in the real logs and fixtures");
    }
}
