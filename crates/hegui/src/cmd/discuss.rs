//! `hegui engagement comment …` and `hegui engagement note …`: comments on requests,
//! working papers and findings (shared with the auditee, or internal), and the reviewer's
//! notes on working papers. Same rules as `hegui serve`, as the acting person.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use hegui_audit::comments::{self, On, Visibility};
use hegui_audit::engagement;
use hegui_audit::members::{self, Role};
use hegui_audit::review_notes;
use hegui_audit::store::Store;

use crate::input;
use crate::output::{print_json, print_rows, Format};

#[derive(Subcommand)]
pub enum CommentCmd {
    /// Comment on a request (PBC-001), a finding (F-001) or a working paper (G13.4).
    /// `@name` notifies a member.
    Add {
        engagement: String,
        on: String,
        text: String,
        /// For the audit team only: never shown to the auditee.
        #[arg(long)]
        internal: bool,
    },
    /// Change your comment (what it said before is kept).
    Edit {
        engagement: String,
        number: i64,
        text: String,
    },
    /// The comments on an object that you may read.
    List {
        engagement: String,
        on: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Subcommand)]
pub enum NoteCmd {
    /// Raise a review note on a working paper (lead, reviewer).
    Raise {
        engagement: String,
        checkpoint: String,
        text: String,
    },
    /// Answer a note (lead, auditor): it is then addressed.
    Answer {
        engagement: String,
        code: String,
        text: String,
    },
    /// Clear a note (lead, reviewer).
    Clear { engagement: String, code: String },
    /// Reopen an addressed or cleared note, saying why (lead, reviewer).
    Reopen {
        engagement: String,
        code: String,
        text: String,
    },
    /// The notes of an engagement, or of one paper.
    List {
        engagement: String,
        checkpoint: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub fn comment(store: &Store, c: CommentCmd, who: &str) -> Result<ExitCode> {
    match c {
        CommentCmd::Add {
            engagement: e,
            on,
            text,
            internal,
        } => {
            let vis = if internal {
                Visibility::Internal
            } else {
                Visibility::Shared
            };
            let c = comments::add(store, &e, &On::parse(&on)?, vis, &text, who)?;
            println!("comment {} on {}", c.seq, c.on_ref);
        }
        CommentCmd::Edit {
            engagement: e,
            number,
            text,
        } => {
            comments::edit(store, &e, number, &text, who)?;
            println!("comment {number}: changed");
        }
        CommentCmd::List {
            engagement: e,
            on,
            format,
        } => {
            let id = engagement::resolve(store, &e)?;
            let role = members::role(store, &id, who, &input::today_cst().to_string())?
                .unwrap_or(Role::Lead);
            let list = comments::on(store, &id, &On::parse(&on)?, role)?;
            if format == Format::Json {
                return print_json(&list);
            }
            let rows = list
                .iter()
                .map(|c| {
                    vec![
                        c.seq.to_string(),
                        c.visibility.as_str().into(),
                        c.author.clone(),
                        c.created_at.clone(),
                        c.body.clone(),
                        if c.edited_at.is_some() {
                            "edited".into()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect();
            return print_rows(
                format,
                &["#", "visibility", "author", "at", "text", ""],
                rows,
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn note(store: &Store, c: NoteCmd, who: &str) -> Result<ExitCode> {
    let step = |e: &str, code: &str, action: &str, text: Option<&str>| -> Result<ExitCode> {
        let n = review_notes::step(store, e, code, action, text, who)?;
        println!("{}: {}", n.code, n.state.as_str());
        Ok(ExitCode::SUCCESS)
    };
    match c {
        NoteCmd::Raise {
            engagement: e,
            checkpoint,
            text,
        } => {
            println!(
                "{}",
                review_notes::raise(store, &e, &checkpoint, &text, who)?
            );
            Ok(ExitCode::SUCCESS)
        }
        NoteCmd::Answer {
            engagement: e,
            code,
            text,
        } => step(&e, &code, "answered", Some(&text)),
        NoteCmd::Clear {
            engagement: e,
            code,
        } => step(&e, &code, "cleared", None),
        NoteCmd::Reopen {
            engagement: e,
            code,
            text,
        } => step(&e, &code, "reopened", Some(&text)),
        NoteCmd::List {
            engagement: e,
            checkpoint,
            format,
        } => {
            let id = engagement::resolve(store, &e)?;
            let role = members::role(store, &id, who, &input::today_cst().to_string())?;
            if role == Some(Role::Client) {
                anyhow::bail!("review notes are the audit team's: a client does not read them");
            }
            let list = review_notes::list(store, &e, checkpoint.as_deref())?;
            if format == Format::Json {
                return print_json(&list);
            }
            let rows = list
                .iter()
                .map(|n| {
                    let last = n.history.last();
                    vec![
                        n.code.clone(),
                        n.checkpoint.clone(),
                        n.state.as_str().into(),
                        n.raised_by.clone(),
                        n.body.clone(),
                        last.and_then(|s| s.text.clone()).unwrap_or_default(),
                    ]
                })
                .collect();
            print_rows(
                format,
                &[
                    "code",
                    "checkpoint",
                    "state",
                    "raised by",
                    "note",
                    "last answer",
                ],
                rows,
            )
        }
    }
}
