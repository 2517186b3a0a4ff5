//! `hegui key new`: an ed25519 key pair for a signatory.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;
use hegui_audit::signing::KeyFile;

#[derive(Subcommand)]
pub enum KeyCmd {
    /// Write a key file (secret: keep it private) and its public part (FILE.pub.json).
    New {
        /// The signatory's name, as it should appear on signed records.
        #[arg(long)]
        name: String,
        #[arg(short, long)]
        output: String,
    },
}

pub fn run(cmd: KeyCmd) -> Result<ExitCode> {
    let KeyCmd::New { name, output } = cmd;
    if std::path::Path::new(&output).exists() {
        bail!("{output} exists: hegui never overwrites a key");
    }
    let k = KeyFile::generate(&name)?;
    write_private(&output, &serde_json::to_vec_pretty(&k)?)?;
    let public = format!("{}.pub.json", output.trim_end_matches(".json"));
    std::fs::write(&public, serde_json::to_vec_pretty(&k.public_key())?)
        .map_err(|e| anyhow::anyhow!("{public}: {e}"))?;
    println!("{output} (secret)\n{public} (public)");
    Ok(ExitCode::SUCCESS)
}

/// Writes a file only its owner can read.
fn write_private(path: &str, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    Ok(())
}
