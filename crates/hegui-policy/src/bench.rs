//! Scoring against a labelled set: a directory of policies and `truth.toml`, which gives
//! every element's status per file as a careful reader judges it. The score is element-level
//! precision, recall and F1 of the flags (absent or deficient), and exact status agreement.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::judge::Status;
use crate::Error;

/// One policy's outcome against its truth.
#[derive(Debug, Clone, Serialize)]
pub struct FileScore {
    pub file: String,
    pub elements: usize,
    /// Elements whose status equals the truth.
    pub agree: usize,
    pub true_flags: usize,
    pub false_flags: usize,
    pub missed_flags: usize,
    /// (element, truth, found) where they differ.
    pub differences: Vec<(String, String, String)>,
}

/// The whole set's score.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub files: Vec<FileScore>,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Flags raised on policies whose truth has none.
    pub false_flags_on_complete: usize,
}

/// Every file's truth: file name → element → status.
pub fn truth(dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, String>>, Error> {
    let path = dir.join("truth.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Parse(format!("{}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| Error::Parse(format!("{}: {e}", path.display())))
}

/// Analyses every file named in `dir/truth.toml` and scores it.
pub fn score(dir: &Path) -> Result<Score, Error> {
    let truth = truth(dir)?;
    let mut files = Vec::new();
    for (name, expected) in &truth {
        let (fmt, doc) = crate::extract::read(&dir.join(name))?;
        let an = crate::check(name, fmt.name(), &doc, &BTreeMap::new())?;
        let mut s = FileScore {
            file: name.clone(),
            elements: 0,
            agree: 0,
            true_flags: 0,
            false_flags: 0,
            missed_flags: 0,
            differences: Vec::new(),
        };
        for v in &an.elements {
            let want = expected.get(&v.id).map(String::as_str).unwrap_or("");
            let flagged_truth = matches!(want, "absent" | "deficient");
            s.elements += 1;
            if want == v.status.name() {
                s.agree += 1;
            } else {
                s.differences
                    .push((v.id.clone(), want.to_string(), v.status.name().to_string()));
            }
            match (flagged_truth, v.status.flagged()) {
                (true, true) => s.true_flags += 1,
                (false, true) => s.false_flags += 1,
                (true, false) => s.missed_flags += 1,
                (false, false) => {}
            }
        }
        files.push(s);
    }
    let sum = |f: fn(&FileScore) -> usize| files.iter().map(f).sum::<usize>() as f64;
    let (tp, fp, fn_) = (
        sum(|s| s.true_flags),
        sum(|s| s.false_flags),
        sum(|s| s.missed_flags),
    );
    let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 1.0 };
    let recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 1.0 };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let false_flags_on_complete = files
        .iter()
        .filter(|s| s.true_flags + s.missed_flags == 0)
        .map(|s| s.false_flags)
        .sum();
    Ok(Score {
        files,
        precision,
        recall,
        f1,
        false_flags_on_complete,
    })
}

/// Whether a status name is one of the four.
pub fn known_status(s: &str) -> bool {
    [
        Status::Present,
        Status::Deficient,
        Status::Absent,
        Status::NotApplicable,
    ]
    .iter()
    .any(|st| st.name() == s)
}
