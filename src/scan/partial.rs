//! Scan partials: what the scan found in some files, written out (`postmortem scan
//! --output SHARD.pmscan`) so that a fleet's logs are scanned where they lie and drafted
//! together, as if one run had read them all.
//!
//! A partial keeps each file as the scan read it before files are put together
//! ([`ReadFile`]: what each chunk found, in order), with what decided the zone and year
//! of its times ([`TimeEvidence`]). Merging partials is then the same step as the end of
//! one run: the files are ordered as one run over them would find them, their zones and
//! years decided again from every file's evidence, and put together by
//! [`super::reduce::combine`]. Whatever way the files were split into shards, the draft
//! is the same, byte for byte (`tests/partials.rs`).
//!
//! A file is laid out as (see `docs/partials.md`):
//!
//! - 8 bytes: [`MAGIC`];
//! - 4 bytes: the format's version, little-endian ([`FORMAT_VERSION`]);
//! - a zstd frame, with its checksum, of the [postcard] encoding of [`Partial`].
//!
//! Postcard is a documented, compact serde encoding (varints, no field names): a partial
//! of a gigabyte of logs is a few hundred KB, and reads at memory speed. A partial written by
//! another version is refused: its types may differ.
//!
//! [postcard]: https://postcard.jamesmunns.com/wire-format

use super::{ReadFile, ScanOptions, ScanResult, ScannedFile, TimeEvidence};
use crate::error::Problem;
use crate::time::{self, Micros, StampZone, TimeContext, Zone};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::Path;

/// The first bytes of a partial: not text (so that no reader of logs takes it for one),
/// then the name, then a newline (so that a transfer that rewrote line ends shows).
pub const MAGIC: &[u8; 8] = b"\x89PMSCAN\n";

/// The version of the layout and of the types a partial holds: raised whenever either
/// changes. (A partial also names the version of postmortem that wrote it, and another
/// version's is refused.)
pub const FORMAT_VERSION: u32 = 3;

/// The extension by which a file among the inputs is read as a partial.
pub const EXTENSION: &str = "pmscan";

/// A decompressed partial this many times its stored size, or more, is refused: real
/// ones expand 4 to 9 times (the 1 GiB archive's 8.3, a week of 21 sources' 5.7), a dense
/// client sketch of mostly empty registers more, and a crafted frame of zeros could
/// otherwise ask for any memory.
const MAX_EXPANSION: u64 = 200;
/// Below this, a partial's expansion is not checked: tiny partials compress far more.
const EXPANSION_FLOOR: u64 = 64 << 20;

/// What a scan of some files found, and what it was scanned with.
#[derive(Debug, Serialize, Deserialize)]
pub struct Partial {
    /// The version of postmortem that wrote it.
    pub written_by: String,
    pub settings: Settings,
    /// Problems met finding the files (not a log by its name, an archive not read).
    #[serde(with = "crate::error::problem_list")]
    pub found_problems: Vec<Problem>,
    /// Problems met probing them (binary, unreadable).
    #[serde(with = "crate::error::problem_list")]
    pub probe_problems: Vec<Problem>,
    pub files: Vec<ScannedFile>,
}

/// What a scan's results depend on besides the files: partials are merged only with a
/// run that has the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub bucket: Micros,
    pub gap: Micros,
    pub max_line: usize,
    pub chunk_size: usize,
    pub keep_lines: bool,
    /// `--access-fields`, as given.
    pub access_fields: Option<String>,
    /// The rules' [`crate::rules::RuleSet::fingerprint`].
    pub rules: u64,
}

impl Settings {
    pub fn of(options: &ScanOptions, rules: &crate::rules::RuleSet) -> Settings {
        Settings {
            bucket: options.bucket,
            gap: options.gap,
            max_line: options.max_line,
            chunk_size: options.chunk_size,
            keep_lines: options.keep_lines,
            access_fields: options.access_fields.as_ref().map(|f| f.describe()),
            rules: rules.fingerprint(),
        }
    }

    /// What differs from `run`'s, said as the flags that differ; `None` when nothing does.
    pub fn differs(&self, run: &Settings) -> Option<String> {
        let flags = [
            (self.bucket != run.bucket, "--bucket"),
            (self.gap != run.gap, "--gap"),
            (self.max_line != run.max_line, "--max-line"),
            (self.access_fields != run.access_fields, "--access-fields"),
            (self.rules != run.rules, "--rules or --no-builtin-rules"),
            (self.chunk_size != run.chunk_size, "the chunk size"),
        ];
        let differ: Vec<&str> = flags.iter().filter(|(differs, _)| *differs).map(|(_, flag)| *flag).collect();
        (!differ.is_empty()).then(|| differ.join(", "))
    }
}

/// Whether a path names a partial (by its extension).
pub fn is_partial(path: &str) -> bool {
    Path::new(path).extension().is_some_and(|e| e == EXTENSION)
}

impl Partial {
    /// The partial's bytes, as [`Partial::decode`] reads them.
    pub fn encode(&self) -> std::io::Result<Vec<u8>> {
        let body = postcard::to_stdvec(self).map_err(std::io::Error::other)?;
        let mut out = Vec::with_capacity(body.len() / 8 + 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let mut encoder = zstd::stream::Encoder::new(out, 3)?;
        encoder.include_checksum(true)?;
        std::io::Write::write_all(&mut encoder, &body)?;
        encoder.finish()
    }

    /// Reads a partial for a run of `settings` and `rules` rules, or says in a sentence
    /// why it is none, not one this version reads, not one of this run's settings, or
    /// damaged.
    pub fn load(bytes: &[u8], settings: &Settings, rules: usize) -> Result<Partial, String> {
        let partial = Partial::decode(bytes)?;
        if settings.keep_lines && !partial.settings.keep_lines {
            return Err("`timeline --raw` needs the logs themselves: a partial keeps only the lines a draft quotes".into());
        }
        if let Some(differ) = partial.settings.differs(settings) {
            return Err(format!(
                "a partial scanned with other settings ({differ}): scan it again with this run's, or draft with its"
            ));
        }
        partial.check(rules).map_err(|why| format!("a damaged partial: {why}"))?;
        Ok(partial)
    }

    /// Reads a partial's bytes as [`Partial::encode`] wrote them.
    pub fn decode(bytes: &[u8]) -> Result<Partial, String> {
        let Some(rest) = bytes.strip_prefix(MAGIC) else {
            return Err("not a postmortem scan partial (its first bytes are not a partial's)".into());
        };
        let Some((version, frame)) = rest.split_first_chunk::<4>() else {
            return Err("a partial cut short: no version".into());
        };
        let version = u32::from_le_bytes(*version);
        if version != FORMAT_VERSION {
            return Err(format!(
                "a partial of format {version}; this postmortem reads format {FORMAT_VERSION}: scan again with this version"
            ));
        }
        let limit = (frame.len() as u64).saturating_mul(MAX_EXPANSION).max(EXPANSION_FLOOR);
        let mut body = Vec::new();
        let decoder = zstd::stream::Decoder::new(frame).map_err(|e| format!("a partial that cannot be read: {e}"))?;
        decoder
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("a partial that is cut or damaged: {e}"))?;
        if body.len() as u64 > limit {
            return Err("a partial that expands beyond any a scan writes: damaged or not written by postmortem".into());
        }
        Partial::from_body(&body)
    }

    /// Reads a partial's body: the postcard encoding, once decompressed.
    pub fn from_body(body: &[u8]) -> Result<Partial, String> {
        let damaged = |e: postcard::Error| format!("a partial that is damaged: {e}");
        // The version that wrote it first, alone: another version's types may not read.
        let (written_by, _) = postcard::take_from_bytes::<String>(body).map_err(damaged)?;
        let ours = env!("CARGO_PKG_VERSION");
        if written_by != ours {
            // Quoted and cut: it is the file's word, not ours.
            let theirs: String = written_by.chars().take(40).collect();
            return Err(format!(
                "a partial written by postmortem {theirs:?}; this is {ours}: scan again with this version"
            ));
        }
        postcard::from_bytes(body).map_err(damaged)
    }

    /// Checks what later stages take for granted of what a partial holds, so that a
    /// damaged one is refused here rather than trusted. `rules`: how many rules the run
    /// has.
    pub fn check(&self, rules: usize) -> Result<(), String> {
        for file in &self.files {
            file.read
                .check(self.settings.bucket, self.settings.gap, rules)
                .map_err(|what| format!("{}: {what}", file.read.report.display))?;
        }
        Ok(())
    }
}

/// Puts files read by this run and files from partials together, as one run over all of
/// them would have: ordered as one run would find them (see [`order`]), their zones and
/// years decided from every file's evidence, and combined. A file whose times cannot be
/// moved to what the others decide is left out, with an error naming it.
pub fn combine(files: Vec<ScannedFile>, options: &ScanOptions) -> ScanResult {
    let mut problems = Vec::new();
    let files = distinct(order(files), &mut problems);
    let evidence: Vec<TimeEvidence> = files.iter().map(|f| f.evidence.clone()).collect();
    let plans = super::plan_times(&evidence, options);
    let mut read = Vec::with_capacity(files.len());
    for (file, plan) in files.into_iter().zip(plans) {
        let mut file = file;
        match retimed(&file, &plan.time) {
            Ok(None) => {}
            Ok(Some(delta)) if file.read.moves_whole(delta, options.bucket) => file.read.shift(delta),
            Ok(Some(_)) | Err(()) => {
                let (from, to) = (&file.read_in, &plan.time);
                let why = if from.zone == to.zone {
                    format!(
                        "its year was taken as {}, but with the other files it is {}: scan it again with --year {}; left out",
                        from.years.first_year, to.years.first_year, to.years.first_year
                    )
                } else {
                    format!(
                        "its times were read in {}, but with the other files they are in {}: scan it again with --tz {}; left out",
                        from.zone, to.zone, to.zone
                    )
                };
                problems.push(Problem::error(&file.read.report.display, why));
                continue;
            }
        }
        file.read.report.zone = plan.zone;
        file.read.report.year = plan.inferred_year;
        file.read.refile(crate::num::file_index(read.len()));
        read.push(file.read);
    }
    let mut result = super::reduce::combine(read, options);
    problems.append(&mut result.problems);
    result.problems = problems;
    result
}

/// The files in the order one run over all of them would find them: by their paths, as
/// a directory's walk gives them, then grouped in their sets (see
/// [`crate::source::discover`]). The parts of a file keep their order.
fn order(mut files: Vec<ScannedFile>) -> Vec<ScannedFile> {
    let found_as = |f: &ScannedFile| -> String {
        let report = &f.read.report;
        report.path.clone().unwrap_or_else(|| report.display.clone())
    };
    files.sort_by_cached_key(|f| std::path::PathBuf::from(found_as(f)));
    let displays: Vec<String> = files.iter().map(|f| f.read.report.display.clone()).collect();
    let keys = crate::source::set_keys(&displays.iter().map(String::as_str).collect::<Vec<_>>());
    crate::source::in_sets(files, keys).into_iter().map(|(file, _)| file).collect()
}

/// The files with each read once: a file in two partials (or in a partial and among the
/// logs) would count its lines twice.
fn distinct(files: Vec<ScannedFile>, problems: &mut Vec<Problem>) -> Vec<ScannedFile> {
    let mut seen = std::collections::HashSet::new();
    files
        .into_iter()
        .filter(|f| {
            let report = &f.read.report;
            let fresh = seen.insert((report.display.clone(), report.part.clone()));
            if !fresh {
                problems.push(Problem::warning(
                    crate::source::labelled(&report.display, report.part.as_deref()),
                    "read in two partials (or in a partial and among the logs); counted once",
                ));
            }
            fresh
        })
        .collect()
}

/// How far a file's times move when read by `to` instead of what they were read by:
/// `None` when not at all, `Err` when not by one amount (a zone with daylight saving
/// among them, a year's leap day between).
fn retimed(file: &ScannedFile, to: &TimeContext) -> Result<Option<Micros>, ()> {
    let from = &file.read_in;
    if from.zone == to.zone && from.years == to.years {
        return Ok(None);
    }
    let stamps: Vec<&time::RawStamp> = [&file.evidence.first_stamp, &file.evidence.last_stamp]
        .into_iter()
        .flatten()
        .collect();
    if stamps.is_empty() {
        // Nothing in its head or tail had a time: nothing was placed by either reading.
        return if file.read.report.first.is_none() { Ok(None) } else { Err(()) };
    }
    let mut before = TimeContext::new(from.zone, from.years);
    let mut after = TimeContext::new(to.zone, to.years);
    let mut deltas = stamps.iter().map(|stamp| Some(after.resolve(stamp)? - before.resolve(stamp)?));
    let first = deltas.next().flatten().ok_or(())?;
    if !deltas.all(|d| d == Some(first)) {
        return Err(());
    }
    let carried = stamps.iter().all(|s| matches!(s.zone, StampZone::Offset(_) | StampZone::Epoch(_)));
    if first == 0 && carried {
        // Its times carry their offsets: neither zone was asked.
        return Ok(None);
    }
    // One amount at both ends is one amount throughout only where neither reading
    // changes its offset in between.
    let span = file.read.report.first.zip(file.read.report.last);
    let steady = |zone: Zone| span.is_none_or(|(from, until)| steady_between(zone, from, until));
    if !steady(from.zone) || !steady(to.zone) {
        return Err(());
    }
    Ok((first != 0).then_some(first))
}

/// Whether `zone` keeps one offset from `from` to `until`: a fixed offset always; a named
/// zone where it has no change of offset between (looked at every six hours: no zone
/// changes and changes back within that). Over more than a few years, not vouched for.
fn steady_between(zone: Zone, from: Micros, until: Micros) -> bool {
    const STEP: Micros = 6 * 3600 * time::MICROS_PER_SEC;
    const MOST_STEPS: i64 = 10_000;
    if let Zone::Fixed(_) = zone {
        return true;
    }
    if until < from || (until - from) / STEP > MOST_STEPS {
        return false;
    }
    let offset = zone.offset_at(from);
    (0..=(until - from) / STEP)
        .map(|step| from + step * STEP)
        .chain(std::iter::once(until))
        .all(|t| zone.offset_at(t) == offset)
}

impl ReadFile {
    /// What later stages take for granted of what a scan kept: buckets and gaps as the
    /// run's, signals of its rules, times a log can print, tables bounded as a scan bounds
    /// them (so that no merge of them is quadratic in a crafted size).
    fn check(&self, bucket: Micros, gap: Micros, rules: usize) -> Result<(), &'static str> {
        let plausible = |t: Option<Micros>| t.is_none_or(super::keys::is_plausible);
        let (first, last) = (self.report.first, self.report.last);
        if !plausible(first) || !plausible(last) || first.is_some() != last.is_some() || first > last {
            return Err("a file out of time");
        }
        let report = &self.report;
        let counts = [
            report.bytes,
            report.lines,
            report.timestamped,
            report.events,
            report.cut_lines,
            report.untimed_events,
        ];
        if !counts.into_iter().all(super::keys::is_plausible_count) {
            return Err("a file of more lines than any log holds");
        }
        let classes = &report.classes;
        if classes.len() > crate::format::app_keys::MAX_CLASS_KEYS
            || classes.iter().any(|c| c.len() > crate::format::app_keys::MAX_CLASS_NAME)
        {
            return Err("a file counted by more fields than a scan chooses");
        }
        for piece in &self.pieces {
            piece.hits.as_ref().map_or(Ok(()), |h| h.check(bucket, gap, rules))?;
            piece.templates.as_ref().map_or(Ok(()), super::templates::Templates::check)?;
            piece.series.as_ref().map_or(Ok(()), |s| s.check(bucket))?;
            piece.app_fields.as_ref().map_or(Ok(()), |a| a.check(bucket))?;
            piece.pulse.as_ref().map_or(Ok(()), super::pulse::Pulse::check)?;
        }
        if !self.events.iter().all(|e| super::keys::is_plausible(e.time)) {
            return Err("a matched line out of time");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Micros = 3600 * time::MICROS_PER_SEC;
    const NEW_YORK: Zone = Zone::Named(chrono_tz::America::New_York);

    fn at(stamp: &str) -> Micros {
        let stamp = time::parse_iso(stamp.as_bytes()).unwrap();
        TimeContext::new(Zone::UTC, time::DATED).resolve(&stamp).unwrap()
    }

    #[test]
    fn a_zone_is_steady_where_it_keeps_one_offset_over_the_span() {
        // A fixed offset always; New York within a winter's day; Tokyo all year.
        assert!(steady_between(
            Zone::Fixed(-5 * 3600),
            at("2024-03-01T00:00:00Z"),
            at("2024-12-01T00:00:00Z")
        ));
        assert!(steady_between(NEW_YORK, at("2024-01-21T00:00:00Z"), at("2024-01-22T00:00:00Z")));
        let tokyo = Zone::Named(chrono_tz::Asia::Tokyo);
        assert!(steady_between(tokyo, at("2024-01-01T00:00:00Z"), at("2024-12-31T00:00:00Z")));
        // New York across the spring change (10 March 2024, 07:00 UTC), even by an hour.
        assert!(!steady_between(NEW_YORK, at("2024-03-10T06:30:00Z"), at("2024-03-10T07:30:00Z")));
        // Across a whole summer: the same offset at both ends, two changes between.
        assert!(!steady_between(NEW_YORK, at("2024-01-15T00:00:00Z"), at("2024-12-15T00:00:00Z")));
        // Over more years than it looks at, not vouched for; a span backwards, neither.
        let start = at("2000-01-01T00:00:00Z");
        assert!(!steady_between(tokyo, start, start + 10_001 * 6 * HOUR));
        assert!(!steady_between(tokyo, start, start - HOUR));
    }

    #[test]
    fn a_frame_that_expands_past_any_real_partial_is_refused() {
        // Zeros compress a thousandfold: 65 MiB of them in a frame of a few KB.
        let zeros = vec![0u8; 65 << 20];
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend(zstd::encode_all(&zeros[..], 3).unwrap());
        let refused = Partial::decode(&bytes).unwrap_err();
        assert!(refused.contains("expands beyond"), "{refused}");
        // A frame within the floor is read, and refused for what it holds.
        let mut small = MAGIC.to_vec();
        small.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        small.extend(zstd::encode_all(&[0u8; 64][..], 3).unwrap());
        let refused = Partial::decode(&small).unwrap_err();
        assert!(refused.contains("written by postmortem \"\";"), "{refused}");
    }
}
