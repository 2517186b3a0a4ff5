//! `hegui engagement …`: audit engagements in the store (`--db`, `HEGUI_DATABASE_URL`, or
//! `./hegui.db`).

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use hegui_audit::engagement::{self, NewEngagement, Trigger};
use hegui_audit::independence::RotationReading;
use hegui_audit::log;
use hegui_audit::store::Store;
use hegui_core::inventory::AuditKind;

use crate::cmd::transfer;
use crate::input;
use crate::output::{print_json, print_rows, Format};

#[derive(Args)]
pub struct EngagementArgs {
    /// The store: a SQLite file path or sqlite:// URL (created if missing), or a
    /// postgres:// URL. Default: $HEGUI_DATABASE_URL, else ./hegui.db.
    #[arg(long, global = true)]
    db: Option<String>,
    /// Who is acting (recorded in the activity log). Default: $HEGUI_USER, else $USER.
    #[arg(long, global = true)]
    actor: Option<String>,
    #[command(subcommand)]
    cmd: EngagementCmd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    /// By the processor's internal audit body.
    Internal,
    /// Commissioned by the processor to a professional body.
    Commissioned,
    /// Ordered by a protection department (Measures Art. 5).
    Ordered,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TriggerArg {
    MajorRisk,
    ManyIndividuals,
    Incident,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReadingArg {
    /// 以上 inclusive (Civil Code Art. 1259): at most two in a row (default).
    Inclusive,
    /// "More than three": at most three in a row.
    Exclusive,
}

#[derive(Subcommand)]
enum EngagementCmd {
    /// Start an engagement: snapshot the profile, check independence, compute the scope.
    Create(CreateArgs),
    /// Who may do what in the engagement on `hegui serve` (lead, auditor, reviewer, client, viewer).
    #[command(subcommand)]
    Member(super::users::MemberCmd),
    /// All engagements.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// One engagement.
    Show {
        engagement: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// The scope; with --include/--exclude, record the auditor's decision and reason.
    Scope {
        engagement: String,
        #[arg(
            long,
            value_name = "CHECKPOINT",
            conflicts_with = "exclude",
            requires = "reason"
        )]
        include: Option<String>,
        #[arg(long, value_name = "CHECKPOINT", requires = "reason")]
        exclude: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Record an approved extension of an ordered audit's deadline (Measures Art. 9).
    Extend {
        engagement: String,
        #[arg(long)]
        until: String,
        /// The protection department's approval reference.
        #[arg(long)]
        approval: String,
    },
    /// The processor's profile as snapshotted; --update FILE stores a new version.
    Profile {
        engagement: String,
        #[arg(long, value_name = "FILE")]
        update: Option<String>,
    },
    /// Write a working paper (procedures, population, sample, evidence, result,
    /// observations), or sign it off with --prepare / --review.
    Paper(super::engagement_papers::PaperArgs),
    /// The working papers of an engagement.
    Papers {
        engagement: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Record a finding against a checkpoint.
    Finding {
        engagement: String,
        #[arg(long)]
        checkpoint: String,
        #[arg(long, value_enum)]
        severity: SeverityArg,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// The rectification ledger (整改台账): add an item, or move one to a status.
    Rectify(super::engagement_papers::RectifyArgs),
    /// The findings and the rectification ledger, with the report's due date.
    Ledger {
        engagement: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// The evidence vault: add, list, get, verify.
    #[command(subcommand)]
    Evidence(super::evidence::EvidenceCmd),
    /// Evidence requests to the auditee (PBC): draft, generate from the scope, send,
    /// upload, submit, accept, return, reopen, cancel, import the workbook.
    #[command(subcommand)]
    Request(super::requests::RequestCmd),
    /// The request list (a client: its own), as a table or the PBC workbook (--format xlsx -o FILE).
    Requests(super::requests::ListArgs),
    /// Comments on requests, working papers and findings (shared or --internal).
    #[command(subcommand)]
    Comment(super::discuss::CommentCmd),
    /// Review notes on working papers: raise, answer, clear, reopen, list.
    #[command(subcommand)]
    Note(super::discuss::NoteCmd),
    /// Close an engagement (before export and purge).
    Close { engagement: String },
    /// Write the archive: engagement.json and the decrypted evidence.
    Export { engagement: String, dir: String },
    /// Write the whole engagement as one self-contained JSON file (every row, the encrypted
    /// evidence with its key, the catalog text), for `hegui engagement import`.
    ExportJson {
        engagement: String,
        #[arg(short, long)]
        output: std::path::PathBuf,
        /// Sign the export with this key file (`hegui key new`), so that an importer can
        /// require it (`import --trusted-key`).
        #[arg(long, value_name = "KEY_FILE")]
        key: Option<String>,
    },
    /// Restore an engagement from `export-json` into this store (refused if it exists
    /// here). The export is verified whole first — its log, every row against the log,
    /// every evidence blob, its signature if signed — and nothing is kept if it fails.
    Import {
        file: std::path::PathBuf,
        /// Accept only an export signed by this public key (a `.pub.json` file, or 64 hex
        /// digits).
        #[arg(long, value_name = "PUB")]
        trusted_key: Option<String>,
    },
    /// Verify an engagement: the activity log's hash chain, every evidence blob, and every
    /// row of every engagement table against what the log says it holds. Exits 1 naming
    /// each table, row and field that differ.
    Verify {
        engagement: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Destroy a closed engagement (Measures Art. 13), leaving a deletion record signed with
    /// your key (`hegui key new`).
    Purge {
        engagement: String,
        #[arg(long, value_name = "KEY_FILE")]
        key: String,
        /// Confirm: purging cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// The deletion records of purged engagements, signatures checked.
    Deletions {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Crash-safety harness: writes N working-paper revisions, printing "ack REVISION" after
    /// each commit (the tests kill it mid-run and check nothing acknowledged is lost).
    #[command(hide = true)]
    Stress {
        engagement: String,
        #[arg(long, default_value_t = 1000)]
        writes: u32,
    },
    /// The activity log; --verify checks it and the state it binds (as `verify`).
    Log {
        engagement: String,
        #[arg(long)]
        verify: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeverityArg {
    High,
    Medium,
    Low,
}

#[derive(Args)]
struct CreateArgs {
    /// The processor's profile (YAML or JSON).
    #[arg(long)]
    profile: String,
    #[arg(long, value_enum)]
    kind: KindArg,
    /// For an ordered audit: the Art. 5 ground.
    #[arg(long, value_enum)]
    trigger: Option<TriggerArg>,
    /// The professional body (commissioned or ordered audits).
    #[arg(long)]
    body: Option<String>,
    /// An affiliate of the body (关联机构; repeatable).
    #[arg(long = "affiliate")]
    affiliates: Vec<String>,
    /// The audit lead (合规审计负责人).
    #[arg(long)]
    lead: Option<String>,
    /// Team members (comma-separated).
    #[arg(long, value_delimiter = ',')]
    team: Vec<String>,
    /// The period audited: FROM..TO (YYYY-MM-DD..YYYY-MM-DD).
    #[arg(long)]
    period: String,
    /// Start date (default today, China Standard Time).
    #[arg(long)]
    start: Option<String>,
    /// The deadline the protection department set (ordered audits).
    #[arg(long)]
    deadline: Option<String>,
    /// The body attests it does not sub-entrust the audit (Measures Art. 14).
    #[arg(long)]
    attest_no_subdelegation: bool,
    /// How to read Art. 15's 连续三次以上.
    #[arg(long, value_enum, default_value = "inclusive")]
    rotation: ReadingArg,
    /// Create despite independence violations; the reason is recorded.
    #[arg(long, value_name = "REASON")]
    override_independence: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(a: EngagementArgs, calendar: &hegui_core::calendar::Calendar) -> Result<ExitCode> {
    let store = input::store(a.db)?;
    let who = input::actor(a.actor);
    match a.cmd {
        EngagementCmd::Paper(p) => super::engagement_papers::paper(&store, p, &who),
        EngagementCmd::Evidence(c) => super::evidence::run(&store, c, &who),
        EngagementCmd::Request(c) => super::requests::run(&store, c, calendar, &who),
        EngagementCmd::Requests(l) => {
            super::requests::run(&store, super::requests::RequestCmd::List(l), calendar, &who)
        }
        EngagementCmd::Comment(c) => super::discuss::comment(&store, c, &who),
        EngagementCmd::Note(c) => super::discuss::note(&store, c, &who),
        EngagementCmd::Member(c) => super::users::member(&store, c, &who),
        EngagementCmd::Stress {
            engagement: e,
            writes,
        } => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for i in 0..writes {
                let edit = hegui_audit::workpaper::Edit {
                    observations: Some(format!("write {i}")),
                    ..Default::default()
                };
                let p = hegui_audit::workpaper::edit(&store, &e, "G3.1", edit, &who)?;
                // Acknowledge only after the commit returned.
                writeln!(out, "ack {}", p.revision)?;
                out.flush()?;
            }
            Ok(ExitCode::SUCCESS)
        }
        EngagementCmd::Close { engagement: e } => {
            hegui_audit::closing::close(&store, &e, &who)?;
            println!("{e}: closed");
            Ok(ExitCode::SUCCESS)
        }
        EngagementCmd::Export { engagement: e, dir } => {
            let files = hegui_audit::closing::export(&store, &e, std::path::Path::new(&dir), &who)?;
            for f in &files {
                println!("{dir}/{f}");
            }
            eprintln!("{e}: {} file(s) written; the evidence is in plaintext there, keep it as your retention rules require", files.len());
            Ok(ExitCode::SUCCESS)
        }
        EngagementCmd::ExportJson {
            engagement: e,
            output,
            key,
        } => transfer::export_json(&store, &e, &output, key.as_deref(), &who),
        EngagementCmd::Import { file, trusted_key } => {
            transfer::import(&store, &file, trusted_key.as_deref(), &who)
        }
        EngagementCmd::Verify {
            engagement: e,
            format,
        } => transfer::verify(&store, &e, format),
        EngagementCmd::Purge {
            engagement: e,
            key,
            yes,
        } => {
            if !yes {
                bail!("purging destroys {e} for good (its key, evidence, papers and log); rerun with --yes");
            }
            let key = crate::cmd::key::load_secret(&key)?;
            let r = hegui_audit::closing::purge(&store, &e, &key, &who)?;
            println!(
                "{}: purged; deletion record signed by {} ({} evidence item hashes kept)",
                r.engagement,
                r.signer,
                r.evidence_sha256.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        EngagementCmd::Deletions { format } => {
            let recs = hegui_audit::closing::deletions(&store)?;
            if format == Format::Json {
                return print_json(&recs);
            }
            let bad = recs.iter().filter(|r| !r.valid).count();
            let rows = recs
                .iter()
                .map(|r| {
                    vec![
                        r.record.engagement.clone(),
                        r.record.processor.clone(),
                        r.record.purged_at.clone(),
                        r.record.purged_by.clone(),
                        r.record.signer.clone(),
                        if r.valid {
                            "valid".into()
                        } else {
                            "INVALID".into()
                        },
                    ]
                })
                .collect();
            let code = print_rows(
                format,
                &[
                    "engagement",
                    "processor",
                    "purged",
                    "by",
                    "signer",
                    "signature",
                ],
                rows,
            )?;
            if bad > 0 {
                bail!("{bad} deletion record(s) do not match their signatures");
            }
            Ok(code)
        }
        EngagementCmd::Papers {
            engagement: e,
            format,
        } => {
            let papers = hegui_audit::workpaper::list(&store, &e)?;
            if format == Format::Json {
                return print_json(&papers);
            }
            let rows = papers
                .iter()
                .map(|p| {
                    vec![
                        p.checkpoint.clone(),
                        p.result_zh.to_string(),
                        p.status.clone(),
                        p.prepared_by.clone().unwrap_or_default(),
                        p.reviewed_by.clone().unwrap_or_default(),
                        p.sample
                            .as_ref()
                            .map(|s| format!("{} of {} (seed {})", s.size, s.population, s.seed))
                            .unwrap_or_default(),
                        p.evidence.join(", "),
                    ]
                })
                .collect();
            print_rows(
                format,
                &[
                    "checkpoint",
                    "result",
                    "status",
                    "preparer",
                    "reviewer",
                    "sample",
                    "evidence",
                ],
                rows,
            )
        }
        EngagementCmd::Finding {
            engagement: e,
            checkpoint,
            severity,
            title,
            description,
        } => {
            use hegui_audit::findings::Severity;
            let sev = match severity {
                SeverityArg::High => Severity::High,
                SeverityArg::Medium => Severity::Medium,
                SeverityArg::Low => Severity::Low,
            };
            let code = hegui_audit::findings::add(
                &store,
                &e,
                &checkpoint,
                sev,
                &title,
                &description,
                &who,
            )?;
            println!("{code}");
            Ok(ExitCode::SUCCESS)
        }
        EngagementCmd::Rectify(r) => super::engagement_papers::rectify(&store, r, calendar, &who),
        EngagementCmd::Ledger {
            engagement: e,
            format,
        } => {
            let l = hegui_audit::findings::ledger(&store, &e)?;
            if format == Format::Json {
                return print_json(&l);
            }
            let mut rows = Vec::new();
            for f in &l.findings {
                rows.push(vec![
                    f.code.clone(),
                    f.checkpoint.clone(),
                    f.severity.clone(),
                    f.title.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
                for it in &f.items {
                    rows.push(vec![
                        format!("  {}/{}", f.code, it.seq),
                        String::new(),
                        it.status.clone(),
                        it.measure.clone(),
                        it.owner.clone(),
                        it.due.clone(),
                        it.verification.clone().unwrap_or_default(),
                    ]);
                }
            }
            let code = print_rows(
                format,
                &[
                    "finding / item",
                    "checkpoint",
                    "severity / status",
                    "title / measure",
                    "owner",
                    "due",
                    "verification",
                ],
                rows,
            )?;
            match (&l.rectification_done, &l.report_due) {
                (Some(done), Some(due)) => println!(
                    "Rectification complete on {done}; report due by {due} (Measures Art. 11)"
                ),
                (Some(done), None) => println!(
                    "Rectification complete on {done}. {}",
                    l.note.clone().unwrap_or_default()
                ),
                _ => println!("{} open item(s)", l.open_items),
            }
            Ok(code)
        }
        EngagementCmd::Create(c) => create(&store, c, who),
        EngagementCmd::List { format } => {
            let rows = engagement::list(&store)?;
            if format == Format::Json {
                let v: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| serde_json::json!({"code": r[0], "processor": r[1], "kind": r[2], "status": r[3], "start": r[4]}))
                    .collect();
                return print_json(&v);
            }
            print_rows(
                format,
                &["engagement", "processor", "kind", "status", "start"],
                rows.into_iter().map(Vec::from).collect(),
            )
        }
        EngagementCmd::Show {
            engagement: e,
            format,
        } => show(&store, &e, format),
        EngagementCmd::Scope {
            engagement: e,
            include,
            exclude,
            reason,
            format,
        } => {
            if let Some(cp) = include.as_deref().or(exclude.as_deref()) {
                let row = engagement::decide_scope(
                    &store,
                    &e,
                    cp,
                    include.is_some(),
                    reason.as_deref().unwrap_or(""),
                    &who,
                )?;
                eprintln!(
                    "{}: {} ({})",
                    row.checkpoint,
                    if include.is_some() {
                        "included"
                    } else {
                        "excluded"
                    },
                    row.decision_reason.unwrap_or_default()
                );
            }
            let rows = engagement::scope(&store, &e)?;
            if format == Format::Json {
                return print_json(&rows);
            }
            let label = |s: &str| match s {
                "yes" => "in scope",
                "no" => "out of scope",
                _ => "cannot tell",
            };
            let table = rows
                .iter()
                .map(|r| {
                    let decided = match (&r.decided_by, &r.decision_reason) {
                        (Some(by), Some(why)) => format!("{by}: {why}"),
                        _ => String::new(),
                    };
                    vec![
                        r.checkpoint.clone(),
                        label(&r.decision).into(),
                        label(&r.computed).into(),
                        r.reason.clone(),
                        decided,
                    ]
                })
                .collect();
            print_rows(
                format,
                &[
                    "checkpoint",
                    "scope",
                    "from profile",
                    "why",
                    "auditor's decision",
                ],
                table,
            )
        }
        EngagementCmd::Extend {
            engagement: e,
            until,
            approval,
        } => {
            let until = input::date(&until)?;
            let e = engagement::extend(&store, &e, until, &approval, &who)?;
            println!(
                "{}: deadline now {}",
                e.code,
                e.effective_deadline.unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        EngagementCmd::Profile {
            engagement: e,
            update,
        } => {
            if let Some(path) = update {
                let text = input::read_profile(&path)?;
                let v = engagement::update_profile(&store, &e, &text, &path, &who)?;
                eprintln!("stored profile version {v}; scope recomputed (auditor decisions kept)");
                return Ok(ExitCode::SUCCESS);
            }
            let (version, sha, text) = engagement::profile(&store, &e)?;
            eprintln!("profile version {version}, sha256 {sha}");
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        EngagementCmd::Log {
            engagement: e,
            verify,
            format,
        } => {
            let id = engagement::resolve(&store, &e)?;
            if verify {
                return transfer::verify(&store, &e, format);
            }
            let entries = log::entries(&store, &id)?;
            if format == Format::Json {
                return print_json(&entries);
            }
            let rows = entries
                .iter()
                .map(|x| {
                    vec![
                        x.seq.to_string(),
                        x.at.clone(),
                        x.actor.clone(),
                        x.action.clone(),
                        x.detail.to_string(),
                        x.hash[..12].to_string(),
                    ]
                })
                .collect();
            print_rows(
                format,
                &["#", "at", "actor", "action", "detail", "hash"],
                rows,
            )
        }
    }
}

fn create(store: &Store, c: CreateArgs, who: String) -> Result<ExitCode> {
    let Some((from, to)) = c.period.split_once("..") else {
        bail!(
            "--period {:?}: expected FROM..TO, e.g. 2025-01-01..2025-12-31",
            c.period
        );
    };
    let n = NewEngagement {
        profile_text: input::read_profile(&c.profile)?,
        profile_name: c.profile.clone(),
        kind: match c.kind {
            KindArg::Internal => AuditKind::Internal,
            KindArg::Commissioned => AuditKind::Commissioned,
            KindArg::Ordered => AuditKind::Ordered,
        },
        trigger: c.trigger.map(|t| match t {
            TriggerArg::MajorRisk => Trigger::MajorRisk,
            TriggerArg::ManyIndividuals => Trigger::ManyIndividuals,
            TriggerArg::Incident => Trigger::Incident,
        }),
        body: c.body,
        affiliates: c.affiliates,
        lead: c.lead,
        team: c.team,
        period_start: input::date(from)?,
        period_end: input::date(to)?,
        start: match &c.start {
            Some(s) => input::date(s)?,
            None => input::today_cst(),
        },
        deadline: c.deadline.as_deref().map(input::date).transpose()?,
        attests_no_subdelegation: c.attest_no_subdelegation,
        reading: match c.rotation {
            ReadingArg::Inclusive => RotationReading::Inclusive,
            ReadingArg::Exclusive => RotationReading::Exclusive,
        },
        override_reason: c.override_independence,
        actor: who,
    };
    let e = engagement::create(store, &n)?;
    eprintln!("created {} in {}", e.code, store.location);
    show(store, &e.code, c.format)
}

fn show(store: &Store, key: &str, format: Format) -> Result<ExitCode> {
    let e = engagement::show(store, key)?;
    if format == Format::Json {
        return print_json(&e);
    }
    println!("{} — {} ({})", e.code, e.processor, e.kind);
    if let Some(t) = &e.trigger {
        println!("  ordered on ground: {t}");
    }
    println!(
        "  body: {}  lead: {}  team: {}",
        e.body.as_deref().unwrap_or("-"),
        e.lead.as_deref().unwrap_or("-"),
        e.team.join(", ")
    );
    println!(
        "  period {} – {}; started {}; deadline {}",
        e.period_start,
        e.period_end,
        e.start,
        e.effective_deadline.as_deref().unwrap_or("-")
    );
    println!(
        "  catalog {}; profile versions {}; status {}",
        e.catalog, e.profile_versions, e.status
    );
    println!("  independence: {}", e.independence.reading_applied);
    for n in &e.independence.notes {
        println!("    - {n}");
    }
    for v in &e.independence.violations {
        println!("    ! {}: {}", v.article, v.message);
    }
    if let Some(r) = &e.override_reason {
        println!("  independence overridden: {r}");
    }
    Ok(ExitCode::SUCCESS)
}
