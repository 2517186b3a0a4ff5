//! `hegui user token …`: personal access tokens for `hegui serve`'s API.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use hegui_audit::store::Store;
use hegui_audit::tokens;

use crate::output::{print_json, print_rows, Format};

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Make a token for an account, scoped to engagements it is a member of. The token is
    /// printed once on standard output; only its hash is kept.
    Add {
        /// The account.
        name: String,
        /// An engagement the token reaches (repeatable; at least one).
        #[arg(long = "engagement", value_name = "CODE", required = true)]
        engagements: Vec<String>,
        /// What the token is for (shown in `token list`).
        #[arg(long, default_value = "api")]
        label: String,
        /// Days until it expires (1 to 366).
        #[arg(long, default_value_t = 90)]
        days: i64,
        /// The token may read but change nothing.
        #[arg(long)]
        read_only: bool,
    },
    /// An account's tokens (never the secrets).
    List {
        name: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Revoke a token by its id (as `token list` shows it).
    Revoke { name: String, id: String },
}

pub fn run(store: &Store, cmd: TokenCmd) -> Result<ExitCode> {
    match cmd {
        TokenCmd::Add {
            name,
            engagements,
            label,
            days,
            read_only,
        } => {
            let (secret, t) = tokens::create(store, &name, &label, &engagements, read_only, days)?;
            super::users::record(store, "token.created", &name)?;
            println!("{secret}");
            eprintln!(
                "token {} for {name} ({}), expires {}; shown once: keep it like a password",
                t.id,
                t.engagements.join(", "),
                t.expires_at
            );
        }
        TokenCmd::List { name, format } => {
            let list = tokens::list(store, &name)?;
            if format == Format::Json {
                return print_json(&list);
            }
            let rows = list
                .iter()
                .map(|t| {
                    vec![
                        t.id.clone(),
                        t.label.clone(),
                        t.engagements.join(", "),
                        if t.read_only { "read" } else { "read, write" }.into(),
                        t.expires_at.clone(),
                        t.last_used.clone().unwrap_or_default(),
                        if t.revoked { "revoked" } else { "" }.into(),
                    ]
                })
                .collect();
            print_rows(
                format,
                &[
                    "id",
                    "label",
                    "engagements",
                    "may",
                    "expires",
                    "last used",
                    "",
                ],
                rows,
            )?;
        }
        TokenCmd::Revoke { name, id } => {
            tokens::revoke(store, &name, &id)?;
            super::users::record(store, "token.revoked", &name)?;
            eprintln!("token {id} of {name} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}
