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
    /// The activity log; --verify checks its hash chain.
    Log {
        engagement: String,
        #[arg(long)]
        verify: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
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

fn open(db: Option<String>) -> Result<Store> {
    let target = db
        .or_else(|| std::env::var("HEGUI_DATABASE_URL").ok())
        .unwrap_or_else(|| "hegui.db".to_string());
    Ok(Store::open(&target)?)
}

fn actor(a: Option<String>) -> String {
    a.or_else(|| std::env::var("HEGUI_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into())
}

pub fn run(a: EngagementArgs) -> Result<ExitCode> {
    let store = open(a.db)?;
    let who = actor(a.actor);
    match a.cmd {
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
                let text = input::read_text(&path)?;
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
                let n = log::verify(&store, &id)?;
                println!("{e}: activity log intact ({n} entries, hash chain verified)");
                return Ok(ExitCode::SUCCESS);
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
        profile_text: input::read_text(&c.profile)?,
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
