//! What the scan's tables share: where a line is ([`Mark`]), a template's key, the
//! hashes they are keyed by, and where a bucket lands when its lines move. A leaf: it
//! names no other module of the scan, so that those that share these name only it.

use crate::time::Micros;
use std::hash::Hasher;

/// The farthest from the epoch a time kept by the scan may be, either way: about 36,000
/// years, beyond any timestamp a log can print (years 0 to 9999), with room to move times
/// by any zone or clock without overflow. What a partial holds is checked against it.
pub const MOST_TIME: Micros = 1 << 60;

/// Whether `t` is a time the scan could have kept (see [`MOST_TIME`]).
pub fn is_plausible(t: Micros) -> bool {
    (-MOST_TIME..=MOST_TIME).contains(&t)
}

/// The most lines or requests one count kept by the scan may hold: a trillion, more than
/// any log holds, and small enough that sixteen million of them add up without overflow.
/// What a partial holds is checked against it.
pub const MOST_COUNT: u64 = 1 << 40;

/// Whether `n` is a count the scan could have kept (see [`MOST_COUNT`]).
pub fn is_plausible_count(n: u64) -> bool {
    n <= MOST_COUNT
}

/// A template's identity: the hash of its text.
pub type TemplateKey = u64;

/// Where a matched line is, and when. Ordered as the timeline orders lines: by time,
/// then file, then position in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    pub time: Micros,
    /// Index into the scan's files.
    pub file: u32,
    /// Byte offset of the line (in the decompressed stream for gzip).
    pub offset: u64,
    /// 1-based line number.
    pub line: u64,
}

/// Hashes a key that is already a hash (of a client address): one multiply to spread
/// its bits, instead of SipHash over eight bytes for every access line.
#[derive(Default)]
pub struct PrehashedKey(u64);

impl Hasher for PrehashedKey {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    #[inline]
    fn write_u64(&mut self, key: u64) {
        self.0 = key.wrapping_mul(HASH_MULTIPLIER);
    }
}

/// The odd constant the fixed hashes multiply by (2^64 divided by the golden ratio).
pub const HASH_MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// A fixed hash of a client address or an endpoint's segment, so that counts do not
/// depend on the run: eight bytes at a time (an address is one to five words), each
/// word mixed in by a multiply and a rotation.
#[inline]
pub(crate) fn fixed_hash(bytes: &[u8]) -> u64 {
    let mix = |hash: u64, word: u64| (hash ^ word).wrapping_mul(HASH_MULTIPLIER).rotate_left(29);
    let mut hash = (bytes.len() as u64).wrapping_mul(HASH_MULTIPLIER);
    for word in bytes.chunks_exact(8) {
        hash = mix(hash, u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
    }
    // The bytes past the last whole word: the last eight bytes again when there are
    // that many (a load, where copying the few left over into a buffer is a call).
    let tail = match bytes.len() {
        0..8 => bytes.iter().rev().fold(0, |word, &b| word << 8 | u64::from(b)),
        n => u64::from_le_bytes(bytes[n - 8..].try_into().unwrap_or([0; 8])),
    };
    hash = mix(hash, tail);
    hash ^ (hash >> 32)
}

/// The bucket a bucket lands in when its lines move by `delta`: the one holding its middle.
#[inline]
pub fn shifted_bucket(start: Micros, delta: Micros, width: Micros) -> Micros {
    (start + delta + width / 2).div_euclid(width) * width
}
