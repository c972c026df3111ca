//! Changes no rule names. In a log where normal operation repeats the same few messages
//! thousands of times, a line whose message is seen a handful of times, and not from the
//! start of the logs, marks a moment when something changed: a release, a flag switched,
//! a setting reloaded, in whatever words the software used. Each such line is a change
//! candidate (an episode of category `change`, quoting the line), ranked here by what it
//! is; the analysis ranks it again by how close it stands before an outage.
//!
//! Judged by time, never by position in a file: "not from the start" means later than the
//! first lines of all the logs, and each occurrence of a rare message (each version, each
//! command) is a candidate of its own.

use super::{Episode, Evidence, Subject};
use crate::format::Level;
use crate::scan::hits::{FirstLine, Signal};
use crate::scan::templates::{Template, Templates};
use crate::scan::{FileReport, ScanResult};
use crate::time::Micros;
use std::collections::BTreeMap;

/// A source needs this many records before a message can be rare in it.
pub const MIN_SOURCE_LINES: u64 = 100;
/// Messages seen this often are what repeats …
pub const COMMON: u64 = 10;
/// … and they must make at least this share of the source's records: a log of mostly
/// unique lines says nothing by one more.
pub const REPEATED_SHARE: f64 = 0.5;
/// A message seen at most this many times is rare (the templates of rare messages are not
/// joined with others for this reason, see `scan::templates::RARE_LINES`).
pub const RARE_MAX: u64 = crate::scan::templates::RARE_LINES;
/// Not from the start: its first line at least this far after the logs' first …
pub const AFTER_START: Micros = 10 * 60 * 1_000_000;
/// … or this share of their span, if more.
pub const AFTER_START_SHARE: f64 = 0.02;
/// Rare messages whose first words and last words are the same, this many or more, are
/// one noisy family (a crawler probing one path after another): each weighs less.
pub const NOISY_FAMILY: usize = 3;
pub const NOISE_SHARE: f64 = 0.3;
/// A warning is less often a change than a plain note of one.
pub const WARNING_SHARE: f64 = 0.6;
/// Without a word of change, a line keeps this share: the words raise a rank, and none is
/// required.
pub const WORDLESS_SHARE: f64 = 0.6;
/// Occurrences this evenly spaced (the gaps within this share of each other) are a
/// schedule, not a change.
pub const EVEN_SPACING: f64 = 0.1;
/// Candidates kept per source, the strongest first.
pub const PER_SOURCE: usize = 64;

/// Words that say something changed (stems: `migrat` matches `migrating`, `migration`).
const WORDS_OF_CHANGE: [&str; 17] = [
    "update", "upgrade", "deploy", "release", "version", "rollout", "migrat", "install", "config", "setting", "reload", "restart", "start",
    "stop", "kill", "rollback", "scale",
];

fn has_word_of_change(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    WORDS_OF_CHANGE.iter().any(|word| lower.contains(word))
}

/// What servers write when a client connects, logs in or leaves: a session booked, not a
/// change (`maint@localhost on shop using Socket` is a client connecting). From each
/// server's own texts: MySQL's general log commands, PostgreSQL's `log_connections` and
/// `log_disconnections`, sshd, PAM and systemd-logind.
const SESSION_RECORDS: [&str; 12] = [
    "connection received: ",
    "connection authorized: ",
    "disconnection: session time: ",
    "session opened for user ",
    "session closed for user ",
    "accepted publickey for ",
    "accepted password for ",
    "received disconnect from ",
    "disconnected from user ",
    "new session ",
    "removed session ",
    " logged out. waiting for processes to exit",
];

/// The commands of MySQL's general log that book a session: `<id> Connect\t…`,
/// `<id> Quit`, `<id> Change user\t…`, `<id> Init DB\t…` (the line's tabs shown as blanks).
const MYSQL_SESSION_COMMANDS: [&str; 4] = ["Connect", "Quit", "Change user", "Init DB"];

/// Whether a line only books a session (see [`SESSION_RECORDS`]).
pub fn records_a_session(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    if SESSION_RECORDS.iter().any(|r| lower.contains(r)) {
        return true;
    }
    // `… 88 Connect maint@…`: the thread id, then every word of the command.
    let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
    words.iter().enumerate().any(|(at, id)| {
        id.bytes().all(|b| b.is_ascii_digit())
            && MYSQL_SESSION_COMMANDS.iter().any(|command| {
                let command: Vec<&str> = command.split(' ').collect();
                words.get(at + 1..at + 1 + command.len()) == Some(&command[..])
            })
    })
}

/// A rare template's family: its first three and last two words.
fn family(template: &Template) -> (String, String) {
    let words: Vec<&str> = template.text.split_whitespace().collect();
    let head = words.iter().take(3).copied().collect::<Vec<_>>().join(" ");
    let tail = words.iter().rev().take(2).copied().collect::<Vec<_>>().join(" ");
    (head, tail)
}

/// Whether the occurrences of a template come on a schedule.
fn scheduled(template: &Template) -> bool {
    let times: Vec<Micros> = template.earliest.iter().map(|o| o.mark.time).collect();
    if times.len() < 3 {
        return false;
    }
    let gaps: Vec<Micros> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let (lo, hi) = (gaps.iter().min().copied().unwrap_or(0), gaps.iter().max().copied().unwrap_or(0));
    lo > 0 && (hi - lo) as f64 <= EVEN_SPACING * hi as f64
}

/// How much a rare template looks like a change, 0 to 1; `None` when it cannot be one.
pub fn strength(template: &Template, noisy: bool) -> Option<f64> {
    if template.named
        || template.count > RARE_MAX
        || template.level >= Some(Level::Error)
        || scheduled(template)
        || template
            .earliest
            .iter()
            .any(|o| crate::format::traceback::in_a_traceback(&o.message) || records_a_session(&o.line))
    {
        return None;
    }
    let rarity = 1.0 / (template.count as f64).sqrt();
    let level = if template.level == Some(Level::Warning) {
        WARNING_SHARE
    } else {
        1.0
    };
    let words = if template.earliest.iter().any(|o| has_word_of_change(&o.line)) || has_word_of_change(&template.text) {
        1.0
    } else {
        WORDLESS_SHARE
    };
    let noise = if noisy { NOISE_SHARE } else { 1.0 };
    Some(rarity * level * words * noise)
}

/// The change candidates of one source group, strongest first.
fn of_source(group: &str, templates: &Templates, files: &[FileReport], logs_start: Micros, after: Micros) -> Vec<Episode> {
    if templates.lines < MIN_SOURCE_LINES {
        return Vec::new();
    }
    let repeated: u64 = templates.by_key.values().filter(|t| t.count >= COMMON).map(|t| t.count).sum();
    if (repeated as f64) < REPEATED_SHARE * templates.lines as f64 {
        return Vec::new();
    }
    let rare: Vec<(&u64, &Template)> = templates.by_key.iter().filter(|(_, t)| t.count <= RARE_MAX).collect();
    let mut families: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (_, t) in &rare {
        *families.entry(family(t)).or_default() += 1;
    }
    let mut candidates: Vec<(f64, Episode)> = Vec::new();
    for (&key, template) in rare {
        if template.first.time < logs_start + after {
            continue;
        }
        let noisy = families.get(&family(template)).is_some_and(|n| *n >= NOISY_FAMILY);
        let Some(strength) = strength(template, noisy) else { continue };
        for occurrence in &template.earliest {
            let kind = files
                .get(occurrence.mark.file as usize)
                .map_or(crate::format::SourceKind::App, |f| f.kind);
            candidates.push((
                strength,
                Episode {
                    signal: Signal::Template(key),
                    category: crate::rules::Category::Change,
                    group: group.to_string(),
                    kind,
                    start: occurrence.mark.time,
                    end: occurrence.mark.time,
                    count: 1,
                    first: Some(Evidence::from(occurrence.mark)),
                    last: Some(Evidence::from(occurrence.mark)),
                    subject: Some(Subject {
                        field: "line".into(),
                        value: occurrence.line.to_string(),
                    }),
                    rate: None,
                    background: false,
                    strength: Some(strength),
                    first_line: Some(std::sync::Arc::new(FirstLine {
                        line: occurrence.line.clone(),
                        message: occurrence.message.clone(),
                        fields: Vec::new(),
                        entry: None,
                    })),
                },
            ));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.start.cmp(&b.1.start)).then(a.1.first.cmp(&b.1.first)));
    candidates.into_iter().take(PER_SOURCE).map(|(_, e)| e).collect()
}

/// Every source group's change candidates.
pub(super) fn episodes(result: &ScanResult) -> Vec<Episode> {
    let Some(logs_start) = result.files.iter().filter_map(|f| f.first).min() else {
        return Vec::new();
    };
    let logs_end = result.files.iter().filter_map(|f| f.last).max().unwrap_or(logs_start);
    let after = AFTER_START.max(crate::num::whole_i64(AFTER_START_SHARE * (logs_end - logs_start) as f64));
    result
        .templates
        .iter()
        .flat_map(|(group, templates)| of_source(group, templates, &result.files, logs_start, after))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::hits::Mark;
    use crate::scan::templates::Occurrence;

    fn template(text: &str, times: &[i64], level: Option<Level>) -> Template {
        let mark = |t: i64| Mark {
            time: t * 60_000_000,
            file: 0,
            offset: crate::num::unsigned(t),
            line: crate::num::unsigned(t),
        };
        Template {
            text: text.into(),
            level,
            count: times.len() as u64,
            first: mark(times[0]),
            last: mark(*times.last().unwrap()),
            earliest: times
                .iter()
                .map(|&t| Occurrence {
                    mark: mark(t),
                    line: text.into(),
                    message: text.into(),
                })
                .collect(),
            named: false,
            joined: None,
        }
    }

    #[test]
    fn a_unique_plain_line_is_a_strong_candidate_and_words_of_change_raise_it() {
        let plain = strength(&template("shipped checkout build <*> onto the fleet", &[300], None), false).unwrap();
        let worded = strength(&template("configuration reloaded from <*>", &[300], None), false).unwrap();
        assert!(worded > plain && plain >= WORDLESS_SHARE);
        // Seen three times, it counts less.
        let thrice = strength(&template("configuration reloaded from <*>", &[100, 170, 300], None), false).unwrap();
        assert!(thrice < worded);
    }

    #[test]
    fn a_line_that_books_a_session_is_no_change() {
        for line in [
            "2024-01-21T20:28:02.000000Z    88 Connect maint@localhost on shop using Socket",
            "2024-01-21T20:31:40.000000Z    88 Quit",
            "2024-01-21 10:00:01.123 UTC [4242] LOG:  connection authorized: user=app database=shop application_name=psql",
            "2024-01-21 10:09:01.123 UTC [4242] LOG:  disconnection: session time: 0:09:00.001 user=app database=shop host=[local]",
            "Mar  4 14:15:02 web1 sudo: pam_unix(sudo:session): session opened for user root(uid=0) by ines(uid=1000)",
            "Mar  4 14:15:00 web1 sshd[811]: Accepted publickey for ines from 10.0.0.5 port 50122 ssh2: ED25519 SHA256:abc",
            "Mar  4 14:15:00 web1 systemd-logind[612]: New session 41 of user ines.",
        ] {
            assert!(records_a_session(line), "{line}");
            assert_eq!(strength(&template(line, &[300], None), false), None, "{line}");
        }
        // What a session did is another matter.
        for line in [
            "2024-01-21T20:28:02.000000Z    88 Query OPTIMIZE TABLE orders",
            "sent 3 Change notices to the team",
            "Mar  4 14:15:02 web1 sudo:   ines : TTY=pts/1 ; PWD=/home/ines ; USER=root ; COMMAND=/usr/sbin/sysctl -w a=1",
            "connection pool resized to 64",
            "deployed 4.2 to 12 hosts",
        ] {
            assert!(!records_a_session(line), "{line}");
        }
    }

    #[test]
    fn decoys_are_weak_or_no_candidates() {
        // An hourly job: evenly spaced.
        assert_eq!(strength(&template("export finished", &[60, 120, 180], None), false), None);
        // An error is how it failed, not what changed.
        assert_eq!(strength(&template("disk unreadable", &[300], Some(Level::Error)), false), None);
        // A crawler's probes: one noisy family.
        let probe = strength(
            &template("unknown endpoint /<*> requested by <*>", &[300], Some(Level::Warning)),
            true,
        )
        .unwrap();
        let change = strength(&template("shipped checkout build <*> onto the fleet", &[300], None), false).unwrap();
        assert!(probe < 0.5 * change, "{probe} against {change}");
        // What a rule names is the rule's.
        let mut named = template("deploying shop <*>", &[300], None);
        named.named = true;
        assert_eq!(strength(&named, false), None);
    }
}
