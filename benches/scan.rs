//! Throughput in bytes per second of the stages that touch every byte: the whole scan
//! (1 and 2 threads; the first rules against the full catalogue), format detection,
//! timestamp parsing, access lines (request fields and traffic series), JSON access
//! lines, and line matching with the full catalogue. The archive is what
//! `postmortem synth --scenario table-lock --size N` writes (about 85 % access log, the
//! rest app, MySQL general log and syslog, an incident inside), once, in a temporary
//! directory.
//!
//! Run with `cargo bench --bench scan`; `POSTMORTEM_BENCH_MB` sets the archive size
//! (default 64), and `POSTMORTEM_BENCH_DIR` keeps the archive in that directory.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use postmortem::rules::RuleSet;
use postmortem::scan::ScanOptions;
use postmortem::synth::{WebFormat, WEB_FORMATS};
use postmortem::time::Zone;
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// The archive, in a temporary directory, or in `POSTMORTEM_BENCH_DIR` when set (kept
/// there, to profile the binary on the same bytes).
fn archive() -> (Option<tempfile::TempDir>, PathBuf, u64) {
    let megabytes: u64 = std::env::var("POSTMORTEM_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    let (guard, path) = match std::env::var_os("POSTMORTEM_BENCH_DIR") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            (None, PathBuf::from(dir))
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().to_path_buf();
            (Some(dir), path)
        }
    };
    postmortem::synth::write("table-lock", &path, Some(megabytes << 20), 1).unwrap();
    let path = path.join("logs");
    let bytes = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    (guard, path, bytes)
}

/// One whole scan of the archive; the number of matched lines, so nothing is optimised
/// away.
fn scan_once(pool: &rayon::ThreadPool, path: &Path, rules: &RuleSet) -> u64 {
    let options = ScanOptions {
        zone: "America/New_York".parse::<Zone>().unwrap(),
        ..ScanOptions::default()
    };
    let result = pool.install(|| postmortem::scan_paths(&[path.to_path_buf()], rules, &options, &postmortem::scan::NoProgress));
    black_box(result.files.iter().map(|f| f.events).sum())
}

fn whole_scan(c: &mut Criterion) {
    let (_guard, path, bytes) = archive();
    let rules = RuleSet::load(&[], true).unwrap();
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| scan_once(&pool, &path, &rules))
        });
    }
    group.finish();
}

/// The archive's access log as the same lines plain and as containers and Loki store
/// them (Docker's json-file, containerd's CRI lines, `logcli --output=jsonl`): what
/// unwrapping costs over reading the lines as they are.
fn containers(c: &mut Criterion) {
    const MEGABYTES: usize = 32;
    let (_guard, path, _) = archive();
    let access = std::fs::read(path.join("access.log")).unwrap();
    let end = access[..access.len().min(MEGABYTES << 20)]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let lines: Vec<&str> = std::str::from_utf8(&access[..end]).unwrap().lines().collect();
    let time = "2024-01-21T19:30:00.000000001Z";
    let wrapped: [(&str, String); 4] = [
        ("plain", lines.iter().map(|l| format!("{l}\n")).collect()),
        (
            "docker",
            lines
                .iter()
                .map(|l| {
                    format!(
                        "{{\"log\":{},\"stream\":\"stdout\",\"time\":\"{time}\"}}\n",
                        serde_json::to_string(&format!("{l}\n")).unwrap()
                    )
                })
                .collect(),
        ),
        ("cri", lines.iter().map(|l| format!("{time} stdout F {l}\n")).collect()),
        (
            "loki",
            lines
                .iter()
                .map(|l| {
                    format!(
                        "{{\"labels\":{{\"app\":\"web\"}},\"line\":{},\"timestamp\":\"{time}\"}}\n",
                        serde_json::to_string(l).unwrap()
                    )
                })
                .collect(),
        ),
    ];
    let rules = RuleSet::load(&[], true).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let mut group = c.benchmark_group("containers");
    group.throughput(Throughput::Bytes(end as u64));
    group.sample_size(10);
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in wrapped {
        let file = dir.path().join(format!("{name}.log"));
        std::fs::write(&file, text).unwrap();
        group.bench_function(name, |b| b.iter(|| scan_once(&pool, &file, &rules)));
    }
    group.finish();
}

/// The rules the scanning core shipped with, before the catalogue: the one-pass matcher
/// should make the full catalogue cost little more.
const FIRST_HANDFUL: [&str; 10] = [
    "web.http_5xx",
    "mysql.lock_wait_timeout",
    "mysql.deadlock",
    "mysql.too_many_connections",
    "postgres.lock_wait",
    "postgres.lock_timeout",
    "postgres.deadlock",
    "postgres.too_many_clients",
    "hikari.connection_timeout",
    "cron.job_started",
];

fn catalogue(c: &mut Criterion) {
    let (_guard, path, bytes) = archive();
    let full = RuleSet::load(&[], true).unwrap();
    let handful = RuleSet::new(
        full.rules()
            .iter()
            .filter(|r| FIRST_HANDFUL.contains(&r.id.as_str()))
            .cloned()
            .collect(),
    );
    let mut group = c.benchmark_group("rules");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    for (name, rules) in [("first_handful", &handful), ("full_catalogue", &full)] {
        group.bench_function(BenchmarkId::new(name, rules.rules().len()), |b| {
            b.iter(|| scan_once(&pool, &path, rules))
        });
    }
    group.finish();
}

fn timestamps(c: &mut Criterion) {
    let shapes: [(&str, &[u8]); 4] = [
        ("clf", b"21/Jan/2024:15:30:00 -0500] \"GET"),
        ("iso", b"2024-01-21T15:30:00.123456Z 0 [Note]"),
        ("syslog", b"Jan 21 15:30:00 db1 CRON[1]:"),
        ("postgres", b"2024-01-21 15:30:00.123 CEST [42] LOG:"),
    ];
    let mut group = c.benchmark_group("timestamp");
    for (name, text) in shapes {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| postmortem::time::parse_any(black_box(text)).or_else(|| postmortem::time::parse_clf(black_box(text))))
        });
    }
    group.finish();
}

/// The first lines of each file: what sniffing reads of a file's head.
fn heads(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "gz"))
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let end = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(postmortem::format::SNIFF_LINES - 1)
                .map_or(bytes.len(), |(i, _)| i + 1);
            bytes[..end].to_vec()
        })
        .collect()
}

/// Sniffing the format of every shipped format fixture from its head.
fn format_detection(c: &mut Criterion) {
    let heads = heads(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats"));
    let bytes: usize = heads.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("format");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(BenchmarkId::new("sniff", format!("{} files", heads.len())), |b| {
        b.iter(|| {
            heads
                .iter()
                .map(|h| postmortem::format::sniff(black_box(h)).format.name().len())
                .sum::<usize>()
        })
    });
    group.finish();
}

/// The full catalogue's matcher over the app, database and host logs of the archive
/// (8 MiB of each), as the scan runs it: one search over the bytes, and the rule and
/// fields of each line it stops at.
fn line_matching(c: &mut Criterion) {
    let (_guard, path, _) = archive();
    let rules = RuleSet::load(&[], true).unwrap();
    let mut group = c.benchmark_group("matching");
    for name in ["app.log", "mysql-general.log", "syslog"] {
        let bytes = std::fs::read(path.join(name)).unwrap();
        let data = &bytes[..bytes.len().min(8 << 20)];
        let format = postmortem::format::sniff(data).format;
        let matcher = rules.matcher(format);
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(BenchmarkId::new(name, format.name()), |b| {
            b.iter(|| {
                let mut matched = 0;
                let mut from = 0;
                let mut hits = matcher.hits();
                while let Some(hit) = hits.next_hit(data, from) {
                    let start = memchr::memrchr(b'\n', &data[..hit]).map_or(0, |i| i + 1);
                    let end = memchr::memchr(b'\n', &data[hit..]).map_or(data.len(), |i| hit + i);
                    matched += usize::from(matcher.match_line(&data[start..end]).is_some());
                    from = end + 1;
                    if from >= data.len() {
                        break;
                    }
                }
                black_box(matched)
            })
        });
    }
    group.finish();
}

/// Access lines, most of an archive's bytes (8 MiB of them): each line's request fields,
/// counted into the traffic series (with the sampled lines' details into the field
/// summaries), about 5,000 lines a minute.
fn access_lines(c: &mut Criterion) {
    let (_guard, path, _) = archive();
    let bytes = std::fs::read(path.join("access.log")).unwrap();
    let data = &bytes[..bytes.len().min(8 << 20)];
    let format = postmortem::format::sniff(data).format;
    let mut group = c.benchmark_group("access");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function(BenchmarkId::new("request and series", format.name()), |b| {
        b.iter(|| {
            let mut series = postmortem::scan::series::SeriesBuilder::new(60_000_000);
            for (index, line) in data.split(|&b| b == b'\n').enumerate() {
                if let Some(request) = format.request(line) {
                    let mark = postmortem::scan::hits::Mark {
                        line: index as u64,
                        ..Default::default()
                    };
                    series.add(index as i64 * 12_000, &request, mark, || {
                        format.details(line, request.details_at as usize)
                    });
                }
            }
            black_box(series.finish().buckets.len())
        })
    });
    group.finish();
}

/// 8 MiB of a scenario's access log, sized so that there are 8 MiB to read; written as
/// `web` writes it where given.
fn access_sample(scenario: &str, web: Option<WebFormat>, file: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    postmortem::synth::write_served_by(scenario, web, dir.path(), Some(12 << 20), 1).unwrap();
    let logs = dir.path().join("logs");
    // The access log is the largest file the scenario writes.
    let path = match file {
        "" => std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .max_by_key(|p| p.metadata().unwrap().len())
            .unwrap(),
        name => logs.join(name),
    };
    let mut bytes = std::fs::read(path).unwrap();
    bytes.truncate(8 << 20);
    bytes
}

/// Each line as the scan reads an access line whose time is found with its request:
/// the request's fields and where its time is, then the time parsed.
fn bench_request_and_time(group: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>, data: &[u8]) {
    bench_request_and_time_named(group, data, "request and time");
}

fn bench_request_and_time_named(group: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>, data: &[u8], name: &str) {
    let format = postmortem::format::sniff(data).format;
    let columns = format.columns_of(data);
    let columns = columns.as_ref();
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function(BenchmarkId::new(name, format.name()), |b| {
        b.iter(|| {
            let mut found = 0u64;
            let mut layout = postmortem::format::RecordLayout::default();
            for line in data.split(|&b| b == b'\n') {
                let request = format.request_in(line, columns, &mut layout);
                let at = request
                    .as_ref()
                    .and_then(|r| r.stamp_at)
                    .or_else(|| format.stamp_at_in(line, columns));
                if let (Some(request), Some(stamp)) = (request, at.and_then(|at| format.parse_stamp_in(at, columns))) {
                    found += u64::from(request.status) + stamp.len as u64;
                }
            }
            black_box(found)
        })
    });
}

/// HAProxy's HTTP log through syslog (as `synth --scenario fpm-saturation` writes it).
fn haproxy_lines(c: &mut Criterion) {
    let data = access_sample("fpm-saturation", None, "haproxy.log");
    let mut group = c.benchmark_group("haproxy");
    bench_request_and_time(&mut group, &data);
    group.finish();
}

/// The access logs of other servers, each the table-lock scenario's requests as that
/// server writes them (`synth --web NAME`): the request's fields and its time.
fn other_access_lines(c: &mut Criterion) {
    let mut group = c.benchmark_group("access_formats");
    for (name, web) in WEB_FORMATS {
        if matches!(
            web,
            WebFormat::CombinedWithTime | WebFormat::Combined | WebFormat::Json | WebFormat::Haproxy
        ) {
            continue; // measured above
        }
        let data = access_sample("table-lock", Some(web), "");
        bench_request_and_time_named(&mut group, &data, name);
    }
    group.finish();
}

/// JSON access lines (nginx `escape=json`, as `synth --scenario pool-after-deploy`
/// writes them), and for comparison a general JSON parser on the same lines.
fn json_lines(c: &mut Criterion) {
    let data = access_sample("pool-after-deploy", None, "access.json.log");
    let data = &data[..];
    let format = postmortem::format::sniff(data).format;
    let mut group = c.benchmark_group("json");
    bench_request_and_time(&mut group, data);
    // For comparison: serde_json into a borrowed struct of this log's own top-level keys,
    // the fastest a general parser gets. It knows one shape only (no nested keys, no
    // other names), and refuses lines that are not strict JSON (nginx's default `\xHH`
    // escapes, raw bytes that are not UTF-8), which the scan must still read.
    #[derive(serde::Deserialize)]
    struct NginxJson<'a> {
        #[serde(borrow)]
        time: std::borrow::Cow<'a, str>,
        #[serde(borrow)]
        remote_addr: std::borrow::Cow<'a, str>,
        #[serde(borrow)]
        request: std::borrow::Cow<'a, str>,
        status: u16,
        request_time: f64,
    }
    group.bench_function(BenchmarkId::new("serde_json borrowed struct (reference)", format.name()), |b| {
        b.iter(|| {
            let mut found = 0u64;
            for line in data.split(|&b| b == b'\n') {
                if let Ok(record) = serde_json::from_slice::<NginxJson>(line) {
                    if let Some(stamp) = format.parse_stamp(record.time.as_bytes()) {
                        found += u64::from(record.status)
                            + stamp.len as u64
                            + record.remote_addr.len() as u64
                            + record.request.len() as u64
                            + postmortem::num::whole(record.request_time);
                    }
                }
            }
            black_box(found)
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    json_lines,
    haproxy_lines,
    other_access_lines,
    whole_scan,
    containers,
    catalogue,
    format_detection,
    timestamps,
    access_lines,
    line_matching
);
criterion_main!(benches);
