//! Property tests: whatever bytes a log holds, nothing panics; the search over a whole
//! chunk finds the lines that match one by one; a timestamp printed and read again is the
//! same instant.

use postmortem::format::{sniff, Format};
use postmortem::rules::RuleSet;
use postmortem::scan::NoProgress;
use postmortem::time::{self, TimeContext, YearPlan, Zone};
use postmortem::Config;
use proptest::prelude::*;
use std::sync::LazyLock;

/// Compiled once: every case scans with the same catalogue.
static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::load(&[], true).unwrap());

/// Bytes that look a little like log lines: the tokens parsers look for, mixed with noise.
fn loggy_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"2024-01-21 15:30:00".to_vec()),
        Just(b"21/Jan/2024:15:30:00 -0500".to_vec()),
        Just(b"Jan 21 15:30:00 ".to_vec()),
        Just(b"[Sun Jan 21 15:30:00 2024] ".to_vec()),
        Just(b"\"GET / HTTP/1.1\" 503 ".to_vec()),
        Just(b"{\"time\":\"".to_vec()),
        Just(b"# Time: ".to_vec()),
        Just(b"SET timestamp=".to_vec()),
        Just(b" CRON[1]: (root) CMD (".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\x1b[31m".to_vec()),
        // The shapes of the access families read by their header or their fields, and
        // of container runtimes' wrappers.
        Just(b"#Fields: date time c-ip cs-uri-stem sc-status time-taken\n".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"https 2024-01-21T20:30:00.120331Z app/shop/5f1c 1.2.3.4:5 - -1 -1 -1 503 - 1 2 ".to_vec()),
        Just(b"{\"log\":\"".to_vec()),
        Just(b"\",\"stream\":\"stderr\",\"time\":\"2024-01-21T20:30:00Z\"}\n".to_vec()),
        Just(b"2024-01-21T20:30:00.1Z stdout P ".to_vec()),
        Just(b"2024-01-21T20:30:00.1Z stderr F ".to_vec()),
        Just(b"07/11/2022-10:29:01.860293 ".to_vec()),
        Just(b"web-1  | ".to_vec()),
        Just(b"=WARNING REPORT==== 6-May-2019::03:56:36 ===".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..24),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|parts| parts.concat())
}

/// Pieces of lines that the catalogue's patterns look for, with their near misses, line
/// ends and noise, so that one line may hold none, one or several matches, or half of one.
fn rule_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"Deadlock found when trying to get lock".to_vec()),
        Just(b"Lock wait timeout exceeded; try restarting transaction".to_vec()),
        Just(b"ERROR".to_vec()),
        Just(b" ERROR ".to_vec()),
        Just(b"ERRORS".to_vec()),
        Just(b"deadlock detected".to_vec()),
        Just(b"   ".to_vec()),
        Just(b"systemd[1]: Started nginx.service.".to_vec()),
        Just(b"CRON[12]: (root) CMD (/usr/local/bin/backup)".to_vec()),
        Just(b"Out of memory: Killed process 12 (mysqld)".to_vec()),
        Just(b"ALTER TABLE orders ADD x int".to_vec()),
        Just(b"alter\ntable t".to_vec()),
        Just(b"Deploying v2.3.1".to_vec()),
        Just(b"Applying shop.0042_orders...".to_vec()),
        Just(b"== 20240121153000 AddIndex: migrating".to_vec()),
        Just(b"No space left on device".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        proptest::collection::vec(prop_oneof![Just(b' '), Just(b'a'), Just(b'('), Just(b')'), any::<u8>()], 0..12),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_line_panics_a_parser(bytes in loggy_bytes()) {
        let _ = sniff(&bytes);
        let mut ctx = TimeContext::new(Zone::UTC, YearPlan { first_year: 2024, first_month: 1 });
        for line in bytes.split(|&b| b == b'\n') {
            let _ = time::parse_any(line);
            for format in Format::ALL {
                if let Some(at) = format.stamp_at(line) {
                    if let Some(stamp) = format.parse_stamp(at) {
                        let _ = ctx.resolve(&stamp);
                    }
                }
                let _ = format.request(line);
            }
        }
    }

    #[test]
    fn no_file_panics_the_scan(bytes in loggy_bytes(), chunk_size in 1usize..200) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.log"), &bytes).unwrap();
        let mut config = Config::new(RuleSet::load(&[], true).unwrap());
        config.zone = Some(Zone::UTC);
        config.year = Some(2024);
        config.chunk_size = chunk_size;
        config.max_line = 64;
        config.lookback = 3_600_000_000;
        let report = postmortem::draft(&[dir.path().to_path_buf()], &config, &NoProgress).unwrap();
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
        // Every line is counted, unless the file is binary: then it is skipped, and said so.
        if report.sources.is_empty() {
            prop_assert!(report.problems.iter().any(|p| p.message.contains("binary")), "{:?}", report.problems);
        } else {
            prop_assert_eq!(report.sources.iter().map(|f| f.lines).sum::<u64>(), lines);
        }
        let _ = postmortem::render::write_draft(&report, &postmortem::render::View::plain(Zone::UTC));
        let _ = postmortem::render::draft_json(&report);
    }

    #[test]
    fn the_chunk_search_finds_the_lines_that_match_alone(parts in proptest::collection::vec(rule_text(), 0..40), format in 0..Format::ALL.len()) {
        let matcher = RULES.matcher(Format::ALL[format]);
        let chunk = parts.concat();
        let alone: Vec<&[u8]> = chunk.split(|&b| b == b'\n').filter(|line| matcher.match_line(line).is_some()).collect();
        // Walk the chunk as the scan does: from each hit's line to the next hit.
        let mut found: Vec<&[u8]> = Vec::new();
        let mut from = 0;
        let mut hits = matcher.hits();
        while let Some(hit) = hits.next_hit(&chunk, from) {
            let start = chunk[..hit].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1).max(from);
            let end = chunk[hit..].iter().position(|&b| b == b'\n').map_or(chunk.len(), |i| hit + i);
            if matcher.match_line(&chunk[start..end]).is_some() {
                found.push(&chunk[start..end]);
            }
            if end >= chunk.len() {
                break;
            }
            from = end + 1;
        }
        prop_assert_eq!(found, alone);
    }

    #[test]
    fn a_printed_time_reads_back_as_the_same_instant(millis in 0i64..4_102_444_800_000) {
        let t = millis * 1000;
        let printed = time::rfc3339_utc(t);
        prop_assert_eq!(time::parse_user_time(&printed, Zone::UTC), Ok(t));
    }
}
