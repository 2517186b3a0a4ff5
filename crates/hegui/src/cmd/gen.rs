//! `hegui gen`: synthetic Chinese personal data with ground truth.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use hegui_scan::synth::{generate, GenOptions};

#[derive(Args)]
pub struct GenArgs {
    /// Directory to write into (created if missing).
    #[arg(default_value = "hegui-synthetic")]
    dir: PathBuf,
    /// People (rows of customers.csv and events.jsonl).
    #[arg(long, default_value_t = 1000)]
    people: u64,
    /// Lines of app.log.
    #[arg(long, default_value_t = 5000)]
    log_lines: u64,
    /// Rows repeated in customers_gbk.csv.
    #[arg(long, default_value_t = 500)]
    gbk_rows: u64,
    /// Share of app.log lines with no PI (0–1).
    #[arg(long, default_value_t = 0.0)]
    log_noise: f64,
    /// Rows copied into the `customers` table of customers.db (SQLite).
    #[arg(long, default_value_t = 500)]
    db_rows: u64,
    /// The same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn run(a: GenArgs) -> Result<ExitCode> {
    let s = generate(
        &a.dir,
        &GenOptions {
            seed: a.seed,
            people: a.people,
            log_lines: a.log_lines,
            gbk_rows: a.gbk_rows,
            log_noise: a.log_noise,
            db_rows: a.db_rows,
        },
    )?;
    for f in &s.files {
        println!("{f}");
    }
    eprintln!(
        "{} bytes, {} true PI spans in truth.jsonl (seed {})",
        s.bytes, s.truth_spans, a.seed
    );
    Ok(ExitCode::SUCCESS)
}
