//! Detectors for PI that has no checksum: Chinese personal names, addresses, birth dates,
//! and keywords of the sensitive categories (health, religion, biometrics, financial
//! accounts, criminal records, sexual orientation, minors).
//!
//! - Names: in running text, by the `hegui-names` model (candidate spans from surname,
//!   title and name-element lists, scored by a linear model of their context); as the
//!   whole cell of a name column, a surname from the list and one or two characters.
//! - Addresses: anchored on a province or city name (a GB/T 2260 gazetteer of province-level
//!   and major prefecture-level names), then read as a chain of administrative and street
//!   components (省/市/区/县/街道/镇/乡/村/路/街/号/栋/单元/室 …); or the whole cell of an
//!   address column.
//! - Birth dates: a date after 出生/生日/birth, or in a birth-date column.
//! - Sensitive keywords: term lists per category; each term found is a hit of its category.
//!
//! One Aho-Corasick automaton over all cue words, gazetteer names and terms runs once per
//! line or cell, and only when it contains non-ASCII bytes; the name model runs on every
//! line or cell with a character a name can start with.

use crate::hit::{Hit, Options};
use crate::key::key_of;
use crate::kind::{Kind, Likelihood};

mod automaton;
mod dates;
mod lexicon;
mod names;
mod places;
mod sets;
mod streets;
#[cfg(test)]
mod tests;

use automaton::{
    ascii_word, automaton, key_bytes, words, zero_bytes, Anchor, ASCII_KEYS, HIGH, ONES,
};
use dates::date_at;
use names::whole_name;
use places::address_at;

fn hit(out: &mut Vec<Hit>, kind: Kind, t: &[u8], start: usize, end: usize, lk: Likelihood) {
    out.push(Hit {
        kind,
        start,
        end,
        likelihood: lk,
        masked: false,
        key: key_of(kind, &t[start..end]),
    });
}

thread_local! {
    /// The name model's scratch space, one per scanning thread.
    static FINDER: std::cell::RefCell<(hegui_names::Finder, Vec<hegui_names::NameSpan>)> =
        std::cell::RefCell::default();
}

/// Person names in one line of text (the `hegui-names` model). Masked names (陈某) are
/// hits marked masked, with no key: they are evidence of de-identification, not a person
/// to count.
fn names(t: &[u8], out: &mut Vec<Hit>) {
    // Lines are UTF-8 (sources decode them); a stray invalid byte ends the text read.
    let text = match simdutf8::basic::from_utf8(t) {
        Ok(s) => s,
        Err(_) => match std::str::from_utf8(t) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&t[..e.valid_up_to()]).unwrap_or_default(),
        },
    };
    FINDER.with_borrow_mut(|(finder, spans)| {
        spans.clear();
        finder.find(text, spans);
        for s in spans.iter() {
            out.push(Hit {
                kind: Kind::PersonName,
                start: s.start,
                end: s.end,
                likelihood: Likelihood::Possible,
                masked: s.masked,
                key: if s.masked {
                    0
                } else {
                    key_of(Kind::PersonName, &t[s.start..s.end])
                },
            });
        }
    });
}

/// What the free-text readers find in one line beyond the anchored pass: person names,
/// and addresses anchored on a street number (each unless it overlaps an address already
/// found in `out[line_from..]`, this line's hits so far).
fn free_text(t: &[u8], names_on: bool, addresses_on: bool, line_from: usize, out: &mut Vec<Hit>) {
    if addresses_on {
        let mut spans = Vec::new();
        streets::numbered_addresses(t, &mut spans);
        for (s, e) in spans {
            let known = out[line_from..]
                .iter()
                .any(|h| h.kind == Kind::Address && h.start < e && s < h.end);
            if !known {
                hit(out, Kind::Address, t, s, e, Likelihood::Possible);
            }
        }
    }
    if names_on {
        names(t, out);
    }
}

/// The kinds a whole cell is read as when its column supports them ([`whole_cell`]).
const WHOLE_CELL_KINDS: [Kind; 3] = [Kind::PersonName, Kind::BirthDate, Kind::Address];

/// Whether cells of a column with these options may be read whole: otherwise [`detect`]
/// finds only what an anchor starts, and a cell with nothing to anchor holds nothing.
pub(crate) fn reads_whole_cells(opts: &Options) -> bool {
    WHOLE_CELL_KINDS
        .iter()
        .any(|k| opts.field_kinds.contains(k))
}

/// A whole cell of a name, address or birth-date column, if it is one: pushed, and true.
fn whole_cell(t: &[u8], opts: &Options, out: &mut Vec<Hit>) -> bool {
    let field = |k: Kind| opts.field_kinds.contains(&k);
    let trimmed = t.trim_ascii();
    let off = trimmed.as_ptr() as usize - t.as_ptr() as usize;
    let whole = off..off + trimmed.len();
    let (kind, end) = if field(Kind::PersonName) && whole_name(trimmed) {
        (Kind::PersonName, whole.end)
    } else if field(Kind::BirthDate) && date_at(trimmed, 0) == Some(trimmed.len()) {
        (Kind::BirthDate, whole.end)
    } else if let Some(n) = field(Kind::Address)
        .then(|| address_at(trimmed, 0))
        .flatten()
    {
        (Kind::Address, off + n)
    } else {
        return false;
    };
    hit(out, kind, t, off, end, Likelihood::Possible);
    true
}

/// What a few word tests tell of a text: whether it holds a line break, a byte of a
/// non-ASCII character, and one of the [`ASCII_KEYS`] (in either case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Facts {
    newline: bool,
    high: bool,
    key: bool,
}

impl Facts {
    /// The facts of an empty text.
    const NONE: Facts = Facts {
        newline: false,
        high: false,
        key: false,
    };

    /// Whether a text with these facts can hold no anchor: one line, all ASCII, without a
    /// key letter ([`detect`] finds nothing in it outside name, address and date columns).
    #[cfg(test)]
    fn nothing_to_anchor(self) -> bool {
        !(self.newline || self.high || self.key)
    }

    fn of(t: &[u8]) -> Facts {
        let (mut high, mut key, mut newline) = (0u64, 0u64, 0u64);
        for w in words(t) {
            newline |= zero_bytes(w ^ (ONES * u64::from(b'\n')));
            high |= w;
            key |= key_bytes(w);
        }
        Facts {
            newline: newline != 0,
            high: high & HIGH != 0,
            key: key != 0,
        }
    }
}

/// [`Facts`] of many cells of one text at once: for each 64-byte block of the text, the
/// bit masks of its line breaks, non-ASCII bytes and key letters, from SSE2 compares (16
/// bytes each). A cell's facts are then a few mask tests over the blocks it spans, where
/// the word tests cost a few operations per byte of every cell.
#[derive(Debug, Default)]
pub(crate) struct TextFacts {
    /// Per block: line breaks, high bytes, key letters (bit j: byte j of the block).
    blocks: Vec<[u64; 3]>,
}

impl TextFacts {
    /// Reads a text's masks (replacing those of the text before).
    pub(crate) fn load(&mut self, t: &[u8]) {
        self.blocks.clear();
        let whole = t.chunks_exact(64);
        let rest = whole.remainder();
        self.blocks
            .extend(whole.map(|b| fact_masks(b.try_into().expect("64 bytes"))));
        if !rest.is_empty() {
            // Zeros are no line break, no high byte and no key.
            let mut padded = [0u8; 64];
            padded[..rest.len()].copy_from_slice(rest);
            self.blocks.push(fact_masks(&padded));
        }
    }

    /// The first byte at or after `from` that is a line break, a byte of a non-ASCII
    /// character or a key letter (`usize::MAX` when none is): a cell ending at or before it
    /// can hold no anchor ([`Facts::nothing_to_anchor`]). Cells are passed over a block
    /// of 64 bytes at a time instead of one test each.
    #[inline]
    pub(crate) fn next_anchorable(&self, from: usize) -> usize {
        let mut b = from / 64;
        let mut keep = u64::MAX << (from % 64);
        while let Some(&[n, h, k]) = self.blocks.get(b) {
            let m = (n | h | k) & keep;
            if m != 0 {
                return b * 64 + m.trailing_zeros() as usize;
            }
            b += 1;
            keep = u64::MAX;
        }
        usize::MAX
    }

    /// The facts of bytes `start..end` of the text loaded.
    #[inline]
    pub(crate) fn of(&self, start: usize, end: usize) -> Facts {
        if start >= end {
            return Facts::NONE;
        }
        let (first, last) = (start / 64, (end - 1) / 64);
        let head = u64::MAX << (start % 64);
        let tail = u64::MAX >> (63 - (end - 1) % 64);
        let [n, h, k] = self.blocks[first];
        let keep = if first == last { head & tail } else { head };
        let mut any = [n & keep, h & keep, k & keep];
        if first < last {
            // A cell over more than one block (rare: most are short).
            for masks in &self.blocks[first + 1..last] {
                for (a, m) in any.iter_mut().zip(masks) {
                    *a |= m;
                }
            }
            for (a, m) in any.iter_mut().zip(&self.blocks[last]) {
                *a |= m & tail;
            }
        }
        Facts {
            newline: any[0] != 0,
            high: any[1] != 0,
            key: any[2] != 0,
        }
    }
}

/// The line breaks, high bytes and key letters of a 64-byte block, as bit masks.
fn fact_masks(block: &[u8; 64]) -> [u64; 3] {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline; every x86-64 CPU has it.
        unsafe { facts_sse2::masks(block) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        fact_masks_portable(block)
    }
}

/// [`fact_masks`] one byte at a time (other architectures, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn fact_masks_portable(block: &[u8; 64]) -> [u64; 3] {
    let mut m = [0u64; 3];
    for (j, &b) in block.iter().enumerate() {
        m[0] |= u64::from(b == b'\n') << j;
        m[1] |= u64::from(b >= 0x80) << j;
        m[2] |= u64::from(ASCII_KEYS.contains(&(b | 0x20))) << j;
    }
    m
}

#[cfg(target_arch = "x86_64")]
mod facts_sse2 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    use super::ASCII_KEYS;

    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn masks(block: &[u8; 64]) -> [u64; 3] {
        let mut m = [0u64; 3];
        let bits = |v, k: usize| u64::from(_mm_movemask_epi8(v) as u16) << (16 * k);
        let [k0, k1, k2] = ASCII_KEYS.map(|k| _mm_set1_epi8(k as i8));
        for (k, lane) in block.chunks_exact(16).enumerate() {
            // SAFETY: `lane` is 16 readable bytes; the load is unaligned.
            let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
            m[0] |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)), k);
            m[1] |= bits(v, k);
            // Setting bit 5 folds each capital onto its small letter, and no other byte.
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let key = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(folded, k0), _mm_cmpeq_epi8(folded, k1)),
                _mm_cmpeq_epi8(folded, k2),
            );
            m[2] |= bits(key, k);
        }
        m
    }
}

/// Detects names, addresses, birth dates and sensitive terms in one line or cell. `facts`:
/// the text's [`Facts`] when they are known already (from [`TextFacts`]).
pub(crate) fn detect(t: &[u8], facts: Option<Facts>, opts: &Options, out: &mut Vec<Hit>) {
    // Whole cells of name, address and birth-date columns (most columns are none).
    if !opts.field_kinds.is_empty() && whole_cell(t, opts, out) {
        return;
    }
    let a = automaton();
    let find_names = opts.kinds.contains(Kind::PersonName);
    let find_streets = opts.kinds.contains(Kind::Address);
    let free = find_names || find_streets;
    // A long text is mostly a block of lines: one search tells, before the word tests.
    let facts = facts
        .or_else(|| (t.len() <= 256 || memchr::memchr(b'\n', t).is_none()).then(|| Facts::of(t)));
    if let Some(facts) = facts.filter(|f| !f.newline) {
        // One line (a cell, the common case): searched only when it may hold an anchor.
        if (facts.key && a.ascii.is_match(t)) || (facts.high && a.cjk_pair_in(t)) {
            anchored(t, out);
        }
        if facts.high && free {
            free_text(t, find_names, find_streets, 0, out);
        }
        return;
    }
    // Text comes in blocks of lines: each line is searched by itself, and only when it
    // may hold an anchor (most cells and log lines cannot): an ASCII one found in the
    // whole text at once, or a pair of characters that could start a Chinese one.
    let a = automaton();
    let mut ascii = a.ascii_starts(t).peekable();
    let mut lo = 0;
    for line in t.split(|&b| b == b'\n') {
        let hi = lo + line.len();
        while ascii.next_if(|&p| p < lo).is_some() {}
        let ascii_here = ascii.peek().is_some_and(|&p| p < hi);
        let high = !line.is_ascii();
        if ascii_here || (high && a.cjk_pair_in(line)) || (high && free) {
            let from = out.len();
            if ascii_here || (high && a.cjk_pair_in(line)) {
                anchored(line, out);
            }
            if high && free {
                free_text(line, find_names, find_streets, from, out);
            }
            for h in &mut out[from..] {
                h.start += lo;
                h.end += lo;
            }
        }
        lo += line.len() + 1;
    }
}

/// Names, addresses, birth dates and sensitive terms found from their anchors (cues,
/// honorifics, place names, terms) in one line or cell.
fn anchored(t: &[u8], out: &mut Vec<Hit>) {
    let a = automaton();
    let mut skip_to = 0;
    for m in a.ac.find_iter(t) {
        if m.start() < skip_to {
            continue;
        }
        let anchor = a.anchors[m.pattern().as_usize()];
        let prefix_cue = matches!(anchor, Anchor::BirthCue);
        if t[m.start()].is_ascii() && !ascii_word(t, m.start(), m.end(), prefix_cue) {
            continue;
        }
        match anchor {
            Anchor::Place => {
                if let Some(n) = address_at(t, m.start()) {
                    hit(
                        out,
                        Kind::Address,
                        t,
                        m.start(),
                        m.start() + n,
                        Likelihood::Possible,
                    );
                    skip_to = m.start() + n;
                }
            }
            Anchor::BirthCue => {
                let mut i = m.end();
                while i < t.len() && !t[i].is_ascii_digit() && t[i] != b'\n' && i - m.end() < 12 {
                    i += 1;
                }
                if let Some(n) = date_at(t, i) {
                    hit(out, Kind::BirthDate, t, i, i + n, Likelihood::Possible);
                    skip_to = i + n;
                }
            }
            Anchor::Term(k) => hit(out, k, t, m.start(), m.end(), Likelihood::Possible),
        }
    }
}
