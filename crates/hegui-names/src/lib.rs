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
pub use train::{train, Example, TrainStats};

use candidates::{candidates, is_dot, Candidate};
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

/// Scratch space reused across lines.
#[derive(Default)]
pub struct Finder {
    chars: Vec<char>,
    offsets: Vec<usize>,
    cands: Vec<Candidate>,
    feats: Vec<u32>,
}

impl Finder {
    /// The names in one line of text (with the shipped model), appended to `out`.
    pub fn find(&mut self, text: &str, out: &mut Vec<NameSpan>) {
        self.find_with(Model::shipped(), text, out);
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
        let scores = model.scores(&self.chars, &self.cands, &mut self.feats);
        for i in model::decode(self.chars.len(), &self.cands, &scores) {
            let c = &self.cands[i];
            out.push(NameSpan {
                start: self.offsets[c.start],
                end: self.offsets[c.end],
                masked: c.shape.masked(),
            });
        }
    }
}
