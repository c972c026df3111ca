//! Scan throughput on a generated archive, in bytes per second, and the cost of the
//! timestamp fast paths. The archive (about 85 % access log, the rest app, MySQL and
//! syslog, with an incident inside) is written once to a temporary directory.
//!
//! Run with `cargo bench --bench scan`; `POSTMORTEM_BENCH_MB` sets the archive size
//! (default 64), and `POSTMORTEM_BENCH_DIR` keeps the archive in that directory.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use postmortem::rules::RuleSet;
use postmortem::scan::ScanOptions;
use postmortem::time::Zone;
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A small deterministic generator (xorshift), so that every run scans the same bytes.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PATHS: [&str; 6] = ["/", "/products/42", "/cart", "/checkout", "/search?q=lamp", "/static/app.js"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Writes the archive: `total` bytes, the access log taking 85 %. Between 40 % and 50 %
/// of the day, checkout fails and the database reports lock waits.
fn write_archive(dir: &Path, total: u64) {
    let mut random = Random(0x5eed);
    let start: i64 = 1_705_849_200; // 2024-01-21 15:00:00 UTC
    let day = 86_400;
    let in_incident = |t: i64| (t - start) * 10 / day == 4;
    let mut access = std::io::BufWriter::new(std::fs::File::create(dir.join("access.log")).unwrap());
    let access_budget = total * 85 / 100;
    // About the length of one generated line (client, path, size and time vary a little).
    const ACCESS_LINE_BYTES: u64 = 124;
    let lines = access_budget / ACCESS_LINE_BYTES;
    let mut written = 0u64;
    for i in 0..lines {
        let t = start + (i as i64 * day) / lines as i64;
        let dt = chrono::DateTime::from_timestamp(t, 0).unwrap();
        let path = PATHS[random.below(PATHS.len() as u64) as usize];
        let status = if in_incident(t) && path == "/checkout" && random.below(10) < 8 {
            503
        } else {
            [200, 200, 200, 304, 404][random.below(5) as usize]
        };
        let line = format!(
            "10.{}.{}.{} - - [{}] \"GET {path} HTTP/1.1\" {status} {} \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" 0.{:03}\n",
            random.below(4),
            random.below(256),
            random.below(256),
            dt.format("%d/%b/%Y:%H:%M:%S +0000"),
            random.below(50_000),
            random.below(1000)
        );
        written += line.len() as u64;
        access.write_all(line.as_bytes()).unwrap();
    }
    let rest = total.saturating_sub(written);
    let mut app = std::io::BufWriter::new(std::fs::File::create(dir.join("app.log")).unwrap());
    let mut db = std::io::BufWriter::new(std::fs::File::create(dir.join("mysql-error.log")).unwrap());
    let mut sys = std::io::BufWriter::new(std::fs::File::create(dir.join("syslog")).unwrap());
    let other_lines = rest / 110;
    for i in 0..other_lines {
        let t = start + (i as i64 * day) / other_lines.max(1) as i64;
        let dt = chrono::DateTime::from_timestamp(t, 0).unwrap();
        match i % 3 {
            0 => {
                let message = if in_incident(t) && i % 2 == 0 {
                    "OperationalError: (1205, 'Lock wait timeout exceeded; try restarting transaction')"
                } else {
                    "request served"
                };
                writeln!(
                    app,
                    "{},{:03} INFO checkout.views: {message}",
                    dt.format("%Y-%m-%d %H:%M:%S"),
                    random.below(1000)
                )
                .unwrap();
            }
            1 => writeln!(
                db,
                "{}.000000Z {} [Note] [MY-010000] [Server] connection from 10.0.0.{}",
                dt.format("%Y-%m-%dT%H:%M:%S"),
                random.below(100),
                random.below(256)
            )
            .unwrap(),
            _ => {
                use chrono::Datelike;
                let month = MONTHS[dt.month0() as usize];
                let stamp = format!("{month} {:>2} {}", dt.day(), dt.format("%H:%M:%S"));
                // As on a real host: cron once a minute, other daemons in between.
                if t % 60 < 2 && i % 6 == 2 {
                    writeln!(
                        sys,
                        "{stamp} db1 CRON[{}]: (root) CMD (/usr/local/bin/rotate --quiet)",
                        random.below(30_000)
                    )
                    .unwrap();
                } else if i % 2 == 0 {
                    writeln!(
                        sys,
                        "{stamp} db1 sshd[{}]: Accepted publickey for deploy from 10.0.0.{} port {} ssh2",
                        random.below(30_000),
                        random.below(256),
                        random.below(65_536)
                    )
                    .unwrap();
                } else {
                    writeln!(
                        sys,
                        "{stamp} db1 systemd[1]: Started Session {} of user deploy.",
                        random.below(100_000)
                    )
                    .unwrap();
                }
            }
        }
    }
}

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
    write_archive(&path, megabytes << 20);
    let bytes = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    (guard, path, bytes)
}

/// One whole scan of the archive; the number of events, so nothing is optimised away.
fn scan_once(pool: &rayon::ThreadPool, path: &Path, rules: &RuleSet) -> usize {
    let options = ScanOptions {
        zone: Zone::UTC,
        year: Some(2024),
        ..ScanOptions::default()
    };
    let result = pool.install(|| postmortem::scan_paths(&[path.to_path_buf()], rules, &options, &postmortem::scan::NoProgress));
    black_box(result.events.len())
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

criterion_group!(benches, whole_scan, catalogue, timestamps);
criterion_main!(benches);
