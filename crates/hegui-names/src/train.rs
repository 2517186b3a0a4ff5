//! Training: a structured averaged perceptron over lines with their names marked `⟦…⟧`.
//! Each line is decoded with the current weights; every span taken that is no name is
//! pushed down and every name missed is pushed up. The averaged weights are the model.

use crate::candidates::{candidates, Candidate};
use crate::features::{features, Words};
use crate::marks::unmark;
use crate::model::{decode, Model};

/// One training line: its characters and the character spans of its names.
pub struct Example {
    chars: Vec<char>,
    gold: Vec<(usize, usize)>,
}

impl Example {
    /// A line with its names marked `⟦…⟧`.
    pub fn from_marked(line: &str) -> Example {
        let (text, spans) = unmark(line);
        let mut char_at = vec![0usize; text.len() + 1];
        let mut n = 0;
        for (b, _) in text.char_indices() {
            char_at[b] = n;
            n += 1;
        }
        char_at[text.len()] = n;
        Example {
            chars: text.chars().collect(),
            gold: spans
                .iter()
                .map(|&(a, b)| (char_at[a], char_at[b]))
                .collect(),
        }
    }
}

/// What a training run did.
#[derive(Debug, Default, Clone)]
pub struct TrainStats {
    /// Names in the corpus, and how many of them are a candidate (the recall ceiling).
    pub names: usize,
    pub reachable: usize,
    /// The first few names that are no candidate, for the corpus builder to look at.
    pub unreachable: Vec<String>,
    /// Mistakes (spans wrongly taken plus names missed) in each epoch.
    pub mistakes: Vec<usize>,
}

/// The share of features (in %) each line's update leaves out.
const DROPOUT_PERCENT: u64 = 25;

/// Trains a model on `examples` for `epochs` passes, in an order shuffled by `seed`.
pub fn train(examples: &[Example], epochs: usize, seed: u64) -> (Model, TrainStats) {
    let mut w = Model::zero();
    // Sum of (step × update), for the average: avg = w − acc / steps.
    let mut acc = vec![0.0f64; w.w.len()];
    let mut step = 1.0f64;
    let mut stats = TrainStats::default();
    let prepared: Vec<(Vec<Candidate>, Vec<Vec<u32>>)> = examples
        .iter()
        .map(|ex| {
            let mut cands = Vec::new();
            candidates(&ex.chars, &mut cands);
            let mut words = Words::default();
            words.reset(ex.chars.len());
            let feats = cands
                .iter()
                .map(|c| {
                    let mut f = Vec::new();
                    features(&ex.chars, &mut words, c, &mut f);
                    f
                })
                .collect();
            (cands, feats)
        })
        .collect();
    for (ex, (cands, _)) in examples.iter().zip(&prepared) {
        stats.names += ex.gold.len();
        for g in &ex.gold {
            if cands.iter().any(|c| (c.start, c.end) == *g) {
                stats.reachable += 1;
            } else if stats.unreachable.len() < 30 {
                stats.unreachable.push(ex.chars[g.0..g.1].iter().collect());
            }
        }
    }
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = seed | 1;
    for _ in 0..epochs {
        shuffle(&mut order, &mut rng);
        let mut mistakes = 0;
        for &k in &order {
            let (ex, (cands, feats)) = (&examples[k], &prepared[k]);
            // Dropout: each feature is left out of this line's scores and updates with
            // probability DROPOUT_PERCENT, so that no single context decides a name alone.
            let kept: Vec<Vec<u32>> = feats
                .iter()
                .map(|f| {
                    f.iter()
                        .copied()
                        .filter(|_| next(&mut rng) % 100 >= DROPOUT_PERCENT)
                        .collect()
                })
                .collect();
            let feats = &kept;
            let scores: Vec<f32> = feats.iter().map(|f| w.score(f)).collect();
            let chosen = decode(ex.chars.len(), cands, &scores, 0.0);
            let is_gold = |c: &Candidate| ex.gold.contains(&(c.start, c.end));
            let mut update = |i: usize, d: f32| {
                for &f in &feats[i] {
                    w.w[f as usize] += d;
                    acc[f as usize] += step * f64::from(d);
                }
            };
            for &i in &chosen {
                if !is_gold(&cands[i]) {
                    update(i, -1.0);
                    mistakes += 1;
                }
            }
            // A name missed: the best-scoring candidate of its span goes up (a span can
            // be a candidate of more than one shape: 王院长 is titled and full).
            for g in &ex.gold {
                let same = |i: &usize| (cands[*i].start, cands[*i].end) == *g;
                if chosen.iter().any(same) {
                    continue;
                }
                let best = (0..cands.len())
                    .filter(same)
                    .max_by(|&a, &b| scores[a].total_cmp(&scores[b]));
                if let Some(i) = best {
                    update(i, 1.0);
                    mistakes += 1;
                }
            }
            step += 1.0;
        }
        stats.mistakes.push(mistakes);
    }
    for (wi, ai) in w.w.iter_mut().zip(&acc) {
        *wi -= (*ai / step) as f32;
    }
    (w, stats)
}

/// Sets the model's threshold from the marked lines of a development set: of the
/// thresholds from −20 to 5 (steps of 1), the one whose F1 of name spans (IoU ≥ 0.5),
/// averaged with its two neighbours either side, is best — the middle of the plateau, not
/// a lucky point of a small set. Returns it with its own F1.
pub fn choose_threshold(model: &mut Model, dev: &[String]) -> (f32, f64) {
    let marked: Vec<(String, Vec<(usize, usize)>)> = dev.iter().map(|l| unmark(l)).collect();
    let mut finder = crate::Finder::default();
    let grid: Vec<i32> = (-20..=5).collect();
    let f1s: Vec<f64> = grid
        .iter()
        .map(|&t| {
            model.threshold = t as f32;
            let (mut gold, mut found, mut tp) = (0usize, 0usize, 0usize);
            for (text, spans) in &marked {
                let mut out = Vec::new();
                finder.find_with(model, text, &mut out);
                gold += spans.len();
                found += out.len();
                tp += out
                    .iter()
                    .filter(|f| spans.iter().any(|&g| iou(g, (f.start, f.end)) >= 0.5))
                    .count();
            }
            let p = tp as f64 / found.max(1) as f64;
            let r = tp as f64 / gold.max(1) as f64;
            if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            }
        })
        .collect();
    let smooth = |i: usize| {
        let w = &f1s[i.saturating_sub(2)..(i + 3).min(f1s.len())];
        w.iter().sum::<f64>() / w.len() as f64
    };
    // Of equal smoothed F1, the higher threshold (the last such).
    let best = (0..grid.len())
        .max_by(|&a, &b| smooth(a).total_cmp(&smooth(b)).then(a.cmp(&b)))
        .unwrap_or(0);
    model.threshold = grid[best] as f32;
    (model.threshold, f1s[best])
}

/// How much two byte ranges overlap: intersection over union.
pub fn iou(a: (usize, usize), b: (usize, usize)) -> f64 {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    let union = a.1.max(b.1) - a.0.min(b.0);
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// xorshift64: the same sequence for the same seed on every machine.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Fisher–Yates shuffle.
fn shuffle(v: &mut [usize], state: &mut u64) {
    for i in (1..v.len()).rev() {
        let j = (next(state) % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}
