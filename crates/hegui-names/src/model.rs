//! The weights: a table of `1 << BITS` numbers, stored sparsely in `data/model.bin`, and
//! the decoder that turns candidate scores into names.

use std::sync::OnceLock;

use crate::candidates::Candidate;
use crate::features::{features, Words, BITS};

const MAGIC: &[u8; 4] = b"HGNM";
const VERSION: u8 = 2;

/// The weight table.
pub struct Model {
    pub(crate) w: Vec<f32>,
    /// A candidate scoring above this is a name (chosen on a development set when the
    /// model is built).
    pub threshold: f32,
}

/// A model file that cannot be read.
#[derive(Debug)]
pub struct BadModel(pub &'static str);

impl std::fmt::Display for BadModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "name model: {}", self.0)
    }
}

impl std::error::Error for BadModel {}

impl Model {
    pub(crate) fn zero() -> Model {
        Model {
            w: vec![0.0; 1 << BITS],
            threshold: 0.0,
        }
    }

    /// The model shipped in the crate.
    pub fn shipped() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| {
            Model::from_bytes(include_bytes!("../data/model.bin"))
                .expect("the shipped name model is well formed (tested)")
        })
    }

    /// Reads a model file: magic, version, table bits, threshold, count, then (index,
    /// weight) pairs, little-endian.
    pub fn from_bytes(b: &[u8]) -> Result<Model, BadModel> {
        if b.len() < 14 || &b[..4] != MAGIC {
            return Err(BadModel("not a hegui name model"));
        }
        if b[4] != VERSION || u32::from(b[5]) != BITS {
            return Err(BadModel("made for another version of hegui"));
        }
        let threshold = f32::from_le_bytes(b[6..10].try_into().expect("4 bytes"));
        let n = u32::from_le_bytes(b[10..14].try_into().expect("4 bytes")) as usize;
        let body = &b[14..];
        if body.len() != n * 8 {
            return Err(BadModel("truncated"));
        }
        let mut m = Model::zero();
        m.threshold = threshold;
        for pair in body.chunks_exact(8) {
            let i = u32::from_le_bytes(pair[..4].try_into().expect("4 bytes")) as usize;
            let w = f32::from_le_bytes(pair[4..].try_into().expect("4 bytes"));
            *m.w.get_mut(i).ok_or(BadModel("index out of range"))? = w;
        }
        Ok(m)
    }

    /// The model file's bytes, leaving out weights too small to change a decision.
    pub fn to_bytes(&self) -> Vec<u8> {
        let kept: Vec<(usize, f32)> = self
            .w
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, w)| w.abs() >= 1e-3)
            .collect();
        let mut b = Vec::with_capacity(14 + kept.len() * 8);
        b.extend_from_slice(MAGIC);
        b.push(VERSION);
        b.push(BITS as u8);
        b.extend_from_slice(&self.threshold.to_le_bytes());
        b.extend_from_slice(&(kept.len() as u32).to_le_bytes());
        for (i, w) in kept {
            b.extend_from_slice(&(i as u32).to_le_bytes());
            b.extend_from_slice(&w.to_le_bytes());
        }
        b
    }

    #[inline]
    pub(crate) fn score(&self, feats: &[u32]) -> f32 {
        feats.iter().map(|&i| self.w[i as usize]).sum()
    }

    /// Scores every candidate of a line into `scores` (`words` and `buf` are scratch).
    pub(crate) fn scores(
        &self,
        cs: &[char],
        cands: &[Candidate],
        words: &mut Words,
        buf: &mut Vec<u32>,
        scores: &mut Vec<f32>,
    ) {
        words.reset(cs.len());
        scores.clear();
        scores.extend(cands.iter().map(|c| {
            buf.clear();
            features(cs, words, c, buf);
            self.score(buf)
        }));
    }
}

/// The candidates taken as names: best score first, above `threshold`, none overlapping
/// one taken before. Returns their indices.
pub(crate) fn decode(
    len: usize,
    cands: &[Candidate],
    scores: &[f32],
    threshold: f32,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cands.len())
        .filter(|&i| scores[i] > threshold)
        .collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut taken = vec![false; len];
    let mut chosen = Vec::new();
    for i in order {
        let c = &cands[i];
        if taken[c.start..c.end].iter().any(|&t| t) {
            continue;
        }
        taken[c.start..c.end].iter_mut().for_each(|t| *t = true);
        chosen.push(i);
    }
    chosen.sort_by_key(|&i| cands[i].start);
    chosen
}
