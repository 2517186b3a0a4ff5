//! Measuring person names in running text (`hegui bench names`): hand-written sentences
//! with every name marked `⟦…⟧`, scanned with the marks removed, each found name span
//! matched to a marked one on the same line when their byte ranges overlap by IoU ≥ 0.5.
//! Precision, recall and F1 per file (one file per domain) and over all, recall on masked
//! names (陈某) on their own, and the time of the scan on one thread.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::report::Finding;
use crate::scan::{scan, Output, Sample, ScanError, ScanOptions};
use crate::{Kind, KindSet};

pub use hegui_names::{iou, unmark};

/// One file's (or the whole set's) score.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NameScore {
    pub file: String,
    pub lines: u64,
    pub names: u64,
    pub found: u64,
    pub true_positives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl NameScore {
    fn finish(mut self) -> NameScore {
        let (tp, f, t) = (
            self.true_positives as f64,
            self.found as f64,
            self.names as f64,
        );
        self.precision = if f == 0.0 { 0.0 } else { tp / f };
        self.recall = if t == 0.0 { 0.0 } else { tp / t };
        self.f1 = if self.precision + self.recall == 0.0 {
            0.0
        } else {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        };
        self
    }
}

/// The whole measurement.
#[derive(Debug, Clone, Serialize)]
pub struct NamesReport {
    pub files: Vec<NameScore>,
    pub total: NameScore,
    /// Masked names (with 某): how many, and how many were found.
    pub masked: (u64, u64),
    /// Found spans matching no marked name, with their line (for reading, not scoring).
    pub false_positives: Vec<(String, u64, String)>,
    /// Marked names not found.
    pub missed: Vec<(String, u64, String)>,
    pub bytes: u64,
    pub seconds: f64,
}

struct Spans(Vec<(String, u64, usize, usize)>);

impl Output for Spans {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        let file = crate::eval::file_name(f.source);
        self.0.push((file, f.line.unwrap_or(0), f.start, f.end));
        Ok(())
    }
}

/// Marked lines of one file: (line number, text, gold spans).
type Marked = Vec<(u64, String, Vec<(usize, usize)>)>;

/// Scores the `*.txt` files of `dir` for person names; the unmarked text is written under
/// `work`.
pub fn score_names(dir: &Path, work: &Path, opts: &ScanOptions) -> Result<NamesReport, ScanError> {
    score_spans(dir, work, opts, Kind::PersonName)
}

/// How many times the speed part scans the set's text (about 2.5 MB in all for the names
/// set), each time on a new thread: the name model's cache of pieces is per thread, and a
/// text read again would come from it.
pub const SPEED_COPIES: usize = 40;

/// Scores the `*.txt` files of `dir` for spans of `kind` (names, addresses) marked `⟦…⟧`;
/// the unmarked text is written under `work`. The time is that of [`SPEED_COPIES`] more
/// scans of the text, after the first has loaded every table, each on a fresh thread.
pub fn score_spans(
    dir: &Path,
    work: &Path,
    opts: &ScanOptions,
    kind: Kind,
) -> Result<NamesReport, ScanError> {
    let mut files: BTreeMap<String, Marked> = BTreeMap::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| ScanError::File(dir.display().to_string(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    entries.sort();
    let text_dir = work.join("text");
    let speed_dir = work.join("speed");
    for d in [&text_dir, &speed_dir] {
        std::fs::create_dir_all(d).map_err(|e| ScanError::File(d.display().to_string(), e))?;
    }
    let mut all = String::new();
    for p in &entries {
        let text =
            std::fs::read_to_string(p).map_err(|e| ScanError::File(p.display().to_string(), e))?;
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let mut clean = String::new();
        let mut marked = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let (t, spans) = unmark(line);
            clean.push_str(&t);
            clean.push('\n');
            marked.push((i as u64 + 1, t, spans));
        }
        all.push_str(&clean);
        let out = text_dir.join(&name);
        std::fs::write(&out, &clean).map_err(|e| ScanError::File(out.display().to_string(), e))?;
        files.insert(name, marked);
    }
    let mut o = opts.clone();
    o.sample = Sample::Full;
    o.kinds = KindSet::of(&[kind]);
    let one_thread = || {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("thread pool")
    };
    let mut found = Spans(Vec::new());
    one_thread().install(|| scan(std::slice::from_ref(&text_dir), &o, &mut found))?;
    // The speed runs read the whole set as one file.
    let speed_file = speed_dir.join("all.txt");
    std::fs::write(&speed_file, &all)
        .map_err(|e| ScanError::File(speed_file.display().to_string(), e))?;
    let mut seconds = 0.0;
    for _ in 0..SPEED_COPIES {
        let pool = one_thread();
        let started = Instant::now();
        pool.install(|| {
            scan(
                std::slice::from_ref(&speed_file),
                &o,
                &mut Spans(Vec::new()),
            )
        })?;
        seconds += started.elapsed().as_secs_f64();
    }
    let bytes = (all.len() * SPEED_COPIES) as u64;
    Ok(compare(&files, &found.0, bytes, seconds))
}

fn compare(
    files: &BTreeMap<String, Marked>,
    found: &[(String, u64, usize, usize)],
    bytes: u64,
    seconds: f64,
) -> NamesReport {
    let mut scores = Vec::new();
    let mut total = NameScore {
        file: "all".into(),
        ..NameScore::default()
    };
    let mut masked = (0u64, 0u64);
    let (mut false_positives, mut missed) = (Vec::new(), Vec::new());
    for (name, lines) in files {
        let mut s = NameScore {
            file: name.clone(),
            lines: lines.len() as u64,
            ..NameScore::default()
        };
        for (n, text, gold) in lines {
            let mine: Vec<(usize, usize)> = found
                .iter()
                .filter(|f| &f.0 == name && f.1 == *n)
                .map(|f| (f.2, f.3))
                .collect();
            let mut used = vec![false; mine.len()];
            for &g in gold {
                let is_masked = text[g.0..g.1].contains('某');
                masked.0 += u64::from(is_masked);
                let hit = mine
                    .iter()
                    .enumerate()
                    .find(|&(i, &m)| !used[i] && iou(g, m) >= 0.5)
                    .map(|(i, _)| i);
                match hit {
                    Some(i) => {
                        used[i] = true;
                        s.true_positives += 1;
                        masked.1 += u64::from(is_masked);
                    }
                    None => missed.push((name.clone(), *n, text[g.0..g.1].to_string())),
                }
            }
            for (i, m) in mine.iter().enumerate() {
                if !used[i] {
                    let span = text.get(m.0..m.1).unwrap_or("").to_string();
                    false_positives.push((name.clone(), *n, span));
                }
            }
            s.names += gold.len() as u64;
            s.found += mine.len() as u64;
        }
        total.lines += s.lines;
        total.names += s.names;
        total.found += s.found;
        total.true_positives += s.true_positives;
        scores.push(s.finish());
    }
    NamesReport {
        files: scores,
        total: total.finish(),
        masked,
        false_positives,
        missed,
        bytes,
        seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_come_off_and_spans_are_bytes() {
        let (t, s) = unmark("用户⟦王秀英⟧来电，⟦陈先生⟧称");
        assert_eq!(t, "用户王秀英来电，陈先生称");
        assert_eq!(s, [(6, 15), (24, 33)]);
        assert_eq!(&t[6..15], "王秀英");
    }

    #[test]
    fn a_match_needs_half_the_union() {
        assert_eq!(iou((0, 9), (0, 9)), 1.0);
        // 王秀英 found as 王秀: 6 of 9 bytes.
        assert!(iou((0, 9), (0, 6)) >= 0.5);
        // 陈 alone of 陈先生: 3 of 9.
        assert!(iou((0, 9), (0, 3)) < 0.5);
        assert_eq!(iou((0, 3), (6, 9)), 0.0);
    }

    #[test]
    fn one_found_span_matches_one_name() {
        let mut files = BTreeMap::new();
        let (t, g) = unmark("⟦张三⟧和⟦李四⟧");
        files.insert("a.txt".to_string(), vec![(1, t, g)]);
        // One span covering both names matches neither (IoU < 0.5 with each); one exact.
        let found = vec![
            ("a.txt".to_string(), 1, 0, 6),
            ("a.txt".to_string(), 1, 0, 15),
        ];
        let r = compare(&files, &found, 0, 0.0);
        assert_eq!(
            (r.total.names, r.total.found, r.total.true_positives),
            (2, 2, 1)
        );
        assert_eq!(r.missed.len(), 1);
        assert_eq!(r.false_positives.len(), 1);
    }
}
