//! What changed in the traffic: which user agent, client, backend or pod carried a
//! change, each case written first as the reading a person would give it, then as the
//! servers involved log it (nginx's combined format, HAProxy's HTTP log, ingress-nginx's
//! upstream format), then checked in the draft. None of their names is in our code.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "made-up test data of small, known numbers"
)]

mod common;

use common::{clock, config, Draw};
use postmortem::report::Report;
use postmortem::scan::NoProgress;
use std::fmt::Write as _;
use std::path::Path;

/// One request a generator writes: when (seconds of the day), from whom, what, how it
/// ended, and where it went.
struct Hit {
    second: u32,
    client: String,
    agent: &'static str,
    path: &'static str,
    status: u16,
    upstream: String,
    referrer: &'static str,
}

const BROWSERS: [&str; 3] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
];
const PAGES: [&str; 5] = ["/", "/catalogue", "/catalogue/lamps", "/basket", "/search?q=oak"];

/// `per_minute(minute)` requests a minute of browsers from 09:00 to 11:00, each
/// described by `shape(minute, draw)` from a default browser request.
fn traffic(per_minute: impl Fn(u32) -> u32, mut shape: impl FnMut(u32, &mut Draw, &mut Hit)) -> Vec<Hit> {
    let mut draw = Draw(31);
    let mut hits = Vec::new();
    for minute in 9 * 60..11 * 60 {
        let n = per_minute(minute);
        for i in 0..n {
            let client = draw.next(600);
            let mut hit = Hit {
                second: minute * 60 + i * 60 / n,
                client: format!("198.51.{}.{}", 100 + client / 200, client % 200 + 1),
                agent: BROWSERS[draw.next(3) as usize],
                path: PAGES[draw.next(PAGES.len() as u64) as usize],
                status: 200,
                upstream: String::new(),
                referrer: "-",
            };
            shape(minute, &mut draw, &mut hit);
            hits.push(hit);
        }
    }
    hits.sort_by_key(|h| h.second);
    hits
}

fn stamp(second: u32) -> String {
    let (h, m) = clock(second / 60);
    format!("04/Mar/2025:{h:02}:{m:02}:{:02} +0000", second % 60)
}

/// nginx's `combined` with `$request_time` appended.
fn combined(hits: &[Hit]) -> String {
    let mut out = String::new();
    for h in hits {
        let _ = writeln!(
            out,
            "{} - - [{}] \"GET {} HTTP/1.1\" {} {} \"{}\" \"{}\" {}",
            h.client,
            stamp(h.second),
            h.path,
            h.status,
            if h.status == 200 { 5120 } else { 157 },
            h.referrer,
            h.agent,
            if h.status == 200 { "0.045" } else { "30.001" }
        );
    }
    out
}

fn draft_of(dir: &Path) -> (Report, String) {
    let report = postmortem::draft(&[dir.to_path_buf()], &config(), &NoProgress).unwrap();
    let markdown = postmortem::render::write_draft(&report, &postmortem::render::View::plain(report.display_zone));
    (report, markdown)
}

fn between(minute: u32, from: &str, to: &str) -> bool {
    let of = |hh_mm: &str| {
        let (h, m) = hh_mm.split_once(':').unwrap();
        h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
    };
    (of(from)..of(to)).contains(&minute)
}

/// A crawler's visit to the shop: from when to when, how busy the shop is meanwhile,
/// and how many of its requests fail.
struct Crawl {
    agent: &'static str,
    /// Its addresses: the first three numbers, the first host, how many.
    clients: (&'static str, u64, u64),
    crawling: (&'static str, &'static str),
    /// Requests a minute while it crawls (60 otherwise), and its share of them.
    per_minute: u32,
    crawler_share: (u64, u64),
    /// When requests fail with 502, and how many in ten.
    failing: (&'static str, &'static str),
    failing_in_ten: u64,
}

/// The shop's access log (nginx's combined format) through a crawl.
fn crawled(dir: &Path, crawl: &Crawl) {
    let crawling = |m: u32| between(m, crawl.crawling.0, crawl.crawling.1);
    let hits = traffic(
        |m| if crawling(m) { crawl.per_minute } else { 60 },
        |m, draw, hit| {
            if crawling(m) && draw.next(crawl.crawler_share.1) < crawl.crawler_share.0 {
                let (network, first, count) = crawl.clients;
                hit.agent = crawl.agent;
                hit.client = format!("{network}.{}", first + draw.next(count));
                hit.path = "/catalogue/lamps";
            }
            if between(m, crawl.failing.0, crawl.failing.1) && draw.next(10) < crawl.failing_in_ten {
                hit.status = 502;
            }
        },
    );
    std::fs::write(dir.join("access.log"), combined(&hits)).unwrap();
}

/// Reading: from 10:00 a crawler from one network asks for four times the shop's own
/// traffic; from 10:08 php-fpm has no worker left and nginx answers 502 to many requests,
/// the crawler's and the shoppers' alike, until the crawler is blocked at 10:40. The
/// draft names the crawler's user agent as what made the surge: most of the requests
/// during the incident, almost none before.
#[test]
fn a_crawler_that_filled_the_workers_is_named_by_its_user_agent() {
    common::assert_absent_from_src(&["SemrushBot", "semrush"]);
    let dir = tempfile::tempdir().unwrap();
    const CRAWLER: &str = "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)";
    // Four of five requests of the surge are the crawler's, from eight addresses of its
    // /24.
    crawled(
        dir.path(),
        &Crawl {
            agent: CRAWLER,
            clients: ("85.208.98", 10, 8),
            crawling: ("10:00", "10:40"),
            per_minute: 300,
            crawler_share: (4, 5),
            failing: ("10:08", "10:40"),
            failing_in_ten: 4,
        },
    );
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    let surge = contrast.surge.first().expect("a surge found");
    assert_eq!((surge.field, surge.value.as_str()), ("user agent", CRAWLER));
    assert!(surge.share > 0.6 && surge.compared == 0.0, "{surge:?}");
    // The line it cites is the crawler's.
    let cited = &surge.evidence[0];
    let line = std::fs::read_to_string(&cited.file)
        .unwrap()
        .lines()
        .nth(cited.line as usize - 1)
        .unwrap()
        .to_string();
    assert!(line.contains("SemrushBot"), "{line}");
    // Its network is said beside it; no failure is pinned on it (the shoppers failed too).
    assert!(
        contrast
            .surge
            .iter()
            .any(|f| f.field == "client network" && f.value == "85.208.98.0/24"),
        "{:?}",
        contrast.surge
    );
    assert!(contrast.failures.is_empty(), "{:?}", contrast.failures);
    assert!(
        markdown.contains("One user agent, `Mozilla/5.0 (compatible; SemrushBot"),
        "{markdown}"
    );
    assert!(markdown.contains("against none in the hour before"), "{markdown}");
    let title = markdown.lines().next().unwrap();
    assert!(
        title.contains("under a surge of traffic from user agent `Mozilla/5.0 (compatible; SemrushBot"),
        "{title}"
    );
    // The text timeline has a row for it, when the surge began, citing the crawler's line.
    let text = common::timeline_text(dir.path());
    let row = text
        .lines()
        .find(|l| l.contains("One user agent"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.starts_with("10:00:00") && row.ends_with(&format!("[access.log:{}]", cited.line)),
        "{row}"
    );
}

/// Reading: three servers behind HAProxy share the traffic; from 10:00 one of them,
/// `web-b`, answers half its requests with 500 (its health check still passes) until
/// 10:30. Every failed request went to that one server, which served a third of the
/// traffic: the draft says so, and names it as what failed.
#[test]
fn one_failing_server_behind_a_balancer_is_named() {
    common::assert_absent_from_src(&["web-b", "bk_storefront"]);
    let dir = tempfile::tempdir().unwrap();
    let servers = ["web-a", "web-b", "web-c"];
    let hits = traffic(
        |_| 90,
        |m, draw, hit| {
            let server = servers[draw.next(3) as usize];
            hit.upstream = format!("bk_storefront/{server}");
            if server == "web-b" && between(m, "10:00", "10:30") && draw.next(2) == 0 {
                hit.status = 500;
            }
        },
    );
    // HAProxy's HTTP log format, through syslog.
    let mut out = String::new();
    for (i, h) in hits.iter().enumerate() {
        let (hh, mm) = clock(h.second / 60);
        let (ss, ms) = (h.second % 60, i % 1000);
        let _ = writeln!(
            out,
            "Mar  4 {hh:02}:{mm:02}:{ss:02} lb1 haproxy[2211]: {}:{} [04/Mar/2025:{hh:02}:{mm:02}:{ss:02}.{ms:03}] fe_https~ {} 0/0/1/{}/{} {} {} - - ---- 12/12/3/1/0 0/0 \"GET {} HTTP/1.1\"",
            h.client,
            40000 + i % 20000,
            h.upstream,
            if h.status == 200 { 38 } else { 211 },
            if h.status == 200 { 40 } else { 213 },
            h.status,
            if h.status == 200 { 5120 } else { 157 },
            h.path
        );
    }
    std::fs::write(dir.path().join("haproxy.log"), out).unwrap();
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    let failing = contrast.failures.first().expect("the failures are placed");
    assert_eq!((failing.field, failing.value.as_str()), ("upstream", "bk_storefront/web-b"));
    assert!(failing.share >= 0.99 && failing.compared < 0.45, "{failing:?}");
    assert!(contrast.surge.is_empty(), "{:?}", contrast.surge);
    assert!(markdown.contains("All of the failed requests"), "{markdown}");
    assert!(
        markdown.contains("went to upstream `bk_storefront/web-b`, which served at most"),
        "{markdown}"
    );
    let title = markdown.lines().next().unwrap();
    assert!(title.starts_with("# Failed requests at upstream `bk_storefront/web-b`"), "{title}");
}

/// Reading: an AWS Application Load Balancer spreads a shop's requests over three
/// targets. From 10:00 to 10:30 the targets close idle connections sooner than the
/// balancer expects, and about a third of the requests it sends meet a closed one: the
/// balancer answers 502 itself, no target having answered (its target status `-`).
/// The targets' own errors (a 500 now and then, all morning) go on as before. The draft
/// should say the failed requests had no answer from the servers behind: they are the
/// balancer's own 502s, not the application's errors, and no one target carries them.
#[test]
fn failures_no_server_answered_are_told_from_the_applications_own() {
    common::assert_absent_from_src(&["tb-shop-prod", "10.40.7."]);
    let dir = tempfile::tempdir().unwrap();
    let hits = traffic(
        |_| 90,
        |m, draw, hit| {
            hit.upstream = format!("10.40.7.{}:8080", 11 + draw.next(3));
            if between(m, "10:00", "10:30") && draw.next(3) == 0 {
                hit.status = 502;
            } else if draw.next(200) == 0 {
                hit.status = 500;
            }
        },
    );
    // The ALB's access log, as its docs give the fields: a 502 the balancer made itself
    // has the target it was sent to, `-1` for the target's time and `-` for its status.
    // (With `targets_answered`, the targets sent the 502s themselves.)
    let alb_log = |targets_answered: bool| {
        let mut out = String::new();
        for (i, h) in hits.iter().enumerate() {
            alb_line(&mut out, i, h, h.status == 502 && !targets_answered);
        }
        out
    };
    std::fs::write(dir.path().join("alb.log"), alb_log(false)).unwrap();
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    let failing = contrast.failures.first().expect("the failures are placed");
    assert_eq!(
        (failing.field, failing.value.as_str()),
        ("upstream status", "none"),
        "{:?}",
        contrast.failures
    );
    assert!(failing.share >= 0.8 && failing.compared < 0.5, "{failing:?}");
    // No one target carries them.
    assert!(contrast.failures.iter().all(|f| f.field != "upstream"), "{:?}", contrast.failures);
    assert!(
        markdown.contains("of the failed requests")
            && markdown.contains("had upstream status `none` (the proxy answered them itself: no server behind it did)"),
        "{markdown}"
    );
    let title = markdown.lines().next().unwrap();
    assert!(title.starts_with("# Failed requests the proxy answered itself: "), "{title}");
    // Decoy: the targets sent the 502s themselves. Their status is the balancer's, which
    // explains nothing: no upstream status is said.
    std::fs::write(dir.path().join("alb.log"), alb_log(true)).unwrap();
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    assert!(
        contrast.failures.iter().all(|f| f.field != "upstream status"),
        "{:?}",
        contrast.failures
    );
    assert!(!markdown.contains("upstream status"), "{markdown}");
}

/// One line of an ALB's access log for `h` (the `i`-th request), as AWS documents the
/// fields; with `no_answer`, a response the balancer made itself: `-1` for the target's
/// time and `-` for its status.
fn alb_line(out: &mut String, i: usize, h: &Hit, no_answer: bool) {
    let (hh, mm) = clock(h.second / 60);
    let ss = h.second % 60;
    let _ = writeln!(
        out,
        "https 2025-03-04T{hh:02}:{mm:02}:{ss:02}.{:06}Z app/tb-shop-prod/4f3e2d1c0b9a8765 {}:{} {} 0.000 {} 0.000 {} {} 412 {} \"GET https://shop.example.org:443{} HTTP/1.1\" \"{}\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/tb-shop/0a1b2c3d4e5f6a7b \"Root=1-67c6d2a0-{:024x}\" \"shop.example.org\" \"arn:aws:acm:eu-west-1:111122223333:certificate/abc\" 0 2025-03-04T{hh:02}:{mm:02}:{ss:02}.000000Z \"forward\" \"-\" \"-\" \"{}\" \"{}\" \"-\" \"-\"",
        i % 1_000_000,
        h.client,
        40000 + i % 20000,
        h.upstream,
        if no_answer { "-1".to_string() } else { format!("{:.3}", 0.040) },
        h.status,
        if no_answer { "-".to_string() } else { h.status.to_string() },
        if h.status == 200 { 5120 } else { 157 },
        h.path,
        h.agent,
        i,
        h.upstream,
        if no_answer { "-".to_string() } else { h.status.to_string() },
    );
}

/// Reading: a photo site's nginx logs JSON records with the size of each request. From
/// 10:00 to 10:40 the uploads of a few megabytes fail (the app's workers die reading
/// them), while page views and small posts go on as before. Uploads are about one
/// request in six. The draft should say the failed requests were the large ones, and
/// that they are a small share of all requests; it should name no client or user agent.
#[test]
fn failures_of_large_uploads_are_told_by_the_size_of_the_requests() {
    common::assert_absent_from_src(&["photo_upload_bytes", "/albums/"]);
    let dir = tempfile::tempdir().unwrap();
    let mut sizes = Draw(5);
    let hits = traffic(
        |_| 120,
        |m, draw, hit| {
            hit.path = if draw.next(6) == 0 { "/albums/upload" } else { hit.path };
            if hit.path == "/albums/upload" && between(m, "10:00", "10:40") {
                hit.status = 502;
            }
        },
    );
    // nginx's `log_format ... escape=json` with `$request_length`, as a site writes it.
    let mut out = String::new();
    for h in &hits {
        let (hh, mm) = clock(h.second / 60);
        let request_length = if h.path == "/albums/upload" {
            1_200_000 + sizes.next(6_000_000)
        } else {
            380 + sizes.next(500)
        };
        let _ = writeln!(
            out,
            r#"{{"time_iso8601":"2025-03-04T{hh:02}:{mm:02}:{:02}+00:00","remote_addr":"{}","request_method":"{}","request_uri":"{}","status":"{}","request_length":"{request_length}","body_bytes_sent":"{}","request_time":"{}","http_user_agent":"{}","photo_upload_bytes":"{request_length}"}}"#,
            h.second % 60,
            h.client,
            // Uploads and the basket's small forms are posts.
            if matches!(h.path, "/albums/upload" | "/basket") {
                "POST"
            } else {
                "GET"
            },
            h.path,
            h.status,
            if h.status == 200 { 5120 } else { 157 },
            if h.status == 200 { "0.045" } else { "12.010" },
            h.agent,
        );
    }
    std::fs::write(dir.path().join("access.json"), out).unwrap();
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    let failing = contrast.failures.first().expect("the failures are placed");
    assert_eq!(
        (failing.field, failing.value.as_str()),
        ("request size", "1–10 MB"),
        "{:?}",
        contrast.failures
    );
    assert!(failing.share >= 0.99 && failing.compared < 0.25, "{failing:?}");
    assert!(
        contrast
            .failures
            .iter()
            .all(|f| !matches!(f.field, "client" | "user agent" | "client network")),
        "{:?}",
        contrast.failures
    );
    assert!(markdown.contains("were requests of `1–10 MB`, which were"), "{markdown}");
}

/// Reading: an ingress-nginx controller spreads a service's requests over five pods;
/// from 10:00 one pod (a bad node) fails every request it gets, until 10:25. The failed
/// requests all went to that pod's address.
#[test]
fn one_bad_pod_behind_an_ingress_is_named_by_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let pods = ["10.244.1.17", "10.244.2.31", "10.244.3.9", "10.244.4.22", "10.244.5.6"];
    let hits = traffic(
        |_| 120,
        |m, draw, hit| {
            let pod = pods[draw.next(5) as usize];
            hit.upstream = format!("{pod}:8080");
            if pod == "10.244.3.9" && between(m, "10:00", "10:25") {
                hit.status = 500;
            }
        },
    );
    // ingress-nginx's default `log-format-upstream`.
    let mut out = String::new();
    for (i, h) in hits.iter().enumerate() {
        let _ = writeln!(
            out,
            "{} - - [{}] \"GET {} HTTP/1.1\" {} {} \"-\" \"{}\" 389 {} [shop-basket-8080] [] {} {} {} {} {:032x}",
            h.client,
            stamp(h.second),
            h.path,
            h.status,
            if h.status == 200 { 5120 } else { 21 },
            h.agent,
            if h.status == 200 { "0.012" } else { "0.003" },
            h.upstream,
            if h.status == 200 { 5120 } else { 21 },
            if h.status == 200 { "0.012" } else { "0.003" },
            h.status,
            i * 7919
        );
    }
    std::fs::write(dir.path().join("ingress-nginx-controller.log"), out).unwrap();
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    let failing = contrast.failures.first().expect("the failures are placed");
    assert_eq!((failing.field, failing.value.as_str()), ("upstream", "10.244.3.9:8080"));
    assert!(failing.compared < 0.3, "{failing:?}");
    assert!(markdown.contains("went to upstream `10.244.3.9:8080`"), "{markdown}");
}

/// Reading: from 10:00 to 10:20 the search page fails for everyone (its backend is
/// down): the route is what failed, already said as the hardest hit; no client, agent or
/// server is to blame, and the draft pins the failures on none.
#[test]
fn a_route_that_fails_for_everyone_blames_no_client_or_agent() {
    let dir = tempfile::tempdir().unwrap();
    let hits = traffic(
        |_| 90,
        |m, _, hit| {
            if hit.path.starts_with("/search") && between(m, "10:00", "10:20") {
                hit.status = 503;
            }
        },
    );
    std::fs::write(dir.path().join("access.log"), combined(&hits)).unwrap();
    let (report, _) = draft_of(dir.path());
    let incident = report.incident.as_ref().unwrap();
    let contrast = incident.contrast.as_ref().unwrap();
    assert!(contrast.failures.is_empty() && contrast.surge.is_empty(), "{contrast:?}");
    assert_eq!(incident.impact.hardest_hit[0].endpoint, "/search");
    // The JSON's table has the route, all the failures on it, for the reader.
    let routes = contrast.fields.iter().find(|f| f.field == "route").unwrap();
    assert_eq!((routes.values[0].value.as_str(), routes.values[0].share_failed), ("/search", 1.0));
}

/// Reading (a decoy): at 10:00 the shoppers' evening ends and their traffic falls to a
/// third, while a mobile app's background sync keeps its pace: its share of requests
/// rises from one in eight to one in three. From 10:30 to 10:50 a fifth of all requests
/// fail, whoever sent them. Nothing about the app explains the failures, and traffic
/// fell: the draft says nothing of it.
#[test]
fn a_share_that_rises_as_others_fall_explains_nothing() {
    common::assert_absent_from_src(&["HomeGoods"]);
    let dir = tempfile::tempdir().unwrap();
    const APP: &str = "HomeGoods/5.2 (iPhone; iOS 17.1; Scale/3.00)";
    let evening = |m: u32| m < 10 * 60;
    let hits = traffic(
        |m| if evening(m) { 160 } else { 60 },
        |m, draw, hit| {
            let app_share = if evening(m) { 20 } else { 53 };
            if draw.next(160) < app_share {
                hit.agent = APP;
                hit.path = "/basket";
            }
            if between(m, "10:30", "10:50") && draw.next(5) == 0 {
                hit.status = 500;
            }
        },
    );
    std::fs::write(dir.path().join("access.log"), combined(&hits)).unwrap();
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    assert!(contrast.surge.is_empty() && contrast.failures.is_empty(), "{contrast:?}");
    assert!(!markdown.contains("HomeGoods"), "{markdown}");
    // The JSON still lists the app's rise, for a reader who wants the whole table.
    let agents = contrast.fields.iter().find(|f| f.field == "user agent").unwrap();
    assert!(
        agents.values.iter().any(|v| v.value == APP && v.share_during > v.share_before),
        "{agents:?}"
    );
}

/// Reading: three replicas of a shop serve behind a Service, each writing its own access
/// log, as the kubelet keeps them (`/var/log/containers/POD_NAMESPACE_CONTAINER-ID.log`,
/// CRI lines around nginx's); from 10:00 one replica answers every request with 500 until
/// 10:25. The failed requests were all logged by that replica.
#[test]
fn one_failing_replica_is_named_by_its_own_log() {
    common::assert_absent_from_src(&["basket-api"]);
    let dir = tempfile::tempdir().unwrap();
    let containers = dir.path().join("var/log/containers");
    std::fs::create_dir_all(&containers).unwrap();
    let pods = [
        "basket-api-7c5d9f8b6d-4xk2p",
        "basket-api-7c5d9f8b6d-9qwzt",
        "basket-api-7c5d9f8b6d-tm8rc",
    ];
    let hits = traffic(
        |_| 120,
        |m, draw, hit| {
            let pod = draw.next(3) as usize;
            hit.upstream = pods[pod].to_string();
            if pod == 2 && between(m, "10:00", "10:25") {
                hit.status = 500;
            }
        },
    );
    for pod in pods {
        let mine: Vec<Hit> = hits
            .iter()
            .filter(|h| h.upstream == pod)
            .map(|h| Hit {
                client: h.client.clone(),
                upstream: String::new(),
                ..*h
            })
            .collect();
        let mut out = String::new();
        for (i, line) in combined(&mine).lines().enumerate() {
            let h = &mine[i];
            let (hh, mm) = clock(h.second / 60);
            let _ = writeln!(
                out,
                "2025-03-04T{hh:02}:{mm:02}:{:02}.{:09}Z stdout F {line}",
                h.second % 60,
                i % 1_000_000_000
            );
        }
        let name = format!("{pod}_shop_nginx-{:064x}.log", pod.len() * 7919);
        std::fs::write(containers.join(name), out).unwrap();
    }
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    let failing = contrast.failures.first().expect("the failures are placed");
    assert_eq!(failing.field, "source");
    assert!(failing.value.contains("basket-api-7c5d9f8b6d-tm8rc"), "{failing:?}");
    assert!(failing.share == 1.0 && failing.compared < 0.4, "{failing:?}");
    assert!(markdown.contains("All of the failed requests"), "{markdown}");
}

/// Reading: at 10:00 a link to the shop's lamp page goes up on a busy news site; new
/// visitors from everywhere, with the usual browsers, triple the traffic, and from
/// 10:05 the pages time out for many until 10:35. No client or browser stands out: the
/// page that sent them does.
#[test]
fn a_surge_sent_by_one_site_is_named_by_its_referrer() {
    common::assert_absent_from_src(&["ycombinator"]);
    let dir = tempfile::tempdir().unwrap();
    let linked = |m: u32| between(m, "10:00", "10:40");
    let hits = traffic(
        |m| if linked(m) { 240 } else { 80 },
        |m, draw, hit| {
            if linked(m) && draw.next(3) > 0 {
                hit.referrer = "https://news.ycombinator.com/item?id=43127755";
                hit.client = format!("203.0.{}.{}", draw.next(250), draw.next(250));
                hit.path = "/catalogue/lamps";
            }
            if between(m, "10:05", "10:35") && draw.next(10) < 3 {
                hit.status = 504;
            }
        },
    );
    std::fs::write(dir.path().join("access.log"), combined(&hits)).unwrap();
    let (report, markdown) = draft_of(dir.path());
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    let found: Vec<(&str, &str)> = contrast.surge.iter().map(|f| (f.field, f.value.as_str())).collect();
    assert_eq!(found, [("referrer host", "news.ycombinator.com")], "{contrast:?}");
    assert!(
        markdown.contains("Requests referred by `news.ycombinator.com` were about"),
        "{markdown}"
    );
}

/// Reading: a crawler from one network starts at 10:02 and roughly doubles the shop's
/// requests: not the threefold a traffic alarm waits for, but enough that from 10:08
/// php-fpm's pool has no worker left, and from 10:09 three requests in ten fail with 502.
/// At 10:45 an operator blocks the crawler and reloads nginx, and the failures stop. A
/// release went out at 09:52 and changed nothing that matters here.
///
/// The draft names the crawler's surge as what set it off (it began six minutes before
/// the pool ran dry, and a pool running dry is what a surge does), not the release; the
/// pool as how it failed; the block as the fix. The crawler's share is compared with
/// the hour before its surge began, when it sent nothing.
#[test]
fn a_crawler_under_the_surge_alarm_is_the_trigger_and_a_release_before_it_is_not() {
    common::assert_absent_from_src(&["PetalBot", "petalsearch"]);
    let dir = tempfile::tempdir().unwrap();
    const CRAWLER: &str = "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)";
    // Seven of thirteen requests a minute are the crawler's, from 200 addresses of its
    // /24.
    crawled(
        dir.path(),
        &Crawl {
            agent: CRAWLER,
            clients: ("114.119.130", 2, 200),
            crawling: ("10:02", "10:45"),
            per_minute: 130,
            crawler_share: (7, 13),
            failing: ("10:09", "10:45"),
            failing_in_ten: 3,
        },
    );
    // php-fpm's own log (fpm_children.c: "[pool %s] server reached pm.max_children
    // setting (%d), consider raising it"), once a minute or so while the pool is full.
    let mut fpm = String::from(
        "[04-Mar-2025 08:58:02] NOTICE: fpm is running, pid 812\n[04-Mar-2025 08:58:02] NOTICE: ready to handle connections\n",
    );
    for minute in 8..45 {
        let _ = writeln!(
            fpm,
            "[04-Mar-2025 10:{minute:02}:{:02}] WARNING: [pool www] server reached pm.max_children setting (24), consider raising it",
            (minute * 7) % 50
        );
    }
    std::fs::write(dir.path().join("php8.2-fpm.log"), fpm).unwrap();
    // The release (dpkg's log of the package's upgrade), and the block: the operator's
    // edit and reload, as sudo logs them to auth.log.
    std::fs::write(
        dir.path().join("dpkg.log"),
        "2025-03-04 09:52:14 upgrade storefront:all 7.3.0-1 7.3.1-1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("auth.log"),
        "Mar  4 10:44:31 web1 sudo:      ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/vim /etc/nginx/conf.d/deny-crawlers.conf\n\
         Mar  4 10:45:02 web1 sudo:      ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/sbin/nginx -s reload\n",
    )
    .unwrap();

    let (report, markdown) = draft_of(dir.path());
    let trigger = common::link(&report, postmortem::report::Role::Trigger).expect("a trigger");
    assert_eq!(trigger.category, postmortem::rules::Category::TrafficSurge, "{trigger:?}");
    let subject = trigger.subject.as_ref().expect("who surged");
    assert!(
        subject.field.contains("user agent") || subject.field.contains("network"),
        "{subject:?}"
    );
    // It began when the crawler did, and cites one of its requests.
    assert_eq!(trigger.start, common::at("10:02"), "{trigger:?}");
    let cited = trigger.first.as_ref().expect("a line cited");
    let line = std::fs::read_to_string(&cited.file)
        .unwrap()
        .lines()
        .nth(cited.line as usize - 1)
        .unwrap()
        .to_string();
    assert!(line.contains("PetalBot"), "{line}");
    let mechanism = common::link(&report, postmortem::report::Role::Mechanism).expect("a mechanism");
    assert!(mechanism.summary.contains("max_children"), "{mechanism:?}");
    let title = markdown.lines().next().unwrap();
    assert!(title.contains("under a surge of traffic from"), "{title}");
    assert!(title.contains("PetalBot") || title.contains("114.119.130.0/24"), "{title}");
    assert!(!title.contains("7.3.1"), "{title}");
    // The release is told as another candidate, not as the cause.
    let root_cause = markdown
        .split("## Root Cause")
        .nth(1)
        .unwrap()
        .split("**What changed")
        .next()
        .unwrap();
    assert!(!root_cause.contains("upgrade storefront"), "{root_cause}");
    // Before its surge the crawler sent nothing: the baseline is the hour before 10:02.
    let contrast = report.incident.as_ref().unwrap().contrast.as_ref().unwrap();
    let surge = contrast.surge.first().expect("a surge found");
    assert!(surge.compared == 0.0, "{surge:?}");
}

/// Reading: the same story told by other software. A Caddy server logs its requests as
/// JSON; from 10:05 one address scrapes the catalogue, the shop's traffic going from 60 to
/// about 110 requests a minute. From 10:11 the Spring Boot service behind it runs out of
/// database connections (HikariCP's pool times out) and a third of its requests fail with
/// 502, until 10:50, when the address is denied at the firewall. A Helm upgrade of the
/// shop went out at 09:55 and ran fine for ten minutes.
///
/// The draft names the scraper's address as what set it off, the pool as how it failed,
/// and the firewall rule as the fix; not the release.
#[test]
fn a_scraper_behind_caddy_that_drained_a_pool_is_the_trigger_and_a_helm_upgrade_is_not() {
    common::assert_absent_from_src(&["198.18.7.44"]);
    let dir = tempfile::tempdir().unwrap();
    const SCRAPER: &str = "198.18.7.44";
    let mut draw = Draw(7);
    let mut access = String::new();
    // 2025-03-04 09:00 UTC to 11:00.
    let start = 1_741_078_800u64;
    for minute in 0..120u64 {
        let scraping = (65..110).contains(&minute);
        let n = if scraping { 110 } else { 60 };
        for i in 0..n {
            let ts = start + minute * 60 + i * 60 / n;
            let scraper = scraping && i % 11 < 5;
            let client = if scraper {
                SCRAPER.to_string()
            } else {
                format!("203.0.113.{}", 1 + draw.next(200))
            };
            let fails = (71..110).contains(&minute) && draw.next(3) == 0;
            let uri = if scraper {
                format!("/catalogue/item/{}", draw.next(90_000))
            } else {
                PAGES[draw.next(PAGES.len() as u64) as usize].to_string()
            };
            let _ = writeln!(
                access,
                "{{\"level\":\"{}\",\"ts\":{ts}.{:06},\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\",\"request\":{{\"remote_ip\":\"{client}\",\"remote_port\":\"{}\",\"client_ip\":\"{client}\",\"proto\":\"HTTP/2.0\",\"method\":\"GET\",\"host\":\"shop.example.org\",\"uri\":\"{uri}\",\"headers\":{{\"User-Agent\":[\"Mozilla/5.0\"]}}}},\"bytes_read\":0,\"user_id\":\"\",\"duration\":{},\"size\":{},\"status\":{},\"resp_headers\":{{\"Server\":[\"Caddy\"]}}}}",
                if fails { "error" } else { "info" },
                draw.next(1_000_000),
                40_000 + draw.next(20_000),
                if fails { "30.002" } else { "0.041" },
                if fails { 0 } else { 8210 },
                if fails { 502 } else { 200 },
            );
        }
    }
    std::fs::write(dir.path().join("caddy-access.log"), access).unwrap();
    // Spring Boot's console format; HikariCP's message as SqlExceptionHelper logs it.
    let mut app = String::new();
    for minute in 0..120u32 {
        let (h, m) = clock(9 * 60 + minute);
        let _ = writeln!(
            app,
            "2025-03-04T{h:02}:{m:02}:07.412Z  INFO 1 --- [shop-api] [nio-8080-exec-3] c.e.shop.catalogue.CatalogueController   : Served catalogue page in 38 ms"
        );
        if (71..110).contains(&minute) {
            for second in [11, 31, 51] {
                let _ = writeln!(
                    app,
                    "2025-03-04T{h:02}:{m:02}:{second:02}.108Z ERROR 1 --- [shop-api] [nio-8080-exec-7] o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=42)"
                );
            }
        }
    }
    std::fs::write(dir.path().join("shop-api.log"), app).unwrap();
    // The release: helm's last line, in the deploy job's log; the block: sudo in auth.log.
    std::fs::write(
        dir.path().join("deploy-job.log"),
        "2025-03-04T09:55:02Z Release \"shop\" has been upgraded. Happy Helming!\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("auth.log"),
        "Mar  4 10:50:12 edge-1 sudo:      ops : TTY=pts/1 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/sbin/ufw deny from 198.18.7.44\n",
    )
    .unwrap();

    let (report, markdown) = draft_of(dir.path());
    let trigger = common::link(&report, postmortem::report::Role::Trigger).expect("a trigger");
    assert_eq!(trigger.category, postmortem::rules::Category::TrafficSurge, "{trigger:?}");
    let who = trigger.subject.as_ref().expect("who scraped");
    assert!(who.value.contains("198.18.7"), "{who:?}");
    assert_eq!(trigger.start, common::at("10:05"), "{trigger:?}");
    let mechanism = common::link(&report, postmortem::report::Role::Mechanism).expect("a mechanism");
    assert_eq!(mechanism.category, postmortem::rules::Category::PoolExhaustion, "{mechanism:?}");
    let fix = report.resolution.as_ref().expect("a fix");
    let fixed_by = &fix.episode.quote.as_ref().expect("a line quoted").line;
    assert!(fixed_by.contains("ufw deny from 198.18.7.44"), "{fixed_by}");
    let title = markdown.lines().next().unwrap();
    assert!(title.contains("under a surge of traffic from"), "{title}");
    assert!(title.contains("198.18.7"), "{title}");
    assert!(!title.contains("Helm") && !title.contains("upgrad"), "{title}");
}
