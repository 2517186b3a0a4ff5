//! Value keys: the 64-bit number distinct counting counts in place of a value.
//!
//! A key is a hash of the value's kind and its normalised bytes (`+86 138 1234 5678` and
//! `13812345678` share one). Keys go into exact sets and into HyperLogLog sketches, and
//! sketches travel between machines in `--sketches` reports, so the function is fixed:
//! [`KEY_VERSION`] names it, and a report whose sketches were keyed by another version is
//! refused by `hegui scan-merge` (the union of sketches keyed differently would count one
//! person twice).
//!
//! Version 2 is a folded 64×64→128-bit multiply over 16-byte blocks (the construction of
//! wyhash and rapidhash, written out here so that no dependency update can change it):
//! about 70 instructions a value on average (names, phones, addresses), where version 1
//! (SipHash-2-4) took about 330. It is not keyed against an adversary, and need not be:
//! keys are never used where an attacker chooses values to collide (a collision could
//! only merge two people in a count, and at 10,000,000 values the chance of any is under
//! 10⁻⁵).

use crate::kind::Kind;

/// The key function's version, written into `--sketches` reports.
pub const KEY_VERSION: u32 = 2;

const SEED: u64 = 0x6865_6775_6921_7363; // "heguI!sc"
const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;

/// The high and low halves of the 128-bit product, folded together by xor.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

/// Bytes `at..at + 8` as a little-endian number.
#[inline]
fn word(v: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(v[at..at + 8].try_into().expect("8 bytes"))
}

/// The bytes from `at` to the end (fewer than 8 of them) as a little-endian number, the
/// missing high bytes zero: the last eight bytes of the value shifted down when it has
/// eight (no copy of a variable length, which would be a call), else byte by byte.
#[inline]
fn tail_word(v: &[u8], at: usize) -> u64 {
    let n = v.len() - at;
    debug_assert!(n < 8);
    if n == 0 {
        return 0;
    }
    match v.last_chunk::<8>() {
        Some(w) => u64::from_le_bytes(*w) >> (8 * (8 - n)),
        None => v[at..].iter().rev().fold(0, |w, &b| w << 8 | u64::from(b)),
    }
}

/// The key of a kind's normalised value: never 0 (0 marks "no key" in hits).
///
/// The function, exactly: with `fold(a, b)` the xor of the two halves of the 128-bit
/// product `a·b`, start from `SEED ^ fold(kind ^ P0, len ^ P1)`; for each whole 16-byte
/// block (two little-endian words `a`, `b`), `h = fold(a ^ P1, b ^ h)`; the last 0–15
/// bytes, zero-padded to two words `a`, `b`, give `h = fold(a ^ P2, b ^ h ^ P0)`; the key
/// is `fold(h ^ P1, h ^ P2)`, or 1 if that is 0.
pub fn key_of(kind: Kind, v: &[u8]) -> u64 {
    // The kind and the length go into the seed: a value padded with zero bytes, or the
    // same bytes of another kind, start from another state.
    let mut h = SEED ^ fold(kind as u64 ^ P0, v.len() as u64 ^ P1);
    let tail = v.len() - v.len() % 16;
    for at in (0..tail).step_by(16) {
        h = fold(word(v, at) ^ P1, word(v, at + 8) ^ h);
    }
    let (lo, hi) = if v.len() - tail >= 8 {
        (word(v, tail), tail_word(v, tail + 8))
    } else {
        (tail_word(v, tail), 0)
    };
    h = fold(lo ^ P2, hi ^ h ^ P0);
    fold(h ^ P1, h ^ P2).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_pinned() {
        // Sketches of reports already written depend on these: a change here needs a new
        // KEY_VERSION.
        assert_eq!(KEY_VERSION, 2);
        let pinned = [
            (
                Kind::CnMobile,
                &b"13812345678"[..],
                0x50f3_ee37_cada_2241_u64,
            ),
            (
                Kind::CnResidentId,
                b"11010119900307651X",
                0x2c87_0e2b_18a2_37cd,
            ),
            (Kind::Email, b"", 0x153b_e8f2_2a9b_f913),
        ];
        for (kind, v, want) in pinned {
            assert_eq!(
                key_of(kind, v),
                want,
                "{kind:?} {}",
                String::from_utf8_lossy(v)
            );
        }
    }

    /// The function as its doc states it, with zero-padded copies.
    fn reference(kind: Kind, v: &[u8]) -> u64 {
        let le = |b: &[u8]| {
            let mut w = [0u8; 8];
            w[..b.len()].copy_from_slice(b);
            u64::from_le_bytes(w)
        };
        let mut h = SEED ^ fold(kind as u64 ^ P0, v.len() as u64 ^ P1);
        let blocks = v.chunks_exact(16);
        let rest = blocks.remainder();
        for b in blocks {
            h = fold(le(&b[..8]) ^ P1, le(&b[8..]) ^ h);
        }
        let (a, b) = rest.split_at(rest.len().min(8));
        h = fold(le(a) ^ P2, le(b) ^ h ^ P0);
        fold(h ^ P1, h ^ P2).max(1)
    }

    #[test]
    fn keys_of_every_length_follow_the_stated_function() {
        let mut rng = crate::rng::Rng::new(5);
        for len in 0..80 {
            for _ in 0..50 {
                let v: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
                assert_eq!(
                    key_of(Kind::Address, &v),
                    reference(Kind::Address, &v),
                    "{v:?}"
                );
            }
        }
    }

    #[test]
    fn kind_length_and_every_byte_change_the_key() {
        let base = key_of(Kind::CnMobile, b"13812345678");
        assert_ne!(base, key_of(Kind::Imei, b"13812345678"));
        assert_ne!(base, key_of(Kind::CnMobile, b"13812345678\0"));
        // Every byte of a 40-byte value, flipped in turn, moves the key (blocks, the tail
        // and its two halves).
        let v: Vec<u8> = (0..40u8).map(|i| b'0' + i % 10).collect();
        let k = key_of(Kind::Address, &v);
        for i in 0..v.len() {
            let mut w = v.clone();
            w[i] ^= 1;
            assert_ne!(k, key_of(Kind::Address, &w), "byte {i}");
        }
    }

    #[test]
    fn a_million_sequential_numbers_have_distinct_well_spread_keys() {
        // Identifiers are mostly sequential digits: their keys must not collide, and
        // every bit of a key must be set about half the time (HyperLogLog reads the top
        // bits as a bucket and counts the rest's leading zeros).
        let n = 1_000_000u32;
        let mut seen = std::collections::HashSet::with_capacity(n as usize);
        let mut ones = [0u32; 64];
        for i in 0..n {
            let k = key_of(Kind::CnMobile, format!("138{i:08}").as_bytes());
            assert!(seen.insert(k), "collision at {i}");
            for (b, c) in ones.iter_mut().enumerate() {
                *c += (k >> b & 1) as u32;
            }
        }
        for (b, c) in ones.iter().enumerate() {
            let share = f64::from(*c) / f64::from(n);
            assert!((0.498..0.502).contains(&share), "bit {b}: {share}");
        }
    }
}
