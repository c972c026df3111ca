//! Container logs: lines that a runtime wrapped around what the program printed.
//!
//! - Docker's json-file driver: `{"log":"<the line, escaped>\n","stream":"stdout","time":"2021-08-24T09:52:13.20764059Z"}`;
//!   a line longer than 16 KiB is split over records whose text does not end in `\n`.
//!   Log shippers (Fluent Bit's tail input) write the same `log` key without a time.
//! - containerd and CRI-O (Kubernetes' `/var/log/pods`): `2022-01-28T16:04:05.413656027Z stdout F <the line>`,
//!   `P` for a piece of a longer line that the next records finish.
//! - `docker compose logs` of one service: `web-1  | <the line>`.
//! - Loki's `logcli query --output=jsonl`: `{"labels":{…},"line":"<the line>","timestamp":"…"}`.
//! - What log shippers write of the files they tail: Filebeat's
//!   `{"@timestamp":…,"log":{"file":{"path":…}},"message":"<the line>",…}`, Vector's
//!   `{"file":…,"host":…,"message":"<the line>","timestamp":…}`, where the lines are of a
//!   family we know and carry their own times (else the records are read as the JSON
//!   records they are).
//!
//! The wrapper is undone as the file streams, like a compression: the scan then sniffs
//! and reads what the program printed (an nginx access log in a container is an access
//! log, a JSON app log a JSON app log), and every rule sees the line as printed, its
//! quotes unescaped. Each outer line gives one line, so citations name the outer file's
//! own line numbers: a line joined from pieces stands at its last piece, the pieces
//! before it give empty lines (and a line whose last piece never came is dropped).
//!
//! Programs in containers often print no time of their own, counting on the runtime's:
//! where the lines are of no family we know, or most of a file's head carry no time and
//! are read for their time alone, each line is given the runtime's time in front
//! (`2022-01-28T16:04:05.413656027Z <the line>`). A known family's lines (a MySQL slow
//! log's entries, a Python traceback) keep their own times. A line that is not a record
//! of the wrapper (cut, or another program's) is passed on as it is, and counted: the
//! count is reported once the file is read.

use super::records::{read_line_bounded, Member, RecordLines, Records, MAX_MEMBERS};
use crate::format::{self, Format};
use std::borrow::Cow;
use std::io::{self, BufRead};

/// A runtime's way of wrapping lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WrapperKind {
    DockerJson,
    Cri,
    /// Loki's `logcli query --output=jsonl`: `{"labels":{…},"line":"<the line>","timestamp":"…"}`
    /// (Go's encoder sorts the keys; `--no-labels` leaves `labels` out).
    Loki,
    /// `docker compose logs`: `web-1  | <the line>`. Output that interleaves services of
    /// two families or more is read once a service (see [`wrappers_of`]); services of one
    /// family are left as they are (read by the `prefixed` family). At most
    /// [`MAX_MEMBERS`] services are read apart.
    Compose,
    /// A log shipper's JSON lines, each holding a line of a file it tailed in `message`
    /// (Filebeat, Logstash, Vector) or `log` (Fluent Bit), the file named in `path`
    /// (Filebeat's `log.file.path`), `file` (Vector) or `filename`. Only where the lines
    /// are of a family we know and carry their own times: an application's JSON log
    /// whose `message` is its text is no wrapper.
    Shipper,
}

/// How a file's lines are unwrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Wrapper {
    pub kind: WrapperKind,
    /// Whether the runtime's time is put in front of each line (the lines carry none).
    pub stamped: bool,
    /// The one part of the file read, where its parts are read apart (see
    /// [`wrappers_of`]); the other parts' lines are read as empty lines.
    pub part: Option<Part>,
}

/// A part of a wrapped file read on its own: a container's stream, or one service of
/// `docker compose` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Part {
    Stream(Stream),
    /// One of the streams a file interleaves, named in its records: a compose service,
    /// a Loki query's app, a shipper's tailed file (see [`WrapperKind::member_of`]); with
    /// the key that names them, chosen from the head, so that a line is searched for one.
    Member(Member, MemberKey),
}

impl Wrapper {
    /// Whether this reading keeps the lines that are no records of its wrapper: the
    /// first part's, or the only reading's.
    fn keeps_strays(&self) -> bool {
        match self.part {
            None | Some(Part::Stream(Stream::Stdout)) => true,
            Some(Part::Stream(Stream::Stderr)) => false,
            Some(Part::Member(member, _)) => member.is_first(),
        }
    }

    /// Whether this reading keeps a record of `line`; a record that names no member is
    /// the first reading's.
    fn keeps(&self, line: &[u8], stderr: bool) -> bool {
        match self.part {
            None => true,
            Some(Part::Stream(stream)) => stream == Stream::of(stderr),
            Some(Part::Member(member, key)) => self.kind.member_of(line, key).map_or(member.is_first(), |name| member.keeps(name)),
        }
    }
}

/// Which of its wrapper's keys names a file's members (see [`WrapperKind::member_key`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MemberKey(u8);

/// A container's output stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }

    fn of(stderr: bool) -> Stream {
        if stderr {
            Stream::Stderr
        } else {
            Stream::Stdout
        }
    }
}

/// Lines a stream must show in a file's head to be read apart from the other: fewer are
/// too few to know their family (one stray line on stderr is read with stdout's).
const STREAM_LINES: usize = 3;

/// One record of a wrapper: the program's text (a piece of a line when `partial`), the
/// runtime's time, and the stream it came from (pieces of a line are joined within a
/// stream: the other stream's lines may come between them).
struct Record<'a> {
    text: Cow<'a, [u8]>,
    time: &'a [u8],
    partial: bool,
    stderr: bool,
}

impl WrapperKind {
    pub fn name(self) -> &'static str {
        match self {
            WrapperKind::DockerJson => "docker json-file",
            WrapperKind::Cri => "cri",
            WrapperKind::Loki => "loki",
            WrapperKind::Compose => "docker compose",
            WrapperKind::Shipper => "shipper json",
        }
    }

    /// Whether every record is a whole line of its own, never a piece (Docker's and CRI's
    /// records may be pieces of a line that later records finish): such a file may be
    /// read in ranges, each unwrapped on its own.
    pub fn one_record_a_line(self) -> bool {
        matches!(self, WrapperKind::Loki | WrapperKind::Shipper | WrapperKind::Compose)
    }

    /// What a member of this wrapper's records is called, where a file is read once a
    /// member (see [`Part::Member`]).
    pub fn member_word(self) -> &'static str {
        match self {
            WrapperKind::Shipper => "file",
            _ => "service",
        }
    }

    /// The keys in which this wrapper's records may name their member, most telling first.
    fn member_keys(self) -> &'static [&'static [u8]] {
        match self {
            WrapperKind::Loki => &LOKI_MEMBER_LABELS,
            WrapperKind::Shipper => &SHIPPER_MEMBER_KEYS,
            WrapperKind::Compose | WrapperKind::DockerJson | WrapperKind::Cri => &[],
        }
    }

    /// The key that names members in a head's records: the most telling one any of them
    /// has (a Loki query's `app` where its streams have one).
    #[allow(clippy::cast_possible_truncation, reason = "a kind names a handful of member keys")]
    fn member_key(self, lines: &[&[u8]]) -> MemberKey {
        let keys = self.member_keys();
        let found = (0..keys.len()).find(|&i| lines.iter().any(|l| json_string_of(l, keys[i]).is_some()));
        MemberKey(found.unwrap_or(0) as u8)
    }

    /// The name of the stream a record belongs to, where its records name one under `key`:
    /// a compose service, a Loki stream's service label, the file a shipper tailed.
    pub(crate) fn member_of(self, line: &[u8], key: MemberKey) -> Option<&[u8]> {
        match self {
            WrapperKind::Compose => compose_service(line).map(|(name, _)| name),
            _ => json_string_of(line, self.member_keys().get(usize::from(key.0))?),
        }
    }

    fn record(self, line: &[u8]) -> Option<Record<'_>> {
        match self {
            WrapperKind::DockerJson => {
                // A whole object: a record cut short (a crash, a full disk) is none.
                if !line.starts_with(b"{\"log\":\"") || !line.ends_with(b"}") {
                    return None;
                }
                let format::ContainerRecord { text, time, stderr } = format::container_record(line)?;
                let (text, partial) = match text {
                    Cow::Borrowed(t) => match t.strip_suffix(b"\n") {
                        Some(t) => (Cow::Borrowed(t), false),
                        None => (Cow::Borrowed(t), true),
                    },
                    Cow::Owned(mut t) => {
                        let whole = t.last() == Some(&b'\n');
                        if whole {
                            t.pop();
                        }
                        // A shipper's record may hold several lines (Fluent Bit's
                        // multiline): one outer line stays one line.
                        (one_line(Cow::Owned(t)), !whole)
                    }
                };
                Some(Record {
                    text,
                    time,
                    partial,
                    stderr,
                })
            }
            WrapperKind::Loki => {
                if !(line.starts_with(b"{\"labels\":{") || line.starts_with(b"{\"line\":\"")) || !line.ends_with(b"}") {
                    return None;
                }
                let format::ContainerRecord { text, time, .. } = format::loki_record(line)?;
                Some(Record {
                    text: one_line(text),
                    time,
                    partial: false,
                    stderr: false,
                })
            }
            WrapperKind::Shipper => {
                if !line.starts_with(b"{") || !line.ends_with(b"}") {
                    return None;
                }
                let format::ContainerRecord { text, time, stderr } = format::shipper_record(line)?;
                Some(Record {
                    text: one_line(text),
                    time,
                    partial: false,
                    stderr,
                })
            }
            WrapperKind::Compose => {
                let (_, text) = compose_service(line)?;
                Some(Record {
                    text: Cow::Borrowed(text),
                    time: b"",
                    partial: false,
                    stderr: false,
                })
            }
            WrapperKind::Cri => {
                let space = memchr::memchr(b' ', line)?;
                let time = &line[..space];
                crate::time::parse_iso(time).filter(|s| s.len == time.len())?;
                let rest = &line[space + 1..];
                let stderr = rest.starts_with(b"stderr ");
                let rest = rest.strip_prefix(b"stdout ").or_else(|| rest.strip_prefix(b"stderr "))?;
                let (partial, text) = match rest {
                    [b'F', b' ', text @ ..] => (false, text),
                    [b'P', b' ', text @ ..] => (true, text),
                    [b'F'] => (false, &b""[..]),
                    _ => return None,
                };
                Some(Record {
                    text: Cow::Borrowed(text),
                    time,
                    partial,
                    stderr,
                })
            }
        }
    }
}

/// A record's text as one line: its line breaks (a stack trace kept as one entry) become
/// spaces.
fn one_line(text: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    match text {
        // JSON text as written holds no line break: only an escape (`\n`) gives one.
        Cow::Borrowed(t) => Cow::Borrowed(t),
        Cow::Owned(mut t) => {
            let mut at = 0;
            while let Some(i) = memchr::memchr2(b'\n', b'\r', &t[at..]) {
                t[at + i] = b' ';
                at += i + 1;
            }
            Cow::Owned(t)
        }
    }
}

/// Loki's labels that name what a stream is, most telling first: Loki's own
/// `service_name`, the app, the container, Promtail's `job` and `unit`, the file.
const LOKI_MEMBER_LABELS: [&[u8]; 6] = [b"service_name", b"app", b"container", b"job", b"unit", b"filename"];

/// The keys in which shippers name the file a line came from: Filebeat's `log.file.path`,
/// Vector's `file`, Fluent Bit's and Promtail's `filename`.
const SHIPPER_MEMBER_KEYS: [&[u8]; 3] = [b"path", b"file", b"filename"];

/// The raw text of the first string member `"key":"…"` of a JSON line, at any depth (escapes
/// kept: it names a member, it is not shown). A quote inside a string is escaped, so
/// `"key":"` is only ever a member's start.
fn json_string_of<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let finder = memchr::memmem::find_iter(line, key);
    for at in finder {
        let before = at.checked_sub(1).map(|i| line[i]);
        let rest = &line[at + key.len()..];
        if before == Some(b'"') {
            let value = rest.strip_prefix(b"\":").map(|r| r.strip_prefix(b" ").unwrap_or(r));
            if let Some(value) = value.filter(|r| r.starts_with(b"\"")) {
                let (close, _) = format::json_string_close(value, 0)?;
                return Some(&value[1..close]);
            }
        }
    }
    None
}

/// The service name and text of a `docker compose logs` line: `web-1  | text`, the name
/// padded with spaces to the longest of the run's.
fn compose_service(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let bar =
        memchr::memmem::find(&line[..line.len().min(COMPOSE_PREFIX)], b" | ").or_else(|| line.strip_suffix(b" |").map(|l| l.len()))?;
    let name = line[..bar].trim_ascii_end();
    let service = !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    service.then(|| (name, line.get(bar + 3..).unwrap_or_default()))
}

/// The longest `docker compose` prefix looked for: a service name and its padding.
const COMPOSE_PREFIX: usize = 64;

/// One reading of a wrapped file, and the name of the part it reads (`stderr`, a compose
/// service, a shipper's file), where the file's parts are read apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub wrapper: Wrapper,
    pub part_name: Option<String>,
    /// Whether the part is a source of its own (another program's or file's lines), or
    /// one stream of one program (its stdout, its stderr), which stays in the file's
    /// source: one program's clock, one program's story.
    pub own_source: bool,
}

/// How a head's lines are unwrapped: none when fewer than half of its non-empty lines
/// are records of a wrapper. One reading of the file, or two where a container's stdout
/// and stderr each show [`STREAM_LINES`] lines or more and they sniff as two families (a
/// service's JSON on stdout, a library's text on stderr): each stream is then read as if
/// it were a file of its own, in its family, the other's lines read as empty lines. The
/// same for the members a file interleaves (see [`members_apart`]).
pub fn readings_of(head: &[u8]) -> Vec<Reading> {
    wrappers_and_names(head)
        .into_iter()
        .map(|(wrapper, name)| Reading {
            part_name: name.or_else(|| match wrapper.part {
                Some(Part::Stream(stream)) => Some(stream.name().to_string()),
                _ => None,
            }),
            own_source: matches!(wrapper.part, Some(Part::Member(..))),
            wrapper,
        })
        .collect()
}

/// The readings of a head, each with the name of the member it reads, if any.
fn wrappers_and_names(head: &[u8]) -> Vec<(Wrapper, Option<String>)> {
    let lines: Vec<&[u8]> = crate::format::lines(head)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .take(format::SNIFF_LINES)
        .collect();
    let kinds = [
        WrapperKind::DockerJson,
        WrapperKind::Cri,
        WrapperKind::Loki,
        WrapperKind::Compose,
        WrapperKind::Shipper,
    ];
    let Some(kind) = kinds.into_iter().find(|kind| {
        let records = lines.iter().filter(|l| kind.record(l).is_some()).count();
        records > 0 && records * 2 >= lines.len()
    }) else {
        return Vec::new();
    };
    // What the program printed, on each stream.
    let printed = |stream: Option<Stream>| -> Vec<u8> {
        lines
            .iter()
            .filter_map(|l| kind.record(l))
            .filter(|r| !r.partial && stream.is_none_or(|s| s == Stream::of(r.stderr)))
            .flat_map(|r| r.text.iter().copied().chain([b'\n']).collect::<Vec<u8>>())
            .collect()
    };
    if kind == WrapperKind::Shipper && !shipped_lines(&inner_reading(&printed(None))) {
        return Vec::new();
    }
    // Output of several services or files: one reading each, where they are of two
    // families or more; else read as one.
    let key = kind.member_key(&lines);
    let mut names: Vec<&[u8]> = Vec::new();
    for name in lines.iter().filter_map(|l| kind.member_of(l, key)) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.len() > 1 {
        let apart = members_apart(kind, key, &lines, &names);
        // Compose output of services of one family is left as it is (see
        // `WrapperKind::Compose`).
        if !apart.is_empty() || kind == WrapperKind::Compose {
            return apart;
        }
    }
    let reading = |stream: Option<Stream>| {
        let inner = inner_reading(&printed(stream));
        (
            Wrapper {
                kind,
                stamped: inner.wants_stamps(),
                part: stream.map(Part::Stream),
            },
            inner,
        )
    };
    let (stdout_wrapper, stdout) = reading(Some(Stream::Stdout));
    let (stderr_wrapper, stderr) = reading(Some(Stream::Stderr));
    let apart = stdout.printed >= STREAM_LINES && stderr.printed >= STREAM_LINES && stdout.sniffed.format != stderr.sniffed.format;
    if apart {
        vec![(stdout_wrapper, None), (stderr_wrapper, None)]
    } else {
        vec![(reading(None).0, None)]
    }
}

/// Whether a shipper's head holds lines as a file has them: of a family we know, most of
/// them with a time of their own. (An application's JSON log whose `message` is free text
/// sniffs as none, and is read as JSON records.)
fn shipped_lines(inner: &InnerLines) -> bool {
    inner.sniffed.format != Format::Unknown && inner.printed > 0 && inner.own_time * 2 >= inner.printed
}

/// The readings of a file that interleaves several members (services, a shipper's files):
/// one a member that shows [`STREAM_LINES`] lines or more in the head, where they sniff
/// as two families or more (an nginx service's access lines beside an app's logfmt: each
/// read in its family, the access lines making the traffic series); none otherwise.
fn members_apart(kind: WrapperKind, key: MemberKey, lines: &[&[u8]], names: &[&[u8]]) -> Vec<(Wrapper, Option<String>)> {
    if names.len() > MAX_MEMBERS {
        return Vec::new();
    }
    let printed = |name: &[u8]| -> Vec<u8> {
        lines
            .iter()
            .filter(|l| kind.member_of(l, key) == Some(name))
            .filter_map(|l| kind.record(l))
            .flat_map(|r| r.text.iter().copied().chain([b'\n']).collect::<Vec<u8>>())
            .collect()
    };
    let read: Vec<(&[u8], InnerLines)> = names
        .iter()
        .map(|&name| (name, inner_reading(&printed(name))))
        .filter(|(_, inner)| inner.printed >= STREAM_LINES)
        .collect();
    let formats: Vec<Format> = read.iter().map(|(_, inner)| inner.sniffed.format).collect();
    if read.len() < 2 || formats.iter().all(|&f| f == formats[0]) {
        return Vec::new();
    }
    let names: Vec<&[u8]> = read.iter().map(|(name, _)| *name).collect();
    Member::all(&names)
        .into_iter()
        .zip(&read)
        .map(|(member, (name, inner))| {
            let wrapper = Wrapper {
                kind,
                // Compose prints no time of its own to put in front.
                stamped: kind != WrapperKind::Compose && inner.wants_stamps(),
                part: Some(Part::Member(member, key)),
            };
            (wrapper, Some(String::from_utf8_lossy(name).into_owned()))
        })
        .collect()
}

/// What lines a program printed, wrapped in records that carry their time (a runtime's,
/// an export's), are: the family they sniff as, how many of them there are, and how many
/// carry a time of their own.
pub(crate) struct InnerLines {
    pub sniffed: format::Sniffed,
    pub printed: usize,
    pub own_time: usize,
}

impl InnerLines {
    /// A family read for its time alone: its lines may be given the record's time in
    /// front. A family of its own knows which of its lines carry the time (a slow-log
    /// entry's `# Time:`, a traceback under its record): its lines are read as printed.
    pub fn generic(&self) -> bool {
        matches!(self.sniffed.format, Format::Timestamped | Format::Prefixed | Format::JsonLines)
    }

    /// Whether the lines are given the record's time in front: where they are of no
    /// family we know, or most are read for their time alone and carry none. (A wrapper
    /// whose records carry no time, compose's, puts none.)
    fn wants_stamps(&self) -> bool {
        self.sniffed.format == Format::Unknown || (self.generic() && self.own_time * 2 < self.printed)
    }
}

/// The lines a program printed (one a line of `inner`), sniffed.
pub(crate) fn inner_reading(inner: &[u8]) -> InnerLines {
    let sniffed = format::sniff(inner);
    let own_time = crate::format::lines(inner)
        .filter(|l| !l.is_empty())
        .filter(|l| sniffed.format.stamp_at(l).and_then(|at| sniffed.format.parse_stamp(at)).is_some())
        .count();
    let printed = crate::format::lines(inner).filter(|l| !l.is_empty()).count();
    InnerLines {
        sniffed,
        printed,
        own_time,
    }
}

/// The longest line joined from pieces: past it the pieces so far are a line of their
/// own (the scan cuts lines far shorter, at `--max-line`, 1 MiB by default).
const MAX_JOINED: usize = 4 << 20;

/// A line being joined from pieces, the runtime's time of its first piece, and whether
/// the stream is inside a traceback (its lines after the first are given no time, so that
/// the traceback is read as one entry under its first line).
#[derive(Default)]
struct Pieces {
    text: Vec<u8>,
    time: Vec<u8>,
    in_traceback: bool,
}

/// Whether a line a program printed goes on a traceback or a stack begun above it: a frame,
/// the code it shows, the line that names the error (Python's last), a Go frame's function
/// (`main.(*book).settle(0xc0001b2000)`) or file line, an empty line.
fn continues_a_traceback(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    let go_function = !text.contains(' ') && text.ends_with(')') && text.contains('(');
    // A new traceback's first line starts an entry of its own.
    let starts_one = ["Traceback (most recent call last)", "panic: ", "fatal error: "]
        .iter()
        .any(|h| text.starts_with(h));
    // Go prints an empty line between `panic: …` and its goroutines.
    !starts_one && (text.trim().is_empty() || format::traceback::in_a_traceback(&text) || go_function)
}

/// What the program printed, line by line, from the wrapped lines: the state that joins
/// a line's pieces within a stream and follows tracebacks, whatever the lines are read
/// from.
struct Unwrapper {
    wrapper: Wrapper,
    /// The lines being joined from pieces, on stdout and on stderr.
    pieces: [Pieces; 2],
    /// Lines that were not records of the wrapper, passed on as they are.
    not_records: u64,
}

impl Unwrapper {
    fn new(wrapper: Wrapper) -> Unwrapper {
        Unwrapper {
            wrapper,
            pieces: Default::default(),
            not_records: 0,
        }
    }

    /// Unwraps one outer line (its newline, if any, included) into `out`: always one line.
    fn take(&mut self, line: &[u8], out: &mut Vec<u8>) {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match self.wrapper.kind.record(line) {
            // A line that is no record is read by one reading of the file only.
            None if !self.wrapper.keeps_strays() => {}
            None => {
                if !line.is_empty() {
                    self.not_records += 1;
                }
                out.extend_from_slice(line);
            }
            // Another part's line, where the parts are read apart.
            Some(record) if !self.wrapper.keeps(line, record.stderr) => {}
            // A whole line, with no pieces before it and no time to put in front: as it is.
            Some(record) if !record.partial && !self.wrapper.stamped && self.pieces[usize::from(record.stderr)].text.is_empty() => {
                out.extend_from_slice(&record.text);
            }
            Some(record) => {
                let pieces = &mut self.pieces[usize::from(record.stderr)];
                if pieces.text.is_empty() {
                    pieces.time.clear();
                    pieces.time.extend_from_slice(record.time);
                }
                pieces.text.extend_from_slice(&record.text);
                // Endless pieces (a hostile file) are handed out as a line at a bound.
                if !record.partial || pieces.text.len() > MAX_JOINED {
                    // A traceback's lines after its first keep no time of the runtime's:
                    // they are read as one entry with it, as on a host. (Only lines given
                    // the runtime's time are looked at: a program's own times say it.)
                    let continues = self.wrapper.stamped && pieces.in_traceback && continues_a_traceback(&pieces.text);
                    if self.wrapper.stamped {
                        pieces.in_traceback = continues || format::traceback::in_a_traceback(&String::from_utf8_lossy(&pieces.text));
                    }
                    if self.wrapper.stamped && !pieces.time.is_empty() && !continues {
                        out.extend_from_slice(&pieces.time);
                        out.push(b' ');
                    }
                    out.append(&mut pieces.text);
                }
            }
        }
        out.push(b'\n');
    }
}

/// A reader of what the program printed, from a reader of the wrapped lines.
pub struct Unwrapped<R> {
    raw: R,
    line: Vec<u8>,
    unwrapper: Unwrapper,
}

/// The lines `raw` wraps, as a byte stream.
pub(crate) fn unwrapped<R: BufRead + Send>(raw: R, wrapper: Wrapper) -> RecordLines<Unwrapped<R>> {
    RecordLines::new(Unwrapped {
        raw,
        line: Vec::new(),
        unwrapper: Unwrapper::new(wrapper),
    })
}

impl<R: BufRead + Send> Unwrapped<R> {
    /// Unwraps the next line into `out`. An outer line is read to at most [`MAX_JOINED`]
    /// bytes (the rest of a longer one is skipped): a file of one endless line is never
    /// held whole.
    fn next_line(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        if read_line_bounded(&mut self.raw, &mut self.line, MAX_JOINED)? == 0 {
            // A line whose last piece never came is dropped, as a stream cut short drops
            // its piece of a line: its pieces gave empty lines, and a line of its own
            // after the last would cite no line of the file.
            return Ok(false);
        }
        self.unwrapper.take(&self.line, out);
        Ok(true)
    }
}

impl<R: BufRead + Send> Records for Unwrapped<R> {
    fn next_lines(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        self.next_line(out)
    }

    /// The lines that were not records, said once.
    fn end_note(&self) -> Option<String> {
        not_records_note(self.unwrapper.not_records, self.unwrapper.wrapper.kind)
    }
}

/// What is said of a wrapped file's lines that were not records of its wrapper.
pub(crate) fn not_records_note(count: u64, kind: WrapperKind) -> Option<String> {
    match count {
        0 => None,
        1 => Some(format!("1 line was not a {} record; read as it is", kind.name())),
        n => Some(format!("{n} lines were not {} records; read as they are", kind.name())),
    }
}

/// Every line a wrapped file's bytes give in one of its readings, and how many of its
/// lines were not records: the reading the scan makes of a mapped range, whole, for tests
/// and fuzzing.
pub fn unwrapped_lines(wrapper: Wrapper, bytes: &[u8]) -> (Vec<u8>, u64) {
    let mut out = Vec::new();
    let not_records = unwrap_all(bytes, wrapper, &mut out);
    (out, not_records)
}

/// The same lines as [`unwrapped_lines`], read as the scan streams a file it cannot map
/// (compressed, or still written), for tests and fuzzing: the two must agree.
pub fn streamed_unwrapped_lines(wrapper: Wrapper, bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut reader = unwrapped(bytes, wrapper);
    let mut out = Vec::new();
    // The note said at the end (lines that were no records) is no failure.
    let _ = reader.read_to_end(&mut out);
    out
}

/// Unwraps all of `bytes` (a range of a mapped file) into `out`, line by line in place;
/// returns how many lines were not records (for a range of a file, whose counts are added
/// up before they are said). An outer line is read to at most [`MAX_JOINED`] bytes, as
/// from a stream.
pub(crate) fn unwrap_all(bytes: &[u8], wrapper: Wrapper, out: &mut Vec<u8>) -> u64 {
    let mut unwrapper = Unwrapper::new(wrapper);
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        unwrapper.take(&rest[..end.min(MAX_JOINED)], out);
        rest = &rest[end..];
    }
    unwrapper.not_records
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Everything a reader gives, and the error it ends with.
    fn read_all(wrapped: &str, wrapper: Wrapper) -> (String, Option<String>) {
        let mut reader = unwrapped(wrapped.as_bytes(), wrapper);
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return (String::from_utf8(out).unwrap(), None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (String::from_utf8(out).unwrap(), Some(e.to_string())),
            }
        }
    }

    fn wrapper(kind: WrapperKind, stamped: bool) -> Wrapper {
        Wrapper { kind, stamped, part: None }
    }

    /// The wrappers of a head's readings.
    fn wrappers_of(head: &[u8]) -> Vec<Wrapper> {
        readings_of(head).into_iter().map(|r| r.wrapper).collect()
    }

    /// The one reading of a head, where it has one.
    fn wrapper_of(head: &[u8]) -> Option<Wrapper> {
        match wrappers_of(head).as_slice() {
            [] => None,
            [one] => Some(*one),
            more => panic!("{} readings of one head", more.len()),
        }
    }

    const DOCKER: Wrapper = Wrapper {
        part: None,
        kind: WrapperKind::DockerJson,
        stamped: false,
    };

    #[test]
    fn docker_records_unescaped_one_line_each() {
        let wrapped = "{\"log\":\"{\\\"level\\\":\\\"error\\\",\\\"msg\\\":\\\"a \\\\\\\"quoted\\\\\\\" word\\\"}\\n\",\"stream\":\"stderr\",\"time\":\"2024-01-21T20:30:03.001290044Z\"}\n";
        assert_eq!(
            read_all(wrapped, DOCKER),
            ("{\"level\":\"error\",\"msg\":\"a \\\"quoted\\\" word\"}\n".to_string(), None)
        );
    }

    #[test]
    fn pieces_are_joined_at_the_last_within_their_stream() {
        let wrapped = "2024-01-21T20:30:03.001Z stderr P QueuePool limit of size 5 ove\n2024-01-21T20:30:03.002Z stdout F GET /healthz 200\n2024-01-21T20:30:03.003Z stderr F rflow 10 reached\n";
        let cri = |stamped| wrapper(WrapperKind::Cri, stamped);
        assert_eq!(
            read_all(wrapped, cri(false)).0,
            "\nGET /healthz 200\nQueuePool limit of size 5 overflow 10 reached\n"
        );
        // Stamped, a joined line takes the time of its first piece.
        assert_eq!(
            read_all(wrapped, cri(true)).0,
            "\n2024-01-21T20:30:03.002Z GET /healthz 200\n2024-01-21T20:30:03.001Z QueuePool limit of size 5 overflow 10 reached\n"
        );
    }

    #[test]
    fn two_streams_of_two_families_are_read_apart_and_one_stray_line_is_not() {
        let zap = |t: &str| format!("{t} stdout F {{\"level\":\"info\",\"ts\":1678255403.1,\"msg\":\"order accepted\"}}\n");
        let kafka = |t: &str| {
            format!("{t} stderr F %3|1678255403.686|FAIL|rdkafka#producer-1| [thrd:b]: b: Connect to ipv4#10.0.0.1:9092 failed: Connection timed out\n")
        };
        let times = [
            "2023-03-08T06:03:20.1Z",
            "2023-03-08T06:03:21.1Z",
            "2023-03-08T06:03:22.1Z",
            "2023-03-08T06:03:23.1Z",
        ];
        let both: String = times.iter().flat_map(|t| [zap(t), kafka(t)]).collect();
        let readings = wrappers_of(both.as_bytes());
        assert_eq!(
            readings.iter().map(|w| w.part).collect::<Vec<_>>(),
            [Some(Part::Stream(Stream::Stdout)), Some(Part::Stream(Stream::Stderr))]
        );
        // Each reading gives every line of the file, the other stream's empty.
        let (stdout, _) = read_all(&both, readings[0]);
        assert_eq!(stdout.lines().count(), 8);
        assert!(stdout.lines().step_by(2).all(|l| l.contains("order accepted")) && stdout.lines().skip(1).step_by(2).all(str::is_empty));
        // Decoys: one line on stderr is read with stdout's; two streams of one family are
        // one reading.
        let stray: String = times.iter().map(|t| zap(t)).chain([kafka(times[0])]).collect();
        assert_eq!(wrappers_of(stray.as_bytes()).len(), 1);
        let same: String = times.iter().flat_map(|t| [zap(t), zap(t).replace("stdout", "stderr")]).collect();
        assert_eq!(wrappers_of(same.as_bytes()), [wrapper(WrapperKind::Cri, false)]);
    }

    #[test]
    fn compose_services_of_two_families_are_read_one_a_service() {
        let web =
            |i: u32| format!("web-1    | 172.18.0.1 - - [21/Jan/2024:20:30:{i:02} +0000] \"GET /cart HTTP/1.1\" 502 5 \"-\" \"curl\"\n");
        let app = |i: u32| format!("app-1    | time=\"2024-01-21T20:30:{i:02}Z\" level=error msg=\"cart backend unreachable\"\n");
        let mixed: String = (0..4)
            .flat_map(|i| [web(i), app(i)])
            .chain([
                "cache-1  | 1:M 21 Jan 2024 20:30:09.511 * saving\n".to_string(),
                "not compose\n".to_string(),
            ])
            .collect();
        let readings = wrappers_of(mixed.as_bytes());
        assert_eq!(readings.len(), 2);
        let (first, _) = read_all(&mixed, readings[0]);
        let (second, _) = read_all(&mixed, readings[1]);
        // The first reading keeps its service, a service seen too little, and the stray
        // line; the second only its own; each gives every line of the file.
        assert_eq!((first.lines().count(), second.lines().count()), (10, 10));
        assert!(first.lines().step_by(2).take(4).all(|l| l.contains("GET /cart")));
        assert!(first.contains("saving") && first.contains("not compose"));
        assert!(second.lines().skip(1).step_by(2).take(4).all(|l| l.contains("cart backend")));
        assert!(!second.contains("saving") && !second.contains("not compose"));
        // Decoy: services of one family are left as they are.
        let same: String = (0..4).flat_map(|i| [web(i), web(i).replace("web-1", "web-2")]).collect();
        assert_eq!(wrappers_of(same.as_bytes()), []);
    }

    #[test]
    fn a_shippers_lines_are_unwrapped_once_a_file_where_they_are_of_a_family() {
        // Filebeat: the file in `log.file.path`, nested; the line in `message`.
        let filebeat = |path: &str, line: &str| {
            format!("{{\"@timestamp\":\"2025-06-12T14:02:22.101Z\",\"log\":{{\"offset\":7,\"file\":{{\"path\":\"{path}\"}}}},\"message\":\"{line}\",\"input\":{{\"type\":\"filestream\"}},\"host\":{{\"name\":\"web-1\"}}}}\n")
        };
        let access =
            |i: u32| format!("10.0.0.{i} - - [12/Jun/2025:14:02:2{i} +0000] \\\"GET /cart HTTP/1.1\\\" 502 5 \\\"-\\\" \\\"curl\\\"");
        let app = |i: u32| format!("2025-06-12 14:02:2{i},101 ERROR [cart] stock service refused the call");
        let mixed: String = (0..4)
            .flat_map(|i| {
                [
                    filebeat("/var/log/nginx/access.log", &access(i)),
                    filebeat("/srv/cart/app.log", &app(i)),
                ]
            })
            .collect();
        let readings = readings_of(mixed.as_bytes());
        assert_eq!(
            readings.iter().map(|r| r.part_name.as_deref()).collect::<Vec<_>>(),
            [Some("/var/log/nginx/access.log"), Some("/srv/cart/app.log")]
        );
        let (first, _) = read_all(&mixed, readings[0].wrapper);
        assert!(
            first
                .lines()
                .step_by(2)
                .all(|l| l.starts_with("10.0.0.") && l.contains("\"GET /cart HTTP/1.1\" 502")),
            "{first}"
        );
        assert!(first.lines().skip(1).step_by(2).all(str::is_empty));
        // Vector: the file in `file`; one file is one reading.
        let vector: String = (0..4)
            .map(|i| format!("{{\"file\":\"/var/log/nginx/access.log\",\"host\":\"web-1\",\"message\":\"{}\",\"source_type\":\"file\",\"timestamp\":\"2025-06-12T14:02:22.101Z\"}}\n", access(i)))
            .collect();
        assert_eq!(wrappers_of(vector.as_bytes()), [wrapper(WrapperKind::Shipper, false)]);
        // Decoys: an application's JSON log whose message is its text (pino, an ECS
        // logger), or whose message begins with a number, is read as the JSON it is.
        let pino =
            "{\"level\":50,\"time\":1718200942101,\"pid\":7,\"hostname\":\"web-1\",\"msg\":\"stock service refused the call\"}\n".repeat(4);
        assert_eq!(wrappers_of(pino.as_bytes()), []);
        let ecs = "{\"@timestamp\":\"2025-06-12T14:02:22.101Z\",\"log.level\":\"error\",\"message\":\"stock service refused the call\",\"service.name\":\"cart\"}\n".repeat(4);
        assert_eq!(wrappers_of(ecs.as_bytes()), []);
        let counts = "{\"@timestamp\":\"2025-06-12T14:02:22.101Z\",\"level\":\"info\",\"message\":\"200 orders settled\"}\n".repeat(4);
        assert_eq!(wrappers_of(counts.as_bytes()), []);
    }

    #[test]
    fn a_loki_query_over_two_apps_of_two_families_is_read_once_an_app() {
        let loki = |app: &str, line: &str| {
            format!("{{\"labels\":{{\"app\":\"{app}\",\"namespace\":\"shop\",\"pod\":\"{app}-7d9c\"}},\"line\":\"{line}\",\"timestamp\":\"2025-06-12T14:02:22.101Z\"}}\n")
        };
        let access =
            |i: u32| format!("10.0.0.{i} - - [12/Jun/2025:14:02:2{i} +0000] \\\"GET /cart HTTP/1.1\\\" 502 5 \\\"-\\\" \\\"curl\\\"");
        let app = |i: u32| format!("time=\\\"2025-06-12T14:02:2{i}Z\\\" level=error msg=\\\"stock service refused the call\\\"");
        let mixed: String = (0..4).flat_map(|i| [loki("ingress", &access(i)), loki("cart", &app(i))]).collect();
        let readings = readings_of(mixed.as_bytes());
        assert_eq!(
            readings.iter().map(|r| r.part_name.as_deref()).collect::<Vec<_>>(),
            [Some("ingress"), Some("cart")]
        );
        let (second, _) = read_all(&mixed, readings[1].wrapper);
        assert!(second.lines().skip(1).step_by(2).all(|l| l.starts_with("time=")), "{second}");
        // A record that names no app is the first reading's alone.
        let unnamed = format!("{mixed}{{\"line\":\"{}\",\"timestamp\":\"2025-06-12T14:02:29Z\"}}\n", access(9));
        let (first, _) = read_all(&unnamed, readings[0].wrapper);
        let (second, _) = read_all(&unnamed, readings[1].wrapper);
        assert!(first.lines().last().unwrap().starts_with("10.0.0.9") && second.lines().last().unwrap().is_empty());
        // Decoy: two apps of one family are one reading.
        let same: String = (0..4)
            .flat_map(|i| [loki("ingress", &access(i)), loki("gateway", &access(i))])
            .collect();
        assert_eq!(wrappers_of(same.as_bytes()), [wrapper(WrapperKind::Loki, false)]);
    }

    #[test]
    fn a_traceback_on_a_stream_without_times_stays_one_entry() {
        let lines = [
            "Traceback (most recent call last):",
            "  File \"/srv/feed.py\", line 61, in main",
            "    rate = rates[currency]",
            "KeyError: 'eur'",
            "worker restarted",
            "panic: runtime error: index out of range [3] with length 3",
            "",
            "goroutine 1 [running]:",
            "main.(*book).settle(0xc0001b2000)",
            "\t/app/book.go:41 +0x1d",
            "exit status 2",
            "Traceback (most recent call last):",
            "  File \"/srv/feed.py\", line 61, in main",
            "Traceback (most recent call last):",
        ];
        let wrapped: String = lines.iter().map(|l| format!("2024-01-21T20:30:03.001Z stderr F {l}\n")).collect();
        let (text, _) = read_all(&wrapped, wrapper(WrapperKind::Cri, true));
        let stamped: Vec<bool> = text.lines().map(|l| l.starts_with("2024-")).collect();
        // A traceback right after another starts its own entry.
        assert_eq!(
            stamped,
            [true, false, false, false, true, true, false, false, false, false, true, true, false, true],
            "{text}"
        );
    }

    #[test]
    fn a_mapped_range_and_a_stream_give_the_same_lines() {
        let wrapped = "2024-01-21T20:30:03.001Z stderr P QueuePool limit of size 5 ove\n2024-01-21T20:30:03.002Z stdout F GET /healthz 200\nnot a record\n2024-01-21T20:30:03.003Z stderr F rflow 10 reached";
        for stamped in [false, true] {
            let cri = wrapper(WrapperKind::Cri, stamped);
            let (lines, not_records) = unwrapped_lines(cri, wrapped.as_bytes());
            assert_eq!((lines.iter().filter(|&&b| b == b'\n').count(), not_records), (4, 1));
            assert_eq!(streamed_unwrapped_lines(cri, wrapped.as_bytes()), lines);
        }
    }

    #[test]
    fn a_record_of_several_lines_stays_one_line() {
        let wrapped = "{\"log\":\"Traceback:\\n  File x\\nValueError\\n\",\"file\":\"/var/log/app.log\"}\n{\"log\":\"next\\n\",\"file\":\"/var/log/app.log\"}\n";
        assert_eq!(read_all(wrapped, DOCKER).0, "Traceback:   File x ValueError\nnext\n");
    }

    #[test]
    fn an_endless_line_is_not_held_whole() {
        let mut wrapped = String::from("2024-01-21T20:30:03.001Z stdout F ");
        wrapped.push_str(&"x".repeat(MAX_JOINED * 2));
        wrapped.push_str("\n2024-01-21T20:30:03.002Z stdout F after\n");
        let (text, _) = read_all(&wrapped, wrapper(WrapperKind::Cri, false));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].len() <= MAX_JOINED);
        assert_eq!(lines[1], "after");
    }

    #[test]
    fn lines_that_are_not_records_pass_and_are_counted_once() {
        let wrapped = "{\"log\":\"ready\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-21T20:29:58Z\"}\n{\"log\":\"worker 3 stopp\n";
        let (text, note) = read_all(wrapped, DOCKER);
        assert_eq!(text, "ready\n{\"log\":\"worker 3 stopp\n");
        assert_eq!(note.as_deref(), Some("1 line was not a docker json-file record; read as it is"));
    }

    #[test]
    fn a_head_names_its_wrapper_and_whether_lines_need_the_runtimes_time() {
        let docker =
            "{\"log\":\"2024-01-21 20:30:01,250 ERROR checkout: boom\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-21T20:30:01.25Z\"}\n";
        assert_eq!(wrapper_of(docker.as_bytes()), Some(DOCKER));
        let bare = "2024-01-21T20:30:01.25Z stdout F worker ready\n2024-01-21T20:30:02.25Z stdout F worker busy\n";
        assert_eq!(wrapper_of(bare.as_bytes()), Some(wrapper(WrapperKind::Cri, true)));
        // A slow log: few of its lines carry a time, and its family knows which.
        let slow = "# Time: 2024-01-21T20:30:00.000000Z\n# User@Host: shop[shop] @ localhost []  Id: 7\n# Query_time: 12.5  Lock_time: 11.0 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1705869000;\nSELECT 1;\n";
        let wrapped: String = slow.lines().map(|l| format!("2024-01-21T20:30:00.1Z stdout F {l}\n")).collect();
        assert_eq!(wrapper_of(wrapped.as_bytes()), Some(wrapper(WrapperKind::Cri, false)));
        // One service's compose output is unwrapped; several services' is not.
        let one = "web-1  | 10.0.0.7 - - [21/Jan/2024:20:30:01 +0000] \"GET / HTTP/1.1\" 502 5 \"-\" \"curl\"\nweb-1  | 10.0.0.8 - - [21/Jan/2024:20:30:02 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"\n";
        assert_eq!(wrapper_of(one.as_bytes()), Some(wrapper(WrapperKind::Compose, false)));
        assert_eq!(
            wrapper_of(b"web-1    | time=\"2024-01-21T20:30:01Z\" level=info msg=x\ncache-1  | 1:M 21 Jan 2024 20:30:09.511 # y\n"),
            None
        );
        // Decoys: a JSON app log with a `log` key deeper in, an ISO-stamped app log.
        assert_eq!(wrapper_of(b"{\"time\":\"2024-01-21T20:30:01Z\",\"log\":\"x\"}\n"), None);
        assert_eq!(wrapper_of(b"2024-01-21T20:30:01.25Z stdout: worker ready\n"), None);
        // A table with bars, a shell pipeline in a log line.
        assert_eq!(wrapper_of(b"| id | name |\n|----|------|\n"), None);
        assert_eq!(wrapper_of(b"2024-01-21 20:30:01 INFO ran ps aux | grep php\n"), None);
    }
}
