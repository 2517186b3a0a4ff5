//! Attribute sampling for tests of controls: how many items to test, and which.
//!
//! **Size.** The smallest n such that, if the true deviation rate were the tolerable rate,
//! finding at most the expected number of deviations (⌈expected rate × n⌉) would have
//! probability at most 1 − confidence (binomial). With no expected deviations this is
//! n = ⌈ln(1 − confidence) / ln(1 − tolerable)⌉; the results agree with the AICPA
//! attribute-sampling tables (e.g. 95 % confidence, 5 % tolerable, 0 % expected → 59;
//! 1 % expected → 93). A population smaller than n is tested in full.
//!
//! **Selection.** Robert Floyd's algorithm over items 1..=N, driven by SplitMix64 seeded
//! with the stated seed; the chosen item numbers are returned sorted. Anyone with the
//! population size, the sample size and the seed gets the same items.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// A sampling plan and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Confidence level, percent (e.g. 95).
    pub confidence: f64,
    /// Tolerable deviation rate, percent (e.g. 5).
    pub tolerable: f64,
    /// Expected deviation rate, percent (e.g. 0 or 1).
    pub expected: f64,
    pub population: u64,
    pub size: u64,
    pub seed: u64,
    /// The 1-based item numbers selected, sorted.
    pub items: Vec<u64>,
}

/// Why a plan cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamplingError {
    #[error("confidence must be between 50 and 99.9 percent")]
    Confidence,
    #[error("the tolerable deviation rate must be between 0.5 and 50 percent")]
    Tolerable,
    #[error("the expected deviation rate must be at least 0 and below the tolerable rate")]
    Expected,
    #[error("the population is empty")]
    Population,
}

/// ln C(n, k).
fn ln_choose(n: u64, k: u64) -> f64 {
    (1..=k)
        .map(|i| ((n - k + i) as f64).ln() - (i as f64).ln())
        .sum()
}

/// P(X ≤ k) for X ~ Binomial(n, p).
fn binomial_cdf(n: u64, k: u64, p: f64) -> f64 {
    (0..=k.min(n))
        .map(|i| (ln_choose(n, i) + i as f64 * p.ln() + (n - i) as f64 * (1.0 - p).ln()).exp())
        .sum()
}

/// The sample size for a confidence, tolerable and expected deviation rate (percent).
pub fn size(confidence: f64, tolerable: f64, expected: f64) -> Result<u64, SamplingError> {
    if !(50.0..=99.9).contains(&confidence) {
        return Err(SamplingError::Confidence);
    }
    if !(0.5..=50.0).contains(&tolerable) {
        return Err(SamplingError::Tolerable);
    }
    if !(0.0..tolerable).contains(&expected) {
        return Err(SamplingError::Expected);
    }
    let (c, t, e) = (confidence / 100.0, tolerable / 100.0, expected / 100.0);
    let risk = 1.0 - c;
    let mut n = 1u64;
    loop {
        let k = (e * n as f64).ceil() as u64;
        if binomial_cdf(n, k, t) <= risk + 1e-12 {
            return Ok(n);
        }
        n += 1;
    }
}

/// `k` distinct item numbers from 1..=`population`, reproducibly from `seed` (Floyd).
pub fn select(population: u64, k: u64, seed: u64) -> Vec<u64> {
    let k = k.min(population);
    let mut rng = Rng::new(seed);
    let mut chosen = std::collections::BTreeSet::new();
    for j in (population - k + 1)..=population {
        let t = 1 + rng.below(j);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen.into_iter().collect()
}

/// Sizes and selects a sample.
pub fn plan(
    confidence: f64,
    tolerable: f64,
    expected: f64,
    population: u64,
    seed: u64,
) -> Result<Sample, SamplingError> {
    if population == 0 {
        return Err(SamplingError::Population);
    }
    let size = size(confidence, tolerable, expected)?.min(population);
    Ok(Sample {
        confidence,
        tolerable,
        expected,
        population,
        size,
        seed,
        items: select(population, size, seed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_aicpa_tables() {
        // AICPA Audit Guide: Audit Sampling, Table A-1 (5 % risk) and A-2 (10 % risk).
        assert_eq!(size(95.0, 5.0, 0.0), Ok(59));
        assert_eq!(size(95.0, 5.0, 1.0), Ok(93));
        assert_eq!(size(95.0, 10.0, 0.0), Ok(29));
        assert_eq!(size(95.0, 2.0, 0.0), Ok(149));
        assert_eq!(size(90.0, 5.0, 0.0), Ok(45));
        assert_eq!(size(90.0, 10.0, 0.0), Ok(22));
        assert_eq!(size(90.0, 5.0, 1.0), Ok(77));
    }

    #[test]
    fn bad_plans_say_why() {
        assert_eq!(size(100.0, 5.0, 0.0), Err(SamplingError::Confidence));
        assert_eq!(size(95.0, 0.0, 0.0), Err(SamplingError::Tolerable));
        assert_eq!(size(95.0, 5.0, 5.0), Err(SamplingError::Expected));
        assert_eq!(plan(95.0, 5.0, 0.0, 0, 1), Err(SamplingError::Population));
    }

    #[test]
    fn selection_is_reproducible_distinct_and_in_range() {
        let a = select(120_000, 59, 42);
        assert_eq!(a, select(120_000, 59, 42));
        assert_ne!(a, select(120_000, 59, 43));
        assert_eq!(a.len(), 59);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert!(a.iter().all(|&i| (1..=120_000).contains(&i)));
        // A small population is tested in full.
        let p = plan(95.0, 5.0, 0.0, 40, 7).unwrap();
        assert_eq!((p.size, p.items), (40, (1..=40).collect::<Vec<_>>()));
    }
}
