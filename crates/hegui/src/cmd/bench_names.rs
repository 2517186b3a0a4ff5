//! `hegui bench names`: person names in running text, on the hand-marked held-out set —
//! precision, recall and F1 of name spans (IoU ≥ 0.5 in UTF-8 bytes) per domain and over
//! all, masked names on their own, and the name scan's speed on one thread.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use hegui_scan::ScanOptions;

use crate::output;

#[derive(Args)]
pub struct BenchNamesArgs {
    /// A directory of `*.txt` files with names marked ⟦…⟧ (default: the repository's set).
    #[arg(long, default_value = "crates/hegui-scan/tests/names")]
    dir: PathBuf,
    /// List every missed name and every false span.
    #[arg(long)]
    errors: bool,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

pub fn run(a: BenchNamesArgs) -> Result<ExitCode> {
    if !a.dir.is_dir() {
        anyhow::bail!(
            "{}: not a directory (run from the repository root, or give --dir)",
            a.dir.display()
        );
    }
    let work = std::env::temp_dir().join(format!("hegui-bench-names-{}", std::process::id()));
    let r = hegui_scan::eval_names::score_names(
        &a.dir,
        &work,
        &ScanOptions::new(crate::input::today_cst()),
    );
    let _ = std::fs::remove_dir_all(&work);
    let r = r?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = output::table(&["file", "lines", "names", "found", "matched", "P", "R", "F1"]);
    for s in r.files.iter().chain(std::iter::once(&r.total)) {
        t.add_row(vec![
            s.file.clone(),
            s.lines.to_string(),
            s.names.to_string(),
            s.found.to_string(),
            s.true_positives.to_string(),
            format!("{:.3}", s.precision),
            format!("{:.3}", s.recall),
            format!("{:.3}", s.f1),
        ]);
    }
    println!("{t}");
    println!(
        "masked names (某): {} of {} found; {:.1} KB scanned for names in {:.1} ms on one thread ({:.1} MB/s)",
        r.masked.1,
        r.masked.0,
        r.bytes as f64 / 1024.0,
        r.seconds * 1000.0,
        r.bytes as f64 / 1e6 / r.seconds.max(1e-9)
    );
    if a.errors {
        for (f, n, s) in &r.missed {
            println!("missed {f}:{n} {s}");
        }
        for (f, n, s) in &r.false_positives {
            println!("false  {f}:{n} {s}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
