//! `postmortem synth`: deterministic incident archives for demos, tests and benchmarks.
//!
//! A scenario ([`scenarios`]) says what happens when: traffic and failures per endpoint
//! over time, and the lines the app, database and host print (once, or every so often
//! between two times). This module turns it into logs in the formats and zone the
//! scenario names, and writes `truth.json`: when the outage started and ended, its
//! trigger and mechanism, and the failed ratio and share of users affected, counted from
//! the very requests it wrote.

mod scenarios;

pub use scenarios::NAMES;

use crate::time::Micros;
use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// A small deterministic generator (xorshift64*): the same seed, the same archive.
pub(crate) struct Random(u64);

impl Random {
    pub(crate) fn new(seed: u64) -> Random {
        Random(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
}

/// How the web server writes its access log. A scenario names its own; `synth --web`
/// writes the same requests in another, so that each access family we read is tried
/// on the same outage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebFormat {
    /// nginx combined with `$request_time` appended.
    CombinedWithTime,
    /// Apache combined.
    Combined,
    /// JSON lines (nginx `escape=json`).
    Json,
    /// HAProxy's HTTP log through syslog (`option httplog`): local times, no zone, and
    /// the syslog header's no year.
    Haproxy,
    /// An AWS Application Load Balancer's access log (UTC).
    Alb,
    /// CloudFront's standard log: W3C, tab-separated, UTC, times in seconds.
    Cloudfront,
    /// IIS's W3C log: space-separated, UTC, times in milliseconds.
    Iis,
    /// S3 server access log (the shop's media served from a bucket).
    S3,
    /// Caddy's JSON access log: the request nested, epoch seconds.
    Caddy,
    /// Traefik's JSON access log: durations in nanoseconds.
    Traefik,
    /// varnishncsa: combined, with the absolute URL the cache saw.
    Varnish,
    /// ingress-nginx's `upstreaminfo`: `$request_time` among the upstream's fields.
    Ingress,
    /// Cloudflare Logpush's `http_requests` records: times in Unix nanoseconds.
    Cloudflare,
    /// Google Cloud's load balancer request logs: LogEntry JSON, the request nested in
    /// `httpRequest`, its latency written `"0.123s"`.
    Gcp,
    /// Envoy's default access log.
    Envoy,
}

/// The names `synth --web` takes, with their formats.
pub const WEB_FORMATS: [(&str, WebFormat); 15] = [
    ("nginx", WebFormat::CombinedWithTime),
    ("apache", WebFormat::Combined),
    ("json", WebFormat::Json),
    ("haproxy", WebFormat::Haproxy),
    ("alb", WebFormat::Alb),
    ("cloudfront", WebFormat::Cloudfront),
    ("iis", WebFormat::Iis),
    ("s3", WebFormat::S3),
    ("caddy", WebFormat::Caddy),
    ("traefik", WebFormat::Traefik),
    ("varnish", WebFormat::Varnish),
    ("ingress", WebFormat::Ingress),
    ("cloudflare", WebFormat::Cloudflare),
    ("gcp", WebFormat::Gcp),
    ("envoy", WebFormat::Envoy),
];

impl WebFormat {
    /// The format `synth --web` names.
    pub fn from_name(name: &str) -> Option<WebFormat> {
        WEB_FORMATS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
    }

    /// The access log's file name, as the server names it.
    fn file_name(self) -> &'static str {
        match self {
            WebFormat::Json => "access.json.log",
            WebFormat::Haproxy => "haproxy.log",
            WebFormat::CombinedWithTime | WebFormat::Combined => "access.log",
            WebFormat::Alb => "111122223333_elasticloadbalancing_eu-west-1_app.shop-prod.5f1c0a9e2b7d4c11.log",
            WebFormat::Cloudfront => "E2QWRUHAPOMQZL.cloudfront.log",
            WebFormat::Iis => "u_ex.log",
            WebFormat::S3 => "shop-media-access.log",
            WebFormat::Caddy => "caddy-access.json",
            WebFormat::Traefik => "traefik-access.json",
            WebFormat::Varnish => "varnishncsa.log",
            WebFormat::Ingress => "ingress-nginx-controller.log",
            WebFormat::Cloudflare => "cloudflare-http_requests.json",
            WebFormat::Gcp => "gcp-lb-requests.json",
            WebFormat::Envoy => "envoy-access.log",
        }
    }

    /// The lines that open the file (a W3C header).
    fn header(self) -> &'static str {
        match self {
            WebFormat::Cloudfront => "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken\n",
            WebFormat::Iis => "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n",
            _ => "",
        }
    }
}

/// One endpoint of the shop, with its share of the traffic.
pub(crate) struct Endpoint {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) weight: u32,
}

/// A line written once, or every `every` seconds from `at` to `until`.
pub(crate) struct Scripted {
    pub(crate) file: &'static str,
    pub(crate) at: NaiveDateTime,
    pub(crate) until: Option<NaiveDateTime>,
    pub(crate) every: i64,
    /// `{t}` is replaced by the timestamp in the file's format, `{n}` by a counter.
    pub(crate) text: String,
}

/// What the incident was: the truth the draft is checked against.
#[derive(Clone, Debug, Serialize)]
pub struct Truth {
    pub scenario: String,
    /// IANA zone of the shop's clocks (naive timestamps in its logs are in it).
    pub tz: String,
    pub incident: Option<TruthIncident>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TruthIncident {
    /// RFC 3339 UTC.
    pub start: String,
    pub end: String,
    pub trigger: TruthEvent,
    pub mechanism: String,
    /// Failed (5xx) requests over all requests in the window, as written.
    pub failed_ratio: f64,
    /// Clients with at least one failure over clients seen in the window, as written.
    pub affected_clients_ratio: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct TruthEvent {
    pub category: String,
    pub time: String,
}

/// A value at a time: the traffic factor.
pub(crate) type OverTime = Box<dyn Fn(NaiveDateTime) -> f64>;
/// A value at a time for an endpoint: failure chance, request time.
pub(crate) type PerEndpoint = Box<dyn Fn(NaiveDateTime, &str) -> f64>;
/// The outage as the scenario knows it: window (local), trigger category and local time,
/// mechanism category.
pub(crate) type Outage = ((NaiveDateTime, NaiveDateTime), (&'static str, NaiveDateTime), &'static str);

/// Everything a scenario decides.
pub(crate) struct Scenario {
    pub(crate) name: &'static str,
    pub(crate) zone: Tz,
    pub(crate) from: NaiveDateTime,
    pub(crate) to: NaiveDateTime,
    pub(crate) web: WebFormat,
    pub(crate) endpoints: Vec<Endpoint>,
    /// Requests a minute on a normal day, for the default (small) archive.
    pub(crate) requests_per_minute: f64,
    pub(crate) clients: u32,
    /// Traffic factor at a time (1 is normal).
    pub(crate) traffic: OverTime,
    /// Chance that a request to an endpoint fails (5xx) at a time.
    pub(crate) failure: PerEndpoint,
    /// Request time in milliseconds at a time, for an endpoint.
    pub(crate) latency_ms: PerEndpoint,
    /// The other logs: file name and how its timestamps look.
    pub(crate) files: Vec<(&'static str, StampStyle)>,
    pub(crate) lines: Vec<Scripted>,
    pub(crate) truth: Option<Outage>,
}

/// How a log file writes its timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StampStyle {
    /// `2024-01-21 15:30:00,123` (Python logging, local, naive).
    Python,
    /// `2024-01-21 15:30:00.123` (Logback/Spring Boot, local, naive).
    Logback,
    /// `2024-01-21T20:30:00.123456Z` (MySQL 8 error and general logs, UTC).
    MysqlUtc,
    /// `240121 15:30:00` (MySQL 5.1 error log and slow log `# Time:`, local, naive).
    MysqlShort,
    /// `2024-01-21 15:30:00.123 EST` (PostgreSQL `%m`, with the zone's abbreviation).
    Postgres,
    /// `Jan 21 15:30:00` (BSD syslog, local, no year).
    Syslog,
    /// `[2024-01-21 15:30:00]` (Laravel, local).
    Laravel,
    /// `[21-Jan-2024 15:30:00]` (php-fpm, local).
    Fpm,
}

fn micros(t: DateTime<Tz>) -> Micros {
    t.timestamp_micros()
}

/// Local time to the zone's instant (the earlier one when ambiguous).
fn instant(zone: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    zone.from_local_datetime(&local)
        .earliest()
        .unwrap_or_else(|| zone.from_utc_datetime(&local))
}

fn stamp(style: StampStyle, zone: Tz, local: NaiveDateTime, millis: u32) -> String {
    let at = instant(zone, local);
    match style {
        StampStyle::Python => format!("{},{millis:03}", local.format("%Y-%m-%d %H:%M:%S")),
        StampStyle::Logback => format!("{}.{millis:03}", local.format("%Y-%m-%d %H:%M:%S")),
        StampStyle::MysqlUtc => format!("{}.{:06}Z", at.naive_utc().format("%Y-%m-%dT%H:%M:%S"), millis * 1000 + 417),
        StampStyle::MysqlShort => local.format("%y%m%d %H:%M:%S").to_string(),
        StampStyle::Postgres => format!("{}.{millis:03} {}", local.format("%Y-%m-%d %H:%M:%S"), at.format("%Z")),
        StampStyle::Syslog => local.format("%b %e %H:%M:%S").to_string(),
        StampStyle::Laravel => format!("[{}]", local.format("%Y-%m-%d %H:%M:%S")),
        StampStyle::Fpm => format!("[{}]", local.format("%d-%b-%Y %H:%M:%S")),
    }
}

/// The share of a sized archive that is access log; the rest is routine lines of the
/// app, database and host logs (a real archive is mostly access log).
const ACCESS_SHARE: f64 = 0.85;

/// About how many bytes an access line of each format takes, to scale the traffic.
fn bytes_per_request(web: WebFormat) -> f64 {
    match web {
        WebFormat::CombinedWithTime => 161.0,
        WebFormat::Combined => 155.0,
        WebFormat::Json => 161.0,
        WebFormat::Haproxy => 190.0,
        WebFormat::Alb => 520.0,
        WebFormat::Cloudfront => 250.0,
        WebFormat::Iis => 190.0,
        WebFormat::S3 => 420.0,
        WebFormat::Caddy => 330.0,
        WebFormat::Traefik => 330.0,
        WebFormat::Varnish => 180.0,
        WebFormat::Ingress => 240.0,
        WebFormat::Cloudflare => 330.0,
        WebFormat::Gcp => 760.0,
        WebFormat::Envoy => 230.0,
    }
}

/// One request as the synthesised server saw it.
struct Served<'a> {
    at: DateTime<Tz>,
    /// Its local time, and the milliseconds of its second.
    local: NaiveDateTime,
    millis: u64,
    ip: &'a str,
    /// A client port, or any other number a format wants to vary.
    port: u64,
    /// The backend server that took it (HAProxy).
    server: u64,
    method: &'a str,
    path: &'a str,
    status: u16,
    bytes: u64,
    latency_ms: f64,
}

const AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

/// The access line of one request, as `web` writes it.
fn access_line(web: WebFormat, r: &Served) -> String {
    let Served {
        at,
        local,
        millis,
        ip,
        port,
        server,
        method,
        path,
        status,
        bytes,
        latency_ms,
    } = *r;
    let utc = at.naive_utc();
    let seconds = latency_ms / 1000.0;
    let clf_time = at.format("%d/%b/%Y:%H:%M:%S %z");
    let upstream = 17 + port % 2;
    match web {
        WebFormat::CombinedWithTime | WebFormat::Combined => {
            let mut line = format!("{ip} - - [{clf_time}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"-\" \"{AGENT}\"");
            if web == WebFormat::CombinedWithTime {
                line.push_str(&format!(" {seconds:.3}"));
            }
            line
        }
        WebFormat::Haproxy => format!(
            "{} lb1 haproxy[2211]: {ip}:{port} [{}.{millis:03}] shop_https~ bk_php/web{} 0/0/1/{}/{} {status} {bytes} - - ---- 40/40/3/1/0 0/0 \"{method} {path} HTTP/1.1\"",
            local.format("%b %e %H:%M:%S"),
            local.format("%d/%b/%Y:%H:%M:%S"),
            server,
            (crate::num::whole(latency_ms)).saturating_sub(1),
            crate::num::whole(latency_ms),
        ),
        WebFormat::Json => format!(
            "{{\"time\":\"{}\",\"remote_addr\":\"{ip}\",\"request\":\"{method} {path} HTTP/1.1\",\"status\":{status},\"body_bytes_sent\":{bytes},\"request_time\":{seconds:.3}}}",
            at.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
        ),
        WebFormat::Alb => format!(
            "https {}Z app/shop-prod/5f1c0a9e2b7d4c11 {ip}:{port} 10.1.4.{upstream}:8080 0.001 {seconds:.3} 0.000 {status} {status} 412 {bytes} \"{method} https://shop.example.org:443{path} HTTP/1.1\" \"{AGENT}\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/shop-web/1a2b3c4d5e6f7a8b \"Root=1-{:08x}-{port:024x}\" \"shop.example.org\" \"-\" 0 {}Z \"forward\" \"-\" \"-\" \"10.1.4.{upstream}:8080\" \"{status}\" \"-\" \"-\"",
            utc.format("%Y-%m-%dT%H:%M:%S%.6f"),
            at.timestamp(),
            (utc - chrono::Duration::milliseconds(crate::num::whole_i64(latency_ms))).format("%Y-%m-%dT%H:%M:%S%.6f"),
        ),
        WebFormat::Cloudfront => format!(
            "{}\t{}\tFRA56-P1\t{bytes}\t{ip}\t{method}\td111111abcdef8.cloudfront.net\t{path}\t{status}\t-\t{}\t-\t-\t{}\tQw8Rt7Yu6Io5Pa4Sd3Fg{port:x}==\tshop.example.org\thttps\t412\t{seconds:.3}",
            utc.format("%Y-%m-%d"),
            utc.format("%H:%M:%S"),
            AGENT.replace(' ', "%20"),
            if status >= 500 { "Error" } else { "Miss" },
        ),
        WebFormat::Iis => format!(
            "{} 10.1.4.{upstream} {method} {path} - 443 - {ip} {} - {status} 0 0 {}",
            utc.format("%Y-%m-%d %H:%M:%S"),
            AGENT.replace(' ', "+"),
            crate::num::whole(latency_ms),
        ),
        WebFormat::S3 => format!(
            "5b7f0c2e9d1a4c3b8e6f7a9d0c1b2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d shop-media [{}] {ip} - {port:016X} REST.{method}.OBJECT {} \"{method} {path} HTTP/1.1\" {status} {} {bytes} {bytes} {} {} \"-\" \"{AGENT}\" - Ys0qQ3wTgq0= SigV4 ECDHE-RSA-AES128-GCM-SHA256 - shop-media.s3.eu-west-1.amazonaws.com TLSv1.2 - -",
            at.with_timezone(&chrono::Utc).format("%d/%b/%Y:%H:%M:%S %z"),
            match path.trim_start_matches('/') {
                "" => "-",
                key => key,
            },
            if status >= 500 { "InternalError" } else { "-" },
            crate::num::whole(latency_ms),
            (crate::num::whole(latency_ms)).saturating_sub(2),
        ),
        WebFormat::Caddy => format!(
            "{{\"level\":\"{}\",\"ts\":{}.{:06},\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\",\"request\":{{\"remote_ip\":\"{ip}\",\"remote_port\":\"{port}\",\"client_ip\":\"{ip}\",\"proto\":\"HTTP/2.0\",\"method\":\"{method}\",\"host\":\"shop.example.org\",\"uri\":\"{path}\",\"headers\":{{\"User-Agent\":[\"{AGENT}\"]}}}},\"bytes_read\":0,\"user_id\":\"\",\"duration\":{:.6},\"size\":{bytes},\"status\":{status},\"resp_headers\":{{\"Server\":[\"Caddy\"]}}}}",
            if status >= 500 { "error" } else { "info" },
            at.timestamp(),
            at.timestamp_subsec_micros(),
            seconds,
        ),
        WebFormat::Traefik => format!(
            "{{\"ClientAddr\":\"{ip}:{port}\",\"ClientHost\":\"{ip}\",\"ClientPort\":\"{port}\",\"DownstreamContentSize\":{bytes},\"DownstreamStatus\":{status},\"Duration\":{},\"OriginStatus\":{status},\"RequestHost\":\"shop.example.org\",\"RequestMethod\":\"{method}\",\"RequestPath\":\"{path}\",\"RequestProtocol\":\"HTTP/2.0\",\"RouterName\":\"shop@docker\",\"ServiceName\":\"shop@docker\",\"entryPointName\":\"websecure\",\"level\":\"info\",\"msg\":\"\",\"time\":\"{}\"}}",
            crate::num::whole(latency_ms * 1_000_000.0),
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        ),
        WebFormat::Varnish => format!(
            "{ip} - - [{clf_time}] \"{method} http://shop.example.org{path} HTTP/1.1\" {status} {bytes} \"-\" \"{AGENT}\""
        ),
        WebFormat::Ingress => format!(
            "{ip} - - [{clf_time}] \"{method} {path} HTTP/2.0\" {status} {bytes} \"-\" \"{AGENT}\" 412 {seconds:.3} [shop-web-80] [] 10.244.1.{upstream}:8080 {bytes} {seconds:.3} {status} {:032x}",
            u128::from(port) * 7919 + u128::from(millis),
        ),
        WebFormat::Cloudflare => format!(
            "{{\"ClientIP\":\"{ip}\",\"ClientRequestHost\":\"shop.example.org\",\"ClientRequestMethod\":\"{method}\",\"ClientRequestURI\":\"{path}\",\"EdgeStartTimestamp\":{},\"EdgeResponseBytes\":{bytes},\"EdgeResponseStatus\":{status},\"OriginIP\":\"10.1.4.{upstream}\",\"OriginResponseStatus\":{status},\"OriginResponseDurationMs\":{},\"RayID\":\"{:016x}\",\"CacheCacheStatus\":\"dynamic\"}}",
            at.timestamp_nanos_opt().unwrap_or_default(),
            crate::num::whole(latency_ms),
            port * 7919 + millis,
        ),
        WebFormat::Gcp => format!(
            "{{\"insertId\":\"{:012x}\",\"jsonPayload\":{{\"@type\":\"type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry\",\"statusDetails\":\"response_sent_by_backend\"}},\"httpRequest\":{{\"requestMethod\":\"{method}\",\"requestUrl\":\"https://shop.example.org{path}\",\"requestSize\":\"412\",\"status\":{status},\"responseSize\":\"{bytes}\",\"userAgent\":\"{AGENT}\",\"remoteIp\":\"{ip}:{port}\",\"serverIp\":\"10.1.4.{upstream}:8080\",\"latency\":\"{seconds:.6}s\",\"protocol\":\"HTTP/1.1\"}},\"resource\":{{\"type\":\"http_load_balancer\",\"labels\":{{\"backend_service_name\":\"shop-web\",\"forwarding_rule_name\":\"shop-fr\",\"project_id\":\"shop-prod\",\"target_proxy_name\":\"shop-tp\",\"url_map_name\":\"shop-um\",\"zone\":\"global\"}}}},\"timestamp\":\"{}\",\"severity\":\"{}\",\"logName\":\"projects/shop-prod/logs/requests\"}}",
            port * 7919 + millis,
            utc.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
            if status >= 500 { "ERROR" } else if status >= 400 { "WARNING" } else { "INFO" },
        ),
        WebFormat::Envoy => format!(
            "[{}] \"{method} {path} HTTP/1.1\" {status} {} 0 {bytes} {} {} \"{ip}\" \"{AGENT}\" \"{:032x}\" \"shop.example.org\" \"10.1.4.{upstream}:8080\"",
            utc.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            // Envoy's own flag where it gave up waiting; the app's errors pass through.
            if status == 504 { "UT" } else { "-" },
            crate::num::whole(latency_ms),
            (crate::num::whole(latency_ms)).saturating_sub(1),
            u128::from(port) * 7919 + u128::from(millis),
        ),
    }
}

/// The routine line a sized archive fills a log with, by the log's name and stamp style:
/// what such a log prints all day, matched by no rule. Error and slow-query logs get none
/// (whatever they print is worth a look).
fn routine_line(file: &str, style: StampStyle) -> Option<&'static str> {
    if file.contains("error") || file.contains("slow") {
        return None;
    }
    Some(match style {
        StampStyle::Python => "{t} INFO shop.web: GET /product/{n} rendered in 23 ms",
        StampStyle::Logback => {
            "{t}  INFO 4242 --- [nio-8080-exec-3] com.shop.web.RequestLog                  : GET /product/{n} 200 in 23 ms"
        }
        StampStyle::Laravel => "{t} production.DEBUG: view rendered catalog.product {n}",
        StampStyle::MysqlUtc | StampStyle::MysqlShort => "{t}\t   12 Query\tSELECT id, price, stock FROM products WHERE id = {n}",
        StampStyle::Postgres => "{t} [2211] LOG:  connection authorized: user=shop database=shop application_name=shop-{n}",
        StampStyle::Syslog => "{t} web1 postfix/qmgr[812]: 4F2A1C{n}: removed",
        StampStyle::Fpm => "{t} NOTICE: [pool www] child {n} started",
    })
}

/// Writes the archive of a scenario: the logs into `out/logs/`, the truth into
/// `out/truth.json` (beside the logs, not among them). `size` scales the traffic so that
/// the archive is about that many bytes.
pub fn write(name: &str, out: &Path, size: Option<u64>, seed: u64) -> io::Result<Truth> {
    write_served_by(name, None, out, size, seed)
}

/// [`write`], with the access log written as `web` writes it instead of the scenario's
/// own format.
pub fn write_served_by(name: &str, web: Option<WebFormat>, out: &Path, size: Option<u64>, seed: u64) -> io::Result<Truth> {
    let mut scenario =
        scenarios::scenario(name).ok_or_else(|| io::Error::other(format!("unknown scenario `{name}` (one of {})", NAMES.join(", "))))?;
    if let Some(web) = web {
        scenario.web = web;
    }
    let logs = out.join("logs");
    std::fs::create_dir_all(&logs)?;
    let mut random = Random::new(seed);
    // The traffic curve summed over the minutes: what one request a minute at the
    // curve's 1.0 comes to.
    let mut curve_minutes = 0.0;
    let mut minute = scenario.from;
    while minute < scenario.to {
        curve_minutes += (scenario.traffic)(minute);
        minute += chrono::Duration::minutes(1);
    }
    let per_minute = match size {
        Some(bytes) => (bytes as f64 * ACCESS_SHARE / bytes_per_request(scenario.web) / curve_minutes.max(1.0)).max(1.0),
        None => scenario.requests_per_minute,
    };
    let routine_files = scenario.files.iter().filter(|(f, s)| routine_line(f, *s).is_some()).count();
    // Bytes of routine lines for each log that takes them.
    let routine_bytes = size.map_or(0.0, |bytes| bytes as f64 * (1.0 - ACCESS_SHARE) / routine_files.max(1) as f64);
    let truth_window = scenario
        .truth
        .map(|((s, e), _, _)| (instant(scenario.zone, s), instant(scenario.zone, e)));
    let (mut in_window, mut failed_in_window) = (0u64, 0u64);
    let (mut clients_in_window, mut failed_clients) = (HashSet::new(), HashSet::new());

    let mut access = BufWriter::new(File::create(logs.join(scenario.web.file_name()))?);
    access.write_all(scenario.web.header().as_bytes())?;
    let total_weight: u32 = scenario.endpoints.iter().map(|e| e.weight).sum();
    let mut minute = scenario.from;
    while minute < scenario.to {
        let requests = crate::num::rounded(per_minute * (scenario.traffic)(minute));
        let mut offsets: Vec<u64> = (0..requests).map(|_| random.below(60_000)).collect();
        offsets.sort_unstable();
        for offset in offsets {
            let local = minute + chrono::Duration::milliseconds(offset as i64);
            let mut pick = u32::try_from(random.below(u64::from(total_weight))).unwrap_or(0);
            let endpoint = scenario
                .endpoints
                .iter()
                .find(|e| {
                    pick < e.weight || {
                        pick -= e.weight;
                        false
                    }
                })
                .unwrap_or(&scenario.endpoints[0]);
            let fails = random.chance((scenario.failure)(local, endpoint.path));
            let status = if fails {
                [500, 502, 503, 504][crate::num::index(random.below(4))]
            } else {
                [200, 200, 200, 200, 304, 404][crate::num::index(random.below(6))]
            };
            let client = random.below(u64::from(scenario.clients));
            let latency = (scenario.latency_ms)(local, endpoint.path) * (0.5 + random.below(1000) as f64 / 1000.0);
            let at = instant(scenario.zone, local);
            if let Some((start, end)) = truth_window {
                if at >= start && at < end {
                    in_window += 1;
                    clients_in_window.insert(client);
                    if fails {
                        failed_in_window += 1;
                        failed_clients.insert(client);
                    }
                }
            }
            let ip = format!("10.{}.{}.{}", client / 65_536 % 256, client / 256 % 256, client % 256);
            let bytes = if fails { 166 } else { 500 + random.below(30_000) };
            // Only the formats that print a client port draw one (and HAProxy its server),
            // so that the archives of the others stay what they were.
            let (port, server) = match scenario.web {
                WebFormat::CombinedWithTime | WebFormat::Combined | WebFormat::Json | WebFormat::Varnish => (0, 0),
                WebFormat::Haproxy => (40_000 + random.below(20_000), 1 + random.below(2)),
                _ => (40_000 + random.below(20_000), 0),
            };
            let served = Served {
                at,
                local,
                millis: offset % 1000,
                ip: &ip,
                port,
                server,
                method: endpoint.method,
                path: endpoint.path,
                status,
                bytes,
                latency_ms: latency,
            };
            writeln!(access, "{}", access_line(scenario.web, &served))?;
        }
        minute += chrono::Duration::minutes(1);
    }
    access.flush()?;

    for (file, style) in &scenario.files {
        let mut lines: Vec<(NaiveDateTime, (usize, u64), String)> = Vec::new();
        for (index, scripted) in scenario.lines.iter().filter(|l| l.file == *file).enumerate() {
            let mut t = scripted.at;
            let mut n = 0u64;
            loop {
                let millis = u32::try_from(random.below(1000)).unwrap_or(0);
                let text = scripted
                    .text
                    .replace("{t}", &stamp(*style, scenario.zone, t, millis))
                    .replace("{n}", &(n + 1).to_string());
                lines.push((t, (index, n), text));
                n += 1;
                match scripted.until {
                    Some(until) if scripted.every > 0 => {
                        t += chrono::Duration::seconds(scripted.every);
                        if t >= until {
                            break;
                        }
                    }
                    _ => break,
                }
            }
        }
        // Logs are written in time order; lines at the same second keep their script order.
        lines.sort_by_key(|(t, order, _)| (*t, *order));
        let mut writer = BufWriter::new(File::create(logs.join(file))?);
        // Routine lines, evenly spread, go between the scripted ones.
        let routine = routine_line(file, *style).filter(|_| routine_bytes > 0.0);
        let routine_count = routine.map_or(0, |text| crate::num::whole_i64(routine_bytes / (text.len() + 20) as f64));
        let step_ms = (scenario.to - scenario.from).num_milliseconds() / routine_count.max(1);
        let mut written = 0i64;
        let mut write_routine_until = |writer: &mut BufWriter<File>, until: Option<NaiveDateTime>| -> io::Result<()> {
            let Some(text) = routine else { return Ok(()) };
            while written < routine_count {
                let t = scenario.from + chrono::Duration::milliseconds(written * step_ms);
                if until.is_some_and(|u| t >= u) {
                    break;
                }
                let line = text
                    .replace("{t}", &stamp(*style, scenario.zone, t, t.and_utc().timestamp_subsec_millis()))
                    .replace("{n}", &(written + 1).to_string());
                writeln!(writer, "{line}")?;
                written += 1;
            }
            Ok(())
        };
        for (t, _, text) in lines {
            write_routine_until(&mut writer, Some(t))?;
            writeln!(writer, "{text}")?;
        }
        write_routine_until(&mut writer, None)?;
        writer.flush()?;
    }

    let utc = |t: DateTime<Tz>| crate::time::rfc3339_utc(micros(t));
    let incident = scenario
        .truth
        .map(|((start, end), (trigger, trigger_at), mechanism)| TruthIncident {
            start: utc(instant(scenario.zone, start)),
            end: utc(instant(scenario.zone, end)),
            trigger: TruthEvent {
                category: trigger.to_string(),
                time: utc(instant(scenario.zone, trigger_at)),
            },
            mechanism: mechanism.to_string(),
            failed_ratio: round3(failed_in_window as f64 / in_window.max(1) as f64),
            affected_clients_ratio: round3(failed_clients.len() as f64 / clients_in_window.len().max(1) as f64),
        });
    let truth = Truth {
        scenario: scenario.name.to_string(),
        tz: scenario.zone.name().to_string(),
        incident,
    };
    let mut file = BufWriter::new(File::create(out.join("truth.json"))?);
    serde_json::to_writer_pretty(&mut file, &truth).map_err(io::Error::other)?;
    file.write_all(b"\n")?;
    file.flush()?;
    Ok(truth)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
