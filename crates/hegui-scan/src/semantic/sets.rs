//! Sets of CJK characters as compile-time bitmaps, and the sets the detectors test.

use super::lexicon::SURNAMES;

pub(crate) static SURNAME_SET: CjkSet = CjkSet::of(SURNAMES);
/// The first characters of [`COMPOUND`] (a test keeps the two in step).
pub(crate) const COMPOUND_FIRSTS: &str = "欧司上诸东皇尉公慕长宇夏轩令钟闻澹宗濮太端赫申万独南西百";
pub(crate) static COMPOUND_FIRST_SET: CjkSet = CjkSet::of(COMPOUND_FIRSTS);

/// A set of CJK Unified Ideographs (U+4E00–U+9FFF) as a bitmap, built at compile time
/// from a list of characters: one bit test instead of comparing with every character of
/// the list (the surname list has over 400).
pub(crate) struct CjkSet(pub(crate) [u64; CjkSet::WORDS]);

impl CjkSet {
    pub(crate) const FIRST: u32 = 0x4E00;
    pub(crate) const WORDS: usize = (0xA000 - 0x4E00) / 64;
    pub(crate) const EMPTY: CjkSet = CjkSet([0; CjkSet::WORDS]);

    /// Adds a 3-byte character (one of the block: see [`cjk`]).
    pub(crate) fn insert(&mut self, c: &[u8]) {
        let k = CjkSet::code_point(c[0], c[1], c[2])
            .checked_sub(CjkSet::FIRST)
            .expect("a CJK unified ideograph") as usize;
        self.0[k / 64] |= 1 << (k % 64);
    }

    pub(crate) const fn of(list: &str) -> CjkSet {
        CjkSet::first(list, usize::MAX)
    }

    /// The set of the first `n` characters of a list.
    pub(crate) const fn first(list: &str, n: usize) -> CjkSet {
        let b = list.as_bytes();
        let mut words = [0u64; CjkSet::WORDS];
        let mut i = 0;
        while i < b.len() && i / 3 < n {
            assert!(i + 3 <= b.len(), "a list of 3-byte characters");
            let cp = CjkSet::code_point(b[i], b[i + 1], b[i + 2]);
            assert!(
                cp >= CjkSet::FIRST && cp < 0xA000,
                "a CJK unified ideograph"
            );
            let k = (cp - CjkSet::FIRST) as usize;
            words[k / 64] |= 1 << (k % 64);
            i += 3;
        }
        CjkSet(words)
    }

    pub(crate) const fn code_point(a: u8, b: u8, c: u8) -> u32 {
        ((a as u32) & 0x0F) << 12 | ((b as u32) & 0x3F) << 6 | (c as u32) & 0x3F
    }

    /// Whether a 3-byte UTF-8 character is in the set.
    pub(crate) fn has(&self, c: &[u8]) -> bool {
        let [a, b, c] = c else {
            return false;
        };
        let Some(k) = Self::code_point(*a, *b, *c).checked_sub(Self::FIRST) else {
            return false;
        };
        let k = k as usize;
        k < Self::WORDS * 64 && self.0[k / 64] >> (k % 64) & 1 == 1
    }
}

/// The position of each character of a short list (under 255) of CJK Unified Ideographs,
/// as a table indexed by code point, built at compile time: the slot of a character in
/// one load.
pub(crate) struct CjkSlots(pub(crate) [u8; CjkSet::WORDS * 64]);

impl CjkSlots {
    pub(crate) const fn of(list: &str) -> CjkSlots {
        let b = list.as_bytes();
        assert!(b.len() / 3 < 255, "a short list");
        let mut slots = [0u8; CjkSet::WORDS * 64];
        let mut i = 0;
        while i + 3 <= b.len() {
            let cp = CjkSet::code_point(b[i], b[i + 1], b[i + 2]);
            assert!(
                cp >= CjkSet::FIRST && cp < 0xA000,
                "a CJK unified ideograph"
            );
            // 0 is "not in the list"; slots are stored one up.
            slots[(cp - CjkSet::FIRST) as usize] = (i / 3 + 1) as u8;
            i += 3;
        }
        CjkSlots(slots)
    }

    /// The position in the list of a 3-byte UTF-8 character, if it is there.
    pub(crate) fn get(&self, c: &[u8]) -> Option<usize> {
        let [a, b, c] = c else {
            return None;
        };
        let k = CjkSet::code_point(*a, *b, *c).checked_sub(CjkSet::FIRST)? as usize;
        let slot = *self.0.get(k)?;
        (slot > 0).then(|| usize::from(slot) - 1)
    }
}

/// The CJK character starting at `i` (3 bytes, U+4E00–U+9FFF), if any, as its bytes.
pub(crate) fn cjk(t: &[u8], i: usize) -> Option<&[u8]> {
    let c = t.get(i..i + 3)?;
    ((0xE4..=0xE9).contains(&c[0]) && c[1] & 0xC0 == 0x80 && c[2] & 0xC0 == 0x80).then_some(c)
}
