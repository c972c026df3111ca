//! JSON documents of records, pretty-printed or one to a line, one after another or in an
//! array: what `kubectl`, the OpenTelemetry collector, the AWS and Google Cloud command
//! lines and Fluent Bit write. The shapes read, each from its own documentation:
//!
//! - Kubernetes events (`kubectl get events -o json`: an `EventList` whose `items` are
//!   `Event`s; a watch's `{"type":"MODIFIED","object":{Event}}`; `events.k8s.io/v1`'s
//!   `regarding`, `note`, `eventTime`, `series`): the line says which object, why
//!   (`reason`) and what (`message`), `Warning` events as warnings, and how many times it
//!   happened since when (`count`, `firstTimestamp`). An event seen many times gives a line
//!   at its first time and, where the document has a line to spare, one at its last.
//! - OTLP/JSON (`resourceLogs[].scopeLogs[].logRecords[]`): `timeUnixNano` (else
//!   `observedTimeUnixNano`), `severityNumber` (else `severityText`), `body`, with the
//!   resource's `service.name` and `host.name` (or `k8s.pod.name`).
//! - CloudWatch Logs `filter-log-events` (`events[]`: `timestamp` in ms, `message`,
//!   `logStreamName`).
//! - Cloud Logging entries (`gcloud logging read --format=json`: an array of `LogEntry`,
//!   `timestamp`, `severity`, `textPayload` or `jsonPayload.message`, the resource's labels).
//! - Fluent Bit's output (`[1703410191.000000,{record}]`): the record, at that time where
//!   it names none of its own.
//! - journald's `-o json-pretty`, and any record with a time and a message field.
//!
//! A record's line stands at the line of the document where its message is (else where
//! its object starts), so that citations lead to it. A record that shares its line with
//! another (a document on one line, a batch a line) goes on the next line with none
//! before the line being read; where there is none, it is read after the file's last
//! line: its citation then gives a line past the file's end, and a note says how many
//! were. Every line of the file before it keeps its number.

use super::super::records::Records;
use super::{epoch_micros, severity_of_word, Carried, Notes, Style, MAX_MESSAGE};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{self, BufRead};

/// The largest record read: a unit of the document (an event, a resource's logs) past it
/// is skipped and counted. A whole document is never held, only a record at a time.
const MAX_UNIT: usize = 64 << 20;

/// How deep the containers followed go: records and their lists sit within the first few
/// levels; a hostile document nested a million deep costs a counter.
const MAX_DEPTH: usize = 64;

/// Bytes scanned at a time: the document is read as it streams, never a line at a time
/// (a document on one line may be gigabytes).
const SCAN_BLOCK: usize = 64 << 10;

/// Does a head read as JSON records this reader knows (and the JSON-lines family does
/// not): an array, a document printed over several lines, or lines that are whole objects
/// of an export's shape?
pub(super) fn is_document(head: &[u8]) -> bool {
    let text = head.trim_ascii_start();
    match text.first() {
        Some(b'[') => return array_of_records(text),
        Some(b'{') => {}
        _ => return false,
    }
    let first = crate::format::lines(text).next().unwrap_or_default();
    match serde_json::from_slice::<Value>(first) {
        // A whole object on the first line: a known export's record, or a JSON log line.
        Ok(value) => is_export_record(&value),
        // Pretty-printed, or a long first line cut by the head: what follows says.
        Err(e) if e.is_eof() => {
            let keys = [
                "\"resourceLogs\"",
                "\"items\"",
                "\"involvedObject\"",
                "\"__REALTIME_TIMESTAMP\"",
                "\"events\"",
                "\"logRecords\"",
            ];
            let text = String::from_utf8_lossy(&text[..text.len().min(16 << 10)]);
            first.trim_ascii() == b"{" || keys.iter().any(|k| text.contains(k))
        }
        Err(_) => false,
    }
}

/// An array whose first element is a JSON object (`{"…` or `{}`: Python's `[{'a': 1}]`
/// is none) or a Fluent Bit `[time, {record}]` pair.
fn array_of_records(text: &[u8]) -> bool {
    let inner = text[1..].trim_ascii_start();
    match inner.first() {
        Some(b'{') => matches!(inner[1..].trim_ascii_start().first(), Some(b'"' | b'}')),
        Some(b'0'..=b'9') => {
            let after_number = inner
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b'.'))
                .unwrap_or(inner.len());
            inner[after_number..].trim_ascii_start().starts_with(b",") && inner[after_number + 1..].trim_ascii_start().starts_with(b"{")
        }
        _ => false,
    }
}

/// A whole record of an export's shape, and not a program's JSON log line that happens to
/// hold a list (`"items":[…]` of a cart): a Kubernetes list says its `kind`, CloudWatch's
/// events and Cloud Logging's entries are known by their first element's fields.
fn is_export_record(value: &Value) -> bool {
    let Some(object) = value.as_object() else { return false };
    let first_of = |list: &str| object.get(list).and_then(Value::as_array).and_then(|l| l.first());
    let is_list = text(value, &["kind"]).ends_with("List") && object.get("items").is_some_and(Value::is_array);
    let cloudwatch = first_of("events").is_some_and(|e| e.get("timestamp").is_some() && e.get("message").is_some());
    let entries = first_of("entries").is_some_and(|e| e.get("logName").is_some());
    object.contains_key("resourceLogs") || is_list || cloudwatch || entries || is_event(value) || value.get("object").is_some_and(is_event)
}

/// A Kubernetes event: core/v1 (`involvedObject`) or events.k8s.io/v1 (`regarding`).
/// (The API server's audit records are `"kind":"Event"` too, of `audit.k8s.io`: they are
/// JSON log lines, read by the `json` family.)
fn is_event(value: &Value) -> bool {
    value.get("reason").is_some() && (value.get("involvedObject").is_some() || value.get("regarding").is_some())
}

/// The keys under which documents list their records: Kubernetes lists, CloudWatch's
/// events, Cloud Logging's entries, OTLP's resources.
const RECORD_LISTS: [&[u8]; 4] = [b"items", b"events", b"entries", b"resourceLogs"];

/// Where the scanner is in the JSON text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Object,
    Array,
}

/// One open container: its kind, and for an array the key it is the value of.
struct Frame {
    container: Container,
    key: Vec<u8>,
}

/// A unit being read: its bytes, the line it starts on, and the line of its message; for
/// a unit of many records (an OTLP resource) the lines each of them starts on and has its
/// message on.
struct Unit {
    bytes: Vec<u8>,
    depth: usize,
    start_line: u64,
    message_line: Option<u64>,
    record_lines: Vec<(u64, Option<u64>)>,
    /// Fluent Bit's time, the number before the record in its pair.
    pair_time: Option<f64>,
    too_large: bool,
    /// For the top-level object: units were read in it (its list's items, already given).
    held_units: bool,
}

/// A record of a unit, owned.
#[derive(Debug)]
struct Record {
    micros: i64,
    severity: Option<u8>,
    host: String,
    program: String,
    message: Vec<u8>,
    /// A second time to give the record a line at (an event's last time).
    again_at: Option<i64>,
}

/// The JSON documents of a file, unit by unit, as lines.
pub(super) struct DocumentRecords<R: BufRead> {
    input: R,
    style: Style,
    /// The number of the line being read (0-based), whether it has bytes yet, the first
    /// line not handed out yet, and the record placed on each line from it on (the others
    /// are handed out empty).
    line_no: u64,
    line_started: bool,
    first_held: u64,
    held: BTreeMap<u64, Vec<u8>>,
    /// Records that found no line of their own: read after the last line; and how many.
    packed: Vec<Vec<u8>>,
    packed_count: u64,
    /// The open containers, the first [`MAX_DEPTH`] of them; `deeper` counts the rest.
    stack: Vec<Frame>,
    deeper: usize,
    in_string: bool,
    escaped: bool,
    /// The last string read, and whether it was a key (followed by `:`).
    string: Vec<u8>,
    last_key: Vec<u8>,
    unit: Option<Unit>,
    /// The top-level object, held while it may be a record of its own: until a unit in
    /// it gives a record (a list's item), or to its end (a pretty-printed log record
    /// whose own fields hold a list).
    top: Option<Unit>,
    /// A number just read, and how many elements the top-level array has had: the number
    /// that opens a top-level array is the time of Fluent Bit's `[time, {record}]` pair.
    last_number: Option<f64>,
    number: Vec<u8>,
    top_elements: usize,
    skipped_units: u64,
    unreadable_units: u64,
    untimed_records: u64,
    /// Untimed records of the units read in the top-level object: counted once it is
    /// known to be a list of them (its items of a record of its own are none).
    untimed_in_top: u64,
    /// Whether the last top-level object closed was a list of records.
    top_was_list: bool,
}

impl<R: BufRead + Send> DocumentRecords<R> {
    pub(super) fn new(input: R, style: Style) -> Self {
        DocumentRecords {
            input,
            style,
            line_no: 0,
            line_started: false,
            first_held: 0,
            held: BTreeMap::new(),
            packed: Vec::new(),
            packed_count: 0,
            stack: Vec::new(),
            deeper: 0,
            in_string: false,
            escaped: false,
            string: Vec::new(),
            last_key: Vec::new(),
            unit: None,
            top: None,
            last_number: None,
            number: Vec::new(),
            top_elements: 0,
            skipped_units: 0,
            unreadable_units: 0,
            untimed_records: 0,
            untimed_in_top: 0,
            top_was_list: false,
        }
    }

    /// Is an object opening at the current depth a unit: an element of the top-level array,
    /// or of a list of records the top-level object holds?
    fn opens_unit(&self) -> bool {
        match self.stack.as_slice() {
            [Frame {
                container: Container::Array,
                ..
            }] => true,
            [Frame {
                container: Container::Object,
                ..
            }, Frame {
                container: Container::Array,
                key,
            }] => RECORD_LISTS.contains(&key.as_slice()),
            _ => false,
        }
    }

    /// Scans a block of the document, keeping units and handing out the lines no open
    /// unit still needs.
    fn scan(&mut self, block: &[u8], out: &mut Vec<u8>) {
        for &b in block {
            if b == b'\n' {
                // A line break ends a line wherever it stands (JSON has none in strings;
                // a broken document's line numbers still follow the file's).
                self.line_no += 1;
                self.line_started = false;
                let open_since = [self.unit.as_ref(), self.top.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter(|u| !u.too_large)
                    .map(|u| u.start_line)
                    .min();
                self.hand_out(open_since.unwrap_or(self.line_no), out);
            } else {
                self.line_started = true;
            }
            // Bytes of an open unit, and of the top-level object while it may be a record
            // (a unit that opens on this byte starts with it).
            for held in [self.unit.as_mut(), self.top.as_mut()].into_iter().flatten() {
                if !held.too_large {
                    held.bytes.push(b);
                    held.too_large = held.bytes.len() > MAX_UNIT;
                }
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                } else if self.string.len() < 64 {
                    self.string.push(b);
                }
                continue;
            }
            if !self.number.is_empty() {
                if b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-') {
                    self.number.push(b);
                    continue;
                }
                self.finish_number();
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    self.string.clear();
                }
                // Past the depth any record has, containers are only counted.
                b'{' | b'[' if self.stack.len() >= MAX_DEPTH => self.deeper += 1,
                b'}' | b']' if self.deeper > 0 => self.deeper -= 1,
                b':' => {
                    self.last_key = std::mem::take(&mut self.string);
                    if MESSAGE_KEYS.contains(&self.last_key.as_slice()) {
                        self.note_message_line();
                    }
                }
                b'{' => {
                    let line_no = self.line_no;
                    if self.stack.is_empty() {
                        self.top = Some(Unit::starting(b'{', 1, line_no, None));
                    } else if self.unit.is_none() && self.opens_unit() {
                        let pair_time = self.last_number.take();
                        self.unit = Some(Unit::starting(b'{', self.stack.len() + 1, line_no, pair_time));
                        if let Some(top) = self.top.as_mut() {
                            top.held_units = true;
                        }
                    }
                    let in_records = self
                        .stack
                        .last()
                        .is_some_and(|f| f.container == Container::Array && f.key == b"logRecords");
                    if in_records {
                        if let Some(unit) = self.unit.as_mut() {
                            unit.record_lines.push((line_no, None));
                        }
                    }
                    self.stack.push(Frame {
                        container: Container::Object,
                        key: Vec::new(),
                    });
                }
                b'[' => {
                    let key = if self.stack.last().is_some_and(|f| f.container == Container::Object) {
                        std::mem::take(&mut self.last_key)
                    } else {
                        Vec::new()
                    };
                    if self.stack.is_empty() {
                        self.last_number = None;
                        self.top_elements = 0;
                    }
                    self.stack.push(Frame {
                        container: Container::Array,
                        key,
                    });
                }
                b'}' | b']' => {
                    self.stack.pop();
                    let depth = self.stack.len();
                    if self.unit.as_ref().is_some_and(|u| u.depth == depth + 1) {
                        let unit = self.unit.take().expect("a unit is open");
                        // A unit that gives records makes the top-level object a list of
                        // them, no record of its own.
                        let untimed_before = self.untimed_records;
                        let given = self.close(unit);
                        if self.top.is_some() {
                            // Counted once the top-level object is known to be a list.
                            self.untimed_in_top += std::mem::replace(&mut self.untimed_records, untimed_before) - untimed_before;
                        }
                        if given > 0 {
                            self.top = None;
                            self.untimed_records += std::mem::take(&mut self.untimed_in_top);
                        }
                        self.last_number = None;
                    } else if depth == 0 && b == b'}' {
                        if let Some(top) = self.top.take() {
                            let in_top = std::mem::take(&mut self.untimed_in_top);
                            let held_units = top.held_units;
                            self.close(top);
                            // A list none of whose items had a time: they count; a record
                            // of its own: its list's items were none.
                            if held_units && self.top_was_list {
                                self.untimed_records += in_top;
                            }
                        }
                    }
                    if depth == 0 {
                        self.last_number = None;
                    }
                }
                b',' if self.stack.len() == 1 => self.top_elements += 1,
                b'0'..=b'9' | b'-' if self.stack.last().is_some_and(|f| f.container == Container::Array) => {
                    self.number.push(b);
                }
                _ => {}
            }
        }
    }

    /// A number ends: kept only where it opens a top-level array (Fluent Bit's pair time);
    /// a number anywhere else is no record's time.
    fn finish_number(&mut self) {
        let opens_pair = self.stack.len() == 1 && self.stack[0].container == Container::Array && self.top_elements == 0;
        self.last_number = if opens_pair {
            std::str::from_utf8(&self.number).ok().and_then(|n| n.parse().ok())
        } else {
            None
        };
        self.number.clear();
    }

    /// A message key was just read: its line is where the record it belongs to is cited,
    /// if it is the record's own (not a nested object's) and its first.
    fn note_message_line(&mut self) {
        let line_no = self.line_no;
        let depth = self.stack.len();
        let in_record = depth >= 2 && self.stack[depth - 2].container == Container::Array && self.stack[depth - 2].key == b"logRecords";
        for held in [self.unit.as_mut(), self.top.as_mut()].into_iter().flatten() {
            if depth == held.depth {
                held.message_line.get_or_insert(line_no);
            } else if in_record {
                if let Some((_, message)) = held.record_lines.last_mut() {
                    message.get_or_insert(line_no);
                }
            }
        }
    }

    /// A unit read whole: its records placed on the lines of their messages (else where
    /// they start). Returns how many it gave.
    fn close(&mut self, unit: Unit) -> usize {
        if unit.too_large {
            self.skipped_units += 1;
            return 0;
        }
        let Ok(value) = serde_json::from_slice::<Value>(&unit.bytes) else {
            self.unreadable_units += 1;
            return 0;
        };
        // A list whose items were read as units is done; an object that only held a list
        // of its own (a cart's items) is a record.
        self.top_was_list = unit.held_units && is_export_record(&value);
        if self.top_was_list {
            return 0;
        }
        // One entry a record the unit holds (an OTLP resource holds many), `None` where
        // a record has no time that can be read: the entries line up with the lines the
        // scan noted for them.
        let records = records_of(&value, unit.pair_time);
        let mut record_lines = unit.record_lines.into_iter();
        let own_line = unit.message_line.unwrap_or(unit.start_line);
        let mut given = 0;
        for record in records {
            let at = record_lines.next().map_or(own_line, |(start, message)| message.unwrap_or(start));
            let Some(record) = record else {
                self.untimed_records += 1;
                continue;
            };
            given += 1;
            let mut line = Vec::new();
            record.carried(record.micros).write(self.style, &mut line);
            let placed = self.place(at, line);
            if let Some(again) = record.again_at.filter(|&a| a != record.micros) {
                let mut line = Vec::new();
                record.carried(again).write(self.style, &mut line);
                // Only on a spare line of the same record.
                if let Some(placed) = placed {
                    self.place_if_free(placed + 1, line);
                }
            }
        }
        given
    }

    /// Puts a record's line on line `at` or the next with none, up to the line being read;
    /// where all are taken, after the file's last line. Returns the line used.
    fn place(&mut self, at: u64, line: Vec<u8>) -> Option<u64> {
        let mut at = at.max(self.first_held);
        while at <= self.line_no && self.held.contains_key(&at) {
            at += 1;
        }
        if at > self.line_no {
            self.packed.push(line);
            self.packed_count += 1;
            return None;
        }
        self.held.insert(at, line);
        Some(at)
    }

    fn place_if_free(&mut self, at: u64, line: Vec<u8>) {
        if at <= self.line_no && at >= self.first_held && !self.held.contains_key(&at) {
            self.held.insert(at, line);
        }
    }

    /// Hands out every line before `until`: its record, or an empty line.
    fn hand_out(&mut self, until: u64, out: &mut Vec<u8>) {
        while self.first_held < until {
            if let Some(record) = self.held.remove(&self.first_held) {
                out.extend_from_slice(&record);
            }
            out.push(b'\n');
            self.first_held += 1;
        }
    }
}

impl Unit {
    fn starting(open: u8, depth: usize, start_line: u64, pair_time: Option<f64>) -> Unit {
        Unit {
            bytes: vec![open],
            depth,
            start_line,
            message_line: None,
            record_lines: Vec::new(),
            pair_time,
            too_large: false,
            held_units: false,
        }
    }
}

impl<R: BufRead + Send> Records for DocumentRecords<R> {
    fn next_lines(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let block = loop {
            match self.input.fill_buf() {
                Ok(buf) => break buf[..buf.len().min(SCAN_BLOCK)].to_vec(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if block.is_empty() {
            // A last line without its line break is a line too.
            if self.line_started {
                self.line_no += 1;
            }
            // What is still open at the end was cut short.
            if self.unit.take().is_some() {
                self.unreadable_units += 1;
            }
            self.top = None;
            self.hand_out(self.line_no, out);
            for record in std::mem::take(&mut self.packed) {
                out.extend_from_slice(&record);
                out.push(b'\n');
            }
            return Ok(false);
        }
        self.input.consume(block.len());
        self.scan(&block, out);
        Ok(true)
    }

    fn end_note(&self) -> Option<String> {
        let too_large = format!("records larger than {} MiB were skipped", MAX_UNIT >> 20);
        Notes::default()
            .count(
                self.skipped_units,
                &format!("record larger than {} MiB was skipped", MAX_UNIT >> 20),
                &too_large,
            )
            .count(
                self.unreadable_units,
                "record was not whole JSON and was skipped",
                "records were not whole JSON and were skipped",
            )
            .count(
                self.untimed_records,
                "record had no time that could be read and was skipped",
                "records had no time that could be read and were skipped",
            )
            .count(
                self.packed_count,
                "record shared a line with another and was read after the last line (cited past the file's end)",
                "records shared a line with another and were read after the last line (cited past the file's end)",
            )
            .said()
    }
}

impl Record {
    fn carried(&self, micros: i64) -> Carried<'_> {
        Carried {
            micros,
            severity: self.severity,
            facility: None,
            host: &self.host,
            program: &self.program,
            pid: "",
            message: &self.message,
            naive: false,
        }
    }
}

/// The records of one unit, one entry each (`None` for one with no readable time).
fn records_of(value: &Value, pair_time: Option<f64>) -> Vec<Option<Record>> {
    if let Some(resource_logs) = value.get("resourceLogs").and_then(Value::as_array) {
        return resource_logs.iter().flat_map(otlp_records).collect();
    }
    if value.get("scopeLogs").is_some() {
        return otlp_records(value);
    }
    if is_export_record(value) {
        for list in ["items", "events", "entries"] {
            if let Some(items) = value.get(list).and_then(Value::as_array) {
                return items.iter().flat_map(|item| records_of(item, None)).collect();
            }
        }
    }
    let record = match value.get("object") {
        Some(object) if is_event(object) => event(object),
        _ if is_event(value) => event(value),
        _ if value.get("__REALTIME_TIMESTAMP").is_some() => journal_json(value),
        _ if value.get("logStreamName").is_some() || value.get("ingestionTime").is_some() => cloudwatch(value),
        _ if value.get("logName").is_some() || value.get("textPayload").is_some() || value.get("jsonPayload").is_some() => {
            cloud_logging(value)
        }
        _ => generic(value, pair_time),
    };
    vec![record]
}

fn text<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The first of `paths` that holds a text that is not empty.
fn first_text<'a>(value: &'a Value, paths: &[&[&str]]) -> Option<&'a str> {
    paths.iter().map(|path| text(value, path)).find(|s| !s.is_empty())
}

/// An RFC 3339 time as microseconds since the epoch.
fn rfc3339(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.timestamp_micros())
}

/// A Kubernetes event.
fn event(value: &Value) -> Option<Record> {
    let first = rfc3339(text(value, &["firstTimestamp"])).or_else(|| rfc3339(text(value, &["deprecatedFirstTimestamp"])));
    let last = rfc3339(text(value, &["lastTimestamp"]))
        .or_else(|| rfc3339(text(value, &["series", "lastObservedTime"])))
        .or_else(|| rfc3339(text(value, &["deprecatedLastTimestamp"])));
    let event_time = rfc3339(text(value, &["eventTime"]));
    let created = rfc3339(text(value, &["metadata", "creationTimestamp"]));
    let micros = first.or(event_time).or(last).or(created)?;
    let count = value
        .get("count")
        .or_else(|| value.pointer("/series/count"))
        .or_else(|| value.get("deprecatedCount"))
        .and_then(Value::as_u64)
        .unwrap_or(1);
    let object = value
        .get("involvedObject")
        .or_else(|| value.get("regarding"))
        .unwrap_or(&Value::Null);
    let kind = text(object, &["kind"]).to_ascii_lowercase();
    let namespace = text(object, &["namespace"]);
    let name = text(object, &["name"]);
    let field = text(object, &["fieldPath"]);
    let reason = text(value, &["reason"]);
    let note = match text(value, &["message"]) {
        "" => text(value, &["note"]),
        message => message,
    };
    let mut message = String::new();
    message.push_str(if kind.is_empty() { "object" } else { &kind });
    message.push(' ');
    if !namespace.is_empty() {
        message.push_str(namespace);
        message.push('/');
    }
    message.push_str(name);
    if !field.is_empty() {
        message.push_str(&format!(" ({field})"));
    }
    message.push_str(&format!(": {reason}: {note}"));
    if count > 1 {
        let since = first
            .and_then(chrono::DateTime::from_timestamp_micros)
            .map(|t| t.format(" since %Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        message.push_str(&format!(" ({count} times{since})"));
    }
    let warning = text(value, &["type"]).eq_ignore_ascii_case("warning");
    let program = first_text(
        value,
        &[&["source", "component"], &["reportingComponent"], &["reportingController"]],
    )
    .unwrap_or("kubernetes");
    let host = first_text(value, &[&["source", "host"], &["reportingInstance"]]).unwrap_or("");
    Some(Record {
        micros,
        // A `Warning` event as a warning; `Normal` ones as notices.
        severity: Some(if warning { 4 } else { 5 }),
        host: host.into(),
        program: program.into(),
        message: message.into_bytes(),
        again_at: last.filter(|_| count > 1),
    })
}

/// OTLP severity numbers (1–24, four to a level) and texts as syslog severities.
fn otlp_severity(record: &Value) -> Option<u8> {
    match record.get("severityNumber").and_then(Value::as_u64) {
        Some(1..=8) => Some(7),
        Some(9..=12) => Some(6),
        Some(13..=16) => Some(4),
        Some(17..=20) => Some(3),
        Some(21..=24) => Some(2),
        _ => severity_of_word(text(record, &["severityText"]).as_bytes()),
    }
}

/// An OTLP `AnyValue` as text: a string as it is, anything else as JSON.
fn any_value(value: &Value) -> String {
    match value.get("stringValue").and_then(Value::as_str) {
        Some(s) => s.to_string(),
        None => match value.as_object().and_then(|o| o.values().next()) {
            Some(inner) => match inner.as_str() {
                Some(s) => s.to_string(),
                None => inner.to_string(),
            },
            None => value.to_string(),
        },
    }
}

/// A resource's attribute, by one of its names.
fn attribute<'a>(attributes: &'a Value, names: &[&str]) -> Option<&'a str> {
    attributes.as_array()?.iter().find_map(|a| {
        let key = a.get("key")?.as_str()?;
        names.contains(&key).then(|| a.pointer("/value/stringValue")?.as_str()).flatten()
    })
}

/// The log records of one OTLP resource.
fn otlp_records(resource_logs: &Value) -> Vec<Option<Record>> {
    let attributes = resource_logs.pointer("/resource/attributes").unwrap_or(&Value::Null);
    let service = attribute(attributes, &["service.name", "service_name"]).unwrap_or("");
    let host = attribute(attributes, &["host.name", "k8s.pod.name", "host_name"]).unwrap_or("");
    let mut records = Vec::new();
    for scope in resource_logs.get("scopeLogs").and_then(Value::as_array).into_iter().flatten() {
        let scope_name = text(scope, &["scope", "name"]);
        for record in scope.get("logRecords").and_then(Value::as_array).into_iter().flatten() {
            let nanos = |key: &str| match record.get(key) {
                Some(Value::String(s)) => s.parse::<i64>().ok(),
                Some(n) => n.as_i64(),
                None => None,
            };
            let micros = nanos("timeUnixNano")
                .filter(|&n| n > 0)
                .or_else(|| nanos("observedTimeUnixNano").filter(|&n| n > 0))
                .map(|n| n / 1000);
            records.push(micros.map(|micros| Record {
                micros,
                severity: otlp_severity(record),
                host: host.into(),
                program: if service.is_empty() { scope_name.into() } else { service.into() },
                message: record.get("body").map(any_value).unwrap_or_default().into_bytes(),
                again_at: None,
            }));
        }
    }
    records
}

/// A `journalctl -o json(-pretty)` entry: its values strings, or arrays of bytes for
/// binary ones.
fn journal_json(value: &Value) -> Option<Record> {
    let field = |name: &str| -> Option<String> {
        match value.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Array(bytes) => Some(
                String::from_utf8_lossy(
                    &bytes
                        .iter()
                        .filter_map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                        .collect::<Vec<u8>>(),
                )
                .into_owned(),
            ),
            other => Some(other.to_string()),
        }
    };
    let micros = field("_SOURCE_REALTIME_TIMESTAMP")
        .or_else(|| field("__REALTIME_TIMESTAMP"))?
        .parse()
        .ok()?;
    let program = field("SYSLOG_IDENTIFIER").or_else(|| field("_COMM")).unwrap_or_default();
    Some(Record {
        micros,
        severity: field("PRIORITY").and_then(|p| p.parse().ok()).filter(|&p: &u8| p <= 7),
        host: field("_HOSTNAME").unwrap_or_default(),
        program,
        message: field("MESSAGE")?.into_bytes(),
        again_at: None,
    })
}

/// A CloudWatch Logs event.
fn cloudwatch(value: &Value) -> Option<Record> {
    let millis = value.get("timestamp").and_then(Value::as_i64)?;
    Some(Record {
        micros: millis.checked_mul(1000)?,
        severity: None,
        host: String::new(),
        program: text(value, &["logStreamName"]).into(),
        message: text(value, &["message"]).as_bytes().to_vec(),
        again_at: None,
    })
}

/// A Cloud Logging `LogEntry`. A request log's entry (a load balancer's, Cloud Run's:
/// an `httpRequest` with its status) is its whole entry as one JSON line, which the JSON
/// access family reads as a request; any other's, its payload's message.
fn cloud_logging(value: &Value) -> Option<Record> {
    let micros = rfc3339(text(value, &["timestamp"])).or_else(|| rfc3339(text(value, &["receiveTimestamp"])))?;
    let request = value.pointer("/httpRequest/status").is_some_and(Value::is_number) && value.pointer("/httpRequest/requestUrl").is_some();
    let message = match value.get("textPayload").and_then(Value::as_str) {
        _ if request => value.to_string(),
        Some(t) => t.to_string(),
        None => match value.pointer("/jsonPayload/message").and_then(Value::as_str) {
            Some(m) => m.to_string(),
            None => value
                .get("jsonPayload")
                .or_else(|| value.get("protoPayload"))
                .map(Value::to_string)
                .unwrap_or_default(),
        },
    };
    let labels = value.pointer("/resource/labels").unwrap_or(&Value::Null);
    let log_name = text(value, &["logName"]).rsplit('/').next().unwrap_or("").replace("%2F", "/");
    let program = first_text(labels, &[&["container_name"], &["service_name"], &["function_name"]]).map_or(log_name, str::to_string);
    let host = first_text(labels, &[&["pod_name"], &["instance_id"], &["revision_name"]]).unwrap_or("");
    Some(Record {
        micros,
        severity: severity_of_word(text(value, &["severity"]).as_bytes()),
        host: host.into(),
        program,
        message: message.into_bytes(),
        again_at: None,
    })
}

/// The time keys of records of no known export.
const TIME_KEYS: [&str; 6] = ["@timestamp", "timestamp", "time", "ts", "date", "_time"];
/// The keys whose value is a record's message, in the order they are looked for; the line
/// of the first of them in a record is where the record is cited.
const MESSAGE_KEYS: [&[u8]; 10] = [
    b"message",
    b"msg",
    b"note",
    b"log",
    b"line",
    b"body",
    b"_raw",
    b"MESSAGE",
    b"textPayload",
    b"jsonPayload",
];

/// Any other record: a time key (RFC 3339, or seconds or milliseconds since the epoch), a
/// message key, a level key; else the time of its Fluent Bit pair.
fn generic(value: &Value, pair_time: Option<f64>) -> Option<Record> {
    let object = value.as_object()?;
    let micros = TIME_KEYS
        .iter()
        .find_map(|k| match object.get(*k)? {
            Value::String(s) => rfc3339(s),
            Value::Number(n) => epoch_micros(n.as_f64()?),
            _ => None,
        })
        .or_else(|| pair_time.and_then(epoch_micros))?;
    let message = MESSAGE_KEYS
        .iter()
        .find_map(|k| object.get(std::str::from_utf8(k).ok()?)?.as_str())
        .map_or_else(|| value.to_string(), str::to_string);
    let program = ["service", "app", "container_name", "logger"]
        .iter()
        .find_map(|k| object.get(*k)?.as_str())
        .unwrap_or("");
    let host = ["host", "hostname", "pod_name"]
        .iter()
        .find_map(|k| object.get(*k)?.as_str())
        .unwrap_or("");
    Some(Record {
        micros,
        severity: ["level", "severity", "loglevel"]
            .iter()
            .find_map(|k| severity_of_word(object.get(*k)?.as_str()?.as_bytes())),
        host: host.into(),
        program: program.into(),
        message: message.trim_end().as_bytes()[..message.trim_end().len().min(MAX_MESSAGE)].to_vec(),
        again_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines a document gives, and the note at its end.
    fn lines_of(document: &str) -> (Vec<String>, Option<String>) {
        super::super::lines_of(super::super::Export::JsonDocument, document.as_bytes())
    }

    const EVENT_LIST: &str = r#"{
    "apiVersion": "v1",
    "items": [
        {
            "count": 12,
            "firstTimestamp": "2025-02-03T08:10:00Z",
            "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "prod"},
            "lastTimestamp": "2025-02-03T08:21:30Z",
            "message": "Back-off pulling image \"registry/web:2\"",
            "reason": "BackOff",
            "source": {"component": "kubelet", "host": "node-7"},
            "type": "Warning"
        },
        {
            "eventTime": "2025-02-03T08:09:58.120000Z",
            "involvedObject": {"kind": "Deployment", "name": "web", "namespace": "prod"},
            "message": "Scaled up replica set web-5c9 to 1",
            "reason": "ScalingReplicaSet",
            "reportingComponent": "deployment-controller",
            "type": "Normal"
        }
    ],
    "kind": "List"
}
"#;

    #[test]
    fn an_event_list_gives_a_line_a_line_each_event_at_its_message() {
        let (lines, note) = lines_of(EVENT_LIST);
        assert_eq!(lines.len(), EVENT_LIST.lines().count());
        assert_eq!(note, None);
        let message = |text: &str| EVENT_LIST.lines().position(|l| l.contains(text)).unwrap();
        let backoff = message("Back-off pulling");
        assert_eq!(
            lines[backoff],
            "<12>2025-02-03T08:10:00.000000Z node-7 kubelet: pod prod/web-1: BackOff: Back-off pulling image \"registry/web:2\" (12 times since 2025-02-03T08:10:00Z)"
        );
        // Seen twelve times: again at its last time, on the record's next line.
        assert!(lines[backoff + 1].starts_with("<12>2025-02-03T08:21:30.000000Z node-7 kubelet: pod prod/web-1: BackOff"));
        let scaled = message("Scaled up");
        assert_eq!(
            lines[scaled],
            "<13>2025-02-03T08:09:58.120000Z - deployment-controller: deployment prod/web: ScalingReplicaSet: Scaled up replica set web-5c9 to 1"
        );
        let others = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| ![backoff, backoff + 1, scaled].contains(i));
        assert!(others.clone().all(|(_, l)| l.is_empty()), "{:?}", others.collect::<Vec<_>>());
    }

    #[test]
    fn records_packed_on_one_line_go_after_the_last_and_shift_no_line() {
        let compact: String = EVENT_LIST.lines().map(str::trim).collect();
        // The list on line 1, a record on line 2 after it.
        let (lines, note) = lines_of(&format!("{compact}\n{{\"time\":\"2025-02-03T09:00:00Z\",\"msg\":\"after\"}}\n"));
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("BackOff") && lines[1].ends_with("after") && lines[2].contains("ScalingReplicaSet"));
        assert!(note.unwrap().contains("1 record shared a line"));
    }

    #[test]
    fn a_record_without_a_time_keeps_the_others_on_their_lines() {
        let otlp = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[\n{\"body\":{\"stringValue\":\"no time\"}},\n{\"timeUnixNano\":\"1700000000000000000\",\"body\":{\"stringValue\":\"second\"}}\n]}]}]}\n";
        let (lines, note) = lines_of(otlp);
        assert_eq!(lines.len(), 4);
        assert!(lines[1].is_empty() && lines[2].ends_with("second"), "{lines:?}");
        assert!(note.unwrap().contains("1 record had no time"));
        // A number inside one record is no time of the next.
        let (lines, _) = lines_of("[{\"time\":\"2025-01-01T00:00:00Z\",\"codes\":[5],\"msg\":\"a\"},{\"msg\":\"b\"}]\n");
        assert_eq!(lines, ["2025-01-01T00:00:00.000000Z - unknown: a"]);
    }

    #[test]
    fn a_log_record_that_holds_a_list_is_a_record_not_a_list() {
        let pretty = "{\n  \"ts\": \"2025-01-01T00:00:00Z\",\n  \"level\": \"error\",\n  \"msg\": \"checkout failed\",\n  \"items\": [{\"sku\": \"a1\"}]\n}\n";
        let (lines, note) = lines_of(pretty);
        assert_eq!(
            (lines[3].as_str(), note),
            ("<11>2025-01-01T00:00:00.000000Z - unknown: checkout failed", None)
        );
        assert!(!is_document(
            b"{\"ts\":\"2025-01-01T00:00:00Z\",\"level\":\"info\",\"msg\":\"cart\",\"items\":[{\"sku\":\"a1\"}]}\n"
        ));
        assert!(!is_document(b"[{'worker': 1}, {'worker': 2}] started\n"));
    }

    #[test]
    fn otlp_records_take_their_resource_and_severity() {
        let otlp = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}},{"key":"host.name","value":{"stringValue":"vm-3"}}]},
"scopeLogs":[{"scope":{"name":"lib"},"logRecords":[
{"timeUnixNano":"1700000000000000000","severityNumber":17,"body":{"stringValue":"charge failed: card declined"}},
{"timeUnixNano":1700000001500000000,"severityText":"WARN","body":{"kvlistValue":{"values":[]}}}
]}]}]}
"#;
        let (lines, note) = lines_of(otlp);
        assert_eq!(note, None);
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[2],
            "<11>2023-11-14T22:13:20.000000Z vm-3 billing: charge failed: card declined"
        );
        assert_eq!(lines[3], "<12>2023-11-14T22:13:21.500000Z vm-3 billing: {\"values\":[]}");
    }

    #[test]
    fn cloud_exports_and_fluent_bit_pairs_are_read_by_their_fields() {
        let cloudwatch = r#"{"events":[{"logStreamName":"2025/01/02/[$LATEST]ab12","timestamp":1735812000123,"message":"ERROR timeout calling ledger","ingestionTime":1735812000200,"eventId":"1"}],"searchedLogStreams":[]}"#;
        let (lines, _) = lines_of(cloudwatch);
        assert_eq!(
            lines,
            ["2025-01-02T10:00:00.123000Z - 2025/01/02/[$LATEST]ab12: ERROR timeout calling ledger"]
        );
        let gcloud = "[\n  {\n    \"logName\": \"projects/p/logs/stdout\",\n    \"resource\": {\"type\": \"k8s_container\", \"labels\": {\"pod_name\": \"api-7\", \"container_name\": \"api\"}},\n    \"severity\": \"ERROR\",\n    \"textPayload\": \"upstream reset\",\n    \"timestamp\": \"2025-01-02T10:00:01.5Z\"\n  }\n]\n";
        let (lines, _) = lines_of(gcloud);
        assert_eq!(lines.len(), gcloud.lines().count());
        assert_eq!(lines[5], "<11>2025-01-02T10:00:01.500000Z api-7 api: upstream reset");
        // A load balancer's request logs: each entry whole, as a JSON access record.
        let requests = "[\n  {\"httpRequest\": {\"requestMethod\": \"GET\", \"requestUrl\": \"https://shop.example.org/cart\", \"status\": 502, \"latency\": \"0.004s\"},\n   \"logName\": \"projects/p/logs/requests\", \"severity\": \"WARNING\", \"timestamp\": \"2025-01-02T10:00:02Z\"}\n]\n";
        let (lines, _) = lines_of(requests);
        let line = lines.iter().find(|l| l.contains("httpRequest")).unwrap();
        let record = &line[line.find('{').unwrap()..];
        assert!(record.contains("\"status\":502"), "{record}");
        let fields = crate::format::AccessFields::of_lines(&[record.as_bytes()]).unwrap();
        assert_eq!(fields.request(record.as_bytes()).map(|r| r.status), Some(502));
        let fluent_bit = "[1554141513.598656,{\"log\":\"started\\n\",\"stream\":\"stdout\"}]";
        let (lines, _) = lines_of(fluent_bit);
        assert_eq!(lines, ["2019-04-01T17:58:33.598656Z - unknown: started"]);
    }

    #[test]
    fn hostile_documents_cost_little_and_say_what_was_skipped() {
        // Nested a hundred thousand deep: counted, not followed.
        let deep = format!("[{}{}]\n", "[".repeat(100_000), "]".repeat(100_000));
        let (lines, _) = lines_of(&deep);
        assert_eq!(lines, [""]);
        // A record cut short, and one that is not JSON inside.
        let (lines, note) = lines_of("[\n{\"time\":\"2025-01-01T00:00:00Z\",\"msg\":\"a\"},\n{\"time\": tru\n");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "2025-01-01T00:00:00.000000Z - unknown: a");
        assert!(note.unwrap().contains("not whole JSON"));
        // Strings with braces, quotes and escapes do not open records.
        let tricky = "[{\"ts\":1700000000,\"message\":\"x {\\\"y\\\": [1,2]} }\"}]";
        let (lines, note) = lines_of(tricky);
        assert_eq!((lines.len(), note), (1, None));
        assert!(lines[0].ends_with("x {\"y\": [1,2]} }"));
    }

    #[test]
    fn documents_are_known_and_json_log_lines_are_not() {
        assert!(is_document(EVENT_LIST.as_bytes()));
        assert!(is_document(b"[{\"a\":1}]"));
        assert!(is_document(b"[1554141513.598656,{\"log\":\"x\"}]"));
        assert!(is_document(
            b"{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Event\",\"reason\":\"X\",\"involvedObject\":{}}}\n"
        ));
        assert!(!is_document(b"{\"level\":\"error\",\"ts\":1700000000,\"msg\":\"x\"}\n"));
        assert!(!is_document(
            b"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"stageTimestamp\":\"2023-01-01T00:00:00Z\"}\n"
        ));
        assert!(!is_document(b"[2025-01-01 00:00:00] local.ERROR: x\n"));
        assert!(!is_document(
            b"{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2019-04-01T17:58:33Z\"}\n"
        ));
    }
}
