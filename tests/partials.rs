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
