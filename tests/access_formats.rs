//! Access logs of CDNs, cloud load balancers, gateways and meshes, each written as its
//! vendor documents it (`fixtures/access/README.md`), are read as access logs: every
//! record a request in the traffic series, with its status, time and duration.

mod common;

use postmortem::scan::ScanOptions;
use std::path::{Path, PathBuf};

fn postmortem() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("postmortem").unwrap()
}

/// A fixture of `fixtures/access/`.
fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/access")).join(name)
}

/// Requests and failed (5xx) requests of a scan's buckets.
fn requests_and_failures(buckets: &[&postmortem::scan::series::Bucket]) -> (u64, u64) {
    buckets
        .iter()
        .fold((0, 0), |(requests, failed), b| (requests + b.requests, failed + b.failed()))
}

/// What a fixture must read as: its format, requests, failed (5xx) requests, its first
/// request's time, and the longest request in milliseconds (where the format says).
struct Expected(&'static str, &'static str, u64, u64, &'static str, Option<f64>);

#[test]
fn each_vendors_access_log_feeds_the_traffic_series() {
    let cases = [
        Expected("cloudflare.json", "json_access", 4, 2, "2024-03-01T10:15:01.120Z", Some(30_001.0)),
        Expected(
            "gcp_loadbalancer.json",
            "json_access",
            3,
            2,
            "2024-03-01T10:15:01.120345Z",
            Some(60_369.159),
        ),
        Expected(
            "azure_frontdoor.json",
            "json_access",
            3,
            1,
            "2024-03-01T10:15:01.120476Z",
            Some(30_003.0),
        ),
        Expected(
            "azure_appgateway.json",
            "json_access",
            3,
            2,
            "2024-03-01T10:15:01.000Z",
            Some(20_001.0),
        ),
        Expected(
            "akamai_datastream.json",
            "json_access",
            3,
            2,
            "2024-03-01T10:15:01.120Z",
            Some(30_012.0),
        ),
        Expected("api_gateway.json", "json_access", 3, 2, "2024-03-01T10:15:01.000Z", None),
        Expected("fastly.json", "json_access", 3, 1, "2024-03-01T10:15:01.000Z", None),
        Expected("kong.json", "json_access", 3, 2, "2024-03-01T10:15:01.005Z", Some(3_012.0)),
        Expected("istio.json", "json_access", 3, 2, "2024-03-01T10:15:01.120Z", Some(12.0)),
        Expected("envoy.log", "envoy", 3, 2, "2024-03-01T10:15:01.120Z", Some(3_001.0)),
        Expected("istio_proxy.log", "envoy", 3, 2, "2024-03-01T10:15:01.409Z", Some(4.0)),
    ];
    for Expected(name, format, requests, failed, first, longest) in cases {
        let result = common::scan(&[fixture(name)]);
        assert!(result.problems.is_empty(), "{name}: {:?}", result.problems);
        let file = &result.files[0];
        assert_eq!(file.format.name(), format, "{name}");
        assert_eq!(file.timestamped, file.lines, "{name}: every record has its time");
        let first_at = chrono::DateTime::parse_from_rfc3339(first).unwrap().timestamp_micros();
        assert_eq!(file.first, Some(first_at), "{name}");
        let buckets: Vec<_> = result.series.values().flat_map(|s| s.buckets.values()).collect();
        assert_eq!(buckets.iter().map(|b| b.requests).sum::<u64>(), requests, "{name}");
        assert_eq!(buckets.iter().map(|b| b.by_class[4]).sum::<u64>(), failed, "{name}");
        let timed = buckets.iter().map(|b| b.duration_count).sum::<u64>();
        let max = buckets.iter().map(|b| b.duration_max_ms).fold(0.0, f64::max);
        match longest {
            Some(ms) => {
                assert_eq!(timed, requests, "{name}: every request's duration");
                assert!((max - ms).abs() < 0.01, "{name}: longest {max} ms, not {ms}");
            }
            None => assert_eq!(timed, 0, "{name}: no duration in the format"),
        }
    }
}

/// The fields each record was read by are said, for `sources` and its JSON.
#[test]
fn sources_says_which_fields_were_read() {
    let out = postmortem()
        .args(["sources", "-q"])
        .arg(fixture("cloudflare.json"))
        .arg(fixture("gcp_loadbalancer.json"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("read by status ← EdgeResponseStatus, path ← ClientRequestURI, time ← EdgeStartTimestamp (ns)"),
        "{text}"
    );
    assert!(text.contains("duration ← httpRequest.latency (s)"), "{text}");
    let out = postmortem()
        .args(["sources", "-q", "--format", "json"])
        .arg(fixture("kong.json"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json[0]["fields"],
        "status ← response.status, path ← request.uri, time ← started_at (ms), method ← request.method, client ← client_ip, duration ← latencies.request (ms)"
    );
}

/// An Istio gateway whose backends all failed their health checks for twenty minutes:
/// Envoy answered the requests itself, 503 with `UH`. The draft says so in the proxy's
/// words and ours; the requests the app failed (flag `-`) are not counted as the
/// proxy's.
#[test]
fn the_draft_says_why_the_proxy_failed_requests_itself() {
    use std::fmt::Write as _;
    let mut log = String::new();
    let start = chrono::DateTime::parse_from_rfc3339("2024-03-01T10:00:00Z").unwrap().to_utc();
    for second in (0..3600).step_by(2) {
        let at = start + chrono::Duration::seconds(second);
        let minute = second / 60;
        let client = 10 + second % 97;
        let (status, flags, details, upstream, duration) = match minute {
            20..40 => (503, "UH", "no_healthy_upstream", "-", 0),
            // The app itself failing now and then, answered through the proxy.
            _ if second % 300 == 0 => (500, "-", "via_upstream", "10.28.0.19:8080", 41),
            _ => (200, "-", "via_upstream", "10.28.0.19:8080", 12),
        };
        writeln!(
            log,
            "[{}] \"GET /cart HTTP/1.1\" {status} {flags} {details} - \"-\" 0 135 {duration} - \"203.0.113.{client}\" \"Mozilla/5.0\" \"{:032x}\" \"shop.example.org\" \"{upstream}\" outbound|8080||shop.prod.svc.cluster.local - 10.16.0.20:8443 203.0.113.{client}:36009 shop.example.org default",
            at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            second
        )
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("istio-ingressgateway.log"), log).unwrap();
    let out = postmortem()
        .args(["draft", "-q", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let draft: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let impact = &draft["incident"]["impact"];
    assert_eq!(impact["failed_requests"], 600, "{impact}");
    assert_eq!(
        impact["proxy_reasons"],
        serde_json::json!([{"reason": "UH", "meaning": "no healthy upstream", "failed": 600}])
    );
    let out = postmortem().args(["draft", "-q"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("The proxy's flags on failed requests: 600 with `UH` (no healthy upstream)."),
        "{text}"
    );
}

/// Fields no table names and no name says are given by hand: a file of records that
/// hold them is read by them; a JSON application log beside it, whose records do not,
/// stays what it is; a field list that cannot be read is refused, naming the flag.
#[test]
fn access_fields_given_by_hand_read_what_could_not_be_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("edge.json"),
        "{\"when\":\"2024-03-01T10:15:01Z\",\"rsp\":{\"code\":\"200\"},\"target\":\"/a\",\"who\":\"10.0.0.1\",\"ms\":12}\n\
         {\"when\":\"2024-03-01T10:15:02Z\",\"rsp\":{\"code\":\"503\"},\"target\":\"/b\",\"who\":\"10.0.0.2:4431\",\"ms\":3000}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app.json"),
        "{\"time\":\"2024-03-01T10:15:01Z\",\"level\":\"info\",\"msg\":\"started\"}\n{\"time\":\"2024-03-01T10:15:03Z\",\"level\":\"error\",\"msg\":\"pool exhausted\"}\n",
    )
    .unwrap();
    let formats = |extra: &[&str]| -> Vec<(String, String)> {
        let out = postmortem()
            .args(["sources", "-q", "--format", "json"])
            .args(extra)
            .arg(dir.path())
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["file"].as_str().unwrap().rsplit('/').next().unwrap().to_string(),
                    s["format"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        formats(&[]),
        [("app.json".into(), "json".into()), ("edge.json".into(), "prefixed".into())]
    );
    let given = "status=rsp.code,path=target,time=when,client=who,duration=ms:ms";
    assert_eq!(
        formats(&["--access-fields", given]),
        [("app.json".into(), "json".into()), ("edge.json".into(), "json_access".into())]
    );
    let options = ScanOptions {
        access_fields: Some(postmortem::format::AccessFields::parse_spec(given).unwrap()),
        ..ScanOptions::default()
    };
    let result = common::scan_with(&[dir.path().join("edge.json")], &options);
    let buckets: Vec<_> = result.series.values().flat_map(|s| s.buckets.values()).collect();
    assert_eq!(requests_and_failures(&buckets), (2, 1));
    assert_eq!(buckets.iter().map(|b| b.duration_max_ms).fold(0.0, f64::max), 3000.0);
    for bad in [
        "status=rsp.code,time=when",
        "path=target,time=when",
        "status=a,path=b,time=c,duration=d",
        "status=a,path=b,time=c:hours",
        "state=a",
    ] {
        let out = postmortem()
            .args(["sources", "--access-fields", bad])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("--access-fields"), "{bad}: {stderr}");
    }
}

/// Cloud Logging's export (`gcloud logging read --format=json`: one JSON array of
/// entries) of a load balancer's request logs is read as requests, as the same entries
/// one a line are.
#[test]
fn a_cloud_logging_export_of_request_logs_is_read_as_requests() {
    let entries: Vec<serde_json::Value> = std::fs::read_to_string(fixture("gcp_loadbalancer.json"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("entries.json");
    std::fs::write(&export, serde_json::to_string_pretty(&entries).unwrap()).unwrap();
    let result = common::scan(&[export]);
    assert_eq!(result.files[0].format.name(), "json_access");
    let buckets: Vec<_> = result.series.values().flat_map(|s| s.buckets.values()).collect();
    assert_eq!(requests_and_failures(&buckets), (3, 2));
}
