//! The render stage: a report written for people (the Markdown draft, aligned text
//! coloured on a terminal, the chart) or for machines (the JSON draft, JSON lines,
//! Timesketch). Renderers read a [`crate::report`] type and a [`View`], and nothing else:
//! they never read logs or re-derive anything.

mod chart;
mod markdown;
mod mermaid;
mod prose;
mod records;
mod sources;
mod text;

pub use chart::chart_svg;
pub use markdown::{code, escape, write_draft};
pub use records::{write_records, RecordStyle};
pub use sources::{write_sources_json, write_sources_text, SourceRows};
pub use text::write_timeline_text;

use crate::report::RateUnit;
use crate::report::{Report, Source};
pub use crate::text::thousands;
use crate::time::Zone;

/// How a report is shown: in which zone, whether coloured, and what it links to.
#[derive(Clone, Debug)]
pub struct View {
    /// The zone times are shown in.
    pub zone: Zone,
    /// Colour for a terminal.
    pub colour: bool,
    /// A link to the chart drawn beside a draft, relative to it.
    pub chart_link: Option<String>,
    /// Columns of the terminal the text timeline must fit, when there is one.
    pub width: Option<usize>,
    /// Whether the draft carries its Mermaid chart of key moments: where it is read
    /// rendered (a file, a page), not on a terminal, where it is noise.
    pub mermaid: bool,
}

impl View {
    /// The report's own display zone, no colour, no links.
    pub fn plain(zone: Zone) -> View {
        View {
            zone,
            colour: false,
            chart_link: None,
            width: None,
            mermaid: true,
        }
    }
}

/// The draft as JSON (`draft --format json`): the report serialised, keys in order,
/// pretty-printed.
pub fn draft_json(report: &Report) -> String {
    // Through a `Value`, whose maps keep their keys sorted: the same report, the same bytes.
    let value = serde_json::to_value(report).unwrap_or_default();
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// The folder every source lies in (with its trailing `/`), when there is one: the
/// draft and the terminal cite `nginx/access.log:1441` rather than the whole path each time.
pub(crate) fn common_folder(sources: &[Source]) -> Option<String> {
    let folders: Vec<&str> = sources
        .iter()
        .filter(|s| s.file != "-")
        .map(|s| s.file.rfind('/').map_or("", |i| &s.file[..=i]))
        .collect();
    let first = *folders.first()?;
    let mut shared = first.len();
    for folder in &folders[1..] {
        shared = shared.min(first.bytes().zip(folder.bytes()).take_while(|(a, b)| a == b).count());
    }
    // Back to a whole folder name: cut after a `/`, never inside a character that two
    // names begin alike (`é/` and `è/` share their first byte).
    let end = first.as_bytes()[..shared].iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    (end > 0).then(|| first[..end].to_string())
}

/// A file's name, past the common folder, longer than this is cited by a short name: a
/// citation of 60 characters (`[…:12345]`, brackets and line) still leaves a line of
/// prose room for its words, and a layout's piece (`…_app.NAME.ID_20190702T1345Z_IP_RANDOM.log.gz`,
/// about 110 characters) does not.
const LONG_NAME: usize = 48;

/// The end of a name kept where nothing else tells it from its stream's other pieces.
const KEPT_TAIL: usize = 24;

/// How citations name files: relative to the folder every input shares, and a name
/// longer than [`LONG_NAME`] by its first folder and the part of its name that tells it
/// from its stream's other pieces (`alb …20190702T1345Z_35.176.12.9_c2695db3`), unique
/// within the report; the Sources section gives each short name's whole path once. It
/// keeps the files it has named by a short name, for that.
pub(crate) struct CitedNames {
    /// The folder every source lies in (with its trailing `/`), if any.
    pub base: Option<String>,
    /// Short names, by the file's whole name.
    short: std::collections::HashMap<String, String>,
    /// The files named by a short name so far.
    given: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl CitedNames {
    pub fn of<'s>(sources: &'s [Source]) -> CitedNames {
        let base = common_folder(sources);
        let relative = |file: &'s str| -> &'s str { base.as_deref().and_then(|b| file.strip_prefix(b)).unwrap_or(file) };
        let basename = |file: &'s str| -> &'s str { relative(file).rsplit('/').next().unwrap_or_default() };
        // Each stream's pieces' names, sorted: what the first and the last share, all share.
        let mut pieces: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
        for source in sources {
            pieces.entry(source.group.as_str()).or_default().push(basename(&source.file));
        }
        for names in pieces.values_mut() {
            names.sort_unstable();
            names.dedup();
        }
        let mut short = std::collections::HashMap::new();
        for source in sources.iter().filter(|s| relative(&s.file).chars().count() > LONG_NAME) {
            let rel = relative(&source.file);
            let name = basename(&source.file);
            let siblings = &pieces[source.group.as_str()];
            // What the pieces' names share, back to a separator: `…_app.NAME.ID_`.
            let shared = match (siblings.first(), siblings.last()) {
                (Some(first), Some(last)) if siblings.len() > 1 => first.bytes().zip(last.bytes()).take_while(|(a, b)| a == b).count(),
                _ => 0,
            };
            let start = name.as_bytes()[..shared]
                .iter()
                .rposition(|b| b"_-.".contains(b))
                .map_or(0, |i| i + 1);
            let mut tail = &name[start..];
            for ending in [".gz", ".bz2", ".xz", ".zst", ".log", ".json"] {
                tail = tail.strip_suffix(ending).unwrap_or(tail);
            }
            if start == 0 || tail.is_empty() {
                // Nothing shared: the name's end, from the first separator within it, else
                // from where it starts.
                let cut = tail.len().saturating_sub(KEPT_TAIL);
                let after_separator =
                    (cut.max(1)..tail.len()).find(|&i| tail.is_char_boundary(i) && b"_-.".contains(&tail.as_bytes()[i - 1]));
                let from = after_separator.or_else(|| (cut..=tail.len()).find(|&i| tail.is_char_boundary(i)));
                tail = &tail[from.unwrap_or(0)..];
            }
            // The first folder that says something: not a date's (`2019`, `07`, `y=2025`).
            let folders = rel.rsplit_once('/').map_or("", |(folders, _)| folders);
            let head = folders
                .split('/')
                .find(|f| f.split('=').next_back().is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit())))
                .unwrap_or("");
            let cited = if head.is_empty() {
                format!("…{tail}")
            } else {
                format!("{head} …{tail}")
            };
            short.insert(source.file.clone(), cited);
        }
        // A short name two files would share is no name: those keep their whole ones.
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for cited in short.values() {
            *counts.entry(cited.as_str()).or_default() += 1;
        }
        let taken: std::collections::HashSet<&str> = sources
            .iter()
            .filter(|s| !short.contains_key(&s.file))
            .map(|s| relative(&s.file))
            .collect();
        let shared: Vec<String> = short
            .iter()
            .filter(|(_, cited)| counts[cited.as_str()] > 1 || taken.contains(cited.as_str()))
            .map(|(file, _)| file.clone())
            .collect();
        for file in shared {
            short.remove(&file);
        }
        CitedNames {
            base,
            short,
            given: Default::default(),
        }
    }

    /// How a citation names `file`.
    pub fn name<'a>(&'a self, file: &'a str) -> &'a str {
        if let Some(short) = self.short.get(file) {
            self.given.borrow_mut().insert(file.to_string());
            return short;
        }
        self.base.as_deref().and_then(|b| file.strip_prefix(b)).unwrap_or(file)
    }

    /// The files named by a short name so far, in order, each with that name: what a
    /// reader needs to find them.
    pub fn given(&self) -> Vec<(String, String)> {
        self.given
            .borrow()
            .iter()
            .map(|file| (self.short[file].clone(), file.clone()))
            .collect()
    }
}

/// A cut falls back to the last space when that loses at most this share of the room;
/// a longer word is cut where the room ends.
const WORD_CUT_SHARE: f64 = 0.3;

/// Columns a text takes: one a character (log text reaches us cleaned of controls).
pub(crate) fn columns(text: &str) -> usize {
    text.chars().count()
}

/// `text` in at most `room` columns: whole when it fits, else cut at a word with `…`.
pub(crate) fn cut_to(text: &str, room: usize) -> String {
    if columns(text) <= room {
        return text.to_string();
    }
    if room == 0 {
        return String::new();
    }
    let kept: String = text.chars().take(room - 1).collect();
    if text.chars().nth(room - 1).is_some_and(char::is_whitespace) {
        return format!("{}…", kept.trim_end());
    }
    let at_word = kept
        .rfind(' ')
        .filter(|&i| columns(&kept[i..]) as f64 <= room as f64 * WORD_CUT_SHARE)
        .map_or(kept.as_str(), |i| kept[..i].trim_end());
    format!("{at_word}…")
}

/// Parts as plain text: log text in backquotes, times as `HH:MM:SS` in `zone`.
pub fn plain_text(parts: &[crate::report::Part], zone: Zone) -> String {
    use crate::report::Part;
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.clone(),
            Part::Quote(q) => format!("`{q}`"),
            Part::Time(t) => crate::time::display_clock(*t, zone),
            Part::Duration(d) => crate::time::human_duration(*d),
        })
        .collect()
}

/// How a share is rounded to be shown: down for a lower bound, up for an upper one, to
/// the nearest for an estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounded {
    Down,
    Up,
    Nearest,
}

/// A share as a percentage, rounded as a claim about it needs: whole percents, and one
/// decimal below one percent (where `0 %` would say none).
pub fn share_percent(share: f64, rounded: Rounded) -> String {
    let (scale, decimals) = if share > 0.0 && share < 0.01 { (1000.0, 1) } else { (100.0, 0) };
    let scaled = share * scale;
    let scaled = match rounded {
        Rounded::Down => scaled.floor(),
        Rounded::Up => scaled.ceil(),
        Rounded::Nearest => scaled.round(),
    };
    format!("{:.*} %", decimals, scaled * 100.0 / scale)
}

/// `text` with its first letter a capital: the start of a sentence. A first word that
/// is a name as written (a file `app.log`, a path, an identifier, `php-fpm`) is left
/// as it is.
pub fn capitalised(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or("");
    if first_word.contains(['.', '/', '_', ':', '-']) {
        return text.to_string();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A serialiser's error as the write error it was, so a closed pipe stays a closed pipe.
fn json_write_error(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::from(kind),
        None => std::io::Error::other(e),
    }
}

/// Whether to colour: only on a terminal, never when NO_COLOR is set or TERM is `dumb`.
pub fn use_colour(is_terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    is_terminal && set("NO_COLOR").is_none() && set("TERM").is_none_or(|term| term != "dumb")
}

/// A rate value for people: `12.5 %`, `1,250 ms`, `1,234`.
pub fn rate_value(unit: RateUnit, value: f64) -> String {
    match unit {
        RateUnit::Ratio => format!("{:.1} %", value * 100.0),
        RateUnit::Milliseconds => format!("{} ms", thousands(crate::num::rounded(value))),
        RateUnit::Count => thousands(crate::num::rounded(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_falls_at_a_word_unless_the_word_is_long() {
        assert_eq!(cut_to("cron job started", 40), "cron job started");
        assert_eq!(cut_to("cron job started (command /usr/bin/x)", 20), "cron job started…");
        // A cut that falls just before a space keeps the whole word.
        assert_eq!(cut_to("cron job started", 9), "cron job…");
        // One long word: cut where the room ends, never wider than the room.
        let cut = cut_to("/usr/local/bin/optimize-tables-with-a-long-name", 12);
        assert_eq!(cut, "/usr/local/…");
        assert_eq!(columns(&cut), 12);
        // A space far back would lose most of the room: the word is cut instead.
        assert_eq!(cut_to("a /usr/local/bin/optimize-tables", 20), "a /usr/local/bin/op…");
        assert_eq!(cut_to("é".repeat(30).as_str(), 5), "éééé…");
        assert_eq!(cut_to("anything", 0), "");
    }

    #[test]
    fn a_sentence_starts_with_a_capital_but_a_file_name_stays_as_written() {
        assert_eq!(capitalised("requests failed"), "Requests failed");
        assert_eq!(capitalised("étagère"), "Étagère");
        assert_eq!(capitalised("mysql-general.log said `x`"), "mysql-general.log said `x`");
        assert_eq!(capitalised("db_main stalled"), "db_main stalled");
        assert_eq!(capitalised("php-fpm pool www ran out"), "php-fpm pool www ran out");
        assert_eq!(capitalised(""), "");
    }

    #[test]
    fn rate_values_read_as_people_write_them() {
        assert_eq!(rate_value(RateUnit::Ratio, 0.125), "12.5 %");
        assert_eq!(rate_value(RateUnit::Milliseconds, 1250.4), "1,250 ms");
        assert_eq!(rate_value(RateUnit::Count, 1234.0), "1,234");
    }
}
