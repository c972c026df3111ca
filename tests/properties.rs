//! Property tests: whatever bytes a log holds, nothing panics; a timestamp printed and
//! read again is the same instant.

use postmortem::format::{sniff, Format};
use postmortem::rules::RuleSet;
use postmortem::scan::{NoProgress, ScanOptions};
use postmortem::time::{self, TimeContext, YearPlan, Zone};
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
        proptest::collection::vec(any::<u8>(), 0..24),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|parts| parts.concat())
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
        let rules = &*RULES;
        let options = ScanOptions { zone: Zone::UTC, year: Some(2024), chunk_size, max_line: 64, ..ScanOptions::default() };
        let result = postmortem::scan_paths(&[dir.path().to_path_buf()], rules, &options, &NoProgress);
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
        // Every line is counted, unless the file is binary: then it is skipped, and said so.
        if result.files.is_empty() {
            prop_assert!(result.problems.iter().any(|p| p.message.contains("binary")), "{:?}", result.problems);
        } else {
            prop_assert_eq!(result.files.iter().map(|f| f.lines).sum::<u64>(), lines);
        }
        let episodes = postmortem::timeline::build(&result, rules);
        let analysis = postmortem::analyze::analyze(&result, &episodes, rules, &postmortem::analyze::Options { lookback: 3_600_000_000 });
        let _ = postmortem::render::write_draft(&analysis, analysis.largest, &episodes, &result.files, rules, Zone::UTC, None);
    }

    #[test]
    fn a_printed_time_reads_back_as_the_same_instant(millis in 0i64..4_102_444_800_000) {
        let t = millis * 1000;
        let printed = time::rfc3339_utc(t);
        prop_assert_eq!(time::parse_user_time(&printed, Zone::UTC), Ok(t));
    }
}
