//! Chinese licence plates: a province character, a capital letter, five or six more.

use super::emit::push;
use crate::hit::Hit;
use crate::kind::{Kind, Likelihood};

pub(crate) const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// Whether place `i` can start a plate's letter: an ASCII capital right after a 3-byte
/// character (lead byte E4–E9, the CJK block) — the byte test [`plate_places`] makes 64
/// places at a time.
pub(crate) fn plate_place(t: &[u8], i: usize) -> bool {
    t[i].is_ascii_uppercase() && (0xE4..=0xE9).contains(&t[i - 3]) && t[i - 1] & 0xC0 == 0x80
}

/// The places `base..base + 64` (bit j for `base + j`) that pass [`plate_place`], of those
/// before the text's last byte. `base` is at least 3.
pub(crate) fn plate_places(t: &[u8], base: usize) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if base + 64 < t.len() {
        // SAFETY: SSE2 is part of the x86-64 baseline; `base - 3 .. base + 64` is in `t`.
        return unsafe { plate_sse2::plate_places(t[base - 3..base + 64].try_into().expect("67")) };
    }
    let end = (base + 64).min(t.len().saturating_sub(1));
    (base..end)
        .filter(|&i| plate_place(t, i))
        .fold(0, |m, i| m | 1 << (i - base))
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod plate_sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8,
        _mm_set1_epi8, _mm_sub_epi8,
    };

    /// [`super::plate_places`] for a whole block: `w` is the block with the three bytes
    /// before it.
    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn plate_places(w: &[u8; 67]) -> u64 {
        // x in lo..=lo+n (unsigned): min(x - lo, n) == x - lo.
        let within = |v: __m128i, lo: u8, n: u8| {
            let x = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
            _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(n as i8)), x)
        };
        let at = |k: usize| {
            // SAFETY: `k + 16 <= 67`; the load is unaligned.
            unsafe { _mm_loadu_si128(w[k..].as_ptr().cast()) }
        };
        let mut m = 0u64;
        for lane in 0..4 {
            let k = 16 * lane;
            let capital = within(at(k + 3), b'A', 25);
            let lead = within(at(k), 0xE4, 5);
            let cont = _mm_cmpeq_epi8(
                _mm_and_si128(at(k + 2), _mm_set1_epi8(0xC0u8 as i8)),
                _mm_set1_epi8(0x80u8 as i8),
            );
            let all = _mm_and_si128(capital, _mm_and_si128(lead, cont));
            m |= u64::from(_mm_movemask_epi8(all) as u16) << k;
        }
        m
    }
}

/// Licence plates: a province abbreviation, a letter (no I/O), an optional `·` or `-`, then
/// five characters (ordinary) or six (new-energy, with D/F first or last).
pub(crate) fn plates(t: &[u8], out: &mut Vec<Hit>) {
    // Anchor on the cheap part: an ASCII capital right after a 3-byte character, found 64
    // places at a time. Only then is the character compared with the province list.
    let mut next = 3; // Places before this are inside a plate already found.
    let mut base = 3;
    while base + 1 < t.len() {
        let mut m = plate_places(t, base);
        while m != 0 {
            let i = base + m.trailing_zeros() as usize;
            m &= m - 1;
            if i >= next {
                if let Some(end) = plate_at(t, i, out) {
                    next = end;
                }
            }
        }
        base += 64;
    }
}

/// The plate whose letter is at `i` (a place [`plate_place`] passes), if there is one:
/// pushed, and its end returned.
pub(crate) fn plate_at(t: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    let letter = t[i];
    let s = i - 3;
    let ch = std::str::from_utf8(&t[s..i]).ok()?;
    if letter == b'I' || letter == b'O' || !PROVINCES.contains(ch) {
        return None;
    }
    let mut j = i + 1;
    if t.get(j..j + 2) == Some(&[0xC2, 0xB7]) {
        j += 2;
    } else if t.get(j) == Some(&b'-') {
        j += 1;
    }
    let tail_start = j;
    while j < t.len()
        && (t[j].is_ascii_digit() || t[j].is_ascii_uppercase())
        && t[j] != b'I'
        && t[j] != b'O'
    {
        j += 1;
    }
    let tail = &t[tail_start..j];
    if t.get(j).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let digits = tail.iter().filter(|b| b.is_ascii_digit()).count();
    let ok = match tail.len() {
        5 => digits >= 3,
        6 => {
            let (f, l) = (tail[0], tail[5]);
            (matches!(f, b'D' | b'F') && tail[1..].iter().all(u8::is_ascii_digit))
                || (matches!(l, b'D' | b'F') && tail[..5].iter().all(u8::is_ascii_digit))
        }
        _ => false,
    };
    if !ok {
        return None;
    }
    let norm: Vec<u8> = [&t[s..s + 3], &[letter][..], tail].concat();
    push(out, Kind::CnLicensePlate, s, j, Likelihood::Likely, &norm);
    Some(j)
}
