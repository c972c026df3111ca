//! Distinct clients of a bucket of traffic, in bounded memory: counted exactly while they
//! are few, estimated with a HyperLogLog sketch (2 KiB, a standard error of about 2.3 %)
//! once a bucket has seen more than [`EXACT_LIMIT`]. A minute of a busy shop has thousands
//! of clients; exact sets of every minute of a month would not fit in memory.
//!
//! Unions (the clients of an incident's window) stay exact when every part is; one
//! estimated part makes the union an estimate, and the draft says so. Which form a set
//! ends in depends only on how many clients it holds, never on how chunks were merged.
//!
//! A sketch at rest (a bucket the scan has closed) is kept [`Packed`]: four bits a
//! register above the lowest, half the bytes, with nothing lost. A busy log has one a
//! minute, so they are most of what a long span holds.

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
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Clients {
    Exact(Exact),
    Sketch(#[serde(with = "registers")] Box<[u8; REGISTERS]>),
    /// A sketch at rest (see [`Clients::pack`]).
    Packed(Box<Packed>),
}

/// Clients are the same set, or sketches of the same registers however each is kept.
impl PartialEq for Clients {
    fn eq(&self, other: &Clients) -> bool {
        match (self, other) {
            (Clients::Exact(mine), Clients::Exact(theirs)) => mine == theirs,
            (Clients::Exact(_), _) | (_, Clients::Exact(_)) => false,
            (mine, theirs) => mine.registers() == theirs.registers(),
        }
    }
}

/// A sketch's registers kept in half the bytes, losslessly: each as four bits above the
/// lowest register (`base`), those fifteen or more above it listed apart. A minute's
/// registers span a few ranks (most are within eight of each other), so the list is
/// almost always empty.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "PackedBytes", into = "PackedBytes")]
pub struct Packed {
    base: u8,
    /// Register `2i` in the low four bits of byte `i`, `2i + 1` in the high ones; 15
    /// means "see `high`".
    nibbles: [u8; REGISTERS / 2],
    /// The registers fifteen or more above `base`: index and rank.
    high: Box<[(u16, u8)]>,
}

/// The highest rank a register can hold: one past the hash's bits below the index.
#[allow(clippy::cast_possible_truncation, reason = "54")]
const MAX_RANK: u8 = (64 - PRECISION + 1) as u8;
/// The nibble that sends a register to [`Packed::high`].
const ESCAPE: u8 = 15;

impl Packed {
    fn of(registers: &[u8; REGISTERS]) -> Packed {
        let base = registers.iter().copied().min().unwrap_or(0);
        let mut nibbles = [0u8; REGISTERS / 2];
        let mut high = Vec::new();
        for (index, &rank) in registers.iter().enumerate() {
            let above = rank - base;
            let nibble = if above >= ESCAPE {
                #[allow(clippy::cast_possible_truncation, reason = "an index below REGISTERS, 2^11")]
                high.push((index as u16, rank));
                ESCAPE
            } else {
                above
            };
            nibbles[index / 2] |= nibble << (4 * (index % 2));
        }
        Packed {
            base,
            nibbles,
            high: high.into_boxed_slice(),
        }
    }

    fn registers(&self) -> Box<[u8; REGISTERS]> {
        let mut registers = Box::new([0u8; REGISTERS]);
        for (index, register) in registers.iter_mut().enumerate() {
            let nibble = (self.nibbles[index / 2] >> (4 * (index % 2))) & 0x0f;
            *register = self.base + nibble;
        }
        for &(index, rank) in self.high.iter() {
            registers[usize::from(index)] = rank;
        }
        registers
    }
}

/// A packed sketch as a partial holds it: `base`, the nibbles, then three bytes for each
/// high register (its index, big-endian, and its rank). Read back only if it is what
/// packing its registers gives, every rank one a hash can give: a damaged partial is
/// refused, not unpacked into nonsense.
#[derive(serde::Serialize, serde::Deserialize)]
struct PackedBytes(#[serde(with = "byte_string")] Vec<u8>);

/// Bytes as one byte string (serde's default would write a sequence of numbers): how a
/// partial holds a sketch's registers, packed or not.
mod byte_string {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }
}

impl From<Packed> for PackedBytes {
    fn from(packed: Packed) -> PackedBytes {
        let mut bytes = Vec::with_capacity(1 + REGISTERS / 2 + 3 * packed.high.len());
        bytes.push(packed.base);
        bytes.extend_from_slice(&packed.nibbles);
        for &(index, rank) in packed.high.iter() {
            bytes.extend_from_slice(&index.to_be_bytes());
            bytes.push(rank);
        }
        PackedBytes(bytes)
    }
}

impl TryFrom<PackedBytes> for Packed {
    type Error = String;

    fn try_from(PackedBytes(bytes): PackedBytes) -> Result<Packed, String> {
        let bad = || format!("a packed sketch of {} bytes that no sketch gives", bytes.len());
        let (&base, rest) = bytes.split_first().ok_or_else(bad)?;
        if rest.len() < REGISTERS / 2 || (rest.len() - REGISTERS / 2) % 3 != 0 || base > MAX_RANK {
            return Err(bad());
        }
        let (nibbles, high) = rest.split_at(REGISTERS / 2);
        let high: Vec<(u16, u8)> = high.chunks_exact(3).map(|h| (u16::from_be_bytes([h[0], h[1]]), h[2])).collect();
        if high.iter().any(|&(index, rank)| usize::from(index) >= REGISTERS || rank > MAX_RANK) {
            return Err(bad());
        }
        let read = Packed {
            base,
            nibbles: nibbles.try_into().map_err(|_| bad())?,
            high: high.into_boxed_slice(),
        };
        // Its registers, packed again, give the same bytes: the lowest is `base`, an
        // escape has its register listed, and only those.
        let registers = read.registers();
        match registers.iter().all(|&rank| rank <= MAX_RANK) && Packed::of(&registers) == read {
            true => Ok(read),
            false => Err(bad()),
        }
    }
}

/// A sketch's registers as bytes (serde knows arrays only up to 32 elements): what a scan
/// partial holds of it.
mod registers {
    use super::{byte_string, MAX_RANK, REGISTERS};

    pub fn serialize<S: serde::Serializer>(registers: &[u8; REGISTERS], serializer: S) -> Result<S::Ok, S::Error> {
        byte_string::serialize(registers, serializer)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Box<[u8; REGISTERS]>, D::Error> {
        let bytes = byte_string::deserialize(deserializer)?;
        if bytes.iter().any(|&rank| rank > MAX_RANK) {
            return Err(serde::de::Error::custom("a sketch's register past the highest rank"));
        }
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
    /// A sketch's registers, however it is kept; `None` for an exact set.
    fn registers(&self) -> Option<std::borrow::Cow<'_, [u8; REGISTERS]>> {
        match self {
            Clients::Exact(_) => None,
            Clients::Sketch(registers) => Some(std::borrow::Cow::Borrowed(registers)),
            Clients::Packed(packed) => Some(std::borrow::Cow::Owned(*packed.registers())),
        }
    }

    /// Keeps a sketch packed, in half the bytes: once its bucket is closed (a packed one
    /// is unpacked again if more clients come).
    pub fn pack(&mut self) {
        if let Clients::Sketch(registers) = self {
            *self = Clients::Packed(Box::new(Packed::of(registers)));
        }
    }

    /// Unpacks a packed sketch, to be added to.
    fn unpack(&mut self) {
        if let Clients::Packed(packed) = self {
            *self = Clients::Sketch(packed.registers());
        }
    }

    #[inline]
    pub fn insert(&mut self, hash: u64) {
        self.unpack();
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
            Clients::Packed(_) => unreachable!("unpacked above"),
        }
    }

    /// Takes in the clients of `other`. `limit` is how many an exact set may hold.
    fn union_bounded(&mut self, other: &Clients, limit: usize) {
        self.unpack();
        let unpacked;
        let other = match other {
            Clients::Packed(packed) => {
                unpacked = Clients::Sketch(packed.registers());
                &unpacked
            }
            other => other,
        };
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
            (Clients::Packed(_), _) | (_, Clients::Packed(_)) => unreachable!("unpacked above"),
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
            sketch => sketch.registers().map_or(0, |registers| estimate(&registers)),
        }
    }

    pub fn is_estimate(&self) -> bool {
        !matches!(self, Clients::Exact(_))
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
            set.insert(hash(i));
        }
        set
    }

    /// The hash of client `i`.
    fn hash(i: u64) -> u64 {
        i.wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(31)
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

    /// The registers of a sketch, however it is kept.
    fn registers_of(set: &Clients) -> [u8; REGISTERS] {
        *set.registers().expect("a sketch")
    }

    #[test]
    fn a_packed_sketch_keeps_every_register_and_counts_the_same() {
        // Few clients (many empty registers), a busy minute, and a sketch of millions
        // (no register empty: the base above zero).
        for n in [300u64, 3_300, 2_000_000] {
            let set = clients(n, n);
            let mut packed = set.clone();
            packed.pack();
            assert!(matches!(packed, Clients::Packed(_)));
            assert_eq!(registers_of(&packed), registers_of(&set), "{n}");
            assert_eq!(packed.count(), set.count());
            assert!(packed.is_estimate());
            assert_eq!(packed, set);
        }
        // Registers fifteen and more above the lowest are listed apart, and come back.
        let mut registers = Box::new([1u8; REGISTERS]);
        registers[0] = 16;
        registers[7] = MAX_RANK;
        registers[REGISTERS - 1] = 15;
        let mut set = Clients::Sketch(registers.clone());
        set.pack();
        let Clients::Packed(packed) = &set else { panic!("packed") };
        assert_eq!(packed.high.len(), 2);
        assert_eq!(*packed.registers(), *registers);
    }

    #[test]
    fn a_packed_sketch_takes_more_clients_and_unions_as_the_unpacked_one() {
        let mut packed = clients(0, 1_000);
        packed.pack();
        let mut plain = clients(0, 1_000);
        for i in 5_000..5_500 {
            packed.insert(hash(i));
            plain.insert(hash(i));
        }
        assert!(matches!(packed, Clients::Sketch(_)), "unpacked to be added to");
        assert_eq!(packed, plain);
        let mut window = clients(0, 10);
        window.union(&packed);
        let mut expected = clients(0, 10);
        expected.union(&plain);
        assert_eq!(registers_of(&window), registers_of(&expected));
        let mut bucket = clients(9_000, 100);
        bucket.merge(&packed);
        let mut expected = clients(9_000, 100);
        expected.merge(&plain);
        assert_eq!(bucket, expected);
    }

    #[test]
    fn a_packed_sketch_reads_back_from_its_bytes_and_damaged_bytes_are_refused() {
        let mut set = clients(0, 3_300);
        set.pack();
        let bytes = postcard::to_stdvec(&set).unwrap();
        assert!(bytes.len() < REGISTERS * 3 / 5, "{} bytes", bytes.len());
        assert_eq!(postcard::from_bytes::<Clients>(&bytes).unwrap(), set);
        let Clients::Packed(packed) = &set else { panic!("packed") };
        let good: PackedBytes = (**packed).clone().into();
        let refused = |bytes: Vec<u8>| Packed::try_from(PackedBytes(bytes)).is_err();
        assert!(refused(Vec::new()), "empty");
        assert!(refused(good.0[..REGISTERS / 2].to_vec()), "cut");
        assert!(refused([good.0.clone(), vec![0, 1]].concat()), "a high register cut");
        assert!(refused([good.0.clone(), vec![0x08, 0x00, 3]].concat()), "a register past the last");
        assert!(refused([good.0.clone(), vec![0, 1, 200]].concat()), "a rank no hash gives");
        let mut base = good.0.clone();
        base[0] = 250;
        assert!(refused(base), "a base no hash gives");
        let below = [vec![0u8], vec![0x11; REGISTERS / 2]].concat();
        assert!(refused(below), "a base below the lowest register");
        // A register below the escape (this sketch lists one register already).
        let byte = 1 + good.0[1..]
            .iter()
            .position(|&b| b & 0x0f != 0x0f)
            .expect("a register below the escape");
        let mut escape = good.0.clone();
        escape[byte] |= 0x0f;
        assert!(refused(escape), "an escape with no register listed");
        let index = u16::try_from(2 * (byte - 1)).expect("an index below 2048");
        let listed = [good.0.clone(), index.to_be_bytes().to_vec(), vec![20]].concat();
        assert!(refused(listed), "a register listed that needs no listing");
        let mut plain = vec![0u8; REGISTERS];
        plain[3] = 60;
        assert!(
            postcard::from_bytes::<Clients>(&postcard::to_stdvec(&Clients::Sketch(Box::new(plain.try_into().unwrap()))).unwrap()).is_err(),
            "a sketch's rank no hash gives"
        );
    }
}
