//! The word lists the model reads a name by: surnames by rank, compound surnames, titles,
//! familiar prefixes, minority name elements, given-name characters by rank, and a general
//! word list. All are data files under `data/`, parsed once.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// The first and last code point of the dense per-character tables (CJK Extension A and
/// the Unified Ideographs block).
const LO: u32 = 0x3400;
const HI: u32 = 0x9FFF;

/// Per-character flags.
pub(crate) const SURNAME: u8 = 1;
pub(crate) const COMPOUND_FIRST: u8 = 2;
pub(crate) const PREFIX: u8 = 4;
pub(crate) const MINORITY_FIRST: u8 = 8;
pub(crate) const TITLE_FIRST: u8 = 16;
/// A character of some listed word, surname or given name: a given name is written in
/// these (a text misdecoded as GBK is full of others).
pub(crate) const KNOWN: u8 = 32;
/// Any flag that lets a candidate start at the character.
pub(crate) const STARTS: u8 = SURNAME | COMPOUND_FIRST | PREFIX | MINORITY_FIRST;

/// The lists, indexed for lookups by character.
pub(crate) struct Lexicon {
    flags: Vec<u8>,
    surname_rank: Vec<u16>,
    given_rank: Vec<u16>,
    /// Compound surnames, titles and minority elements by their first character.
    compounds: FxHashMap<char, Vec<Vec<char>>>,
    titles: FxHashMap<char, Vec<Vec<char>>>,
    minority: FxHashMap<char, Vec<Vec<char>>>,
    /// Two- to four-character words and their frequency bucket (1–4).
    words: FxHashMap<u128, u8>,
    /// Bit sets of the hashed first two (three) characters of the words (of three or more
    /// characters): most positions start no word, and two bit tests tell, where the map
    /// would take a hash probe each.
    prefix2: Vec<u64>,
    prefix3: Vec<u64>,
}

const PREFIX_BITS: u32 = 18;

fn prefix_bit(cs: &[char]) -> usize {
    let k = cs
        .iter()
        .fold(0u64, |k, &c| (k << 21) ^ u64::from(c as u32))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (k >> (64 - PREFIX_BITS)) as usize
}

fn has(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

/// Whether a character is a CJK ideograph (what names are written in).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, LO..=HI | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn lines(data: &str) -> impl Iterator<Item = &str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Up to four characters packed into one key (21 bits each).
pub(crate) fn pack(cs: &[char]) -> u128 {
    cs.iter()
        .fold(cs.len() as u128, |k, &c| (k << 21) | u128::from(c as u32))
}

impl Lexicon {
    pub(crate) fn get() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(Lexicon::load)
    }

    fn load() -> Lexicon {
        let size = (HI - LO + 1) as usize;
        let mut lex = Lexicon {
            flags: vec![0; size],
            surname_rank: vec![0; size],
            given_rank: vec![0; size],
            compounds: FxHashMap::default(),
            titles: FxHashMap::default(),
            minority: FxHashMap::default(),
            words: FxHashMap::default(),
            prefix2: vec![0; 1 << (PREFIX_BITS - 6)],
            prefix3: vec![0; 1 << (PREFIX_BITS - 6)],
        };
        for (rank, s) in lines(include_str!("../data/surnames.txt")).enumerate() {
            if let Some(c) = s.chars().next() {
                lex.set(c, SURNAME | KNOWN);
                if let Some(i) = slot(c) {
                    lex.surname_rank[i] = rank as u16 + 1;
                }
            }
        }
        for (rank, s) in lines(include_str!("../data/given.txt")).enumerate() {
            if let Some(i) = s.chars().next().and_then(slot) {
                lex.given_rank[i] = rank as u16 + 1;
                lex.flags[i] |= KNOWN;
            }
        }
        lex.group(include_str!("../data/compound.txt"), COMPOUND_FIRST, |l| {
            &mut l.compounds
        });
        lex.group(include_str!("../data/titles.txt"), TITLE_FIRST, |l| {
            &mut l.titles
        });
        lex.group(include_str!("../data/minority.txt"), MINORITY_FIRST, |l| {
            &mut l.minority
        });
        for p in lines(include_str!("../data/prefixes.txt")) {
            if let Some(c) = p.chars().next() {
                lex.set(c, PREFIX);
            }
        }
        for l in lines(include_str!("../data/words.txt")) {
            let mut parts = l.split(' ');
            let (Some(w), Some(b)) = (parts.next(), parts.next()) else {
                continue;
            };
            let cs: Vec<char> = w.chars().collect();
            if (2..=4).contains(&cs.len()) {
                for &c in &cs {
                    lex.set(c, KNOWN);
                }
                lex.words.insert(pack(&cs), b.parse().unwrap_or(1));
                let i = prefix_bit(&cs[..2]);
                lex.prefix2[i / 64] |= 1 << (i % 64);
                if cs.len() > 2 {
                    let i = prefix_bit(&cs[..3]);
                    lex.prefix3[i / 64] |= 1 << (i % 64);
                }
            }
        }
        lex
    }

    fn set(&mut self, c: char, flag: u8) {
        if let Some(i) = slot(c) {
            self.flags[i] |= flag;
        }
    }

    /// Entries of a list grouped by first character, longest first (so the longest match
    /// is tried first).
    fn group(
        &mut self,
        data: &str,
        flag: u8,
        field: impl Fn(&mut Lexicon) -> &mut FxHashMap<char, Vec<Vec<char>>>,
    ) {
        for entry in lines(data) {
            let cs: Vec<char> = entry.chars().collect();
            let Some(&first) = cs.first() else { continue };
            self.set(first, flag);
            let list = field(self).entry(first).or_default();
            if !list.contains(&cs) {
                list.push(cs);
            }
        }
        for list in field(self).values_mut() {
            list.sort_by_key(|e| std::cmp::Reverse(e.len()));
        }
    }

    #[inline]
    pub(crate) fn flags(&self, c: char) -> u8 {
        slot(c).map_or(0, |i| self.flags[i])
    }

    /// The surname's rank (1 = most common), 0 when it is not on the list.
    #[inline]
    pub(crate) fn surname_rank(&self, c: char) -> u16 {
        slot(c).map_or(0, |i| self.surname_rank[i])
    }

    #[inline]
    pub(crate) fn given_rank(&self, c: char) -> u16 {
        slot(c).map_or(0, |i| self.given_rank[i])
    }

    /// The entries of a grouped list that start at `cs[0]` and match `cs`'s prefix; the
    /// character's `flag` says first whether any entry starts with it (most do not).
    fn matches<'a>(
        &self,
        map: &'a FxHashMap<char, Vec<Vec<char>>>,
        flag: u8,
        cs: &'a [char],
    ) -> impl Iterator<Item = usize> + 'a {
        cs.first()
            .filter(|&&c| self.flags(c) & flag != 0)
            .and_then(|c| map.get(c))
            .into_iter()
            .flatten()
            .filter(move |e| cs.starts_with(e))
            .map(Vec::len)
    }

    /// Lengths of the compound surnames `cs` starts with, longest first.
    pub(crate) fn compounds_at<'a>(&'a self, cs: &'a [char]) -> impl Iterator<Item = usize> + 'a {
        self.matches(&self.compounds, COMPOUND_FIRST, cs)
    }

    pub(crate) fn titles_at<'a>(&'a self, cs: &'a [char]) -> impl Iterator<Item = usize> + 'a {
        self.matches(&self.titles, TITLE_FIRST, cs)
    }

    pub(crate) fn minority_at<'a>(&'a self, cs: &'a [char]) -> impl Iterator<Item = usize> + 'a {
        self.matches(&self.minority, MINORITY_FIRST, cs)
    }

    /// The frequency bucket (1–4) of the word `cs`, 0 when it is no word on the list.
    #[inline]
    pub(crate) fn word(&self, cs: &[char]) -> u8 {
        if !(2..=4).contains(&cs.len()) || !self.may_start(cs, cs.len()) {
            return 0;
        }
        self.words.get(&pack(cs)).copied().unwrap_or(0)
    }

    /// False when no word of `len` (2–4) characters starts with `cs`'s first characters.
    #[inline]
    pub(crate) fn may_start(&self, cs: &[char], len: usize) -> bool {
        has(&self.prefix2, prefix_bit(&cs[..2]))
            && (len == 2 || (cs.len() >= 3 && has(&self.prefix3, prefix_bit(&cs[..3]))))
    }
}

fn slot(c: char) -> Option<usize> {
    let u = c as u32;
    (LO..=HI).contains(&u).then(|| (u - LO) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_is_han_without_duplicates() {
        for (file, data) in [
            ("surnames.txt", include_str!("../data/surnames.txt")),
            ("compound.txt", include_str!("../data/compound.txt")),
            ("titles.txt", include_str!("../data/titles.txt")),
            ("prefixes.txt", include_str!("../data/prefixes.txt")),
            ("minority.txt", include_str!("../data/minority.txt")),
            ("given.txt", include_str!("../data/given.txt")),
        ] {
            let mut seen = std::collections::HashSet::new();
            for e in lines(data) {
                assert!(e.chars().all(is_han), "{file}: {e}");
                assert!(seen.insert(e), "{file}: {e} twice");
            }
        }
    }

    #[test]
    fn lookups_agree_with_the_lists() {
        let lex = Lexicon::get();
        assert_eq!(lex.surname_rank('王'), 1);
        assert_eq!(lex.surname_rank('的'), 0);
        assert!(lex.flags('欧') & COMPOUND_FIRST != 0);
        let cs: Vec<char> = "欧阳娜娜".chars().collect();
        assert_eq!(lex.compounds_at(&cs).collect::<Vec<_>>(), [2]);
        let cs: Vec<char> = "护士长说".chars().collect();
        assert_eq!(lex.titles_at(&cs).collect::<Vec<_>>(), [3, 2]);
        let w = |s: &str| lex.word(&s.chars().collect::<Vec<_>>());
        assert!(w("金融") > 0 && w("江湖") > 0);
        assert_eq!(w("张伟"), 0);
        assert_eq!(w("金"), 0);
    }
}
