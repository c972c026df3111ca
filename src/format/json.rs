//! Reading JSON lines: one pass over a line finds the first value of each key the scan
//! knows ([`Record`]), at any depth (nested objects such as Caddy's `request` included),
//! however many other members the line has. Strings are skipped whole, so text inside a
//! value is never taken for a key.
//!
//! Hand-written rather than serde_json, on purpose: `benches/scan.rs` (`json`) measures
//! this scan against serde_json into a borrowed struct. That struct knows one shape only,
//! and it refuses lines a log still holds: nginx's default `\xHH` escapes, bytes that are
//! not UTF-8, a line cut at `--max-line`. This scan reads what it can of those, and
//! decodes escapes only in the values it returns.

use super::levels::{generic_head, Head, Level};
use crate::time::{self, RawStamp};
use std::borrow::Cow;

/// The keys the scan reads, each a slot of a [`Record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    AtTimestamp,
    Timestamp,
    Time,
    Ts,
    Datetime,
    Date,
    JournalRealtime,
    /// MongoDB's `{"t":{"$date":…}}` and Grafana's `t=`-style names.
    T,
    TimeIso8601,
    TimeLocal,
    EventTime,
    Log,
    /// Loki's `logcli --output=jsonl` text.
    Line,
    /// A container runtime's `stdout` or `stderr`.
    Stream,
    Message,
    Msg,
    Status,
    StatusCode,
    ResponseCode,
    DownstreamStatus,
    RemoteAddr,
    ClientIp,
    RemoteIp,
    Client,
    ClientHost,
    Request,
    Method,
    RequestMethod,
    RequestMethodPascal,
    Uri,
    Path,
    RequestUri,
    RequestPath,
    RequestTime,
    Duration,
    /// Traefik's `Duration`, in nanoseconds.
    DurationNs,
    Level,
    Lvl,
    Severity,
    LogLevel,
    LevelName,
    /// MongoDB's severity letter (`"s":"E"`; `D1`…`D5` for debug levels).
    S,
    JournalMessage,
    /// structlog's message (its JSON renderer's `event`).
    Event,
    JournalPriority,
    Error,
    Err,
    ErrorMessage,
    Exception,
    ExcInfo,
    Reason,
}

const KEYS: usize = Key::Reason as usize + 1;

/// Keys whose string says what failed, beside the message: zap's and logrus's `error`,
/// slog's and Go's `err`, ECS's flattened `error.message`, `exception` (structlog,
/// Serilog's compact JSON `@x` aside), python-json-logger's `exc_info`, Kubernetes' and
/// others' `reason`. The first of them is the record's detail.
const DETAIL_KEYS: [Key; 6] = [Key::ErrorMessage, Key::Error, Key::Err, Key::Exception, Key::ExcInfo, Key::Reason];

impl Key {
    #[inline(always)]
    fn of(name: &[u8]) -> Option<Key> {
        Some(match name {
            b"@timestamp" => Key::AtTimestamp,
            b"timestamp" => Key::Timestamp,
            b"time" => Key::Time,
            b"ts" => Key::Ts,
            b"datetime" => Key::Datetime,
            b"date" => Key::Date,
            b"__REALTIME_TIMESTAMP" => Key::JournalRealtime,
            b"t" => Key::T,
            b"time_iso8601" => Key::TimeIso8601,
            b"time_local" => Key::TimeLocal,
            b"eventTime" => Key::EventTime,
            b"log" => Key::Log,
            b"line" => Key::Line,
            b"stream" => Key::Stream,
            b"message" => Key::Message,
            b"msg" => Key::Msg,
            b"status" => Key::Status,
            b"status_code" => Key::StatusCode,
            b"response_code" => Key::ResponseCode,
            b"DownstreamStatus" => Key::DownstreamStatus,
            b"remote_addr" => Key::RemoteAddr,
            b"client_ip" => Key::ClientIp,
            b"remote_ip" => Key::RemoteIp,
            b"client" => Key::Client,
            b"ClientHost" => Key::ClientHost,
            b"request" => Key::Request,
            b"method" => Key::Method,
            b"request_method" => Key::RequestMethod,
            b"RequestMethod" => Key::RequestMethodPascal,
            b"uri" => Key::Uri,
            b"path" => Key::Path,
            b"request_uri" => Key::RequestUri,
            b"RequestPath" => Key::RequestPath,
            b"request_time" => Key::RequestTime,
            b"duration" => Key::Duration,
            b"Duration" => Key::DurationNs,
            b"level" => Key::Level,
            b"lvl" => Key::Lvl,
            b"severity" => Key::Severity,
            b"loglevel" => Key::LogLevel,
            b"level_name" => Key::LevelName,
            b"s" => Key::S,
            b"MESSAGE" => Key::JournalMessage,
            b"event" => Key::Event,
            b"PRIORITY" => Key::JournalPriority,
            b"error" => Key::Error,
            b"err" => Key::Err,
            b"error.message" => Key::ErrorMessage,
            b"exception" => Key::Exception,
            b"exc_info" => Key::ExcInfo,
            b"reason" => Key::Reason,
            _ => return None,
        })
    }
}

/// Whether the scan reads `name` for the record itself (its time, level, message,
/// error, or an access record's request), in whatever object it sits.
pub(crate) fn is_known_key(name: &[u8]) -> bool {
    Key::of(name).is_some()
}

/// Keys that hold the time of a record, most specific first.
const TIME_KEYS: [Key; 11] = [
    Key::AtTimestamp,
    Key::Timestamp,
    Key::Time,
    Key::TimeIso8601,
    Key::TimeLocal,
    Key::Ts,
    Key::Datetime,
    Key::Date,
    Key::JournalRealtime,
    Key::T,
    // AWS CloudTrail's records.
    Key::EventTime,
];
/// Keys whose text is itself a log line (docker, Kubernetes, operators).
const TEXT_KEYS: [Key; 3] = [Key::Log, Key::Message, Key::Msg];

/// Where a value starts in the line (after the opening quote of a string); for a string,
/// where it ends (its closing quote, or the line's end where it has none) and whether it
/// holds an escape, found as the line is read so that its text is never searched again.
#[derive(Clone, Copy)]
struct Slot {
    start: u32,
    quoted: bool,
    end: u32,
    escaped: bool,
}

const EMPTY: Slot = Slot {
    start: u32::MAX,
    quoted: false,
    end: u32::MAX,
    escaped: false,
};

/// The first value of each known key of one JSON line.
pub(crate) struct Record<'a> {
    line: &'a [u8],
    slots: [Slot; KEYS],
}

/// The index of the quote that closes the string opened at `open` (`usize::MAX`: the
/// string's text starts at 0).
fn string_end(line: &[u8], open: usize) -> Option<usize> {
    string_close(line, open).map(|(close, _)| close)
}

/// The index of the quote that closes the string opened at `open`, and whether the
/// string holds an escape.
pub(crate) fn string_close(line: &[u8], open: usize) -> Option<(usize, bool)> {
    let mut at = open.wrapping_add(1);
    let mut escaped = false;
    loop {
        at += memchr::memchr2(b'"', b'\\', line.get(at..)?)?;
        if line[at] == b'"' {
            return Some((at, escaped));
        }
        escaped = true;
        at += 2;
    }
}

impl<'a> Record<'a> {
    /// Reads a line: every `"key":` at any depth, the first value of each known one kept.
    pub(crate) fn of(line: &'a [u8]) -> Record<'a> {
        let mut record = Record {
            line,
            slots: [EMPTY; KEYS],
        };
        if line.len() >= u32::MAX as usize {
            return record;
        }
        let mut at = 0;
        while let Some(found) = memchr::memchr(b'"', &line[at..]) {
            let open = at + found;
            let Some(close) = string_end(line, open) else { break };
            let after = close + 1 + line[close + 1..].iter().take_while(|b| b.is_ascii_whitespace()).count();
            if line.get(after) != Some(&b':') {
                at = close + 1;
                continue;
            }
            let value = after + 1 + line[after + 1..].iter().take_while(|b| b.is_ascii_whitespace()).count();
            let quoted = line.get(value) == Some(&b'"');
            // Go on from the value: a string value is then skipped as a non-key string.
            at = value;
            if let Some(key) = Key::of(&line[open + 1..close]) {
                let slot = &mut record.slots[key as usize];
                if slot.start == u32::MAX {
                    *slot = Slot {
                        // A value past 4 GiB into its line is not kept.
                        start: u32::try_from(value + usize::from(quoted)).unwrap_or(u32::MAX),
                        quoted,
                        ..EMPTY
                    };
                    // A kept string is read to its end now, and skipped whole; one cut short
                    // runs to the line's end.
                    if quoted {
                        let cut = || (line.len(), memchr::memchr(b'\\', &line[value..]).is_some());
                        let (end, escaped) = string_close(line, value).unwrap_or_else(cut);
                        slot.end = u32::try_from(end).unwrap_or(u32::MAX);
                        slot.escaped = escaped;
                        at = (end + 1).min(line.len());
                    }
                }
            }
        }
        record
    }

    /// The value of `key` from its start to the end of the line, and whether it is a
    /// string.
    fn get(&self, key: Key) -> Option<(&'a [u8], bool)> {
        let slot = self.slots[key as usize];
        (slot.start != u32::MAX).then(|| (&self.line[slot.start as usize..], slot.quoted))
    }

    /// Where the record's time starts: the first time key whose value reads as a time,
    /// else a log text that starts with one.
    pub(crate) fn stamp_at(&self) -> Option<&'a [u8]> {
        let timed = TIME_KEYS.iter().find_map(|&key| {
            let (value, _) = self.get(key)?;
            parse_stamp(value).is_some().then_some(value)
        });
        timed.or_else(|| {
            TEXT_KEYS.iter().find_map(|&key| {
                self.get(key)
                    .filter(|(v, quoted)| *quoted && time::parse_any(v).is_some())
                    .map(|(v, _)| v)
            })
        })
    }

    /// The record's level and message: `level`/`lvl`/`severity` as a word or pino's
    /// number, journald's `PRIORITY`; `msg`/`message`/`MESSAGE`, or the text of a
    /// container's `log` after its own timestamp. Escapes stay as written: the message is
    /// for the template, which masks quoted text anyway.
    pub(crate) fn head(&self) -> Option<Head<'a>> {
        let raw = |key: Key| {
            let slot = self.slots[key as usize];
            if slot.start == u32::MAX {
                return None;
            }
            // A string's end was found as the line was read.
            let end = if slot.quoted { slot.end as usize } else { self.line.len() };
            Some((self.line.get(slot.start as usize..end.min(self.line.len()))?, slot.quoted))
        };
        let level = [Key::Level, Key::Lvl, Key::Severity, Key::LogLevel, Key::LevelName]
            .into_iter()
            .find_map(|key| {
                let (value, quoted) = raw(key)?;
                let word_end = value.iter().position(|b| !b.is_ascii_alphanumeric()).unwrap_or(value.len());
                if quoted {
                    Level::of_word(&value[..word_end])
                } else {
                    Level::of_number(self.number(&[key])?)
                }
            })
            .or_else(|| {
                // MongoDB's letter, alone or with a debug level's digit.
                let (value, true) = raw(Key::S)? else { return None };
                match value {
                    [letter @ (b'F' | b'E' | b'W' | b'I' | b'D')] | [letter @ b'D', b'1'..=b'5'] => Level::of_letter(*letter),
                    _ => None,
                }
            })
            .or_else(|| {
                let priority = self.number(&[Key::JournalPriority])?;
                (0.0..8.0)
                    .contains(&priority)
                    .then(|| crate::num::whole(priority))
                    .and_then(|p| u8::try_from(p).ok())
                    .map(Level::of_syslog)
            });
        if let Some((message, true)) = [Key::Msg, Key::Message, Key::JournalMessage, Key::Event].into_iter().find_map(raw) {
            let detail = DETAIL_KEYS
                .into_iter()
                .find_map(|key| raw(key).filter(|(text, quoted)| *quoted && !text.is_empty()))
                .map_or(&[][..], |(text, _)| text);
            return Some(Head { level, message, detail });
        }
        // A wrapper whose `log` text is a line of its own: its stamp, then its head.
        let (text, true) = raw(Key::Log)? else { return None };
        let stamp = time::parse_any(text).map_or(0, |s| s.len);
        let inner = generic_head(&text[stamp..]);
        Some(Head {
            level: level.or(inner.level),
            message: inner.message,
            detail: &[],
        })
    }

    /// The text of the first of `keys` holding a string, escapes decoded.
    pub(crate) fn string(&self, keys: &[Key]) -> Option<Cow<'a, [u8]>> {
        keys.iter().find_map(|&key| {
            let slot = self.slots[key as usize];
            if slot.start == u32::MAX || !slot.quoted {
                return None;
            }
            let raw = self.line.get(slot.start as usize..(slot.end as usize).min(self.line.len()))?;
            Some(if slot.escaped {
                Cow::Owned(unescape(raw))
            } else {
                Cow::Borrowed(raw)
            })
        })
    }

    /// The first of `keys` holding a number, or a string that is one.
    pub(crate) fn number(&self, keys: &[Key]) -> Option<f64> {
        keys.iter().find_map(|&key| {
            let (value, _) = self.get(key)?;
            let end = value
                .iter()
                .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'e' | b'E' | b'+')))
                .unwrap_or(value.len());
            std::str::from_utf8(&value[..end]).ok()?.parse().ok()
        })
    }
}

/// A JSON string's text with its escapes decoded: `\"`, `\\`, `\/`, `\n` and the like,
/// `\uXXXX` (surrogate pairs joined), and nginx's `\xHH`. An escape that is none of these
/// is kept as written.
pub(crate) fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let hex = |bytes: Option<&[u8]>| -> Option<u32> {
        let text = std::str::from_utf8(bytes?).ok()?;
        u32::from_str_radix(text, 16).ok()
    };
    let mut i = 0;
    while i < raw.len() {
        // The plain bytes up to the next escape, copied as one run.
        let run = memchr::memchr(b'\\', &raw[i..]).unwrap_or(raw.len() - i);
        out.extend_from_slice(&raw[i..i + run]);
        i += run;
        if i + 1 >= raw.len() {
            out.extend_from_slice(&raw[i..]);
            break;
        }
        let simple = match raw[i + 1] {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            i += 2;
            continue;
        }
        match raw[i + 1] {
            b'x' => {
                if let Some(byte) = hex(raw.get(i + 2..i + 4)).and_then(|b| u8::try_from(b).ok()) {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
            b'u' => {
                if let Some(unit) = hex(raw.get(i + 2..i + 6)) {
                    let low = (0xD800..0xDC00)
                        .contains(&unit)
                        .then(|| {
                            raw.get(i + 6..i + 8)
                                .filter(|p| *p == b"\\u")
                                .and_then(|_| hex(raw.get(i + 8..i + 12)))
                        })
                        .flatten()
                        .filter(|low| (0xDC00..0xE000).contains(low));
                    let (code, len) = match low {
                        Some(low) => (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), 12),
                        None => (unit, 6),
                    };
                    let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// Whether the line is a JSON object with a time: the signature of JSON line formats.
pub(crate) fn looks_like(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii();
    trimmed.starts_with(b"{") && trimmed.ends_with(b"}") && stamp_at(line).and_then(parse_stamp).is_some()
}

/// Where a JSON line's time starts (see [`Record::stamp_at`]).
pub(crate) fn stamp_at(line: &[u8]) -> Option<&[u8]> {
    Record::of(line).stamp_at()
}

/// A JSON time value: ISO 8601 or epoch seconds, milliseconds or microseconds (as a
/// number or a string), or any other stamp this tool knows.
pub(crate) fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
    match at.first()? {
        b'0'..=b'9' => time::parse_iso(at)
            .or_else(|| time::parse_epoch(at))
            .or_else(|| time::parse_any(at)),
        _ => time::parse_any(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_not_substrings() {
        let line = br#"{"uptime":"x","time" : "2024-01-21T15:30:00Z","status":503}"#;
        assert!(stamp_at(line).unwrap().starts_with(b"2024-01-21T15:30:00Z"));
        assert_eq!(Record::of(line).number(&[Key::Status]), Some(503.0));
        // Text inside a value is not a key; keys of nested objects are.
        let tricky = br#"{"msg":"\"time\": no","request":{"remote_ip":"10.0.0.1","uri":"/x"},"status":200}"#;
        let record = Record::of(tricky);
        assert_eq!(record.get(Key::Time), None);
        assert_eq!(record.string(&[Key::RemoteIp]).as_deref(), Some(&b"10.0.0.1"[..]));
        assert_eq!(record.number(&[Key::Status]), Some(200.0));
    }

    #[test]
    fn a_time_key_after_many_members_is_found() {
        // Traefik writes dozens of members, `time` among the last.
        let members: String = (0..60).map(|i| format!("\"field{i}\":{{\"n\":{i}}},")).collect();
        let line = format!("{{{members}\"DownstreamStatus\":502,\"time\":\"2024-01-21T15:30:00Z\"}}");
        let record = Record::of(line.as_bytes());
        assert!(record.stamp_at().unwrap().starts_with(b"2024-01-21T15:30:00Z"));
        assert_eq!(record.number(&[Key::DownstreamStatus]), Some(502.0));
    }

    #[test]
    fn escapes_are_decoded_in_values() {
        let record = Record::of(br#"{"a":"x\"y","path":"\/cart\/items","request":"GET \x2Fsearch?q=caf\u00e9 HTTP/1.1","b":1}"#);
        assert_eq!(record.string(&[Key::Path]).as_deref(), Some(&b"/cart/items"[..]));
        assert_eq!(
            record.string(&[Key::Request]).as_deref(),
            Some("GET /search?q=café HTTP/1.1".as_bytes())
        );
        assert_eq!(unescape(br"\ud83d\ude00 \q"), "😀 \\q".as_bytes());
    }

    #[test]
    fn levels_and_messages_of_json_loggers() {
        let head = |line: &str| {
            let record = Record::of(line.as_bytes());
            let head = record.head().unwrap();
            (head.level, String::from_utf8_lossy(head.message).to_string())
        };
        // zap, logrus, slog, pino (numbers), journald, a container's wrapped line.
        assert_eq!(
            head(r#"{"level":"error","ts":1.5,"caller":"x.go:12","msg":"dial tcp 10.0.0.3:5432: connect: connection refused"}"#),
            (Some(Level::Error), "dial tcp 10.0.0.3:5432: connect: connection refused".into())
        );
        assert_eq!(
            head(r#"{"time":"2024-01-21T15:30:00Z","level":"WARN","msg":"slow"}"#).0,
            Some(Level::Warning)
        );
        assert_eq!(
            head(r#"{"level":50,"time":1705851000000,"pid":7,"msg":"boom"}"#).0,
            Some(Level::Error)
        );
        assert_eq!(
            head(r#"{"__REALTIME_TIMESTAMP":"1","PRIORITY":"3","MESSAGE":"unit failed"}"#).0,
            Some(Level::Error)
        );
        // structlog's JSON renderer says its message as `event`; ECS's `event` is an
        // object, never a message.
        assert_eq!(
            head(r#"{"event": "job failed", "level": "error", "timestamp": "2025-03-04T11:00:00.123456Z"}"#),
            (Some(Level::Error), "job failed".into())
        );
        assert_eq!(
            head(r#"{"@timestamp":"2025-03-04T11:00:00Z","event":{"kind":"event"},"message":"accepted"}"#).1,
            "accepted"
        );
        assert_eq!(
            head(
                r#"{"log":"2023-05-28T08:52:18.119268Z 0 [Warning] [MY-000000] [Server] Too many connections
","stream":"stderr"}"#
            ),
            (Some(Level::Warning), "[MY-000000] [Server] Too many connections\n".into())
        );
    }

    #[test]
    fn what_failed_is_read_from_the_error_field() {
        let detail = |line: &str| {
            let record = Record::of(line.as_bytes());
            let head = record.head().unwrap();
            (
                String::from_utf8_lossy(head.message).to_string(),
                String::from_utf8_lossy(head.detail).to_string(),
            )
        };
        // zap's `error`, slog's `err`, ECS's flattened `error.message`, `exc_info`.
        assert_eq!(
            detail(r#"{"level":"error","ts":1.5,"msg":"request errored","error":"dial tcp 10.0.0.5:5432: connect: connection refused"}"#),
            (
                "request errored".into(),
                "dial tcp 10.0.0.5:5432: connect: connection refused".into()
            )
        );
        assert_eq!(
            detail(r#"{"time":"2024-01-21T15:30:00Z","level":"ERROR","msg":"payment failed","err":"context deadline exceeded"}"#).1,
            "context deadline exceeded"
        );
        assert_eq!(
            detail(
                r#"{"@timestamp":"2024-01-21T15:30:00Z","log.level":"error","message":"job failed","error.message":"disk quota exceeded"}"#
            )
            .1,
            "disk quota exceeded"
        );
        // No error field, an empty one, or one that is not a string: no detail.
        assert_eq!(detail(r#"{"level":"info","msg":"served"}"#).1, "");
        assert_eq!(detail(r#"{"level":"info","msg":"served","error":""}"#).1, "");
        assert_eq!(detail(r#"{"level":"error","msg":"failed","error":{"code":7}}"#).1, "");
    }

    #[test]
    fn wrapper_with_log_text() {
        let line = br#"{"log":"2023-05-28T08:52:18.119268Z 0 [Warning] [MY-000000] [Server] Too many connections\n","file":"/var/lib/mysql/mysqld-error.log"}"#;
        assert!(looks_like(line));
    }

    #[test]
    fn mongodb_severity_letters() {
        let level = |s: &str| {
            let line = format!(
                r#"{{"t":{{"$date":"2024-01-21T20:30:01.250+00:00"}},"s":"{s}",  "c":"NETWORK",  "id":22943,   "ctx":"listener","msg":"Connection accepted"}}"#
            );
            Record::of(line.as_bytes()).head().and_then(|h| h.level)
        };
        assert_eq!(level("E"), Some(Level::Error));
        assert_eq!(level("W"), Some(Level::Warning));
        assert_eq!(level("F"), Some(Level::Critical));
        assert_eq!(level("D2"), Some(Level::Debug));
        // Decoys: a word that is no letter, a digit after another letter.
        assert_eq!(level("Engine"), None);
        assert_eq!(level("E7"), None);
        assert_eq!(level("A"), None);
    }

    #[test]
    fn journald_micros_string() {
        let line = br#"{ "__CURSOR" : "s=1", "__REALTIME_TIMESTAMP" : "1534860261221373", "MESSAGE" : "x" }"#;
        assert!(looks_like(line));
    }

    #[test]
    fn a_line_cut_short_keeps_what_it_holds() {
        let line = br#"{"time":"2024-01-21T15:30:00Z","status":502,"request":"GET /x HTTP/1.1","user_agent":"Mozilla/5.0 (X11; Lin"#;
        let record = Record::of(line);
        assert!(record.stamp_at().is_some());
        assert_eq!(record.number(&[Key::Status]), Some(502.0));
    }
}
