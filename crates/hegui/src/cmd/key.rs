//! `hegui key new`: an ed25519 key pair for a signatory; reading key files for the commands
//! that sign (purge, reports, exports) or check a signature (import).

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

/// A key file is a few hundred bytes: anything much larger is not one, and is refused
/// before it is parsed.
const KEY_FILE_LIMIT: u64 = 64 * 1024;

/// Reads a secret key file (`hegui key new`).
pub fn load_secret(path: &str) -> Result<KeyFile> {
    let text = crate::input::read_text_limited(path, KEY_FILE_LIMIT, "a key file")?;
    let key: KeyFile = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{path}: not a hegui key file: {e}"))?;
    if key.algorithm != "ed25519" {
        bail!("{path}: key algorithm {:?}; only ed25519", key.algorithm);
    }
    Ok(key)
}

/// A public key given as a file (`NAME.pub.json`, or a secret key file) or as 64 hex digits.
pub fn load_public(arg: &str) -> Result<String> {
    let hex_key = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if hex_key(arg) {
        return Ok(arg.to_ascii_lowercase());
    }
    let text = crate::input::read_text_limited(arg, KEY_FILE_LIMIT, "a public key file")?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{arg}: not a hegui public key file: {e}"))?;
    match v.get("public").and_then(|p| p.as_str()) {
        Some(p) if hex_key(p) => Ok(p.to_ascii_lowercase()),
        _ => bail!("{arg}: not a hegui public key file (no \"public\" key of 64 hex digits)"),
    }
}
