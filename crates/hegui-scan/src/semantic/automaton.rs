//! The anchors (cue words, honorifics, places, terms) as one Aho-Corasick automaton, and
//! the word-at-a-time tests that rule out text without any.

use super::lexicon::{BIRTH_CUES, PLACES, TERMS};
use super::sets::{cjk, CjkSet};
use crate::kind::Kind;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Place,
    BirthCue,
    Term(Kind),
}

pub(crate) struct Automaton {
    pub(crate) ac: AhoCorasick,
    pub(crate) anchors: Vec<Anchor>,
    /// Characters that start an anchor, and those that follow the first: every anchor in
    /// Chinese begins with two CJK characters, so a line without such a pair holds none.
    pub(crate) first: CjkSet,
    pub(crate) second: CjkSet,
    /// The pairs themselves (code points, first << 16 | second), sorted: two characters
    /// of the two sets that begin no anchor together (证 and 件) rule a line out too.
    pub(crate) pairs: Vec<u32>,
    /// The anchors in ASCII alone (as the main automaton spells them), searched over whole
    /// blocks of lines at once (a few patterns: SIMD, far faster than line by line).
    pub(crate) ascii: AhoCorasick,
}

/// How an ASCII anchor is matched: in small letters, capitals, or with a capital first
/// letter (`hiv`, `HIV`, `Hiv`; `dob`, `DOB`, `Dob`) — the ways such words are written.
pub(crate) fn ascii_spellings(w: &'static str) -> Vec<String> {
    let lower = w.to_ascii_lowercase();
    let mut capital = lower.clone();
    capital[..1].make_ascii_uppercase();
    let mut all = vec![lower, w.to_ascii_uppercase(), capital];
    all.sort();
    all.dedup();
    all
}

pub(crate) fn automaton() -> &'static Automaton {
    static A: OnceLock<Automaton> = OnceLock::new();
    A.get_or_init(|| {
        let mut words: Vec<String> = Vec::new();
        let mut anchors = Vec::new();
        let mut ascii_words = Vec::new();
        let (mut first, mut second) = (CjkSet::EMPTY, CjkSet::EMPTY);
        let mut pairs = Vec::new();
        let mut add = |ws: &[&'static str], a: Anchor| {
            for &w in ws {
                let b = w.as_bytes();
                if b[0].is_ascii() {
                    assert!(
                        w.is_ascii(),
                        "an anchor is all ASCII or starts in Chinese: {w}"
                    );
                    let key = |k: &u8| b.iter().any(|x| x.eq_ignore_ascii_case(k));
                    assert!(
                        ASCII_KEYS.iter().any(key),
                        "an ASCII anchor holds a key: {w}"
                    );
                    for spelling in ascii_spellings(w) {
                        words.push(spelling.clone());
                        anchors.push(a);
                        ascii_words.push(spelling);
                    }
                    continue;
                }
                let (Some(c1), Some(c2)) = (cjk(b, 0), cjk(b, 3)) else {
                    panic!("an anchor in Chinese starts with two CJK characters: {w}");
                };
                first.insert(c1);
                second.insert(c2);
                pairs.push(pair_code(c1, c2));
                words.push(w.to_string());
                anchors.push(a);
            }
        };
        add(PLACES, Anchor::Place);
        add(BIRTH_CUES, Anchor::BirthCue);
        for (k, ts) in TERMS {
            add(ts, Anchor::Term(*k));
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&words)
            .expect("semantic automaton builds");
        let ascii = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&ascii_words)
            .expect("ASCII anchor automaton builds");
        pairs.sort_unstable();
        pairs.dedup();
        Automaton {
            ac,
            anchors,
            first,
            second,
            pairs,
            ascii,
        }
    })
}

/// Letters of which every ASCII anchor holds one (checked when the automaton is built): a
/// cell with none of them, in either case, holds no ASCII anchor.
pub(crate) const ASCII_KEYS: [u8; 3] = *b"bvn";

pub(crate) const ONES: u64 = u64::from_le_bytes([1; 8]);
pub(crate) const HIGH: u64 = ONES << 7;

/// The high bit of each zero byte of a word, and of no other (no borrow between bytes).
pub(crate) fn zero_bytes(x: u64) -> u64 {
    !(((x & !HIGH) + !HIGH) | x | !HIGH)
}

/// The bytes of a word that are one of the [`ASCII_KEYS`] in either case (their high bits):
/// setting bit 5 folds each capital onto its small letter (and no other byte onto one), and
/// `w ^ k…k` has a zero byte exactly where `w` holds `k`.
pub(crate) fn key_bytes(w: u64) -> u64 {
    let folded = w | ONES << 5;
    ASCII_KEYS
        .iter()
        .fold(0, |m, &k| m | zero_bytes(folded ^ (ONES * u64::from(k))))
}

/// A text as eight-byte words: the whole words, then (when the length is not a multiple of
/// eight) its last eight bytes, which overlap the words before — harmless to tests that
/// only ask whether a byte is there — or, for a text under eight bytes, the text padded
/// with zeros (which are no key, no line break and no high byte).
pub(crate) fn words(t: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let whole = t.chunks_exact(8);
    let last = (!whole.remainder().is_empty()).then(|| match t.last_chunk::<8>() {
        Some(w) => u64::from_le_bytes(*w),
        None => t.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b)),
    });
    whole
        .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
        .chain(last)
}

/// Two 3-byte characters as one number (their code points, the first in the high half).
pub(crate) fn pair_code(a: &[u8], b: &[u8]) -> u32 {
    CjkSet::code_point(a[0], a[1], a[2]) << 16 | CjkSet::code_point(b[0], b[1], b[2])
}

/// Whether a text holds one of the [`ASCII_KEYS`] in either case (stops at the first).
pub(crate) fn has_ascii_key(t: &[u8]) -> bool {
    words(t).any(|w| key_bytes(w) != 0)
}

impl Automaton {
    /// Whether a line may hold a Chinese anchor: two adjacent CJK characters that could
    /// start one. Far faster than the automaton on a short line, so that it runs only on
    /// lines that can match (most cells of business columns cannot).
    pub(crate) fn cjk_pair_in(&self, t: &[u8]) -> bool {
        let mut i = 0;
        while i + 6 <= t.len() {
            if t[i] < 0x80 {
                i += 1;
                continue;
            }
            match cjk(t, i) {
                Some(c) if self.first.has(c) => {
                    let starts = |d: &[u8]| {
                        self.second.has(d) && self.pairs.binary_search(&pair_code(c, d)).is_ok()
                    };
                    if cjk(t, i + 3).is_some_and(starts) {
                        return true;
                    }
                    i += 3;
                }
                Some(_) => i += 3,
                None => i += 1,
            }
        }
        false
    }

    /// Where ASCII anchors start in a text (a cell, or a block of lines), in order.
    pub(crate) fn ascii_starts<'a>(&'a self, t: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
        // A cell without a key letter is done in a few word tests.
        let found = has_ascii_key(t).then(|| self.ascii.find_iter(t));
        found.into_iter().flatten().map(|m| m.start())
    }

    /// Whether a line may hold an anchor (the test [`detect`] makes line by line).
    #[cfg(test)]
    pub(crate) fn may_match(&self, line: &[u8]) -> bool {
        self.ascii_starts(line).next().is_some() || (!line.is_ascii() && self.cjk_pair_in(line))
    }
}

/// Whether an ASCII anchor at `start..end` is a word of its own, not part of one
/// ("archive" holds no "HIV", "adobe" no "dob"): no letter or digit right before it (a
/// capital after a small letter starts a word: `userBirthday`), and none right after it
/// unless it is a prefix cue (`birthdate`, `dob_date`).
pub(crate) fn ascii_word(t: &[u8], start: usize, end: usize, prefix_cue: bool) -> bool {
    let before_ok = match start.checked_sub(1).map(|p| t[p]) {
        None => true,
        Some(b) if !b.is_ascii_alphanumeric() => true,
        Some(b) => b.is_ascii_lowercase() && t[start].is_ascii_uppercase(),
    };
    let after_ok = prefix_cue || !t.get(end).is_some_and(u8::is_ascii_alphanumeric);
    before_ok && after_ok
}
