//! Distinct clients of a bucket of traffic, in bounded memory: counted exactly while they
//! are few, estimated with a HyperLogLog sketch (2 KiB, a standard error of about 2.3 %)
//! once a bucket has seen more than [`EXACT_LIMIT`]. A minute of a busy shop has thousands
//! of clients; exact sets of every minute of a month would not fit in memory.
//!
//! Unions (the clients of an incident's window) stay exact when every part is; one
//! estimated part makes the union an estimate, and the draft says so. Which form a set
//! ends in depends only on how many clients it holds, never on how chunks were merged.

use super::keys::PrehashedKey;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;

/// Clients counted exactly per set, at most.
pub const EXACT_LIMIT: usize = 256;
/// Registers of a sketch: 2^11.
const PRECISION: u32 = 11;
const REGISTERS: usize = 1 << PRECISION;

type Exact = HashSet<u64, BuildHasherDefault<PrehashedKey>>;

/// Hashes of distinct clients (a client's address hashed by the scan).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Clients {
    Exact(Exact),
    Sketch(#[serde(with = "registers")] Box<[u8; REGISTERS]>),
}

/// A sketch's registers as bytes (serde knows arrays only up to 32 elements): what a scan
/// partial holds of it.
mod registers {
    use super::REGISTERS;

    pub fn serialize<S: serde::Serializer>(registers: &[u8; REGISTERS], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(registers)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Box<[u8; REGISTERS]>, D::Error> {
        let bytes: Vec<u8> = serde::Deserialize::deserialize(deserializer)?;
        let len = bytes.len();
        bytes
            .into_boxed_slice()
            .try_into()
            .map_err(|_| serde::de::Error::invalid_length(len, &"a sketch's 2048 registers"))
    }
}

impl Default for Clients {
    fn default() -> Clients {
        Clients::Exact(Exact::default())
    }
}

/// The register and rank of a client's hash, after SplitMix64's finalizer: the index and
/// the rank must look independent, whatever the hashes had in common.
#[inline]
fn register_of(hash: u64) -> (usize, u8) {
    let mut hash = hash;
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^= hash >> 31;
    let index = (hash >> (64 - PRECISION)) as usize;
    #[allow(clippy::cast_possible_truncation, reason = "at most 64 leading zeros")]
    let rank = ((hash << PRECISION) | (1 << (PRECISION - 1))).leading_zeros() as u8 + 1;
    (index, rank)
}

fn sketch_of(set: &Exact) -> Box<[u8; REGISTERS]> {
    let mut registers = Box::new([0u8; REGISTERS]);
    for &hash in set {
        let (index, rank) = register_of(hash);
        registers[index] = registers[index].max(rank);
    }
    registers
}

impl Clients {
    #[inline]
    pub fn insert(&mut self, hash: u64) {
        match self {
            Clients::Exact(set) => {
                if set.insert(hash) && set.len() > EXACT_LIMIT {
                    *self = Clients::Sketch(sketch_of(set));
                }
            }
            Clients::Sketch(registers) => {
                let (index, rank) = register_of(hash);
                registers[index] = registers[index].max(rank);
            }
        }
    }

    /// Takes in the clients of `other`. `limit` is how many an exact set may hold.
    fn union_bounded(&mut self, other: &Clients, limit: usize) {
        match (&mut *self, other) {
            (Clients::Exact(mine), Clients::Exact(theirs)) => {
                mine.extend(theirs.iter().copied());
                if mine.len() > limit {
                    *self = Clients::Sketch(sketch_of(mine));
                }
            }
            (Clients::Exact(mine), Clients::Sketch(theirs)) => {
                let mut registers = sketch_of(mine);
                for (m, t) in registers.iter_mut().zip(theirs.iter()) {
                    *m = (*m).max(*t);
                }
                *self = Clients::Sketch(registers);
            }
            (Clients::Sketch(registers), Clients::Exact(theirs)) => {
                for &hash in theirs {
                    let (index, rank) = register_of(hash);
                    registers[index] = registers[index].max(rank);
                }
            }
            (Clients::Sketch(registers), Clients::Sketch(theirs)) => {
                for (m, t) in registers.iter_mut().zip(theirs.iter()) {
                    *m = (*m).max(*t);
                }
            }
        }
    }

    /// Takes in the clients of `other`, as one bucket of traffic merges another's.
    pub fn merge(&mut self, other: &Clients) {
        self.union_bounded(other, EXACT_LIMIT);
    }

    /// Takes in the clients of `other` into a union that stays exact, whatever its size,
    /// while every part is: the clients of a window of time.
    pub fn union(&mut self, other: &Clients) {
        self.union_bounded(other, usize::MAX);
    }

    /// How many distinct clients: exact, or estimated.
    pub fn count(&self) -> u64 {
        match self {
            Clients::Exact(set) => set.len() as u64,
            Clients::Sketch(registers) => estimate(registers),
        }
    }

    pub fn is_estimate(&self) -> bool {
        matches!(self, Clients::Sketch(_))
    }
}

/// HyperLogLog's estimate, with its small-range correction (linear counting while some
/// registers are empty and the estimate is small).
fn estimate(registers: &[u8; REGISTERS]) -> u64 {
    let m = REGISTERS as f64;
    let alpha = 0.7213 / (1.0 + 1.079 / m);
    let sum: f64 = registers.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
    let raw = alpha * m * m / sum;
    let empty = registers.iter().filter(|&&r| r == 0).count();
    let estimate = if raw <= 2.5 * m && empty > 0 {
        m * (m / empty as f64).ln()
    } else {
        raw
    };
    crate::num::rounded(estimate)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes as the scan makes them: mixed, distinct.
    fn clients(from: u64, n: u64) -> Clients {
        let mut set = Clients::default();
        for i in from..from + n {
            set.insert(i.wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(31));
        }
        set
    }

    #[test]
    fn few_clients_are_counted_exactly() {
        let set = clients(0, EXACT_LIMIT as u64);
        assert!(!set.is_estimate());
        assert_eq!(set.count(), EXACT_LIMIT as u64);
    }

    #[test]
    fn many_are_estimated_within_the_stated_error() {
        // A standard error of 1.04 / √2048 ≈ 2.3 %: within three of it, always.
        for n in [300u64, 1_000, 3_300, 20_000, 250_000] {
            let set = clients(n * 7, n);
            assert!(set.is_estimate());
            let error = (set.count() as f64 - n as f64).abs() / n as f64;
            assert!(error < 0.07, "{n}: {} ({error:.3})", set.count());
        }
    }

    #[test]
    fn unions_are_the_same_in_any_order_and_exact_while_every_part_is() {
        let parts: Vec<Clients> = (0..6).map(|i| clients(i * 150, 200)).collect();
        let mut forward = Clients::default();
        for p in &parts {
            forward.union(p);
        }
        let mut backward = Clients::default();
        for p in parts.iter().rev() {
            backward.union(p);
        }
        assert_eq!(forward, backward);
        assert!(!forward.is_estimate());
        assert_eq!(forward.count(), 5 * 150 + 200);
        // Merged as buckets, the set turns to a sketch past the limit, whatever the order.
        let mut a = clients(0, 200);
        a.merge(&clients(100, 200));
        let mut b = clients(100, 200);
        b.merge(&clients(0, 200));
        assert_eq!(a, b);
        assert!(a.is_estimate());
        // One estimated part makes the union an estimate.
        let mut window = clients(0, 10);
        window.union(&clients(0, 5_000));
        assert!(window.is_estimate());
    }
}
