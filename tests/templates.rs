//! Templates of real logs, as a person would group their lines. For every file of
//! `../shared/real-logs` (skipped, said plainly, where it is not there), the scan's
//! templates are counted per source and printed (`--nocapture`), and no two templates of a
//! file may differ only by a route or a quoted value: one message with other values is one
//! template, or a probe storm fills the timeline with one-line "episodes".

use postmortem::rules::RuleSet;
use postmortem::scan::{NoProgress, ScanOptions};
use postmortem::time::Zone;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn real_logs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-logs")
}

fn files_of(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_of(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Whether a token of a template is a value that varies from line to line of one message:
/// a route a client asked for, or quoted text.
fn is_value(token: &str) -> bool {
    let token = token.trim_end_matches([',', ';', ':', ')']);
    let quoted =
        token.len() >= 2 && ((token.starts_with('"') && token.ends_with('"')) || (token.starts_with('\'') && token.ends_with('\'')));
    quoted || postmortem::scan::templates::is_route(token.as_bytes())
}

/// The templates of `texts` that differ from another only by one value (see
/// [`is_value`]): the pairs' shared shape, with how many templates have it.
fn split_by_a_value<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut shapes: HashMap<String, usize> = HashMap::new();
    for text in texts {
        let tokens: Vec<&str> = text.split(' ').collect();
        for (i, token) in tokens.iter().enumerate() {
            if is_value(token) && *token != "<*>" && !token.contains("<*>") {
                let mut shape = tokens.clone();
                shape[i] = "<value>";
                *shapes.entry(shape.join(" ")).or_default() += 1;
            }
        }
    }
    let mut split: Vec<(String, usize)> = shapes.into_iter().filter(|(_, n)| *n >= 2).collect();
    split.sort();
    split
}

#[test]
fn one_message_with_other_values_is_one_template_in_every_real_log() {
    let root = real_logs();
    if !root.is_dir() {
        eprintln!("skipped: ../shared/real-logs is not there");
        return;
    }
    let mut files = Vec::new();
    files_of(&root, &mut files);
    let rules = RuleSet::load(&[], true).unwrap();
    let options = ScanOptions {
        zone: Zone::UTC,
        ..ScanOptions::default()
    };
    let (mut sources, mut templates, mut lines) = (0, 0, 0);
    let mut split = Vec::new();
    let mut table = String::from("| file | lines | templates |\n|---|---|---|\n");
    for path in &files {
        let result = postmortem::scan_paths(std::slice::from_ref(path), &rules, &options, &NoProgress);
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        for found in result.templates.values() {
            sources += 1;
            templates += found.by_key.len();
            lines += found.lines;
            table.push_str(&format!("| {name} | {} | {} |\n", found.lines, found.by_key.len()));
            for (shape, n) in split_by_a_value(found.by_key.values().map(|t| &*t.text)) {
                split.push(format!("{name}: {n} templates of `{shape}`"));
            }
        }
    }
    println!("{table}\n{templates} templates for {lines} lines in {sources} sources");
    assert!(sources >= 300, "only {sources} sources had templates");
    assert!(split.is_empty(), "templates that differ only by a value:\n{}", split.join("\n"));
}

#[test]
fn a_value_is_a_route_or_quoted_text_and_a_split_is_found() {
    assert!(is_value("/wp-login.php") && is_value("\"GET\"") && is_value("'orders',"));
    assert!(!is_value("/var/log/nginx/error.log") && !is_value("word") && !is_value("<*>"));
    let found = split_by_a_value(["no route for /a today", "no route for /b today", "other line"].into_iter());
    assert_eq!(found, vec![("no route for <value> today".to_string(), 2)]);
}

/// Every quote of an episode's phrase, with the file it cites.
fn quotes(report: &postmortem::report::Report) -> Vec<(String, String)> {
    let episodes = report
        .timeline
        .iter()
        .chain(report.root_cause.iter().flat_map(|r| r.chain.iter().map(|l| &l.episode)))
        .chain(report.resolution.iter().map(|r| &r.episode))
        .chain(report.notable.iter());
    let mut found = Vec::new();
    for e in episodes {
        let Some(first) = &e.first else { continue };
        for part in &e.phrase {
            if let postmortem::analyze::Part::Quote(q) = part {
                found.push((first.file.clone(), q.clone()));
            }
        }
    }
    found
}

/// Whether `said` is text of one line of `content`: whole, or as a structured record's
/// message and its error field, joined by `: ` (see `text::DETAIL_JOIN`).
fn in_a_line(content: &str, said: &str) -> bool {
    content.contains(said)
        || said.match_indices(": ").any(|(at, join)| {
            let (message, detail) = (&said[..at], &said[at + join.len()..]);
            content.lines().any(|line| line.contains(message) && line.contains(detail))
        })
}

/// For an export read as its records (see `src/source/export/`), whether `said` quotes a
/// record's message as the file holds it: a JSON string value or a journal field's value,
/// whole (after the host, program, object and reason the record's line puts before it),
/// or its beginning where the quote was cut.
fn quotes_a_record_of(content: &str, said: &str) -> bool {
    use postmortem::source::Export;
    let export = content.starts_with("LPKSHHRH") || Export::of_head(&content.as_bytes()[..content.len().min(64 << 10)]).is_some();
    if !export {
        return false;
    }
    let strings = regex::Regex::new(r#""((?:[^"\\]|\\.)*)"|^[A-Z_]+=(.*)$|[A-Z_]+=([^\x00-\x1f]{12,})"#).unwrap();
    content.lines().any(|line| {
        strings.captures_iter(line).any(|c| {
            let value = match (c.get(1), c.get(2).or(c.get(3))) {
                (Some(json), _) => serde_json::from_str::<String>(&format!("\"{}\"", json.as_str())).unwrap_or_default(),
                (None, Some(field)) => field.as_str().to_string(),
                _ => String::new(),
            };
            let value = value.trim_end();
            // The whole message in the quote, or a quote cut short (`…`) whose last part
            // begins the message.
            let whole = value.len() >= 4 && said.contains(value);
            let cut = said
                .rsplit(": ")
                .next()
                .is_some_and(|tail| tail.len() >= 12 && value.starts_with(tail));
            whole || cut
        })
    })
}

/// Drafts `dir` and checks what a reader sees: no `<*>` in the draft or the text
/// timeline, and each quote found in the file it cites (cut quotes by what precedes `…`).
fn read_as_quoted(dir: &Path) -> usize {
    let mut config = postmortem::Config::new(RuleSet::load(&[], true).unwrap());
    config.zone = Some("UTC".parse().unwrap());
    let report = postmortem::draft(&[dir.to_path_buf()], &config, &NoProgress).unwrap();
    let view = postmortem::render::View::plain(report.display_zone);
    let markdown = postmortem::render::write_draft(&report, &view);
    assert!(!markdown.contains("<*>"), "{}: a template in the draft", dir.display());
    let timeline = postmortem::timeline(&[dir.to_path_buf()], &config, &NoProgress).unwrap();
    let mut text = Vec::new();
    postmortem::render::write_timeline_text(&mut text, &timeline, &view).unwrap();
    assert!(
        !String::from_utf8_lossy(&text).contains("<*>"),
        "{}: a template in the timeline",
        dir.display()
    );
    let mut checked = 0;
    let mut files: HashMap<String, String> = HashMap::new();
    for (file, quote) in quotes(&report) {
        let content = files
            .entry(file.clone())
            .or_insert_with(|| String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default()).into_owned());
        let said = quote.trim_end_matches('…');
        assert!(
            in_a_line(content, said) || quotes_a_record_of(content, said),
            "{file}: `{said}` is not in the file"
        );
        checked += 1;
    }
    checked
}

#[test]
fn every_quote_is_a_line_of_the_cited_file_and_no_template_shows() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path().join("logs"))
        .collect();
    let root = real_logs();
    if root.is_dir() {
        dirs.extend(std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()));
    } else {
        eprintln!("skipped the real logs: ../shared/real-logs is not there");
    }
    dirs.sort();
    let checked: usize = dirs.iter().map(|d| read_as_quoted(d)).sum();
    println!("{checked} quotes found in the files they cite, in {} folders", dirs.len());
    assert!(checked > 20, "only {checked} quotes");
}

/// A scanner probes a shop for a few minutes: its router warns once for each path it does
/// not know, in words of its own. The reading: one episode of one message, quoting the
/// first probe and saying how many other paths stood in its place, not seven episodes.
#[test]
fn a_probe_storm_is_one_episode_that_names_what_varied() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for minute in 0..600 {
        let (h, m) = (9 + minute / 60, minute % 60);
        log.push_str(&format!("2025-03-04 {h:02}:{m:02}:00,100 INFO storefront.web: served page\n"));
        if (300..303).contains(&minute) {
            for probe in [
                "wp-login.php",
                "xmlrpc.php",
                "admin.php",
                "phpinfo.php",
                "config.bak",
                "backup.sql",
                "shell.php",
            ] {
                log.push_str(&format!(
                    "2025-03-04 {h:02}:{m:02}:05,200 WARNING storefront.router: no handler for action {probe}, answered 404\n"
                ));
            }
        }
    }
    std::fs::write(dir.path().join("storefront.log"), log).unwrap();
    let mut config = postmortem::Config::new(RuleSet::load(&[], true).unwrap());
    config.zone = Some("UTC".parse().unwrap());
    let report = postmortem::timeline(&[dir.path().to_path_buf()], &config, &NoProgress).unwrap();
    let probes: Vec<String> = report
        .episodes
        .iter()
        .map(|e| postmortem::render::plain_text(&e.phrase, postmortem::time::Zone::UTC))
        .filter(|p| p.contains("no handler for action"))
        .collect();
    assert_eq!(probes.len(), 1, "{probes:#?}");
    assert!(
        probes[0].contains("`storefront.router: no handler for action wp-login.php, answered 404` (and 6 other values in place of `wp-login.php`, such as `admin.php`"),
        "{}",
        probes[0]
    );
}
