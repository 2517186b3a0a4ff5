//! `hegui engagement verify`, `export-json` and `import`: an engagement's integrity, and
//! moving it whole between stores.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use hegui_audit::store::Store;
use hegui_audit::transfer::{self, SignatureCheck};

use crate::output::{print_json, print_rows, Format};

/// The largest export `import` reads. An export carries the encrypted evidence (as hex, so
/// twice its size): past this it is refused before it is read, rather than exhaust memory.
const IMPORT_LIMIT: u64 = 2 << 30;

/// Prints what verification found; exit 1 when anything differs.
pub fn verify(store: &Store, engagement: &str, format: Format) -> Result<ExitCode> {
    let v = hegui_audit::verify::engagement(store, engagement)?;
    let code = if v.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    if format == Format::Json {
        print_json(&v)?;
        return Ok(code);
    }
    if v.ok() {
        println!(
            "{}: verified — activity log intact ({} entries), {} row(s) as the log records them, {} evidence item(s) decrypted and matching their hashes\n  log head {} (commits to all of it: keep it elsewhere to anchor this state)",
            v.code, v.entries, v.rows, v.evidence, v.head
        );
        return Ok(code);
    }
    let rows = v
        .problems
        .iter()
        .map(|p| {
            vec![
                p.table.clone(),
                p.row.clone(),
                p.field.clone().unwrap_or_default(),
                p.what.clone(),
            ]
        })
        .collect();
    print_rows(format, &["table", "row", "field", "problem"], rows)?;
    eprintln!(
        "{}: DOES NOT VERIFY — {} problem(s); reports are refused until it does (see docs/engagements.md)",
        v.code,
        v.problems.len()
    );
    Ok(code)
}

pub fn export_json(
    store: &Store,
    e: &str,
    output: &Path,
    key: Option<&str>,
    who: &str,
) -> Result<ExitCode> {
    use std::io::Write;
    let now = jiff::Timestamp::now().to_string();
    let key = key.map(crate::cmd::key::load_secret).transpose()?;
    let mut x = transfer::export(store, e, who, &now)?;
    if let Some(k) = &key {
        transfer::sign(&mut x, k)?;
    }
    let bytes = serde_json::to_vec_pretty(&x)?;
    // Written through a temporary file, readable by its owner only: the export carries the
    // vault key with the encrypted evidence.
    let tmp = output.with_extension("json.partial");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(&tmp)
        .and_then(|mut f| f.write_all(&bytes).and_then(|_| f.sync_all()))
        .map_err(|err| anyhow::anyhow!("{}: {err}", tmp.display()))?;
    std::fs::rename(&tmp, output).map_err(|err| anyhow::anyhow!("{}: {err}", output.display()))?;
    println!("{}", output.display());
    if let Some(k) = &key {
        eprintln!("{e}: signed by {} (key {}…)", k.name, &k.public[..16]);
    }
    eprintln!(
        "{e}: exported; the file holds the evidence and its key, keep it as confidential as the evidence"
    );
    Ok(ExitCode::SUCCESS)
}

pub fn import(store: &Store, file: &Path, trusted: Option<&str>, who: &str) -> Result<ExitCode> {
    let trusted = trusted.map(crate::cmd::key::load_public).transpose()?;
    let name = file.display().to_string();
    let bytes = crate::input::read_limited(&name, IMPORT_LIMIT, "an engagement export")?;
    let x: transfer::Export = serde_json::from_slice(&bytes)
        .map_err(|err| anyhow::anyhow!("{name}: not a hegui engagement export: {err}"))?;
    drop(bytes);
    let r = transfer::import(store, &x, who, trusted.as_deref())
        .map_err(|err| anyhow::anyhow!("{name}: {err}"))?;
    let state = if r.state_verified {
        "every row matches the activity log"
    } else {
        "rows recorded as a baseline: the export predates the log's record of them"
    };
    println!(
        "{}: imported ({} rows, {} evidence item(s) verified, activity log verified, {state})",
        r.code, r.rows, r.evidence
    );
    match &r.signature {
        SignatureCheck::Valid { signer, public_key } => println!(
            "{}: signature valid, signed by {signer} (key {}…){}",
            r.code,
            &public_key[..16],
            if trusted.is_some() { ", the trusted key" } else { "" }
        ),
        SignatureCheck::Unsigned => eprintln!(
            "note: the export is not signed; its origin is not proven (see `export-json --key` and `import --trusted-key`)"
        ),
    }
    if !r.catalog_matches {
        eprintln!(
            "note: the export's catalog text ({}) differs from the one this hegui ships; the engagement keeps its own",
            x.catalog.id
        );
    }
    Ok(ExitCode::SUCCESS)
}
