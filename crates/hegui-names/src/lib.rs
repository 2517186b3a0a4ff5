//! Chinese person names in running text.
//!
//! A name is found in two steps. [`candidates`](crate::candidates) lists every span that
//! could be one — a surname from the list (483 single, 75 compound) with one or two
//! given-name characters, a title after it (陈先生, 王建国院长), 某 after it (陈某), a
//! familiar prefix before it (小刘), minority name elements (次仁央宗) or parts around a
//! middle dot (买买提·艾力). Then a linear model scores each candidate from its features —
//! the characters around it, how common its surname and given-name characters are, which
//! words cross its edges — and the best-scoring spans that do not overlap are the names.
//! The model is an averaged perceptron trained by [`train`] on a corpus built by
//! `tools/names/`; its weights ship in `data/model.bin`.
//!
//! Lines without a character that can start a candidate cost one table lookup per
//! character ([`might_hold`]).

mod candidates;
mod features;
mod lexicon;
mod marks;
mod model;
mod train;

pub use marks::unmark;
pub use model::{BadModel, Model};
pub use train::{choose_threshold, iou, train, Example, TrainStats};

use candidates::{candidates, is_dot, Candidate};
use features::Words;
use lexicon::{Lexicon, STARTS};

/// A name found: its byte range in the text, and whether it is masked (陈某).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameSpan {
    pub start: usize,
    pub end: usize,
    pub masked: bool,
}

/// Whether a text has a character a name can start with (cheap: no model runs).
pub fn might_hold(text: &str) -> bool {
    let lex = Lexicon::get();
    text.chars()
        .any(|c| lex.flags(c) & STARTS != 0 || is_dot(c))
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
            shape: format!("{:?}", c.shape),
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
}

/// The names of recently seen short texts: a column's cells repeat (product names,
/// statuses), and a repeated cell is read once. Direct-mapped, keyed by the whole text.
struct Cache {
    slots: Vec<Option<Cached>>,
}

/// A text and the names found in it.
type Cached = (Box<str>, Box<[NameSpan]>);

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            slots: vec![None; CACHE_SLOTS],
        }
    }
}

const CACHE_SLOTS: usize = 4096;
/// Texts longer than this are not cached (lines of a log rarely repeat).
const CACHE_MAX: usize = 64;

fn slot_of(text: &str) -> usize {
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (h >> 32) as usize % CACHE_SLOTS
}

impl Finder {
    /// The names in one line of text (with the shipped model), appended to `out`.
    pub fn find(&mut self, text: &str, out: &mut Vec<NameSpan>) {
        if text.len() > CACHE_MAX {
            return self.find_with(Model::shipped(), text, out);
        }
        let slot = slot_of(text);
        if let Some((t, spans)) = &self.cache.slots[slot] {
            if **t == *text {
                out.extend_from_slice(spans);
                return;
            }
        }
        let from = out.len();
        self.find_with(Model::shipped(), text, out);
        self.cache.slots[slot] = Some((text.into(), out[from..].into()));
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
