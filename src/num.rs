//! The numeric conversions the tool makes on purpose, each saying what it does at the
//! edges. Clippy's cast lints are on for everything else (`[lints]` in Cargo.toml): a
//! cast that could lose a sign or truncate is one of these, or says why it cannot.

/// `x` rounded to the nearest count: negatives and NaN are 0, beyond `u64`'s range its
/// maximum (as `as` does since Rust 1.45, said here once).
#[inline]
pub fn rounded(x: f64) -> u64 {
    whole(x.round())
}

/// The whole part of `x` as a count (toward zero): negatives and NaN are 0, beyond
/// `u64`'s range its maximum.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a float-to-integer `as` saturates, and NaN is 0"
)]
#[inline]
pub fn whole(x: f64) -> u64 {
    x as u64
}

/// `x` rounded to the nearest `i64` (microseconds, seconds): NaN is 0, beyond the range
/// its bound.
#[inline]
pub fn rounded_i64(x: f64) -> i64 {
    whole_i64(x.round())
}

/// The whole part of `x` as an `i64` (toward zero): NaN is 0, beyond the range its bound.
#[allow(clippy::cast_possible_truncation, reason = "a float-to-integer `as` saturates, and NaN is 0")]
#[inline]
pub fn whole_i64(x: f64) -> i64 {
    x as i64
}

/// A byte count or offset as an index into memory: the same number, the tool building
/// for 64-bit targets only (see `lib.rs`).
#[allow(
    clippy::cast_possible_truncation,
    reason = "usize is 64 bits wide on every target the crate builds for"
)]
#[inline]
pub fn index(x: u64) -> usize {
    x as usize
}

/// A difference the caller has made non-negative (seconds from the start of an array, a
/// count of steps) as an index; a negative one is 0.
#[inline]
pub fn index_of(x: i64) -> usize {
    usize::try_from(x).unwrap_or(0)
}

/// A non-negative `i64` (an instant or a minute a test or a generator made up to stand for
/// a line's place) as a `u64`; a negative one is 0.
#[inline]
pub fn unsigned(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

/// A position among a run's files as the `u32` marks keep: a run reads far fewer than
/// four billion files; past that, the last.
#[inline]
pub fn file_index(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edges_are_said() {
        assert_eq!(rounded(2.5), 3);
        assert_eq!(rounded(-4.0), 0);
        assert_eq!(rounded(f64::NAN), 0);
        assert_eq!(rounded(1e30), u64::MAX);
        assert_eq!(whole(2.9), 2);
        assert_eq!(rounded_i64(-2.5), -3);
        assert_eq!(whole_i64(-1e30), i64::MIN);
        assert_eq!(index_of(-3), 0);
        assert_eq!(unsigned(-1), 0);
        assert_eq!(file_index(usize::MAX), u32::MAX);
    }
}
