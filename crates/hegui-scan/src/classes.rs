//! The classes of a text's bytes that the scanners start from, as bit masks, made in one
//! pass over the text.
//!
//! The digit-run scanner needs to know where digits, `*`, `.`, spaces and dashes and `(`
//! are; the semantic pass where line breaks, bytes of non-ASCII characters and the letters
//! of ASCII keywords are. Each 64-byte block of the text becomes eight 64-bit masks (bit j
//! for byte j), all from one load of the block: with AVX-512 one compare gives a whole
//! mask, with AVX2 two, with SSE2 (every x86-64 CPU) four. The instruction set is chosen
//! once per text, at run time, so one binary runs on any x86-64 CPU and uses what it has.
//! Every implementation is tested against the byte-by-byte definition.

use crate::semantic::{Facts, ASCII_KEYS};

/// The masks of one 64-byte block (bit j for byte j of the block).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Masks {
    /// Digits and `*` (the bytes of digit runs and of masked values).
    pub runs: u64,
    pub stars: u64,
    /// `.`, which joins dotted quads and coordinates.
    pub dots: u64,
    /// Space and `-`, which join digit groups.
    pub spaces_dashes: u64,
    /// `(`, which opens an area code.
    pub parens: u64,
    pub newlines: u64,
    /// Bytes of non-ASCII characters (0x80 and up).
    pub high: u64,
    /// The [`ASCII_KEYS`] letters, in either case.
    pub keys: u64,
}

/// A text's masks, block by block. Bytes past the text's end are in no class.
#[derive(Debug, Default)]
pub(crate) struct Classes {
    blocks: Vec<Masks>,
}

impl Classes {
    /// Reads a text's classes (replacing those of the text before).
    pub(crate) fn load(&mut self, t: &[u8]) {
        self.blocks.clear();
        self.blocks.reserve(t.len().div_ceil(64));
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512bw") {
                // SAFETY: the CPU has AVX-512BW (and so AVX-512F), checked just now.
                return unsafe { x86::avx512(t, &mut self.blocks) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just now.
                return unsafe { x86::avx2(t, &mut self.blocks) };
            }
            // SAFETY: SSE2 is part of the x86-64 baseline.
            unsafe { x86::sse2(t, &mut self.blocks) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        each_block(t, &mut self.blocks, portable);
    }

    /// The masks of the 64 bytes from `at` (any place, not only a block's start).
    #[inline]
    pub(crate) fn at(&self, at: usize) -> Masks {
        let (q, r) = (at / 64, at % 64);
        let block = |i: usize| self.blocks.get(i).copied().unwrap_or_default();
        if r == 0 {
            return block(q);
        }
        let (lo, hi) = (block(q), block(q + 1));
        let join = |l: u64, h: u64| l >> r | h << (64 - r);
        Masks {
            runs: join(lo.runs, hi.runs),
            stars: join(lo.stars, hi.stars),
            dots: join(lo.dots, hi.dots),
            spaces_dashes: join(lo.spaces_dashes, hi.spaces_dashes),
            parens: join(lo.parens, hi.parens),
            newlines: join(lo.newlines, hi.newlines),
            high: join(lo.high, hi.high),
            keys: join(lo.keys, hi.keys),
        }
    }

    /// The [`Facts`] of bytes `start..end`: a few mask tests over the blocks they span,
    /// where the word tests cost a few operations per byte of every cell.
    #[inline]
    pub(crate) fn facts(&self, start: usize, end: usize) -> Facts {
        if start >= end {
            return Facts::from_masks(0, 0, 0);
        }
        let (first, last) = (start / 64, (end - 1) / 64);
        let head = u64::MAX << (start % 64);
        let tail = u64::MAX >> (63 - (end - 1) % 64);
        let m = &self.blocks[first];
        let keep = if first == last { head & tail } else { head };
        let (mut n, mut h, mut k) = (m.newlines & keep, m.high & keep, m.keys & keep);
        if first < last {
            // A cell over more than one block (rare: most are short).
            for m in &self.blocks[first + 1..last] {
                (n, h, k) = (n | m.newlines, h | m.high, k | m.keys);
            }
            let m = &self.blocks[last];
            (n, h, k) = (n | m.newlines & tail, h | m.high & tail, k | m.keys & tail);
        }
        Facts::from_masks(n, h, k)
    }

    /// The first byte at or after `from` that is a line break, a byte of a non-ASCII
    /// character or a key letter (`usize::MAX` when none is): a cell ending at or before it
    /// can hold no anchor. Cells are passed over a block of 64 bytes at a time instead of
    /// one test each.
    #[inline]
    pub(crate) fn next_anchorable(&self, from: usize) -> usize {
        let mut b = from / 64;
        let mut keep = u64::MAX << (from % 64);
        while let Some(m) = self.blocks.get(b) {
            let any = (m.newlines | m.high | m.keys) & keep;
            if any != 0 {
                return b * 64 + any.trailing_zeros() as usize;
            }
            b += 1;
            keep = u64::MAX;
        }
        usize::MAX
    }
}

/// Classifies a text block by block with `block`, the last block padded with zeros (a zero
/// byte is in no class).
#[inline(always)]
fn each_block(t: &[u8], out: &mut Vec<Masks>, block: impl Fn(&[u8; 64]) -> Masks) {
    let whole = t.chunks_exact(64);
    let rest = whole.remainder();
    out.extend(whole.map(|b| block(b.try_into().expect("64 bytes"))));
    if !rest.is_empty() {
        let mut padded = [0u8; 64];
        padded[..rest.len()].copy_from_slice(rest);
        out.push(block(&padded));
    }
}

/// One block, a byte at a time: the definition the vector versions are tested against.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn portable(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (j, &b) in block.iter().enumerate() {
        let bit = |on: bool| u64::from(on) << j;
        m.runs |= bit(b.is_ascii_digit() || b == b'*');
        m.stars |= bit(b == b'*');
        m.dots |= bit(b == b'.');
        m.spaces_dashes |= bit(b == b' ' || b == b'-');
        m.parens |= bit(b == b'(');
        m.newlines |= bit(b == b'\n');
        m.high |= bit(b >= 0x80);
        m.keys |= bit(ASCII_KEYS.contains(&(b | 0x20)));
    }
    m
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{each_block, Masks, ASCII_KEYS};

    /// 64 bytes per compare: each class is one mask register.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) fn avx512(t: &[u8], out: &mut Vec<Masks>) {
        each_block(t, out, |block| {
            // SAFETY: `block` is 64 readable bytes; the load is unaligned.
            let v = unsafe { _mm512_loadu_si512(block.as_ptr().cast()) };
            let eq = |b: u8| _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b as i8));
            // b - '0' as unsigned is below 10 exactly for digits.
            let digit = _mm512_cmplt_epu8_mask(
                _mm512_sub_epi8(v, _mm512_set1_epi8(b'0' as i8)),
                _mm512_set1_epi8(10),
            );
            // Setting bit 5 folds each capital onto its small letter, and no other byte.
            let folded = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
            let key = |k: u8| _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8(k as i8));
            let stars = eq(b'*');
            Masks {
                runs: digit | stars,
                stars,
                dots: eq(b'.'),
                spaces_dashes: eq(b' ') | eq(b'-'),
                parens: eq(b'('),
                newlines: eq(b'\n'),
                high: _mm512_movepi8_mask(v),
                keys: key(ASCII_KEYS[0]) | key(ASCII_KEYS[1]) | key(ASCII_KEYS[2]),
            }
        })
    }

    /// 32 bytes per compare.
    #[target_feature(enable = "avx2")]
    pub(super) fn avx2(t: &[u8], out: &mut Vec<Masks>) {
        each_block(t, out, |block| {
            let mut m = Masks::default();
            for (k, lane) in block.chunks_exact(32).enumerate() {
                // SAFETY: `lane` is 32 readable bytes; the load is unaligned.
                let v = unsafe { _mm256_loadu_si256(lane.as_ptr().cast()) };
                let bits = |x: __m256i| u64::from(_mm256_movemask_epi8(x) as u32) << (32 * k);
                let eq = |b: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b as i8));
                let x = _mm256_sub_epi8(v, _mm256_set1_epi8(b'0' as i8));
                let digit = _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(9)), x);
                let folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
                let key = |k: u8| _mm256_cmpeq_epi8(folded, _mm256_set1_epi8(k as i8));
                let star = eq(b'*');
                m.runs |= bits(_mm256_or_si256(digit, star));
                m.stars |= bits(star);
                m.dots |= bits(eq(b'.'));
                m.spaces_dashes |= bits(_mm256_or_si256(eq(b' '), eq(b'-')));
                m.parens |= bits(eq(b'('));
                m.newlines |= bits(eq(b'\n'));
                m.high |= bits(v);
                let keys = _mm256_or_si256(
                    _mm256_or_si256(key(ASCII_KEYS[0]), key(ASCII_KEYS[1])),
                    key(ASCII_KEYS[2]),
                );
                m.keys |= bits(keys);
            }
            m
        })
    }

    /// 16 bytes per compare (every x86-64 CPU).
    #[target_feature(enable = "sse2")]
    pub(super) fn sse2(t: &[u8], out: &mut Vec<Masks>) {
        each_block(t, out, |block| {
            let mut m = Masks::default();
            for (k, lane) in block.chunks_exact(16).enumerate() {
                // SAFETY: `lane` is 16 readable bytes; the load is unaligned.
                let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
                let bits = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16) << (16 * k);
                let eq = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
                let x = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
                let digit = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(9)), x);
                let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
                let key = |k: u8| _mm_cmpeq_epi8(folded, _mm_set1_epi8(k as i8));
                let star = eq(b'*');
                m.runs |= bits(_mm_or_si128(digit, star));
                m.stars |= bits(star);
                m.dots |= bits(eq(b'.'));
                m.spaces_dashes |= bits(_mm_or_si128(eq(b' '), eq(b'-')));
                m.parens |= bits(eq(b'('));
                m.newlines |= bits(eq(b'\n'));
                m.high |= bits(v);
                let keys = _mm_or_si128(
                    _mm_or_si128(key(ASCII_KEYS[0]), key(ASCII_KEYS[1])),
                    key(ASCII_KEYS[2]),
                );
                m.keys |= bits(keys);
            }
            m
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every implementation this CPU can run, by name.
    #[allow(clippy::type_complexity)]
    fn implementations() -> Vec<(&'static str, Box<dyn Fn(&[u8], &mut Vec<Masks>)>)> {
        let mut all: Vec<(&'static str, Box<dyn Fn(&[u8], &mut Vec<Masks>)>)> = vec![(
            "portable",
            Box::new(|t: &[u8], out: &mut Vec<Masks>| each_block(t, out, portable)),
        )];
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY (each): the CPU has the instruction set, checked first.
            all.push(("sse2", Box::new(|t, out| unsafe { x86::sse2(t, out) })));
            if std::arch::is_x86_feature_detected!("avx2") {
                all.push(("avx2", Box::new(|t, out| unsafe { x86::avx2(t, out) })));
            }
            if std::arch::is_x86_feature_detected!("avx512bw") {
                all.push(("avx512", Box::new(|t, out| unsafe { x86::avx512(t, out) })));
            }
        }
        all
    }

    #[test]
    fn every_implementation_classifies_every_byte_in_every_place_as_the_definition() {
        let impls = implementations();
        for b in 0..=255u8 {
            for at in 0..64 {
                let mut block = [b'x'; 64];
                block[at] = b;
                let want = portable(&block);
                assert_eq!(
                    want.runs >> at & 1,
                    u64::from(b.is_ascii_digit() || b == b'*')
                );
                for (name, classify) in &impls {
                    let mut got = Vec::new();
                    classify(&block, &mut got);
                    assert_eq!(got, [want], "{name}: byte {b:#x} at {at}");
                }
            }
        }
    }

    #[test]
    fn texts_of_any_length_are_padded_and_masks_read_from_any_place() {
        let mut rng = crate::rng::Rng::new(41);
        let bytes = b"0123456789*.- (\nbvNx\xe4\x80a";
        for _ in 0..300 {
            let len = rng.below(300) as usize;
            let t: Vec<u8> = (0..len)
                .map(|_| bytes[rng.below(bytes.len() as u64) as usize])
                .collect();
            let mut c = Classes::default();
            c.load(&t);
            assert_eq!(c.blocks.len(), len.div_ceil(64));
            for at in 0..len + 70 {
                // The masks of `at..at + 64`, the bytes past the end as zeros.
                let mut window = [0u8; 64];
                for (j, w) in window.iter_mut().enumerate() {
                    *w = t.get(at + j).copied().unwrap_or(0);
                }
                assert_eq!(c.at(at), portable(&window), "{t:?} at {at}");
            }
        }
    }

    #[test]
    fn facts_of_ranges_agree_with_the_word_tests() {
        let mut rng = crate::rng::Rng::new(23);
        let bytes = b"aBvNx1 ,\n\xe4\x80\x7f\x00\xc2";
        let mut c = Classes::default();
        for _ in 0..2_000 {
            let len = rng.below(300) as usize;
            let t: Vec<u8> = (0..len).map(|_| bytes[rng.below(14) as usize]).collect();
            c.load(&t);
            for _ in 0..20 {
                let a = rng.below(len as u64 + 1) as usize;
                let b = a + rng.below((len - a) as u64 + 1) as usize;
                assert_eq!(c.facts(a, b), Facts::of(&t[a..b]), "{:?}", &t[a..b]);
            }
        }
    }

    #[test]
    fn the_next_anchorable_byte_is_the_first_that_a_cell_test_would_see() {
        let mut rng = crate::rng::Rng::new(29);
        let rare = b"vN\n\xe4\x80";
        let mut c = Classes::default();
        for _ in 0..3_000 {
            // Mostly plain bytes, so that whole blocks hold nothing to anchor.
            let len = rng.below(400) as usize;
            let odds = 1 + rng.below(200);
            let t: Vec<u8> = (0..len)
                .map(|_| match rng.below(odds) {
                    0 => rare[rng.below(rare.len() as u64) as usize],
                    _ => b"x1 ,A"[rng.below(5) as usize],
                })
                .collect();
            c.load(&t);
            for from in 0..=len + 70 {
                let want = (from..len)
                    .find(|&i| !Facts::of(&t[i..i + 1]).nothing_to_anchor())
                    .unwrap_or(usize::MAX);
                assert_eq!(c.next_anchorable(from), want, "{t:?} from {from}");
            }
        }
    }
}
