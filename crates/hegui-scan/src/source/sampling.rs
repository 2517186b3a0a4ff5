//! Sampling rows as they are read: the first N, or a seeded random sample.

use crate::options::Sample;
use crate::rng::Rng;
use crate::source::error::SourceError;

/// Feeds numbered rows (1-based) through the sampling plan: rows to scan now go to `each`
/// at once; a random sample is held and handed over in row order at the end.
pub(crate) fn sampled<T>(
    plan: Sample,
    rows: impl IntoIterator<Item = Result<T, SourceError>>,
    mut each: impl FnMut(u64, T) -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    let mut sampler: Sampler<(u64, T)> = Sampler::new(plan);
    for (i, row) in rows.into_iter().enumerate() {
        match sampler.offer((i as u64 + 1, row?)) {
            Ok(Some((n, r))) => each(n, r)?,
            Ok(None) => {}
            Err(()) => break,
        }
    }
    let mut rest = sampler.finish();
    rest.sort_by_key(|(n, _)| *n);
    for (n, r) in rest {
        each(n, r)?;
    }
    Ok(())
}

/// Applies the sampling plan to a stream of rows: `keep(row)` says whether to scan it now;
/// random rows are held in a reservoir and handed back by `finish`.
pub(crate) struct Sampler<T> {
    pub(crate) plan: Sample,
    pub(crate) rng: Rng,
    pub(crate) seen: u64,
    pub(crate) reservoir: Vec<T>,
}

impl<T> Sampler<T> {
    pub(crate) fn new(plan: Sample) -> Self {
        let seed = match plan {
            Sample::RandomRows { seed, .. } | Sample::Percent { seed, .. } => seed,
            _ => 0,
        };
        Sampler {
            plan,
            rng: Rng::new(seed),
            seen: 0,
            reservoir: Vec::new(),
        }
    }

    /// `Some(row)` to scan now, `None` to skip or hold; `Err(())` once no more rows are needed.
    pub(crate) fn offer(&mut self, row: T) -> Result<Option<T>, ()> {
        self.seen += 1;
        match self.plan {
            Sample::Full => Ok(Some(row)),
            Sample::FirstRows(n) => {
                if self.seen > n {
                    Err(())
                } else {
                    Ok(Some(row))
                }
            }
            Sample::Percent { percent, .. } => {
                Ok((self.rng.unit() * 100.0 < percent).then_some(row))
            }
            Sample::RandomRows { rows, .. } => {
                if (self.reservoir.len() as u64) < rows {
                    self.reservoir.push(row);
                } else {
                    let j = self.rng.next_u64() % self.seen;
                    if j < rows {
                        self.reservoir[j as usize] = row;
                    }
                }
                Ok(None)
            }
        }
    }

    pub(crate) fn finish(self) -> Vec<T> {
        self.reservoir
    }
}
