//! The features of a candidate: what the characters around it are, which lists its parts
//! are on and how common they are there, and which words cross its edges. Each feature is
//! a template number and its values, hashed to an index of the weight table.

use crate::candidates::{is_dot, Candidate, Shape};
use crate::lexicon::{is_han, pack, Lexicon};

/// Feature indices are `BITS` wide: the weight table has `1 << BITS` entries.
pub(crate) const BITS: u32 = 18;

// Character classes that stand in for the character itself in context features.
const BOS: u32 = 1;
const EOS: u32 = 2;
const DIGIT: u32 = 3;
const LATIN: u32 = 4;
const SPACE: u32 = 5;

/// The index of template `t` with values `a` and `b`: one multiply-and-fold per value,
/// the top bits taken (where a multiply mixes best).
#[inline]
fn index(t: u64, a: u64, b: u64) -> u32 {
    // A multiply carries every bit of its operand into the top bits of the product.
    let x = (t.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ a)
        .wrapping_mul(0xff51_afd7_ed55_8ccd)
        ^ b;
    (x.wrapping_mul(0xc4ce_b9fe_1a85_ec53) >> (64 - BITS)) as u32
}

/// Which list a rank falls in: 1 for the first `cuts[0]`, 2 up to `cuts[1]` …, 0 when not
/// ranked.
fn bucket(rank: u16, cuts: &[u16]) -> u64 {
    if rank == 0 {
        return 0;
    }
    cuts.iter()
        .position(|&c| rank <= c)
        .map_or(cuts.len() + 1, |p| p + 1) as u64
}

const SURNAME_CUTS: [u16; 4] = [10, 30, 100, 300];
const GIVEN_CUTS: [u16; 2] = [50, 200];

/// The character at `k` (which may lie outside the line) as a context value.
fn at(cs: &[char], k: isize) -> u32 {
    if k < 0 {
        return BOS;
    }
    match cs.get(k as usize) {
        None => EOS,
        Some(c) if c.is_ascii_digit() => DIGIT,
        Some(c) if c.is_ascii_alphabetic() => LATIN,
        Some(c) if c.is_whitespace() => SPACE,
        Some(&c) => c as u32,
    }
}

/// A coarse class of a context value: start/end, digit, letter, space, Han, dot, other.
fn class(v: u32) -> u64 {
    match v {
        BOS => 1,
        EOS => 2,
        DIGIT => 3,
        LATIN => 4,
        SPACE => 5,
        _ => match char::from_u32(v) {
            Some(c) if is_han(c) => 6,
            Some(c) if is_dot(c) => 7,
            _ => 8,
        },
    }
}

/// The words that start at each position of a line, looked up once per position: a
/// candidate's features ask about the same few positions many times.
#[derive(Default)]
pub(crate) struct Words {
    /// Per position: the frequency bucket (3 bits each) of the words of 2, 3 and 4
    /// characters starting there, or `UNSET`.
    memo: Vec<u16>,
}

const UNSET: u16 = u16::MAX;

impl Words {
    /// Forgets the line before (`n` is the new line's length).
    pub(crate) fn reset(&mut self, n: usize) {
        self.memo.clear();
        self.memo.resize(n, UNSET);
    }

    fn starting(&mut self, lex: &Lexicon, cs: &[char], a: usize) -> u16 {
        if self.memo[a] == UNSET {
            let mut v = 0;
            for n in 2..=4 {
                match cs.get(a..a + n) {
                    Some(w) if lex.may_start(w, n) => {
                        v |= u16::from(lex.word(w)) << (3 * (n - 2));
                    }
                    // No word of two (three) characters starts here: none longer either.
                    _ => break,
                }
            }
            self.memo[a] = v;
        }
        self.memo[a]
    }

    /// The frequency bucket of the word `cs[a..b]`, 0 if out of the line or no word.
    fn word(&mut self, lex: &Lexicon, cs: &[char], a: isize, b: isize) -> u64 {
        let n = b - a;
        if a < 0 || b as usize > cs.len() || !(2..=4).contains(&n) {
            return 0;
        }
        u64::from((self.starting(lex, cs, a as usize) >> (3 * (n - 2))) & 7)
    }

    /// The length of the longest listed word starting at `a` (0 if none).
    fn longest_from(&mut self, lex: &Lexicon, cs: &[char], a: isize) -> u64 {
        if a < 0 || a as usize >= cs.len() {
            return 0;
        }
        let v = self.starting(lex, cs, a as usize);
        (2..=4u64)
            .rev()
            .find(|n| (v >> (3 * (n - 2))) & 7 != 0)
            .unwrap_or(0)
    }
}

/// Pushes the feature indices of `cand` in `cs` onto `out`.
pub(crate) fn features(cs: &[char], words: &mut Words, cand: &Candidate, out: &mut Vec<u32>) {
    let lex = Lexicon::get();
    let (s, e) = (cand.start as isize, cand.end as isize);
    let code = cand.shape.code();
    let group = cand.shape.group();
    let span = &cs[cand.start..cand.end];
    let mut f = |t: u64, a: u64, b: u64| out.push(index(t, a, b));

    let l1 = at(cs, s - 1);
    let l2 = at(cs, s - 2);
    let r1 = at(cs, e);
    let r2 = at(cs, e + 1);
    f(0, code, 0);
    f(
        1,
        code,
        pack(span.get(..6).unwrap_or(span)) as u64 ^ (pack(span) >> 64) as u64,
    );
    // Context: the characters either side, alone and together, by family and by shape.
    f(2, group, u64::from(l1));
    f(3, group, (u64::from(l2) << 21) | u64::from(l1));
    f(5, group, u64::from(r1));
    f(6, group, (u64::from(r1) << 21) | u64::from(r2));
    f(7, code, u64::from(l1));
    f(8, code, u64::from(r1));
    f(9, group, (u64::from(l1) << 21) | u64::from(r1));
    f(10, code, (class(l1) << 8) | class(r1));
    // Words across the edges and inside: a name does not split a word.
    f(12, code, words.word(lex, cs, s, e));
    f(
        13,
        code,
        (words.word(lex, cs, s - 1, s + 1) << 4) | words.word(lex, cs, s - 2, s + 1),
    );
    f(
        14,
        code,
        (words.word(lex, cs, e - 1, e + 1) << 4) | words.word(lex, cs, e - 1, e + 2),
    );
    f(15, code, words.longest_from(lex, cs, e));
    f(
        17,
        code,
        (words.longest_from(lex, cs, s) << 4) | words.word(lex, cs, e - 2, e),
    );
    shape_features(lex, cs, words, cand, code, &mut f);
}

/// The features particular to a shape: the surname and given name and how common they
/// are, the title, the name elements.
fn shape_features(
    lex: &Lexicon,
    cs: &[char],
    words: &mut Words,
    cand: &Candidate,
    code: u64,
    f: &mut impl FnMut(u64, u64, u64),
) {
    let s = cand.start;
    let surname = |sur: u8| {
        let part = &cs[s..s + usize::from(sur)];
        let rank = if sur == 1 {
            bucket(lex.surname_rank(part[0]), &SURNAME_CUTS)
        } else {
            7
        };
        (pack(part) as u64, rank)
    };
    match cand.shape {
        Shape::Full { sur, given } => {
            let (key, rank) = surname(sur);
            f(20, code, key);
            f(21, code, rank);
            let g = &cs[s + usize::from(sur)..cand.end];
            let gb: Vec<u64> = g
                .iter()
                .map(|&c| bucket(lex.given_rank(c), &GIVEN_CUTS))
                .collect();
            f(22, 1, u64::from(g[0] as u32));
            f(
                23,
                u64::from(given),
                u64::from(g[given as usize - 1] as u32),
            );
            f(
                24,
                (rank << 8) | u64::from(given),
                gb.iter().fold(0, |k, b| (k << 4) | b),
            );
            if given == 2 {
                f(25, 0, pack(g) as u64);
                let at = (s + usize::from(sur)) as isize;
                f(26, 0, words.word(lex, cs, at, at + 2));
            }
            let title = lex.titles_at(&cs[cand.end..]).next().unwrap_or(0);
            f(27, code, title as u64);
        }
        Shape::Masked { sur, .. } => {
            let (key, rank) = surname(sur);
            f(30, code, key);
            f(31, code, rank);
        }
        Shape::Titled { sur, name, .. } => {
            let (key, rank) = surname(sur);
            f(40, code, key);
            f(41, code, rank);
            let title = &cs[s + usize::from(name)..cand.end];
            f(42, code, pack(title) as u64);
            f(43, code, (rank << 8) | title.len() as u64);
        }
        Shape::Familiar => {
            let rank = bucket(lex.surname_rank(cs[s + 1]), &SURNAME_CUTS);
            f(50, u64::from(cs[s] as u32), rank);
            f(51, 0, pack(&cs[s..cand.end]) as u64);
        }
        Shape::Minority {
            parts,
            dotted,
            title,
        } => {
            let name_end = cand.end - usize::from(title);
            let known = known_elements(lex, &cs[s..name_end]);
            f(60, code, (u64::from(parts) << 8) | known);
            f(61, u64::from(dotted), name_end as u64 - s as u64);
            if title > 0 {
                f(62, 0, pack(&cs[name_end..cand.end]) as u64);
            }
        }
    }
}

/// How many of the dot-separated parts of a minority name are listed elements (or chains
/// of them), capped at 3.
fn known_elements(lex: &Lexicon, span: &[char]) -> u64 {
    span.split(|&c| is_dot(c))
        .filter(|part| {
            let mut j = 0;
            while j < part.len() {
                match lex.minority_at(&part[j..]).next() {
                    Some(n) => j += n,
                    None => return false,
                }
            }
            !part.is_empty()
        })
        .count()
        .min(3) as u64
}
