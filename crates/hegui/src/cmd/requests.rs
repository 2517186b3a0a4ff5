//! `hegui engagement request …` and `hegui engagement requests`: evidence requests (PBC) —
//! drafting (by hand or from the scope), sending, the client's uploads and submission, the
//! team's acceptance or return, and the list as a table or the XLSX audit firms exchange.
//! The acting person is `--as` / $HEGUI_USER, with their role in the engagement: the same
//! rules as `hegui serve`.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use hegui_audit::engagement;
use hegui_audit::members::{self, Role};
use hegui_audit::requests::{
    self, files, flow, timing, EditRequest, NewRequest, Priority, SendOptions, State, Upload,
};
use hegui_audit::store::Store;
use hegui_core::calendar::Calendar;

use crate::input;
use crate::output::{print_json, print_rows, Format};

/// The largest file a client uploads from the command line.
const UPLOAD_LIMIT: u64 = 512 << 20;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PriorityArg {
    High,
    Normal,
    Low,
}

impl From<PriorityArg> for Priority {
    fn from(p: PriorityArg) -> Priority {
        match p {
            PriorityArg::High => Priority::High,
            PriorityArg::Normal => Priority::Normal,
            PriorityArg::Low => Priority::Low,
        }
    }
}

/// The fields of a request (all optional on `edit`).
#[derive(Args, Default)]
pub struct Fields {
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// A checkpoint the evidence serves (repeatable).
    #[arg(long = "checkpoint")]
    checkpoints: Vec<String>,
    /// The format wanted (e.g. "PDF scan", "Excel").
    #[arg(long = "wanted-format")]
    wanted_format: Option<String>,
    /// The period the evidence covers.
    #[arg(long)]
    period_from: Option<String>,
    #[arg(long)]
    period_to: Option<String>,
    /// A client member who answers it (repeatable).
    #[arg(long = "assignee")]
    assignees: Vec<String>,
    #[arg(long)]
    due: Option<String>,
    #[arg(long, value_enum)]
    priority: Option<PriorityArg>,
    /// The files may hold personal information (downloads limited to the lead, the
    /// requester and the assignees; titles kept out of notifications).
    #[arg(long)]
    sensitive: bool,
}

#[derive(Subcommand)]
pub enum RequestCmd {
    /// Draft a request (invisible to clients until sent).
    Add {
        engagement: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Draft a request for every item of typical evidence the in-scope checkpoints name
    /// (an item several checkpoints name is one request); again later adds only what is missing.
    Generate { engagement: String },
    /// Change a request that is not yet submitted.
    Edit {
        engagement: String,
        code: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Fold drafts into one (their checkpoints join it; they are cancelled as merged).
    Merge {
        engagement: String,
        into: String,
        #[arg(required = true)]
        others: Vec<String>,
    },
    /// Send drafts to their assignees (all or none). Due dates default to --days working
    /// days from today, and are never later than the deadline less --review-days.
    Send {
        engagement: String,
        codes: Vec<String>,
        /// Every draft that has an assignee.
        #[arg(long, conflicts_with = "codes")]
        all: bool,
        #[arg(long, default_value_t = 10)]
        days: i64,
        #[arg(long, default_value_t = 5)]
        review_days: i64,
    },
    /// The requests you see (a client: those sent to it), with what is overdue.
    List(ListArgs),
    /// One request with its files and history.
    Show {
        engagement: String,
        code: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// The client adds files (one or more).
    Upload {
        engagement: String,
        code: String,
        #[arg(required = true)]
        files: Vec<String>,
        /// The day the documents speak for.
        #[arg(long)]
        effective: Option<String>,
    },
    /// The client takes back a file it has not submitted.
    RemoveFile {
        engagement: String,
        code: String,
        file: i64,
    },
    /// The client says the request does not apply, and why.
    NotApplicable {
        engagement: String,
        code: String,
        #[arg(long)]
        reason: String,
    },
    /// The client submits (files are frozen from then on).
    Submit { engagement: String, code: String },
    /// Accept a submission: its files become evidence on the request's checkpoints.
    Accept { engagement: String, code: String },
    /// Return a submission to the client with a reason.
    Return {
        engagement: String,
        code: String,
        #[arg(long)]
        reason: String,
        /// A file (by number) that does not serve (repeatable).
        #[arg(long = "reject-file")]
        reject: Vec<i64>,
    },
    /// The lead takes an accepted request back to the client.
    Reopen {
        engagement: String,
        code: String,
        #[arg(long)]
        reason: String,
    },
    Cancel {
        engagement: String,
        code: String,
        #[arg(long)]
        reason: String,
    },
    /// Decrypt one of a request's files.
    Get {
        engagement: String,
        code: String,
        file: i64,
        #[arg(short, long)]
        output: String,
    },
    /// Read back a PBC workbook (`requests --format xlsx`): the client's status and notes
    /// columns, applied as the acting person. Reports each row it cannot apply.
    Import { engagement: String, file: String },
}

#[derive(Args)]
pub struct ListArgs {
    engagement: String,
    /// Only requests in this state (draft, open, in_progress, submitted, returned,
    /// accepted, cancelled).
    #[arg(long)]
    state: Option<String>,
    /// Only overdue ones.
    #[arg(long)]
    overdue: bool,
    /// table, json, csv, md — or xlsx (with -o) for the workbook audit firms exchange.
    #[arg(long, default_value = "table")]
    format: String,
    #[arg(short, long)]
    output: Option<String>,
}

/// The role the acting person reads with: theirs, or the lead's for whoever holds the
/// store without being a member (the store's operator).
fn reader_role(store: &Store, id: &str, who: &str) -> Result<Role> {
    Ok(members::role(store, id, who, &input::today_cst().to_string())?.unwrap_or(Role::Lead))
}

fn edit_of(f: Fields) -> EditRequest {
    EditRequest {
        title: f.title,
        description: f.description,
        checkpoints: (!f.checkpoints.is_empty()).then_some(f.checkpoints),
        format: f.wanted_format,
        period_from: f.period_from.map(Some),
        period_to: f.period_to.map(Some),
        assignees: (!f.assignees.is_empty()).then_some(f.assignees),
        due: f.due.map(Some),
        priority: f.priority.map(Priority::from),
        sensitive: f.sensitive.then_some(true),
    }
}

pub fn run(store: &Store, c: RequestCmd, cal: &Calendar, who: &str) -> Result<ExitCode> {
    match c {
        RequestCmd::Add {
            engagement: e,
            fields: f,
        } => {
            let Some(title) = f.title.clone() else {
                bail!("a request needs --title");
            };
            let n = NewRequest {
                title,
                description: f.description.unwrap_or_default(),
                checkpoints: f.checkpoints,
                format: f.wanted_format.unwrap_or_default(),
                period_from: f.period_from,
                period_to: f.period_to,
                assignees: f.assignees,
                due: f.due,
                priority: f.priority.map(Priority::from),
                sensitive: f.sensitive,
            };
            println!("{}", flow::create(store, &e, n, who)?.code);
        }
        RequestCmd::Generate { engagement: e } => {
            let made = requests::generate::from_scope(store, &e, who)?;
            for r in &made {
                println!("{}\t{}\t{}", r.code, r.checkpoints.join(","), r.title);
            }
            eprintln!("{e}: {} draft request(s) from the scope", made.len());
        }
        RequestCmd::Edit {
            engagement: e,
            code,
            fields,
        } => {
            flow::edit(store, &e, &code, edit_of(fields), who)?;
            println!("{code}: changed");
        }
        RequestCmd::Merge {
            engagement: e,
            into,
            others,
        } => {
            let r = flow::merge(store, &e, &into, &others, who)?;
            println!("{}: serves {}", r.code, r.checkpoints.join(", "));
        }
        RequestCmd::Send {
            engagement: e,
            codes,
            all,
            days,
            review_days,
        } => {
            let codes = if all {
                drafts_with_assignees(store, &e, who)?
            } else {
                codes
            };
            let o = SendOptions {
                days,
                review_days,
                today: input::today_cst(),
            };
            let sent = flow::send(store, &e, &codes, o, cal, who)?;
            for w in &sent.warnings {
                eprintln!("warning: {w}");
            }
            for (code, due) in &sent.sent {
                println!("{code}\tdue {due}");
            }
        }
        RequestCmd::List(l) => return list(store, l, cal, who),
        RequestCmd::Show {
            engagement: e,
            code,
            format,
        } => return show(store, &e, &code, format, cal, who),
        RequestCmd::Upload {
            engagement: e,
            code,
            files: paths,
            effective,
        } => {
            let mut ups = Vec::new();
            for p in &paths {
                ups.push(Upload {
                    name: p.clone(),
                    content: input::read_limited(p, UPLOAD_LIMIT, "one uploaded file")?.into(),
                    effective_date: effective.clone(),
                });
            }
            for f in files::upload(store, &e, &code, ups, who)? {
                println!("{code}\tfile {}\t{}\t{}", f.seq, f.name, f.sha256);
            }
        }
        RequestCmd::RemoveFile {
            engagement: e,
            code,
            file,
        } => {
            files::remove(store, &e, &code, file, who)?;
            println!("{code}: file {file} removed");
        }
        RequestCmd::NotApplicable {
            engagement: e,
            code,
            reason,
        } => {
            files::not_applicable(store, &e, &code, &reason, who)?;
            println!("{code}: marked not applicable (submit to send it)");
        }
        RequestCmd::Submit {
            engagement: e,
            code,
        } => {
            let r = flow::submit(store, &e, &code, who)?;
            println!("{code}: submitted (submission {})", r.revision);
        }
        RequestCmd::Accept {
            engagement: e,
            code,
        } => {
            let ev = flow::accept(store, &e, &code, who)?;
            println!(
                "{code}: accepted; evidence {}",
                if ev.is_empty() {
                    "none (not applicable)".into()
                } else {
                    ev.join(", ")
                }
            );
        }
        RequestCmd::Return {
            engagement: e,
            code,
            reason,
            reject,
        } => {
            flow::return_submission(store, &e, &code, &reason, &reject, who)?;
            println!("{code}: returned");
        }
        RequestCmd::Reopen {
            engagement: e,
            code,
            reason,
        } => {
            flow::reopen(store, &e, &code, &reason, who)?;
            println!("{code}: reopened (returned to the client)");
        }
        RequestCmd::Cancel {
            engagement: e,
            code,
            reason,
        } => {
            flow::cancel(store, &e, &code, &reason, who)?;
            println!("{code}: cancelled");
        }
        RequestCmd::Get {
            engagement: e,
            code,
            file,
            output,
        } => {
            let id = engagement::resolve(store, &e)?;
            let role = reader_role(store, &id, who)?;
            let r = requests::get(store, &id, &code, who, role)?
                .ok_or_else(|| anyhow::anyhow!("no request {code}"))?;
            if !r.files_open_to(who, role) {
                bail!("{code} is sensitive: its files go to the lead, its requester and its assignees");
            }
            let (f, bytes) = files::content(store, &id, &r.code, file)?
                .ok_or_else(|| anyhow::anyhow!("{code}: no file {file}"))?;
            std::fs::write(&output, bytes).map_err(|err| anyhow::anyhow!("{output}: {err}"))?;
            eprintln!("{code}: file {} ({}) written to {output}", f.seq, f.name);
        }
        RequestCmd::Import {
            engagement: e,
            file,
        } => return import(store, &e, &file, who),
    }
    Ok(ExitCode::SUCCESS)
}

fn drafts_with_assignees(store: &Store, e: &str, who: &str) -> Result<Vec<String>> {
    let id = engagement::resolve(store, e)?;
    let role = reader_role(store, &id, who)?;
    let codes: Vec<String> = requests::list(store, &id, who, role)?
        .into_iter()
        .filter(|r| r.state == State::Draft && !r.assignees.is_empty())
        .map(|r| r.code)
        .collect();
    if codes.is_empty() {
        bail!("{e}: no draft with an assignee to send");
    }
    Ok(codes)
}

const HEADERS: &[&str] = &[
    "code",
    "state",
    "title",
    "checkpoints",
    "assignees",
    "due",
    "working days left",
    "overdue",
];

fn list(store: &Store, l: ListArgs, cal: &Calendar, who: &str) -> Result<ExitCode> {
    let id = engagement::resolve(store, &l.engagement)?;
    let role = reader_role(store, &id, who)?;
    let today = input::today_cst();
    let want = match l.state.as_deref() {
        Some(s) => Some(State::parse(s).ok_or_else(|| anyhow::anyhow!("no request state {s:?}"))?),
        None => None,
    };
    let xlsx = l.format == "xlsx";
    let rows: Vec<_> = requests::list(store, &id, who, role)?
        .into_iter()
        // The workbook goes to the auditee: drafts stay out unless asked for by state.
        .filter(|r| want.is_some() || !xlsx || r.state != State::Draft)
        .filter(|r| want.is_none_or(|s| r.state == s))
        .map(|r| {
            let t = timing::of(&r, today, cal);
            (r, t)
        })
        .filter(|(_, t)| !l.overdue || t.overdue)
        .collect();
    if xlsx {
        let Some(out) = &l.output else {
            bail!("--format xlsx writes a file: give it with -o FILE");
        };
        let e = engagement::show(store, &l.engagement)?;
        let bytes = hegui_report::pbc::to_xlsx(&e, &rows)?;
        std::fs::write(out, bytes).map_err(|err| anyhow::anyhow!("{out}: {err}"))?;
        eprintln!(
            "{}: {} request(s) written to {out}",
            l.engagement,
            rows.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let format = match l.format.as_str() {
        "table" => Format::Table,
        "json" => Format::Json,
        "csv" => Format::Csv,
        "md" => Format::Md,
        other => bail!("--format {other:?}: table, json, csv, md or xlsx"),
    };
    if format == Format::Json {
        let v: Vec<_> = rows
            .iter()
            .map(|(r, t)| serde_json::json!({"request": r, "timing": t}))
            .collect();
        return print_json(&v);
    }
    let table = rows
        .iter()
        .map(|(r, t)| {
            vec![
                r.code.clone(),
                r.state.as_str().to_string(),
                r.title.clone(),
                r.checkpoints.join(", "),
                r.assignees.join(", "),
                r.due.clone().unwrap_or_default(),
                t.working_days_left
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                if t.overdue {
                    "overdue".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    print_rows(format, HEADERS, table)
}

fn show(
    store: &Store,
    e: &str,
    code: &str,
    format: Format,
    cal: &Calendar,
    who: &str,
) -> Result<ExitCode> {
    let id = engagement::resolve(store, e)?;
    let role = reader_role(store, &id, who)?;
    let r = requests::get(store, &id, code, who, role)?
        .ok_or_else(|| anyhow::anyhow!("no request {code}"))?;
    let fs = files::list(store, &id, &r.code)?;
    let events = requests::events(store, &id, &r.code, role)?;
    let t = timing::of(&r, input::today_cst(), cal);
    if format == Format::Json {
        return print_json(
            &serde_json::json!({"request": r, "timing": t, "files": fs, "events": events}),
        );
    }
    println!("{} · {} · {}", r.code, r.state.as_str(), r.title);
    if !r.description.is_empty() {
        println!("{}", r.description);
    }
    println!("checkpoints: {}", r.checkpoints.join(", "));
    println!(
        "assignees: {}   requested by: {}",
        r.assignees.join(", "),
        r.requested_by
    );
    if let Some(d) = &r.due {
        let left = t
            .working_days_left
            .map(|l| format!(", {l} working day(s) left"))
            .unwrap_or_default();
        println!(
            "due: {d}{left}{}",
            if t.overdue { " — OVERDUE" } else { "" }
        );
    }
    if let Some(na) = &r.na_reason {
        println!("not applicable: {na}");
    }
    for f in &fs {
        let mark = if f.rejected {
            " (rejected)"
        } else if f.frozen {
            " (submitted)"
        } else {
            ""
        };
        println!(
            "file {}: {} · {} bytes · {} · submission {}{mark}{}",
            f.seq,
            f.name,
            f.size,
            f.uploaded_by,
            f.revision,
            f.evidence
                .as_deref()
                .map(|e| format!(" → {e}"))
                .unwrap_or_default()
        );
    }
    for ev in &events {
        println!(
            "  {} {} {}{}",
            ev.at,
            ev.actor,
            ev.kind,
            ev.reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn import(store: &Store, e: &str, file: &str, who: &str) -> Result<ExitCode> {
    let bytes = input::read_limited(file, 64 << 20, "a PBC workbook")?;
    let rows =
        hegui_report::pbc::read_xlsx(&bytes).map_err(|err| anyhow::anyhow!("{file}: {err}"))?;
    let out = requests::exchange::apply(store, e, &rows, who)?;
    for a in &out.applied {
        println!("row {}: {} {}", a.row, a.code, a.what);
    }
    for p in &out.refused {
        eprintln!("{file}: row {}: {}", p.row, p.why);
    }
    eprintln!(
        "{file}: {} row(s) applied, {} refused, {} unchanged",
        out.applied.len(),
        out.refused.len(),
        out.unchanged
    );
    Ok(if out.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
