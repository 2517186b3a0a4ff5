//! `hegui bench policy`: the policy analyser on a labelled set — element-level precision,
//! recall and F1 of its flags (absent or deficient), agreement per file, and time per policy.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::Args;

use crate::output;

#[derive(Args)]
pub struct BenchPolicyArgs {
    /// A directory of policies with their `truth.toml` (default: the repository's set).
    #[arg(long, default_value = "crates/hegui-policy/tests/policies")]
    dir: PathBuf,
}

pub fn run(a: BenchPolicyArgs) -> Result<ExitCode> {
    if !a.dir.join("truth.toml").is_file() {
        anyhow::bail!(
            "{}: no truth.toml (run from the repository root, or give --dir)",
            a.dir.display()
        );
    }
    let started = Instant::now();
    let score = hegui_policy::bench::score(&a.dir)?;
    let elapsed = started.elapsed();
    let mut t = output::table(&[
        "policy",
        "agree",
        "true flags",
        "false flags",
        "missed",
        "differences",
    ]);
    for f in &score.files {
        let diffs: Vec<String> = f
            .differences
            .iter()
            .map(|(id, want, got)| format!("{id}: {want} → {got}"))
            .collect();
        t.add_row(vec![
            f.file.clone(),
            format!("{}/{}", f.agree, f.elements),
            f.true_flags.to_string(),
            f.false_flags.to_string(),
            f.missed_flags.to_string(),
            diffs.join("\n"),
        ]);
    }
    println!("{t}");
    println!(
        "flags: precision {:.3}, recall {:.3}, F1 {:.3}; false flags on complete policies: {}",
        score.precision, score.recall, score.f1, score.false_flags_on_complete
    );
    let n = score.files.len().max(1) as f64;
    println!(
        "{} policies in {:.1} ms ({:.1} ms per policy, reading included)",
        score.files.len(),
        elapsed.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0 / n
    );
    Ok(ExitCode::SUCCESS)
}
