//! Exports: logs that a collector or a log platform stored as records rather than as the
//! lines a program printed.
//!
//! - journald: the export stream of `journalctl -o export` (systemd's "Journal Export
//!   Format": `KEY=value` fields, a blank line after each entry, binary fields given as the
//!   name, a 64-bit little-endian length and the raw bytes) and the binary journal files
//!   themselves (`/var/log/journal/<machine-id>/*.journal`, systemd's "Journal File
//!   Format"); see [`journal`].
//! - JSON documents of records: a Kubernetes `EventList` (`kubectl get events -o json`)
//!   and watch events, OpenTelemetry's OTLP/JSON (`resourceLogs`), CloudWatch Logs'
//!   `filter-log-events` (`events`), Cloud Logging's `gcloud logging read --format=json`
//!   (an array of `LogEntry`), Fluent Bit's `[time, record]` output, and journald's
//!   `-o json-pretty`; see [`document`].
//! - CSV exports of log platforms, known by their header; see [`csv`].
//!
//! Each record is turned, as the file streams, into one syslog line that carries what the
//! record says: `<PRI>2024-09-17T15:09:15.776730Z host program[pid]: message`, its
//! severity in `<PRI>` (left out where the record has none, so a level word in the message
//! counts), its time in UTC, and its identity (the host, the unit or service). The scan then
//! reads these lines as the syslog family does any: a timeline entry a record, its level,
//! its program, its message's template. (A CSV export's times that name no zone are
//! written without one, a level word in front, and read in the run's zone by the family
//! they sniff as.) Where nearly all of an export's messages are access lines or JSON
//! lines, they are read as printed instead ([`Style`]).
//!
//! Citations must still lead to the record: a text export gives one line for each line of
//! the file, the record's own at the line where its message (or its object) starts and
//! empty lines for the rest. A binary journal has no lines: its lines are its entries, in
//! the order they were written (the first entry is line 1).

mod csv;
mod document;
mod journal;

use super::records::{Member, RecordLines, Records, MAX_MEMBERS};
use std::fmt::Write as _;
use std::io::{self, BufRead, Read};

/// A kind of export, known by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Export {
    /// `journalctl -o export`.
    JournalExport,
    /// A binary journal file; `mapped` when it may be memory-mapped.
    JournalFile { mapped: bool },
    /// JSON documents of records (pretty-printed or not, one or several).
    JsonDocument,
    /// A log platform's CSV export, known by its header.
    Csv,
}

impl Export {
    /// The name the sources report gives its reading.
    pub fn name(self) -> &'static str {
        match self {
            Export::JournalExport => "journal export",
            Export::JournalFile { .. } => "journal file",
            Export::JsonDocument => "json records",
            Export::Csv => "csv export",
        }
    }

    /// The text export a decoded head is, if any. (A binary journal is known by its
    /// magic number, before anything is decoded: [`is_journal_file`].)
    pub fn of_head(head: &[u8]) -> Option<Export> {
        if journal::is_export(head) {
            Some(Export::JournalExport)
        } else if document::is_document(head) {
            Some(Export::JsonDocument)
        } else if csv::is_csv(head) {
            Some(Export::Csv)
        } else {
            None
        }
    }
}

/// How an export's records become lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Style {
    /// Each record as a syslog line carrying its time, severity and identity: for messages
    /// of no family (a journal's, an event's).
    Carried,
    /// Each record's message as the program printed it, read by its own family (an nginx
    /// access line exported from CloudWatch is an access line); with the record's time in
    /// front where most messages carry none.
    Printed { stamped: bool },
}

/// The share of an export's sampled messages that must be of one family for them to be
/// read as printed: a message its family does not know would lose the record's time and
/// severity, which carrying keeps.
const PRINTED_SHARE: f64 = 0.9;

impl Style {
    /// The style of an export whose messages (as [`Style::Printed`] gives them, unstamped)
    /// begin with `messages`. Read as printed: access lines (whose request fields make the
    /// traffic series) and JSON lines (whose level and fields their family reads), where
    /// nearly all messages are of that family; given the record's time in front where
    /// any lacks its own. Anything else is carried, with the record's own time, severity
    /// and identity: a syslog line's stamp inside a message has no year and no zone, and
    /// the record's has both.
    pub fn of_messages(messages: &[u8]) -> Style {
        let inner = super::wrapper::inner_reading(messages);
        let format = inner.sniffed.format;
        let readable = format.kind() == crate::format::SourceKind::Web || format == crate::format::Format::JsonLines;
        let sampled = inner.sniffed.sampled.min(inner.printed).max(1);
        if !readable || (inner.sniffed.matched as f64) < PRINTED_SHARE * sampled as f64 {
            return Style::Carried;
        }
        Style::Printed {
            stamped: inner.generic() && inner.own_time < inner.printed,
        }
    }
}

/// Does a file begin with a binary journal's signature?
pub fn is_journal_file(magic: &[u8]) -> bool {
    magic.starts_with(journal::SIGNATURE)
}

/// The lines of a text export read from `input`; of one host's records only, with `host`.
pub fn text_reader<R: BufRead + Send + 'static>(export: Export, style: Style, host: Option<Member>, input: R) -> Box<dyn Read + Send> {
    match export {
        Export::JournalExport => of_host(journal::ExportRecords::new(input, style), host),
        Export::JsonDocument => of_host(document::DocumentRecords::new(input, style), host),
        Export::Csv => of_host(csv::CsvRecords::new(input, style), host),
        Export::JournalFile { .. } => unreachable!("a journal file is opened by its path"),
    }
}

/// The lines of a binary journal file: one line an entry.
pub fn journal_file_reader(
    path: &std::path::Path,
    display: &str,
    mapped: bool,
    style: Style,
    host: Option<Member>,
) -> io::Result<Box<dyn Read + Send>> {
    Ok(of_host(journal::FileRecords::open(path, display, mapped, style)?, host))
}

/// The lines of `records`, every host's or one host's.
fn of_host<R: Records + 'static>(records: R, host: Option<Member>) -> Box<dyn Read + Send> {
    match host {
        None => Box::new(RecordLines::new(records)),
        Some(host) => Box::new(RecordLines::new(OneHost {
            records,
            host,
            batch: Vec::new(),
        })),
    }
}

/// An export's lines of one host: the other hosts' records read as empty lines, so that
/// the lines keep their numbers.
struct OneHost<R: Records> {
    records: R,
    host: Member,
    batch: Vec<u8>,
}

impl<R: Records> Records for OneHost<R> {
    fn next_lines(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        self.batch.clear();
        let more = self.records.next_lines(&mut self.batch)?;
        for line in self.batch.split_inclusive(|&b| b == b'\n') {
            let keep = match carried_host(line) {
                Some(host) => self.host.keeps(host),
                // A line of no host (none named, or no record's) is the first reading's.
                None => self.host.is_first(),
            };
            if keep {
                out.extend_from_slice(line);
            } else if line.ends_with(b"\n") {
                out.push(b'\n');
            }
        }
        Ok(more)
    }

    fn end_note(&self) -> Option<String> {
        // Said by the first reading only: the others read the same file.
        self.host.is_first().then(|| self.records.end_note()).flatten()
    }
}

/// The host of a carried line (`<PRI>2025-…Z host program: …`): none where the line is
/// no carried record, or names none (`-`).
fn carried_host(line: &[u8]) -> Option<&[u8]> {
    let rest = match line.strip_prefix(b"<") {
        Some(rest) => &rest[memchr::memchr(b'>', rest)? + 1..],
        None => line,
    };
    let stamp_end = memchr::memchr(b' ', rest)?;
    // Carried stamps are UTC; a line whose first word is no such stamp is none.
    if !(rest[..stamp_end].ends_with(b"Z") && rest.first().is_some_and(u8::is_ascii_digit)) {
        return None;
    }
    let after = &rest[stamp_end + 1..];
    let host = &after[..memchr::memchr(b' ', after)?];
    (host != b"-").then_some(host)
}

/// Records a host must show in an export's head to be read apart from the others.
const HOST_LINES: usize = 3;

/// The hosts of an export's head (its carried lines) to read apart, in the order they
/// first show: each of at least [`HOST_LINES`] lines, where there are two to
/// [`MAX_MEMBERS`] of them; none (the export read as one) otherwise.
pub(crate) fn hosts_apart(head: &[u8]) -> Vec<Vec<u8>> {
    let mut counts: Vec<(&[u8], usize)> = Vec::new();
    for host in crate::format::lines(head).filter_map(carried_host) {
        match counts.iter_mut().find(|(h, _)| *h == host) {
            Some((_, n)) => *n += 1,
            None => counts.push((host, 1)),
        }
    }
    let hosts: Vec<Vec<u8>> = counts.iter().filter(|(_, n)| *n >= HOST_LINES).map(|(h, _)| h.to_vec()).collect();
    if (2..=MAX_MEMBERS).contains(&hosts.len()) {
        hosts
    } else {
        Vec::new()
    }
}

/// Every line an export's bytes give, and the note said at their end: the reading the
/// scan streams, whole, for tests and fuzzing. A binary journal that is not one gives no
/// line and its reason as the note.
pub fn export_lines(export: Export, style: Style, bytes: Vec<u8>) -> (Vec<u8>, Option<String>) {
    let mut reader: Box<dyn Read + Send> = match export {
        Export::JournalFile { .. } => match journal::FileRecords::of_bytes(journal::JournalBytes::Read(bytes), style) {
            Ok(records) => Box::new(RecordLines::new(records)),
            Err(e) => return (Vec::new(), Some(e.to_string())),
        },
        _ => text_reader(export, style, None, io::Cursor::new(bytes)),
    };
    let mut lines = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return (lines, None),
            Ok(n) => lines.extend_from_slice(&buf[..n]),
            Err(e) => return (lines, Some(e.to_string())),
        }
    }
}

/// Seconds, milliseconds, microseconds or nanoseconds since the epoch, told apart by size
/// (each unit's values of this century are apart by a factor of 1000), as microseconds;
/// `None` for a time before 1970 or beyond the year 5000.
pub(crate) fn epoch_micros(number: f64) -> Option<i64> {
    let micros = match number {
        n if n < 1e11 => n * 1e6,
        n if n < 1e14 => n * 1e3,
        n if n < 1e17 => n,
        n => n / 1e3,
    };
    const LATEST: f64 = 95e15;
    (micros.is_finite() && micros > 0.0 && micros < LATEST).then_some(crate::num::rounded_i64(micros))
}

/// A level word in a record's field (`error`, `WARN`, OTLP's `Information`, Cloud
/// Logging's `CRITICAL`) as a syslog severity.
pub(crate) fn severity_of_word(word: &[u8]) -> Option<u8> {
    use crate::format::Level;
    Some(match Level::of_word(word.trim_ascii())? {
        Level::Critical => 2,
        Level::Error => 3,
        Level::Warning => 4,
        Level::Notice => 5,
        Level::Info => 6,
        Level::Debug | Level::Trace => 7,
    })
}

/// What an export's reader says once everything is read: a count of each thing it could
/// not read, in one line (`3 rows were not whole CSV and were skipped; …`), or nothing.
#[derive(Default)]
pub(super) struct Notes(Vec<String>);

impl Notes {
    /// `count` things, said as `1 {one}` or `{count} {many}`; nothing for none.
    pub(super) fn count(mut self, count: u64, one: &str, many: &str) -> Notes {
        match count {
            0 => {}
            1 => self.0.push(format!("1 {one}")),
            n => self.0.push(format!("{n} {many}")),
        }
        self
    }

    /// A note of its own, where there is one.
    pub(super) fn also(mut self, note: Option<String>) -> Notes {
        self.0.extend(note);
        self
    }

    pub(super) fn said(self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.join("; "))
    }
}

/// What a record says, as the syslog line that carries it.
#[derive(Debug, Default)]
pub(crate) struct Carried<'a> {
    /// Microseconds since the epoch, UTC.
    pub micros: i64,
    /// The syslog severity (0 emergency … 7 debug), where the record gives one.
    pub severity: Option<u8>,
    /// The syslog facility, where the record gives one (else `user`).
    pub facility: Option<u8>,
    pub host: &'a str,
    pub program: &'a str,
    pub pid: &'a str,
    pub message: &'a [u8],
    /// The time is a wall-clock time of no known zone (`micros` as if it were UTC): it is
    /// written without a zone, so the run's zone applies, and the severity as a level word
    /// after it (a line without a zone is no syslog line: `<PRI>` would not be read).
    pub naive: bool,
}

/// The facility of a record that names none: `user`, as syslog(3) gives by default.
const USER_FACILITY: u8 = 1;

impl Carried<'_> {
    /// Appends the record's line in `style`, without its newline. A record whose time
    /// cannot be written (out of chrono's range) gives its message alone, untimed.
    pub fn write(&self, style: Style, out: &mut Vec<u8>) {
        let Some(time) = chrono::DateTime::from_timestamp_micros(self.micros) else {
            push_clean(out, self.message);
            return;
        };
        if let Style::Printed { stamped } = style {
            if stamped {
                let zone = if self.naive { "" } else { "Z" };
                out.extend_from_slice(format!("{}{zone} ", time.format("%Y-%m-%dT%H:%M:%S%.6f")).as_bytes());
            }
            push_clean(out, self.message);
            return;
        }
        let mut head = String::with_capacity(96);
        if self.naive {
            let _ = write!(head, "{} ", time.format("%Y-%m-%dT%H:%M:%S%.6f"));
            if let Some(severity) = self.severity {
                head.push_str(LEVEL_WORDS[usize::from(severity.min(7))]);
                head.push(' ');
            }
        } else {
            if let Some(severity) = self.severity {
                let facility = self.facility.unwrap_or(USER_FACILITY).min(23);
                let _ = write!(head, "<{}>", u16::from(facility) * 8 + u16::from(severity.min(7)));
            }
            let _ = write!(head, "{} ", time.format("%Y-%m-%dT%H:%M:%S%.6fZ"));
        }
        push_word(&mut head, self.host, "-");
        head.push(' ');
        // syslog's `program:` begins with a letter or digit; journald's `(sd-pam)` is `sd-pam`.
        push_word(
            &mut head,
            self.program.trim_matches(|c: char| !c.is_ascii_alphanumeric()),
            "unknown",
        );
        if !self.pid.is_empty() && self.pid.bytes().all(|b| b.is_ascii_digit()) {
            let _ = write!(head, "[{}]", self.pid);
        }
        head.push_str(": ");
        out.extend_from_slice(head.as_bytes());
        push_clean(out, self.message);
    }
}

/// The level word of each syslog severity, for lines without `<PRI>`.
const LEVEL_WORDS: [&str; 8] = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"];

/// A word of the syslog head: no spaces, no control characters.
fn push_word(out: &mut String, word: &str, empty: &str) {
    let word = word.trim();
    if word.is_empty() {
        out.push_str(empty);
        return;
    }
    out.extend(
        word.chars()
            .take(MAX_WORD)
            .map(|c| if c.is_whitespace() || c.is_control() || c == ':' { '_' } else { c }),
    );
}

/// The longest host or program name carried: past it a name is cut.
const MAX_WORD: usize = 128;

/// The longest message carried: a record's message past it is cut, as the scan cuts long
/// lines (1 MiB by default).
pub(crate) const MAX_MESSAGE: usize = 1 << 20;

/// A message on one line: line breaks and other control characters become spaces (a
/// journal message may hold a whole traceback), trailing blanks go.
fn push_clean(out: &mut Vec<u8>, message: &[u8]) {
    let message = &message[..message.len().min(MAX_MESSAGE)];
    let start = out.len();
    out.extend(message.iter().map(|&b| if b < 0x20 && b != b'\t' { b' ' } else { b }));
    while out.len() > start && out.last().is_some_and(|b| b.is_ascii_whitespace()) {
        out.pop();
    }
}

/// The lines an export's bytes give, and its note: for the readers' tests.
#[cfg(test)]
pub(super) fn lines_of(export: Export, bytes: &[u8]) -> (Vec<String>, Option<String>) {
    let (lines, note) = export_lines(export, Style::Carried, bytes.to_vec());
    let text = String::from_utf8_lossy(&lines).into_owned();
    (text.split_terminator('\n').map(str::to_string).collect(), note)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carried(c: &Carried) -> String {
        let mut out = Vec::new();
        c.write(Style::Carried, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_record_is_carried_as_a_syslog_line_the_syslog_family_reads() {
        let line = carried(&Carried {
            micros: 1_726_585_755_776_730,
            severity: Some(3),
            facility: Some(3),
            host: "web 1",
            program: "(sd-pam)",
            pid: "42",
            message: b"Failed to start\nsecond line\r\n",
            naive: false,
        });
        assert_eq!(
            line,
            "<27>2024-09-17T15:09:15.776730Z web_1 sd-pam[42]: Failed to start second line"
        );
        let head = crate::format::Format::Syslog;
        let at = head.stamp_at(line.as_bytes()).unwrap();
        assert!(head.parse_stamp(at).is_some());
        assert_eq!(crate::format::sniff(line.as_bytes()).format, head);
    }

    #[test]
    fn messages_are_read_as_printed_only_where_nearly_all_are_access_or_json_lines() {
        let access = |n: usize| -> String {
            (0..n)
                .map(|i| {
                    format!(
                        "10.0.0.{i} - - [31/Mar/2025:09:00:{:02} +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"\n",
                        i % 60
                    )
                })
                .collect()
        };
        assert_eq!(Style::of_messages(access(30).as_bytes()), Style::Printed { stamped: false });
        // JSON lines with no time are no family the sniffer knows: carried (their level
        // word is still read from the message).
        let json = "{\"level\":\"error\",\"msg\":\"x\"}\n".repeat(10);
        assert_eq!(Style::of_messages(json.as_bytes()), Style::Carried);
        let timed_json = "{\"ts\":\"2025-01-01T00:00:00Z\",\"level\":\"error\",\"msg\":\"x\"}\n".repeat(10);
        assert_eq!(Style::of_messages(timed_json.as_bytes()), Style::Printed { stamped: false });
        // Decoys: a journal's messages of many programs, syslog lines (their stamps have no
        // year and no zone: the record's are better), and access lines among others.
        assert_eq!(
            Style::of_messages(b"Started Session 3 of user root.\nReloading.\nconnection refused\n"),
            Style::Carried
        );
        assert_eq!(
            Style::of_messages(b"Mar 31 09:37:18 app-3 sshd[2210]: error: x\nMar 31 09:37:19 app-3 sshd[2211]: y\n"),
            Style::Carried
        );
        let mixed = access(8) + "Started Session 3 of user root.\nReloading.\n";
        assert_eq!(Style::of_messages(mixed.as_bytes()), Style::Carried);
    }

    #[test]
    fn hosts_of_an_export_are_read_apart_when_each_shows_enough() {
        assert_eq!(carried_host(b"<11>2025-01-01T00:00:00.000000Z web-1 nginx: x"), Some(&b"web-1"[..]));
        assert_eq!(carried_host(b"2025-01-01T00:00:00.000000Z - unknown: x"), None);
        assert_eq!(carried_host(b"Sep 17 11:26:36 Debian12 kernel: pasted"), None);
        let line = |host: &str| format!("<11>2025-01-01T00:00:00.000000Z {host} app: x\n");
        let head: String = ["a", "b", "a", "b", "a", "b", "c"].iter().map(|h| line(h)).collect();
        assert_eq!(hosts_apart(head.as_bytes()), [b"a".to_vec(), b"b".to_vec()]);
        // Decoys: one host; a second host seen twice; more hosts than are read apart.
        let one: String = (0..6).map(|_| line("a")).collect();
        assert!(hosts_apart(one.as_bytes()).is_empty());
        let twice: String = (0..6).map(|_| line("a")).chain([line("b"), line("b")]).collect();
        assert!(hosts_apart(twice.as_bytes()).is_empty());
        let many: String = (0..3).flat_map(|_| (0..9).map(|h| line(&format!("h{h}")))).collect();
        assert!(hosts_apart(many.as_bytes()).is_empty());
    }

    #[test]
    fn a_record_without_severity_has_no_priority_and_a_pid_must_be_a_number() {
        let line = carried(&Carried {
            micros: 0,
            host: "",
            program: "",
            pid: "x1",
            message: b"hello",
            ..Carried::default()
        });
        assert_eq!(line, "1970-01-01T00:00:00.000000Z - unknown: hello");
        assert_eq!(crate::format::sniff(line.as_bytes()).format, crate::format::Format::Syslog);
    }
}
