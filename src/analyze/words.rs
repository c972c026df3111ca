//! What an episode says happened, in a clause of ours (lower case, no full stop) that the
//! draft builds its sentences from: a rule's phrase filled with what it captured from the
//! first line ("cron started `/usr/local/bin/optimize-tables --all`"), a template's text
//! quoted, a rare line quoted, a rate's peak. Log text is always a quote.

use crate::analyze::Part;
use crate::format::SourceKind;
use crate::rules::phrase::{Filled, ENTRY, MESSAGE};
use crate::rules::{Category, Rule};
use crate::text::thousands;
use crate::timeline::{Episode, RateUnit};
use std::borrow::Cow;

/// A layer of the stack, as the subject of a sentence.
pub fn who(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Web => "the web server",
        SourceKind::App => "the application",
        SourceKind::Db => "the database",
        SourceKind::System => "the host",
    }
}

/// The clause saying what `e` is. `rule` is its rule, when a rule named its lines;
/// `title` its name otherwise (a template's text).
pub fn clause(e: &Episode, rule: Option<&Rule>, title: &str) -> Vec<Part> {
    let text = |s: &str| Part::Text(s.to_string());
    let quote = |s: &str| Part::Quote(shortened(s));
    if let Some(rate) = e.rate {
        let percent = |v: f64| format!("{:.0} %", v * 100.0);
        match e.category {
            Category::ErrorSpike => {
                return vec![
                    text(&format!("requests began to fail, up to {} of them at ", percent(rate.peak))),
                    Part::Time(rate.peak_at),
                ];
            }
            Category::LatencySpike => {
                return vec![
                    text(&format!(
                        "requests slowed, to a mean of {} ms at ",
                        thousands(crate::num::rounded(rate.peak))
                    )),
                    Part::Time(rate.peak_at),
                ];
            }
            Category::TrafficSurge => {
                let rose = text(&format!(
                    "traffic rose to {} requests a minute, from about {}",
                    thousands(crate::num::rounded(rate.peak)),
                    thousands(crate::num::rounded(rate.baseline))
                ));
                // A surge one value made says which.
                return match &e.subject {
                    Some(who) => vec![rose, text(&format!(", most of the rise from {} ", who.field)), quote(&who.value)],
                    None => vec![rose],
                };
            }
            Category::ErrorBurst => {
                return vec![text(&format!(
                    "error lines rose to {} a minute, from about {}",
                    thousands(crate::num::rounded(rate.peak)),
                    thousands(crate::num::rounded(rate.baseline))
                ))];
            }
            _ => {}
        }
    }
    let first = e.first_line.as_ref();
    let filled = rule.and_then(|rule| {
        let phrase = rule.phrase.as_ref()?;
        let first = first?;
        phrase.fill(|name| {
            if name == MESSAGE {
                return Some(quotable(&first.message));
            }
            if name == ENTRY {
                return first.entry.as_deref();
            }
            // The run's most common value says more of it than its first line's.
            if let Some(subject) = e.subject.as_ref().filter(|s| s.field == name) {
                return Some(&subject.value);
            }
            first.fields.iter().find(|(k, _)| &**k == name).map(|(_, v)| &**v)
        })
    });
    let mut parts: Vec<Part> = match (filled, e.category) {
        (Some(filled), _) => filled
            .into_iter()
            .map(|f| match f {
                Filled::Text(t) => Part::Text(t),
                // A number reads as one: `18,450`, `14.1`, not quoted log text.
                Filled::Quote(q) => match number(&q) {
                    Some(n) => Part::Text(n),
                    None => Part::Quote(shortened(&q)),
                },
            })
            .collect(),
        // A message no rule names is quoted as a line of it said it (its template, with
        // `<*>` where lines differ, is for machines).
        (None, Category::LogErrors) => {
            let said = first.map(|f| quotable(&f.message)).filter(|m| !m.is_empty()).unwrap_or(title);
            vec![text(&format!("{} logged ", who(e.kind))), quote(said)]
        }
        (None, Category::Change) => {
            let said = first.map_or(title, |f| &*f.message);
            vec![text(&format!("{} said ", crate::source::file_name(&e.group))), quote(said)]
        }
        (None, _) => {
            let mut parts = vec![text(&lower_first(title))];
            if let Some(subject) = &e.subject {
                parts.push(text(" ("));
                parts.push(quote(&subject.value));
                parts.push(text(")"));
            }
            parts
        }
    };
    // A burst of lines of one rule or template: how far above its baseline.
    if let (Some(rate), false) = (e.rate, matches!(e.category, Category::ErrorSpike | Category::LatencySpike)) {
        if rate.unit == RateUnit::Count {
            parts.push(text(&format!(
                ", up to {} a minute against about {} before",
                thousands(crate::num::rounded(rate.peak)),
                thousands(crate::num::rounded(rate.baseline))
            )));
        }
    }
    parts
}

/// How warnings escalated, as the end of a clause: "its `used_pct` rising: 81.0, 83.5,
/// 86.1 … 98.2", "more and more often: 5 in the earlier half of that time, 17 in the
/// later".
pub fn escalation(escalation: &crate::analyze::signs::Escalation) -> Vec<Part> {
    use crate::analyze::signs::Escalation;
    match escalation {
        Escalation::Rate { earlier, later } => vec![Part::Text(format!(
            "more and more often: {} in the earlier half of that time, {} in the later",
            thousands(*earlier),
            thousands(*later)
        ))],
        Escalation::Numbers { name, values, lines } => {
            let parse = |v: &String| v.parse::<f64>().unwrap_or(0.0);
            let rising = values.last().map(parse) > values.first().map(parse);
            let mut parts = Vec::new();
            match name {
                Some(name) => {
                    parts.push(Part::Text("its ".into()));
                    parts.push(Part::Quote(name.clone()));
                    parts.push(Part::Text(if rising { " rising: " } else { " falling: " }.into()));
                }
                None => parts.push(Part::Text(
                    if rising { "its numbers rising: " } else { "its numbers falling: " }.into(),
                )),
            }
            let (last, head) = values.split_last().map_or((None, &values[..]), |(l, h)| (Some(l), h));
            let mut said = head.join(", ");
            if let Some(last) = last {
                // The values shown are the first few and the last: an ellipsis where some
                // were left out.
                said.push_str(if *lines > values.len() { " … " } else { ", " });
                said.push_str(last);
            }
            parts.push(Part::Text(said));
            parts
        }
    }
}

/// What varied in a message said with many values at one place (see
/// [`crate::scan::templates::Joined`]), after the line quoted: " (and 6 other values in
/// place of `admin`, such as `oracle`, `test`)". `shown` is the quoted line's message and
/// `template` the template's text: the word the line has there is named when its words
/// line up with the template's.
pub fn varied(joined: &crate::scan::templates::Joined, template: &str, shown: &str) -> Vec<Part> {
    // The quoted line's word at the place, where its words line up with the template's:
    // as many, and the same wherever the template has a word of its own.
    let shown_word = {
        let words: Vec<&str> = shown.split_whitespace().collect();
        let shape: Vec<&str> = template.split(' ').collect();
        let lined_up = words.len() == shape.len()
            && shape
                .iter()
                .zip(&words)
                .enumerate()
                .all(|(i, (t, w))| i == joined.place || t.contains(crate::scan::templates::MASK) || t == w);
        words.get(joined.place).copied().filter(|_| lined_up).map(bare)
    };
    let others = joined.values.saturating_sub(1);
    if others == 0 {
        return Vec::new();
    }
    let mut parts = vec![Part::Text(format!(
        " (and {} other value{}",
        thousands(u64::from(others)),
        if others == 1 { "" } else { "s" }
    ))];
    if let Some(word) = shown_word {
        parts.push(Part::Text(" in place of ".into()));
        parts.push(Part::Quote(word.to_string()));
    }
    let examples: Vec<&str> = joined
        .examples
        .iter()
        .map(|e| bare(e))
        .filter(|e| Some(*e) != shown_word)
        .take(3)
        .collect();
    for (i, example) in examples.iter().enumerate() {
        parts.push(Part::Text(if i == 0 { ", such as ".into() } else { ", ".into() }));
        parts.push(Part::Quote(example.to_string()));
    }
    parts.push(Part::Text(")".into()));
    parts
}

/// A word without the punctuation that follows it in a sentence (`wp-login.php,`).
fn bare(word: &str) -> &str {
    word.trim_end_matches([',', ';', ':'])
}

/// Log text quoted in a sentence is cut after this many characters: enough for a
/// statement or a command, while a 1 MiB line or a 10,000-row `INSERT` stays readable.
const QUOTE_CHARS: usize = 300;

/// `text`, cut at [`QUOTE_CHARS`] with an ellipsis.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A captured number as people write it: `18450.120` is `18,450`, `14.120334` is `14.1`,
/// `6` is `6`; `None` when the text is not a plain number.
fn number(text: &str) -> Option<String> {
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') || text.starts_with('.') || text.is_empty() {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    Some(if value >= 100.0 || !text.contains('.') {
        thousands(crate::num::rounded(value))
    } else {
        format!("{value:.1}")
    })
}

/// A message as the draft quotes it: without the program's tag (see [`without_program`])
/// and without the request it was said about. nginx ends an error line with the
/// request's context (`, client: 10.0.0.9, server: shop, request: "GET /pay HTTP/1.1",
/// upstream: …, host: …`), Apache starts one with `[client 10.0.0.9:5511] ` and ends it
/// with `, referer: …`: which request it was varies from line to line and is in the
/// citation; what failed is the rest.
pub fn quotable(message: &str) -> &str {
    without_request_context(without_program(message))
}

/// A message without the request it was about (see [`quotable`]).
pub fn without_request_context(message: &str) -> &str {
    let message = match message.strip_prefix("[client ").and_then(|rest| rest.split_once("] ")) {
        Some((_, said)) => said,
        None => message,
    };
    let message = message.find(", client: ").map_or(message, |at| &message[..at]);
    message.rfind(", referer: ").map_or(message, |at| &message[..at])
}

/// What a message says in words: the value of its `msg=` or `message=` where it is
/// logfmt (`msg="pool drained" waited=2s` says `pool drained`), with its error where it
/// gives one (`msg="save failed" err="disk full"` says `save failed: disk full`, as a
/// JSON record's message and error are joined); else the message without its program's
/// tag.
pub fn words_of(message: &str) -> Cow<'_, str> {
    let message = without_logger(quotable(message.trim()));
    let said = logfmt_pairs(message).find(|(key, value)| matches!(*key, "msg" | "message") && !value.is_empty());
    let Some((_, said)) = said else { return message.into() };
    let error = logfmt_pairs(message)
        .find(|(key, value)| LOGFMT_ERROR_KEYS.contains(key) && !matches!(*value, "" | "-" | "nil" | "<nil>" | "null"));
    match error {
        Some((_, error)) => format!(
            "{}{}{}",
            unescaped(said),
            String::from_utf8_lossy(crate::text::DETAIL_JOIN),
            unescaped(error)
        )
        .into(),
        None => unescaped(said),
    }
}

/// The keys a logfmt line gives its error by (Go's `err`, and the names JSON records use
/// for theirs).
const LOGFMT_ERROR_KEYS: [&str; 4] = ["err", "error", "error_message", "exception"];

/// The `key=value` pairs of a logfmt line, in order: a quoted value whole (its escaped
/// quotes as written), a bare one up to the next space; words that are no pair, and
/// quoted text that is no value, are stepped over whole, so that a key is never found
/// inside a value (`msg="retry err=x"` has no `err`).
fn logfmt_pairs(line: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = line;
    std::iter::from_fn(move || loop {
        rest = rest.trim_start_matches(' ');
        if rest.is_empty() {
            return None;
        }
        let key_end = rest.find(['=', ' ', '"']).unwrap_or(rest.len());
        let (key, after) = rest.split_at(key_end);
        if let Some(value) = after.strip_prefix('=') {
            let (value, next) = match value.strip_prefix('"') {
                Some(quoted) => {
                    let end = closing_quote(quoted);
                    (&quoted[..end], quoted.get(end + 1..).unwrap_or(""))
                }
                None => value.split_at(value.find(' ').unwrap_or(value.len())),
            };
            rest = next;
            if !key.is_empty() {
                return Some((key, value));
            }
        } else if let Some(quoted) = after.strip_prefix('"') {
            rest = quoted.get(closing_quote(quoted) + 1..).unwrap_or("");
        } else {
            rest = after;
        }
    })
}

/// Where the quoted text that `quoted` starts (after its opening quote) ends: its first
/// quote that no backslash escapes, or its end.
fn closing_quote(quoted: &str) -> usize {
    let bytes = quoted.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at,
            _ => at += 1,
        }
    }
    quoted.len()
}

/// A logfmt value as it reads: its escaped quotes and backslashes as themselves.
fn unescaped(value: &str) -> Cow<'_, str> {
    if value.contains('\\') {
        value.replace("\\\"", "\"").replace("\\\\", "\\").into()
    } else {
        value.into()
    }
}

/// A message without the dotted logger name Python's and Java's loggers start it with
/// (`shop.mail: could not send` says `could not send`); an exception's class is no logger
/// (`java.lang.IllegalStateException: pool closed` stays whole).
fn without_logger(message: &str) -> &str {
    if crate::format::traceback::names_an_exception(message) {
        return message;
    }
    match message.split_once(": ") {
        Some((logger, rest))
            if logger.contains('.')
                && !logger.starts_with('.')
                && logger.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) =>
        {
            rest
        }
        _ => message,
    }
}

pub use crate::text::without_program;

/// A title as the start of a clause: `MySQL deadlock` stays, `Spike of …` becomes `spike of …`.
fn lower_first(title: &str) -> String {
    let mut chars = title.chars();
    match (chars.next(), chars.next()) {
        // Names (MySQL, InnoDB, HTTP) keep their capitals.
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(title[first.len_utf8()..].chars()).collect()
        }
        _ => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::phrase::Phrase;
    use crate::rules::RuleSet;
    use crate::timeline::{RateDetail, Subject};

    fn episode(category: Category, kind: SourceKind, fields: &[(&str, &str)], message: &str) -> Episode {
        let mut e = Episode {
            count: 3,
            ..Episode::said(category, kind, "/srv/logs/app.log", message)
        };
        if let Some(line) = e.first_line.as_mut() {
            std::sync::Arc::make_mut(line).fields = fields.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        }
        e
    }

    fn words(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Quote(q) => format!("`{q}`"),
                Part::Time(_) => "TIME".into(),
                Part::Duration(_) => "DURATION".into(),
            })
            .collect()
    }

    #[test]
    fn each_rule_family_says_what_happened_with_what_it_captured() {
        let rules = RuleSet::load(&[], true).unwrap();
        let rule = |id: &str| rules.get(rules.index_of(id).unwrap()).clone();
        let cases = [
            (
                "cron.job_started",
                vec![("command", "/usr/local/bin/optimize-tables --all")],
                "",
                "cron started `/usr/local/bin/optimize-tables --all`",
            ),
            (
                "sql.maintenance",
                vec![("statement", "OPTIMIZE"), ("table", "orders")],
                "OPTIMIZE TABLE orders",
                "`OPTIMIZE TABLE orders` ran",
            ),
            (
                "sudo.service_action",
                vec![("user", "alice"), ("command", "/usr/bin/pkill -f migrate")],
                "",
                "`alice` ran `/usr/bin/pkill -f migrate` with sudo",
            ),
            (
                "hikari.connection_timeout",
                vec![("pool", "HikariPool-1"), ("duration_ms", "30000")],
                "",
                "the connection pool `HikariPool-1` ran dry: requests for a connection timed out after 30,000 ms",
            ),
            (
                "postgres.slow_statement",
                vec![("duration_ms", "18450.120")],
                "",
                "statements took 18,450 ms or so",
            ),
            (
                "mysql.slow_query",
                vec![("query_time", "14.120334"), ("lock_time", "0")],
                "",
                "queries ran for 14.1 s or so",
            ),
            (
                "mysql.table_crashed",
                vec![("table", "./shop/orders")],
                "",
                "MySQL found table `./shop/orders` crashed",
            ),
            ("mysql.lock_wait_timeout", vec![], "", "queries gave up waiting for row locks"),
        ];
        for (id, fields, message, expected) in cases {
            let e = episode(rule(id).category, SourceKind::App, &fields, message);
            assert_eq!(words(&clause(&e, Some(&rule(id)), &rule(id).title)), expected, "{id}");
        }
        // Every phrase of the catalogue names only what its pattern captures (checked at
        // load), and every rule that is not a rate has one.
        for r in rules.rules().iter().filter(|r| r.rate().is_none()) {
            assert!(r.phrase.is_some(), "{} has no phrase", r.id);
        }
    }

    #[test]
    fn a_long_quote_is_cut_on_a_character() {
        assert_eq!(shortened("SELECT 1"), "SELECT 1");
        let long = "é".repeat(QUOTE_CHARS + 50);
        let cut = shortened(&long);
        assert_eq!(cut.chars().count(), QUOTE_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(shortened(&"x".repeat(QUOTE_CHARS)), "x".repeat(QUOTE_CHARS));
    }

    #[test]
    fn a_quote_drops_the_request_it_was_said_about() {
        // nginx (ngx_http_log_error): the context after the message.
        assert_eq!(
            quotable(
                "*46 \"/usr/share/nginx/html/market/index.html\" is not found (2: No such file or directory), client: 172.17.0.1, server: localhost, request: \"GET /market/ HTTP/1.1\", host: \"localhost\""
            ),
            "*46 \"/usr/share/nginx/html/market/index.html\" is not found (2: No such file or directory)"
        );
        // Apache 2.4: the client before it, the referer after.
        assert_eq!(
            quotable("[client 33.202.142.97:55309] AH01071: Got error 'PHP message: user admin authentication failure for Baikal', referer: https://baikal.example.com/html/admin/"),
            "AH01071: Got error 'PHP message: user admin authentication failure for Baikal'"
        );
        // Words that only look like it stay.
        assert_eq!(quotable("[clients] 3 connected, clients: 4"), "[clients] 3 connected, clients: 4");
    }

    #[test]
    fn what_varied_is_named_beside_the_quote() {
        let joined = crate::scan::templates::Joined {
            place: 3,
            values: 7,
            examples: ["admin", "ftp", "guest", "oracle"].map(Box::from).to_vec(),
        };
        let template = "sshd[<*>]: Invalid user <*> from <*> port <*>";
        let said = |shown: &str| crate::render::plain_text(&varied(&joined, template, shown), crate::time::Zone::UTC);
        assert_eq!(
            said("sshd[41]: Invalid user admin from 203.0.113.9 port 4411"),
            " (and 6 other values in place of `admin`, such as `ftp`, `guest`, `oracle`)"
        );
        // A word not among the examples is named all the same.
        assert_eq!(
            said("sshd[41]: Invalid user tomcat from 203.0.113.9 port 4411"),
            " (and 6 other values in place of `tomcat`, such as `admin`, `ftp`, `guest`)"
        );
        // Words that do not line up: the values only.
        assert_eq!(said("Invalid"), " (and 6 other values, such as `admin`, `ftp`, `guest`)");
    }

    #[test]
    fn an_escalation_in_words() {
        use crate::analyze::signs::Escalation;
        let said = |e: Escalation| crate::render::plain_text(&escalation(&e), crate::time::Zone::UTC);
        let numbers = |name: Option<&str>, values: &[&str], lines: usize| Escalation::Numbers {
            name: name.map(str::to_string),
            values: values.iter().map(|v| v.to_string()).collect(),
            lines,
        };
        assert_eq!(
            said(numbers(Some("used_pct"), &["81.0", "83.5", "86.1", "98.2"], 24)),
            "its `used_pct` rising: 81.0, 83.5, 86.1 … 98.2"
        );
        assert_eq!(said(numbers(None, &["30", "20", "9", "2"], 4)), "its numbers falling: 30, 20, 9, 2");
        assert_eq!(
            said(Escalation::Rate { earlier: 5, later: 17 }),
            "more and more often: 5 in the earlier half of that time, 17 in the later"
        );
    }

    #[test]
    fn a_quoted_message_drops_the_syslog_program_tag() {
        assert_eq!(
            without_program("deploy[8812]: deploying shop-api 4.12.0"),
            "deploying shop-api 4.12.0"
        );
        assert_eq!(without_program("checkout.views: payment failed"), "checkout.views: payment failed");
        assert_eq!(without_program("a [note]: kept"), "a [note]: kept");
        assert_eq!(
            without_program("kernel: [812345.123456] nf: table full, dropping packet"),
            "nf: table full, dropping packet"
        );
        assert_eq!(without_program("[    5.004211] EXT4-fs (sda1): mounted"), "EXT4-fs (sda1): mounted");
        assert_eq!(without_program("kernel: eth0: link up"), "eth0: link up");
        assert_eq!(without_program("[2024-03-01 12:00] started"), "[2024-03-01 12:00] started");
        assert_eq!(without_program("[12.5] tick"), "[12.5] tick");
    }

    #[test]
    fn a_missing_field_falls_back_to_the_title_and_subject() {
        let mut rule = crate::rules::Rule::named("x", Category::Deploy);
        rule.title = "Deploy or release marker".into();
        rule.phrase = Some(Phrase::parse("version {version} went out", &["version"]).unwrap());
        let mut e = episode(Category::Deploy, SourceKind::System, &[], "");
        e.subject = Some(Subject {
            field: "version".into(),
            value: "4.18.0".into(),
        });
        // The subject is the field the phrase asks for, so the phrase is complete.
        assert_eq!(words(&clause(&e, Some(&rule), &rule.title)), "version `4.18.0` went out");
        // A subject of another field cannot fill it: the title is said, with the subject.
        e.subject = Some(Subject {
            field: "service".into(),
            value: "shop-api".into(),
        });
        assert_eq!(
            words(&clause(&e, Some(&rule), &rule.title)),
            "deploy or release marker (`shop-api`)"
        );
    }

    #[test]
    fn lines_no_rule_names_are_quoted_and_hostile_text_stays_a_quote() {
        // Its first line is quoted as it was written, not its template.
        let e = episode(
            Category::LogErrors,
            SourceKind::App,
            &[],
            "cart[311]: gave up on the cart semaphore after 2000ms",
        );
        assert_eq!(
            words(&clause(&e, None, "gave up on the cart semaphore after <*>")),
            "the application logged `gave up on the cart semaphore after 2000ms`"
        );
        // Without a line kept, the template is all there is.
        let e = episode(Category::LogErrors, SourceKind::App, &[], "");
        assert_eq!(
            words(&clause(&e, None, "gave up on the cart semaphore after <*>")),
            "the application logged `gave up on the cart semaphore after <*>`"
        );
        assert_eq!(words_of("msg=\"pool drained\" waited=2s"), "pool drained");
        assert_eq!(
            words_of("msg=\"save basket\" id=b-1 err=\"OOM command not allowed\""),
            "save basket: OOM command not allowed"
        );
        assert_eq!(words_of("msg=\"dial failed\" error=EOF attempt=3"), "dial failed: EOF");
        // `err` as the tail of another key, or empty, is no error.
        assert_eq!(words_of("msg=\"retry\" lasterr=\"x\" err=\"\""), "retry");
        // Keys inside values are no keys; escaped quotes are part of the value; a
        // placeholder is no error; a key ending in `msg` is not `msg`.
        assert_eq!(words_of("msg=\"retry err=x\" err=\"disk full\""), "retry err=x: disk full");
        assert_eq!(
            words_of(r#"msg="query failed" err="pq: syntax error at or near \"FROM\"""#),
            r#"query failed: pq: syntax error at or near "FROM""#
        );
        assert_eq!(words_of("msg=\"request done\" err=<nil>"), "request done");
        assert_eq!(words_of("errmsg=\"boom\" msg=\"save failed\" err=EOF"), "save failed: EOF");
        assert_eq!(words_of("msg=\"shutting down\" reason=SIGTERM"), "shutting down");
        // Cut short, or not ASCII: what there is.
        assert_eq!(words_of("msg=\"héllo wörld"), "héllo wörld");
        assert_eq!(words_of("msg=\"a\\"), "a\\");
        assert_eq!(words_of("api[7]: pool drained"), "pool drained");
        assert_eq!(words_of("shop.mail: could not send"), "could not send");
        assert_eq!(words_of("took 1.5: then stopped"), "took 1.5: then stopped");
        assert_eq!(
            words_of("java.lang.IllegalStateException: pool closed"),
            "java.lang.IllegalStateException: pool closed"
        );
        let hostile = "deploy done <script>alert(1)</script> [x](http://e) `rm -rf`";
        let e = episode(Category::Change, SourceKind::App, &[], hostile);
        let parts = clause(&e, None, "A line rare in its log");
        assert_eq!(parts[0], Part::Text("app.log said ".into()));
        assert_eq!(parts[1], Part::Quote(hostile.into()));
        // Bursts say how far above their baseline.
        let mut burst = episode(Category::LogErrors, SourceKind::Db, &[], "");
        burst.rate = Some(RateDetail {
            peak: 1770.0,
            peak_at: 0,
            baseline: 4.0,
            unit: RateUnit::Count,
            ongoing: false,
        });
        assert_eq!(
            words(&clause(&burst, None, "lock wait timeout exceeded")),
            "the database logged `lock wait timeout exceeded`, up to 1,770 a minute against about 4 before"
        );
    }
}
