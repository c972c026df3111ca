//! Lines led by a date written month first (`MM/DD/YYYY`, `MM/DD/YY`), read only where
//! the file shows that order: `07/11/2022` is the 11th of July in Suricata's fast.log and
//! the 7th of November in a log written day first, and nothing in one line tells which.
//!
//! A file is taken as month first when most of its first lines open with such a date,
//! none of them has a first number past 12 (a day), and either one has a second number
//! past 12 (`01/25/22`) or its date is joined to the clock by `-` (Suricata's
//! `07/11/2022-10:29:01.860293`, month first in Suricata's source). A file whose dates
//! could be either is left unread rather than read wrong.

use crate::format::{Family, SourceKind};
use crate::time::{self, RawStamp};

pub struct MonthFirst;

/// The two numbers before the year of a line that opens with a slash date.
fn leading_numbers(line: &[u8]) -> Option<(u32, u32)> {
    let mut numbers = line
        .split(|&b| b == b'/')
        .take(2)
        .map(|n| std::str::from_utf8(n).ok()?.parse::<u32>().ok());
    Some((numbers.next()??, numbers.next()??))
}

impl Family for MonthFirst {
    const NAME: &'static str = "month_first";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "lines led by a month-first date (MM/DD/YYYY), where the file shows the order";

    fn declared_by(head: &[u8]) -> bool {
        let lines: Vec<&[u8]> = crate::format::lines(head)
            .filter(|l| !l.is_empty())
            .take(crate::format::SNIFF_LINES)
            .collect();
        let dated: Vec<&[u8]> = lines.iter().copied().filter(|l| time::parse_month_first(l).is_some()).collect();
        if dated.is_empty() || dated.len() * 2 < lines.len() {
            return false;
        }
        // Any line that opens with a day-first date (a first number past 12) refuses it.
        let day_first = lines.iter().filter_map(|l| leading_numbers(l)).any(|(first, _)| first > 12);
        let shown = dated.iter().any(|l| leading_numbers(l).is_some_and(|(_, second)| second > 12))
            || dated.iter().all(|l| l.get(10) == Some(&b'-'));
        shown && !day_first
    }

    /// Never by counting lines: a line alone cannot show the order (see the module).
    fn looks_like(_line: &[u8]) -> bool {
        false
    }

    #[inline]
    fn parse_stamp(at: &[u8]) -> Option<RawStamp> {
        time::parse_month_first(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_is_taken_only_where_the_file_shows_it() {
        // ZoneMinder: the 25th shows the month comes first.
        assert!(MonthFirst::declared_by(
            b"01/09/22 16:08:01.1 web_php[1].INF [a]\n01/25/22 16:08:02.393003 web_php[118770].ERR [b]\n"
        ));
        // Suricata's fast.log: its date joined to the clock by `-`.
        assert!(MonthFirst::declared_by(
            b"07/11/2022-10:29:01.860293  [**] [1:2200074:2] SURICATA TCPv4 invalid checksum [**]\n"
        ));
        // Decoys: every date could be either; a day-first file; a month-first line among
        // others of another log.
        assert!(!MonthFirst::declared_by(b"01/09/22 16:08:01 a\n03/11/22 16:08:02 b\n"));
        assert!(!MonthFirst::declared_by(b"25/01/2022 16:08:02 a\n01/02/2022 16:08:03 b\n"));
        assert!(!MonthFirst::declared_by(
            b"01/25/22 16:08:02 a\nJan 25 16:08:03 web1 cron[1]: b\nJan 25 16:08:04 web1 cron[1]: c\n"
        ));
    }
}
