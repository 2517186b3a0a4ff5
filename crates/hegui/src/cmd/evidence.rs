//! `hegui engagement evidence …`: the encrypted evidence vault of an engagement — add
//! (with the checkpoints a scan or obligations report supports), list, get, verify.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use hegui_audit::store::Store;

use crate::input;
use crate::output::{print_json, print_rows, Format};

/// The largest evidence file stored (split larger exports, or attach a digest of them).
const EVIDENCE_LIMIT: u64 = 512 << 20;

#[derive(Subcommand)]
pub enum EvidenceCmd {
    /// Store a file (encrypted, content-addressed). A scan report or an obligations
    /// computation (--kind scan|obligations) lands on the checkpoints it supports; a privacy
    /// policy (--kind policy) is analysed against the engagement's profile and stored with
    /// its analysis, which proposes observations for the G3.x papers and others it speaks to.
    Add {
        engagement: String,
        file: String,
        #[arg(long, value_enum, default_value = "file")]
        kind: EvidenceKindArg,
        /// Where it came from (a system, a person, a request).
        #[arg(long)]
        source: String,
        #[arg(long, default_value = "")]
        description: String,
        /// The date the evidence speaks for.
        #[arg(long)]
        effective: Option<String>,
        /// Link to a checkpoint (repeatable).
        #[arg(long = "checkpoint")]
        checkpoints: Vec<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// The items of an engagement.
    List {
        engagement: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Decrypt one item to a file.
    Get {
        engagement: String,
        code: String,
        #[arg(short, long)]
        output: String,
    },
    /// Decrypt and check every item: any changed byte is reported.
    Verify { engagement: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EvidenceKindArg {
    File,
    Text,
    Scan,
    Obligations,
    Policy,
}

pub fn run(store: &Store, c: EvidenceCmd, who: &str) -> Result<ExitCode> {
    use hegui_audit::vault::{self, EvidenceKind, NewEvidence};
    match c {
        EvidenceCmd::Add {
            engagement: e,
            file,
            kind,
            source,
            description,
            effective,
            checkpoints,
            format,
        } => {
            // Evidence is held in memory to be hashed and encrypted, and stored as one row.
            let content = input::read_limited(&file, EVIDENCE_LIMIT, "one evidence item")?;
            if let Some(d) = &effective {
                input::date(d)?;
            }
            let name = std::path::Path::new(&file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(file.clone());
            if matches!(kind, EvidenceKindArg::Policy) {
                let new = NewEvidence {
                    name,
                    content: Vec::new().into(),
                    kind: EvidenceKind::Policy,
                    collector: who.to_string(),
                    effective_date: effective,
                    source,
                    description,
                    checkpoints,
                };
                return add_policy(store, &e, new, content, format);
            }
            let item = vault::add(
                store,
                &e,
                NewEvidence {
                    name,
                    content: content.into(),
                    kind: match kind {
                        EvidenceKindArg::File => EvidenceKind::File,
                        EvidenceKindArg::Text => EvidenceKind::Text,
                        EvidenceKindArg::Scan => EvidenceKind::Scan,
                        EvidenceKindArg::Obligations => EvidenceKind::Obligations,
                        EvidenceKindArg::Policy => unreachable!("stored with its analysis above"),
                    },
                    collector: who.to_string(),
                    effective_date: effective,
                    source,
                    description,
                    checkpoints,
                },
            )?;
            if format == Format::Json {
                return print_json(&item);
            }
            println!(
                "{} sha256 {} ({} bytes) → {}",
                item.code,
                item.sha256,
                item.size,
                if item.checkpoints.is_empty() {
                    "-".into()
                } else {
                    item.checkpoints.join(", ")
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        EvidenceCmd::List {
            engagement: e,
            format,
        } => {
            let items = vault::list(store, &e)?;
            if format == Format::Json {
                return print_json(&items);
            }
            let rows = items
                .iter()
                .map(|i| {
                    vec![
                        i.code.clone(),
                        i.name.clone(),
                        i.kind.clone(),
                        i.size.to_string(),
                        i.collector.clone(),
                        i.collected_at.clone(),
                        i.checkpoints.join(", "),
                        i.sha256[..16].to_string(),
                    ]
                })
                .collect();
            print_rows(
                format,
                &[
                    "code",
                    "name",
                    "kind",
                    "bytes",
                    "collector",
                    "collected",
                    "checkpoints",
                    "sha256",
                ],
                rows,
            )
        }
        EvidenceCmd::Get {
            engagement: e,
            code,
            output,
        } => {
            let (item, plain) = vault::get(store, &e, &code)?;
            std::fs::write(&output, plain).map_err(|err| anyhow::anyhow!("{output}: {err}"))?;
            eprintln!("{} ({}) → {output}", item.code, item.name);
            Ok(ExitCode::SUCCESS)
        }
        EvidenceCmd::Verify { engagement: e } => {
            let n = vault::verify(store, &e)?;
            println!("{e}: {n} evidence item(s) decrypted and verified");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A privacy policy: analysed against the engagement's profile (its facts decide which
/// elements apply; its recipients and PIPO are cross-checked), then stored with the
/// analysis. A file that is not a policy is refused before anything is stored.
fn add_policy(
    store: &Store,
    engagement: &str,
    mut new: hegui_audit::vault::NewEvidence,
    content: Vec<u8>,
    format: Format,
) -> Result<ExitCode> {
    use hegui_core::inventory;
    let (_, _, text) = hegui_audit::engagement::profile(store, engagement)?;
    let syntax = if text.trim_start().starts_with('{') {
        inventory::Syntax::Json
    } else {
        inventory::Syntax::Yaml
    };
    let profile = inventory::load(&text, "the engagement's profile", syntax)?;
    let given = hegui_policy::given::from_profile(&profile);
    let analysis = hegui_policy::analyse(&new.name, &content, Some(&profile), &given)
        .map_err(|e| anyhow::anyhow!("{}: {e}", new.name))?;
    let json = serde_json::to_vec(&analysis)?;
    new.content = content.into();
    let (policy, checked) = hegui_audit::vault::policy::add(store, engagement, new, &json)?;
    if format == Format::Json {
        return print_json(&serde_json::json!({"policy": policy, "analysis": checked}));
    }
    let flagged = analysis.flagged().count();
    println!(
        "{} sha256 {} ({} bytes), analysed as {}: {} of {} elements absent or deficient, {} \
         difference(s) from the profile → proposed observations on {}",
        policy.code,
        policy.sha256,
        policy.size,
        checked.code,
        flagged,
        analysis.elements.len(),
        analysis.inventory_mismatches.len(),
        if policy.checkpoints.is_empty() {
            "-".into()
        } else {
            policy.checkpoints.join(", ")
        }
    );
    Ok(ExitCode::SUCCESS)
}
