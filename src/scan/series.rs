//! Per-bucket series of web traffic: requests, responses by status class, distinct
//! clients and those that saw a failure, and request time where the format has it. This
//! is the raw material of spike detection and of the impact of an incident; the scan
//! fills it from every access line, so it is cheap to add to and to merge.

use super::clients::Clients;
use super::keys::{fixed_hash, shifted_bucket, Mark, HASH_MULTIPLIER};
use super::top_values::BucketFields;
use crate::format::{Request, RequestDetails};
use crate::time::Micros;
use std::collections::BTreeMap;

/// Counts for one bucket of time.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Bucket {
    pub requests: u64,
    /// Responses by status class: index 0 is 1xx, 4 is 5xx.
    pub by_class: [u64; 5],
    /// Hashes of the clients seen (hashes, not addresses: bounded and enough to count).
    pub clients: Clients,
    /// Hashes of the clients that got at least one 5xx.
    pub failed_clients: Clients,
    pub duration_count: u64,
    pub duration_sum_ms: f64,
    pub duration_max_ms: f64,
    /// The longest a failed (5xx) request took: how long the failures waited (a timeout).
    pub failed_duration_max_ms: f64,
    /// Requests and failures per endpoint (see [`Endpoint`]), at most
    /// [`ENDPOINTS_PER_BUCKET`] of them; the rest count under `(other)`.
    pub endpoints: Vec<EndpointCount>,
    /// Failed requests by the reason the proxy that logged them gave for failing them
    /// itself (Envoy's response flags), at most [`REASONS_PER_BUCKET`] of them; the
    /// rest are not counted.
    pub reasons: Vec<(Box<str>, u64)>,
    /// The values of each request field that carried most requests and most failures
    /// (see [`super::top_values`]), for the whole field range the bucket starts: one
    /// bucket of each range holds them (see [`Series`]); the others have none.
    pub fields: Option<Box<BucketFields>>,
}

/// Reasons a bucket keeps apart, at most: a proxy has a few dozen codes.
pub const REASONS_PER_BUCKET: usize = 16;

/// One endpoint's requests and failures in a bucket.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EndpointCount {
    pub name: Box<str>,
    /// [`Endpoint::hash`]: a bucket is searched by it for every access line, and
    /// comparing numbers is cheaper than building and comparing names.
    hash: u64,
    pub requests: u64,
    pub failed: u64,
}

/// Endpoints a bucket keeps apart, at most: enough for a shop's pages, bounded whatever
/// the URLs.
pub const ENDPOINTS_PER_BUCKET: usize = 64;

/// What the series calls the endpoint of a path: the path without its query, numeric
/// segments folded into `:id`, two segments at most (`/products/4711?x=1` →
/// `/products/:id`). It borrows the segments from the path: most lines only need its
/// hash, and the name is spelled out when a bucket first meets it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Endpoint<'a> {
    segments: [&'a [u8]; 2],
    count: usize,
}

/// The longest segment kept in an endpoint's name.
const SEGMENT_BYTES: usize = 40;

impl<'a> Endpoint<'a> {
    pub fn of(path: &'a [u8]) -> Endpoint<'a> {
        let mut endpoint = Endpoint {
            segments: [b""; 2],
            count: 0,
        };
        // The path up to its query, split at slashes; the segments past the second are
        // not looked at.
        let path = &path[..path.iter().position(|&b| b == b'?').unwrap_or(path.len())];
        for segment in path.split(|&b| b == b'/').filter(|segment| !segment.is_empty()).take(2) {
            endpoint.segments[endpoint.count] = fold_id(segment);
            endpoint.count += 1;
        }
        endpoint
    }

    /// Tells endpoints apart, as client hashes tell clients apart: a collision among a
    /// bucket's few dozen endpoints is too unlikely to matter.
    pub fn hash(&self) -> u64 {
        self.segments[..self.count].iter().fold(self.count as u64, |hash, segment| {
            (hash ^ fixed_hash(segment)).wrapping_mul(HASH_MULTIPLIER)
        })
    }

    pub fn name(&self) -> Box<str> {
        if self.count == 0 {
            return "/".into();
        }
        let mut name = String::new();
        for segment in &self.segments[..self.count] {
            name.push('/');
            name.push_str(&String::from_utf8_lossy(segment));
        }
        name.into()
    }
}

/// A segment as an endpoint's name shows it: `:id` for a number or a long hex string
/// (ids, hashes), else the segment, cut at [`SEGMENT_BYTES`].
fn fold_id(segment: &[u8]) -> &[u8] {
    let numeric = segment.iter().all(u8::is_ascii_digit) || (segment.len() >= 16 && segment.iter().all(u8::is_ascii_hexdigit));
    if numeric {
        b":id"
    } else {
        &segment[..segment.len().min(SEGMENT_BYTES)]
    }
}

/// Where the endpoints past [`ENDPOINTS_PER_BUCKET`] count: a name no path gives (it
/// has no `/`), and a hash of its own.
const OTHER_ENDPOINTS: &str = "(other)";
const OTHER_ENDPOINTS_HASH: u64 = u64::MAX;

impl Bucket {
    /// The bucket's counts, without its field summaries.
    pub fn counts_only(&self) -> Bucket {
        let Bucket {
            requests,
            by_class,
            clients,
            failed_clients,
            duration_count,
            duration_sum_ms,
            duration_max_ms,
            failed_duration_max_ms,
            endpoints,
            reasons,
            fields: _,
        } = self;
        Bucket {
            requests: *requests,
            by_class: *by_class,
            clients: clients.clone(),
            failed_clients: failed_clients.clone(),
            duration_count: *duration_count,
            duration_sum_ms: *duration_sum_ms,
            duration_max_ms: *duration_max_ms,
            failed_duration_max_ms: *failed_duration_max_ms,
            endpoints: endpoints.clone(),
            reasons: reasons.clone(),
            fields: None,
        }
    }

    pub fn failed(&self) -> u64 {
        self.by_class[4]
    }

    /// Packs its client sketches: it is closed (see [`Clients::pack`]).
    fn pack_clients(&mut self) {
        self.clients.pack();
        self.failed_clients.pack();
    }

    /// Counts a request; `details` reads its details when its fields are counted.
    #[inline]
    fn add<'a>(&mut self, request: &Request<'a>, endpoint: &Endpoint<'_>, mark: Mark, details: impl FnOnce() -> RequestDetails<'a>) {
        let class = class_of(request.status);
        let seen_before = (self.requests, (class == 4).then_some(self.by_class[4]));
        self.requests += 1;
        self.by_class[class] += 1;
        self.count_endpoint(endpoint.hash(), || endpoint.name(), 1, u64::from(class == 4));
        let client = fixed_hash(&request.client);
        self.clients.insert(client);
        if class == 4 {
            self.failed_clients.insert(client);
        }
        BucketFields::add(&mut self.fields, seen_before, request, details, (mark, client));
        if let (true, Some(reason)) = (class == 4, request.reason) {
            self.count_reason(reason, 1);
        }
        if let Some(ms) = request.duration_ms {
            self.duration_count += 1;
            self.duration_sum_ms += ms;
            self.duration_max_ms = self.duration_max_ms.max(ms);
            if class == 4 {
                self.failed_duration_max_ms = self.failed_duration_max_ms.max(ms);
            }
        }
    }

    /// Counts requests to the endpoint of `hash`, named by `name` if the bucket has not
    /// met it yet; past [`ENDPOINTS_PER_BUCKET`], under `(other)`.
    fn count_endpoint(&mut self, hash: u64, name: impl FnOnce() -> Box<str>, requests: u64, failed: u64) {
        let find = |endpoints: &[EndpointCount], hash: u64| endpoints.iter().position(|e| e.hash == hash);
        let add = |endpoints: &mut Vec<EndpointCount>, hash: u64, name: Box<str>| {
            endpoints.push(EndpointCount {
                name,
                hash,
                requests: 0,
                failed: 0,
            });
            endpoints.len() - 1
        };
        let index = match find(&self.endpoints, hash) {
            Some(index) => index,
            None if self.endpoints.len() < ENDPOINTS_PER_BUCKET => add(&mut self.endpoints, hash, name()),
            None => match find(&self.endpoints, OTHER_ENDPOINTS_HASH) {
                Some(index) => index,
                None => add(&mut self.endpoints, OTHER_ENDPOINTS_HASH, OTHER_ENDPOINTS.into()),
            },
        };
        let endpoint = &mut self.endpoints[index];
        endpoint.requests += requests;
        endpoint.failed += failed;
    }

    /// Counts `failed` requests failed for `reason`, among the first
    /// [`REASONS_PER_BUCKET`] reasons met.
    fn count_reason(&mut self, reason: &[u8], failed: u64) {
        match self.reasons.iter().position(|(known, _)| known.as_bytes() == reason) {
            Some(index) => self.reasons[index].1 += failed,
            None if self.reasons.len() < REASONS_PER_BUCKET => {
                self.reasons.push((String::from_utf8_lossy(reason).into(), failed));
            }
            None => {}
        }
    }

    fn merge(&mut self, other: Bucket) {
        for endpoint in other.endpoints {
            self.count_endpoint(endpoint.hash, || endpoint.name, endpoint.requests, endpoint.failed);
        }
        for (reason, failed) in other.reasons {
            self.count_reason(reason.as_bytes(), failed);
        }
        match (&mut self.fields, other.fields) {
            (Some(mine), Some(theirs)) => mine.merge(*theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
        self.requests += other.requests;
        for (mine, theirs) in self.by_class.iter_mut().zip(other.by_class) {
            *mine += theirs;
        }
        self.clients.merge(&other.clients);
        self.failed_clients.merge(&other.failed_clients);
        self.duration_count += other.duration_count;
        self.duration_sum_ms += other.duration_sum_ms;
        self.duration_max_ms = self.duration_max_ms.max(other.duration_max_ms);
        self.failed_duration_max_ms = self.failed_duration_max_ms.max(other.failed_duration_max_ms);
    }
}

/// A status's class as an index of [`Bucket::by_class`]: 0 for 1xx, 4 for 5xx.
#[inline]
fn class_of(status: u16) -> usize {
    usize::from(status / 100).clamp(1, 5) - 1
}

/// A series of buckets of a fixed width, keyed by the start of each bucket.
///
/// The buckets' field summaries ([`Bucket::fields`]) cover `field_width` each, a
/// power-of-two multiple of `width`: one bucket of each such range (aligned on the
/// epoch) holds the range's summaries. The ranges widen as the series' span grows, so
/// that at most [`MAX_FIELD_RANGES`] of them cover it: the summaries' memory does not
/// grow with the span (a day of minutes is read in ranges of two minutes, a week in
/// ranges of sixteen).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Series {
    pub width: Micros,
    pub field_width: Micros,
    pub buckets: BTreeMap<Micros, Bucket>,
}

/// Field ranges a series keeps summaries for, at most: 17 hours of minutes, and a few
/// MB of summaries whatever the span.
pub const MAX_FIELD_RANGES: i64 = 1024;

impl Series {
    pub fn new(width: Micros) -> Series {
        Series {
            width,
            field_width: width,
            buckets: BTreeMap::new(),
        }
    }

    pub fn bucket_start(&self, t: Micros) -> Micros {
        t.div_euclid(self.width) * self.width
    }

    /// The stretch each field summary covers (never less than a bucket).
    pub fn field_width(&self) -> Micros {
        self.field_width.max(self.width).max(1)
    }

    /// The start of the field range that holds `t`.
    pub fn field_start(&self, t: Micros) -> Micros {
        t.div_euclid(self.field_width()) * self.field_width()
    }

    /// Counts a request at `t` (one with no line to cite: a test's; each instant its own
    /// place, as lines have in a file).
    pub fn add(&mut self, t: Micros, request: &Request<'_>) {
        let mark = Mark {
            time: t,
            file: 0,
            offset: t.unsigned_abs(),
            line: 0,
        };
        self.add_line(t, request, mark);
    }

    /// Counts the request of the line at `mark`, at `t`.
    pub fn add_line(&mut self, t: Micros, request: &Request<'_>, mark: Mark) {
        let start = self.bucket_start(t);
        let mut bucket = self.buckets.remove(&start).unwrap_or_default();
        bucket.add(request, &Endpoint::of(&request.path), mark, RequestDetails::default);
        self.merge_bucket(start, bucket);
        self.bound_fields();
    }

    /// Gives the lines its fields cite their place: the file's index, and the lines of
    /// the chunks before (as [`super::hits::Hits::place`]).
    pub fn place(&mut self, file: u32, lines_before: u64) {
        self.each_place(&mut |f, line| {
            *f = file;
            *line += lines_before + 1;
        });
    }

    /// Whether it is what a scan with buckets of `width` keeps of a chunk (see
    /// [`super::partial`]): its buckets and field ranges of that width and aligned, its
    /// times plausible, each bucket bounded as a scan bounds it.
    pub fn check(&self, width: Micros) -> Result<(), &'static str> {
        let whole = self.field_width > 0 && self.field_width % width.max(1) == 0;
        if self.width != width || !whole {
            return Err("its traffic is counted in buckets of another width");
        }
        for (start, bucket) in &self.buckets {
            if !super::keys::is_plausible(*start) || start.rem_euclid(width.max(1)) != 0 {
                return Err("traffic out of time");
            }
            if bucket.endpoints.len() > ENDPOINTS_PER_BUCKET + 1 || bucket.reasons.len() > REASONS_PER_BUCKET {
                return Err("a bucket of more endpoints than a scan keeps");
            }
            let counts = [bucket.requests, bucket.duration_count]
                .into_iter()
                .chain(bucket.by_class)
                .chain(bucket.endpoints.iter().flat_map(|e| [e.requests, e.failed]))
                .chain(bucket.reasons.iter().map(|(_, n)| *n));
            let durations = [bucket.duration_sum_ms, bucket.duration_max_ms, bucket.failed_duration_max_ms];
            if !counts.into_iter().all(super::keys::is_plausible_count) || !durations.iter().all(|d| d.is_finite() && *d >= 0.0) {
                return Err("a bucket of more requests than any log holds, or of no duration");
            }
            if let Some(fields) = &bucket.fields {
                fields.check()?;
            }
        }
        Ok(())
    }

    /// Calls `visit` with the file and line number of every line it keeps.
    pub fn each_place(&mut self, visit: &mut impl FnMut(&mut u32, &mut u64)) {
        for fields in self.buckets.values_mut().filter_map(|b| b.fields.as_mut()) {
            fields.each_place(visit);
        }
    }

    /// Adds the buckets of `other` (later lines, or another source), their field
    /// summaries in ranges as wide as the wider of the two; then widens the ranges if the
    /// span has outgrown [`MAX_FIELD_RANGES`] of them.
    pub fn merge(&mut self, mut other: Series) {
        let field_width = self.field_width().max(other.field_width());
        self.widen_fields(field_width);
        other.widen_fields(field_width);
        if self.buckets.is_empty() && self.width == other.width {
            // Nothing to merge with (a source's first piece, the traffic of one access
            // log): the buckets move in whole, as one by one they would land.
            self.buckets = other.buckets;
            self.buckets.values_mut().for_each(Bucket::pack_clients);
        } else {
            for (start, bucket) in other.buckets {
                self.merge_closed(start, bucket);
            }
        }
        self.bound_fields();
    }

    /// Adds `bucket` into the one starting at `start`: moved in whole where there is none
    /// yet (most buckets of a chunk or a piece are new to the series); its field
    /// summaries join those of their range.
    fn merge_bucket(&mut self, start: Micros, mut bucket: Bucket) {
        let fields = bucket.fields.take();
        match self.buckets.entry(start) {
            std::collections::btree_map::Entry::Vacant(vacant) => {
                vacant.insert(bucket);
            }
            std::collections::btree_map::Entry::Occupied(mut occupied) => occupied.get_mut().merge(bucket),
        }
        if let Some(fields) = fields {
            self.place_fields(start, fields);
        }
    }

    /// [`Series::merge_bucket`] for a bucket no line will be added to: its client
    /// sketches are packed (see [`Clients::pack`]).
    fn merge_closed(&mut self, start: Micros, bucket: Bucket) {
        self.merge_bucket(start, bucket);
        if let Some(held) = self.buckets.get_mut(&start) {
            held.pack_clients();
        }
    }

    /// Moves the field summaries of `other` (a series whose counts this one holds
    /// already) into this one's ranges.
    pub fn take_fields_of(&mut self, other: &mut Series) {
        self.widen_fields(other.field_width());
        for (start, bucket) in &mut other.buckets {
            if let Some(fields) = bucket.fields.take() {
                self.place_fields(*start, fields);
            }
        }
    }

    /// Puts the field summaries of the bucket at `start` with their range's: into the
    /// bucket of the range that holds some already, else into that bucket.
    fn place_fields(&mut self, start: Micros, fields: Box<BucketFields>) {
        let range = self.field_start(start);
        let end = range + self.field_width();
        match self.buckets.range_mut(range..end).find_map(|(_, b)| b.fields.as_mut()) {
            Some(held) => held.merge(*fields),
            None => {
                if let Some(bucket) = self.buckets.get_mut(&start) {
                    bucket.fields = Some(fields);
                }
            }
        }
    }

    /// Makes the field ranges `field_width` wide (never narrower than they are), each
    /// range's summaries merged into its first bucket that holds some, in time order.
    fn widen_fields(&mut self, field_width: Micros) {
        if field_width <= self.field_width() {
            return;
        }
        self.field_width = field_width;
        let holders: Vec<Micros> = self.buckets.iter().filter(|(_, b)| b.fields.is_some()).map(|(s, _)| *s).collect();
        for start in holders {
            if let Some(fields) = self.buckets.get_mut(&start).and_then(|b| b.fields.take()) {
                self.place_fields(start, fields);
            }
        }
    }

    /// Widens the field ranges, doubling them, until at most [`MAX_FIELD_RANGES`] cover
    /// the span.
    fn bound_fields(&mut self) {
        let (Some(first), Some(last)) = (self.buckets.keys().next().copied(), self.buckets.keys().next_back().copied()) else {
            return;
        };
        let mut field_width = self.field_width();
        while (last.div_euclid(field_width) - first.div_euclid(field_width)) >= MAX_FIELD_RANGES {
            field_width *= 2;
        }
        self.widen_fields(field_width);
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The series' counts, without the buckets' field summaries.
    pub fn counts_only(&self) -> Series {
        Series {
            width: self.width,
            field_width: self.field_width,
            buckets: self.buckets.iter().map(|(start, b)| (*start, b.counts_only())).collect(),
        }
    }

    /// Moves the traffic by `delta` (a clock found off), each bucket into the one that
    /// holds most of it once moved, and each field range's summaries likewise into the
    /// range that holds most of it.
    pub fn shift(&mut self, delta: Micros) {
        let (width, field_width) = (self.width, self.field_width());
        let mut summaries = Vec::new();
        for (start, mut bucket) in std::mem::take(&mut self.buckets) {
            if let Some(fields) = bucket.fields.take() {
                summaries.push((self.field_start(start), fields));
            }
            self.merge_closed(shifted_bucket(start, delta, width), bucket);
        }
        for (range, fields) in summaries {
            let target = shifted_bucket(range, delta, field_width);
            // Its first bucket; a range the move left empty gives its summaries to the
            // nearest bucket.
            let holder = self
                .buckets
                .range(target..)
                .next()
                .filter(|(start, _)| **start < target + field_width)
                .or_else(|| self.buckets.range(..target).next_back())
                .or_else(|| self.buckets.range(target..).next())
                .map(|(start, _)| *start);
            if let Some(holder) = holder {
                self.place_fields(holder, fields);
            }
        }
        self.bound_fields();
    }
}

/// Fills a [`Series`] from lines that mostly come in time order: the bucket being
/// filled is kept aside and goes into the map only when a line falls in another one.
#[derive(Debug)]
pub struct SeriesBuilder {
    series: Series,
    open: Option<(Micros, Bucket)>,
}

impl SeriesBuilder {
    pub fn new(width: Micros) -> SeriesBuilder {
        SeriesBuilder {
            series: Series::new(width),
            open: None,
        }
    }

    /// Counts the request of the line at `mark`, at `t`; `details` reads its details
    /// when its fields are counted.
    #[inline]
    pub fn add<'a>(&mut self, t: Micros, request: &Request<'a>, mark: Mark, details: impl FnOnce() -> RequestDetails<'a>) {
        let endpoint = Endpoint::of(&request.path);
        if let Some((open_start, bucket)) = &mut self.open {
            // A range check, not a division: most lines fall in the open bucket.
            if t >= *open_start && t - *open_start < self.series.width {
                bucket.add(request, &endpoint, mark, details);
                return;
            }
        }
        let start = self.series.bucket_start(t);
        self.close_open();
        let mut bucket = self.series.buckets.remove(&start).unwrap_or_default();
        bucket.add(request, &endpoint, mark, details);
        self.open = Some((start, bucket));
    }

    /// Puts the open bucket into the series, its field summaries with those of their
    /// range, and keeps the ranges within [`MAX_FIELD_RANGES`].
    fn close_open(&mut self) {
        if let Some((start, bucket)) = self.open.take() {
            self.series.merge_bucket(start, bucket);
            self.series.bound_fields();
        }
    }

    /// The series of the lines counted, every bucket closed: their client sketches
    /// packed. (Not as each bucket closes: a line of a bucket closed already, a request
    /// logged a moment late, opens it again.)
    pub fn finish(mut self) -> Series {
        self.close_open();
        self.series.buckets.values_mut().for_each(Bucket::pack_clients);
        self.series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(client: &'static [u8], status: u16) -> Request<'static> {
        Request {
            client: client.into(),
            method: b"GET"[..].into(),
            path: b"/"[..].into(),
            status,
            duration_ms: Some(10.0),
            stamp_at: None,
            reason: None,
            details_at: 0,
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
            (
                first.requests,
                first.failed(),
                crate::num::index(first.clients.count()),
                crate::num::index(first.failed_clients.count())
            ),
            (3, 2, 2, 1)
        );
        assert_eq!(a.buckets[&minute].by_class[3], 1);
        assert_eq!(first.duration_sum_ms, 30.0);
    }

    #[test]
    fn endpoints_fold_ids_and_queries() {
        for (path, expected) in [
            ("/products/4711?ref=mail", "/products/:id"),
            ("/", "/"),
            ("", "/"),
            ("/api/v1/orders/9", "/api/v1"),
            ("/search?q=x", "/search"),
        ] {
            assert_eq!(&*Endpoint::of(path.as_bytes()).name(), expected, "{path}");
        }
    }

    #[test]
    fn paths_of_one_endpoint_share_its_hash() {
        let hash = |path: &str| Endpoint::of(path.as_bytes()).hash();
        assert_eq!(hash("/products/4711"), hash("/products/12?ref=mail"));
        assert_eq!(hash("/cart"), hash("/cart/"));
        assert_ne!(hash("/cart"), hash("/checkout"));
        assert_ne!(hash("/a/b"), hash("/ab"));
        assert_ne!(hash("/"), hash("/products"));
    }

    #[test]
    fn endpoints_past_the_limit_count_as_other() {
        let mut bucket = Bucket::default();
        let paths: Vec<String> = (0..ENDPOINTS_PER_BUCKET + 3).map(|i| format!("/page{i}")).collect();
        for path in &paths {
            bucket.add(
                &Request {
                    path: path.as_bytes().into(),
                    ..request(b"1.1.1.1", 503)
                },
                &Endpoint::of(path.as_bytes()),
                Mark::default(),
                RequestDetails::default,
            );
        }
        assert_eq!(bucket.endpoints.len(), ENDPOINTS_PER_BUCKET + 1);
        let other = bucket.endpoints.last().unwrap();
        assert_eq!((&*other.name, other.requests, other.failed), ("(other)", 3, 3));
        // Merged, the other bucket's endpoints find theirs, and its `(other)` joins ours.
        let mut merged = bucket.clone();
        merged.merge(bucket);
        assert_eq!(merged.endpoints.len(), ENDPOINTS_PER_BUCKET + 1);
        assert!(merged
            .endpoints
            .iter()
            .all(|e| e.requests == if &*e.name == "(other)" { 6 } else { 2 }));
    }

    #[test]
    fn the_builder_gives_the_same_series_in_any_order() {
        let minute = 60_000_000;
        let times = [5, 6, minute + 1, 7, 2 * minute, minute + 2, 8];
        let mut direct = Series::new(minute);
        let mut built = SeriesBuilder::new(minute);
        for (i, t) in times.iter().enumerate() {
            let r = request(if i % 2 == 0 { b"1.1.1.1" } else { b"1.1.1.2" }, 500 + u16::try_from(i).unwrap());
            direct.add(*t, &r);
            built.add(
                *t,
                &r,
                Mark {
                    time: *t,
                    ..Mark::default()
                },
                RequestDetails::default,
            );
        }
        assert_eq!(built.finish(), direct);
    }

    /// The starts of the field ranges that hold summaries.
    fn holders(series: &Series) -> Vec<Micros> {
        series
            .buckets
            .iter()
            .filter(|(_, b)| b.fields.is_some())
            .map(|(s, _)| series.field_start(*s))
            .collect()
    }

    const MINUTE: Micros = 60_000_000;

    /// One request a minute over `minutes`, as a chunk's builder counts them.
    fn one_a_minute(minutes: std::ops::Range<i64>) -> Series {
        let mut built = SeriesBuilder::new(MINUTE);
        for m in minutes {
            built.add(m * MINUTE, &request(b"1.1.1.1", 200), Mark::default(), RequestDetails::default);
        }
        built.finish()
    }

    /// The requests the client summaries count, every range together.
    fn counted(series: &Series) -> u64 {
        series
            .buckets
            .values()
            .filter_map(|b| b.fields.as_ref())
            .map(|f| f.requests[1].entries().map(|e| e.count).sum::<u64>())
            .sum()
    }

    #[test]
    fn field_ranges_widen_with_the_span_and_stay_bounded() {
        let minute = MINUTE;
        // 3,000 minutes, one request each: the ranges double until 1,024 cover them.
        let series = one_a_minute(0..3000);
        assert_eq!(series.field_width(), 4 * minute);
        let ranges = holders(&series);
        assert_eq!(ranges.len(), 750);
        assert!(ranges.windows(2).all(|w| w[0] < w[1]), "one holder a range");
        // Every request is still counted, in some range.
        assert_eq!(counted(&series), 3000);
        // Two halves merged (chunks, or sources) give the same ranges.
        let mut merged = one_a_minute(0..1500);
        assert_eq!(merged.field_width(), 2 * minute);
        merged.merge(one_a_minute(1500..3000));
        assert_eq!((merged.field_width(), holders(&merged)), (series.field_width(), ranges));
    }

    #[test]
    fn a_shift_moves_each_range_of_summaries_whole() {
        let minute = MINUTE;
        let mut series = one_a_minute(0..3000);
        assert_eq!(series.field_width(), 4 * minute);
        series.shift(2 * minute);
        let ranges = holders(&series);
        assert!(ranges.windows(2).all(|w| w[0] < w[1]), "one holder a range");
        // The first range's summaries, of minutes 0 to 3, now hold minutes 2 to 5: they
        // went to the range of minutes 4 to 7, which holds most of them.
        assert_eq!(ranges[0], 4 * minute);
        assert_eq!(counted(&series), 3000);
    }
}
