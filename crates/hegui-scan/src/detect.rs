//! The detectors: byte-level scanners that anchor on cheap bytes (digit runs, `@`, `:`,
//! province characters), validate each candidate exactly, then score it with context.
//!
//! Text is never matched with Unicode `\b`: a CJK character next to a digit is a boundary
//! here, an ASCII letter or digit is not. A digit run inside a longer run is never an
//! identifier (runs are maximal).

use jiff::civil::Date;

use crate::context::Hits;
use crate::kind::{Kind, KindSet, Likelihood};
use crate::validate::{card, id_card, luhn, phone};

/// One detected value in a line or cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    /// UTF-8 byte offsets within the line or cell.
    pub start: usize,
    pub end: usize,
    pub likelihood: Likelihood,
    /// The value is masked (`138****5678`): evidence of de-identification, not PI.
    pub masked: bool,
    /// A 64-bit key of the normalised value, for distinct counting (0 for masked values).
    pub key: u64,
}

/// What the detectors need besides the text.
#[derive(Debug, Clone)]
pub struct Options {
    /// Birth dates after this day are impossible (normally today).
    pub today: Date,
    /// Kinds a column name or JSON path supports, and whether it names an order/serial.
    pub field_kinds: Vec<Kind>,
    pub field_negative: bool,
    /// The kinds to detect; scanners whose kinds are all off do not run.
    pub kinds: KindSet,
}

impl Options {
    pub fn new(today: Date) -> Options {
        Options {
            today,
            field_kinds: Vec::new(),
            field_negative: false,
            kinds: KindSet::ALL,
        }
    }
}

const DIGIT_KINDS: &[Kind] = &[
    Kind::CnResidentId,
    Kind::CnMobile,
    Kind::CnLandline,
    Kind::BankCard,
    Kind::CnPassport,
    Kind::HkMacauTravelPermit,
    Kind::MainlandTravelPermit,
    Kind::Ipv4,
    Kind::Imei,
    Kind::GpsCoordinate,
];
const SEMANTIC_KINDS: &[Kind] = &[
    Kind::PersonName,
    Kind::Address,
    Kind::BirthDate,
    Kind::SensitiveHealth,
    Kind::SensitiveReligion,
    Kind::SensitiveBiometric,
    Kind::SensitiveFinancial,
    Kind::SensitiveCriminal,
    Kind::SensitiveSexualOrientation,
    Kind::SensitiveMinor,
];

pub use crate::key::key_of;

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Detects every kind in one line or cell.
pub fn detect(text: &[u8], opts: &Options) -> Vec<Hit> {
    let mut out = Vec::new();
    detect_into(text, opts, &mut Scratch::default(), &mut out);
    out
}

/// Buffers [`detect_into`] reuses between calls, so a scan does not allocate per line.
#[derive(Debug, Default)]
pub struct Scratch {
    raw: Vec<Hit>,
    scored: Vec<(Hit, bool)>,
    spans: Vec<(usize, usize)>,
    sorted: Vec<(usize, usize)>,
    keywords: Hits,
    facts: crate::semantic::TextFacts,
    /// Per options: whether its cells may be read whole (a name, address or date column).
    whole: Vec<bool>,
}

/// Detects every kind in one line or cell (or a block of lines) of at most 4 GiB.
pub fn detect_into(text: &[u8], opts: &Options, scratch: &mut Scratch, out: &mut Vec<Hit>) {
    let cell = Cell {
        start: 0,
        end: u32::try_from(text.len()).expect("a text of at most 4 GiB"),
        options: 0,
    };
    detect_cells(text, &[cell], std::slice::from_ref(opts), scratch, out);
}

/// One cell of [`detect_cells`]' text: its range, and the index of its column's options.
/// Offsets are 32-bit (a text of cells is at most 4 GiB): a scan holds tens of thousands
/// of cells per batch, and reads them at every step.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub start: u32,
    pub end: u32,
    pub options: u32,
}

impl Cell {
    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Detects every kind in many cells at once. The byte scanners (digit runs, `@`, `:`,
/// plates) each make one pass over the whole text, instead of starting anew per cell; only
/// what depends on a cell's column (names, addresses and dates of named columns, column
/// cues) is done per cell.
///
/// `cells` are in text order and each is followed by a line break (or the text's end).
/// Nothing is matched across a line break and context windows stop at one, so this finds
/// exactly what detecting each cell alone finds. Every option must share `today` and
/// `kinds`. Hits come out in text order, with offsets in `text`.
pub fn detect_cells(
    text: &[u8],
    cells: &[Cell],
    options: &[Options],
    scratch: &mut Scratch,
    out: &mut Vec<Hit>,
) {
    let Some(global) = options.first() else {
        return;
    };
    debug_assert!(options
        .iter()
        .all(|o| o.kinds == global.kinds && o.today == global.today));
    let raw = &mut scratch.raw;
    raw.clear();
    let on = global.kinds;
    if on.any(DIGIT_KINDS) {
        digit_runs(text, global, raw);
    }
    if on.contains(Kind::Email) {
        emails(text, raw);
    }
    if on.any(&[Kind::MacAddress, Kind::Ipv6]) {
        colon_tokens(text, raw);
    }
    if on.contains(Kind::CnLicensePlate) {
        plates(text, raw);
    }
    if on.any(SEMANTIC_KINDS) {
        // Many short cells (CSV): their facts from the masks of the whole text, in one pass.
        let masks = cells.len() * 128 >= text.len();
        if masks {
            scratch.facts.load(text);
        }
        let whole = &mut scratch.whole;
        whole.clear();
        whole.extend(options.iter().map(crate::semantic::reads_whole_cells));
        // The first byte at or after the cells passed over that may anchor something.
        let mut anchorable = 0;
        for c in cells {
            let from = raw.len();
            let opts = &options[c.options as usize];
            if masks && !whole[c.options as usize] {
                // Outside name, address and date columns, most cells have no byte that can
                // anchor anything: passed over with one comparison.
                if anchorable < c.start as usize {
                    anchorable = scratch.facts.next_anchorable(c.start as usize);
                }
                if anchorable >= c.end as usize {
                    continue;
                }
            }
            let facts = masks.then(|| scratch.facts.of(c.start as usize, c.end as usize));
            crate::semantic::detect(&text[c.range()], facts, opts, raw);
            for h in &mut raw[from..] {
                h.start += c.start as usize;
                h.end += c.start as usize;
            }
        }
    }
    if on != KindSet::ALL {
        raw.retain(|h| on.contains(h.kind));
    }
    if raw.is_empty() {
        return;
    }
    // In text order (stable: of two readings of one span, the scanner that runs first
    // comes first, as when each cell is detected alone).
    raw.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    // Each hit's context window, once; a sorted copy drives the keyword search.
    let windows = &mut scratch.spans;
    windows.clear();
    windows.extend(
        raw.iter()
            .map(|h| crate::context::window(text, h.start, h.end)),
    );
    // A window with nothing around its hit (a whole cell: a name or address column) can
    // hold no keyword that counts; it is not searched.
    let context = |h: &Hit, w: &(usize, usize)| *w != (h.start, h.end);
    let sorted = &mut scratch.sorted;
    sorted.clear();
    sorted.extend(
        raw.iter()
            .zip(windows.iter())
            .filter(|(h, w)| context(h, w))
            .map(|(_, &w)| w),
    );
    sorted.sort_unstable();
    let hits = &mut scratch.keywords;
    hits.find_near(text, sorted);
    // (hit, supported by context): context decides between two readings of one span.
    let scored = &mut scratch.scored;
    scored.clear();
    let mut cell = 0;
    scored.extend(raw.drain(..).zip(windows.iter()).map(|(mut h, &w)| {
        // Hits are in text order: the cursor only moves forward.
        while cell + 1 < cells.len() && cells[cell].end as usize <= h.start {
            cell += 1;
        }
        let opts = &options[cells[cell].options as usize];
        let (pos, neg) = if context(&h, &w) {
            hits.around(w, h.start, h.end, h.kind)
        } else {
            (false, false)
        };
        let supported = pos || opts.field_kinds.contains(&h.kind);
        if supported {
            h.likelihood = h.likelihood.up();
        }
        if (neg || opts.field_negative) && !pos {
            h.likelihood = h.likelihood.down2();
        }
        (h, supported)
    }));
    // Overlaps: keep the longer hit; for the same span, the likelier, then the supported.
    let kept = raw;
    let mut last_sup = false;
    for (h, sup) in scored.drain(..) {
        match kept.last_mut() {
            Some(last) if h.start < last.end => {
                let same = h.start == last.start && h.end == last.end;
                let better = (h.likelihood, sup) > (last.likelihood, last_sup);
                let longer =
                    h.likelihood > last.likelihood && h.end - h.start >= last.end - last.start;
                if (same && better) || (!same && longer) {
                    *last = h;
                    last_sup = sup;
                }
            }
            _ => {
                kept.push(h);
                last_sup = sup;
            }
        }
    }
    out.append(kept);
}

fn push(out: &mut Vec<Hit>, kind: Kind, start: usize, end: usize, lk: Likelihood, norm: &[u8]) {
    push_keyed(out, kind, start, end, lk, key_of(kind, norm));
}

fn push_keyed(out: &mut Vec<Hit>, kind: Kind, start: usize, end: usize, lk: Likelihood, key: u64) {
    out.push(Hit {
        kind,
        start,
        end,
        likelihood: lk,
        masked: false,
        key,
    });
}

fn push_masked(out: &mut Vec<Hit>, kind: Kind, start: usize, end: usize) {
    out.push(Hit {
        kind,
        start,
        end,
        likelihood: Likelihood::Likely,
        masked: true,
        key: 0,
    });
}

/// Maximal runs of digits (and, for masked values, `*`), with the separated groups that
/// phones and cards are written in, dotted quads and decimal pairs.
/// Whether a byte starts or continues a digit run (digits and the `*` of masked values).
#[cfg(test)]
fn is_run_byte(b: u8) -> bool {
    b.is_ascii_digit() || b == b'*'
}

fn digit_runs(t: &[u8], opts: &Options, out: &mut Vec<Hit>) {
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
struct Runs<'a> {
    t: &'a [u8],
    rule: RunRule,
    /// Where the current block starts, and the bytes of its runs worth returning (long,
    /// masked, next to a joining byte, or at a block edge, whose neighbours are in another
    /// block) not yet returned.
    base: usize,
    mask: u64,
    /// Whether the current block holds a `*` (rare; runs are then counted byte by byte).
    star: bool,
}

impl<'a> Runs<'a> {
    fn new(t: &'a [u8], rule: RunRule) -> Self {
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
    fn load(&mut self, base: usize) {
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
    fn next(&mut self) -> Option<(usize, usize)> {
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
    fn run_on(&mut self) -> usize {
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
    fn skip_to(&mut self, i: usize) {
        if i < self.base + 64 && i >= self.base {
            let off = i - self.base;
            self.mask &= !((1u64 << off) - 1);
        } else {
            self.load(i);
        }
    }

    /// The `*` bytes in `start..end` (zero without looking when the block has none).
    fn stars_in(&self, start: usize, end: usize) -> usize {
        if !self.star {
            return 0;
        }
        self.t[start..end].iter().filter(|&&b| b == b'*').count()
    }
}

/// The bits of `m` that start `len` set bits in a row (bit j: bits j..j+len all set), in
/// a few shifts: the binary digits of `len` combine runs of 1, 2, 4, 8 … ones.
fn starts_of_ones(m: u64, len: usize) -> u64 {
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
fn runs_touching(m: u64, seeds: u64) -> u64 {
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
struct BlockMasks {
    /// Digits and `*`.
    runs: u64,
    stars: u64,
    /// `.`, which joins dotted quads and coordinates.
    dots: u64,
    /// Space and `-`, which join digit groups.
    spaces_dashes: u64,
    /// `(`, which opens an area code.
    parens: u64,
}

#[inline]
fn block_mask(block: &[u8; 64]) -> BlockMasks {
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
fn block_mask_portable(block: &[u8; 64]) -> BlockMasks {
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
mod sse2 {
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
struct RunRule {
    /// The fewest digits of anything found in a run by itself (documents have 7 after their
    /// letters, mobiles 11, cards 13, identity numbers and IMEIs 15); shorter runs only
    /// matter as parts of a larger token.
    shortest: usize,
    /// `.` joins runs into dotted quads and coordinates.
    dots: bool,
    /// A space or `-` joins runs into groups (`138 1234 5678`, `010-12345678`).
    groups: bool,
    /// `(` before a run opens an area code (`(010) 12345678`).
    paren: bool,
}

impl RunRule {
    /// Every digit kind on (the rule the tests hold narrower rules against).
    #[cfg(test)]
    const ALL: RunRule = RunRule {
        shortest: 7,
        dots: true,
        groups: true,
        paren: true,
    };

    fn for_kinds(on: KindSet) -> RunRule {
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
    fn joinable(self, before: Option<u8>, after: Option<u8>) -> bool {
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
    fn seeds(self, b: &BlockMasks, edges: u64) -> u64 {
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
fn plain_digits(
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
fn grouped(t: &[u8], start: usize, end: usize, before: Option<u8>, out: &mut Vec<Hit>) -> bool {
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
fn landline(area: &[u8], number: &[u8]) -> bool {
    phone::area_code_len(area) == Some(area.len())
        && (7..=8).contains(&number.len())
        && number[0] != b'0'
        && number[0] != b'1'
}

/// Runs with `*`: masked identity numbers, mobiles, cards.
fn masked_run(
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
fn document(t: &[u8], start: usize, end: usize, out: &mut Vec<Hit>) {
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
fn dotted(t: &[u8], start: usize, out: &mut Vec<Hit>) -> bool {
    dotted_token::<true>(t, start, out)
}

/// [`dotted`]; `FAST`: end at once where no quad or coordinate can start (off only in
/// tests, which hold the two readings equal).
fn dotted_token<const FAST: bool>(t: &[u8], start: usize, out: &mut Vec<Hit>) -> bool {
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
fn gps(t: &[u8], s: usize, e: usize, out: &mut Vec<Hit>) {
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

/// E-mail addresses, anchored on `@`.
fn emails(t: &[u8], out: &mut Vec<Hit>) {
    let local =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'*');
    let domain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
    for at in memchr::memchr_iter(b'@', t) {
        let mut s = at;
        while s > 0 && local(t[s - 1]) {
            s -= 1;
        }
        while s < at && t[s] == b'.' {
            s += 1;
        }
        let mut e = at + 1;
        while e < t.len() && domain(t[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(t[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at || e == at + 1 {
            continue;
        }
        let dom = &t[at + 1..e];
        let Some(dot) = dom.iter().rposition(|&b| b == b'.') else {
            continue;
        };
        let tld = &dom[dot + 1..];
        if tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) || dot == 0 {
            continue;
        }
        if t[s..at].contains(&b'*') {
            push_masked(out, Kind::Email, s, e);
        } else {
            let norm = t[s..e].to_ascii_lowercase();
            push(out, Kind::Email, s, e, Likelihood::VeryLikely, &norm);
        }
    }
}

/// The bytes of a [`colon_tokens`] token: hex digits, `:`, `-` and `.`. One table load per
/// byte (the four tests cost more: every date and time is walked).
static HEXISH: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_hexdigit() || c == b':' || c == b'-' || c == b'.';
        b += 1;
    }
    t
};

/// Tokens with colons or dashes between hex digits: MAC addresses and IPv6.
fn colon_tokens(t: &[u8], out: &mut Vec<Hit>) {
    tokens::<true>(t, out)
}

/// [`colon_tokens`]; `SKIP`: pass dates and clock times over (off only in tests, which hold
/// the two readings equal).
fn tokens<const SKIP: bool>(t: &[u8], out: &mut Vec<Hit>) {
    let hexish = |b: u8| HEXISH[b as usize];
    let mut i = 0;
    while let Some(off) = memchr::memchr2(b':', b'-', &t[i..]) {
        let p = i + off;
        // `p` is the first separator of its token (what lies between `i` and it holds
        // none). Dates and clock times, in every log line and many cells, are passed over
        // without walking them.
        if let Some(end) = SKIP.then(|| date_or_time(t, p)).flatten() {
            i = end;
            continue;
        }
        let mut s = p;
        while s > 0 && hexish(t[s - 1]) {
            s -= 1;
        }
        let mut e = p;
        while e < t.len() && hexish(t[e]) {
            e += 1;
        }
        i = e.max(p + 1);
        while s < p && matches!(t[s], b'-' | b'.') {
            s += 1;
        }
        while e > p
            && matches!(t[e - 1], b'-' | b'.' | b':')
            && !(t[e - 1] == b':' && e >= 2 && t[e - 2] == b':')
        {
            e -= 1;
        }
        if s > 0 && t[s - 1].is_ascii_alphanumeric()
            || t.get(e).is_some_and(|b| b.is_ascii_alphanumeric())
        {
            continue;
        }
        let tok = &t[s..e];
        if tok.len() == 17 && is_mac(tok) {
            let norm: Vec<u8> = tok
                .iter()
                .filter(|b| b.is_ascii_hexdigit())
                .map(u8::to_ascii_lowercase)
                .collect();
            push(out, Kind::MacAddress, s, e, Likelihood::Likely, &norm);
            continue;
        }
        // Require hex letters or a `::` before parsing, so clock times and ratios cost nothing.
        let colons = tok.iter().filter(|&&b| b == b':').count();
        let plausible = || {
            tok.windows(2).any(|w| w[0] == b':' && w[1] == b':')
                || tok.iter().any(u8::is_ascii_alphabetic)
        };
        if colons >= 2 && !tok.contains(&b'-') && plausible() {
            if let Some(addr) = std::str::from_utf8(tok)
                .ok()
                .and_then(|x| x.parse::<std::net::Ipv6Addr>().ok())
            {
                push(out, Kind::Ipv6, s, e, Likelihood::Likely, &addr.octets());
            }
        }
    }
}

/// The end of the token whose first separator is at `p` when the token is exactly an ISO
/// date (`2026-03-14`) or a clock time (`03:34`, `03:34:50`): digits only, so neither a MAC
/// address (17 bytes, a separator third) nor IPv6 (which [`colon_tokens`] parses only with
/// a hex letter or a `::`). A token ends at the first byte outside [`HEXISH`].
#[inline]
fn date_or_time(t: &[u8], p: usize) -> Option<usize> {
    let digits = |a: usize, n: usize| {
        t.get(a..a + n)
            .is_some_and(|w| w.iter().all(u8::is_ascii_digit))
    };
    let edge = |at: usize| t.get(at).is_none_or(|&b| !HEXISH[b as usize]);
    let starts = |n: usize| p >= n && digits(p - n, n) && (p == n || edge(p - n - 1));
    match t[p] {
        b'-' if starts(4)
            && digits(p + 1, 2)
            && t.get(p + 3) == Some(&b'-')
            && digits(p + 4, 2)
            && edge(p + 6) =>
        {
            Some(p + 6)
        }
        b':' if starts(2) && digits(p + 1, 2) => {
            if edge(p + 3) {
                Some(p + 3)
            } else if t[p + 3] == b':' && digits(p + 4, 2) && edge(p + 6) {
                Some(p + 6)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn is_mac(tok: &[u8]) -> bool {
    let sep = tok[2];
    (sep == b':' || sep == b'-')
        && tok.chunks(3).all(|c| {
            c[0].is_ascii_hexdigit() && c[1].is_ascii_hexdigit() && (c.len() == 2 || c[2] == sep)
        })
}

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// Whether place `i` can start a plate's letter: an ASCII capital right after a 3-byte
/// character (lead byte E4–E9, the CJK block) — the byte test [`plate_places`] makes 64
/// places at a time.
fn plate_place(t: &[u8], i: usize) -> bool {
    t[i].is_ascii_uppercase() && (0xE4..=0xE9).contains(&t[i - 3]) && t[i - 1] & 0xC0 == 0x80
}

/// The places `base..base + 64` (bit j for `base + j`) that pass [`plate_place`], of those
/// before the text's last byte. `base` is at least 3.
fn plate_places(t: &[u8], base: usize) -> u64 {
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
mod plate_sse2 {
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
fn plates(t: &[u8], out: &mut Vec<Hit>) {
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
fn plate_at(t: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn kinds(text: &str) -> Vec<(Kind, &str, Likelihood, bool)> {
        let opts = Options::new(date(2026, 11, 23));
        detect(text.as_bytes(), &opts)
            .into_iter()
            .map(|h| (h.kind, &text[h.start..h.end], h.likelihood, h.masked))
            .collect()
    }

    fn only(text: &str) -> (Kind, &str) {
        let k = kinds(text);
        assert_eq!(k.len(), 1, "{text}: {k:?}");
        (k[0].0, k[0].1)
    }

    #[test]
    fn ids_glued_to_chinese_text() {
        let k = kinds("身份证号110101199003077777，请核对");
        // 110101199003077777 has the wrong check digit; build a valid one.
        assert!(k.is_empty(), "{k:?}");
        let body = "11010119900307123";
        let id = format!("{body}{}", id_card::check_char(body.as_bytes()) as char);
        let text = format!("身份证号{id}，请核对");
        let k = kinds(&text);
        assert_eq!(
            k,
            vec![(
                Kind::CnResidentId,
                id.as_str(),
                Likelihood::VeryLikely,
                false
            )]
        );
        // Without context: likely; after an order-number keyword: unlikely.
        assert_eq!(kinds(&format!("值{id}"))[0].2, Likelihood::Likely);
        assert_eq!(kinds(&format!("订单号{id}"))[0].2, Likelihood::Unlikely);
    }

    #[test]
    fn block_mask_matches_the_byte_test_for_every_byte_in_every_lane() {
        for b in 0..=255u8 {
            for lane in [0, 15, 16, 31, 47, 63] {
                let mut block = [b'a'; 64];
                block[lane] = b;
                let m = block_mask(&block);
                let at = |on: bool| u64::from(on) << lane;
                assert_eq!(m.runs, at(is_run_byte(b)), "byte {b:#x} lane {lane}");
                assert_eq!(m.stars, at(b == b'*'));
                assert_eq!(m.dots, at(b == b'.'));
                assert_eq!(m.spaces_dashes, at(b" -".contains(&b)));
                assert_eq!(m.parens, at(b == b'('));
                assert_eq!(block_mask_portable(&block), m);
            }
        }
    }

    #[test]
    fn plate_places_of_a_block_agree_with_the_byte_test() {
        let mut rng = crate::rng::Rng::new(31);
        for _ in 0..20_000 {
            // Capitals, CJK lead and continuation bytes and others, mixed, so that every
            // place of a block is often a near miss; lengths around the block edges.
            let len = 3 + rng.below(140) as usize;
            let t: Vec<u8> = (0..len)
                .map(|_| b"AZIO@[\xe4\xe9\xe3\xea\x80\xbf\xc0a1"[rng.below(15) as usize])
                .collect();
            let mut base = 3;
            while base + 1 < t.len() {
                let want = (base..(base + 64).min(t.len() - 1))
                    .filter(|&i| plate_place(&t, i))
                    .fold(0u64, |m, i| m | 1 << (i - base));
                assert_eq!(plate_places(&t, base), want, "{t:?} at {base}");
                base += 64;
            }
        }
    }

    /// Random texts of the bytes that make and break dates, times, MACs, IPv6, quads,
    /// coordinates and prices, with pieces of each shape, so that near misses are common.
    fn token_texts(seed: u64) -> impl Iterator<Item = Vec<u8>> {
        let mut r = crate::rng::Rng::new(seed);
        let pieces: [&[u8]; 24] = [
            b"0",
            b"7",
            b"12",
            b"2026",
            b"a",
            b"F",
            b"g",
            b"-",
            b":",
            b"::",
            b".",
            b",",
            b" ",
            b"2026-03-14",
            b"03:34:50",
            b"17:55",
            b"00:1a:2B:3c:4d:5e",
            b"fe80::1",
            b"39.9042",
            b"1197.00",
            b"192.168.1.10",
            b"116.4074",
            b"39.9042,116.4074",
            b"10.0.0.1",
        ];
        (0..30_000).map(move |_| {
            let mut t = Vec::new();
            for _ in 0..r.below(12) {
                t.extend_from_slice(pieces[r.below(pieces.len() as u64) as usize]);
            }
            t
        })
    }

    #[test]
    fn dates_and_times_passed_over_hold_no_mac_or_ipv6() {
        let (mut found, mut skipped) = (0, 0);
        for t in token_texts(41) {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            tokens::<true>(&t, &mut fast);
            tokens::<false>(&t, &mut slow);
            assert_eq!(fast, slow, "{}", String::from_utf8_lossy(&t));
            found += slow.len();
            skipped += memchr::memchr2_iter(b':', b'-', &t)
                .filter(|&p| date_or_time(&t, p).is_some())
                .count();
        }
        // The texts reach both paths.
        assert!(
            found > 1000 && skipped > 1000,
            "{found} hits, {skipped} skips"
        );
    }

    #[test]
    fn dotted_runs_ended_early_hold_no_quad_or_coordinate() {
        let mut found = 0;
        for t in token_texts(43) {
            // Every digit run's start, as `digit_runs` calls it (no digit before it).
            for start in (0..t.len())
                .filter(|&i| t[i].is_ascii_digit() && (i == 0 || !t[i - 1].is_ascii_digit()))
            {
                let (mut fast, mut slow) = (Vec::new(), Vec::new());
                let a = dotted_token::<true>(&t, start, &mut fast);
                let b = dotted_token::<false>(&t, start, &mut slow);
                assert_eq!((a, &fast), (b, &slow), "{}", String::from_utf8_lossy(&t));
                found += slow.len();
            }
        }
        assert!(found > 1000, "{found} hits");
    }

    #[test]
    fn starts_of_ones_matches_a_shift_per_bit() {
        let mut r = crate::rng::Rng::new(9);
        for i in 0..20_000 {
            let m = r.next_u64() | r.next_u64();
            let len = 1 + i % 64;
            let mut want = m;
            for k in 1..len {
                want &= m >> k;
            }
            assert_eq!(starts_of_ones(m, len), want, "m {m:#x} len {len}");
        }
        assert_eq!(starts_of_ones(u64::MAX, 64), 1);
        assert_eq!(starts_of_ones(u64::MAX, 65), 0);
    }

    #[test]
    fn runs_touching_keeps_whole_runs_with_a_seed() {
        let mut r = crate::rng::Rng::new(5);
        for _ in 0..20_000 {
            let m = r.next_u64() & r.next_u64() | r.next_u64() & r.next_u64();
            let seeds = r.next_u64() & r.next_u64() & r.next_u64() & m;
            let mut want = 0u64;
            let mut p = 0;
            while p < 64 {
                if m >> p & 1 == 1 {
                    let s = p;
                    while p < 64 && m >> p & 1 == 1 {
                        p += 1;
                    }
                    let run = if p - s == 64 {
                        u64::MAX
                    } else {
                        ((1u64 << (p - s)) - 1) << s
                    };
                    if run & seeds != 0 {
                        want |= run;
                    }
                } else {
                    p += 1;
                }
            }
            assert_eq!(runs_touching(m, seeds), want, "m {m:#x} seeds {seeds:#x}");
        }
        assert_eq!(runs_touching(u64::MAX, 1 << 40), u64::MAX);
        assert_eq!(runs_touching(0b0110_1110, 0b0000_0100), 0b0000_1110);
    }

    #[test]
    fn block_runs_match_a_byte_by_byte_reading() {
        // Runs across 64-byte block edges, at the very end, of every length, with stars and
        // multi-byte UTF-8 around them, and after skips. Every run digit_runs needs comes
        // out (long, masked, joinable); short runs nothing can join may be dropped.
        let mut r = crate::rng::Rng::new(11);
        let alphabet: Vec<&[u8]> = vec![
            b"0",
            b"7",
            b"1",
            b"*",
            b"a",
            b" ",
            "身".as_bytes(),
            b"-",
            b".",
            b"(",
        ];
        let rules = [
            RunRule::ALL,
            RunRule::for_kinds(KindSet::of(&[Kind::CnResidentId, Kind::CnMobile])),
            RunRule::for_kinds(KindSet::of(&[Kind::Ipv4])),
            RunRule::for_kinds(KindSet::of(&[Kind::CnLandline, Kind::Imei])),
        ];
        for len in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
            for i in 0..400 {
                let rule = rules[i % rules.len()];
                let mut t = Vec::new();
                while t.len() < len {
                    t.extend_from_slice(alphabet[r.below(alphabet.len() as u64) as usize]);
                }
                let mut naive = Vec::new();
                let mut i = 0;
                while i < t.len() {
                    if is_run_byte(t[i]) {
                        let s = i;
                        while i < t.len() && is_run_byte(t[i]) {
                            i += 1;
                        }
                        naive.push((s, i, t[s..i].iter().filter(|&&b| b == b'*').count()));
                    } else {
                        i += 1;
                    }
                }
                // A dot joins with a run byte after it, a space or dash with three.
                let needed = |&(s, e, stars): &(usize, usize, usize)| {
                    let before = s.checked_sub(1).map(|p| t[p]);
                    let run_bytes = |k: usize| {
                        t.get(e + 1..e + 1 + k)
                            .is_some_and(|r| r.len() == k && r.iter().all(|&b| is_run_byte(b)))
                    };
                    let joined = match t.get(e) {
                        Some(b'.') => rule.dots && run_bytes(1),
                        Some(b' ' | b'-') => rule.groups && run_bytes(3),
                        _ => false,
                    };
                    stars > 0 || e - s >= rule.shortest || joined || rule.joinable(before, None)
                };
                let mut runs = Runs::new(&t, rule);
                let mut got = Vec::new();
                while let Some((s, e)) = runs.next() {
                    got.push((s, e, runs.stars_in(s, e)));
                }
                let shown = String::from_utf8_lossy(&t);
                assert!(got.iter().all(|g| naive.contains(g)), "{shown:?}: {got:?}");
                assert!(got.windows(2).all(|w| w[0].1 <= w[1].0), "in order");
                for n in naive.iter().filter(|n| needed(n)) {
                    assert!(
                        got.contains(n),
                        "{shown:?} {rule:?}: {n:?} missing from {got:?}"
                    );
                }
                // Skipping past a run's end resumes after it.
                if got.len() >= 3 {
                    let mut runs = Runs::new(&t, rule);
                    runs.next();
                    runs.skip_to(got[1].1);
                    let next = runs.next().expect("a run after the skip");
                    assert!(next.0 >= got[1].1 && naive.iter().any(|n| (n.0, n.1) == next));
                }
            }
        }
    }

    #[test]
    fn narrower_rules_skip_runs_only_kinds_that_are_off_need() {
        assert_eq!(RunRule::for_kinds(KindSet::ALL), RunRule::ALL);
        let ids = RunRule::for_kinds(KindSet::of(&[Kind::CnResidentId, Kind::BankCard]));
        assert_eq!((ids.shortest, ids.dots, ids.paren), (13, false, false));
        assert!(ids.groups, "cards are written in groups");
        // A user agent's version numbers, a date and a time are not visited by an
        // identifier pass.
        let t = b"Mozilla/5.0 (Windows NT 10.0) at 2026-03-08 17:55:46";
        let mut runs = Runs::new(t, ids);
        assert_eq!(runs.next(), None);
        let mut all = Runs::new(t, RunRule::ALL);
        assert_eq!(all.next(), Some((8, 9)), "5 in 5.0 may start a dotted quad");
    }

    #[test]
    fn cells_detected_together_find_what_each_cell_finds_alone() {
        // Random cells of digits, separators, CJK text, keywords and whole values, each
        // with a column's options; detected as the lines of one text and one by one.
        let mut r = crate::rng::Rng::new(23);
        let body = "11010119900307123";
        let id = format!("{body}{}", id_card::check_char(body.as_bytes()) as char);
        let pieces: Vec<String> = [
            "1",
            "38",
            "0",
            "6222",
            " ",
            "-",
            ".",
            "(",
            ")",
            "+86",
            "*",
            "@",
            ":",
            "a",
            "E",
            "京A",
            "身份证",
            "订单号",
            "手机",
            "，",
            "张伟",
            "北京市海淀区中山路156号",
            "13812345678",
            "39.9042,116.4074",
            "user@example.com",
            "00:1a:2b:3c:4d:5e",
            "1990-03-07",
            "先生",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([id.clone(), format!("110101********{}", &id[14..])])
        .collect();
        let today = date(2026, 11, 23);
        let columns: Vec<Options> = [
            (vec![], false),
            (vec![Kind::PersonName], false),
            (vec![Kind::Address], false),
            (vec![Kind::CnMobile, Kind::CnResidentId], false),
            (vec![Kind::BirthDate], false),
            (vec![], true),
        ]
        .into_iter()
        .map(|(field_kinds, field_negative)| Options {
            today,
            field_kinds,
            field_negative,
            kinds: KindSet::ALL,
        })
        .collect();
        for _ in 0..300 {
            let mut text = Vec::new();
            let mut cells = Vec::new();
            let mut alone = Vec::new();
            for _ in 0..r.below(40) {
                let mut cell = String::new();
                for _ in 0..r.below(8) {
                    cell.push_str(&pieces[r.below(pieces.len() as u64) as usize]);
                }
                let options = r.below(columns.len() as u64) as u32;
                let start = text.len();
                text.extend_from_slice(cell.as_bytes());
                cells.push(Cell {
                    start: start as u32,
                    end: text.len() as u32,
                    options,
                });
                text.push(b'\n');
                for mut h in detect(cell.as_bytes(), &columns[options as usize]) {
                    h.start += start;
                    h.end += start;
                    alone.push(h);
                }
            }
            let mut together = Vec::new();
            detect_cells(
                &text,
                &cells,
                &columns,
                &mut Scratch::default(),
                &mut together,
            );
            assert_eq!(together, alone, "{:?}", String::from_utf8_lossy(&text));
        }
    }

    #[test]
    fn digit_runs_inside_longer_runs_are_not_ids() {
        let body = "11010119900307123";
        let id = format!("{body}{}", id_card::check_char(body.as_bytes()) as char);
        assert!(kinds(&format!("9{id}")).is_empty());
        assert!(kinds(&format!("{id}5")).is_empty());
        assert!(
            kinds("13812345678901").is_empty(),
            "a phone inside a longer run"
        );
        assert!(kinds(&format!("a3f{id}")).is_empty(), "inside a hash");
    }

    #[test]
    fn mobiles_in_every_notation() {
        assert_eq!(only("手机:13812345678"), (Kind::CnMobile, "13812345678"));
        assert_eq!(
            only("call +8613812345678 now"),
            (Kind::CnMobile, "+8613812345678")
        );
        assert_eq!(only("0086 13812345678").0, Kind::CnMobile);
        assert_eq!(only("008613812345678"), (Kind::CnMobile, "008613812345678"));
        assert_eq!(only("138 1234 5678"), (Kind::CnMobile, "138 1234 5678"));
        assert_eq!(only("138-1234-5678"), (Kind::CnMobile, "138-1234-5678"));
        assert_eq!(
            only("+86 138 1234 5678"),
            (Kind::CnMobile, "+86 138 1234 5678")
        );
        assert!(kinds("12012345678").is_empty(), "no 120 prefix");
    }

    #[test]
    fn landlines() {
        assert_eq!(
            only("电话 010-62345678"),
            (Kind::CnLandline, "010-62345678")
        );
        assert_eq!(only("(0755)86001234"), (Kind::CnLandline, "(0755)86001234"));
        assert!(kinds("2024-1234567").is_empty());
    }

    #[test]
    fn cards_emails_and_masked_values() {
        assert_eq!(
            only("卡号 4111111111111111"),
            (Kind::BankCard, "4111111111111111")
        );
        assert_eq!(
            only("4111 1111 1111 1111"),
            (Kind::BankCard, "4111 1111 1111 1111")
        );
        assert_eq!(
            only("mail: Zhang.San@Example.com."),
            (Kind::Email, "Zhang.San@Example.com")
        );
        assert!(kinds("138****5678")[0].3);
        assert_eq!(kinds("110101********1234")[0].0, Kind::CnResidentId);
        assert!(kinds("110101********1234")[0].3);
        assert!(kinds("z***@example.com")[0].3);
        assert!(kinds("****").is_empty());
    }

    #[test]
    fn documents_plates_network_and_location() {
        assert_eq!(only("护照 E12345678"), (Kind::CnPassport, "E12345678"));
        assert_eq!(kinds("护照 E12345678")[0].2, Likelihood::Possible);
        assert_eq!(only("通行证C12345678").0, Kind::HkMacauTravelPermit);
        assert_eq!(only("回乡证H12345678").0, Kind::MainlandTravelPermit);
        assert_eq!(only("车牌京A·12345"), (Kind::CnLicensePlate, "京A·12345"));
        assert_eq!(only("粤B-D12345"), (Kind::CnLicensePlate, "粤B-D12345"));
        assert_eq!(only("沪AD12345"), (Kind::CnLicensePlate, "沪AD12345"));
        assert!(kinds("京I12345").is_empty(), "no I");
        assert_eq!(only("from 192.168.1.20:"), (Kind::Ipv4, "192.168.1.20"));
        assert!(kinds("v1.2.3").is_empty());
        assert!(kinds("256.1.1.1").is_empty());
        assert_eq!(only("fe80::1ff:fe23:4567:890a").0, Kind::Ipv6);
        assert!(kinds("at 12:30:45").is_empty());
        assert_eq!(
            only("mac 00:1A:2B:3C:4D:5E"),
            (Kind::MacAddress, "00:1A:2B:3C:4D:5E")
        );
        assert_eq!(
            only("位置 39.9042,116.4074"),
            (Kind::GpsCoordinate, "39.9042,116.4074")
        );
        assert_eq!(only("imei 490154203237518").0, Kind::Imei);
        // A 15-digit IMEI that also passes the first-generation identity checks: the
        // keyword decides.
        let both = "355586870117784";
        assert_eq!(only(&format!("imei {both}")).0, Kind::Imei);
        assert_eq!(only(&format!("身份证 {both}")).0, Kind::CnResidentId);
    }

    #[test]
    fn column_context_raises_likelihood() {
        let mut opts = Options::new(date(2026, 11, 23));
        opts.field_kinds = vec![Kind::CnPassport];
        let h = detect(b"E12345678", &opts);
        assert_eq!(h[0].likelihood, Likelihood::Possible);
    }

    #[test]
    fn keys_are_stable_and_normalised() {
        let a = kinds("13812345678");
        let opts = Options::new(date(2026, 11, 23));
        let k1 = detect(b"13812345678", &opts)[0].key;
        let k2 = detect(b"+86 138 1234 5678", &opts)[0].key;
        assert_eq!(k1, k2);
        assert_eq!(a.len(), 1);
    }
}
