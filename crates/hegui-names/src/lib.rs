//! Chinese person names in running text.
//!
//! A name is found in two steps. [`candidates`](crate::candidates) lists every span that
//! could be one — a surname from the list (535 single, 74 compound) with one or two
//! given-name characters, a title after it (陈先生, 王建国院长), 某 after it (陈某), a
//! familiar prefix before it (小刘), minority name elements (次仁央宗) or parts around a
//! middle dot (买买提·艾力). Then a linear model scores each candidate from its features —
//! the characters around it, how common its surname and given-name characters are, which
//! words cross its edges — and the best-scoring spans that do not overlap are the names.
//! The model is an averaged perceptron trained by [`train`] on a corpus built by
//! `tools/names/`; its weights ship in `data/model.bin`.
//!
//! A line is read in pieces (runs of non-ASCII characters with their context), each
//! piece seen before taken from a cache; a piece without a character that can start a
//! candidate costs one table lookup per character.

mod candidates;
mod features;
mod lexicon;
mod marks;
mod model;
mod train;

pub use marks::unmark;
pub use model::{BadModel, Model};
pub use train::{choose_threshold, iou, train, Example, TrainStats};

use candidates::{candidates, Candidate};
use features::Words;

/// A name found: its byte range in the text, and whether it is masked (陈某).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameSpan {
    pub start: usize,
    pub end: usize,
    pub masked: bool,
}

/// One candidate span and its score, for explaining a decision ([`explain`]).
#[derive(Debug, Clone)]
pub struct Scored {
    pub text: String,
    pub shape: String,
    pub score: f32,
    pub taken: bool,
}

/// Every candidate of one line with its score under `model`, best first, and whether the
/// decoder took it: what `hegui bench names --explain` prints.
pub fn explain(model: &Model, text: &str) -> Vec<Scored> {
    let chars: Vec<char> = text.chars().collect();
    let mut cands = Vec::new();
    candidates(&chars, &mut cands);
    let mut scores = Vec::new();
    model.scores(
        &chars,
        &cands,
        &mut Words::default(),
        &mut Vec::new(),
        &mut scores,
    );
    let taken = model::decode(chars.len(), &cands, &scores, model.threshold);
    let mut out: Vec<Scored> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| Scored {
            text: chars[c.start..c.end].iter().collect(),
            shape: c.shape.describe(),
            score: scores[i],
            taken: taken.contains(&i),
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// Scratch space reused across lines.
#[derive(Default)]
pub struct Finder {
    chars: Vec<char>,
    offsets: Vec<usize>,
    cands: Vec<Candidate>,
    words: Words,
    feats: Vec<u32>,
    scores: Vec<f32>,
    cache: Cache,
    piece: String,
}

/// The names of recently seen pieces of text: a column's cells repeat (product names,
/// statuses), and so do the Chinese parts of a log's lines (实名认证通过，身份证号); a
/// repeated piece is read once. Direct-mapped, keyed by the whole piece.
struct Cache {
    slots: Vec<Option<Cached>>,
}

/// A piece, where its run starts in it, and the names found in the run.
type Cached = (Box<str>, usize, Box<[NameSpan]>);

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            slots: vec![None; CACHE_SLOTS],
        }
    }
}

const CACHE_SLOTS: usize = 4096;
/// Pieces longer than this are not cached (long sentences rarely repeat).
const CACHE_MAX: usize = 96;
/// The characters either side of a piece that its names depend on: a candidate's
/// features look at most three characters out, and no listed word holds ASCII.
const CONTEXT: usize = 3;
/// The longest run read at once, in characters, and the context of each window of a
/// longer one (a name and its features fit well within it).
const MAX_RUN: usize = 512;
const WINDOW_CONTEXT: usize = 16;

/// A context character as the model's features see it: digits, letters and spaces by
/// their class (`features::at`).
fn as_seen(c: char) -> char {
    match c {
        '0'..='9' => '0',
        c if c.is_ascii_alphabetic() => 'a',
        c if c.is_ascii_whitespace() => ' ',
        c => c,
    }
}

/// The byte offset `n` characters before `i` (or 0).
fn back(text: &str, i: usize, n: usize) -> usize {
    text[..i]
        .char_indices()
        .rev()
        .nth(n - 1)
        .map_or(0, |(b, _)| b)
}

/// The byte offset `n` characters after `i` (or the end).
fn ahead(text: &str, i: usize, n: usize) -> usize {
    text[i..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(b, _)| i + b)
}

fn slot_of(text: &str) -> usize {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(text.as_bytes());
    (h.finish() >> 32) as usize % CACHE_SLOTS
}

impl Finder {
    /// The names in one line of text (with the shipped model), appended to `out`.
    ///
    /// The line is read piece by piece: each run of non-ASCII characters with the three
    /// characters either side of it. A name lies inside one run (every candidate is made of
    /// Han characters and middle dots), its features look no further than that and no
    /// listed word holds ASCII, so the names are those of the whole line (tested); a piece
    /// seen before is taken from the cache. A run longer than [`MAX_RUN`] characters (a
    /// long paragraph; binary data misread as GBK) is read in windows.
    pub fn find(&mut self, text: &str, out: &mut Vec<NameSpan>) {
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && !b[i].is_ascii() {
                i += 1;
            }
            self.find_run(text, start, i, out);
        }
    }

    /// The names of the run `text[start..end]`.
    fn find_run(&mut self, text: &str, start: usize, end: usize, out: &mut Vec<NameSpan>) {
        if text[start..end].chars().nth(MAX_RUN).is_none() {
            return self.find_in(text, start, end, CONTEXT, true, out);
        }
        // Windows of MAX_RUN characters with WINDOW_CONTEXT either side: the names that
        // start in a window's own part, none overlapping the one before.
        let mut s = start;
        while s < end {
            let e = ahead(text, s, MAX_RUN).min(end);
            let at = out.len();
            self.find_in(text, s, e, WINDOW_CONTEXT, false, out);
            let last = out[..at].last().map_or(0, |n| n.end);
            let mut kept = at;
            for k in at..out.len() {
                if out[k].start >= last {
                    out[kept] = out[k];
                    kept += 1;
                }
            }
            out.truncate(kept);
            s = e;
        }
    }

    /// The names of `text[start..end]` read with `context` characters either side: all
    /// inside it (`whole`), or all that start in it.
    fn find_in(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        context: usize,
        whole: bool,
        out: &mut Vec<NameSpan>,
    ) {
        let from = back(text, start, context);
        let to = ahead(text, end, context);
        let at = out.len();
        // The context as the model sees it (every digit alike, every letter alike), so
        // that 3号4 and 8号1 are one piece for the cache; ASCII stays one byte.
        let mut piece = std::mem::take(&mut self.piece);
        piece.clear();
        piece.extend(text[from..start].chars().map(as_seen));
        piece.push_str(&text[start..end]);
        piece.extend(text[end..to].chars().map(as_seen));
        self.find_piece(&piece, start - from, end - from, whole, out);
        self.piece = piece;
        for s in &mut out[at..] {
            s.start += from;
            s.end += from;
        }
    }

    /// The names inside bytes `start..end` of `piece` (the run; the rest is its context)
    /// — or, not `whole`, starting there — by the shipped model, through the cache.
    fn find_piece(
        &mut self,
        piece: &str,
        start: usize,
        end: usize,
        whole: bool,
        out: &mut Vec<NameSpan>,
    ) {
        let cached = whole && piece.len() <= CACHE_MAX;
        let slot = slot_of(piece);
        if let Some((t, at, spans)) = self.cache.slots[slot].as_ref().filter(|_| cached) {
            // The same piece can hold another run (李 and 李李 in "1李 李李").
            if **t == *piece && *at == start {
                out.extend_from_slice(spans);
                return;
            }
        }
        let from = out.len();
        self.find_with(Model::shipped(), piece, out);
        // Names in the context belong to the runs either side, read on their own.
        let mut kept = from;
        for k in from..out.len() {
            let inside = out[k].end <= end || (!whole && out[k].start < end);
            if out[k].start >= start && inside {
                out[kept] = out[k];
                kept += 1;
            }
        }
        out.truncate(kept);
        if cached {
            self.cache.slots[slot] = Some((piece.into(), start, out[from..].into()));
        }
    }

    /// [`Finder::find`] with another model (one just trained).
    pub fn find_with(&mut self, model: &Model, text: &str, out: &mut Vec<NameSpan>) {
        self.chars.clear();
        self.offsets.clear();
        for (b, c) in text.char_indices() {
            self.chars.push(c);
            self.offsets.push(b);
        }
        self.offsets.push(text.len());
        self.cands.clear();
        candidates(&self.chars, &mut self.cands);
        if self.cands.is_empty() {
            return;
        }
        model.scores(
            &self.chars,
            &self.cands,
            &mut self.words,
            &mut self.feats,
            &mut self.scores,
        );
        for i in model::decode(self.chars.len(), &self.cands, &self.scores, model.threshold) {
            let c = &self.cands[i];
            out.push(NameSpan {
                start: self.offsets[c.start],
                end: self.offsets[c.end],
                masked: c.shape.masked(),
            });
        }
    }
}
