//! Distinct counting. Values are counted by their 64-bit key ([`crate::detect::key_of`]).
//!
//! - [`Exact`]: a hash table of keys, ~13.5 bytes per value (10,000,000 identifiers ≈ 135 MB),
//!   that keys reach a batch at a time (see its docs); used for the store-wide counts that
//!   feed the 1,000,000 / 10,000,000 thresholds.
//! - [`Hll`]: a HyperLogLog sketch (2^14 one-byte registers, 16 KiB, standard error ≈ 0.8 %)
//!   that merges across partitions and machines.
//! - [`Distinct`]: exact up to 65,536 values, then a sketch: per-column counts in bounded
//!   memory however large the column.

/// Keys of an [`Exact`] set wait in a buffer of this many before they are inserted.
const PENDING: usize = 8192;

/// Exact distinct count.
///
/// A set of millions of keys is far larger than the CPU caches, and each insert into it is
/// a cache miss: inserted one by one as found, they took a fifth of a scan's time. So keys
/// are buffered and inserted a batch at a time into a [`KeyTable`], which fetches the slot
/// of a key some keys ahead while it inserts the current one: the misses overlap instead
/// of each waiting for the last.
#[derive(Debug, Default, Clone)]
pub struct Exact {
    table: KeyTable,
    /// Keys not yet inserted (they may repeat, or be in the table already).
    pending: Vec<u64>,
}

impl Exact {
    pub fn insert(&mut self, key: u64) {
        // The buffer grows as keys come (most columns have few): it is never over PENDING.
        self.pending.push(key);
        if self.pending.len() == PENDING {
            self.table.insert_all(&self.pending);
            self.pending.clear();
        }
    }

    /// The buffered keys that the table does not hold, once each.
    fn unflushed(&self) -> Vec<u64> {
        let mut keys: Vec<u64> = self
            .pending
            .iter()
            .copied()
            .filter(|&k| !self.table.contains(k))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    pub fn len(&self) -> u64 {
        (self.table.len() + self.unflushed().len()) as u64
    }
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty() && self.table.len() == 0
    }
    pub fn merge(&mut self, other: &Exact) {
        other.keys().for_each(|k| self.insert(k));
    }
    /// Every key once, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.table.keys().chain(self.unflushed())
    }
}

/// A set of keys in one array, open addressing with linear probing: a key's first slot is
/// its low bits (keys are uniform hashes already), 0 marks an empty slot (the key 0 is
/// held by a flag), and the table doubles before it is 5/8 full. About 13 bytes per key.
#[derive(Debug, Default, Clone)]
struct KeyTable {
    slots: Vec<u64>,
    /// Slots in use.
    used: usize,
    zero: bool,
}

impl KeyTable {
    /// How many keys ahead the slot to be probed is fetched.
    const AHEAD: usize = 16;

    fn len(&self) -> usize {
        self.used + usize::from(self.zero)
    }

    fn contains(&self, key: u64) -> bool {
        if key == 0 {
            return self.zero;
        }
        if self.slots.is_empty() {
            return false;
        }
        let mask = self.slots.len() - 1;
        let mut i = key as usize & mask;
        loop {
            match self.slots[i] {
                0 => return false,
                k if k == key => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Inserts keys (repeats are fine), fetching slots [`Self::AHEAD`] keys ahead.
    fn insert_all(&mut self, keys: &[u64]) {
        self.room_for(keys.len());
        let mask = self.slots.len() - 1;
        for (i, &key) in keys.iter().enumerate() {
            if let Some(&ahead) = keys.get(i + Self::AHEAD) {
                prefetch(&self.slots[ahead as usize & mask]);
            }
            self.put(key, mask);
        }
    }

    #[inline]
    fn put(&mut self, key: u64, mask: usize) {
        if key == 0 {
            self.zero = true;
            return;
        }
        let mut i = key as usize & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = key;
                    self.used += 1;
                    return;
                }
                k if k == key => return,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Grows the table (a power of two slots, at least 1024) so that `extra` more keys keep
    /// it under 5/8 full.
    fn room_for(&mut self, extra: usize) {
        let need = self.used + extra;
        if need * 8 <= self.slots.len() * 5 {
            return;
        }
        let mut size = self.slots.len().max(1024);
        while need * 8 > size * 5 {
            size *= 2;
        }
        let mut old = std::mem::replace(&mut self.slots, written_zeros(size));
        self.used = 0;
        old.retain(|&k| k != 0);
        self.insert_all(&old);
    }

    fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.slots
            .iter()
            .copied()
            .filter(|&k| k != 0)
            .chain(self.zero.then_some(0))
    }
}

/// `n` zero slots whose pages are written already. Fresh zeroed memory is mapped to the
/// system's shared zero page until written; an insert reads its slot before writing it, so
/// each page would first be mapped read-only and then copied on the write, and in a process
/// with several threads every such copy interrupts the other cores to flush their address
/// caches (it took a third of a two-thread scan's time). One write per 4 KiB page, which
/// the compiler may not leave out, maps each page writable at once.
fn written_zeros(n: usize) -> Vec<u64> {
    let mut v = vec![0u64; n];
    for i in (0..n).step_by(4096 / std::mem::size_of::<u64>()) {
        // SAFETY: `i < n`: a valid, aligned element of `v`.
        unsafe { std::ptr::write_volatile(v.as_mut_ptr().add(i), 0) };
    }
    v
}

/// Asks the CPU to fetch the cache line of `slot` (a hint only: nothing changes if not).
#[inline]
fn prefetch(slot: &u64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and cannot fault; SSE is part of the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (slot as *const u64).cast(),
        )
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = slot;
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
        let (register, rank) = Hll::position(key);
        let r = &mut self.0[register as usize];
        *r = (*r).max(rank);
    }

    /// The register a key falls in and its rank there: what an engine that builds the
    /// sketch itself (Spark: `max(rank) GROUP BY register`) computes per key.
    pub fn position(key: u64) -> (u32, u8) {
        // Mix once more so that keys from a weak source still spread evenly.
        let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let register = (h >> (64 - P)) as u32;
        let rest = (h << P) | (1 << (P - 1));
        (register, rest.leading_zeros() as u8 + 1)
    }

    /// Raises `register` to `rank` (a register's maximum computed elsewhere); `None` when
    /// no key could give them.
    pub fn raise(&mut self, register: u32, rank: u8) -> Option<()> {
        let r = self.0.get_mut(register as usize)?;
        if rank == 0 || rank > 64 - P as u8 + 1 {
            return None;
        }
        *r = (*r).max(rank);
        Some(())
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

const SMALL: u64 = 1 << 16;

/// Exact while small, a sketch when large.
///
/// Keys reach the exact set in batches, as in [`Exact`]; the switch to a sketch is made at a
/// batch, and a set past [`SMALL`] counts as a sketch however its last keys wait: the
/// count is the same whenever the switch is made (a sketch of a set of keys does not depend
/// on their order).
#[derive(Debug, Clone)]
pub enum Distinct {
    Small(Exact),
    Large(Hll),
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct::Small(Exact::default())
    }
}

impl Distinct {
    pub fn insert(&mut self, key: u64) {
        match self {
            Distinct::Small(s) => {
                s.insert(key);
                // Only a batch just inserted can take the set past the limit.
                if s.pending.is_empty() && s.table.len() as u64 > SMALL {
                    *self = Distinct::Large(Self::sketch(s));
                }
            }
            Distinct::Large(h) => h.insert(key),
        }
    }

    fn sketch(s: &Exact) -> Hll {
        let mut h = Hll::default();
        s.keys().for_each(|k| h.insert(k));
        h
    }

    pub fn merge(&mut self, other: &Distinct) {
        match other {
            Distinct::Small(s) => s.keys().for_each(|k| self.insert(k)),
            Distinct::Large(o) => {
                let mut h = match std::mem::take(self) {
                    Distinct::Small(s) => Self::sketch(&s),
                    Distinct::Large(h) => h,
                };
                h.merge(o);
                *self = Distinct::Large(h);
            }
        }
    }

    pub fn count(&self) -> u64 {
        match self {
            Distinct::Small(s) => match s.len() {
                n if n > SMALL => Self::sketch(s).estimate(),
                n => n,
            },
            Distinct::Large(h) => h.estimate(),
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Distinct::Small(s) if s.len() <= SMALL)
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
            // The key 0 (held apart from the slots) is one of them when there are four.
            let keys = |n: u64| keys(n).enumerate().map(|(i, k)| if i == 3 { 0 } else { k });
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
    fn keys_that_share_a_first_slot_probe_on_and_wrap_around() {
        let mut t = KeyTable::default();
        // All start at the table's last slot (1024 slots: low ten bits all ones).
        let crowd: Vec<u64> = (1..=600u64).map(|i| i << 20 | 1023).collect();
        t.insert_all(&crowd);
        assert_eq!(
            t.slots.len(),
            1024,
            "600 keys keep 1024 slots under 5/8 full"
        );
        // Repeats are room asked for (the table may grow), never keys added.
        t.insert_all(&crowd);
        assert_eq!(t.len(), 600);
        assert!(crowd.iter().all(|&k| t.contains(k)));
        assert!(!t.contains(601 << 20 | 1023) && !t.contains(0));
        // Growing keeps every key.
        t.insert_all(&(601..=2000u64).map(|i| i << 20 | 1023).collect::<Vec<_>>());
        assert_eq!(t.len(), 2000);
        assert!(t.slots.len() * 5 >= 2000 * 8);
        assert!((1..=2000u64).all(|i| t.contains(i << 20 | 1023)));
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
        keys(10).chain(keys(10)).for_each(|k| d.insert(k));
        assert_eq!(d.count(), 10);
        assert!(d.is_exact());
        // Exactly at the limit: still exact, however the keys wait.
        let mut d = Distinct::default();
        keys(SMALL).for_each(|k| d.insert(k));
        assert!(d.is_exact());
        assert_eq!(d.count(), SMALL);
        // One past it: a sketch, whether or not its batch was inserted yet.
        d.insert(key_of(Kind::CnMobile, b"one more"));
        assert!(!d.is_exact());
        let waiting = d.count();
        keys(100_000).for_each(|k| d.insert(k));
        assert!(!d.is_exact());
        assert!(matches!(d, Distinct::Large(_)));
        assert!((d.count() as f64 - 100_001.0).abs() < 2_000.0);
        // The count does not depend on when the switch was made.
        let mut sketch = Hll::default();
        keys(SMALL).for_each(|k| sketch.insert(k));
        sketch.insert(key_of(Kind::CnMobile, b"one more"));
        assert_eq!(waiting, sketch.estimate());
    }
}
