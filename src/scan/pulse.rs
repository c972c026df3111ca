//! A source's failures second by second: the lines that say something went wrong (a 5xx
//! response, a rule of warning severity or worse, an unnamed line at warning level or
//! above), counted per second of their time. The same failures logged by the web server,
//! the application and the database beat together; when one host's beat is late or early
//! against the others, its clock is off (see [`crate::clocks`]).

use crate::time::{Micros, MICROS_PER_SEC};

/// Failure lines per second, as `(second, lines)`: in the order added while a chunk is
/// scanned (a new entry only when the second changes), sorted and merged by
/// [`Pulse::finish`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pulse {
    seconds: Vec<(i64, u32)>,
}

impl Pulse {
    /// One failure line at `t`.
    #[inline]
    pub fn add(&mut self, t: Micros) {
        let second = t.div_euclid(MICROS_PER_SEC);
        match self.seconds.last_mut() {
            Some((last, count)) if *last == second => *count = count.saturating_add(1),
            _ => self.seconds.push((second, 1)),
        }
    }

    /// Takes in another part of the same source.
    pub fn absorb(&mut self, other: Pulse) {
        self.seconds.extend(other.seconds);
    }

    /// Sorts by second and merges the entries of one second.
    pub fn finish(&mut self) {
        self.seconds.sort_unstable();
        let mut merged: Vec<(i64, u32)> = Vec::with_capacity(self.seconds.len());
        for (second, count) in self.seconds.drain(..) {
            match merged.last_mut() {
                Some((last, total)) if *last == second => *total = total.saturating_add(count),
                _ => merged.push((second, count)),
            }
        }
        self.seconds = merged;
    }

    /// `(second, lines)`, by second once finished.
    pub fn seconds(&self) -> &[(i64, u32)] {
        &self.seconds
    }

    /// All failure lines.
    pub fn lines(&self) -> u64 {
        self.seconds.iter().map(|(_, n)| u64::from(*n)).sum()
    }

    /// Moves every second by `seconds`.
    pub fn shift(&mut self, seconds: i64) {
        for (second, _) in &mut self.seconds {
            *second += seconds;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.seconds.is_empty()
    }

    /// Whether its seconds are times a scan could keep (see [`super::partial`]).
    pub fn check(&self) -> Result<(), &'static str> {
        let plausible = |second: i64| second.checked_mul(MICROS_PER_SEC).is_some_and(super::keys::is_plausible);
        if self.seconds.iter().all(|(second, _)| plausible(*second)) {
            Ok(())
        } else {
            Err("failures out of time")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_per_second_whatever_the_order() {
        let mut a = Pulse::default();
        for t in [10_200_000, 10_900_000, 11_000_000, 3_000_000] {
            a.add(t);
        }
        let mut b = Pulse::default();
        b.add(10_000_001);
        a.absorb(b);
        a.finish();
        assert_eq!(a.seconds(), [(3, 1), (10, 3), (11, 1)]);
        assert_eq!(a.lines(), 5);
        a.shift(-3);
        assert_eq!(a.seconds()[0], (0, 1));
    }
}
