//! Where an incident's application errors were: which payment provider, shard or
//! tenant a structured application log's errors were about. Each case is written first
//! as the reading a person would give it, then as the software involved logs it (Go's
//! zap, Node's pino with pino-http, Python's structlog), then checked in the draft. No
//! field is named to the scan: each is chosen from the log's own head, and neither these
//! fields' names nor their values are in our code.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "made-up test data of small, known numbers"
)]

mod common;

use common::{access_log, clock, config, failing, Draw};
use postmortem::report::Report;
use postmortem::scan::NoProgress;
use std::fmt::Write as _;
use std::path::Path;

/// 2025-03-04T00:00:00Z, in seconds.
const DAY: u64 = 1_741_046_400;

fn draft_of(dir: &Path) -> (Report, String) {
    let report = postmortem::draft(&[dir.to_path_buf()], &config(), &NoProgress).unwrap();
    let markdown = postmortem::render::write_draft(&report, &postmortem::render::View::plain(report.display_zone));
    (report, markdown)
}

/// The line a piece of evidence cites.
fn cited(evidence: &postmortem::report::Evidence) -> String {
    std::fs::read_to_string(&evidence.file)
        .unwrap()
        .lines()
        .nth(evidence.line as usize - 1)
        .unwrap()
        .to_string()
}

fn found(report: &Report) -> Vec<(String, String)> {
    report
        .incident
        .as_ref()
        .and_then(|i| i.error_fields.as_ref())
        .map(|f| f.findings.iter().map(|f| (f.field.clone(), f.value.clone())).collect())
        .unwrap_or_default()
}

/// Reading: a shop's checkout service (Go, logging with zap's production encoder)
/// charges cards through three payment service providers (its `psp` field): about half
/// through `stripe`, a third through `adyen`, the rest through `braintree`, for forty
/// merchants. From 14:05 to 14:35 every charge sent to `adyen` times out after ten
/// seconds; nginx answers 502 to those checkouts. Charges through the other two go
/// through. The draft says that all of the errors the service wrote during the incident
/// had `psp` `adyen`, which was on well under half of its other lines; it names no
/// merchant (the errors are spread over them) and not the release `2.14.1`, on every
/// line since 13:20.
/// The checkout service's logs of [`the_payment_provider_every_failed_charge_went_to_is_named`]:
/// nginx's access log and the service's zap lines.
fn checkout_logs(dir: &Path) {
    let outage = 14 * 60 + 5..14 * 60 + 35;
    access_log(dir, 60, failing(outage.clone(), 0.1));
    let mut draw = Draw(7);
    let mut out = String::new();
    for minute in 9 * 60..17 * 60 {
        for i in 0..20u32 {
            let second = i * 3;
            let at = DAY + u64::from(minute * 60 + second);
            let provider = match draw.next(10) {
                0..5 => "stripe",
                5..8 => "adyen",
                _ => "braintree",
            };
            let merchant = format!("m-{:04}", 1 + draw.next(40));
            let order = format!("ord-{:08x}", draw.next(1 << 32));
            let release = if minute >= 13 * 60 + 20 { "2.14.1" } else { "2.14.0" };
            let failed = outage.contains(&minute) && provider == "adyen";
            let (level, caller, msg, latency, tail) = if failed {
                (
                    "error",
                    "charge/client.go:212",
                    "charge failed",
                    10_002,
                    r#","error":"Post \"https://checkout-live.adyenpayments.com/checkout/v71/payments\": context deadline exceeded","stacktrace":"main.(*Charger).Charge\n\t/src/charge/client.go:212\nmain.handleCheckout\n\t/src/http/checkout.go:88""#,
                )
            } else {
                ("info", "charge/client.go:198", "charge authorised", 180 + draw.next(400), "")
            };
            let _ = writeln!(
                out,
                r#"{{"level":"{level}","ts":{at}.{:06},"caller":"{caller}","msg":"{msg}","psp":"{provider}","merchant":"{merchant}","order_id":"{order}","release":"{release}","latency_ms":{latency}{tail}}}"#,
                draw.next(1_000_000)
            );
        }
    }
    std::fs::write(dir.join("checkout.log"), out).unwrap();
}

#[test]
fn the_payment_provider_every_failed_charge_went_to_is_named() {
    common::assert_absent_from_src(&["adyen", "braintree", "psp", "merchant", "2.14.1"]);
    let dir = tempfile::tempdir().unwrap();
    checkout_logs(dir.path());
    let (report, markdown) = draft_of(dir.path());
    assert_eq!(found(&report), [("psp".to_string(), "adyen".to_string())], "{markdown}");
    let fields = report.incident.as_ref().unwrap().error_fields.as_ref().unwrap();
    let finding = &fields.findings[0];
    assert!(finding.share >= 0.99 && finding.count == finding.errors, "{finding:?}");
    assert!(finding.compared > 0.2 && finding.compared < 0.45, "{finding:?}");
    // It cites a charge that failed at `adyen`.
    let line = cited(&finding.evidence[0]);
    assert!(line.contains(r#""level":"error""#) && line.contains(r#""psp":"adyen""#), "{line}");
    // The merchants and the release are listed, and explain nothing.
    for listed in ["merchant", "release"] {
        let field = fields
            .fields
            .iter()
            .find(|f| f.field == listed)
            .unwrap_or_else(|| panic!("{listed}: {:?}", fields.fields));
        assert!(field.values.iter().all(|v| v.explains.unwrap_or(0.0) < 0.5), "{field:?}");
    }
    assert!(
        markdown.contains("**Where the errors were:** All of the errors written during the incident by the logs with a `psp` field ("),
        "{markdown}"
    );
    assert!(markdown.contains("had it set to `adyen`; at most "), "{markdown}");
    // The title names where the backend failed: the mechanism's lines are the errors.
    let title = markdown.lines().next().unwrap();
    assert!(title.starts_with("# Backend failing for `psp` `adyen`"), "{title}");
    // The root cause's sentence says it too.
    let root_cause = markdown.lines().find(|l| l.starts_with("**Root cause:**")).unwrap();
    assert!(root_cause.contains("had it set to `adyen`"), "{root_cause}");
}

/// pino-http's line for a request, `level` as pino's number.
fn pino(at_ms: u64, level: u32, tenant: &str, shard: &str, request: u64, status: u16, tail: &str) -> String {
    format!(
        r#"{{"level":{level},"time":{at_ms},"pid":4182,"hostname":"orders-api-6d5f9c7b8-x2kqp","tenant":"{tenant}","db":{{"shard":"{shard}","pool":"primary"}},"req":{{"id":{request},"method":"GET","url":"/orders/{request}"}},"res":{{"statusCode":{status}}},"responseTime":{}{tail},"msg":"{}"}}"#,
        5 + request % 37,
        if status < 500 { "request completed" } else { "request errored" }
    )
}

/// Reading: an orders API (Node, logging with pino and pino-http) answers each request
/// from one of four database shards (its `db.shard`), spread evenly. From 02:10 to 02:50 shard
/// `orders-3` refuses connections: every request it should answer fails with 500. No
/// access log was kept. From 02:00 a nightly batch tenant makes most of the requests,
/// on every shard alike. The draft says that all of the errors had `db.shard` `orders-3`,
/// which was on about a quarter of the other lines; it names neither the batch tenant
/// nor the status 500, which only the errors carry.
/// The orders API's pino-http lines of
/// [`the_shard_that_refused_connections_is_named_and_a_tenant_that_grew_at_night_is_not`].
fn orders_logs(dir: &Path) {
    let mut draw = Draw(11);
    let mut out = String::new();
    let mut request = 9_000u64;
    for minute in 0..4 * 60u32 {
        for i in 0..30u64 {
            request += 1;
            let at_ms = (DAY + u64::from(minute) * 60) * 1000 + i * 2000 + draw.next(1000);
            let shard = format!("orders-{}", 1 + draw.next(4));
            let tenant = if minute >= 120 && draw.next(10) < 7 {
                "nightly-reconcile".to_string()
            } else {
                format!("shop-{}", 1 + draw.next(25))
            };
            let failed = (130..170).contains(&minute) && shard == "orders-3";
            let line = if failed {
                pino(
                    at_ms,
                    50,
                    &tenant,
                    &shard,
                    request,
                    500,
                    r#","err":{"type":"Error","message":"connect ECONNREFUSED 10.20.3.13:5432","stack":"Error: connect ECONNREFUSED 10.20.3.13:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)"}"#,
                )
            } else {
                pino(at_ms, 30, &tenant, &shard, request, 200, "")
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    std::fs::write(dir.join("orders-api.log"), out).unwrap();
}

#[test]
fn the_shard_that_refused_connections_is_named_and_a_tenant_that_grew_at_night_is_not() {
    common::assert_absent_from_src(&["orders-3", "db.shard", "nightly-reconcile"]);
    let dir = tempfile::tempdir().unwrap();
    orders_logs(dir.path());
    let (report, markdown) = draft_of(dir.path());
    assert_eq!(found(&report), [("db.shard".to_string(), "orders-3".to_string())], "{markdown}");
    let finding = &report.incident.as_ref().unwrap().error_fields.as_ref().unwrap().findings[0];
    assert!(finding.compared > 0.15 && finding.compared < 0.35, "{finding:?}");
    assert!(cited(&finding.evidence[0]).contains("ECONNREFUSED"));
    assert!(markdown.contains("had it set to `orders-3`"), "{markdown}");
    assert!(
        !markdown.contains("`nightly-reconcile`") && !markdown.contains("`500`"),
        "{markdown}"
    );
    // Nothing else says what failed: the title names where.
    let title = markdown.lines().next().unwrap();
    assert!(title.starts_with("# Errors with `db.shard` `orders-3`: "), "{title}");
    // The text timeline has a row for it, at the incident's start, citing the first error.
    let text = common::timeline_text(dir.path());
    let row = text
        .lines()
        .find(|l| l.contains("had it set to"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.starts_with("02:10:00") && row.contains("orders-3") && row.contains("app"),
        "{row}"
    );
    assert!(row.ends_with(&format!("[orders-api.log:{}]", finding.evidence[0].line)), "{row}");
}

/// Reading: a Python service (structlog's JSON renderer) logs a line for each job it
/// runs, for twelve tenants, and an error a few times an hour all day, for any tenant.
/// From 11:00 to 11:40 errors come thick for every tenant alike (its queue broker is
/// slow, as an access log in front shows). Nothing about a tenant stands out, and the
/// draft says nothing of tenants.
#[test]
fn errors_spread_over_every_tenant_name_none() {
    let dir = tempfile::tempdir().unwrap();
    let outage = 11 * 60..11 * 60 + 40;
    access_log(dir.path(), 60, failing(outage.clone(), 0.3));
    let mut draw = Draw(5);
    let mut out = String::new();
    for minute in 9 * 60..17 * 60u32 {
        let (hh, mm) = clock(minute);
        for i in 0..12u32 {
            let tenant = format!("tenant-{:02}", 1 + draw.next(12));
            let error = draw.next(100) < if outage.contains(&minute) { 40 } else { 1 };
            let (event, level) = if error {
                ("job failed: broker timeout after 30s", "error")
            } else {
                ("job finished", "info")
            };
            let _ = writeln!(
                out,
                r#"{{"tenant": "{tenant}", "job": "sync-{}", "event": "{event}", "level": "{level}", "timestamp": "2025-03-04T{hh:02}:{mm:02}:{:02}.{:06}Z"}}"#,
                draw.next(100_000),
                i * 5,
                draw.next(1_000_000)
            );
        }
    }
    std::fs::write(dir.path().join("worker.log"), out).unwrap();
    let (report, markdown) = draft_of(dir.path());
    let incident = report.incident.as_ref().expect("an incident");
    let fields = incident.error_fields.as_ref().expect("the worker's errors contrasted");
    assert!(fields.fields.iter().any(|f| f.field == "tenant"), "{fields:?}");
    assert!(found(&report).is_empty(), "{markdown}");
    assert!(!markdown.contains("Where the errors were"), "{markdown}");
}

/// The same draft, whichever way the logs were read: on one thread or two, in chunks of
/// a few KB, or scanned into a partial each and merged.
#[test]
fn where_the_errors_were_is_the_same_however_the_logs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    checkout_logs(dir.path());
    orders_logs(dir.path());
    let json = |config: &postmortem::Config, paths: &[std::path::PathBuf]| {
        let report = postmortem::draft(paths, config, &NoProgress).unwrap();
        assert!(report.incident.as_ref().is_some_and(|i| i.error_fields.is_some()));
        postmortem::render::draft_json(&report)
    };
    let whole = json(&config(), &[dir.path().to_path_buf()]);
    // In chunks of 4 KB, the same bytes on one thread and on two.
    let mut chunked = config();
    chunked.chunk_size = 4096;
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| json(&chunked, &[dir.path().to_path_buf()]))
    };
    assert_eq!(on(1), on(2), "one thread and two");
    let shards = tempfile::tempdir().unwrap();
    let mut partials = Vec::new();
    for name in ["access.log", "checkout.log", "orders-api.log"] {
        let partial = postmortem::scan_partial(&[dir.path().join(name)], &config(), &NoProgress);
        let path = shards.path().join(format!("{name}.pmscan"));
        std::fs::write(&path, partial.encode().unwrap()).unwrap();
        partials.push(path);
    }
    partials.reverse();
    assert_eq!(json(&config(), &partials), whole, "drafted from partials");
}

/// A partial is checked for what a scan keeps of a log's fields: one that says a file was
/// counted by more fields than a scan chooses is refused.
#[test]
fn a_partial_claiming_more_fields_than_a_scan_chooses_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    checkout_logs(dir.path());
    let rules = config().rules.rules().len();
    let mut partial = postmortem::scan_partial(&[dir.path().join("checkout.log")], &config(), &NoProgress);
    assert!(partial.check(rules).is_ok());
    let report = &mut partial.files[0].read.report;
    assert_eq!(
        report.classes.iter().map(|c| &**c).collect::<Vec<_>>(),
        ["merchant", "psp", "release"]
    );
    report.classes = (0..=postmortem::format::app_keys::MAX_CLASS_KEYS)
        .map(|i| format!("f{i}").into())
        .collect();
    let refused = partial.check(rules).unwrap_err();
    assert!(refused.contains("more fields than a scan chooses"), "{refused}");
}
