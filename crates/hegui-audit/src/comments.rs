//! Comments on requests, working papers and findings. A comment is `shared` (the auditee
//! sees it where it sees the object) or `internal` (the audit team only: it never reaches
//! a client, in a page, the API or a notification). `@name` mentions a member, who is
//! notified. An edit keeps what the comment said before in its history.
//!
//! Who comments (WEB.md): the audit team (lead, auditors, reviewers) on everything; a client
//! only `shared`, on the requests assigned to it (not drafts) and on findings communicated
//! to the auditee (with rectification items); a viewer reads only.

use serde::{Deserialize, Serialize};

use crate::engagement::resolve;
use crate::log;
use crate::members::{require, Role};
use crate::store::{now, RowExt, Store, Tx};
use crate::AuditError;

/// Who may read a comment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Shared,
    Internal,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Shared => "shared",
            Visibility::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<Visibility> {
        match s {
            "shared" => Some(Visibility::Shared),
            "internal" => Some(Visibility::Internal),
            _ => None,
        }
    }
}

/// What a comment is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum On {
    /// A request, by code (PBC-001).
    Request(String),
    /// A working paper, by checkpoint (G13.4).
    Paper(String),
    /// A finding, by code (F-001).
    Finding(String),
}

impl On {
    fn kind(&self) -> &'static str {
        match self {
            On::Request(_) => "request",
            On::Paper(_) => "paper",
            On::Finding(_) => "finding",
        }
    }

    fn reference(&self) -> &str {
        match self {
            On::Request(r) | On::Paper(r) | On::Finding(r) => r,
        }
    }

    /// Parses `PBC-001`, `F-001` or a checkpoint id.
    pub fn parse(s: &str) -> Result<On, AuditError> {
        let up = s.trim().to_uppercase();
        if up.starts_with("PBC-") {
            Ok(On::Request(up))
        } else if up.starts_with("F-") {
            Ok(On::Finding(up))
        } else {
            hegui_core::law::Law::get()
                .guideline
                .checkpoint(s.trim())
                .map(|(_, c)| On::Paper(c.id.clone()))
                .ok_or_else(|| {
                    AuditError::Invalid(format!(
                        "{s:?} is neither a request (PBC-001), a finding (F-001) nor a checkpoint"
                    ))
                })
        }
    }
}

/// A former text of an edited comment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Former {
    pub body: String,
    /// Until when it read so.
    pub until: String,
}

/// A comment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub seq: i64,
    pub on_kind: String,
    pub on_ref: String,
    pub visibility: Visibility,
    pub author: String,
    pub body: String,
    pub mentions: Vec<String>,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub history: Vec<Former>,
}

const COLS: &str =
    "seq, on_kind, on_ref, visibility, author, body, mentions, created_at, edited_at, history";

fn comment_of(r: &crate::store::Row) -> Comment {
    Comment {
        seq: r.int(0),
        on_kind: r.text(1),
        on_ref: r.text(2),
        visibility: Visibility::parse(&r.text(3)).unwrap_or(Visibility::Internal),
        author: r.text(4),
        body: r.text(5),
        mentions: serde_json::from_str(&r.text(6)).unwrap_or_default(),
        created_at: r.text(7),
        edited_at: r.opt(8),
        history: serde_json::from_str(&r.text(9)).unwrap_or_default(),
    }
}

/// The names after `@` in `body`: a name runs to the next space or punctuation mark.
pub fn mentioned(body: &str) -> Vec<String> {
    let stop = |c: char| {
        c.is_whitespace()
            || (c.is_ascii_punctuation() && !matches!(c, '_' | '-' | '.'))
            || "，。：；！？、（）【】《》“”‘’".contains(c)
    };
    let mut out: Vec<String> = Vec::new();
    for (i, _) in body.match_indices('@') {
        let name: String = body[i + 1..].chars().take_while(|c| !stop(*c)).collect();
        let name = name.trim_end_matches('.').to_string();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Checks that `actor` (with `role`) may see the object and comment on it as `vis`.
fn check_target(
    tx: &mut Tx,
    id: &str,
    on: &On,
    role: Role,
    vis: Visibility,
    actor: &str,
) -> Result<(), AuditError> {
    let exists = match on {
        On::Request(code) => {
            let r = crate::requests::load(tx, id, code)?;
            if role == Role::Client && !r.visible_to_client(actor) {
                return Err(AuditError::Invalid(format!("no request {code}")));
            }
            true
        }
        On::Finding(code) => {
            let items = tx
                .rows(
                    "SELECT COUNT(*) FROM rectifications WHERE engagement_id = $1 AND finding = $2",
                    &[id.into(), code.as_str().into()],
                )?
                .first()
                .map(|r| r.int(0))
                .unwrap_or(0);
            let found = !tx
                .rows(
                    "SELECT code FROM findings WHERE engagement_id = $1 AND code = $2",
                    &[id.into(), code.as_str().into()],
                )?
                .is_empty();
            found && (role != Role::Client || items > 0)
        }
        On::Paper(_) => role != Role::Client,
    };
    if !exists {
        return Err(AuditError::Invalid(format!(
            "no {} {}",
            on.kind(),
            on.reference()
        )));
    }
    if role == Role::Client && vis == Visibility::Internal {
        return Err(AuditError::Denied(
            "a client's comments are shared with the audit team; internal ones are the team's"
                .into(),
        ));
    }
    Ok(())
}

/// Adds a comment; notifies who it mentions and the people of the object.
pub fn add(
    store: &Store,
    engagement: &str,
    on: &On,
    visibility: Visibility,
    body: &str,
    actor: &str,
) -> Result<Comment, AuditError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AuditError::Invalid("a comment needs its text".into()));
    }
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let role = require(
            tx,
            &id,
            actor,
            &[Role::Lead, Role::Auditor, Role::Reviewer, Role::Client],
            "commenting",
        )?;
        check_target(tx, &id, on, role, visibility, actor)?;
        // Only members are mentioned; an internal comment never reaches a client.
        let mut mentions = Vec::new();
        for name in mentioned(body) {
            match crate::members::get_in(tx, &id, &name)? {
                Some(Role::Client) if visibility == Visibility::Internal => {}
                Some(_) => mentions.push(name),
                None => {}
            }
        }
        let seq = tx
            .rows(
                "SELECT COALESCE(MAX(seq), 0) FROM comments WHERE engagement_id = $1",
                &[id.clone().into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0)
            + 1;
        let at = now();
        tx.exec(
            &format!("INSERT INTO comments (engagement_id, {COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
            &[
                id.clone().into(),
                seq.into(),
                on.kind().into(),
                on.reference().into(),
                visibility.as_str().into(),
                actor.into(),
                body.into(),
                serde_json::to_string(&mentions).expect("serialisable").into(),
                at.clone().into(),
                None::<String>.into(),
                "[]".into(),
            ],
        )?;
        tx.touch("comments", &[&seq.to_string()]);
        if let On::Request(code) = on {
            if role == Role::Client {
                crate::requests::client_started(tx, &id, code, actor)?;
            }
        }
        notify_people(tx, &id, on, visibility, actor, &mentions)?;
        log::append(
            tx,
            &id,
            actor,
            "comment.added",
            &log::detail(&[
                ("seq", seq.into()),
                ("on", format!("{} {}", on.kind(), on.reference()).into()),
                ("visibility", visibility.as_str().into()),
            ]),
        )?;
        Ok(Comment {
            seq,
            on_kind: on.kind().into(),
            on_ref: on.reference().into(),
            visibility,
            author: actor.into(),
            body: body.into(),
            mentions: mentions.clone(),
            created_at: at,
            edited_at: None,
            history: Vec::new(),
        })
    })
}

/// Tells the mentioned (`comment.mention`) and the object's people (`comment.added`).
fn notify_people(
    tx: &mut Tx,
    id: &str,
    on: &On,
    vis: Visibility,
    actor: &str,
    mentions: &[String],
) -> Result<(), AuditError> {
    let detail = serde_json::json!({"on": on.kind()});
    for m in mentions.iter().filter(|m| *m != actor) {
        crate::notify::push(
            tx,
            m,
            id,
            "comment.mention",
            on.reference(),
            actor,
            detail.clone(),
        )?;
    }
    let mut people = Vec::new();
    if let On::Request(code) = on {
        let r = crate::requests::load(tx, id, code)?;
        people.push(r.requested_by.clone());
        if vis == Visibility::Shared && r.state != crate::requests::State::Draft {
            people.extend(r.assignees.iter().cloned());
        }
    }
    people.sort();
    people.dedup();
    for p in people
        .iter()
        .filter(|p| *p != actor && !mentions.contains(p))
    {
        crate::notify::push(
            tx,
            p,
            id,
            "comment.added",
            on.reference(),
            actor,
            detail.clone(),
        )?;
    }
    Ok(())
}

/// Changes a comment's text (its author only); the former text is kept in its history.
pub fn edit(
    store: &Store,
    engagement: &str,
    seq: i64,
    body: &str,
    actor: &str,
) -> Result<Comment, AuditError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AuditError::Invalid("a comment needs its text".into()));
    }
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let mut c = tx
            .rows(
                &format!("SELECT {COLS} FROM comments WHERE engagement_id = $1 AND seq = $2"),
                &[id.clone().into(), seq.into()],
            )?
            .first()
            .map(comment_of)
            .ok_or_else(|| AuditError::Invalid(format!("no comment {seq}")))?;
        if c.author != actor {
            return Err(AuditError::Denied(format!(
                "comment {seq} is {}'s: only its author edits it",
                c.author
            )));
        }
        if c.body == body {
            return Ok(c);
        }
        let at = now();
        c.history.push(Former {
            body: std::mem::replace(&mut c.body, body.to_string()),
            until: at.clone(),
        });
        c.edited_at = Some(at.clone());
        tx.exec(
            "UPDATE comments SET body = $3, edited_at = $4, history = $5 WHERE engagement_id = $1 AND seq = $2",
            &[
                id.clone().into(),
                seq.into(),
                body.into(),
                at.into(),
                serde_json::to_string(&c.history).expect("serialisable").into(),
            ],
        )?;
        tx.touch("comments", &[&seq.to_string()]);
        log::append(
            tx,
            &id,
            actor,
            "comment.edited",
            &log::detail(&[("seq", seq.into())]),
        )?;
        Ok(c)
    })
}

/// The comments on an object that a member with `role` reads: a client gets the shared
/// ones only (and nothing on working papers), oldest first.
pub fn on(
    store: &Store,
    engagement_id: &str,
    on: &On,
    role: Role,
) -> Result<Vec<Comment>, AuditError> {
    let rows = store.rows(
        &format!("SELECT {COLS} FROM comments WHERE engagement_id = $1 AND on_kind = $2 AND on_ref = $3 ORDER BY seq"),
        &[engagement_id.into(), on.kind().into(), on.reference().into()],
    )?;
    let found: Vec<Comment> = rows.iter().map(comment_of).collect();
    Ok(visible_on(&found, on, role))
}

/// Every comment of an engagement, in order: for a caller that keeps them (a server's
/// read cache) and picks with [`visible_on`].
pub fn all(store: &Store, engagement_id: &str) -> Result<Vec<Comment>, AuditError> {
    Ok(store
        .rows(
            &format!("SELECT {COLS} FROM comments WHERE engagement_id = $1 ORDER BY seq"),
            &[engagement_id.into()],
        )?
        .iter()
        .map(comment_of)
        .collect())
}

/// The comments of `comments` on `on` that a member with `role` reads: the audit team all
/// of them; a client only shared ones, and none on a working paper.
pub fn visible_on(comments: &[Comment], on: &On, role: Role) -> Vec<Comment> {
    if role == Role::Client && matches!(on, On::Paper(_)) {
        return Vec::new();
    }
    comments
        .iter()
        .filter(|c| c.on_kind == on.kind() && c.on_ref == on.reference())
        .filter(|c| role != Role::Client || c.visibility == Visibility::Shared)
        .cloned()
        .collect()
}
