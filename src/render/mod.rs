//! The render stage: the scan's files and events and the timeline's episodes, written
//! for people (aligned text, coloured on a terminal) or for machines (JSON lines,
//! Timesketch). Renderers only format: they never read logs or re-derive anything.

mod chart;
mod draft_json;
mod markdown;
mod records;
mod sources;
mod text;

pub use chart::chart_svg;
pub use draft_json::draft_json;
pub use markdown::write_draft;
pub use records::{write_records, RecordStyle};
pub use sources::{write_sources_json, write_sources_text};
pub use text::write_timeline_text;

use crate::scan::FileReport;
use crate::time::Zone;
use crate::timeline::RateUnit;

/// The zone times are shown in: the one asked for, else the offset most files carry,
/// else UTC.
pub fn display_zone(asked: Option<Zone>, files: &[FileReport]) -> Zone {
    if let Some(zone) = asked {
        return zone;
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for file in files.iter().filter(|f| !f.zone.assumed && f.timestamped > 0) {
        match counts.iter_mut().find(|(z, _)| *z == file.zone.zone) {
            Some((_, n)) => *n += 1,
            None => counts.push((&file.zone.zone, 1)),
        }
    }
    // Most files first; ties to the zone seen first, so the choice is stable.
    let best = counts
        .iter()
        .enumerate()
        .max_by(|(ia, (_, a)), (ib, (_, b))| a.cmp(b).then(ib.cmp(ia)));
    best.and_then(|(_, (zone, _))| zone.parse().ok()).unwrap_or(Zone::UTC)
}

/// Whether to colour: only on a terminal, and never when NO_COLOR is set.
pub fn use_colour(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A rate value for people: `12.5 %`, `1,250 ms`, `1,234`.
pub fn rate_value(unit: RateUnit, value: f64) -> String {
    match unit {
        RateUnit::Ratio => format!("{:.1} %", value * 100.0),
        RateUnit::Milliseconds => format!("{} ms", thousands(value.round() as u64)),
        RateUnit::Count => thousands(value.round() as u64),
    }
}

/// `1,234`
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2034), "2,034");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
