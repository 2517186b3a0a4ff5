//! `hegui bench names` and `hegui bench addresses`: person names (addresses) in running
//! text, on a hand-marked set — precision, recall and F1 of spans (IoU ≥ 0.5 in UTF-8
//! bytes) per file and over all, masked names on their own, the scan's speed on one thread.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use hegui_scan::{Kind, ScanOptions};

use crate::output;

#[derive(Args)]
pub struct BenchNamesArgs {
    /// A directory of `*.txt` files with every name (address) marked ⟦…⟧ (default: the
    /// repository's held-out set, crates/hegui-scan/tests/names or …/addresses).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// List every missed name and every false span.
    #[arg(long)]
    errors: bool,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Instead of measuring, show how the name model reads one line: every candidate span
    /// with its score, best first, and which were taken.
    #[arg(long, value_name = "TEXT")]
    explain: Option<String>,
}

/// `--explain`: the candidates of one line and their scores.
fn explain(text: &str, json: bool) -> Result<ExitCode> {
    let model = hegui_names::Model::shipped();
    let scored = hegui_names::explain(model, text);
    if json {
        let rows: Vec<serde_json::Value> = scored
            .iter()
            .map(|s| serde_json::json!({"span": s.text, "shape": s.shape, "score": s.score, "taken": s.taken}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"threshold": model.threshold, "candidates": rows})
            )?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = output::table(&["span", "shape", "score", "taken"]);
    for s in &scored {
        t.add_row(vec![
            s.text.clone(),
            s.shape.clone(),
            format!("{:.2}", s.score),
            if s.taken { "yes" } else { "" }.to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "a candidate above {} that overlaps no better one is a name",
        model.threshold
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run(a: BenchNamesArgs, kind: Kind) -> Result<ExitCode> {
    if let Some(text) = &a.explain {
        if kind != Kind::PersonName {
            anyhow::bail!(
                "--explain shows how the name model reads a line: use it with `hegui bench names`"
            );
        }
        return explain(text, a.json);
    }
    let default = match kind {
        Kind::Address => "crates/hegui-scan/tests/addresses",
        _ => "crates/hegui-scan/tests/names",
    };
    let dir = a.dir.unwrap_or_else(|| PathBuf::from(default));
    if !dir.is_dir() {
        anyhow::bail!(
            "{}: not a directory (run from the repository root, or give --dir)",
            dir.display()
        );
    }
    let work = std::env::temp_dir().join(format!("hegui-bench-spans-{}", std::process::id()));
    let r = hegui_scan::eval_names::score_spans(
        &dir,
        &work,
        &ScanOptions::new(crate::input::today_cst()),
        kind,
    );
    let _ = std::fs::remove_dir_all(&work);
    let r = r?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    let marked = if kind == Kind::Address {
        "addresses"
    } else {
        "names"
    };
    let mut t = output::table(&["file", "lines", marked, "found", "matched", "P", "R", "F1"]);
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
    if kind == Kind::PersonName {
        println!("masked names (某): {} of {} found", r.masked.1, r.masked.0);
    }
    println!(
        "speed: the set's text {} times over ({:.1} MB) scanned for {marked} in {:.0} ms on one thread: {:.1} MB/s",
        hegui_scan::eval_names::SPEED_COPIES,
        r.bytes as f64 / 1e6,
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
