//! CSV exports of log platforms, known by their header: a time column and a message
//! column, and where present a host, a service and a level column. The shapes, from each
//! platform's export:
//!
//! - Kibana/OpenSearch Discover: `"@timestamp",message` (or `host.name`, `log.level`…),
//!   times as Kibana's default `dateFormat` prints them (`Mar 31, 2026 @ 09:37:18.780`) in
//!   the browser's zone, which the file does not say: read in the run's zone (`--tz`), as
//!   any stamp without a zone is.
//! - Datadog: `Date,Host,Service,Message`.
//! - Splunk: `_time` (ISO with its offset) and `_raw`, with `host`, `source`, `sourcetype`.
//! - Azure Log Analytics: `TimeGenerated [UTC]` (`8/23/2023, 2:00:00.000 PM`), with
//!   `Computer`, `Message` or `RenderedDescription`: UTC, as the header says.
//! - CloudWatch Logs Insights: `@timestamp,@message` (`2024-03-04 09:37:18.780`), always
//!   UTC (the console's and `get-query-results`' times are).
//!
//! Fields follow RFC 4180: quoted with `"`, a quote inside doubled, commas and line
//! breaks inside quotes. A row over several lines is one record, at its first line; its
//! other lines are read as empty lines, so citations keep the file's line numbers.

use super::super::records::{read_line_bounded, Records};
use super::{epoch_micros, severity_of_word, Carried, Notes, Style, MAX_MESSAGE};
use std::io::{self, BufRead};

/// Header names of each column a record is made of, lower-cased.
const TIME_COLUMNS: [&str; 9] = [
    "@timestamp",
    "timestamp",
    "date",
    "_time",
    "time",
    "timegenerated [utc]",
    "timegenerated",
    "timestamp [utc]",
    "eventtime",
];
const MESSAGE_COLUMNS: [&str; 8] = [
    "@message",
    "message",
    "_raw",
    "content",
    "msg",
    "log",
    "renderdescription",
    "rendereddescription",
];
const HOST_COLUMNS: [&str; 6] = ["host", "host.name", "hostname", "computer", "@logstream", "_sourcecategory"];
const SERVICE_COLUMNS: [&str; 6] = ["service", "service.name", "sourcetype", "source", "@log", "app"];
const LEVEL_COLUMNS: [&str; 6] = ["level", "log.level", "status", "severity", "severitylevel", "loglevel"];

/// The longest row read: past it a row is skipped and counted.
const MAX_ROW: usize = MAX_MESSAGE + (64 << 10);

/// Where each part of a record is in a row, and the zone its times are in.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Columns {
    time: usize,
    message: usize,
    host: Option<usize>,
    service: Option<usize>,
    level: Option<usize>,
    /// The header or the platform says the times are UTC.
    utc: bool,
}

impl Columns {
    fn of_header(header: &[Vec<u8>]) -> Option<Columns> {
        let names: Vec<String> = header
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase()
            })
            .collect();
        let find = |wanted: &[&str]| wanted.iter().find_map(|w| names.iter().position(|n| n == w));
        let time = find(&TIME_COLUMNS)?;
        let message = find(&MESSAGE_COLUMNS)?;
        if time == message {
            return None;
        }
        // CloudWatch Logs Insights names its columns `@timestamp` and `@message`.
        let insights = names[time] == "@timestamp" && names[message] == "@message";
        Some(Columns {
            time,
            message,
            host: find(&HOST_COLUMNS),
            service: find(&SERVICE_COLUMNS),
            level: find(&LEVEL_COLUMNS),
            utc: names[time].contains("[utc]") || insights,
        })
    }
}

/// Does a head read as a CSV export: a header naming a time and a message column?
pub(super) fn is_csv(head: &[u8]) -> bool {
    let head = head.strip_prefix(crate::format::UTF8_BOM).unwrap_or(head);
    let first = crate::format::lines(head).next().unwrap_or_default();
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    memchr::memchr(b',', first).is_some() && split_row(first).is_some_and(|fields| Columns::of_header(&fields).is_some())
}

/// The fields of one whole row (RFC 4180); `None` when a quote is left open.
fn split_row(row: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut quoted = false;
    let mut at = 0;
    let mut field_start = true;
    while at < row.len() {
        let b = row[at];
        if quoted {
            if b == b'"' {
                if row.get(at + 1) == Some(&b'"') {
                    field.push(b'"');
                    at += 1;
                } else {
                    quoted = false;
                }
            } else {
                field.push(b);
            }
        } else if b == b'"' && field_start {
            quoted = true;
        } else if b == b',' {
            fields.push(std::mem::take(&mut field));
            field_start = true;
            at += 1;
            continue;
        } else {
            field.push(b);
        }
        field_start = false;
        at += 1;
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

/// Whether a row is inside a quoted field, followed byte by byte as [`split_row`] reads
/// it: a quote opens a field only at the field's start (`ordered 27" monitor` is text), a
/// doubled quote inside one is a quote. A row goes on past a line break inside quotes.
#[derive(Clone, Copy)]
struct Quotes {
    open: bool,
    /// A quote inside a quoted field: its end, unless another follows.
    pending: bool,
    field_start: bool,
}

impl Quotes {
    const ROW_START: Quotes = Quotes {
        open: false,
        pending: false,
        field_start: true,
    };

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.pending {
                self.pending = false;
                if b == b'"' {
                    continue;
                }
                self.open = false;
            }
            if self.open {
                self.pending = b == b'"';
                continue;
            }
            match b {
                b'"' if self.field_start => {
                    self.open = true;
                    self.field_start = false;
                }
                b',' => self.field_start = true,
                _ => self.field_start = false,
            }
        }
    }

    fn is_open(&self) -> bool {
        self.open && !self.pending
    }
}

/// A time as the platforms write it: microseconds, and whether the text said its zone.
fn parse_time(text: &str) -> Option<(i64, bool)> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some((t.timestamp_micros(), true));
    }
    if let Ok(t) = chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f %z") {
        return Some((t.timestamp_micros(), true));
    }
    const NAIVE: [&str; 6] = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        // Kibana's default `dateFormat`.
        "%b %d, %Y @ %H:%M:%S%.f",
        // Azure portal's.
        "%m/%d/%Y, %I:%M:%S%.f %p",
        "%m/%d/%Y %I:%M:%S%.f %p",
        "%m/%d/%Y %H:%M:%S%.f",
    ];
    if let Some(t) = NAIVE.iter().find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok()) {
        return Some((t.and_utc().timestamp_micros(), false));
    }
    epoch_micros(text.parse().ok()?).map(|micros| (micros, true))
}

/// A CSV export, row by row.
pub(super) struct CsvRecords<R: BufRead> {
    input: R,
    style: Style,
    line: Vec<u8>,
    /// The row being read, how many lines it has taken, where its quotes stand, and
    /// whether it grew past [`MAX_ROW`] (then it is skipped, its lines read as empty).
    row: Vec<u8>,
    row_lines: u64,
    quotes: Quotes,
    row_too_long: bool,
    columns: Option<Columns>,
    skipped_rows: u64,
    untimed_rows: u64,
}

impl<R: BufRead + Send> CsvRecords<R> {
    pub(super) fn new(input: R, style: Style) -> Self {
        CsvRecords {
            input,
            style,
            line: Vec::new(),
            row: Vec::new(),
            row_lines: 0,
            quotes: Quotes::ROW_START,
            row_too_long: false,
            columns: None,
            skipped_rows: 0,
            untimed_rows: 0,
        }
    }

    /// The row read whole: its record's line, then an empty line for each other line it took.
    fn finish_row(&mut self, out: &mut Vec<u8>) {
        let row = std::mem::take(&mut self.row);
        let lines = std::mem::take(&mut self.row_lines);
        if lines == 0 {
            return;
        }
        let row = row.strip_suffix(b"\n").unwrap_or(&row);
        let row = row.strip_suffix(b"\r").unwrap_or(row);
        match (&self.columns, split_row(row)) {
            (_, None) => self.skipped_rows += 1,
            (None, Some(fields)) => {
                // The header: what follows is read by it.
                self.columns = Columns::of_header(&fields);
            }
            (Some(columns), Some(fields)) => self.write_record(columns.clone(), &fields, out),
        }
        out.push(b'\n');
        for _ in 1..lines {
            out.push(b'\n');
        }
    }

    fn write_record(&mut self, columns: Columns, fields: &[Vec<u8>], out: &mut Vec<u8>) {
        let field = |index: Option<usize>| index.and_then(|i| fields.get(i)).map_or(&b""[..], |f| &f[..]);
        let Some((micros, zoned)) = parse_time(&String::from_utf8_lossy(field(Some(columns.time)))) else {
            if !fields.iter().all(|f| f.is_empty()) {
                self.untimed_rows += 1;
            }
            return;
        };
        let host = String::from_utf8_lossy(field(columns.host));
        let service = String::from_utf8_lossy(field(columns.service));
        Carried {
            micros,
            severity: severity_of_word(field(columns.level)),
            facility: None,
            host: &host,
            program: &service,
            pid: "",
            message: field(Some(columns.message)),
            naive: !(zoned || columns.utc),
        }
        .write(self.style, out);
    }
}

impl<R: BufRead + Send> Records for CsvRecords<R> {
    fn next_lines(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let mut line = std::mem::take(&mut self.line);
        let taken = read_line_bounded(&mut self.input, &mut line, MAX_ROW)?;
        if taken == 0 {
            self.line = line;
            if !self.row.is_empty() || self.row_lines > 0 {
                // A row whose quote never closed.
                self.skipped_rows += 1;
                self.row.clear();
                for _ in 0..std::mem::take(&mut self.row_lines) {
                    out.push(b'\n');
                }
            }
            return Ok(false);
        }
        self.row_lines += 1;
        if self.row_lines == 1 && self.columns.is_none() {
            // A byte order mark would hide the header's first name.
            if let Some(rest) = line.strip_prefix(crate::format::UTF8_BOM) {
                line = rest.to_vec();
            }
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        self.quotes.feed(text.strip_suffix(b"\r").unwrap_or(text));
        if self.row.len() + line.len() <= MAX_ROW {
            self.row.extend_from_slice(&line);
        } else {
            self.row_too_long = true;
        }
        self.line = line;
        // A quote left open ends with the row's bound: the rest of the file is not one field.
        if !self.quotes.is_open() || self.row_too_long {
            if self.row_too_long {
                self.row = b"\"".to_vec();
            }
            self.finish_row(out);
            self.quotes = Quotes::ROW_START;
            self.row_too_long = false;
        }
        Ok(true)
    }

    fn end_note(&self) -> Option<String> {
        Notes::default()
            .count(
                self.skipped_rows,
                "row was not whole CSV and was skipped",
                "rows were not whole CSV and were skipped",
            )
            .count(
                self.untimed_rows,
                "row had no time that could be read",
                "rows had no time that could be read",
            )
            .said()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(csv: &str) -> (Vec<String>, Option<String>) {
        super::super::lines_of(super::super::Export::Csv, csv.as_bytes())
    }

    #[test]
    fn each_platform_s_header_is_known_and_a_plain_csv_is_not() {
        assert!(is_csv(b"\"@timestamp\",message\n"));
        assert!(is_csv(b"Date,Host,Service,Message\n"));
        assert!(is_csv(b"\"_time\",\"_raw\",host,source,sourcetype\n"));
        assert!(is_csv(b"TenantId,TimeGenerated [UTC],Computer,Message\n"));
        assert!(is_csv(b"@timestamp,@message\r\n"));
        assert!(!is_csv(b"id,name,price\n"));
        assert!(!is_csv(b"2024-01-01 00:00:00,123 INFO started, listening on 8080\n"));
    }

    #[test]
    fn quoted_fields_hold_commas_quotes_and_line_breaks_and_the_row_stays_at_its_first_line() {
        let csv = "Date,Host,Service,Status,Message\n\
                   2025-03-31T09:37:18.780Z,web-2,checkout,error,\"payment failed: \"\"card declined\"\", code 51\"\n\
                   2025-03-31T09:37:19.001Z,web-2,checkout,info,\"Traceback (most recent call last):\n  File \"\"app.py\"\", line 3\nKeyError: 'eur'\"\n\
                   2025-03-31T09:37:20Z,web-3,search,warn,slow query\n";
        let (lines, note) = lines_of(csv);
        assert_eq!(note, None);
        assert_eq!(lines.len(), csv.lines().count());
        assert_eq!(
            lines[1],
            "<11>2025-03-31T09:37:18.780000Z web-2 checkout: payment failed: \"card declined\", code 51"
        );
        assert_eq!(
            lines[2],
            "<14>2025-03-31T09:37:19.001000Z web-2 checkout: Traceback (most recent call last):   File \"app.py\", line 3 KeyError: 'eur'"
        );
        assert_eq!((lines[3].as_str(), lines[4].as_str()), ("", ""));
        assert_eq!(lines[5], "<12>2025-03-31T09:37:20.000000Z web-3 search: slow query");
    }

    #[test]
    fn times_are_read_in_utc_where_the_header_or_the_platform_says_so_else_without_a_zone() {
        let azure = "TenantId,TimeGenerated [UTC],Computer,Message\nabc,\"8/23/2023, 2:00:00.000 PM\",vm-1,Disk full\n";
        assert_eq!(lines_of(azure).0[1], "2023-08-23T14:00:00.000000Z vm-1 unknown: Disk full");
        let insights = "@timestamp,@message\n2024-03-04 09:37:18.780,ERROR upstream timed out\n";
        assert_eq!(
            lines_of(insights).0[1],
            "2024-03-04T09:37:18.780000Z - unknown: ERROR upstream timed out"
        );
        let kibana = "\"@timestamp\",\"host.name\",message\n\"Mar 31, 2026 @ 09:37:18.780\",db-1,\"connection refused\"\n";
        assert_eq!(lines_of(kibana).0[1], "2026-03-31T09:37:18.780000 db-1 unknown: connection refused");
        let splunk = "\"_time\",\"_raw\"\n\"2024-03-04T09:37:18.780+01:00\",\"ERROR x\"\n";
        assert_eq!(lines_of(splunk).0[1], "2024-03-04T08:37:18.780000Z - unknown: ERROR x");
    }

    #[test]
    fn a_quote_inside_text_opens_nothing_and_a_marked_header_is_known() {
        let csv = "\u{feff}\"Date\",Message\n2025-03-31T09:37:18Z,ordered a 27\" monitor\n2025-03-31T09:37:19Z,\"says \"\"hi\"\"\nand more\"\n2025-03-31T09:37:20Z,last\n";
        assert!(is_csv(csv.as_bytes()));
        let (lines, note) = lines_of(csv);
        assert_eq!(note, None);
        assert_eq!(lines.len(), 5);
        assert!(lines[1].ends_with("ordered a 27\" monitor"));
        assert!(lines[2].ends_with("says \"hi\" and more") && lines[3].is_empty());
        assert!(lines[4].ends_with("last"));
    }

    #[test]
    fn rows_cut_or_untimed_are_counted_never_lost_in_silence() {
        let (lines, note) = lines_of("timestamp,message\nnot a time,x\n2024-01-01T00:00:00Z,\"never closed\nstill open\n");
        assert_eq!(lines.len(), 4);
        let note = note.unwrap();
        assert!(
            note.contains("1 row was not whole CSV") && note.contains("1 row had no time"),
            "{note}"
        );
    }
}
