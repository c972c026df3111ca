//! Zones: the zone naive timestamps are read in, and the per-file context that turns a
//! [`RawStamp`] into an instant.

use super::{days_from_civil, format_offset, Civil, Micros, RawStamp, StampZone, MICROS_PER_SEC};
use chrono::{DateTime, LocalResult, NaiveDate, Offset, TimeZone, Utc};
use std::fmt;
use std::str::FromStr;

/// The zone in which naive timestamps are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    Fixed(i32),
    Named(chrono_tz::Tz),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(0);

    /// The machine's local zone: its IANA name where the system tells it, else its
    /// current offset.
    pub fn local() -> Zone {
        if let Ok(tz) = std::env::var("TZ") {
            if let Ok(zone) = tz.trim_start_matches(':').parse() {
                return zone;
            }
        }
        if let Ok(name) = iana_time_zone::get_timezone() {
            if let Ok(tz) = name.parse::<chrono_tz::Tz>() {
                return Zone::Named(tz);
            }
        }
        let offset = chrono::Local::now().offset().fix().local_minus_utc();
        Zone::Fixed(offset)
    }

    /// The UTC offset in force at a local civil time (the earlier one when the time is
    /// ambiguous, the one before the gap when it does not exist).
    fn offset_at_local(&self, date: NaiveDate, hour: u8) -> i32 {
        match self {
            Zone::Fixed(secs) => *secs,
            Zone::Named(tz) => {
                let Some(naive) = date.and_hms_opt(u32::from(hour), 0, 0) else {
                    return 0;
                };
                match tz.offset_from_local_datetime(&naive) {
                    LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => o.fix().local_minus_utc(),
                    LocalResult::None => {
                        let before = naive - chrono::Duration::hours(1);
                        tz.offset_from_utc_datetime(&before).fix().local_minus_utc()
                    }
                }
            }
        }
    }

    /// The UTC offset in force at an instant.
    pub fn offset_at(&self, instant: Micros) -> i32 {
        match self {
            Zone::Fixed(secs) => *secs,
            Zone::Named(tz) => {
                let utc = DateTime::<Utc>::from_timestamp_micros(instant).unwrap_or_default();
                tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc()
            }
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Fixed(0) => f.write_str("UTC"),
            Zone::Fixed(secs) => f.write_str(&format_offset(*secs, true)),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

impl FromStr for Zone {
    type Err = String;

    /// A zone as people type it; see [`read_zone`].
    fn from_str(text: &str) -> Result<Zone, String> {
        read_zone(text).map(|reading| reading.zone)
    }
}

/// A zone abbreviation: what it stands for, and its other readings where it has some.
pub struct Abbreviation {
    pub name: &'static str,
    /// Seconds east of UTC.
    pub offset: i32,
    /// What the abbreviation is read as.
    pub reading: &'static str,
    /// Other zones that write the same letters, when there are.
    pub also: Option<&'static str>,
}

const fn abbreviation(name: &'static str, minutes: i32, reading: &'static str, also: Option<&'static str>) -> Abbreviation {
    Abbreviation {
        name,
        offset: minutes * 60,
        reading,
        also,
    }
}

/// The abbreviations logs print and people type, each read as one fixed offset: the
/// most common reading in server logs where several zones share the letters.
pub const ABBREVIATIONS: &[Abbreviation] = &[
    abbreviation("UTC", 0, "Coordinated Universal Time", None),
    abbreviation("GMT", 0, "Greenwich Mean Time", None),
    abbreviation("UT", 0, "Universal Time", None),
    abbreviation("Z", 0, "UTC", None),
    abbreviation("WET", 0, "Western European Time", None),
    abbreviation("WEST", 60, "Western European Summer Time", None),
    abbreviation("BST", 60, "British Summer Time", Some("Bangladesh Standard Time is +06:00")),
    abbreviation("CET", 60, "Central European Time", None),
    abbreviation("MET", 60, "Middle European Time", None),
    abbreviation("CEST", 120, "Central European Summer Time", None),
    abbreviation("MEST", 120, "Middle European Summer Time", None),
    abbreviation("EET", 120, "Eastern European Time", None),
    abbreviation("SAST", 120, "South African Standard Time", None),
    abbreviation("EEST", 180, "Eastern European Summer Time", None),
    abbreviation("MSK", 180, "Moscow Time", None),
    abbreviation("IDT", 180, "Israel Daylight Time", None),
    abbreviation(
        "IST",
        330,
        "India Standard Time",
        Some("Irish Standard Time is +01:00, Israel Standard Time +02:00"),
    ),
    abbreviation("ICT", 420, "Indochina Time", None),
    abbreviation("WIB", 420, "Western Indonesia Time", None),
    abbreviation("HKT", 480, "Hong Kong Time", None),
    abbreviation("SGT", 480, "Singapore Time", None),
    abbreviation("AWST", 480, "Australian Western Standard Time", None),
    abbreviation("PHT", 480, "Philippine Time", None),
    abbreviation("JST", 540, "Japan Standard Time", None),
    abbreviation("KST", 540, "Korea Standard Time", None),
    abbreviation("ACST", 570, "Australian Central Standard Time", None),
    abbreviation("AEST", 600, "Australian Eastern Standard Time", None),
    abbreviation("ACDT", 630, "Australian Central Daylight Time", None),
    abbreviation("AEDT", 660, "Australian Eastern Daylight Time", None),
    abbreviation("NZST", 720, "New Zealand Standard Time", None),
    abbreviation("NZDT", 780, "New Zealand Daylight Time", None),
    abbreviation("HST", -600, "Hawaii Standard Time", None),
    abbreviation("AKST", -540, "Alaska Standard Time", None),
    abbreviation("AKDT", -480, "Alaska Daylight Time", None),
    abbreviation("PST", -480, "Pacific Standard Time", None),
    abbreviation("PDT", -420, "Pacific Daylight Time", None),
    abbreviation("MST", -420, "Mountain Standard Time", None),
    abbreviation("MDT", -360, "Mountain Daylight Time", None),
    abbreviation(
        "CST",
        -360,
        "Central Standard Time (North America)",
        Some("China Standard Time is +08:00"),
    ),
    abbreviation("CDT", -300, "Central Daylight Time", None),
    abbreviation("EST", -300, "Eastern Standard Time", None),
    abbreviation("EDT", -240, "Eastern Daylight Time", None),
    abbreviation("AST", -240, "Atlantic Standard Time", Some("Arabia Standard Time is +03:00")),
    abbreviation("ADT", -180, "Atlantic Daylight Time", None),
    abbreviation("BRT", -180, "Brasília Time", None),
    abbreviation("ART", -180, "Argentina Time", None),
    abbreviation("NST", -210, "Newfoundland Standard Time", None),
    abbreviation("NDT", -150, "Newfoundland Daylight Time", None),
];

/// UTC offsets in use run from -12:00 to +14:00.
const OFFSET_RANGE: std::ops::RangeInclusive<i32> = -12 * 3600..=14 * 3600;

/// A zone as the user typed it, and what reading it took for granted (an ambiguous
/// abbreviation), to be said once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneReading {
    pub zone: Zone,
    pub note: Option<String>,
}

/// What `--tz` and `--display-tz` accept, said when a zone is refused.
const ZONE_FORMS: &str =
    "an IANA name such as America/New_York, an offset such as -05:00, -0500 or +5, an abbreviation such as EST, or UTC";

/// Reads a zone as people type it: `UTC`; an offset (`-05:00`, `-0500`, `+5`, `+5:30`,
/// `UTC+2`, `GMT-03:00`); an IANA name in any case (`america/new_york`); or a common
/// abbreviation (`EST`, `CEST`, `IST`), read as its fixed offset, with a note where the
/// letters have other readings. An unknown zone is refused with the nearest names.
pub fn read_zone(text: &str) -> Result<ZoneReading, String> {
    let text = text.trim();
    let plain = |zone| Ok(ZoneReading { zone, note: None });
    if text.is_empty() {
        return Err(format!("no time zone given (use {ZONE_FORMS})"));
    }
    let offset_part = ["UTC", "GMT"]
        .iter()
        .find_map(|p| text.get(..3).filter(|head| head.eq_ignore_ascii_case(p)).map(|_| &text[3..]))
        .filter(|rest| rest.starts_with(['+', '-']))
        .unwrap_or(text);
    if offset_part.starts_with(['+', '-']) {
        let secs = typed_offset(offset_part).ok_or_else(|| format!("cannot read `{text}` as an offset (use -05:00, -0500 or +5)"))?;
        if !OFFSET_RANGE.contains(&secs) {
            return Err(format!("offset `{text}` is out of range: offsets run from -12:00 to +14:00"));
        }
        return plain(Zone::Fixed(secs));
    }
    // Abbreviations before IANA names: tzdata's `CET` and `EET` follow daylight saving,
    // while people who type an abbreviation mean the offset it names.
    if let Some(a) = ABBREVIATIONS.iter().find(|a| a.name.eq_ignore_ascii_case(text)) {
        if a.offset == 0 {
            return plain(Zone::UTC);
        }
        let note = a.also.map(|also| {
            format!(
                "`{text}` read as {} ({}); {also}: give that offset instead if it is meant",
                a.reading,
                super::format_offset(a.offset, true)
            )
        });
        return Ok(ZoneReading {
            zone: Zone::Fixed(a.offset),
            note,
        });
    }
    if let Ok(tz) = text.parse::<chrono_tz::Tz>() {
        return plain(if tz == chrono_tz::UTC { Zone::UTC } else { Zone::Named(tz) });
    }
    if let Some(tz) = chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(text)) {
        return plain(Zone::Named(*tz));
    }
    let near = nearest_zones(text);
    Err(if near.is_empty() {
        format!("unknown time zone `{text}` (use {ZONE_FORMS})")
    } else {
        format!(
            "unknown time zone `{text}`: did you mean {}? (or use {ZONE_FORMS})",
            near.join(", ")
        )
    })
}

/// `+5`, `-05`, `+530`, `-0500`, `+5:30`, `-05:00` → seconds east of UTC.
fn typed_offset(text: &str) -> Option<i32> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits = &text[1..];
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2 => (h, m),
        Some(_) => return None,
        None => match digits.len() {
            1 | 2 => (digits, "0"),
            3 => digits.split_at(1),
            4 => digits.split_at(2),
            _ => return None,
        },
    };
    if !hours.bytes().chain(minutes.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// Up to three zone names close to `text`: those whose city is `text` (`new york`,
/// `Paris`), else those within a few typing mistakes of it.
fn nearest_zones(text: &str) -> Vec<String> {
    let wanted = text.to_ascii_lowercase().replace(' ', "_");
    let names = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .chain(ABBREVIATIONS.iter().map(|a| a.name));
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|name| {
            let lower = name.to_ascii_lowercase();
            let city = lower.rsplit('/').next().unwrap_or(&lower);
            let distance = if city == wanted {
                0
            } else {
                edit_distance(&lower, &wanted).min(edit_distance(city, &wanted) + 1)
            };
            // A few mistakes, fewer for short words: `EDT` is not near `UTC`.
            (distance <= (wanted.len() / 4).clamp(1, 3)).then_some((distance, name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, name)| name.to_string()).collect()
}

/// Levenshtein distance between two ASCII strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// How to give a year to timestamps that print none: the first timestamped line of the
/// file is in `first_year`, and a month earlier than `first_month` means the file has
/// crossed a New Year (files are assumed to span less than a year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct YearPlan {
    pub first_year: i32,
    pub first_month: u8,
}

impl YearPlan {
    pub fn year_for(&self, month: u8) -> i32 {
        if month >= self.first_month {
            self.first_year
        } else {
            self.first_year + 1
        }
    }
}

/// Everything needed to turn a [`RawStamp`] of one file into an instant.
#[derive(Clone, Debug)]
pub struct TimeContext {
    pub zone: Zone,
    pub years: YearPlan,
    /// Offset of the last (date, hour) resolved in a named zone.
    cache: Option<((i32, u8, u8, u8), i32)>,
}

impl TimeContext {
    pub fn new(zone: Zone, years: YearPlan) -> TimeContext {
        TimeContext { zone, years, cache: None }
    }

    /// The instant of a stamp, or `None` when its date does not exist (31 February).
    pub fn resolve(&mut self, stamp: &RawStamp) -> Option<Micros> {
        let c = &stamp.civil;
        if let StampZone::Epoch(t) = stamp.zone {
            return Some(t);
        }
        let year = c.year.unwrap_or_else(|| self.years.year_for(c.month));
        let days = days_from_civil(year, c.month, c.day)?;
        let local_secs = days * 86_400 + i64::from(c.hour) * 3600 + i64::from(c.minute) * 60 + i64::from(c.second);
        let offset = match stamp.zone {
            StampZone::Offset(secs) => secs,
            StampZone::Naive => self.naive_offset(year, c),
            StampZone::Epoch(_) => unreachable!("handled above"),
        };
        Some((local_secs - i64::from(offset)) * MICROS_PER_SEC + i64::from(c.micros))
    }

    fn naive_offset(&mut self, year: i32, c: &Civil) -> i32 {
        if let Zone::Fixed(secs) = self.zone {
            return secs;
        }
        // Zone rules change at most on the hour in practice, so one lookup per hour of
        // log is enough.
        let key = (year, c.month, c.day, c.hour);
        if let Some((cached_key, offset)) = self.cache {
            if cached_key == key {
                return offset;
            }
        }
        let offset = NaiveDate::from_ymd_opt(year, u32::from(c.month), u32::from(c.day))
            .map(|date| self.zone.offset_at_local(date, c.hour))
            .unwrap_or(0);
        self.cache = Some((key, offset));
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_iso;

    fn at(text: &str) -> Micros {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros()
    }

    #[test]
    fn naive_times_follow_the_named_zone_across_dst() {
        let zone: Zone = "America/New_York".parse().unwrap();
        let mut ctx = TimeContext::new(
            zone,
            YearPlan {
                first_year: 2024,
                first_month: 1,
            },
        );
        let winter = ctx.resolve(&parse_iso(b"2024-01-21 15:30:00").unwrap()).unwrap();
        let summer = ctx.resolve(&parse_iso(b"2024-07-21 15:30:00").unwrap()).unwrap();
        assert_eq!(winter, at("2024-01-21T20:30:00Z"));
        assert_eq!(summer, at("2024-07-21T19:30:00Z"));
    }

    #[test]
    fn year_plan_crosses_new_year() {
        let plan = YearPlan {
            first_year: 2023,
            first_month: 12,
        };
        assert_eq!(plan.year_for(12), 2023);
        assert_eq!(plan.year_for(1), 2024);
    }

    #[test]
    fn zone_names_and_offsets() {
        assert_eq!("UTC".parse::<Zone>().unwrap(), Zone::UTC);
        assert_eq!("-05:00".parse::<Zone>().unwrap(), Zone::Fixed(-5 * 3600));
        assert_eq!("+0330".parse::<Zone>().unwrap(), Zone::Fixed(3 * 3600 + 1800));
        assert!("Mars/Olympus".parse::<Zone>().is_err());
        assert_eq!(Zone::Fixed(-18000).to_string(), "-05:00");
    }

    #[test]
    fn zones_as_people_type_them() {
        let zone = |text: &str| read_zone(text).unwrap().zone;
        let hours = |h: i32| Zone::Fixed(h * 3600);
        for text in ["-05:00", "-0500", "-5", "-05", "UTC-5", "gmt-05:00", " -05:00 "] {
            assert_eq!(zone(text), hours(-5), "{text}");
        }
        assert_eq!(zone("+5:30"), Zone::Fixed(5 * 3600 + 1800));
        assert_eq!(zone("+530"), Zone::Fixed(5 * 3600 + 1800));
        assert_eq!(zone("+14:00"), hours(14));
        for text in ["utc", "Z", "GMT", "Etc/UTC", "UTC+0"] {
            assert_eq!(zone(text).offset_at(0), 0, "{text}");
        }
        let new_york = Zone::Named(chrono_tz::America::New_York);
        assert_eq!(zone("America/New_York"), new_york);
        assert_eq!(zone("america/new_york"), new_york);
        assert_eq!(zone("AMERICA/NEW_YORK"), new_york);
        assert_eq!(zone("EST"), hours(-5));
        assert_eq!(zone("pdt"), hours(-7));
        assert_eq!(zone("CEST"), hours(2));
        assert_eq!(zone("JST"), hours(9));
        assert_eq!(zone("AEST"), hours(10));
    }

    #[test]
    fn an_ambiguous_abbreviation_says_which_reading_was_taken() {
        let ist = read_zone("IST").unwrap();
        assert_eq!(ist.zone, Zone::Fixed(5 * 3600 + 1800));
        let note = ist.note.unwrap();
        assert!(note.contains("India Standard Time (+05:30)") && note.contains("Irish"), "{note}");
        assert!(read_zone("CST").unwrap().note.unwrap().contains("China"));
        assert_eq!(read_zone("EST").unwrap().note, None);
    }

    #[test]
    fn a_zone_that_cannot_be_read_is_refused_with_the_nearest_names() {
        let error = read_zone("America/NewYork").unwrap_err();
        assert!(error.contains("did you mean America/New_York"), "{error}");
        let error = read_zone("new york").unwrap_err();
        assert!(error.contains("America/New_York"), "{error}");
        let error = read_zone("Europe/Pariss").unwrap_err();
        assert!(error.contains("Europe/Paris"), "{error}");
        assert!(read_zone("Mars/Olympus")
            .unwrap_err()
            .starts_with("unknown time zone `Mars/Olympus`"));
        let error = read_zone("+15:00").unwrap_err();
        assert!(error.contains("out of range"), "{error}");
        assert!(read_zone("-13").unwrap_err().contains("out of range"));
        assert!(read_zone("+5:75").is_err());
        assert!(read_zone("-05:0").is_err());
        assert!(read_zone("+123456").is_err());
        assert!(read_zone("").is_err());
    }

    #[test]
    fn invalid_dates_do_not_resolve() {
        let stamp = parse_iso(b"2023-02-29 00:00:00").unwrap();
        assert!(TimeContext::new(
            Zone::UTC,
            YearPlan {
                first_year: 2023,
                first_month: 1
            }
        )
        .resolve(&stamp)
        .is_none());
    }
}
