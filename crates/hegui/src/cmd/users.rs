//! `hegui user …` (the accounts of `hegui serve`), `hegui engagement member …` (who may do
//! what in an engagement) and `hegui serve`.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use hegui_audit::accounts;
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;

use crate::output::{print_json, print_rows, Format};

#[derive(Args)]
pub struct UserArgs {
    /// The store (as for `hegui engagement`). Default: $HEGUI_DATABASE_URL, else ./hegui.db.
    #[arg(long, global = true)]
    db: Option<String>,
    #[command(subcommand)]
    cmd: UserCmd,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account (the first administrator too: there is no default account). The
    /// password is asked for on the terminal, or read from the first line of stdin.
    Add {
        name: String,
        /// The name shown on pages (default: the account name).
        #[arg(long)]
        display: Option<String>,
        /// An instance administrator (manages accounts; no role in any engagement by that).
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of stdin instead of the terminal.
        #[arg(long, conflicts_with = "generate_password")]
        password_stdin: bool,
        /// Make up a random password and print it (once) on standard output.
        #[arg(long)]
        generate_password: bool,
    },
    /// Every account.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Disable an account and end its sessions.
    Disable { name: String },
    /// Enable a disabled account.
    Enable { name: String },
    /// Remove an account's second factor (it enrols a new one at its next sign-in).
    ResetMfa { name: String },
    /// Set the address notifications are e-mailed to (none: remove it). Mail goes out only
    /// when `hegui serve` or `hegui notify run` has --mail-config.
    Email {
        name: String,
        address: Option<String>,
    },
    /// Mark a demo store: its accounts sign in without a second factor, and every page says
    /// so. Never for a store with real data.
    #[command(hide = true)]
    RelaxMfaForDemo,
    /// The instance's hash-chained log (sign-ins, refusals, account changes), verified.
    Log {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Personal access tokens for the API of `hegui serve`.
    Token {
        #[command(subcommand)]
        cmd: super::tokens::TokenCmd,
    },
    /// Set a new password (ends the account's sessions).
    Password {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("password: ")?;
    let again = rpassword::prompt_password("again:    ")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}

pub(crate) fn record(store: &Store, action: &str, account: &str) -> Result<()> {
    let detail = serde_json::json!({ "account": account });
    Ok(hegui_audit::instance_log::append(
        store,
        &crate::input::actor(None),
        action,
        &detail,
    )?)
}

pub fn run(a: UserArgs) -> Result<ExitCode> {
    let store = crate::input::store(a.db)?;
    match a.cmd {
        UserCmd::Add {
            name,
            display,
            admin,
            password_stdin,
            generate_password,
        } => {
            let password = if generate_password {
                let p = accounts::random_password()?;
                println!("{p}");
                p
            } else {
                read_password(password_stdin)?
            };
            let display = display.unwrap_or_else(|| name.clone());
            let u = accounts::add(&store, &name, &display, &password, admin)?;
            record(
                &store,
                if admin {
                    "account.added_admin"
                } else {
                    "account.added"
                },
                &name,
            )?;
            eprintln!(
                "account {} created{}; it sets up its second factor at its first sign-in",
                u.name,
                if u.admin { " (administrator)" } else { "" }
            );
        }
        UserCmd::List { format } => {
            let users = accounts::list(&store)?;
            if format == Format::Json {
                return print_json(&users);
            }
            let yes = |b: bool| if b { "yes" } else { "" }.to_string();
            let rows = users
                .iter()
                .map(|u| {
                    vec![
                        u.name.clone(),
                        u.display_name.clone(),
                        yes(u.admin),
                        yes(u.mfa),
                        yes(u.disabled),
                        u.created_at.clone(),
                    ]
                })
                .collect();
            return print_rows(
                format,
                &["account", "name", "admin", "2FA", "disabled", "created"],
                rows,
            );
        }
        UserCmd::Disable { name } => {
            accounts::set_disabled(&store, &name, true)?;
            record(&store, "account.disabled", &name)?;
        }
        UserCmd::Enable { name } => {
            accounts::set_disabled(&store, &name, false)?;
            record(&store, "account.enabled", &name)?;
        }
        UserCmd::ResetMfa { name } => {
            accounts::reset_mfa(&store, &name)?;
            record(&store, "account.mfa_reset", &name)?;
        }
        UserCmd::Email { name, address } => {
            accounts::set_email(&store, &name, address.as_deref())?;
            record(&store, "account.email_set", &name)?;
        }
        UserCmd::RelaxMfaForDemo => {
            accounts::relax_mfa(&store)?;
            record(&store, "instance.mfa_relaxed_for_demo", "")?;
        }
        UserCmd::Log { format } => {
            let entries = hegui_audit::instance_log::entries(&store)?;
            let verified = hegui_audit::instance_log::verify(&store);
            if format == Format::Json {
                print_json(&serde_json::json!({
                    "entries": entries,
                    "verified": verified.is_ok(),
                }))?;
            } else {
                let rows = entries
                    .iter()
                    .map(|e| {
                        vec![
                            e.seq.to_string(),
                            e.at.clone(),
                            e.actor.clone(),
                            e.action.clone(),
                            e.detail.to_string(),
                        ]
                    })
                    .collect();
                print_rows(format, &["#", "at", "actor", "action", "detail"], rows)?;
            }
            return match verified {
                Ok(n) => {
                    eprintln!("instance log: {n} entries, chain intact");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("hegui: {e}");
                    Ok(ExitCode::from(1))
                }
            };
        }
        UserCmd::Token { cmd } => return super::tokens::run(&store, cmd),
        UserCmd::Password {
            name,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            accounts::set_password(&store, &name, &password)?;
            record(&store, "account.password_set", &name)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hegui engagement member …`
#[derive(Subcommand)]
pub enum MemberCmd {
    /// Make an account a member with a role (or change its role).
    Set {
        engagement: String,
        user: String,
        #[arg(long, value_parser = ["lead", "auditor", "reviewer", "client", "viewer"])]
        role: String,
        /// The last day the membership lasts (YYYY-MM-DD), e.g. an outside reviewer's.
        #[arg(long)]
        until: Option<String>,
    },
    /// Remove a member.
    Remove { engagement: String, user: String },
    /// The members of an engagement.
    List {
        engagement: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub fn member(store: &Store, cmd: MemberCmd, actor: &str) -> Result<ExitCode> {
    match cmd {
        MemberCmd::Set {
            engagement,
            user,
            role,
            until,
        } => {
            let role = Role::parse(&role).expect("clap checked the role");
            if let Some(u) = &until {
                crate::input::date(u)?;
            }
            let m = members::set(store, &engagement, &user, role, until.as_deref(), actor)?;
            eprintln!("{} is {} of {engagement}", m.user, m.role.as_str());
        }
        MemberCmd::Remove { engagement, user } => {
            members::remove(store, &engagement, &user, actor)?;
        }
        MemberCmd::List { engagement, format } => {
            let list = members::list(store, &engagement)?;
            if format == Format::Json {
                return print_json(&list);
            }
            let rows = list
                .iter()
                .map(|m| {
                    vec![
                        m.user.clone(),
                        m.role.as_str().to_string(),
                        m.expires_on.clone().unwrap_or_default(),
                        m.added_by.clone(),
                    ]
                })
                .collect();
            return print_rows(format, &["account", "role", "until", "added by"], rows);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address and port to listen on (loopback by default; to serve others, give
    /// --tls-cert and --tls-key, or put a TLS proxy in front).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The store (as for `hegui engagement`).
    #[arg(long)]
    db: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The certificate's PEM private key.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// A reverse proxy (address or CIDR, repeatable) whose X-Forwarded-For names the
    /// client; nobody else's is believed.
    #[arg(long, value_name = "CIDR")]
    trusted_proxy: Vec<String>,
    /// Store calls run at once (default: two per core; more helps a distant database).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    store_threads: Option<u16>,
    #[command(flatten)]
    mail: super::notify::MailArgs,
}

/// A proxy's address or network.
fn proxy_net(s: &str) -> Result<ipnet::IpNet> {
    if let Ok(n) = s.parse::<ipnet::IpNet>() {
        return Ok(n);
    }
    s.parse::<std::net::IpAddr>()
        .map(ipnet::IpNet::from)
        .map_err(|_| {
            anyhow::anyhow!("--trusted-proxy {s:?}: an address (10.0.0.5) or a CIDR (10.0.0.0/8)")
        })
}

pub fn serve(a: ServeArgs) -> Result<ExitCode> {
    let target =
        a.db.or_else(|| std::env::var("HEGUI_DATABASE_URL").ok())
            .unwrap_or_else(|| "hegui.db".to_string());
    let store = Store::open_pooled(&target, 8)?;
    if accounts::list(&store)?.is_empty() {
        eprintln!("hegui: no accounts yet: make the first administrator with `hegui user add NAME --admin`");
    }
    let mfa_required = !accounts::mfa_relaxed(&store)?;
    if !mfa_required {
        eprintln!(
            "hegui: a demo store: accounts sign in without a second factor (every page says so)"
        );
    }
    let mut state = hegui_web::AppState::new(std::sync::Arc::new(store), mfa_required);
    let proxies = a
        .trusted_proxy
        .iter()
        .map(|p| proxy_net(p))
        .collect::<Result<Vec<_>>>()?;
    state.trusted_proxies = std::sync::Arc::new(proxies);
    let listen = hegui_web::Listen {
        addr: a.listen,
        store_threads: a.store_threads.map(usize::from),
        tls: a.tls_cert.zip(a.tls_key),
        mail: a.mail.config()?,
    };
    hegui_web::serve(state, &listen)?;
    Ok(ExitCode::SUCCESS)
}
