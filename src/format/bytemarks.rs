//! Where a few given bytes are in a short byte string. One pass over its first
//! [`HEAD`] bytes marks them all, a bit a byte (sixteen bytes at a time with SSE2), and
//! each is then found by a bit scan; past the head, memchr takes over. The CLF parser
//! finds an access line's fields with it: most of an archive is access lines, whose
//! first fields are a few bytes apart, and a search each (or a byte loop, whose exit the
//! processor mispredicts) was a fifth of their cost.

use memchr::memchr;

/// Bytes marked in one pass.
pub const HEAD: usize = 64;

/// The places of `N` needle bytes in `bytes`.
pub struct ByteMarks<'a, const N: usize> {
    bytes: &'a [u8],
    needles: [u8; N],
    /// Per needle, bit i set when `bytes[i]` is that needle (i < [`HEAD`]).
    head: [u64; N],
}

impl<'a, const N: usize> ByteMarks<'a, N> {
    #[inline]
    pub fn of(bytes: &'a [u8], needles: [u8; N]) -> ByteMarks<'a, N> {
        let head = match bytes.first_chunk::<HEAD>() {
            Some(head) => masks(head, needles),
            None => {
                // Shorter than the head: padded with bytes that are no needle.
                let filler = (0..=u8::MAX).find(|b| !needles.contains(b)).unwrap_or(0);
                let mut padded = [filler; HEAD];
                padded[..bytes.len()].copy_from_slice(bytes);
                masks(&padded, needles)
            }
        };
        ByteMarks { bytes, needles, head }
    }

    /// The first place of needle `which` (its index in the needles) at or after `from`.
    #[inline]
    pub fn find(&self, which: usize, from: usize) -> Option<usize> {
        if from < HEAD {
            let after = self.head[which] >> from;
            if after != 0 {
                return Some(from + after.trailing_zeros() as usize);
            }
        }
        let start = from.max(HEAD);
        let rest = self.bytes.get(start..)?;
        memchr(self.needles[which], rest).map(|at| start + at)
    }
}

/// For each needle, a mask of where it is in `head`: sixteen bytes compared at a time,
/// with SSE2 (every x86-64 has it). Always inlined: it is the CLF parser's first step on
/// every access line, and a call to it (which the compiler chose for some builds and not
/// others) cost the 1 GiB scan a few percent.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn masks<const N: usize>(head: &[u8; HEAD], needles: [u8; N]) -> [u64; N] {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set1_epi8, _mm_set_epi64x};
    let mut masks = [0u64; N];
    // SAFETY: these intrinsics need only SSE2, which this build enables for the whole
    // crate (the `cfg` above); they read nothing but their arguments.
    unsafe {
        let wanted = needles.map(|needle| _mm_set1_epi8(needle as i8));
        for (i, block) in head.chunks_exact(16).enumerate() {
            let low = u64::from_le_bytes(block[..8].try_into().unwrap_or_default());
            let high = u64::from_le_bytes(block[8..].try_into().unwrap_or_default());
            let bytes = _mm_set_epi64x(high as i64, low as i64);
            for (mask, needle) in masks.iter_mut().zip(wanted) {
                let equal = _mm_cmpeq_epi8(bytes, needle);
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "the mask of 16 bytes is the low 16 bits"
                )]
                let bits = _mm_movemask_epi8(equal) as u16;
                *mask |= u64::from(bits) << (16 * i);
            }
        }
    }
    masks
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn masks<const N: usize>(head: &[u8; HEAD], needles: [u8; N]) -> [u64; N] {
    masks_one_at_a_time(head, needles)
}

/// The same, a byte at a time: where there is no SSE2, and as the tests' reference.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn masks_one_at_a_time<const N: usize>(head: &[u8; HEAD], needles: [u8; N]) -> [u64; N] {
    let mut masks = [0u64; N];
    for (i, &b) in head.iter().enumerate() {
        for (mask, needle) in masks.iter_mut().zip(needles) {
            *mask |= u64::from(b == needle) << i;
        }
    }
    masks
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn needles_are_found_where_a_plain_search_finds_them(
            bytes in proptest::collection::vec(prop_oneof![Just(b' '), Just(b'['), Just(b'/'), Just(0u8), any::<u8>()], 0..200),
            from in 0usize..210,
        ) {
            let needles = [b' ', b'[', b'/', 0];
            let marks = ByteMarks::of(&bytes, needles);
            for (which, needle) in needles.iter().enumerate() {
                let plain = bytes.get(from..).and_then(|rest| rest.iter().position(|b| b == needle)).map(|at| from + at);
                prop_assert_eq!(marks.find(which, from), plain);
            }
            if let Some(head) = bytes.first_chunk::<HEAD>() {
                prop_assert_eq!(masks(head, needles), masks_one_at_a_time(head, needles));
            }
        }
    }
}
