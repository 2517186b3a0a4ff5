//! `hegui bench store`: many writers on one engagement at once — separate processes (as
//! several auditors' CLIs) or threads sharing one pool (as the server) — then proof that
//! every acknowledged write is in the store, codes are unique without gaps, and the
//! engagement verifies; with the write latency under that contention. Nothing here is a
//! pass/fail timing test: the figures are for docs/performance.md.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context, Result};
use clap::Args;
use hegui_audit::contention::{self, Acked};
use hegui_audit::store::Store;

use crate::output::table;

#[derive(Args)]
pub struct BenchStoreArgs {
    /// The store: a SQLite file or a postgres:// URL (default: a new SQLite file under the
    /// system temp dir). A new engagement is created in it.
    #[arg(long)]
    db: Option<String>,
    /// Writers as separate processes (this binary, started N times at once).
    #[arg(long, default_value_t = 16)]
    processes: usize,
    /// Writers as threads of this process sharing one pool, instead of processes.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Mixed writes per writer (evidence, paper edit, finding, item, status, in turn).
    #[arg(long, default_value_t = 10)]
    writes: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// One writer's part (used by the processes this command starts).
    #[arg(long, hide = true, value_name = "ENGAGEMENT")]
    worker: Option<String>,
    #[arg(long, hide = true, default_value_t = 0)]
    index: usize,
}

pub fn run(a: BenchStoreArgs) -> Result<ExitCode> {
    let db = match &a.db {
        Some(db) => db.clone(),
        None => fresh_sqlite()?,
    };
    let calendar = hegui_core::calendar::Calendar::with_builtin();
    if let Some(e) = &a.worker {
        return worker(&db, e, a.index, a.writes, &calendar);
    }
    let store = Store::open_pooled(&db, a.threads.clamp(1, 32) as u32)?;
    let code = super::bench_report::example_engagement(&store)?;
    let (mode, writers) = if a.threads > 0 {
        ("threads sharing a pool", a.threads)
    } else {
        ("processes", a.processes)
    };
    let start = std::time::Instant::now();
    let acked = if a.threads > 0 {
        threads(&store, &code, a.threads, a.writes, &calendar)?
    } else {
        processes(&db, &code, a.processes, a.writes)?
    };
    let wall = start.elapsed();
    let c = contention::check(&store, &code, &acked)
        .map_err(|e| anyhow::anyhow!("{code}: after the writers: {e}"))?;
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "store": store.location, "mode": mode, "writers": writers,
                "writes": c.writes, "seconds": wall.as_secs_f64(),
                "median_ms": c.median_ms, "p99_ms": c.p99_ms, "max_ms": c.max_ms,
            })
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = table(&["store", "writers", "writes", "wall", "median", "p99", "max"]);
    t.add_row(vec![
        store.location.clone(),
        format!("{writers} {mode}"),
        c.writes.to_string(),
        format!("{:.2} s", wall.as_secs_f64()),
        format!("{:.1} ms", c.median_ms),
        format!("{:.1} ms", c.p99_ms),
        format!("{:.1} ms", c.max_ms),
    ]);
    println!("{t}");
    println!(
        "{code}: every acknowledged write present ({} evidence, {} findings, codes without gaps); engagement verified",
        c.evidence, c.findings
    );
    Ok(ExitCode::SUCCESS)
}

fn fresh_sqlite() -> Result<String> {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("hegui-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
    Ok(dir.join("hegui.db").display().to_string())
}

/// One writer process: prints each acknowledged write as a JSON line, after its commit.
fn worker(
    db: &str,
    engagement: &str,
    index: usize,
    writes: usize,
    calendar: &hegui_core::calendar::Calendar,
) -> Result<ExitCode> {
    let store = Store::open(db)?;
    let acked = contention::worker(&store, engagement, index, writes, calendar)?;
    let mut out = std::io::stdout().lock();
    for a in acked {
        writeln!(out, "{}", serde_json::to_string(&a)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn threads(
    store: &Store,
    code: &str,
    n: usize,
    writes: usize,
    calendar: &hegui_core::calendar::Calendar,
) -> Result<Vec<Acked>> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|w| s.spawn(move || contention::worker(store, code, w, writes, calendar)))
            .collect();
        let mut all = Vec::new();
        for h in handles {
            let acked = h
                .join()
                .map_err(|_| anyhow::anyhow!("a writer thread panicked"))??;
            all.extend(acked);
        }
        Ok(all)
    })
}

fn processes(db: &str, code: &str, n: usize, writes: usize) -> Result<Vec<Acked>> {
    let exe = std::env::current_exe().context("cannot find this program to start writers")?;
    let children = (0..n)
        .map(|i| {
            Command::new(&exe)
                .args(["bench", "store", "--db", db, "--worker", code])
                .args(["--index", &i.to_string(), "--writes", &writes.to_string()])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .context("cannot start a writer process")
        })
        .collect::<Result<Vec<_>>>()?;
    let mut all = Vec::new();
    let mut failed = Vec::new();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output()?;
        for line in out.stdout.lines() {
            all.push(serde_json::from_str::<Acked>(&line?)?);
        }
        if !out.status.success() {
            failed.push(format!(
                "writer {i}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    if !failed.is_empty() {
        bail!("{} writer(s) failed:\n{}", failed.len(), failed.join("\n"));
    }
    Ok(all)
}
