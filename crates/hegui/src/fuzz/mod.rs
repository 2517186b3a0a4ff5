//! A mutation fuzzer on the stable toolchain for every parser that reads what a user (or an
//! adversary) hands hegui. Each target starts from real files (the tests' own examples, a
//! generated corpus, an export of a worked engagement) and feeds it mutated inputs: bits
//! flipped, bytes inserted and deleted, chunks duplicated and repeated, other seeds
//! spliced in, the format's own tokens inserted, the input truncated. An input that panics,
//! that a target reports as a bug (a detector failure), or that takes longer than a second
//! is kept as a crasher. `hegui bench fuzz` runs the targets; the regression test replays
//! `crates/hegui/tests/fuzz-regressions/TARGET/*`.

pub mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use hegui_core::rng::Rng;
use serde::Serialize;

/// The largest input a mutation makes (hostile sizes are the limits' tests' business; the
/// fuzzer looks for wrong handling of shapes).
const MAX_INPUT: usize = 1 << 20;
/// An execution that raises the process's peak memory by this much is kept for a look.
const MEMORY_JUMP_MB: f64 = 64.0;
/// An execution slower than this is a finding.
pub const SLOW: Duration = Duration::from_secs(1);

/// One parser under test: how to run an input through it. `Err` means a bug that did not
/// panic (a detector failure the scanner caught); an input the parser rejects is `Ok`.
pub trait Target {
    fn name(&self) -> &'static str;
    /// Real inputs to start from.
    fn seeds(&self) -> Vec<Vec<u8>>;
    /// The format's own tokens, inserted by mutations.
    fn tokens(&self) -> &'static [&'static [u8]];
    fn run(&mut self, input: &[u8]) -> Result<(), String>;
    /// Inputs on which a library hegui calls panicked and hegui caught it (reported as
    /// the source's error): not crashes, but worth knowing.
    fn caught(&self) -> u64 {
        0
    }
}

/// What a run of one target found.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Stats {
    pub target: String,
    pub execs: u64,
    pub seconds: f64,
    pub panics: u64,
    /// Bugs reported without a panic (a detector failure caught by the scanner).
    pub bugs: u64,
    pub slowest_ms: f64,
    pub over_1s: u64,
    /// Library panics caught by hegui (see [`Target::caught`]).
    #[serde(default)]
    pub caught: u64,
    pub peak_rss_mb: f64,
    /// Where the crashers were written.
    pub crashers: Vec<String>,
}

/// Runs one input, catching a panic. Returns the outcome and how long it took.
pub fn exec(t: &mut dyn Target, input: &[u8]) -> (Result<(), String>, Duration) {
    let start = Instant::now();
    let r = catch_unwind(AssertUnwindSafe(|| t.run(input)));
    let took = start.elapsed();
    let r = match r {
        Ok(r) => r,
        Err(p) => Err(format!(
            "panic: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    };
    (r, took)
}

/// Mutates a copy of `base`, using `others` for splices and `tokens` for insertions.
pub fn mutate(rng: &mut Rng, base: &[u8], others: &[Vec<u8>], tokens: &[&[u8]]) -> Vec<u8> {
    let mut v = base.to_vec();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = v.len() as u64;
        let at = |rng: &mut Rng| {
            if len == 0 {
                0
            } else {
                rng.below(len + 1) as usize
            }
        };
        match rng.below(10) {
            0 if !v.is_empty() => {
                let i = rng.below(len) as usize;
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(len) as usize;
                v[i] = rng.next_u64() as u8;
            }
            2 => {
                let i = at(rng);
                v.insert(i.min(v.len()), rng.next_u64() as u8);
            }
            3 if !v.is_empty() => {
                let i = rng.below(len) as usize;
                let n = (1 + rng.below(64) as usize).min(v.len() - i);
                v.drain(i..i + n);
            }
            4 if !v.is_empty() => {
                // Duplicate a chunk in place.
                let i = rng.below(len) as usize;
                let n = (1 + rng.below(256) as usize).min(v.len() - i);
                let chunk = v[i..i + n].to_vec();
                let j = at(rng).min(v.len());
                v.splice(j..j, chunk);
            }
            5 if !v.is_empty() => {
                // Repeat a small chunk many times (deep nesting, long lines, wide rows).
                let i = rng.below(len) as usize;
                let n = (1 + rng.below(8) as usize).min(v.len() - i);
                let chunk = v[i..i + n].to_vec();
                let times = 1 + rng.below(2000) as usize;
                let j = at(rng).min(v.len());
                v.splice(j..j, chunk.repeat(times));
            }
            6 if !others.is_empty() => {
                // Splice a piece of another seed.
                let o = rng.pick(others);
                if !o.is_empty() {
                    let i = rng.below(o.len() as u64) as usize;
                    let n = (1 + rng.below(512) as usize).min(o.len() - i);
                    let j = at(rng).min(v.len());
                    v.splice(j..j, o[i..i + n].iter().copied());
                }
            }
            7 if !tokens.is_empty() => {
                let tok = rng.pick(tokens);
                let j = at(rng).min(v.len());
                v.splice(j..j, tok.iter().copied());
            }
            8 if !v.is_empty() => {
                let n = rng.below(len) as usize;
                v.truncate(n);
            }
            _ if !tokens.is_empty() && !v.is_empty() => {
                // Replace a chunk by a token.
                let i = rng.below(len) as usize;
                let n = (1 + rng.below(16) as usize).min(v.len() - i);
                let tok = rng.pick(tokens);
                v.splice(i..i + n, tok.iter().copied());
            }
            _ => {}
        }
        v.truncate(MAX_INPUT);
    }
    v
}

/// Runs `t` for `budget` (or `max_execs`, whichever ends first), keeping crashers in
/// `crashers` (a directory, created when the first is kept).
pub fn run(
    t: &mut dyn Target,
    budget: Duration,
    max_execs: u64,
    seed: u64,
    crashers: &std::path::Path,
) -> Stats {
    quiet_panics();
    let seeds = t.seeds();
    let tokens = t.tokens();
    let mut rng = Rng::new(seed);
    let mut stats = Stats {
        target: t.name().into(),
        ..Stats::default()
    };
    let start = Instant::now();
    // The seeds themselves first: each must pass.
    let mut queue: Vec<Vec<u8>> = seeds.clone();
    while stats.execs < max_execs && start.elapsed() < budget {
        let input = match queue.pop() {
            Some(s) => s,
            None => {
                let base = rng.pick(&seeds).clone();
                mutate(&mut rng, &base, &seeds, tokens)
            }
        };
        let before = peak_rss_mb();
        let (r, took) = exec(t, &input);
        // The input that raised the peak by this much is worth a look.
        let grew = peak_rss_mb() - before > MEMORY_JUMP_MB;
        stats.execs += 1;
        let ms = took.as_secs_f64() * 1000.0;
        stats.slowest_ms = stats.slowest_ms.max(ms);
        let slow = took > SLOW;
        stats.over_1s += u64::from(slow);
        let problem = match (&r, slow) {
            (Err(m), _) if m.starts_with("panic") => {
                stats.panics += 1;
                Some("panic")
            }
            (Err(_), _) => {
                stats.bugs += 1;
                Some("bug")
            }
            (Ok(()), true) => Some("slow"),
            _ if grew => Some("memory"),
            _ => None,
        };
        if let Some(kind) = problem {
            if let Some(p) = keep(crashers, t.name(), kind, stats.execs, &input, &r) {
                stats.crashers.push(p);
            }
        }
    }
    stats.seconds = start.elapsed().as_secs_f64();
    stats.caught = t.caught();
    stats.peak_rss_mb = peak_rss_mb();
    stats
}

/// Panics are counted and kept, not printed: the default hook would also capture a
/// backtrace (with `RUST_BACKTRACE` set), whose symbols cost hundreds of MB and far more
/// time than the input did.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

/// Writes a crasher (and what happened) under `dir/TARGET/`; at most 20 per target.
fn keep(
    dir: &std::path::Path,
    target: &str,
    kind: &str,
    n: u64,
    input: &[u8],
    r: &Result<(), String>,
) -> Option<String> {
    let d = dir.join(target);
    std::fs::create_dir_all(&d).ok()?;
    if std::fs::read_dir(&d).map(|r| r.count()).unwrap_or(0) >= 40 {
        return None;
    }
    let path = d.join(format!("{kind}-{n}.bin"));
    std::fs::write(&path, input).ok()?;
    let why = match (r, kind) {
        (Err(m), _) => m.clone(),
        (Ok(()), "memory") => format!("raised the peak memory by more than {MEMORY_JUMP_MB} MB"),
        (Ok(()), _) => "slower than 1 s".into(),
    };
    std::fs::write(path.with_extension("txt"), why).ok()?;
    Some(path.display().to_string())
}

/// The process's peak resident memory.
pub fn peak_rss_mb() -> f64 {
    // SAFETY: getrusage writes into the struct we pass; zeroed is a valid rusage.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } == 0;
    if ok {
        u.ru_maxrss as f64 / 1024.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_stay_bounded_and_vary() {
        let mut rng = Rng::new(3);
        let base = b"a: [1, 2]\nb: x\n".to_vec();
        let mut distinct = std::collections::HashSet::new();
        for _ in 0..2000 {
            let m = mutate(
                &mut rng,
                &base,
                std::slice::from_ref(&base),
                &[b"*a", b"&a"],
            );
            assert!(m.len() <= MAX_INPUT);
            distinct.insert(m);
        }
        assert!(distinct.len() > 1500);
    }
}
