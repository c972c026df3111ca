//! Per-bucket series of web traffic: requests, responses by status class, distinct
//! clients and those that saw a failure, and request time where the format has it. This
//! is the raw material of spike detection and of the impact of an incident; the scan
//! fills it from every access line, so it is cheap to add to and to merge.

use crate::format::Request;
use crate::time::Micros;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes a key that is already a hash (of a client address): one multiply to spread
/// its bits, instead of SipHash over eight bytes for every access line.
#[derive(Default)]
pub struct PrehashedKey(u64);

impl Hasher for PrehashedKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A set of client hashes.
pub type ClientSet = HashSet<u64, BuildHasherDefault<PrehashedKey>>;

/// Counts for one bucket of time.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Bucket {
    pub requests: u64,
    /// Responses by status class: index 0 is 1xx, 4 is 5xx.
    pub by_class: [u64; 5],
    /// Hashes of the clients seen (hashes, not addresses: bounded and enough to count).
    #[serde(skip)]
    pub clients: ClientSet,
    /// Hashes of the clients that got at least one 5xx.
    #[serde(skip)]
    pub failed_clients: ClientSet,
    pub duration_count: u64,
    pub duration_sum_ms: f64,
    pub duration_max_ms: f64,
    /// Requests and failures per endpoint (see [`endpoint_key`]), at most
    /// [`ENDPOINTS_PER_BUCKET`] of them; the rest count under `(other)`.
    #[serde(skip)]
    pub endpoints: Vec<(Box<str>, u64, u64)>,
}

/// Endpoints a bucket keeps apart, at most: enough for a shop's pages, bounded whatever
/// the URLs.
pub const ENDPOINTS_PER_BUCKET: usize = 64;

/// What an endpoint is called: the path without its query, numeric segments folded into
/// `:id`, two segments at most (`/products/4711?x=1` → `/products/:id`).
pub fn endpoint_key(path: &[u8], into: &mut Vec<u8>) {
    into.clear();
    let path = &path[..memchr::memchr(b'?', path).unwrap_or(path.len())];
    for segment in path.split(|&b| b == b'/').filter(|s| !s.is_empty()).take(2) {
        into.push(b'/');
        if segment.iter().all(u8::is_ascii_digit) || (segment.len() >= 16 && segment.iter().all(u8::is_ascii_hexdigit)) {
            into.extend_from_slice(b":id");
        } else {
            into.extend_from_slice(&segment[..segment.len().min(40)]);
        }
    }
    if into.is_empty() {
        into.push(b'/');
    }
}

impl Bucket {
    pub fn failed(&self) -> u64 {
        self.by_class[4]
    }

    #[inline]
    fn add(&mut self, request: &Request<'_>, key: &[u8]) {
        self.requests += 1;
        let class = usize::from(request.status / 100).clamp(1, 5) - 1;
        self.by_class[class] += 1;
        self.count_endpoint(key, 1, u64::from(class == 4));
        let client = client_hash(request.client);
        self.clients.insert(client);
        if class == 4 {
            self.failed_clients.insert(client);
        }
        if let Some(ms) = request.duration_ms {
            self.duration_count += 1;
            self.duration_sum_ms += ms;
            self.duration_max_ms = self.duration_max_ms.max(ms);
        }
    }

    fn count_endpoint(&mut self, key: &[u8], requests: u64, failed: u64) {
        let find = |endpoints: &[(Box<str>, u64, u64)], key: &[u8]| endpoints.iter().position(|(k, ..)| k.as_bytes() == key);
        let index = match find(&self.endpoints, key) {
            Some(index) => index,
            None if self.endpoints.len() < ENDPOINTS_PER_BUCKET => {
                self.endpoints.push((String::from_utf8_lossy(key).into(), 0, 0));
                self.endpoints.len() - 1
            }
            None => find(&self.endpoints, b"(other)").unwrap_or_else(|| {
                self.endpoints.push(("(other)".into(), 0, 0));
                self.endpoints.len() - 1
            }),
        };
        let (_, r, f) = &mut self.endpoints[index];
        *r += requests;
        *f += failed;
    }

    fn merge(&mut self, other: Bucket) {
        for (key, requests, failed) in &other.endpoints {
            self.count_endpoint(key.as_bytes(), *requests, *failed);
        }
        self.requests += other.requests;
        for (mine, theirs) in self.by_class.iter_mut().zip(other.by_class) {
            *mine += theirs;
        }
        self.clients.extend(other.clients);
        self.failed_clients.extend(other.failed_clients);
        self.duration_count += other.duration_count;
        self.duration_sum_ms += other.duration_sum_ms;
        self.duration_max_ms = self.duration_max_ms.max(other.duration_max_ms);
    }
}

/// A fixed hash, so that client counts do not depend on the run: eight bytes at a time
/// (an address is one to five words), each word mixed in by a multiply and a rotation.
fn client_hash(client: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut hash = (client.len() as u64).wrapping_mul(K);
    let mut words = client.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        hash = (hash ^ word).wrapping_mul(K).rotate_left(29);
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    hash = (hash ^ u64::from_le_bytes(tail)).wrapping_mul(K).rotate_left(29);
    hash ^ (hash >> 32)
}

/// A series of buckets of a fixed width, keyed by the start of each bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub width: Micros,
    pub buckets: BTreeMap<Micros, Bucket>,
}

impl Series {
    pub fn new(width: Micros) -> Series {
        Series {
            width,
            buckets: BTreeMap::new(),
        }
    }

    pub fn bucket_start(&self, t: Micros) -> Micros {
        t.div_euclid(self.width) * self.width
    }

    pub fn add(&mut self, t: Micros, request: &Request<'_>) {
        let start = self.bucket_start(t);
        let mut key = Vec::new();
        endpoint_key(request.path, &mut key);
        self.buckets.entry(start).or_default().add(request, &key);
    }

    pub fn merge(&mut self, other: Series) {
        for (start, bucket) in other.buckets {
            self.buckets.entry(start).or_default().merge(bucket);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

/// Fills a [`Series`] from lines that mostly come in time order: the bucket being
/// filled is kept aside and goes into the map only when a line falls in another one.
#[derive(Debug)]
pub struct SeriesBuilder {
    series: Series,
    open: Option<(Micros, Bucket)>,
    /// Reused for each line's endpoint key.
    key: Vec<u8>,
}

impl SeriesBuilder {
    pub fn new(width: Micros) -> SeriesBuilder {
        SeriesBuilder {
            series: Series::new(width),
            open: None,
            key: Vec::with_capacity(64),
        }
    }

    #[inline]
    pub fn add(&mut self, t: Micros, request: &Request<'_>) {
        endpoint_key(request.path, &mut self.key);
        if let Some((open_start, bucket)) = &mut self.open {
            // A range check, not a division: most lines fall in the open bucket.
            if t >= *open_start && t - *open_start < self.series.width {
                bucket.add(request, &self.key);
                return;
            }
        }
        let start = self.series.bucket_start(t);
        self.close_open();
        let mut bucket = self.series.buckets.remove(&start).unwrap_or_default();
        bucket.add(request, &self.key);
        self.open = Some((start, bucket));
    }

    fn close_open(&mut self) {
        if let Some((start, bucket)) = self.open.take() {
            self.series.buckets.insert(start, bucket);
        }
    }

    pub fn finish(mut self) -> Series {
        self.close_open();
        self.series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(client: &'static [u8], status: u16) -> Request<'static> {
        Request {
            client,
            method: b"GET",
            path: b"/",
            status,
            duration_ms: Some(10.0),
        }
    }

    #[test]
    fn counts_and_merges() {
        let minute = 60_000_000;
        let mut a = Series::new(minute);
        a.add(5, &request(b"1.1.1.1", 200));
        a.add(6, &request(b"1.1.1.2", 503));
        let mut b = Series::new(minute);
        b.add(7, &request(b"1.1.1.2", 500));
        b.add(minute + 1, &request(b"1.1.1.3", 404));
        a.merge(b);
        let first = &a.buckets[&0];
        assert_eq!(
            (first.requests, first.failed(), first.clients.len(), first.failed_clients.len()),
            (3, 2, 2, 1)
        );
        assert_eq!(a.buckets[&minute].by_class[3], 1);
        assert_eq!(first.duration_sum_ms, 30.0);
    }

    #[test]
    fn endpoints_fold_ids_and_queries() {
        let mut key = Vec::new();
        for (path, expected) in [
            ("/products/4711?ref=mail", "/products/:id"),
            ("/", "/"),
            ("", "/"),
            ("/api/v1/orders/9", "/api/v1"),
            ("/search?q=x", "/search"),
        ] {
            endpoint_key(path.as_bytes(), &mut key);
            assert_eq!(key, expected.as_bytes(), "{path}");
        }
    }

    #[test]
    fn the_builder_gives_the_same_series_in_any_order() {
        let minute = 60_000_000;
        let times = [5, 6, minute + 1, 7, 2 * minute, minute + 2, 8];
        let mut direct = Series::new(minute);
        let mut built = SeriesBuilder::new(minute);
        for (i, t) in times.iter().enumerate() {
            let r = request(if i % 2 == 0 { b"1.1.1.1" } else { b"1.1.1.2" }, 500 + i as u16);
            direct.add(*t, &r);
            built.add(*t, &r);
        }
        assert_eq!(built.finish(), direct);
    }
}
