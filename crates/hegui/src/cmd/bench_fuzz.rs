//! `hegui bench fuzz`: runs the fuzz targets (`crate::fuzz`) for a given time each, every
//! target in its own process (so that its peak memory is its own, and a hang is caught by
//! a watchdog), and reports executions, panics, slow inputs, library panics hegui caught
//! (`caught`) and peak memory. `--replay DIR`
//! runs the kept crashers (`DIR/TARGET/*`) once each: the regression test.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::fuzz::{self, targets, Stats};
use crate::output::table;

#[derive(Args)]
pub struct BenchFuzzArgs {
    /// Targets to run (comma-separated; all by default): profile-yaml, profile-json, csv,
    /// csv-gbk, json, jsonl, xlsx, parquet, import, signature, calendar, policy-html,
    /// policy-docx, policy-md, policy-text, policy-pdf.
    #[arg(long, value_delimiter = ',')]
    targets: Vec<String>,
    /// Seconds per target.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Stop a target after this many executions.
    #[arg(long, default_value_t = u64::MAX)]
    max_execs: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where crashers are kept (TARGET/KIND-N.bin, with a .txt saying what happened).
    #[arg(long, default_value = "fuzz-crashers")]
    crashers: PathBuf,
    /// Replay the files under DIR/TARGET/ once each instead of fuzzing; fails on any panic,
    /// bug or input slower than a second.
    #[arg(long, value_name = "DIR")]
    replay: Option<PathBuf>,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    json: bool,
    /// Run one target in this process (used by the processes this command starts).
    #[arg(long, hide = true)]
    one: Option<String>,
}

pub fn run(a: BenchFuzzArgs) -> Result<ExitCode> {
    let work = std::env::temp_dir().join(format!("hegui-fuzz-{}", std::process::id()));
    if let Some(dir) = &a.replay {
        let r = replay(dir, &work);
        let _ = std::fs::remove_dir_all(&work);
        return r;
    }
    if let Some(name) = &a.one {
        let mut t = targets::make(name, &work)?;
        let stats = fuzz::run(
            t.as_mut(),
            Duration::from_secs(a.seconds),
            a.max_execs,
            a.seed,
            &a.crashers,
        );
        drop(t);
        let _ = std::fs::remove_dir_all(&work);
        println!("{}", serde_json::to_string(&stats)?);
        return Ok(ExitCode::SUCCESS);
    }
    let names: Vec<String> = if a.targets.is_empty() {
        targets::NAMES.iter().map(|s| s.to_string()).collect()
    } else {
        a.targets.clone()
    };
    let mut all = Vec::new();
    for name in &names {
        let s = child(name, &a)?;
        if a.json {
            println!("{}", serde_json::to_string(&s)?);
        }
        all.push(s);
    }
    if !a.json {
        print_table(&all);
    }
    let bad = all
        .iter()
        .filter(|s| s.panics + s.bugs + s.over_1s > 0)
        .count();
    if bad > 0 {
        eprintln!(
            "{bad} target(s) found problems; crashers are under {}",
            a.crashers.display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs one target in a child process, killed if it outlives its budget by a minute.
fn child(name: &str, a: &BenchFuzzArgs) -> Result<Stats> {
    let exe = std::env::current_exe().context("cannot find this program")?;
    let mut c = Command::new(exe)
        .args([
            "bench",
            "fuzz",
            "--one",
            name,
            "--seconds",
            &a.seconds.to_string(),
        ])
        .args([
            "--max-execs",
            &a.max_execs.to_string(),
            "--seed",
            &a.seed.to_string(),
        ])
        .arg("--crashers")
        .arg(&a.crashers)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(a.seconds + 60);
    loop {
        if c.try_wait()?.is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = c.kill();
            bail!("fuzz target {name}: still running a minute past its budget (a hang?)");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = c.wait_with_output()?;
    if !out.status.success() {
        bail!("fuzz target {name}: the process failed ({})", out.status);
    }
    serde_json::from_slice(&out.stdout).with_context(|| format!("fuzz target {name}: no stats"))
}

fn print_table(all: &[Stats]) {
    let mut t = table(&[
        "target", "execs", "execs/s", "panics", "bugs", "slowest", "> 1 s", "caught", "peak RSS",
    ]);
    for s in all {
        t.add_row(vec![
            s.target.clone(),
            s.execs.to_string(),
            format!("{:.0}", s.execs as f64 / s.seconds.max(1e-9)),
            s.panics.to_string(),
            s.bugs.to_string(),
            format!("{:.1} ms", s.slowest_ms),
            s.over_1s.to_string(),
            s.caught.to_string(),
            format!("{:.0} MB", s.peak_rss_mb),
        ]);
    }
    println!("{t}");
}

/// Replays every kept input once; any panic, bug or slow input fails.
fn replay(dir: &std::path::Path, work: &std::path::Path) -> Result<ExitCode> {
    fuzz::quiet_panics();
    let mut failures = Vec::new();
    let mut n = 0;
    for name in targets::NAMES {
        let d = dir.join(name);
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "bin"))
            .collect();
        files.sort();
        if files.is_empty() {
            continue;
        }
        let mut t = targets::make(name, &work.join(name))?;
        for f in files {
            let input = std::fs::read(&f)?;
            let (r, took) = fuzz::exec(t.as_mut(), &input);
            n += 1;
            if let Err(e) = r {
                failures.push(format!("{}: {e}", f.display()));
            } else if took > fuzz::SLOW {
                failures.push(format!("{}: took {:.1} s", f.display(), took.as_secs_f64()));
            }
        }
    }
    println!("{n} kept input(s) replayed, {} failed", failures.len());
    for f in &failures {
        eprintln!("{f}");
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
