//! The same logs give the same events, episodes and templates whatever the reading path
//! (mmap or read), the chunking (one chunk or many, cut anywhere) and the number of
//! threads.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "made-up test data of small, known numbers"
)]

use postmortem::format::Level;
use postmortem::rules::RuleSet;
use postmortem::scan::hits::Mark;
use postmortem::scan::{Event, ScanOptions, ScanResult};
use postmortem::time::Zone;
use postmortem::timeline::{self, Episode};
use std::path::{Path, PathBuf};

fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![root.join("fixtures/formats"), root.join("../shared/real-logs")]
}

fn rules() -> RuleSet {
    RuleSet::load(&[], true).unwrap()
}

fn scan(options: &ScanOptions, threads: usize) -> ScanResult {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| postmortem::scan_paths(&inputs(), &rules(), options, &postmortem::scan::NoProgress))
}

fn base() -> ScanOptions {
    ScanOptions {
        zone: Zone::UTC,
        year: Some(2020),
        keep_lines: true,
        ..ScanOptions::default()
    }
}

/// Per file: name, lines, timestamped lines, first and last time, events. (Not the
/// whole report: how a file was read differs between the runs on purpose.)
type FileSummary = (String, u64, u64, Option<i64>, Option<i64>, u64);

/// Per source group, its templates: key, text, level, count, first and last lines, and
/// the lines of the earliest occurrences.
type TemplateSummary = Vec<(String, Vec<(u64, String, Option<Level>, u64, Mark, Mark, Vec<u64>)>, u64, u64)>;

/// Files whose lines a wrapper unwrapped: their offsets are positions in the unwrapped
/// lines, which depend on where the file was cut into ranges (a range's offsets start at
/// its start in the file); they order the lines alike whatever the cuts, and are not
/// compared.
fn unwrapped_files(result: &ScanResult) -> Vec<u32> {
    (0..result.files.len() as u32)
        .filter(|&i| matches!(result.files[i as usize].mode, postmortem::source::ReadMode::Unwrapped(..)))
        .collect()
}

/// A mark with its offset left out where its file was unwrapped.
fn comparable(mark: Mark, unwrapped: &[u32]) -> Mark {
    match unwrapped.contains(&mark.file) {
        true => Mark { offset: 0, ..mark },
        false => mark,
    }
}

fn templates(result: &ScanResult) -> TemplateSummary {
    let unwrapped = unwrapped_files(result);
    result
        .templates
        .iter()
        .map(|(group, table)| {
            let mut kept: Vec<_> = table
                .by_key
                .iter()
                .map(|(key, t)| {
                    let earliest = t.earliest.iter().map(|o| o.mark.line).collect();
                    (
                        *key,
                        t.text.to_string(),
                        t.level,
                        t.count,
                        comparable(t.first, &unwrapped),
                        comparable(t.last, &unwrapped),
                        earliest,
                    )
                })
                .collect();
            kept.sort_by_key(|k| k.0);
            (group.clone(), kept, table.lines, table.other)
        })
        .collect()
}

fn summary(result: &ScanResult) -> Summary {
    let files = result
        .files
        .iter()
        .map(|f| (f.display.clone(), f.lines, f.timestamped, f.first, f.last, f.events))
        .collect();
    let buckets = result.series.values().map(|s| s.buckets.len()).sum();
    let episodes = timeline::episodes(result, &rules());
    let unwrapped = unwrapped_files(result);
    let events = result
        .events
        .iter()
        .map(|e| match unwrapped.contains(&e.file) {
            true => Event { offset: 0, ..e.clone() },
            false => e.clone(),
        })
        .collect();
    (events, episodes, files, buckets, templates(result))
}

type Summary = (Vec<Event>, Vec<Episode>, Vec<FileSummary>, usize, TemplateSummary);

/// Asserts two summaries are equal, naming the first item that differs (a whole summary
/// is too long to read in a failure).
fn same(a: &Summary, b: &Summary, what: &str) {
    fn first<T: PartialEq + std::fmt::Debug>(a: &[T], b: &[T], part: &str, what: &str) {
        if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
            panic!("{what}: {part} #{i} differs:\n{:?}\n{:?}", a.get(i), b.get(i));
        }
    }
    first(&a.0, &b.0, "event", what);
    first(&a.1, &b.1, "episode", what);
    first(&a.2, &b.2, "file", what);
    assert_eq!(a.3, b.3, "{what}: buckets");
    first(&a.4, &b.4, "templates", what);
}

#[test]
fn mmap_and_read_give_the_same_events() {
    let mapped = scan(&base(), 2);
    let read = scan(&ScanOptions { no_mmap: true, ..base() }, 2);
    assert!(!mapped.events.is_empty());
    assert!(!timeline::episodes(&mapped, &rules()).is_empty());
    assert_eq!(summary(&mapped), summary(&read));
}

#[test]
fn chunk_boundaries_do_not_change_events() {
    let whole = scan(&base(), 1);
    for chunk_size in [97, 1000, 4096] {
        let chunked = scan(&ScanOptions { chunk_size, ..base() }, 2);
        same(&summary(&whole), &summary(&chunked), &format!("chunk size {chunk_size}"));
        let chunked_read = scan(
            &ScanOptions {
                chunk_size,
                no_mmap: true,
                ..base()
            },
            2,
        );
        same(&summary(&whole), &summary(&chunked_read), &format!("chunk size {chunk_size}, read"));
    }
}

#[test]
fn one_and_many_threads_give_the_same_events() {
    let options = ScanOptions {
        chunk_size: 1500,
        ..base()
    };
    let one = scan(&options, 1);
    for threads in [2, 4, 8] {
        assert_eq!(summary(&one), summary(&scan(&options, threads)), "{threads} threads");
    }
}

/// The timeline, whose parts are read on every core, is the same on one thread and many:
/// every episode, in the same order, and every count.
#[test]
fn one_and_many_threads_give_the_same_timeline() {
    let built = |threads: usize| {
        let result = scan(&base(), threads);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let timeline = pool.install(|| timeline::build(result, &rules()));
        format!(
            "{:?} {:?} {:?} {:?}",
            timeline.episodes, timeline.signal_counts, timeline.first_failures, timeline.error_counts
        )
    };
    let one = built(1);
    assert!(one.len() > 1000, "a timeline of the inputs");
    for threads in [2, 4] {
        assert!(built(threads) == one, "{threads} threads give another timeline");
    }
}

/// A gzip file reads as the same lines as the plain file, whatever the block and line
/// limits (blocks larger than the line limit once lost the end of every gzip file).
#[test]
fn gzip_and_plain_give_the_same_lines_and_events() {
    let dir = tempfile::tempdir().unwrap();
    postmortem::synth::write("table-lock", dir.path(), Some(3 << 20), 1).unwrap();
    let plain = dir.path().join("logs");
    let gz = dir.path().join("gz");
    std::fs::create_dir(&gz).unwrap();
    for entry in std::fs::read_dir(&plain).unwrap() {
        let path = entry.unwrap().path();
        let out = std::fs::File::create(gz.join(format!("{}.gz", path.file_name().unwrap().to_string_lossy()))).unwrap();
        let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
        std::io::copy(&mut std::fs::File::open(&path).unwrap(), &mut encoder).unwrap();
        encoder.finish().unwrap();
    }
    let per_file = |dir: &Path, options: &ScanOptions| {
        let result = postmortem::scan_paths(&[dir.to_path_buf()], &rules(), options, &postmortem::scan::NoProgress);
        assert!(result.problems.is_empty(), "{:?}", result.problems);
        let files: Vec<_> = result
            .files
            .iter()
            .map(|f| (f.lines, f.timestamped, f.first, f.last, f.events))
            .collect();
        (files, timeline::episodes(&result, &rules()).len())
    };
    for (chunk_size, max_line) in [(8 << 20, 1 << 20), (64 << 10, 4096), (4096, 300)] {
        let options = ScanOptions {
            zone: "America/New_York".parse().unwrap(),
            chunk_size,
            max_line,
            ..ScanOptions::default()
        };
        assert_eq!(
            per_file(&plain, &options),
            per_file(&gz, &options),
            "chunks {chunk_size}, lines {max_line}"
        );
    }
}

/// A slow-log entry's statement follows its `# Query_time:` line; wherever a chunk or a
/// gzip block ends, the run that entry opens quotes the same statement.
#[test]
fn a_slow_log_entry_keeps_its_statement_wherever_the_file_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    let gz = dir.path().join("gz");
    std::fs::create_dir(&plain).unwrap();
    std::fs::create_dir(&gz).unwrap();
    let mut log = String::new();
    // Entries an hour apart, so that each opens a run of its own.
    for n in 0..20u64 {
        let time = 1_710_424_780 + n * 3_600;
        log.push_str(&format!(
            "# Time: 2024-03-14T{:02}:59:40.000000Z\n# User@Host: shop[shop] @ web1 [10.0.0.20]  Id: {n}\n# Query_time: 14.120334  Lock_time: 0.000211 Rows_sent: 20  Rows_examined: 1840233\nuse shop;\nSET timestamp={time};\nSELECT * FROM products WHERE title LIKE '%entry {n}%';\n",
            n
        ));
    }
    std::fs::write(plain.join("mysql-slow.log"), &log).unwrap();
    let out = std::fs::File::create(gz.join("mysql-slow.log.gz")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, log.as_bytes()).unwrap();
    encoder.finish().unwrap();

    let statements = |dir: &Path, options: &ScanOptions| -> Vec<Option<String>> {
        let result = postmortem::scan_paths(&[dir.to_path_buf()], &rules(), options, &postmortem::scan::NoProgress);
        let mut runs: Vec<_> = result.hits.values().flat_map(|h| h.runs()).collect();
        runs.sort_by_key(|r| r.first);
        runs.iter()
            .map(|r| &r.first_line)
            .filter(|f| f.line.starts_with("# Query_time"))
            .map(|f| f.entry.as_deref().map(str::to_string))
            .collect()
    };
    let expected: Vec<Option<String>> = (0..20)
        .map(|n| Some(format!("SELECT * FROM products WHERE title LIKE '%entry {n}%';")))
        .collect();
    for chunk_size in [97, 300, 1000, 8 << 20] {
        for (no_mmap, input) in [(false, &plain), (true, &plain), (false, &gz)] {
            let options = ScanOptions {
                zone: Zone::UTC,
                chunk_size,
                no_mmap,
                ..ScanOptions::default()
            };
            assert_eq!(statements(input, &options), expected, "chunks of {chunk_size}, {}", input.display());
        }
    }
}

/// A Loki export read in ranges, each unwrapped on its own, gives the lines, events and
/// templates it gives read whole, and one note for the lines that are no records wherever
/// they stand.
#[test]
fn a_loki_export_cut_into_ranges_reads_as_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..400u32 {
        let (m, s) = (i / 60, i % 60);
        let line = match i % 3 {
            0 => format!(
                "10.0.0.{} - - [04/Mar/2025:09:{m:02}:{s:02} +0000] \\\"GET /cart HTTP/1.1\\\" {} 512 \\\"-\\\" \\\"curl/8\\\"",
                i % 250,
                if i % 7 == 0 { 502 } else { 200 }
            ),
            1 => format!(
                "10.0.1.{} - - [04/Mar/2025:09:{m:02}:{s:02} +0000] \\\"POST /pay HTTP/1.1\\\" 200 90 \\\"-\\\" \\\"curl/8\\\"",
                i % 250
            ),
            _ => format!(
                "10.0.2.{} - - [04/Mar/2025:09:{m:02}:{s:02} +0000] \\\"GET /search?q={i} HTTP/1.1\\\" 200 4096 \\\"-\\\" \\\"curl/8\\\"",
                i % 250
            ),
        };
        text.push_str(&format!(
            "{{\"labels\":{{\"app\":\"edge\"}},\"line\":\"{line}\",\"timestamp\":\"2025-03-04T09:{m:02}:{s:02}.{i:06}Z\"}}\n"
        ));
        if i % 100 == 50 {
            text.push_str("not a record\n");
        }
    }
    std::fs::write(dir.path().join("edge.jsonl"), text).unwrap();
    let read = |chunk_size: usize| {
        let options = ScanOptions { chunk_size, ..base() };
        postmortem::scan_paths(&[dir.path().to_path_buf()], &rules(), &options, &postmortem::scan::NoProgress)
    };
    let whole = read(8 << 20);
    assert!(matches!(whole.files[0].mode, postmortem::source::ReadMode::Unwrapped(..)));
    assert_eq!(whole.files[0].timestamped, 400);
    for chunk_size in [97, 1000, 4096] {
        let cut = read(chunk_size);
        same(&summary(&whole), &summary(&cut), &format!("loki, chunk size {chunk_size}"));
        let notes = |r: &ScanResult| r.problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>();
        assert_eq!(
            notes(&cut),
            ["4 lines were not loki records; read as they are"],
            "chunk size {chunk_size}"
        );
        assert_eq!(notes(&whole), notes(&cut));
        let series = |r: &ScanResult| {
            r.series
                .values()
                .map(|s| s.buckets.values().map(|b| (b.requests, b.failed())).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        assert_eq!(series(&whole), series(&cut));
    }
}

/// A log that opens with lines before any stamp, whose earliest stamp comes in a later
/// chunk: those lines take the file's first time whatever the cuts, and a draft's scan
/// (each chunk joining its source as it comes) finds what a partial's, which keeps the
/// chunks apart to the end, does.
#[test]
fn lines_before_the_first_stamp_take_the_file_first_time_however_the_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..6 {
        text.push_str(&format!(
            "Exception in thread \"worker-{i}\" java.lang.OutOfMemoryError: Java heap space\n"
        ));
    }
    for (minute, count) in [(31, 40), (20, 5), (32, 40)] {
        for i in 0..count {
            text.push_str(&format!(
                "2024-01-21 15:{minute:02}:{:02},120 ERROR [pool-{i}] shop.orders: SQLSTATE[HY000] [1040] Too many connections\n",
                i % 60
            ));
        }
    }
    std::fs::write(dir.path().join("orders.log"), text).unwrap();
    let paths = [dir.path().to_path_buf()];
    let drafted = |options: &ScanOptions, threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| postmortem::scan_paths(&paths, &rules(), options, &postmortem::scan::NoProgress))
    };
    let kept_apart = |options: &ScanOptions| {
        let mut config = postmortem::Config::new(rules());
        config.zone = Some(Zone::UTC);
        config.keep_lines = true;
        config.chunk_size = options.chunk_size;
        let partial = postmortem::scan_partial(&paths, &config, &postmortem::scan::NoProgress);
        postmortem::scan::partial::combine(partial.files, options)
    };
    let whole = drafted(&base(), 1);
    let first = whole.files[0].first.expect("stamped lines");
    let opening: Vec<_> = whole.events.iter().filter(|e| e.line <= 6).collect();
    assert_eq!(opening.len(), 6, "the opening lines are kept: {:?}", whole.events.len());
    assert!(opening.iter().all(|e| e.time == first), "they take the file's first time, 15:20");
    for chunk_size in [97, 1000, 4096] {
        let options = ScanOptions { chunk_size, ..base() };
        for threads in [1, 2] {
            same(
                &summary(&whole),
                &summary(&drafted(&options, threads)),
                &format!("chunk size {chunk_size}, {threads} threads"),
            );
        }
        same(
            &summary(&whole),
            &summary(&kept_apart(&options)),
            &format!("chunk size {chunk_size}, kept apart"),
        );
    }
}
