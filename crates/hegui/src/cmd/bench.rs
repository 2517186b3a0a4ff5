//! `hegui bench scan`: precision and recall per kind on generated data with hard
//! negatives, and throughput on one core and on all cores. Rerun it to check the targets;
//! nothing here is a pass/fail test.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use hegui_scan::eval::{score, throughput};
use hegui_scan::synth::{generate, GenOptions};
use hegui_scan::{Kind, KindSet, ScanOptions};

use crate::input;
use crate::output::table;

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Scanner quality and speed on a generated corpus.
    Scan(BenchScanArgs),
    /// Rendering time of the reports of a fully worked 111-checkpoint engagement.
    Report(super::bench_report::BenchReportArgs),
    /// Many writers on one engagement at once (processes or threads): every acknowledged
    /// write present, the engagement verified, and the write latency.
    Store(super::bench_store::BenchStoreArgs),
    /// Fuzz every parser of outside input for a given time (or replay kept crashers).
    Fuzz(super::bench_fuzz::BenchFuzzArgs),
    /// `hegui serve` under load: signed-in clients mixing page views, paper edits and
    /// evidence uploads; latency, throughput, errors, page size, server memory.
    Serve(super::bench_serve::BenchServeArgs),
    /// The privacy-policy analyser on a labelled set: precision, recall and F1 of its flags.
    Policy(super::bench_policy::BenchPolicyArgs),
    /// Person names in running text: precision, recall and F1 of name spans on the
    /// hand-marked held-out set, and the speed of the name scan.
    Names(super::bench_names::BenchNamesArgs),
    /// Addresses in running text: precision, recall and F1 of address spans on a
    /// hand-marked set (default: crates/hegui-scan/tests/addresses), and the speed.
    Addresses(super::bench_names::BenchNamesArgs),
}

#[derive(Args)]
pub struct BenchScanArgs {
    /// Where to generate the corpora (default: a directory under the system temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// People in the quality corpus.
    #[arg(long, default_value_t = 20_000)]
    people: u64,
    /// People in the speed corpus (orders.csv, mixed, ~170 bytes per person; customers.csv,
    /// every column PI, ~230 bytes per person).
    #[arg(long, default_value_t = 300_000)]
    speed_people: u64,
    /// Log lines in the speed corpus (~90 bytes per line).
    #[arg(long, default_value_t = 1_000_000)]
    speed_log_lines: u64,
    /// Share of speed-corpus log lines without PI (real logs are mostly such lines).
    #[arg(long, default_value_t = 0.9)]
    log_noise: f64,
    /// Timed runs per measurement (the best is kept).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Distinct identifiers for the counting-memory measurement.
    #[arg(long, default_value_t = 10_000_000)]
    count_ids: u64,
    /// Skip the speed part.
    #[arg(long)]
    quality_only: bool,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: BenchCmd) -> Result<ExitCode> {
    let a = match cmd {
        BenchCmd::Scan(a) => a,
        BenchCmd::Report(a) => return super::bench_report::run(a),
        BenchCmd::Store(a) => return super::bench_store::run(a),
        BenchCmd::Serve(a) => return super::bench_serve::run(a),
        BenchCmd::Fuzz(a) => return super::bench_fuzz::run(a),
        BenchCmd::Policy(a) => return super::bench_policy::run(a),
        BenchCmd::Names(a) => return super::bench_names::run(a, hegui_scan::Kind::PersonName),
        BenchCmd::Addresses(a) => return super::bench_names::run(a, hegui_scan::Kind::Address),
    };
    let base = a
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("hegui-bench"));
    let opts = ScanOptions::new(input::today_cst());
    let quality_dir = base.join("quality");
    generate(
        &quality_dir,
        &GenOptions {
            seed: a.seed,
            people: a.people,
            log_lines: a.people * 5,
            gbk_rows: a.people / 4,
            log_noise: 0.0,
            db_rows: a.people / 4,
        },
    )?;
    let scores = score(&quality_dir, &opts)?;
    let mut speeds = Vec::new();
    let mut memory = None;
    if !a.quality_only {
        memory = hegui_scan::eval::counting_memory(a.count_ids);
        let speed_dir = base.join("speed");
        generate(
            &speed_dir,
            &GenOptions {
                seed: a.seed + 1,
                people: a.speed_people,
                log_lines: a.speed_log_lines,
                gbk_rows: 0,
                log_noise: a.log_noise,
                db_rows: 0,
            },
        )?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        for file in ["orders.csv", "customers.csv", "app.log"] {
            let path = speed_dir.join(file);
            speeds.push(("all detectors", throughput(&path, 1, a.runs, &opts)?));
            if cores > 1 {
                speeds.push(("all detectors", throughput(&path, cores, a.runs, &opts)?));
            }
        }
        // The same orders as string columns (what a Parquet or Spark reader hands over).
        let orders = speed_dir.join("orders.csv");
        let columns = hegui_scan::eval::column_throughput(&orders, 1, a.runs, &opts)?;
        speeds.push(("all detectors", columns));
        // And as a Parquet file, through the CLI's reader (MB/s per byte of the CSV).
        let parquet = speed_dir.join("orders.parquet");
        hegui_scan::synth::csv_to_parquet(&orders, &parquet)?;
        for threads in [1, cores].into_iter().filter(|&t| t == 1 || cores > 1) {
            let p =
                hegui_scan::eval::parquet_throughput(&orders, &parquet, threads, a.runs, &opts)?;
            speeds.push(("all detectors", p));
        }
        // The identifier pass: the checksummed identifiers only.
        let mut ids = opts.clone();
        ids.kinds = KindSet::of(&[Kind::CnResidentId, Kind::CnMobile, Kind::BankCard]);
        let log = speed_dir.join("app.log");
        speeds.push(("identifier pass", throughput(&log, 1, a.runs, &ids)?));
        if cores > 1 {
            speeds.push(("identifier pass", throughput(&log, cores, a.runs, &ids)?));
        }
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "quality": scores, "speed": speeds })
            )?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = table(&["kind", "truth", "found", "TP", "precision", "recall", "F1"]);
    for s in &scores {
        t.add_row(vec![
            s.kind.clone(),
            s.truth.to_string(),
            s.found.to_string(),
            s.true_positives.to_string(),
            format!("{:.4}", s.precision),
            format!("{:.4}", s.recall),
            format!("{:.4}", s.f1),
        ]);
    }
    println!(
        "Quality on {} ({} people, hard negatives included)\n{t}",
        quality_dir.display(),
        a.people
    );
    if !speeds.is_empty() {
        let mut t = table(&[
            "file",
            "pass",
            "MB",
            "threads",
            "seconds",
            "MB/s",
            "MB/s per thread",
            "findings",
        ]);
        for (what, s) in &speeds {
            t.add_row(vec![
                s.file.clone(),
                what.to_string(),
                format!("{:.1}", s.bytes as f64 / 1e6),
                s.threads.to_string(),
                format!("{:.3}", s.seconds),
                format!("{:.1}", s.mb_per_s),
                format!("{:.1}", s.mb_per_s / s.threads as f64),
                s.findings.to_string(),
            ]);
        }
        println!(
            "Speed (best of {} runs; identifier pass = cn_resident_id, cn_mobile, bank_card)\n{t}",
            a.runs
        );
    }
    if let Some((n, bytes)) = memory {
        println!(
            "Exact distinct counting: {n} identifiers in {:.0} MB ({:.1} bytes each)",
            bytes as f64 / 1e6,
            bytes as f64 / n as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}
