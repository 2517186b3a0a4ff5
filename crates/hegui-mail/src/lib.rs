//! hegui's notifications in words, and by e-mail.
//!
//! [`render`] turns an inbox entry (`hegui_audit::notify::Notification`) into one line in
//! Chinese or English from `messages.toml` — the inbox page, `hegui notify list` and the
//! e-mail subject all use it. [`deliver`] sends, over SMTP, every notification not mailed yet
//! to the people who gave an address, and marks each one sent, so a message goes out once.
//! Mail is optional: without a [`MailConfig`] nothing leaves the machine.
//!
//! An e-mail carries what the inbox line says and a link, never a comment's text, a file or
//! a sensitive request's title.

use std::collections::HashMap;
use std::sync::OnceLock;

use hegui_audit::notify::{self, Notification};
use hegui_audit::store::Store;
use hegui_audit::AuditError;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Deserialize;

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

#[derive(Deserialize)]
struct Text {
    zh: String,
    en: String,
}

fn messages() -> &'static HashMap<String, Text> {
    static M: OnceLock<HashMap<String, Text>> = OnceLock::new();
    M.get_or_init(|| {
        toml::from_str(include_str!("../messages.toml")).expect("messages.toml is valid (tested)")
    })
}

/// Every kind of notification that has words (for the test that each kind has them).
pub fn kinds() -> Vec<&'static str> {
    let mut k: Vec<&str> = messages().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn field(n: &Notification, key: &str) -> String {
    match n.detail.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// The one line a notification says, and (for an e-mail's body) the lines under it: the
/// overdue requests of a digest.
pub fn render(n: &Notification, lang: Lang) -> (String, Vec<String>) {
    let sensitive = n.detail.get("sensitive").and_then(|v| v.as_bool()) == Some(true);
    let title = if sensitive {
        match lang {
            Lang::Zh => "敏感资料".to_string(),
            Lang::En => "sensitive request".to_string(),
        }
    } else {
        field(n, "title")
    };
    let template = messages().get(&n.kind).map(|t| match lang {
        Lang::Zh => t.zh.as_str(),
        Lang::En => t.en.as_str(),
    });
    let line = match template {
        Some(t) => t
            .replace("{actor}", &n.actor)
            .replace("{subject}", &n.subject)
            .replace("{engagement}", &n.engagement)
            .replace("{title}", &title)
            .replace("{due}", &field(n, "due"))
            .replace("{checkpoint}", &field(n, "checkpoint"))
            .replace("{count}", &n.subject),
        // A kind from a newer hegui: still say what and where.
        None => format!("{} {} {}", n.engagement, n.subject, n.kind),
    };
    let list = n
        .detail
        .get("overdue")
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    format!(
                        "{} {}",
                        i.get("engagement").and_then(|v| v.as_str()).unwrap_or(""),
                        i.get("request").and_then(|v| v.as_str()).unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (line.trim().to_string(), list)
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (port 465).
    Tls,
    /// STARTTLS, required (port 587).
    Starttls,
    /// None at all: a relay on this machine or a test sink only.
    None,
}

/// Where and how e-mail goes (a TOML file: `hegui notify run --mail-config F`,
/// `hegui serve --mail-config F`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The sender, e.g. `hegui <hegui@firm.example>`.
    pub from: String,
    #[serde(default)]
    pub user: Option<String>,
    /// The environment variable holding the password (never the password itself in the file).
    #[serde(default)]
    pub password_env: Option<String>,
    /// The address people reach `hegui serve` at, for links in messages.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Messages in English instead of Chinese.
    #[serde(default)]
    pub english: bool,
}

/// Why mail could not be configured or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("{0}")]
    Config(String),
    #[error("SMTP {host}:{port}: {err}")]
    Smtp {
        host: String,
        port: u16,
        err: String,
    },
    #[error(transparent)]
    Store(#[from] AuditError),
}

impl MailConfig {
    /// Reads and checks a configuration file.
    pub fn from_file(path: &std::path::Path) -> Result<MailConfig, MailError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| MailError::Config(format!("{}: {e}", path.display())))?;
        let c: MailConfig = toml::from_str(&text)
            .map_err(|e| MailError::Config(format!("{}: {e}", path.display())))?;
        c.from.parse::<Mailbox>().map_err(|e| {
            MailError::Config(format!("{}: from {:?}: {e}", path.display(), c.from))
        })?;
        if c.user.is_some() && c.password_env.is_none() {
            return Err(MailError::Config(format!(
                "{}: user without password_env (the variable that holds the password)",
                path.display()
            )));
        }
        Ok(c)
    }

    fn transport(&self) -> Result<SmtpTransport, MailError> {
        let smtp = |err: String| MailError::Smtp {
            host: self.host.clone(),
            port: self.port,
            err,
        };
        let tls = || TlsParameters::new(self.host.clone()).map_err(|e| smtp(e.to_string()));
        let mut b = SmtpTransport::builder_dangerous(&self.host)
            .port(self.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        b = match self.security {
            Security::Tls => b.tls(Tls::Wrapper(tls()?)),
            Security::Starttls => b.tls(Tls::Required(tls()?)),
            Security::None => b.tls(Tls::None),
        };
        if let (Some(user), Some(var)) = (&self.user, &self.password_env) {
            let pass = std::env::var(var).map_err(|_| {
                MailError::Config(format!("the SMTP password variable ${var} is not set"))
            })?;
            b = b.credentials(Credentials::new(user.clone(), pass));
        }
        Ok(b.build())
    }
}

/// What one delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Messages that failed (left unmarked: tried again next run).
    pub failed: usize,
}

/// The message for one notification.
fn message(cfg: &MailConfig, to: &str, n: &Notification) -> Result<Message, String> {
    let lang = if cfg.english { Lang::En } else { Lang::Zh };
    let (line, list) = render(n, lang);
    let mut body = line.clone();
    body.push('\n');
    for l in &list {
        body.push_str(&format!("\n  · {l}"));
    }
    if let Some(base) = &cfg.base_url {
        let base = base.trim_end_matches('/');
        let path = match (n.engagement.is_empty(), n.subject.starts_with("PBC-")) {
            (false, true) => format!("/e/{}/requests/{}", n.engagement, n.subject),
            (false, false) => format!("/e/{}", n.engagement),
            (true, _) => "/inbox".to_string(),
        };
        body.push_str(&format!("\n\n{base}{path}\n"));
    }
    body.push_str(match lang {
        Lang::Zh => "\n—— hegui 合规审计（自动发送，请勿回复）\n",
        Lang::En => "\n— hegui compliance audit (sent automatically; do not reply)\n",
    });
    Message::builder()
        .from(cfg.from.parse().map_err(|e| format!("from: {e}"))?)
        .to(to.parse().map_err(|e| format!("to {to:?}: {e}"))?)
        .subject(format!("[hegui] {line}"))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}

/// Sends every notification not mailed yet (of people with an address) and marks each
/// one sent. A message that fails stays for the next run; a server that cannot be reached
/// at all is an error.
pub fn deliver(store: &Store, cfg: &MailConfig) -> Result<Delivered, MailError> {
    let pending = notify::pending_mail(store, 500)?;
    let mut out = Delivered::default();
    if pending.is_empty() {
        return Ok(out);
    }
    let t = cfg.transport()?;
    for (user, address, n) in &pending {
        let m = match message(cfg, address, n) {
            Ok(m) => m,
            Err(_) => {
                out.failed += 1;
                continue;
            }
        };
        match t.send(&m) {
            Ok(_) => {
                notify::mark_mailed(store, user, n.seq)?;
                out.sent += 1;
            }
            Err(e)
                if out.sent == 0 && out.failed == 0 && !(e.is_transient() || e.is_permanent()) =>
            {
                return Err(MailError::Smtp {
                    host: cfg.host.clone(),
                    port: cfg.port,
                    err: e.to_string(),
                })
            }
            Err(_) => out.failed += 1,
        }
    }
    Ok(out)
}
