//! Scan partials: however the files are split into shards, each shard scanned into a
//! partial on its own and the partials drafted together give the draft of one run over
//! all the files, byte for byte (Markdown and JSON), with the same problems said.

mod common;

use postmortem::render::{self, View};
use postmortem::rules::RuleSet;
use postmortem::scan::partial::Partial;
use postmortem::scan::NoProgress;
use postmortem::Config;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// The zone left to be decided as a user's run decides it: naive times follow the
/// offsets other files carry, so a shard without those files reads them otherwise and
/// the merge must move them.
fn config() -> Config {
    Config::new(RuleSet::load(&[], true).unwrap())
}

/// Every file under `dir` (but hidden ones, which a walk passes over), in the order a
/// walk finds them: the input files a user splits into shards.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            continue;
        }
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The draft of `paths` as a reviewer and a program read it: Markdown, JSON and the
/// problems said.
fn drafted(paths: &[PathBuf], config: &Config) -> String {
    match postmortem::draft(paths, config, &NoProgress) {
        Ok(report) => format!(
            "{}\n{}\n{:?}",
            render::write_draft(&report, &View::plain(report.display_zone)),
            render::draft_json(&report),
            report.problems
        ),
        Err(e) => format!("error: {e}: {:?}", e.problems()),
    }
}

/// Scans each shard (`shard_of[i]` the shard of `files[i]`) into a partial in `out`, and
/// returns the partials' paths in the order `order` gives.
fn partials(files: &[PathBuf], shard_of: &[usize], order: &[usize], out: &Path, config: &Config) -> Vec<PathBuf> {
    let shards = shard_of.iter().max().map_or(0, |m| m + 1);
    let mut written = Vec::new();
    for shard in 0..shards {
        let members: Vec<PathBuf> = files
            .iter()
            .zip(shard_of)
            .filter(|(_, s)| **s == shard)
            .map(|(f, _)| f.clone())
            .collect();
        if members.is_empty() {
            continue;
        }
        let partial = postmortem::scan_partial(&members, config, &NoProgress);
        let path = out.join(format!("shard-{shard}.pmscan"));
        std::fs::write(&path, partial.encode().unwrap()).unwrap();
        written.push(path);
    }
    let mut ordered: Vec<(usize, PathBuf)> = written
        .into_iter()
        .enumerate()
        .map(|(i, p)| (order.get(i).copied().unwrap_or(i), p))
        .collect();
    ordered.sort();
    ordered.into_iter().map(|(_, p)| p).collect()
}

fn assert_split_drafts_alike(dir: &Path, shard_of: &[usize], order: &[usize]) {
    let config = config();
    let files = files_under(dir);
    let one_run = drafted(&files, &config);
    let out = tempfile::tempdir().unwrap();
    let shards = partials(&files, &shard_of[..files.len()], order, out.path(), &config);
    let merged = drafted(&shards, &config);
    if one_run != merged {
        let first = one_run.lines().zip(merged.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{}: split {:?}: the drafts differ from line {}:\n  one run: {}\n  merged:  {}",
            dir.display(),
            &shard_of[..files.len()],
            first + 1,
            one_run.lines().nth(first).unwrap_or(""),
            merged.lines().nth(first).unwrap_or("")
        );
    }
}

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path().join("logs")).collect();
    dirs.sort();
    dirs
}

/// Most files a shipped scenario or a folder of real logs split at random holds.
const MOST_FILES: usize = 400;

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn any_split_of_a_scenario_drafts_as_one_run(
        scenario in 0..7usize,
        shard_of in prop::collection::vec(0..4usize, MOST_FILES),
        order in Just((0..4usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let dirs = scenarios();
        assert_split_drafts_alike(&dirs[scenario % dirs.len()], &shard_of, &order);
    }
}

#[test]
fn every_scenario_with_each_file_a_shard_drafts_as_one_run() {
    for dir in scenarios() {
        let each: Vec<usize> = (0..MOST_FILES).collect();
        let reversed: Vec<usize> = (0..MOST_FILES).rev().collect();
        assert_split_drafts_alike(&dir, &each, &reversed);
    }
}

#[test]
fn every_folder_of_real_logs_split_in_three_drafts_as_one_run() {
    if !common::have_real_logs() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-logs");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut random = common::Draw(7);
    for dir in dirs {
        let shard_of: Vec<usize> = (0..MOST_FILES).map(|_| usize::try_from(random.next(3)).unwrap()).collect();
        assert_split_drafts_alike(&dir, &shard_of, &[2, 0, 1]);
    }
}

#[test]
fn a_partial_is_the_same_bytes_whatever_the_threads_and_reads_back() {
    let dir = &scenarios()[0];
    let written = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            postmortem::scan_partial(std::slice::from_ref(dir), &config(), &NoProgress)
                .encode()
                .unwrap()
        })
    };
    let bytes = written(1);
    assert_eq!(written(2), bytes);
    let again = Partial::decode(&bytes).unwrap();
    assert_eq!(again.files.len(), files_under(dir).len());
}

fn postmortem() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("postmortem").unwrap();
    cmd.env("NO_COLOR", "1").env("TZ", "UTC");
    cmd
}

/// Runs a command: its stdout, stderr and exit status.
fn run(cmd: &mut assert_cmd::Command) -> (String, String, i32) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The table-lock scenario in two partials (its access log alone, and the rest), in `dir`.
fn two_partials(dir: &Path, scan_args: &[&str]) -> (PathBuf, PathBuf) {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/table-lock/logs");
    let (web, rest) = (dir.join("web.pmscan"), dir.join("rest.pmscan"));
    let files = files_under(&logs);
    let (access, others): (Vec<&PathBuf>, Vec<&PathBuf>) = files.iter().partition(|f| f.ends_with("access.log"));
    run(postmortem().arg("scan").arg("-q").args(scan_args).arg("-o").arg(&web).args(access));
    run(postmortem().arg("scan").arg("-q").args(scan_args).arg("-o").arg(&rest).args(others));
    (web, rest)
}

#[test]
fn damaged_partials_are_refused_in_a_line_naming_them_and_the_others_are_still_drafted() {
    let dir = tempfile::tempdir().unwrap();
    let (web, rest) = two_partials(dir.path(), &[]);
    let whole = std::fs::read(&rest).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut.pmscan", whole[..whole.len() / 2].to_vec(), "cut or damaged"),
        (
            "flipped.pmscan",
            {
                let mut bytes = whole.clone();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x5a;
                bytes
            },
            "partial",
        ),
        (
            "text.pmscan",
            b"2024-01-21 15:00:00 INFO not a partial\n".to_vec(),
            "not a postmortem scan partial",
        ),
        ("empty.pmscan", Vec::new(), "not a postmortem scan partial"),
        (
            "future.pmscan",
            {
                let mut bytes = whole.clone();
                bytes[8] = 99;
                bytes
            },
            "format 99",
        ),
    ];
    for (name, bytes, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (out, err, code) = run(postmortem().args(["draft", "-q"]).arg(&web).arg(&path));
        let line = err
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}: nothing said:\n{err}"));
        assert!(line.contains("error") && line.contains(says), "{name}: {line}");
        assert_eq!(code, 2, "{name}: a file that could not be read is exit status 2");
        // What the other partial holds is still drafted.
        assert!(out.contains("## Timeline"), "{name}: no draft of the rest:\n{out}");
    }
}

#[test]
fn a_partial_of_other_settings_is_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (web, rest) = two_partials(dir.path(), &["--bucket", "5m"]);
    let (_, err, code) = run(postmortem().args(["draft", "-q"]).arg(&web).arg(&rest));
    assert_eq!(code, 2);
    assert!(err.contains("other settings (--bucket)"), "{err}");
    // With the same settings, it is read.
    let (out, err, code) = run(postmortem().args(["draft", "-q", "--bucket", "5m"]).arg(&web).arg(&rest));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("## Timeline"));
    // Every matched line is more than a partial keeps.
    let (_, err, code) = run(postmortem().args(["timeline", "--raw", "-q", "--bucket", "5m"]).arg(&web));
    assert_eq!(code, 2);
    assert!(err.contains("`timeline --raw` needs the logs themselves"), "{err}");
}

#[test]
fn a_file_in_two_partials_is_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let (web, rest) = two_partials(dir.path(), &[]);
    let again = dir.path().join("again.pmscan");
    std::fs::copy(&web, &again).unwrap();
    let (twice, err, _) = run(postmortem()
        .args(["draft", "-q", "--format", "json"])
        .arg(&web)
        .arg(&rest)
        .arg(&again));
    assert!(err.contains("read in two partials") && err.contains("counted once"), "{err}");
    let (once, _, _) = run(postmortem().args(["draft", "-q", "--format", "json"]).arg(&web).arg(&rest));
    // The same draft, but for the warning.
    let without_problems = |json: &str| {
        let mut draft: serde_json::Value = serde_json::from_str(json).unwrap();
        draft.as_object_mut().unwrap().remove("problems");
        draft
    };
    assert!(
        without_problems(&twice) == without_problems(&once),
        "the draft counted a file twice"
    );
}

#[test]
fn scan_refuses_the_flags_that_only_shape_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.pmscan");
    for flag in [&["--since", "-1h"][..], &["--display-tz", "UTC"], &["--no-skew"]] {
        let (_, err, code) = run(postmortem()
            .arg("scan")
            .args(flag)
            .arg("-o")
            .arg(&out)
            .arg("fixtures/scenarios/table-lock/logs"));
        assert_eq!(code, 2, "{flag:?}");
        assert!(err.contains(flag[0]) && err.contains("not for scan"), "{err}");
        assert!(!out.exists());
    }
}

/// A shard read in a zone that changes its offset within the file's span, where the
/// other files put it at a fixed offset: its times cannot be moved by one amount, and it
/// is left out with the flag that would read it right.
#[test]
fn a_shard_whose_times_cannot_be_moved_by_one_amount_is_left_out_saying_how_to_scan_it() {
    let dir = tempfile::tempdir().unwrap();
    // Naive times across the spring change of 2024 in New York (10 March, 02:00).
    let app = dir.path().join("app.log");
    let mut text = String::new();
    for hour in 0..48 {
        let (day, hh) = (9 + hour / 24, hour % 24);
        text.push_str(&format!("2024-03-{day:02} {hh:02}:00:00 ERROR payment gateway refused the card\n"));
    }
    std::fs::write(&app, text).unwrap();
    // An access log that carries a fixed -05:00 all along.
    let access = dir.path().join("access.log");
    let mut text = String::new();
    for minute in 0..(48 * 60) {
        let (day, hh, mm) = (9 + minute / 1440, (minute / 60) % 24, minute % 60);
        text.push_str(&format!(
            "10.0.0.1 - - [{day:02}/Mar/2024:{hh:02}:{mm:02}:00 -0500] \"GET / HTTP/1.1\" 200 512 \"-\" \"curl/8\"\n"
        ));
    }
    std::fs::write(&access, text).unwrap();
    let (app_partial, access_partial) = (dir.path().join("app.pmscan"), dir.path().join("access.pmscan"));
    run(postmortem()
        .args(["scan", "-q", "--tz", "America/New_York", "-o"])
        .arg(&app_partial)
        .arg(&app));
    run(postmortem().args(["scan", "-q", "-o"]).arg(&access_partial).arg(&access));
    let (_, err, code) = run(postmortem().args(["sources", "-q"]).arg(&app_partial).arg(&access_partial));
    assert_eq!(code, 2, "{err}");
    let line = err.lines().find(|l| l.contains("app.log")).unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("read in America/New_York") && line.contains("--tz -05:00") && line.contains("left out"),
        "{line}"
    );
}

/// The fuzz target's corpus for partials (the inputs that once broke the merge), and the
/// bodies of real partials, read and, where they pass the checks, merged and made a
/// timeline: nothing panics.
#[test]
fn the_partials_fuzz_corpus_is_read_or_refused_without_a_panic() {
    let rules = RuleSet::load(&[], true).unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/partial");
    let mut inputs: Vec<(Vec<u8>, bool)> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|entry| (std::fs::read(entry.unwrap().path()).unwrap(), false))
        .collect();
    for dir in scenarios().iter().take(2) {
        let written = postmortem::scan_partial(std::slice::from_ref(dir), &config(), &NoProgress)
            .encode()
            .unwrap();
        let body = zstd::decode_all(&written[12..]).unwrap();
        inputs.push((body, true));
    }
    for (bytes, real) in inputs {
        if let Err(why) = Partial::decode(&bytes) {
            assert!(!why.contains('\n'));
        }
        match Partial::from_body(&bytes) {
            Ok(partial) if partial.check(rules.rules().len()).is_ok() => {
                let result = postmortem::scan::partial::combine(partial.files, &postmortem::scan::ScanOptions::default());
                let _ = postmortem::timeline::build(result, &rules);
            }
            Ok(_) => assert!(!real, "a real partial is refused"),
            Err(why) => {
                assert!(!real, "a real partial is refused: {why}");
                assert!(!why.contains('\n'));
            }
        }
    }
}

#[test]
fn partials_scanned_into_one_draft_as_the_files_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let (web, rest) = two_partials(dir.path(), &[]);
    let both = dir.path().join("both.pmscan");
    let (_, err, code) = run(postmortem().args(["scan", "-q", "-o"]).arg(&both).arg(&web).arg(&rest));
    assert_eq!(code, 0, "{err}");
    let (nested, _, _) = run(postmortem().args(["draft", "-q", "--format", "json"]).arg(&both));
    let (apart, _, _) = run(postmortem().args(["draft", "-q", "--format", "json"]).arg(&web).arg(&rest));
    assert!(
        nested.contains("\"incident\"") && nested == apart,
        "a partial of partials drafts otherwise"
    );
}
