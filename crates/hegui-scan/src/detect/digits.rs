//! Digit runs: identity numbers, phones, landlines, cards, passports and permits, IPv4
//! quads, IMEIs and GPS pairs, found from SSE2 masks of 64 bytes at a time.

use super::emit::{is_alnum, push, push_masked};
use crate::hit::{Hit, Options};
use crate::kind::{Kind, KindSet, Likelihood};
use crate::validate::{card, id_card, luhn, phone};

/// Maximal runs of digits (and, for masked values, `*`), with the separated groups that
/// phones and cards are written in, dotted quads and decimal pairs.
/// Whether a byte starts or continues a digit run (digits and the `*` of masked values).
#[cfg(test)]
pub(crate) fn is_run_byte(b: u8) -> bool {
    b.is_ascii_digit() || b == b'*'
}

pub(crate) fn digit_runs(t: &[u8], opts: &Options, out: &mut Vec<Hit>) {
    let rule = RunRule::for_kinds(opts.kinds);
    let mut runs = Runs::new(t, rule);
    while let Some((start, digits_end)) = runs.next() {
        // A trailing X/x belongs to an 18-character identity number.
        let mut end = digits_end;
        if end - start == 17 && end < t.len() && (t[end] | 0x20) == b'x' {
            end += 1;
        }
        let before = start.checked_sub(1).map(|p| t[p]);
        let after = t.get(end).copied();
        let stars = runs.stars_in(start, digits_end);
        if stars == 0 && end - start < rule.shortest && !rule.joinable(before, after) {
            // Most digit runs in real text (times, counters, hex ids) end here.
            continue;
        }
        let run = &t[start..end];
        if stars == run.len() {
            continue;
        }
        if stars > 0 {
            masked_run(run, start, end, before, after, out);
            continue;
        }
        // Letters glued before the digits: documents (E12345678), or part of a hash.
        if let Some(b) = before {
            if b.is_ascii_alphabetic() {
                document(t, start, end, out);
                continue;
            }
        }
        if after.is_some_and(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        if (after == Some(b'.') || before == Some(b'.')) && dotted(t, start, out) {
            continue;
        }
        if grouped(t, start, end, before, out) {
            // Skip the groups consumed.
            runs.skip_to(out.last().map(|h| h.end.max(end)).unwrap_or(end));
            continue;
        }
        plain_digits(run, start, end, before, opts, out);
    }
}

/// Runs of digits and `*` in a text, found 64 bytes at a time: each block becomes bit masks
/// (one compare per byte, which the compiler turns into vector instructions), short runs
/// that nothing can join (see [`RunRule`]) are cleared from the masks with bit arithmetic,
/// and the rest are read off with bit counts instead of a branch per byte.
pub(crate) struct Runs<'a> {
    pub(crate) t: &'a [u8],
    pub(crate) rule: RunRule,
    /// Where the current block starts, and the bytes of its runs worth returning (long,
    /// masked, next to a joining byte, or at a block edge, whose neighbours are in another
    /// block) not yet returned.
    pub(crate) base: usize,
    pub(crate) mask: u64,
    /// Whether the current block holds a `*` (rare; runs are then counted byte by byte).
    pub(crate) star: bool,
}

impl<'a> Runs<'a> {
    pub(crate) fn new(t: &'a [u8], rule: RunRule) -> Self {
        let mut r = Runs {
            t,
            rule,
            base: 0,
            mask: 0,
            star: false,
        };
        r.load(0);
        r
    }

    /// Makes the block starting at `base` current.
    pub(crate) fn load(&mut self, base: usize) {
        self.base = base;
        let rest = self.t.get(base..).unwrap_or_default();
        let b = if rest.len() >= 64 {
            block_mask(rest[..64].try_into().expect("64 bytes"))
        } else {
            let mut padded = [0u8; 64];
            padded[..rest.len()].copy_from_slice(rest);
            block_mask(&padded)
        };
        // Bit 0 and bit 63 have neighbours in other blocks, when there are such blocks.
        let edges = u64::from(base > 0) | u64::from(rest.len() > 64) << 63;
        let seeds = self.rule.seeds(&b, edges);
        // Most blocks of real text have nothing worth visiting.
        self.mask = if seeds == 0 {
            0
        } else {
            runs_touching(b.runs, seeds)
        };
        self.star = b.stars != 0;
    }

    /// The next run's start and end (exclusive).
    pub(crate) fn next(&mut self) -> Option<(usize, usize)> {
        while self.mask == 0 {
            if self.base + 64 >= self.t.len() {
                return None;
            }
            self.load(self.base + 64);
        }
        let rel = self.mask.trailing_zeros();
        let start = self.base + rel as usize;
        let ones = (self.mask >> rel).trailing_ones();
        if rel + ones < 64 {
            self.mask &= !(((1u64 << ones) - 1) << rel);
            return Some((start, start + ones as usize));
        }
        Some((start, self.run_on()))
    }

    /// Follows a run that reaches the block's end into the next blocks; returns its end.
    pub(crate) fn run_on(&mut self) -> usize {
        loop {
            if self.base + 64 >= self.t.len() {
                self.mask = 0;
                return self.t.len();
            }
            let star_before = self.star;
            self.load(self.base + 64);
            self.star |= star_before;
            let k = self.mask.trailing_ones();
            if k < 64 {
                self.mask &= !((1u64 << k) - 1);
                return self.base + k as usize;
            }
        }
    }

    /// Resumes the search at `i` (after tokens a detector consumed).
    pub(crate) fn skip_to(&mut self, i: usize) {
        if i < self.base + 64 && i >= self.base {
            let off = i - self.base;
            self.mask &= !((1u64 << off) - 1);
        } else {
            self.load(i);
        }
    }

    /// The `*` bytes in `start..end` (zero without looking when the block has none).
    pub(crate) fn stars_in(&self, start: usize, end: usize) -> usize {
        if !self.star {
            return 0;
        }
        self.t[start..end].iter().filter(|&&b| b == b'*').count()
    }
}

/// The bits of `m` that start `len` set bits in a row (bit j: bits j..j+len all set), in
/// a few shifts: the binary digits of `len` combine runs of 1, 2, 4, 8 … ones.
pub(crate) fn starts_of_ones(m: u64, len: usize) -> u64 {
    let mut starts = u64::MAX;
    let mut covered = 0u32;
    let mut pow = m; // Starts of `step` ones.
    let mut step = 1u32;
    let mut rest = len;
    while rest > 0 {
        if rest & 1 == 1 {
            starts &= pow.checked_shr(covered).unwrap_or(0);
            covered += step;
        }
        rest >>= 1;
        if rest > 0 {
            pow &= pow.checked_shr(step).unwrap_or(0);
            step *= 2;
        }
    }
    starts
}

/// The runs (maximal groups of adjacent set bits) of `m` that hold at least one bit of
/// `seeds`. Upwards, one addition: adding a seed to its run carries through the run's bits
/// above it, clearing them (and sets the zero bit above the run, outside `m`); downwards
/// the seeds are spread within their runs in six doubling steps.
pub(crate) fn runs_touching(m: u64, seeds: u64) -> u64 {
    let s = seeds & m;
    let up = (m & !m.wrapping_add(s)) | s;
    let (mut down, mut h) = (s, m);
    for k in [1, 2, 4, 8, 16, 32] {
        down |= (down >> k) & h;
        h &= h >> k;
    }
    up | down
}

/// The bit masks of one 64-byte block (bit j for byte j).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct BlockMasks {
    /// Digits and `*`.
    pub(crate) runs: u64,
    pub(crate) stars: u64,
    /// `.`, which joins dotted quads and coordinates.
    pub(crate) dots: u64,
    /// Space and `-`, which join digit groups.
    pub(crate) spaces_dashes: u64,
    /// `(`, which opens an area code.
    pub(crate) parens: u64,
}

#[inline]
pub(crate) fn block_mask(block: &[u8; 64]) -> BlockMasks {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline; every x86-64 CPU has it. (AVX2,
        // tried, was no faster: a function with it cannot be inlined here.)
        unsafe { sse2::block_mask(block) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block_mask_portable(block)
    }
}

/// [`block_mask`] one byte at a time (other architectures, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn block_mask_portable(block: &[u8; 64]) -> BlockMasks {
    let mut m = BlockMasks::default();
    for (j, &b) in block.iter().enumerate() {
        let bit = |on: bool| u64::from(on) << j;
        m.runs |= bit(b.is_ascii_digit() || b == b'*');
        m.stars |= bit(b == b'*');
        m.dots |= bit(b == b'.');
        m.spaces_dashes |= bit(b == b' ' || b == b'-');
        m.parens |= bit(b == b'(');
    }
    m
}

/// SSE2 (every x86-64 CPU has it): 16 bytes per compare, one movemask per 16 bits.
#[cfg(target_arch = "x86_64")]
pub(crate) mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_sub_epi8,
    };

    use super::BlockMasks;

    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn block_mask(block: &[u8; 64]) -> BlockMasks {
        let mut m = BlockMasks::default();
        let eq = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let bits = |v: __m128i, k: usize| u64::from(_mm_movemask_epi8(v) as u16) << (16 * k);
        for (k, lane) in block.chunks_exact(16).enumerate() {
            // SAFETY: `lane` is 16 readable bytes; the load is unaligned.
            let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
            // b - '0' as unsigned is below 10 exactly for digits: min(x, 9) == x.
            let x = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            let digit = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(9)), x);
            let star = eq(v, b'*');
            m.runs |= bits(_mm_or_si128(digit, star), k);
            m.stars |= bits(star, k);
            m.dots |= bits(eq(v, b'.'), k);
            m.spaces_dashes |= bits(_mm_or_si128(eq(v, b' '), eq(v, b'-')), k);
            m.parens |= bits(eq(v, b'('), k);
        }
        m
    }
}

/// Which digit runs [`digit_runs`] must look at, from the kinds that are on. Every other
/// run is skipped without changing what is found: it could only have produced hits of kinds
/// that are off, or none at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunRule {
    /// The fewest digits of anything found in a run by itself (documents have 7 after their
    /// letters, mobiles 11, cards 13, identity numbers and IMEIs 15); shorter runs only
    /// matter as parts of a larger token.
    pub(crate) shortest: usize,
    /// `.` joins runs into dotted quads and coordinates.
    pub(crate) dots: bool,
    /// A space or `-` joins runs into groups (`138 1234 5678`, `010-12345678`).
    pub(crate) groups: bool,
    /// `(` before a run opens an area code (`(010) 12345678`).
    pub(crate) paren: bool,
}

impl RunRule {
    /// Every digit kind on (the rule the tests hold narrower rules against).
    #[cfg(test)]
    pub(crate) const ALL: RunRule = RunRule {
        shortest: 7,
        dots: true,
        groups: true,
        paren: true,
    };

    pub(crate) fn for_kinds(on: KindSet) -> RunRule {
        let alone: [(Kind, usize); 8] = [
            (Kind::CnPassport, 7),
            (Kind::HkMacauTravelPermit, 7),
            (Kind::MainlandTravelPermit, 7),
            (Kind::CnMobile, 11),
            (Kind::BankCard, 13),
            (Kind::CnResidentId, 15),
            (Kind::Imei, 15),
            // Nothing else is found in a run alone: a cap on the mask arithmetic.
            (Kind::CnLandline, 64),
        ];
        let shortest = alone
            .iter()
            .filter(|(k, _)| on.contains(*k))
            .map(|&(_, n)| n)
            .min()
            .unwrap_or(64);
        RunRule {
            shortest,
            dots: on.any(&[Kind::Ipv4, Kind::GpsCoordinate]),
            groups: on.any(&[Kind::CnMobile, Kind::BankCard, Kind::CnLandline]),
            paren: on.contains(Kind::CnLandline),
        }
    }

    /// Whether a short run may be part of a larger token: digits joined by a dot, a space
    /// or a dash, or a parenthesised area code.
    pub(crate) fn joinable(self, before: Option<u8>, after: Option<u8>) -> bool {
        (self.dots && after == Some(b'.'))
            || (self.groups && matches!(after, Some(b' ' | b'-')))
            || (self.paren && before == Some(b'('))
    }

    /// The bits of a block's runs worth visiting: long runs, masked ones, runs joined to a
    /// following run, runs after `(`, and runs at the block's `edges` (bit 0 and/or 63 when
    /// there is a block before and/or after), whose neighbours are in another block. Whole
    /// runs are then recovered from these seeds with [`runs_touching`].
    ///
    /// A dot joins when a run byte follows it (`1.2.3.4`). A space or dash joins only when
    /// three run bytes follow it: the second group of every grouped shape has at least three
    /// digits (`+86 138 …`, `138 1234 5678`, `6222 0212 …`, `010-1234567`), so the dates
    /// and times of log lines (`2026-03-08 17:55`) are not visited.
    pub(crate) fn seeds(self, b: &BlockMasks, edges: u64) -> u64 {
        let m = b.runs;
        // Run bytes `k` places after each bit (bytes in the next block count as such).
        let later = |k: u32| {
            m >> k
                | if edges >> 63 == 1 {
                    u64::MAX << (64 - k)
                } else {
                    0
                }
        };
        let before = m << 1 | edges & 1;
        let mut joined = 0;
        if self.dots {
            joined |= b.dots & before & later(1);
        }
        if self.groups {
            joined |= b.spaces_dashes & before & later(1) & later(2) & later(3);
        }
        let mut seeds = b.stars | starts_of_ones(m, self.shortest) | m & (joined >> 1) | m & edges;
        if self.paren {
            seeds |= m & (b.parens << 1);
        }
        seeds
    }
}

/// A run of digits alone: identity numbers, mobiles (with +86/0086), cards, IMEIs.
pub(crate) fn plain_digits(
    run: &[u8],
    start: usize,
    end: usize,
    before: Option<u8>,
    opts: &Options,
    out: &mut Vec<Hit>,
) {
    let n = run.len();
    let plus = before == Some(b'+');
    match n {
        18 if id_card::check18(run, opts.today) == id_card::IdCheck::Valid => {
            let mut norm = run.to_vec();
            norm[17] = norm[17].to_ascii_uppercase();
            push(
                out,
                Kind::CnResidentId,
                start,
                end,
                Likelihood::Likely,
                &norm,
            );
        }
        15 if id_card::check15(run, opts.today) == id_card::IdCheck::Valid => {
            push(
                out,
                Kind::CnResidentId,
                start,
                end,
                Likelihood::Possible,
                run,
            );
            // Some IMEIs pass the first-generation checks too: offer both, context decides.
            if luhn::valid(run) {
                push(out, Kind::Imei, start, end, Likelihood::Unlikely, run);
            }
        }
        11 if phone::mobile_prefix_ok(run) => {
            push(out, Kind::CnMobile, start, end, Likelihood::Likely, run)
        }
        13 if plus && run.starts_with(b"86") && phone::mobile_prefix_ok(&run[2..]) => {
            push(
                out,
                Kind::CnMobile,
                start - 1,
                end,
                Likelihood::Likely,
                &run[2..],
            );
        }
        15 if run.starts_with(b"0086") && phone::mobile_prefix_ok(&run[4..]) => {
            push(
                out,
                Kind::CnMobile,
                start,
                end,
                Likelihood::Likely,
                &run[4..],
            );
        }
        15 if luhn::valid(run) => push(out, Kind::Imei, start, end, Likelihood::Unlikely, run),
        _ => {}
    }
    if (13..=19).contains(&n)
        && card::valid(run)
        && !out.last().is_some_and(|h| h.start <= start && h.end >= end)
    {
        let lk = if card::network(run) == Some("unionpay") {
            Likelihood::Likely
        } else {
            Likelihood::Possible
        };
        push(out, Kind::BankCard, start, end, lk, run);
    }
}

/// Digit groups joined by single spaces or dashes: `138 1234 5678`, `6222 0212 3456 7890`,
/// `010-12345678`, `(0755) 1234567`.
pub(crate) fn grouped(
    t: &[u8],
    start: usize,
    end: usize,
    before: Option<u8>,
    out: &mut Vec<Hit>,
) -> bool {
    let parenthesised = before == Some(b'(') && t[start] == b'0';
    let separated =
        end + 1 < t.len() && (t[end] == b' ' || t[end] == b'-') && t[end + 1].is_ascii_digit();
    if !parenthesised && !separated {
        return false;
    }
    // At most six groups and 24 digits (a 19-digit card with +86-like prefixes fits):
    // fixed arrays, no allocation on this hot path.
    let mut groups = [(0usize, 0usize); 6];
    groups[0] = (start, end);
    let mut n = 1;
    let mut j = end;
    while j + 1 < t.len() && (t[j] == b' ' || t[j] == b'-') && t[j + 1].is_ascii_digit() {
        let s = j + 1;
        let mut e = s;
        while e < t.len() && t[e].is_ascii_digit() {
            e += 1;
        }
        if (e < t.len() && is_alnum(t[e])) || n == groups.len() {
            return false;
        }
        groups[n] = (s, e);
        n += 1;
        j = e;
    }
    let groups = &groups[..n];
    // Landline with parentheses: (0755)12345678 or (010) 12345678.
    if before == Some(b'(') && t[start] == b'0' {
        let close = end;
        if t.get(close) == Some(&b')') {
            let mut s = close + 1;
            if t.get(s) == Some(&b' ') {
                s += 1;
            }
            let mut e = s;
            while e < t.len() && t[e].is_ascii_digit() {
                e += 1;
            }
            if landline(&t[start + 1..end], &t[s..e]) && !t.get(e).is_some_and(|&b| is_alnum(b)) {
                let norm = [&t[start..end], &t[s..e]].concat();
                push(
                    out,
                    Kind::CnLandline,
                    start - 1,
                    e,
                    Likelihood::Possible,
                    &norm,
                );
                return true;
            }
        }
    }
    if groups.len() < 2 {
        return false;
    }
    let mut lens_buf = [0usize; 6];
    let mut digit_buf = [0u8; 24];
    let mut nd = 0;
    for (i, &(s, e)) in groups.iter().enumerate() {
        lens_buf[i] = e - s;
        if nd + (e - s) > digit_buf.len() {
            return false;
        }
        digit_buf[nd..nd + (e - s)].copy_from_slice(&t[s..e]);
        nd += e - s;
    }
    let lens = &lens_buf[..groups.len()];
    let digits = &digit_buf[..nd];
    let (first, last) = (groups[0].0, groups[groups.len() - 1].1);
    let plus86 = before == Some(b'+') && lens[0] == 2 && digits.starts_with(b"86");
    let mobile_digits = if plus86 { &digits[2..] } else { digits };
    let mobile_shape = matches!(lens, [3, 4, 4] | [2, 3, 4, 4] if lens.len() != 4 || plus86);
    if mobile_shape && mobile_digits.len() == 11 && phone::mobile_prefix_ok(mobile_digits) {
        let s = if plus86 { first - 1 } else { first };
        push(
            out,
            Kind::CnMobile,
            s,
            last,
            Likelihood::Likely,
            mobile_digits,
        );
        return true;
    }
    let card_shape = lens.len() >= 4
        && lens[..lens.len() - 1].iter().all(|&l| l == 4)
        && (1..=4).contains(&lens[lens.len() - 1]);
    if card_shape && card::valid(digits) {
        push(out, Kind::BankCard, first, last, Likelihood::Likely, digits);
        return true;
    }
    if lens.len() == 2
        && t[first] == b'0'
        && t[groups[0].1] == b'-'
        && landline(&t[first + 1..groups[0].1], &t[groups[1].0..groups[1].1])
    {
        push(
            out,
            Kind::CnLandline,
            first,
            last,
            Likelihood::Possible,
            digits,
        );
        return true;
    }
    false
}

/// Area code (without its 0) and subscriber number of a landline.
pub(crate) fn landline(area: &[u8], number: &[u8]) -> bool {
    phone::area_code_len(area) == Some(area.len())
        && (7..=8).contains(&number.len())
        && number[0] != b'0'
        && number[0] != b'1'
}

/// Runs with `*`: masked identity numbers, mobiles, cards.
pub(crate) fn masked_run(
    run: &[u8],
    start: usize,
    end: usize,
    before: Option<u8>,
    after: Option<u8>,
    out: &mut Vec<Hit>,
) {
    if before.is_some_and(is_alnum) || after.is_some_and(is_alnum) {
        return;
    }
    let digits = run.iter().filter(|b| b.is_ascii_digit()).count();
    if digits < 2 || !run[0].is_ascii_digit() {
        return;
    }
    let n = run.len();
    match n {
        18 | 15
            if id_card::province_ok(
                run[0],
                run.get(1)
                    .copied()
                    .filter(u8::is_ascii_digit)
                    .unwrap_or(b'0'),
            ) =>
        {
            push_masked(out, Kind::CnResidentId, start, end)
        }
        11 if run[0] == b'1' && (run[2] == b'*' || phone::mobile_prefix_ok(run)) => {
            push_masked(out, Kind::CnMobile, start, end)
        }
        16..=19 if run.starts_with(b"62") || run[0] == b'4' || run[0] == b'5' => {
            push_masked(out, Kind::BankCard, start, end)
        }
        _ => {}
    }
}

/// A digit run right after ASCII letters: passports and travel permits.
pub(crate) fn document(t: &[u8], start: usize, end: usize, out: &mut Vec<Hit>) {
    let mut s = start;
    while s > 0 && t[s - 1].is_ascii_uppercase() {
        s -= 1;
    }
    if s > 0 && is_alnum(t[s - 1]) || t.get(end).is_some_and(|&b| is_alnum(b)) {
        return;
    }
    let letters = &t[s..start];
    let digits = end - start;
    let no_io = |b: &u8| *b != b'I' && *b != b'O';
    let kind = match (letters, digits) {
        ([b'E' | b'G' | b'D' | b'S' | b'P'], 8) => Kind::CnPassport,
        ([b'E', l], 7) if no_io(l) => Kind::CnPassport,
        ([b'C'], 8) => Kind::HkMacauTravelPermit,
        ([b'C', l], 7) if no_io(l) => Kind::HkMacauTravelPermit,
        ([b'H' | b'M'], 8 | 10) => Kind::MainlandTravelPermit,
        _ => return,
    };
    push(out, kind, s, end, Likelihood::Unlikely, &t[s..end]);
}

/// Dotted digits: IPv4 quads and latitude/longitude pairs.
pub(crate) fn dotted(t: &[u8], start: usize, out: &mut Vec<Hit>) -> bool {
    dotted_token::<true>(t, start, out)
}

/// [`dotted`]; `FAST`: end at once where no quad or coordinate can start (off only in
/// tests, which hold the two readings equal).
pub(crate) fn dotted_token<const FAST: bool>(t: &[u8], start: usize, out: &mut Vec<Hit>) -> bool {
    // A run after a dot is inside a token its first run handled (the walk back below would
    // step over the dot). A first run of more than three digits is the first part of the
    // token: no quad (parts of one to three digits) and no coordinate (one to three before
    // the dot) starts so. Prices and amounts (`1197.00`) end here without a walk.
    if FAST && start > 0 && t[start - 1] == b'.' {
        return true;
    }
    if FAST
        && t.get(start..start + 4)
            .is_some_and(|w| w.iter().all(u8::is_ascii_digit))
    {
        return true;
    }
    // Walk back to the token's start.
    let mut s = start;
    while s > 0 && (t[s - 1].is_ascii_digit() || t[s - 1] == b'.') {
        s -= 1;
    }
    if s < start {
        return true; // Already handled from the token's first run.
    }
    let mut e = start;
    while e < t.len() && (t[e].is_ascii_digit() || t[e] == b'.') {
        e += 1;
    }
    while e > s && t[e - 1] == b'.' {
        e -= 1;
    }
    let tok = &t[s..e];
    let before = s.checked_sub(1).map(|p| t[p]);
    let after = t.get(e).copied();
    if before.is_some_and(|b| is_alnum(b) || b == b'-') && before != Some(b'-')
        || after.is_some_and(is_alnum)
    {
        return true;
    }
    // Up to five parts are told apart (four is a quad, two a coordinate); no allocation
    // on this path, which version numbers in every log line take.
    let mut parts: [&[u8]; 5] = [&[]; 5];
    let mut n = 0;
    for p in tok.split(|&b| b == b'.') {
        if n == parts.len() {
            return true;
        }
        parts[n] = p;
        n += 1;
    }
    let parts = &parts[..n];
    if parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && (p.len() == 1 || p[0] != b'0'))
    {
        if parts.iter().all(|p| {
            std::str::from_utf8(p)
                .ok()
                .and_then(|x| x.parse::<u16>().ok())
                .is_some_and(|v| v <= 255)
        }) {
            push(out, Kind::Ipv4, s, e, Likelihood::Possible, tok);
        }
        return true;
    }
    // A coordinate's first number has one to three digits and at least four decimals
    // (what `gps` checks first): prices and amounts stop here.
    if let [int, frac] = parts {
        if (1..=3).contains(&int.len()) && frac.len() >= 4 {
            gps(t, s, e, out);
        }
    }
    true
}

/// `lat,lon` or `lat, lon` with at least four decimals each, in range.
pub(crate) fn gps(t: &[u8], s: usize, e: usize, out: &mut Vec<Hit>) {
    let num = |a: usize| -> Option<(f64, usize, usize)> {
        let mut i = a;
        if t.get(i) == Some(&b'-') {
            i += 1;
        }
        let ds = i;
        while i < t.len() && t[i].is_ascii_digit() {
            i += 1;
        }
        if i == ds || i - ds > 3 || t.get(i) != Some(&b'.') {
            return None;
        }
        i += 1;
        let fs = i;
        while i < t.len() && t[i].is_ascii_digit() {
            i += 1;
        }
        if i - fs < 4 {
            return None;
        }
        let v = std::str::from_utf8(&t[a..i]).ok()?.parse().ok()?;
        Some((v, a, i))
    };
    let first_start = if s > 0 && t[s - 1] == b'-' { s - 1 } else { s };
    let Some((a, a0, a1)) = num(first_start) else {
        return;
    };
    if a1 != e {
        return;
    }
    let mut j = a1;
    if t.get(j) != Some(&b',') {
        return;
    }
    j += 1;
    if t.get(j) == Some(&b' ') {
        j += 1;
    }
    let Some((b, _, b1)) = num(j) else { return };
    if t.get(b1).is_some_and(|&c| is_alnum(c) || c == b'.') {
        return;
    }
    let ok = |lat: f64, lon: f64| lat.abs() <= 90.0 && lon.abs() <= 180.0;
    if ok(a, b) || ok(b, a) {
        let norm = format!("{a:.4},{b:.4}");
        push(
            out,
            Kind::GpsCoordinate,
            a0,
            b1,
            Likelihood::Possible,
            norm.as_bytes(),
        );
    }
}
