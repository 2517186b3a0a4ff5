//! Distinct counting. Values are counted by their 64-bit key ([`crate::detect::key_of`]).
//!
//! - [`Exact`]: a hash set of keys, ~16 bytes per value (10,000,000 identifiers ≈ 160 MB),
//!   split into parts that inserts reach a batch at a time (see its docs); used for the
//!   store-wide counts that feed the 1,000,000 / 10,000,000 thresholds.
//! - [`Hll`]: a HyperLogLog sketch (2^14 one-byte registers, 16 KiB, standard error ≈ 0.8 %)
//!   that merges across partitions and machines.
//! - [`Distinct`]: exact up to 65,536 values, then a sketch: per-column counts in bounded
//!   memory however large the column.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys are uniform hashes already ([`crate::key`]): hashing them again would only cost time.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A set of keys.
pub type KeySet = HashSet<u64, BuildHasherDefault<KeyHasher>>;

/// Keys of an [`Exact`] set wait in a buffer of this many before they are inserted.
const PENDING: usize = 8192;

/// How many parts an [`Exact`] set is split into, by bits 48..56 of the key.
const PARTS: usize = 256;

/// Exact distinct count.
///
/// A set of millions of keys is far larger than the CPU caches, and each insert into one
/// hash table would be a miss: a quarter of a scan's time went there. So the set is split
/// into [`PARTS`] tables by bits of the key, and keys are buffered and inserted a part at
/// a time: each part is small, and its inserts stay in cache. The parts are chosen by
/// bits 48..56, which the tables themselves use for nothing (they place a key by its low
/// bits and tag it with its top seven), so no part crowds its table.
#[derive(Debug, Default, Clone)]
pub struct Exact {
    parts: Vec<KeySet>,
    /// Keys not yet inserted (they may repeat, or be in a part already).
    pending: Vec<u64>,
}

impl Exact {
    pub fn insert(&mut self, key: u64) {
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(PENDING);
        }
        self.pending.push(key);
        if self.pending.len() == PENDING {
            self.flush();
        }
    }

    fn part(key: u64) -> usize {
        (key >> 48) as usize % PARTS
    }

    /// Inserts the buffered keys, grouped by part (a counting sort: two passes).
    fn flush(&mut self) {
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| KeySet::default()).collect();
        }
        let mut starts = [0usize; PARTS + 1];
        for &k in &self.pending {
            starts[Self::part(k) + 1] += 1;
        }
        for p in 0..PARTS {
            starts[p + 1] += starts[p];
        }
        let mut sorted = vec![0u64; self.pending.len()];
        let mut next = starts;
        for &k in &self.pending {
            let p = Self::part(k);
            sorted[next[p]] = k;
            next[p] += 1;
        }
        for (p, part) in self.parts.iter_mut().enumerate() {
            part.extend(&sorted[starts[p]..starts[p + 1]]);
        }
        self.pending.clear();
    }

    /// The buffered keys that no part holds, once each.
    fn unflushed(&self) -> Vec<u64> {
        let mut keys: Vec<u64> = self
            .pending
            .iter()
            .copied()
            .filter(|&k| {
                !self
                    .parts
                    .get(Self::part(k))
                    .is_some_and(|s| s.contains(&k))
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    pub fn len(&self) -> u64 {
        let inserted: usize = self.parts.iter().map(|s| s.len()).sum();
        (inserted + self.unflushed().len()) as u64
    }
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty() && self.parts.iter().all(|s| s.is_empty())
    }
    pub fn merge(&mut self, other: &Exact) {
        other.keys().for_each(|k| self.insert(k));
    }
    /// Every key once, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.parts
            .iter()
            .flat_map(|s| s.iter().copied())
            .chain(self.unflushed())
    }
}

const P: u32 = 14;
const M: usize = 1 << P;

/// A HyperLogLog sketch over 64-bit keys (which are already uniform hashes).
#[derive(Clone, PartialEq, Eq)]
pub struct Hll(Box<[u8; M]>);

impl std::fmt::Debug for Hll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hll(~{})", self.estimate())
    }
}

impl Default for Hll {
    fn default() -> Self {
        Hll(Box::new([0; M]))
    }
}

impl Hll {
    pub fn insert(&mut self, key: u64) {
        // Mix once more so that keys from a weak source still spread evenly.
        let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let idx = (h >> (64 - P)) as usize;
        let rest = (h << P) | (1 << (P - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if rank > self.0[idx] {
            self.0[idx] = rank;
        }
    }

    pub fn merge(&mut self, other: &Hll) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = (*a).max(*b);
        }
    }

    /// The estimated number of distinct keys.
    pub fn estimate(&self) -> u64 {
        let m = M as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let (sum, zeros) = self.0.iter().fold((0.0f64, 0usize), |(s, z), &r| {
            (s + 2f64.powi(-(r as i32)), z + (r == 0) as usize)
        });
        let raw = alpha * m * m / sum;
        if raw <= 2.5 * m && zeros > 0 {
            (m * (m / zeros as f64).ln()).round() as u64
        } else {
            raw.round() as u64
        }
    }

    /// The registers, for exporting a sketch.
    pub fn registers(&self) -> &[u8] {
        &self.0[..]
    }

    /// The sketch as hex (32 KiB of text), for reports that merge later.
    pub fn to_hex(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(M * 2);
        for &b in self.0.iter() {
            s.push(HEX[(b >> 4) as usize] as char);
            s.push(HEX[(b & 15) as usize] as char);
        }
        s
    }

    /// Reads a sketch written by [`Hll::to_hex`].
    pub fn from_hex(s: &str) -> Option<Hll> {
        let b = s.as_bytes();
        if b.len() != M * 2 {
            return None;
        }
        let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        let mut h = Hll::default();
        for i in 0..M {
            let v = digit(b[2 * i])? << 4 | digit(b[2 * i + 1])?;
            if v > 64 - P as u8 + 1 {
                return None;
            }
            h.0[i] = v;
        }
        Some(h)
    }
}

const SMALL: usize = 1 << 16;

/// Exact while small, a sketch when large.
#[derive(Debug, Clone)]
pub enum Distinct {
    Small(KeySet),
    Large(Hll),
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct::Small(KeySet::default())
    }
}

impl Distinct {
    /// Counts a key; says whether it is new when that is known (`None` once the count is
    /// a sketch).
    pub fn insert(&mut self, key: u64) -> Option<bool> {
        match self {
            Distinct::Small(s) => {
                let new = s.insert(key);
                if s.len() > SMALL {
                    let mut h = Hll::default();
                    s.iter().for_each(|&k| h.insert(k));
                    *self = Distinct::Large(h);
                }
                Some(new)
            }
            Distinct::Large(h) => {
                h.insert(key);
                None
            }
        }
    }

    pub fn merge(&mut self, other: &Distinct) {
        match other {
            Distinct::Small(s) => s.iter().for_each(|&k| {
                self.insert(k);
            }),
            Distinct::Large(o) => {
                let mut h = match std::mem::take(self) {
                    Distinct::Small(s) => {
                        let mut h = Hll::default();
                        s.iter().for_each(|&k| h.insert(k));
                        h
                    }
                    Distinct::Large(h) => h,
                };
                h.merge(o);
                *self = Distinct::Large(h);
            }
        }
    }

    pub fn count(&self) -> u64 {
        match self {
            Distinct::Small(s) => s.len() as u64,
            Distinct::Large(h) => h.estimate(),
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Distinct::Small(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::key_of;
    use crate::kind::Kind;

    fn keys(n: u64) -> impl Iterator<Item = u64> {
        (0..n).map(|i| key_of(Kind::CnMobile, format!("138{i:08}").as_bytes()))
    }

    #[test]
    fn hll_is_within_two_percent() {
        for n in [1_000u64, 100_000, 1_000_000] {
            let mut h = Hll::default();
            keys(n).for_each(|k| h.insert(k));
            let e = h.estimate() as f64;
            assert!(
                (e - n as f64).abs() / (n as f64) < 0.02,
                "n={n} estimate={e}"
            );
        }
    }

    #[test]
    fn hll_merges_like_a_union() {
        let (mut a, mut b, mut all) = (Hll::default(), Hll::default(), Hll::default());
        for (i, k) in keys(200_000).enumerate() {
            if i % 2 == 0 {
                a.insert(k)
            } else {
                b.insert(k)
            }
            all.insert(k);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }

    #[test]
    fn hex_round_trip() {
        let mut h = Hll::default();
        keys(5000).for_each(|k| h.insert(k));
        assert_eq!(Hll::from_hex(&h.to_hex()), Some(h));
        assert!(Hll::from_hex("00").is_none());
    }

    #[test]
    fn exact_counts_each_key_once_whether_buffered_or_inserted() {
        for n in [
            0u64,
            1,
            PENDING as u64 - 1,
            PENDING as u64,
            PENDING as u64 + 1,
            100_000,
        ] {
            let mut e = Exact::default();
            // Every key twice, the second time far from the first (across flushes).
            keys(n).chain(keys(n)).for_each(|k| e.insert(k));
            // And some keys repeated within one buffer.
            keys(n.min(10)).for_each(|k| e.insert(k));
            assert_eq!(e.len(), n, "{n} keys");
            assert_eq!(e.is_empty(), n == 0);
            let mut all: Vec<u64> = e.keys().collect();
            let mut want: Vec<u64> = keys(n).collect();
            all.sort_unstable();
            want.sort_unstable();
            want.dedup();
            assert_eq!(all, want, "each key once, {n} keys");
        }
    }

    #[test]
    fn exact_sets_merge_as_a_union() {
        let (mut a, mut b) = (Exact::default(), Exact::default());
        keys(30_000).for_each(|k| a.insert(k));
        keys(50_000).skip(20_000).for_each(|k| b.insert(k));
        a.merge(&b);
        assert_eq!(a.len(), 50_000);
    }

    #[test]
    fn distinct_switches_to_a_sketch() {
        let mut d = Distinct::default();
        let new: Vec<Option<bool>> = keys(10).chain(keys(10)).map(|k| d.insert(k)).collect();
        assert_eq!(new[..10], [Some(true); 10], "new while exact");
        assert_eq!(new[10..], [Some(false); 10], "seen while exact");
        assert_eq!(d.count(), 10);
        assert!(d.is_exact());
        keys(100_000).for_each(|k| {
            d.insert(k);
        });
        assert!(!d.is_exact());
        assert_eq!(d.insert(1), None, "a sketch cannot tell");
        assert!((d.count() as f64 - 100_000.0).abs() < 2_000.0);
    }
}
