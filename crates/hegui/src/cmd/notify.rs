//! `hegui notify …`: the in-app inbox from the command line, and the clock's run — the
//! reminders three working days before a request is due and one overdue digest per person
//! a day — for cron when `hegui serve` is not running (it runs the same by itself).

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use hegui_audit::{notify, requests};
use hegui_core::calendar::Calendar;

use crate::input;
use crate::output::{print_json, print_rows, Format};

#[derive(Subcommand)]
pub enum NotifyCmd {
    /// Send what is due today: reminders and overdue digests (each once, however often it
    /// runs), then e-mail what is not mailed yet when --mail-config is given.
    Run {
        #[arg(long)]
        db: Option<String>,
        /// The day to run for (default: today in China Standard Time).
        #[arg(long)]
        today: Option<String>,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Your notifications (as --actor / $HEGUI_USER), newest first.
    List {
        #[arg(long)]
        db: Option<String>,
        #[arg(long)]
        actor: Option<String>,
        #[arg(long)]
        unread: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Mark one notification (by number) or all of them read.
    Read {
        #[arg(long)]
        db: Option<String>,
        #[arg(long)]
        actor: Option<String>,
        number: Option<i64>,
    },
}

/// E-mail for notifications (`hegui notify run`, `hegui serve`).
#[derive(clap::Args, Default)]
pub struct MailArgs {
    /// Send notifications by e-mail over SMTP, as this TOML file says (host, port,
    /// security, from, user, password_env, base_url): see docs/requests.md.
    #[arg(long, value_name = "FILE")]
    pub mail_config: Option<std::path::PathBuf>,
}

impl MailArgs {
    pub fn config(&self) -> Result<Option<hegui_mail::MailConfig>> {
        Ok(match &self.mail_config {
            Some(p) => Some(hegui_mail::MailConfig::from_file(p)?),
            None => None,
        })
    }
}

pub fn run(c: NotifyCmd, cal: &Calendar) -> Result<ExitCode> {
    match c {
        NotifyCmd::Run { db, today, mail } => {
            let store = input::store(db)?;
            let day = match today {
                Some(d) => input::date(&d)?,
                None => input::today_cst(),
            };
            let r = requests::reminders::run(&store, day, cal)?;
            println!(
                "{day}: {} reminder(s), {} digest(s)",
                r.reminders, r.digests
            );
            if let Some(cfg) = mail.config()? {
                let d = hegui_mail::deliver(&store, &cfg)?;
                println!(
                    "{} e-mail(s) sent, {} failed (tried again next run)",
                    d.sent, d.failed
                );
            }
        }
        NotifyCmd::List {
            db,
            actor,
            unread,
            limit,
            format,
        } => {
            let store = input::store(db)?;
            let who = input::actor(actor);
            let list = notify::inbox(&store, &who, unread, limit)?;
            if format == Format::Json {
                return print_json(&list);
            }
            let rows = list
                .iter()
                .map(|n| {
                    let (subject, _) = hegui_mail::render(n, hegui_mail::Lang::Zh);
                    vec![
                        n.seq.to_string(),
                        n.at.chars().take(16).collect(),
                        n.engagement.clone(),
                        subject,
                        if n.read { String::new() } else { "new".into() },
                    ]
                })
                .collect();
            return print_rows(format, &["#", "at", "engagement", "what", ""], rows);
        }
        NotifyCmd::Read { db, actor, number } => {
            let store = input::store(db)?;
            let n = notify::mark_read(&store, &input::actor(actor), number)?;
            println!("{n} marked read");
        }
    }
    Ok(ExitCode::SUCCESS)
}
