//! Evidence of the role an episode plays in an incident, beyond its category: what its
//! lines are about, how its curve moves against the failed requests', and how long a
//! condition it reports holds. A person reading a timeline weighs the same things:
//!
//! - An **echo** is the failure seen from another log: a proxy's line for each request it
//!   could not pass on, an application's line for each request it aborted. It names a
//!   request (a client, a route, a status), or it rises and falls with the failed
//!   requests, about one line for each, without leading them. It is part of the symptom,
//!   never its cause.
//! - A **condition** (a pool full, a volume at capacity, an alarm) is said once and
//!   perhaps reprinted at the writer's own spacing; it holds until the incident ends (a
//!   clearing line is not looked for yet), not only for the second its line was written.
//!
//! Every number is in [`super::weights`], with its reason.

use super::weights::{ECHO_CORRELATION, ECHO_NO_LEAD, ECHO_PER_FAILURE, MECHANISM_ENDED_BEFORE, REPRINT_SLACK, REPRINT_WITHIN};
use super::Incident;
use crate::rules::Category;
use crate::time::Micros;
use crate::timeline::{Episode, Timeline};
use std::collections::BTreeMap;

/// Categories whose lines may be echoes: what a rule says of a resource (a lock, a pool,
/// a disk) is about that resource however often it is printed, but an application error,
/// an upstream error or a line no rule names may be one copy of each failed request.
fn may_echo(category: Category) -> bool {
    matches!(category, Category::LogErrors | Category::AppError | Category::UpstreamError)
}

/// Fields that hold what a request was, each with what its value must look like: who
/// asked (`client`: an address), for what (`request`: a method; `path`, `uri`, `url`,
/// `route`: a route or a URL), where it was passed on (`upstream`: a URL or an address)
/// and what it got (`status`: an HTTP status). Written `name: value` (nginx),
/// `name=value` (logfmt) or `"name":value` (JSON). The value decides: `redis client:
/// connection pool exhausted` and `replica status: lagging` are about no request.
const REQUEST_FIELDS: [(&str, ValueCheck); 8] = [
    ("client", is_address),
    ("request", |v| METHODS.contains(&v)),
    ("path", is_route_or_url),
    ("uri", is_route_or_url),
    ("url", is_route_or_url),
    ("route", is_route_or_url),
    ("upstream", |v| is_route_or_url(v) || is_address(v)),
    ("status", |v| {
        v.len() == 3 && (b'1'..=b'5').contains(&v.as_bytes()[0]) && v.bytes().all(|b| b.is_ascii_digit())
    }),
];

/// Whether a field's value looks like what the field holds.
type ValueCheck = fn(&str) -> bool;

/// HTTP methods, as a request line names them.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// An IPv4 or IPv6 address, with a port or not (`10.9.0.12`, `10.0.0.5:8080`, `[::1]:80`).
fn is_address(value: &str) -> bool {
    let host = value.trim_start_matches('[').split("]:").next().unwrap_or(value);
    let host = if host.matches(':').count() == 1 {
        host.split(':').next().unwrap_or(host)
    } else {
        host
    };
    is_ipv4(host) || (host.contains(':') && host.chars().all(|c| c.is_ascii_hexdigit() || c == ':') && host.len() >= 3)
}

/// A word of a line without the quotes, commas and parentheses around it (`"/pay",` →
/// `/pay`): how a route or a URL stands in a message.
pub(super) fn bare_word(word: &str) -> &str {
    word.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | '(' | ')'))
}

/// A route a client asked for (see [`crate::scan::templates::is_route`]), or a URL.
fn is_route_or_url(value: &str) -> bool {
    value.starts_with("http://") || value.starts_with("https://") || crate::scan::templates::is_route(value.as_bytes())
}

/// The value after a field's name and its `: `, `=` or `":` (quotes and spaces skipped),
/// up to the next space, quote, comma or brace.
fn value_after(after: &str) -> Option<&str> {
    let rest = after
        .strip_prefix(": ")
        .or_else(|| after.strip_prefix('='))
        .or_else(|| after.strip_prefix("\":"))?;
    let rest = rest.trim_start_matches([' ', '"', '\'']);
    let end = rest.find([' ', '"', '\'', ',', '}', ';']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Whether a line is about one request: a request's field holds a request's value
/// (`client: 10.9.0.12`, `status=504`, `"route":"/orders/:id"`), or it names a method and
/// a route (`GET /pay`).
pub fn about_a_request(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let field = REQUEST_FIELDS.iter().any(|(name, looks_right)| {
        lower.match_indices(name).any(|(at, _)| {
            let before = lower[..at].chars().next_back();
            let starts_word = before.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_' && c != '.');
            // The value as written (methods are upper case), at the same place.
            starts_word && value_after(&line[at + name.len()..]).is_some_and(looks_right)
        })
    });
    let words: Vec<&str> = line.split_whitespace().collect();
    let method = words
        .iter()
        .any(|w| METHODS.contains(&w.trim_matches(|c: char| matches!(c, '"' | '[' | ']' | '(' | ')' | ','))));
    let route = words.iter().any(|w| is_route_or_url(bare_word(w)));
    field || (method && route)
}

/// Words that say a resource ran out, whatever else the line says: the state itself, as
/// servers and runtimes write it (`out of memory`, Java's `OutOfMemoryError`, Python's
/// `MemoryError`, Kubernetes' `OOMKilled`, gRPC's `RESOURCE_EXHAUSTED`, `no space left`,
/// Redis's `OOM` reply and its `maxmemory`, PostgreSQL's `too many clients` and `out of
/// shared memory`, nginx's `worker_connections are not enough`, HikariCP's `Connection is
/// not available`, Tomcat JDBC's `Pool empty`, Apache Commons Pool's (DBCP, Jedis) `Timeout
/// waiting for idle object`, PgBouncer's `no more connections allowed (max_client_conn)`,
/// a Java thread pool's `RejectedExecutionException` and Elasticsearch's
/// `es_rejected_execution_exception`, `too many open files`, `Cannot allocate memory`).
const RAN_OUT: [&str; 28] = [
    "out of memory",
    "outofmemoryerror",
    "memoryerror",
    "oom",
    "oomkilled",
    "resource_exhausted",
    "resourceexhausted",
    "maxmemory",
    "no space left",
    "max_connections",
    "too many connections",
    "too many clients",
    "max number of clients",
    "remaining connection slots",
    "out of shared memory",
    "cannot allocate memory",
    "worker_connections are not enough",
    "connection is not available",
    "pool empty",
    "timeout waiting for idle object",
    "no more connections allowed",
    "max_client_conn",
    "rejectedexecutionexception",
    "es_rejected_execution_exception",
    "too many open files",
    "at capacity",
    "ran out of",
    "run out of",
];

/// What can run out, and the words that say it did when they stand close beside one
/// ([`RAN_OUT_NEAR`] words apart: `pool exhausted`, `queue full`, `quota exceeded`,
/// `memory limit reached`). Either alone says nothing of the kind: retries are exhausted
/// and deadlines exceeded for one request.
const RESOURCES: [&str; 14] = [
    "pool",
    "memory",
    "heap",
    "connections",
    "quota",
    "capacity",
    "space",
    "disk",
    "slots",
    "workers",
    "threads",
    "queue",
    "buffer",
    "descriptors",
];
const EXHAUSTED: [&str; 5] = ["exhausted", "full", "exceeded", "reached", "drained"];
/// How far apart, in words, a resource and the word that it ran out may stand: `pool
/// exhausted` (1), `memory limit reached` (2), `queue is now full` (3); further, they are
/// seldom about each other.
const RAN_OUT_NEAR: usize = 3;

/// Whether a message says what ran out: a phrase of [`RAN_OUT`], or a resource and a
/// word that it was used up close beside it. Such a line is about that resource even
/// when it is written once for each failed request: the refusals a store sends back
/// (`OOM command not allowed when used memory > 'maxmemory'`) are often the only words
/// the logs have for what ran out. Words are letters, digits and `_` (`oom_score_adj` is
/// no `oom`).
/// A character of a word, for the phrases of [`RAN_OUT`] and [`BROKE`]: `oom_score_adj`
/// holds no `oom`.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `lower` (a message in lower case) holds `phrase` as whole words.
fn has_phrase(lower: &str, phrase: &str) -> bool {
    lower.match_indices(phrase).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + phrase.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

pub fn says_what_ran_out(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !is_word(c)).filter(|w| !w.is_empty()).collect();
    let near = words.iter().enumerate().any(|(i, w)| {
        RESOURCES.contains(w)
            && words[i.saturating_sub(RAN_OUT_NEAR)..(i + RAN_OUT_NEAR + 1).min(words.len())]
                .iter()
                .any(|other| EXHAUSTED.contains(other))
    });
    RAN_OUT.iter().any(|p| has_phrase(&lower, p)) || near
}

/// States of a dependency that break every call made to it, whatever the call, as the
/// clients' runtimes write them: an expired certificate (OpenSSL's verify string, which
/// nginx, curl and Python quote; Go's `x509`; Java's `CertificateExpiredException` and
/// PKIX `validity check failed`) and a name that does not resolve (glibc's
/// `gai_strerror`, Node's `EAI_AGAIN`, `EAI_FAIL` and `ENOTFOUND`, Go's `no such host`
/// and `server misbehaving`, nginx's resolver, Java's `UnknownHostException`): the
/// phrases of the `network` rules that name a state.
/// A line for each failed request that says one of them says why it failed: the state,
/// not an echo. A refused connection or a timeout says only that the call failed.
const BROKE: [&str; 14] = [
    "certificate has expired",
    "certificate expired",
    "certificateexpiredexception",
    "validity check failed",
    "temporary failure in name resolution",
    "name or service not known",
    "eai_again",
    "eai_fail",
    "enotfound",
    "eai_noname",
    "no such host",
    "server misbehaving",
    "could not be resolved",
    "unknownhostexception",
];

/// Whether a message names the broken state of what it called ([`BROKE`]): such a line
/// is about that state even when written once for each failed request, as one that says
/// what ran out is ([`says_what_ran_out`]).
pub fn says_what_broke(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    BROKE.iter().any(|phrase| has_phrase(&lower, phrase))
}

/// Whether a line names a client's address: with a route, one request's line; alone, one
/// of a resource's (`connect to 10.0.4.17:5432 failed`), so only the curve decides.
fn names_an_address(line: &str) -> bool {
    line.split_whitespace().any(|w| is_ipv4(w.trim_end_matches([',', ':', ')'])))
}

/// Whether a line reports a failed response: a 5xx status standing as a word (`returning
/// 502`), or the reason phrase of one.
pub fn reports_a_failed_response(line: &str) -> bool {
    const REASONS: [&str; 4] = ["Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway Timeout"];
    let status = line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.len() == 3 && w.starts_with('5') && w.bytes().all(|b| b.is_ascii_digit()));
    status || REASONS.iter().any(|r| line.contains(r))
}

fn is_ipv4(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Pearson's correlation of two series of the same length; 0 when either is flat.
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return 0.0;
    }
    let mean = |x: &[f64]| x[..n].iter().sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (da, db) = (a[i] - ma, b[i] - mb);
        cov += da * db;
        va += da * da;
        vb += db * db;
    }
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}

/// How an episode's lines move with the failed requests over the incident (and the time
/// before it): their correlation bucket by bucket, and lines per failed request.
pub struct Tracking {
    pub correlation: f64,
    pub per_failure: f64,
}

/// The episode's curve against the failed requests', from a quarter of the incident's
/// length before it to its end.
pub fn tracking(e: &Episode, incident: &Incident, timeline: &Timeline) -> Tracking {
    let width = timeline.traffic.width.max(1);
    let before = ((incident.end - incident.start) / 4).max(5 * width);
    let from = (incident.start - before).div_euclid(width) * width;
    let counts = timeline.counts_of(e, before);
    let (mut lines, mut failures) = (Vec::new(), Vec::new());
    let mut bucket = from;
    while bucket < incident.end {
        lines.push(counts.get(&bucket).copied().unwrap_or(0) as f64);
        failures.push(timeline.traffic.buckets.get(&bucket).map_or(0, |b| b.failed()) as f64);
        bucket += width;
    }
    let failed: f64 = failures.iter().sum();
    Tracking {
        correlation: correlation(&lines, &failures),
        per_failure: if failed > 0.0 { lines.iter().sum::<f64>() / failed } else { 0.0 },
    }
}

/// Whether an episode is an echo of the incident's failures: of a category that may be
/// one, not leading the failures by more than [`ECHO_NO_LEAD`], and about a request, or
/// reporting a failed response or naming a client's address while tracking the failed
/// requests one line for each. A line that says what ran out ([`says_what_ran_out`]:
/// `pool drained (waited 2000ms)` once for each request that waited, a store's `OOM`
/// refusal with each failed request's route) is about that, and stays a candidate.
pub fn is_echo(e: &Episode, incident: &Incident, timeline: &Timeline) -> bool {
    if !may_echo(e.category) || e.start < incident.start - ECHO_NO_LEAD {
        return false;
    }
    let Some(line) = e.first_line.as_ref() else { return false };
    // What the line says, without the request it was said of (a route, a client).
    let said = super::words::words_of(&line.message);
    if says_what_ran_out(&said) || says_what_broke(&said) {
        return false;
    }
    if about_a_request(&line.message) {
        return true;
    }
    if incident.impact.failed_requests == 0 || !(reports_a_failed_response(&line.message) || names_an_address(&line.message)) {
        return false;
    }
    let t = tracking(e, incident, timeline);
    t.correlation >= ECHO_CORRELATION && (ECHO_PER_FAILURE.0..=ECHO_PER_FAILURE.1).contains(&t.per_failure)
}

/// Which episodes say the same condition again: one signal, source and subject, at the
/// writer's own spacing (each gap no longer than [`REPRINT_SLACK`] times the first, and
/// within [`REPRINT_WITHIN`]). Found once for a timeline, in one pass over each signal's
/// episodes, so that it costs no more with a hundred thousand episodes than sorting them.
pub struct Conditions {
    /// For each episode, the first of the condition it belongs to (itself when it opens
    /// one, or stands alone).
    head: Vec<usize>,
    /// For each head, its episodes in time order, it first.
    chains: BTreeMap<usize, Vec<usize>>,
}

impl Conditions {
    pub fn of(episodes: &[Episode]) -> Conditions {
        let mut by_signal: BTreeMap<_, Vec<usize>> = BTreeMap::new();
        for (i, e) in episodes.iter().enumerate() {
            by_signal
                .entry((e.signal, e.group.as_str(), e.subject.as_ref()))
                .or_default()
                .push(i);
        }
        let mut head: Vec<usize> = (0..episodes.len()).collect();
        let mut chains: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for mut members in by_signal.into_values() {
            members.sort_by_key(|&i| (episodes[i].start, i));
            // The condition being followed: its episodes and the spacing of its reprints.
            let mut open: Option<(Vec<usize>, Option<Micros>)> = None;
            for i in members {
                let e = &episodes[i];
                // What recurs through the logs is background, not a condition that opened.
                if e.background {
                    continue;
                }
                if let Some((chain, spacing)) = open.as_mut() {
                    let last = &episodes[*chain.last().unwrap_or(&i)];
                    let gap = e.start - last.end;
                    let allowed = spacing.map_or(REPRINT_WITHIN, |s| {
                        crate::num::whole_i64(s as f64 * REPRINT_SLACK).min(REPRINT_WITHIN)
                    });
                    if gap < 0 {
                        // Overlapping runs of one signal are not a reprint of each other.
                        continue;
                    }
                    if gap <= allowed {
                        spacing.get_or_insert(gap.max(1));
                        head[i] = chain[0];
                        chain.push(i);
                        continue;
                    }
                }
                if let Some((chain, _)) = open.replace((vec![i], None)) {
                    chains.insert(chain[0], chain);
                }
            }
            if let Some((chain, _)) = open {
                chains.insert(chain[0], chain);
            }
        }
        Conditions { head, chains }
    }

    /// The episodes of the condition `index` belongs to, in time order (it alone when it is
    /// background).
    pub fn chain(&self, index: usize) -> &[usize] {
        let head = &self.head[index];
        self.chains.get(head).map_or(std::slice::from_ref(head), Vec::as_slice)
    }

    /// Whether `index` says again a condition an earlier episode opened: not a candidate
    /// of its own.
    pub fn is_reprint(&self, index: usize) -> bool {
        self.head[index] != index
    }

    /// How long the condition `index` opens holds: to its last reprint, and to the
    /// incident's end when it is a state said in single lines (not a run of lines that
    /// stops when the activity does) whose last line falls within the incident or just
    /// before it ([`MECHANISM_ENDED_BEFORE`]). No clearing line is looked for yet: the
    /// recovery is taken as its end.
    pub fn held_until(&self, index: usize, episodes: &[Episode], incident: &Incident) -> Micros {
        let chain = self.chain(index);
        let last = chain.iter().map(|&i| episodes[i].end).max().unwrap_or(episodes[index].end);
        let said_in_single_lines = chain.iter().all(|&i| episodes[i].count <= 1);
        if said_in_single_lines && last >= incident.start - MECHANISM_ENDED_BEFORE && last <= incident.end {
            incident.end.max(last)
        } else {
            last.max(episodes[index].end)
        }
    }

    /// How many lines the condition `index` opens holds, reprints and all.
    pub fn lines(&self, index: usize, episodes: &[Episode]) -> u64 {
        self.chain(index).iter().map(|&i| episodes[i].count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_about_one_request_are_told_apart_from_lines_about_a_resource() {
        // nginx's error log, logfmt, JSON, a plain line with a client and a route.
        for line in [
            "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.9.0.12, server: shop, request: \"GET /pay HTTP/1.1\"",
            "msg=\"call dropped\" path=/pay status=504 waited=30s",
            "{\"msg\":\"handler failed\",\"route\":\"/orders/:id\",\"status\":500}",
            "\"POST /api/cart HTTP/1.1\" answered with 502",
            "Exception on /orders/981 [GET]",
        ] {
            assert!(about_a_request(line), "{line}");
        }
        // A resource, a limit, a state: even with a path on the host or an address.
        for line in [
            "volume /srv/exports at 100% capacity, queue paused until blocks are freed",
            "every broker token lent out, queueing callers lent=40 of=40",
            "connect to 10.0.4.17:5432 failed after 30s (attempt 3 of 5)",
            "server backend/app2 is DOWN, reason: Layer4 timeout",
            "client_max_body_size is 1m; upstreams=4",
            "statuspage updated",
            "replica status: lagging 45s",
            "redis client: connection pool exhausted",
            "kafka client: broker 3 unreachable",
            "path=/var/lib/pg/base: No space left on device",
            "mount of 10.0.0.5 at /backups failed",
            "declined export for 10.9.0.3 to /reports (queue paused)",
        ] {
            assert!(!about_a_request(line), "{line}");
        }
        // A client's address alone leaves it to the curve (one line per failed request).
        assert!(names_an_address("declined export for 10.9.0.3 to /reports (queue paused)"));
        assert!(!names_an_address("volume /srv/exports at 100% capacity"));
    }

    #[test]
    fn a_line_that_says_what_ran_out_is_told_from_one_that_says_a_request_failed() {
        for line in [
            r#"msg="save session" path=/login err="OOM command not allowed when used memory > 'maxmemory'.""#,
            "could not lease a handle: pool exhausted (40 of 40 in use)",
            "POST /upload failed: ENOSPC: no space left on device, write",
            "FATAL:  sorry, too many clients already; max_connections is 100",
            "java.lang.OutOfMemoryError: Java heap space",
            "render worker queue full, dropping job for /catalogue/lamps",
            "partner quota exceeded for account 41",
            "the renderer ran out of scratch space",
            "accept4() failed (24: Too many open files)",
            "FATAL:  sorry, too many clients already",
            "ERR max number of clients reached",
            "1024 worker_connections are not enough while connecting to upstream",
            "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "Last State: Terminated, Reason: OOMKilled",
            "rpc error: code = ResourceExhausted desc = grpc: received message larger than max",
            "memory limit reached for the render cache",
            // Tomcat JDBC (ConnectionPool.borrowConnection), Commons Pool, PgBouncer, a
            // Java executor and Elasticsearch, as they print it.
            "org.apache.tomcat.jdbc.pool.PoolExhaustedException: [http-nio-8080-exec-97] Timeout: Pool empty. Unable to fetch a connection in 30 seconds, none available[size:100; busy:100; idle:0; lastwait:30000].",
            "Cannot get a connection, pool error Timeout waiting for idle object",
            "ERROR accept() failed: no more connections allowed (max_client_conn)",
            "java.util.concurrent.RejectedExecutionException: Task java.util.concurrent.FutureTask@5a1c1f rejected from java.util.concurrent.ThreadPoolExecutor@3b9a45b3[Running, pool size = 16, active threads = 16, queued tasks = 500, completed tasks = 90211]",
            r#"{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0]"}"#,
        ] {
            assert!(says_what_ran_out(line), "{line}");
        }
        // Echoes and other failures: a request's own retries, deadline, timeout, refusal.
        for line in [
            "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.9.0.12, request: \"GET /pay HTTP/1.1\"",
            "msg=\"call dropped\" path=/pay status=504 err=\"context deadline exceeded\"",
            "upstream retries exhausted for /orders/17",
            "connect() failed (111: Connection refused) while connecting to upstream",
            "handler gave up: the caller hung up",
            "checkout failed: card declined",
            "room is full of people",
            "zoom call scheduled",
            "Setting oom_score_adj to -998",
            // A resource and a limit far apart: about other things.
            "HTTPSConnectionPool(host='api', port=443): Max retries exceeded with url: /v1/workers/7",
            "the threads of the forum were archived after the limit of posts was reached",
            // Near the new phrases, but not out of anything: an idle queue, a pool
            // emptied on purpose, a user who declined to run a tool.
            "job queue empty, worker sleeping",
            "pool emptied for maintenance",
            "User rejected execution of 'deploy'",
        ] {
            assert!(!says_what_ran_out(line), "{line}");
        }
        // A request's line is read for what it says, not for its route or its client
        // (`is_echo` asks `words_of`): a route that holds such words says nothing.
        let echo = r#"msg="request failed" path=/api/threads/9812/messages status=504 err="context deadline exceeded""#;
        assert!(!says_what_ran_out(&crate::analyze::words::words_of(echo)));
        let nginx = r#"upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.7, server: blog, request: "GET /posts/debugging-the-linux-oom-killer HTTP/1.1""#;
        assert!(!says_what_ran_out(&crate::analyze::words::words_of(nginx)));
    }

    #[test]
    fn a_line_that_names_a_broken_state_is_told_from_one_that_says_a_call_failed() {
        for line in [
            r#"upstream SSL certificate verify error: (10:certificate has expired) while SSL handshaking to upstream, client: 10.9.0.12, server: shop, request: "GET /pay HTTP/1.1""#,
            "x509: certificate has expired or is not yet valid: current time 2023-01-28T09:08:05+01:00 is after 2023-01-08T09:42:48Z",
            "java.security.cert.CertificateExpiredException: NotAfter: Tue Aug 18 09:41:38 UTC 2020",
            "socket.gaierror: [Errno -3] Temporary failure in name resolution",
            "Error: getaddrinfo EAI_AGAIN billing.internal",
            "Error: getaddrinfo ENOTFOUND api.partner.example",
            "dial tcp: lookup db.internal on 10.96.0.10:53: no such host",
            "ledger could not be resolved (3: Host not found), client: 127.0.0.1, request: \"GET / HTTP/1.1\"",
            "Caused by: java.net.UnknownHostException: search.internal: Name or service not known",
            "dial tcp: lookup db.internal on 10.96.0.10:53: server misbehaving",
            "Error: getaddrinfo EAI_FAIL billing.internal",
        ] {
            assert!(says_what_broke(line), "{line}");
        }
        // A call that failed, timed out or was refused says nothing of why; a certificate
        // that is fine, a host that was found.
        for line in [
            "connect() failed (111: Connection refused) while connecting to upstream, client: 10.9.0.12",
            "upstream timed out (110: Connection timed out) while reading response header from upstream",
            "msg=\"call dropped\" path=/pay status=504 err=\"context deadline exceeded\"",
            "certificate renewed, expires 2026-03-04",
            "resolved billing.internal to 10.0.4.20",
            // Inside another word: a host named for the error, a longer code.
            "GET /docs/enotfoundhandler failed: 502",
            "err=EAI_AGAINST_POLICY",
        ] {
            assert!(!says_what_broke(line), "{line}");
        }
    }

    #[test]
    fn a_failed_response_is_told_by_its_status_or_its_reason() {
        assert!(reports_a_failed_response("checkout: returning 502 to the caller"));
        assert!(reports_a_failed_response("answered Service Unavailable after 30s"));
        assert!(!reports_a_failed_response("waited 500ms for a slot, 41 callers queued behind"));
        // A count that happens to be a 5xx number reads as a status: only the curve (one
        // line per failed request, no lead) then makes such a line an echo.
        assert!(reports_a_failed_response("503 callers queued behind"));
        assert!(!reports_a_failed_response("stock pool drained (waited 2000ms)"));
        assert!(!reports_a_failed_response("listening on port 5000"));
    }

    #[test]
    fn correlation_is_one_for_the_same_shape_and_zero_when_flat() {
        assert!((correlation(&[0.0, 1.0, 5.0, 5.0, 0.0], &[0.0, 2.0, 10.0, 10.0, 0.0]) - 1.0).abs() < 1e-9);
        assert_eq!(correlation(&[3.0, 3.0, 3.0], &[0.0, 5.0, 1.0]), 0.0);
        assert!(correlation(&[5.0, 5.0, 0.0, 0.0], &[0.0, 0.0, 5.0, 5.0]) < -0.9);
    }
}
