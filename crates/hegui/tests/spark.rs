//! hegui on Spark: builds the Python package (`crates/hegui-py`, PyO3 through maturin)
//! into a virtualenv beside the build and runs its pytest on Spark `local[2]`, which holds
//! the Spark job's report to this binary's `hegui scan --full --sketches` of the same rows
//! (`crates/hegui-py/tests/test_spark.py`).
//!
//! Needs python3 with venv, a Java runtime and the Python package index (pyspark,
//! pyarrow, pandas, maturin, pytest). Skipped, saying why, when one is missing; under CI
//! (`CI` set, `.ci/run` installs them) a missing one fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Skips (outside CI) or fails (under CI) with `why`.
fn missing(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{why} (.ci/run installs it)"
    );
    eprintln!("SKIPPED: {why}");
}

fn runs(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

/// Where cargo builds: the parent of the directory this test's `hegui` binary is in.
fn target_dir() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_hegui"));
    bin.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    // The end of what it said: pytest's summary, or the build's error.
    let tail = |b: &[u8]| {
        let s = String::from_utf8_lossy(b);
        let from = s.len().saturating_sub(6000);
        let from = (from..s.len())
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        s[from..].to_string()
    };
    Err(format!(
        "{what} failed ({}):\n{}\n{}",
        out.status,
        tail(&out.stdout),
        tail(&out.stderr)
    ))
}

#[test]
fn the_spark_job_reports_what_the_cli_reports() {
    if !runs(Command::new("java").arg("-version")) {
        return missing("no Java runtime for Spark (apt-get install openjdk-17-jre-headless)");
    }
    if !runs(Command::new("python3").args(["-c", "import venv, ensurepip"])) {
        return missing("python3 with venv is not installed (apt-get install python3-venv)");
    }
    let target = target_dir();
    let venv = target.join("hegui-py-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let made = run(
            "python3 -m venv",
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
        );
        if let Err(e) = made {
            return missing(&e);
        }
    }
    let packages = [
        "maturin>=1.5,<2",
        "pyspark>=3.4",
        "pyarrow>=14",
        "pandas>=2.2,<3",
        "pytest",
    ];
    let installed = run(
        "pip install",
        Command::new(&python)
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .args(packages),
    );
    if let Err(e) = installed {
        return missing(&format!("the Python packages Spark's test needs: {e}"));
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../hegui-py");
    // The wheel builds in its own target directory beside the workspace's, reused from
    // run to run.
    run(
        "maturin develop",
        Command::new(venv.join("bin/maturin"))
            .args(["develop", "--release", "-q", "-m"])
            .arg(crate_dir.join("Cargo.toml"))
            .env("VIRTUAL_ENV", &venv)
            .env("CARGO_TARGET_DIR", target.join("py")),
    )
    .unwrap();
    run(
        "pytest",
        Command::new(&python)
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
            .arg(crate_dir.join("tests"))
            .env("HEGUI_BIN", env!("CARGO_BIN_EXE_hegui"))
            .env("PYSPARK_PYTHON", &python)
            // Spark leaves a spark-warehouse directory where it runs.
            .current_dir(std::env::temp_dir()),
    )
    .unwrap();
}
