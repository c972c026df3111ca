//! Which zone each file's times without a zone are read in, decided before the scan:
//! the zone given for files like it (`--tz PATTERN=ZONE`), else the zone given for all
//! (`--tz ZONE`), else the zone the other files of the run imply by the offsets they
//! carry at the same time, and only then this machine's. A web server that writes
//! `-0800` beside an application that writes naive times is, far more often than not,
//! on the same clock; the machine the logs are read on is not.

use super::{FileZone, ScanOptions, TimeEvidence, ZoneNote, ZoneOrigin};
use crate::time::{self, Micros, RawStamp, StampZone, TimeContext, Zone};

/// A file's zone for naive times, and the note of where it came from.
pub(super) struct PlannedZone {
    pub zone: Zone,
    pub note: ZoneNote,
}

/// One zone a file, in the order of `probes`.
pub(super) fn plan(probes: &[TimeEvidence], options: &ScanOptions) -> Vec<PlannedZone> {
    let implied = if options.zone_given {
        None
    } else {
        implied_zone(probes, options.zone)
    };
    probes
        .iter()
        .map(|probe| {
            if let Some(note) = carried(probe) {
                return PlannedZone { zone: options.zone, note };
            }
            let (zone, origin) = match for_file(&options.file_zones, probe) {
                Some(given) => (given.zone, ZoneOrigin::ForFiles(given.pattern.as_str().to_string())),
                None if options.zone_given => (options.zone, ZoneOrigin::Given),
                None => match &implied {
                    Some((zone, followed)) => (*zone, ZoneOrigin::OtherLogs(followed.clone())),
                    None => (options.zone, ZoneOrigin::Machine),
                },
            };
            PlannedZone {
                zone,
                note: ZoneNote {
                    zone: zone.to_string(),
                    origin,
                },
            }
        })
        .collect()
}

/// The zone a file's lines carry, if they do.
fn carried(probe: &TimeEvidence) -> Option<ZoneNote> {
    let zone = match probe.first_stamp?.zone {
        StampZone::Offset(0) | StampZone::Epoch(_) => "UTC".to_string(),
        StampZone::Offset(secs) => time::format_offset(secs, true),
        StampZone::Naive => return None,
    };
    Some(ZoneNote {
        zone,
        origin: ZoneOrigin::Lines,
    })
}

/// The first `--tz PATTERN=ZONE` whose pattern names the file: by the name it is shown by
/// (a container's), or by its path.
fn for_file<'a>(zones: &'a [FileZone], file: &TimeEvidence) -> Option<&'a FileZone> {
    zones
        .iter()
        .find(|z| z.pattern.matches(&file.display) || file.path.as_deref().is_some_and(|p| z.pattern.matches(p)))
}

/// An instant, the offset a file wrote it with, and the file's size (files that disagree
/// are weighed by it).
struct Observation {
    at: Micros,
    offset: i32,
    bytes: u64,
}

fn observe(stamp: &RawStamp, bytes: u64) -> Option<Observation> {
    let StampZone::Offset(offset) = stamp.zone else { return None };
    stamp.civil.year?;
    let at = TimeContext::new(Zone::UTC, time::DATED).resolve(stamp)?;
    Some(Observation { at, offset, bytes })
}

/// The zone the files that carry offsets imply for the others, and the file followed
/// (the largest of them): one offset is that offset, unless `machine` agrees with it
/// everywhere (a named zone also knows the daylight-saving changes to come); offsets that
/// change (a log across a daylight-saving change) are the first named zone that agrees
/// with every one, `machine` first; failing that (files that disagree: a database in UTC
/// beside a web server in local time), the offset of the most bytes of log.
fn implied_zone(probes: &[TimeEvidence], machine: Zone) -> Option<(Zone, String)> {
    let mut observations = Vec::new();
    let mut followed: Option<&TimeEvidence> = None;
    for probe in probes {
        let seen: Vec<Observation> = [probe.first_stamp, probe.last_stamp]
            .iter()
            .flatten()
            .filter_map(|stamp| observe(stamp, probe.size))
            .collect();
        if seen.is_empty() {
            continue;
        }
        if followed.is_none_or(|f| probe.size > f.size) {
            followed = Some(probe);
        }
        observations.extend(seen);
    }
    let followed = followed?.display.clone();
    let agrees = |zone: &Zone| observations.iter().all(|o| zone.offset_at(o.at) == o.offset);
    if agrees(&machine) {
        return Some((machine, followed));
    }
    let first = observations[0].offset;
    if observations.iter().all(|o| o.offset == first) {
        return Some((Zone::Fixed(first), followed));
    }
    let named = chrono_tz::TZ_VARIANTS
        .iter()
        .filter(|tz| tz.name().contains('/') && !tz.name().starts_with("Etc/"))
        .map(|tz| Zone::Named(*tz))
        .find(agrees);
    if let Some(zone) = named {
        return Some((zone, followed));
    }
    let mut weights: Vec<(i32, u64)> = Vec::new();
    for o in &observations {
        match weights.iter_mut().find(|(offset, _)| *offset == o.offset) {
            Some((_, bytes)) => *bytes += o.bytes,
            None => weights.push((o.offset, o.bytes)),
        }
    }
    // The most bytes; ties to the offset seen first.
    let (offset, _) = weights.iter().rev().max_by_key(|(_, bytes)| *bytes)?;
    Some((Zone::Fixed(*offset), followed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_iso;

    fn probe(name: &str, size: u64, first: &str, last: &str) -> TimeEvidence {
        TimeEvidence {
            display: name.into(),
            path: None,
            size,
            modified: None,
            first_stamp: parse_iso(first.as_bytes()),
            last_stamp: parse_iso(last.as_bytes()),
            dated_stamp: None,
        }
    }

    fn options(zone_given: bool) -> ScanOptions {
        ScanOptions {
            zone: Zone::UTC,
            zone_given,
            ..ScanOptions::default()
        }
    }

    const PACIFIC: Zone = Zone::Named(chrono_tz::America::Los_Angeles);

    #[test]
    fn a_naive_log_follows_the_offset_the_others_carry() {
        let probes = [
            probe("nginx/access.log", 900, "2024-05-12T10:00:00-08:00", "2024-05-12T11:30:00-08:00"),
            probe("app.log", 100, "2024-05-12 10:00:01", "2024-05-12 11:29:00"),
        ];
        let planned = plan(&probes, &options(false));
        assert_eq!(planned[0].note.origin, ZoneOrigin::Lines);
        assert_eq!(planned[1].zone, Zone::Fixed(-8 * 3600));
        assert_eq!(planned[1].note.origin, ZoneOrigin::OtherLogs("nginx/access.log".into()));
        // Given a zone, the user is followed.
        let planned = plan(&probes, &options(true));
        assert_eq!(planned[1].note.origin, ZoneOrigin::Given);
        assert_eq!(planned[1].zone, Zone::UTC);
    }

    #[test]
    fn offsets_that_change_are_followed_by_a_zone_that_changes_with_them() {
        // Across the spring change: -08:00, then -07:00.
        let probes = [
            probe("access.log", 900, "2024-03-10T00:30:00-08:00", "2024-03-10T12:00:00-07:00"),
            probe("app.log", 100, "2024-03-10 00:31:00", "2024-03-10 11:59:00"),
        ];
        let planned = plan(&probes, &options(false));
        assert_eq!(planned[1].zone.offset_at(0), PACIFIC.offset_at(0));
        let after_change = parse_iso(b"2024-03-10T12:00:00-07:00")
            .and_then(|s| TimeContext::new(Zone::UTC, time::DATED).resolve(&s))
            .unwrap();
        assert_eq!(planned[1].zone.offset_at(after_change), -7 * 3600);
    }

    #[test]
    fn files_that_disagree_are_weighed_by_their_size() {
        let probes = [
            probe("mysql.log", 100, "2024-01-21T20:00:00Z", "2024-01-21T22:00:00Z"),
            probe("access.log", 900, "2024-01-21T15:00:00-05:00", "2024-01-21T17:00:00-05:00"),
            probe("app.log", 100, "2024-01-21 15:00:01", "2024-01-21 16:59:00"),
        ];
        let planned = plan(&probes, &options(false));
        assert_eq!(planned[2].zone, Zone::Fixed(-5 * 3600));
        assert_eq!(planned[2].note.origin, ZoneOrigin::OtherLogs("access.log".into()));
    }

    #[test]
    fn with_nothing_to_follow_the_machine_zone_is_the_last_resort() {
        let probes = [probe("app.log", 100, "2024-05-12 10:00:01", "2024-05-12 11:29:00")];
        let planned = plan(&probes, &options(false));
        assert_eq!(planned[0].note.origin, ZoneOrigin::Machine);
    }

    #[test]
    fn a_pattern_zone_comes_first() {
        let probes = [
            probe("web/access.log", 900, "2024-05-12T10:00:00-08:00", "2024-05-12T11:30:00-08:00"),
            probe("db/mysql.log", 100, "2024-05-12 18:00:01", "2024-05-12 19:29:00"),
        ];
        let mut options = options(false);
        options.file_zones = vec![FileZone {
            pattern: crate::text::PathPattern::new("db/*").unwrap(),
            zone: Zone::UTC,
        }];
        let planned = plan(&probes, &options);
        assert_eq!(planned[1].zone, Zone::UTC);
        assert_eq!(planned[1].note.origin, ZoneOrigin::ForFiles("db/*".into()));
    }
}
