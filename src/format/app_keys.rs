//! The fields of a JSON application log that sort its lines into classes: a tenant, a
//! payment provider, a shard, a region, a version (`"provider":"northpay"`). When an
//! incident's errors all carry one value of such a field and the log's other lines do
//! not, that value is where the errors were (see [`crate::timeline::app_contrast`]).
//!
//! Which fields a file has is read from its head, once ([`classes_in_head`]), so that
//! every chunk of the file counts the same ones. A field is a class when its values
//! repeat: an identifier (a request's, a trace's, an order's) has a new value on each
//! line, a measure (a duration, a size) nearly so, and both would crowd the classes out
//! of the bounded summaries. The record's own keys (its time, level, message, error) are
//! read by the scan already, and where in the code a line was written (its caller, its
//! logger) says what the line is, which its template tells better.

use super::json_path::{self, Scalar};

/// Fields a file's lines are counted by, at most: a JSON logger's context seldom holds
/// more classes than this, and each costs two summaries a range.
pub const MAX_CLASS_KEYS: usize = 6;

/// Lines of the head read to choose them: a few hundred lines give a field of dozens of
/// values (a shop's sellers) room to repeat, and are read once per file.
const HEAD_LINES: usize = 256;

/// A field is a class where it is on at least this many of the head's lines: fewer say
/// nothing of how its values repeat.
const MIN_SEEN: usize = 4;

/// ... and where it took at most one value in this many of its lines: an identifier or a
/// measure takes a new value on (nearly) every line, a class of even a hundred values
/// repeats within a few hundred lines.
const REPEATS_EVERY: usize = 3;

/// A field of numbers must repeat more: most numbers are measures (a count of calls, of
/// memory), whose few values in a short head repeat too; a number that is a class (a
/// shard, a partition) has a handful of values over many lines.
const NUMBERS_REPEAT_EVERY: usize = 8;

/// The longest value a class has, in bytes: longer is text (a URL, a query, a message),
/// not a class.
pub const MAX_CLASS_VALUE: usize = 64;

/// The longest path a class has, in bytes: three keys of a logger's context.
pub const MAX_CLASS_NAME: usize = 192;

/// How deep a class may sit: `"tenant"`, `"ctx":{"tenant"}`, `"labels":{"app":{"tier"}}`.
const MAX_CLASS_DEPTH: usize = 3;

/// Names of fields that say where in the code a line was written, or are the record's
/// own level or time in a logger's words (Python's `levelname`, `asctime`): never
/// classes, whatever a short head shows. Compared without case, `_`, `-` and `.`.
const NOT_CLASSES: [&str; 25] = [
    "caller",
    "logger",
    "loggername",
    "name",
    "thread",
    "threadname",
    "file",
    "filename",
    "pathname",
    "func",
    "funcname",
    "function",
    "line",
    "lineno",
    "module",
    "class",
    "classname",
    "process",
    "processname",
    "levelname",
    "loglevel",
    "asctime",
    "stack",
    "stacktrace",
    "severity",
];

/// Words that make a name a measure's or a setting's, wherever they are in it:
/// `latency_ms`, `responseTime`, `bytes_read`, `remote_port`, `retry_count`,
/// `redis_calls`, `RetryAttempts`, `visitor_messages_limit`.
const MEASURE_WORDS: [&str; 19] = [
    "ms", "us", "ns", "sec", "secs", "seconds", "time", "duration", "latency", "elapsed", "took", "bytes", "size", "length", "count",
    "port", "calls", "attempts", "limit",
];

/// Last words that make a name an identifier's (`request_id`, `traceId`, `user.uid`) or a
/// text's (`errorMessage`, `reason`): one thing, or what happened, not a class.
const ONE_THING_WORDS: [&str; 15] = [
    "id",
    "ids",
    "uid",
    "gid",
    "pid",
    "tid",
    "uuid",
    "guid",
    "message",
    "msg",
    "text",
    "description",
    "error",
    "err",
    "reason",
];

/// The words of a name, lowercased: split at `_`, `-`, `.` and where a lower-case letter
/// meets an upper-case one (`requestID` → `request`, `id`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(['_', '-', '.', ':']).filter(|p| !p.is_empty()) {
        let bytes = part.as_bytes();
        let mut start = 0;
        for i in 1..bytes.len() {
            if bytes[i - 1].is_ascii_lowercase() && bytes[i].is_ascii_uppercase() {
                words.push(part[start..i].to_ascii_lowercase());
                start = i;
            }
        }
        words.push(part[start..].to_ascii_lowercase());
    }
    words
}

/// Whether `name` is an identifier's, a measure's, a text's or a place in the code's.
fn never_a_class(name: &str) -> bool {
    let words = words(name);
    let folded: String = words.concat();
    NOT_CLASSES.contains(&folded.as_str())
        || words.first().is_some_and(|w| w == "trace" || w == "span")
        || words.iter().any(|w| MEASURE_WORDS.contains(&w.as_str()))
        || words.last().is_some_and(|w| ONE_THING_WORDS.contains(&w.as_str()))
}

/// A field's name as its path: `ctx.tenant`.
fn path_name(parents: &[&[u8]], name: &[u8]) -> Option<String> {
    let mut path = String::new();
    for part in parents.iter().chain([&name]) {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(std::str::from_utf8(part).ok()?);
    }
    Some(path)
}

/// Whether a scalar could be a class's value: a short string, a whole number or a
/// literal; not a fraction (a measure), not empty.
fn class_value(scalar: &Scalar<'_>) -> bool {
    !scalar.raw.is_empty()
        && scalar.raw.len() <= MAX_CLASS_VALUE
        && (scalar.quoted || !scalar.number().is_some_and(|n| n.fract() != 0.0 || scalar.raw.contains(&b'.')))
        && scalar.raw != b"null"
}

/// The fields of a JSON log's head that are classes, most often present first (then by
/// name), at most [`MAX_CLASS_KEYS`]: each as its path of keys joined by `.`. Those
/// `read_already` says the scan reads for another purpose (an access record's status,
/// its user agent) are left out.
pub fn classes_in_head(head: &[u8], read_already: impl Fn(&[&[u8]], &[u8]) -> bool) -> Vec<Box<str>> {
    // Each candidate's lines, distinct values (kept up to what rules it out), and
    // whether they were numbers.
    #[derive(Default)]
    struct Seen {
        lines: usize,
        values: std::collections::BTreeSet<Vec<u8>>,
        numbers: bool,
    }
    let mut seen: std::collections::BTreeMap<String, Seen> = Default::default();
    for line in super::lines(head).filter(|l| l.first() == Some(&b'{')).take(HEAD_LINES) {
        json_path::walk(line, |parents, name, scalar| {
            if parents.len() < MAX_CLASS_DEPTH && class_value(&scalar) && !super::json::is_known_key(name) && !read_already(parents, name) {
                if let Some(path) = path_name(parents, name) {
                    let field = seen.entry(path).or_default();
                    field.lines += 1;
                    field.numbers |= !scalar.quoted && scalar.number().is_some();
                    if field.values.len() <= HEAD_LINES {
                        field.values.insert(scalar.raw.to_vec());
                    }
                }
            }
            true
        });
    }
    let repeats = |field: &Seen| {
        let every = if field.numbers { NUMBERS_REPEAT_EVERY } else { REPEATS_EVERY };
        field.lines >= MIN_SEEN && field.values.len() * every <= field.lines
    };
    let mut classes: Vec<(String, usize)> = seen
        .into_iter()
        .filter(|(path, field)| path.len() <= MAX_CLASS_NAME && repeats(field) && !never_a_class(path))
        .map(|(path, field)| (path, field.lines))
        .collect();
    classes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    classes.into_iter().take(MAX_CLASS_KEYS).map(|(path, _)| path.into()).collect()
}

/// Whether a value at `parents`.`name` is the field `key` names.
fn is_at(key: &str, parents: &[&[u8]], name: &[u8]) -> bool {
    let mut rest = key.as_bytes();
    for part in parents {
        match rest.strip_prefix(*part).and_then(|r| r.strip_prefix(b".")) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest == name
}

/// Calls `found` with the index in `keys` and the value (as written, escapes decoded) of
/// each of those fields the JSON `line` gives, the first value of each; a value that is
/// no class's (too long, a fraction) is passed over.
pub fn class_values(line: &[u8], keys: &[Box<str>], mut found: impl FnMut(usize, &[u8])) {
    let mut left = keys.len();
    let mut given = [false; MAX_CLASS_KEYS];
    json_path::walk(line, |parents, name, scalar| {
        if parents.len() >= MAX_CLASS_DEPTH {
            return true;
        }
        if let Some(index) = keys.iter().position(|key| is_at(key, parents, name)) {
            if index < MAX_CLASS_KEYS && !given[index] && class_value(&scalar) {
                given[index] = true;
                left -= 1;
                found(index, &scalar.text());
            }
        }
        left > 0
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(lines: impl Iterator<Item = String>) -> Vec<u8> {
        lines.collect::<Vec<_>>().join("\n").into_bytes()
    }

    #[test]
    fn classes_repeat_and_identifiers_measures_and_places_in_the_code_do_not() {
        // A Go service's zap lines: three providers and forty sellers repeat; the
        // order, the trace and the latency are new on every line; the caller is where.
        let lines = (0..200).map(|i| {
            format!(
                r#"{{"level":"info","ts":1709560000.{i:03},"caller":"checkout/charge.go:{}","msg":"charge accepted","provider":"{}","seller":"m-{:04}","order_id":"o-{i}","traceId":"{:032x}","latency_ms":{},"elapsed":"{}.2ms","retried":{},"ctx":{{"region":"eu-west-1"}},"amount":{}.50}}"#,
                100 + i % 7,
                ["southpay", "northpay", "eastpay"][i % 3],
                i % 40,
                i * 7919,
                i * 13 % 997,
                i,
                i % 2 == 0,
                i % 5,
            )
        });
        let classes = classes_in_head(&head(lines), |_, _| false);
        assert_eq!(
            classes.iter().map(|c| &**c).collect::<Vec<_>>(),
            ["ctx.region", "provider", "retried", "seller"]
        );
    }

    #[test]
    fn a_field_on_a_few_lines_or_with_long_values_is_no_class() {
        let lines = (0..100).map(|i| {
            let rare = if i < 3 { r#","shard":"s-1""# } else { "" };
            format!(
                r#"{{"time":"2025-03-04T10:00:{:02}Z","level":"info","msg":"ok","url":"https://shop.example/{}/{}"{rare}}}"#,
                i % 60,
                "a".repeat(60),
                i % 2
            )
        });
        assert!(classes_in_head(&head(lines), |_, _| false).is_empty());
        // Numbers must repeat more: a count of calls with a few values in a short head
        // is a measure (GitLab's `redis_calls`), a shard of four is a class.
        let lines = (0..40).map(|i| format!(r#"{{"level":"info","msg":"ok","redis_calls":{},"shard":{}}}"#, i % 7, i % 4));
        assert_eq!(classes_in_head(&head(lines), |_, _| false), [Box::<str>::from("shard")]);
    }

    #[test]
    fn names_of_identifiers_and_measures_are_told_whatever_their_case() {
        // Seen in real logs: Python's logging attributes, Caddy's `bytes_read`, a
        // client's port, CloudTrail's `errorMessage`, Teleport's `uid`.
        for name in [
            "request_id",
            "requestId",
            "traceID",
            "span.id",
            "trace_flags",
            "duration_ms",
            "responseTime",
            "bytes",
            "user.id",
            "id",
            "thread_name",
            "logger.name",
            "levelname",
            "levelName",
            "asctime",
            "funcName",
            "processName",
            "bytes_read",
            "request.remote_port",
            "ClientPort",
            "errorMessage",
            "uid",
            "redis_sessions_calls",
            "RetryAttempts",
        ] {
            assert!(never_a_class(name), "{name}");
        }
        for name in [
            "tenant",
            "provider",
            "shard",
            "region",
            "version",
            "pool",
            "kind",
            "valid",
            "grid",
            "timezone",
            "user",
            "action",
            "controller",
        ] {
            assert!(!never_a_class(name), "{name}");
        }
    }

    #[test]
    fn values_are_read_at_their_paths_the_first_of_each() {
        let keys: Vec<Box<str>> = vec!["provider".into(), "ctx.tenant".into(), "shard".into()];
        let mut found = Vec::new();
        let line =
            br#"{"msg":"x","provider":"northp\u0061y","ctx":{"tenant":"t-7","provider":"no"},"tenant":"top","shard":3,"provider":"later"}"#;
        class_values(line, &keys, |i, v| found.push((i, String::from_utf8_lossy(v).into_owned())));
        assert_eq!(found, [(0, "northpay".into()), (1, "t-7".into()), (2, "3".into())]);
        // A fraction or a long text is no class's value; a cut line gives what it holds.
        found.clear();
        class_values(br#"{"shard":0.5,"provider":"stri"#, &keys, |i, v| {
            found.push((i, String::from_utf8_lossy(v).into_owned()))
        });
        assert_eq!(found, [(0, "stri".into())]);
    }
}
