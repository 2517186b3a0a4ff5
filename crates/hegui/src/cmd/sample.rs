//! `hegui sample`: the attribute-sampling size for a confidence and tolerable rate, and a
//! seeded selection anyone can reproduce.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::output::{print_json, Format};

#[derive(Args)]
pub struct SampleArgs {
    /// Population size (items numbered 1..=N).
    #[arg(long)]
    population: u64,
    /// Confidence, percent.
    #[arg(long, default_value_t = 95.0)]
    confidence: f64,
    /// Tolerable deviation rate, percent.
    #[arg(long, default_value_t = 5.0)]
    tolerable: f64,
    /// Expected deviation rate, percent.
    #[arg(long, default_value_t = 0.0)]
    expected: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(a: SampleArgs) -> Result<ExitCode> {
    let s =
        hegui_core::sampling::plan(a.confidence, a.tolerable, a.expected, a.population, a.seed)?;
    if a.format == Format::Json {
        return print_json(&s);
    }
    println!(
        "{} of {} items ({}% confidence, {}% tolerable, {}% expected deviations; seed {}):",
        s.size, s.population, s.confidence, s.tolerable, s.expected, s.seed
    );
    println!(
        "{}",
        s.items
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(ExitCode::SUCCESS)
}
