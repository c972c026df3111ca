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
//!
//! Each record is turned, as the file streams, into one syslog line that carries what the
//! record says: `<PRI>2024-09-17T15:09:15.776730Z host program[pid]: message`, its
//! severity in `<PRI>` (left out where the record has none, so a level word in the message
//! counts), its time in UTC, and its identity (the host, the unit or service). The scan then
//! reads these lines as the syslog family: a timeline entry a record, its level, its
//! program, its message's template.
//!
//! Citations must still lead to the record: a text export gives one line for each line of
//! the file, the record's own at the line where its message (or its object) starts and
//! empty lines for the rest. A binary journal has no lines: its lines are its entries, in
//! the order they were written (the first entry is line 1).

mod document;
mod journal;

use super::records::RecordLines;
use std::fmt::Write as _;
use std::io::{self, BufRead, Read};

/// A kind of export, known by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// `journalctl -o export`.
    JournalExport,
    /// A binary journal file; `mapped` when it may be memory-mapped.
    JournalFile { mapped: bool },
    /// JSON documents of records (pretty-printed or not, one or several).
    JsonDocument,
}

impl Export {
    /// The name the sources report gives its reading.
    pub fn name(self) -> &'static str {
        match self {
            Export::JournalExport => "journal export",
            Export::JournalFile { .. } => "journal file",
            Export::JsonDocument => "json records",
        }
    }

    /// The text export a decoded head is, if any. (A binary journal is known by its
    /// magic number, before anything is decoded: [`is_journal_file`].)
    pub fn of_head(head: &[u8]) -> Option<Export> {
        if journal::is_export(head) {
            Some(Export::JournalExport)
        } else if document::is_document(head) {
            Some(Export::JsonDocument)
        } else {
            None
        }
    }
}

/// Does a file begin with a binary journal's signature?
pub fn is_journal_file(magic: &[u8]) -> bool {
    magic.starts_with(journal::SIGNATURE)
}

/// The lines of a text export read from `input`.
pub fn text_reader<R: BufRead + Send + 'static>(export: Export, input: R) -> Box<dyn Read + Send> {
    match export {
        Export::JournalExport => Box::new(RecordLines::new(journal::ExportRecords::new(input))),
        Export::JsonDocument => Box::new(RecordLines::new(document::DocumentRecords::new(input))),
        Export::JournalFile { .. } => unreachable!("a journal file is opened by its path"),
    }
}

/// The lines of a binary journal file: one line an entry.
pub fn journal_file_reader(path: &std::path::Path, display: &str, mapped: bool) -> io::Result<Box<dyn Read + Send>> {
    Ok(Box::new(RecordLines::new(journal::FileRecords::open(path, display, mapped)?)))
}

/// Every line an export's bytes give, and the note said at their end: the reading the
/// scan streams, whole, for tests and fuzzing. A binary journal that is not one gives no
/// line and its reason as the note.
pub fn export_lines(export: Export, bytes: Vec<u8>) -> (Vec<u8>, Option<String>) {
    let mut reader: Box<dyn Read + Send> = match export {
        Export::JournalFile { .. } => match journal::FileRecords::of_bytes(journal::JournalBytes::Read(bytes)) {
            Ok(records) => Box::new(RecordLines::new(records)),
            Err(e) => return (Vec::new(), Some(e.to_string())),
        },
        _ => text_reader(export, io::Cursor::new(bytes)),
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
}

/// The facility of a record that names none: `user`, as syslog(3) gives by default.
const USER_FACILITY: u8 = 1;

impl Carried<'_> {
    /// Appends the record's line, without its newline. A record whose time cannot be
    /// written (out of chrono's range) gives its message alone, untimed.
    pub fn write(&self, out: &mut Vec<u8>) {
        let Some(time) = chrono::DateTime::from_timestamp_micros(self.micros) else {
            push_clean(out, self.message);
            return;
        };
        let mut head = String::with_capacity(96);
        if let Some(severity) = self.severity {
            let facility = self.facility.unwrap_or(USER_FACILITY).min(23);
            let _ = write!(head, "<{}>", u16::from(facility) * 8 + u16::from(severity.min(7)));
        }
        let _ = write!(head, "{} ", time.format("%Y-%m-%dT%H:%M:%S%.6fZ"));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn carried(c: &Carried) -> String {
        let mut out = Vec::new();
        c.write(&mut out);
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
