//! The values of each request field that carried most of a bucket's traffic (user
//! agent, client, its network, referrer host, upstream, host, method): what the analysis contrasts
//! between an incident and the time before it, to say *which* client, crawler or
//! backend carried a change. (Status classes need none: every bucket counts them.)
//!
//! Each field keeps a Space-Saving summary (Metwally, Agrawal and El Abbadi, ICDT 2005)
//! of a few values per bucket, once over requests and once over failed ones, so memory
//! is bounded whatever the number of distinct values. Every count it keeps is an upper
//! bound of the value's (weighted) count, and `count - error` a lower one. Requests past
//! the first [`SAMPLE_ALL`] of a bucket are sampled one in [`SAMPLE_STRIDE`] (each
//! counting for that many), and failed requests likewise among the failed ones, so the
//! fields of a busy log cost a fraction of a line each: there, the counts are estimates
//! (the analysis says so). A sampled line is read for its details (user agent, referrer,
//! upstream, host) by its family only then.

use super::keys::Mark;
use crate::format::{url_host, Request, RequestDetails};

/// The fields a request is contrasted by, in the order a tie between them is told:
/// an actor (a user agent, a client) names a change better than where it went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Field {
    UserAgent,
    Client,
    Network,
    /// The host of the page that linked to the request (`Referer`): a campaign, a link
    /// on a busy site.
    Referrer,
    Upstream,
    /// What the server behind answered (an origin's, a backend's status), or `none`
    /// where none did: a CDN's or a balancer's failures that never reached a server.
    UpstreamStatus,
    /// The access log itself (its source group: a pod's, a host's), where several
    /// serve the same site.
    Source,
    Host,
    Method,
    /// The size the client's request came to, in decades of bytes (`1–10 MB`): uploads
    /// that a limit or a timeout fails, a flood of large posts.
    RequestSize,
    /// The endpoint (`/products/:id`), as every bucket counts it.
    Route,
    Status,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::UserAgent,
        Field::Client,
        Field::Network,
        Field::Referrer,
        Field::Upstream,
        Field::UpstreamStatus,
        Field::Source,
        Field::Host,
        Field::Method,
        Field::RequestSize,
        Field::Route,
        Field::Status,
    ];

    /// The fields a bucket keeps summaries of: all but the status and the route, which
    /// every bucket counts exactly, and the source, whose own series counts it.
    pub const SUMMARIZED: [Field; 9] = [
        Field::UserAgent,
        Field::Client,
        Field::Network,
        Field::Referrer,
        Field::Upstream,
        Field::UpstreamStatus,
        Field::Host,
        Field::Method,
        Field::RequestSize,
    ];

    /// Where the field's summaries are in [`BucketFields`]; `None` for the status, the
    /// route and the source.
    pub fn summary_index(self) -> Option<usize> {
        Field::SUMMARIZED.iter().position(|&f| f == self)
    }

    /// The field's name in JSON and in the draft's words.
    pub fn name(self) -> &'static str {
        match self {
            Field::UserAgent => "user agent",
            Field::Client => "client",
            Field::Network => "client network",
            Field::Referrer => "referrer host",
            Field::Upstream => "upstream",
            Field::UpstreamStatus => "upstream status",
            Field::Source => "source",
            Field::Host => "host",
            Field::Method => "method",
            Field::RequestSize => "request size",
            Field::Route => "route",
            Field::Status => "status",
        }
    }
}

/// Entries a summary keeps: a value with more than 1/`CAPACITY` of the requests it
/// counts (a range's) is always among them (the Space-Saving guarantee), and a field
/// rarely has more than a handful that matter.
pub const CAPACITY: usize = 8;

/// Requests of a bucket counted one by one before sampling starts: a quiet site's every
/// request counts, and a busy one's minute is told by at least this many.
pub const SAMPLE_ALL: u64 = 128;

/// Past [`SAMPLE_ALL`], one request in this many is read for its fields and counts for
/// this many. A minute of 4,000 requests has 190 read, and the minutes of an incident
/// a thousand or more: a share of 10 % is told within a few percent, which is all a
/// sentence says, while a busy log (30,000 requests a minute) has one line in 50 read.
/// Which lines are read is drawn from where each line is in its file, not counted off:
/// a balancer's round robin over two or four backends would put every counted-off
/// line on the same one.
pub const SAMPLE_STRIDE: u64 = 64;
/// What a line sampled past the first [`SAMPLE_ALL`] counts for.
#[allow(clippy::cast_possible_truncation, reason = "SAMPLE_STRIDE is 64")]
const STRIDE_WEIGHT: u32 = SAMPLE_STRIDE as u32;

/// The longest value kept, in bytes: a user agent is seldom longer, and the draft quotes
/// no more.
const VALUE_BYTES: usize = 160;

/// One value and how often it was seen, as a summary gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TopValue<'a> {
    pub hash: u64,
    pub value: &'a str,
    /// An upper bound of its (weighted) count.
    pub count: u64,
    /// How much of `count` may be other values' (what it inherited when it took their
    /// place): `count - error` is a lower bound.
    pub error: u64,
    /// The line that counted for it when it last took its place: what the draft cites.
    pub first: Mark,
}

/// A kept value. Counts are weighted counts of one bucket's requests: `u32` holds
/// billions.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Slot {
    hash: u64,
    count: u32,
    error: u32,
    /// The file and line number of the line that counted for it when it took its place.
    file: u32,
    line: u64,
    /// The value as the log wrote it (cut at [`VALUE_BYTES`]): held in place up to 24
    /// bytes (an address, a network, a method, most upstreams), so that most values take
    /// no allocation; a longer one's buffer is reused by the value that takes its place.
    value: compact_str::CompactString,
}

/// A Space-Saving summary of one field's values in one bucket: at most [`CAPACITY`]
/// slots, none allocated for a field a log does not give.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TopValues {
    slots: Vec<Slot>,
}

impl TopValues {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The values kept, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = TopValue<'_>> {
        self.slots.iter().map(|slot| TopValue {
            hash: slot.hash,
            value: &slot.value,
            count: u64::from(slot.count),
            error: u64::from(slot.error),
            first: Mark {
                file: slot.file,
                line: slot.line,
                ..Mark::default()
            },
        })
    }

    /// The value of `hash`, if kept.
    pub fn get(&self, hash: u64) -> Option<TopValue<'_>> {
        let at = self.slots.iter().position(|s| s.hash == hash)?;
        self.entries().nth(at)
    }

    /// The most a value not kept can have had: the smallest count, once the summary is
    /// full (before, every value seen is kept).
    pub fn floor(&self) -> u64 {
        if self.len() < CAPACITY {
            0
        } else {
            self.slots.iter().map(|s| u64::from(s.count)).min().unwrap_or(0)
        }
    }

    /// Counts `weight` for the value of `hash`, spelt by `value` if it takes a place:
    /// a free one, or that of the least counted, whose count it inherits as its error (the
    /// first such, so the result depends on nothing but the order of the lines).
    fn add(&mut self, hash: u64, value: &Value<'_>, weight: u32, mark: Mark) {
        if let Some(slot) = self.slots.iter_mut().find(|s| s.hash == hash) {
            slot.count = slot.count.saturating_add(weight);
            return;
        }
        let slot = if self.slots.len() < CAPACITY {
            // Room for one first: a minute of a small file (a load balancer's 5-minute
            // piece) holds a value or two a field, and ten thousand pieces' summaries are
            // held at once before they merge.
            if self.slots.capacity() == 0 {
                self.slots.reserve_exact(1);
            }
            self.slots.push(Slot::default());
            self.slots.last_mut().expect("just pushed")
        } else {
            let Some(least) = self.slots.iter_mut().min_by_key(|s| s.count) else {
                return;
            };
            least
        };
        value.spell(&mut slot.value);
        slot.hash = hash;
        slot.error = slot.count;
        slot.count = slot.count.saturating_add(weight);
        (slot.file, slot.line) = (mark.file, mark.line);
    }

    /// Adds the summary of later lines of the same bucket (the next chunk's). A value
    /// only one side kept may have had up to the other side's floor there: it is added
    /// to both its count and its error, which keeps both bounds true (the mergeable
    /// Space-Saving of Agarwal et al. 2012); then the largest counts are kept.
    pub fn merge(&mut self, other: TopValues) {
        let floor = |t: &TopValues| u32::try_from(t.floor()).unwrap_or(u32::MAX);
        let (mine, theirs) = (floor(self), floor(&other));
        let mut others = other.slots;
        for slot in &mut self.slots {
            match others.iter().position(|o| o.hash == slot.hash) {
                Some(at) => {
                    let o = others.swap_remove(at);
                    slot.count = slot.count.saturating_add(o.count);
                    slot.error = slot.error.saturating_add(o.error);
                    (slot.file, slot.line) = (slot.file, slot.line).min((o.file, o.line));
                }
                None => {
                    slot.count = slot.count.saturating_add(theirs);
                    slot.error = slot.error.saturating_add(theirs);
                }
            }
        }
        for mut slot in others {
            slot.count = slot.count.saturating_add(mine);
            slot.error = slot.error.saturating_add(mine);
            self.slots.push(slot);
        }
        // Largest counts first, ties by hash: the same summary whatever the merge order.
        self.slots.sort_by(|a, b| b.count.cmp(&a.count).then(a.hash.cmp(&b.hash)));
        self.slots.truncate(CAPACITY);
    }

    /// Counts `weight` for `value`, spelt as the line wrote it, at the line of `mark`.
    pub fn count(&mut self, value: &[u8], weight: u32, mark: Mark) {
        self.add(super::keys::fixed_hash(value), &Value::Text(value), weight, mark);
    }

    /// Whether it is bounded as a scan bounds it (see [`super::partial`]).
    pub fn check(&self) -> Result<(), &'static str> {
        if self.slots.len() > CAPACITY {
            return Err("a summary of more values than a scan keeps");
        }
        Ok(())
    }

    /// Calls `visit` with the file and line number of every line it keeps.
    pub fn each_place(&mut self, visit: &mut impl FnMut(&mut u32, &mut u64)) {
        for slot in &mut self.slots {
            visit(&mut slot.file, &mut slot.line);
        }
    }
}

/// Every field's summaries for one bucket: over requests (sampled) and over failed ones.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BucketFields {
    pub requests: [TopValues; Field::SUMMARIZED.len()],
    pub failed: [TopValues; Field::SUMMARIZED.len()],
}

impl BucketFields {
    /// Counts a request, `seen_before` requests into its bucket, and when it failed
    /// (got a 5xx), `failed_before` failed ones into it. Returns at once for a request
    /// sampled for neither: most of a busy log's.
    #[inline]
    pub fn add<'a>(
        fields: &mut Option<Box<BucketFields>>,
        (seen_before, failed_before): (u64, Option<u64>),
        request: &Request<'a>,
        details: impl FnOnce() -> RequestDetails<'a>,
        (mark, client_hash): (Mark, u64),
    ) {
        let weight = sample_weight(seen_before, mark.offset);
        let failed_weight = failed_before.map_or(0, |before| sample_weight(before, mark.offset));
        if weight != 0 || failed_weight != 0 {
            Self::count(fields, (weight, failed_weight), request, details, (mark, client_hash));
        }
    }

    /// Counts a sampled request with these weights: among requests, and among failed
    /// ones. Out of line, with the reading of its details: most lines never come here,
    /// and the loop they run in stays small.
    #[inline(never)]
    fn count<'a>(
        fields: &mut Option<Box<BucketFields>>,
        (weight, failed_weight): (u32, u32),
        request: &Request<'a>,
        details: impl FnOnce() -> RequestDetails<'a>,
        (mark, client_hash): (Mark, u64),
    ) {
        let details = details();
        let this = fields.get_or_insert_with(Default::default);
        let client = Some(&request.client[..]).filter(|c| !c.is_empty() && *c != b"-");
        let values: [(Field, Option<Value<'_>>); Field::SUMMARIZED.len()] = [
            (Field::UserAgent, details.user_agent.as_deref().map(Value::Text)),
            (Field::Client, client.map(Value::Text)),
            (Field::Network, client.and_then(network_of)),
            (Field::Referrer, details.referrer.as_deref().and_then(url_host).map(Value::Text)),
            (Field::Upstream, details.upstream.as_deref().map(Value::Text)),
            (Field::UpstreamStatus, details.upstream_status.as_deref().map(upstream_status)),
            (Field::Host, details.host.as_deref().map(Value::Text)),
            (Field::Method, Some(&request.method[..]).filter(|m| !m.is_empty()).map(Value::Text)),
            (
                Field::RequestSize,
                details.request_bytes.map(|bytes| Value::Text(size_class(bytes).as_bytes())),
            ),
        ];
        for (index, (field, value)) in values.into_iter().enumerate() {
            let Some(value) = value else {
                continue;
            };
            // The client's hash is the one its distinct count already took.
            let hash = match (field, &value) {
                (Field::Client, _) => client_hash,
                (_, Value::Text(text) | Value::Network(text)) => super::keys::fixed_hash(text),
                (_, Value::Spelt(text)) => super::keys::fixed_hash(text.as_bytes()),
            };
            if weight > 0 {
                this.requests[index].add(hash, &value, weight, mark);
            }
            if failed_weight > 0 {
                this.failed[index].add(hash, &value, failed_weight, mark);
            }
        }
    }

    pub fn merge(&mut self, other: BucketFields) {
        for (mine, theirs) in self.requests.iter_mut().zip(other.requests) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.failed.iter_mut().zip(other.failed) {
            mine.merge(theirs);
        }
    }

    /// Whether every summary is bounded as a scan bounds it (see [`super::partial`]).
    pub fn check(&self) -> Result<(), &'static str> {
        self.requests.iter().chain(self.failed.iter()).try_for_each(TopValues::check)
    }

    /// Calls `visit` with the file and line number of every line it keeps.
    pub fn each_place(&mut self, visit: &mut impl FnMut(&mut u32, &mut u64)) {
        for summary in self.requests.iter_mut().chain(self.failed.iter_mut()) {
            summary.each_place(visit);
        }
    }
}

/// What a request counts for in the summaries, `seen_before` requests into its bucket,
/// its line at byte `offset` of its file: 1 for each of the first [`SAMPLE_ALL`], then
/// [`SAMPLE_STRIDE`] for the one line in that many whose offset's hash falls so, 0 for
/// the rest.
#[inline]
pub fn sample_weight(seen_before: u64, offset: u64) -> u32 {
    if seen_before < SAMPLE_ALL {
        1
    } else if offset.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SAMPLE_STRIDE.trailing_zeros()) == 0 {
        STRIDE_WEIGHT
    } else {
        0
    }
}

/// The class of a request's size: its decade of bytes, a thousand bytes to the KB. A
/// decade tells an upload from a form post from a page's request, and no finer class
/// does better at saying why requests failed or surged.
pub fn size_class(bytes: u64) -> &'static str {
    match bytes {
        0..1_000 => "under 1 KB",
        1_000..10_000 => "1–10 KB",
        10_000..100_000 => "10–100 KB",
        100_000..1_000_000 => "100 KB–1 MB",
        1_000_000..10_000_000 => "1–10 MB",
        10_000_000..100_000_000 => "10–100 MB",
        _ => "100 MB or more",
    }
}

/// The upstream status of a request no server behind the proxy answered.
pub const NO_ANSWER: &str = "none";

/// An upstream status as the draft says it: `none` where no server answered (`-`, `0`,
/// `null`, nothing: each writer's way of saying so).
fn upstream_status(status: &[u8]) -> Value<'_> {
    match status.trim_ascii() {
        b"" | b"-" | b"0" | b"000" | b"null" => Value::Text(NO_ANSWER.as_bytes()),
        status => Value::Text(status),
    }
}

/// A value of a field as a line gives it: spelt out only when it takes a place in a
/// summary, most lines counting for a value already there.
#[derive(Debug)]
enum Value<'a> {
    /// As the line wrote it.
    Text(&'a [u8]),
    /// An IPv4 network: its address's first three numbers (`203.0.113`), spelt
    /// `203.0.113.0/24`.
    Network(&'a [u8]),
    /// Spelt already (an IPv6 network).
    Spelt(String),
}

impl Value<'_> {
    fn spell(&self, into: &mut compact_str::CompactString) {
        into.clear();
        match self {
            // Log text is untrusted: a value leaves the scan cleaned, as messages do (most
            // are printable ASCII already, and are taken as they are).
            Value::Text(text) => {
                let text = &text[..text.len().min(VALUE_BYTES)];
                let plain = text.iter().all(|b| (b' '..=b'~').contains(b)) && text.first() != Some(&b' ') && text.last() != Some(&b' ');
                match std::str::from_utf8(text) {
                    Ok(plain_text) if plain => into.push_str(plain_text),
                    _ => into.push_str(&crate::text::clean_line(text, VALUE_BYTES)),
                }
            }
            Value::Network(prefix) => {
                into.push_str(&String::from_utf8_lossy(prefix));
                into.push_str(".0/24");
            }
            Value::Spelt(text) => into.push_str(text),
        }
    }
}

/// A client's network: its /24 for IPv4, its /64 for IPv6 (what one host, office or
/// crawler's range usually is); `None` for what is not an address (a name, `-`). An
/// IPv4 address as a dual-stack server writes it (`::ffff:203.0.113.7`) is IPv4.
fn network_of(client: &[u8]) -> Option<Value<'_>> {
    let client = client.strip_prefix(b"::ffff:").unwrap_or(client);
    // Most clients are IPv4, four numbers: their network is the text before the last dot.
    let numbers = client.split(|&b| b == b'.');
    if client.len() <= 15
        && numbers.clone().count() == 4
        && numbers
            .clone()
            .all(|n| (1..=3).contains(&n.len()) && n.iter().all(u8::is_ascii_digit))
    {
        let last_dot = client.iter().rposition(|&b| b == b'.')?;
        return Some(Value::Network(&client[..last_dot]));
    }
    let text = std::str::from_utf8(client).ok()?;
    let std::net::IpAddr::V6(v6) = text.parse::<std::net::IpAddr>().ok()? else {
        return None;
    };
    let s = v6.segments();
    let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
    Some(Value::Spelt(format!("{prefix}/64")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_size_is_classed_by_its_decade_of_bytes() {
        assert_eq!(size_class(0), "under 1 KB");
        assert_eq!(size_class(999), "under 1 KB");
        assert_eq!(size_class(1_000), "1–10 KB");
        assert_eq!(size_class(99_999), "10–100 KB");
        assert_eq!(size_class(1_200_000), "1–10 MB");
        assert_eq!(size_class(u64::MAX), "100 MB or more");
    }

    #[test]
    fn no_answer_is_one_value_however_a_writer_says_it() {
        for none in [&b"-"[..], b"0", b"000", b"null", b"", b" - "] {
            assert!(
                matches!(upstream_status(none), Value::Text(text) if text == NO_ANSWER.as_bytes()),
                "{none:?}"
            );
        }
        assert!(matches!(upstream_status(b"503"), Value::Text(b"503")));
    }

    fn mark(line: u64) -> Mark {
        Mark {
            time: 0,
            file: 0,
            offset: 0,
            line,
        }
    }

    fn summary(values: &[&str]) -> TopValues {
        let mut top = TopValues::default();
        for (i, v) in values.iter().enumerate() {
            top.add(
                super::super::keys::fixed_hash(v.as_bytes()),
                &Value::Text(v.as_bytes()),
                1,
                mark(i as u64),
            );
        }
        top
    }

    fn bounds(top: &TopValues, value: &str) -> Option<(u64, u64)> {
        top.entries().find(|e| e.value == value).map(|e| (e.count - e.error, e.count))
    }

    #[test]
    fn a_value_with_more_than_its_share_is_kept_and_bounded() {
        // One crawler among 400 distinct visitors, each seen once: 100 of 500 lines.
        let mut lines: Vec<String> = (0..400).map(|i| format!("visitor{i}")).collect();
        for i in 0..100 {
            lines.insert(i * 5, "crawler".to_string());
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let top = summary(&refs);
        let (low, high) = bounds(&top, "crawler").expect("the heavy value is kept");
        assert!(low <= 100 && 100 <= high, "{low}..{high}");
        assert_eq!(top.len(), CAPACITY);
    }

    #[test]
    fn a_value_is_kept_without_the_controls_its_log_carried() {
        // A user agent that would colour a terminal and end a Markdown line.
        let top = summary(&["evil\u{1b}[31mbot\r\n/1.0"]);
        let kept = top.entries().next().unwrap().value.to_string();
        assert_eq!(kept, "evilbot/1.0");
    }

    #[test]
    fn merging_keeps_the_bounds_true_in_either_order() {
        let a: Vec<&str> = ["api", "api", "web", "bot", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "bot", "bot"].to_vec();
        let b: Vec<&str> = ["bot", "bot", "bot", "y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8", "api"].to_vec();
        let mut ab = summary(&a);
        ab.merge(summary(&b));
        let mut ba = summary(&b);
        ba.merge(summary(&a));
        let listed = |top: &TopValues| top.entries().map(|e| (e.value.to_string(), e.count)).collect::<Vec<_>>();
        assert_eq!(listed(&ab), listed(&ba));
        let (low, high) = bounds(&ab, "bot").unwrap();
        assert!(low <= 6 && 6 <= high, "{low}..{high}");
    }

    #[test]
    fn a_round_robin_is_not_sampled_on_one_side() {
        // A minute of 6,000 requests alternating between two backends, one line in two
        // of each: counted off, every 64th line would be the same backend's.
        let mut top = TopValues::default();
        for n in 0..6000u64 {
            let value: &[u8] = if n % 2 == 0 { b"web-1" } else { b"web-2" };
            let weight = sample_weight(n, n * 150);
            if weight > 0 {
                top.add(super::super::keys::fixed_hash(value), &Value::Text(value), weight, mark(n));
            }
        }
        for value in ["web-1", "web-2"] {
            let (low, high) = bounds(&top, value).unwrap();
            assert!(
                (2400..=3600).contains(&low) && (2400..=3600).contains(&high),
                "{value}: {low}..{high}"
            );
        }
    }

    #[test]
    fn sampling_weights_add_up_to_the_requests() {
        for requests in [1u64, 255, 256, 257, 1000, 4096] {
            // Lines of about 160 bytes, as an access log's.
            let total: u64 = (0..requests).map(|n| u64::from(sample_weight(n, n * 157))).sum();
            let sampled = requests.saturating_sub(SAMPLE_ALL);
            // Within four standard deviations of a binomial draw of one in 64.
            let allowed = SAMPLE_STRIDE * (4 * (crate::num::whole((sampled as f64 / SAMPLE_STRIDE as f64).sqrt())) + 1);
            assert!(total.abs_diff(requests) <= allowed, "{requests}: {total}");
        }
    }

    #[test]
    fn networks_of_addresses() {
        let spelt = |client: &[u8]| {
            network_of(client).map(|v| {
                let mut s = compact_str::CompactString::default();
                v.spell(&mut s);
                s.to_string()
            })
        };
        assert_eq!(spelt(b"203.0.113.7").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(spelt(b"2001:db8:1:2:3::9").as_deref(), Some("2001:db8:1:2::/64"));
        assert_eq!(spelt(b"-"), None);
        assert_eq!(spelt(b"shop.example"), None);
        assert_eq!(spelt(b"1.2.3.4.5"), None);
        assert_eq!(spelt(b"::ffff:203.0.113.7").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(spelt(b"2001:db8:0:0:1::9").as_deref(), Some("2001:db8::/64"));
    }
}
